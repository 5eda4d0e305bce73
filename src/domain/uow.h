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

#include <stdint.h>

/* Opens the transaction: 0, or -1 with "数据库忙，请稍后重试" in *err. */
int uow_begin(Db *db, char **err);

/* The audit row of the change, inside the transaction: entity and its id (0: none), the org whose
 * data changed (0: the "org_id" of after or before when they have one, else the actor's), before
 * and after as JSON text or NULL. 0, or -1 with the reason in *err. */
int uow_audit(Db *db, const Actor *who, const char *action, const char *entity, int64_t entity_id,
              int64_t org_id, const char *before, const char *after, char **err);

/* A unit whose only change is its audit row (an export: who took which data out; a logout): begin,
 * uow_audit with these arguments but without a state digest (audit_state.h: it changed no state to
 * vouch for), end. 0, or -1 with *err — then whatever it records must not go
 * ahead (an export is not handed out). */
int uow_record(Db *db, const Actor *who, const char *action, const char *entity, int64_t entity_id,
               int64_t org_id, const char *before, const char *after, char **err);

/* Ends the unit: commits when ok (a failed commit sets *err "保存失败：…"), otherwise rolls back.
 * Returns 1 when committed, 0 when rolled back. */
int uow_end(Db *db, int ok, char **err);

#endif
