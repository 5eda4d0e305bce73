/* task_query.h - the read-only questions the task pages, the JSON API and the public portal ask
 * about tasks, their draws and the people working on them: plain values or JSON for the caller to
 * render. Nothing here changes data or opens a transaction; the jurisdiction is applied where a
 * function takes the actor's org (scope.h).
 *
 * Strings and JSON returned are new (caller frees / decrefs). A database error reads as "absent"
 * (0, NULL or an empty array), as the pages treated it. Thread-safety: uses only the Db handed in.
 */
#ifndef SPOTCHECK_TASK_QUERY_H
#define SPOTCHECK_TASK_QUERY_H

#include "../db/db.h"

#include <jansson.h>
#include <stdint.h>

/* The org of task_id, or 0 when there is no such task. */
int64_t task_org(Db *db, int64_t task_id);
/* The code of task_id, or NULL. */
char *task_code(Db *db, int64_t task_id);
/* The workload preview of a task not yet frozen (issue 16): what a freeze today would give — the
 * targets to draw per stratum (the population built as the freeze builds it, the scheme's ratios
 * and minimums), the officers in the pool, and so the groups each officer would have on average,
 * against the scheme's workload cap: {targets, strata [{stratum, N, n}], officers, group_size,
 * slots, per_officer (text, one decimal), cap, over_cap}. NULL with *why when it cannot be
 * computed. */
json_t *task_draw_preview(Db *db, int64_t task_id, const char *today, char **why);
/* The code of task_id when its scheme is 已公开 (the public portal), or NULL. */
char *task_published_code(Db *db, int64_t task_id);

/* The plan rows that may start in org_id's jurisdiction (its org and below): rows of the newest
 * 已公开 version of each plan without a task yet, by plan number and position:
 * [{id, number, version, task_no, name, kind, ratio}]. */
json_t *task_startable_rows(Db *db, int64_t org_id);
/* The 已批准 ad-hoc tasks without a task yet in org_id's jurisdiction, by code: [{id, code, name}].
 */
json_t *task_startable_adhoc(Db *db, int64_t org_id);

/* ---- the draw's people and targets, for the ceremony page and the 检查通知书 ---- */

/* A drawn target for display: {name, insured, address?}. An insured person shows only as
 * "参保人（以化名编码标识）" and never with an address; the public view has no address at all.
 * {} when the code is unknown. */
json_t *task_target_label(Db *db, const char *code, int public_view);
/* The directory name of target `code` (unmasked: the notice goes to the target), or NULL. */
char *task_target_name(Db *db, const char *code);
/* The name of a group member: the officer with that certificate, else the expert with that code,
 * else the code itself. A JSON string. */
json_t *task_member_name(Db *db, const char *cert);
/* The observers present recorded at the ceremony of draw draw_no of task `code`, or NULL. */
char *task_ceremony_observers(Db *db, const char *code, int64_t draw_no);
/* The number of pending re-draw requests of task_id; *reason (may be NULL) receives the newest
 * one's reason when there is one. */
int64_t task_redraw_pending(Db *db, int64_t task_id, char **reason);

/* ---- joint departments and officers (page_task_people.c) ---- */

/* The dept an account (user id) works for as a joint department, or 0. */
int64_t task_user_dept(Db *db, int64_t user_id);
/* The enabled items of the item list that dept_id carries out, by code: [{code, name}] (a joint
 * department picks its items from them). */
json_t *task_dept_items(Db *db, int64_t dept_id);
/* The name of dept_id, or NULL. */
char *task_dept_name(Db *db, int64_t dept_id);
/* The tasks naming dept_id as a joint dept, newest first: task_json for today, each with `mine`
 * (the dept's own entry of its joints). */
json_t *task_joint_tasks(Db *db, int64_t dept_id, const char *today);
/* How many groups task_officer_groups found: the officer's, and those matching the filter. */
typedef struct TaskGroupCounts {
    int64_t all, matching;
} TaskGroupCounts;
/* A page (limit rows from offset) of the valid groups of current draws that officer `cert` is in,
 * newest task first, in draw order, filtered by the record's state (NULL or "": any) and a text q
 * contained in the target's name or code or the task's name or code (NULL or "": any):
 * [{task_id, code, task_name, target, role, target_name, members [{cert_no, role, name, me,
 * phone? (masked)}], period, method, address? (not for insured persons), record_id?,
 * record_status?, record_open? (the group's record once created; open while 待录入 or 退回)}]. */
json_t *task_officer_groups(Db *db, const char *cert, const char *q, const char *state,
                            int64_t limit, int64_t offset, TaskGroupCounts *counts);

#endif
