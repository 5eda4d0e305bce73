/* followup_view.c - the follow-up views the pages show (followup.h): the published records
 * waiting for a follow-up, one follow-up with its clocks, transfers, closure blockers and versions,
 * the list of follow-ups and the transfer ledger, each limited to an org scope. Read-only.
 * Callers: src/web/page_followup*.c, unit tests. */
#include "deadline.h"
#include "followup.h"
#include "followup_impl.h"

#include "../core/util.h"
#include "codes.h"
#include "result.h"

#include <stdlib.h>
#include <string.h>

/* The org scope as SQL: two '?' for the same scope org (0 = every org). */
#define SCOPE_SQL(col)                                                                             \
    "(? = 0 OR " col " IN (WITH RECURSIVE sc(id) AS (SELECT ? UNION SELECT o.id FROM org o "       \
    "JOIN sc ON o.parent_id = sc.id) SELECT id FROM sc))"

/* The name of a target as shown inside the bureau: insured persons masked. New string. */
static char *shown_name(const char *kind, const char *name) {
    if (!name) return xstrdup("");
    return str_eq(kind, "insured") ? mask_person_name(name) : xstrdup(name);
}

json_t *followup_pending_json(Db *db, int64_t scope_org) {
    json_t *a = json_array();
    Stmt *st = db_prepare(
        db,
        "SELECT r.id, r.task_id, t.code, t.name, r.target_code, tg.name, tg.kind, r.result_codes, "
        "substr(r.published_at, 1, 10) FROM record r LEFT JOIN task t ON t.id = r.task_id "
        "LEFT JOIN target tg ON tg.id = r.target_id WHERE " HAS_FINDINGS_SQL " AND NOT EXISTS "
        "(SELECT 1 FROM followup f WHERE f.record_id = r.id) AND " SCOPE_SQL(
            "r.org_id") " ORDER BY r.published_at, r.id");
    if (!st) return a;
    db_bind_int(st, 1, scope_org);
    db_bind_int(st, 2, scope_org);
    while (db_step(st) == DB_ROW) {
        int64_t rid = db_col_int(st, 0);
        char *name = shown_name(db_col_text(st, 6), db_col_text(st, 5)),
             *labels = result_labels(db, "result_categories", db_col_text(st, 7), "、"),
             *viol = followup_violation_labels(db, rid, 1, "、");
        json_array_append_new(
            a, json_pack("{s:I, s:I, s:s?, s:s?, s:s, s:s, s:s?, s:s, s:s, s:s?}", "id",
                         (json_int_t)rid, "task_id", (json_int_t)db_col_int(st, 1), "task_code",
                         db_col_text(st, 2), "task_name", db_col_text(st, 3), "target_code",
                         db_col_text(st, 4), "target_name", name, "target_kind", db_col_text(st, 6),
                         "result_labels", labels, "violations", viol, "published_on",
                         db_col_text(st, 8)));
        free(name);
        free(labels);
        free(viol);
    }
    db_finalize(st);
    return a;
}

/* ---- views ---- */

static json_t *transfers_of(Db *db, int64_t fid) {
    json_t *a = json_array();
    Stmt *st = db_prepare(db, "SELECT id, kind, receiver, sent_on, doc_no, summary, feedback, "
                              "feedback_on, status FROM transfer "
                              "WHERE followup_id = ? ORDER BY id");
    if (!st) return a;
    db_bind_int(st, 1, fid);
    while (db_step(st) == DB_ROW)
        json_array_append_new(
            a, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:b}", "id",
                         (json_int_t)db_col_int(st, 0), "kind", db_col_text(st, 1), "receiver",
                         db_col_text(st, 2), "sent_on", db_col_text(st, 3), "doc_no",
                         db_col_text(st, 4), "summary", db_col_text(st, 5), "feedback",
                         db_col_text(st, 6), "feedback_on", db_col_text(st, 7), "status",
                         db_col_text(st, 8), "open", !str_eq(db_col_text(st, 8), "已办结")));
    db_finalize(st);
    return a;
}

