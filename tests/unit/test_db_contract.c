/* test_db_contract.c - what db.h promises the domain, on whichever driver the test database is
 * on: an SQLite file by default, a PostgreSQL database under `make test-pg` (SPOTCHECK_PG_MAP maps
 * the path, db.c). Placeholders (`?`, `?N` reused, `? IS NULL`, a selected `?`), db_last_id after
 * an INSERT and after one that gave its own id, db_changes, booleans read as integers, LIKE
 * ignoring the case of ASCII letters, the constraint error class, the append-only triggers, a
 * failed statement not poisoning what follows, savepoints inside db_enclose, db_read_value, the
 * text search (insured persons left out), db_commits_mark, db_insert_rows (escaping, constraint,
 * or_ignore, ids given), units of the DB_TX_ROWS kind with their locks, and the migrations' schema
 * version. */
#include "../../src/core/util.h"
#include "../../src/db/db.h"
#include "t.h"

#include <pthread.h>
#include <stdlib.h>

static char dir[] = "/tmp/spotcheck-test-contract-XXXXXX";
static char path[128];
static Db *db;

static int64_t q_int(const char *sql, const char *types, const char *a) {
    int64_t n = -1;
    int rc = types ? db_query_int(db, &n, sql, types, a) : db_query_int(db, &n, sql, NULL);
    CHECK_INT(rc, DB_OK);
    return n;
}

static void test_schema_and_placeholders(void) {
    CHECK_INT(db_schema_version(db) >= 43, 1);
    CHECK_INT(db_exec(db, "INSERT INTO org(code, name, updated_at) VALUES (?, ?, ?)", "ttt",
                      "130500", "邢台市医疗保障局", "2026-01-01 00:00:00"),
              DB_OK);
    int64_t city = db_last_id(db);
    CHECK(city > 0);
    CHECK_INT(db_exec(db, "INSERT INTO org(code, name, parent_id, updated_at) VALUES (?, ?, ?, ?)",
                      "ttit", "130528", "Ningjin 宁晋县医疗保障局", city, "2026-01-01 00:00:00"),
              DB_OK);
    int64_t county = db_last_id(db);
    CHECK_INT(county, city + 1);
    CHECK_INT(q_int("SELECT count(*) FROM org WHERE code = ?1 OR name = ?1", "t", "130528"), 1);
    CHECK_INT(q_int("SELECT count(*) FROM org WHERE ? IS NULL OR code = ?", "nn", NULL), 2);
    int64_t n = -1;
    CHECK_INT(db_query_int(db, &n, "SELECT count(*) FROM org WHERE ? IS NULL OR code = ?", "tt",
                           "130500", "130500"),
              DB_OK);
    CHECK_INT(n, 1);
    /* a selected parameter joined to an integer column (SCOPE_SQL's recursive start) */
    CHECK_INT(db_query_int(db, &n,
                           "SELECT count(*) FROM org WHERE id IN (WITH RECURSIVE sc(id) AS (SELECT "
                           "? UNION SELECT o.id FROM org o JOIN sc ON o.parent_id = sc.id) "
                           "SELECT id FROM sc)",
                           "i", city),
              DB_OK);
    CHECK_INT(n, 2);
    /* LIKE ignores the case of ASCII letters, as SQLite's does */
    CHECK_INT(q_int("SELECT count(*) FROM org WHERE name LIKE ? ESCAPE '\\'", "t", "%NINGJIN%"), 1);
    /* a boolean is read as an integer and as "1" / "0" */
    Stmt *st = db_prepare(db, "SELECT EXISTS (SELECT 1 FROM org WHERE code = ?), "
                              "EXISTS (SELECT 1 FROM org WHERE code = 'none')");
    CHECK(st != NULL);
    if (st) {
        db_bind_text(st, 1, "130528");
        CHECK_INT(db_step(st), DB_ROW);
        CHECK_INT(db_col_int(st, 0), 1);
        CHECK_STR(db_col_text(st, 0), "1");
        CHECK_STR(db_col_text(st, 1), "0");
        CHECK_INT(db_step(st), DB_DONE);
        db_finalize(st);
    }
    CHECK_INT(db_exec(db, "UPDATE org SET status_reason = ? WHERE code LIKE '1305%'", "t", "x"),
              DB_OK);
    CHECK_INT(db_changes(db), 2);
    /* an INSERT giving its own id; the next one without continues after it */
    CHECK_INT(db_exec(db, "INSERT INTO org(id, code, name, updated_at) VALUES (?, ?, ?, ?)",
                      "itt"
                      "t",
                      (int64_t)100, "130529", "巨鹿县医疗保障局", "2026-01-01 00:00:00"),
              DB_OK);
    CHECK_INT(db_exec(db, "INSERT INTO org(code, name, updated_at) VALUES (?, ?, ?)", "ttt",
                      "130530", "新河县医疗保障局", "2026-01-01 00:00:00"),
              DB_OK);
    CHECK_INT(db_last_id(db), 101);
}

