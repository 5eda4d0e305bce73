/* followup.c - 后续处置 and the transfer ledger: the option rules (driven by refdata
 * disposal_options attributes), opening, versioned edits with an optimistic lock, penalty
 * publication, closing, transfers and their feedback, and the views the pages show. See
 * followup.h for the model and conventions. Callers: src/web/page_followup*.c, unit tests.
 * Penalty decisions are entered into the target's credit record through credit.h. */
#include "../core/clock.h"
#include "followup.h"
#include "followup_rows.h"
#include "deadline.h"
#include "jsonkit.h"

#include "../core/money.h"

#include "../core/util.h"
#include "codes.h"
#include "credit.h"
#include "refdata.h"
#include "result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const followup_transfer_kinds[] = {"转办", "移送", "移送司法机关", "抄告", NULL};

/* The org scope as SQL: two '?' for the same scope org (0 = every org). */
#define SCOPE_SQL(col)                                                                             \
    "(? = 0 OR " col " IN (WITH RECURSIVE sc(id) AS (SELECT ? UNION SELECT o.id FROM org o "     \
    "JOIN sc ON o.parent_id = sc.id) SELECT id FROM sc))"

/* A published record (alias r) with findings: decided once at publication (result.h, the
 * `findings` column of sql/014), so follow-up and the year's figures count the same records. */
#define HAS_FINDINGS_SQL "(r.status = '已公示' AND r.findings = 1)"

static int dberr(Db *db, char **err) {
    set_err(err, "数据库错误: %s", db_errmsg(db));
    return FU_ERR;
}

static int field_err(json_t *errors, const char *field, const char *msg) {
    if (!errors) return 1;
    if (!json_object_get(errors, field)) json_object_set_new(errors, field, json_string(msg));
    return 1;
}

/* NULL for NULL or "" (the database form of an empty field). */
static const char *nz(const char *s) { return str_empty(s) ? NULL : s; }

/* ---- pure rules ---- */

int followup_transfer_kind_ok(const char *kind) {
    for (int i = 0; followup_transfer_kinds[i]; i++)
        if (str_eq(kind, followup_transfer_kinds[i])) return 1;
    return 0;
}

int followup_validate(const FuOption *opt, const FuState *st, const FuState *prev, const char *today,
                      json_t *errors) {
    int n = 0;
    if (opt->needs_deadline) {
        const char *d = st->rectify_deadline;
        if (str_empty(d)) n += field_err(errors, "rectify_deadline", "请填写整改期限");
        else if (!date_valid(d)) n += field_err(errors, "rectify_deadline", "整改期限不是有效日期（格式：2025-10-31）");
        else if ((!prev || !str_eq(prev->rectify_deadline, d)) && strcmp(d, today) <= 0)
            n += field_err(errors, "rectify_deadline", "整改期限应晚于今天");
    }
    if (opt->needs_recheck && (!str_empty(st->recheck_on) || !str_empty(st->recheck_result))) {
        if (str_empty(st->recheck_on)) n += field_err(errors, "recheck_on", "填写复查结果时请同时填写复查日期");
        else if (!date_valid(st->recheck_on)) n += field_err(errors, "recheck_on", "复查日期不是有效日期（格式：2025-10-31）");
        else if (strcmp(st->recheck_on, today) > 0) n += field_err(errors, "recheck_on", "复查日期不能晚于今天");
        if (str_empty(st->recheck_result)) n += field_err(errors, "recheck_result", "请填写复查结果");
    }
    /* A penalty is decided weeks after the follow-up is opened (立案, 调查, 告知, 决定): the decision
     * may be left out until then, and closing needs it (followup_close_blockers). Once any part of
     * it is given, number, date and amount are all required. */
    int deciding = opt->needs_decision && (!str_empty(st->decision_no) || !str_empty(st->decision_on) ||
                                           (opt->needs_amount && !str_empty(st->amount)) ||
                                           (prev && !str_empty(prev->decision_no))); /* never cleared */
    if (deciding) {
        if (str_empty(st->decision_no)) n += field_err(errors, "decision_no", "请填写处罚决定书文号");
        if (str_empty(st->decision_on)) n += field_err(errors, "decision_on", "请填写处罚决定日期");
        else if (!date_valid(st->decision_on)) n += field_err(errors, "decision_on", "决定日期不是有效日期（格式：2025-09-26）");
        else if (strcmp(st->decision_on, today) > 0) n += field_err(errors, "decision_on", "决定日期不能晚于今天");
    }
    if (opt->needs_amount && (deciding || !opt->needs_decision)) {
        int64_t c;
        if (str_empty(st->amount)) n += field_err(errors, "amount", "请填写金额（元）");
        else if (money_parse_yuan(st->amount, &c) != 0)
            n += field_err(errors, "amount", "金额格式不正确，应为以元为单位的数字，如 12,345.60");
    }
    if (opt->needs_receiver && str_empty(st->receiver))
        n += field_err(errors, "receiver", "请填写接收部门或机关");
    return n;
}

static void reason(json_t *reasons, const char *msg) {
    if (reasons) json_array_append_new(reasons, json_string(msg));
}

int followup_close_blockers(const FuOption *opt, const FuState *st, int ntransfers, int nopen,
                            json_t *reasons) {
    int n = 0;
    if (str_empty(st->outcome)) n++, reason(reasons, "尚未填写处置结果");
    if (opt->needs_decision && str_empty(st->decision_no)) n++, reason(reasons, "尚未填写处罚决定");
    if ((opt->needs_decision || opt->publish_workdays > 0) && str_empty(st->penalty_published_on))
        n++, reason(reasons, "处罚决定尚未公示");
    if (opt->needs_recheck && (str_empty(st->recheck_on) || str_empty(st->recheck_result)))
        n++, reason(reasons, "整改情况尚未复查");
    if (opt->needs_receiver && ntransfers == 0) n++, reason(reasons, "尚未登记移送（转办）");
    if (nopen > 0) {
        char *m = xasprintf("还有 %d 件移送（转办）尚未反馈或办结", nopen);
        n++, reason(reasons, m);
        free(m);
    }
    return n;
}

