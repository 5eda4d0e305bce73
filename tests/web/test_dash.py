"""Deadlines and accountability (004 第十八条): /dashboard, /dashboard/overdue, /dashboard/reminders,
/my/deadlines and /api/v1/deadlines on a real drawn task (fixture_drawn.py: plan → task → joint
confirmation → draw, checks in 2025年3月至10月).

Records, follow-ups and a second joint department are inserted directly in SQL: the record forms,
review/publication and follow-up modules are built in parallel, so their tables (sql/008) are
filled by hand here with chosen dates that put every clock kind into a known state:

  joint    SC (fixture, confirmed at once)                 → 按时完成
           WJ named 2026-03-02, deadline 03-04, unconfirmed → 已逾期 (4 working days on 03-10)
  entry    hospital: checked 2026-02-13, 待录入  → deadline 2026-03-19 (Spring Festival in between)
           employer: checked 2025-09-26, submitted 10-20 → deadline 2025-10-30, 按时完成
           insured:  no record: month_to 2025-10 → 2025-10-31 + 20 = 2025-11-28, 已逾期
  publish  same starts; employer published 2025-11-03 → 逾期完成
  penalty  F1 (penalty) decision 2026-03-02 → deadline 03-11, not published
  followup F1 opened 2025-11-03, no outcome → 已逾期;  F2 opened 2026-03-02, outcome 03-05 → 按时完成
  rectify  F2 rectify_deadline = today → 今日到期 on the dashboard
"""
import datetime
import json
import re
from fixture_drawn import drawn_db, sql
from webtest import Client, Suite, pin_today

# November of the holiday data's last year: the dashboard warns that the data runs out; pinned before the
# fixture, whose freeze and draw come a few days before it (never the wall clock's day)
today = pin_today("2026-11-16").isoformat()
s = Suite()
f = drawn_db()
db, tid, code, groups = f["db"], f["tid"], f["code"], f["groups"]
staff = f["clients"]["staff"]
HOSP, EMPL = "H13052800001", "91110000600037341L"
INSURED = [t for t in f["targets"] if t not in (HOSP, EMPL)][0]
s.check("fixture drew the three targets", HOSP in groups and EMPL in groups and INSURED.startswith("R"), str(groups))

draw_id = sql(db, "SELECT id FROM draw WHERE task_code = ? AND status = '已抽取'", (code,))[0][0]
org_id = sql(db, "SELECT org_id FROM task WHERE id = ?", (tid,))[0][0]


def record(target, status, checked_on, submitted=None, published=None):
    sql(db, "INSERT INTO record(task_id, draw_id, org_id, target_code, target_id, status, checked_on, submitted_at, "
            "published_at) VALUES (?, ?, ?, ?, (SELECT id FROM target WHERE code = ?), ?, ?, ?, ?)",
        (tid, draw_id, org_id, target, target, status, checked_on, submitted, published))
    return sql(db, "SELECT id FROM record WHERE draw_id = ? AND target_code = ?", (draw_id, target))[0][0]


rid_h = record(HOSP, "待录入", "2026-02-13")
rid_e = record(EMPL, "已公示", "2025-09-26", "2025-10-20 10:00:00", "2025-11-03 09:00:00")
sql(db, "INSERT INTO followup(record_id, org_id, option, opened_on, decision_no, decision_on) "
        "VALUES (?, ?, 'penalty', '2025-11-03', '宁医保罚〔2026〕1号', '2026-03-02')", (rid_e, org_id))
sql(db, "INSERT INTO followup(record_id, org_id, option, opened_on, rectify_deadline, outcome, outcome_on) "
        "VALUES (?, ?, 'rectify', '2026-03-02', ?, '已整改', '2026-03-05')", (rid_e, org_id, today))
sql(db, "INSERT INTO dept(org_id, code, name, kind) VALUES (?, 'WJ', '卫生健康局', '外部门')", (org_id,))
sql(db, "INSERT INTO task_joint(task_id, dept_id, named_on, deadline) "
        "VALUES (?, (SELECT id FROM dept WHERE code = 'WJ'), '2026-03-02', '2026-03-04')", (tid,))


def api(client, query):
    r = client.get("/api/v1/deadlines" + query)
    return r.status, (r.json() if r.status == 200 else None)


