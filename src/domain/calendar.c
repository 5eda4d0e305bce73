/* calendar.c - working days from the State Council holiday notices. See calendar.h.
 *
 * Representation: dates are day numbers (days since 1970-01-01, proleptic Gregorian). A
 * Calendar holds one kind byte per day of its covered years, plus a prefix sum of working days,
 * so a day's kind and a count between two dates are O(1); adding n working days walks n+holidays
 * days. Invariants after calendar_parse(): coverage is whole, contiguous years; every 上班 day is
 * a Saturday or Sunday; no date appears twice; nothing changes afterwards (thread-safe reads).
 *
 * Provisional years (calendar_extend_statutory) are appended after the notice years: day indexes
 * from nnotice on hold weekends and the statutory holidays only, and any answer that reads one of
 * them says so (CAL_PROVISIONAL).
 *
 * Pure: no I/O, no clock. Called by the deadline code (results entry and publication, penalty
 * publication, follow-up, joint-check confirmation), the dashboard and reminder lists. */
#include "calendar.h"

#include "../core/util.h"
#include "refdata.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_YEARS 200 /* a sanity bound on the span of a holiday file */
#define MAX_N 100000  /* |n| accepted by calendar_add_workdays */

struct Calendar {
    int first_year, last_year; /* the years of the State Council notices */
    int end_year;              /* the last year covered, provisional years included */
    int day0;                  /* day number of first_year-01-01 */
    int ndays;                 /* days covered */
    int nnotice;         /* days covered by the notices: day indexes >= nnotice are provisional */
    unsigned char *kind; /* CalDayKind per day */
    int *name;           /* per day: index into names, or -1 */
    char **names;        /* holiday names as given in the file, then the statutory ones */
    int nnames;
    int *prefix; /* prefix[i] = working days among days [0, i); ndays + 1 entries */
};

/* Day numbers: date_days_from_civil / date_civil_from_days (util.h). */
#define days_from_civil date_days_from_civil
#define civil_from_days date_civil_from_days

/* 0 = Monday ... 6 = Sunday; 1970-01-01 was a Thursday. */
static int weekday(int z) {
    return ((z % 7) + 7 + 3) % 7;
}

/* Parses "YYYY-MM-DD" (a real date, years 1900-2999) into a day number. */
static int parse_date(const char *s, int *z) {
    if (!date_valid(s)) return -1;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    *z = days_from_civil(y, m, d);
    return 0;
}

static void format_date(int z, char out[11]) {
    int y, m, d;
    civil_from_days(z, &y, &m, &d);
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = 0;
}

static int is_work(int kind) {
    return kind == CAL_WORKDAY || kind == CAL_ADJUSTED_WORKDAY;
}

void calendar_free(Calendar *cal) {
    if (!cal) return;
    for (int i = 0; i < cal->nnames; i++)
        free(cal->names[i]);
    free(cal->names);
    free(cal->name);
    free(cal->kind);
    free(cal->prefix);
    free(cal);
}