static void test_constraints_and_append_only(void) {
    CHECK_INT(db_exec(db, "INSERT INTO org(code, name, updated_at) VALUES (?, ?, ?)", "ttt",
                      "130528", "重复", "2026-01-01 00:00:00"),
              DB_ERR);
    CHECK_INT(db_errclass(db), DBE_CONSTRAINT);
    /* inside a transaction: the unit rolls back and the connection goes on */
    CHECK_INT(db_begin(db), DB_OK);
    CHECK_INT(db_exec(db,
                      "INSERT INTO audit_log(id, at, actor, action, prev_hash, hash) "
                      "VALUES (1, '2026-01-01T00:00:00Z', 'cli', 'test', ?, ?)",
                      "tt", "0000000000000000000000000000000000000000000000000000000000000000",
                      "1111111111111111111111111111111111111111111111111111111111111111"),
              DB_OK);
    CHECK_INT(db_commit(db), DB_OK);
    CHECK_INT(db_begin(db), DB_OK);
    CHECK_INT(db_exec(db, "UPDATE audit_log SET actor = 'mallory'", NULL), DB_ERR);
    CHECK_INT(db_errclass(db), DBE_CONSTRAINT);
    CHECK(strstr(db_errmsg(db), "审计日志只能追加") != NULL);
    CHECK_INT(db_rollback(db), DB_OK);
    CHECK_INT(db_exec(db, "DELETE FROM audit_log", NULL), DB_ERR);
    CHECK_INT(db_errclass(db), DBE_CONSTRAINT);
    CHECK_INT(q_int("SELECT count(*) FROM audit_log WHERE actor = 'cli'", NULL, NULL), 1);
    CHECK_INT(db_errclass(db), DBE_NONE);
}

static void test_enclosed_units(void) {
    CHECK_INT(db_enclose_begin(db), DB_OK);
    CHECK_INT(db_begin(db), DB_OK);
    CHECK_INT(db_exec(db, "INSERT INTO meta(key, value) VALUES ('unit-1', 'kept')", NULL), DB_OK);
    CHECK_INT(db_commit(db), DB_OK);
    CHECK_INT(db_begin(db), DB_OK);
    CHECK_INT(db_exec(db, "INSERT INTO meta(key, value) VALUES ('unit-2', 'undone')", NULL), DB_OK);
    CHECK_INT(db_exec(db, "INSERT INTO meta(key, value) VALUES ('unit-1', 'clash')", NULL), DB_ERR);
    CHECK_INT(db_rollback(db), DB_OK); /* only this unit */
    CHECK_INT(db_enclose_end(db, 1), DB_OK);
    CHECK_INT(q_int("SELECT count(*) FROM meta WHERE key LIKE 'unit-%'", NULL, NULL), 1);
}

