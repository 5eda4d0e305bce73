# tests/lib.sh - helpers for shell tests: each `check` is one test case; `finish` prints
# "RESULT passed failed" for tests/run.sh and exits non-zero on any failure.
# Environment from tests/run.sh: SPOTCHECK (binary), SPOTCHECK_ROOT (project root).
set -u
: "${SPOTCHECK_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${SPOTCHECK:=$SPOTCHECK_ROOT/build-san/spotcheck}"
. "$SPOTCHECK_ROOT/tests/dblib.sh" # dbq and the other helpers for the test database on either driver
T_PASS=0 T_FAIL=0
TMP=$(mktemp -d /tmp/spotcheck-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
sc() { "$SPOTCHECK" "$@"; }
# check DESCRIPTION COMMAND...: passes when the command exits 0
check() {
  local desc=$1; shift
  if "$@" >"$TMP/.out" 2>&1; then T_PASS=$((T_PASS + 1)); echo "ok   $desc"
  else T_FAIL=$((T_FAIL + 1)); echo "FAIL $desc"; sed 's/^/     /' "$TMP/.out" | tail -n 20; fi
}
# expect_exit CODE COMMAND...: runs the command, output to $TMP/out, succeeds on that exit code
expect_exit() {
  local want=$1; shift
  "$@" >"$TMP/out" 2>&1
  local got=$?
  [ "$got" -eq "$want" ] || { echo "exit $got, expected $want: $*"; cat "$TMP/out"; return 1; }
}
# contains FILE TEXT: the file contains the text
contains() { grep -qF -- "$2" "$1" || { echo "\"$2\" not in $1:"; head -n 30 "$1"; return 1; }; }
lacks() { ! grep -qF -- "$2" "$1" || { echo "\"$2\" unexpectedly in $1"; return 1; }; }
finish() { echo "RESULT $T_PASS $T_FAIL"; [ "$T_FAIL" -eq 0 ]; }

