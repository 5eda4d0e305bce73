/* page_auth.c - login, logout and the home dashboard. */
#include "../core/clock.h"
#include "../domain/account.h"
#include "../domain/record.h"
#include "../domain/record_act.h"
#include "../domain/record_query.h"
#include "../domain/task_query.h"
#include "../domain/worklist.h"
#include "../domain/calendar.h"
#include "../domain/dir_summary.h"
#include "../domain/login.h"
#include "session.h"
#include "web.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Only same-site paths are accepted as a post-login target (no open redirect). */
static int safe_next(const char *next) {
    if (!next || next[0] != '/' || next[1] == '/') return 0;
    /* browsers drop tabs and newlines from URLs, so "/\t/evil" would become "//evil" */
    for (const unsigned char *p = (const unsigned char *)next; *p; p++)
        if (*p < 0x21 || *p == 0x7f || *p == '\\' || *p == ':') return 0;
    return 1;
}

static void login_page(Req *r, const char *username, const char *error, int status) {
    char *csrf = session_login_csrf(r);
    char *next = web_query(r, "next");
    if (!next) next = web_form(r, "next");
    json_t *ctx = json_pack("{s:s, s:s, s:s}", "login_csrf", csrf, "username",
                            username ? username : "", "next", safe_next(next) ? next : "/");
    if (error) json_object_set_new(ctx, "error", json_string(error));
    free(csrf);
    free(next);
    web_page(r, "login", "登录", ctx);
    r->res->status = status;
}

void page_login_form(Req *r) {
    if (r->sess) {
        web_redirect(r, "/");
        return;
    }
    login_page(r, NULL, NULL, 200);
}

void page_login(Req *r) {
    char *user = web_form(r, "username"), *pass = web_form(r, "password"),
         *next = web_form(r, "next"), *name = NULL;
    if (!user) user = xstrdup("");
    char device[65];
    session_login_device(r, user, device);
    SessionNew sn;
    session_new(&sn);
    LoginTry t = {.username = user,
                  .device = device,
                  .remote = r->http->remote,
                  .now = clock_wall_epoch(),
                  .idle = r->app->session_idle,
                  .old_token_hash = r->sess ? r->sess->token_hash : NULL,
                  .token_hash = sn.token_hash,
                  .csrf = sn.csrf};
    int rc = login_password(r->db, &t, pass, &name);
    if (rc == LOGIN_REFUSED)
        login_page(r, user, "登录失败次数过多，请 15 分钟后再试。", 429);
    else if (rc == LOGIN_BUSY)
        login_page(r, user, "系统繁忙，请稍后再试。", 503);
    else if (rc == LOGIN_WRONG)
        login_page(r, user, "用户名或密码错误。", 401);
    else if (rc != LOGIN_OK)
        web_error(r, 500, "session", "无法创建会话");
    else {
        session_start(r, &sn);
        session_device_issue(r, name);
        web_redirect(r, safe_next(next) ? next : "/");
    }
    sodium_memzero(&sn, sizeof sn);
    if (pass) sodium_memzero(pass, strlen(pass));
    free(user);
    free(pass);
    free(next);
    free(name);
}

void page_logout(Req *r) {
    Actor who = web_actor(r);
    login_logout(r->db, &who, r->sess->user_id, r->sess->token_hash);
    session_end(r);
    web_redirect(r, "/login?ok=loggedout");
}

static void add_card(json_t *arr, const char *label, const char *href, int64_t n) {
    json_array_append_new(
        arr, json_pack("{s:s, s:s, s:I}", "label", label, "href", href, "count", (json_int_t)n));
}

/* The count cards of the directories in the user's scope, and the targets' credit grades with
 * their share. */
