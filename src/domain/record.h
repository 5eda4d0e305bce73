/* record.h - the record form 一企一表: one record per drawn target of a task's current draw,
 * carrying every department's items (the task's items, then each confirmed joint dept's own
 * items), the overall result, violations, photos, videos and the target's signature.
 *
 * Model (sql/008_record.sql). A record moves
 *
 *     待录入 --submit--> 待审核 --(review, result_act.h)--> 审核通过 / 退回 --submit--> 待审核
 *
 * and its contents change only in 待录入 or 退回. Every content save carries the version the
 * editor started from (optimistic lock): a stale version is REC_CONFLICT; the previous contents
 * go to record_version before the change and `version` is bumped. Files are stored on disk under
 * a files directory, named by their SHA-256 (<dir>/ab/<sha256>), and withdrawn by status with a
 * reason, never deleted.
 *
 * Conventions (as task.h): functions that change data run inside the caller's transaction
 * (record_act.h opens it, with the audit row) and never begin one; results REC_OK, REC_INVALID
 * (field errors in `errors`, Chinese), REC_NOT_FOUND, REC_CONFLICT (*err says why), REC_ERR (*err).
 * *err strings are newly allocated. "today" is passed in (YYYY-MM-DD). Thread-safety: no shared
 * state; each call uses the caller's Db. */
#ifndef SPOTCHECK_RECORD_H
#define SPOTCHECK_RECORD_H

#include "../db/db.h"
#include "outcome.h"
#include "calendar.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum {
    REC_OK = SC_OK,
    REC_ERR = SC_ERR,
    REC_INVALID = SC_INVALID,
    REC_NOT_FOUND = SC_NOT_FOUND,
    REC_CONFLICT = SC_CONFLICT
};

/* Working days after the check within which the result is entered (and published). */
#define RECORD_ENTRY_DAYS 20
/* File size limits by kind. */
#define RECORD_PHOTO_MAX (10u << 20)
#define RECORD_VIDEO_MAX (64u << 20)
#define RECORD_SIGNATURE_MAX (1u << 20)

/* ---- pure rules ---- */

/* Amounts: src/core/money.h (money_parse_yuan, money_format_yuan). */

/* The MIME type of the bytes by their magic numbers for a file of `kind` ("photo": JPEG, PNG,
 * WebP; "video": MP4, MOV, WebM; "signature": PNG), or NULL when the bytes are not one of them. */
const char *record_sniff(const char *kind, const unsigned char *p, size_t n);
/* The byte limit of a kind, 0 for an unknown kind. */
size_t record_file_limit(const char *kind);

/* One result category of refdata result_categories. */
typedef struct RecordCat {
    const char *code, *label, *parent;
    int exclusive;
} RecordCat;

/* Checks a list of result codes against the categories and normalizes it in place: unknown
 * codes and an exclusive category combined with any other are errors (*why, newly allocated,
 * Chinese); a parent chosen together with its child is dropped (the child says more);
 * duplicates are dropped. *n is updated. Returns 0 or -1. */
int record_results_check(const char **codes, size_t *n, const RecordCat *cats, size_t ncats,
                         char **why);

/* What submission needs, as plain data. */
typedef struct RecordSubmitItem {
    const char *name, *methods, *result;
} RecordSubmitItem;
typedef struct RecordSubmitView {
    const char *checked_on, *result_codes;
    const RecordSubmitItem *items;
    size_t nitems;
    int officers; /* officers (not experts) listed on the record */
    const char *signer_name, *refusal_reason;
    int has_signature;
} RecordSubmitView;
/* Adds a Chinese message per missing requirement to `errors` (keys checked_on, result_codes,
 * items, officers, signature). Returns the number of errors. */
int record_submit_check(const RecordSubmitView *v, json_t *errors);

/* The entry deadline: checked_on + RECORD_ENTRY_DAYS working days, or before the check (NULL
 * or "") the last day of month_to ("YYYY-MM") + RECORD_ENTRY_DAYS. Writes the deadline (or "")
 * and the state shown ("剩余N个工作日", "今日到期", "已逾期N个工作日", "期限未知"; "预计剩余…",
 * "预计今日到期", "预计逾期…" for a provisional deadline) and sets *overdue. Returns CAL_OK,
 * CAL_PROVISIONAL (counted over a year without the State Council notice), CAL_UNKNOWN or
 * CAL_INVALID (state "期限未知" for both). */
int record_deadline(const Calendar *cal, const char *checked_on, const char *month_to,
                    const char *today, char deadline[11], char state[64], int *overdue);

/* The task's period 抽查时间 as days: first = the first day of month_from, last = the last day of
 * month_to (both "YYYY-MM"). 0, or -1 (first and last "") when either month is not valid. A check
 * date outside it needs a reason (超期说明, record_check.c). */
int record_period(const char *month_from, const char *month_to, char first[11], char last[11]);

/* ---- storage ---- */

/* Creates the missing records of task_id's current drawn draw: one per valid drawn target, with
 * the items of every dept. Idempotent; records of an earlier (已作废) draw stay. *created (may be
 * NULL) receives the number created. REC_NOT_FOUND when the task does not exist; REC_OK with
 * nothing done when the task has no drawn draw. */
int record_sync_task(Db *db, int64_t task_id, int *created, char **err);

