/* draw_store.h - the draw on the database: build the population from the target directory with
 * the filters and exclusions of a directed draw, freeze (commit), run, substitute, re-draw and
 * read back draws. The functions that change data (freeze, run, substitute) run inside the
 * caller's transaction (db_begin/db_commit around the call, with the audit row of the change):
 * they never begin, commit or roll back one, and on an error the caller rolls back so nothing
 * is half-written. The selection itself is the pure engine of draw.h. A Db is used by one
 * thread at a time. */
#ifndef SPOTCHECK_DRAW_STORE_H
#define SPOTCHECK_DRAW_STORE_H

#include <jansson.h>

#include "../core/util.h"
#include "../db/db.h"
#include "draw.h"

/* Builds the canonical population file for params (filters, exclusions, strata; see
 * docs/DRAW.md) as of date (YYYY-MM-DD) for task: appends it to pop, and appends one
 * {"id","reason"} per excluded target to excluded. Returns 0, or -1 with *err. */
int draw_store_population(Db *db, const json_t *params, const char *date, const char *task,
                          Buf *pop, json_t *excluded, char **err);
/* Builds the canonical officer file (officers and experts, optionally limited to the dept codes
 * in params.officer_depts). Returns 0, or -1 with *err. */
int draw_store_officers(Db *db, const json_t *params, Buf *out, char **err);

typedef struct DrawFreezeReq {
    const char *task;          /* task code */
    const char *date;          /* draw date, YYYY-MM-DD */
    const json_t *sources;     /* the declared sources of public randomness (draw_source.h) */
    int gap_hours;             /* the freeze at least this long before the earliest source */
    long long now;             /* the clock's now (seconds since the epoch) */
    const char *frozen_at;     /* the same moment, RFC 3339 with the bureau's offset */
    const json_t *params;      /* NULL on a re-draw: reuse the superseded draw's */
    const char *by;            /* user, may be NULL */
    const char *redraw_reason; /* both set for a re-draw, both NULL otherwise */
    const char *redraw_approver;
} DrawFreezeReq;

/* What a draw step holds besides its task and draw (draw_store_begin's `also`). */
enum {
    /* the directory's tables, still while a freeze reads the population from them */
    DRAW_HOLD_POPULATION = 1,
    /* the current draw's records: a step that replaces the draw's groups or voids the draw
     * rebuilds its deadline clocks, which the records' own units rebuild too (sql/060) */
    DRAW_HOLD_RECORDS = 2
};
/* Opens the unit of work of one step of the draw of task `task` (a code): a transaction that
 * excludes only the other units on this draw (DB_TX_ROWS): the task's row when the code is a
 * task's (the units on a task lock it: its scheme, notice, records' creation), the current draw's
 * records when `also` has DRAW_HOLD_RECORDS, the directory's tables when it has
 * DRAW_HOLD_POPULATION (db_hold_tables: the population is the directory at one moment, and every
 * edit of it commits before the freeze's reads or after its audit row), then the draw by name (a
 * draw of the command line may have no task). 0, or -1 with "数据库忙，请稍后重试" in *err and
 * no transaction open. The step then ends with db_commit or db_rollback. */
int draw_store_begin(Db *db, const char *task, int also, char **err);
/* Inside a unit: the draws of task code `task` by name, as every draw step locks them
 * (draw_store_begin): a step in flight on that code ends first, and what it wrote is then seen.
 * DB_OK or DB_ERR. */
int draw_store_lock_name(Db *db, const char *task);
/* Freezes a spotcheck-draw/2 draw: population, officer file, params and the declared sources
 * (no secret). Refuses (returns 1, *err) when the task already has a current draw and this is
 * not a re-draw, a re-draw lacks reason/approver or declares a source an earlier draw of the task
 * used, the sources are invalid, or the earliest external source is less than gap_hours away. On
 * success returns 0 and *freeze_sha256 (caller frees). */
int draw_store_freeze(Db *db, const DrawFreezeReq *req, char **freeze_sha256, char **err);
/* Runs the task's frozen draw with the values of its sources (a JSON array of strings, one per
 * declared source, in order; written in canonical form). Refused (1, *err) when no frozen draw,
 * already drawn, a value does not fit its source, or a source does not exist yet at `now`.
 * The record is written as canonical text straight from the draw's outcome (no JSON tree of its
 * groups: a large draw has hundreds of thousands) and stored with its SHA-256. Returns 0 and
 * *summary (caller decrefs): the record without its lists selected and assignments, plus
 * selected_count, group_count and record_sha256; the record itself is read with
 * draw_store_get. -1 on a storage error. */
int draw_store_run(Db *db, const char *task, const json_t *values, long long now,
                   const char *drawn_at, const char *by, json_t **summary, char **err);
