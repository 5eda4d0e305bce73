/* tmpl.c - the template engine behind tmpl.h: a Mustache subset over jansson values, with
 * HTML escaping by default.
 *
 * A template is parsed once into a flat array of nodes (text, variable, raw variable, section,
 * inverted section, partial). A section node records the index just past its last child, so
 * rendering is a loop over a node range with recursion only into sections and partials. Text
 * nodes point into the template's own copy of its source; nothing is allocated per render
 * except output. The context stack is a chain of Frame structs on the C stack.
 *
 * Invariants: a parsed Tmpl is immutable, so one copy is shared by every thread. Embedded
 * templates are all parsed on first use under pthread_once (a template that fails to parse
 * keeps its error message and reports it whenever it is rendered) and live until exit. With
 * SPOTCHECK_TEMPLATES set, every render reads and parses its files afresh and frees them.
 * Section nesting is capped at parse time (TMPL_MAX_NESTING) and partial nesting at render time
 * (TMPL_MAX_PARTIAL_DEPTH), so C recursion depth is bounded.
 *
 * Callers: web.c (web_page and the layout) and the page handlers; html_escape is used by any
 * web code that builds HTML by hand. */
#include "../core/clock.h"
#include "tmpl.h"

#include "../core/embed.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define TEMPLATE_DIR "web/templates/"
#define TEMPLATE_EXT ".html"
#define MAX_NAME 100

/* ---------------------------------------------------------------- escaping */

void html_escape_n(Buf *out, const char *s, size_t n) {
    if (!s) return;
    buf_reserve(out, n);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        buf_append(out, s + run, i - run);
        buf_puts(out, rep);
        run = i + 1;
    }
    buf_append(out, s + run, n - run);
}

void html_escape(Buf *out, const char *s) {
    if (s) html_escape_n(out, s, strlen(s));
}

/* ---------------------------------------------------------------- parsed form */

typedef enum { N_TEXT, N_VAR, N_RAW, N_SECTION, N_INVERTED, N_PARTIAL } NodeType;

/* Lookups that are not context keys. */
typedef enum { AT_NONE, AT_INDEX, AT_NUMBER, AT_FIRST, AT_LAST } AtName;

typedef struct Node {
    NodeType type;
    int line;
    const char *text; /* N_TEXT: bytes in Tmpl.src; otherwise the tag's name as written */
    size_t len;       /* length of text */
    char *path;       /* owned: the name's segments, each NUL-terminated, one after another */
    unsigned nseg;    /* 0 for "." (the current element) */
    AtName at;
    size_t end; /* sections: index of the first node after the section's children */
} Node;

typedef struct Tmpl {
    char *label; /* "web/templates/x.html", a file path, or "(string)", for messages */
    char *src;
    Node *nodes;
    size_t n, cap;
} Tmpl;

static void tmpl_free(Tmpl *t) {
    if (!t) return;
    for (size_t i = 0; i < t->n; i++)
        free(t->nodes[i].path);
    free(t->nodes);
    free(t->src);
    free(t->label);
    free(t);
}

static Node *add_node(Tmpl *t, NodeType type, int line) {
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 32;
        t->nodes = xrealloc(t->nodes, t->cap * sizeof *t->nodes);
    }
    Node *nd = &t->nodes[t->n++];
    memset(nd, 0, sizeof *nd);
    nd->type = type;
    nd->line = line;
    return nd;
}

/* ---------------------------------------------------------------- parser */

static int is_blank(char c) {
    return c == ' ' || c == '\t';
}
static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* Context keys may also be UTF-8 (Chinese keys from data files); partial names may not. */
static int key_char(char c) {
    return name_char(c) || (unsigned char)c >= 0x80;
}

static int count_lines(const char *s, size_t n) {
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == '\n';
    return k;
}

static int valid_partial_name(const char *s, size_t n) {
    if (n == 0 || n > MAX_NAME) return 0;
    for (size_t i = 0; i < n; i++)
        if (!name_char(s[i])) return 0;
    return 1;
}

/* Fills nd's path from the name s[0..n): ".", "@index"-style names, or dot-separated
 * segments of name characters. Returns 0, or -1 when the name is malformed. */
