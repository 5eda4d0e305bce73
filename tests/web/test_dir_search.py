"""The directory search through the search index (issue 15 item 3, sql/033): name and address
fragments (3+ characters through the trigram index, 1–2 compared row by row, in windows on a long
list), code prefixes, the jurisdiction, search syntax typed as text, edits and deletions kept in
the index by its triggers, the capped total and the numbered pages."""
import os
import re
import dbtool
import subprocess
import tempfile
from urllib.parse import quote
from webtest import scratch_dir, SPOTCHECK, PASSWORD, Client, Suite, small_db, ids, sql, version_of

s = Suite()
ROOT = os.environ.get("SPOTCHECK_ROOT") or os.path.join(os.path.dirname(__file__), "..", "..")


def listed(r):
    """The row ids a list page links to (two cells of a row link to it), in page order."""
    return list(dict.fromkeys(int(x) for x in re.findall(r'href="/d/(?:targets|officers)/(\d+)"', r.text)))


def api_ids(client, query):
    r = client.get("/api/v1/targets?" + query)
    return r, [row["id"] for row in r.json()["rows"]] if r.status == 200 else []


def walk(client, query):
    """Every id a list shows, following next_after to the end (the API's keyset links)."""
    got, after, pages = [], None, 0
    while True:
        r, page = api_ids(client, query + (f"&after={after}" if after else ""))
        got += page
        pages += 1
        after = r.json().get("next_after")
        if not after or pages > 100:
            return got, pages


def q(text):
    return quote(text, safe="")


# ---- the small database: every case on a few rows ----
db = small_db()
staff, leader, lincheng, city = Client(db), Client(db), Client(db), Client(db)
for c, name in ((staff, "staff"), (leader, "leader"), (lincheng, "lincheng"), (city, "city")):
    c.login(name)
hospital = ids(db, "SELECT id FROM target WHERE code = 'H13052800001'")[0]
clinic = ids(db, "SELECT id FROM target WHERE code = 'H13052200001'")[0]
company = ids(db, "SELECT id FROM target WHERE name = '宁晋某公司'")[0]

r = staff.form("/d/targets/new", {"kind": "employer", "name": '星光"OR*NEAR(百货)商行', "uscc": "91310115MA1K3BTP2B",
                                  "org_id": "130528", "region": "130528", "grade": "B", "address": "宁晋县凤凰镇建设街88号"})
s.check("a target with search syntax in its name and an address is created", r.status == 303, r.text[:200])
odd = int(re.search(r"/d/targets/(\d+)", r.header("Location")).group(1))

r = staff.get("/d/targets?q=" + q("人民医院"))
s.check("a name fragment of 4 characters finds the hospital only", listed(r) == [hospital], str(listed(r)))
s.check("its total and page", "共 1 条，第 1 / 1 页" in r.text)
r = staff.get("/d/targets?q=" + q("人民"))
s.check("a 2-character fragment finds it too (short list: compared row by row, counted)",
        listed(r) == [hospital] and "共 1 条" in r.text and 'id="scan-note"' not in r.text, str(listed(r)))
r = staff.get("/d/targets?q=" + q("医"))
s.check("a 1-character fragment", listed(r) == [hospital])
r = staff.get("/d/targets?q=" + q("凤凰镇建设"))
s.check("an address fragment finds the row for a reader who sees addresses", listed(r) == [odd], str(listed(r)))
r = staff.get("/d/targets?q=" + q("凤凰"))
s.check("a 2-character address fragment as well", listed(r) == [odd], str(listed(r)))
r = leader.get("/d/targets?q=" + q("凤凰镇建设"))
s.check("a reader who sees no addresses cannot search them (no way to probe a hidden address)",
        r.status == 200 and listed(r) == [], str(listed(r)))
r = leader.get("/d/targets?q=" + q("凤凰"))
s.check("nor by a short fragment", r.status == 200 and listed(r) == [])
r = leader.get("/d/targets?q=" + q("人民医院"))
s.check("that reader still finds names", listed(r) == [hospital])

