-- 062: the record lists' order as an index (issue 15: /records at 64 clients). /records pages the
-- scope's records newest task first, then newest draw, then record id; finding the page read every
-- record row of the scope for its task, draw and status (30,000 rows for one large draw, 25 ms of
-- CPU a view) and sorted them. With the order and the filtered columns in one index the page is a
-- walk of the index's first entries (the draw's id stands for its number: a re-draw is a later row).
-- A city's or a province's scope: the list's order first, the org kept while walking.
CREATE INDEX record_list ON record(task_id DESC, draw_id DESC, id, org_id, status);
-- A county's own records (its scope is itself): the org first, then the list's order.
CREATE INDEX record_list_org ON record(org_id, task_id DESC, draw_id DESC, id, status);
