"""Insured persons as salted per-draw tokens (issue 17 item 5, docs/DRAW.md §2a). A draw over a
population with insured persons: the population file, the exclusions and the record name them by
tokens ("P" + 24 hex digits of HMAC-SHA256 under a salt kept in the database), never by the
pseudonym; `spotcheck verify` and tools/verify_draw.py accept the published files as they are; the
staff's pages show the targets; the public pages show the token; a substitution of an insured target
works on the token and is checked by `audit verify`, which also finds a token map edited by hand."""
import hashlib
import hmac
import json
import os
import re
import subprocess
import tempfile

import dbtool
from webtest import scratch_dir, SPOTCHECK, Client, Suite, pin_today, sql
from fixture_drawn import drawn_db

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
pin_today("2026-06-15")
s = Suite()


def id_number(seq):
    """A valid 18-digit ID number (GB 11643 check digit) born 1980-01-01, sequence seq."""
    body = "13052819800101%03d" % seq
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * k for c, k in zip(body, w)) % 11]


def prepare(db):
    path = os.path.join(os.path.dirname(db), "insured.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("对象类型,名称,统一社会信用代码,医保编码,身份证号,所属机构,行政区划,信用风险等级\n")
        for i in range(12):
            f.write(f"参保人,参保人{i},,,{id_number(100 + i)},130528,130528,B\n")
        f.write(f"参保人,停保人,,,{id_number(200)},130528,130528,B\n")
    subprocess.run([SPOTCHECK, "import", "targets", path, "--db", db], check=True, capture_output=True)
    # one insured person not 正常: excluded at the freeze, listed in the freeze's exclusions
    sql(db, "UPDATE target SET status = '注销' WHERE name = '停保人'")


f = drawn_db(ratio="50%", prepare=prepare)
db, tid, code = f["db"], f["tid"], f["code"]
staff, leader = f["clients"]["staff"], f["clients"]["leader"]
draw_id, fsha = sql(db, "SELECT id, freeze_sha256 FROM draw WHERE task_code = ? AND status = '已抽取'", (code,))[0]
insured = {c for (c,) in sql(db, "SELECT code FROM target WHERE kind = 'insured'")}
salt = bytes.fromhex(sql(db, "SELECT salt FROM draw_salt WHERE draw_id = ?", (draw_id,))[0][0])
token = dict(sql(db, "SELECT target_code, token FROM draw_token WHERE draw_id = ?", (draw_id,)))


def tok(c):
    return "P" + hmac.new(salt, c.encode(), hashlib.sha256).hexdigest()[:24]


drawn_ins = {t for (t,) in sql(db, "SELECT target_code FROM draw_target WHERE draw_id = ?", (draw_id,))} & insured
gone = sql(db, "SELECT code FROM target WHERE name = '停保人'")[0][0]
s.check("the freeze drew a 32-byte salt; the map holds the excluded and the drawn insured persons only, each by its HMAC",
        len(salt) == 32 and set(token) == drawn_ins | {gone} and drawn_ins and all(token[c] == tok(c) for c in token),
        str(len(token)))
token = {c: tok(c) for c in insured}
pop = sql(db, "SELECT content FROM draw_file WHERE draw_id = ? AND kind = 'population'", (draw_id,))[0][0]
rec = json.loads(sql(db, "SELECT record_json FROM draw_record WHERE draw_id = ?", (draw_id,))[0][0])
ids = [line.split("\t")[0] for line in pop.splitlines()]
s.check("the population file names insured persons by tokens only, sorted by id bytes and unique",
        all(c not in pop for c in insured) and sum(i in token.values() for i in ids) == len(insured) - 1
        and ids == sorted(ids, key=lambda x: x.encode()) and len(set(ids)) == len(ids), pop[:300])
s.check("the freeze says so: params.insured_ids = token-v1", rec["freeze"]["params"].get("insured_ids") == "token-v1")
excl = rec["freeze"]["excluded"]
s.check("an excluded insured person is listed by the token", any(e["id"] == token[gone] for e in excl)
        and gone not in json.dumps(rec), str(excl))
s.check("the record holds no pseudonym and no salt", all(c not in json.dumps(rec) for c in insured)
        and salt.hex() not in json.dumps(rec))
drawn = [t for (t,) in sql(db, "SELECT target_code FROM draw_target WHERE draw_id = ? ORDER BY position", (draw_id,))]
ins_drawn = [t for t in drawn if t in insured]
s.check("the derived rows name the targets themselves (records, notices, deadlines read them)",
        ins_drawn and all(t in insured or t.startswith(("H", "9", "1")) for t in drawn)
        and [token.get(t, t) for t in drawn] == [g["id"] for g in rec["selected"]], str(drawn))

# --- the staff's page shows the target; the public page the token
t0 = ins_drawn[0]
r = staff.get(f"/tasks/{tid}/draw")
s.check("the staff's draw page shows the insured person's pseudonym, not the token", t0 in r.text and token[t0] not in r.text)
s.check("the staff's exclusion rows name the target", (gone,) in sql(db, "SELECT target_code FROM draw_exclusion WHERE draw_id = ?",
                                                                      (draw_id,)))

# --- the staff API's record shows the token: a substitution may name the insured person by it
if len(ins_drawn) > 1:
    t1 = ins_drawn[1]
    m1 = sql(db, "SELECT member_code FROM draw_member WHERE draw_id = ? AND target_code = ? AND status = '在组' "
                 "ORDER BY member_code LIMIT 1", (draw_id, t1))[0][0]
    r = staff.post_json(f"/api/v1/tasks/{tid}/substitute", {"type": "officer", "target": token[t1], "officer": m1,
                                                             "reason_code": "因病", "reason": "住院"})
    row = sql(db, "SELECT target_code, status FROM draw_substitution WHERE draw_id = ? AND member_code = ?", (draw_id, m1))
    s.check("an officer substitution requested with the insured person's token is filed against the target",
            r.status == 200 and row == [(t1, "待审批")], f"{r.status} {r.text[-300:]} {row}")
    r = staff.post_json(f"/api/v1/tasks/{tid}/substitute", {"type": "officer", "target": "P" + "0" * 24, "officer": m1,
                                                             "reason_code": "因病", "reason": "住院"})
    s.check("... a token of no one in this draw is refused", r.status == 422 and "不在" in r.text, f"{r.status} {r.text[-300:]}")

# --- substitution of an insured target: requested and approved with its code, recorded by its token
member = next(m for m, _ in f["groups"][t0]) if t0 in f["groups"] else None
r = staff.form(f"/tasks/{tid}/substitute", {"type": "target", "target": t0, "officer": "", "reason_code": "对象注销或无法检查",
                                            "reason": "参保人迁出本县"})
sid = sql(db, "SELECT max(id) FROM draw_substitution WHERE task_id = ? AND status = '待审批'", (tid,))[0][0]
r = leader.form(f"/tasks/{tid}/substitutions/{sid}/approve", {})
s.check("the substitution of an insured target is approved", r.status in (200, 303) and sid, f"{r.status} {r.text[-300:]}")
ev = sql(db, "SELECT target_code, replacement FROM draw_event WHERE draw_id = ?", (draw_id,))
rec = json.loads(sql(db, "SELECT record_json FROM draw_record WHERE draw_id = ?", (draw_id,))[0][0])
s.check("... the staff's row names the target, the record the token", ev and ev[0][0] == t0
        and rec["events"][0]["target"] == token[t0] and all(c not in json.dumps(rec) for c in insured), str(ev))
repl = ev[0][1]
s.check("... the replacement, when an insured person, is mapped now", repl not in insured
        or sql(db, "SELECT token FROM draw_token WHERE draw_id = ? AND target_code = ?", (draw_id, repl)) == [(tok(repl),)])
s.check("... the replacement is the next of the stratum, a target in the derived rows",
        repl and sql(db, "SELECT origin, status FROM draw_target WHERE draw_id = ? AND target_code = ?", (draw_id, repl)) == [("递补", "有效")]
        and rec["events"][0]["replacement"] == token.get(repl, repl)
        and sql(db, "SELECT status FROM draw_target WHERE draw_id = ? AND target_code = ?", (draw_id, t0)) == [("已替换",)], str(repl))
r = staff.get(f"/tasks/{tid}/draw")
s.check("... and the staff's page shows the event by the target", r.status == 200 and t0 in r.text and token[t0] not in r.text)
kc = "kind, draw_id, target_code, s, coalesce(done, '-'), tie, record_id, rstatus"
kept, full = f"SELECT {kc} FROM deadline_clock WHERE draw_id IS NOT NULL", f"SELECT {kc} FROM deadline_clock_drawn"
s.check("... the kept deadline clocks follow the replaced target (draw_target rewritten with their triggers paused)",
        sql(db, f"SELECT count(*) FROM ({kept} EXCEPT {full}) x") == [(0,)]
        and sql(db, f"SELECT count(*) FROM ({full} EXCEPT {kept}) x") == [(0,)]
        and sql(db, "SELECT count(*) FROM deadline_clock WHERE draw_id = ? AND target_code = ?", (draw_id, t0)) == [(0,)]
        and sql(db, "SELECT count(*) FROM deadline_clock WHERE draw_id = ? AND target_code = ?", (draw_id, repl)) == [(2,)])

# --- every check done: the files are public and verify as they are
f["officer_user_for"]("YB003").get("/my/records")
staff.get("/records")
sql(db, "UPDATE record SET checked_on = '2026-06-15' WHERE draw_id = ?", (draw_id,))
anon = Client(db)
page = anon.get(f"/public/tasks/{tid}").text
shown = [t for t in drawn + [repl] if t in insured]
s.check("the public task page shows insured persons by token, never the pseudonym",
        all(c not in page for c in insured) and any(token[t] in page for t in shown), page[-500:])
files = {}
d = scratch_dir("spotcheck-token-")
for what, ext in (("record", "json"), ("population", "tsv"), ("officers", "tsv")):
    r = anon.get(f"/public/tasks/{tid}/{what}")
    files[what] = os.path.join(d, f"{what}.{ext}")
    with open(files[what], "wb") as out:
        out.write(r.body)
    s.check(f"the public {what} download holds no pseudonym", r.status == 200 and all(c.encode() not in r.body for c in insured))
args = [files["record"], files["population"], files["officers"], "--freeze", fsha]
p = subprocess.run([SPOTCHECK, "verify"] + args, capture_output=True, text=True)
s.check("spotcheck verify accepts the published files", p.returncode == 0 and "一致" in p.stdout, p.stdout[-500:] + p.stderr[-300:])
p = subprocess.run(["python3", os.path.join(ROOT, "tools", "verify_draw.py")] + args, capture_output=True, text=True)
s.check("... and so does tools/verify_draw.py", p.returncode == 0 and "一致" in p.stdout, p.stdout[-500:] + p.stderr[-300:])
r = anon.get(f"/public/tasks/{tid}?q={t0}")
def pub_groups(html):
    body = html[html.find('id="pub-groups"'):]
    return re.findall(r'<td class="num">\d+</td><td><span class="mono">([^<]+)</span>', body[:body.find("</table>")])


s.check("the public search does not find an insured person by the pseudonym", pub_groups(r.text) == [])
s.check("... but by the token", pub_groups(anon.get(f"/public/tasks/{tid}?q={token[t0]}").text) == [token[t0]])

# --- the command line: the staff's text shows the targets, the record written out stays as stored
p = subprocess.run([SPOTCHECK, "draw", "show", "--task", code, "--db", db], capture_output=True, text=True)
s.check("draw show prints the drawn insured persons by their codes", p.returncode == 0 and t0 in p.stdout
        and token[t0] not in p.stdout, p.stdout[-400:] + p.stderr[-200:])
out = os.path.join(d, "shown.json")
p = subprocess.run([SPOTCHECK, "draw", "show", "--task", code, "--record", out, "--db", db], capture_output=True, text=True)
s.check("... and writes the record with the tokens, as published", p.returncode == 0
        and json.load(open(out, encoding="utf-8"))["events"][0]["target"] == token[t0])

# --- audit verify recomputes the tokens
p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True, text=True)
s.check("audit verify: the draw and its tokens agree", p.returncode == 0, p.stdout[-600:] + p.stderr[-300:])

