"""Accounts (issue 13): /admin/users and `spotcheck user`, the password policy, case-insensitive user
names, links to an officer's certificate (the officer sees its groups at once) or a dept, disabling
(sessions end), an administrator's reset (a change is forced at the next login), the 个人信息导出
grant, every change audited; login throttling that keeps failures and audits them, and lets the owner's
known browser in while a new browser is locked out."""
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
db, tid = f["db"], f["tid"]
admin = Client(db)
s.check("admin logs in", admin.login("admin").status == 303)


def audit_count(action):
    return ids(db, f"SELECT count(*) FROM audit_log WHERE action = '{action}'")[0]


# --- /admin/users: the list and the new-account form
r = admin.get("/admin/users")
s.check("the administrator's account list", r.status == 200 and 'id="users"' in r.text and ">staff<" in r.text
        and ">city<" not in r.text, r.text[:200])
s.check("... not for the staff", f["clients"]["staff"].get("/admin/users").status == 403)
cert = sorted(f["groups"][f["targets"][0]])[0][0]  # an officer with a group in the drawn task
base = {"username": "wang", "display_name": "王执法", "role": "officer", "org_code": "130528", "officer_cert": cert, "dept_code": ""}
for pw, why in (("short", "至少需要 10 个字符"), ("wangWANG12", None), ("Wang", "至少"), ("qwertyuiop", "过于常见"),
                ("1234567890", "过于常见")):
    if why is None:
        continue
    r = admin.form("/admin/users", dict(base, password=pw))
    s.check(f"password {pw!r} refused ({why})", r.status == 422 and why in r.text and 'value="王执法"' in r.text
            and pw not in r.text.split('id="users-error"')[1][:300], f"{r.status} {r.text[:200]}")
r = admin.form("/admin/users", dict(base, username="wang", password="wang"))
s.check("a password equal to the user name is refused", r.status == 422)
r = admin.form("/admin/users", dict(base, username="wangwang99", password="WANGWANG99"))
s.check("... whatever its case", r.status == 422 and "不能与用户名相同" in r.text, f"{r.status}")
r = admin.form("/admin/users", dict(base, username="STAFF", password="a fine long password"))
s.check("user names are unique without regard to case (STAFF = staff)", r.status == 409 and "不区分大小写" in r.text, f"{r.status}")
r = admin.form("/admin/users", dict(base, officer_cert="NOPE42", password="a fine long password"))
s.check("an unknown certificate is refused", r.status == 422 and "NOPE42" in r.text)
r = admin.form("/admin/users", dict(base, password="a fine long password"))
s.check("the administrator creates an officer account linked to a certificate", r.status == 303, f"{r.status} {r.text[:300]}")
uid = ids(db, "SELECT id FROM account WHERE username = 'wang'")[0]
s.check("... audited as user.create, without the password",
        ids(db, f"SELECT count(*) FROM audit_log WHERE action = 'user.create' AND entity_id = '{uid}' AND actor = 'admin' "
                "AND after NOT LIKE '%fine long%'") == [1])
wang = Client(db)
s.check("the new officer logs in", wang.login("wang", "a fine long password").status == 303)
r = wang.get("/my")
s.check("... and sees its group at once", r.status == 200 and f["targets"][0] in r.text and "未关联执法人员" not in r.text, r.text[:300])
s.check("login with the user name in another case", Client(db).login("WANG", "a fine long password").status == 303)

# --- link from the CLI, as the flow has it: a new officer account linked by `spotcheck user`
other_cert = sorted(f["groups"][f["targets"][-1]])[-1][0]
p = subprocess.run([SPOTCHECK, "user", "add", "li2", "--role", "officer", "--org", "130528", "--password-stdin", "--db", db],
                   input="another fine password\n", capture_output=True, text=True)
