#!/usr/bin/env bash
# `spotcheck serve` removes the temporary upload and export files a killed server left in /tmp
# (older than an hour), and spares fresh ones another server may be using.
. "$(dirname "$0")/../lib.sh"
db=$TMP/s.db
sc init --db "$db" >/dev/null
# the files stand where the server looks (/tmp, not $TMP); they go with the test whatever happens.
# Any server started meanwhile (the suite runs tests side by side) sweeps /tmp too and may take the
# stale file first: then this server had nothing to say, and the scenario runs again with a new one.
old='' # a new stale file each attempt, below
fresh=$(mktemp /tmp/spotcheck-export-XXXXXX)
trap 'rm -rf "$TMP" "$old" "$fresh"' EXIT
for attempt in 1 2 3; do
  old=$(mktemp /tmp/spotcheck-upload-XXXXXX)
  touch -d '2 hours ago' "$old"
  port=$((20000 + RANDOM % 20000))
  "$SPOTCHECK" serve --db "$db" --listen "127.0.0.1:$port" >"$TMP/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do grep -q '正在监听' "$TMP/serve.log" && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  grep -q "已清理上次异常退出遗留的临时文件" "$TMP/serve.log" && break
  rm -f "$old"
done
check "the stale upload file is removed at start-up" test ! -e "$old"
check "... and said so" contains "$TMP/serve.log" "已清理上次异常退出遗留的临时文件"
check "a fresh temporary file is left alone" test -e "$fresh"
finish
