/* web.c - the role → permission map, and the helpers every handler uses: parameters, redirects,
 * pages inside the layout, JSON and error responses.
 *
 * The route table (routes.c) is the single source of truth for permissions: the dispatcher
 * enforces it and `spotcheck routes` prints it for the permission-matrix test. */
#include "web.h"

#include "../domain/outcome.h"

#include "../domain/account.h"
#include "../domain/calendar.h"
#include "../domain/task.h"
#include "multipart.h"
#include "tmpl.h"
#include "plan_web.h"
#include "task_web.h"
#include "record_web.h"
#include "result_web.h"
#include "followup_web.h"
#include "dash_web.h"
#include "figures_web.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const perm_names[P_COUNT] = {
    [P_PUBLIC] = "public",
    [P_LOGIN] = "login",
    [P_DIR_READ] = "dir.read",
    [P_DIR_WRITE] = "dir.write",
    [P_REF_WRITE] = "ref.write",
    [P_KIND_WRITE] = "kind.write",
    [P_AUDIT_READ] = "audit.read",
    [P_USER_ADMIN] = "user.admin",
    [P_PLAN_READ] = "plan.read",
    [P_PLAN_WRITE] = "plan.write",
    [P_PLAN_APPROVE] = "plan.approve",
    [P_TASK_READ] = "task.read",
    [P_TASK_WRITE] = "task.write",
    [P_TASK_APPROVE] = "task.approve",
    [P_TASK_JOINT] = "task.joint",
    [P_TASK_MINE] = "task.mine",
    [P_RECORD_FILL] = "record.fill",
    [P_RESULT_REVIEW] = "result.review",
    [P_RESULT_PUBLISH] = "result.publish",
    [P_FOLLOWUP_WRITE] = "followup.write",
    [P_CREDIT_WRITE] = "credit.write",
    [P_CREDIT_CONFIRM] = "credit.confirm",
    [P_DASH_READ] = "dash.read",
    [P_ANCHOR_WRITE] = "anchor.write",
};

/* a permission added to the enum without a name here fails the build's first test run */
const char *web_perm_name(Perm p) {
    return p < P_COUNT && perm_names[p] ? perm_names[p] : "?";
}

/* Role → permissions. 分管领导 and 监督 read everything and change nothing here, except that 监督
 * (like 系统管理员) records the lower orgs' daily audit anchors (anchor.h): a record kept about
 * them, not a change of their data. */
static const struct {
    const char *role;
    Perm perms[16];
} role_perms[] = {
    {"admin",
     {P_DIR_READ, P_REF_WRITE, P_AUDIT_READ, P_USER_ADMIN, P_PLAN_READ, P_TASK_READ, P_DASH_READ,
      P_ANCHOR_WRITE}},
    {"staff",
     {P_DIR_READ, P_DIR_WRITE, P_PLAN_READ, P_PLAN_WRITE, P_TASK_READ, P_TASK_WRITE,
      P_RESULT_PUBLISH, P_FOLLOWUP_WRITE, P_CREDIT_WRITE, P_DASH_READ}},
    {"leader",
     {P_DIR_READ, P_PLAN_READ, P_PLAN_APPROVE, P_TASK_READ, P_TASK_APPROVE, P_RESULT_REVIEW,
      P_CREDIT_CONFIRM, P_DASH_READ}},
    {"officer", {P_TASK_MINE, P_RECORD_FILL}},
    {"joint", {P_TASK_JOINT}},
    {"supervisor",
     {P_DIR_READ, P_AUDIT_READ, P_PLAN_READ, P_TASK_READ, P_DASH_READ, P_ANCHOR_WRITE}},
};

int web_role_has(const char *role, Perm p) {
    if (p == P_PUBLIC) return 1;
    for (size_t i = 0; i < ARRAY_LEN(role_perms); i++) {
        if (strcmp(role_perms[i].role, role) != 0) continue;
        if (p == P_LOGIN) return 1;
        for (size_t j = 0; j < ARRAY_LEN(role_perms[i].perms); j++)
            if (role_perms[i].perms[j] == p && p != 0) return 1;
        return 0;
    }
    return 0;
}

