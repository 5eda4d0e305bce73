"""New plans, revisions and ad-hoc tasks as row units (issue 18 item 3, plan_work.c): a new plan or a plan
import holds the plan numbers by name ("plan.number"), a new ad-hoc task the ad-hoc codes
("plan_adhoc.code"), a revision the version it is made from; none excludes every other writer.

- Eight users create a plan of one org and year at the same moment, each leaving the number to the
  system: eight plans, eight numbers and eight sequence numbers, no error (numbered without the lock, two
  would take the same free number and one would fail on the unique index). The same for eight ad-hoc
  tasks and their codes.
- Four users revise one published plan at the same moment: one new version, the three others are told
  only the latest version can be revised (409).
- On PostgreSQL: a plan, a revision, an ad-hoc task and a plan import (the command line) are each made
  while a psql session holds the write lock's shared side as a row unit in flight does
  (dbtool.RowUnitInFlight): committed while it is held. The exclusive units they were would wait for it.
"""
import os
import re
import subprocess
import threading

import dbtool
from webtest import SPOTCHECK, Client, Suite, pin_today, small_db, sql

s = Suite()
today = pin_today("2026-12-07")
year = str(today.year)
db = small_db()
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
staff, leader = Client(db), Client(db)
staff.login("staff")
leader.login("leader")
clients = [Client(db) for _ in range(8)]
for c in clients:
    c.login("staff")


def at_once(n, act):
    """Runs act(i) for i in 0..n-1 in threads released together; returns their answers."""
    go, answers = threading.Barrier(n), [None] * n

    def run(i):
        go.wait()
        answers[i] = act(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    return answers


def beside(what, done, act):
    """act() (a response, or a CompletedProcess) beside a row unit in flight on PostgreSQL, plainly on
    SQLite; checks it succeeded, and on PostgreSQL that it was committed while the row unit was held."""
    if not dbtool.on_pg():
        r = act()
    else:
        with dbtool.RowUnitInFlight(db, done) as h:
            s.check(f"{what}: a session holds the write lock's shared side (a row unit in flight)", h.held)
            r = act()
    ok = r.returncode == 0 if isinstance(r, subprocess.CompletedProcess) else r.status == 303
    s.check(what, ok, (r.stdout + r.stderr)[-300:] if isinstance(r, subprocess.CompletedProcess)
            else f"{r.status} {r.text[-300:]}")
    if dbtool.on_pg():
        s.check("... beside a row unit in flight (committed while it was held)", h.saw, h.output[-300:])
    return r


def new_plan(c, qualifier):
    return c.form("/plans/new", {"year": year, "number": "", "qualifier": qualifier})


# --- eight new plans of one org and year at once, numbered by the system
answers = at_once(8, lambda i: new_plan(clients[i], f"并发新建{i}"))
s.check("8 plans created at once", all(a and a.status == 303 for a in answers),
        str([(a.status, a.text[-200:]) for a in answers if a and a.status != 303]))
rows = sql(db, "SELECT number, seq FROM plan WHERE year = ?", (int(year),))
s.check("... 8 distinct numbers and 8 distinct sequence numbers",
        len(rows) == 8 and len({r[0] for r in rows}) == 8 and sorted(r[1] for r in rows) == list(range(1, 9)), str(rows))
s.check("... 8 audit rows plan.create", sql(db, "SELECT count(*) FROM audit_log WHERE action = 'plan.create'")[0][0] == 8)
beside("a plan is created", "EXISTS (SELECT 1 FROM plan_version WHERE qualifier = '并行新建')",
       lambda: new_plan(staff, "并行新建"))


def published(qualifier):
    """A published plan of one row; returns its version's id."""
    r = new_plan(staff, qualifier)
    vid = int(re.match(r"/plans/(\d+)", r.header("Location") or "").group(1))
    row = [("task_no", "001号"), ("name", "定点医药机构随机抽查"), ("kind", "不定向"), ("ratio", "10%"),
           ("items", "I1"), ("items_text", ""), ("scope_text", "宁晋县检查对象"), ("region_prefix", "130528"),
           ("lead_dept", "基金监管股"), ("joint_depts", ""), ("period", f"{year}年3月至10月"),
           ("level", "县级"), ("remark", "")]
    for who, path, fields in ((staff, "task", row), (staff, "submit", {}), (leader, "approve", {}),
                              (staff, "publish", {})):
        r = who.form(f"/plans/{vid}/{path}", fields)
        s.check(f"plan {qualifier}: {path}", r.status == 303, f"{r.status} {r.text[-300:]}")
    return vid


# --- four revisions of one published plan at once
vid = published("调整并发")
answers = at_once(4, lambda i: clients[i].form(f"/plans/{vid}/revise", {"reason": f"第{i}人调整"}))
made = [a for a in answers if a and a.status == 303]
refused = [a for a in answers if a and a.status == 409 and "只能从最新版本调整计划" in a.text]
s.check("4 revisions of one version at once: one new version", len(made) == 1,
        str([(a.status, a.text[-200:]) for a in answers if a]))
s.check("... the 3 others are told only the latest version is revised (409)", len(refused) == 3)
s.check("... the plan has 2 versions",
        sql(db, "SELECT count(*) FROM plan_version WHERE plan_id = (SELECT plan_id FROM plan_version WHERE id = ?)",
            (vid,))[0][0] == 2)
other = published("调整并行")
beside("a plan is revised", f"EXISTS (SELECT 1 FROM plan_version WHERE plan_id = (SELECT plan_id FROM plan_version "
                            f"WHERE id = {other}) AND version = 2)",
       lambda: staff.form(f"/plans/{other}/revise", {"reason": "并行调整"}))


# --- eight ad-hoc tasks at once, coded by the system
def adhoc(c, i):
    return c.form("/plans/adhoc", [("name", f"投诉举报核查{i}"), ("source", "投诉举报"),
                                   ("reason", "接群众投诉反映医院串换项目收费，需立即核查"), ("items", "I1"),
                                   ("scope_text", "被投诉的定点医疗机构"), ("period", f"{year}年6月")])


answers = at_once(8, lambda i: adhoc(clients[i], i))
s.check("8 ad-hoc tasks requested at once", all(a and a.status == 303 for a in answers),
        str([(a.status, a.text[-200:]) for a in answers if a and a.status != 303]))
codes = [c for (c,) in sql(db, "SELECT code FROM plan_adhoc")]
s.check("... 8 distinct codes", len(codes) == 8 and len(set(codes)) == 8, str(codes))
beside("an ad-hoc task is requested", "EXISTS (SELECT 1 FROM plan_adhoc WHERE name = '投诉举报核查并行')",
       lambda: adhoc(staff, "并行"))

# --- a plan import from the command line
seed = os.path.join(ROOT, "tests", "data", "plan", "seed_000_plan.csv")
beside("a plan is imported (the command line)", "EXISTS (SELECT 1 FROM plan WHERE number = '2025001')",
       lambda: subprocess.run([SPOTCHECK, "plan", "import", seed, "--org", "130500", "--year", "2025", "--db", db],
                              capture_output=True, text=True))

p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True)
s.check("audit verify: one chain", p.returncode == 0, p.stdout.decode()[-500:] + p.stderr.decode()[-500:])
s.done()
