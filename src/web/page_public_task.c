/* page_public_task.c - implementation schemes and draws on the public portal (/public/tasks):
 * only tasks whose scheme is 已公开; the scheme, the freeze data published with it (population
 * digest, secret commitment, announced randomness source), and once drawn the record with its
 * groups, every earlier (voided) draw, the downloads (record JSON, population and officer files)
 * and the exact commands to verify the draw independently. Insured persons appear only by their
 * pseudonymous code; no user names of the bureau's staff are shown. */
#include "../core/clock.h"
#include "../domain/draw_store.h"
#include "../domain/task.h"
#include "task_web.h"

#include <stdlib.h>
#include <string.h>

/* The published task named by :id, or 0 after a 404. */
static long long public_task(Req *r, char **code) {
    long long id = task_web_parse_id(web_param(r, "id"));
    char *c = NULL;
    if (id)
        db_query_text(r->db, &c, "SELECT t.code FROM task t JOIN task_scheme s ON s.task_id = t.id WHERE t.id = ? AND s.status = '已公开'",
                      "i", (int64_t)id);
    if (!c) {
        web_error(r, 404, "not_found", "该实施方案未公开或不存在");
        return 0;
    }
    *code = c;
    return id;
}

void page_public_tasks(Req *r) {
    json_t *tasks = task_list_json(r->db, 0, 1);
    web_page(r, "public_tasks", "实施方案与抽取结果", json_pack("{s:o}", "tasks", tasks));
}

void page_public_task(Req *r) {
    char *code = NULL;
    long long id = public_task(r, &code);
    if (!id) return;
    char today[11];
    clock_today(today);
    json_t *t = task_json(r->db, id, today), *ctx = json_object();
    static const char *const keep[] = {"id", "code", "name", "org_name", "kind", "ratio", "items", "scope_words", "scope_text", "months",
                                       "lead_dept", "source", "is_joint", "adhoc"};
    for (size_t i = 0; i < ARRAY_LEN(keep); i++) json_object_set(ctx, keep[i], json_object_get(t, keep[i]));
    json_t *s = json_object_get(t, "scheme"), *ps = json_object();
    static const char *const sk[] = {"purpose", "period", "group_size", "method", "confidentiality", "use_of_results", "observers_list",
                                     "randomness_source", "published_at", "grades", "differentiated"};
    for (size_t i = 0; i < ARRAY_LEN(sk); i++) json_object_set(ps, sk[i], json_object_get(s, sk[i]));
    json_object_set_new(ctx, "scheme", ps);
    json_t *joints = json_array(), *j;
    size_t i;
    json_array_foreach(json_object_get(t, "joints"), i, j)
        json_array_append_new(joints, json_pack("{s:O, s:O, s:O}", "dept_name", json_object_get(j, "dept_name"), "state",
                                                json_object_get(j, "state_label"), "items_text", json_object_get(j, "items_text")));
    json_object_set_new(ctx, "joints", joints);
    json_t *v = task_web_draw_view(r, code, 1);
    if (v) {
        json_object_del(v, "excluded"); /* the count is enough here; the record carries the list */
        json_object_set_new(ctx, "draw", v);
    }
    json_decref(t);
    free(code);
    char *title = xstrdup(json_string_value(json_object_get(ctx, "name")) ?: "实施方案");
    web_page(r, "public_task", title, ctx);
    free(title);
}

/* Sends one stored artefact of draw ?no=N (default: the current draw). */
static void download(Req *r, int what) {
    char *code = NULL;
    long long id = public_task(r, &code);
    if (!id) return;
    char *no = web_query(r, "no");
    int n = no ? atoi(no) : 0;
    free(no);
    json_t *doc = NULL;
    char *pop = NULL, *off = NULL;
    if (draw_store_get(r->db, code, n < 0 ? 0 : n, &doc, &pop, &off, NULL, NULL) != 0) {
        free(code);
        web_error(r, 404, "not_found", "该任务尚未冻结抽取名单");
        return;
    }
    buf_reset(&r->res->body);
    const char *ext = what == 0 ? "json" : "tsv";
    const char *stem = what == 0 ? "record" : what == 1 ? "population" : "officers";
    if (what == 0) {
        char *s = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(1));
        buf_puts(&r->res->body, s ? s : "");
        buf_putc(&r->res->body, '\n');
        free(s);
        http_set_header(r->res, "Content-Type", "application/json; charset=utf-8");
    } else {
        buf_puts(&r->res->body, what == 1 ? (pop ? pop : "") : (off ? off : ""));
        http_set_header(r->res, "Content-Type", "text/tab-separated-values; charset=utf-8");
    }
    int draw_no = (int)json_integer_value(json_object_get(json_object_get(doc, "freeze"), "draw_no"));
    Buf cd;
    buf_init(&cd);
    buf_printf(&cd, "attachment; filename=\"%s-%d.%s\"", stem, draw_no, ext);
    http_set_header(r->res, "Content-Disposition", cd.data);
    buf_free(&cd);
    r->res->status = 200;
    json_decref(doc);
    free(pop);
    free(off);
    free(code);
}

void page_public_task_record(Req *r) { download(r, 0); }
void page_public_task_population(Req *r) { download(r, 1); }
void page_public_task_officers(Req *r) { download(r, 2); }
