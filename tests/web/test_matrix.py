"""The permission matrix: every route of `spotcheck routes`, called as every role and as nobody,
is allowed or denied exactly as the route table and the role map declare."""
import subprocess
from webtest import SPOTCHECK, Client, Suite, small_db, ids, request

s = Suite()
db = small_db()
routes, roles = [], {}
for line in subprocess.run([SPOTCHECK, "routes"], capture_output=True, check=True, text=True).stdout.splitlines():
    f = line.split("\t")
    if f[0] == "route":
        routes.append({"method": f[1], "pattern": f[2], "perm": f[3], "csrf": f[4]})
    elif f[0] == "role":
        roles[f[1]] = set(f[2:])
s.check("route table lists routes", len(routes) >= 20, str(len(routes)))
s.check("six roles", set(roles) == {"admin", "staff", "leader", "officer", "joint", "supervisor"}, str(roles))
s.check("anchor.write (a lower org's daily audit anchor) is 监督's and 系统管理员's alone",
        {r for r, p in roles.items() if "anchor.write" in p} == {"admin", "supervisor"}, str(roles))
s.check("... and the anchor routes ask for it", {(rt["method"], rt["pattern"]) for rt in routes if rt["perm"] == "anchor.write"}
        == {("POST", "/anchors"), ("POST", "/api/v1/anchors")})

target_id = ids(db, "SELECT id FROM target WHERE code = 'H13052800001'")[0]
tag_id = ids(db, "SELECT id FROM tag WHERE code = 'S-MED'")[0]

def variants(rt):
    """Concrete paths for a pattern, with the permission the route needs for each."""
    kinds = [("targets", target_id, "dir.write"), ("tags", tag_id, "ref.write")] if ":kind" in rt["pattern"] else [(None, None, None)]
    for kind, rid, write in kinds:
        path = rt["pattern"].replace(":kind", kind or "").replace(":id", str(rid))
        perm = write if rt["perm"] == "kind.write" else rt["perm"]
        yield path, perm

def allowed(role, perm):
    if perm == "public":
        return True
    if role is None:
        return False
    return perm == "login" or perm in roles[role]

clients = {None: Client(db)}
for role in roles:
    c = Client(db)
    r = c.login(role)
    s.check(f"login as {role}", r.status == 303 and c.csrf, f"status {r.status}")
    clients[role] = c

# /logout ends the session, so it runs last for each client
ordered = sorted(routes, key=lambda rt: rt["pattern"] == "/logout")
cases = 0
for who, c in clients.items():
    for rt in ordered:
        for path, perm in variants(rt):
            body, headers = b"", {}
            if rt["method"] != "GET":
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            if rt["csrf"] == "login":
                c.cookies["sc_pre"] = "a" * 64
                body = b"csrf=" + b"a" * 64
            r = c.do(rt["method"], path, body, headers)
            cases += 1
            want = allowed(who, perm)
            name = f"{who or 'anonymous'} {rt['method']} {path} ({perm})"
            if want:
                # 个人信息导出 is granted per account, not by a role: the route answers 403 for the rest
                per_account = r.status == 403 and "个人信息导出" in r.text
                denied = (r.status == 403 and not per_account) or (r.status == 401 and path != "/login") or \
                    (r.status == 303 and (r.header("Location") or "").startswith("/login?next"))
                s.check(name + " allowed", not denied, f"status {r.status}")
            elif who is None:
                ok = r.status == 401 or (r.status == 303 and (r.header("Location") or "").startswith("/login?next="))
                s.check(name + " needs login", ok, f"status {r.status}")
            else:
                s.check(name + " forbidden", r.status == 403, f"status {r.status}")
s.check("matrix covered every route for every role and nobody", cases >= len(routes) * 7, str(cases))
s.done()
