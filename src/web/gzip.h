/* gzip.h - gzip Content-Encoding for text responses (zlib): whether a client takes it, which
 * responses are worth it, and the compression itself. Thread-safe: no shared state. */
#ifndef SPOTCHECK_GZIP_H
#define SPOTCHECK_GZIP_H

#include "http.h"

#include <stddef.h>

#define GZIP_MIN_BYTES 1024  /* smaller bodies are sent as they are */
#define GZIP_LEVEL_STORED 6  /* bodies compressed once and kept (public pages, static files) */
#define GZIP_LEVEL_DYNAMIC 4 /* bodies compressed for one response */

/* 1 when the request's Accept-Encoding takes gzip (gzip or x-gzip, or *, with a q-value above 0).
 */
int gzip_accepted(const HttpRequest *req);

/* 1 when a body of this Content-Type (NULL: none) and length is worth compressing: text, JSON,
 * JavaScript or SVG of at least GZIP_MIN_BYTES. */
int gzip_worth(const char *content_type, size_t len);

/* Compresses n bytes at p into *out (emptied first) as a gzip stream. 0, or -1 (out empty). */
int gzip_compress(const void *p, size_t n, int level, Buf *out);

/* Compresses res's body in place when the request takes gzip and the response is worth it (and
 * not encoded already), setting Content-Encoding; adds Vary: Accept-Encoding to every response
 * that could have been compressed, so a shared cache keeps both forms apart. */
void gzip_response(const HttpRequest *req, HttpResponse *res);

#endif
