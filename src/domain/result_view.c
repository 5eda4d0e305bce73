/* result_view.c - the reads of the review and publication pages (result.h): a record for review
 * and the lists of records by status with their publication deadline. Read-only; names of
 * insured persons masked. Called by the web handlers (page_result*.c). */
#include "result_impl.h"
#include "deadline.h"

#include "codes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reads ---- */

static json_t *text_or_null(Stmt *st, int i) {
    return db_col_text(st, i) ? json_string(db_col_text(st, i)) : json_null();
}

/* The name of a target as shown inside the bureau: an insured person's name masked. New string. */
static char *internal_name(const char *kind, const char *name) {
    if (!name) return xstrdup("");
    return str_eq(kind, "insured") ? mask_person_name(name) : xstrdup(name);
}

/* Deadline fields of a row: deadline text ("期限未知"), overdue, days_left (null when unknown). */
static void set_deadline(json_t *o, const Calendar *cal, const char *checked_on, const char *today,
                         int open) {
    char d[11];
    int rc = result_deadline(cal, checked_on, d);
    if (rc < 0) {
        json_object_set_new(o, "deadline", json_string("期限未知"));
        deadline_json_set(o, "deadline_text", "provisional", NULL, 0);
        json_object_set_new(o, "deadline_unknown", json_true());
        json_object_set_new(o, "overdue", json_false());
        json_object_set_new(o, "overdue_label", json_string(""));
        json_object_set_new(o, "days_left", json_null());
        return;
    }
    int prov = rc == CAL_PROVISIONAL;
    json_object_set_new(o, "deadline", json_string(d));
    deadline_json_set(o, "deadline_text", "provisional", d, prov);
    json_object_set_new(o, "deadline_unknown", json_false());
    json_object_set_new(o, "overdue", json_boolean(open && result_is_late(d, today)));
    json_object_set_new(o, "overdue_label", json_string(prov ? "预计逾期" : "已逾期"));
    int left = 0;
    if (open && calendar_workdays_between(cal, today, d, &left) >= 0)
        json_object_set_new(o, "days_left", json_integer(left));
    else
        json_object_set_new(o, "days_left", json_null());
}

static char *late_opinion(Db *db, int64_t id) {
    char *op = NULL;
    db_query_text(db, &op,
                  "SELECT opinion FROM record_event WHERE record_id = ? AND action = '公示' ORDER "
                  "BY id DESC LIMIT 1",
                  "i", id);
    if (op && !str_starts(op, "逾期公示")) {
        free(op);
        op = NULL;
    }
    return op;
}

