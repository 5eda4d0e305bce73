/* gzip.c - gzip Content-Encoding (see gzip.h). */
#include "gzip.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* The q-value of one Accept-Encoding member "name;q=0.5" from p (its parameters up to ',' or the
 * end): 1 when absent. */
static double qvalue(const char *p, const char *end) {
    for (const char *s = p; s < end; s++) {
        if (*s != ';') continue;
        s++;
        while (s < end && (*s == ' ' || *s == '\t'))
            s++;
        if (s + 1 < end && (s[0] == 'q' || s[0] == 'Q') && s[1] == '=') return atof(s + 2);
    }
    return 1;
}

int gzip_accepted(const HttpRequest *req) {
    const char *h = http_header(req, "Accept-Encoding");
    double gz = -1, star = -1;
    while (h && *h) {
        while (*h == ' ' || *h == '\t' || *h == ',')
            h++;
        const char *end = strchr(h, ','), *name_end = h;
        if (!end) end = h + strlen(h);
        while (name_end < end && *name_end != ';' && !isspace((unsigned char)*name_end))
            name_end++;
        size_t n = (size_t)(name_end - h);
        if ((n == 4 && !strncasecmp(h, "gzip", 4)) || (n == 6 && !strncasecmp(h, "x-gzip", 6)))
            gz = qvalue(name_end, end);
        else if (n == 1 && *h == '*')
            star = qvalue(name_end, end);
        h = end;
    }
    return gz >= 0 ? gz > 0 : star > 0;
}

int gzip_worth(const char *content_type, size_t len) {
    if (!content_type || len < GZIP_MIN_BYTES) return 0;
    return !strncasecmp(content_type, "text/", 5) ||
           !strncasecmp(content_type, "application/json", 16) ||
           !strncasecmp(content_type, "application/javascript", 22) ||
           !strncasecmp(content_type, "image/svg+xml", 13);
}

int gzip_compress(const void *p, size_t n, int level, Buf *out) {
    buf_reset(out);
    z_stream z;
    memset(&z, 0, sizeof z);
    /* 15 + 16: a gzip header and trailer around the deflate stream */
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
    uLong bound = deflateBound(&z, (uLong)n);
    buf_reserve(out, (size_t)bound + 1);
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out->data;
    z.avail_out = (uInt)bound;
    int rc = deflate(&z, Z_FINISH);
    size_t produced = (size_t)z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        buf_reset(out);
        return -1;
    }
    out->len = produced;
    out->data[produced] = 0;
    return 0;
}

/* The value of response header `name`, or NULL. */
static const char *res_header(const HttpResponse *res, const char *name) {
    for (size_t i = 0; i < res->nheaders; i++)
        if (!strcasecmp(res->headers[i].name, name)) return res->headers[i].value;
    return NULL;
}

void gzip_response(const HttpRequest *req, HttpResponse *res) {
    const void *body = res->static_body ? res->static_body : res->body.data;
    size_t len = res->static_body ? res->static_len : res->body.len;
    if (res->file_path || res_header(res, "Content-Encoding") ||
        !gzip_worth(res_header(res, "Content-Type"), len))
        return;
    http_set_header(res, "Vary", "Accept-Encoding");
    if (res->status == 204 || res->status == 304 || !gzip_accepted(req)) return;
    Buf gz;
    buf_init(&gz);
    if (gzip_compress(body, len, GZIP_LEVEL_DYNAMIC, &gz) != 0 || gz.len >= len) {
        buf_free(&gz);
        return;
    }
    buf_free(&res->body);
    res->body = gz;
    res->static_body = NULL;
    res->static_len = 0;
    http_set_header(res, "Content-Encoding", "gzip");
}
