/* api_task.c - the JSON API of task implementation (docs/API.md "Tasks"): list and read tasks
 * with their scheme, joint depts and draw status, read the draw record, and the scheme's state
 * changes, freeze, draw and substitution. Every change goes through the same domain units of
 * work as the pages (task_work.h, task_draw.h; via task_web_scheme_action, task_web_freeze, ...
 * in page_task*.c), so permissions, rules, the audit row and the one transaction are the same;
 * routes carry the same permissions and need the X-CSRF-Token header. Tasks outside the user's
 * org scope are 404. */
#include "../core/clock.h"
#include "../domain/jsonkit.h"
#include "../domain/draw_store.h"
#include "../domain/task.h"
#include "../domain/task_draw.h"
#include "../domain/task_query.h"
#include "../domain/task_work.h"
#include "stale.h"
#include "task_web.h"

#include <stdlib.h>
#include <string.h>

/* Adds {draw: {status, draw_no, freeze_sha256, groups?}} (or draw: null) to t, without reading
 * the draw's record. */
static void add_draw_status(Req *r, json_t *t) {
    json_t *d = draw_store_summary(r->db, jk_str(t, "code"));
    json_object_del(d, "id");
    json_object_set_new(t, "draw", d ? d : json_null());
}

/* The task as GET answers it; saved_version > 0: with the scheme version a save wrote. */
static void send_task_saved(Req *r, long long id, int status, int64_t saved_version) {
    char today[11];
    clock_today(today);
    json_t *t = task_json(r->db, id, today);
    if (!t) {
        web_error(r, 404, "not_found", "任务不存在");
        return;
    }
    add_draw_status(r, t);
    json_object_set_new(t, "conflicts", task_conflicts_list(r->db, id));
    if (saved_version > 0) json_object_set_new(t, "saved_version", json_integer(saved_version));
    web_json(r, status, t);
}

static void send_task(Req *r, long long id, int status) {
    send_task_saved(r, id, status, 0);
}

void api_task_list(Req *r) {
    web_json(r, 200, json_pack("{s:o}", "tasks", task_list_json(r->db, r->sess->org_id, 0)));
}

void api_task_start(Req *r) {
    json_t *b = web_json_body(r, 0);
    if (!b) return;
    json_int_t ptid = json_integer_value(json_object_get(b, "plan_task")),
               adid = json_integer_value(json_object_get(b, "adhoc"));
    /* an ad-hoc request has no ratio or scope: both are given here */
    json_t *scope = json_object_get(b, "scope");
    char *sj = ptid > 0 ? NULL
               : json_is_object(scope)
                   ? json_dumps(scope, JSON_COMPACT | JSON_SORT_KEYS)
                   : xstrdup(json_is_string(scope) ? json_string_value(scope) : "");
    TaskStartInput in = {ptid > 0 ? (int64_t)ptid : 0, adid > 0 ? (int64_t)adid : 0,
                         jk_str(b, "ratio"), sj, jk_str(b, "lead_dept")};
    Actor who = web_actor(r);
    Calendar *cal = in.plan_task ? web_calendar(r) : NULL;
    json_t *errors = json_object();
    char *msg = NULL;
    int64_t id = 0;
    int rc = task_start(r->db, &who, &in, cal, &id, errors, &msg);
    calendar_free(cal);
    free(sj);
    if (rc == TASK_BUSY)
        web_error(r, 503, "busy", msg ? msg : "数据库忙，请稍后重试");
    else if (rc == TASK_NOT_FOUND) /* not a plan row or ad-hoc task of one's own org */
        web_error(r, 404, "not_found",
                  msg ? msg : "请选择本机构年度抽查计划中已公开的抽查任务，或已批准的临时任务");
    else if (rc == TASK_INVALID)
        web_json(r, 422,
                 json_pack("{s:{s:s, s:s, s:O}}", "error", "code", "task_start", "message",
                           "输入有误", "fields", errors));
    else if (rc != TASK_OK)
        web_error(r, web_status(rc), "task_start", msg ? msg : "不能开始实施");
    else
        send_task(r, id, 201);
    json_decref(errors);
    json_decref(b);
    free(msg);
}

void api_task_get(Req *r) {
    long long id = task_web_id(r);
    if (id) send_task(r, id, 200);
}

