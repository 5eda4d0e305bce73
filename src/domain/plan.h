/* plan.h - the annual spot-check plan (年度抽查工作计划, seed 000 附件2): plans, their versions and
 * task rows, the approval states, "no check outside the plan", ad-hoc tasks, and import/export
 * in the 附件2 table layout.
 *
 * Model (sql/005_plan.sql). A plan (number 抽查计划编号, unique; org; year) has versions 1, 2, …
 * Each version has a status:
 *
 *     草稿 --submit--> 待审批 --approve--> 已批准 --publish--> 已公开
 *                      待审批 --return (with opinion)--> 草稿
 *
 * Only a 草稿 version can be edited. A change to an approved or published version is a new
 * version (plan_revise: N+1 in 草稿, header and task rows copied); the latest published version
 * stays "in force" (现行) until a newer version is published, and an older published version is
 * then "superseded" (已被新版本替代). Only the latest version of a plan can be approved or
 * published. Nothing is deleted: every version stays readable.
 *
 * Name rule (抽查计划名称 = 年度 + 行政区划 + 部门 + 随机抽查 + 序号, 附件2 备注 1). Org names in
 * the directory already read 行政区划 + 部门 ("邢台市医疗保障局" = 邢台市 + 医疗保障局), so the
 * rule is
 *
 *     "<year>年" + org name + qualifier + "随机抽查" + seq as three digits
 *
 * where qualifier is optional (e.g. "定点医疗机构", or a 科室 name when a 科室 makes the plan) and
 * seq counts the plans of the org in that year from 1. Example: 2025, 邢台市医疗保障局,
 * 定点医疗机构, 1 → "2025年邢台市医疗保障局定点医疗机构随机抽查001". An imported plan keeps the
 * name written in its file; pages show the rule's name beside it when the two differ.
 *
 * Conventions: functions that change data run inside the caller's transaction (db_begin …
 * db_commit), so the change and its audit row commit together; they never begin one themselves.
 * The units of work that pages, the API and the command line call — jurisdiction, transaction,
 * audit row — are plan_work.h; read-only lookups are plan_query.h.
 * Results: PLAN_OK, PLAN_INVALID (field errors in the caller's `errors` object: field → Chinese
 * reason), PLAN_NOT_FOUND, PLAN_CONFLICT (not allowed in the current state; *err says why), or
 * PLAN_ERR (database error in *err). Strings in *err are newly allocated; the caller frees them.
 * Thread-safety: no shared state; each call uses the caller's Db. */
#ifndef SPOTCHECK_PLAN_H
#define SPOTCHECK_PLAN_H

#include "../db/db.h"
#include "outcome.h"
#include "../io/table.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum {
    PLAN_OK = SC_OK,
    PLAN_ERR = SC_ERR,
    PLAN_INVALID = SC_INVALID,
    PLAN_NOT_FOUND = SC_NOT_FOUND,
    PLAN_CONFLICT = SC_CONFLICT,
    PLAN_STALE = SC_STALE /* edited on a rev of the version that has since moved on */,
    PLAN_BUSY = SC_BUSY /* the unit of work could not begin its transaction (plan_work.h) */
};

typedef enum {
    PLAN_SUBMIT = 0,
    PLAN_APPROVE,
    PLAN_RETURN,
    PLAN_PUBLISH,
    PLAN_ACTION_COUNT
} PlanAction;

/* ---- pure rules (no database, no clock) ---- */

/* The status a version in `status` moves to under action a, or NULL when a is not allowed
 * there. */
const char *plan_next_status(const char *status, PlanAction a);
/* Parses an action name ("submit", "approve", "return", "publish"); -1 when unknown. */
int plan_action_parse(const char *name);
const char *plan_action_name(PlanAction a);  /* "submit" … */
const char *plan_action_label(PlanAction a); /* "提交审批" … */

