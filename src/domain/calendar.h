/* calendar.h - the working-day calendar: State Council holidays (放假) and adjusted weekend
 * working days (调休上班) from data/holidays.tsv, and deadlines counted in working days.
 *
 * Pure: no I/O, no clock. The caller hands over the text of the data file (task_calendar_load:
 * the holidays set loaded into the database, else embed_find("data/holidays.tsv")) and passes
 * "today" explicitly. A Calendar is immutable after calendar_parse(), so one instance may be shared
 * by any number of threads.
 *
 * Coverage: the calendar knows the whole years first_year..last_year of the file exactly. After
 * calendar_extend_statutory it also knows the following years up to the end of the lunar table
 * provisionally: weekends and the statutory holidays of 《全国年节及纪念日放假办法》 (2024
 * revision, in force 2025-01-01), without the 调休 that only the year's notice can fix. An answer
 * that needs such a day is CAL_PROVISIONAL instead of CAL_OK (预计: exact once the notice is
 * loaded). A question that needs any day outside the covered years is answered CAL_UNKNOWN. */
#ifndef SPOTCHECK_CALENDAR_H
#define SPOTCHECK_CALENDAR_H

#include <stddef.h>

typedef struct Calendar Calendar;

/* Return codes shared by the functions below (successful results are >= 0). */
enum {
    CAL_OK = 0,
    CAL_INVALID = -1,    /* an argument is not a valid "YYYY-MM-DD" date (or n out of range) */
    CAL_UNKNOWN = -2,    /* a day needed lies outside the years covered by the data */
    CAL_PROVISIONAL = 1, /* a result, but a day it needed lies in a provisional year */
};

/* What a day is. */
typedef enum CalDayKind {
    CAL_WORKDAY = 1,          /* Monday-Friday, no holiday */
    CAL_WEEKEND = 2,          /* Saturday or Sunday, not adjusted */
    CAL_HOLIDAY = 3,          /* 放假 (on a weekday or within a holiday span on a weekend) */
    CAL_ADJUSTED_WORKDAY = 4, /* 调休上班: a Saturday or Sunday that is a working day */
} CalDayKind;

/* Parses the holiday file (format: see data/holidays.tsv and refdata.h; header
 * "date<TAB>kind<TAB>name", kind 放假 or 上班). Rejects, with every bad line as "第N行: 原因":
 * invalid dates, unknown kinds, 上班 on a weekday, duplicate dates; and rejects a file whose
 * years are not contiguous or where a covered year lacks its 1月1日 or 10月1日 放假 line (a
 * sign of an incomplete year). Returns a new Calendar (free with calendar_free) or NULL with
 * *err set (caller frees). */
Calendar *calendar_parse(const char *text, size_t len, char **err);
void calendar_free(Calendar *cal);

/* First and last year of the State Council notices (whole years), and the last year covered
 * including provisional years (== calendar_last_year when none). */
int calendar_first_year(const Calendar *cal);
int calendar_last_year(const Calendar *cal);
int calendar_end_year(const Calendar *cal);

/* Extends the calendar after its last year with provisional years, as far as the lunar table
 * reaches (data/lunar.tsv: header "year<TAB>chuxi<TAB>qingming<TAB>duanwu<TAB>zhongqiu", one row
 * per year, contiguous): 元旦 1 Jan; 春节 除夕 and the 3 days after; 清明 the solar-term day;
 * 劳动节 1-2 May; 端午; 中秋; 国庆 1-3 Oct; a day that is two holidays at once is one day off.
 * Adds nothing when the year after the calendar is before 2025 (another rule applied) or is not in
 * the table. Not thread-safe against readers of cal: call it right after calendar_parse. Returns
 * CAL_OK, or CAL_INVALID with *err (caller frees) listing every bad line "第N行: 原因". */
int calendar_extend_statutory(Calendar *cal, const char *text, size_t len, char **err);

/* 1 when `date` lies in a provisional year, 0 when in a notice year; CAL_INVALID / CAL_UNKNOWN. */
int calendar_is_provisional(const Calendar *cal, const char *date);

/* The kind of day `date` is (a CalDayKind), or CAL_INVALID / CAL_UNKNOWN. If `name` is not
 * NULL it receives the holiday name from the file ("国庆节", "" when none); the string lives
 * as long as the Calendar. */
int calendar_day_kind(const Calendar *cal, const char *date, const char **name);

/* 1 when `date` is a working day, 0 when not, or CAL_INVALID / CAL_UNKNOWN. */
int calendar_is_workday(const Calendar *cal, const char *date);

/* Deadline arithmetic, "within n working days from day X" (民法典 art. 201: X itself is not
 * counted). For n > 0 writes to out the n-th working day after `from`; the deadline is the end
 * of that day. For n < 0 writes the |n|-th working day before `from`. For n == 0 writes `from`.
 * Only the days walked over must be covered: `from` itself may lie just before the first year.
 * Returns CAL_OK, CAL_PROVISIONAL (a day walked over is provisional), CAL_INVALID (bad date,
 * |n| > 100000) or CAL_UNKNOWN (out untouched). */
int calendar_add_workdays(const Calendar *cal, const char *from, int n, char out[11]);

/* Number of working days in (from, to] when to >= from, or minus the number in (to, from] when
 * to < from, into *out. "Working days left" = between(today, deadline); "overdue by" =
 * between(deadline, today) when positive. Every day in the half-open interval must be covered.
 * Returns CAL_OK, CAL_PROVISIONAL (a day counted is provisional), CAL_INVALID or CAL_UNKNOWN (*out
 * untouched). */
int calendar_workdays_between(const Calendar *cal, const char *from, const char *to, int *out);

#endif
