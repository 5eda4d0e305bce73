/* page_task_draw.c - the draw of a task through the web: freezing the population once the
 * scheme is published, the ceremony page (frozen population, announced randomness source,
 * observers present, the public randomness typed in, the result at once, then locked),
 * substitution (递补) with a reason, re-draw on request with the 分管领导's approval, and the
 * inspection notice (检查通知书) per drawn target.
 *
 * Each action (task_web_freeze, task_web_run, task_web_substitute, shared with api_task.c) is one
 * domain unit of work (src/domain/task_draw.h): it checks the rules, makes the draw change and
 * writes its audit row in one transaction. The names shown come from task_query.h. */
#include "../core/clock.h"
#include "../domain/notice.h"
#include "../domain/jsonkit.h"
#include "../domain/draw_source.h"
#include "../domain/task_draw.h"
#include "../domain/draw.h"
#include "../domain/draw_store.h"
#include "../domain/draw_groups.h"
#include "../domain/draw_token.h"
#include "../domain/task.h"
#include "../domain/task_query.h"
#include "task_web.h"

#include <stdlib.h>
#include <string.h>

/* The value of stratum `name` in a params map (ratios, minimum): the exact name, then its part
 * before the first '/', then "*" (docs/DRAW.md §4). Borrowed, or NULL. */
static json_t *stratum_value(const json_t *map, const char *name) {
    json_t *v = json_object_get(map, name);
    const char *slash = strchr(name, '/');
    if (!v && slash) {
        char *pre = xstrndup(name, (size_t)(slash - name));
        v = json_object_get(map, pre);
        free(pre);
    }
    return v ? v : json_object_get(map, "*");
}

/* A recorded time to the second as people write it: "2026-12-06T10:15:03+08:00" →
 * "2026-12-06 10:15:03 北京时间" (another offset: "UTC-05:00"); an older local
 * "2026-12-06T10:15:03" → "2026-12-06 10:15:03". */
static json_t *time_text(const json_t *t) {
    const char *s = json_string_value(t);
    if (!s || strlen(s) < 19) return json_null();
    const char *zone = strlen(s) == 25 ? (strcmp(s + 19, "+08:00") ? s + 19 : "北京时间") : "";
    char *out = xasprintf("%.10s %.8s%s%s%s", s, s + 11, *zone ? " " : "",
                          strlen(zone) == 6 ? "UTC" : "", zone);
    json_t *j = json_string(out);
    free(out);
    return j;
}

/* The frozen sources for the pages: label, whether external, when it exists (Beijing time) and,
 * once drawn, the value entered. */
static json_t *sources_view(const json_t *sources, const json_t *values) {
    char *text = json_dumps(sources, JSON_COMPACT);
    json_t *rows = task_sources_json(text), *row;
    free(text);
    size_t i;
    json_array_foreach(rows, i, row) {
        long long t = draw_source_time(json_array_get(sources, i));
        if (t) {
            char when[26];
            draw_time_format(t, 8 * 3600, when);
            when[16] = 0;
            when[10] = ' ';
            json_object_set_new(row, "when", json_string(when));
        } else {
            json_object_set_new(row, "when", json_string("摇号现场"));
        }
        json_t *v = json_array_get(values, i);
        json_object_set_new(row, "value", v ? json_incref(v) : json_null());
        json_object_set_new(row, "field", json_integer((json_int_t)i));
    }
    return rows;
}

/* The dice recorded before the lottery for the current draw (sql/022): v.dice {values,
 * recorded_at_text, observers}, each dice row of v.sources gets `thrown`; v.needs_dice while dice
 * are declared and not yet recorded, with v.dice_rows (the dice sources, numbered for the form). */