static void add_err(Buf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_err(Buf *e, const char *fmt, ...) {
    if (e->len) buf_putc(e, '\n');
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(e, fmt, ap);
    va_end(ap);
}

typedef struct Entry {
    int day;
    int off; /* 1 = 放假, 0 = 上班 */
    int line;
    const char *name; /* borrowed from the RefTable */
} Entry;

static const char *const HOLIDAY_COLS[] = {"date", "kind", "name", NULL};
static const char *const WEEKDAY_NAMES[] = {"星期一", "星期二", "星期三", "星期四",
                                            "星期五", "星期六", "星期日"};

Calendar *calendar_parse(const char *text, size_t len, char **err) {
    RefTable *t = refdata_parse(text, len, HOLIDAY_COLS, err);
    if (!t) return NULL;
    Buf e;
    buf_init(&e);
    Entry *ent = xcalloc(t->nrows, sizeof *ent);
    size_t nent = 0;
    int ymin = 0, ymax = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        const RefRow *r = &t->rows[i];
        const char *date = r->field[0], *kind = r->field[1];
        Entry en = {.line = r->line, .name = r->field[2]};
        if (parse_date(date, &en.day) != 0) {
            add_err(&e, "第%d行: 日期“%s”无效，应为 YYYY-MM-DD", r->line, date);
            continue;
        }
        if (strcmp(kind, "放假") == 0) {
            en.off = 1;
        } else if (strcmp(kind, "上班") == 0) {
            en.off = 0;
            int wd = weekday(en.day);
            if (wd < 5) {
                add_err(&e, "第%d行: %s 是%s，调休上班日应在周六或周日", r->line, date,
                        WEEKDAY_NAMES[wd]);
                continue;
            }
        } else {
            add_err(&e, "第%d行: 类型“%s”无效，应为“放假”或“上班”", r->line, kind);
            continue;
        }
        int y = atoi(date);
        if (nent == 0 || y < ymin) ymin = y;
        if (nent == 0 || y > ymax) ymax = y;
        ent[nent++] = en;
    }
    if (nent == 0 && e.len == 0) add_err(&e, "文件中没有任何日期");

    Calendar *cal = NULL;
    if (nent > 0 && ymax - ymin >= MAX_YEARS)
        add_err(&e, "年份跨度 %d—%d 过大（最多 %d 年）", ymin, ymax, MAX_YEARS);
    else if (nent > 0) {
        /* built even after line errors, so duplicates and gaps are reported in the same pass */
        cal = xcalloc(1, sizeof *cal);
        cal->first_year = ymin;
        cal->last_year = ymax;
        cal->end_year = ymax;
        cal->day0 = days_from_civil(ymin, 1, 1);
        cal->ndays = days_from_civil(ymax + 1, 1, 1) - cal->day0;
        cal->nnotice = cal->ndays;
        cal->kind = xmalloc((size_t)cal->ndays);
        cal->name = xmalloc((size_t)cal->ndays * sizeof *cal->name);
        int *line_of = xmalloc((size_t)cal->ndays * sizeof *line_of);
        for (int i = 0; i < cal->ndays; i++) {
            cal->kind[i] = weekday(cal->day0 + i) < 5 ? CAL_WORKDAY : CAL_WEEKEND;
            cal->name[i] = -1;
            line_of[i] = 0;
        }
        cal->names = xcalloc(nent, sizeof *cal->names);
        for (size_t k = 0; k < nent; k++) {
            int i = ent[k].day - cal->day0;
            if (line_of[i]) {
                char d[11];
                format_date(ent[k].day, d);
                add_err(&e, "第%d行: 日期 %s 重复（已在第%d行）", ent[k].line, d, line_of[i]);
                continue;
            }
            line_of[i] = ent[k].line;
            cal->kind[i] = ent[k].off ? CAL_HOLIDAY : CAL_ADJUSTED_WORKDAY;
            cal->name[i] = cal->nnames;
            cal->names[cal->nnames++] = xstrdup(ent[k].name);
        }
        /* completeness: contiguous years, each with its 1 January and 1 October holiday */
        for (int y = ymin; y <= ymax; y++) {
            int jan1 = days_from_civil(y, 1, 1) - cal->day0;
            int oct1 = days_from_civil(y, 10, 1) - cal->day0;
            int any = 0;
            int end = days_from_civil(y + 1, 1, 1) - cal->day0;
            for (int i = jan1; i < end && !any; i++)
                any = line_of[i] != 0;
            if (!any) {
                add_err(&e, "缺少%d年的数据（各年须连续，每年须完整列出当年安排）", y);
                continue;
            }
            if (cal->kind[jan1] != CAL_HOLIDAY)
                add_err(&e, "%d年缺少1月1日（元旦）的放假记录，该年数据不完整", y);
            if (cal->kind[oct1] != CAL_HOLIDAY)
                add_err(&e, "%d年缺少10月1日（国庆节）的放假记录，该年数据不完整", y);
        }
        free(line_of);
        cal->prefix = xmalloc(((size_t)cal->ndays + 1) * sizeof *cal->prefix);
        cal->prefix[0] = 0;
        for (int i = 0; i < cal->ndays; i++)
            cal->prefix[i + 1] = cal->prefix[i] + is_work(cal->kind[i]);
    }
    free(ent);
    refdata_free(t);
    if (e.len) {
        calendar_free(cal);
        if (err) {
            free(*err);
            *err = buf_steal(&e);
        }
        buf_free(&e);
        return NULL;
    }
    buf_free(&e);
    return cal;
}

int calendar_first_year(const Calendar *cal) {
    return cal->first_year;
}
int calendar_last_year(const Calendar *cal) {
    return cal->last_year;
}
int calendar_end_year(const Calendar *cal) {
    return cal->end_year;
}

