"""A task's start locks its plan version's row and its plan by name, not every writer (issue 18 item 3,
task_work.c's lock_start).

- Four users start the same plan row at the same moment: one task, the three others are told it has
  started (409), one audit row task.start for it.
- On PostgreSQL: another row of the plan is started while a psql session holds the write lock's shared
  side as a row unit in flight does (dbtool.RowUnitInFlight): the task is committed while it is held. The
  exclusive unit this was would wait for it.
- On PostgreSQL: a command-line draw frozen under the code a task is about to take, in flight when the
  task starts: the start waits for it and refuses the draw it did not freeze.
"""
import re
import subprocess
import threading

import dbtool
from fixture_drawn import drawn_db, sql
from webtest import SPOTCHECK, Client, Suite

s = Suite()
f = drawn_db()
db = f["db"]
staff, leader = f["clients"]["staff"], f["clients"]["leader"]
year = sql(db, "SELECT year FROM plan ORDER BY id LIMIT 1")[0][0]

r = staff.form("/plans/new", {"year": str(year), "number": f"{year}102", "qualifier": "定点医药机构"})
vid = int(re.match(r"/plans/(\d+)", r.header("Location") or "").group(1))
for no in ("001号", "002号", "003号"):
    row = [("task_no", no), ("name", f"定点医药机构随机抽查{no}"), ("kind", "不定向"), ("ratio", "100%"),
           ("items", "I1"), ("items_text", ""), ("scope_text", "宁晋县检查对象"), ("region_prefix", "130528"),
           ("lead_dept", "基金监管股"), ("joint_depts", ""), ("period", f"{year}年3月至10月"),
           ("level", "县级"), ("remark", "")]
    r = staff.form(f"/plans/{vid}/task", row)
    s.check(f"plan row {no}", r.status == 303, f"{r.status} {r.text[-300:]}")
for who, step in ((staff, "submit"), (leader, "approve"), (staff, "publish")):
    r = who.form(f"/plans/{vid}/{step}", {})
    s.check(f"plan {step}", r.status == 303, f"{r.status} {r.text[-300:]}")
rows = [x for (x,) in sql(db, "SELECT id FROM plan_task WHERE version_id = ? ORDER BY position, id", (vid,))]

clients = [Client(db, env=staff.env) for _ in range(4)]
for c in clients:
    c.login("staff")
answers = [None] * 4
go = threading.Barrier(4)


def start(i):
    go.wait()
    answers[i] = clients[i].form("/tasks/start", {"plan_task": rows[0]})


threads = [threading.Thread(target=start, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join(120)
statuses = sorted(a.status for a in answers)
s.check("4 starts of one plan row at once: one task", statuses == [303, 409, 409, 409], str(statuses))
s.check("... the others told it has started", all("已经开始实施" in a.text for a in answers if a.status == 409))
n = sql(db, "SELECT count(*) FROM task WHERE plan_task_id = ?", (rows[0],))[0][0]
s.check("... one task row", n == 1, str(n))
n = sql(db, "SELECT count(*) FROM audit_log WHERE action = 'task.start'")[0][0]
s.check("... one more audit row task.start (the fixture's and this one)", n == 2, str(n))

if dbtool.on_pg():
    with dbtool.RowUnitInFlight(db, f"EXISTS (SELECT 1 FROM task WHERE plan_task_id = {rows[1]})") as h:
        s.check("a session holds the write lock's shared side (a row unit in flight)", h.held)
        r = staff.form("/tasks/start", {"plan_task": rows[1]})
        s.check("another row of the plan starts beside it", r.status == 303, f"{r.status} {r.text[-300:]}")
    s.check("... committed while the session held it", h.saw, h.output)

p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True)
s.check("audit verify: one chain", p.returncode == 0, p.stdout.decode()[-500:] + p.stderr.decode()[-500:])

if dbtool.on_pg():
    # A command-line draw planted under the code the third row's task will take, still in flight when the
    # task starts (a psql session: the draw's name lock, as draw_store_begin takes it, and the draw row
    # written once the start waits). The start must wait for it, then see the draw and refuse: counted
    # before the draw was committed, the task would adopt a draw it never froze. (Last: the planted row
    # breaks `audit verify`.)
    code = f"{year}102-003号"
    k1, k2 = dbtool.lock_keys("draw", dbtool.fnv1a(code))
    holder, held = dbtool.held_session(db, f"""BEGIN;
SELECT pg_advisory_xact_lock_shared(32493246318078059);
SELECT pg_advisory_xact_lock({k1}, {k2});""", dbtool.until(f"({dbtool.WAITING}) >= 1") + f"""SELECT CASE WHEN ({dbtool.WAITING}) >= 1 THEN 'start-waits' ELSE 'start-went-on' END;
INSERT INTO draw(task_code, draw_no, status, draw_date, params, population_sha256, population_count,
  officers_sha256, commitment, secret, randomness_source, freeze_json, freeze_sha256, frozen_at)
  VALUES ('{code}', 1, '已冻结', '{year}-03-01', '{{}}', 'x', 0, 'x', 'x', 'x', 'x', '{{}}', 'x', '{year}-03-01T09:00:00+08:00');
COMMIT;
""")
    s.check("a session freezes a draw under the next task's code (in flight)", held)
    r = staff.form("/tasks/start", {"plan_task": rows[2]})
    out = holder.stdout.read().decode()
    holder.wait(60)
    s.check("... the task's start waits for it", "start-waits" in out, out[-300:])
    s.check("... and then refuses the planted draw (409)", r.status == 409 and "不是由本任务冻结的" in r.text,
            f"{r.status} {r.text[-300:]}")
    s.check("... no task took the code", sql(db, "SELECT count(*) FROM task WHERE code = ?", (code,))[0][0] == 0)
s.done()