static void dice_view(Db *db, const char *code, json_t *v) {
    json_t *rows = json_object_get(v, "sources"), *row, *dice_rows = json_array();
    json_t *recorded = draw_store_dice_get(db, code), *thrown = json_object_get(recorded, "values");
    if (recorded)
        json_object_set_new(v, "dice",
                            json_pack("{s:o, s:O?}", "recorded_at_text",
                                      time_text(json_object_get(recorded, "recorded_at")),
                                      "observers", json_object_get(recorded, "observers")));
    size_t i, k = 0;
    json_array_foreach(rows, i, row) {
        if (json_is_true(json_object_get(row, "external"))) continue;
        json_t *t = json_array_get(thrown, k);
        if (t) json_object_set(row, "thrown", t);
        json_array_append_new(dice_rows, json_pack("{s:I, s:O}", "n", (json_int_t)k, "label",
                                                   json_object_get(row, "label")));
        k++;
    }
    json_object_set_new(v, "needs_dice", json_boolean(k && !thrown));
    json_object_set_new(v, "dice_rows", dice_rows);
    json_decref(recorded);
}

/* The drawn part of the view: the values, seed and strata of the record, page q of its groups
 * (draw_groups.h) with the tickets of the drawn ones on that page, the groups short of officers
 * and the substitutions (events) with the experts they brought in, by name. */
static void drawn_view(Req *r, const json_t *doc, json_t *v, DrawGroupsQuery *q) {
    json_object_set(v, "public_randomness", json_object_get(doc, "public_randomness"));
    json_object_set(v, "secret", json_object_get(doc, "secret"));
    json_object_set(v, "seed", json_object_get(doc, "seed"));
    json_object_set(v, "strata", json_object_get(doc, "strata"));
    char *err = NULL;
    json_t *page = q ? draw_groups_page(r->db, q, &err) : NULL, *tickets = json_array(), *g;
    free(err);
    size_t i, j;
    json_array_foreach(json_object_get(page, "groups"), i, g) {
        if (str_eq(jk_str(g, "origin"), "抽中"))
            json_array_append_new(tickets, json_pack("{s:O, s:O, s:O, s:O, s:O}", "no",
                                                     json_object_get(g, "no"), "id",
                                                     json_object_get(g, "target"), "name",
                                                     json_object_get(g, "target_name"), "stratum",
                                                     json_object_get(g, "stratum"), "ticket",
                                                     json_object_get(g, "ticket")));
    }
    json_object_set_new(v, "tickets", tickets);
    json_t *groups = json_object_get(page, "groups");
    json_object_set_new(v, "groups", groups ? json_incref(groups) : json_array());
    if (page) {
        json_object_del(page, "groups");
        json_object_set_new(v, "pager", page);
    }
    /* the staff's warning only: the public page never shows it */
    char *under = q && !q->public_view ? draw_groups_under_minimum(r->db, q->draw_id, 50) : NULL;
    if (under) json_object_set_new(v, "under_minimum", json_string(under));
    free(under);
    json_t *events = json_deep_copy(json_object_get(doc, "events")), *ev;
    if (q && !q->public_view) { /* the staff see the targets behind the record's tokens */
        draw_token_reveal(r->db, q->draw_id, events, "target");
        draw_token_reveal(r->db, q->draw_id, events, "replacement");
    }
    json_array_foreach(events, i, ev) { /* experts a substitution brought in, by name */
        Buf names;
        buf_init(&names);
        json_t *m;
        json_array_foreach(json_object_get(ev, "experts_added"), j, m) {
            json_t *nm = task_member_name(r->db, json_string_value(m));
            buf_printf(&names, "%s%s（%s）", names.len ? "、" : "",
                       json_string_value(nm) ? json_string_value(nm) : "", json_string_value(m));
            json_decref(nm);
        }
        if (names.len) json_object_set_new(ev, "experts_text", json_string(names.data));
        buf_free(&names);
    }
    json_object_set_new(v, "event_count", json_integer((json_int_t)json_array_size(events)));
    json_object_set_new(v, "events", events ? events : json_array());
}

