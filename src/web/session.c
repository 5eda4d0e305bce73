/* session.c - login sessions, CSRF tokens and login throttling (see session.h). Tokens come
 * from libsodium's randombytes; comparisons are constant-time. */
#include "../core/clock.h"
#include "session.h"

#include "../core/util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void random_hex(char out[65]) {
    unsigned char b[32];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(out, 65, b, sizeof b);
}

static void sha256_hex(const char *s, char out[65]) {
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
    sodium_bin2hex(out, 65, h, sizeof h);
}

int session_token_eq(const char *a, const char *b) {
    size_t n = strlen(a);
    if (n != strlen(b) || n == 0) return 0;
    return sodium_memcmp(a, b, n) == 0;
}

char *web_cookie(Req *r, const char *name) {
    const char *h = http_header(r->http, "Cookie");
    size_t nl = strlen(name);
    while (h && *h) {
        while (*h == ' ' || *h == ';') h++;
        const char *end = strchr(h, ';');
        size_t len = end ? (size_t)(end - h) : strlen(h);
        if (len > nl && !strncmp(h, name, nl) && h[nl] == '=')
            return xstrndup(h + nl + 1, len - nl - 1);
        h = end;
    }
    return NULL;
}

static void set_cookie(Req *r, const char *name, const char *value, int max_age) {
    char *c = xasprintf("%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", name, value,
                        r->app->secure_cookies ? "; Secure" : "",
                        max_age == 0 ? "; Max-Age=0" : "");
    http_add_header(r->res, "Set-Cookie", c);
    free(c);
}

void session_load(Req *r) {
    r->sess = NULL;
    char *tok = web_cookie(r, "sc_session");
    if (!tok || strlen(tok) != 64) {
        free(tok);
        return;
    }
    char h[65];
    sha256_hex(tok, h);
    free(tok);
    long long now = clock_wall_epoch();
    Stmt *st = db_prepare(r->db,
                          "SELECT s.user_id, s.csrf, s.last_seen, u.username, u.display_name, u.role, "
                          "u.org_id, o.name, o.code FROM session s JOIN user u ON u.id = s.user_id "
                          "JOIN org o ON o.id = u.org_id WHERE s.token_hash = ? AND u.status = '启用'");
    if (!st) return;
    db_bind_text(st, 1, h);
    long long seen = 0;
    if (db_step(st) == DB_ROW && now - (seen = db_col_int(st, 2)) <= r->app->session_idle) {
        Session *s = &r->sess_storage;
        memset(s, 0, sizeof *s);
        s->user_id = db_col_int(st, 0);
        snprintf(s->csrf, sizeof s->csrf, "%s", db_col_text(st, 1));
        snprintf(s->username, sizeof s->username, "%s", db_col_text(st, 3));
        snprintf(s->display_name, sizeof s->display_name, "%s", db_col_text(st, 4));
        snprintf(s->role, sizeof s->role, "%s", db_col_text(st, 5));
        s->org_id = db_col_int(st, 6);
        snprintf(s->org_name, sizeof s->org_name, "%s", db_col_text(st, 7));
        snprintf(s->org_code, sizeof s->org_code, "%s", db_col_text(st, 8));
        memcpy(s->token_hash, h, sizeof h);
        r->sess = s;
    }
    db_finalize(st);
    /* last_seen is written at most once a minute, so concurrent requests of one user do not
     * queue behind each other's writes; idle expiry is precise to that minute */
    if (!r->sess)
        db_exec(r->db, "DELETE FROM session WHERE token_hash = ?", "t", h);
    else if (now - seen >= 60)
        db_exec(r->db, "UPDATE session SET last_seen = ? WHERE token_hash = ?", "it", (int64_t)now, h);
}

int session_start(Req *r, long long user_id) {
    if (r->sess) db_exec(r->db, "DELETE FROM session WHERE token_hash = ?", "t", r->sess->token_hash);
    char tok[65], h[65], csrf[65];
    random_hex(tok);
    random_hex(csrf);
    sha256_hex(tok, h);
    long long now = clock_wall_epoch();
    /* old idle sessions of anyone are cleaned here rather than by a timer */
    db_exec(r->db, "DELETE FROM session WHERE last_seen < ?", "i", (int64_t)(now - r->app->session_idle));
    int rc = db_exec(r->db,
                     "INSERT INTO session(token_hash, user_id, csrf, created_at, last_seen, remote) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     "titiit", h, (int64_t)user_id, csrf, (int64_t)now, (int64_t)now, r->http->remote);
    if (rc != DB_OK) return rc;
    set_cookie(r, "sc_session", tok, -1);
    return DB_OK;
}

void session_end(Req *r) {
    if (r->sess) db_exec(r->db, "DELETE FROM session WHERE token_hash = ?", "t", r->sess->token_hash);
    set_cookie(r, "sc_session", "", 0);
    r->sess = NULL;
}

char *session_login_csrf(Req *r) {
    char *pre = web_cookie(r, "sc_pre");
    if (pre && strlen(pre) == 64) return pre;
    free(pre);
    char tok[65];
    random_hex(tok);
    set_cookie(r, "sc_pre", tok, -1);
    return xstrdup(tok);
}

int session_login_csrf_ok(Req *r) {
    char *pre = web_cookie(r, "sc_pre"), *form = web_form(r, "csrf");
    int ok = pre && form && strlen(pre) == 64 && session_token_eq(pre, form);
    free(pre);
    free(form);
    return ok;
}

int session_login_blocked(Req *r, const char *username) {
    int64_t n = 0;
    long long since = clock_wall_epoch() - LOGIN_WINDOW_SECONDS;
    db_query_int(r->db, &n,
                 "SELECT max((SELECT count(*) FROM login_attempt WHERE username = ? AND ok = 0 AND at > ?), "
                 "(SELECT count(*) FROM login_attempt WHERE remote = ? AND ok = 0 AND at > ?) / 4)",
                 "titi", username, (int64_t)since, r->http->remote, (int64_t)since);
    return n >= LOGIN_MAX_FAILURES;
}

long long session_login_record(Req *r, const char *username, int ok) {
    if (db_exec(r->db, "INSERT INTO login_attempt(username, remote, at, ok) VALUES (?, ?, ?, ?)", "ttii",
                username, r->http->remote, (int64_t)clock_wall_epoch(), (int64_t)ok) != DB_OK)
        return 0;
    return db_last_id(r->db);
}

void session_login_succeeded(Req *r, const char *username, long long id) {
    db_exec(r->db, "DELETE FROM login_attempt WHERE username = ? AND ok = 0 AND id <> ?", "ti", username, (int64_t)id);
    db_exec(r->db, "UPDATE login_attempt SET ok = 1 WHERE id = ?", "i", (int64_t)id);
}
