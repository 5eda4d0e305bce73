/* test_calendar.c - the working-day calendar (src/domain/calendar.c) over the real
 * data/holidays.tsv: the legal facts, yearly counts, 调休, year boundaries, unknown beyond the
 * data, malformed files, and an exhaustive property check over every day of 2024-2026. */
#include "domain/calendar.h"
#include "core/embed.h"
#include "core/util.h"

#include "t.h"

#include <stdlib.h>

static Calendar *cal;
static char *cal_text;
static size_t cal_len;

/* Independent date stepping for the tests (does not use the module's day numbers). */
static int month_days(int y, int m) {
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return md[m - 1] + (m == 2 && leap);
}

static void step_day(char d[11], int dir) {
    int y = atoi(d), m = atoi(d + 5), day = atoi(d + 8);
    day += dir;
    if (day > month_days(y, m)) {
        day = 1;
        if (++m > 12) m = 1, y++;
    } else if (day < 1) {
        if (--m < 1) m = 12, y--;
        day = month_days(y, m);
    }
    snprintf(d, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)day % 100u);
}

static void load(void) {
    const char *root = getenv("SPOTCHECK_ROOT");
    char *path = xasprintf("%s/data/holidays.tsv", root ? root : ".");
    char *err = NULL;
    cal_text = file_read_all(path, &cal_len, &err);
    if (!cal_text) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    free(path);
    cal = calendar_parse(cal_text, cal_len, &err);
    if (!cal) {
        fprintf(stderr, "data/holidays.tsv: %s\n", err);
        exit(1);
    }
}

static void test_embedded_copy(void) {
    /* the binary carries the same file, for installations without a data directory */
    const EmbeddedFile *f = embed_find("data/holidays.tsv");
    CHECK(f != NULL);
    if (!f) return;
    CHECK_INT(f->len, cal_len);
    CHECK(f->len == cal_len && memcmp(f->data, cal_text, cal_len) == 0);
}

static void check_add(const char *from, int n, int want_rc, const char *want) {
    char out[11] = "unchanged";
    int rc = calendar_add_workdays(cal, from, n, out);
    if (rc != want_rc) fprintf(stderr, "  %s %+d: rc %d, expected %d\n", from, n, rc, want_rc);
    CHECK_INT(rc, want_rc);
    CHECK_STR(out, want_rc == CAL_OK ? want : "unchanged");
}

static void test_legal_facts(void) {
    check_add("2025-09-26", 7, CAL_OK, "2025-10-13");
    check_add("2026-02-13", 20, CAL_OK, "2026-03-19");
    int n = 0;
    CHECK_INT(calendar_workdays_between(cal, "2025-09-26", "2025-10-13", &n), CAL_OK);
    CHECK_INT(n, 7);
    CHECK_INT(calendar_workdays_between(cal, "2026-02-13", "2026-03-19", &n), CAL_OK);
    CHECK_INT(n, 20);
    CHECK_INT(calendar_workdays_between(cal, "2025-10-13", "2025-09-26", &n), CAL_OK);
    CHECK_INT(n, -7);
}

static void test_year_counts(void) {
    CHECK_INT(calendar_first_year(cal), 2024);
    CHECK_INT(calendar_last_year(cal), 2026);
    const int years[] = {2024, 2025, 2026}, want[] = {251, 248, 248};
    for (int k = 0; k < 3; k++) {
        /* count day by day ... */
        char d[11];
        snprintf(d, sizeof d, "%04u-01-01", (unsigned)years[k] % 10000u);
        int count = 0, days = 0;
        while (atoi(d) == years[k]) {
            int w = calendar_is_workday(cal, d);
            CHECK(w == 0 || w == 1);
            count += w == 1;
            days++;
            step_day(d, 1);
        }
        CHECK_INT(days, years[k] == 2024 ? 366 : 365);
        CHECK_INT(count, want[k]);
        /* ... and with the interval count: (Dec 31 of the year before, Dec 31] */
        char a[11], b[11];
        snprintf(a, sizeof a, "%04u-12-31", (unsigned)(years[k] - 1) % 10000u);
        snprintf(b, sizeof b, "%04u-12-31", (unsigned)years[k] % 10000u);
        int n = -1;
        CHECK_INT(calendar_workdays_between(cal, a, b, &n), CAL_OK);
        CHECK_INT(n, want[k]);
    }
}

