"""A city keeps its counties' daily chain heads (issue 17 item 4, src/domain/anchor.h, sql/057): a city
supervisor records the anchor a county's portal shows (page, API, `spotcheck anchor record`); the same head
twice is one row, a different head for the same county and day is kept beside the first and flagged; the list
warns of counties without a head in the last N working days; `spotcheck anchor check` verifies a county's
database against every recorded head and names the one a truncated log no longer extends. Runs on both
drivers (make test runs it on both)."""
import os
import re
import subprocess
from urllib.parse import urlencode
from webtest import SPOTCHECK, PASSWORD, Client, Suite, request, small_db, sql

s = Suite()
PG = bool(os.environ.get("SPOTCHECK_PG_MAP"))


def sc(*args, stdin=None):
    p = subprocess.run([SPOTCHECK, *args], capture_output=True, text=True, input=stdin)
    return p.returncode, p.stdout + p.stderr


def portal_head(db, day):
    """The anchor the county's portal shows on `day`, as a reader copies it: (HASH@N, N)."""
    r = request(db, "GET", "/public/", env={"SPOTCHECK_TODAY": day})
    m = re.search(r"--anchor ([0-9a-f]{64})@(\d+)", r.text)
    return (f"{m.group(1)}@{m.group(2)}", int(m.group(2))) if m else ("", 0)


# the county's installation: its history up to 12-01, one more change on 12-02
os.environ["SPOTCHECK_TODAY"] = "2026-12-01"
county = small_db()
os.environ["SPOTCHECK_TODAY"] = "2026-12-02"
subprocess.run([SPOTCHECK, "user", "add", "later", "--role", "staff", "--org", "130528", "--password-stdin",
                "--db", county], input=PASSWORD + "\n", text=True, check=True, capture_output=True)
head_a, n_a = portal_head(county, "2026-12-02")  # rows up to 12-01
head_b, n_b = portal_head(county, "2026-12-03")  # and the one of 12-02
s.check("the county portal shows a head each day", n_a > 0 and n_b == n_a + 1, f"{head_a} {head_b}")
txt = request(county, "GET", "/public/anchor.txt", env={"SPOTCHECK_TODAY": "2026-12-08"})
s.check("... and as one line of text for a script", txt.status == 200 and txt.text == f"2026-12-08\t{head_b}\n"
        and txt.header("Content-Type").startswith("text/plain"), txt.text)

# the city's installation (Tuesday 12-08): 邢台市 with 宁晋县 and 临城县 below it. The days are fixed
# (not webtest.pin_today's): the working days counted back from today are part of what is checked.
os.environ["SPOTCHECK_TODAY"] = "2026-12-08"
city = small_db()
for name, role, org in [("citysup", "supervisor", "130500"), ("cityadm", "admin", "130500")]:
    subprocess.run([SPOTCHECK, "user", "add", name, "--role", role, "--org", org, "--password-stdin", "--db", city],
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True)
ningjin = sql(city, "SELECT id FROM org WHERE code = '130528'")[0][0]
sup = Client(city)
s.check("city supervisor logs in", sup.login("citysup").status == 303)

r = sup.get("/anchors")
s.check("the list names the counties below the city", r.status == 200 and "宁晋县医疗保障局" in r.text
        and "临城县医疗保障局" in r.text and 'data-code="130500"' not in r.text, r.text[:300])
s.check("... both without a head in the last 3 working days", 'id="anchors-stale">2 个机构自 2026-12-03 起' in r.text,
        r.text[:2000])

# record from the page
r = sup.form("/anchors", {"org": "130528", "day": "2026-12-02", "head": head_a, "source": "https://ningjin.example/public/"})
s.check("recorded: back to the county's page", r.status == 303 and r.header("Location") == f"/anchors/{ningjin}?ok=anchor",
        f"{r.status} {r.header('Location')} {r.text[:300]}")
city_org = sql(city, "SELECT id FROM org WHERE code = '130500'")[0][0]
rows = sql(city, "SELECT day, n, hash, source, recorded_by, recorder_org_id FROM anchor_head")
s.check("... one row as read, by whom", rows == [("2026-12-02", n_a, head_a[:64], "https://ningjin.example/public/",
                                                  "citysup", city_org)], str(rows))
audit = sql(city, "SELECT actor, entity, org_id FROM audit_log WHERE action = 'anchor.record'")
s.check("... audited anchor.record on the county", audit == [("citysup", "anchor_head", ningjin)], str(audit))

