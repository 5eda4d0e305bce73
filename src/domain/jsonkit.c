/* jsonkit.c - JSON field helpers (see jsonkit.h). */
#include "jsonkit.h"

#include "../core/util.h"

#include <string.h>

const char *jk_str(const json_t *o, const char *key) {
    return json_string_value(json_object_get(o, key));
}

const char *jk_str0(const json_t *o, const char *key) {
    const char *s = jk_str(o, key);
    return s ? s : "";
}

json_t *jk_list(const char *text, ListKind kind, int unique) {
    char **v;
    size_t n = list_split(text, kind, &v);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        int seen = 0;
        for (size_t j = 0; unique && j < i && !seen; j++)
            seen = !strcmp(v[i], v[j]);
        if (!seen) json_array_append_new(a, json_string(v[i]));
    }
    list_free(v, n);
    return a;
}

char *jk_attr(const char *json, const char *key) {
    json_t *o = json ? json_loads(json, 0, NULL) : NULL;
    json_t *v = json_object_get(o, key);
    char *out = json_is_string(v)    ? xstrdup(json_string_value(v))
                : json_is_integer(v) ? xasprintf("%lld", (long long)json_integer_value(v))
                : json_is_boolean(v) ? xstrdup(json_is_true(v) ? "1" : "0")
                                     : NULL;
    json_decref(o);
    return out;
}

json_t *jk_row(Stmt *st) {
    json_t *o = json_object();
    for (int i = 0; i < db_col_count(st); i++) {
        const char *v = db_col_text(st, i);
        json_object_set_new(o, db_col_name(st, i), v ? json_string(v) : json_null());
    }
    return o;
}

char *jk_row_text(Db *db, const char *sql, int64_t id, size_t flags) {
    Stmt *st = db_prepare(db, sql);
    if (!st) return NULL;
    db_bind_int(st, 1, id);
    char *out = NULL;
    if (db_step(st) == DB_ROW) {
        json_t *o = jk_row(st);
        out = json_dumps(o, flags);
        json_decref(o);
    }
    db_finalize(st);
    return out;
}
