#!/usr/bin/env python3
"""Builds the database of the draw pages' benchmark (bench/draw/pages.sh): the web tests' drawn task
(tests/web/fixture_drawn.py: plan, scheme, joint confirmation, freeze, dice, draw, all through
`spotcheck test-http`) over the targets of bench/import/gen.py (1,000,000 by default) and 200 more
officers, drawn at 3 % (about 30,000 groups), every check recorded as done (so the public page
shows every group). Prints the database's path and the task's id.

    SPOTCHECK=build/spotcheck bench/draw/pages_db.py DATA_DIR

DATA_DIR holds gen.py's orgs.csv, tags.csv and targets.csv. Standard library only; takes minutes
(the import and the freeze scan every target)."""
import os
import sys

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(root, "tests", "web"))
os.environ["SPOTCHECK_KEEP_TMP"] = "1"  # the database is the output: keep it after this process
from webtest import import_officers, sql  # noqa: E402
from fixture_drawn import drawn_db, import_generated  # noqa: E402

data = sys.argv[1]


def prepare(db):
    import_generated(db, data)
    import_officers(db, "".join(f"YB{i:04d},执法员{i},130528,D1,2023-01-01,2030-12-31,,130528,"
                                f"{'是' if i % 3 == 0 else '否'},\n" for i in range(100, 300)))


f = drawn_db(ratio="3%", prepare=prepare, region_prefix="1305")
# every check done (the records the staff's list creates, dated today): the public sees every group
f["clients"]["staff"].get("/records")
sql(f["db"], "UPDATE record SET checked_on = ?", (os.environ["SPOTCHECK_TODAY"][:10],))
n = sql(f["db"], "SELECT count(*) FROM draw_target")[0][0]
print(f["db"], f["tid"], n)
