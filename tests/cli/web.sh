#!/usr/bin/env bash
# Route tests and the permission matrix through `spotcheck test-http` (tests/web/*.py).
set -u
cd "$(dirname "$0")/../web"
out=$(mktemp)
rc=0
# The scripts take "today" when they start and the server dates what it does when it does it; a
# script that ran across midnight would see two days. No script takes 3 minutes, so one that would
# start in the last 3 minutes of a day waits for the next.
before_midnight() { local h m sec; read -r h m sec < <(date '+%H %M %S'); echo $((86400 - 10#$h * 3600 - 10#$m * 60 - 10#$sec)); }
for t in test_*.py; do
  left=$(before_midnight)
  [ "$left" -lt 180 ] && sleep $((left + 2))
  python3 "$t" >>"$out" 2>&1 || rc=1
done
grep -v '^RESULT' "$out"
awk '/^RESULT/ {p += $2; f += $3} END {print "RESULT " p + 0 " " f + 0}' "$out"
rm -f "$out"
exit $rc
