/* page_public_plan.c - the annual plans on the public portal (/public/plans): every published
 * version of every org's plan, older versions marked 已被新版本替代, and one version's task
 * rows in the 附件2 layout. Only published versions are reachable; no user names or other
 * personal data are shown (who approved or published stays internal). */
#include "../domain/plan.h"
#include "plan_web.h"

#include <stdlib.h>
#include <string.h>

/* "YYYY-MM-DD HH:MM:SS" → "YYYY-MM-DD" (a new string). */
static json_t *day_of(json_t *ts) {
    const char *s = json_string_value(ts);
    return s ? json_stringn(s, strnlen(s, 10)) : json_null();
}

void page_public_plans(Req *r) {
    PlanFilter f = {.published_only = 1};
    char *year = web_query(r, "year");
    f.year = year ? atoi(year) : 0;
    free(year);
    json_t *plans = plan_list_json(r->db, &f), *rows = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(plans, i, p) {
        json_array_append_new(
            rows,
            json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:o, s:O, s:O, s:O}", "id",
                      json_object_get(p, "id"), "year", json_object_get(p, "year"), "org_name",
                      json_object_get(p, "org_name"), "number", json_object_get(p, "number"),
                      "name", json_object_get(p, "name"), "version", json_object_get(p, "version"),
                      "tasks", json_object_get(p, "tasks"), "published_on",
                      day_of(json_object_get(p, "published_at")), "in_force",
                      json_object_get(p, "in_force"), "superseded",
                      json_object_get(p, "superseded"), "in_force_version",
                      json_object_get(p, "in_force_version")));
    }
    json_decref(plans);
    web_page(r, "public_plans", "年度抽查计划",
             json_pack("{s:o, s:I}", "plans", rows, "count", (json_int_t)json_array_size(rows)));
}

void page_public_plan(Req *r) {
    const char *s = web_param(r, "id");
    char *end;
    long long vid = s ? strtoll(s, &end, 10) : 0;
    json_t *v = s && *end == 0 && vid > 0 ? plan_version_json(r->db, vid) : NULL;
    if (!v || !str_eq(json_string_value(json_object_get(v, "status")), "已公开")) {
        json_decref(v);
        web_error(r, 404, "not_found", "该计划未公开或不存在");
        return;
    }
    json_t *ctx = json_object();
    static const char *const keep[] = {
        "id",   "number",  "name",          "year",     "org_name",   "version",
        "unit", "made_on", "change_reason", "in_force", "superseded", "in_force_version"};
    for (size_t i = 0; i < ARRAY_LEN(keep); i++)
        json_object_set(ctx, keep[i], json_object_get(v, keep[i]));
    json_object_set_new(ctx, "published_on", day_of(json_object_get(v, "published_at")));
    json_object_set(ctx, "plan_name", json_object_get(v, "name"));
    json_object_set_new(ctx, "vid", json_integer(vid));
    json_t *tasks = json_array(), *t;
    size_t i;
    json_array_foreach(json_object_get(v, "tasks"), i, t) {
        json_t *o = json_object();
        static const char *const tk[] = {
            "task_no",     "name",      "kind_text",   "ratio",  "items", "unmatched", "scope_text",
            "scope_words", "lead_dept", "joint_depts", "period", "level", "remark",    "frequency"};
        for (size_t k = 0; k < ARRAY_LEN(tk); k++)
            json_object_set(o, tk[k], json_object_get(t, tk[k]));
        json_array_append_new(tasks, o);
    }
    json_object_set_new(ctx, "tasks", tasks);
    json_t *versions = plan_versions_json(r->db, json_integer_value(json_object_get(v, "plan_id"))),
           *pub = json_array(), *e;
    json_array_foreach(versions, i, e) {
        if (!str_eq(json_string_value(json_object_get(e, "status")), "已公开")) continue;
        json_array_append_new(pub, json_pack("{s:O, s:O, s:o, s:O, s:O, s:O, s:b}", "id",
                                             json_object_get(e, "id"), "version",
                                             json_object_get(e, "version"), "published_on",
                                             day_of(json_object_get(e, "published_at")), "in_force",
                                             json_object_get(e, "in_force"), "superseded",
                                             json_object_get(e, "superseded"), "change_reason",
                                             json_object_get(e, "change_reason"), "current",
                                             json_integer_value(json_object_get(e, "id")) == vid));
    }
    json_decref(versions);
    json_object_set_new(ctx, "versions", pub);
    char *title = xstrdup(json_string_value(json_object_get(v, "name")));
    json_decref(v);
    web_page(r, "public_plan", title, ctx);
    free(title);
}
