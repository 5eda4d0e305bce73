"""The 检查通知书 as an issued document (issue 16): a preview until it is issued; issuing gives it a
文号 (机关简称〔年〕序号, numbered per org and year) and fixes its text, so a later edit of the target's
address does not change it; the 组长 is listed first; a re-issue needs a reason, gets a new number and
names the one it replaces; the rest of a task's notices are issued at once and printed on one page;
the rows cannot be edited with the database file; the officer sees only issued notices of his groups."""
import re
import subprocess
import dbtool
from fixture_drawn import drawn_db, sql
from webtest import SPOTCHECK, Suite, pin_today, version_of

s = Suite()
today = pin_today("2026-06-15")
f = drawn_db(year=str(today.year))
db, tid, groups = f["db"], f["tid"], f["groups"]
staff, leader = f["clients"]["staff"], f["clients"]["leader"]
HOSP = "H13052800001"
s.check("the hospital was drawn", HOSP in groups, str(groups))
leader_cert = [c for c, role in groups[HOSP] if role == "组长"][0]
member_cert = [c for c, role in groups[HOSP] if role == "组员"][0]
officer = f["officer_user_for"](member_cert)
org_name = sql(db, "SELECT o.name FROM task t JOIN org o ON o.id = t.org_id WHERE t.id = ?", (tid,))[0][0]

r = staff.get(f"/tasks/{tid}/notice/{HOSP}")
s.check("before issuing: a preview without a 文号, with the issue button", r.status == 200 and 'id="notice-preview"' in r.text
        and "尚未出具，无文号" in r.text and 'id="issue-form"' in r.text, str(r.status))
s.check("the wording does not repeat 方案", "方案》实施方案" not in r.text and "》，经随机抽取" in r.text)
r = officer.get(f"/my/notice/{tid}/{HOSP}")
s.check("the officer sees no notice before it is issued", r.status == 404 and "尚未出具" in r.text, str(r.status))
s.check("the leader may not issue (403)", leader.form(f"/tasks/{tid}/notice/{HOSP}", {}).status == 403)

hid = sql(db, "SELECT id FROM target WHERE code = ?", (HOSP,))[0][0]
r = staff.post_json(f"/api/v1/targets/{hid}", {"version": int(version_of(db, "target", hid)), "address": "宁晋县凤凰路1号"}, "PUT")
s.check("the hospital's address as it is when the notice is issued", r.status == 200, f"{r.status} {r.text[:200]}")
r = staff.form(f"/tasks/{tid}/notice/{HOSP}", {})
s.check("staff issue the notice", r.status == 303, f"{r.status} {r.text[-300:]}")
no1 = f"{org_name}检〔{today.year}〕1号"
r = staff.get(f"/tasks/{tid}/notice/{HOSP}")
s.check("it carries the 文号 机关简称〔年〕序号", r.status == 200 and no1 in r.text and 'id="notice-preview"' not in r.text, no1)
rows = re.findall(r'<tr><td>[^<]*</td><td class="mono">([^<]*)</td><td>([^<]*)</td></tr>', r.text)
s.check("the 组长 is listed first", rows and rows[0] == (leader_cert, "组长"), str(rows))
addr_before = "宁晋县凤凰路1号"
s.check("the notice shows the address", addr_before in r.text)

# the target's address is edited in the directory afterwards: the issued notice does not change
r = staff.post_json(f"/api/v1/targets/{hid}", {"version": int(version_of(db, "target", hid)), "address": "宁晋县新迁地址88号"}, "PUT")
s.check("the address is edited in the directory", r.status == 200 and
        sql(db, "SELECT address FROM target WHERE id = ?", (hid,))[0][0] == "宁晋县新迁地址88号", f"{r.status} {r.text[:200]}")
r = staff.get(f"/tasks/{tid}/notice/{HOSP}")
s.check("the issued notice still says what it said", addr_before in r.text and "宁晋县新迁地址88号" not in r.text)
r = officer.get(f"/my/notice/{tid}/{HOSP}")
s.check("the officer of the group reads the issued notice", r.status == 200 and no1 in r.text, str(r.status))

r = staff.form(f"/tasks/{tid}/notice/{HOSP}", {"reason": ""})
s.check("issuing again needs a reason", r.status == 409 and "须填写原因" in r.text and no1 in r.text, str(r.status))
r = staff.form(f"/tasks/{tid}/notice/{HOSP}", {"reason": "对象地址变更，重新送达"})
s.check("re-issued with a reason", r.status == 303, str(r.status))
no2 = f"{org_name}检〔{today.year}〕2号"
r = staff.get(f"/tasks/{tid}/notice/{HOSP}")
s.check("the new notice has the next number, the new address, and names the one it replaces",
        no2 in r.text and "宁晋县新迁地址88号" in r.text and f"替代 {no1}" in r.text and "对象地址变更，重新送达" in r.text)

# every other notice of the task at once, printed on one page
ndrawn = len([t for t in groups])
r = staff.get(f"/tasks/{tid}/notices")
s.check("the task's notices page: one issued, the rest missing", r.status == 200 and f"已出具 1 份；尚未出具 {ndrawn - 1} 份" in r.text,
        re.sub(r"\s+", " ", r.text[r.text.find("notices-summary"):][:200]))
r = staff.form(f"/tasks/{tid}/notices", {})
s.check("the rest are issued at once", r.status == 303, f"{r.status} {r.text[-300:]}")
r = staff.get(f"/tasks/{tid}/notices")
docs = re.findall(r'<article class="doc notice-doc" data-target="([^"]+)">', r.text)
s.check("one page holds every notice in force, each on its own sheet", sorted(docs) == sorted(groups) and 'id="btn-print"' in r.text,
        str(docs))
nos = [n for (n,) in sql(db, "SELECT seq FROM notice ORDER BY seq")]
s.check("numbered without gaps per org and year", nos == list(range(1, ndrawn + 2)), str(nos))
s.check("the replaced notice is not printed again", r.text.count(no1 + "<") == 0 and r.text.count(no2) >= 1)
s.check("nothing missing now", "尚未出具 0 份" in r.text)

# append-only, even for someone with the database file
err = dbtool.error_of(db, "UPDATE notice SET content = '{}' WHERE seq = 1")
s.check("an issued notice cannot be edited in the database", "不能修改" in err, err)
err = dbtool.error_of(db, "DELETE FROM notice WHERE seq = 1")
s.check("... nor deleted", "不能删除" in err, err)
acts = [a for (a,) in sql(db, "SELECT action FROM audit_log WHERE action LIKE 'notice.%' ORDER BY id")]
s.check("audited: issue, reissue, issue_all", acts == ["notice.issue", "notice.reissue", "notice.issue_all"], str(acts))
p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True, text=True)
s.check("the audit chain verifies", p.returncode == 0, p.stdout + p.stderr)
s.done()
