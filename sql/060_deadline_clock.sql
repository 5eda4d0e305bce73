-- 060: the deadline clocks kept, not recomputed (issue 15: the first view after a change). The
-- dashboard and its lists read every clock of the scope: one per joint dept, two per drawn target
-- (result entry, publication), up to three per follow-up. Computing them per request read every
-- drawn target, its record and the record's events (2-3 s at 30k drawn targets on a loaded
-- machine); deadline_clock holds one row per clock with the facts it depends on: kind, k2 (a
-- penalty clock's disposal option), s (its start: a date, or 'M' and the task's month_to before
-- the check), done (the day the duty was done, NULL while open), the task, org (scope), draw,
-- target, record, follow-up and dept it belongs to, its tie-break and detail, and for the two
-- clocks of a drawn target its record's status (rstatus: the figures read a draw's valid targets
-- and published records here, figures.c). It never holds "today": deadlines and states are computed at read time (deadline_query.c) from the calendar.
-- The three views deadline_clock_joint, deadline_clock_drawn and deadline_clock_followup define
-- the clocks from the source tables; triggers on every table a clock depends on delete the
-- clocks of the changed row and insert them again from the view, in the same transaction.
-- deadline_clocks_rebuild (deadline.h) fills the table again from the views (bulk writes);
-- tests/unit/test_deadline_kept.c compares the table with the views after every kind of change.
-- Names (task, org, dept, target, disposal label) are looked up at read time.
CREATE TABLE deadline_clock(
  kind INTEGER NOT NULL,
  k2 TEXT NOT NULL,
  s TEXT NOT NULL,
  done TEXT,
  task_id INTEGER NOT NULL,
  org_id INTEGER NOT NULL,
  draw_id INTEGER,
  target_code TEXT,
  record_id INTEGER,
  followup_id INTEGER,
  dept_id INTEGER NOT NULL,
  tie INTEGER NOT NULL,
  detail TEXT,
  opt TEXT,
  rstatus TEXT
);
CREATE INDEX deadline_clock_by_key ON deadline_clock(kind, k2, s, done, org_id);
CREATE INDEX deadline_clock_by_target ON deadline_clock(draw_id, target_code);
CREATE INDEX deadline_clock_by_task ON deadline_clock(task_id, kind, dept_id);
CREATE INDEX deadline_clock_by_followup ON deadline_clock(followup_id);
CREATE INDEX deadline_clock_by_record ON deadline_clock(record_id);
-- the figures (figures.c): a draw's valid targets and published records, targets drawn twice
CREATE INDEX deadline_clock_by_draw ON deadline_clock(draw_id, kind, rstatus, record_id);
CREATE INDEX deadline_clock_by_code ON deadline_clock(kind, target_code, draw_id);
CREATE VIEW deadline_clock_joint AS
SELECT 0 AS kind, '' AS k2, coalesce(j.named_on, '') AS s, nullif(j.confirmed_on, '') AS done,
  t.id AS task_id, t.org_id AS org_id, CAST(NULL AS INTEGER) AS draw_id,
  CAST(NULL AS TEXT) AS target_code, CAST(NULL AS INTEGER) AS record_id,
  CAST(NULL AS INTEGER) AS followup_id, j.dept_id AS dept_id, j.dept_id AS tie,
  CASE WHEN j.confirmed_on IS NULL THEN '待确认' ELSE '已确认' END AS detail,
  CAST(NULL AS TEXT) AS opt, CAST(NULL AS TEXT) AS rstatus
FROM task_joint j JOIN task t ON t.id = j.task_id JOIN dept dp ON dp.id = j.dept_id;
CREATE VIEW deadline_clock_drawn AS
SELECT kk.kind AS kind, '' AS k2,
  CASE WHEN coalesce(r.checked_on, '') = '' THEN 'M' || coalesce(t.month_to, '')
    ELSE r.checked_on END AS s,
  nullif(CASE WHEN kk.kind = 1 THEN CASE WHEN r.status IN ('待审核', '审核通过', '已公示')
    THEN coalesce((SELECT e.on_day FROM record_event e WHERE e.record_id = r.id
      AND e.action = '提交' ORDER BY e.id DESC LIMIT 1), substr(r.submitted_at, 1, 10)) END
    WHEN r.status = '已公示' THEN coalesce((SELECT e.on_day FROM record_event e
      WHERE e.record_id = r.id AND e.action = '公示' ORDER BY e.id DESC LIMIT 1),
      substr(r.published_at, 1, 10)) END, '') AS done,
  t.id AS task_id, t.org_id AS org_id, d.id AS draw_id, dt.target_code AS target_code,
  r.id AS record_id, CAST(NULL AS INTEGER) AS followup_id,
  coalesce(t.lead_dept_id, 0) AS dept_id, dt.position AS tie,
  CASE WHEN r.status IS NULL THEN '未建检查记录' ELSE '检查记录' || r.status END AS detail,
  CAST(NULL AS TEXT) AS opt, r.status AS rstatus
