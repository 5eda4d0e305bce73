#!/usr/bin/env python3
"""bench/credit/seed.py DB: adds to a database of imported targets (bench/import/gen.py) what the leader's
credit to-do reads (credit_pending, src/domain/credit_rules.c): one task of 130528 with a held draw of
30,000 targets, 12,000 records with their target ids (6,000 published, 60 of them found to aim at
defrauding the fund), 2,000 follow-ups on published records (penalty, rectify, notify; the rule table
proposes D, C, nothing) and 300 grade changes (等级调整) after the facts of some of those targets, so part
of them no longer wait. Rows are written directly, deterministic (fixed seed). Used by bench/credit/run.sh."""
import random, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA foreign_keys = OFF")
rnd = random.Random(16)
org = c.execute("SELECT id FROM org WHERE code = '130528'").fetchone()[0]
c.execute("INSERT INTO task(id, org_id, code, adhoc_id, name, kind, ratio, month_from, month_to) "
          "VALUES (1, ?, 'BENCH-1', 1, '2026年定点医药机构抽查', '不定向', '3', '2026-03', '2026-06')", (org,))
c.execute("INSERT INTO draw(id, task_code, draw_no, status, draw_date, params, population_sha256, population_count, "
          "officers_sha256, commitment, secret, randomness_source, freeze_json, freeze_sha256, frozen_at, "
          "record_sha256, drawn_at) VALUES (1, 'BENCH-1', 1, '已抽取', '2026-01-05', '{}', 'x', 1, 'x', 'x', 'x', 'x', "
          "'{}', 'x', '2026-01-01 09:00:00', 'x', '2026-01-05 09:00:00')")
tg = [r for r in c.execute("SELECT id, code FROM target WHERE kind IN ('institution', 'pharmacy', 'employer') "
                           "AND org_id = ? ORDER BY id", (org,))]
rnd.shuffle(tg)
drawn = tg[:30000]
recs = []
for i, (tid, code) in enumerate(drawn[:12000]):
    pub = i % 2 == 0
    recs.append((i + 1, org, code, tid, "已公示" if pub else "待审核", "2026-04-%02d" % (1 + rnd.randrange(28)),
                 "2026-05-%02d 09:00:00" % (1 + rnd.randrange(28)) if pub else None, 1 if pub and i % 100 == 0 else 0))
c.executemany("INSERT INTO record(id, task_id, draw_id, org_id, target_code, target_id, status, checked_on, published_at, "
              "fraud_purpose) VALUES (?, 1, 1, ?, ?, ?, ?, ?, ?, ?)", recs)
pubd = [r for r in recs if r[6]]
fus = []
for j, r in enumerate(pubd[:2000]):
    fus.append((r[0], org, ["penalty", "rectify", "notify"][j % 3], "2026-06-%02d" % (1 + rnd.randrange(28)),
                "2026-06-%02d 10:00:00" % (1 + rnd.randrange(28))))
c.executemany("INSERT INTO followup(record_id, org_id, option, opened_on, created_at) VALUES (?, ?, ?, ?, ?)", fus)
ev = [(r[3],) for r in pubd[:300]]
c.executemany("INSERT INTO credit_event(target_id, kind, summary, on_day, at, grade_before, grade_after) "
              "VALUES (?, '等级调整', '复核', '2026-07-01', '2026-07-01 10:00:00', 'B', 'C')", ev)
c.commit()
print(sys.argv[1], "seeded:", len(recs), "records,", len(pubd), "published,", len(fus), "follow-ups,", len(ev), "grade changes")
