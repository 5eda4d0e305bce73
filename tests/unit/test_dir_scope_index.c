/* test_dir_scope_index.c - a county's directory list in a province (issue 18, sql/059 and
 * dir_query.c's add_list_scope): the list of a county whose targets come after 100,000 rows of
 * another county starts at its own rows, and so does its city's; counted by the rows the
 * connection's statements read (db_rows_work: SQLite's VM steps, PostgreSQL's rows and index
 * entries returned), never by time. Before sql/059 the county's first page read the 100,000 rows
 * of the other county and skipped them. A city whose rows lie before and after the others is
 * counted through the org index. Also: the pages still hold the right rows in id order for
 * the county, the city, the province and the last page. Runs on both drivers. */
#include "core/util.h"
#include "db/db.h"
#include "domain/dir_query.h"
#include "domain/directory.h"
#include "t.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/spotcheck-test-dir-scope-XXXXXX";
static char path[256];
static Db *db;

enum { EARLY = 100000, LATE = 300, AFTER = 10 };
/* far below the EARLY rows a list would skip without the org index (each costs at least one) */
#define WORK_MAX 20000

static int64_t province, city_a, county_a, city_b, county_b1, county_b2, city_c, county_c;

static int64_t add_org(const char *code, int64_t parent) {
    CHECK_INT(db_exec(db, "INSERT INTO org(code, name, parent_id) VALUES (?, ?, nullif(?, 0))",
                      "tti", code, code, parent),
              DB_OK);
    int64_t id = 0;
    CHECK_INT(db_query_int(db, &id, "SELECT id FROM org WHERE code = ?", "t", code), DB_OK);
    return id;
}

/* n insured persons of org (codes prefix1…prefixN: no text index row, as most of a province);
 * returns the first one's id. */
static int64_t add_targets(int64_t org, const char *prefix, int n) {
    /* without the per-row upkeep of target_count (sql/058; not read here), which on PostgreSQL
     * updates one row 100,000 times in the transaction */
    char *saved = NULL;
    CHECK_INT(db_begin(db), DB_OK);
    CHECK_INT(db_triggers_pause(db, "target", "target_count_", &saved), DB_OK);
    CHECK_INT(db_exec(db,
                      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
                      "INSERT INTO target(org_id, kind, code, name, id_number, region) "
                      "SELECT ?, 'insured', ? || i, '张三', ? || i, '130000' FROM n",
                      "iitt", (int64_t)n, org, prefix, prefix),
              DB_OK);
    CHECK_INT(db_triggers_resume(db, saved), DB_OK);
    CHECK_INT(db_commit(db), DB_OK);
    int64_t id = 0;
    char *first = xasprintf("%s1", prefix);
    CHECK_INT(db_query_int(db, &id, "SELECT id FROM target WHERE code = ?", "t", first), DB_OK);
    free(first);
    return id;
}

/* One list page as an account of org, and the work the connection did for it (*work). */
static json_t *list_as(int64_t org, int last, int64_t *work) {
    Actor who = {.username = "staff", .org_id = org};
    DirQuery q = {0};
    q.last = last;
    int64_t a = -1, b = -1;
    CHECK_INT(db_begin(db), DB_OK);
    CHECK_INT(db_rows_work(db, &a), DB_OK);
    json_t *out = dir_list(db, &who, dir_kind_find("targets"), &q, 0);
    CHECK_INT(db_rows_work(db, &b), DB_OK);
    CHECK_INT(db_rollback(db), DB_OK);
    *work = b - a;
    CHECK(out != NULL);
    return out ? out : json_object();
}

static long long row_id(json_t *list, size_t i) {
    return json_integer_value(
        json_object_get(json_array_get(json_object_get(list, "rows"), i), "id"));
}
static size_t rows_of(json_t *list) {
    return json_array_size(json_object_get(list, "rows"));
}
static long long total_of(json_t *list) {
    return json_integer_value(json_object_get(list, "total"));
}

/* The list read fewer rows than it would skip without the org index (named on failure). */
static void check_work(const char *what, int64_t work) {
    if (work <= 0 || work >= WORK_MAX) fprintf(stderr, "%s: work %lld\n", what, (long long)work);
    CHECK(work > 0 && work < WORK_MAX);
}

