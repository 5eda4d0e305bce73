#!/usr/bin/env bash
# New rows whose rule is a uniqueness (issue 18 item 3): on PostgreSQL a new account is a row unit
# (account.c's begin_new: the linked officer's row, then the user name as the database folds it), so
# it is created while other row units are in flight, and two creations of one name, in any case,
# still give one account and a clear answer to the other. Checked:
#   - (PostgreSQL) a psql session holds the write lock's shared side as a row unit in flight does
#     (pg_advisory_xact_lock_shared of db_pg.c's PG_WRITE_LOCK); `user add` completes within 8 s
#     while it is held (the session sees the account before it lets go): an exclusive unit would
#     wait for it (lock_timeout 10 s) and fail busy;
#   - 8 creations of one name in different cases and 4 of other names, all at once: exactly one of
#     the 8 is created, the 7 others say "已存在" (never a database error), the 4 are created, one
#     audit row user.create each, `audit verify` clean. On SQLite the same (one writer at a time).
. "$(dirname "$0")/../lib.sh"

db=$TMP/n.db
printf '行政区划代码,机构名称,上级行政区划代码\n130528,宁晋县医疗保障局,\n' >"$TMP/orgs.csv"
check "init and an org" bash -c "'$SPOTCHECK' init --db '$db' >/dev/null && '$SPOTCHECK' import orgs '$TMP/orgs.csv' --db '$db' >/dev/null"
add() { echo "spotcheck-demo-pw" | "$SPOTCHECK" user add "$1" --role staff --org 130528 --password-stdin --db "$db"; }

if on_pg; then
  pg_psql "$(pg_name "$db")" -f - >"$TMP/holder.out" 2>&1 <<SQL &
BEGIN;
SELECT pg_advisory_xact_lock_shared(32493246318078059);
\! touch $TMP/held
DO \$\$ BEGIN
  FOR i IN 1..600 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM account WHERE username = 'beside');
    PERFORM pg_sleep(0.05);
  END LOOP;
END \$\$;
SELECT CASE WHEN EXISTS (SELECT 1 FROM account WHERE username = 'beside') THEN 'saw-beside' ELSE 'no-beside' END;
COMMIT;
SQL
  holder=$!
  for _ in $(seq 200); do [ -e "$TMP/held" ] && break; sleep 0.05; done
  check "a session holds the write lock's shared side (a row unit in flight)" test -e "$TMP/held"
  check "user add completes beside it (a row unit, not an exclusive one)" expect_exit 0 timeout 60 bash -c "$(declare -f add); SPOTCHECK='$SPOTCHECK' db='$db' add beside"
  wait "$holder"
  check "... committed while the session held it (the session saw the account before it ended)" contains "$TMP/holder.out" saw-beside
else
  check "user add (SQLite: one writer at a time)" expect_exit 0 add beside
fi

pids=()
i=0
for name in same SAME Same sAme saMe samE SaMe sAmE other1 other2 other3 other4; do
  i=$((i + 1))
  (add "$name" >"$TMP/add.$i" 2>&1; echo $? >"$TMP/rc.$i") &
  pids+=($!)
done
wait "${pids[@]}"
created=0 exists=0
for i in $(seq 8); do
  if [ "$(cat "$TMP/rc.$i")" = 0 ]; then created=$((created + 1))
  elif grep -q "已存在" "$TMP/add.$i"; then exists=$((exists + 1))
  else echo "creation $i: exit $(cat "$TMP/rc.$i")"; cat "$TMP/add.$i"; fi
done
check "one of 8 creations of one name (any case) is created" test "$created" = 1
check "... the 7 others are told the name exists" test "$exists" = 7
check "... and none saw a database error" bash -c "! grep -l '创建用户失败' $TMP/add.*"
check "the 4 other names are created" bash -c "for i in 9 10 11 12; do [ \"\$(cat $TMP/rc.\$i)\" = 0 ] || exit 1; done"
check "one account of that name" test "$(dbq "$db" "SELECT count(*) FROM account WHERE lower(username) = 'same'")" = 1
check "one audit row user.create per account" test "$(dbq "$db" "SELECT count(*) FROM audit_log WHERE action = 'user.create'")" = 6
check "audit verify: one chain" expect_exit 0 sc audit verify --db "$db"
finish
