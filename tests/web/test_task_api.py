"""The task JSON API (docs/API.md "Tasks") through test-http: from a published plan row to locked
groups through the API only — start, scheme, submit, return, approve, publish, freeze, draw,
substitute — with the same permissions and CSRF header as the pages, the org scope, the draw
record that verifies with tools/verify_draw.py, and the items' required expertise tags reaching
the draw (精准匹配)."""
import json
import os
import subprocess
from webtest import SPOTCHECK, Client, Suite, small_db, ids, sql, import_officers, draw_files, pin_today, scheme_version
from fixture_drawn import fc3d_source, scheme_source_fields
import datetime
import dbtool

s = Suite()
day = pin_today("2026-06-15")
lottery = fc3d_source(day + datetime.timedelta(days=2))  # drawn two days after the freeze
after_lottery = {"SPOTCHECK_TODAY": (day + datetime.timedelta(days=3)).isoformat() + "T10:00"}
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")



db = small_db()
import_officers(db, "YB003,李执法,130528,D1,2023-01-01,2030-12-31,,130528,是,13800000003\n"
               "YB004,赵执法,130528,D1,2023-01-01,2030-12-31,,130528,否,\n"
               "YB005,钱执法,130528,D1,2023-01-01,2030-12-31,,130528,是,\n")
# the item requires the expertise tag FUND: every group must cover it (YB003 lacks it; the others hold it)
sql(db, "UPDATE item SET required_tags = 'FUND' WHERE code = 'I1'")
sql(db, "UPDATE officer SET tags = 'FUND' WHERE cert_no IN ('YB001', 'YB002', 'YB004', 'YB005')")
sql(db, "UPDATE officer SET tags = '' WHERE cert_no = 'YB003'")

staff, leader, anon, other, sup = (Client(db) for _ in range(5))
staff.login("staff")
leader.login("leader")
other.login("lincheng")
sup.login("supervisor")

# --- a published plan row, through the plan API
r = staff.post_json("/api/v1/plans", {"year": 2025, "number": "2025201", "tasks": [{
    "task_no": "001号", "name": "医保基金使用情况随机抽查", "kind": "不定向", "ratio": "50%", "items": ["I1"],
    "scope": {"region_prefix": "1305"}, "lead_dept": "基金监管股", "period": "2025-03..2025-10"}]})
s.check("plan created through the API", r.status == 201, r.text[:300])
vid = r.json().get("id") if r.status == 201 else 0
ptid = r.json()["tasks"][0]["id"] if r.status == 201 else 0
staff.post_json(f"/api/v1/plans/{vid}/submit", {})
leader.post_json(f"/api/v1/plans/{vid}/approve", {})
r = staff.post_json(f"/api/v1/plans/{vid}/publish", {})
s.check("plan published", r.status == 200 and r.json()["status"] == "已公开", r.text[:200])

# --- start the task
r = leader.post_json("/api/v1/tasks", {"plan_task": ptid})
s.check("a leader cannot start a task", r.status == 403)
r = staff.do("POST", "/api/v1/tasks", json.dumps({"plan_task": ptid}).encode(), {"Content-Type": "application/json"}, csrf=False)
s.check("a POST without the CSRF header is refused", r.status == 403, f"{r.status}")
r = other.post_json("/api/v1/tasks", {"plan_task": ptid})
s.check("another county cannot start it", r.status == 404)
r = staff.post_json("/api/v1/tasks", {"plan_task": ptid})
s.check("staff starts the task", r.status == 201 and r.json()["code"] == "2025201-001号" and r.json()["draw"] is None, r.text[:300])
tid = r.json()["id"] if r.status == 201 else 0
r = staff.post_json("/api/v1/tasks", {"plan_task": ptid})
s.check("a plan row starts only one task", r.status == 409)
r = staff.get("/api/v1/tasks")
s.check("the list has the task", r.status == 200 and any(t["id"] == tid for t in r.json()["tasks"]))
r = other.get("/api/v1/tasks")
s.check("another county's list does not", r.status == 200 and not any(t["id"] == tid for t in r.json()["tasks"]))
r = other.get(f"/api/v1/tasks/{tid}")
s.check("another county gets 404", r.status == 404)

