/* test_search_side.c - a bulk import's search index built beside the load (db.h's
 * db_search_side_start; SQLite: db_sqlite_search.c) finds what the table holds: names and
 * addresses of every target but insured persons, rows without an address, the index checked
 * against its content by FTS5's 'integrity-check'; the upkeep is back after (a row imported row by
 * row is found); when the side build fails the import still succeeds with an index read from
 * the table; an abandoned side build ends cleanly. On PostgreSQL (no side build) the same searches
 * hold. */
#include "core/util.h"
#include "db/db.h"
#include "db/db_sqlite_search.h"
#include "domain/dir_io.h"
#include "domain/directory.h"
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/spotcheck-test-search-side-XXXXXX";
static char path[256];
static Db *db;

static int import(const char *kind, const char *name) {
    char p[300], *err = NULL;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    ImportReport rep;
    int rc = dir_import(db, dir_kind_find(kind), p, TABLE_ENC_UTF8, "test", 0, NULL, NULL, NULL,
                        NULL, &rep, &err);
    if (rc != IMPORT_OK) {
        fprintf(stderr, "import %s: %s\n", name, err ? err : "");
        for (size_t i = 0; i < rep.nerrors; i++)
            fprintf(stderr, "  %s\n", rep.errors[i]);
    }
    import_report_free(&rep);
    free(err);
    return rc;
}

/* The ids the search index gives for text in names and addresses, ascending, as "1 5 9". */
static char *found(const char *text) {
    static const char *const cols[] = {"name", "address"};
    DbTextSearch ts;
    Buf out;
    buf_init(&out);
    buf_puts(&out, "");
    CHECK_INT(db_text_search(db, "target", "t", cols, 2, text, &ts), DB_OK);
    char *sql = xasprintf("SELECT t.id FROM target t%s WHERE %s ORDER BY t.id", ts.join, ts.where);
    Stmt *st = db_prepare(db, sql);
    free(sql);
    CHECK(st != NULL);
    if (st) {
        db_bind_text(st, 1, ts.bind);
        while (db_step(st) == DB_ROW)
            buf_printf(&out, "%s%lld", out.len ? " " : "", (long long)db_col_int(st, 0));
        db_finalize(st);
    }
    db_text_search_free(&ts);
    return buf_steal(&out);
}

/* The same from the table row by row: targets but insured persons whose name or address holds
 * text. */
static char *truth(const char *text) {
    Buf out;
    buf_init(&out);
    buf_puts(&out, "");
    char *like = db_like_contains(text);
    Stmt *st = db_prepare(db, "SELECT id FROM target WHERE kind <> 'insured' AND (name LIKE ?1 "
                              "ESCAPE '\\' OR address LIKE ?1 ESCAPE '\\') ORDER BY id");
    CHECK(st != NULL);
    if (st) {
        db_bind_text(st, 1, like);
        while (db_step(st) == DB_ROW)
            buf_printf(&out, "%s%lld", out.len ? " " : "", (long long)db_col_int(st, 0));
        db_finalize(st);
    }
    free(like);
    return buf_steal(&out);
}

/* The index answers text as the table does; `some`: it finds at least one row. */
static void same_as_table(const char *text, int some) {
    char *a = found(text), *b = truth(text);
    CHECK_STR(a, b);
    if (some) CHECK(*b != 0);
    if (strcmp(a, b) != 0) fprintf(stderr, "%s: index [%s] table [%s]\n", text, a, b);
    free(a);
    free(b);
}

/* SQLite: FTS5 compares the index with the rows of its content (the view), and the three triggers
 * that keep it are back. */
static void index_checked(void) {
    if (t_on_pg()) {
        t_skip_on_pg("FTS5 integrity-check");
        return;
    }
    CHECK_INT(
        db_exec(db, "INSERT INTO target_search(target_search, rank) VALUES ('integrity-check', 1)",
                NULL),
        DB_OK);
    int64_t n = 0;
    CHECK_INT(db_query_int(db, &n,
                           "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name "
                           "LIKE 'target\\_search\\_%' ESCAPE '\\'",
                           NULL),
              DB_OK);
    CHECK_INT(n, 3);
}

/* Appends an insured person's row with a valid ID number (GB 11643) of sequence number seq. */
static void insured_row(Buf *b, int seq) {
    char id[19];
    t_id_number(id, seq);
    buf_printf(b, "参保人,凤凰人民医院患者%d,,,%s,130528,130528,凤凰路%d号,B\n", seq, id, seq);
}

/* 3,000 targets in a mixed order of kinds: institutions with and without an address, pharmacies,
 * insured persons whose names and addresses hold the same words (not indexed). Enough for an
 * index of several pages (FTS5's _idx table then has rows: a copy without them is caught). */
static void write_targets(const char *name) {
    Buf f;
    buf_init(&f);
    buf_puts(&f, "对象类型,名称,统一社会信用代码,医保编码,身份证号,所属机构,行政区划,地址,"
                 "信用风险等级\n");
    for (int i = 0; i < 1000; i++) {
        buf_printf(
            &f, "定点医疗机构,凤凰人民医院%d,12110000400686291H,H130528%05d,,130528,130528,%s,B\n",
            i, i, i % 3 ? "宁晋县凤凰路一号" : "");
        insured_row(&f, i);
        buf_printf(&f,
                   "定点零售药店,百姓大药房%d,9144030071526726XG,P130528%05d,,130528,130528,城关镇%"
                   "d号,C\n",
                   i, i, i);
    }
    t_write_file(dir, name, f.data);
    buf_free(&f);
}

