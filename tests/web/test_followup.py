"""Follow-up (后续处置), the transfer ledger and credit, through test-http on a real drawn task
(fixture_drawn). The published results are INSERTED DIRECTLY in SQL: entering, reviewing and
publishing records belongs to another module, so this test writes the minimum record rows a
publication would leave (status 已公示, result codes, violations) and starts from there."""
import datetime
import os
import subprocess
import urllib.parse
import io
import json
import re
import zipfile
from webtest import SPOTCHECK, Client, Suite, pin_today, version_of
from fixture_drawn import drawn_db, sql

s = Suite()
f = drawn_db()
db, code, tid = f["db"], f["code"], f["tid"]
staff, leader = f["clients"]["staff"], f["clients"]["leader"]
draw_id = sql(db, "SELECT id FROM draw WHERE task_code = ? AND status = '已抽取'", (code,))[0][0]
org = sql(db, "SELECT org_id FROM task WHERE id = ?", (tid,))[0][0]
today = pin_today("2026-06-15")
iso = lambda d: d.isoformat()


def target(where):
    return sql(db, f"SELECT id, code, name FROM target WHERE {where}")[0]


hosp, emp, ins = target("code = 'H13052800001'"), target("uscc = '91110000600037341L'"), target("kind = 'insured'")


def published(t, results, violations=()):
    sql(db, "INSERT INTO record(task_id, draw_id, org_id, target_code, target_id, status, result_codes, checked_on, "
            "published_at, published_by, findings) VALUES (?, ?, ?, ?, ?, '已公示', ?, '2025-09-10', '2025-09-15 09:00:00', 'staff', 1)",
        (tid, draw_id, org, t[1], t[0], results))
    rid = sql(db, "SELECT max(id) FROM record")[0][0]
    for cat in violations:
        sql(db, "INSERT INTO record_violation(record_id, category, amount_cents, description) VALUES (?, ?, 1234560, '')",
            (rid, cat))
    return rid


r_pen = published(hosp, "02,0201", ["38(1)"])
r_rect = published(emp, "03")
r_jud = published(ins, "02", ["41(1)"] if sql(db, "SELECT count(*) FROM refdata WHERE set_name = 'violation_categories' AND code = '41(1)'")[0][0] else [])
r_none = sql(db, "INSERT INTO record(task_id, draw_id, org_id, target_code, target_id, status, result_codes, published_at) "
                 "VALUES (?, ?, ?, 'XX-NONE', NULL, '已公示', '01', '2025-09-15 09:00:00') RETURNING id", (tid, draw_id, org))[0][0]


def fid_of(r):
    m = re.match(r"/followups/(\d+)", r.header("Location") or "")
    return int(m.group(1)) if m else 0


def version(fid):
    return sql(db, "SELECT version FROM followup WHERE id = ?", (fid,))[0][0]


# ---- the list: 待处置 ----
r = staff.get("/followups")
s.check("followups page", r.status == 200, r.status)
s.check("pending lists the published records with findings", all(f"record={x}" in r.text for x in (r_pen, r_rect, r_jud)))
s.check("a result without findings is not pending", f"record={r_none}" not in r.text)
s.check("insured person not named in the list", ins[2] not in r.text)
s.check("no follow-up for a record without findings", staff.get(f"/followups/new?record={r_none}").status == 409)

# ---- 行政处罚 ----
s.check("new form", staff.get(f"/followups/new?record={r_pen}").status == 200)
r = staff.form("/followups", {"record": r_pen, "option": "penalty", "decision_no": "宁医保罚〔2025〕3号"})
s.check("a decision number alone is not enough: 422", r.status == 422, r.status)
s.check("errors in Chinese", "请填写处罚决定日期" in r.text and "请填写金额" in r.text and "请填写处罚决定书文号" not in r.text)
pen = {"record": r_pen, "option": "penalty", "decision_no": "宁医保罚〔2025〕3号", "decision_on": "2025-09-26",
       "amount": "12,34"}
