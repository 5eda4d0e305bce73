/* multipart.c - see multipart.h. Parses only what the upload forms need: Content-Disposition's
 * name and filename, and the part body up to the next boundary. Never trusts the declared
 * Content-Type of a part: callers check file content themselves. */
#include "multipart.h"

#include "../core/util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct Part {
    const char *name, *filename; /* pointers into the header, not terminated */
    size_t name_len, filename_len;
    const char *data;
    size_t len;
} Part;

static char *boundary_of(HttpRequest *req) {
    const char *ct = http_header(req, "Content-Type");
    if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0) return NULL;
    const char *b = strcasestr(ct, "boundary=");
    if (!b) return NULL;
    b += 9;
    size_t n = strcspn(b, "; ");
    if (*b == '"') {
        b++;
        n = strcspn(b, "\"");
    }
    if (n == 0 || n > 200) return NULL;
    char *out = xmalloc(n + 5);
    memcpy(out, "\r\n--", 4);
    memcpy(out + 4, b, n);
    out[n + 4] = 0;
    return out;
}

static const char *header_param(const char *h, size_t hl, const char *key, size_t *len) {
    size_t kl = strlen(key);
    for (const char *p = h; p + kl < h + hl; p++) {
        if (!strncasecmp(p, key, kl) && (p == h || p[-1] == ' ' || p[-1] == ';')) {
            const char *v = p + kl;
            const char *e = memchr(v, '"', (size_t)(h + hl - v));
            if (!e) return NULL;
            *len = (size_t)(e - v);
            return v;
        }
    }
    return NULL;
}

/* Calls fn for each part until it returns nonzero; returns that value or 0. */
static int each_part(HttpRequest *req, int (*fn)(const Part *, void *), void *arg) {
    if (!req->upload_path) return 0;
    char *bnd = boundary_of(req);
    if (!bnd) return 0;
    int fd = open(req->upload_path, O_RDONLY);
    if (fd < 0 || req->upload_len == 0) {
        if (fd >= 0) close(fd);
        free(bnd);
        return 0;
    }
    size_t n = req->upload_len;
    char *map = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        free(bnd);
        return 0;
    }
    size_t bl = strlen(bnd);
    int rc = 0;
    /* the first boundary has no leading CRLF */
    const char *p = memmem(map, n, bnd + 2, bl - 2);
    while (p && !rc) {
        p += bl - 2;
        if ((size_t)(map + n - p) < 2 || !memcmp(p, "--", 2)) break;
        p += 2; /* CRLF */
        const char *hend = memmem(p, (size_t)(map + n - p), "\r\n\r\n", 4);
        if (!hend) break;
        const char *body = hend + 4;
        const char *next = memmem(body, (size_t)(map + n - body), bnd, bl);
        if (!next) break;
        Part part = {0};
        part.name = header_param(p, (size_t)(hend - p), "name=\"", &part.name_len);
        part.filename = header_param(p, (size_t)(hend - p), "filename=\"", &part.filename_len);
        part.data = body;
        part.len = (size_t)(next - body);
        if (part.name) rc = fn(&part, arg);
        p = next + 2;
    }
    munmap(map, n);
    free(bnd);
    return rc;
}

typedef struct Want {
    const char *name;
    int file;
    char *value;
    char **path, **filename;
    size_t *size;
} Want;

static int take(const Part *part, void *arg) {
    Want *w = arg;
    if (part->name_len != strlen(w->name) || memcmp(part->name, w->name, part->name_len)) return 0;
    if (!w->file) {
        if (part->filename || part->len > 65536) return 0;
        w->value = xstrndup(part->data, part->len);
        return 1;
    }
    if (!part->filename) return 0;
    char tmpl[] = "/tmp/spotcheck-file-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) return -1;
    size_t off = 0;
    while (off < part->len) {
        ssize_t k = write(fd, part->data + off, part->len - off);
        if (k <= 0) {
            close(fd);
            unlink(tmpl);
            return -1;
        }
        off += (size_t)k;
    }
    close(fd);
    *w->path = xstrdup(tmpl);
    /* a name in any encoding is kept readable: valid UTF-8 as is, GB18030 converted, other bytes as
     * U+FFFD */
    *w->filename = text_to_utf8(part->filename, part->filename_len);
    *w->size = part->len;
    return 1;
}

char *multipart_field(HttpRequest *req, const char *name) {
    Want w = {.name = name};
    each_part(req, take, &w);
    return w.value;
}

int multipart_file(HttpRequest *req, const char *name, char **path, char **filename, size_t *size) {
    Want w = {.name = name, .file = 1, .path = path, .filename = filename, .size = size};
    return each_part(req, take, &w) == 1 ? 0 : -1;
}
