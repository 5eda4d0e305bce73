"""Helpers for route tests through `spotcheck test-http` (one request from stdin, no sockets).

Each test script builds a database with demo-like data, logs in as roles, and checks responses.
Standard library only. Prints "ok/FAIL name" lines and a final "RESULT passed failed".
"""
import os
import re
import secrets
import subprocess
import sys
import tempfile
import json as jsonlib
import dbtool
from urllib.parse import urlencode

def pin_today(default):
    """Fixes "today" for this test and for every spotcheck process it starts (SPOTCHECK_TODAY, the
    one clock of src/core/clock.h), so the test never depends on the day it runs, nor on midnight
    passing while it runs. The day is the one already in the environment (a developer's), else
    the wall clock's date when SPOTCHECK_TEST_WALLCLOCK=1 (tests/faketime.sh runs the suite under
    faketime that way), else `default` ("YYYY-MM-DD"). Returns it as a datetime.date."""
    import datetime
    day = os.environ.get("SPOTCHECK_TODAY") or (
        datetime.date.today().isoformat() if os.environ.get("SPOTCHECK_TEST_WALLCLOCK") == "1" else default)
    os.environ["SPOTCHECK_TODAY"] = day[:10]
    return datetime.date.fromisoformat(day[:10])


def scratch_dir(prefix):
    """A new temporary directory removed when the test process exits (set SPOTCHECK_KEEP_TMP=1 to keep it
    for a post-mortem), so a full run does not leave thousands of databases in /tmp."""
    import atexit
    import shutil
    d = tempfile.mkdtemp(prefix=prefix)
    if os.environ.get("SPOTCHECK_KEEP_TMP") != "1":
        atexit.register(shutil.rmtree, d, True)
    return d


SPOTCHECK = os.environ.get("SPOTCHECK") or os.path.join(os.path.dirname(__file__), "..", "..", "build-san", "spotcheck")
PASSWORD = "spotcheck-demo"


class Response:
    def __init__(self, raw):
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("utf-8", "replace").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = []
        for line in lines[1:]:
            k, _, v = line.partition(":")
            self.headers.append((k.strip(), v.strip()))
        self.body = body
        self.text = body.decode("utf-8", "replace")

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def cookies(self):
        out = {}
        for k, v in self.headers:
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                out[name] = rest.split(";")[0]
        return out

    def json(self):
        return jsonlib.loads(self.text)


def request(db, method, path, body=b"", headers=None, env=None):
    headers = dict(headers or {})
    if isinstance(body, str):
        body = body.encode()
    headers.setdefault("Host", "127.0.0.1:8080")
    if body:
        headers["Content-Length"] = str(len(body))
    raw = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([SPOTCHECK, "test-http", "--db", db], input=raw.encode() + body,
                       capture_output=True, env=e, timeout=120)
    _state_watch(db, f"{method} {path}")
    if p.returncode != 0:
        raise RuntimeError(f"test-http exit {p.returncode}: {p.stderr.decode()}")
    return Response(p.stdout)


