/* test_deadline.c - the pure part of src/domain/deadline.c over the real data/holidays.tsv:
 * deadlines counted in working days across holidays and 调休, the states at their boundaries
 * (due today, one day over, done on the deadline, done a day later), unknown beyond the calendar
 * data (never guessed), and the views over a clock list (counts, reminders, overdue per officer
 * and per dept). */
#include "core/util.h"
#include "domain/deadline.h"
#include "domain/task.h"

#include "t.h"

#include <stdlib.h>

static Calendar *cal;

static void test_deadlines_over_holidays(void) {
    DlClock c;
    /* Fri 2025-09-26: Sun 09-28 is a 调休 working day, 10-01..10-08 National Day, Sat 10-11 上班 */
    CHECK_INT(deadline_eval(cal, "2025-09-26", 7, NULL, "2025-09-26", &c), CAL_OK);
    CHECK_STR(c.deadline, "2025-10-13");
    CHECK_INT(c.state, DL_PENDING);
    CHECK_INT(c.days, 7);
    CHECK_STR(c.label, "未到期 剩余7个工作日");
    /* Fri 2026-02-13: Sat 02-14 上班, Spring Festival 02-15..02-23, Sat 02-28 上班 */
    CHECK_INT(deadline_eval(cal, "2026-02-13", 20, NULL, "2026-02-13", &c), CAL_OK);
    CHECK_STR(c.deadline, "2026-03-19");
    CHECK_INT(c.provisional, 0);
    /* a start in 2027, a year without the State Council notice: counted with the statutory
     * holidays, provisional (预计) */
    CHECK_INT(deadline_eval(cal, "2027-01-04", 20, NULL, "2026-06-01", &c), CAL_OK);
    CHECK_INT(c.state, DL_PENDING);
    CHECK_STR(c.deadline, "2027-02-01");
    CHECK_INT(c.provisional, 1);
    CHECK_STR(c.label, "未到期 预计剩余169个工作日");
    /* late December 2026 + 20 runs into 2027 (元旦 off) */
    CHECK_INT(deadline_eval(cal, "2026-12-20", 20, NULL, "2026-12-21", &c), CAL_OK);
    CHECK_STR(c.deadline, "2027-01-18");
    CHECK_INT(c.provisional, 1);
    /* the case: checked on 2027-01-20, seen on 2027-02-17 and after */
    deadline_eval(cal, "2027-01-20", 20, NULL, "2027-02-17", &c);
    CHECK_STR(c.deadline, "2027-02-19");
    CHECK_INT(c.state, DL_DUE_SOON);
    CHECK_INT(c.days, 2);
    CHECK_STR(c.label, "预计即将到期 剩余2个工作日");
    deadline_eval(cal, "2027-01-20", 20, NULL, "2027-02-19", &c);
    CHECK_STR(c.label, "预计今日到期");
    deadline_eval(cal, "2027-01-20", 20, NULL, "2027-02-23", &c);
    CHECK_INT(c.state, DL_OVERDUE);
    CHECK_STR(c.label, "预计逾期 2个工作日");
    deadline_eval(cal, "2027-01-20", 20, "2027-02-22", "2027-03-01", &c);
    CHECK_STR(c.label, "预计逾期完成（晚1个工作日）");
    char text[128];
    CHECK_STR(deadline_text(c.deadline, c.provisional, text, sizeof text),
              "预计 2027-02-19（按法定节假日推算，国务院放假通知载入后确定）");
    CHECK_STR(deadline_text("2026-03-19", 0, text, sizeof text), "2026-03-19");
    CHECK_STR(deadline_text("", 1, text, sizeof text), "期限未知");
    /* beyond the lunar table (2050): unknown, never guessed */
    CHECK_INT(deadline_eval(cal, "2050-12-20", 20, NULL, "2026-06-01", &c), CAL_OK);
    CHECK_INT(c.state, DL_UNKNOWN);
    CHECK_STR(c.deadline, "");
    CHECK_STR(c.label, "期限未知");
    /* no start at all */
    CHECK_INT(deadline_eval(cal, NULL, 20, NULL, "2026-06-01", &c), CAL_OK);
    CHECK_INT(c.state, DL_UNKNOWN);
    /* bad dates */
    CHECK_INT(deadline_eval(cal, "2025-02-30", 20, NULL, "2026-06-01", &c), CAL_INVALID);
    CHECK_INT(c.state, DL_UNKNOWN);
    CHECK_INT(deadline_eval(cal, "2025-02-03", 20, NULL, "2026-6-1", &c), CAL_INVALID);
}

