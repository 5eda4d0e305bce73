-- Audit rows a county brings along when `spotcheck db copy` moves it between databases (issue 18
-- item 4, docs/AUDIT.md "Moving a county"). They cannot join the destination's chain (its ids and
-- hashes are its own), so they are kept here as they were, hashes included, one group per chain:
--   kind 'chain'   a whole chain from row 1 (a county database copied in): verifiable from 64 zeros
--                  to its head, which the copy's own audit row records;
--   kind 'excerpt' the rows of one county taken out of a province's chain (copy out): each row's
--                  hash verifiable from its own prev_hash, the set by a digest the copy row records.
-- home_org_id is the destination org the rows came with (a later copy out takes them along).
-- Append-only, like audit_log.
CREATE TABLE audit_archive(
  id INTEGER PRIMARY KEY,
  chain TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('chain', 'excerpt')),
  home_org_id INTEGER REFERENCES org(id),
  seq INTEGER NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  org_id INTEGER,
  action TEXT NOT NULL,
  entity TEXT,
  entity_id TEXT,
  before TEXT,
  after TEXT,
  remote TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  digest TEXT,
  UNIQUE (chain, seq)
);
CREATE INDEX audit_archive_home ON audit_archive(home_org_id);
CREATE TRIGGER audit_archive_no_update BEFORE UPDATE ON audit_archive
BEGIN SELECT RAISE(ABORT, '迁入的审计日志只能追加，不能修改'); END;
CREATE TRIGGER audit_archive_no_delete BEFORE DELETE ON audit_archive
BEGIN SELECT RAISE(ABORT, '迁入的审计日志只能追加，不能删除'); END;
