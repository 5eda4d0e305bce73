/* dir_summary.h - the size of the directories an account sees, for the home page's count cards:
 * rows of the account's org and of every org below it (scope.h). Read-only. */
#ifndef SPOTCHECK_DIR_SUMMARY_H
#define SPOTCHECK_DIR_SUMMARY_H

#include "../db/db.h"

#include <jansson.h>
#include <stdint.h>

typedef struct DirSummary {
    int64_t items;                                        /* 启用 check items */
    int64_t institutions, pharmacies, employers, insured; /* targets by kind */
    int64_t officers_on_duty;                             /* 在岗 officers */
    int64_t certs_expired; /* officers whose certificate ended before today */
    int64_t experts;       /* experts and third-party bodies */
} DirSummary;

/* The counts of org_id's scope on `today` ("YYYY-MM-DD"). A count that cannot be read is 0. */
void dir_summary(Db *db, int64_t org_id, const char *today, DirSummary *out);

/* The targets other than insured persons in org_id's scope by credit grade, in grade order:
 * [{grade, count}]. Caller owns the array (empty on a database error). */
json_t *dir_summary_grades(Db *db, int64_t org_id);

/* The kept counts (target_count, sql/058) computed again from the whole target table: a bulk
 * import pauses the triggers that keep them (db_triggers_pause, prefix DIR_COUNT_TRIGGERS) and
 * calls this once inside its transaction. DB_OK or DB_ERR. */
#define DIR_COUNT_TRIGGERS "target_count_"
int dir_counts_rebuild(Db *db);

#endif
