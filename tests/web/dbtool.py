"""The test database, read and edited directly on either driver (issue 18: the same tests on both).

A test names its database by a file path. On SQLite (the default) that is the file, reached with Python's
sqlite3 module. Under scripts/pgtest.sh (`make test`'s PostgreSQL half) SPOTCHECK_PG_MAP is set and db.c
maps each path to a PostgreSQL database of its own, "sc_" and the FNV-1a hash of the path; Python has no
libpq in its standard library, so the helper goes through `psql` there. Statements are written once, in
the SQL both engines read; where they cannot be (a trigger to drop, a catalog to read), the helper has
one function per intent and the test branches on on_pg() only where the step itself differs.
Standard library only.
"""
import json
import os
import re
import subprocess


def on_pg():
    """True when the tests run on PostgreSQL (SPOTCHECK_PG_MAP, set by scripts/pgtest.sh)."""
    return bool(os.environ.get("SPOTCHECK_PG_MAP"))


def driver():
    return "postgresql" if on_pg() else "sqlite"


def pg_name(db):
    """The PostgreSQL database a path stands for (db.c's pg_mapped: sc_ and FNV-1a of the path)."""
    h = 1469598103934665603
    for b in db.encode():
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return f"sc_{h:016x}"


def _psql(dbname, text, script=False):
    """Runs text on dbname through psql: one statement (-c), or a script from stdin when script."""
    p = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                        "-d", f"{os.environ['SPOTCHECK_PG_MAP']} dbname={dbname}"] + ([] if script else ["-c", text]),
                       input=text.encode() if script else None, capture_output=True)
    if p.returncode != 0:
        raise RuntimeError(f"psql: {p.stderr.decode().strip()}")
    return p.stdout.decode()


def _inline(q, args):
    """q with its ? placeholders replaced by SQL literals of args (psql takes no bound parameters)."""
    parts = q.split("?")
    if len(parts) != len(args) + 1:
        raise ValueError("sql: placeholders and arguments differ")
    text = parts[0]
    for a, rest in zip(args, parts[1:]):
        # a quoted literal for every value: PostgreSQL types it by its use (an id, a number,
        # or a text column compared with a number, which SQLite's affinity allows)
        lit = "NULL" if a is None else "'" + str(a).replace("'", "''") + "'"
        text += lit + rest
    return text


def query(db, q, args=()):
    """Runs one statement with ? placeholders bound to args; returns its rows as tuples (committed)."""
    if not on_pg():
        import sqlite3
        con = sqlite3.connect(db)
        try:
            rows = con.execute(q, args).fetchall()
            con.commit()
            return rows
        finally:
            con.close()
    text = _inline(q, args)
    select = re.match(r"\s*(SELECT|WITH)\b", text, re.I)
    returning = not select and re.search(r"\bRETURNING\b", text, re.I)
    if select:  # as JSON, so numbers and texts keep their types
        text = f"SELECT coalesce(json_agg(row_to_json(q)), '[]') FROM ({text}) q"
    elif returning:
        text = f"WITH q AS ({text}) SELECT coalesce(json_agg(row_to_json(q)), '[]') FROM q"
    out = _psql(pg_name(db), text)
    if not select and not returning:
        return []
    return json.loads(out, object_pairs_hook=lambda kv: tuple(v for _, v in kv))


def execute(db, script):
    """Runs several statements (no parameters) in one transaction."""
    if not on_pg():
        import sqlite3
        con = sqlite3.connect(db)
        try:
            con.executescript("BEGIN;" + script + ";COMMIT;")
        finally:
            con.close()
        return
    _psql(pg_name(db), "BEGIN;\n" + script + ";\nCOMMIT;\n", script=True)


def exists(db):
    if not on_pg():
        return os.path.exists(db)
    return _psql("postgres", f"SELECT count(*) FROM pg_database WHERE datname = '{pg_name(db)}'").strip() == "1"


def copy(src, dst):
    """dst becomes a copy of the database src (replacing dst): the file on SQLite (through sqlite3's
    backup, so a WAL is included), CREATE DATABASE … TEMPLATE on PostgreSQL (no process may hold src
    open then; every spotcheck process of a test has ended by the time it copies)."""
    if not on_pg():
        import sqlite3
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(dst + suffix):
                os.remove(dst + suffix)
        a, b = sqlite3.connect(src), sqlite3.connect(dst)
        try:
            a.backup(b)
        finally:
            a.close()
            b.close()
        return
    _psql("postgres", f'DROP DATABASE IF EXISTS "{pg_name(dst)}"')
    _psql("postgres", f'CREATE DATABASE "{pg_name(dst)}" TEMPLATE "{pg_name(src)}"')


