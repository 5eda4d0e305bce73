/* directory.c - the generic engine behind every directory kind (see directory.h): parsing user
 * text into database values, row checks, versioned saves and status changes.
 *
 * Invariants: a save never deletes; before any UPDATE the full old row is copied to
 * entity_version as JSON; reference fields hold the referenced row's code in a DirRow and are
 * resolved to ids only when written. SQL text is built only from the static field tables; every
 * value is bound. Called by import.c, export.c, the CLI and the web handlers. */
#include "../core/clock.h"
#include "directory.h"
#include "jsonkit.h"
#include "scope.h"

#include "../core/strmap.h"
#include "../core/listcell.h"
#include "../core/util.h"

#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF_CACHES 4

struct DirContext {
    Db *db;
    char *actor;
    long long scope_org_id;
    char *grade_reason, *grade_basis; /* a credit grade change allowed, with its reason and basis */
    int64_t expect_version, found_version; /* the optimistic lock of the next save (0: none) */
    struct {
        const char *table;
        StrMap *map;
    } ref[REF_CACHES];
    unsigned char pseudonym_key[32];
    int have_key;
    /* cached insert statement for the last (kind, field mask) */
    const DirKind *ins_kind;
    unsigned char ins_set[DIR_MAX_FIELDS];
    Stmt *ins;
    const DirKind *sel_kind;
    Stmt *sel;
    /* cached tag link statements (DELETE all links of a row, INSERT one link) for link_kind */
    const DirKind *link_kind;
    Stmt *link_del, *link_ins;
    StrMap *scope_cache; /* org id → 1 inside the scope, 0 outside */
    pthread_mutex_t *lock; /* held around database reads (dir_context_set_lock) */
};

static void ctx_lock(DirContext *ctx) {
    if (ctx->lock) pthread_mutex_lock(ctx->lock);
}

static void ctx_unlock(DirContext *ctx) {
    if (ctx->lock) pthread_mutex_unlock(ctx->lock);
}

void dir_context_set_lock(DirContext *ctx, pthread_mutex_t *lock) { ctx->lock = lock; }

const DirKind *dir_kind_find(const char *name) {
    for (size_t i = 0; i < dir_kind_count; i++)
        if (!strcmp(dir_kinds[i]->name, name)) return dir_kinds[i];
    return NULL;
}

int dir_field_index(const DirKind *k, const char *column) {
    for (size_t i = 0; i < k->nfields; i++)
        if (!strcmp(k->fields[i].column, column)) return (int)i;
    return -1;
}

const char *dir_choice_label(const Choice *c, const char *code) {
    for (; c && c->code; c++)
        if (str_eq(c->code, code)) return c->label;
    return code;
}

DirContext *dir_context_new(Db *db, const char *actor, long long scope_org_id) {
    DirContext *ctx = xcalloc(1, sizeof *ctx);
    ctx->db = db;
    ctx->actor = xstrdup(actor ? actor : "system");
    ctx->scope_org_id = scope_org_id;
    return ctx;
}

void dir_context_allow_grade_change(DirContext *ctx, const char *reason, const char *basis) {
    free(ctx->grade_reason);
    free(ctx->grade_basis);
    ctx->grade_reason = str_empty(reason) ? NULL : xstrdup(reason);
    ctx->grade_basis = str_empty(basis) ? NULL : xstrdup(basis);
}

/* The credit event of a grade change of target id (the caller's transaction). */
static int grade_event(DirContext *ctx, long long id, const char *before, const char *after, char **err) {
    char today[11];
    clock_today(today);
    char *summary = xasprintf("信用风险等级由 %s 调整为 %s（依据：%s）", !str_empty(before) ? before : "（无）",
                              !str_empty(after) ? after : "（无）", ctx->grade_basis);
    int rc = db_exec(ctx->db,
                     "INSERT INTO credit_event(target_id, kind, grade_before, grade_after, summary, reason, basis, on_day, by_user, at) "
                     "VALUES (?, '等级调整', nullif(?, ''), nullif(?, ''), ?, ?, ?, ?, ?, ?)",
                     "ittttttt" "t", (int64_t)id, before ? before : "", after ? after : "", summary, ctx->grade_reason,
                     ctx->grade_basis, today, ctx->actor, clock_stamp().s);
    free(summary);
    return rc == DB_OK ? 0 : set_err(err, "写入信用记录失败: %s", db_errmsg(ctx->db));
}

void dir_context_expect_version(DirContext *ctx, int64_t version) {
    ctx->expect_version = version;
    ctx->found_version = 0;
}

int64_t dir_context_found_version(const DirContext *ctx) { return ctx->found_version; }

