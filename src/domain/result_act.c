/* result_act.c - review, publication and the exchange export as units of work (see
 * result_act.h): begin, the rule of result.c, the audit row, commit or roll back. Row units
 * (uow.h): a review locks its record, a publication its records and then their targets, so
 * reviews and publications of other records run beside them and beside the record saves. Callers:
 * src/web/page_result.c and page_result_api.c. */
#include "result_act.h"

#include "../core/clock.h"
#include "../core/util.h"
#include "record_query.h"
#include "result.h"
#include "scope.h"
#include "uow.h"

#include <stdio.h>
#include <stdlib.h>

/* An audit snapshot of a record: {id, org_id, status, target_code, task_id, review_opinion,
 * published}; new string or NULL when absent. */
static char *snapshot(Db *db, int64_t id) {
    json_t *o = NULL;
    Stmt *st = db_prepare(db, "SELECT org_id, status, target_code, task_id, review_opinion, "
                              "published_json FROM record WHERE id = ?");
    if (st) {
        db_bind_int(st, 1, id);
        if (db_step(st) == DB_ROW) {
            char org[24];
            snprintf(org, sizeof org, "%lld", (long long)db_col_int(st, 0));
            o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:s?}", "id", (json_int_t)id, "org_id", org,
                          "status", db_col_text(st, 1), "target_code", db_col_text(st, 2),
                          "task_id", (json_int_t)db_col_int(st, 3), "review_opinion",
                          db_col_text(st, 4));
            if (db_col_text(st, 5))
                json_object_set_new(o, "published", json_loads(db_col_text(st, 5), 0, NULL));
        }
        db_finalize(st);
    }
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    return s;
}

/* The audit row of a change to record id (after: its snapshot now). 0, or -1 with
 * "审计日志写入失败" in *err. */
static int audit(Db *db, const Actor *who, const char *action, int64_t id, const char *before,
                 char **err) {
    char *after = snapshot(db, id), *why = NULL;
    int rc = uow_audit(db, who, action, "record", id, 0, before, after, &why);
    free(why);
    free(after);
    return rc ? set_err(err, "审计日志写入失败") : 0;
}

int result_act_review(Db *db, const Actor *who, int64_t id, const char *action, const char *opinion,
                      char **err) {
    if (uow_begin_row(db, "record", id, err)) return RESULT_ERR;
    char today[11];
    clock_today(today);
    char *before = snapshot(db, id);
    int rc = result_review(db, id, action, who->username, opinion, today, err);
    if (rc == RESULT_OK &&
        audit(db, who, str_eq(action, "return") ? "record.return" : "record.approve", id, before,
              err))
        rc = RESULT_ERR;
    if (!uow_end(db, rc == RESULT_OK, err) && rc == RESULT_OK) rc = RESULT_ERR;
    free(before);
    return rc;
}

/* 1 when record id exists and belongs to who's own org: publishing is the org's own act, an
 * upper level does not publish for a lower one. */
static int own_record(Db *db, const Actor *who, int64_t id) {
    return scope_of(db, who->org_id, record_org(db, id)) == SCOPE_WRITE;
}

/* The distinct ids of who's own records (*nmine of them, caller frees); the others are added to
 * problems. */
static int64_t *own_ids(Db *db, const Actor *who, const int64_t *ids, size_t n, json_t *problems,
                        size_t *nmine) {
    int64_t *mine = xcalloc(n ? n : 1, sizeof *mine);
    *nmine = 0;
    for (size_t i = 0; i < n; i++) {
        int dup = 0;
        for (size_t j = 0; j < *nmine; j++)
            dup |= mine[j] == ids[i];
        if (dup) continue;
        if (own_record(db, who, ids[i]))
            mine[(*nmine)++] = ids[i];
        else
            json_array_append_new(problems,
                                  json_pack("{s:I, s:s}", "id", (json_int_t)ids[i], "message",
                                            "检查记录不存在或不在您的管辖范围内"));
    }
    return mine;
}

/* Opens the publication's unit: the records' rows locked, then those of their targets (whose
 * last_checked_on and version publication moves on), in the order of uow.h. 0, or -1 with *err. */