def remove(db):
    """Removes the database db (its file, or the PostgreSQL database) if it exists."""
    if not on_pg():
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        return
    _psql("postgres", f'DROP DATABASE IF EXISTS "{pg_name(db)}"')


def triggers(db, table):
    """The names of the triggers on table, sorted."""
    if on_pg():
        rows = query(db, "SELECT tgname FROM pg_trigger WHERE tgrelid = ?::regclass AND NOT tgisinternal "
                         "ORDER BY tgname", (table,))
    else:
        rows = query(db, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name",
                     (table,))
    return [r[0] for r in rows]


def drop_triggers_sql(db, names):
    """The statements that drop the named triggers (a tampering insider's first step): DROP TRIGGER name
    on SQLite, DROP TRIGGER name ON its table on PostgreSQL (the table looked up in pg_trigger)."""
    if not names:
        return ""
    if not on_pg():
        return "".join(f'DROP TRIGGER "{n}";' for n in names)
    rows = query(db, "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal AND tgname IN ("
                 + ",".join("?" for _ in names) + ")", tuple(names))
    on = dict(rows)
    missing = [n for n in names if n not in on]
    if missing:
        raise RuntimeError(f"no such trigger: {missing}")
    return "".join(f'DROP TRIGGER "{n}" ON {on[n]};' for n in names)


def tables(db):
    """The names of the program's tables, sorted (without the engine's own)."""
    if on_pg():
        q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() " \
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
    else:
        q = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    return [r[0] for r in query(db, q)]