Perm web_route_perm(const Route *rt, const char *kind) {
    if (rt->perm != P_KIND_WRITE) return rt->perm;
    if (kind && (!strcmp(kind, "orgs") || !strcmp(kind, "depts") || !strcmp(kind, "tags")))
        return P_REF_WRITE;
    return P_DIR_WRITE;
}

const char *web_param(Req *r, const char *name) {
    for (size_t i = 0; i < r->nparams; i++)
        if (!strcmp(r->param_names[i], name)) return r->params[i];
    return NULL;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

char *web_url_decode(const char *s, size_t n) {
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            buf_putc(&b, ' ');
        } else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            buf_putc(&b, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
            i += 2;
        } else {
            buf_putc(&b, s[i]);
        }
    }
    char *out = buf_steal(&b);
    if (!utf8_valid(out, strlen(out))) { /* never let invalid UTF-8 reach the database */
        free(out);
        return xstrdup("");
    }
    return out;
}

void web_calendar_warning(json_t *ctx, const struct Calendar *cal, const char *today) {
    int last = calendar_last_year(cal), year = atoi(today), month = atoi(today + 5);
    if (year > last || (year == last && month >= 11))
        json_object_set_new(ctx, "calendar_ends",
                            json_pack("{s:i, s:i, s:i}", "year", last, "next", last + 1, "end_year",
                                      calendar_end_year(cal)));
}

struct Calendar *web_calendar(Req *r) {
    char *err = NULL;
    Calendar *cal = task_calendar_load(r->db, &err);
    if (!cal) fprintf(stderr, "spotcheck: 节假日数据无法读取: %s\n", err ? err : "");
    free(err);
    return cal;
}

int web_page_number(Req *r) {
    char *p = web_query(r, "page");
    int page = p ? atoi(p) : 1;
    free(p);
    return page < 1 || page > 100000 ? 1 : page;
}

void web_pager_hrefs(json_t *ctx, const char *path, const char *const (*params)[2], size_t nparams,
                     int64_t page, int64_t pages, const char *anchor) {
    static const char *const keys[] = {"first_href", "prev_href", "next_href", "last_href"};
    const int64_t to[] = {1, page - 1, page + 1, pages};
    for (size_t k = 0; k < 4; k++) {
        if (to[k] < 1 || to[k] > pages || (k % 3 == 0 && to[k] == page)) continue;
        Buf b;
        buf_init(&b);
        buf_printf(&b, "%s?", path);
        for (size_t i = 0; i < nparams; i++) {
            if (!params[i][1] || !*params[i][1]) continue;
            buf_printf(&b, "%s=", params[i][0]);
            web_url_encode(&b, params[i][1]);
            buf_putc(&b, '&');
        }
        buf_printf(&b, "page=%lld%s", (long long)to[k], anchor ? anchor : "");
        json_object_set_new(ctx, keys[k], json_string(b.data));
        buf_free(&b);
    }
}

void web_pager_links(json_t *ctx, const char *path, const char *q, int page, int64_t pages) {
    const char *const params[][2] = {{"q", q}};
    web_pager_hrefs(ctx, path, params, q ? 1 : 0, page, pages, NULL);
}

void web_url_encode(Buf *b, const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
            buf_putc(b, (char)c);
        } else {
            buf_putc(b, '%');
            buf_putc(b, hex[c >> 4]);
            buf_putc(b, hex[c & 15]);
        }
    }
}

/* Finds the nth "name=value" pair in an &-separated string. */
static char *find_pair(const char *s, size_t len, const char *name, int nth) {
    size_t nl = strlen(name);
    const char *p = s, *end = s + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *e = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(e - p));
        const char *ke = eq ? eq : e;
        char *key = web_url_decode(p, (size_t)(ke - p));
        int hit = strlen(key) == nl && !memcmp(key, name, nl);
        free(key);
        if (hit && nth-- == 0)
            return eq ? web_url_decode(eq + 1, (size_t)(e - eq - 1)) : xstrdup("");
        p = e + 1;
    }
    return NULL;
}

char *web_query(Req *r, const char *name) {
    return find_pair(r->http->query, strlen(r->http->query), name, 0);
}

