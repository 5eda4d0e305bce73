/* app.c - request dispatch: static assets, the route table, sessions, permission and CSRF
 * checks, security headers. Every request passes here; handlers run only after the route's
 * permission and CSRF level are satisfied. Thread-safe: per-request state only. */
#include "app.h"

#include "../core/clock.h"
#include "../core/embed.h"
#include "../domain/public_version.h"
#include "../domain/readcache.h"
#include "../domain/record.h"
#include "../domain/uow.h"
#include "gzip.h"
#include "pubcache.h"
#include "session.h"
#include "tmpl.h"
#include "web.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A thread's kept connection (App.conn_key). */
typedef struct ThreadDb {
    Db *db;
    int busy; /* handed out for a request that has not ended */
} ThreadDb;

/* Closes a thread's connection when the thread ends (the server's workers, at shutdown). */
static void thread_db_free(void *p) {
    ThreadDb *t = p;
    db_close(t->db);
    free(t);
}

void app_init(App *app, const char *db_path) {
    memset(app, 0, sizeof *app);
    app->db_path = xstrdup(db_path);
    pthread_key_create(&app->conn_key, thread_db_free);
    /* templates read from a directory may change under a running server: nothing is cached */
    if (!getenv("SPOTCHECK_TEMPLATES")) app->pubcache = pubcache_new(PUBCACHE_BYTES);
    readcache_enable(1); /* the domain's expensive reads, kept per data version (readcache.h) */
    const char *idle = getenv("SPOTCHECK_SESSION_IDLE");
    app->session_idle = idle && atoi(idle) > 0 ? atoi(idle) : 1800;
    const char *sec = getenv("SPOTCHECK_SECURE_COOKIES");
    app->secure_cookies = sec && *sec == '1';
    app->files_dir = record_files_dir_configured(db_path);
}

void app_free(App *app) {
    ThreadDb *t = pthread_getspecific(app->conn_key); /* the calling thread's (test-http) */
    if (t) thread_db_free(t);
    pthread_setspecific(app->conn_key, NULL);
    pthread_key_delete(app->conn_key);
    pubcache_free(app->pubcache);
    readcache_enable(0);
    free(app->db_path);
    free(app->files_dir);
}

Db *app_db_get(App *app) {
    ThreadDb *t = pthread_getspecific(app->conn_key);
    if (!t) {
        t = xcalloc(1, sizeof *t);
        pthread_setspecific(app->conn_key, t);
    }
    if (t->busy) return db_open(app->db_path, 0, NULL);
    if (t->db && db_replaced(t->db)) { /* a restore put another file there */
        db_close(t->db);
        t->db = NULL;
    }
    if (!t->db) t->db = db_open(app->db_path, 0, NULL);
    t->busy = t->db != NULL;
    return t->db;
}

void app_db_put(App *app, Db *db) {
    if (!db) return;
    ThreadDb *t = pthread_getspecific(app->conn_key);
    if (!t || t->db != db) {
        db_close(db);
        return;
    }
    t->busy = 0;
    if (db_release(db) != DB_OK) {
        db_close(db);
        t->db = NULL;
    }
}

static void security_headers(HttpResponse *res) {
    http_set_header(
        res, "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'");
    http_set_header(res, "X-Content-Type-Options", "nosniff");
    http_set_header(res, "X-Frame-Options", "DENY");
    http_set_header(res, "Referrer-Policy", "same-origin");
}

static const char *mime_of(const char *name) {
    const char *dot = strrchr(name, '.');
    if (!dot) return "application/octet-stream";
    if (!strcmp(dot, ".css")) return "text/css; charset=utf-8";
    if (!strcmp(dot, ".js")) return "text/javascript; charset=utf-8";
    if (!strcmp(dot, ".svg")) return "image/svg+xml";
    if (!strcmp(dot, ".png")) return "image/png";
    if (!strcmp(dot, ".ico")) return "image/x-icon";
    return "application/octet-stream";
}

