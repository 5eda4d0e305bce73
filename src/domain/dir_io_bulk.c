/* dir_io_bulk.c - the bulk path of a directory import (dir_io.h): the valid rows of a file imported
 * into an empty table are kept (in sorted runs, dir_io_runs.c), merged in key order and inserted
 * with explicit ids, the table's indexes built again after the last row (see the comment below).
 * Callers: dir_io.c and dir_io_rows.c through dir_io_impl.h. */
#include "../core/clock.h"
#include "dir_io.h"
#include "dir_io_impl.h"
#include "dir_summary.h"

#include "../core/strmap.h"
#include "../core/util.h"

#include <stdlib.h>
#include <string.h>

/* ---- bulk insert into an empty table ----
 *
 * When the kind's table holds no row at the start of an import, every valid row of the file is
 * new (duplicates within the file are rejected before saving, found next to each other once the
 * rows are sorted: a key's later lines are reported against its first one, as the row path
 * reports them): nothing to look up, compare or keep as a version. Such rows are kept while the
 * file is read (one arena block per row; past BULK_RUN_BYTES, sorted runs in a temporary file,
 * dir_io_runs.c), then merged in the order of their key (the code) and inserted with explicit ids
 * given in that order, one statement per batch of rows with the same fields given
 * (db_insert_rows: SQLite reads the cells straight from the batch, with no bound parameter per
 * cell). Ids and codes then both
 * grow, so the table and its UNIQUE(code) index (which the table definition implies and which
 * cannot be dropped) are filled by appends instead of a million random b-tree inserts: the
 * largest single cost of a big import. (The price: after a first import the ids follow the
 * codes, not the file's order.) Known ids also let the tag links follow, one statement per run.
 *
 * With BULK_DEFER_AFTER rows or more, the indexes made by CREATE INDEX (db_created_indexes:
 * plain ones and UNIQUE ones such as the insured's ID number) are dropped before the first
 * INSERT and built again after the last, one sort each instead of random inserts; the search
 * index (sql/033) likewise stops following each row and is built again in one pass
 * (db_search_pause / db_search_resume: a quarter less work than row by row), and target_count's
 * triggers (sql/058) pause while the rows inserted are tallied (bulk_tally). Building a
 * UNIQUE index fails on a duplicate, so no constraint is lost. Everything runs inside the
 * import's transaction, within a savepoint: when an INSERT or an index build breaks a
 * constraint, the savepoint is rolled back (dropped indexes included) and the file is read again
 * under the lock through the row path (dir_save, one row at a time, all indexes in place), which
 * reports each row's own error with its line number (BULK_ROWWISE, dir_io.c). Any
 * other database failure (disk full, I/O) stops the import, which then rolls back. Other
 * connections see either the old state or the new one, UNIQUE indexes included; the plain ones
 * a driver builds after the commit (db_index_later: SQLite, beside the checkpoint of the load's
 * pages) are missing to them for that time (at 1M targets, 0.85 s), which only slows them.
 *
 * Memory: at most BULK_RUN_BYTES of kept rows, a read buffer per run and one batch at the write;
 * a 1M-row, 141 MB file peaks at about 67 MB of RSS (plus the parse's read-ahead, PARSE_QUEUE) (was
 * 485 MB with every row in memory): the run, SQLite's page cache (dir_io.c) and the index builds'
 * sorts, in files meanwhile (db_cache_kib). */
#define BULK_DEFER_AFTER 10000
#define ARENA_CHUNK (1u << 18)

void *bulk_arena_alloc(ArenaChunk **a, size_t n) {
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

void bulk_arena_free(ArenaChunk *a) {
    while (a) {
        ArenaChunk *next = a->next;
        free(a);
        a = next;
    }
}

/* Whether kind k can be bulk-inserted into its table: the table is empty and no field refers
 * to the kind's own table (a tag's parent must be in the database when the child is checked,
 * so such rows are saved one at a time). */
int bulk_possible(Db *db, const DirKind *k) {
    if (k->nfields > 29)
        return 0; /* db_insert_rows takes 32 columns with id, updated_at, updated_by */
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].type == FT_REF && !strcmp(k->fields[i].ref_table, k->table)) return 0;
    int64_t any = 1;
    char *sql = xasprintf("SELECT EXISTS (SELECT 1 FROM %s)", k->table);
    int rc = db_query_int(db, &any, sql, NULL);
    free(sql);
    return rc == DB_OK && !any;
}

