/* dir_query.c - the read side of the directories (see dir_query.h): list, row with history, form
 * choices, exports. Every query of a page is limited to the reader's jurisdiction (scope.h): a
 * county bureau's user never sees a neighbouring county's rows. Called by src/web/dir_view.c,
 * page_dir.c and `spotcheck export`. */
#include "dir_query.h"

#include "../core/util.h"
#include "codes.h"
#include "scope.h"

#include <limits.h>
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
/* Binds the first n parameters of p (all of them when n < 0) from index 1; returns the next index.
 */
static int p_bind_n(const Params *p, Stmt *st, int n) {
    if (n < 0 || n > p->n) n = p->n;
    for (int k = 0; k < n; k++) {
        if (p->type[k] == 'i')
            db_bind_int(st, k + 1, p->i[k]);
        else
            db_bind_text(st, k + 1, p->t[k]);
    }
    return n + 1;
}
static int p_bind(const Params *p, Stmt *st) {
    return p_bind_n(p, st, -1);
}

/* The query of a list: "FROM table t" + join + where, with its parameters in text order. */
typedef struct Filter {
    Buf join, where;
    Params p;
    /* the id the rows are ordered and paged by: "t.id", or the search index's (db_text_search) */
    char *key;
    /* the text search q is compared row by row (shorter than the index answers): where[0..base)
     * with p's first base_n parameters is the query without it, which dir_list reads in windows */
    int scan;
    size_t base;
    int base_n;
    /* where[scope_end..] follows the scope of a city's targets (add_list_scope; 0: another
     * scope), which count_rows counts org by org */
    size_t scope_end;
    /* where[bounds_at..] is scope_bounds' id range, the last two parameters (0: none); a count
     * org by org leaves it out (a range of the primary key could drive each org's count) */
    size_t bounds_at;
    /* where[eq_blank] is the blank before a county's `t.org_id = ?` (0: none) */
    size_t eq_blank;
} Filter;

static const char *join_of(const Filter *f) {
    return f->join.data ? f->join.data : "";
}

static void filter_free(Filter *f) {
    buf_free(&f->join);
    buf_free(&f->where);
    p_free(&f->p);
    free(f->key);
}

/* The scope condition of kind k for an account of org, appended to `where` with its parameter. */
static void add_scope(int64_t org, const DirKind *k, Buf *where, Params *p) {
    const char *col = dir_field_index(k, "org_id") >= 0 ? "t.org_id"
                      : !strcmp(k->name, "orgs")        ? "t.id"
                                                        : NULL;
    if (!col) return;
    /* unary + keeps SQLite from driving the scan by the org index: pages are read in id order,
     * so the planner must walk the rowid from the keyset position and stop after one page */
    if (!strcmp(col, "t.id"))
        buf_puts(where, " AND " SCOPE_SQL("+t.id"));
    else
        buf_puts(where, " AND " SCOPE_SQL("+t.org_id"));
    p_int(p, org);
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

/* The condition of one field's filter value v (non-empty); unknown enum codes and malformed
 * region prefixes filter nothing. */
static void add_field_filter(const DirKind *k, const DirField *f, const char *v, Buf *where,
                             Params *p) {
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
        buf_printf(where, " AND t.%s = (SELECT id FROM %s WHERE code = ?)", f->column,
                   f->ref_table);
        p_text(p, xstrdup(v));
    } else if (f->type == FT_TAGS && k->link_table) {
        buf_printf(
            where,
            " AND t.id IN (SELECT %s FROM %s WHERE tag_id = (SELECT id FROM tag WHERE code = ?))",
            k->link_fk, k->link_table);
        p_text(p, xstrdup(v));
    }
}

/* The code prefixes q stands for: as typed and in upper case (codes are stored upper case, 执法证号
 * as entered), or none when q is not code text (only printable ASCII without spaces). */
