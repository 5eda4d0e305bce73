/* page_result_public.c - published inspection results on the public portal (/public/results):
 * search by name or code, newest first, paged; one result with the five fields of the national
 * credit system's 抽查检查结果 (检查实施机关, 类型, 日期, 结果, 备注). Everything shown comes from
 * the published_json snapshot written at publication: insured persons appear only as
 * "参保人（个人信息不公开）" with their pseudonymous code; credit grades are never shown. */
#include "../domain/result.h"
#include "result_web.h"

#include <stdlib.h>
#include <string.h>

#define PER_PAGE 20

void page_public_results(Req *r) {
    char *q = web_query(r, "q"), *p = web_query(r, "page");
    if (q) str_trim(q);
    int page = p ? atoi(p) : 1;
    if (page < 1 || page > 100000) page = 1;
    int64_t total = 0;
    json_t *rows = result_public_search(r->db, q, page, PER_PAGE, &total);
    int64_t pages = (total + PER_PAGE - 1) / PER_PAGE;
    json_t *ctx = json_pack("{s:o, s:s, s:I, s:I, s:I}", "rows", rows, "q", q ? q : "", "total",
                            (json_int_t)total, "page", (json_int_t)page, "pages",
                            (json_int_t)(pages ? pages : 1));
    Buf b;
    buf_init(&b);
    if (page > 1) {
        buf_puts(&b, "/public/results?q=");
        web_url_encode(&b, q ? q : "");
        buf_printf(&b, "&page=%d", page - 1);
        json_object_set_new(ctx, "prev_href", json_string(b.data));
    }
    if (page < pages) {
        buf_reset(&b);
        buf_puts(&b, "/public/results?q=");
        web_url_encode(&b, q ? q : "");
        buf_printf(&b, "&page=%d", page + 1);
        json_object_set_new(ctx, "next_href", json_string(b.data));
    }
    buf_free(&b);
    web_page(r, "public_results", "抽查检查结果公示", ctx);
    free(q);
    free(p);
}

void page_public_result(Req *r) {
    const char *s = web_param(r, "id");
    char *end;
    long long id = s ? strtoll(s, &end, 10) : 0;
    json_t *rec = s && *s && *end == 0 && id > 0 ? result_public_get(r->db, id) : NULL;
    if (!rec) {
        web_error(r, 404, "not_found", "该检查结果未公示或不存在");
        return;
    }
    char *title =
        xasprintf("抽查检查结果：%s", json_string_value(json_object_get(rec, "target_name")));
    web_page(r, "public_result", title, rec);
    free(title);
}
