/* embed.h - files compiled into the binary at build time by tools/embed.c: migrations (sql/),
 * templates and static assets (web/), default reference data (data/). Sorted by name. */
#ifndef SPOTCHECK_EMBED_H
#define SPOTCHECK_EMBED_H

#include <stddef.h>

typedef struct EmbeddedFile {
    const char *name; /* path relative to the project root, e.g. "sql/001_init.sql" */
    const unsigned char *data;
    size_t len;
    const char *etag; /* hex digest prefix of the content, for HTTP caching */
} EmbeddedFile;

extern const EmbeddedFile embedded_files[];
extern const size_t embedded_count;

/* Binary search by name; NULL when absent. */
const EmbeddedFile *embed_find(const char *name);

#endif
