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

/* The target codes of task's current drawn draw the public may see on `today` (an object code ->
 * true); *all is 1 when every valid target is among them (0 for a draw not yet run, or none).
 * NULL with *err on a database error. */
json_t *draw_disclosed(Db *db, const char *task, const char *today, int *all, char **err);

/* draw_store_get for the public: draw draw_no of task (0: current) with its files, only once the
 * whole current draw is disclosed. Returns 0, 1 when absent or still confidential (the Chinese
 * reason in *err), -1 on a database error. */
int draw_public_get(Db *db, const char *task, int draw_no, const char *today, json_t **doc,
                    char **population, char **officers, char **err);

#endif
