#!/usr/bin/env bash
# bench/http/run.sh - the HTTP benchmark (issue 3, item 8; issue 15, item 5): wrk against
# spotcheck's target list page (logged in, first page and a filtered deep keyset page) and the
# public pages (/public/items, and the portal's front page /public/ at 64 connections), on
# loopback, and against nginx serving a static file of the same size as each page's body, in the
# same run.
#
#   bench/http/run.sh
#
# What it does: builds the release binary with `make` (not the sanitizer build), creates a demo
# database (~112k targets, ~100k insured persons) in a temp dir, starts `spotcheck serve`, logs in
# as the demo user `staff` with curl (GET /login for the sc_pre cookie and csrf field, POST
# /login for sc_session), checks that /d/targets answers 200 with a <table>, saves each page's
# body, starts a throwaway nginx (own config in the temp dir, 2 workers, access_log off) serving
# those bodies as static files, and runs the same wrk command against each side, page by page.
# Prints requests/s, p99 latency, the ratios, and the server CPU time per request (user + system
# of the server processes over the wrk run, from /proc; less sensitive to other load on the box).
# Servers are stopped and the temp dir removed on exit, also on failure or Ctrl-C.
#
# Environment: SPOTCHECK (binary to test; when set, make is skipped), THREADS (wrk -t, default 2),
# CONNS (wrk -c, default 16; the /public/ run always uses CONNS_HIGH, default 64), DURATION (wrk -d
# in seconds, default 10, at most 120), NGINX (default nginx or /usr/sbin/nginx), PAGES (names of
# the pages to run, e.g. "public_index", default all). Needs wrk, nginx and curl:
# scripts/deps.sh bench. Not part of `make test`: a run takes about a minute and a half (demo init
# ~10 s, 8 wrk runs + warm-ups). wrk sends no Accept-Encoding: both sides send the plain body.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
threads=${THREADS:-2}
conns=${CONNS:-16}
conns_high=${CONNS_HIGH:-64}
duration=${DURATION:-10}
case "$threads$conns$conns_high$duration" in '' | *[!0-9]*) echo "run.sh: THREADS, CONNS, DURATION must be integers" >&2; exit 2 ;; esac
[ "$duration" -ge 1 ] && [ "$duration" -le 120 ] || { echo "run.sh: DURATION must be 1..120" >&2; exit 2; }

for t in wrk curl python3; do
    command -v "$t" >/dev/null || { echo "run.sh: $t not found; run scripts/deps.sh bench" >&2; exit 2; }
done
ngx=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
[ -x "$ngx" ] || { echo "run.sh: nginx not found; run scripts/deps.sh bench" >&2; exit 2; }

if [ -n "${SPOTCHECK:-}" ]; then
    sc=$SPOTCHECK
    sc_what=$sc
else
    make -s -C "$root" build/spotcheck >&2
    sc=$root/build/spotcheck
    sc_what="build/spotcheck of $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?')"
