"""Task implementation through test-http: from a published plan row to locked groups and a public
record that verifies independently. Starting only from a published plan row; the implementation
scheme's approval (a staff user cannot approve, a leader can return with an opinion); a draw
before the scheme's publication is refused with a clear message; the joint department's
2-working-day deadline (computed here independently from data/holidays.tsv), overdue flag and
confirmation, whose officers then enter the pool; the ceremony (frozen strata and digest, typed
dice digits, result at once, then locked); substitution in draw order with a required reason;
the 检查通知书; the officer's own list; the public portal (no insured names, downloads, how to
verify) and tools/verify_draw.py and `spotcheck verify` on the downloaded files; a re-draw
needs a reason and the leader's approval and keeps the earlier draw; audit rows."""
import datetime
import hashlib
import hmac
import json
import os
import re
import subprocess
import tempfile
import dbtool
from webtest import scratch_dir, SPOTCHECK, Client, Suite, small_db, ids, sql, pin_today, scheme_version
from fixture_drawn import fc3d_source, scheme_source_fields

s = Suite()
today = pin_today("2026-06-15").isoformat()
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")



def workday_after(day, n):
    """n-th working day after day, from data/holidays.tsv and, for the years after it, the statutory
    holidays with data/lunar.tsv (independent of the C calendar)."""
    off, on = set(), set()
    with open(os.path.join(ROOT, "data", "holidays.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip() or line.startswith("date\t"):
                continue
            d, kind = line.split("\t")[:2]
            (off if kind == "放假" else on).add(d)
    last = max(int(d[:4]) for d in off)
    with open(os.path.join(ROOT, "data", "lunar.tsv"), encoding="utf-8") as f:
        for line in f:
            if not line[:1].isdigit() or int(line[:4]) <= last:
                continue
            y, chuxi, qingming, duanwu, zhongqiu = line.split()
            c = datetime.date.fromisoformat(chuxi)
            off.update((c + datetime.timedelta(days=k)).isoformat() for k in range(4))
            off.update([qingming, duanwu, zhongqiu] + [f"{y}-{md}" for md in ("01-01", "05-01", "05-02", "10-01", "10-02", "10-03")])
    d = datetime.date.fromisoformat(day)
    while n:
        d += datetime.timedelta(days=1)
        iso = d.isoformat()
        if iso in on or (d.weekday() < 5 and iso not in off):
            n -= 1
    return d.isoformat()


db = small_db()
d = os.path.dirname(db)
# more officers: three more of the lead 基金监管股 (D1) and two of the joint 市场监管局 (SC)
with open(os.path.join(d, "officers2.csv"), "w", encoding="utf-8") as f:
    f.write("执法证号,姓名,所属机构,科室,证件生效日期,证件有效期至,专长标签,执法区域,可任组长,联系电话\n"
            "YB003,李执法,130528,D1,2023-01-01,2030-12-31,,130528,是,13800000003\n"
            "YB004,赵执法,130528,D1,2023-01-01,2030-12-31,,130528,否,\n"
            "YB005,钱执法,130528,D1,2023-01-01,2030-12-31,,130528,否,\n"
            "SC001,市监甲,130528,SC,2023-01-01,2030-12-31,,130528,是,\n"
            "SC002,市监乙,130528,SC,2023-01-01,2030-12-31,,130528,否,\n")
subprocess.run([SPOTCHECK, "import", "officers", os.path.join(d, "officers2.csv"), "--db", db], check=True, capture_output=True)
subprocess.run([SPOTCHECK, "user", "link", "joint", "--dept", "SC", "--db", db], check=True, capture_output=True)

staff, leader, joint, officer, sup, anon, other = (Client(db) for _ in range(7))
staff.login("staff")
leader.login("leader")
joint.login("joint")
sup.login("supervisor")
other.login("lincheng")

# --- the annual plan, published through the plan module's routes
r = staff.form("/plans/new", {"year": "2025", "number": "2025101", "qualifier": "定点医药机构"})
vid = int(re.match(r"/plans/(\d+)", r.header("Location")).group(1))
row = [("task_no", "001号"), ("name", "定点医药机构基金使用情况随机抽查"), ("kind", "不定向"), ("ratio", "50%"), ("items", "I1"),
       ("items_text", ""), ("scope_text", "宁晋县及临城县检查对象"), ("region_prefix", "1305"), ("lead_dept", "基金监管股"),
       ("joint_depts", "市场监管局"), ("period", "2025年3月至10月"), ("level", "县级"), ("remark", "")]
r = staff.form(f"/plans/{vid}/task", row)
s.check("plan row saved", r.status == 303, f"{r.status} {r.text[:300]}")
ptid = ids(db, f"SELECT id FROM plan_task WHERE version_id = {vid}")[0]

r = staff.form("/tasks/start", {"plan_task": ptid})
s.check("a task cannot start from a draft plan", r.status == 409 and "计划须经分管领导批准并向社会公开" in r.text, f"{r.status} {r.text[-400:]}")
staff.form(f"/plans/{vid}/submit", {})
leader.form(f"/plans/{vid}/approve", {})
r = staff.form(f"/plans/{vid}/publish", {})
s.check("plan published", ids(db, f"SELECT status FROM plan_version WHERE id = {vid}") == ["已公开"], r.text[-300:])

r = staff.get("/tasks")
s.check("the published row is offered to start", r.status == 200 and "定点医药机构基金使用情况随机抽查" in r.text and 'name="plan_task"' in r.text)
r = other.form("/tasks/start", {"plan_task": ptid})
s.check("another county cannot start it", r.status == 404)
r = staff.form("/tasks/start", {"plan_task": ptid})
m = re.match(r"/tasks/(\d+)", r.header("Location") or "")
s.check("staff starts the task", r.status == 303 and m, f"{r.status} {r.text[-300:]}")
tid = int(m.group(1))
r = staff.form("/tasks/start", {"plan_task": ptid})
s.check("a plan row starts only one task", r.status == 409 and "已经开始实施" in r.text)
code = ids(db, f"SELECT code FROM task WHERE id = {tid}")[0]
s.check("task code = plan number - task no", code == "2025101-001号", code)

# --- joint department: deadline of 2 working days, computed independently
named_on, deadline = sql(db, f"SELECT named_on, deadline FROM task_joint WHERE task_id = {tid}")[0]
s.check("joint dept named today", named_on == today, named_on)
s.check("deadline = 2nd working day after naming (naming day not counted)", deadline == workday_after(today, 2), f"{deadline}")
r = staff.get(f"/tasks/{tid}")
s.check("task page shows the joint dept, deadline and state", "市场监管局" in r.text and str(deadline) in r.text and "待确认" in r.text)

# --- scheme before publication: the draw is refused
r = staff.form(f"/tasks/{tid}/freeze", {})
s.check("freezing before the scheme is published is refused with a clear message",
        r.status == 409 and "实施方案尚未公开" in r.text and "分管领导批准并向社会公开" in r.text, f"{r.status} {r.text[-300:]}")
r = staff.form(f"/tasks/{tid}/draw", {"value0": "123"})
s.check("drawing before anything is frozen is refused", r.status == 409 and "尚未冻结" in r.text, r.text[-300:])
p = subprocess.run([SPOTCHECK, "draw", "freeze", "--task", code, "--by", "staff", "--db", db], capture_output=True, text=True)
s.check("the CLI keeps the same rule: no freeze before the scheme is published", p.returncode == 1 and "实施方案尚未公开" in p.stderr,
        p.stdout + p.stderr)
s.check("no draw row was written", ids(db, f"SELECT count(*) FROM draw WHERE task_code = '{code}'") == [0])

r = staff.form(f"/tasks/{tid}/submit", {})
s.check("an incomplete scheme cannot be submitted", r.status == 409 and "请先填写" in r.text)
s.check("... the refusal is shown on the task page, not a bare error page", 'id="scheme-errors"' in r.text and 'id="scheme-form"' in r.text)
scheme = {"purpose": "规范医保基金使用", "period": "2025年6月1日至6月30日", "group_size": "1", "method": "实地检查、书面检查",
          "confidentiality": "抽取结果在检查前保密", "use_of_results": "纳入信用记录", "materials": "近一年医保结算清单",
          "contact": "基金监管股 0319-1234567", "randomness_source": "摇号现场由观察员掷 8 枚骰子的点数",
          "observers0": "钱律师", "observers1": "孙代表", "observers2": "", "observers3": "县融媒体中心 周记者"}
r = staff.form(f"/tasks/{tid}/scheme", dict(scheme, version=scheme_version(db, tid)))
s.check("a group of one officer is refused (≥2)", r.status == 422 and "不少于 2 名" in r.text)
s.check("... on the task page, with the typed text still in the form (nothing typed is lost)",
        'id="scheme-errors"' in r.text and ">规范医保基金使用</textarea>" in r.text and "钱律师" in r.text, r.text[-400:])
scheme["group_size"] = "2"
# sources of public randomness: the bureau's own dice alone are refused; a lottery two days on is taken
day = datetime.date.fromisoformat(today)
lottery = fc3d_source(day + datetime.timedelta(days=2))
scheme["version"] = str(scheme_version(db, tid))
r = staff.form(f"/tasks/{tid}/scheme", dict(scheme, **scheme_source_fields([{"kind": "dice", "count": 8}])))
s.check("dice alone are refused: a source outside the bureau is required", r.status == 422 and "本局以外" in r.text, r.status)
r = staff.form(f"/tasks/{tid}/scheme", dict(scheme, **scheme_source_fields([dict(lottery, issue="2024001")])))
s.check("a lottery issue of another year is refused", r.status == 422 and "期号" in r.text, r.status)
scheme.update(scheme_source_fields([lottery, {"kind": "dice", "count": 8}]))
r = staff.form(f"/tasks/{tid}/scheme", dict(scheme, yearly_cap="0", version=scheme_version(db, tid)))
s.check("the workload rules are checked: a yearly cap of 0 is refused in Chinese", r.status == 422 and "每年被抽中次数上限" in r.text, str(r.status))
scheme.update({"workload_cap": "50", "yearly_cap": "1", "checked_within_months": "6"})
r = staff.form(f"/tasks/{tid}/scheme", dict(scheme, version=""))
s.check("a save without the version it was made on is refused", r.status == 422 and "版本号" in r.text, str(r.status))
v0 = scheme_version(db, tid)
r = staff.form(f"/tasks/{tid}/scheme", scheme)
s.check("scheme saved", r.status == 303, f"{r.status} {r.text[-300:]}")
s.check("... and its version moved on", scheme_version(db, tid) == v0 + 1)
s.check("the form carries the version to save on", f'name="version" value="{v0 + 1}"' in staff.get(f"/tasks/{tid}").text)
stale = dict(scheme, purpose="另一人的检查目的")
r = staff.form(f"/tasks/{tid}/scheme", stale)
s.check("a second save on the same (now old) version is refused: no lost update",
        r.status == 409 and f"您编辑的是第 {v0} 版，当前为第 {v0 + 1} 版" in r.text, f"{r.status} {r.text[-300:]}")
s.check("... and the first save's text stands", ids(db, f"SELECT purpose FROM task_scheme WHERE task_id = {tid}") == ["规范医保基金使用"])
s.check("... the page keeps what was typed in the form and shows the saved text beside it",
        '>另一人的检查目的</textarea>' in r.text and 'id="scheme-stale"' in r.text
        and '<tr class="stale-diff"><th scope="row">检查目的</th><td data-label="他人已保存">规范医保基金使用</td><td data-label="您填写的">另一人的检查目的</td>' in r.text,
        r.text[-800:])
s.check("... a field typed as saved is listed as the same, not marked",
        '<tr><th scope="row">检查时间</th><td data-label="他人已保存">' in r.text)
r = staff.form(f"/tasks/{tid}/scheme", dict(stale, version=str(v0 + 1)))
s.check("... saved again on the current version, the typed text stands", r.status == 303
        and ids(db, f"SELECT purpose FROM task_scheme WHERE task_id = {tid}") == ["另一人的检查目的"], f"{r.status} {r.text[-300:]}")
r = staff.form(f"/tasks/{tid}/scheme", scheme | {"version": str(v0 + 2)})
s.check("... and back", r.status == 303 and ids(db, f"SELECT purpose FROM task_scheme WHERE task_id = {tid}") == ["规范医保基金使用"])
r = staff.form(f"/tasks/{tid}/submit", {})
s.check("scheme submitted", r.status == 303)
r = staff.form(f"/tasks/{tid}/approve", {})
s.check("staff cannot approve the scheme", r.status == 403)
r = leader.form(f"/tasks/{tid}/return", {"opinion": ""})
s.check("return needs an opinion", r.status == 409)
r = leader.form(f"/tasks/{tid}/return", {"opinion": "请补充保密要求"})
s.check("leader returns with an opinion", r.status == 303 and "请补充保密要求" in staff.get(f"/tasks/{tid}").text)
staff.form(f"/tasks/{tid}/submit", {})
r = leader.form(f"/tasks/{tid}/approve", {})
s.check("leader approves", r.status == 303 and ids(db, f"SELECT status FROM task_scheme WHERE task_id = {tid}") == ["已批准"])
r = staff.form(f"/tasks/{tid}/freeze", {})
s.check("an approved but unpublished scheme still refuses the draw", r.status == 409 and "当前状态：已批准" in r.text)
r = staff.form(f"/tasks/{tid}/publish", {})
s.check("scheme published", r.status == 303 and ids(db, f"SELECT status FROM task_scheme WHERE task_id = {tid}") == ["已公开"])
# the workload preview before the freeze: what a freeze now would give, per officer, against the cap
r = staff.get(f"/tasks/{tid}?preview=1")
m = re.search(r'将抽取检查对象 <strong>(\d+)</strong>.*?每组 (\d+) 人，共需 (\d+) 人次；\s*名单中执法人员 (\d+) 人，平均每人约 <strong id="per-officer">([\d.]+)</strong>', r.text, re.S)
s.check("the workload preview shows targets, slots, officers and the average per officer",
        r.status == 200 and m is not None and int(m.group(3)) == int(m.group(1)) * int(m.group(2))
        and abs(float(m.group(5)) - int(m.group(3)) / int(m.group(4))) < 0.06, r.text[r.text.find("workload-preview") - 20:][:600])
s.check("... without freezing anything", ids(db, f"SELECT count(*) FROM draw WHERE task_code = '{code}'") == [0])
s.check("the task page offers the preview without computing it", 'id="btn-preview"' in staff.get(f"/tasks/{tid}").text)
if m and int(m.group(3)) > int(m.group(4)):  # more slots than officers: a cap of one group each cannot be met
    sql(db, f"UPDATE task_scheme SET workload_cap = 1 WHERE task_id = {tid}")
    s.check("a workload cap too low for the draw is flagged before the freeze", 'id="over-cap"' in staff.get(f"/tasks/{tid}?preview=1").text)
    sql(db, f"UPDATE task_scheme SET workload_cap = 50 WHERE task_id = {tid}")
r = staff.form(f"/tasks/{tid}/scheme", scheme)
s.check("a published scheme cannot be edited", r.status == 409)

# --- joint confirmation gates the freeze; overdue is flagged
r = staff.form(f"/tasks/{tid}/freeze", {})
s.check("freeze waits for the joint dept within its deadline", r.status == 409 and "联合部门「市场监管局」尚未确认" in r.text, r.text[-300:])
# time has passed: named on 2025-10-08 (国庆 holiday), due on the 2nd working day after, 2025-10-10
# (the deadline is counted from named_on on the current calendar, not read from the stored column)
sql(db, f"UPDATE task_joint SET named_on = '2025-10-08', deadline = NULL WHERE task_id = {tid}")
r = staff.get(f"/tasks/{tid}")
s.check("a passed deadline is flagged 已逾期", "已逾期" in r.text and "badge-danger" in r.text)
r = joint.get("/joint")
s.check("the joint dept sees the task with its deadline", r.status == 200 and "定点医药机构基金使用情况随机抽查" in r.text and "2025-10-10" in r.text)
# 一业一查: the joint dept picks its own entries of the item list
r = staff.post_json("/api/v1/items", {"code": "SC-01", "name": "药品价格行为检查", "basis": "《价格法》第十二条",
                                      "dept_id": "SC", "org_id": "130528", "target_kinds": "定点零售药店",
                                      "content": "明码标价、价格欺诈", "methods": "实地检查", "class": "一般"})
s.check("the market regulator's entry of the item list", r.status in (200, 201), f"{r.status} {r.text[:300]}")
r = joint.get("/joint")
s.check("the joint page offers the dept's own items to tick", 'name="item_codes" value="SC-01"' in r.text
        and 'value="I1"' not in r.text)
r = joint.form(f"/joint/{tid}/confirm", {})
s.check("confirming with no item is refused", r.status == 422 and "请选择本部门的检查事项" in r.text, f"{r.status} {r.text[-200:]}")
r = joint.form(f"/joint/{tid}/confirm", {"item_codes": "I1", "items_text": "x"})
s.check("an item of another dept is refused", r.status == 422 and "不是本部门" in r.text, f"{r.status}")
r = joint.form(f"/joint/{tid}/confirm", [("item_codes", "SC-01"), ("items_text", "价格行为检查")])
s.check("joint dept confirms with its own items", r.status == 303, f"{r.status} {r.text[-300:]}")
s.check("... the item list's entry stored by code", ids(db, f"SELECT item_codes FROM task_joint WHERE task_id = {tid}") == ["SC-01"])
r = joint.form(f"/joint/{tid}/confirm", {"items_text": "x"})
s.check("a second confirmation is refused", r.status == 409)
r = staff.get(f"/tasks/{tid}")
s.check("late confirmation is shown as 逾期确认 with the items", "逾期确认" in r.text and "价格行为检查" in r.text
        and "药品价格行为检查" in r.text)

# --- recusal (回避) declared before the freeze, frozen with it
own = ids(db, "SELECT code FROM target WHERE org_id = (SELECT id FROM org WHERE code = '130528') ORDER BY code")
r = staff.form(f"/tasks/{tid}/conflicts", {"officer": "YB005", "target": own[0], "reason": ""})
s.check("a conflict needs its reason", r.status == 422 and "回避原因" in r.text, f"{r.status}")
r = staff.form(f"/tasks/{tid}/conflicts", {"officer": "NOPE9", "target": own[0], "reason": "近亲属"})
s.check("... an officer of the directory", r.status == 422 and "NOPE9" in r.text, f"{r.status}")
r = staff.form(f"/tasks/{tid}/conflicts", {"officer": "YB005", "target": "H13052200001", "reason": "近亲属"})
s.check("... and a target of the task's own jurisdiction (not another county's)", r.status == 422, f"{r.status}")
r = leader.form(f"/tasks/{tid}/conflicts", {"officer": "YB005", "target": own[0], "reason": "近亲属"})
s.check("a leader does not declare for the bureau (task.write)", r.status == 403)
for t in own[:-1]:
    r = staff.form(f"/tasks/{tid}/conflicts", {"officer": "YB005", "target": t, "reason": "曾在该机构任职"})
    s.check(f"YB005 declares a conflict with {t}", r.status == 303 and "ok=conflict" in (r.header("Location") or ""), f"{r.status} {r.text[-200:]}")
r = staff.form(f"/tasks/{tid}/conflicts", {"officer": "YB005", "target": own[0], "reason": "再次"})
s.check("the same conflict twice is refused", r.status == 409)
r = staff.get(f"/tasks/{tid}")
s.check("the task page lists the declared conflicts", 'id="conflict-list"' in r.text and r.text.count("曾在该机构任职") == len(own) - 1)
r = staff.post_json(f"/api/v1/tasks/{tid}/conflicts", {"officer": "YB005", "target": own[-1], "reason": "与负责人系同学"})
s.check("the API declares one too and echoes the list", r.status == 200 and len(r.json()["conflicts"]) == len(own), r.text[:300])
for stmt in ("UPDATE task_conflict SET reason = 'x'", "DELETE FROM task_conflict"):
    try:
        sql(db, stmt)
        s.check(f"{stmt} refused by the database", False)
    except Exception as e:
        s.check(f"{stmt} refused by the database", "不能" in str(e), str(e))
s.check("audit rows task.conflict.declare", ids(db, f"SELECT count(*) FROM audit_log WHERE action = 'task.conflict.declare' "
                                                   f"AND entity_id = '{tid}'") == [len(own)])

# --- freeze and ceremony
r = leader.form(f"/tasks/{tid}/freeze", {})
s.check("a leader cannot freeze", r.status == 403)
# a failure of the audit row leaves neither the draw change nor the audit row (one transaction)
dbtool.fail_inserts(db, "fail_audit", "audit_log", "audit down", when="NEW.action = 'task.draw.freeze'")
r = staff.form(f"/tasks/{tid}/freeze", {})
s.check("freeze whose audit row fails: refused, no draw row, no audit row", r.status == 500
        and ids(db, f"SELECT count(*) FROM draw WHERE task_code = '{code}'") == [0]
        and ids(db, f"SELECT count(*) FROM audit_log WHERE action = 'task.draw.freeze'") == [0], f"{r.status}")
dbtool.unfail_inserts(db, "fail_audit", "audit_log")
# a source that exists within 24 hours (declared at the freeze instead of the scheme's) is refused
r = staff.form(f"/tasks/{tid}/freeze", scheme_source_fields([fc3d_source(day)]))
s.check("freeze refused when the earliest source is less than 24 hours away", r.status == 409 and "至少 24 小时" in r.text,
        f"{r.status} {r.text[-300:]}")
r = staff.form(f"/tasks/{tid}/freeze", {})
s.check("freeze after publication", r.status == 303, f"{r.status} {r.text[-300:]}")
r = anon.get(f"/public/tasks/{tid}/announcement")
fsha0 = ids(db, f"SELECT freeze_sha256 FROM draw WHERE task_code = '{code}'")[0]
s.check("the 公告: freeze digest, freeze time to the second, the sources not yet drawn", r.status == 200 and fsha0 in r.text
        and re.search(r'id="ann-frozen-at">' + re.escape(today) + r" \d\d:\d\d:\d\d 北京时间<", r.text) and lottery["issue"] in r.text
        and "观察员现场掷 8 枚骰子" in r.text, r.text[-500:])
r = anon.get(f"/public/tasks/{tid}/announcement.txt")
s.check("... also as plain text to post", r.status == 200 and fsha0 in r.text and "福彩3D 第" + lottery["issue"] + "期" in r.text)
params = ids(db, f"SELECT params FROM draw WHERE task_code = '{code}'")[0]
s.check("officer pool = lead dept + confirmed joint dept; ratio and scope from the plan row",
        '"officer_depts":["D1","SC"]' in params and '"*":"50%"' in params and '"region_prefix":"1305"' in params and '"yearly_cap":1' in params, params)
s.check("the scheme's workload rules are frozen with the draw", '"workload_cap":50' in params and '"checked_within_months":6' in params, params)
r = staff.form(f"/tasks/{tid}/freeze", {})
s.check("a second freeze is refused", r.status == 409)
r = staff.get(f"/tasks/{tid}/draw")
pop_sha = ids(db, f"SELECT population_sha256 FROM draw WHERE task_code = '{code}'")[0]
s.check("ceremony shows strata counts, digest and one field per declared source",
        r.status == 200 and pop_sha in r.text and "福彩3D 第" + lottery["issue"] + "期" in r.text and 'id="frozen-strata"' in r.text
        and re.search(r"<td>B</td><td class=\"num\">2</td>", r.text) and 'name="value0"' in r.text and 'name="value1"' in r.text
        and "秘密承诺" not in r.text, r.text[:200])
r = anon.get(f"/public/tasks/{tid}")
s.check("freeze data is public before the draw, without any secret", r.status == 200 and pop_sha in r.text and "尚未产生" in r.text
        and "秘密承诺" not in r.text)
r = staff.form(f"/tasks/{tid}/draw", {"value0": "385", "value1": "61522413", "observers_present": "钱律师"})
s.check("a draw before the lottery is drawn is refused", r.status == 409 and "尚未产生" in r.text, r.text[-300:])
# the dice: thrown and recorded before the lottery, once
r = staff.get(f"/tasks/{tid}/draw")
s.check("before the lottery the ceremony offers the dice form", 'id="dice-form"' in r.text and 'name="dice0"' in r.text)
r = staff.form(f"/tasks/{tid}/dice", {"dice0": "3615224", "observers_present": "钱律师"})
s.check("dice of the wrong count are refused", r.status == 409 and "8" in r.text, f"{r.status} {r.text[-300:]}")
r = staff.form(f"/tasks/{tid}/dice", {"dice0": "3615224 1", "observers_present": "钱律师"})
s.check("dice recorded before the lottery", r.status == 303, f"{r.status} {r.text[-300:]}")
r = staff.get(f"/tasks/{tid}/draw")
s.check("the ceremony shows them, fixed in the draw form", 'id="dice-recorded"' in r.text and 'id="dice-form"' not in r.text
        and re.search(r'name="value1"[^>]*value="36152241" readonly', r.text), r.text[-2000:])
r = anon.get(f"/public/tasks/{tid}")
s.check("the public page shows the dice before the lottery", 'id="pub-dice"' in r.text and ">36152241<" in r.text)
r = staff.form(f"/tasks/{tid}/dice", {"dice0": "11111111"})
s.check("the dice cannot be recorded twice", r.status == 409 and "已经登记" in r.text, r.text[-300:])
staff.env = {"SPOTCHECK_TODAY": (day + datetime.timedelta(days=3)).isoformat() + "T10:00"}  # after the lottery
r = staff.form(f"/tasks/{tid}/draw", {"value0": "38", "value1": "61522413", "observers_present": "钱律师"})
s.check("a value that does not fit its source is refused", r.status == 409 and "3 位数字" in r.text, r.text[-300:])
r = staff.form(f"/tasks/{tid}/draw", {"value0": "385", "observers_present": "钱律师"})
s.check("every declared source needs its value", r.status == 409 and "2 个随机数来源" in r.text, r.text[-300:])
dbtool.fail_inserts(db, "fail_audit", "audit_log", "audit down", when="NEW.action = 'task.draw.run'")
r = staff.form(f"/tasks/{tid}/draw", {"value0": "999", "value1": "66666666", "observers_present": "钱律师"})
s.check("dice other than those recorded before the lottery are refused", r.status == 409 and "不符" in r.text, r.text[-300:])
r = staff.form(f"/tasks/{tid}/draw", {"value0": "999", "value1": "36152241", "observers_present": "钱律师"})
s.check("draw whose audit row fails: still frozen, no groups, no ceremony row, no audit row", r.status == 500
        and ids(db, f"SELECT status FROM draw WHERE task_code = '{code}'") == ["已冻结"]
        and ids(db, f"SELECT count(*) FROM draw_member m JOIN draw d ON d.id = m.draw_id WHERE d.task_code = '{code}'") == [0]
        and ids(db, f"SELECT count(*) FROM task_ceremony WHERE task_id = {tid}") == [0]
        and ids(db, f"SELECT count(*) FROM audit_log WHERE action = 'task.draw.run'") == [0], f"{r.status}")
dbtool.unfail_inserts(db, "fail_audit", "audit_log")
r = staff.form(f"/tasks/{tid}/draw", {"value0": "3 8 5", "value1": "3615224 1", "observers_present": "律师：钱律师；人大代表：孙代表"})
s.check("draw with the lottery's numbers and the dice", r.status == 303, f"{r.status} {r.text[-300:]}")
r = staff.get(f"/tasks/{tid}/draw")
s.check("result at once, with tickets, the values in canonical form, then locked", "已锁定" in r.text and 'id="tickets"' in r.text
        and 'name="value0"' not in r.text and ">385<" in r.text and ">36152241<" in r.text and "钱律师" in r.text)
seed = ids(db, f"SELECT seed FROM draw WHERE task_code = '{code}'")[0]
import hashlib
blind, commit = sql(db, f"SELECT secret, commitment FROM draw WHERE task_code = '{code}'")[0]
frozen = json.loads(ids(db, f"SELECT freeze_json FROM draw WHERE task_code = '{code}'")[0])
s.check("the seed is spotcheck-v2|task|freeze digest|values|blind, the blind committed in the freeze (§7a)",
        seed == f"spotcheck-v2|{code}|{fsha0}|385|36152241|{blind}" and len(blind) == 64
        and frozen.get("blind_sha256") == commit == hashlib.sha256(bytes.fromhex(blind)).hexdigest(), seed)
pub = anon.get(f"/public/tasks/{tid}").text
s.check("the public page shows the blind's commitment but neither the blind nor the seed before disclosure",
        commit in pub and blind not in pub and seed not in pub and 'id="pub-seed"' in pub)
s.check("... nor does the 公告", blind not in anon.get(f"/public/tasks/{tid}/announcement.txt").text
        and commit in anon.get(f"/public/tasks/{tid}/announcement.txt").text)
r = staff.form(f"/tasks/{tid}/draw", {"value0": "111", "value1": "11111111"})
s.check("a second draw is refused", r.status == 409)
groups = sql(db, f"SELECT m.target_code, m.member_code, m.role FROM draw_member m JOIN draw d ON d.id = m.draw_id "
                 f"WHERE d.task_code = '{code}' AND m.status = '在组' ORDER BY m.target_code, m.role")
targets = sorted({g[0] for g in groups})
popfile = sql(db, f"SELECT f.content FROM draw_file f JOIN draw d ON d.id = f.draw_id WHERE d.task_code = '{code}' "
                  "AND f.kind = 'population'")[0][0]


def file_ids(codes, task_code=code):
    """The ids the current draw's files give these targets: an insured person's salted token (docs/DRAW.md §2a)."""
    salt = bytes.fromhex(sql(db, "SELECT s.salt FROM draw_salt s JOIN draw d ON d.id = s.draw_id WHERE d.task_code = ? "
                                 "AND d.status <> '已作废'", (task_code,))[0][0])
    insured = {c for (c,) in sql(db, "SELECT code FROM target WHERE kind = 'insured'")}
    return [("P" + hmac.new(salt, c.encode(), hashlib.sha256).hexdigest()[:24]) if c in insured else c for c in codes]


s.check("the frozen population is the task org's own targets only (临城's clinic left out), insured persons by token",
        sorted(l.split("\t")[0] for l in popfile.splitlines()) == sorted(file_ids(own)) and "H13052200001" not in popfile
        and not any(c in popfile for c in own if c not in file_ids(own)), popfile)
s.check("2 targets drawn (50% of strata B2 C1); each group: 2 of the lead dept (leader among them) + 1 of the joint dept",
        len(targets) == 2 and all(sum(1 for g in groups if g[0] == t and g[1].startswith("YB")) == 2 for t in targets)
        and all(sum(1 for g in groups if g[0] == t and g[1].startswith("SC")) == 1 for t in targets)
        and all(any(g[0] == t and g[2] == "组长" and g[1].startswith("YB") for g in groups) for t in targets), str(groups))
params0 = json.loads(ids(db, f"SELECT params FROM draw WHERE task_code = '{code}'")[0])
s.check("the declared conflicts are frozen in params.conflicts (an insured person by token)", params0.get("conflicts") ==
        [["YB005", t] for t in file_ids(own)], str(params0.get("conflicts")))
s.check("no group pairs an officer with a target it declared a conflict with",
        not [g for g in groups if g[1] == "YB005" and g[0] in own], str(groups))
s.check("the ceremony and the public page count the frozen conflicts", 'id="conflicts-frozen">%d 项' % len(own) in staff.get(f"/tasks/{tid}/draw").text
        and 'id="pub-conflicts">%d 项' % len(own) in anon.get(f"/public/tasks/{tid}").text)
r = staff.form(f"/tasks/{tid}/conflicts", {"officer": "YB001", "target": own[0], "reason": "近亲属"})
s.check("a conflict after the freeze is refused: a substitution then", r.status == 409 and "递补" in r.text, f"{r.status}")
try:
    sql(db, "INSERT INTO task_conflict(task_id, officer_cert, target_code, reason, declared_at, declared_by) "
            "VALUES (?, 'YB001', ?, 'x', '2026-06-18 10:00:00', 'staff')", (tid, own[0]))
    s.check("... and by the database", False)
except Exception as e:
    s.check("... and by the database", "名单已冻结" in str(e), str(e))
s.check("the record says each joint dept draws from its own pool",
        '"joint_depts":[{"dept":"SC","per_group":1}]' in ids(db, f"SELECT params FROM draw WHERE task_code = '{code}'")[0])

# --- substitution: a request with a reason from the fixed list, decided by the leader
leader.env = staff.env


def request_sub(target, officer, reason_code, reason):
    """Staff request a substitution; returns (response, the request's id or 0)."""
    r = staff.form(f"/tasks/{tid}/substitute", {"type": "officer" if officer else "target", "target": target,
                                                "officer": officer or "", "reason_code": reason_code, "reason": reason})
    rows = ids(db, f"SELECT max(id) FROM draw_substitution WHERE task_id = {tid} AND status = '待审批'")
    return r, (rows[0] or 0) if rows else 0


def substitute(target, officer, reason_code, reason):
    """Request and approve; returns the approval's response."""
    _, sid = request_sub(target, officer, reason_code, reason)
    return leader.form(f"/tasks/{tid}/substitutions/{sid}/approve", {})


t0 = targets[0]
member = [g[1] for g in groups if g[0] == t0 and g[1].startswith("YB")][0]
r, _ = request_sub(t0, member, "", "与负责人系近亲属")
s.check("a substitution needs a reason from the list", r.status == 422 and "请选择递补原因" in r.text, r.text[-300:])
r, _ = request_sub(t0, member, "因病", "")
s.check("... and the particulars", r.status == 422 and "具体情况" in r.text)
r, _ = request_sub(t0, "NOBODY", "因病", "住院")
s.check("only a member of the target's group can be substituted", r.status == 422 and "不在" in r.text)
s.check("... the ceremony page again, the request as typed beside the message (nothing typed lost)",
        'id="sub-error"' in r.text and 'id="sub-officer" name="officer" list="sub-members" value="NOBODY"' in r.text
        and 'value="住院"' in r.text and '<option value="因病" selected>' in r.text
        and f'<option value="{t0}" selected>' in r.text, r.text[-400:])
r, _ = request_sub(t0, member, "新发现的利害关系", "回避\n与负责人系近亲属")
s.check("a control character in the reason is refused (it would enter the public record)", r.status == 422 and "控制字符" in r.text)
r, sid = request_sub(t0, member, "新发现的利害关系", "与负责人系近亲属，冻结后才得知")
s.check("staff's request waits for the leader: nothing changed yet", r.status == 303 and sid
        and ids(db, f"SELECT count(*) FROM draw_event e JOIN draw d ON d.id = e.draw_id WHERE d.task_code = '{code}'") == [0])
r = staff.form(f"/tasks/{tid}/substitutions/{sid}/approve", {})
s.check("staff cannot approve their own request", r.status == 403)
before = sql(db, f"SELECT record_sha256 FROM draw WHERE task_code = '{code}'")
dbtool.fail_inserts(db, "fail_audit", "audit_log", "audit down", when="NEW.action = 'task.draw.substitute'")
r = leader.form(f"/tasks/{tid}/substitutions/{sid}/approve", {})
s.check("approval whose audit row fails: no event, record unchanged, request still pending", r.status == 500
        and ids(db, f"SELECT count(*) FROM draw_event e JOIN draw d ON d.id = e.draw_id WHERE d.task_code = '{code}'") == [0]
        and sql(db, f"SELECT record_sha256 FROM draw WHERE task_code = '{code}'") == before
        and ids(db, f"SELECT status FROM draw_substitution WHERE id = {sid}") == ["待审批"], f"{r.status}")
dbtool.unfail_inserts(db, "fail_audit", "audit_log")
dbtool.fail_inserts(db, "fail_event", "draw_event", "disk full")
r = leader.form(f"/tasks/{tid}/substitutions/{sid}/approve", {})
s.check("approval whose draw change fails: no audit row either", r.status == 500
        and sql(db, f"SELECT record_sha256 FROM draw WHERE task_code = '{code}'") == before
        and ids(db, f"SELECT count(*) FROM audit_log WHERE action = 'task.draw.substitute'") == [0], f"{r.status}")
dbtool.unfail_inserts(db, "fail_event", "draw_event")
r = leader.form(f"/tasks/{tid}/substitutions/{sid}/approve", {})
s.check("the leader approves: officer substituted", r.status == 303, r.text[-300:])
s.check("the request is decided once", leader.form(f"/tasks/{tid}/substitutions/{sid}/approve", {}).status == 409)
ev = sql(db, f"SELECT e.member_code, e.reason, e.replacement FROM draw_event e JOIN draw d ON d.id = e.draw_id WHERE d.task_code = '{code}'")
s.check("the event records the reason and a replacement from the draw order", ev and ev[0][0] == member
        and ev[0][1] == "新发现的利害关系：与负责人系近亲属，冻结后才得知" and ev[0][2] and ev[0][2] != member, str(ev))
now = sql(db, f"SELECT member_code FROM draw_member m JOIN draw d ON d.id = m.draw_id WHERE d.task_code = '{code}' "
              f"AND m.target_code = ? AND m.status = '在组'", (t0,))
s.check("the group is complete again without the recused officer, replaced from the lead dept's pool",
        len(now) == 3 and (member,) not in now and ev[0][2].startswith("YB"), str(now))
joint_member = [c[0] for c in now if c[0].startswith("SC")][0]
r, sid2 = request_sub(t0, joint_member, "公务冲突", "因公出差不能参加")
r = leader.form(f"/tasks/{tid}/substitutions/{sid2}/reject", {"opinion": ""})
s.check("a refusal needs an opinion", r.status == 422)
r = leader.form(f"/tasks/{tid}/substitutions/{sid2}/reject", {"opinion": "出差可改期，不予递补"})
s.check("the leader refuses: the group stays", r.status == 303
        and ids(db, f"SELECT status FROM draw_substitution WHERE id = {sid2}") == ["已驳回"]
        and len(sql(db, f"SELECT 1 FROM draw_event e JOIN draw d ON d.id = e.draw_id WHERE d.task_code = '{code}'")) == 1)
jm_name = sql(db, "SELECT name FROM officer WHERE cert_no = ?", (joint_member,))[0][0]
s.check("the substitution form offers the group's members by name", f'<option value="{joint_member}">{jm_name}（' in staff.get(f"/tasks/{tid}/draw").text)
r = substitute(t0, jm_name, "公务冲突", "因公出差，行程已定")  # the name typed, not the certificate number
ev2 = sql(db, f"SELECT e.member_code, e.replacement FROM draw_event e JOIN draw d ON d.id = e.draw_id WHERE d.task_code = '{code}' "
              f"ORDER BY e.seq")
s.check("a joint dept's officer named by name is replaced from that dept's own pool", r.status == 303 and ev2[-1][0] == joint_member
        and ev2[-1][1] is not None and ev2[-1][1].startswith("SC") and ev2[-1][1] != joint_member, str(ev2))
# the kept deadline clocks (sql/060) after the run and the substitutions, which rewrite the draw's
# targets with draw_target's triggers paused and then compute the draw's clocks once
cols = "kind, draw_id, target_code, s, coalesce(done, '-'), tie, record_id, rstatus"
kept = f"SELECT {cols} FROM deadline_clock WHERE draw_id IS NOT NULL"
full = f"SELECT {cols} FROM deadline_clock_drawn"
s.check("the kept clocks of the drawn targets equal a full recomputation after the substitutions",
        ids(db, f"SELECT count(*) FROM ({kept} EXCEPT {full}) x") == [0]
        and ids(db, f"SELECT count(*) FROM ({full} EXCEPT {kept}) x") == [0]
        and ids(db, f"SELECT count(*) FROM deadline_clock c JOIN draw d ON d.id = c.draw_id "
                    f"WHERE d.task_code = '{code}'")
        == ids(db, f"SELECT 2 * count(*) FROM draw_target t JOIN draw d ON d.id = t.draw_id "
                   f"WHERE d.task_code = '{code}' AND d.status = '已抽取' AND t.status = '有效'") != [0])
r = staff.get(f"/tasks/{tid}/draw")
s.check("the ceremony page lists the requests with their decisions", 'id="substitution-requests"' in r.text and "已批准 2 次，已驳回 1 次" in r.text
        and "出差可改期，不予递补" in r.text)
r = anon.get(f"/public/tasks/{tid}")
s.check("the public page counts the substitutions (each shown with its target once that target is public)",
        "经批准 2 次，驳回 1 次" in r.text and "（新发现的利害关系）" not in r.text
        and "leader" not in r.text.split('id="pub-substitutions"')[1][:400])
now = sql(db, f"SELECT member_code FROM draw_member m JOIN draw d ON d.id = m.draw_id WHERE d.task_code = '{code}' "
              f"AND m.target_code = ? AND m.status = '在组'", (t0,))

# --- inspection notice
r = staff.get(f"/tasks/{tid}/notice/{t0}")
certs = [c[0] for c in now]
s.check("检查通知书 with items, period, materials, officers and certificate numbers, contact",
        r.status == 200 and "检查通知书" in r.text and 'class="doc notice-doc"' in r.text and all(c in r.text for c in certs)
        and "近一年医保结算清单" in r.text and "2025年6月1日至6月30日" in r.text and "0319-1234567" in r.text
        and "对定点医药机构基金使用情况的监督检查" in r.text and "价格行为检查" in r.text)
r = staff.get(f"/tasks/{tid}/notice/NOPE")
s.check("no notice for a target that was not drawn", r.status == 404)
r = staff.form(f"/tasks/{tid}/notice/{t0}", {})
s.check("the notice is issued (文号, text fixed: test_notice.py)", r.status == 303, str(r.status))

# --- officer view
subprocess.run([SPOTCHECK, "user", "link", "officer", "--officer", certs[0], "--db", db], check=True, capture_output=True)
officer.login("officer")
r = officer.get("/my")
mine = sorted({g[0] for g in sql(db, f"SELECT m.target_code FROM draw_member m JOIN draw d ON d.id = m.draw_id WHERE d.task_code = '{code}' "
                                    f"AND m.status = '在组' AND m.member_code = ?", (certs[0],))})
s.check("the officer sees exactly their targets", r.status == 200 and all(t in r.text for t in mine)
        and all(t not in r.text for t in targets if t not in mine), str(mine))
ri = sql(db, "SELECT count(*) FROM record_item ri JOIN record r ON r.id = ri.record_id WHERE r.task_id = ? AND "
            "ri.item_code = 'SC-01' AND ri.dept_name = '市场监管局'", (tid,))[0][0]
s.check("each record form carries the joint dept's item from the list, by code", ri > 0 and
        ri == sql(db, "SELECT count(*) FROM record WHERE task_id = ?", (tid,))[0][0], str(ri))
r = officer.get(f"/my/notice/{tid}/{t0}")
s.check("the officer prints the notice of their own group", r.status == 200 and "检查通知书" in r.text)
others = [t for t in targets if t not in mine]
if others:
    r = officer.get(f"/my/notice/{tid}/{others[0]}")
    s.check("but not of another group", r.status == 404)
r = officer.get(f"/tasks/{tid}")
s.check("an officer cannot open the staff task page", r.status == 403)

# --- public portal and independent verification
r = anon.get("/public/tasks")
s.check("public list shows the published scheme", r.status == 200 and f"/public/tasks/{tid}" in r.text)
r = anon.get(f"/public/tasks/{tid}")
s.check("public page: scheme, observers, groups, how to verify with the exact commands",
        r.status == 200 and "规范医保基金使用" in r.text and "钱律师" in r.text and 'id="how-to-verify"' in r.text
        and "spotcheck verify record.json population.tsv officers.tsv" in r.text and "python3 verify_draw.py record.json" in r.text)
r = anon.get("/public/verify/verify_draw.py")
s.check("the portal offers verify_draw.py under the name the command uses",
        r.status == 200 and 'filename="verify_draw.py"' in (r.header("Content-Disposition") or "")
        and r.body == open(os.path.join(ROOT, "tools", "verify_draw.py"), "rb").read())
r = anon.get("/public/verify/DRAW.md")
s.check("... and the specification DRAW.md", r.status == 200 and r.body == open(os.path.join(ROOT, "docs", "DRAW.md"), "rb").read())
s.check("no insured person's name or ID number on the public page", "张三丰" not in r.text and "11010519491231002X" not in r.text)
# --- 保密要求: a drawn target and its group are public only once its check is done; the files once all are
pub = anon.get(f"/public/tasks/{tid}").text
s.check("before any check: no drawn target on the public page, counts only", 'id="pub-withheld"' in pub and "已公开 0 个" in pub
        and all(t not in pub for t in targets), pub[pub.find('id="pub-withheld"'):][:300])
s.check("... no download links, a note saying when", 'id="dl-record"' not in pub and 'id="pub-withheld-files"' in pub
        and "?no=1" not in pub)
for kind in ("record", "population", "officers"):
    r = anon.get(f"/public/tasks/{tid}/{kind}")
    s.check(f"the public cannot download the {kind} file yet", r.status == 404 and "保密要求" in r.text, f"{r.status}")
r = anon.get(f"/public/tasks/{tid}/population?no=1")
s.check("... nor an earlier draw's", r.status == 404)
r = staff.get(f"/tasks/{tid}/draw/population")
s.check("the bureau's staff download the files for their own verification", r.status == 200
        and "population-1.tsv" in (r.header("Content-Disposition") or ""))
s.check("... which the public anonymous client cannot reach", anon.get(f"/tasks/{tid}/draw/record").status in (302, 303, 401, 403))
ck_day = (day + datetime.timedelta(days=3)).isoformat()
officer.get("/my/records")  # creates the records of the officer's groups (一企一表)
done = mine[0]
rid = sql(db, f"SELECT r.id FROM record r JOIN draw d ON d.id = r.draw_id WHERE d.task_code = '{code}' AND d.status = '已抽取' "
              "AND r.target_code = ?", (done,))[0][0]
officer.env = anon.env = staff.env  # the day of the checks, after the draw
r = officer.post_json(f"/api/v1/my/records/{rid}", {"version": 1, "checked_from": ck_day, "checked_on": ck_day,
                                                      "dates_reason": "计划年度后补充检查"}, "PUT")
s.check("the officer records the check of one target as done", r.status == 200, r.text[:300])
pub = anon.get(f"/public/tasks/{tid}").text
grp = pub[pub.find('id="pub-groups"'):]
s.check("that target and its group are now public, no other", done in grp and "已公开 1 个" in pub
        and all(t not in grp for t in targets if t != done), grp[:600])
s.check("... the files still wait", anon.get(f"/public/tasks/{tid}/record").status == 404)
sql(db, f"UPDATE record SET checked_on = ? WHERE draw_id = (SELECT id FROM draw WHERE task_code = '{code}' AND status = '已抽取')",
    (ck_day,))  # the other groups' officers record theirs (each save is tested in test_record)
officer.get("/my/records")
missing = sql(db, f"SELECT count(*) FROM draw_target dt JOIN draw d ON d.id = dt.draw_id WHERE d.task_code = '{code}' AND "
                  "d.status = '已抽取' AND dt.status = '有效' AND NOT EXISTS (SELECT 1 FROM record r WHERE r.draw_id = dt.draw_id "
                  "AND r.target_code = dt.target_code AND r.checked_on IS NOT NULL)")[0][0]
if missing:  # records of groups without the linked officer are created by the staff's list
    staff.get("/records")
    sql(db, f"UPDATE record SET checked_on = ? WHERE checked_on IS NULL AND draw_id = (SELECT id FROM draw WHERE task_code = '{code}' "
            "AND status = '已抽取')", (ck_day,))
pub = anon.get(f"/public/tasks/{tid}").text
s.check("... with each approved substitution's time and reason", "（新发现的利害关系）" in pub
        and "leader" not in pub.split('id="pub-substitutions"')[1][:400])
valid_now = ids(db, f"SELECT dt.target_code FROM draw_target dt JOIN draw d ON d.id = dt.draw_id WHERE d.task_code = '{code}' "
                   "AND d.status = '已抽取' AND dt.status = '有效'")
s.check("every check done: the whole draw and its downloads are public", 'id="pub-withheld"' not in pub and 'id="dl-record"' in pub
        and all(t in pub for t in file_ids(valid_now)) and all(c not in pub for c in valid_now if c not in file_ids(valid_now)),
        str(valid_now))
tmp = scratch_dir("spotcheck-verify-")
files = {}
for kind, name in [("record", "record.json"), ("population", "population.tsv"), ("officers", "officers.tsv")]:
    r = anon.get(f"/public/tasks/{tid}/{kind}")
    s.check(f"download {kind}", r.status == 200 and "attachment" in (r.header("Content-Disposition") or ""))
    files[kind] = os.path.join(tmp, name)
    with open(files[kind], "wb") as f:
        f.write(r.body)
freeze = ids(db, f"SELECT freeze_sha256 FROM draw WHERE task_code = '{code}'")[0]
p = subprocess.run(["python3", os.path.join(ROOT, "tools", "verify_draw.py"), files["record"], files["population"], files["officers"],
                    "--freeze", freeze], capture_output=True, text=True)
s.check("tools/verify_draw.py: the public record verifies (一致)", p.returncode == 0 and p.stdout.startswith("一致"), p.stdout + p.stderr)
p = subprocess.run([SPOTCHECK, "verify", files["record"], files["population"], files["officers"], "--freeze", freeze],
                   capture_output=True, text=True)
s.check("spotcheck verify agrees", p.returncode == 0 and p.stdout.startswith("一致"), p.stdout + p.stderr)
with open(files["population"], encoding="utf-8") as f:
    pop = f.read()
s.check("population file carries codes only (insured by pseudonym)", "张三丰" not in pop and "11010519491231002X" not in pop)
with open(files["population"], "w", encoding="utf-8") as f:
    f.write(pop.replace("\tB\n", "\tA\n", 1))
p = subprocess.run(["python3", os.path.join(ROOT, "tools", "verify_draw.py"), files["record"], files["population"], files["officers"]],
                   capture_output=True, text=True)
s.check("a tampered population file fails verification", p.returncode == 1 and "不一致" in p.stdout, p.stdout)

# --- a group left with fewer than 2 officers: recuse t0's lead-dept officers until the pool has no one left
s.check("no warning while every group has 2 officers", 'id="under-minimum"' not in staff.get(f"/tasks/{tid}/draw").text)
for _ in range(40):
    lead = [c[0] for c in sql(db, f"SELECT member_code FROM draw_member m JOIN draw d ON d.id = m.draw_id WHERE d.task_code = '{code}' "
                                  f"AND d.status = '已抽取' AND m.target_code = ? AND m.status = '在组' AND m.member_code LIKE 'YB%'", (t0,))]
    if not lead:
        break
    substitute(t0, lead[0], "新发现的利害关系", "利害关系")
left = sql(db, f"SELECT count(*) FROM draw_member m JOIN draw d ON d.id = m.draw_id WHERE d.task_code = '{code}' AND d.status = '已抽取' "
               f"AND m.target_code = ? AND m.status = '在组' AND m.role <> '专家'", (t0,))[0][0]
r = staff.get(f"/tasks/{tid}/draw")
warn = r.text[r.text.find('id="under-minimum"'):][:400]
no = re.search(r'<td class="num">(\d+)</td><td><span class="mono">' + re.escape(t0) + '</span>', r.text)
s.check("the ceremony page says which group is short of the 2-officer minimum and what to do",
        left < 2 and no and f"第 {no.group(1)} 组的执法人员不足 2 名" in warn and "重新抽取" in warn, f"{left} {warn}")

# --- append-only draws: SQL cannot change what was frozen or drawn; audit verify recomputes the draws
for stmt in ("UPDATE draw SET seed = 'x'", "DELETE FROM draw", "UPDATE draw_file SET content = 'x'", "DELETE FROM draw_event"):
    try:
        sql(db, stmt)
        s.check(f"refused: {stmt}", False)
    except Exception as e:
        s.check(f"refused: {stmt}", "不能" in str(e), str(e))
p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True, text=True)
s.check("audit verify: the audit chain and every draw recompute", p.returncode == 0 and "抽取记录完整: 1 次抽取" in p.stdout, p.stdout + p.stderr)

after = json.loads(ids(db, f"SELECT after FROM audit_log WHERE action = 'task.draw.freeze' AND entity_id = '{tid}'")[0])
# the wall clock's year in the bureau's zone (UTC+8, as the program writes it) or this machine's: they differ
# on 31 December after 16:00 UTC
wall_years = {str(datetime.date.today().year),
              str(datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).year)}
