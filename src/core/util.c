/* util.c - allocation wrappers, Buf, string and date helpers. See util.h. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void util_assert_fail(const char *expr, const char *file, int line) {
    fprintf(stderr, "assertion failed: %s (%s:%d)\n", expr, file, line);
    abort();
}

static void *oom(void) {
    fputs("out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    return p ? p : oom();
}

void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size ? size : 1);
    return p ? p : oom();
}

void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    return q ? q : oom();
}

char *xstrdup(const char *s) {
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n) {
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *xvasprintf(const char *fmt, va_list ap) {
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    ASSERT(n >= 0);
    char *p = xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *xasprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *p = xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

int set_err(char **err, const char *fmt, ...) {
    if (!err) return -1;
    free(*err);
    va_list ap;
    va_start(ap, fmt);
    *err = xvasprintf(fmt, ap);
    va_end(ap);
    return -1;
}

void buf_init(Buf *b) {
    memset(b, 0, sizeof *b);
}

void buf_free(Buf *b) {
    free(b->data);
    buf_init(b);
}

void buf_reset(Buf *b) {
    b->len = 0;
    if (b->data) b->data[0] = 0;
}

void buf_reserve(Buf *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void buf_append(Buf *b, const void *p, size_t n) {
    buf_reserve(b, n);
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

void buf_puts(Buf *b, const char *s) {
    buf_append(b, s, strlen(s));
}

void buf_putc(Buf *b, char c) {
    buf_append(b, &c, 1);
}

void buf_vprintf(Buf *b, const char *fmt, va_list ap) {
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    ASSERT(n >= 0);
    buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_printf(Buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *buf_steal(Buf *b) {
    char *p = b->data ? b->data : xstrdup("");
    buf_init(b);
    return p;
}

int str_eq(const char *a, const char *b) {
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

int str_empty(const char *s) {
    return !s || !*s;
}

int str_starts(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* U+3000 IDEOGRAPHIC SPACE is what Chinese input methods type as a "full-width space". */
static size_t space_len(const char *s) {
    if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') return 1;
    if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
        return 3;
    return 0;
}

char *str_trim(char *s) {
    size_t k;
    char *p = s;
    while ((k = space_len(p)) > 0)
        p += k;
    size_t n = strlen(p);
    memmove(s, p, n + 1);
    while (n > 0) {
        if (isspace((unsigned char)s[n - 1])) {
            n--;
        } else if (n >= 3 && (unsigned char)s[n - 3] == 0xE3 && (unsigned char)s[n - 2] == 0x80 &&
                   (unsigned char)s[n - 1] == 0x80) {
            n -= 3;
        } else {
            break;
        }
    }
    s[n] = 0;
    return s;
}

size_t utf8_len(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

int utf8_valid(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    while (p < e) {
        unsigned c = *p;
        if (c < 0x80) {
            p++;
            continue;
        }
        size_t k;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if ((size_t)(e - p) <= k) return 0;
        for (size_t i = 1; i <= k; i++) {
            if ((p[i] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
        if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
        p += k + 1;
    }
    return 1;
}

int date_valid(const char *s) {
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) return 0;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1) return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

int date_days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void date_civil_from_days(int z, int *y, int *m, int *d) {
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

char *file_read_all(const char *path, size_t *len, char **err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, "无法打开文件 %s: %s", path, strerror(errno));
        return NULL;
    }
    Buf b;
    buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        buf_free(&b);
        set_err(err, "读取文件 %s 失败", path);
        return NULL;
    }
    if (len) *len = b.len;
    return buf_steal(&b);
}

int str_formula_like(const char *s) {
    return s && *s && strchr("=+-@\t\r", *s) != NULL;
}

/* Whether s is apostrophes then a formula-like rest: the values str_cell_export changes. */
static int quoted_formula_like(const char *s) {
    if (!s) return 0;
    while (*s == '\'')
        s++;
    return str_formula_like(s);
}

char *str_cell_export(const char *s, int csv) {
    return quoted_formula_like(s) && (csv || *s == '\'') ? xasprintf("'%s", s) : NULL;
}

const char *str_cell_import(const char *s) {
    return s && *s == '\'' && quoted_formula_like(s) ? s + 1 : s;
}

/* The length of the valid UTF-8 character at p (at most n bytes), or 0. */
static size_t utf8_char_len(const char *p, size_t n) {
    unsigned c = (unsigned char)*p;
    size_t k = c < 0x80                 ? 1
               : c >= 0xC2 && c <= 0xDF ? 2
               : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4
                                        : 0;
    return k && k <= n && utf8_valid(p, k) ? k : 0;
}

char *text_to_utf8(const char *s, size_t n) {
    if (utf8_valid(s, n) && !memchr(s, 0, n)) return xstrndup(s, n);
    if (!memchr(s, 0, n)) { /* a strict GB18030 reading, whole or nothing */
        iconv_t cd = iconv_open("UTF-8", "GB18030");
        if (cd != (iconv_t)-1) {
            size_t cap = n * 4 + 1, inleft = n, outleft = cap - 1;
            char *out = xmalloc(cap), *in = (char *)s, *o = out;
            size_t rc = iconv(cd, &in, &inleft, &o, &outleft);
            iconv_close(cd);
            if (rc != (size_t)-1 && inleft == 0) {
                *o = 0;
                if (utf8_valid(out, (size_t)(o - out))) return out;
            }
            free(out);
        }
    }
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < n;) {
        size_t k = s[i] ? utf8_char_len(s + i, n - i) : 0;
        if (k)
            buf_append(&b, s + i, k), i += k;
        else
            buf_puts(&b, "\xEF\xBF\xBD"), i++;
    }
    return buf_steal(&b);
}

long long str_id(const char *s) {
    size_t n = s ? strspn(s, "0123456789") : 0;
    if (n == 0 || n > 18 || s[n]) return 0;
    return atoll(s);
}

uint64_t str_fnv1a(const char *s) {
    uint64_t h = 1469598103934665603u;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    return h;
}
