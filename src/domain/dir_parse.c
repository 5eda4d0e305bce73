/* dir_parse.c - the field parsing and validation of the directory engine (directory.h): user text
 * (a form field or an import cell) to the database value of each field type, the row checks
 * (required fields, a status with its reason, the kind's own check_row), the error lists, and a
 * stored value formatted back as the user writes it. Reference fields keep the referenced row's
 * code, checked to exist and to lie in the context's scope. Callers: dir_io, dir_edit, the pages.
 */
#include "directory.h"
#include "directory_impl.h"

#include "../core/listcell.h"
#include "../core/util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dir_row_clear(DirRow *row, const DirKind *k) {
    for (size_t i = 0; i < k->nfields; i++)
        free(row->v[i]);
    memset(row, 0, sizeof *row);
}

void dir_errors_add(DirErrors *errs, int field, const char *fmt, ...) {
    if (errs->n == errs->cap) {
        errs->cap = errs->cap ? errs->cap * 2 : 8;
        errs->e = xrealloc(errs->e, errs->cap * sizeof *errs->e);
    }
    va_list ap;
    va_start(ap, fmt);
    errs->e[errs->n].field = field;
    errs->e[errs->n].reason = xvasprintf(fmt, ap);
    errs->n++;
    va_end(ap);
}

void dir_errors_free(DirErrors *errs) {
    for (size_t i = 0; i < errs->n; i++)
        free(errs->e[i].reason);
    free(errs->e);
    memset(errs, 0, sizeof *errs);
}

static int has_error(const DirErrors *errs, int field) {
    for (size_t i = 0; i < errs->n; i++)
        if (errs->e[i].field == field) return 1;
    return 0;
}

/* Accepts 2024-01-05, 2024/1/5, 2024.1.5 and 2024年1月5日; writes ISO into out. */
static int parse_date(const char *s, char out[11]) {
    int y, m, d, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && !s[n]) goto ok;
    if (sscanf(s, "%4d/%2d/%2d%n", &y, &m, &d, &n) == 3 && !s[n]) goto ok;
    if (sscanf(s, "%4d.%2d.%2d%n", &y, &m, &d, &n) == 3 && !s[n]) goto ok;
    if (sscanf(s, "%4d年%2d月%2d日%n", &y, &m, &d, &n) == 3 && !s[n]) goto ok;
    return 0;
ok:
    if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31) return 0;
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return date_valid(out);
}

const Choice *dir_match_choice(const Choice *c, const char *s) {
    for (; c->code; c++)
        if (!strcmp(c->label, s) || !strcmp(c->code, s)) return c;
    return NULL;
}

char *dir_choice_list(const Choice *c) {
    Buf b;
    buf_init(&b);
    for (; c->code; c++)
        buf_printf(&b, "%s%s", b.len ? "、" : "", c->label);
    return buf_steal(&b);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void parse_multi(const DirField *f, int field, char *text, DirRow *row, DirErrors *errs) {
    char **parts;
    size_t n = list_split(text, LIST_CODES, &parts);
    int chosen[64] = {0};
    size_t nch = 0;
    for (const Choice *c = f->choices; c->code; c++)
        nch++;
    for (size_t i = 0; i < n; i++) {
        const Choice *c = dir_match_choice(f->choices, parts[i]);
        if (!c) {
            char *all = dir_choice_list(f->choices);
            dir_errors_add(errs, field, "“%s”不是可选值（可选: %s）", parts[i], all);
            free(all);
            list_free(parts, n);
            return;
        }
        if (c - f->choices < 64) chosen[c - f->choices] = 1;
    }
    list_free(parts, n);
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < nch && i < 64; i++)
        if (chosen[i]) buf_printf(&b, "%s%s", b.len ? "," : "", f->choices[i].code);
    row->v[field] = b.len ? buf_steal(&b) : NULL;
    buf_free(&b);
}

static void parse_tags(DirContext *ctx, int field, char *text, DirRow *row, DirErrors *errs) {
    char **parts;
    size_t n = list_split(text, LIST_CODES, &parts);
    qsort(parts, n, sizeof *parts, cmp_str);
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && !strcmp(parts[i], parts[i - 1])) continue;
        if (!dir_ref_lookup(ctx, "tag", parts[i])) {
            dir_errors_add(errs, field, "标签“%s”不存在", parts[i]);
            buf_free(&b);
            list_free(parts, n);
            return;
        }
        buf_printf(&b, "%s%s", b.len ? "," : "", parts[i]);
    }
    list_free(parts, n);
    row->v[field] = b.len ? buf_steal(&b) : NULL;
    buf_free(&b);
}

static int all_digits(const char *s, size_t n) {
    if (strlen(s) != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i])) return 0;
    return 1;
}

/* Whether s has the shape YYYY-MM-DD (digits and dashes only; the date itself is not checked). */
static int iso_date_shape(const char *s) {
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-') return 0;
        } else if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    return s[10] == 0;
}

/* Bytes of leading white space that str_trim() removes at s (ASCII space, tab, CR, LF, U+3000). */
static size_t lead_space(const char *s) {
    if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') return 1;
    if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
        return 3;
    return 0;
}

/* A new copy of text trimmed exactly as str_trim() trims (leading ASCII space/tab/CR/LF and
 * U+3000; trailing isspace() and U+3000), with CR LF inside the cell turned into LF. Cells are
 * mostly short or empty, so this avoids str_trim's copy-then-move and allocates nothing for an
 * empty or blank cell (returns NULL then). */
