-- 032: the draw record moves out of the draw row (issue 15). The record (canonical JSON, 11 MB for
-- 30,000 groups, hundreds of MB for 300,000) sat in the middle of the row, so every query reading
-- a later column (drawn_at, record_sha256, …) walked its overflow pages: lists, the task page and
-- the figures paid for a record they never used. It is now a row of draw_record, read only where
-- the record itself is wanted; record_sha256 stays in the draw row (lists show it).
--
-- Append-only as before (018, 021): a record is written for a draw being run or drawn, replaced only
-- by a substitution of a drawn draw and only with a new digest, never deleted; the draw row's
-- record_sha256 moves only to the digest the stored record carries, and only while the draw is
-- 已抽取. So the record is written first (draw_record), then the draw row names its digest.
CREATE TABLE draw_record(
  draw_id INTEGER PRIMARY KEY REFERENCES draw(id),
  sha256 TEXT NOT NULL,                     -- the SHA-256 of record_json, as draw.record_sha256
  record_json TEXT NOT NULL                 -- the full record (canonical JSON)
);
INSERT INTO draw_record(draw_id, sha256, record_json)
  SELECT id, coalesce(record_sha256, ''), record_json FROM draw WHERE record_json IS NOT NULL ORDER BY id;

DROP TRIGGER draw_frozen_fixed;
ALTER TABLE draw DROP COLUMN record_json;
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
  OR (NEW.record_sha256 IS NOT OLD.record_sha256
      AND (NEW.status <> '已抽取'
           OR NOT EXISTS (SELECT 1 FROM draw_record r WHERE r.draw_id = NEW.id AND r.sha256 = NEW.record_sha256)))
  OR (NEW.superseded_reason IS NOT OLD.superseded_reason AND (OLD.superseded_reason IS NOT NULL OR NEW.status <> '已作废'))
  OR ((NEW.public_randomness IS NOT OLD.public_randomness OR NEW.seed IS NOT OLD.seed
       OR NEW.drawn_at IS NOT OLD.drawn_at OR NEW.drawn_by IS NOT OLD.drawn_by)
      AND NOT (OLD.status = '已冻结' AND NEW.status = '已抽取'))
  OR NOT (NEW.status = OLD.status OR (OLD.status = '已冻结' AND NEW.status IN ('已抽取', '已作废'))
          OR (OLD.status = '已抽取' AND NEW.status = '已作废'))
BEGIN SELECT RAISE(ABORT, '抽取记录冻结后不能修改（只能追加）'); END;

-- the first record of a draw: while it is being run (已冻结) or drawn, before any digest is named
CREATE TRIGGER draw_record_insert_once BEFORE INSERT ON draw_record
WHEN NOT EXISTS (SELECT 1 FROM draw d WHERE d.id = NEW.draw_id AND d.record_sha256 IS NULL
                 AND d.status IN ('已冻结', '已抽取'))
BEGIN SELECT RAISE(ABORT, '抽取记录只能在抽取时写入，不能另行写入'); END;
-- a substitution re-derives the record of a drawn draw: a new record with a new digest
CREATE TRIGGER draw_record_replace BEFORE UPDATE ON draw_record
WHEN NEW.draw_id IS NOT OLD.draw_id OR NEW.sha256 IS OLD.sha256
  OR NOT EXISTS (SELECT 1 FROM draw d WHERE d.id = OLD.draw_id AND d.status = '已抽取')
BEGIN SELECT RAISE(ABORT, '抽取记录不能修改：只能随递补重新生成（须有新的记录摘要）'); END;
CREATE TRIGGER draw_record_no_delete BEFORE DELETE ON draw_record
BEGIN SELECT RAISE(ABORT, '抽取记录只能追加，不能删除'); END;
