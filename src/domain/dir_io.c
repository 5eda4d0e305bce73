/* dir_io.c - import/export of directory kinds (see dir_io.h). Called by the CLI and by the web
 * upload handler. Holds one transaction per import; never leaves partial data behind. */
#include "dir_io.h"

#include "codes.h"

#include "../core/strmap.h"
#include "../core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Page cache of an import, as PRAGMA cache_size (negative: KiB). Pages are allocated as used, so
 * a small file costs no more than before. */
#define IMPORT_CACHE_KIB "-65536"

static void report_add(ImportReport *rep, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report_add(ImportReport *rep, const char *fmt, ...) {
    if (rep->nerrors == rep->caperrors) {
        rep->caperrors = rep->caperrors ? rep->caperrors * 2 : 16;
        rep->errors = xrealloc(rep->errors, rep->caperrors * sizeof *rep->errors);
    }
    va_list ap;
    va_start(ap, fmt);
    rep->errors[rep->nerrors++] = xvasprintf(fmt, ap);
    va_end(ap);
}

void import_report_free(ImportReport *rep) {
    for (size_t i = 0; i < rep->nerrors; i++) free(rep->errors[i]);
    free(rep->errors);
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

/* Whether org_code lies in the subtree of scope_org_id; answers are cached in `seen` (org code →
 * 0/1) because a file names the same few orgs on every row. */
static int in_scope(Db *db, long long scope_org_id, const char *org_code, StrMap *seen) {
    if (!scope_org_id || !org_code) return 1;
    int64_t ok = 0;
    if (strmap_get(seen, org_code, &ok)) return ok > 0;
    db_query_int(db, &ok,
                 "WITH RECURSIVE sub(id) AS (SELECT ? UNION SELECT o.id FROM org o JOIN sub "
                 "ON o.parent_id = sub.id) SELECT count(*) FROM sub JOIN org ON org.id = sub.id "
                 "WHERE org.code = ?",
                 "it", (int64_t)scope_org_id, org_code);
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
 * new (duplicates within the file are rejected before saving): nothing to look up, compare or
 * keep as a version. Such rows are inserted BULK_ROWS at a time by one multi-row INSERT with
 * explicit ids, which pays once per batch for what SQLite sets up each time a statement runs
 * (a CHECK (x IN (...)) constraint builds a temporary index per run: two per target row) and
 * lets the tag links follow without asking for each row's id. A failing batch is undone by
 * SQLite as a whole statement; its rows are then saved one by one with dir_save, which reports
 * each row's own error exactly as the row-by-row path does. Rows keep the values and the
 * defaults dir_save would give them.
 *
 * Once BULK_DEFER_AFTER rows are in, the table's plain indexes (not UNIQUE: no constraint
 * depends on them; see db_plain_indexes) are dropped and built again from the loaded table at
 * the end, one sort instead of a million random inserts. All of it happens inside the import's
 * transaction: a rejected or failed import rolls back to the old schema; other connections see
 * either the old state or the new one, indexes included. Unique indexes stay, so duplicates are
 * still refused row by row. */
/* 256 rows × ≤ 20 columns stays far below the 32766 parameters SQLite allows since 3.32 (an
 * older library refuses to prepare the statement, and the rows are saved one at a time). */
#define BULK_ROWS 256
#define BULK_REFS 4
#define BULK_DEFER_AFTER 10000

typedef struct Bulk {
    Db *db;
    DirContext *ctx; /* for the row-by-row fallback */
    const DirKind *k;
    const char *actor;
    int tags_field; /* FT_TAGS field kept in the link table, or -1 */
    DirRow rows[BULK_ROWS];
    long row_no[BULK_ROWS];
    size_t n;
    int64_t next_id;
    Stmt *ins; /* INSERT of ins_rows rows with the field mask ins_set */
    size_t ins_rows;
    unsigned char ins_set[DIR_MAX_FIELDS];
    Stmt *link, *ref_sel[BULK_REFS];
    const char *ref_table[BULK_REFS];
    StrMap *ref_ids[BULK_REFS]; /* code → id of referenced rows, per table */
    long loaded;                /* rows inserted so far */
    int deferred;               /* plain indexes looked at (after BULK_DEFER_AFTER rows) */
    DbIndex *dropped;           /* plain indexes dropped, to build again in bulk_finish */
    size_t ndropped;
} Bulk;

/* Whether kind k can be bulk-inserted into its table: the table is empty and no field refers
 * to the kind's own table (a tag's parent must be in the database when the child is checked,
 * so such rows are saved one at a time). */
static int bulk_possible(Db *db, const DirKind *k) {
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].type == FT_REF && !strcmp(k->fields[i].ref_table, k->table)) return 0;
    int64_t any = 1;
    char *sql = xasprintf("SELECT EXISTS (SELECT 1 FROM %s)", k->table);
    int rc = db_query_int(db, &any, sql, NULL);
    free(sql);
    return rc == DB_OK && !any;
}

