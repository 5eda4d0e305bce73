"""A login whose last step another transaction cancels is run again (issue 18 item 3, login.c).

A login is two units: the gate (the throttle's attempt, committed) and, after the password check, the
success (the account's row, the session, the audit row "login"). On PostgreSQL the success can be
cancelled by a deadlock; the web's runner cannot run the request again (the gate committed, and a second
run would count a second attempt), so login_password runs the success again itself. Provoked for real, as
tests/cli/cli_retry.sh does for a command: a psql session holds the audit chain's head lock
(db_lock("audit_log", 0)), the login locks its account's row and waits for the head, the session then
asks for the account's row: each waits for the other, and the server cancels the login's statement (the
session's deadlock_timeout is long). Checked: the login answers 303 with a session (it answered
500 "无法创建会话" before), the session got the row, one attempt row marked successful, one audit row
"login", `audit verify` clean. On SQLite (one writer at a time, no deadlock) the same login succeeds once;
then a second login whose success finds the writer lock held past the busy timeout answers 503 and leaves
no failed attempt behind.
"""
import http.client
import re
import secrets
import subprocess
import threading
import time
from urllib.parse import urlencode

import dbtool
from webtest import PASSWORD, SPOTCHECK, Served, Suite, small_db

s = Suite()
db = small_db()
uid = dbtool.query(db, "SELECT id FROM account WHERE username = 'staff'")[0][0]


def login(port, out):
    pre = secrets.token_hex(32)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request("POST", "/login", urlencode({"username": "staff", "password": PASSWORD, "csrf": pre}),
              {"Cookie": f"sc_pre={pre}", "Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse()
    out["status"], out["cookie"], out["body"] = r.status, r.getheader("Set-Cookie") or "", r.read().decode()


with Served(db) as srv:
    out, holder = {}, None
    if dbtool.on_pg():
        k1, k2 = dbtool.lock_keys("audit_log")
        holder, held = dbtool.held_session(db, f"""SET deadlock_timeout = '60s';
BEGIN;
SELECT pg_advisory_xact_lock({k1}, {k2});""", dbtool.until(  # a wait in this test's database (the cluster is shared)
            "EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database()))") + f"""
SELECT id FROM account WHERE id = {uid} FOR UPDATE;
COMMIT;
""")
        s.check("the psql session holds the audit chain's head", held)
    t = threading.Thread(target=login, args=(srv.port, out))
    t.start()
    t.join(180)
    if holder:
        text = holder.stdout.read().decode()
        holder.wait(120)
        s.check("the session got the account's row (the deadlock was resolved against the login)",
                re.search(rf"^{uid}$", text, re.M) is not None, text)
    s.check("the login answers 303 with a session", out.get("status") == 303 and "sc_session=" in out.get("cookie", ""),
            f"{out.get('status')} {out.get('body', '')[:300]}")

if dbtool.on_pg():
    # a backend flushes its statistics when it ends, which may be a moment after the server has gone
    for _ in range(100):
        n = dbtool.query(db, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")[0][0]
        if n >= 1:
            break
        time.sleep(0.1)
    s.check("the server detected a deadlock in the database (pg_stat_database.deadlocks)", n >= 1, str(n))
attempts = dbtool.query(db, "SELECT ok FROM login_attempt WHERE username = 'staff'")
s.check("one attempt row, marked successful (the success ran again, the gate did not)",
        [tuple(a) for a in attempts] == [(1,)], str(attempts))
logins = dbtool.query(db, "SELECT count(*) FROM audit_log WHERE action = 'login' AND actor = 'staff'")[0][0]
s.check("one audit row login", logins == 1, str(logins))
sessions = dbtool.query(db, "SELECT count(*) FROM session WHERE user_id = ?", (uid,))[0][0]
s.check("one session", sessions == 1, str(sessions))

p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True)
s.check("audit verify: one chain", p.returncode == 0, p.stdout.decode()[-500:] + p.stderr.decode()[-500:])

if not dbtool.on_pg():
    # SQLite (after `audit verify`: the account's hash is set directly below): the success cannot start
    # because another connection holds the writer lock past the busy timeout (10 s), taken between the
    # gate's commit and the success (during the password check): the login answers 503 "try again" (it
    # answered 500 "无法创建会话"), and its attempt, the right password, is removed once the lock is free,
    # so it counts as no failure against the throttle
    import ctypes
    import ctypes.util
    import sqlite3
    held = threading.Event()
    # The writer lock must be taken between the gate's commit and the success, i.e. during the password
    # check; the test build hashes at libsodium's minimum cost (microseconds), so the account gets a hash of
    # a higher cost (t=3, 128 MiB: about 0.4 s to verify; a hash carries its own cost), made here through
    # libsodium itself
    sodium = ctypes.CDLL(ctypes.util.find_library("sodium"))
    sodium.sodium_init()
    slow = ctypes.create_string_buffer(128)
    pw = PASSWORD.encode()
    assert sodium.crypto_pwhash_str(slow, pw, ctypes.c_ulonglong(len(pw)), ctypes.c_ulonglong(3),
                                    ctypes.c_size_t(128 << 20)) == 0
    dbtool.query(db, "UPDATE account SET password_hash = ? WHERE id = ?", (slow.value.decode(), uid))

    def hold():
        con = sqlite3.connect(db, timeout=60, isolation_level=None)
        end = time.monotonic() + 60
        while time.monotonic() < end and not con.execute(
                "SELECT count(*) FROM login_attempt WHERE username = 'staff' AND ok = 0").fetchone()[0]:
            time.sleep(0.002)
        con.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(11.5)
        con.execute("ROLLBACK")
        con.close()

    with Served(db) as srv:
        h = threading.Thread(target=hold)
        h.start()
        out = {}
        login(srv.port, out)
        h.join(120)
    s.check("the writer lock was taken during the password check", held.is_set())
    s.check("a login whose success finds the database busy answers 503 (系统繁忙)",
            out.get("status") == 503 and "系统繁忙" in out.get("body", ""), f"{out.get('status')} {out.get('body', '')[:200]}")
    attempts = dbtool.query(db, "SELECT ok FROM login_attempt WHERE username = 'staff'")
    s.check("... its attempt removed, the earlier success kept", [tuple(a) for a in attempts] == [(1,)], str(attempts))
    n = dbtool.query(db, "SELECT count(*) FROM audit_log WHERE action = 'login' AND actor = 'staff'")[0][0]
    s.check("... no audit row login", n == 1, str(n))
    n = dbtool.query(db, "SELECT count(*) FROM session WHERE user_id = ?", (uid,))[0][0]
    s.check("... no session", n == 1, str(n))
s.done()