static void test_read_value_and_text_search(void) {
    CHECK_INT(db_exec(db,
                      "INSERT INTO entity_version(entity, entity_id, version, data) "
                      "VALUES ('org', 1, 1, ?)",
                      "t", "{\"name\":\"旧名称\"}"),
              DB_OK);
    int64_t id = db_last_id(db);
    char *out = NULL;
    size_t len = 0;
    CHECK_INT(db_read_value(db, "entity_version", "data", id, 4, &out, &len), DB_OK);
    CHECK_STR(out, "{\"name\":\"旧名称\"}");
    CHECK_INT(len, strlen("{\"name\":\"旧名称\"}"));
    CHECK(out && out[len + 4] == 0);
    free(out);
    CHECK_INT(db_read_value(db, "entity_version", "data", id + 1000, 0, &out, &len), DB_DONE);
    CHECK(out == NULL);

    const char *ins = "INSERT INTO target(org_id, kind, code, name, region, address, updated_at) "
                      "VALUES ((SELECT id FROM org WHERE code = '130528'), ?, ?, ?, '130528', ?, "
                      "'2026-01-01 00:00:00')";
    CHECK_INT(
        db_exec(db, ins, "tttt", "institution", "H13052800001", "宁晋县人民医院", "凤凰路1号"),
        DB_OK);
    CHECK_INT(db_exec(db, ins, "tttt", "pharmacy", "P13052800002", "百姓大药房", "人民医院对面"),
              DB_OK);
    CHECK_INT(db_exec(db, ins, "tttt", "insured", "I0001", "人民医保参保人", "人民医院宿舍"),
              DB_OK);
    const char *cols[] = {"name", "address"};
    for (size_t ncols = 1; ncols <= 2; ncols++) {
        DbTextSearch ts;
        if (db_text_search(db, "target", "t", cols, ncols, "人民医", &ts) != DB_OK) continue;
        char *sql = xasprintf("SELECT count(*) FROM target t%s WHERE %s", ts.join, ts.where);
        int64_t n = -1;
        CHECK_INT(db_query_int(db, &n, sql, "t", ts.bind), DB_OK);
        CHECK_INT(n, ncols == 1 ? 1 : 2); /* never the insured person */
        free(sql);
        sql = xasprintf("SELECT count(*) FROM target t WHERE t.id IN (%s)", ts.ids);
        CHECK_INT(db_query_int(db, &n, sql, "t", ts.bind), DB_OK);
        CHECK_INT(n, ncols == 1 ? 1 : 2);
        free(sql);
        db_text_search_free(&ts);
    }
}

/* The write transaction, then whether another connection committed since the mark (what
 * db_changed_since tells a unit once it holds its locks). */
static int begin_since(Db *d, int64_t mark) {
    return db_begin(d) == DB_OK ? db_changed_since(d, mark) : DB_ERR;
}

static void test_commits_mark(void) {
    char *err = NULL;
    Db *other = db_open(path, 0, &err);
    CHECK(other != NULL);
    free(err);
    if (!other) return;
    int64_t mark = 0;
    if (db_commits_mark(db, &mark) != DB_OK) { /* a driver that cannot tell */
        db_close(other);
        return;
    }
    /* Nothing committed since the mark: DB_OK. On PostgreSQL the mark is the cluster's snapshot,
     * which any transaction of the cluster that starts writing meanwhile also changes (the suite
     * runs other tests on the same cluster, some writing without pause for 20 s), so a fresh mark
     * is taken again for up to 15 s: a driver that always answers DB_CHANGED still fails. */
    int since = DB_CHANGED;
    for (int try = 0; try < 750 && since == DB_CHANGED; try++) {
        if (try) usleep(20000);
        CHECK_INT(db_commits_mark(db, &mark), DB_OK);
        since = begin_since(db, mark);
        CHECK_INT(db_rollback(db), DB_OK);
    }
    CHECK_INT(since, DB_OK);
    CHECK_INT(db_exec(other, "INSERT INTO meta(key, value) VALUES ('other', '1')", NULL), DB_OK);
    CHECK_INT(begin_since(db, mark), DB_CHANGED);
    CHECK_INT(db_rollback(db), DB_OK);
    db_close(other);
}

/* Rows for db_insert_rows: texts that need escaping in a bulk format (tab, line breaks, a
 * backslash, the text "\\N" which is not NULL), and integers. */
typedef struct Rows {
    const char *const (*text)[2];
    const int64_t *ids;
} Rows;

