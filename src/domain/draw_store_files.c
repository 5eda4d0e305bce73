/* draw_store_files.c - the two input files of a draw, built from the directories: the canonical
 * population file (targets after the filters, the jurisdiction and the exclusions of a directed
 * draw, each exclusion reported with its reason) and the canonical officer file (officers and
 * experts, a joint task's with their dept codes). Formats in docs/DRAW.md §2; the engine parses
 * them back (draw_pop.c, draw_roster.c).
 *
 * Read-only: runs inside the caller's transaction (draw_store_freeze) or none; all SQL is
 * parameterised. Called by draw_store.c (freeze), the `draw` CLI and the benchmark. */
#include "draw_store.h"
#include "draw_store_impl.h"
#include "draw_token.h"
#include "jsonkit.h"

#include "../core/strmap.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Splits a tag list stored as "a,b" or "a、b" and tests membership. */
static int tag_in(const char *list, const char *tag) {
    if (!list) return 0;
    size_t tl = strlen(tag);
    const char *p = list;
    while (*p) {
        while (*p == ',' || *p == ' ')
            p++;
        if (!strncmp(p, "、", 3)) {
            p += 3;
            continue;
        }
        const char *e = p;
        while (*e && *e != ',' && strncmp(e, "、", 3))
            e++;
        const char *end = e;
        while (end > p && end[-1] == ' ')
            end--;
        if ((size_t)(end - p) == tl && !memcmp(p, tag, tl)) return 1;
        p = e;
    }
    return 0;
}

static int in_string_array(const json_t *a, const char *s) {
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) if (str_eq(json_string_value(v), s)) return 1;
    return 0;
}

static void months_before(const char *date, int64_t months, char out[32]) {
    int y = atoi(date), m = atoi(date + 5), d = atoi(date + 8);
    int64_t t = (int64_t)y * 12 + (m - 1) - months;
    y = (int)(t / 12);
    m = (int)(t % 12) + 1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int md = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0));
    if (d > md) d = md;
    if (y < 0) y = 0;
    snprintf(out, 32, "%04d-%02d-%02d", y % 10000, m, d);
}

typedef struct Row {
    char *code, *line;
    uint64_t head; /* the code's first 8 bytes, big-endian (zero-padded): most comparisons */
    int insured;   /* named by a token: the pseudonym follows the line's NUL */
} Row;

static uint64_t code_head(const char *code) {
    uint64_t h = 0;
    for (int i = 0; i < 8; i++) {
        h = h << 8 | (unsigned char)*code;
        code += *code != 0;
    }
    return h;
}

/* Byte order of the codes: by the heads, then the whole codes (strcmp's order). */
static int row_cmp(const void *a, const void *b) {
    const Row *x = a, *y = b;
    if (x->head != y->head) return x->head < y->head ? -1 : 1;
    return strcmp(x->code, y->code);
}

int draw_store_population(Db *db, const json_t *params, const char *date, const char *task,
                          Buf *pop, json_t *excluded, char **err) {
    return draw_store_population_tokens(db, params, date, task, NULL, NULL, NULL, pop, excluded,
                                        err);
}

