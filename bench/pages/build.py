#!/usr/bin/env python3
"""Builds the database of the pages benchmark (bench/pages/build.sh runs it) with the program's
own commands only: `spotcheck init/import/user/draw` and its HTTP API and forms; sqlite3 is only
read (to find record ids and group members).

    build.py SPOTCHECK DATA_DIR DB ROWS

DATA_DIR holds bench/import/gen.py's files for ROWS targets. What it builds, one bureau (宁晋县,
130528) in 2026:
  - the ROWS targets, one dept, one item for every kind of target, OFFICERS officers (ROWS / 5000,
    at least 20; every third may lead a group) and accounts staff, leader, supervisor and one
    officer account for every fourth officer (o0000, o0004, … linked to YB0000, YB0004, …);
  - a plan with one row (不定向, 3 %) → approved → published; its task → scheme (one 福彩3D
    source) → approved → published; freeze on 2 March (`draw freeze --by staff`), the lottery
    on 4 March, the draw on 5 March (`draw run --by staff`): about 3 % of ROWS groups of two;
  - /records opened once (the records 一企一表 of every group are created on first view);
  - ROWS / 100 records filled by the officers of their groups (PUT /api/v1/my/records/ID, POST
    /my/records/ID/submit; 30 % with a finding and a violation, the rest 未发现问题; the signer
    refused to sign), approved by the leader (POST /api/v1/review/ID) and published by staff
    (POST /results/publish, 500 a batch).
Every step prints its wall time; the server runs with SPOTCHECK_TODAY set to the step's day.
"""
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pageslib import PASSWORD, Client, Server  # noqa: E402

YEAR = 2026
FREEZE_DAY = "2026-03-02T09:00"
LOTTERY = {"kind": "fc3d", "issue": "2026063", "date": "2026-03-04"}  # day 63 of 2026
DRAW_DAY = "2026-03-05T10:00"
FILL_DAY = "2026-04-03T10:00"
REVIEW_DAY = "2026-04-07T10:00"
PUBLISH_DAY = "2026-04-08T10:00"
THREADS = int(os.environ.get("BUILD_THREADS", "8"))

T0 = time.time()
STEPS = []


def step(name, t):
    dt = time.time() - t
    STEPS.append((name, dt))
    print(f"[{time.time() - T0:7.1f} s] {name}: {dt:.1f} s", flush=True)


def run(sc, args, today=None, stdin=None):
    env = dict(os.environ)
    if today:
        env["SPOTCHECK_TODAY"] = today
    p = subprocess.run([sc] + args, input=stdin, capture_output=True, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"spotcheck {' '.join(args[:3])}: exit {p.returncode}: "
                           f"{p.stderr.decode('utf-8', 'replace')[-2000:]}{p.stdout.decode('utf-8', 'replace')[-500:]}")
    return p.stdout.decode("utf-8", "replace")


def must(what, st, want=(200, 201, 303), body=None):
    if st not in want:
        raise RuntimeError(f"{what}: HTTP {st} {body if isinstance(body, (dict, list)) else (body or b'')[-600:]}")


def ro(db, q, args=()):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(q, args).fetchall()
    finally:
        con.close()


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")