s.check("spotcheck user add (no link yet)", p.returncode == 0, p.stderr)
li = Client(db)
li.login("li2", "another fine password")
s.check("... its home page says it is not linked", "未关联执法人员" in li.get("/my").text)
p = subprocess.run([SPOTCHECK, "user", "link", "li2", "--officer", other_cert, "--db", db], capture_output=True, text=True)
s.check("spotcheck user link --officer", p.returncode == 0, p.stderr)
r = li.get("/my")
s.check("... the linked officer sees its group without logging in again", f["targets"][-1] in r.text, r.text[:300])
li_id = ids(db, "SELECT id FROM account WHERE username = 'li2'")[0]
s.check("the CLI's changes are audited as cli", ids(db, f"SELECT action FROM audit_log WHERE actor = 'cli' AND entity = 'user' "
                                                        f"AND entity_id = '{li_id}' ORDER BY id") == ["user.create", "user.link"])
p = subprocess.run([SPOTCHECK, "user", "link", "li2", "--officer", cert, "--db", db], capture_output=True, text=True)
s.check("a certificate already linked to an enabled account is refused", p.returncode == 1 and "已关联" in p.stderr, p.stderr)
p = subprocess.run([SPOTCHECK, "user", "add", "weak", "--role", "staff", "--org", "130528", "--password-stdin", "--db", db],
                   input="password123\n", capture_output=True, text=True)
s.check("the CLI applies the same password policy", p.returncode == 1 and "过于常见" in p.stderr, p.stderr)
p = subprocess.run([SPOTCHECK, "user", "list", "--db", db], capture_output=True, text=True)
s.check("spotcheck user list shows the link", p.returncode == 0 and re.search(r"li2 .*" + re.escape(other_cert), p.stdout), p.stdout)

# --- disable: the sessions end at once; enable again
r = admin.form(f"/admin/users/{uid}/status", {"enabled": "0", "reason": ""})
s.check("disabling needs a reason", r.status == 422)
r = admin.form(f"/admin/users/{uid}/status", {"enabled": "0", "reason": "调离本单位"})
s.check("the administrator disables the account", r.status == 303)
r = wang.get("/my")
s.check("... whose open session ends at once", r.status == 303 and "/login" in (r.header("Location") or ""), f"{r.status}")
s.check("... nor can it log in", Client(db).login("wang", "a fine long password").status == 401)
s.check("... audited with the reason", ids(db, f"SELECT count(*) FROM audit_log WHERE action = 'user.disable' AND after LIKE '%调离本单位%'") == [1])
r = admin.form(f"/admin/users/{ids(db, 'SELECT id FROM account WHERE username = ' + chr(39) + 'admin' + chr(39))[0]}/status",
               {"enabled": "0", "reason": "x"})
s.check("an administrator cannot disable itself", r.status in (404, 409), f"{r.status}")
s.check("re-enabled", admin.form(f"/admin/users/{uid}/status", {"enabled": "1"}).status == 303)

# --- an administrator's reset forces a change at the next login
r = admin.form(f"/admin/users/{uid}/password", {"password": "temporary pass 1"})
s.check("the administrator resets the password", r.status == 303 and audit_count("user.password.reset") == 1)
wang = Client(db)
s.check("the user logs in with it", wang.login("wang", "temporary pass 1").status == 303)
r = wang.get("/my")
s.check("... and is sent to change it before anything else", r.status == 303 and r.header("Location") == "/account/password")
r = wang.post_json(f"/api/v1/tasks/{tid}/conflicts", {})
s.check("... the API says so too", r.status == 403 and "修改密码" in r.text, f"{r.status}")
r = wang.get("/account/password")
s.check("the forced change page", r.status == 200 and 'id="forced"' in r.text)
r = wang.form("/account/password", {"current": "wrong one", "password": "my own secret 42", "password2": "my own secret 42"})
s.check("the current password is checked", r.status == 422 and "当前密码不正确" in r.text)
r = wang.form("/account/password", {"current": "temporary pass 1", "password": "my own secret 42", "password2": "my own secret 43"})
s.check("the two new passwords must agree", r.status == 422 and "不一致" in r.text)
r = wang.form("/account/password", {"current": "temporary pass 1", "password": "my own secret 42", "password2": "my own secret 42"})
s.check("the user sets its own password", r.status == 303)
s.check("... and carries on in the same session", wang.get("/my").status == 200)
s.check("... audited", audit_count("user.password.change") == 1
        and ids(db, f"SELECT must_change_password FROM account WHERE id = {uid}") == [0])

