/* page_followup.c - the follow-up pages (后续处置): the list (待处置 records, open follow-ups with
 * their clocks, closed ones), opening one on a published record with findings, the detail page
 * with its edit form, versions and transfers, penalty publication and closing; and the JSON API.
 * Rules, transactions and audit rows live in src/domain/followup*.c; these only parse and render.
 * Follow-ups are visible inside the user's org scope only (404 otherwise). */
#include "../core/clock.h"
#include "../domain/record_query.h"
#include "../domain/followup.h"
#include "../domain/task.h"
#include "followup_web.h"
#include "stale.h"

#include <stdlib.h>
#include <string.h>

/* ---- shared helpers ---- */

char *fu_web_errors_text(json_t *errors) {
    Buf b;
    buf_init(&b);
    const char *k;
    json_t *v;
    json_object_foreach(errors, k, v)
        buf_printf(&b, "%s%s", b.len ? "；" : "", json_string_value(v));
    return b.len ? buf_steal(&b) : (buf_free(&b), xstrdup("输入有误"));
}

/* The follow-up of :id when it exists in the user's scope; else 404 and 0. */
static long long followup_id(Req *r) {
    long long id = str_id(web_param(r, "id"));
    int64_t org = id ? followup_org(r->db, id) : 0;
    return web_scope_gate(r, org, "后续处置不存在或不在您的管辖范围内") ? 0 : id;
}

/* The options with the one chosen marked. */
static json_t *options_for(Req *r, const char *chosen) {
    json_t *opts = followup_options_json(r->db);
    size_t i;
    json_t *o;
    json_array_foreach(opts, i, o) json_object_set_new(
        o, "selected", json_boolean(str_eq(json_string_value(json_object_get(o, "code")), chosen)));
    return opts;
}

static int can_write(Req *r) {
    return web_role_has(r->sess->role, P_FOLLOWUP_WRITE);
}

/* ---- list ---- */

#define CLOSED_PER_PAGE 50

/* The work list: every record awaiting a follow-up and every open one; the closed ones (which
 * only grow) by pages of CLOSED_PER_PAGE, newest first. */
void page_followup_list(Req *r) {
    char today[11];
    clock_today(today);
    Calendar *cal = web_calendar(r);
    int page = web_page_number(r);
    int64_t closed_total = 0;
    json_t *closed =
        followup_list_json(r->db, r->sess->org_id, "已完结", cal, today, CLOSED_PER_PAGE,
                           (page - 1) * CLOSED_PER_PAGE, &closed_total);
    int64_t pages = (closed_total + CLOSED_PER_PAGE - 1) / CLOSED_PER_PAGE;
    json_t *ctx = json_pack(
        "{s:o, s:o, s:o, s:b, s:s, s:I, s:I, s:I}", "pending",
        followup_pending_json(r->db, r->sess->org_id), "open",
        followup_list_json(r->db, r->sess->org_id, "未完结", cal, today, 0, 0, NULL), "closed",
        closed, "can_write", can_write(r), "today", today, "closed_total", (json_int_t)closed_total,
        "page", (json_int_t)page, "pages", (json_int_t)(pages ? pages : 1));
    web_pager_links(ctx, "/followups", NULL, page, pages);
    calendar_free(cal);
    web_page(r, "followup_list", "后续处置", ctx);
}

/* ---- open ---- */

/* The record of ?record= / form record= in scope, published with findings; NULL after an error
 * page. */
static json_t *record_for_new(Req *r, long long rid) {
    if (web_scope_gate(r, record_org(r->db, rid), "检查记录不存在或不在您的管辖范围内"))
        return NULL;
    if (followup_record_has_findings(r->db, rid) != 1) {
        web_error(r, 409, "no_findings", "只有已公示且发现问题的检查结果才需要后续处置");
        return NULL;
    }
    json_t *rec = followup_record_brief(r->db, rid);
    if (!rec) web_error(r, 404, "not_found", "检查记录不存在");
    return rec;
}