void dir_context_free(DirContext *ctx) {
    if (!ctx) return;
    for (int i = 0; i < REF_CACHES; i++) strmap_free(ctx->ref[i].map);
    db_finalize(ctx->ins);
    db_finalize(ctx->sel);
    db_finalize(ctx->link_del);
    db_finalize(ctx->link_ins);
    strmap_free(ctx->scope_cache);
    free(ctx->actor);
    free(ctx->grade_reason);
    free(ctx->grade_basis);
    free(ctx);
}

Db *dir_context_db(DirContext *ctx) { return ctx->db; }

int dir_scope_contains(DirContext *ctx, long long org_id) {
    if (!ctx->scope_org_id) return 1;
    if (org_id <= 0) return 0;
    char key[24];
    snprintf(key, sizeof key, "%lld", org_id);
    if (!ctx->scope_cache) ctx->scope_cache = strmap_new();
    int64_t in = 0;
    if (strmap_get(ctx->scope_cache, key, &in)) return (int)in;
    /* walk up from org_id: inside the scope when the scope's root is on the way */
    ctx_lock(ctx);
    db_query_int(ctx->db, &in,
                 "WITH RECURSIVE up(id, parent) AS (SELECT id, parent_id FROM org WHERE id = ? "
                 "UNION ALL SELECT o.id, o.parent_id FROM org o JOIN up ON o.id = up.parent) "
                 "SELECT count(*) FROM up WHERE id = ?",
                 "ii", (int64_t)org_id, (int64_t)ctx->scope_org_id);
    ctx_unlock(ctx);
    in = in > 0;
    strmap_put(ctx->scope_cache, key, in);
    return (int)in;
}

/* For a scoped context: 1 when the referenced row of an org or dept field lies inside the scope
 * (other reference tables, such as the shared tags, are not owned by an org). */
static int ref_in_scope(DirContext *ctx, const char *table, long long id) {
    if (!ctx->scope_org_id) return 1;
    if (!strcmp(table, "org")) {
        if (dir_scope_contains(ctx, id)) return 1;
        /* the own org's existing parent may be named (an edit of the own org keeps it; dir_save
         * refuses any change of it and any new org outside the scope) */
        int64_t up = 0;
        ctx_lock(ctx);
        db_query_int(ctx->db, &up, "SELECT parent_id FROM org WHERE id = ?", "i", (int64_t)ctx->scope_org_id);
        ctx_unlock(ctx);
        return up == id;
    }
    if (!strcmp(table, "dept")) {
        int64_t org = 0;
        ctx_lock(ctx);
        db_query_int(ctx->db, &org, "SELECT org_id FROM dept WHERE id = ?", "i", (int64_t)id);
        ctx_unlock(ctx);
        return dir_scope_contains(ctx, org);
    }
    return 1;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

const unsigned char *dir_context_pseudonym_key(DirContext *ctx) {
    if (ctx->have_key) return ctx->pseudonym_key;
    char *hex = NULL;
    ctx_lock(ctx);
    db_query_text(ctx->db, &hex, "SELECT value FROM meta WHERE key = 'pseudonym_key'", NULL);
    ctx_unlock(ctx);
    if (!hex || strlen(hex) != 64) {
        free(hex);
        return NULL;
    }
    for (int i = 0; i < 32; i++)
        ctx->pseudonym_key[i] = (unsigned char)(hexval(hex[2 * i]) * 16 + hexval(hex[2 * i + 1]));
    free(hex);
    ctx->have_key = 1;
    return ctx->pseudonym_key;
}

/* Id of the row of `table` with this code, or 0. Hits are cached; misses are not, because the
 * same batch may insert the row a moment later. */
static long long ref_lookup(DirContext *ctx, const char *table, const char *code) {
    int slot = -1;
    for (int i = 0; i < REF_CACHES; i++) {
        if (ctx->ref[i].table && !strcmp(ctx->ref[i].table, table)) {
            slot = i;
            break;
        }
        if (!ctx->ref[i].table) {
            ctx->ref[i].table = table;
            ctx->ref[i].map = strmap_new();
            slot = i;
            break;
        }
    }
    ASSERT(slot >= 0);
    int64_t id = 0;
    if (strmap_get(ctx->ref[slot].map, code, &id)) return id;
    char *sql = xasprintf("SELECT id FROM %s WHERE code = ?", table);
    ctx_lock(ctx);
    db_query_int(ctx->db, &id, sql, "t", code);
    ctx_unlock(ctx);
    free(sql);
    if (id) strmap_put(ctx->ref[slot].map, code, id);
    return id;
}

void dir_row_clear(DirRow *row, const DirKind *k) {
    for (size_t i = 0; i < k->nfields; i++) free(row->v[i]);
    memset(row, 0, sizeof *row);
}

void dir_errors_add(DirErrors *errs, int field, const char *fmt, ...) {
    if (errs->n == errs->cap) {
        errs->cap = errs->cap ? errs->cap * 2 : 8;
        errs->e = xrealloc(errs->e, errs->cap * sizeof *errs->e);
    }
    va_list ap;
    va_start(ap, fmt);
    errs->e[errs->n].field = field;
    errs->e[errs->n].reason = xvasprintf(fmt, ap);
    errs->n++;
    va_end(ap);
}

void dir_errors_free(DirErrors *errs) {
    for (size_t i = 0; i < errs->n; i++) free(errs->e[i].reason);
    free(errs->e);
    memset(errs, 0, sizeof *errs);
}

static int has_error(const DirErrors *errs, int field) {
    for (size_t i = 0; i < errs->n; i++)
        if (errs->e[i].field == field) return 1;
    return 0;
}

/* Accepts 2024-01-05, 2024/1/5, 2024.1.5 and 2024年1月5日; writes ISO into out. */
static int parse_date(const char *s, char out[11]) {
    int y, m, d, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && !s[n]) goto ok;
    if (sscanf(s, "%4d/%2d/%2d%n", &y, &m, &d, &n) == 3 && !s[n]) goto ok;
    if (sscanf(s, "%4d.%2d.%2d%n", &y, &m, &d, &n) == 3 && !s[n]) goto ok;
    if (sscanf(s, "%4d年%2d月%2d日%n", &y, &m, &d, &n) == 3 && !s[n]) goto ok;
    return 0;
ok:
    if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31) return 0;
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return date_valid(out);
}

