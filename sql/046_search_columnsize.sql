-- 046: the search indexes of sql/033 without per-row token counts (issue 15 item 6: an import of 1M
-- targets within 2× the sqlite3 shell's). FTS5 keeps, by default, the number of tokens of each
-- column of each row in a <table>_docsize table, for ranking (bm25) and the auxiliary functions
-- that need column sizes; the directory search orders by id and uses none of them
-- (db_text_search). Without it (columnsize=0) a bulk load's index build writes no row per
-- indexed target: 1M targets, 500k of them indexed, 2.3 → 1.95 CPU s for the build. Matches are
-- the same: the trigram index itself is unchanged. The triggers of sql/033 stay as they are; the
-- index is built again from the table.
DROP TABLE target_search;
CREATE VIRTUAL TABLE target_search USING fts5(
  name, address, content = 'target_searchable', content_rowid = 'id', tokenize = 'trigram',
  columnsize = 0);
INSERT INTO target_search(target_search) VALUES ('rebuild');

DROP TABLE officer_search;
CREATE VIRTUAL TABLE officer_search USING fts5(
  name, content = 'officer', content_rowid = 'id', tokenize = 'trigram', columnsize = 0);
INSERT INTO officer_search(officer_search) VALUES ('rebuild');
