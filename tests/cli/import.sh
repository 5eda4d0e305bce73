#!/usr/bin/env bash
# Import/export of the directories: GBK and UTF-8 CSV, XLSX, one transaction per file, every bad
# row reported as "第N行 列名: 原因", versions kept on re-import, export→import round trips.
. "$(dirname "$0")/../lib.sh"
db=$TMP/s.db
sc init --db "$db" >/dev/null
# the SQL that differs per engine: the ordered codes joined by commas
codes_agg() { if on_pg; then echo "string_agg(code, ',' ORDER BY code)"; else echo "group_concat(code, ',')"; fi; }
cat >"$TMP/ref.sh" <<'EOS'
EOS
printf '行政区划代码,机构名称,上级行政区划代码\n130500,邢台市医疗保障局,\n130528,宁晋县医疗保障局,130500\n' >"$TMP/orgs.csv"
printf '科室编码,科室名称,所属机构,类型\nD1,基金监管股,130528,本局科室\nSC,市场监督管理局,130528,外部门\n' >"$TMP/depts.csv"
printf '标签编码,标签名称,上级标签编码,适用范围\nS,专长,,执法人员\nS-MED,临床医学,S,执法人员\nT-PUB,公立,,检查对象\n' >"$TMP/tags.csv"
check "import orgs, depts, tags" bash -c "for k in orgs depts tags; do \"$SPOTCHECK\" import \$k '$TMP/'\$k.csv --db '$db' || exit 1; done"

# A targets file as Chinese Excel saves it: GBK, CRLF. Row 3 has a wrong USCC check character
# (…341N instead of …341L) and row 5 a bad ID number.
cat >"$TMP/targets.utf8" <<'EOS'
对象类型,名称,统一社会信用代码,医保编码,身份证号,所属机构,行政区划,信用风险等级,标签,登记日期,投诉次数
定点医疗机构,宁晋县人民医院,12110000400686291H,H13052800001,,130528,130528,B,T-PUB,2001-05-01,2
用人单位,"某某科技有限公司
（分公司）",91110000600037341N,,,130528,130528,A,,2019/3/1,0
定点零售药店,百姓大药房,9144030071526726XG,P13052800003,,130528,130528,C,,,0
参保人,张三,,,36042619910102009X,130528,130528,B,,,
用人单位,另一家公司,91310115MA1K3BTP2B,,,130528,130528,D,,2020-01-01,1
EOS
sed 's/$/\r/' "$TMP/targets.utf8" | iconv -f UTF-8 -t GB18030 >"$TMP/targets-gbk.csv"
check "the GBK file really is not UTF-8" bash -c "! iconv -f UTF-8 -t UTF-8 '$TMP/targets-gbk.csv' >/dev/null 2>&1"
check "GBK file with bad rows is rejected with exit 1" expect_exit 1 sc import targets "$TMP/targets-gbk.csv" --db "$db"
cp "$TMP/out" "$TMP/report"
check "report names row 3 and the column (record with a newline counts once)" contains "$TMP/report" "第3行 统一社会信用代码"
check "report gives the expected check character" contains "$TMP/report" "L"
check "report names row 5 身份证号" contains "$TMP/report" "第5行 身份证号"
check "report does not blame good rows" lacks "$TMP/report" "第2行"
check "nothing was imported" bash -c "[ \$(dbq '$db' 'SELECT count(*) FROM target') -eq 0 ]"

sed -e 's/91110000600037341N/91110000600037341L/' -e 's/36042619910102009X/360426199101010071/' "$TMP/targets.utf8" \
  | sed 's/$/\r/' | iconv -f UTF-8 -t GB18030 >"$TMP/targets-fixed.csv"
