-- 058: the number of targets per (org, kind, grade, status), kept in step with target by triggers
-- (issue 15: the first view after a change). The home page's directory counts and credit grades and
-- the figures' coverage denominator counted the scope's targets each time (a million rows in a
-- province: 0.6-0.8 s for the grade count alone, which reads every non-insured target); they now
-- add up these few rows. Triggers rather than the domain's writers: every path that adds, moves,
-- re-grades or removes a target (imports, the directory form, credit grades, the demo, plain SQL in
-- tests) keeps the counts, in the same transaction as the change. A bulk import pays one upsert
-- per row (about 1.3 CPU s per million rows, bench/README.md). Rows whose n fell to 0 stay.
-- tests/unit/test_target_count.c compares the counts with a full count after a sequence of changes.
CREATE TABLE target_count(
  org_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  grade TEXT NOT NULL,
  status TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (org_id, kind, grade, status)
);
INSERT INTO target_count(org_id, kind, grade, status, n)
  SELECT org_id, kind, grade, status, count(*) FROM target GROUP BY org_id, kind, grade, status;
CREATE TRIGGER target_count_insert AFTER INSERT ON target BEGIN
  INSERT INTO target_count(org_id, kind, grade, status, n)
    VALUES (new.org_id, new.kind, new.grade, new.status, 1)
    ON CONFLICT (org_id, kind, grade, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER target_count_delete AFTER DELETE ON target BEGIN
  UPDATE target_count SET n = n - 1 WHERE org_id = old.org_id AND kind = old.kind
    AND grade = old.grade AND status = old.status;
END;
CREATE TRIGGER target_count_update AFTER UPDATE OF org_id, kind, grade, status ON target
WHEN new.org_id <> old.org_id OR new.kind <> old.kind OR new.grade <> old.grade
  OR new.status <> old.status
BEGIN
  UPDATE target_count SET n = n - 1 WHERE org_id = old.org_id AND kind = old.kind
    AND grade = old.grade AND status = old.status;
  INSERT INTO target_count(org_id, kind, grade, status, n)
    VALUES (new.org_id, new.kind, new.grade, new.status, 1)
    ON CONFLICT (org_id, kind, grade, status) DO UPDATE SET n = n + 1;
END;
