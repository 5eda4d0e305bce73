"""Many writers at once through a real `spotcheck serve` (issue 18 item 3): WRITERS clients (32), each on a
keep-alive connection of its own, save for a bounded time (SPOTCHECK_WRITERS_SECONDS, 20 s by default) —
inspection records (PUT /api/v1/my/records/ID), directory rows (PUT /api/v1/officers/ID) and follow-ups
(POST /followups/ID) — several clients on each row, so the optimistic lock is raced as well as the locks
between rows. Each save names the version it was made on and a text of its own; an acknowledged save
wrote that version + 1. Runs on both drivers (SQLite: one writer at a time, a busy answer is retried;
PostgreSQL: writers on distinct rows side by side, docs/ARCHITECTURE.md).

Beside them, while they save (the row units of review, publication and login): two reviewers approve
the same records submitted for review, in opposite orders; four publishers, two on each half of the
approved records (all of one target, the hospital), publish them in batches of two in date order, the
two of a pair naming each batch in opposite orders (a batch with an already published record is refused
whole, and then each of its records is tried alone); four clients guess a password for one user name in
rounds of four at once (first, on a server with nothing else to do, so that the gates of a round run
together), and two clients log in again and again. Checked afterwards: every record
approved once and published once (one event and one audit row each), the target's history that
publication moves on keeps every version once, every acknowledged login has its session and audit row,
and the throttle let exactly LOGIN_MAX_FAILURES (5) guesses through, however many raced for the gate.

Checked afterwards, per row: the acknowledged saves wrote distinct versions that account for every step
the version moved (zero lost updates), the row holds the text of the save that wrote its final version,
and the history keeps every replaced version once; the audit log grew by exactly one row per acknowledged
save and `spotcheck audit verify` passes (one chain, no gap, no fork); no answer was a 5xx, and none was
"busy" on PostgreSQL. Throughput (saves and requests per second) is printed, never asserted."""
import datetime
import hashlib
import json
import os
import re
import subprocess
import threading
import time
from urllib.parse import urlencode
from webtest import SPOTCHECK, PASSWORD, KeepAlive, Served, Suite, pin_today, sql
from fixture_drawn import drawn_db

s = Suite()
today = pin_today("2026-06-15")
WRITERS = 32
SECONDS = float(os.environ.get("SPOTCHECK_WRITERS_SECONDS", "20"))
PG = bool(os.environ.get("SPOTCHECK_PG_MAP"))
f = drawn_db()
db, tid, code = f["db"], f["tid"], f["code"]
draw_id, org = sql(db, "SELECT d.id, t.org_id FROM draw d JOIN task t ON t.code = d.task_code "
                       "WHERE d.task_code = ? AND d.status = '已抽取'", (code,))[0]

# ---- the rows the writers share ----
# records: one officer account per drawn group, linked to a member of it (谁检查、谁录入)
record_users, cert_users = {}, {}
for i, target in enumerate(f["targets"]):
    certs = [m for m, _ in f["groups"][target]]
    linked = [cert_users[m] for m in certs if m in cert_users]
    if linked:  # an officer links to one account: the group's member already linked saves this one too
        record_users[target] = linked[0]
        continue
    user, cert = f"writer{i}", certs[0]
    cert_users[cert] = user
    subprocess.run([SPOTCHECK, "user", "add", user, "--role", "officer", "--org", "130528", "--password-stdin",
                    "--db", db], input=(PASSWORD + "\n").encode(), check=True, capture_output=True)
    subprocess.run([SPOTCHECK, "user", "link", user, "--officer", cert, "--db", db], check=True, capture_output=True)
    record_users[target] = user
