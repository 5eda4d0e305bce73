/* page_plan.c - the annual plan's HTML pages: list by year and status, detail in the 附件2 column
 * layout with versions and differences, create/edit the plan and its task rows (items as
 * checkboxes, the target scope as a small filter form), submit / approve / return / publish /
 * revise, import and export in the 附件2 layout, and ad-hoc tasks with their approval.
 *
 * Rules live in src/domain/plan_rules.c and plan.c; this file maps forms to them. Every change is
 * one unit of work of plan_work.h (transaction and audit row); lookups are plan_query.h. Plans are
 * visible inside the user's org scope only; a version outside it answers 404 as if it did not
 * exist. */
#include "../core/clock.h"
#include "../domain/directory.h"
#include "../domain/plan.h"
#include "../domain/plan_query.h"
#include "../domain/plan_work.h"
#include "multipart.h"
#include "plan_web.h"
#include "stale.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- shared helpers ---- */

long long plan_web_version_id_for(Req *r, int oversee) {
    long long vid = str_id(web_param(r, "id"));
    int64_t org = plan_version_org(r->db, vid);
    const char *hidden = "计划不存在或不在您的管辖范围内";
    return (oversee ? web_scope_gate_oversee(r, org, hidden) : web_scope_gate(r, org, hidden))
               ? 0
               : vid;
}

long long plan_web_version_id(Req *r) {
    return plan_web_version_id_for(r, 0);
}

int plan_web_transition(Req *r, long long vid, PlanAction action, const char *opinion, char **msg) {
    Actor who = web_actor(r);
    int rc = plan_work_transition(r->db, &who, vid, action, opinion, msg);
    return web_status(rc);
}

int plan_web_revise(Req *r, long long vid, const char *reason, long long *new_id, char **msg) {
    Actor who = web_actor(r);
    int64_t nid = 0;
    int rc = plan_work_revise(r->db, &who, vid, reason, &nid, msg);
    if (rc == PLAN_OK) *new_id = nid;
    return rc == PLAN_OK ? 201 : web_status(rc);
}

static json_t *options(const char *const *values, const char *selected, const char *blank) {
    json_t *a = json_array();
    if (blank)
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", "", "label", blank,
                                           "selected", str_empty(selected)));
    for (size_t i = 0; values[i]; i++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", values[i], "label",
                                           values[i], "selected", str_eq(values[i], selected)));
    return a;
}

/* Every non-empty value of a repeated form field (checkbox group). */
static json_t *form_list(Req *r, const char *name) {
    json_t *a = json_array();
    char *v;
    for (int n = 0; n < 256 && (v = web_form_nth(r, name, n)); n++) {
        str_trim(v);
        if (*v) json_array_append_new(a, json_string(v));
        free(v);
    }
    return a;
}

static char *join(json_t *a, const char *sep) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "");
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e) buf_printf(&b, "%s%s", i ? sep : "", json_string_value(e));
    return buf_steal(&b);
}

static int in_array(json_t *a, const char *s) {
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e) if (str_eq(json_string_value(e), s)) return 1;
    return 0;
}

/* Marks the {code, name} choices that are in `chosen` with "checked"; returns choices. */
static json_t *checked_items(json_t *choices, json_t *chosen) {
    size_t i;
    json_t *e;
    json_array_foreach(choices, i, e) json_object_set_new(
        e, "checked",
        json_boolean(in_array(chosen, json_string_value(json_object_get(e, "code")))));
    return choices;
}

static void redirect_to(Req *r, long long vid, const char *ok) {
    char *loc = xasprintf("/plans/%lld?ok=%s", vid, ok);
    web_redirect(r, loc);
    free(loc);
}

static const char *const statuses[] = {"草稿", "待审批", "已批准", "已公开", NULL};

/* ---- list ---- */

