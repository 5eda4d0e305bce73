#!/usr/bin/env bash
# bench/pages/build.sh - builds (once) the database of the pages benchmark: ROWS targets (default
# 1,000,000, bench/import/gen.py), one task whose draw takes 3 % of them (~30,000 groups at 1M)
# and ROWS/100 published results (10,000 at 1M), all through spotcheck's own commands and HTTP
# API (bench/pages/build.py says how). Prints each step's wall time.
#
#   bench/pages/build.sh [ROWS]
#
# Result: $BENCH_DIR/pages-ROWS.db (+ pages-ROWS.db.json: task id, accounts, build times). Kept
# between runs: delete it to rebuild. Environment: SPOTCHECK (default build/spotcheck),
# BENCH_DIR (default ${TMPDIR:-/tmp}/spotcheck-bench-pages), BUILD_THREADS (HTTP clients while
# filling and reviewing, default 8). Not part of `make test`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-1000000}
sc=${SPOTCHECK:-$root/build/spotcheck}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/spotcheck-bench-pages}
case $rows in '' | *[!0-9]* | 0) echo "usage: build.sh [ROWS]" >&2; exit 2 ;; esac
[ "$rows" -ge 10000 ] || { echo "build.sh: ROWS must be at least 10000" >&2; exit 2; }
[ -x "$sc" ] || { echo "build.sh: $sc not found; build it with make" >&2; exit 2; }
sc=$(cd "$(dirname "$sc")" && pwd)/$(basename "$sc")
mkdir -p "$dir"
db=$dir/pages-$rows.db
if [ -s "$db" ] && [ -s "$db.json" ]; then
    echo "build.sh: $db exists (delete it to rebuild)" >&2
    exit 0
fi
[ ! -e "$db" ] || { echo "build.sh: $db exists without $db.json (not built by build.sh?); remove it or set BENCH_DIR" >&2; exit 2; }
data=$dir/data-$rows
if [ ! -s "$data/targets.csv" ] || [ ! -s "$data/orgs.csv" ] || [ ! -s "$data/tags.csv" ]; then
    echo "generating $rows targets in $data ..." >&2
    python3 "$root/bench/import/gen.py" "$data" "$rows"
fi
work=$dir/build-$rows
rm -rf "$work"
mkdir -p "$work"
# built in a work directory and moved into place only when complete
python3 "$root/bench/pages/build.py" "$sc" "$data" "$work/pages.db" "$rows" | tee "$work/build.log"
mv "$work/pages.db.json" "$db.json.tmp"
mv "$work/pages.db" "$db"
rm -f "$work/pages.db-wal" "$work/pages.db-shm"
[ -d "$work/files" ] && mv "$work/files" "$dir/files-$rows"
cp "$work/build.log" "$db.build.log"
mv "$db.json.tmp" "$db.json"
echo "built $db" >&2
