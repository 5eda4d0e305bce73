/* session.c - the cookies of login sessions, CSRF tokens and device cookies (see session.h): the
 * rows behind them are the domain's (src/domain/login.c). Tokens come from libsodium's
 * randombytes; comparisons are constant-time. */
#include "../core/clock.h"
#include "session.h"

#include "../core/util.h"
#include "../domain/login.h"

#include <ctype.h>
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
        while (*h == ' ' || *h == ';')
            h++;
        const char *end = strchr(h, ';');
        size_t len = end ? (size_t)(end - h) : strlen(h);
        if (len > nl && !strncmp(h, name, nl) && h[nl] == '=')
            return xstrndup(h + nl + 1, len - nl - 1);
        h = end;
    }
    return NULL;
}

static void set_cookie(Req *r, const char *name, const char *value, int max_age) {
    char *c =
        xasprintf("%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", name, value,
                  r->app->secure_cookies ? "; Secure" : "", max_age == 0 ? "; Max-Age=0" : "");
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
    LoginSession ls;
    if (!login_session_resume(r->db, h, clock_wall_epoch(), r->app->session_idle, &ls)) return;
    Session *s = &r->sess_storage;
    memset(s, 0, sizeof *s);
    s->user_id = ls.user_id;
    snprintf(s->csrf, sizeof s->csrf, "%s", ls.csrf);
    snprintf(s->username, sizeof s->username, "%s", ls.username);
    snprintf(s->display_name, sizeof s->display_name, "%s", ls.display_name);
    snprintf(s->role, sizeof s->role, "%s", ls.role);
    s->org_id = ls.org_id;
    snprintf(s->org_name, sizeof s->org_name, "%s", ls.org_name);
    snprintf(s->org_code, sizeof s->org_code, "%s", ls.org_code);
    s->must_change = ls.must_change;
    s->pii_export = ls.pii_export;
    memcpy(s->token_hash, h, sizeof h);
    r->sess = s;
}

void session_new(SessionNew *s) {
    random_hex(s->token);
    random_hex(s->csrf);
    sha256_hex(s->token, s->token_hash);
}

void session_start(Req *r, const SessionNew *s) {
    set_cookie(r, "sc_session", s->token, -1);
}

void session_end(Req *r) {
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
    char *key = login_device_key(r->db);
    if (!key) return -1;
    char *msg = xasprintf("%s|%s", username, nonce);
    for (char *p = msg; *p && *p != '|'; p++)
        *p = (char)tolower((unsigned char)*p);
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
    char *v = xasprintf("%s.%s", nonce, mac),
         *c = xasprintf("sc_device=%s; Path=/login; HttpOnly; SameSite=Strict; Max-Age=%d%s", v,
                        LOGIN_DEVICE_DAYS * 86400, r->app->secure_cookies ? "; Secure" : "");
    http_add_header(r->res, "Set-Cookie", c);
    free(v);
    free(c);
}
