"""A real `spotcheck serve` holding load (issue 15 item 5): public pages with ETag and Last-Modified keyed by
the data version (304 while nothing public changed; a change made by another process, the command line, gives
the new page to the old ETag), gzip that decodes to the plain body, the per-address connection limit answered
503 with Retry-After instead of a reset, and a database connection kept per worker thread that carries nothing
from one request to the next (users' sessions, a refused change's transaction).

Requests on one keep-alive connection are served by one worker thread, so by one kept database connection."""
import gzip
import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlencode
from webtest import SPOTCHECK, PASSWORD, Served, Suite, small_db, sql, version_of

s = Suite()
db = small_db()
LIMIT = 4
served = Served(db, {"SPOTCHECK_PER_IP_LIMIT": str(LIMIT)})
port = served.port


def conn(source="127.0.0.1"):
    return http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))


def get(c, path, headers=None, method="GET", body=None):
    c.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=headers or {})
    r = c.getresponse()
    return r, r.read()


def login(user):
    """A new session of user (a connection of its own, closed)."""
    c = conn("127.0.0.5")
    pre = secrets.token_hex(32)
    r, _ = get(c, "/login", {"Cookie": f"sc_pre={pre}", "Content-Type": "application/x-www-form-urlencoded"}, "POST",
               urlencode({"username": user, "password": PASSWORD, "csrf": pre}))
    c.close()
    m = re.search(r"sc_session=([0-9a-f]+)", r.getheader("Set-Cookie") or "")
    return m.group(1) if m else None


