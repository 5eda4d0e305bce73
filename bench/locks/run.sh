#!/usr/bin/env bash
# bench/locks/run.sh [N] [REPEAT]: locking N rows in one unit on PostgreSQL, batched (db_lock_rows)
# against one statement per row, in the same run (bench_locks.c), on a throwaway cluster started
# by scripts/pgtest.sh. Needs the postgresql package (scripts/deps.sh bench).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
n=${1:-10000} repeat=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
make --no-print-directory build/spotcheck >/dev/null # the library objects the bench links against
cc -std=c17 -D_GNU_SOURCE -O2 -Isrc -o "$work/bench_locks" bench/locks/bench_locks.c \
    $(ls build/src/*/*.o | grep -v '/main\.o$') build/gen/embedded.o \
    -lsqlite3 -lsodium -ljansson -lmicrohttpd -lzip -lexpat -lxlsxwriter -lz -lpq -lm -pthread
SPOTCHECK_ROOT=$root scripts/pgtest.sh "$work/bench_locks" "$work/locks.db" "$n" "$repeat"
