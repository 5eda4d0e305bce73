"""Concurrent savers through a real `spotcheck serve` (issue 17 item 1): plan task rows (PUT
/api/v1/plans/ID/tasks/TID, the version's rev) and 实施方案 (POST /api/v1/tasks/ID/scheme, the scheme's
version). N clients, each on its own connection, save at once from the same version (one wins, the others
are told 409 with the current version), then keep saving from the version their last answer named. Zero
lost updates means: every acknowledged save names a version of its own, they account for every step the
version moved, and the stored state is the last acknowledged save's (per plan row). Same shape as the
record test's (test_record.py), which goes through test-http processes."""
import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode
from webtest import SPOTCHECK, PASSWORD, KeepAlive, Suite, small_db, sql, pin_today, wait_for_port
from fixture_drawn import fc3d_source
import datetime

s = Suite()
day = pin_today("2026-06-15")
db = small_db()
SAVERS, ROUNDS = 6, 5
port_sock = socket.socket()
port_sock.bind(("127.0.0.1", 0))
port = port_sock.getsockname()[1]
port_sock.close()
log = open(os.path.join(os.path.dirname(db), "serve.log"), "w")
server = subprocess.Popen([SPOTCHECK, "serve", "--db", db, "--listen", f"127.0.0.1:{port}"], stdout=log, stderr=log)


class Http(KeepAlive):
    """One user's session on a keep-alive connection of its own (one per thread)."""

    def __init__(self, user):
        super().__init__(port, user)


clients = []


def saver(method, path_of, body_of, written_key):
    """save(i, n, version) for race(): client i's n-th save made on version; the answer's
    written_key names the version it wrote (as "_written")."""
    def save(i, n, version):
        st, body = clients[i].json(method, path_of(i), body_of(i, n, version))
        if st == 200:
            body["_written"] = body[written_key]
        return st, body
    return save


def race(save, start_version):
    """SAVERS threads: a burst from start_version at once, then ROUNDS saves each from the version the
    last answer named. save(client_index, n, version) -> (status, body). Returns the burst's statuses
    and the acknowledged saves [(version written, n, client)]."""
    barrier = threading.Barrier(SAVERS)
    burst, acked, lock = [], [], threading.Lock()

    def saver(i):
        barrier.wait()
        st, body = save(i, 0, start_version)
        v = body["_written"] if st == 200 else body["error"]["version"] if st == 409 else None
        with lock:
            burst.append(st)
            if st == 200:
                acked.append((v, 0, i))
        for n in range(1, ROUNDS + 1):
            st, body = save(i, n, v)
            if st == 200:
                v = body["_written"]
                with lock:
                    acked.append((v, n, i))
            elif st == 409:
                v = body["error"]["version"]
            else:
                with lock:
                    burst.append(st)  # anything else is a failure the checks below report
    with ThreadPoolExecutor(SAVERS) as ex:
        list(ex.map(saver, range(SAVERS)))
    return burst, acked