r = staff.form("/followups", pen)
s.check("a bad amount is refused", r.status == 422 and "金额格式不正确" in r.text, r.status)
s.check("typed values kept on the form", "宁医保罚〔2025〕3号" in r.text)
r = staff.form("/followups", dict(pen, amount="12,345.60", decision_on=iso(today + datetime.timedelta(days=3))))
s.check("decision in the future is refused", r.status == 422 and "决定日期不能晚于今天" in r.text)
r = staff.form("/followups", dict(pen, amount="12,345.60"))
f_pen = fid_of(r)
s.check("penalty opened", r.status == 303 and f_pen, r.status)
row = sql(db, "SELECT amount_cents, opened_on, status, version FROM followup WHERE id = ?", (f_pen,))[0]
s.check("amount stored in fen, opened today", row[0] == 1234560 and row[1] == iso(today) and row[2] == "未完结" and row[3] == 1, row)
s.check("penalty decision enters the credit record",
        sql(db, "SELECT count(*) FROM credit_event WHERE kind = '行政处罚' AND followup_id = ? AND target_id = ?",
            (f_pen, hosp[0]))[0][0] == 1)
r = staff.get(f"/followups/{f_pen}")
s.check("detail shows the publication deadline over National Day", r.status == 200 and "2025-10-13" in r.text)
s.check("overdue publication flagged", "已逾期未公示" in r.text)
s.check("registering the publication asks first, naming the decision that becomes public",
        re.search(r'id="publish-form" data-confirm="[^"]*决定书文号 [^"]+[^"]*公开门户', r.text) is not None)
s.check("closing asks first", re.search(r'action="/followups/%d/close"[^>]*data-confirm="完结后' % f_pen, r.text) is not None)
r = staff.form(f"/followups/{f_pen}/close", {})
s.check("close refused before outcome and publication", r.status == 409 and "尚未填写处置结果" in r.text and "处罚决定尚未公示" in r.text, r.status)
s.check("... on the follow-up page with its forms, not a bare error page", 'id="close-error"' in r.text and 'id="edit-form"' in r.text)
r = staff.form(f"/followups/{f_pen}/publish-penalty", {"published_on": iso(today)})
s.check("penalty published (late)", r.status == 303, r.status)
r = staff.get(f"/followups/{f_pen}")
s.check("late publication flagged", 'id="publish-late"' in r.text and "逾期公示" in r.text)
s.check("publication again refused", staff.form(f"/followups/{f_pen}/publish-penalty", {}).status == 409)
r = staff.form(f"/followups/{f_pen}", {"version": 1, "outcome": "已作出行政处罚并执行"})
s.check("an edit on a stale version is refused", r.status == 409 and "已被他人修改" in r.text, r.status)
s.check("... the detail page again: the saved values beside the typed one, the differing field marked",
        'id="followup-stale"' in r.text and f"您编辑的是第 1 版，当前为第 {version(f_pen)} 版" in r.text
        and re.search(r'<tr class="stale-diff"><th scope="row">处置结果</th><td data-label="他人已保存">[^<]*</td>'
                      r'<td data-label="您填写的">已作出行政处罚并执行</td>', r.text) is not None, r.text[r.text.find("followup-stale"):][:800])
s.check("... the typed text kept in the form, which carries the current version",
        ">已作出行政处罚并执行</textarea>" in r.text and f'name="version" value="{version(f_pen)}"' in r.text)
page_version = re.search(r'id="edit-form"><input type="hidden" name="csrf" value="[^"]*"><input type="hidden" name="version" value="(\d+)"', r.text).group(1)
r = staff.form(f"/followups/{f_pen}", {"version": page_version, "outcome": "已作出行政处罚并执行",
                                       "decision_no": "宁医保罚〔2025〕3号", "decision_on": "2025-09-26", "amount": "12,345.60"})
s.check("edit saved", r.status == 303, r.status)
s.check("every change kept the previous version",
        [v[0] for v in sql(db, "SELECT version FROM followup_version WHERE followup_id = ? ORDER BY version", (f_pen,))] == [1, 2])
