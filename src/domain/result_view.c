/* result_view.c - the reads of the review and publication pages (result.h): a record for review
 * and the lists of records by status with their publication deadline. Read-only; names of
 * insured persons masked. Called by the web handlers (page_result*.c). */
#include "result_impl.h"
#include "record.h"
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
    if (db_query_text(
            db, &op,
            "SELECT opinion FROM record_event WHERE record_id = ? AND action = '公示' ORDER "
            "BY id DESC LIMIT 1",
            "i", id) != DB_OK)
        return NULL; /* display only: no late opinion shown */
    if (op && !str_starts(op, "逾期公示")) {
        free(op);
        op = NULL;
    }
    return op;
}

/* The officers of the ',' list `certs` with their names: [{cert_no, name}]. */
static json_t *officers_named(Db *db, const char *certs) {
    json_t *offs = json_array();
    if (!certs) return offs;
    char *copy = xstrdup(certs);
    Stmt *os = db_prepare(db, "SELECT name FROM officer WHERE cert_no = ?");
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        t = str_trim(t);
        if (!*t) continue;
        const char *nm = NULL;
        if (os) {
            db_bind_text(os, 1, t);
            if (db_step(os) == DB_ROW) nm = db_col_text(os, 0);
        }
        json_array_append_new(offs, json_pack("{s:s, s:s}", "cert_no", t, "name", nm ? nm : ""));
        if (os) db_reset(os);
    }
    db_finalize(os);
    free(copy);
    return offs;
}

static const char *str_of(const json_t *o, const char *key) {
    return json_string_value(json_object_get(o, key));
}

/* Yuan text of an amount in fen: "1234.56". New string. */
static char *yuan(int64_t cents) {
    return xasprintf("%lld.%02lld", (long long)(cents / 100), (long long)(cents % 100));
}

/* Items with their methods and results as label text; violations with the amount and total. */
static void review_lists(Db *db, json_t *o) {
    json_t *it, *v;
    size_t i;
    json_array_foreach(json_object_get(o, "items"), i, it) {
        char *m = result_labels(db, "inspection_methods", str_of(it, "_methods"), "、");
        char *res = result_labels(db, "result_categories", str_of(it, "_result"), "；");
        json_object_set_new(it, "methods_text", json_string(m));
        json_object_set_new(it, "result_text", json_string(res));
        free(m);
        free(res);
    }
    int64_t total = 0;
    json_array_foreach(json_object_get(o, "violations"), i, v) {
        int64_t c = json_integer_value(json_object_get(v, "_cents"));
        total += c;
        char *amount = yuan(c);
        json_object_set_new(v, "amount", json_string(amount));
        free(amount);
    }
    char *tot = yuan(total);
    json_object_set_new(o, "violation_total", json_string(tot));
    free(tot);
    json_array_foreach(json_object_get(o, "files"), i, v) {
        const char *kind = str_of(v, "kind");
        json_object_set_new(v, "kind_label",
                            json_string(str_eq(kind, "photo")       ? "照片"
                                        : str_eq(kind, "video")     ? "视频"
                                        : str_eq(kind, "signature") ? "签字"
                                                                    : kind));
    }
}

/* The review pages' layer over the record's view (record_view_read, record.h): the target's name
 * masked for an insured person, the publication deadline, labels, named officers. */
json_t *result_record_json(Db *db, int64_t id, const Calendar *cal, const char *today) {
    json_t *o = record_view_read(db, id, RECORD_VIEW_REVIEW);
    if (!o) return NULL;
    char *name = internal_name(str_of(o, "target_kind"), str_of(o, "_target_name"));
    json_object_set_new(o, "target_name", json_string(name));
    free(name);
    set_deadline(o, cal, str_of(o, "checked_on"), today, !str_eq(str_of(o, "status"), "已公示"));
    record_view_period(o);
    char *rt = result_labels(db, "result_categories", str_of(o, "result_codes"), "；");
    json_object_set_new(o, "result_text", json_string(rt));
    free(rt);
    char *late = late_opinion(db, id);
    json_object_set_new(o, "late_published", late ? json_string(late) : json_null());
    free(late);
    json_object_set_new(o, "officers", officers_named(db, str_of(o, "_officers")));
    review_lists(db, o);
    record_view_strip(o);
    return o;
}

json_t *result_list_json(Db *db, int64_t scope_org, const char *status, const Calendar *cal,
                         const char *today, int limit) {
    int published = str_eq(status, "已公示");
    const char *order = published ? "r.published_at DESC, r.id DESC"
                                  : "r.checked_on IS NULL, r.checked_on, r.submitted_at, r.id";
    /* the ids of the list first, from the record rows only; the task, org and target are then
       read for those rows, not for every record of the status before the sort */
    char *sql =
        xasprintf("SELECT r.id, t.code, t.name, r.target_code, g.kind, g.name, r.checked_on, "
                  "r.submitted_by, r.submitted_at, "
                  "r.reviewed_at, r.reviewed_by, r.published_at, r.published_by, o.name "
                  "FROM (SELECT r.id AS id FROM record r WHERE r.status = ? AND " RESULT_SCOPE_SQL(
                      "r.org_id") " ORDER BY %s LIMIT ?) page JOIN record r ON r.id = page.id "
                                  "JOIN task t ON t.id = r.task_id JOIN org o ON o.id = r.org_id "
                                  "LEFT JOIN target g ON g.id = coalesce(r.target_id, (SELECT x.id "
                                  "FROM target x WHERE x.code = r.target_code)) ORDER BY %s",
                  order, order);
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
