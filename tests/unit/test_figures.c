/* test_figures.c - the pure rules of src/domain/figures.c: ratio text and goal comparison at
 * their edges (zero denominators never give a fake 0% or 100%; truncation, not rounding, so a
 * shown value at the goal means met), the credit-grading rule over draw params and records, and
 * what counts as a finding. The database side is covered by tests/web/test_figures.py. */
#include "domain/figures.h"

#include "t.h"

#include <jansson.h>

static void test_ratio_text(void) {
    char b[32];
    figures_ratio_text(0, 0, b);
    CHECK_STR(b, "—");
    figures_ratio_text(5, 0, b);
    CHECK_STR(b, "—");
    figures_ratio_text(1, -1, b);
    CHECK_STR(b, "—");
    figures_ratio_text(0, 7, b);
    CHECK_STR(b, "0.0%");
    figures_ratio_text(3, 3, b);
    CHECK_STR(b, "100.0%");
    figures_ratio_text(2, 3, b); /* 66.666…: truncated */
    CHECK_STR(b, "66.6%");
    figures_ratio_text(1, 3, b);
    CHECK_STR(b, "33.3%");
    figures_ratio_text(5999, 10000, b); /* 59.99%: must not show 60.0% */
    CHECK_STR(b, "59.9%");
    figures_ratio_text(INT64_MAX, INT64_MAX, b); /* no overflow */
    CHECK_STR(b, "100.0%");
    figures_ratio_text(4, 3, b); /* more than the whole (a target counted twice): shown as is */
    CHECK_STR(b, "133.3%");
}

static void test_goal_met(void) {
    CHECK_INT(figures_goal_met(0, 0, 60, 100), -1); /* no denominator: unknown */
    CHECK_INT(figures_goal_met(3, 5, 60, 100), 1);  /* exactly 60% */
    CHECK_INT(figures_goal_met(5999, 10000, 60, 100), 0);
    CHECK_INT(figures_goal_met(1, 2, 50, 100), 1);
    CHECK_INT(figures_goal_met(0, 1, 0, 1), 1);
    CHECK_INT(figures_goal_met(1, 1, 1, 0), -1); /* no goal */
    CHECK_INT(figures_goal_met(9, 10, 90, 100), 1);
    CHECK_INT(figures_goal_met(8, 9, 90, 100), 0);
    /* a plan ratio with many decimals: 0.5% = 5/1000 */
    CHECK_INT(figures_goal_met(1, 200, 5, 1000), 1);
    CHECK_INT(figures_goal_met(1, 201, 5, 1000), 0);
    CHECK_INT(figures_goal_met(INT64_MAX, INT64_MAX, UINT64_MAX / 2, UINT64_MAX / 2),
              1); /* no overflow */
}

static int graded(const char *params, const char *record) {
    json_t *p = json_loads(params, 0, NULL), *r = record ? json_loads(record, 0, NULL) : NULL;
    const char *why = NULL;
    int g = figures_draw_graded(p, r, &why);
    if (g) CHECK(why != NULL);
    json_decref(p);
    json_decref(r);
    return g;
}

static void test_draw_graded(void) {
    /* what task_draw_params writes today: one ratio for every grade — stratified, not graded */
    CHECK_INT(graded("{\"ratios\":{\"*\":\"10%\"}}",
                     "{\"strata\":[{\"stratum\":\"A\",\"ratio\":\"10%\",\"minimum\":0},{"
                     "\"stratum\":\"D\",\"ratio\":\"10%\","
                     "\"minimum\":0}]}"),
              0);
    /* grade-specific ratios applied */
    CHECK_INT(graded("{\"ratios\":{\"*\":\"3%\",\"D\":\"30%\"}}",
                     "{\"strata\":[{\"stratum\":\"A\",\"ratio\":\"3%\",\"minimum\":0},{\"stratum\":"
                     "\"D\",\"ratio\":\"30%\","
                     "\"minimum\":0}]}"),
              1);
    /* equal values written differently are not a difference */
    CHECK_INT(graded("{\"ratios\":{\"A\":\"3%\",\"B\":\"0.03\"}}",
                     "{\"strata\":[{\"stratum\":\"A\",\"ratio\":\"3%\",\"minimum\":0},{\"stratum\":"
                     "\"B\",\"ratio\":\"0.03\","
                     "\"minimum\":0}]}"),
              0);
    /* same ratio, grade-specific minimum */
    CHECK_INT(graded("{\"ratios\":{\"*\":\"3%\"},\"minimum\":{\"D\":2}}",
                     "{\"strata\":[{\"stratum\":\"B\",\"ratio\":\"3%\",\"minimum\":0},{\"stratum\":"
                     "\"D\",\"ratio\":\"3%\","
                     "\"minimum\":2}]}"),
              1);
    /* a single grade in the population: nothing was differentiated */
    CHECK_INT(graded("{\"ratios\":{\"*\":\"3%\",\"D\":\"30%\"}}",
                     "{\"strata\":[{\"stratum\":\"B\",\"ratio\":\"3%\",\"minimum\":0}]}"),
              0);
    /* strata by kind only: the grade plays no part, even when ratios differ */
    CHECK_INT(
        graded("{\"strata\":[\"kind\"],\"ratios\":{\"institution\":\"5%\",\"pharmacy\":\"10%\"}}",
               "{\"strata\":[{\"stratum\":\"institution\",\"ratio\":\"5%\",\"minimum\":0},{"
               "\"stratum\":\"pharmacy\","
               "\"ratio\":\"10%\",\"minimum\":0}]}"),
        0);
    /* kind/grade: differences by kind alone do not count, by grade within a kind do */
    CHECK_INT(graded("{\"strata\":[\"kind\",\"grade\"],\"ratios\":{\"institution\":\"5%\","
                     "\"pharmacy\":\"10%\"}}",
                     "{\"strata\":[{\"stratum\":\"institution/"
                     "A\",\"ratio\":\"5%\",\"minimum\":0},{\"stratum\":\"pharmacy/B\","
                     "\"ratio\":\"10%\",\"minimum\":0}]}"),
              0);
    CHECK_INT(
        graded(
            "{\"strata\":[\"kind\",\"grade\"],\"ratios\":{\"*\":\"5%\",\"institution/D\":\"20%\"}}",
            "{\"strata\":[{\"stratum\":\"institution/"
            "A\",\"ratio\":\"5%\",\"minimum\":0},{\"stratum\":\"institution/D\","
            "\"ratio\":\"20%\",\"minimum\":0}]}"),
        1);
    /* filtered to risk grades */
    CHECK_INT(graded("{\"ratios\":{\"*\":\"10%\"},\"filters\":{\"grades\":[\"C\",\"D\"]}}", NULL),
              1);
    CHECK_INT(
        graded("{\"ratios\":{\"*\":\"10%\"},\"filters\":{\"grades\":[\"A\",\"B\",\"C\",\"D\"]}}",
               NULL),
        0);
    /* nothing known */
    CHECK_INT(figures_draw_graded(NULL, NULL, NULL), 0);
}

int main(void) {
    RUN(test_ratio_text);
    RUN(test_goal_met);
    RUN(test_draw_graded);
    return T_DONE();
}
