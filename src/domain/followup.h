/* followup.h - 后续处置: the follow-up of a published result with findings, until it is closed,
 * and the transfer ledger (转办、移送台账).
 *
 * Model (sql/008_record.sql). A record with status 已公示 is a published result; whether it
 * shows findings was decided at publication (record.findings, sql/014; the rule is result.h's). A
 * follow-up is opened on such a record with a disposal option (refdata disposal_options); the
 * option's attributes decide what must be filled, never a list in C:
 *
 *   needs_deadline  rectify_deadline, a date after today when set or changed
 *   needs_recheck   recheck_on and recheck_result, together (required to close)
 *   needs_decision  decision_no and decision_on (not after today)
 *   needs_amount    amount, typed in yuan ("12,345.60") and stored in fen
 *   needs_receiver  receiver; closing needs >= 1 transfer, each with feedback or 已办结
 *   publish_workdays  the decision is published within this many working days of decision_on
 *                     (睢县 二(六)): "publish penalty" records the day, late is allowed and flagged
 *
 * Fields an option does not need are stored as NULL. The outcome (处置结果) is due within
 * FOLLOWUP_OUTCOME_DAYS working days of opened_on (003 五(四)). Closing needs the outcome and the
 * option's conditions (followup_close_blockers). Every change of a follow-up row writes the
 * previous row as JSON into followup_version and bumps version; an edit names the version it
 * was made on (optimistic lock: FU_CONFLICT when it moved on). A record's finding is closed when
 * it has at least one follow-up and all are 已完结.
 *
 * Conventions: each function that changes data is one unit of work (its own transaction and audit
 * row, uow.h; the credit grade too, credit.h); results FU_OK, FU_INVALID (Chinese field errors in
 * `errors`), FU_NOT_FOUND, FU_CONFLICT (*err says why), FU_ERR (database error in *err). *err
 * strings are newly allocated. "today" is passed in (YYYY-MM-DD): no clock here. Deadlines come
 * from calendar.h; beyond the data they are unknown (NULL / "期限未知"), never guessed.
 * Thread-safety: no shared state; each call uses the caller's Db. Callers:
 * src/web/page_followup*.c, tests. */
#ifndef SPOTCHECK_FOLLOWUP_H
#define SPOTCHECK_FOLLOWUP_H

#include "../db/db.h"
#include "outcome.h"
#include "actor.h"
#include "calendar.h"

#include <jansson.h>
#include <stdint.h>

enum {
    FU_OK = SC_OK,
    FU_ERR = SC_ERR,
    FU_INVALID = SC_INVALID,
    FU_NOT_FOUND = SC_NOT_FOUND,
    FU_CONFLICT = SC_CONFLICT
};

/* Working days to enter the follow-up outcome (003 五(四)). */
#define FOLLOWUP_OUTCOME_DAYS 20

/* One disposal option with its attributes from refdata disposal_options. */
typedef struct FuOption {
    char code[64];
    char label[192];
    int needs_deadline, needs_recheck, needs_decision, needs_amount, needs_receiver;
    int publish_workdays; /* 0: no publication requirement */
} FuOption;

/* What a follow-up holds, as text (NULL or "" = not set). The pure rules work on this. */
typedef struct FuState {
    const char *rectify_deadline, *recheck_on, *recheck_result;
    const char *decision_no, *decision_on, *amount; /* amount as typed, in yuan */
    const char *receiver, *outcome, *penalty_published_on;
} FuState;

/* ---- pure rules ---- */

/* Amounts: src/core/money.h (money_parse_yuan, money_format_yuan). */

/* Validates the fields of st for option opt. `prev` is the stored state for an edit (NULL when
 * opening): a rectification deadline must lie after today only when set or changed. Adds
 * Chinese messages to errors under the field names (rectify_deadline, recheck_on,
 * recheck_result, decision_no, decision_on, amount, receiver). Returns the number of errors. */
int followup_validate(const FuOption *opt, const FuState *st, const FuState *prev,
                      const char *today, json_t *errors);

/* Why the follow-up cannot be closed yet: appends a Chinese reason per unmet condition to
 * `reasons` (an array): no outcome; option needs_decision/publish_workdays: decision not
 * published; needs_recheck: no recheck; needs_receiver: no transfer (ntransfers == 0); any
 * transfer still without feedback (nopen > 0). Returns the number of reasons (0: may close). */
