"""Jurisdiction (scope.h) as a matrix: every route that takes an id, web and API, read and write, called
with the ids of 宁晋县 (130528)'s plan, task, records, follow-up, transfer and directory rows by
  - 临城县 (130522), a sibling county: 404 everywhere, as if nothing existed;
  - 邢台市 (130500), the upper level: reads answer (it oversees), every change is 403 — except
    returning a plan with an opinion, which an upper level may do.
Plus: a city account cannot register a target of a county, nor import one; a county's draw cannot be
held from the city's command line."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from webtest import SPOTCHECK, PASSWORD, Client, Suite, sql, ids, pin_today
from fixture_drawn import drawn_db

pin_today("2026-06-15")
s = Suite()
f = drawn_db()
db, tid, code = f["db"], f["tid"], f["code"]
for name, role, org in (("cityleader", "leader", "130500"), ("citysup", "supervisor", "130500"), ("lcleader", "leader", "130522")):
    subprocess.run([SPOTCHECK, "user", "add", name, "--role", role, "--org", org, "--password-stdin", "--db", db],
                   input=(PASSWORD + "\n").encode(), check=True, capture_output=True)
staff = f["clients"]["staff"]
staff.get("/records")  # creates the records (一企一表)
org = ids(db, "SELECT id FROM org WHERE code = '130528'")[0]
rid = ids(db, f"SELECT id FROM record WHERE task_id = {tid} ORDER BY id")[0]
vid = ids(db, f"SELECT pv.id FROM plan_version pv JOIN plan p ON p.id = pv.plan_id WHERE p.org_id = {org}")[0]
target = f["targets"][0]
# a follow-up and a transfer of 宁晋 (rows as the follow-up pages write them; their pages are tested in test_followup)
sql(db, "INSERT INTO followup(record_id, org_id, option, opened_on, created_at, updated_at) VALUES (?, ?, 'rectify', '2026-06-10', "
        "'2026-06-10 09:00:00', '2026-06-10 09:00:00')", (rid, org))
fid = ids(db, "SELECT max(id) FROM followup")[0]
sql(db, "INSERT INTO transfer(followup_id, org_id, kind, receiver, sent_on, created_at, updated_at) VALUES (?, ?, '移送', '公安局', "
        "'2026-06-11', '2026-06-11 09:00:00', '2026-06-11 09:00:00')", (fid, org))
xid = ids(db, "SELECT max(id) FROM transfer")[0]
kind_ids = {"targets": ids(db, f"SELECT id FROM target WHERE org_id = {org} ORDER BY id")[0],
            "officers": ids(db, "SELECT id FROM officer WHERE cert_no = 'YB001'")[0],
            "experts": ids(db, "SELECT id FROM expert WHERE code = 'EX1'")[0],
            "items": ids(db, "SELECT id FROM item WHERE code = 'I1'")[0],
            "depts": ids(db, "SELECT id FROM dept WHERE code = 'D1'")[0]}
target_row = kind_ids["targets"]

routes, roles = [], {}
for line in subprocess.run([SPOTCHECK, "routes"], capture_output=True, check=True, text=True).stdout.splitlines():
    x = line.split("\t")
    if x[0] == "route":
        routes.append({"method": x[1], "pattern": x[2], "perm": x[3]})
    elif x[0] == "role":
        roles[x[1]] = set(x[2:])

ID_BY_PREFIX = [("/plans/adhoc/", None), ("/plans/", vid), ("/api/v1/plans/", vid), ("/tasks/", tid), ("/api/v1/tasks/", tid),
                ("/joint/", tid), ("/api/v1/joint/", tid), ("/my/notice/", tid), ("/my/records/", rid), ("/api/v1/my/records/", rid),
                ("/records/", rid), ("/api/v1/records/", rid), ("/review/", rid), ("/api/v1/review/", rid), ("/results/", rid),
                ("/api/v1/results/", rid), ("/followups/", fid), ("/api/v1/followups/", fid), ("/transfers/", xid),
                ("/credit/", target_row), ("/api/v1/credit/", target_row)]


def paths(pattern):
    """Concrete paths of a pattern with 宁晋's ids: [(path, note)]; [] when it takes no id of ours."""
    if ":" not in pattern or pattern.startswith("/public/"):
        return []
    if ":kind" in pattern and ":id" in pattern and (pattern.startswith("/d/") or pattern.startswith("/api/v1/:kind")):
        return [(pattern.replace(":kind", k).replace(":id", str(i)), k) for k, i in kind_ids.items()]
    if ":id" not in pattern:
        return []
    rid_ = next((v for p, v in ID_BY_PREFIX if pattern.startswith(p)), None)
    if rid_ is None:
        return []
    p = pattern.replace(":id", str(rid_)).replace(":target", target).replace(":sid", "1").replace(":fid", "1").replace(":tid", "1")
    p = p.replace(":kind", "record")
    return [(p, "")]


clients = {}
for name in ("lincheng", "lcleader", "city", "cityleader", "citysup"):
    c = Client(db)
    s.check(f"login {name}", c.login(name).status == 303)
    clients[name] = c
