/* api_plan.c - the annual plan's JSON API under /api/v1/plans (docs/API.md): list, get (a
 * version with its versions and the differences to the previous one), create (optionally with
 * task rows), add a task row, and the state actions submit / approve / return / publish /
 * revise. Same permissions, scope, rules, units of work (plan_work.h) and audit rows as the
 * pages (page_plan.c); errors use the envelope {"error": {"code", "message", "fields"?}}. */
#include "../domain/plan.h"
#include "../domain/plan_work.h"
#include "plan_web.h"
#include "stale.h"

#include <stdlib.h>
#include <string.h>

/* The request body as a JSON object (see web_json_body). */
static json_t *body_object(Req *r, int optional) {
    return web_json_body(r, optional);
}

static void send_invalid(Req *r, json_t *fields, const char *msg) {
    web_json(r, 422,
             json_pack("{s:{s:s, s:s, s:O}}", "error", "code", "invalid", "message",
                       msg ? msg : "数据校验未通过", "fields", fields));
}

static void send_failure(Req *r, int rc, const char *msg, const char *fallback) {
    static const char *const codes[] = {"ok", "invalid", "not_found", "conflict"};
    int status = web_status(rc);
    web_error(r, status, rc >= 0 && rc <= 3 ? codes[rc] : "internal", msg ? msg : fallback);
}

static json_t *version_with_history(Db *db, long long vid) {
    json_t *v = plan_version_json(db, vid);
    if (!v) return json_object();
    json_t *versions = plan_versions_json(db, json_integer_value(json_object_get(v, "plan_id")));
    int version = (int)json_integer_value(json_object_get(v, "version"));
    size_t i;
    json_t *e;
    json_array_foreach(versions, i, e) {
        if (json_integer_value(json_object_get(e, "version")) != version - 1) continue;
        json_t *diff = plan_diff_json(db, json_integer_value(json_object_get(e, "id")), vid);
        if (diff) json_object_set_new(v, "diff_from_previous", diff);
    }
    json_object_set_new(v, "versions", versions);
    return v;
}

void api_plan_list(Req *r) {
    char *year = web_query(r, "year"), *status = web_query(r, "status");
    PlanFilter f = {.scope_org = r->sess->org_id,
                    .year = year ? atoi(year) : 0,
                    .status = status && *status ? status : NULL};
    web_json(r, 200, json_pack("{s:o}", "plans", plan_list_json(r->db, &f)));
    free(year);
    free(status);
}

void api_plan_get(Req *r) {
    long long vid = plan_web_version_id(r);
    if (vid) web_json(r, 200, version_with_history(r->db, vid));
}

void api_plan_create(Req *r) {
    json_t *body = body_object(r, 0);
    if (!body) return;
    json_t *errors = json_object(), *tasks = json_object_get(body, "tasks");
    char *number = plan_json_text(json_object_get(body, "number"), ""),
         *qual = plan_json_text(json_object_get(body, "qualifier"), ""), *msg = NULL;
    int year = json_is_integer(json_object_get(body, "year"))
                   ? (int)json_integer_value(json_object_get(body, "year"))
                   : atoi(json_string_value(json_object_get(body, "year")) ?: "0");
    int64_t vid = 0;
    Actor who = web_actor(r);
    int rc = plan_work_create(r->db, &who, year, number, qual, tasks, &vid, errors, &msg);
    if (rc == PLAN_INVALID && !json_object_size(errors))
        json_object_set_new(errors, "_", json_string(msg ? msg : "数据校验未通过"));
    if (rc == PLAN_OK)
        web_json(r, 201, version_with_history(r->db, vid));
    else if (rc == PLAN_INVALID)
        send_invalid(r, errors, "数据校验未通过");
    else
        send_failure(r, rc, msg, "新建失败");
    json_decref(errors);
    json_decref(body);
    free(number);
    free(qual);
    free(msg);
}