static json_t *versions_of(Db *db, int64_t fid) {
    json_t *a = json_array();
    Stmt *st = db_prepare(
        db,
        "SELECT version, changed_at, changed_by, data FROM followup_version WHERE followup_id = ? "
        "ORDER BY version DESC");
    if (!st) return a;
    db_bind_int(st, 1, fid);
    while (db_step(st) == DB_ROW) {
        json_t *data = json_loads(db_col_text(st, 3), 0, NULL);
        json_array_append_new(a, json_pack("{s:I, s:s, s:s?, s:o}", "version",
                                           (json_int_t)db_col_int(st, 0), "changed_at",
                                           db_col_text(st, 1), "changed_by", db_col_text(st, 2),
                                           "data", data ? data : json_object()));
    }
    db_finalize(st);
    /* each version's disposal option by its label, as the page shows it (the code if unknown) */
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        const char *code = json_string_value(json_object_get(json_object_get(v, "data"), "option"));
        FuOption o;
        if (code && followup_option_get(db, code, &o) == 1)
            json_object_set_new(v, "option_label", json_string(o.label));
        else if (code)
            json_object_set_new(v, "option_label", json_string(code));
    }
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
    deadline_json_set(c, "outcome_due_text", "outcome_provisional", known ? due : NULL,
                      rc == CAL_PROVISIONAL);
    json_object_set_new(c, "outcome_unknown", json_boolean(!known));
    json_object_set_new(
        c, "outcome_overdue",
        json_boolean(known && open && str_empty(f->outcome) && strcmp(today, due) > 0));
    json_object_set_new(c, "outcome_late",
                        json_boolean(known && f->outcome_on && strcmp(f->outcome_on, due) > 0));
    json_object_set_new(c, "has_rectify", json_boolean(o->needs_deadline && f->rectify_deadline));
    set_date(c, "rectify_due", o->needs_deadline ? f->rectify_deadline : NULL);
    json_object_set_new(c, "rectify_overdue",
                        json_boolean(o->needs_deadline && f->rectify_deadline && open &&
                                     str_empty(f->recheck_on) &&
                                     strcmp(today, f->rectify_deadline) > 0));
    int has_pub = o->publish_workdays > 0 && !str_empty(f->decision_on);
    rc =
        has_pub ? followup_publish_due(cal, f->decision_on, o->publish_workdays, due) : CAL_UNKNOWN;
    known = has_pub && rc >= 0;
    json_object_set_new(c, "has_publish", json_boolean(has_pub));
    set_date(c, "publish_due", known ? due : NULL);
    deadline_json_set(c, "publish_due_text", "publish_provisional", known ? due : NULL,
                      rc == CAL_PROVISIONAL);
    json_object_set_new(c, "publish_unknown", json_boolean(has_pub && !known));
    json_object_set_new(
        c, "publish_overdue",
        json_boolean(known && str_empty(f->penalty_published_on) && strcmp(today, due) > 0));
    json_object_set_new(
        c, "publish_late",
        json_boolean(known && f->penalty_published_on && strcmp(f->penalty_published_on, due) > 0));
    json_object_set_new(c, "overdue",
                        json_boolean(json_is_true(json_object_get(c, "outcome_overdue")) ||
                                     json_is_true(json_object_get(c, "rectify_overdue")) ||
                                     json_is_true(json_object_get(c, "publish_overdue"))));
    return c;
}