json_t *result_record_json(Db *db, int64_t id, const Calendar *cal, const char *today) {
    Stmt *st = db_prepare(
        db, "SELECT r.id, r.status, r.org_id, o.name, t.id, t.code, t.name, t.kind, r.target_code, "
            "g.kind, g.name, "
            "r.checked_from, r.checked_on, r.result_codes, r.remarks, r.notes, r.officers, "
            "r.signer_name, "
            "r.signature_file_id, r.refusal_reason, r.fraud_purpose, r.police_transfer, "
            "r.submitted_at, "
            "r.submitted_by, r.reviewed_at, r.reviewed_by, r.review_opinion, r.published_at, "
            "r.published_by, r.version "
            "FROM record r JOIN org o ON o.id = r.org_id JOIN task t ON t.id = r.task_id "
            "LEFT JOIN target g ON g.id = coalesce(r.target_id, (SELECT x.id FROM target x WHERE "
            "x.code = r.target_code)) "
            "WHERE r.id = ?");
    if (!st) return NULL;
    db_bind_int(st, 1, id);
    if (db_step(st) != DB_ROW) {
        db_finalize(st);
        return NULL;
    }
    json_t *o = json_object();
    static const struct {
        int col;
        const char *key;
    } text_cols[] = {{1, "status"},          {3, "org_name"},        {5, "task_code"},
                     {6, "task_name"},       {7, "task_kind"},       {8, "target_code"},
                     {9, "target_kind"},     {11, "checked_from"},   {12, "checked_on"},
                     {13, "result_codes"},   {14, "remarks"},        {15, "notes"},
                     {17, "signer_name"},    {19, "refusal_reason"}, {22, "submitted_at"},
                     {23, "submitted_by"},   {24, "reviewed_at"},    {25, "reviewed_by"},
                     {26, "review_opinion"}, {27, "published_at"},   {28, "published_by"}};
    for (size_t i = 0; i < ARRAY_LEN(text_cols); i++)
        json_object_set_new(o, text_cols[i].key, text_or_null(st, text_cols[i].col));
    json_object_set_new(o, "id", json_integer(db_col_int(st, 0)));
    char org[24];
    snprintf(org, sizeof org, "%lld", (long long)db_col_int(st, 2));
    json_object_set_new(o, "org_id", json_string(org));
    json_object_set_new(o, "task_id", json_integer(db_col_int(st, 4)));
    char *name = internal_name(db_col_text(st, 9), db_col_text(st, 10));
    json_object_set_new(o, "target_name", json_string(name));
    free(name);
    json_object_set_new(o, "insured", json_boolean(str_eq(db_col_text(st, 9), "insured")));
    json_object_set_new(o, "has_signature", json_boolean(!db_col_is_null(st, 18)));
    json_object_set_new(o, "fraud_purpose", json_boolean(db_col_int(st, 20) != 0));
    json_object_set_new(o, "police_transfer", json_boolean(db_col_int(st, 21) != 0));
    json_object_set_new(o, "version", json_integer(db_col_int(st, 29)));
    char *officers = db_col_text(st, 16) ? xstrdup(db_col_text(st, 16)) : NULL;
    db_finalize(st);
    const char *status = json_string_value(json_object_get(o, "status"));
    set_deadline(o, cal, json_string_value(json_object_get(o, "checked_on")), today,
                 !str_eq(status, "已公示"));
    char *rt = result_labels(db, "result_categories",
                             json_string_value(json_object_get(o, "result_codes")), "；");
    json_object_set_new(o, "result_text", json_string(rt));
    free(rt);
    char *late = late_opinion(db, id);
    json_object_set_new(o, "late_published", late ? json_string(late) : json_null());
    free(late);

    /* officers */
    json_t *offs = json_array();
    if (officers) {
        Stmt *os = db_prepare(db, "SELECT name FROM officer WHERE cert_no = ?");
        for (char *save = NULL, *t = strtok_r(officers, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
            t = str_trim(t);
            if (!*t) continue;
            const char *nm = NULL;
            if (os) {
                db_bind_text(os, 1, t);
                if (db_step(os) == DB_ROW) nm = db_col_text(os, 0);
            }
            json_array_append_new(offs,
                                  json_pack("{s:s, s:s}", "cert_no", t, "name", nm ? nm : ""));
            if (os) db_reset(os);
        }
        db_finalize(os);
        free(officers);
    }
    json_object_set_new(o, "officers", offs);

    /* items */
    json_t *items = json_array();
    st = db_prepare(
        db,
        "SELECT position, dept_name, item_code, item_name, methods, result, notes FROM record_item "
        "WHERE record_id = ? ORDER BY position");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW) {
            char *m = result_labels(db, "inspection_methods", db_col_text(st, 4), "、");
            char *res = result_labels(db, "result_categories", db_col_text(st, 5), "；");
            json_t *it = json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:s}", "position",
                                   (json_int_t)db_col_int(st, 0), "dept_name", db_col_text(st, 1),
                                   "item_code", text_or_null(st, 2), "item_name",
                                   db_col_text(st, 3), "methods_text", m, "result_text", res,
                                   "notes", db_col_text(st, 6) ? db_col_text(st, 6) : "");
            json_array_append_new(items, it);
            free(m);
            free(res);
        }
        db_finalize(st);
    }
    json_object_set_new(o, "items", items);

    /* violations */
    json_t *vs = json_array();
    int64_t total = 0;
    st = db_prepare(db, "SELECT v.category, coalesce(d.label, v.category), v.amount_cents, "
                        "v.description, v.item_position "
                        "FROM record_violation v LEFT JOIN refdata d ON d.set_name = "
                        "'violation_categories' AND d.code = v.category "
                        "WHERE v.record_id = ? AND v.status = '有效' ORDER BY v.id");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW) {
            int64_t c = db_col_int(st, 2);
            total += c;
            char *amount = xasprintf("%lld.%02lld", (long long)(c / 100), (long long)(c % 100));
            json_array_append_new(
                vs,
                json_pack("{s:s, s:s, s:s, s:s, s:o}", "category", db_col_text(st, 0),
                          "category_label", db_col_text(st, 1), "amount", amount, "description",
                          db_col_text(st, 3) ? db_col_text(st, 3) : "", "item_position",
                          db_col_is_null(st, 4) ? json_null() : json_integer(db_col_int(st, 4))));
            free(amount);
        }
        db_finalize(st);
    }
    json_object_set_new(o, "violations", vs);
    char *tot = xasprintf("%lld.%02lld", (long long)(total / 100), (long long)(total % 100));
    json_object_set_new(o, "violation_total", json_string(tot));
    free(tot);

    /* files (listed here; the bytes come from /records/ID/files/FID, in the reader's scope) */
    json_t *files = json_array();
    st = db_prepare(db, "SELECT kind, mime, size, original_name, status, id FROM record_file WHERE "
                        "record_id = ? ORDER BY id");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW) {
            const char *kind = db_col_text(st, 0), *mime = db_col_text(st, 1);
            json_array_append_new(
                files, json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:b, s:b}", "kind", kind, "kind_label",
                                 str_eq(kind, "photo") ? "照片" : str_eq(kind, "video") ? "视频" : str_eq(kind, "signature") ? "签字" : kind,
                                 "mime", mime, "size", (json_int_t)db_col_int(st, 2), "original_name",
                                 db_col_text(st, 3) ? db_col_text(st, 3) : "", "status", db_col_text(st, 4), "file_id",
                                 (json_int_t)db_col_int(st, 5), "is_image", str_starts(mime ? mime : "", "image/"), "is_video",
                                 str_starts(mime ? mime : "", "video/")));
        }
        db_finalize(st);
    }
    json_object_set_new(o, "files", files);

    /* events */
    json_t *evs = json_array();
    st = db_prepare(
        db, "SELECT action, from_status, to_status, opinion, on_day, at, by_user FROM record_event "
            "WHERE record_id = ? ORDER BY id");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(
                evs, json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:o}", "action", db_col_text(st, 0),
                               "from", db_col_text(st, 1), "to", db_col_text(st, 2), "opinion",
                               text_or_null(st, 3), "on_day", db_col_text(st, 4), "at",
                               db_col_text(st, 5), "by", text_or_null(st, 6)));
        db_finalize(st);
    }
    json_object_set_new(o, "events", evs);
    return o;
}

