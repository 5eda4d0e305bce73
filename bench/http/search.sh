#!/usr/bin/env bash
# bench/http/search.sh - the directory search (issue 15 item 3): curl's time_total for a few
# `/d/targets?q=…` pages and one `wrk -c64` run, against a copy of a given database.
#
#   bench/http/search.sh DB [QUERY...]
#
# DB is an existing spotcheck database (e.g. `spotcheck init --demo --db demo.db`, or the 1M
# targets of bench/draw/record.sh); it is copied into a temp dir first (a newer binary applies its
# migrations to the copy). An account `bench` (staff, at the database's first org, the top of the
# tree) is added to the copy and logged in. Each QUERY (default: a set for the demo database) is
# fetched RUNS times (default 10) with curl; the median time_total, the server's CPU time per
# request (user + system from /proc, steadier than wall time on a loaded machine) and the total the
# page shows are printed. Then `wrk -t2 -c64 -d${DURATION}s` runs on the WRK query (default the first QUERY)
# and its requests/s, median and p99 latency are printed.
#
# Environment: SPOTCHECK (default build/spotcheck), RUNS, DURATION (default 10), WRK (a query),
# CONNS (default 64). Needs curl, python3 and (for the load run) wrk: scripts/deps.sh bench.
# Not part of `make test`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: search.sh DB [QUERY...]" >&2; exit 2; }
src=$1
shift
sc=${SPOTCHECK:-$root/build/spotcheck}
runs=${RUNS:-10}
duration=${DURATION:-10}
conns=${CONNS:-64}
[ -x "$sc" ] || { echo "search.sh: $sc not found" >&2; exit 2; }
[ -s "$src" ] || { echo "search.sh: $src not found" >&2; exit 2; }
queries=("$@")
[ ${#queries[@]} -gt 0 ] || queries=(宁晋县人民医院 大药房 徐家河 H130528 9113052 医院 协和 不存在的名称)
wq=${WRK:-${queries[0]}}

dir=$(mktemp -d "${TMPDIR:-/tmp}/spotcheck-bench-search.XXXXXX")
pid=""
cleanup() {
    local rc=$?
    set +e
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$dir"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "search.sh: $*" >&2; exit 1; }

sqlite3 "$src" ".backup '$dir/s.db'"
org=$(sqlite3 "$dir/s.db" "SELECT code FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 1")
echo bench-password-1 | "$sc" user add bench --role staff --org "$org" --password-stdin --db "$dir/s.db" >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
"$sc" serve --db "$dir/s.db" --listen "127.0.0.1:$port" >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 600); do curl -s -o /dev/null "$url/login" && break; sleep 0.1; done
jar=$dir/cookies
curl -sf -c "$jar" -b "$jar" -o "$dir/login.html" "$url/login" || die "GET /login failed"
csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$dir/login.html" | head -1)
code=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' --data-urlencode username=bench \
    --data-urlencode password=bench-password-1 --data-urlencode "csrf=$csrf" "$url/login")
[ "$code" = 303 ] || die "POST /login answered $code"
cookie="Cookie: sc_session=$(awk '$6 == "sc_session" { print $7 }' "$jar")"
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "database: $src ($(sqlite3 "$dir/s.db" 'SELECT count(*) FROM target') targets); binary: $sc"
tck=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
printf '%-16s %10s %12s  %s\n' query 'median ms' 'CPU ms/req' 'total shown'
for q in "${queries[@]}"; do
    ts=()
    c0=$(cpu_ticks)
    for ((i = 0; i < runs; i++)); do
        t=$(curl -s -H "$cookie" -o "$dir/page.html" -w '%{http_code} %{time_total}' "$url/d/targets?q=$(enc "$q")")
        [ "${t%% *}" = 200 ] || die "q=$q answered ${t%% *}"
        ts+=("$(awk -v t="${t#* }" 'BEGIN { printf "%.1f", t * 1000 }')")
    done
    shown=$({ grep -o '<p class="muted" id="dir-count">[^<]*\|<p class="muted">共[^<]*' "$dir/page.html" || echo '>（不计总数）'; } | sed 's/^[^>]*>//' | head -1)
    cpu=$(awk -v d=$(($(cpu_ticks) - c0)) -v t="$tck" -v n="$runs" 'BEGIN { printf "%.1f", d * 1000 / t / n }')
    printf '%-16s %10s %12s  %s\n' "$q" "$(median "${ts[@]}")" "$cpu" "$shown"
done
if command -v wrk >/dev/null; then
    wrk -t1 -c2 -d1s -H "$cookie" "$url/d/targets?q=$(enc "$wq")" >/dev/null
    c0=$(cpu_ticks)
    wrk -t2 -c"$conns" -d"${duration}s" --timeout 60s --latency -H "$cookie" "$url/d/targets?q=$(enc "$wq")" >"$dir/wrk.txt"
    n=$(awk '/requests in/ { print $1 }' "$dir/wrk.txt")
    cpu=$(awk -v d=$(($(cpu_ticks) - c0)) -v t="$tck" -v n="$n" 'BEGIN { printf "%.1f", n ? d * 1000 / t / n : 0 }')
    echo "wrk -t2 -c$conns -d${duration}s q=$wq: $(awk '/^Requests\/sec:/ { print $2 }' "$dir/wrk.txt") req/s," \
        "median $(awk '$1 == "50%" { print $2 }' "$dir/wrk.txt"), p99 $(awk '$1 == "99%" { print $2 }' "$dir/wrk.txt"), $cpu ms CPU/req" \
        "$(grep -E 'Non-2xx|Socket errors' "$dir/wrk.txt" | tr -s ' ' || true)"
fi