# --- 个人信息导出 is granted per account, audited
r = admin.form(f"/admin/users/{uid}/pii", {"pii_export": "1"})
s.check("the administrator grants 个人信息导出", r.status == 303 and ids(db, f"SELECT pii_export FROM account WHERE id = {uid}") == [1]
        and audit_count("user.pii") == 1)
s.check("no role has it by default", ids(db, "SELECT count(*) FROM account WHERE pii_export = 1") == [1])
admin_id = ids(db, "SELECT id FROM account WHERE username = 'admin'")[0]
r = admin.form(f"/admin/users/{admin_id}/pii", {"pii_export": "1"})
s.check("an administrator cannot grant it to itself", r.status == 409 and ids(db, f"SELECT pii_export FROM account WHERE id = {admin_id}") == [0])
r = admin.form("/admin/users", dict(base, username="jx2", role="joint", officer_cert="", dept_code="D2", password="joint dept pass 1"))
s.check("a joint account cannot be linked to another county's dept", r.status == 422 and "D2" in r.text, f"{r.status}")
p = subprocess.run([SPOTCHECK, "user", "add", "lc9", "--role", "officer", "--org", "130528", "--officer", "YB002", "--password-stdin",
                    "--db", db], input="officer pass 99x\n", capture_output=True, text=True)
s.check("... nor an officer account to another county's certificate", p.returncode == 1 and "YB002" in p.stderr, p.stderr)

# --- jurisdiction: a county's administrator does not manage the city's accounts
city_id = ids(db, "SELECT id FROM account WHERE username = 'city'")[0]
s.check("a county's administrator cannot open the city's account", admin.get(f"/admin/users/{city_id}").status == 404)
s.check("... nor reset it", admin.form(f"/admin/users/{city_id}/password", {"password": "takeover pass 99"}).status == 404)

# --- throttling: failures kept and audited; a new browser is locked out, the owner's known browser is not
known = Client(db)
s.check("the owner logs in from its browser (which gets a device cookie)", known.login("leader").status == 303
        and known.cookies.get("sc_device"))
before = audit_count("login.failed")
statuses = [Client(db).login("leader", f"guess number {i}").status for i in range(6)]
s.check("5 wrong passwords from new browsers, then 429", statuses[:5] == [401] * 5 and statuses[5] == 429, str(statuses))
s.check("... even the right password from a new browser is refused now", Client(db).login("leader").status == 429)
s.check("every failed login is audited, a run of refusals once", audit_count("login.failed") - before == 6,
        str(audit_count("login.failed") - before))
for _ in range(3):
    Client(db).login("leader", "still guessing")
s.check("... so refusals (which check no password) cannot flood the audit log", audit_count("login.failed") - before == 6)
forged = Client(db)
forged.cookies["sc_device"] = "a" * 64 + "." + "b" * 64
s.check("a forged device cookie counts as a new browser", forged.login("leader").status == 429)
known.cookies.pop("sc_session", None)
r = known.login("leader")
s.check("the owner's known browser still logs in", r.status == 303, f"{r.status}")
s.check("failed attempts are kept after the success", ids(db, "SELECT count(*) FROM login_attempt WHERE username LIKE 'leader' "
                                                              "AND ok = 0")[0] >= 5)
stolen = Client(db)
stolen.cookies["sc_device"] = known.cookies["sc_device"]
s.check("a device cookie is bound to its user name (not valid for another account)",
        stolen.login("supervisor", "wrong wrong wrong").status == 401)
s.done()