static int code_prefixes(const char *q, char *out[2]) {
    out[0] = out[1] = NULL;
    for (const char *s = q; *s; s++)
        if (*s <= ' ' || *s > '~') return 0;
    out[0] = xstrdup(q);
    char *up = xstrdup(q);
    for (char *s = up; *s; s++)
        if (*s >= 'a' && *s <= 'z') *s = (char)(*s - 'a' + 'A');
    if (strcmp(up, q) != 0)
        out[1] = up;
    else
        free(up);
    return out[1] ? 2 : 1;
}

/* "<col> >= ? AND <col> < ?" for a prefix: the range an index on col answers (the end is the
 * prefix with its last character, printable ASCII, one higher). */
static void add_prefix_range(Buf *sql, const char *col, const char *prefix, Params *p) {
    buf_printf(sql, "%s >= ? AND %s < ?", col, col);
    char *end = xstrdup(prefix);
    size_t n = strlen(end);
    end[n - 1] = (char)(end[n - 1] + 1);
    p_text(p, xstrdup(prefix));
    p_text(p, end);
}

/* The text search q of a kind with a search index (issue 15): the key code by prefix on its
 * UNIQUE index, the text columns (address only for readers who see it: `full`) through the
 * index, or, for q shorter than the index answers, row by row (f->scan). */
static void add_indexed_search(Db *db, const DirKind *k, const char *q, int full, Filter *f) {
    const char *key = k->fields[key_index(k)].column;
    const char *cols[DIR_MAX_FIELDS];
    size_t ncols = 0;
    for (const char *const *c = k->search; *c; c++) {
        int i = dir_field_index(k, *c);
        if (i >= 0 && (full || !(k->fields[i].flags & FF_SECRET))) cols[ncols++] = *c;
    }
    char *codes[2];
    int ncodes = code_prefixes(q, codes);
    DbTextSearch ts;
    if (db_text_search(db, k->table, "t", cols, ncols, q, &ts) == DB_OK) {
        if (!ncodes) { /* read in id order from the index, stopping after a page */
            buf_puts(&f->join, ts.join);
            buf_printf(&f->where, " AND %s", ts.where);
            p_text(&f->p, ts.bind);
            ts.bind = NULL;
            free(f->key);
            f->key = ts.key;
            ts.key = NULL;
        } else {
            buf_puts(&f->where, " AND t.id IN (");
            for (int i = 0; i < ncodes; i++) {
                buf_printf(&f->where, "SELECT id FROM %s WHERE ", k->table);
                add_prefix_range(&f->where, key, codes[i], &f->p);
                buf_puts(&f->where, " UNION ALL ");
            }
            buf_printf(&f->where, "%s)", ts.ids);
            p_text(&f->p, ts.bind);
            ts.bind = NULL;
        }
    } else {
        f->scan = 1;
        f->base = f->where.len;
        f->base_n = f->p.n;
        buf_puts(&f->where, " AND (1=0");
        char *col = xasprintf("t.%s", key);
        for (int i = 0; i < ncodes; i++) {
            buf_puts(&f->where, " OR ");
            add_prefix_range(&f->where, col, codes[i], &f->p);
        }
        free(col);
        /* as the index (sql/033): an insured person's name or address is not searched */
        const char *guard =
            !strcmp(k->table, "target") ? "t.kind <> '" DIR_SEARCH_SKIPS_KIND "' AND " : "";
        for (size_t i = 0; i < ncols; i++) {
            buf_printf(&f->where, " OR (%st.%s LIKE ? ESCAPE '\\')", guard, cols[i]);
            p_text(&f->p, db_like_contains(q));
        }
        buf_puts(&f->where, ")");
    }
    db_text_search_free(&ts);
    free(codes[0]);
    free(codes[1]);
}

