/* page_public_task.c - implementation schemes and draws on the public portal (/public/tasks):
 * only tasks whose scheme is 已公开; the scheme, the freeze data published with it (population
 * digest, secret commitment, announced randomness source), and once drawn the record with its
 * groups, every earlier (voided) draw, the downloads (record JSON, population and officer files)
 * and the exact commands to verify the draw independently. Insured persons appear only by the
 * draw's token (docs/DRAW.md §2a; a draw frozen before the tokens: by the pseudonymous code); no
 * user names of the bureau's staff are shown. */
#include "../core/clock.h"
#include "../domain/audit.h"
#include "../domain/jsonkit.h"
#include "../core/embed.h"
#include "../domain/draw_disclose.h"
#include "../domain/draw_store.h"
#include "../domain/task.h"
#include "../domain/task_query.h"
#include "task_web.h"

#include <stdlib.h>
#include <string.h>

/* The published task named by :id, or 0 after a 404. */
static long long public_task(Req *r, char **code) {
    long long id = str_id(web_param(r, "id"));
    char *c = task_published_code(r->db, id);
    if (!c) {
        web_error(r, 404, "not_found", "该实施方案未公开或不存在");
        return 0;
    }
    *code = c;
    return id;
}

/* Keeps the members of array `key` of v whose `field` names a disclosed target (the few
 * substitutions and events: one question each). */
static void keep_disclosed(Req *r, const char *code, const char *today, json_t *v, const char *key,
                           const char *field) {
    json_t *in = json_object_get(v, key), *out = json_array(), *e;
    size_t i;
    json_array_foreach(in, i, e) {
        const char *target = json_string_value(json_object_get(e, field));
        if (target && draw_target_disclosed(r->db, code, target, today)) json_array_append(out, e);
    }
    json_object_set_new(v, key, out);
}

/* Applies the confidentiality rule (draw_disclose.h) to the public view of a draw, whose groups
 * were already read as `all` says (every group, or only the disclosed targets'): until every valid
 * target is disclosed only the disclosed targets' substitutions and events remain, with v.withheld
 * the number of groups still confidential; v.disclosed_all opens the downloads. */
static void disclose(Req *r, const char *code, const char *today, int all, int64_t valid,
                     int64_t shown, json_t *v) {
    json_object_set_new(v, "disclosed_all", json_boolean(all));
    json_object_del(v, "tickets"); /* the public page never listed the tickets */
    if (all) return;
    keep_disclosed(r, code, today, v, "events", "target");
    keep_disclosed(r, code, today, v, "substitutions", "target");
    json_object_set_new(v, "event_count",
                        json_integer((json_int_t)json_array_size(json_object_get(v, "events"))));
    json_object_set_new(v, "withheld", json_integer((json_int_t)(valid - shown)));
    json_object_set_new(v, "shown_count", json_integer((json_int_t)shown));
    json_object_del(v, "strata");
    json_object_del(v, "under_minimum");
    /* with the seed anyone could rank the directory's codes by ticket: it waits with the files */
    json_object_del(v, "seed");
    json_object_del(v, "secret");
    json_object_del(v, "record_sha256");
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
    static const char *const keep[] = {"id",        "code",   "name",        "org_name",   "kind",
                                       "ratio",     "items",  "scope_words", "scope_text", "months",
                                       "lead_dept", "source", "is_joint",    "adhoc"};
    for (size_t i = 0; i < ARRAY_LEN(keep); i++)
        json_object_set(ctx, keep[i], json_object_get(t, keep[i]));
    json_t *s = json_object_get(t, "scheme"), *ps = json_object();
    static const char *const sk[] = {"purpose",
                                     "period",
                                     "group_size",
                                     "method",
                                     "confidentiality",
                                     "use_of_results",
                                     "observers_list",
                                     "randomness_source",
                                     "randomness_sources",
                                     "published_at",
                                     "grades",
                                     "differentiated"};
    for (size_t i = 0; i < ARRAY_LEN(sk); i++)
        json_object_set(ps, sk[i], json_object_get(s, sk[i]));
    json_object_set_new(ctx, "scheme", ps);
    json_t *joints = json_array(), *j;
    size_t i;
    json_array_foreach(json_object_get(t, "joints"), i, j) json_array_append_new(
        joints, json_pack("{s:O, s:O, s:O}", "dept_name", json_object_get(j, "dept_name"), "state",
                          json_object_get(j, "state_label"), "items_text",
                          json_object_get(j, "items_line")));
    json_object_set_new(ctx, "joints", joints);
    int64_t valid = 0, shown = 0;
    char *err = NULL;
    if (draw_disclosed_count(r->db, code, today, &valid, &shown, &err)) valid = shown + 1;
    free(err); /* a database error: as not yet disclosed */
    int all = valid > 0 && shown == valid;
    DrawGroupsQuery q;
    char *target = NULL;
    task_web_groups_ask(r, &q, &target, NULL);
    if (!all) q.disclosed_on = today;
    json_t *v = task_web_draw_view(r, code, 1, &q);
    if (v) {
        disclose(r, code, today, all, valid, shown, v);
        char *path = xasprintf("/public/tasks/%lld", id);
        task_web_pager(v, path, target, NULL, 0);
        free(path);
        json_object_set_new(ctx, "draw", v);
    }
    free(target);
    json_decref(t);
    free(code);
    char *title = xstrdup(json_string_value(json_object_get(ctx, "name")) ?: "实施方案");
    web_page(r, "public_task", title, ctx);
    free(title);
}