static void check_kind(const char *d, int want, const char *want_name) {
    const char *name = NULL;
    int k = calendar_day_kind(cal, d, &name);
    if (k != want) fprintf(stderr, "  %s: kind %d, expected %d\n", d, k, want);
    CHECK_INT(k, want);
    if (want_name) CHECK_STR(name, want_name);
}

static void test_day_kinds(void) {
    check_kind("2025-07-01", CAL_WORKDAY, ""); /* an ordinary Tuesday */
    check_kind("2025-07-05", CAL_WEEKEND, ""); /* an ordinary Saturday */
    check_kind("2025-10-01", CAL_HOLIDAY, "国庆节、中秋节");
    check_kind("2025-10-04", CAL_HOLIDAY, NULL);                /* a Saturday inside the holiday */
    check_kind("2025-06-02", CAL_HOLIDAY, "端午节");            /* a Monday holiday */
    check_kind("2025-09-28", CAL_ADJUSTED_WORKDAY, "调休上班"); /* a Sunday worked */
    check_kind("2025-10-11", CAL_ADJUSTED_WORKDAY, NULL);       /* a Saturday worked */
    check_kind("2025-10-12", CAL_WEEKEND, NULL);
    check_kind("2024-02-04", CAL_ADJUSTED_WORKDAY, NULL);
    check_kind("2024-02-18", CAL_ADJUSTED_WORKDAY, NULL);
    check_kind("2024-06-10", CAL_HOLIDAY, "端午节");
    check_kind("2026-01-04", CAL_ADJUSTED_WORKDAY, NULL);
    check_kind("2026-02-23", CAL_HOLIDAY, "春节");
    check_kind("2026-02-28", CAL_ADJUSTED_WORKDAY, NULL);
    check_kind("2026-12-31", CAL_WORKDAY, NULL);
    check_kind("2023-12-31", CAL_UNKNOWN, NULL);
    check_kind("2027-01-01", CAL_UNKNOWN, NULL);
    check_kind("2025-02-29", CAL_INVALID, NULL);
    check_kind("2025-1-1", CAL_INVALID, NULL);
    check_kind("", CAL_INVALID, NULL);
    CHECK_INT(calendar_day_kind(cal, NULL, NULL), CAL_INVALID);
    CHECK_INT(calendar_is_workday(cal, "2025-09-28"), 1);
    CHECK_INT(calendar_is_workday(cal, "2025-10-08"), 0);
    CHECK_INT(calendar_is_workday(cal, "2025-10-09"), 1);
    CHECK_INT(calendar_is_workday(cal, "2027-03-01"), CAL_UNKNOWN);
    CHECK_INT(calendar_is_workday(cal, "2025-13-01"), CAL_INVALID);
}

