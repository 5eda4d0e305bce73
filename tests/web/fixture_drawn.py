"""A database with a task whose draw is held and locked, for the tests of what follows the draw
(records, review, publication, follow-up, deadlines, figures). Built the real way: plan → approval
→ publication → task → scheme → joint confirmation → freeze → draw, through test-http.

drawn_db() returns a dict: db, tid (task id), code (task code), targets (drawn target codes),
groups {target_code: [(cert_no, role)]}, clients (logged-in Client per username), and
officer_user_for(cert) which links the 'officer' account to that officer and returns its Client.
Extra accounts: officer2 (officer role) and reviewer (leader role) exist too."""
import datetime
import os
import re
import subprocess
from webtest import SPOTCHECK, PASSWORD, Client, small_db, sql, import_officers, scheme_version, scratch_dir, pin_today


class _Ticking:
    """The environment of the requests before the draw: SPOTCHECK_TODAY on the freeze day, a minute later
    at each request (09:00, 09:01, …). Each request is a process whose clock runs on from the instant it
    is given, so with one fixed instant a slow step (a freeze under load, PostgreSQL's or SQLite's) could
    stamp a later time than the step after it (the dice "before the freeze"); a minute apart, the steps
    keep their order unless one takes over a minute. Read once per request (webtest.request's update)."""

    def __init__(self, day):
        self.day, self.n = day, 0

    def keys(self):
        return ["SPOTCHECK_TODAY"]

    def __getitem__(self, key):
        self.n += 1
        return f"{self.day.isoformat()}T{9 + self.n // 60:02d}:{self.n % 60:02d}"


def _must(r, what):
    if r.status not in (200, 303):
        raise RuntimeError(f"fixture: {what}: {r.status} {r.text[-400:]}")
    return r


def fc3d_source(day):
    """A 福彩3D draw on `day` (datetime.date) as the scheme declares it (issue: year + day of year)."""
    return {"kind": "fc3d", "issue": "%d%03d" % (day.year, day.timetuple().tm_yday), "date": day.isoformat()}


def scheme_source_fields(sources):
    """The scheme form's rows for a list of sources (draw_source.h)."""
    f = {}
    for i, src in enumerate(sources):
        f[f"src_kind{i}"] = src["kind"]
        f[f"src_issue{i}"] = src.get("issue", "")
        f[f"src_date{i}"] = src.get("date", "")
        f[f"src_round{i}"] = str(src.get("round", ""))
        f[f"src_count{i}"] = str(src.get("count", ""))
    return f


def import_generated(db, data):
    """Imports the tags and targets bench/import/gen.py wrote into the directory `data` (rows whose
    codes small_db's own targets already have are left out), for a larger draw."""
    have = {c for row in sql(db, "SELECT code, uscc, mi_code, id_number FROM target") for c in row if c}
    path = os.path.join(os.path.dirname(db), "targets-generated.csv")
    with open(os.path.join(data, "targets.csv"), encoding="utf-8") as src, open(path, "w", encoding="utf-8") as out:
        out.writelines(line for line in src if not have.intersection(line.split(",")[1:6]))
    for kind, p in (("tags", os.path.join(data, "tags.csv")), ("targets", path)):
        subprocess.run([SPOTCHECK, "import", kind, p, "--db", db], check=True, capture_output=True)


def generated_targets(rows):
    """A prepare(db) for drawn_db: imports bench/import/gen.py's first `rows` rows (import_generated);
    of 3,000, about 170 lie in 宁晋县, so the draw has about 170 groups."""
    def prepare(db):
        data = scratch_dir("spotcheck-gen-")
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
        subprocess.run(["python3", os.path.join(root, "bench", "import", "gen.py"), data, str(rows)], check=True,
                       capture_output=True)
        import_generated(db, data)
    return prepare


