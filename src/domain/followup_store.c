/* followup_store.c - the stored follow-up and its transfers: snapshots and versions, loading a
 * follow-up, and the row changes of followup_rows.h (open, versioned edit with an optimistic lock,
 * penalty publication, closing, transfers and their feedback) inside the caller's transaction.
 * Penalty decisions are entered into the target's credit record through credit.h. Callers:
 * followup_work.c (the units of work), followup_view.c (fu_row_load). */
#include "../core/clock.h"
#include "followup.h"
#include "followup_impl.h"
#include "followup_rows.h"
#include "jsonkit.h"

#include "../core/money.h"
#include "../core/util.h"
#include "credit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- snapshots and versions ---- */

/* The row of `sql` (one '?' for the id) as a JSON object text with every value as a string. */
static char *row_snapshot(Db *db, const char *sql, int64_t id) {
    return jk_row_text(db, sql, id, JSON_COMPACT | JSON_SORT_KEYS);
}

char *followup_snapshot(Db *db, int64_t id) {
    return row_snapshot(db, "SELECT * FROM followup WHERE id = ?", id);
}

char *followup_transfer_snapshot(Db *db, int64_t tid) {
    return row_snapshot(db, "SELECT * FROM transfer WHERE id = ?", tid);
}

/* Keeps the current row as its version before a change. */
static int keep_version(Db *db, int64_t id, const char *actor, char **err) {
    char *data = followup_snapshot(db, id);
    if (!data) return set_err(err, "处置记录不存在"), FU_NOT_FOUND;
    int rc = db_exec(db,
                     "INSERT INTO followup_version(followup_id, version, data, changed_by, "
                     "changed_at) SELECT id, version, "
                     "?, ?, ? FROM followup WHERE id = ?",
                     "ttti", data, actor, clock_stamp().s, id);
    free(data);
    return rc == DB_OK ? FU_OK : fu_dberr(db, err);
}

int64_t followup_org(Db *db, int64_t id) {
    int64_t org = 0;
    if (db_query_int(db, &org, "SELECT org_id FROM followup WHERE id = ?", "i", id) != DB_OK)
        return 0; /* as absent */
    return org;
}

int64_t followup_transfer_org(Db *db, int64_t tid) {
    int64_t org = 0;
    if (db_query_int(db, &org, "SELECT org_id FROM transfer WHERE id = ?", "i", tid) != DB_OK)
        return 0; /* as absent */
    return org;
}

/* ---- the stored follow-up ---- */

void fu_row_free(FuRow *f) {
    char **s[] = {&f->option,      &f->status,
                  &f->opened_on,   &f->rectify_deadline,
                  &f->recheck_on,  &f->recheck_result,
                  &f->decision_no, &f->decision_on,
                  &f->amount,      &f->penalty_published_on,
                  &f->receiver,    &f->outcome,
                  &f->outcome_on};
    for (size_t i = 0; i < ARRAY_LEN(s); i++) {
        free(*s[i]);
        *s[i] = NULL;
    }
}

static char *dup_col(Stmt *st, int i) {
    return db_col_text(st, i) ? xstrdup(db_col_text(st, i)) : NULL;
}