static char *trimmed_copy(const char *text) {
    const char *b = text;
    size_t k;
    while ((k = lead_space(b)) > 0)
        b += k;
    size_t n = strlen(b);
    while (n > 0) {
        if (isspace((unsigned char)b[n - 1]))
            n--;
        else if (n >= 3 && (unsigned char)b[n - 3] == 0xE3 && (unsigned char)b[n - 2] == 0x80 &&
                 (unsigned char)b[n - 1] == 0x80)
            n -= 3;
        else
            break;
    }
    if (!n) return NULL;
    char *t = xmalloc(n + 1), *w = t;
    /* a line break inside a cell is stored as LF whatever the file's line ends */
    for (size_t i = 0; i < n; i++)
        if (!(b[i] == '\r' && i + 1 < n && b[i + 1] == '\n')) *w++ = b[i];
    *w = 0;
    return t;
}

void dir_parse_field(DirContext *ctx, const DirKind *k, int field, const char *text, DirRow *row,
                     DirErrors *errs) {
    const DirField *f = &k->fields[field];
    free(row->v[field]);
    row->v[field] = NULL;
    row->set[field] = 1;
    char *t = trimmed_copy(text ? text : "");
    if (!t) {
        if (f->def) row->v[field] = xstrdup(f->def);
        return;
    }
    /* a character takes at least one byte: only a long cell needs counting */
    if (strlen(t) > 2000 && utf8_len(t) > 2000) {
        dir_errors_add(errs, field, "内容过长（最多 2000 字）");
        free(t);
        return;
    }
    char date[11];
    const Choice *c;
    switch (f->type) {
    case FT_TEXT:
        row->v[field] = t;
        t = NULL;
        break;
    case FT_INT: {
        size_t n = strlen(t);
        if (n > 9 || !all_digits(t, n)) {
            dir_errors_add(errs, field, "应为非负整数，实为“%s”", t);
            break;
        }
        if (t[0] != '0' || n == 1) { /* already in canonical form */
            row->v[field] = t;
            t = NULL;
            break;
        }
        row->v[field] = xasprintf("%ld", strtol(t, NULL, 10));
        break;
    }
    case FT_DATE:
        if (iso_date_shape(t)) { /* what parse_date would give back unchanged, if valid */
            if (date_valid(t)) {
                row->v[field] = t;
                t = NULL;
            } else {
                dir_errors_add(errs, field, "日期“%s”无效，应为 YYYY-MM-DD", t);
            }
        } else if (!parse_date(t, date))
            dir_errors_add(errs, field, "日期“%s”无效，应为 YYYY-MM-DD", t);
        else
            row->v[field] = xstrdup(date);
        break;
    case FT_ENUM:
        if ((c = dir_match_choice(f->choices, t))) {
            row->v[field] = xstrdup(c->code);
        } else {
            char *all = dir_choice_list(f->choices);
            dir_errors_add(errs, field, "“%s”不是可选值（可选: %s）", t, all);
            free(all);
        }
        break;
    case FT_MULTI:
        parse_multi(f, field, t, row, errs);
        break;
    case FT_BOOL:
        if (!strcmp(t, "是") || !strcmp(t, "1") || !strcasecmp(t, "y") || !strcasecmp(t, "true"))
            row->v[field] = xstrdup("1");
        else if (!strcmp(t, "否") || !strcmp(t, "0") || !strcasecmp(t, "n") ||
                 !strcasecmp(t, "false"))
            row->v[field] = xstrdup("0");
        else
            dir_errors_add(errs, field, "应填“是”或“否”，实为“%s”", t);
        break;
    case FT_REF: {
        long long rid = dir_ref_lookup(ctx, f->ref_table, t);
        if (!rid || !dir_ref_in_scope(ctx, f->ref_table, rid))
            dir_errors_add(errs, field, "编码“%s”不存在或不在本机构管辖范围内", t);
        else
            row->v[field] = xstrdup(t);
        break;
    }
    case FT_TAGS:
        parse_tags(ctx, field, t, row, errs);
        break;
    case FT_REGION:
        if (!all_digits(t, 6) || !strncmp(t, "00", 2))
            dir_errors_add(errs, field, "行政区划代码应为6位数字，实为“%s”", t);
        else
            row->v[field] = xstrdup(t);
        break;
    }
    free(t);
}

void dir_check_row(DirContext *ctx, const DirKind *k, DirRow *row, DirErrors *errs) {
    for (size_t i = 0; i < k->nfields; i++) {
        const DirField *f = &k->fields[i];
        if ((f->flags & FF_REQUIRED) && !(f->flags & FF_DERIVED) && row->set[i] && !row->v[i] &&
            !has_error(errs, (int)i))
            dir_errors_add(errs, (int)i, "不能为空");
    }
    int st = dir_field_index(k, "status"), why = dir_field_index(k, "status_reason");
    if (st >= 0 && why >= 0 && row->v[st] && k->fields[st].def &&
        strcmp(row->v[st], k->fields[st].def) != 0 && !row->v[why])
        dir_errors_add(errs, why, "状态为“%s”时须填写原因",
                       dir_choice_label(k->fields[st].choices, row->v[st]));
    if (k->check_row) k->check_row(ctx, row, errs);
}

char *dir_format_field(DirContext *ctx, const DirKind *k, int field, const char *dbval) {
    (void)ctx;
    const DirField *f = &k->fields[field];
    if (!dbval) return xstrdup("");
    switch (f->type) {
    case FT_ENUM:
        return xstrdup(dir_choice_label(f->choices, dbval));
    case FT_BOOL:
        return xstrdup(strcmp(dbval, "0") ? "是" : "否");
    case FT_TAGS:
    case FT_MULTI: {
        Buf b;
        buf_init(&b);
        char *copy = xstrdup(dbval);
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
            buf_printf(&b, "%s%s", b.len ? "、" : "",
                       f->type == FT_MULTI ? dir_choice_label(f->choices, t) : t);
        free(copy);
        return buf_steal(&b);
    }
    default:
        return xstrdup(dbval);
    }
}
