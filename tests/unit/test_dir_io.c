/* test_dir_io.c - the import's write lock: a bulk import (an empty table) parses its file before
 * it takes the lock, and when another connection committed meanwhile it reads the file again
 * under the lock instead of writing what it parsed from an older state. */
#include "core/util.h"
#include "db/db.h"
#include "domain/dir_io.h"
#include "domain/directory.h"
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/spotcheck-test-dirio-XXXXXX";
static char path[256];

static void write_file(const char *name, const char *text) {
    t_write_file(dir, name, text);
}

static int import(Db *db, const char *kind, const char *name, ImportReport *rep) {
    char p[300], *err = NULL;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    int rc = dir_import(db, dir_kind_find(kind), p, TABLE_ENC_UTF8, "test", 0, NULL, NULL, NULL,
                        NULL, rep, &err);
    if (rc == IMPORT_FAILED) fprintf(stderr, "import %s: %s\n", name, err);
    free(err);
    return rc;
}

/* The write transaction, then whether another connection committed since the mark (what
 * db_changed_since tells a unit once it holds its locks). */
static int begin_since(Db *db, int64_t mark) {
    return db_begin(db) == DB_OK ? db_changed_since(db, mark) : DB_ERR;
}

static void test_commits_mark(void) {
    char *err = NULL;
    Db *a = db_open(path, 0, &err), *b = db_open(path, 0, &err);
    CHECK(a && b);
    int64_t mark;
    CHECK_INT(db_commits_mark(a, &mark), DB_OK);
    CHECK_INT(begin_since(a, mark), DB_OK); /* nobody committed */
    CHECK_INT(db_exec(a, "INSERT INTO meta(key, value) VALUES ('t-a', '1')", NULL), DB_OK);
    CHECK_INT(db_commit(a), DB_OK);
    CHECK_INT(db_commits_mark(a, &mark), DB_OK); /* its own commit does not count */
    CHECK_INT(begin_since(a, mark), DB_OK);
    CHECK_INT(db_rollback(a), DB_OK);
    CHECK_INT(db_exec(b, "INSERT INTO meta(key, value) VALUES ('t-b', '1')", NULL), DB_OK);
    CHECK_INT(begin_since(a, mark), DB_CHANGED); /* b committed since the mark */
    CHECK_INT(db_rollback(a), DB_OK);
    db_close(a);
    db_close(b);
}

/* The other connection imports one target whose code is also in the parsed file. */
static int hook_calls;
static void commit_meanwhile(void *arg) {
    hook_calls++;
    dir_import_test_after_parse(NULL, NULL); /* once: the import below is a bulk load too */
    ImportReport rep;
    CHECK_INT(import((Db *)arg, "targets", "one.csv", &rep), IMPORT_OK);
    CHECK_INT(rep.inserted, 1);
    import_report_free(&rep);
}

static void test_bulk_import_reads_again(void) {
    char *err = NULL;
    Db *a = db_open(path, 0, &err), *b = db_open(path, 0, &err);
    CHECK(a && b);
    write_file("orgs.csv", "行政区划代码,机构名称,上级行政区划代码\n130528,宁晋县医疗保障局,\n");
    const char *head = "对象类型,名称,统一社会信用代码,医保编码,所属机构,行政区划,信用风险等级\n";
    char text[1024];
    snprintf(text, sizeof text,
             "%s定点医疗机构,宁晋县人民医院,12110000400686291H,H13052800001,130528,130528,B\n"
             "定点零售药店,百姓大药房,9144030071526726XG,P13052800003,130528,130528,C\n"
             "用人单位,另一家公司,91310115MA1K3BTP2B,,130528,130528,D\n",
             head);
    write_file("three.csv", text);
    snprintf(text, sizeof text,
             "%s定点零售药店,百姓大药房,9144030071526726XG,P13052800003,130528,130528,C\n", head);
    write_file("one.csv", text);
    ImportReport rep;
    CHECK_INT(import(a, "orgs", "orgs.csv", &rep), IMPORT_OK);
    /* nobody wrote meanwhile: one pass. (On PostgreSQL the mark is the cluster's snapshot, which
     * any write of the suite's other tests on the shared cluster moves too: a second pass there is
     * correct, only slower, so only SQLite's answer is certain.) */
    if (!t_on_pg()) CHECK_INT(rep.reread, 0);
    import_report_free(&rep);
    /* the target table is empty, so this is a bulk load; b commits one of its rows while it
     * parses: written as parsed, the row would clash; read again, it is unchanged */
    dir_import_test_after_parse(commit_meanwhile, b);
    int rc = import(a, "targets", "three.csv", &rep);
    dir_import_test_after_parse(NULL, NULL);
    CHECK_INT(rc, IMPORT_OK);
    CHECK_INT(rep.reread, 1); /* parsed again under the lock, not written from the stale parse */
    CHECK_INT(rep.inserted, 2);
    CHECK_INT(rep.unchanged + rep.updated, 1);
    for (size_t i = 0; i < rep.nerrors; i++)
        fprintf(stderr, "unexpected: %s\n", rep.errors[i]);
    import_report_free(&rep);
    int64_t n = 0;
    CHECK_INT(db_query_int(a, &n, "SELECT count(*) FROM target", NULL), DB_OK);
    CHECK_INT(n, 3);
    CHECK_INT(hook_calls, 1);
    db_close(a);
    db_close(b);
}

