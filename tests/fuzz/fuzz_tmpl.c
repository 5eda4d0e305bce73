/* fuzz_tmpl.c - libFuzzer target for the template engine (src/web/tmpl.c, tmpl_render_string).
 *
 * Input: the first line is the JSON context (any JSON value, \u0000 allowed), the rest the
 * template text. An input without '\n', or whose first line is not JSON, is all template with a
 * NULL context. Partials ({{> name}}) come from the real embedded web/templates.
 *
 * Checks what tmpl.h promises:
 *   - success appends to `out`; failure returns -1 with a message "(string):LINE: ..." and leaves
 *     `out` exactly as it was (checked with a prefix already in it);
 *   - the output is valid UTF-8 when the template is (context strings always are: jansson);
 *   - escaping by default: the template is rendered a second time with every < > " ' & of its
 *     text turned into '_' and every "{{{" into "{{_" (which also removes the raw forms {{& }}
 *     and {{{ }}}, and partials, whose markup is the server's own). Whatever the context holds,
 *     that output then contains no < > " ' at all, and every & starts one of the five entities
 *     html_escape writes.
 * Rendering cost grows as (array length)^(section depth): templates are the server's own, so
 * the engine does not limit it; this target renders such inputs with a NULL context instead of
 * reporting a timeout (see too_costly).
 * Built by scripts/fuzz.sh and replayed over the saved corpus by tests/fuzz/replay.c. */
#include "core/embed.h"
#include "core/util.h"
#include "web/tmpl.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PREFIX "<prefix>"
#ifdef __clang__ /* the libFuzzer build; gcc builds the replay, which has no coverage to leave out \
                  */
#define NOT_COVERED __attribute__((noinline, no_sanitize("coverage")))
#else
#define NOT_COVERED
#endif
/* Estimated output bytes above which the context is dropped. The estimate is an upper bound, and
 * the engine takes the same paths for a 2 MB output as for an 8 MB one: at 8 MB a few inputs near
 * the bound took 90% of the time (the corpus replayed in 5.6 s CPU; 0.46 s at 2 MB). */
#define COST_LIMIT (2u << 20)

/* The deepest section nesting of a template, partials included, counted roughly from its tags
 * ({{# and {{^ open, {{/ closes, {{> adds the partial's own depth where it stands): an upper
 * bound is all the cost estimate needs. Adds to *bytes the size of the partials it may emit per
 * pass. `level` bounds the recursion as TMPL_MAX_PARTIAL_DEPTH bounds the engine's. */
