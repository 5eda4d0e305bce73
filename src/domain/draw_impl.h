/* draw_impl.h - helpers shared by the files of the pure draw engine (draw.c, draw_pop.c,
 * draw_roster.c, draw_run.c, draw_text.c, draw_verify.c). Internal to the engine: nothing outside
 * these files includes it; callers use draw.h. Pure, reentrant. */
#ifndef SPOTCHECK_DRAW_IMPL_H
#define SPOTCHECK_DRAW_IMPL_H

#include <jansson.h>
#include <stddef.h>
#include <string.h>

#include "../core/util.h"

/* Byte order of two ids (a: na bytes, b: nb bytes): <0, 0 or >0, a shorter prefix first. */
static inline int draw_id_cmp(const char *a, size_t na, const char *b, size_t nb) {
    int c = memcmp(a, b, na < nb ? na : nb);
    if (c) return c;
    return na < nb ? -1 : na > nb;
}

/* draw_text.c: a string as draw_canonical_json writes it (quoted, escaped as jansson does), and
 * any value in canonical form, appended to b. */
void draw_canon_str(Buf *b, const char *s);
void draw_canon_value(Buf *b, const json_t *v);

#endif