r = staff.get("/d/targets?q=H1305280000")
s.check("a code prefix finds the code", listed(r) == [hospital], str(listed(r)))
r = staff.get("/d/targets?q=h13052800001")
s.check("in lower case too (codes are stored in upper case)", listed(r) == [hospital])
r = staff.get("/d/targets?q=3052800001")
s.check("a code is matched by its prefix, not the middle", listed(r) == [])
r = staff.get("/d/targets?q=H1")
s.check("a 2-character code prefix (row by row) finds the county's own institution", listed(r) == [hospital], str(listed(r)))
r = staff.get("/d/targets?q=H13052200001")
s.check("a code that only matches in another county is not found", r.status == 200 and listed(r) == [] and "共 0 条" in r.text)
r = lincheng.get("/d/targets?q=H13052800001")
s.check("nor from that county (the jurisdiction holds for the index too)", listed(r) == [])
r = lincheng.get("/d/targets?q=" + q("人民医院"))
s.check("nor by a name fragment through the index", listed(r) == [])
r = lincheng.get("/d/targets?q=" + q("人民"))
s.check("nor by a short fragment", listed(r) == [])
r = city.get("/d/targets?q=H1305")
s.check("the city finds both counties' codes", sorted(listed(r)) == sorted([hospital, clinic]), str(listed(r)))
r = staff.get("/d/targets?q=" + q("11010519491231"))
s.check("an insured person's ID number is not searched (pseudonymised codes only)", listed(r) == [])
pseudo = ids(db, "SELECT code FROM target WHERE kind = 'insured'")[0]
r = staff.get("/d/targets?q=" + pseudo[:6])
s.check("the insured person is found by the pseudonym's prefix, the name masked",
        len(listed(r)) == 1 and "张三丰" not in r.text and "张**" in r.text)
for frag in ("张三丰", "张三", "三丰"):  # the index (3+) and the row-by-row search (1-2) alike
    r = staff.get("/d/targets?q=" + q(frag))
    s.check(f"an insured person's name ({frag}) finds nothing: no existence oracle by name", listed(r) == [], str(listed(r)))

for text in ['"', '""', "'", '*', "OR", "a OR b", "NEAR(", 'NEAR("a" "b")', '"大药房" OR "医院"', "人民医院*", "-人民",
             "{name}: 人民", "name:人民医院", "'; DROP TABLE target; --", "\\", "%", "_", "%人民%", "^人民", "人民 医院", "（）"]:
    r = staff.get("/d/targets?q=" + q(text))
    a = staff.get("/api/v1/targets?q=" + q(text))
    s.check(f"q={text!r} is plain text: 200, no error", r.status == 200 and a.status == 200 and 'id="dir-table"' in r.text,
            f"{r.status} {a.status} {r.text[:200]}")
s.check("the target table is still there", ids(db, "SELECT count(*) FROM target")[0] >= 5)
for text, want in (('"OR*NEAR(', [odd]), ("NEAR(百货)", [odd]), ('光"O', [odd]), ("OR*", [odd]), ("百货)商", [odd]),
                   ("人民医院*", []), ("%人民%", []), ('"人民医院"', [])):
    r = staff.get("/d/targets?q=" + q(text))
    s.check(f"q={text!r} matches the characters as typed", listed(r) == want, str(listed(r)))

# edits and deletions reach the index (triggers)
r = staff.form(f"/d/targets/{company}/edit", {"version": version_of(db, "target", company), "kind": "employer",
                                               "name": "宁晋恒远纺织有限公司", "uscc": "91110000600037341L", "org_id": "130528",
                                               "region": "130528", "grade": "C", "address": "宁晋县唐邱镇新华街7号"})
