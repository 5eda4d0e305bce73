-- 063 on PostgreSQL: a bulk writer pauses the row triggers that keep derived rows (db_triggers_pause:
-- a draw's clocks on draw_target, sql/060; the targets' counts, sql/058) for its own transaction only,
-- by a setting, instead of ALTER TABLE … DISABLE TRIGGER: that takes SHARE ROW EXCLUSIVE on the table
-- until the commit, so every other writer of it (another task's draw run or substitution) waited for
-- the whole load (a 300k-group run: over a minute). spotcheck_paused(table, trigger) says whether this
-- transaction paused the triggers of `table` whose names start with the setting spotcheck.pause_<table>
-- (set local by db_pg.c); the functions of the triggers that may be paused ask it first. The bodies are
-- those of 058 and 060 otherwise.
CREATE FUNCTION spotcheck_paused(tbl TEXT, trg TEXT) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('spotcheck.pause_' || tbl, true), '') <> ''
    AND starts_with(trg, current_setting('spotcheck.pause_' || tbl, true))
$$;
CREATE OR REPLACE FUNCTION target_count_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF spotcheck_paused(TG_TABLE_NAME, TG_NAME) THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    UPDATE target_count SET n = n - 1 WHERE org_id = OLD.org_id AND kind = OLD.kind
      AND grade = OLD.grade AND status = OLD.status;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO target_count(org_id, kind, grade, status, n)
      VALUES (NEW.org_id, NEW.kind, NEW.grade, NEW.status, 1)
      ON CONFLICT (org_id, kind, grade, status) DO UPDATE SET n = target_count.n + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION deadline_clock_dt_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF spotcheck_paused(TG_TABLE_NAME, TG_NAME) THEN
    RETURN NULL;
  END IF;
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
