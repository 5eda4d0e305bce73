/* http.c - the only file that includes microhttpd.h. Runs libmicrohttpd on a pool of epoll
 * worker threads (a waiting connection costs a few kilobytes, not a thread), collects request
 * bodies with a cap (JSON/form bodies in memory up to HTTP_MAX_BODY; multipart uploads streamed to
 * a temporary file up to HTTP_MAX_UPLOAD), calls the application's handler with plain structs, logs
 * one line per request, and stops gracefully on SIGTERM/SIGINT. Also parses a raw request from a
 * FILE for `spotcheck test-http`.
 *
 * Slow clients (slowloris): libmicrohttpd's timeout is an idle timeout, which a client sending one
 * byte every few seconds never meets. So a watchdog gives every connection a deadline for the
 * whole request head (HTTP_HEAD_SECONDS from connecting or from the last response; fewer when more
 * than half the connections are in use) and for the body (HTTP_BODY_SECONDS, plus time at
 * HTTP_UPLOAD_RATE for an upload), and shuts down the socket of any that misses it. A request
 * being handled or a response being sent has no deadline (the idle timeout still applies). A
 * deadline counts the client's time only: every connection belongs to one worker thread, which
 * reads nothing while it runs a handler, so the time its worker spent handling other connections'
 * requests since the deadline was set is added to it (Worker). Otherwise a complete head waiting
 * behind slow pages was shut down unanswered (wrk's "read errors" with 64 clients, bench/README).
 *
 * Connections per client address are counted here too (libmicrohttpd's own per-address limit
 * closes the socket at once, which a client sees as a reset): one over HttpOptions.per_ip_limit is
 * kept just long enough to read its head (HTTP_OVER_HEAD_SECONDS) and answered 503 with
 * Retry-After, then closed.
 *
 * Behind a reverse proxy every connection comes from the proxy: HttpOptions.trusted_proxies names
 * the proxies whose X-Forwarded-For gives the client's address (forwarded_client). The per-address
 * connection count and the watchdog stay per process and see the proxy's address. */
#include "../core/clock.h"
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

const char *http_header(const HttpRequest *req, const char *name) {
    for (size_t i = 0; i < req->nheaders; i++)
        if (!strcasecmp(req->headers[i].name, name)) return req->headers[i].value;
    return NULL;
}

void http_set_header(HttpResponse *res, const char *name, const char *value) {
    if (strpbrk(name, "\r\n") || strpbrk(value, "\r\n")) return;
    for (size_t i = 0; i < res->nheaders; i++) {
        if (!strcasecmp(res->headers[i].name, name)) {
            free(res->headers[i].value);
            res->headers[i].value = xstrdup(value);
            return;
        }
    }
    http_add_header(res, name, value);
}

void http_add_header(HttpResponse *res, const char *name, const char *value) {
    if (res->nheaders == HTTP_MAX_HEADERS || strpbrk(name, "\r\n") || strpbrk(value, "\r\n"))
        return;
    res->headers[res->nheaders].name = xstrdup(name);
    res->headers[res->nheaders].value = xstrdup(value);
    res->nheaders++;
}

void http_response_init(HttpResponse *res) {
    memset(res, 0, sizeof *res);
    res->status = 200;
    buf_init(&res->body);
}

void http_response_free(HttpResponse *res) {
    for (size_t i = 0; i < res->nheaders; i++) {
        free(res->headers[i].name);
        free(res->headers[i].value);
    }
    buf_free(&res->body);
    free(res->file_path);
    memset(res, 0, sizeof *res);
}

void http_request_free(HttpRequest *req) {
    free(req->method);
    free(req->path);
    free(req->query);
    for (size_t i = 0; i < req->nheaders; i++) {
        free(req->headers[i].name);
        free(req->headers[i].value);
    }
    free(req->body);
    if (req->upload_path) {
        unlink(req->upload_path);
        free(req->upload_path);
    }
    memset(req, 0, sizeof *req);
}

