-- 023: recusal (回避) is declared before the freeze. Each declared conflict of interest between an
-- officer and a target of a task is frozen into the draw's params.conflicts (bound by
-- freeze_sha256): the engine never puts that officer in that target's group. Declared once, never
-- changed or removed; none can be added once the task has a draw (a conflict found after the draw is
-- a substitution with the reason 新发现的利害关系, approved by a leader).
CREATE TABLE task_conflict(
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES task(id),
  officer_cert TEXT NOT NULL,                -- the officer's certificate number (the officer file's id)
  target_code TEXT NOT NULL,                 -- the target's code (the population file's id)
  reason TEXT NOT NULL,
  declared_at TEXT NOT NULL,                 -- the clock's local stamp
  declared_by TEXT NOT NULL,
  UNIQUE (task_id, officer_cert, target_code)
);
CREATE TRIGGER task_conflict_before_freeze BEFORE INSERT ON task_conflict
WHEN EXISTS (SELECT 1 FROM draw d JOIN task t ON t.code = d.task_code WHERE t.id = NEW.task_id)
BEGIN SELECT RAISE(ABORT, '名单已冻结，回避须在冻结前申报'); END;
CREATE TRIGGER task_conflict_no_update BEFORE UPDATE ON task_conflict
BEGIN SELECT RAISE(ABORT, '申报的回避不能修改'); END;
CREATE TRIGGER task_conflict_no_delete BEFORE DELETE ON task_conflict
BEGIN SELECT RAISE(ABORT, '申报的回避不能删除'); END;
