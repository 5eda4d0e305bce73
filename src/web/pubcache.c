/* pubcache.c - validators, 304s and the in-process cache of public pages (see pubcache.h).
 *
 * The table: entries chained in PUBCACHE_BUCKETS buckets by a hash of the URL, one entry per URL
 * (a newer version or day replaces it), and a list in order of last use; storing past the byte
 * bound drops the least recently used entries. */
#include "pubcache.h"

#include "../core/clock.h"
#include "../core/util.h"
#include "gzip.h"

#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define PUBCACHE_BUCKETS 1024

typedef struct Entry {
    char *url;
    uint64_t hash;
    int64_t version;
    char day[11];
    HttpHeader *headers; /* the handler's headers (Content-Type, Content-Disposition…) */
    size_t nheaders;
    Buf body, gz; /* gz empty when not worth compressing */
    size_t bytes;
    struct Entry *chain;       /* next in the bucket */
    struct Entry *prev, *next; /* the use list: head most recent */
} Entry;

struct PubCache {
    pthread_mutex_t lock;
    size_t max_bytes, bytes;
    Entry *buckets[PUBCACHE_BUCKETS];
    Entry *head, *tail;
    long long started;   /* wall clock at creation: the binary's pages are no older */
    char day[11];        /* the day day_start belongs to */
    long long day_start; /* its midnight, wall clock */
};

/* ---- validators ---- */

static char build_id[17];

/* The GNU build id of the running program (8 bytes as hex), which changes with every build. */
static int find_build_id(struct dl_phdr_info *info, size_t size, void *arg) {
    (void)size;
    (void)arg;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE) continue;
        const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr),
                            *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)(const void *)p;
            const unsigned char *name = p + sizeof *nh,
                                *desc = name + ((nh->n_namesz + 3) & ~(ElfW(Word))3);
            if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && !memcmp(name, "GNU", 4) &&
                nh->n_descsz >= 8) {
                for (int k = 0; k < 8; k++)
                    snprintf(build_id + 2 * k, 3, "%02x", desc[k]);
                return 1;
            }
            p = desc + ((nh->n_descsz + 3) & ~(ElfW(Word))3);
        }
    }
    return 1; /* only the program itself, the first object listed */
}

static void build_id_init(void) {
    dl_iterate_phdr(find_build_id, NULL);
    if (!build_id[0]) /* linked without a build id: the start of this process */
        snprintf(build_id, sizeof build_id, "s%llx", (unsigned long long)clock_wall_epoch());
}

static const char *build(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, build_id_init);
    return build_id;
}