static void add_req_header(HttpRequest *req, const char *name, const char *value) {
    if (req->nheaders == HTTP_MAX_HEADERS) return;
    req->headers[req->nheaders].name = xstrdup(name);
    req->headers[req->nheaders].value = xstrdup(value ? value : "");
    req->nheaders++;
}

static const char *status_text(int s) {
    switch (s) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

/* ---- the server ---- */

typedef struct Conn {
    HttpRequest req;
    Buf body;
    FILE *upload;
    int multipart;
    struct timeval start;
} Conn;

typedef struct Server {
    HttpHandler handler;
    HttpAccept accept;
    void *app;
} Server;

/* ---- the watchdog of slow connections ---- */

/* The time one worker thread spent running handlers (under watch.lock): busy_total for the ended
 * ones, busy_since > 0 while one runs. One slot per thread, HTTP_MAX_WORKERS at most. */
typedef struct Worker {
    double busy_total, busy_since;
} Worker;

typedef struct Watch {
    int fd;
    double deadline;  /* monotonic seconds; 0: none (handling or answering) */
    Worker *worker;   /* the thread that serves it (NULL until known) */
    double busy_mark; /* its worker's busy time when the deadline was set */
    uint32_t addr;    /* the client's IPv4 address (network order), 0 when unknown */
    int over;         /* opened when its address held per_ip_limit connections already */
    struct Watch *prev, *next;
} Watch;

/* Open connections of one client address (a chained hash table, under watch.lock). */
typedef struct AddrCount {
    uint32_t addr;
    unsigned n;
    struct AddrCount *next;
} AddrCount;
#define ADDR_BUCKETS 1024

static struct {
    pthread_mutex_t lock;
    Watch *head;
    unsigned count;
    unsigned long reaped;
    int stop;
    unsigned per_ip_limit;
    double head_seconds;
    char trusted[512]; /* HttpOptions.trusted_proxies, "" for none; set before the daemon starts */
    AddrCount *addrs[ADDR_BUCKETS];
    Worker workers[HTTP_MAX_WORKERS];
    unsigned nworkers;
} watch = {.lock = PTHREAD_MUTEX_INITIALIZER,
           .per_ip_limit = HTTP_PER_IP_LIMIT,
           .head_seconds = HTTP_HEAD_SECONDS};

static _Thread_local Worker *this_worker;

/* The calling thread's slot (NULL past HTTP_MAX_WORKERS threads). Lock held. */
static Worker *worker_self(void) {
    if (!this_worker && watch.nworkers < HTTP_MAX_WORKERS)
        this_worker = &watch.workers[watch.nworkers++];
    return this_worker;
}

/* w's time in handlers up to now, the running one included. Lock held. */
static double worker_busy(const Worker *w, double now) {
    return w->busy_total + (w->busy_since > 0 ? now - w->busy_since : 0);
}

/* Counts a connection of addr in (+1) or out (-1); returns the count after. Lock held. */
static unsigned addr_count(uint32_t addr, int delta) {
    AddrCount **p = &watch.addrs[(addr * 2654435761u) >> 22];
    while (*p && (*p)->addr != addr)
        p = &(*p)->next;
    if (!*p) {
        if (delta < 0) return 0;
        *p = xcalloc(1, sizeof **p);
        (*p)->addr = addr;
    }
    AddrCount *a = *p;
    a->n = delta > 0 ? a->n + 1 : a->n - 1;
    unsigned n = a->n;
    if (!n) {
        *p = a->next;
        free(a);
    }
    return n;
}

static double mono_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds a client has for a request head: less when the server is filling up, so that connections
 * sending nothing useful are the first to go. Called with the lock held. */
static double head_seconds(void) {
    if (watch.count <= HTTP_CONN_LIMIT / 2) return watch.head_seconds;
    return watch.head_seconds < HTTP_HEAD_SECONDS_BUSY ? watch.head_seconds
                                                       : HTTP_HEAD_SECONDS_BUSY;
}

/* Marks the calling worker as running a handler (busy 1) or done with it (0). */
static void worker_mark(int busy) {
    pthread_mutex_lock(&watch.lock);
    Worker *me = worker_self();
    double now = mono_now();
    if (me && busy)
        me->busy_since = now;
    else if (me && me->busy_since > 0) {
        me->busy_total += now - me->busy_since;
        me->busy_since = 0;
    }
    pthread_mutex_unlock(&watch.lock);
}

/* The deadlines a connection can have (watch_set). */
#define WATCH_NONE 0.0  /* being handled or answered: only the idle timeout applies */
#define WATCH_HEAD -1.0 /* waiting for a request head: head_seconds() from now */

static Watch *watch_of(struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* Sets c's deadline: seconds from now (> 0), WATCH_HEAD or WATCH_NONE. */
static void watch_set(struct MHD_Connection *c, double seconds_from_now) {
    Watch *w = watch_of(c);
    if (!w) return;
    pthread_mutex_lock(&watch.lock);
    double now = mono_now();
    w->deadline = seconds_from_now > 0   ? now + seconds_from_now
                  : seconds_from_now < 0 ? now + head_seconds()
                                         : 0;
    w->worker = worker_self(); /* called by the connection's own worker */
    w->busy_mark = w->worker ? worker_busy(w->worker, now) : 0;
    pthread_mutex_unlock(&watch.lock);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
    (void)cls;
    pthread_mutex_lock(&watch.lock);
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *ai =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        Watch *w = xcalloc(1, sizeof *w);
        w->fd = ci ? ci->connect_fd : -1;
        if (ai && ai->client_addr && ai->client_addr->sa_family == AF_INET) {
            w->addr = ((const struct sockaddr_in *)ai->client_addr)->sin_addr.s_addr;
            w->over = addr_count(w->addr, +1) > watch.per_ip_limit;
        }
        double now = mono_now();
        w->deadline = now + (w->over ? HTTP_OVER_HEAD_SECONDS : head_seconds());
        w->worker = worker_self(); /* the worker that accepted it serves it */
        w->busy_mark = w->worker ? worker_busy(w->worker, now) : 0;
        w->next = watch.head;
        if (watch.head) watch.head->prev = w;
        watch.head = w;
        watch.count++;
        *socket_context = w;
    } else if (*socket_context) { /* closed: MHD closes the socket only after this, so the reaper
                                     never touches a reused fd */
        Watch *w = *socket_context;
        if (w->prev)
            w->prev->next = w->next;
        else
            watch.head = w->next;
        if (w->next) w->next->prev = w->prev;
        watch.count--;
        if (w->addr) addr_count(w->addr, -1);
        free(w);
        *socket_context = NULL;
    }
    pthread_mutex_unlock(&watch.lock);
}

/* Every quarter second: shuts down the sockets past their deadline, moved on by the time their
 * worker was busy with other requests since it was set (MHD then sees the end of the stream and
 * closes the connection); says how many every minute at most. */
static void *reaper(void *arg) {
    (void)arg;
    double last_log = mono_now();
    unsigned long logged = 0;
    for (;;) {
        struct timespec tick = {0, 250 * 1000 * 1000};
        nanosleep(&tick, NULL);
        pthread_mutex_lock(&watch.lock);
        if (watch.stop) {
            pthread_mutex_unlock(&watch.lock);
            return NULL;
        }
        double now = mono_now();
        for (Watch *w = watch.head; w; w = w->next)
            if (w->deadline > 0 && now > w->deadline && w->fd >= 0 &&
                now > w->deadline + (w->worker ? worker_busy(w->worker, now) - w->busy_mark : 0)) {
                shutdown(w->fd, SHUT_RDWR);
                w->deadline = 0;
                watch.reaped++;
            }
        unsigned long reaped = watch.reaped;
        unsigned open = watch.count;
        pthread_mutex_unlock(&watch.lock);
        if (reaped != logged && now - last_log >= 60) {
            fprintf(stderr,
                    "spotcheck: 已关闭 %lu 个未在时限内发完请求的慢连接（当前连接 %u 个）\n",
                    reaped - logged, open);
            logged = reaped;
            last_log = now;
        }
    }
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value) {
    (void)kind;
    add_req_header(cls, key, value);
    return MHD_YES;
}

static void url_encode(Buf *b, const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            buf_putc(b, (char)c);
        } else {
            buf_putc(b, '%');
            buf_putc(b, hex[c >> 4]);
            buf_putc(b, hex[c & 15]);
        }
    }
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value) {
    (void)kind;
    Buf *b = cls;
    if (b->len) buf_putc(b, '&');
    url_encode(b, key);
    if (value) {
        buf_putc(b, '=');
        url_encode(b, value);
    }
    return MHD_YES;
}

