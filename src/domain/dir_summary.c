/* dir_summary.c - directory counts for the home page (see dir_summary.h). The targets are counted
 * from target_count (sql/058: a few rows per org, kept by triggers), not by reading the scope's
 * directory (a million targets in a province); the counts are kept while the data version and the
 * day are the same (readcache.h); a count that cannot be read keeps nothing. Thread-safe: uses only
 * the Db handed in. */
#include "dir_summary.h"

#include "readcache.h"
#include "scope.h"

#include "../core/strmap.h"
#include "../core/util.h"

#include <stdio.h>

/* sql has one '?' for the scope, or two when day is given: the day first. 0 with *failed set when
 * unreadable. */
static int64_t count(Db *db, const char *sql, int64_t org_id, const char *day, int *failed) {
    int64_t n = 0;
    int rc =
        day ? db_query_int(db, &n, sql, "ti", day, org_id) : db_query_int(db, &n, sql, "i", org_id);
    if (rc != DB_OK) *failed = 1;
    return rc == DB_OK ? n : 0;
}

#define TARGETS(kind)                                                                              \
    "SELECT coalesce(sum(n), 0) FROM target_count t WHERE kind = '" kind                           \
    "' AND " SCOPE_SQL("t.org_id")

typedef struct SummaryArg {
    int64_t org_id;
    const char *today;
} SummaryArg;

/* The counts of DirSummary in its field order as a JSON array (ReadcacheFn); NULL when one could
 * not be read. */
static json_t *summary_read(Db *db, void *arg, char **err) {
    (void)err;
    const SummaryArg *a = arg;
    static const char *const sql[] = {
        "SELECT count(*) FROM item t WHERE status = '启用' AND " SCOPE_SQL("t.org_id"),
        TARGETS("institution"),
        TARGETS("pharmacy"),
        TARGETS("employer"),
        TARGETS("insured"),
        "SELECT count(*) FROM officer t WHERE status = '在岗' AND " SCOPE_SQL("t.org_id"),
        "SELECT count(*) FROM officer t WHERE cert_valid_to < ? AND " SCOPE_SQL("t.org_id"),
        "SELECT count(*) FROM expert t WHERE " SCOPE_SQL("t.org_id")};
    json_t *v = json_array();
    int failed = 0;
    for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) /* only the expiry count has a day */
        json_array_append_new(
            v, json_integer(count(db, sql[i], a->org_id, i == 6 ? a->today : NULL, &failed)));
    if (failed) {
        json_decref(v);
        return NULL;
    }
    return v;
}

void dir_summary(Db *db, int64_t org_id, const char *today, DirSummary *out) {
    SummaryArg a = {org_id, today};
    char key[96];
    snprintf(key, sizeof key, "dir_summary/%lld/%s", (long long)org_id, today);
    json_t *v = readcache_get(db, key, summary_read, &a, NULL);
    if (!v) v = json_array(); /* unreadable: every count shows 0, nothing is kept */
    int64_t *f[] = {&out->items,   &out->institutions,     &out->pharmacies,    &out->employers,
                    &out->insured, &out->officers_on_duty, &out->certs_expired, &out->experts};
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        *f[i] = (int64_t)json_integer_value(json_array_get(v, i));
    json_decref(v);
}

/* The grade counts (ReadcacheFn); arg: the org id. NULL on a database error. */
static json_t *grades_read(Db *db, void *arg, char **err) {
    (void)err;
    Stmt *st = db_prepare(
        db, "SELECT grade, sum(n) FROM target_count t WHERE kind <> 'insured' AND " SCOPE_SQL(
                "t.org_id") " GROUP BY grade HAVING sum(n) > 0 ORDER BY grade");
    if (!st) return NULL;
    db_bind_int(st, 1, *(const int64_t *)arg);
    json_t *a = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(a, json_pack("{s:s, s:I}", "grade", db_col_text(st, 0), "count",
                                           (json_int_t)db_col_int(st, 1)));
    db_finalize(st);
    if (rc != DB_DONE) {
        json_decref(a);
        return NULL;
    }
    return a;
}

