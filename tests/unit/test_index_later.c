/* test_index_later.c - the plain indexes a bulk import builds after its commit (db.h's
 * db_index_later, sql/064): after the import every index of the table is there and nothing is
 * left recorded; on SQLite the import's pages were checkpointed into the database file beside the
 * builds and the connection's commits checkpoint again after; a crash after the data's commit
 * (the builds skipped) leaves the indexes recorded, and the next open with migrations builds them;
 * an import rolled back after recording, or rejected, leaves nothing recorded and every index in
 * place; records a race or a failure leaves are built, dropped or kept as they ask, and no
 * migration runs while one is kept. On PostgreSQL the indexes are built before the commit and
 * nothing is ever recorded. */
#include "core/util.h"
#include "db/db.h"
#include "domain/dir_io.h"
#include "domain/directory.h"
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/spotcheck-test-index-later-XXXXXX";

static int import(Db *db, const char *kind, const char *name, ImportCommitHook hook) {
    char p[300], *err = NULL;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    ImportReport rep;
    int rc = dir_import(db, dir_kind_find(kind), p, TABLE_ENC_UTF8, "test", 0, NULL, hook, NULL,
                        NULL, &rep, &err);
    import_report_free(&rep);
    free(err);
    return rc;
}

/* A database of its own (the bulk path needs an empty table) with the organisation imported. */
static Db *fresh(const char *name, char *path, size_t cap) {
    snprintf(path, cap, "%s/%s", dir, name);
    char *err = NULL;
    Db *db = db_open(path, 1, &err);
    if (!db) fprintf(stderr, "db_open: %s\n", err ? err : "?");
    free(err);
    CHECK(db != NULL);
    if (db) CHECK_INT(import(db, "orgs", "orgs.csv", NULL), IMPORT_OK);
    return db;
}

/* 2,000 targets: institutions and insured persons (the table's indexes: target_org_id and
 * target_org_kind plain, target_insured_id UNIQUE). */
static void write_targets(void) {
    Buf f;
    buf_init(&f);
    buf_puts(&f, "对象类型,名称,统一社会信用代码,医保编码,身份证号,所属机构,行政区划,地址,"
                 "信用风险等级\n");
    for (int i = 0; i < 1000; i++) {
        char id[19];
        t_id_number(id, i);
        buf_printf(&f,
                   "定点医疗机构,凤凰人民医院%d,12110000400686291H,H130528%05d,,130528,130528,"
                   "凤凰路%d号,B\n",
                   i, i, i);
        buf_printf(&f, "参保人,患者%d,,,%s,130528,130528,城关镇%d号,B\n", i, id, i);
    }
    t_write_file(dir, "targets.csv", f.data);
    buf_free(&f);
}

static int64_t count(Db *db, const char *sql) {
    int64_t n = -1;
    CHECK_INT(db_query_int(db, &n, sql, NULL), DB_OK);
    return n;
}

/* Whether `target` has each of its three created indexes. */
static int indexes_there(Db *db) {
    DbIndex *list = NULL;
    size_t n = 0;
    CHECK_INT(db_created_indexes(db, "target", &list, &n), DB_OK);
    int seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(list[i].name, "target_org_id")) seen |= 1;
        if (!strcmp(list[i].name, "target_org_kind")) seen |= 2;
        if (!strcmp(list[i].name, "target_insured_id")) seen |= 4;
    }
    db_index_list_free(list, n);
    return seen == 7;
}

/* SQLite: this connection's commits checkpoint the WAL again (SQLite's default, 1000 pages). */
static void commits_checkpoint(Db *db) {
    if (!t_on_pg()) CHECK_INT(count(db, "PRAGMA wal_autocheckpoint"), 1000);
}

static off_t file_size(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 ? sb.st_size : -1;
}

