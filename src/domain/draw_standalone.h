/* draw_standalone.h - draws under codes that are not tasks (`spotcheck draw` for benchmarks,
 * rehearsals and the tamper tests): each step is one unit of work, the draw_store change and its
 * audit row (entity "draw", the code) in one transaction. A task's draw goes through task_draw.h.
 */
#ifndef SPOTCHECK_DRAW_STANDALONE_H
#define SPOTCHECK_DRAW_STANDALONE_H

#include "draw_store.h"

/* Each returns 0, or non-zero with *err (the transaction rolled back). `by` may be NULL ("cli"). */

/* Freezes (or, with req->redraw_reason and req->redraw_approver, re-draws) at the clock's time;
 * req->now and req->frozen_at are filled here. *fsha receives the freeze digest (caller frees). */
int draw_standalone_freeze(Db *db, DrawFreezeReq *req, char **fsha, char **err);
/* Records the dice before the earliest external source (draw_store_dice); *dice caller decrefs. */
int draw_standalone_dice(Db *db, const char *task, const json_t *values, const char *by,
                         const char *observers, json_t **dice, char **err);
/* Runs the frozen draw with one value per source; *summary (draw_store_run) caller decrefs. */
int draw_standalone_run(Db *db, const char *task, const json_t *values, const char *by,
                        json_t **summary, char **err);
/* Substitutes target (or officer on target's group); *event caller decrefs. */
int draw_standalone_substitute(Db *db, const char *task, const char *target, const char *officer,
                               const char *reason, const char *by, json_t **event, char **err);

#endif