/* The gzip forms of the embedded files, made at the first request for each that takes gzip. */
typedef struct StaticGzip {
    Buf gz;   /* empty when compressing does not pay */
    int made; /* gz is final */
} StaticGzip;
static pthread_mutex_t static_gz_lock = PTHREAD_MUTEX_INITIALIZER;
static StaticGzip *static_gz;

static const Buf *static_gzip(const EmbeddedFile *f) {
    pthread_mutex_lock(&static_gz_lock);
    if (!static_gz) static_gz = xcalloc(embedded_count, sizeof *static_gz);
    StaticGzip *g = &static_gz[f - embedded_files];
    if (!g->made) {
        buf_init(&g->gz);
        if (gzip_compress(f->data, f->len, GZIP_LEVEL_STORED, &g->gz) != 0 || g->gz.len >= f->len)
            buf_reset(&g->gz);
        g->made = 1;
    }
    pthread_mutex_unlock(&static_gz_lock);
    return g->gz.len ? &g->gz : NULL;
}

/* Serves web/static/NAME from the embedded files with an ETag, gzip when the client takes it.
 * Returns 1 when handled. */
static int serve_static(HttpRequest *req, HttpResponse *res) {
    if (!strcmp(req->path, "/favicon.ico")) { /* browsers ask for it; there is none */
        res->status = 204;
        http_set_header(res, "Cache-Control", "public, max-age=86400");
        return 1;
    }
    if (strncmp(req->path, "/static/", 8) != 0) return 0;
    if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) return 0;
    const char *name = req->path + 8;
    if (strstr(name, "..") || strchr(name, '/')) return 0;
    char *full = xasprintf("web/static/%s", name);
    const EmbeddedFile *f = embed_find(full);
    free(full);
    if (!f) return 0;
    char etag[40];
    snprintf(etag, sizeof etag, "\"%s\"", f->etag);
    http_set_header(res, "ETag", etag);
    http_set_header(res, "Cache-Control", "public, max-age=300");
    const char *inm = http_header(req, "If-None-Match");
    if (inm && !strcmp(inm, etag)) {
        res->status = 304;
        return 1;
    }
    http_set_header(res, "Content-Type", mime_of(name));
    res->static_body = f->data;
    res->static_len = f->len;
    if (gzip_worth(mime_of(name), f->len)) {
        http_set_header(res, "Vary", "Accept-Encoding");
        const Buf *gz = gzip_accepted(req) ? static_gzip(f) : NULL;
        if (gz) {
            res->static_body = gz->data;
            res->static_len = gz->len;
            http_set_header(res, "Content-Encoding", "gzip");
        }
    }
    return 1;
}

/* Matches path against pattern ("/d/:kind/:id"); fills r->params. */
static int match(const char *pattern, const char *path, Req *r) {
    r->nparams = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p == ':') {
            const char *pe = strchr(p, '/'), *se = strchr(s, '/');
            size_t pl = pe ? (size_t)(pe - p) : strlen(p), sl = se ? (size_t)(se - s) : strlen(s);
            if (sl == 0 || r->nparams == WEB_MAX_PARAMS) return 0;
            static _Thread_local char names[WEB_MAX_PARAMS][32];
            snprintf(names[r->nparams], sizeof names[0], "%.*s", (int)pl - 1, p + 1);
            r->param_names[r->nparams] = names[r->nparams];
            r->params[r->nparams++] = xstrndup(s, sl);
            p += pl;
            s += sl;
            continue;
        }
        if (*p != *s) return 0;
        p++;
        s++;
    }
    return !*p && !*s;
}

static void free_params(Req *r) {
    for (size_t i = 0; i < r->nparams; i++)
        free(r->params[i]);
    r->nparams = 0;
}

/* Origin/Referer must name this host when the browser sends them. */
static int same_origin(HttpRequest *req) {
    const char *host = http_header(req, "Host");
    const char *origin = http_header(req, "Origin");
    if (!origin) origin = http_header(req, "Referer");
    if (!origin || !host) return 1;
    const char *p = strstr(origin, "://");
    if (!p) return 0;
    p += 3;
    size_t hl = strlen(host);
    return !strncmp(p, host, hl) && (p[hl] == 0 || p[hl] == '/');
}

