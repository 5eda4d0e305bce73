"""Deadlines in a year whose State Council holiday notice is not loaded (issue 11): counted with the
statutory holidays of 《全国年节及纪念日放假办法》 and data/lunar.tsv, shown as
"预计 2027-02-19（按法定节假日推算，国务院放假通知载入后确定）" on the officer's and the review pages, in
`spotcheck remind`, on the dashboard (预计即将到期 / 预计逾期) and as provisional: true in the API; exact
the moment an administrator loads the notice on /admin/holidays. Built the real way: plan, task,
draw (fixture_drawn), then the officer's record checked on 2027-01-20 and submitted; the day is
moved with SPOTCHECK_TODAY, the one clock."""
import base64
import os
import html
import re
import subprocess
from fixture_drawn import drawn_db, sql
from webtest import SPOTCHECK, Client, Suite, multipart, png

s = Suite()
# the scenario is about 2027 itself, whatever the wall clock: the draw on 2027-01-19, the check the next
# day (a check cannot be dated before its draw), the pages read on 2027-01-25
os.environ["SPOTCHECK_TODAY"] = "2027-01-20"
NOTE = "（按法定节假日推算，国务院放假通知载入后确定）"
f = drawn_db(year="2027")
os.environ["SPOTCHECK_TODAY"] = "2027-01-25"
db, tid, groups = f["db"], f["tid"], f["groups"]
staff, leader = f["clients"]["staff"], f["clients"]["leader"]
HOSP = "H13052800001"
officers = [c for c, role in groups[HOSP] if role != "专家"]
o = f["officer_user_for"](officers[0])
rid = sql(db, "SELECT id FROM record WHERE task_id = ? AND target_code = ?", (tid, HOSP))
if not rid:  # records are created when the officer first opens the list
    o.get("/my/records")
    rid = sql(db, "SELECT id FROM record WHERE task_id = ? AND target_code = ?", (tid, HOSP))
rid = rid[0][0]




def on(day, username):
    """A client logged in as username on `day` (a session from an earlier day has expired by then)."""
    c = Client(db, env={"SPOTCHECK_TODAY": day})
    c.login(username)
    return c


def remind(day, *args):
    p = subprocess.run([SPOTCHECK, "remind", "--db", db, *args], capture_output=True, text=True,
                       env=dict(os.environ, SPOTCHECK_TODAY=day))
    return p.returncode, p.stdout


# ---- the officer records the check of 2027-01-20 ----
r = o.get(f"/my/records/{rid}")
version = int(re.search(r'name="version" value="(\d+)"', r.text).group(1))
form = [("version", str(version)), ("checked_from", "2027-01-19"), ("checked_on", "2027-01-20"),
        ("dates_reason", "跨年度检查：被检查单位年底停业"),
        ("remarks", "未发现问题"), ("notes", ""), ("refusal_reason", ""), ("result_codes", "01"),
        ("officers", officers[0]), ("officers", officers[1]),
        ("item1_methods", "onsite"), ("item1_result", "01"), ("item1_notes", ""),
        ("item2_methods", "onsite"), ("item2_result", "01"), ("item2_notes", ""), ("action", "save")]
r = o.form(f"/my/records/{rid}", form)
s.check("record saved with the check date 2027-01-20", r.status == 303, f"{r.status} {r.text[-300:]}")
r = o.get(f"/my/records/{rid}")
s.check("the officer's form: 预计 deadline with the note", f"预计 2027-02-19{NOTE}" in r.text, r.text[r.text.find("录入期限"):][:200])
r = o.get("/my/records")
s.check("the officer's list: 预计 and the estimated days left", f"预计 2027-02-19{NOTE}" in r.text and "预计剩余" in r.text)
api = staff.get(f"/api/v1/records/{rid}").json()["record"]
s.check("record API: deadline 2027-02-19, provisional: true", api["deadline"] == "2027-02-19" and api["provisional"] is True, str(api.get("deadline")))
r = o.form(f"/my/records/{rid}/signature", {"signer_name": "刘院长",
                                           "signature": "data:image/png;base64," + base64.b64encode(png(60, 20)).decode()})
r = o.form(f"/my/records/{rid}/submit", {})
s.check("submitted for review", r.status == 303 and sql(db, "SELECT status FROM record WHERE id = ?", (rid,))[0][0] == "待审核",
        f"{r.status} {r.text[-300:]}")

# ---- 2027-02-17: due within 3 working days, provisionally ----
rc, out = remind("2027-02-17")
line = next((l for l in out.splitlines() if "宁晋县人民医院" in l and "检查结果公示" in l), "")
s.check("remind 2027-02-17: listed as due within 3 working days", rc == 0 and "预计即将到期 剩余2个工作日" in line, out[:600])
s.check("... with the provisional deadline", f"期限 预计 2027-02-19{NOTE}" in line, line)
soon = out[out.find("3个工作日内到期"):out.find("已逾期（")]
s.check("... in the 3-working-days section", "宁晋县人民医院" in soon, soon[:300])
r = on("2027-02-17", "leader").get(f"/review/{rid}")
s.check("review page 2027-02-17: 预计 2027-02-19 with the note", r.status == 200 and f"预计 2027-02-19{NOTE}" in r.text, str(r.status))
r = on("2027-02-17", "leader").get("/review")
s.check("review queue shows the provisional deadline", f"预计 2027-02-19{NOTE}" in r.text)
d = on("2027-02-17", "staff").get("/api/v1/deadlines").json()["deadlines"]
pub = next((c for c in d if c["kind"] == "publish" and c["target_code"] == HOSP), None)
s.check("deadlines API: provisional: true, due_soon", pub and pub["provisional"] is True and pub["deadline"] == "2027-02-19"
        and pub["state"] == "due_soon" and pub["deadline_text"] == f"预计 2027-02-19{NOTE}", str(pub))