static Bulk *bulk_new(Db *db, DirContext *ctx, const DirKind *k, const char *actor) {
    Bulk *b = xcalloc(1, sizeof *b);
    b->db = db;
    b->ctx = ctx;
    b->k = k;
    b->actor = actor ? actor : "system"; /* as dir_context_new */
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
    for (size_t i = 0; i < b->n; i++) dir_row_clear(&b->rows[i], b->k);
    db_finalize(b->ins);
    db_finalize(b->link);
    for (int i = 0; i < BULK_REFS; i++) {
        db_finalize(b->ref_sel[i]);
        strmap_free(b->ref_ids[i]);
    }
    free(b);
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

/* The INSERT for n rows with the field mask `set`, prepared when the shape changes. */
static Stmt *bulk_stmt(Bulk *b, size_t n, const unsigned char *set) {
    if (b->ins && b->ins_rows == n && !memcmp(b->ins_set, set, sizeof b->ins_set)) return b->ins;
    db_finalize(b->ins);
    b->ins = NULL;
    Buf sql;
    buf_init(&sql);
    buf_printf(&sql, "INSERT INTO %s(id", b->k->table);
    size_t ncols = 1;
    for (size_t i = 0; i < b->k->nfields; i++)
        if (set[i]) {
            buf_printf(&sql, ", %s", b->k->fields[i].column);
            ncols++;
        }
    buf_puts(&sql, ", updated_by) VALUES ");
    for (size_t r = 0; r < n; r++) {
        buf_puts(&sql, r ? ", (?" : "(?");
        for (size_t c = 0; c < ncols; c++) buf_puts(&sql, ", ?");
        buf_puts(&sql, ")");
    }
    b->ins = db_prepare(b->db, sql.data);
    buf_free(&sql);
    if (b->ins) {
        b->ins_rows = n;
        memcpy(b->ins_set, set, sizeof b->ins_set);
    }
    return b->ins;
}

/* Inserts the tag links of the row with this id. */
static int bulk_links(Bulk *b, int64_t id, const char *tags) {
    if (!b->link) {
        char *sql = xasprintf("INSERT OR IGNORE INTO %s(%s, tag_id) VALUES (?, ?)",
                              b->k->link_table, b->k->link_fk);
        b->link = db_prepare(b->db, sql);
        free(sql);
        if (!b->link) return DB_ERR;
    }
    int rc = DB_OK;
    char *copy = xstrdup(tags);
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && rc == DB_OK;
         t = strtok_r(NULL, ",", &save)) {
        int64_t tag = bulk_ref_id(b, "tag", t);
        db_bind_int(b->link, 1, id);
        db_bind_int(b->link, 2, tag);
        rc = tag && db_step(b->link) == DB_DONE ? DB_OK : DB_ERR;
        db_reset(b->link);
    }
    free(copy);
    return rc;
}

/* Drops the table's plain indexes (once). Stops at the first failure; what was dropped is built
 * again by bulk_finish, so a failure here only costs speed. */