int followup_outcome_due(const Calendar *cal, const char *opened_on, char out[11]) {
    if (!cal) return CAL_UNKNOWN;
    return calendar_add_workdays(cal, opened_on, FOLLOWUP_OUTCOME_DAYS, out);
}

int followup_publish_due(const Calendar *cal, const char *decision_on, int workdays, char out[11]) {
    if (!cal) return CAL_UNKNOWN;
    return calendar_add_workdays(cal, decision_on, workdays, out);
}

/* ---- options ---- */

static int attr_flag(json_t *attrs, const char *name) {
    int v = 0;
    refdata_flag(json_string_value(json_object_get(attrs, name)), &v);
    return v;
}

static void option_from(FuOption *o, const char *code, const char *label, const char *attrs_text) {
    memset(o, 0, sizeof *o);
    snprintf(o->code, sizeof o->code, "%s", code ? code : "");
    snprintf(o->label, sizeof o->label, "%s", label ? label : "");
    json_t *a = json_loads(attrs_text ? attrs_text : "{}", 0, NULL);
    o->needs_deadline = attr_flag(a, "needs_deadline");
    o->needs_recheck = attr_flag(a, "needs_recheck");
    o->needs_decision = attr_flag(a, "needs_decision");
    o->needs_amount = attr_flag(a, "needs_amount");
    o->needs_receiver = attr_flag(a, "needs_receiver");
    const char *pw = json_string_value(json_object_get(a, "publish_workdays"));
    o->publish_workdays = pw && *pw ? atoi(pw) : 0;
    if (o->publish_workdays < 0) o->publish_workdays = 0;
    json_decref(a);
}

int followup_option_get(Db *db, const char *code, FuOption *out) {
    if (str_empty(code)) return 0;
    Stmt *st = db_prepare(db, "SELECT code, label, attrs FROM refdata WHERE set_name = 'disposal_options' AND code = ?");
    if (!st) return -1;
    db_bind_text(st, 1, code);
    int rc = db_step(st);
    if (rc == DB_ROW) option_from(out, db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2));
    db_finalize(st);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

json_t *followup_options_json(Db *db) {
    json_t *a = json_array();
    Stmt *st = db_prepare(db, "SELECT code, label, attrs FROM refdata WHERE set_name = 'disposal_options' ORDER BY position");
    while (st && db_step(st) == DB_ROW) {
        FuOption o;
        option_from(&o, db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2));
        json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:i}", "code", o.code, "label", o.label,
                                           "needs_deadline", o.needs_deadline, "needs_recheck", o.needs_recheck,
                                           "needs_decision", o.needs_decision, "needs_amount", o.needs_amount,
                                           "needs_receiver", o.needs_receiver, "publish_workdays", o.publish_workdays));
    }
    db_finalize(st);
    return a;
}

/* ---- records ---- */

int followup_record_has_findings(Db *db, int64_t record_id) {
    int64_t n = 0;
    if (db_query_int(db, &n, "SELECT count(*) FROM record r WHERE r.id = ? AND " HAS_FINDINGS_SQL, "i", record_id) != DB_OK)
        return -1;
    return n > 0;
}

int followup_record_closed(Db *db, int64_t record_id) {
    int64_t all = 0, open = 0;
    db_query_int(db, &all, "SELECT count(*) FROM followup WHERE record_id = ?", "i", record_id);
    db_query_int(db, &open, "SELECT count(*) FROM followup WHERE record_id = ? AND status <> '已完结'", "i", record_id);
    return all > 0 && open == 0;
}

char *followup_violation_labels(Db *db, int64_t record_id, int with_codes, const char *sep) {
    Buf b;
    buf_init(&b);
    /* the conduct is the "label" column (also refdata.label); attrs keep every column */
    Stmt *st = db_prepare(db, "SELECT v.category, max(c.attrs) FROM record_violation v LEFT JOIN refdata c ON "
                              "c.set_name = 'violation_categories' AND c.code = v.category WHERE v.record_id = ? AND "
                              "v.status = '有效' GROUP BY v.category ORDER BY min(v.id)");
    if (st) {
        db_bind_int(st, 1, record_id);
        while (db_step(st) == DB_ROW) {
            json_t *a = db_col_text(st, 1) ? json_loads(db_col_text(st, 1), 0, NULL) : NULL;
            const char *label = json_string_value(json_object_get(a, "label")), *cat = db_col_text(st, 0);
            if (b.len) buf_puts(&b, sep);
            if (!label) buf_puts(&b, cat);
            else if (with_codes) buf_printf(&b, "%s（%s）", label, cat);
            else buf_puts(&b, label);
            json_decref(a);
        }
        db_finalize(st);
    }
    return buf_steal(&b);
}

/* The name of a target as shown inside the bureau: insured persons masked. New string. */
static char *shown_name(const char *kind, const char *name) {
    if (!name) return xstrdup("");
    return str_eq(kind, "insured") ? mask_person_name(name) : xstrdup(name);
}

