/* dir_view.c - listing, detail with history, and saving of directory rows for the pages and the
 * JSON API (see dir_view.h). Every query is limited to the user's org scope: a county bureau's
 * user never sees or changes a neighbouring county's rows. */
#include "dir_view.h"

#include "../domain/codes.h"

#include <stdlib.h>
#include <string.h>

typedef struct Params {
    char type[32]; /* 'i' or 't' */
    int64_t i[32];
    char *t[32];
    int n;
} Params;

static void p_int(Params *p, int64_t v) {
    ASSERT(p->n < 32);
    p->type[p->n] = 'i';
    p->i[p->n++] = v;
}
static void p_text(Params *p, char *v) { /* takes ownership */
    ASSERT(p->n < 32);
    p->type[p->n] = 't';
    p->t[p->n++] = v;
}
static void p_free(Params *p) {
    for (int k = 0; k < p->n; k++)
        if (p->type[k] == 't') free(p->t[k]);
    p->n = 0;
}
static void p_bind(Params *p, Stmt *st) {
    for (int k = 0; k < p->n; k++) {
        if (p->type[k] == 'i') db_bind_int(st, k + 1, p->i[k]);
        else db_bind_text(st, k + 1, p->t[k]);
    }
}

const DirKind *dv_kind(Req *r) {
    const DirKind *k = dir_kind_find(web_param(r, "kind") ? web_param(r, "kind") : "");
    if (!k) web_error(r, 404, "not_found", "没有这个名录");
    return k;
}

int dv_can_write(Req *r, const DirKind *k) {
    Route fake = {0};
    fake.perm = P_KIND_WRITE;
    return r->sess && web_role_has(r->sess->role, web_route_perm(&fake, k->name));
}

/* The scope condition of kind k, appended to `where` with its parameter. */
static void add_scope(Req *r, const DirKind *k, Buf *where, Params *p) {
    const char *col = dir_field_index(k, "org_id") >= 0 ? "t.org_id" : !strcmp(k->name, "orgs") ? "t.id" : NULL;
    if (!col) return;
    /* unary + keeps SQLite from driving the scan by the org index: pages are read in id order,
     * so the planner must walk the rowid from the keyset position and stop after one page */
    if (!strcmp(col, "t.id")) buf_puts(where, " AND " WEB_SCOPE_SQL("+t.id"));
    else buf_puts(where, " AND " WEB_SCOPE_SQL("+t.org_id"));
    p_int(p, r->sess->org_id);
}

static char *like_pattern(const char *s, int prefix_only) {
    Buf b;
    buf_init(&b);
    if (!prefix_only) buf_putc(&b, '%');
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\') buf_putc(&b, '\\');
        buf_putc(&b, *s);
    }
    buf_putc(&b, '%');
    return buf_steal(&b);
}

static int key_index(const DirKind *k) {
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].flags & FF_KEY) return (int)i;
    return 0;
}

/* WHERE clause from the query string's filters. */
static void build_filters(Req *r, const DirKind *k, Buf *where, Params *p) {
    buf_puts(where, " WHERE 1=1");
    add_scope(r, k, where, p);
    char *q = web_query(r, "q");
    if (q && *q) {
        str_trim(q);
        buf_printf(where, " AND (t.%s LIKE ? ESCAPE '\\' OR t.name LIKE ? ESCAPE '\\')",
                   k->fields[key_index(k)].column);
        p_text(p, like_pattern(q, 0));
        p_text(p, like_pattern(q, 0));
    }
    free(q);
    for (size_t i = 0; i < k->nfields; i++) {
        const DirField *f = &k->fields[i];
        char *v = web_query(r, f->column);
        if (v && *v) {
            if (f->type == FT_ENUM) {
                for (const Choice *c = f->choices; c->code; c++)
                    if (!strcmp(c->code, v)) {
                        buf_printf(where, " AND t.%s = ?", f->column);
                        p_text(p, xstrdup(v));
                    }
            } else if (f->type == FT_REGION) {
                int digits = 1;
                for (const char *s = v; *s; s++)
                    if (*s < '0' || *s > '9') digits = 0;
                if (digits && strlen(v) <= 6) {
                    buf_printf(where, " AND t.%s LIKE ? ESCAPE '\\'", f->column);
                    p_text(p, like_pattern(v, 1));
                }
            } else if (f->type == FT_REF) {
                buf_printf(where, " AND t.%s = (SELECT id FROM %s WHERE code = ?)", f->column, f->ref_table);
                p_text(p, xstrdup(v));
            } else if (f->type == FT_TAGS && k->link_table) {
                buf_printf(where, " AND t.id IN (SELECT %s FROM %s WHERE tag_id = (SELECT id FROM tag WHERE code = ?))",
                           k->link_fk, k->link_table);
                p_text(p, xstrdup(v));
            }
        }
        free(v);
    }
}

