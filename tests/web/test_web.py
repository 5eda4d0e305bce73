"""Route tests through test-http: login and sessions, CSRF, expiry, throttling, org scope,
escaping of hostile text, forms with field errors, versions, import report, API envelope,
public portal without personal data, security headers."""
import json
import os
import re
import subprocess
import time
from webtest import SPOTCHECK, Client, Suite, small_db, ids, request, no_raw_script, multipart, version_of

s = Suite()
db = small_db()

# --- login, session cookie, headers
anon = Client(db)
r = anon.get("/")
s.check("home redirects to login when anonymous", r.status == 303 and r.header("Location").startswith("/login?next="))
r = anon.get("/login")
s.check("login page renders", r.status == 200 and "登录" in r.text and 'name="csrf"' in r.text)
s.check("CSP header on pages", "default-src 'self'" in (r.header("Content-Security-Policy") or ""))
s.check("nosniff and frame headers", r.header("X-Content-Type-Options") == "nosniff" and r.header("X-Frame-Options") == "DENY")
s.check("login sets a pre-login cookie for the form token", "sc_pre" in r.cookies())

staff = Client(db)
bad = staff.login("staff", "wrong password")
s.check("wrong password rejected", bad.status == 401 and "用户名或密码错误" in bad.text)
r = staff.login("staff")
s.check("login succeeds", r.status == 303 and staff.cookies.get("sc_session"))
cookie = next(v for k, v in r.headers if k.lower() == "set-cookie" and v.startswith("sc_session="))
s.check("session cookie is HttpOnly and SameSite=Strict", "HttpOnly" in cookie and "SameSite=Strict" in cookie)
first_session = staff.cookies["sc_session"]
again = Client(db)
again.cookies["sc_session"] = first_session
again.login("staff")
s.check("session token rotated at login", again.cookies["sc_session"] != first_session)
s.check("the token replaced at login no longer works", request(db, "GET", "/", headers={"Cookie": "sc_session=" + first_session}).status == 303)
s.check("database keeps only a hash of the token",
        not ids(db, f"SELECT count(*) FROM session WHERE token_hash = '{again.cookies['sc_session']}'")[0])

staff.login("staff")  # the rotation above ended this client's session
r = staff.get("/")
s.check("home shows the org and counts", r.status == 200 and "宁晋县医疗保障局" in r.text)

