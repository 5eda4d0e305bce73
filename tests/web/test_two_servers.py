"""Two `spotcheck serve` processes on one database behind a local nginx (issue 18 point 5; what is
shared and what stays per process: docs/ARCHITECTURE.md, "Several processes"). On SQLite both open the
same file; under scripts/pgtest.sh both open the same PostgreSQL database.

nginx runs as a process of this test with its own configuration in a temporary directory: upstream the
two ports, round robin, no stickiness. A browser logs in through nginx (the login form from one process,
its POST answered by whichever comes next); then requests are pinned to A or B directly: a directory edit
with the CSRF token on B is seen at once on A (and A's stale save is refused), the home page's counts on
A (readcache) follow a change made on B, failed logins on A and B count against one limit, a publication
made on B shows on A's cached public page, and a logout on B ends the session on A.

The servers trust nginx's X-Forwarded-For (serve --trusted-proxy / SPOTCHECK_TRUSTED_PROXY): the test
reaches nginx from 127.0.0.2 and the servers directly from 127.0.0.3, so the audit rows show which client
address each process saw."""
import http.client
import json
import os
import re
import shutil
import subprocess
from urllib.parse import urlencode
from webtest import (PASSWORD, SPOTCHECK, Served, Suite, free_port, pin_today, scratch_dir, small_db, sql,
                     version_of, wait_for_port)

pin_today("2026-05-20")
s = Suite()
VIA_NGINX, DIRECT = "127.0.0.2", "127.0.0.3"  # the test's own source addresses (all of 127/8 is loopback)


class Nginx:
    """nginx in front of `ports`, as a child process with its configuration, logs and temporary files in
    a new directory. Started as the test's user; when that is root, its workers run as nobody."""

    def __init__(self, ports):
        self.port = free_port()
        self.dir = scratch_dir("spotcheck-nginx-")
        os.chmod(self.dir, 0o755)
        user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
        servers = "".join(f"    server 127.0.0.1:{p};\n" for p in ports)
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(f"""{user}worker_processes 1;
daemon off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log info;
events {{ worker_connections 256; }}
http {{
  access_log {self.dir}/access.log;
  client_body_temp_path {self.dir}/body;
  proxy_temp_path {self.dir}/proxy;
  fastcgi_temp_path {self.dir}/fastcgi;
  uwsgi_temp_path {self.dir}/uwsgi;
  scgi_temp_path {self.dir}/scgi;
  client_max_body_size 66m;
  upstream spotcheck {{
{servers}  }}
  server {{
    listen 127.0.0.1:{self.port};
    location / {{
      proxy_pass http://spotcheck;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_next_upstream off;
    }}
  }}
}}
""")
        self.proc = None

    def __enter__(self):
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.log = open(os.path.join(self.dir, "stderr.log"), "w")
        self.proc = subprocess.Popen([nginx, "-p", self.dir, "-c", self.conf, "-e", f"{self.dir}/error.log"],
                                     stdout=self.log, stderr=self.log)
        self.up = wait_for_port(self.port)
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


class Browser:
    """Cookies and the session's CSRF token, sent to whichever port a request names, from `source`."""

    def __init__(self):
        self.cookies, self.csrf = {}, None

    def do(self, port, method, path, body=None, headers=None, source=DIRECT):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
        h = {"Host": f"127.0.0.1:{port}"}
        if method not in ("GET", "HEAD"):
            h["Origin"] = f"http://127.0.0.1:{port}"  # as a browser sends it: the same-origin check
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items() if v)
        h.update(headers or {})
        c.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=h)
        r = c.getresponse()
        r.text = r.read().decode("utf-8", "replace")
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";")[0]
        c.close()
        return r

    def form(self, port, path, fields, source=DIRECT):
        data = list(fields.items()) + ([("csrf", self.csrf)] if self.csrf else [])
        return self.do(port, "POST", path, urlencode(data), {"Content-Type": "application/x-www-form-urlencoded"},
                       source)

    def api(self, port, method, path, obj, source=DIRECT):
        return self.do(port, method, path, json.dumps(obj, ensure_ascii=False),
                       {"Content-Type": "application/json", "X-CSRF-Token": self.csrf or ""}, source)

    def login(self, get_port, post_port, username, password=PASSWORD, source=DIRECT, headers=None):
        """The login form from get_port, posted to post_port (the pre-login CSRF cookie and token come from
        one process, are checked by the other); then the session's CSRF token from /api/v1/me."""
        self.cookies.pop("sc_session", None)
        page = self.do(get_port, "GET", "/login", source=source)
        m = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
        r = self.do(post_port, "POST", "/login",
                    urlencode({"username": username, "password": password, "csrf": m.group(1) if m else ""}),
                    dict({"Content-Type": "application/x-www-form-urlencoded"}, **(headers or {})), source)
        if r.status == 303 and self.cookies.get("sc_session"):
            me = self.do(get_port, "GET", "/api/v1/me", source=source)
            self.csrf = json.loads(me.text)["csrf"] if me.status == 200 else None
        return r


