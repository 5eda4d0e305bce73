/* page_task.c - task implementation pages: the list of tasks with the plan rows and ad-hoc tasks
 * that may start, starting a task, the task page (implementation scheme form and approval,
 * joint departments with their deadlines, the state of the draw) and the scheme's state
 * changes. Rules and the units of work live in the domain (task.c, task_work.c: one transaction
 * with its audit row each); this file parses, calls and renders. Tasks are visible inside the
 * user's org scope only (404 otherwise). */
#include "../core/clock.h"
#include "../domain/directory.h"
#include "../domain/draw_store.h"
#include "../domain/task.h"
#include "../domain/task_draw.h"
#include "../domain/task_query.h"
#include "../domain/task_work.h"
#include "stale.h"
#include "task_web.h"

#include <stdlib.h>
#include <string.h>

/* ---- shared helpers ---- */

long long task_web_id(Req *r) {
    long long id = str_id(web_param(r, "id"));
    return web_scope_gate(r, task_org(r->db, id), "任务不存在或不在您的管辖范围内") ? 0 : id;
}

json_t *task_web_load(Req *r, long long *id_out) {
    long long id = *id_out = task_web_id(r);
    if (!id) return NULL;
    char today[11];
    clock_today(today);
    json_t *t = task_json(r->db, id, today);
    if (!t) web_error(r, 404, "not_found", "任务不存在");
    return t;
}

static void redirect_task(Req *r, long long id, const char *ok) {
    char *loc = xasprintf("/tasks/%lld?ok=%s", id, ok);
    web_redirect(r, loc);
    free(loc);
}

/* ---- list and start ---- */

void page_task_list(Req *r) {
    json_t *tasks = task_list_json(r->db, r->sess->org_id, 0),
           *rows = task_startable_rows(r->db, r->sess->org_id),
           *adhoc = task_startable_adhoc(r->db, r->sess->org_id);
    json_t *ctx = json_pack("{s:o, s:o, s:o, s:b}", "tasks", tasks, "rows", rows, "adhoc", adhoc,
                            "can_write", web_role_has(r->sess->role, P_TASK_WRITE));
    web_page(r, "task_list", "抽查任务实施", ctx);
}

void page_task_start(Req *r) {
    char *pt = web_form(r, "plan_task"), *ad = web_form(r, "adhoc"), *ratio = web_form(r, "ratio"),
         *lead = web_form(r, "lead_dept"), *scope = web_form(r, "scope_json"), *msg = NULL;
    if (str_empty(
            scope)) { /* the ad-hoc form's simple scope: one target kind and a region prefix */
        char *kind = web_form(r, "scope_kind"), *region = web_form(r, "scope_region");
        json_t *o = json_object();
        if (kind) str_trim(kind);
        if (region) str_trim(region);
        if (!str_empty(kind)) json_object_set_new(o, "kinds", json_pack("[s]", kind));
        if (!str_empty(region)) json_object_set_new(o, "region_prefix", json_string(region));
        free(scope);
        scope = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(o);
        free(kind);
        free(region);
    }
    TaskStartInput in = {str_id(pt), str_id(ad), ratio, scope, lead};
    int64_t id = 0;
    json_t *errors = json_object();
    int rc = TASK_NOT_FOUND;
    if (!r->sess)
        set_err(&msg, "请选择本机构年度抽查计划中已公开的抽查任务，或已批准的临时任务");
    else {
        Actor who = web_actor(r);
        Calendar *cal = in.plan_task ? web_calendar(r) : NULL;
        rc = task_start(r->db, &who, &in, cal, &id, errors, &msg);
        calendar_free(cal);
    }
    if (rc == TASK_OK)
        redirect_task(r, id, "created");
    else if (rc == TASK_INVALID) {
        Buf b;
        buf_init(&b);
        const char *k;
        json_t *v;
        json_object_foreach(errors, k, v)
            buf_printf(&b, "%s%s", b.len ? "；" : "", json_string_value(v));
        web_error(r, 422, "task_start", b.data ? b.data : "输入有误");
        buf_free(&b);
    } else
        web_error(r, web_status(rc), "task_start", msg ? msg : "不能开始实施");
    json_decref(errors);
    free(pt);
    free(ad);
    free(ratio);
    free(lead);
    free(scope);
    free(msg);
}