int followup_close_blockers(const FuOption *opt, const FuState *st, int ntransfers, int nopen,
                            json_t *reasons);

/* The outcome deadline: FOLLOWUP_OUTCOME_DAYS working days after opened_on. The penalty
 * publication deadline: `workdays` working days after decision_on. CAL_OK with out set,
 * CAL_PROVISIONAL (out set, counted over a year without the State Council notice), or
 * CAL_UNKNOWN / CAL_INVALID. */
int followup_outcome_due(const Calendar *cal, const char *opened_on, char out[11]);
int followup_publish_due(const Calendar *cal, const char *decision_on, int workdays, char out[11]);

/* The schema's transfer kinds (转办, 移送, 移送司法机关, 抄告), NULL-terminated; and 1 when
 * kind is one of them. */
extern const char *const followup_transfer_kinds[];
int followup_transfer_kind_ok(const char *kind);

/* ---- database ---- */

/* Reads option `code` from refdata disposal_options. 1 found, 0 unknown, -1 database error. */
int followup_option_get(Db *db, const char *code, FuOption *out);
/* Every option as [{code, label, needs_deadline, …, publish_workdays}] in file order. */
json_t *followup_options_json(Db *db);

/* 1 when record_id is 已公示 and has findings, 0 when not (or absent), -1 on error. */
int followup_record_has_findings(Db *db, int64_t record_id);
/* 1 when the record's finding is closed: >= 1 follow-up and every one 已完结; else 0 (also when
 * unreadable: for display). */
int followup_record_closed(Db *db, int64_t record_id);
/* The conduct labels (refdata violation_categories "label" column) of the record's valid
 * violations, each category once, joined by sep; with_codes appends "（38(1)）". New string. */
char *followup_violation_labels(Db *db, int64_t record_id, int with_codes, const char *sep);
/* 待处置: published records with findings and no follow-up yet, of the orgs under scope_org
 * (0 = all): [{id, task_id, task_code, task_name, target_code, target_name, target_kind,
 * result_labels, violations, published_on}], oldest publication first. Target names of
 * insured persons are masked. */
json_t *followup_pending_json(Db *db, int64_t scope_org);

/* The fields typed on the open/edit forms (NULL = not given). */
typedef struct FollowupInput {
    const char *option, *rectify_deadline, *recheck_on, *recheck_result, *decision_no, *decision_on,
        *amount, *receiver, *outcome;
} FollowupInput;

/* The changes. Each is one unit of work (uow.h): it checks that the follow-up (or the record it is
 * opened on) belongs to who's own org (FU_NOT_FOUND otherwise: an upper level oversees, it does not
 * act), runs in its own transaction and writes its audit row with the row before and after
 * (followup.open / .update / .publish_penalty / .close, transfer.create / .feedback). */

/* Opens a follow-up on record_id (must be 已公示 with findings: else FU_CONFLICT) for the
 * record's org, opened_on = today. Validates by option (FU_INVALID; errors under "option" for
 * an unknown option). A penalty decision writes its credit event (credit.h). *id_out gets the
 * new id. */
int followup_open(Db *db, const Actor *who, int64_t record_id, const FollowupInput *in,
                  const char *today, int64_t *id_out, json_t *errors, char **err);
/* Edits an open follow-up made on `version` (FU_CONFLICT when it is another or the follow-up is
 * closed). The option may change. outcome_on is set the first day an outcome is entered. A new
 * or changed penalty decision writes a credit event. */
int followup_update(Db *db, const Actor *who, int64_t id, int64_t version, const FollowupInput *in,
                    const char *today, json_t *errors, char **err);
/* Records that the penalty decision was published on `on` (default today; not after today, not
 * before decision_on). FU_CONFLICT when the option has no publication requirement, there is no
 * decision yet, it was already published or the follow-up is closed. *late (may be NULL) is 1
 * when published after the deadline, 0 when in time, -1 when the deadline is unknown; the audit
 * row says it as publish_late. */
int followup_publish_penalty(Db *db, const Actor *who, int64_t id, const char *on,
                             const char *today, const Calendar *cal, int *late, char **err);
/* Closes the follow-up (closed_on = today) when followup_close_blockers finds nothing; else
 * FU_CONFLICT with the reasons joined by '；' in *err. */
int followup_close(Db *db, const Actor *who, int64_t id, const char *today, char **err);