# --- scheme: refused draw before publication, return with opinion, approve, publish
r = staff.post_json(f"/api/v1/tasks/{tid}/freeze", {})
s.check("freeze before publication is refused with a clear message", r.status == 409 and "实施方案尚未公开" in r.json()["error"]["message"])
scheme = {"purpose": "规范医保基金使用", "period": "2025年6月", "group_size": 1, "method": "实地检查",
          "confidentiality": "保密", "use_of_results": "纳入信用记录", "materials": "结算清单", "contact": "0319-1234567",
          "randomness_source": "福彩3D 开奖号码", "observers": {"律师": "钱律师"},
          "randomness_sources": [lottery, {"kind": "dice", "count": 7}]}
scheme["version"] = scheme_version(db, tid)
r = staff.post_json(f"/api/v1/tasks/{tid}/scheme", scheme)
s.check("a group of one is refused with field errors", r.status == 422 and "group_size" in r.json()["error"]["fields"], r.text[:300])
scheme["group_size"] = 2
r = staff.post_json(f"/api/v1/tasks/{tid}/scheme", scheme)
s.check("scheme saved", r.status == 200 and r.json()["scheme"]["purpose"] == "规范医保基金使用", r.text[:300])
s.check("... the answer carries the version this save wrote", r.status == 200 and r.json()["scheme"]["version"] == scheme["version"] + 1)
r = staff.post_json(f"/api/v1/tasks/{tid}/scheme", scheme)
s.check("the same version again is 409 (optimistic lock)", r.status == 409, r.text[:200])
s.check("... with the current version and scheme, and nothing saved", r.status == 409 and r.json()["error"]["code"] == "conflict"
        and r.json()["error"]["version"] == scheme["version"] + 1 and r.json()["error"]["current"]["purpose"] == "规范医保基金使用"
        and r.json()["error"]["current"]["version"] == scheme["version"] + 1 and scheme_version(db, tid) == scheme["version"] + 1, r.text[:300])
r = staff.post_json(f"/api/v1/tasks/{tid}/scheme", dict(scheme, version=scheme["version"] + 1, contact="0319-7654321"))
s.check("saved again on the current version: the answer names the version it wrote", r.status == 200
        and r.json()["saved_version"] == scheme["version"] + 2 and r.json()["scheme"]["contact"] == "0319-7654321", r.text[:300])
r = staff.post_json(f"/api/v1/tasks/{tid}/submit", {})
s.check("submitted", r.status == 200 and r.json()["scheme"]["status"] == "待审批")
r = staff.post_json(f"/api/v1/tasks/{tid}/approve", {})
s.check("staff cannot approve", r.status == 403)
r = leader.post_json(f"/api/v1/tasks/{tid}/return", {})
s.check("return needs an opinion", r.status == 409)
r = leader.post_json(f"/api/v1/tasks/{tid}/return", {"opinion": "请补充"})
s.check("returned with the opinion", r.status == 200 and r.json()["scheme"]["status"] == "草稿" and r.json()["scheme"]["opinion"] == "请补充")
staff.post_json(f"/api/v1/tasks/{tid}/submit", {})
r = leader.post_json(f"/api/v1/tasks/{tid}/approve", {})
s.check("approved", r.status == 200 and r.json()["scheme"]["status"] == "已批准")
r = staff.post_json(f"/api/v1/tasks/{tid}/publish", {})
s.check("published", r.status == 200 and r.json()["scheme"]["status"] == "已公开")

# --- freeze, draw, substitute
r = staff.get(f"/api/v1/tasks/{tid}/draw")
s.check("no draw record yet", r.status == 404)
r = staff.post_json(f"/api/v1/tasks/{tid}/freeze", {})
s.check("frozen", r.status == 200 and r.json()["draw"]["status"] == "已冻结", r.text[:300])
params = json.loads(ids(db, f"SELECT params FROM draw WHERE task_code = '2025201-001号'")[0])
s.check("the items' required tags are the groups' specialties", params.get("specialties") == ["FUND"]
        and "required_tags" not in params and "joint_depts" not in params, str(params))