/* 1 when addr is one of the comma-separated addresses of list. */
static int listed(const char *list, const char *addr) {
    size_t n = strlen(addr);
    for (const char *p = list; n && *p;) {
        p += strspn(p, " ,");
        size_t len = strcspn(p, " ,");
        if (len == n && !memcmp(p, addr, n)) return 1;
        p += len;
    }
    return 0;
}

int http_proxies_valid(const char *list) {
    if (!list) return 1;
    if (strlen(list) >= sizeof watch.trusted) return 0;
    for (const char *p = list + strspn(list, " ,"); *p; p += strspn(p, " ,")) {
        size_t len = strcspn(p, " ,");
        char a[INET_ADDRSTRLEN];
        struct in_addr in;
        if (len >= sizeof a) return 0;
        memcpy(a, p, len);
        a[len] = 0;
        if (inet_pton(AF_INET, a, &in) != 1) return 0;
        p += len;
    }
    return 1;
}

/* The client behind a trusted proxy: the last address of X-Forwarded-For (the one the proxy
 * appended; earlier ones are whatever the client sent) replaces req->remote when it is an address.
 */
static void forwarded_client(HttpRequest *req) {
    const char *xff = watch.trusted[0] ? http_header(req, "X-Forwarded-For") : NULL;
    if (!xff || !listed(watch.trusted, req->remote)) return;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    last += strspn(last, " \t");
    size_t len = strcspn(last, " \t");
    char a[INET6_ADDRSTRLEN];
    unsigned char bin[sizeof(struct in6_addr)];
    if (!len || len >= sizeof a) return;
    memcpy(a, last, len);
    a[len] = 0;
    if (inet_pton(AF_INET, a, bin) == 1 || inet_pton(AF_INET6, a, bin) == 1)
        snprintf(req->remote, sizeof req->remote, "%s", a);
}

