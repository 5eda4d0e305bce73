"""Hostile text in every free-text field of every directory kind comes back escaped on the list,
detail, edit and public pages, and unchanged as data through the API."""
from webtest import Client, Suite, small_db, no_raw_script

s = Suite()
db = small_db()
X = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&'
admin, staff = Client(db), Client(db)
admin.login("admin")
staff.login("staff")

# every FT_TEXT field of each kind (see src/domain/dir_kinds.c), plus what the row needs to be valid
cases = [
    (admin, "depts", {"code": "X1" + X, "name": X, "org_id": "130528", "kind": "外部门", "status_reason": X}),
    (admin, "tags", {"code": "XT" + X, "name": X, "applies_to": "通用", "status_reason": X}),
    (staff, "items", {"code": "XI" + X, "name": X, "basis": X, "dept_id": "D1", "org_id": "130528",
                      "target_kinds": ["institution"], "content": X, "ratio": X, "frequency": X,
                      "methods": ["书面检查"], "class": "一般", "status_reason": X}),
    (staff, "targets", {"kind": "employer", "name": X, "uscc": "91620105L015101280", "org_id": "130528",
                        "region": "130528", "address": X, "code_override": X, "status_reason": X}),
    (staff, "officers", {"cert_no": "XC" + X, "name": X, "org_id": "130528", "dept_id": "D1",
                         "cert_valid_from": "2024-01-01", "cert_valid_to": "2028-01-01", "region": "130528",
                         "phone": X, "status_reason": X}),
    (staff, "experts", {"code": "XE" + X, "name": X, "kind": "专家", "org_id": "130528", "employer": X,
                        "phone": X, "status_reason": X}),
]
for client, kind, body in cases:
    r = client.post_json(f"/api/v1/{kind}", body)
    s.check(f"{kind}: created with hostile text", r.status == 201, f"{r.status} {r.text[:300]}")
    if r.status != 201:
        continue
    row = r.json()
    texts = [v for v in body.values() if isinstance(v, str) and X in v]
    s.check(f"{kind}: API returns the text unchanged", all(t in row["values"].values() for t in texts if t != body.get("phone")))
    for path in [f"/d/{kind}", f"/d/{kind}/{row['id']}", f"/d/{kind}/{row['id']}/edit", f"/d/{kind}?q=%3Cscript"]:
        p = client.get(path)
        s.check(f"{kind}: escaped on {path}", p.status == 200 and no_raw_script(p.text) and "<img src=x" not in p.text,
                str(p.status))
    # a status change keeps the reason escaped in the history
    r = client.post_json(f"/api/v1/{kind}/{row['id']}/status", {"status": "停用" if kind not in ("targets", "officers") else ("注销" if kind == "targets" else "离岗"), "reason": X})
    s.check(f"{kind}: status change with hostile reason", r.status == 200, r.text[:200])
    p = client.get(f"/d/{kind}/{row['id']}")
    s.check(f"{kind}: history escaped", no_raw_script(p.text) and "&lt;script&gt;" in p.text)
# the item is public once active: make a second active item and check the portal
r = staff.post_json("/api/v1/items", {"code": "XI2", "name": X, "basis": X, "dept_id": "D1", "org_id": "130528",
                                      "target_kinds": ["institution"], "content": X, "methods": ["书面检查"], "class": "一般"})
p = Client(db).get("/public/items")
s.check("public item list escapes", p.status == 200 and no_raw_script(p.text) and "&lt;script&gt;" in p.text)
sup = Client(db)
sup.login("supervisor")
p = sup.get("/audit")
s.check("audit page escapes before/after JSON", p.status == 200 and no_raw_script(p.text))
s.done()
