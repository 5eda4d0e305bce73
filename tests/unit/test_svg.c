/* test_svg.c - the SVG builders of src/web/svg.c: every text escaped (a label with < & " '),
 * well-formed output checked by a strict little tag matcher (every element closed in order,
 * attribute values quoted, no raw '<' or '&' in text), accessibility (role="img", <title>),
 * no style attribute or <style>, "—" for a zero denominator. */
#include "web/svg.h"

#include "t.h"

#include <stdlib.h>

/* Strict well-formedness for the subset the builders emit: a stack of element names; comments,
 * CDATA, doctype and processing instructions are rejected; '&' must start one of the five
 * entities or a numeric one. Returns 1 when well-formed with a single root <svg>. */
static int well_formed(const char *s) {
    char stack[64][32];
    int depth = 0, roots = 0;
    const char *p = s;
    while (*p) {
        if (*p == '&') {
            const char *semi = strchr(p, ';');
            if (!semi || semi - p > 6) return 0;
            if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) &&
                strncmp(p, "&quot;", 6) && strncmp(p, "&#39;", 5))
                return 0;
            p = semi + 1;
            continue;
        }
        if (*p == '>') return 0; /* the builders escape '>' in text too */
        if (*p != '<') {
            p++;
            continue;
        }
        p++;
        int closing = *p == '/';
        if (closing) p++;
        char name[32];
        size_t n = 0;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '-') {
            if (n < 31) name[n++] = *p;
            p++;
        }
        name[n] = 0;
        if (!n) return 0;
        if (closing) {
            if (*p != '>' || depth == 0 || strcmp(stack[depth - 1], name)) return 0;
            depth--;
            p++;
            continue;
        }
        /* attributes: name="value" with no '<' or raw '&' inside */
        for (;;) {
            while (*p == ' ')
                p++;
            if (*p == '>' || (p[0] == '/' && p[1] == '>')) break;
            const char *a = p;
            while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                   (*p >= '0' && *p <= '9') || *p == '-' || *p == ':')
                p++;
            if (p == a || p[0] != '=' || p[1] != '"') return 0;
            p += 2;
            while (*p && *p != '"') {
                if (*p == '<') return 0;
                if (*p == '&' && strncmp(p, "&amp;", 5) && strncmp(p, "&quot;", 6) &&
                    strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) && strncmp(p, "&#39;", 5))
                    return 0;
                p++;
            }
            if (!*p) return 0;
            p++;
        }
        if (depth == 0) roots++;
        if (*p == '/') {
            p += 2;
            continue;
        }
        p++;
        if (depth == 64) return 0;
        memcpy(stack[depth++], name, n + 1);
    }
    return depth == 0 && roots == 1;
}

static void common_checks(const char *svg) {
    CHECK(well_formed(svg));
    CHECK(strncmp(svg, "<svg ", 5) == 0);
    CHECK(strstr(svg, "role=\"img\"") != NULL);
    CHECK(strstr(svg, "<title") != NULL);
    CHECK(strstr(svg, "viewBox=\"") != NULL);
    CHECK(strstr(svg, "width=\"100%\"") != NULL);
    CHECK(strstr(svg, "style") == NULL); /* no style attribute, no <style> (CSP) */
    CHECK(strstr(svg, "<script") == NULL);
}

static void test_matcher_rejects(void) {
    CHECK(well_formed("<svg a=\"1\"><g></g></svg>"));
    CHECK(!well_formed("<svg><g></svg>"));
    CHECK(!well_formed("<svg>a & b</svg>"));
    CHECK(!well_formed("<svg>a < b</svg>"));
    CHECK(!well_formed("<svg a=\"<\"></svg>"));
    CHECK(!well_formed("<svg></svg><svg></svg>"));
}

static void test_escape(void) {
    Buf b;
    buf_init(&b);
    svg_escape(&b, "a<b>&\"c'\x01\td");
    CHECK_STR(b.data, "a&lt;b&gt;&amp;&quot;c&#39;\td");
    buf_free(&b);
}

