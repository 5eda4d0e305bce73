"""The whole chain from inspection to closure through the real modules, with no record, result or
follow-up row written in SQL: an officer fills, uploads, signs and submits a record (record.*), the
leader returns it and approves it after a fix (result.*), staff publish it and the public portal
finds it, staff open, publish and close a 行政处罚 follow-up (followup.*, credit.*), and the year's
figures (figures.*), the deadline clocks (deadline.*, page_dash.c, `spotcheck remind`), the credit
record and the exchange export all see the same facts.

SQL is used only to read and assert, to link the officer account (fixture) and to move the task's
month_to back so that the never-filled target's 20-working-day clock has passed."""
import csv
import datetime
import io
import json
import os
import html
import re
import subprocess
import base64
import dbtool
from fixture_drawn import drawn_db, sql
from webtest import SPOTCHECK, Client, Suite, multipart, pin_today, png

s = Suite()
# December: the 20 working days of entry and publication run into a year whose State Council
# notice is not in data/holidays.tsv, so they are counted provisionally (预计)
today = pin_today("2026-12-07")
iso = lambda d: d.isoformat()
f = drawn_db(year=str(today.year))
db, tid, code, groups = f["db"], f["tid"], f["code"], f["groups"]
staff, leader = f["clients"]["staff"], f["clients"]["leader"]
reviewer, anon, lincheng = Client(db), Client(db), Client(db)
reviewer.login("reviewer")
lincheng.login("lincheng")
HOSP, EMPL = "H13052800001", "91110000600037341L"
s.check("fixture drew the hospital and the employer", HOSP in groups and EMPL in groups, str(groups))
officers = [c for c, role in groups[HOSP] if role != "专家"]
o = f["officer_user_for"](officers[0])
hosp_id = sql(db, "SELECT id FROM target WHERE code = ?", (HOSP,))[0][0]

# The never-filled employer's clock starts at the last day of month_to: move it two months back.
past = today.replace(day=1) - datetime.timedelta(days=40)
sql(db, "UPDATE task SET month_to = ? WHERE id = ?", (past.strftime("%Y-%m"), tid))


def status(rid):
    return sql(db, "SELECT status FROM record WHERE id = ?", (rid,))[0][0]






# ---------------- 1. the officer fills the record ----------------
r = o.get("/my")
s.check("/my links the records and the deadlines", r.status == 200 and 'href="/my/records"' in r.text
        and 'href="/my/deadlines"' in r.text, str(r.status))
r = o.get("/my/records")
s.check("officer's record list", r.status == 200 and "宁晋县人民医院" in r.text, str(r.status))
m = re.search(r'href="/my/records/(\d+)"><strong>宁晋县人民医院', r.text)
rid = int(m.group(1)) if m else 0
s.check("the hospital's record is listed as 待录入", rid and status(rid) == "待录入", r.text[-600:])
rid_e = sql(db, "SELECT id FROM record WHERE task_id = ? AND target_code = ?", (tid, EMPL))[0][0]
r = o.get(f"/my/records/{rid}")
s.check("form page", r.status == 200 and 'id="record-form"' in r.text and "价格行为检查" in r.text, str(r.status))
version = int(re.search(r'name="version" value="(\d+)"', r.text).group(1))
checked_from, checked_on = iso(today - datetime.timedelta(days=1)), iso(today - datetime.timedelta(days=1))  # the draw's day
# month_to was moved back above: the check lies after the task's period and needs a 超期说明
form = [("version", str(version)), ("checked_from", checked_from), ("checked_on", checked_on),
        ("dates_reason", "被检查单位停业整顿，检查顺延至抽查时间之后"),
        ("remarks", "责令退回违规金额"), ("notes", "内部备注不公开"), ("refusal_reason", ""),
        ("result_codes", "0201"), ("officers", officers[0]), ("officers", officers[1]),
        ("item1_methods", "onsite"), ("item1_methods", "documents"), ("item1_result", "0201"),
        ("item1_notes", "串换药品 12 笔"), ("item2_methods", "onsite"), ("item2_result", "01"), ("item2_notes", ""),
        ("v_id", ""), ("v_category", "38(4)"), ("v_amount", "12,345.60"), ("v_item", "1"), ("v_desc", "串换药品"),
        ("action", "save")]