void page_plan_list(Req *r) {
    char *year = web_query(r, "year"), *status = web_query(r, "status");
    PlanFilter f = {.scope_org = r->sess->org_id, .year = year ? atoi(year) : 0, .status = status};
    int known = 0;
    for (size_t i = 0; statuses[i]; i++)
        known |= str_eq(statuses[i], f.status);
    if (!known) f.status = NULL;
    json_t *plans = plan_list_json(r->db, &f), *years = json_array(),
           *known_years = plan_years_json(r->db, r->sess->org_id), *e;
    json_array_append_new(
        years, json_pack("{s:s, s:s, s:b}", "value", "", "label", "全部", "selected", !f.year));
    size_t i;
    json_array_foreach(known_years, i, e) {
        char y[16];
        snprintf(y, sizeof y, "%lld", (long long)json_integer_value(e));
        json_array_append_new(years, json_pack("{s:s, s:s, s:b}", "value", y, "label", y,
                                               "selected", json_integer_value(e) == f.year));
    }
    json_decref(known_years);
    json_t *ctx = json_pack("{s:o, s:o, s:o, s:b, s:I}", "plans", plans, "years", years, "statuses",
                            options(statuses, f.status, "全部"), "can_write",
                            web_role_has(r->sess->role, P_PLAN_WRITE), "count",
                            (json_int_t)json_array_size(plans));
    free(year);
    free(status);
    web_page(r, "plan_list", "年度抽查计划", ctx);
}

/* ---- create / edit the plan ---- */

/* The plan form; stale (stolen, may be NULL): a save on an old rev (stale.h). */
static void render_plan_form(Req *r, long long vid, json_t *values, json_t *errors, int status,
                             json_t *stale) {
    json_t *ctx =
        json_pack("{s:O, s:b}", "values", values, "has_errors", errors && json_object_size(errors));
    if (stale) json_object_set_new(ctx, "stale", stale);
    json_object_set_new(ctx, "errors", errors ? json_incref(errors) : json_object());
    if (vid) json_object_set_new(ctx, "id", json_integer(vid));
    char *action = vid ? xasprintf("/plans/%lld/edit", vid) : xstrdup("/plans/new");
    json_object_set_new(ctx, "action", json_string(action));
    free(action);
    web_page(r, "plan_form", vid ? "编辑计划信息" : "新建年度抽查计划", ctx);
    r->res->status = status;
}

void page_plan_new(Req *r) {
    char today[11];
    clock_today(today);
    json_t *values = json_pack("{s:s#}", "year", today, 4);
    render_plan_form(r, 0, values, NULL, 200, NULL);
    json_decref(values);
}

void page_plan_create(Req *r) {
    char *year = web_form(r, "year"), *number = web_form(r, "number"),
         *qual = web_form(r, "qualifier"), *msg = NULL;
    json_t *errors = json_object();
    int64_t vid = 0;
    Actor who = web_actor(r);
    int rc = plan_work_create(r->db, &who, year ? atoi(year) : 0, number, qual, NULL, &vid, errors,
                              &msg);
    if (rc == PLAN_OK) {
        redirect_to(r, vid, "created");
    } else if (rc == PLAN_INVALID) {
        json_t *values = json_pack("{s:s, s:s, s:s}", "year", year ? year : "", "number",
                                   number ? number : "", "qualifier", qual ? qual : "");
        render_plan_form(r, 0, values, errors, 422, NULL);
        json_decref(values);
    } else {
        web_error(r, web_status(rc), "plan_create", msg ? msg : "新建失败");
    }
    json_decref(errors);
    free(year);
    free(number);
    free(qual);
    free(msg);
}

void page_plan_edit(Req *r) {
    long long vid = plan_web_version_id(r);
    if (!vid) return;
    json_t *v = plan_version_json(r->db, vid);
    render_plan_form(r, vid, v, NULL, 200, NULL);
    json_decref(v);
}

