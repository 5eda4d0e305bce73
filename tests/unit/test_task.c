/* test_task.c - the pure rules of src/domain/task.c: the scheme's state machine and the joint
 * departments' confirmation deadline of 2 working days (003 四(一)) over the real
 * data/holidays.tsv, with fixed dates: holidays and 调休 are skipped, the naming day itself is
 * not counted, and a deadline beyond the data is unknown, never guessed. */
#include "domain/task.h"
#include "core/embed.h"
#include "core/util.h"
#include "db/db.h"
#include "domain/calendar.h"
#include "domain/refdata_store.h"

#include "t.h"

#include <stdlib.h>
#include <unistd.h>

static Calendar *cal;

static void test_scheme_states(void) {
    CHECK_STR(task_scheme_next("草稿", "submit"), "待审批");
    CHECK_STR(task_scheme_next("待审批", "approve"), "已批准");
    CHECK_STR(task_scheme_next("待审批", "return"), "草稿");
    CHECK_STR(task_scheme_next("已批准", "publish"), "已公开");
    CHECK(task_scheme_next("草稿", "publish") == NULL); /* no publication without approval */
    CHECK(task_scheme_next("草稿", "approve") == NULL);
    CHECK(task_scheme_next("已公开", "submit") == NULL); /* published is final */
    CHECK(task_scheme_next(NULL, "submit") == NULL);
}

static void test_joint_deadline(void) {
    char out[11] = "";
    /* named on Tue 2025-09-30: 10-01..10-08 National Day, so the 2nd working day is Fri 10-10 */
    CHECK_INT(task_joint_deadline(cal, "2025-09-30", out), CAL_OK);
    CHECK_STR(out, "2025-10-10");
    /* named on a Friday: Mon and Tue of the next week */
    CHECK_INT(task_joint_deadline(cal, "2025-06-06", out), CAL_OK);
    CHECK_STR(out, "2025-06-10");
    /* named on Fri 2025-05-30 before the Dragon Boat holiday (05-31..06-02) */
    CHECK_INT(task_joint_deadline(cal, "2025-05-30", out), CAL_OK);
    CHECK_STR(out, "2025-06-04");
    /* named on a Saturday that is a 调休 working day (2025-09-28 is Sunday 上班): not counted */
    CHECK_INT(task_joint_deadline(cal, "2025-09-28", out), CAL_OK);
    CHECK_STR(out, "2025-09-30");
    /* the year after the notices: provisional (元旦 off, no 调休 guessed) */
    CHECK_INT(task_joint_deadline(cal, "2026-12-30", out), CAL_PROVISIONAL);
    CHECK_STR(out, "2027-01-04");
    /* beyond the lunar table: unknown, out untouched */
    strcpy(out, "x");
    CHECK_INT(task_joint_deadline(cal, "2050-12-30", out), CAL_UNKNOWN);
    CHECK_STR(out, "x");
    CHECK_INT(task_joint_deadline(NULL, "2025-06-06", out), CAL_UNKNOWN);
    CHECK_INT(task_joint_deadline(cal, "2025-02-30", out), CAL_INVALID);
}

static void test_joint_state(void) {
    CHECK_STR(task_joint_state("待确认", "2025-10-10", NULL, "2025-10-10"),
              "待确认"); /* the last day counts */
    CHECK_STR(task_joint_state("待确认", "2025-10-10", NULL, "2025-10-11"), "已逾期");
    CHECK_STR(task_joint_state("已确认", "2025-10-10", "2025-10-10", "2025-12-01"), "已确认");
    CHECK_STR(task_joint_state("已确认", "2025-10-10", "2025-10-13", "2025-12-01"), "逾期确认");
    CHECK_STR(task_joint_state("待确认", NULL, NULL, "2025-10-11"), "待确认（期限未知）");
}

/* per-grade ratios of the scheme (差异化抽查): exact percentages 0%..100% the draw engine accepts
 */
