-- 018: draws are append-only (docs/DRAW.md). What was frozen never changes, a draw is never
-- deleted, and the few columns a draw fills later are written once: the run (status 已冻结 →
-- 已抽取 with its values, seed and time), the void of a re-draw (→ 已作废, terminal), and the current
-- record, which a substitution re-derives from the frozen files, the values and the append-only
-- draw_event rows (so `spotcheck audit verify` can recompute and compare it). draw_target,
-- draw_member and draw_skip are projections of that record, rebuilt with it. A re-draw request is
-- decided once.
CREATE TRIGGER draw_no_delete BEFORE DELETE ON draw
BEGIN SELECT RAISE(ABORT, '抽取记录只能追加，不能删除'); END;
CREATE TRIGGER draw_frozen_fixed BEFORE UPDATE ON draw
WHEN OLD.status = '已作废'
  OR NEW.id IS NOT OLD.id OR NEW.task_code IS NOT OLD.task_code OR NEW.draw_no IS NOT OLD.draw_no
  OR NEW.draw_date IS NOT OLD.draw_date OR NEW.params IS NOT OLD.params
  OR NEW.population_sha256 IS NOT OLD.population_sha256 OR NEW.population_count IS NOT OLD.population_count
  OR NEW.officers_sha256 IS NOT OLD.officers_sha256 OR NEW.commitment IS NOT OLD.commitment
  OR NEW.secret IS NOT OLD.secret OR NEW.randomness_source IS NOT OLD.randomness_source
  OR NEW.freeze_json IS NOT OLD.freeze_json OR NEW.freeze_sha256 IS NOT OLD.freeze_sha256
  OR NEW.redraw_reason IS NOT OLD.redraw_reason OR NEW.redraw_approver IS NOT OLD.redraw_approver
  OR NEW.previous_id IS NOT OLD.previous_id OR NEW.frozen_at IS NOT OLD.frozen_at
  OR NEW.frozen_by IS NOT OLD.frozen_by OR NEW.sources IS NOT OLD.sources
  OR (OLD.public_randomness IS NOT NULL AND NEW.public_randomness IS NOT OLD.public_randomness)
  OR (OLD.seed IS NOT NULL AND NEW.seed IS NOT OLD.seed)
  OR (OLD.drawn_at IS NOT NULL AND NEW.drawn_at IS NOT OLD.drawn_at)
  OR (OLD.drawn_by IS NOT NULL AND NEW.drawn_by IS NOT OLD.drawn_by)
  OR (NEW.record_json IS NOT OLD.record_json AND NEW.status <> '已抽取')
  OR NOT (NEW.status = OLD.status OR (OLD.status = '已冻结' AND NEW.status IN ('已抽取', '已作废'))
          OR (OLD.status = '已抽取' AND NEW.status = '已作废'))
BEGIN SELECT RAISE(ABORT, '抽取记录冻结后不能修改（只能追加）'); END;
CREATE TRIGGER draw_file_no_update BEFORE UPDATE ON draw_file
BEGIN SELECT RAISE(ABORT, '冻结的名单文件不能修改'); END;
CREATE TRIGGER draw_file_no_delete BEFORE DELETE ON draw_file
BEGIN SELECT RAISE(ABORT, '冻结的名单文件不能删除'); END;
CREATE TRIGGER draw_exclusion_no_update BEFORE UPDATE ON draw_exclusion
BEGIN SELECT RAISE(ABORT, '冻结时的排除记录不能修改'); END;
CREATE TRIGGER draw_exclusion_no_delete BEFORE DELETE ON draw_exclusion
BEGIN SELECT RAISE(ABORT, '冻结时的排除记录不能删除'); END;
CREATE TRIGGER draw_event_no_update BEFORE UPDATE ON draw_event
BEGIN SELECT RAISE(ABORT, '递补记录只能追加，不能修改'); END;
CREATE TRIGGER draw_event_no_delete BEFORE DELETE ON draw_event
BEGIN SELECT RAISE(ABORT, '递补记录只能追加，不能删除'); END;
CREATE TRIGGER task_redraw_no_delete BEFORE DELETE ON task_redraw
BEGIN SELECT RAISE(ABORT, '重新抽取申请不能删除'); END;
CREATE TRIGGER task_redraw_decided_once BEFORE UPDATE ON task_redraw
WHEN OLD.status <> '待审批' OR NEW.id IS NOT OLD.id OR NEW.task_id IS NOT OLD.task_id
  OR NEW.reason IS NOT OLD.reason OR NEW.requested_by IS NOT OLD.requested_by
  OR NEW.requested_at IS NOT OLD.requested_at
BEGIN SELECT RAISE(ABORT, '重新抽取申请审批后不能修改'); END;