FROM task t JOIN draw d ON d.task_code = t.code AND d.status = '已抽取'
  JOIN draw_target dt ON dt.draw_id = d.id AND dt.status = '有效'
  LEFT JOIN record r ON r.draw_id = d.id AND r.target_code = dt.target_code
  CROSS JOIN (SELECT 1 AS kind UNION ALL SELECT 2) kk;
CREATE VIEW deadline_clock_followup AS
SELECT kk.kind AS kind, CASE WHEN kk.kind = 3 THEN f.option ELSE '' END AS k2,
  CASE kk.kind WHEN 3 THEN coalesce(f.decision_on, '') WHEN 4 THEN coalesce(f.opened_on, '')
    ELSE coalesce(f.rectify_deadline, '') END AS s,
  CASE kk.kind WHEN 3 THEN nullif(f.penalty_published_on, '')
    WHEN 4 THEN nullif(coalesce(f.outcome_on, f.closed_on), '')
    ELSE nullif(f.recheck_on, '') END AS done,
  t.id AS task_id, f.org_id AS org_id, CAST(NULL AS INTEGER) AS draw_id,
  r.target_code AS target_code, r.id AS record_id, f.id AS followup_id,
  coalesce(t.lead_dept_id, 0) AS dept_id, f.id AS tie, CAST(NULL AS TEXT) AS detail,
  f.option AS opt, CAST(NULL AS TEXT) AS rstatus
FROM followup f JOIN record r ON r.id = f.record_id JOIN task t ON t.id = r.task_id
  CROSS JOIN (SELECT 3 AS kind UNION ALL SELECT 4 UNION ALL SELECT 5) kk
WHERE kk.kind = 4 OR (kk.kind = 3 AND coalesce(f.decision_on, '') <> '')
  OR (kk.kind = 5 AND coalesce(f.rectify_deadline, '') <> '');
INSERT INTO deadline_clock SELECT * FROM deadline_clock_joint;
INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn;
INSERT INTO deadline_clock SELECT * FROM deadline_clock_followup;
-- drawn targets: a target drawn, replaced or its draw held or voided
CREATE TRIGGER deadline_clock_dt_insert AFTER INSERT ON draw_target BEGIN
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn
    WHERE draw_id = new.draw_id AND target_code = new.target_code;
END;
CREATE TRIGGER deadline_clock_dt_update AFTER UPDATE OF draw_id, target_code, status ON draw_target
BEGIN
  DELETE FROM deadline_clock WHERE draw_id = old.draw_id AND target_code = old.target_code;
  DELETE FROM deadline_clock WHERE draw_id = new.draw_id AND target_code = new.target_code;
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn
    WHERE draw_id = new.draw_id AND target_code = new.target_code;
END;
CREATE TRIGGER deadline_clock_dt_delete AFTER DELETE ON draw_target BEGIN
  DELETE FROM deadline_clock WHERE draw_id = old.draw_id AND target_code = old.target_code;
END;
CREATE TRIGGER deadline_clock_draw_insert AFTER INSERT ON draw BEGIN
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn WHERE draw_id = new.id;
END;
CREATE TRIGGER deadline_clock_draw_update AFTER UPDATE OF status, task_code ON draw BEGIN
  DELETE FROM deadline_clock WHERE draw_id = old.id;
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn WHERE draw_id = new.id;
END;
-- records: created, saved, submitted, published, moved or removed
CREATE TRIGGER deadline_clock_record_insert AFTER INSERT ON record BEGIN
  DELETE FROM deadline_clock WHERE draw_id = new.draw_id AND target_code = new.target_code;
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn
    WHERE draw_id = new.draw_id AND target_code = new.target_code;