static int rows_cell(void *arg, size_t row, size_t col, const char **text, int64_t *i) {
    const Rows *r = arg;
    if (r->ids && col == 0) return (*i = r->ids[row]), 1;
    *text = r->text[row][r->ids ? col - 1 : col];
    return 0;
}

static void test_insert_rows(void) {
    static const char *const meta[][2] = {{"bulk-1", "tab\there"},
                                          {"bulk-2", "line\nbreak\r\n"},
                                          {"bulk-3", "back\\slash \\N 中文"},
                                          {"bulk-4", "\\N"}};
    const char *cols[] = {"key", "value"};
    Rows rows = {meta, NULL};
    DbRowSource src = {4, 2, rows_cell, &rows};
    CHECK_INT(db_begin(db), DB_OK);
    CHECK_INT(db_insert_rows(db, "meta", cols, 2, &src, 0), DB_OK);
    CHECK_INT(db_commit(db), DB_OK);
    for (size_t i = 0; i < 4; i++) {
        char *v = NULL;
        CHECK_INT(db_query_text(db, &v, "SELECT value FROM meta WHERE key = ?", "t", meta[i][0]),
                  DB_OK);
        CHECK_STR(v, meta[i][1]);
        free(v);
    }
    /* a duplicate key: the whole call fails as a constraint, or is skipped with or_ignore */
    static const char *const again[][2] = {{"bulk-5", "new"}, {"bulk-1", "duplicate"}};
    Rows dup = {again, NULL};
    DbRowSource src2 = {2, 2, rows_cell, &dup};
    CHECK_INT(db_begin(db), DB_OK);
    CHECK_INT(db_insert_rows(db, "meta", cols, 2, &src2, 0), DB_ERR);
    CHECK_INT(db_errclass(db), DBE_CONSTRAINT);
    CHECK_INT(db_rollback(db), DB_OK);
    CHECK_INT(db_begin(db), DB_OK);
    CHECK_INT(db_insert_rows(db, "meta", cols, 2, &src2, 1), DB_OK);
    CHECK_INT(db_commit(db), DB_OK);
    CHECK_INT(q_int("SELECT count(*) FROM meta WHERE key LIKE 'bulk-%'", NULL, NULL), 5);
    CHECK_INT(q_int("SELECT count(*) FROM meta WHERE value = 'duplicate'", NULL, NULL), 0);
    /* ids given: the next row without one comes after them */
    static const char *const tags[][2] = {{"T-B1", "一"}, {"T-B2", "二"}};
    static const int64_t ids[] = {700, 701};
    const char *tcols[] = {"id", "code", "name"};
    Rows tr = {tags, ids};
    DbRowSource src3 = {2, 3, rows_cell, &tr};
    CHECK_INT(db_begin(db), DB_OK);
    CHECK_INT(db_insert_rows(db, "tag", tcols, 3, &src3, 0), DB_OK);
    CHECK_INT(db_commit(db), DB_OK);
    CHECK_INT(db_exec(db, "INSERT INTO tag(code, name) VALUES ('T-B3', '三')", NULL), DB_OK);
    CHECK_INT(db_last_id(db), 702);
}

/* PostgreSQL only: a second connection to the database; NULL on SQLite (a second writer there
 * would wait for the first: one writer at a time). */
static Db *second_connection(void) {
    if (!getenv("SPOTCHECK_PG_MAP")) return NULL;
    char *err = NULL;
    Db *other = db_open(path, 0, &err);
    free(err);
    CHECK(other != NULL);
    return other;
}

/* PostgreSQL only: a second connection, and a DB_TX_ROWS unit open on each, db's with the first org
 * row locked (*a), the other's with the last (*b). NULL on SQLite (the second would wait for the
 * first: one writer at a time). */
static Db *two_units(int64_t *a, int64_t *b) {
    Db *other = second_connection();
    if (!other) return NULL;
    *a = q_int("SELECT min(id) FROM org", NULL, NULL);
    *b = q_int("SELECT max(id) FROM org", NULL, NULL);
    CHECK_INT(db_begin_kind(db, DB_TX_ROWS), DB_OK);
    CHECK_INT(db_begin_kind(other, DB_TX_ROWS), DB_OK);
    CHECK_INT(db_lock_row(db, "org", *a), DB_OK);
    CHECK_INT(db_lock_row(other, "org", *b), DB_OK);
    return other;
}

