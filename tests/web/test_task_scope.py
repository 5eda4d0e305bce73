"""A plan row whose 抽查对象范围 is only words (as an imported 附件2 often is) starts a task with an empty
filter, which a draw would read as every kind of target, 参保人 included (issue 16). Its scheme owns the
scope: the scheme form offers the kinds (参保人 unticked), the scheme cannot be submitted nor the draw
frozen until at least one kind is chosen, the chosen filter is what the draw takes, and a task whose
plan row fixed the scope cannot have it changed in the scheme (form or API)."""
import datetime
import json
import re
from webtest import Client, Suite, small_db, ids, sql, pin_today, scheme_version
from fixture_drawn import fc3d_source, scheme_source_fields

s = Suite()
today = pin_today("2026-06-15")
db = small_db()
staff, leader = Client(db), Client(db)
staff.login("staff")
leader.login("leader")


def start_task(number, scope_fields):
    r = staff.form("/plans/new", {"year": "2026", "number": number, "qualifier": "定点医药机构"})
    vid = int(re.match(r"/plans/(\d+)", r.header("Location")).group(1))
    row = [("task_no", "001号"), ("name", "定点医药机构随机抽查"), ("kind", "不定向"), ("ratio", "50%"), ("items", "I1"),
           ("items_text", ""), ("lead_dept", "基金监管股"), ("period", "2026年6月至10月"), ("level", "县级"),
           ("remark", "")] + scope_fields
    r = staff.form(f"/plans/{vid}/task", row)
    s.check(f"plan {number}: row saved", r.status == 303, f"{r.status} {r.text[-300:]}")
    staff.form(f"/plans/{vid}/submit", {})
    leader.form(f"/plans/{vid}/approve", {})
    staff.form(f"/plans/{vid}/publish", {})
    ptid = ids(db, f"SELECT id FROM plan_task WHERE version_id = {vid}")[0]
    r = staff.form("/tasks/start", {"plan_task": ptid})
    return int(re.match(r"/tasks/(\d+)", r.header("Location") or "/tasks/0").group(1))


scheme = {"purpose": "规范医保基金使用", "period": "2026年6月20日至7月20日", "group_size": "2", "method": "实地检查",
          "confidentiality": "", "use_of_results": "", "materials": "", "contact": "", "randomness_source": "",
          "observers0": "", "observers1": "", "observers2": "", "observers3": ""}
scheme.update(scheme_source_fields([fc3d_source(today + datetime.timedelta(days=3))]))

# --- a row with words only
tid = start_task("2026201", [("scope_text", "辖区内有投诉记录的医药机构")])
s.check("the task starts with an empty filter, its scope owned by the scheme",
        sql(db, "SELECT scope_json, scope_in_scheme FROM task WHERE id = ?", (tid,)) == [("{}", 1)])
r = staff.get(f"/tasks/{tid}")
s.check("the scheme form asks for the kinds, 参保人 unticked", r.status == 200 and 'id="scheme-scope"' in r.text
        and re.search(r'name="scope_kinds" value="insured">', r.text) and "辖区内有投诉记录的医药机构" in r.text, str(r.status))
r = staff.form(f"/tasks/{tid}/scheme", dict(scheme, version=scheme_version(db, tid), scope_form="1"))
s.check("saving with no kind ticked is refused beside the scope, the typed text kept",
        r.status == 422 and "请至少选择一种抽查对象类型" in r.text and ">规范医保基金使用</textarea>" in r.text, f"{r.status}")
s.check("... and nothing was written", sql(db, "SELECT scope_json FROM task WHERE id = ?", (tid,)) == [("{}",)]
        and sql(db, "SELECT purpose FROM task_scheme WHERE task_id = ?", (tid,)) == [("",)])
# the rest of the scheme saved without the scope fields (an older form): submitting is refused
r = staff.form(f"/tasks/{tid}/scheme", dict(scheme, version=scheme_version(db, tid)))
s.check("the scheme saves without touching the scope", r.status == 303, f"{r.status} {r.text[-300:]}")
r = staff.form(f"/tasks/{tid}/submit", {})
s.check("submitting with a scope in words only is refused, saying why",
        r.status == 409 and "抽查对象范围只有文字说明" in r.text and "辖区内有投诉记录的医药机构" in r.text, f"{r.status} {r.text[-300:]}")