s.check("finding not closed while the follow-up is open", 'id="finding-closed"' not in staff.get(f"/followups/{f_pen}").text)
r = staff.form(f"/followups/{f_pen}/close", {})
s.check("penalty closed once published with an outcome", r.status == 303, r.status)
r = staff.get(f"/followups/{f_pen}")
s.check("closed, finding closed", "已完结" in r.text and 'id="finding-closed"' in r.text)
s.check("the versions name the option, not its code", "<td>行政处罚</td>" in r.text.split('id="versions"')[1]
        and "<td>penalty</td>" not in r.text)
s.check("closed follow-up cannot be edited", staff.form(f"/followups/{f_pen}", {"version": version(f_pen), "outcome": "x"}).status == 409)

# ---- 责令限期整改 ----
r = staff.form("/followups", {"record": r_rect, "option": "rectify", "rectify_deadline": iso(today)})
s.check("deadline must be after today", r.status == 422 and "整改期限应晚于今天" in r.text, r.status)
r = staff.form("/followups", {"record": r_rect, "option": "rectify", "rectify_deadline": iso(today + datetime.timedelta(days=30))})
f_rect = fid_of(r)
s.check("rectification opened", r.status == 303 and f_rect, r.status)
s.check("rectification due shown", iso(today + datetime.timedelta(days=30)) in staff.get("/followups").text)
r = staff.form(f"/followups/{f_rect}", {"version": version(f_rect), "outcome": "已责令整改"})
s.check("outcome saved", r.status == 303, r.status)
r = staff.form(f"/followups/{f_rect}/close", {})
s.check("close refused until re-checked", r.status == 409 and "整改情况尚未复查" in r.text, r.status)
r = staff.form(f"/followups/{f_rect}", {"version": version(f_rect), "recheck_result": "已整改到位"})
s.check("recheck result without date refused", r.status == 422 and "复查日期" in r.text, r.status)
r = staff.form(f"/followups/{f_rect}", {"version": version(f_rect), "recheck_on": iso(today), "recheck_result": "已整改到位"})
s.check("recheck saved", r.status == 303, r.status)
s.check("rectification closed after recheck", staff.form(f"/followups/{f_rect}/close", {}).status == 303)
s.check("rectified record's finding closed", "已完结" in staff.get(f"/followups/{f_rect}").text)

# ---- 移送司法机关 and the transfer ledger ----
r = staff.form("/followups", {"record": r_jud, "option": "judicial"})
s.check("transfer needs a receiver", r.status == 422 and "请填写接收部门或机关" in r.text, r.status)
r = staff.form("/followups", {"record": r_jud, "option": "judicial", "receiver": "宁晋县公安局", "outcome": "已移送公安机关"})
f_jud = fid_of(r)
s.check("judicial transfer opened", r.status == 303 and f_jud, r.status)
r = staff.form(f"/followups/{f_jud}/close", {})
s.check("close refused without a transfer", r.status == 409 and "尚未登记移送" in r.text, r.status)
r = staff.form("/transfers", {"followup": f_jud, "kind": "移送司法机关", "receiver": "", "sent_on": iso(today)})
s.check("transfer needs a receiver (422)", r.status == 422 and "请填写接收部门或机关" in r.text, r.status)
r = staff.form("/transfers", {"followup": f_jud, "kind": "移送司法机关", "receiver": "宁晋县公安局", "sent_on": "2025-09-09"})
s.check("transfer before the check refused (422)", r.status == 422 and "移送日期不能早于检查日期（2025-09-10）" in r.text and
        not sql(db, "SELECT id FROM transfer WHERE followup_id = ?", (f_jud,)), r.status)
r = staff.form("/transfers", {"followup": f_jud, "kind": "移送司法机关", "receiver": "宁晋县公安局", "sent_on": iso(today),
                              "doc_no": "宁医保移〔2025〕1号", "summary": "涉嫌骗取医保基金"})
s.check("transfer recorded", r.status == 303, r.status)
t_id = sql(db, "SELECT id FROM transfer WHERE followup_id = ?", (f_jud,))[0][0]
s.check("close refused until feedback", staff.form(f"/followups/{f_jud}/close", {}).status == 409)
r = staff.get("/transfers")
s.check("ledger lists the transfer", r.status == 200 and "宁晋县公安局" in r.text and "宁医保移〔2025〕1号" in r.text)
s.check("ledger filter by status", "宁晋县公安局" in staff.get("/transfers?status=%E5%B7%B2%E7%A7%BB%E9%80%81").text and
        "宁晋县公安局" not in staff.get("/transfers?status=%E5%B7%B2%E5%8A%9E%E7%BB%93").text)
