/* result_impl.h - what the files of the result module share (result.c, result_review.c,
 * result_publish.c, result_view.c, result_public.c, result_exchange.c). Private to the result
 * module: nothing outside these files includes it; the module's API is result.h. */
#ifndef SPOTCHECK_RESULT_IMPL_H
#define SPOTCHECK_RESULT_IMPL_H

#include "result.h"

/* The org scope as SQL over column `col`: two '?' bound to the same org id (0 = every org). */
#define RESULT_SCOPE_SQL(col)                                                                      \
    "(? = 0 OR " col " IN (WITH RECURSIVE sc(id) AS (SELECT ? UNION SELECT o.id FROM org o JOIN "  \
    "sc ON o.parent_id = sc.id) SELECT id FROM sc))"

/* Sets *err to the database's error message and returns RESULT_ERR (result_review.c). */
int res_db_fail(Db *db, char **err);
/* Writes a record_event row of record id (opinion "" is NULL), at the clock's now. Returns the
 * db_exec code (result_review.c). */
int res_add_event(Db *db, int64_t id, const char *action, const char *from, const char *to,
                  const char *opinion, const char *today, const char *actor);
/* Appends the label of each code of the ',' list `codes` (the code when unknown) to the array
 * `labels` (result.c). */
void res_labels_append(Db *db, const char *set, const char *codes, json_t *labels);

#endif