s.check("a draw step under a set clock (SPOTCHECK_TODAY) says so in its audit row, with the wall clock's time",
        after.get("clock_set", {}).get("clock", "").startswith(today) and
        after["clock_set"].get("wall_clock", "")[:4] in wall_years, str(after.get("clock_set")))

# --- the figures count every decision that changed the draw after it was made
want = {t: sql(db, f"SELECT count(*) FROM draw_substitution WHERE task_id = {tid} AND status = '已批准' AND type = '{t}'")[0][0]
        for t in ("officer", "target")}
refused = sql(db, f"SELECT count(*) FROM draw_substitution WHERE task_id = {tid} AND status = '已驳回'")[0][0]
draw_year = ids(db, f"SELECT substr(drawn_at, 1, 4) FROM draw WHERE task_code = '{code}' AND status = '已抽取'")[0]
fig = staff.get(f"/api/v1/figures?year={draw_year}").json()
row = [x for x in fig.get("substitutions", []) if x["task_code"] == code]
s.check("the year's figures count the task's approved and refused substitutions", row and want["officer"] >= 2 and
        (row[0]["officers"], row[0]["targets"], row[0]["refused"], row[0]["redraws"]) == (want["officer"], want["target"], refused, 0)
        and fig["substitution_totals"]["officers"] == want["officer"], str(row) + str(want))