json_t *task_web_draw_view(Req *r, const char *code, int public_view, DrawGroupsQuery *q) {
    json_t *doc = NULL;
    char *status = NULL;
    int64_t draw_id = 0;
    if (!code || draw_store_head(r->db, code, &doc, &draw_id, &status, NULL) != 0) return NULL;
    json_t *v = json_object(), *f = json_object_get(doc, "freeze"),
           *pop = json_object_get(f, "population");
    json_object_set_new(v, "status", json_string(status));
    json_object_set_new(v, "drawn", json_boolean(!strcmp(status, "已抽取")));
    json_object_set(v, "draw_no", json_object_get(f, "draw_no"));
    json_object_set(v, "draw_date", json_object_get(f, "draw_date"));
    json_object_set(v, "frozen_at", json_object_get(f, "frozen_at"));
    json_object_set_new(v, "frozen_at_text", time_text(json_object_get(f, "frozen_at")));
    json_object_set(v, "randomness_source", json_object_get(f, "randomness_source"));
    if (json_object_get(f, "sources")) { /* spotcheck-draw/2 */
        json_object_set_new(v, "v2", json_true());
        json_object_set_new(
            v, "sources",
            sources_view(json_object_get(f, "sources"), json_object_get(doc, "values")));
        json_object_set(v, "gap_hours", json_object_get(f, "gap_hours"));
        json_object_set_new(v, "drawn_at_text", time_text(json_object_get(doc, "drawn_at")));
        dice_view(r->db, code, v);
    } else {
        json_object_set_new(v, "v2", json_false());
        json_object_set_new(v, "sources", json_array());
        json_object_set_new(v, "drawn_at_text", json_null());
    }
    json_object_set(v, "commitment", json_object_get(f, "commitment"));
    json_object_set(v, "blind_sha256", json_object_get(f, "blind_sha256"));
    json_object_set(v, "freeze_sha256", json_object_get(doc, "freeze_sha256"));
    json_object_set(v, "population_sha256", json_object_get(pop, "sha256"));
    json_object_set(v, "population_count", json_object_get(pop, "count"));
    json_object_set(v, "officers_sha256",
                    json_object_get(json_object_get(f, "officers"), "sha256"));
    json_object_set(v, "officers_count",
                    json_object_get(json_object_get(f, "officers"), "officers"));
    json_object_set(v, "redraw", json_object_get(f, "redraw"));
    json_object_set(v, "excluded_count", json_object_get(f, "excluded_count"));
    json_object_set(v, "group_size", json_object_get(json_object_get(f, "params"), "group_size"));
    json_object_set_new(v, "conflicts_count",
                        json_integer((json_int_t)json_array_size(
                            json_object_get(json_object_get(f, "params"), "conflicts"))));
    json_t *strata = json_array();
    const char *k;
    json_t *e;
    const json_t *params = json_object_get(f, "params");
    /* each frozen stratum with the ratio and minimum the draw will apply and the resulting size,
     * so the ceremony shows before the draw how many of each credit grade will be drawn */
    json_object_foreach(json_object_get(pop, "strata"), k, e) {
        json_t *row = json_pack("{s:s, s:O}", "stratum", k, "N", e);
        json_t *rv = stratum_value(json_object_get(params, "ratios"), k),
               *mv = stratum_value(json_object_get(params, "minimum"), k);
        DrawRatio ratio;
        if (json_is_string(rv) && !draw_ratio_parse(json_string_value(rv), &ratio)) {
            uint64_t m = json_is_integer(mv) && json_integer_value(mv) > 0
                             ? (uint64_t)json_integer_value(mv)
                             : 0;
            json_object_set(row, "ratio", rv);
            json_object_set_new(row, "minimum", json_integer((json_int_t)m));
            json_object_set_new(row, "n",
                                json_integer((json_int_t)draw_stratum_size(
                                    (uint64_t)json_integer_value(e), ratio, m)));
        }
        json_array_append_new(strata, row);
    }
    json_object_set_new(v, "frozen_strata", strata);
    json_t *subs = task_substitutions_list(r->db, code, public_view);
    size_t approved = 0, refused = 0, si;
    json_t *sv;
    json_array_foreach(subs, si, sv) {
        approved += json_is_true(json_object_get(sv, "approved"));
        if (str_eq(json_string_value(json_object_get(sv, "status")), "已驳回")) refused++;
    }
    json_object_set_new(v, "substitutions", subs);
    json_object_set_new(v, "substitutions_approved", json_integer((json_int_t)approved));
    json_object_set_new(v, "substitutions_refused", json_integer((json_int_t)refused));
    if (q) {
        q->draw_id = draw_id;
        q->public_view = public_view;
    }
    if (!strcmp(status, "已抽取")) drawn_view(r, doc, v, q);
    json_t *list = NULL;
    if (draw_store_list(r->db, code, &list, NULL) == 0) json_object_set_new(v, "draws", list);
    size_t di;
    json_array_foreach(list, di, e) { /* the digest of the current draw's stored record */
        if (json_equal(json_object_get(e, "draw_no"), json_object_get(f, "draw_no")))
            json_object_set(v, "record_sha256", json_object_get(e, "record_sha256"));
    }
    char *obs = task_ceremony_observers(r->db, code,
                                        (int64_t)json_integer_value(json_object_get(f, "draw_no")));
    if (obs) json_object_set_new(v, "observers_present", json_string(obs));
    free(obs);
    json_decref(doc);
    free(status);
    return v;
}

