#!/usr/bin/env bash
# The draw on a database: freeze, run, substitute, show/export, verify with spotcheck and with
# tools/verify_draw.py (both must agree), one draw per task, re-draw with reason and approver
# keeping the earlier draw, exclusions with reasons, and tampering: every record field and the
# population file, each edit detected by both verifiers.
set -euo pipefail
S=${SPOTCHECK:?}; ROOT=${SPOTCHECK_ROOT:?}
. "$ROOT/tests/dblib.sh" # the database on either driver: dbq, dbcopy, drop_triggers
# a failed check names its line (a silent exit 1 once left a PostgreSQL run unexplained)
die() { echo "draw_flow: check failed at line ${BASH_LINENO[0]}" >&2; exit 1; }
trap 'rc=$?; [[ $- == *e* ]] && echo "draw_flow: command failed at line $LINENO (exit $rc)" >&2' ERR
chr=$(sqlchr)
PY="python3 $ROOT/tools/verify_draw.py"
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
db=$t/s.db
"$S" init --db "$db" >/dev/null
# a small county: 600 targets over grades A-D, 14 officers, 3 experts
python3 - "$t/seed.sql" <<'PY'
import random, sys
r = random.Random(11)
out = ["BEGIN;",
       "INSERT INTO org(id, code, name) VALUES (1, '130528', '测试县');",
       "INSERT INTO dept(id, org_id, code, name, kind) VALUES (1, 1, 'D01', '基金监管科', '本局科室');"]
for i in range(600):
    kind = "institution" if i % 3 else "pharmacy"
    code = ("H" if kind == "institution" else "P") + "1305%02d%05d" % (i % 4, i)
    grade = "ABBBCCD"[r.randrange(7)]
    last = "2025-03-01" if i % 50 == 0 else None
    status = "注销" if i % 97 == 0 else "正常"
    out.append("INSERT INTO target(org_id, kind, code, name, region, grade, status, last_checked_on, tags) "
               "VALUES (1, '%s', '%s', '机构%d', '1305%02d', '%s', '%s', %s, 'T1');"
               % (kind, code, i, i % 4, grade, status, "'%s'" % last if last else "NULL"))
for i in range(14):
    out.append("INSERT INTO officer(org_id, dept_id, name, cert_no, cert_valid_from, cert_valid_to, tags, region, status, may_lead) "
               "VALUES (1, 1, '人员%d', 'ZF%03d', '2020-01-01', '%s', '%s', '1305%02d', '%s', %d);"
               % (i, i, "2024-12-31" if i == 3 else "2030-12-31", "基金,医疗" if i % 4 else "基金",
                  i % 4, "休假" if i == 5 else "在岗", 1 if i % 3 == 0 else 0))
for i, spec in enumerate(["中医", "药学", "中医,药学"]):
    out.append("INSERT INTO expert(org_id, code, name, kind, specialty, status) VALUES (1, 'ZJ%02d', '专家%d', '专家', '%s', '%s');"
               % (i, i, spec, "停用" if i == 1 else "启用"))
out.append("COMMIT;")
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
dbq "$db" < "$t/seed.sql" >/dev/null

# the freeze on 1 June, the lottery it names drawn on 2 June at 21:15, the draw on 3 June
SRC='[{"kind":"fc3d","issue":"2025153","date":"2025-06-02"},{"kind":"dice","count":8}]'
export SPOTCHECK_TODAY=2025-06-01T09:00
"$S" draw freeze --db "$db" --task T1 --sources "$SRC" --date 2025-06-02 \
  --ratio 5% --ratio D=30% --min A=2 --exclude-checked-months 6 --specialty 中医 \
  --require-tag 基金 --cross-region --strata grade > "$t/freeze.out"