with served:
    # --- validators and 304
    c = conn()
    r, plain = get(c, "/public/items")
    etag, lm = r.getheader("ETag"), r.getheader("Last-Modified")
    s.check("a public page carries ETag and Last-Modified", r.status == 200 and etag and lm and "对定点医药机构" in plain.decode(),
            f"{r.status} {etag} {lm}")
    s.check("... and is kept only with revalidation (no-cache), not no-store", r.getheader("Cache-Control") == "no-cache")
    r, body = get(c, "/public/items", {"If-None-Match": etag})
    s.check("If-None-Match with the current ETag: 304 without a body", r.status == 304 and body == b"", f"{r.status} {body[:80]}")
    r, body = get(c, "/public/items", {"If-None-Match": f'"other", {etag}'})
    s.check("... also when listed among others", r.status == 304)
    r, body = get(c, "/public/items", {"If-Modified-Since": lm})
    s.check("If-Modified-Since at Last-Modified: 304", r.status == 304 and body == b"", str(r.status))
    r, body = get(c, "/public/items", {"If-Modified-Since": "Thu, 01 Jan 2015 00:00:00 GMT"})
    s.check("If-Modified-Since long before: 200 with the page", r.status == 200 and body == plain)
    r, again = get(c, "/public/items")
    s.check("the same page again (from the cache) is the same bytes with the same ETag",
            r.status == 200 and again == plain and r.getheader("ETag") == etag)
    r, _ = get(c, "/public/items?org=130528")
    s.check("another URL has its own page", r.status == 200 and r.getheader("ETag") == etag)

    # --- a change from another process (the command line) is seen at once
    items = os.path.join(os.path.dirname(db), "items2.csv")
    with open(items, "w", encoding="utf-8") as f:
        f.write("事项编码,抽查事项名称,抽查依据,抽查主体,所属机构,抽查对象,抽查内容,抽查方式,事项类别\n"
                "I1,对定点医药机构医保基金使用情况的专项检查,《医疗保障基金使用监督管理条例》第二十七条,D1,130528,"
                "定点医疗机构、定点零售药店,基金使用,实地检查、书面检查,重点\n")
    p = subprocess.run([SPOTCHECK, "import", "items", items, "--db", db], capture_output=True)
    s.check("the item list changed by `spotcheck import items`", p.returncode == 0, p.stderr.decode())
    r, body = get(c, "/public/items", {"If-None-Match": etag})
    s.check("the old ETag now gets 200 with the new content and a new ETag", r.status == 200 and
            "医保基金使用情况的专项检查" in body.decode() and r.getheader("ETag") not in (None, etag), f"{r.status} {r.getheader('ETag')}")
    etag2 = r.getheader("ETag")
    r, _ = get(c, "/public/items", {"If-None-Match": etag2})
    s.check("... and the new ETag is current", r.status == 304)

    # a sign-in is audited but changes nothing public: the version stays
    staff = login("staff")
    r, _ = get(c, "/public/items", {"If-None-Match": etag2})
    s.check("a login leaves the public pages' version alone", staff and r.status == 304, str(r.status))

    # a change through the server itself (the directory API), as the staff user
    sc = conn("127.0.0.3")  # each address here stays under the limit
    h = {"Cookie": f"sc_session={staff}"}
    r, me = get(sc, "/api/v1/me", h)
    csrf = json.loads(me)["csrf"] if r.status == 200 else ""
    iid = sql(db, "SELECT id FROM item WHERE code = 'I1'")[0][0]
    body = '{"version": %s, "name": "对定点医药机构基金使用情况的监督检查（第三版）"}' % version_of(db, "item", iid)
    r, out = get(sc, f"/api/v1/items/{iid}", dict(h, **{"X-CSRF-Token": csrf, "Content-Type": "application/json"}), "PUT", body)
    s.check("an item renamed through the API", r.status == 200, f"{r.status} {out[:200]}")
    r, body = get(c, "/public/items", {"If-None-Match": etag2})
    s.check("... is on the public page at once", r.status == 200 and "（第三版）" in body.decode())

    # a plan published through the server: the plans page changes
    r, before = get(c, "/public/plans")
    etag3 = r.getheader("ETag")
    leader = login("leader")
    lcn = conn("127.0.0.6")
    r, me = get(lcn, "/api/v1/me", {"Cookie": f"sc_session={leader}"})
    lcsrf = json.loads(me)["csrf"] if r.status == 200 else ""

    def api(cn, cookie, token, path, obj):
        r, out = get(cn, path, {"Cookie": f"sc_session={cookie}", "X-CSRF-Token": token,
                                "Content-Type": "application/json"}, "POST", json.dumps(obj, ensure_ascii=False))
        return r.status, json.loads(out) if out else {}

    st, plan = api(sc, staff, csrf, "/api/v1/plans", {
        "year": 2026, "number": "2026015", "tasks": [{
            "task_no": "1", "name": "缓存测试专项抽查", "kind": "不定向抽查", "ratio": "5%", "items": ["I1"],
            "scope": {"kinds": ["institution"]}, "lead_dept": "基金监管股", "period": "2026-03..2026-05"}]})
    vid = plan.get("id")
    steps = [st, api(sc, staff, csrf, f"/api/v1/plans/{vid}/submit", {})[0],
             api(lcn, leader, lcsrf, f"/api/v1/plans/{vid}/approve", {"opinion": "同意"})[0]]
    r, body = get(c, "/public/plans", {"If-None-Match": etag3})
    # (the version follows every audited change but sign-ins, accounts and exports, so this may be a
    # 200 with a new ETag: what counts is that the page does not show the plan yet)
    s.check("an approved plan is not public yet", steps == [201, 200, 200] and r.status in (200, 304)
            and "2026015" not in body.decode(), f"{steps} {r.status}")
    st, _ = api(sc, staff, csrf, f"/api/v1/plans/{vid}/publish", {})
    r, body = get(c, "/public/plans", {"If-None-Match": etag3})
    s.check("once published, the old ETag gets 200 with the plan", st == 200 and r.status == 200 and
            "2026015" in body.decode() and "2026015" not in before.decode(), f"{st} {r.status}")

    # --- a logged-in visitor is never served the anonymous page (nor is theirs kept)
    r, body = get(sc, "/public/items", h)
    s.check("a signed-in visitor gets a page of their own, without validators",
            r.status == 200 and "staff" in body.decode() and r.getheader("ETag") is None)
    r, body = get(c, "/public/items")
    s.check("... and the next anonymous visitor the anonymous page", r.status == 200 and "退出" not in body.decode()
            and b"staff" not in body)

    # --- gzip
    r, z = get(c, "/public/items", {"Accept-Encoding": "gzip"})
    r2, plain = get(c, "/public/items")
    s.check("gzip when asked, with Vary", r.getheader("Content-Encoding") == "gzip" and
            "Accept-Encoding" in (r.getheader("Vary") or "") and len(z) < len(plain))
    s.check("... which decodes to the plain body", gzip.decompress(z) == plain)
    s.check("... the same ETag for both forms (weak)", r.getheader("ETag") == r2.getheader("ETag"))
    r, _ = get(c, "/public/items", {"Accept-Encoding": "gzip;q=0, identity"})
    s.check("gzip;q=0 is plain", r.getheader("Content-Encoding") is None)
    r, z = get(sc, "/d/targets", dict(h, **{"Accept-Encoding": "br, gzip"}))
    r2, plain = get(sc, "/d/targets", h)
    s.check("a page rendered for a user: gzip round trip", r.status == 200 and r.getheader("Content-Encoding") == "gzip"
            and gzip.decompress(z) == plain and "宁晋县人民医院" in plain.decode())
    r, z = get(c, "/static/app.css", {"Accept-Encoding": "gzip"})
    r2, plain = get(c, "/static/app.css")
    s.check("static CSS: gzip round trip", r.getheader("Content-Encoding") == "gzip" and gzip.decompress(z) == plain)
    r, z = get(c, "/public/nothing-here", {"Accept-Encoding": "gzip"})
    s.check("a 404 page: gzip round trip too", r.status == 404 and r.getheader("Content-Encoding") == "gzip"
            and "页面不存在" in gzip.decompress(z).decode())

    # --- one kept connection per thread: nothing carried from one request to the next
    lc = login("lincheng")
    k = conn("127.0.0.4")
    seen = []
    for cookie in (staff, lc, None, staff, lc):
        r, body = get(k, "/api/v1/me", {"Cookie": f"sc_session={cookie}"} if cookie else {})
        seen.append(json.loads(body).get("username") if r.status == 200 else r.status)
    s.check("two users' sessions and none, alternating on one connection (one thread)",
            seen == ["staff", "lincheng", 401, "staff", "lincheng"], str(seen))
    r, body = get(k, "/d/targets", {"Cookie": f"sc_session={lc}"})
    s.check("... each sees only their own jurisdiction", "临城县某诊所" in body.decode() and "宁晋县人民医院" not in body.decode())
    hk = {"Cookie": f"sc_session={staff}", "X-CSRF-Token": csrf, "Content-Type": "application/json"}
    v = int(version_of(db, "item", iid))
    r, _ = get(k, f"/api/v1/items/{iid}", hk, "PUT", '{"version": %d, "name": "过期版本的修改"}' % (v - 1))
    s.check("a stale change is refused (409) and rolled back", r.status == 409, str(r.status))
    r, _ = get(k, f"/api/v1/items/{iid}", hk, "PUT", '{"version": %d, "name": "\\u0000"}' % v)
    s.check("an invalid change is refused", r.status in (400, 422), str(r.status))
    r, out = get(k, f"/api/v1/items/{iid}", hk, "PUT", '{"version": %d, "name": "同一线程上的下一次修改"}' % v)
    s.check("the next change on the same connection succeeds", r.status == 200, f"{r.status} {out[:200]}")
    s.check("... and is committed: another process reads it, no transaction was left open",
            sql(db, "SELECT name FROM item WHERE id = ?", (iid,)) == [("同一线程上的下一次修改",)])
    p = subprocess.run([SPOTCHECK, "import", "items", items, "--db", db], capture_output=True)
    s.check("... and the server holds no lock: the command line can write", p.returncode == 0, p.stderr.decode())
    r, body = get(k, f"/api/v1/items/{iid}", {"Cookie": f"sc_session={staff}"})
    s.check("the kept connection reads what the other process wrote",
            r.status == 200 and "医保基金使用情况的专项检查" in body.decode(), body[:200])

    # --- the per-address limit: 503 with Retry-After, never a reset
    held = []
    for _ in range(LIMIT):
        sk = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.2", 0))
        held.append(sk)
    time.sleep(0.3)
    over = conn("127.0.0.2")
    try:
        r, body = get(over, "/public/")
        status, retry, text = r.status, r.getheader("Retry-After"), body.decode()
    except (ConnectionResetError, http.client.RemoteDisconnected) as e:
        status, retry, text = repr(e), None, ""
    s.check(f"connection {LIMIT + 1} from one address: 503 with Retry-After: 1 and a Chinese message",
            status == 503 and retry == "1" and "连接过多" in text, f"{status} {retry} {text!r}")
    r, _ = get(c, "/public/")
    s.check("another address is served meanwhile", r.status == 200)
    for sk in held:
        sk.close()
    ok = False
    for _ in range(20):  # the server notices the closed ones at its next look
        time.sleep(0.1)
        again = conn("127.0.0.2")
        r, _ = get(again, "/public/")
        again.close()
        if r.status == 200:
            ok = True
            break
    s.check("once they close, the address is served again", ok)
s.done()