void task_web_groups_ask(Req *r, DrawGroupsQuery *q, char **target, char **member) {
    memset(q, 0, sizeof *q);
    char *page = web_query(r, "page");
    char *end = NULL;
    long long n = page ? strtoll(page, &end, 10) : 1;
    q->page = page && end != page && n > 0 ? n : 1;
    free(page);
    *target = web_query(r, "q");
    if (*target) str_trim(*target);
    q->target = *target;
    if (member) {
        *member = web_query(r, "m");
        if (*member) str_trim(*member);
        q->member = *member;
    }
}

void task_web_pager(json_t *v, const char *path, const char *target, const char *member,
                    int by_member) {
    json_t *p = json_object_get(v, "pager");
    if (!p) return;
    const char *const params[][2] = {{"q", target}, {"m", member}};
    web_pager_hrefs(p, path, params, 2, json_integer_value(json_object_get(p, "page")),
                    json_integer_value(json_object_get(p, "pages")), "#groups-card");
    json_object_set_new(p, "q", json_string(target ? target : ""));
    json_object_set_new(p, "m", json_string(member ? member : ""));
    json_object_set_new(p, "searching", json_boolean(!str_empty(target) || !str_empty(member)));
    json_object_set_new(p, "action", json_string(path));
    json_object_set_new(p, "member", json_boolean(by_member));
}

/* ---- freeze ---- */

int task_web_freeze(Req *r, long long id, const json_t *sources, char **fsha, char **msg) {
    Actor who = web_actor(r);
    return web_refusal(task_draw_freeze(r->db, &who, id, sources, fsha, msg));
}

void page_task_freeze(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    char *fsha = NULL, *msg = NULL;
    json_t *sources = task_web_sources_form(r, "src");
    int status = task_web_freeze(r, id, sources, &fsha, &msg);
    json_decref(sources);
    if (!status) {
        char *loc = xasprintf("/tasks/%lld/draw?ok=status", id);
        web_redirect(r, loc);
        free(loc);
    } else
        web_error(r, status, status == 409 ? "draw_refused" : "freeze", msg ? msg : "冻结失败");
    free(fsha);
    free(msg);
}

/* ---- the ceremony ---- */

/* What a refused substitution request typed: shown again in its form with the message. */
typedef struct SubRedo {
    const char *type, *target, *officer, *reason_code, *reason, *error;
} SubRedo;

/* Marks the group whose target was typed (`sub_selected`) so its option is selected again. */
static void mark_sub_target(json_t *v, const char *target) {
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(v, "groups"), i, g) {
        if (target && str_eq(json_string_value(json_object_get(g, "target")), target))
            json_object_set_new(g, "sub_selected", json_true());
    }
}

/* The ceremony page; redo (may be NULL) refills the substitution form after a refusal, answered
 * with http_status. */
