/* record_view.c - what a record looks like as JSON. One reader (record_view_read, record.h) reads
 * a record's columns, with its task, org and target, and its lists (items, active violations,
 * files, versions, events) into JSON through the column tables below: each column names its key
 * in each view, so the stored snapshot (record_version, the audit log), the record form's view
 * (record_json) and the review pages' view (result_record_json, result_view.c) differ only in
 * those tables and in the thin layer each view adds on top (labels, deadlines, group members).
 * Read-only. Called by record_save.c (the snapshot before a change), result_view.c and the
 * record pages. */
#include "record_impl.h"

#include "../core/money.h"
#include "../core/util.h"
#include "deadline.h"

#include <stdio.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- the one reader ---- */

/* One column of a view's query: its SQL expression, how it is read ('t' text or null, 'i'
 * integer, 'n' integer or null, 'b' boolean, 'o' integer as text) and its key in each view
 * (NULL: not in that view; a key beginning with '_' is read for the view's layer only). */
typedef struct ViewCol {
    const char *sql;
    char type;
    const char *key[RECORD_VIEWS];
} ViewCol;

/* A list of the record: its key, the rest of its query after the columns (one '?': the record
 * id) and its columns. A view shows the list when a column has a key in it. */
typedef struct ViewList {
    const char *key, *from;
    const ViewCol *cols;
    size_t ncols;
} ViewList;

#define ALL(k)                                                                                     \
    { k, k, k }

static const ViewCol RECORD_COLS[] = {
    {"r.id", 'i', ALL("id")},
    {"r.version", 'i', ALL("version")},
    {"r.status", 't', ALL("status")},
    {"r.checked_from", 't', ALL("checked_from")},
    {"r.checked_on", 't', ALL("checked_on")},
    {"r.dates_reason", 't', ALL("dates_reason")},
    {"r.result_codes", 't', ALL("result_codes")},
    {"r.remarks", 't', ALL("remarks")},
    {"r.notes", 't', ALL("notes")},
    {"r.officers", 't', {"officers", "officers", "_officers"}},
    {"r.signer_name", 't', ALL("signer_name")},
    {"r.signature_file_id", 'n', {"signature_file_id", "signature_file_id", NULL}},
    {"r.signature_file_id IS NOT NULL", 'b', {NULL, NULL, "has_signature"}},
    {"r.refusal_reason", 't', ALL("refusal_reason")},
    {"r.fraud_purpose", 'b', ALL("fraud_purpose")},
    {"r.police_transfer", 'b', ALL("police_transfer")},
    {"r.org_id", 'o', ALL("org_id")},
    {"r.task_id", 'i', {NULL, "task_id", "task_id"}},
    {"t.code", 't', {NULL, "task_code", "task_code"}},
    {"t.name", 't', {NULL, "task_name", "task_name"}},
    {"t.kind", 't', {NULL, NULL, "task_kind"}},
    {"t.month_from", 't', {NULL, "_month_from", "_month_from"}},
    {"t.month_to", 't', {NULL, "_month_to", "_month_to"}},
    {"r.draw_id", 'i', {NULL, "draw_id", NULL}},
    {"r.target_code", 't', {NULL, "target_code", "target_code"}},
    {"g.kind", 't', {NULL, NULL, "target_kind"}},
    {"coalesce(g.kind, '') = 'insured'", 'b', {NULL, NULL, "insured"}},
    /* the form shows the name as the directory has it under the code (the code when absent) */
    {"coalesce((SELECT x.name FROM target x WHERE x.code = r.target_code), r.target_code)",
     't',
     {NULL, "target_name", NULL}},
    {"g.name", 't', {NULL, NULL, "_target_name"}},
    {"o.name", 't', {NULL, "org_name", "org_name"}},
    {"r.submitted_at", 't', {NULL, "submitted_at", "submitted_at"}},
    {"r.submitted_by", 't', {NULL, "submitted_by", "submitted_by"}},
    {"r.review_opinion", 't', {NULL, "review_opinion", "review_opinion"}},
    {"r.reviewed_at", 't', {NULL, NULL, "reviewed_at"}},
    {"r.reviewed_by", 't', {NULL, NULL, "reviewed_by"}},
    {"r.published_at", 't', {NULL, NULL, "published_at"}},
    {"r.published_by", 't', {NULL, NULL, "published_by"}},
    {"r.updated_at", 't', {NULL, "updated_at", NULL}},
    {"r.updated_by", 't', {NULL, "updated_by", NULL}},
};
static const char RECORD_FROM[] =
    "FROM record r JOIN task t ON t.id = r.task_id JOIN org o ON o.id = r.org_id "
    "LEFT JOIN target g ON g.id = coalesce(r.target_id, (SELECT x.id FROM target x "
    "WHERE x.code = r.target_code)) WHERE r.id = ?";

