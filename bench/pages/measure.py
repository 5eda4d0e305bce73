#!/usr/bin/env python3
"""Measures the main pages of spotcheck on a database built by bench/pages/build.sh
(bench/pages/run.sh runs it; see there for the environment).

    measure.py SPOTCHECK DB [COMPARE_DB]

Copies DB into a temporary directory (the cache is never changed), starts `spotcheck serve` on it
with the build's SPOTCHECK_TODAY, logs in as staff and as the officer with an account, and per
page: 2 warm-up requests, N1 sequential requests on one keep-alive connection (Python; at most
MAX1 seconds, at least 5 requests), then `wrk -t2 -c64 -dDURATION --timeout 60s --latency`
with the page's session cookie, unless one client's p50 is over SKIP64 ms (default 5000; 0:
never skip); then waits until the server has finished the requests wrk left running ("drain").
Then /public/ against nginx serving the same body as a static
file (wrk -c64 on both, same run), and with COMPARE_DB (the 100k build) /figures and /dashboard
on it for the growth check. Peak RSS is the server's VmHWM at the end (over the whole run).
Prints a markdown table."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pageslib import Client, Server, free_port  # noqa: E402

N1 = int(os.environ.get("N1", "50"))
MAX1 = float(os.environ.get("MAX1", "60"))
DURATION = int(os.environ.get("DURATION", "10"))
CONNS = int(os.environ.get("CONNS", "64"))
SKIP64 = float(os.environ.get("SKIP64", "5000"))
NGINX = os.environ.get("NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"


def pct(sorted_ms, p):
    if not sorted_ms:
        return None
    k = max(0, min(len(sorted_ms) - 1, int(round(p / 100.0 * len(sorted_ms) + 0.5)) - 1))
    return sorted_ms[k]


def one_client(client, path):
    """N1 sequential GETs (at most MAX1 s): (latencies in ms sorted, non-200 count, bytes of the last)."""
    for _ in range(2):
        client.get(path)
    lat, bad, size = [], 0, 0
    t_end = time.time() + MAX1
    while len(lat) < N1 and (len(lat) < 5 or time.time() < t_end):
        t = time.perf_counter()
        st, _, body = client.get(path)
        lat.append((time.perf_counter() - t) * 1000)
        bad += st != 200
        size = len(body)
    return sorted(lat), bad, size


def to_ms(v):
    m = re.match(r"([0-9.]+)(us|ms|s|m)$", v)
    if not m:
        return None
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[m.group(2)]


def wrk(url, cookie=None, conns=CONNS, duration=DURATION):
    """One wrk run: {rps, p50, p99, n, non2xx, connect, read, write, timeout}."""
    args = ["wrk", "-t2", f"-c{conns}", f"-d{duration}s", "--timeout", "60s", "--latency"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(args + [url], capture_output=True, text=True).stdout
    r = {"bytes": 0.0, "rps": 0.0, "p50": None, "p99": None, "n": 0, "non2xx": 0, "connect": 0, "read": 0, "write": 0, "timeout": 0}
    for line in out.splitlines():
        s = line.split()
        if line.startswith("Requests/sec:"):
            r["rps"] = float(s[1])
        elif len(s) == 2 and s[0] == "50%":
            r["p50"] = to_ms(s[1])
        elif len(s) == 2 and s[0] == "99%":
            r["p99"] = to_ms(s[1])
        elif "requests in" in line:
            r["n"] = int(s[0])
            m = re.search(r"([0-9.]+)([KMG]?B) read", line)
            if m:
                r["bytes"] = float(m.group(1)) * {"B": 1, "KB": 1024, "MB": 1 << 20, "GB": 1 << 30}[m.group(2)]
        elif line.strip().startswith("Non-2xx"):
            r["non2xx"] = int(s[-1])
        elif line.strip().startswith("Socket errors"):
            for k, v in re.findall(r"(connect|read|write|timeout) (\d+)", line):
                r[k] = int(v)
    r["raw"] = out
    return r


def server_sockets(port):
    """Open TCP sockets on the server's side of port (not LISTEN, not TIME_WAIT), from /proc/net."""
    n = 0
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] not in ("0A", "06"):
                        n += 1
        except OSError:
            pass
    return n


