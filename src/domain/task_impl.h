/* task_impl.h - the helpers the files of the task module share (task.c, task_scheme.c,
 * task_joint.c): error texts, field errors, trimmed copies, list cells, lookups, and the parts of
 * task_json each file owns. Private to the task module: nothing outside src/domain/task*.c
 * includes this header; the module's API is task.h. */
#ifndef SPOTCHECK_TASK_IMPL_H
#define SPOTCHECK_TASK_IMPL_H

#include "task.h"

/* Sets *err to "数据库错误: " and the database's message; returns TASK_ERR. */
int task_dberr(Db *db, char **err);
/* Sets errors[field] = msg unless errors is NULL or already has a reason for field. */
void task_field_err(json_t *errors, const char *field, const char *msg);
/* A trimmed copy of s (NULL counts as ""); the caller frees it. */
char *task_trim_dup(const char *s);
/* A list typed in one cell (listcell.h, LIST_NAMES: the same rule as the plan row's): a new JSON
 * array of strings. */
json_t *task_split_list(const char *text);
/* Sets o[key] to v, or to JSON null when v is NULL. */
void task_set_text(json_t *o, const char *key, const char *v);

/* The dept named `name` (name or code), preferring the org's own, then any enabled one; 0 when
 * none. */
int64_t task_dept_by_name(Db *db, int64_t org_id, const char *name);
/* The scheme status of task_id (a new string), NULL when the task has no scheme. */
char *task_scheme_status(Db *db, int64_t task_id);
/* The officers of dept_id, by certificate number: [{name, cert_no, status}] (new array). */
json_t *task_officers_of(Db *db, int64_t dept_id);

/* The confirmation deadline of a joint dept named on named_on, counted on the current calendar so
 * that a provisional date (预计) becomes exact once the notice is loaded; the date stored when the
 * dept was named when the calendar cannot count it. Returns 1 provisional, 0 exact, -1 unknown
 * (out ""). */
int task_joint_due(const Calendar *cal, const char *named_on, const char *stored, char out[11]);
/* Names the depts of `list` (by name or code, task_dept_by_name) as joint depts of task_id on
 * `today`, with their deadline from cal (NULL: unknown); the lead dept is skipped. TASK_CONFLICT
 * with *err when a name is not in the directory; TASK_ERR on a database error. */
int task_add_joints(Db *db, int64_t task_id, int64_t org_id, int64_t lead_id, const char *list,
                    const Calendar *cal, const char *today, char **err);

/* The parts of task_json (task.h) the scheme and the joint files build: the scheme object and
 * the joints array (new references). */
json_t *task_scheme_json(Db *db, int64_t task_id);
json_t *task_joints_json(Db *db, int64_t task_id, const char *today);

#endif