check "the fixed GBK file imports" expect_exit 0 sc import targets "$TMP/targets-fixed.csv" --db "$db"
check "five targets with Chinese names intact" bash -c "[ \$(dbq '$db' 'SELECT count(*) FROM target') -eq 5 ] && dbq '$db' \"SELECT name FROM target WHERE mi_code='H13052800001'\" | grep -qx 宁晋县人民医院"
check "multi-line name kept" bash -c "dbq '$db' \"SELECT name FROM target WHERE uscc='91110000600037341L'\" | grep -q '（分公司）'"
check "dates normalised" bash -c "dbq '$db' \"SELECT registered_on FROM target WHERE uscc='91110000600037341L'\" | grep -qx 2019-03-01"
check "insured person drawn by pseudonym, not ID number" bash -c "dbq '$db' \"SELECT code FROM target WHERE kind='insured'\" | grep -qE '^R[0-9A-F]{15}\$'"

# Personal data leaves masked by default; unmasked only by an account granted 个人信息导出, with a
# purpose, audited, the header row saying so.
check "a plain export masks ID numbers" bash -c "\"$SPOTCHECK\" export targets '$TMP/masked.csv' --db '$db' >/dev/null && grep -q '360426\*\*\*\*\*\*\*\*0071' '$TMP/masked.csv' && ! grep -q '36042619' '$TMP/masked.csv'"
check "--unmasked needs an account and a purpose" expect_exit 2 sc export targets "$TMP/u.csv" --unmasked --db "$db"
echo 'keeper pass 2026' | sc user add keeper --role admin --org 130500 --password-stdin --db "$db" >/dev/null
check "... an account granted 个人信息导出" expect_exit 1 sc export targets "$TMP/u.csv" --unmasked --purpose 迁移到新服务器 --by keeper --db "$db"
sc user grant keeper pii-export --db "$db" >/dev/null
check "the granted account exports unmasked, the header marking it" bash -c "\"$SPOTCHECK\" export targets '$TMP/u.csv' --unmasked --purpose 迁移到新服务器 --by keeper --db '$db' >/dev/null && head -1 '$TMP/u.csv' | grep -q '身份证号（个人信息，未遮盖）' && grep -q '36042619' '$TMP/u.csv'"
check "... audited with the row count and the purpose" bash -c "dbq '$db' \"SELECT actor, after FROM audit_log WHERE action = 'export.targets' ORDER BY id DESC LIMIT 1\" | grep -q 'keeper.*\"purpose\":\"迁移到新服务器\".*\"rows\":'"

# Round trip: an unmasked export → import into a fresh database → the same masked export.
for fmt in csv xlsx; do
  check "export targets unmasked as $fmt" expect_exit 0 sc export targets "$TMP/t1.$fmt" --unmasked --purpose 迁移到新服务器 --by keeper --db "$db"
  db2=$TMP/rt-$fmt.db
  sc init --db "$db2" >/dev/null
  for k in orgs depts tags; do sc export $k "$TMP/$k-rt.$fmt" --db "$db" >/dev/null; sc import $k "$TMP/$k-rt.$fmt" --db "$db2" >/dev/null; done
  check "re-import the $fmt export into a new database" expect_exit 0 sc import targets "$TMP/t1.$fmt" --db "$db2"
  check "the export of the copy is identical" bash -c "\"$SPOTCHECK\" export targets '$TMP/t2.csv' --db '$db2' >/dev/null && \"$SPOTCHECK\" export targets '$TMP/m1.csv' --db '$db' >/dev/null && cmp '$TMP/m1.csv' '$TMP/t2.csv'"
done

