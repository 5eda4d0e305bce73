-- 039: the 检查通知书 as an issued document (issue 16). A notice gets a 文号 (机关简称〔年〕序号,
-- numbered per org and year) and its text is fixed when issued: what it says is stored here and
-- printed from here, never re-read from the directories, so a later edit of the target's address or
-- of the scheme does not change a notice that was sent. A re-issue is a new notice with a new
-- number that names the one it replaces and why. Append-only.
ALTER TABLE org ADD COLUMN short_name TEXT;  -- 机关简称 in 文号, e.g. 宁医保 (empty: the org's name)

CREATE TABLE notice(
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES org(id),
  year INTEGER NOT NULL,
  seq INTEGER NOT NULL,                       -- 序号 within (org, year), from 1
  doc_no TEXT NOT NULL,                       -- 宁医保检〔2026〕12号
  task_id INTEGER NOT NULL REFERENCES task(id),
  draw_id INTEGER NOT NULL REFERENCES draw(id),
  target_code TEXT NOT NULL,
  content TEXT NOT NULL,                      -- the notice as issued (JSON): the one source of its print
  sha256 TEXT NOT NULL,                       -- of content
  replaces_id INTEGER REFERENCES notice(id),  -- the notice this one replaces (re-issue)
  reason TEXT,                                -- why it was re-issued
  issued_on TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  issued_by TEXT,
  UNIQUE (org_id, year, seq)
);
CREATE INDEX notice_target ON notice(draw_id, target_code);
CREATE INDEX notice_task ON notice(task_id);
CREATE TRIGGER notice_no_update BEFORE UPDATE ON notice
BEGIN SELECT RAISE(ABORT, '已出具的检查通知书不能修改（只能重新出具）'); END;
CREATE TRIGGER notice_no_delete BEFORE DELETE ON notice
BEGIN SELECT RAISE(ABORT, '已出具的检查通知书不能删除'); END;
