-- 021: the draw row's later columns, tightened (review of 018). The record digest moves only with
-- the record; the reason a draw was superseded is written once, when it is voided; the run's
-- columns (values, seed, time, by) are written only by the run that makes the draw 已抽取.
DROP TRIGGER draw_frozen_fixed;
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
  OR (NEW.record_sha256 IS NOT OLD.record_sha256 AND NEW.record_json IS OLD.record_json)
  OR (NEW.superseded_reason IS NOT OLD.superseded_reason AND (OLD.superseded_reason IS NOT NULL OR NEW.status <> '已作废'))
  OR ((NEW.public_randomness IS NOT OLD.public_randomness OR NEW.seed IS NOT OLD.seed
       OR NEW.drawn_at IS NOT OLD.drawn_at OR NEW.drawn_by IS NOT OLD.drawn_by)
      AND NOT (OLD.status = '已冻结' AND NEW.status = '已抽取'))
  OR NOT (NEW.status = OLD.status OR (OLD.status = '已冻结' AND NEW.status IN ('已抽取', '已作废'))
          OR (OLD.status = '已抽取' AND NEW.status = '已作废'))
BEGIN SELECT RAISE(ABORT, '抽取记录冻结后不能修改（只能追加）'); END;
