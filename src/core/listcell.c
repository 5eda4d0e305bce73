/* listcell.c - splitting a list typed into one cell (see listcell.h). */
#include "listcell.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

/* The length of the separator of `kind` at p, or 0. */
static size_t sep_at(const char *p, ListKind kind) {
    static const char *const wide[][3] = {
        [LIST_CODES] = {"、", "，", "；"},
        [LIST_NAMES] = {"、", "，", "；"},
        [LIST_PHRASES] = {"；", NULL, NULL},
    };
    for (size_t i = 0; i < 3; i++)
        if (wide[kind][i] && !strncmp(p, wide[kind][i], strlen(wide[kind][i])))
            return strlen(wide[kind][i]);
    switch (*p) {
    case ';':
    case '\n':
    case '\r':
        return 1;
    case ',':
        return kind != LIST_PHRASES;
    case ' ':
    case '\t':
        return kind == LIST_CODES;
    default:
        return 0;
    }
}

/* Trims ASCII white space and U+3000 (E3 80 80) at both ends of [*b, *e). */
static void trim(const char **b, const char **e) {
    for (;;) {
        if (*b < *e && strchr(" \t\r\n\v\f", **b))
            (*b)++;
        else if (*e - *b >= 3 && !strncmp(*b, "\xE3\x80\x80", 3))
            *b += 3;
        else
            break;
    }
    for (;;) {
        if (*e > *b && strchr(" \t\r\n\v\f", (*e)[-1]))
            (*e)--;
        else if (*e - *b >= 3 && !strncmp(*e - 3, "\xE3\x80\x80", 3))
            *e -= 3;
        else
            break;
    }
}

size_t list_split(const char *text, ListKind kind, char ***out) {
    size_t n = 0, cap = 0;
    char **v = NULL;
    const char *p = text ? text : "";
    while (*p) {
        const char *start = p;
        size_t sep = 0;
        while (*p && !(sep = sep_at(p, kind)))
            p++;
        const char *b = start, *e = p;
        trim(&b, &e);
        if (e > b) {
            if (n == cap) v = xrealloc(v, (cap = cap ? 2 * cap : 8) * sizeof *v);
            v[n++] = xstrndup(b, (size_t)(e - b));
        }
        p += sep;
    }
    *out = v;
    return n;
}

void list_free(char **parts, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(parts[i]);
    free(parts);
}
