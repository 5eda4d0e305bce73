/* page_result_api.c - the JSON API of review and exchange (docs/API.md): the review queue, a
 * review action (approve / return with an opinion) and the exchange rows for the credit
 * information system. Same permissions, scope, rules and audit rows as the pages
 * (page_result.c); errors use the envelope {"error": {"code", "message"}}. */
#include "../core/clock.h"
#include "../domain/record_query.h"
#include "../domain/result.h"
#include "../domain/task.h"
#include "result_web.h"

#include <stdlib.h>
#include <string.h>

void api_review_queue(Req *r) {
    Calendar *cal = web_calendar(r);
    char today[11];
    clock_today(today);
    json_t *rows = result_list_json(r->db, r->sess->org_id, "待审核", cal, today, 0);
    calendar_free(cal);
    web_json(r, 200, json_pack("{s:o}", "records", rows));
}

void api_review_action(Req *r) {
    long long id = result_web_id(r);
    if (!id) return;
    json_t *body = web_json_body(r, 0);
    if (!body) return;
    const char *action = json_string_value(json_object_get(body, "action"));
    const char *opinion = json_string_value(json_object_get(body, "opinion"));
    if (!str_eq(action, "approve") && !str_eq(action, "return")) {
        web_error(r, 422, "invalid", "action 应为 approve 或 return");
        json_decref(body);
        return;
    }
    char *msg = NULL;
    int rc = result_web_review(r, id, action, opinion, &msg);
    if (rc == RESULT_OK) {
        char *status = NULL;
        int64_t version = 0;
        record_version_status(r->db, id, &version, &status);
        web_json(r, 200,
                 json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", status ? status : ""));
        free(status);
    } else {
        static const char *const codes[] = {"ok", "invalid", "not_found", "conflict"};
        web_error(r, web_status(rc), rc >= 0 && rc <= 3 ? codes[rc] : "internal",
                  msg ? msg : "审核失败");
    }
    free(msg);
    json_decref(body);
}

void api_results_exchange(Req *r) {
    json_t *rows = result_web_exchange(r, "json");
    if (rows) web_json(r, 200, json_pack("{s:o}", "results", rows));
}