/* ---- detail ---- */

/* What a refused scheme save or action shows on the task page instead of a bare error page: the
 * scheme as typed (fields, observers, grade rules, sources), the messages, and for a save on an old
 * version the saved text beside the typed one (both kept: nothing typed is lost). All may be NULL.
 */
typedef struct TaskRedo {
    json_t *typed; /* {field: text} of the scheme form, observers0..3, grade_ratio_X, grade_min_X */
    json_t *sources; /* the typed sources of public randomness (task_web_sources_form) */
    json_t *errors;  /* [message] */
    int stale;       /* the save was made on an old version */
    int64_t version; /* the version it was made on */
} TaskRedo;

static const char *const scheme_text_fields[][2] = {
    {"purpose", "检查目的"},
    {"period", "检查时间"},
    {"group_size", "每组执法人员数"},
    {"method", "检查方式"},
    {"confidentiality", "保密要求"},
    {"use_of_results", "结果运用"},
    {"materials", "被检查单位需准备的材料"},
    {"contact", "联系人及电话"},
    {"randomness_source", "随机数来源说明"},
    {"workload_cap", "每名执法人员检查组上限"},
    {"yearly_cap", "同一对象每年被抽中次数上限"},
    {"checked_within_months", "排除近期已检查（月）"},
};

/* Puts what was typed into the scheme of task t, keeping the stored text for a stale save's
 * comparison. */
static void overlay_typed(json_t *t, const TaskRedo *redo) {
    json_t *sc = json_object_get(t, "scheme"), *rows = json_array();
    for (size_t i = 0; i < ARRAY_LEN(scheme_text_fields); i++) {
        const char *k = scheme_text_fields[i][0],
                   *typed = json_string_value(json_object_get(redo->typed, k));
        if (!typed) continue;
        json_t *saved = json_object_get(sc, k);
        char num[24];
        const char *saved_s =
            json_is_integer(saved)
                ? (snprintf(num, sizeof num, "%lld", (long long)json_integer_value(saved)), num)
                : json_string_value(saved);
        if (redo->stale) stale_row(rows, scheme_text_fields[i][1], saved_s, typed);
        json_object_set_new(sc, k, json_string(typed));
    }
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(sc, "observers_list"), i, e) {
        char k[32];
        snprintf(k, sizeof k, "observers%zu", i);
        const char *typed = json_string_value(json_object_get(redo->typed, k));
        if (typed) json_object_set_new(e, "names", json_string(typed));
    }
    json_array_foreach(json_object_get(sc, "grades"), i, e) {
        char k[24];
        snprintf(k, sizeof k, "grade_ratio_%s", json_string_value(json_object_get(e, "grade")));
        if (json_object_get(redo->typed, k))
            json_object_set(e, "ratio", json_object_get(redo->typed, k));
        snprintf(k, sizeof k, "grade_min_%s", json_string_value(json_object_get(e, "grade")));
        if (json_object_get(redo->typed, k))
            json_object_set(e, "minimum", json_object_get(redo->typed, k));
    }
    if (redo->stale)
        json_object_set_new(t, "stale",
                            stale_context("scheme-stale", "版", redo->version,
                                          json_integer_value(json_object_get(sc, "version")),
                                          rows));
    else
        json_decref(rows);
}

static json_t *scope_kind_options(const json_t *t);
static void render_task(Req *r, long long id, json_t *t, const TaskRedo *redo, int http_status);

void page_task_detail(Req *r) {
    long long id;
    json_t *t = task_web_load(r, &id);
    if (t) render_task(r, id, t, NULL, 200);
}

