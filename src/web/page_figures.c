/* page_figures.c - the year's figures page (GET /figures?year=YYYY) with its SVG charts, and
 * the JSON API (GET /api/v1/figures?year=YYYY). The figures and their definitions come from
 * src/domain/figures.c; this file only picks the year, adds the charts (src/web/svg.c) and
 * renders web/templates/figures.html. Scope: the user's org and the orgs below it. Read-only. */
#include "../core/clock.h"
#include "../domain/figures.h"
#include "figures_web.h"
#include "svg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *figures_web_load(Req *r, int *year_out) {
    char today[11];
    clock_today(today);
    int year = atoi(today);
    char *q = web_query(r, "year");
    if (q && *q) {
        char *end;
        long y = strtol(q, &end, 10);
        if (*end || y < 2000 || y > 2999) {
            free(q);
            web_error(r, 400, "invalid", "年度须为 2000 至 2999 之间的四位数字");
            return NULL;
        }
        year = (int)y;
    }
    free(q);
    char *err = NULL;
    json_t *rep = figures_year_json(r->db, year, r->sess->org_id, &err);
    if (!rep) {
        web_error(r, 500, "db", err ? err : "数据库错误");
        free(err);
        return NULL;
    }
    *year_out = year;
    return rep;
}

void api_figures(Req *r) {
    int year;
    json_t *rep = figures_web_load(r, &year);
    if (rep) web_json(r, 200, rep);
}

/* The years offered by the selector: years with a held draw, the current year and the shown one. */
static json_t *year_options(Req *r, int shown) {
    char today[11];
    clock_today(today);
    int cur = atoi(today), years[64], n = 0;
    years[n++] = cur;
    if (shown != cur) years[n++] = shown;
    int held[50], nh = figures_draw_years(r->db, r->sess->org_id, held, 50);
    for (int k = 0; k < nh && n < 64; k++) {
        int y = held[k], dup = 0;
        for (int i = 0; i < n; i++)
            dup |= years[i] == y;
        if (!dup && y >= 2000 && y <= 2999) years[n++] = y;
    }
    for (int i = 0; i < n; i++) /* newest first */
        for (int j = i + 1; j < n; j++)
            if (years[j] > years[i]) {
                int t = years[i];
                years[i] = years[j];
                years[j] = t;
            }
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            a, json_pack("{s:i, s:b}", "year", years[i], "selected", years[i] == shown));
    return a;
}

/* Adds an "svg" progress chart to every figure of the report. */
static void add_progress_charts(json_t *figures) {
    size_t i;
    json_t *f;
    json_array_foreach(figures, i, f) {
        json_int_t num = json_integer_value(json_object_get(f, "num")),
                   den = json_integer_value(json_object_get(f, "den"));
        json_t *g = json_object_get(f, "goal_pct");
        char text[96];
        snprintf(text, sizeof text, "%s（%lld/%lld）",
                 json_string_value(json_object_get(f, "ratio")), (long long)num, (long long)den);
        char *svg = svg_progress(json_string_value(json_object_get(f, "name")), num, den,
                                 json_is_number(g) ? json_number_value(g) : -1, text);
        json_object_set_new(f, "svg", json_string(svg));
        free(svg);
        const json_t *met = json_object_get(f, "met");
        json_object_set_new(f, "met_class",
                            json_string(json_is_true(met)    ? "badge-ok"
                                        : json_is_false(met) ? "badge-danger"
                                                             : "badge-off"));
    }
}

/* Bar chart of the non-zero rows of a count table. */
static char *count_chart(const char *title, const json_t *rows, const char *text_key) {
    size_t n = json_array_size(rows), k = 0;
    SvgBar *bars = xcalloc(n ? n : 1, sizeof *bars);
    char **texts = xcalloc(n ? n : 1, sizeof *texts);
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(rows, i);
        json_int_t c = json_integer_value(json_object_get(e, "count"));
        if (c <= 0) continue;
        bars[k].label = json_string_value(json_object_get(e, "label"));
        bars[k].value = c;
        if (text_key)
            texts[k] = xasprintf("%lld条，%s元", (long long)c,
                                 json_string_value(json_object_get(e, text_key)));
        bars[k].text = texts[k];
        k++;
    }
    char *svg = svg_bar_chart(title, bars, k);
    for (size_t i = 0; i < k; i++)
        free(texts[i]);
    free(texts);
    free(bars);
    return svg;
}

void page_figures(Req *r) {
    int year;
    json_t *rep = figures_web_load(r, &year);
    if (!rep) return;
    add_progress_charts(json_object_get(rep, "figures"));
    const json_t *months = json_object_get(rep, "months");
    const char *labels[12];
    int64_t values[12];
    for (size_t i = 0; i < 12; i++) {
        labels[i] = json_string_value(json_object_get(json_array_get(months, i), "label"));
        values[i] = json_integer_value(json_object_get(json_array_get(months, i), "checks"));
    }
    char *title = xasprintf("%d年各月抽查次数（按摇号日期）", year);
    char *svg = svg_columns(title, labels, values, 12);
    json_object_set_new(rep, "months_svg", json_string(svg));
    free(svg);
    free(title);
    svg = count_chart("按检查结果类别的已公示记录数", json_object_get(rep, "result_counts"), NULL);
    json_object_set_new(rep, "results_svg", json_string(svg));
    free(svg);
    svg = count_chart("按违法行为类别的违法行为条数", json_object_get(rep, "violation_counts"),
                      "amount");
    json_object_set_new(rep, "violations_svg", json_string(svg));
    free(svg);
    json_object_set_new(rep, "years", year_options(r, year));
    char *t = xasprintf("%d年度指标", year);
    web_page(r, "figures", t, rep);
    free(t);
}
