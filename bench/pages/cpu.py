#!/usr/bin/env python3
"""Server CPU per view of each main page, one client (bench/README.md, "Pages, session 25").

    cpu.py SPOTCHECK DB [META.json]

DB is a database built by bench/pages/build.sh (give a copy: the server may migrate it and the
record lists create records); META its build's JSON (default DB.json: the serve day, the officer
accounts). Starts `spotcheck serve` on it, logs in as staff and as the first officer, and per page
sends 2 warm-up requests, then N (default 20) sequential ones on one keep-alive connection, and
prints the page's bytes, the server's CPU per request (user + system from /proc/PID/stat, in clock
ticks: the resolution is one tick divided by N) and the wall time per request. ONLY=text measures
the pages whose path contains text. Linux only."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pageslib import Client, Server  # noqa: E402


def cpu_seconds(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sc, db = sys.argv[1], sys.argv[2]
    meta = json.load(open(sys.argv[3] if len(sys.argv) > 3 else db + ".json"))
    n = int(os.environ.get("N", "20"))
    only = os.environ.get("ONLY")
    tid = meta.get("task_id", 1)
    with Server(sc, db, today=meta["serve_today"]) as srv:
        staff = Client(srv.port)
        staff.login("staff")
        officer = Client(srv.port)
        officer.login(meta["officer_users"][0])
        anon = Client(srv.port)
        pages = [("/", staff), ("/dashboard", staff), ("/figures", staff), ("/d/targets", staff),
                 ("/d/targets?q=%E5%87%A4%E5%87%B0%E5%95%86%E8%B4%B8", staff), ("/d/targets?q=H1305280", staff),
                 (f"/tasks/{tid}", staff), (f"/tasks/{tid}/draw", staff), (f"/tasks/{tid}/draw?page=300", staff),
                 ("/public/", anon), (f"/public/tasks/{tid}", anon), ("/public/results", anon),
                 ("/results", staff), ("/records", staff), ("/my", officer), ("/api/v1/todo", staff)]
        for path, c in pages:
            if only and only not in path:
                continue
            for _ in range(2):
                c.get(path)
            c0, t0 = cpu_seconds(srv.proc.pid), time.perf_counter()
            for _ in range(n):
                st, _, body = c.get(path)
            c1, t1 = cpu_seconds(srv.proc.pid), time.perf_counter()
            print(f"{path:50s} status={st} bytes={len(body):8d} cpu/req={1000 * (c1 - c0) / n:7.1f} ms "
                  f"wall/req={1000 * (t1 - t0) / n:7.1f} ms", flush=True)


if __name__ == "__main__":
    main()