r = staff.get(f"/api/v1/tasks/{tid}")
s.check("the task echoes its declared sources", r.status == 200 and [{k: v for k, v in x.items() if k in lottery or k == "count"}
        for x in r.json()["scheme"]["randomness_sources"]] == [lottery, {"kind": "dice", "count": 7}], r.text[:300])
r = staff.post_json(f"/api/v1/tasks/{tid}/draw", {"values": ["441", "5263441"]})
s.check("a draw before the lottery is refused", r.status == 409 and "尚未产生" in r.json()["error"]["message"], r.text[:300])
r = staff.post_json(f"/api/v1/tasks/{tid}/dice", {})
s.check("dice need their values", r.status == 422, r.text[:300])
r = sup.post_json(f"/api/v1/tasks/{tid}/dice", {"values": ["5263441"]})
s.check("the supervisor cannot record dice", r.status == 403)
r = staff.post_json(f"/api/v1/tasks/{tid}/dice", {"values": ["5263441"], "observers_present": "钱律师"})
s.check("dice recorded through the API before the lottery", r.status == 200 and r.json()["dice"]["values"] == ["5263441"], r.text[:300])
staff.env = after_lottery
r = staff.post_json(f"/api/v1/tasks/{tid}/draw", {"values": ["441", "5263442"]})
s.check("the draw takes only the recorded dice", r.status == 409 and "不符" in r.json()["error"]["message"], r.text[:300])
r = staff.post_json(f"/api/v1/tasks/{tid}/draw", {"randomness": "4415263"})
s.check("values are required (one per source)", r.status == 422, r.text[:300])
r = staff.post_json(f"/api/v1/tasks/{tid}/draw", {"values": ["441", "5263441"], "observers_present": "钱律师"})
rec = r.json().get("record", {}) if r.status == 200 else {}
s.check("drawn: the record comes back at once", r.status == 200 and rec.get("assignments"), r.text[:300])
r = staff.post_json(f"/api/v1/tasks/{tid}/draw", {"values": ["111", "1111111"]})
s.check("then locked", r.status == 409)
groups = rec.get("assignments", [])
s.check("every group: 2 officers with a leader, covering the specialty FUND (nothing uncovered)",
        groups and all(len(g["officers"]) == 2 and g["leader"]
                       and g.get("uncovered", None) == [] for g in groups), json.dumps(groups, ensure_ascii=False)[:400])
g0 = groups[0] if groups else {"target": "", "officers": [""]}
r = staff.post_json(f"/api/v1/tasks/{tid}/substitute", {"type": "officer", "target": g0["target"], "officer": g0["officers"][0],
                                                         "reason_code": "因病", "reason": ""})
s.check("substitution needs the particulars", r.status == 422)
r = staff.post_json(f"/api/v1/tasks/{tid}/substitute", {"type": "officer", "target": g0["target"], "officer": g0["officers"][0],
                                                         "reason_code": "新发现的利害关系", "reason": "近亲属"})
sid = r.json().get("substitution", 0) if r.status == 200 else 0
s.check("substitution requested, waiting for approval", r.status == 200 and r.json()["status"] == "待审批" and sid, r.text[:300])
r = staff.post_json(f"/api/v1/tasks/{tid}/substitutions/{sid}/decide", {"approve": True})
s.check("staff cannot decide", r.status == 403)
r = leader.post_json(f"/api/v1/tasks/{tid}/substitutions/{sid}/decide", {"approve": True})
s.check("approved: officer substituted in draw order", r.status == 200 and r.json()["event"]["replacement"] not in (None, g0["officers"][0]),
        r.text[:300])
r = sup.get(f"/api/v1/tasks/{tid}")
s.check("the supervisor reads the task with its draw status", r.status == 200 and r.json()["draw"]["status"] == "已抽取")
r = sup.post_json(f"/api/v1/tasks/{tid}/substitute", {"type": "target", "target": g0["target"], "reason_code": "其他", "reason": "x"})
s.check("the supervisor cannot substitute", r.status == 403)
# a request still waiting when the draw is re-drawn names members of the voided draw
r = staff.post_json(f"/api/v1/tasks/{tid}/substitute", {"type": "target", "target": g0["target"], "reason_code": "对象注销或无法检查",
                                                         "reason": "已停业"})
