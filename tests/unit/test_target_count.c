/* test_target_count.c - target_count (sql/058), the targets per org, kind, grade and status kept by
 * triggers, equals a full count of target after every kind of change: a bulk import, an import
 * row by row, a rejected import (rolled back), a credit grade adjustment, a status change, a move
 * to another org, a change of kind and a removal; and the home page's counts (dir_summary) and
 * grade list read it. Runs on both drivers (tests/pg.list). */
#include "core/util.h"
#include "db/db.h"
#include "domain/credit.h"
#include "domain/dir_edit.h"
#include "domain/dir_io.h"
#include "domain/dir_summary.h"
#include "domain/directory.h"
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/spotcheck-test-target-count-XXXXXX";
static char path[256];
static Db *db;
static int64_t city, county; /* org ids: the county lies below the city */

static void write_file(const char *name, const char *text) {
    t_write_file(dir, name, text);
}

/* Imports the file `name` of the scratch directory as the console (the upload page's and `spotcheck
 * import`'s unit of work, audited). */
static int import(const char *kind, const char *name, ImportReport *rep) {
    char file[300], *err = NULL;
    snprintf(file, sizeof file, "%s/%s", dir, name);
    Actor console = {.username = "cli", .org_id = 0};
    int rc = dir_import_as(db, &console, dir_kind_find(kind), file, TABLE_ENC_UTF8, NULL, NULL, rep,
                           &err);
    if (rc == IMPORT_FAILED) fprintf(stderr, "import %s: %s\n", name, err ? err : "?");
    free(err);
    return rc;
}

/* The rows of a (org, kind, grade, status, n) query as text, one line each; n = 0 left out. */
static char *rows_text(const char *sql) {
    Stmt *st = db_prepare(db, sql);
    CHECK(st != NULL);
    if (!st) return xstrdup("");
    Buf b;
    buf_init(&b);
    buf_puts(&b, "");
    while (db_step(st) == DB_ROW)
        if (db_col_int(st, 4) != 0)
            buf_printf(&b, "%lld %s %s %s %lld\n", (long long)db_col_int(st, 0), db_col_text(st, 1),
                       db_col_text(st, 2), db_col_text(st, 3), (long long)db_col_int(st, 4));
    db_finalize(st);
    return buf_steal(&b);
}

/* The kept counts equal a full count of target; returns the number of targets counted. */
static int64_t counts_match(const char *when) {
    char *kept = rows_text("SELECT org_id, kind, grade, status, n FROM target_count "
                           "ORDER BY org_id, kind, grade, status"),
         *full = rows_text("SELECT org_id, kind, grade, status, count(*) FROM target "
                           "GROUP BY org_id, kind, grade, status ORDER BY org_id, kind, grade, "
                           "status");
    if (strcmp(kept, full) != 0) fprintf(stderr, "%s:\nkept:\n%sfull:\n%s", when, kept, full);
    CHECK_STR(kept, full);
    free(kept);
    free(full);
    int64_t n = -1;
    CHECK_INT(db_query_int(db, &n, "SELECT coalesce(sum(n), 0) FROM target_count", NULL), DB_OK);
    return n;
}

/* The id of the org (org != 0) or target with this code. */
static int64_t id_of(int org, const char *code) {
    int64_t id = 0;
    CHECK_INT(db_query_int(db, &id,
                           org ? "SELECT id FROM org WHERE code = ?"
                               : "SELECT id FROM target WHERE code = ?",
                           "t", code),
              DB_OK);
    return id;
}
#define org_id(code) id_of(1, (code))
#define target_id(code) id_of(0, (code))

static const char *const head =
    "对象类型,名称,统一社会信用代码,医保编码,所属机构,行政区划,信用风险等级\n";