END;
CREATE TRIGGER deadline_clock_record_update AFTER UPDATE OF draw_id, target_code, task_id, status,
  checked_on, submitted_at, published_at ON record BEGIN
  DELETE FROM deadline_clock WHERE draw_id = old.draw_id AND target_code = old.target_code;
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn
    WHERE draw_id = old.draw_id AND target_code = old.target_code;
  DELETE FROM deadline_clock WHERE draw_id = new.draw_id AND target_code = new.target_code
    AND (new.draw_id <> old.draw_id OR new.target_code <> old.target_code);
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn
    WHERE draw_id = new.draw_id AND target_code = new.target_code
    AND (new.draw_id <> old.draw_id OR new.target_code <> old.target_code);
  DELETE FROM deadline_clock WHERE record_id = new.id AND followup_id IS NOT NULL
    AND (new.task_id <> old.task_id OR new.target_code <> old.target_code);
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_followup WHERE record_id = new.id
    AND (new.task_id <> old.task_id OR new.target_code <> old.target_code);
END;
CREATE TRIGGER deadline_clock_record_delete AFTER DELETE ON record BEGIN
  DELETE FROM deadline_clock WHERE draw_id = old.draw_id AND target_code = old.target_code;
  DELETE FROM deadline_clock WHERE record_id = old.id;
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn
    WHERE draw_id = old.draw_id AND target_code = old.target_code;
END;
-- a record's submission and publication days come from its events
CREATE TRIGGER deadline_clock_event_insert AFTER INSERT ON record_event
WHEN new.action IN ('提交', '公示') BEGIN
  DELETE FROM deadline_clock WHERE record_id = new.record_id AND followup_id IS NULL;
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn WHERE record_id = new.record_id;
END;
CREATE TRIGGER deadline_clock_event_update AFTER UPDATE OF record_id, action, on_day
  ON record_event BEGIN
  DELETE FROM deadline_clock WHERE record_id IN (old.record_id, new.record_id)
    AND followup_id IS NULL;
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn
    WHERE record_id IN (old.record_id, new.record_id);
END;
CREATE TRIGGER deadline_clock_event_delete AFTER DELETE ON record_event
WHEN old.action IN ('提交', '公示') BEGIN
  DELETE FROM deadline_clock WHERE record_id = old.record_id AND followup_id IS NULL;
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn WHERE record_id = old.record_id;
END;
-- tasks: the org, code, month and lead dept every clock of the task carries
CREATE TRIGGER deadline_clock_task_insert AFTER INSERT ON task BEGIN
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn WHERE task_id = new.id;
END;
CREATE TRIGGER deadline_clock_task_update AFTER UPDATE OF id, org_id, code, month_to, lead_dept_id
  ON task BEGIN
  DELETE FROM deadline_clock WHERE task_id IN (old.id, new.id);
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_joint WHERE task_id = new.id;
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn WHERE task_id = new.id;
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_followup WHERE task_id = new.id;
END;
CREATE TRIGGER deadline_clock_task_delete AFTER DELETE ON task BEGIN
  DELETE FROM deadline_clock WHERE task_id = old.id;
END;
-- joint depts: named, confirmed or removed
CREATE TRIGGER deadline_clock_joint_insert AFTER INSERT ON task_joint BEGIN
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_joint
    WHERE task_id = new.task_id AND dept_id = new.dept_id;
END;
CREATE TRIGGER deadline_clock_joint_update AFTER UPDATE ON task_joint BEGIN
  DELETE FROM deadline_clock WHERE kind = 0 AND task_id = old.task_id AND dept_id = old.dept_id;
  DELETE FROM deadline_clock WHERE kind = 0 AND task_id = new.task_id AND dept_id = new.dept_id;
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_joint
    WHERE task_id = new.task_id AND dept_id = new.dept_id;
END;
CREATE TRIGGER deadline_clock_joint_delete AFTER DELETE ON task_joint BEGIN
  DELETE FROM deadline_clock WHERE kind = 0 AND task_id = old.task_id AND dept_id = old.dept_id;
END;
-- follow-ups: opened, decided, published, rechecked, closed or removed
CREATE TRIGGER deadline_clock_followup_insert AFTER INSERT ON followup BEGIN
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_followup WHERE followup_id = new.id;
END;
CREATE TRIGGER deadline_clock_followup_update AFTER UPDATE ON followup BEGIN
  DELETE FROM deadline_clock WHERE followup_id IN (old.id, new.id);
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_followup WHERE followup_id = new.id;
END;
CREATE TRIGGER deadline_clock_followup_delete AFTER DELETE ON followup BEGIN
  DELETE FROM deadline_clock WHERE followup_id = old.id;
END;