def drawn_db(ratio="100%", year="2025", prepare=None, region_prefix="130528", until=None):
    """Everything up to the freeze happens three days before the test's day (webtest.pin_today: the one
    the test pinned, else 2026-06-15, pinned here for the rest of the test; the wall clock's only when
    SPOTCHECK_TEST_WALLCLOCK asks for it), the lottery the scheme declares is drawn two days before it,
    and the draw is held the day before: the freeze comes well before the source exists, the draw after
    it. prepare(db), when given, runs before the plan is made (more targets or officers: a larger draw); the task's
    targets are those of region_prefix. until="freeze" stops before the freeze: the task is ready to
    freeze, the clients still on the freeze day's clock, and the dict has no targets or groups yet
    but the draw's day (draw_day) and its values (draw_values: the draw form's fields)."""
    today = pin_today("2026-06-15")
    freeze_day, lottery_day, draw_day = (today - datetime.timedelta(days=k) for k in (3, 2, 1))
    early = _Ticking(freeze_day)
    db = small_db()
    import_officers(db, "YB003,李执法,130528,D1,2023-01-01,2030-12-31,,130528,是,13800000003\n"
                   "YB004,赵执法,130528,D1,2023-01-01,2030-12-31,,130528,否,\n"
                   "SC001,市监甲,130528,SC,2023-01-01,2030-12-31,,130528,是,\n"
                   "SC002,市监乙,130528,SC,2023-01-01,2030-12-31,,130528,否,\n")
    for name, role in (("officer2", "officer"), ("reviewer", "leader")):
        subprocess.run([SPOTCHECK, "user", "add", name, "--role", role, "--org", "130528", "--password-stdin",
                        "--db", db], input=(PASSWORD + "\n").encode(), check=True, capture_output=True)
    subprocess.run([SPOTCHECK, "user", "link", "joint", "--dept", "SC", "--db", db], check=True, capture_output=True)
    if prepare:
        prepare(db)
    staff, leader, joint = Client(db, env=early), Client(db, env=early), Client(db, env=early)
    staff.login("staff")
    leader.login("leader")
    joint.login("joint")

    r = _must(staff.form("/plans/new", {"year": year, "number": year + "101", "qualifier": "定点医药机构"}), "plan")
    vid = int(re.match(r"/plans/(\d+)", r.header("Location")).group(1))
    row = [("task_no", "001号"), ("name", "定点医药机构基金使用情况随机抽查"), ("kind", "不定向"), ("ratio", ratio),
           ("items", "I1"), ("items_text", ""), ("scope_text", "宁晋县检查对象"), ("region_prefix", region_prefix),
           ("lead_dept", "基金监管股"), ("joint_depts", "市场监管局"), ("period", year + "年3月至10月"),
           ("level", "县级"), ("remark", "")]
    _must(staff.form(f"/plans/{vid}/task", row), "plan row")
    ptid = sql(db, "SELECT id FROM plan_task WHERE version_id = ?", (vid,))[0][0]
    _must(staff.form(f"/plans/{vid}/submit", {}), "plan submit")
    _must(leader.form(f"/plans/{vid}/approve", {}), "plan approve")
    _must(staff.form(f"/plans/{vid}/publish", {}), "plan publish")
    r = _must(staff.form("/tasks/start", {"plan_task": ptid}), "task start")
    tid = int(re.match(r"/tasks/(\d+)", r.header("Location")).group(1))
    code = sql(db, "SELECT code FROM task WHERE id = ?", (tid,))[0][0]
    scheme = {"purpose": "规范医保基金使用", "period": year + "年6月1日至6月30日", "group_size": "2",
              "method": "实地检查、书面检查", "confidentiality": "抽取结果在检查前保密", "use_of_results": "纳入信用记录",
              "materials": "近一年医保结算清单", "contact": "基金监管股 0319-1234567",
              "randomness_source": "福彩3D 开奖号码和摇号现场观察员掷 8 枚骰子的点数",
              "observers0": "钱律师", "observers1": "", "observers2": "", "observers3": ""}
    scheme.update(scheme_source_fields([fc3d_source(lottery_day), {"kind": "dice", "count": 8}]))
    scheme["version"] = str(scheme_version(db, tid))
    _must(staff.form(f"/tasks/{tid}/scheme", scheme), "scheme")
    _must(staff.form(f"/tasks/{tid}/submit", {}), "scheme submit")
    _must(leader.form(f"/tasks/{tid}/approve", {}), "scheme approve")
    _must(staff.form(f"/tasks/{tid}/publish", {}), "scheme publish")
    _must(joint.form(f"/joint/{tid}/confirm", {"items_text": "价格行为检查"}), "joint confirm")
    draw_values = {"value0": "361", "value1": "52241361", "observers_present": "律师：钱律师"}
    if until == "freeze":
        return {"db": db, "tid": tid, "code": code, "draw_day": draw_day, "draw_values": draw_values,
                "clients": {"staff": staff, "leader": leader, "joint": joint}}
    _must(staff.form(f"/tasks/{tid}/freeze", {}), "freeze")
    # the dice a minute after the freeze (early ticks on), well before the lottery the day after
    _must(staff.form(f"/tasks/{tid}/dice", {"dice0": "52241361", "observers_present": "钱律师"}), "dice before the lottery")
    staff.env = {"SPOTCHECK_TODAY": draw_day.isoformat() + "T10:00"}
    _must(staff.form(f"/tasks/{tid}/draw", draw_values), "draw")
    for c in (staff, leader, joint):
        c.env = None  # from here on the test's own day
    rows = sql(db, "SELECT m.target_code, m.member_code, m.role FROM draw_member m JOIN draw d ON d.id = m.draw_id "
                   "WHERE d.task_code = ? AND d.status = '已抽取' AND m.status = '在组' ORDER BY m.target_code, m.role DESC",
               (code,))
    groups = {}
    for t, m, role in rows:
        groups.setdefault(t, []).append((m, role))

    def officer_user_for(cert, username="officer"):
        # through the program (an audited link), unless the rule refuses it (an officer of another org,
        # which some tests want): then directly, and `audit verify` of that database reports the edit
        p = subprocess.run([SPOTCHECK, "user", "link", username, "--officer", cert, "--db", db], capture_output=True)
        if p.returncode != 0:
            sql(db, "UPDATE account SET officer_id = (SELECT id FROM officer WHERE cert_no = ?) WHERE username = ?",
                (cert, username))
        c = Client(db)
        c.login(username)
        return c

    return {"db": db, "tid": tid, "code": code, "targets": sorted(groups), "groups": groups,
            "clients": {"staff": staff, "leader": leader, "joint": joint}, "officer_user_for": officer_user_for}


