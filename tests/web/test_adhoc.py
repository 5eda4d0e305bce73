"""An ad-hoc task (临时任务, 004 第六条: no check outside the plan unless approved) end to end through
test-http: the request from a complaint → the 分管领导 returns it with an opinion → it is revised and
resubmitted → approved → the task starts with the ratio and scope given at start → it is marked 临时
on the task page, the task list and the public pages → scheme → approval → publication → freeze →
draw → locked groups → the public record verifies with tools/verify_draw.py and `spotcheck verify`.
Also: an unapproved request cannot start (clear Chinese message), permissions (officer 403, another
county 404) and the audit rows."""
import os
import subprocess
from webtest import SPOTCHECK, Client, Suite, small_db, ids, sql, import_officers, draw_files, pin_today, scheme_version
from fixture_drawn import fc3d_source, scheme_source_fields
import datetime

s = Suite()
day = pin_today("2026-06-15")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")

db = small_db()
import_officers(db, "YB003,李执法,130528,D1,2023-01-01,2030-12-31,,130528,是,13800000003\n"
               "YB004,赵执法,130528,D1,2023-01-01,2030-12-31,,130528,否,\n")
org528 = sql(db, "SELECT id FROM org WHERE code = '130528'")[0][0]
for i, grade in enumerate("ABCDDCBA"):
    sql(db, "INSERT INTO target(org_id, kind, code, name, region, grade) VALUES (?, 'institution', ?, ?, '130528', ?)",
        (org528, f"HT{i:04d}", f"被投诉医院{i}", grade))

staff, leader, officer, other, anon = (Client(db) for _ in range(5))
staff.login("staff")
leader.login("leader")
officer.login("officer")
other.login("lincheng")

# --- the request, from a complaint
r = staff.form("/plans/adhoc", [("name", "投诉举报核查：宁晋县定点医疗机构"), ("source", "投诉举报"),
                                ("reason", "接群众投诉反映多家医院串换项目收费，需立即核查"), ("items", "I1"),
                                ("scope_text", "被投诉的定点医疗机构"), ("period", "2025年6月")])
s.check("staff requests an ad-hoc task", r.status == 303, f"{r.status} {r.text[:300]}")
aid, acode = (ids(db, "SELECT id || '|' || code FROM plan_adhoc")[0].split("|") + ["", ""])[:2]
s.check("the request waits for approval", ids(db, f"SELECT status FROM plan_adhoc WHERE id = {aid}") == ["待审批"])

# --- an unapproved request cannot start
start = {"adhoc": aid, "ratio": "50%", "scope_kind": "institution", "scope_region": "130528", "lead_dept": "基金监管股"}
r = staff.form("/tasks/start", start)
s.check("an unapproved request cannot start, with a clear Chinese message",
        r.status == 409 and "须经分管领导批准后方可开展" in r.text and "待审批" in r.text, f"{r.status} {r.text[:300]}")
r = staff.post_json("/api/v1/tasks", {"adhoc": int(aid), "ratio": "50%", "lead_dept": "基金监管股"})
s.check("nor through the API", r.status == 409 and "须经分管领导批准" in r.json()["error"]["message"], r.text[:300])
r = staff.get("/tasks")
s.check("an unapproved request is not offered for start", r.status == 200 and acode not in r.text)

# --- the leader returns it with an opinion
r = leader.form(f"/plans/adhoc/{aid}/decide", {"decision": "return", "opinion": ""})
s.check("a return needs an opinion", r.status == 422, f"{r.status}")
r = staff.form(f"/plans/adhoc/{aid}/decide", {"decision": "approve"})
s.check("staff cannot approve", r.status == 403, f"{r.status}")
r = leader.form(f"/plans/adhoc/{aid}/decide", {"decision": "return", "opinion": "请写明投诉件编号和涉及的医院"})
s.check("the leader returns it with an opinion", r.status == 303 and ids(db, f"SELECT status FROM plan_adhoc WHERE id = {aid}") == ["已退回"],
        f"{r.status} {r.text[:200]}")
