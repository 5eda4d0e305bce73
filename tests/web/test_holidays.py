"""The holiday data behind the working-day deadlines (/admin/holidays): coverage shown, the current
file downloaded, a next year appended and uploaded by an administrator (checked against the
calendar's rules, audited), a bad or non-text file refused with nothing changed, and the
deadlines that now reach into the new year known. Who may do it is in test_matrix.py (ref.write:
administrators). The next year's dates here are made up for the test."""
import os
from webtest import Client, Suite, small_db, sql, multipart

s = Suite()
db = small_db()
adm = Client(db)
adm.login("admin")
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
built_in = open(os.path.join(root, "data", "holidays.tsv"), encoding="utf-8").read()
years = sorted({int(line[:4]) for line in built_in.splitlines() if line[:1].isdigit()})
last = years[-1]

r = adm.get("/admin/holidays")
s.check("page shows the covered years and each year's days", r.status == 200 and f"{years[0]}—{last} 年" in r.text and
        all(f"<td>{y}</td>" in r.text for y in years), r.status)
s.check("the admin's navigation links it", 'href="/admin/holidays"' in r.text)
r = adm.get("/admin/holidays.tsv")
s.check("current data downloads as holidays.tsv", r.status == 200 and "holidays.tsv" in (r.header("Content-Disposition") or "")
        and "date\tkind\tname" in r.text and f"{last}-10-01\t放假" in r.text, r.status)
current = r.body

def upload(data, name="holidays.tsv", csrf=True):
    body, h = multipart({"csrf": adm.csrf} if csrf else {}, {"file": (name, data, "text/tab-separated-values")})
    return adm.do("POST", "/admin/holidays", body, h, csrf=False)

def rows():
    return sql(db, "SELECT count(*) FROM refdata WHERE set_name = 'holidays'")[0][0]

before = rows()
bad = current + f"{last + 1}-01-01\t放假\t元旦\n{last + 1}-10-01\t放假\t国庆节\n{last + 1}-11-03\t上班\t\n".encode()
r = upload(bad)
s.check("a weekday 上班 is refused with the calendar's reason, nothing changed",
        r.status == 422 and 'id="holidays-error"' in r.text and "上班" in r.text and rows() == before and
        f"{years[0]}—{last} 年" in r.text, r.status)
r = upload(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", "holidays.png")
s.check("a file that is not text is refused", r.status == 422 and "UTF-8" in r.text and rows() == before, r.status)
r = upload(b"")
s.check("an empty upload is refused", r.status == 422 and rows() == before, r.status)
r = upload(current, csrf=False)
s.check("an upload without the CSRF field is refused", r.status == 403, r.status)

good = current + f"{last + 1}-01-01\t放假\t元旦\n{last + 1}-10-01\t放假\t国庆节\n".encode()
r = upload(good)
s.check("the next year appended and uploaded", r.status == 303 and (r.header("Location") or "") == "/admin/holidays?ok=saved", r.status)
r = adm.get("/admin/holidays?ok=saved")
s.check("page shows the new coverage, the source and who loaded it", f"{years[0]}—{last + 1} 年" in r.text and "已保存" in r.text
        and "上传 holidays.tsv" in r.text and "admin" in r.text)
s.check("the refdata set holds the new year", sql(db, "SELECT count(*) FROM refdata WHERE set_name = 'holidays' AND code LIKE ?",
                                                  (f"{last + 1}-%",))[0][0] == 2)
audit = sql(db, "SELECT actor, before IS NOT NULL FROM audit_log WHERE action = 'refdata.holidays' ORDER BY id DESC LIMIT 1")
s.check("audited with the replaced rows and the administrator", audit == [("admin", 1)], str(audit))
r = adm.get("/admin/holidays.tsv")
s.check("the download now has the new year", f"{last + 1}-01-01\t放假\t元旦" in r.text)

staff = Client(db)
staff.login("staff")
s.check("staff cannot load holiday data", staff.get("/admin/holidays").status == 403)
body, h = multipart({"csrf": staff.csrf}, {"file": ("holidays.tsv", good, "text/plain")})
s.check("nor upload it: refused from the headers by the route's permission", staff.do("POST", "/admin/holidays", body, h, csrf=False).status == 403)
body, h = multipart({"csrf": adm.csrf}, {"file": ("x.tsv", good, "text/plain")})
s.check("a multipart body to a route without uploads is refused", adm.do("POST", "/d/orgs/new", body, h, csrf=False).status == 404)
s.done()