static const Choice *match_choice(const Choice *c, const char *s) {
    for (; c->code; c++)
        if (!strcmp(c->label, s) || !strcmp(c->code, s)) return c;
    return NULL;
}

static char *choice_list(const Choice *c) {
    Buf b;
    buf_init(&b);
    for (; c->code; c++) buf_printf(&b, "%s%s", b.len ? "、" : "", c->label);
    return buf_steal(&b);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void parse_multi(const DirField *f, int field, char *text, DirRow *row, DirErrors *errs) {
    char **parts;
    size_t n = list_split(text, LIST_CODES, &parts);
    int chosen[64] = {0};
    size_t nch = 0;
    for (const Choice *c = f->choices; c->code; c++) nch++;
    for (size_t i = 0; i < n; i++) {
        const Choice *c = match_choice(f->choices, parts[i]);
        if (!c) {
            char *all = choice_list(f->choices);
            dir_errors_add(errs, field, "“%s”不是可选值（可选: %s）", parts[i], all);
            free(all);
            list_free(parts, n);
            return;
        }
        if (c - f->choices < 64) chosen[c - f->choices] = 1;
    }
    list_free(parts, n);
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < nch && i < 64; i++)
        if (chosen[i]) buf_printf(&b, "%s%s", b.len ? "," : "", f->choices[i].code);
    row->v[field] = b.len ? buf_steal(&b) : NULL;
    buf_free(&b);
}

static void parse_tags(DirContext *ctx, int field, char *text, DirRow *row, DirErrors *errs) {
    char **parts;
    size_t n = list_split(text, LIST_CODES, &parts);
    qsort(parts, n, sizeof *parts, cmp_str);
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && !strcmp(parts[i], parts[i - 1])) continue;
        if (!ref_lookup(ctx, "tag", parts[i])) {
            dir_errors_add(errs, field, "标签“%s”不存在", parts[i]);
            buf_free(&b);
            list_free(parts, n);
            return;
        }
        buf_printf(&b, "%s%s", b.len ? "," : "", parts[i]);
    }
    list_free(parts, n);
    row->v[field] = b.len ? buf_steal(&b) : NULL;
    buf_free(&b);
}

static int all_digits(const char *s, size_t n) {
    if (strlen(s) != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i])) return 0;
    return 1;
}

/* Whether s has the shape YYYY-MM-DD (digits and dashes only; the date itself is not checked). */
static int iso_date_shape(const char *s) {
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-') return 0;
        } else if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    return s[10] == 0;
}

/* Bytes of leading white space that str_trim() removes at s (ASCII space, tab, CR, LF, U+3000). */
static size_t lead_space(const char *s) {
    if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') return 1;
    if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
        return 3;
    return 0;
}

/* A new copy of text trimmed exactly as str_trim() trims (leading ASCII space/tab/CR/LF and
 * U+3000; trailing isspace() and U+3000), with CR LF inside the cell turned into LF. Cells are
 * mostly short or empty, so this avoids str_trim's copy-then-move and allocates nothing for an
 * empty or blank cell (returns NULL then). */