static int set_path(Node *nd, const char *s, size_t n) {
    static const struct {
        const char *name;
        AtName at;
    } ats[] = {
        {"@index", AT_INDEX}, {"@number", AT_NUMBER}, {"@first", AT_FIRST}, {"@last", AT_LAST}};
    nd->text = s;
    nd->len = n;
    if (n == 1 && s[0] == '.') return 0; /* nseg 0: the current element */
    if (n > 0 && s[0] == '@') {
        for (size_t i = 0; i < ARRAY_LEN(ats); i++)
            if (strlen(ats[i].name) == n && !memcmp(ats[i].name, s, n)) {
                nd->at = ats[i].at;
                return 0;
            }
        return -1;
    }
    if (n == 0 || s[0] == '.' || s[n - 1] == '.') return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' ? s[i + 1] == '.' : !key_char(s[i])) return -1;
    }
    nd->path = xstrndup(s, n);
    nd->nseg = 1;
    for (size_t i = 0; i < n; i++)
        if (nd->path[i] == '.') {
            nd->path[i] = 0;
            nd->nseg++;
        }
    return 0;
}

static int parse_fail(Tmpl *t, char **err, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int parse_fail(Tmpl *t, char **err, int line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    set_err(err, "%s:%d: %s", t->label, line, msg);
    free(msg);
    return -1;
}

/* Parses text[0..len) into a new Tmpl labelled label. Returns NULL with *err set on a syntax
 * error. */
static Tmpl *tmpl_parse(const char *label, const char *text, size_t len, char **err) {
    Tmpl *t = xcalloc(1, sizeof *t);
    t->label = xstrdup(label);
    t->src = xmalloc(len + 1);
    if (len) memcpy(t->src, text, len);
    t->src[len] = 0;
    const char *src = t->src;

    size_t open[TMPL_MAX_NESTING];
    int depth = 0;
    size_t pos = 0; /* start of the text not yet turned into nodes */
    int line = 1;   /* line number at pos */
    for (;;) {
        const char *hit = memmem(src + pos, len - pos, "{{", 2);
        if (!hit) {
            if (pos < len) {
                Node *nd = add_node(t, N_TEXT, line);
                nd->text = src + pos;
                nd->len = len - pos;
            }
            break;
        }
        size_t tag_start = (size_t)(hit - src);
        int tag_line = line + count_lines(src + pos, tag_start - pos);
        size_t p = tag_start + 2;
        int triple = p < len && src[p] == '{';
        if (triple) p++;
        const char *close = triple ? "}}}" : "}}";
        const char *q = memmem(src + p, len - p, close, strlen(close));
        if (!q) {
            parse_fail(t, err, tag_line, "tag \"%s\" is never closed with \"%s\"",
                       triple ? "{{{" : "{{", close);
            goto fail;
        }
        size_t tag_end = (size_t)(q - src) + strlen(close);
        const char *c = src + p, *ce = q; /* the tag's content, trimmed below */
        while (c < ce && is_space(*c))
            c++;
        char sigil = triple ? '&' : 0;
        if (!triple && c < ce && strchr("#^/>&!=", *c)) {
            sigil = *c++;
            while (c < ce && is_space(*c))
                c++;
        }
        while (ce > c && is_space(ce[-1]))
            ce--;
        size_t n = (size_t)(ce - c);

        /* Mustache's standalone rule: a line holding only this tag and blanks disappears. */
        size_t text_end = tag_start, next = tag_end;
        if (sigil && strchr("#^/>!", sigil)) {
            size_t ls = tag_start;
            while (ls > pos && is_blank(src[ls - 1]))
                ls--;
            size_t e = tag_end;
            while (e < len && is_blank(src[e]))
                e++;
            int line_start = ls == 0 || src[ls - 1] == '\n';
            int line_end = e == len || src[e] == '\n' || (src[e] == '\r' && src[e + 1] == '\n');
            if (line_start && line_end) {
                text_end = ls;
                next = e == len ? e : e + (src[e] == '\r' ? 2 : 1);
            }
        }
        if (text_end > pos) {
            Node *nd = add_node(t, N_TEXT, line);
            nd->text = src + pos;
            nd->len = text_end - pos;
        }

        switch (sigil) {
        case '!':
            break;
        case '=':
            parse_fail(t, err, tag_line, "delimiter changes ({{=...=}}) are not supported");
            goto fail;
        case '>': {
            if (!valid_partial_name(c, n)) {
                parse_fail(t, err, tag_line, "bad partial name \"%.*s\"", (int)n, c);
                goto fail;
            }
            Node *nd = add_node(t, N_PARTIAL, tag_line);
            nd->text = c;
            nd->len = n;
            nd->path = xstrndup(c, n);
            break;
        }
        case '/': {
            if (depth == 0) {
                parse_fail(t, err, tag_line, "{{/%.*s}} closes no open section", (int)n, c);
                goto fail;
            }
            Node *o = &t->nodes[open[depth - 1]];
            if (o->len != n || memcmp(o->text, c, n) != 0) {
                parse_fail(t, err, tag_line,
                           "{{/%.*s}} does not match {{%c%.*s}} opened at line %d", (int)n, c,
                           o->type == N_SECTION ? '#' : '^', (int)o->len, o->text, o->line);
                goto fail;
            }
            o->end = t->n;
            depth--;
            break;
        }
        default: {
            NodeType type = sigil == '#'   ? N_SECTION
                            : sigil == '^' ? N_INVERTED
                            : sigil == '&' ? N_RAW
                                           : N_VAR;
            if ((type == N_SECTION || type == N_INVERTED) && depth == TMPL_MAX_NESTING) {
                parse_fail(t, err, tag_line, "sections nested deeper than %d", TMPL_MAX_NESTING);
                goto fail;
            }
            Node *nd = add_node(t, type, tag_line);
            if (set_path(nd, c, n) != 0) {
                if (n == 0)
                    parse_fail(t, err, tag_line, "empty tag");
                else
                    parse_fail(t, err, tag_line, "bad name \"%.*s\"", (int)n, c);
                goto fail;
            }
            if (type == N_SECTION || type == N_INVERTED) open[depth++] = t->n - 1;
            break;
        }
        }
        line = tag_line + count_lines(src + tag_start, next - tag_start);
        pos = next;
    }
    if (depth > 0) {
        Node *o = &t->nodes[open[depth - 1]];
        parse_fail(t, err, o->line, "section {{%c%.*s}} is never closed",
                   o->type == N_SECTION ? '#' : '^', (int)o->len, o->text);
        goto fail;
    }
    return t;
fail:
    tmpl_free(t);
    return NULL;
}

/* ---------------------------------------------------------------- template sources */

typedef struct CacheEntry {
    Tmpl *t;   /* parsed template, or NULL when */
    char *err; /* ... it failed to parse: the message */
} CacheEntry;

static CacheEntry *cache; /* indexed like embedded_files; read-only after cache_init */
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static int is_template_file(const char *name) {
    size_t n = strlen(name), d = strlen(TEMPLATE_DIR), e = strlen(TEMPLATE_EXT);
    return n > d + e && !strncmp(name, TEMPLATE_DIR, d) && !strcmp(name + n - e, TEMPLATE_EXT) &&
           !strchr(name + d, '/');
}

static void cache_init(void) {
    cache = xcalloc(embedded_count ? embedded_count : 1, sizeof *cache);
    for (size_t i = 0; i < embedded_count; i++) {
        const EmbeddedFile *f = &embedded_files[i];
        if (!is_template_file(f->name)) continue;
        cache[i].t = tmpl_parse(f->name, (const char *)f->data, f->len, &cache[i].err);
    }
}

/* Finds template NAME: from the directory dir when it is not NULL (a fresh parse the caller
 * must free through *owned), else from the embedded cache. Returns NULL with *err set when the
 * template is missing or does not parse; *missing tells the first case apart. */
static const Tmpl *tmpl_get(const char *name, const char *dir, Tmpl **owned, int *missing,
                            char **err) {
    *owned = NULL;
    *missing = 0;
    if (dir) {
        char *path = xasprintf("%s/%s%s", dir, name, TEMPLATE_EXT);
        char *ferr = NULL;
        size_t len = 0;
        char *text = file_read_all(path, &len, &ferr);
        const Tmpl *t = NULL;
        if (!text) {
            *missing = 1;
            set_err(err, "template %s: %s", path, ferr ? ferr : "cannot read");
        } else {
            t = *owned = tmpl_parse(path, text, len, err);
        }
        free(ferr);
        free(text);
        free(path);
        return t;
    }
    pthread_once(&cache_once, cache_init);
    char key[sizeof TEMPLATE_DIR + MAX_NAME + sizeof TEMPLATE_EXT];
    snprintf(key, sizeof key, "%s%s%s", TEMPLATE_DIR, name, TEMPLATE_EXT);
    const EmbeddedFile *f = embed_find(key);
    if (!f) {
        *missing = 1;
        set_err(err, "no template %s", key);
        return NULL;
    }
    const CacheEntry *ce = &cache[f - embedded_files];
    if (!ce->t) set_err(err, "%s", ce->err ? ce->err : "template did not parse");
    return ce->t;
}

/* ---------------------------------------------------------------- rendering */

typedef struct Frame {
    json_t *v;
    size_t index, count; /* position in the array being iterated, when is_item */
    int is_item;
    const struct Frame *up;
} Frame;

typedef struct Render {
    Buf *out;
    char **err;
    const char *dir; /* SPOTCHECK_TEMPLATES, or NULL for the embedded templates */
    int depth;       /* partials entered */
} Render;

/* A looked-up value: a borrowed JSON value (NULL when missing), or a number (@index). */
typedef struct Val {
    json_t *j;
    long long num;
    int is_num;
} Val;

static json_t *child(json_t *v, const char *seg) {
    if (json_is_object(v)) return json_object_get(v, seg);
    if (json_is_array(v) && *seg >= '0' && *seg <= '9') {
        char *end;
        unsigned long long i = strtoull(seg, &end, 10);
        if (*end == 0 && i < json_array_size(v)) return json_array_get(v, (size_t)i);
    }
    return NULL;
}

static Val lookup(const Node *nd, const Frame *top) {
    Val r = {NULL, 0, 0};
    if (nd->at != AT_NONE) {
        const Frame *f = top;
        while (f && !f->is_item)
            f = f->up;
        if (!f) return r;
        switch (nd->at) {
        case AT_INDEX:
            r.is_num = 1, r.num = (long long)f->index;
            break;
        case AT_NUMBER:
            r.is_num = 1, r.num = (long long)f->index + 1;
            break;
        case AT_FIRST:
            r.j = json_boolean(f->index == 0);
            break;
        case AT_LAST:
            r.j = json_boolean(f->index + 1 == f->count);
            break;
        case AT_NONE:
            break;
        }
        return r;
    }
    if (nd->nseg == 0) {
        r.j = top ? top->v : NULL;
        return r;
    }
    const char *seg = nd->path;
    json_t *v = NULL;
    for (const Frame *f = top; f && !v; f = f->up)
        if (json_is_object(f->v)) v = json_object_get(f->v, seg);
    for (unsigned i = 1; v && i < nd->nseg; i++) {
        seg += strlen(seg) + 1;
        if (i + 1 == nd->nseg && json_is_array(v) && !strcmp(seg, "length")) {
            r.is_num = 1; /* list.length: the element count, as in mustache.js */
            r.num = (long long)json_array_size(v);
            return r;
        }
        v = child(v, seg);
    }
    r.j = v;
    return r;
}

static int truthy(Val v) {
    if (v.is_num) return v.num != 0;
    json_t *j = v.j;
    if (!j) return 0;
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return 1;
    case JSON_ARRAY:
        return json_array_size(j) > 0;
    case JSON_STRING:
        return json_string_length(j) > 0;
    case JSON_INTEGER:
        return json_integer_value(j) != 0;
    case JSON_REAL:
        return json_real_value(j) != 0.0;
    case JSON_TRUE:
        return 1;
    case JSON_FALSE:
    case JSON_NULL:
        return 0;
    }
    return 0;
}

