/* page_result.c - review and publication pages: the 分管领导's queue of submitted records
 * (/review) with the read-only record and the return/approve actions, the 检查科室's list of
 * approved records awaiting publication with their deadlines (/results), single and batch
 * publication, and the exchange export for the credit information system. Rules live in
 * src/domain/result.c; every change is one unit of work of src/domain/result_act.c (one
 * transaction with its audit row): these handlers parse and render. Records are visible inside
 * the user's org scope only (404 otherwise). */
#include "../core/clock.h"
#include "../domain/record_query.h"
#include "../domain/result.h"
#include "../domain/result_act.h"
#include "../domain/task.h"
#include "../domain/revisit.h"
#include "result_web.h"

#include <stdlib.h>
#include <string.h>

/* ---- shared helpers ---- */

long long result_web_id(Req *r) {
    long long id = str_id(web_param(r, "id"));
    return web_scope_gate(r, record_org(r->db, id), "检查记录不存在或不在您的管辖范围内") ? 0 : id;
}

int result_web_review(Req *r, long long id, const char *action, const char *opinion, char **msg) {
    Actor who = web_actor(r);
    return result_act_review(r->db, &who, id, action, opinion, msg);
}

/* ---- review ---- */

void page_review_list(Req *r) {
    Calendar *cal = web_calendar(r);
    char today[11];
    clock_today(today);
    json_t *rows = result_list_json(r->db, r->sess->org_id, "待审核", cal, today, 0);
    calendar_free(cal);
    json_t *ctx = json_pack("{s:o}", "rows", rows);
    char *ok = web_query(r, "ok");
    if (str_eq(ok, "returned"))
        json_object_set_new(
            ctx, "flash",
            json_pack("{s:s, s:s}", "kind", "success", "text", "已退回，检查人员修改后可重新提交"));
    else if (str_eq(ok, "approved"))
        json_object_set_new(
            ctx, "flash",
            json_pack("{s:s, s:s}", "kind", "success", "text", "已审核通过，等待检查科室公示"));
    free(ok);
    web_name_users(r, ctx);
    web_page(r, "result_review_list", "检查结果审核", ctx);
}

/* Renders the read-only record; `review` adds the reviewer's actions, `publish` the publish button.
 * A published record shows its 回访 and, for the 检查科室, the form to add one (errors and typed:
 * a refused visit, may be NULL). */
static void record_page_as(Req *r, int review, json_t *errors, json_t *typed, int status_code);
static void record_page(Req *r, int review) {
    record_page_as(r, review, NULL, NULL, 200);
}
static void record_page_as(Req *r, int review, json_t *errors, json_t *typed, int status_code) {
    long long id = result_web_id(r);
    if (!id) return;
    Calendar *cal = web_calendar(r);
    char today[11];
    clock_today(today);
    json_t *rec = result_record_json(r->db, id, cal, today);
    calendar_free(cal);
    if (!rec) {
        web_error(r, 404, "not_found", "检查记录不存在");
        return;
    }
    const char *status = json_string_value(json_object_get(rec, "status"));
    int own = str_eq(json_string_value(json_object_get(rec, "submitted_by")), r->sess->username);
    json_object_set_new(rec, "can_review",
                        json_boolean(review && str_eq(status, "待审核") && !own));
    json_object_set_new(rec, "own_record", json_boolean(review && str_eq(status, "待审核") && own));
    json_object_set_new(rec, "can_publish", json_boolean(!review && str_eq(status, "审核通过")));
    json_object_set_new(rec, "back_href", json_string(review ? "/review" : "/results"));
    if (str_eq(status, "已公示")) {
        json_object_set_new(rec, "revisits", revisit_list(r->db, id));
        json_object_set_new(rec, "can_revisit",
                            json_boolean(!review && web_role_has(r->sess->role, P_FOLLOWUP_WRITE)));
        json_object_set_new(rec, "revisit_today", json_string(today));
        if (errors) {
            json_t *list = json_array();
            const char *k;
            json_t *v;
            json_object_foreach(errors, k, v) json_array_append(list, v);
            json_object_set_new(rec, "revisit_errors", list);
        }
        if (typed) json_object_set(rec, "revisit_typed", typed);
        /* the choices, the typed one selected again after a refusal */
        json_t *m = json_array(), *c = json_array();
        const char *tm = json_string_value(json_object_get(typed, "method")),
                   *tc = json_string_value(json_object_get(typed, "conduct"));
        for (const char *const *v = revisit_methods; *v; v++)
            json_array_append_new(m,
                                  json_pack("{s:s, s:b}", "value", *v, "selected", str_eq(tm, *v)));
        for (const char *const *v = revisit_conducts; *v; v++)
            json_array_append_new(c,
                                  json_pack("{s:s, s:b}", "value", *v, "selected", str_eq(tc, *v)));
        json_object_set_new(rec, "rv_methods", m);
        json_object_set_new(rec, "rv_conducts", c);
    }
    char *title = xasprintf("检查记录：%s", json_string_value(json_object_get(rec, "target_name")));
    web_name_users(r, rec);
    web_page(r, "result_record", title, rec);
    if (status_code != 200) r->res->status = status_code;
    free(title);
}

