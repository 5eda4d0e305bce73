/* draw_text.c - the draw record as canonical text without a JSON tree of it: the pieces of
 * draw_canonical_json (jansson's compact dump with sorted keys) that draw_outcome_write uses to
 * write a record member by member, and the reading back of a stored record's small members
 * (everything but the lists selected and assignments), which a substitution needs.
 *
 * Pure: no database, no clock, no I/O. Called by draw_run.c and draw_store_run.c. */
#include "draw.h"
#include "draw_impl.h"

#include <stdlib.h>
#include <string.h>

/* jansson escapes '"', '\\' and the control characters below U+0020: \b \f \n \r \t by name,
 * the others as \u00XX with upper-case hex digits; everything else (UTF-8 included) as is. */
void draw_canon_str(Buf *b, const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    buf_putc(b, '"');
    const unsigned char *p = (const unsigned char *)s, *run = p;
    for (; *p; p++) {
        if (*p >= 0x20 && *p != '"' && *p != '\\') continue;
        buf_append(b, run, (size_t)(p - run));
        run = p + 1;
        switch (*p) {
        case '"':
            buf_puts(b, "\\\"");
            break;
        case '\\':
            buf_puts(b, "\\\\");
            break;
        case '\b':
            buf_puts(b, "\\b");
            break;
        case '\f':
            buf_puts(b, "\\f");
            break;
        case '\n':
            buf_puts(b, "\\n");
            break;
        case '\r':
            buf_puts(b, "\\r");
            break;
        case '\t':
            buf_puts(b, "\\t");
            break;
        default: {
            char u[7] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0};
            buf_puts(b, u);
        }
        }
    }
    buf_append(b, run, (size_t)(p - run));
    buf_putc(b, '"');
}

void draw_canon_value(Buf *b, const json_t *v) {
    char *s = draw_canonical_json(v);
    if (s) buf_puts(b, s);
    free(s);
}

/* ---- reading the small members back ---- */

static const char *skip_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* p at '"': the position after the closing quote, NULL when there is none. */
static const char *skip_string(const char *p, const char *end) {
    for (p++; p < end; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

/* The end of the value starting at p (NULL when it does not end): a string or a container is
 * skipped whole (strings inside it too), a scalar up to the next delimiter. */
static const char *skip_value(const char *p, const char *end) {
    if (p >= end) return NULL;
    if (*p == '"') return skip_string(p, end);
    if (*p != '{' && *p != '[') {
        while (p < end && !strchr(",}] \t\n\r", *p))
            p++;
        return p;
    }
    size_t depth = 0;
    while (p < end) {
        if (*p == '"') {
            p = skip_string(p, end);
            if (!p) return NULL;
            continue;
        }
        if (*p == '{' || *p == '[')
            depth++;
        else if ((*p == '}' || *p == ']') && !--depth)
            return p + 1;
        p++;
    }
    return NULL;
}

json_t *draw_record_head_read(const char *text, size_t len, char **err) {
    const char *p = skip_ws(text, text + len), *end = text + len;
    json_t *head = json_object();
    if (p >= end || *p != '{') goto bad;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}') return head;
    for (;;) {
        if (p >= end || *p != '"') goto bad;
        const char *kend = skip_string(p, end);
        json_t *key = kend ? json_loadb(p, (size_t)(kend - p), JSON_DECODE_ANY, NULL) : NULL;
        if (!json_is_string(key)) {
            json_decref(key);
            goto bad;
        }
        p = skip_ws(kend, end);
        const char *vend = p < end && *p == ':' ? skip_value(skip_ws(p + 1, end), end) : NULL;
        if (!vend) {
            json_decref(key);
            goto bad;
        }
        const char *k = json_string_value(key), *v0 = skip_ws(p + 1, end);
        if (strcmp(k, "selected") && strcmp(k, "assignments")) {
            json_t *v = json_loadb(v0, (size_t)(vend - v0), JSON_DECODE_ANY, NULL);
            if (!v) {
                json_decref(key);
                goto bad;
            }
            json_object_set_new(head, k, v);
        }
        json_decref(key);
        p = skip_ws(vend, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}') return head;
        goto bad;
    }
bad:
    json_decref(head);
    set_err(err, "抽取记录不是 JSON 对象");
    return NULL;
}