/* RFC 9110 IMF-fixdate, written and read without the locale. */
static const char *const wday[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static void http_date(long long t, char out[40]) {
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d GMT", wday[tm.tm_wday], tm.tm_mday,
             mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Reads "Sun, 06 Nov 1994 08:49:37 GMT"; 1 and *t, or 0. */
static int parse_http_date(const char *s, long long *t) {
    char wd[4], mo[4];
    int d, y, h, mi, se;
    if (sscanf(s, "%3s, %d %3s %d %d:%d:%d GMT", wd, &d, mo, &y, &h, &mi, &se) != 7) return 0;
    int m = -1;
    for (int i = 0; i < 12; i++)
        if (!strcmp(mo, mon[i])) m = i;
    if (m < 0 || d < 1 || d > 31 || y < 1970 || h > 23 || mi > 59 || se > 60) return 0;
    struct tm tm = {
        .tm_year = y - 1900, .tm_mon = m, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = se};
    *t = (long long)timegm(&tm);
    return 1;
}

typedef struct Validators {
    char etag[64];
    char last_modified[40];
    long long lm;
} Validators;

/* Midnight of `today` on the wall clock, computed once per day (under the lock). */
static long long day_start(PubCache *c, const char *today) {
    if (strcmp(c->day, today) != 0) {
        char now[CLOCK_NOW_LEN + 1];
        clock_now(now);
        int h = atoi(now + 11), m = atoi(now + 14), s = atoi(now + 17);
        c->day_start = clock_wall_epoch() - (h * 3600 + m * 60 + s);
        snprintf(c->day, sizeof c->day, "%s", today);
    }
    return c->day_start;
}

/* Called with the lock held. */
static void validators(PubCache *c, const PublicVersion *v, const char *today, Validators *out) {
    snprintf(out->etag, sizeof out->etag, "W/\"%s-%llx-%s\"", build(),
             (unsigned long long)v->version, today);
    long long lm = v->changed_epoch, ds = day_start(c, today);
    if (c->started > lm) lm = c->started;
    if (ds > lm) lm = ds;
    out->lm = lm;
    http_date(lm, out->last_modified);
}

/* 1 when the entity tag `tag` (W/ or not) is listed in the If-None-Match value (or it is "*"):
 * the weak comparison, which is the one If-None-Match uses. */
static int etag_listed(const char *list, const char *tag) {
    if (!strncmp(tag, "W/", 2)) tag += 2;
    size_t n = strlen(tag);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*') return 1;
        if (!strncmp(p, "W/", 2)) p += 2;
        if (!strncmp(p, tag, n) && (p[n] == 0 || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
            return 1;
        while (*p && *p != ',')
            p++;
    }
    return 0;
}

static int not_modified(const HttpRequest *req, const Validators *val) {
    const char *inm = http_header(req, "If-None-Match");
    if (inm) return etag_listed(inm, val->etag);
    const char *ims = http_header(req, "If-Modified-Since");
    long long t;
    return ims && parse_http_date(ims, &t) && val->lm <= t;
}

/* The validators and caching headers of a public page; a 304 when the request's match. */
static void answer_validated(const HttpRequest *req, const Validators *val, HttpResponse *res) {
    http_set_header(res, "ETag", val->etag);
    http_set_header(res, "Last-Modified", val->last_modified);
    http_set_header(res, "Cache-Control", "no-cache"); /* kept, but asked again each time */
    if (!not_modified(req, val)) return;
    res->status = 304; /* the body stays: its length is the Content-Length, no byte is sent */
}

/* ---- the table ---- */

static char *url_of(const HttpRequest *req) {
    return req->query && *req->query ? xasprintf("%s?%s", req->path, req->query)
                                     : xstrdup(req->path);
}

PubCache *pubcache_new(size_t max_bytes) {
    PubCache *c = xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->max_bytes = max_bytes;
    c->started = clock_wall_epoch();
    return c;
}

static void entry_free(Entry *e) {
    free(e->url);
    for (size_t i = 0; i < e->nheaders; i++) {
        free(e->headers[i].name);
        free(e->headers[i].value);
    }
    free(e->headers);
    buf_free(&e->body);
    buf_free(&e->gz);
    free(e);
}

void pubcache_free(PubCache *c) {
    if (!c) return;
    for (Entry *e = c->head, *next; e; e = next) {
        next = e->next;
        entry_free(e);
    }
    pthread_mutex_destroy(&c->lock);
    free(c);
}

int pubcache_eligible(const HttpRequest *req) {
    if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) return 0;
    if (strncmp(req->path, "/public/", 8)) return 0;
    const char *cookie = http_header(req, "Cookie");
    return !cookie || !strstr(cookie, "sc_session=");
}

static Entry **bucket_of(PubCache *c, uint64_t h) {
    return &c->buckets[h % PUBCACHE_BUCKETS];
}

static Entry *find(PubCache *c, const char *url, uint64_t h) {
    for (Entry *e = *bucket_of(c, h); e; e = e->chain)
        if (e->hash == h && !strcmp(e->url, url)) return e;
    return NULL;
}

/* Takes e out of the table (not freed). */
static void unlink_entry(PubCache *c, Entry *e) {
    Entry **p = bucket_of(c, e->hash);
    while (*p != e)
        p = &(*p)->chain;
    *p = e->chain;
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    c->bytes -= e->bytes;
}

static void push_front(PubCache *c, Entry *e) {
    e->prev = NULL;
    e->next = c->head;
    if (c->head) c->head->prev = e;
    c->head = e;
    if (!c->tail) c->tail = e;
}

/* Sets res's body to e's, gzip when the client takes it and e has it. */
static void send_entry(const HttpRequest *req, const Entry *e, HttpResponse *res) {
    for (size_t i = 0; i < e->nheaders; i++)
        http_set_header(res, e->headers[i].name, e->headers[i].value);
    buf_reset(&res->body);
    res->static_body = NULL;
    res->static_len = 0;
    const Buf *b = &e->body;
    if (e->gz.len) {
        http_set_header(res, "Vary", "Accept-Encoding");
        if (gzip_accepted(req)) {
            b = &e->gz;
            http_set_header(res, "Content-Encoding", "gzip");
        }
    }
    buf_append(&res->body, b->data, b->len);
}

int pubcache_answer(PubCache *c, const HttpRequest *req, const PublicVersion *v, const char *today,
                    HttpResponse *res) {
    char *url = url_of(req);
    uint64_t h = str_fnv1a(url);
    pthread_mutex_lock(&c->lock);
    Entry *e = find(c, url, h);
    free(url);
    if (!e || e->version != v->version || strcmp(e->day, today) != 0) {
        pthread_mutex_unlock(&c->lock);
        return 0;
    }
    if (c->head != e) { /* most recently used first */
        e->prev->next = e->next;
        if (e->next)
            e->next->prev = e->prev;
        else
            c->tail = e->prev;
        push_front(c, e);
    }
    Validators val;
    validators(c, v, today, &val);
    res->status = 200;
    send_entry(req, e, res);
    pthread_mutex_unlock(&c->lock);
    answer_validated(req, &val, res);
    return 1;
}

/* 1 when res carries a header named name. */
static int has_header(const HttpResponse *res, const char *name) {
    for (size_t i = 0; i < res->nheaders; i++)
        if (!strcasecmp(res->headers[i].name, name)) return 1;
    return 0;
}

/* A new entry holding res (its body compressed too when worth it). */
static Entry *entry_of(const char *url, const PublicVersion *v, const char *today,
                       const HttpResponse *res) {
    Entry *e = xcalloc(1, sizeof *e);
    e->url = xstrdup(url);
    e->hash = str_fnv1a(url);
    e->version = v->version;
    snprintf(e->day, sizeof e->day, "%s", today);
    e->headers = xcalloc(res->nheaders ? res->nheaders : 1, sizeof *e->headers);
    const char *ct = NULL;
    for (size_t i = 0; i < res->nheaders; i++) {
        e->headers[e->nheaders].name = xstrdup(res->headers[i].name);
        e->headers[e->nheaders].value = xstrdup(res->headers[i].value);
        if (!strcasecmp(res->headers[i].name, "Content-Type")) ct = res->headers[i].value;
        e->nheaders++;
    }
    buf_init(&e->body);
    buf_init(&e->gz);
    const char *data = res->static_body ? res->static_body : res->body.data;
    size_t len = res->static_body ? res->static_len : res->body.len;
    buf_append(&e->body, data ? data : "", len);
    if (gzip_worth(ct, len) &&
        (gzip_compress(data, len, GZIP_LEVEL_STORED, &e->gz) != 0 || e->gz.len >= len))
        buf_reset(&e->gz); /* sent plain */
    e->bytes = sizeof *e + strlen(url) + e->body.len + e->gz.len + 64 * e->nheaders;
    return e;
}

void pubcache_finish(PubCache *c, const HttpRequest *req, const PublicVersion *v, const char *today,
                     int keep, HttpResponse *res) {
    if (res->status != 200 || res->file_path) return;
    size_t len = res->static_body ? res->static_len : res->body.len;
    keep = keep && c->max_bytes && len <= PUBCACHE_ENTRY_BYTES && !has_header(res, "Set-Cookie") &&
           !has_header(res, "Content-Encoding");
    Validators val;
    if (keep) {
        char *url = url_of(req);
        Entry *e = entry_of(url, v, today, res), *old;
        free(url);
        pthread_mutex_lock(&c->lock);
        if ((old = find(c, e->url, e->hash))) {
            unlink_entry(c, old);
            entry_free(old);
        }
        while (c->tail && c->bytes + e->bytes > c->max_bytes) {
            old = c->tail;
            unlink_entry(c, old);
            entry_free(old);
        }
        if (e->bytes <= c->max_bytes) {
            Entry **b = bucket_of(c, e->hash);
            e->chain = *b;
            *b = e;
            push_front(c, e);
            c->bytes += e->bytes;
        }
        validators(c, v, today, &val);
        send_entry(req, e, res); /* the same bytes a hit sends, gzip included */
        if (e->bytes > c->max_bytes) entry_free(e);
        pthread_mutex_unlock(&c->lock);
    } else {
        pthread_mutex_lock(&c->lock);
        validators(c, v, today, &val);
        pthread_mutex_unlock(&c->lock);
    }
    answer_validated(req, &val, res);
}
