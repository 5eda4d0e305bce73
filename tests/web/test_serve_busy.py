"""A request head waiting behind another request's handler is answered, not shut down (issue 15 item 7: wrk's
"read errors" with 64 clients on slow pages). Every connection belongs to one worker thread, which reads nothing
while a handler runs; the watchdog gives a head HEAD seconds (here 1, SPOTCHECK_HEAD_SECONDS) of the client's own
time, so the time the worker spent on other requests does not count against it.

One worker (SPOTCHECK_WORKERS=1); a kept-alive connection B is answered once, then a login on connection A waits on
the database's write lock, which this script holds for 3 s (so the worker is busy that long) while B sends its next
request head at once. B must get its answer after the lock is released. A connection that sends nothing is still
closed after its head time (the slowloris rule stays)."""
import http.client
import secrets
import socket
import dbtool
import time
from urllib.parse import urlencode
from webtest import PASSWORD, Served, Suite, small_db

s = Suite()
db = small_db()
served = Served(db, {"SPOTCHECK_WORKERS": "1", "SPOTCHECK_HEAD_SECONDS": "1"})


def conn():
    return http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)


def answer(c):
    """The status of the response waiting on c, or the error that came instead."""
    try:
        r = c.getresponse()
        r.read()
        return r.status
    except (ConnectionError, http.client.HTTPException) as e:
        return repr(e)


with served:
    # the lock first (on PostgreSQL a psql session that takes a moment to start), so that nothing slow lies
    # between B's answer and its next head: B's 1 s counts from that answer; reading the login page needs
    # no write
    lock = dbtool.write_lock(db).__enter__()  # the server's next write waits on it (busy after 10 s)
    b = conn()
    b.request("GET", "/login")
    r = b.getresponse()
    r.read()
    s.check("connection B is answered and kept alive", r.status == 200 and not r.will_close, str(r.status))

    a = conn()
    pre = secrets.token_hex(32)
    a.request("POST", "/login", body=urlencode({"username": "staff", "password": PASSWORD, "csrf": pre}),
              headers={"Cookie": f"sc_pre={pre}", "Content-Type": "application/x-www-form-urlencoded"})
    time.sleep(0.5)  # A's handler runs and waits on the lock: the one worker is busy
    b.request("GET", "/login")  # B's head is complete; the worker cannot read it yet
    time.sleep(2.5)  # well past B's 1 s for a head, counted from its last answer
    lock.__exit__(None, None, None)
    status_a, status_b = answer(a), answer(b)
    s.check("the login that waited on the lock is answered", status_a == 303, str(status_a))
    s.check("B's request, waiting behind it longer than the head time, is answered (not shut down)",
            status_b == 200, str(status_b))
    a.close()
    b.close()

    idle = socket.create_connection(("127.0.0.1", served.port))
    idle.settimeout(10)
    idle.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n")  # never ends its head
    try:
        closed = idle.recv(100) == b""
    except ConnectionError:
        closed = True
    except socket.timeout:  # still open after 10 s: the head time (1 s) was not kept
        closed = False
    s.check("a connection that never completes its head is still closed when the worker is idle", closed)
    idle.close()
s.done()
