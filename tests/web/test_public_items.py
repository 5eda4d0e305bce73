"""The public history of the item list (issue 16): each item of /public/items links to its page, which shows
its public fields and every change of them, with the day and the values before and after, read from the
versions the directory keeps (a ratio raised from 3% to 5% is visible to the public, not only internally);
an item taken off the list keeps its page with its status; who changed it is not shown."""
from webtest import Client, Suite, small_db, sql, version_of, pin_today

s = Suite()
today = pin_today("2026-06-15").isoformat()
db = small_db()
admin, anon = Client(db), Client(db)
admin.login("staff")  # items are directory rows: the 检查科室 keeps them
iid, code, ratio = sql(db, "SELECT id, code, coalesce(ratio, '') FROM item WHERE status = '启用' ORDER BY id LIMIT 1")[0]

r = anon.get("/public/items")
s.check("the public list links each item to its page", r.status == 200 and f'href="/public/items/{iid}"' in r.text, str(r.status))
r = anon.get(f"/public/items/{iid}")
s.check("an unchanged item: its fields and no change yet", r.status == 200 and code in r.text and "公布以来没有修改" in r.text, str(r.status))

r = admin.post_json(f"/api/v1/items/{iid}", {"version": int(version_of(db, "item", iid)), "ratio": "5%"}, "PUT")
s.check("the item's ratio is raised to 5% in the directory", r.status == 200, f"{r.status} {r.text[:300]}")
r = anon.get(f"/public/items/{iid}")
row = (f'<td class="nowrap" data-label="项目">抽查比例</td><td data-label="修改前">{ratio}</td>'
       '<td data-label="修改后">5%</td>')
s.check("the public sees the change: 抽查比例 before and after, with its day", r.status == 200 and row in r.text
        and f'<td class="nowrap" data-label="日期">{today}</td>' in r.text, r.text[r.text.find("item-changes"):][:600])
s.check("... not who made it", "科员" not in r.text.split('id="item-changes"')[1] and "staff" not in r.text.split('id="item-changes"')[1])

r = admin.post_json(f"/api/v1/items/{iid}/status", {"status": "停用", "reason": "并入综合检查事项"})
s.check("the item is taken off the list", r.status == 200, f"{r.status} {r.text[:300]}")
s.check("... no longer in the current list", f'href="/public/items/{iid}"' not in anon.get("/public/items").text)
r = anon.get(f"/public/items/{iid}")
s.check("... but its page stays, saying so, with both changes newest first", r.status == 200 and 'id="item-disabled"' in r.text
        and "并入综合检查事项" in r.text and r.text.find("停用") < r.text.find(row), str(r.status))
s.check("an unknown item is 404", anon.get("/public/items/999999").status == 404)
s.done()
