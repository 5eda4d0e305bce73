"""Review, publication, the public results and the credit exchange export (issue 6 items 3-4).

The records are INSERTED DIRECTLY IN SQL, as the record form would leave them after submission
(status 待审核, submitted_by 'officer', items, a violation, checked_on): the form (creation, filling,
submission) belongs to another module (src/domain/record.*). Everything after submission goes
through the real handlers with test-http."""
import csv
import datetime
import io
import json
from fixture_drawn import drawn_db, sql, submitted_record
from webtest import Client, Suite, pin_today

s = Suite()
today = pin_today("2026-06-15")
now = today.isoformat() + " 10:00:00"  # a time of the pinned day, in the clock's stored format
def days_so_far():
    return {today.isoformat()}
recent = (today - datetime.timedelta(days=2)).isoformat()  # never late: deadline ahead or unknown


def kind_of(db, code):
    return sql(db, "SELECT kind FROM target WHERE code = ?", (code,))[0][0]


def make_record(f, target, checked_on, result_codes, submitted_by="officer", violation=True, remarks="责令限期整改"):
    """A record as the form leaves it after submission (status 待审核)."""
    return submitted_record(f, target, checked_on, result_codes, now, submitted_by, violation, remarks)


def status(db, rid):
    return sql(db, "SELECT status FROM record WHERE id = ?", (rid,))[0][0]


def audits(db, action, rid):
    return sql(db, "SELECT count(*) FROM audit_log WHERE action = ? AND entity = 'record' AND entity_id = ?", (action, str(rid)))[0][0]


# ---------------- database A: review, publication, public pages, exchange ----------------
f = drawn_db()
db = f["db"]
staff, leader = f["clients"]["staff"], f["clients"]["leader"]
reviewer, lincheng, officer, anon = Client(db), Client(db), Client(db), Client(db)
reviewer.login("reviewer")
lincheng.login("lincheng")
officer.login("officer")
emp = next(t for t in f["targets"] if kind_of(db, t) == "employer")
hosp = next(t for t in f["targets"] if kind_of(db, t) == "institution")
ins = next(t for t in f["targets"] if kind_of(db, t) == "insured")

ra = make_record(f, emp, recent, "0201")                                   # finding, with a violation
rb = make_record(f, hosp, recent, "01", submitted_by="reviewer", violation=False)  # no finding
rc = make_record(f, ins, recent, "03")                                     # the insured person

r = leader.get("/review")
s.check("review queue lists the submitted records", r.status == 200 and emp in r.text and hosp in r.text, str(r.status))
s.check("review queue shows the entry deadline", "录入与公示期限" in r.text and ("剩" in r.text or "期限未知" in r.text))
s.check("queue masks the insured person's name", "张三丰" not in r.text and "张**" in r.text)
s.check("staff may not open the review queue", staff.get("/review").status == 403)
s.check("officer may not open the review queue", officer.get("/review").status == 403)
r = leader.get(f"/review/{ra}")
s.check("record page shows items, methods, results", r.status == 200 and "实地检查、书面检查" in r.text and "违反医疗保障相关规定" in r.text
        and "价格行为检查" in r.text, str(r.status))
s.check("record page shows the violation with its amount", "38(3)" in r.text and "1234.56" in r.text and "重复收费" in r.text)
s.check("record page shows officers, signer and files", all(c in r.text for c, _ in f["groups"][emp]) and "刘代表" in r.text and "现场照片1.jpg" in r.text)
s.check("record page offers return and approve", 'id="btn-return"' in r.text and 'id="btn-approve"' in r.text)

# return: an opinion is required
r = leader.form(f"/review/{ra}/return", {"opinion": "  "})
s.check("return without an opinion is refused", r.status == 422 and status(db, ra) == "待审核", str(r.status))
r = leader.form(f"/review/{ra}/return", {"opinion": "违法金额计算依据不全，请补充结算清单"})
s.check("leader returns with an opinion", r.status == 303 and status(db, ra) == "退回", str(r.status))
s.check("return opinion stored", sql(db, "SELECT review_opinion, reviewed_by FROM record WHERE id = ?", (ra,))[0] ==
        ("违法金额计算依据不全，请补充结算清单", "leader"))