stale_sid = r.json().get("substitution", 0) if r.status == 200 else 0
s.check("a second request waits", r.status == 200 and stale_sid, r.text[:300])
r = staff.get(f"/api/v1/tasks/{tid}/draw")
s.check("the record JSON", r.status == 200 and r.json()["status"] == "已抽取" and len(r.json()["record"]["events"]) == 1)
paths = draw_files(staff, tid)
p = subprocess.run(["python3", os.path.join(ROOT, "tools", "verify_draw.py"), paths["record"], paths["population"], paths["officers"]],
                   capture_output=True, text=True)
s.check("the public record verifies with tools/verify_draw.py", p.returncode == 0 and p.stdout.startswith("一致"), p.stdout + p.stderr)
p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True, text=True)
s.check("audit verify: the draw and its approved substitution are consistent", p.returncode == 0, p.stdout + p.stderr)
dbtool.copy(db, db + ".edit")
dbtool.execute(db + ".edit", dbtool.drop_triggers_sql(db + ".edit", ["draw_substitution_decided_once"]))
sql(db + ".edit", "UPDATE draw_substitution SET event_seq = NULL, status = '已驳回'")
p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db + ".edit"], capture_output=True, text=True)
s.check("audit verify: a substitution without its approved request is reported",
        p.returncode == 1 and "没有对应的经批准的递补申请" in p.stdout, p.stdout + p.stderr)
acts = ids(db, f"SELECT action FROM audit_log WHERE entity = 'task' AND entity_id = '{tid}' ORDER BY id")
for a in ["task.start", "task.scheme.save", "task.scheme.return", "task.scheme.publish", "task.draw.freeze", "task.draw.run",
          "task.draw.substitute"]:
    s.check(f"audit row {a}", a in acts, str(acts))
# --- re-draw through the API: a reason, the leader's approval with new sources, at most one per task
r = sup.post_json(f"/api/v1/tasks/{tid}/redraw", {"reason": "x"})
s.check("the supervisor cannot request a re-draw", r.status == 403)
r = staff.post_json(f"/api/v1/tasks/{tid}/redraw", {})
s.check("a re-draw request needs a reason", r.status == 422, r.text[:200])
r = staff.post_json(f"/api/v1/tasks/{tid}/redraw", {"reason": "观察员对骰子有异议"})
s.check("re-draw requested", r.status == 200, r.text[:200])
r = staff.post_json(f"/api/v1/tasks/{tid}/redraw/approve", {"sources": [fc3d_source(day + datetime.timedelta(days=6))]})
s.check("staff cannot approve it", r.status == 403)
leader.env = after_lottery
r = leader.post_json(f"/api/v1/tasks/{tid}/redraw/approve", {})
s.check("approval needs the new sources", r.status == 422, r.text[:200])
r = leader.post_json(f"/api/v1/tasks/{tid}/redraw/approve", {"sources": [lottery]})
s.check("approval refuses a source whose value is known", r.status == 409 and "已用于" in r.json()["error"]["message"], r.text[:300])
r = leader.post_json(f"/api/v1/tasks/{tid}/redraw/approve", {"sources": [fc3d_source(day + datetime.timedelta(days=6))]})
s.check("approved with a later lottery: a new draw is frozen", r.status == 200 and r.json()["draw"]["status"] == "已冻结"
        and r.json()["draw"]["draw_no"] == 2, r.text[:300])
s.check("the approver is the leader's account", '（leader）' in (ids(db, "SELECT redraw_approver FROM draw WHERE draw_no = 2 AND task_code = "
                                                                 "(SELECT code FROM task WHERE id = %d)" % tid) or [""])[0])
staff.env = {"SPOTCHECK_TODAY": (day + datetime.timedelta(days=7)).isoformat() + "T10:00"}
r = staff.post_json(f"/api/v1/tasks/{tid}/draw", {"values": ["702"]})
s.check("the re-draw is held after its lottery", r.status == 200, r.text[:300])
r = leader.post_json(f"/api/v1/tasks/{tid}/substitutions/{stale_sid}/decide", {"approve": True})
s.check("a request made on the voided draw cannot be approved onto the re-draw",
        r.status == 409 and "重新抽取作废" in r.json()["error"]["message"], r.text[:300])