/* Appends an insured person's row with a valid ID number (GB 11643) of sequence number seq. */
static void insured_row(Buf *b, int seq) {
    char id[19];
    t_id_number(id, seq);
    buf_printf(b, "参保人,人员%d,%s,130528,130528,B\n", seq, id);
}

/* A bulk load whose rows do not fit in memory goes through sorted runs in a temporary file and
 * their merge: the same rows, ids in code order, and a duplicate found across runs. */
static void test_bulk_import_in_runs(void) {
    char *err = NULL;
    Db *a = db_open(path, 0, &err);
    CHECK(a);
    CHECK_INT(db_exec(a, "DELETE FROM target", NULL), DB_OK);
    Buf f;
    buf_init(&f);
    buf_puts(&f, "对象类型,名称,身份证号,所属机构,行政区划,信用风险等级\n");
    for (int i = 0; i < 60; i++)
        insured_row(&f, (i * 397) % 1000); /* 60 different numbers in no order */
    write_file("sixty.csv", f.data);
    insured_row(&f, (17 * 397) % 1000); /* line 62 repeats line 19 */
    write_file("dup.csv", f.data);
    buf_free(&f);
    dir_import_test_run_bytes(1); /* every row a run of its own */
    ImportReport rep;
    CHECK_INT(import(a, "targets", "dup.csv", &rep), IMPORT_REJECTED);
    CHECK_INT(rep.total_errors, 1);
    CHECK(rep.nerrors == 1 && strstr(rep.errors[0], "第62行") == rep.errors[0] &&
          strstr(rep.errors[0], "与第19行重复"));
    import_report_free(&rep);
    int64_t n = -1;
    CHECK_INT(db_query_int(a, &n, "SELECT count(*) FROM target", NULL), DB_OK);
    CHECK_INT(n, 0);
    CHECK_INT(import(a, "targets", "sixty.csv", &rep), IMPORT_OK);
    CHECK_INT(rep.inserted, 60);
    import_report_free(&rep);
    dir_import_test_run_bytes(0);
    CHECK_INT(db_query_int(a, &n, "SELECT count(DISTINCT id_number) FROM target", NULL), DB_OK);
    CHECK_INT(n, 60);
    CHECK_INT(db_query_int(a, &n,
                           "SELECT count(*) FROM target x JOIN target y ON y.id = x.id + 1 "
                           "WHERE y.code <= x.code",
                           NULL),
              DB_OK);
    CHECK_INT(n, 0); /* ids follow the codes across runs */
    CHECK_INT(db_query_int(a, &n, "SELECT count(*) FROM target WHERE name = '人员' || ?", "i",
                           (int64_t)((33 * 397) % 1000)),
              DB_OK);
    CHECK_INT(n, 1);
    db_close(a);
}

/* Every column of every target (but updated_at), in id order, as one text ("NULL" for NULL). */
static char *targets_dump(Db *db) {
    Stmt *st = db_prepare(db, "SELECT id, org_id, kind, code, name, id_number, region, address, "
                              "grade, registered_on, complaints, status FROM target ORDER BY id");
    CHECK(st);
    if (!st) return NULL;
    Buf out;
    buf_init(&out);
    while (db_step(st) == DB_ROW) {
        for (int i = 0; i < db_col_count(st); i++)
            buf_printf(&out, "%s|", db_col_is_null(st, i) ? "NULL" : db_col_text(st, i));
        buf_putc(&out, '\n');
    }
    db_finalize(st);
    return buf_steal(&out);
}

