"""Check dates within the task's period (issue 16 "Dates that make sense", src/domain/record_check.c): a
record's 检查开始 / 检查结束 outside the task's 抽查时间 (task.month_from .. the last day of month_to) are
refused unless a reason (超期说明) is given; the reason is stored with the record (so with each version
snapshot and audit row), shown on the record and review pages, and the form, the JSON API and
`spotcheck record save` all go through the one domain function (record_act_save).

The fixture's plan row runs March–October of the pinned year; the test sets the task's period in SQL
(as test_closure.py moves month_to) around, before and after the draw's day, in months counted from
that day, so it holds on any pinned day (CI pins 2028-03-15, faketime runs the suite on others)."""
import datetime
import json
import re
import subprocess
from webtest import SPOTCHECK, Client, Suite, pin_today
from fixture_drawn import drawn_db, sql

s = Suite()
today = pin_today("2026-06-15")
f = drawn_db(year=str(today.year))
db, groups, tid = f["db"], f["groups"], f["tid"]
t = f["targets"][0]
officers = [c for c, role in groups[t] if role != "专家"]
o = f["officer_user_for"](officers[0])
staff = f["clients"]["staff"]
o.get("/my/records")  # creates the records
rid = sql(db, "SELECT id FROM record WHERE target_code = ?", (t,))[0][0]
drawn = sql(db, "SELECT substr(drawn_at, 1, 10) FROM draw WHERE status = '已抽取'")[0][0]
REASON = "被检查单位停业装修，检查推迟至抽查时间之后"
day0 = datetime.date.fromisoformat(drawn)


def month(k):
    """The month k months from the draw's: (YYYY-MM, its first day, its last day)."""
    y, m = divmod(day0.year * 12 + day0.month - 1 + k, 12)
    first = datetime.date(y, m + 1, 1)
    y2, m2 = divmod(y * 12 + m + 1, 12)
    return f"{y}-{m + 1:02d}", first.isoformat(), (datetime.date(y2, m2 + 1, 1) - datetime.timedelta(days=1)).isoformat()


def set_period(a, b):
    """Sets the task's 抽查时间 to months a..b from the draw's; returns its text as the messages give it."""
    sql(db, "UPDATE task SET month_from = ?, month_to = ? WHERE id = ?", (month(a)[0], month(b)[0], tid))
    return f"{month(a)[1]} 至 {month(b)[2]}"


def version():
    return sql(db, "SELECT version FROM record WHERE id = ?", (rid,))[0][0]


def form(reason=None, remarks="公开备注", day=drawn):
    fields = [("version", str(version())), ("checked_from", day), ("checked_on", day), ("remarks", remarks),
              ("notes", ""), ("refusal_reason", ""), ("result_codes", "01"), ("officers", officers[0]),
              ("officers", officers[1]), ("item1_methods", "onsite"), ("item1_result", "01"), ("item1_notes", ""),
              ("item2_methods", "onsite"), ("item2_result", "01"), ("item2_notes", ""), ("action", "save")]
    if reason is not None:
        fields.append(("dates_reason", reason))
    return o.form(f"/my/records/{rid}", fields)


# ---- within the period: no reason needed, and none kept ----
period = set_period(-1, 1)
r = o.get(f"/my/records/{rid}")
s.check("the form names the task's period beside the 超期说明 field",
        r.status == 200 and 'name="dates_reason"' in r.text and period in r.text, str(r.status))
r = form(reason="无需说明")
s.check("a check within the period saves without a reason", r.status == 303, f"{r.status} {r.text[-400:]}")
s.check("... and a reason sent for dates within the period is not kept",
        sql(db, "SELECT checked_on, dates_reason FROM record WHERE id = ?", (rid,))[0] == (drawn, None))

# ---- the period narrowed: the draw's day lies after it ----
period = set_period(-2, -1)
v0 = version()
r = form(remarks="超期未说明")
s.check("a check after the period is refused without a 超期说明, naming the period",
        r.status == 422 and f"检查日期 {drawn} 不在本任务的抽查时间（{period}）内：请填写超期说明" in r.text, f"{r.status}")
s.check("... the message beside the 超期说明 field, what was typed kept",
        re.search(r'class="field field-wide has-error"><label for="r-dates-reason">', r.text) is not None
        and "超期未说明" in r.text)