s.check("the re-draw has no substitution event", not ids(db, "SELECT e.seq FROM draw_event e JOIN draw d ON d.id = e.draw_id "
                                                          "WHERE d.draw_no = 2 AND d.task_code = (SELECT code FROM task WHERE id = %d)" % tid))
r = leader.post_json(f"/api/v1/tasks/{tid}/substitutions/{stale_sid}/decide", {"approve": False, "opinion": "已重新抽取"})
s.check("it can still be rejected, closing it", r.status == 200, r.text[:300])
r = staff.post_json(f"/api/v1/tasks/{tid}/redraw", {"reason": "再来一次"})
s.check("a second re-draw is refused: one per task", r.status == 409 and "上限" in r.json()["error"]["message"], r.text[:300])
leader.env = None
staff.env = None  # back to the test's day
# --- credit-risk differentiation (差异化抽查, 001 二(五), 004 第十一条): per-grade ratios and minimums
org528 = sql(db, "SELECT id FROM org WHERE code = '130528'")[0][0]
dbtool.execute(db, ";".join(
    f"INSERT INTO target(org_id, kind, code, name, region, grade) VALUES ({int(org528)}, 'institution', "
    f"'HG{grade}{i:04d}', '{grade}级测试医院{i}', '130528', '{grade}')"
    for grade, count in (("A", 10), ("B", 40), ("D", 20)) for i in range(count)))
r = staff.post_json("/api/v1/plans", {"year": 2025, "number": "2025202", "tasks": [{
    "task_no": "001号", "name": "差异化抽查", "kind": "不定向", "ratio": "5%", "items": ["I1"],
    "scope": {"region_prefix": "130528", "kinds": ["institution"]}, "lead_dept": "基金监管股", "period": "2025-03..2025-10"}]})
gvid, gptid = (r.json()["id"], r.json()["tasks"][0]["id"]) if r.status == 201 else (0, 0)
staff.post_json(f"/api/v1/plans/{gvid}/submit", {})
leader.post_json(f"/api/v1/plans/{gvid}/approve", {})
staff.post_json(f"/api/v1/plans/{gvid}/publish", {})
# a draw planted under the code a task will take (a standalone CLI draw) is not adopted by the task
r = staff.post_json("/api/v1/plans", {"year": 2025, "number": "2025209", "tasks": [{
    "task_no": "001号", "name": "编号被占用", "kind": "不定向", "ratio": "5%", "items": ["I1"],
    "scope": {"region_prefix": "130528", "kinds": ["institution"]}, "lead_dept": "基金监管股", "period": "2025-03..2025-10"}]})
pvid, pptid = (r.json()["id"], r.json()["tasks"][0]["id"]) if r.status == 201 else (0, 0)
staff.post_json(f"/api/v1/plans/{pvid}/submit", {})
leader.post_json(f"/api/v1/plans/{pvid}/approve", {})
staff.post_json(f"/api/v1/plans/{pvid}/publish", {})
p = subprocess.run([SPOTCHECK, "draw", "freeze", "--db", db, "--task", "2025209-001号", "--ratio", "5%",
                    "--sources", json.dumps([fc3d_source(day + datetime.timedelta(days=2))])],
                   capture_output=True, text=True, env=dict(os.environ, SPOTCHECK_TODAY=day.isoformat() + "T09:00"))
s.check("a standalone freeze under a future task code is recorded (and audited)", p.returncode == 0, p.stdout + p.stderr)
r = staff.post_json("/api/v1/tasks", {"plan_task": pptid})
s.check("the task cannot start under a code that already has a draw",
        r.status == 409 and "2025209-001号" in r.json()["error"]["message"], r.text[:300])
try:
    sql(db, "INSERT INTO task(org_id, code, name, kind, ratio, item_codes, scope_json, scope_text, month_from, month_to, "
        "created_by, created_at) VALUES (1, '2025209-001号', 'x', '不定向', '5%', '', '{}', '', '2025-03', '2025-10', 'x', 'x')")
    planted = ""