/* Names of referenced rows, cached for one page (a list shows the same org and depts on many
 * rows). The cache lives in the request thread and is cleared at the end of each list/get. */
#define NAME_CACHE 16
static _Thread_local struct {
    const char *table;
    char *code, *name;
} name_cache[NAME_CACHE];
static _Thread_local int name_cache_n;

static void name_cache_clear(void) {
    for (int i = 0; i < name_cache_n; i++) {
        free(name_cache[i].code);
        free(name_cache[i].name);
    }
    name_cache_n = 0;
}

static char *ref_name(Req *r, const char *table, const char *code) {
    for (int i = 0; i < name_cache_n; i++)
        if (name_cache[i].table == table && !strcmp(name_cache[i].code, code))
            return name_cache[i].name ? xstrdup(name_cache[i].name) : NULL;
    char *name = NULL;
    char *sql = xasprintf("SELECT name FROM %s WHERE code = ?", table);
    db_query_text(r->db, &name, sql, "t", code);
    free(sql);
    if (name_cache_n < NAME_CACHE) {
        name_cache[name_cache_n].table = table;
        name_cache[name_cache_n].code = xstrdup(code);
        name_cache[name_cache_n].name = name ? xstrdup(name) : NULL;
        name_cache_n++;
    }
    return name;
}

/* Display text of one field of a row in DirRow form (reference codes shown with their names,
 * ID numbers masked). */
static char *display(Req *r, const DirKind *k, int i, const char *v) {
    const DirField *f = &k->fields[i];
    if (!v) return xstrdup("");
    if (f->type == FT_REF) {
        char *name = ref_name(r, f->ref_table, v);
        char *s = name ? xasprintf("%s", name) : xstrdup(v);
        free(name);
        return s;
    }
    if (!strcmp(f->column, "id_number")) return mask_id_number(v);
    return dir_format_field(NULL, k, i, v);
}

/* 1 for the personal data masked for everyone by default (ID and phone numbers): unmasked only
 * in an export by an account granted 个人信息导出, for a stated purpose, audited. */
static int always_masked(const DirField *f) { return !strcmp(f->column, "id_number") || !strcmp(f->column, "phone"); }

/* A personal-data field (FF_SECRET: ID numbers, phones, addresses) as a reader may see it:
 * ID and phone numbers always masked, the others (addresses) for roles that cannot edit the kind. */
static char *secret_text(const DirField *f, const char *v, int full) {
    if (!v) return NULL;
    if (!strcmp(f->column, "id_number")) return mask_id_number(v);
    if (!strcmp(f->column, "phone")) return mask_phone(v);
    return full ? xstrdup(v) : xstrdup("（已隐藏）");
}