/* Integers are the commonest non-string value (ids, counts): formatted without printf. */
static void put_int(Buf *out, long long v) {
    char tmp[24], *p = tmp + sizeof tmp;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--p = '-';
    buf_append(out, p, (size_t)(tmp + sizeof tmp - p));
}

static void put_value(Buf *out, Val v, int escape) {
    if (v.is_num) {
        put_int(out, v.num);
        return;
    }
    if (!v.j) return;
    switch (json_typeof(v.j)) {
    case JSON_STRING: {
        /* a stored timestamp is shown as people write it, in the bureau's time (clock.h) */
        char shown[17];
        size_t n = json_string_length(v.j);
        if ((n == CLOCK_NOW_LEN || n == CLOCK_NOW_LEN + 1) &&
            clock_display(json_string_value(v.j), shown))
            buf_puts(out, shown);
        else if (escape)
            html_escape_n(out, json_string_value(v.j), json_string_length(v.j));
        else
            buf_append(out, json_string_value(v.j), json_string_length(v.j));
        break;
    }
    case JSON_INTEGER:
        put_int(out, (long long)json_integer_value(v.j));
        break;
    case JSON_REAL: {
        /* The shortest of %.15g / %.17g that reads back as the same double: 0.1, not
         * 0.10000000000000001. */
        double d = json_real_value(v.j);
        char tmp[40];
        snprintf(tmp, sizeof tmp, "%.15g", d);
        if (strtod(tmp, NULL) != d) snprintf(tmp, sizeof tmp, "%.17g", d);
        buf_puts(out, tmp);
        break;
    }
    case JSON_TRUE:
        buf_puts(out, "true");
        break;
    default:
        break; /* false, null, objects and arrays print nothing */
    }
}

