-- 022: dice are thrown and recorded before the earliest external source exists. A dice string
-- typed after the lottery is known could be chosen (6^n tries) to steer the draw; recorded
-- before, it is as blind as the lottery. One row per draw, never changed.
CREATE TABLE draw_dice(
  draw_id INTEGER PRIMARY KEY REFERENCES draw(id),
  dice_values TEXT NOT NULL,                 -- JSON array, one canonical string per dice source in declared order
  recorded_at TEXT NOT NULL,                 -- the clock's local stamp, as every *_at column
  recorded_rfc3339 TEXT NOT NULL,            -- the same moment with its offset, as the record carries it
  recorded_by TEXT NOT NULL,
  observers TEXT
);
CREATE TRIGGER draw_dice_no_update BEFORE UPDATE ON draw_dice
BEGIN SELECT RAISE(ABORT, '登记的骰子点数不能修改'); END;
CREATE TRIGGER draw_dice_no_delete BEFORE DELETE ON draw_dice
BEGIN SELECT RAISE(ABORT, '登记的骰子点数不能删除'); END;