int draw_store_population_tokens(Db *db, const json_t *params, const char *date, const char *task,
                                 const uint8_t *salt, DrawTokenMap *map, Buf *pairs, Buf *pop,
                                 json_t *excluded, char **err) {
    const json_t *f = json_object_get(params, "filters");
    const json_t *kinds = json_object_get(f, "kinds"), *grades = json_object_get(f, "grades"),
                 *tags = json_object_get(f, "tags");
    const char *region = jk_str(f, "region_prefix"), *before = jk_str(f, "registered_before"),
               *org = jk_str(f, "org");
    json_int_t cmin = json_integer_value(json_object_get(f, "complaints_min"));
    const json_t *x = json_object_get(params, "exclusions");
    json_int_t months = json_integer_value(json_object_get(x, "checked_within_months"));
    int excl_drawn = json_is_true(json_object_get(x, "drawn_this_year"));
    json_t *capv = json_object_get(x, "yearly_cap");
    json_int_t cap = capv ? json_integer_value(capv) : 1;
    const json_t *strata = json_object_get(params, "strata");
    int cross = json_is_true(json_object_get(params, "cross_region"));
    if (before && !date_valid(before)) return set_err(err, "registered_before 须为日期");
    if (strata && !json_is_array(strata)) return set_err(err, "strata 须为数组");
    size_t i;
    json_t *v;
    json_array_foreach(strata, i, v) {
        const char *s = json_string_value(v);
        if (!str_eq(s, "grade") && !str_eq(s, "kind") && !str_eq(s, "region"))
            return set_err(err, "strata 只能包含 grade、kind、region");
    }
    char cutoff[32] = "";
    if (months > 0) months_before(date, months, cutoff);

    /* times each target was drawn (and not replaced) this year in other tasks' current draws */
    StrMap *drawn = strmap_new();
    StrMap *drawn_task = NULL;
    if (excl_drawn || cap > 0) {
        Stmt *st =
            db_prepare(db, "SELECT t.target_code, count(*) FROM draw_target t "
                           "JOIN draw d ON d.id = t.draw_id WHERE d.status = '已抽取' "
                           "AND substr(d.draw_date, 1, 4) = substr(?, 1, 4) "
                           "AND d.task_code <> ? AND t.status = '有效' GROUP BY t.target_code");
        if (!st) {
            strmap_free(drawn);
            return dberr(db, err);
        }
        db_bind_text(st, 1, date);
        db_bind_text(st, 2, task);
        while (db_step(st) == DB_ROW)
            strmap_put(drawn, db_col_text(st, 0), db_col_int(st, 1));
        db_finalize(st);
    }
    (void)drawn_task;

    Buf sql;
    buf_init(&sql);
    /* read only the columns the filters and strata need: the table may hold millions of rows */
    int need_kind = kinds != NULL || salt, need_region = cross,
        need_tags = json_array_size(tags) > 0;
    json_array_foreach(strata, i, v) {
        need_kind |= str_eq(json_string_value(v), "kind");
        need_region |= str_eq(json_string_value(v), "region");
    }
    buf_printf(&sql, "SELECT code, grade, %s, %s, %s, %s, %s, status, %s FROM target WHERE 1=1",
               need_kind ? "kind" : "NULL", need_region ? "region" : "NULL",
               need_tags ? "tags" : "NULL", before ? "registered_on" : "NULL",
               cmin > 0 ? "complaints" : "0", *cutoff ? "last_checked_on" : "NULL");
    /* parameters numbered without gaps: PostgreSQL cannot type a parameter the text never uses */
    int org_param = region ? 2 : 1;
    if (region) buf_puts(&sql, " AND substr(region, 1, length(?1)) = ?1");
    /* the task org's jurisdiction: its own targets and those of the orgs below it, never another's
     */
    if (org)
        buf_printf(
            &sql,
            " AND org_id IN (WITH RECURSIVE sc(id) AS (SELECT id FROM org WHERE code = ?%d UNION "
            "SELECT o.id FROM org o JOIN sc ON o.parent_id = sc.id) SELECT id FROM sc)",
            org_param);
    Stmt *st = db_prepare(db, sql.data);
    buf_free(&sql);
    if (!st) {
        strmap_free(drawn);
        return dberr(db, err);
    }
    db_large(st); /* the whole population: a province's targets */
    if (region) db_bind_text(st, 1, region);
    if (org) db_bind_text(st, org_param, org);
    DrawTokenKey key;
    if (salt) draw_token_key(&key, salt);
    size_t n = 0, cap_rows = 1024;
    Row *rows = xmalloc(cap_rows * sizeof *rows);
    int sorted = 1;
    Buf line;
    buf_init(&line);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *code = db_col_text(st, 0), *grade = db_col_text(st, 1),
                   *kind = db_col_text(st, 2), *reg = db_col_text(st, 3),
                   *ttags = db_col_text(st, 4), *reg_on = db_col_text(st, 5),
                   *status = db_col_text(st, 7), *last = db_col_text(st, 8);
        if (kinds && !in_string_array(kinds, kind)) continue;
        if (grades && !in_string_array(grades, grade)) continue;
        if (before && (!reg_on || strcmp(reg_on, before) >= 0)) continue;
        if (cmin > 0 && db_col_int(st, 6) < cmin) continue;
        int ok = 1;
        json_array_foreach(tags, i, v) ok &= tag_in(ttags, json_string_value(v));
        if (!ok) continue;
        if (strchr(code, '\t') || strchr(code, '\n')) {
            rc = DB_ERR;
            set_err(err, "检查对象编码含有制表符或换行: %s", code);
            break;
        }
        /* an insured person is named by the draw's token (draw_token.h), not the pseudonym */
        char token[DRAW_TOKEN_LEN + 1];
        const char *id = code;
        if (salt && str_eq(kind, "insured")) {
            draw_token_make_key(&key, code, strlen(code), token);
            id = token;
        }
        /* exclusions, each reported */
        char *why = NULL;
        int64_t times = 0;
        if (strcmp(status, "正常"))
            why = xasprintf("状态为%s", status);
        else if (*cutoff && last && strcmp(last, cutoff) >= 0)
            why = xasprintf("近%lld个月内已检查（%s）", (long long)months, last);
        else if (strmap_get(drawn, code, &times) && excl_drawn)
            why = xstrdup("本年度已在其他任务中被抽中");
        else if (cap > 0 && times >= cap)
            why = xasprintf("本年度已被抽中%lld次，达到年度上限%lld次", (long long)times,
                            (long long)cap);
        if (why) {
            if (id != code) draw_token_map_add(map, id, code);
            json_array_append_new(excluded, json_pack("{s:s,s:s}", "id", id, "reason", why));
            free(why);
            continue;
        }
        buf_reset(&line);
        buf_puts(&line, id);
        buf_putc(&line, '\t');
        const char *sep = "";
        json_array_foreach(strata, i, v) {
            const char *s = json_string_value(v);
            buf_puts(&line, sep);
            buf_puts(&line, !strcmp(s, "grade") ? grade : !strcmp(s, "kind") ? kind : reg);
            sep = "/";
        }
        if (!json_array_size(strata)) buf_puts(&line, grade);
        if (cross) {
            buf_putc(&line, '\t');
            buf_puts(&line, reg);
        }
        buf_putc(&line, '\n');
        if (n == cap_rows) rows = xrealloc(rows, (cap_rows *= 2) * sizeof *rows);
        /* the line, and after its NUL an insured person's pseudonym (the pair's second half) */
        rows[n].line = id != code ? xasprintf("%s%c%s", line.data, 0, code) : xstrdup(line.data);
        rows[n].code = rows[n].line; /* the id is the line up to the TAB */
        rows[n].insured = id != code;
        *strchr(rows[n].line, '\t') = 0;
        rows[n].head = code_head(rows[n].code);
        if (n && row_cmp(&rows[n - 1], &rows[n]) > 0) sorted = 0;
        n++;
    }
    db_finalize(st);
    buf_free(&line);
    strmap_free(drawn);
    if (salt) sodium_memzero(&key, sizeof key);
    if (rc != DB_DONE) {
        for (size_t k = 0; k < n; k++)
            free(rows[k].line);
        free(rows);
        if (err && !*err) dberr(db, err);
        return -1;
    }
    if (!sorted) qsort(rows, n, sizeof *rows, row_cmp);
    /* a token equal to another line's id: the caller draws a new salt */
    int collision = 0;
    for (size_t k = 1; k < n && salt; k++)
        collision |= !strcmp(rows[k - 1].code, rows[k].code);
    json_array_foreach(salt ? excluded : NULL, i, v) { /* nor an excluded person's */
        const char *xid = jk_str(v, "id");
        Row probe = {.code = (char *)xid, .head = code_head(xid)};
        collision |= draw_token_shaped(xid) && bsearch(&probe, rows, n, sizeof *rows, row_cmp);
    }
    for (size_t k = 0; k < n; k++) {
        size_t cl = strlen(rows[k].code);
        rows[k].line[cl] = '\t';
        buf_puts(pop, rows[k].line);
        if (rows[k].insured) /* in token order, as the file */
            buf_printf(pairs, "%.*s\t%s\n", (int)cl, rows[k].line,
                       rows[k].line + strlen(rows[k].line) + 1);
        free(rows[k].line);
    }
    free(rows);
    return collision ? 2 : 0;
}

