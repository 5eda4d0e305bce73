/* result_exchange.c - the credit exchange export (result.h): rows of the published records (insured
 * persons excluded) in the credit information system's columns, and the CSV file made of them
 * (formula-like cells defused). Called by the results export page and API. */
#include "result_impl.h"

#include <string.h>

void result_csv_field(Buf *b, const char *s) {
    if (!s) s = "";
    if (str_formula_like(s)) { /* a typed remark must not run as a formula in Excel */
        char *safe = xasprintf("'%s", s);
        result_csv_field(b, safe);
        free(safe);
        return;
    }
    if (!strpbrk(s, ",\"\r\n")) {
        buf_puts(b, s);
        return;
    }
    buf_putc(b, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"') buf_putc(b, '"');
        buf_putc(b, *p);
    }
    buf_putc(b, '"');
}

const char *const result_exchange_headers[8] = {
    "统一社会信用代码", "名称", "检查实施机关", "类型", "日期", "结果", "备注", "任务编号"};

char *result_exchange_csv(json_t *rows) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "\xEF\xBB\xBF");
    for (size_t i = 0; i < ARRAY_LEN(result_exchange_headers); i++) {
        if (i) buf_putc(&b, ',');
        result_csv_field(&b, result_exchange_headers[i]);
    }
    buf_puts(&b, "\r\n");
    size_t k;
    json_t *row;
    json_array_foreach(rows, k, row) {
        for (size_t i = 0; i < ARRAY_LEN(result_exchange_headers); i++) {
            if (i) buf_putc(&b, ',');
            result_csv_field(&b,
                             json_string_value(json_object_get(row, result_exchange_headers[i])));
        }
        buf_puts(&b, "\r\n");
    }
    return buf_steal(&b);
}

/* 1 when the published snapshot p is exchanged: not an insured person, published within [from, to]
 * (either may be NULL; a snapshot without its publication day is outside any bound). Read in C
 * from the snapshot the query returns anyway, so the SQL needs no JSON functions. */
static int exchanged(const json_t *p, const char *from, const char *to) {
    if (json_is_true(json_object_get(p, "insured"))) return 0;
    const char *on = json_string_value(json_object_get(p, "published_on"));
    if (from && (!on || strcmp(on, from) < 0)) return 0;
    if (to && (!on || strcmp(on, to) > 0)) return 0;
    return 1;
}

json_t *result_exchange_rows(Db *db, int64_t scope_org, const char *from, const char *to) {
    json_t *a = json_array();
    Stmt *st = db_prepare(
        db,
        "SELECT r.published_json FROM record r WHERE r.status = '已公示' AND r.published_json IS "
        "NOT NULL AND " RESULT_SCOPE_SQL("r.org_id") " ORDER BY r.published_at, r.id");
    if (!st) return a;
    db_bind_int(st, 1, scope_org);
    db_bind_int(st, 2, scope_org);
    while (db_step(st) == DB_ROW) {
        json_t *p = json_loads(db_col_text(st, 0), 0, NULL);
        if (!p) continue;
        if (!exchanged(p, from, to)) {
            json_decref(p);
            continue;
        }
        const char *v[8] = {json_string_value(json_object_get(p, "uscc")),
                            json_string_value(json_object_get(p, "target_name")),
                            json_string_value(json_object_get(p, "org_name")),
                            json_string_value(json_object_get(p, "type")),
                            json_string_value(json_object_get(p, "date")),
                            json_string_value(json_object_get(p, "result_text")),
                            json_string_value(json_object_get(p, "remarks")),
                            json_string_value(json_object_get(p, "task_code"))};
        json_t *row = json_object();
        for (size_t i = 0; i < 8; i++)
            json_object_set_new(row, result_exchange_headers[i], json_string(v[i] ? v[i] : ""));
        json_array_append_new(a, row);
        json_decref(p);
    }
    db_finalize(st);
    return a;
}