fsha=$(grep -o '冻结摘要 [0-9a-f]*' "$t/freeze.out" | head -n 1 | cut -d' ' -f2)
[ ${#fsha} -eq 64 ]
# exclusions are recorded with reasons: 注销 targets and those checked within 6 months
"$S" draw show --db "$db" --task T1 --json > "$t/frozen.json"
# before the draw: the frozen record against the files, and the size each stratum will be drawn
"$S" draw show --db "$db" --task T1 --record "$t/f.json" --population "$t/fp.tsv" --officers "$t/fo.tsv" >/dev/null
"$S" verify "$t/f.json" "$t/fp.tsv" "$t/fo.tsv" --freeze "$fsha" > "$t/pre.out"
grep -qx '冻结记录一致（尚未抽取）' "$t/pre.out" && grep -q '^D	' "$t/pre.out" || { cat "$t/pre.out"; die; }
$PY "$t/f.json" "$t/fp.tsv" "$t/fo.tsv" --freeze "$fsha" > "$t/pre2.out"
diff "$t/pre.out" "$t/pre2.out" || die
# the frozen record is a /2 record, so its declared sources are checked before the draw too
python3 - "$t/f.json" "$t/fbad.json" "$ROOT/tools" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[3])
import verify_draw as v
d = json.load(open(sys.argv[1]))
assert d["format"] == "spotcheck-draw/2", d["format"]
d["freeze"]["sources"][0]["issue"] = "2025100"   # not the issue drawn on 2 June; digest recomputed
d["freeze_sha256"] = v.sha256_hex(v.canonical(d["freeze"]))
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
d = json.load(open(sys.argv[1]))
d["freeze"]["frozen_at"] = "2025-06-02T09:00:00+08:00"   # 12 hours before the lottery
d["freeze_sha256"] = v.sha256_hex(v.canonical(d["freeze"]))
json.dump(d, open(sys.argv[2].replace("fbad", "fgap"), "w"), ensure_ascii=False)
PY
set +e
"$S" verify "$t/fbad.json" "$t/fp.tsv" "$t/fo.tsv" > "$t/pre.out" 2>&1; [ $? -eq 1 ] || { cat "$t/pre.out"; die; }
$PY "$t/fbad.json" "$t/fp.tsv" "$t/fo.tsv" > "$t/pre2.out" 2>&1; [ $? -eq 1 ] || { cat "$t/pre2.out"; die; }
set -e
grep -q '不符' "$t/pre.out" && grep -q '不符' "$t/pre2.out" || { cat "$t/pre.out" "$t/pre2.out"; die; }
set +e
"$S" verify "$t/fgap.json" "$t/fp.tsv" "$t/fo.tsv" > "$t/pre.out" 2>&1; [ $? -eq 1 ] || { cat "$t/pre.out"; die; }
$PY "$t/fgap.json" "$t/fp.tsv" "$t/fo.tsv" > "$t/pre2.out" 2>&1; [ $? -eq 1 ] || { cat "$t/pre2.out"; die; }
set -e
grep -q '至少 24 小时' "$t/pre.out" && grep -q '至少 24 小时' "$t/pre2.out" || { cat "$t/pre.out" "$t/pre2.out"; die; }
python3 - "$t/frozen.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ex = d["freeze"]["excluded"]
assert any(e["reason"].startswith("状态为注销") for e in ex), ex
assert any("近6个月内已检查" in e["reason"] for e in ex), ex
assert "seed" not in d and "secret" not in d        # nothing revealed before the draw
PY
# one draw per task
set +e
"$S" draw freeze --db "$db" --task T1 --sources "$SRC" --ratio 1% >/dev/null 2>&1; [ $? -eq 1 ] || die
# a source that exists within 24 hours of the freeze, or the bureau's dice alone, are refused
"$S" draw freeze --db "$db" --task T2 --sources '[{"kind":"fc3d","issue":"2025152","date":"2025-06-01"}]' --ratio 1% \
  >/dev/null 2>"$t/late.err"; [ $? -eq 1 ] || die
grep -q '至少 24 小时' "$t/late.err" || { cat "$t/late.err"; die; }
"$S" draw freeze --db "$db" --task T2 --sources '[{"kind":"dice","count":8}]' --ratio 1% >/dev/null 2>&1; [ $? -eq 1 ] || die
# before the lottery is drawn, the draw is refused
"$S" draw run --db "$db" --task T1 --value 271 --value 42313251 >/dev/null 2>"$t/early.err"; [ $? -eq 1 ] || die
grep -q '尚未产生' "$t/early.err" || { cat "$t/early.err"; die; }
# the dice are thrown and recorded before the lottery, once; a copy without them is checked later
dbcopy "$db" "$t/nodice.db" >/dev/null
"$S" draw dice --db "$db" --task T1 --value 42313259 >/dev/null 2>&1; [ $? -eq 1 ] || die   # 9 is not a die
"$S" draw dice --db "$db" --task T1 --value "4 2 3 1 3 2 5 1" --observers 律师 | grep -q '42313251' || die
"$S" draw dice --db "$db" --task T1 --value 11111111 >/dev/null 2>"$t/dice.err"; [ $? -eq 1 ] || die
grep -q '已经登记' "$t/dice.err" || { cat "$t/dice.err"; die; }
dbq "$db" "UPDATE draw_dice SET dice_values = '[\"11111111\"]'" 2>/dev/null && die
"$S" draw substitute --db "$db" --task T1 --target X --reason r >/dev/null 2>&1; [ $? -eq 1 ] || die
set -e
# the frozen population file is checked against its frozen digest when the draw is run
dbcopy "$db" "$t/tamper.db" >/dev/null
# (the table refuses updates: whoever holds the file must drop its trigger first)
dbq "$t/tamper.db" "UPDATE draw_file SET content = 'x' WHERE kind = 'population'" 2>/dev/null && die
dbq "$t/tamper.db" "$(drop_triggers "$t/tamper.db" draw_file_no_update) UPDATE draw_file SET content = replace(content, $chr(9)||'A'||$chr(9), $chr(9)||'B'||$chr(9)) WHERE kind = 'population'"
set +e
export SPOTCHECK_TODAY=2025-06-03T09:00
"$S" draw run --db "$t/tamper.db" --task T1 --value 271 --value 42313251 >/dev/null 2>"$t/tamper.err"; [ $? -ne 0 ] || die
"$S" draw run --db "$db" --task T1 --value 2717 --value 42313251 >/dev/null 2>&1; [ $? -eq 1 ] || die  # 4 digits for 3D
"$S" draw run --db "$db" --task T1 --value 271 --value 42313252 >/dev/null 2>"$t/dice.err"; [ $? -eq 1 ] || die
grep -q '与开奖前登记的 42313251 不符' "$t/dice.err" || { cat "$t/dice.err"; die; }
# after the lottery, dice can no longer be recorded, and a draw without them is refused
"$S" draw dice --db "$t/nodice.db" --task T1 --value 42313251 >/dev/null 2>"$t/dice.err"; [ $? -eq 1 ] || die
grep -q '之前登记' "$t/dice.err" || { cat "$t/dice.err"; die; }
"$S" draw run --db "$t/nodice.db" --task T1 --value 271 --value 42313251 >/dev/null 2>"$t/dice.err"; [ $? -eq 1 ] || die
grep -q '没有在开奖前登记' "$t/dice.err" || { cat "$t/dice.err"; die; }
set -e
grep -q 'SHA-256' "$t/tamper.err" || { echo "tampered population not detected"; cat "$t/tamper.err"; exit 1; }
"$S" draw run --db "$db" --task T1 --value "2 7 1" --value 42313251 > "$t/run.out"
blind=$(dbq "$db" "SELECT secret FROM draw WHERE task_code = 'T1'")
[ ${#blind} -eq 64 ] || { echo "no blind committed at the freeze"; exit 1; }
grep -q "种子 spotcheck-v2|T1|$fsha|271|42313251|$blind\$" "$t/run.out" || { cat "$t/run.out"; die; }
set +e
"$S" draw run --db "$db" --task T1 --value 111 --value 11111111 >/dev/null 2>&1; [ $? -eq 1 ] || die
set -e
"$S" draw show --db "$db" --task T1 --record "$t/r0.json"
first=$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["assignments"][0]; print(a["target"], a["officers"][0])' "$t/r0.json")
tgt=${first% *}; off=${first#* }
second=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["selected"][1]["id"])' "$t/r0.json")
"$S" draw substitute --db "$db" --task T1 --target "$tgt" --officer "$off" --reason 回避 | grep -q '已递补'
"$S" draw substitute --db "$db" --task T1 --target "$second" --reason 已停业 | grep -q '已递补'
"$S" draw show --db "$db" --task T1 --record "$t/r.json" --population "$t/p.tsv" --officers "$t/o.tsv"
# append-only: what was frozen or drawn cannot be changed or deleted through SQL ...
for stmt in "UPDATE draw SET seed = 'x'" "UPDATE draw SET freeze_json = '{}'" "DELETE FROM draw" \
            "UPDATE draw SET status = '已冻结'" "DELETE FROM draw_event" "UPDATE draw_event SET reason = 'x'" \
            "DELETE FROM draw_file" "UPDATE draw_exclusion SET reason = 'x'" "UPDATE draw SET record_sha256 = 'x'" \
            "UPDATE draw SET superseded_reason = 'x'" "UPDATE draw SET drawn_by = 'x'" \
            "DELETE FROM draw_record" "UPDATE draw_record SET record_json = '{}'" \
            "INSERT INTO draw_record(draw_id, sha256, record_json) SELECT id, 'x', '{}' FROM draw" \
            "UPDATE draw SET record_sha256 = (SELECT sha256 FROM draw_record) || 'x'"; do
  if dbq "$db" "$stmt" 2>"$t/sql.err"; then echo "append-only table accepted: $stmt"; exit 1; fi
  grep -q '不能' "$t/sql.err" || { echo "no refusal for: $stmt"; cat "$t/sql.err"; exit 1; }
done
"$S" audit verify --db "$db" | grep -q '^抽取记录完整: 1 次抽取'
# ... and when someone drops the triggers to do it, audit verify recomputes and says where
dbcopy "$db" "$t/edit.db" >/dev/null
dbq "$t/edit.db" "$(drop_triggers "$t/edit.db" draw_record_replace) UPDATE draw_record SET record_json = replace(record_json, '\"leader\":\"', '\"leader\":\"X')"
set +e
"$S" audit verify --db "$t/edit.db" > "$t/edit.out"; [ $? -eq 1 ] || die
set -e
grep -q '抽取记录有误' "$t/edit.out" && grep -q '重算不一致' "$t/edit.out" || { cat "$t/edit.out"; die; }
# a record replaced in draw_record with its new digest, and the draw row naming it, as a
# substitution does (the triggers let that through): the recomputation still shows the edit
dbcopy "$db" "$t/edit4.db" >/dev/null
python3 - "$t/edit4.db" "$ROOT/tests/web" <<'PY'
import hashlib, sys
sys.path.insert(0, sys.argv[2])
import dbtool
db = sys.argv[1]
(text,) = dbtool.query(db, "SELECT record_json FROM draw_record")[0]
text = text.replace('"leader":"', '"leader":"X', 1)
sha = hashlib.sha256(text.encode()).hexdigest()
dbtool.query(db, "UPDATE draw_record SET sha256 = ?, record_json = ?", (sha, text))
dbtool.query(db, "UPDATE draw SET record_sha256 = ?", (sha,))
PY
set +e
"$S" audit verify --db "$t/edit4.db" > "$t/edit.out"; [ $? -eq 1 ] || die
set -e
grep -q '重算不一致' "$t/edit.out" && ! grep -q '记录摘要' "$t/edit.out" || { cat "$t/edit.out"; die; }
dbcopy "$db" "$t/edit2.db" >/dev/null
dbq "$t/edit2.db" "$(drop_triggers "$t/edit2.db" draw_file_no_update) UPDATE draw_file SET content = content || 'ZZZ' || $chr(9) || 'A' || $chr(9) || '130599' || $chr(10) WHERE kind = 'population'"
set +e
"$S" audit verify --db "$t/edit2.db" > "$t/edit.out"; [ $? -eq 1 ] || die
set -e
grep -q 'SHA-256' "$t/edit.out" || { cat "$t/edit.out"; die; }
dbcopy "$db" "$t/edit3.db" >/dev/null
dbq "$t/edit3.db" "$(drop_triggers "$t/edit3.db" draw_frozen_fixed) UPDATE draw SET record_sha256 = '$(printf '0%.0s' $(seq 64))'"
set +e
"$S" audit verify --db "$t/edit3.db" > "$t/edit.out"; [ $? -eq 1 ] || die
set -e
grep -q '记录摘要' "$t/edit.out" || { cat "$t/edit.out"; die; }
[ "$(cut -f3 "$t/p.tsv" | sort -u | wc -l)" -eq 4 ]       # region column for cross-region

# both verifiers agree the record is consistent, with and without the published freeze digest
"$S" verify "$t/r.json" "$t/p.tsv" "$t/o.tsv" | grep -qx 一致
"$S" verify "$t/r.json" "$t/p.tsv" "$t/o.tsv" --freeze "$fsha" | grep -qx 一致
# the record says when the dice were recorded: after the freeze, before the lottery (2 June 21:15)
python3 - "$t/r.json" "$t" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["dice_recorded_at"].startswith("2025-06-01T09:00"), d.get("dice_recorded_at")
late = dict(d, dice_recorded_at="2025-06-02T21:20:00+08:00")
json.dump(late, open(sys.argv[2] + "/late.json", "w"), ensure_ascii=False)
del d["dice_recorded_at"]
json.dump(d, open(sys.argv[2] + "/nodice.json", "w"), ensure_ascii=False)
PY
for f in late nodice; do
  set +e
  "$S" verify "$t/$f.json" "$t/p.tsv" "$t/o.tsv" > "$t/v1.out" 2>&1; c1=$?
  $PY "$t/$f.json" "$t/p.tsv" "$t/o.tsv" > "$t/v2.out" 2>&1; c2=$?
  set -e
  [ $c1 -eq 1 ] && [ $c2 -eq 1 ] && grep -q '^dice_recorded_at' "$t/v1.out" && grep -q '^dice_recorded_at' "$t/v2.out" \
    || { echo "dice time $f"; cat "$t/v1.out" "$t/v2.out"; exit 1; }
done
$PY "$t/r.json" "$t/p.tsv" "$t/o.tsv" --freeze "$fsha" | grep -qx 一致
# without the files: what can be checked agrees, but the verifiers say it was partial (exit 2)
set +e
"$S" verify "$t/r.json" > "$t/partial.out" 2>/dev/null; [ $? -eq 2 ] || die
grep -qx 部分核验 "$t/partial.out" || die
$PY "$t/r.json" > "$t/partial.out" 2>/dev/null; [ $? -eq 2 ] || die
grep -qx 部分核验 "$t/partial.out" || die
"$S" verify "$t/r.json" "$t/p.tsv" "$t/o.tsv" 2>&1 >/dev/null | grep -q '未提供 --freeze' || die
set -e
python3 - "$t/r.json" "$off" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
a = r["assignments"][0]
assert a["removed"][0]["id"] == sys.argv[2] and a["removed"][0]["reason"] == "回避"
assert sys.argv[2] not in a["officers"] and len(a["officers"]) == 2
assert r["assignments"][1]["status"] == "已替换"
assert r["assignments"][-1]["origin"] == "递补"
assert all(e["replacement"] for e in r["events"])
PY

# tampering: every field, and the population file; each must fail in both verifiers. (The free
# text of a substitution reason is an input entered after the draw, anchored by publication, not
# by recomputation: docs/DRAW.md says so; its type and target are checked here.)
mkdir "$t/tamper"
python3 - "$t/r.json" "$t/tamper" <<'PY'
import copy, hashlib, json, sys
rec = json.load(open(sys.argv[1])); out = sys.argv[2]
def canon(o): return json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
def change(v):
    if isinstance(v, bool): return not v
    if isinstance(v, int): return v + 1
    if isinstance(v, str): return v[:-1] + ("0" if v[-1:] != "0" else "1") if v else "x"
    if isinstance(v, list): return v[:-1] if v else [{"id": "x", "reason": "y"}]
    if isinstance(v, dict): return {**v, "tampered": 1}
    return "x"
cases = {}
for k in rec:
    if k == "drawn_at":  # descriptive, checked only to come after every source (docs/DRAW.md §7)
        continue
    c = copy.deepcopy(rec); c[k] = change(c[k]); cases["top-" + k] = c
for k in rec["freeze"]:
    for fix in (0, 1):
        c = copy.deepcopy(rec); c["freeze"][k] = change(c["freeze"][k])
        if fix: c["freeze_sha256"] = hashlib.sha256(canon(c["freeze"]).encode()).hexdigest()
        cases["freeze-%s-%d" % (k, fix)] = c
for k in rec["freeze"]["params"]:
    c = copy.deepcopy(rec); c["freeze"]["params"][k] = change(c["freeze"]["params"][k])
    c["freeze_sha256"] = hashlib.sha256(canon(c["freeze"]).encode()).hexdigest()
    cases["param-" + k] = c
for path in [("selected", 0, "id"), ("selected", 3, "ticket"), ("selected", 2, "stratum"),
             ("strata", 0, "n"), ("assignments", 0, "leader"), ("assignments", 2, "officers"),
             ("assignments", 0, "skipped"), ("assignments", 1, "status"), ("events", 0, "replacement"),
             ("events", 1, "target"), ("assignments", 3, "experts")]:
    c = copy.deepcopy(rec); o = c[path[0]][path[1]]; o[path[2]] = change(o[path[2]])
    cases["-".join(map(str, path))] = c
c = copy.deepcopy(rec); c["selected"][0], c["selected"][1] = c["selected"][1], c["selected"][0]
cases["swap"] = c
for name, c in cases.items():
    json.dump(c, open("%s/%s.json" % (out, name), "w"), ensure_ascii=False)
print(len(cases))
PY
n=0
for f in "$t"/tamper/*.json; do
  for v in "$S verify" "$PY"; do
    if $v "$f" "$t/p.tsv" "$t/o.tsv" --freeze "$fsha" > "$t/v.out" 2>&1; then
      echo "tampering not detected by $v: $(basename "$f")"; exit 1
    fi
    grep -qx 不一致 "$t/v.out" || { echo "no 不一致 from $v for $f"; cat "$t/v.out"; exit 1; }
  done
  n=$((n + 1))
done
[ "$n" -gt 40 ]
# the population file: one id changed, one line dropped, one stratum changed
sed '1s/^\(.\)/X/' "$t/p.tsv" > "$t/p1.tsv"
sed '5d' "$t/p.tsv" > "$t/p2.tsv"
awk -F'\t' 'NR==7{$2=($2=="A"?"B":"A")}1' OFS='\t' "$t/p.tsv" > "$t/p3.tsv"
for p in "$t/p1.tsv" "$t/p2.tsv" "$t/p3.tsv"; do
  for v in "$S verify" "$PY"; do
    if $v "$t/r.json" "$p" "$t/o.tsv" > "$t/v.out" 2>&1; then echo "population edit not detected by $v"; exit 1; fi
  done
done
{ "$S" verify "$t/r.json" "$t/p2.tsv" "$t/o.tsv" || true; } | grep -q "population.sha256"
# the officer file
sed '1d' "$t/o.tsv" > "$t/o1.tsv"
for v in "$S verify" "$PY"; do
  if $v "$t/r.json" "$t/p.tsv" "$t/o1.tsv" > /dev/null 2>&1; then echo "officer edit not detected by $v"; exit 1; fi
done

# re-draw: needs reason and approver, keeps the earlier draw
set +e
"$S" draw redraw --db "$db" --task T1 --sources "$SRC" --reason 系统故障 >/dev/null 2>&1; [ $? -eq 2 ] || die
# the earlier draw's lottery is known by now: a re-draw must name a new one
"$S" draw redraw --db "$db" --task T1 --sources "$SRC" --reason 系统故障 --approver 张局长 >/dev/null 2>"$t/reuse.err"; [ $? -eq 1 ] || die
grep -q '已用于本任务此前的抽取' "$t/reuse.err" || { cat "$t/reuse.err"; die; }
set -e
"$S" draw redraw --db "$db" --task T1 --sources '[{"kind":"fc3d","issue":"2025156","date":"2025-06-05"}]' --reason 系统故障 --approver 张局长 >/dev/null
export SPOTCHECK_TODAY=2025-06-06T09:00
"$S" draw run --db "$db" --task T1 --value 618 >/dev/null
# every standalone step left its audit row, in order, and a refused one left none
acts=$(dbq "$db" "SELECT action FROM audit_log WHERE entity = 'draw' AND entity_id = 'T1' ORDER BY id" | paste -sd ' ')
[ "$acts" = "draw.freeze draw.dice draw.run draw.substitute draw.substitute draw.redraw draw.run" ] || { echo "audit rows: $acts"; exit 1; }
"$S" draw show --db "$db" --task T1 --all > "$t/all.json"
python3 - "$t/all.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
assert [d["status"] for d in a] == ["已作废", "已抽取"], a
assert a[1]["redraw_reason"] == "系统故障" and a[1]["redraw_approver"] == "张局长"
PY
"$S" draw show --db "$db" --task T1 --no 1 --record "$t/old.json" --population "$t/oldp.tsv" --officers "$t/oldo.tsv"
"$S" verify "$t/old.json" "$t/oldp.tsv" "$t/oldo.tsv" | grep -qx 一致
"$S" draw show --db "$db" --task T1 --record "$t/new.json" --population "$t/newp.tsv" --officers "$t/newo.tsv"
"$S" verify "$t/new.json" "$t/newp.tsv" "$t/newo.tsv" | grep -qx 一致
$PY "$t/new.json" "$t/newp.tsv" "$t/newo.tsv" | grep -qx 一致
python3 - "$t/new.json" "$t/r.json" <<'PY'
import hashlib, json, sys
new, old = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
rd = new["freeze"]["redraw"]
assert rd["reason"] == "系统故障" and rd["approver"] == "张局长"
assert new["freeze"]["draw_no"] == 2
PY
# the help texts
"$S" draw --help | grep -q 'freeze'
"$S" verify --help | grep -q '一致'
exit 0
