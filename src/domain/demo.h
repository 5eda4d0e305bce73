/* demo.h - the synthetic demo county loaded by `spotcheck init --demo`. */
#ifndef SPOTCHECK_DEMO_H
#define SPOTCHECK_DEMO_H

#include "../db/db.h"

#define DEMO_PASSWORD "spotcheck-demo"

typedef struct DemoSummary {
    long orgs, depts, tags, items, targets, officers, experts, users;
} DemoSummary;

/* Loads the demo data in one transaction through the same validation as an import. Refuses a
 * database that already has targets. Returns DB_OK or DB_ERR with *err. Deterministic: the
 * same data every time (a fixed-seed generator), except the pseudonym key of the database. */
int demo_load(Db *db, DemoSummary *sum, char **err);

#endif
