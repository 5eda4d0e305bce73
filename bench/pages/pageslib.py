"""Shared helpers of the pages benchmark (bench/pages/build.py, bench/pages/measure.py): a
keep-alive HTTP client that logs in like a browser (sc_pre cookie + csrf field, then the
session's CSRF token from /api/v1/me), and a throwaway `spotcheck serve` on a free loopback port
with its own SPOTCHECK_TODAY. Standard library only."""
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import time
from urllib.parse import urlencode

PASSWORD = "bench-pages-2026"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """`spotcheck serve --db DB` on 127.0.0.1:<free port>, with SPOTCHECK_TODAY=today when given.
    Use as a context manager; stop() sends SIGTERM and waits."""

    def __init__(self, sc, db, today=None, log=None, port=None):
        self.sc, self.db, self.today = sc, db, today
        self.port = port or free_port()
        self.log = log or os.devnull
        self.proc = None

    def start(self):
        env = dict(os.environ)
        if self.today:
            env["SPOTCHECK_TODAY"] = self.today
        else:
            env.pop("SPOTCHECK_TODAY", None)
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([self.sc, "serve", "--db", self.db, "--listen", f"127.0.0.1:{self.port}"],
                                         stdout=out, stderr=out, env=env)
        for _ in range(600):
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited with {self.proc.returncode} (log: {self.log})")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("serve did not answer within 60 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Client:
    """One browser: a keep-alive connection, its cookies and the session's CSRF token. Not
    thread-safe: one Client per thread (clone() shares the login on a new connection)."""

    def __init__(self, port, timeout=600):
        self.port, self.timeout = port, timeout
        self.conn = None
        self.cookies = {}
        self.csrf = None
        self.refused = 0  # new connections closed without an answer, retried (GET only)

    def clone(self):
        c = Client(self.port, self.timeout)
        c.cookies, c.csrf = dict(self.cookies), self.csrf
        return c

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, headers=None):
        """Returns (status, {lower-case header: value}, body bytes); reconnects once when the server
        closed the kept-alive connection."""
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items() if v)
        if isinstance(body, str):
            body = body.encode()
        refused = 0
        while True:
            fresh = self.conn is None
            if fresh:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest, http.client.BadStatusLine):
                self.close()
                # a kept-alive connection the server closed: once more at once; a new connection
                # closed without an answer (the server's per-address limit, e.g. while requests of
                # a finished load run still hold theirs): GETs wait and retry for up to a minute
                if fresh and (method != "GET" or refused >= 120):
                    raise
                if fresh:
                    refused += 1
                    self.refused += 1
                    time.sleep(0.5)
        hdrs = {}
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";")[0]
            hdrs[k.lower()] = v
        if r.getheader("Connection", "").lower() == "close":
            self.close()
        return r.status, hdrs, data

    def get(self, path):
        return self.request("GET", path)

    def form(self, path, fields):
        data = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if self.csrf:
            data.append(("csrf", self.csrf))
        return self.request("POST", path, urlencode(data), {"Content-Type": "application/x-www-form-urlencoded"})

    def json(self, method, path, obj):
        h = {"Content-Type": "application/json"}
        if self.csrf:
            h["X-CSRF-Token"] = self.csrf
        st, hd, body = self.request(method, path, json.dumps(obj, ensure_ascii=False), h)
        try:
            out = json.loads(body) if body else None
        except ValueError:
            out = None
        return st, out, body

    def login(self, username, password=PASSWORD):
        pre = secrets.token_hex(32)
        self.cookies = {"sc_pre": pre}
        st, _, body = self.request("POST", "/login", urlencode({"username": username, "password": password, "csrf": pre}),
                                   {"Content-Type": "application/x-www-form-urlencoded"})
        if st != 303 or not self.cookies.get("sc_session"):
            raise RuntimeError(f"login {username}: {st} {body[-300:].decode('utf-8', 'replace')}")
        st, _, body = self.get("/api/v1/me")
        if st != 200:
            raise RuntimeError(f"/api/v1/me for {username}: {st}")
        self.csrf = json.loads(body)["csrf"]
        return self

    def session_cookie(self):
        return f"sc_session={self.cookies['sc_session']}"
