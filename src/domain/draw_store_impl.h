/* draw_store_impl.h - what the files of the draw's database side (draw_store.c,
 * draw_store_files.c, draw_store_run.c) share. Internal to that module: nothing else includes
 * it; callers use draw_store.h. A Db is used by one thread at a time. */
#ifndef SPOTCHECK_DRAW_STORE_IMPL_H
#define SPOTCHECK_DRAW_STORE_IMPL_H

#include <stdint.h>

#include "../core/util.h"
#include "../db/db.h"

#include <jansson.h>

/* Sets *err to the database's last error message; returns -1. */
static inline int dberr(Db *db, char **err) {
    return set_err(err, "数据库错误: %s", db_errmsg(db));
}

/* The task's current draw (status not 已作废): *id and, when status is not NULL, *status (caller
 * frees). Returns 0 when found, 1 when the task has none, -1 on a database error. */
int draw_store_current(Db *db, const char *task, int64_t *id, char **status);

struct DrawTokenMap;
/* draw_store_population with insured persons named by tokens under salt (draw_token.h) when salt
 * is not NULL: ids in the file and in excluded are the tokens; the population's pairs are appended
 * to pairs as "token TAB code LF" lines in token order, and each excluded person's pair is added to
 * *map. Returns 0, 2 when a token equals another line's id or an excluded person's (draw a new salt
 * and build again), -1 with *err. */
int draw_store_population_tokens(Db *db, const json_t *params, const char *date, const char *task,
                                 const uint8_t *salt, struct DrawTokenMap *map, Buf *pairs,
                                 Buf *pop, json_t *excluded, char **err);

#endif
