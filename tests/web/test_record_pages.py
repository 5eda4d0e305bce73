"""The record lists in pages of 100 (issue 15: a list of 1,000 records was 460 KB of HTML, and 64 users
viewing it queued for seconds): the staff's /records and the officer's /my/records show 100 rows a
page with a pager that keeps the list's filter and counts its rows, every record on exactly one page,
no rows past the last page.

The draw: the web tests' drawn task (fixture_drawn.py) over the targets of bench/import/gen.py's
first 3,000 rows that lie in 宁晋县, all drawn (about 170 groups, so about 170 records)."""
import re

from webtest import Suite, pin_today, sql
from fixture_drawn import drawn_db, generated_targets

pin_today("2026-06-15")
s = Suite()
f = drawn_db(prepare=generated_targets(3000))
db, tid = f["db"], f["tid"]
staff = f["clients"]["staff"]


def record_ids(html, prefix="/records/"):
    return re.findall(r'href="' + re.escape(prefix) + r'(\d+)"', html)


r1 = staff.get("/records")  # creates the records
n = sql(db, "SELECT count(*) FROM record")[0][0]
s.check("more than one page of records", n > 100, str(n))
r1 = staff.get("/records")
page1 = record_ids(r1.text)
s.check("page 1: 100 rows", r1.status == 200 and len(page1) == 100, f"{r1.status} {len(page1)}")
s.check("the pager counts them all", f"第 1 / 2 页，共 {n} 条" in r1.text)
s.check("a link to the next page", 'href="/records?page=2" rel="next"' in r1.text)
r2 = staff.get("/records?page=2")
page2 = record_ids(r2.text)
s.check("page 2: the rest", len(page2) == n - 100, str(len(page2)))
s.check("every record on exactly one page", sorted(page1 + page2) ==
        sorted(str(i) for (i,) in sql(db, "SELECT id FROM record")))
s.check("page 2 links back", 'href="/records?page=1" rel="prev"' in r2.text and 'rel="next"' not in r2.text)
r = staff.get("/records?page=9")
s.check("an out-of-range page shows nothing beyond", r.status == 200 and not record_ids(r.text))
r = staff.get(f"/records?task={tid}&status=待录入")
s.check("the filter stays in the pager's links", f'href="/records?task={tid}&amp;status=%E5%BE%85%E5%BD%95%E5%85%A5&amp;page=2"' in r.text
        or f'href="/records?task={tid}&status=%E5%BE%85%E5%BD%95%E5%85%A5&page=2"' in r.text, r.text[-2000:])
sql(db, "UPDATE record SET status = '待审核' WHERE id IN (SELECT id FROM record ORDER BY id LIMIT 5)")
r = staff.get("/records?status=待审核")
s.check("a filtered list counts only its rows", "第 1 / 1 页，共 5 条" in r.text and len(record_ids(r.text)) == 5)

# the officer's own records: those to fill first, the pager's count is the officer's groups
cert = sql(db, "SELECT member_code FROM draw_member WHERE status = '在组' AND role <> '专家' "
               "GROUP BY member_code ORDER BY count(*) DESC LIMIT 1")[0][0]
mine = sql(db, "SELECT count(*) FROM record rc JOIN draw_member m ON m.draw_id = rc.draw_id AND "
               "m.target_code = rc.target_code WHERE m.member_code = ? AND m.status = '在组'", (cert,))[0][0]
o = f["officer_user_for"](cert)
r = o.get("/my/records")
ids = record_ids(r.text, "/my/records/")
s.check("the officer's list", r.status == 200 and len(ids) == min(mine, 100), f"{len(ids)} of {mine}")
s.check("... with its count", f"共 {mine} 条" in r.text)
submitted = {str(i) for (i,) in sql(db, "SELECT id FROM record WHERE status = '待审核'")}
first_done = next((k for k, i in enumerate(ids) if i in submitted), len(ids))
s.check("... those to fill first", all(i in submitted for i in ids[first_done:]), str(ids))
s.done()
