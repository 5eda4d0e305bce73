/* public_items.c - the published item list for the public portal (see public_items.h). Called by
 * page_public.c. SQL is static text with bound values. */
#include "public_items.h"

#include "../core/util.h"
#include "directory.h"

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
        "i.methods, i.class, o.name, o.code FROM item i JOIN dept d ON d.id = i.dept_id "
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
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, s:s, s:s}", "code",
                      db_col_text(st, 0), "name", db_col_text(st, 1), "basis", db_col_text(st, 2),
                      "dept", db_col_text(st, 3), "kinds", kinds, "content", db_col_text(st, 5),
                      "ratio", db_col_text(st, 6), "frequency", db_col_text(st, 7), "methods",
                      methods, "class", db_col_text(st, 9), "org", db_col_text(st, 10)));
        free(kinds);
        free(methods);
    }
    db_finalize(st);
    return items;
}