static void test_boundaries(void) {
    check_add("2024-12-31", 1, CAL_OK, "2025-01-02"); /* 元旦 skipped */
    check_add("2025-12-31", 1, CAL_OK, "2026-01-04"); /* Sunday 调休上班 after 1/1-1/3 */
    check_add("2025-12-31", 2, CAL_OK, "2026-01-05");
    check_add("2025-01-24", 1, CAL_OK, "2025-01-26"); /* Fri → Sun 调休 */
    check_add("2025-01-27", 1, CAL_OK, "2025-02-05"); /* across 春节 */
    check_add("2026-12-30", 1, CAL_OK, "2026-12-31");
    check_add("2026-12-30", 2, CAL_UNKNOWN, NULL); /* would need 2027 */
    check_add("2026-12-31", 1, CAL_UNKNOWN, NULL);
    check_add("2027-03-01", 5, CAL_UNKNOWN, NULL);
    check_add("2023-12-31", 1, CAL_OK, "2024-01-02"); /* only the days after X are needed */
    check_add("2023-06-01", 1, CAL_UNKNOWN, NULL);    /* before the data: unknown */
    check_add("2024-01-02", -1, CAL_UNKNOWN, NULL);   /* 1/1 off, 2023 unknown */
    check_add("2025-10-09", -1, CAL_OK, "2025-09-30");
    check_add("2025-10-13", -7, CAL_OK, "2025-09-26");
    check_add("2025-10-04", 0, CAL_OK, "2025-10-04");
    check_add("2030-01-01", 0, CAL_OK, "2030-01-01");
    check_add("2025-02-30", 1, CAL_INVALID, NULL);
    check_add("20250101", 1, CAL_INVALID, NULL);
    check_add("2025-01-01", 100001, CAL_INVALID, NULL);
    check_add("2025-01-01", -100001, CAL_INVALID, NULL);
    check_add("2025-01-01", 100000, CAL_UNKNOWN, NULL);
    int n = 99;
    CHECK_INT(calendar_workdays_between(cal, "2025-10-01", "2025-10-01", &n), CAL_OK);
    CHECK_INT(n, 0);
    CHECK_INT(calendar_workdays_between(cal, "2025-10-01", "2025-10-08", &n), CAL_OK);
    CHECK_INT(n, 0);
    CHECK_INT(calendar_workdays_between(cal, "2025-10-08", "2025-10-09", &n), CAL_OK);
    CHECK_INT(n, 1);
    n = 99;
    CHECK_INT(calendar_workdays_between(cal, "2026-12-01", "2027-01-04", &n), CAL_UNKNOWN);
    CHECK_INT(calendar_workdays_between(cal, "2027-01-04", "2026-12-01", &n), CAL_UNKNOWN);
    CHECK_INT(calendar_workdays_between(cal, "2023-12-30", "2024-01-05", &n), CAL_UNKNOWN);
    CHECK_INT(n, 99);
    CHECK_INT(calendar_workdays_between(cal, "2023-12-31", "2024-01-05", &n), CAL_OK);
    CHECK_INT(n, 4);
    CHECK_INT(calendar_workdays_between(cal, "2025-10-01", "bad", &n), CAL_INVALID);
}

/* Every day x from 2023-12-31 to 2026-12-31 and several n: the result is a working day strictly
 * after x with exactly n working days in (x, result], counted here from is_workday day by day;
 * UNKNOWN exactly when fewer than n working days remain in the data. The same backwards for -n
 * (|n| working days in [result, x)). */
#define NDAYS 1097 /* 2023-12-31 .. 2026-12-31 */
static void test_exhaustive(void) {
    static const int ns[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12,  13,  14,
                             15, 16, 17, 18, 19, 20, 21, 25, 30, 40, 60, 100, 250, 500};
    static char day[NDAYS][11];
    static int work[NDAYS];
    memcpy(day[0], "2023-12-31", 11);
    for (int i = 1; i < NDAYS; i++) {
        memcpy(day[i], day[i - 1], 11);
        step_day(day[i], 1);
    }
    CHECK_STR(day[NDAYS - 1], "2026-12-31");
    work[0] = 0; /* 2023-12-31 is outside the data: never counted */
    for (int i = 1; i < NDAYS; i++)
        work[i] = calendar_is_workday(cal, day[i]) == 1;

    int failures = 0, checked = 0, unknown = 0;
    for (int x = 0; x < NDAYS; x++) {
        int after = 0, before = 0;
        for (int i = x + 1; i < NDAYS; i++)
            after += work[i];
        for (int i = 1; i < x; i++)
            before += work[i];
        for (size_t k = 0; k < ARRAY_LEN(ns); k++) {
            for (int dir = 1; dir >= -1; dir -= 2) {
                int n = ns[k] * dir, avail = dir > 0 ? after : before;
                char r[11];
                int rc = calendar_add_workdays(cal, day[x], n, r);
                checked++;
                if (rc == CAL_UNKNOWN) {
                    unknown++;
                    if (avail >= ns[k] && failures++ < 5)
                        fprintf(stderr, "  %s %+d: unknown, %d available\n", day[x], n, avail);
                    continue;
                }
                if (rc != CAL_OK || avail < ns[k]) {
                    if (failures++ < 5) fprintf(stderr, "  %s %+d: rc %d\n", day[x], n, rc);
                    continue;
                }
                /* find r strictly after (or before) x, counting working days on the way */
                int count = 0, j = x, found = 0;
                if (dir > 0) {
                    while (++j < NDAYS) {
                        count += work[j];
                        if (strcmp(day[j], r) == 0) {
                            found = 1;
                            break;
                        }
                    }
                } else {
                    while (--j >= 1) {
                        count += work[j];
                        if (strcmp(day[j], r) == 0) {
                            found = 1;
                            break;
                        }
                    }
                }
                int between = 0;
                int ok = found && work[j] && count == ns[k] &&
                         calendar_workdays_between(cal, day[x], r, &between) == CAL_OK &&
                         between == (dir > 0 ? ns[k] : -(ns[k] - work[j] + work[x]));
                if (!ok && failures++ < 5)
                    fprintf(stderr, "  %s %+d -> %s (found %d, count %d, between %d)\n", day[x], n,
                            r, found, count, between);
            }
        }
    }
    CHECK_INT(failures, 0);
    CHECK(checked > 60000);
    CHECK(unknown > 0);
}

