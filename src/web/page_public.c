/* page_public.c - the public portal under /public/, without login. Shows only what is meant to
 * be public: the published item list (随机抽查事项清单, public_items.h). Never personal data,
 * never credit grades. Plans, schemes, draws and results have their own public pages. */
#include "../domain/public_items.h"
#include "web.h"

#include <stdlib.h>

void page_public_index(Req *r) {
    web_page(r, "public_index", "公开门户", json_pack("{s:o}", "orgs", public_items_orgs(r->db)));
}

void page_public_items(Req *r) {
    char *org = web_query(r, "org");
    json_t *items = public_items_list(r->db, org);
    free(org);
    web_page(r, "public_items", "随机抽查事项清单", json_pack("{s:o, s:I}", "items", items, "count", (json_int_t)json_array_size(items)));
}
