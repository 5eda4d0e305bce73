-- 033: search indexes for the directory search (issue 15 item 3). `/d/targets?q=…` compared every
-- row with `name LIKE '%…%'` (0.4–0.5 s at 1M targets, for the page and again for the count).
-- Trigram FTS5 tables over the searched text columns find a fragment of 3 or more characters
-- anywhere in them through the index (db_text_search in src/db builds the query; shorter
-- fragments and the codes are src/domain/dir_query.c's: codes by prefix on their UNIQUE index).
-- External content (the rows stay in target / officer; the index keeps only the trigrams), kept
-- in step by the triggers below, whatever writes the table (forms, imports, the command line).
-- The update trigger runs only when a searched column changed: grade, status or
-- last_checked_on updates leave the index alone.

-- Insured persons (参保人) are not in the target index: their names and addresses are personal
-- data, masked everywhere, and a search by a person's name would tell whether someone is insured
-- here (an existence oracle, issue 17). They are found by the prefix of their pseudonymous code.
-- The index reads its rows through the view below, so a 'rebuild' leaves them out as well; the
-- triggers add and remove only the rows the view holds. (Half the rows of a county are insured
-- persons, so this also halves the index's cost on an import.)
CREATE VIEW target_searchable AS SELECT id, name, address FROM target WHERE kind <> 'insured';
CREATE VIRTUAL TABLE target_search USING fts5(
  name, address, content = 'target_searchable', content_rowid = 'id', tokenize = 'trigram');
INSERT INTO target_search(target_search) VALUES ('rebuild');

CREATE TRIGGER target_search_insert AFTER INSERT ON target WHEN new.kind <> 'insured' BEGIN
  INSERT INTO target_search(rowid, name, address) VALUES (new.id, new.name, new.address);
END;
CREATE TRIGGER target_search_delete AFTER DELETE ON target WHEN old.kind <> 'insured' BEGIN
  INSERT INTO target_search(target_search, rowid, name, address)
  VALUES ('delete', old.id, old.name, old.address);
END;
CREATE TRIGGER target_search_update AFTER UPDATE OF id, name, address, kind ON target
WHEN old.id IS NOT new.id OR old.name IS NOT new.name OR old.address IS NOT new.address
  OR old.kind IS NOT new.kind BEGIN
  INSERT INTO target_search(target_search, rowid, name, address)
  SELECT 'delete', old.id, old.name, old.address WHERE old.kind <> 'insured';
  INSERT INTO target_search(rowid, name, address)
  SELECT new.id, new.name, new.address WHERE new.kind <> 'insured';
END;

CREATE VIRTUAL TABLE officer_search USING fts5(
  name, content = 'officer', content_rowid = 'id', tokenize = 'trigram');
INSERT INTO officer_search(officer_search) VALUES ('rebuild');

CREATE TRIGGER officer_search_insert AFTER INSERT ON officer BEGIN
  INSERT INTO officer_search(rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER officer_search_delete AFTER DELETE ON officer BEGIN
  INSERT INTO officer_search(officer_search, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER officer_search_update AFTER UPDATE OF id, name ON officer
WHEN old.id IS NOT new.id OR old.name IS NOT new.name BEGIN
  INSERT INTO officer_search(officer_search, rowid, name) VALUES ('delete', old.id, old.name);
  INSERT INTO officer_search(rowid, name) VALUES (new.id, new.name);
END;