static const ViewCol ITEM_COLS[] = {
    {"position", 'i', ALL("position")},
    {"dept_name", 't', ALL("dept_name")},
    {"item_code", 't', {NULL, NULL, "item_code"}},
    {"item_name", 't', ALL("item_name")},
    {"methods", 't', {"methods", "methods", "_methods"}},
    {"result", 't', {"result", "result", "_result"}},
    {"notes", 't', ALL("notes")},
};

static const ViewCol VIOLATION_COLS[] = {
    {"v.id", 'i', {"id", "id", NULL}},
    {"v.item_position", 'n', ALL("item_position")},
    {"v.category", 't', ALL("category")},
    {"v.amount_cents", 'i', {"amount_cents", "amount_cents", "_cents"}},
    {"v.description", 't', ALL("description")},
    {"coalesce(d.label, v.category)", 't', {NULL, "category_label", "category_label"}},
};

static const ViewCol FILE_COLS[] = {
    {"id", 'i', {NULL, "id", "file_id"}},
    {"kind", 't', {NULL, "kind", "kind"}},
    {"mime", 't', {NULL, "mime", "mime"}},
    {"size", 'i', {NULL, "size", "size"}},
    {"sha256", 't', {NULL, "sha256", NULL}},
    {"coalesce(original_name, '')", 't', {NULL, "original_name", "original_name"}},
    {"status", 't', {NULL, "status", "status"}},
    {"status_reason", 't', {NULL, "status_reason", NULL}},
    {"uploaded_at", 't', {NULL, "uploaded_at", NULL}},
    {"uploaded_by", 't', {NULL, "uploaded_by", NULL}},
    {"status = '有效'", 'b', {NULL, "active", NULL}},
    {"kind = 'photo'", 'b', {NULL, "is_photo", NULL}},
    {"kind = 'video'", 'b', {NULL, "is_video", NULL}},
    {"kind = 'signature'", 'b', {NULL, "is_signature", NULL}},
    {"substr(mime, 1, 6) = 'image/'", 'b', {NULL, NULL, "is_image"}},
    {"substr(mime, 1, 6) = 'video/'", 'b', {NULL, NULL, "is_video"}},
};

static const ViewCol VERSION_COLS[] = {
    {"version", 'i', {NULL, "version", NULL}},
    {"changed_at", 't', {NULL, "changed_at", NULL}},
    {"coalesce(changed_by, '')", 't', {NULL, "changed_by", NULL}},
};

static const ViewCol EVENT_COLS[] = {
    {"action", 't', {NULL, "action", "action"}},
    {"from_status", 't', {NULL, "from_status", "from"}},
    {"to_status", 't', {NULL, "to_status", "to"}},
    {"coalesce(opinion, '')", 't', {NULL, "opinion", NULL}},
    {"opinion", 't', {NULL, NULL, "opinion"}},
    {"at", 't', {NULL, "at", "at"}},
    {"on_day", 't', {NULL, "on_day", "on_day"}},
    {"coalesce(by_user, '')", 't', {NULL, "by_user", NULL}},
    {"by_user", 't', {NULL, NULL, "by"}},
};

static const ViewList LISTS[] = {
    {"items", "FROM record_item WHERE record_id = ? ORDER BY position", ITEM_COLS,
     ARRAY_LEN(ITEM_COLS)},
    {"violations",
     "FROM record_violation v LEFT JOIN refdata d ON d.set_name = 'violation_categories' AND "
     "d.code = v.category "
     "WHERE v.record_id = ? AND v.status = '有效' ORDER BY v.id",
     VIOLATION_COLS, ARRAY_LEN(VIOLATION_COLS)},
    {"files", "FROM record_file WHERE record_id = ? ORDER BY id", FILE_COLS, ARRAY_LEN(FILE_COLS)},
    {"versions", "FROM record_version WHERE record_id = ? ORDER BY version DESC", VERSION_COLS,
     ARRAY_LEN(VERSION_COLS)},
    {"events", "FROM record_event WHERE record_id = ? ORDER BY id", EVENT_COLS,
     ARRAY_LEN(EVENT_COLS)},
};

