-- 007: reference data loaded from data/*.tsv (result categories, violation categories of the
-- 条例, disposal options, inspection methods, region codes). A bureau updates a file and runs
-- `spotcheck refdata load --dir DIR`; no rebuild. Each set is replaced in one transaction and the
-- replaced rows go into the audit log (before/after), so nothing is overwritten silently.
CREATE TABLE refdata(
  set_name TEXT NOT NULL,        -- file name without .tsv, e.g. result_categories
  code TEXT NOT NULL,            -- first column
  label TEXT NOT NULL,           -- second column
  parent TEXT,                   -- the "parent" column where the file has one
  attrs TEXT NOT NULL,           -- every column of the row as a JSON object
  position INTEGER NOT NULL,     -- row order in the file
  PRIMARY KEY (set_name, code)
);

CREATE TABLE refdata_set(
  set_name TEXT PRIMARY KEY,
  rows INTEGER NOT NULL,
  sha256 TEXT NOT NULL,          -- of the file's bytes
  source TEXT NOT NULL,          -- "embedded" or the file path
  loaded_at TEXT NOT NULL DEFAULT (datetime('now')),
  loaded_by TEXT
);