/* The scope condition of a list (read in id order, a page at a time) for an account of org. An
 * org with none below it (a county) is one equality, which the org index of targets (sql/059:
 * org_id, id) reads in id order from the org's first row: a county whose rows come after a
 * province's other counties reads its page, not theirs. An org with orgs below keeps add_scope's
 * walk in id order; for a city's targets f->scope_end marks it for scope_bounds. The province (an
 * org above none) reads from the first row anyway; the other tables with an org are small and have
 * no org index. */
static void add_list_scope(Db *db, int64_t org, const DirKind *k, Filter *f) {
    int64_t below = 1; /* unknown (a database error): as the province */
    int top = 1;
    if (dir_field_index(k, "org_id") >= 0)
        scope_org_place(db, org, &below, &top); /* no such org: below 0, an empty list */
    if (dir_field_index(k, "org_id") >= 0 && !below) {
        /* the blank becomes a unary + when a text search's index joins (build_filters): that
         * index drives the query, the org's rows are kept by a filter, as before sql/059 */
        f->eq_blank = f->where.len + 5;
        buf_puts(&f->where, " AND  t.org_id = ?");
        p_int(&f->p, org);
        return;
    }
    add_scope(org, k, &f->where, &f->p);
    if (!top && !strcmp(k->table, "target") && f->p.n == 1) f->scope_end = f->where.len;
}

/* A city's list without a text search (a search is driven and counted by its own index): its walk
 * in id order bounded by the first and last id of its orgs' rows (two seeks of the org index per
 * org), so that it reads from its counties' first row to their last; count_rows counts its rows
 * org by org through that index. */
static void scope_bounds(Db *db, int64_t org, Filter *f) {
    Stmt *st = db_prepare(
        /* each org's first and last row as the first at or after (last at or before) it in the
         * index's order: with `org_id = sc.id` PostgreSQL walks the primary key instead */
        db, "WITH RECURSIVE sc(id) AS (SELECT ? UNION SELECT o.id FROM org o JOIN sc ON "
            "o.parent_id = sc.id) SELECT min((SELECT CASE WHEN x.org_id = sc.id THEN x.id END "
            "FROM target x WHERE x.org_id >= sc.id ORDER BY x.org_id, x.id LIMIT 1)), "
            "max((SELECT CASE WHEN x.org_id = sc.id THEN x.id END FROM target x WHERE x.org_id <= "
            "sc.id ORDER BY x.org_id DESC, x.id DESC LIMIT 1)) FROM sc");
    if (!st) return;
    db_bind_int(st, 1, org);
    if (db_step(st) == DB_ROW) { /* no row in the scope: 0 and 0, an empty list */
        f->bounds_at = f->where.len;
        buf_puts(&f->where, " AND t.id >= ? AND t.id <= ?");
        p_int(&f->p, db_col_int(st, 0));
        p_int(&f->p, db_col_int(st, 1));
    }
    db_finalize(st);
}

/* The query of dq inside the jurisdiction of org: "FROM table t" + f->join + f->where. The text
 * search comes last, so that the query without it is a prefix (f->base). */