static const char *const input_names[] = {"option",         "rectify_deadline", "recheck_on",
                                          "recheck_result", "decision_no",      "decision_on",
                                          "amount",         "receiver",         "outcome"};
#define N_INPUT ARRAY_LEN(input_names)

static FollowupInput input_of(char *v[N_INPUT]) {
    FollowupInput in = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]};
    return in;
}

/* Renders the open form: record, options, typed values (`form`), errors. Steals form, errors. */
static void render_new(Req *r, json_t *rec, json_t *form, json_t *errors, int status) {
    const char *chosen = json_string_value(json_object_get(form, "option"));
    json_t *list = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(errors, k, v) json_array_append(list, v);
    json_t *ctx =
        json_pack("{s:o, s:o, s:o, s:o, s:o}", "record", rec, "options", options_for(r, chosen),
                  "form", form, "errors", errors, "error_list", list);
    web_page(r, "followup_form", "新建后续处置", ctx);
    if (status != 200) r->res->status = status;
}

void page_followup_new(Req *r) {
    char *q = web_query(r, "record");
    long long rid = str_id(q);
    free(q);
    json_t *rec = record_for_new(r, rid);
    if (!rec) return;
    render_new(r, rec, json_object(), json_object(), 200);
}

void page_followup_create(Req *r) {
    char *rs = web_form(r, "record");
    long long rid = str_id(rs);
    free(rs);
    json_t *rec = record_for_new(r, rid);
    if (!rec) return;
    char *v[N_INPUT];
    for (size_t i = 0; i < N_INPUT; i++)
        v[i] = web_form(r, input_names[i]);
    FollowupInput in = input_of(v);
    json_t *errors = json_object();
    char *msg = NULL, today[11];
    clock_today(today);
    int64_t id = 0;
    Actor who = web_actor(r);
    int rc = followup_open(r->db, &who, rid, &in, today, &id, errors, &msg);
    if (rc == FU_OK) {
        char *loc = xasprintf("/followups/%lld?ok=created", (long long)id);
        web_redirect(r, loc);
        free(loc);
        json_decref(rec);
        json_decref(errors);
    } else if (rc == FU_INVALID) {
        json_t *form = json_object();
        for (size_t i = 0; i < N_INPUT; i++)
            if (v[i]) json_object_set_new(form, input_names[i], json_string(v[i]));
        render_new(r, rec, form, errors, 422);
    } else {
        json_decref(rec);
        json_decref(errors);
        web_error(r, web_status(rc), "followup_open", msg ? msg : "不能新建后续处置");
    }
    for (size_t i = 0; i < N_INPUT; i++)
        free(v[i]);
    free(msg);
}

/* ---- detail and changes ---- */

/* The stale box of a follow-up typed on typed_version: the saved values (j, followup_json)
 * beside the typed ones, the 处置方式 by its label. */
static json_t *stale_box(Req *r, const json_t *j, const json_t *typed, int64_t typed_version) {
    static const StaleField fields[] = {{"option", "处置方式"},
                                        {"rectify_deadline", "整改期限"},
                                        {"recheck_on", "复查日期"},
                                        {"recheck_result", "复查结果"},
                                        {"decision_no", "处罚决定书文号"},
                                        {"decision_on", "决定日期"},
                                        {"amount", "金额（元）"},
                                        {"receiver", "接收部门或机关"},
                                        {"outcome", "处置结果"}};
    json_t *saved = json_deep_copy(j), *now = json_deep_copy(typed),
           *opts = followup_options_json(r->db), *o, *rows = json_array();
    size_t i;
    json_array_foreach(opts, i, o) { /* codes to labels */
        const char *code = json_string_value(json_object_get(o, "code"));
        json_t *label = json_object_get(o, "label");
        if (str_eq(json_string_value(json_object_get(saved, "option")), code))
            json_object_set(saved, "option", label);
        if (str_eq(json_string_value(json_object_get(now, "option")), code))
            json_object_set(now, "option", label);
    }
    stale_compare(rows, fields, ARRAY_LEN(fields), saved, now);
    json_decref(saved);
    json_decref(now);
    json_decref(opts);
    return stale_context("followup-stale", "版", typed_version,
                         json_integer_value(json_object_get(j, "version")), rows);
}

