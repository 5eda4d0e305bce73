/* dir_io.c - the import of a directory kind (see dir_io.h): one transaction per file, with a larger
 * page cache while it runs; the header row, then every data row through the row path (dir_save
 * one at a time, under the import's locks: open_unit) or the bulk path (an empty table,
 * dir_io_bulk.c: the file parsed before the locks are taken, again under them if another
 * connection committed meanwhile, and through the row path if the database refuses a row); every
 * bad row reported (dir_io_report.c); never leaves partial data behind. Called by the CLI and by
 * the web upload handler (dir_import_as). The export is in dir_export.c. */
#include "dir_io.h"
#include "dir_io_impl.h"

#include "uow.h"

#include "../core/strmap.h"
#include "../core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Page cache of an import in KiB (db_cache_kib). Pages are allocated as used, so a small file
 * costs no more than before. 16 MiB: a 1M-target bulk load (rows in key order, appended) took no
 * more CPU time than with 64 MiB (9.6-10.9 s against 9.9-11.0 s, interleaved, loaded machine),
 * and its peak RSS is 48 MB lower; the cache is most of an import's memory (issue 17 item 3). */
#define IMPORT_CACHE_KIB 16384

/* import_rows' answers besides IMPORT_OK, IMPORT_REJECTED and IMPORT_FAILED, the import's locks
 * held and the file to be read again under it: another connection committed since the mark (it was
 * to take the lock itself, mark given), or the database refused a row of a bulk load (the row path
 * then names every bad row). */
enum { IMPORT_AGAIN = 2, IMPORT_ROWWISE = 3 };

static void (*after_parse)(void *);
static void *after_parse_arg;
void dir_import_test_after_parse(void (*fn)(void *), void *arg) {
    after_parse = fn;
    after_parse_arg = arg;
}

static int name_cmp(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The tables an import of k changes (its own, its tag links: owned, db_own_tables) and reads to
 * resolve its references (the FT_REF fields' tables, the tags: held, db_hold_tables), each once,
 * in name order: the order every unit that holds tables takes them in (a freeze's, draw_store.c),
 * so that two of them cannot wait for each other. Other writers of these tables wait for the
 * import; every other unit runs beside it. DB_OK or DB_ERR. */
static int hold_kind(Db *db, const DirKind *k) {
    const char *names[DIR_MAX_FIELDS + 3];
    size_t n = 0;
    names[n++] = k->table;
    if (k->link_table) names[n++] = k->link_table, names[n++] = "tag";
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].type == FT_REF) names[n++] = k->fields[i].ref_table;
    qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; i < n; i++) {
        if (i && str_eq(names[i], names[i - 1])) continue;
        int own = str_eq(names[i], k->table) || str_eq(names[i], k->link_table);
        if ((own ? db_own_tables(db, names[i]) : db_hold_tables(db, names[i])) != DB_OK)
            return DB_ERR;
    }
    return DB_OK;
}

/* Opens the import's unit of work: a transaction excluding only the units that change or hold
 * its tables (DB_TX_ROWS and hold_kind). IMPORT_OK, or IMPORT_FAILED with *err and no
 * transaction open. */
static int open_unit(Db *db, const DirKind *k, char **err) {
    if (db_begin_kind(db, DB_TX_ROWS) == DB_OK && hold_kind(db, k) == DB_OK) return IMPORT_OK;
    set_err(err, "无法开始事务: %s", db_errmsg(db));
    db_rollback_if_open(db);
    return IMPORT_FAILED;
}

/* Opens the unit when mark is given (else the caller has): IMPORT_OK, IMPORT_AGAIN (another
 * connection committed since the mark: read the file again, under the locks) or IMPORT_FAILED
 * with *err. */
static int take_lock(Db *db, const DirKind *k, const int64_t *mark, char **err) {
    if (!mark) return IMPORT_OK;
    int rc = open_unit(db, k, err);
    if (rc != IMPORT_OK) return rc;
    int b = db_changed_since(db, *mark);
    if (b == DB_CHANGED) return IMPORT_AGAIN;
    if (b == DB_OK) return IMPORT_OK;
    set_err(err, "无法开始事务: %s", db_errmsg(db));
    return IMPORT_FAILED;
}