/* The task page of t (stolen), with what a refused action typed and why (redo, may be NULL). */
static void render_task(Req *r, long long id, json_t *t, const TaskRedo *redo, int http_status) {
    const char *status = json_string_value(json_object_get(json_object_get(t, "scheme"), "status"));
    int w = web_role_has(r->sess->role, P_TASK_WRITE),
        a = web_role_has(r->sess->role, P_TASK_APPROVE);
    json_object_set_new(t, "can_edit", json_boolean(w && str_eq(status, "草稿")));
    json_object_set_new(t, "can_decide", json_boolean(a && str_eq(status, "待审批")));
    if (json_is_true(json_object_get(t, "scope_in_scheme")))
        json_object_set_new(t, "scope_kind_options", scope_kind_options(t));
    json_object_set_new(t, "can_publish", json_boolean(w && str_eq(status, "已批准")));
    json_object_set_new(t, "published", json_boolean(str_eq(status, "已公开")));
    json_object_set_new(
        t, "returned",
        json_boolean(str_eq(status, "草稿") && !str_empty(json_string_value(json_object_get(
                                                   json_object_get(t, "scheme"), "opinion")))));
    char *why = NULL, today[11];
    clock_today(today);
    int allowed = task_draw_allowed(r->db, id, today, &why);
    /* the draw row's own columns: the record stays where it is (draw_store_summary) */
    json_t *sum = draw_store_summary(r->db, json_string_value(json_object_get(t, "code")));
    const char *dstatus = json_string_value(json_object_get(sum, "status"));
    if (sum) {
        json_object_set(t, "draw_status", json_object_get(sum, "status"));
        json_object_set(t, "freeze_sha256", json_object_get(sum, "freeze_sha256"));
    }
    int drawn = dstatus != NULL;
    json_object_set_new(t, "has_draw", json_boolean(drawn));
    json_object_set_new(t, "can_freeze", json_boolean(w && !dstatus && allowed == 1));
    json_object_set_new(t, "can_declare_conflict", json_boolean(w && !dstatus));
    json_t *conflicts = task_conflicts_list(r->db, id);
    json_object_set_new(t, "conflict_count", json_integer((json_int_t)json_array_size(conflicts)));
    json_object_set_new(t, "conflicts", conflicts);
    if (!dstatus && allowed != 1) json_object_set_new(t, "why_not", json_string(why ? why : ""));
    json_decref(sum);
    free(why);
    json_object_set_new(t, "group_size_default", json_integer(2));
    json_object_set_new(t, "source_rows",
                        task_web_source_rows(redo && redo->sources
                                                 ? redo->sources
                                                 : json_object_get(json_object_get(t, "scheme"),
                                                                   "randomness_sources")));
    /* the freeze form's own rows, empty (the scheme's form is not shown once it is published) */
    json_object_set_new(t, "freeze_sources",
                        json_pack("{s:o}", "source_rows", task_web_source_rows(NULL)));
    char *pv = web_query(r, "preview");
    if (pv && !drawn &&
        (w || a)) { /* on request only: it builds the population as a freeze would */
        char *why2 = NULL;
        json_t *prev = task_draw_preview(r->db, id, today, &why2);
        json_object_set_new(t, "preview",
                            prev ? prev : json_pack("{s:s}", "error", why2 ? why2 : "无法预估"));
        free(why2);
    }
    free(pv);
    if (redo && redo->typed) overlay_typed(t, redo);
    if (redo && redo->errors) json_object_set(t, "scheme_errors", redo->errors);
    char *title = xstrdup(json_string_value(json_object_get(t, "name")));
    web_name_users(r, t);
    web_page(r, "task_detail", title, t);
    free(title);
    if (http_status != 200) r->res->status = http_status;
}

/* ---- scheme ---- */

json_t *task_web_source_rows(const json_t *sources) {
    static const char *const kinds[][2] = {{"", "（不使用）"},      {"fc3d", "福彩3D"},
                                           {"ssq", "双色球"},       {"tc_pl5", "体彩排列5"},
                                           {"drand", "drand 轮次"}, {"dice", "现场掷骰"}};
    json_t *rows = json_array();
    for (int i = 0; i < 4; i++) {
        const json_t *s = json_array_get(sources, (size_t)i);
        const char *kind = json_string_value(json_object_get(s, "kind"));
        json_t *opts = json_array();
        for (size_t k = 0; k < ARRAY_LEN(kinds); k++)
            json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "value", kinds[k][0], "label",
                                                  kinds[k][1], "selected",
                                                  str_eq(kind ? kind : "", kinds[k][0])));
        char num[24] = "";
        json_t *n = json_object_get(s, str_eq(kind, "dice") ? "count" : "round");
        if (json_is_integer(n)) snprintf(num, sizeof num, "%lld", (long long)json_integer_value(n));
        const char *issue = json_string_value(json_object_get(s, "issue")),
                   *date = json_string_value(json_object_get(s, "date"));
        json_array_append_new(rows,
                              json_pack("{s:i, s:o, s:s, s:s, s:s, s:s}", "i", i, "kinds", opts,
                                        "issue", issue ? issue : "", "date", date ? date : "",
                                        "round", str_eq(kind, "drand") ? num : "", "count",
                                        str_eq(kind, "dice") ? num : ""));
    }
    return rows;
}

