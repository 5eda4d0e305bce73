/* demo_impl.h - private to the demo loader (demo.c, demo_year.c). */
#ifndef SPOTCHECK_DEMO_IMPL_H
#define SPOTCHECK_DEMO_IMPL_H

#include "demo.h"

/* The demo county's year so far (demo_year.c): the plan, tasks in every state, a draw, records
 * and follow-ups, through the units of work as the demo accounts, dated back from the clock's
 * today. Runs inside demo_load's enclosing transaction (db_enclose_begin) after the directories
 * and accounts; adds to *sum. DB_OK, or DB_ERR with *err naming the step that failed. */
int demo_year_load(Db *db, DemoSummary *sum, char **err);

#endif
