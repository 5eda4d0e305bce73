/* page_users.c - account administration (/admin/users, the 系统管理员) and the account's own
 * password (/account/password). The rules and audit rows are src/domain/account.c; these
 * handlers only parse forms and render. */
#include "../core/clock.h"
#include "../domain/account.h"
#include "../domain/login.h"
#include "session.h"
#include "web.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* The orgs and depts the forms offer: the administrator's org and those below it. */
static void add_choices(Req *r, json_t *ctx) {
    json_t *orgs = NULL, *depts = NULL;
    account_choices(r->db, r->sess->org_id, &orgs, &depts);
    json_t *roles = json_array();
    for (size_t i = 0; i < account_role_count; i++)
        json_array_append_new(roles, json_pack("{s:s, s:s}", "code", account_roles[i].code, "label",
                                               account_roles[i].label));
    json_object_set_new(ctx, "orgs", orgs);
    json_object_set_new(ctx, "depts", depts);
    json_object_set_new(ctx, "roles", roles);
}

static void users_page(Req *r, json_t *form, const char *error, int status) {
    json_t *ctx = json_pack("{s:o, s:o}", "users", account_list(r->db, r->sess->org_id), "form",
                            form ? form : json_object());
    add_choices(r, ctx);
    if (error) json_object_set_new(ctx, "error", json_string(error));
    json_object_set_new(ctx, "min_password", json_integer(ACCOUNT_MIN_PASSWORD));
    web_page(r, "admin_users", "账号管理", ctx);
    if (status) r->res->status = status;
}

void page_users(Req *r) {
    users_page(r, NULL, NULL, 0);
}

void page_user_create(Req *r) {
    static const char *const names[] = {"username", "display_name", "role",
                                        "org_code", "officer_cert", "dept_code"};
    char *v[ARRAY_LEN(names)], *pw = web_form(r, "password"), *err = NULL;
    json_t *form = json_object();
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        v[i] = web_form(r, names[i]);
        if (v[i]) str_trim(v[i]);
        json_object_set_new(form, names[i], json_string(v[i] ? v[i] : ""));
    }
    Actor who = web_actor(r);
    AccountSpec spec = {.username = v[0],
                        .display_name = v[1],
                        .role = v[2],
                        .org_code = v[3],
                        .password = pw,
                        .officer_cert = v[4],
                        .dept_code = v[5]};
    int status = web_refusal(account_create(r->db, &who, &spec, &err));
    if (!status) {
        char *loc = xasprintf("/admin/users/%lld?ok=created", (long long)account_id(r->db, v[0]));
        web_redirect(r, loc);
        free(loc);
        json_decref(form);
    } else
        users_page(r, form, err ? err : "创建失败",
                   status); /* what was typed stays, but never the password */
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        free(v[i]);
    if (pw) sodium_memzero(pw, strlen(pw));
    free(pw);
    free(err);
}

/* The account named by :id within the administrator's orgs; NULL after a 404. */
static json_t *load_user(Req *r) {
    const char *s = web_param(r, "id");
    char *end = NULL;
    long long id = s ? strtoll(s, &end, 10) : 0;
    json_t *u = id > 0 && end && !*end ? account_get(r->db, r->sess->org_id, id) : NULL;
    if (!u) web_error(r, 404, "not_found", "账号不存在或不在您的管理范围内");
    return u;
}

static void user_page(Req *r, json_t *u, const char *error, int status) {
    json_t *ctx = json_pack("{s:o}", "user", u);
    add_choices(r, ctx);
    if (error) json_object_set_new(ctx, "error", json_string(error));
    json_object_set_new(
        ctx, "self",
        json_boolean(str_eq(json_string_value(json_object_get(u, "username")), r->sess->username)));
    json_object_set_new(ctx, "min_password", json_integer(ACCOUNT_MIN_PASSWORD));
    web_page(r, "admin_user", "账号", ctx);
    if (status) r->res->status = status;
}

void page_user(Req *r) {
    json_t *u = load_user(r);
    if (u) user_page(r, u, NULL, 0);
}

/* Runs one change on the account of :id: what 0 link, 1 status, 2 password, 3 pii. */
static void user_change(Req *r, int what) {
    json_t *u = load_user(r);
    if (!u) return;
    const char *name = json_string_value(json_object_get(u, "username"));
    Actor who = web_actor(r);
    char *a = web_form(r, what == 0   ? "officer_cert"
                          : what == 1 ? "enabled"
                          : what == 2 ? "password"
                                      : "pii_export");
    char *b = what < 2 ? web_form(r, what == 0 ? "dept_code" : "reason") : NULL, *err = NULL;
    if (what != 2) {
        if (a) str_trim(a);
        if (b) str_trim(b);
    }
    int rc = what == 0   ? account_link(r->db, &who, name, a ? a : "", b ? b : "", &err)
             : what == 1 ? account_set_enabled(r->db, &who, name, str_eq(a, "1"), b, &err)
             : what == 2 ? account_reset_password(r->db, &who, name, a, &err)
                         : account_set_pii_export(r->db, &who, name, str_eq(a, "1"), &err);
    int status = web_refusal(rc);
    if (!status) {
        char *loc = xasprintf("/admin/users/%lld?ok=saved",
                              (long long)json_integer_value(json_object_get(u, "id")));
        web_redirect(r, loc);
        free(loc);
        json_decref(u);
    } else
        user_page(r, u, err ? err : "保存失败", status);
    if (what == 2 && a) sodium_memzero(a, strlen(a));
    free(a);
    free(b);
    free(err);
}

void page_user_link(Req *r) {
    user_change(r, 0);
}
void page_user_status(Req *r) {
    user_change(r, 1);
}
void page_user_password(Req *r) {
    user_change(r, 2);
}
void page_user_pii(Req *r) {
    user_change(r, 3);
}

/* ---- the account's own password ---- */

static void password_page(Req *r, const char *error, int status) {
    json_t *ctx = json_pack("{s:b, s:i}", "forced", r->sess->must_change, "min_password",
                            ACCOUNT_MIN_PASSWORD);
    if (error) json_object_set_new(ctx, "error", json_string(error));
    web_page(r, "account_password", "修改密码", ctx);
    if (status) r->res->status = status;
}

void page_account_password_form(Req *r) {
    password_page(r, NULL, 0);
}

void page_account_password(Req *r) {
    char *cur = web_form(r, "current"), *pw = web_form(r, "password"),
         *again = web_form(r, "password2"), *err = NULL;
    Actor who = web_actor(r);
    int status = 0;
    if (!str_eq(pw ? pw : "", again ? again : ""))
        status = 422, set_err(&err, "两次输入的新密码不一致");
    else {
        char device[65];
        session_login_device(r, who.username, device);
        int rc = login_change_password(r->db, &who, device, clock_wall_epoch(), cur, pw,
                                       r->sess->token_hash, &err);
        status = rc == LOGIN_REFUSED ? 429 : rc == LOGIN_BUSY ? 503 : web_refusal(rc);
    }
    if (!status)
        web_redirect(r, "/?ok=password");
    else
        password_page(r, err ? err : "修改失败", status);
    char *secrets[] = {cur, pw, again};
    for (size_t i = 0; i < 3; i++) {
        if (secrets[i]) sodium_memzero(secrets[i], strlen(secrets[i]));
        free(secrets[i]);
    }
    free(err);
}
