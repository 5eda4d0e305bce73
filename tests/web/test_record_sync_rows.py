"""Creating a drawn task's records (record_act_sync) is a row unit on its tasks' rows (issue 18 item 3).

- Eight users open the records list at the same moment after a draw: each drawn target gets one record,
  one audit row record.sync, and every list answers 200.
- On PostgreSQL: a psql session holds the write lock's shared side, as a row unit in flight does
  (pg_advisory_xact_lock_shared of db_pg.c's PG_WRITE_LOCK); the records are created while it is held
  (the session sees them before it lets go). The exclusive unit this was would wait for it.
"""
import subprocess
import threading

import dbtool
from fixture_drawn import drawn_db
from webtest import SPOTCHECK, KeepAlive, Served, Suite

s = Suite()


def counts(db):
    return (dbtool.query(db, "SELECT count(*) FROM record")[0][0],
            dbtool.query(db, "SELECT count(*) FROM draw_target WHERE status = '有效'")[0][0],
            dbtool.query(db, "SELECT count(*) FROM audit_log WHERE action = 'record.sync'")[0][0])


f = drawn_db()
db = f["db"]
s.check("a drawn task without records yet", counts(db)[0] == 0 and counts(db)[1] > 0, str(counts(db)))
with Served(db) as srv:
    users = [KeepAlive(srv.port, "staff") for _ in range(8)]
    answers = [None] * 8
    go = threading.Barrier(8)

    def open_list(i):
        go.wait()
        r, _ = users[i].raw("GET", "/records", None, {"Cookie": f"sc_session={users[i].session}"})
        answers[i] = r.status

    threads = [threading.Thread(target=open_list, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    s.check("8 lists opened at once all answer 200", answers == [200] * 8, str(answers))
records, drawn, syncs = counts(db)
s.check("one record per drawn target", records == drawn, f"{records} records, {drawn} drawn")
s.check("one audit row record.sync", syncs == 1, str(syncs))

if dbtool.on_pg():
    g = drawn_db()
    db2 = g["db"]
    with Served(db2) as srv:
        staff = KeepAlive(srv.port, "staff")
        with dbtool.RowUnitInFlight(db2, "EXISTS (SELECT 1 FROM record)") as h:
            s.check("a session holds the write lock's shared side (a row unit in flight)", h.held)
            r, _ = staff.raw("GET", "/records", None, {"Cookie": f"sc_session={staff.session}"})
            s.check("the records list answers 200 beside it", r.status == 200, str(r.status))
        s.check("... and its records were created while the session held it", h.saw, h.output)
    records, drawn, _ = counts(db2)
    s.check("... one per drawn target", records == drawn, f"{records} {drawn}")

for d in [db] + ([db2] if dbtool.on_pg() else []):
    p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", d], capture_output=True)
    s.check("audit verify: one chain", p.returncode == 0, p.stdout.decode()[-500:] + p.stderr.decode()[-500:])
s.done()
