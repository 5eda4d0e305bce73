/* dir_io.c - import/export of directory kinds (see dir_io.h). Called by the CLI and by the web
 * upload handler. Holds one transaction per import; never leaves partial data behind. */
#include "../core/clock.h"
#include "dir_io.h"

#include "audit.h"

#include "codes.h"
#include "uow.h"

#include "../core/strmap.h"
#include "../core/util.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Page cache of an import, as PRAGMA cache_size (negative: KiB). Pages are allocated as used, so
 * a small file costs no more than before. */
#define IMPORT_CACHE_KIB "-65536"

static long report_line(const char *s) {
    long n = 0;
    return sscanf(s, "第%ld行", &n) == 1 ? n : 0;
}

typedef struct ReportLine {
    long line;
    size_t pos;
    char *s;
} ReportLine;

static int by_line(const void *a, const void *b) {
    const ReportLine *x = a, *y = b;
    if (x->line != y->line) return (x->line > y->line) - (x->line < y->line);
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Puts the kept lines in line order (stable: the bulk path names database errors after reading
 * the whole file) and keeps the first IMPORT_REPORT_KEEP. */
static void report_sort(ImportReport *rep) {
    size_t n = rep->nerrors;
    if (n < 2) return;
    ReportLine *t = xmalloc(n * sizeof *t);
    for (size_t i = 0; i < n; i++) {
        t[i].line = report_line(rep->errors[i]);
        t[i].pos = i;
        t[i].s = rep->errors[i];
    }
    qsort(t, n, sizeof *t, by_line);
    for (size_t i = 0; i < n; i++) {
        if (i < IMPORT_REPORT_KEEP) rep->errors[i] = t[i].s;
        else free(t[i].s);
    }
    if (rep->nerrors > IMPORT_REPORT_KEEP) rep->nerrors = IMPORT_REPORT_KEEP;
    free(t);
}

/* Every problem goes to the errors file (opened at the first one) as 行号, 错误. */
static void report_spill(ImportReport *rep, const char *msg) {
    if (!rep->spill_path || rep->errors_file < 0) return;
    if (!rep->spill) {
        static const char *const head[] = {"行号", "错误"};
        rep->spill = table_writer_open(rep->spill_path, TABLE_CSV, "错误清单", NULL);
        if (!rep->spill || table_write_row(rep->spill, head, 2, NULL) != 0) {
            rep->errors_file = -1;
            return;
        }
        rep->errors_file = 1;
    }
    char line[24];
    snprintf(line, sizeof line, "%ld", report_line(msg));
    const char *cells[] = {line, msg};
    if (table_write_row(rep->spill, cells, 2, NULL) != 0) rep->errors_file = -1;
}

static void report_add(ImportReport *rep, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report_add(ImportReport *rep, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    rep->total_errors++;
    report_spill(rep, msg);
    /* memory stays bounded: twice the kept lines at most, then the later ones in line order go */
    if (rep->nerrors == 2 * IMPORT_REPORT_KEEP) report_sort(rep);
    if (rep->nerrors == rep->caperrors) {
        rep->caperrors = rep->caperrors ? rep->caperrors * 2 : 16;
        rep->errors = xrealloc(rep->errors, rep->caperrors * sizeof *rep->errors);
    }
    rep->errors[rep->nerrors++] = msg;
}

/* Closes the errors file; it is whole (errors_file 1) only when every write succeeded. */
static void report_close(ImportReport *rep) {
    if (rep->spill && table_writer_close(rep->spill, NULL) != 0) rep->errors_file = -1;
    rep->spill = NULL;
    if (rep->errors_file < 0) rep->errors_file = 0;
}

void import_report_free(ImportReport *rep) {
    if (rep->spill) table_writer_close(rep->spill, NULL);
    for (size_t i = 0; i < rep->nerrors; i++) free(rep->errors[i]);
    free(rep->errors);
    free(rep->spill_path);
    memset(rep, 0, sizeof *rep);
}

/* Maps header cells to field indexes (col_field[c] = field or -1). Reports unknown, duplicate
 * and missing required columns. Returns the number of problems. */
static int map_header(const DirKind *k, char **cells, size_t n, int *col_field, long row_no,
                      ImportReport *rep) {
    int problems = 0;
    int seen[DIR_MAX_FIELDS] = {0};
    for (size_t c = 0; c < n; c++) {
        col_field[c] = -1;
        char *h = xstrdup(cells[c]);
        str_trim(h);
        /* a trailing "*" marks required columns in templates people made by hand */
        size_t hl = strlen(h);
        if (hl > 0 && h[hl - 1] == '*') h[hl - 1] = 0;
        /* the marker of an unmasked export (dir_export_rows) names the same column */
        static const char pii_mark[] = "（个人信息，未遮盖）";
        hl = strlen(h);
        if (hl > sizeof pii_mark - 1 && !strcmp(h + hl - (sizeof pii_mark - 1), pii_mark)) h[hl - (sizeof pii_mark - 1)] = 0;
        if (!*h) {
            free(h);
            continue;
        }
        int found = -1;
        for (size_t i = 0; i < k->nfields; i++)
            if (!strcmp(k->fields[i].header, h)) found = (int)i;
        if (found < 0) {
            report_add(rep, "第%ld行 %s: 未知的列名（%s导入模板可用 spotcheck export %s 生成）", row_no,
                       h, k->label, k->name);
            problems++;
        } else if (seen[found]) {
            report_add(rep, "第%ld行 %s: 列名重复", row_no, h);
            problems++;
        } else {
            seen[found] = 1;
            col_field[c] = found;
        }
        free(h);
    }
    for (size_t i = 0; i < k->nfields; i++) {
        const DirField *f = &k->fields[i];
        if ((f->flags & FF_REQUIRED) && !(f->flags & FF_DERIVED) && !seen[i]) {
            report_add(rep, "第%ld行: 缺少必填列“%s”", row_no, f->header);
            problems++;
        }
    }
    return problems;
}

static void report_row_errors(const DirKind *k, long row_no, const DirErrors *errs,
                              ImportReport *rep) {
    for (size_t i = 0; i < errs->n; i++) {
        if (errs->e[i].field >= 0)
            report_add(rep, "第%ld行 %s: %s", row_no, k->fields[errs->e[i].field].header,
                       errs->e[i].reason);
        else
            report_add(rep, "第%ld行: %s", row_no, errs->e[i].reason);
    }
}

/* Whether an account of scope_org_id may import rows of org_code: only its own org's (scope.h: an
 * upper level does not write a lower level's directory); answers are cached in `seen` (org code →
 * 0/1) because a file names the same few orgs on every row. */
static int in_scope(Db *db, long long scope_org_id, const char *org_code, StrMap *seen,
                    pthread_mutex_t *lock) {
    if (!scope_org_id || !org_code) return 1;
    int64_t ok = 0;
    if (strmap_get(seen, org_code, &ok)) return ok > 0;
    if (lock) pthread_mutex_lock(lock);
    db_query_int(db, &ok, "SELECT count(*) FROM org WHERE id = ? AND code = ?", "it", (int64_t)scope_org_id, org_code);
    if (lock) pthread_mutex_unlock(lock);
    strmap_put(seen, org_code, ok > 0);
    return ok > 0;
}

/* Counts the result of one dir_save in the report. *id_out receives the row id (0 on error). */
static void save_row(DirContext *ctx, const DirKind *k, const DirRow *row, long row_no,
                     ImportReport *rep, long long *id_out) {
    char *serr = NULL;
    *id_out = 0;
    int s = dir_save(ctx, k, row, id_out, &serr);
    if (s == DIR_INSERTED) rep->inserted++;
    else if (s == DIR_UPDATED) rep->updated++;
    else if (s == DIR_UNCHANGED) rep->unchanged++;
    else report_add(rep, "第%ld行: %s", row_no, serr ? serr : "写入失败");
    free(serr);
}

/* ---- bulk insert into an empty table ----
 *
 * When the kind's table holds no row at the start of an import, every valid row of the file is
 * new (duplicates within the file are rejected before saving, found next to each other once the
 * rows are sorted): nothing to look up, compare or
 * keep as a version. Such rows are kept in memory while the file is read (one arena block per
 * row), then sorted by their key (the code) and inserted with explicit ids given in that order,
 * one statement per run of rows with the same fields given (db_insert_rows: SQLite reads the
 * cells straight from the arena, with no bound parameter per cell). Ids and codes then both
 * grow, so the table and its UNIQUE(code) index (which the table definition implies and which
 * cannot be dropped) are filled by appends instead of a million random b-tree inserts: the
 * largest single cost of a big import. (The price: after a first import the ids follow the
 * codes, not the file's order.) Known ids also let the tag links follow, one statement per run.
 *
 * With BULK_DEFER_AFTER rows or more, the indexes made by CREATE INDEX (db_created_indexes:
 * plain ones and UNIQUE ones such as the insured's ID number) are dropped before the first
 * INSERT and built again after the last, one sort each instead of random inserts. Building a
 * UNIQUE index fails on a duplicate, so no constraint is lost. Everything runs inside the
 * import's transaction, within a savepoint: when an INSERT or an index build breaks a
 * constraint, the savepoint is rolled back (dropped indexes included) and every kept row is
 * saved again one at a time, in file order, through dir_save with all indexes in place, which
 * reports each row's own error with its line number exactly as the row-by-row path does. Any
 * other database failure (disk full, I/O) stops the import, which then rolls back. Other
 * connections see either the old state or the new one, indexes included.
 *
 * Memory: the kept rows of a 1M-row, 141 MB file take about 250 MB until the import ends. */
#define BULK_REFS 4
#define BULK_DEFER_AFTER 10000
#define ARENA_CHUNK (1u << 18)

typedef struct ArenaChunk {
    struct ArenaChunk *next;
    size_t used, cap;
    char data[];
} ArenaChunk;

/* n bytes (8-aligned) from the arena; freed all at once by arena_free. */
static void *arena_alloc(ArenaChunk **a, size_t n) {
    n = (n + 7) & ~(size_t)7;
    if (!*a || (*a)->cap - (*a)->used < n) {
        size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        ArenaChunk *c = xmalloc(sizeof *c + cap);
        c->next = *a;
        c->used = 0;
        c->cap = cap;
        *a = c;
    }
    void *p = (*a)->data + (*a)->used;
    (*a)->used += n;
    return p;
}

static void arena_free(ArenaChunk *a) {
    while (a) {
        ArenaChunk *next = a->next;
        free(a);
        a = next;
    }
}

/* One valid row kept for the bulk insert. */
typedef struct KeptRow {
    /* the key's first 16 bytes, big-endian, zero-padded: most comparisons end here (codes share
     * their first 8 bytes: "91" + region, "H13…") */
    uint64_t prefix[2];
    const char *key;
    char **v;     /* the kind's field values, in the arena (NULL: SQL NULL) */
    uint32_t set; /* bit i: field i given */
    long row_no;
} KeptRow;

typedef struct Bulk {
    Db *db;
    DirContext *ctx; /* for the row-by-row fallback */
    const DirKind *k;
    const char *actor;
    char now[CLOCK_NOW_LEN + 1]; /* updated_at of every row of the import */
    int key;        /* the key field */
    int tags_field; /* FT_TAGS field kept in the link table, or -1 */
    ArenaChunk *arena;
    KeptRow *rows;
    size_t n, cap;
    int64_t next_id;
    Stmt *ref_sel[BULK_REFS];
    const char *ref_table[BULK_REFS];
    StrMap *ref_ids[BULK_REFS]; /* code → id of referenced rows, per table */
    DbIndex *dropped;           /* indexes dropped, to build again */
    size_t ndropped;
} Bulk;

/* Whether kind k can be bulk-inserted into its table: the table is empty and no field refers
 * to the kind's own table (a tag's parent must be in the database when the child is checked,
 * so such rows are saved one at a time). */
static int bulk_possible(Db *db, const DirKind *k) {
    if (k->nfields > 29) return 0; /* db_insert_rows takes 32 columns with id, updated_at, updated_by */
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].type == FT_REF && !strcmp(k->fields[i].ref_table, k->table)) return 0;
    int64_t any = 1;
    char *sql = xasprintf("SELECT EXISTS (SELECT 1 FROM %s)", k->table);
    int rc = db_query_int(db, &any, sql, NULL);
    free(sql);
    return rc == DB_OK && !any;
}

