#!/usr/bin/env python3
"""bench/dash/seed.py DB: fills a database whose targets are imported (bench/import/gen.py, `spotcheck
import`) with what the dashboards and figures read: one task of 130528 with its held draw of 30,000
targets (institutions, pharmacies, employers; an 11 MB record JSON in the draw row, as a real draw of
that size has), 60 officers in groups of two, 12,000 records (about 6,000 published with result codes
and findings, 800 violations, the others submitted or not), 2,000 follow-ups (penalty, rectification,
notice) and two joint depts. Rows are written directly (the draw tables' append-only triggers allow
inserts), deterministic (fixed seed). Used by bench/dash/run.sh."""
import random, sqlite3, sys
db = sys.argv[1]
c = sqlite3.connect(db)
c.execute("PRAGMA foreign_keys = OFF")
rnd = random.Random(15)
org = c.execute("SELECT id FROM org WHERE code = '130528'").fetchone()[0]
c.execute("INSERT INTO dept(org_id, code, name, kind) VALUES (?, 'D1', '基金监管股', '本局科室')", (org,))
d1 = c.execute("SELECT id FROM dept WHERE code = 'D1'").fetchone()[0]
c.execute("INSERT INTO dept(org_id, code, name, kind) VALUES (?, 'WJ', '卫生健康局', '外部门')", (org,))
c.execute("INSERT INTO dept(org_id, code, name, kind) VALUES (?, 'SC', '市场监管局', '外部门')", (org,))
for i in range(60):
    c.execute("INSERT INTO officer(org_id, dept_id, name, cert_no, cert_valid_from, cert_valid_to, region, may_lead) "
              "VALUES (?, ?, ?, ?, '2024-01-01', '2030-12-31', '130528', ?)", (org, d1, "执法员%d" % i, "YB%04d" % i, 1 if i % 3 == 0 else 0))
c.execute("INSERT INTO task(id, org_id, code, adhoc_id, name, kind, ratio, month_from, month_to, lead_dept_id) "
          "VALUES (1, ?, 'BENCH-1', 1, '2026年定点医药机构抽查', '不定向', '3', '2026-03', '2026-06', ?)", (org, d1))
for dept, conf in (("WJ", "2026-01-06"), ("SC", None)):
    c.execute("INSERT INTO task_joint(task_id, dept_id, named_on, confirmed_on, status) VALUES (1, (SELECT id FROM dept WHERE code = ?), '2026-01-05', ?, ?)",
              (dept, conf, '已确认' if conf else '待确认'))
big = '{"strata":[],"pad":"' + "x" * (11 * 1024 * 1024) + '"}'
params = '{"ratios":{"*":"3"},"minimum":{}}'
freeze = '{"params":' + params + ',"population":{"strata":{"A":1,"B":1,"C":1,"D":1}}}'
c.execute("INSERT INTO draw(id, task_code, draw_no, status, draw_date, params, population_sha256, population_count, "
          "officers_sha256, commitment, secret, randomness_source, freeze_json, freeze_sha256, frozen_at, record_json, "
          "record_sha256, drawn_at) VALUES (1, 'BENCH-1', 1, '已抽取', '2026-01-05', ?, 'x', 1, 'x', 'x', 'x', 'x', ?, 'x', "
          "'2026-01-01 09:00:00', ?, 'x', '2026-01-05 09:00:00')", (params, freeze, big))
codes = [r[0] for r in c.execute("SELECT code FROM target WHERE kind IN ('institution', 'pharmacy', 'employer') ORDER BY id")]
rnd.shuffle(codes)
drawn = codes[:30000]
c.executemany("INSERT INTO draw_target(draw_id, position, target_code, stratum, ticket, origin, status) VALUES (1, ?, ?, 'B', 'x', '抽中', '有效')",
              [(i + 1, t) for i, t in enumerate(drawn)])
mem = []
for t in drawn:
    a = rnd.randrange(0, 60, 3); b = (a + 1 + rnd.randrange(59)) % 60
    if b == a: b = (a + 1) % 60
    mem.append((t, "YB%04d" % a, "组长")); mem.append((t, "YB%04d" % b, "组员"))
c.executemany("INSERT INTO draw_member(draw_id, target_code, member_code, role, status) VALUES (1, ?, ?, ?, '在组')", mem)
recs = []
for i, t in enumerate(drawn[:12000]):
    day = "2026-%02d-%02d" % (3 + rnd.randrange(4), 1 + rnd.randrange(28))
    k = rnd.randrange(10)
    status = "已公示" if k < 5 else "待审核" if k < 7 else "待录入"
    sub = "2026-07-%02d 10:00:00" % (1 + rnd.randrange(10)) if status != "待录入" else None
    pub = "2026-07-%02d 09:00:00" % (11 + rnd.randrange(3)) if status == "已公示" else None
    codes_ = rnd.choice(["01", "02,0201", "03", "01"]) if pub else ""
    recs.append((i + 1, org, t, status, day, sub, pub, codes_, 1 if pub and codes_ != "01" else 0))
c.executemany("INSERT INTO record(id, task_id, draw_id, org_id, target_code, status, checked_on, submitted_at, published_at, "
              "result_codes, findings) VALUES (?, 1, 1, ?, ?, ?, ?, ?, ?, ?, ?)", recs)
pubd = [r for r in recs if r[6]]
c.executemany("INSERT INTO record_violation(record_id, category, amount_cents) VALUES (?, '38(1)', 10000)", [(r[0],) for r in pubd[:800]])
fus = []
for j, r in enumerate(pubd[:2000]):
    opt = ["penalty", "rectify", "notify"][j % 3]
    fus.append((r[0], org, opt, "2026-07-%02d" % (14 + rnd.randrange(10)), "2026-07-20" if opt == "penalty" else None,
                "2026-08-%02d" % (1 + rnd.randrange(20)) if opt == "rectify" else None, "已完结" if j % 4 == 0 else "未完结"))
c.executemany("INSERT INTO followup(record_id, org_id, option, opened_on, decision_on, rectify_deadline, status) VALUES (?, ?, ?, ?, ?, ?, ?)", fus)
c.commit()
print(db, "seeded:", len(drawn), "drawn,", len(mem), "members,", len(recs), "records,", len(pubd), "published,", len(fus), "follow-ups")