static char *trimmed_copy(const char *text) {
    const char *b = text;
    size_t k;
    while ((k = lead_space(b)) > 0) b += k;
    size_t n = strlen(b);
    while (n > 0) {
        if (isspace((unsigned char)b[n - 1]))
            n--;
        else if (n >= 3 && (unsigned char)b[n - 3] == 0xE3 && (unsigned char)b[n - 2] == 0x80 &&
                 (unsigned char)b[n - 1] == 0x80)
            n -= 3;
        else
            break;
    }
    if (!n) return NULL;
    char *t = xmalloc(n + 1), *w = t;
    /* a line break inside a cell is stored as LF whatever the file's line ends */
    for (size_t i = 0; i < n; i++)
        if (!(b[i] == '\r' && i + 1 < n && b[i + 1] == '\n')) *w++ = b[i];
    *w = 0;
    return t;
}

void dir_parse_field(DirContext *ctx, const DirKind *k, int field, const char *text, DirRow *row,
                     DirErrors *errs) {
    const DirField *f = &k->fields[field];
    free(row->v[field]);
    row->v[field] = NULL;
    row->set[field] = 1;
    char *t = trimmed_copy(text ? text : "");
    if (!t) {
        if (f->def) row->v[field] = xstrdup(f->def);
        return;
    }
    /* a character takes at least one byte: only a long cell needs counting */
    if (strlen(t) > 2000 && utf8_len(t) > 2000) {
        dir_errors_add(errs, field, "内容过长（最多 2000 字）");
        free(t);
        return;
    }
    char date[11];
    const Choice *c;
    switch (f->type) {
    case FT_TEXT: row->v[field] = t; t = NULL; break;
    case FT_INT: {
        size_t n = strlen(t);
        if (n > 9 || !all_digits(t, n)) {
            dir_errors_add(errs, field, "应为非负整数，实为“%s”", t);
            break;
        }
        if (t[0] != '0' || n == 1) { /* already in canonical form */
            row->v[field] = t;
            t = NULL;
            break;
        }
        row->v[field] = xasprintf("%ld", strtol(t, NULL, 10));
        break;
    }
    case FT_DATE:
        if (iso_date_shape(t)) { /* what parse_date would give back unchanged, if valid */
            if (date_valid(t)) {
                row->v[field] = t;
                t = NULL;
            } else {
                dir_errors_add(errs, field, "日期“%s”无效，应为 YYYY-MM-DD", t);
            }
        } else if (!parse_date(t, date))
            dir_errors_add(errs, field, "日期“%s”无效，应为 YYYY-MM-DD", t);
        else
            row->v[field] = xstrdup(date);
        break;
    case FT_ENUM:
        if ((c = match_choice(f->choices, t))) {
            row->v[field] = xstrdup(c->code);
        } else {
            char *all = choice_list(f->choices);
            dir_errors_add(errs, field, "“%s”不是可选值（可选: %s）", t, all);
            free(all);
        }
        break;
    case FT_MULTI: parse_multi(f, field, t, row, errs); break;
    case FT_BOOL:
        if (!strcmp(t, "是") || !strcmp(t, "1") || !strcasecmp(t, "y") || !strcasecmp(t, "true"))
            row->v[field] = xstrdup("1");
        else if (!strcmp(t, "否") || !strcmp(t, "0") || !strcasecmp(t, "n") ||
                 !strcasecmp(t, "false"))
            row->v[field] = xstrdup("0");
        else
            dir_errors_add(errs, field, "应填“是”或“否”，实为“%s”", t);
        break;
    case FT_REF: {
        long long rid = ref_lookup(ctx, f->ref_table, t);
        if (!rid || !ref_in_scope(ctx, f->ref_table, rid))
            dir_errors_add(errs, field, "编码“%s”不存在或不在本机构管辖范围内", t);
        else
            row->v[field] = xstrdup(t);
        break;
    }
    case FT_TAGS: parse_tags(ctx, field, t, row, errs); break;
    case FT_REGION:
        if (!all_digits(t, 6) || !strncmp(t, "00", 2))
            dir_errors_add(errs, field, "行政区划代码应为6位数字，实为“%s”", t);
        else
            row->v[field] = xstrdup(t);
        break;
    }
    free(t);
}

