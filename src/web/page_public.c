/* page_public.c - the public portal under /public/, without login. Shows only what is meant to
 * be public: the published item list (随机抽查事项清单). Never personal data, never credit
 * grades. Later issues add plans, schemes, draws and results here. */
#include "../domain/directory.h"
#include "web.h"

#include <stdlib.h>
#include <string.h>

static char *labels(const Choice *c, const char *codes) {
    Buf b;
    buf_init(&b);
    char *copy = xstrdup(codes ? codes : "");
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        buf_printf(&b, "%s%s", b.len ? "、" : "", dir_choice_label(c, t));
    free(copy);
    return buf_steal(&b);
}

void page_public_index(Req *r) {
    json_t *orgs = json_array();
    Stmt *st = db_prepare(r->db, "SELECT o.code, o.name, (SELECT count(*) FROM item i WHERE i.org_id = o.id AND i.status = '启用') "
                                 "FROM org o WHERE o.status = '启用' ORDER BY o.code");
    while (st && db_step(st) == DB_ROW)
        json_array_append_new(orgs, json_pack("{s:s, s:s, s:I}", "code", db_col_text(st, 0), "name", db_col_text(st, 1),
                                              "items", (json_int_t)db_col_int(st, 2)));
    db_finalize(st);
    web_page(r, "public_index", "公开门户", json_pack("{s:o}", "orgs", orgs));
}

void page_public_items(Req *r) {
    char *org = web_query(r, "org");
    json_t *items = json_array();
    Stmt *st = db_prepare(r->db,
                          "SELECT i.code, i.name, i.basis, d.name, i.target_kinds, i.content, i.ratio, i.frequency, "
                          "i.methods, i.class, o.name, o.code FROM item i JOIN dept d ON d.id = i.dept_id "
                          "JOIN org o ON o.id = i.org_id WHERE i.status = '启用' AND (? IS NULL OR o.code = ?) "
                          "ORDER BY o.code, i.code");
    if (st) {
        db_bind_text(st, 1, org && *org ? org : NULL);
        db_bind_text(st, 2, org ? org : "");
        while (db_step(st) == DB_ROW) {
            char *kinds = labels(target_kinds, db_col_text(st, 4)), *methods = labels(inspection_methods, db_col_text(st, 8));
            json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, s:s, s:s}", "code", db_col_text(st, 0),
                                                   "name", db_col_text(st, 1), "basis", db_col_text(st, 2), "dept",
                                                   db_col_text(st, 3), "kinds", kinds, "content", db_col_text(st, 5), "ratio",
                                                   db_col_text(st, 6), "frequency", db_col_text(st, 7), "methods", methods,
                                                   "class", db_col_text(st, 9), "org", db_col_text(st, 10)));
            free(kinds);
            free(methods);
        }
        db_finalize(st);
    }
    free(org);
    web_page(r, "public_items", "随机抽查事项清单", json_pack("{s:o, s:I}", "items", items, "count", (json_int_t)json_array_size(items)));
}
