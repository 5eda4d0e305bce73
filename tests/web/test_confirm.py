"""What cannot be undone asks once, with what will become public (issue 16): the forms that publish results,
register a penalty publication, close a follow-up, request a 递补 or change a credit grade carry a data-confirm
summary that app.js shows before submitting (tests/e2e accept such dialogs in a real browser)."""
import re
from webtest import Suite
from fixture_drawn import drawn_db, sql

s = Suite()
f = drawn_db()
db, tid = f["db"], f["tid"]
staff = f["clients"]["staff"]


def confirm_of(html, form_id_or_action):
    m = re.search(r'<form[^>]*(?:id="%s"|action="%s")[^>]*data-confirm="([^"]*)"' % (re.escape(form_id_or_action), re.escape(form_id_or_action)), html)
    return m.group(1) if m else None


r = staff.get(f"/tasks/{tid}/draw")
c = confirm_of(r.text, "substitute-form")
s.check("递补 asks first, saying what becomes public", c and "写入抽取记录并公开" in c, str(c))
rid = sql(db, "SELECT id FROM record LIMIT 1")
if not rid:
    staff.get("/records")
    rid = sql(db, "SELECT id FROM record LIMIT 1")
rid = rid[0][0]
sql(db, "UPDATE record SET status = '审核通过', checked_on = substr(created_at, 1, 10) WHERE id = ?", (rid,))
r = staff.get("/results")
c = confirm_of(r.text, "form-batch")
s.check("publishing results asks first, saying what becomes public and that it cannot be undone", c and "公开门户" in c and "不能撤回" in c, str(c))
r = staff.get(f"/results/{rid}")
c = confirm_of(r.text, f"/results/{rid}/publish")
s.check("... also for one result", c and "不能撤回" in c, str(c))
s.done()
