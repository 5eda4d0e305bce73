/* multipart.h - multipart/form-data bodies that http.c streamed to a temporary file. Parts are
 * found by their boundary in a memory map of the file; field values are capped at 64 KiB. */
#ifndef SPOTCHECK_MULTIPART_H
#define SPOTCHECK_MULTIPART_H

#include "http.h"

/* Value of a plain (non-file) field, new string, or NULL. */
char *multipart_field(HttpRequest *req, const char *name);
/* Copies the first file part named `name` to a new temporary file. Returns 0 and sets *path (new
 * string; the caller unlinks and frees it), *filename (new string, may be "") and *size; -1 when
 * absent or unreadable. */
int multipart_file(HttpRequest *req, const char *name, char **path, char **filename, size_t *size);

#endif
