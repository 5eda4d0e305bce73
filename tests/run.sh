#!/usr/bin/env bash
# Runs every test and ends with one line "N passed, N failed".
#   unit tests:  BUILD/tests/test_*      (each prints "RESULT p f")
#   fuzz replay: BUILD/fuzz/*-replay over tests/fuzz/corpus/<name>/
#   cli tests:   tests/cli/*.sh          (one test each; pass = exit 0)
#   e2e tests:   tests/e2e/run.sh        (prints "RESULT p f"), when present
# Environment: SLOW=1 also runs the slow tier; ONLY=pattern runs matching tests.
set -uo pipefail
build=${1:-build-san}
root=$(cd "$(dirname "$0")/.." && pwd)
export SPOTCHECK="$root/$build/spotcheck" SPOTCHECK_ROOT="$root" BUILD="$build"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0 failed=0 failures=()
log=$(mktemp -d)
tally() { # name, output file, exit code
  local r
  r=$(grep -E '^RESULT [0-9]+ [0-9]+$' "$2" | tail -n 1)
  if [ -n "$r" ]; then
    set -- "$1" "$2" "$3" $r
    passed=$((passed + $5)); failed=$((failed + $6))
    if [ "$6" -gt 0 ] || [ "$3" -ne 0 ]; then
      [ "$6" -eq 0 ] && failed=$((failed + 1))
      failures+=("$1"); echo "---- $1 (exit $3)"; grep -v '^ok ' "$2" | tail -n 40
    fi
  elif [ "$3" -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); failures+=("$1"); echo "---- $1 (exit $3)"; tail -n 40 "$2"
  fi
}
run_one() { # name, command...
  local name=$1; shift
  [ -n "${ONLY:-}" ] && [[ "$name" != *$ONLY* ]] && return
  local out="$log/$(echo "$name" | tr '/ ' '__').out" start=$SECONDS
  (cd "$root" && "$@") >"$out" 2>&1
  local rc=$?
  tally "$name" "$out" "$rc"
  printf '%-44s %s (%ss)\n' "$name" "$([ $rc -eq 0 ] && echo ok || echo FAIL)" $((SECONDS - start))
}
for t in "$root/$build"/tests/test_*; do
  [ -x "$t" ] && run_one "unit/$(basename "$t")" "$t"
done
for f in "$root/$build"/fuzz/*-replay; do
  [ -x "$f" ] || continue
  n=$(basename "$f" -replay)
  run_one "fuzz/$n" "$f" "$root/tests/fuzz/corpus/$n"
done
for s in "$root"/tests/cli/*.sh; do
  [ -f "$s" ] && run_one "cli/$(basename "$s" .sh)" bash "$s"
done
if [ -x "$root/tests/e2e/run.sh" ]; then
  run_one "e2e" "$root/tests/e2e/run.sh"
fi
if [ ${#failures[@]} -gt 0 ]; then echo "failed: ${failures[*]}"; fi
rm -rf "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
