/* task.h - carrying out a spot-check task (抽查任务实施): the task started from a plan row or an
 * approved ad-hoc task, its implementation scheme (实施方案) and approval, joint departments
 * (联合抽查) with their 2-working-day confirmation, and the rules that gate the draw.
 *
 * Model (sql/006_task.sql). A task is started only from a task row of a published plan version
 * in force (plan_task_startable) or from an approved ad-hoc task (plan_adhoc_startable): "no
 * check outside the plan" (004 第六条). Its code (<plan number>-<task no>, or the ad-hoc code) is
 * the task code of its draw (draw_store.h). The scheme moves
 *
 *     草稿 --submit--> 待审批 --approve--> 已批准 --publish--> 已公开
 *                      待审批 --return (with opinion)--> 草稿
 *
 * and only a 草稿 scheme can be edited. The draw may be frozen and held only when the scheme is
 * 已公开 (004 第十二条: the scheme is published before the draw) and every joint department has
 * confirmed or let its deadline pass (003 四(一): confirm within 2 working days). Each group of
 * the draw has group_size officers of the lead department's pool (the leader among them) and
 * one officer of each confirmed joint department, drawn from that department's own pool.
 *
 * Conventions (as plan.h): functions that change data run inside the caller's transaction and
 * never begin one (the units of work of task_work.h are that caller for the pages and the API);
 * results TASK_OK, TASK_INVALID (field errors in `errors`), TASK_NOT_FOUND, TASK_CONFLICT (*err
 * says why), TASK_ERR (database error in *err). *err strings are newly allocated; the caller frees
 * them. "today" is always passed in (YYYY-MM-DD): no clock here. Thread-safety: no shared state;
 * each call uses the caller's Db. */
#ifndef SPOTCHECK_TASK_H
#define SPOTCHECK_TASK_H

#include "../db/db.h"
#include "outcome.h"
#include "calendar.h"

#include <jansson.h>
#include <stdint.h>

enum {
    TASK_OK = SC_OK,
    TASK_ERR = SC_ERR,
    TASK_INVALID = SC_INVALID,
    TASK_NOT_FOUND = SC_NOT_FOUND,
    TASK_CONFLICT = SC_CONFLICT,
    TASK_STALE = SC_STALE /* saved on a version that has since changed */,
    TASK_BUSY = SC_BUSY /* a unit of work (task_work.h) could not begin its transaction */
};

/* Working days a joint department has to confirm (003 四(一)). */
#define TASK_JOINT_DAYS 2

/* ---- pure rules ---- */

/* The status a scheme in `status` moves to under action ("submit", "approve", "return",
 * "publish"), or NULL when not allowed. */
const char *task_scheme_next(const char *status, const char *action);
/* The confirmation deadline: the TASK_JOINT_DAYS-th working day after named_on (named_on itself
 * is not counted). Returns CAL_OK with out set, CAL_PROVISIONAL (out set, counted over a year
 * without the State Council notice), or CAL_UNKNOWN (beyond the calendar data) / CAL_INVALID. */
int task_joint_deadline(const Calendar *cal, const char *named_on, char out[11]);
/* The state of one joint department as shown: "已确认", "逾期确认" (confirmed after the
 * deadline), "待确认", "已逾期" (not confirmed, today after the deadline), "待确认（期限未知）"
 * (deadline NULL). Returns a static string. */
const char *task_joint_state(const char *status, const char *deadline, const char *confirmed_on,
                             const char *today);

/* 1 when text is a per-grade ratio of a scheme: an exact percentage as the plan row's ratio
 * (digits, optional '.' and decimals, then '%'; draw_ratio_parse must accept it) between 0% and
 * 100% inclusive (0%: the grade is left to complaints and clues). */
int task_grade_ratio_valid(const char *text);

/* Credit-risk grades of the differentiation (A 低 … D 高), in order, and their labels. */
extern const char *const task_grades[4];
extern const char *const task_grade_labels[4];

/* The declared sources (JSON text of task_scheme.randomness_sources or draw.sources) for pages and
 * the API: each source with its label, index and external (a lottery or drand). New array. */
