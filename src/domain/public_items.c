/* public_items.c - the published item list for the public portal (see public_items.h). Called by
 * page_public.c. SQL is static text with bound values. */
#include "public_items.h"

#include "../core/util.h"
#include "directory.h"
#include "jsonkit.h"

#include <stdlib.h>
#include <string.h>

/* The labels of a ',' list of codes, joined with "、". New string. */
static char *labels(const Choice *c, const char *codes) {
    Buf b;
    buf_init(&b);
    char *copy = xstrdup(codes ? codes : "");
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        buf_printf(&b, "%s%s", b.len ? "、" : "", dir_choice_label(c, t));
    free(copy);
    return buf_steal(&b);
}

json_t *public_items_orgs(Db *db) {
    json_t *orgs = json_array();
    Stmt *st = db_prepare(db, "SELECT o.code, o.name, (SELECT count(*) FROM item i WHERE i.org_id "
                              "= o.id AND i.status = '启用') "
                              "FROM org o WHERE o.status = '启用' ORDER BY o.code");
    while (st && db_step(st) == DB_ROW)
        json_array_append_new(orgs, json_pack("{s:s, s:s, s:I}", "code", db_col_text(st, 0), "name",
                                              db_col_text(st, 1), "items",
                                              (json_int_t)db_col_int(st, 2)));
    db_finalize(st);
    return orgs;
}

json_t *public_items_list(Db *db, const char *org_code) {
    json_t *items = json_array();
    Stmt *st = db_prepare(
        db,
        "SELECT i.code, i.name, i.basis, d.name, i.target_kinds, i.content, i.ratio, i.frequency, "
        "i.methods, i.class, o.name, o.code, i.id FROM item i JOIN dept d ON d.id = i.dept_id "
        "JOIN org o ON o.id = i.org_id WHERE i.status = '启用' AND (? IS NULL OR o.code = ?) "
        "ORDER BY o.code, i.code");
    if (!st) return items;
    db_bind_text(st, 1, org_code && *org_code ? org_code : NULL);
    db_bind_text(st, 2, org_code ? org_code : "");
    while (db_step(st) == DB_ROW) {
        char *kinds = labels(target_kinds, db_col_text(st, 4)),
             *methods = labels(inspection_methods, db_col_text(st, 8));
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, s:s, s:s}", "id",
                      (json_int_t)db_col_int(st, 12), "code", db_col_text(st, 0), "name",
                      db_col_text(st, 1), "basis", db_col_text(st, 2), "dept", db_col_text(st, 3),
                      "kinds", kinds, "content", db_col_text(st, 5), "ratio", db_col_text(st, 6),
                      "frequency", db_col_text(st, 7), "methods", methods, "class",
                      db_col_text(st, 9), "org", db_col_text(st, 10)));
        free(kinds);
        free(methods);
    }
    db_finalize(st);
    return items;
}

/* The public fields of an item, in the order the page shows them: column, label, how to show. */
static const struct {
    const char *col, *label;
    const Choice *choices; /* a ',' list of codes shown by their labels */
    const char *ref;       /* a referenced table whose name is shown */
} pub_fields[] = {
    {"name", "抽查事项名称", NULL, NULL},
    {"basis", "抽查依据", NULL, NULL},
    {"dept_id", "抽查主体", NULL, "dept"},
    {"org_id", "所属机构", NULL, "org"},
    {"target_kinds", "抽查对象", target_kinds, NULL},
    {"content", "抽查内容", NULL, NULL},
    {"ratio", "抽查比例", NULL, NULL},
    {"frequency", "抽查频次", NULL, NULL},
    {"methods", "抽查方式", inspection_methods, NULL},
    {"class", "事项类别", NULL, NULL},
    {"status", "状态", NULL, NULL},
    {"status_reason", "状态原因", NULL, NULL},
};

/* A stored row (all values as text, as jk_row gives them) as the public reads it:
 * {label: text}, references by name, codes by label. */
static json_t *public_view(Db *db, const json_t *row) {
    json_t *v = json_object();
    for (size_t i = 0; i < ARRAY_LEN(pub_fields); i++) {
        const char *raw = json_string_value(json_object_get(row, pub_fields[i].col));
        char *text = NULL;
        if (pub_fields[i].choices)
            text = labels(pub_fields[i].choices, raw);
        else if (pub_fields[i].ref && raw) {
            char *sql = xasprintf("SELECT name FROM %s WHERE id = ?", pub_fields[i].ref);
            if (db_query_text(db, &text, sql, "i", (int64_t)strtoll(raw, NULL, 10)) != DB_OK)
                text = NULL; /* display only: the id stands for the name */
            free(sql);
            if (!text) text = xstrdup(raw);
        } else
            text = xstrdup(raw ? raw : "");
        json_object_set_new(v, pub_fields[i].label, json_string(text));
        free(text);
    }
    return v;
}

json_t *public_items_history(Db *db, int64_t item_id) {
    Stmt *st = db_prepare(db, "SELECT * FROM item WHERE id = ?");
    if (!st || db_bind_va(st, "i", item_id) != DB_OK || db_step(st) != DB_ROW) {
        db_finalize(st);
        return NULL;
    }
    json_t *row = jk_row(st), *views = json_array(), *dates = json_array();
    db_finalize(st);
    st = db_prepare(db, "SELECT data, substr(replaced_at, 1, 10) FROM entity_version WHERE entity "
                        "= 'item' AND entity_id = ? ORDER BY version");
    if (st && db_bind_va(st, "i", item_id) == DB_OK)
        while (db_step(st) == DB_ROW) {
            json_t *old = json_loads(db_col_text(st, 0), 0, NULL);
            if (!old) continue;
            json_array_append_new(views, public_view(db, old));
            json_array_append_new(dates, json_string(db_col_text(st, 1)));
            json_decref(old);
        }
    db_finalize(st);
    json_t *cur = public_view(db, row);
    json_array_append(views, cur);
    /* change k (k ≥ 1): what differs between views k-1 and k, made on the day view k-1 was
     * replaced; newest first */
    json_t *changes = json_array();
    for (size_t k = json_array_size(views) - 1; k >= 1; k--) {
        json_t *a = json_array_get(views, k - 1), *b = json_array_get(views, k),
               *fields = json_array();
        for (size_t i = 0; i < ARRAY_LEN(pub_fields); i++) {
            const char *x = json_string_value(json_object_get(a, pub_fields[i].label)),
                       *y = json_string_value(json_object_get(b, pub_fields[i].label));
            if (!str_eq(x, y))
                json_array_append_new(fields,
                                      json_pack("{s:s, s:s, s:s}", "label", pub_fields[i].label,
                                                "before", x ? x : "", "after", y ? y : ""));
        }
        if (json_array_size(fields))
            json_array_append_new(
                changes,
                json_pack("{s:O, s:o}", "on", json_array_get(dates, k - 1), "fields", fields));
        else
            json_decref(fields);
    }
    json_t *shown = json_array();
    for (size_t i = 0; i < ARRAY_LEN(pub_fields); i++)
        json_array_append_new(shown, json_pack("{s:s, s:O}", "label", pub_fields[i].label, "value",
                                               json_object_get(cur, pub_fields[i].label)));
    json_t *out =
        json_pack("{s:O, s:O, s:o, s:o, s:b}", "code", json_object_get(row, "code"), "name",
                  json_object_get(row, "name"), "fields", shown, "changes", changes, "enabled",
                  str_eq(json_string_value(json_object_get(row, "status")), "启用"));
    json_decref(cur);
    json_decref(views);
    json_decref(dates);
    json_decref(row);
    return out;
}