r = o.form(f"/my/records/{rid}", form)
s.check("save redirects", r.status == 303, f"{r.status} {r.text[r.text.find('form-errors'):][:400]}")
row = sql(db, "SELECT version, checked_from, checked_on, result_codes, officers FROM record WHERE id = ?", (rid,))[0]
s.check("saved with dates, result and two officers", row[1:] == (checked_from, checked_on, "0201", ",".join(officers[:2])), str(row))
it = sql(db, "SELECT methods, result FROM record_item WHERE record_id = ? ORDER BY position", (rid,))
s.check("items with methods and results", it == [("onsite,documents", "0201"), ("onsite", "01")], str(it))
s.check("violation with its amount", sql(db, "SELECT category, amount_cents FROM record_violation WHERE record_id = ?", (rid,))
        == [("38(4)", 1234560)])
photo = png(8, 6)
body, h = multipart({"csrf": o.csrf}, {"file": ("现场照片.png", photo, "image/png")})
r = o.do("POST", f"/my/records/{rid}/files", body, h)
s.check("photo uploaded", r.status == 303, f"{r.status} {r.text[-300:]}")
photo_id = sql(db, "SELECT id FROM record_file WHERE record_id = ? AND kind = 'photo'", (rid,))[0][0]
r = o.form(f"/my/records/{rid}/signature", {"signer_name": "刘院长",
                                           "signature": "data:image/png;base64," + base64.b64encode(png(60, 20)).decode()})
s.check("signature saved", r.status == 303, f"{r.status} {r.text[-300:]}")
r = o.form(f"/my/records/{rid}/submit", {})
s.check("submitted", r.status == 303 and status(rid) == "待审核", f"{r.status} {r.text[-300:]}")

# ---------------- 2. review: return, fix, resubmit, approve ----------------
r = leader.get("/review")
s.check("review queue lists it", r.status == 200 and f"/review/{rid}" in r.text, str(r.status))
r = leader.get(f"/review/{rid}")
s.check("review page shows items, violation, photo and signer", r.status == 200 and "12,345.60" in r.text.replace("12345.60", "12,345.60")
        and "价格行为检查" in r.text and "现场照片.png" in r.text and "刘院长" in r.text, str(r.status))
opinion = "违规金额计算依据不全，请补充结算清单"
r = leader.form(f"/review/{rid}/return", {"opinion": opinion})
s.check("leader returns with an opinion", r.status == 303 and status(rid) == "退回", str(r.status))
r = o.get("/my/records")
s.check("the officer's list shows 退回", r.status == 200 and "退回" in r.text)
r = o.get(f"/my/records/{rid}")
s.check("the officer sees the opinion on the editable form", r.status == 200 and opinion in r.text and 'id="record-form"' in r.text,
        str(r.status))
version = int(re.search(r'name="version" value="(\d+)"', r.text).group(1))
vid = sql(db, "SELECT id FROM record_violation WHERE record_id = ?", (rid,))[0][0]
fixed = [("version", str(version))] + [x for x in form[1:] if x[0] not in ("v_id", "remarks", "item1_notes", "v_desc")] + \
    [("v_id", str(vid)), ("remarks", "责令退回违规金额，已补充结算清单"), ("item1_notes", "串换药品 12 笔，附结算清单"),
     ("v_desc", "串换药品（结算清单已附）")]
fixed = [x if x[0] != "action" else ("action", "submit") for x in fixed]
r = o.form(f"/my/records/{rid}", fixed)
s.check("fixed and resubmitted in one step", r.status == 303 and status(rid) == "待审核", f"{r.status} {r.text[-400:]}")
s.check("the fix is stored", sql(db, "SELECT remarks FROM record WHERE id = ?", (rid,))[0][0] == "责令退回违规金额，已补充结算清单")
s.check("one violation, edited not duplicated", sql(db, "SELECT id, description FROM record_violation WHERE record_id = ? AND status = '有效'",
                                                    (rid,)) == [(vid, "串换药品（结算清单已附）")])
r = leader.form(f"/review/{rid}/approve", {})
s.check("leader approves", r.status == 303 and status(rid) == "审核通过", str(r.status))