s.check("ledger: insured person not named", ins[2] not in r.text)
r = staff.get("/transfers?format=xlsx")
ok = False
if r.status == 200:
    z = zipfile.ZipFile(io.BytesIO(r.body))
    sheet = z.read("xl/worksheets/sheet1.xml").decode()
    strings = z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else ""
    ok = "宁晋县公安局" in sheet + strings and "宁医保移〔2025〕1号" in sheet + strings and ins[2] not in sheet + strings
s.check("ledger exported as xlsx with the row", ok, r.status)
r = staff.form(f"/transfers/{t_id}/feedback", {"feedback": "", "feedback_on": iso(today)})
s.check("feedback needs a text", r.status == 422 and "请填写反馈情况" in r.text, r.status)
r = staff.form(f"/transfers/{t_id}/feedback", {"feedback": "已立案侦查", "feedback_on": iso(today), "done": "1"})
s.check("feedback and 已办结", r.status == 303 and sql(db, "SELECT status FROM transfer WHERE id = ?", (t_id,))[0][0] == "已办结")
s.check("judicial follow-up closed", staff.form(f"/followups/{f_jud}/close", {}).status == 303)

# a penalty on the insured person: on the public page never named
r = staff.form("/followups", {"record": r_jud, "option": "penalty", "decision_no": "宁医保罚〔2025〕9号",
                              "decision_on": iso(today), "amount": "800"})
f_ins = fid_of(r)
s.check("second follow-up on the same record", r.status == 303 and f_ins)
s.check("published in time is not flagged", staff.form(f"/followups/{f_ins}/publish-penalty", {}).status == 303 and
        'id="publish-late"' not in staff.get(f"/followups/{f_ins}").text)

# a penalty opened before the decision is made (立案 → 调查 → 告知 → 决定 takes weeks): allowed, closing is not
r = staff.form("/followups", {"record": r_pen, "option": "penalty", "outcome": "已立案调查"})
f_wait = fid_of(r)
s.check("penalty opened without a decision yet", r.status == 303 and f_wait and
        sql(db, "SELECT decision_no, amount_cents FROM followup WHERE id = ?", (f_wait,)) == [(None, None)], r.status)
r = staff.form(f"/followups/{f_wait}/close", {})
s.check("closing refused until the decision is filled in", r.status == 409 and "尚未填写处罚决定" in r.text, r.status)
s.check("no credit event without a decision",
        not sql(db, "SELECT 1 FROM credit_event WHERE kind = '行政处罚' AND followup_id = ?", (f_wait,)))

# ---- other options from the data file: each opens with its own rules ----
for opt, extra in (("none", {}), ("other", {}), ("feedback", {"receiver": "日常监管科"}), ("case", {"receiver": "稽核科"}),
                   ("notify", {"receiver": "县卫健局"}), ("transfer", {"receiver": "县市场监管局"})):
    r = staff.form("/followups", dict({"record": r_rect, "option": opt}, **extra))
    s.check(f"option {opt} opens", r.status == 303, r.status)
r = staff.form("/followups", {"record": r_rect, "option": "bogus"})
s.check("unknown option refused", r.status == 422 and "请选择处置方式" in r.text)

# ---- credit ----
r = staff.get(f"/credit/{hosp[0]}")
s.check("credit record shows the penalty", r.status == 200 and "行政处罚决定书" in r.text and "宁医保罚〔2025〕3号" in r.text)
r = staff.form(f"/credit/{hosp[0]}/grade", {"grade": "D", "reason": ""})
s.check("grade adjustment needs a reason", r.status == 422 and "请填写调整理由" in r.text, r.status)
before_versions = sql(db, "SELECT count(*) FROM entity_version WHERE entity = 'target' AND entity_id = ?", (hosp[0],))[0][0]
r = staff.form(f"/credit/{hosp[0]}/grade", {"grade": "D", "reason": "受到行政处罚，风险升高", "basis": ""})
s.check("... and a basis (评价文号 or the check record), the typed reason kept", r.status == 422 and "请填写调整依据" in r.text
        and "受到行政处罚，风险升高" in r.text, r.status)