static void test_bar_chart(void) {
    SvgBar bars[] = {{"<script>&\"x\"</script>", 3, NULL},
                     {"违反医疗保障相关规定之类很长很长的标签名称超过十四个字", 1, "1条，2.00元"},
                     {"零", 0, NULL}};
    char *svg = svg_bar_chart("标题 <&\"'>", bars, 3);
    common_checks(svg);
    CHECK(strstr(svg, "&lt;script&gt;&amp;&quot;x&quot;&lt;/script&gt;") != NULL);
    CHECK(strstr(svg, "<script>") == NULL);
    CHECK(strstr(svg, "标题 &lt;&amp;&quot;&#39;&gt;") != NULL);
    CHECK(strstr(svg, "…") != NULL); /* long label shortened */
    /* ... to what fits left of the bars at 13 units per wide character: 14 and "…" were clipped */
    CHECK(strstr(svg, ">违反医疗保障相关规定之类…</text>") != NULL);
    CHECK(strstr(svg, "违反医疗保障相关规定之类很长很长的标签名称超过十四个字：") !=
          NULL); /* full in <title> */
    CHECK(strstr(svg, "1条，2.00元") != NULL);
    free(svg);
    svg = svg_bar_chart("空", NULL, 0);
    common_checks(svg);
    CHECK(strstr(svg, "暂无数据") != NULL);
    free(svg);
}

static void test_progress(void) {
    char *svg = svg_progress("联合抽查占比", 2, 3, 60, "66.6%（2/3）");
    common_checks(svg);
    CHECK(strstr(svg, "目标 ≥ 60%") != NULL);
    CHECK(strstr(svg, "66.6%（2/3）") != NULL);
    free(svg);
    svg = svg_progress("x", 0, 0, 90, "ignored");
    common_checks(svg);
    CHECK(strstr(svg, "—") != NULL);
    CHECK(strstr(svg, "ignored") == NULL);
    free(svg);
    svg = svg_progress("覆盖率", 30, 2000, 3, NULL); /* a goal near the left edge */
    common_checks(svg);
    CHECK(strstr(svg, "text-anchor=\"start\" fill=\"#c0392b\"") != NULL); /* not cut off */
    free(svg);
    svg = svg_progress("<x>", 5, 4, -1, NULL); /* over 100%, no goal */
    common_checks(svg);
    CHECK(strstr(svg, "目标") == NULL);
    CHECK(strstr(svg, "5/4") != NULL);
    free(svg);
}

/* The x of the last <text> of svg (the value text of a progress bar, the value of the longest bar).
 */
static long last_text_x(const char *svg) {
    const char *p = svg, *last = NULL;
    while ((p = strstr(p, "<text x=\"")) != NULL)
        last = p++;
    return last ? strtol(last + strlen("<text x=\""), NULL, 10) : -1;
}

/* A long value text fits in the 640-unit viewBox (a phone shows the whole chart scaled): at least
 * 160 units after its start, about "100.0%（29758/29758）" at 14 units per CJK character. */
static void test_value_text_room(void) {
    char *p = svg_progress("检查结果公示率", 29758, 29758, 90, "100.0%（29758/29758）");
    long x = last_text_x(p);
    CHECK(x > 0 && 640 - x >= 160);
    free(p);
    SvgBar bars[] = {{"违反医疗保障相关规定", 12, "1,234,567.89元（12条）"}, {"其他", 1, NULL}};
    char *c = svg_bar_chart("违法行为", bars, 2);
    const char *v = strstr(c, "\">1,234,567.89"); /* the text after the bar, not its <title> */
    const char *t = v;
    while (t > c && strncmp(t, "<text x=\"", 9) != 0)
        t--;
    x = strtol(t + 9, NULL, 10);
    CHECK(v && x > 0 && 640 - x >= 160);
    free(c);
}

static void test_columns(void) {
    const char *labels[] = {"1月", "2月", "<3月>"};
    int64_t v[] = {0, 4, 1};
    char *svg = svg_columns("各月", labels, v, 3);
    common_checks(svg);
    CHECK(strstr(svg, "&lt;3月&gt;") != NULL);
    free(svg);
    svg = svg_columns("空", NULL, NULL, 0);
    common_checks(svg);
    free(svg);
}

int main(void) {
    RUN(test_matcher_rejects);
    RUN(test_escape);
    RUN(test_bar_chart);
    RUN(test_progress);
    RUN(test_columns);
    RUN(test_value_text_room);
    return T_DONE();
}