# --- CSRF
r = staff.form("/d/targets/new", {"name": "x"}, csrf=False)
s.check("form post without CSRF token is refused", r.status == 403 and "校验失败" in r.text)
r = staff.do("POST", "/api/v1/targets", '{"name":"x"}', {"Content-Type": "application/json", "X-CSRF-Token": "0" * 64})
s.check("API post with a wrong CSRF token is refused with the JSON envelope", r.status == 403 and r.json()["error"]["code"] == "csrf")
r = staff.do("POST", "/d/targets/new", "csrf=" + staff.csrf, {"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example"}, csrf=False)
s.check("cross-origin post refused even with the token", r.status == 403)
r = request(db, "POST", "/login", "username=staff&password=spotcheck-demo&csrf=" + "b" * 64,
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": "sc_pre=" + "c" * 64})
s.check("login form token must match its cookie", r.status == 403)

# --- throttling
t = Client(db)
for i in range(5):
    t.login("leader", "bad password %d" % i)
r = t.login("leader")
s.check("login throttled after 5 failures, even with the right password", r.status == 429 and "过多" in r.text)

# --- session expiry
# 5 s: the session's last use is stamped before the password hash, and each request here is a
# process of its own (a sanitizer build under load starts slowly), so 1 s could pass before the check
exp = Client(db, env={"SPOTCHECK_SESSION_IDLE": "5"})
exp.login("staff")
s.check("fresh session works", exp.get("/").status == 200)
time.sleep(6.2)
r = exp.get("/")
s.check("idle session expires", r.status == 303 and "/login" in r.header("Location"))
staff.login("staff")  # the 5-second idle setting above also cleaned up this client's session

# --- lists, filters, scope
r = staff.get("/d/targets")
s.check("target list shows own county's targets", r.status == 200 and "宁晋县人民医院" in r.text)
s.check("target list hides the neighbouring county", "临城县某诊所" not in r.text)
s.check("ID numbers never shown in lists", "11010519491231002X" not in r.text)
r = staff.get("/d/targets?kind=employer")
s.check("kind filter", "宁晋某公司" in r.text and "宁晋县人民医院" not in r.text)
r = staff.get("/d/targets?q=" + "人民医院".encode().hex() if False else "/d/targets?q=%E4%BA%BA%E6%B0%91")
s.check("search by name", "宁晋县人民医院" in r.text and "宁晋某公司" not in r.text)
lc = Client(db)
lc.login("lincheng")
r = lc.get("/d/targets")
s.check("county user sees own targets only", "临城县某诊所" in r.text and "宁晋县人民医院" not in r.text)
tid = ids(db, "SELECT id FROM target WHERE code = 'H13052800001'")[0]
r = lc.get(f"/d/targets/{tid}")
s.check("county user cannot open a neighbour's target", r.status == 404)
r = lc.get(f"/api/v1/targets/{tid}")
s.check("nor through the API", r.status == 404 and r.json()["error"]["code"] == "not_found")
city = Client(db)
city.login("city")
r = city.get("/d/targets")
s.check("city bureau sees both counties", "临城县某诊所" in r.text and "宁晋县人民医院" in r.text)

# --- create with field errors, XSS escaped, versions
xss = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>'
r = staff.form("/d/targets/new", {"kind": "employer", "name": xss, "uscc": "91110000600037341N", "org_id": "130528", "region": "130528", "grade": "B"})
s.check("invalid code gives a field error, status 422", r.status == 422 and "校验码错误" in r.text and "has-error" in r.text)
s.check("form re-rendered with input escaped", no_raw_script(r.text) and "&lt;script&gt;" in r.text and "onerror=alert(2)>" not in r.text)
r = staff.form("/d/targets/new", {"kind": "employer", "name": xss, "uscc": "91310115MA1K3BTP2B", "org_id": "130528",
                                  "region": "130528", "grade": "B", "address": xss, "complaints": "2"})
s.check("create redirects to the detail page", r.status == 303 and "/d/targets/" in r.header("Location"))
new_id = int(re.search(r"/d/targets/(\d+)", r.header("Location")).group(1))
for path in ["/d/targets", f"/d/targets/{new_id}", f"/d/targets/{new_id}/edit", "/d/targets?q=%3Cscript"]:
    r = staff.get(path)
    s.check(f"hostile text escaped on {path}", r.status == 200 and no_raw_script(r.text) and "<img src=x" not in r.text)
r = staff.get(f"/api/v1/targets/{new_id}")
s.check("API returns the text as data", r.json()["values"]["name"] == xss)
r = staff.form(f"/d/targets/{new_id}/edit", {"version": version_of(db, "target", new_id), "kind": "employer", "name": "宁晋新名称有限公司", "uscc": "91310115MA1K3BTP2B", "org_id": "130528",
                                             "region": "130528", "grade": "D", "complaints": "3",
                                             "grade_reason": "投诉增多", "grade_basis": "宁医保评〔2025〕1号"})
s.check("edit saves (the grade change with its reason and basis)", r.status == 303)
r = staff.get(f"/d/targets/{new_id}")
s.check("detail shows the new value and the history", "宁晋新名称有限公司" in r.text and 'id="history"' in r.text and "信用风险等级" in r.text)
s.check("history rows kept in the database", ids(db, f"SELECT count(*) FROM entity_version WHERE entity='target' AND entity_id={new_id}")[0] == 1)
r = staff.form(f"/d/targets/{new_id}/status", {"status": "注销", "reason": ""})
s.check("status change without reason refused", r.status == 422 and "原因" in r.text)
r = staff.form(f"/d/targets/{new_id}/status", {"status": "注销", "reason": "企业已注销"})
s.check("status change with reason", r.status == 303 and ids(db, f"SELECT status FROM target WHERE id={new_id}")[0] == "注销")
r = staff.form("/d/targets/new", {"kind": "employer", "name": "重复", "uscc": "91310115MA1K3BTP2B", "org_id": "130528", "region": "130528"})
s.check("creating an existing code is refused", r.status == 422 and "已存在" in r.text)
r = lc.form("/d/targets/new", {"kind": "employer", "name": "越权", "uscc": "91620105L015101280", "org_id": "130528", "region": "130528"})
s.check("county user cannot create in another county", r.status == 422 and "管辖范围" in r.text)

# --- audit rows for every change
n = ids(db, "SELECT count(*) FROM audit_log WHERE actor = 'staff' AND entity = 'target'")[0]
s.check("audit log recorded create, update and status", n >= 3, str(n))
p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True, text=True)
s.check("audit chain verifies", p.returncode == 0, p.stdout + p.stderr)

