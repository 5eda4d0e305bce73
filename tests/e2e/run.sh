#!/usr/bin/env bash
# Browser tests: Debian's chromium driven by playwright-core against a real `spotcheck serve`
# with the demo data. Prints "RESULT passed failed". Screenshots go to tests/e2e/screenshots/.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${SPOTCHECK:-$root/build-san/spotcheck}
chrome=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chrome" ]; then echo "chromium not found at $chrome (scripts/deps.sh test installs it)"; echo "RESULT 0 1"; exit 1; fi
if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/lunar-javascript" ]; then
  (cd "$here" && npm install --no-audit --no-fund --silent) || { echo "npm install failed"; echo "RESULT 0 1"; exit 1; }
fi
# one day for the server and the scripts (the one clock, SPOTCHECK_TODAY): fixed unless given, or the
# wall clock's under tests/cli/faketime.sh
if [ -z "${SPOTCHECK_TODAY:-}" ]; then
  if [ "${SPOTCHECK_TEST_WALLCLOCK:-}" = 1 ]; then SPOTCHECK_TODAY=$(date +%F); else SPOTCHECK_TODAY=2026-06-15; fi
fi
export SPOTCHECK_TODAY
tmp=$(mktemp -d /tmp/spotcheck-e2e.XXXXXX)
db=$tmp/e2e.db
"$bin" init --demo --db "$db" >"$tmp/init.log" 2>&1 || { cat "$tmp/init.log"; echo "RESULT 0 1"; exit 1; }
port=$((20000 + RANDOM % 20000))
# The server's clock is Debian's libfaketime reading a file, so a script can move the day while the
# server runs (the draw must wait for the lottery the freeze named): CLOCK_FILE holds the bureau's
# local time. ASan wants to be loaded first; libfaketime comes before it through LD_PRELOAD.
export CLOCK_FILE=$tmp/clock.txt
echo "$SPOTCHECK_TODAY 09:00:00" >"$CLOCK_FILE"
faketime_lib=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -n 1)
if [ -z "$faketime_lib" ]; then echo "libfaketime not found (scripts/deps.sh test installs faketime)"; echo "RESULT 0 1"; exit 1; fi
SPOTCHECK_TODAY= TZ=CST-8 LD_PRELOAD=$faketime_lib FAKETIME_TIMESTAMP_FILE=$CLOCK_FILE FAKETIME_NO_CACHE=1 \
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:verify_asan_link_order=0" \
  "$bin" serve --db "$db" --listen "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
pid=$!
cleanup() { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.2
done
mkdir -p "$here/screenshots"
BASE="http://127.0.0.1:$port" CHROMIUM="$chrome" SHOTS="$here/screenshots" TMPDIR="$tmp" \
  node "$here/e2e.mjs" | tee "$tmp/e2e.out"
rc=${PIPESTATUS[0]}
# e2e.mjs moved the server's clock three days on, past the lottery its draw waited for
export SPOTCHECK_TODAY=$(cut -c1-10 "$CLOCK_FILE")
# the record form continues on the task e2e.mjs drew: the officer account becomes a member of one
# of its groups (as an administrator would link it)
. "$root/tests/dblib.sh" # dbq: the database on either driver
dbq "$db" "UPDATE account SET officer_id = (SELECT o.id FROM draw_member m JOIN draw d ON d.id = m.draw_id
  JOIN officer o ON o.cert_no = m.member_code WHERE d.status = '已抽取' AND m.status = '在组' AND m.role <> '专家'
  ORDER BY d.id DESC, m.target_code LIMIT 1) WHERE username = 'officer'" || rc=1
BASE="http://127.0.0.1:$port" CHROMIUM="$chrome" SHOTS="$here/screenshots" TMPDIR="$tmp" \
  node "$here/e2e_record.mjs" | tee "$tmp/e2e_record.out"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
# from review to closure, starting from the record e2e_record.mjs submitted
BASE="http://127.0.0.1:$port" CHROMIUM="$chrome" SHOTS="$here/screenshots" TMPDIR="$tmp" \
  node "$here/e2e_closure.mjs" | tee "$tmp/e2e_closure.out"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
# each point of issue 16 at 1366 and 390 px, on what the scripts above left
BASE="http://127.0.0.1:$port" CHROMIUM="$chrome" SHOTS="$here/screenshots" TMPDIR="$tmp" \
  node "$here/e2e_points.mjs" | tee "$tmp/e2e_points.out"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
# one RESULT line for all scripts (tests/run.sh reads the last one)
cat "$tmp/e2e.out" "$tmp/e2e_record.out" "$tmp/e2e_closure.out" "$tmp/e2e_points.out" | awk '/^RESULT [0-9]+ [0-9]+$/ { p += $2; f += $3 } END { print "RESULT", p + 0, f + 0 }'
kill -TERM "$pid" 2>/dev/null
wait "$pid"
src=$?
if [ "$src" -ne 0 ]; then echo "server exited with $src after SIGTERM"; tail -n 20 "$tmp/server.log"; rc=1; fi
grep -q '"GET /login' "$tmp/server.log" || { echo "no request log lines"; rc=1; }
exit $rc
