/* dir_io.c - import/export of directory kinds (see dir_io.h). Called by the CLI and by the web
 * upload handler. Holds one transaction per import; never leaves partial data behind. */
#include "dir_io.h"

#include "../core/strmap.h"
#include "../core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int in_scope(Db *db, long long scope_org_id, const char *org_code) {
    if (!scope_org_id || !org_code) return 1;
    int64_t ok = 0;
    db_query_int(db, &ok,
                 "WITH RECURSIVE sub(id) AS (SELECT ? UNION SELECT o.id FROM org o JOIN sub "
                 "ON o.parent_id = sub.id) SELECT count(*) FROM sub JOIN org ON org.id = sub.id "
                 "WHERE org.code = ?",
                 "it", (int64_t)scope_org_id, org_code);
    return ok > 0;
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
    StrMap *keys = strmap_new();
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
        if (org >= 0 && row.v[org] && !in_scope(db, scope_org_id, row.v[org]))
            dir_errors_add(&errs, org, "无权导入机构 %s 的数据", row.v[org]);
        int64_t first = 0;
        if (!errs.n && row.v[key] && strmap_get(keys, row.v[key], &first))
            dir_errors_add(&errs, key, "“%s”与第%lld行重复", row.v[key], (long long)first);
        if (errs.n) {
            report_row_errors(k, row_no, &errs, rep);
            dir_errors_free(&errs);
            continue;
        }
        strmap_put(keys, row.v[key], row_no);
        char *serr = NULL;
        int s = dir_save(ctx, k, &row, NULL, &serr);
        if (s == DIR_INSERTED) rep->inserted++;
        else if (s == DIR_UPDATED) rep->updated++;
        else if (s == DIR_UNCHANGED) rep->unchanged++;
        else report_add(rep, "第%ld行: %s", row_no, serr ? serr : "写入失败");
        free(serr);
    }
    dir_row_clear(&row, k);
    strmap_free(keys);
    dir_context_free(ctx);
    free(col_field);
    if (rc < 0) return IMPORT_FAILED;
    return rep->nerrors ? IMPORT_REJECTED : IMPORT_OK;
}

int dir_import(Db *db, const DirKind *k, const char *path, TableEncoding enc, const char *actor,
               long long scope_org_id, ImportReport *rep, char **err) {
    memset(rep, 0, sizeof *rep);
    TableReader *r = table_reader_open(path, enc, err);
    if (!r) return IMPORT_FAILED;
    if (db_begin(db) != DB_OK) {
        table_reader_close(r);
        set_err(err, "无法开始事务: %s", db_errmsg(db));
        return IMPORT_FAILED;
    }
    int rc = import_rows(db, k, r, actor, scope_org_id, rep, err);
    table_reader_close(r);
    if (rc == IMPORT_OK && db_commit(db) != DB_OK) {
        set_err(err, "提交失败: %s", db_errmsg(db));
        rc = IMPORT_FAILED;
    }
    if (rc != IMPORT_OK) {
        db_rollback(db);
        rep->inserted = rep->updated = rep->unchanged = 0;
    }
    return rc;
}

int dir_export(Db *db, const DirKind *k, const char *path, TableFormat fmt, char **err) {
    return dir_export_scoped(db, k, path, fmt, 0, err);
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
                      long long scope_org_id, char **err) {
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
            vals[j] = dir_format_field(ctx, k, idx[j], db_col_text(st, DIR_SELECT_FIRST_FIELD + idx[j]));
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