# ---------------- 3. publication and the public portal ----------------
r = staff.get("/results")
s.check("publication list shows it", r.status == 200 and f"/results/{rid}" in r.text, str(r.status))
r = staff.form(f"/results/{rid}/publish", {})
s.check("staff publishes", r.status == 303 and status(rid) == "已公示", f"{r.status} {r.text[-300:]}")
op = sql(db, "SELECT opinion, on_day FROM record_event WHERE record_id = ? AND action = '公示'", (rid,))[0]
s.check("published in time", not (op[0] or "").startswith("逾期") and op[1] == iso(today), str(op))
s.check("marked with findings", sql(db, "SELECT findings FROM record WHERE id = ?", (rid,))[0][0] == 1)
for q in ("宁晋县人民医院", HOSP, "12110000400686291H"):
    r = anon.get("/public/results?q=" + q)
    s.check(f"public search finds it by {q}", r.status == 200 and f"/public/results/{rid}" in r.text, str(r.status))
r = anon.get(f"/public/results/{rid}")
s.check("public record: the five fields", r.status == 200 and all(k in r.text for k in ("检查实施机关", "类型", "日期", "结果", "备注"))
        and "宁晋县医疗保障局" in r.text and checked_on in r.text and "违反医疗保障相关规定" in r.text
        and "责令退回违规金额，已补充结算清单" in r.text, str(r.status))
s.check("public record: no grade, notes, officers, signer or photo", all(x not in r.text for x in
        ("等级", "信用风险", "内部备注", "刘院长", "现场照片", "/files/") + tuple(officers)))
r = anon.get("/public/results")
s.check("public list: no insured name or ID", "张三丰" not in r.text and "11010519491231002X" not in r.text)

# ---------------- 4. follow-up: 行政处罚 ----------------
r = staff.get("/followups")
s.check("the published finding is pending follow-up", r.status == 200 and f"record={rid}" in r.text, str(r.status))
r = staff.get(f"/followups/new?record={rid}")
s.check("follow-up form", r.status == 200, str(r.status))
decision_on = iso(today)
r = staff.form("/followups", {"record": rid, "option": "penalty", "decision_no": "宁医保罚〔2026〕8号",
                              "decision_on": decision_on, "amount": "12,345.60"})
m = re.match(r"/followups/(\d+)", r.header("Location") or "")
fid = int(m.group(1)) if m else 0
s.check("penalty follow-up opened", r.status == 303 and fid, f"{r.status} {r.text[-300:]}")
r = staff.form(f"/followups/{fid}/publish-penalty", {"published_on": iso(today)})
s.check("penalty published within 7 working days", r.status == 303, f"{r.status} {r.text[-300:]}")
r = staff.get(f"/followups/{fid}")
s.check("not flagged late", r.status == 200 and 'id="publish-late"' not in r.text)
v = sql(db, "SELECT version FROM followup WHERE id = ?", (fid,))[0][0]
r = staff.form(f"/followups/{fid}", {"version": v, "outcome": "已作出行政处罚并执行到位", "decision_no": "宁医保罚〔2026〕8号",
                                     "decision_on": decision_on, "amount": "12,345.60"})
s.check("outcome entered", r.status == 303, f"{r.status} {r.text[-300:]}")
r = staff.form(f"/followups/{fid}/close", {})
s.check("follow-up closed", r.status == 303, f"{r.status} {r.text[-300:]}")
r = staff.get(f"/followups/{fid}")
s.check("the record's finding counts as closed", r.status == 200 and "已完结" in r.text and 'id="finding-closed"' in r.text)
r = anon.get("/public/penalties")
s.check("public penalties shows it", r.status == 200 and "宁医保罚〔2026〕8号" in r.text and "12,345.60" in r.text
        and "宁晋县人民医院" in r.text, str(r.status))
s.check("public penalties: no grade", "等级" not in r.text)

# ---------------- 4a. 回访 (000 四(三)) after publication ----------------
r = staff.get(f"/results/{rid}")
s.check("the published record offers 回访", r.status == 200 and 'id="revisit-form"' in r.text and "尚未回访" in r.text, str(r.status))
future = iso(today + datetime.timedelta(days=3))
r = staff.form(f"/results/{rid}/revisits", {"on_day": future, "method": "电话", "conduct": "规范", "summary": "电话回访院长"})
s.check("a visit dated in the future is refused beside the form, what was typed kept", r.status == 422
        and "回访日期不能晚于今天" in r.text and "电话回访院长" in r.text and 'value="电话" selected' in r.text, str(r.status))