static Conn *conn_new(struct MHD_Connection *c, const char *url, const char *method) {
    Conn *k = xcalloc(1, sizeof *k);
    gettimeofday(&k->start, NULL);
    buf_init(&k->body);
    k->req.method = xstrdup(method);
    k->req.path = xstrdup(url);
    MHD_get_connection_values(c, MHD_HEADER_KIND, collect_header, &k->req);
    Buf q;
    buf_init(&q);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &q);
    k->req.query = buf_steal(&q);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, k->req.remote,
                  sizeof k->req.remote);
    forwarded_client(&k->req);
    const char *ct = http_header(&k->req, "Content-Type");
    k->multipart = ct && !strncasecmp(ct, "multipart/form-data", 19);
    return k;
}

/* Appends body bytes: in memory up to HTTP_MAX_BODY, or to a temporary file for multipart
 * uploads up to HTTP_MAX_UPLOAD. Past the cap the rest is discarded and the request answered 413.
 */
static void conn_body(Conn *k, const char *data, size_t n) {
    if (k->req.body_too_large) return;
    if (k->multipart) {
        if (!k->upload) {
            char tmpl[] = "/tmp/spotcheck-upload-XXXXXX";
            int fd = mkstemp(tmpl);
            if (fd < 0 || !(k->upload = fdopen(fd, "w+b"))) {
                k->req.body_too_large = 1;
                return;
            }
            k->req.upload_path = xstrdup(tmpl);
        }
        if (k->req.upload_len + n > HTTP_MAX_UPLOAD || fwrite(data, 1, n, k->upload) != n) {
            k->req.body_too_large = 1;
            return;
        }
        k->req.upload_len += n;
        return;
    }
    if (k->body.len + n > HTTP_MAX_BODY) {
        k->req.body_too_large = 1;
        return;
    }
    buf_append(&k->body, data, n);
}

