/* refdata_store.h - reference data sets (data/NAME.tsv) in the database: load, replace, defaults.
 * The sets are those of REFDATA_SETS; the calendar's holidays.tsv is read by the calendar itself.
 */
#ifndef SPOTCHECK_REFDATA_STORE_H
#define SPOTCHECK_REFDATA_STORE_H

#include "../db/db.h"

#include <jansson.h>

#include <stddef.h>

extern const char *const refdata_sets[]; /* NULL-terminated */

/* Replaces set `name` with the rows of the TSV `text` (header line, '#' comments) in one
 * transaction, with an audit row holding the replaced and the new rows. The first column is the
 * code (unique), the second the label. `source` names where the text came from. Returns DB_OK,
 * or DB_ERR with *err (line-numbered parse errors, duplicate codes); nothing changes on error. */
int refdata_store_load(Db *db, const char *name, const char *text, size_t len, const char *source,
                       const char *actor, char **err);
/* Loads the copies embedded in the binary for every set that is still empty (the first seeding
 * is not an audited change; every later load is). */
int refdata_store_defaults(Db *db, const char *actor, char **err);
/* The record of set `name`'s last load: {rows, source, at, by} (by "" when unknown), or NULL when
 * it was never loaded into the database. Caller decrefs. */
json_t *refdata_store_info(Db *db, const char *name);
/* Rows in a set (0 when absent, -1 when it cannot be read). */
long long refdata_store_count(Db *db, const char *name);

#endif