def settle(port):
    """Waits (up to 30 minutes) until the server holds no connection: after wrk stops, the
    requests still in flight keep theirs (and the CPU), and the server allows 64 per address, so
    the next page would otherwise be measured against that backlog, with refused connections.
    Returns the seconds waited (the drain time of the backlog)."""
    t0 = time.time()
    while server_sockets(port) and time.time() < t0 + 1800:
        time.sleep(0.2)
    return time.time() - t0


def vm(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])  # kB
    except OSError:
        pass
    return 0


def fmt(ms):
    if ms is None:
        return "—"
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 10 else f"{ms:.2f}"


def copy_db(src, tmp, name):
    dst = os.path.join(tmp, name)
    shutil.copyfile(src, dst)
    return dst


def start_nginx(tmp, body):
    www = os.path.join(tmp, "www")
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "public.html"), "wb") as f:
        f.write(body)
    os.chmod(tmp, 0o755)
    os.chmod(www, 0o755)
    os.chmod(os.path.join(www, "public.html"), 0o644)
    port = free_port()
    conf = os.path.join(tmp, "nginx.conf")
    temps = "\n".join(f"    {k}_temp_path {tmp}/ngx-{k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    with open(conf, "w") as f:
        f.write(f"""daemon off;
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html; }}
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
{temps}
    server {{
        listen 127.0.0.1:{port};
        root {www};
    }}
}}
""")
    p = subprocess.Popen([NGINX, "-e", f"{tmp}/nginx-error.log", "-c", conf, "-p", tmp],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            c = Client(port, timeout=2)
            st, _, b = c.get("/public.html")
            c.close()
            if st == 200 and b == body:
                return p, port
        except OSError:
            pass
        time.sleep(0.1)
    p.terminate()
    raise RuntimeError("nginx did not serve the page")


def pages_of(meta, db):
    """(label, path, role) of every page measured; role None = anonymous."""
    tid = meta["task_id"]
    pages = [("/", "/", "staff"), ("/dashboard", "/dashboard", "staff"),
             ("/dashboard/overdue", "/dashboard/overdue", "staff"), ("/figures", "/figures", "staff"),
             ("/d/targets", "/d/targets", "staff"),
             ("/d/targets?q=name fragment", "/d/targets?q=%E5%87%A4%E5%87%B0%E5%95%86%E8%B4%B8", "staff"),
             ("/d/targets?q=code prefix", "/d/targets?q=H1305280", "staff"),
             (f"/tasks/{tid}", f"/tasks/{tid}", "staff"), (f"/tasks/{tid}/draw", f"/tasks/{tid}/draw", "staff"),
             (f"/tasks/{tid}/draw?page=300", f"/tasks/{tid}/draw?page=300", "staff"),
             ("/public/", "/public/", None), (f"/public/tasks/{tid}", f"/public/tasks/{tid}", None),
             ("/public/results", "/public/results", None),
             ("/public/results?q=name fragment", "/public/results?q=%E5%87%A4%E5%87%B0%E5%95%86%E8%B4%B8", None),
             ("/results", "/results", "staff"), ("/records", "/records", "staff"),
             ("/my (officer)", "/my", "officer"), ("/api/v1/todo", "/api/v1/todo", "staff")]
    return pages


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: measure.py SPOTCHECK DB [COMPARE_DB]")
    sc, src = sys.argv[1], sys.argv[2]
    compare = sys.argv[3] if len(sys.argv) == 4 else None
    with open(src + ".json") as f:
        meta = json.load(f)
    tmp = tempfile.mkdtemp(prefix="spotcheck-bench-pages-run.")
    nginx = None
    try:
        db = copy_db(src, tmp, "run.db")
        # the officer whose account has the most groups
        import sqlite3
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        users = meta["officer_users"]
        officer = max(users, key=lambda u: con.execute(
            "SELECT count(*) FROM draw_member WHERE member_code = ? AND status = '在组'", ("YB" + u[1:],)).fetchone()[0])
        n_groups = con.execute("SELECT count(*) FROM draw_member WHERE member_code = ? AND status = '在组'",
                               ("YB" + officer[1:],)).fetchone()[0]
        con.close()
        load0 = open("/proc/loadavg").read().split()[:3]
        srv = Server(sc, db, meta["serve_today"], os.path.join(tmp, "serve.log")).start()
        try:
            base = f"http://127.0.0.1:{srv.port}"
            logins = {"staff": Client(srv.port).login("staff"), "officer": Client(srv.port).login(officer),
                      None: Client(srv.port)}
            rows = []
            first_draw_page = None
            for label, path, role in pages_of(meta, db):
                c = logins[role]
                st, _, body = c.get(path)
                if st != 200:
                    print(f"{label}: HTTP {st}, skipped", file=sys.stderr, flush=True)
                    rows.append((label, None, None, f"HTTP {st}", len(body)))
                    continue
                if path.endswith("/draw"):
                    first_draw_page = body
                if "page=300" in path and first_draw_page is not None and \
                        re.sub(rb'name="csrf" value="[0-9a-f]+"', b"", body) == \
                        re.sub(rb'name="csrf" value="[0-9a-f]+"', b"", first_draw_page):
                    print(f"{label}: same body as without page=, no paging: skipped", file=sys.stderr, flush=True)
                    rows.append((label, None, None, "no paging (same body as page 1)", len(body)))
                    continue
                print(f"{label} ...", file=sys.stderr, flush=True)
                r0 = c.refused
                lat, bad1, size = one_client(c, path)
                bad1 += c.refused - r0  # new connections closed unanswered (retried)
                for x in logins.values():  # 64 connections from here on, no 65th (the server allows 64 per address)
                    x.close()
                if SKIP64 and pct(lat, 50) > SKIP64:
                    print(f"  1 client: n={len(lat)} p50={fmt(pct(lat, 50))} ms: over SKIP64, {CONNS} clients skipped",
                          file=sys.stderr, flush=True)
                    rows.append((label, (lat, bad1), None, None, size))
                    continue
                w = wrk(base + path, c.session_cookie() if role else None)
                w["drain"] = settle(srv.port)
                # wrk counts redirects as answers: a lost session would show as fast 303s
                st, _, body = c.get(path)
                w["short"] = st != 200 or (w["n"] and w["bytes"] / w["n"] < 0.5 * size)
                rows.append((label, (lat, bad1), w, None, size))
                print(f"  1 client: n={len(lat)} p50={fmt(pct(lat, 50))} p99={fmt(pct(lat, 99))} ms; "
                      f"{CONNS} clients: n={w['n']} p50={fmt(w['p50'])} p99={fmt(w['p99'])} ms, {w['rps']:.1f} req/s; "
                      f"RSS {vm(srv.proc.pid, 'VmRSS') // 1024} MB", file=sys.stderr, flush=True)
            # /public/ against nginx, same run
            for x in logins.values():
                x.close()
            anon = Client(srv.port)
            st, _, pub = anon.get("/public/")
            anon.close()
            nginx, nport = start_nginx(tmp, pub)
            print("/public/ vs nginx ...", file=sys.stderr, flush=True)
            w_sc = wrk(base + "/public/")
            settle(srv.port)
            w_ngx = wrk(f"http://127.0.0.1:{nport}/public.html")
            hwm = vm(srv.proc.pid, "VmHWM")
        finally:
            srv.stop()
        load1 = open("/proc/loadavg").read().split()[:3]
        growth = []
        if compare:
            with open(compare + ".json") as f:
                cmeta = json.load(f)
            cdb = copy_db(compare, tmp, "compare.db")
            with Server(sc, cdb, cmeta["serve_today"], os.path.join(tmp, "serve-compare.log")) as s2:
                c2 = Client(s2.port).login("staff")
                for path in ("/figures", "/dashboard"):
                    print(f"{path} on {cmeta['rows']} targets ...", file=sys.stderr, flush=True)
                    lat, bad, size = one_client(c2, path)
                    big = next(r for r in rows if r[0] == path)
                    growth.append((path, pct(lat, 50), pct(big[1][0], 50) if big[1] else None, cmeta["rows"]))
                c2.close()
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait()
        # the server's log (one line per request, refusals) is kept beside the cache
        for name in ("serve.log", "serve-compare.log"):
            if os.path.exists(os.path.join(tmp, name)):
                shutil.copyfile(os.path.join(tmp, name), os.path.join(os.path.dirname(os.path.abspath(src)),
                                                                      "last-run-" + name))
        shutil.rmtree(tmp, ignore_errors=True)

    # ---- report ----
    rev = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip()
    print()
    print(f"spotcheck pages, {meta['rows']:,} targets, task {meta['task_code']} "
          f"(SPOTCHECK_TODAY={meta['serve_today']}); binary {sc} (tree {rev or '?'})")
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} CPUs; load average before/after: "
          f"{' '.join(load0)} / {' '.join(load1)}")
    print(f"1 client: {N1} sequential GETs (at most {MAX1:.0f} s, Python, keep-alive); {CONNS} clients: "
          f"wrk -t2 -c{CONNS} -d{DURATION}s --timeout 60s; officer page as {officer} ({n_groups} groups)")
    print()
    print(f"| page | p50 1 client ms | p99 1 client ms | p50 {CONNS} clients ms | p99 {CONNS} clients ms | "
          f"req/s {CONNS} clients | drain s | errors | bytes |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|")
    refused = 0
    for label, one, w, note, size in rows:
        if note:
            print(f"| `{label}` | | | | | | | {note} | {size:,} |")
            continue
        lat, bad1 = one
        if w is None:
            q = pct(lat, 50) * CONNS / (os.cpu_count() or 1) / 1000
            print(f"| `{label}` | {fmt(pct(lat, 50))} | {fmt(pct(lat, 99))} | skipped | (≈ {q:.0f} s queued) | | | "
                  f"{bad1 or 0} | {size:,} |")
            continue
        errs = []
        if bad1:
            errs.append(f"{bad1} non-200 or refused (1 client)")
        if w["non2xx"]:
            errs.append(f"{w['non2xx']} non-2xx")
        for k in ("connect", "read", "write", "timeout"):
            if w[k]:
                errs.append(f"{w[k]} {k}")
        if w["short"]:
            errs.append("answers shorter than the page (redirects?)")
        refused += w["connect"] + w["read"]
        p50, p99 = (fmt(w["p50"]), fmt(w["p99"])) if w["n"] else ("none done", f"> {DURATION * 1000}")
        if w["n"] and w["p99"] and w["p99"] > 0.8 * DURATION * 1000:
            p99 = "≥ " + p99  # requests still running when wrk stopped are not counted
        print(f"| `{label}` | {fmt(pct(lat, 50))} | {fmt(pct(lat, 99))} | {p50} | {p99} | {w['rps']:.1f} | "
              f"{w['drain']:.0f} | {', '.join(errs) or '0'} | {size:,} |")
    print()
    print(f"p99 marked ≥: close to the wrk run's length (requests still running when wrk stopped are not "
          f"counted); drain: seconds the server still worked on the requests left running after wrk stopped.")
    print(f"Server peak RSS (VmHWM over the run): {hwm / 1024:.0f} MB. Refused or dropped connections "
          f"(wrk connect + read errors): {refused}.")
    ratio = w_sc["rps"] / w_ngx["rps"] if w_ngx["rps"] else 0
    print(f"/public/ at {CONNS} connections: spotcheck {w_sc['rps']:.0f} req/s (p99 {fmt(w_sc['p99'])} ms), nginx "
          f"static copy {w_ngx['rps']:.0f} req/s (p99 {fmt(w_ngx['p99'])} ms): ratio {ratio:.4g}")
    for path, small, big, crow in growth:
        if small and big:
            print(f"{path} p50 (1 client): {crow:,} targets {fmt(small)} ms, {meta['rows']:,} targets {fmt(big)} ms: "
                  f"×{big / small:.1f} for ×{meta['rows'] / crow:.0f} targets")


if __name__ == "__main__":
    main()