def wait_for_port(port, host="127.0.0.1", tries=100):
    """Waits until a server started by the test accepts connections on port (up to tries × 0.1 s)."""
    import socket
    import time
    for _ in range(tries):
        try:
            socket.create_connection((host, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


class Client:
    """A browser-like client: keeps the session cookie and the CSRF token."""

    def __init__(self, db, env=None):
        self.db = db
        self.cookies = {}
        self.csrf = None
        self.env = env

    def cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items() if v)

    def do(self, method, path, body=b"", headers=None, csrf=True):
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = self.cookie_header()
        if csrf and self.csrf and method not in ("GET", "HEAD") and "X-CSRF-Token" not in h:
            h["X-CSRF-Token"] = self.csrf
        r = request(self.db, method, path, body, h, self.env)
        self.cookies.update(r.cookies())
        return r

    def get(self, path):
        return self.do("GET", path)

    def form(self, path, fields, csrf=True):
        data = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if csrf and self.csrf:
            data.append(("csrf", self.csrf))
        return self.do("POST", path, urlencode(data), {"Content-Type": "application/x-www-form-urlencoded"}, csrf=False)

    def post_json(self, path, obj, method="POST"):
        return self.do(method, path, jsonlib.dumps(obj, ensure_ascii=False), {"Content-Type": "application/json"})

    def login(self, username, password=PASSWORD):
        pre = secrets.token_hex(32)
        self.cookies["sc_pre"] = pre
        r = self.do("POST", "/login", urlencode({"username": username, "password": password, "csrf": pre}),
                    {"Content-Type": "application/x-www-form-urlencoded"}, csrf=False)
        if r.status == 303 and self.cookies.get("sc_session"):
            me = self.get("/api/v1/me")
            if me.status == 200:
                self.csrf = me.json()["csrf"]
        return r


class Suite:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            print(f"ok   {name}")
        else:
            self.failed += 1
            print(f"FAIL {name} {detail}")

    def done(self):
        print(f"RESULT {self.passed} {self.failed}")
        sys.exit(1 if self.failed else 0)


def small_db():
    """A small database: the orgs, depts, tags, a few targets and officers, and one user per role."""
    d = scratch_dir("spotcheck-web-")
    db = os.path.join(d, "s.db")
    subprocess.run([SPOTCHECK, "init", "--db", db], check=True, capture_output=True)
    files = {
        "orgs": "行政区划代码,机构名称,上级行政区划代码\n130500,邢台市医疗保障局,\n130528,宁晋县医疗保障局,130500\n130522,临城县医疗保障局,130500\n",
        "depts": "科室编码,科室名称,所属机构,类型\nD1,基金监管股,130528,本局科室\nD2,临城基金股,130522,本局科室\nSC,市场监管局,130528,外部门\n",
        "tags": "标签编码,标签名称,上级标签编码,适用范围\nS-MED,临床医学,,执法人员\nT-PUB,公立,,检查对象\n",
        "items": "事项编码,抽查事项名称,抽查依据,抽查主体,所属机构,抽查对象,抽查内容,抽查方式,事项类别\n"
                 "I1,对定点医药机构基金使用情况的监督检查,《医疗保障基金使用监督管理条例》第二十七条,D1,130528,定点医疗机构、定点零售药店,基金使用,实地检查、书面检查,重点\n",
        "targets": "对象类型,名称,统一社会信用代码,医保编码,身份证号,所属机构,行政区划,信用风险等级\n"
                   "定点医疗机构,宁晋县人民医院,12110000400686291H,H13052800001,,130528,130528,B\n"
                   "用人单位,宁晋某公司,91110000600037341L,,,130528,130528,C\n"
                   "参保人,张三丰,,,11010519491231002X,130528,130528,B\n"
                   "定点医疗机构,临城县某诊所,9144030071526726XG,H13052200001,,130522,130522,A\n",
        "officers": "执法证号,姓名,所属机构,科室,证件生效日期,证件有效期至,专长标签,执法区域,可任组长,联系电话\n"
                    "YB001,王执法,130528,D1,2023-01-01,2028-12-31,S-MED,130528,是,13812345678\n"
                    "YB002,临城执法,130522,D2,2023-01-01,2028-12-31,,130522,否,\n",
        "experts": "专家编码,姓名或机构名称,类型,所属机构\nEX1,李专家,专家,130528\n",
    }
    for kind, text in files.items():
        path = os.path.join(d, kind + ".csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        p = subprocess.run([SPOTCHECK, "import", kind, path, "--db", db], capture_output=True)
        if p.returncode != 0:
            raise RuntimeError(f"import {kind}: {p.stderr.decode()}")
    users = [("admin", "admin", "130528"), ("staff", "staff", "130528"), ("leader", "leader", "130528"),
             ("officer", "officer", "130528"), ("joint", "joint", "130528"), ("supervisor", "supervisor", "130528"),
             ("lincheng", "staff", "130522"), ("city", "staff", "130500")]
    for name, role, org in users:
        subprocess.run([SPOTCHECK, "user", "add", name, "--role", role, "--org", org, "--password-stdin", "--db", db],
                       input=(PASSWORD + "\n").encode(), check=True, capture_output=True)
    return db


def draw_files(client, task_id, base="/tasks/{}/draw"):
    """Downloads a task's draw files (record, population, officers) into a new temporary directory;
    returns {kind: path}. By default through the staff's internal route (the public gets them only once
    every drawn target is disclosed: pass base="/public/tasks/{}")."""
    tmp = scratch_dir("spotcheck-draw-")
    paths = {}
    for kind in ("record", "population", "officers"):
        paths[kind] = os.path.join(tmp, kind)
        r = client.get(base.format(task_id) + "/" + kind)
        if r.status != 200:
            raise RuntimeError(f"download {kind}: {r.status} {r.text[:200]}")
        with open(paths[kind], "wb") as f:
            f.write(r.body)
    return paths


OFFICER_HEADER = "执法证号,姓名,所属机构,科室,证件生效日期,证件有效期至,专长标签,执法区域,可任组长,联系电话\n"


def import_officers(db, lines):
    """Adds officers (CSV lines in the columns of OFFICER_HEADER) through `spotcheck import officers`."""
    path = os.path.join(os.path.dirname(db), "officers-extra.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write(OFFICER_HEADER + lines)
    subprocess.run([SPOTCHECK, "import", "officers", path, "--db", db], check=True, capture_output=True)


def png(w=4, h=4, rgb=b"\x10\x80\xf0"):
    """A valid w×h PNG of one colour (photos and signatures in the record tests)."""
    import struct, zlib
    raw = b"".join(b"\x00" + rgb * w for _ in range(h))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def multipart(fields, files):
    """A multipart/form-data body: fields {name: value}, files {name: (filename, bytes, content type)}."""
    b = "----spotcheckTestBoundary7"
    out = b""
    for k, val in fields.items():
        out += f"--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{val}\r\n".encode()
    for k, (name, data, ctype) in files.items():
        out += (f"--{b}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\n"
                f"Content-Type: {ctype}\r\n\r\n").encode() + data + b"\r\n"
    out += f"--{b}--\r\n".encode()
    return out, {"Content-Type": f"multipart/form-data; boundary={b}"}


_STATE = {}


def _state_lines(db):
    p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True)
    return set(l for l in p.stdout.decode().splitlines() if l.startswith(("业务数据被", "历史版本")))


def _state_watch(db, what):
    """Off unless SPOTCHECK_STATE_LOG names a file (it doubles the run time): runs `audit verify`
    after every request and after every sql() of the test, and appends to that file each state
    problem (docs/AUDIT.md, "The state digest") that a request brought, with the script and the
    request: a program change that alters an audited row without its audit row shows there. A
    test's own sql() edits are taken as the new baseline, not reported."""
    log = os.environ.get("SPOTCHECK_STATE_LOG")
    if not log or not dbtool.exists(db):
        return
    now = _state_lines(db)
    new = now - _STATE.get(db, set())
    _STATE[db] = now
    if new and what:
        with open(log, "a") as f:
            for l in sorted(new):
                f.write(f"{os.path.basename(sys.argv[0])}\t{what}\t{l}\n")


def sql(db, q, args=()):
    """Runs one statement with bound args on the test database; returns its rows (committed). On either
    driver (dbtool: sqlite3 on the file, psql on the database it stands for under SPOTCHECK_PG_MAP)."""
    rows = dbtool.query(db, q, args)
    _state_watch(db, None)
    return rows


def version_of(db, table, row_id):
    """The current version of a directory row, as the edit form and the API's PUT must name it."""
    return str(sql(db, f"SELECT version FROM {table} WHERE id = ?", (row_id,))[0][0])


def ids(db, q):
    return [r[0] for r in dbtool.query(db, q)]


def no_raw_script(text):
    return re.search(r"<script>alert", text, re.I) is None


def scheme_version(db, task_id):
    """The version of a task's 实施方案 that a save must name (the optimistic lock, sql/026)."""
    return sql(db, "SELECT version FROM task_scheme WHERE task_id = ?", (task_id,))[0][0]


def free_port():
    """A loopback TCP port free at the time of the call."""
    import socket
    sk = socket.socket()
    sk.bind(("127.0.0.1", 0))
    port = sk.getsockname()[1]
    sk.close()
    return port


class KeepAlive:
    """One user's session through a real server on 127.0.0.1:port, on a keep-alive connection of its own
    (one per thread; the tests that race writers)."""

    def __init__(self, port, user, timeout=60):
        import http.client
        self.port, self.timeout, self.http = port, timeout, http.client
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        pre = secrets.token_hex(32)
        r, _ = self.raw("POST", "/login", urlencode({"username": user, "password": PASSWORD, "csrf": pre}),
                        {"Cookie": f"sc_pre={pre}", "Content-Type": "application/x-www-form-urlencoded"})
        self.session = re.search(r"sc_session=([0-9a-f]+)", r.getheader("Set-Cookie") or "").group(1)
        self.csrf = self.json("GET", "/api/v1/me")[1]["csrf"]

    def raw(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            try:
                self.c.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=headers or {})
                r = self.c.getresponse()
                return r, r.read()
            except (BrokenPipeError, ConnectionResetError, self.http.RemoteDisconnected):
                # the server's watchdog closes a keep-alive connection idle for 10 s (a slow, loaded
                # machine logging the others in): the request never arrived, so send it again on a new one
                self.c.close()
                self.c = self.http.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                if attempt:
                    raise

    def json(self, method, path, obj=None):
        """(status, the JSON body or None)."""
        h = {"Cookie": f"sc_session={self.session}"}
        if method != "GET":
            h.update({"Content-Type": "application/json", "X-CSRF-Token": self.csrf})
        r, body = self.raw(method, path, jsonlib.dumps(obj, ensure_ascii=False) if obj is not None else None, h)
        return r.status, (jsonlib.loads(body) if body else None)


class Served:
    """A real `spotcheck serve --db DB` on a free loopback port with extra environment `env`, its log
    next to the database (`log`, serve.log by default); start() waits until it accepts connections. Use
    as a context manager: the server is stopped (SIGTERM) at the end."""

    def __init__(self, db, env=None, log="serve.log"):
        self.port = free_port()
        self.db, self.env = db, dict(os.environ, **(env or {}))
        self.proc = self.log = None
        self.log_path = os.path.join(os.path.dirname(db), log)

    def __enter__(self):
        # The port was free when chosen; another test's server may take it before this one binds (it then
        # exits: "无法监听"), so this server counts as started only once its own log says it listens.
        for attempt in range(3):
            self.log = open(self.log_path, "w")
            self.proc = subprocess.Popen([SPOTCHECK, "serve", "--db", self.db, "--listen", f"127.0.0.1:{self.port}"],
                                         stdout=self.log, stderr=self.log, env=self.env)
            if self._listening():
                return self
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.log.close()
            self.port = free_port()
        raise RuntimeError(f"spotcheck serve did not start: {open(self.log_path, encoding='utf-8').read()[-500:]}")

    def _listening(self, seconds=30):
        import time
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if "正在监听" in open(self.log_path, encoding="utf-8", errors="replace").read(4000):
                return wait_for_port(self.port)
            if self.proc.poll() is not None:
                return False
            time.sleep(0.05)
        return False

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()
