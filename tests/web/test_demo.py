"""`spotcheck init --demo`: the demo county in mid-year (src/domain/demo_year.c). With the day pinned, the
database holds this year's published plan and tasks in every state, built through the units of work and
audited: a scheme draft, a scheme awaiting approval, a published scheme whose frozen draw waits for its
lottery, a drawn task whose records are 待录入, 退回 (with the opinion), 待审核, 审核通过 and 已公示 (two
with violations: a 行政处罚 open, one closed), and a task closed: every record published, its 行政处罚
closed. The rule table then proposes grades the leader's to-do list asks to confirm. The audit chain and the draws verify, nothing is dated after
today, and the pages a new user looks at first show these objects. A failing step writes nothing."""
import datetime
import os
import subprocess
import tempfile
from webtest import scratch_dir, SPOTCHECK, Client, Suite, pin_today, sql

s = Suite()
today = pin_today("2026-06-15")
iso = lambda d: d.isoformat()
day = lambda k: iso(today + datetime.timedelta(days=k))
tmp = scratch_dir("spotcheck-demo-")
db = os.path.join(tmp, "demo.db")
p = subprocess.run([SPOTCHECK, "init", "--demo", "--db", db], capture_output=True, text=True)
s.check("init --demo succeeds", p.returncode == 0, p.stderr[-600:])
s.check("... and says what the year holds", "本年度: 年度计划 1，抽查任务 5" in p.stdout and "后续处置 3（已完结 2）" in p.stdout,
        p.stdout)

# ---------------- the plan and the tasks ----------------
y = today.year
plans = sql(db, "SELECT p.id, p.number, p.year, v.id, v.status, (SELECT count(*) FROM plan_task t WHERE t.version_id = v.id) "
                "FROM plan p JOIN plan_version v ON v.plan_id = p.id")
s.check("one plan of today's year, published, with six rows", len(plans) == 1 and plans[0][1:3] == (f"NJ{y}001", y)
        and plans[0][4] == "已公开" and plans[0][5] == 6, str(plans))
vid = plans[0][3] if plans else 0
tasks = sql(db, "SELECT t.id, t.code, s.status FROM task t JOIN task_scheme s ON s.task_id = t.id ORDER BY t.id")
s.check("five tasks: three schemes published, one awaiting approval, one a draft",
        [t[2] for t in tasks] == ["已公开", "已公开", "待审批", "草稿", "已公开"], str(tasks))
(t1, code1, _), (t2, code2, _), (t3, code3, _), (t4, code4, _), (t5, code5, _) = tasks if len(tasks) == 5 else [(0, "", "")] * 5
draws = sql(db, "SELECT task_code, status, substr(frozen_at, 1, 10), substr(drawn_at, 1, 10), sources FROM draw "
                "ORDER BY task_code <> ?, id", (code5,))
closed_draw, draws = draws[0], draws[1:]
s.check("the closed task frozen 25 days ago, drawn 23 days ago, after its lottery of 24 days ago",
        closed_draw[:4] == (code5, "已抽取", day(-25), day(-23)) and f'"date":"{day(-24)}"' in closed_draw[4].replace(" ", ""),
        str(closed_draw[:4]))
s.check("task 1 frozen 7 days ago, drawn 5 days ago, after its lottery of 6 days ago",
        len(draws) == 2 and draws[0][:4] == (code1, "已抽取", day(-7), day(-5)) and f'"date":"{day(-6)}"' in draws[0][4].replace(" ", ""),
        str(draws[:1]))
s.check("task 2 frozen yesterday, waiting for tomorrow's lottery",
        len(draws) == 2 and draws[1][:4] == (code2, "已冻结", day(-1), None) and f'"date":"{day(1)}"' in draws[1][4].replace(" ", ""),
        str(draws[1:]))

# ---------------- the closed task: every record published, its follow-ups closed ----------------
drawn5 = sql(db, "SELECT count(*) FROM draw_target dt JOIN draw d ON d.id = dt.draw_id WHERE d.task_code = ? AND dt.status = '有效'",
             (code5,))[0][0]
by5 = dict(sql(db, "SELECT status, count(*) FROM record WHERE task_id = ? GROUP BY status", (t5,)))
s.check("the closed task: a record per drawn target, all published", drawn5 >= 2 and by5 == {"已公示": drawn5}, f"{drawn5} {by5}")
fu5 = sql(db, "SELECT f.option, f.status FROM followup f JOIN record r ON r.id = f.record_id WHERE r.task_id = ?", (t5,))
s.check("... its finding's 行政处罚 closed, no follow-up open", fu5 == [("penalty", "已完结")], str(fu5))
s.check("... each record filled by its group's officer (the officer account linked to each in turn), checked in the period",
        sql(db, "SELECT count(*) FROM record r WHERE r.task_id = ? AND r.submitted_by = 'officer' AND r.checked_on = ? "
                "AND r.dates_reason IS NULL", (t5, day(-22)))[0][0] == drawn5
        and sql(db, "SELECT count(*) FROM audit_log WHERE action = 'user.link' AND substr(at, 1, 10) = ?", (day(-22),))[0][0] >= 1)