json_t *followup_pending_json(Db *db, int64_t scope_org) {
    json_t *a = json_array();
    Stmt *st = db_prepare(db, "SELECT r.id, r.task_id, t.code, t.name, r.target_code, tg.name, tg.kind, r.result_codes, "
                              "substr(r.published_at, 1, 10) FROM record r LEFT JOIN task t ON t.id = r.task_id "
                              "LEFT JOIN target tg ON tg.id = r.target_id WHERE " HAS_FINDINGS_SQL " AND NOT EXISTS "
                              "(SELECT 1 FROM followup f WHERE f.record_id = r.id) AND " SCOPE_SQL("r.org_id")
                              " ORDER BY r.published_at, r.id");
    if (!st) return a;
    db_bind_int(st, 1, scope_org);
    db_bind_int(st, 2, scope_org);
    while (db_step(st) == DB_ROW) {
        int64_t rid = db_col_int(st, 0);
        char *name = shown_name(db_col_text(st, 6), db_col_text(st, 5)), *labels = result_labels(db, "result_categories", db_col_text(st, 7), "、"),
             *viol = followup_violation_labels(db, rid, 1, "、");
        json_array_append_new(a, json_pack("{s:I, s:I, s:s?, s:s?, s:s, s:s, s:s?, s:s, s:s, s:s?}", "id", (json_int_t)rid, "task_id",
                                           (json_int_t)db_col_int(st, 1), "task_code", db_col_text(st, 2), "task_name",
                                           db_col_text(st, 3), "target_code", db_col_text(st, 4), "target_name", name,
                                           "target_kind", db_col_text(st, 6), "result_labels", labels, "violations", viol,
                                           "published_on", db_col_text(st, 8)));
        free(name);
        free(labels);
        free(viol);
    }
    db_finalize(st);
    return a;
}

/* ---- snapshots and versions ---- */

/* The row of `sql` (one '?' for the id) as a JSON object text with every value as a string. */
static char *row_snapshot(Db *db, const char *sql, int64_t id) {
    Stmt *st = db_prepare(db, sql);
    if (!st) return NULL;
    db_bind_int(st, 1, id);
    char *out = NULL;
    if (db_step(st) == DB_ROW) {
        json_t *o = jk_row(st);
        out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(o);
    }
    db_finalize(st);
    return out;
}

char *followup_snapshot(Db *db, int64_t id) { return row_snapshot(db, "SELECT * FROM followup WHERE id = ?", id); }

char *followup_transfer_snapshot(Db *db, int64_t tid) {
    return row_snapshot(db, "SELECT * FROM transfer WHERE id = ?", tid);
}

/* Keeps the current row as its version before a change. */
static int keep_version(Db *db, int64_t id, const char *actor, char **err) {
    char *data = followup_snapshot(db, id);
    if (!data) return set_err(err, "处置记录不存在"), FU_NOT_FOUND;
    int rc = db_exec(db, "INSERT INTO followup_version(followup_id, version, data, changed_by, changed_at) SELECT id, version, "
                         "?, ?, ? FROM followup WHERE id = ?", "ttti", data, actor, clock_stamp().s, id);
    free(data);
    return rc == DB_OK ? FU_OK : dberr(db, err);
}

int64_t followup_org(Db *db, int64_t id) {
    int64_t org = 0;
    db_query_int(db, &org, "SELECT org_id FROM followup WHERE id = ?", "i", id);
    return org;
}

int64_t followup_transfer_org(Db *db, int64_t tid) {
    int64_t org = 0;
    db_query_int(db, &org, "SELECT org_id FROM transfer WHERE id = ?", "i", tid);
    return org;
}

/* ---- the stored follow-up ---- */

typedef struct FuRow {
    char *option, *status, *opened_on, *rectify_deadline, *recheck_on, *recheck_result, *decision_no, *decision_on,
        *amount, *penalty_published_on, *receiver, *outcome, *outcome_on;
    int64_t version, amount_cents, has_amount;
} FuRow;

static void furow_free(FuRow *f) {
    char **s[] = {&f->option, &f->status, &f->opened_on, &f->rectify_deadline, &f->recheck_on, &f->recheck_result,
                  &f->decision_no, &f->decision_on, &f->amount, &f->penalty_published_on, &f->receiver, &f->outcome,
                  &f->outcome_on};
    for (size_t i = 0; i < ARRAY_LEN(s); i++) {
        free(*s[i]);
        *s[i] = NULL;
    }
}

static char *dup_col(Stmt *st, int i) { return db_col_text(st, i) ? xstrdup(db_col_text(st, i)) : NULL; }