except Exception as e:  # sqlite3.DatabaseError, or psql's error (dbtool)
    planted = str(e)
s.check("the database refuses it too", "不是由本任务冻结" in planted, planted)
r = staff.post_json("/api/v1/tasks", {"plan_task": gptid})
s.check("the differentiated task starts", r.status == 201, r.text[:200])
gtid = r.json()["id"] if r.status == 201 else 0
s.check("a new scheme has no per-grade rules: every grade at the task ratio",
        r.status == 201 and not r.json()["scheme"]["differentiated"]
        and [g["effective"] for g in r.json()["scheme"]["grades"]] == ["5%"] * 4, r.text[:300])
gscheme = dict(scheme, grade_ratios={"A": "101%", "B": "abc", "C": "1.%", "D": "-1%"},
               grade_minimum={"A": -1, "B": "1.5", "C": "x", "D": 1.5})
r = staff.post_json(f"/api/v1/tasks/{gtid}/scheme", dict(gscheme, version=scheme_version(db, gtid)))
fields = r.json()["error"]["fields"] if r.status == 422 else {}
s.check("invalid per-grade ratios and minimums are refused, each named",
        r.status == 422 and all(f"grade_ratio_{g}" in fields and f"grade_min_{g}" in fields for g in "ABCD")
        and "0% 至 100%" in fields.get("grade_ratio_A", "") and "整数" in fields.get("grade_min_A", ""), r.text[:600])
for bad in ("100.5%", "1e1%", "0.0000000000000001%", "5"):
    r = staff.post_json(f"/api/v1/tasks/{gtid}/scheme", dict(dict(scheme, grade_ratios={"B": bad}), version=scheme_version(db, gtid)))
    s.check(f"grade ratio {bad!r} refused", r.status == 422 and "grade_ratio_B" in r.json()["error"]["fields"], r.text[:200])
gscheme = dict(scheme, grade_ratios={"A": "0%", "B": "", "C": "10%", "D": "30%"}, grade_minimum={"A": 1, "D": "2", "B": ""})
r = staff.post_json(f"/api/v1/tasks/{gtid}/scheme", dict(gscheme, version=scheme_version(db, gtid)))
sch = r.json()["scheme"] if r.status == 200 else {}
s.check("per-grade ratios and minimums saved", r.status == 200 and sch["differentiated"]
        and sch["grade_rules"] == {"ratios": {"A": "0%", "C": "10%", "D": "30%"}, "minimum": {"A": 1, "D": 2}}
        and [g["effective"] for g in sch["grades"]] == ["0%", "5%", "10%", "30%"], r.text[:600])
r = staff.get(f"/tasks/{gtid}")
s.check("the task page shows the grade rules", r.status == 200 and "D级（高风险）：30%" in r.text and "至少 1 个" in r.text
        and 'name="grade_ratio_D" value="30%"' in r.text, r.text[:200])
r = staff.form(f"/tasks/{gtid}/scheme", {**{k: v for k, v in scheme.items() if k not in ("observers", "randomness_sources")},
                                          **scheme_source_fields([lottery]), "observers0": "钱律师", "version": scheme_version(db, gtid),
                                          "grade_ratio_A": "0%", "grade_ratio_B": "", "grade_ratio_C": "10%", "grade_ratio_D": "30%",
                                          "grade_min_A": "1", "grade_min_B": "", "grade_min_C": "", "grade_min_D": "2"})
s.check("the scheme form saves the grade rules", r.status in (302, 303), f"{r.status} {r.text[:300]}")
r = staff.form(f"/tasks/{gtid}/scheme", {**{k: v for k, v in scheme.items() if k not in ("observers",)}, "grade_ratio_D": "300%",
                                          "version": scheme_version(db, gtid)})
