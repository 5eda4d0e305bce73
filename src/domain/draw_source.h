/* draw_source.h - the sources of public randomness of a spotcheck-draw/2 draw, declared in the
 * implementation scheme and fixed at the freeze, before any of them exists (docs/DRAW.md §1).
 *
 * A source is a JSON object; its kind decides the other keys:
 *   {"kind":"fc3d","issue":"2026330","date":"2026-12-07"}    福彩3D, 3 digits, drawn 21:15 Beijing
 * time
 *   {"kind":"ssq","issue":"2026140","date":"2026-12-08"}     双色球, 6 red 01-33 + 1 blue 01-16,
 * 21:15 on Tuesdays, Thursdays and Sundays
 *   {"kind":"tc_pl5","issue":"2026330","date":"2026-12-07"}  体彩排列5, 5 digits, 21:25
 *   {"kind":"drand","chain":"quicknet","round":N}            a drand round (its signature, hex)
 *   {"kind":"dice","count":N}                                N dice rolled by the observers (1-50)
 * At least one source is outside the bureau (not dice). The value of a source, entered at the
 * draw, is written in a canonical form: digits for fc3d/tc_pl5/dice, "01 05 12 20 28 33+07" for
 * ssq (red balls ascending), lowercase hex for drand. Its part of the seed is that form, except
 * for drand, whose randomness is SHA-256 of the signature bytes (as drand defines it).
 *
 * Pure: no clock, no I/O; times are seconds since the epoch, computed from the declaration
 * (lotteries draw at a fixed Beijing time, UTC+8; drand rounds follow the chain's genesis and
 * period). Thread-safe. */
#ifndef SPOTCHECK_DRAW_SOURCE_H
#define SPOTCHECK_DRAW_SOURCE_H

#include <jansson.h>

#define DRAW_SOURCES_MAX 8
#define DRAW_GAP_HOURS_DEFAULT 24 /* the freeze at least this long before the earliest source */

/* Checks a declared sources array. Returns 0, or -1 with *err (caller frees) naming each problem
 * in Chinese ("第2个随机数来源: …"). */
int draw_sources_check(const json_t *sources, char **err);

/* The moment a source exists (its draw time or round time), seconds since the epoch; 0 for dice
 * (they are rolled at the ceremony). The source must have passed draw_sources_check. */
long long draw_source_time(const json_t *source);

/* 1 when a and b name the same external event (same lottery draw by issue or by date, same drand
 * round), however written: a re-draw must not take a value already known. Dice never match. */
int draw_source_same(const json_t *a, const json_t *b);
/* The earliest time of the external sources (0 when there is none). */
long long draw_sources_earliest(const json_t *sources);

/* The canonical form of `value` for source, as a new string; NULL with *err when the value does
 * not fit the kind (wrong count of digits, a red ball twice, not hex, …). */
char *draw_source_value(const json_t *source, const char *value, char **err);

/* The source's part of the seed for a canonical value (new string). */
char *draw_source_seed_part(const json_t *source, const char *canonical);

/* A label for people: "福彩3D 第2026330期（2026-12-07 21:15 开奖）", "drand quicknet 第N轮（…）",
 * "观察员现场掷 10 枚骰子". New string. */
char *draw_source_label(const json_t *source);

/* The v2 seed: "spotcheck-v2|" + task + "|" + freeze_sha256 + "|" + the seed parts of the
 * canonical values, in declared order, joined by "|". NULL with *err when values do not match
 * the sources (count, or a value not in canonical form). */
char *draw_seed_v2(const char *task, const char *freeze_sha256, const json_t *sources,
                   const json_t *values, char **err);

/* Parses an RFC 3339 time "YYYY-MM-DDTHH:MM:SS+08:00" (or "Z") into seconds since the epoch.
 * Returns 0, or -1 when it is not one. */
int draw_time_parse(const char *s, long long *epoch);
/* Formats epoch at the given UTC offset (seconds) as "YYYY-MM-DDTHH:MM:SS+HH:MM" (26 bytes). */
void draw_time_format(long long epoch, int offset, char out[26]);

#endif