char *web_form_nth(Req *r, const char *name, int nth) {
    const char *ct = http_header(r->http, "Content-Type");
    if (r->http->upload_path) return nth == 0 ? multipart_field(r->http, name) : NULL;
    if (!r->http->body || !ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
        return NULL;
    return find_pair(r->http->body, r->http->body_len, name, nth);
}

char *web_form(Req *r, const char *name) {
    return web_form_nth(r, name, 0);
}

void web_redirect(Req *r, const char *location) {
    r->res->status = 303;
    http_set_header(r->res, "Location", location);
}

json_t *web_json_body(Req *r, int optional) {
    if (optional && (!r->http->body || r->http->body_len == 0)) return json_object();
    const char *ct = http_header(r->http, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
        web_error(r, 415, "unsupported_media_type", "请求正文应为 application/json");
        return NULL;
    }
    json_error_t je;
    json_t *body = json_loadb(r->http->body ? r->http->body : "", r->http->body_len, 0, &je);
    if (!json_is_object(body)) {
        json_decref(body);
        web_error(r, 400, "bad_json", "请求正文不是有效的 JSON 对象");
        return NULL;
    }
    return body;
}

void web_json(Req *r, int status, json_t *j) {
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    r->res->status = status;
    http_set_header(r->res, "Content-Type", "application/json; charset=utf-8");
    buf_reset(&r->res->body);
    buf_puts(&r->res->body, s ? s : "null");
    free(s);
}

static json_t *nav_items(Req *r) {
    static const struct {
        const char *href, *label;
        Perm perm;
    } nav[] = {
        {"/", "首页", P_LOGIN},
        {"/d/items", "抽查事项清单", P_DIR_READ},
        {"/d/targets", "检查对象名录库", P_DIR_READ},
        {"/d/officers", "执法人员名录库", P_DIR_READ},
        {"/d/experts", "专家与第三方机构", P_DIR_READ},
        {"/d/tags", "分类标签", P_DIR_READ},
        {"/d/depts", "科室与部门", P_DIR_READ},
        {"/d/orgs", "机构", P_DIR_READ},
        {"/plans", "年度抽查计划", P_PLAN_READ},
        {"/tasks", "抽查任务实施", P_TASK_READ},
        {"/joint", "联合抽查", P_TASK_JOINT},
        {"/my", "我的检查任务", P_TASK_MINE},
        {"/records", "检查记录（一企一表）", P_TASK_READ},
        {"/review", "结果审核", P_RESULT_REVIEW},
        {"/results", "结果公示", P_RESULT_PUBLISH},
        {"/followups", "后续处置", P_FOLLOWUP_WRITE},
        {"/dashboard", "期限与督办", P_DASH_READ},
        {"/figures", "年度指标", P_DASH_READ},
        {"/audit", "审计日志", P_AUDIT_READ},
        {"/anchors", "下级锚点", P_AUDIT_READ},
        {"/admin/users", "账号管理", P_USER_ADMIN},
        {"/admin/holidays", "节假日数据", P_REF_WRITE},
        {"/public/", "公开门户", P_PUBLIC},
    };
    json_t *a = json_array();
    const char *path = r->http->path;
    for (size_t i = 0; i < ARRAY_LEN(nav); i++) {
        if (!r->sess || !web_role_has(r->sess->role, nav[i].perm)) continue;
        size_t hl = strlen(nav[i].href);
        int active = !strcmp(nav[i].href, "/")
                         ? !strcmp(path, "/")
                         : !strncmp(path, nav[i].href, hl) && (path[hl] == 0 || path[hl] == '/');
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "href", nav[i].href, "label",
                                           nav[i].label, "active", active));
    }
    return a;
}

static void render_layout(Req *r, const char *title, const char *body, json_t *flash) {
    json_t *ctx = json_object();
    json_object_set_new(ctx, "title", json_string(title));
    json_object_set_new(ctx, "body", json_string(body));
    if (r->sess) {
        const Role *role = account_role_find(r->sess->role);
        json_object_set_new(ctx, "user",
                            json_pack("{s:s, s:s, s:s, s:s}", "display_name", r->sess->display_name,
                                      "username", r->sess->username, "role_label",
                                      role ? role->label : r->sess->role, "org_name",
                                      r->sess->org_name));
        json_object_set_new(ctx, "csrf", json_string(r->sess->csrf));
        json_object_set_new(ctx, "nav", nav_items(r));
    }
    if (flash) json_object_set_new(ctx, "flash", flash);
    char *err = NULL;
    buf_reset(&r->res->body);
    if (tmpl_render(&r->res->body, "layout", ctx, &err) != 0) {
        r->res->status = 500;
        buf_reset(&r->res->body);
        buf_puts(&r->res->body, "模板错误");
        fprintf(stderr, "template layout: %s\n", err ? err : "?");
    }
    free(err);
    json_decref(ctx);
    http_set_header(r->res, "Content-Type", "text/html; charset=utf-8");
}

