"""The officer's groups (/my) and the record list (/records) a page at a time (issue 15: a large draw
put hundreds of cards on /my and made /records read every record of the scope): the pages together
show every group or record once, in the list's order, for a county's staff and for its city's
(the two ways the record list is read: its own records, or a wider scope walked in list order);
search and state filters count and page what they match; another county sees none of them."""
import os
import re
import subprocess

from webtest import SPOTCHECK, Client, Suite, pin_today, sql
from fixture_drawn import drawn_db

pin_today("2026-06-15")
s = Suite()


def prepare(db):
    path = os.path.join(os.path.dirname(db), "many.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("对象类型,名称,统一社会信用代码,医保编码,身份证号,所属机构,行政区划,信用风险等级\n")
        for i in range(130):
            f.write(f"定点零售药店,宁晋药店{i:03d},,P13052890{i:03d},,130528,130528,B\n")
    subprocess.run([SPOTCHECK, "import", "targets", path, "--db", db], check=True, capture_output=True)


f = drawn_db(ratio="100%", prepare=prepare)
db, tid, code = f["db"], f["tid"], f["code"]
staff = f["clients"]["staff"]
counts = {}
for t, members in f["groups"].items():
    for m, _ in members:
        counts[m] = counts.get(m, 0) + 1
cert = max((c for c in counts if c.startswith("YB")), key=lambda c: counts[c])
officer = f["officer_user_for"](cert)
mine = [t for (t,) in sql(db, "SELECT m.target_code FROM draw_member m JOIN draw d ON d.id = m.draw_id "
                              "JOIN draw_target dt ON dt.draw_id = d.id AND dt.target_code = m.target_code "
                              "WHERE d.task_code = ? AND d.status = '已抽取' AND m.member_code = ? AND m.status = '在组' "
                              "AND dt.status = '有效' ORDER BY dt.position", (code, cert))]
s.check("the officer is in more than one page of groups", len(mine) > 50, str(len(mine)))


def cards(html):
    return re.findall(r'<dt>检查对象编码</dt><dd class="mono">([^<]+)</dd>', html)


# --- /my: 50 cards a page, every group once, in draw order
seen, page, pages = [], 1, None
while page < 10:
    r = officer.get(f"/my?page={page}")
    got = cards(r.text)
    m = re.search(r"第 (\d+) / (\d+) 页，共 (\d+) 个", r.text)
    pages = int(m.group(2)) if m else None
    s.check(f"/my page {page}: at most 50 cards and the pager", r.status == 200 and 0 < len(got) <= 50 and m
            and int(m.group(3)) == len(mine), f"{r.status} {len(got)} {m and m.group(0)}")
    seen += got
    if not m or page >= pages:
        break
    s.check(f"... page {page} links the next", f'href="/my?page={page + 1}"' in r.text)
    page += 1
s.check("the pages show each of the officer's groups once, in draw order", seen == mine,
        f"{len(seen)} vs {len(mine)}")
r = officer.get(f"/my?page={(pages or 1) + 5}")
s.check("a page past the end shows no card", r.status == 200 and cards(r.text) == [])

# --- /my search and state: counted and paged over what matches
target = mine[57]
r = officer.get(f"/my?q={target}")
s.check("a search by a target's code finds its one card", cards(r.text) == [target]
        and f"显示 1 / 共 {len(mine)} 个" in r.text, r.text[-600:])
r = officer.get("/my?q=%E5%AE%81%E6%99%8B%E8%8D%AF%E5%BA%97")  # 宁晋药店
drug = [t for t in mine if t.startswith("P1305289")]
s.check("a search by part of the name counts every match", f"显示 {len(drug)} / 共 {len(mine)} 个" in r.text
        and len(cards(r.text)) == min(50, len(drug)), str(len(drug)))
r = officer.get("/my?q=%E5%AE%81%E6%99%8B%E8%8D%AF%E5%BA%97&page=2")
s.check("... and its second page keeps the search in the pager's links",
        "q=%E5%AE%81%E6%99%8B%E8%8D%AF%E5%BA%97" in r.text and set(cards(r.text)) <= set(drug)
        and not set(cards(r.text)) & set(cards(officer.get("/my?q=%E5%AE%81%E6%99%8B%E8%8D%AF%E5%BA%97").text)))
r = officer.get("/my?state=%E5%BE%85%E5%BD%95%E5%85%A5")  # 待录入: the records exist from the first look
s.check("the state filter 待录入 matches every group while nothing is entered",
        f"显示 {len(mine)} / 共 {len(mine)} 个" in r.text, r.text[-400:])
r = officer.get("/my?state=%E5%B7%B2%E5%85%AC%E7%A4%BA")  # 已公示
s.check("... and 已公示 none", "显示 0 / 共" in r.text and cards(r.text) == [] and "没有符合条件的检查对象" in r.text)


# --- /records: 100 a page, the same rows for the county and (through the wider scope) its city
def record_ids(client):
    ids, page = [], 1
    while page < 20:
        r = client.get(f"/records?page={page}")
        if r.status != 200:
            return None
        ids += [int(x) for x in re.findall(r'href="/records/(\d+)"', r.text)]
        m = re.search(r"第 (\d+) / (\d+) 页", r.text)
        if not m or page >= int(m.group(2)):
            break
        page += 1
    return list(dict.fromkeys(ids))


expected = [i for (i,) in sql(db, "SELECT r.id FROM record r JOIN draw d ON d.id = r.draw_id JOIN org o ON o.id = r.org_id "
                                  "WHERE o.code = '130528' ORDER BY r.task_id DESC, d.draw_no DESC, r.id")]
county = record_ids(staff)
s.check("the county's records, page by page, in the list's order", len(expected) > 100 and county == expected,
        f"{len(expected)} {len(county or [])}")
city = Client(db)
city.login("city")
s.check("the city's staff page through the same records in the same order", record_ids(city) == expected)
other = Client(db)
other.login("lincheng")
s.check("another county sees none of them", record_ids(other) == [])
r = staff.get(f"/records?task={tid}&status=%E5%BE%85%E5%BD%95%E5%85%A5&page=2")
s.check("a filtered list pages too (second page of 待录入 of the task)", r.status == 200
        and "第 2 / " in r.text and "status=%E5%BE%85%E5%BD%95%E5%85%A5" in r.text, r.text[-400:])
s.done()