static void render_ceremony(Req *r, const SubRedo *redo, int http_status) {
    long long id;
    json_t *t = task_web_load(r, &id);
    if (!t) return;
    DrawGroupsQuery q;
    char *target = NULL, *member = NULL;
    task_web_groups_ask(r, &q, &target, &member);
    json_t *v = task_web_draw_view(r, jk_str(t, "code"), 0, &q);
    char *path = xasprintf("/tasks/%lld/draw", id);
    if (v) task_web_pager(v, path, target, member, 1);
    free(path);
    free(target);
    free(member);
    int w = web_role_has(r->sess->role, P_TASK_WRITE),
        a = web_role_has(r->sess->role, P_TASK_APPROVE);
    json_t *ctx =
        json_pack("{s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(t, "id"), "name",
                  json_object_get(t, "name"), "code", json_object_get(t, "code"), "scheme",
                  json_object_get(t, "scheme"), "org_name", json_object_get(t, "org_name"));
    if (v) {
        int drawn = json_is_true(json_object_get(v, "drawn"));
        json_object_set_new(ctx, "draw", v);
        json_object_set_new(ctx, "can_draw", json_boolean(w && !drawn));
        json_object_set_new(ctx, "can_substitute", json_boolean(w && drawn));
        char *reason = NULL;
        int64_t pending = task_redraw_pending(r->db, id, &reason);
        if (reason) json_object_set_new(ctx, "redraw_pending", json_string(reason));
        free(reason);
        json_object_set_new(ctx, "can_request_redraw", json_boolean(w && !pending));
        json_object_set_new(ctx, "can_approve_redraw", json_boolean(a && pending));
        json_object_set_new(ctx, "can_decide_substitution", json_boolean(a));
        json_t *reasons = json_array();
        for (size_t k = 0; task_substitution_reasons[k]; k++)
            json_array_append_new(
                reasons,
                json_pack("{s:s, s:b}", "value", task_substitution_reasons[k], "selected",
                          redo && str_eq(redo->reason_code, task_substitution_reasons[k])));
        json_object_set_new(ctx, "substitution_reasons", reasons);
        if (redo) {
            mark_sub_target(v, redo->target);
            json_object_set_new(ctx, "sub",
                                json_pack("{s:s?, s:s?, s:s?, s:b}", "officer", redo->officer,
                                          "reason", redo->reason, "error", redo->error, "is_target",
                                          str_eq(redo->type, "target")));
            json_object_set_new(
                ctx, "flash",
                json_pack("{s:s, s:s}", "kind", "error", "text",
                          "递补申请未提交：请按表单旁的提示修改，已填写的内容仍在表单中。"));
        }
        json_object_set_new(ctx, "redraw_sources",
                            json_pack("{s:o}", "source_rows", task_web_source_rows(NULL)));
    }
    json_decref(t);
    web_name_users(r, ctx);
    web_page(r, "task_draw", "摇号现场", ctx);
    if (http_status != 200) r->res->status = http_status;
}

void page_task_ceremony(Req *r) {
    render_ceremony(r, NULL, 200);
}

int task_web_run(Req *r, long long id, const json_t *values, const char *obs, json_t **summary,
                 char **msg) {
    Actor who = web_actor(r);
    return web_refusal(task_draw_run(r->db, &who, id, values, obs, summary, msg));
}

/* The form fields PREFIX0, PREFIX1, … up to the first missing one, trimmed, as a JSON array. */
static json_t *form_values(Req *r, const char *prefix) {
    json_t *values = json_array();
    for (int i = 0; i < DRAW_SOURCES_MAX; i++) {
        char name[24];
        snprintf(name, sizeof name, "%s%d", prefix, i);
        char *v = web_form(r, name);
        if (!v) break;
        str_trim(v);
        json_array_append_new(values, json_string(v));
        free(v);
    }
    return values;
}

int task_web_dice(Req *r, long long id, const json_t *values, const char *obs, json_t **dice,
                  char **msg) {
    Actor who = web_actor(r);
    return web_refusal(task_draw_dice(r->db, &who, id, values, obs, dice, msg));
}