/* "SELECT <every column> <from>" prepared with the record id bound; NULL on error. */
static Stmt *view_query(Db *db, const ViewCol *cols, size_t n, const char *from, int64_t id) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "SELECT ");
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", cols[i].sql);
    buf_printf(&b, " %s", from);
    Stmt *st = db_prepare(db, b.data);
    buf_free(&b);
    if (st) db_bind_int(st, 1, id);
    return st;
}

/* Sets the keys `view` gives the columns of the current row of st on o. */
static void row_set(json_t *o, Stmt *st, const ViewCol *cols, size_t n, int view) {
    for (size_t i = 0; i < n; i++) {
        const char *key = cols[i].key[view], *text = db_col_text(st, (int)i);
        if (!key) continue;
        json_t *v;
        if (cols[i].type == 't')
            v = text ? json_string(text) : json_null();
        else if (cols[i].type == 'n' && db_col_is_null(st, (int)i))
            v = json_null();
        else if (cols[i].type == 'b')
            v = json_boolean(db_col_int(st, (int)i) != 0);
        else if (cols[i].type == 'o')
            v = json_sprintf("%lld", (long long)db_col_int(st, (int)i));
        else
            v = json_integer(db_col_int(st, (int)i));
        json_object_set_new(o, key, v);
    }
}

static int list_in_view(const ViewList *l, int view) {
    for (size_t i = 0; i < l->ncols; i++)
        if (l->cols[i].key[view]) return 1;
    return 0;
}

/* The rows of list l of record id as an array of objects (empty on a database error). */
static json_t *list_read(Db *db, int64_t id, const ViewList *l, int view) {
    json_t *a = json_array();
    Stmt *st = view_query(db, l->cols, l->ncols, l->from, id);
    while (st && db_step(st) == DB_ROW) {
        json_t *o = json_object();
        row_set(o, st, l->cols, l->ncols, view);
        json_array_append_new(a, o);
    }
    db_finalize(st);
    return a;
}

json_t *record_view_read(Db *db, int64_t id, int view) {
    if (view < 0 || view >= RECORD_VIEWS) return NULL;
    Stmt *st = view_query(db, RECORD_COLS, ARRAY_LEN(RECORD_COLS), RECORD_FROM, id);
    json_t *o = NULL;
    if (st && db_step(st) == DB_ROW) {
        o = json_object();
        row_set(o, st, RECORD_COLS, ARRAY_LEN(RECORD_COLS), view);
    }
    db_finalize(st);
    for (size_t i = 0; o && i < ARRAY_LEN(LISTS); i++)
        if (list_in_view(&LISTS[i], view))
            json_object_set_new(o, LISTS[i].key, list_read(db, id, &LISTS[i], view));
    return o;
}

void record_view_strip(json_t *o) {
    const char *key;
    json_t *v, *e;
    void *tmp;
    size_t i;
    json_object_foreach_safe(o, tmp, key, v) {
        if (key[0] == '_')
            json_object_del(o, key);
        else if (json_is_array(v))
            json_array_foreach(v, i, e) record_view_strip(e);
    }
}

void record_view_period(json_t *o) {
    char first[11], last[11];
    if (record_period(json_string_value(json_object_get(o, "_month_from")),
                      json_string_value(json_object_get(o, "_month_to")), first, last) == 0) {
        json_object_set_new(o, "period_first", json_string(first));
        json_object_set_new(o, "period_last", json_string(last));
    }
}

/* ---------------------------------------------------------------- the stored snapshot ---- */

json_t *rec_snapshot(Db *db, int64_t id) {
    return record_view_read(db, id, RECORD_VIEW_STORED);
}

char *record_snapshot_text(Db *db, int64_t id) {
    json_t *s = rec_snapshot(db, id);
    char *t = s ? json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(s);
    return t;
}

/* ---------------------------------------------------------------- the form's view ---- */

static json_t *split_json(const char *list) {
    json_t *a = json_array();
    size_t n = 0;
    json_t *s = json_string(list ? list : "");
    char **v = rec_strv_from(s, &n);
    json_decref(s);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    rec_strv_free(v, n);
    return a;
}

static char *ref_label(Db *db, const char *set, const char *code) {
    char *s = NULL;
    if (db_query_text(db, &s, "SELECT label FROM refdata WHERE set_name = ? AND code = ?", "tt",
                      set, code) != DB_OK)
        s = NULL; /* display only: the code stands for the label */
    return s ? s : xstrdup(code ? code : "");
}