static int section_depth(const char *s, size_t n, int level, size_t *bytes) {
    int depth = 0, max = 0;
    for (const char *p = s; (p = memmem(p, n - (size_t)(p - s), "{{", 2)) != NULL;) {
        p += 2;
        while (p < s + n && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            p++;
        if (p >= s + n) break;
        if (*p == '#' || *p == '^') {
            if (++depth > max) max = depth;
        } else if (*p == '/' && depth > 0) {
            depth--;
        } else if (*p == '>' && level < TMPL_MAX_PARTIAL_DEPTH) {
            const char *q = p + 1;
            while (q < s + n && (*q == ' ' || *q == '\t'))
                q++;
            size_t k = 0;
            while (q + k < s + n && k < 100 && q[k] != '}' && q[k] != ' ')
                k++;
            char key[128];
            snprintf(key, sizeof key, "web/templates/%.*s.html", (int)k, q);
            const EmbeddedFile *f = embed_find(key);
            if (f) {
                *bytes += f->len;
                int d = depth + section_depth((const char *)f->data, f->len, level + 1, bytes);
                if (d > max) max = d;
            }
        }
    }
    return max;
}

/* The longest array anywhere in v. */
static size_t max_array(json_t *v) {
    size_t m = 0;
    if (json_is_array(v)) {
        m = json_array_size(v);
        for (size_t i = 0; i < json_array_size(v); i++) {
            size_t k = max_array(json_array_get(v, i));
            if (k > m) m = k;
        }
    } else if (json_is_object(v)) {
        const char *key;
        json_t *x;
        json_object_foreach(v, key, x) {
            size_t k = max_array(x);
            if (k > m) m = k;
        }
    }
    return m;
}

/* 1 when rendering text over ctx could produce more than COST_LIMIT bytes: every section may
 * iterate over the longest array, and each iteration may emit the whole template, the whole
 * context and every partial it names. */
static int too_costly(const char *text, size_t len, json_t *ctx, size_t ctx_len) {
    size_t m = max_array(ctx);
    if (m < 2) return 0;
    size_t unit = len + ctx_len + 1;
    int depth = section_depth(text, len, 0, &unit);
    double cost = (double)unit;
    for (int i = 0; i < depth && cost <= COST_LIMIT; i++)
        cost *= (double)m;
    return cost > COST_LIMIT;
}

/* Renders and checks the promises common to every render; returns the rendered bytes (after
 * the prefix, a new string of *outlen bytes), or NULL on a render error. */
static char *render(const char *text, size_t len, json_t *ctx, size_t *outlen) {
    Buf out;
    buf_init(&out);
    buf_puts(&out, PREFIX);
    char *err = NULL;
    int rc = tmpl_render_string(&out, text, len, ctx, &err);
    ASSERT(out.len >= strlen(PREFIX) && !memcmp(out.data, PREFIX, strlen(PREFIX)));
    if (rc != 0) {
        ASSERT(rc == -1);
        ASSERT(err && !strncmp(err, "(string):", 9));
        ASSERT(out.len == strlen(PREFIX) && out.data[out.len] == 0);
        free(err);
        buf_free(&out);
        return NULL;
    }
    ASSERT(err == NULL);
    size_t n = out.len - strlen(PREFIX);
    char *s = xmalloc(n + 1);
    memcpy(s, out.data + strlen(PREFIX), n);
    s[n] = 0;
    buf_free(&out);
    *outlen = n;
    return s;
}

static int entity_at(const char *s, size_t n) {
    static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    for (size_t i = 0; i < ARRAY_LEN(ents); i++) {
        size_t k = strlen(ents[i]);
        if (n >= k && !memcmp(s, ents[i], k)) return 1;
    }
    return 0;
}

/* The promise of escaping on out (n bytes): no < > " ' at all, and every & starts an entity.
 * Not instrumented for coverage: it reads every byte of an output of up to megabytes, and its
 * comparisons would otherwise cost more than the rendering they check while telling the fuzzer
 * nothing about the engine. */
NOT_COVERED static void check_escaped(const char *out, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char c = out[i];
        ASSERT(c != '<' && c != '>' && c != '"' && c != '\'');
        if (c == '&') ASSERT(entity_at(out + i, n - i));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    size_t len = size, ctx_len = 0;
    json_t *ctx = NULL;
    const uint8_t *nl = memchr(data, '\n', size);
    if (nl) {
        json_error_t je;
        ctx = json_loadb((const char *)data, (size_t)(nl - data), JSON_DECODE_ANY | JSON_ALLOW_NUL,
                         &je);
        if (ctx) {
            ctx_len = (size_t)(nl - data);
            text = (const char *)nl + 1;
            len = size - ctx_len - 1;
        }
    }
    json_t *use = too_costly(text, len, ctx, ctx_len) ? NULL : ctx;

    size_t n;
    char *out = render(text, len, use, &n);
    if (out && utf8_valid(text, len)) ASSERT(utf8_valid(out, n));
    free(out);

    /* The same template without markup characters or raw forms: no context value may add any. */
    char *safe = xmalloc(len + 1);
    memcpy(safe, text, len);
    safe[len] = 0;
    for (size_t i = 0; i < len; i++) {
        if (strchr("<>\"'&", safe[i]) && safe[i])
            safe[i] = '_';
        else if (i >= 2 && safe[i] == '{' && safe[i - 1] == '{' && safe[i - 2] == '{')
            safe[i] = '_';
    }
    out = render(safe, len, use, &n);
    if (out) {
        check_escaped(out, n);
        if (utf8_valid(safe, len)) ASSERT(utf8_valid(out, n));
    }
    free(out);
    free(safe);
    json_decref(ctx);
    return 0;
}