json_t *task_sources_json(const char *text);

/* An audit snapshot of the task {id, code, org_id, scheme_status, opinion} as JSON text (caller
 * frees), NULL when absent. */
char *task_audit_snapshot(Db *db, int64_t id);

/* Loads the working-day calendar: the holidays set of the refdata table when it has one (loaded
 * by `spotcheck init` and replaced by `spotcheck refdata load holidays --dir DIR` when the State
 * Council publishes a new year), else the data/holidays.tsv built into the binary (db may be
 * NULL), extended after its last year with provisional years from data/lunar.tsv (see
 * calendar_extend_statutory). NULL with *err on error; free with calendar_free. */
Calendar *task_calendar_load(Db *db, char **err);
/* The text of that holiday data (TSV with its header line; the database's set, else the built-in
 * file), NUL-terminated, its length in *len; *in_db tells which. NULL when there is none. */
char *task_holidays_text(Db *db, size_t *len, int *in_db);

/* ---- tasks ---- */

/* Starts a task from plan task row plan_task_id (must be startable) for the plan's org: copies
 * name, kind, ratio, items, scope, months; resolves the lead dept and the joint depts by name
 * or code; joint depts are named on `today` with their deadline from cal (may be NULL: unknown).
 * Creates the scheme in 草稿 with defaults from the row. TASK_CONFLICT when the row is not
 * startable (the reason in *err) or already has a task. *task_id receives the new id. */
int task_start_from_plan(Db *db, int64_t plan_task_id, const Calendar *cal, const char *today,
                         const char *actor, int64_t *task_id, char **err);
/* Starts a task from approved ad-hoc task adhoc_id: ratio (exact percentage) and scope_json (a
 * target filter, see plan_scope_check; NULL or "" for all) are given by the caller since an
 * ad-hoc request has none. */
int task_start_adhoc(Db *db, int64_t adhoc_id, const char *ratio, const char *scope_json,
                     const char *lead_dept, const char *actor, int64_t *task_id, json_t *errors,
                     char **err);

/* The scheme fields, as typed. NULL counts as empty. */
typedef struct TaskSchemeInput {
    const char *purpose, *period, *group_size, *method, *confidentiality, *use_of_results,
        *materials, *contact, *randomness_source;
    const char *observers[4]; /* 律师, 人大代表, 政协委员, 媒体: names, '、' ',' or newline list */
    /* credit-risk differentiation, in task_grades order: ratio (empty = the task's ratio) and
     * minimum (a non-negative integer; empty = none) of each grade */
    const char *grade_ratio[4], *grade_min[4];
    /* the sources of public randomness (draw_source.h): an array, [] for none yet; NULL leaves
     * the saved ones as they are */
    const json_t *randomness_sources;
    /* the workload rules (digits; NULL keeps the saved value, "" is the default): the most groups
     * one officer is given (0 or "" = no cap), how often a target may be drawn in a year (≥ 1, "" =
     * 1), and targets checked within so many months left out (0 or "" = none) */
    const char *workload_cap, *yearly_cap, *checked_within_months;
    /* the structured scope (plan_scope_check's filter object) of a task whose scope the scheme
     * owns (task_scope_set); NULL leaves it */
    json_t *scope;
    /* the version the edit was made on (task_scheme_json "version"); required: another version is
     * TASK_STALE (optimistic lock), none is a field error under "version" */
    int64_t version;
} TaskSchemeInput;
/* Kinds of invited observers (004 第十三条), in the order of TaskSchemeInput.observers. */
extern const char *const task_observer_kinds[4];

/* Saves a 草稿 scheme made on in->version (TASK_STALE with *err naming the current version when it
 * has moved on; the save bumps it). Field errors under version, purpose, period, group_size,
 * method, randomness_source, randomness_sources (draw_sources_check), grade_ratio_A…D
 * (task_grade_ratio_valid) and grade_min_A…D. */
int task_scheme_save(Db *db, int64_t task_id, const TaskSchemeInput *in, const char *actor,
                     json_t *errors, char **err);
/* Applies a scheme action (see task_scheme_next). "return" needs an opinion; "submit" needs the
 * required fields filled. */