/* Index of day z in the covered range, or -1. */
static int index_of(const Calendar *cal, int z) {
    int i = z - cal->day0;
    return i >= 0 && i < cal->ndays ? i : -1;
}

int calendar_day_kind(const Calendar *cal, const char *date, const char **name) {
    int z;
    if (parse_date(date, &z) != 0) return CAL_INVALID;
    int i = index_of(cal, z);
    if (i < 0) return CAL_UNKNOWN;
    if (name) *name = cal->name[i] >= 0 ? cal->names[cal->name[i]] : "";
    return cal->kind[i];
}

int calendar_is_workday(const Calendar *cal, const char *date) {
    int k = calendar_day_kind(cal, date, NULL);
    return k < 0 ? k : is_work(k);
}

int calendar_add_workdays(const Calendar *cal, const char *from, int n, char out[11]) {
    int z;
    if (parse_date(from, &z) != 0 || n > MAX_N || n < -MAX_N) return CAL_INVALID;
    int step = n > 0 ? 1 : -1, left = n > 0 ? n : -n, provisional = 0;
    while (left > 0) {
        z += step;
        int i = index_of(cal, z);
        if (i < 0) return CAL_UNKNOWN;
        if (is_work(cal->kind[i])) left--;
        provisional |= i >= cal->nnotice;
    }
    format_date(z, out);
    return provisional ? CAL_PROVISIONAL : CAL_OK;
}

int calendar_workdays_between(const Calendar *cal, const char *from, const char *to, int *out) {
    int a, b;
    if (parse_date(from, &a) != 0 || parse_date(to, &b) != 0) return CAL_INVALID;
    int sign = 1;
    if (b < a) {
        int tmp = a;
        a = b;
        b = tmp;
        sign = -1;
    }
    if (a == b) {
        *out = 0;
        return CAL_OK;
    }
    /* days a+1 .. b must be covered */
    int lo = index_of(cal, a + 1), hi = index_of(cal, b);
    if (lo < 0 || hi < 0) return CAL_UNKNOWN;
    *out = sign * (cal->prefix[hi + 1] - cal->prefix[lo]);
    return hi >= cal->nnotice ? CAL_PROVISIONAL : CAL_OK;
}

int calendar_is_provisional(const Calendar *cal, const char *date) {
    int z;
    if (parse_date(date, &z) != 0) return CAL_INVALID;
    int i = index_of(cal, z);
    if (i < 0) return CAL_UNKNOWN;
    return i >= cal->nnotice;
}

/* ---- provisional years: the statutory holidays without 调休 ---- */

#define STATUTORY_FROM                                                                             \
    2025 /* 《全国年节及纪念日放假办法》 as revised in 2024, in force 2025-01-01 */

static const char *const LUNAR_COLS[] = {"year", "chuxi", "qingming", "duanwu", "zhongqiu", NULL};

/* Where each lunar or solar-term date may fall (month*100+day, inclusive; the extremes of
 * 1950-2100 with a day's margin): a wrong column or a typing error shows up as a date outside. */
static const struct {
    const char *label;
    int lo, hi;
} LUNAR_WINDOWS[4] = {
    {"除夕", 119, 220}, {"清明", 403, 406}, {"端午", 526, 626}, {"中秋", 906, 1008}};

typedef struct LunarYear {
    int year;
    int day[4]; /* day numbers of 除夕, 清明, 端午, 中秋 */
} LunarYear;

/* Parses the lunar table into ly[] (years ascending and contiguous). Returns the count, or -1
 * with *err set to every bad line. */