# --- JSON API
r = staff.post_json("/api/v1/officers", {"cert_no": "YB009", "name": "接口新增", "org_id": "130528", "dept_id": "D1",
                                         "cert_valid_from": "2024-01-01", "cert_valid_to": "2027-12-31", "region": "130528", "may_lead": True})
s.check("API create returns 201 with the row", r.status == 201 and r.json()["values"]["cert_no"] == "YB009")
oid = r.json()["id"]
r = staff.post_json(f"/api/v1/officers/{oid}", {"version": int(version_of(db, "officer", oid)), "cert_valid_to": "2026-01-01"}, method="PUT")
s.check("API partial update keeps other fields", r.status == 200 and r.json()["values"]["name"] == "接口新增")
# optimistic lock: a save names the version it read; a stale one is 409 with the current version, nothing overwritten
v_now = int(version_of(db, "officer", oid))
r = staff.post_json(f"/api/v1/officers/{oid}", {"version": v_now, "cert_valid_to": "2026-02-01"}, method="PUT")
s.check("a colleague saves first", r.status == 200)
r = staff.post_json(f"/api/v1/officers/{oid}", {"version": v_now, "cert_valid_to": "2026-03-01"}, method="PUT")
s.check("the stale API save is 409 with the current version, nothing overwritten", r.status == 409
        and r.json()["error"]["version"] == v_now + 1 and ids(db, f"SELECT cert_valid_to FROM officer WHERE id = {oid}") == ["2026-02-01"],
        r.text[:300])
s.check("... with the current values to merge (personal data masked as GET masks it)", r.status == 409
        and r.json()["error"]["current"]["cert_valid_to"] == "2026-02-01" and r.json()["error"]["current"]["name"] == "接口新增"
        and r.json()["error"]["current"].get("phone") is None, r.text[:300])
r = staff.post_json(f"/api/v1/officers/{oid}", {"cert_valid_to": "2026-03-01"}, method="PUT")
s.check("an API save without the version is refused", r.status == 422 and "version" in r.json()["error"]["fields"])
r = staff.form(f"/d/officers/{oid}/edit", {"version": str(v_now), "cert_no": "YB009", "name": "表单改名", "org_id": "130528",
                                         "dept_id": "D1", "cert_valid_from": "2024-01-01", "cert_valid_to": "2027-12-31", "region": "130528"})
s.check("a stale form: 409, the typed text kept, the current version to save over it knowingly", r.status == 409
        and "已被他人修改" in r.text and "表单改名" in r.text and f'name="version" value="{v_now + 1}"' in r.text
        and ids(db, f"SELECT name FROM officer WHERE id = {oid}") == ["接口新增"], r.text[-400:])
s.check("... with the other person's saved text beside the typed one, the differing fields marked", 'id="dir-stale"' in r.text
        and re.search(r'<tr class="stale-diff"><th scope="row">[^<]*</th><td data-label="他人已保存">2026-02-01</td><td data-label="您填写的">2027-12-31</td>', r.text) is not None
        and re.search(r'<td data-label="他人已保存">接口新增</td><td data-label="您填写的">表单改名</td>', r.text) is not None
        and re.search(r'<tr><th scope="row">[^<]*</th><td data-label="他人已保存">D1</td><td data-label="您填写的">D1</td>', r.text) is not None,
        r.text[r.text.find("dir-stale"):][:1200])
