/* stale.c - the side-by-side answer to a save made on an old version (stale.h). Pages compare
 * what was typed with what is saved now through stale_compare / stale_row and hand the rows to
 * stale_context, rendered by web/templates/stale.html inside their own form page; APIs answer
 * with stale_error. Pure functions over jansson values, no database. */
#include "stale.h"

#include <stdlib.h>
#include <string.h>

char *stale_text(const json_t *v) {
    if (json_is_string(v)) return xstrdup(json_string_value(v));
    if (json_is_integer(v)) return xasprintf("%lld", (long long)json_integer_value(v));
    if (json_is_real(v)) return xasprintf("%g", json_real_value(v));
    if (json_is_boolean(v)) return xstrdup(json_is_true(v) ? "是" : "否");
    Buf b;
    buf_init(&b);
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            char *t = stale_text(e);
            if (*t) buf_printf(&b, "%s%s", b.len ? "、" : "", t);
            free(t);
        }
    }
    return b.len ? buf_steal(&b) : (buf_free(&b), xstrdup(""));
}

size_t stale_row(json_t *rows, const char *label, const char *saved, const char *typed) {
    int differs = !str_eq(saved ? saved : "", typed ? typed : "");
    json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:b}", "label", label, "saved",
                                          saved ? saved : "", "typed", typed ? typed : "",
                                          "differs", differs));
    return (size_t)differs;
}

size_t stale_compare(json_t *rows, const StaleField *fields, size_t n, const json_t *saved,
                     const json_t *typed) {
    size_t differ = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_object_get(typed, fields[i].key);
        if (!t) continue;
        char *a = stale_text(json_object_get(saved, fields[i].key)), *b = stale_text(t);
        differ += stale_row(rows, fields[i].label, a, b);
        free(a);
        free(b);
    }
    return differ;
}

json_t *stale_context(const char *box_id, const char *unit, int64_t typed_version,
                      int64_t now_version, json_t *rows) {
    size_t i, differ = 0;
    json_t *e;
    json_array_foreach(rows, i, e) differ += json_is_true(json_object_get(e, "differs"));
    return json_pack("{s:s, s:s, s:I, s:I, s:o, s:I, s:b, s:I}", "box_id", box_id, "unit", unit,
                     "typed_version", (json_int_t)typed_version, "now_version",
                     (json_int_t)now_version, "rows", rows, "differ", (json_int_t)differ, "same",
                     differ == 0, "same_count", (json_int_t)(json_array_size(rows) - differ));
}

json_t *stale_error(const char *message, int64_t version, json_t *current) {
    json_t *e = json_pack("{s:s, s:s, s:I}", "code", "conflict", "message",
                          message ? message : "已被他人修改", "version", (json_int_t)version);
    if (current) json_object_set_new(e, "current", current);
    return json_pack("{s:o}", "error", e);
}