/* Loads follow-up id: 1 found, 0 absent, -1 error. */
static int furow_load(Db *db, int64_t id, FuRow *f) {
    memset(f, 0, sizeof *f);
    Stmt *st = db_prepare(db, "SELECT option, status, opened_on, rectify_deadline, recheck_on, recheck_result, decision_no, "
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

static FuState furow_state(const FuRow *f) {
    FuState s = {f->rectify_deadline, f->recheck_on, f->recheck_result, f->decision_no, f->decision_on,
                 f->amount, f->receiver, f->outcome, f->penalty_published_on};
    return s;
}

/* The input over the stored state: a field not given (NULL) keeps its stored value. */
static FuState merged_state(const FuRow *f, const FollowupInput *in) {
    FuState s = furow_state(f);
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
    db_bind_text(st, idx++, o->needs_deadline ? nz(s->rectify_deadline) : NULL);
    db_bind_text(st, idx++, o->needs_recheck ? nz(s->recheck_on) : NULL);
    db_bind_text(st, idx++, o->needs_recheck ? nz(s->recheck_result) : NULL);
    db_bind_text(st, idx++, o->needs_decision ? nz(s->decision_no) : NULL);
    db_bind_text(st, idx++, o->needs_decision ? nz(s->decision_on) : NULL);
    int64_t cents;
    if (o->needs_amount && !str_empty(s->amount) && money_parse_yuan(s->amount, &cents) == 0)
        db_bind_int(st, idx++, cents);
    else
        db_bind_null(st, idx++);
    db_bind_text(st, idx++, o->needs_receiver ? nz(s->receiver) : NULL);
    return idx;
}

int fu_open_rows(Db *db, int64_t record_id, const FollowupInput *in, const char *today,
                  const char *actor, int64_t *id_out, json_t *errors, char **err) {
    int64_t org = 0;
    if (db_query_int(db, &org, "SELECT org_id FROM record WHERE id = ?", "i", record_id) != DB_OK) return dberr(db, err);
    if (!org) return set_err(err, "检查记录不存在"), FU_NOT_FOUND;
    int hf = followup_record_has_findings(db, record_id);
    if (hf < 0) return dberr(db, err);
    if (!hf) return set_err(err, "只有已公示且发现问题的检查结果才需要后续处置"), FU_CONFLICT;
    FuOption o;
    int found = followup_option_get(db, in->option, &o);
    if (found < 0) return dberr(db, err);
    if (!found) {
        field_err(errors, "option", "请选择处置方式");
        return FU_INVALID;
    }
    FuState s = {in->rectify_deadline, in->recheck_on, in->recheck_result, in->decision_no, in->decision_on,
                 in->amount, in->receiver, in->outcome, NULL};
    if (followup_validate(&o, &s, NULL, today, errors)) return FU_INVALID;
    Stmt *st = db_prepare(db, "INSERT INTO followup(record_id, org_id, option, opened_on, rectify_deadline, recheck_on, "
                              "recheck_result, decision_no, decision_on, amount_cents, receiver, outcome, outcome_on, "
                              "created_by, updated_by, created_at, updated_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return dberr(db, err);
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
    if (rc != DB_DONE) return dberr(db, err);
    int64_t id = db_last_id(db);
    if (id_out) *id_out = id;
    if (o.needs_decision && !str_empty(in->decision_no) && credit_record_penalty(db, id, actor, err) != DB_OK) return FU_ERR;
    return FU_OK;
}

int fu_update_rows(Db *db, int64_t id, int64_t version, const FollowupInput *in, const char *today,
                    const char *actor, json_t *errors, char **err) {
    FuRow f;
    int found = furow_load(db, id, &f);
    if (found < 0) return dberr(db, err);
    if (!found) return set_err(err, "处置记录不存在"), FU_NOT_FOUND;
    int rc = FU_OK;
    FuOption o;
    const char *code = str_empty(in->option) ? f.option : in->option;
    if (str_eq(f.status, "已完结")) {
        rc = (set_err(err, "该处置已完结，不能再修改"), FU_CONFLICT);
    } else if (version != f.version) {
        rc = (set_err(err, "该处置已被他人修改（当前为第 %lld 版），请刷新页面后重新填写", (long long)f.version), FU_CONFLICT);
    } else if ((found = followup_option_get(db, code, &o)) <= 0) {
        rc = found < 0 ? dberr(db, err) : (field_err(errors, "option", "请选择处置方式"), FU_INVALID);
    }
    FuState prev = furow_state(&f), s = merged_state(&f, in);
    if (rc == FU_OK) {
        int n = followup_validate(&o, &s, &prev, today, errors);
        if (!str_empty(f.penalty_published_on) &&
            (!str_eq(code, f.option) || !str_eq(s.decision_no, f.decision_no) || !str_eq(s.decision_on, f.decision_on)))
            n += field_err(errors, "decision_no", "处罚决定已公示，不能再修改处置方式、决定书文号或决定日期");
        if (n) rc = FU_INVALID;
    }
    int new_decision = rc == FU_OK && o.needs_decision && !str_empty(s.decision_no) &&
                       (!str_eq(s.decision_no, f.decision_no) || !str_eq(s.decision_on, f.decision_on) || !str_eq(code, f.option));
    if (rc == FU_OK) rc = keep_version(db, id, actor, err);
    if (rc == FU_OK) {
        Stmt *st = db_prepare(db, "UPDATE followup SET option = ?, rectify_deadline = ?, recheck_on = ?, recheck_result = ?, "
                                  "decision_no = ?, decision_on = ?, amount_cents = ?, receiver = ?, outcome = ?, "
                                  "outcome_on = CASE WHEN ? = '' THEN NULL WHEN outcome_on IS NULL THEN ? ELSE outcome_on END, "
                                  "penalty_published_on = ?, version = version + 1, updated_at = ?, "
                                  "updated_by = ? WHERE id = ? AND version = ?");
        if (!st) rc = dberr(db, err);
        else {
            db_bind_text(st, 1, o.code);
            int idx = bind_fields(st, 2, &o, &s);
            const char *outcome = s.outcome ? s.outcome : "";
            db_bind_text(st, idx++, outcome);
            db_bind_text(st, idx++, outcome);
            db_bind_text(st, idx++, today);
            db_bind_text(st, idx++, o.needs_decision || o.publish_workdays ? f.penalty_published_on : NULL);
            db_bind_text(st, idx++, clock_stamp().s);
            db_bind_text(st, idx++, actor);
            db_bind_int(st, idx++, id);
            db_bind_int(st, idx, version);
            if (db_step(st) != DB_DONE) rc = dberr(db, err);
            else if (db_changes(db) != 1) rc = (set_err(err, "该处置已被他人修改，请刷新页面后重新填写"), FU_CONFLICT);
            db_finalize(st);
        }
    }
    if (rc == FU_OK && new_decision && credit_record_penalty(db, id, actor, err) != DB_OK) rc = FU_ERR;
    furow_free(&f);
    return rc;
}

int fu_publish_penalty_rows(Db *db, int64_t id, const char *on, const char *today,
                             const Calendar *cal, const char *actor, int *late, char **err) {
    FuRow f;
    int found = furow_load(db, id, &f);
    if (found < 0) return dberr(db, err);
    if (!found) return set_err(err, "处置记录不存在"), FU_NOT_FOUND;
    FuOption o;
    int rc = FU_OK;
    if (str_empty(on)) on = today;
    if (followup_option_get(db, f.option, &o) <= 0) rc = (set_err(err, "处置方式“%s”已不在参考数据中", f.option), FU_CONFLICT);
    else if (str_eq(f.status, "已完结")) rc = (set_err(err, "该处置已完结"), FU_CONFLICT);
    else if (!o.publish_workdays) rc = (set_err(err, "处置方式“%s”无需公示处罚决定", o.label), FU_CONFLICT);
    else if (str_empty(f.decision_no) || str_empty(f.decision_on)) rc = (set_err(err, "尚未填写处罚决定书文号和决定日期"), FU_CONFLICT);
    else if (!str_empty(f.penalty_published_on))
        rc = (set_err(err, "处罚决定已于 %s 公示", f.penalty_published_on), FU_CONFLICT);
    else if (!date_valid(on)) rc = (set_err(err, "公示日期不是有效日期"), FU_INVALID);
    else if (strcmp(on, today) > 0) rc = (set_err(err, "公示日期不能晚于今天"), FU_INVALID);
    else if (strcmp(on, f.decision_on) < 0) rc = (set_err(err, "公示日期不能早于决定日期"), FU_INVALID);
    if (rc == FU_OK) rc = keep_version(db, id, actor, err);
    if (rc == FU_OK && db_exec(db, "UPDATE followup SET penalty_published_on = ?, version = version + 1, updated_at = "
                                   "?, updated_by = ? WHERE id = ? AND penalty_published_on IS NULL AND status <> '已完结'",
                                   "ttti", on, clock_stamp().s, actor, id) != DB_OK)
        rc = dberr(db, err);
    else if (rc == FU_OK && db_changes(db) != 1) /* guard: published or closed meanwhile */
        rc = (set_err(err, "该处置已被他人处理，请刷新"), FU_CONFLICT);
    if (rc == FU_OK && late) {
        char due[11];
        *late = followup_publish_due(cal, f.decision_on, o.publish_workdays, due) >= 0 ? strcmp(on, due) > 0 : -1;
    }
    furow_free(&f);
    return rc;
}

/* Counts the transfers of follow-up id and those still waiting for feedback. */
static void transfer_counts(Db *db, int64_t id, int *all, int *open) {
    int64_t a = 0, o = 0;
    db_query_int(db, &a, "SELECT count(*) FROM transfer WHERE followup_id = ?", "i", id);
    db_query_int(db, &o, "SELECT count(*) FROM transfer WHERE followup_id = ? AND status = '已移送'", "i", id);
    *all = (int)a;
    *open = (int)o;
}

int fu_close_rows(Db *db, int64_t id, const char *today, const char *actor, char **err) {
    FuRow f;
    int found = furow_load(db, id, &f);
    if (found < 0) return dberr(db, err);
    if (!found) return set_err(err, "处置记录不存在"), FU_NOT_FOUND;
    FuOption o;
    int rc = FU_OK;
    if (str_eq(f.status, "已完结")) rc = (set_err(err, "该处置已完结"), FU_CONFLICT);
    else if (followup_option_get(db, f.option, &o) <= 0) rc = (set_err(err, "处置方式“%s”已不在参考数据中", f.option), FU_CONFLICT);
    if (rc == FU_OK) {
        int all, open;
        transfer_counts(db, id, &all, &open);
        json_t *reasons = json_array();
        FuState s = furow_state(&f);
        if (followup_close_blockers(&o, &s, all, open, reasons)) {
            Buf b;
            buf_init(&b);
            size_t i;
            json_t *v;
            json_array_foreach(reasons, i, v) buf_printf(&b, "%s%s", i ? "；" : "", json_string_value(v));
            rc = (set_err(err, "尚不能完结：%s", b.data), FU_CONFLICT);
            buf_free(&b);
        }
        json_decref(reasons);
    }
    if (rc == FU_OK) rc = keep_version(db, id, actor, err);
    if (rc == FU_OK && db_exec(db, "UPDATE followup SET status = '已完结', closed_on = ?, version = version + 1, updated_at = "
                                   "?, updated_by = ? WHERE id = ? AND status <> '已完结'", "ttti", today, clock_stamp().s, actor, id) != DB_OK)
        rc = dberr(db, err);
    else if (rc == FU_OK && db_changes(db) != 1) /* guard: closed meanwhile */
        rc = (set_err(err, "该处置已被他人处理，请刷新"), FU_CONFLICT);
    furow_free(&f);
    return rc;
}

/* ---- transfers ---- */

int fu_transfer_add_rows(Db *db, int64_t fid, const char *kind, const char *receiver,
                          const char *sent_on, const char *doc_no, const char *summary,
                          const char *today, const char *actor, int64_t *id_out, json_t *errors,
                          char **err) {
    char *status = NULL, *checked_on = NULL;
    if (db_query_text(db, &status, "SELECT status FROM followup WHERE id = ?", "i", fid) != DB_OK) return dberr(db, err);
    if (!status) return set_err(err, "处置记录不存在"), FU_NOT_FOUND;
    int closed = str_eq(status, "已完结");
    free(status);
    if (closed) return set_err(err, "该处置已完结，不能再登记移送"), FU_CONFLICT;
    /* a finding cannot be passed on before the check that found it */
    if (db_query_text(db, &checked_on, "SELECT r.checked_on FROM followup f JOIN record r ON r.id = f.record_id WHERE f.id = ?",
                      "i", fid) != DB_OK)
        return dberr(db, err);
    int n = 0;
    if (!followup_transfer_kind_ok(kind)) n += field_err(errors, "kind", "请选择移送类型（转办、移送、移送司法机关或抄告）");
    if (str_empty(receiver)) n += field_err(errors, "receiver", "请填写接收部门或机关");
    if (str_empty(sent_on)) n += field_err(errors, "sent_on", "请填写移送日期");
    else if (!date_valid(sent_on)) n += field_err(errors, "sent_on", "移送日期不是有效日期（格式：2025-10-09）");
    else if (strcmp(sent_on, today) > 0) n += field_err(errors, "sent_on", "移送日期不能晚于今天");
    else if (checked_on && strcmp(sent_on, checked_on) < 0) {
        char *msg = xasprintf("移送日期不能早于检查日期（%s）", checked_on);
        n += field_err(errors, "sent_on", msg);
        free(msg);
    }
    free(checked_on);
    if (n) return FU_INVALID;
    if (db_exec(db, "INSERT INTO transfer(followup_id, org_id, kind, receiver, sent_on, doc_no, summary, created_by, updated_by, "
                    "created_at, updated_at) SELECT id, org_id, ?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?7 FROM followup WHERE id = ?8",
                "ttttttti", kind, receiver, sent_on, doc_no ? doc_no : "", summary ? summary : "", actor, clock_stamp().s,
                fid) != DB_OK)
        return dberr(db, err);
    if (id_out) *id_out = db_last_id(db);
    return FU_OK;
}

int fu_transfer_feedback_rows(Db *db, int64_t tid, const char *feedback, const char *feedback_on,
                               int done, const char *today, const char *actor, json_t *errors,
                               char **err) {
    Stmt *st = db_prepare(db, "SELECT status, sent_on, feedback FROM transfer WHERE id = ?");
    if (!st) return dberr(db, err);
    db_bind_int(st, 1, tid);
    if (db_step(st) != DB_ROW) {
        db_finalize(st);
        return set_err(err, "移送记录不存在"), FU_NOT_FOUND;
    }
    char *status = dup_col(st, 0), *sent_on = dup_col(st, 1), *old = dup_col(st, 2);
    db_finalize(st);
    int rc = FU_OK, n = 0;
    int keep_old = str_empty(feedback) && done && !str_empty(old);
    if (str_eq(status, "已办结")) rc = (set_err(err, "该移送已办结"), FU_CONFLICT);
    else if (!keep_old) {
        if (str_empty(feedback)) n += field_err(errors, "feedback", "请填写反馈情况");
        if (str_empty(feedback_on)) n += field_err(errors, "feedback_on", "请填写反馈日期");
        else if (!date_valid(feedback_on)) n += field_err(errors, "feedback_on", "反馈日期不是有效日期（格式：2025-10-20）");
        else if (strcmp(feedback_on, today) > 0) n += field_err(errors, "feedback_on", "反馈日期不能晚于今天");
        else if (sent_on && strcmp(feedback_on, sent_on) < 0) n += field_err(errors, "feedback_on", "反馈日期不能早于移送日期");
        if (n) rc = FU_INVALID;
    }
    const char *to = done ? "已办结" : "已反馈";
    if (rc == FU_OK && keep_old &&
        db_exec(db, "UPDATE transfer SET status = ?, updated_at = ?, updated_by = ? WHERE id = ? AND status <> '已办结'",
                "ttti", to, clock_stamp().s, actor, tid) != DB_OK)
        rc = dberr(db, err);
    else if (rc == FU_OK && !keep_old &&
             db_exec(db, "UPDATE transfer SET feedback = ?, feedback_on = ?, status = ?, updated_at = ?, "
                         "updated_by = ? WHERE id = ? AND status <> '已办结'", "ttttti", feedback, feedback_on, to,
                     clock_stamp().s, actor, tid) != DB_OK)
        rc = dberr(db, err);
    if (rc == FU_OK && db_changes(db) != 1) /* guard: finished meanwhile */
        rc = (set_err(err, "该移送已被他人处理，请刷新"), FU_CONFLICT);
    free(status);
    free(sent_on);
    free(old);
    return rc;
}

/* ---- views ---- */

static json_t *transfers_of(Db *db, int64_t fid) {
    json_t *a = json_array();
    Stmt *st = db_prepare(db, "SELECT id, kind, receiver, sent_on, doc_no, summary, feedback, feedback_on, status FROM transfer "
                              "WHERE followup_id = ? ORDER BY id");
    if (!st) return a;
    db_bind_int(st, 1, fid);
    while (db_step(st) == DB_ROW)
        json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:b}", "id", (json_int_t)db_col_int(st, 0),
                                           "kind", db_col_text(st, 1), "receiver", db_col_text(st, 2), "sent_on",
                                           db_col_text(st, 3), "doc_no", db_col_text(st, 4), "summary", db_col_text(st, 5),
                                           "feedback", db_col_text(st, 6), "feedback_on", db_col_text(st, 7), "status",
                                           db_col_text(st, 8), "open", !str_eq(db_col_text(st, 8), "已办结")));
    db_finalize(st);
    return a;
}

