-- 019: a substitution (递补) after the draw is a request with a reason from a fixed list and a
-- text, decided once by the 分管领导; only an approved request changes the draw (draw_event).
CREATE TABLE draw_substitution(
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES task(id),
  draw_id INTEGER NOT NULL REFERENCES draw(id),
  type TEXT NOT NULL CHECK (type IN ('target', 'officer')),
  target_code TEXT NOT NULL,
  member_code TEXT,
  reason_code TEXT NOT NULL CHECK (reason_code IN ('新发现的利害关系', '因病', '公务冲突', '离岗', '对象注销或无法检查', '其他')),
  reason_text TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT '待审批' CHECK (status IN ('待审批', '已批准', '已驳回')),
  requested_at TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  decided_at TEXT,
  decided_by TEXT,
  opinion TEXT,
  event_seq INTEGER                          -- the draw_event it became, once approved
);
CREATE INDEX draw_substitution_task ON draw_substitution(task_id, status);
CREATE TRIGGER draw_substitution_no_delete BEFORE DELETE ON draw_substitution
BEGIN SELECT RAISE(ABORT, '递补申请不能删除'); END;
CREATE TRIGGER draw_substitution_decided_once BEFORE UPDATE ON draw_substitution
WHEN OLD.status <> '待审批' OR NEW.id IS NOT OLD.id OR NEW.task_id IS NOT OLD.task_id OR NEW.draw_id IS NOT OLD.draw_id
  OR NEW.type IS NOT OLD.type OR NEW.target_code IS NOT OLD.target_code OR NEW.member_code IS NOT OLD.member_code
  OR NEW.reason_code IS NOT OLD.reason_code OR NEW.reason_text IS NOT OLD.reason_text
  OR NEW.requested_at IS NOT OLD.requested_at OR NEW.requested_by IS NOT OLD.requested_by
BEGIN SELECT RAISE(ABORT, '递补申请审批后不能修改'); END;
