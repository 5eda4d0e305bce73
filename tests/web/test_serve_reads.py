"""A real `spotcheck serve` keeps the expensive reads of the home page's directory counts, the figures and the
deadline dashboard per data version (src/domain/readcache.h, issue 15): views with nothing changed give the same
answer, and an audited change — here a target imported by the command line, another process — shows on the next
view of each. (Through `spotcheck test-http` every request is a new process, so only a real server keeps them.)"""
import http.client
import json
import os
import re
import secrets
import subprocess
from urllib.parse import urlencode
from webtest import SPOTCHECK, PASSWORD, Served, Suite, small_db

s = Suite()
db = small_db()
served = Served(db, {"SPOTCHECK_TODAY": "2026-05-20"})
c = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)


def get(path, cookie=None):
    c.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    r = c.getresponse()
    return r.status, r.read().decode()


def cards(html):
    """{label: count} of the home page's directory cards, and {grade: count} of its grade table."""
    n = {m.group(1): int(m.group(2)) for m in
         re.finditer(r'<span class="stat-label">([^<]+)</span><span class="stat-value">(\d+)</span>', html)}
    g = {m.group(1): int(m.group(2)) for m in re.finditer(r'grade-([ABCD])">[ABCD]</span></td><td>(\d+)</td>', html)}
    return n, g


def coverage_den(body):
    f = {x["key"]: x for x in json.loads(body)["figures"]}
    return f["coverage_institution"]["den"]


with served:
    pre = secrets.token_hex(32)
    c.request("POST", "/login", body=urlencode({"username": "staff", "password": PASSWORD, "csrf": pre}),
              headers={"Cookie": f"sc_pre={pre}", "Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse()
    r.read()
    m = re.search(r"sc_session=([0-9a-f]+)", r.getheader("Set-Cookie") or "")
    cookie = f"sc_session={m.group(1)}" if m else ""
    s.check("staff signs in", r.status == 303 and cookie, str(r.status))

    st, home = get("/", cookie)
    n0, g0 = cards(home)
    s.check("the home page counts the county's institutions and grades", st == 200 and n0.get("定点医疗机构") == 1
            and g0.get("B") == 1, f"{st} {n0} {g0}")
    st2, home2 = get("/", cookie)
    s.check("the same page again (kept counts) is the same", st2 == 200 and cards(home2) == (n0, g0))
    st, fig = get("/api/v1/figures?year=2026", cookie)
    den0 = coverage_den(fig) if st == 200 else None
    s.check("the figures count the institutions of the coverage", den0 == 1, f"{st} {fig[:200]}")
    st, dash = get("/dashboard", cookie)
    s.check("the dashboard answers", st == 200 and "期限" in dash, str(st))

    csv = os.path.join(os.path.dirname(db), "more.csv")
    with open(csv, "w", encoding="utf-8") as f:
        f.write("对象类型,名称,统一社会信用代码,医保编码,身份证号,所属机构,行政区划,信用风险等级\n"
                "定点医疗机构,宁晋县第二医院,12130528MB0000012L,H13052800002,,130528,130528,D\n")
    p = subprocess.run([SPOTCHECK, "import", "targets", csv, "--db", db], capture_output=True,
                       env=dict(os.environ, SPOTCHECK_TODAY="2026-05-20"))
    s.check("a second institution imported by the command line", p.returncode == 0, p.stderr.decode() + p.stdout.decode())

    st, home = get("/", cookie)
    n1, g1 = cards(home)
    s.check("... is counted on the home page at the next view", n1.get("定点医疗机构") == 2 and g1.get("D") == 1,
            f"{n1} {g1}")
    st, fig = get("/api/v1/figures?year=2026", cookie)
    s.check("... and in the figures", st == 200 and coverage_den(fig) == 2, fig[:200])
    st, dash2 = get("/dashboard", cookie)
    s.check("the dashboard still answers", st == 200, str(st))
s.done()
