/* api_plan.c - the annual plan's JSON API under /api/v1/plans (docs/API.md): list, get (a
 * version with its versions and the differences to the previous one), create (optionally with
 * task rows), add a task row, and the state actions submit / approve / return / publish /
 * revise. Same permissions, scope, rules and audit rows as the pages (page_plan.c); errors use
 * the envelope {"error": {"code", "message", "fields"?}}. */
#include "../domain/plan.h"
#include "plan_web.h"

#include <stdlib.h>
#include <string.h>

/* The request body as a JSON object (see web_json_body). */
static json_t *body_object(Req *r, int optional) { return web_json_body(r, optional); }

static void send_invalid(Req *r, json_t *fields, const char *msg) {
    web_json(r, 422, json_pack("{s:{s:s, s:s, s:O}}", "error", "code", "invalid", "message", msg ? msg : "数据校验未通过", "fields", fields));
}

static void send_failure(Req *r, int rc, const char *msg, const char *fallback) {
    static const char *const codes[] = {"ok", "invalid", "not_found", "conflict"};
    int status = plan_web_status(rc);
    web_error(r, status, rc >= 0 && rc <= 3 ? codes[rc] : "internal", msg ? msg : fallback);
}

/* A JSON value as text: strings as is, arrays joined with `sep`, numbers printed, objects
 * dumped. New string; "" when absent. */
static char *text_of(json_t *v, const char *sep) {
    if (json_is_string(v)) return xstrdup(json_string_value(v));
    if (json_is_integer(v)) return xasprintf("%lld", (long long)json_integer_value(v));
    if (json_is_object(v)) return json_dumps(v, JSON_COMPACT);
    if (json_is_array(v)) {
        Buf b;
        buf_init(&b);
        buf_puts(&b, "");
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) if (json_is_string(e)) buf_printf(&b, "%s%s", b.len ? sep : "", json_string_value(e));
        return buf_steal(&b);
    }
    return xstrdup("");
}

/* Saves one task row from a JSON object; field errors go to errors under prefix + field. */
static int save_task(Req *r, long long vid, json_t *t, const char *prefix, json_t *errors, int64_t *tid, char **msg) {
    static const char *const keys[] = {"task_no", "name", "kind", "ratio", "items", "items_text", "scope", "scope_text", "lead_dept",
                                       "joint_depts", "period", "level", "remark"};
    char *v[ARRAY_LEN(keys)];
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) v[i] = text_of(json_object_get(t, keys[i]), !strcmp(keys[i], "items") ? "," : "、");
    PlanTaskInput in = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12]};
    json_t *fe = json_object();
    int rc = json_is_object(t) ? plan_task_save(r->db, vid, 0, &in, r->sess->username, tid, NULL, fe, msg)
                               : (set_err(msg, "抽查任务应为 JSON 对象"), PLAN_INVALID);
    if (!json_is_object(t)) json_object_set_new(fe, "task", json_string("抽查任务应为 JSON 对象"));
    const char *k;
    json_t *e;
    json_object_foreach(fe, k, e) {
        char *key = xasprintf("%s%s", prefix, k);
        json_object_set(errors, key, e);
        free(key);
    }
    json_decref(fe);
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) free(v[i]);
    return rc;
}

static char *audit_json(Db *db, long long vid) {
    json_t *v = plan_version_json(db, vid);
    if (!v) return NULL;
    char org[24];
    snprintf(org, sizeof org, "%lld", (long long)json_integer_value(json_object_get(v, "org_id")));
    json_t *s = json_pack("{s:O, s:O, s:O, s:O, s:s, s:I}", "id", json_object_get(v, "id"), "number", json_object_get(v, "number"),
                          "version", json_object_get(v, "version"), "status", json_object_get(v, "status"), "org_id", org, "tasks",
                          (json_int_t)json_array_size(json_object_get(v, "tasks")));
    char *out = json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(s);
    json_decref(v);
    return out;
}

