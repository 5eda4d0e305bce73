"""The route table (src/web/routes.c, printed by `spotcheck routes`): one table in URL order; the
dispatcher takes, among the patterns that match a path, the most specific one (a literal segment before a
:parameter at the first place they differ). So: every route is reachable — a path made from its pattern is
dispatched to it, here by the rule and below through the real server —, no two routes of one method are
ambiguous (the same literals and parameters in the same places), and no (method, pattern) is declared twice."""
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
order = {"GET": 0, "POST": 1, "PUT": 2, "DELETE": 3}
s.check("the table is in URL order", routes == sorted(routes, key=lambda r: (r[1].split("/"), order[r[0]])))


def matches(pattern, path):
    """The dispatcher's rule (src/web/app.c match): ':name' takes one non-empty segment, the rest is literal."""
    ps, qs = pattern.split("/"), path.split("/")
    return len(ps) == len(qs) and all((p.startswith(":") and q) or p == q for p, q in zip(ps, qs))


def shape(pattern):
    return tuple(":" if seg.startswith(":") else seg for seg in pattern.split("/"))


def rank(pattern):
    """Sort key of specificity (app.c more_specific): literal (1) before parameter (0), left to right."""
    return tuple(0 if seg.startswith(":") else 1 for seg in pattern.split("/"))


def dispatch(method, path):
    cands = [(m, p) for m, p in routes if m == method and matches(p, path)]
    return max(cands, key=lambda r: rank(r[1])) if cands else None


def concrete(pattern):
    return "/".join(f"p{i}" if seg.startswith(":") else seg for i, seg in enumerate(pattern.split("/")))


# the rule itself: /d/:kind/export beats /d/:kind/:id whichever comes first
s.check("a literal segment wins over a parameter", rank("/d/:kind/export") > rank("/d/:kind/:id"))

seen, shapes = set(), {}
for method, pattern in routes:
    s.check(f"{method} {pattern} declared once", (method, pattern) not in seen)
    seen.add((method, pattern))
    other = shapes.get((method, shape(pattern)))
    s.check(f"{method} {pattern} is not ambiguous", other is None, f"same shape as {other}")
    shapes[(method, shape(pattern))] = pattern
    got = dispatch(method, concrete(pattern))
    s.check(f"{method} {concrete(pattern)} reaches {pattern}", got == (method, pattern), f"went to {got}")

# and through the real dispatcher: fixed paths that sort after a parameter in the same place still win
from webtest import Client, small_db  # noqa: E402

db = small_db()
c = Client(db)
s.check("a public fixed path is served", c.get("/public/items").status == 200)
s.check("an unknown path is 404", c.get("/no/such/page").status == 404)
c.login("staff")
for path in ("/plans/adhoc", "/plans/import", "/plans/new", "/d/targets/new", "/d/targets/import"):
    r = c.get(path)
    s.check(f"GET {path} reaches its own page, not the :id one", r.status == 200, str(r.status))
c.login("admin")
r = c.get("/admin/holidays.tsv")
s.check("GET /admin/holidays.tsv is the file, not the page", r.status == 200 and "<html" not in r.text, str(r.status))
s.done()
