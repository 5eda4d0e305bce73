/* test_db.c - the storage API's bulk insert, db_insert_rows (SQLite: a table-valued function fed
 * by a callback), on a real database file. */
#include "../../src/db/db.h"
#include "../../src/core/util.h"
#include "t.h"

#include <stdlib.h>
#include <unistd.h>

static char db_path[] = "/tmp/spotcheck-test-db-XXXXXX";
static Db *db;

/* Rows of (id, name, n): name NULL in row 2, n given as an integer. */
typedef struct Rows {
    const int64_t *id;
    const char *const *name;
} Rows;

static int cell(void *arg, size_t row, size_t col, const char **text, int64_t *i) {
    const Rows *r = arg;
    if (col == 0) {
        *i = r->id[row];
        return 1;
    }
    if (col == 1) {
        *text = r->name[row];
        return 0;
    }
    *i = (int64_t)row * 10;
    return 1;
}

static void setup(void) {
    int fd = mkstemp(db_path);
    close(fd);
    char *err = NULL;
    db = db_open(db_path, 0, &err);
    if (!db) fprintf(stderr, "%s\n", err);
    db_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER NOT NULL)",
            NULL);
}

static int64_t count(const char *sql) {
    int64_t n = -1;
    CHECK_INT(db_query_int(db, &n, sql, NULL), DB_OK);
    return n;
}

static void test_rows_inserted_in_order_with_types(void) {
    const int64_t id[] = {10, 11, 12};
    const char *name[] = {"甲", "乙", NULL};
    Rows rows = {id, name};
    const char *cols[] = {"id", "name", "n"};
    DbRowSource src = {3, 3, cell, &rows};
    CHECK_INT(db_insert_rows(db, "t", cols, 3, &src, 0), DB_OK);
    CHECK_INT(count("SELECT count(*) FROM t"), 3);
    char *s = NULL;
    CHECK_INT(db_query_text(db, &s,
                            "SELECT group_concat(id || ':' || coalesce(name, 'NULL') || ':' || n "
                            "|| ':' || typeof(n), ',') FROM t",
                            NULL),
              DB_OK);
    CHECK_STR(s, "10:甲:0:integer,11:乙:10:integer,12:NULL:20:integer");
    free(s);
}

static void test_constraint_failure_is_reported_and_leaves_nothing(void) {
    const int64_t id[] = {20, 21, 22};
    const char *name[] = {"丙", "甲", "丁"}; /* 甲 exists: UNIQUE(name) */
    Rows rows = {id, name};
    const char *cols[] = {"id", "name", "n"};
    DbRowSource src = {3, 3, cell, &rows};
    CHECK_INT(db_insert_rows(db, "t", cols, 3, &src, 0), DB_ERR);
    CHECK_INT(db_errclass(db), DBE_CONSTRAINT);
    CHECK(strstr(db_errmsg(db), "UNIQUE") != NULL);
    CHECK_INT(count("SELECT count(*) FROM t WHERE id >= 20"), 0); /* one statement: undone whole */
}

static void test_or_ignore_skips_duplicates(void) {
    const int64_t id[] = {30, 31};
    const char *name[] = {"甲", "戊"};
    Rows rows = {id, name};
    const char *cols[] = {"id", "name", "n"};
    DbRowSource src = {2, 3, cell, &rows};
    CHECK_INT(db_insert_rows(db, "t", cols, 3, &src, 1), DB_OK);
    CHECK_INT(count("SELECT count(*) FROM t WHERE id >= 30"), 1);
    CHECK_INT(count("SELECT id FROM t WHERE name = '甲'"), 10);
}

static void test_no_rows_and_bad_shapes(void) {
    const char *cols[] = {"id", "name", "n"};
    DbRowSource none = {0, 3, cell, NULL};
    CHECK_INT(db_insert_rows(db, "t", cols, 3, &none, 0), DB_OK);
    DbRowSource wrong = {1, 2, cell, NULL}; /* ncols disagrees with the column list */
    CHECK_INT(db_insert_rows(db, "t", cols, 3, &wrong, 0), DB_ERR);
    CHECK_INT(count("SELECT count(*) FROM t"), 4);
}

/* SQL text cannot reach the function without a pointer bound by db_insert_rows: an error, never
 * an empty table that would let an INSERT succeed without its rows. */
static void test_function_needs_its_pointer(void) {
    int64_t n = -1;
    CHECK_INT(db_query_int(db, &n, "SELECT count(*) FROM spotcheck_rows('x')", NULL), DB_ERR);
    CHECK(strstr(db_errmsg(db), "no rows were handed over") != NULL);
    CHECK_INT(db_query_int(db, &n, "SELECT count(*) FROM spotcheck_rows((SELECT 1))", NULL),
              DB_ERR);
    CHECK(db_prepare(db, "SELECT * FROM spotcheck_rows") == NULL);
}

/* More than 32 columns: the one-statement-per-row path, same result. */
static int wide_cell(void *arg, size_t row, size_t col, const char **text, int64_t *i) {
    (void)arg, (void)text;
    *i = (int64_t)(row * 100 + col);
    return 1;
}

static void test_many_columns(void) {
    Buf sql;
    buf_init(&sql);
    buf_puts(&sql, "CREATE TABLE w(");
    const char *cols[40];
    char names[40][8];
    for (int c = 0; c < 40; c++) {
        snprintf(names[c], sizeof names[c], "k%d", c);
        cols[c] = names[c];
        buf_printf(&sql, "%s%s INTEGER", c ? ", " : "", names[c]);
    }
    buf_puts(&sql, ")");
    CHECK_INT(db_exec(db, sql.data, NULL), DB_OK);
    buf_free(&sql);
    DbRowSource src = {3, 40, wide_cell, NULL};
    CHECK_INT(db_insert_rows(db, "w", cols, 40, &src, 0), DB_OK);
    CHECK_INT(count("SELECT sum(k39) FROM w"), 39 + 139 + 239);
    /* or_ignore on that path (ON CONFLICT DO NOTHING): the rows already there are skipped */
    CHECK_INT(db_exec(db, "CREATE UNIQUE INDEX w_k0 ON w(k0)", NULL), DB_OK);
    DbRowSource more = {4, 40, wide_cell, NULL};
    CHECK_INT(db_insert_rows(db, "w", cols, 40, &more, 1), DB_OK);
    CHECK_INT(count("SELECT count(*) FROM w"), 4);
    CHECK_INT(db_insert_rows(db, "w", cols, 40, &more, 0), DB_ERR);
}

/* The engine tuning behind db.h: the import's page cache is set and put back; optimize runs. */
static void test_cache_and_optimize(void) {
    int64_t before = count("PRAGMA cache_size"), saved = 0;
    CHECK_INT(db_cache_kib(db, 4096, &saved), DB_OK);
    CHECK_INT(saved, before);
    CHECK_INT(count("PRAGMA cache_size"), -4096);
    db_cache_restore(db, saved);
    CHECK_INT(count("PRAGMA cache_size"), before);
    db_optimize(db);
    CHECK_INT(count("SELECT count(*) FROM t"), 4);
}

int main(void) {
    setup();
    RUN(test_rows_inserted_in_order_with_types);
    RUN(test_constraint_failure_is_reported_and_leaves_nothing);
    RUN(test_or_ignore_skips_duplicates);
    RUN(test_no_rows_and_bad_shapes);
    RUN(test_function_needs_its_pointer);
    RUN(test_many_columns);
    RUN(test_cache_and_optimize);
    db_close(db);
    t_remove_db(db_path);
    return T_DONE();
}
