/* audit.h - the hash-chained, append-only audit log (审计日志): every state change records who,
 * when, in which org, what, the state before and after, and from where. See docs/AUDIT.md.
 *
 * Table audit_log (sql/003_audit.sql). Ids are dense from 1; triggers refuse UPDATE and DELETE.
 *
 * Hash rule. For the row with id N:
 *
 *     hash(N) = lowercase hex SHA-256( prev_hash(N) || "\n" || canonical(N) )
 *     prev_hash(N) = hash(N-1), and 64 ASCII zeros ("000…0") for N = 1
 *
 * where prev_hash is the 64-character lowercase hex string (ASCII bytes) and canonical(N) is the
 * concatenation, in this fixed order, of the ten fields
 *
 *     id, at, actor, org_id, action, entity, entity_id, before, after, remote
 *
 * each written as
 *
 *     "-"                         when the field is NULL
 *     <len> ":" <bytes>           otherwise: len is the number of bytes in decimal ASCII without
 *                                 leading zeros, bytes the UTF-8 text (integers as their decimal
 *                                 text, e.g. id 12 -> "2:12")
 *
 * with nothing between fields. NULL ("-") and the empty string ("0:") are different, and the
 * length prefixes make the encoding unambiguous. Example: id 1, at "2025-03-01 10:03:04", actor
 * 'cli', org_id NULL, action 'login', every other field NULL gives
 * "1:119:2025-03-01 10:03:043:cli-5:login-----".
 *
 * Concurrency: a Db is used by one thread at a time. audit_append() reads the last row's id and
 * hash and inserts the next row, so it must run inside the caller's transaction (db_begin, which
 * is BEGIN IMMEDIATE and takes SQLite's write lock at once): writers are serialised by that lock,
 * so no other connection can append between the read and the insert, and the caller's change and
 * its audit row commit or roll back together. Called outside a transaction a concurrent append
 * fails on the primary key instead of forking the chain.
 *
 * State digest (sql/041, audit_state.h). audit_append also stores, in the column digest, the digest
 * of the audited row's state as it is after the change, when the entity is one audit_state covers
 * and entity_id is its integer id; otherwise NULL. A row with a digest appends it to canonical(N)
 * as an eleventh field in the same encoding, "64:<hex>"; a row without one (every row written
 * before schema 41) hashes the ten fields exactly as before. */
#ifndef SPOTCHECK_AUDIT_H
#define SPOTCHECK_AUDIT_H

#include "../db/db.h"

#include <stddef.h>
#include <stdint.h>

#define AUDIT_HASH_HEX 64 /* characters in a hash, without the NUL */
#define AUDIT_TIME_LEN                                                                             \
    20 /* room for a stored time, without the NUL: "YYYY-MM-DD HH:MM:SS" (19),                     \
        * or "YYYY-MM-DDTHH:MM:SSZ" (20) in rows older than schema 16 */
#define AUDIT_LIST_DEFAULT 50
#define AUDIT_LIST_MAX 500

/* One change to record. Strings are borrowed for the duration of the call. */
typedef struct AuditEntry {
    const char *at;        /* "YYYY-MM-DD HH:MM:SS" bureau time (clock.h); NULL means now */
    const char *actor;     /* username, or "cli" / "system"; required, non-empty */
    int64_t org_id;        /* the org whose data changed; 0 records NULL (a global change) */
    const char *action;    /* "target.update", "officer.status", "login", …; required */
    const char *entity;    /* "target", "officer", "user", …; may be NULL */
    const char *entity_id; /* the entity's id or code as text; may be NULL */
    const char *before;    /* JSON text, or NULL when there was no previous state */
    const char *after;     /* JSON text, or NULL when there is no new state */
    const char *remote;    /* client address for web requests; NULL from the CLI */
    int no_digest; /* 1 when the unit changed nothing but the log (an export, a logout): no state
                    * digest, so such a row cannot vouch for a state it did not make */
} AuditEntry;

/* Appends e as the next row of the chain (id = last id + 1, prev_hash = last row's hash). Must be
 * called inside the caller's transaction (see the concurrency note above). Validates e: actor
 * and action non-empty, every string valid UTF-8, before/after valid JSON when not NULL, at in
 * the format above when given. Returns DB_OK, or DB_ERR with a Chinese message in *err (the
 * caller frees it); on DB_ERR nothing was written and the caller should roll back. */
int audit_append(Db *db, const AuditEntry *e, char **err);

/* A stored row. Every string is owned by the row (NULL for SQL NULL). */
typedef struct AuditRow {
    int64_t id;
    char *at;
    char *actor;
    int64_t org_id; /* 0 when NULL */
    char *action;
    char *entity;
    char *entity_id;
    char *before;
    char *after;
    char *remote;
    char *prev_hash;
    char *hash;
    char *digest; /* the audited row's state digest (audit_state.h), NULL when none */
} AuditRow;