json_t *followup_json(Db *db, int64_t id, const Calendar *cal, const char *today,
                      int with_history) {
    Stmt *st = db_prepare(
        db, "SELECT f.record_id, f.org_id, o.name, r.task_id, t.code, t.name, r.target_id, "
            "r.target_code, "
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
    json_t *j = json_pack(
        "{s:I, s:I, s:I, s:s, s:I, s:s?, s:s?, s:I, s:s, s:s, s:s?, s:s?, s:s, s:s?, s:s?}", "id",
        (json_int_t)id, "record_id", (json_int_t)db_col_int(st, 0), "org_id",
        (json_int_t)db_col_int(st, 1), "org_name", db_col_text(st, 2), "task_id",
        (json_int_t)db_col_int(st, 3), "task_code", db_col_text(st, 4), "task_name",
        db_col_text(st, 5), "target_id", (json_int_t)db_col_int(st, 6), "target_code",
        db_col_text(st, 7), "target_name", name, "target_kind", db_col_text(st, 9), "created_by",
        db_col_text(st, 10), "updated_at", db_col_text(st, 11), "updated_by", db_col_text(st, 12),
        "uscc", str_eq(db_col_text(st, 9), "insured") ? NULL : db_col_text(st, 13));
    free(name);
    db_finalize(st);
    FuRow f;
    if (fu_row_load(db, id, &f) != 1) {
        json_decref(j);
        return NULL;
    }
    FuOption o;
    if (followup_option_get(db, f.option, &o) != 1) fu_option_from(&o, f.option, f.option, "{}");
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
    json_object_set_new(j, "amount_cents",
                        f.has_amount ? json_integer(f.amount_cents) : json_null());
    set_date(j, "amount", f.amount);
    set_date(j, "penalty_published_on", f.penalty_published_on);
    set_date(j, "receiver", f.receiver);
    json_object_set_new(j, "outcome", json_string(f.outcome ? f.outcome : ""));
    set_date(j, "outcome_on", f.outcome_on);
    char *closed_on = NULL;
    if (db_query_text(db, &closed_on, "SELECT closed_on FROM followup WHERE id = ?", "i", id) !=
        DB_OK)
        closed_on = NULL; /* display only: shown as not closed */
    set_date(j, "closed_on", closed_on);
    free(closed_on);
    json_object_set_new(j, "version", json_integer(f.version));
    json_object_set_new(j, "needs",
                        json_pack("{s:b, s:b, s:b, s:b, s:b, s:b, s:i}", "deadline",
                                  o.needs_deadline, "recheck", o.needs_recheck, "decision",
                                  o.needs_decision, "amount", o.needs_amount, "receiver",
                                  o.needs_receiver, "publish", o.publish_workdays > 0,
                                  "publish_workdays", o.publish_workdays));
    json_object_set_new(j, "clocks", clocks(cal, &o, &f, today));
    json_t *transfers = transfers_of(db, id), *reasons = json_array();
    int all, open;
    if (fu_transfer_counts(db, id, &all, &open) != DB_OK)
        all = open = 0; /* display only: no transfer blocks */
    FuState s = fu_row_state(&f);
    if (!str_eq(f.status, "已完结")) followup_close_blockers(&o, &s, all, open, reasons);
    json_object_set_new(j, "close_blockers", reasons);
    json_object_set_new(j, "can_close",
                        json_boolean(!str_eq(f.status, "已完结") && json_array_size(reasons) == 0));
    json_object_set_new(j, "transfers", transfers);
    json_object_set_new(j, "finding_closed",
                        json_boolean(followup_record_closed(
                            db, json_integer_value(json_object_get(j, "record_id")))));
    if (with_history) json_object_set_new(j, "versions", versions_of(db, id));
    fu_row_free(&f);
    return j;
}

json_t *followup_list_json(Db *db, int64_t scope_org, const char *status, const Calendar *cal,
                           const char *today, int limit, int offset, int64_t *total) {
    json_t *a = json_array();
    if (total) {
        *total = 0;
        if (db_query_int(
                db, total,
                "SELECT count(*) FROM followup WHERE (? IS NULL OR status = ?) AND " SCOPE_SQL(
                    "org_id"),
                "ttii", status, status, scope_org, scope_org) != DB_OK)
            *total = 0; /* display only: the pager shows no total */
    }
    Stmt *st =
        db_prepare(db, "SELECT id FROM followup WHERE (? IS NULL OR status = ?) AND " SCOPE_SQL(
                           "org_id") " ORDER BY id DESC LIMIT ? OFFSET ?");
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
    Stmt *st = db_prepare(
        db,
        "SELECT x.id, x.followup_id, f.record_id, r.target_code, tg.name, tg.kind, t.code, x.kind, "
        "x.receiver, x.sent_on, x.doc_no, x.summary, x.feedback, x.feedback_on, x.status, o.name "
        "FROM transfer x JOIN followup f ON f.id = x.followup_id JOIN record r ON r.id = "
        "f.record_id "
        "JOIN org o ON o.id = x.org_id LEFT JOIN task t ON t.id = r.task_id LEFT JOIN target tg ON "
        "tg.id = r.target_id WHERE (? IS NULL OR x.status = ?) AND " SCOPE_SQL(
            "x.org_id") " ORDER BY x.sent_on, x.id");
    if (!st) return a;
    const char *s = fu_nz(status);
    db_bind_text(st, 1, s);
    db_bind_text(st, 2, s);
    db_bind_int(st, 3, scope_org);
    db_bind_int(st, 4, scope_org);
    while (db_step(st) == DB_ROW) {
        char *name = shown_name(db_col_text(st, 5), db_col_text(st, 4));
        json_array_append_new(
            a, json_pack("{s:I, s:I, s:I, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, "
                         "s:s, s:b}",
                         "id", (json_int_t)db_col_int(st, 0), "followup_id",
                         (json_int_t)db_col_int(st, 1), "record_id", (json_int_t)db_col_int(st, 2),
                         "target_code", db_col_text(st, 3), "target_name", name, "task_code",
                         db_col_text(st, 6), "kind", db_col_text(st, 7), "receiver",
                         db_col_text(st, 8), "sent_on", db_col_text(st, 9), "doc_no",
                         db_col_text(st, 10), "summary", db_col_text(st, 11), "feedback",
                         db_col_text(st, 12), "feedback_on", db_col_text(st, 13), "status",
                         db_col_text(st, 14), "org_name", db_col_text(st, 15), "open",
                         !str_eq(db_col_text(st, 14), "已办结")));
        free(name);
    }
    db_finalize(st);
    return a;
}
