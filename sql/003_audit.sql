-- 003: the audit log (审计日志). See docs/AUDIT.md and src/domain/audit.h.
--
-- One row per state change: who (actor), when (at, UTC), in which org, what (action, entity,
-- entity_id), the state before and after (JSON text or NULL) and the remote address. Rows are
-- hash-chained: hash = SHA-256(prev_hash || "\n" || canonical row), prev_hash is the hash of the
-- row with the previous id (64 zeros for id 1). Rows are written only by audit_append(), which
-- assigns id = last id + 1, so ids are dense from 1.
--
-- Append-only: the triggers below refuse UPDATE and DELETE, so only a deliberate schema change
-- can alter history through SQL; `spotcheck audit verify` detects anything else (a raw edit of
-- the database file, dropped triggers).

CREATE TABLE audit_log(
  id INTEGER PRIMARY KEY,                   -- 1, 2, 3, … without gaps
  at TEXT NOT NULL,                         -- UTC, YYYY-MM-DDTHH:MM:SSZ
  actor TEXT NOT NULL,                      -- username, or 'cli' / 'system'
  org_id INTEGER,                           -- the org whose data changed; NULL for global changes
  action TEXT NOT NULL,                     -- 'target.update', 'officer.status', 'login', …
  entity TEXT,                              -- 'target', 'officer', 'user', …
  entity_id TEXT,                           -- the entity's id or code, as text
  before TEXT,                              -- JSON, NULL when the entity did not exist
  after TEXT,                               -- JSON, NULL when the entity was removed
  remote TEXT,                              -- client address for web requests, NULL from the CLI
  prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
  hash TEXT NOT NULL CHECK (length(hash) = 64)
);
CREATE INDEX audit_log_actor ON audit_log(actor, id);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id, id);
CREATE INDEX audit_log_org ON audit_log(org_id, id);
CREATE INDEX audit_log_at ON audit_log(at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, '审计日志只能追加，不能修改');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, '审计日志只能追加，不能删除');
END;