static json_t *versions_of(Db *db, int64_t fid) {
    json_t *a = json_array();
    Stmt *st = db_prepare(db, "SELECT version, changed_at, changed_by, data FROM followup_version WHERE followup_id = ? "
                              "ORDER BY version DESC");
    if (!st) return a;
    db_bind_int(st, 1, fid);
    while (db_step(st) == DB_ROW) {
        json_t *data = json_loads(db_col_text(st, 3), 0, NULL);
        json_array_append_new(a, json_pack("{s:I, s:s, s:s?, s:o}", "version", (json_int_t)db_col_int(st, 0), "changed_at",
                                           db_col_text(st, 1), "changed_by", db_col_text(st, 2), "data",
                                           data ? data : json_object()));
    }
    db_finalize(st);
    return a;
}

/* Sets key to the date text, or null. */
static void set_date(json_t *o, const char *key, const char *v) {
    json_object_set_new(o, key, v ? json_string(v) : json_null());
}

/* The clocks of a follow-up: outcome, rectification and penalty publication. */
static json_t *clocks(const Calendar *cal, const FuOption *o, const FuRow *f, const char *today) {
    json_t *c = json_object();
    char due[11];
    int open = !str_eq(f->status, "已完结");
    /* a due date counted over a year without the State Council notice is provisional (预计) */
    int rc = followup_outcome_due(cal, f->opened_on, due), known = rc >= 0;
    set_date(c, "outcome_due", known ? due : NULL);
    deadline_json_set(c, "outcome_due_text", "outcome_provisional", known ? due : NULL, rc == CAL_PROVISIONAL);
    json_object_set_new(c, "outcome_unknown", json_boolean(!known));
    json_object_set_new(c, "outcome_overdue", json_boolean(known && open && str_empty(f->outcome) && strcmp(today, due) > 0));
    json_object_set_new(c, "outcome_late", json_boolean(known && f->outcome_on && strcmp(f->outcome_on, due) > 0));
    json_object_set_new(c, "has_rectify", json_boolean(o->needs_deadline && f->rectify_deadline));
    set_date(c, "rectify_due", o->needs_deadline ? f->rectify_deadline : NULL);
    json_object_set_new(c, "rectify_overdue", json_boolean(o->needs_deadline && f->rectify_deadline && open && str_empty(f->recheck_on) &&
                                                           strcmp(today, f->rectify_deadline) > 0));
    int has_pub = o->publish_workdays > 0 && !str_empty(f->decision_on);
    rc = has_pub ? followup_publish_due(cal, f->decision_on, o->publish_workdays, due) : CAL_UNKNOWN;
    known = has_pub && rc >= 0;
    json_object_set_new(c, "has_publish", json_boolean(has_pub));
    set_date(c, "publish_due", known ? due : NULL);
    deadline_json_set(c, "publish_due_text", "publish_provisional", known ? due : NULL, rc == CAL_PROVISIONAL);
    json_object_set_new(c, "publish_unknown", json_boolean(has_pub && !known));
    json_object_set_new(c, "publish_overdue", json_boolean(known && str_empty(f->penalty_published_on) && strcmp(today, due) > 0));
    json_object_set_new(c, "publish_late", json_boolean(known && f->penalty_published_on && strcmp(f->penalty_published_on, due) > 0));
    json_object_set_new(c, "overdue", json_boolean(json_is_true(json_object_get(c, "outcome_overdue")) ||
                                                    json_is_true(json_object_get(c, "rectify_overdue")) ||
                                                    json_is_true(json_object_get(c, "publish_overdue"))));
    return c;
}