/* Units of the DB_TX_ROWS kind lock what their rules need; on PostgreSQL two of them run at once
 * (on SQLite the second would wait for the first: one writer at a time). */
static void test_row_units(void) {
    int64_t org = q_int("SELECT min(id) FROM org", NULL, NULL);
    CHECK_INT(db_begin_kind(db, DB_TX_ROWS), DB_OK);
    CHECK_INT(db_lock_row(db, "org", org), DB_OK);
    CHECK_INT(db_lock_row(db, "org", -1), DB_OK); /* no such row: nothing locked, no error */
    CHECK_INT(db_lock(db, "audit_log", 0), DB_OK);
    uint64_t commits = db_commits(db);
    CHECK_INT(db_commit(db), DB_OK);
    CHECK_INT((int64_t)(db_commits(db) - commits), 1);
    CHECK_INT((int64_t)db_conflicts(db), 0);
    int64_t second;
    Db *other = two_units(&org, &second);
    if (!other) return;
    CHECK_INT(db_exec(db, "UPDATE org SET status_reason = 'a' WHERE id = ?", "i", org), DB_OK);
    CHECK_INT(db_exec(other, "UPDATE org SET status_reason = 'b' WHERE id = ?", "i", second),
              DB_OK);
    CHECK_INT(db_commit(other), DB_OK);
    CHECK_INT(db_commit(db), DB_OK);
    CHECK_INT(q_int("SELECT count(*) FROM org WHERE status_reason IN ('a', 'b')", NULL, NULL), 2);
    db_close(other);
}

/* Targets of org in target_count (sql/058's triggers keep it). */
static int64_t counted(Db *d, int64_t org) {
    int64_t n = -1;
    CHECK_INT(db_query_int(d, &n, "SELECT coalesce(sum(n), 0) FROM target_count WHERE org_id = ?",
                           "i", org),
              DB_OK);
    return n;
}

static int add_insured(Db *d, int64_t org, const char *code) {
    return db_exec(d,
                   "INSERT INTO target(org_id, kind, code, name, id_number, region) "
                   "VALUES (?, 'insured', ?, '张三', ?, '130000')",
                   "itt", org, code, code);
}

/* db_triggers_pause stops the named triggers for the pausing unit only, until it resumes them; on
 * PostgreSQL another unit writing the same table meanwhile is neither held up (a pause by ALTER
 * TABLE … DISABLE TRIGGER would hold the table until the commit: it would wait, then fail busy)
 * nor paused (its rows are counted). */
static void test_triggers_paused_for_one_unit(void) {
    int64_t org = q_int("SELECT min(id) FROM org", NULL, NULL), before = counted(db, org);
    char *saved = NULL;
    CHECK_INT(db_begin_kind(db, DB_TX_ROWS), DB_OK);
    CHECK_INT(db_triggers_pause(db, "target", "target_count_", &saved), DB_OK);
    CHECK_INT(add_insured(db, org, "PAUSE-1"), DB_OK);
    CHECK_INT(counted(db, org), before); /* paused: not counted */
    Db *other = second_connection();
    if (other) {
        CHECK_INT(db_begin_kind(other, DB_TX_ROWS), DB_OK);
        CHECK_INT(add_insured(other, org, "PAUSE-OTHER"), DB_OK); /* not held up */
        CHECK_INT(db_commit(other), DB_OK);
        CHECK_INT(counted(other, org), before + 1); /* not paused for it */
    }
    CHECK_INT(db_triggers_resume(db, saved), DB_OK);
    CHECK_INT(add_insured(db, org, "PAUSE-2"), DB_OK);
    CHECK_INT(db_commit(db), DB_OK);
    CHECK_INT(counted(db, org), before + 1 + (other != NULL)); /* PAUSE-2 (and the other's) */
    if (other) db_close(other);
}

