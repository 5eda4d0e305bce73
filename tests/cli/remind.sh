#!/usr/bin/env bash
# `spotcheck remind`: the daily reminder list of deadline clocks for a cron job. --help, usage
# errors (bad date, bad format, unknown option) exit 2, a missing database or org exits 1, and on
# a real drawn task (tests/web/fixture_drawn.py: checks in 2025年3月至10月, so result entry and
# publication are due 20 working days after 2025-10-31, i.e. on 2025-11-28) the list shows the
# clock due today, then overdue by the right number of working days with the group's officers
# and the lead dept; another county's list is empty; --format json parses. A missing database is
# not created, on either driver (a file path, a PostgreSQL URL).
. "$(dirname "$0")/../lib.sh"

check "remind --help exits 0 with usage" bash -c "\"$SPOTCHECK\" remind --help | grep -q 'spotcheck remind'"
check "... and lists it in the overview" bash -c "\"$SPOTCHECK\" --help | grep -q remind"
check "remind with a bad date exits 2" expect_exit 2 sc remind --db "$TMP/none.db" --date 2025-02-30
check "... saying why" contains "$TMP/out" "日期 2025-02-30 无效"
check "remind with a bad format exits 2" expect_exit 2 sc remind --db "$TMP/none.db" --format xml
check "remind with an unknown option exits 2" expect_exit 2 sc remind --bogus
check "remind with --date missing its value exits 2" expect_exit 2 sc remind --date
# a missing database (a file; on PostgreSQL the database the path maps to) is an error, never created
check "remind on a missing database exits 1" expect_exit 1 sc remind --db "$TMP/none.db"
check "... saying so" contains "$TMP/out" "数据库 $TMP/none.db 不存在"
check "... and does not create it" bash -c "! dbexists '$TMP/none.db'"
if on_pg; then # a PostgreSQL URL naming no database: the same
  url="postgresql://$PGUSER@/sc_never_made?host=$SPOTCHECK_PG_HOST"
  check "remind on a missing PostgreSQL database (a URL) exits 1" expect_exit 1 sc remind --db "$url"
  check "... and does not create it" bash -c "[ \"\$(pg_psql postgres -c \"SELECT count(*) FROM pg_database WHERE datname = 'sc_never_made'\")\" = 0 ]"
fi

# the fixture's directory outlives the Python process that made it (SPOTCHECK_KEEP_TMP); removed at exit
db=$(cd "$SPOTCHECK_ROOT/tests/web" && SPOTCHECK=$SPOTCHECK SPOTCHECK_KEEP_TMP=1 python3 -c 'from fixture_drawn import drawn_db; print(drawn_db()["db"])' 2>"$TMP/fixture.err")
case "$db" in */spotcheck-web-*/s.db) trap 'rm -rf "$TMP" "$(dirname "$db")"' EXIT ;; esac
check "fixture: a drawn task" bash -c "[ -n '$db' ] && dbexists '$db'"

check "remind on the deadline day exits 0" expect_exit 0 sc remind --db "$db" --date 2025-11-28
check "... the entry clocks are due today" bash -c "grep -q '^今日到期（6）' '$TMP/out' && grep -q '\[检查结果录入\].*宁晋县人民医院.*期限 2025-11-28 · 今日到期' '$TMP/out'"
check "... nothing is overdue yet" contains "$TMP/out" "已逾期（0）"
check "three working days before: due soon" bash -c "\"$SPOTCHECK\" remind --db '$db' --date 2025-11-25 | grep -q '即将到期 剩余3个工作日'"

check "remind after the deadline exits 0" expect_exit 0 sc remind --db "$db" --date 2025-12-10 --org 130528
check "... heads the list with the org" contains "$TMP/out" "每日期限提醒 2025-12-10 宁晋县医疗保障局"
check "... lists an overdue entry with its working days" contains "$TMP/out" "期限 2025-11-28 · 已逾期 8个工作日"
# the group is drawn at random: ask the database who is in the hospital's group
group=$(dbq "$db" "SELECT o.name || '（' || o.cert_no || '）' FROM draw_member m JOIN officer o ON o.cert_no = m.member_code WHERE m.target_code = 'H13052800001' AND m.status = '在组'" | paste -sd ' ')
check "... names the group's officers and the lead dept" bash -c "line=\$(grep '宁晋县人民医院' '$TMP/out' | grep '检查结果录入'); for o in $group; do [[ \$line == *\$o* ]] || exit 1; done; [[ \$line == *'；基金监管股'* ]] && [ -n '$group' ]"
check "... and the publication clock with the lead dept" bash -c "grep -q '\[检查结果公示\].*责任：基金监管股' '$TMP/out'"
check "... never names an insured person" bash -c "! grep -q '张三丰' '$TMP/out'"

check "another county has nothing due" expect_exit 0 sc remind --db "$db" --date 2025-12-10 --org 130522
check "... its overdue list is empty" contains "$TMP/out" "已逾期（0）"
check "an unknown org exits 1" expect_exit 1 sc remind --db "$db" --org 999999

check "--format json parses with the overdue items" bash -c "\"$SPOTCHECK\" remind --db '$db' --date 2025-12-10 --format json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d[\"date\"] == \"2025-12-10\" and d[\"overdue_count\"] == 6, d
assert all(c[\"state\"] == \"overdue\" and c[\"days\"] == 8 for c in d[\"overdue\"])
assert {c[\"kind\"] for c in d[\"overdue\"]} == {\"entry\", \"publish\"}
'"
check "a date in a year without the notice: overdue, counted provisionally" bash -c "\"$SPOTCHECK\" remind --db '$db' --date 2027-03-01 | grep -Eq '期限 2025-11-28 · 已逾期 [0-9]+个工作日 · '"
check "a date beyond the lunar table: overdue by date, count unknown" bash -c "\"$SPOTCHECK\" remind --db '$db' --date 2051-03-01 | grep -q '期限 2025-11-28 · 已逾期 · '"
finish
