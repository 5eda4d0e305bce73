#!/usr/bin/env bash
# bench/import/run.sh - the import benchmark (issue 2, item 8): `spotcheck import targets` of a
# generated CSV of ROWS targets (default 1,000,000) against the sqlite3 shell's `.import` of the
# same file into a plain table, in the same run, on the same disk, each into a fresh database.
# Each side runs REPEAT times (default 3, interleaved); the table shows the medians of wall time
# and of CPU time (user + system), rows/s and the ratio spotcheck / sqlite3.
#
#   bench/import/run.sh [ROWS]
#
# Environment: SPOTCHECK (default build/spotcheck, the release build from `make`), SQLITE3
# (default sqlite3), BENCH_DIR (work directory, default ${TMPDIR:-/tmp}/spotcheck-bench-import;
# the generated file is kept there and reused), REPEAT (default 3), BASELINE (another spotcheck
# binary, e.g. a build of an earlier commit: run interleaved with the others, its medians shown
# too, so a change is measured against its base under the same load), SCHEMA_PEER (default 1;
# 0 skips it: a second shell peer, `.import` into the plain table in a WAL database followed by
# the work spotcheck's schema asks of SQLite: the same unique and secondary indexes and the
# trigram search index of sql/033/046 over the same rows, built after the load, each statement its
# own transaction as the shell runs them; so the ratio to it is the cost of spotcheck's own
# parsing, checks and bookkeeping, like for like, while the ratio to the plain table, the goal of
# issue 15, also counts the indexes that the plain table does not have).
# Not part of `make test`: a full run takes a few minutes and needs ~1 GB of disk.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-1000000}
repeat=${REPEAT:-3}
sc=${SPOTCHECK:-$root/build/spotcheck}
sq=${SQLITE3:-sqlite3}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/spotcheck-bench-import}

[ -x "$sc" ] || { echo "run.sh: $sc not found; build it with make" >&2; exit 2; }
command -v "$sq" >/dev/null || { echo "run.sh: $sq not found (apt-get install sqlite3)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "run.sh: python3 not found" >&2; exit 2; }
case $rows in '' | *[!0-9]*) echo "usage: run.sh [ROWS]" >&2; exit 2 ;; esac

data=$dir/data-$rows
mkdir -p "$data"
if [ ! -s "$data/targets.csv" ] || [ "$root/bench/import/gen.py" -nt "$data/targets.csv" ]; then
    echo "generating $rows targets in $data ..." >&2
    python3 "$root/bench/import/gen.py" "$data" "$rows"
fi
csv=$data/targets.csv

# The plain table has one TEXT column per CSV column; .import does no checks and no indexes.
plain_ddl='CREATE TABLE plain(kind TEXT, code TEXT, name TEXT, uscc TEXT, mi_code TEXT,
  id_number TEXT, code_override TEXT, org TEXT, region TEXT, address TEXT, grade TEXT, tags TEXT,
  registered_on TEXT, complaints TEXT, status TEXT, status_reason TEXT, last_checked_on TEXT);'

# The schema peer: the plain table in WAL mode, then after the load what spotcheck's target table
# carries: UNIQUE(code) (insured rows have no code in the file: spotcheck derives theirs), the
# index on (org, kind), the unique ID number of insured persons, and the trigram index of names
# and addresses of everyone but insured persons (external content, no column sizes).
schema_after="CREATE UNIQUE INDEX plain_code ON plain(code) WHERE code <> '';
CREATE INDEX plain_org_kind ON plain(org, kind);
CREATE UNIQUE INDEX plain_insured_id ON plain(id_number) WHERE kind = '参保人';
CREATE VIEW plain_searchable AS SELECT rowid, name, address FROM plain WHERE kind <> '参保人';
CREATE VIRTUAL TABLE plain_search USING fts5(name, address, content = 'plain_searchable',
  content_rowid = 'rowid', tokenize = 'trigram', columnsize = 0);
INSERT INTO plain_search(plain_search) VALUES ('rebuild');"