static void build_filters(Db *db, int64_t org, const DirKind *k, const DirQuery *dq, int full,
                          Filter *f) {
    memset(f, 0, sizeof *f);
    buf_init(&f->join);
    buf_init(&f->where);
    f->key = xstrdup("t.id");
    buf_puts(&f->where, " WHERE 1=1");
    add_list_scope(db, org, k, f);
    for (size_t i = 0; i < k->nfields; i++) {
        const char *v = dq->field[i];
        if (v && *v) add_field_filter(k, &k->fields[i], v, &f->where, &f->p);
    }
    char *q = xstrdup(dq->q ? dq->q : "");
    str_trim(q);
    if (*q)
        f->scope_end = 0;
    else if (f->scope_end)
        scope_bounds(db, org, f);
    if (!*q)
        ;
    else if (k->search) {
        add_indexed_search(db, k, q, full, f);
        if (f->eq_blank && f->join.len) f->where.data[f->eq_blank] = '+';
    } else {
        buf_printf(&f->where, " AND (t.%s LIKE ? ESCAPE '\\' OR t.name LIKE ? ESCAPE '\\')",
                   k->fields[key_index(k)].column);
        p_text(&f->p, like_pattern(q, 0));
        p_text(&f->p, like_pattern(q, 0));
    }
    free(q);
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

static char *ref_name(Db *db, const char *table, const char *code) {
    for (int i = 0; i < name_cache_n; i++)
        if (name_cache[i].table == table && !strcmp(name_cache[i].code, code))
            return name_cache[i].name ? xstrdup(name_cache[i].name) : NULL;
    char *name = NULL;
    char *sql = xasprintf("SELECT name FROM %s WHERE code = ?", table);
    int qrc = db_query_text(db, &name, sql, "t", code);
    free(sql);
    if (qrc != DB_OK) return NULL; /* display only: no name, and not cached */
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
static char *display(Db *db, const DirKind *k, int i, const char *v) {
    const DirField *f = &k->fields[i];
    if (!v) return xstrdup("");
    if (f->type == FT_REF) {
        char *name = ref_name(db, f->ref_table, v);
        char *s = name ? xasprintf("%s", name) : xstrdup(v);
        free(name);
        return s;
    }
    if (!strcmp(f->column, "id_number")) return mask_id_number(v);
    return dir_format_field(NULL, k, i, v);
}

/* 1 for the personal data masked for everyone by default (ID and phone numbers): unmasked only
 * in an export by an account granted 个人信息导出, for a stated purpose, audited. */
static int always_masked(const DirField *f) {
    return !strcmp(f->column, "id_number") || !strcmp(f->column, "phone");
}

/* A personal-data field (FF_SECRET: ID numbers, phones, addresses) as a reader may see it:
 * ID and phone numbers always masked, the others (addresses) for roles that cannot edit the kind.
 */
static char *secret_text(const DirField *f, const char *v, int full) {
    if (!v) return NULL;
    if (!strcmp(f->column, "id_number")) return mask_id_number(v);
    if (!strcmp(f->column, "phone")) return mask_phone(v);
    return full ? xstrdup(v) : xstrdup("（已隐藏）");
}

static json_t *row_json(Db *db, const DirKind *k, Stmt *st, int full) {
    json_t *fields = json_object(), *disp = json_object();
    int ki = dir_field_index(k, "kind");
    /* an insured person's name is personal data: masked (张*丰), never sent back to a form */
    int insured = !strcmp(k->table, "target") && ki >= 0 &&
                  str_eq(db_col_text(st, DIR_SELECT_FIRST_FIELD + ki), "insured");
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
            json_object_set_new(fields, col,
                                m && !always_masked(f) && full ? json_string(m) : json_null());
            json_object_set_new(disp, col, json_string(m ? m : ""));
            free(m);
            continue;
        }
        json_object_set_new(fields, col, v ? json_string(v) : json_null());
        char *d = display(db, k, (int)i, v);
        json_object_set_new(disp, col, json_string(d));
        free(d);
    }
    return json_pack("{s:I, s:I, s:s?, s:s?, s:o, s:o}", "id", (json_int_t)db_col_int(st, 0),
                     "version", (json_int_t)db_col_int(st, 1), "updated_at", db_col_text(st, 2),
                     "updated_by", db_col_text(st, 3), "values", fields, "display", disp);
}

/* The rows of f (stopping past DIR_COUNT_CAP): exact totals of 100,000-row lists cost more than
 * the page itself, and "more than 10,000" is all a reader needs. */