void page_plan_update(Req *r) {
    long long vid = plan_web_version_id(r);
    if (!vid) return;
    char *qual = web_form(r, "qualifier"), *unit = web_form(r, "unit"),
         *made = web_form(r, "made_on"), *rev = web_form(r, "rev"), *msg = NULL;
    json_t *errors = json_object();
    Actor who = web_actor(r);
    int64_t typed_rev = str_id(rev);
    int rc = plan_work_update(r->db, &who, vid, typed_rev, qual, unit, made, errors, &msg);
    free(rev);
    if (rc == PLAN_OK) {
        redirect_to(r, vid, "saved");
    } else if ((rc == PLAN_INVALID && json_object_size(errors)) || rc == PLAN_STALE) {
        json_t *v = plan_version_json(r->db, vid), *stale = NULL,
               *typed = json_pack("{s:s, s:s, s:s}", "qualifier", qual ? qual : "", "unit",
                                  unit ? unit : "", "made_on", made ? made : "");
        if (rc == PLAN_STALE) { /* the saved header beside the typed one; the form on the new rev */
            static const StaleField fields[] = {
                {"qualifier", "名称限定语"}, {"unit", "单位（盖章）"}, {"made_on", "制表时间"}};
            json_t *rows = json_array();
            stale_compare(rows, fields, ARRAY_LEN(fields), v, typed);
            stale = stale_context("plan-stale", "次修订", typed_rev,
                                  json_integer_value(json_object_get(v, "rev")), rows);
        }
        json_object_update(v, typed);
        render_plan_form(r, vid, v, rc == PLAN_STALE ? NULL : errors, web_status(rc), stale);
        json_decref(typed);
        json_decref(v);
    } else {
        web_error(r, web_status(rc), "plan_update", msg ? msg : "保存失败");
    }
    json_decref(errors);
    free(qual);
    free(unit);
    free(made);
    free(msg);
}

/* ---- detail ---- */

static json_t *find_version(json_t *versions, int version) {
    size_t i;
    json_t *v;
    json_array_foreach(versions, i, v) if (json_integer_value(json_object_get(v, "version")) ==
                                           version) return v;
    return NULL;
}

void page_plan_detail(Req *r) {
    long long vid = plan_web_version_id(r);
    if (!vid) return;
    json_t *v = plan_version_json(r->db, vid);
    json_t *versions = plan_versions_json(r->db, json_integer_value(json_object_get(v, "plan_id")));
    const char *status = json_string_value(json_object_get(v, "status"));
    int version = (int)json_integer_value(json_object_get(v, "version"));
    int latest = json_is_true(json_object_get(v, "latest"));
    int can_write = web_role_has(r->sess->role, P_PLAN_WRITE),
        can_approve = web_role_has(r->sess->role, P_PLAN_APPROVE);
    int draft = !strcmp(status, "草稿");
    json_object_set_new(v, "versions", versions);
    json_object_set_new(v, "vid", json_integer(vid));
    json_object_set(v, "plan_name", json_object_get(v, "name"));
    json_object_set_new(v, "editable", json_boolean(can_write && draft));
    json_object_set_new(v, "can_submit", json_boolean(can_write && draft));
    json_object_set_new(v, "can_decide", json_boolean(can_approve && !strcmp(status, "待审批")));
    json_object_set_new(v, "can_publish",
                        json_boolean(can_write && latest && !strcmp(status, "已批准")));
    json_object_set_new(v, "can_revise",
                        json_boolean(can_write && latest &&
                                     (!strcmp(status, "已批准") || !strcmp(status, "已公开"))));
    json_object_set_new(v, "is_draft", json_boolean(draft));
    json_object_set_new(
        v, "returned",
        json_boolean(draft && !str_empty(json_string_value(json_object_get(v, "opinion")))));
    json_t *prev = version > 1 ? find_version(versions, version - 1) : NULL;
    if (prev) {
        json_t *diff = plan_diff_json(r->db, json_integer_value(json_object_get(prev, "id")), vid);
        if (diff) json_object_set_new(v, "diff", diff);
    }
    char *title = xstrdup(json_string_value(json_object_get(v, "name")));
    web_name_users(r, v);
    web_page(r, "plan_detail", title, v);
    free(title);
}

/* ---- task rows ---- */

