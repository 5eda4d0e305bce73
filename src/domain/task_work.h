/* task_work.h - the task's units of work before the draw, for the pages and the JSON API alike
 * (one use case, one owner): starting a task, saving its implementation scheme and moving it
 * through its states, and a joint department's confirmation. Each applies the rules of task.h,
 * runs in one transaction (uow.h) and writes one audit row on entity "task" with the actor:
 *
 *     task.start                             after: the task's snapshot (task_audit_snapshot)
 *     task.scheme.save, task.scheme.<action> before and after: the snapshot
 *     task.joint.confirm                     after: {confirmed_on, dept_id, items_text, org_id}
 *
 * The draw's units of work are task_draw.h. Results as task.h (the Chinese reason in *why, caller
 * frees), plus TASK_BUSY when the transaction cannot begin ("数据库忙，请稍后重试"). "Today" is the
 * one clock (clock.h). Thread-safety: uses only the Db handed in. */
#ifndef SPOTCHECK_TASK_WORK_H
#define SPOTCHECK_TASK_WORK_H

#include "../db/db.h"
#include "actor.h"
#include "calendar.h"
#include "task.h"

#include <jansson.h>
#include <stdint.h>

/* What a task starts from: a row of a published plan (plan_task > 0), else an approved ad-hoc
 * task, which has no ratio or scope of its own and takes them here (task_start_adhoc). */
typedef struct TaskStartInput {
    int64_t plan_task, adhoc;
    const char *ratio, *scope_json, *lead_dept; /* ad-hoc only */
} TaskStartInput;

/* Starts a task of the actor's own org (the plan row's or ad-hoc task's org must be the actor's:
 * TASK_NOT_FOUND otherwise, as if it did not exist). cal gives the joint depts' deadlines (may
 * be NULL: unknown). *task_id receives the new id; field errors of an ad-hoc start go to errors. */
int task_start(Db *db, const Actor *who, const TaskStartInput *in, const Calendar *cal,
               int64_t *task_id, json_t *errors, char **why);

/* Saves the 草稿 scheme of task_id (task_scheme_save; field errors in errors) made on
 * in->version (TASK_STALE when it has moved on). *written (may be NULL) receives the version this
 * save wrote, 0 unless TASK_OK. The caller has checked that the task is the actor's to change. */
int task_scheme_edit(Db *db, const Actor *who, int64_t task_id, const TaskSchemeInput *in,
                     int64_t *written, json_t *errors, char **why);

/* Applies scheme action "submit", "approve", "return" (with an opinion) or "publish" to task_id
 * (task_scheme_transition); the audit action is "task.scheme.<action>". The caller has checked
 * that the task is the actor's to change. */
int task_scheme_act(Db *db, const Actor *who, int64_t task_id, const char *action,
                    const char *opinion, char **why);

/* Joint dept dept_id (the one the acting account works for; 0: none) confirms its part of
 * task_id with its own items (task_joint_confirm). TASK_NOT_FOUND when the account has no dept,
 * the task does not exist or does not name the dept. The task need not be in the account's
 * jurisdiction: what binds is that its dept was named. */
int task_joint_accept(Db *db, const Actor *who, int64_t task_id, int64_t dept_id,
                      const char *item_codes, const char *items_text, char **why);

#endif