Bulk *bulk_new(Db *db, const DirKind *k, int key, const char *actor) {
    Bulk *b = xcalloc(1, sizeof *b);
    b->db = db;
    b->k = k;
    b->key = key;
    b->actor = actor ? actor : "system"; /* as dir_context_new */
    clock_now(b->now);
    b->tags_field = -1;
    b->spill_fd = -1;
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].type == FT_TAGS && k->link_table) b->tags_field = (int)i;
    char *sql = xasprintf("SELECT coalesce(max(id), 0) + 1 FROM %s", k->table);
    int qrc = db_query_int(db, &b->next_id, sql, NULL);
    free(sql);
    if (qrc != DB_OK) { /* no id to start from: the caller saves row by row */
        bulk_free(b);
        return NULL;
    }
    return b;
}

void bulk_free(Bulk *b) {
    if (!b) return;
    db_index_list_free(b->dropped, b->ndropped);
    free(b->search_paused);
    free(b->count_paused);
    dir_counts_free(b->counts);
    db_search_side_free(b->side);
    bulk_arena_free(b->arena);
    free(b->rows);
    bulk_runs_free(b);
    for (int i = 0; i < BULK_REFS; i++) {
        db_finalize(b->ref_sel[i]);
        strmap_free(b->ref_ids[i]);
    }
    free(b);
}

/* Packs values src[0..k->nfields) into one block of *arena as the kept row *out (see KeptRow). */
static void pack_values(ArenaChunk **arena, const DirKind *k, int key, char *const *src,
                        uint32_t set, long row_no, KeptRow *out) {
    size_t len[DIR_MAX_FIELDS], total = k->nfields * sizeof(char *);
    for (size_t i = 0; i < k->nfields; i++) {
        len[i] = src[i] ? strlen(src[i]) + 1 : 0;
        total += len[i];
    }
    char **v = bulk_arena_alloc(arena, total);
    char *p = (char *)(v + k->nfields);
    for (size_t i = 0; i < k->nfields; i++) {
        if (!src[i]) {
            v[i] = NULL;
            continue;
        }
        memcpy(p, src[i], len[i]);
        v[i] = p;
        p += len[i];
    }
    out->bytes = (uint32_t)total;
    out->key = v[key];
    out->prefix[0] = out->prefix[1] = 0;
    for (int i = 0; out->key && i < 16 && out->key[i]; i++)
        out->prefix[i / 8] |= (uint64_t)(unsigned char)out->key[i] << (56 - 8 * (i % 8));
    out->v = v;
    out->set = set;
    out->row_no = row_no;
}

/* Packs a copy of the valid row *row (its key set) into one block of the arena. */
void bulk_pack_row(ArenaChunk **arena, const DirKind *k, int key, const DirRow *row, long row_no,
                   KeptRow *out) {
    uint32_t set = 0;
    for (size_t i = 0; i < k->nfields; i++)
        if (row->set[i]) set |= 1u << i;
    pack_values(arena, k, key, row->v, set, row_no, out);
}

void bulk_kept_copy(ArenaChunk **arena, const DirKind *k, const KeptRow *src, KeptRow *out) {
    char **v = bulk_arena_alloc(arena, src->bytes);
    memcpy(v, src->v, src->bytes);
    for (size_t i = 0; i < k->nfields; i++)
        if (v[i]) v[i] = (char *)v + (src->v[i] - (char *)src->v);
    *out = *src;
    out->v = v;
    if (src->key) out->key = (char *)v + (src->key - (char *)src->v);
}

static size_t defer_after_test;
void dir_import_test_defer_after(size_t rows) {
    defer_after_test = rows;
}

static size_t run_bytes_test;
void dir_import_test_run_bytes(size_t bytes) {
    run_bytes_test = bytes;
}

/* Adds a packed row (its values in b->arena) to the rows to write. */
void bulk_add_kept(Bulk *b, const KeptRow *row) {
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 1024;
        b->rows = xrealloc(b->rows, b->cap * sizeof *b->rows);
    }
    if (!b->n && !b->nspilled) b->first_line = row->row_no;
    b->rows[b->n++] = *row;
    b->run_bytes += row->bytes + sizeof *row;
    if (b->run_bytes >= (run_bytes_test ? run_bytes_test : BULK_RUN_BYTES) && !b->spill_off)
        bulk_spill(b);
}

