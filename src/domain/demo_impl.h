/* demo_impl.h - private to the demo loader (demo.c, demo_year.c). */
#ifndef SPOTCHECK_DEMO_IMPL_H
#define SPOTCHECK_DEMO_IMPL_H

#include "demo.h"

/* The clock's today as a day number (util.h date_days_from_civil): the T the demo counts from. */
int demo_today(void);
/* Moves the clock to day t+off at hm ("HH:MM"), from where it runs on (clock_travel); day
 * receives the date. 0, or -1. clock_travel(NULL) puts the clock back. */
int demo_clock_at(int t, int off, const char *hm, char day[11]);

/* The demo county's year so far (demo_year.c): the plan, tasks in every state, a draw, records
 * and follow-ups, through the units of work as the demo accounts, dated back from today t.
 * Runs inside demo_load's enclosing transaction (db_enclose_begin) after the directories and
 * accounts; adds to *sum; puts the clock back. DB_OK, or DB_ERR with *err naming the step that
 * failed. */
int demo_year_load(Db *db, int t, DemoSummary *sum, char **err);

#endif
