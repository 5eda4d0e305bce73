#!/usr/bin/env bash
# Every C file is formatted as .clang-format says (issue 14 item 6): clang-format 14 (Debian's, which
# scripts/deps.sh installs for tests; another major version formats some constructs differently) finds
# nothing to change; and the check finds a file that is not.
. "$(dirname "$0")/../lib.sh"
cd "$SPOTCHECK_ROOT" || exit 1
cf=$(command -v clang-format-14 || true)
check "clang-format 14 is installed (scripts/deps.sh test)" test -n "$cf"
[ -n "$cf" ] || finish
mapfile -t files < <(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c' 'tests/unit/*.h' 'tests/fuzz/*.c' 'bench/*.c' 'tools/*.c' 2>/dev/null ||
                     find src tests/unit tests/fuzz bench tools -name '*.[ch]')
check "the file list is not empty" test "${#files[@]}" -gt 100
check "every C file is formatted (clang-format-14 --dry-run -Werror)" "$cf" --dry-run -Werror "${files[@]}"
printf 'int  main( void ){return 0 ;}\n' >"$TMP/bad.c"
cp .clang-format "$TMP/"
check "... and the check finds one that is not" expect_exit 1 "$cf" --dry-run -Werror "$TMP/bad.c"
finish