/* Computes the hash rule above (with r->digest as an eleventh field when not NULL: see
 * "State digest" above) for r's id, fields and prev_hash (r->hash is ignored) into out
 * (64 hex characters and a NUL). A NULL r->prev_hash counts as the empty string. Pure. */
void audit_compute_hash(const AuditRow *r, char out[AUDIT_HASH_HEX + 1]);

typedef enum AuditBreak {
    AUDIT_INTACT = 0,      /* every link holds */
    AUDIT_BREAK_GAP,       /* the id is not the previous id + 1 (or the first id is not 1) */
    AUDIT_BREAK_PREV_HASH, /* prev_hash differs from the previous row's hash */
    AUDIT_BREAK_HASH       /* the stored hash differs from the one recomputed from the row */
} AuditBreak;

typedef struct AuditVerifyResult {
    AuditBreak status;
    int64_t count;                      /* rows whose links hold (all rows when intact) */
    int64_t bad_id;                     /* the first broken row's id; 0 when intact */
    char reason[256];                   /* Chinese description of the break; "" when intact */
    char head_hash[AUDIT_HASH_HEX + 1]; /* last row's hash when intact (64 zeros if empty) */
} AuditVerifyResult;

/* Walks the whole chain in id order and reports the first broken link in *out: per row it checks
 * the id (gap), then prev_hash, then the hash. Returns DB_OK when the walk ran (intact or not:
 * look at out->status), DB_ERR with *err on a database error. Reads only; runs in one statement,
 * so it sees one consistent snapshot even while others append. Note that the chain alone cannot
 * reveal rows cut off the end, or a chain recomputed from some row on: compare head_hash with a
 * copy kept elsewhere (docs/AUDIT.md). */
int audit_verify(Db *db, AuditVerifyResult *out, char **err);

/* Anchors: a row's (id, hash) kept outside the database — shown each day on the public portal,
 * printed in every draw's 公告 — pins the history up to that row. A chain rewritten from an earlier
 * row on, or cut off before it, no longer holds that hash at that id, however carefully it was
 * recomputed. */

/* Parses an anchor as published, "HASH@N" (64 lowercase hex digits, '@', the row id): 1 with hash
 * and *n set, 0 when s is not one. Pure. */
int audit_anchor_parse(const char *s, char hash[AUDIT_HASH_HEX + 1], int64_t *n);

/* 1 when row n exists and carries `hash`; 0 with the reason in *why (new string) when the log was
 * cut before it or the row's hash differs; -1 with *why on a database error. Combine with
 * audit_verify: together they prove the chain still extends what was published. */
int audit_anchor_check(Db *db, int64_t n, const char *hash, char **why);

/* The last row written before `day` (YYYY-MM-DD, the bureau's day) — the anchor the portal shows
 * all that day: *n and hash (*n 0 and hash "" when there is none). Returns DB_OK or DB_ERR. */
int audit_day_anchor(Db *db, const char *day, int64_t *n, char hash[AUDIT_HASH_HEX + 1]);

/* The audit row whose `after` records the freeze with this freeze_sha256 (task.draw.freeze,
 * task.redraw.approve): the anchor printed in its 公告. *n 0 when none. Returns DB_OK or DB_ERR. */
int audit_freeze_anchor(Db *db, const char *freeze_sha256, int64_t *n,
                        char hash[AUDIT_HASH_HEX + 1]);

/* Filters for the browse page; every field is optional (NULL / 0 = no constraint) and the
 * constraints are combined with AND. */
typedef struct AuditFilter {
    const char *actor;         /* exact username */
    const char *action_prefix; /* "target." matches target.update, target.status, … */
    const char *entity;        /* exact */
    const char *entity_id;     /* exact */
    const char *date_from;     /* inclusive: "YYYY-MM-DD" (a bureau day) or "YYYY-MM-DD HH:MM:SS" */
    const char *date_to;       /* inclusive: "YYYY-MM-DD" (the whole day) or a timestamp */
    const int64_t *org_ids;    /* when not NULL: only rows of these org_ids_len orgs (an empty
                                * set matches nothing); rows with a NULL org never match */
    size_t org_ids_len;
    int64_t org_root;  /* when > 0: only rows of this org and the orgs below it */
    int64_t before_id; /* keyset paging: only ids below this; 0 starts at the newest */
    int limit;         /* 1..AUDIT_LIST_MAX; 0 means AUDIT_LIST_DEFAULT */
} AuditFilter;

typedef struct AuditPage {
    AuditRow *rows; /* newest first (id descending) */
    size_t n;
    int has_more; /* 1 when older rows match: pass rows[n-1].id as before_id for the next page */
} AuditPage;

/* Lists rows matching f into *out (which the caller releases with audit_page_free, also after
 * an error). Returns DB_OK, or DB_ERR with *err (bad date or limit, database error). */
int audit_list(Db *db, const AuditFilter *f, AuditPage *out, char **err);
void audit_page_free(AuditPage *p);

#endif