def served_requests(served, path, remote=None, method="GET"):
    """Requests for path in a server's log (its lines: time, client address, "METHOD PATH", status…),
    those from `remote` when given."""
    with open(served.log_path, encoding="utf-8", errors="replace") as f:
        return sum(1 for line in f if f'"{method} {path}"' in line and (not remote or f' {remote} "' in line))


def last_audit(db, action):
    rows = sql(db, "SELECT actor, remote FROM audit_log WHERE action = ? ORDER BY id DESC LIMIT 1", (action,))
    return tuple(rows[0]) if rows else None


def home_cards(html):
    return {m.group(1): int(m.group(2)) for m in
            re.finditer(r'<span class="stat-label">([^<]+)</span><span class="stat-value">(\d+)</span>', html)}


db = small_db()
p = subprocess.run([SPOTCHECK, "serve", "--db", db, "--trusted-proxy", "127.0.0.1,nginx"], capture_output=True,
                   timeout=30)
s.check("serve refuses a trusted proxy that is not an IPv4 address (usage error)",
        p.returncode == 2 and "--trusted-proxy" in p.stderr.decode(), f"{p.returncode} {p.stderr.decode()}")
env = {"SPOTCHECK_TRUSTED_PROXY": "127.0.0.1"}
with Served(db, env, "serve-a.log") as A, Served(db, env, "serve-b.log") as B, Nginx([A.port, B.port]) as N:
    a, b, n = A.port, B.port, N.port
    s.check("nginx started in front of the two servers", N.up, open(os.path.join(N.dir, "error.log")).read()[-800:])

    # ---- round robin, no stickiness: both processes answer through nginx ----
    probe = Browser()
    for _ in range(6):
        probe.do(n, "GET", "/login?probe=1", source=VIA_NGINX)
    na, nb = served_requests(A, "/login"), served_requests(B, "/login")
    s.check("nginx hands requests to both processes", na >= 2 and nb >= 2, f"A {na} B {nb}")

    # ---- login through nginx: the form from one process, the POST to the next ----
    staff = Browser()
    forms_before = [served_requests(x, "/login") for x in (A, B)]
    r = staff.login(n, n, "staff", source=VIA_NGINX)
    s.check("staff signs in through nginx", r.status == 303 and staff.cookies.get("sc_session") and staff.csrf,
            f"{r.status} {r.text[:300]}")
    form_at = [x.log_path for x, k in zip((A, B), forms_before) if served_requests(x, "/login", VIA_NGINX) > k]
    post_at = [x.log_path for x in (A, B) if served_requests(x, "/login", VIA_NGINX, "POST")]
    s.check("... the login form from one process, its POST (pre-login CSRF) checked by the other",
            len(form_at) == 1 and len(post_at) == 1 and form_at != post_at, f"{form_at} {post_at}")
    s.check("... the login's audit row has the client's address from X-Forwarded-For",
            last_audit(db, "login") == ("staff", VIA_NGINX), str(last_audit(db, "login")))
    me_a, me_b = staff.do(a, "GET", "/api/v1/me"), staff.do(b, "GET", "/api/v1/me")
    s.check("the session is live on A and on B, with one CSRF token",
            me_a.status == 200 and me_b.status == 200 and json.loads(me_a.text)["csrf"] == staff.csrf
            and json.loads(me_b.text)["csrf"] == staff.csrf, f"{me_a.status} {me_b.status}")

    # ---- a directory edit on B, seen on A at once ----
    tid = sql(db, "SELECT id FROM target WHERE code = ?", ("12110000400686291H",))
    tid = tid[0][0] if tid else sql(db, "SELECT id FROM target WHERE name = ?", ("宁晋县人民医院",))[0][0]
    before = json.loads(staff.do(a, "GET", f"/api/v1/targets/{tid}").text)
    v0 = int(version_of(db, "target", tid))
    r = staff.api(b, "PUT", f"/api/v1/targets/{tid}", {"version": v0, "name": "宁晋县人民医院（B 改）"})
    s.check("B saves a directory edit with the session's CSRF token", r.status == 200, f"{r.status} {r.text[:300]}")
    after = staff.do(a, "GET", f"/api/v1/targets/{tid}")
    s.check("... A shows the new name at once", after.status == 200 and "宁晋县人民医院（B 改）" in after.text
            and "宁晋县人民医院（B 改）" not in json.dumps(before, ensure_ascii=False), after.text[:300])
    r = staff.api(a, "PUT", f"/api/v1/targets/{tid}", {"version": v0, "name": "宁晋县人民医院（A 旧版本）"})
    s.check("... and A refuses a save on the version B replaced (409)", r.status == 409, f"{r.status} {r.text[:200]}")
    r = staff.do(b, "PUT", f"/api/v1/targets/{tid}", json.dumps({"version": v0 + 1, "name": "无令牌"}),
                 {"Content-Type": "application/json"})
    s.check("B refuses a change without the CSRF token", r.status == 403, str(r.status))

    # ---- the home page's counts on A (readcache, per data version) follow a change on B ----
    h0 = home_cards(staff.do(a, "GET", "/").text)
    h0b = home_cards(staff.do(a, "GET", "/").text)  # kept in A's cache
    oid = sql(db, "SELECT id FROM officer WHERE cert_no = 'YB001'")[0][0]
    r = staff.form(b, f"/d/officers/{oid}/status", {"status": "休假", "reason": "年休假"})
    s.check("B changes an officer's status", r.status == 303, f"{r.status} {r.text[:300]}")
    h1 = home_cards(staff.do(a, "GET", "/").text)
    s.check("A's home page counts the officers on duty anew at once",
            h0 == h0b and h0.get("在岗执法人员") == 1 and h1.get("在岗执法人员") == 0, f"{h0} {h1}")

    # ---- a publication on B shows on A's cached public page ----
    anon = Browser()
    p0 = anon.do(a, "GET", "/public/plans")
    p0b = anon.do(a, "GET", "/public/plans")
    s.check("A serves the public plan list twice with one ETag (cached)",
            p0.status == 200 and p0.getheader("ETag") and p0.getheader("ETag") == p0b.getheader("ETag")
            and "2026201" not in p0.text, f"{p0.status} {p0.getheader('ETag')} {p0b.getheader('ETag')}")
    leader = Browser()
    leader.login(b, b, "leader")
    r = staff.form(b, "/plans/new", {"year": "2026", "number": "2026201", "qualifier": "定点医药机构"})
    m = re.match(r"/plans/(\d+)", r.getheader("Location") or "")
    s.check("B: staff makes a plan", r.status == 303 and m, f"{r.status} {r.text[:300]}")
    vid = m.group(1) if m else "0"
    row = {"task_no": "001号", "name": "定点医药机构基金使用情况随机抽查", "kind": "不定向", "ratio": "10%",
           "items": "I1", "items_text": "", "scope_text": "宁晋县检查对象", "region_prefix": "130528",
           "lead_dept": "基金监管股", "joint_depts": "", "period": "2026年6月至10月", "level": "县级", "remark": ""}
    steps = [(staff, f"/plans/{vid}/task", row), (staff, f"/plans/{vid}/submit", {}),
             (leader, f"/plans/{vid}/approve", {}), (staff, f"/plans/{vid}/publish", {})]
    codes = [who.form(b, path, fields).status for who, path, fields in steps]
    s.check("B: the plan is filled, submitted, approved and published", codes == [303] * 4, str(codes))
    p1 = anon.do(a, "GET", "/public/plans")
    s.check("A's public plan list shows the plan published on B at once, under a new ETag",
            p1.status == 200 and "2026201" in p1.text and p1.getheader("ETag") != p0.getheader("ETag"),
            f"{p1.status} {p1.getheader('ETag')}")
    r = anon.do(a, "GET", "/public/plans", headers={"If-None-Match": p0.getheader("ETag") or ""})
    s.check("... and answers the old ETag with the page, not 304", r.status == 200, str(r.status))

    # ---- failed logins on A and on B count against one limit ----
    guess = Browser()
    wrong = [guess.login(a if i % 2 else b, a if i % 2 else b, "supervisor", "wrong-password").status
             for i in range(5)]
    s.check("five wrong passwords for one user, alternately on A and B", wrong == [401] * 5, str(wrong))
    n_failed = sql(db, "SELECT count(*) FROM login_attempt WHERE username = 'supervisor' AND ok = 0")[0][0]
    s.check("... all five counted in the database", n_failed == 5, str(n_failed))
    r_b = guess.login(b, b, "supervisor")
    r_a = guess.login(a, a, "supervisor")
    s.check("the right password is then refused on B and on A (the limit counts both)",
            r_b.status == 429 and r_a.status == 429 and "次数过多" in r_b.text and "次数过多" in r_a.text,
            f"{r_b.status} {r_a.status} {r_b.text[:200]}")
    s.check("... the failures were audited with the address each process saw (no proxy: the peer's)",
            last_audit(db, "login.failed") == ("supervisor", DIRECT), str(last_audit(db, "login.failed")))
    Browser().login(a, a, "nosuchuser", "x", headers={"X-Forwarded-For": "198.51.100.7"})
    s.check("X-Forwarded-For from a client that is not a trusted proxy is ignored",
            last_audit(db, "login.failed") == ("nosuchuser", DIRECT), str(last_audit(db, "login.failed")))
    other = Browser()
    r = other.login(n, n, "officer", source=VIA_NGINX)
    s.check("another user still signs in through nginx meanwhile", r.status == 303, str(r.status))

    # ---- a logout on B ends the session on A ----
    r = staff.form(b, "/logout", {})
    s.check("staff logs out on B", r.status == 303, f"{r.status} {r.text[:200]}")
    gone_a = staff.do(a, "GET", "/api/v1/me")
    gone_n = staff.do(n, "GET", "/api/v1/me", source=VIA_NGINX)
    s.check("... the session is gone on A and through nginx", gone_a.status == 401 and gone_n.status == 401,
            f"{gone_a.status} {gone_n.status}")

    p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True)
    s.check("audit verify is clean after the two processes' changes", p.returncode == 0,
            (p.stdout + p.stderr).decode()[-400:])
s.done()