static void log_request(const Conn *k, int status, size_t bytes) {
    struct timeval now;
    gettimeofday(&now, NULL);
    long ms = (now.tv_sec - k->start.tv_sec) * 1000 + (now.tv_usec - k->start.tv_usec) / 1000;
    char ts[CLOCK_NOW_LEN + 1];
    clock_now(ts);
    char path[512]; /* control characters escaped, so a path cannot forge log lines */
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)k->req.path; *p && n + 5 < sizeof path;
         p++)
        n += (size_t)(*p < 0x20 || *p == 0x7f ? snprintf(path + n, 5, "\\x%02x", *p)
                                              : snprintf(path + n, 2, "%c", *p));
    path[n] = 0;
    fprintf(stderr, "%s %s \"%s %s\" %d %zu %ldms\n", ts, k->req.remote[0] ? k->req.remote : "-",
            k->req.method, path, status, bytes, ms);
}

static enum MHD_Result send_response(struct MHD_Connection *c, Conn *k, HttpResponse *res) {
    struct MHD_Response *r;
    size_t len;
    if (res->static_body) {
        len = res->static_len;
        r = MHD_create_response_from_buffer(len, (void *)res->static_body, MHD_RESPMEM_PERSISTENT);
    } else {
        len = res->body.len; /* the body is handed over, not copied */
        r = len ? MHD_create_response_from_buffer(len, buf_steal(&res->body), MHD_RESPMEM_MUST_FREE)
                : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    for (size_t i = 0; i < res->nheaders; i++)
        MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)res->status, r);
    MHD_destroy_response(r);
    log_request(k, res->status, len);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls) {
    (void)version;
    Server *srv = cls;
    Conn *k = *con_cls;
    if (!k) {
        *con_cls = k = conn_new(c, url, method);
        /* the head is in: the body gets its own time, an upload more at a modest rate */
        const char *cl = http_header(&k->req, "Content-Length");
        unsigned long long len = cl ? strtoull(cl, NULL, 10) : 0;
        watch_set(c, HTTP_BODY_SECONDS + (k->multipart ? (double)len / HTTP_UPLOAD_RATE : 0));
        Watch *w = watch_of(c);
        int over = w && w->over; /* set once at the start: read without the lock */
        int status = over ? 503 : srv->accept ? srv->accept(srv->app, &k->req) : 0;
        if (status) { /* answered before the body is read */
            HttpResponse res;
            http_response_init(&res);
            res.status = status;
            http_set_header(&res, "Content-Type", "text/plain; charset=utf-8");
            http_set_header(&res, "Connection", "close");
            if (over) http_set_header(&res, "Retry-After", "1");
            buf_puts(&res.body, over ? "来自您的地址的连接过多，请稍后重试\n"
                                : status == 413 ? "请求内容过大\n"
                                                : "请求被拒绝\n");
            enum MHD_Result ok = send_response(c, k, &res);
            http_response_free(&res);
            return ok;
        }
        return MHD_YES;
    }
    if (*upload_size) {
        conn_body(k, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (k->upload) {
        fclose(k->upload);
        k->upload = NULL;
    }
    k->req.body_len = k->body.len;
    k->req.body = buf_steal(&k->body);
    watch_set(c, WATCH_NONE); /* handled and answered at the server's pace: only the idle timeout */
    HttpResponse res;
    http_response_init(&res);
    if (k->req.body_too_large) {
        res.status = 413;
        http_set_header(&res, "Content-Type", "text/plain; charset=utf-8");
        buf_puts(&res.body, "请求内容过大\n");
    } else {
        worker_mark(1); /* the thread's other connections wait meanwhile: not their delay */
        srv->handler(srv->app, &k->req, &res);
        worker_mark(0);
    }
    enum MHD_Result ok = send_response(c, k, &res);
    http_response_free(&res);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)cls;
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        watch_set(c, WATCH_HEAD); /* kept alive: the next head in time */
    Conn *k = *con_cls;
    if (!k) return;
    if (k->upload) fclose(k->upload);
    http_request_free(&k->req);
    buf_free(&k->body);
    free(k);
    *con_cls = NULL;
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, char **err) {
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    const char *colon = strrchr(listen, ':');
    if (!colon) return set_err(err, "监听地址应为 ADDR:PORT，实为 %s", listen);
    char host[64];
    size_t hl = (size_t)(colon - listen);
    if (hl >= sizeof host) return set_err(err, "监听地址过长");
    memcpy(host, listen, hl);
    host[hl] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port <= 0 || port > 65535) return set_err(err, "端口无效: %s", colon + 1);
    sa->sin_port = htons((uint16_t)port);
    if (!*host || !strcmp(host, "localhost")) strcpy(host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) return set_err(err, "地址无效: %s", host);
    return 0;
}

