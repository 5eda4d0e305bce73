"""The task JSON API (docs/API.md "Tasks") through test-http: from a published plan row to locked
groups through the API only — start, scheme, submit, return, approve, publish, freeze, draw,
substitute — with the same permissions and CSRF header as the pages, the org scope, the draw
record that verifies with tools/verify_draw.py, and the items' required expertise tags reaching
the draw (精准匹配)."""
import json
import os
import subprocess
import tempfile
from webtest import SPOTCHECK, Client, Suite, small_db, ids
import sqlite3

s = Suite()
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")


def sql(db, q, args=()):
    con = sqlite3.connect(db)
    try:
        rows = con.execute(q, args).fetchall()
        con.commit()
        return rows
    finally:
        con.close()


db = small_db()
d = os.path.dirname(db)
with open(os.path.join(d, "officers2.csv"), "w", encoding="utf-8") as f:
    f.write("执法证号,姓名,所属机构,科室,证件生效日期,证件有效期至,专长标签,执法区域,可任组长,联系电话\n"
            "YB003,李执法,130528,D1,2023-01-01,2030-12-31,,130528,是,13800000003\n"
            "YB004,赵执法,130528,D1,2023-01-01,2030-12-31,,130528,否,\n"
            "YB005,钱执法,130528,D1,2023-01-01,2030-12-31,,130528,是,\n")
subprocess.run([SPOTCHECK, "import", "officers", os.path.join(d, "officers2.csv"), "--db", db], check=True, capture_output=True)
# the item requires the expertise tag FUND; YB003 lacks it, so it must never be drawn
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
          "randomness_source": "观察员掷骰", "observers": {"律师": "钱律师"}}
r = staff.post_json(f"/api/v1/tasks/{tid}/scheme", scheme)
s.check("a group of one is refused with field errors", r.status == 422 and "group_size" in r.json()["error"]["fields"], r.text[:300])
scheme["group_size"] = 2
r = staff.post_json(f"/api/v1/tasks/{tid}/scheme", scheme)
s.check("scheme saved", r.status == 200 and r.json()["scheme"]["purpose"] == "规范医保基金使用", r.text[:300])
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
s.check("the items' required tags are draw parameters", params.get("required_tags") == ["FUND"] and "joint_depts" not in params, str(params))
r = staff.post_json(f"/api/v1/tasks/{tid}/draw", {"randomness": ""})
s.check("empty randomness is refused", r.status == 409)
r = staff.post_json(f"/api/v1/tasks/{tid}/draw", {"randomness": "4415263", "observers_present": "钱律师"})
rec = r.json().get("record", {}) if r.status == 200 else {}
s.check("drawn: the record comes back at once", r.status == 200 and rec.get("assignments"), r.text[:300])
r = staff.post_json(f"/api/v1/tasks/{tid}/draw", {"randomness": "1"})
s.check("then locked", r.status == 409)
groups = rec.get("assignments", [])
s.check("every group: 2 officers holding the required tag, a leader; YB003 (no tag) skipped with the reason",
        groups and all(len(g["officers"]) == 2 and "YB003" not in g["officers"] and g["leader"] for g in groups)
        and any(x["id"] == "YB003" and "FUND" in x["reason"] for g in groups for x in g["skipped"]), json.dumps(groups, ensure_ascii=False)[:400])
g0 = groups[0] if groups else {"target": "", "officers": [""]}
r = staff.post_json(f"/api/v1/tasks/{tid}/substitute", {"type": "officer", "target": g0["target"], "officer": g0["officers"][0], "reason": ""})
s.check("substitution needs a reason", r.status == 409)
r = staff.post_json(f"/api/v1/tasks/{tid}/substitute", {"type": "officer", "target": g0["target"], "officer": g0["officers"][0],
                                                         "reason": "回避：近亲属"})
s.check("officer substituted in draw order", r.status == 200 and r.json()["event"]["replacement"] not in (None, "YB003", g0["officers"][0]), r.text[:300])
r = sup.get(f"/api/v1/tasks/{tid}")
s.check("the supervisor reads the task with its draw status", r.status == 200 and r.json()["draw"]["status"] == "已抽取")
r = sup.post_json(f"/api/v1/tasks/{tid}/substitute", {"type": "target", "target": g0["target"], "reason": "x"})
s.check("the supervisor cannot substitute", r.status == 403)
r = staff.get(f"/api/v1/tasks/{tid}/draw")
s.check("the record JSON", r.status == 200 and r.json()["status"] == "已抽取" and len(r.json()["record"]["events"]) == 1)
tmp = tempfile.mkdtemp(prefix="spotcheck-api-")
paths = {}
for kind in ("record", "population", "officers"):
    rr = anon.get(f"/public/tasks/{tid}/{kind}")
    paths[kind] = os.path.join(tmp, kind)
    with open(paths[kind], "wb") as f:
        f.write(rr.body)
p = subprocess.run(["python3", os.path.join(ROOT, "tools", "verify_draw.py"), paths["record"], paths["population"], paths["officers"]],
                   capture_output=True, text=True)
s.check("the public record verifies with tools/verify_draw.py", p.returncode == 0 and p.stdout.startswith("一致"), p.stdout + p.stderr)
acts = ids(db, f"SELECT action FROM audit_log WHERE entity = 'task' AND entity_id = '{tid}' ORDER BY id")
for a in ["task.start", "task.scheme.save", "task.scheme.return", "task.scheme.publish", "task.draw.freeze", "task.draw.run",
          "task.draw.substitute"]:
    s.check(f"audit row {a}", a in acts, str(acts))
s.done()
