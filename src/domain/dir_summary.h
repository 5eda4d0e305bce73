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

/* The kept counts (target_count, sql/058) computed again from the whole target table. DB_OK or
 * DB_ERR. */
#define DIR_COUNT_TRIGGERS "target_count_"
int dir_counts_rebuild(Db *db);

/* The counts of the targets a bulk import inserts, tallied as it inserts them: the import pauses
 * the triggers that keep target_count (db_triggers_pause, prefix DIR_COUNT_TRIGGERS) and adds the
 * tally once, inside its transaction (a GROUP BY of the table after the load sorts every row: 1 s
 * for 1M targets, bench/README.md "import"). grade and status are the values inserted (NULL: the
 * column's default, given as dflt_grade / dflt_status by the caller). */
typedef struct DirCounts DirCounts;
DirCounts *dir_counts_new(const char *dflt_grade, const char *dflt_status);
void dir_counts_add(DirCounts *c, int64_t org_id, const char *kind, const char *grade,
                    const char *status);
/* Adds the tally to target_count (rows there already are added to). DB_OK or DB_ERR. */
int dir_counts_add_to(Db *db, const DirCounts *c);
void dir_counts_free(DirCounts *c);

#endif