static void test_grade_ratio(void) {
    static const char *const ok[] = {"0%",   "1%",   "3%",    "10%",    "30%",
                                     "100%", "0.5%", "2.25%", "100.0%", "0.000000000000001%"};
    static const char *const bad[] = {"",
                                      "%",
                                      "5",
                                      "0.05",
                                      "-1%",
                                      "101%",
                                      "100.01%",
                                      "1.%",
                                      ".5%",
                                      "1e1%",
                                      "5 %",
                                      " 5%",
                                      "0.0000000000000001%",
                                      "1,5%",
                                      "五%",
                                      "12345678901234567.5%"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        CHECK(task_grade_ratio_valid(ok[i]));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(!task_grade_ratio_valid(bad[i]));
    CHECK(!task_grade_ratio_valid(NULL));
    CHECK_STR(task_grades[0], "A");
    CHECK_STR(task_grades[3], "D");
}

/* The calendar follows the holidays set of the database: a new year loaded with
 * `spotcheck refdata load holidays` is used without a new build; a bad file is refused and
 * changes nothing; without the set, the built-in file. */
static void test_calendar_from_database(void) {
    char path[] = "/tmp/spotcheck-test-cal-XXXXXX";
    close(mkstemp(path));
    char *err = NULL;
    Db *db = db_open(path, 1, &err);
    CHECK(db != NULL);
    if (!db) return;
    Calendar *c = task_calendar_load(db, &err); /* no set in the database yet: built-in */
    CHECK(c && calendar_last_year(c) == calendar_last_year(cal));
    calendar_free(c);
    const EmbeddedFile *f = embed_find("data/holidays.tsv");
    /* the built-in years and a next year (made up here: only 1/1 and 10/1 off) */
    Buf next;
    buf_init(&next);
    int y = calendar_last_year(cal) + 1;
    buf_append(&next, (const char *)f->data, f->len);
    buf_printf(&next, "%d-01-01\t放假\t元旦\n%d-10-01\t放假\t国庆节\n", y, y);
    CHECK_INT(refdata_store_load(db, "holidays", next.data, next.len, "test", "tester", &err),
              DB_OK);
    c = task_calendar_load(db, &err);
    CHECK(c && calendar_last_year(c) == y);
    char day[24], out[11];
    snprintf(day, sizeof day, "%d-01-01", y);
    CHECK(c && calendar_is_workday(c, day) == 0);
    snprintf(day, sizeof day, "%d-12-24", y - 1);
    CHECK(c &&
          calendar_add_workdays(c, day, 20, out) == CAL_OK); /* across the new year: now exact */
    CHECK(calendar_add_workdays(cal, day, 20, out) ==
          CAL_PROVISIONAL); /* the built-in file: 预计 */
    calendar_free(c);
    /* a weekday 上班 line breaks the calendar's rules: refused, the loaded set stays */
    buf_printf(&next, "%d-11-03\t上班\t\n", y);
    free(err);
    err = NULL;
    CHECK_INT(refdata_store_load(db, "holidays", next.data, next.len, "test", "tester", &err),
              DB_ERR);
    CHECK(err && strstr(err, "holidays") != NULL);
    c = task_calendar_load(db, &err);
    CHECK(c && calendar_last_year(c) == y);
    calendar_free(c);
    buf_free(&next);
    free(err);
    db_close(db);
    t_remove_db(path);
}

int main(void) {
    char *err = NULL;
    cal = task_calendar_load(NULL, &err);
    if (!cal) {
        fprintf(stderr, "calendar: %s\n", err ? err : "?");
        free(err);
        return 1;
    }
    RUN(test_scheme_states);
    RUN(test_joint_deadline);
    RUN(test_joint_state);
    RUN(test_grade_ratio);
    RUN(test_calendar_from_database);
    calendar_free(cal);
    return T_DONE();
}