# ---- the API: every clock kind in its chosen state on 2026-03-10 ----
st, d = api(staff, "?date=2026-03-10")
s.check("api: 200", st == 200, str(st))
clocks = d["deadlines"] if d else []
by = {}
for c in clocks:
    by.setdefault((c["kind"], c["subject"]), []).append(c)


def one(kind, subject):
    got = by.get((kind, subject), [])
    return got[0] if len(got) == 1 else None


j_sc, j_wj = one("joint", "市场监管局"), one("joint", "卫生健康局")
s.check("joint SC: confirmed in time", j_sc and j_sc["state"] == "done_on_time", str(j_sc))
s.check("joint WJ: named 03-02, 2 working days → 03-04, overdue 4 working days on 03-10",
        j_wj and j_wj["deadline"] == "2026-03-04" and j_wj["state"] == "overdue" and j_wj["days"] == 4
        and j_wj["depts"][0]["name"] == "卫生健康局", str(j_wj))
e_h = one("entry", "宁晋县人民医院")
s.check("entry hospital: 2026-02-13 + 20 working days = 2026-03-19, pending",
        e_h and e_h["deadline"] == "2026-03-19" and e_h["state"] == "pending" and e_h["days"] == 7
        and e_h["record_id"] == rid_h and e_h["link"] == f"/records/{rid_h}", str(e_h))
s.check("entry hospital: the group's officers are responsible",
        e_h and sorted(o["cert_no"] for o in e_h["officers"]) == sorted(m for m, _ in groups[HOSP])
        and e_h["depts"][0]["name"] == "基金监管股", str(e_h and e_h["officers"]))
e_e, p_e = one("entry", "宁晋某公司"), one("publish", "宁晋某公司")
s.check("entry employer: submitted 10-20 before 10-30 → 按时完成",
        e_e and e_e["deadline"] == "2025-10-30" and e_e["state"] == "done_on_time" and e_e["done_on"] == "2025-10-20", str(e_e))
s.check("publish employer: published 11-03 after 10-30 → 逾期完成",
        p_e and p_e["state"] == "done_late" and p_e["state_name"] == "逾期完成" and p_e["officers"] == [], str(p_e))
e_i, p_i = one("entry", INSURED), one("publish", INSURED)
s.check("entry insured (no record yet): last day of month_to + 20 = 2025-11-28, overdue",
        e_i and e_i["start"] == "2025-10-31" and e_i["deadline"] == "2025-11-28" and e_i["state"] == "overdue"
        and e_i["link"] == f"/tasks/{tid}" and e_i["record_id"] is None, str(e_i))
s.check("publish insured overdue too", p_i and p_i["state"] == "overdue", str(p_i))
pen = [c for c in clocks if c["kind"] == "penalty"]
s.check("penalty: decision 03-02 + 7 working days = 03-11, due soon on 03-10",
        len(pen) == 1 and pen[0]["deadline"] == "2026-03-11" and pen[0]["state"] == "due_soon" and pen[0]["days"] == 1
        and pen[0]["link"].startswith("/followups/"), str(pen))
fu = sorted([c for c in clocks if c["kind"] == "followup"], key=lambda c: c["start"])
s.check("follow-up outcomes: F1 overdue, F2 entered in time",
        len(fu) == 2 and fu[0]["state"] == "overdue" and fu[1]["state"] == "done_on_time" and fu[1]["done_on"] == "2026-03-05",
        str(fu))
rect = [c for c in clocks if c["kind"] == "rectify"]
s.check("rectification: the date as set", len(rect) == 1 and rect[0]["deadline"] == today, str(rect))
s.check("insured person never named", "张三丰" not in json.dumps(d, ensure_ascii=False))

st, d = api(staff, "?state=overdue&date=2026-03-10")
s.check("api state=overdue: joint, entry, publish, follow-up",
        st == 200 and d["count"] == 4 and sorted(c["kind"] for c in d["deadlines"]) == ["entry", "followup", "joint", "publish"],
        str(d and [(c["kind"], c["subject"]) for c in d["deadlines"]]))
s.check("api bad state: 400", api(staff, "?state=late")[0] == 400)
s.check("api bad kind: 400", api(staff, "?kind=x")[0] == 400)
s.check("api bad date: 400", api(staff, "?date=2026-02-30")[0] == 400)
st, d = api(staff, "?state=due_today&date=2026-03-19")
s.check("api on 2026-03-19: the hospital's entry and publication are due today",
        st == 200 and sorted(c["kind"] for c in d["deadlines"]) == ["entry", "publish"]
        and all(c["subject"] == "宁晋县人民医院" and c["label"] == "今日到期" for c in d["deadlines"]), str(d))