static void bulk_defer_indexes(Bulk *b) {
    b->deferred = 1;
    DbIndex *list;
    size_t n;
    if (db_plain_indexes(b->db, b->k->table, &list, &n) != DB_OK) return;
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

/* Builds the dropped indexes again. Returns DB_OK or DB_ERR (message in *err). */
static int bulk_finish(Bulk *b, char **err) {
    for (size_t i = 0; i < b->ndropped; i++)
        if (db_exec(b->db, b->dropped[i].sql, NULL) != DB_OK)
            return set_err(err, "重建索引 %s 失败: %s", b->dropped[i].name, db_errmsg(b->db));
    db_index_list_free(b->dropped, b->ndropped);
    b->dropped = NULL;
    b->ndropped = 0;
    return DB_OK;
}

/* Writes the pending rows: one INSERT for all, then their tag links. When the INSERT breaks a
 * constraint (SQLite then undoes the statement, and only the statement) or cannot be prepared,
 * the rows go through dir_save one at a time instead, which reports each row's own error. Any
 * other database failure (disk full, I/O) may have ended the transaction: it is reported and
 * the import stops, as is a failure after the INSERT (tag links); the import then rolls back.
 * Returns -1 when the import must stop, else 0. */
static int bulk_flush(Bulk *b, ImportReport *rep) {
    if (!b->n) return 0;
    const DirKind *k = b->k;
    Stmt *st = bulk_stmt(b, b->n, b->rows[0].set);
    int ok = st != NULL, retry = 1;
    for (size_t r = 0, idx = 1; ok && r < b->n; r++) {
        db_bind_int(st, (int)idx++, b->next_id + (int64_t)r);
        for (size_t i = 0; ok && i < k->nfields; i++) {
            if (!b->rows[r].set[i]) continue;
            const char *v = b->rows[r].v[i];
            if (v && k->fields[i].type == FT_REF) {
                int64_t id = bulk_ref_id(b, k->fields[i].ref_table, v);
                ok = id != 0;
                db_bind_int(st, (int)idx++, id);
            } else {
                db_bind_text_nocopy(st, (int)idx++, v); /* rows outlive the reset below */
            }
        }
        db_bind_text_nocopy(st, (int)idx++, b->actor);
    }
    if (ok && db_step(st) != DB_DONE) {
        ok = 0;
        retry = db_errclass(b->db) == DBE_CONSTRAINT;
        if (!retry) report_add(rep, "第%ld行: 写入失败: %s", b->row_no[0], db_errmsg(b->db));
    }
    if (st) db_reset(st);
    int rc = 0;
    if (!ok && !retry) {
        rc = -1;
    } else if (ok) {
        rep->inserted += (long)b->n;
        for (size_t r = 0; r < b->n; r++) {
            const char *tags = b->tags_field >= 0 ? b->rows[r].v[b->tags_field] : NULL;
            if (tags && bulk_links(b, b->next_id + (int64_t)r, tags) != DB_OK) {
                report_add(rep, "第%ld行: 保存标签失败: %s", b->row_no[r], db_errmsg(b->db));
                rc = -1;
                break;
            }
        }
        b->next_id += (int64_t)b->n;
        b->loaded += (long)b->n;
        if (!b->deferred && b->loaded >= BULK_DEFER_AFTER) bulk_defer_indexes(b);
    } else {
        for (size_t r = 0; r < b->n; r++) {
            long long id;
            save_row(b->ctx, k, &b->rows[r], b->row_no[r], rep, &id);
            if (id >= b->next_id) b->next_id = id + 1;
        }
    }
    for (size_t r = 0; r < b->n; r++) dir_row_clear(&b->rows[r], k);
    b->n = 0;
    return rc;
}

/* Takes the values of *row (leaving it empty) into the batch; flushes when the batch is full or
 * the row has other columns than the rows before it. */
static int bulk_add(Bulk *b, DirRow *row, long row_no, ImportReport *rep) {
    if (b->n && memcmp(b->rows[0].set, row->set, sizeof row->set) && bulk_flush(b, rep) < 0)
        return -1;
    b->rows[b->n] = *row;
    b->row_no[b->n++] = row_no;
    memset(row, 0, sizeof *row);
    return b->n == BULK_ROWS ? bulk_flush(b, rep) : 0;
}

static int import_rows(Db *db, const DirKind *k, TableReader *r, const char *actor,
                       long long scope_org_id, ImportReport *rep, char **err) {
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

    int key = -1, org = dir_field_index(k, "org_id");
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].flags & FF_KEY) key = (int)i;
    DirContext *ctx = dir_context_new(db, actor, scope_org_id);
    Bulk *bulk = bulk_possible(db, k) ? bulk_new(db, ctx, k, actor) : NULL;
    StrMap *keys = strmap_new(), *orgs_seen = strmap_new();
    DirRow row;
    memset(&row, 0, sizeof row);
    DirErrors errs = {0};
    while ((rc = table_next(r, &cells, &n, &row_no, err)) == 1) {
        rep->rows++;
        dir_row_clear(&row, k);
        for (size_t c = 0; c < ncols; c++)
            if (col_field[c] >= 0)
                dir_parse_field(ctx, k, col_field[c], c < n ? cells[c] : "", &row, &errs);
        for (size_t c = ncols; c < n; c++)
            if (!str_empty(cells[c])) {
                dir_errors_add(&errs, -1, "第%zu列有数据但没有列名", c + 1);
                break;
            }
        dir_check_row(ctx, k, &row, &errs);
        if (org >= 0 && row.v[org] && !in_scope(db, scope_org_id, row.v[org], orgs_seen))
            dir_errors_add(&errs, org, "无权导入机构 %s 的数据", row.v[org]);
        int64_t first = 0;
        if (!errs.n && row.v[key] && strmap_get(keys, row.v[key], &first))
            dir_errors_add(&errs, key, "“%s”与第%lld行重复", row.v[key], (long long)first);
        if (errs.n) {
            /* rows before this one first, so the report stays in row order */
            int frc = bulk ? bulk_flush(bulk, rep) : 0;
            report_row_errors(k, row_no, &errs, rep);
            dir_errors_free(&errs);
            if (frc < 0) break;
            continue;
        }
        strmap_put(keys, row.v[key], row_no);
        if (bulk) {
            if (bulk_add(bulk, &row, row_no, rep) < 0) break;
        } else {
            long long id;
            save_row(ctx, k, &row, row_no, rep, &id);
        }
    }
    if (bulk && rc >= 0) {
        bulk_flush(bulk, rep);
        /* a rejected import is rolled back, and the dropped indexes with it */
        if (!rep->nerrors && bulk_finish(bulk, err) != DB_OK) rc = -1;
    }
    bulk_free(bulk);
    dir_row_clear(&row, k);
    strmap_free(keys);
    strmap_free(orgs_seen);
    dir_context_free(ctx);
    free(col_field);
    if (rc < 0) return IMPORT_FAILED;
    return rep->nerrors ? IMPORT_REJECTED : IMPORT_OK;
}