/* Flash messages come as ?ok=CODE after a redirect; only fixed texts, never echoed input. */
static json_t *flash_from_query(Req *r) {
    static const char *const msgs[][2] = {
        {"saved", "已保存。"},
        {"created", "已创建。"},
        {"status", "状态已变更。"},
        {"imported", "导入完成。"},
        {"loggedout", "您已退出登录。"},
        {"conflict", "回避已申报，将随名单一并冻结。"},
        {"password", "密码已修改。"},
        {"returned", "已退回检查记录，录入人员会看到您的意见。"},
        {"approved", "审核通过，可以公示。"},
        {"issued", "检查通知书已出具，文号已编发，内容已固定。"},
        {"confirmed", "已确认信用风险等级，已记入信用记录，以后的抽取按新等级分层。"},
        {"anchor", "锚点已登记。"},
        {"anchor_same", "这一锚点此前已登记，未重复记录。"},
    };
    char *ok = web_query(r, "ok");
    json_t *f = NULL;
    for (size_t i = 0; ok && i < ARRAY_LEN(msgs); i++)
        if (!strcmp(ok, msgs[i][0]))
            f = json_pack("{s:s, s:s}", "kind", "success", "text", msgs[i][1]);
    if (ok && !strcmp(ok, "anchor_flag")) /* kept, and shown as the red flag it is */
        f = json_pack("{s:s, s:s}", "kind", "error", "text",
                      "锚点已登记，但与此前登记的锚点矛盾（见标红的行）：请核实该机构的审计日志，"
                      "并运行 spotcheck anchor check 核验其数据库。");
    if (ok && !strcmp(ok, "published")) { /* the counts are read as numbers, never echoed as text */
        char *n = web_query(r, "n"), *late = web_query(r, "late");
        long long pn = n ? atoll(n) : 0, pl = late ? atoll(late) : 0;
        char *t = pl > 0 ? xasprintf("已公示 %lld 条检查结果，已在公开门户显示（其中 %lld "
                                     "条逾期公示，已记录原因）。",
                                     pn, pl)
                         : xasprintf("已公示 %lld 条检查结果，已在公开门户显示。", pn);
        f = json_pack("{s:s, s:s}", "kind", "success", "text", t);
        free(t);
        free(n);
        free(late);
    }
    free(ok);
    return f;
}

void web_page(Req *r, const char *name, const char *title, json_t *ctx) {
    if (r->sess) json_object_set_new(ctx, "csrf", json_string(r->sess->csrf));
    Buf body;
    buf_init(&body);
    char *err = NULL;
    if (tmpl_render(&body, name, ctx, &err) != 0) {
        fprintf(stderr, "template %s: %s\n", name, err ? err : "?");
        free(err);
        json_decref(ctx);
        buf_free(&body);
        web_error(r, 500, "template", "页面模板错误");
        return;
    }
    json_decref(ctx);
    render_layout(r, title, body.data ? body.data : "", flash_from_query(r));
    buf_free(&body);
}

int web_export_file(Req *r, char path[sizeof WEB_EXPORT_TMPL]) {
    memcpy(path, WEB_EXPORT_TMPL, sizeof WEB_EXPORT_TMPL);
    int fd = mkstemp(path);
    if (fd < 0) {
        web_error(r, 500, "export", "无法创建导出文件");
        return -1;
    }
    close(fd);
    return 0;
}