static int lunar_parse(const char *text, size_t len, LunarYear **out, char **err) {
    RefTable *t = refdata_parse(text, len, LUNAR_COLS, err);
    if (!t) return -1;
    Buf e;
    buf_init(&e);
    LunarYear *ly = xcalloc(t->nrows ? t->nrows : 1, sizeof *ly);
    int n = 0, prev = 0; /* prev: the year of the row before, valid or not */
    for (size_t r = 0; r < t->nrows; r++) {
        const RefRow *row = &t->rows[r];
        const char *ys = row->field[0];
        int y = atoi(ys), ok = strlen(ys) == 4 && y >= 1900 && y <= 2999;
        if (!ok) {
            add_err(&e, "第%d行: 年份“%s”无效", row->line, ys);
            continue;
        }
        int after = prev;
        prev = y;
        if (after && y != after + 1) {
            add_err(&e, "第%d行: %d年应紧接%d年（年份须连续、递增）", row->line, y, after);
            continue;
        }
        LunarYear cur = {.year = y};
        for (int k = 0; k < 4; k++) {
            const char *d = row->field[k + 1];
            int md = strlen(d) == 10 ? atoi(d + 5) * 100 + atoi(d + 8) : 0;
            if (parse_date(d, &cur.day[k]) != 0 || atoi(d) != y || md < LUNAR_WINDOWS[k].lo ||
                md > LUNAR_WINDOWS[k].hi) {
                add_err(&e, "第%d行: %d年%s的日期“%s”无效或不在该节日可能的范围内", row->line, y,
                        LUNAR_WINDOWS[k].label, d);
                ok = 0;
            }
        }
        if (ok) ly[n++] = cur;
    }
    refdata_free(t);
    if (n == 0 && e.len == 0) add_err(&e, "文件中没有任何年份");
    if (e.len) {
        if (err) {
            free(*err);
            *err = buf_steal(&e);
        }
        buf_free(&e);
        free(ly);
        return -1;
    }
    buf_free(&e);
    *out = ly;
    return n;
}

/* Marks day z (inside the calendar) as a statutory holiday called name. A day already off keeps
 * one entry (中秋 on 国庆's third day is one day off, counted once) with both names. */
static void mark_holiday(Calendar *cal, int z, const char *name) {
    int i = z - cal->day0;
    if (cal->kind[i] == CAL_HOLIDAY) {
        char *both = xasprintf("%s、%s", cal->names[cal->name[i]], name);
        free(cal->names[cal->name[i]]);
        cal->names[cal->name[i]] = both;
        return;
    }
    cal->kind[i] = CAL_HOLIDAY;
    cal->name[i] = cal->nnames;
    cal->names[cal->nnames++] = xstrdup(name);
}

int calendar_extend_statutory(Calendar *cal, const char *text, size_t len, char **err) {
    LunarYear *ly = NULL;
    int n = lunar_parse(text, len, &ly, err);
    if (n < 0) return CAL_INVALID;
    int from = cal->end_year + 1, k0 = from - ly[0].year, to = ly[n - 1].year;
    if (from < STATUTORY_FROM || k0 < 0 || k0 >= n) { /* nothing the table can add */
        free(ly);
        return CAL_OK;
    }
    int old_days = cal->ndays, new_days = days_from_civil(to + 1, 1, 1) - cal->day0;
    cal->kind = xrealloc(cal->kind, (size_t)new_days);
    cal->name = xrealloc(cal->name, (size_t)new_days * sizeof *cal->name);
    /* at most 13 named days a year (春节 4, 国庆 3, 劳动 2, 元旦, 清明, 端午, 中秋) */
    cal->names = xrealloc(cal->names, ((size_t)cal->nnames + 13u * (size_t)(to - from + 1)) *
                                          sizeof *cal->names);
    for (int i = old_days; i < new_days; i++) {
        cal->kind[i] = weekday(cal->day0 + i) < 5 ? CAL_WORKDAY : CAL_WEEKEND;
        cal->name[i] = -1;
    }
    cal->ndays = new_days;
    for (int k = k0; k < n; k++) {
        int y = ly[k].year;
        mark_holiday(cal, days_from_civil(y, 1, 1), "元旦");
        for (int d = 0; d < 4; d++)
            mark_holiday(cal, ly[k].day[0] + d, "春节");
        mark_holiday(cal, ly[k].day[1], "清明节");
        mark_holiday(cal, days_from_civil(y, 5, 1), "劳动节");
        mark_holiday(cal, days_from_civil(y, 5, 2), "劳动节");
        mark_holiday(cal, ly[k].day[2], "端午节");
        mark_holiday(cal, ly[k].day[3], "中秋节");
        for (int d = 1; d <= 3; d++)
            mark_holiday(cal, days_from_civil(y, 10, d), "国庆节");
    }
    cal->end_year = to;
    cal->prefix = xrealloc(cal->prefix, ((size_t)new_days + 1) * sizeof *cal->prefix);
    for (int i = old_days; i < new_days; i++)
        cal->prefix[i + 1] = cal->prefix[i] + is_work(cal->kind[i]);
    free(ly);
    return CAL_OK;
}