static Calendar *parse_str(const char *s, char **err) {
    return calendar_parse(s, strlen(s), err);
}

#define HDR "date\tkind\tname\n"
#define Y2025_MIN "2025-01-01\t放假\t元旦\n2025-10-01\t放假\t国庆节\n"

static void test_parse_errors(void) {
    char *err = NULL;
    Calendar *c = parse_str(HDR Y2025_MIN, &err);
    CHECK(c != NULL);
    if (c) {
        CHECK_INT(calendar_first_year(c), 2025);
        CHECK_INT(calendar_last_year(c), 2025);
        char out[11];
        CHECK_INT(calendar_add_workdays(c, "2024-12-31", 1, out), CAL_OK);
        CHECK_STR(out, "2025-01-02");
    }
    calendar_free(c);

    CHECK(parse_str(HDR "# c\n2025-01-01\t放假\t元旦\n2025-02-30\t放假\t\n"
                        "2025-10-01\t休息\t\n2025-09-29\t上班\t\n2025-10-01\t放假\t国庆节\n"
                        "2025-10-01\t放假\t国庆节\n",
                    &err) == NULL);
    CHECK_STR(err, "第4行: 日期“2025-02-30”无效，应为 YYYY-MM-DD\n"
                   "第5行: 类型“休息”无效，应为“放假”或“上班”\n"
                   "第6行: 2025-09-29 是星期一，调休上班日应在周六或周日\n"
                   "第8行: 日期 2025-10-01 重复（已在第7行）");

    /* malformed lines are reported before any date logic */
    CHECK(parse_str(HDR "2025-01-01\t放假\t元旦\n2025-10-02\t放假\n", &err) == NULL);
    CHECK_STR(err, "第3行: 应有3列（以TAB分隔），实有2列");
    CHECK(parse_str("日期\t类型\t说明\n" Y2025_MIN, &err) == NULL);
    CHECK_STR(err, "第1行: 表头应为“date<TAB>kind<TAB>name”");
    CHECK(parse_str(HDR, &err) == NULL);
    CHECK_STR(err, "文件中没有任何日期");
    CHECK(parse_str("", &err) == NULL);
    CHECK_STR(err, "第1行: 缺少表头行");

    /* gaps and incomplete years */
    CHECK(parse_str(HDR "2024-01-01\t放假\t\n2024-10-01\t放假\t\n2026-01-01\t放假\t\n"
                        "2026-10-01\t放假\t\n",
                    &err) == NULL);
    CHECK_STR(err, "缺少2025年的数据（各年须连续，每年须完整列出当年安排）");
    CHECK(parse_str(HDR Y2025_MIN "2026-02-14\t上班\t\n", &err) == NULL);
    CHECK_STR(err, "2026年缺少1月1日（元旦）的放假记录，该年数据不完整\n"
                   "2026年缺少10月1日（国庆节）的放假记录，该年数据不完整");
    CHECK(parse_str(HDR "1900-01-01\t放假\t\n2999-01-01\t放假\t\n", &err) == NULL);
    CHECK_STR(err, "年份跨度 1900—2999 过大（最多 200 年）");
    free(err);
    err = NULL;
    CHECK(parse_str(HDR "x\ty\tz\n", NULL) == NULL); /* err may be NULL */

    /* the real file with one line broken is rejected with that line's number */
    char *copy = xstrdup(cal_text);
    char *p = strstr(copy, "2025-10-11\t上班");
    CHECK(p != NULL);
    if (p) {
        memcpy(p, "2025-10-10", 10); /* a Friday */
        int line = 1;
        for (char *q = copy; q < p; q++)
            line += *q == '\n';
        CHECK(calendar_parse(copy, strlen(copy), &err) == NULL);
        char *want = xasprintf("第%d行: 2025-10-10 是星期五，调休上班日应在周六或周日", line);
        CHECK_STR(err, want);
        free(want);
    }
    free(copy);
    free(err);
}