/* The checkbox and select lists of the task form, with the given values marked. */
static void task_choices(Req *r, long long vid, json_t *ctx, json_t *vals) {
    int64_t org = plan_version_org(r->db, vid);
    json_object_set_new(
        ctx, "items",
        checked_items(plan_items_available(r->db, org), json_object_get(vals, "item_list")));
    json_t *scope = json_object_get(vals, "scope"), *kinds = json_array(), *grades = json_array();
    for (const Choice *c = target_kinds; c->code; c++)
        json_array_append_new(kinds, json_pack("{s:s, s:s, s:b}", "code", c->code, "label",
                                               c->label, "checked",
                                               in_array(json_object_get(scope, "kinds"), c->code)));
    static const char *const gl[] = {"A", "B", "C", "D"};
    for (size_t i = 0; i < 4; i++)
        json_array_append_new(grades, json_pack("{s:s, s:b}", "code", gl[i], "checked",
                                                in_array(json_object_get(scope, "grades"), gl[i])));
    json_object_set_new(ctx, "target_kinds", kinds);
    json_object_set_new(ctx, "grades", grades);
    json_object_set_new(ctx, "tags",
                        checked_items(plan_scope_tags(r->db), json_object_get(scope, "tags")));
    /* 科室: the org's and its parents' depts by name; a stored value not in the list stays */
    json_t *lead = json_array(), *joint = json_array(),
           *joint_vals = json_object_get(vals, "joint_list");
    const char *lead_val = json_string_value(json_object_get(vals, "lead_dept"));
    int lead_known = 0;
    json_array_append_new(lead, json_pack("{s:s, s:s, s:b}", "value", "", "label", "（请选择）",
                                          "selected", str_empty(lead_val)));
    json_t *depts = plan_dept_names(r->db, org), *d;
    size_t k;
    json_array_foreach(depts, k, d) {
        const char *n = json_string_value(d);
        lead_known |= str_eq(n, lead_val);
        json_array_append_new(lead, json_pack("{s:s, s:s, s:b}", "value", n, "label", n, "selected",
                                              str_eq(n, lead_val)));
        json_array_append_new(
            joint, json_pack("{s:s, s:b}", "name", n, "checked", in_array(joint_vals, n)));
    }
    json_decref(depts);
    if (!lead_known && !str_empty(lead_val))
        json_array_append_new(lead, json_pack("{s:s, s:s, s:b}", "value", lead_val, "label",
                                              lead_val, "selected", 1));
    size_t i;
    json_t *e;
    json_array_foreach(joint_vals, i, e) {
        int known = 0;
        size_t j;
        json_t *o;
        json_array_foreach(joint, j, o) known |=
            str_eq(json_string_value(json_object_get(o, "name")), json_string_value(e));
        if (!known) json_array_append_new(joint, json_pack("{s:O, s:b}", "name", e, "checked", 1));
    }
    json_object_set_new(ctx, "lead_options", lead);
    json_object_set_new(ctx, "joint_options", joint);
    static const char *const kinds_text[] = {"定向", "不定向", NULL};
    json_object_set_new(
        ctx, "kind_options",
        options(kinds_text, json_string_value(json_object_get(vals, "kind")), "（请选择）"));
}

/* The task row form; stale (stolen, may be NULL): a save on an old rev (stale.h). */
static void render_task_form(Req *r, long long vid, long long tid, json_t *vals, json_t *errors,
                             int status, json_t *stale) {
    json_t *v = plan_version_json(r->db, vid);
    json_t *ctx = json_pack("{s:I, s:O, s:O, s:O, s:b}", "id", (json_int_t)vid, "plan_name",
                            json_object_get(v, "name"), "number", json_object_get(v, "number"),
                            "values", vals, "has_errors", errors && json_object_size(errors));
    json_object_set_new(ctx, "errors", errors ? json_incref(errors) : json_object());
    if (tid) json_object_set_new(ctx, "task_id", json_integer(tid));
    json_object_set(ctx, "rev", json_object_get(v, "rev"));
    if (stale) json_object_set_new(ctx, "stale", stale);
    json_decref(v);
    task_choices(r, vid, ctx, vals);
    web_page(r, "plan_task_form", tid ? "编辑抽查任务" : "新增抽查任务", ctx);
    r->res->status = status;
}

/* Form values of a stored task, in the shape render_task_form reads. */
static json_t *task_values(json_t *t) {
    json_t *vals = json_deep_copy(t), *codes = json_array(), *joint = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(t, "items"), i, e)
        json_array_append(codes, json_object_get(e, "code"));
    json_object_set_new(vals, "item_list", codes);
    char *loose = join(json_object_get(t, "unmatched"), "；");
    json_object_set_new(vals, "items_text", json_string(loose));
    free(loose);
    char *copy = xstrdup(json_string_value(json_object_get(t, "joint_depts")) ?: "");
    const char *p = copy;
    while (*p) {
        const char *q = strstr(p, "、");
        char *part = q ? xstrndup(p, (size_t)(q - p)) : xstrdup(p);
        if (*part) json_array_append_new(joint, json_string(part));
        free(part);
        p = q ? q + strlen("、") : p + strlen(p);
    }
    free(copy);
    json_object_set_new(vals, "joint_list", joint);
    json_object_set(vals, "period", json_object_get(t, "period"));
    const json_t *cm = json_object_get(json_object_get(t, "scope"), "complaints_min");
    json_object_set_new(vals, "complaints_min",
                        json_is_integer(cm) ? json_integer(json_integer_value(cm))
                                            : json_string(""));
    json_object_set(vals, "region_prefix",
                    json_object_get(json_object_get(t, "scope"), "region_prefix"));
    json_object_set(vals, "registered_before",
                    json_object_get(json_object_get(t, "scope"), "registered_before"));
    return vals;
}