r = staff.form(f"/results/{rid}/revisits", {"on_day": iso(today), "method": "电话", "conduct": "规范", "summary": ""})
s.check("... and one without what was heard", r.status == 422 and "请填写回访情况" in r.text, str(r.status))
r = staff.form(f"/results/{rid}/revisits", {"on_day": iso(today), "method": "电话", "conduct": "规范",
                                           "summary": "院方反映检查人员出示证件、程序规范，整改已完成"})
s.check("a visit is recorded", r.status == 303, f"{r.status} {r.text[-200:]}")
r = staff.get(f"/results/{rid}")
s.check("... and listed on the record", "院方反映检查人员出示证件、程序规范" in r.text and "尚未回访" not in r.text)
s.check("the leader cannot record one (403)", leader.form(f"/results/{rid}/revisits", {"on_day": iso(today), "method": "电话",
                                                                                      "conduct": "规范", "summary": "x"}).status == 403)
s.check("a record not yet published cannot be visited", staff.form(f"/results/{rid_e}/revisits", {"on_day": iso(today),
        "method": "电话", "conduct": "规范", "summary": "x"}).status in (404, 409))
s.check("audited as record.revisit", sql(db, "SELECT count(*) FROM audit_log WHERE action = 'record.revisit'")[0][0] == 1)

# ---------------- 4b. the task's 执法检查报告 (001 三(五)) ----------------
r = staff.get(f"/tasks/{tid}")
s.check("the task page links the report", r.status == 200 and f'href="/tasks/{tid}/report"' in r.text, str(r.status))
r = staff.get(f"/tasks/{tid}/report")
def k(key):
    m = re.search(r'data-k="%s">([^<]*)<' % key, r.text)
    return m.group(1) if m else None
def row(table, attr, val):
    m = re.search(r'<table class="table" id="%s">.*?</table>' % table, r.text, re.S)
    tr = re.search(r'<tr %s="%s">(.*?)</tr>' % (attr, re.escape(val)), m.group(0), re.S) if m else None
    return re.findall(r'<td[^>]*>([^<]*)</td>', tr.group(1)) if tr else None
ndrawn = sql(db, "SELECT count(*) FROM draw_target dt JOIN draw d ON d.id = dt.draw_id WHERE d.task_code = ? "
                 "AND d.status = '已抽取' AND dt.status = '有效'", (code,))[0][0]
s.check("report: drawn targets and records as the database has them", r.status == 200 and k("targets") == str(ndrawn)
        and k("records") == str(ndrawn) and k("published") == "1" and k("findings") == "1" and k("checked") == "1",
        f"{r.status} {k('targets')} {k('records')} {k('published')} {k('findings')}")
s.check("report: the violation by category with its amount", row("report-violations", "data-code", "38(4)")[2:] == ["1", "12,345.60"]
        and k("amount") == "12,345.60", str(row("report-violations", "data-code", "38(4)")))
s.check("report: the result category counted", (row("report-results", "data-code", "0201") or [])[2:] == ["1"],
        str(row("report-results", "data-code", "0201")))
s.check("report: the penalty follow-up closed", (row("report-followups", "data-code", "penalty") or [])[1:4] == ["1", "0", "1"]
        and k("closed") == "1", str(row("report-followups", "data-code", "penalty")))
ent, pub = row("report-deadlines", "data-kind", "entry"), row("report-deadlines", "data-kind", "publish")
s.check("report: entry and publication of the hospital on time, the never-filled employer overdue",
        ent and ent[1] == "1" and ent[3] == str(ndrawn - 1) and pub and pub[1] == "1" and pub[3] == str(ndrawn - 1)
        and ndrawn > 1, f"{ndrawn} {ent} {pub}")
s.check("report: the inspecting officers with the record they signed",
        all((row("report-officers", "data-cert", c) or [""] * 5)[4] == "1" for c in officers[:2]),
        str([row("report-officers", "data-cert", c) for c in officers[:2]]))