# ---------------- records, review, publication, follow-ups ----------------
drawn = sql(db, "SELECT count(*) FROM draw_target dt JOIN draw d ON d.id = dt.draw_id WHERE d.task_code = ? AND dt.status = '有效'",
            (code1,))[0][0]
by_status = dict(sql(db, "SELECT status, count(*) FROM record WHERE task_id = ? GROUP BY status", (t1,)))
s.check("a record per drawn target, in every state", drawn >= 6 and by_status == {
    "待录入": drawn - 6, "退回": 1, "待审核": 1, "审核通过": 1, "已公示": 3}, f"{drawn} {by_status}")
rec = {st: sql(db, "SELECT id FROM record WHERE task_id = ? AND status = ? ORDER BY id", (t1, st))[0][0]
       for st in ("退回", "待审核", "审核通过")}
s.check("the returned record carries the leader's opinion",
        sql(db, "SELECT review_opinion, reviewed_by FROM record WHERE id = ?", (rec["退回"],))[0] ==
        ("检查方式与现场记录不符，请核对后重新提交", "leader"))
s.check("the filled records were entered by the officer account's officer, checked after the draw",
        sql(db, "SELECT count(*) FROM record r JOIN account a ON a.username = 'officer' JOIN officer o ON o.id = a.officer_id "
                "WHERE r.task_id = ? AND r.status <> '待录入' AND r.submitted_by = 'officer' AND ',' || r.officers || ',' LIKE "
                "'%,' || o.cert_no || ',%' AND r.checked_on = ?", (t1, day(-4)))[0][0] == 6)
found = [r[0] for r in sql(db, "SELECT r.id FROM record r WHERE r.status = '已公示' AND r.findings = 1 AND r.task_id = ? "
                               "ORDER BY r.id", (t1,))]
s.check("two published records with findings and one violation each", len(found) == 2 and sql(
    db, "SELECT count(*) FROM record_violation WHERE status = '有效' AND record_id IN (?, ?)", tuple(found))[0][0] == 2, str(found))
fus = sql(db, "SELECT f.id, f.option, f.status, f.decision_no, f.penalty_published_on, f.closed_on FROM followup f "
                "JOIN record r ON r.id = f.record_id WHERE r.task_id = ? ORDER BY f.id", (t1,))
s.check("a 行政处罚 closed and one open with its decision published",
        [(f[1], f[2]) for f in fus] == [("penalty", "已完结"), ("penalty", "未完结")] and all(f[4] for f in fus)
        and fus[0][5] == day(-1), str(fus))
open_fid = fus[1][0] if len(fus) == 2 else 0
tr = sql(db, "SELECT followup_id, kind, receiver, status FROM transfer")
s.check("the open case's lead transferred to the market regulator, no answer yet (转办、移送台账)",
        tr == [(open_fid, "移送", "宁晋县市场监督管理局", "已移送")], str(tr))

# ---------------- audited, verifiable, nothing after today ----------------
actions = dict(sql(db, "SELECT action, count(*) FROM audit_log GROUP BY action"))
s.check("every step has its audit row", all(actions.get(a) for a in (
    "plan.create", "plan.approve", "plan.publish", "task.start", "task.scheme.submit", "task.draw.freeze", "task.draw.dice",
    "task.draw.run", "record.save", "record.submit", "record.return", "record.approve", "record.publish", "followup.open",
    "followup.publish_penalty", "followup.close", "transfer.create")) and actions.get("task.draw.freeze") == 3, str(actions))
s.check("by the demo accounts (the installer made the accounts)",
        {a for (a,) in sql(db, "SELECT DISTINCT actor FROM audit_log WHERE action <> 'user.create'")}
        == {"staff", "leader", "officer", "admin"}, str(sql(db, "SELECT DISTINCT actor, action FROM audit_log")))
at = [a for (a,) in sql(db, "SELECT at FROM audit_log ORDER BY id")]
s.check("the audit log runs in time order, from the accounts a month ago to yesterday",
        at == sorted(at) and at[0][:10] == day(-31) and at[-1][:10] == day(-1), f"{at[:1]} {at[-1:]}")
p = subprocess.run([SPOTCHECK, "audit", "verify", "--db", db], capture_output=True, text=True)
s.check("audit verify passes, the draws with it", p.returncode == 0 and "审计日志完整" in p.stdout and "3 次抽取" in p.stdout,
        p.stdout + p.stderr)

# ---------------- the pages a new user looks at ----------------
staff, leader, officer, anon = Client(db), Client(db), Client(db), Client(db)
for c, u in ((staff, "staff"), (leader, "leader"), (officer, "officer")):
    c.login(u)
