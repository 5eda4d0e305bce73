/* test_clock.c - the one clock (src/core/clock.c): SPOTCHECK_TODAY in both forms, the bureau's
 * time zone, refused settings, and how stored timestamps are shown. */
#include "core/clock.h"
#include "core/util.h"
#include "t.h"

#include <stdlib.h>
#include <time.h>

/* Sets the two settings (NULL unsets) and runs clock_init; returns its result. */
static int init_with(const char *today, const char *tz) {
    if (today)
        setenv("SPOTCHECK_TODAY", today, 1);
    else
        unsetenv("SPOTCHECK_TODAY");
    if (tz)
        setenv("SPOTCHECK_TZ", tz, 1);
    else
        unsetenv("SPOTCHECK_TZ");
    char *err = NULL;
    int rc = clock_init(&err);
    free(err);
    return rc;
}

static void test_override_parse(void) {
    struct tm tm;
    int has_time = -1;
    CHECK_INT(clock_parse_override("2027-02-17", &tm, &has_time), 0);
    CHECK_INT(has_time, 0);
    CHECK_INT(tm.tm_year, 127);
    CHECK_INT(tm.tm_mon, 1);
    CHECK_INT(tm.tm_mday, 17);
    CHECK_INT(clock_parse_override("2026-12-31T23:58", &tm, &has_time), 0);
    CHECK_INT(has_time, 1);
    CHECK_INT(tm.tm_hour, 23);
    CHECK_INT(tm.tm_min, 58);
    const char *bad[] = {"",
                         "2027-02-30",
                         "2027-2-17",
                         "2027-02-17 08:00",
                         "2027-02-17T24:00",
                         "2027-02-17T08:60",
                         "2027-02-17T8:00",
                         "2027-02-17T08:00:00",
                         "tomorrow",
                         "2027-02-17x"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        if (clock_parse_override(bad[i], &tm, &has_time) == 0)
            fprintf(stderr, "  accepted %s\n", bad[i]);
        CHECK_INT(clock_parse_override(bad[i], &tm, &has_time), -1);
    }
}

static void test_pinned_day(void) {
    CHECK_INT(init_with("2027-02-17", NULL), 0);
    char today[11], now[CLOCK_NOW_LEN + 1];
    clock_today(today);
    clock_now(now);
    CHECK_STR(today, "2027-02-17");
    CHECK(strncmp(now, "2027-02-17 ", 11) == 0);
    CHECK_INT(strlen(now), 19);
    CHECK_STR(clock_zone(), "Asia/Shanghai");
    /* the epoch agrees with the pinned day in the bureau's zone (UTC+8) */
    long long e = clock_epoch();
    CHECK(e >= 1802822400LL - 8 * 3600 && e < 1802822400LL + 16 * 3600); /* 2027-02-17 00:00 UTC */
    CHECK(strncmp(clock_stamp().s, "2027-02-17 ", 11) == 0);
}

static void test_start_at(void) {
    CHECK_INT(init_with("2026-12-31T23:58", "Asia/Shanghai"), 0);
    char now[CLOCK_NOW_LEN + 1];
    clock_now(now);
    /* the clock starts at 23:58 and runs on: within the test it is still that minute or the next */
    CHECK(strncmp(now, "2026-12-31 23:5", 15) == 0);
    CHECK(now[15] == '8' || now[15] == '9');
    /* 2026-12-31 23:58 in UTC+8 is 15:58 UTC */
    long long e = clock_epoch();
    CHECK(e >= 1798732680LL && e < 1798732680LL + 120);
}