void api_task_draw_get(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    char *code = task_code(r->db, id), *status = NULL;
    json_t *doc = NULL;
    if (draw_store_get(r->db, code, 0, &doc, NULL, NULL, &status, NULL) == 0)
        web_json(r, 200, json_pack("{s:s, s:o}", "status", status, "record", doc));
    else
        web_error(r, 404, "no_draw", "该任务还没有抽取记录");
    free(code);
    free(status);
}

/* Sends the task after a successful change, or the error. */
static void answer(Req *r, long long id, int status, const char *code, char *msg) {
    if (!status)
        send_task(r, id, 200);
    else
        web_error(r, status, code, msg ? msg : "操作失败");
    free(msg);
}

void api_task_scheme(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    json_t *b = web_json_body(r, 0);
    if (!b) return;
    static const char *const kinds[4] = {"律师", "人大代表", "政协委员", "媒体"};
    char gs[24] = "";
    json_t *g = json_object_get(b, "group_size");
    if (json_is_integer(g)) snprintf(gs, sizeof gs, "%lld", (long long)json_integer_value(g));
    const json_t *obs = json_object_get(b, "observers");
    /* grade_ratios {"A": "1%", ...} and grade_minimum {"D": 2, ...}: a minimum may come as a
     * number or as text; anything else is passed on as text so that validation names it */
    const json_t *gr = json_object_get(b, "grade_ratios"),
                 *gm = json_object_get(b, "grade_minimum");
    char mins[4][32];
    const char *gmin[4];
    for (size_t k = 0; k < 4; k++) {
        const json_t *m = json_object_get(gm, task_grades[k]);
        mins[k][0] = 0;
        if (json_is_integer(m))
            snprintf(mins[k], sizeof mins[k], "%lld", (long long)json_integer_value(m));
        else if (m && !json_is_null(m) && !json_is_string(m))
            snprintf(mins[k], sizeof mins[k], "?");
        gmin[k] = json_is_string(m) ? json_string_value(m) : mins[k];
    }
    char bad[4][2] = {"?", "?", "?", "?"};
    const char *grat[4];
    for (size_t k = 0; k < 4; k++) {
        const json_t *v = json_object_get(gr, task_grades[k]);
        grat[k] = json_is_string(v) ? json_string_value(v) : v && !json_is_null(v) ? bad[k] : NULL;
    }
    TaskSchemeInput in = {jk_str(b, "purpose"),
                          jk_str(b, "period"),
                          json_is_string(g) ? json_string_value(g) : gs,
                          jk_str(b, "method"),
                          jk_str(b, "confidentiality"),
                          jk_str(b, "use_of_results"),
                          jk_str(b, "materials"),
                          jk_str(b, "contact"),
                          jk_str(b, "randomness_source"),
                          {jk_str(obs, kinds[0]), jk_str(obs, kinds[1]), jk_str(obs, kinds[2]),
                           jk_str(obs, kinds[3])},
                          {grat[0], grat[1], grat[2], grat[3]},
                          {gmin[0], gmin[1], gmin[2], gmin[3]},
                          json_object_get(b, "randomness_sources")};
    in.version = json_integer_value(json_object_get(b, "version"));
    in.scope = json_object_get(b, "scope"); /* a task whose scope the scheme owns (sql/038) */
    /* the workload rules, numbers or digits; absent keeps the saved ones */
    char wl[3][24];
    static const char *const wk[] = {"workload_cap", "yearly_cap", "checked_within_months"};
    const char **wf[] = {&in.workload_cap, &in.yearly_cap, &in.checked_within_months};
    for (size_t k = 0; k < 3; k++) {
        const json_t *w = json_object_get(b, wk[k]);
        if (json_is_integer(w))
            snprintf(wl[k], sizeof wl[k], "%lld", (long long)json_integer_value(w));
        else
            snprintf(wl[k], sizeof wl[k], "%s",
                     json_is_string(w)       ? json_string_value(w)
                     : w && !json_is_null(w) ? "?"
                                             : "");
        *wf[k] = w ? wl[k] : NULL;
    }
    json_t *errors = json_object();
    char *msg = NULL;
    int64_t written = 0;
    Actor who = web_actor(r);
    int rc = task_scheme_edit(r->db, &who, id, &in, &written, errors, &msg),
        status = web_refusal(rc);
    if (status == 422) {
        web_json(r, 422,
                 json_pack("{s:{s:s, s:s, s:O}}", "error", "code", "scheme_invalid", "message",
                           "输入有误", "fields", errors));
        free(msg);
    } else if (!status) { /* the version this save wrote, not whatever is current by now */
        send_task_saved(r, id, 200, written);
    } else if (rc == TASK_STALE) { /* a save on an old version: the current version and scheme */
        char today[11];
        clock_today(today);
        json_t *t = task_json(r->db, id, today), *sc = json_object_get(t, "scheme");
        json_int_t now = json_integer_value(json_object_get(sc, "version"));
        web_json(r, 409, stale_error(msg ? msg : "实施方案已被他人修改", now, json_incref(sc)));
        json_decref(t);
        free(msg);
    } else
        answer(r, id, status, "scheme_save", msg);
    json_decref(errors);
    json_decref(b);
}

