#!/usr/bin/env bash
# Browser tests: Debian's chromium driven by playwright-core against a real `spotcheck serve`
# with the demo data. Prints "RESULT passed failed". Screenshots go to tests/e2e/screenshots/.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${SPOTCHECK:-$root/build-san/spotcheck}
chrome=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chrome" ]; then echo "chromium not found at $chrome (scripts/deps.sh test installs it)"; echo "RESULT 0 1"; exit 1; fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  (cd "$here" && npm install --no-audit --no-fund --silent) || { echo "npm install failed"; echo "RESULT 0 1"; exit 1; }
fi
tmp=$(mktemp -d /tmp/spotcheck-e2e.XXXXXX)
db=$tmp/e2e.db
"$bin" init --demo --db "$db" >"$tmp/init.log" 2>&1 || { cat "$tmp/init.log"; echo "RESULT 0 1"; exit 1; }
port=$((20000 + RANDOM % 20000))
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
  node "$here/e2e.mjs"
rc=$?
kill -TERM "$pid" 2>/dev/null
wait "$pid"
src=$?
if [ "$src" -ne 0 ]; then echo "server exited with $src after SIGTERM"; tail -n 20 "$tmp/server.log"; rc=1; fi
grep -q '"GET /login' "$tmp/server.log" || { echo "no request log lines"; rc=1; }
exit $rc
