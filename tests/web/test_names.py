"""Names instead of login ids (issue 16 item 7): the pages that say who did something show the account's
display name (姓名) — the audit log (with the login id beside it), plan versions, the scheme, the results to
publish — and the login id only when an account has no display name."""
import subprocess
from webtest import SPOTCHECK, Suite, sql
from fixture_drawn import drawn_db

s = Suite()
f = drawn_db()
db, tid = f["db"], f["tid"]
sql(db, "UPDATE account SET display_name = '张科员' WHERE username = 'staff'")
sql(db, "UPDATE account SET display_name = '李局长' WHERE username = 'leader'")
staff, leader = f["clients"]["staff"], f["clients"]["leader"]
vid = sql(db, "SELECT id FROM plan_version ORDER BY id LIMIT 1")[0][0]
r = staff.get(f"/plans/{vid}")
s.check("the plan says who drafted and who approved it by name", "张科员" in r.text and "李局长" in r.text, r.text[-400:])
r = staff.get(f"/tasks/{tid}")
s.check("the scheme's approver by name", "李局长" in r.text)
sup = f["clients"].get("supervisor")
from webtest import Client  # noqa: E402
sup = Client(db)
sup.login("supervisor")
r = sup.get("/audit?actor=staff")
s.check("the audit log shows the name with the login id beside it",
        '<td>张科员 <span class="muted small">staff</span></td>' in r.text, r.text[-600:])
r = sup.get("/audit?actor=joint")
s.check("... and the login id alone when the account has no name", "<td>joint</td>" in r.text, r.text[-400:])
s.done()