r = staff.get("/plans/adhoc")
s.check("the opinion is shown with a form to resubmit", "请写明投诉件编号和涉及的医院" in r.text and f"/plans/adhoc/{aid}/resubmit" in r.text)
r = staff.form("/tasks/start", start)
s.check("a returned request cannot start", r.status == 409 and "已退回" in r.text, f"{r.status} {r.text[:200]}")
r = leader.form(f"/plans/adhoc/{aid}/decide", {"decision": "approve"})
s.check("a returned request is not approved before it is resubmitted", r.status == 409, f"{r.status}")

# --- revised and resubmitted
r = officer.form(f"/plans/adhoc/{aid}/resubmit", {"reason": "x"})
s.check("an officer cannot resubmit (403)", r.status == 403, f"{r.status}")
r = other.form(f"/plans/adhoc/{aid}/resubmit", {"reason": "x"})
s.check("another county cannot see the request (404)", r.status == 404, f"{r.status}")
r = staff.form(f"/plans/adhoc/{aid}/resubmit", {"reason": "投诉件2025-118号：宁晋县多家医院串换项目收费，需立即核查"})
s.check("staff resubmits it revised", r.status == 303 and ids(db, f"SELECT status || '|' || reason FROM plan_adhoc WHERE id = {aid}")
        == ["待审批|投诉件2025-118号：宁晋县多家医院串换项目收费，需立即核查"], f"{r.status} {r.text[:200]}")
r = staff.form(f"/plans/adhoc/{aid}/resubmit", {})
s.check("a pending request cannot be resubmitted again", r.status == 409, f"{r.status}")
r = leader.form(f"/plans/adhoc/{aid}/decide", {"decision": "approve", "opinion": "同意"})
s.check("the leader approves", r.status == 303 and ids(db, f"SELECT status FROM plan_adhoc WHERE id = {aid}") == ["已批准"])

# --- start: ratio and scope given at start
r = staff.get("/tasks")
s.check("the approved request is offered for start with ratio and scope", acode in r.text and 'name="scope_kind"' in r.text)
r = officer.form("/tasks/start", start)
s.check("an officer cannot start it (403)", r.status == 403, f"{r.status}")
r = other.form("/tasks/start", start)
s.check("another county cannot start it (404)", r.status == 404, f"{r.status}")
r = staff.form("/tasks/start", dict(start, ratio="一半", lead_dept=""))
s.check("ratio and lead dept are checked", r.status == 422 and "抽查比例" in r.text and "发起科室" in r.text, f"{r.status} {r.text[:300]}")
r = staff.form("/tasks/start", start)
s.check("staff starts the ad-hoc task", r.status == 303 and "/tasks/" in (r.header("Location") or ""), f"{r.status} {r.text[:300]}")
tid = int(ids(db, f"SELECT id FROM task WHERE adhoc_id = {aid}")[0])
r = staff.form("/tasks/start", start)
s.check("an ad-hoc request starts only one task", r.status == 409, f"{r.status}")
row = ids(db, f"SELECT code || '|' || kind || '|' || ratio || '|' || scope_json FROM task WHERE id = {tid}")[0].split("|")
s.check("the task carries the ad-hoc code, kind 临时, the ratio and scope given at start",
        row == [acode, "临时", "50%", '{"kinds":["institution"],"region_prefix":"130528"}'], str(row))
r = staff.get(f"/tasks/{tid}")
s.check("the task page marks it 临时", r.status == 200 and 'id="adhoc-badge">临时任务' in r.text and "临时任务 " + acode in r.text
        and "行政区划130528" in r.text, r.text[:300])
r = staff.get("/tasks")
s.check("the task list marks it 临时", f'<a href="/tasks/{tid}">' in r.text and 'badge-warn">临时</span>' in r.text)
r = staff.get(f"/api/v1/tasks/{tid}")
s.check("the API says kind 临时 and adhoc", r.status == 200 and r.json()["kind"] == "临时" and r.json()["adhoc"] is True)
r = other.get(f"/tasks/{tid}")
s.check("another county gets 404 on the task", r.status == 404)
r = officer.get(f"/tasks/{tid}")
s.check("an officer gets 403 on the task page", r.status == 403)