json_t *followup_json(Db *db, int64_t id, const Calendar *cal, const char *today, int with_history) {
    Stmt *st = db_prepare(db, "SELECT f.record_id, f.org_id, o.name, r.task_id, t.code, t.name, r.target_id, r.target_code, "
                              "tg.name, tg.kind, f.created_by, f.updated_at, f.updated_by, tg.uscc FROM followup f "
                              "JOIN record r ON r.id = f.record_id JOIN org o ON o.id = f.org_id LEFT JOIN task t ON "
                              "t.id = r.task_id LEFT JOIN target tg ON tg.id = r.target_id WHERE f.id = ?");
    if (!st) return NULL;
    db_bind_int(st, 1, id);
    if (db_step(st) != DB_ROW) {
        db_finalize(st);
        return NULL;
    }
    char *name = shown_name(db_col_text(st, 9), db_col_text(st, 8));
    json_t *j = json_pack("{s:I, s:I, s:I, s:s, s:I, s:s?, s:s?, s:I, s:s, s:s, s:s?, s:s?, s:s, s:s?, s:s?}", "id", (json_int_t)id,
                          "record_id", (json_int_t)db_col_int(st, 0), "org_id", (json_int_t)db_col_int(st, 1), "org_name",
                          db_col_text(st, 2), "task_id", (json_int_t)db_col_int(st, 3), "task_code", db_col_text(st, 4),
                          "task_name", db_col_text(st, 5), "target_id", (json_int_t)db_col_int(st, 6), "target_code",
                          db_col_text(st, 7), "target_name", name, "target_kind", db_col_text(st, 9), "created_by",
                          db_col_text(st, 10), "updated_at", db_col_text(st, 11), "updated_by", db_col_text(st, 12), "uscc",
                          str_eq(db_col_text(st, 9), "insured") ? NULL : db_col_text(st, 13));
    free(name);
    db_finalize(st);
    FuRow f;
    if (furow_load(db, id, &f) != 1) {
        json_decref(j);
        return NULL;
    }
    FuOption o;
    if (followup_option_get(db, f.option, &o) != 1) option_from(&o, f.option, f.option, "{}");
    json_object_set_new(j, "option", json_string(f.option));
    json_object_set_new(j, "option_label", json_string(o.label));
    json_object_set_new(j, "status", json_string(f.status));
    json_object_set_new(j, "closed", json_boolean(str_eq(f.status, "已完结")));
    set_date(j, "opened_on", f.opened_on);
    set_date(j, "rectify_deadline", f.rectify_deadline);
    set_date(j, "recheck_on", f.recheck_on);
    set_date(j, "recheck_result", f.recheck_result);
    set_date(j, "decision_no", f.decision_no);
    set_date(j, "decision_on", f.decision_on);
    json_object_set_new(j, "amount_cents", f.has_amount ? json_integer(f.amount_cents) : json_null());
    set_date(j, "amount", f.amount);
    set_date(j, "penalty_published_on", f.penalty_published_on);
    set_date(j, "receiver", f.receiver);
    json_object_set_new(j, "outcome", json_string(f.outcome ? f.outcome : ""));
    set_date(j, "outcome_on", f.outcome_on);
    char *closed_on = NULL;
    db_query_text(db, &closed_on, "SELECT closed_on FROM followup WHERE id = ?", "i", id);
    set_date(j, "closed_on", closed_on);
    free(closed_on);
    json_object_set_new(j, "version", json_integer(f.version));
    json_object_set_new(j, "needs", json_pack("{s:b, s:b, s:b, s:b, s:b, s:b, s:i}", "deadline", o.needs_deadline, "recheck",
                                              o.needs_recheck, "decision", o.needs_decision, "amount", o.needs_amount,
                                              "receiver", o.needs_receiver, "publish", o.publish_workdays > 0, "publish_workdays",
                                              o.publish_workdays));
    json_object_set_new(j, "clocks", clocks(cal, &o, &f, today));
    json_t *transfers = transfers_of(db, id), *reasons = json_array();
    int all, open;
    transfer_counts(db, id, &all, &open);
    FuState s = furow_state(&f);
    if (!str_eq(f.status, "已完结")) followup_close_blockers(&o, &s, all, open, reasons);
    json_object_set_new(j, "close_blockers", reasons);
    json_object_set_new(j, "can_close", json_boolean(!str_eq(f.status, "已完结") && json_array_size(reasons) == 0));
    json_object_set_new(j, "transfers", transfers);
    json_object_set_new(j, "finding_closed", json_boolean(followup_record_closed(db, json_integer_value(json_object_get(j, "record_id")))));
    if (with_history) json_object_set_new(j, "versions", versions_of(db, id));
    furow_free(&f);
    return j;
}

