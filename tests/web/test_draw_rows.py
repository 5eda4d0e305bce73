"""The steps of a draw as row units (issue 18 item 3, draw_store_begin): each step locks its task's row
and its draw by name, and a freeze holds the directory's tables still while it reads the population
(db_hold_tables). Each step is taken here through its page:

- The run and a substitution rewrite the draw's groups with the clock triggers of draw_target paused
  for their own transaction (sql/pg/063): another task's draw writing its groups at the same moment
  (a psql session holding the tables' ROW EXCLUSIVE lock, as its inserts do) does not hold them up
  (paused by ALTER TABLE … DISABLE TRIGGER, they waited for it and failed busy).

- On PostgreSQL while a psql session holds the write lock's shared side, as a row unit in flight does
  (dbtool.RowUnitInFlight): the step must be committed while it is held (an exclusive unit would wait for
  it, then fail busy). On SQLite (one writer at a time) the same steps are taken and checked.
- A substitution approved once the records exist waits for a record unit in flight (PostgreSQL: a psql
  session holding a record's row): both rebuild the draw's deadline clocks.
- The freeze and an edit of the directory that crosses it (PostgreSQL): a credit grade adjustment has
  changed a target's grade and waits for the audit chain's head (a psql session holds it); the freeze
  starts behind it. Whatever the order of their work, the edit's audit row comes before the freeze's, so
  the frozen population must show the new grade: read in several statements without the tables held, the
  population would show the old one (the freeze read it before the edit committed) while the audit log
  says the edit came first.
"""
import datetime
import subprocess
import threading
import time

import dbtool
from fixture_drawn import drawn_db, fc3d_source, scheme_source_fields, sql
from webtest import SPOTCHECK, Client, Suite, draw_files, pin_today

s = Suite()
today = pin_today("2026-12-07")
f = drawn_db(year=str(today.year), until="freeze")
db, tid, code = f["db"], f["tid"], f["code"]
staff, leader = f["clients"]["staff"], f["clients"]["leader"]
HOSPITAL = "H13052800001"


# another task's draw writing its groups at the same moment (its run, a substitution): the lock its
# inserts take on the table
OTHER_DRAW = "LOCK TABLE draw_target, draw_member, draw_skip IN ROW EXCLUSIVE MODE;"


def beside(what, done, act, also=""):
    """Takes the step act() (returns a response) beside a row unit in flight on PostgreSQL (which also
    runs `also`), plainly on SQLite, and checks it: 303, and on PostgreSQL committed while the row unit
    was held."""
    if not dbtool.on_pg():
        r = act()
        s.check(what, r.status == 303, f"{r.status} {r.text[-300:]}")
        return r
    with dbtool.RowUnitInFlight(db, done, also) as h:
        s.check(f"{what}: a session holds the write lock's shared side (a row unit in flight)", h.held)
        r = act()
    s.check(what, r.status == 303, f"{r.status} {r.text[-300:]}")
    s.check(f"... beside a row unit in flight (committed while it was held)", h.saw, h.output[-300:])
    return r


# --- a recusal before the freeze
beside("a conflict of interest is declared",
       f"EXISTS (SELECT 1 FROM task_conflict WHERE task_id = {tid})",
       lambda: staff.form(f"/tasks/{tid}/conflicts", {"officer": "YB004", "target": HOSPITAL, "reason": "近亲属在该院任职"}))

# --- the freeze, crossed by an edit of the directory
hospital_id = sql(db, "SELECT id FROM target WHERE code = ?", (HOSPITAL,))[0][0]
old_grade = sql(db, "SELECT grade FROM target WHERE id = ?", (hospital_id,))[0][0]
new_grade = "D" if old_grade != "D" else "C"
editor = Client(db, env=staff.env)
editor.login("staff")


def adjust():
    return editor.form(f"/credit/{hospital_id}/grade", {"grade": new_grade, "reason": "受到行政处罚，风险升高",
                                                        "basis": "宁医保罚〔2026〕2号"})


def freeze():
    return staff.form(f"/tasks/{tid}/freeze", {})


def waiting():
    """Sessions of the test's database waiting for a lock."""
    return dbtool.query(db, dbtool.WAITING)[0][0]


