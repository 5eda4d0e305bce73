/* test_stale.c - the one side-by-side answer to a save on an old version (src/web/stale.c) and its
 * partial web/templates/stale.html: texts of values, which fields differ, the context, escaping. */
#include "../../src/web/stale.h"
#include "../../src/web/tmpl.h"
#include "t.h"

#include <stdlib.h>

static int text_is(json_t *v, const char *want) {
    char *t = stale_text(v);
    int ok = !strcmp(t, want);
    if (!ok) fprintf(stderr, "  stale_text = \"%s\", expected \"%s\"\n", t, want);
    free(t);
    json_decref(v);
    return ok;
}

static void test_text(void) {
    CHECK(text_is(json_string("实地检查"), "实地检查"));
    CHECK(text_is(json_integer(42), "42"));
    CHECK(text_is(json_true(), "是"));
    CHECK(text_is(json_false(), "否"));
    CHECK(text_is(json_null(), ""));
    CHECK(text_is(NULL, ""));
    CHECK(text_is(json_pack("[s, s, i, s]", "A", "", 3, "B"), "A、3、B")); /* blanks left out */
    CHECK(text_is(json_object(), ""));
}

static void test_compare(void) {
    static const StaleField f[] = {{"a", "甲"}, {"b", "乙"}, {"c", "丙"}, {"d", "丁"}};
    json_t *saved =
               json_pack("{s:s, s:i, s:[s,s], s:s}", "a", "x", "b", 5, "c", "1", "2", "d", "k"),
           *typed = json_pack("{s:s, s:s, s:s}", "a", "x", "b", "6", "c", "1、2"),
           *rows = json_array();
    CHECK_INT(stale_compare(rows, f, 4, saved, typed), 1); /* only b differs; d was not typed */
    CHECK_INT(json_array_size(rows), 3);
    CHECK_STR(json_string_value(json_object_get(json_array_get(rows, 1), "label")), "乙");
    CHECK(json_is_true(json_object_get(json_array_get(rows, 1), "differs")));
    CHECK(json_is_false(json_object_get(json_array_get(rows, 2), "differs")));
    CHECK_INT(stale_row(rows, "戊", NULL, ""), 0);
    CHECK_INT(stale_row(rows, "己", "旧", NULL), 1);
    json_t *ctx = stale_context("x-stale", "版", 3, 4, rows);
    CHECK_INT(json_integer_value(json_object_get(ctx, "differ")), 2);
    CHECK_INT(json_integer_value(json_object_get(ctx, "same_count")), 3);
    CHECK(json_is_false(json_object_get(ctx, "same")));
    json_decref(ctx);
    json_decref(saved);
    json_decref(typed);
}

/* The partial as a page shows it: differing rows marked and first, the rest folded, all escaped. */
static void test_render(void) {
    json_t *rows = json_array();
    stale_row(rows, "备注", "<b>他人</b>", "我的");
    stale_row(rows, "日期", "2026-06-18", "2026-06-18");
    json_t *ctx = json_pack("{s:o}", "stale", stale_context("r-stale", "版", 2, 3, rows));
    Buf out;
    buf_init(&out);
    char *err = NULL;
    CHECK(tmpl_render_string(&out, "{{#stale}}{{> stale}}{{/stale}}", 31, ctx, &err) == 0);
    const char *h = out.data ? out.data : "";
    CHECK(strstr(h, "id=\"r-stale\"") != NULL);
    CHECK(strstr(h, "您编辑的是第 2 版，当前为第 3 版") != NULL);
    CHECK(
        strstr(h,
               "<tr class=\"stale-diff\"><th scope=\"row\">备注</th><td data-label=\"他人已保存\">"
               "&lt;b&gt;他人&lt;/b&gt;</td><td data-label=\"您填写的\">我的</td>") != NULL);
    CHECK(strstr(h, "<b>他人") == NULL);
    CHECK(strstr(h, "其余 1 项两者相同") != NULL);
    const char *diff = strstr(h, "stale-diff"), *same = strstr(h, "<details");
    CHECK(diff && same && diff < same);
    if (err) fprintf(stderr, "  %s\n", err);
    free(err);
    buf_free(&out);
    json_decref(ctx);
}

int main(void) {
    RUN(test_text);
    RUN(test_compare);
    RUN(test_render);
    return T_DONE();
}
