/* pubcache.h - the public portal's pages (/public/…) for visitors without a session: validators
 * (ETag, Last-Modified) and conditional answers (304), and an in-process cache of rendered pages
 * bounded in bytes, with their gzip form.
 *
 * A public page is a function of its URL (path and query), the data version (public_version.h:
 * every change that can alter a public page sets a new one), the day (the audit log's daily
 * anchor on the front page, draws disclosed once a check date is reached) and the binary (its
 * templates and code). The ETag names all but the URL, W/"<build>-<version>-<day>", and a cached
 * page is served only for the same URL, version and day, so a hit costs one read of the version
 * and no other SQL. Only answers to requests without a session cookie are cached, and only 200s
 * without Set-Cookie: nothing personal is ever kept or served from here.
 *
 * Thread-safe: one mutex around the table; a hit copies the body out under it. */
#ifndef SPOTCHECK_PUBCACHE_H
#define SPOTCHECK_PUBCACHE_H

#include "../domain/public_version.h"
#include "http.h"

#include <stddef.h>

#define PUBCACHE_BYTES (16u << 20)      /* all cached bodies, plain and gzip, at most */
#define PUBCACHE_ENTRY_BYTES (1u << 20) /* a larger body (a big download) is not kept */

typedef struct PubCache PubCache;

/* A cache holding at most max_bytes of bodies; 0 keeps nothing (validators and 304s only). */
PubCache *pubcache_new(size_t max_bytes);
void pubcache_free(PubCache *c);

/* 1 when req may be answered from, and its answer kept in, the cache: GET or HEAD of a /public/
 * path, without a session cookie. */
int pubcache_eligible(const HttpRequest *req);

/* Answers req from the cache when its URL was rendered at version v on `today`: 304 when the
 * request's If-None-Match (or, without it, If-Modified-Since) matches, else 200 with the body,
 * gzip when the client takes it. Returns 1 when res was filled (security headers are the caller's),
 * 0 on a miss. */
int pubcache_answer(PubCache *c, const HttpRequest *req, const PublicVersion *v, const char *today,
                    HttpResponse *res);

/* After a page was rendered into res at version v on `today`: adds the validators; keeps a copy
 * (with its gzip form) when `keep` and res is a 200 without Set-Cookie; then answers 304 instead
 * when the request's validators match, and gzip when the client takes it. */
void pubcache_finish(PubCache *c, const HttpRequest *req, const PublicVersion *v, const char *today,
                     int keep, HttpResponse *res);

#endif
