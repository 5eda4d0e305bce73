/* plan_impl.h - the helpers the files of the plan module share (plan.c, plan_adhoc.c, plan_io.c):
 * field errors, trimmed copies, list cells, text columns, and the 附件2 row. Private to the plan
 * module: nothing outside src/domain/plan*.c includes this header; the module's API is plan.h. */
#ifndef SPOTCHECK_PLAN_IMPL_H
#define SPOTCHECK_PLAN_IMPL_H

#include "../db/db.h"

#include <jansson.h>

/* Sets errors[field] = msg unless errors is NULL or already has a reason for field (the first
 * reason wins). */
void plan_field_err(json_t *errors, const char *field, const char *msg);
/* A trimmed copy of s (NULL counts as ""); the caller frees it. */
char *plan_trimmed(const char *s);
/* A list of codes or names typed in one cell (listcell.h, LIST_NAMES), each kept once: a new
 * JSON array of strings. */
json_t *plan_split_list(const char *text);
/* The strings of array a joined by sep: a new string ("" for an empty array). */
char *plan_join_list(json_t *a, const char *sep);
/* Sets o[key] to the text of column col of st, or to JSON null when the column is NULL. */
void plan_set_text(json_t *o, const char *key, Stmt *st, int col);

#endif
