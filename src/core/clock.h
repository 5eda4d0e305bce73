/* clock.h - the one clock: what day and time it is at the bureau.
 *
 * Every "today" and "now" in spotcheck comes from here, in the bureau's time zone, so the date a
 * deadline is counted from and the time written beside an action are the same day. Nothing else
 * calls time(), localtime() or SQL's datetime('now').
 *
 * Settings (environment, read once by clock_init):
 *   SPOTCHECK_TZ     the bureau's time zone: an IANA name ("Asia/Shanghai", the default) or a
 *                    POSIX TZ string ("CST-8"). China's zones work without tzdata (UTC+8, no
 *                    daylight saving since 1991).
 *   SPOTCHECK_TODAY  "YYYY-MM-DD": today is that date for every command; the time of day is the
 *                    wall clock's (held at 23:59:59 once the wall clock passes midnight, so times
 *                    never run backwards within a process).
 *                    "YYYY-MM-DDTHH:MM": the clock starts at that local time when the process
 *                    starts and runs on with the wall clock (it may pass midnight).
 *
 * Stored timestamps have one format, local time "YYYY-MM-DD HH:MM:SS" (CLOCK_NOW_LEN chars).
 * Thread-safety: clock_init must run before any thread starts (it sets TZ); everything else only
 * reads and may be called from any thread. Functions used before clock_init initialise lazily
 * with the environment and ignore a bad setting (main() calls clock_init first and refuses one). */
#ifndef SPOTCHECK_CLOCK_H
#define SPOTCHECK_CLOCK_H

#include <stddef.h>
#include <time.h>

#define CLOCK_NOW_LEN 19 /* "YYYY-MM-DD HH:MM:SS" */
#define CLOCK_DEFAULT_TZ "Asia/Shanghai"

/* Reads SPOTCHECK_TZ and SPOTCHECK_TODAY and sets the process's time zone. Returns 0, or -1 with
 * *err (caller frees) naming the bad setting in Chinese. May be called again (tests). */
int clock_init(char **err);

/* Today at the bureau, "YYYY-MM-DD". */
void clock_today(char out[11]);
/* Now at the bureau, "YYYY-MM-DD HH:MM:SS". */
void clock_now(char out[CLOCK_NOW_LEN + 1]);
/* Now, by value, for passing straight to a call: db_exec(db, sql, "t", clock_stamp().s). The array
 * of the returned temporary lives until the end of the full expression (C11 6.2.4p8). */
typedef struct ClockStamp {
    char s[CLOCK_NOW_LEN + 1];
} ClockStamp;
ClockStamp clock_stamp(void);
/* Now as seconds since the epoch (for durations such as session expiry). */
long long clock_epoch(void);
/* Now as RFC 3339 with the bureau's UTC offset, "2026-12-06T10:15:03+08:00" (25 chars): for
 * documents read outside the bureau (draw records). */
void clock_now_rfc3339(char out[26]);
/* Seconds since the epoch from the wall clock, never overridden: for durations that are not
 * business dates (session idle time, login throttling), so a pinned SPOTCHECK_TODAY neither keeps
 * sessions alive for ever nor leaves future-dated rows behind. */
long long clock_wall_epoch(void);
/* 1 when SPOTCHECK_TODAY overrides the wall clock: the draw's audit rows then say so, with the
 * wall clock's time, since a freeze or dice stamped under a set clock proves nothing about when
 * it happened. */
int clock_overridden(void);
/* Moves the clock to local time `at`, "YYYY-MM-DD HH:MM", from where it runs on with the wall
 * clock as SPOTCHECK_TODAY="YYYY-MM-DDTHH:MM" makes it; clock_travel(NULL) puts back the clock
 * clock_init set. For a builder that replays dated steps through the units of work in one process
 * (`init --demo`: a plan made weeks ago, a draw frozen before its lottery and held after it);
 * clock_overridden() is 1 meanwhile, so the draw's audit rows say the clock was set. Like
 * clock_init it must not run while other threads read the clock. Returns 0, or -1 (clock
 * unchanged) when `at` is not such a time. */
int clock_travel(const char *at);

/* The time zone in force (the setting's text). */
const char *clock_zone(void);

/* A stored timestamp as people write it, "YYYY-MM-DD HH:MM" in the bureau's time. Takes the
 * current format and the two older ones ("YYYY-MM-DDTHH:MM:SS" local, "YYYY-MM-DDTHH:MM:SSZ"
 * UTC, converted). Returns 1 and fills out, or 0 when s is not such a timestamp (out untouched). */
int clock_display(const char *s, char out[17]);

/* Parses an override "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM" into a broken-down local time
 * (tm_isdst = -1); *has_time says which form. Returns 0 or -1. Pure. */
int clock_parse_override(const char *s, struct tm *out, int *has_time);

#endif