static Bulk *bulk_new(Db *db, DirContext *ctx, const DirKind *k, int key, const char *actor) {
    Bulk *b = xcalloc(1, sizeof *b);
    b->db = db;
    b->ctx = ctx;
    b->k = k;
    b->key = key;
    b->actor = actor ? actor : "system"; /* as dir_context_new */
    clock_now(b->now);
    b->tags_field = -1;
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].type == FT_TAGS && k->link_table) b->tags_field = (int)i;
    char *sql = xasprintf("SELECT coalesce(max(id), 0) + 1 FROM %s", k->table);
    db_query_int(db, &b->next_id, sql, NULL);
    free(sql);
    return b;
}

static void bulk_free(Bulk *b) {
    if (!b) return;
    db_index_list_free(b->dropped, b->ndropped);
    arena_free(b->arena);
    free(b->rows);
    for (int i = 0; i < BULK_REFS; i++) {
        db_finalize(b->ref_sel[i]);
        strmap_free(b->ref_ids[i]);
    }
    free(b);
}

/* Packs a copy of the valid row *row (its key set) into one block of the arena. */
static void pack_row(ArenaChunk **arena, const DirKind *k, int key, const DirRow *row,
                     long row_no, KeptRow *out) {
    size_t len[DIR_MAX_FIELDS], total = k->nfields * sizeof(char *);
    for (size_t i = 0; i < k->nfields; i++) {
        len[i] = row->v[i] ? strlen(row->v[i]) + 1 : 0;
        total += len[i];
    }
    char **v = arena_alloc(arena, total);
    char *p = (char *)(v + k->nfields);
    uint32_t set = 0;
    for (size_t i = 0; i < k->nfields; i++) {
        if (row->set[i]) set |= 1u << i;
        if (!row->v[i]) {
            v[i] = NULL;
            continue;
        }
        memcpy(p, row->v[i], len[i]);
        v[i] = p;
        p += len[i];
    }
    out->key = v[key];
    out->prefix[0] = out->prefix[1] = 0;
    for (int i = 0; out->key && i < 16 && out->key[i]; i++)
        out->prefix[i / 8] |= (uint64_t)(unsigned char)out->key[i] << (56 - 8 * (i % 8));
    out->v = v;
    out->set = set;
    out->row_no = row_no;
}