/* Keeps a copy of the valid row *row (its key set) for bulk_write. */
void bulk_keep(Bulk *b, const DirRow *row, long row_no) {
    KeptRow kr;
    bulk_pack_row(&b->arena, b->k, b->key, row, row_no, &kr);
    bulk_add_kept(b, &kr);
}

/* Key order, then line order, so that the rows of one key follow each other with the first line
 * first. */
int bulk_kept_cmp(const void *a, const void *b) {
    const KeptRow *x = a, *y = b;
    for (int i = 0; i < 2; i++)
        if (x->prefix[i] != y->prefix[i]) return x->prefix[i] < y->prefix[i] ? -1 : 1;
    int c = strcmp(x->key ? x->key : "", y->key ? y->key : "");
    if (c) return c;
    return (x->row_no > y->row_no) - (x->row_no < y->row_no);
}

/* Id of the row of `table` with this code, or 0 when absent. */
static int64_t bulk_ref_id(Bulk *b, const char *table, const char *code) {
    int slot = 0;
    while (slot < BULK_REFS && b->ref_table[slot] && strcmp(b->ref_table[slot], table))
        slot++;
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
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
            int64_t tag = bulk_ref_id(b, "tag", t);
            if (!tag) {
                import_report_add(rep, "第%ld行: 保存标签失败: 标签“%s”不存在", rows[r].row_no, t);
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
        import_report_add(rep, "第%ld行: 保存标签失败: %s", rows[0].row_no, db_errmsg(b->db));
        rc = -1;
    }
    free(links.pair);
    return rc;
}

/* With target_count's triggers paused: the tally of the rows as they are inserted, when the
 * kind has the counted fields and their defaults (else bulk_rebuild counts the table again). */
static void bulk_tally_start(Bulk *b) {
    static const char *const counted[] = {"org_id", "kind", "grade", "status"};
    for (int i = 0; i < 4; i++)
        if ((b->count_field[i] = dir_field_index(b->k, counted[i])) < 0) return;
    const char *grade = b->k->fields[b->count_field[2]].def;
    const char *status = b->k->fields[b->count_field[3]].def;
    if (grade && status) b->counts = dir_counts_new(grade, status);
}

/* Adds rows[0..n), just inserted, to the tally: a field not in the INSERT (its bit not set) got
 * the column's default, which is the field's `def` (the database form of an empty cell). */
static void bulk_tally(Bulk *b, const KeptRow *rows, size_t n) {
    const int *f = b->count_field;
    for (size_t r = 0; r < n; r++) {
        const char *v[4];
        for (int i = 0; i < 4; i++)
            v[i] = rows[r].set & (1u << f[i]) ? rows[r].v[f[i]] : NULL;
        int64_t org = v[0] ? bulk_ref_id(b, b->k->fields[f[0]].ref_table, v[0]) : 0;
        dir_counts_add(b->counts, org, v[1], v[2], v[3]);
    }
}

/* With the search index paused: its build beside the load, when the driver has one. */
static void bulk_side_start(Bulk *b) {
    const DirKind *k = b->k;
    if (!b->search_paused || !k->search) return;
    size_t n = 0;
    for (; k->search[n]; n++)
        if ((b->search_field[n] = dir_field_index(k, k->search[n])) < 0) return;
    b->skip_field = !strcmp(k->table, "target") ? dir_field_index(k, "kind") : -1;
    b->side = db_search_side_start(b->db, k->table, k->search);
}

/* Hands rows[0..n), just inserted with the ids next_id…, to the search index's side build: the
 * values as inserted (a field not in the INSERT is NULL, as its column), the rows the index leaves
 * out left out. */
static void bulk_side_add(Bulk *b, const KeptRow *rows, size_t n) {
    const char *v[DIR_MAX_FIELDS];
    for (size_t r = 0; r < n; r++) {
        const KeptRow *row = &rows[r];
        int skip = b->skip_field;
        if (skip >= 0 && row->set & (1u << skip) && str_eq(row->v[skip], DIR_SEARCH_SKIPS_KIND))
            continue;
        for (size_t i = 0; b->k->search[i]; i++) {
            int f = b->search_field[i];
            v[i] = row->set & (1u << f) ? row->v[f] : NULL;
        }
        db_search_side_add(b->side, b->next_id + (int64_t)r, v);
    }
}