/* The views of a record: the stored contents (record_snapshot_text), the record form's view
 * (record_json), the review pages' view (result_record_json, result.h). */
enum { RECORD_VIEW_STORED, RECORD_VIEW_FORM, RECORD_VIEW_REVIEW, RECORD_VIEWS };
/* The one reader of a record's columns: record id's row (with its task, org and target) and its
 * lists (items, active violations, files, versions, events), each column under the key `view`
 * gives it; a list is there when the view shows any of its columns. Columns a view's layer needs
 * but does not show have keys beginning with '_': the layer removes them with
 * record_view_strip. NULL when absent or for an unknown view. New reference. */
json_t *record_view_read(Db *db, int64_t id, int view);
/* Sets period_first / period_last (the task's 抽查时间 as days, record_period) on a form or review
 * view read with its _month_from / _month_to; nothing when the months are not valid. */
void record_view_period(json_t *o);
/* Removes the keys beginning with '_' from o and from the objects of its arrays. */
void record_view_strip(json_t *o);

/* Everything about a record as JSON (new reference), or NULL when absent: id, task_id, task_code,
 * task_name, org_id, draw_id, target_code, target_name (insured persons: code only), status,
 * version, checked_from, checked_on, dates_reason (超期说明 or null), period_first, period_last
 * (the task's 抽查时间), result_codes [..], results [{code, label}], remarks, notes,
 * officers [..], members [{cert_no, name, role, officer, present}], signer_name, refusal_reason,
 * signature_file_id, fraud_purpose, police_transfer, deadline, deadline_state, overdue,
 * items [{position, dept_name, item_code, item_name, methods [..], result [..], notes}],
 * violations [{id, item_position, category, category_label, amount, amount_cents, description}],
 * files [{id, kind, mime, size, sha256, original_name, status, status_reason, uploaded_at,
 * uploaded_by}], versions [{version, changed_at, changed_by}], events [..], submitted_at,
 * review_opinion. cal may be NULL (deadline unknown). */
json_t *record_json(Db *db, int64_t id, const Calendar *cal, const char *today);

/* The stored contents of record id (fields, items, active violations, org_id as text) as
 * compact JSON for the audit log and record_version; new string or NULL when absent. */
char *record_snapshot_text(Db *db, int64_t id);

/* Saves the contents of record id from `in` (a JSON object as the form or the API sends it):
 * checked_from, checked_on, result_codes [..] or "a,b", remarks, notes, officers [..],
 * fraud_purpose, police_transfer (true/false or "1"), signer_name, refusal_reason,
 * items [{position, methods [..], result [..], notes}], violations [{id?, item_position?,
 * category, amount (yuan text), description}] (the active violations not listed are withdrawn).
 * Absent keys keep their value. `version` is the version the editor started from. */
int record_save(Db *db, int64_t id, const json_t *in, int64_t version, const char *today,
                const char *actor, json_t *errors, char **err);

/* Submits record id (待录入/退回 → 待审核) with a record_event row dated today. REC_INVALID
 * with the missing requirements in `errors`. */
int record_submit(Db *db, int64_t id, const char *today, const char *actor, json_t *errors,
                  char **err);

/* The default files directory for a database at db_path: "<dir of db_path>/files", or "files" in
 * the working directory for a PostgreSQL URL (serve: SPOTCHECK_FILES overrides). New string. */
char *record_files_dir(const char *db_path);
/* The files directory a server (every serve process, and the provincial side of `db copy`) uses:
 * SPOTCHECK_FILES when set, else record_files_dir(db_path). New string. */
char *record_files_dir_configured(const char *db_path);
/* The path of a stored file: "<files_dir>/<sha[0..1]>/<sha>". New string. */
char *record_file_path(const char *files_dir, const char *sha256);

/* Copies the stored file `sha256` of `size` bytes from files directory `from_dir` to `to_dir`
 * (`spotcheck db copy`), its bytes checked against its name: REC_OK (also when to_dir has it);
 * REC_NOT_FOUND when from_dir has no such file, REC_INVALID when its size or SHA-256 differs,
 * REC_ERR when it cannot be written; *err (Chinese) says which. *bytes receives the size read. */
int record_file_copy(const char *from_dir, const char *to_dir, const char *sha256, int64_t size,
                     int64_t *bytes, char **err);

/* Stores `len` bytes as a file of `kind` for record id: checks the type by magic bytes and the
 * size, writes the bytes to disk (content-addressed; an existing identical file is kept), then
 * inserts the record_file row. REC_INVALID with the reason in *err for a wrong type or size.
 * *file_id receives the new id. */
int record_file_add(Db *db, int64_t id, const char *files_dir, const char *kind,
                    const unsigned char *data, size_t len, const char *original_name,
                    const char *actor, int64_t *file_id, char **err);
/* Withdraws file fid of record id with a reason (required). A withdrawn signature is unset. */
int record_file_withdraw(Db *db, int64_t id, int64_t fid, const char *reason, const char *actor,
                         char **err);
/* Stores a signature PNG and sets it with the signer's name on record id. */
int record_signature_set(Db *db, int64_t id, const char *files_dir, const unsigned char *png,
                         size_t len, const char *signer_name, const char *actor, int64_t *file_id,
                         char **err);

#endif