/* Reads the file and saves its rows. The row path saves each row as it is parsed, so it takes
 * its locks first; a bulk load (an empty table, allow_bulk) parses the whole file before it
 * takes them, so that other writers wait only for its writes, not for the parsing. */
static int import_rows(Db *db, const DirKind *k, TableReader *r, const char *actor,
                       long long scope_org_id, const char *const grade_change[2],
                       const int64_t *mark, int allow_bulk, ImportReport *rep, char **err) {
    char **cells;
    size_t n;
    long row_no;
    int rc = table_next(r, &cells, &n, &row_no, err);
    if (rc < 0) return IMPORT_FAILED;
    if (rc == 0) {
        import_report_add(rep, "第1行: 文件为空，缺少表头");
        return IMPORT_REJECTED;
    }
    int *col_field = xcalloc(n + 1, sizeof *col_field);
    size_t ncols = n;
    if (import_map_header(k, cells, n, col_field, row_no, rep)) {
        free(col_field);
        return IMPORT_REJECTED;
    }
    int date_cols[DIR_MAX_FIELDS];
    size_t ndate = 0;
    for (size_t c = 0; c < ncols; c++)
        if (col_field[c] >= 0 && k->fields[col_field[c]].type == FT_DATE)
            date_cols[ndate++] = (int)c;
    table_reader_date_columns(r, date_cols, ndate);

    int key = -1;
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].flags & FF_KEY) key = (int)i;
    RowParser parser = {db, k, col_field, ncols, dir_field_index(k, "org_id"), scope_org_id, NULL};
    DirContext *ctx = dir_context_new(db, actor, scope_org_id);
    /* grade changes (an annual credit evaluation) need the reason and basis given for the file */
    if (grade_change) dir_context_allow_grade_change(ctx, grade_change[0], grade_change[1]);
    Bulk *bulk = allow_bulk && bulk_possible(db, k) ? bulk_new(db, k, key, actor) : NULL;
    if (!bulk && (rc = take_lock(db, k, mark, err)) != IMPORT_OK) {
        dir_context_free(ctx);
        free(col_field);
        return rc;
    }
    RowSink sink = {k, key, strmap_new(), ctx, bulk, rep};
    /* The row path saves each row as it goes, so it parses on this thread; so does the bulk
     * path when no thread can be started. */
    rc = bulk ? import_parse_parallel(&parser, actor, r, &sink, err) : 1;
    if (rc == 1) {
        StrMap *orgs_seen = strmap_new();
        DirRow row;
        memset(&row, 0, sizeof row);
        DirErrors errs = {0};
        while ((rc = table_next(r, &cells, &n, &row_no, err)) == 1) {
            import_parse_row(&parser, ctx, orgs_seen, cells, n, &row, &errs);
            import_sink_row(&sink, &row, &errs, row_no);
        }
        dir_row_clear(&row, k);
        strmap_free(orgs_seen);
    }

    if (bulk && rc >= 0 && after_parse) after_parse(after_parse_arg);
    int locked = bulk && rc >= 0 ? take_lock(db, k, mark, err) : IMPORT_OK;
    if (locked != IMPORT_OK) rc = -1;
    int written = BULK_WRITTEN;
    if (bulk && rc >= 0)
        written = bulk_write(bulk, rep); /* also when other rows are bad: the database may refuse
                                            more rows, all to be reported */
    import_report_sort(rep);
    import_report_close(rep);
    bulk_free(bulk);
    strmap_free(sink.keys);
    dir_context_free(ctx);
    free(col_field);
    if (locked != IMPORT_OK) return locked;
    if (rc < 0) return IMPORT_FAILED;
    if (written == BULK_ROWWISE) return IMPORT_ROWWISE;
    return rep->nerrors ? IMPORT_REJECTED : IMPORT_OK;
}

