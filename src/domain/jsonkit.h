/* jsonkit.h - the few JSON field helpers every module wanted its own copy of: a string member, and a
 * list typed in one cell (listcell.h) as a JSON array. */
#ifndef SPOTCHECK_JSONKIT_H
#define SPOTCHECK_JSONKIT_H

#include "../core/listcell.h"

#include <jansson.h>

/* The string member key of o (borrowed), or NULL when o is not an object or the member is absent or
 * not a string. jk_str0: "" instead of NULL. */
const char *jk_str(const json_t *o, const char *key);
const char *jk_str0(const json_t *o, const char *key);

/* A list cell split by the one rule (listcell.h) as a new JSON array of strings; with `unique`, a
 * repeated part is kept once (first place). */
json_t *jk_list(const char *text, ListKind kind, int unique);

#endif