static int csrf_ok(Req *r, const Route *rt) {
    if (rt->csrf == CSRF_NONE) return 1;
    if (!same_origin(r->http)) return 0;
    if (rt->csrf == CSRF_LOGIN) return session_login_csrf_ok(r);
    if (!r->sess) return 0;
    const char *hdr = http_header(r->http, "X-CSRF-Token");
    char *form = hdr ? NULL : web_form(r, "csrf");
    const char *given = hdr ? hdr : form;
    int ok = given && session_token_eq(given, r->sess->csrf);
    free(form);
    return ok;
}

/* 1 when pattern a is more specific than b (both matching the same path, so with as many segments):
 * at the first segment where one is a literal and the other a :parameter, the literal wins. */
static int more_specific(const char *a, const char *b) {
    while (*a && *b) {
        int pa = *a == ':', pb = *b == ':';
        if (pa != pb) return pb;
        const char *ea = strchr(a, '/'), *eb = strchr(b, '/');
        if (!ea || !eb) return 0;
        a = ea + 1;
        b = eb + 1;
    }
    return 0;
}

/* The route for the request: among the patterns that match its path and serve its method, the most
 * specific (so /tasks/start is not taken for /tasks/:id, whatever the table's order); NULL when
 * none, with *method_mismatch when a pattern matched under another method. Leaves the chosen
 * route's path parameters in r. */
static const Route *find_route(Req *r, int *method_mismatch) {
    *method_mismatch = 0;
    const Route *best = NULL;
    for (size_t i = 0; i < web_route_count; i++) {
        const Route *rt = &web_routes[i];
        int m = match(rt->pattern, r->http->path, r);
        free_params(r);
        if (!m) continue;
        if (strcmp(rt->method, r->http->method) &&
            (strcmp(rt->method, "GET") || strcmp(r->http->method, "HEAD"))) {
            *method_mismatch = 1;
            continue;
        }
        if (!best || more_specific(rt->pattern, best->pattern)) best = rt;
    }
    if (best) match(best->pattern, r->http->path, r);
    return best;
}

static void dispatch(Req *r) {
    int wrong_method;
    const Route *rt = find_route(r, &wrong_method);
    if (!rt) {
        if (wrong_method)
            web_error(r, 405, "method_not_allowed", "不支持该请求方法");
        else
            web_error(r, 404, "not_found", "页面不存在");
        return;
    }
    Perm need = web_route_perm(rt, web_param(r, "kind"));
    if (need != P_PUBLIC && !r->sess) {
        if (r->is_api || strcmp(r->http->method, "GET") != 0) {
            web_error(r, 401, "unauthenticated", "请先登录");
        } else {
            Buf loc;
            buf_init(&loc);
            buf_puts(&loc, "/login?next=");
            web_url_encode(&loc, r->http->path);
            web_redirect(r, loc.data);
            buf_free(&loc);
        }
        return;
    }
    /* a password an administrator set must be replaced before anything else */
    if (r->sess && r->sess->must_change && need != P_PUBLIC &&
        strcmp(r->http->path, "/account/password") && strcmp(r->http->path, "/logout") &&
        strcmp(r->http->path, "/api/v1/me")) {
        if (r->is_api || strcmp(r->http->method, "GET"))
            web_error(r, 403, "password_change", "管理员重设了您的密码，请先修改密码");
        else
            web_redirect(r, "/account/password");
        return;
    }
    if (need != P_PUBLIC && !web_role_has(r->sess->role, need)) {
        web_error(r, 403, "forbidden", "您的角色无权执行此操作");
        return;
    }
    if (!csrf_ok(r, rt)) {
        web_error(r, 403, "csrf", "请求校验失败（页面可能已过期），请刷新页面后重试");
        return;
    }
    rt->handler(r);
}

/* Takes back what a handler put into the response: its status, body, file and the headers added
 * after the first `keep` (those of the session). */