def setup(sc, data, db, rows, work):
    n_off = max(20, rows // 5000)
    t = time.time()
    run(sc, ["init", "--db", db])
    for kind in ("orgs", "tags"):
        run(sc, ["import", kind, os.path.join(data, kind + ".csv"), "--db", db])
    write_csv(os.path.join(work, "depts.csv"), ["科室编码", "科室名称", "所属机构", "类型"],
              [["D1", "基金监管股", "130528", "本局科室"]])
    write_csv(os.path.join(work, "items.csv"),
              ["事项编码", "抽查事项名称", "抽查依据", "抽查主体", "所属机构", "抽查对象", "抽查内容", "抽查方式", "事项类别"],
              [["I1", "对定点医药机构、用人单位和参保人医保基金使用情况的监督检查",
                "《医疗保障基金使用监督管理条例》第二十七条", "D1", "130528",
                "定点医疗机构、定点零售药店、用人单位、参保人", "基金使用", "实地检查、书面检查", "重点"]])
    write_csv(os.path.join(work, "officers.csv"),
              ["执法证号", "姓名", "所属机构", "科室", "证件生效日期", "证件有效期至", "专长标签", "执法区域", "可任组长", "联系电话"],
              [[f"YB{i:04d}", f"执法员{i}", "130528", "D1", "2024-01-01", "2030-12-31", "", "130528",
                "是" if i % 3 == 0 else "否", ""] for i in range(n_off)])
    for kind in ("depts", "items"):
        run(sc, ["import", kind, os.path.join(work, kind + ".csv"), "--db", db])
    step("init, orgs, tags, depts, items", t)
    t = time.time()
    run(sc, ["import", "targets", os.path.join(data, "targets.csv"), "--db", db])
    step(f"import {rows} targets", t)
    t = time.time()
    run(sc, ["import", "officers", os.path.join(work, "officers.csv"), "--db", db])
    pw = (PASSWORD + "\n").encode()
    for name, role in (("staff", "staff"), ("leader", "leader"), ("supervisor", "supervisor")):
        run(sc, ["user", "add", name, "--role", role, "--org", "130528", "--password-stdin", "--db", db], stdin=pw)
    linked = list(range(0, n_off, 4))
    for i in linked:
        run(sc, ["user", "add", f"o{i:04d}", "--role", "officer", "--org", "130528", "--officer", f"YB{i:04d}",
                 "--name", f"执法员{i}", "--password-stdin", "--db", db], stdin=pw)
    step(f"{n_off} officers, {3 + len(linked)} accounts", t)
    return n_off, linked


def plan_and_task(sc, db, work, log):
    t = time.time()
    with Server(sc, db, FREEZE_DAY, log) as srv:
        staff, leader = Client(srv.port).login("staff"), Client(srv.port).login("leader")
        task = {"task_no": "001号", "name": "医保基金使用情况随机抽查", "kind": "不定向", "ratio": "3%",
                "items": ["I1"], "scope": {"kinds": ["institution", "pharmacy", "employer", "insured"]},
                "lead_dept": "基金监管股", "period": f"{YEAR}年3月至10月", "level": "县级"}
        st, plan, body = staff.json("POST", "/api/v1/plans", {"year": YEAR, "qualifier": "医保基金使用", "tasks": [task]})
        must("plan", st, body=plan or body)
        vid = plan["id"]
        ptid = plan["tasks"][0]["id"]
        for who, action in ((staff, "submit"), (leader, "approve"), (staff, "publish")):
            st, out, body = who.json("POST", f"/api/v1/plans/{vid}/{action}", {})
            must(f"plan {action}", st, body=out or body)
        st, out, body = staff.json("POST", "/api/v1/tasks", {"plan_task": ptid})
        must("task start", st, body=out or body)
        tid, code = out["id"], out["code"]
        scheme = {"version": out["scheme"]["version"], "purpose": "规范医保基金使用",
                  "period": f"{YEAR}年3月5日至10月31日", "group_size": "2", "method": "实地检查、书面检查",
                  "confidentiality": "抽取结果在检查前保密", "use_of_results": "纳入信用记录",
                  "materials": "近一年医保结算清单", "contact": "基金监管股 0319-1234567",
                  "randomness_source": "福彩3D 开奖号码", "randomness_sources": [LOTTERY],
                  "observers": {"律师": "钱律师"}}
        st, out, body = staff.json("POST", f"/api/v1/tasks/{tid}/scheme", scheme)
        must("scheme", st, body=out or body)
        for who, action in ((staff, "submit"), (leader, "approve"), (staff, "publish")):
            st, out, body = who.json("POST", f"/api/v1/tasks/{tid}/{action}", {})
            must(f"scheme {action}", st, body=out or body)
        staff.close()
        leader.close()
    step(f"plan, task {code} (id {tid}), scheme (HTTP API)", t)
    t = time.time()
    run(sc, ["draw", "freeze", "--task", code, "--by", "staff", "--db", db], today=FREEZE_DAY)
    step("draw freeze (CLI)", t)
    t = time.time()
    run(sc, ["draw", "run", "--task", code, "--by", "staff", "--value", "361", "--observers", "钱律师", "--db", db],
        today=DRAW_DAY)
    n = ro(db, "SELECT count(*) FROM draw_target t JOIN draw d ON d.id = t.draw_id WHERE d.task_code = ?", (code,))[0][0]
    step(f"draw run (CLI): {n} targets drawn", t)
    return tid, code


def parallel(items, worker, nthreads):
    """Runs worker(item) over items in nthreads threads; raises the first error."""
    lock = threading.Lock()
    it = iter(items)
    errors = []

    def loop():
        while not errors:
            with lock:
                x = next(it, None)
            if x is None:
                return
            try:
                worker(x)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)
    ts = [threading.Thread(target=loop) for _ in range(nthreads)]
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    if errors:
        raise errors[0]