static int str_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Normalises a tag list ("a,b" or "a、b") into sorted, unique, comma-separated codes. */
static char *norm_tags(const char *list) {
    if (!list) return xstrdup("");
    Buf c;
    buf_init(&c);
    for (const char *p = list; *p; p++) {
        if (!strncmp(p, "、", 3)) {
            buf_putc(&c, ',');
            p += 2;
        } else
            buf_putc(&c, *p);
    }
    char **items = xmalloc((c.len + 1) * sizeof *items);
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(c.data ? c.data : (char *)"", ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        t = str_trim(t);
        if (*t) items[n++] = t;
    }
    qsort(items, n, sizeof *items, str_cmp);
    Buf b;
    buf_init(&b);
    buf_puts(&b, "");
    for (size_t i = 0; i < n; i++) {
        if (i && !strcmp(items[i], items[i - 1])) continue;
        if (b.len) buf_putc(&b, ',');
        buf_puts(&b, items[i]);
    }
    free(items);
    buf_free(&c);
    return buf_steal(&b);
}

static int bad_field(const char *s) {
    return s && strpbrk(s, "\t\n\r") != NULL;
}

int draw_store_officers(Db *db, const json_t *params, Buf *out, char **err) {
    const json_t *depts = json_object_get(params, "officer_depts");
    /* a joint task's file carries each officer's dept code (docs/DRAW.md §2) */
    int joint = json_array_size(json_object_get(params, "joint_depts")) > 0;
    Stmt *st = db_prepare(db, "SELECT o.cert_no, o.region, o.status, o.cert_valid_from, "
                              "o.cert_valid_to, o.may_lead, o.tags, d.code FROM officer o "
                              "JOIN dept d ON d.id = o.dept_id");
    if (!st) return dberr(db, err);
    size_t n = 0, cap = 64;
    char **lines = xmalloc(cap * sizeof *lines);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (json_array_size(depts) && !in_string_array(depts, db_col_text(st, 7))) continue;
        const char *f[5] = {db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2),
                            db_col_text(st, 3), db_col_text(st, 4)};
        char *tags = norm_tags(db_col_text(st, 6));
        int bad = bad_field(tags) || bad_field(db_col_text(st, 7));
        for (int i = 0; i < 5; i++)
            bad |= !f[i] || bad_field(f[i]);
        if (bad) {
            free(tags);
            rc = DB_ERR;
            set_err(err, "执法人员 %s 的字段含有制表符或换行", f[0] ? f[0] : "?");
            break;
        }
        if (n == cap) lines = xrealloc(lines, (cap *= 2) * sizeof *lines);
        lines[n++] = xasprintf("officer\t%s\t%s\t%s\t%s\t%s\t%d\t%s%s%s\n", f[0], f[1], f[2], f[3],
                               f[4], db_col_int(st, 5) ? 1 : 0, tags, joint ? "\t" : "",
                               joint ? db_col_text(st, 7) : "");
        free(tags);
    }
    db_finalize(st);
    if (rc == DB_DONE) {
        st = db_prepare(db, "SELECT code, status, specialty FROM expert");
        if (!st) rc = DB_ERR, dberr(db, err);
        while (st && (rc = db_step(st)) == DB_ROW) {
            char *tags = norm_tags(db_col_text(st, 2));
            if (bad_field(db_col_text(st, 0)) || bad_field(db_col_text(st, 1))) {
                free(tags);
                rc = DB_ERR;
                set_err(err, "专家 %s 的字段含有制表符或换行", db_col_text(st, 0));
                break;
            }
            if (n == cap) lines = xrealloc(lines, (cap *= 2) * sizeof *lines);
            lines[n++] = xasprintf("expert\t%s\t\t%s\t\t\t0\t%s%s\n", db_col_text(st, 0),
                                   db_col_text(st, 1), tags, joint ? "\t" : "");
            free(tags);
        }
        if (st) db_finalize(st);
    }
    if (rc != DB_DONE) {
        for (size_t i = 0; i < n; i++)
            free(lines[i]);
        free(lines);
        if (err && !*err) dberr(db, err);
        return -1;
    }
    qsort(lines, n, sizeof *lines, str_cmp);
    for (size_t i = 0; i < n; i++) {
        buf_puts(out, lines[i]);
        free(lines[i]);
    }
    free(lines);
    return 0;
}
