/* demo.h - the synthetic demo county loaded by `spotcheck init --demo`. */
#ifndef SPOTCHECK_DEMO_H
#define SPOTCHECK_DEMO_H

#include "../db/db.h"

#define DEMO_PASSWORD "spotcheck-demo"

typedef struct DemoSummary {
    long orgs, depts, tags, items, targets, officers, experts, users;
    long plans, tasks, records, followups, followups_closed; /* the year so far (demo_year.c) */
} DemoSummary;

/* Loads the demo data in one transaction: the directories through the same validation as an
 * import, then the county's year so far (a published plan, tasks in every state, a draw, records
 * and follow-ups) through the units of work with their audit rows, dated back from the clock's
 * today (demo_year.c). Refuses a database that already has targets. Returns DB_OK or DB_ERR with
 * *err; on DB_ERR nothing is written. The directories are the same every time (a fixed-seed
 * generator), except the pseudonym key of the database and certificate dates counted from this
 * year; the draw's outcome depends on the freeze's time. Not thread-safe: it moves the process's
 * clock (clock_travel) while it runs. */
int demo_load(Db *db, DemoSummary *sum, char **err);

#endif