/* ---- provisional years (data/lunar.tsv and the statutory holidays) ---- */

static Calendar *xcal; /* the real data extended with the lunar table */
static char *lunar_text;
static size_t lunar_len;

static void load_extended(void) {
    const char *root = getenv("SPOTCHECK_ROOT");
    char *path = xasprintf("%s/data/lunar.tsv", root ? root : ".");
    char *err = NULL;
    lunar_text = file_read_all(path, &lunar_len, &err);
    free(path);
    xcal = lunar_text ? calendar_parse(cal_text, cal_len, &err) : NULL;
    if (!xcal || calendar_extend_statutory(xcal, lunar_text, lunar_len, &err) != CAL_OK) {
        fprintf(stderr, "data/lunar.tsv: %s\n", err ? err : "?");
        exit(1);
    }
}

static void xcheck_add(const char *from, int n, int want_rc, const char *want) {
    char out[11] = "unchanged";
    int rc = calendar_add_workdays(xcal, from, n, out);
    if (rc != want_rc) fprintf(stderr, "  %s %+d: rc %d, expected %d\n", from, n, rc, want_rc);
    CHECK_INT(rc, want_rc);
    CHECK_STR(out, want_rc >= 0 ? want : "unchanged");
}

static void test_provisional_facts(void) {
    CHECK_INT(calendar_last_year(xcal), 2026);
    CHECK_INT(calendar_end_year(xcal), 2050);
    /* the values the statutory rule gives (issue 11, REFERENCE.md) */
    xcheck_add("2027-01-20", 20, CAL_PROVISIONAL, "2027-02-19");
    xcheck_add("2027-01-28", 7, CAL_PROVISIONAL, "2027-02-10");
    xcheck_add("2027-09-10", 20, CAL_PROVISIONAL, "2027-10-12");
    xcheck_add("2028-09-25", 7, CAL_PROVISIONAL, "2028-10-06");
    /* across the end of the notices */
    xcheck_add("2026-12-30", 1, CAL_OK, "2026-12-31");
    xcheck_add("2026-12-30", 2, CAL_PROVISIONAL, "2027-01-04");
    xcheck_add("2027-01-05", -2, CAL_PROVISIONAL, "2026-12-31");
    xcheck_add("2026-12-25", 0, CAL_OK, "2026-12-25");
    xcheck_add("2025-09-10", 20, CAL_OK, "2025-10-14"); /* notice years stay exact (with 调休) */
    /* beyond the lunar table */
    xcheck_add("2050-12-29", 1, CAL_PROVISIONAL, "2050-12-30"); /* a Thursday, then Friday */
    xcheck_add("2050-12-30", 2, CAL_UNKNOWN, NULL);
    xcheck_add("2051-03-01", 1, CAL_UNKNOWN, NULL);
    const char *name = NULL;
    CHECK_INT(calendar_day_kind(xcal, "2027-02-05", &name), CAL_HOLIDAY);
    CHECK_STR(name, "春节");
    CHECK_INT(calendar_day_kind(xcal, "2027-02-08", &name), CAL_HOLIDAY); /* 初三, a Monday */
    CHECK_INT(calendar_day_kind(xcal, "2027-02-09", NULL), CAL_WORKDAY);
    CHECK_INT(calendar_day_kind(xcal, "2027-04-05", &name), CAL_HOLIDAY);
    CHECK_STR(name, "清明节");
    CHECK_INT(calendar_day_kind(xcal, "2027-06-09", &name), CAL_HOLIDAY);
    CHECK_STR(name, "端午节");
    CHECK_INT(calendar_day_kind(xcal, "2027-09-15", &name), CAL_HOLIDAY);
    CHECK_STR(name, "中秋节");
    CHECK_INT(calendar_day_kind(xcal, "2027-05-03", NULL), CAL_WORKDAY); /* 劳动节 is 2 days */
    CHECK_INT(calendar_day_kind(xcal, "2027-10-04", NULL), CAL_WORKDAY); /* 国庆 is 3 days */
    CHECK_INT(calendar_day_kind(xcal, "2028-10-03", &name), CAL_HOLIDAY);
    CHECK_STR(name, "中秋节、国庆节"); /* one day off, counted once */
    CHECK_INT(calendar_day_kind(xcal, "2028-10-04", NULL), CAL_WORKDAY);
    CHECK_INT(calendar_day_kind(xcal, "2028-01-25", &name), CAL_HOLIDAY);
    CHECK_STR(name, "春节");
    /* no 调休 is guessed: weekends stay off */
    CHECK_INT(calendar_day_kind(xcal, "2027-02-20", NULL), CAL_WEEKEND);
    CHECK_INT(calendar_is_provisional(xcal, "2026-12-31"), 0);
    CHECK_INT(calendar_is_provisional(xcal, "2027-01-01"), 1);
    CHECK_INT(calendar_is_provisional(xcal, "2051-01-01"), CAL_UNKNOWN);
    /* working days of whole provisional years: 365 - weekends - statutory days on weekdays */
    int n = 0;
    CHECK_INT(calendar_workdays_between(xcal, "2026-12-31", "2027-12-31", &n), CAL_PROVISIONAL);
    CHECK_INT(n, 254); /* 104 weekend days; 元旦, 除夕, 初三, 清明, 端午, 中秋, 10/1 on weekdays */
    CHECK_INT(calendar_workdays_between(xcal, "2027-12-31", "2028-12-31", &n), CAL_PROVISIONAL);
    CHECK_INT(n, 366 - 106 -
                     9); /* 2028: 53 weeks-ends; 春节 1/25-28, 清明, 5/1-2, 10/2-3 on weekdays */
    CHECK_INT(calendar_workdays_between(xcal, "2025-12-31", "2026-12-31", &n), CAL_OK);
    CHECK_INT(n, 248);
}

