/* scope.h - jurisdiction (属地管理): which org's data an account reads and which it changes.
 *
 * The one rule: an account reads the data of its own org and of every org below it; it changes only
 * its own org's. An upper level oversees a lower one (reads it, returns its plan with an opinion,
 * writes 督查 notes) but never edits the lower level's plan, task, record or directory. Pages, the
 * API and the command line ask here; SCOPE_SQL puts the read rule into a query. */
#ifndef SPOTCHECK_SCOPE_H
#define SPOTCHECK_SCOPE_H

#include "../db/db.h"

#include <stdint.h>

/* "(<col> IN (the org bound to the one '?' and every org below it))" */
#define SCOPE_SQL(col)                                                                             \
    "(" col " IN (WITH RECURSIVE sc(id) AS (SELECT ? UNION SELECT o.id FROM org o JOIN sc ON "     \
    "o.parent_id = sc.id) SELECT id FROM sc))"

enum {
    SCOPE_WRITE = 0,   /* the actor's own org: read and change */
    SCOPE_READ = 1,    /* an org below the actor's: read (oversee) only */
    SCOPE_OUTSIDE = 2, /* not the actor's org nor below it: as if it did not exist */
};

/* Where org lies for an account of actor_org (SCOPE_OUTSIDE for 0 or unknown orgs or on a database
 * error). */
int scope_of(Db *db, int64_t actor_org, int64_t org);

/* Where org stands among the orgs, for queries that read a county's scope (SCOPE_SQL is then the
 * org alone) otherwise than a wider one: *below the number of orgs directly below it (0: a
 * county), *top 1 when nothing is above it (the province). 0; 1 when there is no such org (*below
 * 0, *top 0); -1 on a database error (*below 1, *top 1: read as the widest scope). */
int scope_org_place(Db *db, int64_t org, int64_t *below, int *top);

/* The id of the org with this 行政区划 code, or 0. */
int64_t scope_org_by_code(Db *db, const char *code);

/* The name of org id (new string), or NULL when there is none. */
char *scope_org_name(Db *db, int64_t id);

#endif
