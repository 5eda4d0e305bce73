-- 029: the table of accounts is `account`, no longer `user`, a reserved word in PostgreSQL (issue 14
-- item 8). SQLite's rename carries the foreign keys that name the table (session.user_id), its
-- indexes and any trigger or view along. Column names (user_id) and the audit log's entity name
-- 'user' (data in hash-chained rows) stay as they are.
ALTER TABLE user RENAME TO account;