json_t *dir_summary_grades(Db *db, int64_t org_id) {
    char key[64];
    snprintf(key, sizeof key, "dir_grades/%lld", (long long)org_id);
    json_t *a = readcache_get(db, key, grades_read, &org_id, NULL);
    return a ? a : json_array();
}

int dir_counts_rebuild(Db *db) {
    /* one sort of the table instead of an upsert per row: 1M rows cost about 1.3 CPU s through
     * the triggers (bench/README.md, import) */
    if (db_exec(db, "DELETE FROM target_count", NULL) != DB_OK) return DB_ERR;
    return db_exec(db,
                   "INSERT INTO target_count(org_id, kind, grade, status, n) SELECT org_id, kind, "
                   "grade, status, count(*) FROM target GROUP BY org_id, kind, grade, status",
                   NULL);
}

/* ---- the tally of a bulk import ---- */

typedef struct CountRow {
    int64_t org_id, n;
    char *kind, *grade, *status;
} CountRow;

struct DirCounts {
    const char *dflt_grade, *dflt_status;
    StrMap *at; /* "org_id kind grade status" → index in rows */
    CountRow *rows;
    size_t n, cap;
    Buf key;
};

DirCounts *dir_counts_new(const char *dflt_grade, const char *dflt_status) {
    DirCounts *c = xcalloc(1, sizeof *c);
    c->dflt_grade = dflt_grade;
    c->dflt_status = dflt_status;
    c->at = strmap_new();
    buf_init(&c->key);
    return c;
}

void dir_counts_add(DirCounts *c, int64_t org_id, const char *kind, const char *grade,
                    const char *status) {
    grade = grade ? grade : c->dflt_grade;
    status = status ? status : c->dflt_status;
    /* the key: the org id's 8 bytes in hex, then the texts each ended by the unit separator (which
     * a checked kind, grade or status cannot hold); no printf: this runs for every row of a load */
    char hex[17];
    for (int d = 0; d < 16; d++)
        hex[d] = "0123456789abcdef"[((uint64_t)org_id >> (60 - 4 * d)) & 15];
    hex[16] = '\x1f';
    buf_reset(&c->key);
    buf_append(&c->key, hex, sizeof hex);
    const char *const texts[] = {kind, grade, status};
    for (int t = 0; t < 3; t++) {
        buf_puts(&c->key, texts[t]);
        buf_putc(&c->key, '\x1f');
    }
    int64_t i;
    if (strmap_get(c->at, c->key.data, &i)) {
        c->rows[i].n++;
        return;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->rows = xrealloc(c->rows, c->cap * sizeof *c->rows);
    }
    c->rows[c->n] = (CountRow){org_id, 1, xstrdup(kind), xstrdup(grade), xstrdup(status)};
    strmap_put(c->at, c->key.data, (int64_t)c->n++);
}

int dir_counts_add_to(Db *db, const DirCounts *c) {
    for (size_t i = 0; i < c->n; i++) {
        const CountRow *r = &c->rows[i];
        if (db_exec(db,
                    "INSERT INTO target_count(org_id, kind, grade, status, n) VALUES (?, ?, ?, ?, "
                    "?) ON CONFLICT (org_id, kind, grade, status) DO UPDATE SET n = "
                    "target_count.n + excluded.n",
                    "ittti", r->org_id, r->kind, r->grade, r->status, r->n) != DB_OK)
            return DB_ERR;
    }
    return DB_OK;
}

void dir_counts_free(DirCounts *c) {
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->rows[i].kind);
        free(c->rows[i].grade);
        free(c->rows[i].status);
    }
    free(c->rows);
    strmap_free(c->at);
    buf_free(&c->key);
    free(c);
}
