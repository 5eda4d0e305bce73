-- 060 on PostgreSQL: sql/060_deadline_clock.sql (the deadline clocks kept in deadline_clock, one
-- row per clock, refreshed from the views deadline_clock_joint / _drawn / _followup by triggers in
-- the changing transaction), with the triggers as one plpgsql function per table. The statements
-- are those of the SQLite triggers.
CREATE TABLE deadline_clock(
  kind INTEGER NOT NULL,
  k2 TEXT NOT NULL,
  s TEXT NOT NULL,
  done TEXT,
  task_id BIGINT NOT NULL,
  org_id BIGINT NOT NULL,
  draw_id BIGINT,
  target_code TEXT,
  record_id BIGINT,
  followup_id BIGINT,
  dept_id BIGINT NOT NULL,
  tie BIGINT NOT NULL,
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
  t.id AS task_id, t.org_id AS org_id, CAST(NULL AS BIGINT) AS draw_id,
  CAST(NULL AS TEXT) AS target_code, CAST(NULL AS BIGINT) AS record_id,
  CAST(NULL AS BIGINT) AS followup_id, j.dept_id AS dept_id, j.dept_id AS tie,
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
  r.id AS record_id, CAST(NULL AS BIGINT) AS followup_id,
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
  t.id AS task_id, f.org_id AS org_id, CAST(NULL AS BIGINT) AS draw_id,
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
CREATE FUNCTION deadline_clock_dt_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM deadline_clock WHERE draw_id = OLD.draw_id AND target_code = OLD.target_code;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    DELETE FROM deadline_clock WHERE draw_id = NEW.draw_id AND target_code = NEW.target_code;
    INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn
      WHERE draw_id = NEW.draw_id AND target_code = NEW.target_code;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER deadline_clock_dt_change AFTER INSERT OR DELETE ON draw_target FOR EACH ROW
EXECUTE FUNCTION deadline_clock_dt_keep();
CREATE TRIGGER deadline_clock_dt_update AFTER UPDATE OF draw_id, target_code, status ON draw_target
FOR EACH ROW EXECUTE FUNCTION deadline_clock_dt_keep();
CREATE FUNCTION deadline_clock_draw_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM deadline_clock WHERE draw_id = OLD.id;
  END IF;
  INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn WHERE draw_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER deadline_clock_draw_insert AFTER INSERT ON draw FOR EACH ROW
EXECUTE FUNCTION deadline_clock_draw_keep();
CREATE TRIGGER deadline_clock_draw_update AFTER UPDATE OF status, task_code ON draw FOR EACH ROW
EXECUTE FUNCTION deadline_clock_draw_keep();
-- records: created, saved, submitted, published, moved or removed
CREATE FUNCTION deadline_clock_record_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM deadline_clock WHERE draw_id = OLD.draw_id AND target_code = OLD.target_code;
    INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn
      WHERE draw_id = OLD.draw_id AND target_code = OLD.target_code;
  END IF;
  IF TG_OP = 'DELETE' THEN
    DELETE FROM deadline_clock WHERE record_id = OLD.id AND followup_id IS NOT NULL;
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' OR NEW.draw_id <> OLD.draw_id OR NEW.target_code <> OLD.target_code THEN
    DELETE FROM deadline_clock WHERE draw_id = NEW.draw_id AND target_code = NEW.target_code;
    INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn
      WHERE draw_id = NEW.draw_id AND target_code = NEW.target_code;
  END IF;
  IF TG_OP = 'UPDATE' AND (NEW.task_id <> OLD.task_id OR NEW.target_code <> OLD.target_code) THEN
    DELETE FROM deadline_clock WHERE record_id = NEW.id AND followup_id IS NOT NULL;
    INSERT INTO deadline_clock SELECT * FROM deadline_clock_followup WHERE record_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER deadline_clock_record_change AFTER INSERT OR DELETE ON record FOR EACH ROW
EXECUTE FUNCTION deadline_clock_record_keep();
CREATE TRIGGER deadline_clock_record_update AFTER UPDATE OF draw_id, target_code, task_id, status,
  checked_on, submitted_at, published_at ON record FOR EACH ROW
EXECUTE FUNCTION deadline_clock_record_keep();
-- a record's submission and publication days come from its events
CREATE FUNCTION deadline_clock_event_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM deadline_clock WHERE record_id = OLD.record_id AND followup_id IS NULL;
    INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn WHERE record_id = OLD.record_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    DELETE FROM deadline_clock WHERE record_id = NEW.record_id AND followup_id IS NULL;
    INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn WHERE record_id = NEW.record_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER deadline_clock_event_insert AFTER INSERT ON record_event FOR EACH ROW
WHEN (NEW.action IN ('提交', '公示')) EXECUTE FUNCTION deadline_clock_event_keep();
CREATE TRIGGER deadline_clock_event_update AFTER UPDATE OF record_id, action, on_day ON record_event
FOR EACH ROW EXECUTE FUNCTION deadline_clock_event_keep();
CREATE TRIGGER deadline_clock_event_delete AFTER DELETE ON record_event FOR EACH ROW
WHEN (OLD.action IN ('提交', '公示')) EXECUTE FUNCTION deadline_clock_event_keep();
-- tasks: the org, code, month and lead dept every clock of the task carries
CREATE FUNCTION deadline_clock_task_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM deadline_clock WHERE task_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    DELETE FROM deadline_clock WHERE task_id = NEW.id;
    INSERT INTO deadline_clock SELECT * FROM deadline_clock_joint WHERE task_id = NEW.id;
    INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn WHERE task_id = NEW.id;
    INSERT INTO deadline_clock SELECT * FROM deadline_clock_followup WHERE task_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER deadline_clock_task_change AFTER INSERT OR DELETE ON task FOR EACH ROW
EXECUTE FUNCTION deadline_clock_task_keep();
CREATE TRIGGER deadline_clock_task_update AFTER UPDATE OF id, org_id, code, month_to, lead_dept_id
  ON task FOR EACH ROW EXECUTE FUNCTION deadline_clock_task_keep();
-- joint depts: named, confirmed or removed
CREATE FUNCTION deadline_clock_joint_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM deadline_clock WHERE kind = 0 AND task_id = OLD.task_id AND dept_id = OLD.dept_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    DELETE FROM deadline_clock WHERE kind = 0 AND task_id = NEW.task_id AND dept_id = NEW.dept_id;
    INSERT INTO deadline_clock SELECT * FROM deadline_clock_joint
      WHERE task_id = NEW.task_id AND dept_id = NEW.dept_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER deadline_clock_joint_change AFTER INSERT OR UPDATE OR DELETE ON task_joint
FOR EACH ROW EXECUTE FUNCTION deadline_clock_joint_keep();
-- follow-ups: opened, decided, published, rechecked, closed or removed
CREATE FUNCTION deadline_clock_followup_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM deadline_clock WHERE followup_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    DELETE FROM deadline_clock WHERE followup_id = NEW.id;
    INSERT INTO deadline_clock SELECT * FROM deadline_clock_followup WHERE followup_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER deadline_clock_followup_change AFTER INSERT OR UPDATE OR DELETE ON followup
FOR EACH ROW EXECUTE FUNCTION deadline_clock_followup_keep();