r = staff.get(f"/figures?year={draw_year}")
s.check("... on the figures page too", 'id="substitutions"' in r.text and f'id="sub-officers">{want["officer"]}<' in r.text)

# --- re-draw: reason and the leader's approval; the earlier draw stays
r = staff.form(f"/tasks/{tid}/redraw", {"reason": ""})
s.check("a re-draw needs a reason", r.status == 422)
r = staff.form(f"/tasks/{tid}/redraw", {"reason": "骰子滚落桌下，观察员要求重掷"})
s.check("staff requests a re-draw", r.status == 303)
r = staff.form(f"/tasks/{tid}/redraw/approve", {})
s.check("staff cannot approve the re-draw", r.status == 403)
s.check("nothing changed before approval", ids(db, f"SELECT status FROM draw WHERE task_code = '{code}' ORDER BY draw_no") == ["已抽取"])
leader.env = staff.env
r = leader.form(f"/tasks/{tid}/redraw/approve", {})
s.check("approving a re-draw needs new sources", r.status == 422 and "新的公开随机数来源" in r.text, r.text[-300:])
r = leader.form(f"/tasks/{tid}/redraw/approve", scheme_source_fields([dict(lottery), {"kind": "dice", "count": 8}]))
s.check("a re-draw may not reuse a source whose value is known", r.status == 409 and "已用于本任务此前的抽取" in r.text, r.text[-300:])
r = leader.form(f"/tasks/{tid}/redraw/approve", scheme_source_fields([fc3d_source(day + datetime.timedelta(days=6))]))
s.check("leader approves the re-draw with a later lottery", r.status == 303, r.text[-300:])
s.check("the earlier draw stays, voided; a new one is frozen",
        ids(db, f"SELECT status FROM draw WHERE task_code = '{code}' ORDER BY draw_no") == ["已作废", "已冻结"])