/* The statutory rule agrees with the notices where both exist: a calendar of 2024 alone, extended,
 * has 2025 and 2026 provisionally, and every statutory holiday there is a 放假 day of the real
 * notices (the notices add days and 调休, never drop a statutory day). */
static void test_provisional_matches_notices(void) {
    const char *only2024 = "date\tkind\tname\n2024-01-01\t放假\t元旦\n2024-10-01\t放假\t国庆节\n";
    char *err = NULL;
    Calendar *c = calendar_parse(only2024, strlen(only2024), &err);
    CHECK(c != NULL);
    if (!c) return;
    CHECK_INT(calendar_extend_statutory(c, lunar_text, lunar_len, &err), CAL_OK);
    CHECK_INT(calendar_end_year(c), 2050);
    char d[11] = "2025-01-01";
    int statutory = 0, agree = 0;
    while (strcmp(d, "2027-01-01") < 0) {
        if (calendar_day_kind(c, d, NULL) == CAL_HOLIDAY) {
            statutory++;
            if (calendar_day_kind(cal, d, NULL) == CAL_HOLIDAY)
                agree++;
            else
                fprintf(stderr, "  %s: statutory holiday, not 放假 in the notice\n", d);
        }
        step_day(d, 1);
    }
    CHECK_INT(statutory, 2 * 13);
    CHECK_INT(agree, statutory);
    calendar_free(c);
    /* a calendar ending before 2024 is not extended: another rule applied before 2025 */
    const char *only2023 = "date\tkind\tname\n2023-01-01\t放假\t元旦\n2023-10-01\t放假\t国庆节\n";
    c = calendar_parse(only2023, strlen(only2023), &err);
    CHECK(c != NULL);
    if (!c) return;
    CHECK_INT(calendar_extend_statutory(c, lunar_text, lunar_len, &err), CAL_OK);
    CHECK_INT(calendar_end_year(c), 2023);
    CHECK_INT(calendar_day_kind(c, "2024-03-01", NULL), CAL_UNKNOWN);
    calendar_free(c);
    free(err);
}