s.check("return event written", sql(db, "SELECT action, from_status, to_status, opinion FROM record_event WHERE record_id = ? "
                                        "ORDER BY id DESC LIMIT 1", (ra,))[0] == ("退回", "待审核", "退回", "违法金额计算依据不全，请补充结算清单"))
s.check("return audited", audits(db, "record.return", ra) == 1)
s.check("a returned record cannot be approved", leader.form(f"/review/{ra}/approve", {}).status == 409)
# re-submitted as the form would do it
sql(db, "UPDATE record SET status = '待审核', version = version + 1, submitted_at = ? WHERE id = ?", (now, ra))
s.check("staff cannot approve (403)", staff.form(f"/review/{ra}/approve", {}).status == 403 and status(db, ra) == "待审核")
s.check("officer cannot approve via API (403)", officer.post_json(f"/api/v1/review/{ra}", {"action": "approve"}).status == 403)
r = leader.form(f"/review/{ra}/approve", {})
s.check("leader approves the re-submitted record", r.status == 303 and status(db, ra) == "审核通过", str(r.status))
s.check("approve audited", audits(db, "record.approve", ra) == 1)

# the submitter cannot review its own record
r = reviewer.get(f"/review/{rb}")
s.check("own record: no review buttons, a warning", r.status == 200 and 'id="btn-approve"' not in r.text and "本人提交" in r.text)
r = reviewer.form(f"/review/{rb}/approve", {})
s.check("the submitter cannot approve its own record", r.status == 409 and status(db, rb) == "待审核", str(r.status))
r = reviewer.post_json(f"/api/v1/review/{rb}", {"action": "approve"})
s.check("nor through the API", r.status == 409 and r.json()["error"]["code"] == "conflict", r.text[:200])
# the JSON API
r = leader.get("/api/v1/review")
s.check("API queue", r.status == 200 and {x["id"] for x in r.json()["records"]} == {rb, rc}, r.text[:300])
r = leader.post_json(f"/api/v1/review/{rb}", {"action": "return"})
s.check("API return without opinion is 422", r.status == 422, str(r.status))
r = leader.post_json(f"/api/v1/review/{rb}", {"action": "bogus"})
s.check("API unknown action is 422", r.status == 422, str(r.status))
r = leader.post_json(f"/api/v1/review/{rb}", {"action": "approve", "opinion": "同意"})
s.check("API approve", r.status == 200 and r.json()["status"] == "审核通过", r.text[:200])
s.check("API approve event keeps the opinion", sql(db, "SELECT opinion FROM record_event WHERE record_id = ? ORDER BY id DESC LIMIT 1", (rb,))[0][0] == "同意")
r = leader.post_json(f"/api/v1/review/{rc}", {"action": "approve"})
s.check("API approve the insured record", r.status == 200, r.text[:200])

# other county
s.check("other county: record page 404", lincheng.get(f"/results/{ra}").status == 404)
s.check("other county: publish 404", lincheng.form(f"/results/{ra}/publish", {}).status == 404 and status(db, ra) == "审核通过")
s.check("other county: not in its list", emp not in lincheng.get("/results").text)
s.check("leader may not publish (403)", leader.form(f"/results/{ra}/publish", {}).status == 403)