name1 = "定点医疗机构药品耗材集中采购行为随机抽查（第一批）"
pages = [
    (staff, "/", [">名单已冻结，待抽取</a>", ">检查结果已审核，待公示</a>", ">后续处置待办结</a>"]),
    (staff, "/plans", [f"/plans/{vid}"]),
    (staff, f"/plans/{vid}", ["用人单位遵守医疗保障法律法规情况随机抽查", "已公开"]),
    (staff, "/tasks", [f"/tasks/{t}" for t in (t1, t2, t3, t4, t5)]),
    (staff, f"/tasks/{t5}/draw", [code5, "已抽取"]),
    (staff, f"/tasks/{t1}/draw", [code1, "已抽取"]),
    (staff, f"/tasks/{t2}/draw", [code2, "已冻结"]),
    (staff, "/results", [f"/results/{rec['审核通过']}"]),
    (staff, "/followups", [f"/followups/{open_fid}"]),
    (staff, "/transfers", ["宁晋县市场监督管理局"]),
    (staff, "/dashboard", ["检查结果录入"]),
    (staff, "/figures", ["抽查"]),
    (leader, "/review", [f"/review/{rec['待审核']}"]),
    (leader, "/", [">信用等级建议待确认："] + [f'href="/credit/{t}"' for (t,) in sql(  # penalised, not yet D
        db, "SELECT DISTINCT r.target_id FROM followup f JOIN record r ON r.id = f.record_id JOIN target g ON g.id = "
            "r.target_id WHERE coalesce(g.grade, '') <> 'D'")]),
    (officer, "/my", ['href="/my/records"']),
    (officer, "/my/records", [f"/my/records/{rec['退回']}", "退回", "待录入"]),
    (officer, f"/my/records/{rec['退回']}", ["检查方式与现场记录不符"]),
    (anon, "/public/", [f"本系统的审计日志共 <strong>{len(at)}</strong> 条记录"]),
    (anon, "/public/plans", [f"{y}年宁晋县医疗保障局定点医药机构随机抽查"]),
    (anon, f"/public/tasks/{t1}", [code1]),
    (anon, "/public/results", [f"/public/results/{found[0] if found else 0}"]),
    (anon, "/public/penalties", [f"宁医保罚〔{y}〕8号"]),
]
for c, path, want in pages:
    r = c.get(path)
    missing = [w for w in want if w not in r.text]
    s.check(f"{path} shows the demo's objects", r.status == 200 and not missing, f"{r.status} missing {missing}")

# ---------------- a failing step writes nothing ----------------
bad = os.path.join(tmp, "bad.db")
# a gap between freeze and lottery longer than the demo's timeline: refused at the draw, after the
# directories, the accounts, the plan and the tasks were written
p = subprocess.run([SPOTCHECK, "init", "--demo", "--db", bad], capture_output=True, text=True,
                   env=dict(os.environ, SPOTCHECK_DRAW_GAP_HOURS="1000"))
s.check("a step that cannot be done fails the load", p.returncode != 0
        and "演示数据载入失败，未写入任何数据" in p.stderr and "SPOTCHECK_DRAW_GAP_HOURS=1000" in p.stderr, p.stderr[-400:])
s.check("... and nothing was written", [sql(bad, f"SELECT count(*) FROM {t}")[0][0] for t in
                                        ("target", "account", "plan", "task", "draw", "record", "audit_log")] == [0] * 7)

# a longer gap moves the first freeze earlier and the second lottery later, within the rule
gap = os.path.join(tmp, "gap.db")
p = subprocess.run([SPOTCHECK, "init", "--demo", "--db", gap], capture_output=True, text=True,
                   env=dict(os.environ, SPOTCHECK_DRAW_GAP_HOURS="60"))
s.check("a longer gap: frozen 8 days ago, the waiting lottery in 2 days (the closed task: its lottery a day later)",
        p.returncode == 0 and [(r[0], r[1][:10], r[2][r[2].index('"date"'):][8:18]) for r in
                               sql(gap, "SELECT status, frozen_at, replace(sources, ' ', '') FROM draw ORDER BY id")]
        == [("已抽取", day(-25), day(-23)), ("已抽取", day(-8), day(-6)), ("已冻结", day(-1), day(2))],
        p.stderr[-300:] + str(sql(gap, "SELECT frozen_at, sources FROM draw")))

# ---------------- another day: the first days of a year ----------------
jan = os.path.join(tmp, "jan.db")
p = subprocess.run([SPOTCHECK, "init", "--demo", "--db", jan], capture_output=True, text=True,
                   env=dict(os.environ, SPOTCHECK_TODAY=f"{y + 1}-01-03"))
s.check("built on 3 January too: the plan of the new year, made in December",
        p.returncode == 0 and sql(jan, "SELECT year, substr(created_at, 1, 7) FROM plan") == [(y + 1, f"{y}-12")],
        p.stderr[-400:])
subprocess.run(["rm", "-rf", tmp])
s.done()
