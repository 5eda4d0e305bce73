#!/usr/bin/env python3
"""Prints the markdown tables of bench/province (run.sh runs it): the build's steps, the pages one
client at a time and the mixed load, one column group per driver.

    report.py RESULT.json...      (measure.py's output, one per driver)
"""
import json
import sys


def f(x, nd=1):
    if x is None or x != x:
        return "—"
    return f"{x:,.{nd}f}" if x < 100 else f"{x:,.0f}"


def main():
    rs = [json.load(open(p)) for p in sys.argv[1:]]
    if not rs:
        sys.exit("usage: report.py RESULT.json...")
    r0 = rs[0]
    print(f"\nProvince: {r0['targets']:,} targets; largest county {r0['county']} ({r0['county_targets']:,} targets),"
          f" its city {r0['city']}; load average at the end: " + "; ".join(
              f"{r['label']} {' / '.join(r['loadavg'])}" for r in rs))
    print("\n| build step | " + " | ".join(f"{r['label']} s" for r in rs) + " |")
    print("|---|" + "---:|" * len(rs))
    names = [s[0] for s in r0["build_steps"]]
    for i, name in enumerate(names):
        cells = []
        for r in rs:
            steps = r["build_steps"]
            cells.append(f(steps[i][1]) if i < len(steps) else "—")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("| **total** | " + " | ".join(f"**{f(r['build_seconds'])}**" for r in rs) + " |")
    def pair(v):  # [task 001, task 002] (a single figure from builds before the two tasks)
        v = v if isinstance(v, list) else [v]
        return " + ".join(f(x, 2) for x in v)
    print("| county draw: `draw freeze` / `draw run` of the largest county, its tasks 001 + 002 (CLI, during the build) | "
          + " | ".join(f"{pair(r.get('county_freeze_seconds'))} / {pair(r.get('county_draw_seconds'))}" for r in rs)
          + " |")

    print("\n| page | as | " + " | ".join(f"{r['label']} p50 ms | {r['label']} p99 ms" for r in rs) + " | bytes |")
    print("|---|---|" + "---:|---:|" * len(rs) + "---:|")
    for i, p in enumerate(r0["pages"]):
        cells = []
        for r in rs:
            q = r["pages"][i]
            err = f" ({q['errors']} errors)" if q["errors"] else ""
            cells.append(f"{f(q['p50'])} | {f(q['p99'])}{err}")
        print(f"| {p['page']} | {p['user']} | " + " | ".join(cells) + f" | {p['bytes']:,} |")

    print("\n| mixed load | " + " | ".join(r["label"] for r in rs) + " |")
    print("|---|" + "---:|" * len(rs))
    rows = [("clients × seconds", lambda m: f"{m['clients']} × {m['seconds']}"),
            ("requests (reads / record saves / directory edits)",
             lambda m: f"{m['requests']:,} ({' / '.join(kind(m, k) for k in ('read', 'record save', 'directory edit'))})"),
            ("req/s", lambda m: f(m["req_s"])),
            ("p50 / p99 / max ms (wrk, all requests)", lambda m: f"{f(m['p50'])} / {f(m['p99'])} / {f(m['max'])}"),
            ("server's own time p50 / p99 ms: reads", lambda m: srv(m, "read")),
            ("— record saves", lambda m: srv(m, "record save")),
            ("— directory edits", lambda m: srv(m, "directory edit")),
            ("errors (other statuses, socket errors, timeouts)", lambda m: str(m["errors"])),
            ("busy answers (503, 数据库忙)", lambda m: str(m["busy"])),
            ("version conflicts (409)", lambda m: str(m["conflicts"])),
            ("server CPU s + PostgreSQL CPU s", lambda m: f"{f(m['server_cpu_s'])} + {f(m['pg_cpu_s'])}"),
            ("CPU ms per request (server + PostgreSQL)", lambda m: f(m["cpu_ms_per_req"], 2)),
            ("server peak RSS MB", lambda m: f(m["server_peak_rss_mb"])),
            ("PostgreSQL peak PSS MB (all its processes)",
             lambda m: f(m["pg_peak_pss_mb"]) if m["pg_peak_pss_mb"] else "—")]
    if any(r["mixed"].get("during") for r in rs):
        rows.append(("beside the clients (DURING): exit, seconds, from second",
                     lambda m: f"{m['during']['exit']}, {m['during']['seconds']} s, from {m['during']['started_s']} s"
                     if m.get("during") else "—"))
    for name, fn in rows:
        print(f"| {name} | " + " | ".join(fn(r["mixed"]) for r in rs) + " |")


def kind(m, k):
    d = m["kinds"].get(k)
    return f"{d['n']:,}" if d else "0"


def srv(m, k):
    d = m.get("server_ms", {}).get(k)
    return f"{f(d['p50'])} / {f(d['p99'])}" if d and d["n"] else "—"


if __name__ == "__main__":
    main()
