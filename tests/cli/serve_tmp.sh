#!/usr/bin/env bash
# `spotcheck serve` removes the temporary upload and export files a killed server left in /tmp
# (older than an hour), and spares fresh ones another server may be using.
. "$(dirname "$0")/../lib.sh"
db=$TMP/s.db
sc init --db "$db" >/dev/null
# the files stand where the server looks (/tmp, not $TMP); they go with the test whatever happens
old=$(mktemp /tmp/spotcheck-upload-XXXXXX)
fresh=$(mktemp /tmp/spotcheck-export-XXXXXX)
trap 'rm -rf "$TMP" "$old" "$fresh"' EXIT
touch -d '2 hours ago' "$old"
port=$((20000 + RANDOM % 20000))
"$SPOTCHECK" serve --db "$db" --listen "127.0.0.1:$port" >"$TMP/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
check "the stale upload file is removed at start-up" test ! -e "$old"
check "... and said so" contains "$TMP/serve.log" "已清理上次异常退出遗留的临时文件"
check "a fresh temporary file is left alone" test -e "$fresh"
finish