# ---- the dashboard (today): counts per kind × state ----
r = staff.get("/dashboard")
s.check("dashboard: 200 for staff", r.status == 200, str(r.status))


def count(html, kind, state):
    row = re.search(r'<tr data-kind="%s">(.*?)</tr>' % kind, html, re.S)
    cell = row and re.search(r'data-state="%s">(\d+)<' % state, row.group(1))
    return int(cell.group(1)) if cell else None


want_counts = {("joint", "overdue"): 1, ("joint", "done_on_time"): 1, ("entry", "overdue"): 2, ("entry", "done_on_time"): 1,
        ("publish", "overdue"): 2, ("publish", "done_late"): 1, ("penalty", "overdue"): 1, ("followup", "overdue"): 1,
        ("followup", "done_on_time"): 1, ("rectify", "due_today"): 1, ("rectify", "overdue"): 0, ("entry", "unknown"): 0}
got = {k: count(r.text, *k) for k in want_counts}
s.check("dashboard counts per kind and state", got == want_counts, str(got))
s.check("dashboard: overdue section lists 7", "已逾期（7）" in r.text, re.findall(r"已逾期（\d+）", r.text))
s.check("dashboard: due today lists the rectification", re.search(r'id="today".*?整改期限.*?</section>', r.text, re.S) is not None)
s.check("dashboard: overdue rows name the responsible officers",
        all(m in r.text for m, _ in groups[INSURED]))
s.check("dashboard: insured person never named", "张三丰" not in r.text)
for who in ("leader", "supervisor", "admin"):
    c = Client(db)
    c.login(who)
    s.check(f"dashboard: 200 for {who}", c.get("/dashboard").status == 200)

# ---- overdue per officer and per dept (004 第十八条) ----
r = staff.get("/dashboard/overdue?by=officer")
s.check("overdue by officer: 200", r.status == 200, str(r.status))
rows = {m.group(2): (m.group(1), m.group(3), int(m.group(4))) for m in re.finditer(
    r'<tr><td>([^<]*)</td><td class="mono">([^<]*)</td><td>([^<]*)</td><td class="num">(\d+)</td>', r.text)}
overdue_groups = [HOSP, INSURED]  # the hospital's entry is overdue by today, and the insured's
want = {}
for t in overdue_groups:
    for m, _ in groups[t]:
        want[m] = want.get(m, 0) + 1
s.check("overdue by officer: the overdue groups' officers with their counts",
        {k: v[2] for k, v in rows.items()} == want, f"{rows} != {want}")
names = dict(sql(db, "SELECT cert_no, name FROM officer"))
s.check("overdue by officer: names and depts",
        all(rows[c][0] == names[c] and rows[c][1] in ("基金监管股", "市场监管局") for c in rows), str(rows))
only_employer = {m for m, _ in groups[EMPL]} - set(want)
s.check("overdue by officer: officers with nothing overdue are absent", not (only_employer & set(rows)), str(only_employer))
r = staff.get("/dashboard/overdue?by=dept")
depts = {m.group(1): int(m.group(2)) for m in re.finditer(
    r'<tr><td>([^<]*)</td><td>[^<]*</td><td class="num">(\d+)</td>', r.text)}
s.check("overdue by dept: lead dept 6 (entry 2, publication 2, penalty, follow-up), joint dept 1",
        depts == {"基金监管股": 6, "卫生健康局": 1}, str(depts))
s.check("overdue by dept: cites 第十八条", "第十八条" in r.text)
s.check("overdue by=x: 400", staff.get("/dashboard/overdue?by=x").status == 400)

# ---- the daily reminder list ----
r = staff.get("/dashboard/reminders?date=2026-03-10")
s.check("reminders: 200 and the date", r.status == 200 and 'id="reminder-date">2026-03-10<' in r.text, str(r.status))
sec = {m.group(1): int(m.group(2)) for m in re.finditer(r'<h2 class="card-title">([^（<]+)（(\d+)）</h2>', r.text)}
s.check("reminders 2026-03-10: none today, the penalty soon, 4 overdue",
        sec == {"今日到期": 0, "3个工作日内到期": 1, "已逾期": 4}, str(sec))