static void response_rewind(HttpResponse *res, size_t keep) {
    for (size_t i = keep; i < res->nheaders; i++) {
        free(res->headers[i].name);
        free(res->headers[i].value);
    }
    res->nheaders = keep;
    res->status = 200;
    buf_reset(&res->body);
    free(res->file_path);
    res->file_path = NULL;
}

/* The unit-of-work runner (uow.h): the handler runs again, with a fresh response, when its unit of
 * work was cancelled because of another transaction (a deadlock, PostgreSQL) before anything of it
 * was committed; UOW_ATTEMPTS in all, so the user sees the conflict only when it keeps recurring.
 * An upload is not run again (its handler may have taken the file). */
static void run_attempts(Req *r) {
    size_t keep = r->res->nheaders;
    for (int attempt = 1;; attempt++) {
        UowAttempt a;
        uow_attempt_start(r->db, &a);
        dispatch(r);
        free_params(r);
        if (attempt == UOW_ATTEMPTS || r->http->upload_path || !uow_attempt_again(r->db, &a))
            return;
        db_rollback_if_open(r->db);
        response_rewind(r->res, keep);
    }
}

/* Decides, from the headers, whether a request's body may be read at all: too large → 413; a
 * multipart body only for a route that takes uploads (Route.upload) and only from a user whose
 * role may use that route, so no one can make the server store a file it would refuse anyway. */
int app_accept(void *app_, HttpRequest *req) {
    const char *cl = http_header(req, "Content-Length");
    const char *ct = http_header(req, "Content-Type");
    int multipart = ct && !strncasecmp(ct, "multipart/form-data", 19);
    unsigned long long len = cl ? strtoull(cl, NULL, 10) : 0;
    if (len > (multipart ? HTTP_MAX_UPLOAD : HTTP_MAX_BODY)) return 413;
    if (!multipart) return 0;
    Req r;
    memset(&r, 0, sizeof r);
    r.app = app_;
    r.http = req;
    int wrong_method;
    const Route *rt = find_route(&r, &wrong_method);
    Perm need = rt ? web_route_perm(rt, web_param(&r, "kind")) : P_PUBLIC;
    free_params(&r);
    if (!rt || !rt->upload) return 404;
    r.db = app_db_get(app_);
    if (!r.db) return 503;
    session_load(&r);
    int status = !r.sess ? 401 : !web_role_has(r.sess->role, need) ? 403 : 0;
    app_db_put(app_, r.db);
    return status;
}

void app_handle(void *app_, HttpRequest *req, HttpResponse *res) {
    App *app = app_;
    security_headers(res);
    if (serve_static(req, res)) return;
    Req r;
    memset(&r, 0, sizeof r);
    r.app = app;
    r.http = req;
    r.res = res;
    r.is_api = !strncmp(req->path, "/api/", 5);
    http_set_header(res, "Cache-Control", "no-store");
    r.db = app_db_get(app);
    if (!r.db) {
        web_error(&r, 500, "db_unavailable", "数据库暂时不可用");
        return;
    }
    /* a public page for a visitor without a session: from the cache when it holds the page at
     * the current data version, for no more SQL than reading that version */
    PublicVersion pv;
    char today[11];
    int pub = app->pubcache && pubcache_eligible(req) && public_version_get(r.db, &pv) == DB_OK;
    if (pub) {
        clock_today(today);
        if (pubcache_answer(app->pubcache, req, &pv, today, res)) {
            app_db_put(app, r.db);
            return;
        }
    }
    session_load(&r);
    run_attempts(&r);
    if (pub && !r.sess) { /* validators and the cache only when no change came in meanwhile */
        PublicVersion now;
        if (public_version_get(r.db, &now) == DB_OK && now.version == pv.version)
            pubcache_finish(app->pubcache, req, &pv, today, 1, res);
    }
    /* a handler that failed mid-transaction must not hand an open transaction to the next request:
     * app_db_put rolls it back */
    app_db_put(app, r.db);
    gzip_response(req, res);
}