static void test_zone(void) {
    CHECK_INT(init_with("2027-01-01T07:30", "UTC"), 0);
    char today[11];
    clock_today(today);
    CHECK_STR(today, "2027-01-01");
    char shown[17];
    /* an old UTC audit time is shown in the zone in force */
    CHECK_INT(clock_display("2026-12-31T23:10:00Z", shown), 1);
    CHECK_STR(shown, "2026-12-31 23:10");
    CHECK_INT(init_with(NULL, "CST-8"), 0);
    CHECK_INT(clock_display("2026-12-31T23:10:00Z", shown), 1);
    CHECK_STR(shown, "2027-01-01 07:10");
    CHECK_INT(init_with(NULL, "PRC"), 0);
    CHECK_INT(clock_display("2026-12-31T16:00:00Z", shown), 1);
    CHECK_STR(shown, "2027-01-01 00:00");
    /* refused settings */
    CHECK_INT(init_with(NULL, "Mars/Olympus"), -1);
    CHECK_INT(init_with(NULL, "../../etc/passwd"), -1);
    CHECK_INT(init_with(NULL, "X"), -1);
    CHECK_INT(init_with("2027-13-01", NULL), -1);
    char *err = NULL;
    setenv("SPOTCHECK_TODAY", "next monday", 1);
    CHECK_INT(clock_init(&err), -1);
    CHECK(err && strstr(err, "SPOTCHECK_TODAY") && strstr(err, "YYYY-MM-DD"));
    free(err);
    CHECK_INT(init_with(NULL, NULL), 0);
}

static void test_wall(void) {
    CHECK_INT(init_with(NULL, "UTC"), 0);
    char today[11], expect[11];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(expect, sizeof expect, "%Y-%m-%d", &tm);
    clock_today(today);
    /* unless the test runs across midnight */
    CHECK(!strcmp(today, expect) || time(NULL) / 86400 != t / 86400);
    CHECK(clock_epoch() - (long long)t < 5);
    CHECK_INT(init_with(NULL, NULL), 0);
}

/* clock_travel moves the clock to a time from where it runs on, and puts back the clock
 * clock_init set; a bad time leaves it as it was. */
static void test_travel(void) {
    CHECK_INT(init_with("2027-02-17", NULL), 0);
    CHECK_INT(clock_travel("2027-01-05 09:00"), 0);
    char now[CLOCK_NOW_LEN + 1], today[11];
    clock_now(now);
    CHECK(strncmp(now, "2027-01-05 09:0", 15) == 0);
    CHECK_INT(clock_overridden(), 1);
    CHECK_INT(clock_travel("2027-01-06 16:30"), 0); /* again, from the moved clock */
    clock_today(today);
    CHECK_STR(today, "2027-01-06");
    CHECK_INT(clock_travel("2027-01-06T16:30"), -1);
    CHECK_INT(clock_travel("2027-02-30 10:00"), -1);
    CHECK_INT(clock_travel("2027-01-06"), -1);
    clock_today(today);
    CHECK_STR(today, "2027-01-06");
    CHECK_INT(clock_travel(NULL), 0);
    clock_today(today);
    CHECK_STR(today, "2027-02-17"); /* the pinned day again */
    CHECK_INT(init_with(NULL, NULL), 0);
    CHECK_INT(clock_travel("2030-03-01 08:00"), 0);
    clock_today(today);
    CHECK_STR(today, "2030-03-01");
    CHECK_INT(clock_travel(NULL), 0);
    CHECK_INT(clock_overridden(), 0); /* the wall clock again */
}

static void test_display(void) {
    char shown[17] = "";
    CHECK_INT(clock_display("2026-12-06 08:52:13", shown), 1);
    CHECK_STR(shown, "2026-12-06 08:52");
    CHECK_INT(clock_display("2026-12-06T08:52:13", shown), 1);
    CHECK_STR(shown, "2026-12-06 08:52");
    CHECK_INT(init_with(NULL, "Asia/Shanghai"), 0);
    CHECK_INT(clock_display("2026-12-06T00:52:13Z", shown), 1);
    CHECK_STR(shown, "2026-12-06 08:52");
    const char * not [] = {NULL,
                           "",
                           "2026-12-06",
                           "2026-12-06 08:52",
                           "2026-13-06 08:52:13",
                           "2026-12-06 25:00:00",
                           "2026-12-06x08:52:13",
                           "2026-12-06 08:52:13Z",
                           "注意 2026-12-06 08:52:13",
                           "2026-12-06 08:52:13 "};
    for (size_t i = 0; i < ARRAY_LEN(not ); i++) {
        strcpy(shown, "unchanged");
        CHECK_INT(clock_display(not [i], shown), 0);
        CHECK_STR(shown, "unchanged");
    }
}

int main(void) {
    RUN(test_override_parse);
    RUN(test_pinned_day);
    RUN(test_start_at);
    RUN(test_zone);
    RUN(test_wall);
    RUN(test_travel);
    RUN(test_display);
    return T_DONE();
}
