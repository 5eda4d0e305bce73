-- 057: the counties' daily chain heads, kept by the city (issue 17 item 4, docs/AUDIT.md "A city
-- keeps its counties' heads"). Each row is what a county's public portal showed as its audit log's
-- anchor (审计日志锚点: the last row before that day, id and hash) on a day, as read (or fetched) by a
-- user of the city's installation. Append-only: a second, different head for the same county and
-- day is a row of its own — a red flag the pages show — never a change of the first; the same head
-- twice is one row. `spotcheck anchor check` verifies a county's database against every row.
CREATE TABLE anchor_head(
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES org(id),        -- the county whose head it is
  day TEXT NOT NULL,                                 -- the portal's day, YYYY-MM-DD
  n INTEGER NOT NULL CHECK (n > 0),                  -- the head's audit row id
  hash TEXT NOT NULL CHECK (length(hash) = 64),      -- its hash, 64 lowercase hex digits
  source TEXT,                                       -- where it was read: the portal's URL, a note
  recorded_at TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorder_org_id INTEGER REFERENCES org(id)         -- the recording account's org; NULL: the console
);
CREATE UNIQUE INDEX anchor_head_once ON anchor_head(org_id, day, n, hash);
CREATE TRIGGER anchor_head_no_update BEFORE UPDATE ON anchor_head
BEGIN SELECT RAISE(ABORT, '已登记的锚点不能修改'); END;
CREATE TRIGGER anchor_head_no_delete BEFORE DELETE ON anchor_head
BEGIN SELECT RAISE(ABORT, '已登记的锚点不能删除'); END;
