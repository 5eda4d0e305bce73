/* page_public.c - the public portal under /public/, without login. Shows only what is meant to
 * be public: the published item list (随机抽查事项清单, public_items.h). Never personal data,
 * never credit grades. Plans, schemes, draws and results have their own public pages. The front
 * page shows the day's anchor of the audit log (docs/AUDIT.md). */
#include "../core/clock.h"
#include "../domain/audit.h"
#include "../domain/public_items.h"
#include "web.h"

#include <stdlib.h>

/* The day's anchor of the audit log (today in `day`): 1 with n and hash, 0 when the log has no row
 * before today or cannot be read. Stable all day, so anyone can note it and check later. */
static int day_anchor(Req *r, char day[11], int64_t *n, char hash[AUDIT_HASH_HEX + 1]) {
    clock_today(day);
    return audit_day_anchor(r->db, day, n, hash) == DB_OK && *n > 0;
}

void page_public_index(Req *r) {
    json_t *ctx = json_pack("{s:o}", "orgs", public_items_orgs(r->db));
    char today[11], hash[AUDIT_HASH_HEX + 1];
    int64_t n = 0;
    if (day_anchor(r, today, &n, hash))
        json_object_set_new(
            ctx, "anchor",
            json_pack("{s:I, s:s, s:s}", "id", (json_int_t)n, "hash", hash, "day", today));
    web_page(r, "public_index", "公开门户", ctx);
}

/* GET /public/anchor.txt: the same anchor as one line "YYYY-MM-DD<TAB>HASH@N", for an upper level
 * that records it (`spotcheck anchor record --head`, anchor.h) by a script rather than by eye. */
void page_public_anchor_txt(Req *r) {
    char today[11], hash[AUDIT_HASH_HEX + 1];
    int64_t n = 0;
    if (!day_anchor(r, today, &n, hash)) {
        web_error(r, 404, "not_found", "审计日志中尚无今日之前的记录");
        return;
    }
    buf_reset(&r->res->body);
    buf_printf(&r->res->body, "%s\t%s@%lld\n", today, hash, (long long)n);
    http_set_header(r->res, "Content-Type", "text/plain; charset=utf-8");
}

/* GET /public/items/:id: one item with the history of its public fields. */
void page_public_item(Req *r) {
    long long id = str_id(web_param(r, "id"));
    json_t *v = id ? public_items_history(r->db, id) : NULL;
    if (!v) {
        web_error(r, 404, "not_found", "没有这个抽查事项");
        return;
    }
    web_page(r, "public_item", "抽查事项", v);
}

void page_public_items(Req *r) {
    char *org = web_query(r, "org");
    json_t *items = public_items_list(r->db, org);
    free(org);
    web_page(r, "public_items", "随机抽查事项清单",
             json_pack("{s:o, s:I}", "items", items, "count", (json_int_t)json_array_size(items)));
}
