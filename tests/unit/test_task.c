/* test_task.c - the pure rules of src/domain/task.c: the scheme's state machine and the joint
 * departments' confirmation deadline of 2 working days (003 四(一)) over the real
 * data/holidays.tsv, with fixed dates: holidays and 调休 are skipped, the naming day itself is
 * not counted, and a deadline beyond the data is unknown, never guessed. */
#include "domain/task.h"
#include "core/util.h"

#include "t.h"

#include <stdlib.h>

static Calendar *cal;

static void test_scheme_states(void) {
    CHECK_STR(task_scheme_next("草稿", "submit"), "待审批");
    CHECK_STR(task_scheme_next("待审批", "approve"), "已批准");
    CHECK_STR(task_scheme_next("待审批", "return"), "草稿");
    CHECK_STR(task_scheme_next("已批准", "publish"), "已公开");
    CHECK(task_scheme_next("草稿", "publish") == NULL);  /* no publication without approval */
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
    /* the year after the data: unknown, out untouched */
    strcpy(out, "x");
    CHECK_INT(task_joint_deadline(cal, "2026-12-30", out), CAL_UNKNOWN);
    CHECK_STR(out, "x");
    CHECK_INT(task_joint_deadline(NULL, "2025-06-06", out), CAL_UNKNOWN);
    CHECK_INT(task_joint_deadline(cal, "2025-02-30", out), CAL_INVALID);
}

static void test_joint_state(void) {
    CHECK_STR(task_joint_state("待确认", "2025-10-10", NULL, "2025-10-10"), "待确认"); /* the last day counts */
    CHECK_STR(task_joint_state("待确认", "2025-10-10", NULL, "2025-10-11"), "已逾期");
    CHECK_STR(task_joint_state("已确认", "2025-10-10", "2025-10-10", "2025-12-01"), "已确认");
    CHECK_STR(task_joint_state("已确认", "2025-10-10", "2025-10-13", "2025-12-01"), "逾期确认");
    CHECK_STR(task_joint_state("待确认", NULL, NULL, "2025-10-11"), "待确认（期限未知）");
}

int main(void) {
    char *err = NULL;
    cal = task_calendar_load(&err);
    if (!cal) {
        fprintf(stderr, "calendar: %s\n", err ? err : "?");
        free(err);
        return 1;
    }
    RUN(test_scheme_states);
    RUN(test_joint_deadline);
    RUN(test_joint_state);
    calendar_free(cal);
    return T_DONE();
}