s.check("report: the visit counted", k("revisited") == "1" and k("improper") == "0", f"{k('revisited')} {k('improper')}")
s.check("report: no insured person's name or ID number", "张三丰" not in r.text and "11010519491231002X" not in r.text)
r = staff.get(f"/tasks/{tid}/report?format=xlsx")
s.check("report as xlsx, audited", r.status == 200 and r.body[:2] == b"PK" and
        sql(db, "SELECT count(*) FROM audit_log WHERE action = 'export.task_report' AND entity_id = ?", (str(tid),))[0][0] == 1,
        f"{r.status} {r.body[:4]!r}")
r = lincheng.get(f"/tasks/{tid}/report")
s.check("another county's account cannot read the report", r.status in (403, 404) and "12,345.60" not in r.text, str(r.status))

# ---------------- 5. the year's figures ----------------
r = staff.get(f"/api/v1/figures?year={today.year}")
fig = {x["key"]: x for x in r.json()["figures"]} if r.status == 200 else {}
s.check("figures API", r.status == 200, str(r.status))
s.check("figures: 1 check", fig.get("checks_joint", {}).get("den") == 1, str(fig.get("checks_joint")))
s.check("figures: 1 published of 3 drawn targets", fig.get("completion", {}).get("num") == 1
        and fig["completion"]["den"] == len(groups), str(fig.get("completion")))
s.check("figures: 1 finding, closed", fig.get("findings", {}).get("num") == 1 and fig.get("closure_findings", {}).get("num") == 1
        and fig["closure_findings"]["den"] == 1 and fig.get("closure_all", {}).get("num") == 1, str(fig.get("closure_findings")))
vc = {x["code"]: x for x in r.json().get("violation_counts", [])} if r.status == 200 else {}
s.check("figures: the violation and its amount", vc.get("38(4)", {}).get("count") == 1 and vc["38(4)"]["amount_cents"] == 1234560,
        str(vc.get("38(4)")))
r = staff.get(f"/figures?year={today.year}")
s.check("figures page with SVG charts", r.status == 200 and "<svg" in r.text and "抽查" in r.text, str(r.status))

# ---------------- 6. deadlines ----------------
r = staff.get("/api/v1/deadlines")
clocks = r.json()["deadlines"] if r.status == 200 else []
by = {(c["kind"], c.get("target_code")): c for c in clocks}
e, p = by.get(("entry", HOSP)), by.get(("publish", HOSP))
s.check("entry clock: done on time, the day of the last submission", e and e["state"] == "done_on_time" and e["done_on"] == iso(today)
        and e["link"] == f"/records/{rid}", str(e))
s.check("publication clock: done on time", p and p["state"] == "done_on_time" and p["done_on"] == iso(today), str(p))
pen = by.get(("penalty", HOSP))
s.check("penalty publication clock: done on time", pen and pen["state"] == "done_on_time" and pen["done_on"] == iso(today), str(pen))
fu = by.get(("followup", HOSP))
s.check("follow-up outcome clock: done on time", fu and fu["state"] == "done_on_time", str(fu))
ee = by.get(("entry", EMPL))
s.check("the never-filled employer's entry is overdue", ee and ee["state"] == "overdue" and ee["record_id"] == rid_e, str(ee))
emp_officers = sorted(c for c, role in groups[EMPL] if role != "专家")
s.check("... with the employer group's officers responsible", ee and sorted(x["cert_no"] for x in ee["officers"]) == emp_officers,
        str(ee and ee["officers"]))
r = staff.get("/dashboard")
s.check("dashboard", r.status == 200, str(r.status))
counts = re.search(r'<table class="table" id="dash-counts">(.*?)</table>', r.text, re.S)
ctext = counts.group(1) if counts else ""
def cell(kind, state):
    m = re.search(rf'<tr data-kind="{kind}">.*?<td class="num" data-state="{state}">(\d+)</td>', ctext, re.S)
    return int(m.group(1)) if m else -1
s.check("dashboard counts: entry and publication done in time", cell("entry", "done_on_time") == 1 and cell("publish", "done_on_time") == 1,
        f"{cell('entry', 'done_on_time')} {cell('publish', 'done_on_time')}")