s.check("... nothing saved", version() == v0)
r = form(reason="x" * 501)
s.check("a 超期说明 over 500 characters is refused", r.status == 422 and "超期说明不能超过500字" in r.text, str(r.status))
r = form(reason=REASON, remarks="超期已说明")
s.check("with a 超期说明 it saves", r.status == 303, f"{r.status} {r.text[-300:]}")
s.check("the reason is stored on the record", sql(db, "SELECT dates_reason FROM record WHERE id = ?", (rid,))[0][0] == REASON)
after = sql(db, "SELECT after FROM audit_log WHERE action = 'record.save' AND entity_id = ? ORDER BY id DESC LIMIT 1",
            (str(rid),))
s.check("the audit row of the save holds the reason",
        after and json.loads(after[0][0]).get("dates_reason") == REASON, str(after)[:300])
r = o.get(f"/my/records/{rid}")
s.check("the form shows the stored reason", f'name="dates_reason" rows="2" maxlength="500">{REASON}</textarea>' in r.text)
r = form(reason=REASON, remarks="再次修改")
s.check("a later save keeps it", r.status == 303
        and sql(db, "SELECT dates_reason FROM record WHERE id = ?", (rid,))[0][0] == REASON, str(r.status))
snap = sql(db, "SELECT data FROM record_version WHERE record_id = ? ORDER BY version DESC LIMIT 1", (rid,))
s.check("... and the version it replaced keeps the reason with the dates",
        snap and json.loads(snap[0][0]).get("dates_reason") == REASON and json.loads(snap[0][0]).get("checked_on") == drawn)

# ---- the start of the period too ----
period = set_period(1, 3)
r = o.post_json(f"/api/v1/my/records/{rid}", {"version": version(), "dates_reason": ""}, "PUT")
s.check("API: a check before the period, its reason cleared, is refused under dates_reason",
        r.status == 422 and f"（{period}）" in r.json()["error"]["fields"].get("dates_reason", ""),
        r.text[:300])
r = o.post_json(f"/api/v1/my/records/{rid}", {"version": version(), "dates_reason": "提前检查：举报线索"}, "PUT")
s.check("API: with a reason it saves", r.status == 200 and sql(db, "SELECT dates_reason FROM record WHERE id = ?", (rid,))[0][0]
        == "提前检查：举报线索", r.text[:300])

# ---- the command line: the same function ----
def cli(body, by="officer"):
    return subprocess.run([SPOTCHECK, "record", "save", str(rid), "--file", "-", "--by", by, "--db", db],
                          input=json.dumps(body), capture_output=True, text=True)


v0 = version()
p = cli({"version": v0, "checked_from": drawn, "checked_on": drawn, "dates_reason": None})
s.check("CLI: refused without a reason, the field named, nothing written",
        p.returncode == 1 and "dates_reason: 检查日期" in p.stderr and "请填写超期说明" in p.stderr and version() == v0,
        p.stdout + p.stderr)
p = cli({"version": v0, "checked_from": "2999-01-01", "checked_on": "2999-01-01", "dates_reason": "x"})
s.check("CLI: the other date rules hold too", p.returncode == 1 and "日期不能晚于今天" in p.stderr, p.stderr)
p = cli({"version": v0, "checked_on": drawn, "dates_reason": "CLI 补录：举报线索提前检查"})
s.check("CLI: saved with a reason", p.returncode == 0 and f"第 {v0 + 1} 版" in p.stdout
        and sql(db, "SELECT dates_reason FROM record WHERE id = ?", (rid,))[0][0] == "CLI 补录：举报线索提前检查", p.stdout + p.stderr)
s.check("... audited as record.save by --by",
        sql(db, "SELECT actor FROM audit_log WHERE action = 'record.save' ORDER BY id DESC LIMIT 1")[0][0] == "officer")
p = cli({"checked_on": drawn})
s.check("CLI: the input must say the version it was filled from", p.returncode == 2, p.stderr)

# ---- shown on the record and review pages ----
r = staff.get(f"/records/{rid}")
s.check("the record page shows the 超期说明 and the period",
        r.status == 200 and 'id="dates-reason"' in r.text and "CLI 补录：举报线索提前检查" in r.text
        and f"抽查时间 {period}" in r.text, str(r.status))
sql(db, "UPDATE record SET status = '待审核' WHERE id = ?", (rid,))  # submission is test_record.py's
leader = Client(db)
leader.login("reviewer")
r = leader.get(f"/review/{rid}")
s.check("the review page shows it beside the dates",
        r.status == 200 and "超出抽查时间" in r.text and "CLI 补录：举报线索提前检查" in r.text, str(r.status))
s.done()