r = sup.form("/anchors", {"org": "130528", "day": "2026-12-02", "head": head_a.upper()})
s.check("the same head again (upper-case hex) is not a second row", r.status == 303 and "ok=anchor_same" in
        (r.header("Location") or "") and sql(city, "SELECT count(*) FROM anchor_head")[0][0] == 1, str(r.status))

# record through the API
r = sup.post_json("/api/v1/anchors", {"org": "130528", "date": "2026-12-03", "head": head_b})
s.check("the API records a head: 201", r.status == 201 and r.json()["n"] == n_b and r.json()["flags"] == [], r.text[:300])

# a second, different head for the same day: kept beside the first and flagged
r = sup.form("/anchors", {"org": "130528", "day": "2026-12-03", "head": head_a})
s.check("a different head for the same day is recorded as a red flag", r.status == 303 and "ok=anchor_flag" in
        (r.header("Location") or ""), f"{r.status} {r.header('Location')}")
rows = sql(city, "SELECT n, hash FROM anchor_head WHERE day = '2026-12-03' ORDER BY id")
s.check("... the first head is kept, not overwritten", rows == [(n_b, head_b[:64]), (n_a, head_a[:64])], str(rows))
r = sup.get(f"/anchors/{ningjin}?ok=anchor_flag")
flagged = re.findall(r'<tr class="row-flag" data-day="([0-9-]+)"', r.text)
s.check("... both heads of that day shown in red", r.status == 200 and flagged == ["2026-12-03", "2026-12-03"]
        and "同一天登记了不同的锚点" in r.text and "与此前登记的锚点矛盾" in r.text, str(flagged))
r = sup.get("/anchors")
s.check("... and the list marks the county", 'id="anchors-flagged">1 个机构' in r.text and "锚点矛盾 2 条" in r.text)
s.check("... still only 临城县 missing for 3 working days", 'id="anchors-stale">1 个机构' in r.text)
r = sup.get("/anchors?days=1")
s.check("?days=1: 宁晋县 (last head 12-03) missing too", 'id="anchors-stale">2 个机构自 2026-12-07 起' in r.text)
r = sup.get("/api/v1/anchors")
c = {x["code"]: x for x in r.json()["counties"]} if r.status == 200 else {}
s.check("the API lists the counties", c.get("130528", {}).get("latest_day") == "2026-12-03" and
        c["130528"]["heads"] == 3 and c["130528"]["flags"] == 2 and c.get("130522", {}).get("stale") is True, r.text[:300])

# refused input: nothing written
n_rows = sql(city, "SELECT count(*) FROM anchor_head")[0][0]
for name, fields, want in [
        ("a malformed head", {"org": "130528", "head": "abc@1"}, "锚点应为"),
        ("a day after today", {"org": "130528", "head": head_a, "day": "2026-12-09"}, "日期不能晚于今天"),
        ("the city's own org", {"org": "130500", "head": head_a}, "这是本机构"),
        ("an unknown org", {"org": "139999", "head": head_a}, "没有这个下级机构")]:
    r = sup.form("/anchors", fields)
    s.check(f"{name} is refused with its reason", r.status == 422 and want in r.text, f"{r.status} {r.text[:200]}")
county_sup = Client(city)
county_sup.login("supervisor")  # 宁晋县's supervisor: 临城县 is not below it
r = county_sup.post_json("/api/v1/anchors", {"org": "130522", "head": head_a})
s.check("a county cannot record its neighbour's head (as an unknown org)", r.status == 422 and
        "没有这个下级机构" in r.text, r.text[:200])
s.check("... nothing written", sql(city, "SELECT count(*) FROM anchor_head")[0][0] == n_rows)

# permissions and CSRF
staff = Client(city)
staff.login("city")  # the city's 检查科室 staff
r = staff.form("/anchors", {"org": "130528", "head": head_a})
s.check("staff may not record (anchor.write: 监督, 系统管理员)", r.status == 403, str(r.status))
s.check("... nor read the list", staff.get("/anchors").status == 403)
adm = Client(city)
adm.login("cityadm")
r = adm.post_json("/api/v1/anchors", {"org": "130522", "head": head_a, "date": "2026-12-07"})
s.check("the city's administrator may", r.status == 201, r.text[:200])
r = adm.post_json("/api/v1/anchors", {"org": "130522", "head": head_b, "date": "2026-12-04"})
s.check("a larger row id on an earlier day: both days flagged (the log shrank)", r.status == 201 and
        [f["code"] for f in r.json()["flags"]] == ["regress"], r.text[:300])