/* Ends a write transaction with its audit row. */
static int commit_with_audit(Req *r, int rc, const char *action, const char *entity, long long id, const char *after, char **msg) {
    if (rc == PLAN_OK && (web_audit(r, action, entity, id, NULL, after) != DB_OK || db_commit(r->db) != DB_OK)) {
        rc = PLAN_ERR;
        set_err(msg, "保存失败");
    }
    if (rc != PLAN_OK) db_rollback(r->db);
    return rc;
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
    PlanFilter f = {.scope_org = r->sess->org_id, .year = year ? atoi(year) : 0, .status = status && *status ? status : NULL};
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
    char *number = text_of(json_object_get(body, "number"), ""), *qual = text_of(json_object_get(body, "qualifier"), ""), *msg = NULL;
    int year = json_is_integer(json_object_get(body, "year")) ? (int)json_integer_value(json_object_get(body, "year"))
                                                              : atoi(json_string_value(json_object_get(body, "year")) ?: "0");
    int64_t vid = 0;
    int rc = db_begin(r->db) == DB_OK ? PLAN_OK : (set_err(&msg, "数据库忙"), PLAN_ERR);
    if (rc == PLAN_OK) rc = plan_create(r->db, r->sess->org_id, year, number, qual, r->sess->username, &vid, errors, &msg);
    if (rc == PLAN_OK && tasks && !json_is_array(tasks)) {
        json_object_set_new(errors, "tasks", json_string("tasks 应为数组"));
        rc = PLAN_INVALID;
    }
    size_t i;
    json_t *t;
    json_array_foreach(tasks, i, t) {
        if (rc != PLAN_OK && rc != PLAN_INVALID) break;
        if (!vid) break;
        char prefix[32];
        snprintf(prefix, sizeof prefix, "tasks[%zu].", i);
        int64_t tid = 0;
        int trc = save_task(r, vid, t, prefix, errors, &tid, &msg);
        if (trc != PLAN_OK) rc = trc == PLAN_INVALID ? PLAN_INVALID : trc;
    }
    if (rc == PLAN_INVALID && !json_object_size(errors)) json_object_set_new(errors, "_", json_string(msg ? msg : "数据校验未通过"));
    char *after = rc == PLAN_OK ? audit_json(r->db, vid) : NULL;
    rc = commit_with_audit(r, rc, "plan.create", "plan_version", vid, after, &msg);
    free(after);
    if (rc == PLAN_OK) web_json(r, 201, version_with_history(r->db, vid));
    else if (rc == PLAN_INVALID) send_invalid(r, errors, "数据校验未通过");
    else send_failure(r, rc, msg, "新建失败");
    json_decref(errors);
    json_decref(body);
    free(number);
    free(qual);
    free(msg);
}

void api_plan_task_add(Req *r) {
    long long vid = plan_web_version_id(r);
    if (!vid) return;
    json_t *body = body_object(r, 0);
    if (!body) return;
    json_t *errors = json_object();
    char *msg = NULL;
    int64_t tid = 0;
    int rc = db_begin(r->db) == DB_OK ? PLAN_OK : (set_err(&msg, "数据库忙"), PLAN_ERR);
    if (rc == PLAN_OK) rc = save_task(r, vid, body, "", errors, &tid, &msg);
    char *after = rc == PLAN_OK ? audit_json(r->db, vid) : NULL;
    rc = commit_with_audit(r, rc, "plan.task.create", "plan_task", tid, after, &msg);
    free(after);
    if (rc == PLAN_OK) {
        json_t *v = plan_version_json(r->db, vid), *t, *out = NULL;
        size_t i;
        json_array_foreach(json_object_get(v, "tasks"), i, t) if (json_integer_value(json_object_get(t, "id")) == tid) out = json_incref(t);
        json_decref(v);
        web_json(r, 201, out ? out : json_object());
    } else if (rc == PLAN_INVALID) {
        send_invalid(r, errors, msg);
    } else {
        send_failure(r, rc, msg, "保存失败");
    }
    json_decref(errors);
    json_decref(body);
    free(msg);
}

static void api_transition(Req *r, PlanAction a) {
    long long vid = plan_web_version_id_for(r, a == PLAN_RETURN); /* an upper level may return a plan */
    if (!vid) return;
    json_t *body = body_object(r, 1);
    if (!body) return;
    char *msg = NULL;
    int status = plan_web_transition(r, vid, a, json_string_value(json_object_get(body, "opinion")), &msg);
    json_decref(body);
    if (status == 200) web_json(r, 200, version_with_history(r->db, vid));
    else web_error(r, status, status == 409 ? "conflict" : status == 422 ? "invalid" : "failed", msg ? msg : "操作失败");
    free(msg);
}

void api_plan_submit(Req *r) { api_transition(r, PLAN_SUBMIT); }
void api_plan_approve(Req *r) { api_transition(r, PLAN_APPROVE); }
void api_plan_return(Req *r) { api_transition(r, PLAN_RETURN); }
void api_plan_publish(Req *r) { api_transition(r, PLAN_PUBLISH); }

void api_plan_revise(Req *r) {
    long long vid = plan_web_version_id(r);
    if (!vid) return;
    json_t *body = body_object(r, 1);
    if (!body) return;
    char *msg = NULL;
    long long nid = 0;
    int status = plan_web_revise(r, vid, json_string_value(json_object_get(body, "reason")), &nid, &msg);
    json_decref(body);
    if (status == 201) web_json(r, 201, version_with_history(r->db, nid));
    else web_error(r, status, status == 409 ? "conflict" : status == 422 ? "invalid" : "failed", msg ? msg : "操作失败");
    free(msg);
}