def fail_inserts(db, name, table, message, when=None):
    """Makes every INSERT into table fail with message (only rows where the condition `when` on NEW holds):
    a trigger named name, to see the program roll back when a write it depends on fails."""
    if on_pg():
        execute(db, f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                    f"$f$ BEGIN RAISE EXCEPTION '{message}'; END $f$;"
                    f"CREATE TRIGGER {name} BEFORE INSERT ON {table} FOR EACH ROW "
                    + (f"WHEN ({when}) " if when else "") + f"EXECUTE FUNCTION {name}()")
    else:
        query(db, f"CREATE TRIGGER {name} BEFORE INSERT ON {table} " + (f"WHEN {when} " if when else "")
              + f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def unfail_inserts(db, name, table):
    """Removes what fail_inserts(db, name, table, …) made."""
    if on_pg():
        execute(db, f"DROP TRIGGER {name} ON {table}; DROP FUNCTION {name}()")
    else:
        query(db, f"DROP TRIGGER {name}")


def columns(db, table):
    """The names of table's columns, in their order."""
    if on_pg():
        return [r[0] for r in query(db, "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                        "current_schema() AND table_name = ? ORDER BY ordinal_position", (table,))]
    return [r[1] for r in query(db, f'PRAGMA table_info("{table}")')]


def error_of(db, q, args=()):
    """Runs q, which should fail; returns the engine's error message ("" when it succeeded)."""
    try:
        query(db, q, args)
    except Exception as e:  # sqlite3.Error, or psql's (RuntimeError)
        return str(e)
    return ""


class _Rows:
    """A read-only stand-in for a sqlite3 connection with sqlite3.Row rows, for code written against
    one (tools/verify_audit.py's verify): execute(q, args) returns rows that index by column name and
    have keys()."""

    def __init__(self, db):
        self.db = db

    def execute(self, q, args=()):
        text = f"SELECT coalesce(json_agg(row_to_json(q)), '[]') FROM ({_inline(q, args)}) q"
        return json.loads(_psql(pg_name(self.db), text))

    def close(self):
        pass


def reader(db):
    """A connection to read db whose rows index by column name (sqlite3.Row, or dicts on PostgreSQL)."""
    if not on_pg():
        import sqlite3
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        con.row_factory = sqlite3.Row
        return con
    return _Rows(db)


class write_lock:
    """Holds the database's writes back while the with-block runs (a program's next write waits on it):
    SQLite's BEGIN IMMEDIATE on the file; on PostgreSQL a psql session holding the tables a login
    writes (session, login_attempt, audit_log) IN EXCLUSIVE MODE, which reads pass, until it commits."""

    def __init__(self, db):
        self.db = db
        self.con = self.proc = None

    def __enter__(self):
        if not on_pg():
            import sqlite3
            self.con = sqlite3.connect(self.db, timeout=10, isolation_level=None)
            self.con.execute("BEGIN IMMEDIATE")
            return self
        self.proc = subprocess.Popen(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d",
                                      f"{os.environ['SPOTCHECK_PG_MAP']} dbname={pg_name(self.db)}"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.proc.stdin.write("BEGIN; LOCK TABLE session, login_attempt, audit_log IN EXCLUSIVE MODE; SELECT 'held';\n")
        self.proc.stdin.flush()
        if self.proc.stdout.readline().strip() != "held":  # the lock is taken once psql answers
            raise RuntimeError("write_lock: psql did not take the lock")
        return self

    def __exit__(self, *exc):
        if self.con:
            self.con.execute("COMMIT")
            self.con.close()
        else:
            self.proc.stdin.write("COMMIT;\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def fnv1a(text):
    """util.c's str_fnv1a: 64-bit FNV-1a of the UTF-8 bytes."""
    h = 1469598103934665603
    for b in text.encode():
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def lock_keys(what, key=0):
    """The two 32-bit keys of db_lock(db, what, key) (db.c): FNV-1a of the name and the key, each folded
    to 32 bits, as PostgreSQL's pg_advisory_xact_lock(int, int) takes them."""
    h = fnv1a(what)

    def fold(x):
        x &= 0xFFFFFFFFFFFFFFFF
        v = (x ^ (x >> 32)) & 0xFFFFFFFF
        return v - (1 << 32) if v >= 1 << 31 else v
    return fold(h), fold(key)


# The test database's sessions waiting for a lock: those holding a lock of the database (every unit
# holds the write lock's advisory lock, and its tables') that wait for one, of any kind (a row's wait
# is on a transaction id, which names no database). Not through pg_stat_activity, which a transaction
# reads once (a session asks this in a loop).
WAITING = ("SELECT count(DISTINCT w.pid) FROM pg_locks w WHERE NOT w.granted AND w.pid IN "
           "(SELECT pid FROM pg_locks WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database()))")


def until(cond):
    """A psql step that waits until the SQL condition `cond` holds, or 30 s have passed (each check a
    new statement, so it sees what others committed meanwhile)."""
    return f"""DO $$ BEGIN
  FOR i IN 1..600 LOOP
    EXIT WHEN {cond};
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
"""


def held_session(db, before, after):
    """PostgreSQL only: a psql session on db's database runs `before` (it takes what it holds), says so,
    then runs `after` (which ends the transaction, typically once a condition holds). Returns when it has
    said so or after 20 s: (proc, held), the session's Popen (read its stdout for what it printed, then
    wait for it) and whether it holds."""
    import shutil
    import tempfile
    import time
    d = tempfile.mkdtemp(prefix="spotcheck-holder-")
    flag = os.path.join(d, "held")
    proc = subprocess.Popen(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d",
                             f"{os.environ['SPOTCHECK_PG_MAP']} dbname={pg_name(db)}"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    proc.stdin.write(f"{before}\n\\! touch {flag}\n{after}".encode())
    proc.stdin.close()
    for _ in range(400):
        if os.path.exists(flag):
            break
        time.sleep(0.05)
    held = os.path.exists(flag)
    if held:
        shutil.rmtree(d, ignore_errors=True)
    return proc, held


class RowUnitInFlight:
    """PostgreSQL only: a psql session that holds the write lock's shared side, as a row unit in flight
    does (pg_advisory_xact_lock_shared of db_pg.c's PG_WRITE_LOCK), until `done` (an SQL condition, true
    once the change under test is committed) holds or 30 s have passed. An exclusive unit (DB_TX_ALL)
    waits for it; a row unit runs beside it. Use as a context manager around the change; afterwards
    `held` says the session held the lock, `saw` that it saw the change before it let go (the change
    was committed beside it), `output` what the session printed. `also`: SQL the session runs next, before
    it says it holds (a lock another unit in flight would hold too)."""

    def __init__(self, db, done, also=""):
        self.db, self.done, self.also = db, done, also
        self.held = self.saw = False
        self.output = ""

    def __enter__(self):
        self.proc, self.held = held_session(
            self.db, f"BEGIN;\nSELECT pg_advisory_xact_lock_shared(32493246318078059);\n{self.also}",
            until(self.done) + f"""SELECT CASE WHEN {self.done} THEN 'saw-change' ELSE 'no-change' END;
COMMIT;
""")
        return self

    def __exit__(self, *exc):
        self.output = self.proc.stdout.read().decode()
        self.proc.wait(60)
        self.saw = "saw-change" in self.output