# Cells that a spreadsheet would run as a formula (= + - @) are exported with a leading ' and
# imported without it, so export → import still gives the same data (a value that already starts
# with ' before such a character gets one more; a file's '= is read as =, as Excel reads it).
fdb=$TMP/formula.db
sc init --db "$fdb" >/dev/null
sc import orgs "$TMP/orgs.csv" --db "$fdb" >/dev/null
printf '科室编码,科室名称,所属机构,类型\nF1,"=HYPERLINK(""http://x.invalid"",""点击"")",130528,外部门\nF2,+86 311,130528,外部门\nF3,@SUM(A1),130528,外部门\nF4,'"''"'=已有撇号,130528,外部门\nF5,-,130528,外部门\nF6,普通科室,130528,外部门\n' >"$TMP/formula.csv"
check "formula-like names import as text" expect_exit 0 sc import depts "$TMP/formula.csv" --db "$fdb"
check "stored as typed" bash -c "[ \"\$(dbq '$fdb' \"SELECT name FROM dept WHERE code IN ('F1','F4') ORDER BY code\")\" = \"\$(printf '=HYPERLINK(\"http://x.invalid\",\"点击\")\\n'\"'\"'=已有撇号')\" ]"
for fmt in csv xlsx; do
  check "export depts with formula-like names as $fmt" expect_exit 0 sc export depts "$TMP/f1.$fmt" --db "$fdb"
  fdb2=$TMP/formula-$fmt.db
  sc init --db "$fdb2" >/dev/null
  sc import orgs "$TMP/orgs.csv" --db "$fdb2" >/dev/null
  check "re-import the $fmt export" expect_exit 0 sc import depts "$TMP/f1.$fmt" --db "$fdb2"
  check "names identical after the $fmt round trip" bash -c "[ \"\$(dbq '$fdb' 'SELECT code, name FROM dept ORDER BY code')\" = \"\$(dbq '$fdb2' 'SELECT code, name FROM dept ORDER BY code')\" ]"
