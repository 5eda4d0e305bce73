/* fuzz_form.c - libFuzzer target for the request-body helpers of the web layer (src/web/web.c):
 * URL decoding (web_url_decode, web_url_encode), x-www-form-urlencoded fields (web_form,
 * web_form_nth), query parameters (web_query) and JSON bodies (web_json_body). The input is the
 * body (and, up to its first NUL, the query string) of a request built in memory the way http.c
 * builds one (body NUL-terminated, body_len bytes); no server, database or session is involved:
 * the Req is an API request, so errors are answered with the JSON envelope only.
 *
 * Checks:
 *   - web_url_decode gives a string of valid UTF-8 no longer than its input, and
 *     decode(encode(x)) == x with encode writing only unreserved characters and %XX;
 *   - web_form_nth(name, k) is the k-th pair whose decoded key (as a C string) is name, decoded,
 *     for the first pairs of the body, and NULL past the last; web_query agrees with web_form
 *     when the input holds no NUL; a body under another Content-Type yields no fields;
 *   - web_json_body returns a JSON object (which survives a dump and reload) or NULL with a 400
 *     bad_json error; an empty body is {} when optional.
 * Built by scripts/fuzz.sh and replayed over the saved corpus by tests/fuzz/replay.c. */
#include "core/util.h"
#include "web/http.h"
#include "web/web.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAIRS 16 /* each check scans the whole body: keep it linear-ish */

static void check_decode(const char *s, size_t n) {
    char *d = web_url_decode(s, n);
    size_t dl = strlen(d);
    ASSERT(dl <= n);
    ASSERT(utf8_valid(d, dl));
    Buf e;
    buf_init(&e);
    web_url_encode(&e, d);
    for (size_t i = 0; i < e.len; i++) {
        char c = e.data[i];
        ASSERT((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               strchr("-_.~/%", c));
    }
    char *back = web_url_decode(e.data ? e.data : "", e.len);
    ASSERT(!strcmp(back, d));
    free(back);
    buf_free(&e);
    free(d);
}

static void set_content_type(HttpRequest *req, const char *ct) {
    free(req->headers[0].value);
    req->headers[0].value = xstrdup(ct);
}

static void check_form(Req *r, const char *body, size_t len, int has_nul) {
    char *keys[MAX_PAIRS];
    size_t nkeys = 0;
    const char *p = body, *end = body + len;
    while (p < end && nkeys < MAX_PAIRS) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *e = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(e - p));
        const char *ke = eq ? eq : e;
        char *key = web_url_decode(p, (size_t)(ke - p));
        int nth = 0;
        for (size_t i = 0; i < nkeys; i++)
            nth += !strcmp(keys[i], key);
        keys[nkeys++] = key;
        char *want = eq ? web_url_decode(eq + 1, (size_t)(e - eq - 1)) : xstrdup("");
        char *got = web_form_nth(r, key, nth);
        ASSERT(got && !strcmp(got, want));
        if (nth == 0) {
            char *first = web_form(r, key);
            ASSERT(first && !strcmp(first, want));
            free(first);
            if (!has_nul) {
                char *q = web_query(r, key);
                ASSERT(q && !strcmp(q, want));
                free(q);
            }
        }
        free(got);
        free(want);
        p = e + 1;
    }
    if (p >= end && nkeys > 0) { /* every pair seen: one past the last occurrence is NULL */
        int count = 0;
        for (size_t i = 0; i < nkeys; i++)
            count += !strcmp(keys[i], keys[0]);
        ASSERT(web_form_nth(r, keys[0], count) == NULL);
    }
    for (size_t i = 0; i < nkeys; i++)
        free(keys[i]);
}

static void check_json(Req *r, size_t len) {
    for (int optional = 0; optional <= 1; optional++) {
        http_response_free(r->res);
        http_response_init(r->res);
        json_t *j = web_json_body(r, optional);
        if (!j) {
            ASSERT(r->res->status == 400);
            json_t *env = json_loadb(r->res->body.data, r->res->body.len, 0, NULL);
            ASSERT(env);
            const char *code =
                json_string_value(json_object_get(json_object_get(env, "error"), "code"));
            ASSERT(code && !strcmp(code, "bad_json"));
            json_decref(env);
            continue;
        }
        ASSERT(json_is_object(j));
        if (optional && len == 0) ASSERT(json_object_size(j) == 0);
        char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        ASSERT(s);
        json_t *again = json_loads(s, 0, NULL);
        ASSERT(again && json_equal(j, again));
        json_decref(again);
        free(s);
        json_decref(j);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    int has_nul = memchr(data, 0, size) != NULL;
    check_decode(text, size);

    HttpRequest req;
    memset(&req, 0, sizeof req);
    req.method = xstrdup("POST");
    req.path = xstrdup("/form");
    req.query = xstrndup(text, size); /* a C string: up to the first NUL */
    req.headers[0].name = xstrdup("Content-Type");
    req.headers[0].value = xstrdup("application/x-www-form-urlencoded; charset=UTF-8");
    req.nheaders = 1;
    req.body = xmalloc(size + 1); /* as http.c hands it over: NUL-terminated, body_len bytes */
    memcpy(req.body, data, size);
    req.body[size] = 0;
    req.body_len = size;
    HttpResponse res;
    http_response_init(&res);
    Req r;
    memset(&r, 0, sizeof r);
    r.http = &req;
    r.res = &res;
    r.is_api = 1;

    check_form(&r, req.body, size, has_nul);

    set_content_type(&req, "text/plain");
    char *f = web_form(&r, "a");
    ASSERT(f == NULL); /* not a form body: no fields */

    set_content_type(&req, "application/json");
    check_json(&r, size);

    http_response_free(&res);
    http_request_free(&req);
    return 0;
}
