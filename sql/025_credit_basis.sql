-- 025: a credit grade change states its basis (评价文号, or the check record that caused it) beside
-- its reason; both are required for every change of target.grade, whichever path makes it (the
-- credit record page, the directory form, the API, an import), and the change is one credit_event
-- 等级调整 written by the directory engine in the same transaction as the new version of the row.
ALTER TABLE credit_event ADD COLUMN basis TEXT;