/* Every day x of 2026-11-01 .. 2028-12-31 and several n: the result has exactly n working days in
 * (x, result], counted day by day with calendar_is_workday, and is provisional exactly when it
 * lies after 2026. */
static void test_provisional_exhaustive(void) {
    static const int ns[] = {1, 2, 3, 5, 7, 10, 20, 30};
    char x[11] = "2026-11-01";
    int bad = 0;
    while (strcmp(x, "2029-01-01") < 0 && bad < 5) {
        for (size_t k = 0; k < ARRAY_LEN(ns); k++) {
            char out[11];
            int rc = calendar_add_workdays(xcal, x, ns[k], out);
            char d[11];
            memcpy(d, x, 11);
            int left = ns[k];
            while (left > 0) {
                step_day(d, 1);
                left -= calendar_is_workday(xcal, d) == 1;
            }
            int want_rc = strcmp(d, "2027-01-01") >= 0 ? CAL_PROVISIONAL : CAL_OK;
            if (rc != want_rc || strcmp(out, d) != 0) {
                fprintf(stderr, "  %s +%d: %s rc %d, expected %s rc %d\n", x, ns[k], out, rc, d,
                        want_rc);
                bad++;
            }
            int between = -1;
            int brc = calendar_workdays_between(xcal, x, out, &between);
            if (between != ns[k] || brc != want_rc) bad++;
        }
        step_day(x, 1);
    }
    CHECK_INT(bad, 0);
}

static void test_lunar_errors(void) {
    char *err = NULL;
    Calendar *c = calendar_parse(cal_text, cal_len, &err);
    const char *bad = "year\tchuxi\tqingming\tduanwu\tzhongqiu\n"
                      "2027\t2027-02-05\t2027-04-05\t2027-06-09\t2027-09-15\n"
                      "2029\t2029-02-12\t2029-04-04\t2029-06-16\t2029-09-22\n"
                      "2030\t2030-02-31\t2030-04-05\t2030-06-05\t2030-09-12\n"
                      "203x\t2031-01-22\t2031-04-05\t2031-06-24\t2031-10-01\n"
                      "2031\t2031-01-22\t2031-09-05\t2031-06-24\t2031-10-01\n";
    CHECK_INT(calendar_extend_statutory(c, bad, strlen(bad), &err), CAL_INVALID);
    CHECK(err && strstr(err, "第3行: 2029年应紧接2027年"));
    CHECK(err && strstr(err, "第4行: 2030年除夕的日期“2030-02-31”无效"));
    CHECK(err && strstr(err, "第5行: 年份“203x”无效"));
    CHECK(err && strstr(err, "第6行: 2031年清明的日期“2031-09-05”"));
    /* nothing changed on failure */
    CHECK_INT(calendar_end_year(c), 2026);
    CHECK_INT(calendar_day_kind(c, "2027-03-01", NULL), CAL_UNKNOWN);
    const char *hdr = "year\tchuxi\tduanwu\tqingming\tzhongqiu\n2027\t2027-02-05\t2027-06-09\t2027-"
                      "04-05\t2027-09-15\n";
    CHECK_INT(calendar_extend_statutory(c, hdr, strlen(hdr), &err), CAL_INVALID);
    CHECK(err != NULL);
    /* a table that starts after the notices end leaves a gap: nothing is added */
    const char *gap = "year\tchuxi\tqingming\tduanwu\tzhongqiu\n2028\t2028-01-25\t2028-04-04\t2028-"
                      "05-28\t2028-10-03\n";
    CHECK_INT(calendar_extend_statutory(c, gap, strlen(gap), &err), CAL_OK);
    CHECK_INT(calendar_end_year(c), 2026);
    calendar_free(c);
    free(err);
}

int main(void) {
    load();
    load_extended();
    RUN(test_embedded_copy);
    RUN(test_legal_facts);
    RUN(test_year_counts);
    RUN(test_day_kinds);
    RUN(test_boundaries);
    RUN(test_exhaustive);
    RUN(test_parse_errors);
    RUN(test_provisional_facts);
    RUN(test_provisional_matches_notices);
    RUN(test_provisional_exhaustive);
    RUN(test_lunar_errors);
    calendar_free(cal);
    calendar_free(xcal);
    free(cal_text);
    free(lunar_text);
    return T_DONE();
}
