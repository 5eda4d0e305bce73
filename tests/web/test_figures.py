"""The year's figures (/figures, /figures.xlsx, /api/v1/figures) on a real drawn joint task
(tests/web/fixture_drawn.py: its joint dept confirmed): 1 check, 1 joint, 100% joint. Then
records, violations, follow-ups and a second check are INSERTED DIRECTLY IN SQL, because the
record, review/publication and follow-up modules are built in parallel with this one; the test
checks every figure's numerator and denominator against those known rows, the count tables, the
over-cap list (insured persons by code only), the SVG charts as XML, the xlsx workbook, the
permissions and the org scope."""
import datetime
import io
import re
import xml.etree.ElementTree as ET
import zipfile

from fixture_drawn import drawn_db, sql
from webtest import Client, Suite, pin_today

s = Suite()
SVG_NS = "{http://www.w3.org/2000/svg}"


def figures(client, year):
    r = client.get(f"/api/v1/figures?year={year}")
    s.check(f"api figures {year} 200", r.status == 200, f"{r.status} {r.text[:200]}")
    j = r.json()
    return j, {f["key"]: f for f in j["figures"]}


def fig(f, key, num, den, ratio, met):
    x = f[key]
    s.check(f"{key} = {num}/{den} {ratio} met={met}",
            (x["num"], x["den"], x["ratio"], x["met"]) == (num, den, ratio, met),
            str((x["num"], x["den"], x["ratio"], x["met"])))


# a drawn task of the year the draw is held in (its plan of the same year gives the coverage goal)
year = str(pin_today("2026-06-15").year)
fx = drawn_db(year=year)
db, tid, code = fx["db"], fx["tid"], fx["code"]
s.check("the draw is held this year", sql(db, "SELECT substr(drawn_at, 1, 4) FROM draw WHERE status = '已抽取'")[0][0] == year)
staff = fx["clients"]["staff"]
draw_id = sql(db, "SELECT id FROM draw WHERE task_code = ? AND status = '已抽取'", (code,))[0][0]
drawn = [t for (t,) in sql(db, "SELECT target_code FROM draw_target WHERE draw_id = ? AND status = '有效' ORDER BY position",
                          (draw_id,))]
s.check("fixture drew 3 targets", len(drawn) == 3, str(drawn))
s.check("fixture joint dept confirmed",
        sql(db, "SELECT count(*) FROM task_joint WHERE task_id = ? AND status = '已确认'", (tid,))[0][0] == 1)

# ---- the real drawn joint task alone ----
j, f = figures(staff, year)
s.check("1 check, 1 joint", (j["counts"]["checks"], j["counts"]["joint_checks"]) == (1, 1), str(j["counts"]))
fig(f, "checks_joint", 1, 1, "100.0%", True)
fig(f, "targets_joint", 3, 3, "100.0%", True)
fig(f, "checks_graded", 0, 1, "0.0%", False)      # one ratio for every grade: not graded
fig(f, "completion", 0, 3, "0.0%", None)
fig(f, "findings", 0, 0, "—", None)               # zero denominator: "—", never 0% or 100%
fig(f, "closure_findings", 0, 0, "—", None)
fig(f, "closure_all", 0, 0, "—", None)
inst = "H13052800001"
s.check("institution drawn", inst in drawn, str(drawn))
fig(f, "coverage", 1, 1, "100.0%", True)           # the county's one institution, drawn
s.check("coverage goal from the published plan row (100%)", f["coverage"]["goal"] and "100%" in f["coverage"]["goal"],
        str(f["coverage"]["goal"]))
s.check("coverage goal rows listed", len(j["plan_rows"]) == 1 and j["plan_rows"][0]["ratio"] == "100%", str(j["plan_rows"]))
fig(f, "coverage_pharmacy", 0, 0, "—", None)
s.check("no pharmacy: no goal", f["coverage_pharmacy"]["goal"] is None and f["coverage_pharmacy"]["met_text"] == "无目标")
s.check("no over-cap yet", j["over_cap"] == [], str(j["over_cap"]))

