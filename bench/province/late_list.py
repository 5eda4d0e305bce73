#!/usr/bin/env python3
"""A county's directory list in a province, before and after (bench/README.md, "A county's
directory list in a province"): two binaries, each serving its own copy of a province database
built by run.sh, read /d/targets as the staff of the first and the last county imported (the last
one's rows come after every other county's), of the last county's city and of the province, one
request at a time, the two servers interleaved request by request (same load for both). Prints
p50 and p99 per page and server and the ratio of the p50s.

    late_list.py SPOTCHECK_A DB_A SPOTCHECK_B DB_B COUNTIES_TSV [N]

DB_A, DB_B: SQLite files or postgresql:// URLs (each server migrates its own; copy the file
first). COUNTIES_TSV: gen.py's counties.tsv (the order of the import). N requests per page and
server (default 30) after one unmeasured request.
"""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pages"))
from pageslib import Client, Server  # noqa: E402


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def main():
    if len(sys.argv) not in (6, 7):
        sys.exit("usage: late_list.py SPOTCHECK_A DB_A SPOTCHECK_B DB_B COUNTIES_TSV [N]")
    sc_a, db_a, sc_b, db_b, tsv = sys.argv[1:6]
    n = int(sys.argv[6]) if len(sys.argv) == 7 else 30
    counties = [line.split() for line in open(tsv) if line.strip()]
    first, last = counties[0], counties[-1]
    users = [("first county " + first[0], "s" + first[0]), ("last county " + last[0], "s" + last[0]),
             ("its city " + last[1], "s" + last[1]), ("province", "s130000")]
    os.environ.pop("SPOTCHECK_PG_MAP", None)
    with Server(sc_a, db_a, "2026-05-20T10:00") as a, Server(sc_b, db_b, "2026-05-20T10:00") as b:
        print(f"{'page':34s} {'A p50':>8s} {'A p99':>8s} {'B p50':>8s} {'B p99':>8s} {'A/B p50':>8s}")
        for label, user in users:
            ca, cb = Client(a.port).login(user), Client(b.port).login(user)
            lat = {"a": [], "b": []}
            for i in range(n + 1):
                for key, c in (("a", ca), ("b", cb)) if i % 2 == 0 else (("b", cb), ("a", ca)):
                    t = time.perf_counter()
                    st, _, body = c.get("/d/targets")
                    dt = (time.perf_counter() - t) * 1000
                    if st != 200:
                        sys.exit(f"{label} on {key}: HTTP {st}")
                    if i:
                        lat[key].append(dt)
            pa, pb = statistics.median(lat["a"]), statistics.median(lat["b"])
            print(f"{label:34s} {pa:8.1f} {pct(lat['a'], 99):8.1f} {pb:8.1f} {pct(lat['b'], 99):8.1f} "
                  f"{pa / pb:8.1f}", flush=True)
            ca.close()
            cb.close()
    print("load average: " + " / ".join(open("/proc/loadavg").read().split()[:3]))


if __name__ == "__main__":
    main()