/* A row read back from a run of the temporary file is the row that was kept: values of every
 * length (none, empty cell, multi-byte, long) in every field position, the same as when the rows
 * stay in memory. */
static void test_runs_keep_values(void) {
    char *err = NULL;
    Db *a = db_open(path, 0, &err);
    CHECK(a);
    Buf f;
    buf_init(&f);
    buf_puts(&f, "对象类型,名称,身份证号,所属机构,行政区划,信用风险等级,地址,登记日期,投诉次数\n");
    for (int i = 0; i < 40; i++) {
        Buf row;
        buf_init(&row);
        insured_row(&row, (i * 211) % 1000);
        row.data[--row.len] = 0; /* the line without its end */
        buf_puts(&f, row.data);
        buf_free(&row);
        buf_puts(&f, ",");
        for (int c = 0; i % 3 && c < (i * 37) % 300; c++)
            buf_puts(&f, c % 2 ? "街" : "7");
        buf_printf(&f, ",%s,%s\n", i % 4 ? "2020-02-29" : "", i % 5 ? "3" : "");
    }
    write_file("values.csv", f.data);
    buf_free(&f);
    char *dump[2];
    for (int pass = 0; pass < 2; pass++) {
        CHECK_INT(db_exec(a, "DELETE FROM target", NULL), DB_OK);
        dir_import_test_run_bytes(pass ? 0 : 1); /* runs of one row, then all in memory */
        ImportReport rep;
        CHECK_INT(import(a, "targets", "values.csv", &rep), IMPORT_OK);
        CHECK_INT(rep.inserted, 40);
        import_report_free(&rep);
        dump[pass] = targets_dump(a);
    }
    dir_import_test_run_bytes(0);
    CHECK(dump[0] && dump[1] && !strcmp(dump[0], dump[1]));
    CHECK(dump[0] && strstr(dump[0], "|NULL|B|NULL|0|") && strstr(dump[0], "街7街"));
    free(dump[0]);
    free(dump[1]);
    db_close(a);
}

/* An import switches the connection's temporary storage to files and back (db_cache_kib), which
 * drops its TEMP tables: a connection that keeps one (the dashboards' dl_start) makes it again and
 * its cached statements on it still work. */
static void test_import_keeps_connection_usable(void) {
    char *err = NULL;
    Db *a = db_open(path, 0, &err);
    CHECK(a);
    CHECK_INT(db_exec(a, "DELETE FROM target", NULL), DB_OK);
    const char *make = "CREATE TEMP TABLE IF NOT EXISTS t_keep(x INTEGER)";
    CHECK_INT(db_exec(a, make, NULL), DB_OK);
    CHECK_INT(db_exec(a, "INSERT INTO t_keep(x) VALUES (1)", NULL), DB_OK);
    int64_t n = 0;
    CHECK_INT(db_query_int(a, &n, "SELECT count(*) FROM t_keep", NULL), DB_OK);
    CHECK_INT(n, 1);
    ImportReport rep;
    CHECK_INT(import(a, "targets", "sixty.csv", &rep), IMPORT_OK); /* a bulk load */
    CHECK_INT(rep.inserted, 60);
    import_report_free(&rep);
    CHECK_INT(db_exec(a, make, NULL), DB_OK);
    CHECK_INT(db_query_int(a, &n, "SELECT count(*) FROM t_keep", NULL), DB_OK); /* cached */
    CHECK_INT(n, t_on_pg() ? 1 : 0); /* SQLite's temp_store dropped it; PostgreSQL's stays */
    db_close(a);
}

int main(void) {
    if (!mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s/s.db", dir);
    char *err = NULL;
    Db *db = db_open(path, 1, &err);
    if (!db) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    db_close(db);
    RUN(test_commits_mark);
    RUN(test_bulk_import_reads_again);
    RUN(test_bulk_import_in_runs);
    RUN(test_import_keeps_connection_usable);
    RUN(test_runs_keep_values);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) return 1;
    return T_DONE();
}