static json_t *find_task(json_t *v, long long tid) {
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(v, "tasks"), i,
                       t) if (json_integer_value(json_object_get(t, "id")) == tid) return t;
    return NULL;
}

/* The scope's lists as their own members of vals, to compare them one by one. */
static void scope_lists(json_t *vals) {
    json_t *scope = json_object_get(vals, "scope");
    static const char *const k[][2] = {
        {"kinds", "scope_kinds"}, {"grades", "scope_grades"}, {"tags", "scope_tags"}};
    for (size_t i = 0; i < ARRAY_LEN(k); i++) {
        json_t *list = json_object_get(scope, k[i][0]);
        json_object_set_new(vals, k[i][1], list ? json_incref(list) : json_array());
    }
}

/* The stale box of a task row typed (`typed`, the form's values) on rev typed_rev: the row as
 * saved now beside it (a new row: nothing to compare). */
static json_t *task_stale(Req *r, long long vid, long long tid, int64_t typed_rev, json_t *typed) {
    static const StaleField fields[] = {
        {"task_no", "抽查任务编号"},
        {"name", "抽查任务名称"},
        {"kind", "抽查类型"},
        {"ratio", "抽查比例"},
        {"item_list", "抽查事项"},
        {"items_text", "其他事项原文"},
        {"scope_kinds", "抽查对象类型"},
        {"region_prefix", "行政区划（前缀）"},
        {"registered_before", "登记日期早于"},
        {"complaints_min", "投诉举报不少于（次）"},
        {"scope_grades", "信用风险等级"},
        {"scope_tags", "抽查对象标签"},
        {"scope_text", "抽查对象范围文字说明"},
        {"lead_dept", "发起科室"},
        {"period", "抽查时间"},
        {"joint_list", "联合科室"},
        {"frequency", "抽查频次"},
        {"level", "实施检查层级"},
        {"remark", "备注"},
    };
    json_t *v = plan_version_json(r->db, vid), *t = tid ? find_task(v, tid) : NULL,
           *rows = json_array();
    if (t) {
        json_t *saved = task_values(t), *now = json_deep_copy(typed);
        scope_lists(saved);
        scope_lists(now);
        stale_compare(rows, fields, ARRAY_LEN(fields), saved, now);
        json_decref(saved);
        json_decref(now);
    }
    json_t *box = stale_context("plan-stale", "次修订", typed_rev,
                                json_integer_value(json_object_get(v, "rev")), rows);
    json_decref(v);
    return box;
}

void page_plan_task_form(Req *r) {
    long long vid = plan_web_version_id(r);
    if (!vid) return;
    char *q = web_query(r, "task");
    long long tid = str_id(q);
    free(q);
    json_t *v = plan_version_json(r->db, vid), *vals;
    if (strcmp(json_string_value(json_object_get(v, "status")), "草稿") != 0) {
        json_decref(v);
        web_error(r, 409, "not_draft",
                  "只有草稿状态的版本可以修改；已批准或已公开的计划请先“调整计划”生成新版本");
        return;
    }
    if (tid) {
        json_t *t = find_task(v, tid);
        if (!t) {
            json_decref(v);
            web_error(r, 404, "not_found", "抽查任务不存在");
            return;
        }
        vals = task_values(t);
    } else {
        char next[16];
        snprintf(next, sizeof next, "%03zu号", json_array_size(json_object_get(v, "tasks")) + 1);
        vals = json_pack("{s:s, s:s, s:{}}", "task_no", next, "kind", "不定向", "scope");
    }
    json_decref(v);
    render_task_form(r, vid, tid, vals, NULL, 200, NULL);
    json_decref(vals);
}