s.check("a rename saves", r.status == 303, r.text[:300])
s.check("the new name is found", listed(staff.get("/d/targets?q=" + q("恒远纺织"))) == [company])
s.check("the old name no longer", listed(staff.get("/d/targets?q=" + q("宁晋某公司"))) == [])
s.check("the new address is found", listed(staff.get("/d/targets?q=" + q("唐邱镇新华"))) == [company])
r = staff.form(f"/d/targets/{company}/status", {"status": "停业", "reason": "停业整顿"})
s.check("a status change (no searched column) keeps the row findable",
        r.status == 303 and listed(staff.get("/d/targets?q=" + q("恒远纺织"))) == [company])
sql(db, "DELETE FROM target WHERE id = ?", (odd,))
s.check("a deleted row leaves the index", listed(staff.get("/d/targets?q=" + q("NEAR(百货)"))) == [])
if dbtool.on_pg():
    # the search is pg_trgm indexes on the tables themselves, kept by the server: no separate index
    # whose agreement with its table could be checked
    print("skip [postgresql] FTS5 integrity-check (the search indexes are the tables' own GIN indexes)")
else:
    sql(db, "INSERT INTO target_search(target_search) VALUES ('integrity-check')")
    sql(db, "INSERT INTO officer_search(officer_search) VALUES ('integrity-check')")
    s.check("the indexes agree with their tables after the edits (FTS5 integrity-check)", True)

# officers: the same engine, names through officer_search, 执法证号 by prefix
r = staff.get("/d/officers?q=" + q("王执法"))
s.check("an officer by a 3-character name", len(listed(r)) == 1 and "王执法" in r.text)
r = staff.get("/d/officers?q=" + q("执法"))
s.check("by 2 characters: only the county's own officer", len(listed(r)) == 1 and "临城执法" not in r.text)
r = city.get("/d/officers?q=yb00")
s.check("the city finds both by a lower-case 执法证号 prefix", len(listed(r)) == 2, str(listed(r)))
r = staff.get("/d/experts?q=" + q("专家"))
s.check("a kind without an index still searches by LIKE", r.status == 200 and "李专家" in r.text)

# ---- a list longer than a window: 60,000 targets (bench/import/gen.py) ----
d = scratch_dir("spotcheck-search-")
big = os.path.join(d, "big.db")
subprocess.run(["python3", os.path.join(ROOT, "bench", "import", "gen.py"), d, "60000"], check=True, capture_output=True)
subprocess.run([SPOTCHECK, "init", "--db", big], check=True, capture_output=True)
for kind in ("orgs", "tags", "targets"):
    p = subprocess.run([SPOTCHECK, "import", kind, os.path.join(d, kind + ".csv"), "--db", big], capture_output=True)
    assert p.returncode == 0, p.stderr.decode()
subprocess.run([SPOTCHECK, "user", "add", "staff", "--role", "staff", "--org", "130528", "--password-stdin", "--db", big],
               input=(PASSWORD + "\n").encode(), check=True, capture_output=True)
b = Client(big)
b.login("staff")
if dbtool.on_pg():
    s.check("the bulk import put the search indexes back",
            sql(big, "SELECT count(*) FROM pg_indexes WHERE tablename = 'target' AND indexname LIKE 'target_search%'")[0][0] == 2)
else:
    s.check("the bulk import built the index in one pass and put its triggers back",
            len([t for t in dbtool.triggers(big, "target") if t.startswith("target_search_")]) == 3)
    # rank 1: the index is checked against the rows of its content (the view), not only in itself: the
    # bulk import built it beside the load and copied it in (db_sqlite_search.c)
    sql(big, "INSERT INTO target_search(target_search, rank) VALUES ('integrity-check', 1)")
    hashsize = sql(big, "SELECT v FROM target_search_config WHERE k = 'hashsize'")
    s.check("the bulk build's larger FTS5 hash is not left as the index's setting (default 1 MiB)",
            not hashsize or hashsize[0][0] == 1048576, str(hashsize))


def truth(where, *args):
    return [row[0] for row in sql(big, f"SELECT id FROM target WHERE {where} ORDER BY id", args)]


