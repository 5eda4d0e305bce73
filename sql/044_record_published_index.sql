-- 044: the staff's results list (/results: the records of a status, newest publication first, 50 a
-- page, result_list_json) read every record of the status and sorted them: at 30,000 records of
-- one task a scan of the table per view. With (status, published_at, id) the list walks the index
-- from its end and stops after the page; the other statuses' list (ordered by check date) reads
-- only its status's rows. A bulk write of records (a draw's record creation) adds one b-tree entry
-- per record.
CREATE INDEX record_status_published ON record(status, published_at, id);