/* The dice, thrown in public before the lottery: dice0, dice1, … one per dice source. */
void page_task_dice(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    char *obs = web_form(r, "observers_present"), *msg = NULL;
    json_t *values = form_values(r, "dice"), *dice = NULL;
    int status = task_web_dice(r, id, values, obs, &dice, &msg);
    json_decref(values);
    if (!status) {
        char *loc = xasprintf("/tasks/%lld/draw?ok=status", id);
        web_redirect(r, loc);
        free(loc);
    } else
        web_error(r, status, "dice", msg ? msg : "登记失败");
    json_decref(dice);
    free(obs);
    free(msg);
}

void page_task_draw(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    char *obs = web_form(r, "observers_present"), *msg = NULL;
    json_t *values = form_values(r, "value"), *rec = NULL; /* one per declared source */
    int status = task_web_run(r, id, values, obs, &rec, &msg);
    json_decref(values);
    if (!status) {
        char *loc = xasprintf("/tasks/%lld/draw?ok=status", id);
        web_redirect(r, loc);
        free(loc);
    } else
        web_error(r, status, "draw", msg ? msg : "抽取失败");
    json_decref(rec);
    free(obs);
    free(msg);
}

int task_web_substitute(Req *r, long long id, const char *type, const char *target,
                        const char *officer, const char *reason_code, const char *reason_text,
                        int64_t *req_id, char **msg) {
    Actor who = web_actor(r);
    return web_refusal(task_substitute_request(r->db, &who, id, type, target, officer, reason_code,
                                               reason_text, req_id, msg));
}

int task_web_substitute_decide(Req *r, long long id, int64_t req_id, int approve,
                               const char *opinion, json_t **ev, char **msg) {
    Actor who = web_actor(r);
    return web_refusal(task_substitute_decide(r->db, &who, id, req_id, approve, opinion, ev, msg));
}

void page_task_substitute(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    char *type = web_form(r, "type"), *target = web_form(r, "target"),
         *officer = web_form(r, "officer"), *code = web_form(r, "reason_code"),
         *text = web_form(r, "reason"), *msg = NULL;
    if (text) str_trim(text);
    if (officer) str_trim(officer);
    int64_t req = 0;
    int status = task_web_substitute(r, id, type, target, officer, code, text, &req, &msg);
    if (!status) {
        char *loc = xasprintf("/tasks/%lld/draw?ok=saved", id);
        web_redirect(r, loc);
        free(loc);
    } else if (status == 409 || status == 422) { /* refused: the form again, as typed */
        SubRedo redo = {type, target, officer, code, text, msg ? msg : "递补申请失败"};
        render_ceremony(r, &redo, status);
    } else
        web_error(r, status, "substitute", msg ? msg : "递补申请失败");
    free(type), free(target), free(officer), free(code), free(text), free(msg);
}

/* POST /tasks/:id/substitutions/:sid/approve or …/reject (the leader). */
static void decide(Req *r, int approve) {
    long long id = task_web_id(r);
    if (!id) return;
    long long sid = str_id(web_param(r, "sid"));
    char *opinion = web_form(r, "opinion"), *msg = NULL;
    if (opinion) str_trim(opinion);
    json_t *ev = NULL;
    int status = sid ? task_web_substitute_decide(r, id, sid, approve, opinion, &ev, &msg)
                     : (set_err(&msg, "递补申请不存在"), 404);
    if (!status) {
        char *loc = xasprintf("/tasks/%lld/draw?ok=saved", id);
        web_redirect(r, loc);
        free(loc);
    } else
        web_error(r, status, "substitute", msg ? msg : "审批失败");
    json_decref(ev);
    free(opinion);
    free(msg);
}

void page_task_substitute_approve(Req *r) {
    decide(r, 1);
}
void page_task_substitute_reject(Req *r) {
    decide(r, 0);
}

/* ---- re-draw: requested with a reason, approved by the 分管领导 ---- */

void page_task_redraw_request(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    char *reason = web_form(r, "reason"), *msg = NULL;
    if (reason) str_trim(reason);
    Actor who = web_actor(r);
    int status = web_refusal(task_redraw_request(r->db, &who, id, reason, &msg));
    if (!status) {
        char *loc = xasprintf("/tasks/%lld/draw?ok=saved", id);
        web_redirect(r, loc);
        free(loc);
    } else
        web_error(r, status, "redraw", msg ? msg : "申请失败");
    free(reason);
    free(msg);
}

