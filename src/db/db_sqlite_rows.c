/* db_sqlite_rows.c - db_insert_rows for SQLite: one INSERT … SELECT reading the rows from a
 * table-valued function, spotcheck_rows(?), whose argument is a DbRowSource passed with
 * sqlite3_bind_pointer (type-tagged, so SQL text cannot forge one).
 *
 * Why: a bulk import used multi-row INSERT … VALUES statements with every value bound, one
 * sqlite3_bind call per cell, and SQLite then copied each bound value into the row. Reading the
 * cells through a virtual table's xColumn hands SQLite the caller's strings directly and runs one
 * statement for all rows. */
#include "db_sqlite_rows.h"

#include "../core/util.h"

#include <string.h>

#define ROWS_COLS DB_INSERT_ROWS_MAX_COLS /* c0 … c31 */
_Static_assert(ROWS_COLS == 32, "the CREATE TABLE of rows_connect declares c0 … c31");
#define ROWS_POINTER_TYPE "spotcheck_rows"

typedef struct RowsCursor {
    sqlite3_vtab_cursor base;
    const DbRowSource *src;
    size_t row;
} RowsCursor;

static int rows_connect(sqlite3 *h, void *aux, int argc, const char *const *argv,
                        sqlite3_vtab **out, char **err) {
    (void)aux, (void)argc, (void)argv, (void)err;
    int rc = sqlite3_declare_vtab(
        h, "CREATE TABLE x(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, "
           "c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29, c30, c31, "
           "src HIDDEN)");
    if (rc != SQLITE_OK) return rc;
    sqlite3_vtab *v = sqlite3_malloc(sizeof *v);
    if (!v) return SQLITE_NOMEM;
    memset(v, 0, sizeof *v);
    *out = v;
    return SQLITE_OK;
}

static int rows_disconnect(sqlite3_vtab *v) {
    sqlite3_free(v);
    return SQLITE_OK;
}

/* Usable only with its argument: spotcheck_rows(?) (the hidden column `src` constrained by =). */
static int rows_best_index(sqlite3_vtab *v, sqlite3_index_info *info) {
    (void)v;
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        if (c->iColumn != ROWS_COLS || c->op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
        if (!c->usable) return SQLITE_CONSTRAINT;
        info->aConstraintUsage[i].argvIndex = 1;
        info->aConstraintUsage[i].omit = 1;
        info->estimatedCost = 1;
        info->idxNum = 1;
        return SQLITE_OK;
    }
    return SQLITE_CONSTRAINT;
}

static int rows_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out) {
    (void)v;
    RowsCursor *c = sqlite3_malloc(sizeof *c);
    if (!c) return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    *out = &c->base;
    return SQLITE_OK;
}

static int rows_close(sqlite3_vtab_cursor *c) {
    sqlite3_free(c);
    return SQLITE_OK;
}

static int rows_filter(sqlite3_vtab_cursor *cur, int idx_num, const char *idx_str, int argc,
                       sqlite3_value **argv) {
    (void)idx_str;
    RowsCursor *c = (RowsCursor *)cur;
    c->src = idx_num == 1 && argc == 1 ? sqlite3_value_pointer(argv[0], ROWS_POINTER_TYPE) : NULL;
    c->row = 0;
    if (!c->src) {
        /* an error, not an empty table: an INSERT that lost its rows must not succeed */
        sqlite3_free(cur->pVtab->zErrMsg);
        cur->pVtab->zErrMsg = sqlite3_mprintf("spotcheck_rows: no rows were handed over");
        return SQLITE_ERROR;
    }
    return SQLITE_OK;
}

static int rows_next(sqlite3_vtab_cursor *cur) {
    ((RowsCursor *)cur)->row++;
    return SQLITE_OK;
}

static int rows_eof(sqlite3_vtab_cursor *cur) {
    const RowsCursor *c = (const RowsCursor *)cur;
    return !c->src || c->row >= c->src->nrows;
}

static int rows_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
    const RowsCursor *c = (const RowsCursor *)cur;
    if (col < 0 || (size_t)col >= c->src->ncols) return SQLITE_OK; /* NULL */
    const char *text = NULL;
    int64_t i = 0;
    if (c->src->cell(c->src->arg, c->row, (size_t)col, &text, &i))
        sqlite3_result_int64(ctx, i);
    else if (text)
        sqlite3_result_text(ctx, text, -1, SQLITE_STATIC); /* valid until the statement ends */
    return SQLITE_OK;
}

static int rows_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *out) {
    *out = (sqlite3_int64)((const RowsCursor *)cur)->row;
    return SQLITE_OK;
}

/* Eponymous-only (no xCreate): exists in every connection once registered, cannot be created. */
static const sqlite3_module rows_module = {
    .xConnect = rows_connect,
    .xBestIndex = rows_best_index,
    .xDisconnect = rows_disconnect,
    .xOpen = rows_open,
    .xClose = rows_close,
    .xFilter = rows_filter,
    .xNext = rows_next,
    .xEof = rows_eof,
    .xColumn = rows_column,
    .xRowid = rows_rowid,
};

int sq_rows_register(sqlite3 *h) {
    return sqlite3_create_module(h, "spotcheck_rows", &rows_module, NULL);
}

int sq_insert_rows(void *conn, const char *table, const char *const *cols, size_t ncols,
                   const DbRowSource *src, int or_ignore) {
    if (ncols == 0 || ncols > DB_INSERT_ROWS_MAX_COLS || src->ncols != ncols)
        return DB_ERR; /* db.c checks */
    if (!src->nrows) return DB_OK;
    Buf sql;
    buf_init(&sql);
    buf_printf(&sql, "INSERT %sINTO %s(", or_ignore ? "OR IGNORE " : "", table);
    for (size_t i = 0; i < ncols; i++)
        buf_printf(&sql, "%s%s", i ? ", " : "", cols[i]);
    buf_puts(&sql, ") SELECT ");
    for (size_t i = 0; i < ncols; i++)
        buf_printf(&sql, "%sc%zu", i ? ", " : "", i);
    buf_puts(&sql, " FROM spotcheck_rows(?1)");
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(conn, sql.data, -1, &st, NULL);
    buf_free(&sql);
    if (rc != SQLITE_OK) return DB_ERR;
    sqlite3_bind_pointer(st, 1, (void *)src, ROWS_POINTER_TYPE, NULL);
    rc = sqlite3_step(st);
    sqlite3_finalize(st); /* keeps the step's error for sqlite3_errmsg */
    return rc == SQLITE_DONE ? DB_OK : DB_ERR;
}
