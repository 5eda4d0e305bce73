/* svg.h - small server-drawn SVG charts for the figures page: pure functions that return SVG
 * text (no I/O, no database).
 *
 * Every chart is one <svg> element with role="img", aria-labelledby and a <title> first, a viewBox
 * and width="100%" so it shrinks to a phone's width; styling uses presentation attributes only
 * (fill, stroke, font-size), never a style attribute or a <style> element, because the CSP has no
 * 'unsafe-inline' for styles. Every piece of text (title, labels, value texts) is XML-escaped
 * (& < > " '), so the output can be placed unescaped into an HTML page ({{{svg}}}) and is
 * well-formed XML. Long labels are shortened to SVG_LABEL_CHARS characters with "…" (the full
 * label stays in the bar's own <title>).
 *
 * The returned strings are newly allocated; the caller frees them. Thread-safe. */
#ifndef SPOTCHECK_SVG_H
#define SPOTCHECK_SVG_H

#include "../core/util.h"

#include <stddef.h>
#include <stdint.h>

/* 12 characters and "…" at 13 px, all wide (CJK), take 169 px of the 182 left of the bars: 14 were
 * cut off at the left edge of the chart */
#define SVG_LABEL_CHARS 12

typedef struct SvgBar {
    const char *label; /* category name */
    int64_t value;     /* >= 0; the bar length is value / max(values) */
    const char *text;  /* shown after the bar; NULL shows the value as a number */
} SvgBar;

/* Appends s XML-escaped (& < > " ' as entities; control characters other than TAB/LF/CR are
 * dropped, as XML 1.0 does not allow them). NULL appends nothing. */
void svg_escape(Buf *b, const char *s);

/* Horizontal bar chart: one row per bar, label on the left, bar, value text on the right.
 * n == 0 draws the title and "暂无数据". */
char *svg_bar_chart(const char *title, const SvgBar *bars, size_t n);

/* Progress bar of num/den with a goal line at goal_pct percent (goal_pct < 0: no goal line).
 * den == 0 draws an empty bar and the text "—" (never a fake 0% or 100%). `text` is the
 * value text shown (e.g. "66.6%（2/3）"); NULL lets the function write num/den. */
char *svg_progress(const char *title, int64_t num, int64_t den, double goal_pct, const char *text);

/* Column chart (e.g. checks per month): n columns with short labels under them and the value
 * above each non-zero column. */
char *svg_columns(const char *title, const char *const *labels, const int64_t *values, size_t n);

#endif