s.check("the scheme form refuses a bad grade ratio in Chinese", r.status == 422 and "D级（高风险）的抽查比例" in r.text, r.text[:300])
staff.post_json(f"/api/v1/tasks/{gtid}/submit", {})
r = staff.post_json(f"/api/v1/tasks/{gtid}/scheme", dict(gscheme, version=scheme_version(db, gtid)))
s.check("grade rules cannot change once submitted", r.status == 409, r.text[:200])
leader.post_json(f"/api/v1/tasks/{gtid}/approve", {})
staff.post_json(f"/api/v1/tasks/{gtid}/publish", {})
r = anon.get(f"/public/tasks/{gtid}")
s.check("the public task page shows the grade ratios (no target's grade)", r.status == 200 and "D级（高风险）：30%" in r.text
        and "A级（低风险）：0%，至少 1 个" in r.text and "B级（一般风险）：5%" in r.text, r.text[:300])
# the workload preview against a cap too low for this draw (one group per officer), then back to none
import re as _re
sql(db, f"UPDATE task_scheme SET workload_cap = 1 WHERE task_id = {gtid}")
r = staff.get(f"/tasks/{gtid}?preview=1")
pm = _re.search(r"共需 (\d+) 人次；\s*名单中执法人员 (\d+) 人", r.text)
s.check("the workload preview flags a cap that cannot be met (slots > officers × cap)",
        pm is not None and (int(pm.group(1)) > int(pm.group(2))) == ('id="over-cap"' in r.text), (pm.groups() if pm else r.text[r.text.find("workload-preview"):][:400]))
sql(db, f"UPDATE task_scheme SET workload_cap = 0 WHERE task_id = {gtid}")
r = staff.post_json(f"/api/v1/tasks/{gtid}/freeze", {})
s.check("differentiated task frozen", r.status == 200, r.text[:300])
params = json.loads(ids(db, "SELECT params FROM draw WHERE task_code = '2025202-001号'")[0])
s.check("params carry the per-grade ratios with the plan ratio as '*', and the minimums",
        params["ratios"] == {"*": "5%", "A": "0%", "C": "10%", "D": "30%"} and params["minimum"] == {"A": 1, "D": 2}, str(params))
r = staff.get(f"/tasks/{gtid}/draw")
s.check("the ceremony shows each frozen grade with its ratio, minimum and size before the draw",
        r.status == 200 and "<td>D</td><td class=\"num\">20</td><td class=\"num\">30%</td><td class=\"num\">2</td><td class=\"num\">6</td>" in r.text,
        r.text[r.text.find("frozen-strata"):][:800])
staff.env = after_lottery
r = staff.post_json(f"/api/v1/tasks/{gtid}/draw", {"values": ["662"]})
grec = r.json().get("record", {}) if r.status == 200 else {}
s.check("differentiated draw held", r.status == 200, r.text[:300])
frozen = grec.get("freeze", {}).get("population", {}).get("strata", {})
st = {x["stratum"]: x for x in grec.get("strata", [])}