int http_serve(const char *listen, const HttpOptions *opt, HttpHandler handler, HttpAccept accept,
               void *app, char **err) {
    struct sockaddr_in sa;
    if (parse_listen(listen, &sa, err) != 0) return -1;
    watch.per_ip_limit = opt && opt->per_ip_limit ? opt->per_ip_limit : HTTP_PER_IP_LIMIT;
    watch.head_seconds = opt && opt->head_seconds ? opt->head_seconds : HTTP_HEAD_SECONDS;
    if (!http_proxies_valid(opt ? opt->trusted_proxies : NULL))
        return set_err(err, "受信任的代理地址无效: %s", opt->trusted_proxies);
    snprintf(watch.trusted, sizeof watch.trusted, "%s",
             opt && opt->trusted_proxies ? opt->trusted_proxies : "");
    /* block the stop signals in every thread; the main thread waits for them below */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    Server srv = {handler, accept, app};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned workers = (unsigned)(cores > 0 ? cores * 4 : 8);
    workers = workers < 8 ? 8 : workers > HTTP_MAX_WORKERS ? HTTP_MAX_WORKERS : workers;
    if (opt && opt->workers) workers = opt->workers;
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, ntohs(sa.sin_port),
        NULL, NULL, on_request, &srv, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_THREAD_POOL_SIZE,
        workers, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_SECONDS,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONN_LIMIT, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)HTTP_CONN_MEMORY, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_END);
    if (!d) return set_err(err, "无法监听 %s（端口可能已被占用）", listen);
    pthread_t reaper_thread;
    int have_reaper = pthread_create(&reaper_thread, NULL, reaper, NULL) == 0;
    fprintf(stderr,
            "spotcheck: 正在监听 http://%s/（%u 个工作线程，最多 %u 个连接，每个地址 %u 个）\n",
            listen, workers, HTTP_CONN_LIMIT, watch.per_ip_limit);
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "spotcheck: 收到信号 %d，正在完成进行中的请求并退出\n", sig);
    if (have_reaper) {
        pthread_mutex_lock(&watch.lock);
        watch.stop = 1;
        pthread_mutex_unlock(&watch.lock);
        pthread_join(reaper_thread, NULL);
    }
    MHD_stop_daemon(d);
    return 0;
}