void task_web_send_draw_file(Req *r, int what, char *text, size_t len, int draw_no) {
    buf_free(&r->res->body); /* the stored bytes themselves become the body: no copy */
    r->res->body = (Buf){text, len, len + 1};
    const char *ext = what == 0 ? "json" : "tsv";
    const char *stem = what == 0 ? "record" : what == 1 ? "population" : "officers";
    http_set_header(r->res, "Content-Type",
                    what == 0 ? "application/json; charset=utf-8"
                              : "text/tab-separated-values; charset=utf-8");
    char *cd = xasprintf("attachment; filename=\"%s-%d.%s\"", stem, draw_no, ext);
    http_set_header(r->res, "Content-Disposition", cd);
    free(cd);
    r->res->status = 200;
}

/* Sends one stored file of draw ?no=N (default: the current draw), once the draw is wholly
 * disclosed (draw_public_file_text). */
static void download(Req *r, int what) {
    char *code = NULL;
    long long id = public_task(r, &code);
    if (!id) return;
    char *no = web_query(r, "no");
    int n = no ? atoi(no) : 0, draw_no = 0;
    free(no);
    char *text = NULL, *why = NULL, today[11];
    size_t len = 0;
    clock_today(today);
    int rc =
        draw_public_file_text(r->db, code, n < 0 ? 0 : n, today, what, &text, &len, &draw_no, &why);
    free(code);
    if (rc == 0)
        task_web_send_draw_file(r, what, text, len, draw_no);
    else
        web_error(r, rc < 0 ? 500 : 404, rc < 0 ? "db" : "not_public",
                  why ? why : "该任务尚未冻结抽取名单");
    free(why);
}

/* A string member, "" when absent (the 公告 is printed as it is). */
/* The 公告 of the current draw (a /2 freeze): the view and the task's name and org; NULL after a
 * 404. */
static json_t *announcement(Req *r, long long *id_out) {
    char *code = NULL;
    long long id = public_task(r, &code);
    if (!id) return NULL;
    json_t *v = task_web_draw_view(r, code, 1, NULL);
    char today[11];
    clock_today(today);
    json_t *t = v && json_is_true(json_object_get(v, "v2")) ? task_json(r->db, id, today) : NULL;
    free(code);
    if (!t) {
        json_decref(v);
        web_error(r, 404, "not_found", "该任务尚未冻结抽取名单，或为旧格式的抽取（无公告）");
        return NULL;
    }
    json_t *ctx = json_pack("{s:I, s:O, s:O, s:O, s:o}", "id", (json_int_t)id, "code",
                            json_object_get(t, "code"), "name", json_object_get(t, "name"),
                            "org_name", json_object_get(t, "org_name"), "draw", v);
    json_decref(t);
    /* the freeze's own audit row: an anchor printed in the 公告 (docs/AUDIT.md) */
    char hash[AUDIT_HASH_HEX + 1];
    int64_t n = 0;
    if (audit_freeze_anchor(r->db, jk_str(v, "freeze_sha256"), &n, hash) == DB_OK && n > 0)
        json_object_set_new(v, "anchor",
                            json_pack("{s:I, s:s}", "id", (json_int_t)n, "hash", hash));
    *id_out = id;
    return ctx;
}

