#!/usr/bin/env python3
"""/public/ against nginx serving the same body as a static file, ROUNDS (default 3) interleaved
runs of `wrk -t2 -c64 -d10s` each (bench/README.md, "Pages, session 25"; issue 15's goal: at least
half of nginx's req/s). The same as measure.py's last step, alone and repeated.

    public_vs_nginx.py SPOTCHECK DB [META.json]

DB: a copy of a bench/pages/build.sh database; META its build JSON (default DB.json). Needs wrk
and nginx (scripts/deps.sh bench)."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pageslib import Client, Server  # noqa: E402
from measure import start_nginx, wrk  # noqa: E402


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sc, db = sys.argv[1], sys.argv[2]
    meta = json.load(open(sys.argv[3] if len(sys.argv) > 3 else db + ".json"))
    tmp = tempfile.mkdtemp(prefix="spotcheck-pubng-")
    with Server(sc, db, today=meta["serve_today"]) as srv:
        st, _, body = Client(srv.port).get("/public/")
        if st != 200:
            sys.exit(f"/public/ answered {st}")
        ng, port = start_nginx(tmp, body)
        try:
            for rnd in range(int(os.environ.get("ROUNDS", "3"))):
                a = wrk(f"http://127.0.0.1:{srv.port}/public/", None, conns=64, duration=10)
                b = wrk(f"http://127.0.0.1:{port}/public.html", None, conns=64, duration=10)
                errors = a["connect"] + a["read"] + a["write"] + a["timeout"] + a["non2xx"]
                print(f"round {rnd + 1}, load {open('/proc/loadavg').read().split()[0]}: spotcheck "
                      f"{a['rps']:.0f} req/s (p99 {a['p99']} ms), nginx {b['rps']:.0f} req/s (p99 {b['p99']} ms), "
                      f"ratio {a['rps'] / b['rps']:.2f}, spotcheck errors {errors}", flush=True)
        finally:
            ng.terminate()
            ng.wait()


if __name__ == "__main__":
    main()
