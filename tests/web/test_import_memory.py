"""Bounded memory per import (issue 17): a CSV of 100,000 bad rows (~6 MB, 400,000 problems), a 15 KB xlsx nested two
million elements deep and a valid CSV of 200,000 rows (26 MB, a bulk load) cost less than 100 MB above a small import,
through `spotcheck import` and (the bad rows) through the upload page; the page lists the first 1,000 problems with the total and a link to the full list as CSV
(every problem, one download), and `import --errors FILE` writes the same list."""
import csv
import datetime
import io
import os
import resource
import subprocess
import sys
import tempfile
import zipfile
from webtest import scratch_dir, SPOTCHECK, Suite, Client, small_db, multipart

s = Suite()
db = small_db()
d = scratch_dir("spotcheck-mem-")
BAD_ROWS = 100_000
ERRS = 4 * BAD_ROWS  # each bad row: 统一社会信用代码, 医保编码, 所属机构, 信用风险等级
HEADER = "对象类型,名称,统一社会信用代码,医保编码,身份证号,所属机构,行政区划,信用风险等级\n"
bad = os.path.join(d, "bad.csv")
with open(bad, "w", encoding="utf-8") as f:
    f.write(HEADER)
    for i in range(BAD_ROWS):
        f.write(f"定点医疗机构,机构{i},BAD{i},H1,,999999,999999,Z\n")
small = os.path.join(d, "small.csv")
with open(small, "w", encoding="utf-8") as f:
    f.write(HEADER + "定点医疗机构,小诊所,BAD,H1,,999999,999999,Z\n")
deep = os.path.join(d, "deep.xlsx")
with zipfile.ZipFile(deep, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    n = 2_000_000
    z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               "<sheetData>" + "<x>" * n + "</x>" * n + "</sheetData></worksheet>")


def peak_mb(args, stdin=None):
    """Runs args in a fresh child of a fresh interpreter and returns (its peak RSS in MB, result)."""
    code = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], input=sys.stdin.buffer.read(), capture_output=True); "
            "sys.stdout.buffer.write(b'%d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss + p.stdout); "
            "sys.stderr.buffer.write(p.stderr); sys.exit(p.returncode)")
    # under AddressSanitizer freed memory waits in a 256 MB quarantine: measure without it
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=1")
    p = subprocess.run([sys.executable, "-c", code] + args, input=stdin or b"", capture_output=True, env=env)
    first, _, rest = p.stdout.partition(b"\n")
    return int(first) / 1024, p.returncode, rest, p.stderr


base, _, _, _ = peak_mb([SPOTCHECK, "import", "targets", small, "--db", db])
mb, rc, _, err = peak_mb([SPOTCHECK, "import", "targets", bad, "--db", db, "--errors", os.path.join(d, "all.csv")])
text = err.decode()
s.check("CLI: 100,000 bad rows refused", rc == 1 and f"导入被拒绝: {ERRS} 处错误" in text, text[-300:])
s.check("CLI: the first 1,000 listed, the rest counted", text.count("\n第") + text.startswith("第") == 1000 and
        f"另有 {ERRS - 1000} 处未列出" in text, text[-400:])
s.check(f"CLI: memory under 100 MB above a small import ({mb:.0f} MB vs {base:.0f} MB)", mb - base < 100)
with open(os.path.join(d, "all.csv"), encoding="utf-8-sig") as f:
    rows = list(csv.reader(f))
s.check("CLI: --errors holds every problem with its line", len(rows) == ERRS + 1 and rows[0] == ["行号", "错误"] and
        rows[-1][0] == str(BAD_ROWS + 1), str(rows[:2]))
mb, rc, _, err = peak_mb([SPOTCHECK, "import", "targets", deep, "--db", db])
s.check(f"CLI: a deeply nested xlsx is refused in little memory ({mb:.0f} MB)", rc == 1 and "嵌套" in err.decode() and mb - base < 100,
        err.decode()[-200:])

# the upload page, through test-http (one process per request, so its peak is the request's)
c = Client(db)
c.login("staff")
with open(bad, "rb") as f:
    body, h = multipart({"csrf": c.csrf}, {"file": ("bad.csv", f.read(), "text/csv")})