# ---- records, violations and follow-ups, inserted directly (those modules are built in parallel) ----
insured = [t for t in drawn if t.startswith("R")][0]
employer = [t for t in drawn if t not in (inst, insured)][0]
insured_name = sql(db, "SELECT name FROM target WHERE code = ?", (insured,))[0][0]


def record(target, status, results):
    # findings as publication decides them (result.h): any category but 未发现问题 (01) here
    findings = 1 if status == "已公示" and results != "01" else 0
    sql(db, "INSERT INTO record(task_id, draw_id, org_id, target_code, target_id, status, result_codes, findings) "
            "VALUES (?, ?, 2, ?, (SELECT id FROM target WHERE code = ?), ?, ?, ?)",
        (tid, draw_id, target, target, status, results, findings))
    return sql(db, "SELECT id FROM record WHERE draw_id = ? AND target_code = ?", (draw_id, target))[0][0]


r_inst = record(inst, "已公示", "02,0201")     # a finding; one follow-up closed, one open → not closed
r_emp = record(employer, "已公示", "01")        # 未发现问题; its only follow-up closed → closed, not a finding
r_ins = record(insured, "审核通过", "03")       # not published: counts nowhere but in the denominator
for rid, cat, cents, st in ((r_inst, "38(1)", 100000, "有效"), (r_inst, "38(3)", 250, "有效"), (r_inst, "38(1)", 999, "已撤销"),
                            (r_ins, "39(1)", 500, "有效")):
    sql(db, "INSERT INTO record_violation(record_id, category, amount_cents, status) VALUES (?, ?, ?, ?)", (rid, cat, cents, st))
for rid, st in ((r_inst, "已完结"), (r_inst, "未完结"), (r_emp, "已完结")):
    sql(db, "INSERT INTO followup(record_id, org_id, option, status, opened_on) VALUES (?, 2, '03', ?, '2026-01-05')", (rid, st))

j, f = figures(staff, year)
fig(f, "completion", 2, 3, "66.6%", None)          # truncated, not rounded
fig(f, "findings", 1, 2, "50.0%", None)
fig(f, "closure_findings", 0, 1, "0.0%", None)     # one follow-up still open
fig(f, "closure_all", 1, 2, "50.0%", None)
rc = {x["code"]: x["count"] for x in j["result_counts"]}
s.check("result counts 01:1 02:1 0201:1 03:0", (rc.get("01"), rc.get("02"), rc.get("0201"), rc.get("03")) == (1, 1, 1, 0), str(rc))
labels = [x["label"] for x in j["result_counts"]]
s.check("result categories in file order", labels[:3] == ["未发现问题", "发现问题待后续处理", "违反医疗保障相关规定"], str(labels[:3]))
vc = {x["code"]: (x["count"], x["amount"]) for x in j["violation_counts"]}
s.check("violations 38(1): 1, 1000.00 (withdrawn one not counted)", vc.get("38(1)") == (1, "1000.00"), str(vc.get("38(1)")))
s.check("violations 38(3): 1, 2.50", vc.get("38(3)") == (1, "2.50"), str(vc.get("38(3)")))
s.check("violations of unpublished records not counted", vc.get("39(1)") == (0, "0.00"), str(vc.get("39(1)")))
s.check("violation categories in file order", j["violation_counts"][0]["code"] == "38(1)", j["violation_counts"][0]["code"])

# the last follow-up closes: closure 1/1
sql(db, "UPDATE followup SET status = '已完结' WHERE record_id = ?", (r_inst,))
j, f = figures(staff, year)
fig(f, "closure_findings", 1, 1, "100.0%", None)
fig(f, "closure_all", 2, 2, "100.0%", None)

# ---- a second check on the same targets, inserted directly: an approved ad-hoc task and a held
#      draw with grade-specific ratios; not joint ----
sql(db, "INSERT INTO plan_adhoc(org_id, code, name, source, reason, month_from, month_to, status) "
        "VALUES (2, 'LS' || ? || '901', '投诉核查', '投诉举报', '群众投诉', ? || '-01', ? || '-12', '已批准')", (year, year, year))
code2 = f"LS{year}901"
sql(db, "INSERT INTO task(org_id, code, adhoc_id, name, kind, ratio, month_from, month_to) "
        "VALUES (2, ?, (SELECT id FROM plan_adhoc WHERE code = ?), '投诉核查', '临时', '10%', ? || '-01', ? || '-12')",
    (code2, code2, year, year))