# publication
r = staff.get("/results")
s.check("publication list shows the approved records with deadline", r.status == 200 and emp in r.text and "公示期限" in r.text, str(r.status))
last_before, ver_before = sql(db, "SELECT last_checked_on, version FROM target WHERE code = ?", (emp,))[0]
r = staff.form(f"/results/{ra}/publish", {})
s.check("staff publishes", r.status == 303 and status(db, ra) == "已公示", f"{r.status} {r.text[-300:]}")
r2 = staff.get(r.header("Location") or "/results")
s.check("... and is told so", "已公示 1 条检查结果" in r2.text, r2.text[:0])
r2 = staff.get("/results?ok=published&n=%3Cscript%3E&late=x")
s.check("... the message takes numbers only (never echoes the query)", "<script>" not in r2.text and "已公示 0 条" in r2.text)
ev = sql(db, "SELECT action, from_status, to_status, opinion, on_day, by_user FROM record_event WHERE record_id = ? ORDER BY id DESC LIMIT 1", (ra,))[0]
s.check("公示 event", ev[:3] == ("公示", "审核通过", "已公示") and ev[4] in days_so_far() and ev[5] == "staff", str(ev))
s.check("not marked late", not (ev[3] or "").startswith("逾期公示"), str(ev))
s.check("publish audited", audits(db, "record.publish", ra) == 1)
pub = json.loads(sql(db, "SELECT published_json FROM record WHERE id = ?", (ra,))[0][0])
s.check("published_json: the five fields", pub["org_name"] == "宁晋县医疗保障局" and pub["type"] == "双随机抽查（不定向、联合抽查）"
        and pub["date"] == recent and pub["results"] == ["违反医疗保障相关规定"] and pub["remarks"] == "责令限期整改", str(pub))
s.check("published_json: target and task", pub["target_name"] == "宁晋某公司" and pub["uscc"] == "91110000600037341L"
        and pub["task_code"] == f["code"] and pub["task_name"] == "定点医药机构基金使用情况随机抽查", str(pub))
s.check("published_json: no grade, no internal notes", "grade" not in pub and "内部备注" not in json.dumps(pub, ensure_ascii=False))
last_after, ver_after = sql(db, "SELECT last_checked_on, version FROM target WHERE code = ?", (emp,))[0]
s.check("target last_checked_on set as a new version", last_after == recent and ver_after == ver_before + 1, f"{last_after} {ver_after}")
old = sql(db, "SELECT data FROM entity_version WHERE entity = 'target' AND entity_id = (SELECT id FROM target WHERE code = ?) "
              "ORDER BY version DESC LIMIT 1", (emp,))
s.check("the earlier target version kept", old and json.loads(old[0][0]).get("last_checked_on") == last_before, str(old))
ce = sql(db, "SELECT kind, summary, on_day FROM credit_event WHERE record_id = ?", (ra,))
s.check("credit_event 检查发现 for the finding", len(ce) == 1 and ce[0][0] == "检查发现" and "1234.56" in ce[0][1], str(ce))
s.check("publishing twice is refused", staff.form(f"/results/{ra}/publish", {}).status == 409)

r = staff.form("/results/publish", [("id", rb), ("id", rc)])
s.check("batch publishes two", r.status == 303 and status(db, rb) == "已公示" and status(db, rc) == "已公示", f"{r.status} {r.text[-300:]}")
s.check("no credit_event without findings", sql(db, "SELECT count(*) FROM credit_event WHERE record_id = ?", (rb,))[0][0] == 0)
s.check("the published record is marked with findings (what follow-up and the figures count)",
        sql(db, "SELECT findings FROM record WHERE id = ?", (ra,))[0][0] == 1
        and sql(db, "SELECT findings FROM record WHERE id = ?", (rb,))[0][0] == 0)
pc = json.loads(sql(db, "SELECT published_json FROM record WHERE id = ?", (rc,))[0][0])
tok = sql(db, "SELECT k.token FROM draw_token k JOIN record r ON r.draw_id = k.draw_id AND r.target_code = k.target_code "
             "WHERE r.id = ?", (rc,))
s.check("insured: placeholder name, the draw's token as code (not the pseudonym), no ID",
        pc["target_name"] == "参保人（个人信息不公开）" and len(tok) == 1 and pc["target_code"] == tok[0][0]
        and tok[0][0].startswith("P") and len(tok[0][0]) == 25 and ins not in json.dumps(pc)
        and pc["uscc"] is None and "张" not in json.dumps(pc, ensure_ascii=False) and "11010519491231002X" not in json.dumps(pc), str(pc))
pb = json.loads(sql(db, "SELECT published_json FROM record WHERE id = ?", (rb,))[0][0])
s.check("institution: 医保编码 and 统一社会信用代码", pb["mi_code"] == "H13052800001" and pb["uscc"] == "12110000400686291H", str(pb))