if dbtool.on_pg():
    # the audit chain's head held until two sessions wait (the edit for the head, the freeze behind it)
    k1, k2 = dbtool.lock_keys("audit_log")
    holder, held = dbtool.held_session(db, f"BEGIN;\nSELECT pg_advisory_xact_lock({k1}, {k2});", dbtool.until(f"({dbtool.WAITING}) >= 2") + f"""COMMIT;
""")
    s.check("a session holds the audit chain's head", held)
    answers = {}
    edit = threading.Thread(target=lambda: answers.update(edit=adjust()))
    edit.start()
    for _ in range(400):  # the edit has changed the grade and waits for the head
        if waiting() >= 1:
            break
        time.sleep(0.05)
    s.check("the grade adjustment waits for the audit chain's head", waiting() >= 1)
    frozen = threading.Thread(target=lambda: answers.update(freeze=freeze()))
    frozen.start()
    edit.join(120)
    frozen.join(120)
    holder.wait(60)
    r, e = answers.get("freeze"), answers.get("edit")
    s.check("the grade is adjusted", e is not None and e.status == 303, e and f"{e.status} {e.text[-300:]}")
    s.check("the task's list is frozen", r is not None and r.status == 303, r and f"{r.status} {r.text[-300:]}")
else:
    r = adjust()
    s.check("the grade is adjusted", r.status == 303, f"{r.status} {r.text[-300:]}")
    r = freeze()
    s.check("the task's list is frozen", r.status == 303, f"{r.status} {r.text[-300:]}")
seq = dict(sql(db, "SELECT action, id FROM audit_log WHERE action IN ('credit.grade', 'task.draw.freeze')"))
s.check("the adjustment's audit row comes before the freeze's",
        seq.get("credit.grade", 1 << 62) < seq.get("task.draw.freeze", 0), str(seq))
population = sql(db, "SELECT f.content FROM draw_file f JOIN draw d ON d.id = f.draw_id "
                     "WHERE d.task_code = ? AND f.kind = 'population'", (code,))
line = [x for x in (population[0][0] if population else "").splitlines() if x.startswith(HOSPITAL + "\t")]
s.check("... so the frozen population has the new grade", line == [f"{HOSPITAL}\t{new_grade}"], str(line))

# --- the dice, the draw, a substitution, a re-draw
beside("the dice are recorded", "EXISTS (SELECT 1 FROM draw_dice)",
       lambda: staff.form(f"/tasks/{tid}/dice", {"dice0": "52241361", "observers_present": "钱律师"}))
staff.env = {"SPOTCHECK_TODAY": f["draw_day"].isoformat() + "T10:00"}
beside("the draw is held (another draw writing its groups)",
       f"EXISTS (SELECT 1 FROM draw WHERE task_code = '{code}' AND status = '已抽取')",
       lambda: staff.form(f"/tasks/{tid}/draw", f["draw_values"]), OTHER_DRAW)
staff.env = None
member = sql(db, "SELECT m.target_code, m.member_code FROM draw_member m JOIN draw d ON d.id = m.draw_id "
                 "WHERE d.task_code = ? AND m.status = '在组' AND m.member_code LIKE 'YB%' ORDER BY 1, 2", (code,))[0]
beside("a substitution is requested", "EXISTS (SELECT 1 FROM draw_substitution)",
       lambda: staff.form(f"/tasks/{tid}/substitute", {"type": "officer", "target": member[0], "officer": member[1],
                                                      "reason_code": "因病", "reason": "住院治疗"}))
sid = sql(db, "SELECT max(id) FROM draw_substitution")[0][0]
beside("the substitution is approved (another draw writing its groups)",
       f"(SELECT status FROM draw_substitution WHERE id = {sid}) = '已批准'",
       lambda: leader.form(f"/tasks/{tid}/substitutions/{sid}/approve", {}), OTHER_DRAW)
