/* result.h - what happens to a record form (一企一表) after its submission: review by the 分管领导
 * (退回 with an opinion, or 审核通过), publication (公示) of the public record, the target's
 * last_checked_on and credit record, and the exchange export for the credit information system.
 *
 * Model (sql/008_record.sql). A record moves
 *
 *     待审核 --return (opinion required)--> 退回      (the form's module re-submits: 退回 → 待审核)
 *     待审核 --approve--> 审核通过 --publish--> 已公示
 *
 * The reviewer may not be the user who submitted the record (submitted_by). Every transition
 * writes a record_event (action 退回 / 审核通过 / 公示, from, to, opinion, on_day); the unit of
 * work that calls it (result_act.h) writes the audit row in the same transaction.
 *
 * Publication deadline: RESULT_PUBLISH_DAYS working days after checked_on (001 三(五), 003
 * 五(三)); beyond the calendar data the deadline is unknown (期限未知), never guessed. Publishing
 * after the deadline is allowed and recorded: the 公示 event's opinion starts with "逾期公示".
 *
 * The public record (published_json, a snapshot written once at publication):
 *   org_name     检查实施机关 (the record's org)
 *   type         类型: "双随机抽查（不定向）", "双随机抽查（定向、联合抽查）", …
 *   date         日期 (checked_on)
 *   results      结果: labels of the result categories (refdata result_categories), array
 *   result_text  the labels joined with "；"
 *   remarks      备注
 *   target_kind, target_name, target_code, uscc (统一社会信用代码), mi_code (医保编码)
 *   task_code, task_name, published_on, insured (true for an insured person)
 * For an insured person (target kind insured) target_name is "参保人（个人信息不公开）",
 * target_code the pseudonymous draw code, uscc and mi_code null: no name, no ID number, ever.
 * Credit grades are internal and never part of it.
 *
 * Findings: a record "shows findings" when one of its overall result categories is, or lies
 * below, a category whose label begins with "发现问题" (发现问题待后续处理 and its sub-items,
 * 发现问题已责令改正) or is "不配合检查情节严重" (refusing the check is itself a violation,
 * 条例 39(7)). 未发现问题, the "no activity / cannot contact / closed" categories and the register
 * states (注销, 被吊销, 被撤销, 迁出) are not findings of this check. Labels are read from refdata,
 * so a sub-item a bureau adds under 发现问题待后续处理 counts as a finding without a rebuild.
 * Publication of a record with findings writes a credit_event of kind 检查发现.
 *
 * Conventions (as task.h): functions that change data run inside the caller's transaction
 * (result_act.h opens it) and never begin one; results RESULT_OK, RESULT_INVALID,
 * RESULT_NOT_FOUND, RESULT_CONFLICT (*err says why, in Chinese), RESULT_ERR (database error),
 * RESULT_BUSY (result_act.h only). *err strings are newly allocated. "today" is passed in
 * (YYYY-MM-DD). Thread-safety: no shared state. */
#ifndef SPOTCHECK_RESULT_H
#define SPOTCHECK_RESULT_H

#include "../core/util.h"
#include "outcome.h"
#include "../db/db.h"
#include "calendar.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum {
    RESULT_OK = SC_OK,
    RESULT_ERR = SC_ERR,
    RESULT_INVALID = SC_INVALID,
    RESULT_NOT_FOUND = SC_NOT_FOUND,
    RESULT_CONFLICT = SC_CONFLICT,
    RESULT_BUSY = SC_BUSY /* the unit of work could not begin: the database is busy, try again */
};

/* Working days from checked_on to enter, review and publish the result. */
#define RESULT_PUBLISH_DAYS 20

/* ---- pure rules ---- */

/* The status a record in `status` moves to under action "return", "approve" or "publish", or
 * NULL when the action is not allowed from there. */
const char *result_next(const char *status, const char *action);
/* The record_event action name of an action ("退回", "审核通过", "公示"), or NULL. */
const char *result_action_name(const char *action);
/* 1 when `reviewer` may review a record submitted by `submitted_by` (never one's own). */
int result_may_review(const char *reviewer, const char *submitted_by);
/* The publication deadline: the RESULT_PUBLISH_DAYS-th working day after checked_on. CAL_OK with
 * out set, CAL_PROVISIONAL (out set, counted over a year without the State Council notice),
 * CAL_UNKNOWN (beyond the data), CAL_INVALID (no or bad date). */
int result_deadline(const Calendar *cal, const char *checked_on, char out[11]);
/* 1 when `day` is after `deadline` (both YYYY-MM-DD); 0 when not or deadline is NULL/"". */
int result_is_late(const char *deadline, const char *day);
/* 类型 of the public record: "双随机抽查（<kind>）" with "、联合抽查" when joint. New string. */
char *result_type_label(const char *task_kind, int joint);