entry = next((c for c in d if c["kind"] == "entry" and c["target_code"] == HOSP), None)
s.check("the entry clock: done on time, against the provisional deadline", entry and entry["state"] == "done_on_time"
        and entry["provisional"] is True, str(entry))
r = on("2027-02-17", "staff").get("/dashboard")
s.check("dashboard: 预计即将到期 and the warning that the data ends", "预计即将到期" in r.text and 'id="calendar-ends"' in r.text
        and "节假日数据只到 2026 年底" in r.text)
m = re.search(r'id="provisional-note">其中 (\d+) 项', r.text)
s.check("dashboard: the provisional open deadlines counted", m and int(m.group(1)) == sum(
    1 for c in d if c["provisional"] and not c["state"].startswith("done")), m and m.group(0))

# ---- 2027-02-23: provisionally overdue ----
rc, out = remind("2027-02-23")
s.check("remind 2027-02-23: 预计逾期 2个工作日", "预计逾期 2个工作日" in out, out[:500])
c = on("2027-02-23", "staff")
r = c.get("/dashboard/overdue?by=dept")  # publication answers to the lead dept: its own list, one link away
lead = re.search(r'<tr><td>基金监管股</td>.*?href="([^"]*)"', r.text)
r = c.get(html.unescape(lead.group(1))) if lead else r
s.check("overdue list: 预计逾期", r.status == 200 and lead and "预计逾期" in r.text and "宁晋县人民医院" in r.text)

# ---- a joint dept's confirmation deadline, provisionally passed ----
r = on("2027-01-25", "staff").get(f"/tasks/{tid}")
s.check("task page: the joint dept's provisional deadline", f"预计 2027-01-19{NOTE}" in r.text and "已确认" in r.text)
sql(db, "UPDATE task_joint SET named_on = '2027-01-20', status = '待确认', confirmed_on = NULL WHERE task_id = ?", (tid,))
r = on("2027-01-25", "staff").get(f"/tasks/{tid}")
s.check("... and 预计逾期 once it has passed", f"预计 2027-01-22{NOTE}" in r.text and "预计逾期" in r.text, r.text[r.text.find("联合"):][:300])
r = on("2027-01-25", "staff").get("/api/v1/tasks/%d" % tid).json()
j = (r.get("task") or r).get("joints", [{}])[0]
s.check("task API: the joint deadline says provisional", j.get("provisional") is True and j.get("deadline") == "2027-01-22", str(j)[:300])

# ---- the administrator sees the warning on the home page, and loads the notice ----
adm = on("2027-02-17", "admin")
r = adm.get("/")
s.check("admin home page: the holiday-data warning", 'id="calendar-ends"' in r.text and "/admin/holidays" in r.text)
s.check("staff home page: no such warning (not theirs to fix)", 'id="calendar-ends"' not in on("2027-02-17", "staff").get("/").text)
current = adm.get("/admin/holidays.tsv").body
# a made-up 2027 notice (for the test only): 春节 02-05..02-11 off, Saturday 02-20 works, 国庆 10-01..10-07
made_up = b"".join(f"{d}\t{k}\t{n}\n".encode() for d, k, n in
                   [("2027-01-01", "放假", "元旦")] + [(f"2027-02-{x:02d}", "放假", "春节") for x in range(5, 12)] +
                   [("2027-02-20", "上班", "调休上班")] + [(f"2027-10-{x:02d}", "放假", "国庆节") for x in range(1, 8)])
body, h = multipart({"csrf": adm.csrf}, {"file": ("holidays.tsv", current.rstrip(b"\n") + b"\n" + made_up, "text/tab-separated-values")})
r = adm.do("POST", "/admin/holidays", body, h, csrf=False)
s.check("the 2027 notice loaded", r.status == 303, f"{r.status} {r.text[-300:]}")
# 01-21..02-04 (11 working days), 02-05..02-11 off, 02-12, 02-15..02-19, Saturday 02-20, 02-22, 02-23: the 20th
r = on("2027-02-17", "leader").get(f"/review/{rid}")
s.check("review page: exact at once, 2027-02-23, no 预计", "2027-02-23" in r.text and "预计 2027" not in r.text and NOTE not in r.text)
d = on("2027-02-17", "staff").get("/api/v1/deadlines").json()["deadlines"]
pub = next((c for c in d if c["kind"] == "publish" and c["target_code"] == HOSP), None)
s.check("deadlines API: provisional: false, 2027-02-23", pub and pub["provisional"] is False and pub["deadline"] == "2027-02-23"
        and pub["deadline_text"] == "2027-02-23", str(pub))
rc, out = remind("2027-02-19")  # 02-20 (调休上班), 02-22, 02-23
line = next((l for l in out.splitlines() if "宁晋县人民医院" in l and "检查结果公示" in l), "")
s.check("remind: the exact deadline, 即将到期 without 预计", "期限 2027-02-23 · 即将到期 剩余3个工作日" in line, out[:600])
s.check("the dashboard warning is gone (data through 2027)", 'id="calendar-ends"' not in on("2027-02-17", "staff").get("/dashboard").text)
s.done()