form = [(k, v) for k, v in scheme.items()] + [("version", str(scheme_version(db, tid))), ("scope_form", "1"),
                                             ("scope_kinds", "institution"), ("scope_kinds", "pharmacy"),
                                             ("scope_region_prefix", "130528")]
r = staff.form(f"/tasks/{tid}/scheme", form)
s.check("the scheme sets the filter: two kinds and the region", r.status == 303, f"{r.status} {r.text[-300:]}")
scope = json.loads(sql(db, "SELECT scope_json FROM task WHERE id = ?", (tid,))[0][0])
s.check("... stored as the task's filter", scope == {"kinds": ["institution", "pharmacy"], "region_prefix": "130528"}, str(scope))
r = staff.get(f"/tasks/{tid}")
s.check("the task page shows the filter in words and the kinds ticked", "定点医疗机构" in r.text
        and re.search(r'name="scope_kinds" value="pharmacy" checked', r.text) and not re.search(r'value="insured" checked', r.text))
r = staff.form(f"/tasks/{tid}/submit", {})
s.check("now the scheme can be submitted", r.status == 303 and sql(db, "SELECT status FROM task_scheme WHERE task_id = ?", (tid,))
        == [("待审批",)], f"{r.status} {r.text[-300:]}")
leader.form(f"/tasks/{tid}/approve", {})
r = staff.form(f"/tasks/{tid}/publish", {})
r = staff.form(f"/tasks/{tid}/freeze", {})
s.check("the draw freezes with the chosen filter", r.status == 303, f"{r.status} {r.text[-300:]}")
params = json.loads(sql(db, "SELECT params FROM draw d JOIN task t ON t.code = d.task_code WHERE t.id = ?", (tid,))[0][0])
s.check("... frozen into the draw's parameters, no 参保人", params["filters"].get("kinds") == ["institution", "pharmacy"], str(params["filters"]))
pop = sql(db, "SELECT content FROM draw_file f JOIN draw d ON d.id = f.draw_id JOIN task t ON t.code = d.task_code "
              "WHERE t.id = ? AND f.kind = 'population'", (tid,))[0][0]
insured = {c for (c,) in sql(db, "SELECT code FROM target WHERE kind = 'insured'")}
s.check("the population file holds no insured person", pop and not any(line.split("\t")[0] in insured for line in pop.splitlines()),
        pop[:200])

# --- a scheme approved before the rule (a database of an earlier version): the freeze is refused
tid2 = start_task("2026202", [("scope_text", "全县参保单位")])
sql(db, "UPDATE task_scheme SET status = '已公开' WHERE task_id = ?", (tid2,))
r = staff.get(f"/tasks/{tid2}")
s.check("the task page says why it cannot be frozen", 'id="link-freeze"' not in r.text and "抽查对象范围只有文字说明" in r.text, r.text[-600:])
r = staff.form(f"/tasks/{tid2}/freeze", {})
s.check("... and the freeze is refused", r.status == 409 and "抽查对象范围只有文字说明" in r.text, f"{r.status}")
s.check("... nothing frozen", ids(db, f"SELECT count(*) FROM draw d JOIN task t ON t.code = d.task_code WHERE t.id = {tid2}") == [0])

# --- a row with a structured scope: the scheme cannot change it (form and API)
tid3 = start_task("2026203", [("scope_text", "宁晋县定点医疗机构"), ("scope_kinds", "institution"), ("region_prefix", "130528")])
s.check("a plan-fixed scope is not owned by the scheme", sql(db, "SELECT scope_in_scheme FROM task WHERE id = ?", (tid3,)) == [(0,)])
r = staff.get(f"/tasks/{tid3}")
s.check("... no scope fields on its scheme form", 'id="scheme-scope"' not in r.text)
r = staff.form(f"/tasks/{tid3}/scheme", dict(scheme, version=scheme_version(db, tid3), scope_form="1", scope_kinds="insured"))
s.check("a forged scope field is refused", r.status == 422 and "由年度计划规定" in r.text, str(r.status))
r = staff.post_json(f"/api/v1/tasks/{tid3}/scheme", {"version": scheme_version(db, tid3), "purpose": "x", "scope": {"kinds": ["insured"]}})
s.check("... through the API too", r.status == 422 and "scope" in r.json()["error"].get("fields", {}), f"{r.status} {r.text[:300]}")
s.check("... the plan's filter unchanged", json.loads(sql(db, "SELECT scope_json FROM task WHERE id = ?", (tid3,))[0][0]).get("kinds") == ["institution"])
s.done()