static void test_states_at_boundaries(void) {
    DlClock c;
    /* deadline 2025-10-13 (Mon) */
    deadline_eval(cal, "2025-09-26", 7, NULL, "2025-10-13", &c);
    CHECK_INT(c.state, DL_DUE_TODAY);
    CHECK_STR(c.label, "今日到期");
    deadline_eval(cal, "2025-09-26", 7, NULL, "2025-10-14", &c);
    CHECK_INT(c.state, DL_OVERDUE);
    CHECK_INT(c.days, 1);
    CHECK_STR(c.label, "已逾期 1个工作日");
    /* three working days left (Thu 10-09 → Fri, Sat 上班, Mon): due soon; four: not yet */
    deadline_eval(cal, "2025-09-26", 7, NULL, "2025-10-09", &c);
    CHECK_INT(c.state, DL_DUE_SOON);
    CHECK_INT(c.days, 3);
    CHECK_STR(c.label, "即将到期 剩余3个工作日");
    /* 09-30 → 10-09, 10-10, 10-11, 10-13: four working days over the holiday */
    deadline_eval(cal, "2025-09-26", 7, NULL, "2025-09-30", &c);
    CHECK_INT(c.state, DL_PENDING);
    CHECK_INT(c.days, 4);
    /* during the holiday: 10-05 → 4 working days left */
    deadline_eval(cal, "2025-09-26", 7, NULL, "2025-10-05", &c);
    CHECK_INT(c.state, DL_PENDING);
    /* done on the deadline: on time; done a day later: late, whatever today is */
    deadline_eval(cal, "2025-09-26", 7, "2025-10-13", "2026-01-05", &c);
    CHECK_INT(c.state, DL_DONE_ON_TIME);
    CHECK_STR(c.label, "按时完成");
    deadline_eval(cal, "2025-09-26", 7, "2025-10-14", "2026-01-05", &c);
    CHECK_INT(c.state, DL_DONE_LATE);
    CHECK_INT(c.days, 1);
    CHECK_STR(deadline_state_name(c.state), "逾期完成");
    deadline_eval(cal, "2025-09-26", 7, "2025-09-29", "2025-09-29", &c);
    CHECK_INT(c.state, DL_DONE_ON_TIME);
    /* overdue across the Spring Festival: deadline Fri 2026-02-13 (from 2026-02-12 + 1) */
    deadline_eval(cal, "2026-02-12", 1, NULL, "2026-02-24", &c);
    CHECK_STR(c.deadline, "2026-02-13");
    CHECK_INT(c.state, DL_OVERDUE);
    CHECK_INT(c.days, 2); /* Sat 02-14 上班 and Tue 02-24 */
    /* over a weekend right after the deadline: overdue, 0 working days counted */
    deadline_eval(cal, "2025-06-05", 1, NULL, "2025-06-07", &c);
    CHECK_INT(c.state, DL_OVERDUE);
    CHECK_INT(c.days, 0);
    CHECK_STR(c.label, "已逾期");
    /* today in a provisional year: an exact deadline, overdue by a provisional count */
    deadline_eval(cal, "2026-12-01", 5, NULL, "2027-02-01", &c);
    CHECK_INT(c.state, DL_OVERDUE);
    CHECK_INT(c.provisional, 0);
    CHECK_INT(c.days, 38);
    /* today beyond the calendar: still overdue by date, count unknown */
    deadline_eval(cal, "2026-12-01", 5, NULL, "2051-02-01", &c);
    CHECK_INT(c.state, DL_OVERDUE);
    CHECK_INT(c.days, -1);
    CHECK_STR(c.label, "已逾期");
}

static void test_fixed_date(void) {
    DlClock c;
    /* rectification: the deadline is the date as set, even a weekend day or one beyond the data */
    deadline_eval(cal, "2026-03-21", 0, NULL, "2026-03-20", &c);
    CHECK_STR(c.deadline, "2026-03-21");
    CHECK_INT(c.state, DL_DUE_SOON);
    deadline_eval(cal, "2026-03-21", 0, "2026-03-21", "2026-04-01", &c);
    CHECK_INT(c.state, DL_DONE_ON_TIME);
    deadline_eval(cal, "2051-03-01", 0, NULL, "2026-06-01", &c);
    CHECK_STR(c.deadline, "2051-03-01");
    CHECK_INT(c.state, DL_PENDING);
    CHECK_INT(c.days, -1);
    CHECK_STR(c.label, "未到期（剩余工作日未知）");
    /* a fixed date is never provisional itself */
    deadline_eval(cal, "2027-03-01", 0, NULL, "2026-06-01", &c);
    CHECK_INT(c.provisional, 0);
    CHECK_INT(c.days, 187);
}

static void test_month_end_and_names(void) {
    char out[11];
    CHECK_INT(deadline_month_end("2025-10", out), CAL_OK);
    CHECK_STR(out, "2025-10-31");
    CHECK_INT(deadline_month_end("2024-02", out), CAL_OK);
    CHECK_STR(out, "2024-02-29");
    CHECK_INT(deadline_month_end("2025-02", out), CAL_OK);
    CHECK_STR(out, "2025-02-28");
    CHECK_INT(deadline_month_end("2025-13", out), CAL_INVALID);
    CHECK_INT(deadline_month_end("2025-1", out), CAL_INVALID);
    CHECK_INT(deadline_month_end(NULL, out), CAL_INVALID);
    CHECK_INT(deadline_kind_parse("entry"), DL_ENTRY);
    CHECK_INT(deadline_kind_parse("nope"), -1);
    CHECK_INT(deadline_state_parse("overdue"), DL_OVERDUE);
    CHECK_STR(deadline_state_name(DL_DUE_TODAY), "今日到期");
    CHECK_INT(deadline_kind_days(DL_JOINT), TASK_JOINT_DAYS);
    CHECK_INT(deadline_kind_days(DL_PENALTY), 7);
}