static int publish_begin(Db *db, const int64_t *ids, size_t n, char **err) {
    if (uow_begin_rows(db, err)) return -1;
    int64_t *targets = xcalloc(n ? n : 1, sizeof *targets);
    int rc = uow_lock_rows(db, "record", ids, n, err);
    for (size_t i = 0; i < n && rc == 0; i++)
        if (db_query_int(db, &targets[i],
                         "SELECT coalesce(r.target_id, (SELECT x.id FROM target x WHERE x.code = "
                         "r.target_code)) FROM record r WHERE r.id = ?",
                         "i", ids[i]) != DB_OK)
            rc = set_err(err, "数据库错误：%s", db_errmsg(db));
    if (rc == 0) rc = uow_lock_rows(db, "target", targets, n, err);
    free(targets);
    if (rc) db_rollback(db);
    return rc;
}

/* After a successful batch: counts the late publications and writes one audit row per record. */
static int publish_audit(Db *db, const Actor *who, const int64_t *ids, size_t n, char **before,
                         size_t *late, char **err) {
    for (size_t i = 0; i < n; i++) {
        int64_t is_late = 0;
        if (db_query_int(
                db, &is_late,
                "SELECT count(*) FROM record_event WHERE record_id = ? AND action = '公示' "
                "AND opinion LIKE '逾期公示%'",
                "i", ids[i]) != DB_OK)
            return set_err(err, "数据库错误：%s", db_errmsg(db)), RESULT_ERR;
        *late += is_late > 0;
        if (audit(db, who, "record.publish", ids[i], before[i], err)) return RESULT_ERR;
    }
    return RESULT_OK;
}

int result_act_publish(Db *db, const Actor *who, const int64_t *ids, size_t n, const Calendar *cal,
                       json_t *problems, size_t *late, size_t *published, char **err) {
    *late = *published = 0;
    if (!n) return RESULT_INVALID;
    /* records out of scope are problems too; the others are still tried (and rolled back) so
     * that every problem is reported at once */
    size_t nmine = 0;
    int64_t *mine = own_ids(db, who, ids, n, problems, &nmine);
    int out_of_scope = json_array_size(problems) > 0;
    if (publish_begin(db, mine, nmine, err)) {
        free(mine);
        return RESULT_ERR;
    }
    char today[11];
    clock_today(today);
    char **before = xcalloc(nmine ? nmine : 1, sizeof *before);
    for (size_t i = 0; i < nmine; i++)
        before[i] = snapshot(db, mine[i]);
    size_t done = 0;
    int rc = nmine
                 ? result_publish_batch(db, mine, nmine, cal, today, who->username, problems, &done)
                 : RESULT_OK;
    if (rc == RESULT_OK && out_of_scope) rc = RESULT_CONFLICT;
    if (rc == RESULT_OK) rc = publish_audit(db, who, mine, nmine, before, late, err);
    if (!uow_end(db, rc == RESULT_OK, err) && rc == RESULT_OK) rc = RESULT_ERR;
    if (rc == RESULT_OK) *published = nmine; /* distinct ids, all published */
    for (size_t i = 0; i < nmine; i++)
        free(before[i]);
    free(before);
    free(mine);
    return rc;
}

int result_act_exchange(Db *db, const Actor *who, const char *format, const char *from,
                        const char *to, json_t **rows, char **err) {
    *rows = NULL;
    if (uow_begin_rows(db, err)) return RESULT_BUSY; /* its only change is the audit row */
    json_t *found = result_exchange_rows(db, who->org_id, from, to);
    json_t *a = json_pack("{s:s, s:s?, s:s?, s:I}", "format", format, "from", from, "to", to,
                          "rows", (json_int_t)json_array_size(found));
    char *after = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS), *why = NULL;
    json_decref(a);
    int ok = uow_audit(db, who, "result.exchange", "record", 0, 0, NULL, after, &why) == 0;
    free(why);
    free(after);
    if (!uow_end(db, ok, NULL)) {
        json_decref(found);
        return set_err(err, "导出失败：审计日志写入失败"), RESULT_ERR;
    }
    *rows = found;
    return RESULT_OK;
}