json_t *followup_list_json(Db *db, int64_t scope_org, const char *status, const Calendar *cal,
                           const char *today, int limit, int offset, int64_t *total) {
    json_t *a = json_array();
    if (total) {
        *total = 0;
        db_query_int(db, total, "SELECT count(*) FROM followup WHERE (? IS NULL OR status = ?) AND " SCOPE_SQL("org_id"), "ttii",
                     status, status, scope_org, scope_org);
    }
    Stmt *st = db_prepare(db, "SELECT id FROM followup WHERE (? IS NULL OR status = ?) AND " SCOPE_SQL("org_id")
                              " ORDER BY id DESC LIMIT ? OFFSET ?");
    if (!st) return a;
    db_bind_text(st, 1, status);
    db_bind_text(st, 2, status);
    db_bind_int(st, 3, scope_org);
    db_bind_int(st, 4, scope_org);
    db_bind_int(st, 5, limit > 0 ? limit : -1); /* SQLite: a negative LIMIT is no limit */
    db_bind_int(st, 6, offset > 0 ? offset : 0);
    int64_t ids_small[64], *ids = ids_small;
    size_t n = 0, cap = ARRAY_LEN(ids_small);
    while (db_step(st) == DB_ROW) {
        if (n == cap) {
            int64_t *bigger = xmalloc(2 * cap * sizeof *bigger);
            memcpy(bigger, ids, n * sizeof *ids);
            if (ids != ids_small) free(ids);
            ids = bigger;
            cap *= 2;
        }
        ids[n++] = db_col_int(st, 0);
    }
    db_finalize(st);
    for (size_t i = 0; i < n; i++) {
        json_t *j = followup_json(db, ids[i], cal, today, 0);
        if (j) json_array_append_new(a, j);
    }
    if (ids != ids_small) free(ids);
    return a;
}