r = staff.form(f"/credit/{hosp[0]}/grade", {"grade": "D", "reason": "受到行政处罚，风险升高", "basis": "宁医保罚〔2025〕3号"})
s.check("grade adjusted", r.status == 303, r.status)
s.check("target grade changed", sql(db, "SELECT grade FROM target WHERE id = ?", (hosp[0],))[0][0] == "D")
s.check("a directory version was made",
        sql(db, "SELECT count(*) FROM entity_version WHERE entity = 'target' AND entity_id = ?", (hosp[0],))[0][0] == before_versions + 1)
ev = sql(db, "SELECT grade_before, grade_after, reason, basis FROM credit_event WHERE target_id = ? AND kind = '等级调整'", (hosp[0],))
s.check("credit event with before/after, reason and basis", ev == [("B", "D", "受到行政处罚，风险升高", "宁医保罚〔2025〕3号")], ev)
# the same rule on every path: the directory form, the API and an import
edit = {"kind": "institution", "name": "宁晋县人民医院", "uscc": "12110000400686291H", "mi_code": "H13052800001", "org_id": "130528",
        "region": "130528", "grade": "A"}
r = staff.form(f"/d/targets/{hosp[0]}/edit", dict(edit, version=version_of(db, "target", hosp[0])))
s.check("the directory form will not change a grade without reason and basis", r.status == 422 and "调整信用风险等级须填写理由" in r.text
        and sql(db, "SELECT grade FROM target WHERE id = ?", (hosp[0],))[0][0] == "D", r.status)
r = staff.post_json(f"/api/v1/targets/{hosp[0]}", {"version": int(version_of(db, "target", hosp[0])), "grade": "A"}, "PUT")
fields = r.json().get("error", {}).get("fields", {}) if r.status == 422 else {}
s.check("... nor the API (422 under grade_reason and grade_basis)", "grade_reason" in fields and "grade_basis" in fields, r.text[:300])
r = staff.post_json(f"/api/v1/targets/{hosp[0]}", {"version": int(version_of(db, "target", hosp[0])), "grade": "C",
                                                  "grade_reason": "整改到位，复查合格", "grade_basis": "复查记录 2025-07-01"}, "PUT")
s.check("the API changes it with both, into the credit record", r.status == 200 and
        sql(db, "SELECT grade_after, basis FROM credit_event WHERE target_id = ? ORDER BY id DESC LIMIT 1", (hosp[0],))[0] ==
        ("C", "复查记录 2025-07-01"), r.text[:300])
imp = os.path.join(os.path.dirname(db), "grade.csv")
with open(imp, "w", encoding="utf-8") as fh:
    fh.write("对象类型,名称,统一社会信用代码,医保编码,身份证号,所属机构,行政区划,信用风险等级\n"
             "定点医疗机构,宁晋县人民医院,12110000400686291H,H13052800001,,130528,130528,A\n")
p = subprocess.run([SPOTCHECK, "import", "targets", imp, "--db", db], capture_output=True, text=True)
s.check("... nor an import", p.returncode == 1 and "理由和依据" in (p.stdout + p.stderr) and
        sql(db, "SELECT grade FROM target WHERE id = ?", (hosp[0],))[0][0] == "C", p.stdout + p.stderr)
s.check("same grade refused", staff.form(f"/credit/{hosp[0]}/grade", {"grade": "C", "reason": "x", "basis": "y"}).status == 422)

