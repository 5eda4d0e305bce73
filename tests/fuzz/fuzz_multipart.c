/* fuzz_multipart.c - libFuzzer target for the multipart/form-data parser (src/web/multipart.c).
 *
 * Input: the first line (up to '\n', at most 300 bytes) is the request's Content-Type header, so
 * the boundary parameter (quoted or not) is fuzzed too; the rest is the body. An input without
 * such a line is a body under a fixed "multipart/form-data; boundary=XyZ". The request is built
 * the way http.c builds an upload (http_test_one): headers in an HttpRequest, the body in a
 * temporary file named by upload_path, freed with http_request_free.
 *
 * For a few field names (fixed ones plus the first names the body declares) it calls
 * multipart_field and multipart_file and checks what multipart.h promises:
 *   - a field is a NUL-terminated string of at most 64 KiB that occurs in the body, and only
 *     for a name the body declares (name="..."; the parameter name in any case);
 *   - a file part is copied to a new temporary file holding exactly *size bytes, which occur in
 *     the body; *size <= the body's length; the filename occurs in the body;
 *   - when multipart_file returns -1 it leaves *path and *filename alone (no file to clean up);
 *   - http_request_free removes the upload file.
 * Leaks are caught by LeakSanitizer (libFuzzer) and by ASan in the replay build.
 * Built by scripts/fuzz.sh and replayed over the saved corpus by tests/fuzz/replay.c. */
#include "core/util.h"
#include "web/http.h"
#include "web/multipart.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIELD_MAX 65536 /* multipart.h: field values are capped at 64 KiB */
#define MAX_NAMES 6

static int in_body(const uint8_t *body, size_t blen, const void *s, size_t n) {
    return n == 0 || (n <= blen && memmem(body, blen, s, n) != NULL);
}

/* Collects the names after the first `name="` occurrences of the body (what a form declares),
 * so the checks reach parts whose names the fuzzer invented. */
static size_t body_names(const uint8_t *body, size_t blen, char **names, size_t max) {
    size_t k = 0;
    const uint8_t *p = body, *end = body + blen;
    while (k < max && p < end) {
        const uint8_t *hit = memmem(p, (size_t)(end - p), "name=\"", 6);
        if (!hit) break;
        const uint8_t *v = hit + 6;
        const uint8_t *q = memchr(v, '"', (size_t)(end - v));
        if (!q) break;
        if (q - v <= 64) names[k++] = xstrndup((const char *)v, (size_t)(q - v));
        p = q + 1;
    }
    return k;
}

/* 1 when the body holds name="NAME" with the parameter name in any case (the parser matches
 * it case-insensitively, as parameter names are) and the value exactly. */
static int declares(const uint8_t *body, size_t blen, const char *name) {
    char needle[80];
    snprintf(needle, sizeof needle, "=\"%s\"", name);
    size_t nl = strlen(needle);
    for (const uint8_t *p = body, *end = body + blen;
         (p = memmem(p, (size_t)(end - p), needle, nl)) != NULL; p++)
        if (p - body >= 4 && !strncasecmp((const char *)p - 4, "name", 4)) return 1;
    return 0;
}

static void check_name(HttpRequest *req, const uint8_t *body, size_t blen, const char *name) {
    int declared = declares(body, blen, name);

    char *v = multipart_field(req, name);
    if (v) {
        size_t n = strlen(v);
        ASSERT(n <= FIELD_MAX);
        ASSERT(declared);
        ASSERT(in_body(body, blen, v, n));
        free(v);
    }

    char *path = NULL, *filename = NULL;
    size_t fsize = (size_t)-1;
    int rc = multipart_file(req, name, &path, &filename, &fsize);
    if (rc != 0) {
        ASSERT(rc == -1);
        ASSERT(!path && !filename); /* nothing created, nothing to clean up */
        return;
    }
    ASSERT(declared);
    ASSERT(path && filename);
    ASSERT(fsize <= blen);
    /* the name is always readable UTF-8 (util.h text_to_utf8); when it came as UTF-8 it is as sent
     */
    ASSERT(utf8_valid(filename, strlen(filename)));
    ASSERT(in_body(body, blen, filename, strlen(filename)) || strstr(filename, "\xEF\xBF\xBD") ||
           !utf8_valid((const char *)body, blen));
    struct stat st;
    ASSERT(stat(path, &st) == 0 && (size_t)st.st_size == fsize);
    if (fsize) {
        uint8_t *copy = xmalloc(fsize);
        FILE *f = fopen(path, "rb");
        ASSERT(f);
        ASSERT(fread(copy, 1, fsize, f) == fsize);
        fclose(f);
        ASSERT(in_body(body, blen, copy, fsize));
        free(copy);
    }
    ASSERT(unlink(path) == 0); /* the caller's job, per multipart.h */
    free(path);
    free(filename);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *ctype = "multipart/form-data; boundary=XyZ";
    char *ct_owned = NULL;
    const uint8_t *body = data;
    size_t blen = size;
    const uint8_t *nl = memchr(data, '\n', size < 300 ? size : 300);
    if (nl && size >= 19 && !memcmp(data, "multipart/form-data", 19)) {
        size_t hl = (size_t)(nl - data);
        if (hl && data[hl - 1] == '\r') hl--;
        ct_owned = xstrndup((const char *)data, hl); /* a NUL inside ends the header, as in C */
        ctype = ct_owned;
        body = nl + 1;
        blen = size - (size_t)(body - data);
    }

    HttpRequest req;
    memset(&req, 0, sizeof req);
    req.method = xstrdup("POST");
    req.path = xstrdup("/upload");
    req.query = xstrdup("");
    req.headers[0].name = xstrdup("Content-Type");
    req.headers[0].value = xstrdup(ctype);
    req.nheaders = 1;
    req.body = xstrdup(""); /* as http_test_one leaves it: the body went to the file */
    /* the upload file, as http.c writes it */
    char tmpl[] = "/tmp/spotcheck-upload-XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    ASSERT(f);
    ASSERT(fwrite(body, 1, blen, f) == blen);
    ASSERT(fclose(f) == 0);
    req.upload_path = xstrdup(tmpl);
    req.upload_len = blen;

    static const char *const fixed[] = {"file", "csrf", "name", ""};
    for (size_t i = 0; i < ARRAY_LEN(fixed); i++)
        check_name(&req, body, blen, fixed[i]);
    char *names[MAX_NAMES];
    size_t k = body_names(body, blen, names, MAX_NAMES);
    for (size_t i = 0; i < k; i++) {
        check_name(&req, body, blen, names[i]);
        free(names[i]);
    }

    http_request_free(&req);
    ASSERT(access(tmpl, F_OK) != 0); /* the upload file is gone */
    free(ct_owned);
    return 0;
}
