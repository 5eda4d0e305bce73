#!/usr/bin/env bash
# bench/pages/run.sh - latency of every main page (issue 15 item 7): p50/p99 with one client and
# with 64 concurrent clients, errors, bytes, the server's peak RSS, /public/ against nginx serving
# the same body, and /figures and /dashboard at COMPARE_ROWS against ROWS targets. Prints a
# markdown table (bench/README.md, "Pages").
#
#   bench/pages/run.sh [ROWS]          # default 1000000; COMPARE_ROWS default 100000
#
# Builds the databases first when they are missing (bench/pages/build.sh: slow at 1M), copies
# the one measured into a temp dir (the cache stays unchanged), starts `spotcheck serve` on it.
# Environment: SPOTCHECK (default build/spotcheck), BENCH_DIR (as build.sh), COMPARE_ROWS (0:
# no growth check), N1 (sequential requests per page, default 50), MAX1 (seconds per page for
# them, default 60), DURATION (wrk seconds per page, default 10), CONNS (default 64), NGINX.
# Needs python3, wrk and nginx: scripts/deps.sh bench. Not part of `make test`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-1000000}
compare=${COMPARE_ROWS:-100000}
sc=${SPOTCHECK:-$root/build/spotcheck}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/spotcheck-bench-pages}
case "$rows$compare" in *[!0-9]*) echo "usage: run.sh [ROWS] (COMPARE_ROWS a number)" >&2; exit 2 ;; esac
[ -x "$sc" ] || { echo "run.sh: $sc not found; build it with make" >&2; exit 2; }
for t in python3 wrk; do
    command -v "$t" >/dev/null || { echo "run.sh: $t not found; run scripts/deps.sh bench" >&2; exit 2; }
done
ngx=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
[ -x "$ngx" ] || { echo "run.sh: nginx not found; run scripts/deps.sh bench" >&2; exit 2; }
export NGINX=$ngx
sc=$(cd "$(dirname "$sc")" && pwd)/$(basename "$sc")
export SPOTCHECK=$sc BENCH_DIR=$dir
bash "$root/bench/pages/build.sh" "$rows"
args=("$sc" "$dir/pages-$rows.db")
if [ "$compare" -gt 0 ] && [ "$compare" != "$rows" ]; then
    bash "$root/bench/pages/build.sh" "$compare"
    args+=("$dir/pages-$compare.db")
fi
python3 "$root/bench/pages/measure.py" "${args[@]}"