if __name__ == "__main__":
    f = drawn_db()
    print(f["db"], f["tid"], f["code"], f["groups"])


def submitted_record(f, target, checked_on, result_codes, now, submitted_by="officer", violation=True,
                     remarks="责令限期整改"):
    """A record of f (drawn_db()) for one drawn target as the record form leaves it after submission
    (status 待审核, submitted at `now`): two items, a violation of 1,234.56 yuan when `violation`, a
    photo and the 提交 event, INSERTED IN SQL (the form belongs to src/domain/record.*). Returns its id."""
    db = f["db"]
    draw_id, task_id, org_id = sql(db, "SELECT d.id, t.id, t.org_id FROM draw d JOIN task t ON t.code = d.task_code "
                                       "WHERE d.task_code = ? AND d.status = '已抽取'", (f["code"],))[0]
    tgt = sql(db, "SELECT id FROM target WHERE code = ?", (target,))[0][0]
    certs = ",".join(c for c, _ in f["groups"][target])
    sql(db, "INSERT INTO record(task_id, draw_id, org_id, target_code, target_id, status, checked_from, checked_on, "
            "result_codes, remarks, notes, officers, signer_name, submitted_at, submitted_by) "
            "VALUES (?, ?, ?, ?, ?, '待审核', ?, ?, ?, ?, '内部备注不公开', ?, '刘代表', ?, ?)",
        (task_id, draw_id, org_id, target, tgt, checked_on, checked_on, result_codes, remarks, certs, now, submitted_by))
    rid = sql(db, "SELECT id FROM record WHERE draw_id = ? AND target_code = ?", (draw_id, target))[0][0]
    dept = sql(db, "SELECT id FROM dept WHERE code = 'D1'")[0][0]
    sql(db, "INSERT INTO record_item(record_id, position, dept_id, dept_name, item_code, item_name, methods, result) "
            "VALUES (?, 1, ?, '基金监管股', 'I1', '对定点医药机构基金使用情况的监督检查', 'onsite,documents', ?)", (rid, dept, result_codes))
    sql(db, "INSERT INTO record_item(record_id, position, dept_id, dept_name, item_code, item_name, methods, result) "
            "VALUES (?, 2, (SELECT id FROM dept WHERE code = 'SC'), '市场监管局', NULL, '价格行为检查', 'onsite', '01')", (rid,))
    if violation:
        sql(db, "INSERT INTO record_violation(record_id, item_position, category, amount_cents, description, created_by) "
                "VALUES (?, 1, '38(3)', 123456, '重复收费 12 笔', 'officer')", (rid,))
    sql(db, "INSERT INTO record_file(record_id, kind, mime, size, sha256, original_name, uploaded_by) "
            "VALUES (?, 'photo', 'image/jpeg', 2048, ?, '现场照片1.jpg', 'officer')", (rid, "a" * 64))
    sql(db, "INSERT INTO record_event(record_id, action, from_status, to_status, on_day, by_user) "
            "VALUES (?, '提交', '待录入', '待审核', ?, ?)", (rid, checked_on, submitted_by))
    return rid