role_of = {"lincheng": "staff", "lcleader": "leader", "city": "staff", "cityleader": "leader", "citysup": "supervisor"}
upper = {"city", "cityleader", "citysup"}
oversee = re.compile(r"/plans/:id/return$")

n = {"sibling": 0, "upper_read": 0, "upper_write": 0}
writes_last = sorted(routes, key=lambda rt: (rt["method"] != "GET", bool(oversee.search(rt["pattern"]))))
for who, c in clients.items():
    for rt in writes_last:
        if rt["perm"] not in roles[role_of[who]] and rt["perm"] not in ("login", "kind.write"):
            continue
        for path, k in paths(rt["pattern"]):
            body, headers = b"{}", {"Content-Type": "application/json"}
            if not rt["pattern"].startswith("/api/"):
                body, headers = b"x=1", {"Content-Type": "application/x-www-form-urlencoded"}
            r = c.do(rt["method"], path, body if rt["method"] != "GET" else b"", headers if rt["method"] != "GET" else {})
            name = f"{who} {rt['method']} {path}"
            if r.status == 403 and "角色无权" in r.text:
                continue  # the role's own limit (test_matrix): not what this test is about
            if who not in upper:
                n["sibling"] += 1
                s.check(name + " → 404 (another county's)", r.status == 404, f"{r.status} {r.text[:160]}")
            elif rt["method"] == "GET":
                n["upper_read"] += 1
                ok = r.status not in (403, 404) or (r.status == 404 and (":fid" in rt["pattern"] or ":sid" in rt["pattern"]
                                                                          or rt["pattern"].startswith("/my/")))
                s.check(name + " → read (the upper level oversees)", ok, f"{r.status} {r.text[:160]}")
            elif oversee.search(rt["pattern"]):
                s.check(name + " → an upper level may return a plan with an opinion", r.status != 403 and r.status != 404,
                        f"{r.status} {r.text[:160]}")
            else:
                n["upper_write"] += 1
                s.check(name + " → 403 (a lower level's data)", r.status == 403, f"{r.status} {r.text[:160]}")
s.check("the matrix reached every kind of case", n["sibling"] >= 40 and n["upper_read"] >= 20 and n["upper_write"] >= 30, str(n))
print(f"# cases: {n}")

# key reads by the city answer 200 with the county's data
for path in (f"/tasks/{tid}", f"/plans/{vid}", f"/records/{rid}", f"/api/v1/tasks/{tid}", f"/d/targets/{target_row}"):
    r = clients["city"].get(path)
    s.check(f"the city reads {path}", r.status == 200, f"{r.status}")
# the city cannot register a county's target, nor import one
r = clients["city"].form("/d/targets/new", {"kind": "定点医疗机构", "name": "市里代建", "uscc": "", "mi_code": "H13052800077",
                                            "org_id": "130528", "region": "130528", "grade": "B"})
s.check("the city cannot register a target of 宁晋", r.status == 422 and "本机构" in r.text and
        ids(db, "SELECT count(*) FROM target WHERE name = '市里代建'") == [0], f"{r.status}")
r = clients["lincheng"].get(f"/d/targets?q={target}")
s.check("临城 does not find 宁晋's drawn target", r.status == 200 and f"/d/targets/{target_row}\"" not in r.text)
# nor take a county's row over by an import naming it under the city
imp = os.path.join(os.path.dirname(db), "takeover.csv")
with open(imp, "w", encoding="utf-8") as fh:
    fh.write("对象类型,名称,统一社会信用代码,医保编码,身份证号,所属机构,行政区划,信用风险等级\n"
             "定点医疗机构,市里改了县医院,12110000400686291H,H13052800001,,130500,130528,B\n")
body = open(imp, "rb").read()
boundary = "----scopeImport1"
mp = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{clients['city'].csrf}\r\n"
      f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode() + body + \
     f"\r\n--{boundary}--\r\n".encode()
r = clients["city"].do("POST", "/d/targets/import", mp, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
s.check("the city's import cannot rename and move 宁晋's hospital", "无法登记或修改" in r.text and "市里改了县医院" not in str(ids(db, "SELECT name FROM target")) and
        ids(db, "SELECT o.code FROM target t JOIN org o ON o.id = t.org_id WHERE t.code = 'H13052800001'") == ["130528"],
        f"{r.status} {r.text[-300:]}")
# the command line holds a county's draw only by that county's account
p = subprocess.run([SPOTCHECK, "draw", "conflict", "--task", code, "--officer", "YB001", "--target", target, "--reason", "x",
                    "--by", "city", "--db", db], capture_output=True, text=True)
s.check("the city's account cannot act on 宁晋's draw from the CLI", p.returncode == 1 and "下级机构" in p.stderr, p.stderr)
p = subprocess.run([SPOTCHECK, "draw", "conflict", "--task", code, "--officer", "YB001", "--target", target, "--reason", "x",
                    "--by", "lincheng", "--db", db], capture_output=True, text=True)
s.check("... nor 临城's", p.returncode == 1 and "管辖范围" in p.stderr, p.stderr)
s.done()
