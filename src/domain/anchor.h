/* anchor.h - the counties' daily chain heads kept by the city (issue 17 item 4, sql/057,
 * docs/AUDIT.md "A city keeps its counties' heads").
 *
 * A county's public portal shows each day its audit log's anchor (audit_day_anchor: the last row
 * written before that day, HASH@N). A user of the city's installation records what it read there
 * (anchor_record: the page /anchors, POST /api/v1/anchors, `spotcheck anchor record`), so that the
 * county cannot later rewrite or cut its history up to that row without the city noticing:
 * anchor_check verifies a county's database against every head recorded for it (`spotcheck anchor
 * check`). Rows are append-only: a second, different head for the same county and day is kept as a
 * row of its own and flagged, never overwritten.
 *
 * Red flags (per row, computed when read): another head for the same county and day (same_day),
 * another hash for the same row id (same_n), a row id smaller than an earlier day's (regress, on
 * both days: the county's log shrank). Each is something a county's honest log cannot produce.
 *
 * Results as outcome.h. Thread-safe: each function uses only the Db handles it is given. */
#ifndef SPOTCHECK_ANCHOR_H
#define SPOTCHECK_ANCHOR_H

#include "../db/db.h"
#include "actor.h"
#include "outcome.h"

#include <jansson.h>
#include <stdint.h>

/* By default a county with no head in this many working days is shown as missing. */
#define ANCHOR_STALE_DAYS 3
#define ANCHOR_SOURCE_MAX 500 /* characters of a source (URL or note) */

typedef struct AnchorInput {
    const char *org_code; /* the county's 行政区划 code */
    const char *head;     /* "HASH@N" as the county's portal shows it (upper-case hex accepted) */
    const char *day;      /* YYYY-MM-DD, the portal's day; NULL or "": today */
    const char *source;   /* where it was read (the portal's URL) or a note; optional */
} AnchorInput;

/* Records in as a head of a county below the actor's org (the console, org 0: any org), as of
 * `today` (YYYY-MM-DD, the day must not be later). One transaction, audit row anchor.record (entity
 * anchor_head, org the county). The same head already recorded for that county and day writes
 * nothing and answers SC_OK with duplicate true. *out (when not NULL) receives {id, org_id,
 * org_code, org_name, day, n, hash, duplicate, flags: [..]} — flags the row's red flags (see
 * above), non-empty when this head contradicts one recorded before. Returns SC_OK; SC_INVALID with
 * field errors in `errors` (org, head, day, source) and *err "输入有误"; SC_ERR / SC_BUSY with
 * *err (caller frees). */
int anchor_record(Db *db, const Actor *who, const AnchorInput *in, const char *today,
                  json_t *errors, json_t **out, char **err);

/* The counties below viewer_org (every org below it; the console, 0: every org with a parent), in
 * code order, with the day before which a head counts as missing: {since (the `days`-th working day
 * before today, null when the calendar does not reach it), days, stale (count), flagged (count),
 * counties: [{org_id, code, name, heads, latest_day, latest_n, latest_hash, flags (rows with a red
 * flag), stale (no head on or after since)}]}. NULL on a database error. */
json_t *anchor_counties(Db *db, int64_t viewer_org, const char *today, int days);

/* One county's heads, newest day first: {org_id, code, name, heads: [{id, day, n, hash, source,
 * recorded_at, recorded_by, flags: [{code, text}]}]}; NULL when org_id is not below viewer_org (the
 * console, 0: any org with a parent) or on a database error. */
json_t *anchor_heads(Db *db, int64_t viewer_org, int64_t org_id);

/* Verifies a county's database against every head the city's database recorded for the county
 * org_code: the county's chain (audit_verify) and, per recorded head, that the row still exists
 * and carries the hash (audit_anchor_check). Reads only. *out: {org_code, org_name, chain_ok,
 * chain_rows, chain_head, chain_problem?, extended, broken, heads: [{day, n, hash, ok, why?,
 * flags}]} (oldest day first). Returns SC_OK when the check ran (look at broken and chain_ok);
 * SC_NOT_FOUND when the city's database has no org org_code, SC_INVALID when the county's database
 * has no org org_code (not that county's database), SC_ERR, each with *err. */
int anchor_check(Db *city, Db *county, const char *org_code, json_t **out, char **err);

#endif
