/* page_auth.c - login, logout and the home dashboard. */
#include "../core/clock.h"
#include "../domain/calendar.h"
#include "../domain/account.h"
#include "../domain/audit.h"
#include "../domain/directory.h"
#include "session.h"
#include "web.h"

#include <pthread.h>
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
    json_t *ctx = json_pack("{s:s, s:s, s:s}", "login_csrf", csrf, "username", username ? username : "",
                            "next", safe_next(next) ? next : "/");
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

/* The audit row of a failed login, kept with the claimed user name (cut to 64 bytes). */
static void audit_failure(Req *r, const char *user, const char *why) {
    char name[65];
    snprintf(name, sizeof name, "%s", *user ? user : "（空）");
    json_t *o = json_pack("{s:s}", "reason", why);
    char *after = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    AuditEntry e = {.actor = name, .action = "login.failed", .entity = "user", .entity_id = name, .after = after,
                    .remote = r->http->remote};
    if (db_begin(r->db) == DB_OK) {
        if (audit_append(r->db, &e, NULL) == 0) db_commit(r->db);
        else db_rollback(r->db);
    }
    free(after);
}

void page_login(Req *r) {
    char *user = web_form(r, "username"), *pass = web_form(r, "password"), *next = web_form(r, "next");
    if (!user) user = xstrdup("");
    char device[65];
    session_login_device(r, user, device);
    /* the attempt is counted before the password is checked, under the write lock, so parallel
     * guesses cannot slip past the limit */
    long long attempt = 0;
    int blocked = 1, first_refusal = 0;
    if (db_begin(r->db) == DB_OK) {
        blocked = session_login_blocked(r, user, device);
        if (!blocked) attempt = session_login_record(r, user, device);
        else first_refusal = session_login_refusal_first(r, user);
        if (db_commit(r->db) != DB_OK) db_rollback(r->db);
    }
    if (blocked || !attempt) {
        if (first_refusal) audit_failure(r, user, "登录失败次数过多，已暂停（此后 15 分钟内的拒绝不再逐次记录）");
        login_page(r, user, "登录失败次数过多，请 15 分钟后再试。", 429);
        goto out;
    }
    if (!session_pwhash_enter()) { /* busy: the password was not checked, so this is no failure */
        session_login_not_tried(r, attempt);
        login_page(r, user, "系统繁忙，请稍后再试。", 503);
        goto out;
    }
    char *hash = NULL;
    int64_t uid = 0, org = 0;
    /* user names are unique without regard to case (sql/024) */
    Stmt *st = db_prepare(r->db, "SELECT id, org_id, password_hash FROM user WHERE lower(username) = lower(?) AND status = '启用'");
    if (st) {
        db_bind_text(st, 1, user);
        if (db_step(st) == DB_ROW) uid = db_col_int(st, 0), org = db_col_int(st, 1), hash = xstrdup(db_col_text(st, 2));
        db_finalize(st);
    }
    /* verify against a fixed hash when the user is unknown, so timing does not reveal names */
    static const char dummy[] =
        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$hR0P4wW2B8m6kKXH1Qp8P1w3k7m9C6y3T9o6Jm1v3yQ";
    int ok = account_check_password(hash ? hash : dummy, pass ? pass : "") && hash && uid;
    session_pwhash_leave();
    free(hash);
    if (!ok) {
        audit_failure(r, user, "用户名或密码错误");
        login_page(r, user, "用户名或密码错误。", 401);
        goto out;
    }
    char *name = NULL;
    db_query_text(r->db, &name, "SELECT username FROM user WHERE id = ?", "i", uid);
    AuditEntry e = {.actor = name ? name : user, .org_id = org, .action = "login", .entity = "user", .remote = r->http->remote};
    int rc = db_begin(r->db);
    if (rc == DB_OK) session_login_succeeded(r, attempt);
    if (rc == DB_OK) rc = session_start(r, uid);
    if (rc == DB_OK) rc = audit_append(r->db, &e, NULL) == 0 ? DB_OK : DB_ERR;
    if (rc == DB_OK) rc = db_commit(r->db);
    if (rc != DB_OK) {
        db_rollback(r->db);
        free(name);
        web_error(r, 500, "session", "无法创建会话");
        goto out;
    }
    session_device_issue(r, name ? name : user);
    free(name);
    web_redirect(r, safe_next(next) ? next : "/");
out:
    if (pass) memset(pass, 0, strlen(pass));
    free(user);
    free(pass);
    free(next);
}

