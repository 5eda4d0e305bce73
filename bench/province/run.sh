#!/usr/bin/env bash
# bench/province/run.sh - the simulated province (issue 18 item 6): builds (once) the province's
# database on SQLite and on PostgreSQL with the program's own import, CLI and HTTP API
# (bench/province/gen.py, provbuild.py), then measures both in one run (measure.py): pages as a
# county's, a city's and the province's staff, and MIXED concurrent clients (80 % reads, 20 %
# writes). Prints the build times and a markdown table (bench/README.md, "A province").
#
#   SCALE=0.01 bench/province/run.sh      # 1 = 10,000,000 targets, 5,000 officers, 170 counties
#   SCALE=0.001 bench/province/run.sh     # a check of the scripts (11 counties): a minute or two
#
# Kept in BENCH_DIR (default ${TMPDIR:-/tmp}/spotcheck-bench-province-SCALE) between runs: the
# generated files, the SQLite database, the PostgreSQL cluster (its data dir, PGTEST_DIR of
# scripts/pgtest.sh) with its database, and each build's meta JSON; delete a *.json to rebuild
# that driver's database (the SQLite file and the PostgreSQL database are dropped first).
# Environment: SPOTCHECK (default build/spotcheck, built with the PG driver), DRIVERS (default
# "sqlite pg"), BUILD_ONLY=1 (build, measure nothing), N1, MIXED, DURATION (measure.py),
# BUILD_THREADS (provbuild.py).
# Needs python3, wrk and the postgresql package (scripts/deps.sh bench). Not part of `make test`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
scale=${SCALE:-0.01}
sc=${SPOTCHECK:-$root/build/spotcheck}
drivers=${DRIVERS:-sqlite pg}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/spotcheck-bench-province-$scale}
[ -x "$sc" ] || { echo "run.sh: $sc not found; build it with make" >&2; exit 2; }
for t in python3 wrk psql; do
    command -v "$t" >/dev/null || { echo "run.sh: $t not found; run scripts/deps.sh bench" >&2; exit 2; }
done
sc=$(cd "$(dirname "$sc")" && pwd)/$(basename "$sc")
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data=$dir/data
if [ ! -s "$data/counties.tsv" ]; then
    echo "generating the province at SCALE=$scale in $data ..." >&2
    t=$SECONDS
    python3 "$root/bench/province/gen.py" "$data" "$scale"
    echo "gen.py: $((SECONDS - t)) s" | tee "$dir/gen.log" >&2
fi
results=()
for drv in $drivers; do
    case $drv in
    sqlite)
        if [ ! -s "$dir/sqlite.json" ]; then
            rm -f "$dir/province.db" "$dir/province.db-wal" "$dir/province.db-shm"
            (cd "$dir" && python3 "$root/bench/province/provbuild.py" "$sc" "$data" "$dir/province.db" \
                "$dir/sqlite.json.tmp" | tee "$dir/sqlite.build.log")
            mv "$dir/sqlite.json.tmp" "$dir/sqlite.json"
        fi
        [ -n "${BUILD_ONLY:-}" ] ||
            python3 "$root/bench/province/measure.py" "$sc" "$dir/sqlite.json" SQLite "$dir/result-sqlite.json"
        ;;
    pg)
        # the cluster stays in $dir/pg (PGTEST_DIR); the database is "province" on its socket
        PGTEST_DIR=$dir/pg bash "$root/scripts/pgtest.sh" bash -c '
            set -euo pipefail
            url="postgresql://$PGUSER@/province?host=$PGHOST"
            if [ ! -s "$0/pg.json" ]; then
                psql -qX -d postgres -c "DROP DATABASE IF EXISTS province" >/dev/null
                (cd "$0" && python3 "$1/bench/province/provbuild.py" "$2" "$0/data" "$url" "$0/pg.json.tmp" \
                    | tee "$0/pg.build.log")
                mv "$0/pg.json.tmp" "$0/pg.json"
            fi
            psql -AtX -d postgres -c "SELECT version()" >"$0/pg.version"
            [ -n "${BUILD_ONLY:-}" ] || python3 "$1/bench/province/measure.py" "$2" "$0/pg.json" PostgreSQL "$0/result-pg.json"
        ' "$dir" "$root" "$sc"
        ;;
    *) echo "run.sh: unknown driver $drv (sqlite, pg)" >&2; exit 2 ;;
    esac
    results+=("$dir/result-$drv.json")
done
[ -n "${BUILD_ONLY:-}" ] || python3 "$root/bench/province/report.py" "${results[@]}"