params2 = '{"ratios":{"*":"3%","C":"30%"}}'
# the frozen population's strata: the figures rebuild the record's strata list from them and params
freeze2 = '{"params":' + params2 + ',"population":{"count":3,"strata":{"B":2,"C":1}}}'
sql(db, "INSERT INTO draw(task_code, draw_no, status, draw_date, params, population_sha256, population_count, officers_sha256, "
        "commitment, secret, randomness_source, freeze_json, freeze_sha256, frozen_at, drawn_at) "
        "VALUES (?, 1, '已抽取', ? || '-01-20', ?, 'x', 3, 'x', 'x', 'x', 'x', ?, 'x', ? || '-01-10', ? || '-01-20T10:00:00')",
    (code2, year, params2, freeze2, year, year))  # no record (draw_record): the figures do not read it
draw2 = sql(db, "SELECT id FROM draw WHERE task_code = ?", (code2,))[0][0]
for pos, t, st in ((0, inst, "有效"), (1, insured, "有效"), (2, employer, "已替换")):
    sql(db, "INSERT INTO draw_target(draw_id, position, target_code, stratum, ticket, origin, status) VALUES (?, ?, ?, 'B', '0.1', '抽中', ?)",
        (draw2, pos, t, st))

j, f = figures(staff, year)
s.check("2 checks, 1 joint", (j["counts"]["checks"], j["counts"]["joint_checks"]) == (2, 1), str(j["counts"]))
fig(f, "checks_joint", 1, 2, "50.0%", False)       # goal ≥ 60%
fig(f, "targets_joint", 3, 5, "60.0%", True)       # goal ≥ 50%; replaced target not counted
fig(f, "checks_graded", 1, 2, "50.0%", False)      # goal ≥ 90%
s.check("graded check named", [g["task_code"] for g in j["graded"]] == [code2], str(j["graded"]))
fig(f, "completion", 2, 5, "40.0%", None)
fig(f, "coverage", 1, 1, "100.0%", True)
jan = j["months"][0]["checks"]
s.check("January counts the second check", jan >= 1, str(j["months"]))
s.check("months add up to the checks", sum(m["checks"] for m in j["months"]) == 2, str(j["months"]))
over = {o["target_code"]: o for o in j["over_cap"]}
s.check("over-cap: the institution and the insured person, not the replaced employer",
        set(over) == {inst, insured}, str(list(over)))
s.check("over-cap times and tasks", over[inst]["times"] == 2 and code in over[inst]["tasks"] and code2 in over[inst]["tasks"],
        str(over.get(inst)))
s.check("over-cap insured person: no name", over[insured]["name"] is None and over[insured]["kind"] == "insured",
        str(over.get(insured)))
s.check("over-cap institution named", over[inst]["name"], str(over.get(inst)))

# ---- the page ----
r = staff.get(f"/figures?year={year}")
s.check("page 200", r.status == 200, str(r.status))
page = r.text
s.check("page names the figures and goals", all(x in page for x in ("联合抽查占比", "≥ 60%", "≥ 90%", "未达标", "达标")))
s.check("page shows numerator and denominator", re.search(r'data-key="checks_joint".*?data-num>1<.*?data-den>2<.*?50\.0%', page, re.S)
        is not None)
s.check("page: insured person's name absent", insured_name not in page)
s.check("page: insured code listed", insured in page)
svgs = re.findall(r"<svg\b.*?</svg>", page, re.S)
s.check("page has SVG charts (one per figure + months + 2 count charts)", len(svgs) == len(j["figures"]) + 3, str(len(svgs)))
ok = True
for x in svgs:
    try:
        root = ET.fromstring(x)
        ok &= root.tag == SVG_NS + "svg" and root.get("role") == "img" and root.find(SVG_NS + "title") is not None
        ok &= "style" not in x and root.get("width") == "100%" and root.get("viewBox") is not None
    except ET.ParseError as e:
        ok = False
        print("parse error", e, x[:300])