/* Drops the table's own indexes and pauses its search index (db_search_pause) and counts; unless
 * the import is `rejected` anyway (bad rows: the load only looks for more, then rolls back), the
 * counts are tallied and the search index built beside. Stops at the first failure; what was
 * dropped is built again by bulk_rebuild, so a failure here only costs speed. */
static void bulk_drop_indexes(Bulk *b, int rejected) {
    DbIndex *list;
    size_t n;
    if (!strcmp(b->k->table, "target")) {
        if (db_triggers_pause(b->db, "target", DIR_COUNT_TRIGGERS, &b->count_paused) != DB_OK)
            return;
        if (!rejected) bulk_tally_start(b);
    }
    if (db_search_pause(b->db, b->k->table, &b->search_paused) != DB_OK) return;
    if (!rejected) bulk_side_start(b); /* rejected: no index is built again (bulk_rebuild) */
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
 * unless the import is rejected anyway (`unique_only`), the plain ones (or records them, to be
 * built after the commit: db_index_later) and the search index. */
static int bulk_rebuild(Bulk *b, int unique_only, ImportReport *rep) {
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < b->ndropped; i++) {
            if (b->dropped[i].unique != !pass || (pass && unique_only)) continue;
            int later = 0; /* a plain one may be built after the commit: db_index_later */
            if (pass && db_index_later(b->db, b->k->table, &b->dropped[i], &later) == DB_OK &&
                later)
                continue;
            if (db_exec(b->db, b->dropped[i].sql, NULL) == DB_OK) continue;
            if (db_errclass(b->db) == DBE_CONSTRAINT) return BULK_CONSTRAINT;
            import_report_add(rep, "第%ld行: 重建索引 %s 失败: %s", b->first_line,
                              b->dropped[i].name, db_errmsg(b->db));
            return BULK_STOP;
        }
    if (unique_only) return BULK_OK; /* rejected: the rollback brings the upkeep back */
    char *paused = b->search_paused;
    DbSearchSide *side = b->side;
    b->search_paused = NULL;
    b->side = NULL;
    if (db_search_resume(b->db, b->k->table, paused, side) != DB_OK) {
        import_report_add(rep, "第%ld行: 重建搜索索引失败: %s", b->first_line, db_errmsg(b->db));
        return BULK_STOP;
    }
    char *counts = b->count_paused; /* NULL: the triggers kept the counts */
    b->count_paused = NULL;
    if (counts &&
        (db_triggers_resume(b->db, counts) != DB_OK ||
         (b->counts ? dir_counts_add_to(b->db, b->counts) : dir_counts_rebuild(b->db)) != DB_OK)) {
        import_report_add(rep, "第%ld行: 重新统计检查对象数失败: %s", b->first_line,
                          db_errmsg(b->db));
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
        if (rc == BULK_STOP)
            import_report_add(rep, "第%ld行: 写入失败: %s", rows[0].row_no, db_errmsg(b->db));
    } else if (!cells.refs_ok) {
        rc = BULK_CONSTRAINT; /* the row path names the row and the missing reference */
    }
    if (rc != BULK_OK) return rc;
    if (b->counts) bulk_tally(b, rows, n);
    if (b->side) bulk_side_add(b, rows, n);
    if (b->tags_field >= 0 && bulk_links(b, rows, n, b->next_id, rep) != 0) return BULK_STOP;
    b->next_id += (int64_t)n;
    return BULK_OK;
}

/* Rows inserted by one statement at most (they and their values are copied out of the merge). */
#define BULK_BATCH 4096

/* The rows of the merge, batch by batch: duplicates of a key reported against its first line and
 * left out, runs of one field mask inserted by one statement. */
typedef struct BulkBatch {
    KeptRow rows[BULK_BATCH];
    size_t n;
    ArenaChunk *arena; /* the batch's values */
    Buf last_key; /* the key of the last row inserted before this batch ("" and line 0: none) */
    long last_line;
} BulkBatch;

/* Inserts the batch and empties it (remembering its last key). */
static int batch_flush(Bulk *b, BulkBatch *bt, ImportReport *rep) {
    if (!bt->n) return BULK_OK;
    int rc = bulk_insert(b, bt->rows, bt->n, rep);
    const KeptRow *last = &bt->rows[bt->n - 1];
    buf_reset(&bt->last_key);
    buf_append(&bt->last_key, last->key ? last->key : "", strlen(last->key ? last->key : "") + 1);
    bt->last_line = last->row_no;
    bt->n = 0;
    bulk_arena_free(bt->arena);
    bt->arena = NULL;
    return rc;
}