void dir_check_row(DirContext *ctx, const DirKind *k, DirRow *row, DirErrors *errs) {
    for (size_t i = 0; i < k->nfields; i++) {
        const DirField *f = &k->fields[i];
        if ((f->flags & FF_REQUIRED) && !(f->flags & FF_DERIVED) && row->set[i] && !row->v[i] &&
            !has_error(errs, (int)i))
            dir_errors_add(errs, (int)i, "不能为空");
    }
    int st = dir_field_index(k, "status"), why = dir_field_index(k, "status_reason");
    if (st >= 0 && why >= 0 && row->v[st] && k->fields[st].def &&
        strcmp(row->v[st], k->fields[st].def) != 0 && !row->v[why])
        dir_errors_add(errs, why, "状态为“%s”时须填写原因",
                       dir_choice_label(k->fields[st].choices, row->v[st]));
    if (k->check_row) k->check_row(ctx, row, errs);
}

static const DirField *key_field(const DirKind *k, int *idx) {
    for (size_t i = 0; i < k->nfields; i++) {
        if (k->fields[i].flags & FF_KEY) {
            *idx = (int)i;
            return &k->fields[i];
        }
    }
    ASSERT(!"kind without key field");
    return NULL;
}

/* The database form of field i: reference codes become ids. Returns a new string or NULL. */
static char *db_value(DirContext *ctx, const DirKind *k, const DirRow *row, size_t i) {
    const DirField *f = &k->fields[i];
    if (!row->v[i]) return NULL;
    if (f->type == FT_REF) return xasprintf("%lld", ref_lookup(ctx, f->ref_table, row->v[i]));
    return xstrdup(row->v[i]);
}

int dir_keep_version(Db *db, const char *table, int64_t id, const char *actor, char **err) {
    char *sql = xasprintf("SELECT * FROM %s WHERE id = ?", table);
    Stmt *st = db_prepare(db, sql);
    free(sql);
    if (!st) return set_err(err, "数据库错误: %s", db_errmsg(db));
    db_bind_int(st, 1, id);
    if (db_step(st) != DB_ROW) {
        db_finalize(st);
        return set_err(err, "记录 %lld 不存在", (long long)id);
    }
    json_t *o = jk_row(st);
    const char *vtext = jk_str(o, "version");
    int64_t version = vtext ? strtoll(vtext, NULL, 10) : 0;
    db_finalize(st);
    char *data = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    int rc = db_exec(db,
                     "INSERT INTO entity_version(entity, entity_id, version, data, replaced_at, replaced_by) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     "tiittt", table, id, version, data, clock_stamp().s, actor);
    free(data);
    if (rc != DB_OK) return set_err(err, "保存历史版本失败: %s", db_errmsg(db));
    return DB_OK;
}

/* Copies the current row into entity_version before it changes. */
static int snapshot(DirContext *ctx, const DirKind *k, long long id, char **err) {
    return dir_keep_version(ctx->db, k->table, id, ctx->actor, err);
}

/* Prepares (once per context and kind) the statements that maintain a kind's tag links. */
static int link_stmts(DirContext *ctx, const DirKind *k) {
    if (ctx->link_kind == k) return DB_OK;
    db_finalize(ctx->link_del);
    db_finalize(ctx->link_ins);
    ctx->link_kind = NULL;
    char *sql = xasprintf("DELETE FROM %s WHERE %s = ?", k->link_table, k->link_fk);
    ctx->link_del = db_prepare(ctx->db, sql);
    free(sql);
    sql = xasprintf("INSERT OR IGNORE INTO %s(%s, tag_id) VALUES (?, ?)", k->link_table,
                    k->link_fk);
    ctx->link_ins = db_prepare(ctx->db, sql);
    free(sql);
    if (!ctx->link_del || !ctx->link_ins) return DB_ERR;
    ctx->link_kind = k;
    return DB_OK;
}

/* Runs a cached statement to completion and resets it. */
static int run_cached(Stmt *st) {
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? DB_OK : DB_ERR;
}

/* Rewrites the tag link rows of `id` from the ',' list in `tags`. `fresh`: the row was inserted
 * just now, so it has no links yet (the link tables' foreign keys keep links of missing rows
 * out) and the DELETE is skipped. */
static int sync_tags(DirContext *ctx, const DirKind *k, long long id, const char *tags, int fresh,
                     char **err) {
    if (!k->link_table) return DB_OK;
    int rc = link_stmts(ctx, k);
    if (rc == DB_OK && !fresh) {
        db_bind_int(ctx->link_del, 1, id);
        rc = run_cached(ctx->link_del);
    }
    if (rc == DB_OK && tags) {
        char *copy = xstrdup(tags);
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && rc == DB_OK;
             t = strtok_r(NULL, ",", &save)) {
            db_bind_int(ctx->link_ins, 1, id);
            db_bind_int(ctx->link_ins, 2, ref_lookup(ctx, "tag", t));
            rc = run_cached(ctx->link_ins);
        }
        free(copy);
    }
    if (rc != DB_OK) return set_err(err, "保存标签失败: %s", db_errmsg(ctx->db));
    return DB_OK;
}