s.check("dashboard counts: penalty publication done in time", cell("penalty", "done_on_time") == 1, str(cell("penalty", "done_on_time")))
ov = r.text[r.text.find('id="overdue"'):r.text.find('id="today"')]
s.check("dashboard lists the overdue entry of the employer", "宁晋某公司" in ov and f"/records/{rid_e}" in ov, ov[:400])
r2 = staff.get(f"/records/{rid_e}")
s.check("the overdue item's link opens the record", r2.status == 200 and "宁晋某公司" in r2.text and "待录入" in r2.text, str(r2.status))
r = staff.get("/dashboard/overdue?by=officer")
names = [n for (n,) in sql(db, "SELECT name FROM officer WHERE cert_no IN (%s)" % ",".join("?" * len(emp_officers)), emp_officers)]
# each officer's own overdue items are one link away (the page lists officers, 50 per page)
mine = [staff.get(f"/dashboard/overdue?by=officer&who={c}") for c in emp_officers]
s.check("overdue per officer names the employer group's officers", r.status == 200 and all(n in r.text for n in names)
        and all(x.status == 200 and "宁晋某公司" in x.text for x in mine), str(r.status))
r = staff.get("/dashboard/overdue?by=dept")
lead = re.search(r'<tr><td>基金监管股</td>.*?href="([^"]*)"', r.text)
r2 = staff.get(html.unescape(lead.group(1))) if lead else None
s.check("overdue per dept: 基金监管股", r.status == 200 and r2 is not None and "宁晋某公司" in r2.text, str(r.status))
p = subprocess.run([SPOTCHECK, "remind", "--db", db], capture_output=True, timeout=60)
out = p.stdout.decode()
over = out[out.find("已逾期"):] if "已逾期" in out else ""
s.check("spotcheck remind lists the overdue entry", p.returncode == 0 and "宁晋某公司" in over and "检查结果录入" in over, out[-800:])
p = subprocess.run([SPOTCHECK, "remind", "--db", db, "--format", "json"], capture_output=True, timeout=60)
s.check("spotcheck remind --format json", p.returncode == 0 and "宁晋某公司" in p.stdout.decode(), p.stderr.decode()[-300:])
r = o.get("/my/deadlines")
s.check("officer's deadlines page", r.status == 200 and "宁晋县人民医院" in r.text, str(r.status))
links = re.findall(r'href="(/[^"]*)"', r.text[r.text.find("<h1>我的期限"):])
bad = [l for l in links if o.get(l).status != 200]
s.check("every link on the officer's deadlines page opens for the officer", not bad, str(bad))

# ---------------- 7. credit, exchange, the staff view ----------------
r = staff.get(f"/credit/{hosp_id}")
s.check("credit record: the finding and the penalty", r.status == 200 and "检查发现" in r.text and "行政处罚" in r.text
        and "宁医保罚〔2026〕8号" in r.text, str(r.status))
ce = sql(db, "SELECT kind FROM credit_event WHERE target_id = ? ORDER BY id", (hosp_id,))
s.check("credit events: 检查发现 then 行政处罚", [k for (k,) in ce] == ["检查发现", "行政处罚"], str(ce))
r = staff.get(f"/results/exchange?format=csv&from={iso(today)}&to={iso(today)}")
rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"), newline=""))) if r.status == 200 else []
s.check("exchange CSV has the row", r.status == 200 and ["12110000400686291H", "宁晋县人民医院", "宁晋县医疗保障局",
        "双随机抽查（不定向、联合抽查）", checked_on, "违反医疗保障相关规定", "责令退回违规金额，已补充结算清单", code] in rows, str(rows))
r = staff.get(f"/records/{rid}")
s.check("staff view of the record", r.status == 200 and "已公示" in r.text and "刘院长" in r.text and f"/records/{rid}/files/{photo_id}" in r.text,
        str(r.status))
hist = r.text[r.text.find('id="history"'):]
s.check("history: submit, return with the opinion, resubmit, approve, publish",
        all(x in hist for x in ("提交", "退回", opinion, "审核通过", "公示")) and hist.count("提交（") >= 2, hist[:800])
