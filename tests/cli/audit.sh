#!/usr/bin/env bash
# `spotcheck audit verify | list`: exit codes 0 (intact) and 1 (broken) on database files, the
# append-only triggers, tampering with the database directly (tests/lib.sh: dbq) reported at the right row, and the
# documented hash rule: a chain written by the independent Python implementation
# (tools/verify_audit.py) verifies in spotcheck, and both verifiers agree on every break.
. "$(dirname "$0")/../lib.sh"
db=$TMP/a.db
verifier=$SPOTCHECK_ROOT/tools/verify_audit.py
# the independent verifier: on the file itself; on PostgreSQL its verify() over the rows psql reads
pyverify() {
  if ! on_pg; then python3 "$verifier" "$1"; return; fi
  python3 - "$1" "$SPOTCHECK_ROOT/tools" "$SPOTCHECK_ROOT/tests/web" <<'EOF'
import sys
sys.path[:0] = sys.argv[2:4]
import dbtool
from verify_audit import verify
count, bad_id, reason, head = verify(dbtool.reader(sys.argv[1]))
if bad_id is not None:
    print(f"审计日志在第 {bad_id} 条记录处断裂: {reason}")
    sys.exit(1)
print(f"审计日志完整: {count} 条记录")
print(f"最新哈希: {head}")
EOF
}
export -f pyverify
export verifier

check "audit --help exits 0 with usage" bash -c "\"$SPOTCHECK\" audit --help | grep -q 'audit verify'"
check "audit without a subcommand exits 2" expect_exit 2 sc audit
check "audit with an unknown subcommand exits 2" expect_exit 2 sc audit frob
check "audit verify with an unknown option exits 2" expect_exit 2 sc audit verify --db "$db" --bogus
check "audit list with a bad --limit exits 2" expect_exit 2 sc audit list --db "$db" --limit 0
# a missing database (a file; on PostgreSQL the database the path maps to) is an error, never created
check "audit verify of a missing database exits 1" expect_exit 1 sc audit verify --db "$TMP/none.db"
check "... saying so" contains "$TMP/out" "数据库 $TMP/none.db 不存在"
check "... and does not create it" bash -c "! dbexists '$TMP/none.db'"

check "init" expect_exit 0 sc init --db "$db"
check "an empty log is intact" bash -c "\"$SPOTCHECK\" audit verify --db '$db' | grep -qx '审计日志完整: 0 条记录'"

