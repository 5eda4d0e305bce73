"""The to-do list (issue 16): the home page and GET /api/v1/todo show each account what waits for it, each
item a link to where it is done — the officer's records to fill or redo (with the review opinion), the joint
dept's confirmations with their deadline, the leader's reviews, the section's results to publish — and an
account with nothing to do is told so. States are set in SQL where the steps that lead to them are tested
elsewhere (test_record.py, test_result.py); the lists are read through the real pages."""
import datetime
import os
import re
from webtest import Client, Suite
from fixture_drawn import drawn_db, sql

s = Suite()
f = drawn_db()
db, groups, tid = f["db"], f["groups"], f["tid"]
t = f["targets"][0]
cert = [c for c, role in groups[t] if role != "专家"][0]
o = f["officer_user_for"](cert)
mine = sorted(x for x in groups if any(c == cert for c, _ in groups[x]))

r = o.get("/")
recs = dict(sql(db, "SELECT target_code, id FROM record"))
s.check("the officer's home lists a record to fill for each of its groups",
        r.status == 200 and all(f'href="/my/records/{recs[x]}"' in r.text for x in mine) and r.text.count("待录入：") == len(mine),
        f"{len(mine)} groups; {r.text.count('待录入：')} items")
api = o.get("/api/v1/todo").json()["todo"]
s.check("... and the API gives the same items", sorted(e["href"] for e in api) == sorted(f"/my/records/{recs[x]}" for x in mine), str(api)[:300])
other = [x for x in groups if x not in mine]
s.check("... only its own groups", not any(f'href="/my/records/{recs[x]}"' in r.text for x in other if x in recs))

rid = recs[t]
sql(db, "UPDATE record SET status = '退回', review_opinion = '请补充现场照片' WHERE id = ?", (rid,))
r = o.get("/")
s.check("a returned record comes first, with the reviewer's opinion",
        r.status == 200 and "退回修改：" in r.text and "审核意见：请补充现场照片" in r.text
        and ("待录入：" not in r.text or r.text.find("退回修改：") < r.text.find("待录入：")), r.text[-500:])

leader = f["clients"]["leader"]
staff = f["clients"]["staff"]
leader_now, staff_now = Client(db), Client(db)
leader_now.login("leader")
staff_now.login("staff")
sql(db, "UPDATE record SET status = '待审核' WHERE id = ?", (rid,))
r = leader_now.get("/")
s.check("the leader's home counts the records to review, linking the review queue",
        r.status == 200 and re.search(r'<a href="/review">检查记录待审核</a> <span class="badge">1 项</span>', r.text), r.text[-600:])
sql(db, "UPDATE record SET status = '审核通过' WHERE id = ?", (rid,))
r = staff_now.get("/")
s.check("the section's home counts the approved results to publish",
        r.status == 200 and re.search(r'<a href="/results">检查结果已审核，待公示</a> <span class="badge">1 项</span>', r.text), r.text[-600:])
s.check("... and no step of the task that is already done", "待冻结名单" not in r.text and "待抽取" not in r.text)
s.check("the leader has nothing to review now", "检查记录待审核" not in leader_now.get("/").text)

yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat() if not os.environ.get("SPOTCHECK_TODAY") \
    else (datetime.date.fromisoformat(os.environ["SPOTCHECK_TODAY"][:10]) - datetime.timedelta(days=1)).isoformat()
sql(db, "UPDATE task_joint SET status = '待确认', confirmed_on = NULL, deadline = ? WHERE task_id = ?", (yesterday, tid))
j = Client(db)
j.login("joint")
r = j.get("/")
s.check("the joint dept's home asks it to confirm, with the deadline, flagged as overdue",
        r.status == 200 and "确认参加：" in r.text and f"期限 {yesterday}（已逾期）" in r.text and 'href="/joint"' in r.text, r.text[-600:])

# /my on a phone: each card opens its record, search by name or code, filter by the record's state
r = o.get("/my")
s.check("/my: each group's card links its record form with the record's state", r.status == 200 and
        all(f'href="/my/records/{recs[x]}"' in r.text for x in mine) and 'data-status="' in r.text, r.text[-500:])
name = sql(db, "SELECT name FROM target WHERE code = ?", (t,))[0][0]
r = o.get("/my?q=" + __import__("urllib.parse").parse.quote(name))
s.check("/my: search by the target's name keeps that group only", r.status == 200 and f'href="/my/records/{rid}"' in r.text and
        r.text.count('class="card my-group"') == 1 and 'id="my-count"' in r.text, r.text[-400:])
r = o.get("/my?state=" + __import__("urllib.parse").parse.quote("待录入"))
s.check("/my: the state filter leaves out the record in another state",
        r.status == 200 and f'href="/my/records/{rid}"' not in r.text and r.text.count('class="card my-group"') == len(mine) - 1,
        str(r.text.count('class="card my-group"')))

sup = Client(db)
sup.login("supervisor")
r = sup.get("/")
s.check("an account with nothing to do is told so", r.status == 200 and 'id="todo-empty"' in r.text)
s.check("nobody else's work shows to it", "待录入：" not in r.text and "确认参加" not in r.text)
s.done()