static json_t *labelled(Db *db, const char *set, const char *list) {
    json_t *a = split_json(list), *out = json_array(), *e;
    size_t i;
    json_array_foreach(a, i, e) {
        char *l = ref_label(db, set, json_string_value(e));
        json_array_append_new(out,
                              json_pack("{s:s, s:s}", "code", json_string_value(e), "label", l));
        free(l);
    }
    json_decref(a);
    return out;
}

static const char *str_of(const json_t *o, const char *key) {
    return json_string_value(json_object_get(o, key));
}

/* The entry deadline and the form's state flags. */
static void form_deadline(json_t *o, const Calendar *cal, const char *today) {
    const char *status = str_of(o, "status");
    char deadline[11], state[64];
    int overdue = 0;
    int drc = record_deadline(cal, str_of(o, "checked_on"), str_of(o, "_month_to"), today, deadline,
                              state, &overdue);
    int editable = str_eq(status, "待录入") || str_eq(status, "退回");
    json_object_set_new(o, "deadline", json_string(deadline));
    deadline_json_set(o, "deadline_text", "provisional", deadline, drc == CAL_PROVISIONAL);
    json_object_set_new(o, "deadline_state", json_string(editable ? state : "已提交"));
    json_object_set_new(o, "overdue", json_boolean(editable && overdue));
    json_object_set_new(o, "editable", json_boolean(editable));
    json_object_set_new(o, "returned", json_boolean(str_eq(status, "退回")));
}

/* The group's current members, each marked when listed among the record's officers. */
static json_t *form_members(Db *db, const json_t *o, const json_t *officers) {
    json_t *members = json_array();
    Stmt *st = db_prepare(
        db,
        "SELECT m.member_code, m.role, coalesce(f.name, e.name, m.member_code) FROM draw_member m "
        "LEFT JOIN officer f ON f.cert_no = m.member_code LEFT JOIN expert e ON e.code = "
        "m.member_code "
        "WHERE m.draw_id = ? AND m.target_code = ? AND m.status = '在组' ORDER BY m.role <> "
        "'组长', m.role = '专家', m.member_code");
    if (!st) return members;
    db_bind_int(st, 1, json_integer_value(json_object_get(o, "draw_id")));
    db_bind_text(st, 2, str_of(o, "target_code"));
    while (db_step(st) == DB_ROW) {
        int present = 0;
        size_t i;
        json_t *e;
        json_array_foreach(officers, i, e) present |=
            str_eq(json_string_value(e), db_col_text(st, 0));
        json_array_append_new(
            members, json_pack("{s:s, s:s, s:s, s:b, s:b}", "cert_no", db_col_text(st, 0), "role",
                               db_col_text(st, 1), "name", db_col_text(st, 2), "officer",
                               !str_eq(db_col_text(st, 1), "专家"), "present", present));
    }
    db_finalize(st);
    return members;
}

/* Items with their lists split and labelled; violations with the amount in yuan. */
static void form_lists(Db *db, json_t *o) {
    json_t *it, *v;
    size_t i;
    json_array_foreach(json_object_get(o, "items"), i, it) {
        const char *m = str_of(it, "methods"), *r = str_of(it, "result");
        json_object_set_new(it, "method_list", split_json(m));
        json_object_set_new(it, "result_list", split_json(r));
        json_object_set_new(it, "method_labels", labelled(db, "inspection_methods", m));
        json_object_set_new(it, "result_labels", labelled(db, "result_categories", r));
    }
    json_array_foreach(json_object_get(o, "violations"), i, v) {
        char amount[40];
        money_format_yuan(json_integer_value(json_object_get(v, "amount_cents")), amount);
        json_object_set_new(v, "amount", json_string(amount));
    }
}

json_t *record_json(Db *db, int64_t id, const Calendar *cal, const char *today) {
    json_t *o = record_view_read(db, id, RECORD_VIEW_FORM);
    if (!o) return NULL;
    form_deadline(o, cal, today);
    record_view_period(o);
    const char *rc_list = str_of(o, "result_codes");
    json_object_set_new(o, "results", labelled(db, "result_categories", rc_list));
    json_object_set_new(o, "result_list", split_json(rc_list));
    json_t *officers = split_json(str_of(o, "officers"));
    json_object_set_new(o, "members", form_members(db, o, officers));
    json_object_set_new(o, "officer_list", officers);
    form_lists(db, o);
    record_view_strip(o);
    return o;
}
