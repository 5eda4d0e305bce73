/* clock.c - the bureau's clock. See clock.h.
 *
 * The time zone is applied by setting TZ for the whole process (one bureau, one zone), so
 * localtime_r gives bureau time everywhere. The override state is written only by clock_init,
 * before threads start, and read afterwards. Callers: every module that needs "today" or "now". */
#include "clock.h"

#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MODE_WALL = 0, MODE_DAY = 1, MODE_START = 2 };

typedef struct ClockState {
    int mode;
    char zone[128];
    char day[11];      /* MODE_DAY: the pinned date */
    char wall_day[11]; /* MODE_DAY: the wall clock's date when the process started */
    time_t start_wall; /* MODE_START: wall time at init */
    time_t start_at;   /* MODE_START: the override's instant */
    int ready;         /* clock_init succeeded */
} ClockState;
static ClockState clk;

/* The clock clock_travel left, while it has moved (home_saved). */
static ClockState home;
static int home_saved;

static pthread_once_t lazy = PTHREAD_ONCE_INIT;

/* Zones that are China Standard Time (UTC+8 without daylight saving since 1991): usable without
 * the tzdata package. */
static const char *const CHINA_ZONES[] = {"Asia/Shanghai", "Asia/Chongqing", "Asia/Chungking",
                                          "Asia/Harbin", "PRC"};

static int zone_file_exists(const char *name) {
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    return access(path, R_OK) == 0;
}

/* A POSIX TZ string without rules: "UTC", "UTC0", "CST-8", "JST-9", "XYZ+5:30". */
static int posix_zone(const char *s) {
    size_t i = 0;
    while ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'))
        i++;
    if (i < 3 || i > 6) return 0;
    if (!s[i]) return !strcmp(s, "UTC") || !strcmp(s, "GMT");
    if (s[i] == '+' || s[i] == '-') i++;
    size_t d = 0;
    while (s[i] >= '0' && s[i] <= '9' && d < 3)
        i++, d++;
    if (d == 0 || d > 2) return 0;
    if (s[i] == ':' && s[i + 1] >= '0' && s[i + 1] <= '5' && s[i + 2] >= '0' && s[i + 2] <= '9')
        i += 3;
    return s[i] == 0;
}

/* The TZ value for a setting, or NULL when it names no usable zone. */
static const char *tz_value(const char *name) {
    int safe = name[0] && name[0] != '/' && strstr(name, "..") == NULL && strlen(name) < 100;
    if (safe && zone_file_exists(name)) return name;
    for (size_t i = 0; i < ARRAY_LEN(CHINA_ZONES); i++)
        if (!strcmp(name, CHINA_ZONES[i])) return "CST-8";
    return posix_zone(name) ? name : NULL;
}

int clock_parse_override(const char *s, struct tm *out, int *has_time) {
    if (!s) return -1;
    size_t n = strlen(s);
    if (n != 10 && n != 16) return -1;
    char day[11];
    memcpy(day, s, 10);
    day[10] = 0;
    if (!date_valid(day)) return -1;
    int hh = 0, mm = 0;
    if (n == 16) {
        if (s[10] != 'T' || s[13] != ':') return -1;
        for (int i = 11; i < 16; i++)
            if (i != 13 && !(s[i] >= '0' && s[i] <= '9')) return -1;
        hh = (s[11] - '0') * 10 + (s[12] - '0');
        mm = (s[14] - '0') * 10 + (s[15] - '0');
        if (hh > 23 || mm > 59) return -1;
    }
    memset(out, 0, sizeof *out);
    out->tm_year = atoi(day) - 1900;
    out->tm_mon = atoi(day + 5) - 1;
    out->tm_mday = atoi(day + 8);
    out->tm_hour = hh;
    out->tm_min = mm;
    out->tm_isdst = -1;
    *has_time = n == 16;
    return 0;
}

/* "YYYY-MM-DD HH:MM:SS" of t in the process's (the bureau's) time zone. */
/* The broken-down time of a checked "YYYY-MM-DD?HH:MM:SS…" (tm_isdst = -1). */
static void tm_of(const char *s, struct tm *tm) {
    memset(tm, 0, sizeof *tm);
    tm->tm_year = atoi(s) - 1900;
    tm->tm_mon = atoi(s + 5) - 1;
    tm->tm_mday = atoi(s + 8);
    tm->tm_hour = atoi(s + 11);
    tm->tm_min = atoi(s + 14);
    tm->tm_sec = atoi(s + 17);
    tm->tm_isdst = -1;
}

static void local_stamp(time_t t, char out[CLOCK_NOW_LEN + 1]) {
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, CLOCK_NOW_LEN + 1, "%Y-%m-%d %H:%M:%S", &tm);
}

