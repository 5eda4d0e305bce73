"""A directory import holds its own tables, not every writer (issue 18 item 3, dir_io.c's open_unit): it
owns the kind's table and its tag links (PostgreSQL: SHARE ROW EXCLUSIVE) and holds the tables its
references name (org, tag: SHARE), so units on other tables run beside it and the writers of its tables
wait for it, or it for them.

- On PostgreSQL, an import of targets from the command line while a psql session holds the write lock's
  shared side, as a row unit in flight does (dbtool.RowUnitInFlight): committed while it is held (an
  exclusive unit would wait for it, then fail busy).
- On PostgreSQL, an edit of a target in flight (a psql session: the write lock's shared side and an
  UPDATE of one target that leaves it as it was, not yet committed) and an import of other, new targets: the import waits for the
  edit before it writes, so its rows are not there while the edit is open (read in several statements
  under no hold, the import's codes could be taken meanwhile). Both are then committed.
- On PostgreSQL, a credit grade adjustment (a row unit on target) while an import owns the table: it
  waits for the import before it locks its row, so the import can lock that row meanwhile; no deadlock.
- On SQLite (one writer at a time) the imports are made and checked.
"""
import os
import subprocess
import tempfile

import dbtool
from webtest import SPOTCHECK, Client, Suite, small_db, sql

s = Suite()
db = small_db()
HEADER = "对象类型,名称,统一社会信用代码,医保编码,身份证号,所属机构,行政区划,信用风险等级\n"


def targets_file(rows):
    fd, path = tempfile.mkstemp(suffix=".csv", dir=os.path.dirname(db))
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(HEADER + "".join(f"定点医疗机构,{name},,{code},,130528,130528,B\n" for code, name in rows))
    return path


def run_import(path):
    return subprocess.run([SPOTCHECK, "import", "targets", path, "--db", db], capture_output=True, text=True)


def count(code):
    return sql(db, "SELECT count(*) FROM target WHERE code = ?", (code,))[0][0]


# --- beside a row unit in flight
imports = sql(db, "SELECT count(*) FROM audit_log WHERE action = 'import.targets'")[0][0]
path = targets_file([("H13052800101", "宁晋县并行导入医院")])
if dbtool.on_pg():
    with dbtool.RowUnitInFlight(db, "EXISTS (SELECT 1 FROM target WHERE code = 'H13052800101')") as h:
        s.check("a session holds the write lock's shared side (a row unit in flight)", h.held)
        p = run_import(path)
    s.check("an import of targets", p.returncode == 0, p.stdout[-300:] + p.stderr[-300:])
    s.check("... beside a row unit in flight (committed while it was held)", h.saw, h.output[-300:])
else:
    p = run_import(path)
    s.check("an import of targets", p.returncode == 0, p.stdout[-300:] + p.stderr[-300:])
s.check("... the row is there, one audit row import.targets",
        count("H13052800101") == 1
        and sql(db, "SELECT count(*) FROM audit_log WHERE action = 'import.targets'")[0][0] == imports + 1)

# --- an import and an edit of its table in flight
path = targets_file([("H13052800102", "宁晋县等待导入医院"), ("H13052800103", "宁晋县等待导入诊所")])
if dbtool.on_pg():
    editor, held = dbtool.held_session(db, """BEGIN;
SELECT pg_advisory_xact_lock_shared(32493246318078059);
UPDATE target SET address = address WHERE code = 'H13052800001';""", dbtool.until(f"({dbtool.WAITING}) >= 1") + f"""SELECT CASE WHEN ({dbtool.WAITING}) >= 1 THEN 'import-waits' ELSE 'import-went-on' END;
SELECT CASE WHEN EXISTS (SELECT 1 FROM target WHERE code = 'H13052800102') THEN 'rows-before' ELSE 'no-rows-yet' END;
COMMIT;
""")
    s.check("a session edits a target and holds it open", held)
    p = run_import(path)
    out = editor.stdout.read().decode()
    editor.wait(60)
    s.check("an import of other targets", p.returncode == 0, p.stdout[-300:] + p.stderr[-300:])
    s.check("... waited for the edit in flight", "import-waits" in out, out[-300:])
    s.check("... and wrote nothing while it was open", "no-rows-yet" in out, out[-300:])
else:
    p = run_import(path)
    s.check("an import of other targets", p.returncode == 0, p.stdout[-300:] + p.stderr[-300:])
s.check("... its two rows are there", count("H13052800102") == 1 and count("H13052800103") == 1)

# --- a directory row unit and an import in flight
if dbtool.on_pg():
    # A credit grade adjustment locks the target's row, then changes it. With an import owning the table
    # (a psql session: SHARE ROW EXCLUSIVE on target, as open_unit takes it), the adjustment must wait for
    # the import before it locks the row: the import may reach that row (the session then locks it, as
    # the import's row path would). Locked first, the two would wait for each other until the server
    # cancelled one (a deadlock).
    tid = sql(db, "SELECT id FROM target WHERE code = 'H13052800001'")[0][0]
    grade = sql(db, "SELECT grade FROM target WHERE id = ?", (tid,))[0][0]
    new = "D" if grade != "D" else "C"
    deadlocks = "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
    before = dbtool.query(db, deadlocks)[0][0]
    staff = Client(db)
    staff.login("staff")
    importer, held = dbtool.held_session(db, """BEGIN;
SELECT pg_advisory_xact_lock_shared(32493246318078059);
LOCK TABLE target IN SHARE ROW EXCLUSIVE MODE;""", dbtool.until(f"({dbtool.WAITING}) >= 1") + f"""SET LOCAL lock_timeout = '5s';
SELECT 'row-locked ' || id FROM target WHERE id = {tid} FOR UPDATE;
COMMIT;
""")
    s.check("a session owns the target table (an import in flight)", held)
    r = staff.form(f"/credit/{tid}/grade", {"grade": new, "reason": "受到行政处罚，风险升高", "basis": "宁医保罚〔2026〕3号"})
    out = importer.stdout.read().decode()
    importer.wait(60)
    s.check("the grade is adjusted once the import ended", r.status == 303, f"{r.status} {r.text[-300:]}")
    s.check("... the import locked the target's row meanwhile (the adjustment held none)",
            f"row-locked {tid}" in out, out[-300:])
    s.check("... no deadlock", dbtool.query(db, deadlocks)[0][0] == before, f"{before} → {dbtool.query(db, deadlocks)}")
    s.check("... the grade stored", sql(db, "SELECT grade FROM target WHERE id = ?", (tid,))[0][0] == new)

p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True)
s.check("audit verify: one chain", p.returncode == 0, p.stdout.decode()[-500:] + p.stderr.decode()[-500:])
s.done()
