-- 063: nothing to change on SQLite. On PostgreSQL (sql/pg/063) a bulk writer pauses the row triggers
-- that keep derived rows for its own transaction by a setting, not by disabling them; SQLite, one
-- writer at a time, keeps dropping them inside the writer's transaction (db_sqlite.c).
SELECT 1;