/* Adds a packed row (its values in b->arena) to the rows to write. */
static void bulk_add_kept(Bulk *b, const KeptRow *row) {
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 1024;
        b->rows = xrealloc(b->rows, b->cap * sizeof *b->rows);
    }
    b->rows[b->n++] = *row;
}

/* Keeps a copy of the valid row *row (its key set) for bulk_write. */
static void bulk_keep(Bulk *b, const DirRow *row, long row_no) {
    KeptRow kr;
    pack_row(&b->arena, b->k, b->key, row, row_no, &kr);
    bulk_add_kept(b, &kr);
}

/* Key order (bytes, as SQLite's BINARY collation compares text), then line order, so that the
 * rows of one key follow each other with the first line first. */
static int kept_by_key(const void *a, const void *b) {
    const KeptRow *x = a, *y = b;
    for (int i = 0; i < 2; i++)
        if (x->prefix[i] != y->prefix[i]) return x->prefix[i] < y->prefix[i] ? -1 : 1;
    int c = strcmp(x->key ? x->key : "", y->key ? y->key : "");
    if (c) return c;
    return (x->row_no > y->row_no) - (x->row_no < y->row_no);
}

/* The duplicate-key check of the bulk path, on the rows sorted by kept_by_key: a key's later
 * lines are reported against its first one, as the row path reports them, and left out. (A hash
 * set of a million keys filled while reading cost the reading thread a quarter second of cache
 * misses; after the sort the duplicates are neighbours.) */
static void bulk_drop_duplicates(Bulk *b, ImportReport *rep) {
    size_t out = 0;
    for (size_t i = 0; i < b->n; i++) {
        const KeptRow *first = out ? &b->rows[out - 1] : NULL;
        if (first && first->key && b->rows[i].key && first->prefix[0] == b->rows[i].prefix[0] &&
            first->prefix[1] == b->rows[i].prefix[1] &&
            !strcmp(first->key, b->rows[i].key)) {
            DirErrors errs = {0};
            dir_errors_add(&errs, b->key, "“%s”与第%ld行重复", b->rows[i].key, first->row_no);
            report_row_errors(b->k, b->rows[i].row_no, &errs, rep);
            dir_errors_free(&errs);
            continue;
        }
        b->rows[out++] = b->rows[i];
    }
    b->n = out;
}

static int kept_by_line(const void *a, const void *b) {
    const KeptRow *x = a, *y = b;
    return (x->row_no > y->row_no) - (x->row_no < y->row_no);
}

/* Id of the row of `table` with this code, or 0 when absent. */
static int64_t bulk_ref_id(Bulk *b, const char *table, const char *code) {
    int slot = 0;
    while (slot < BULK_REFS && b->ref_table[slot] && strcmp(b->ref_table[slot], table)) slot++;
    if (slot == BULK_REFS) return 0; /* more referenced tables than any kind has */
    if (!b->ref_table[slot]) {
        char *sql = xasprintf("SELECT id FROM %s WHERE code = ?", table);
        b->ref_sel[slot] = db_prepare(b->db, sql);
        free(sql);
        if (!b->ref_sel[slot]) return 0;
        b->ref_table[slot] = table;
        b->ref_ids[slot] = strmap_new();
    }
    int64_t id = 0;
    if (strmap_get(b->ref_ids[slot], code, &id)) return id;
    Stmt *st = b->ref_sel[slot];
    db_bind_text(st, 1, code);
    if (db_step(st) == DB_ROW) id = db_col_int(st, 0);
    db_reset(st);
    if (id) strmap_put(b->ref_ids[slot], code, id);
    return id;
}

/* The cells of a run of kept rows for db_insert_rows: columns id, the fields given (one mask
 * for the whole run), updated_at, updated_by. */
typedef struct BulkCells {
    Bulk *b;
    const KeptRow *rows;
    int field[DIR_MAX_FIELDS + 3]; /* column → field, or COL_ID / COL_NOW / COL_ACTOR */
    int refs_ok;                   /* 0 once a referenced code was not found */
} BulkCells;

enum { COL_ID = -1, COL_ACTOR = -2, COL_NOW = -3 };