static json_t *clock(const char *kind, const char *state, const char *cert, const char *name,
                     int dept) {
    json_t *off = json_array(), *depts = json_array();
    if (cert)
        json_array_append_new(off, json_pack("{s:s, s:s, s:s, s:s}", "cert_no", cert, "name", name,
                                             "role", "组长", "dept", "基金监管股"));
    json_array_append_new(depts, json_pack("{s:i, s:s}", "id", dept, "name",
                                           dept == 1 ? "基金监管股" : "市场监管局"));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "kind", kind, "kind_label",
                     deadline_kind_label((DlKind)deadline_kind_parse(kind)), "state", state,
                     "task_code", "T1", "subject", "x", "org_name", "宁晋县医疗保障局", "officers",
                     off, "depts", depts);
}

static void test_views(void) {
    json_t *cl = json_array();
    json_array_append_new(cl, clock("entry", "overdue", "YB001", "王执法", 1));
    json_array_append_new(cl, clock("entry", "overdue", "YB001", "王执法", 1));
    json_array_append_new(cl, clock("entry", "overdue", "YB003", "李执法", 1));
    json_array_append_new(cl, clock("publish", "overdue", NULL, NULL, 1));
    json_array_append_new(cl, clock("joint", "overdue", NULL, NULL, 2));
    json_array_append_new(cl, clock("entry", "due_today", "YB001", "王执法", 1));
    json_array_append_new(cl, clock("followup", "due_soon", NULL, NULL, 1));
    json_array_append_new(cl, clock("rectify", "done_on_time", NULL, NULL, 1));

    json_t *counts = deadline_counts(cl);
    CHECK_INT(json_integer_value(json_object_get(counts, "total")), 8);
    json_t *entry = json_array_get(json_object_get(counts, "kinds"), DL_ENTRY);
    CHECK_STR(json_string_value(json_object_get(entry, "code")), "entry");
    CHECK_INT(json_integer_value(json_object_get(entry, "total")), 4);
    CHECK_INT(json_integer_value(json_object_get(
                  json_array_get(json_object_get(entry, "counts"), DL_OVERDUE), "n")),
              3);
    CHECK_INT(json_integer_value(json_object_get(
                  json_array_get(json_object_get(counts, "totals"), DL_OVERDUE), "n")),
              5);
    json_decref(counts);

    json_t *rem = deadline_reminders(cl);
    CHECK_INT(json_integer_value(json_object_get(rem, "today_count")), 1);
    CHECK_INT(json_integer_value(json_object_get(rem, "soon_count")), 1);
    CHECK_INT(json_integer_value(json_object_get(rem, "overdue_count")), 5);
    json_decref(rem);

    json_t *by = deadline_overdue_by(cl, "officer");
    CHECK_INT(json_array_size(by), 2);
    CHECK_STR(json_string_value(json_object_get(json_array_get(by, 0), "cert_no")), "YB001");
    CHECK_INT(json_integer_value(json_object_get(json_array_get(by, 0), "count")), 2);
    CHECK_STR(json_string_value(json_object_get(json_array_get(by, 0), "kinds")), "检查结果录入 2");
    CHECK_STR(json_string_value(json_object_get(json_array_get(by, 1), "cert_no")), "YB003");
    json_decref(by);

    by = deadline_overdue_by(cl, "dept");
    CHECK_INT(json_array_size(by), 2);
    CHECK_STR(json_string_value(json_object_get(json_array_get(by, 0), "name")), "基金监管股");
    CHECK_INT(json_integer_value(json_object_get(json_array_get(by, 0), "count")), 4);
    CHECK_STR(json_string_value(json_object_get(json_array_get(by, 0), "kinds")),
              "检查结果录入 3、检查结果公示 1");
    CHECK_INT(json_integer_value(json_object_get(json_array_get(by, 1), "count")), 1);
    json_decref(by);

    CHECK(deadline_overdue_by(cl, "nobody") == NULL);
    json_decref(cl);
}

int main(void) {
    char *err = NULL;
    cal = task_calendar_load(NULL, &err);
    if (!cal) {
        fprintf(stderr, "calendar: %s\n", err ? err : "?");
        free(err);
        return 1;
    }
    RUN(test_deadlines_over_holidays);
    RUN(test_states_at_boundaries);
    RUN(test_fixed_date);
    RUN(test_month_end_and_names);
    RUN(test_views);
    calendar_free(cal);
    return T_DONE();
}
