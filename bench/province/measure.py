#!/usr/bin/env python3
"""Measures the simulated province (bench/province/run.sh runs it, once per driver).

    measure.py SPOTCHECK META LABEL OUT.json

META is build.py's JSON (its "db": a SQLite file or a postgresql:// URL). Starts `spotcheck serve`
on the database (SPOTCHECK_TODAY = the meta's serve_today), logs in as the largest county's staff,
its city's staff, the province's staff and one of the county's officers, then:
  1. pages one client at a time: N1 requests each after one unmeasured (p50, p99, bytes);
  2. MIXED concurrent clients (default 64) for DURATION seconds (default 30) through wrk
     (mixed.lua: a thread and a keep-alive connection per client): 80 % reads (the pages of 1,
     drawn at random), 20 % writes, half record saves (PUT /api/v1/my/records/ID as the officer of
     the group, each client its own record, with the version its last save returned) and half
     directory edits (PUT /api/v1/targets/ID as the county's staff, each client its own target):
     req/s, p50, p99 (wrk's latency of all requests), errors (a status other than 200/201/409/503
     busy, or a socket error or timeout of 10 s), busy answers (503 or "数据库忙"), version
     conflicts (409: none expected, each client owns its rows);
     With DURING (a shell command, e.g. a large `spotcheck draw run`), the command runs beside the
     clients, started DURING_AFTER seconds (default 5) into the load; its exit and time are kept;
  3. the server's peak RSS (VmHWM) and the highest sum of the PostgreSQL processes' PSS (sampled
     every 0.5 s during the mixed load), and their CPU seconds (user + system) over it.
Writes OUT.json (report.py prints the tables). Standard library and wrk.
"""
import json
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pages"))
from build import record_body  # noqa: E402
from pageslib import Client, Server  # noqa: E402

N1 = int(os.environ.get("N1", "20"))
MIXED = int(os.environ.get("MIXED", "64"))
DURATION = float(os.environ.get("DURATION", "30"))
DURING = os.environ.get("DURING")
DURING_AFTER = float(os.environ.get("DURING_AFTER", "5"))


def pct(v, p):
    if not v:
        return float("nan")
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def cpu_seconds(pid):
    """user + system seconds of pid and its waited-for children."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return sum(int(x) for x in parts[11:15]) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def children(ppid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == ppid:
                        out.append(int(d))
            except OSError:
                pass
    return out


def proc_kb(path, key):
    """The kB figure of the line `key:` in a /proc file (status, smaps_rollup), 0 when gone."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kb(pid):
    return proc_kb(f"/proc/{pid}/smaps_rollup", "Pss")


def hwm_kb(pid):
    return proc_kb(f"/proc/{pid}/status", "VmHWM")


def postmaster():
    """The pid of the PostgreSQL server (PGHOST's cluster, scripts/pgtest.sh), or None."""
    host = os.environ.get("PGHOST")
    if not host:
        return None
    try:
        with open(os.path.join(host, "data", "postmaster.pid")) as f:
            return int(f.readline())
    except (OSError, ValueError):
        return None


def pg_cpu(pm):
    return cpu_seconds(pm) + sum(cpu_seconds(c) for c in children(pm)) if pm else 0.0


def sequential(srv, sessions, pages):
    rows = []
    for label, who, path in pages:
        c = sessions[who].clone()
        st, _, body = c.get(path)
        lat = []
        bad = 0 if st == 200 else 1
        for _ in range(N1):
            t = time.perf_counter()
            st, _, body = c.get(path)
            lat.append((time.perf_counter() - t) * 1000)
            bad += st != 200
        c.close()
        rows.append({"page": label, "user": who, "path": path, "p50": pct(lat, 50), "p99": pct(lat, 99),
                     "errors": bad, "bytes": len(body)})
        print(f"  {label:40s} {who:9s} p50 {pct(lat, 50):8.1f} ms  p99 {pct(lat, 99):8.1f} ms  {len(body)} B"
              f"{'  ERRORS ' + str(bad) if bad else ''}", flush=True)
    return rows


def lua_str(x):
    return '"' + x.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def cookie(c):
    return "; ".join(f"{k}={v}" for k, v in c.cookies.items() if v)