void page_task_redraw_approve(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    /* new sources, declared with the approval: the earlier draw's values are known */
    json_t *sources = task_web_sources_form(r, "src");
    char *fsha = NULL, *msg = NULL;
    Actor who = web_actor(r);
    int status = web_refusal(task_redraw_approve(r->db, &who, id, sources, &fsha, &msg));
    if (!status) {
        char *loc = xasprintf("/tasks/%lld/draw?ok=status", id);
        web_redirect(r, loc);
        free(loc);
    } else
        web_error(r, status, "redraw", msg ? msg : "重新抽取失败");
    free(fsha);
    free(msg);
    json_decref(sources);
}

int task_web_redraw(Req *r, long long id, const char *reason, const json_t *sources, int approve,
                    char **fsha, char **msg) {
    Actor who = web_actor(r);
    return web_refusal(approve ? task_redraw_approve(r->db, &who, id, sources, fsha, msg)
                               : task_redraw_request(r->db, &who, id, reason, msg));
}

/* ---- recusal (回避) before the freeze ---- */

int task_web_conflict(Req *r, long long id, const char *officer, const char *target,
                      const char *reason, int64_t *cid, char **msg) {
    Actor who = web_actor(r);
    return web_refusal(task_conflict_declare(r->db, &who, id, officer, target, reason, cid, msg));
}

void page_task_conflict(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    char *officer = web_form(r, "officer"), *target = web_form(r, "target"),
         *reason = web_form(r, "reason"), *msg = NULL;
    if (officer) str_trim(officer);
    if (target) str_trim(target);
    if (reason) str_trim(reason);
    int64_t cid = 0;
    int status = task_web_conflict(r, id, officer, target, reason, &cid, &msg);
    if (!status) {
        char *loc = xasprintf("/tasks/%lld?ok=conflict#conflicts", id);
        web_redirect(r, loc);
        free(loc);
    } else
        web_error(r, status, "conflict", msg ? msg : "申报失败");
    free(officer);
    free(target);
    free(reason);
    free(msg);
}

/* ---- the draw's files for the bureau's own verification (the public waits: draw_disclose.h) ----
 */

void page_task_draw_file(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    const char *kind = web_param(r, "kind");
    int what = str_eq(kind, "record")       ? 0
               : str_eq(kind, "population") ? 1
               : str_eq(kind, "officers")   ? 2
                                            : -1;
    char *code = task_code(r->db, id), *no = web_query(r, "no"), *text = NULL, *why = NULL;
    int n = no ? atoi(no) : 0, draw_no = 0;
    free(no);
    size_t len = 0;
    int rc = what < 0 || !code ? 1
                               : draw_store_file_text(r->db, code, n < 0 ? 0 : n, what, &text, &len,
                                                      &draw_no, &why);
    if (rc == 0)
        task_web_send_draw_file(r, what, text, len, draw_no);
    else
        web_error(r, rc < 0 ? 500 : 404, "not_found",
                  what < 0 ? "文件类型应为 record、population 或 officers"
                  : why    ? why
                           : "该任务尚未冻结抽取名单");
    free(why);
    free(code);
}

/* ---- 检查通知书 ---- */

/* 1 when cert is among the members of notice n. */
static int names_member(const json_t *n, const char *cert) {
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(n, "members"), i,
                       e) if (str_eq(jk_str(e, "cert_no"), cert)) return 1;
    return 0;
}

