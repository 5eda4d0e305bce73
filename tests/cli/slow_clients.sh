#!/usr/bin/env bash
# Slow clients cannot take the server (issue 17): a real `spotcheck serve`, 300 slow connections from five
# loopback addresses, a normal client that must still log in and load pages in under 1 s (slow_clients.py).
. "$(dirname "$0")/../lib.sh"
db=$TMP/s.db
sc init --db "$db" >/dev/null
printf '行政区划代码,机构名称,上级行政区划代码\n130528,宁晋县医疗保障局,\n' >"$TMP/orgs.csv"
sc import orgs "$TMP/orgs.csv" --db "$db" >/dev/null
echo 'slow-client-test-pw' | sc user add staff --role staff --org 130528 --password-stdin --db "$db" >/dev/null
port=$((20000 + RANDOM % 20000))
"$SPOTCHECK" serve --db "$db" --listen "127.0.0.1:$port" >"$TMP/serve.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
python3 "$(dirname "$0")/slow_clients.py" "$port" staff slow-client-test-pw
rc=$?
kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
grep -c '"GET /' "$TMP/serve.log" | sed 's/^/requests logged: /'
exit $rc