void page_plan_task_save(Req *r) {
    long long vid = plan_web_version_id(r);
    if (!vid) return;
    char *task = web_form(r, "task");
    long long tid = str_id(task);
    free(task);
    static const char *const text_fields[] = {
        "task_no",        "name",     "kind",  "ratio",  "items_text",    "scope_text",
        "lead_dept",      "period",   "level", "remark", "region_prefix", "registered_before",
        "complaints_min", "frequency"};
    json_t *vals = json_object();
    for (size_t i = 0; i < ARRAY_LEN(text_fields); i++) {
        char *s = web_form(r, text_fields[i]);
        if (s) str_trim(s);
        json_object_set_new(vals, text_fields[i], json_string(s ? s : ""));
        free(s);
    }
    json_t *item_list = form_list(r, "items"), *joint = form_list(r, "joint_depts"),
           *scope = json_object();
    json_object_set(vals, "item_list", item_list);
    json_object_set(vals, "joint_list", joint);
    json_t *kinds = form_list(r, "scope_kinds"), *grades = form_list(r, "scope_grades"),
           *tags = form_list(r, "scope_tags");
    if (json_array_size(kinds)) json_object_set(scope, "kinds", kinds);
    if (json_array_size(grades)) json_object_set(scope, "grades", grades);
    if (json_array_size(tags)) json_object_set(scope, "tags", tags);
    json_decref(kinds);
    json_decref(grades);
    json_decref(tags);
    const char *rp = json_string_value(json_object_get(vals, "region_prefix")),
               *rb = json_string_value(json_object_get(vals, "registered_before")),
               *cm = json_string_value(json_object_get(vals, "complaints_min"));
    if (*rp) json_object_set_new(scope, "region_prefix", json_string(rp));
    if (*rb) json_object_set_new(scope, "registered_before", json_string(rb));
    if (*cm) {
        char *end;
        long long n = strtoll(cm, &end, 10);
        json_object_set_new(scope, "complaints_min", *end == 0 ? json_integer(n) : json_string(cm));
    }
    json_object_set(vals, "scope", scope);
    char *codes = join(item_list, ","), *joint_s = join(joint, "、"),
         *scope_s = json_dumps(scope, JSON_COMPACT), *msg = NULL;
    PlanTaskInput in = {.task_no = json_string_value(json_object_get(vals, "task_no")),
                        .name = json_string_value(json_object_get(vals, "name")),
                        .kind = json_string_value(json_object_get(vals, "kind")),
                        .ratio = json_string_value(json_object_get(vals, "ratio")),
                        .item_codes = codes,
                        .items_text = json_string_value(json_object_get(vals, "items_text")),
                        .scope_json = scope_s,
                        .scope_text = json_string_value(json_object_get(vals, "scope_text")),
                        .lead_dept = json_string_value(json_object_get(vals, "lead_dept")),
                        .joint_depts = joint_s,
                        .period = json_string_value(json_object_get(vals, "period")),
                        .level = json_string_value(json_object_get(vals, "level")),
                        .remark = json_string_value(json_object_get(vals, "remark")),
                        .frequency = json_string_value(json_object_get(vals, "frequency"))};
    json_t *errors = json_object();
    Actor who = web_actor(r);
    char *rev = web_form(r, "rev");
    int64_t typed_rev = str_id(rev);
    int rc = plan_work_task_save(r->db, &who, vid, typed_rev, tid, &in, NULL, errors, &msg);
    free(rev);
    if (rc == PLAN_OK)
        redirect_to(r, vid, "saved");
    else if (rc == PLAN_INVALID && json_object_size(errors))
        render_task_form(r, vid, tid, vals, errors, 422, NULL);
    else if (rc == PLAN_STALE) /* the typed row stays, the saved one beside it, on the new rev */
        render_task_form(r, vid, tid, vals, NULL, 409, task_stale(r, vid, tid, typed_rev, vals));
    else
        web_error(r, web_status(rc), "task_save", msg ? msg : "保存失败");
    json_decref(errors);
    json_decref(vals);
    json_decref(item_list);
    json_decref(joint);
    json_decref(scope);
    free(codes);
    free(joint_s);
    free(scope_s);
    free(msg);
}