static int tags_field(const DirKind *k) {
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].type == FT_TAGS && k->link_table) return (int)i;
    return -1;
}

/* SELECT id, <every field column> FROM table WHERE key = ?; prepared once per context. */
static Stmt *select_stmt(DirContext *ctx, const DirKind *k) {
    if (ctx->sel_kind == k) return ctx->sel;
    db_finalize(ctx->sel);
    ctx->sel = NULL;
    ctx->sel_kind = NULL;
    int ki;
    const DirField *kf = key_field(k, &ki);
    Buf b;
    buf_init(&b);
    buf_puts(&b, "SELECT id");
    for (size_t i = 0; i < k->nfields; i++) buf_printf(&b, ", %s", k->fields[i].column);
    buf_printf(&b, ", version FROM %s WHERE %s = ?", k->table, kf->column);
    ctx->sel = db_prepare(ctx->db, b.data);
    buf_free(&b);
    if (ctx->sel) ctx->sel_kind = k;
    return ctx->sel;
}

static Stmt *insert_stmt(DirContext *ctx, const DirKind *k, const DirRow *row) {
    if (ctx->ins_kind == k && !memcmp(ctx->ins_set, row->set, sizeof ctx->ins_set)) return ctx->ins;
    db_finalize(ctx->ins);
    ctx->ins = NULL;
    ctx->ins_kind = NULL;
    Buf cols, qs;
    buf_init(&cols);
    buf_init(&qs);
    for (size_t i = 0; i < k->nfields; i++) {
        if (!row->set[i]) continue;
        buf_printf(&cols, "%s, ", k->fields[i].column);
        buf_puts(&qs, "?, ");
    }
    char *sql = xasprintf("INSERT INTO %s(%supdated_at, updated_by) VALUES (%s?, ?)", k->table, cols.data, qs.data);
    buf_free(&cols);
    buf_free(&qs);
    ctx->ins = db_prepare(ctx->db, sql);
    free(sql);
    if (ctx->ins) {
        ctx->ins_kind = k;
        memcpy(ctx->ins_set, row->set, sizeof ctx->ins_set);
    }
    return ctx->ins;
}

static int do_insert(DirContext *ctx, const DirKind *k, const DirRow *row, long long *id_out,
                     char **err) {
    Stmt *st = insert_stmt(ctx, k, row);
    if (!st) return set_err(err, "数据库错误: %s", db_errmsg(ctx->db));
    int idx = 1;
    for (size_t i = 0; i < k->nfields; i++) {
        if (!row->set[i]) continue;
        if (row->v[i] && k->fields[i].type == FT_REF)
            db_bind_int(st, idx++, ref_lookup(ctx, k->fields[i].ref_table, row->v[i]));
        else
            db_bind_text(st, idx++, row->v[i]);
    }
    db_bind_text(st, idx++, clock_stamp().s);
    db_bind_text(st, idx, ctx->actor);
    int rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE) return set_err(err, "写入失败: %s", db_errmsg(ctx->db));
    long long id = db_last_id(ctx->db);
    if (id_out) *id_out = id;
    int tf = tags_field(k);
    if (tf >= 0 && row->set[tf] && row->v[tf] && sync_tags(ctx, k, id, row->v[tf], 1, err) != DB_OK)
        return DB_ERR;
    return DIR_INSERTED;
}

static int do_update(DirContext *ctx, const DirKind *k, const DirRow *row, long long id,
                     char **changed_vals, char **err) {
    if (snapshot(ctx, k, id, err) != DB_OK) return DB_ERR;
    Buf sql;
    buf_init(&sql);
    buf_printf(&sql, "UPDATE %s SET ", k->table);
    for (size_t i = 0; i < k->nfields; i++)
        if (changed_vals[i]) buf_printf(&sql, "%s = ?, ", k->fields[i].column);
    buf_puts(&sql, "version = version + 1, updated_at = ?, updated_by = ? "
                   "WHERE id = ?");
    Stmt *st = db_prepare(ctx->db, sql.data);
    buf_free(&sql);
    if (!st) return set_err(err, "数据库错误: %s", db_errmsg(ctx->db));
    int idx = 1;
    for (size_t i = 0; i < k->nfields; i++) {
        if (!changed_vals[i]) continue;
        /* "" marks a change to NULL */
        db_bind_text(st, idx++, *changed_vals[i] ? changed_vals[i] : NULL);
    }
    char now[CLOCK_NOW_LEN + 1];
    clock_now(now);
    db_bind_text(st, idx++, now);
    db_bind_text(st, idx++, ctx->actor);
    db_bind_int(st, idx, id);
    int rc = db_step(st);
    db_finalize(st);
    if (rc != DB_DONE) return set_err(err, "更新失败: %s", db_errmsg(ctx->db));
    int tf = tags_field(k);
    if (tf >= 0 && changed_vals[tf] && sync_tags(ctx, k, id, row->v[tf], 0, err) != DB_OK)
        return DB_ERR;
    return DIR_UPDATED;
}