raw = (f"POST /d/targets/import HTTP/1.1\r\nHost: localhost\r\nCookie: {c.cookie_header()}\r\nContent-Type: {h['Content-Type']}\r\n"
       f"Content-Length: {len(body)}\r\n\r\n").encode() + body
mb, rc, out, _ = peak_mb([SPOTCHECK, "test-http", "--db", db], raw)
page = out.decode("utf-8", "replace")
s.check("page: refused with the total", " 422 " in page.split("\r\n")[0] and f"发现 {ERRS} 处错误" in page, page[:200])
s.check("page: the first 1,000 listed", page.count("<li>第") == 1000 and "下面列出前 1000 处" in page)
s.check(f"page: the answer stays small ({len(out) // 1024} KB) and so does memory ({mb:.0f} MB)", len(out) < 1_000_000 and mb - base < 100)
import re
m = re.search(r'href="(/d/targets/import/errors/[0-9a-f]{32})"', page)
s.check("page: links the full list", m is not None)
if m:
    r = c.get(m.group(1))
    s.check("the full list downloads as CSV with every problem", r.status == 200 and r.text.count("\n") == ERRS + 1, str(r.status))
    s.check("... once", c.get(m.group(1)).status == 404)
    lc = Client(db)
    lc.login("leader")
    s.check("a role that may not import cannot fetch a list", lc.get(m.group(1)).status == 403)
s.check("a made-up token is 404", c.get("/d/targets/import/errors/" + "0" * 32).status == 404)

# A large VALID file (a bulk load into an empty table): its rows go, sorted, to a temporary file in
# runs of 16 MiB instead of staying in memory until the write (issue 17 item 3).
VALID_ROWS = 200_000
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(i):
    """A valid 居民身份证号 (GB 11643) of 宁晋县, one per i < 366,000."""
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=i // 1000)
    body = "130528" + born.strftime("%Y%m%d") + "%03d" % (i % 1000)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS)) % 11]


def valid_file(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write("对象类型,名称,身份证号,所属机构,行政区划,地址,信用风险等级\n")
        for i in range(rows):
            f.write(f"参保人,参保人员{i},{id_number(i)},130528,130528,河北省邢台市宁晋县凤凰镇建设大街{i}号院{i % 97}单元{i % 31}室,B\n")


def empty_db():
    """A database with the orgs and no target: an import into it is a bulk load."""
    path = os.path.join(tempfile.mkdtemp(prefix="spotcheck-mem-db-", dir=d), "e.db")
    orgs = os.path.join(d, "orgs.csv")
    with open(orgs, "w", encoding="utf-8") as f:
        f.write("行政区划代码,机构名称,上级行政区划代码\n130528,宁晋县医疗保障局,\n")
    for args in (["init", "--db", path], ["import", "orgs", orgs, "--db", path]):
        subprocess.run([SPOTCHECK] + args, check=True, capture_output=True)
    return path


few, many = os.path.join(d, "few.csv"), os.path.join(d, "many.csv")
valid_file(few, 100)
valid_file(many, VALID_ROWS)
mb_few, rc_few, _, _ = peak_mb([SPOTCHECK, "import", "targets", few, "--db", empty_db()])
mb, rc, out, err = peak_mb([SPOTCHECK, "import", "targets", many, "--db", empty_db()])
size = os.path.getsize(many) // (1 << 20)
s.check(f"CLI: {VALID_ROWS:,} valid rows ({size} MB) imported", rc_few == 0 and rc == 0 and f"新增 {VALID_ROWS}" in out.decode(),
        (out + err).decode()[-300:])
# With every row kept in memory until the write and a 64 MiB page cache this took +134 MB (release
# build; 1M rows: 485 MB); now one run of 16 MiB, a 16 MiB page cache (dir_io.c) and the sorts of
# the index builds, which spill to files during an import (db_cache_kib): about +43 MB (1M rows:
# 67 MB in all); under AddressSanitizer about +62 MB.
s.check(f"CLI: memory under 100 MB above a small valid import ({mb:.0f} MB vs {mb_few:.0f} MB)", mb - mb_few < 100)
s.done()
