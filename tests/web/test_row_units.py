"""Units that lock only their row on PostgreSQL (issue 18 item 3): a credit grade adjustment (the target's row,
credit.c) and a 回访 (the record's row, revisit.c) were exclusive units. Each is done here through its page;
on PostgreSQL while a psql session holds the write lock's shared side as a row unit in flight does
(dbtool.RowUnitInFlight): the change must be committed while it is held (an exclusive unit would wait for
it). On SQLite (one writer at a time) the same changes are made and checked.
"""
import datetime
import subprocess

import dbtool
from fixture_drawn import drawn_db, sql, submitted_record
from webtest import SPOTCHECK, Suite, pin_today

s = Suite()
today = pin_today("2026-12-07")
f = drawn_db(year=str(today.year))
db, staff = f["db"], f["clients"]["staff"]
iso = datetime.date.isoformat
day = iso(today - datetime.timedelta(days=1))


def beside(done, act):
    """Runs act() (returns (ok, detail)) beside a row unit in flight on PostgreSQL, plainly on SQLite."""
    if not dbtool.on_pg():
        return act() + (None,)
    with dbtool.RowUnitInFlight(db, done) as h:
        s.check("a session holds the write lock's shared side (a row unit in flight)", h.held)
        ok, detail = act()
    return ok, detail, h.saw


# a credit grade adjustment: the target's row
target = f["targets"][0]
tid = sql(db, "SELECT id FROM target WHERE code = ?", (target,))[0][0]
grade = sql(db, "SELECT grade FROM target WHERE id = ?", (tid,))[0][0]
new = "D" if grade != "D" else "C"


def adjust():
    r = staff.form(f"/credit/{tid}/grade", {"grade": new, "reason": "受到行政处罚，风险升高", "basis": "宁医保罚〔2026〕1号"})
    return r.status == 303, f"{r.status} {r.text[-300:]}"


ok, detail, saw = beside(f"(SELECT grade FROM target WHERE id = {tid}) = '{new}'", adjust)
s.check("a credit grade is adjusted", ok, detail)
if dbtool.on_pg():
    s.check("... beside a row unit in flight (committed while it was held)", saw)
s.check("... the grade stored, one audit row credit.grade",
        sql(db, "SELECT grade FROM target WHERE id = ?", (tid,))[0][0] == new
        and sql(db, "SELECT count(*) FROM audit_log WHERE action = 'credit.grade'")[0][0] == 1)

# a 回访 of a published record: the record's row
rid = submitted_record(f, f["targets"][1], day, "01", f"{day} 10:00:00", violation=False)
sql(db, "UPDATE record SET status = '已公示', published_at = ?, published_by = 'staff' WHERE id = ?", (f"{day} 11:00:00", rid))


def revisit():
    r = staff.form(f"/results/{rid}/revisits", {"on_day": iso(today), "method": "电话", "conduct": "规范",
                                               "summary": "院方反映检查人员出示证件、程序规范"})
    return r.status == 303, f"{r.status} {r.text[-300:]}"


ok, detail, saw = beside(f"EXISTS (SELECT 1 FROM record_revisit WHERE record_id = {rid})", revisit)
s.check("a 回访 is recorded", ok, detail)
if dbtool.on_pg():
    s.check("... beside a row unit in flight (committed while it was held)", saw)
s.check("... one row, one audit row record.revisit",
        sql(db, "SELECT count(*) FROM record_revisit WHERE record_id = ?", (rid,))[0][0] == 1
        and sql(db, "SELECT count(*) FROM audit_log WHERE action = 'record.revisit'")[0][0] == 1)

p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True)
s.check("audit verify: one chain", p.returncode == 0, p.stdout.decode()[-500:] + p.stderr.decode()[-500:])
s.done()