static int64_t count_rows(Db *db, const DirKind *k, const Filter *f) {
    char *sql;
    /* a city's list without a text search: each org's rows through the org index, in its order
     * (without it PostgreSQL scans the table, hoping to stop early) */
    int nparams = -1;
    if (f->scope_end) {
        size_t end = f->bounds_at ? f->bounds_at : f->where.len;
        if (f->bounds_at) nparams = f->p.n - 2;
        sql = xasprintf(
            "WITH RECURSIVE sc(id) AS (SELECT ? UNION SELECT o.id FROM org o JOIN sc ON "
            "o.parent_id = sc.id) SELECT sum((SELECT count(*) FROM (SELECT 1 FROM %s "
            "t WHERE t.org_id = sc.id%.*s ORDER BY t.org_id, t.id LIMIT %d) n)) FROM sc",
            k->table, (int)(end - f->scope_end), f->where.data + f->scope_end, DIR_COUNT_CAP + 1);
    } else
        sql = xasprintf("SELECT count(*) FROM (SELECT 1 FROM %s t%s%s LIMIT %d) n", k->table,
                        join_of(f), f->where.data, DIR_COUNT_CAP + 1);
    Stmt *st = db_prepare(db, sql);
    free(sql);
    int64_t total = 0;
    if (st) {
        p_bind_n(&f->p, st, nparams);
        if (db_step(st) == DB_ROW) total = db_col_int(st, 0);
        db_finalize(st);
    }
    return total;
}

/* The id of the DIR_SCAN_WINDOW-th row of f without its text search (f->base) after `a` (or,
 * with b > 0, before b, going down); 0 when there are fewer rows. The rows up to it are the window
 * one page of a row-by-row search compares. */
static long long window_edge(Db *db, const DirKind *k, const Filter *f, long long a, long long b) {
    Buf q;
    buf_init(&q);
    buf_printf(&q, "SELECT t.id FROM %s t", k->table);
    buf_append(&q, f->where.data, f->base);
    if (b > 0)
        buf_puts(&q, " AND t.id < ? ORDER BY t.id DESC");
    else if (a > 0)
        buf_puts(&q, " AND t.id > ? ORDER BY t.id");
    else
        buf_puts(&q, " ORDER BY t.id");
    buf_printf(&q, " LIMIT 1 OFFSET %d", DIR_SCAN_WINDOW - 1);
    Stmt *st = db_prepare(db, q.data);
    buf_free(&q);
    long long edge = 0;
    if (st) {
        int i = p_bind_n(&f->p, st, f->base_n);
        if (b > 0 || a > 0) db_bind_int(st, i, b > 0 ? b : a);
        if (db_step(st) == DB_ROW) edge = db_col_int(st, 0);
        db_finalize(st);
    }
    return edge;
}

/* Where a page starts: after `a`, or before `b` (going down, rows kept in id order), or at
 * `offset` from the first; `edge`: the last id a windowed page may reach (0: none); `limit` rows.
 */
typedef struct PageAt {
    long long a, b, edge, offset;
    int limit;
} PageAt;

/* Appends to rows the page `at` of f; *more: a row beyond the page exists. Returns the number of
 * rows on the page. */
static int page_rows(Db *db, const DirKind *k, const Filter *f, const PageAt *at, int full,
                     json_t *rows, int *more) {
    char *sel = dir_select_sql(k);
    Buf q;
    buf_init(&q);
    buf_printf(&q, "%s%s%s", sel, join_of(f), f->where.data);
    free(sel);
    int desc = at->b > 0;
    if (desc) buf_printf(&q, " AND %s < ?", f->key);
    if (at->a > 0) buf_printf(&q, " AND %s > ?", f->key);
    if (at->edge > 0) buf_printf(&q, " AND %s %s ?", f->key, desc ? ">=" : "<=");
    /* limit and offset bound: one SQL text (one cached statement) for every page */
    buf_printf(&q, " ORDER BY %s%s LIMIT ? OFFSET ?", f->key, desc ? " DESC" : "");
    Stmt *st = db_prepare(db, q.data);
    buf_free(&q);
    int n = 0;
    *more = 0;
    if (!st) return 0;
    int i = p_bind(&f->p, st);
    if (desc) db_bind_int(st, i++, at->b);
    if (at->a > 0) db_bind_int(st, i++, at->a);
    if (at->edge > 0) db_bind_int(st, i++, at->edge);
    db_bind_int(st, i++, at->limit + 1);
    db_bind_int(st, i, at->offset);
    while (db_step(st) == DB_ROW) {
        if (n == at->limit) {
            *more = 1;
            break;
        }
        json_t *row = row_json(db, k, st, full);
        if (desc)
            json_array_insert_new(rows, 0, row);
        else
            json_array_append_new(rows, row);
        n++;
    }
    db_finalize(st);
    return n;
}