/* Whether row r repeats the key of the row before it (in the batch, else the last one inserted);
 * then reports it as the row path does. */
static int batch_duplicate(Bulk *b, const BulkBatch *bt, const KeptRow *r, ImportReport *rep) {
    const char *key = bt->n ? bt->rows[bt->n - 1].key : bt->last_line ? bt->last_key.data : NULL;
    long line = bt->n ? bt->rows[bt->n - 1].row_no : bt->last_line;
    if (!key || !r->key || strcmp(key, r->key)) return 0;
    DirErrors errs = {0};
    dir_errors_add(&errs, b->key, "“%s”与第%ld行重复", r->key, line);
    import_report_row_errors(b->k, r->row_no, &errs, rep);
    dir_errors_free(&errs);
    return 1;
}

/* Inserts the merged rows (see above): BULK_OK, BULK_CONSTRAINT or BULK_STOP. */
static int bulk_insert_all(Bulk *b, BulkMerge *m, ImportReport *rep, size_t *inserted) {
    BulkBatch *bt = xcalloc(1, sizeof *bt);
    buf_init(&bt->last_key);
    int rc = BULK_OK, failed = 0;
    const KeptRow *r;
    while (rc == BULK_OK && (r = bulk_merge_next(m, &failed))) {
        if (batch_duplicate(b, bt, r, rep)) continue;
        if (bt->n == BULK_BATCH || (bt->n && bt->rows[0].set != r->set))
            rc = batch_flush(b, bt, rep);
        if (rc != BULK_OK) break;
        bulk_kept_copy(&bt->arena, b->k, r, &bt->rows[bt->n++]);
        ++*inserted;
    }
    if (rc == BULK_OK && failed) {
        import_report_add(rep, "第%ld行: 读取临时文件失败", b->first_line);
        rc = BULK_STOP;
    }
    if (rc == BULK_OK) rc = batch_flush(b, bt, rep);
    bulk_arena_free(bt->arena);
    buf_free(&bt->last_key);
    free(bt);
    return rc;
}

/* Writes the kept rows (see above): BULK_WRITTEN, BULK_FAILED or BULK_ROWWISE. */
int bulk_write(Bulk *b, ImportReport *rep) {
    if (!b->n && !b->nspilled) return BULK_WRITTEN;
    if (db_exec(b->db, "SAVEPOINT bulk_import", NULL) != DB_OK) {
        import_report_add(rep, "第%ld行: 写入失败: %s", b->first_line, db_errmsg(b->db));
        return BULK_FAILED;
    }
    if (b->n + b->nspilled >= (defer_after_test ? defer_after_test : BULK_DEFER_AFTER))
        bulk_drop_indexes(b, rep->nerrors > 0);
    BulkMerge *m = bulk_merge_open(b);
    size_t inserted = 0;
    int rc = bulk_insert_all(b, m, rep, &inserted);
    bulk_merge_close(m);
    if (rc == BULK_OK) rc = bulk_rebuild(b, rep->nerrors > 0, rep);
    if (rc == BULK_CONSTRAINT) {
        /* undo the bulk rows and the index drops; the row path names every bad row */
        free(b->search_paused); /* back with the rollback */
        b->search_paused = NULL;
        free(b->count_paused);
        b->count_paused = NULL;
        dir_counts_free(b->counts);
        b->counts = NULL;
        db_search_side_free(b->side);
        b->side = NULL;
        if (db_exec(b->db, "ROLLBACK TO bulk_import", NULL) != DB_OK ||
            db_exec(b->db, "RELEASE bulk_import", NULL) != DB_OK) {
            import_report_add(rep, "第%ld行: 写入失败: %s", b->first_line, db_errmsg(b->db));
            return BULK_FAILED;
        }
        return BULK_ROWWISE;
    }
    if (rc == BULK_OK && db_exec(b->db, "RELEASE bulk_import", NULL) != DB_OK) {
        import_report_add(rep, "第%ld行: 写入失败: %s", b->first_line, db_errmsg(b->db));
        rc = BULK_STOP;
    }
    if (rc != BULK_OK) return BULK_FAILED;
    rep->inserted += (long)inserted;
    return BULK_WRITTEN;
}
