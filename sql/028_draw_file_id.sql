-- 028: draw_file gets an integer key `id` (issue 14 item 8). The population file is read straight
-- into a buffer by db_read_value, which names the row by its integer key; the domain named it by
-- SQLite's implicit rowid, which another engine does not have. The table is rebuilt with the same
-- rows (id = the old rowid), the old key kept as a UNIQUE constraint, and its append-only triggers
-- of 018 made again.
CREATE TABLE draw_file_new(
  id INTEGER PRIMARY KEY,
  draw_id INTEGER NOT NULL REFERENCES draw(id),
  kind TEXT NOT NULL CHECK (kind IN ('population', 'officers')),
  sha256 TEXT NOT NULL,
  content TEXT NOT NULL,
  UNIQUE (draw_id, kind)
);
INSERT INTO draw_file_new(id, draw_id, kind, sha256, content)
  SELECT rowid, draw_id, kind, sha256, content FROM draw_file ORDER BY rowid;
DROP TRIGGER draw_file_no_update;
DROP TRIGGER draw_file_no_delete;
DROP TABLE draw_file;
ALTER TABLE draw_file_new RENAME TO draw_file;
CREATE TRIGGER draw_file_no_update BEFORE UPDATE ON draw_file
BEGIN SELECT RAISE(ABORT, '冻结的名单文件不能修改'); END;
CREATE TRIGGER draw_file_no_delete BEFORE DELETE ON draw_file
BEGIN SELECT RAISE(ABORT, '冻结的名单文件不能删除'); END;
