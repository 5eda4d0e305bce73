/* page_anchor.c - the lower orgs' daily audit anchors as the city keeps them (src/domain/anchor.h,
 * docs/AUDIT.md "A city keeps its counties' heads"): the list per county with the latest day and a
 * warning for those without a head in the last N working days (/anchors), one county's heads with
 * the red flags (/anchors/:id), the form that records a head read from a county's portal, and the
 * same as JSON (/api/v1/anchors). Reading needs audit.read; recording anchor.write (监督,
 * 系统管理员). The check of a county's database against them is `spotcheck anchor check`
 * (src/cli/cmd_anchor.c): the county's database is not on this server. */
#include "../core/clock.h"
#include "../domain/anchor.h"
#include "../domain/jsonkit.h"
#include "web.h"

#include <stdlib.h>
#include <string.h>

/* ?days=N: 1..60 working days, ANCHOR_STALE_DAYS when absent or out of range. */
static int stale_days(Req *r) {
    char *d = web_query(r, "days");
    int n = d ? atoi(d) : 0;
    free(d);
    return n >= 1 && n <= 60 ? n : ANCHOR_STALE_DAYS;
}

/* The list page, with the form's typed values and field errors when a recording was refused. */
static void render_list(Req *r, json_t *typed, json_t *errors, int status) {
    char today[11];
    clock_today(today);
    json_t *ctx = anchor_counties(r->db, r->sess->org_id, today, stale_days(r));
    if (!ctx) {
        json_decref(typed);
        json_decref(errors);
        web_error(r, 500, "internal", "读取锚点失败");
        return;
    }
    json_t *list = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(errors, k, v) json_array_append(list, v);
    json_object_set_new(ctx, "errors", errors ? errors : json_object());
    json_object_set_new(ctx, "error_list", list);
    json_object_set_new(ctx, "form", typed ? typed : json_pack("{s:s}", "day", today));
    json_object_set_new(ctx, "today", json_string(today));
    json_object_set_new(ctx, "can_record",
                        json_boolean(web_role_has(r->sess->role, P_ANCHOR_WRITE)));
    web_page(r, "anchors", "下级机构的审计日志锚点", ctx);
    if (status != 200) r->res->status = status;
}

void page_anchors(Req *r) {
    render_list(r, NULL, NULL, 200);
}

void page_anchor_county(Req *r) {
    json_t *ctx = anchor_heads(r->db, r->sess->org_id, str_id(web_param(r, "id")));
    if (!ctx) {
        web_error(r, 404, "not_found", "没有这个下级机构");
        return;
    }
    web_name_users(r, ctx);
    web_page(r, "anchor_county", "下级机构的审计日志锚点", ctx);
}

/* Records in for the signed-in account: the domain's result, *out and errors as anchor_record. */
static int record(Req *r, const AnchorInput *in, json_t *errors, json_t **out, char **msg) {
    char today[11];
    clock_today(today);
    Actor who = web_actor(r);
    return anchor_record(r->db, &who, in, today, errors, out, msg);
}

void page_anchor_record(Req *r) {
    static const char *const names[] = {"org", "head", "day", "source"};
    char *v[4];
    for (int i = 0; i < 4; i++)
        v[i] = web_form(r, names[i]);
    AnchorInput in = {.org_code = v[0], .head = v[1], .day = v[2], .source = v[3]};
    json_t *errors = json_object(), *out = NULL;
    char *msg = NULL;
    int rc = record(r, &in, errors, &out, &msg);
    if (rc == SC_OK) {
        const char *ok = json_is_true(json_object_get(out, "duplicate"))  ? "anchor_same"
                         : json_array_size(json_object_get(out, "flags")) ? "anchor_flag"
                                                                          : "anchor";
        char *loc = xasprintf("/anchors/%lld?ok=%s",
                              (long long)json_integer_value(json_object_get(out, "org_id")), ok);
        web_redirect(r, loc);
        free(loc);
        json_decref(errors);
    } else if (rc == SC_INVALID) {
        json_t *typed = json_object();
        for (int i = 0; i < 4; i++)
            json_object_set_new(typed, names[i], json_string(v[i] ? v[i] : ""));
        render_list(r, typed, errors, 422);
    } else {
        json_decref(errors);
        web_error(r, web_status(rc), "anchor", msg ? msg : "登记失败");
    }
    json_decref(out);
    free(msg);
    for (int i = 0; i < 4; i++)
        free(v[i]);
}

void api_anchors(Req *r) {
    char *org = web_query(r, "org"), today[11];
    clock_today(today);
    json_t *j = org ? anchor_heads(r->db, r->sess->org_id, str_id(org))
                    : anchor_counties(r->db, r->sess->org_id, today, stale_days(r));
    if (j)
        web_json(r, 200, j);
    else
        web_error(r, org ? 404 : 500, org ? "not_found" : "internal",
                  org ? "没有这个下级机构" : "读取锚点失败");
    free(org);
}

void api_anchor_record(Req *r) {
    json_t *body = web_json_body(r, 0);
    if (!body) return;
    AnchorInput in = {.org_code = jk_str(body, "org"),
                      .head = jk_str(body, "head"),
                      .day = jk_str(body, "date"),
                      .source = jk_str(body, "source")};
    json_t *errors = json_object(), *out = NULL;
    char *msg = NULL;
    int rc = record(r, &in, errors, &out, &msg);
    if (rc == SC_OK)
        web_json(r, json_is_true(json_object_get(out, "duplicate")) ? 200 : 201, out);
    else if (rc == SC_INVALID)
        web_json(r, 422,
                 json_pack("{s:{s:s, s:s, s:O}}", "error", "code", "invalid", "message",
                           msg ? msg : "输入有误", "fields", errors));
    else
        web_error(r, web_status(rc), "anchor", msg ? msg : "登记失败");
    if (rc != SC_OK) json_decref(out);
    json_decref(errors);
    json_decref(body);
    free(msg);
}