json_t *task_web_sources_form(Req *r, const char *prefix) {
    json_t *a = json_array();
    for (int i = 0; i < 4; i++) {
        char name[48];
        char *f[5];
        static const char *const keys[] = {"kind", "issue", "date", "round", "count"};
        for (int k = 0; k < 5; k++) {
            snprintf(name, sizeof name, "%s_%s%d", prefix, keys[k], i);
            f[k] = web_form(r, name);
            if (f[k]) str_trim(f[k]);
        }
        if (!str_empty(f[0])) {
            json_t *s = json_pack("{s:s}", "kind", f[0]);
            if (str_eq(f[0], "drand")) json_object_set_new(s, "chain", json_string("quicknet"));
            const char *num = str_eq(f[0], "drand") ? f[3] : str_eq(f[0], "dice") ? f[4] : NULL;
            if (num) {
                char *end = NULL;
                long long v = strtoll(num, &end, 10);
                json_object_set_new(s, str_eq(f[0], "drand") ? "round" : "count",
                                    *num && !*end ? json_integer(v) : json_string(num));
            } else if (!str_eq(f[0], "drand") && !str_eq(f[0], "dice")) {
                json_object_set_new(s, "issue", json_string(f[1] ? f[1] : ""));
                json_object_set_new(s, "date", json_string(f[2] ? f[2] : ""));
            }
            json_array_append_new(a, s);
        }
        for (int k = 0; k < 5; k++)
            free(f[k]);
    }
    if (!json_array_size(a)) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* The structured scope of a task whose scope the scheme owns (the form's scope fields, sent
 * with scope_form=1): {kinds: [..], region_prefix?}; NULL when the form has no scope fields. */
static json_t *scope_form(Req *r) {
    char *on = web_form(r, "scope_form");
    int given = str_eq(on, "1");
    free(on);
    if (!given) return NULL;
    json_t *scope = json_object(), *kinds = json_array();
    char *k;
    for (int n = 0; (k = web_form_nth(r, "scope_kinds", n)) != NULL; n++) {
        if (*k) json_array_append_new(kinds, json_string(k));
        free(k);
    }
    json_object_set_new(scope, "kinds", kinds);
    char *rp = web_form(r, "scope_region_prefix");
    if (rp) str_trim(rp);
    if (!str_empty(rp)) json_object_set_new(scope, "region_prefix", json_string(rp));
    free(rp);
    return scope;
}

/* The kinds of target as checkboxes for the scheme's scope, ticked as in t.scope. */
static json_t *scope_kind_options(const json_t *t) {
    json_t *opts = json_array(), *kinds = json_object_get(json_object_get(t, "scope"), "kinds");
    for (const Choice *c = target_kinds; c->code; c++) {
        int on = 0;
        size_t i;
        json_t *e;
        json_array_foreach(kinds, i, e) on |= str_eq(json_string_value(e), c->code);
        json_array_append_new(opts,
                              json_pack("{s:s, s:s, s:b, s:b}", "code", c->code, "label", c->label,
                                        "checked", on, "insured", str_eq(c->code, "insured")));
    }
    return opts;
}

void page_task_scheme_save(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    static const char *const names[] = {"purpose",       "period",          "group_size",
                                        "method",        "confidentiality", "use_of_results",
                                        "materials",     "contact",         "randomness_source",
                                        "observers0",    "observers1",      "observers2",
                                        "observers3",    "grade_ratio_A",   "grade_ratio_B",
                                        "grade_ratio_C", "grade_ratio_D",   "grade_min_A",
                                        "grade_min_B",   "grade_min_C",     "grade_min_D"};
    char *v[ARRAY_LEN(names)];
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        v[i] = web_form(r, names[i]);
    json_t *sources = task_web_sources_form(r, "src");
    if (!sources) sources = json_array(); /* the form lists them all: none left means none */
    json_t *scope = scope_form(r);
    char *ver = web_form(r, "version");
    TaskSchemeInput in = {v[0],
                          v[1],
                          v[2],
                          v[3],
                          v[4],
                          v[5],
                          v[6],
                          v[7],
                          v[8],
                          {v[9], v[10], v[11], v[12]},
                          {v[13], v[14], v[15], v[16]},
                          {v[17], v[18], v[19], v[20]},
                          sources};
    in.version = str_id(ver);
    in.scope = scope;
    char *wl[3] = {web_form(r, "workload_cap"), web_form(r, "yearly_cap"),
                   web_form(r, "checked_within_months")};
    in.workload_cap = wl[0], in.yearly_cap = wl[1], in.checked_within_months = wl[2];
    free(ver);
    json_t *errors = json_object();
    char *msg = NULL;
    Actor who = web_actor(r);
    int rc = task_scheme_edit(r->db, &who, id, &in, NULL, errors, &msg);
    long long same = 0;
    json_t *t = rc == TASK_INVALID || rc == TASK_STALE ? task_web_load(r, &same) : NULL;
    if (rc == TASK_OK)
        redirect_task(r, id, "saved");
    else if (t) { /* the form again, as typed, with the reasons beside it: nothing typed is lost */
        TaskRedo redo = {json_object(), sources, json_array(), rc == TASK_STALE, in.version};
        for (size_t i = 0; i < ARRAY_LEN(names); i++)
            if (v[i]) json_object_set_new(redo.typed, names[i], json_string(v[i]));
        static const char *const wk[] = {"workload_cap", "yearly_cap", "checked_within_months"};
        for (size_t i = 0; i < 3; i++)
            if (wl[i]) json_object_set_new(redo.typed, wk[i], json_string(wl[i]));
        const char *k;
        json_t *e;
        json_object_foreach(errors, k, e) json_array_append(redo.errors, e);
        if (msg && !json_array_size(redo.errors))
            json_array_append_new(redo.errors, json_string(msg));
        if (scope) json_object_set(t, "scope", scope); /* the kinds as ticked */
        render_task(r, id, t, &redo, rc == TASK_STALE ? 409 : 422);
        json_decref(redo.typed);
        json_decref(redo.errors);
    } else if (rc == TASK_INVALID || rc == TASK_STALE) {
        /* task_web_load answered (404) */
    } else
        web_error(r, web_status(rc), "scheme_save", msg ? msg : "保存失败");
    json_decref(errors);
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        free(v[i]);
    for (size_t i = 0; i < 3; i++)
        free(wl[i]);
    json_decref(sources);
    json_decref(scope);
    free(msg);
}

int task_web_scheme_action(Req *r, long long id, const char *action, const char *opinion,
                           char **msg) {
    Actor who = web_actor(r);
    int rc = task_scheme_act(r->db, &who, id, action, opinion, msg);
    return web_refusal(rc);
}

static void transition(Req *r, const char *action) {
    long long id = task_web_id(r);
    if (!id) return;
    char *opinion = web_form(r, "opinion"), *msg = NULL;
    int status = task_web_scheme_action(r, id, action, opinion, &msg);
    long long same = 0;
    json_t *t = status && status != 503 && status != 500 ? task_web_load(r, &same) : NULL;
    if (!status)
        redirect_task(r, id, "status");
    else if (t) { /* refused: the task page with the reason, not a bare error page */
        TaskRedo redo = {NULL, NULL, json_pack("[s]", msg ? msg : "操作失败"), 0, 0};
        render_task(r, id, t, &redo, status);
        json_decref(redo.errors);
    } else if (status == 503 || status == 500)
        web_error(r, status, "scheme_state", msg ? msg : "操作失败");
    free(opinion);
    free(msg);
}

void page_task_submit(Req *r) {
    transition(r, "submit");
}
void page_task_approve(Req *r) {
    transition(r, "approve");
}
void page_task_return(Req *r) {
    transition(r, "return");
}
void page_task_publish(Req *r) {
    transition(r, "publish");
}