json_t *result_list_json(Db *db, int64_t scope_org, const char *status, const Calendar *cal,
                         const char *today, int limit) {
    int published = str_eq(status, "已公示");
    char *sql =
        xasprintf("SELECT r.id, t.code, t.name, r.target_code, g.kind, g.name, r.checked_on, "
                  "r.submitted_by, r.submitted_at, "
                  "r.reviewed_at, r.reviewed_by, r.published_at, r.published_by, o.name "
                  "FROM record r JOIN task t ON t.id = r.task_id JOIN org o ON o.id = r.org_id "
                  "LEFT JOIN target g ON g.id = coalesce(r.target_id, (SELECT x.id FROM target x "
                  "WHERE x.code = r.target_code)) "
                  "WHERE r.status = ? AND " RESULT_SCOPE_SQL("r.org_id") " ORDER BY %s LIMIT ?",
                  published ? "r.published_at DESC, r.id DESC"
                            : "r.checked_on IS NULL, r.checked_on, r.submitted_at, r.id");
    Stmt *st = db_prepare(db, sql);
    free(sql);
    json_t *a = json_array();
    if (!st) return a;
    db_bind_text(st, 1, status);
    db_bind_int(st, 2, scope_org);
    db_bind_int(st, 3, scope_org);
    db_bind_int(st, 4, limit > 0 ? limit : -1);
    while (db_step(st) == DB_ROW) {
        int64_t id = db_col_int(st, 0);
        char *name = internal_name(db_col_text(st, 4), db_col_text(st, 5));
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(id));
        json_object_set_new(o, "task_code", text_or_null(st, 1));
        json_object_set_new(o, "task_name", text_or_null(st, 2));
        json_object_set_new(o, "target_code", text_or_null(st, 3));
        json_object_set_new(o, "target_name", json_string(name));
        json_object_set_new(o, "checked_on", text_or_null(st, 6));
        json_object_set_new(o, "submitted_by", text_or_null(st, 7));
        json_object_set_new(o, "submitted_at", text_or_null(st, 8));
        json_object_set_new(o, "reviewed_at", text_or_null(st, 9));
        json_object_set_new(o, "reviewed_by", text_or_null(st, 10));
        json_object_set_new(o, "published_at", text_or_null(st, 11));
        json_object_set_new(o, "published_by", text_or_null(st, 12));
        json_object_set_new(o, "org_name", text_or_null(st, 13));
        set_deadline(o, cal, db_col_text(st, 6), today, !published);
        char *late = published ? late_opinion(db, id) : NULL;
        json_object_set_new(o, "late_published", late ? json_string(late) : json_null());
        free(late);
        free(name);
        json_array_append_new(a, o);
    }
    db_finalize(st);
    return a;
}