int dir_save(DirContext *ctx, const DirKind *k, const DirRow *row, long long *id_out, char **err) {
    int ki;
    key_field(k, &ki);
    if (!row->v[ki]) return set_err(err, "缺少编码");
    Stmt *sel = select_stmt(ctx, k);
    if (!sel) return set_err(err, "数据库错误: %s", db_errmsg(ctx->db));
    db_bind_text(sel, 1, row->v[ki]);
    int rc = db_step(sel);
    if (rc == DB_ERR) {
        db_reset(sel);
        return set_err(err, "查询失败: %s", db_errmsg(ctx->db));
    }
    int is_org = !strcmp(k->table, "org"), parent = dir_field_index(k, "parent_id");
    if (rc == DB_DONE) {
        db_reset(sel);
        /* a scoped user creates orgs only below an org of their own */
        if (is_org && ctx->scope_org_id &&
            (parent < 0 || !row->v[parent] || !dir_scope_contains(ctx, ref_lookup(ctx, "org", row->v[parent]))))
            return set_err(err, "只能在本机构或下级机构之下新建机构，请填写上级行政区划代码");
        return do_insert(ctx, k, row, id_out, err);
    }
    long long id = db_col_int(sel, 0);
    if (id_out) *id_out = id;
    /* the stored row must be the user's own org's (scope.h: an upper level does not write a lower
     * level's directory; orgs themselves are set up from above, within the subtree): a code that
     * exists in another county is not taken over by an import or a form */
    int org_col = dir_field_index(k, "org_id");
    long long owner = is_org ? id : org_col >= 0 ? atoll(db_col_text(sel, org_col + 1) ? db_col_text(sel, org_col + 1) : "0") : -1;
    if (owner >= 0 && (is_org ? !dir_scope_contains(ctx, owner) : ctx->scope_org_id && owner != ctx->scope_org_id)) {
        db_reset(sel);
        /* not naming the code: it may be an insured person's pseudonym, and saying it exists
         * elsewhere would tell (an existence oracle) */
        return set_err(err, "无法登记或修改：请核对编码；如确属本机构的对象，请联系系统管理员（各机构的名录由该机构维护）");
    }
    /* the optimistic lock: a save made from an older version would silently undo a colleague's */
    int64_t stored_version = db_col_int(sel, (int)k->nfields + 1);
    if (ctx->expect_version && stored_version != ctx->expect_version) {
        db_reset(sel);
        ctx->found_version = stored_version;
        return set_err(err, "此记录已被他人修改（当前为第%lld版，您打开时为第%lld版），本次修改未保存", (long long)stored_version,
                       (long long)ctx->expect_version),
               DIR_STALE;
    }
    /* changed_vals[i]: new database value for a changed field ("" for NULL), else NULL */
    char *changed[DIR_MAX_FIELDS] = {0};
    int nchanged = 0;
    for (size_t i = 0; i < k->nfields; i++) {
        if (!row->set[i]) continue;
        char *nv = db_value(ctx, k, row, i);
        const char *ov = db_col_text(sel, (int)i + 1);
        if (!str_eq(nv, ov)) {
            changed[i] = nv ? nv : xstrdup("");
            nchanged++;
        } else {
            free(nv);
        }
    }
    db_reset(sel);
    if (is_org && ctx->scope_org_id && id == ctx->scope_org_id && parent >= 0 && changed[parent]) {
        for (size_t i = 0; i < k->nfields; i++) free(changed[i]);
        return set_err(err, "不能修改本机构的上级机构");
    }
    /* a credit grade sets the draw ratios: it changes only with a reason and a basis, and each
     * change is written to the target's credit record (credit.h) */
    int gi = !strcmp(k->table, "target") ? dir_field_index(k, "grade") : -1;
    char *old_grade = NULL;
    if (gi >= 0 && changed[gi]) {
        if (!ctx->grade_reason || !ctx->grade_basis) {
            for (size_t i = 0; i < k->nfields; i++) free(changed[i]);
            return set_err(err, "信用风险等级的调整须说明理由和依据（评价文号或检查记录），请在信用记录页办理");
        }
        db_query_text(ctx->db, &old_grade, "SELECT grade FROM target WHERE id = ?", "i", (int64_t)id);
    }
    rc = nchanged ? do_update(ctx, k, row, id, changed, err) : DIR_UNCHANGED;
    if (rc == DIR_UPDATED && gi >= 0 && changed[gi] && grade_event(ctx, id, old_grade, changed[gi], err) != 0) rc = -1;
    free(old_grade);
    for (size_t i = 0; i < k->nfields; i++) free(changed[i]);
    return rc;
}