static void test_imports(void) {
    ImportReport rep;
    write_file("orgs.csv", "行政区划代码,机构名称,上级行政区划代码\n130500,邢台市医疗保障局,\n"
                           "130528,宁晋县医疗保障局,130500\n");
    CHECK_INT(import("orgs", "orgs.csv", &rep), IMPORT_OK);
    import_report_free(&rep);
    city = org_id("130500"), county = org_id("130528");
    CHECK_INT(counts_match("empty"), 0);
    char text[2048];
    snprintf(text, sizeof text,
             "%s定点医疗机构,宁晋县人民医院,12110000400686291H,H13052800001,130528,130528,B\n"
             "定点医疗机构,宁晋县中医院,12110000400686291H,H13052800002,130528,130528,\n"
             "定点零售药店,百姓大药房,9144030071526726XG,P13052800003,130528,130528,C\n"
             "定点零售药店,城区大药房,9144030071526726XG,P13050000004,130500,130500,C\n"
             "用人单位,一家公司,91310115MA1K3BTP2B,,130528,130528,D\n",
             head);
    write_file("five.csv", text);
    /* an empty table: the bulk path, which from 3 rows on pauses the count triggers and tallies
     * the rows it inserts (bulk_tally): an empty grade cell and the file without a status column
     * count under the defaults */
    dir_import_test_defer_after(3);
    CHECK_INT(import("targets", "five.csv", &rep), IMPORT_OK);
    dir_import_test_defer_after(0);
    CHECK_INT(rep.inserted, 5);
    import_report_free(&rep);
    CHECK_INT(counts_match("after the bulk import"), 5);
    int64_t n = 0;
    CHECK_INT(db_query_int(db, &n,
                           "SELECT n FROM target_count WHERE org_id = ? AND kind = 'institution' "
                           "AND grade = 'B' AND status = '正常'",
                           "i", county),
              DB_OK);
    CHECK_INT(n, 2);
    snprintf(text, sizeof text,
             "%s定点医疗机构,宁晋县人民医院,12110000400686291H,H13052800001,130528,130528,B\n"
             "定点医疗机构,县妇幼保健院,12110000400686291H,H13052800005,130528,130528,B\n"
             "定点零售药店,市区药房,9144030071526726XG,P13050000007,130500,130500,B\n",
             head);
    write_file("more.csv", text);
    CHECK_INT(import("targets", "more.csv", &rep), IMPORT_OK); /* row by row */
    CHECK_INT(rep.inserted, 2);
    for (size_t i = 0; i < rep.nerrors; i++)
        fprintf(stderr, "unexpected: %s\n", rep.errors[i]);
    import_report_free(&rep);
    CHECK_INT(counts_match("after the row import"), 7);
    snprintf(text, sizeof text,
             "%s定点医疗机构,新医院,12110000400686291H,H13052800006,130528,130528,B\n"
             "定点医疗机构,坏行,12110000400686291H,H1305,130528,130528,Z\n",
             head);
    write_file("bad.csv", text);
    CHECK_INT(import("targets", "bad.csv", &rep), IMPORT_REJECTED); /* nothing written */
    import_report_free(&rep);
    CHECK_INT(counts_match("after the rejected import"), 7);
}

static void test_changes(void) {
    Actor who = {.username = "staff", .org_id = 0};
    json_t *errors = json_object();
    char *err = NULL;
    int64_t hospital = target_id("H13052800001");
    CHECK_INT(credit_grade_adjust(db, &who, hospital, "D", "年度信用评价", "冀医保〔2026〕1号",
                                  errors, &err),
              CREDIT_OK);
    json_decref(errors);
    free(err);
    err = NULL;
    CHECK_INT(counts_match("after a grade adjustment"), 7);
    Actor county_staff = {.username = "staff", .org_id = county};
    CHECK_INT(dir_edit_status(db, &county_staff, dir_kind_find("targets"),
                              target_id("P13052800003"), "注销", "停业", &err),
              DIR_EDIT_OK);
    if (err) fprintf(stderr, "status: %s\n", err);
    free(err);
    CHECK_INT(counts_match("after a status change"), 7);
    CHECK_INT(
        db_exec(db, "UPDATE target SET org_id = ? WHERE code = ?", "it", city, "H13052800002"),
        DB_OK); /* moved to the city */
    CHECK_INT(
        db_exec(db, "UPDATE target SET kind = 'pharmacy' WHERE code = ?", "t", "H13052800005"),
        DB_OK);
    CHECK_INT(db_exec(db, "UPDATE target SET name = '改名' WHERE code = ?", "t", "P13050000004"),
              DB_OK); /* no counted column: the counts stay */
    CHECK_INT(counts_match("after a move and a change of kind"), 7);
    CHECK_INT(db_exec(db, "DELETE FROM target WHERE code = ?", "t", "P13050000004"), DB_OK);
    CHECK_INT(counts_match("after a removal"), 6);
}

static void test_summary_reads_the_counts(void) {
    DirSummary d;
    dir_summary(db, county, "2026-05-20", &d);
    CHECK_INT(d.institutions, 1); /* the hospital; its sister moved to the city */
    CHECK_INT(d.pharmacies, 2); /* 百姓大药房 (注销 still counted) and the 妇幼保健院 */
    CHECK_INT(d.employers, 1);
    CHECK_INT(d.insured, 0);
    dir_summary(db, city, "2026-05-20", &d); /* the city sees the county's too */
    CHECK_INT(d.institutions, 2);
    CHECK_INT(d.pharmacies, 3);
    CHECK_INT(d.employers, 1);
    json_t *g = dir_summary_grades(db, county);
    char *s = json_dumps(g, JSON_COMPACT);
    CHECK_STR(s, "[{\"grade\":\"B\",\"count\":1},{\"grade\":\"C\",\"count\":1},"
                 "{\"grade\":\"D\",\"count\":2}]");
    free(s);
    json_decref(g);
}

int main(void) {
    if (!mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s/t.db", dir);
    char *err = NULL;
    db = db_open(path, 1, &err);
    if (!db) {
        fprintf(stderr, "db_open: %s\n", err ? err : "?");
        return 1;
    }
    RUN(test_imports);
    RUN(test_changes);
    RUN(test_summary_reads_the_counts);
    db_close(db);
    t_remove_db(path);
    char p[300];
    const char *files[] = {"orgs.csv", "five.csv", "more.csv", "bad.csv"};
    for (size_t i = 0; i < ARRAY_LEN(files); i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
    return T_DONE();
}