# follow-ups: published records with a finding to rectify (written in SQL as test_followup.py does: the
# review and publication belong to other modules), each opened through the program
hosp = sql(db, "SELECT id, code FROM target WHERE code = 'H13052800001'")[0]
published = []
for k in range(3):  # one record per target code and draw: codes of their own, the hospital's row
    published.append(sql(db, "INSERT INTO record(task_id, draw_id, org_id, target_code, target_id, status, result_codes, "
                             "checked_on, published_at, published_by, findings) VALUES (?, ?, ?, ?, ?, '已公示', '03', "
                             "'2026-05-10', '2026-05-15 09:00:00', 'staff', 1) RETURNING id",
                         (tid, draw_id, org, f"XX-FU{k}", hosp[0]))[0][0])
officers = [r[0] for r in sql(db, "SELECT id FROM officer WHERE org_id = (SELECT id FROM org WHERE code = '130528') "
                                  "ORDER BY id")][:3]


# review and publication: records written in SQL as submitted (by officer2) and as approved, on the hospital's
# row, with check dates one day apart (a publication moves the target's last_checked_on when later)
REVIEWS, PUBLISHES, GUESSERS = 12, 24, 4
to_review, to_publish = [], []
for k in range(REVIEWS + PUBLISHES):
    status, submitted = ("待审核", "officer2") if k < REVIEWS else ("审核通过", "officer2")
    rid = sql(db, "INSERT INTO record(task_id, draw_id, org_id, target_code, target_id, status, result_codes, "
                  "checked_on, submitted_by) VALUES (?, ?, ?, ?, ?, ?, '01', ?, ?) RETURNING id",
              (tid, draw_id, org, f"XX-RP{k:02d}", hosp[0], status,
               (datetime.date(2026, 5, 1) + datetime.timedelta(days=k)).isoformat(), submitted))[0][0]
    (to_review if k < REVIEWS else to_publish).append(rid)


class Conn(KeepAlive):
    """One user's session on a keep-alive connection of its own (one per writer thread)."""

    def __init__(self, port, user):
        super().__init__(port, user, timeout=120)

    def call(self, method, path, obj=None, form=None):
        """(status, JSON body or None, raw text)."""
        h = {"Cookie": f"sc_session={self.session}"}
        body = None
        if form is not None:  # a dict, or a list of pairs (a key given several times)
            h.update({"Content-Type": "application/x-www-form-urlencoded"})
            body = urlencode(list(form.items() if isinstance(form, dict) else form) + [("csrf", self.csrf)])
        elif method != "GET":
            h.update({"Content-Type": "application/json", "X-CSRF-Token": self.csrf})
            body = json.dumps(obj, ensure_ascii=False)
        r, raw = self.raw(method, path, body, h)
        text = raw.decode("utf-8", "replace")
        try:
            j = json.loads(text) if r.getheader("Content-Type", "").startswith("application/json") else None
        except ValueError:
            j = None
        return r.status, j, text


# What each kind of row needs: one save from a version with a text (the answer that acknowledges it, and
# the current version a lost race's 409 names), and where the text and the versions are stored.
def stale_version_json(j, raw):
    return j["error"]["version"]


def stale_version_form(j, raw):
    return int(re.search(r'name="version" value="(\d+)"', raw).group(1))


KINDS = {
    "record": (lambda c, rid, v, text: c.call("PUT", f"/api/v1/my/records/{rid}", {"version": v, "remarks": text}),
               200, stale_version_json, "SELECT remarks, version FROM record WHERE id = ?",
               "SELECT version FROM record_version WHERE record_id = ?"),
    "officer": (lambda c, oid, v, text: c.call("PUT", f"/api/v1/officers/{oid}", {"version": v, "phone": text}),
                200, stale_version_json, "SELECT phone, version FROM officer WHERE id = ?",
                "SELECT version FROM entity_version WHERE entity = 'officer' AND entity_id = ?"),
    "followup": (lambda c, fid, v, text: c.call("POST", f"/followups/{fid}", form={"version": v, "outcome": text}),
                 303, stale_version_form, "SELECT outcome, version FROM followup WHERE id = ?",
                 "SELECT version FROM followup_version WHERE followup_id = ?"),
}


def stored_version(kind, rid):
    return sql(db, KINDS[kind][3], (rid,))[0][1]


