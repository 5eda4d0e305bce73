"""New directory rows (issue 18 item 3, dir_edit.c's begin_new): a row unit holding its code by name.

- Eight users create the same officer (one 执法证号) at the same moment through the API, each with another
  name: one is created (201), the seven others are told the code exists (422), and the stored row is the
  one the 201 answered; one audit row officer.create. A code checked only before the unit opened would let
  a later save find the first one's row and change it, answering 201 twice (the check is made again under
  the code's lock).
- On PostgreSQL: a psql session holds the write lock's shared side, as a row unit in flight does
  (pg_advisory_xact_lock_shared of db_pg.c's PG_WRITE_LOCK); a new officer is created while it is held
  (the session sees the row before it lets go). An exclusive unit would wait for it.
"""
import subprocess
import threading

import dbtool
from webtest import SPOTCHECK, KeepAlive, Served, Suite, small_db

s = Suite()
db = small_db()


def officer(cert, name):
    return {"cert_no": cert, "name": name, "org_id": "130528", "dept_id": "D1", "cert_valid_from": "2024-01-01",
            "cert_valid_to": "2027-12-31", "region": "130528", "may_lead": True}


with Served(db) as srv:
    users = [KeepAlive(srv.port, "staff") for _ in range(8)]
    answers = [None] * 8
    go = threading.Barrier(8)

    def create(i):
        go.wait()
        answers[i] = users[i].json("POST", "/api/v1/officers", officer("YB-RACE", f"同时新增{i}"))

    threads = [threading.Thread(target=create, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    created = [a for a in answers if a and a[0] == 201]
    refused = [a for a in answers if a and a[0] == 422 and "已存在" in str(a[1])]
    s.check("one of 8 creations of one code at once is created", len(created) == 1, str(answers))
    s.check("... the 7 others are told the code exists (422)", len(refused) == 7, str(answers))
    rows = dbtool.query(db, "SELECT name FROM officer WHERE cert_no = 'YB-RACE'")
    s.check("one row, the one the 201 answered", len(rows) == 1 and created and rows[0][0] == created[0][1]["values"]["name"],
            f"{rows} {created}")
    n = dbtool.query(db, "SELECT count(*) FROM audit_log WHERE action = 'officer.create'")[0][0]
    s.check("one audit row officer.create", n == 1, str(n))

    if dbtool.on_pg():
        with dbtool.RowUnitInFlight(db, "EXISTS (SELECT 1 FROM officer WHERE cert_no = 'YB-BESIDE')") as h:
            s.check("a session holds the write lock's shared side (a row unit in flight)", h.held)
            st, body = users[0].json("POST", "/api/v1/officers", officer("YB-BESIDE", "并行新增"))
            s.check("a new officer is created beside it", st == 201, f"{st} {body}")
        s.check("... while the session held it (it saw the row before it ended)", h.saw, h.output)

p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True)
s.check("audit verify: one chain", p.returncode == 0, p.stdout.decode()[-500:] + p.stderr.decode()[-500:])
s.done()