static json_t *row_json(Req *r, const DirKind *k, Stmt *st) {
    json_t *fields = json_object(), *disp = json_object();
    int full = dv_can_write(r, k), ki = dir_field_index(k, "kind");
    /* an insured person's name is personal data: masked (张*丰), never sent back to a form */
    int insured = !strcmp(k->table, "target") && ki >= 0 && str_eq(db_col_text(st, DIR_SELECT_FIRST_FIELD + ki), "insured");
    for (size_t i = 0; i < k->nfields; i++) {
        const DirField *f = &k->fields[i];
        const char *v = db_col_text(st, DIR_SELECT_FIRST_FIELD + (int)i);
        const char *col = f->column;
        if (insured && !strcmp(col, "name")) {
            char *m = mask_person_name(v);
            json_object_set_new(fields, col, json_null());
            json_object_set_new(disp, col, json_string(m));
            free(m);
            continue;
        }
        if (f->flags & FF_SECRET) {
            char *m = secret_text(f, v, full);
            /* ID and phone numbers are never sent back; edits leave them unchanged when empty */
            json_object_set_new(fields, col, m && !always_masked(f) && full ? json_string(m) : json_null());
            json_object_set_new(disp, col, json_string(m ? m : ""));
            free(m);
            continue;
        }
        json_object_set_new(fields, col, v ? json_string(v) : json_null());
        char *d = display(r, k, (int)i, v);
        json_object_set_new(disp, col, json_string(d));
        free(d);
    }
    return json_pack("{s:I, s:I, s:s?, s:s?, s:o, s:o}", "id", (json_int_t)db_col_int(st, 0),
                     "version", (json_int_t)db_col_int(st, 1), "updated_at", db_col_text(st, 2),
                     "updated_by", db_col_text(st, 3), "values", fields, "display", disp);
}

json_t *dv_list(Req *r, const DirKind *k) {
    Buf where;
    buf_init(&where);
    Params p = {0};
    build_filters(r, k, &where, &p);
    char *after = web_query(r, "after"), *before = web_query(r, "before");
    long long a = after ? atoll(after) : 0, b = before ? atoll(before) : 0;
    free(after);
    free(before);
    json_t *out = json_object(), *rows = json_array();
    /* total */
    /* counting stops past DIR_COUNT_CAP rows: exact totals of 100,000-row lists cost more than
     * the page itself, and "10000+" is all a reader needs */
    char *sql = xasprintf("SELECT count(*) FROM (SELECT 1 FROM %s t%s LIMIT %d)", k->table, where.data,
                          DIR_COUNT_CAP + 1);
    Stmt *st = db_prepare(r->db, sql);
    free(sql);
    int64_t total = 0;
    if (st) {
        p_bind(&p, st);
        if (db_step(st) == DB_ROW) total = db_col_int(st, 0);
        db_finalize(st);
    }
    /* page */
    char *sel = dir_select_sql(k);
    Buf q;
    buf_init(&q);
    buf_printf(&q, "%s%s", sel, where.data);
    free(sel);
    int np = p.n;
    if (b > 0) {
        buf_puts(&q, " AND t.id < ? ORDER BY t.id DESC");
        p_int(&p, b);
    } else {
        if (a > 0) {
            buf_puts(&q, " AND t.id > ?");
            p_int(&p, a);
        }
        buf_puts(&q, " ORDER BY t.id");
    }
    buf_printf(&q, " LIMIT %d", DIR_PAGE_SIZE + 1);
    st = db_prepare(r->db, q.data);
    int n = 0, more = 0;
    if (st) {
        p_bind(&p, st);
        while (db_step(st) == DB_ROW) {
            if (n == DIR_PAGE_SIZE) {
                more = 1;
                break;
            }
            json_t *row = row_json(r, k, st);
            if (b > 0) json_array_insert_new(rows, 0, row);
            else json_array_append_new(rows, row);
            n++;
        }
        db_finalize(st);
    }
    buf_free(&q);
    p.n = np; /* the id bound is an int; nothing to free */
    long long first = n ? json_integer_value(json_object_get(json_array_get(rows, 0), "id")) : 0;
    long long last = n ? json_integer_value(json_object_get(json_array_get(rows, (size_t)n - 1), "id")) : 0;
    int has_next = b > 0 ? n > 0 : more;
    int has_prev = b > 0 ? more : a > 0;
    json_object_set_new(out, "rows", rows);
    json_object_set_new(out, "total", json_integer(total));
    json_object_set_new(out, "next_after", has_next ? json_integer(last) : json_null());
    json_object_set_new(out, "prev_before", has_prev && n ? json_integer(first) : json_null());
    json_object_set_new(out, "total_capped", json_boolean(total > DIR_COUNT_CAP));
    if (total > DIR_COUNT_CAP) json_object_set_new(out, "total", json_integer(DIR_COUNT_CAP));
    name_cache_clear();
    p_free(&p);
    buf_free(&where);
    return out;
}

