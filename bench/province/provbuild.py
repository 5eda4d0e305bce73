#!/usr/bin/env python3
"""Builds the simulated province's database (bench/province/run.sh runs it) with the program's own
commands only: `spotcheck init/import/user/draw` and its HTTP API and forms; the database is only
read (SQLite through sqlite3, PostgreSQL through psql) to find record ids and group members.

    build.py SPOTCHECK DATA_DIR DB META

DATA_DIR holds bench/province/gen.py's files; DB is a SQLite file or a postgresql:// URL; META
the JSON file written at the end (accounts, task ids, step times). What it builds, in 2026:
  - the orgs, tags, depts, items, targets and officers of gen.py (`spotcheck import`);
  - accounts: an administrator a130000 (`spotcheck user add`), who creates the others through
    the account form (POST /admin/users, 2 at a time in one server): staff s<code> for the
    province, every city and county; leader l<code> for every county; two officer accounts
    o<code>a/o<code>b per county (its first two officers);
  - per county (4 at a time): a plan with two rows → approved → published: 001号 draws 5 % of
    the county's 定点医疗机构 and 定点零售药店, 002号 0.05 % of its 用人单位 and 参保人 (a
    county checks a few percent of its institutions and a small sample of persons, not 3 % of
    everyone); each task → scheme → approved → published (HTTP API as the county's staff and
    leader); freeze on 2 March, the lottery of 4 March, the draw on 5 March (`draw freeze/run
    --by s<code>`, both tasks);
  - the records of every county created (its staff opens /records once); targets / 1000 records
    (spread over the counties, at least one each) filled and submitted by the county's officer
    accounts, approved by its leader and published by its staff.
Every step prints its wall time.
"""
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pages"))
from build import (DRAW_DAY, FILL_DAY, FREEZE_DAY, LOTTERY, PUBLISH_DAY, STEPS, T0, YEAR, approve_records,  # noqa: E402
                   checkpoint, fill_records, must, parallel, run, step)
from pageslib import PASSWORD, Client, Server  # noqa: E402

THREADS = int(os.environ.get("BUILD_THREADS", "8"))

def is_pg(db):
    return db.startswith("postgres")