# public portal
r = anon.get("/public/results?q=" + "宁晋某公司")
s.check("public search by name", r.status == 200 and f"/public/results/{ra}" in r.text and f"/public/results/{rb}" not in r.text, str(r.status))
r = anon.get("/public/results?q=91110000600037341L")
s.check("public search by USCC", f"/public/results/{ra}" in r.text and f"/public/results/{rb}" not in r.text)
r = anon.get("/public/results?q=H13052800001")
s.check("public search by 医保编码", f"/public/results/{rb}" in r.text and f"/public/results/{ra}" not in r.text)
r = anon.get("/public/results")
s.check("public list: every published record, newest first", r.text.count("/public/results/") >= 3 and
        r.text.index(f"/public/results/{rc}") < r.text.index(f"/public/results/{ra}"))
s.check("public list: no insured name or ID", "张三丰" not in r.text and "张**" not in r.text and "11010519491231002X" not in r.text)
s.check("public search by the insured's name finds nothing", f"/public/results/{rc}" not in anon.get("/public/results?q=张三丰").text)
s.check("... nor by the pseudonym (issue 17 item 5)", f"/public/results/{rc}" not in anon.get("/public/results?q=" + ins).text
        and ins not in anon.get(f"/public/results/{rc}").text)
s.check("... the draw's token finds it", f"/public/results/{rc}" in anon.get("/public/results?q=" + tok[0][0]).text)
r = anon.get(f"/public/results/{ra}")
s.check("public record shows the five fields", r.status == 200 and all(k in r.text for k in ("检查实施机关", "类型", "日期", "结果", "备注"))
        and "宁晋县医疗保障局" in r.text and "违反医疗保障相关规定" in r.text and recent in r.text and "责令限期整改" in r.text)
s.check("public record: no grade, no internal notes", "信用风险" not in r.text and "等级" not in r.text and "内部备注" not in r.text)
r = anon.get(f"/public/results/{rc}")
s.check("public insured record: no name, no ID", r.status == 200 and "参保人（个人信息不公开）" in r.text and "张三丰" not in r.text
        and "11010519491231002X" not in r.text)
s.check("public page of an unpublished record is 404", anon.get("/public/results/999999").status == 404)
s.check("public index links the results", "/public/results" in anon.get("/public/").text)

# exchange
r = staff.get(f"/results/exchange?format=csv&from={today.isoformat()}&to={max(days_so_far())}")
s.check("exchange CSV", r.status == 200 and r.header("Content-Type").startswith("text/csv") and r.body.startswith(b"\xef\xbb\xbf"), str(r.status))
rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"), newline="")))
s.check("exchange CSV header", rows and rows[0] == ["统一社会信用代码", "名称", "检查实施机关", "类型", "日期", "结果", "备注", "任务编号"], str(rows[:1]))
body = {row[1]: row for row in rows[1:]}
s.check("exchange CSV: two rows, insured excluded", set(body) == {"宁晋某公司", "宁晋县人民医院"} and "参保人（个人信息不公开）" not in r.text, str(rows))
s.check("exchange CSV content", body.get("宁晋某公司") == ["91110000600037341L", "宁晋某公司", "宁晋县医疗保障局", "双随机抽查（不定向、联合抽查）",
                                                          recent, "违反医疗保障相关规定", "责令限期整改", f["code"]], str(body.get("宁晋某公司")))
r = staff.get("/results/exchange?format=json")
s.check("exchange JSON", r.status == 200 and len(r.json()["results"]) == 2 and r.json()["results"][0]["任务编号"] == f["code"], r.text[:300])
r = staff.get("/api/v1/results/exchange?from=2000-01-01&to=2000-12-31")
s.check("exchange API date filter", r.status == 200 and r.json()["results"] == [], r.text[:200])
s.check("exchange bad date 422", staff.get("/results/exchange?from=2025-13-01").status == 422)
s.check("exchange other county sees nothing", lincheng.get("/api/v1/results/exchange").json()["results"] == [])
s.check("exchange forbidden to leader", leader.get("/results/exchange").status == 403)
s.check("exchange audited", sql(db, "SELECT count(*) FROM audit_log WHERE action = 'result.exchange'")[0][0] >= 3)