/* Rows of `code LIKE 'LOCKS-%'` another unit can lock now (FOR UPDATE SKIP LOCKED). */
static int64_t lockable(Db *d) {
    int64_t n = -1;
    CHECK_INT(db_begin_kind(d, DB_TX_ROWS), DB_OK);
    CHECK_INT(db_query_int(d, &n,
                           "SELECT count(*) FROM (SELECT id FROM target WHERE code LIKE 'LOCKS-%' "
                           "FOR UPDATE SKIP LOCKED) x",
                           NULL),
              DB_OK);
    CHECK_INT(db_commit(d), DB_OK);
    return n;
}

/* db_lock_rows locks every row it is given, past the driver's statement of 1,000 ids (and a
 * missing id is no error); on PostgreSQL another unit finds none of them free until the commit. */
static void test_lock_rows_batch(void) {
    int64_t org = q_int("SELECT min(id) FROM org", NULL, NULL);
    enum { N = 2500 };
    int64_t *ids = xcalloc(N + 1, sizeof *ids);
    CHECK_INT(db_begin(db), DB_OK);
    for (int i = 0; i < N; i++) {
        char code[32];
        snprintf(code, sizeof code, "LOCKS-%04d", i);
        CHECK_INT(add_insured(db, org, code), DB_OK);
        ids[i] = db_last_id(db);
    }
    CHECK_INT(db_commit(db), DB_OK);
    ids[N] = ids[N - 1] + 1000000; /* no such row */
    Db *other = second_connection();
    CHECK_INT(db_begin_kind(db, DB_TX_ROWS), DB_OK);
    CHECK_INT(db_lock_rows(db, "target", ids, 0), DB_OK);
    CHECK_INT(db_lock_rows(db, "target", ids, N + 1), DB_OK);
    if (other) CHECK_INT(lockable(other), 0);
    CHECK_INT(db_commit(db), DB_OK);
    if (other) CHECK_INT(lockable(other), N);
    if (other) db_close(other);
    free(ids);
}

/* Reads a large statement (db_large) over the LARGE-% targets, at most `limit` of them, running
 * another query on the connection every 100 rows; the rows it saw, -1 when out of order. */
static int64_t read_large(int64_t limit, int64_t stop) {
    Stmt *st = db_prepare(db, "SELECT id FROM target WHERE code LIKE ? ORDER BY id LIMIT ?");
    CHECK(st != NULL);
    if (!st) return -1;
    db_large(st);
    db_bind_text(st, 1, "LARGE-%");
    db_bind_int(st, 2, limit);
    int64_t n = 0, last = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW && n != stop) {
        int64_t id = db_col_int(st, 0);
        if (id <= last) n = -1 - n;
        last = id, n++;
        if (n % 100 == 0) {
            int64_t one = 0;
            CHECK_INT(db_query_int(db, &one, "SELECT count(*) FROM org WHERE id = ?", "i", 1),
                      DB_OK);
        }
    }
    if (n != stop) CHECK_INT(rc, DB_DONE);
    db_finalize(st);
    return n;
}

/* Cursors a driver left open (PostgreSQL: pg_cursors, but for the unnamed portal of this very
 * query; SQLite has none). */
static int64_t cursors_open(void) {
    return t_on_pg() ? q_int("SELECT count(*) FROM pg_cursors WHERE name <> ''", NULL, NULL) : 0;
}

/* A statement marked large returns every row in order, past the driver's batch (PostgreSQL reads
 * 2,000 at a time: 4,000 ends on a batch's edge, 2,345 within one), inside a transaction and
 * outside one, with other queries between its rows; stopped early, it leaves no cursor behind
 * and the transaction goes on. */
