/* record_view.c - what a record looks like as JSON: the stored snapshot (record_version, the audit
 * log) and the record form's view (record_json, record.h) with its lists labelled from refdata.
 * Read-only. Called by record_save.c (the snapshot before a change) and the record pages. */
#include "record_impl.h"

#include "../core/money.h"
#include "../core/util.h"
#include "deadline.h"

#include <stdio.h>
#include <stdlib.h>

static json_t *split_json(const char *list) {
    json_t *a = json_array();
    size_t n = 0;
    json_t *s = json_string(list ? list : "");
    char **v = rec_strv_from(s, &n);
    json_decref(s);
    for (size_t i = 0; i < n; i++) json_array_append_new(a, json_string(v[i]));
    rec_strv_free(v, n);
    return a;
}

static char *ref_label(Db *db, const char *set, const char *code) {
    char *s = NULL;
    db_query_text(db, &s, "SELECT label FROM refdata WHERE set_name = ? AND code = ?", "tt", set, code);
    return s ? s : xstrdup(code ? code : "");
}

static json_t *text_or_null(const char *s) { return s ? json_string(s) : json_null(); }

json_t *rec_snapshot(Db *db, int64_t id) {
    json_t *o = NULL;
    Stmt *st = db_prepare(db, "SELECT version, status, checked_from, checked_on, result_codes, remarks, notes, officers, signer_name, "
                              "signature_file_id, refusal_reason, fraud_purpose, police_transfer, org_id FROM record WHERE id = ?");
    if (!st) return NULL;
    db_bind_int(st, 1, id);
    if (db_step(st) == DB_ROW) {
        char org[24];
        snprintf(org, sizeof org, "%lld", (long long)db_col_int(st, 13));
        o = json_pack("{s:I, s:I, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:b, s:s}", "id", (json_int_t)id, "version",
                      (json_int_t)db_col_int(st, 0), "status", db_col_text(st, 1), "checked_from", text_or_null(db_col_text(st, 2)),
                      "checked_on", text_or_null(db_col_text(st, 3)), "result_codes", db_col_text(st, 4), "remarks", db_col_text(st, 5),
                      "notes", db_col_text(st, 6), "officers", db_col_text(st, 7), "signer_name", text_or_null(db_col_text(st, 8)),
                      "signature_file_id", db_col_is_null(st, 9) ? json_null() : json_integer(db_col_int(st, 9)), "refusal_reason",
                      text_or_null(db_col_text(st, 10)), "fraud_purpose", (int)db_col_int(st, 11), "police_transfer",
                      (int)db_col_int(st, 12), "org_id", org);
    }
    db_finalize(st);
    if (!o) return NULL;
    json_t *items = json_array(), *viol = json_array();
    st = db_prepare(db, "SELECT position, dept_name, item_name, methods, result, notes FROM record_item WHERE record_id = ? ORDER BY position");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "position", (json_int_t)db_col_int(st, 0), "dept_name",
                                                   db_col_text(st, 1), "item_name", db_col_text(st, 2), "methods", db_col_text(st, 3),
                                                   "result", db_col_text(st, 4), "notes", db_col_text(st, 5)));
        db_finalize(st);
    }
    st = db_prepare(db, "SELECT id, item_position, category, amount_cents, description FROM record_violation "
                        "WHERE record_id = ? AND status = '有效' ORDER BY id");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(viol, json_pack("{s:I, s:o, s:s, s:I, s:s}", "id", (json_int_t)db_col_int(st, 0), "item_position",
                                                  db_col_is_null(st, 1) ? json_null() : json_integer(db_col_int(st, 1)), "category",
                                                  db_col_text(st, 2), "amount_cents", (json_int_t)db_col_int(st, 3), "description",
                                                  db_col_text(st, 4)));
        db_finalize(st);
    }
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "violations", viol);
    return o;
}

char *record_snapshot_text(Db *db, int64_t id) {
    json_t *s = rec_snapshot(db, id);
    char *t = s ? json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(s);
    return t;
}

