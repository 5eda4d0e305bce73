/* jsonkit.h - the few JSON field helpers every module wanted its own copy of: a string member, a
 * list typed in one cell (listcell.h) as a JSON array, and a database row as an object keyed by
 * column name (the snapshots kept as versions). */
#ifndef SPOTCHECK_JSONKIT_H
#define SPOTCHECK_JSONKIT_H

#include "../core/listcell.h"
#include "../db/db.h"

#include <jansson.h>

/* The string member key of o (borrowed), or NULL when o is not an object or the member is absent or
 * not a string. jk_str0: "" instead of NULL. */
const char *jk_str(const json_t *o, const char *key);
const char *jk_str0(const json_t *o, const char *key);

/* A list cell split by the one rule (listcell.h) as a new JSON array of strings; with `unique`, a
 * repeated part is kept once (first place). */
json_t *jk_list(const char *text, ListKind kind, int unique);

/* Member key of the JSON object in the text `json` (a stored attrs column) as new text, as SQLite's
 * json_extract(json, '$.key') gave it: a string as is, an integer in decimal, true "1", false "0";
 * NULL when json is NULL or not an object, or the member is absent, null or another type. Read in
 * C so the SQL needs no JSON functions. Caller frees. */
char *jk_attr(const char *json, const char *key);

/* The current row of st (after db_step returned DB_ROW) as a new JSON object keyed by column name:
 * every value as its text (db_col_text), SQL NULL as null. The statement stays the caller's. */
json_t *jk_row(Stmt *st);

/* The row of `sql` (one '?' bound to id) as JSON text (jk_row: every value as text or null), dumped
 * with `flags` (e.g. JSON_COMPACT | JSON_SORT_KEYS); NULL without a row or on an error. The audit
 * snapshots of a row. */
char *jk_row_text(Db *db, const char *sql, int64_t id, size_t flags);

#endif
