#!/usr/bin/env bash
# Reference data: init loads the embedded sets, `refdata load --dir` replaces a set from files in
# one transaction with an audit row, a bad file changes nothing and names its line.
. "$(dirname "$0")/../lib.sh"
db=$TMP/s.db
sc init --db "$db" >/dev/null
count() { dbq "$db" "SELECT count(*) FROM refdata WHERE set_name = '$1'"; }
check "init loads result categories" bash -c "[ \$(dbq '$db' \"SELECT count(*) FROM refdata WHERE set_name='result_categories'\") -ge 7 ]"
check "未发现问题 is the exclusive result" bash -c "dbq '$db' \"SELECT label FROM refdata WHERE set_name='result_categories' AND $(jtext attrs exclusive)='1'\" | grep -qx 未发现问题"
check "violation categories of articles 38-41 loaded" bash -c "dbq '$db' \"SELECT count(DISTINCT $(jtext attrs article)) FROM refdata WHERE set_name='violation_categories'\" | grep -qx '[4-9]'"
check "list shows every set" bash -c "\"$SPOTCHECK\" refdata list --db '$db' | grep -q regions"
mkdir -p "$TMP/data"
cp "$SPOTCHECK_ROOT"/data/*.tsv "$TMP/data/"
before=$(count result_categories)
printf '99\t测试用新类别\t\t0\n' >>"$TMP/data/result_categories.tsv"
check "a bureau's edited file replaces the set" expect_exit 0 sc refdata load result_categories --dir "$TMP/data" --db "$db"
check "the new category is there" bash -c "[ \$(dbq '$db' \"SELECT count(*) FROM refdata WHERE set_name='result_categories'\") -eq $((before + 1)) ]"
check "the replacement is in the audit log with the old rows" bash -c "dbq '$db' \"SELECT before FROM audit_log WHERE action='refdata.result_categories' ORDER BY id DESC LIMIT 1\" | grep -q 未发现问题"
printf '99\t重复编码\t\t0\n' >>"$TMP/data/result_categories.tsv"
check "a duplicate code is rejected with its line" bash -c "\"$SPOTCHECK\" refdata load result_categories --dir '$TMP/data' --db '$db' 2>&1 | grep -q '重复'; [ \${PIPESTATUS[0]} -eq 1 ]"
check "and nothing changed" bash -c "[ \$(dbq '$db' \"SELECT count(*) FROM refdata WHERE set_name='result_categories'\") -eq $((before + 1)) ]"
check "audit chain still verifies" expect_exit 0 sc audit verify --db "$db"
check "unknown subcommand is a usage error" expect_exit 2 sc refdata frob --db "$db"
finish