int clock_init(char **err) {
    const char *zone = getenv("SPOTCHECK_TZ");
    if (!zone || !*zone) zone = CLOCK_DEFAULT_TZ;
    const char *tz = tz_value(zone);
    if (!tz)
        return set_err(err,
                       "SPOTCHECK_TZ“%s”不是有效的时区：应为时区数据库中的名称（如 Asia/Shanghai）"
                       "或 POSIX 时区（如 CST-8）",
                       zone);
    snprintf(clk.zone, sizeof clk.zone, "%s", zone);
    setenv("TZ", tz, 1);
    tzset();
    clk.mode = MODE_WALL;
    const char *ov = getenv("SPOTCHECK_TODAY");
    if (ov && *ov) {
        struct tm tm;
        int has_time = 0;
        if (clock_parse_override(ov, &tm, &has_time) != 0)
            return set_err(err, "SPOTCHECK_TODAY“%s”无效：应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM", ov);
        if (has_time) {
            clk.mode = MODE_START;
            clk.start_wall = time(NULL);
            clk.start_at = mktime(&tm);
        } else {
            clk.mode = MODE_DAY;
            memcpy(clk.day, ov, 10);
            clk.day[10] = 0;
            char wall[CLOCK_NOW_LEN + 1];
            local_stamp(time(NULL), wall);
            memcpy(clk.wall_day, wall, 10);
            clk.wall_day[10] = 0;
        }
    }
    clk.ready = 1;
    return 0;
}

static void lazy_init(void) {
    char *err = NULL;
    if (!clk.ready && clock_init(&err) != 0) {
        /* a bad setting: keep the wall clock in the default zone (main() refuses it first) */
        free(err);
        snprintf(clk.zone, sizeof clk.zone, "%s", CLOCK_DEFAULT_TZ);
        setenv("TZ", tz_value(CLOCK_DEFAULT_TZ), 1);
        tzset();
        clk.mode = MODE_WALL;
    }
}

static void ensure(void) {
    pthread_once(&lazy, lazy_init);
}

void clock_now(char out[CLOCK_NOW_LEN + 1]) {
    ensure();
    time_t wall = time(NULL);
    if (clk.mode == MODE_START) {
        local_stamp(clk.start_at + (wall - clk.start_wall), out);
        return;
    }
    local_stamp(wall, out);
    if (clk.mode == MODE_DAY) {
        /* the pinned date with the wall time of day; held at the day's end past midnight */
        if (strncmp(out, clk.wall_day, 10) != 0) memcpy(out + 11, "23:59:59", 8);
        memcpy(out, clk.day, 10);
    }
}

ClockStamp clock_stamp(void) {
    ClockStamp c;
    clock_now(c.s);
    return c;
}

void clock_today(char out[11]) {
    char now[CLOCK_NOW_LEN + 1];
    clock_now(now);
    memcpy(out, now, 10);
    out[10] = 0;
}

long long clock_epoch(void) {
    ensure();
    time_t wall = time(NULL);
    if (clk.mode == MODE_WALL) return (long long)wall;
    if (clk.mode == MODE_START) return (long long)(clk.start_at + (wall - clk.start_wall));
    char now[CLOCK_NOW_LEN + 1];
    clock_now(now);
    struct tm tm;
    tm_of(now, &tm);
    return (long long)mktime(&tm);
}

void clock_now_rfc3339(char out[26]) {
    time_t t = (time_t)clock_epoch();
    struct tm tm;
    localtime_r(&t, &tm);
    long off = tm.tm_gmtoff, a = off < 0 ? -off : off;
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
             a / 3600, a / 60 % 60);
    snprintf(out, 26, "%.25s", tmp);
}

long long clock_wall_epoch(void) {
    return (long long)time(NULL);
}

int clock_overridden(void) {
    ensure();
    return clk.mode != MODE_WALL;
}

int clock_travel(const char *at) {
    ensure();
    if (!at) {
        if (home_saved) clk = home;
        home_saved = 0;
        return 0;
    }
    char ov[17];
    struct tm tm;
    int has_time = 0;
    if (strlen(at) != 16 || at[10] != ' ') return -1;
    memcpy(ov, at, 17);
    ov[10] = 'T';
    if (clock_parse_override(ov, &tm, &has_time) != 0 || !has_time) return -1;
    if (!home_saved) home = clk, home_saved = 1;
    clk.mode = MODE_START;
    clk.start_wall = time(NULL);
    clk.start_at = mktime(&tm);
    return 0;
}

const char *clock_zone(void) {
    ensure();
    return clk.zone;
}

/* 1 when s[0..n) has digits where pat has 'd' and the same character elsewhere. */
static int shape(const char *s, const char *pat) {
    size_t n = strlen(pat);
    if (strlen(s) != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (pat[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pat[i]) return 0;
    return 1;
}

int clock_display(const char *s, char out[17]) {
    if (!s) return 0;
    int utc = shape(s, "dddd-dd-ddTdd:dd:ddZ");
    if (!utc && !shape(s, "dddd-dd-dd dd:dd:dd") && !shape(s, "dddd-dd-ddTdd:dd:dd")) return 0;
    char day[11];
    memcpy(day, s, 10);
    day[10] = 0;
    if (!date_valid(day) || atoi(s + 11) > 23 || atoi(s + 14) > 59) return 0;
    if (!utc) {
        memcpy(out, s, 16);
        out[10] = ' ';
        out[16] = 0;
        return 1;
    }
    ensure();
    struct tm tm;
    tm_of(s, &tm);
    char local[CLOCK_NOW_LEN + 1];
    local_stamp(timegm(&tm), local);
    memcpy(out, local, 16);
    out[16] = 0;
    return 1;
}