s.check("reminders: printable", "data-print" in r.text and "no-print" in r.text)
r = staff.get("/dashboard/reminders?date=2026-03-19")
s.check("reminders 2026-03-19: the hospital due today",
        re.search(r'id="today".*?宁晋县人民医院.*?今日到期.*?</section>', r.text, re.S) is not None)
s.check("reminders: bad date 400", staff.get("/dashboard/reminders?date=19-03-2026").status == 400)
s.check("reminders: default date is today", f'id="reminder-date">{today}<' in staff.get("/dashboard/reminders").text)

# ---- an officer's own deadlines ----
unlinked = Client(db)
unlinked.login("officer")
r = unlinked.get("/my/deadlines")
s.check("my deadlines: an unlinked officer gets an explanation", r.status == 200 and "未关联执法人员" in r.text, str(r.status))
leader_cert = [m for m, role in groups[HOSP] if role == "组长"][0]
officer = f["officer_user_for"](leader_cert)
r = officer.get("/my/deadlines")
s.check("my deadlines: 200", r.status == 200, str(r.status))
s.check("my deadlines: the hospital's result entry, overdue", re.search(
    r"宁晋县人民医院 <span class=\"badge badge-danger\">已逾期", r.text) is not None and "检查结果录入" in r.text)
s.check("my deadlines: no publication or joint clocks", "检查结果公示" not in r.text and "卫生健康局" not in r.text)
mine_targets = {t for t, ms in groups.items() if leader_cert in (m for m, _ in ms)}
s.check("my deadlines: only the officer's own groups",
        ("宁晋某公司" in r.text) == (EMPL in mine_targets) and (INSURED in r.text) == (INSURED in mine_targets))
other = f["officer_user_for"]("YB002", "officer2")
r = other.get("/my/deadlines")
s.check("my deadlines: an officer without groups has none", r.status == 200 and "没有待办期限" in r.text)

# ---- permissions and org scope ----
s.check("officer: 403 on /dashboard", officer.get("/dashboard").status == 403)
s.check("officer: 403 on the overdue list", officer.get("/dashboard/overdue").status == 403)
s.check("officer: 403 on the reminders", officer.get("/dashboard/reminders").status == 403)
s.check("officer: 403 on the API", officer.get("/api/v1/deadlines").status == 403)
s.check("staff: 403 on /my/deadlines", staff.get("/my/deadlines").status == 403)
joint = f["clients"]["joint"]
s.check("joint dept: 403 on /dashboard", joint.get("/dashboard").status == 403)
lin = Client(db)
lin.login("lincheng")
st, d = api(lin, "?date=2026-03-10")
s.check("another county: the API lists nothing", st == 200 and d["count"] == 0, str(d and d["count"]))
r = lin.get("/dashboard")
s.check("another county: dashboard counts are all 0",
        r.status == 200 and all(count(r.text, k, st_) == 0 for k, st_ in want_counts) and code not in r.text)
s.check("another county: nothing overdue per officer",
        "没有逾期事项" in lin.get("/dashboard/overdue?by=officer").text)
s.check("another county: no reminders", code not in lin.get("/dashboard/reminders?date=2026-03-10").text)
city = Client(db)
city.login("city")
st, d = api(city, "?state=overdue&date=2026-03-10")
s.check("the city bureau sees the county below it", st == 200 and d["count"] == 4, str(d and d["count"]))
s.check("anonymous: login needed", Client(db).get("/dashboard").status in (303, 401))
# ---- the holiday data runs out: a warning from November of its last year, gone once the next year is loaded ----
import os, subprocess, tempfile
from webtest import SPOTCHECK
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
built_in = open(os.path.join(root, "data", "holidays.tsv"), encoding="utf-8").read()
last = max(int(line[:4]) for line in built_in.splitlines() if line[:1].isdigit())
day = datetime.date.fromisoformat(today)
def warned_for(year):
    return day.year > year or (day.year == year and day.month >= 11)
r = staff.get("/dashboard")
s.check("calendar warning exactly when the data ends within two months", ('id="calendar-ends"' in r.text) == warned_for(last) and
        (not warned_for(last) or f"节假日数据只到 {last} 年底" in r.text), warned_for(last))
