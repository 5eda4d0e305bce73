#!/usr/bin/env bash
# make run: create ./var/spotcheck.db with demo data on first start, then serve it.
set -euo pipefail
bin=${1:-build/spotcheck}
db=${SPOTCHECK_DB:-./var/spotcheck.db}
listen=${SPOTCHECK_LISTEN:-127.0.0.1:8080}
if [ ! -f "$db" ]; then
  echo "首次启动: 正在创建演示数据库 $db ..."
  "$bin" init --demo --db "$db"
fi
echo
echo "  地址:     http://$listen/"
echo "  演示账号: staff（检查科室）、leader（分管领导）、officer（执法人员）、joint（联合部门）、"
echo "            supervisor（监督）、admin（系统管理员），密码均为 spotcheck-demo"
echo "  公开门户: http://$listen/public/"
echo
exec "$bin" serve --db "$db" --listen "$listen"
