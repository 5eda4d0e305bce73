#!/usr/bin/env bash
# bench/draw/pages.sh - the pages of a large draw (issue 15 item 4): the staff's draw page, the
# public task page and the task page of a task drawn at 3 % over 1,000,000 targets (about 30,000
# groups), timed with curl against `spotcheck serve`; and the record download, checked against
# record_sha256. The database is made once by bench/draw/pages_db.py (the web tests' drawn task
# over bench/import/gen.py's targets) and kept in BENCH_DIR.
#
#   bench/draw/pages.sh [ROWS]
#
# Environment: SPOTCHECK (default build/spotcheck), BENCH_DIR (default
# ${TMPDIR:-/tmp}/spotcheck-bench-pages), REPEAT (default 5; the median is printed). Not part of
# `make test`. Prints, per URL: the median time_total in seconds and the bytes of the body.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-1000000}
repeat=${REPEAT:-5}
sc=${SPOTCHECK:-$root/build/spotcheck}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/spotcheck-bench-pages}
[ -x "$sc" ] || { echo "pages.sh: $sc not found; build it with make" >&2; exit 2; }
mkdir -p "$dir"
if [ ! -s "$dir/data-$rows/targets.csv" ]; then
    echo "generating $rows targets ..." >&2
    python3 "$root/bench/import/gen.py" "$dir/data-$rows" "$rows"
fi
db=$dir/pages-$rows.db
if [ ! -s "$db" ]; then
    echo "building the drawn task (minutes) ..." >&2
    read -r made tid groups < <(SPOTCHECK_TODAY=2026-06-15 SPOTCHECK=$sc python3 "$root/bench/draw/pages_db.py" "$dir/data-$rows")
    sqlite3 "$made" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
    mv "$made" "$db"
    echo "task $tid drawn: $groups groups" >&2
fi
tid=$(sqlite3 "$db" "SELECT t.id FROM task t JOIN draw d ON d.task_code = t.code WHERE d.status = '已抽取' LIMIT 1")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
SPOTCHECK_TODAY=2026-06-15 "$sc" serve --db "$db" --listen "127.0.0.1:$port" 2>"$dir/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "$url/login" && break; sleep 0.1; done
jar=$dir/cookies.txt
rm -f "$jar"
curl -sf -c "$jar" -b "$jar" -o "$dir/login.html" "$url/login"
csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$dir/login.html" | head -1)
code=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode username=staff \
    --data-urlencode password=spotcheck-demo --data-urlencode "csrf=$csrf" "$url/login")
[ "$code" = 303 ] || { echo "pages.sh: login answered $code" >&2; exit 1; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "$(basename "$sc") on $(sqlite3 "$db" 'SELECT count(*) FROM target') targets, $(sqlite3 "$db" 'SELECT count(*) FROM draw_target') groups; median of $repeat"
for path in "/tasks/$tid/draw" "/public/tasks/$tid" "/tasks/$tid" "/tasks/$tid/draw?page=300" \
    "/tasks/$tid/draw/record"; do
    times=() size=0 status=0
    for ((i = 1; i <= repeat; i++)); do
        read -r status t size < <(curl -s -b "$jar" -o "$dir/body" -w '%{http_code} %{time_total} %{size_download}\n' "$url$path")
        times+=("$t")
    done
    printf '%-32s %s  %8s s  %10s bytes\n' "$path" "$status" "$(median "${times[@]}")" "$size"
done
want=$(sqlite3 "$db" "SELECT record_sha256 FROM draw WHERE status = '已抽取'")
got=$(sha256sum "$dir/body" | cut -d' ' -f1)
[ "$got" = "$want" ] && echo "record download: SHA-256 = record_sha256 ($want)" \
    || echo "record download: SHA-256 $got, record_sha256 $want (differ)"
