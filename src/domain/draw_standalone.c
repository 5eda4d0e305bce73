/* draw_standalone.c - see draw_standalone.h. */
#include "draw_standalone.h"

#include "../core/clock.h"
#include "audit.h"

#include <stdlib.h>

/* Ends a step: when r is 0, appends the audit row (after: JSON, stolen) and commits; otherwise, or
 * when either fails, rolls back. Returns 0 or non-zero with *err. */
static int step_end(Db *db, int r, const char *by, const char *task, const char *action,
                    json_t *after, char **err) {
    if (!r) {
        char *text = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS);
        AuditEntry e = {.actor = by ? by : "cli",
                        .action = action,
                        .entity = "draw",
                        .entity_id = task,
                        .after = text};
        r = audit_append(db, &e, err) == DB_OK ? 0 : -1;
        free(text);
    }
    json_decref(after);
    if (!r && db_commit(db)) {
        set_err(err, "%s", db_errmsg(db));
        r = -1;
    }
    if (r) db_rollback(db);
    return r;
}

/* draw_store_begin, then the rule that makes a code standalone: no task has it. The command line
 * looks for a task before it comes here, outside the unit; a task that started since then took
 * the code's name lock (task.c's code_has_draw) and committed before this unit got it, so its row
 * is seen here; one that starts later waits for this unit and then finds its draw. */
static int standalone_begin(Db *db, const char *task, int also, char **err) {
    if (draw_store_begin(db, task, also, err)) return -1;
    int64_t n = 0;
    if (db_query_int(db, &n, "SELECT count(*) FROM task WHERE code = ?", "t", task) != DB_OK)
        set_err(err, "数据库错误: %s", db_errmsg(db));
    else if (n)
        set_err(err, "%s 是抽查任务的编号（任务刚刚开始）：请重新执行命令，按任务抽取", task);
    else
        return 0;
    db_rollback(db);
    return -1;
}

int draw_standalone_freeze(Db *db, DrawFreezeReq *req, char **fsha, char **err) {
    char frozen_at[26];
    clock_now_rfc3339(frozen_at);
    req->now = clock_epoch();
    req->frozen_at = frozen_at;
    *fsha = NULL;
    int also = DRAW_HOLD_POPULATION | (req->redraw_reason ? DRAW_HOLD_RECORDS : 0);
    if (standalone_begin(db, req->task, also, err)) return -1;
    int redraw = req->redraw_reason != NULL, r = draw_store_freeze(db, req, fsha, err);
    json_t *after =
        r ? NULL
          : json_pack("{s:s, s:O, s:s?, s:s?}", "freeze_sha256", *fsha, "sources", req->sources,
                      "reason", req->redraw_reason, "approver", req->redraw_approver);
    r = step_end(db, r, req->by, req->task, redraw ? "draw.redraw" : "draw.freeze", after, err);
    req->frozen_at = NULL; /* the buffer ends here */
    if (r) {
        free(*fsha);
        *fsha = NULL;
    }
    return r;
}

int draw_standalone_dice(Db *db, const char *task, const json_t *values, const char *by,
                         const char *observers, json_t **dice, char **err) {
    char at[26];
    clock_now_rfc3339(at);
    *dice = NULL;
    if (standalone_begin(db, task, 0, err)) return -1;
    int r =
        draw_store_dice(db, task, values, clock_epoch(), at, by ? by : "cli", observers, dice, err);
    r = step_end(db, r, by, task, "draw.dice", r ? NULL : json_incref(*dice), err);
    if (r) {
        json_decref(*dice);
        *dice = NULL;
    }
    return r;
}

int draw_standalone_run(Db *db, const char *task, const json_t *values, const char *by,
                        json_t **summary, char **err) {
    char drawn_at[26];
    clock_now_rfc3339(drawn_at);
    *summary = NULL;
    if (standalone_begin(db, task, 0, err)) return -1;
    int r = draw_store_run(db, task, values, clock_epoch(), drawn_at, by, summary, err);
    json_t *after = r ? NULL
                      : json_pack("{s:O, s:s}", "values", json_object_get(*summary, "values"),
                                  "drawn_at", drawn_at);
    r = step_end(db, r, by, task, "draw.run", after, err);
    if (r) {
        json_decref(*summary);
        *summary = NULL;
    }
    return r;
}

int draw_standalone_substitute(Db *db, const char *task, const char *target, const char *officer,
                               const char *reason, const char *by, json_t **event, char **err) {
    *event = NULL;
    if (standalone_begin(db, task, DRAW_HOLD_RECORDS, err)) return -1;
    int r = draw_store_substitute(db, task, officer ? "officer" : "target", target, officer, reason,
                                  by, event, err);
    r = step_end(db, r, by, task, "draw.substitute", r ? NULL : json_pack("{s:O}", "event", *event),
                 err);
    if (r) {
        json_decref(*event);
        *event = NULL;
    }
    return r;
}
