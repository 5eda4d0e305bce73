/* test_db.c - the storage API on a real database file: the bulk insert, db_insert_rows (SQLite: a
 * table-valued function fed by a callback); the cache of prepared statements; what makes a
 * connection kept for reuse clean (db_release) or stale (db_replaced). */
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
    /* each engine's own aggregate and type name: n arrived as an integer, not as text */
    CHECK_INT(db_query_text(db, &s,
                            t_on_pg()
                                ? "SELECT string_agg(id || ':' || coalesce(name, 'NULL') || ':' || "
                                  "n || ':' || pg_typeof(n), ',' ORDER BY id) FROM t"
                                : "SELECT group_concat(id || ':' || coalesce(name, 'NULL') || "
                                  "':' || n || ':' || typeof(n), ',') FROM t",
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
    /* db.h: rows before the failure may remain, so a caller runs it in a transaction; SQLite's
     * one statement is undone whole even without */
    if (t_on_pg()) CHECK_INT(db_begin(db), DB_OK);
    CHECK_INT(db_insert_rows(db, "t", cols, 3, &src, 0), DB_ERR);
    CHECK_INT(db_errclass(db), DBE_CONSTRAINT);
    CHECK(strstr(db_errmsg(db), t_on_pg() ? "unique constraint" : "UNIQUE") != NULL);
    if (t_on_pg()) CHECK_INT(db_rollback(db), DB_OK);
    CHECK_INT(count("SELECT count(*) FROM t WHERE id >= 20"), 0);
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
    if (t_on_pg()) { /* PostgreSQL's db_insert_rows is COPY: no function to reach */
        t_skip_on_pg("spotcheck_rows (SQLite's table-valued function; COPY on PostgreSQL)");
        return;
    }
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
    if (t_on_pg()) { /* no page cache to set: nothing changed, no restore due; optimize runs */
        int64_t saved = 7;
        CHECK_INT(db_cache_kib(db, 4096, &saved), DB_ERR);
        CHECK_INT(saved, 0);
        db_optimize(db);
        CHECK_INT(count("SELECT count(*) FROM t"), 4);
        return;
    }
    int64_t before = count("PRAGMA cache_size"), saved = 0;
    CHECK_INT(db_cache_kib(db, 4096, &saved), DB_OK);
    CHECK_INT(saved, before);
    CHECK_INT(count("PRAGMA cache_size"), -4096);
    db_cache_restore(db, saved);
    CHECK_INT(count("PRAGMA cache_size"), before);
    db_optimize(db);
    CHECK_INT(count("SELECT count(*) FROM t"), 4);
}

/* A statement handed out again by its SQL text is reset and unbound; one still in use is never
 * handed out twice; many different texts evict the least recently used, which still work. */
static void test_statement_cache(void) {
    const char *q = "SELECT n FROM t WHERE id = ?";
    Stmt *a = db_prepare(db, q);
    db_bind_int(a, 1, 10);
    CHECK_INT(db_step(a), DB_ROW);
    Stmt *b = db_prepare(db, q); /* a is still on its row */
    CHECK(a != b);
    db_bind_int(b, 1, 11);
    CHECK_INT(db_step(b), DB_ROW);
    CHECK_INT(db_col_int(a, 0), 0); /* row id 10 has n 0, row 11 n 10 */
    CHECK_INT(db_col_int(b, 0), 10);
    db_finalize(a);
    db_finalize(b);
    Stmt *c = db_prepare(db, q);
    CHECK(c == a || c == b);
    CHECK_INT(db_step(c), DB_DONE); /* reset, and the old binding gone: id = NULL matches nothing */
    db_finalize(c);
    for (int i = 0; i < 200; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT %d + count(*) FROM t", i);
        CHECK_INT(count(sql), i + 4);
    }
    CHECK_INT(count("SELECT count(*) FROM t"), 4);
}

/* A kept connection that a request left with an open transaction and a statement on its row:
 * db_release rolls back and resets, so another connection can write and nothing leaked. */
static void test_release(void) {
    Db *other = db_open(db_path, 0, NULL);
    CHECK_INT(db_begin(db), DB_OK);
    CHECK_INT(db_exec(db, "INSERT INTO t(id, name, n) VALUES(99, '未提交', 0)", NULL), DB_OK);
    Stmt *st = db_prepare(db, "SELECT id FROM t ORDER BY id");
    CHECK_INT(db_step(st), DB_ROW); /* left on its row, never finalized */
    if (!t_on_pg()) /* SQLite: one writer at a time; PostgreSQL's rows do not clash */
        CHECK_INT(db_exec(other, "INSERT INTO t(id, name, n) VALUES(98, '另一连接', 0)", NULL),
                  DB_ERR);
    CHECK_INT(db_release(db), DB_OK);
    CHECK_INT(count("SELECT count(*) FROM t WHERE id = 99"), 0);
    CHECK_INT(db_exec(other, "INSERT INTO t(id, name, n) VALUES(98, '另一连接', 0)", NULL), DB_OK);
    CHECK_INT(count("SELECT count(*) FROM t WHERE id = 98"), 1); /* no stale read snapshot */
    CHECK_INT(db_exec(other, "ALTER TABLE t ADD COLUMN extra INTEGER NOT NULL DEFAULT 7", NULL),
              DB_OK);
    CHECK_INT(count("SELECT sum(extra) FROM t WHERE id = 98"), 7); /* the new schema is seen */
    /* outside a transaction too: a statement left on its row keeps the connection's read
     * snapshot, in which another connection's later insert would never appear */
    Stmt *left = db_prepare(db, "SELECT id FROM t ORDER BY id DESC");
    CHECK_INT(db_step(left), DB_ROW);
    CHECK_INT(db_exec(other, "INSERT INTO t(id, name, n) VALUES(97, '稍后写入', 0)", NULL), DB_OK);
    CHECK_INT(db_release(db), DB_OK);
    CHECK_INT(count("SELECT count(*) FROM t WHERE id = 97"), 1);
    CHECK_INT(db_exec(db, "DELETE FROM t WHERE id IN (97, 98)", NULL), DB_OK);
    db_close(other);
}

/* An enclosing transaction: the units inside it are savepoints; one that rolls back undoes only
 * itself, and the end commits everything or nothing. */
static void test_enclose(void) {
    Db *other = db_open(db_path, 0, NULL);
    for (int commit = 0; commit < 2; commit++) {
        CHECK_INT(db_enclose_begin(db), DB_OK);
        CHECK_INT(db_enclose_begin(db), DB_ERR); /* not twice */
        CHECK_INT(db_begin(db), DB_OK);          /* a unit that commits */
        CHECK_INT(db_exec(db, "INSERT INTO t(id, name, n) VALUES(90, '单元一', 0)", NULL), DB_OK);
        CHECK_INT(db_commit(db), DB_OK);
        CHECK_INT(db_begin(db), DB_OK); /* a unit that rolls back */
        CHECK_INT(db_exec(db, "INSERT INTO t(id, name, n) VALUES(91, '单元二', 0)", NULL), DB_OK);
        CHECK_INT(db_rollback(db), DB_OK);
        CHECK_INT(count("SELECT count(*) FROM t WHERE id IN (90, 91)"), 1);
        CHECK_INT(db_commit(db), DB_ERR); /* no unit open: the enclosing one is not ended here */
        /* nothing is seen by another connection before the end */
        int64_t seen = -1;
        CHECK_INT(db_query_int(other, &seen, "SELECT count(*) FROM t WHERE id = 90", NULL), DB_OK);
        CHECK_INT(seen, 0);
        CHECK_INT(db_enclose_end(db, commit), commit ? DB_OK : DB_ERR);
        CHECK_INT(db_query_int(other, &seen, "SELECT count(*) FROM t WHERE id = 90", NULL), DB_OK);
        CHECK_INT(seen, commit);
    }
    /* a unit left open when the enclosing transaction ends: everything rolls back */
    CHECK_INT(db_enclose_begin(db), DB_OK);
    CHECK_INT(db_begin(db), DB_OK);
    CHECK_INT(db_exec(db, "INSERT INTO t(id, name, n) VALUES(92, '未结束', 0)", NULL), DB_OK);
    CHECK_INT(db_enclose_end(db, 1), DB_ERR);
    CHECK_INT(count("SELECT count(*) FROM t WHERE id = 92"), 0);
    /* and transactions are plain ones again */
    CHECK_INT(db_begin(db), DB_OK);
    CHECK_INT(db_exec(db, "DELETE FROM t WHERE id = 90", NULL), DB_OK);
    CHECK_INT(db_commit(db), DB_OK);
    CHECK_INT(count("SELECT count(*) FROM t WHERE id = 90"), 0);
    db_close(other);
}

/* A connection to a file that was then replaced (a restore renames another file over it) says
 * so; one to the file still there does not. */
static void test_replaced(void) {
    if (t_on_pg()) { /* db_replaced watches a file; a PostgreSQL database has none */
        t_skip_on_pg("db_replaced (a database file replaced under a connection)");
        return;
    }
    char copy[sizeof db_path + 8];
    snprintf(copy, sizeof copy, "%s.copy", db_path);
    Db *one = db_open(db_path, 0, NULL);
    CHECK_INT(db_replaced(one), 0);
    char *err = NULL;
    CHECK_INT(db_backup(one, copy, &err), DB_OK);
    CHECK_INT(rename(copy, db_path), 0);
    CHECK_INT(db_replaced(one), 1);
    db_close(one);
    Db *two = db_open(db_path, 0, NULL);
    CHECK_INT(db_replaced(two), 0);
    db_close(two);
    free(err);
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
    RUN(test_statement_cache);
    RUN(test_release);
    RUN(test_enclose);
    RUN(test_replaced);
    db_close(db);
    t_remove_db(db_path);
    return T_DONE();
}
