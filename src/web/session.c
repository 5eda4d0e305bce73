/* session.c - login sessions, CSRF tokens and login throttling (see session.h). Tokens come
 * from libsodium's randombytes; comparisons are constant-time. */
#include "../core/clock.h"
#include "session.h"

#include "../core/util.h"

#include <ctype.h>
#include <pthread.h>
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
                          "u.org_id, o.name, o.code, u.must_change_password, u.pii_export FROM session s JOIN user u ON u.id = s.user_id "
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
        s->must_change = db_col_int(st, 9) != 0;
        s->pii_export = db_col_int(st, 10) != 0;
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

/* The MAC of a device cookie for username (lower-cased) and nonce, with the installation's key. */
static int device_mac(Req *r, const char *username, const char *nonce, char out[65]) {
    char *key = NULL;
    if (db_query_text(r->db, &key, "SELECT value FROM meta WHERE key = 'device_key'", "") != DB_OK || !key) {
        free(key);
        return -1;
    }
    char *msg = xasprintf("%s|%s", username, nonce);
    for (char *p = msg; *p && *p != '|'; p++) *p = (char)tolower((unsigned char)*p);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, 65, mac, sizeof mac);
    free(msg);
    free(key);
    return 0;
}

int session_login_device(Req *r, const char *username, char id[65]) {
    id[0] = 0;
    char *c = web_cookie(r, "sc_device");
    const char *dot = c ? strchr(c, '.') : NULL;
    char mac[65];
    int ok = dot && dot - c == 64 && strlen(dot + 1) == 64;
    if (ok) {
        char nonce[65];
        memcpy(nonce, c, 64);
        nonce[64] = 0;
        ok = device_mac(r, username, nonce, mac) == 0 && session_token_eq(mac, dot + 1);
        if (ok) sha256_hex(nonce, id);
    }
    free(c);
    return ok;
}

void session_device_issue(Req *r, const char *username) {
    char nonce[65], mac[65];
    random_hex(nonce);
    if (device_mac(r, username, nonce, mac) != 0) return;
    char *v = xasprintf("%s.%s", nonce, mac), *c = xasprintf("sc_device=%s; Path=/login; HttpOnly; SameSite=Strict; Max-Age=%d%s", v,
                                                            LOGIN_DEVICE_DAYS * 86400, r->app->secure_cookies ? "; Secure" : "");
    http_add_header(r->res, "Set-Cookie", c);
    free(v);
    free(c);
}

int session_login_blocked(Req *r, const char *username, const char *device) {
    int64_t n = 0;
    long long since = clock_wall_epoch() - LOGIN_WINDOW_SECONDS;
    if (device && *device) /* a browser that logged in before: only its own failures count */
        db_query_int(r->db, &n,
                     "SELECT count(*) FROM login_attempt WHERE device = ?1 AND ok = 0 AND at > ?2 AND id > coalesce((SELECT "
                     "max(id) FROM login_attempt WHERE device = ?1 AND ok = 1), 0)",
                     "ti", device, (int64_t)since);
    else
        db_query_int(r->db, &n,
                     "SELECT max((SELECT count(*) FROM login_attempt WHERE lower(username) = lower(?1) AND ok = 0 AND at > ?2 "
                     "AND id > coalesce((SELECT max(id) FROM login_attempt WHERE lower(username) = lower(?1) AND ok = 1), 0)), "
                     "(SELECT count(*) FROM login_attempt WHERE remote = ?3 AND ok = 0 AND at > ?2) / 4)",
                     "tit", username, (int64_t)since, r->http->remote);
    return n >= LOGIN_MAX_FAILURES;
}

long long session_login_record(Req *r, const char *username, const char *device) {
    if (db_exec(r->db, "INSERT INTO login_attempt(username, remote, at, ok, device) VALUES (?, ?, ?, 0, nullif(?, ''))", "ttit",
                username, r->http->remote, (int64_t)clock_wall_epoch(), device ? device : "") != DB_OK)
        return 0;
    return db_last_id(r->db);
}

void session_login_succeeded(Req *r, long long id) {
    db_exec(r->db, "UPDATE login_attempt SET ok = 1 WHERE id = ?", "i", (int64_t)id);
}

void session_login_not_tried(Req *r, long long id) {
    db_exec(r->db, "DELETE FROM login_attempt WHERE id = ? AND ok = 0", "i", (int64_t)id);
}

int session_login_refusal_first(Req *r, const char *username) {
    int64_t n = 0;
    long long now = clock_wall_epoch();
    db_query_int(r->db, &n, "SELECT count(*) FROM login_attempt WHERE lower(username) = lower(?) AND remote = ? AND ok = 2 AND at > ?",
                 "tti", username, r->http->remote, (int64_t)(now - LOGIN_WINDOW_SECONDS));
    if (n) return 0;
    db_exec(r->db, "INSERT INTO login_attempt(username, remote, at, ok) VALUES (?, ?, ?, 2)", "tti", username, r->http->remote,
            (int64_t)now);
    return 1;
}

/* argon2id takes 64 MiB per check: at most PWHASH_PARALLEL run at once, the rest get 503 */
#define PWHASH_PARALLEL 4
static pthread_mutex_t pwhash_lock = PTHREAD_MUTEX_INITIALIZER;
static int pwhash_running;

int session_pwhash_enter(void) {
    pthread_mutex_lock(&pwhash_lock);
    int ok = pwhash_running < PWHASH_PARALLEL;
    if (ok) pwhash_running++;
    pthread_mutex_unlock(&pwhash_lock);
    return ok;
}

void session_pwhash_leave(void) {
    pthread_mutex_lock(&pwhash_lock);
    pwhash_running--;
    pthread_mutex_unlock(&pwhash_lock);
}