try:
    wait_for_port(port)
    staff, leader = Http("staff"), Http("leader")
    row = {"task_no": "001号", "name": "医保基金使用情况随机抽查", "kind": "不定向", "ratio": "50%", "items": ["I1"],
           "scope": {"region_prefix": "1305"}, "lead_dept": "基金监管股", "period": "2025-03..2025-10"}
    st, plan = staff.json("POST", "/api/v1/plans", {"year": 2025, "number": "2025301",
                                                    "tasks": [row, dict(row, task_no="002号", name="第二行")]})
    s.check("a draft plan with two task rows", st == 201 and len(plan["tasks"]) == 2, str(plan)[:300])
    vid, rows = plan["id"], [t["id"] for t in plan["tasks"]]
    created = {t["id"]: t.get("remark") for t in plan["tasks"]}
    rev0 = staff.json("GET", f"/api/v1/plans/{vid}")[1]["rev"]

    # ---- plan rows: each saver writes one of the two rows, remark naming the save ----
    clients += [Http("staff") for _ in range(SAVERS)]

    save_row = saver("PUT", lambda i: f"/api/v1/plans/{vid}/tasks/{rows[i % 2]}",
                     lambda i, n, rev: dict(row, task_no=f"00{i % 2 + 1}号", remark=f"保存者{i}第{n}次", rev=rev), "rev")
    burst, acked = race(save_row, rev0)
    s.check("plan rows: a burst from the same rev, one save wins and the others are told 409",
            sorted(burst) == [200] + [409] * (SAVERS - 1), str(burst))
    revs = [v for v, _, _ in acked]
    rev_end = staff.json("GET", f"/api/v1/plans/{vid}")[1]["rev"]
    s.check(f"plan rows: every acknowledged save wrote a rev of its own ({len(acked)} saves)",
            len(revs) == len(set(revs)) and len(acked) >= 2, str(sorted(revs)))
    s.check("plan rows: the acknowledged saves account for every step of the rev (zero lost updates)",
            sorted(revs) == list(range(rev0 + 1, rev_end + 1)), f"{sorted(revs)} {rev0}..{rev_end}")
    stored = {t["id"]: t["remark"] for t in staff.json("GET", f"/api/v1/plans/{vid}")[1]["tasks"]}
    for k, tid in enumerate(rows):
        # The savers of a row are the clients i with i % 2 == k. Which client wins each round is the
        # scheduler's choice, so one row may see no acknowledged save at all (CI saw 6 wins, all even
        # clients): then the stored row must still be the one the plan was created with.
        last = max((a for a in acked if a[2] % 2 == k), default=None)
        want = f"保存者{last[2]}第{last[1]}次" if last is not None else created[tid]
        s.check(f"plan row {k + 1}: the stored row is the last acknowledged save's (or the created one's)",
                stored[tid] == want, f"{stored[tid]} {last}")
    s.check("plan rows: one audit row per acknowledged save",
            sql(db, "SELECT count(*) FROM audit_log WHERE action = 'plan.task.update' AND entity_id IN (?, ?)",
                tuple(rows))[0][0] == len(acked))
    st, body = staff.json("PUT", f"/api/v1/plans/{vid}/tasks/{rows[0]}", dict(row, remark="旧", rev=rev0))
    s.check("plan rows: a stale PUT is 409 with the current rev and the stored row",
            st == 409 and body["error"]["version"] == rev_end and body["error"]["current"]["id"] == rows[0]
            and body["error"]["current"]["remark"] == stored[rows[0]], str(body)[:300])

    # ---- the scheme: publish the plan, start the task, race on its scheme ----
    staff.json("POST", f"/api/v1/plans/{vid}/submit", {})
    leader.json("POST", f"/api/v1/plans/{vid}/approve", {})
    st, _ = staff.json("POST", f"/api/v1/plans/{vid}/publish", {})
    st, task = staff.json("POST", "/api/v1/tasks", {"plan_task": rows[0]})
    s.check("the task started from the published row", st == 201, str(task)[:300])
    tid = task["id"]
    v0 = task["scheme"]["version"]
    scheme = {"purpose": "规范医保基金使用", "period": "2025年6月", "group_size": 2, "method": "实地检查",
              "confidentiality": "保密", "use_of_results": "纳入信用记录", "materials": "结算清单",
              "contact": "0319-1234567", "randomness_source": "福彩3D 开奖号码",
              "randomness_sources": [fc3d_source(day + datetime.timedelta(days=2)), {"kind": "dice", "count": 7}]}

    save_scheme = saver("POST", lambda i: f"/api/v1/tasks/{tid}/scheme",
                        lambda i, n, v: dict(scheme, materials=f"保存者{i}第{n}次", version=v), "saved_version")
    burst, acked = race(save_scheme, v0)
    s.check("scheme: a burst from the same version, one save wins and the others are told 409",
            sorted(burst) == [200] + [409] * (SAVERS - 1), str(burst))
    vers = [v for v, _, _ in acked]
    st, now = staff.json("GET", f"/api/v1/tasks/{tid}")
    v_end = now["scheme"]["version"]
    s.check(f"scheme: every acknowledged save wrote a version of its own ({len(acked)} saves)",
            len(vers) == len(set(vers)) and len(acked) >= 2, str(sorted(vers)))
    s.check("scheme: the acknowledged saves account for every step of the version (zero lost updates)",
            sorted(vers) == list(range(v0 + 1, v_end + 1)), f"{sorted(vers)} {v0}..{v_end}")
    last = max(acked)
    s.check("scheme: the stored scheme is the last acknowledged save's",
            now["scheme"]["materials"] == f"保存者{last[2]}第{last[1]}次", f"{now['scheme']['materials']} {last}")
    s.check("scheme: one audit row per acknowledged save",
            sql(db, "SELECT count(*) FROM audit_log WHERE action = 'task.scheme.save' AND entity_id = ?",
                (tid,))[0][0] == len(acked))
    print(f"# plan rows: {len(revs)} acknowledged of {SAVERS * (ROUNDS + 1)}; scheme: {len(vers)} acknowledged")
finally:
    server.terminate()
    server.wait(timeout=30)
    log.close()
s.done()