/* Renders the detail page of follow-up id; `typed` (stolen, may be NULL) overlays the edit form
 * with what was typed, `errors` (stolen, may be NULL) are shown above it; `extra` (stolen, may be
 * NULL) adds to the page's context (a refused close or penalty publication: its message).
 * typed_version > 0 and another version stored (an open follow-up): the saved values beside the
 * typed ones (stale.h). */
static void render_detail(Req *r, long long id, json_t *typed, json_t *errors, json_t *extra,
                          int status, int64_t typed_version) {
    char today[11];
    clock_today(today);
    Calendar *cal = web_calendar(r);
    json_t *j = followup_json(r->db, id, cal, today, 1);
    calendar_free(cal);
    if (!j) {
        json_decref(typed);
        json_decref(errors);
        json_decref(extra);
        web_error(r, 404, "not_found", "后续处置不存在");
        return;
    }
    if (typed && typed_version > 0 && !json_is_true(json_object_get(j, "closed")) &&
        json_integer_value(json_object_get(j, "version")) != typed_version)
        json_object_set_new(j, "stale", stale_box(r, j, typed, typed_version));
    json_t *form = json_deep_copy(j);
    if (typed) json_object_update(form, typed);
    json_decref(typed);
    json_t *list = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(errors, k, v) json_array_append(list, v);
    json_decref(errors);
    int w = can_write(r), closed = json_is_true(json_object_get(j, "closed"));
    json_object_set_new(j, "form", form);
    json_object_set_new(j, "error_list", list);
    json_object_set_new(j, "options",
                        options_for(r, json_string_value(json_object_get(form, "option"))));
    json_object_set_new(j, "can_edit", json_boolean(w && !closed));
    json_object_set_new(
        j, "can_publish",
        json_boolean(w && !closed &&
                     json_is_true(json_object_get(json_object_get(j, "needs"), "publish")) &&
                     json_is_string(json_object_get(j, "decision_no")) &&
                     json_is_null(json_object_get(j, "penalty_published_on"))));
    json_object_set_new(j, "can_credit", json_boolean(web_role_has(r->sess->role, P_CREDIT_WRITE)));
    json_object_set_new(j, "today", json_string(today));
    json_t *kinds = json_array();
    for (int i = 0; followup_transfer_kinds[i]; i++)
        json_array_append_new(kinds, json_string(followup_transfer_kinds[i]));
    json_object_set_new(j, "transfer_kinds", kinds);
    if (extra) json_object_update(j, extra);
    json_decref(extra);
    char *title = xasprintf("后续处置：%s",
                            json_string_value(json_object_get(j, "target_name")) ?: "检查对象");
    web_name_users(r, j);
    web_page(r, "followup_detail", title, j);
    free(title);
    if (status != 200) r->res->status = status;
}

void page_followup_detail(Req *r) {
    long long id = followup_id(r);
    if (id) render_detail(r, id, NULL, NULL, NULL, 200, 0);
}

static void redirect_detail(Req *r, long long id, const char *ok) {
    char *loc = xasprintf("/followups/%lld?ok=%s", id, ok);
    web_redirect(r, loc);
    free(loc);
}

