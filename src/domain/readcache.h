/* readcache.h - results of expensive reads (the home page's directory counts, the year's figures,
 * the deadline dashboard's counts and pages) kept in memory while nothing they read can have
 * changed (issue 15: those pages read every drawn target or the whole directory).
 *
 * An entry is keyed by the caller's key, which names the read and every argument it depends on
 * (the org, the day when the result depends on the date), and by the data version (public_version,
 * sql/036): every audited change sets a new random version in its own transaction, in this process
 * or another, and every change a cached read depends on is audited (directory, draws, records,
 * results, follow-ups, reference data; the unaudited kinds — logins, accounts, exports — change
 * nothing these reads show). The version is read before the value is computed, so an entry is
 * never older than its version.
 *
 * Inside a transaction nothing is looked up or kept (its reads may see changes that are not
 * committed). Off until readcache_enable (the web server's app_init): the command line and the unit
 * tests, which may change a database with plain SQL, always compute. Values are JSON, stored and
 * handed out as deep copies (a caller may change its copy). At most READCACHE_ENTRIES entries, the
 * least recently used dropped. Thread-safe: one lock, held only to look up and store, never while
 * computing (two threads may compute the same entry at once; the later one is kept). One process
 * serves one database: the key does not name it. */
#ifndef SPOTCHECK_READCACHE_H
#define SPOTCHECK_READCACHE_H

#include "../db/db.h"

#include <jansson.h>

#define READCACHE_ENTRIES 256

/* Computes a value: a new reference, or NULL with *err set (the caller's error convention). */
typedef json_t *(*ReadcacheFn)(Db *db, void *arg, char **err);

/* Turns the cache on (1) or off and empties it (0). Not to be called while reads run. */
void readcache_enable(int on);

/* fn(db, arg, err)'s value for `key`: from the cache when it holds key at the current data version,
 * else computed (and kept when the cache is on and the version could be read). A new reference the
 * caller owns, or fn's NULL with its *err (nothing kept). */
json_t *readcache_get(Db *db, const char *key, ReadcacheFn fn, void *arg, char **err);

/* As readcache_get for a value that never changes for its key, because the key names the content
 * by its digest (a drawn record by its record_sha256): kept and served whatever the data version,
 * so writes elsewhere do not make it be read again. Same lifetime and copies as readcache_get. */
json_t *readcache_get_content(Db *db, const char *key, ReadcacheFn fn, void *arg, char **err);

#endif