static int bulk_cell(void *arg, size_t row, size_t col, const char **text, int64_t *i) {
    BulkCells *c = arg;
    int f = c->field[col];
    if (f == COL_ID) {
        *i = c->b->next_id + (int64_t)row;
        return 1;
    }
    if (f == COL_ACTOR) {
        *text = c->b->actor;
        return 0;
    }
    if (f == COL_NOW) {
        *text = c->b->now;
        return 0;
    }
    const char *v = c->rows[row].v[f];
    if (v && c->b->k->fields[f].type == FT_REF) {
        *i = bulk_ref_id(c->b, c->b->k->fields[f].ref_table, v);
        if (!*i) c->refs_ok = 0; /* the foreign key refuses id 0 too */
        return 1;
    }
    *text = v; /* in the arena: outlives the statement */
    return 0;
}

/* (row id, tag id) pairs of a run's tag links, for db_insert_rows. */
typedef struct LinkCells {
    int64_t *pair;
    size_t n, cap;
} LinkCells;

static int link_cell(void *arg, size_t row, size_t col, const char **text, int64_t *i) {
    (void)text;
    *i = ((LinkCells *)arg)->pair[2 * row + col];
    return 1;
}

/* Inserts the tag links of rows[0..n), whose ids are first_id…, by one statement. Returns 0 or -1
 * (a tag code not found, or a database error: reported). */
static int bulk_links(Bulk *b, const KeptRow *rows, size_t n, int64_t first_id, ImportReport *rep) {
    LinkCells links = {0};
    int rc = 0;
    for (size_t r = 0; rc == 0 && r < n; r++) {
        const char *tags = rows[r].v[b->tags_field];
        if (!tags) continue;
        char *copy = xstrdup(tags);
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            int64_t tag = bulk_ref_id(b, "tag", t);
            if (!tag) {
                report_add(rep, "第%ld行: 保存标签失败: 标签“%s”不存在", rows[r].row_no, t);
                rc = -1;
                break;
            }
            if (links.n == links.cap) {
                links.cap = links.cap ? 2 * links.cap : 1024;
                links.pair = xrealloc(links.pair, 2 * links.cap * sizeof *links.pair);
            }
            links.pair[2 * links.n] = first_id + (int64_t)r;
            links.pair[2 * links.n + 1] = tag;
            links.n++;
        }
        free(copy);
    }
    const char *cols[] = {b->k->link_fk, "tag_id"};
    DbRowSource src = {links.n, 2, link_cell, &links};
    if (rc == 0 && db_insert_rows(b->db, b->k->link_table, cols, 2, &src, 1) != DB_OK) {
        report_add(rep, "第%ld行: 保存标签失败: %s", rows[0].row_no, db_errmsg(b->db));
        rc = -1;
    }
    free(links.pair);
    return rc;
}

/* Drops the table's own indexes. Stops at the first failure; what was dropped is built again
 * by bulk_rebuild, so a failure here only costs speed. */
static void bulk_drop_indexes(Bulk *b) {
    DbIndex *list;
    size_t n;
    if (db_created_indexes(b->db, b->k->table, &list, &n) != DB_OK) return;
    size_t i = 0;
    for (; i < n; i++) {
        char *sql = xasprintf("DROP INDEX \"%s\"", list[i].name);
        int rc = db_exec(b->db, sql, NULL);
        free(sql);
        if (rc != DB_OK) break;
    }
    b->dropped = list; /* the first i entries were dropped; free the rest now */
    b->ndropped = i;
    for (; i < n; i++) {
        free(list[i].name);
        free(list[i].sql);
    }
}

/* Outcomes of the bulk steps. */
enum { BULK_OK = 0, BULK_CONSTRAINT = 1, BULK_STOP = -1 };

/* Builds the dropped indexes again: the UNIQUE ones first (they check the constraint), then,
 * unless the import is rejected anyway (`unique_only`), the plain ones. */
static int bulk_rebuild(Bulk *b, int unique_only, ImportReport *rep) {
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < b->ndropped; i++) {
            if (b->dropped[i].unique != !pass || (pass && unique_only)) continue;
            if (db_exec(b->db, b->dropped[i].sql, NULL) == DB_OK) continue;
            if (db_errclass(b->db) == DBE_CONSTRAINT) return BULK_CONSTRAINT;
            report_add(rep, "第%ld行: 重建索引 %s 失败: %s", b->n ? b->rows[0].row_no : 2L,
                       b->dropped[i].name, db_errmsg(b->db));
            return BULK_STOP;
        }
    return BULK_OK;
}

/* Inserts rows[0..n) (one field mask) with the ids next_id… by one statement, then their tag
 * links. */
static int bulk_insert(Bulk *b, const KeptRow *rows, size_t n, ImportReport *rep) {
    const DirKind *k = b->k;
    BulkCells cells = {.b = b, .rows = rows, .refs_ok = 1};
    const char *cols[DIR_MAX_FIELDS + 3];
    size_t ncols = 0;
    cols[ncols] = "id";
    cells.field[ncols++] = COL_ID;
    for (size_t i = 0; i < k->nfields; i++)
        if (rows[0].set & (1u << i)) {
            cols[ncols] = k->fields[i].column;
            cells.field[ncols++] = (int)i;
        }
    cols[ncols] = "updated_at";
    cells.field[ncols++] = COL_NOW;
    cols[ncols] = "updated_by";
    cells.field[ncols++] = COL_ACTOR;
    DbRowSource src = {n, ncols, bulk_cell, &cells};
    int rc = BULK_OK;
    if (db_insert_rows(b->db, k->table, cols, ncols, &src, 0) != DB_OK) {
        rc = db_errclass(b->db) == DBE_CONSTRAINT ? BULK_CONSTRAINT : BULK_STOP;
        if (rc == BULK_STOP) report_add(rep, "第%ld行: 写入失败: %s", rows[0].row_no, db_errmsg(b->db));
    } else if (!cells.refs_ok) {
        rc = BULK_CONSTRAINT; /* the row path names the row and the missing reference */
    }
    if (rc != BULK_OK) return rc;
    if (b->tags_field >= 0 && bulk_links(b, rows, n, b->next_id, rep) != 0) return BULK_STOP;
    b->next_id += (int64_t)n;
    return BULK_OK;
}