static void test_large_results(void) {
    int64_t org = q_int("SELECT min(id) FROM org", NULL, NULL);
    CHECK_INT(db_begin(db), DB_OK);
    for (int i = 0; i < 4000; i++) {
        char code[32];
        snprintf(code, sizeof code, "LARGE-%04d", i);
        CHECK_INT(add_insured(db, org, code), DB_OK);
    }
    CHECK_INT(db_commit(db), DB_OK);
    CHECK_INT(read_large(4000, -1), 4000); /* outside a transaction */
    CHECK_INT(read_large(2345, -1), 2345);
    CHECK_INT(read_large(0, -1), 0);
    CHECK_INT(db_begin(db), DB_OK);
    CHECK_INT(read_large(4000, -1), 4000); /* inside one */
    CHECK_INT(read_large(2345, -1), 2345);
    CHECK_INT(read_large(4000, 2100), 2100); /* stopped in the second batch */
    CHECK_INT(cursors_open(), 0);
    CHECK_INT(db_exec(db, "UPDATE org SET status_reason = 'large' WHERE id = ?", "i", org), DB_OK);
    CHECK_INT(db_commit(db), DB_OK);
    CHECK_INT(read_large(4000, 10), 10); /* stopped early outside a transaction */
    CHECK_INT(cursors_open(), 0);
    CHECK_INT(q_int("SELECT count(*) FROM org WHERE status_reason = 'large'", NULL, NULL), 1);
    if (!t_on_pg()) return;
    /* the mark leaves with the statement: the same text prepared again (from the statement cache)
     * runs plainly; as a cursor outside a transaction this one would fail (WITH HOLD … FOR UPDATE
     * is not supported) */
    const char *sql = "SELECT id FROM org WHERE id = ? FOR UPDATE";
    CHECK_INT(db_begin(db), DB_OK);
    Stmt *st = db_prepare(db, sql);
    db_large(st);
    db_bind_int(st, 1, org);
    CHECK_INT(db_step(st), DB_ROW);
    db_finalize(st);
    CHECK_INT(db_commit(db), DB_OK);
    st = db_prepare(db, sql);
    db_bind_int(st, 1, org);
    CHECK_INT(db_step(st), DB_ROW);
    db_finalize(st);
}

/* The other side of the deadlock below: locks row b, then row a (waiting). */
typedef struct Crossing {
    Db *db;
    int64_t a, b;
    int rc;
} Crossing;

static void *cross_lock(void *arg) {
    Crossing *x = arg;
    x->rc = db_lock_row(x->db, "org", x->a);
    if (x->rc == DB_OK)
        db_commit(x->db);
    else
        db_rollback(x->db);
    return NULL;
}

/* Two units locking two rows in opposite orders: the server cancels one of them (a deadlock), its
 * error is DBE_CONFLICT and counted by db_conflicts (the runner's cue to run it again, uow.h); the
 * other goes through. PostgreSQL only (SQLite's units never wait for one another mid-way). */
static void test_deadlock_is_conflict(void) {
    uint64_t mine = db_conflicts(db);
    int64_t a, b;
    Db *other = two_units(&a, &b);
    if (!other) return;
    Crossing x = {other, a, b, DB_OK};
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, cross_lock, &x), 0);
    int rc = db_lock_row(db, "org", b); /* one of the two waits is cancelled */
    int klass = rc == DB_OK ? DBE_NONE : db_errclass(db);
    if (rc == DB_OK)
        db_commit(db);
    else
        db_rollback(db);
    pthread_join(t, NULL);
    CHECK_INT((rc == DB_OK) + (x.rc == DB_OK), 1);
    if (rc != DB_OK) CHECK_INT(klass, DBE_CONFLICT);
    CHECK_INT((int64_t)(db_conflicts(db) - mine + db_conflicts(other)), 1);
    db_close(other);
}

int main(void) {
    if (!mkdtemp(dir)) return 2;
    snprintf(path, sizeof path, "%s/c.db", dir);
    char *err = NULL;
    db = db_open(path, 1, &err);
    if (!db) {
        fprintf(stderr, "db_open: %s\n", err ? err : "?");
        return 1;
    }
    RUN(test_schema_and_placeholders);
    RUN(test_constraints_and_append_only);
    RUN(test_enclosed_units);
    RUN(test_read_value_and_text_search);
    RUN(test_commits_mark);
    RUN(test_insert_rows);
    RUN(test_row_units);
    RUN(test_deadlock_is_conflict);
    RUN(test_lock_rows_batch);
    RUN(test_large_results);
    RUN(test_triggers_paused_for_one_unit);
    db_close(db);
    t_remove_db(path);
    rmdir(dir);
    return T_DONE();
}
