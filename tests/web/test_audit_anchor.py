"""Anchors of the audit log (issue 17): the public portal shows each day the last row written before that
day (id and hash), every 公告 prints its freeze's audit row, and `audit verify --anchor HASH@N` proves the
chain still extends what was published. A chain edited and carefully recomputed from an earlier row, or cut
off before the anchor, still passes `audit verify` alone — and fails with the anchor."""
import os
import re
import dbtool
import subprocess
import sys
from webtest import SPOTCHECK, Suite, Client, request, sql
from fixture_drawn import drawn_db

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
from verify_audit import row_hash  # noqa: E402  (the documented rule, independent of the C code)

s = Suite()
f = drawn_db()
db, tid = f["db"], f["tid"]
today = os.environ.get("SPOTCHECK_TODAY", "")[:10] or __import__("datetime").date.today().isoformat()

r = request(db, "GET", "/public/")
want = sql(db, "SELECT id, hash FROM audit_log WHERE at < ? ORDER BY id DESC LIMIT 1", (today,))
s.check("the portal shows the day's anchor: the last row before today", r.status == 200 and want and
        f"共 <strong>{want[0][0]}</strong> 条记录" in r.text and want[0][1] in r.text, str(want))
s.check("... with the command to check it", want and f"--anchor {want[0][1]}@{want[0][0]}" in r.text)

r = request(db, "GET", f"/public/tasks/{tid}/announcement.txt")
m = re.search(r"冻结记入审计日志第 (\d+) 条，摘要 ([0-9a-f]{64})", r.text)
s.check("the 公告 prints its freeze's audit row", r.status == 200 and m is not None, r.text[-300:])
n, h = (int(m.group(1)), m.group(2)) if m else (0, "")
row = sql(db, "SELECT action, hash FROM audit_log WHERE id = ?", (n,))
s.check("... which is the freeze's row with its hash", row and row[0] == ("task.draw.freeze", h), str(row))
page = request(db, "GET", f"/public/tasks/{tid}/announcement")
s.check("... on the printable page too", h and h in page.text)


def verify(path, *anchors):
    args = [SPOTCHECK, "audit", "verify", "--db", path] + [a for x in anchors for a in ("--anchor", x)]
    p = subprocess.run(args, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


rc, out = verify(db, f"{h}@{n}")
s.check("verify with the anchor: intact and consistent", rc == 0 and f"锚点 第 {n} 条记录: 一致" in out, out)
rc, out = verify(db, "x@1")
s.check("a malformed anchor is a usage error", rc == 2, out)


def rewrite_from(path, k):
    """What an insider with the database does: drop the append-only triggers, change row k, recompute every
    hash from k on so that the chain is whole again."""
    con = dbtool.reader(path)
    rows = [dict(r) for r in con.execute("SELECT * FROM audit_log WHERE id >= ? ORDER BY id", (k,))]
    con.close()
    stmts = [dbtool.drop_triggers_sql(path, dbtool.triggers(path, "audit_log")),
             f"UPDATE audit_log SET actor = 'nobody' WHERE id = {int(k)}"]
    prev = rows[0]["prev_hash"]
    for d in rows:
        if d["id"] == k:
            d["actor"] = "nobody"
        d["prev_hash"] = prev
        prev = row_hash(prev, d)
        stmts.append(f"UPDATE audit_log SET prev_hash = '{d['prev_hash']}', hash = '{prev}' WHERE id = {int(d['id'])}")
    dbtool.execute(path, ";".join(stmts))


forged = db + ".forged"
dbtool.copy(db, forged)
rewrite_from(forged, max(1, n - 2))
rc, out = verify(forged)
s.check("a recomputed chain passes verify alone (the limit the anchor closes)", rc == 0, out)
rc, out = verify(forged, f"{h}@{n}")
s.check("... and fails with the published anchor", rc == 1 and "此前的历史已被改写" in out, out)

cut = db + ".cut"
dbtool.copy(db, cut)
dbtool.execute(cut, dbtool.drop_triggers_sql(cut, dbtool.triggers(cut, "audit_log"))
               + f"DELETE FROM audit_log WHERE id >= {int(n)}")
rc, out = verify(cut)
s.check("a log cut before the anchor passes verify alone", rc == 0, out)
rc, out = verify(cut, f"{h}@{n}")
s.check("... and fails with the anchor", rc == 1 and "截短" in out, out)

# the log reads in Chinese: every action this whole flow wrote (plan, task, scheme, draw, …) has its words
sup = Client(db)
sup.login("supervisor")
for (action,) in sql(db, "SELECT DISTINCT action FROM audit_log WHERE org_id IS NOT NULL ORDER BY action"):  # the page shows org rows
    r = sup.get(f"/audit?action={action}")
    m = re.search(r'<td>([^<]*) <span class="mono small muted">' + re.escape(action) + "</span>", r.text)
    s.check(f"the audit page names {action} in Chinese", r.status == 200 and m is not None and m.group(1) != action
            and re.search(r"[\u4e00-\u9fff]", m.group(1)), m.group(1) if m else r.text[:200])
s.done()