# ---------------- database B: late publication and batch atomicity ----------------
g = drawn_db()
db2 = g["db"]
staff2, leader2 = g["clients"]["staff"], g["clients"]["leader"]
t_emp = next(t for t in g["targets"] if kind_of(db2, t) == "employer")
t_hosp = next(t for t in g["targets"] if kind_of(db2, t) == "institution")
t_ins = next(t for t in g["targets"] if kind_of(db2, t) == "insured")
late_day = "2026-09-01" if today.isoformat() > "2026-10-31" else (today - datetime.timedelta(days=60)).isoformat()
r1 = make_record(g, t_emp, late_day, "01", violation=False)   # 30+ working days back
r2 = make_record(g, t_hosp, recent, "04", violation=False)    # no activity: not a finding
r3 = make_record(g, t_ins, recent, "01", violation=False)     # stays 待审核
for rid in (r1, r2):
    leader2.form(f"/review/{rid}/approve", {})
s.check("B: two approved", status(db2, r1) == "审核通过" and status(db2, r2) == "审核通过")
r = staff2.get("/results")
s.check("B: overdue flag shown before publication", "已逾期" in r.text)
r = staff2.form("/results/publish", [("id", r1), ("id", r3), ("id", 999999)])
s.check("batch with bad ids: nothing published", r.status == 409 and status(db2, r1) == "审核通过" and status(db2, r3) == "待审核",
        f"{r.status}")
s.check("batch reports every problem", f"检查记录 {r3}" in r.text and "检查记录 999999" in r.text, r.text[-600:])
r = staff2.form("/results/publish", [("id", r1), ("id", r3)])
s.check("batch with a not-approved record: nothing published", r.status == 409 and status(db2, r1) == "审核通过"
        and f"检查记录 {r3}" in r.text and "只有审核通过" in r.text, str(r.status))
s.check("no publish events or audit rows after the failed batches",
        sql(db2, "SELECT count(*) FROM record_event WHERE action = '公示'")[0][0] == 0 and audits(db2, "record.publish", r1) == 0)
s.check("empty batch refused", staff2.form("/results/publish", {}).status == 422)
r = staff2.form("/results/publish", [("id", r1)] * 501)
s.check("a batch over 500 ids is refused, nothing dropped silently or published", r.status == 422 and "最多公示 500 条" in r.text
        and status(db2, r1) == "审核通过", str(r.status))
r = staff2.form("/results/publish", [("id", r1), ("id", r2), ("id", r1)])
s.check("batch publishes both", r.status == 303 and status(db2, r1) == "已公示" and status(db2, r2) == "已公示", f"{r.status} {r.text[-300:]}")
s.check("the message counts distinct records published, not ids sent", "n=2&" in (r.header("Location") or ""), r.header("Location"))
op = sql(db2, "SELECT opinion FROM record_event WHERE record_id = ? AND action = '公示'", (r1,))[0][0]
s.check("late publication marked 逾期公示", op and op.startswith("逾期公示") and "个工作日" in op, str(op))
op2 = sql(db2, "SELECT opinion FROM record_event WHERE record_id = ? AND action = '公示'", (r2,))[0][0]
s.check("timely publication not marked", not (op2 or "").startswith("逾期公示"), str(op2))
r = staff2.get("/results")
s.check("late publication shown in the list", "逾期公示" in r.text)
s.check("batch audited per record", audits(db2, "record.publish", r1) == 1 and audits(db2, "record.publish", r2) == 1)
s.check("no credit_event for 未发现问题 / no activity", sql(db2, "SELECT count(*) FROM credit_event")[0][0] == 0)
s.check("B: last_checked_on set for both", sql(db2, "SELECT count(*) FROM target WHERE code IN (?, ?) AND last_checked_on IS NOT NULL",
                                              (t_emp, t_hosp))[0][0] == 2)
s.done()
