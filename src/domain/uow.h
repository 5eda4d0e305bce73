/* uow.h - the frame of one unit of work: begin, change, audit row, commit — or roll back.
 *
 * Every domain function that changes data opens its own transaction here, writes its audit row with
 * the actor (actor.h) and ends it here, so that the pages, the API and the command line that call
 * it cannot forget either. Pages and commands never call db_begin themselves
 * (tools/check_layers.sh). */
#ifndef SPOTCHECK_UOW_H
#define SPOTCHECK_UOW_H

#include "../db/db.h"
#include "actor.h"

#include <stddef.h>
#include <stdint.h>

/* Opens the transaction, excluding every other writing unit (DB_TX_ALL: what the unit reads
 * stays true until it commits): 0, or -1 with "数据库忙，请稍后重试" in *err. */
int uow_begin(Db *db, char **err);

/* Opens the transaction of a unit whose rules read and change one row of `table` (a trusted
 * identifier), `id`, and the rows only it owns (a record's items and violations): DB_TX_ROWS with
 * that row locked (db_lock_row), so units on other rows run side by side (PostgreSQL) and one on
 * the same row waits, then reads what the other committed. Every unit that changes that row by
 * its rules must open with it (or uow_begin). 0, or -1 with "数据库忙，请稍后重试" in *err. */
int uow_begin_row(Db *db, const char *table, int64_t id, char **err);

/* Opens the transaction of a unit whose rules need only row-level exclusivity (DB_TX_ROWS), without
 * locking anything yet: the unit then locks, before it reads what it decides on, the rows that
 * carry its rules (uow_lock_rows) and the subjects that are no one row (db_lock). Also for a unit
 * whose only change is its audit row (the chain's append takes its own lock). 0, or -1 with
 * "数据库忙，请稍后重试" in *err.
 *
 * The order of locks, so that two units cannot wait for each other: a unit locks rows table by
 * table in this order — plan_version, plan_adhoc, task, record, followup, account, officer,
 * target —, the rows of one table in ascending id order (uow_lock_rows sorts them), then the
 * tables a unit holds still (db_hold_tables: a freeze's population), then names (db_lock:
 * "login", "session", "notice", "draw"), and the audit chain's head last (audit_append). A row a
 * unit changes without having locked it first (a trigger's counter, an idle session it deletes)
 * may still make two units wait for each other: the deadlock cancels one (DBE_CONFLICT) and the
 * runner runs it again (uow_attempt_again). */
int uow_begin_rows(Db *db, char **err);

/* Inside a unit opened by uow_begin_rows or uow_begin_row: locks the rows of `table` (a trusted
 * identifier) whose ids are ids[0..n), each once, in ascending id order (missing rows lock
 * nothing). 0, or -1 with "数据库忙，请稍后重试" in *err (the caller ends the unit with
 * uow_end(db, 0, …)). */
int uow_lock_rows(Db *db, const char *table, const int64_t *ids, size_t n, char **err);

/* The unit-of-work runner's question (the web server's dispatch, app.c, with the request's Db; the
 * command line's, main.c, with db NULL: every connection of the process, since a command opens
 * its own): an attempt — one request's handler, one command — starts with uow_attempt_start; after
 * it, uow_attempt_again says 1 when the attempt should run again: a statement of it failed because
 * of another transaction (deadlock, serialization failure: DBE_CONFLICT, PostgreSQL only) and none
 * of its units committed, so running it again repeats nothing. The caller bounds the attempts
 * (UOW_ATTEMPTS). */
typedef struct UowAttempt {
    uint64_t conflicts, commits;
} UowAttempt;
#define UOW_ATTEMPTS 4
void uow_attempt_start(Db *db, UowAttempt *a);
int uow_attempt_again(Db *db, const UowAttempt *a);

/* The audit row of the change, inside the transaction: entity and its id (0: none), the org whose
 * data changed (0: the "org_id" of after or before when they have one, else the actor's), before
 * and after as JSON text or NULL. 0, or -1 with the reason in *err. */
int uow_audit(Db *db, const Actor *who, const char *action, const char *entity, int64_t entity_id,
              int64_t org_id, const char *before, const char *after, char **err);

/* A unit whose only change is its audit row (an export: who took which data out; a logout):
 * uow_begin_rows,
 * uow_audit with these arguments but without a state digest (audit_state.h: it changed no state to
 * vouch for), end. 0, or -1 with *err — then whatever it records must not go
 * ahead (an export is not handed out). */
int uow_record(Db *db, const Actor *who, const char *action, const char *entity, int64_t entity_id,
               int64_t org_id, const char *before, const char *after, char **err);

/* Ends the unit: commits when ok (a failed commit sets *err "保存失败：…"), otherwise rolls back.
 * Returns 1 when committed, 0 when rolled back. */
int uow_end(Db *db, int ok, char **err);

#endif
