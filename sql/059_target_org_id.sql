-- 059: targets by (org, id), for a directory list inside one jurisdiction (issue 18, a county's
-- list in a province). The list reads targets in id order, one page at a time (dir_query.c). A
-- county's staff read every target of the table in id order and kept their county's, so a county
-- whose rows came after the province's other counties walked millions of rows for its first page.
-- A county's list is now `t.org_id = ?`, which this index answers in id order from the county's
-- first row (target_org_kind, (org_id, kind, id), is in id order only for one kind); a city's
-- list starts and ends its walk at the first and last id of its counties, two seeks per county
-- here. One plain index, the same on SQLite (where it is (org_id) followed by the rowid) and on
-- PostgreSQL. tests/unit/test_dir_scope_index.c counts the rows a late county's list reads.
CREATE INDEX target_org_id ON target(org_id, id);