static void test_late_county_and_city(void) {
    province = add_org("130000", 0);
    city_a = add_org("130100", province);
    county_a = add_org("130102", city_a);
    city_b = add_org("130200", province);
    county_b1 = add_org("130202", city_b);
    county_b2 = add_org("130203", city_b);
    city_c = add_org("130300", province);
    county_c = add_org("130302", city_c);
    /* city C: rows before and after all the others (its walk in id order spans the table) */
    int64_t first_c = add_targets(county_c, "E", 2 * DIR_PAGE_SIZE);
    int64_t first_a = add_targets(county_a, "A", EARLY);
    int64_t first_b1 = add_targets(county_b1, "B", LATE);
    int64_t first_b2 = add_targets(county_b2, "C", LATE);
    int64_t first_after = add_targets(county_a, "D", AFTER); /* county A again, after city B */
    add_targets(county_c, "F", DIR_PAGE_SIZE);
    db_optimize(db); /* the planner's statistics, as after an import (dir_io.c) */
    CHECK(first_b1 > first_a + EARLY - 1);

    int64_t work = 0;
    json_t *l = list_as(county_b1, 0, &work);
    CHECK_INT(rows_of(l), DIR_PAGE_SIZE);
    CHECK_INT(row_id(l, 0), first_b1);
    CHECK_INT(row_id(l, DIR_PAGE_SIZE - 1), first_b1 + DIR_PAGE_SIZE - 1);
    CHECK_INT(total_of(l), LATE);
    check_work("late county's first page", work);
    json_decref(l);

    l = list_as(county_b2, 1, &work); /* its last page: the last rows, in id order */
    CHECK_INT(rows_of(l), DIR_PAGE_SIZE);
    CHECK_INT(row_id(l, DIR_PAGE_SIZE - 1), first_b2 + LATE - 1);
    CHECK_INT(row_id(l, 0), first_b2 + LATE - DIR_PAGE_SIZE);
    check_work("late county's last page", work);
    json_decref(l);

    l = list_as(city_b, 0, &work); /* both counties of the late city, from the first's first row */
    CHECK_INT(rows_of(l), DIR_PAGE_SIZE);
    CHECK_INT(row_id(l, 0), first_b1);
    CHECK_INT(total_of(l), 2 * LATE);
    check_work("late city's first page", work);
    json_decref(l);

    l = list_as(city_b, 1, &work);
    CHECK_INT(row_id(l, rows_of(l) - 1), first_b2 + LATE - 1);
    check_work("late city's last page", work);
    json_decref(l);

    /* the early county and city: their rows after the late city's are on their last page */
    l = list_as(county_a, 1, &work);
    CHECK_INT(rows_of(l), DIR_PAGE_SIZE);
    CHECK_INT(row_id(l, DIR_PAGE_SIZE - 1), first_after + AFTER - 1);
    CHECK_INT(row_id(l, DIR_PAGE_SIZE - AFTER), first_after);
    CHECK_INT(row_id(l, DIR_PAGE_SIZE - AFTER - 1), first_a + EARLY - 1);
    json_decref(l);
    l = list_as(city_a, 1, &work);
    CHECK_INT(row_id(l, rows_of(l) - 1), first_after + AFTER - 1);
    json_decref(l);
    l = list_as(city_a, 0, &work);
    CHECK_INT(row_id(l, 0), first_a);
    CHECK_INT(total_of(l), DIR_COUNT_CAP);
    json_decref(l);

    /* city C's first page is at the start; its total is counted through the org index, not by a
     * walk to its last row */
    l = list_as(city_c, 0, &work);
    CHECK_INT(rows_of(l), DIR_PAGE_SIZE);
    CHECK_INT(row_id(l, 0), first_c);
    CHECK_INT(total_of(l), 3 * DIR_PAGE_SIZE);
    check_work("spread city's first page", work);
    json_decref(l);

    /* the province: every row from the first */
    l = list_as(province, 0, &work);
    CHECK_INT(rows_of(l), DIR_PAGE_SIZE);
    CHECK_INT(row_id(l, 0), first_c);
    CHECK_INT(total_of(l), DIR_COUNT_CAP);
    json_decref(l);

    /* a county with no row, and an org that does not exist: empty lists */
    int64_t empty = add_org("130204", city_b);
    l = list_as(empty, 0, &work);
    CHECK_INT(rows_of(l), 0);
    json_decref(l);
    l = list_as(999999, 0, &work);
    CHECK_INT(rows_of(l), 0);
    json_decref(l);
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
    RUN(test_late_county_and_city);
    db_close(db);
    t_remove_db(path);
    rmdir(dir);
    return T_DONE();
}