/* Saves every kept row through dir_save in file order (see above). */
static void bulk_row_by_row(Bulk *b, ImportReport *rep) {
    qsort(b->rows, b->n, sizeof *b->rows, kept_by_line);
    DirRow row;
    memset(&row, 0, sizeof row);
    for (size_t r = 0; r < b->n; r++) {
        for (size_t i = 0; i < b->k->nfields; i++) {
            row.set[i] = (b->rows[r].set >> i) & 1;
            row.v[i] = b->rows[r].v[i] ? xstrdup(b->rows[r].v[i]) : NULL;
        }
        long long id;
        save_row(b->ctx, b->k, &row, b->rows[r].row_no, rep, &id);
        dir_row_clear(&row, b->k);
    }
}

/* Writes the kept rows (see above). Returns -1 when the import must stop, else 0; bad rows are
 * in the report. */
static int bulk_write(Bulk *b, ImportReport *rep) {
    if (!b->n) return 0;
    long inserted = rep->inserted;
    qsort(b->rows, b->n, sizeof *b->rows, kept_by_key);
    bulk_drop_duplicates(b, rep);
    if (db_exec(b->db, "SAVEPOINT bulk_import", NULL) != DB_OK) {
        report_add(rep, "第%ld行: 写入失败: %s", b->rows[0].row_no, db_errmsg(b->db));
        return -1;
    }
    int64_t first_id = b->next_id;
    if (b->n >= BULK_DEFER_AFTER) bulk_drop_indexes(b);
    int rc = BULK_OK;
    for (size_t i = 0; rc == BULK_OK && i < b->n;) {
        size_t n = 1;
        while (i + n < b->n && b->rows[i + n].set == b->rows[i].set) n++;
        rc = bulk_insert(b, &b->rows[i], n, rep);
        i += n;
    }
    if (rc == BULK_OK) rc = bulk_rebuild(b, rep->nerrors > 0, rep);
    if (rc == BULK_CONSTRAINT) {
        /* undo the bulk rows and the index drops, then let dir_save name every bad row */
        if (db_exec(b->db, "ROLLBACK TO bulk_import", NULL) != DB_OK) {
            report_add(rep, "第%ld行: 写入失败: %s", b->rows[0].row_no, db_errmsg(b->db));
            return -1;
        }
        b->next_id = first_id;
        bulk_row_by_row(b, rep);
        rc = BULK_OK;
    } else if (rc == BULK_OK) {
        rep->inserted = inserted + (long)b->n;
    }
    if (rc == BULK_OK && db_exec(b->db, "RELEASE bulk_import", NULL) != DB_OK) {
        report_add(rep, "第%ld行: 写入失败: %s", b->rows[0].row_no, db_errmsg(b->db));
        rc = BULK_STOP;
    }
    return rc == BULK_OK ? 0 : -1;
}

/* Leading line number of a report line ("第N行…"), 0 when it has none. */
/* What parsing a data row needs besides the row: the file's column map and the scope check. */
typedef struct RowParser {
    Db *db;
    const DirKind *k;
    const int *col_field; /* file column → field, or -1 */
    size_t ncols;
    int org; /* the org_id field, or -1 */
    long long scope_org_id;
    pthread_mutex_t *lock; /* around database reads when rows are parsed on several threads */
} RowParser;

/* Parses and checks one data row into *row (cleared first) and *errs. */
static void parse_row(const RowParser *p, DirContext *ctx, StrMap *orgs_seen, char **cells,
                      size_t n, DirRow *row, DirErrors *errs) {
    const DirKind *k = p->k;
    dir_row_clear(row, k);
    for (size_t c = 0; c < p->ncols; c++)
        if (p->col_field[c] >= 0)
            dir_parse_field(ctx, k, p->col_field[c], c < n ? str_cell_import(cells[c]) : "", row, errs);
    for (size_t c = p->ncols; c < n; c++)
        if (!str_empty(cells[c])) {
            dir_errors_add(errs, -1, "第%zu列有数据但没有列名", c + 1);
            break;
        }
    dir_check_row(ctx, k, row, errs);
    if (p->org >= 0 && row->v[p->org] &&
        !in_scope(p->db, p->scope_org_id, row->v[p->org], orgs_seen, p->lock))
        dir_errors_add(errs, p->org, "无权导入机构 %s 的数据（只能导入本机构的名录）", row->v[p->org]);
}

/* The rest of a data row's handling, in file order: the duplicate check against the rows before
 * it, the report, then the save (row path) or keeping the row (bulk path). */
typedef struct RowSink {
    const DirKind *k;
    int key;
    StrMap *keys; /* key → first line */
    DirContext *ctx;
    Bulk *bulk;
    ImportReport *rep;
} RowSink;

static void sink_row(RowSink *s, DirRow *row, DirErrors *errs, long row_no) {
    s->rep->rows++;
    int64_t first = 0;
    if (!errs->n && row->v[s->key] && !s->bulk && strmap_get(s->keys, row->v[s->key], &first))
        dir_errors_add(errs, s->key, "“%s”与第%lld行重复", row->v[s->key], (long long)first);
    if (errs->n) {
        report_row_errors(s->k, row_no, errs, s->rep);
        dir_errors_free(errs);
        return;
    }
    if (s->bulk) {
        bulk_keep(s->bulk, row, row_no); /* duplicates: bulk_drop_duplicates */
    } else {
        strmap_put(s->keys, row->v[s->key], row_no);
        long long id;
        save_row(s->ctx, s->k, row, row_no, s->rep, &id);
    }
}

/* sink_row for a row parsed and packed by a parse thread (bulk path): kept->v lies in an arena
 * that the caller hands to the bulk. */
static void sink_kept(RowSink *s, const KeptRow *kept, DirErrors *errs, long row_no) {
    s->rep->rows++;
    if (errs->n) {
        report_row_errors(s->k, row_no, errs, s->rep);
        dir_errors_free(errs);
        return;
    }
    bulk_add_kept(s->bulk, kept); /* duplicates: bulk_drop_duplicates */
}

/* ---- parsing on several threads (bulk path) ----
 *
 * Parsing and checking the rows (cells to values, codes, HMAC pseudonyms) is half of the work
 * that is not SQLite's, and in the bulk path nothing is written before the whole file is read.
 * So the main thread reads the file into chunks of PARSE_CHUNK rows, PARSE_WORKERS threads parse
 * and check them (each with its own DirContext; their few database reads, the reference lookups
 * missing from their caches, go through one connection under a lock), and the main thread takes
 * the parsed chunks back in file order for what depends on the rows before (the
 * report, keeping the rows). Valid rows are packed by the parse thread into the chunk's arena,
 * which then joins the bulk's. The result is the same as parsing on one thread. */
