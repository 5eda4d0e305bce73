-- 043: 回访 (000 四(三): 积极推行随机抽查回访机制; the leading group visits inspected subjects again).
-- After a result is published the bureau may return to the inspected target — by phone, on site or
-- in writing — to hear how the inspection was carried out and whether findings were put right.
-- Each visit is recorded here, append-only; the task's 执法检查报告 counts them.
CREATE TABLE record_revisit(
  id INTEGER PRIMARY KEY,
  record_id INTEGER NOT NULL REFERENCES record(id),
  org_id INTEGER NOT NULL REFERENCES org(id),
  on_day TEXT NOT NULL,                          -- the day of the visit
  method TEXT NOT NULL CHECK (method IN ('电话', '实地', '书面')),
  conduct TEXT NOT NULL CHECK (conduct IN ('规范', '不规范')),  -- how the inspection was done, as reported
  summary TEXT NOT NULL,                          -- 回访情况
  created_at TEXT NOT NULL,
  created_by TEXT
);
CREATE INDEX record_revisit_record ON record_revisit(record_id);
CREATE TRIGGER record_revisit_no_update BEFORE UPDATE ON record_revisit
BEGIN SELECT RAISE(ABORT, '回访记录不能修改'); END;
CREATE TRIGGER record_revisit_no_delete BEFORE DELETE ON record_revisit
BEGIN SELECT RAISE(ABORT, '回访记录不能删除'); END;