/* Runs import_rows on a newly opened reader of path. */
static int import_file(Db *db, const DirKind *k, const char *path, TableEncoding enc,
                       const char *actor, long long scope_org_id, const char *const grade_change[2],
                       const int64_t *mark, int allow_bulk, ImportReport *rep, char **err) {
    TableReader *r = table_reader_open(path, enc, err);
    if (!r) return IMPORT_FAILED;
    int rc = import_rows(db, k, r, actor, scope_org_id, grade_change, mark, allow_bulk, rep, err);
    table_reader_close(r);
    return rc;
}

int dir_import(Db *db, const DirKind *k, const char *path, TableEncoding enc, const char *actor,
               long long scope_org_id, const char *const grade_change[2], ImportCommitHook hook,
               void *hook_arg, const char *errors_csv, ImportReport *rep, char **err) {
    memset(rep, 0, sizeof *rep);
    rep->spill_path = errors_csv ? xstrdup(errors_csv) : NULL;
    /* Without a way to tell whether others committed meanwhile, the locks come first. */
    int64_t mark;
    int early = db_commits_mark(db, &mark) != DB_OK;
    if (early && open_unit(db, k, err) != IMPORT_OK) return IMPORT_FAILED;
    /* The whole file is one transaction, so every page it changes stays dirty until the commit;
     * with SQLite's default 2 MB page cache a large import keeps spilling pages into the WAL and
     * reading them back (1M targets: +2 s of system time). Give the import a larger cache and
     * restore the setting after. (An engine without such a setting changes nothing.) */
    int64_t old_cache = 0;
    int have_cache = db_cache_kib(db, IMPORT_CACHE_KIB, &old_cache) == DB_OK;
    int rc = import_file(db, k, path, enc, actor, scope_org_id, grade_change, early ? NULL : &mark,
                         1, rep, err);
    /* again, locked: someone committed while the file was parsed (then perhaps a bulk load again),
     * or the database refused a row of the bulk load (then row by row) */
    for (int round = 0; (rc == IMPORT_AGAIN || rc == IMPORT_ROWWISE) && round < 2; round++) {
        char *spill = rep->spill_path ? xstrdup(rep->spill_path) : NULL;
        int reread = rep->reread || rc == IMPORT_AGAIN;
        import_report_free(rep);
        rep->spill_path = spill;
        rep->reread = reread;
        rc = import_file(db, k, path, enc, actor, scope_org_id, grade_change, NULL,
                         rc == IMPORT_AGAIN, rep, err);
    }
    if (rc == IMPORT_OK && hook && hook(db, k, rep, hook_arg) != 0) {
        set_err(err, "无法写入审计记录，未导入任何数据");
        rc = IMPORT_FAILED;
    }
    if (rc == IMPORT_OK && db_commit(db) != DB_OK) {
        set_err(err, "提交失败: %s", db_errmsg(db));
        rc = IMPORT_FAILED;
    }

    if (rc != IMPORT_OK) {
        db_rollback_if_open(db);
        rep->inserted = rep->updated = rep->unchanged = 0;
    }
    /* the plain indexes a bulk load left for after its commit (db_index_later); a failure keeps
     * them recorded for the next import or open with migrations, the import stands */
    db_index_build_pending(db);
    if (have_cache) db_cache_restore(db, old_cache);
    return rc;
}

/* The import's audit row, in the import's own transaction. */
static int audit_import(Db *db, const DirKind *k, const ImportReport *rep, void *arg) {
    char *after = xasprintf("{\"rows\":%ld,\"inserted\":%ld,\"updated\":%ld,\"unchanged\":%ld}",
                            rep->rows, rep->inserted, rep->updated, rep->unchanged);
    char action[64];
    snprintf(action, sizeof action, "import.%s", k->name);
    int rc = uow_audit(db, arg, action, k->table, 0, 0, NULL, after, NULL);
    free(after);
    return rc;
}

int dir_import_as(Db *db, const Actor *who, const DirKind *k, const char *path, TableEncoding enc,
                  const char *const grade_change[2], const char *errors_csv, ImportReport *rep,
                  char **err) {
    int rc = dir_import(db, k, path, enc, who->username, who->org_id, grade_change, audit_import,
                        (void *)who, errors_csv, rep, err);
    if (rc == IMPORT_OK) db_optimize(db); /* refresh planner statistics */
    return rc;
}
