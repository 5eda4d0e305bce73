/* task_draw.h - the draw of a task as units of work: freeze and run, each one transaction with
 * its rules and its audit row, for the pages, the JSON API and the command line alike (one use
 * case, one owner). The selection itself is draw_store.c over the pure engine (draw.h); the
 * sources of public randomness are draw_source.h.
 *
 * Rules. Freeze: the scheme is 已公开, joint depts confirmed or overdue (task_draw_allowed), no
 * current draw, valid sources of which the earliest external one is at least the gap (setting
 * SPOTCHECK_DRAW_GAP_HOURS, default 24) after now. Run: a frozen draw, every source exists at
 * now, each value fits its source. "Now" is the one clock (clock.h).
 *
 * Results: TASK_OK, TASK_CONFLICT (refused, the Chinese reason in *why), TASK_NOT_FOUND,
 * TASK_ERR (database error in *why). Thread-safety: uses only the Db handed in. */
#ifndef SPOTCHECK_TASK_DRAW_H
#define SPOTCHECK_TASK_DRAW_H

#include "../db/db.h"
#include "actor.h"

#include <jansson.h>
#include <stdint.h>

/* The gap between freeze and the earliest source, in hours (SPOTCHECK_DRAW_GAP_HOURS, 1-8760,
 * default DRAW_GAP_HOURS_DEFAULT). */
int task_draw_gap_hours(void);

/* The command line's actor for task_id: `username` must be an enabled account whose jurisdiction
 * holds the task (TASK_NOT_FOUND / TASK_CONFLICT with *why). Fills *who (username is borrowed) and
 * *role (caller frees) so the caller can apply the role table the routes use. */
int task_draw_account(Db *db, const char *username, int64_t task_id, Actor *who, char **role,
                      char **why);

/* Freezes task_id's draw with the scheme's sources, or with `sources` when not NULL (declared at
 * the freeze because the scheme's have come too close: they are fixed before any value exists
 * all the same). *fsha receives the freeze digest (caller frees). */
int task_draw_freeze(Db *db, const Actor *who, int64_t task_id, const json_t *sources, char **fsha,
                     char **why);

/* Records the dice thrown for the frozen draw (one string per dice source, declared order) before
 * the earliest external source exists; the run must then give the same. *dice receives
 * {values, recorded_at} (caller decrefs). */
int task_draw_dice(Db *db, const Actor *who, int64_t task_id, const json_t *values,
                   const char *observers, json_t **dice, char **why);

/* Runs the frozen draw with one value per declared source (a JSON array of strings), recording
 * the observers present. *summary receives the record's summary (draw_store_run: the record
 * without its lists, with selected_count, group_count, record_sha256; caller decrefs). */
int task_draw_run(Db *db, const Actor *who, int64_t task_id, const json_t *values,
                  const char *observers, json_t **summary, char **why);

/* The reasons a substitution may give (the first word of its reason), in order; NULL-terminated. */
extern const char *const task_substitution_reasons[];

/* A substitution (递补) request after the draw: type "officer" (that member of target's group) or
 * "target", a reason from task_substitution_reasons and a text. Checked (drawn, target valid,
 * officer in its group, no control characters) and recorded as 待审批 with the audit row
 * task.draw.substitute.request; *req_id receives its id. TASK_INVALID names the problem. */
int task_substitute_request(Db *db, const Actor *who, int64_t task_id, const char *type,
                            const char *target, const char *officer, const char *reason_code,
                            const char *reason_text, int64_t *req_id, char **why);

/* The substitution requests of the task's current draw (task code), oldest first; the public
 * view has decided ones only, without the accounts (caller decrefs). */
json_t *task_substitutions_list(Db *db, const char *code, int public_view);

/* The 分管领导 decides request req_id of task_id: approve = 1 applies it to the draw by its rules
 * (the replacement comes from the draw order; *event receives it, caller decrefs) and writes
 * task.draw.substitute; approve = 0 refuses it with an opinion (required). Decided once. */
int task_substitute_decide(Db *db, const Actor *who, int64_t task_id, int64_t req_id, int approve,
                           const char *opinion, json_t **event, char **why);

/* Re-draws allowed per task (SPOTCHECK_MAX_REDRAWS, 0-20, default 1). */
int task_redraw_limit(void);

/* Requests a re-draw of task_id's drawn draw with a reason (TASK_INVALID without one), for the
 * 分管领导 to decide. Refused when nothing was drawn yet, a request is pending, or the task has
 * had task_redraw_limit() re-draws. One transaction with the audit row task.redraw.request. */
int task_redraw_request(Db *db, const Actor *who, int64_t task_id, const char *reason, char **why);

/* Approves the pending request and freezes the new draw with `sources` (new ones, declared with
 * the approval: TASK_INVALID without them), the approver being the acting account (display
 * name and user name). The earlier draw is voided, the request decided, the audit row
 * task.redraw.approve written, all in one transaction. *fsha: the new freeze digest. */
int task_redraw_approve(Db *db, const Actor *who, int64_t task_id, const json_t *sources,
                        char **fsha, char **why);

/* Declares a conflict of interest (回避) between an officer (certificate number) and a target of
 * task_id's jurisdiction, with a reason: only before the task's first freeze (TASK_CONFLICT after;
 * a conflict found later is a substitution). Frozen into the draw's params.conflicts; never
 * changed or removed (sql/023). One transaction with the audit row task.conflict.declare; *id
 * receives the row id. TASK_INVALID names the problem. */
int task_conflict_declare(Db *db, const Actor *who, int64_t task_id, const char *officer,
                          const char *target, const char *reason, int64_t *id, char **why);

/* The declared conflicts of task_id, oldest first: [{id, officer, officer_name, target,
 * target_name, reason, declared_at, declared_by}] (caller decrefs; empty on a database error). */
json_t *task_conflicts_list(Db *db, int64_t task_id);

#endif