def mixed(srv, sessions, reads, jobs, work):
    """MIXED clients through wrk (mixed.lua), the server's and PostgreSQL's CPU and memory around it."""
    lines = ["reads = {"]
    for _, who, path in reads:
        lines.append(f"  {{ path = {lua_str(path)}, cookie = {lua_str(cookie(sessions[who]))} }},")
    lines.append("}")
    lines.append("jobs = {")
    for j in jobs:
        f = []
        if j["rec"]:
            body = dict(j["rec_body"], version="__VERSION__", notes="__NOTE__")
            text = json.dumps(body, ensure_ascii=False).replace('"__VERSION__"', "__VERSION__")
            o = sessions[j["officer"]]
            f += [f"rec = {j['rec']}", f"rec_version = {j['rec_version']}", f"rec_body = {lua_str(text)}",
                  f"officer_cookie = {lua_str(cookie(o))}", f"officer_csrf = {lua_str(o.csrf)}"]
        if j["dir"]:
            st = sessions[j["staff"]]
            f += [f"dir = {j['dir']}", f"dir_version = {j['dir_version']}",
                  f"staff_cookie = {lua_str(cookie(st))}", f"staff_csrf = {lua_str(st.csrf)}"]
        lines.append("  { " + ", ".join(f) + " },")
    lines.append("}")
    data = os.path.join(work, "mixed-data.lua")
    with open(data, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    pm = postmaster()
    cpu0, pg0 = cpu_seconds(srv.proc.pid), pg_cpu(pm)
    peak = {"pg_pss_kb": 0}
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            if pm:
                peak["pg_pss_kb"] = max(peak["pg_pss_kb"], pss_kb(pm) + sum(pss_kb(c) for c in children(pm)))
            stop.wait(0.5)
    sampler = threading.Thread(target=sample)
    sampler.start()
    log_at = os.path.getsize(srv.log)
    env = dict(os.environ, MIXED_DATA=data)
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mixed.lua")
    t0 = time.time()
    p = subprocess.Popen(["wrk", "-t", str(len(jobs)), "-c", str(len(jobs)), "-d", f"{DURATION:.0f}s", "--timeout", "10s",
                          "--latency", "-s", script, f"http://127.0.0.1:{srv.port}/"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    during = None
    if DURING:  # a long unit of work run beside the clients, e.g. a large `draw run`
        time.sleep(DURING_AFTER)
        d0 = time.time()
        d = subprocess.run(["bash", "-c", DURING], capture_output=True, text=True)
        during = {"command": DURING, "exit": d.returncode, "started_s": round(d0 - t0, 1),
                  "seconds": round(time.time() - d0, 1), "output": (d.stdout + d.stderr)[-600:]}
        print(f"DURING: exit {d.returncode} after {during['seconds']} s: {during['output'][-300:]}", flush=True)
    p.stdout, p.stderr = p.communicate()
    wall = time.time() - t0
    stop.set()
    sampler.join()
    cpu = cpu_seconds(srv.proc.pid) - cpu0
    pgc = pg_cpu(pm) - pg0 if pm else 0.0
    line = next((x for x in p.stdout.splitlines() if x.startswith("MIXED ")), None)
    if p.returncode != 0 or not line:
        raise RuntimeError(f"wrk: exit {p.returncode}: {p.stderr[-1000:]} {p.stdout[-1000:]}")
    w = json.loads(line[6:])
    kinds, outcomes = {}, {}
    # the server's own time per request (its log: `… "PUT /api/v1/my/records/7" 200 61 12ms`)
    server_ms = {"read": [], "record save": [], "directory edit": []}
    with open(srv.log, "rb") as fh:
        fh.seek(log_at)
        for raw in fh:
            m = re.search(rb'"(GET|PUT|POST) (\S+)" \d+ \d+ (\d+)ms$', raw.rstrip())
            if not m:
                continue
            k = "read" if m[1] == b"GET" else "record save" if m[2].startswith(b"/api/v1/my/records/") else \
                "directory edit" if m[2].startswith(b"/api/v1/targets/") else None
            if k:
                server_ms[k].append(int(m[3]))
    for k, v in w["counts"].items():
        kind, outcome = k.split("|", 1)
        d = kinds.setdefault(kind, {"n": 0, "outcomes": {}})
        d["n"] += v
        d["outcomes"][outcome] = d["outcomes"].get(outcome, 0) + v
        outcomes[outcome] = outcomes.get(outcome, 0) + v
    se = w["socket_errors"]
    n = w["requests"]
    secs = w["duration_us"] / 1e6
    return {"clients": len(jobs), "seconds": round(secs, 1), "requests": n, "req_s": n / secs,
            "p50": w["p50_us"] / 1000, "p90": w["p90_us"] / 1000, "p99": w["p99_us"] / 1000, "max": w["max_us"] / 1000,
            "outcomes": outcomes, "socket_errors": se,
            "errors": sum(v for k, v in outcomes.items() if k.startswith("http")) + se["connect"] + se["read"]
            + se["write"] + se["timeout"],
            "busy": outcomes.get("busy", 0), "conflicts": outcomes.get("conflict", 0),
            "server_cpu_s": cpu, "pg_cpu_s": pgc, "cpu_ms_per_req": 1000 * (cpu + pgc) / max(n, 1),
            "wall_s": wall, "server_peak_rss_mb": hwm_kb(srv.proc.pid) / 1024, "pg_peak_pss_mb": peak["pg_pss_kb"] / 1024,
            "kinds": kinds, "wrk": p.stdout, "during": during,
            "server_ms": {k: {"n": len(v), "p50": pct(v, 50), "p99": pct(v, 99)} for k, v in server_ms.items()}}


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: measure.py SPOTCHECK META LABEL OUT.json")
    sc, meta_path, label, out_path = sys.argv[1:5]
    with open(meta_path) as f:
        meta = json.load(f)
    db = meta["db"]
    county = max(meta["counties"], key=lambda c: c["targets"])
    code, city, tid = county["code"], county["city"], county["task_id"]
    # the county imported last: its targets' ids come after every other county's
    late = meta["counties"][-1]["code"]
    officer = f"o{code}a"
    log = out_path + ".serve.log"
    env_map = os.environ.pop("SPOTCHECK_PG_MAP", None)
    try:
        with Server(sc, db, meta["serve_today"], log) as srv:
            sessions = {"county": Client(srv.port).login(f"s{code}"), "city": Client(srv.port).login(f"s{city}"),
                        "province": Client(srv.port).login("s130000"), "officer": Client(srv.port).login(officer),
                        "late county": Client(srv.port).login(f"s{late}")}
            for c in sessions.values():
                c.close()
            frag = "凤凰商贸"
            pages = [("county draw page `/tasks/ID/draw`", "county", f"/tasks/{tid}/draw"),
                     ("task `/tasks/ID`", "county", f"/tasks/{tid}"),
                     ("`/d/targets` list", "county", "/d/targets"),
                     ("`/d/targets` list", "late county", "/d/targets"),
                     ("`/d/targets` last page", "late county", "/d/targets?last=1"),
                     (f"`/d/targets?q={frag}` (name)", "county", f"/d/targets?q={frag}"),
                     (f"`/d/targets?q=H{code}` (code prefix)", "county", f"/d/targets?q=H{code}"),
                     ("`/records`", "county", "/records"),
                     ("`/results`", "county", "/results"),
                     ("`/my` (officer)", "officer", "/my"),
                     ("home `/`", "county", "/"),
                     ("`/dashboard`", "county", "/dashboard"),
                     ("`/figures`", "county", "/figures"),
                     ("home `/`", "city", "/"),
                     ("`/dashboard`", "city", "/dashboard"),
                     ("`/figures`", "city", "/figures"),
                     ("`/d/targets` list", "city", "/d/targets"),
                     (f"`/d/targets?q={frag}` (name)", "city", f"/d/targets?q={frag}"),
                     ("home `/`", "province", "/"),
                     ("`/dashboard`", "province", "/dashboard"),
                     ("`/figures`", "province", "/figures"),
                     ("`/d/targets` list", "province", "/d/targets"),
                     (f"`/d/targets?q={frag}` (name)", "province", f"/d/targets?q={frag}")]
            from urllib.parse import quote
            pages = [(lbl, who, quote(p, safe="/?=&")) for lbl, who, p in pages]
            print(f"{label}: pages one client at a time (county {code}, {county['targets']} targets; city {city}; "
                  f"late county {late})",
                  flush=True)
            seq = sequential(srv, sessions, pages)
            # the writers' rows: each client its own record (of any county, saved by its officer)
            # and its own target of the county (edited by the county's staff)
            staff = sessions["county"].clone()
            targets = []
            for kind in ("institution", "pharmacy", "employer"):
                st, out, _ = staff.json("GET", f"/api/v1/targets?kind={kind}", None)
                targets += [(x["id"], x["version"]) for x in (out or {}).get("rows", [])]
            spare = sorted(((u, rid, certs) for u, v in meta["spare_records"].items() for rid, certs in v),
                           key=lambda x: (x[1] % 7, x[1]))
            jobs = []
            for k in range(MIXED):
                j = {"officer": None, "staff": "county", "rec": None, "rec_version": 0, "rec_body": None,
                     "dir": None, "dir_version": 0}
                if k < len(spare):
                    user, rid, certs = spare[k]
                    st, out, _ = staff.json("GET", f"/api/v1/records/{rid}", None)
                    if st != 200:  # another county's record: the province reads it
                        st, out, _ = sessions["province"].clone().json("GET", f"/api/v1/records/{rid}", None)
                    if st == 200:
                        if user not in sessions:
                            sessions[user] = Client(srv.port).login(user)
                            sessions[user].close()
                        j["officer"], j["rec"], j["rec_version"] = user, rid, out["record"]["version"]
                        j["rec_body"] = record_body(rid, j["rec_version"], certs)
                if k < len(targets):
                    j["dir"], j["dir_version"] = targets[k]
                jobs.append(j)
            staff.close()
            n_rec = sum(1 for j in jobs if j["rec"])
            n_dir = sum(1 for j in jobs if j["dir"])
            print(f"{label}: {MIXED} mixed clients for {DURATION:.0f} s ({n_rec} own a record, {n_dir} a target)",
                  flush=True)
            mix = mixed(srv, sessions, pages, jobs, os.path.dirname(os.path.abspath(out_path)))
            print({k: v for k, v in mix.items() if k != "wrk"}, flush=True)
    finally:
        if env_map is not None:
            os.environ["SPOTCHECK_PG_MAP"] = env_map
    res = {"label": label, "db": db, "county": code, "county_targets": county["targets"], "city": city,
           "targets": meta["targets"], "build_steps": meta["steps"], "build_seconds": meta["total_seconds"],
           "county_draw_seconds": county.get("draw_seconds"), "county_freeze_seconds": county.get("freeze_seconds"),
           "pages": seq, "mixed": mix, "loadavg": open("/proc/loadavg").read().split()[:3]}
    with open(out_path, "w") as f:
        json.dump(res, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