#define PARSE_CHUNK 1024
#define PARSE_QUEUE 8
#define PARSE_WORKERS 2

enum { CHUNK_FREE, CHUNK_READY, CHUNK_PARSING, CHUNK_DONE };

typedef struct ParseChunk {
    int state;
    size_t n;
    long row_no[PARSE_CHUNK];
    size_t first_cell[PARSE_CHUNK + 1]; /* row r's cells: cell_pos[first_cell[r] .. first_cell[r+1]) */
    size_t *cell_pos, ncells, capcells;  /* offsets into text */
    Buf text;                            /* the cells, NUL-terminated, one after the other */
    KeptRow kept[PARSE_CHUNK]; /* valid rows, packed (errs[r].n == 0) */
    DirErrors errs[PARSE_CHUNK];
    ArenaChunk *arena; /* the packed rows' values */
} ParseChunk;

typedef struct ParallelParse {
    const RowParser *p;
    int key;
    const char *actor;
    pthread_mutex_t mu, dblock;
    pthread_cond_t cv;
    ParseChunk slot[PARSE_QUEUE];
    size_t filled, claimed, consumed; /* chunk sequence numbers; slot = number % PARSE_QUEUE */
    int reading_done;
} ParallelParse;

static void *parse_worker(void *arg) {
    ParallelParse *pp = arg;
    DirContext *ctx = dir_context_new(pp->p->db, pp->actor, pp->p->scope_org_id);
    dir_context_set_lock(ctx, &pp->dblock);
    StrMap *orgs_seen = strmap_new();
    char *cells[256];
    DirRow row;
    memset(&row, 0, sizeof row);
    pthread_mutex_lock(&pp->mu);
    for (;;) {
        while (pp->claimed == pp->filled && !pp->reading_done) pthread_cond_wait(&pp->cv, &pp->mu);
        if (pp->claimed == pp->filled) break;
        ParseChunk *c = &pp->slot[pp->claimed++ % PARSE_QUEUE];
        c->state = CHUNK_PARSING;
        pthread_mutex_unlock(&pp->mu);
        for (size_t r = 0; r < c->n; r++) {
            size_t n = c->first_cell[r + 1] - c->first_cell[r];
            char **cv = n <= 256 ? cells : xmalloc(n * sizeof *cv);
            for (size_t i = 0; i < n; i++) cv[i] = c->text.data + c->cell_pos[c->first_cell[r] + i];
            parse_row(pp->p, ctx, orgs_seen, cv, n, &row, &c->errs[r]);
            if (cv != cells) free(cv);
            if (!c->errs[r].n)
                pack_row(&c->arena, pp->p->k, pp->key, &row, c->row_no[r], &c->kept[r]);
        }
        pthread_mutex_lock(&pp->mu);
        c->state = CHUNK_DONE;
        pthread_cond_broadcast(&pp->cv);
    }
    pthread_mutex_unlock(&pp->mu);
    dir_row_clear(&row, pp->p->k);
    strmap_free(orgs_seen);
    dir_context_free(ctx);
    return NULL;
}

/* Hands the parsed rows of the oldest chunk to the sink, in order, and frees its slot. Called by
 * the main thread with pp->mu held, once that chunk is done; unlocks while working. */
static void parse_consume(ParallelParse *pp, RowSink *sink) {
    ParseChunk *c = &pp->slot[pp->consumed % PARSE_QUEUE];
    pthread_mutex_unlock(&pp->mu);
    for (size_t r = 0; r < c->n; r++) sink_kept(sink, &c->kept[r], &c->errs[r], c->row_no[r]);
    /* the chunk's arena joins the bulk's */
    while (c->arena) {
        ArenaChunk *next = c->arena->next;
        c->arena->next = sink->bulk->arena;
        sink->bulk->arena = c->arena;
        c->arena = next;
    }
    pthread_mutex_lock(&pp->mu);
    c->state = CHUNK_FREE;
    pp->consumed++;
    pthread_cond_broadcast(&pp->cv);
}

/* Reads the data rows of r into the sink with PARSE_WORKERS parsing threads. Returns 0 at the
 * end of the file, -1 on a read error (*err set), or 1 when no thread could be started (nothing
 * read yet: the caller parses on its own thread). */