/* Writes a transfer of follow-up fid (open, else FU_CONFLICT): kind (followup_transfer_kinds),
 * receiver, sent_on (not after today) required; doc_no, summary optional. Field errors under
 * kind, receiver, sent_on. *id_out gets the id. */
int followup_transfer_add(Db *db, const Actor *who, int64_t fid, const char *kind,
                          const char *receiver, const char *sent_on, const char *doc_no,
                          const char *summary, const char *today, int64_t *id_out, json_t *errors,
                          char **err);
/* Records feedback on transfer tid: text and date (not after today, not before sent_on)
 * required unless `done` alone closes a transfer that already has feedback; status becomes
 * 已反馈, or 已办结 with done. FU_CONFLICT when already 已办结. *fid_out (may be NULL) gets the
 * transfer's follow-up. */
int followup_transfer_feedback(Db *db, const Actor *who, int64_t tid, const char *feedback,
                               const char *feedback_on, int done, const char *today,
                               int64_t *fid_out, json_t *errors, char **err);
/* The audit row of an export of the transfer ledger (export.transfers: status filter, rows), in
 * its own transaction: FU_OK, or FU_ERR with *err — then nothing may be handed out. */
int followup_transfers_export_audit(Db *db, const Actor *who, const char *status, size_t rows,
                                    char **err);

/* The follow-up as JSON (new reference) or NULL when absent: id, record_id, org_id, org_name,
 * task_id, task_code, task_name, target_id, target_code, target_name (masked for insured),
 * target_kind, option, option_label, status, opened_on, rectify_deadline, recheck_on,
 * recheck_result, decision_no, decision_on, amount_cents, amount (yuan text), penalty_published_on,
 * receiver, outcome, outcome_on, closed_on, version, needs {deadline, recheck, decision, amount,
 * receiver, publish}, clocks {outcome_due, outcome_overdue, outcome_late, rectify_due,
 * rectify_overdue, publish_due, publish_overdue, publish_late} (a due date is null when unknown;
 * *_unknown true then), finding_closed, close_blockers [..], versions [{version, changed_at,
 * changed_by, data, option_label}] (with_history), transfers [{id, kind, receiver, sent_on, doc_no,
 * summary, feedback, feedback_on, status}]. cal may be NULL (every deadline unknown). */
json_t *followup_json(Db *db, int64_t id, const Calendar *cal, const char *today, int with_history);
/* Follow-ups of the orgs under scope_org (0 = all), status "未完结", "已完结" or NULL for both,
 * newest first, each as followup_json without history; `limit` rows from `offset` (limit 0:
 * all). *total (may be NULL) receives how many there are in all. */
json_t *followup_list_json(Db *db, int64_t scope_org, const char *status, const Calendar *cal,
                           const char *today, int limit, int offset, int64_t *total);
/* The transfer ledger of the orgs under scope_org: status filter (NULL or "" = all), oldest
 * first: [{id, followup_id, record_id, target_code, target_name, task_code, kind, receiver,
 * sent_on, doc_no, summary, feedback, feedback_on, status, org_name}]. */
json_t *followup_transfers_json(Db *db, int64_t scope_org, const char *status);
/* The org of a follow-up / transfer (0 when absent or unreadable). */
int64_t followup_org(Db *db, int64_t id);
int64_t followup_transfer_org(Db *db, int64_t tid);
/* The follow-up a transfer belongs to (0 when absent or unreadable). A record's org: record_org. */
int64_t followup_transfer_followup(Db *db, int64_t tid);
/* What the form to open a follow-up shows of record_id (new reference, NULL when absent): id,
 * task_code, task_name, target_code, target_name ("（参保人）" for an insured person). */
json_t *followup_record_brief(Db *db, int64_t record_id);
/* Published penalty decisions (行政处罚决定公示) matching q (decision number, or a unit's name or
 * 统一社会信用代码; an insured person is never matched nor named), newest decision first:
 * [{name, uscc, decision_no, violations, amount, decision_on, org, published_on}], `limit` rows
 * from `offset`; *total gets how many match. */
json_t *followup_public_penalties(Db *db, const char *q, int limit, int64_t offset, int64_t *total);
/* The followup row as JSON text for the audit log (newly allocated, NULL when absent). */
char *followup_snapshot(Db *db, int64_t id);
char *followup_transfer_snapshot(Db *db, int64_t tid);

#endif