# --- db copy (issue 18 item 4) carries the tokens, the substitution and its event, and the copy's
# own check recomputes them: the county (this database, on either driver) into a new SQLite file
prov = os.path.join(d, "prov.db")
p = subprocess.run([SPOTCHECK, "init", "--db", "sqlite:" + prov], capture_output=True, text=True)
p = subprocess.run([SPOTCHECK, "db", "copy", "--from", db, "--to", "sqlite:" + prov], capture_output=True, text=True)
s.check("db copy takes a county with insured tokens and an approved substitution", p.returncode == 0,
        p.stdout[-600:] + p.stderr[-600:])
import sqlite3
with sqlite3.connect(prov) as c:
    def rows(q):
        return sorted(tuple(r) for r in c.execute(q).fetchall())
    copied = {t: rows(q) for t, q in (
        ("draw_token", "SELECT d.task_code, k.token, k.target_code FROM draw_token k JOIN draw d ON d.id = k.draw_id"),
        ("draw_event", "SELECT d.task_code, e.seq, e.type, e.target_code, e.replacement FROM draw_event e "
                       "JOIN draw d ON d.id = e.draw_id"),
        ("draw_substitution", "SELECT t.code, d.task_code, s.type, s.target_code, s.status, s.event_seq "
                              "FROM draw_substitution s JOIN task t ON t.id = s.task_id JOIN draw d ON d.id = s.draw_id"))}