/* Loads follow-up id: 1 found, 0 absent, -1 error. */
int fu_row_load(Db *db, int64_t id, FuRow *f) {
    memset(f, 0, sizeof *f);
    Stmt *st = db_prepare(
        db,
        "SELECT option, status, opened_on, rectify_deadline, recheck_on, recheck_result, "
        "decision_no, "
        "decision_on, amount_cents, penalty_published_on, receiver, outcome, outcome_on, version "
        "FROM followup WHERE id = ?");
    if (!st) return -1;
    db_bind_int(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        f->option = dup_col(st, 0);
        f->status = dup_col(st, 1);
        f->opened_on = dup_col(st, 2);
        f->rectify_deadline = dup_col(st, 3);
        f->recheck_on = dup_col(st, 4);
        f->recheck_result = dup_col(st, 5);
        f->decision_no = dup_col(st, 6);
        f->decision_on = dup_col(st, 7);
        f->has_amount = !db_col_is_null(st, 8);
        f->amount_cents = db_col_int(st, 8);
        if (f->has_amount) {
            char a[32];
            money_format_yuan(f->amount_cents, a);
            f->amount = xstrdup(a);
        }
        f->penalty_published_on = dup_col(st, 9);
        f->receiver = dup_col(st, 10);
        f->outcome = dup_col(st, 11);
        f->outcome_on = dup_col(st, 12);
        f->version = db_col_int(st, 13);
    }
    db_finalize(st);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

FuState fu_row_state(const FuRow *f) {
    FuState s = {f->rectify_deadline, f->recheck_on,  f->recheck_result,
                 f->decision_no,      f->decision_on, f->amount,
                 f->receiver,         f->outcome,     f->penalty_published_on};
    return s;
}

/* The input over the stored state: a field not given (NULL) keeps its stored value. */
static FuState merged_state(const FuRow *f, const FollowupInput *in) {
    FuState s = fu_row_state(f);
    if (in->rectify_deadline) s.rectify_deadline = in->rectify_deadline;
    if (in->recheck_on) s.recheck_on = in->recheck_on;
    if (in->recheck_result) s.recheck_result = in->recheck_result;
    if (in->decision_no) s.decision_no = in->decision_no;
    if (in->decision_on) s.decision_on = in->decision_on;
    if (in->amount) s.amount = in->amount;
    if (in->receiver) s.receiver = in->receiver;
    if (in->outcome) s.outcome = in->outcome;
    return s;
}

/* Binds the option-dependent columns (rectify_deadline, recheck_on, recheck_result,
 * decision_no, decision_on, amount_cents, receiver) from idx on: NULL where the option does not
 * need the field. Returns the next index. */
static int bind_fields(Stmt *st, int idx, const FuOption *o, const FuState *s) {
    db_bind_text(st, idx++, o->needs_deadline ? fu_nz(s->rectify_deadline) : NULL);
    db_bind_text(st, idx++, o->needs_recheck ? fu_nz(s->recheck_on) : NULL);
    db_bind_text(st, idx++, o->needs_recheck ? fu_nz(s->recheck_result) : NULL);
    db_bind_text(st, idx++, o->needs_decision ? fu_nz(s->decision_no) : NULL);
    db_bind_text(st, idx++, o->needs_decision ? fu_nz(s->decision_on) : NULL);
    int64_t cents;
    if (o->needs_amount && !str_empty(s->amount) && money_parse_yuan(s->amount, &cents) == 0)
        db_bind_int(st, idx++, cents);
    else
        db_bind_null(st, idx++);
    db_bind_text(st, idx++, o->needs_receiver ? fu_nz(s->receiver) : NULL);
    return idx;
}

int fu_open_rows(Db *db, int64_t record_id, const FollowupInput *in, const char *today,
                 const char *actor, int64_t *id_out, json_t *errors, char **err) {
    int64_t org = 0;
    if (db_query_int(db, &org, "SELECT org_id FROM record WHERE id = ?", "i", record_id) != DB_OK)
        return fu_dberr(db, err);
    if (!org) return set_err(err, "检查记录不存在"), FU_NOT_FOUND;
    int hf = followup_record_has_findings(db, record_id);
    if (hf < 0) return fu_dberr(db, err);
    if (!hf) return set_err(err, "只有已公示且发现问题的检查结果才需要后续处置"), FU_CONFLICT;
    FuOption o;
    int found = followup_option_get(db, in->option, &o);
    if (found < 0) return fu_dberr(db, err);
    if (!found) {
        fu_field_err(errors, "option", "请选择处置方式");
        return FU_INVALID;
    }
    FuState s = {in->rectify_deadline, in->recheck_on,  in->recheck_result,
                 in->decision_no,      in->decision_on, in->amount,
                 in->receiver,         in->outcome,     NULL};
    if (followup_validate(&o, &s, NULL, today, errors)) return FU_INVALID;
    Stmt *st = db_prepare(
        db,
        "INSERT INTO followup(record_id, org_id, option, opened_on, rectify_deadline, recheck_on, "
        "recheck_result, decision_no, decision_on, amount_cents, receiver, outcome, outcome_on, "
        "created_by, updated_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return fu_dberr(db, err);
    db_bind_int(st, 1, record_id);
    db_bind_int(st, 2, org);
    db_bind_text(st, 3, o.code);
    db_bind_text(st, 4, today);
    int idx = bind_fields(st, 5, &o, &s);
    db_bind_text(st, idx++, in->outcome ? in->outcome : "");
    db_bind_text(st, idx++, str_empty(in->outcome) ? NULL : today);
    char now[CLOCK_NOW_LEN + 1];
    clock_now(now);
    db_bind_text(st, idx++, actor);
    db_bind_text(st, idx++, actor);
    db_bind_text(st, idx++, now);
    db_bind_text(st, idx, now);
    int rc = db_step(st);
    db_finalize(st);
    if (rc != DB_DONE) return fu_dberr(db, err);
    int64_t id = db_last_id(db);
    if (id_out) *id_out = id;
    if (o.needs_decision && !str_empty(in->decision_no) &&
        credit_record_penalty(db, id, actor, err) != DB_OK)
        return FU_ERR;
    return FU_OK;
}

int fu_update_rows(Db *db, int64_t id, int64_t version, const FollowupInput *in, const char *today,
                   const char *actor, json_t *errors, char **err) {
    FuRow f;
    int found = fu_row_load(db, id, &f);
    if (found < 0) return fu_dberr(db, err);
    if (!found) return set_err(err, "处置记录不存在"), FU_NOT_FOUND;
    int rc = FU_OK;
    FuOption o;
    const char *code = str_empty(in->option) ? f.option : in->option;
    if (str_eq(f.status, "已完结")) {
        rc = (set_err(err, "该处置已完结，不能再修改"), FU_CONFLICT);
    } else if (version != f.version) {
        rc = (set_err(err, "该处置已被他人修改（当前为第 %lld 版），请刷新页面后重新填写",
                      (long long)f.version),
              FU_CONFLICT);
    } else if ((found = followup_option_get(db, code, &o)) <= 0) {
        rc = found < 0 ? fu_dberr(db, err)
                       : (fu_field_err(errors, "option", "请选择处置方式"), FU_INVALID);
    }
    FuState prev = fu_row_state(&f), s = merged_state(&f, in);
    if (rc == FU_OK) {
        int n = followup_validate(&o, &s, &prev, today, errors);
        if (!str_empty(f.penalty_published_on) &&
            (!str_eq(code, f.option) || !str_eq(s.decision_no, f.decision_no) ||
             !str_eq(s.decision_on, f.decision_on)))
            n += fu_field_err(errors, "decision_no",
                              "处罚决定已公示，不能再修改处置方式、决定书文号或决定日期");
        if (n) rc = FU_INVALID;
    }
    int new_decision = rc == FU_OK && o.needs_decision && !str_empty(s.decision_no) &&
                       (!str_eq(s.decision_no, f.decision_no) ||
                        !str_eq(s.decision_on, f.decision_on) || !str_eq(code, f.option));
    if (rc == FU_OK) rc = keep_version(db, id, actor, err);
    if (rc == FU_OK) {
        Stmt *st = db_prepare(
            db, "UPDATE followup SET option = ?, rectify_deadline = ?, recheck_on = ?, "
                "recheck_result = ?, "
                "decision_no = ?, decision_on = ?, amount_cents = ?, receiver = ?, outcome = ?, "
                "outcome_on = CASE WHEN ? = '' THEN NULL WHEN outcome_on IS NULL THEN ? ELSE "
                "outcome_on END, "
                "penalty_published_on = ?, version = version + 1, updated_at = ?, "
                "updated_by = ? WHERE id = ? AND version = ?");
        if (!st)
            rc = fu_dberr(db, err);
        else {
            db_bind_text(st, 1, o.code);
            int idx = bind_fields(st, 2, &o, &s);
            const char *outcome = s.outcome ? s.outcome : "";
            db_bind_text(st, idx++, outcome);
            db_bind_text(st, idx++, outcome);
            db_bind_text(st, idx++, today);
            db_bind_text(st, idx++,
                         o.needs_decision || o.publish_workdays ? f.penalty_published_on : NULL);
            db_bind_text(st, idx++, clock_stamp().s);
            db_bind_text(st, idx++, actor);
            db_bind_int(st, idx++, id);
            db_bind_int(st, idx, version);
            if (db_step(st) != DB_DONE)
                rc = fu_dberr(db, err);
            else if (db_changes(db) != 1)
                rc = (set_err(err, "该处置已被他人修改，请刷新页面后重新填写"), FU_CONFLICT);
            db_finalize(st);
        }
    }
    if (rc == FU_OK && new_decision && credit_record_penalty(db, id, actor, err) != DB_OK)
        rc = FU_ERR;
    fu_row_free(&f);
    return rc;
}

int fu_publish_penalty_rows(Db *db, int64_t id, const char *on, const char *today,
                            const Calendar *cal, const char *actor, int *late, char **err) {
    FuRow f;
    int found = fu_row_load(db, id, &f);
    if (found < 0) return fu_dberr(db, err);
    if (!found) return set_err(err, "处置记录不存在"), FU_NOT_FOUND;
    FuOption o;
    int rc = FU_OK;
    if (str_empty(on)) on = today;
    if (followup_option_get(db, f.option, &o) <= 0)
        rc = (set_err(err, "处置方式“%s”已不在参考数据中", f.option), FU_CONFLICT);
    else if (str_eq(f.status, "已完结"))
        rc = (set_err(err, "该处置已完结"), FU_CONFLICT);
    else if (!o.publish_workdays)
        rc = (set_err(err, "处置方式“%s”无需公示处罚决定", o.label), FU_CONFLICT);
    else if (str_empty(f.decision_no) || str_empty(f.decision_on))
        rc = (set_err(err, "尚未填写处罚决定书文号和决定日期"), FU_CONFLICT);
    else if (!str_empty(f.penalty_published_on))
        rc = (set_err(err, "处罚决定已于 %s 公示", f.penalty_published_on), FU_CONFLICT);
    else if (!date_valid(on))
        rc = (set_err(err, "公示日期不是有效日期"), FU_INVALID);
    else if (strcmp(on, today) > 0)
        rc = (set_err(err, "公示日期不能晚于今天"), FU_INVALID);
    else if (strcmp(on, f.decision_on) < 0)
        rc = (set_err(err, "公示日期不能早于决定日期"), FU_INVALID);
    if (rc == FU_OK) rc = keep_version(db, id, actor, err);
    if (rc == FU_OK &&
        db_exec(db,
                "UPDATE followup SET penalty_published_on = ?, version = version + 1, updated_at = "
                "?, updated_by = ? WHERE id = ? AND penalty_published_on IS NULL AND status <> "
                "'已完结'",
                "ttti", on, clock_stamp().s, actor, id) != DB_OK)
        rc = fu_dberr(db, err);
    else if (rc == FU_OK && db_changes(db) != 1) /* guard: published or closed meanwhile */
        rc = (set_err(err, "该处置已被他人处理，请刷新"), FU_CONFLICT);
    if (rc == FU_OK && late) {
        char due[11];
        *late = followup_publish_due(cal, f.decision_on, o.publish_workdays, due) >= 0
                    ? strcmp(on, due) > 0
                    : -1;
    }
    fu_row_free(&f);
    return rc;
}

/* Counts the transfers of follow-up id and those still waiting for feedback. */
int fu_transfer_counts(Db *db, int64_t id, int *all, int *open) {
    int64_t a = 0, o = 0;
    *all = *open = 0;
    if (db_query_int(db, &a, "SELECT count(*) FROM transfer WHERE followup_id = ?", "i", id) !=
            DB_OK ||
        db_query_int(db, &o,
                     "SELECT count(*) FROM transfer WHERE followup_id = ? AND status = '已移送'",
                     "i", id) != DB_OK)
        return DB_ERR;
    *all = (int)a;
    *open = (int)o;
    return DB_OK;
}

int fu_close_rows(Db *db, int64_t id, const char *today, const char *actor, char **err) {
    FuRow f;
    int found = fu_row_load(db, id, &f);
    if (found < 0) return fu_dberr(db, err);
    if (!found) return set_err(err, "处置记录不存在"), FU_NOT_FOUND;
    FuOption o;
    int rc = FU_OK;
    if (str_eq(f.status, "已完结"))
        rc = (set_err(err, "该处置已完结"), FU_CONFLICT);
    else if (followup_option_get(db, f.option, &o) <= 0)
        rc = (set_err(err, "处置方式“%s”已不在参考数据中", f.option), FU_CONFLICT);
    if (rc == FU_OK) {
        int all, open;
        if (fu_transfer_counts(db, id, &all, &open) != DB_OK) return fu_dberr(db, err);
        json_t *reasons = json_array();
        FuState s = fu_row_state(&f);
        if (followup_close_blockers(&o, &s, all, open, reasons)) {
            Buf b;
            buf_init(&b);
            size_t i;
            json_t *v;
            json_array_foreach(reasons, i, v)
                buf_printf(&b, "%s%s", i ? "；" : "", json_string_value(v));
            rc = (set_err(err, "尚不能完结：%s", b.data), FU_CONFLICT);
            buf_free(&b);
        }
        json_decref(reasons);
    }
    if (rc == FU_OK) rc = keep_version(db, id, actor, err);
    if (rc == FU_OK && db_exec(db,
                               "UPDATE followup SET status = '已完结', closed_on = ?, version = "
                               "version + 1, updated_at = "
                               "?, updated_by = ? WHERE id = ? AND status <> '已完结'",
                               "ttti", today, clock_stamp().s, actor, id) != DB_OK)
        rc = fu_dberr(db, err);
    else if (rc == FU_OK && db_changes(db) != 1) /* guard: closed meanwhile */
        rc = (set_err(err, "该处置已被他人处理，请刷新"), FU_CONFLICT);
    fu_row_free(&f);
    return rc;
}

/* ---- transfers ---- */

int fu_transfer_add_rows(Db *db, int64_t fid, const char *kind, const char *receiver,
                         const char *sent_on, const char *doc_no, const char *summary,
                         const char *today, const char *actor, int64_t *id_out, json_t *errors,
                         char **err) {
    char *status = NULL, *checked_on = NULL;
    if (db_query_text(db, &status, "SELECT status FROM followup WHERE id = ?", "i", fid) != DB_OK)
        return fu_dberr(db, err);
    if (!status) return set_err(err, "处置记录不存在"), FU_NOT_FOUND;
    int closed = str_eq(status, "已完结");
    free(status);
    if (closed) return set_err(err, "该处置已完结，不能再登记移送"), FU_CONFLICT;
    /* a finding cannot be passed on before the check that found it */
    if (db_query_text(db, &checked_on,
                      "SELECT r.checked_on FROM followup f JOIN record r ON r.id = f.record_id "
                      "WHERE f.id = ?",
                      "i", fid) != DB_OK)
        return fu_dberr(db, err);
    int n = 0;
    if (!followup_transfer_kind_ok(kind))
        n += fu_field_err(errors, "kind", "请选择移送类型（转办、移送、移送司法机关或抄告）");
    if (str_empty(receiver)) n += fu_field_err(errors, "receiver", "请填写接收部门或机关");
    if (str_empty(sent_on))
        n += fu_field_err(errors, "sent_on", "请填写移送日期");
    else if (!date_valid(sent_on))
        n += fu_field_err(errors, "sent_on", "移送日期不是有效日期（格式：2025-10-09）");
    else if (strcmp(sent_on, today) > 0)
        n += fu_field_err(errors, "sent_on", "移送日期不能晚于今天");
    else if (checked_on && strcmp(sent_on, checked_on) < 0) {
        char *msg = xasprintf("移送日期不能早于检查日期（%s）", checked_on);
        n += fu_field_err(errors, "sent_on", msg);
        free(msg);
    }
    free(checked_on);
    if (n) return FU_INVALID;
    if (db_exec(db,
                "INSERT INTO transfer(followup_id, org_id, kind, receiver, sent_on, doc_no, "
                "summary, created_by, updated_by, "
                "created_at, updated_at) SELECT id, org_id, ?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?7 "
                "FROM followup WHERE id = ?8",
                "ttttttti", kind, receiver, sent_on, doc_no ? doc_no : "", summary ? summary : "",
                actor, clock_stamp().s, fid) != DB_OK)
        return fu_dberr(db, err);
    if (id_out) *id_out = db_last_id(db);
    return FU_OK;
}

int fu_transfer_feedback_rows(Db *db, int64_t tid, const char *feedback, const char *feedback_on,
                              int done, const char *today, const char *actor, json_t *errors,
                              char **err) {
    Stmt *st = db_prepare(db, "SELECT status, sent_on, feedback FROM transfer WHERE id = ?");
    if (!st) return fu_dberr(db, err);
    db_bind_int(st, 1, tid);
    if (db_step(st) != DB_ROW) {
        db_finalize(st);
        return set_err(err, "移送记录不存在"), FU_NOT_FOUND;
    }
    char *status = dup_col(st, 0), *sent_on = dup_col(st, 1), *old = dup_col(st, 2);
    db_finalize(st);
    int rc = FU_OK, n = 0;
    int keep_old = str_empty(feedback) && done && !str_empty(old);
    if (str_eq(status, "已办结"))
        rc = (set_err(err, "该移送已办结"), FU_CONFLICT);
    else if (!keep_old) {
        if (str_empty(feedback)) n += fu_field_err(errors, "feedback", "请填写反馈情况");
        if (str_empty(feedback_on))
            n += fu_field_err(errors, "feedback_on", "请填写反馈日期");
        else if (!date_valid(feedback_on))
            n += fu_field_err(errors, "feedback_on", "反馈日期不是有效日期（格式：2025-10-20）");
        else if (strcmp(feedback_on, today) > 0)
            n += fu_field_err(errors, "feedback_on", "反馈日期不能晚于今天");
        else if (sent_on && strcmp(feedback_on, sent_on) < 0)
            n += fu_field_err(errors, "feedback_on", "反馈日期不能早于移送日期");
        if (n) rc = FU_INVALID;
    }
    const char *to = done ? "已办结" : "已反馈";
    if (rc == FU_OK && keep_old &&
        db_exec(db,
                "UPDATE transfer SET status = ?, updated_at = ?, updated_by = ? WHERE id = ? AND "
                "status <> '已办结'",
                "ttti", to, clock_stamp().s, actor, tid) != DB_OK)
        rc = fu_dberr(db, err);
    else if (rc == FU_OK && !keep_old &&
             db_exec(
                 db,
                 "UPDATE transfer SET feedback = ?, feedback_on = ?, status = ?, updated_at = ?, "
                 "updated_by = ? WHERE id = ? AND status <> '已办结'",
                 "ttttti", feedback, feedback_on, to, clock_stamp().s, actor, tid) != DB_OK)
        rc = fu_dberr(db, err);
    if (rc == FU_OK && db_changes(db) != 1) /* guard: finished meanwhile */
        rc = (set_err(err, "该移送已被他人处理，请刷新"), FU_CONFLICT);
    free(status);
    free(sent_on);
    free(old);
    return rc;
}