fi
[ -x "$sc" ] || { echo "run.sh: $sc not found" >&2; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/spotcheck-bench-http.XXXXXX")
sc_pid="" ngx_pid=""
cleanup() {
    local rc=$?
    set +e
    [ -n "$sc_pid" ] && kill "$sc_pid" 2>/dev/null && wait "$sc_pid" 2>/dev/null
    [ -n "$ngx_pid" ] && kill "$ngx_pid" 2>/dev/null && wait "$ngx_pid" 2>/dev/null
    rm -rf "$dir"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "run.sh: $*" >&2; exit 1; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
sc_port=$(free_port)
ngx_port=$(free_port)
[ "$sc_port" != "$ngx_port" ] || ngx_port=$(free_port)
sc_url=http://127.0.0.1:$sc_port
ngx_url=http://127.0.0.1:$ngx_port

# wait_http URL: up to 10 s for a server to answer
wait_http() {
    for _ in $(seq 100); do
        curl -s -o /dev/null "$1" && return 0
        sleep 0.1
    done
    die "no answer from $1"
}

# --- spotcheck with the demo database --------------------------------------------------------
echo "creating the demo database in $dir ..." >&2
"$sc" init --demo --db "$dir/b.db" >"$dir/init.log" 2>&1 || { cat "$dir/init.log" >&2; die "init --demo failed"; }
n_targets=$(python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(*c.execute("SELECT count(*), sum(kind = \"insured\") FROM target").fetchone())' "$dir/b.db")
"$sc" serve --db "$dir/b.db" --listen "127.0.0.1:$sc_port" >"$dir/serve.log" 2>&1 &
sc_pid=$!
wait_http "$sc_url/login"

# --- log in as staff ---------------------------------------------------------------------------
jar=$dir/cookies
curl -sf -c "$jar" -b "$jar" -o "$dir/login.html" "$sc_url/login" || die "GET /login failed"
csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$dir/login.html" | head -1)
[ -n "$csrf" ] || die "no csrf field on /login"
code=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' --data-urlencode username=staff \
    --data-urlencode password=spotcheck-demo --data-urlencode "csrf=$csrf" "$sc_url/login")
[ "$code" = 303 ] || die "POST /login answered $code, not 303"
token=$(awk '$6 == "sc_session" { print $7 }' "$jar")
[ -n "$token" ] || die "no sc_session cookie after login"
cookie="Cookie: sc_session=$token"

# --- the pages and their bodies ------------------------------------------------------------------
# name|path|needs the cookie|wrk connections|must show a table
pages=("targets|/d/targets|1|$conns|1" "targets_deep|/d/targets?kind=insured&after=90000|1|$conns|1"
    "public_items|/public/items|0|$conns|1" "public_index|/public/|0|$conns_high|0")
if [ -n "${PAGES:-}" ]; then
    chosen=()
    for p in "${pages[@]}"; do
        case " $PAGES " in *" ${p%%|*} "*) chosen+=("$p") ;; esac
    done
    [ ${#chosen[@]} -gt 0 ] || die "PAGES names none of the pages"
    pages=("${chosen[@]}")
fi
www=$dir/www
mkdir -p "$www"
for p in "${pages[@]}"; do
    IFS='|' read -r name path auth _ table <<<"$p"
    hdr=()
    [ "$auth" = 1 ] && hdr=(-H "$cookie")
    code=$(curl -s "${hdr[@]}" -o "$www/$name.html" -w '%{http_code}' "$sc_url$path")
    [ "$code" = 200 ] || die "GET $path answered $code"
    grep -q '</html>' "$www/$name.html" || die "GET $path is not a whole page"
    [ "$table" = 1 ] || continue
    grep -q '<table' "$www/$name.html" || die "GET $path has no <table>"
    rows=$(grep -o '<tr' "$www/$name.html" | wc -l)
    [ "$rows" -ge 2 ] || die "GET $path shows no rows"
done
# nginx workers run as nobody when started as root: let them read the static files
chmod 755 "$dir" "$www"
chmod 644 "$www"/*.html

# --- nginx ---------------------------------------------------------------------------------------
cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 1024; }
http {
    types { text/html html; }
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path $dir/ngx-body;
    proxy_temp_path $dir/ngx-proxy;
    fastcgi_temp_path $dir/ngx-fastcgi;
    uwsgi_temp_path $dir/ngx-uwsgi;
    scgi_temp_path $dir/ngx-scgi;
    server {
        listen 127.0.0.1:$ngx_port;
        root $www;
    }
}
EOF
"$ngx" -e "$dir/nginx-error.log" -c "$dir/nginx.conf" -p "$dir" &
ngx_pid=$!
wait_http "$ngx_url/${pages[0]%%|*}.html"
for p in "${pages[@]}"; do
    IFS='|' read -r name _ _ <<<"$p"
    n=$(curl -s -o /dev/null -w '%{size_download}' "$ngx_url/$name.html")
    [ "$n" = "$(stat -c %s "$www/$name.html")" ] || die "nginx serves $n bytes for $name, not the saved size"
done

# --- measuring -----------------------------------------------------------------------------------
tck=$(getconf CLK_TCK)
# cpu_ticks PID: user + system clock ticks of the process (all its threads) and of its child
# processes (nginx's workers)
cpu_ticks() {
    local t=0 c
    for c in "$1" $(ps -o pid= --ppid "$1"); do
        [ -r "/proc/$c/stat" ] && t=$((t + $(awk '{ print $14 + $15 }' "/proc/$c/stat")))
    done
    echo "$t"
}
# to_ms VALUE: wrk latency (e.g. 812.31us, 2.05ms, 1.48s, 1.02m) in milliseconds
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
        if (f < 0) { print "?"; exit }
        printf "%.2f", n * f }'
}
# bench LABEL PID CONNS URL [HEADER]: one wrk run (after a 1 s warm-up); prints
# "req/s p99ms cpu_ms/req"
bench() {
    local label=$1 pid=$2 c=$3 url=$4 out=$dir/wrk-$1.txt
    shift 4
    local h=()
    [ $# -gt 0 ] && h=(-H "$1")
    wrk -t1 -c2 -d1s "${h[@]}" "$url" >/dev/null
    local c0 c1
    c0=$(cpu_ticks "$pid")
    wrk -t"$threads" -c"$c" -d"${duration}s" --latency "${h[@]}" "$url" >"$out"
    c1=$(cpu_ticks "$pid")
    if grep -qE 'Non-2xx|Socket errors' "$out"; then # refused or reset connections show here
        echo "run.sh: $label: $(grep -E 'Non-2xx|Socket errors' "$out" | tr -s ' ')" >&2
        grep -q 'Non-2xx' "$out" && die "$label: non-2xx answers, figures would be meaningless"
    fi
    local rps p99 n
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
    n=$(awk '/requests in/ { print $1 }' "$out")
    [ -n "$rps" ] && [ -n "$n" ] && [ "$n" -gt 0 ] || die "$label: could not parse wrk output"
    echo "$rps $p99 $(awk -v d=$((c1 - c0)) -v t="$tck" -v n="$n" 'BEGIN { printf "%.4f", d * 1000 / t / n }')"
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
results=()
for p in "${pages[@]}"; do
    IFS='|' read -r name path auth c _ <<<"$p"
    echo "wrk: $name (-c$c) ..." >&2
    if [ "$auth" = 1 ]; then s=$(bench "sc-$name" "$sc_pid" "$c" "$sc_url$path" "$cookie")
    else s=$(bench "sc-$name" "$sc_pid" "$c" "$sc_url$path"); fi
    x=$(bench "nginx-$name" "$ngx_pid" "$c" "$ngx_url/$name.html")
    results+=("$name|$path|$c|$(stat -c %s "$www/$name.html")|$s|$x")
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report --------------------------------------------------------------------------------------
read -r n_all n_insured <<<"$n_targets"
echo
echo "spotcheck ($sc_what) vs nginx $("$ngx" -v 2>&1 | sed 's/.*nginx\///')," \
    "demo database: $n_all targets ($n_insured insured)"
echo "wrk -t$threads -c(column c) -d${duration}s --latency on loopback; $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
echo "load average before/after: $load0 / $load1"
echo
printf '%-13s %-38s %3s %7s | %9s %9s %7s | %9s %9s %7s | %8s %8s %7s\n' page path c bytes \
    'sc req/s' 'sc p99ms' 'sc cpu' 'ngx req/s' 'ngx p99' 'ngx cpu' 'req/s ÷' 'p99 ×' 'cpu ×'
for r in "${results[@]}"; do
    IFS='|' read -r name path c bytes s x <<<"$r"
    read -r srps sp99 scpu <<<"$s"
    read -r xrps xp99 xcpu <<<"$x"
    awk -v name="$name" -v path="$path" -v c="$c" -v bytes="$bytes" -v srps="$srps" -v sp99="$sp99" \
        -v scpu="$scpu" -v xrps="$xrps" -v xp99="$xp99" -v xcpu="$xcpu" 'BEGIN {
        printf "%-13s %-38s %3d %7d | %9.1f %9.2f %7.4f | %9.1f %9.2f %7.4f | %8.4f %8.1f %7.1f\n",
            name, path, c, bytes, srps, sp99, scpu, xrps, xp99, xcpu,
            (xrps > 0 ? srps / xrps : 0), (xp99 > 0 ? sp99 / xp99 : 0), (xcpu > 0 ? scpu / xcpu : 0) }'
done
echo
echo "c = wrk connections; cpu = server CPU ms per request (user + system over the run);"
echo "req/s ÷ = spotcheck / nginx; p99 × and cpu × = spotcheck / nginx. wrk runs on the same"
echo "machine and shares the CPUs. Connections the server refused or reset: $(cat "$dir"/wrk-*.txt | awk '/Socket errors/ { for (i = 1; i <= NF; i++) if ($i ~ /^(connect|read|write|timeout)$/) { gsub(",", "", $(i + 1)); n += $(i + 1) } } END { print n + 0 }')."