s.check("every SVG is well-formed XML with role=img, <title>, viewBox, width 100%, no style", ok)
s.check("no inline script or style attribute on the page", "<script>" not in page and " style=" not in page)
s.check("year selector", f'<option value="{year}" selected>' in page)

# an SVG label with <&" from reference data stays escaped and well-formed
sql(db, "UPDATE refdata SET label = '违规<b>&\"x\"' WHERE set_name = 'violation_categories' AND code = '38(1)'")
r = staff.get(f"/figures?year={year}")
svgs = re.findall(r"<svg\b.*?</svg>", r.text, re.S)
try:
    parsed = [ET.fromstring(x) for x in svgs]
    s.check("label with <&\" escaped in SVG", "<b>" not in r.text and any("违规<b>&\"x\"" in "".join(e.itertext()) for e in parsed))
except ET.ParseError as e:
    s.check("label with <&\" escaped in SVG", False, str(e))

# ---- the xlsx ----
r = staff.get(f"/figures.xlsx?year={year}")
s.check("xlsx 200", r.status == 200 and "spreadsheetml" in (r.header("Content-Type") or ""), f"{r.status} {r.header('Content-Type')}")
try:
    z = zipfile.ZipFile(io.BytesIO(r.body))
    names = z.namelist()
    wb = z.read("xl/workbook.xml").decode()
    sheets = [z.read(n).decode() for n in sorted(n for n in names if n.startswith("xl/worksheets/sheet"))]
    s.check("xlsx sheets", all(n in wb for n in ("指标", "检查结果类别", "违法行为类别", "各月抽查次数", "超过年度上限")), wb[:300])
    s.check("figures sheet holds the header and the figure names",
            all(n in sheets[0] for n in ("名称", "分子", "分母", "比例", "目标", "是否达标", "联合抽查占比", "运用信用风险分类结果的抽查占比")))
    s.check("over-cap sheet lists the targets", inst in sheets[4] and insured in sheets[4])
    s.check("xlsx: insured person's name absent", all(insured_name not in x for x in sheets))
    s.check("the substitutions sheet lists the drawn task", "递补与重新抽取" in wb and code in sheets[5], wb[:400])
except (zipfile.BadZipFile, KeyError, IndexError) as e:
    s.check("xlsx opens", False, str(e))
s.check("xlsx export audited", sql(db, "SELECT count(*) FROM audit_log WHERE action = 'export.figures'")[0][0] >= 1)

# ---- years, permissions, scope ----
j, f = figures(staff, 2001)
s.check("an empty year: 0 checks", j["counts"]["checks"] == 0)
fig(f, "checks_joint", 0, 0, "—", None)
s.check("an empty year: no fake met", all(x["met"] is None for x in j["figures"]))
s.check("bad year 400", staff.get("/api/v1/figures?year=abc").status == 400)
s.check("bad year page 400", staff.get("/figures?year=20x6").status == 400)

officer = fx["officer_user_for"](fx["groups"][inst][0][0])
for path in ("/figures", f"/figures.xlsx?year={year}", f"/api/v1/figures?year={year}"):
    s.check(f"officer 403 {path}", officer.get(path).status == 403)
    r = Client(db).get(path)
    s.check(f"anonymous needs login {path}",
            r.status == 401 or (r.status == 303 and (r.header("Location") or "").startswith("/login?next=")), str(r.status))
for who in ("leader", "supervisor", "admin"):
    c = Client(db)
    c.login(who)
    s.check(f"{who} reads the figures", c.get(f"/figures?year={year}").status == 200)

other = Client(db)
other.login("lincheng")
j, f = figures(other, year)
s.check("another county sees zero checks", j["counts"]["checks"] == 0 and j["over_cap"] == [], str(j["counts"]))
s.check("another county: every ratio without its own data is —", f["checks_joint"]["ratio"] == "—" and f["completion"]["ratio"] == "—")
s.check("another county: its own institution not covered", (f["coverage"]["num"], f["coverage"]["den"]) == (0, 1),
        str(f["coverage"]))
s.check("another county: no insured code on its page", insured not in other.get(f"/figures?year={year}").text)
city = Client(db)
city.login("city")
j, f = figures(city, year)
s.check("the city sees the county's checks", j["counts"]["checks"] == 2, str(j["counts"]))
s.done()