static void test_built_after_commit(void) {
    char path[300];
    Db *db = fresh("a.db", path, sizeof path);
    if (!db) return;
    off_t before = file_size(path);
    CHECK_INT(import(db, "targets", "targets.csv", NULL), IMPORT_OK);
    CHECK_INT(count(db, "SELECT count(*) FROM target"), 2000);
    CHECK(indexes_there(db));
    CHECK_INT(count(db, "SELECT count(*) FROM index_pending"), 0);
    commits_checkpoint(db);
    if (!t_on_pg()) {
        /* the data's pages reached the database file before any later checkpoint could copy
         * them: by the checkpoint beside the builds (the commits themselves did not checkpoint) */
        off_t after = file_size(path);
        CHECK(after > before + 200 * 1024);
        if (!(after > before + 200 * 1024))
            fprintf(stderr, "file %lld -> %lld bytes\n", (long long)before, (long long)after);
        CHECK_INT(count(db, "SELECT count(*) FROM target INDEXED BY target_org_kind WHERE org_id = "
                            "(SELECT id FROM org WHERE code = '130528') AND kind = 'insured'"),
                  1000);
    }
    db_close(db);
    t_remove_db(path);
}

static void test_crash_after_commit(void) {
    char path[300];
    Db *db = fresh("b.db", path, sizeof path);
    if (!db) return;
    db_index_test_skip_pending(1); /* as if the process ended right after the data's commit */
    CHECK_INT(import(db, "targets", "targets.csv", NULL), IMPORT_OK);
    db_index_test_skip_pending(0);
    CHECK_INT(count(db, "SELECT count(*) FROM target"), 2000);
    commits_checkpoint(db);
    if (t_on_pg()) { /* built before the commit: nothing left for later */
        t_skip_on_pg("indexes left for the next open");
        CHECK(indexes_there(db));
        CHECK_INT(count(db, "SELECT count(*) FROM index_pending"), 0);
        db_close(db);
        return;
    }
    CHECK(!indexes_there(db));
    CHECK_INT(count(db, "SELECT count(*) FROM index_pending WHERE name IN ('target_org_id', "
                        "'target_org_kind')"),
              2);
    CHECK_INT(count(db, "SELECT count(*) FROM index_pending"), 2);
    db_close(db);

    char *err = NULL;
    db = db_open(path, 0, &err); /* without migrations: nothing is built */
    CHECK(db != NULL);
    if (db) CHECK_INT(count(db, "SELECT count(*) FROM index_pending"), 2);
    db_close(db);
    free(err);
    err = NULL;
    db = db_open(path, 1, &err); /* with them (every command, the server's start): built */
    CHECK(db != NULL);
    free(err);
    if (!db) return;
    CHECK(indexes_there(db));
    CHECK_INT(count(db, "SELECT count(*) FROM index_pending"), 0);
    CHECK_INT(
        count(db, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"), 0);
    db_close(db);
    t_remove_db(path);
}

/* The import's audit row cannot be written: the import rolls back after its indexes were recorded.
 */
static int refuse(Db *db, const DirKind *k, const ImportReport *rep, void *arg) {
    (void)db, (void)k, (void)rep, (void)arg;
    return -1;
}

static void test_rolled_back(void) {
    char path[300];
    Db *db = fresh("c.db", path, sizeof path);
    if (!db) return;
    CHECK_INT(import(db, "targets", "targets.csv", refuse), IMPORT_FAILED);
    CHECK_INT(count(db, "SELECT count(*) FROM target"), 0);
    CHECK(indexes_there(db));
    CHECK_INT(count(db, "SELECT count(*) FROM index_pending"), 0);
    commits_checkpoint(db);
    db_close(db);
    t_remove_db(path);
}

/* Records as a failure or a race leaves them: one whose index exists (built by another
 * connection first), one whose table is gone, one that cannot be built, one to build. */
static void test_stale_records(void) {
    if (t_on_pg()) {
        t_skip_on_pg("records left for later (none on PostgreSQL)");
        return;
    }
    char path[300];
    Db *db = fresh("d.db", path, sizeof path);
    if (!db) return;
    CHECK_INT(import(db, "targets", "targets.csv", NULL), IMPORT_OK);
    CHECK_INT(db_exec_script(
                  db, "INSERT INTO index_pending(name, table_name, sql, recorded_at) VALUES "
                      "('target_org_id', 'target', 'CREATE INDEX target_org_id ON target(org_id, "
                      "id)', '2026-12-07 12:00:00'), "
                      "('gone_idx', 'no_such_table', 'CREATE INDEX gone_idx ON no_such_table(x)', "
                      "'2026-12-07 12:00:00'), "
                      "('bad_idx', 'target', 'CREATE INDEX bad_idx ON target(no_such_column)', "
                      "'2026-12-07 12:00:00'), "
                      "('target_name_later', 'target', 'CREATE INDEX target_name_later ON "
                      "target(name)', '2026-12-07 12:00:00')"),
              DB_OK);
    CHECK_INT(db_index_build_pending(db), DB_ERR); /* bad_idx is left */
    CHECK_INT(count(db, "SELECT count(*) FROM index_pending"), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM index_pending WHERE name = 'bad_idx'"), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM sqlite_master WHERE name = 'target_name_later'"), 1);
    CHECK(indexes_there(db));
    /* a migration still to apply (063 does nothing on SQLite) waits while a record is left */
    CHECK_INT(db_exec(db, "DELETE FROM schema_migrations WHERE version = 63", NULL), DB_OK);
    db_close(db);
    char *err = NULL;
    db = db_open(path, 1, &err);
    CHECK(db == NULL);
    CHECK(err && strstr(err, "暂不迁移"));
    free(err);
    err = NULL;
    db_close(db);
    db = db_open(path, 0, &err);
    CHECK(db != NULL);
    if (db) CHECK_INT(db_exec(db, "DELETE FROM index_pending", NULL), DB_OK);
    db_close(db);
    db = db_open(path, 1, &err);
    CHECK(db != NULL);
    free(err);
    if (db) CHECK_INT(count(db, "SELECT count(*) FROM schema_migrations WHERE version = 63"), 1);
    db_close(db);
    t_remove_db(path);
}

/* A file with a bad row: rejected, nothing recorded, every index in place. */
static void test_rejected(void) {
    char path[300];
    Db *db = fresh("e.db", path, sizeof path);
    if (!db) return;
    t_write_file(dir, "bad.csv",
                 "对象类型,名称,统一社会信用代码,医保编码,身份证号,所属机构,行政区划,地址,"
                 "信用风险等级\n"
                 "定点医疗机构,甲医院,12110000400686291H,H13052800001,,130528,130528,甲路,B\n"
                 "定点医疗机构,乙医院,12110000400686291H,H13052800002,,130528,130528,乙路,Z\n"
                 "定点医疗机构,丙医院,12110000400686291H,H13052800003,,130528,130528,丙路,B\n"
                 "定点医疗机构,丁医院,12110000400686291H,H13052800004,,130528,130528,丁路,B\n");
    CHECK_INT(import(db, "targets", "bad.csv", NULL), IMPORT_REJECTED);
    CHECK_INT(count(db, "SELECT count(*) FROM target"), 0);
    CHECK(indexes_there(db));
    CHECK_INT(count(db, "SELECT count(*) FROM index_pending"), 0);
    commits_checkpoint(db);
    db_close(db);
    t_remove_db(path);
}

int main(void) {
    if (!mkdtemp(dir)) return 1;
    t_write_file(dir, "orgs.csv",
                 "行政区划代码,机构名称,上级行政区划代码\n130528,宁晋县医疗保障局,\n");
    write_targets();
    dir_import_test_defer_after(3); /* the bulk path's index drops and rebuilds */
    RUN(test_built_after_commit);
    RUN(test_crash_after_commit);
    RUN(test_rolled_back);
    RUN(test_stale_records);
    RUN(test_rejected);
    const char *files[] = {"orgs.csv", "targets.csv", "bad.csv"};
    char p[300];
    for (size_t i = 0; i < ARRAY_LEN(files); i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
    return T_DONE();
}
