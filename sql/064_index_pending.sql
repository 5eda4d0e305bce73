-- 064: indexes a bulk load builds after its commit (issue 15; db.h, db_index_later). A bulk load
-- into an empty table drops the table's indexes and builds them again after its rows: the UNIQUE
-- ones inside its transaction (they check the constraint), the plain ones, on SQLite, in a second
-- transaction right after the commit, while the first transaction's pages are checkpointed from
-- the WAL into the database on another thread (a 1M-target import: -0.45 s of 5). The load
-- records each such index here inside its own transaction; the second transaction builds it and
-- deletes its row. A crash between the two (or a build that failed) leaves the row, and the next
-- open of the database with migrations (any command, the server's start; before any migration
-- runs, and none runs while a row is left) or the next import builds what is listed. PostgreSQL
-- builds every index before the commit and leaves this table empty.
CREATE TABLE index_pending(
    name TEXT PRIMARY KEY,
    table_name TEXT NOT NULL,
    sql TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