/* POST /results/:id/revisits: records a 回访 of the published record. */
void page_result_revisit(Req *r) {
    long long id = result_web_id(r);
    if (!id) return;
    char *f[4] = {web_form(r, "on_day"), web_form(r, "method"), web_form(r, "conduct"),
                  web_form(r, "summary")};
    RevisitInput in = {f[0], f[1], f[2], f[3]};
    char today[11], *msg = NULL;
    clock_today(today);
    json_t *errors = json_object();
    Actor who = web_actor(r);
    int rc = revisit_add(r->db, &who, id, &in, today, errors, &msg);
    if (rc == SC_OK) {
        char *loc = xasprintf("/results/%lld?ok=saved#revisits", id);
        web_redirect(r, loc);
        free(loc);
    } else if (rc == SC_INVALID) {
        json_t *typed =
            json_pack("{s:s, s:s, s:s, s:s}", "on_day", f[0] ? f[0] : "", "method",
                      f[1] ? f[1] : "", "conduct", f[2] ? f[2] : "", "summary", f[3] ? f[3] : "");
        record_page_as(r, 0, errors, typed, 422);
        json_decref(typed);
    } else
        web_error(r, web_status(rc), "revisit", msg ? msg : "登记失败");
    json_decref(errors);
    for (int i = 0; i < 4; i++)
        free(f[i]);
    free(msg);
}

void page_review_detail(Req *r) {
    record_page(r, 1);
}
void page_result_detail(Req *r) {
    record_page(r, 0);
}

static void review_action(Req *r, const char *action) {
    long long id = result_web_id(r);
    if (!id) return;
    char *opinion = web_form(r, "opinion"), *msg = NULL;
    int rc = result_web_review(r, id, action, opinion, &msg);
    if (rc == RESULT_OK)
        web_redirect(r, str_eq(action, "return") ? "/review?ok=returned" : "/review?ok=approved");
    else
        web_error(r, web_status(rc), "review", msg ? msg : "审核失败");
    free(opinion);
    free(msg);
}

void page_review_return(Req *r) {
    review_action(r, "return");
}
void page_review_approve(Req *r) {
    review_action(r, "approve");
}

/* ---- publication ---- */

static void results_page(Req *r, json_t *flash, json_t *problems, int status) {
    Calendar *cal = web_calendar(r);
    char today[11];
    clock_today(today);
    json_t *pending = result_list_json(r->db, r->sess->org_id, "审核通过", cal, today, 0);
    json_t *published = result_list_json(r->db, r->sess->org_id, "已公示", cal, today, 50);
    calendar_free(cal);
    json_t *ctx =
        json_pack("{s:o, s:o, s:s}", "pending", pending, "published", published, "today", today);
    if (flash) json_object_set_new(ctx, "flash", flash);
    if (problems) json_object_set(ctx, "problems", problems);
    web_name_users(r, ctx);
    web_page(r, "result_list", "检查结果公示", ctx);
    if (status) r->res->status = status;
}

void page_results(Req *r) {
    char *ok = web_query(r, "ok"), *n = web_query(r, "n"), *late = web_query(r, "late");
    json_t *flash = NULL;
    if (str_eq(ok, "published")) {
        char *text = xasprintf("已公示 %s 条检查结果%s", n ? n : "1",
                               late && atoi(late) > 0 ? "，其中逾期公示的已标记" : "");
        flash = json_pack("{s:s, s:s}", "kind", late && atoi(late) > 0 ? "warning" : "success",
                          "text", text);
        free(text);
    }
    results_page(r, flash, NULL, 0);
    free(ok);
    free(n);
    free(late);
}