r = sup.get("/api/v1/anchors?org=%d" % sql(city, "SELECT id FROM org WHERE code = '130522'")[0][0])
s.check("... the later day too", r.status == 200 and [(h["day"], [f["code"] for f in h["flags"]]) for h in r.json()["heads"]]
        == [("2026-12-07", ["regress"]), ("2026-12-04", ["regress"])], r.text[:400])
n_rows += 1
r = sup.form("/anchors", {"org": "130522", "head": head_b}, csrf=False)
s.check("a form without the CSRF token is refused", r.status == 403, str(r.status))
r = sup.do("POST", "/api/v1/anchors", '{"org": "130522", "head": "%s"}' % head_b,
           {"Content-Type": "application/json"}, csrf=False)
s.check("an API call without the CSRF header is refused", r.status == 403, str(r.status))
s.check("... nothing written", sql(city, "SELECT count(*) FROM anchor_head")[0][0] == n_rows + 1)

# append-only on either driver
for what, q in [("UPDATE", "UPDATE anchor_head SET n = 1"), ("DELETE", "DELETE FROM anchor_head")]:
    try:
        sql(city, q)
        refused = False
    except Exception as e:  # sqlite3.IntegrityError, or psql's error on PostgreSQL
        refused = "已登记的锚点不能" in str(e)
    s.check(f"the table refuses {what}", refused)

# the command line: record, list
rc, out = sc("anchor", "record", "--db", city, "--org", "130522", "--from", "-", "--source",
             "http://ningjin.example/public/anchor.txt", "--by", "王监督", stdin=txt.text)
s.check("anchor record from the console, reading the portal's anchor.txt", rc == 0 and
        "已登记: 临城县医疗保障局（130522）2026-12-08 的锚点: " f"第 {n_b} 条记录" in out, out)
s.check("... audited as the console's user", sql(city, "SELECT actor FROM audit_log WHERE action = 'anchor.record' "
                                                        "ORDER BY id DESC LIMIT 1") == [("王监督",)])
s.check("... with no recording org", sql(city, "SELECT recorder_org_id FROM anchor_head ORDER BY id DESC LIMIT 1") == [(None,)])
rc, out = sc("anchor", "record", "--db", city, "--org", "130522", "--from", "-", stdin="<html>")
s.check("... something else than anchor.txt exits 1", rc == 1 and "不是公开门户的 anchor.txt" in out, out)
rc, out = sc("anchor", "record", "--db", city, "--org", "130522", "--head", "x@1")
s.check("... a malformed head exits 1 with its reason", rc == 1 and "锚点应为" in out, out)
rc, out = sc("anchor", "record", "--db", city, "--org", "130522")
s.check("... without --head: usage, exit 2", rc == 2, out)
rc, out = sc("anchor", "list", "--db", city)
s.check("anchor list: per county, the red flag", rc == 0 and re.search(r"130528\t宁晋县医疗保障局\t3\t2026-12-03\t.*锚点矛盾 2 条", out)
        and re.search(r"130522\t临城县医疗保障局\t3\t2026-12-08\t.*锚点矛盾 2 条", out), out)
rc, out = sc("anchor", "list", "--db", city, "--org", "130528")
s.check("anchor list --org: every head, flags under them", rc == 0 and out.count("红旗: 同一天登记了不同的锚点") == 2, out)

# the check: the county's database against every head the city recorded
rc, out = sc("anchor", "check", "--org", "130528", "--db", county, "--anchors-from", city)
s.check("anchor check: every head extended", rc == 0 and "共 3 个已登记的锚点: 一致 3 个，不符 0 个" in out, out)
rc, out = sc("anchor", "check", "--org", "139999", "--db", county, "--anchors-from", city)
s.check("... an org the city does not know: exit 1", rc == 1 and "没有机构 139999" in out, out)

# the county truncates its audit log's tail (with the append-only trigger out of the way)
if PG:
    sql(county, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_delete")
else:
    sql(county, "DROP TRIGGER audit_log_no_delete")
sql(county, "DELETE FROM audit_log WHERE id > ?", (n_a,))
rc, out = sc("audit", "verify", "--db", county)
s.check("the cut log still passes audit verify alone", "审计日志完整" in out, out)
rc, out = sc("anchor", "check", "--org", "130528", "--db", county, "--anchors-from", city)
s.check("anchor check reports the broken head and exits 1", rc == 1 and
        f"锚点 2026-12-03 第 {n_b} 条记录: 不符——审计日志中没有第 {n_b} 条记录" in out and
        "一致 2 个，不符 1 个" in out, out)
s.check("... and the heads the cut log still extends", f"锚点 2026-12-02 第 {n_a} 条记录: 一致" in out, out)
s.done()
