#!/usr/bin/env bash
# bench/import/pg.sh - the import benchmark on PostgreSQL (issue 18 item 1: COPY): `spotcheck import
# targets` of the generated CSV of ROWS targets (default 1,000,000; bench/import/gen.py, the file of
# run.sh) into a fresh PostgreSQL database, for this build and, interleaved in the same run, BASELINE
# (another spotcheck binary, e.g. a build of the commit before a change), on a throwaway cluster
# (scripts/pgtest.sh). Medians of REPEAT runs (default 3) of wall time, the client's CPU time (user +
# system) and rows/s; the server's CPU is in the wall time, not in the client's.
#
#   bench/import/pg.sh [ROWS]          (BASELINE=/path/to/spotcheck to compare)
#
# Environment as run.sh: SPOTCHECK, BENCH_DIR, REPEAT, BASELINE. Not part of `make test`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-1000000}
case $rows in '' | *[!0-9]*) echo "usage: pg.sh [ROWS]" >&2; exit 2 ;; esac
if [ -z "${SPOTCHECK_PG_MAP:-}" ]; then # start the cluster, then run again inside it
    exec "$root/scripts/pgtest.sh" "$0" "$@"
fi
repeat=${REPEAT:-3}
sc=${SPOTCHECK:-$root/build/spotcheck}
base=${BASELINE:-}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/spotcheck-bench-import}
data=$dir/data-$rows
mkdir -p "$data"
if [ ! -s "$data/targets.csv" ] || [ "$root/bench/import/gen.py" -nt "$data/targets.csv" ]; then
    echo "generating $rows targets in $data ..." >&2
    python3 "$root/bench/import/gen.py" "$data" "$rows"
fi

# import_targets BINARY N: "wall cpu" of its import of the file into a fresh database (a new path
# each time: SPOTCHECK_PG_MAP gives every path a database of its own on the cluster)
import_targets() {
    local db=$dir/pg-$2.db t n TIMEFORMAT='%R %U %S'
    "$1" import orgs "$data/orgs.csv" --db "$db" >/dev/null
    "$1" import tags "$data/tags.csv" --db "$db" >/dev/null
    { time "$1" import targets "$data/targets.csv" --db "$db" >"$dir/cmd.out" 2>&1; } 2>"$dir/time.out" || {
        tail -20 "$dir/cmd.out" >&2
        return 1
    }
    n=$(psql -X -At -d "$SPOTCHECK_PG_MAP dbname=$(db_name "$db")" -c 'SELECT count(*) FROM target')
    [ "$n" -eq "$rows" ] || { echo "pg.sh: $1 imported $n rows, not $rows" >&2; return 1; }
    psql -X -q -d "$SPOTCHECK_PG_MAP dbname=postgres" -c "DROP DATABASE $(db_name "$db")"
    awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$dir/time.out"
}
# the database a path stands for (db.c's pg_mapped: sc_ and the FNV-1a hash of the path)
db_name() {
    python3 -c 'import sys
h = 1469598103934665603
for b in sys.argv[1].encode():
    h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
print(f"sc_{h:016x}")' "$1"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

sc_t=() sc_c=() bl_t=() bl_c=()
for ((i = 1; i <= repeat; i++)); do
    if [ -n "$base" ]; then
        t=$(import_targets "$base" "b$i")
        bl_t+=("${t% *}") bl_c+=("${t#* }")
        echo "run $i: baseline ${bl_t[-1]} s (client cpu ${bl_c[-1]} s)" >&2
    fi
    t=$(import_targets "$sc" "s$i")
    sc_t+=("${t% *}") sc_c+=("${t#* }")
    echo "run $i: spotcheck ${sc_t[-1]} s (client cpu ${sc_c[-1]} s)" >&2
done
echo "import of $rows targets into PostgreSQL ($(postgres --version 2>/dev/null || psql --version)) on $(nproc) CPUs; medians of $repeat runs"
printf '%-28s %8s %10s %14s\n' "" "wall s" "rows/s" "client cpu s"
a=$(median "${sc_t[@]}") ac=$(median "${sc_c[@]}")
awk -v r="$rows" -v a="$a" -v c="$ac" 'BEGIN { printf "%-28s %8.2f %10.0f %14.2f\n", "spotcheck import targets", a, r / a, c }'
if [ -n "$base" ]; then
    b=$(median "${bl_t[@]}") bc=$(median "${bl_c[@]}")
    awk -v r="$rows" -v a="$b" -v c="$bc" 'BEGIN { printf "%-28s %8.2f %10.0f %14.2f\n", "baseline (BASELINE)", a, r / a, c }'
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%-28s %7.2fx\n", "ratio spotcheck / baseline", a / b }'
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
