#!/usr/bin/env python3
"""Two spotcheck binaries on the same pages database, one client each, interleaved: for each page,
ROUNDS rounds of N sequential GETs on A then on B (B first in every other round), after 2 warm-up
requests each, so both see the same machine load. Prints a markdown table of p50/p99 per binary.

    bench/pages/compare.py SPOTCHECK_A SPOTCHECK_B DB [PAGE ...]

DB: a database built by bench/pages/build.sh (copied twice into a temporary directory; the cache
is never changed); its .json gives the serve day. PAGEs default to the staff pages of issue 15.
Environment: ROUNDS (default 4), N (default 5), FIRST=1: the first view after a change — before
every timed request the data version (public_version, sql/036) is set anew from another connection,
as an audited change does, so nothing kept for the old version is served. Besides p50/p99 the
server's CPU time per request (user + sys from /proc, the mean of the timed requests): the cost
of a page on a machine whose load makes the wall times several times larger. CONNS=64: instead of
sequential GETs, one `wrk -cCONNS -dDURATION` run (default 10 s) per binary per round, after the
server has finished the previous run's requests (measure.py's settle), and the medians of the rounds'
req/s, p50 and p99. LOGIN: the account (default staff; an officer for /my/records). Standard
library and wrk."""
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pageslib import Client, Server  # noqa: E402
from measure import settle, wrk  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "4"))
N = int(os.environ.get("N", "5"))
FIRST = os.environ.get("FIRST", "") not in ("", "0")
CONNS = int(os.environ.get("CONNS", "0"))
DURATION = int(os.environ.get("DURATION", "10"))
LOGIN = os.environ.get("LOGIN", "staff")
PAGES = ["/", "/dashboard", "/dashboard/overdue", "/figures", "/records", "/results", "/api/v1/todo"]


def cpu_ms(pid):
    """The process's user + sys CPU time in ms (/proc/PID/stat, clock ticks)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")


def pct(values, p):
    v = sorted(values)
    return v[max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))]


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    sc_a, sc_b, db = sys.argv[1:4]
    pages = sys.argv[4:] or PAGES
    with open(db + ".json") as f:
        today = json.load(f)["serve_today"]
    tmp = tempfile.mkdtemp(prefix="spotcheck-compare-")
    try:
        dbs = []
        for name in ("a", "b"):
            dbs.append(os.path.join(tmp, f"{name}.db"))
            shutil.copyfile(db, dbs[-1])
        with Server(sc_a, dbs[0], today, os.path.join(tmp, "a.log")) as sa, \
                Server(sc_b, dbs[1], today, os.path.join(tmp, "b.log")) as sb:
            clients = {"A": Client(sa.port).login(LOGIN), "B": Client(sb.port).login(LOGIN)}
            if CONNS:
                return many(sa, sb, clients, pages)
            bump = {name: sqlite3.connect(path, timeout=30) for name, path in zip(("A", "B"), dbs)}
            print(f"A: {sc_a}\nB: {sc_b}\n{ROUNDS} rounds of {N} requests each, interleaved"
                  f"{', each the first view after a change' if FIRST else ''}; "
                  f"load average {os.getloadavg()[0]:.2f} at the start\n")
            print("| page | A p50 ms | A p99 ms | B p50 ms | B p99 ms | A CPU ms | B CPU ms |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            pids = {"A": sa.proc.pid, "B": sb.proc.pid}
            for page in pages:
                lat = {"A": [], "B": []}
                cpu = {"A": 0.0, "B": 0.0}
                for c in clients.values():
                    for _ in range(2):
                        c.get(page)
                for r in range(ROUNDS):
                    for name in ("A", "B") if r % 2 == 0 else ("B", "A"):
                        for _ in range(N):
                            if FIRST:
                                with bump[name]:
                                    bump[name].execute("UPDATE public_version SET version = "
                                                       "random() & 4611686018427387903 WHERE id = 1")
                            c0 = cpu_ms(pids[name])
                            t = time.perf_counter()
                            clients[name].get(page)
                            lat[name].append((time.perf_counter() - t) * 1000)
                            cpu[name] += cpu_ms(pids[name]) - c0
                print(f"| `{page}` | {pct(lat['A'], 50):.1f} | {pct(lat['A'], 99):.1f} | "
                      f"{pct(lat['B'], 50):.1f} | {pct(lat['B'], 99):.1f} | "
                      f"{cpu['A'] / len(lat['A']):.0f} | {cpu['B'] / len(lat['B']):.0f} |", flush=True)
            print(f"\nload average {os.getloadavg()[0]:.2f} at the end")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def many(sa, sb, clients, pages):
    """CONNS clients with wrk, rounds interleaved; prints the medians per page."""
    med = lambda v: sorted(v)[len(v) // 2]  # noqa: E731
    ports = {"A": sa.port, "B": sb.port}
    print(f"{ROUNDS} rounds of wrk -t2 -c{CONNS} -d{DURATION}s as {LOGIN}, interleaved; load average "
          f"{os.getloadavg()[0]:.2f} at the start\n")
    print("| page | A req/s | A p50 ms | A p99 ms | B req/s | B p50 ms | B p99 ms | errors A / B |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for page in pages:
        res = {"A": [], "B": []}
        for r in range(ROUNDS):
            for name in ("A", "B") if r % 2 == 0 else ("B", "A"):
                settle(ports[name])
                res[name].append(wrk(f"http://127.0.0.1:{ports[name]}{page}",
                                     clients[name].session_cookie(), CONNS, DURATION))
        cells = []
        for name in ("A", "B"):
            v = res[name]
            cells += [f"{med([x['rps'] for x in v]):.1f}", f"{med([x['p50'] or 0 for x in v]):.1f}",
                      f"{med([x['p99'] or 0 for x in v]):.1f}"]
        errs = " / ".join(str(sum(x["non2xx"] + x["connect"] + x["read"] + x["timeout"] for x in res[n]))
                          for n in ("A", "B"))
        print(f"| `{page}` | " + " | ".join(cells) + f" | {errs} |", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