def record_body(rid, version, certs_of):
    """The JSON of PUT /api/v1/my/records/ID for a benchmark record: checked in March, 30 % with a
    finding and a violation, the signer refused to sign."""
    day = 5 + rid % 27  # checked between 5 March and 31 March
    finding = rid % 10 < 3
    body = {"version": version, "checked_from": f"{YEAR}-03-{day:02d}", "checked_on": f"{YEAR}-03-{day:02d}",
            "result_codes": ["0201"] if finding else ["01"],
            "remarks": "责令限期整改" if finding else "", "notes": "基准测试数据",
            "officers": certs_of[:2], "refusal_reason": "被检查单位代表拒绝签名",
            "items": [{"position": 1, "methods": ["onsite", "documents"], "result": ["0201" if finding else "01"]}]}
    if finding:
        body["violations"] = [{"item_position": 1, "category": "38(3)", "amount": f"{100 + rid % 9000}.50",
                               "description": "重复收费"}]
    return body


def login_all(srv, users):
    """{user name: a logged-in Client (connection closed: clone it or copy its cookies)}; 4 logins
    at a time (each hashes the password: argon2id, 64 MiB)."""
    out = {}

    def login(user):
        c = Client(srv.port).login(user)
        c.close()
        out[user] = c
    parallel(sorted(users), login, 4)
    return out


def fill_records(sc, db, recs, log, nthreads):
    """Fills and submits recs [(record id, version, officer's user name, the group's certs)] as their
    officers, nthreads at a time, on a server at FILL_DAY; returns the number of officers."""
    with Server(sc, db, FILL_DAY, log) as srv:
        sessions = login_all(srv, {r[2] for r in recs})
        local = threading.local()

        def fill(rec):
            rid, version, user, certs_of = rec
            # one connection per thread (the server allows 64 per address), speaking as the
            # record's officer: the session cookie and CSRF token go with each request
            c = local.__dict__.get("c") or local.__dict__.setdefault("c", Client(srv.port))
            c.cookies, c.csrf = dict(sessions[user].cookies), sessions[user].csrf
            st, out, raw = c.json("PUT", f"/api/v1/my/records/{rid}", record_body(rid, version, certs_of))
            must(f"save record {rid}", st, (200,), out or raw)
            st, _, raw = c.form(f"/my/records/{rid}/submit", {})
            must(f"submit record {rid}", st, (303,), raw)
        parallel(recs, fill, nthreads)
    return len(sessions)