def size(N, pct, m):
    digits = pct[:-1]
    num, den = int(digits.replace(".", "")), 100 * 10 ** (len(digits.split(".")[1]) if "." in digits else 0)
    return min(N, max(-(-N * num // den), m))


s.check("strata are the credit grades, counted at freeze", set(frozen) == {"A", "B", "D"} and frozen.get("D") == 20
        and frozen.get("A") == 10 and frozen.get("B") in (40, 41), str(frozen))
s.check("each grade's size follows its own ratio and minimum against the frozen counts",
        st and st["A"]["ratio"] == "0%" and st["A"]["n"] == 1 and st["B"]["ratio"] == "5%" and st["B"]["n"] == size(frozen["B"], "5%", 0)
        and st["D"]["ratio"] == "30%" and st["D"]["minimum"] == 2 and st["D"]["n"] == 6 == size(20, "30%", 2)
        and st["A"]["n"] == size(frozen["A"], "0%", 1), json.dumps(st))
s.check("grade D is drawn at a higher ratio than grade B",
        st and st["D"]["n"] / frozen["D"] > st["B"]["n"] / frozen["B"])
sel = grec.get("selected", [])
s.check("the selection holds exactly those numbers per grade",
        {g: sum(1 for x in sel if x["stratum"] == g) for g in "ABD"} == {g: st[g]["n"] for g in "ABD"} if st else False)
gpaths = draw_files(staff, gtid)
fsha = grec.get("freeze_sha256", "")
p = subprocess.run(["python3", os.path.join(ROOT, "tools", "verify_draw.py"), gpaths["record"], gpaths["population"], gpaths["officers"],
                    "--freeze", fsha], capture_output=True, text=True)
s.check("the differentiated record verifies with tools/verify_draw.py", p.returncode == 0 and p.stdout.startswith("一致"), p.stdout + p.stderr)
p = subprocess.run([SPOTCHECK, "verify", gpaths["record"], gpaths["population"], gpaths["officers"], "--freeze", fsha],
                   capture_output=True, text=True)
s.check("and with spotcheck verify", p.returncode == 0 and "一致" in p.stdout, p.stdout + p.stderr)
r = anon.get(f"/public/tasks/{gtid}")
s.check("the public page lists each frozen grade's ratio and size", "D：20 个，比例 30%，至少 2 个，应抽取 6 个" in r.text,
        r.text[r.text.find("pub-strata"):][:400])
# --- a joint dept confirms through the API (POST /api/v1/joint/ID/confirm)
joint = Client(db)
joint.login("joint")
r = staff.post_json("/api/v1/plans", {"year": 2025, "number": "2025203", "tasks": [{
    "task_no": "001号", "name": "联合抽查", "kind": "不定向", "ratio": "50%", "items": ["I1"], "scope": {"region_prefix": "130528"},
    "lead_dept": "基金监管股", "joint_depts": "市场监管局", "period": "2025-03..2025-10"}]})
jvid, jptid = (r.json()["id"], r.json()["tasks"][0]["id"]) if r.status == 201 else (0, 0)
staff.post_json(f"/api/v1/plans/{jvid}/submit", {})
leader.post_json(f"/api/v1/plans/{jvid}/approve", {})
staff.post_json(f"/api/v1/plans/{jvid}/publish", {})
r = staff.post_json("/api/v1/tasks", {"plan_task": jptid})
jtid = r.json()["id"] if r.status == 201 else 0
s.check("joint task started with the joint dept pending", r.status == 201 and r.json()["joints"][0]["state"] == "待确认", r.text[:300])
r = joint.post_json(f"/api/v1/joint/{jtid}/confirm", {"items_text": "价格行为检查"})
s.check("an account without a dept cannot confirm (404, says why)", r.status == 404 and "未关联部门" in r.json()["error"]["message"], r.text[:200])
subprocess.run([SPOTCHECK, "user", "link", "joint", "--dept", "SC", "--db", db], check=True, capture_output=True)
r = staff.post_json(f"/api/v1/joint/{jtid}/confirm", {})
s.check("staff cannot confirm for a joint dept (403)", r.status == 403)
r = joint.do("POST", f"/api/v1/joint/{jtid}/confirm", b"{}", {"Content-Type": "application/json"}, csrf=False)
s.check("a confirmation without the CSRF header is refused", r.status == 403)
r = joint.post_json(f"/api/v1/joint/{tid}/confirm", {})
s.check("a task that did not name the dept is 404", r.status == 404)
r = joint.post_json("/api/v1/joint/999999/confirm", {})
s.check("an unknown task is 404", r.status == 404)
r = joint.post_json(f"/api/v1/joint/{jtid}/confirm", {"items_text": "价格行为检查"})
s.check("the joint dept confirms with its items", r.status == 200 and r.json()["state"] == "已确认" and r.json()["dept_code"] == "SC"
        and r.json()["items_text"] == "价格行为检查" and r.json()["confirmed_on"] and r.json()["overdue"] is False, r.text[:300])
r = joint.post_json(f"/api/v1/joint/{jtid}/confirm", {})
s.check("a second confirmation is 409", r.status == 409 and "已确认" in r.json()["error"]["message"], r.text[:200])
r = staff.get(f"/api/v1/tasks/{jtid}")
s.check("the task shows the confirmation", r.json()["joints"][0]["state"] == "已确认")
s.check("audit row task.joint.confirm", "task.joint.confirm" in ids(db, f"SELECT action FROM audit_log WHERE entity = 'task' AND entity_id = '{jtid}'"))
s.done()
