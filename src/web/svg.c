/* svg.c - server-drawn SVG charts (see svg.h): horizontal bars, a progress bar against a goal,
 * columns per month. Pure string building; called by page_figures.c. Layout works in a fixed
 * viewBox 640 units wide; the <svg> has width="100%" so the browser scales it to the screen. */
#include "svg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W 640
#define LABEL_W 190 /* left column for bar labels */
/* right column for value texts: room for "1,234,567.89元（12条）" or "100.0%（29758/29758）" at
 * 14 units a CJK character and about 8 a digit, so that no value is cut off on a phone */
#define VALUE_W 175
#define ROW_H 26
#define TOP 34 /* room for the title */
#define FONT "font-family=\"sans-serif\""
#define BAR_FILL "#2f6fb2"
#define GOAL_STROKE "#c0392b"
#define TRACK_FILL "#e6ebf1"
#define TEXT_FILL "#1f2933"

void svg_escape(Buf *b, const char *s) {
    if (!s) return;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '"':
            buf_puts(b, "&quot;");
            break;
        case '\'':
            buf_puts(b, "&#39;");
            break;
        default:
            if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') break;
            buf_putc(b, (char)*p);
        }
    }
}

/* Appends at most max characters of s (UTF-8), escaped, with "…" when cut. */
static void escape_short(Buf *b, const char *s, size_t max) {
    if (!s) return;
    size_t chars = 0;
    const char *p = s;
    while (*p && chars < max) {
        p++;
        while ((*p & 0xC0) == 0x80)
            p++;
        chars++;
    }
    if (!*p) {
        svg_escape(b, s);
        return;
    }
    char *head = xstrndup(s, (size_t)(p - s));
    svg_escape(b, head);
    free(head);
    buf_puts(b, "…");
}

static unsigned long svg_seq(void) {
    static _Atomic unsigned long n;
    return ++n;
}

/* Opens the <svg> with its accessible title; id makes aria-labelledby unique in a page. */
static void open_svg(Buf *b, const char *title, int height) {
    unsigned long id = svg_seq();
    buf_printf(b,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"svgt%lu\" "
               "viewBox=\"0 0 %d %d\" width=\"100%%\" preserveAspectRatio=\"xMinYMin meet\" "
               "class=\"chart\">"
               "<title id=\"svgt%lu\">",
               id, W, height, id);
    svg_escape(b, title);
    buf_printf(
        b,
        "</title><text x=\"0\" y=\"20\" font-size=\"15\" font-weight=\"bold\" fill=\"%s\" " FONT
        ">",
        TEXT_FILL);
    svg_escape(b, title);
    buf_puts(b, "</text>");
}

char *svg_bar_chart(const char *title, const SvgBar *bars, size_t n) {
    Buf b;
    buf_init(&b);
    int height = TOP + (n ? (int)n : 1) * ROW_H + 6;
    open_svg(&b, title, height);
    if (!n) {
        buf_printf(&b,
                   "<text x=\"0\" y=\"%d\" font-size=\"13\" fill=\"#6b7785\" " FONT
                   ">暂无数据</text></svg>",
                   TOP + 16);
        return buf_steal(&b);
    }
    int64_t max = 0;
    for (size_t i = 0; i < n; i++)
        if (bars[i].value > max) max = bars[i].value;
    const int span = W - LABEL_W - VALUE_W;
    for (size_t i = 0; i < n; i++) {
        int y = TOP + (int)i * ROW_H;
        int64_t v = bars[i].value < 0 ? 0 : bars[i].value;
        int len = max > 0 ? (int)((double)span * (double)v / (double)max + 0.5) : 0;
        if (v > 0 && len < 2) len = 2;
        buf_puts(&b, "<g><title>");
        svg_escape(&b, bars[i].label);
        buf_puts(&b, "：");
        if (bars[i].text)
            svg_escape(&b, bars[i].text);
        else
            buf_printf(&b, "%lld", (long long)v);
        buf_printf(
            &b,
            "</title><text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"end\" fill=\"%s\" " FONT
            ">",
            LABEL_W - 8, y + 17, TEXT_FILL);
        escape_short(&b, bars[i].label, SVG_LABEL_CHARS);
        buf_printf(&b, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>",
                   LABEL_W, y + 4, len, ROW_H - 8, BAR_FILL);
        buf_printf(&b, "<text x=\"%d\" y=\"%d\" font-size=\"13\" fill=\"%s\" " FONT ">",
                   LABEL_W + len + 6, y + 17, TEXT_FILL);
        if (bars[i].text)
            svg_escape(&b, bars[i].text);
        else
            buf_printf(&b, "%lld", (long long)v);
        buf_puts(&b, "</text></g>");
    }
    buf_puts(&b, "</svg>");
    return buf_steal(&b);
}