# --- scheme → approval → publication
r = staff.form(f"/tasks/{tid}/freeze", {})
s.check("no freeze before the scheme is published", r.status == 409 and "实施方案尚未公开" in r.text, f"{r.status}")
r = staff.form(f"/tasks/{tid}/scheme", {"version": str(scheme_version(db, tid)), "purpose": "核查投诉反映的串换项目收费问题", "period": "2025年6月", "group_size": "2",
                                         "method": "实地检查", "randomness_source": "观察员掷骰", "observers0": "钱律师",
                                         **scheme_source_fields([fc3d_source(day + datetime.timedelta(days=2)),
                                                                 {"kind": "dice", "count": 5}])})
s.check("scheme saved", r.status == 303, f"{r.status} {r.text[:300]}")
s.check("submitted", staff.form(f"/tasks/{tid}/submit", {}).status == 303)
s.check("approved by the leader", leader.form(f"/tasks/{tid}/approve", {}).status == 303)
r = anon.get(f"/public/tasks/{tid}")
s.check("not public before publication", r.status == 404)
s.check("published", staff.form(f"/tasks/{tid}/publish", {}).status == 303)
r = anon.get("/public/tasks")
s.check("the public list marks it 临时", f'/public/tasks/{tid}"' in r.text and 'badge-warn">临时</span>' in r.text)
r = anon.get(f"/public/tasks/{tid}")
s.check("the public task page marks it 临时 and says it was approved outside the plan",
        r.status == 200 and 'id="adhoc-badge">临时任务' in r.text and "年度计划外的临时任务，已经分管领导批准" in r.text)

# --- freeze → draw → locked groups; the freeze from the command line, under the same rules
acode = ids(db, f"SELECT code FROM task WHERE id = {tid}")[0]
p = subprocess.run([SPOTCHECK, "draw", "freeze", "--task", acode, "--db", db], capture_output=True, text=True)
s.check("the CLI will not freeze a task's draw without a real account", p.returncode == 2 and "--by" in p.stderr, p.stderr)
p = subprocess.run([SPOTCHECK, "draw", "freeze", "--task", acode, "--by", "staff", "--ratio", "100%", "--db", db],
                   capture_output=True, text=True)
s.check("... nor with parameters of its own", p.returncode == 2 and "不能另行指定" in p.stderr, p.stderr)
for who, why in (("supervisor", "角色"), ("officer", "角色"), ("lincheng", "管辖范围")):
    p = subprocess.run([SPOTCHECK, "draw", "freeze", "--task", acode, "--by", who, "--db", db], capture_output=True, text=True)
    s.check(f"... nor by the {who} account ({why})", p.returncode == 1 and why in p.stderr, p.stderr)
own = ids(db, "SELECT code FROM target WHERE org_id = (SELECT id FROM org WHERE code = '130528') ORDER BY code")
conflict = ["draw", "conflict", "--task", acode, "--officer", "YB001", "--target", own[0], "--db", db]
p = subprocess.run([SPOTCHECK] + conflict + ["--by", "staff"], capture_output=True, text=True)
s.check("a conflict from the CLI needs its reason", p.returncode == 2 and "--reason" in p.stderr, p.stderr)
p = subprocess.run([SPOTCHECK] + conflict + ["--by", "supervisor", "--reason", "近亲属"], capture_output=True, text=True)
s.check("... and a role that holds draws", p.returncode == 1 and "角色" in p.stderr, p.stderr)
p = subprocess.run([SPOTCHECK] + conflict + ["--by", "staff", "--reason", "近亲属"], capture_output=True, text=True)
s.check("the staff declare a conflict (回避) from the CLI before the freeze", p.returncode == 0 and "回避已申报" in p.stdout,
        p.stdout + p.stderr)
s.check("... with its audit row", ids(db, f"SELECT actor FROM audit_log WHERE action = 'task.conflict.declare' AND entity_id = '{tid}'")
        == ["staff"])
p = subprocess.run([SPOTCHECK, "draw", "freeze", "--task", acode, "--by", "staff", "--db", db], capture_output=True, text=True)
s.check("frozen from the CLI by the staff account, as on the task page", p.returncode == 0 and "已冻结" in p.stdout, p.stdout + p.stderr)
s.check("... with the task's audit row under that account",
        ids(db, f"SELECT actor FROM audit_log WHERE action = 'task.draw.freeze' AND entity_id = '{tid}'") == ["staff"])