s.check("the request is recorded as approved by the leader",
        sql(db, f"SELECT status, decided_by FROM task_redraw WHERE task_id = {tid}") == [("已批准", "leader")])
r = anon.get(f"/public/tasks/{tid}")
s.check("the public page lists both draws with the re-draw reason", "第1次：已作废" in r.text and "骰子滚落桌下" in r.text)
r = anon.get(f"/public/tasks/{tid}/record?no=1")
s.check("the voided record waits with the new draw's (its population is the new draw's: 保密)", r.status == 404, f"{r.status}")
r = staff.get(f"/tasks/{tid}/draw/record?no=1")
s.check("the voided record stays downloadable for the bureau", r.status == 200 and '"values"' in r.text and '"spotcheck-draw/2"' in r.text)

# --- audit and scope
acts = ids(db, f"SELECT action FROM audit_log WHERE entity = 'task' AND entity_id = '{tid}' ORDER BY id")
for a in ["task.start", "task.scheme.save", "task.scheme.submit", "task.scheme.return", "task.scheme.approve", "task.scheme.publish",
          "task.joint.confirm", "task.draw.freeze", "task.draw.dice", "task.draw.run", "task.draw.substitute", "task.redraw.request", "task.redraw.approve"]:
    s.check(f"audit row {a}", a in acts, str(acts))
r = other.get(f"/tasks/{tid}")
s.check("a task of another county is not found", r.status == 404)
r = sup.get(f"/tasks/{tid}/draw")
s.check("the supervisor reads the ceremony page", r.status == 200 and "摇号现场" in r.text and 'name="reason"' not in r.text)
s.done()