static void action(Req *r, const char *what) {
    long long id = task_web_id(r);
    if (!id) return;
    json_t *b = web_json_body(r, 1);
    if (!b) return;
    char *msg = NULL;
    int status = task_web_scheme_action(r, id, what, jk_str(b, "opinion"), &msg);
    answer(r, id, status, "scheme_state", msg);
    json_decref(b);
}

void api_task_submit(Req *r) {
    action(r, "submit");
}
void api_task_approve(Req *r) {
    action(r, "approve");
}
void api_task_return(Req *r) {
    action(r, "return");
}
void api_task_publish(Req *r) {
    action(r, "publish");
}

void api_task_freeze(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    char *fsha = NULL, *msg = NULL;
    /* optional {"sources": [...]}: declared at the freeze instead of the scheme's */
    json_t *b = web_json_body(r, 1);
    if (!b) return;
    json_t *sources = json_object_get(b, "sources");
    int status = sources && !json_is_array(sources) ? (set_err(&msg, "sources 应为数组"), 422)
                                                    : task_web_freeze(r, id, sources, &fsha, &msg);
    json_decref(b);
    free(fsha);
    answer(r, id, status, status == 409 ? "draw_refused" : "freeze", msg);
}

void api_task_draw(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    json_t *b = web_json_body(r, 0);
    if (!b) return;
    char *msg = NULL;
    json_t *rec = NULL, *values = json_object_get(b, "values");
    int status =
        !json_is_array(values)
            ? (set_err(&msg, "须提供 values：按声明顺序为每个随机数来源给出一个数值（字符串数组）"),
               422)
            : task_web_run(r, id, values, jk_str(b, "observers_present"), &rec, &msg);
    json_decref(rec); /* the run's summary; the answer gives the stored record */
    char *code = status ? NULL : task_code(r->db, id);
    json_t *doc = NULL;
    if (!status && draw_store_get(r->db, code, 0, &doc, NULL, NULL, NULL, NULL) == 0)
        web_json(r, 200, json_pack("{s:s, s:o}", "status", "已抽取", "record", doc));
    else if (!status)
        web_error(r, 500, "draw", "抽取已完成，但无法读取抽取记录");
    else
        web_error(r, status, "draw", msg ? msg : "抽取失败");
    free(code);
    free(msg);
    json_decref(b);
}

void api_task_dice(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    json_t *b = web_json_body(r, 0);
    if (!b) return;
    char *msg = NULL;
    json_t *dice = NULL, *values = json_object_get(b, "values");
    int status =
        !json_is_array(values)
            ? (set_err(&msg, "须提供 values：按声明顺序为每组骰子给出点数（字符串数组）"), 422)
            : task_web_dice(r, id, values, jk_str(b, "observers_present"), &dice, &msg);
    if (!status)
        web_json(r, 200, json_pack("{s:s, s:o}", "status", "已登记", "dice", dice));
    else
        web_error(r, status, "dice", msg ? msg : "登记失败");
    free(msg);
    json_decref(b);
}

void api_task_redraw_request(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    json_t *b = web_json_body(r, 0);
    if (!b) return;
    char *msg = NULL;
    int status = task_web_redraw(r, id, jk_str(b, "reason"), NULL, 0, NULL, &msg);
    json_decref(b);
    answer(r, id, status, "redraw", msg);
}

void api_task_redraw_approve(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    json_t *b = web_json_body(r, 0);
    if (!b) return;
    char *msg = NULL, *fsha = NULL;
    json_t *sources = json_object_get(b, "sources");
    int status = json_is_array(sources)
                     ? task_web_redraw(r, id, NULL, sources, 1, &fsha, &msg)
                     : (set_err(&msg, "须提供 sources：新的公开随机数来源（数组）"), 422);
    free(fsha);
    json_decref(b);
    answer(r, id, status, "redraw", msg);
}