p = subprocess.run([SPOTCHECK] + conflict + ["--by", "staff", "--reason", "近亲属"], capture_output=True, text=True)
s.check("a conflict after the freeze is refused from the CLI too", p.returncode == 1 and "递补" in p.stderr, p.stderr)
p = subprocess.run([SPOTCHECK, "draw", "substitute", "--task", acode, "--by", "staff", "--target", "X", "--reason", "r", "--db", db],
                   capture_output=True, text=True)
s.check("a task's substitution is not done from the CLI", p.returncode == 1 and "摇号现场" in p.stderr, p.stderr)
p = subprocess.run([SPOTCHECK, "draw", "dice", "--task", acode, "--by", "staff", "--value", "25146", "--db", db],
                   capture_output=True, text=True)
s.check("the dice recorded from the CLI before the lottery", p.returncode == 0 and "25146" in p.stdout, p.stdout + p.stderr)
staff.env = {"SPOTCHECK_TODAY": (day + datetime.timedelta(days=3)).isoformat() + "T10:00"}  # after the lottery
r = staff.form(f"/tasks/{tid}/draw", {"value0": "251", "value1": "25146", "observers_present": "律师：钱律师"})
s.check("drawn", r.status == 303, f"{r.status} {r.text[:300]}")
r = staff.form(f"/tasks/{tid}/draw", {"value0": "111", "value1": "11111"})
s.check("then locked", r.status == 409, f"{r.status}")
r = staff.get(f"/tasks/{tid}/draw")
s.check("the ceremony shows the locked groups", r.status == 200 and 'id="locked"' in r.text and "检查组" in r.text)
rec = staff.get(f"/api/v1/tasks/{tid}/draw").json()["record"]
frozen = rec["freeze"]["population"]["strata"]
s.check("the population is the scope given at start (9 institutions of 130528)", sum(frozen.values()) == 9, str(frozen))
s.check("each grade drawn at 50%", all(x["n"] == -(-x["N"] // 2) for x in rec["strata"]), str(rec["strata"]))
s.check("every group has 2 officers and a leader",
        rec["assignments"] and all(len(g["officers"]) == 2 and g["leader"] for g in rec["assignments"]), str(rec["assignments"])[:300])
paths = draw_files(staff, tid)
p = subprocess.run(["python3", os.path.join(ROOT, "tools", "verify_draw.py"), paths["record"], paths["population"], paths["officers"],
                    "--freeze", rec["freeze_sha256"]], capture_output=True, text=True)
s.check("the public record verifies with tools/verify_draw.py", p.returncode == 0 and p.stdout.startswith("一致"), p.stdout + p.stderr)
p = subprocess.run([SPOTCHECK, "verify", paths["record"], paths["population"], paths["officers"], "--freeze", rec["freeze_sha256"]],
                   capture_output=True, text=True)
s.check("and with spotcheck verify", p.returncode == 0 and "一致" in p.stdout, p.stdout + p.stderr)
s.check("the record's task is the ad-hoc code", rec["freeze"]["task"] == acode)

# --- audit rows
acts = ids(db, f"SELECT action FROM audit_log WHERE entity = 'plan_adhoc' AND entity_id = '{aid}' ORDER BY id")
s.check("audit rows of the request", acts == ["plan.adhoc.create", "plan.adhoc.return", "plan.adhoc.resubmit", "plan.adhoc.approve"],
        str(acts))
acts = ids(db, f"SELECT action FROM audit_log WHERE entity = 'task' AND entity_id = '{tid}' ORDER BY id")
for a in ["task.start", "task.scheme.save", "task.scheme.submit", "task.scheme.approve", "task.scheme.publish", "task.draw.freeze",
          "task.draw.run"]:
    s.check(f"audit row {a}", a in acts, str(acts))
p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True, text=True)
s.check("the audit chain verifies", p.returncode == 0, p.stdout + p.stderr)
s.done()
