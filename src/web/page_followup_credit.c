/* page_followup_credit.c - a target's credit record (internal: its credit events and published
 * results, with its risk grade) and the grade adjustment with a reason (src/domain/credit.c,
 * through the directory engine, audited); and the public list of published penalty decisions
 * (行政处罚决定公示, 睢县 二(六)) under /public/, which shows no grade and never names an insured
 * person (names masked, no ID numbers). */
#include "../core/clock.h"
#include "../domain/codes.h"
#include "../domain/credit.h"
#include "../domain/followup.h"
#include "../core/money.h"
#include "followup_web.h"

#include <stdlib.h>
#include <string.h>

/* The target of :id when it exists in the user's scope; else 404 and 0. */
static long long target_id(Req *r) {
    long long id = str_id(web_param(r, "id"));
    return web_scope_gate(r, credit_target_org(r->db, id), "检查对象不存在或不在您的管辖范围内")
               ? 0
               : id;
}

static void render_credit(Req *r, long long id, json_t *errors, const char *typed_reason,
                          const char *typed_basis, int status) {
    json_t *j = credit_record_json(r->db, id);
    if (!j) {
        json_decref(errors);
        web_error(r, 404, "not_found", "检查对象不存在");
        return;
    }
    json_t *grades = json_array(), *list = json_array();
    const char *cur = json_string_value(json_object_get(json_object_get(j, "target"), "grade"));
    static const char *const g[][2] = {
        {"A", "A（低风险）"}, {"B", "B（一般风险）"}, {"C", "C（较高风险）"}, {"D", "D（高风险）"}};
    for (size_t i = 0; i < ARRAY_LEN(g); i++)
        json_array_append_new(grades, json_pack("{s:s, s:s, s:b}", "code", g[i][0], "label",
                                                g[i][1], "current", str_eq(cur, g[i][0])));
    const char *k;
    json_t *v;
    json_object_foreach(errors, k, v) json_array_append(list, v);
    json_decref(errors);
    json_object_set_new(j, "grades", grades);
    json_object_set_new(j, "error_list", list);
    json_object_set_new(j, "reason", json_string(typed_reason ? typed_reason : ""));
    json_object_set_new(j, "basis", json_string(typed_basis ? typed_basis : ""));
    json_object_set_new(j, "can_grade", json_boolean(web_role_has(r->sess->role, P_CREDIT_WRITE)));
    json_t *prop = credit_proposal(r->db, id);
    if (prop) json_object_set_new(j, "proposal", prop);
    json_object_set_new(j, "can_confirm",
                        json_boolean(prop && web_role_has(r->sess->role, P_CREDIT_CONFIRM)));
    web_name_users(r, j);
    web_page(r, "credit_record", "信用记录", j);
    if (status != 200) r->res->status = status;
}

void page_credit_record(Req *r) {
    long long id = target_id(r);
    if (id) render_credit(r, id, json_object(), NULL, NULL, 200);
}

void page_credit_grade(Req *r) {
    long long id = target_id(r);
    if (!id) return;
    char *grade = web_form(r, "grade"), *reason = web_form(r, "reason"),
         *basis = web_form(r, "basis"), *msg = NULL, today[11];
    clock_today(today);
    if (reason) str_trim(reason);
    if (basis) str_trim(basis);
    json_t *errors = json_object();
    Actor who = web_actor(r);
    int rc = credit_grade_adjust(r->db, &who, id, grade, reason, basis, errors, &msg);
    if (rc == CREDIT_OK) {
        char *loc = xasprintf("/credit/%lld?ok=saved", id);
        web_redirect(r, loc);
        free(loc);
        json_decref(errors);
    } else if (rc == CREDIT_INVALID) {
        render_credit(r, id, errors, reason, basis, 422);
    } else {
        json_decref(errors);
        web_error(r, web_status(rc), "credit_grade", msg ? msg : "调整失败");
    }
    free(grade);
    free(reason);
    free(basis);
    free(msg);
}

/* POST /credit/:id/confirm: the leader confirms the proposed grade with a reason. */
void page_credit_confirm(Req *r) {
    long long id = target_id(r);
    if (!id) return;
    char *grade = web_form(r, "grade"), *reason = web_form(r, "reason"), *msg = NULL;
    if (reason) str_trim(reason);
    json_t *errors = json_object();
    Actor who = web_actor(r);
    int rc = credit_grade_confirm(r->db, &who, id, grade, reason, errors, &msg);
    if (rc == CREDIT_OK) {
        char *loc = xasprintf("/credit/%lld?ok=confirmed", id);
        web_redirect(r, loc);
        free(loc);
        json_decref(errors);
    } else if (rc == CREDIT_INVALID) {
        render_credit(r, id, errors, reason, NULL, 422);
    } else {
        json_decref(errors);
        web_error(r, web_status(rc), "credit_confirm", msg ? msg : "确认失败");
    }
    free(grade);
    free(reason);
    free(msg);
}

/* ---- public ---- */

#define PENALTIES_PER_PAGE 20

void page_public_penalties(Req *r) {
    char *q = web_query(r, "q");
    if (q) str_trim(q);
    const char *qq = q ? q : "";
    int page = web_page_number(r);
    int64_t total = 0;
    json_t *rows = followup_public_penalties(r->db, qq, PENALTIES_PER_PAGE,
                                             (int64_t)(page - 1) * PENALTIES_PER_PAGE, &total);
    int64_t pages = (total + PENALTIES_PER_PAGE - 1) / PENALTIES_PER_PAGE;
    json_t *ctx = json_pack("{s:o, s:s, s:I, s:I, s:I}", "penalties", rows, "q", qq, "total",
                            (json_int_t)total, "page", (json_int_t)page, "pages",
                            (json_int_t)(pages ? pages : 1));
    web_pager_links(ctx, "/public/penalties", q, page, pages);
    free(q);
    web_page(r, "public_penalties", "行政处罚决定公示", ctx);
}
