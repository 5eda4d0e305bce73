/* strmap.h - a string → int64 hash map (open addressing, keys copied). Used for code caches and
 * duplicate detection during imports of up to millions of rows. Not thread-safe. */
#ifndef SPOTCHECK_STRMAP_H
#define SPOTCHECK_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct StrMap StrMap;

StrMap *strmap_new(void);
void strmap_free(StrMap *m);
/* Sets key → value (copying key). Returns 1 if the key was new, 0 if it was replaced. */
int strmap_put(StrMap *m, const char *key, int64_t value);
/* Returns 1 and *value when present, else 0. */
int strmap_get(const StrMap *m, const char *key, int64_t *value);
size_t strmap_size(const StrMap *m);

#endif
