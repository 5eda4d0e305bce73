/* http.h - the HTTP layer's interface to the rest of the web code. Only http.c includes
 * microhttpd.h; handlers see plain structs, so `spotcheck test-http` can feed them a request read
 * from stdin without any socket.
 *
 * Threading: the server runs a pool of worker threads, each serving many connections; a handler
 * may block on the database (it holds up its thread's other connections meanwhile). A request and
 * its response belong to one thread, and every request of one connection is served by the same. */
#ifndef SPOTCHECK_HTTP_H
#define SPOTCHECK_HTTP_H

#include "../core/util.h"

#include <stddef.h>
#include <stdio.h>

#define HTTP_MAX_BODY (1u << 20) /* JSON and form bodies */
/* A multipart body: one uploaded file of up to 64 MiB (a record's video, RECORD_VIDEO_MAX) plus
 * the form's other fields and boundaries, so the file's own limit is the one users meet. */
#define HTTP_MAX_UPLOAD ((64u << 20) + (1u << 20))
#define HTTP_MAX_HEADERS 64

/* Connections (http.c). The global limit stands well above the per-address one, so that a few
 * addresses cannot fill the server; each waiting connection costs about HTTP_CONN_MEMORY. A
 * connection over its address's limit is answered 503 with Retry-After (never reset) and must send
 * its head within HTTP_OVER_HEAD_SECONDS. */
#define HTTP_CONN_LIMIT 1024
#define HTTP_PER_IP_LIMIT 256 /* default of HttpOptions.per_ip_limit (serve --per-ip-limit) */
#define HTTP_OVER_HEAD_SECONDS 1
#define HTTP_CONN_MEMORY (64u << 10)
#define HTTP_IDLE_SECONDS 30     /* nothing received or sent for this long: closed */
#define HTTP_HEAD_SECONDS 10     /* a request head must be complete this long after connecting */
#define HTTP_HEAD_SECONDS_BUSY 3 /* ... when more than half the connections are in use */
#define HTTP_BODY_SECONDS 30     /* a body must be complete this long after its head */
#define HTTP_UPLOAD_RATE (16u << 10) /* bytes per second an upload is given on top of that */
#define HTTP_MAX_WORKERS 64          /* worker threads: 4 per core, 8 at least */

typedef struct HttpHeader {
    char *name;
    char *value;
} HttpHeader;

typedef struct HttpRequest {
    char *method;
    char *path;  /* decoded path without the query */
    char *query; /* raw query string without '?', or "" */
    HttpHeader headers[HTTP_MAX_HEADERS];
    size_t nheaders;
    char *body; /* NUL-terminated; for uploads the body is in upload_path instead */
    size_t body_len;
    char *upload_path; /* temporary file holding a large multipart body, or NULL */
    size_t upload_len;
    int body_too_large;
    char remote[64];
} HttpRequest;

typedef struct HttpResponse {
    int status;
    Buf body;
    HttpHeader headers[HTTP_MAX_HEADERS];
    size_t nheaders;
    const void *static_body; /* when set, sent instead of body (embedded assets) */
    size_t static_len;
    char *file_path; /* when set, the file is sent instead of body */
} HttpResponse;

typedef void (*HttpHandler)(void *app, HttpRequest *req, HttpResponse *res);
/* Called with the request line and headers before any body is read: returns 0 to read the body
 * and call the handler, or an HTTP status to answer at once without reading the body (so a
 * stranger cannot make the server store a large upload). */
typedef int (*HttpAccept)(void *app, HttpRequest *req);

/* Case-insensitive header lookup; NULL when absent. */
const char *http_header(const HttpRequest *req, const char *name);
/* Sets a response header (copied), replacing one of the same name. */
void http_set_header(HttpResponse *res, const char *name, const char *value);
/* Headers with CR or LF in the name or value are refused (no response splitting). */
/* Adds a response header even if one of the same name exists (Set-Cookie). */
void http_add_header(HttpResponse *res, const char *name, const char *value);
void http_response_init(HttpResponse *res);
void http_response_free(HttpResponse *res);
void http_request_free(HttpRequest *req);

/* Settings of the server. */
typedef struct HttpOptions {
    unsigned per_ip_limit; /* connections one client address may hold (1..HTTP_CONN_LIMIT) */
    unsigned workers;      /* worker threads (1..HTTP_MAX_WORKERS); 0: 4 per core, 8 at least */
    double head_seconds;   /* HTTP_HEAD_SECONDS when 0 (tests shorten it) */
    /* Reverse proxies (nginx) whose X-Forwarded-For is believed: IPv4 addresses separated by
     * commas, or NULL/"" for none. A request whose peer is one of them gets, as its client address
     * (HttpRequest.remote: the login throttle, audit rows, the log), the last address of that
     * header, the one the proxy added. Connection limits still count the peer (the proxy). */
    const char *trusted_proxies;
} HttpOptions;

/* 1 when list is a valid HttpOptions.trusted_proxies value (NULL and "" are: none). */
int http_proxies_valid(const char *list);

/* Serves on "ADDR:PORT" until SIGTERM/SIGINT, then finishes requests in flight and returns 0.
 * Returns -1 with *err when the address cannot be bound. Logs one line per request to stderr. */
int http_serve(const char *listen, const HttpOptions *opt, HttpHandler handler, HttpAccept accept,
               void *app, char **err);

/* Parses one HTTP/1.1 request from `in` (request line, headers, body by Content-Length),
 * handles it and writes the response to `out`. For tests; returns 0, or -1 on a malformed
 * request. */
int http_test_one(FILE *in, FILE *out, HttpHandler handler, HttpAccept accept, void *app);

#endif
