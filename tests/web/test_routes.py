"""The route table (`spotcheck routes`, matched first-come by the dispatcher): no route shadows a later
one — for every route, a path made from its pattern is dispatched to that route and not to an earlier
one whose pattern also matches (e.g. /d/:kind/:id before /d/:kind/export, or /api/v1/:kind before
/api/v1/tasks) — and no (method, pattern) is declared twice."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from webtest import SPOTCHECK, Suite

s = Suite()
routes = []
for line in subprocess.run([SPOTCHECK, "routes"], capture_output=True, check=True, text=True).stdout.splitlines():
    f = line.split("\t")
    if f[0] == "route":
        routes.append((f[1], f[2]))
s.check("the table lists the routes", len(routes) > 100, str(len(routes)))


def matches(pattern, path):
    """The dispatcher's rule (src/web/app.c match): ':name' takes one non-empty segment, the rest is literal."""
    ps, qs = pattern.split("/"), path.split("/")
    return len(ps) == len(qs) and all((p.startswith(":") and q) or p == q for p, q in zip(ps, qs))


def concrete(pattern):
    return "/".join(f"p{i}" if seg.startswith(":") else seg for i, seg in enumerate(pattern.split("/")))


# the check itself: on a table in the wrong order it finds the shadow
bad = [("GET", "/d/:kind/:id"), ("GET", "/d/:kind/export")]
s.check("a wrong order would be found", matches(bad[0][1], concrete(bad[1][1])))

seen = set()
for i, (method, pattern) in enumerate(routes):
    s.check(f"{method} {pattern} declared once", (method, pattern) not in seen)
    seen.add((method, pattern))
    path = concrete(pattern)
    first = next(j for j, (m, p) in enumerate(routes) if m == method and matches(p, path))
    s.check(f"{method} {path} reaches {pattern}", first == i, f"shadowed by {routes[first][1]}")
s.done()