static void searches(void) {
    same_as_table("凤凰人民医院", 1);
    same_as_table("凤凰路", 1);
    same_as_table("大药房", 1);
    same_as_table("医院患者", 0); /* insured persons only: nothing */
    char *insured = found("医院患者");
    CHECK_STR(insured, "");
    free(insured);
}

/* SQLite: a setting stored with the index (its _config table) outlives the side build's drop and
 * create. */
static void set_automerge(void) {
    if (!t_on_pg())
        CHECK_INT(db_exec(db,
                          "INSERT INTO target_search(target_search, rank) VALUES ('automerge', 7)",
                          NULL),
                  DB_OK);
}
static void automerge_kept(void) {
    if (t_on_pg()) return;
    int64_t v = 0;
    CHECK_INT(
        db_query_int(db, &v, "SELECT v FROM target_search_config WHERE k = 'automerge'", NULL),
        DB_OK);
    CHECK_INT(v, 7);
}

static void test_side_build(void) {
    CHECK_INT(import("orgs", "orgs.csv"), IMPORT_OK);
    write_targets("targets.csv");
    set_automerge();
    dir_import_test_defer_after(3); /* the bulk path's pause, index rebuilds and side build */
    CHECK_INT(import("targets", "targets.csv"), IMPORT_OK);
    dir_import_test_defer_after(0);
    int64_t n = 0;
    CHECK_INT(db_query_int(db, &n, "SELECT count(*) FROM target", NULL), DB_OK);
    CHECK_INT(n, 3000);
    if (!t_on_pg()) { /* several pages: the index's page directory is not empty */
        CHECK_INT(db_query_int(db, &n, "SELECT count(*) FROM target_search_idx", NULL), DB_OK);
        CHECK(n > 1);
    }
    searches();
    index_checked();
    automerge_kept();
    /* the upkeep is back: a row saved row by row (the table is not empty) is found */
    t_write_file(dir, "one.csv",
                 "对象类型,名称,统一社会信用代码,医保编码,所属机构,行政区划,地址\n"
                 "定点医疗机构,凤凰人民医院新院,12110000400686291H,H13052899999,130528,130528,"
                 "新区凤凰路\n");
    CHECK_INT(import("targets", "one.csv"), IMPORT_OK);
    searches();
    char *ids = found("医院新院");
    CHECK(*ids != 0);
    free(ids);
    index_checked();
}

/* The side build fails (how: 1 on its rows, as on a disk error of its scratch file; 2 after the
 * table was dropped and created again): the import still succeeds, its index read from the table
 * as it was. */
static void side_build_fails(int how) {
    CHECK_INT(db_exec(db, "DELETE FROM target_tag", NULL), DB_OK);
    CHECK_INT(db_exec(db, "DELETE FROM target_count", NULL), DB_OK);
    CHECK_INT(db_exec(db, "DELETE FROM target", NULL), DB_OK);
    sq_search_side_test_fail(how);
    dir_import_test_defer_after(3);
    CHECK_INT(import("targets", "targets.csv"), IMPORT_OK);
    dir_import_test_defer_after(0);
    sq_search_side_test_fail(0);
    searches();
    index_checked();
    automerge_kept();
}
static void test_side_build_fails(void) {
    side_build_fails(1);
}
static void test_side_build_fails_half_way(void) {
    side_build_fails(2);
}

/* A side build abandoned (the load rolled back) with more rows handed over than its queue holds:
 * it ends without a hang or a leak (the sanitizer build), and the table's index is untouched. On
 * PostgreSQL there is none. */
static void test_side_abandoned(void) {
    static const char *const cols[] = {"name", "address", NULL};
    char *before = found("凤凰人民医院");
    DbSearchSide *side = db_search_side_start(db, "target", cols);
    if (t_on_pg()) {
        CHECK(side == NULL);
        free(before);
        return;
    }
    CHECK(side != NULL);
    char name[64];
    for (int i = 0; side && i < 100000; i++) {
        snprintf(name, sizeof name, "弃用的名称%d", i);
        const char *v[] = {name, i % 2 ? "某路" : NULL};
        db_search_side_add(side, 1000000 + i, v);
    }
    db_search_side_free(side);
    char *after = found("凤凰人民医院");
    CHECK_STR(after, before);
    free(before);
    free(after);
    index_checked();
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
    t_write_file(dir, "orgs.csv",
                 "行政区划代码,机构名称,上级行政区划代码\n130528,宁晋县医疗保障局,\n");
    RUN(test_side_build);
    RUN(test_side_build_fails);
    RUN(test_side_build_fails_half_way);
    RUN(test_side_abandoned);
    db_close(db);
    t_remove_db(path);
    const char *files[] = {"orgs.csv", "targets.csv", "one.csv"};
    char p[300];
    for (size_t i = 0; i < ARRAY_LEN(files); i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
    return T_DONE();
}
