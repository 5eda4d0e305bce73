#!/usr/bin/env bash
# `spotcheck plan import | export`: the seed's 附件2 table imports as is from the command line, with
# its audit row; a second import of the same number is refused and writes nothing; the export
# (CSV and XLSX) imports again into a fresh database with the same task row.
. "$(dirname "$0")/../lib.sh"
db=$TMP/p.db
seed=$SPOTCHECK_ROOT/tests/data/plan/seed_000_plan.csv
q() { dbq "$db" "$1"; }
# the imported plan's rows (the demo has a plan of its own)
seed_plan="version_id IN (SELECT v.id FROM plan_version v JOIN plan p ON p.id = v.plan_id WHERE p.number = '2025001')"
seed_rows="plan_task WHERE $seed_plan"

check "plan --help exits 0" bash -c "\"$SPOTCHECK\" plan --help | grep -q 'plan import'"
check "plan without a subcommand exits 2" expect_exit 2 sc plan
check "plan import without --org exits 2" expect_exit 2 sc plan import "$seed" --year 2025 --db "$db"
check "init --demo" expect_exit 0 sc init --demo --db "$db"
check "import into an unknown org exits 1" expect_exit 1 sc plan import "$seed" --org 999999 --year 2025 --db "$db"
check "the seed table imports" expect_exit 0 sc plan import "$seed" --org 130500 --year 2025 --db "$db"
check "... reports plan 2025001" contains "$TMP/out" "已导入计划 2025001"
check "... warns about 事项 texts not in the item list" contains "$TMP/out" "未在事项清单中找到"
check "... keeps the row as written" test "$(q "SELECT task_no || '|' || kind || '|' || ratio || '|' || month_from || '..' || month_to || '|' || scope_text || '|' || lead_dept || '|' || joint_depts FROM $seed_rows")" = "001号|定向|10%|2025-03..2025-10|市本级定点医疗机构|基金管理科|医疗保险基金监管科"
check "... matches the demo's 邢台市 items by name only where the names agree" test "$(q "SELECT item_codes FROM $seed_rows")" = ""
check "... with an audit row by cli" test "$(q "SELECT actor || ' ' || action FROM audit_log WHERE action = 'plan.import'")" = "cli plan.import"
check "the audit chain verifies" expect_exit 0 sc audit verify --db "$db"
plans=$(q "SELECT count(*) FROM plan")
check "importing the same number again exits 1" expect_exit 1 sc plan import "$seed" --org 130500 --year 2025 --db "$db"
check "... says why" contains "$TMP/out" "计划编号已存在"
check "... and writes nothing" test "$(q "SELECT count(*) FROM plan")" = "$plans"
check "export as XLSX" expect_exit 0 sc plan export 2025001 "$TMP/plan.xlsx" --db "$db"
check "export as CSV" expect_exit 0 sc plan export 2025001 "$TMP/plan.csv" --db "$db"
check "... in the 附件2 layout" contains "$TMP/plan.csv" "抽查计划编号,抽查计划名称,抽查任务编号,抽查任务名称,抽查类型,抽查比例,抽查事项,抽查对象范围,发起科室,联合科室,抽查时间,实施检查层级,备注"
check "... with the title rows" contains "$TMP/plan.csv" "制表时间：2024年12月31日"
check "export of an unknown plan exits 1" expect_exit 1 sc plan export 1999001 "$TMP/x.csv" --db "$db"
db2=$TMP/p2.db
check "init a second database" expect_exit 0 sc init --demo --db "$db2"
check "the XLSX export imports again" expect_exit 0 sc plan import "$TMP/plan.xlsx" --org 130500 --year 2025 --db "$db2"
row="SELECT task_no || kind || ratio || items_unmatched || scope_text || lead_dept || joint_depts || month_from || month_to || level FROM $seed_rows"
check "... with the same row" test "$(dbq "$db2" "$row")" = "$(q "$row")"
# every CSV is formula-safe: a remark a spreadsheet would run is written with a leading ' and read back without it
dbq "$db" "UPDATE plan_task SET remark = '=HYPERLINK(\"http://evil.example\",\"点此\")' WHERE $seed_plan"
check "a formula-like cell in a plan export" expect_exit 0 sc plan export 2025001 "$TMP/evil.csv" --db "$db"
check "... is written with a leading '" contains "$TMP/evil.csv" "'=HYPERLINK("
db3=$TMP/p3.db
sc init --demo --db "$db3" >/dev/null
check "... and imports as it was" bash -c "\"$SPOTCHECK\" plan import '$TMP/evil.csv' --org 130500 --year 2025 --db '$db3' >/dev/null && test \"\$(dbq '$db3' \"SELECT remark FROM $seed_rows\")\" = '=HYPERLINK(\"http://evil.example\",\"点此\")'"
finish