int task_scheme_transition(Db *db, int64_t task_id, const char *action, const char *actor,
                           const char *opinion, char **err);

/* A joint department confirms its part with its own items: item_codes (',' list) picked from the
 * item list, each an enabled item of that department (一业一查), and items_text for what the list
 * lacks; at least one of them (TASK_INVALID with *err otherwise). Confirming after the deadline is
 * recorded (state 逾期确认). TASK_CONFLICT when already confirmed or the draw is already frozen.
 * The joints' JSON (task_joints_json) gives item_list [{code, name}] and items_line (names, then
 * the text, joined by "；"). */
int task_joint_confirm(Db *db, int64_t task_id, int64_t dept_id, const char *item_codes,
                       const char *items_text, const char *today, const char *actor, char **err);

/* A task started from a plan row (or ad-hoc task) whose 抽查对象范围 was only words has an empty
 * filter, which would draw every kind of target, 参保人 included: its scheme owns the scope
 * (sql/038). task_scope_missing: 1 (with the Chinese reason in *why) while such a task's filter
 * names no kind of target, 0 otherwise, -1 on error; the scheme cannot be submitted nor the draw
 * frozen meanwhile. task_scope_set: sets that filter (inside the caller's transaction): a field
 * error under "scope" when the plan fixed the scope, the filter is invalid or names no kind;
 * TASK_OK, TASK_INVALID or TASK_ERR. */
int task_scope_missing(Db *db, int64_t task_id, char **why);
int task_scope_set(Db *db, int64_t task_id, json_t *scope, json_t *errors, char **err);
/* 1 when the task's draw may be frozen now, 0 with the Chinese reason in *why, -1 on error. */
int task_draw_allowed(Db *db, int64_t task_id, const char *today, char **why);
/* The draw parameters of the task (docs/DRAW.md §6): ratios {"*": ratio, plus each grade the
 * scheme sets: "A".."D"} (the population's strata are the credit grades), minimum {grade: n}
 * (absent when the scheme sets none), filters from the scope, exclusions {yearly_cap: 1},
 * group_size, officer_depts (lead + confirmed joint depts), joint_depts [{dept, per_group: 1}]
 * (confirmed joint depts, each drawn from its own pool; absent when none) and required_tags (the
 * tags the task's items require, sorted; absent when none). Returns a new object or NULL with *err.
 */
json_t *task_draw_params(Db *db, int64_t task_id, char **err);
/* The union of the required expertise tags (item.required_tags) of the task's items, sorted and
 * unique: a new array, or NULL with *err. */
json_t *task_required_tags(Db *db, int64_t task_id, char **err);
/* Records the observers present at the ceremony of draw draw_no. */
int task_ceremony_record(Db *db, int64_t task_id, int draw_no, const char *observers,
                         const char *actor, char **err);

/* Everything about a task as JSON (new reference) or NULL when absent: id, code, org_id,
 * org_name, name, kind, ratio, items [{code, name}], scope_words, lead_dept, lead_dept_code,
 * months (text), source (text), plan_version_id or adhoc (true), scheme {status, purpose, …,
 * observers {kind: [names]}, observers_list [{kind, names}], opinion, published_at,
 * grade_rules {ratios, minimum}, grades [{grade, label, ratio, minimum, effective}] (effective:
 * the ratio the draw uses), differentiated (bool)}, joints [{dept_id,
 * dept_code, dept_name, named_on, deadline, state, overdue, confirmed_on, items_text,
 * officers [{name, cert_no}]}], officers [{name, cert_no, dept}] (the lead dept's). */
json_t *task_json(Db *db, int64_t task_id, const char *today);
/* Tasks of the orgs under scope_org (0 = all), newest first; with published_only only tasks
 * whose scheme is 已公开: [{id, code, name, org_name, kind, scheme_status, draw_status, joint,
 * published_at, adhoc (kind 临时)}]. */
json_t *task_list_json(Db *db, int64_t scope_org, int published_only);
/* The task id whose code is `code`, or 0. */
int64_t task_id_by_code(Db *db, const char *code);

#endif