int dir_set_status(DirContext *ctx, const DirKind *k, long long id, const char *status,
                   const char *reason, char **err) {
    int st = dir_field_index(k, "status");
    ASSERT(st >= 0);
    const DirField *f = &k->fields[st];
    const Choice *c = status ? match_choice(f->choices, status) : NULL;
    if (!c) {
        char *all = choice_list(f->choices);
        set_err(err, "状态“%s”无效（可选: %s）", status ? status : "", all);
        free(all);
        return DB_ERR;
    }
    if (f->def && strcmp(c->code, f->def) != 0 && str_empty(reason))
        return set_err(err, "状态改为“%s”须填写原因", c->label);
    char *old = NULL;
    char *sql = xasprintf("SELECT status FROM %s WHERE id = ?", k->table);
    db_query_text(ctx->db, &old, sql, "i", (int64_t)id);
    free(sql);
    if (!old) return set_err(err, "记录不存在");
    int same = !strcmp(old, c->code);
    free(old);
    if (same) return set_err(err, "状态已是“%s”", c->label);
    if (snapshot(ctx, k, id, err) != DB_OK) return DB_ERR;
    sql = xasprintf("UPDATE %s SET status = ?, status_reason = ?, version = version + 1, "
                    "updated_at = ?, updated_by = ? WHERE id = ?",
                    k->table);
    char now[CLOCK_NOW_LEN + 1];
    clock_now(now);
    int rc = db_exec(ctx->db, sql, "tttti", c->code, str_empty(reason) ? NULL : reason, now,
                     ctx->actor, (int64_t)id);
    free(sql);
    if (rc != DB_OK) return set_err(err, "更新失败: %s", db_errmsg(ctx->db));
    return DB_OK;
}

char *dir_format_field(DirContext *ctx, const DirKind *k, int field, const char *dbval) {
    (void)ctx;
    const DirField *f = &k->fields[field];
    if (!dbval) return xstrdup("");
    switch (f->type) {
    case FT_ENUM: return xstrdup(dir_choice_label(f->choices, dbval));
    case FT_BOOL: return xstrdup(strcmp(dbval, "0") ? "是" : "否");
    case FT_TAGS:
    case FT_MULTI: {
        Buf b;
        buf_init(&b);
        char *copy = xstrdup(dbval);
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
            buf_printf(&b, "%s%s", b.len ? "、" : "",
                       f->type == FT_MULTI ? dir_choice_label(f->choices, t) : t);
        free(copy);
        return buf_steal(&b);
    }
    default: return xstrdup(dbval);
    }
}

long long dir_count(Db *db, const DirKind *k) {
    int64_t n = 0;
    char *sql = xasprintf("SELECT count(*) FROM %s", k->table);
    db_query_int(db, &n, sql, NULL);
    free(sql);
    return n;
}

char *dir_select_sql(const DirKind *k) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "SELECT t.id, t.version, t.updated_at, t.updated_by");
    for (size_t i = 0; i < k->nfields; i++) {
        const DirField *f = &k->fields[i];
        if (f->type == FT_REF)
            buf_printf(&b, ", (SELECT r.code FROM %s r WHERE r.id = t.%s)", f->ref_table,
                       f->column);
        else
            buf_printf(&b, ", t.%s", f->column);
    }
    buf_printf(&b, " FROM %s t", k->table);
    return buf_steal(&b);
}

int64_t dir_row_org(Db *db, const DirKind *k, long long id) {
    if (dir_field_index(k, "org_id") < 0) return 0;
    int64_t org = 0;
    char *sql = xasprintf("SELECT org_id FROM %s WHERE id = ?", k->table);
    db_query_int(db, &org, sql, "i", (int64_t)id);
    free(sql);
    return org;
}

int dir_code_seen(Db *db, const DirKind *k, const char *code, int64_t org) {
    int ki;
    const DirField *kf = key_field(k, &ki);
    int64_t n = 0, mine = 0;
    char *sql = xasprintf("SELECT count(*) FROM %s WHERE %s = ?", k->table, kf->column);
    db_query_int(db, &n, sql, "t", code);
    free(sql);
    if (!n) return 0;
    if (dir_field_index(k, "org_id") < 0) return 1;
    sql = xasprintf("SELECT count(*) FROM %s t WHERE t.%s = ? AND " SCOPE_SQL("t.org_id"), k->table, kf->column);
    db_query_int(db, &mine, sql, "ti", code, org);
    free(sql);
    return mine ? 1 : 2;
}