static long long row_id(json_t *rows, size_t i) {
    return json_integer_value(json_object_get(json_array_get(rows, i), "id"));
}

static json_t *id_or_null(long long id) {
    return id > 0 ? json_integer(id) : json_null();
}

/* A list counted up to the cap, in numbered pages: page N from the start by offset (N within the
 * counted rows), a neighbouring page by keyset (the number carried by the link), the last page
 * from the end (sized so that the numbers line up when the total is known). */
static json_t *list_pages(Db *db, const DirKind *k, const Filter *f, const DirQuery *dq,
                          long long a, long long b, int full) {
    int64_t total = count_rows(db, k, f);
    int capped = total > DIR_COUNT_CAP;
    long long pages = capped ? 0 : total ? (total + DIR_PAGE_SIZE - 1) / DIR_PAGE_SIZE : 1;
    long long page = dq->page > 0 ? dq->page : 0;
    PageAt at = {a, b, 0, 0, DIR_PAGE_SIZE};
    if (b == LLONG_MAX) {
        page = pages;
        if (pages && total) at.limit = (int)(total - DIR_PAGE_SIZE * (pages - 1));
    } else if (!a && !b) {
        long long most = capped ? DIR_COUNT_CAP / DIR_PAGE_SIZE : pages;
        page = page < 1 ? 1 : page > most ? most : page;
        at.offset = (page - 1) * DIR_PAGE_SIZE;
    }
    json_t *rows = json_array();
    int more = 0, n = page_rows(db, k, f, &at, full, rows, &more);
    long long first = n ? row_id(rows, 0) : 0, last = n ? row_id(rows, (size_t)n - 1) : 0;
    int has_next = b > 0 ? b != LLONG_MAX && n > 0 : more;
    int has_prev = b > 0 ? more : a > 0 || at.offset > 0;
    return json_pack("{s:o, s:I, s:b, s:o, s:o, s:o, s:o, s:i}", "rows", rows, "total",
                     (json_int_t)(capped ? DIR_COUNT_CAP : total), "total_capped", capped,
                     "next_after", id_or_null(has_next ? last : 0), "prev_before",
                     id_or_null(has_prev ? first : 0), "page", id_or_null(page), "pages",
                     id_or_null(pages), "scan_window", 0);
}

/* A row-by-row search of a long list: each page compares the DIR_SCAN_WINDOW rows of the list after
 * (before) its position and shows the first (last) DIR_PAGE_SIZE matches; the next page goes on
 * after the last row shown, or after the window when fewer matched. Nothing is counted. `edge0`:
 * window_edge from the start. */
static json_t *list_window(Db *db, const DirKind *k, const Filter *f, long long a, long long b,
                           long long edge0, int full) {
    PageAt at = {a, b, 0, 0, DIR_PAGE_SIZE};
    at.edge = !a && !b ? edge0 : window_edge(db, k, f, a, b);
    json_t *rows = json_array();
    int more = 0, n = page_rows(db, k, f, &at, full, rows, &more);
    long long first = n ? row_id(rows, 0) : 0, last = n ? row_id(rows, (size_t)n - 1) : 0;
    long long next = 0, prev = 0;
    if (b > 0) {
        prev = more ? first : at.edge;
        if (b != LLONG_MAX) next = n ? last : b - 1;
    } else {
        next = more ? last : at.edge;
        if (a > 0) prev = n ? first : a + 1;
    }
    return json_pack("{s:o, s:n, s:b, s:o, s:o, s:n, s:n, s:i}", "rows", rows, "total",
                     "total_capped", 0, "next_after", id_or_null(next), "prev_before",
                     id_or_null(prev), "page", "pages", "scan_window", DIR_SCAN_WINDOW);
}