def ro(db, q):
    """Rows of a read-only query (bench data only: integers and codes inlined by the caller)."""
    if is_pg(db):
        p = subprocess.run(["psql", db, "-AtX", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", q],
                           capture_output=True, check=True)
        return [tuple(line.split("\t")) for line in p.stdout.decode().splitlines() if line]
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [tuple(str(x) for x in r) for r in con.execute(q).fetchall()]
    finally:
        con.close()


def setup(sc, data, db, counties, log):
    t = time.time()
    run(sc, ["init", "--db", db])
    for kind in ("orgs", "tags", "depts", "items"):
        run(sc, ["import", kind, os.path.join(data, kind + ".csv"), "--db", db])
    step("init, orgs, tags, depts, items", t)
    t = time.time()
    out = run(sc, ["import", "targets", os.path.join(data, "targets.csv"), "--db", db])
    n = sum(c["targets"] for c in counties)
    step(f"import {n} targets", t)
    print(out.strip().splitlines()[-1] if out.strip() else "", flush=True)
    t = time.time()
    run(sc, ["import", "officers", os.path.join(data, "officers.csv"), "--db", db])
    step("import officers", t)
    t = time.time()
    run(sc, ["user", "add", "a130000", "--role", "admin", "--org", "130000", "--password-stdin", "--db", db],
        stdin=(PASSWORD + "\n").encode())
    jobs = [["s130000", "staff", "130000", None]]
    jobs += [[f"s{c}", "staff", c, None] for c in sorted({x["city"] for x in counties})]
    for c in counties:
        code = c["code"]
        jobs += [[f"s{code}", "staff", code, None], [f"l{code}", "leader", code, None],
                 [f"o{code}a", "officer", code, f"YB{code}000"], [f"o{code}b", "officer", code, f"YB{code}001"]]
    # one server, the administrator's form: no process start, migration check and connection per
    # account (692 `user add` took 399 s on SQLite, 1,067 s on PostgreSQL); 2 at a time: the
    # account's unit of work hashes the password (argon2id, 64 MiB) inside its write transaction,
    # so more at once only queue for the write lock (4 at a time ran into SQLite's 10 s busy
    # timeout on the loaded machine)
    with Server(sc, db, FREEZE_DAY, log) as srv:
        admin = Client(srv.port).login("a130000")
        admin.close()
        local = threading.local()
        retried = []

        def add(j):
            name, role, org, cert = j
            c = local.__dict__.get("c") or local.__dict__.setdefault("c", admin.clone())
            for attempt in range(4):
                st, _, raw = c.form("/admin/users", [("username", name), ("display_name", name), ("role", role),
                                                     ("org_code", org), ("officer_cert", cert or ""),
                                                     ("dept_code", ""), ("password", PASSWORD)])
                # a 500 after SQLite's 10 s busy timeout (a stall of the loaded machine's disk
                # while the account's transaction waited): again; 409 then means the first one
                # was written after all
                if st == 303 or (attempt and st == 409) or st not in (500, 503):
                    break
                retried.append(name)
            must(f"account {name}", st, (303, 409) if retried else (303,), raw)
        parallel(jobs, add, 2)
    if retried:
        print(f"accounts retried after a 500: {len(retried)} ({', '.join(retried[:8])})", flush=True)
    step(f"{len(jobs) + 1} accounts (1 CLI, the others POST /admin/users, 2 at a time)", t)


# the county's two plan rows: a few percent of its institutions and pharmacies, a small sample of
# its employers and insured persons
TASKS = [("001号", "定点医药机构医保基金使用情况随机抽查", "5%", ["institution", "pharmacy"]),
         ("002号", "用人单位和参保人医保基金使用情况随机抽查", "0.05%", ["employer", "insured"])]


def county_task(srv, c):
    code = c["code"]
    staff, leader = Client(srv.port).login(f"s{code}"), Client(srv.port).login(f"l{code}")
    rows = [{"task_no": no, "name": name, "kind": "不定向", "ratio": ratio, "items": [f"I{code}"],
             "scope": {"kinds": kinds}, "lead_dept": "基金监管股", "period": f"{YEAR}年3月至10月", "level": "县级"}
            for no, name, ratio, kinds in TASKS]
    st, plan, body = staff.json("POST", "/api/v1/plans", {"year": YEAR, "qualifier": "医保基金使用", "tasks": rows})
    must(f"{code} plan", st, body=plan or body)
    vid = plan["id"]
    for who, action in ((staff, "submit"), (leader, "approve"), (staff, "publish")):
        st, out, body = who.json("POST", f"/api/v1/plans/{vid}/{action}", {})
        must(f"{code} plan {action}", st, body=out or body)
    c["tasks"] = []
    for pt in plan["tasks"]:
        st, out, body = staff.json("POST", "/api/v1/tasks", {"plan_task": pt["id"]})
        must(f"{code} task start", st, body=out or body)
        tid = out["id"]
        c["tasks"].append([tid, out["code"]])
        scheme = {"version": out["scheme"]["version"], "purpose": "规范医保基金使用",
                  "period": f"{YEAR}年3月5日至10月31日", "group_size": "2", "method": "实地检查、书面检查",
                  "confidentiality": "抽取结果在检查前保密", "use_of_results": "纳入信用记录",
                  "materials": "近一年医保结算清单", "contact": "基金监管股 0311-1234567",
                  "randomness_source": "福彩3D 开奖号码", "randomness_sources": [LOTTERY], "observers": {"律师": "钱律师"}}
        st, out, body = staff.json("POST", f"/api/v1/tasks/{tid}/scheme", scheme)
        must(f"{code} scheme", st, body=out or body)
        for who, action in ((staff, "submit"), (leader, "approve"), (staff, "publish")):
            st, out, body = who.json("POST", f"/api/v1/tasks/{tid}/{action}", {})
            must(f"{code} scheme {action}", st, body=out or body)
    # the first task's draw is the county draw page measure.py reads
    c["task_id"], c["task_code"] = c["tasks"][0]
    staff.close()
    leader.close()


def tasks_and_draws(sc, db, counties, log):
    t = time.time()
    with Server(sc, db, FREEZE_DAY, log) as srv:
        parallel(counties, lambda c: county_task(srv, c), 4)
    step(f"{len(counties)} plans, {2 * len(counties)} tasks and schemes (HTTP API, 4 counties at a time)", t)
    t = time.time()
    jobs = [(c, i) for c in counties for i in range(len(c["tasks"]))]

    def freeze(job):
        c, i = job
        t1 = time.time()
        run(sc, ["draw", "freeze", "--task", c["tasks"][i][1], "--by", f"s{c['code']}", "--db", db], today=FREEZE_DAY)
        c.setdefault("freeze_seconds", [0.0] * len(c["tasks"]))[i] = round(time.time() - t1, 2)
    parallel(jobs, freeze, 2)
    step(f"{len(jobs)} draw freezes (CLI, 2 at a time)", t)
    t = time.time()

    def draw(job):
        c, i = job
        t1 = time.time()
        run(sc, ["draw", "run", "--task", c["tasks"][i][1], "--by", f"s{c['code']}", "--value", "361",
                 "--observers", "钱律师", "--db", db], today=DRAW_DAY)
        c.setdefault("draw_seconds", [0.0] * len(c["tasks"]))[i] = round(time.time() - t1, 2)
    parallel(jobs, draw, 2)
    n = ro(db, "SELECT count(*) FROM draw_target")[0][0]
    step(f"{len(jobs)} draw runs (CLI, 2 at a time): {n} targets drawn", t)


def records(sc, db, counties, n_results, log):
    t = time.time()
    with Server(sc, db, FILL_DAY, log) as srv:
        def sync(c):
            s = Client(srv.port).login(f"s{c['code']}")
            st, _, body = s.get("/records")
            must(f"{c['code']} /records", st, (200,), body)
            s.close()
        parallel(counties, sync, 4)
    n = ro(db, "SELECT count(*) FROM record")[0][0]
    step(f"/records opened once per county: {n} records created", t)

    # the records whose group has one of the county's officer accounts: that officer fills them
    cert_user = {}
    for c in counties:
        cert_user[f"YB{c['code']}000"] = f"o{c['code']}a"
        cert_user[f"YB{c['code']}001"] = f"o{c['code']}b"
    members = {}
    for target, cert in ro(db, "SELECT m.target_code, m.member_code FROM draw_member m JOIN draw d ON d.id = m.draw_id "
                               "WHERE d.status = '已抽取' AND m.status = '在组' AND m.role <> '专家' "
                               "ORDER BY m.target_code, m.member_code"):
        members.setdefault(target, []).append(cert)
    # the group's members, an officer with an account first
    members = {t: sorted(v, key=lambda x: x not in cert_user) for t, v in members.items() if any(x in cert_user for x in v)}
    total = sum(c["targets"] for c in counties)
    # the county's share of n_results, its first task's records first (its institutions)
    want = {c["code"]: max(1, n_results * c["targets"] // total) for c in counties}
    county_of = {tid: c["code"] for c in counties for tid, _ in c["tasks"]}
    by_task = {}
    spare = {}  # records left 待录入 for the load's writers
    rows = [(rid, tid, target, version) for rid, tid, target, version in
            ro(db, "SELECT id, task_id, target_code, version FROM record WHERE status = '待录入' ORDER BY task_id, id")
            if members.get(target)]
    # 64 of them, spread over the counties, kept for the load before any is filled: at 10M targets the
    # groups with an officer who has an account (two per county) are fewer than the results to fill
    keep = set(rows[i][0] for i in range(0, len(rows), max(1, len(rows) // 64)))
    for rid, tid, target, version in rows:
        tid = int(tid)
        certs = members.get(target)
        rec = (int(rid), int(version), cert_user[certs[0]], certs)
        cc = county_of.get(tid)
        if rid not in keep and want.get(cc, 0) > 0:
            want[cc] -= 1
            by_task.setdefault(tid, []).append(rec)
        else:
            spare.setdefault(rec[2], []).append([rec[0], certs[:2]])
    recs = [r for lst in by_task.values() for r in lst]

    t = time.time()
    n_users = fill_records(sc, db, recs, log, THREADS)
    step(f"{len(recs)} records filled and submitted by {n_users} officers ({THREADS} threads)", t)

    t = time.time()
    leader_of = {tid: f"l{c['code']}" for c in counties for tid, _ in c["tasks"]}
    jobs = [(leader_of[tid], r[0]) for tid, lst in by_task.items() for r in lst]
    approve_records(sc, db, jobs, log, THREADS)
    step(f"{len(jobs)} records approved ({THREADS} threads)", t)

    t = time.time()
    with Server(sc, db, PUBLISH_DAY, log) as srv:
        def publish(c):
            ids = [r[0] for tid, _ in c["tasks"] for r in by_task.get(tid, [])]
            if not ids:
                return
            s = Client(srv.port).login(f"s{c['code']}")
            for i in range(0, len(ids), 500):
                st, _, raw = s.form("/results/publish", [("id", str(x)) for x in ids[i:i + 500]])
                must(f"{c['code']} publish", st, (303,), raw)
            s.close()
        parallel(counties, publish, 4)
    n = ro(db, "SELECT count(*) FROM record WHERE status = '已公示'")[0][0]
    step(f"{n} results published", t)
    return {u: v[:64] for u, v in spare.items()}


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: build.py SPOTCHECK DATA_DIR DB META")
    sc, data, db, meta_path = sys.argv[1:5]
    os.environ.pop("SPOTCHECK_PG_MAP", None)  # scripts/pgtest.sh's; the URL names the database
    counties = []
    with open(os.path.join(data, "counties.tsv")) as f:
        for line in f:
            code, city, n, o = line.split()
            counties.append({"code": code, "city": city, "targets": int(n), "officers": int(o)})
    log = meta_path + ".serve.log"
    setup(sc, data, db, counties, log)
    tasks_and_draws(sc, db, counties, log)
    total = sum(c["targets"] for c in counties)
    spare = records(sc, db, counties, total // 1000, log)
    if not is_pg(db):
        checkpoint(db)
    meta = {"db": db, "targets": total, "counties": counties, "password": PASSWORD,
            "serve_today": "2026-05-20T10:00", "spare_records": spare, "steps": STEPS,
            "total_seconds": round(time.time() - T0, 1)}
    with open(meta_path, "w") as f:
        json.dump(meta, f, ensure_ascii=False, indent=1)
    print(f"built {db} in {time.time() - T0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