s.check("history: earlier versions listed", "第1版" in hist and "第2版" in hist, hist[:800])
ev = [a for (a,) in sql(db, "SELECT action FROM record_event WHERE record_id = ? ORDER BY id", (rid,))]
s.check("events in order", ev == ["提交", "退回", "提交", "审核通过", "公示"], str(ev))
r = staff.get(f"/records/{rid}/files/{photo_id}")
s.check("staff fetch the photo", r.status == 200 and r.body == photo and r.header("Content-Type") == "image/png", str(r.status))
s.check("another county cannot see it", lincheng.get(f"/records/{rid}").status == 404 and lincheng.get(f"/credit/{hosp_id}").status == 404)
# One clock: every timestamp of the record's steps is the bureau's local time on the (pinned) day.
stamps = sql(db, "SELECT submitted_at, reviewed_at, published_at, updated_at FROM record WHERE id = ?", (rid,))[0] + \
    tuple(t for (t,) in sql(db, "SELECT at FROM audit_log WHERE entity_id = ? AND action LIKE 'record.%'", (str(rid),)))
s.check("timestamps: local 'YYYY-MM-DD HH:MM:SS' of today, no UTC 'T…Z' form",
        len(stamps) > 4 and all(re.fullmatch(re.escape(iso(today)) + r" \d\d:\d\d:\d\d", t or "") for t in stamps), str(stamps))
r = staff.get(f"/records/{rid}")
s.check("pages show times as people write them", re.search(re.escape(iso(today)) + r" \d\d:\d\d(?!:)", r.text) is not None
        and not re.search(r"\d\d:\d\d:\d\d", r.text), str(re.findall(r"\d{4}-\d\d-\d\d[ T][\d:]+", r.text)[:6]))
adm = Client(db)
adm.login("admin")
r = adm.get("/audit")
cells = re.findall(r"<tr><td>\d+</td><td>([^<]*)</td>", r.text)  # the time column (before/after hold the stored JSON)
# the fixture froze three days before today and drew the day before (fixture_drawn)
days = "(%s)" % "|".join(re.escape(iso(today - datetime.timedelta(days=k))) for k in (0, 1, 3))
s.check("the audit page: local times as people write them, never UTC", r.status == 200 and "UTC" not in r.text
        and len(cells) > 5 and all(re.fullmatch(days + r" \d\d:\d\d", c) for c in cells), str(cells[:4]))
# ... and so is every timestamp in the database: plan, task, draw, record, follow-up, audit, versions
# (no SQL datetime('now') left to fill a column with UTC). Sessions count seconds, not dates.
bad_stamps, n_stamps = [], 0
for table in dbtool.tables(db):
    if table in ("session", "login_attempt", "schema_migrations"):
        continue
    for col in [c for c in dbtool.columns(db, table) if c.endswith("_at") or c == "at"]:
        for (v,) in sql(db, f'SELECT "{col}" FROM "{table}" WHERE "{col}" IS NOT NULL'):
            n_stamps += 1
            if not re.fullmatch(days + r" \d\d:\d\d:\d\d", v):
                bad_stamps.append((table, col, v))
s.check("every stored timestamp is the clock's local time of a day the test ran on", n_stamps > 100 and not bad_stamps,
        f"{n_stamps} {bad_stamps[:8]}")
# The done day is the event's (record_event.on_day), even when a timestamp was changed by hand.
sql(db, "UPDATE record SET submitted_at = ?, published_at = ? WHERE id = ?",
    (iso(today - datetime.timedelta(days=1)) + " 23:00:00", iso(today - datetime.timedelta(days=1)) + " 23:00:00", rid))
by = {(c["kind"], c.get("target_code")): c for c in staff.get("/api/v1/deadlines").json()["deadlines"]}
s.check("done days come from the events, not the timestamps",
        by[("entry", HOSP)]["done_on"] == iso(today) and by[("publish", HOSP)]["done_on"] == iso(today), str(by[("entry", HOSP)]))
acts = {a for (a,) in sql(db, "SELECT action FROM audit_log")}
want = {"record.save", "record.file.add", "record.signature", "record.submit", "record.return", "record.approve", "record.publish",
        "followup.open", "followup.publish_penalty", "followup.update", "followup.close", "result.exchange"}
s.check("every step audited", want <= acts, str(want - acts))
s.done()