/* Parses 抽查时间 to the month into from/to ("YYYY-MM"). Accepts "2025年3月至10月",
 * "2025年3月至2026年2月", "2025年3-10月", "2025年3月", "2025-03..2025-10", "2025-03至2025-10",
 * "2025.3-2025.10", "2025-03". Rejects text without a month ("2025年", "全年"), days, months
 * outside 1–12, and ranges that end before they start. Returns 0, or -1 with a Chinese reason
 * in *err. */
int plan_parse_month_range(const char *text, char from[8], char to[8], char **err);
/* The range in the seed's words: "2025年3月", "2025年3月至10月", "2025年11月至2026年2月".
 * Returns a new string. */
char *plan_month_range_text(const char *from, const char *to);
/* 抽查类型: "定向"/"定向抽查" → "定向", "不定向"/"不定向抽查"/"非定向" → "不定向"; NULL
 * otherwise. Returns a static string. */
const char *plan_parse_kind(const char *text);
/* 1 when text is an exact decimal percentage in (0, 100]: "10%", "3%", "0.5%", "100%". */
int plan_ratio_valid(const char *text);
/* 1 when a plan number has 1–32 characters of [0-9A-Za-z-]. */
int plan_number_valid(const char *s);
/* The name rule above; returns a new string. */
char *plan_make_name(int year, const char *org_name, const char *qualifier, int seq);
/* The key two 事项 texts are compared by: the text without blanks, punctuation, "的" and
 * "进行". Returns a new string. */
char *plan_item_key(const char *text);
/* Splits a 抽查事项 cell at "；" ";" and line breaks into trimmed, non-empty parts. Returns a
 * JSON array of strings (new reference). */
json_t *plan_split_items(const char *text);
/* Checks a scope filter (抽查对象范围) object: keys kinds [target kind codes], region_prefix
 * (1–6 digits), grades [A–D], tags [tag codes], registered_before (YYYY-MM-DD), complaints_min
 * (integer ≥ 0); nothing else. Returns 0, or -1 with a Chinese reason in *err. */
int plan_scope_check(json_t *scope, char **err);
/* The scope in words, e.g. "行政区划130528内的定点医疗机构（信用风险等级C、D；2024年12月31日前
 * 登记；投诉举报不少于2次）"; an empty filter is "全部检查对象". tag_name(arg, code) may map tag
 * codes to names (NULL or a NULL result keeps the code). Returns a new string. */
char *plan_scope_describe(json_t *scope, const char *(*tag_name)(void *arg, const char *code),
                          void *arg);

/* ---- plans and versions ---- */

/* Creates plan `number` (NULL or "" → the next free "<year>NNN") for org_id and year, with
 * version 1 in 草稿 named by the rule. unit defaults to the org name. Field errors go to
 * `errors` under "number", "year", "qualifier". *version_id receives the new version's id. */
int plan_create(Db *db, int64_t org_id, int year, const char *number, const char *qualifier,
                const char *actor, int64_t *version_id, json_t *errors, char **err);
/* Changes a 草稿 version's qualifier (the name is regenerated), unit and made_on (YYYY-MM-DD or
 * empty). */
int plan_update_header(Db *db, int64_t version_id, const char *qualifier, const char *unit,
                       const char *made_on, const char *actor, json_t *errors, char **err);

/* The optimistic lock of a version (sql/027): moves version_id's rev on, inside the caller's
 * transaction, when it is still `rev` — PLAN_STALE with *err naming the current one otherwise. rev
 * 0: PLAN_INVALID with *err when `required` (an edit must name the rev it was made on), else the
 * rev just moves on (a new row, a state change). */
int plan_rev_take(Db *db, int64_t version_id, int64_t rev, int required, char **err);