void page_logout(Req *r) {
    if (db_begin(r->db) == DB_OK) {
        if (web_audit(r, "logout", "user", r->sess->user_id, NULL, NULL) == DB_OK) db_commit(r->db);
        else db_rollback(r->db);
    }
    session_end(r);
    web_redirect(r, "/login?ok=loggedout");
}

/* sql has one '?' for the org scope, or two when `day` is given: the day first. */
static void add_count_on(Req *r, json_t *arr, const char *label, const char *href, const char *sql, const char *day) {
    int64_t n = 0;
    if (day)
        db_query_int(r->db, &n, sql, "ti", day, (int64_t)r->sess->org_id);
    else
        db_query_int(r->db, &n, sql, "i", (int64_t)r->sess->org_id);
    json_array_append_new(arr, json_pack("{s:s, s:s, s:I}", "label", label, "href", href, "count", (json_int_t)n));
}

static void add_count(Req *r, json_t *arr, const char *label, const char *href, const char *sql) {
    add_count_on(r, arr, label, href, sql, NULL);
}

void page_home(Req *r) {
    json_t *ctx = json_object(), *cards = json_array(), *grades = json_array();
    if (web_role_has(r->sess->role, P_DIR_READ)) {
        add_count(r, cards, "抽查事项", "/d/items", "SELECT count(*) FROM item t WHERE status = '启用' AND " WEB_SCOPE_SQL("t.org_id"));
        add_count(r, cards, "定点医疗机构", "/d/targets?kind=institution", "SELECT count(*) FROM target t WHERE kind = 'institution' AND " WEB_SCOPE_SQL("t.org_id"));
        add_count(r, cards, "定点零售药店", "/d/targets?kind=pharmacy", "SELECT count(*) FROM target t WHERE kind = 'pharmacy' AND " WEB_SCOPE_SQL("t.org_id"));
        add_count(r, cards, "用人单位", "/d/targets?kind=employer", "SELECT count(*) FROM target t WHERE kind = 'employer' AND " WEB_SCOPE_SQL("t.org_id"));
        add_count(r, cards, "参保人", "/d/targets?kind=insured", "SELECT count(*) FROM target t WHERE kind = 'insured' AND " WEB_SCOPE_SQL("t.org_id"));
        add_count(r, cards, "在岗执法人员", "/d/officers?status=在岗", "SELECT count(*) FROM officer t WHERE status = '在岗' AND " WEB_SCOPE_SQL("t.org_id"));
        char today[11];
        clock_today(today);
        add_count_on(r, cards, "证件已过期", "/d/officers", "SELECT count(*) FROM officer t WHERE cert_valid_to < ? AND " WEB_SCOPE_SQL("t.org_id"), today);
        add_count(r, cards, "专家与第三方机构", "/d/experts", "SELECT count(*) FROM expert t WHERE " WEB_SCOPE_SQL("t.org_id"));
        Stmt *st = db_prepare(r->db, "SELECT grade, count(*) FROM target t WHERE kind <> 'insured' AND " WEB_SCOPE_SQL("t.org_id") " GROUP BY grade ORDER BY grade");
        int64_t total = 0;
        json_t *tmp = json_array();
        if (st) {
            db_bind_int(st, 1, r->sess->org_id);
            while (db_step(st) == DB_ROW) {
                total += db_col_int(st, 1);
                json_array_append_new(tmp, json_pack("{s:s, s:I}", "grade", db_col_text(st, 0), "count", (json_int_t)db_col_int(st, 1)));
            }
            db_finalize(st);
        }
        size_t i;
        json_t *g;
        json_array_foreach(tmp, i, g) {
            json_int_t c = json_integer_value(json_object_get(g, "count"));
            json_object_set_new(g, "percent", json_integer(total ? (json_int_t)(c * 100 / total) : 0));
            json_array_append(grades, g);
        }
        json_decref(tmp);
    }
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