served = Served(db, {"SPOTCHECK_WORKERS": "8"})
with served:
    staff = Conn(served.port, "staff")
    followups = []
    for rid in published:
        st, _, text = staff.call("POST", "/followups", form={"record": rid, "option": "rectify",
                                                              "rectify_deadline": (today + datetime.timedelta(days=30)).isoformat()})
        fid = sql(db, "SELECT id FROM followup WHERE record_id = ?", (rid,))
        s.check(f"follow-up opened on record {rid}", st == 303 and fid, f"{st} {text[-300:]}")
        followups.append(fid[0][0])
    # the records of the drawn targets come into being when their officer opens the list (record_act_sync)
    record_rows = []
    for target, user in record_users.items():
        c = Conn(served.port, user)
        c.call("GET", "/my/records")
        rid = sql(db, "SELECT id FROM record WHERE draw_id = ? AND target_code = ?", (draw_id, target))[0][0]
        record_rows.append(("record", rid, user))
    rows = record_rows + [("officer", oid, "staff") for oid in officers] + \
        [("followup", fid, "staff") for fid in followups]
    s.check("nine shared rows: three records, three officers, three follow-ups", len(rows) == 9, str(rows))

    # WRITERS clients, spread over the rows (three or four on each), logged in before the clock starts
    writers = [(rows[i % len(rows)], Conn(served.port, rows[i % len(rows)][2])) for i in range(WRITERS)]
    start_versions = {(k, rid): stored_version(k, rid) for k, rid, _ in rows}
    reviewers = [Conn(served.port, u) for u in ("leader", "reviewer")]
    publishers = [Conn(served.port, "staff") for _ in range(4)]
    login_conns = [Conn(served.port, u) for u in ("staff", "leader")]
    guess_conns = [Conn(served.port, "staff") for _ in range(GUESSERS)]
    barrier = threading.Barrier(GUESSERS)
    target_v0 = sql(db, "SELECT version FROM target WHERE id = ?", (hosp[0],))[0][0]
    audit_before = sql(db, "SELECT count(*) FROM audit_log")[0][0]
    audit_id_before = sql(db, "SELECT max(id) FROM audit_log")[0][0]
    lock = threading.Lock()
    acks = []  # (kind, row, version written, text)
    statuses = {}
    busy = []
    others = []  # answers neither acknowledged nor a lost race
    stop = None  # set when the writers start

    def writer(i):
        (kind, rid, _), c = writers[i]
        save, ok_status, stale_version = KINDS[kind][:3]
        version, n = start_versions[(kind, rid)], 0
        while time.monotonic() < stop:
            text = f"w{i:02d}-{n:05d}" if kind != "officer" else f"139{i:02d}{n:06d}"
            n += 1
            st, j, raw = save(c, rid, version, text)
            with lock:
                statuses[st] = statuses.get(st, 0) + 1
                if st == ok_status:
                    acks.append((kind, rid, version + 1, text))
                elif st >= 500:
                    busy.append((kind, st, raw[-200:]))
            if st == ok_status:
                version += 1
            elif st == 409:  # another writer got there first: its answer names the current version
                version = stale_version(j, raw)
            else:  # busy (SQLite): read it again
                version = stored_version(kind, rid)
                with lock:
                    others.append((kind, st, raw[-300:]))

    side = {"approved": [], "published": [], "logins": [], "guesses": {}, "answers": {}}

    def note(kind, st, raw):
        with lock:
            side["answers"][(kind, st)] = side["answers"].get((kind, st), 0) + 1
            if st >= 500:
                busy.append((kind, st, raw[-200:]))

    def call_again_if_busy(kind, c, *args, **kw):
        """c.call(...), sent again while it answers 503 (SQLite's writer lock past its busy timeout: nothing
        was written), each busy answer noted."""
        for _ in range(30):
            st, body, raw = c.call(*args, **kw)
            note(kind, st, raw)
            if st != 503:
                break
            time.sleep(0.2)
        return st, body, raw

    def reviewer(i):
        order = to_review if i == 0 else to_review[::-1]
        for rid in order:
            st, _, raw = call_again_if_busy("review", reviewers[i], "POST", f"/api/v1/review/{rid}", {"action": "approve"})
            if st == 200:
                with lock:
                    side["approved"].append(rid)

    def publisher(i):
        # publishers 0 and 1 share the records of even position, 2 and 3 those of odd position, in batches
        # of two in date order (each pair's batches later than the other's last, so most publications
        # move the target on while the other pair's do too); the second of a pair names each batch
        # the other way round
        mine = to_publish[i // 2::2]
        for k in range(0, len(mine), 2):
            batch = mine[k:k + 2] if i % 2 == 0 else mine[k:k + 2][::-1]
            st, _, raw = call_again_if_busy("publish", publishers[i], "POST", "/results/publish",
                                            form=[("id", rid) for rid in batch])
            if st == 303:
                with lock:
                    side["published"] += batch
                continue
            for rid in batch:  # refused whole: one of them was published already; each alone
                st, _, raw = call_again_if_busy("publish", publishers[i], "POST", "/results/publish", form=[("id", rid)])
                if st == 303:
                    with lock:
                        side["published"].append(rid)

    def login_once(c, user, password):
        import secrets
        pre = secrets.token_hex(32)
        r, raw = c.raw("POST", "/login", urlencode({"username": user, "password": password, "csrf": pre}),
                       {"Cookie": f"sc_pre={pre}", "Content-Type": "application/x-www-form-urlencoded"})
        return r.status, re.search(r"sc_session=([0-9a-f]+)", r.getheader("Set-Cookie") or ""), \
            raw.decode("utf-8", "replace")

    def login_loop(i):
        user = ("staff", "leader")[i]
        while time.monotonic() < stop:
            st, session, raw = login_once(login_conns[i], user, PASSWORD)
            note("login", st, raw)
            if st == 303 and session:
                with lock:
                    side["logins"].append(session.group(1))

    def guesser(i):
        for n in range(3):  # rounds of GUESSERS guesses at once: 5 may be tried in all, the rest refused
            barrier.wait()
            st, _, raw = login_once(guess_conns[i], "guessme", f"wrong-{i}-{n}")
            note("guess", st, raw)


    # the guesses first, on a server with nothing else to do, so that each round's gates run together
    guessers = [threading.Thread(target=guesser, args=(i,)) for i in range(GUESSERS)]
    for t in guessers:
        t.start()
    for t in guessers:
        t.join()
    stop = time.monotonic() + SECONDS
    t0 = time.monotonic()
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    threads += [threading.Thread(target=f, args=(i,)) for f, n in ((reviewer, 2), (publisher, 4), (login_loop, 2))
                for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    log_tail = open(os.path.join(os.path.dirname(db), "serve.log"), encoding="utf-8", errors="replace").read()[-2000:]

requests = sum(statuses.values())
print(f"# {'postgresql' if PG else 'sqlite'}: {WRITERS} writers, {elapsed:.1f} s: {len(acks)} saves acknowledged "
      f"({len(acks) / elapsed:.1f}/s), {requests} saves sent ({requests / elapsed:.1f}/s), answers {statuses}, "
      f"load {os.getloadavg()[0]:.1f}")
if others:
    kinds = {}
    for k, st, raw in others:
        kinds[(k, st)] = kinds.get((k, st), 0) + 1
    print(f"# answers read again: {kinds}, e.g. {others[0]}")
s.check("every writer's saves were answered, some acknowledged on every row",
        {(k, r) for k, r, _, _ in acks} == {(k, r) for k, r, _ in rows}, str(statuses))
s.check("no answer was a server error other than busy", all(st == 503 for _, st, _ in busy), str(busy[:5]))
if PG:
    s.check("PostgreSQL: no answer was busy (no global write lock)", not busy, f"{busy[:5]} {log_tail}")
else:
    print(f"# sqlite: {len(busy)} busy answers (retried)")
s.check("only acknowledged saves and lost races (409) were answered",
        set(statuses) <= {200, 303, 409, 503}, str(statuses))

for kind, rid, _ in rows:
    mine = [(v, text) for k, r, v, text in acks if (k, r) == (kind, rid)]
    written = sorted(v for v, _ in mine)
    v0 = start_versions[(kind, rid)]
    stored_text, final = sql(db, KINDS[kind][3], (rid,))[0]
    s.check(f"{kind} {rid}: the acknowledged saves wrote distinct versions, one for each step (no lost update)",
            written == list(range(v0 + 1, final + 1)), f"start {v0} final {final} written {written[:20]}")
    last = [text for v, text in mine if v == final]
    s.check(f"{kind} {rid}: the row holds the save that wrote its final version", last == [stored_text],
            f"{last} {stored_text}")
    history = sorted(r[0] for r in sql(db, KINDS[kind][4], (rid,)) if r[0] >= v0)
    s.check(f"{kind} {rid}: the history keeps every replaced version, once", history == list(range(v0, final)),
            f"{history[:20]} for {v0}..{final - 1}")

# ---- review, publication, logins ----
print(f"# beside them: answers {side['answers']}, {len(side['logins'])} logins")
s.check("every record submitted for review was approved once", sorted(side["approved"]) == sorted(to_review),
        str(side["approved"]))
s.check("every approved record was published once", sorted(side["published"]) == sorted(to_publish),
        str(side["published"]))
for rid in to_review + to_publish:
    action = "审核通过" if rid in to_review else "公示"
    n = sql(db, "SELECT count(*) FROM record_event WHERE record_id = ? AND action = ?", (rid, action))[0][0]
    st = sql(db, "SELECT status FROM record WHERE id = ?", (rid,))[0][0]
    s.check(f"record {rid}: one {action} event, status {st}",
            n == 1 and st == ("审核通过" if rid in to_review else "已公示"), f"{n} events")
t_final = sql(db, "SELECT version FROM target WHERE id = ?", (hosp[0],))[0][0]
t_hist = sorted(r[0] for r in sql(db, "SELECT version FROM entity_version WHERE entity = 'target' AND entity_id = ?",
                                  (hosp[0],)) if r[0] >= target_v0)
s.check("the published records' target: its history keeps every replaced version, once",
        t_final > target_v0 and t_hist == list(range(target_v0, t_final)), f"{target_v0}..{t_final}: {t_hist}")
live = {r[0] for r in sql(db, "SELECT token_hash FROM session")}
missing = [tok for tok in side["logins"] if hashlib.sha256(tok.encode()).hexdigest() not in live]
s.check("some logins were acknowledged, each with its session", side["logins"] and not missing,
        f"{len(side['logins'])} logins, {len(missing)} without a session")
guesses = sql(db, "SELECT count(*) FROM login_attempt WHERE username = 'guessme' AND ok = 0")[0][0]
s.check("the throttle let exactly 5 guesses through, however many raced", guesses == 5, f"{guesses} tried")
by_action = dict(sql(db, "SELECT action, count(*) FROM audit_log WHERE id > ? GROUP BY action", (audit_id_before,)))
expected = {"record.approve": REVIEWS, "record.publish": PUBLISHES, "login": len(side["logins"])}
s.check("one audit row per approval, publication and login",
        all(by_action.get(a, 0) == n for a, n in expected.items()), f"{by_action} expected {expected}")

audit_after = sql(db, "SELECT count(*) FROM audit_log")[0][0]
saves = audit_after - audit_before - sum(by_action.get(a, 0) for a in ("record.approve", "record.publish", "login",
                                                                         "login.failed"))
s.check("one audit row per acknowledged save", saves == len(acks), f"{saves} rows, {len(acks)} saves")
p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True)
s.check("audit verify: one chain, no gap or fork", p.returncode == 0, (p.stdout + p.stderr).decode()[-600:])
s.done()