source = {
    "draw_token": sorted(tuple(r) for r in sql(db, "SELECT d.task_code, k.token, k.target_code FROM draw_token k "
                                                   "JOIN draw d ON d.id = k.draw_id")),
    "draw_event": sorted(tuple(r) for r in sql(db, "SELECT d.task_code, e.seq, e.type, e.target_code, e.replacement "
                                                   "FROM draw_event e JOIN draw d ON d.id = e.draw_id")),
    "draw_substitution": sorted(tuple(r) for r in sql(db, "SELECT t.code, d.task_code, s.type, s.target_code, "
                                                          "s.status, s.event_seq FROM draw_substitution s JOIN task t "
                                                          "ON t.id = s.task_id JOIN draw d ON d.id = s.draw_id"))}
for t in source:
    s.check(f"... {t}: the same rows, pointing at the same task and draw", source[t] and copied[t] == source[t],
            f"{source[t][:3]} / {copied[t][:3]}")
p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", "sqlite:" + prov], capture_output=True, text=True)
s.check("... and audit verify on the copy recomputes the tokens and the substitution", p.returncode == 0
        and "抽取记录完整" in p.stdout, p.stdout[-600:] + p.stderr[-300:])
other = next(c for c in insured if c != t0)
dbtool.execute(db, dbtool.drop_triggers_sql(db, ["draw_token_no_update"]))
for old, new in ((t0, "swap"), (other, t0), ("swap", other)):
    sql(db, "UPDATE draw_token SET target_code = ? WHERE draw_id = ? AND target_code = ?", (new, draw_id, old))
p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True, text=True)
s.check("... and finds two persons swapped behind their tokens by hand", p.returncode != 0
        and "与盐值重算的不符" in p.stdout + p.stderr, p.stdout[-600:])
s.done()