done
check "CSV export: no cell starts with = + - @" bash -c "! grep -qE '(^|,)\"?[-=+@]' '$TMP/f1.csv'"
check "CSV export: the formula is quoted with '" grep -q "^F1,\"'=HYPERLINK" "$TMP/f1.csv"
check "CSV export: a leading ' gets one more" grep -q "^F4,''=已有撇号" "$TMP/f1.csv"
check "CSV export: a plain name is unchanged" grep -q '^F6,普通科室,' "$TMP/f1.csv"
# An XLSX string cell never runs as a formula: written as it is, except a value already starting
# with ' before such a character, which gets one more so that the import's rule gives it back.
cat >"$TMP/xlsx_text.py" <<'EOS'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print("".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/") and n.endswith(".xml")))
EOS
python3 "$TMP/xlsx_text.py" "$TMP/f1.xlsx" >"$TMP/f1.xlsx.txt"
check "XLSX export: the formula text as it is, no apostrophe" bash -c "grep -q '>=HYPERLINK' '$TMP/f1.xlsx.txt' && ! grep -q \">'=HYPERLINK\" '$TMP/f1.xlsx.txt'"
check "XLSX export: a leading ' before = gets one more" grep -q ">''=已有撇号" "$TMP/f1.xlsx.txt"

# Re-importing updates by code and keeps the old version.
sed -e 's/宁晋县人民医院,12110000400686291H,H13052800001,,130528,130528,B/宁晋县人民医院,12110000400686291H,H13052800001,,130528,130528,D/' "$TMP/targets.utf8" \
  | sed -e 's/91110000600037341N/91110000600037341L/' -e 's/36042619910102009X/360426199101010071/' >"$TMP/targets-v2.csv"
check "a re-import that changes a grade needs its reason and basis" expect_exit 1 sc import targets "$TMP/targets-v2.csv" --db "$db"
check "... the report says which row" contains "$TMP/out" "第2行: 信用风险等级的调整须说明理由和依据"
check "re-import with one changed grade, reason and basis given" expect_exit 0 sc import targets "$TMP/targets-v2.csv" --grade-reason 2025年度信用评价结果 --grade-basis 宁医保信评〔2025〕2号 --db "$db"
check "report says 1 updated, 4 unchanged" contains "$TMP/out" "更新 1，未变 4"
check "the change is in the target's credit record" bash -c "dbq '$db' \"SELECT grade_before||grade_after||basis FROM credit_event WHERE kind='等级调整'\" | grep -qx 'BD宁医保信评〔2025〕2号'"
check "new value current, old value in history" bash -c "dbq '$db' \"SELECT grade||version FROM target WHERE mi_code='H13052800001'\" | grep -qx D2 && dbq '$db' \"SELECT $(jtext data grade) FROM entity_version WHERE entity='target'\" | grep -qx B"

# Empty database export is the template that import accepts.
db3=$TMP/empty.db
for k in orgs depts tags items targets officers experts; do
  check "template for $k round-trips on an empty database" bash -c "\"$SPOTCHECK\" export $k '$TMP/tpl-$k.csv' --db '$db3' >/dev/null && \"$SPOTCHECK\" import $k '$TMP/tpl-$k.csv' --db '$db3' >/dev/null"
done
check "unknown header reported on row 1" bash -c "printf '行政区划代码,机构名称,颜色\n130529,x,红\n' >'$TMP/h.csv'; \"$SPOTCHECK\" import orgs '$TMP/h.csv' --db '$db' 2>&1 | grep -q '第1行 颜色'"
check "missing required column reported" bash -c "printf '机构名称\nx\n' >'$TMP/h2.csv'; \"$SPOTCHECK\" import orgs '$TMP/h2.csv' --db '$db' 2>&1 | grep -q '缺少必填列“行政区划代码”'"
check "duplicate code within a file reported with both rows" bash -c "printf '行政区划代码,机构名称\n130531,a\n130531,b\n' >'$TMP/dup.csv'; \"$SPOTCHECK\" import orgs '$TMP/dup.csv' --db '$db' 2>&1 | grep -q '第3行 行政区划代码: “130531”与第2行重复'"
check "a missing file exits 1" expect_exit 1 sc import orgs "$TMP/nope.csv" --db "$db"
check "officers: expired-before-start and unknown dept reported per row" bash -c "printf '执法证号,姓名,所属机构,科室,证件生效日期,证件有效期至,执法区域,可任组长\nA1,甲,130528,D1,2024-01-01,2023-01-01,130528,是\nA2,乙,130528,D9,2024-01-01,2027-01-01,130528,否\nA3,丙,130528,D1,2024-01-01,2027-01-01,130528,也许\n' >'$TMP/o.csv'; out=\$(\"$SPOTCHECK\" import officers '$TMP/o.csv' --db '$db' 2>&1); echo \"\$out\" | grep -q '第2行 证件有效期至' && echo \"\$out\" | grep -q '第3行 科室' && echo \"\$out\" | grep -q '第4行 可任组长'"
# The bulk path (empty table, 10,000 rows or more: rows sorted by code, indexes dropped and built
# again inside the transaction). Files from the benchmark's generator (UTF-8, BOM, CRLF).
big=$TMP/big
python3 "$SPOTCHECK_ROOT/bench/import/gen.py" "$big" 12000
bulk_db() { rm -f "$1"; sc init --db "$1" >/dev/null && sc import orgs "$big/orgs.csv" --db "$1" >/dev/null && sc import tags "$big/tags.csv" --db "$1" >/dev/null; }
# the table's indexes by name (the bulk path drops and builds them again)
target_indexes() {
  if on_pg; then dbq "$1" "SELECT indexname FROM pg_indexes WHERE tablename = 'target' ORDER BY indexname" | paste -sd ' '
  else dbq "$1" "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'target' ORDER BY name" | paste -sd ' '; fi
}
export -f target_indexes
bdb=$TMP/bulk.db
bulk_db "$bdb"
if on_pg; then want_idx=$(target_indexes "$bdb"); else want_idx="sqlite_autoindex_target_1 target_insured_id target_org_id target_org_kind"; fi
check "bulk: the table has its indexes before the import" test -n "$want_idx"
# a copy of data line 5 (file line 6) as the last line (12002)
{ cat "$big/targets.csv"; sed -n 6p "$big/targets.csv"; } >"$TMP/dup-last.csv"
check "bulk: duplicate code on the last line is rejected" expect_exit 1 sc import targets "$TMP/dup-last.csv" --db "$bdb"
check "bulk: the duplicate is reported with both line numbers" grep -qE '^第12002行 对象编码: “[^”]+”与第6行重复' "$TMP/out"
check "bulk: nothing written, indexes unchanged" bash -c "[ \$(dbq '$bdb' 'SELECT count(*) FROM target') -eq 0 ] && [ \"\$(target_indexes '$bdb')\" = '$want_idx' ]"
# An insured person's ID number twice under two different codes: only the UNIQUE index on the ID
# number (dropped during the bulk insert, built again before the commit) sees it. Line 2 also has
# a bad 统一社会信用代码, so the report mixes a checked row and a database error in line order.
idline=$(grep -n ',参保人,\|^参保人,' "$big/targets.csv" | sed -n 10p | cut -d: -f1)
idno=$(sed -n "${idline}p" "$big/targets.csv" | cut -d, -f6)
{ sed '2s/,\(91[0-9A-Z]\{15\}\)[0-9A-Z],/,\1Z,/g' "$big/targets.csv"; printf '参保人,R0123456789ABCDE,某人,,,%s,,130528,130528,村,B,,,0,正常,,\r\n' "$idno"; } >"$TMP/dup-id.csv"
check "bulk: duplicate ID number under another code is rejected" expect_exit 1 sc import targets "$TMP/dup-id.csv" --db "$bdb"
# (the engine's own words for the broken UNIQUE index)
if on_pg; then unique_err='duplicate key value violates unique constraint "target_insured_id"'
else unique_err='UNIQUE constraint failed: target.id_number'; fi
check "bulk: the ID number's second row is reported (line 12002)" grep -q "^第12002行: 写入失败: $unique_err" "$TMP/out"
check "bulk: the bad code on line 2 is reported before it" bash -c "grep '^第' '$TMP/out' | head -1 | grep -q '^第2行 统一社会信用代码'"
check "bulk: nothing written after the index failure" bash -c "[ \$(dbq '$bdb' 'SELECT count(*) FROM target') -eq 0 ] && [ \"\$(target_indexes '$bdb')\" = '$want_idx' ]"
# a bad check character on the last line only
{ cat "$big/targets.csv"; printf '用人单位,,末行公司,91130528000000019Z,,,,130528,130528,,B,,,0,正常,,\r\n'; } >"$TMP/bad-last.csv"
check "bulk: a bad code on the last line rejects the whole file" expect_exit 1 sc import targets "$TMP/bad-last.csv" --db "$bdb"
check "bulk: ... reported on line 12002, nothing written" bash -c "grep -q '^第12002行 统一社会信用代码' '$TMP/out' && [ \$(dbq '$bdb' 'SELECT count(*) FROM target') -eq 0 ]"
check "bulk: the clean file imports" expect_exit 0 sc import targets "$big/targets.csv" --db "$bdb"
check "bulk: 12000 rows, tag links, indexes back, integrity ok" bash -c "[ \$(dbq '$bdb' 'SELECT count(*) FROM target') -eq 12000 ] && [ \$(dbq '$bdb' 'SELECT count(*) FROM target_tag') -gt 0 ] && [ \"\$(target_indexes '$bdb')\" = '$want_idx' ] && { on_pg || [ \"\$(dbq '$bdb' 'PRAGMA integrity_check')\" = ok ]; }"
check "bulk: ids follow the codes" bash -c "[ \$(dbq '$bdb' 'SELECT count(*) FROM target a JOIN target b ON b.id = a.id + 1 WHERE b.code <= a.code') -eq 0 ]"
check "bulk: tags stored as in the file" bash -c "[ \$(dbq '$bdb' \"SELECT count(*) FROM target t WHERE t.tags IS DISTINCT FROM (SELECT $(codes_agg) FROM (SELECT g.code FROM target_tag l JOIN tag g ON g.id = l.tag_id WHERE l.target_id = t.id ORDER BY g.code) x)\") -eq 0 ]"
check "bulk: a second import of the same file updates nothing" bash -c "\"$SPOTCHECK\" import targets '$big/targets.csv' --db '$bdb' | grep -q '未变 12000'"
finish