/* A result category as read from refdata. */
typedef struct ResultCategory {
    const char *code, *label, *parent;
} ResultCategory;
/* 1 when category `code` counts as a finding (see the header comment), walking up the parents. */
int result_category_is_finding(const ResultCategory *cats, size_t n, const char *code);
/* 1 when any code of the ',' list `codes` is a finding. */
int result_codes_have_finding(const ResultCategory *cats, size_t n, const char *codes);

/* What the public record is built from. */
typedef struct ResultPublicInput {
    const char *org_name, *task_kind, *task_code, *task_name, *checked_on, *remarks, *published_on;
    int joint;
    const char *target_kind, *target_name, *target_code, *uscc, *mi_code;
    const char *const *result_labels; /* labels of the overall result categories */
    size_t nresults;
} ResultPublicInput;
/* The public record (see the header comment). New reference. */
json_t *result_public_record(const ResultPublicInput *in);

/* Appends one CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, quotes
 * doubled. NULL is an empty field. */
void result_csv_field(Buf *b, const char *s);
/* The exchange columns, in order. */
extern const char *const result_exchange_headers[8];
/* The exchange file as CSV: UTF-8 BOM, the Chinese header line, one line per row of `rows`
 * (the array result_exchange_rows gives), CRLF line ends. New string. */
char *result_exchange_csv(json_t *rows);

/* ---- database ---- */

/* Reads the result categories of refdata into a new array (*n entries); free with
 * result_categories_free. NULL (with *n 0) when the set is empty. */
ResultCategory *result_categories_load(Db *db, size_t *n);
void result_categories_free(ResultCategory *cats, size_t n);
/* Labels of the ',' list codes, joined with sep; unknown codes stay as they are. New string. */
char *result_labels(Db *db, const char *set, const char *codes, const char *sep);

/* Reviews record `id`: action "return" (opinion required: RESULT_INVALID otherwise) or
 * "approve" (optional opinion kept in the event). RESULT_CONFLICT when the record is not
 * 待审核 or `actor` submitted it. */
int result_review(Db *db, int64_t id, const char *action, const char *actor, const char *opinion,
                  const char *today, char **err);
/* Publishes record `id` (审核通过 → 已公示): writes published_json, the 公示 event (opinion
 * "逾期公示…" when after the deadline), the target's last_checked_on (a new directory version,
 * when it moves forward) and, with findings, a credit_event. cal may be NULL (deadline unknown).
 * *late (may be NULL) gets 1 when published after the deadline. */
int result_publish(Db *db, int64_t id, const Calendar *cal, const char *today, const char *actor,
                   int *late, char **err);
/* Publishes every record of ids, all or none: each problem is added to `problems` as
 * {id, message}; returns RESULT_CONFLICT when there is any (the caller rolls back),
 * RESULT_INVALID when n is 0. *published gets the count. */
int result_publish_batch(Db *db, const int64_t *ids, size_t n, const Calendar *cal,
                         const char *today, const char *actor, json_t *problems, size_t *published);

/* The record for review, read-only: id, status, org_id, org_name, task_id, task_code,
 * task_name, task_kind, target_code, target_kind, target_name (insured: masked), checked_from,
 * checked_on, deadline ("期限未知" when unknown), overdue, result_codes, result_text, remarks,
 * notes, officers [{cert_no, name}], signer_name, refusal_reason, has_signature, fraud_purpose,
 * police_transfer, submitted_at, submitted_by, reviewed_at, reviewed_by, review_opinion,
 * published_at, published_by, late_published, items [{position, dept_name, item_code,
 * item_name, methods_text, result_text, notes}], violations [{category, category_label,
 * amount, description, item_position}] (有效 only), violation_total, files [{kind, mime,
 * size, original_name, status}], events [{action, from, to, opinion, on_day, at, by}].
 * NULL when absent. New reference. */
json_t *result_record_json(Db *db, int64_t id, const Calendar *cal, const char *today);
/* Records of the orgs under scope_org in `status`, with the deadline: [{id, task_code,
 * task_name, target_code, target_name, checked_on, deadline, overdue, days_left,
 * submitted_by, submitted_at, reviewed_at, reviewed_by, published_at, late_published}]; oldest
 * first by checked_on (published: newest first), at most `limit` rows (0 = all). */
json_t *result_list_json(Db *db, int64_t scope_org, const char *status, const Calendar *cal,
                         const char *today, int limit);
/* Exchange rows of records published in [from, to] (publication day; NULL = open) of the orgs
 * under scope_org, insured persons excluded: [{统一社会信用代码, 名称, 检查实施机关, 类型, 日期,
 * 结果, 备注, 任务编号}] in publication order. */
json_t *result_exchange_rows(Db *db, int64_t scope_org, const char *from, const char *to);
/* Public search over published records: name or code contains q (NULL/"" = all), newest
 * first, page 1-based. [{id, ...published_json fields}]; *total the match count. */
json_t *result_public_search(Db *db, const char *q, int page, int per_page, int64_t *total);
/* The public record of published record `id` with its id, or NULL. */
json_t *result_public_get(Db *db, int64_t id);

#endif