/* ---- test-http: one request from a FILE ---- */

static char *read_line(FILE *in) {
    Buf b;
    buf_init(&b);
    int c;
    while ((c = fgetc(in)) != EOF && c != '\n')
        buf_putc(&b, (char)c);
    if (c == EOF && b.len == 0) {
        buf_free(&b);
        return NULL;
    }
    if (b.len && b.data[b.len - 1] == '\r') b.data[--b.len] = 0;
    return buf_steal(&b);
}

static int hexv(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static char *url_decode_path(const char *s, size_t n) {
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexv(s[i + 1]) >= 0 && hexv(s[i + 2]) >= 0) {
            buf_putc(&b, (char)(hexv(s[i + 1]) * 16 + hexv(s[i + 2])));
            i += 2;
        } else {
            buf_putc(&b, s[i]);
        }
    }
    return buf_steal(&b);
}

int http_test_one(FILE *in, FILE *out, HttpHandler handler, HttpAccept accept, void *app) {
    HttpRequest req;
    memset(&req, 0, sizeof req);
    char *line = read_line(in);
    if (!line) return -1;
    char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1) {
        free(line);
        return -1;
    }
    *sp1 = 0;
    if (sp2) *sp2 = 0;
    req.method = xstrdup(line);
    char *target = sp1 + 1, *q = strchr(target, '?');
    req.path = url_decode_path(target, q ? (size_t)(q - target) : strlen(target));
    req.query = xstrdup(q ? q + 1 : "");
    free(line);
    strcpy(req.remote, "127.0.0.1");
    size_t content_length = 0;
    while ((line = read_line(in)) && *line) {
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = 0;
            char *v = colon + 1;
            while (*v == ' ')
                v++;
            add_req_header(&req, line, v);
            if (!strcasecmp(line, "Content-Length")) content_length = strtoul(v, NULL, 10);
        }
        free(line);
    }
    free(line);
    HttpResponse res;
    http_response_init(&res);
    const char *ct = http_header(&req, "Content-Type");
    int multipart = ct && !strncasecmp(ct, "multipart/form-data", 19);
    int early = accept ? accept(app, &req) : 0;
    if (early) {
        res.status = early;
    } else if (content_length > (multipart ? HTTP_MAX_UPLOAD : HTTP_MAX_BODY)) {
        req.body_too_large = 1;
        res.status = 413;
    } else {
        req.body = xmalloc(content_length + 1);
        req.body_len = fread(req.body, 1, content_length, in);
        req.body[req.body_len] = 0;
        if (multipart) { /* as the server does: the body goes to a temporary file */
            char tmpl[] = "/tmp/spotcheck-upload-XXXXXX";
            int fd = mkstemp(tmpl);
            if (fd >= 0) {
                FILE *f = fdopen(fd, "wb");
                fwrite(req.body, 1, req.body_len, f);
                fclose(f);
                req.upload_path = xstrdup(tmpl);
                req.upload_len = req.body_len;
                req.body_len = 0;
                req.body[0] = 0;
            }
        }
        handler(app, &req, &res);
    }
    fprintf(out, "HTTP/1.1 %d %s\r\n", res.status, status_text(res.status));
    for (size_t i = 0; i < res.nheaders; i++)
        fprintf(out, "%s: %s\r\n", res.headers[i].name, res.headers[i].value);
    fputs("\r\n", out);
    if (res.status !=
        304) { /* as the server sends it: a 304 has no body (its length is the 200's) */
        if (res.static_body)
            fwrite(res.static_body, 1, res.static_len, out);
        else
            fwrite(res.body.data ? res.body.data : "", 1, res.body.len, out);
    }
    http_response_free(&res);
    http_request_free(&req);
    return 0;
}