static int render_tmpl(Render *r, const Tmpl *t, const Frame *top);

static int render_partial(Render *r, const Tmpl *t, const Node *nd, const Frame *top) {
    if (r->depth >= TMPL_MAX_PARTIAL_DEPTH)
        return set_err(r->err, "%s:%d: partials nested deeper than %d (recursive partial \"%s\"?)",
                       t->label, nd->line, TMPL_MAX_PARTIAL_DEPTH, nd->path);
    Tmpl *owned;
    int missing;
    char *perr = NULL;
    const Tmpl *p = tmpl_get(nd->path, r->dir, &owned, &missing, &perr);
    if (!p) {
        if (missing)
            set_err(r->err, "%s:%d: unknown partial \"%s\" (%s)", t->label, nd->line, nd->path,
                    perr);
        else
            set_err(r->err, "%s:%d: in partial \"%s\": %s", t->label, nd->line, nd->path, perr);
        free(perr);
        return -1;
    }
    r->depth++;
    int rc = render_tmpl(r, p, top);
    r->depth--;
    tmpl_free(owned);
    return rc;
}

static int render_range(Render *r, const Tmpl *t, size_t from, size_t to, const Frame *top) {
    for (size_t i = from; i < to; i++) {
        const Node *nd = &t->nodes[i];
        switch (nd->type) {
        case N_TEXT:
            buf_append(r->out, nd->text, nd->len);
            break;
        case N_VAR:
            put_value(r->out, lookup(nd, top), 1);
            break;
        case N_RAW:
            put_value(r->out, lookup(nd, top), 0);
            break;
        case N_PARTIAL:
            if (render_partial(r, t, nd, top) != 0) return -1;
            break;
        case N_INVERTED:
            if (!truthy(lookup(nd, top)) && render_range(r, t, i + 1, nd->end, top) != 0) return -1;
            i = nd->end - 1;
            break;
        case N_SECTION: {
            Val v = lookup(nd, top);
            if (!truthy(v)) {
                /* skipped */
            } else if (json_is_array(v.j)) {
                size_t count = json_array_size(v.j);
                for (size_t k = 0; k < count; k++) {
                    Frame f = {json_array_get(v.j, k), k, count, 1, top};
                    if (render_range(r, t, i + 1, nd->end, &f) != 0) return -1;
                }
            } else if (v.is_num) {
                if (render_range(r, t, i + 1, nd->end, top) != 0) return -1;
            } else {
                Frame f = {v.j, 0, 0, 0, top};
                if (render_range(r, t, i + 1, nd->end, &f) != 0) return -1;
            }
            i = nd->end - 1;
            break;
        }
        }
    }
    return 0;
}