void task_web_notice(Req *r, long long tid, const char *target, const char *only_cert) {
    char today[11], *err = NULL;
    clock_today(today);
    /* the notice as issued (its text fixed then, notice.h); before that a preview for staff */
    json_t *n = notice_current(r->db, tid, target);
    int preview = !n;
    /* today's group and text, needed only before issue or to let in an officer now in the group */
    json_t *now = !n || (only_cert && !names_member(n, only_cert))
                      ? notice_preview(r->db, tid, target, today, &err)
                      : NULL;
    /* an officer reads the notices of the groups he is in now, or was in when it was issued */
    int mine = !only_cert || names_member(n, only_cert) || names_member(now, only_cert);
    if (preview && !only_cert && now) n = json_incref(now);
    if (!n || !mine) {
        json_decref(n);
        json_decref(now);
        web_error(r, 404, "not_found",
                  only_cert && now && mine ? "该检查对象的检查通知书尚未出具"
                                           : "该检查对象不在本任务的有效抽取结果中");
        free(err);
        return;
    }
    json_decref(now);
    free(err);
    int can = !only_cert && web_role_has(r->sess->role, P_TASK_WRITE);
    web_page(r, "task_notice", "检查通知书",
             json_pack("{s:o, s:b, s:b, s:I, s:s}", "n", n, "preview", preview, "can_issue", can,
                       "id", (json_int_t)tid, "target", target));
}

/* POST /tasks/:id/notice/:target: issue the notice, or re-issue it with a reason. */
void page_task_notice_issue(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    char today[11], *reason = web_form(r, "reason"), *err = NULL, *no = NULL;
    clock_today(today);
    if (reason) str_trim(reason);
    Actor who = web_actor(r);
    const char *target = web_param(r, "target");
    int rc = notice_issue(r->db, &who, id, target, reason, today, &no, &err);
    if (rc == NOTICE_OK) {
        char *loc = xasprintf("/tasks/%lld/notice/%s?ok=issued", id, target);
        web_redirect(r, loc);
        free(loc);
    } else
        web_error(r, web_status(rc), "notice", err ? err : "出具失败");
    free(reason);
    free(err);
    free(no);
}

#define NOTICES_PER_PAGE 100

/* GET /tasks/:id/notices: every notice in force, a page of 100 to print at once. */
void page_task_notices(Req *r) {
    long long id;
    json_t *t = task_web_load(r, &id);
    if (!t) return;
    char *p = web_query(r, "page");
    long long page = p && atoll(p) > 0 ? atoll(p) : 1;
    free(p);
    json_t *v = notice_list(r->db, id, (page - 1) * NOTICES_PER_PAGE, NOTICES_PER_PAGE);
    int64_t total = json_integer_value(json_object_get(v, "total")),
            pages = total ? (total + NOTICES_PER_PAGE - 1) / NOTICES_PER_PAGE : 1;
    json_object_set_new(v, "task",
                        json_pack("{s:O, s:O}", "code", json_object_get(t, "code"), "name",
                                  json_object_get(t, "name")));
    json_object_set_new(v, "id", json_integer(id));
    json_object_set_new(v, "can_issue", json_boolean(web_role_has(r->sess->role, P_TASK_WRITE)));
    json_object_set_new(v, "page", json_integer(page));
    json_object_set_new(v, "pages", json_integer(pages));
    json_object_set_new(v, "per_page", json_integer(NOTICES_PER_PAGE));
    json_object_set_new(v, "pages_many", json_boolean(pages > 1));
    if (page > 1) json_object_set_new(v, "prev", json_integer(page - 1));
    if (page < pages) json_object_set_new(v, "next", json_integer(page + 1));
    json_decref(t);
    web_page(r, "task_notices", "检查通知书", v);
}

/* POST /tasks/:id/notices: issue every missing notice of the task. */
void page_task_notices_issue(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    char today[11], *err = NULL;
    clock_today(today);
    int64_t n = 0;
    Actor who = web_actor(r);
    int rc = notice_issue_all(r->db, &who, id, today, &n, &err);
    if (rc == NOTICE_OK) {
        char *loc = xasprintf("/tasks/%lld/notices?ok=issued", id);
        web_redirect(r, loc);
        free(loc);
    } else
        web_error(r, web_status(rc), "notice", err ? err : "出具失败");
    free(err);
}

void page_task_notice(Req *r) {
    long long id = task_web_id(r);
    if (!id) return;
    task_web_notice(r, id, web_param(r, "target"), NULL);
}