r = staff.form(f"/d/officers/{oid}/edit", {"version": str(v_now + 1), "cert_no": "YB009", "name": "表单改名", "org_id": "130528",
                                         "dept_id": "D1", "cert_valid_from": "2024-01-01", "cert_valid_to": "2027-12-31", "region": "130528"})
s.check("... saved again on the version the page carried, the typed text stands", r.status == 303
        and ids(db, f"SELECT name FROM officer WHERE id = {oid}") == ["表单改名"], f"{r.status} {r.text[-300:]}")
r = staff.post_json("/api/v1/officers", {"cert_no": "YB010", "name": "缺字段"})
s.check("API validation errors in the envelope with fields", r.status == 422 and "dept_id" in r.json()["error"]["fields"])
r = staff.do("POST", "/api/v1/officers", "not json", {"Content-Type": "application/json"})
s.check("API bad JSON", r.status == 400 and r.json()["error"]["code"] == "bad_json")
r = staff.get("/api/v1/targets?kind=institution")
s.check("API list with filter", r.status == 200 and r.json()["total"] == 1)
r = staff.get("/api/v1/planets")
s.check("API unknown kind 404 envelope", r.status == 404 and "error" in r.json())
r = request(db, "GET", "/api/v1/targets")
s.check("API without session is 401 JSON", r.status == 401 and r.json()["error"]["code"] == "unauthenticated")

# --- import through the browser form (multipart)
def csv_upload(fields, filename, content):
    return multipart(fields, {"file": (filename, content, "text/csv")})

