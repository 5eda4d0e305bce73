"""The annual plan (年度抽查工作计划) through test-http: the whole path from an empty plan with the seed's
example row to the public portal (create, name rule, unique numbers, month ranges, submit, a staff user cannot
approve, return with an opinion, resubmit, approve, publish), versioning of a published plan with differences,
import of the seed's 附件2 table as is, export, the JSON API with its error envelope, ad-hoc tasks with their
approval, org scope, empty POST bodies on every plan route, and the audit rows."""
import os
import re
import subprocess
import sys
import tempfile
from webtest import SPOTCHECK, PASSWORD, Client, Suite, small_db, ids

s = Suite()
HERE = os.path.dirname(os.path.abspath(__file__))
SEED_CSV = os.path.join(HERE, "..", "data", "plan", "seed_000_plan.csv")
SEED_ITEMS = ("对用人单位和个人遵守医疗保障法律、法规情况进行监督检查；对定点医药机构基金使用情况飞检；"
              "对定点医疗机构日常监督；对公立医疗机构药品和高值医用耗材集中采购行为合规性的监督检查")


def city_db():
    """small_db plus the 邢台市 depts and items of the seed, and a 分管领导 of 邢台市."""
    db = small_db()
    d = os.path.dirname(db)
    files = {
        "depts": "科室编码,科室名称,所属机构,类型\nXT1,基金管理科,130500,本局科室\nXT2,医疗保险基金监管科,130500,本局科室\n",
        "items": "事项编码,抽查事项名称,抽查依据,抽查主体,所属机构,抽查对象,抽查内容,抽查方式,事项类别\n"
                 "X1,对公立医疗机构药品和高值医用耗材集中采购行为合规性的监督检查,《国办发〔2021〕2号》,XT1,130500,定点医疗机构,集中采购,书面检查,一般\n"
                 "X2,对定点医药机构基金使用情况的飞行检查,《医疗保障基金飞行检查管理暂行办法》,XT2,130500,定点医疗机构,基金使用,实地检查,重点\n",
    }
    for kind, text in files.items():
        path = os.path.join(d, kind + "-city.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        subprocess.run([SPOTCHECK, "import", kind, path, "--db", db], check=True, capture_output=True)
    subprocess.run([SPOTCHECK, "user", "add", "cityleader", "--role", "leader", "--org", "130500", "--password-stdin", "--db", db],
                   input=(PASSWORD + "\n").encode(), check=True, capture_output=True)
    return db


def vid_of(r):
    m = re.match(r"/plans/(\d+)", r.header("Location") or "")
    return int(m.group(1)) if m else None


def status_of(db, vid):
    return ids(db, f"SELECT status FROM plan_version WHERE id = {int(vid)}")[0]


SEED_TASK = [("task_no", "001号"), ("name", "2025年邢台市医疗保障局定点医疗机构随机抽查工作方案"), ("kind", "定向"),
             ("ratio", "10%"), ("items", "X1"), ("items_text", SEED_ITEMS), ("scope_text", "市本级定点医疗机构"),
             ("scope_kinds", "institution"), ("region_prefix", "130500"), ("lead_dept", "基金管理科"),
             ("joint_depts", "医疗保险基金监管科"), ("period", "2025年3月至10月"), ("level", "市本级"), ("remark", "")]


def task_form(**changes):
    out = [(k, changes.get(k, v)) for k, v in SEED_TASK]
    return out


db = city_db()
staff, leader, city_staff, lc, anon, sup = Client(db), Client(db), Client(db), Client(db), Client(db), Client(db)
city_staff.login("city")
leader.login("cityleader")
lc.login("lincheng")
sup.login("supervisor")
county_leader = Client(db)
county_leader.login("leader")

# --- create, the name rule, unique numbers
r = city_staff.get("/plans")
s.check("plan list renders with the nav entry", r.status == 200 and "年度抽查计划" in r.text and 'href="/plans"' in r.text)
r = city_staff.form("/plans/new", {"year": "2025", "number": "2025001", "qualifier": "定点医疗机构"})
vid = vid_of(r)
s.check("staff creates the 2025 plan", r.status == 303 and vid, f"{r.status} {r.text[:300]}")
r = city_staff.get(f"/plans/{vid}")
s.check("name by the rule 年度+行政区划+部门+随机抽查+序号", "2025年邢台市医疗保障局定点医疗机构随机抽查001" in r.text, r.text[:500])
s.check("new plan is a draft, version 1", status_of(db, vid) == "草稿" and "第1版" in r.text)
r = city_staff.form("/plans/new", {"year": "2025", "number": "2025001"})
s.check("a plan number cannot be used twice", r.status == 422 and "计划编号已存在" in r.text)
r = city_staff.form("/plans/new", {"year": "2025", "number": "20 25/x"})
s.check("a malformed plan number is refused", r.status == 422 and "计划编号只能" in r.text)
r = city_staff.form("/plans/new", {"year": "2025"})
v2 = vid_of(r)
s.check("an empty number is numbered automatically and the serial counts up",
        r.status == 303 and ids(db, f"SELECT p.number || '|' || pv.name FROM plan_version pv JOIN plan p ON p.id = pv.plan_id WHERE pv.id = {v2}")[0]
        == "2025002|2025年邢台市医疗保障局随机抽查002")

# --- task rows: validation
r = city_staff.form(f"/plans/{vid}/task", task_form(period="2025年"))
s.check("a period without a month is refused", r.status == 422 and "必须填到月份" in r.text)
r = city_staff.form(f"/plans/{vid}/task", task_form(period="2025年10月至3月"))
s.check("a period ending before it starts is refused", r.status == 422 and "早于开始月份" in r.text)
r = city_staff.form(f"/plans/{vid}/task", task_form(period="2025年3月1日至10月31日"))
s.check("a period with days is refused", r.status == 422 and "只填到月份" in r.text)
r = city_staff.form(f"/plans/{vid}/task", task_form(period="2026年3月至5月"))
s.check("a period outside the plan's year is refused", r.status == 422 and "计划年度" in r.text)
r = city_staff.form(f"/plans/{vid}/task", task_form(ratio="百分之十"))
s.check("a ratio that is not a percentage is refused", r.status == 422 and "抽查比例应为百分数" in r.text)
r = city_staff.form(f"/plans/{vid}/task", task_form(kind="随便"))
s.check("an unknown 抽查类型 is refused", r.status == 422 and "抽查类型" in r.text)
r = city_staff.form(f"/plans/{vid}/task", task_form(items="I1", items_text=""))
s.check("an item of another county cannot be planned", r.status == 422 and "不在本机构可用的抽查事项清单中" in r.text)
s.check("a refused form keeps what was typed", "2025年邢台市医疗保障局定点医疗机构随机抽查工作方案" in r.text)

# --- the seed's example row
r = city_staff.form(f"/plans/{vid}/task", task_form())
s.check("the seed's example row is saved", r.status == 303, f"{r.status} {r.text[:400]}")
r = city_staff.get(f"/plans/{vid}")
for col in ["抽查计划编号", "抽查计划名称", "抽查任务编号", "抽查任务名称", "抽查类型", "抽查比例", "抽查事项", "抽查对象范围",
            "发起科室", "联合科室", "抽查时间", "实施检查层级", "备注"]:
    if col not in r.text:
        s.check(f"detail has column {col}", False)
s.check("detail shows the 附件2 columns in order",
        re.search("抽查计划编号</th><th>抽查计划名称</th><th>抽查任务编号</th><th>抽查任务名称</th><th>抽查类型</th><th>抽查比例</th>"
                  "<th>抽查事项</th><th>抽查对象范围</th><th>发起科室</th><th>联合科室</th><th>抽查时间</th><th>实施检查层级</th><th>备注", r.text))
s.check("row shows 定向抽查, 10%, the month range and the level",
        all(x in r.text for x in ["定向抽查", "10%", "2025年3月至10月", "市本级定点医疗机构", "基金管理科", "医疗保险基金监管科"]))
s.check("matched items by name, unmatched texts flagged", "对公立医疗机构药品和高值医用耗材集中采购行为合规性的监督检查" in r.text
        and r.text.count("未匹配事项清单") == 3 and "对定点医药机构基金使用情况飞检" in r.text)
s.check("scope filter shown in words", "行政区划130500内的定点医疗机构" in r.text)
row = ids(db, f"SELECT month_from || '..' || month_to || '|' || item_codes || '|' || kind FROM plan_task WHERE version_id = {vid}")
s.check("stored: 2025-03..2025-10, item code X1, 定向", row == ["2025-03..2025-10|X1|定向"], str(row))
r = city_staff.form(f"/plans/{vid}/task", task_form())
s.check("task numbers are unique within a plan", r.status == 422 and "相同的抽查任务编号" in r.text)

# --- submit, a staff user cannot approve, return with opinion, resubmit, approve, publish
r = city_staff.form(f"/plans/{v2}/submit", {})
s.check("a plan without task rows cannot be submitted", r.status == 409 and "还没有抽查任务" in r.text)
r = city_staff.form(f"/plans/{vid}/submit", {})
s.check("staff submits for approval", r.status == 303 and status_of(db, vid) == "待审批")
r = city_staff.form(f"/plans/{vid}/approve", {})
s.check("a staff user cannot approve", r.status == 403 and status_of(db, vid) == "待审批")
r = city_staff.form(f"/plans/{vid}/task", task_form(task_no="002号"))
s.check("a plan awaiting approval cannot be edited", r.status == 409)
r = county_leader.form(f"/plans/{vid}/approve", {})
s.check("a leader of another org cannot see the plan", r.status == 404 and status_of(db, vid) == "待审批")
r = leader.form(f"/plans/{vid}/return", {"opinion": ""})
s.check("return needs an opinion", r.status == 422 and "请填写审批意见" in r.text and status_of(db, vid) == "待审批")
r = leader.form(f"/plans/{vid}/return", {"opinion": "请补充联合科室的分工"})
s.check("the leader returns the plan with an opinion", r.status == 303 and status_of(db, vid) == "草稿")
r = city_staff.get(f"/plans/{vid}")
s.check("the returned draft shows the opinion", "分管领导已退回：请补充联合科室的分工" in r.text)
r = city_staff.form(f"/plans/{vid}/publish", {})
s.check("a draft cannot be published", r.status == 409 and status_of(db, vid) == "草稿")
r = city_staff.form(f"/plans/{vid}/submit", {})
s.check("staff resubmits", r.status == 303 and status_of(db, vid) == "待审批")
r = leader.get(f"/plans/{vid}")
s.check("the leader sees approve and return buttons", 'id="btn-approve"' in r.text and 'id="btn-return"' in r.text)
r = leader.form(f"/plans/{vid}/approve", {"opinion": "同意"})
s.check("the leader approves", r.status == 303 and status_of(db, vid) == "已批准")
r = leader.form(f"/plans/{vid}/publish", {})
s.check("a leader cannot publish (检查科室 publishes)", r.status == 403)
r = anon.get("/public/plans")
s.check("approved but unpublished plan is not public", r.status == 200 and "2025001" not in r.text)
r = anon.get(f"/public/plans/{vid}")
s.check("an unpublished version answers 404 on the portal", r.status == 404)
r = city_staff.form(f"/plans/{vid}/publish", {})
s.check("staff publishes the approved plan", r.status == 303 and status_of(db, vid) == "已公开")
r = anon.get("/public/")
s.check("the portal's front page links to the plans", 'href="/public/plans"' in r.text)
r = anon.get("/public/plans")
s.check("the public portal lists the published plan", r.status == 200 and "2025年邢台市医疗保障局定点医疗机构随机抽查001" in r.text and "现行" in r.text)
r = anon.get(f"/public/plans/{vid}")
s.check("the public plan page shows its task row", r.status == 200 and "2025年3月至10月" in r.text and "定向抽查" in r.text and "市本级定点医疗机构" in r.text)
s.check("no user names on the public page", "cityleader" not in r.text and "city " not in r.text and ">city<" not in r.text)

# --- versions: a change to a published plan is a new version
r = city_staff.form(f"/plans/{vid}/task", task_form(ratio="3%"))
s.check("a published version cannot be edited", r.status == 409)
r = city_staff.form(f"/plans/{vid}/revise", {"reason": ""})
s.check("a new version needs a reason", r.status == 422 and "调整原因" in r.text)
r = city_staff.form(f"/plans/{vid}/revise", {"reason": "根据省局通知调整抽查比例"})
nv = vid_of(r)
s.check("revise creates version 2 as a draft", r.status == 303 and nv and nv != vid and status_of(db, nv) == "草稿"
        and ids(db, f"SELECT version FROM plan_version WHERE id = {nv}") == [2])
s.check("version 1 stays published", status_of(db, vid) == "已公开")
r = city_staff.form(f"/plans/{vid}/revise", {"reason": "again"})
s.check("only one open new version at a time", r.status == 409)
tid = ids(db, f"SELECT id FROM plan_task WHERE version_id = {nv}")[0]
rev = ids(db, f"SELECT rev FROM plan_version WHERE id = {nv}")[0]
r = city_staff.get(f"/plans/{nv}/task?task={tid}")
s.check("the kind select reads （请选择）, not （请选择）抽查", "（请选择）</option>" in r.text and "（请选择）抽查" not in r.text)
s.check("the row's edit form carries the version's rev", f'name="rev" value="{rev}"' in r.text, r.text[:200])
r = city_staff.form(f"/plans/{nv}/task", task_form(ratio="3%") + [("task", str(tid))])
s.check("an edit that names no rev is refused", r.status == 422 and "修订号" in r.text, str(r.status))
r = city_staff.form(f"/plans/{nv}/task", task_form(ratio="3%") + [("task", str(tid)), ("rev", str(rev))])
s.check("the draft version's task is edited", r.status == 303)
r = city_staff.form(f"/plans/{nv}/task", task_form(ratio="4%") + [("task", str(tid)), ("rev", str(rev))])
s.check("a second edit on the same (now old) rev is refused: no lost update", r.status == 409 and "已被他人修改" in r.text, str(r.status))
s.check("... the first edit stands", ids(db, f"SELECT ratio FROM plan_task WHERE id = {tid}") == ["3%"])
box = r.text[r.text.find('id="plan-stale"'):][:5000]
s.check("... the row form again: the saved row beside the typed one, the differing field marked",
        'id="plan-stale"' in r.text and f"您编辑的是第 {rev} 次修订，当前为第 {rev + 1} 次修订" in r.text
        and re.search(r'<tr class="stale-diff"><th scope="row">抽查比例</th><td data-label="他人已保存">3%</td><td data-label="您填写的">4%</td>', box)
        and re.search(r'<tr><th scope="row">抽查时间</th><td data-label="他人已保存">2025年3月至10月</td><td data-label="您填写的">2025年3月至10月</td>', box),
        box[:1500])
s.check("... the typed value kept in the form, which carries the current rev",
        'id="f-ratio" name="ratio" value="4%"' in r.text.replace('name="ratio" id="f-ratio"', 'id="f-ratio" name="ratio"')
        and f'name="rev" value="{rev + 1}"' in r.text, r.text[r.text.find("f-ratio") - 100:][:300])
r = city_staff.form(f"/plans/{nv}/task", task_form(ratio="4%") + [("task", str(tid)), ("rev", str(rev + 1))])
s.check("... saved again on the current rev, it stands", r.status == 303 and ids(db, f"SELECT ratio FROM plan_task WHERE id = {tid}") == ["4%"])
r = city_staff.form(f"/plans/{nv}/task", task_form(ratio="3%") + [("task", str(tid)), ("rev", str(rev + 2))])
s.check("... and back to 3%", r.status == 303 and ids(db, f"SELECT ratio FROM plan_task WHERE id = {tid}") == ["3%"])
cur = ids(db, f"SELECT rev FROM plan_version WHERE id = {nv}")[0]
r = city_staff.form(f"/plans/{nv}/edit", {"rev": str(cur - 1), "qualifier": "旧修订上的限定语", "unit": "邢台市医疗保障局", "made_on": "2025-03-01"})
s.check("a stale plan header form: 409, the typed text kept beside the saved one, on the current rev",
        r.status == 409 and 'id="plan-stale"' in r.text and "旧修订上的限定语" in r.text
        and re.search(r'<tr class="stale-diff"><th scope="row">名称限定语</th>', r.text) and f'name="rev" value="{cur}"' in r.text
        and ids(db, f"SELECT rev FROM plan_version WHERE id = {nv}") == [cur], r.text[:400])
r = city_staff.get(f"/plans/{nv}")
s.check("differences to version 1 are listed", "与第1版相比" in r.text and "抽查比例" in r.text and "10% → 3%" in r.text)
s.check("the version list shows both versions", "第1版" in r.text and "第2版" in r.text)
r = anon.get("/public/plans")
s.check("while version 2 is a draft, version 1 is in force on the portal", "第1版" in r.text and "第2版" not in r.text)
city_staff.form(f"/plans/{nv}/submit", {})
leader.form(f"/plans/{nv}/approve", {})
r = city_staff.form(f"/plans/{nv}/publish", {})
s.check("version 2 is published", r.status == 303 and status_of(db, nv) == "已公开")
r = anon.get("/public/plans")
s.check("the portal lists both versions, version 1 marked superseded", "第1版" in r.text and "第2版" in r.text and "已被新版本替代" in r.text)
r = anon.get(f"/public/plans/{vid}")
s.check("the old version stays visible with a notice", r.status == 200 and "已被新版本替代" in r.text and "现行为第2版" in r.text)

# --- export and API
r = city_staff.get(f"/plans/{nv}/export?format=csv")
s.check("export as CSV in the 附件2 layout", r.status == 200 and "抽查计划编号,抽查计划名称,抽查任务编号" in r.text and "单位（盖章）：" in r.text
        and "2025年3月至10月" in r.text and "3%" in r.text)
r = city_staff.get(f"/plans/{nv}/export?format=xlsx")
s.check("export as XLSX", r.status == 200 and r.body[:2] == b"PK")
r = sup.get("/api/v1/plans?year=2025")
s.check("supervisor reads the plan list through the API", r.status == 200 and isinstance(r.json()["plans"], list))
s.check("API list is scoped to the user's org (宁晋县 does not see 邢台市's plans)", all(p["org_code"] != "130500" for p in r.json()["plans"]))
r = city_staff.get("/api/v1/plans?year=2025")
s.check("API list shows the org's plans, latest version each", r.status == 200 and
        [(p["number"], p["version"], p["in_force_version"]) for p in r.json()["plans"] if p["number"] == "2025001"] == [("2025001", 2, 2)])
r = city_staff.get(f"/api/v1/plans/{nv}")
j = r.json() if r.status == 200 else {}
s.check("API get has versions and the diff", r.status == 200 and len(j.get("versions", [])) == 2 and j.get("diff_from_previous", {}).get("changed"))
r = leader.post_json("/api/v1/plans", {"year": 2025})
s.check("API create as leader is forbidden with the envelope", r.status == 403 and r.json()["error"]["code"] == "forbidden")
r = city_staff.post_json("/api/v1/plans", {"year": 2025, "number": "2025009", "tasks": [{"task_no": "1", "name": "x", "kind": "不定向抽查",
                                                                                          "ratio": "10 percent", "items": ["X1"], "scope": {"kinds": ["institution"]},
                                                                                          "lead_dept": "基金管理科", "period": "2025-03..2025-05"}]})
s.check("API create with a bad task row answers 422 with field errors", r.status == 422 and "tasks[0].ratio" in r.json()["error"]["fields"])
s.check("and writes nothing", ids(db, "SELECT count(*) FROM plan WHERE number = '2025009'") == [0])
r = city_staff.post_json("/api/v1/plans", {"year": 2025, "number": "2025009", "tasks": [{"task_no": "1", "name": "x", "kind": "不定向抽查",
                                                                                          "ratio": "0.5%", "items": ["X2"], "scope": {"kinds": ["institution"], "grades": ["C", "D"]},
                                                                                          "lead_dept": "基金管理科", "period": "2025-03..2025-05"}]})
api_vid = r.json().get("id") if r.status == 201 else None
s.check("API create with a task row", r.status == 201 and r.json()["tasks"][0]["ratio"] == "0.5%" and r.json()["tasks"][0]["period"] == "2025年3月至5月"
        and "信用风险等级C、D" in r.json()["tasks"][0]["scope_words"], r.text[:300])
r = city_staff.do("POST", f"/api/v1/plans/{api_vid}/submit")
s.check("API submit with an empty body", r.status == 200 and r.json()["status"] == "待审批", r.text[:200])
r = leader.post_json(f"/api/v1/plans/{api_vid}/return", {})
s.check("API return without opinion answers 422", r.status == 422 and r.json()["error"]["code"] == "invalid")
r = leader.post_json(f"/api/v1/plans/{api_vid}/approve", {"opinion": "同意"})
s.check("API approve", r.status == 200 and r.json()["status"] == "已批准")
r = leader.post_json(f"/api/v1/plans/{api_vid}/approve", {})
s.check("API approving twice is a conflict", r.status == 409 and r.json()["error"]["code"] == "conflict")
r = city_staff.post_json(f"/api/v1/plans/{api_vid}/publish", {})
s.check("API publish", r.status == 200 and r.json()["status"] == "已公开" and r.json()["in_force"] is True)
r = city_staff.post_json(f"/api/v1/plans/{api_vid}/revise", {"reason": "增加任务"})
s.check("API revise", r.status == 201 and r.json()["version"] == 2 and r.json()["status"] == "草稿")
r = city_staff.post_json(f"/api/v1/plans/{r.json()['id']}/tasks", {"task_no": "2", "name": "y", "kind": "定向", "ratio": "3%", "items": "X1",
                                                                  "scope_text": "全市定点医疗机构", "lead_dept": "基金管理科", "period": "2025年6月"})
s.check("API adds a task row to the new version", r.status == 201 and r.json()["task_no"] == "2" and r.json()["period"] == "2025年6月")

# --- org scope
r = lc.get(f"/plans/{vid}")
s.check("another county's staff cannot see the plan", r.status == 404)
r = lc.form(f"/plans/{v2}/task", task_form())
s.check("another county's staff cannot add rows", r.status == 404)

# --- every plan POST route with an empty body on a real id: no crash, no 5xx
for path in ["/plans/new", f"/plans/{v2}/edit", f"/plans/{v2}/task", f"/plans/{v2}/task/remove", f"/plans/{v2}/submit",
             f"/plans/{v2}/publish", f"/plans/{v2}/revise", "/plans/adhoc", "/plans/import"]:
    r = city_staff.do("POST", path, b"", {"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": city_staff.csrf})
    s.check(f"empty POST {path} answers without a server error", r.status < 500, str(r.status))
for path in [f"/plans/{v2}/approve", f"/plans/{v2}/return", "/plans/adhoc/1/decide"]:
    r = leader.do("POST", path, b"", {"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": leader.csrf})
    s.check(f"empty POST {path} as leader answers without a server error", r.status < 500, str(r.status))
for path in [f"/api/v1/plans/{v2}/tasks", "/api/v1/plans", f"/api/v1/plans/{v2}/submit", f"/api/v1/plans/{v2}/revise"]:
    r = city_staff.do("POST", path, b"", {"Content-Type": "application/json"})
    s.check(f"empty API POST {path} answers without a server error", r.status < 500, str(r.status))

# --- ad-hoc tasks (临时任务)
r = city_staff.form("/plans/adhoc", {"name": "", "source": "投诉举报"})
s.check("ad-hoc request with missing fields is refused", r.status == 422 and "请说明临时开展检查的原因" in r.text)
r = city_staff.form("/plans/adhoc", [("name", "对某医院的投诉核查"), ("source", "投诉举报"), ("reason", "群众投诉串换项目"),
                                     ("items", "X2"), ("scope_text", "邢台市某医院"), ("period", "2025年6月")])
s.check("staff requests an ad-hoc task", r.status == 303)
aid = ids(db, "SELECT id FROM plan_adhoc ORDER BY id DESC LIMIT 1")[0]
s.check("ad-hoc task awaits approval and has an LS code", ids(db, f"SELECT status || code FROM plan_adhoc WHERE id = {aid}") == ["待审批LS2025001"])
r = city_staff.form(f"/plans/adhoc/{aid}/decide", {"decision": "approve"})
s.check("staff cannot approve an ad-hoc task", r.status == 403)
r = leader.form(f"/plans/adhoc/{aid}/decide", {"decision": "return"})
s.check("returning an ad-hoc task needs an opinion", r.status == 422)
r = leader.form(f"/plans/adhoc/{aid}/decide", {"decision": "approve", "opinion": "同意，尽快核查"})
s.check("the leader approves the ad-hoc task", r.status == 303 and ids(db, f"SELECT status FROM plan_adhoc WHERE id = {aid}") == ["已批准"])
r = leader.get("/plans/adhoc")
s.check("the ad-hoc list marks it 临时 and approved", "临时" in r.text and "已批准" in r.text and "对某医院的投诉核查" in r.text)

# --- import of the seed's table, as is
idb = city_db()
imp = Client(idb)
imp.login("city")
with open(SEED_CSV, "rb") as f:
    seed = f.read()
boundary = "----plan" + os.urandom(6).hex()
body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{imp.csrf}\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"year\"\r\n\r\n2025\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"seed.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode() + seed + \
       f"\r\n--{boundary}--\r\n".encode()
r = imp.do("POST", "/plans/import", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
s.check("the seed's 附件2 table imports", r.status == 200 and "已导入计划 2025001" in r.text, r.text[-1500:])
s.check("the import reports the unmatched items as warnings", r.text.count("未在事项清单中找到") == 3)
iv = ids(idb, "SELECT id FROM plan_version")[0]
got = ids(idb, "SELECT pv.name || '|' || pv.unit || '|' || pv.made_on FROM plan_version pv")
s.check("the plan keeps its name, unit and date as written",
        got == ["2025年邢台市医疗保障局定点医疗机构随机抽查工作方案001|邢台市医疗保障局|2024-12-31"], str(got))
got = ids(idb, "SELECT task_no || '|' || name || '|' || kind || '|' || ratio || '|' || item_codes || '|' || scope_text || '|' || lead_dept || '|' "
               "|| joint_depts || '|' || month_from || '|' || month_to || '|' || level FROM plan_task")
s.check("the example row imports as is", got == ["001号|2025年邢台市医疗保障局定点医疗机构随机抽查工作方案|定向|10%|X1|市本级定点医疗机构|基金管理科|"
                                                "医疗保险基金监管科|2025-03|2025-10|市本级"], str(got))
s.check("the three unmatched 事项 texts are kept", ids(idb, "SELECT items_unmatched FROM plan_task") ==
        ["对用人单位和个人遵守医疗保障法律、法规情况进行监督检查；对定点医药机构基金使用情况飞检；对定点医疗机构日常监督"])
r = imp.get(f"/plans/{iv}")
s.check("the imported plan notes that its name differs from the rule", "命名规则" in r.text and "2025年邢台市医疗保障局随机抽查001" in r.text)
r = imp.do("POST", "/plans/import", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
s.check("importing the same plan number again is refused", r.status == 422 and "计划编号已存在" in r.text)
s.check("and nothing more is written", ids(idb, "SELECT count(*) FROM plan") == [1])
# round trip: the XLSX export imports into a fresh database with the same rows
x = imp.get(f"/plans/{iv}/export?format=xlsx")
xdb = city_db()
xc = Client(xdb)
xc.login("city")
body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{xc.csrf}\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"year\"\r\n\r\n2025\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"plan.xlsx\"\r\n"
        f"Content-Type: application/octet-stream\r\n\r\n").encode() + x.body + f"\r\n--{boundary}--\r\n".encode()
r = xc.do("POST", "/plans/import", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
s.check("the XLSX export imports again", r.status == 200 and "已导入计划 2025001" in r.text, r.text[-800:])
q = "SELECT task_no || kind || ratio || item_codes || items_unmatched || scope_text || lead_dept || joint_depts || month_from || month_to || level FROM plan_task"
s.check("with the same task row", ids(xdb, q) == ids(idb, q), str(ids(xdb, q)))

# --- 抽查频次 (002 二(二)1): an extra column after 备注, read when present, written when a row has one
s.check("the seed's export has the 13 columns only (no row states a 频次)",
        "抽查频次" not in x.body.decode("latin-1", "ignore") and "抽查频次" not in imp.get(f"/plans/{iv}/export?format=csv").text)
lines = seed.decode("utf-8").split("\r\n")
lines = [l + ",抽查频次" if l.startswith("抽查计划编号,") else l + ",每半年1次" if l.startswith("2025001,") else l for l in lines]
fdb = city_db()
fc = Client(fdb)
fc.login("city")
fbody = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{fc.csrf}\r\n"
         f"--{boundary}\r\nContent-Disposition: form-data; name=\"year\"\r\n\r\n2025\r\n"
         f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"freq.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode() + \
    "\r\n".join(lines).encode() + f"\r\n--{boundary}--\r\n".encode()
r = fc.do("POST", "/plans/import", fbody, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
s.check("a 附件2 file with a 抽查频次 column imports", r.status == 200 and "已导入计划 2025001" in r.text, r.text[-800:])
s.check("... and keeps the 频次", ids(fdb, "SELECT frequency FROM plan_task") == ["每半年1次"], str(ids(fdb, "SELECT frequency FROM plan_task")))
fv = ids(fdb, "SELECT id FROM plan_version")[0]
r = fc.get(f"/plans/{fv}")
s.check("the plan table shows it in its own column", "<th>备注</th><th>抽查频次</th>" in r.text and 'data-col="frequency">每半年1次<' in r.text)
r = fc.get(f"/plans/{fv}/export?format=csv")
head = [l for l in r.text.splitlines() if l.startswith("抽查计划编号")]
s.check("the export writes it as the 14th column", head and head[0].endswith(",备注,抽查频次") and ",每半年1次" in r.text, str(head))
vrev = ids(fdb, f"SELECT rev FROM plan_version WHERE id = {fv}")[0]
tid_f = ids(fdb, "SELECT id FROM plan_task")[0]
r = fc.get(f"/plans/{fv}/task?task={tid_f}")
s.check("the task form shows the 频次", r.status == 200 and 'name="frequency" value="每半年1次"' in r.text, str(r.status))
form = [(k, v) for k, v in SEED_TASK if k != "task_no"] + [("task_no", "002号"), ("frequency", "每" * 51), ("rev", str(vrev))]
r = fc.form(f"/plans/{fv}/task", form)
s.check("a 频次 over 50 characters is refused beside the field", r.status == 422 and "抽查频次不超过 50 个字" in r.text, str(r.status))

# --- the audit log
actions = ids(db, "SELECT action FROM audit_log WHERE action LIKE 'plan.%'")
for a in ["plan.create", "plan.task.create", "plan.task.update", "plan.submit", "plan.return", "plan.approve", "plan.publish", "plan.revise",
          "plan.adhoc.create", "plan.adhoc.approve"]:
    s.check(f"audit log has {a}", a in actions)
p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True, text=True)
s.check("the audit chain verifies", p.returncode == 0, p.stdout + p.stderr)
s.done()