# timed CMD...: runs CMD (its output to $dir/cmd.out) and prints "wall cpu" in seconds, cpu being
# the user + system time of the command; on failure shows the output and stops the benchmark.
timed() {
    local TIMEFORMAT='%R %U %S' rc=0
    { time "$@" >"$dir/cmd.out" 2>&1 || rc=$?; } 2>"$dir/time.out"
    if [ "$rc" -ne 0 ]; then
        echo "run.sh: $* failed (exit $rc):" >&2
        tail -20 "$dir/cmd.out" >&2
        return 1
    fi
    awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$dir/time.out"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
rm_db() { rm -f "$1" "$1-wal" "$1-shm" "$1-journal"; }

base=${BASELINE:-}
[ -z "$base" ] || [ -x "$base" ] || { echo "run.sh: BASELINE $base not found" >&2; exit 2; }

# import_targets BINARY: "wall cpu" of its import of the file into a fresh database
import_targets() {
    local db=$dir/spotcheck.db t n
    rm_db "$db"
    "$1" import orgs "$data/orgs.csv" --db "$db" >/dev/null
    "$1" import tags "$data/tags.csv" --db "$db" >/dev/null
    sync
    t=$(timed "$1" import targets "$csv" --db "$db") || return 1
    n=$("$sq" "$db" 'SELECT count(*) FROM target')
    [ "$n" -eq "$rows" ] || { echo "run.sh: $1 imported $n rows, not $rows" >&2; return 1; }
    rm_db "$db"
    echo "$t"
}

# shell_import SETUP [AFTER]: "wall cpu" of the shell's .import of the file into a fresh database
# made by the SQL SETUP, followed by the SQL AFTER in the same timed command
shell_import() {
    local db=$dir/plain.db t n
    rm_db "$db"
    "$sq" "$db" "$1" >/dev/null
    sync
    t=$(timed "$sq" "$db" ".import --csv --skip 1 '$csv' plain" ${2:+"$2"}) || return 1
    n=$("$sq" "$db" 'SELECT count(*) FROM plain')
    [ "$n" -eq "$rows" ] || { echo "run.sh: sqlite3 imported $n rows, not $rows" >&2; return 1; }
    rm_db "$db"
    echo "$t"
}

schema_peer=${SCHEMA_PEER:-1}
sc_times=() sq_times=() sc_cpu=() sq_cpu=() bl_times=() bl_cpu=() ss_times=() ss_cpu=()
for ((i = 1; i <= repeat; i++)); do
    if [ -n "$base" ]; then
        t=$(import_targets "$base") || exit 1
        bl_times+=("${t% *}")
        bl_cpu+=("${t#* }")
        echo "run $i: baseline ${bl_times[-1]} s (cpu ${bl_cpu[-1]} s)" >&2
    fi
    t=$(import_targets "$sc") || exit 1
    sc_times+=("${t% *}")
    sc_cpu+=("${t#* }")

    t=$(shell_import "$plain_ddl") || exit 1
    sq_times+=("${t% *}")
    sq_cpu+=("${t#* }")
    echo "run $i: spotcheck ${sc_times[-1]} s (cpu ${sc_cpu[-1]} s), sqlite3 .import ${sq_times[-1]} s (cpu ${sq_cpu[-1]} s)" >&2

    if [ "$schema_peer" = 1 ]; then
        t=$(shell_import "PRAGMA journal_mode = WAL; $plain_ddl" "$schema_after") || exit 1
        ss_times+=("${t% *}")
        ss_cpu+=("${t#* }")
        echo "run $i: sqlite3 .import + indexes ${ss_times[-1]} s (cpu ${ss_cpu[-1]} s)" >&2
    fi
done

sc_med=$(median "${sc_times[@]}") sc_cmed=$(median "${sc_cpu[@]}")
sq_med=$(median "${sq_times[@]}") sq_cmed=$(median "${sq_cpu[@]}")
size=$(du -k "$csv" | awk '{ printf "%.0f", $1 / 1024 }')
echo "import of $rows targets ($size MB CSV) on $(nproc) CPUs; medians of $repeat runs"
awk -v rows="$rows" -v a="$sc_med" -v b="$sq_med" -v ac="$sc_cmed" -v bc="$sq_cmed" 'BEGIN {
    printf "%-31s %8s %10s %8s %10s\n", "", "wall s", "rows/s", "cpu s", "rows/cpu-s"
    printf "%-31s %8.2f %10.0f %8.2f %10.0f\n", "spotcheck import targets", a, rows / a, ac, rows / ac
    printf "%-31s %8.2f %10.0f %8.2f %10.0f\n", "sqlite3 .import (plain table)", b, rows / b, bc, rows / bc
    printf "%-31s %7.2fx %10s %7.2fx\n", "ratio spotcheck / sqlite3", a / b, "", ac / bc
}'
if [ -n "$base" ]; then
    bl_med=$(median "${bl_times[@]}") bl_cmed=$(median "${bl_cpu[@]}")
    awk -v rows="$rows" -v a="$bl_med" -v b="$sq_med" -v ac="$bl_cmed" -v bc="$sq_cmed" 'BEGIN {
    printf "%-31s %8.2f %10.0f %8.2f %10.0f\n", "baseline (BASELINE)", a, rows / a, ac, rows / ac
    printf "%-31s %7.2fx %10s %7.2fx\n", "ratio baseline / sqlite3", a / b, "", ac / bc
}'
fi
if [ "$schema_peer" = 1 ]; then
    ss_med=$(median "${ss_times[@]}") ss_cmed=$(median "${ss_cpu[@]}")
    awk -v rows="$rows" -v a="$sc_med" -v b="$ss_med" -v ac="$sc_cmed" -v bc="$ss_cmed" 'BEGIN {
    printf "%-31s %8.2f %10.0f %8.2f %10.0f\n", "sqlite3 .import + same indexes", b, rows / b, bc, rows / bc
    printf "%-31s %7.2fx %10s %7.2fx\n", "ratio spotcheck / that", a / b, "", ac / bc
}'
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
