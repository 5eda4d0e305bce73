-- 046 on PostgreSQL: nothing to do. The SQLite migration rebuilds its FTS5 search tables without
-- per-row token counts; here the search is the pg_trgm indexes of the baseline, which keep none.
SELECT 1;