static void add_directory(Req *r, json_t *cards, json_t *grades) {
    char today[11];
    clock_today(today);
    DirSummary d;
    dir_summary(r->db, r->sess->org_id, today, &d);
    add_card(cards, "抽查事项", "/d/items", d.items);
    add_card(cards, "定点医疗机构", "/d/targets?kind=institution", d.institutions);
    add_card(cards, "定点零售药店", "/d/targets?kind=pharmacy", d.pharmacies);
    add_card(cards, "用人单位", "/d/targets?kind=employer", d.employers);
    add_card(cards, "参保人", "/d/targets?kind=insured", d.insured);
    add_card(cards, "在岗执法人员", "/d/officers?status=在岗", d.officers_on_duty);
    add_card(cards, "证件已过期", "/d/officers", d.certs_expired);
    add_card(cards, "专家与第三方机构", "/d/experts", d.experts);
    json_t *tmp = dir_summary_grades(r->db, r->sess->org_id), *g;
    json_int_t total = 0;
    size_t i;
    json_array_foreach(tmp, i, g) total += json_integer_value(json_object_get(g, "count"));
    json_array_foreach(tmp, i, g) {
        json_int_t c = json_integer_value(json_object_get(g, "count"));
        json_object_set_new(g, "percent", json_integer(total ? c * 100 / total : 0));
        json_array_append(grades, g);
    }
    json_decref(tmp);
}

/* The account's work list (worklist.h): the lists its role's permissions call for. */
static json_t *work_of(Req *r) {
    static const struct {
        Perm perm;
        unsigned list;
    } map[] = {{P_PLAN_APPROVE, WORK_APPROVE},   {P_TASK_APPROVE, WORK_APPROVE},
               {P_RESULT_REVIEW, WORK_REVIEW},   {P_TASK_WRITE, WORK_TASKS},
               {P_RESULT_PUBLISH, WORK_PUBLISH}, {P_FOLLOWUP_WRITE, WORK_FOLLOWUP},
               {P_RECORD_FILL, WORK_RECORDS},    {P_TASK_JOINT, WORK_JOINT},
               {P_CREDIT_CONFIRM, WORK_CREDIT}};
    char today[11];
    clock_today(today);
    WorkFor f = {.org_id = r->sess->org_id, .today = today};
    for (size_t i = 0; i < ARRAY_LEN(map); i++)
        if (web_role_has(r->sess->role, map[i].perm)) f.lists |= map[i].list;
    char *cert = f.lists & WORK_RECORDS ? account_officer_cert(r->db, r->sess->user_id) : NULL,
         *err = NULL;
    f.officer_cert = cert;
    if (cert) { /* the records of the officer's new groups exist from the first look, as on
                   /my/records */
        Actor who = web_actor(r);
        if (record_act_sync(r->db, &who, cert, &err) != REC_OK)
            fprintf(stderr, "record sync: %s\n", err ? err : "?");
        free(err);
    }
    if (f.lists & WORK_JOINT) f.dept_id = task_user_dept(r->db, r->sess->user_id);
    json_t *list = worklist(r->db, &f);
    free(cert);
    return list;
}

void api_worklist(Req *r) {
    web_json(r, 200, json_pack("{s:o}", "todo", work_of(r)));
}

void page_home(Req *r) {
    json_t *ctx = json_object(), *cards = json_array(), *grades = json_array();
    json_object_set_new(ctx, "todo", work_of(r));
    if (web_role_has(r->sess->role, P_DIR_READ)) add_directory(r, cards, grades);
    json_object_set_new(ctx, "cards", cards);
    json_object_set_new(ctx, "grades", grades);
    json_object_set_new(ctx, "can_read", json_boolean(web_role_has(r->sess->role, P_DIR_READ)));
    json_object_set_new(ctx, "org_name", json_string(r->sess->org_name));
    if (web_role_has(r->sess->role, P_REF_WRITE)) { /* the administrator loads the next notice */
        Calendar *cal = web_calendar(r);
        char today[11];
        clock_today(today);
        if (cal) web_calendar_warning(ctx, cal, today);
        calendar_free(cal);
    }
    web_page(r, "home", "首页", ctx);
}