void page_public_task_announcement(Req *r) {
    long long id = 0;
    json_t *ctx = announcement(r, &id);
    if (ctx) web_page(r, "public_announcement", "冻结公告", ctx);
}

void page_public_task_announcement_text(Req *r) {
    long long id = 0;
    json_t *ctx = announcement(r, &id);
    if (!ctx) return;
    const json_t *v = json_object_get(ctx, "draw");
    Buf *b = &r->res->body;
    buf_reset(b);
    buf_printf(b, "%s关于“%s”双随机抽查名单冻结的公告\n\n", jk_str0(ctx, "org_name"),
               jk_str0(ctx, "name"));
    buf_printf(b, "任务编号：%s（第%lld次抽取）\n冻结时间：%s\n冻结摘要（freeze_sha256）：%s\n",
               jk_str0(ctx, "code"), (long long)json_integer_value(json_object_get(v, "draw_no")),
               jk_str0(v, "frozen_at_text"), jk_str0(v, "freeze_sha256"));
    buf_printf(b, "检查对象名单：%lld 个，SHA-256 %s\n",
               (long long)json_integer_value(json_object_get(v, "population_count")),
               jk_str0(v, "population_sha256"));
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(v, "frozen_strata"), i, e)
        buf_printf(b, "  分层 %s：%lld 个，应抽取 %lld 个\n", jk_str0(e, "stratum"),
                   (long long)json_integer_value(json_object_get(e, "N")),
                   (long long)json_integer_value(json_object_get(e, "n")));
    buf_printf(b, "执法人员名单：%lld 人，SHA-256 %s\n",
               (long long)json_integer_value(json_object_get(v, "officers_count")),
               jk_str0(v, "officers_sha256"));
    if (*jk_str0(v, "blind_sha256"))
        buf_printf(b, "保密随机数承诺（SHA-256，随抽取记录在全部检查对象公开后公布原值）：%s\n",
                   jk_str0(v, "blind_sha256"));
    buf_puts(b, "公开随机数来源（冻结时尚未产生）：\n");
    json_array_foreach(json_object_get(v, "sources"), i, e) buf_printf(
        b, "  %zu. %s（产生时间：%s）\n", i + 1, jk_str0(e, "label"), jk_str0(e, "when"));
    buf_printf(b, "冻结时间早于最早的来源至少 %lld 小时。\n",
               (long long)json_integer_value(json_object_get(v, "gap_hours")));
    const json_t *an = json_object_get(v, "anchor");
    if (an)
        buf_printf(b,
                   "冻结记入审计日志第 %lld 条，摘要 %s（可用 spotcheck audit verify --anchor "
                   "摘要@编号 核验此后历史未被改写）\n",
                   (long long)json_integer_value(json_object_get(an, "id")), jk_str0(an, "hash"));
    http_set_header(r->res, "Content-Type", "text/plain; charset=utf-8");
    r->res->status = 200;
    json_decref(ctx);
}

/* Sends an embedded file of the source tree under the name the 复核 commands use. */
static void embedded_download(Req *r, const char *path, const char *name, const char *type) {
    const EmbeddedFile *f = embed_find(path);
    if (!f) {
        web_error(r, 404, "not_found", "文件不存在");
        return;
    }
    buf_reset(&r->res->body);
    buf_append(&r->res->body, f->data, f->len);
    http_set_header(r->res, "Content-Type", type);
    char *cd = xasprintf("attachment; filename=\"%s\"", name);
    http_set_header(r->res, "Content-Disposition", cd);
    free(cd);
    r->res->status = 200;
}

void page_public_verify_spec(Req *r) {
    embedded_download(r, "docs/DRAW.md", "DRAW.md", "text/markdown; charset=utf-8");
}

void page_public_verify_tool(Req *r) {
    embedded_download(r, "tools/verify_draw.py", "verify_draw.py", "text/x-python; charset=utf-8");
}

void page_public_task_record(Req *r) {
    download(r, 0);
}
void page_public_task_population(Req *r) {
    download(r, 1);
}
void page_public_task_officers(Req *r) {
    download(r, 2);
}