void page_plan_task_remove(Req *r) {
    long long vid = plan_web_version_id(r);
    if (!vid) return;
    char *task = web_form(r, "task"), *rev = web_form(r, "rev"), *msg = NULL;
    long long tid = str_id(task);
    free(task);
    Actor who = web_actor(r);
    int rc = plan_work_task_remove(r->db, &who, vid, str_id(rev), tid, &msg);
    free(rev);
    if (rc == PLAN_OK)
        redirect_to(r, vid, "saved");
    else
        web_error(r, web_status(rc), "task_remove", msg ? msg : "删除失败");
    free(msg);
}

/* ---- state changes ---- */

static void transition(Req *r, PlanAction a) {
    long long vid =
        plan_web_version_id_for(r, a == PLAN_RETURN); /* an upper level may return a plan */
    if (!vid) return;
    char *opinion = web_form(r, "opinion"), *msg = NULL;
    int status = plan_web_transition(r, vid, a, opinion, &msg);
    if (status == 200)
        redirect_to(r, vid, "status");
    else
        web_error(r, status, "plan_state", msg ? msg : "操作失败");
    free(opinion);
    free(msg);
}

void page_plan_submit(Req *r) {
    transition(r, PLAN_SUBMIT);
}
void page_plan_approve(Req *r) {
    transition(r, PLAN_APPROVE);
}
void page_plan_return(Req *r) {
    transition(r, PLAN_RETURN);
}
void page_plan_publish(Req *r) {
    transition(r, PLAN_PUBLISH);
}

void page_plan_revise(Req *r) {
    long long vid = plan_web_version_id(r);
    if (!vid) return;
    char *reason = web_form(r, "reason"), *msg = NULL;
    long long nid = 0;
    int status = plan_web_revise(r, vid, reason, &nid, &msg);
    if (status == 201)
        redirect_to(r, nid, "created");
    else
        web_error(r, status, "plan_revise", msg ? msg : "操作失败");
    free(reason);
    free(msg);
}

/* ---- import / export ---- */

void page_plan_import_form(Req *r) {
    char today[11];
    clock_today(today);
    web_page(
        r, "plan_import", "导入年度抽查计划",
        json_pack("{s:s#, s:I}", "year", today, 4, "max_mb", (json_int_t)(HTTP_MAX_UPLOAD >> 20)));
}

void page_plan_import(Req *r) {
    char *path = NULL, *filename = NULL, *year = web_form(r, "year"), *err = NULL;
    size_t size = 0;
    if (multipart_file(r->http, "file", &path, &filename, &size) != 0 || size == 0) {
        web_error(r, 400, "no_file", "请选择要导入的文件（附件2格式的 XLSX 或 CSV）");
        if (path) unlink(path);
        free(path);
        free(filename);
        free(year);
        return;
    }
    PlanImportReport rep;
    memset(&rep, 0, sizeof rep);
    rep.errors = json_array();
    rep.warnings = json_array();
    int64_t vid = 0;
    Actor who = web_actor(r);
    int rc =
        plan_work_import(r->db, &who, path, who.org_id, year ? atoi(year) : 0, &vid, &rep, &err);
    unlink(path);
    free(path);
    json_t *ctx = json_pack(
        "{s:s, s:b, s:I, s:I, s:s?, s:O, s:O, s:b, s:b}", "filename", filename ? filename : "",
        "ok", rc == PLAN_OK, "rows", (json_int_t)rep.rows, "skipped", (json_int_t)rep.skipped,
        "number", rep.number, "errors", rep.errors, "warnings", rep.warnings, "has_errors",
        json_array_size(rep.errors) > 0, "has_warnings", json_array_size(rep.warnings) > 0);
    if (rc == PLAN_OK)
        json_object_set_new(ctx, "id", json_integer(vid));
    else
        json_object_set_new(ctx, "failure", json_string(err ? err : "导入失败"));
    plan_import_report_free(&rep);
    free(filename);
    free(year);
    free(err);
    web_page(r, "plan_import_report", "导入结果", ctx);
    if (rc != PLAN_OK) r->res->status = web_status(rc);
}