# Appends rows with the Python implementation of the documented rule (independent of the C code).
append_rows() { # db count
  python3 - "$1" "$2" "$SPOTCHECK_ROOT/tools" "$SPOTCHECK_ROOT/tests/web" <<'EOF'
import sys
sys.path[:0] = sys.argv[3:5]
from verify_audit import row_hash, GENESIS
import dbtool
last = dbtool.query(sys.argv[1], "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
prev, next_id = (last[0][1], last[0][0] + 1) if last else (GENESIS, 1)
stmts = []
for k in range(int(sys.argv[2])):
    i = next_id + k
    row = {"id": i, "at": f"2025-03-{1 + i % 28:02d}T08:00:{i % 60:02d}Z",
           "actor": "王丽" if i % 2 else "staff", "org_id": (i % 3) or None,
           "action": "target.update" if i % 4 else "officer.status",
           "entity": "target" if i % 4 else "officer", "entity_id": f"T{i}",
           "before": None if i % 5 == 0 else '{"grade":"A"}', "after": '{"grade":"B","名称":"宁晋县人民医院"}',
           "remote": "" if i == 3 else ("10.0.0.7" if i % 2 else None)}
    row["prev_hash"] = prev
    row["hash"] = prev = row_hash(prev, row)
    cols = ("id", "at", "actor", "org_id", "action", "entity", "entity_id", "before", "after", "remote",
            "prev_hash", "hash")
    stmts.append(dbtool._inline("INSERT INTO audit_log(" + ", ".join(cols) + ") VALUES (" + ", ".join("?" for _ in cols)
                                + ")", tuple(row[c] for c in cols)))
dbtool.execute(sys.argv[1], ";".join(stmts))
EOF
}
check "append 12 rows per docs/AUDIT.md" append_rows "$db" 12
check "audit verify: intact, exit 0" expect_exit 0 sc audit verify --db "$db"
check "... prints the row count" contains "$TMP/out" "审计日志完整: 12 条记录"
check "... and the head hash" bash -c "grep -qx \"最新哈希: \$(dbq '$db' 'SELECT hash FROM audit_log WHERE id = 12')\" '$TMP/out'"
check "the Python verifier agrees" bash -c "pyverify '$db' | grep -qx '审计日志完整: 12 条记录'"

check "audit list shows the newest rows first" bash -c "\"$SPOTCHECK\" audit list --db '$db' --limit 2 | sed -n 2p | grep -q '^12	'"
check "audit list --limit" bash -c "[ \$(\"$SPOTCHECK\" audit list --db '$db' --limit 5 2>/dev/null | wc -l) -eq 6 ]"
check "audit list --actor" bash -c "out=\$(\"$SPOTCHECK\" audit list --db '$db' --actor 王丽); [ \$(echo \"\$out\" | wc -l) -eq 7 ] && ! echo \"\$out\" | grep -q staff"
check "audit list --action prefix" bash -c "[ \$(\"$SPOTCHECK\" audit list --db '$db' --action officer. | wc -l) -eq 4 ]"
check "audit list --full shows before and after" bash -c "\"$SPOTCHECK\" audit list --db '$db' --limit 1 --full | grep -q '变更后: {\"grade\":\"B\",\"名称\":\"宁晋县人民医院\"}'"
check "audit list with a bad date exits 1" expect_exit 1 sc audit list --db "$db" --from 2025-02-30

check "the trigger refuses UPDATE" bash -c "! dbq '$db' \"UPDATE audit_log SET actor = 'x' WHERE id = 3\" 2>/dev/null && [ \"\$(dbq '$db' 'SELECT actor FROM audit_log WHERE id = 3')\" = 王丽 ]"
check "the trigger refuses DELETE" bash -c "! dbq '$db' 'DELETE FROM audit_log WHERE id = 12' 2>/dev/null && [ \$(dbq '$db' 'SELECT count(*) FROM audit_log') -eq 12 ]"
check "still intact" expect_exit 0 sc audit verify --db "$db"

# tamper SQL BAD_ID: on a copy with the triggers dropped, both verifiers report BAD_ID.
tamper() {
  local t=$TMP/t.db
  dbcopy "$db" "$t" || return 1
  dbq "$t" "$(drop_triggers "$t" audit_log_no_update audit_log_no_delete) $1" || return 1
  expect_exit 1 sc audit verify --db "$t" || return 1
  contains "$TMP/out" "审计日志在第 $2 条记录处断裂: " || return 1
  pyverify "$t" >"$TMP/py.out"
  [ $? -eq 1 ] || { echo "python verifier did not fail"; return 1; }
  contains "$TMP/py.out" "审计日志在第 $2 条记录处断裂: "
}
check "changed after detected at row 5" tamper "UPDATE audit_log SET after = '{\"grade\":\"C\"}' WHERE id = 5" 5
check "changed actor detected at row 2" tamper "UPDATE audit_log SET actor = 'mallory' WHERE id = 2" 2
check "changed time detected at row 9" tamper "UPDATE audit_log SET at = '2025-03-11T08:00:10Z' WHERE id = 9" 9
check "'' turned into NULL detected at row 3" tamper "UPDATE audit_log SET remote = NULL WHERE id = 3" 3
check "deleted row 7 detected at row 8" tamper "DELETE FROM audit_log WHERE id = 7" 8
check "swapped rows 10 and 11 detected at row 10" tamper "UPDATE audit_log SET id = 99 WHERE id = 10; UPDATE audit_log SET id = 10 WHERE id = 11; UPDATE audit_log SET id = 11 WHERE id = 99" 10
check "changed prev_hash detected at row 6" tamper "UPDATE audit_log SET prev_hash = (SELECT hash FROM audit_log WHERE id = 1) WHERE id = 6" 6
check "the reason names the broken link" bash -c "grep -q '哈希' '$TMP/out'"
check "the untouched database still verifies" expect_exit 0 sc audit verify --db "$db"
finish
