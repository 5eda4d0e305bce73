#!/usr/bin/env bash
# The tests on PostgreSQL (issue 18): run inside scripts/pgtest.sh (a throwaway cluster, and
# SPOTCHECK_PG_MAP, which turns each test's database file into a database of its own there), so
# unit, CLI and web tests written for SQLite files run unchanged. `make test-pg` runs the tests
# listed in tests/pg.list (those that pass on PostgreSQL; the file says why the others do not);
# ALL=1 runs every unit, web and CLI test instead, to see what passes now.
# Usage: scripts/pgtest.sh tests/run_pg.sh [BUILD]      Ends with "N passed, N failed".
# Environment: TEST_JOBS=N (default 2), ONLY=pattern, SPOTCHECK_PG_TRACE=FILE (db_pg.c: every
# failing statement and its error).
set -uo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${SPOTCHECK_PG_MAP:-}" ]; then
  echo "run_pg: run me under scripts/pgtest.sh" >&2
  exit 2
fi
export SPOTCHECK="$root/$build/spotcheck" SPOTCHECK_ROOT="$root"
jobs=${TEST_JOBS:-2}
tests=()
if [ -n "${ALL:-}" ]; then
  for t in "$root/$build"/tests/test_*; do [[ $t == *.d ]] || tests+=("unit/$(basename "$t")"); done
  for t in "$root"/tests/web/test_*.py; do tests+=("web/$(basename "$t")"); done
  for t in "$root"/tests/cli/*.sh; do
    n=$(basename "$t")
    [ "$n" = web.sh ] || tests+=("cli/$n")
  done
else
  while read -r t _; do
    [[ -z $t || $t == \#* ]] || tests+=("$t")
  done <"$root/tests/pg.list"
fi
log=$(mktemp -d)
run_one() { # name
  local t=$1
  case $t in
    unit/*) (cd "$root" && timeout 600 "$root/$build/tests/${t#unit/}") ;;
    web/*) (cd "$root/tests/web" && timeout 600 python3 "${t#web/}") ;;
    cli/*) (cd "$root" && timeout 600 bash "$root/tests/cli/${t#cli/}") ;;
  esac
}
running=0
for i in "${!tests[@]}"; do
  t=${tests[$i]}
  [ -n "${ONLY:-}" ] && [[ $t != *$ONLY* ]] && continue
  (
    start=$SECONDS
    run_one "$t" >"$log/$i.out" 2>&1
    echo $? >"$log/$i.rc"
    echo $((SECONDS - start)) >"$log/$i.sec"
  ) &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait
passed=0 failed=0
for i in "${!tests[@]}"; do
  [ -f "$log/$i.rc" ] || continue
  rc=$(cat "$log/$i.rc")
  r=$(grep -E '^RESULT [0-9]+ [0-9]+$' "$log/$i.out" | tail -n 1)
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    printf '%-36s ok   (%ss) %s\n' "${tests[$i]}" "$(cat "$log/$i.sec")" "$r"
  else
    failed=$((failed + 1))
    printf '%-36s FAIL (%ss) %s\n' "${tests[$i]}" "$(cat "$log/$i.sec")" "$r"
    [ -n "${ALL:-}" ] || grep -v '^ok' "$log/$i.out" | tail -n 15 | sed 's/^/    /'
  fi
done
rm -rf "$log"
echo "postgresql: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
