/* refdata.c - the TAB-separated reference-data format of the data/ files (*.tsv). See refdata.h.
 *
 * Invariants: every row of a returned table has exactly ncols fields, each an owned,
 * NUL-terminated, trimmed string; rows keep the order and line numbers of the text. Input that
 * is not valid UTF-8, contains NUL bytes, lacks the header or has rows of the wrong width is
 * rejected as a whole, with every bad line reported.
 *
 * Pure: no I/O, no globals. Called by calendar.c (data/holidays.tsv) and by whatever loads the
 * other data/ files into the database. */
#include "refdata.h"

#include "../core/util.h"

#include <stdlib.h>
#include <string.h>

#define MAX_REPORTED 20

typedef struct Errs {
    Buf b;
    int n;
} Errs;

static void errs_add(Errs *e, int line, const char *msg) {
    e->n++;
    if (e->n > MAX_REPORTED) {
        if (e->n == MAX_REPORTED + 1) buf_puts(&e->b, "\n……");
        return;
    }
    if (e->b.len) buf_putc(&e->b, '\n');
    buf_printf(&e->b, "第%d行: %s", line, msg);
}

/* Splits one line (without its terminator) at TABs into trimmed, owned fields. */
static char **split_fields(const char *p, size_t n, size_t *nfields) {
    size_t count = 1;
    for (size_t i = 0; i < n; i++)
        if (p[i] == '\t') count++;
    char **f = xcalloc(count, sizeof *f);
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == '\t') {
            f[k] = xstrndup(p + start, i - start);
            str_trim(f[k]);
            k++;
            start = i + 1;
        }
    }
    *nfields = count;
    return f;
}

static void free_fields(char **f, size_t n) {
    if (!f) return;
    for (size_t i = 0; i < n; i++)
        free(f[i]);
    free(f);
}

void refdata_free(RefTable *t) {
    if (!t) return;
    for (size_t i = 0; i < t->nrows; i++)
        free_fields(t->rows[i].field, t->ncols);
    free(t->rows);
    free_fields(t->cols, t->ncols);
    free(t);
}

/* 1 when the line holds only blanks (ASCII white space, U+3000) or starts with '#'. */
static int skippable(const char *p, size_t n) {
    size_t i = 0;
    while (i < n) {
        if (p[i] == ' ' || p[i] == '\t' || p[i] == '\r') {
            i++;
        } else if (i + 2 < n && (unsigned char)p[i] == 0xE3 && (unsigned char)p[i + 1] == 0x80 &&
                   (unsigned char)p[i + 2] == 0x80) {
            i += 3;
        } else {
            return p[i] == '#';
        }
    }
    return 1;
}

static int header_matches(char **f, size_t n, const char *const *want) {
    size_t k = 0;
    while (want[k])
        k++;
    if (k != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i], want[i]) != 0) return 0;
    return 1;
}

static char *join_cols(const char *const *want) {
    Buf b;
    buf_init(&b);
    for (size_t i = 0; want[i]; i++) {
        if (i) buf_puts(&b, "<TAB>");
        buf_puts(&b, want[i]);
    }
    return buf_steal(&b);
}

RefTable *refdata_parse(const char *text, size_t len, const char *const *want_cols, char **err) {
    if (!text) len = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    RefTable *t = xcalloc(1, sizeof *t);
    Errs e = {.n = 0};
    buf_init(&e.b);
    int have_header = 0, line = 0;
    size_t cap = 0;
    size_t pos = 0;
    while (pos < len) {
        line++;
        const char *p = text + pos;
        const char *nl = memchr(p, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - p) : len - pos;
        pos += n + (nl ? 1 : 0);
        if (n && p[n - 1] == '\r') n--;
        if (memchr(p, 0, n)) {
            errs_add(&e, line, "含有NUL字符");
            continue;
        }
        if (!utf8_valid(p, n)) {
            errs_add(&e, line, "不是有效的UTF-8文本（请以UTF-8编码保存）");
            continue;
        }
        if (skippable(p, n)) continue;
        size_t nf;
        char **f = split_fields(p, n, &nf);
        if (!have_header) {
            have_header = 1;
            if (want_cols && !header_matches(f, nf, want_cols)) {
                char *w = join_cols(want_cols);
                char *msg = xasprintf("表头应为“%s”", w);
                errs_add(&e, line, msg);
                free(msg);
                free(w);
                free_fields(f, nf);
                break; /* the rows cannot be interpreted without the right header */
            }
            t->cols = f;
            t->ncols = nf;
            continue;
        }
        if (nf != t->ncols) {
            char *msg = xasprintf("应有%zu列（以TAB分隔），实有%zu列", t->ncols, nf);
            errs_add(&e, line, msg);
            free(msg);
            free_fields(f, nf);
            continue;
        }
        if (t->nrows == cap) {
            cap = cap ? cap * 2 : 32;
            t->rows = xrealloc(t->rows, cap * sizeof *t->rows);
        }
        t->rows[t->nrows].line = line;
        t->rows[t->nrows].field = f;
        t->nrows++;
    }
    if (!have_header && e.n == 0) errs_add(&e, line ? line : 1, "缺少表头行");
    if (e.n) {
        if (err) {
            free(*err);
            *err = buf_steal(&e.b);
        }
        buf_free(&e.b);
        refdata_free(t);
        return NULL;
    }
    buf_free(&e.b);
    return t;
}

int refdata_col(const RefTable *t, const char *name) {
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i], name) == 0) return (int)i;
    return -1;
}

const char *refdata_get(const RefTable *t, size_t row, const char *col) {
    int c = refdata_col(t, col);
    if (c < 0 || row >= t->nrows) return NULL;
    return t->rows[row].field[c];
}

int refdata_flag(const char *s, int *out) {
    if (!s) return -1;
    if (!strcmp(s, "1") || !strcmp(s, "是") || !strcmp(s, "Y") || !strcmp(s, "y")) {
        *out = 1;
        return 0;
    }
    if (!*s || !strcmp(s, "0") || !strcmp(s, "否") || !strcmp(s, "N") || !strcmp(s, "n")) {
        *out = 0;
        return 0;
    }
    return -1;
}