# ---- the rule table (data/credit_rules.tsv) proposes, the leader confirms with a reason ----
ins_grade = sql(db, "SELECT grade FROM target WHERE id = ?", (ins[0],))[0][0]
r = staff.get(f"/credit/{ins[0]}")
s.check("the insured person's penalty and judicial transfer propose D, waiting for the leader", r.status == 200
        and 'id="proposal"' in r.text and "受到行政处罚" in r.text and "移送司法机关" in r.text and "宁医保罚〔2025〕9号" in r.text
        and 'id="proposal-waiting"' in r.text and 'id="confirm-form"' not in r.text and ins_grade != "D", f"{r.status} {ins_grade}")
s.check("... the page still never names the insured person", ins[2] not in r.text)
s.check("staff cannot confirm (403)", staff.form(f"/credit/{ins[0]}/confirm", {"grade": "D", "reason": "x"}).status == 403)
r = leader.get(f"/credit/{ins[0]}")
s.check("the leader sees the facts and the confirm form", 'id="confirm-form"' in r.text and 'name="grade" value="D"' in r.text)
# the leader's to-do list (home and /api/v1/todo) names the targets whose proposal waits, the same set as the
# credit pages propose (credit_pending decides it in SQL, credit_proposal per target)
todo = [e for e in leader.get("/api/v1/todo").json()["todo"] if e["kind"] == "credit.confirm"]
facts = [t for (t,) in sql(db, "SELECT DISTINCT r.target_id FROM followup f JOIN record r ON r.id = f.record_id "
                               "WHERE r.target_id IS NOT NULL UNION SELECT target_id FROM record WHERE fraud_purpose = 1")]
proposed = {t for t in facts if 'id="proposal"' in leader.get(f"/credit/{t}").text}
s.check("the leader's to-do lists the targets whose grade proposal waits, each linking its credit record",
        {e["href"] for e in todo} == {f"/credit/{t}" for t in proposed} and f"/credit/{ins[0]}" in {e["href"] for e in todo},
        f"{todo} {proposed}")
e_ins = [e for e in todo if e["href"] == f"/credit/{ins[0]}"]
s.check("... with the proposed grade, the insured person unnamed",
        e_ins and "建议调整为 D" in e_ins[0]["detail"] and ins[2] not in e_ins[0]["title"], str(e_ins))
r = leader.get("/")
s.check("... on the home page too", f'<a href="/credit/{ins[0]}">信用等级建议待确认：' in r.text, r.text[-800:])
s.check("staff's to-do does not list them (they cannot confirm)",
        not [e for e in staff.get("/api/v1/todo").json()["todo"] if e["kind"] == "credit.confirm"])
r = leader.form(f"/credit/{ins[0]}/confirm", {"grade": "D", "reason": ""})
s.check("confirming needs a reason", r.status == 422 and "请填写调整理由" in r.text, r.status)
r = leader.form(f"/credit/{ins[0]}/confirm", {"grade": "C", "reason": "依规则"})
s.check("a grade other than the proposal is refused", r.status == 422 and "建议等级已变化" in r.text, r.status)
r = leader.form(f"/credit/{ins[0]}/confirm", {"grade": "D", "reason": "受到行政处罚并移送司法机关，风险高"})
s.check("the leader confirms D", r.status == 303 and sql(db, "SELECT grade FROM target WHERE id = ?", (ins[0],))[0][0] == "D", r.status)
ev = sql(db, "SELECT grade_before, grade_after, reason, basis, by_user FROM credit_event WHERE target_id = ? AND kind = '等级调整' "
             "ORDER BY id DESC LIMIT 1", (ins[0],))
s.check("... into the credit record with the rules and the facts as its basis",
        ev and ev[0][:3] == (ins_grade, "D", "受到行政处罚并移送司法机关，风险高") and "受到行政处罚→D" in ev[0][3]
        and ev[0][4] == "leader", str(ev))
s.check("... audited as credit.confirm", sql(db, "SELECT count(*) FROM audit_log WHERE action = 'credit.confirm' AND entity_id = ?",
                                             (str(ins[0]),))[0][0] == 1)
r = leader.get(f"/credit/{ins[0]}")
s.check("... and the proposal is gone (facts before a grade change do not count again)", r.status == 200 and 'id="proposal"' not in r.text)
s.check("... and so is its to-do entry", f"/credit/{ins[0]}" not in
        [e["href"] for e in leader.get("/api/v1/todo").json()["todo"] if e["kind"] == "credit.confirm"])
