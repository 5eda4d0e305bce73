-- 045: the work list's "已公示的问题待启动后续处置" (published records with a finding and no
-- follow-up yet, worklist.c) counted the published records of the org through record_status
-- (org_id, status) and read every row for `findings`: 10,000 row reads per view of the home page
-- and /api/v1/todo at 10,000 published results (15-40 ms on the loaded bench machine). With
-- findings in the index the count reads the index only, then probes followup for the rows with a
-- finding. Every query that used (org_id, status) keeps using its prefix.
DROP INDEX IF EXISTS record_status;
CREATE INDEX record_status ON record(org_id, status, findings);