void page_plan_export(Req *r) {
    long long vid = plan_web_version_id(r);
    if (!vid) return;
    char *fmt = web_query(r, "format");
    int xlsx = !fmt || strcmp(fmt, "csv") != 0;
    free(fmt);
    char tmpl[sizeof WEB_EXPORT_TMPL];
    if (web_export_file(r, tmpl)) return;
    char *err = NULL;
    if (plan_export(r->db, vid, tmpl, xlsx ? TABLE_XLSX : TABLE_CSV, &err) != PLAN_OK) {
        unlink(tmpl);
        web_error(r, 500, "export", err ? err : "导出失败");
        free(err);
        return;
    }
    char *name = xasprintf("plan-%lld.%s", (long long)vid, xlsx ? "xlsx" : "csv");
    web_attachment(r, tmpl, xlsx, name);
    free(name);
}

/* ---- ad-hoc tasks ---- */

static void render_adhoc(Req *r, json_t *vals, json_t *errors, int status) {
    json_t *list = plan_adhoc_list_json(r->db, r->sess->org_id);
    json_t *items = checked_items(plan_items_available(r->db, r->sess->org_id),
                                  json_object_get(vals, "item_list"));
    json_t *ctx =
        json_pack("{s:o, s:o, s:O, s:b, s:b, s:b, s:o}", "adhoc", list, "items", items, "values",
                  vals, "can_write", web_role_has(r->sess->role, P_PLAN_WRITE), "can_approve",
                  web_role_has(r->sess->role, P_PLAN_APPROVE), "has_errors",
                  errors && json_object_size(errors), "sources",
                  options(plan_adhoc_sources, json_string_value(json_object_get(vals, "source")),
                          "（请选择）"));
    json_object_set_new(ctx, "errors", errors ? json_incref(errors) : json_object());
    web_name_users(r, ctx);
    web_page(r, "plan_adhoc", "临时任务", ctx);
    r->res->status = status;
}

void page_plan_adhoc(Req *r) {
    json_t *vals = json_object();
    render_adhoc(r, vals, NULL, 200);
    json_decref(vals);
}

void page_plan_adhoc_create(Req *r) {
    static const char *const fields[] = {"name", "source", "reason", "scope_text", "period"};
    json_t *vals = json_object();
    for (size_t i = 0; i < ARRAY_LEN(fields); i++) {
        char *s = web_form(r, fields[i]);
        json_object_set_new(vals, fields[i], json_string(s ? s : ""));
        free(s);
    }
    json_t *items = form_list(r, "items");
    json_object_set(vals, "item_list", items);
    char *codes = join(items, ","), *msg = NULL;
    PlanAdhocInput in = {json_string_value(json_object_get(vals, "name")),
                         json_string_value(json_object_get(vals, "source")),
                         json_string_value(json_object_get(vals, "reason")),
                         codes,
                         json_string_value(json_object_get(vals, "scope_text")),
                         json_string_value(json_object_get(vals, "period"))};
    json_t *errors = json_object();
    int64_t id = 0;
    Actor who = web_actor(r);
    int rc = plan_work_adhoc_create(r->db, &who, &in, &id, errors, &msg);
    if (rc == PLAN_OK)
        web_redirect(r, "/plans/adhoc?ok=created");
    else if (rc == PLAN_INVALID)
        render_adhoc(r, vals, errors, 422);
    else
        web_error(r, web_status(rc), "adhoc", msg ? msg : "保存失败");
    json_decref(errors);
    json_decref(items);
    json_decref(vals);
    free(codes);
    free(msg);
}

void page_plan_adhoc_decide(Req *r) {
    long long id = str_id(web_param(r, "id"));
    if (web_scope_gate(r, plan_adhoc_org(r->db, id), "临时任务不存在或不在您的管辖范围内")) return;
    char *decision = web_form(r, "decision"), *opinion = web_form(r, "opinion"), *msg = NULL;
    int approve = str_eq(decision, "approve"), rc = PLAN_INVALID;
    Actor who = web_actor(r);
    if (approve || str_eq(decision, "return"))
        rc = plan_work_adhoc_decide(r->db, &who, id, approve, opinion, &msg);
    else
        set_err(&msg, "请选择批准或退回");
    if (rc == PLAN_OK)
        web_redirect(r, "/plans/adhoc?ok=status");
    else
        web_error(r, web_status(rc), "adhoc_decide", msg ? msg : "操作失败");
    free(decision);
    free(opinion);
    free(msg);
}