static void publish_and_report(Req *r, const int64_t *ids, size_t n) {
    json_t *problems = json_array();
    size_t late = 0, published = 0;
    char *msg = NULL;
    Actor who = web_actor(r);
    Calendar *cal = n ? web_calendar(r) : NULL;
    int rc = n ? result_act_publish(r->db, &who, ids, n, cal, problems, &late, &published, &msg)
               : RESULT_INVALID;
    calendar_free(cal);
    if (rc == RESULT_OK) {
        char *loc = xasprintf("/results?ok=published&n=%zu&late=%zu", published, late);
        web_redirect(r, loc);
        free(loc);
    } else {
        char *text = !n    ? xstrdup("请勾选要公示的检查结果")
                     : msg ? xasprintf("公示失败：%s", msg)
                           : xasprintf("有 %zu 条检查结果不能公示，本次未公示任何结果",
                                       json_array_size(problems));
        results_page(r, json_pack("{s:s, s:s}", "kind", "error", "text", text), problems,
                     web_status(rc == RESULT_OK ? RESULT_ERR : rc));
        free(text);
    }
    json_decref(problems);
    free(msg);
}

void page_result_publish(Req *r) {
    long long id = result_web_id(r);
    if (!id) return;
    int64_t ids[1] = {id};
    publish_and_report(r, ids, 1);
}

/* At most this many records per batch: a page shows fewer, and each id is looked up in the body. */
#define RESULT_BATCH_MAX 500

void page_results_publish_batch(Req *r) {
    size_t n = 0, cap = 0;
    int64_t *ids = NULL;
    for (int i = 0;; i++) {
        char *v = web_form_nth(r, "id", i);
        if (!v) break;
        if (i == RESULT_BATCH_MAX) { /* refuse, never drop ids silently */
            free(v);
            free(ids);
            web_error(r, 422, "too_many", "一次最多公示 500 条检查结果，请分批公示");
            return;
        }
        if (n == cap) ids = xrealloc(ids, (cap = cap ? cap * 2 : 16) * sizeof *ids);
        long long id = str_id(v);
        ids[n++] = id ? id : -1; /* an unparsable id is reported as out of scope */
        free(v);
    }
    publish_and_report(r, ids, n);
    free(ids);
}

/* ---- exchange ---- */

json_t *result_web_exchange(Req *r, const char *format) {
    char *from = web_query(r, "from"), *to = web_query(r, "to"), *msg = NULL;
    if (str_empty(from)) from = (free(from), NULL);
    if (str_empty(to)) to = (free(to), NULL);
    json_t *rows = NULL;
    if ((from && !date_valid(from)) || (to && !date_valid(to))) {
        web_error(r, 422, "invalid", "from 与 to 应为 YYYY-MM-DD 格式的日期");
    } else {
        Actor who = web_actor(r);
        int rc = result_act_exchange(r->db, &who, format, from, to, &rows, &msg);
        if (rc == RESULT_BUSY)
            web_error(r, 503, "busy", msg ? msg : "数据库忙，请稍后重试");
        else if (rc != RESULT_OK)
            web_error(r, 500, "export", msg ? msg : "导出失败：审计日志写入失败");
    }
    free(from);
    free(to);
    free(msg);
    return rows;
}

void page_results_exchange(Req *r) {
    char *format = web_query(r, "format");
    const char *f = str_empty(format) ? "csv" : format;
    if (strcmp(f, "csv") != 0 && strcmp(f, "json") != 0) {
        web_error(r, 422, "invalid", "format 应为 csv 或 json");
        free(format);
        return;
    }
    int csv = !strcmp(f, "csv");
    json_t *rows = result_web_exchange(r, csv ? "csv" : "json");
    free(format);
    if (!rows) return;
    if (!csv) {
        web_json(r, 200, json_pack("{s:o}", "results", rows));
        return;
    }
    char *text = result_exchange_csv(rows);
    json_decref(rows);
    buf_reset(&r->res->body);
    buf_puts(&r->res->body, text);
    free(text);
    r->res->status = 200;
    http_set_header(r->res, "Content-Type", "text/csv; charset=utf-8");
    http_set_header(r->res, "Content-Disposition",
                    "attachment; filename=\"spotcheck-results.csv\"");
}