int dir_import(Db *db, const DirKind *k, const char *path, TableEncoding enc, const char *actor,
               long long scope_org_id, ImportCommitHook hook, void *hook_arg, ImportReport *rep,
               char **err) {
    memset(rep, 0, sizeof *rep);
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
    int rc = import_rows(db, k, r, actor, scope_org_id, rep, err);
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

int dir_export(Db *db, const DirKind *k, const char *path, TableFormat fmt, char **err) {
    return dir_export_scoped(db, k, path, fmt, 0, 0, err);
}

/* The WHERE clause limiting kind k to an org subtree, with one '?' for the root org id. */
static const char *scope_clause(const DirKind *k) {
    if (dir_field_index(k, "org_id") >= 0)
        return " WHERE t.org_id IN (WITH RECURSIVE sc(id) AS (SELECT ? UNION SELECT o.id FROM org o "
               "JOIN sc ON o.parent_id = sc.id) SELECT id FROM sc)";
    if (!strcmp(k->table, "org"))
        return " WHERE t.id IN (WITH RECURSIVE sc(id) AS (SELECT ? UNION SELECT o.id FROM org o "
               "JOIN sc ON o.parent_id = sc.id) SELECT id FROM sc)";
    return " WHERE ? IS NOT NULL"; /* tags are shared by every org */
}

int dir_export_scoped(Db *db, const DirKind *k, const char *path, TableFormat fmt,
                      long long scope_org_id, int redact, char **err) {
    TableWriter *w = table_writer_open(path, fmt, k->label, err);
    if (!w) return -1;
    const char *cells[DIR_MAX_FIELDS];
    int idx[DIR_MAX_FIELDS];
    size_t n = 0;
    for (size_t i = 0; i < k->nfields; i++) {
        if (k->fields[i].flags & FF_NOEXPORT) continue;
        idx[n] = (int)i;
        cells[n++] = k->fields[i].header;
    }
    int rc = table_write_row(w, cells, n, err);
    char *sql = dir_select_sql(k);
    char *full = xasprintf("%s%s ORDER BY t.id", sql, scope_org_id ? scope_clause(k) : "");
    free(sql);
    Stmt *st = rc == 0 ? db_prepare(db, full) : NULL;
    free(full);
    if (st && scope_org_id) db_bind_int(st, 1, scope_org_id);
    if (rc == 0 && !st) rc = set_err(err, "数据库错误: %s", db_errmsg(db));
    DirContext *ctx = dir_context_new(db, NULL, 0);
    char *vals[DIR_MAX_FIELDS] = {0};
    while (rc == 0 && st) {
        int s = db_step(st);
        if (s == DB_DONE) break;
        if (s != DB_ROW) {
            rc = set_err(err, "读取失败: %s", db_errmsg(db));
            break;
        }
        for (size_t j = 0; j < n; j++) {
            const char *v = db_col_text(st, DIR_SELECT_FIRST_FIELD + idx[j]);
            if (redact && v && (k->fields[idx[j]].flags & FF_SECRET))
                vals[j] = !strcmp(k->fields[idx[j]].column, "id_number") ? mask_id_number(v) : xstrdup("（已隐藏）");
            else
                vals[j] = dir_format_field(ctx, k, idx[j], v);
            cells[j] = vals[j];
        }
        rc = table_write_row(w, cells, n, err);
        for (size_t j = 0; j < n; j++) {
            free(vals[j]);
            vals[j] = NULL;
        }
    }
    db_finalize(st);
    dir_context_free(ctx);
    if (table_writer_close(w, rc == 0 ? err : NULL) != 0) rc = -1;
    return rc;
}
