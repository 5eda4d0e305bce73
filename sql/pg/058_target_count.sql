-- 058 on PostgreSQL: sql/058_target_count.sql (the number of targets per org, kind, grade and
-- status, kept by triggers), with the triggers as one plpgsql function. n is an integer so that
-- sum(n) is a bigint, as count(*) is.
CREATE TABLE target_count(
  org_id BIGINT NOT NULL,
  kind TEXT NOT NULL,
  grade TEXT NOT NULL,
  status TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (org_id, kind, grade, status)
);
INSERT INTO target_count(org_id, kind, grade, status, n)
  SELECT org_id, kind, grade, status, count(*) FROM target GROUP BY org_id, kind, grade, status;
CREATE FUNCTION target_count_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE target_count SET n = n - 1 WHERE org_id = OLD.org_id AND kind = OLD.kind
      AND grade = OLD.grade AND status = OLD.status;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO target_count(org_id, kind, grade, status, n)
      VALUES (NEW.org_id, NEW.kind, NEW.grade, NEW.status, 1)
      ON CONFLICT (org_id, kind, grade, status) DO UPDATE SET n = target_count.n + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER target_count_insert AFTER INSERT OR DELETE ON target FOR EACH ROW
EXECUTE FUNCTION target_count_keep();
CREATE TRIGGER target_count_update AFTER UPDATE OF org_id, kind, grade, status ON target
FOR EACH ROW WHEN (NEW.org_id <> OLD.org_id OR NEW.kind <> OLD.kind OR NEW.grade <> OLD.grade
  OR NEW.status <> OLD.status)
EXECUTE FUNCTION target_count_keep();