/* One task row as text, as typed in a form or read from a file. NULL fields count as empty. */
typedef struct PlanTaskInput {
    const char *task_no;     /* 抽查任务编号, unique within the version */
    const char *name;        /* 抽查任务名称 */
    const char *kind;        /* 抽查类型: 定向 / 不定向 (also 定向抽查 …) */
    const char *ratio;       /* 抽查比例: 10%, 0.5% */
    const char *item_codes;  /* chosen items, ',' list of codes */
    const char *items_text;  /* 事项 text to match against item names (import); parts that match
                                no item are kept and flagged */
    const char *scope_json;  /* filter object (see plan_scope_check), or NULL/"" for none */
    const char *scope_text;  /* the scope in words, as written; may be empty when scope_json
                                is given */
    const char *lead_dept;   /* 发起科室 */
    const char *joint_depts; /* 联合科室, '、' or ',' list */
    const char *period;      /* 抽查时间, see plan_parse_month_range */
    const char *level;       /* 实施检查层级 */
    const char *remark;      /* 备注 */
    const char *frequency;   /* 抽查频次, e.g. 每年1次 (may be empty) */
} PlanTaskInput;

/* Field names used in `errors` for task rows (also the form field names). */
extern const char *const plan_task_fields[];
/* Their Chinese column names, in 附件2 order after the plan columns. */
const char *plan_task_field_label(const char *field);

/* Inserts (task_id 0) or updates a task row of a 草稿 version. Items must be enabled items of
 * the plan's org or an org above it. *task_out (may be NULL) receives the row id; *unmatched
 * (may be NULL) the number of 事项 parts kept as unmatched text. */
int plan_task_save(Db *db, int64_t version_id, int64_t task_id, const PlanTaskInput *in,
                   const char *actor, int64_t *task_out, int *unmatched, json_t *errors,
                   char **err);
/* Removes a task row from a 草稿 version (the draft is not yet a version of record; the audit
 * log keeps the row). */
int plan_task_remove(Db *db, int64_t version_id, int64_t task_id, const char *actor, char **err);

/* Applies action a to a version (see the state diagram). PLAN_RETURN needs a non-empty opinion;
 * PLAN_SUBMIT needs at least one task row; PLAN_APPROVE and PLAN_PUBLISH need the latest
 * version of the plan. */
int plan_transition(Db *db, int64_t version_id, PlanAction a, const char *actor,
                    const char *opinion, char **err);
/* Starts version N+1 in 草稿 from the latest version when that one is 已批准 or 已公开, copying
 * its header and task rows; reason (调整原因) is required. *new_id receives the new version. */
int plan_revise(Db *db, int64_t version_id, const char *reason, const char *actor, int64_t *new_id,
                char **err);

/* Everything about one version as JSON (new reference), or NULL when there is no such version:
 * id, plan_id, number, year, org_id, org_code, org_name, version, status, name, rule_name,
 * qualifier, unit, made_on, change_reason, opinion, created/submitted/approved/published
 * at/by, latest (bool), in_force (bool), superseded (bool: a newer version is published),
 * tasks [{id, position, task_no, name, kind, kind_text (定向抽查), ratio, item_codes, items
 * [{code, name}], unmatched [text], scope_json, scope_words, scope_text, lead_dept,
 * joint_depts, month_from, month_to, period, level, remark}], unmatched_count. */
/* Item codes (',' or '、' list) as [{code, name}] with the names from the item list (the code
 * itself when no item has it). */
json_t *plan_items_named(Db *db, const char *codes);
json_t *plan_version_json(Db *db, int64_t version_id);
/* The versions of a plan, newest first: [{id, version, status, name, change_reason,
 * published_at, approved_at, in_force, superseded, latest}]. */
json_t *plan_versions_json(Db *db, int64_t plan_id);
/* Differences from version `from_id` to `to_id` (JSON, new reference): header [{label, from,
 * to}], added [task_no], removed [task_no], changed [{task_no, changes [{label, from, to}]}],
 * same (bool: nothing differs). NULL when either version is missing. */
json_t *plan_diff_json(Db *db, int64_t from_id, int64_t to_id);

/* Listing filter. scope_org > 0: only plans of that org and the orgs below it. */
typedef struct PlanFilter {
    int64_t scope_org;
    int year;           /* 0: every year */
    const char *status; /* NULL: every status */
    int published_only; /* 1: only published versions (the public portal) */
} PlanFilter;
/* Versions matching f: for internal lists the latest version of each plan; with published_only
 * every published version (newest first within a plan). [{id, plan_id, number, year, org_code,
 * org_name, version, status, name, tasks, in_force, superseded, published_at}]. */