csv_bad = "对象类型,名称,统一社会信用代码,所属机构,行政区划\n用人单位,好公司,91620105L015101280,130528,130528\n用人单位,坏公司,91110000600037341N,130528,130528\n".encode("gb18030")
body, h = csv_upload({"csrf": staff.csrf}, "bad.csv", csv_bad)
r = staff.do("POST", "/d/targets/import", body, h, csrf=False)
s.check("import with a bad row shows the row report", r.status == 422 and "第3行 统一社会信用代码" in r.text and "未写入任何数据" in r.text)
s.check("nothing imported", ids(db, "SELECT count(*) FROM target WHERE uscc = '91620105L015101280'")[0] == 0)
body, h = csv_upload({"csrf": staff.csrf}, "fake.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
r = staff.do("POST", "/d/targets/import", body, h, csrf=False)
s.check("upload type checked by content", r.status == 415)
body, h = csv_upload({"csrf": staff.csrf}, "good.csv", csv_bad.replace("91110000600037341N".encode(), "91110000600037341L".encode()))
r = staff.do("POST", "/d/targets/import", body, h, csrf=False)
s.check("fixed file imports", r.status == 200 and "导入成功" in r.text)
body, h = csv_upload({}, "good.csv", b"x")
r = staff.do("POST", "/d/targets/import", body, h, csrf=False)
s.check("multipart upload without the CSRF field refused", r.status == 403)

# --- export
r = staff.get("/d/targets/export?format=csv")
s.check("CSV export is an attachment", r.status == 200 and "attachment" in (r.header("Content-Disposition") or "") and "宁晋县人民医院" in r.text)
s.check("export limited to the user's scope", "临城县某诊所" not in r.text)
r = staff.get("/d/targets/export?format=xlsx")
s.check("XLSX export is a zip", r.status == 200 and r.body[:4] == b"PK\x03\x04")

# --- public portal
r = request(db, "GET", "/public/items")
s.check("public item list without login", r.status == 200 and "对定点医药机构基金使用情况的监督检查" in r.text)
r2 = request(db, "GET", "/public/")
s.check("public index", r2.status == 200 and "宁晋县医疗保障局" in r2.text)
for page in (r, r2):
    s.check("no personal data on public pages", "张三丰" not in page.text and "11010519491231002X" not in page.text)
r = request(db, "GET", "/static/app.css")
s.check("static CSS served with ETag", r.status == 200 and r.header("ETag"))
r2 = request(db, "GET", "/static/app.css", headers={"If-None-Match": r.header("ETag")})
s.check("ETag revalidation gives 304", r2.status == 304)
s.check("unknown page 404", request(db, "GET", "/nope").status == 404)
s.check("path traversal on static refused", request(db, "GET", "/static/../sql/001_directories.sql").status == 404)

# --- audit page
sup = Client(db)
sup.login("supervisor")
r = sup.get("/audit?entity=target")
s.check("supervisor browses the audit log", r.status == 200 and "target.update" in r.text and "target.status" in r.text)
r = sup.get("/audit?actor=nobody")
s.check("audit filter by actor", r.status == 200 and "target.update" not in r.text)
r = sup.get("/audit?verify=1")
s.check("audit page verifies the chain on request", "哈希链完整" in r.text)
s.check("staff may not read the audit log", staff.get("/audit").status == 403)
r = sup.get("/audit?action=login&actor=staff")
s.check("logins are in the audit log", '登录 <span class="mono small muted">login</span>' in r.text and "<td>staff</td>" in r.text)

# --- hardening found in review
r = Client(db)
pre = "d" * 64
r.cookies["sc_pre"] = pre
resp = r.do("POST", "/login", "username=staff&password=spotcheck-demo&csrf=" + pre + "&next=/%09/evil.example/x",
            {"Content-Type": "application/x-www-form-urlencoded"}, csrf=False)
s.check("no open redirect through a tab in next=", resp.status == 303 and resp.header("Location") == "/")
from concurrent.futures import ThreadPoolExecutor
def guess(i):
    c = Client(db)
    return c.login("supervisor", "wrong guess %d" % i).status
with ThreadPoolExecutor(12) as ex:
    statuses = list(ex.map(guess, range(12)))
s.check("parallel guesses cannot pass the 5-failure limit", statuses.count(401) <= 5 and statuses.count(429) >= 7, str(statuses))
body = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nx\r\n--b--\r\n"
r = request(db, "POST", "/nope", body, {"Content-Type": "multipart/form-data; boundary=b"})
s.check("multipart body to a non-import path refused before reading", r.status == 404)
r = request(db, "POST", "/d/targets/import", body, {"Content-Type": "multipart/form-data; boundary=b"})
s.check("multipart body without a session refused before reading", r.status == 401)
r = request(db, "POST", "/d/targets/new", b"", {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(2 << 20)})
s.check("over-long body refused", r.status == 413)
reader = Client(db)
reader.login("admin")  # reads officers but cannot edit them (leader is locked out by the throttle test)
r = reader.get("/api/v1/officers")
phones = [row["display"]["phone"] for row in r.json()["rows"] if row["display"]["phone"]]
s.check("read-only roles see phone numbers masked", phones and all("****" in p for p in phones)
        and all(row["values"]["phone"] is None for row in r.json()["rows"]), str(phones))
r = staff.get("/api/v1/officers")
s.check("editors too: phone numbers are personal data, masked by default",
        all(row["values"]["phone"] is None and (not row["display"]["phone"] or "****" in row["display"]["phone"]) for row in r.json()["rows"]))
oid = ids(db, "SELECT id FROM officer WHERE phone IS NOT NULL AND phone <> '' LIMIT 1")[0]
before_phone = ids(db, f"SELECT phone FROM officer WHERE id = {oid}")[0]
r = staff.get(f"/d/officers/{oid}/edit")
s.check("the edit form does not send the phone back, and says so", r.status == 200 and before_phone not in r.text and "留空则不修改" in r.text)
ins = ids(db, "SELECT id FROM target WHERE kind = 'insured'")[0]
r = staff.form(f"/d/targets/{ins}/edit", {"version": version_of(db, "target", ins), "kind": "insured", "name": "张三丰", "id_number": "", "org_id": "130528", "region": "130528", "grade": "C",
                                        "grade_reason": "多次违规", "grade_basis": "检查记录 #1"})
s.check("an insured person can be edited without retyping the ID number", r.status == 303, str(r.status) + r.text[-300:])
r = staff.form(f"/d/targets/{ins}/edit", {"version": version_of(db, "target", ins), "kind": "insured", "name": "张三丰", "id_number": "360426199101010071", "org_id": "130528", "region": "130528"})
s.check("an insured person's ID number cannot be changed", r.status == 422 and "不能修改" in r.text)
r = sup.get("/audit?entity=target")
s.check("audit log shows no full ID numbers", "11010519491231002X" not in r.text)
s.check("... nor insured persons' names", "张三丰" not in r.text)
# an insured person's name is personal data: masked in the list, the detail, the API and the plain export
r = staff.get("/d/targets?kind=insured")
s.check("the list masks an insured person's name", "张**" in r.text and "张三丰" not in r.text)
s.check("... so does the detail page", "张三丰" not in staff.get(f"/d/targets/{ins}").text)
r = staff.get(f"/api/v1/targets/{ins}")
s.check("... and the API (never sent back)", r.json()["values"]["name"] is None and r.json()["display"]["name"] == "张**")
r = staff.get(f"/d/targets/{ins}/edit")
s.check("the edit form does not send it back", "张三丰" not in r.text and "留空则不修改" in r.text)
r = staff.form(f"/d/targets/{ins}/edit", {"version": version_of(db, "target", ins), "kind": "insured", "name": "", "id_number": "", "org_id": "130528", "region": "130528", "grade": "C"})
s.check("an empty name keeps the registered one", r.status == 303 and ids(db, f"SELECT name FROM target WHERE id = {ins}") == ["张三丰"],
        str(r.status) + r.text[-300:])
r = staff.get("/d/targets/export?format=csv&kind=insured")
s.check("the plain export masks it", "张**" in r.text and "张三丰" not in r.text)

# --- org scope on writes (security review): no takeover of a neighbour's rows by code
csv_take = "对象类型,名称,统一社会信用代码,医保编码,所属机构,行政区划\n定点医疗机构,被宁晋接管,9144030071526726XG,H13052200001,130528,130528\n".encode()
body, h = csv_upload({"csrf": staff.csrf}, "take.csv", csv_take)
r = staff.do("POST", "/d/targets/import", body, h, csrf=False)
row_error = r.text[r.text.find("第2行"):][:200]
s.check("import cannot take over another county's target by its code, nor says whose it is", r.status == 422
        and "无法登记或修改" in row_error and "H13052200001" not in row_error, r.text[-400:])
# no existence oracle: registering a person another county already has gives the answer of any invalid row
lc = Client(db)
lc.login("lincheng")
pseudo = ids(db, "SELECT code FROM target WHERE kind = 'insured'")[0]
r = lc.form("/d/targets/new", {"kind": "insured", "name": "李四", "id_number": "11010519491231002X", "org_id": "130522",
                               "region": "130522", "grade": "B"})
s.check("registering a person another county has: refused without saying so or naming the pseudonym", r.status == 422
        and "无法登记" in r.text and pseudo not in r.text and "已存在" not in r.text and "已登记" not in r.text, r.text[-400:])
s.check("... and the try is audited", ids(db, "SELECT count(*) FROM audit_log WHERE action = 'target.create.refused' AND actor = 'lincheng'")
        == [1])
s.check("the neighbour's target is unchanged", ids(db, "SELECT name FROM target WHERE code = 'H13052200001'")[0] == "临城县某诊所")
adm = Client(db)
adm.login("admin")
body, h = csv_upload({"csrf": adm.csrf}, "orgs.csv", "行政区划代码,机构名称,上级行政区划代码\n130522,临城县医疗保障局(被改),130528\n".encode())
r = adm.do("POST", "/d/orgs/import", body, h, csrf=False)
s.check("a county admin cannot re-parent or rename a neighbouring county", r.status == 422 and ids(db, "SELECT name FROM org WHERE code = '130522'")[0] == "临城县医疗保障局")
r = adm.post_json("/api/v1/orgs", {"code": "130599", "name": "新的根机构"})
s.check("a county admin cannot create a root org", r.status >= 400 and not ids(db, "SELECT count(*) FROM org WHERE code = '130599'")[0])
r = adm.post_json("/api/v1/orgs", {"code": "130598", "name": "宁晋下属机构", "parent_id": "130528"})
s.check("but can create an org below its own", r.status == 201, r.text[:200])
org_id = ids(db, "SELECT id FROM org WHERE code = '130528'")[0]
r = adm.post_json(f"/api/v1/orgs/{org_id}", {"version": int(version_of(db, "org", org_id)), "parent_id": "130598"}, method="PUT")
s.check("and cannot change its own org's parent", r.status >= 400 and ids(db, "SELECT parent_id FROM org WHERE code = '130528'")[0] == ids(db, "SELECT id FROM org WHERE code = '130500'")[0])
r = staff.post_json("/api/v1/items", {"code": "XD2", "name": "借用邻县科室", "basis": "x", "dept_id": "D2", "org_id": "130528",
                                      "target_kinds": ["institution"], "content": "x", "methods": ["书面检查"], "class": "一般"})
s.check("references to a neighbouring county's dept are refused", r.status == 422 and "dept_id" in r.json()["error"]["fields"])

# --- exports: personal data masked for read-only roles, every export and import audited
r = adm.get("/d/targets/export?format=csv")
s.check("a read-only role's export masks ID numbers", r.status == 200 and "11010519491231002X" not in r.text and "110105********002X" in r.text)
r = staff.get("/d/targets/export?format=csv")
s.check("the 检查科室's export masks them too", "11010519491231002X" not in r.text and "110105********002X" in r.text)
r = staff.get("/d/targets/export?format=csv&kind=insured")
s.check("the export follows the list's filters", "110105********002X" in r.text and "宁晋县人民医院" not in r.text, r.text[:300])
after = json.loads(ids(db, "SELECT after FROM audit_log WHERE action = 'export.targets' ORDER BY id DESC LIMIT 1")[0])
s.check("... its audit row has the row count and the filter", after.get("rows") == 1 and "kind=insured" in after.get("filter", "")
        and after.get("unmasked") is False, str(after))
r = staff.form("/d/targets/export?list=1&kind=insured", {"purpose": "移送公安机关协查", "format": "csv"})
s.check("an unmasked export without the 个人信息导出 grant is refused", r.status == 403)
subprocess.run([SPOTCHECK, "user", "grant", "staff", "pii-export", "--db", db], check=True, capture_output=True)
s.check("the list offers the unmasked export to a granted account", 'id="pii-export"' in staff.get("/d/targets?kind=insured").text)
r = staff.form("/d/targets/export?list=1&kind=insured", {"purpose": "", "format": "csv"})
s.check("... which must state a purpose", r.status == 422)
r = staff.form("/d/targets/export?list=1&kind=insured", {"purpose": "移送公安机关协查", "format": "csv"})
s.check("the granted account exports the filtered rows unmasked, the header saying so", r.status == 200
        and "11010519491231002X" in r.text and "张三丰" in r.text and "身份证号（个人信息，未遮盖）" in r.text.splitlines()[0]
        and "宁晋县人民医院" not in r.text)
after = json.loads(ids(db, "SELECT after FROM audit_log WHERE action = 'export.targets' ORDER BY id DESC LIMIT 1")[0])
s.check("... audited with rows, filter and purpose", after.get("unmasked") is True and after.get("rows") == 1
        and after.get("purpose") == "移送公安机关协查" and "kind=insured" in after.get("filter", ""), str(after))
r = staff.get("/api/v1/officers")
s.check("the API masks officers' phone numbers", r.status == 200 and "13812345678" not in r.text and "138****5678" in r.text, r.text[:300])
s.check("exports are in the audit log", ids(db, "SELECT count(*) FROM audit_log WHERE action = 'export.targets'")[0] >= 2)
s.check("imports are in the audit log", ids(db, "SELECT count(*) FROM audit_log WHERE action = 'import.targets' AND actor = 'staff'")[0] >= 1)

# --- logout
r = staff.form("/logout", {})
s.check("logout", r.status == 303 and staff.get("/").status == 303)
s.done()