void api_task_conflict(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    json_t *b = web_json_body(r, 0);
    if (!b) return;
    char *msg = NULL;
    int64_t cid = 0;
    int status = task_web_conflict(r, id, jk_str(b, "officer"), jk_str(b, "target"),
                                   jk_str(b, "reason"), &cid, &msg);
    json_decref(b);
    answer(r, id, status, "conflict", msg);
}

void api_task_substitute(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    json_t *b = web_json_body(r, 0);
    if (!b) return;
    char *reason = jk_str(b, "reason") ? xstrdup(jk_str(b, "reason")) : NULL, *msg = NULL;
    if (reason) str_trim(reason);
    int64_t req = 0;
    int status =
        task_web_substitute(r, id, jk_str(b, "type"), jk_str(b, "target"), jk_str(b, "officer"),
                            jk_str(b, "reason_code"), reason, &req, &msg);
    if (!status)
        web_json(r, 200,
                 json_pack("{s:I, s:s}", "substitution", (json_int_t)req, "status", "待审批"));
    else
        web_error(r, status, "substitute", msg ? msg : "递补申请失败");
    free(msg);
    free(reason);
    json_decref(b);
}

/* {"approve": true} or {"approve": false, "opinion": "…"} → {event} (null when refused). */
void api_task_substitute_decide(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    long long sid = str_id(web_param(r, "sid"));
    json_t *b = web_json_body(r, 0);
    if (!b) return;
    char *msg = NULL;
    json_t *ev = NULL, *ap = json_object_get(b, "approve");
    int status = !json_is_boolean(ap)
                     ? (set_err(&msg, "须提供 approve（true 批准，false 驳回）"), 422)
                 : !sid ? (set_err(&msg, "递补申请不存在"), 404)
                        : task_web_substitute_decide(r, id, sid, json_is_true(ap),
                                                     jk_str(b, "opinion"), &ev, &msg);
    if (!status)
        web_json(r, 200, json_pack("{s:o}", "event", ev ? ev : json_null()));
    else
        web_error(r, status, "substitute", msg ? msg : "审批失败");
    free(msg);
    json_decref(b);
}

/* The joint dept of the signed-in account confirms its part: {"items_text": "…"} (optional) →
 * 200 {task_id, code, dept_code, dept_name, state, confirmed_on, deadline, overdue, items_text}.
 * The task is not in the joint dept's org scope: what binds is that its dept was named. */
void api_joint_confirm(Req *r) {
    long long id = str_id(web_param(r, "id"));
    json_t *b = web_json_body(r, 1);
    if (!b) return;
    char *msg = NULL;
    int64_t dept = 0;
    /* item_codes: an array of codes or a ',' list */
    const json_t *ic = json_object_get(b, "item_codes");
    Buf codes;
    buf_init(&codes);
    buf_puts(&codes, json_is_string(ic) ? json_string_value(ic) : "");
    size_t k;
    json_t *ce;
    json_array_foreach(ic, k, ce) if (json_is_string(ce))
        buf_printf(&codes, "%s%s", codes.len ? "," : "", json_string_value(ce));
    int status = task_web_joint_confirm(r, id, codes.data, jk_str(b, "items_text"), &dept, &msg);
    buf_free(&codes);
    json_decref(b);
    if (status) {
        web_error(r, status, "joint_confirm", msg ? msg : "确认失败");
        free(msg);
        return;
    }
    char today[11];
    clock_today(today);
    json_t *t = task_json(r->db, id, today), *j, *out = NULL;
    size_t i;
    json_array_foreach(json_object_get(t, "joints"), i,
                       j) if (json_integer_value(json_object_get(j, "dept_id")) == dept) out =
        json_pack("{s:I, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "task_id", (json_int_t)id,
                  "code", json_object_get(t, "code"), "dept_code", json_object_get(j, "dept_code"),
                  "dept_name", json_object_get(j, "dept_name"), "state",
                  json_object_get(j, "state"), "confirmed_on", json_object_get(j, "confirmed_on"),
                  "deadline", json_object_get(j, "deadline"), "provisional",
                  json_object_get(j, "provisional"), "overdue", json_object_get(j, "overdue"),
                  "items_text", json_object_get(j, "items_text"));
    json_decref(t);
    if (out)
        web_json(r, 200, out);
    else
        web_error(r, 500, "joint_confirm", "确认已保存，但读取任务失败");
    free(msg);
}