static int parse_parallel(const RowParser *p, const char *actor, TableReader *r, RowSink *sink,
                          char **err) {
    ParallelParse *pp = xcalloc(1, sizeof *pp);
    RowParser shared = *p; /* lives until the threads are joined below */
    shared.lock = &pp->dblock;
    pp->p = &shared;
    pp->key = sink->key;
    pp->actor = actor;
    pthread_mutex_init(&pp->mu, NULL);
    pthread_mutex_init(&pp->dblock, NULL);
    pthread_cond_init(&pp->cv, NULL);
    for (int i = 0; i < PARSE_QUEUE; i++) buf_init(&pp->slot[i].text);
    pthread_t tid[PARSE_WORKERS];
    int nthreads = 0;
    while (nthreads < PARSE_WORKERS && pthread_create(&tid[nthreads], NULL, parse_worker, pp) == 0)
        nthreads++;
    int rc = nthreads ? 0 : 1;
    pthread_mutex_lock(&pp->mu);
    while (rc == 0) {
        /* a free slot, handing finished chunks to the sink meanwhile */
        while (pp->filled - pp->consumed == PARSE_QUEUE ||
               (pp->consumed < pp->filled && pp->slot[pp->consumed % PARSE_QUEUE].state == CHUNK_DONE)) {
            if (pp->slot[pp->consumed % PARSE_QUEUE].state == CHUNK_DONE)
                parse_consume(pp, sink);
            else
                pthread_cond_wait(&pp->cv, &pp->mu);
        }
        ParseChunk *c = &pp->slot[pp->filled % PARSE_QUEUE];
        pthread_mutex_unlock(&pp->mu);
        c->n = c->ncells = 0;
        c->text.len = 0;
        char **cells;
        size_t n;
        long row_no;
        int more = 1;
        while (c->n < PARSE_CHUNK && (more = table_next(r, &cells, &n, &row_no, err)) == 1) {
            c->row_no[c->n] = row_no;
            c->first_cell[c->n] = c->ncells;
            for (size_t i = 0; i < n; i++) {
                if (c->ncells == c->capcells) {
                    c->capcells = c->capcells ? 2 * c->capcells : 16 * PARSE_CHUNK;
                    c->cell_pos = xrealloc(c->cell_pos, c->capcells * sizeof *c->cell_pos);
                }
                c->cell_pos[c->ncells++] = c->text.len;
                buf_append(&c->text, cells[i], strlen(cells[i]) + 1);
            }
            memset(&c->errs[c->n], 0, sizeof c->errs[c->n]);
            c->n++;
        }
        c->first_cell[c->n] = c->ncells;
        pthread_mutex_lock(&pp->mu);
        if (c->n) {
            c->state = CHUNK_READY;
            pp->filled++;
            pthread_cond_broadcast(&pp->cv);
        }
        if (more < 0) rc = -1;
        if (more <= 0) break;
    }
    pp->reading_done = 1;
    pthread_cond_broadcast(&pp->cv);
    /* the rest, in order (after a read error too: the rows read so far are reported) */
    while (nthreads && pp->consumed < pp->filled) {
        if (pp->slot[pp->consumed % PARSE_QUEUE].state == CHUNK_DONE)
            parse_consume(pp, sink);
        else
            pthread_cond_wait(&pp->cv, &pp->mu);
    }
    pthread_mutex_unlock(&pp->mu);
    for (int i = 0; i < nthreads; i++) pthread_join(tid[i], NULL);
    for (int i = 0; i < PARSE_QUEUE; i++) {
        buf_free(&pp->slot[i].text);
        free(pp->slot[i].cell_pos);
        arena_free(pp->slot[i].arena); /* chunks parsed but not consumed (none) */
    }
    pthread_cond_destroy(&pp->cv);
    pthread_mutex_destroy(&pp->dblock);
    pthread_mutex_destroy(&pp->mu);
    free(pp);
    return rc;
}

static int import_rows(Db *db, const DirKind *k, TableReader *r, const char *actor, long long scope_org_id,
                       const char *const grade_change[2], ImportReport *rep, char **err) {
    char **cells;
    size_t n;
    long row_no;
    int rc = table_next(r, &cells, &n, &row_no, err);
    if (rc < 0) return IMPORT_FAILED;
    if (rc == 0) {
        report_add(rep, "第1行: 文件为空，缺少表头");
        return IMPORT_REJECTED;
    }
    int *col_field = xcalloc(n + 1, sizeof *col_field);
    size_t ncols = n;
    if (map_header(k, cells, n, col_field, row_no, rep)) {
        free(col_field);
        return IMPORT_REJECTED;
    }
    int date_cols[DIR_MAX_FIELDS];
    size_t ndate = 0;
    for (size_t c = 0; c < ncols; c++)
        if (col_field[c] >= 0 && k->fields[col_field[c]].type == FT_DATE) date_cols[ndate++] = (int)c;
    table_reader_date_columns(r, date_cols, ndate);

    int key = -1;
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].flags & FF_KEY) key = (int)i;
    RowParser parser = {db, k, col_field, ncols, dir_field_index(k, "org_id"), scope_org_id, NULL};
    DirContext *ctx = dir_context_new(db, actor, scope_org_id);
    /* grade changes (an annual credit evaluation) need the reason and basis given for the file */
    if (grade_change) dir_context_allow_grade_change(ctx, grade_change[0], grade_change[1]);
    Bulk *bulk = bulk_possible(db, k) ? bulk_new(db, ctx, k, key, actor) : NULL;
    RowSink sink = {k, key, strmap_new(), ctx, bulk, rep};
    /* The row path saves each row as it goes, so it parses on this thread; so does the bulk
     * path when no thread can be started. */
    rc = bulk ? parse_parallel(&parser, actor, r, &sink, err) : 1;
    if (rc == 1) {
        StrMap *orgs_seen = strmap_new();
        DirRow row;
        memset(&row, 0, sizeof row);
        DirErrors errs = {0};
        while ((rc = table_next(r, &cells, &n, &row_no, err)) == 1) {
            parse_row(&parser, ctx, orgs_seen, cells, n, &row, &errs);
            sink_row(&sink, &row, &errs, row_no);
        }
        dir_row_clear(&row, k);
        strmap_free(orgs_seen);
    }
    if (bulk && rc >= 0) bulk_write(bulk, rep); /* also when other rows are bad: the database may refuse more rows, all to be reported */
    report_sort(rep);
    report_close(rep);
    bulk_free(bulk);
    strmap_free(sink.keys);
    dir_context_free(ctx);
    free(col_field);
    if (rc < 0) return IMPORT_FAILED;
    return rep->nerrors ? IMPORT_REJECTED : IMPORT_OK;
}

int dir_import(Db *db, const DirKind *k, const char *path, TableEncoding enc, const char *actor,
               long long scope_org_id, const char *const grade_change[2], ImportCommitHook hook, void *hook_arg,
               const char *errors_csv, ImportReport *rep, char **err) {
    memset(rep, 0, sizeof *rep);
    rep->spill_path = errors_csv ? xstrdup(errors_csv) : NULL;
    TableReader *r = table_reader_open(path, enc, err);
    if (!r) return IMPORT_FAILED;
    if (db_begin(db) != DB_OK) {
        table_reader_close(r);
        set_err(err, "无法开始事务: %s", db_errmsg(db));
        return IMPORT_FAILED;
    }
    /* The whole file is one transaction, so every page it changes stays dirty until the commit;
     * with SQLite's default 2 MB page cache a large import keeps spilling pages into the WAL and
     * reading them back (1M targets: +2 s of system time). Give the import a larger cache and
     * restore the setting after. (A PRAGMA: on an engine without it both statements fail and
     * nothing changes.) */
    int64_t old_cache = 0;
    int have_cache = db_query_int(db, &old_cache, "PRAGMA cache_size", NULL) == DB_OK;
    if (have_cache) db_exec(db, "PRAGMA cache_size = " IMPORT_CACHE_KIB, NULL);
    int rc = import_rows(db, k, r, actor, scope_org_id, grade_change, rep, err);
    table_reader_close(r);
    if (rc == IMPORT_OK && hook && hook(db, k, rep, hook_arg) != 0) {
        set_err(err, "无法写入审计记录，未导入任何数据");
        rc = IMPORT_FAILED;
    }
    if (rc == IMPORT_OK && db_commit(db) != DB_OK) {
        set_err(err, "提交失败: %s", db_errmsg(db));
        rc = IMPORT_FAILED;
    }
    if (rc != IMPORT_OK) {
        db_rollback(db);
        rep->inserted = rep->updated = rep->unchanged = 0;
    }
    if (have_cache) {
        char *sql = xasprintf("PRAGMA cache_size = %lld", (long long)old_cache);
        db_exec(db, sql, NULL);
        free(sql);
    }
    return rc;
}