want = truth("name LIKE '%凤凰中心%' OR address LIKE '%凤凰中心%'")
r = b.get("/d/targets?q=" + q("凤凰中心"))
s.check("a 4-character fragment on 60,000 rows: exact total", f"共 {len(want)} 条" in r.text and len(want) > 50, str(len(want)))
got, pages = walk(b, "q=" + q("凤凰中心"))
s.check("following 下一页 lists every match once, in id order", got == want, f"{len(got)} vs {len(want)}")
npages = (len(want) + 49) // 50
s.check("numbered pages", f"第 1 / {npages} 页" in r.text and 'href="/d/targets?page=2&amp;q=' in r.text and 'rel="last"' in r.text)
r, p2 = api_ids(b, "q=" + q("凤凰中心") + "&page=2")
s.check("page 2 by number is the second 50", p2 == want[50:100] and r.json()["page"] == 2 and r.json()["pages"] == npages)
r, last = api_ids(b, "q=" + q("凤凰中心") + "&last=1")
s.check("末页 holds the rest after the full pages", last == want[50 * (npages - 1):] and r.json()["page"] == npages)
prev = r.json()["prev_before"]
r, before = api_ids(b, "q=" + q("凤凰中心") + f"&before={prev}")
s.check("上一页 from there lines up with the numbers", before == want[50 * (npages - 2):50 * (npages - 1)])
page = b.get("/d/targets?q=" + q("凤凰中心") + "&last=1")
s.check("the last page's links: 首页 and 上一页, no 下一页", 'rel="first"' in page.text and 'rel="prev"' in page.text
        and 'rel="next"' not in page.text and f"第 {npages} / {npages} 页" in page.text)

r = b.get("/d/targets?q=" + q("宁晋县"))
s.check("a fragment in every row: 超过 10000 条, the first page at once", "超过 10000 条" in r.text and len(listed(r)) == 50)
r, _ = api_ids(b, "q=" + q("宁晋县"))
s.check("the API says the total is capped", r.json()["total"] == 10000 and r.json()["total_capped"] is True and r.json()["pages"] is None)
r = b.get("/d/targets")
s.check("the unfiltered list: 超过 10000 条 with page numbers from the start",
        "超过 10000 条，第 1 页" in r.text and 'href="/d/targets?page=4"' in r.text and 'rel="last"' in r.text)
r, deep = api_ids(b, "page=200")
s.check("page 200 by number (the last counted) is rows 9951-10000", deep == truth("1=1")[9950:10000])
r = b.get("/d/targets?page=200")
s.check("its numbers stop at the last page counted", 'href="/d/targets?page=199"' in r.text and 'href="/d/targets?page=201"' not in r.text)

# (an insured person's name is not searched: the fragment is a clinic's)
short = truth("kind <> 'insured' AND (name LIKE '%仁和%' OR address LIKE '%仁和%')")
r = b.get("/d/targets?q=" + q("仁和"))
s.check("a 2-character fragment on a long list: the window note, no total, 继续查找",
        'id="scan-note"' in r.text and "不足 3 个字" in r.text and "共 " not in r.text and "继续查找" in r.text, r.text[-800:])
got, pages = walk(b, "q=" + q("仁和"))
s.check("continuing window by window finds every match once", got == short and len(short) > 0, f"{len(got)} vs {len(short)}")
s.check("over at least two windows (60,000 rows, 50,000 a window; 50 matches a page)",
        pages >= 2 and pages >= (len(short) + 49) // 50, str(pages))
r, _ = api_ids(b, "q=" + q("王伟"))
s.check("the API says nothing was counted", r.json()["total"] is None and r.json()["scan_window"] == 50000)
r = b.get("/d/targets?q=" + q("王伟") + "&kind=institution")
s.check("with a filter narrowing the list below a window: searched at once and counted",
        'id="scan-note"' not in r.text and "共 0 条" in r.text)
s.done()