json_t *dir_list(Db *db, const Actor *who, const DirKind *k, const DirQuery *dq, int full) {
    Filter f;
    build_filters(db, who->org_id, k, dq, full, &f);
    long long a = dq->after > 0 ? dq->after : 0, b = dq->before > 0 ? dq->before : 0;
    if (dq->last) a = 0, b = LLONG_MAX;
    /* a row-by-row search is bounded only when the list without it is longer than a window */
    long long edge0 = f.scan ? window_edge(db, k, &f, 0, 0) : 0;
    json_t *out =
        edge0 ? list_window(db, k, &f, a, b, edge0, full) : list_pages(db, k, &f, dq, a, b, full);
    name_cache_clear();
    filter_free(&f);
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

/* The full values stay in the row and its versions, which only the directory's own pages show. */
char *dir_row_audit_text(Db *db, const DirKind *k, long long id) {
    json_t *o = raw_row(db, k, id);
    if (!o) return NULL;
    if (str_eq(json_string_value(json_object_get(o, "kind")), "insured") &&
        json_is_string(json_object_get(o, "name"))) {
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
static char *raw_display(Db *db, const DirKind *k, int i, const char *v) {
    const DirField *f = &k->fields[i];
    if (!v) return xstrdup("（空）");
    if (f->type == FT_REF) {
        char *code = NULL, *sql = xasprintf("SELECT code FROM %s WHERE id = ?", f->ref_table);
        if (db_query_text(db, &code, sql, "i", (int64_t)atoll(v)) != DB_OK)
            code = NULL; /* display: the raw id */
        free(sql);
        char *s = display(db, k, i, code ? code : v);
        free(code);
        return s;
    }
    return display(db, k, i, v);
}

/* The fields that differ between an older and a newer stored row, as {label, from, to}. */
static json_t *changes_between(Db *db, const DirKind *k, json_t *old, json_t *newer, int full) {
    json_t *changes = json_array();
    for (size_t i = 0; i < k->nfields; i++) {
        const char *col = k->fields[i].column;
        const char *a = json_string_value(json_object_get(old, col));
        const char *b = json_string_value(json_object_get(newer, col));
        if (str_eq(a, b)) continue;
        int secret =
            ((k->fields[i].flags & FF_SECRET) && (!full || always_masked(&k->fields[i]))) ||
            (!strcmp(col, "name") &&
             (str_eq(json_string_value(json_object_get(old, "kind")), "insured") ||
              str_eq(json_string_value(json_object_get(newer, "kind")), "insured")));
        char *da = secret ? xstrdup("（已隐藏）") : raw_display(db, k, (int)i, a);
        char *db_ = secret ? xstrdup("（已隐藏）") : raw_display(db, k, (int)i, b);
        json_array_append_new(changes, json_pack("{s:s, s:s, s:s}", "label", k->fields[i].header,
                                                 "from", da, "to", db_));
        free(da);
        free(db_);
    }
    return changes;
}

static json_t *history(Db *db, const DirKind *k, long long id, int full) {
    json_t *out = json_array(), *newer = raw_row(db, k, id);
    Stmt *st = db_prepare(db, "SELECT version, data, replaced_at, replaced_by FROM entity_version "
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
        json_t *changes = changes_between(db, k, old, newer, full);
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

json_t *dir_get(Db *db, const Actor *who, const DirKind *k, long long id, int full,
                int with_history) {
    Buf where;
    buf_init(&where);
    Params p = {0};
    buf_puts(&where, " WHERE t.id = ?");
    p_int(&p, id);
    add_scope(who->org_id, k, &where, &p);
    char *sel = dir_select_sql(k);
    char *sql = xasprintf("%s%s", sel, where.data);
    free(sel);
    buf_free(&where);
    Stmt *st = db_prepare(db, sql);
    free(sql);
    json_t *row = NULL;
    if (st) {
        p_bind(&p, st);
        if (db_step(st) == DB_ROW) row = row_json(db, k, st, full);
        db_finalize(st);
    }
    p_free(&p);
    if (row && with_history) json_object_set_new(row, "history", history(db, k, id, full));
    name_cache_clear();
    return row;
}

/* [{code, name}] of a prepared statement's two columns. */
static json_t *code_names(Stmt *st) {
    json_t *a = json_array();
    while (st && db_step(st) == DB_ROW)
        json_array_append_new(
            a, json_pack("{s:s, s:s?}", "code", db_col_text(st, 0), "name", db_col_text(st, 1)));
    db_finalize(st);
    return a;
}

json_t *dir_ref_options(Db *db, const Actor *who, const char *ref_table) {
    const char *sql =
        !strcmp(ref_table, "org")
            ? "SELECT t.code, t.name FROM org t WHERE " SCOPE_SQL("t.id") " ORDER BY t.code"
        : !strcmp(ref_table, "dept")
            ? "SELECT t.code, t.name FROM dept t WHERE " SCOPE_SQL("t.org_id") " ORDER BY t.code"
            : "SELECT t.code, t.name FROM tag t WHERE ? > 0 ORDER BY t.code";
    Stmt *st = db_prepare(db, sql);
    if (st) db_bind_int(st, 1, who->org_id);
    return code_names(st);
}

json_t *dir_tag_options(Db *db, const char *applies_to) {
    Stmt *st = db_prepare(db, "SELECT code, name FROM tag WHERE status = '启用' AND applies_to IN "
                              "('通用', ?) ORDER BY code");
    if (st) db_bind_text(st, 1, applies_to);
    return code_names(st);
}

int dir_export_query(Db *db, const Actor *who, const DirKind *k, const DirQuery *q, int full,
                     const char *path, TableFormat fmt, DirExportPii pii, long long *rows,
                     char **err) {
    Filter f;
    build_filters(db, who->org_id, k, q, full, &f); /* every match: no window */
    char *sel = dir_select_sql(k);
    char *sql = xasprintf("%s%s%s ORDER BY %s", sel, join_of(&f), f.where.data, f.key);
    free(sel);
    Stmt *st = db_prepare(db, sql);
    free(sql);
    int rc = -1;
    if (!st)
        set_err(err, "数据库错误: %s", db_errmsg(db));
    else {
        p_bind(&f.p, st);
        rc = dir_export_rows(db, k, path, fmt, st, pii, rows, err);
    }
    filter_free(&f);
    return rc;
}

int dir_export_all(Db *db, const Actor *who, const DirKind *k, const char *path, TableFormat fmt,
                   DirExportPii pii, long long *rows, char **err) {
    /* masked by default, as on the pages; unmasked only within the granted account's jurisdiction
     */
    int scoped = pii == DIR_EXPORT_UNMASKED && dir_field_index(k, "org_id") >= 0;
    char *sel = dir_select_sql(k);
    char *sql = xasprintf("%s%s ORDER BY t.id", sel, scoped ? " WHERE " SCOPE_SQL("t.org_id") : "");
    free(sel);
    Stmt *st = db_prepare(db, sql);
    free(sql);
    *rows = 0;
    if (!st) return set_err(err, "数据库错误: %s", db_errmsg(db));
    if (scoped) db_bind_int(st, 1, who->org_id);
    return dir_export_rows(db, k, path, fmt, st, pii, rows, err);
}
