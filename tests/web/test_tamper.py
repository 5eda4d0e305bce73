"""Tamper evidence beyond the log (issue 17 item 4): each audit row stores the digest of the audited
business row's state after the change, and `spotcheck audit verify` re-reads every audited row and its
version history. A realistic flow runs through the program (fixture_drawn, a record reviewed and
published, a target edited twice, accounts made by the fixture); verify is clean; then each direct
edit with SQL, on its own copy of the database, is reported with exit 1, the entity, its id and the
audit row whose digest it no longer matches."""
import os
import re
import dbtool
import subprocess
import sys
from webtest import SPOTCHECK, Suite, Client, sql, version_of, pin_today
from fixture_drawn import drawn_db, submitted_record

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
from verify_audit import verify as py_verify  # noqa: E402  (the documented rule, independent of C)

s = Suite()
pin_today("2026-06-15")
f = drawn_db()
db = f["db"]
staff, leader = f["clients"]["staff"], f["clients"]["leader"]

# a record as the form leaves it after submission, then reviewed and published through the program
rid = submitted_record(f, f["targets"][0], "2026-06-12", "0201", "2026-06-12 10:00:00")
s.check("the record is approved", leader.form(f"/review/{rid}/approve", {}).status in (200, 303))
s.check("... and published", staff.form(f"/results/{rid}/publish", {}).status in (200, 303))
s.check("... with its published text",
        sql(db, "SELECT published_json IS NOT NULL FROM record WHERE id = ?", (rid,))[0][0] == 1)

# a directory row edited twice through the API: two versions in its history
hid = sql(db, "SELECT id FROM target WHERE code = ?", (f["targets"][1],))[0][0]
for addr in ("宁晋县凤凰路1号", "宁晋县新迁地址88号"):
    r = staff.post_json(f"/api/v1/targets/{hid}", {"version": int(version_of(db, "target", hid)), "address": addr},
                        "PUT")
    s.check(f"target edited through the API: {addr}", r.status == 200, r.text[-200:])
s.check("... its history holds the versions it replaced",
        sql(db, "SELECT count(*) FROM entity_version WHERE entity = 'target' AND entity_id = ?", (hid,))[0][0] >= 2)

uid = sql(db, "SELECT id FROM account WHERE username = 'officer'")[0][0]
s.check("the account's audit rows carry a digest",
        sql(db, "SELECT count(*) FROM audit_log WHERE entity = 'user' AND entity_id = ? AND digest IS NOT NULL",
            (str(uid),))[0][0] >= 1)
s.check("so do the record's and the target's",
        all(sql(db, "SELECT count(*) FROM audit_log WHERE entity = ? AND entity_id = ? AND digest IS NOT NULL",
                (e, str(i)))[0][0] for e, i in (("record", rid), ("target", hid))))


def verify(path):
    p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", path], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


rc, out = verify(db)
s.check("verify after the flow: exit 0", rc == 0, out)
s.check("... the business rows agree with the log", "业务数据与审计日志一致" in out and "历史版本完整" in out, out)
n = int(re.search(r"一致: (\d+) 个经审计的对象", out).group(1)) if "一致:" in out else 0
s.check("... and many rows were compared", n >= 10, out)
con = dbtool.reader(db)
count, bad, _, _ = py_verify(con)
con.close()
s.check("the Python verifier recomputes the chain with the digests", bad is None and count > 0, str(bad))


def last_audit(entity, eid):
    return sql(db, "SELECT max(id) FROM audit_log WHERE entity = ? AND entity_id = ? AND digest IS NOT NULL",
               (entity, str(eid)))[0][0]


def tampered(name, stmt, args, want, then=None):
    copy = os.path.join(os.path.dirname(db), "tamper.db")
    dbtool.copy(db, copy)
    sql(copy, stmt, args)
    if then:
        then(copy)
    rc, out = verify(copy)
    s.check(f"{name}: exit 1", rc == 1, out)
    s.check(f"{name}: reported", re.search(want, out) is not None, out)
    s.check(f"{name}: the log itself is intact", "审计日志完整" in out, out)


acct = rf"业务数据被直接改动: 账号（user）{uid} 的当前状态与审计日志第 {last_audit('user', uid)} 条记录的摘要不符"
rec = rf"业务数据被直接改动: 检查记录（record）{rid} 的当前状态与审计日志第 {last_audit('record', rid)} 条记录"
tgt_line = rf"业务数据被直接改动: 检查对象（target）{hid} 的当前状态与审计日志第 {last_audit('target', hid)} 条记录"
tampered("an account promoted to admin", "UPDATE account SET role = 'admin' WHERE id = ?", (uid,), acct)
def log_in_and_out(path):
    c = Client(path)
    c.login("officer")
    s.check("... the promoted account logs in and out", c.form("/logout", {}).status == 303)


# a logout writes an audit row of the account but no digest: it cannot vouch for the edited state
tampered("an account promoted, then logged in and out", "UPDATE account SET role = 'admin' WHERE id = ?", (uid,),
         acct, log_in_and_out)
tampered("an account moved to another org", "UPDATE account SET org_id = org_id + 1 WHERE id = ?", (uid,), acct)
tampered("a published text changed", "UPDATE record SET published_json = '{\"result\":\"未发现问题\"}' WHERE id = ?",
         (rid,), rec)
tampered("a result changed", "UPDATE record SET result_codes = '01' WHERE id = ?", (rid,), rec)
tampered("a violation amount changed", "UPDATE record_violation SET amount_cents = 100 WHERE record_id = ?",
         (rid,), rec)
tampered("a violation deleted", "DELETE FROM record_violation WHERE record_id = ?", (rid,), rec)
tampered("a directory row changed", "UPDATE target SET address = '别处' WHERE id = ?", (hid,), tgt_line)
tampered("a history row deleted",
         "DELETE FROM entity_version WHERE entity = 'target' AND entity_id = ? AND version = 1", (hid,),
         rf"历史版本缺失: 检查对象（target）{hid} 当前为第 \d+ 版，entity_version 应保存第 1 至 \d+ 版")
tampered("a record's version bumped without its history", "UPDATE record SET version = version + 1 WHERE id = ?",
         (rid,), rf"历史版本缺失: 检查记录（record）{rid} ")
s.done()
