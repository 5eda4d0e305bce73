/* draw_token.h - insured persons as salted per-draw tokens in a draw's files (docs/DRAW.md §2a,
 * issue 17 item 5). At the freeze a random 32-byte salt is drawn for the draw and kept in the
 * database only (draw_salt, sql/049); every insured person's id in the population file, the
 * freeze's exclusions and its declared conflicts is the token "P" + the first 24 hex digits of
 * HMAC-SHA256(salt, pseudonym). The engine and both verifiers work on the files' ids as they are;
 * the map token → target (draw_token, append-only: the excluded and conflicted persons at the
 * freeze, the drawn ones at the run and each substitution) turns the record's ids back into targets
 * for the pages, records and notices, and the public portal shows only the token.
 *
 * The pure part (draw_token_make, DrawTokenMap) has no database; the rest reads and writes the two
 * tables inside the caller's transaction (the freeze's) or none. Thread-safety: uses only the Db
 * handed in; a DrawTokenMap belongs to one thread. */
#ifndef SPOTCHECK_DRAW_TOKEN_H
#define SPOTCHECK_DRAW_TOKEN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/util.h"
#include "../db/db.h"

/* The scheme's name, params.insured_ids of a freeze that uses it. */
#define DRAW_TOKEN_SCHEME "token-v1"
/* "P" and 24 hex digits. */
#define DRAW_TOKEN_LEN 25
#define DRAW_SALT_LEN 32
/* How the public pages name an insured person shown by a token. */
#define DRAW_TOKEN_LABEL "参保人（以本次抽取的编码标识）"

/* The token of pseudonym code (code_len bytes) under salt: out gets DRAW_TOKEN_LEN characters and
 * a NUL. Thread-safe. */
void draw_token_make(const uint8_t salt[DRAW_SALT_LEN], const char *code, size_t code_len,
                     char out[DRAW_TOKEN_LEN + 1]);
/* The salt as an HMAC key made ready once (its padded blocks hashed), for many tokens. */
typedef struct DrawTokenKey {
    unsigned char state[512]; /* a crypto_auth_hmacsha256_state (checked in draw_token.c) */
} DrawTokenKey;
void draw_token_key(DrawTokenKey *k, const uint8_t salt[DRAW_SALT_LEN]);
/* draw_token_make with a key made by draw_token_key; thread-safe (the key is read only). */
void draw_token_make_key(const DrawTokenKey *k, const char *code, size_t code_len,
                         char out[DRAW_TOKEN_LEN + 1]);
/* 1 when s has the shape of a token ("P" and 24 lowercase hex digits). */
int draw_token_shaped(const char *s);

/* Pairs token → target code. Built with draw_token_map_add, then draw_token_map_sort; looked up
 * by token with draw_token_map_target. The map owns its strings. */
typedef struct DrawTokenMap {
    char **token, **code;
    size_t n, cap;
    int sorted;
} DrawTokenMap;

void draw_token_map_free(DrawTokenMap *m);
/* Adds a pair (copies both strings). */
void draw_token_map_add(DrawTokenMap *m, const char *token, const char *code);
/* Sorts the pairs by token bytes. Returns 0, or -1 when two different codes got the same token
 * (a collision: the freeze then draws a new salt); a pair added twice is kept once. */
int draw_token_map_sort(DrawTokenMap *m);
/* The code of token in a sorted map, or NULL. */
const char *draw_token_map_target(const DrawTokenMap *m, const char *token);

/* Merges the pairs `lines` ("token TAB code LF", sorted by token) and the sorted map m into out,
 * in token order, a pair in both written once. Returns 0, or -1 when a token of m is in lines with
 * another code (a collision: the freeze draws a new salt). */
int draw_token_pairs_merge(const char *lines, const DrawTokenMap *m, Buf *out);
/* Stores the salt (scheme DRAW_TOKEN_SCHEME) with every pair of the draw (`pairs`, merged by
 * draw_token_pairs_merge) as one value (draw_salt.pairs), and the pairs of the sorted map `rows`
 * (the excluded and conflicted persons, whom the staff's pages show from the freeze) as draw_token
 * rows, in the caller's transaction. Returns 0, -1 on a database error. */
int draw_token_store(Db *db, int64_t draw_id, const uint8_t salt[DRAW_SALT_LEN], const char *pairs,
                     const DrawTokenMap *rows);
/* Loads draw_id's pairs into *m (sorted; empty for a draw frozen without tokens). Returns 0, -1 on
 * a database error. */
int draw_token_load(Db *db, int64_t draw_id, DrawTokenMap *m);
/* The target code behind token in draw_id, or NULL (not a token of that draw, or an error). Caller
 * frees. */
char *draw_token_target(Db *db, int64_t draw_id, const char *token);
/* The token draw_id gives target code, or NULL (no token: not insured, or a draw frozen without
 * tokens). Caller frees. */
char *draw_token_of(Db *db, int64_t draw_id, const char *code);
/* In each object of array arr, replaces the string member `field` that is a token of draw_id by
 * the target behind it: the staff's pages show the target where the record has the token. */
void draw_token_reveal(Db *db, int64_t draw_id, json_t *arr, const char *field);
/* The record (or frozen document) doc of draw draw_no of task (0: the current one) as the staff
 * read it: the tokens of selected[].id, assignments[].target, events[].target and .replacement and
 * freeze.excluded[].id replaced by the targets behind them, from one read of the draw's map. For
 * the command line's text; a record to verify or publish is never passed through this. */
void draw_token_reveal_record(Db *db, const char *task, int draw_no, json_t *doc);
/* Resolves the tokens among ids (a draw's outcome: its groups' targets) that the sorted map m of
 * draw_id lacks, from the pairs frozen with the salt: each stored in draw_token (the caller's
 * transaction) and added to m, so draw_token holds the drawn persons (and the excluded), not a row
 * per insured person. Returns 0; 1 with *err when a token is not a frozen one; -1 on a database
 * error. */
int draw_token_resolve(Db *db, int64_t draw_id, const char *const *ids, size_t n, DrawTokenMap *m,
                       char **err);
/* Checks draw_id's tokens against its salt (for `audit verify`): every frozen pair recomputed,
 * every draw_token row one of them, every drawn insured person mapped. Appends one Chinese line per
 * problem to out, prefixed with `prefix`; returns the number of problems. */
int draw_token_check(Db *db, int64_t draw_id, const char *prefix, Buf *out);

#endif
