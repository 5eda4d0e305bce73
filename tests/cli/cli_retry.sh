#!/usr/bin/env bash
# The command line's unit-of-work runner (main.c, uow.h): a command whose unit of work another
# transaction cancelled (a deadlock, PostgreSQL) before anything of it committed runs again, from
# the same arguments and standard input, and commits once. Provoked for real on PostgreSQL: a psql
# session holds the audit chain's head lock (db_lock("audit_log", 0): the advisory lock a unit takes
# for its audit row, its last write), `spotcheck record save ID --file -` locks record ID and waits for
# the head, the session then asks for record ID: each waits for the other. The session's
# deadlock_timeout is long, so the server cancels the command's statement (40P01); the session then
# gets the row, commits, and the command's second attempt saves. Checked: exit 0, the retry said on
# stderr, the record's version moved by one with the text of the save, one audit row record.save,
# `audit verify` clean. On SQLite (one writer at a time, no deadlock) the same save from stdin runs
# once.
. "$(dirname "$0")/../lib.sh"

# the fixture's directory outlives the Python process that made it (SPOTCHECK_KEEP_TMP); removed at exit
db=$(cd "$SPOTCHECK_ROOT/tests/web" && SPOTCHECK=$SPOTCHECK SPOTCHECK_KEEP_TMP=1 python3 -c 'from fixture_drawn import drawn_db; print(drawn_db()["db"])' 2>"$TMP/fixture.err")
case "$db" in */spotcheck-web-*/s.db) trap 'rm -rf "$TMP" "$(dirname "$db")"' EXIT ;; esac
check "fixture: a drawn task" bash -c "[ -n '$db' ] && dbexists '$db'"

rid=$(dbq "$db" "INSERT INTO record(task_id, draw_id, org_id, target_code) SELECT t.id, d.id, t.org_id, 'XX-RETRY' FROM draw d JOIN task t ON t.code = d.task_code WHERE d.status = '已抽取' ORDER BY d.id LIMIT 1 RETURNING id" | head -n 1)
check "a record to save" test -n "$rid"
v0=$(dbq "$db" "SELECT version FROM record WHERE id = $rid")

echo "{\"version\": $v0, \"remarks\": \"retried-save\"}" >"$TMP/in.json"
if on_pg; then
  # the head lock's keys as db.c's db_lock makes them: FNV-1a of "audit_log" folded to 32 bits, key 0
  head=$(python3 -c 'h = 1469598103934665603
for c in b"audit_log": h = ((h ^ c) * 1099511628211) % 2**64
v = (h ^ (h >> 32)) % 2**32
print(v - 2**32 if v >= 2**31 else v)')
  pg_psql "$(pg_name "$db")" -f - >"$TMP/holder.out" 2>&1 <<SQL &
SET deadlock_timeout = '60s';
BEGIN;
SELECT pg_advisory_xact_lock($head, 0);
\! touch $TMP/held
DO \$\$ BEGIN
  FOR i IN 1..600 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database()));
    PERFORM pg_sleep(0.05);
  END LOOP;
END \$\$;
SELECT id FROM record WHERE id = $rid FOR UPDATE;
COMMIT;
SQL
  holder=$!
  for _ in $(seq 200); do [ -e "$TMP/held" ] && break; sleep 0.05; done
  check "the session holds the audit chain's head" test -e "$TMP/held"
  check "record save from stdin exits 0 although its first attempt was cancelled by a deadlock" \
    expect_exit 0 sc record save "$rid" --file - --db "$db" <"$TMP/in.json"
  cp "$TMP/out" "$TMP/save.out"
  wait "$holder"
  # the runner says so only after a statement failed with DBE_CONFLICT (40P01/40001) and nothing committed
  check "... the deadlock cancelled the first attempt and the runner ran it again" \
    contains "$TMP/save.out" "与其他事务冲突（死锁），未写入任何数据，重试（第 2 次）"
  check "... and saved once" contains "$TMP/save.out" "检查记录 $rid 已保存（第 $((v0 + 1)) 版）"
  check "the other session got the row after the cancelled attempt" bash -c "grep -qx '$rid' '$TMP/holder.out'"
else
  check "record save from stdin exits 0 (SQLite: one writer at a time, nothing to retry)" \
    expect_exit 0 sc record save "$rid" --file - --db "$db" <"$TMP/in.json"
  check "... without a retry" lacks "$TMP/out" "重试"
fi
check "the record moved one version, with the save's text" \
  bash -c "[ \"\$(dbq '$db' \"SELECT version || ' ' || remarks FROM record WHERE id = $rid\")\" = '$((v0 + 1)) retried-save' ]"
check "one audit row record.save" bash -c "[ \"\$(dbq '$db' \"SELECT count(*) FROM audit_log WHERE action = 'record.save' AND entity_id = '$rid'\")\" = 1 ]"
check "audit verify: one chain" expect_exit 0 sc audit verify --db "$db"
finish