json_t *plan_list_json(Db *db, const PlanFilter *f);

/* ---- no check outside the plan (004 第六条) ---- */

/* 1 when task row task_id may start: its version is published and in force (the latest
 * published version of its plan). 0 otherwise, with the reason in *why (Chinese, new string);
 * -1 on a database error. */
int plan_task_startable(Db *db, int64_t task_id, char **why);

/* An ad-hoc task (临时任务) outside the annual plan. */
typedef struct PlanAdhocInput {
    const char *name;
    const char *source;     /* 投诉举报, 上级交办, 大数据线索, 其他 */
    const char *reason;     /* why it cannot wait for the plan */
    const char *item_codes; /* ',' list */
    const char *scope_text;
    const char *period; /* as plan_parse_month_range */
} PlanAdhocInput;
extern const char *const plan_adhoc_sources[]; /* NULL-terminated */
/* Records a request (status 待审批, code LS<year><NNN>). */
int plan_adhoc_create(Db *db, int64_t org_id, const PlanAdhocInput *in, const char *actor,
                      int64_t *id_out, json_t *errors, char **err);
/* The 分管领导's decision on a 待审批 request: approve (已批准) or return (已退回, opinion
 * required). */
int plan_adhoc_decide(Db *db, int64_t id, int approve, const char *opinion, const char *actor,
                      char **err);
/* The requester resubmits a returned (已退回) request after revising it: back to 待审批 for the
 * 分管领导; a non-empty reason replaces the recorded one; the return opinion stays until the
 * next decision. PLAN_CONFLICT in any other status. */
int plan_adhoc_resubmit(Db *db, int64_t id, const char *reason, const char *actor, char **err);
/* 1 when the ad-hoc task is approved and may start; 0 with *why otherwise; -1 on error. */
int plan_adhoc_startable(Db *db, int64_t id, char **why);
/* Ad-hoc tasks of the orgs under scope_org (0 = all), newest first: [{id, code, org_id,
 * org_name, name, source, reason, items [{code, name}], scope_text, period, status, opinion,
 * requested_at, requested_by, decided_at, decided_by, pending, returned}]. */
json_t *plan_adhoc_list_json(Db *db, int64_t scope_org);

/* ---- import / export in the 附件2 layout ---- */

typedef struct PlanImportReport {
    long rows;      /* task rows read */
    long skipped;   /* rows before/after the table that are not task rows (notes) */
    char *number;   /* the plan's number */
    json_t *errors; /* ["第N行 列名: 原因"] */
    json_t *warnings; /* ["第N行 抽查事项: 「…」未在事项清单中找到，已保留原文并标记"] */
} PlanImportReport;
void plan_import_report_free(PlanImportReport *rep);

/* Reads a 附件2 table (CSV or XLSX) into a new plan of org_id and year: title rows before the
 * header give 单位（盖章） and 制表时间; the header row is found by its cells (抽查计划编号 and
 * 抽查任务编号); every row with a 抽查任务编号 or 抽查任务名称 is a task row; other rows (notes
 * such as "以上为示例，请参照填写") are skipped. The plan's number and name come from the file
 * (the name is kept as written). Runs inside the caller's transaction: on PLAN_INVALID the
 * caller rolls back; rep (zeroed by the caller; errors and warnings may be pre-set arrays) lists
 * row errors and warnings either way. */
int plan_import(Db *db, const char *path, int64_t org_id, int year, const char *actor,
                int64_t *version_id, PlanImportReport *rep, char **err);
/* Writes version_id as a 附件2 table: title, 单位（盖章）, 制表时间, the header row, the task
 * rows and the two notes of 附件2. Importing the file again gives the same rows. */
int plan_export(Db *db, int64_t version_id, const char *path, TableFormat fmt, char **err);

#endif