void web_attachment(Req *r, const char *path, int xlsx, const char *filename) {
    size_t len = 0;
    char *data = file_read_all(path, &len, NULL);
    unlink(path);
    if (!data) {
        web_error(r, 500, "export", "导出失败");
        return;
    }
    buf_reset(&r->res->body);
    buf_append(&r->res->body, data, len);
    free(data);
    http_set_header(r->res, "Content-Type",
                    xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                         : "text/csv; charset=utf-8");
    char *cd = xasprintf("attachment; filename=\"%s\"", filename);
    http_set_header(r->res, "Content-Disposition", cd);
    free(cd);
}

void web_error(Req *r, int status, const char *code, const char *message) {
    r->res->status = status;
    if (r->is_api) {
        web_json(r, status, json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message));
        return;
    }
    Buf body;
    buf_init(&body);
    buf_printf(&body, "<section class=\"card error-page\"><h1>%d</h1><p>", status);
    html_escape(&body, message);
    buf_puts(&body, "</p><p><a href=\"/\">返回首页</a></p></section>");
    render_layout(r, "出错了", body.data, NULL);
    r->res->status = status;
    buf_free(&body);
}

int web_in_scope(Req *r, long long org_id) {
    return r->sess && scope_of(r->db, r->sess->org_id, org_id) != SCOPE_OUTSIDE;
}

static int gate(Req *r, long long org_id, const char *hidden, int oversee) {
    int where = r->sess ? scope_of(r->db, r->sess->org_id, org_id) : SCOPE_OUTSIDE;
    if (where == SCOPE_OUTSIDE) {
        web_error(r, 404, "not_found", hidden ? hidden : "不存在或不在您的管辖范围内");
        return 1;
    }
    int changes = strcmp(r->http->method, "GET") && strcmp(r->http->method, "HEAD");
    if (where == SCOPE_READ && changes && !oversee) {
        web_error(r, 403, "lower_level",
                  "这是下级机构的数据：上级机构可以查阅和督查，不能代为修改，请由该机构办理");
        return 1;
    }
    return 0;
}

int web_scope_gate(Req *r, long long org_id, const char *hidden) {
    return gate(r, org_id, hidden, 0);
}

int web_scope_gate_oversee(Req *r, long long org_id, const char *hidden) {
    return gate(r, org_id, hidden, 1);
}

int web_status(int rc) {
    switch (rc) {
    case SC_OK:
        return 200;
    case SC_INVALID:
        return 422;
    case SC_NOT_FOUND:
        return 404;
    case SC_CONFLICT:
        return 409;
    case SC_BUSY:
        return 503;
    case SC_FORBIDDEN:
        return 403;
    case SC_STALE:
        return 409;
    case SC_WRONG_PASSWORD:
        return 422;
    default:
        return 500;
    }
}

int web_refusal(int rc) {
    return rc == SC_OK ? 0 : web_status(rc);
}

static int names_user_key(const char *k) {
    size_t n = strlen(k);
    return (n > 3 && !strcmp(k + n - 3, "_by")) || !strcmp(k, "by_user") || !strcmp(k, "actor");
}

static void name_users(Db *db, json_t *v, json_t *cache, int depth) {
    if (depth > 16) return;
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) name_users(db, e, cache, depth + 1);
        return;
    }
    if (!json_is_object(v)) return;
    json_t *add = json_object();
    const char *k;
    json_t *e;
    json_object_foreach(v, k, e) {
        if (json_is_string(e) && names_user_key(k)) {
            const char *user = json_string_value(e);
            json_t *known = json_object_get(cache, user); /* the display name, or null for none */
            if (!known) {
                char *dn = account_display_name(db, user);
                known = dn && strcmp(dn, user)
                            ? json_string(dn)
                            : json_null(); /* a name that is the login id adds nothing */
                json_object_set_new(cache, user, known);
                free(dn);
            }
            char *nk = xasprintf("%s_name", k), *hk = xasprintf("%s_has_name", k);
            json_object_set_new(add, nk,
                                json_is_string(known) ? json_incref(known) : json_string(user));
            json_object_set_new(add, hk, json_boolean(json_is_string(known)));
            free(nk);
            free(hk);
        } else
            name_users(db, e, cache, depth + 1);
    }
    json_object_update_missing(v, add);
    json_decref(add);
}

void web_name_users(Req *r, json_t *ctx) {
    json_t *cache = json_object();
    name_users(r->db, ctx, cache, 0);
    json_decref(cache);
}