/* The row tid of version vid as the version JSON lists it, or NULL. */
static json_t *task_row(Db *db, long long vid, long long tid) {
    json_t *v = plan_version_json(db, vid), *t, *out = NULL;
    size_t i;
    json_array_foreach(json_object_get(v, "tasks"), i, t) {
        if (json_integer_value(json_object_get(t, "id")) == tid) out = json_incref(t);
    }
    json_decref(v);
    return out;
}

/* POST a new task row (tid 0): 201 with the row. PUT row tid made on the version's rev: 200
 * {task, rev (the one this change wrote)}. A stale rev is 409 with the current rev and, for a
 * PUT, the row (stale.h). */
static void task_write(Req *r, long long tid) {
    long long vid = plan_web_version_id(r);
    if (!vid) return;
    json_t *body = body_object(r, 0);
    if (!body) return;
    json_t *errors = json_object();
    char *msg = NULL;
    int64_t id = tid, rev = 0;
    Actor who = web_actor(r);
    int rc = tid ? plan_work_task_put(r->db, &who, vid, tid, body, &rev, errors, &msg)
                 : plan_work_task_add(r->db, &who, vid, body, &id, errors, &msg);
    if (rc == PLAN_OK) {
        json_t *t = task_row(r->db, vid, id);
        if (!t) t = json_object();
        web_json(r, tid ? 200 : 201,
                 tid ? json_pack("{s:o, s:I}", "task", t, "rev", (json_int_t)rev) : t);
    } else if (rc == PLAN_INVALID) {
        send_invalid(r, errors, msg);
    } else if (rc == PLAN_STALE) {
        json_t *v = plan_version_json(r->db, vid);
        int64_t now = json_integer_value(json_object_get(v, "rev"));
        json_decref(v);
        web_json(r, 409, stale_error(msg, now, tid ? task_row(r->db, vid, tid) : NULL));
    } else {
        send_failure(r, rc, msg, "保存失败");
    }
    json_decref(errors);
    json_decref(body);
    free(msg);
}

void api_plan_task_add(Req *r) {
    task_write(r, 0);
}

void api_plan_task_put(Req *r) {
    long long tid = str_id(web_param(r, "tid"));
    if (tid)
        task_write(r, tid);
    else
        web_error(r, 404, "not_found", "抽查任务不存在");
}

static void api_transition(Req *r, PlanAction a) {
    long long vid =
        plan_web_version_id_for(r, a == PLAN_RETURN); /* an upper level may return a plan */
    if (!vid) return;
    json_t *body = body_object(r, 1);
    if (!body) return;
    char *msg = NULL;
    int status =
        plan_web_transition(r, vid, a, json_string_value(json_object_get(body, "opinion")), &msg);
    json_decref(body);
    if (status == 200)
        web_json(r, 200, version_with_history(r->db, vid));
    else
        web_error(r, status,
                  status == 409   ? "conflict"
                  : status == 422 ? "invalid"
                                  : "failed",
                  msg ? msg : "操作失败");
    free(msg);
}

void api_plan_submit(Req *r) {
    api_transition(r, PLAN_SUBMIT);
}
void api_plan_approve(Req *r) {
    api_transition(r, PLAN_APPROVE);
}
void api_plan_return(Req *r) {
    api_transition(r, PLAN_RETURN);
}
void api_plan_publish(Req *r) {
    api_transition(r, PLAN_PUBLISH);
}

void api_plan_revise(Req *r) {
    long long vid = plan_web_version_id(r);
    if (!vid) return;
    json_t *body = body_object(r, 1);
    if (!body) return;
    char *msg = NULL;
    long long nid = 0;
    int status =
        plan_web_revise(r, vid, json_string_value(json_object_get(body, "reason")), &nid, &msg);
    json_decref(body);
    if (status == 201)
        web_json(r, 201, version_with_history(r->db, nid));
    else
        web_error(r, status,
                  status == 409   ? "conflict"
                  : status == 422 ? "invalid"
                                  : "failed",
                  msg ? msg : "操作失败");
    free(msg);
}