char *svg_progress(const char *title, int64_t num, int64_t den, double goal_pct, const char *text) {
    Buf b;
    buf_init(&b);
    const int height = 84, x0 = 0, bar_w = W - VALUE_W - 10, y = 32, h = 22;
    open_svg(&b, title, height);
    buf_printf(&b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", x0, y, bar_w,
               h, TRACK_FILL);
    if (den > 0) {
        double f = (double)(num < 0 ? 0 : num) / (double)den;
        if (f > 1) f = 1;
        int len = (int)((double)bar_w * f + 0.5);
        buf_printf(&b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", x0, y,
                   len, h, BAR_FILL);
    }
    if (goal_pct >= 0) {
        double g = goal_pct > 100 ? 100 : goal_pct;
        int gx = x0 + (int)((double)bar_w * g / 100.0 + 0.5);
        buf_printf(
            &b,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>"
            "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"%s\" fill=\"%s\" " FONT
            ">目标 ≥ %g%%</text>",
            gx, y - 4, gx, y + h + 4, GOAL_STROKE, gx, y + h + 20,
            /* centred under the mark, unless that would cut it off at either edge */
            gx < 40           ? "start"
            : gx > bar_w - 60 ? "end"
                              : "middle",
            GOAL_STROKE, goal_pct);
    }
    buf_printf(&b, "<text x=\"%d\" y=\"%d\" font-size=\"14\" fill=\"%s\" " FONT ">", bar_w + 10,
               y + 16, TEXT_FILL);
    if (den <= 0)
        buf_puts(&b, "—");
    else if (text)
        svg_escape(&b, text);
    else
        buf_printf(&b, "%lld/%lld", (long long)num, (long long)den);
    buf_puts(&b, "</text></svg>");
    return buf_steal(&b);
}

char *svg_columns(const char *title, const char *const *labels, const int64_t *values, size_t n) {
    Buf b;
    buf_init(&b);
    const int height = 200, base = 170, top = TOP + 14;
    open_svg(&b, title, height);
    int64_t max = 0;
    for (size_t i = 0; i < n; i++)
        if (values[i] > max) max = values[i];
    double slot = n ? (double)W / (double)n : W;
    int col_w = (int)(slot * 0.6);
    buf_printf(
        &b, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#9aa5b1\" stroke-width=\"1\"/>",
        base, W, base);
    for (size_t i = 0; i < n; i++) {
        int64_t v = values[i] < 0 ? 0 : values[i];
        int hgt = max > 0 ? (int)((double)(base - top) * (double)v / (double)max + 0.5) : 0;
        if (v > 0 && hgt < 2) hgt = 2;
        int cx = (int)(slot * (double)i + slot / 2);
        buf_puts(&b, "<g><title>");
        svg_escape(&b, labels[i]);
        buf_printf(&b, "：%lld</title>", (long long)v);
        if (hgt)
            buf_printf(&b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>",
                       cx - col_w / 2, base - hgt, col_w, hgt, BAR_FILL);
        if (v)
            buf_printf(
                &b,
                "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" fill=\"%s\" " FONT
                ">%lld</text>",
                cx, base - hgt - 4, TEXT_FILL, (long long)v);
        buf_printf(
            &b,
            "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" fill=\"%s\" " FONT ">",
            cx, base + 18, TEXT_FILL);
        escape_short(&b, labels[i], 6);
        buf_puts(&b, "</text></g>");
    }
    buf_puts(&b, "</svg>");
    return buf_steal(&b);
}