s.check("the hospital's penalty came before its last grade change: no proposal",
        'id="proposal"' not in staff.get(f"/credit/{hosp[0]}").text)
s.check("a rule only raises: the employer at C is not proposed C again", 'id="proposal"' not in staff.get(f"/credit/{emp[0]}").text
        or sql(db, "SELECT grade FROM target WHERE id = ?", (emp[0],))[0][0] < "C")

# ---- permissions and scope ----
officer = f["officer_user_for"](f["groups"][f["targets"][0]][0][0])
s.check("leader may read follow-ups", leader.get("/followups").status == 200 and leader.get(f"/followups/{f_pen}").status == 200)
s.check("leader cannot open (403)", leader.form("/followups", {"record": r_rect, "option": "none"}).status == 403)
s.check("leader cannot close (403)", leader.form(f"/followups/{f_rect}/close", {}).status == 403)
s.check("leader cannot adjust grades (403)", leader.form(f"/credit/{hosp[0]}/grade", {"grade": "A", "reason": "x"}).status == 403)
s.check("officer cannot read (403)", officer.get("/followups").status == 403)
s.check("officer cannot write (403)", officer.form("/transfers", {"followup": f_jud}).status == 403)
lc = Client(db)
lc.login("lincheng")
s.check("other county: follow-up 404", lc.get(f"/followups/{f_pen}").status == 404)
s.check("other county: close 404", lc.form(f"/followups/{f_rect}/close", {}).status == 404)
s.check("other county: feedback 404", lc.form(f"/transfers/{t_id}/feedback", {"feedback": "x", "feedback_on": iso(today)}).status == 404)
s.check("other county: open 404", lc.form("/followups", {"record": r_rect, "option": "none"}).status == 404)
s.check("other county: credit 404", lc.get(f"/credit/{hosp[0]}").status == 404 and
        lc.form(f"/credit/{hosp[0]}/grade", {"grade": "A", "reason": "x"}).status == 404)
r = lc.get("/followups")
s.check("other county sees none of it", r.status == 200 and "宁晋县人民医院" not in r.text)
s.check("other county ledger empty", "宁晋县公安局" not in lc.get("/transfers").text)
s.check("other county API 404", lc.get(f"/api/v1/followups/{f_pen}").status == 404)

# ---- JSON API ----
r = staff.get("/api/v1/followups")
j = r.json() if r.status == 200 else {}
s.check("API list", r.status == 200 and any(x["id"] == f_pen for x in j.get("followups", [])) and "pending" in j)
r = staff.get(f"/api/v1/followups/{f_pen}")
j = r.json() if r.status == 200 else {}
s.check("API detail with versions and clocks", j.get("status") == "已完结" and len(j.get("versions", [])) == 3 and
        j.get("clocks", {}).get("publish_due") == "2025-10-13" and j["clocks"].get("publish_late") is True, j)
s.check("API status filter", all(x["status"] == "未完结" for x in staff.get("/api/v1/followups?status=%E6%9C%AA%E5%AE%8C%E7%BB%93").json()["followups"]))

# ---- public penalties ----
r = Client(db).get("/public/penalties")
s.check("public penalties page", r.status == 200 and "宁医保罚〔2025〕3号" in r.text and "12,345.60" in r.text and
        "宁晋县人民医院" in r.text and "12110000400686291H" in r.text and "宁晋县医疗保障局" in r.text)
s.check("violation labels from refdata", "分解住院、挂床住院" in r.text)
s.check("insured person never named, not even masked", ins[2] not in r.text and "宁医保罚〔2025〕9号" in r.text
        and ins[2][0] + "*" not in r.text and "参保人（个人信息不公开）" in r.text)