void page_followup_update(Req *r) {
    long long id = followup_id(r);
    if (!id) return;
    char *v[N_INPUT], *ver = web_form(r, "version"), *msg = NULL, today[11];
    for (size_t i = 0; i < N_INPUT; i++)
        v[i] = web_form(r, input_names[i]);
    FollowupInput in = input_of(v);
    long long version = str_id(ver);
    clock_today(today);
    json_t *errors = json_object();
    Actor who = web_actor(r);
    int rc = followup_update(r->db, &who, id, version, &in, today, errors, &msg);
    if (rc == FU_OK) {
        redirect_detail(r, id, "saved");
        json_decref(errors);
    } else if (rc == FU_INVALID || rc == FU_CONFLICT) {
        /* the form again as typed; a save on an old version shows the saved values beside it and
         * carries the current version, so saving again is a conscious overwrite */
        json_t *typed = json_object();
        for (size_t i = 0; i < N_INPUT; i++)
            if (v[i]) json_object_set_new(typed, input_names[i], json_string(v[i]));
        if (rc == FU_CONFLICT)
            json_object_set_new(errors, "_", json_string(msg ? msg : "保存失败"));
        render_detail(r, id, typed, errors, NULL, web_status(rc), rc == FU_CONFLICT ? version : 0);
    } else {
        json_decref(errors);
        web_error(r, web_status(rc), "followup_update", msg ? msg : "保存失败");
    }
    for (size_t i = 0; i < N_INPUT; i++)
        free(v[i]);
    free(ver);
    free(msg);
}

/* A close or a penalty publication the rules refused (409, 422): the detail page again with the
 * message `key` beside its form and the day that was typed (`on`, may be NULL), instead of a bare
 * error page; other failures (not found, database) are the error page. */
static void refused_detail(Req *r, long long id, int rc, const char *key, const char *msg,
                           const char *on) {
    int status = web_status(rc);
    if (status != 409 && status != 422) {
        web_error(r, status, key, msg);
        return;
    }
    json_t *extra = json_pack("{s:s}", key, msg);
    if (on && *on) json_object_set_new(extra, "published_on_typed", json_string(on));
    render_detail(r, id, NULL, NULL, extra, status, 0);
}

void page_followup_publish_penalty(Req *r) {
    long long id = followup_id(r);
    if (!id) return;
    char *on = web_form(r, "published_on"), *msg = NULL, today[11];
    clock_today(today);
    Actor who = web_actor(r);
    Calendar *cal = web_calendar(r);
    int rc = followup_publish_penalty(r->db, &who, id, on, today, cal, NULL, &msg);
    calendar_free(cal);
    if (rc == FU_OK)
        redirect_detail(r, id, "status");
    else
        refused_detail(r, id, rc, "publish_error", msg ? msg : "公示失败", on);
    free(on);
    free(msg);
}

void page_followup_close(Req *r) {
    long long id = followup_id(r);
    if (!id) return;
    char *msg = NULL, today[11];
    clock_today(today);
    Actor who = web_actor(r);
    int rc = followup_close(r->db, &who, id, today, &msg);
    if (rc == FU_OK)
        redirect_detail(r, id, "status");
    else
        refused_detail(r, id, rc, "close_error", msg ? msg : "不能完结", NULL);
    free(msg);
}

/* ---- JSON API ---- */

void api_followup_list(Req *r) {
    char *status = web_query(r, "status"), today[11];
    clock_today(today);
    if (status && !str_eq(status, "未完结") && !str_eq(status, "已完结")) {
        free(status);
        web_error(r, 400, "bad_status", "status 只能是“未完结”或“已完结”");
        return;
    }
    Calendar *cal = web_calendar(r);
    json_t *out =
        json_pack("{s:o, s:o}", "followups",
                  followup_list_json(r->db, r->sess->org_id, status, cal, today, 0, 0, NULL),
                  "pending", followup_pending_json(r->db, r->sess->org_id));
    calendar_free(cal);
    free(status);
    web_json(r, 200, out);
}

void api_followup_get(Req *r) {
    long long id = followup_id(r);
    if (!id) return;
    char today[11];
    clock_today(today);
    Calendar *cal = web_calendar(r);
    json_t *j = followup_json(r->db, id, cal, today, 1);
    calendar_free(cal);
    if (!j)
        web_error(r, 404, "not_found", "后续处置不存在");
    else
        web_json(r, 200, j);
}
