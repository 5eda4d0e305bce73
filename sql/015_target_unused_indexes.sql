-- 015: drop the two secondary indexes of `target` that no query uses. The directory search is
-- `name LIKE '%…%'` and the region filter `region LIKE '1305%'` (case-insensitive LIKE, BINARY
-- columns) or `substr(region, …)` in the draw: SQLite can use neither index for them (EXPLAIN
-- QUERY PLAN shows a table scan with and without them). Each cost a sort of every row when a
-- large import rebuilt it (1M targets: target_name 1.3 s, target_region 0.8 s of CPU) and a
-- b-tree insert on every later edit. A future query that needs one adds it back with a new
-- migration.
DROP INDEX IF EXISTS target_name;
DROP INDEX IF EXISTS target_region;
