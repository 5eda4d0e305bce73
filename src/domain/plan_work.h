/* plan_work.h - the annual plan's and the ad-hoc tasks' units of work: what the plan pages, the
 * plan API and `spotcheck plan` do to the data, one function per use case, so that they share the
 * rules, the transaction and the audit row.
 *
 * Every function here checks the actor's jurisdiction over the plan or request (scope.h: its own
 * org's data; an upper level only returns a lower level's plan with an opinion; the console, org
 * 0, reaches every org), opens the transaction (uow_begin), applies the rule of plan.h, writes one
 * audit row (uow_audit: action, entity, id, before/after snapshots; the snapshots carry the org
 * as text "org_id") and commits or rolls back (uow_end).
 *
 * Results as plan.h: PLAN_OK, PLAN_INVALID (field errors in `errors` when given), PLAN_NOT_FOUND
 * (also outside the actor's jurisdiction), PLAN_CONFLICT (the state forbids it, or a lower
 * level's plan), PLAN_BUSY (the transaction could not begin) or PLAN_ERR, with the Chinese reason
 * in *err (new string; the caller frees). Thread-safety: no shared state; each call uses the
 * caller's Db, which must not be inside a transaction. */
#ifndef SPOTCHECK_PLAN_WORK_H
#define SPOTCHECK_PLAN_WORK_H

#include "actor.h"
#include "plan.h"

/* A field of the API's JSON as the text a plan field takes: strings as is, arrays of strings
 * joined with sep, integers printed, objects dumped; "" otherwise. New string. */
char *plan_json_text(json_t *v, const char *sep);

/* Creates plan `number` (empty: the next free one) of the actor's org with version 1 in 草稿
 * (plan_create), and, when tasks is a JSON array (the API), its task rows in the API's shape
 * (plan_work_task_add); a task's field errors go to errors under "tasks[i].<field>". Audit row
 * plan.create on the version. *vid receives the new version's id. */
int plan_work_create(Db *db, const Actor *who, int year, const char *number, const char *qualifier,
                     json_t *tasks, int64_t *vid, json_t *errors, char **err);
/* Changes a 草稿 version's qualifier, unit and made_on (plan_update_header) made on `rev` (the
 * optimistic lock, plan_rev_take: PLAN_STALE when the version has moved on); audit plan.update. */
int plan_work_update(Db *db, const Actor *who, int64_t vid, int64_t rev, const char *qualifier,
                     const char *unit, const char *made_on, json_t *errors, char **err);
/* Adds (tid 0) or changes a task row of a 草稿 version (plan_task_save); audit plan.task.create
 * or plan.task.update with the row. A change must name the version's rev it was made on (PLAN_STALE
 * when it has moved on); a new row is checked against rev when one is given. *saved (may be NULL)
 * receives the row's id. */
int plan_work_task_save(Db *db, const Actor *who, int64_t vid, int64_t rev, int64_t tid,
                        const PlanTaskInput *in, int64_t *saved, json_t *errors, char **err);
/* The same for a new row given as a JSON object in the API's shape (keys as PlanTaskInput; items
 * and joint_depts may be arrays of strings, scope an object; "rev" checked when given). */
int plan_work_task_add(Db *db, const Actor *who, int64_t vid, json_t *task, int64_t *tid,
                       json_t *errors, char **err);
/* Replaces task row tid of a 草稿 version with `task` in the API's shape (as plan_work_task_add;
 * absent fields become empty), made on the version's rev task["rev"] (required; PLAN_STALE when
 * it has moved on, PLAN_NOT_FOUND when the row is not the version's); audit plan.task.update.
 * *rev_written receives the rev this change wrote (0 unless PLAN_OK). */
int plan_work_task_put(Db *db, const Actor *who, int64_t vid, int64_t tid, json_t *task,
                       int64_t *rev_written, json_t *errors, char **err);
/* Removes a task row of a 草稿 version made on `rev` (plan_task_remove); audit plan.task.remove. */
int plan_work_task_remove(Db *db, const Actor *who, int64_t vid, int64_t rev, int64_t tid,
                          char **err);
/* Submits, approves, returns (an upper level may: oversight) or publishes a version
 * (plan_transition); audit plan.submit / plan.approve / plan.return / plan.publish. */
int plan_work_transition(Db *db, const Actor *who, int64_t vid, PlanAction a, const char *opinion,
                         char **err);
/* Starts the next version from an approved or published one (plan_revise); audit plan.revise on
 * the new version. *new_id receives it. */
int plan_work_revise(Db *db, const Actor *who, int64_t vid, const char *reason, int64_t *new_id,
                     char **err);
/* Imports a 附件2 table as a new plan of org_id and year (plan_import; nothing is written when a
 * row is wrong); audit plan.import. rep as plan_import. */
int plan_work_import(Db *db, const Actor *who, const char *path, int64_t org_id, int year,
                     int64_t *vid, PlanImportReport *rep, char **err);

/* Requests an ad-hoc task for the actor's org (plan_adhoc_create); audit plan.adhoc.create. */
int plan_work_adhoc_create(Db *db, const Actor *who, const PlanAdhocInput *in, int64_t *id,
                           json_t *errors, char **err);
/* The 分管领导's decision on a request of the actor's org (plan_adhoc_decide); audit
 * plan.adhoc.approve or plan.adhoc.return. */
int plan_work_adhoc_decide(Db *db, const Actor *who, int64_t id, int approve, const char *opinion,
                           char **err);
/* The requester resubmits a returned request (plan_adhoc_resubmit); audit plan.adhoc.resubmit. */
int plan_work_adhoc_resubmit(Db *db, const Actor *who, int64_t id, const char *reason, char **err);

#endif