/* Records the dice of the task's frozen draw (a JSON array of strings, one per dice source in
 * declared order) at `now`, which must be before the earliest external source: a dice string
 * typed once the lottery is known could be chosen to steer the draw. Once, never changed; the run
 * then takes exactly these. `at` is now in RFC 3339. Returns 0 and *dice {values, recorded_at},
 * 1 refused (*err), -1 storage error. */
int draw_store_dice(Db *db, const char *task, const json_t *values, long long now, const char *at,
                    const char *by, const char *observers, json_t **dice, char **err);
/* The dice recorded for the task's current draw: {values, recorded_at (RFC 3339), observers?}, or
 * NULL when none (caller decrefs). */
json_t *draw_store_dice_get(Db *db, const char *task);
/* Records a substitution (type "target" or "officer") on the task's drawn draw and re-derives
 * the groups; *event receives the computed event (with its replacement). Returns 0/1/-1. */
int draw_store_substitute(Db *db, const char *task, const char *type, const char *target,
                          const char *officer, const char *reason, const char *by, json_t **event,
                          char **err);
/* Reads the frozen population file of draw draw_id (the draw table's id) straight from the
 * database, parses it and checks its SHA-256 against the digest frozen with it. Returns 0,
 * or -1 with *err (*pop is then empty). `draw run` and `draw substitute` load it this way. */
int draw_store_load_population(Db *db, int64_t draw_id, DrawPop *pop, char **err);
/* Reads draw draw_no of task (0: the current one). *doc receives the full record when drawn
 * (read from draw_record: the whole record, for the pages and commands that show or verify it),
 * else {"format","freeze","freeze_sha256"}; population/officers (may be NULL) receive the
 * frozen files; *status the status text. Returns 0, 1 when absent, -1 on error. */
int draw_store_get(Db *db, const char *task, int draw_no, json_t **doc, char **population,
                   char **officers, char **status, char **err);
/* The stored canonical text of draw draw_id's record, byte for byte (its SHA-256 is the draw's
 * record_sha256), read straight into *out (caller frees; NUL-terminated, *len bytes). The one
 * reader of the record's text: the downloads and the pages' head read it through here. Returns
 * DB_OK, DB_DONE when the draw has no record (not run) or does not exist, DB_ERR. */
int draw_store_record_text(Db *db, int64_t draw_id, char **out, size_t *len);
/* The task's current draw for the pages without its per-target lists: *doc as draw_store_get's
 * but without "assignments" and "selected" (the groups are read a page at a time from the rows
 * derived from them: draw_groups.h), and freeze.excluded given as its number, excluded_count; the
 * record's text is stepped over there, not parsed, and a drawn record's head is kept in the read
 * cache by its record_sha256 (readcache_get_content). *draw_id
 * and *status (may be NULL; caller frees). Returns 0, 1 when the task has no current draw, -1 on
 * error (*err). */
int draw_store_head(Db *db, const char *task, json_t **doc, int64_t *draw_id, char **status,
                    char **err);
/* What a task page says of the task's current draw, from the draw row alone: {id, draw_no, status,
 * freeze_sha256, record_sha256?, groups? (once drawn)}; NULL when there is none or on error. */
json_t *draw_store_summary(Db *db, const char *task);
/* The bytes of one file of draw draw_no of task (0: the current one), as stored: what 0 the
 * record (a draw not yet run: its freeze as {"format","freeze","freeze_sha256"} in canonical
 * JSON), 1 the population file, 2 the officer file. *out (caller frees) and *len; *draw_no_out
 * (may be NULL) the draw's number. Returns 0, 1 when absent (*err), -1 on error (*err). */
int draw_store_file_text(Db *db, const char *task, int draw_no, int what, char **out, size_t *len,
                         int *draw_no_out, char **err);
/* 1 when s (may be NULL) holds a control character (below U+0020, or DEL): such text may not
 * enter a frozen file or a draw record, which must stay verifiable by any reader. */
int draw_text_has_control(const char *s);
/* Checks every stored draw against itself (for `spotcheck audit verify`): each frozen file
 * against the digest frozen with it, the freeze against freeze_sha256, and each drawn record
 * recomputed from the frozen files, its randomness and the append-only substitution rows
 * (draw_verify), so an edit made with the database file shows. Appends one Chinese line per
 * problem to problems; *checked receives the number of draws. Returns 0 when all agree, 1 on a
 * problem, -1 with *err on a database error. */
int draw_store_check(Db *db, Buf *problems, int64_t *checked, char **err);
/* All draws of a task, oldest first: [{draw_no,status,frozen_at,drawn_at,redraw_reason,…}]. */
int draw_store_list(Db *db, const char *task, json_t **list, char **err);

#endif