s.check("... one event, and the member is no longer in the group",
        sql(db, "SELECT count(*) FROM draw_event e JOIN draw d ON d.id = e.draw_id WHERE d.task_code = ?", (code,))[0][0] == 1
        and sql(db, "SELECT count(*) FROM draw_member m JOIN draw d ON d.id = m.draw_id WHERE d.task_code = ? "
                    "AND m.target_code = ? AND m.member_code = ? AND m.status = '在组'", (code, member[0], member[1]))[0][0] == 0)
files = draw_files(staff, tid)
freeze_sha = sql(db, "SELECT freeze_sha256 FROM draw WHERE task_code = ? AND status = '已抽取'", (code,))[0][0]
p = subprocess.run([SPOTCHECK, "verify", files["record"], files["population"], files["officers"], "--freeze", freeze_sha],
                   capture_output=True, text=True)
s.check("spotcheck verify: the record after the substitution verifies", p.returncode == 0 and p.stdout.startswith("一致"),
        p.stdout + p.stderr)
# a second substitution once the records exist: it rebuilds the draw's deadline clocks, which a record's
# own units rebuild too (sql/060's triggers), so it waits for a record unit in flight (a psql session
# holding one record's row, as a save does) instead of rebuilding them at the same time
r = staff.get("/records")
s.check("the records of the draw are created (the list opened)", r.status == 200 and
        sql(db, "SELECT count(*) FROM record WHERE task_id = ?", (tid,))[0][0] > 0, f"{r.status}")
member2 = sql(db, "SELECT m.target_code, m.member_code FROM draw_member m JOIN draw d ON d.id = m.draw_id "
                  "WHERE d.task_code = ? AND d.status = '已抽取' AND m.status = '在组' AND m.member_code LIKE 'YB%' "
                  "AND m.target_code <> ? ORDER BY 1, 2", (code, member[0]))[0]
r = staff.form(f"/tasks/{tid}/substitute", {"type": "officer", "target": member2[0], "officer": member2[1],
                                            "reason_code": "公务冲突", "reason": "另有紧急公务"})
s.check("a second substitution is requested", r.status == 303, f"{r.status} {r.text[-300:]}")
sid2 = sql(db, "SELECT max(id) FROM draw_substitution")[0][0]
if dbtool.on_pg():
    rid = sql(db, "SELECT min(id) FROM record WHERE task_id = ?", (tid,))[0][0]
    saver, held = dbtool.held_session(db, f"""BEGIN;
SELECT pg_advisory_xact_lock_shared(32493246318078059);
SELECT id FROM record WHERE id = {rid} FOR UPDATE;""", dbtool.until(f"({dbtool.WAITING}) >= 1") + f"""SELECT CASE WHEN ({dbtool.WAITING}) >= 1 THEN 'approval-waits' ELSE 'approval-went-on' END;
COMMIT;
""")
    s.check("a session holds a record of the draw (a save in flight)", held)
r = leader.form(f"/tasks/{tid}/substitutions/{sid2}/approve", {})
s.check("the second substitution is approved", r.status == 303, f"{r.status} {r.text[-300:]}")
if dbtool.on_pg():
    out = saver.stdout.read().decode()
    saver.wait(60)
    s.check("... after the record unit in flight ended (it waited for it)", "approval-waits" in out, out[-300:])
dup = sql(db, "SELECT count(*) FROM (SELECT kind, draw_id, target_code FROM deadline_clock WHERE draw_id IS NOT NULL "
              "GROUP BY kind, draw_id, target_code HAVING count(*) > 1) q")[0][0]
s.check("... one deadline clock per drawn target and kind", dup == 0, str(dup))
beside("a re-draw is requested", "EXISTS (SELECT 1 FROM task_redraw)",
       lambda: staff.form(f"/tasks/{tid}/redraw", {"reason": "骰子滚落桌下，观察员要求重掷"}))
beside("the re-draw is approved (a new freeze)",
       f"(SELECT count(*) FROM draw WHERE task_code = '{code}') = 2",
       lambda: leader.form(f"/tasks/{tid}/redraw/approve",
                           scheme_source_fields([fc3d_source(today + datetime.timedelta(days=6))])))

p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True)
s.check("audit verify: one chain, every draw checks", p.returncode == 0, p.stdout.decode()[-500:] + p.stderr.decode()[-500:])
s.done()
