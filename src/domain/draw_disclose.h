/* draw_disclose.h - what of a task's draw the public may see, and when (保密要求, docs/DRAW.md §8).
 *
 * A draw is verifiable by anyone holding its frozen files and the public values: so the files are
 * as telling as the result. From the freeze the public sees the commitment (freeze_sha256, file
 * digests, counts per stratum, sources, times); a drawn target and its group become public one by
 * one, once the check of that target is done (its record's checked_on is on or before today) or
 * its result is published (已公示); the full record and the files of every draw of the task (a
 * voided draw's population is the next one's) become public when every valid target of the current
 * draw is. Before that the bureau's staff verify through their own pages. */
#ifndef SPOTCHECK_DRAW_DISCLOSE_H
#define SPOTCHECK_DRAW_DISCLOSE_H

#include "../db/db.h"

#include <jansson.h>

/* The rule as an SQL condition on a draw_target row named `dt`, with one parameter: today. The
 * target is disclosed once its record's check is done by today or its result is published. */
#define DRAW_DISCLOSED_SQL                                                                         \
    "EXISTS (SELECT 1 FROM record r WHERE r.draw_id = dt.draw_id "                                 \
    "AND r.target_code = dt.target_code AND (r.status = '已公示' OR (r.checked_on IS NOT NULL " \
    "AND r.checked_on <> '' AND r.checked_on <= ?)))"

/* The number of *valid targets of task's current drawn draw and how many of them the public
 * may see on `today` (*shown); all are disclosed when valid > 0 and shown == valid (0 for a draw
 * not yet run, or none). Returns 0, or -1 with *err. */
int draw_disclosed_count(Db *db, const char *task, const char *today, int64_t *valid,
                         int64_t *shown, char **err);
/* 1 when target `code` (or the draw's token for it, as the record names an insured person:
 * draw_token.h) is a valid target of task's current drawn draw disclosed on `today`, else 0 (a
 * database error reads as 0: not shown). */
int draw_target_disclosed(Db *db, const char *task, const char *code, const char *today);

/* draw_store_file_text for the public: a file of draw draw_no of task (0: current), only once the
 * whole current draw is disclosed. Returns 0, 1 when absent or still confidential (the Chinese
 * reason in *err), -1 on a database error. */
int draw_public_file_text(Db *db, const char *task, int draw_no, const char *today, int what,
                          char **out, size_t *len, int *draw_no_out, char **err);

#endif
