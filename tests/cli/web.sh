#!/usr/bin/env bash
# Route tests and the permission matrix through `spotcheck test-http` (tests/web/*.py). A script
# that needs a date pins it (webtest.pin_today: SPOTCHECK_TODAY), so none depends on the day it
# runs or on midnight passing while it runs. tests/run.sh queues the scripts one by one instead; this
# runs them one after another (`scripts/pgtest.sh bash tests/cli/web.sh` on PostgreSQL).
set -u
cd "$(dirname "$0")/../web"
out=$(mktemp)
rc=0
driver=sqlite
[ -n "${SPOTCHECK_PG_MAP:-}" ] && driver=postgresql # under scripts/pgtest.sh
for t in test_*.py; do
  python3 "$t" >>"$out" 2>&1 || { rc=1; echo "FAIL [$driver] web/$t" >>"$out"; }
done
grep -v '^RESULT' "$out"
awk '/^RESULT/ {p += $2; f += $3} END {print "RESULT " p + 0 " " f + 0}' "$out"
rm -f "$out"
exit $rc
