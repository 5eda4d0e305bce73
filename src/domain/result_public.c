/* result_public.c - the public record (result_public_record, result.h: what 公示 shows, never
 * personal data of an insured person) and the public portal's search and view over the published
 * snapshots. Called by result_publish.c and the public pages (page_result_public.c). */
#include "result_impl.h"

#include <stdlib.h>
#include <string.h>

static const char *const INSURED_NAME = "参保人（个人信息不公开）";

static json_t *str_or_null(const char *s) {
    return str_empty(s) ? json_null() : json_string(s);
}

json_t *result_public_record(const ResultPublicInput *in) {
    int insured = str_eq(in->target_kind, "insured");
    char *type = result_type_label(in->task_kind, in->joint);
    json_t *labels = json_array();
    Buf text;
    buf_init(&text);
    buf_puts(&text, "");
    for (size_t i = 0; i < in->nresults; i++) {
        json_array_append_new(labels, json_string(in->result_labels[i]));
        buf_printf(&text, "%s%s", i ? "；" : "", in->result_labels[i]);
    }
    json_t *o = json_object();
    json_object_set_new(o, "org_name", json_string(in->org_name ? in->org_name : ""));
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "date", json_string(in->checked_on ? in->checked_on : ""));
    json_object_set_new(o, "results", labels);
    json_object_set_new(o, "result_text", json_string(text.data));
    json_object_set_new(o, "remarks", json_string(in->remarks ? in->remarks : ""));
    json_object_set_new(o, "target_kind", json_string(in->target_kind ? in->target_kind : ""));
    json_object_set_new(o, "insured", json_boolean(insured));
    /* An insured person: the placeholder and the pseudonymous draw code only. */
    json_object_set_new(o, "target_name",
                        json_string(insured           ? INSURED_NAME
                                    : in->target_name ? in->target_name
                                                      : ""));
    json_object_set_new(o, "target_code", json_string(in->target_code ? in->target_code : ""));
    json_object_set_new(o, "uscc", insured ? json_null() : str_or_null(in->uscc));
    json_object_set_new(o, "mi_code", insured ? json_null() : str_or_null(in->mi_code));
    json_object_set_new(o, "task_code", json_string(in->task_code ? in->task_code : ""));
    json_object_set_new(o, "task_name", json_string(in->task_name ? in->task_name : ""));
    json_object_set_new(o, "published_on", json_string(in->published_on ? in->published_on : ""));
    buf_free(&text);
    free(type);
    return o;
}

/* The public search: ?1 the text searched, ?2 its containment pattern (db_like_contains), over the
 * snapshot's searched fields that publication stores beside it (sql/030: public_name = its
 * target_name, …). One query, as before; LIKE with the pattern's wildcards escaped is the portable
 * form of "contains" (what instr() > 0 on json_extract() was). */
#define PUBLIC_MATCH                                                                               \
    "r.status = '已公示' AND r.published_json IS NOT NULL AND (?1 = '' OR "                     \
    "coalesce(r.public_name, '') LIKE ?2 ESCAPE '\\' OR coalesce(r.public_code, '') LIKE ?2 "      \
    "ESCAPE '\\' OR "                                                                              \
    "coalesce(r.public_uscc, '') LIKE ?2 ESCAPE '\\' OR coalesce(r.public_mi_code, '') LIKE ?2 "   \
    "ESCAPE '\\')"

static json_t *public_of(int64_t id, const char *pj) {
    json_t *p = pj ? json_loads(pj, 0, NULL) : NULL;
    if (!p) return NULL;
    json_object_set_new(p, "id", json_integer(id));
    return p;
}

json_t *result_public_search(Db *db, const char *q, int page, int per_page, int64_t *total) {
    const char *qq = q ? q : "";
    char *like = db_like_contains(qq);
    *total = 0;
    if (db_query_int(db, total, "SELECT count(*) FROM record r WHERE " PUBLIC_MATCH, "tt", qq,
                     like) != DB_OK)
        *total = 0; /* display only: the pager shows no total */
    json_t *a = json_array();
    Stmt *st = db_prepare(db, "SELECT r.id, r.published_json FROM record r WHERE " PUBLIC_MATCH
                              " ORDER BY r.published_at DESC, r.id DESC LIMIT ?3 OFFSET ?4");
    if (!st) {
        free(like);
        return a;
    }
    db_bind_text(st, 1, qq);
    db_bind_text(st, 2, like);
    free(like);
    db_bind_int(st, 3, per_page);
    db_bind_int(st, 4, (int64_t)(page > 1 ? page - 1 : 0) * per_page);
    while (db_step(st) == DB_ROW) {
        json_t *p = public_of(db_col_int(st, 0), db_col_text(st, 1));
        if (p) json_array_append_new(a, p);
    }
    db_finalize(st);
    return a;
}

json_t *result_public_get(Db *db, int64_t id) {
    char *pj = NULL;
    if (db_query_text(db, &pj,
                      "SELECT published_json FROM record WHERE id = ? AND status = '已公示'", "i",
                      id) != DB_OK)
        return NULL; /* as not published */
    json_t *p = public_of(id, pj);
    free(pj);
    return p;
}