s.check("no grades on the public page", "等级" not in r.text and "grade" not in r.text)
s.check("portal links the penalties", "/public/penalties" in Client(db).get("/public/").text)
r = Client(db).get("/public/penalties?q=" + urllib.parse.quote("人民医院"))
s.check("search by a unit's name", r.status == 200 and "宁医保罚〔2025〕3号" in r.text and "宁医保罚〔2025〕9号" not in r.text, r.status)
r = Client(db).get("/public/penalties?q=" + urllib.parse.quote(ins[2]))
s.check("an insured person's name finds nothing", r.status == 200 and "宁医保罚〔2025〕9号" not in r.text and "共 0 条" in r.text)
r = Client(db).get("/public/penalties?q=" + urllib.parse.quote("罚〔2025〕9号"))
s.check("search by decision number, the person still not named", "宁医保罚〔2025〕9号" in r.text and ins[2] not in r.text and "共 1 条" in r.text)
for i in range(25):  # 27 published decisions: two pages of 20
    sql(db, "INSERT INTO followup(record_id, org_id, option, opened_on, decision_no, decision_on, amount_cents, penalty_published_on) "
            "VALUES (?, ?, 'penalty', '2025-09-20', ?, '2025-09-20', 100, '2025-09-22')", (r_pen, org, f"宁医保罚〔2024〕{100 + i}号"))
r = Client(db).get("/public/penalties")
s.check("first page: 20 decisions and a next link", r.text.count("<tr><td data-label=") == 20 and "共 27 条" in r.text and
        'rel="next"' in r.text and 'rel="prev"' not in r.text, r.text.count("<tr><td data-label="))
r = Client(db).get("/public/penalties?q=&page=2")
s.check("second page: the other 7, newest first overall", r.text.count("<tr><td data-label=") == 7 and 'rel="prev"' in r.text and
        'rel="next"' not in r.text and "宁医保罚〔2025〕3号" not in r.text, r.text.count("<tr><td data-label="))
s.check("a page beyond the last is empty, not an error", Client(db).get("/public/penalties?page=9").status == 200)

# ---- the closed follow-ups are paged (50 a page, newest first); open ones are all listed ----
closed_before = sql(db, "SELECT count(*) FROM followup WHERE status = '已完结'")[0][0]
for i in range(60):
    sql(db, "INSERT INTO followup(record_id, org_id, option, opened_on, status, closed_on, outcome) "
            "VALUES (?, ?, 'none', '2025-09-20', '已完结', '2025-09-21', ?)", (r_rect, org, f"历史处置{i}"))
closed_all = closed_before + 60
def closed_rows(text):
    part = text[text.find('id="closed"'):]
    part = part[:part.find("</table>")]
    return part.count('<tr><td><a href="/followups/')
r = staff.get("/followups")
s.check("closed list: first page of 50, newest first, with the total and a next link",
        closed_rows(r.text) == 50 and f"共 {closed_all} 项" in r.text and "历史处置59" in r.text and 'href="/followups?page=2"' in r.text,
        closed_rows(r.text))
r = staff.get("/followups?page=2")
s.check("closed list: the rest on page 2", closed_rows(r.text) == closed_all - 50 and "历史处置0" in r.text and 'rel="prev"' in r.text,
        closed_rows(r.text))
def open_rows(text):
    part = text[text.find('id="open"'):]
    part = part[:part.find("</table>")]
    return part.count('<a href="/followups/')
n_open = sql(db, "SELECT count(*) FROM followup WHERE status = '未完结'")[0][0]
s.check("open follow-ups are all listed on every page", n_open > 25 and open_rows(r.text) == n_open == open_rows(staff.get("/followups").text),
        (n_open, open_rows(r.text)))

# ---- audit ----
acts = {a for (a,) in sql(db, "SELECT action FROM audit_log")}
want = {"followup.open", "followup.update", "followup.publish_penalty", "followup.close", "transfer.create",
        "transfer.feedback", "credit.grade", "export.transfers"}
s.check("every change audited", want <= acts, want - acts)
late = sql(db, "SELECT after FROM audit_log WHERE action = 'followup.publish_penalty' AND entity_id = ?", (str(f_pen),))
s.check("audit says the publication was late", late and json.loads(late[0][0]).get("publish_late") is True, late)
s.check("audit rows carry the org", sql(db, "SELECT count(*) FROM audit_log WHERE action LIKE 'followup.%' AND org_id = ?", (org,))[0][0] >= 5)
s.done()