def approve_records(sc, db, jobs, log, nthreads):
    """Approves the records of jobs [(leader's user name, record id)], nthreads at a time, on a
    server at REVIEW_DAY."""
    with Server(sc, db, REVIEW_DAY, log) as srv:
        leaders = login_all(srv, {j[0] for j in jobs})
        local = threading.local()

        def approve(job):
            user, rid = job
            c = local.__dict__.get("c") or local.__dict__.setdefault("c", Client(srv.port))
            c.cookies, c.csrf = dict(leaders[user].cookies), leaders[user].csrf
            st, out, raw = c.json("POST", f"/api/v1/review/{rid}", {"action": "approve", "opinion": "同意"})
            must(f"approve record {rid}", st, (200,), out or raw)
        parallel(jobs, approve, nthreads)


def records(sc, db, tid, code, linked, n_results, log):
    t = time.time()
    with Server(sc, db, FILL_DAY, log) as srv:
        staff = Client(srv.port).login("staff")
        st, _, body = staff.get("/records")
        must("/records (creates the records)", st, (200,), body)
        staff.close()
    n = ro(db, "SELECT count(*) FROM record WHERE task_id = ?", (tid,))[0][0]
    step(f"/records opened once: {n} records created", t)

    # the records whose group has an officer with an account: that officer fills them
    certs = {f"YB{i:04d}": f"o{i:04d}" for i in linked}
    members = {}
    for target, cert in ro(db, "SELECT m.target_code, m.member_code FROM draw_member m JOIN draw d ON d.id = m.draw_id "
                               "WHERE d.task_code = ? AND d.status = '已抽取' AND m.status = '在组' AND m.role <> '专家' "
                               "ORDER BY m.target_code, m.member_code", (code,)):
        members.setdefault(target, []).append(cert)
    recs = []
    for rid, target, version in ro(db, "SELECT id, target_code, version FROM record WHERE task_id = ? AND status = '待录入' "
                                       "ORDER BY id", (tid,)):
        user = next((certs[c] for c in members.get(target, []) if c in certs), None)
        if user:
            recs.append((rid, version, user, members[target]))
        if len(recs) == n_results:
            break
    if len(recs) < n_results:
        raise RuntimeError(f"only {len(recs)} records have an officer with an account")

    t = time.time()
    n_users = fill_records(sc, db, recs, log, THREADS)
    step(f"{len(recs)} records filled and submitted by {n_users} officers ({THREADS} threads, 2 requests each)", t)

    t = time.time()
    approve_records(sc, db, [("leader", r[0]) for r in recs], log, THREADS)
    step(f"{len(recs)} records approved ({THREADS} threads)", t)

    t = time.time()
    with Server(sc, db, PUBLISH_DAY, log) as srv:
        staff = Client(srv.port).login("staff")
        ids = [r[0] for r in recs]
        for i in range(0, len(ids), 500):
            st, hdr, raw = staff.form("/results/publish", [("id", str(x)) for x in ids[i:i + 500]])
            must(f"publish batch {i // 500}", st, (303,), raw)
        staff.close()
    n = ro(db, "SELECT count(*) FROM record WHERE status = '已公示'")[0][0]
    step(f"{n} results published (batches of 500)", t)


def checkpoint(db):
    """Moves the WAL into the SQLite database file (a timed step)."""
    t = time.time()
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    step("checkpoint", t)


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: build.py SPOTCHECK DATA_DIR DB ROWS")
    sc, data, db, rows = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    work = os.path.dirname(os.path.abspath(db))
    log = db + ".serve.log"
    n_off, linked = setup(sc, data, db, rows, work)
    tid, code = plan_and_task(sc, db, work, log)
    records(sc, db, tid, code, linked, rows // 100, log)
    checkpoint(db)
    meta = {"rows": rows, "task_id": tid, "task_code": code, "officers": n_off,
            "officer_users": [f"o{i:04d}" for i in linked], "password": PASSWORD,
            "serve_today": "2026-05-20T10:00", "steps": STEPS, "total_seconds": time.time() - T0}
    with open(db + ".json", "w") as f:
        json.dump(meta, f, ensure_ascii=False, indent=1)
    print(f"built {db} in {time.time() - T0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