/* The row as stored (SELECT *), as a JSON object with the raw column names. */
static json_t *raw_row(Db *db, const DirKind *k, long long id) {
    char *sql = xasprintf("SELECT * FROM %s WHERE id = ?", k->table);
    Stmt *st = db_prepare(db, sql);
    free(sql);
    if (!st) return NULL;
    db_bind_int(st, 1, id);
    json_t *o = NULL;
    if (db_step(st) == DB_ROW) {
        o = json_object();
        for (int i = 0; i < db_col_count(st); i++) {
            const char *v = db_col_text(st, i);
            json_object_set_new(o, db_col_name(st, i), v ? json_string(v) : json_null());
        }
    }
    db_finalize(st);
    return o;
}

/* The stored row for the audit log, personal data masked (the full values stay in the row and
 * its versions, which only the directory's own pages show). */
static char *raw_row_text(Db *db, const DirKind *k, long long id) {
    json_t *o = raw_row(db, k, id);
    if (!o) return NULL;
    if (str_eq(json_string_value(json_object_get(o, "kind")), "insured") && json_is_string(json_object_get(o, "name"))) {
        char *m = mask_person_name(json_string_value(json_object_get(o, "name")));
        json_object_set_new(o, "name", json_string(m));
        free(m);
    }
    for (size_t i = 0; i < k->nfields; i++) {
        const DirField *f = &k->fields[i];
        const char *v = json_string_value(json_object_get(o, f->column));
        if (!(f->flags & FF_SECRET) || !v) continue;
        char *m = secret_text(f, v, 0);
        json_object_set_new(o, f->column, json_string(m));
        free(m);
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return s;
}

/* Display text of a raw stored value (reference ids resolved to codes/names). */
static char *raw_display(Req *r, const DirKind *k, int i, const char *v) {
    const DirField *f = &k->fields[i];
    if (!v) return xstrdup("（空）");
    if (f->type == FT_REF) {
        char *code = NULL, *sql = xasprintf("SELECT code FROM %s WHERE id = ?", f->ref_table);
        db_query_text(r->db, &code, sql, "i", (int64_t)atoll(v));
        free(sql);
        char *s = display(r, k, i, code ? code : v);
        free(code);
        return s;
    }
    return display(r, k, i, v);
}

static json_t *history(Req *r, const DirKind *k, long long id) {
    json_t *out = json_array(), *newer = raw_row(r->db, k, id);
    Stmt *st = db_prepare(r->db, "SELECT version, data, replaced_at, replaced_by FROM entity_version "
                                 "WHERE entity = ? AND entity_id = ? ORDER BY version DESC");
    if (!st) {
        json_decref(newer);
        return out;
    }
    db_bind_text(st, 1, k->table);
    db_bind_int(st, 2, id);
    while (db_step(st) == DB_ROW) {
        json_t *old = json_loads(db_col_text(st, 1), 0, NULL);
        if (!old) continue;
        json_t *changes = json_array();
        for (size_t i = 0; i < k->nfields; i++) {
            const char *col = k->fields[i].column;
            const char *a = json_string_value(json_object_get(old, col));
            const char *b = json_string_value(json_object_get(newer, col));
            if (str_eq(a, b)) continue;
            int secret = ((k->fields[i].flags & FF_SECRET) && (!dv_can_write(r, k) || always_masked(&k->fields[i]))) ||
                         (!strcmp(col, "name") && (str_eq(json_string_value(json_object_get(old, "kind")), "insured") ||
                                                   str_eq(json_string_value(json_object_get(newer, "kind")), "insured")));
            char *da = secret ? xstrdup("（已隐藏）") : raw_display(r, k, (int)i, a);
            char *db_ = secret ? xstrdup("（已隐藏）") : raw_display(r, k, (int)i, b);
            json_array_append_new(changes, json_pack("{s:s, s:s, s:s}", "label", k->fields[i].header,
                                                     "from", da, "to", db_));
            free(da);
            free(db_);
        }
        const char *nv = json_string_value(json_object_get(newer, "version"));
        json_array_append_new(out, json_pack("{s:I, s:s?, s:s?, s:s?, s:o}", "version",
                                             (json_int_t)db_col_int(st, 0), "to_version", nv,
                                             "replaced_at", db_col_text(st, 2), "replaced_by",
                                             db_col_text(st, 3), "changes", changes));
        json_decref(newer);
        newer = old;
    }
    db_finalize(st);
    json_decref(newer);
    return out;
}

json_t *dv_get(Req *r, const DirKind *k, long long id, int with_history) {
    Buf where;
    buf_init(&where);
    Params p = {0};
    buf_puts(&where, " WHERE t.id = ?");
    p_int(&p, id);
    add_scope(r, k, &where, &p);
    char *sel = dir_select_sql(k);
    char *sql = xasprintf("%s%s", sel, where.data);
    free(sel);
    buf_free(&where);
    Stmt *st = db_prepare(r->db, sql);
    free(sql);
    json_t *row = NULL;
    if (st) {
        p_bind(&p, st);
        if (db_step(st) == DB_ROW) row = row_json(r, k, st);
        db_finalize(st);
    }
    p_free(&p);
    if (row && with_history) json_object_set_new(row, "history", history(r, k, id));
    name_cache_clear();
    return row;
}

/* 1 when the user may change row id of kind k: a row owned by an org (targets, officers, experts,
 * items, depts) only in the user's own org — an upper level oversees a lower level's directory, it
 * does not edit it (scope.h); orgs themselves are set up from above, in the user's subtree. */
static int row_writable(Req *r, const DirKind *k, long long id) {
    return dir_field_index(k, "org_id") < 0 || scope_of(r->db, r->sess->org_id, dir_row_org(r->db, k, id)) == SCOPE_WRITE;
}

int dv_save(Req *r, const DirKind *k, long long id, DvInput in, void *arg, json_t **errors,
            long long *id_out, char **message, int64_t *current_version) {
    *errors = NULL;
    *current_version = 0;
    json_t *existing = NULL;
    int ki = key_index(k);
    if (id) {
        existing = dv_get(r, k, id, 0);
        if (!existing) {
            *message = xstrdup("记录不存在或不在您的管辖范围内");
            return 404;
        }
        if (!row_writable(r, k, id)) {
            json_decref(existing);
            *message = xstrdup("这是下级机构的名录：上级机构可以查阅和督查，不能代为修改，请由该机构维护");
            return 403;
        }
    }
    DirContext *ctx = dir_context_new(r->db, r->sess->username, r->sess->org_id);
    DirRow row;
    memset(&row, 0, sizeof row);
    DirErrors errs = {0};
    for (size_t i = 0; i < k->nfields; i++) {
        const DirField *f = &k->fields[i];
        if (id && (int)i == ki) { /* the code identifies the row and cannot be edited */
            const char *v = json_string_value(json_object_get(json_object_get(existing, "values"), f->column));
            dir_parse_field(ctx, k, (int)i, v, &row, &errs);
            continue;
        }
        char *v = in(r, f, arg);
        int insured_name = id && !strcmp(f->column, "name") &&
                           str_eq(json_string_value(json_object_get(json_object_get(existing, "values"), "kind")), "insured");
        if (id && ((f->flags & FF_SECRET) || insured_name) && v && !*v) { /* shown masked or empty: unchanged */
            free(v);
            v = NULL;
        }
        if (id && v && !strcmp(f->column, "id_number")) {
            dir_errors_add(&errs, (int)i, "身份证号决定参保人的化名编码，不能修改；如登记有误请停用后新建");
            free(v);
            continue;
        }
        if (v || !id) dir_parse_field(ctx, k, (int)i, v ? v : "", &row, &errs);
        free(v);
    }
    dir_check_row(ctx, k, &row, &errs);
    int org = dir_field_index(k, "org_id");
    if (org >= 0 && row.v[org] && scope_of(r->db, r->sess->org_id, scope_org_by_code(r->db, row.v[org])) != SCOPE_WRITE)
        dir_errors_add(&errs, org, "只能登记本机构的名录（下级机构的名录由下级机构维护）");
    if (!id && row.v[ki]) {
        /* a code the user can see is named; one registered by an org outside the user's
         * jurisdiction is not (nor an insured person's pseudonym): the answer must not tell
         * whether someone else registered it (an existence oracle for personal data) */
        int seen = dir_code_seen(r->db, k, row.v[ki], r->sess->org_id), kind = dir_field_index(k, "kind");
        int pseudonym = !strcmp(k->table, "target") && kind >= 0 && str_eq(row.v[kind], "insured");
        if (seen == 1 && !pseudonym) dir_errors_add(&errs, ki, "“%s”已存在，请在原记录上编辑", row.v[ki]);
        else if (seen == 1) dir_errors_add(&errs, ki, "该参保人已登记（按身份证号），请在原记录上编辑");
        else if (seen == 2) {
            dir_errors_add(&errs, -1, "无法登记：请核对编码；如确属本机构的对象，请联系系统管理员");
            if (db_begin(r->db) == DB_OK) { /* a try at another org's code is worth knowing about */
                char action[64];
                snprintf(action, sizeof action, "%s.create.refused", k->table);
                if (web_audit(r, action, k->table, 0, NULL, "{\"reason\":\"code registered outside the jurisdiction\"}") == DB_OK)
                    db_commit(r->db);
                else db_rollback(r->db);
            }
        }
    }
    int status = 200;
    int64_t expect_version = 0;
    json_t *grade_errors = NULL;
    if (id) { /* the version the caller read: required for an update */
        DirField fv = {.header = "版本", .column = "version", .type = FT_INT};
        char *vs = in(r, &fv, arg);
        char *end = NULL;
        expect_version = vs && *vs ? strtoll(vs, &end, 10) : 0;
        if (!vs || !*vs || *end || expect_version < 1) {
            free(vs);
            *errors = json_pack("{s:s}", "version", "须提供读取时的版本号 version（防止覆盖他人的修改）");
            status = 422;
            goto out;
        }
        free(vs);
    }
    /* a credit grade changes only with a reason and a basis (credit.h): grade_reason and
     * grade_basis beside grade, in the form and in the API */
    int gi = !strcmp(k->table, "target") ? dir_field_index(k, "grade") : -1;
    grade_errors = json_object();
    if (id && gi >= 0 && row.v[gi] &&
        !str_eq(row.v[gi], json_string_value(json_object_get(json_object_get(existing, "values"), "grade")))) {
        DirField fr = {.header = "调整理由", .column = "grade_reason", .type = FT_TEXT};
        DirField fb = {.header = "调整依据", .column = "grade_basis", .type = FT_TEXT};
        char *reason = in(r, &fr, arg), *basis = in(r, &fb, arg);
        if (reason) str_trim(reason);
        if (basis) str_trim(basis);
        if (str_empty(reason)) json_object_set_new(grade_errors, "grade_reason", json_string("调整信用风险等级须填写理由"));
        if (str_empty(basis))
            json_object_set_new(grade_errors, "grade_basis", json_string("调整信用风险等级须填写依据：信用评价文号或引起调整的检查记录"));
        dir_context_allow_grade_change(ctx, reason, basis);
        free(reason);
        free(basis);
    }
    if (errs.n || json_object_size(grade_errors)) {
        *errors = grade_errors;
        grade_errors = NULL;
        for (size_t i = 0; i < errs.n; i++) {
            const char *col = errs.e[i].field >= 0 ? k->fields[errs.e[i].field].column : "_row";
            if (!json_object_get(*errors, col)) json_object_set_new(*errors, col, json_string(errs.e[i].reason));
        }
        status = 422;
        goto out;
    }
    json_decref(grade_errors);
    grade_errors = NULL;
    char *before = NULL, *err = NULL;
    long long saved = 0;
    int rc = db_begin(r->db);
    /* the optimistic lock, checked by the engine under the write lock */
    dir_context_expect_version(ctx, expect_version);
    if (rc == DB_OK && id) before = raw_row_text(r->db, k, id);
    int outcome = DIR_UNCHANGED;
    if (rc == DB_OK && (outcome = dir_save(ctx, k, &row, &saved, &err)) == DIR_STALE) {
        db_rollback(r->db);
        *message = err;
        *current_version = dir_context_found_version(ctx);
        free(before);
        status = 409;
        goto out;
    }
    if (rc == DB_OK) rc = outcome < 0 ? DB_ERR : DB_OK;
    char *after = rc == DB_OK ? raw_row_text(r->db, k, saved) : NULL;
    char action[64];
    snprintf(action, sizeof action, "%s.%s", k->table, id ? "update" : "create");
    /* the engine says whether anything changed: the texts are masked, so two phones may look alike */
    if (rc == DB_OK && outcome != DIR_UNCHANGED) rc = web_audit(r, action, k->table, saved, before, after);
    if (rc == DB_OK) rc = db_commit(r->db);
    if (rc != DB_OK) {
        db_rollback(r->db);
        *message = xasprintf("保存失败: %s", err ? err : db_errmsg(r->db));
        status = 500;
    } else {
        status = id ? 200 : 201;
        *id_out = saved;
    }
    free(err);
    free(before);
    free(after);
out:
    json_decref(grade_errors);
    dir_errors_free(&errs);
    dir_row_clear(&row, k);
    dir_context_free(ctx);
    json_decref(existing);
    return status;
}

int dv_set_status(Req *r, const DirKind *k, long long id, const char *status, const char *reason,
                  char **message) {
    json_t *existing = dv_get(r, k, id, 0);
    if (!existing) {
        *message = xstrdup("记录不存在或不在您的管辖范围内");
        return 404;
    }
    json_decref(existing);
    if (!row_writable(r, k, id)) {
        *message = xstrdup("这是下级机构的名录：上级机构可以查阅和督查，不能代为修改，请由该机构维护");
        return 403;
    }
    DirContext *ctx = dir_context_new(r->db, r->sess->username, r->sess->org_id);
    char *before = NULL, *err = NULL, *after = NULL;
    int code = 200;
    char action[64];
    snprintf(action, sizeof action, "%s.status", k->table);
    if (db_begin(r->db) != DB_OK) {
        code = 500;
        *message = xstrdup("数据库忙，请稍后重试");
    } else if ((before = raw_row_text(r->db, k, id)), dir_set_status(ctx, k, id, status, reason, &err) != DB_OK) {
        db_rollback(r->db);
        code = 422;
        *message = err;
        err = NULL;
    } else if ((after = raw_row_text(r->db, k, id)), web_audit(r, action, k->table, id, before, after) != DB_OK ||
               db_commit(r->db) != DB_OK) {
        db_rollback(r->db);
        code = 500;
        *message = xstrdup("保存失败");
    }
    free(before);
    free(after);
    free(err);
    dir_context_free(ctx);
    return code;
}

int dv_export(Req *r, const DirKind *k, const char *path, TableFormat fmt, DirExportPii pii, long long *rows, char **err) {
    Buf where;
    buf_init(&where);
    Params p = {0};
    build_filters(r, k, &where, &p);
    char *sel = dir_select_sql(k), *sql = xasprintf("%s%s ORDER BY t.id", sel, where.data);
    free(sel);
    buf_free(&where);
    Stmt *st = db_prepare(r->db, sql);
    free(sql);
    int rc = -1;
    if (!st) set_err(err, "数据库错误: %s", db_errmsg(r->db));
    else {
        p_bind(&p, st);
        rc = dir_export_rows(r->db, k, path, fmt, st, pii, rows, err);
    }
    p_free(&p);
    return rc;
}