/* The import's audit row, in the import's own transaction. */
static int audit_import(Db *db, const DirKind *k, const ImportReport *rep, void *arg) {
    char *after = xasprintf("{\"rows\":%ld,\"inserted\":%ld,\"updated\":%ld,\"unchanged\":%ld}", rep->rows,
                            rep->inserted, rep->updated, rep->unchanged);
    char action[64];
    snprintf(action, sizeof action, "import.%s", k->name);
    int rc = uow_audit(db, arg, action, k->table, 0, 0, NULL, after, NULL);
    free(after);
    return rc;
}

int dir_import_as(Db *db, const Actor *who, const DirKind *k, const char *path, TableEncoding enc,
                  const char *const grade_change[2], const char *errors_csv, ImportReport *rep, char **err) {
    int rc = dir_import(db, k, path, enc, who->username, who->org_id, grade_change, audit_import, (void *)who, errors_csv,
                        rep, err);
    if (rc == IMPORT_OK) db_exec_script(db, "PRAGMA optimize"); /* refresh planner statistics */
    return rc;
}

int dir_export_rows(Db *db, const DirKind *k, const char *path, TableFormat fmt, Stmt *st, DirExportPii pii,
                    long long *rows, char **err) {
    *rows = 0;
    TableWriter *w = table_writer_open(path, fmt, k->label, err);
    if (!w) {
        db_finalize(st);
        return -1;
    }
    const char *cells[DIR_MAX_FIELDS];
    char *heads[DIR_MAX_FIELDS] = {0};
    int idx[DIR_MAX_FIELDS];
    size_t n = 0;
    for (size_t i = 0; i < k->nfields; i++) {
        if (k->fields[i].flags & FF_NOEXPORT) continue;
        idx[n] = (int)i;
        /* an unmasked file says so in its header row, on each personal-data column */
        if (pii == DIR_EXPORT_UNMASKED && (k->fields[i].flags & FF_SECRET))
            heads[n] = xasprintf("%s（个人信息，未遮盖）", k->fields[i].header);
        cells[n] = heads[n] ? heads[n] : k->fields[i].header;
        n++;
    }
    int rc = table_write_row(w, cells, n, err);
    for (size_t j = 0; j < n; j++) free(heads[j]);
    DirContext *ctx = dir_context_new(db, NULL, 0);
    char *vals[DIR_MAX_FIELDS] = {0};
    int kind_col = !strcmp(k->table, "target") ? dir_field_index(k, "kind") : -1;
    while (rc == 0) {
        int s = db_step(st);
        if (s == DB_DONE) break;
        if (s != DB_ROW) {
            rc = set_err(err, "读取失败: %s", db_errmsg(db));
            break;
        }
        /* an insured person's name is personal data too: masked unless the export is unmasked */
        int insured = kind_col >= 0 && pii != DIR_EXPORT_UNMASKED &&
                      str_eq(db_col_text(st, DIR_SELECT_FIRST_FIELD + kind_col), "insured");
        for (size_t j = 0; j < n; j++) {
            const DirField *f = &k->fields[idx[j]];
            const char *v = db_col_text(st, DIR_SELECT_FIRST_FIELD + idx[j]);
            if (insured && v && !strcmp(f->column, "name")) {
                vals[j] = mask_person_name(v);
                cells[j] = vals[j];
                continue;
            }
            int masked = v && (f->flags & FF_SECRET) &&
                         (pii == DIR_EXPORT_MASKED_ALL ||
                          (pii == DIR_EXPORT_MASKED && (!strcmp(f->column, "id_number") || !strcmp(f->column, "phone"))));
            if (masked)
                vals[j] = !strcmp(f->column, "id_number") ? mask_id_number(v)
                          : !strcmp(f->column, "phone")   ? mask_phone(v)
                                                          : xstrdup("（已隐藏）");
            else
                vals[j] = dir_format_field(ctx, k, idx[j], v);
            /* "=…" must not run in Excel: the CSV writer defuses every cell; an XLSX cell is text, only
             * a value that already starts with ' before such a character gets one more */
            char *defused = fmt == TABLE_XLSX ? str_cell_export(vals[j], 0) : NULL;
            if (defused) {
                free(vals[j]);
                vals[j] = defused;
            }
            cells[j] = vals[j];
        }
        rc = table_write_row(w, cells, n, err);
        for (size_t j = 0; j < n; j++) {
            free(vals[j]);
            vals[j] = NULL;
        }
        if (rc == 0) (*rows)++;
    }
    db_finalize(st);
    dir_context_free(ctx);
    if (table_writer_close(w, rc == 0 ? err : NULL) != 0) rc = -1;
    return rc;
}

int dir_export_audit(Db *db, const Actor *who, const DirKind *k, long long rows, const char *filter, int unmasked,
                     const char *purpose, char **err) {
    char action[64];
    snprintf(action, sizeof action, "export.%s", k->name);
    json_t *a = json_pack("{s:I, s:s, s:b, s:s?}", "rows", (json_int_t)rows, "filter", filter ? filter : "", "unmasked", unmasked,
                          "purpose", purpose);
    char *after = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(a);
    AuditEntry e = {.actor = who->username, .org_id = who->org_id, .action = action, .entity = k->table, .after = after,
                    .remote = who->remote};
    int rc = db_begin(db) == DB_OK && audit_append(db, &e, err) == 0 && db_commit(db) == DB_OK ? 0 : -1;
    if (rc) {
        db_rollback(db);
        if (err && !*err) set_err(err, "审计日志无法写入");
    }
    free(after);
    return rc;
}
