#!/usr/bin/env bash
# make run: create ./var/spotcheck.db with demo data on first start, then serve it.
set -euo pipefail
bin=${1:-build/spotcheck}
db=${SPOTCHECK_DB:-./var/spotcheck.db}
listen=${SPOTCHECK_LISTEN:-127.0.0.1:8080}
if [ ! -f "$db" ]; then
  echo "首次启动: 正在创建演示数据库 $db (约需一分钟) ..."
  "$bin" init --demo --db "$db"
fi
exec "$bin" serve --db "$db" --listen "$listen"