static int render_tmpl(Render *r, const Tmpl *t, const Frame *top) {
    return render_range(r, t, 0, t->n, top);
}

static const char *template_dir(void) {
    const char *d = getenv("SPOTCHECK_TEMPLATES");
    return d && *d ? d : NULL;
}

static int render_top(Buf *out, const Tmpl *t, const char *dir, json_t *ctx, char **err) {
    size_t mark = out->len;
    Render r = {out, err, dir, 0};
    Frame f = {ctx, 0, 0, 0, NULL};
    int rc = render_tmpl(&r, t, ctx ? &f : NULL);
    if (rc != 0) {
        out->len = mark;
        if (out->data) out->data[mark] = 0;
    }
    return rc;
}

int tmpl_render(Buf *out, const char *name, json_t *ctx, char **err) {
    if (!name || !valid_partial_name(name, strlen(name)))
        return set_err(err, "bad template name \"%s\"", name ? name : "(null)");
    const char *dir = template_dir();
    Tmpl *owned;
    int missing;
    const Tmpl *t = tmpl_get(name, dir, &owned, &missing, err);
    if (!t) return -1;
    int rc = render_top(out, t, dir, ctx, err);
    tmpl_free(owned);
    return rc;
}

int tmpl_render_string(Buf *out, const char *text, size_t len, json_t *ctx, char **err) {
    Tmpl *t = tmpl_parse("(string)", text ? text : "", text ? len : 0, err);
    if (!t) return -1;
    int rc = render_top(out, t, template_dir(), ctx, err);
    tmpl_free(t);
    return rc;
}