json_t *followup_transfers_json(Db *db, int64_t scope_org, const char *status) {
    json_t *a = json_array();
    Stmt *st = db_prepare(db, "SELECT x.id, x.followup_id, f.record_id, r.target_code, tg.name, tg.kind, t.code, x.kind, "
                              "x.receiver, x.sent_on, x.doc_no, x.summary, x.feedback, x.feedback_on, x.status, o.name "
                              "FROM transfer x JOIN followup f ON f.id = x.followup_id JOIN record r ON r.id = f.record_id "
                              "JOIN org o ON o.id = x.org_id LEFT JOIN task t ON t.id = r.task_id LEFT JOIN target tg ON "
                              "tg.id = r.target_id WHERE (? IS NULL OR x.status = ?) AND " SCOPE_SQL("x.org_id")
                              " ORDER BY x.sent_on, x.id");
    if (!st) return a;
    const char *s = nz(status);
    db_bind_text(st, 1, s);
    db_bind_text(st, 2, s);
    db_bind_int(st, 3, scope_org);
    db_bind_int(st, 4, scope_org);
    while (db_step(st) == DB_ROW) {
        char *name = shown_name(db_col_text(st, 5), db_col_text(st, 4));
        json_array_append_new(
            a, json_pack("{s:I, s:I, s:I, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:b}", "id",
                         (json_int_t)db_col_int(st, 0), "followup_id", (json_int_t)db_col_int(st, 1), "record_id",
                         (json_int_t)db_col_int(st, 2), "target_code", db_col_text(st, 3), "target_name", name, "task_code",
                         db_col_text(st, 6), "kind", db_col_text(st, 7), "receiver", db_col_text(st, 8), "sent_on",
                         db_col_text(st, 9), "doc_no", db_col_text(st, 10), "summary", db_col_text(st, 11), "feedback",
                         db_col_text(st, 12), "feedback_on", db_col_text(st, 13), "status", db_col_text(st, 14), "org_name",
                         db_col_text(st, 15), "open", !str_eq(db_col_text(st, 14), "已办结")));
        free(name);
    }
    db_finalize(st);
    return a;
}
