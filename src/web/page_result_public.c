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
    char *q = web_query(r, "q");
    if (q) str_trim(q);
    int page = web_page_number(r);
    int64_t total = 0;
    json_t *rows = result_public_search(r->db, q, page, PER_PAGE, &total);
    int64_t pages = (total + PER_PAGE - 1) / PER_PAGE;
    json_t *ctx = json_pack("{s:o, s:s, s:I, s:I, s:I}", "rows", rows, "q", q ? q : "", "total",
                            (json_int_t)total, "page", (json_int_t)page, "pages",
                            (json_int_t)(pages ? pages : 1));
    web_pager_links(ctx, "/public/results", q, page, pages);
    web_page(r, "public_results", "抽查检查结果公示", ctx);
    free(q);
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