static json_t *labelled(Db *db, const char *set, const char *list) {
    json_t *a = split_json(list), *out = json_array(), *e;
    size_t i;
    json_array_foreach(a, i, e) {
        char *l = ref_label(db, set, json_string_value(e));
        json_array_append_new(out, json_pack("{s:s, s:s}", "code", json_string_value(e), "label", l));
        free(l);
    }
    json_decref(a);
    return out;
}

json_t *record_json(Db *db, int64_t id, const Calendar *cal, const char *today) {
    json_t *o = rec_snapshot(db, id);
    if (!o) return NULL;
    Stmt *st = db_prepare(db, "SELECT r.task_id, t.code, t.name, r.draw_id, r.target_code, coalesce(g.name, r.target_code), g.kind, "
                              "t.month_to, r.submitted_at, r.submitted_by, r.review_opinion, o.name, r.updated_at, r.updated_by "
                              "FROM record r JOIN task t ON t.id = r.task_id JOIN org o ON o.id = r.org_id "
                              "LEFT JOIN target g ON g.code = r.target_code WHERE r.id = ?");
    if (!st) {
        json_decref(o);
        return NULL;
    }
    db_bind_int(st, 1, id);
    int64_t draw_id = 0;
    char *target = NULL;
    if (db_step(st) == DB_ROW) {
        draw_id = db_col_int(st, 3);
        target = xstrdup(db_col_text(st, 4));
        const char *status = json_string_value(json_object_get(o, "status"));
        char deadline[11], state[64];
        int overdue = 0;
        int drc = record_deadline(cal, json_string_value(json_object_get(o, "checked_on")), db_col_text(st, 7), today, deadline,
                                  state, &overdue);
        int editable = str_eq(status, "待录入") || str_eq(status, "退回");
        json_object_set_new(o, "task_id", json_integer(db_col_int(st, 0)));
        json_object_set_new(o, "task_code", json_string(db_col_text(st, 1)));
        json_object_set_new(o, "task_name", json_string(db_col_text(st, 2)));
        json_object_set_new(o, "draw_id", json_integer(draw_id));
        json_object_set_new(o, "target_code", json_string(target));
        json_object_set_new(o, "target_name", json_string(db_col_text(st, 5)));
        json_object_set_new(o, "org_name", json_string(db_col_text(st, 11)));
        json_object_set_new(o, "deadline", json_string(deadline));
        deadline_json_set(o, "deadline_text", "provisional", deadline, drc == CAL_PROVISIONAL);
        json_object_set_new(o, "deadline_state", json_string(editable ? state : "已提交"));
        json_object_set_new(o, "overdue", json_boolean(editable && overdue));
        json_object_set_new(o, "editable", json_boolean(editable));
        json_object_set_new(o, "returned", json_boolean(str_eq(status, "退回")));
        json_object_set_new(o, "submitted_at", text_or_null(db_col_text(st, 8)));
        json_object_set_new(o, "submitted_by", text_or_null(db_col_text(st, 9)));
        json_object_set_new(o, "review_opinion", text_or_null(db_col_text(st, 10)));
        json_object_set_new(o, "updated_at", json_string(db_col_text(st, 12)));
        json_object_set_new(o, "updated_by", text_or_null(db_col_text(st, 13)));
    }
    db_finalize(st);
    /* lists for the form */
    const char *rc_list = json_string_value(json_object_get(o, "result_codes"));
    json_object_set_new(o, "results", labelled(db, "result_categories", rc_list));
    json_object_set_new(o, "result_list", split_json(rc_list));
    json_t *officers = split_json(json_string_value(json_object_get(o, "officers")));
    json_t *members = json_array();
    st = db_prepare(db, "SELECT m.member_code, m.role, coalesce(f.name, e.name, m.member_code) FROM draw_member m "
                        "LEFT JOIN officer f ON f.cert_no = m.member_code LEFT JOIN expert e ON e.code = m.member_code "
                        "WHERE m.draw_id = ? AND m.target_code = ? AND m.status = '在组' ORDER BY m.role <> '组长', m.role = '专家', m.member_code");
    if (st) {
        db_bind_int(st, 1, draw_id);
        db_bind_text(st, 2, target);
        while (db_step(st) == DB_ROW) {
            int present = 0;
            size_t i;
            json_t *e;
            json_array_foreach(officers, i, e) present |= str_eq(json_string_value(e), db_col_text(st, 0));
            json_array_append_new(members, json_pack("{s:s, s:s, s:s, s:b, s:b}", "cert_no", db_col_text(st, 0), "role", db_col_text(st, 1),
                                                     "name", db_col_text(st, 2), "officer", !str_eq(db_col_text(st, 1), "专家"), "present",
                                                     present));
        }
        db_finalize(st);
    }
    free(target);
    json_object_set_new(o, "officer_list", officers);
    json_object_set_new(o, "members", members);
    /* items with their lists split and labelled */
    json_t *items = json_object_get(o, "items"), *it;
    size_t i;
    json_array_foreach(items, i, it) {
        const char *m = json_string_value(json_object_get(it, "methods")), *r = json_string_value(json_object_get(it, "result"));
        json_object_set_new(it, "method_list", split_json(m));
        json_object_set_new(it, "result_list", split_json(r));
        json_object_set_new(it, "method_labels", labelled(db, "inspection_methods", m));
        json_object_set_new(it, "result_labels", labelled(db, "result_categories", r));
    }
    json_t *viol = json_object_get(o, "violations"), *v;
    json_array_foreach(viol, i, v) {
        char amount[40];
        money_format_yuan(json_integer_value(json_object_get(v, "amount_cents")), amount);
        json_object_set_new(v, "amount", json_string(amount));
        char *l = ref_label(db, "violation_categories", json_string_value(json_object_get(v, "category")));
        json_object_set_new(v, "category_label", json_string(l));
        free(l);
    }
    json_t *files = json_array();
    st = db_prepare(db, "SELECT id, kind, mime, size, sha256, coalesce(original_name, ''), status, status_reason, uploaded_at, uploaded_by "
                        "FROM record_file WHERE record_id = ? ORDER BY id");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW) {
            const char *kind = db_col_text(st, 1);
            json_array_append_new(files, json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:o, s:s, s:o, s:b, s:b, s:b, s:b}", "id",
                                                   (json_int_t)db_col_int(st, 0), "kind", kind, "mime", db_col_text(st, 2), "size",
                                                   (json_int_t)db_col_int(st, 3), "sha256", db_col_text(st, 4), "original_name",
                                                   db_col_text(st, 5), "status", db_col_text(st, 6), "status_reason",
                                                   text_or_null(db_col_text(st, 7)), "uploaded_at", db_col_text(st, 8), "uploaded_by",
                                                   text_or_null(db_col_text(st, 9)), "active", str_eq(db_col_text(st, 6), "有效"),
                                                   "is_photo", str_eq(kind, "photo"), "is_video", str_eq(kind, "video"), "is_signature",
                                                   str_eq(kind, "signature")));
        }
        db_finalize(st);
    }
    json_object_set_new(o, "files", files);
    json_t *versions = json_array(), *events = json_array();
    st = db_prepare(db, "SELECT version, changed_at, coalesce(changed_by, '') FROM record_version WHERE record_id = ? ORDER BY version DESC");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(versions, json_pack("{s:I, s:s, s:s}", "version", (json_int_t)db_col_int(st, 0), "changed_at",
                                                      db_col_text(st, 1), "changed_by", db_col_text(st, 2)));
        db_finalize(st);
    }
    st = db_prepare(db, "SELECT action, from_status, to_status, coalesce(opinion, ''), at, on_day, coalesce(by_user, '') FROM record_event "
                        "WHERE record_id = ? ORDER BY id");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(events, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "action", db_col_text(st, 0), "from_status",
                                                    db_col_text(st, 1), "to_status", db_col_text(st, 2), "opinion", db_col_text(st, 3), "at",
                                                    db_col_text(st, 4), "on_day", db_col_text(st, 5), "by_user", db_col_text(st, 6)));
        db_finalize(st);
    }
    json_object_set_new(o, "versions", versions);
    json_object_set_new(o, "events", events);
    return o;
}