with tempfile.TemporaryDirectory() as d:
    with open(os.path.join(d, "holidays.tsv"), "w", encoding="utf-8") as out:  # a made-up next year, for the test only
        out.write(built_in + f"{last + 1}-01-01\t放假\t元旦\n{last + 1}-10-01\t放假\t国庆节\n")
    p = subprocess.run([SPOTCHECK, "refdata", "load", "holidays", "--dir", d, "--db", db], capture_output=True)
    s.check("next year's holidays loaded with refdata load", p.returncode == 0, p.stderr.decode()[-300:])
    with open(os.path.join(d, "holidays.tsv"), "a", encoding="utf-8") as out:
        out.write(f"{last + 1}-11-03\t上班\t\n")  # a weekday 上班: against the calendar's rules
    p = subprocess.run([SPOTCHECK, "refdata", "load", "holidays", "--dir", d, "--db", db], capture_output=True)
    s.check("a file against the calendar's rules is refused", p.returncode == 1 and "holidays" in p.stderr.decode(), p.stderr.decode()[-300:])
r = staff.get("/dashboard")
s.check("the warning follows the loaded data", ('id="calendar-ends"' in r.text) == warned_for(last + 1))
# ---- long lists come in pages of 50 with page numbers ----
for i in range(60):  # 60 more joint depts named long ago and never confirmed: 60 more overdue clocks
    sql(db, "INSERT INTO dept(org_id, code, name, kind) VALUES (?, ?, ?, '外部门')", (org_id, "X%02d" % i, "外部门%02d" % i))
    sql(db, "INSERT INTO task_joint(task_id, dept_id, named_on, deadline) VALUES (?, (SELECT id FROM dept WHERE code = ?), "
            "'2026-03-02', '2026-03-04')", (tid, "X%02d" % i))


def section_rows(html, sid):
    m = re.search(r'<section class="card card-flush" id="%s">(.*?)</section>' % sid, html, re.S)
    return (len(re.findall(r"<tr>", m.group(1))) - 1, m.group(1)) if m else (None, "")  # minus the head row


r = staff.get("/dashboard")
n, body = section_rows(r.text, "overdue")
total = int(re.search(r"已逾期（(\d+)）", r.text).group(1))
s.check("paging: 67 overdue, 50 on the first page, page numbers 1 and 2",
        total == 67 and n == 50 and "第 1 / 2 页" in body and 'href="/dashboard?overdue_page=2#overdue"' in body, (total, n))
r2 = staff.get("/dashboard?overdue_page=2")
n2, body2 = section_rows(r2.text, "overdue")
s.check("paging: the second page holds the other 17", n2 == 17 and "第 2 / 2 页" in body2, n2)
first = set(re.findall(r"外部门\d\d", body)) | set(re.findall(r"外部门\d\d", body2))
s.check("paging: every joint dept on one of the two pages", len(first) == 60, len(first))
st, d = api(staff, "?state=overdue")
s.check("paging: page 1 then page 2 are the API's overdue list in order",
        re.findall(r'<td><a href="[^"]*">([^<]*)</a><div class="small muted">', body + body2)[1::2] ==  # task, subject
        [c["subject"] for c in d["deadlines"]], "")
r = staff.get("/dashboard/overdue?by=dept")
groups = re.findall(r'<tr><td>([^<]*)</td><td>[^<]*</td><td class="num">(\d+)</td>', r.text)
s.check("paging: 62 depts overdue, 50 on the first page", len(groups) == 50 and "第 1 / 2 页" in r.text, len(groups))
r = staff.get("/dashboard/overdue?by=dept&page=2")
groups2 = re.findall(r'<tr><td>([^<]*)</td><td>[^<]*</td><td class="num">(\d+)</td>', r.text)
s.check("paging: the other 12 on page 2, most overdue first", len(groups2) == 12 and groups[0] == ("基金监管股", "6"), (len(groups2), groups[:1]))
x = sql(db, "SELECT id FROM dept WHERE code = 'X07'")[0][0]
r = staff.get(f"/dashboard/overdue?by=dept&who={x}")
s.check("one dept's overdue clocks", r.status == 200 and "外部门07" in r.text and "联合部门确认" in r.text and "外部门08" not in r.text, r.status)
s.check("an unknown dept: 404", staff.get("/dashboard/overdue?by=dept&who=999999").status == 404)
lead = sql(db, "SELECT id FROM dept WHERE name = '基金监管股'")[0][0]
r = staff.get(f"/dashboard/overdue?by=dept&who={lead}")
s.check("the lead dept's 6 overdue clocks", r.status == 200 and len(re.findall(r'<tr><td class="nowrap">', r.text)) == 6, r.status)
s.done()
