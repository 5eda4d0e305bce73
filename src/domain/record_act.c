/* record_act.c - the units of work on record forms (see record_act.h): begin, the rule of
 * record.c, the audit row, commit or roll back. Callers: src/web/page_record.c (the lists' sync)
 * and page_record_fill.c (the officer's form and the offline draft's JSON save). */
#include "record_act.h"
#include "account.h"
#include "account.h"

#include "../core/clock.h"
#include "../core/util.h"
#include "record.h"
#include "readcache.h"
#include "record_query.h"
#include "scope.h"
#include "uow.h"

#include <stdio.h>
#include <stdlib.h>

/* The audit row of a change to record id: its snapshot now, with `change` (JSON text or NULL)
 * under "change". 0 or -1. */
static int audit(Db *db, const Actor *who, const char *action, int64_t id, const char *before,
                 const char *change) {
    char *snap = record_snapshot_text(db, id), *after = snap;
    if (change && snap) {
        json_t *a = json_loads(snap, 0, NULL), *x = json_loads(change, 0, NULL);
        if (a && x) json_object_set(a, "change", x);
        after = a ? json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(a);
        json_decref(x);
        free(snap);
    }
    char *why = NULL;
    int rc = uow_audit(db, who, action, "record", id, 0, before, after, &why);
    free(why);
    free(after);
    return rc;
}

/* Writes the audit row when rc is REC_OK and ends the unit. A failed audit row or commit turns
 * REC_OK into REC_ERR with `fail` in *err; any other rc is returned with its own reason. */
static int finish(Db *db, const Actor *who, int rc, const char *action, int64_t id,
                  const char *before, const char *change, const char *fail, char **err) {
    int ok = rc == REC_OK && audit(db, who, action, id, before, change) == 0;
    if (uow_end(db, ok, NULL)) return REC_OK;
    if (rc == REC_OK) rc = REC_ERR, set_err(err, "%s", fail);
    return rc;
}

/* ---- sync ---- */

/* task_missing_records read (ReadcacheFn; arg: the task id): a JSON boolean, NULL when
 * unreadable. */
static json_t *missing_read(Db *db, void *arg, char **err) {
    (void)err;
    int64_t missing = 0, task = *(const int64_t *)arg;
    if (db_query_int(
            db, &missing,
            "SELECT EXISTS (SELECT 1 FROM task t JOIN draw d ON d.task_code = t.code AND "
            "d.status = '已抽取' "
            "JOIN draw_target dt ON dt.draw_id = d.id AND dt.status = '有效' WHERE t.id = ? "
            "AND NOT EXISTS "
            "(SELECT 1 FROM record rc WHERE rc.draw_id = dt.draw_id AND rc.target_code = "
            "dt.target_code))",
            "i", task) != DB_OK)
        return NULL;
    return json_boolean(missing != 0);
}

/* Whether a task's current draw has a valid target without its record yet; -1 when unreadable.
 * Every list of records asks this for every task of the scope (a probe per drawn target), and the
 * answer changes only with audited changes (a draw, the records' creation): kept per data version
 * (readcache.h). */
static int task_missing_records(Db *db, int64_t task) {
    char key[64];
    snprintf(key, sizeof key, "record_missing/%lld", (long long)task);
    json_t *v = readcache_get(db, key, missing_read, &task, NULL);
    int missing = v ? json_is_true(v) : -1;
    json_decref(v);
    return missing;
}

/* The ids of the tasks record_act_sync looks at (see record_act.h); *n receives the count. */
static int64_t *sync_task_ids(Db *db, const Actor *who, const char *cert, size_t *n) {
    *n = 0;
    Stmt *st =
        cert
            ? db_prepare(db, "SELECT DISTINCT t.id FROM draw_member m JOIN draw d ON d.id = "
                             "m.draw_id JOIN task t ON t.code = "
                             "d.task_code WHERE m.member_code = ? AND m.status = '在组' AND "
                             "d.status = '已抽取' AND " SCOPE_SQL("t.org_id"))
            : db_prepare(db, "SELECT t.id FROM task t WHERE " SCOPE_SQL(
                                 "t.org_id") " AND EXISTS (SELECT 1 FROM draw d "
                                             "WHERE d.task_code = t.code AND d.status = '已抽取')");
    if (!st) return NULL;
    if (cert)
        db_bind_va(st, "ti", cert, who->org_id);
    else
        db_bind_int(st, 1, who->org_id);
    int64_t *v = NULL;
    size_t cap = 0;
    while (db_step(st) == DB_ROW) {
        if (*n == cap) v = xrealloc(v, (cap = cap ? cap * 2 : 8) * sizeof *v);
        v[(*n)++] = db_col_int(st, 0);
    }
    db_finalize(st);
    return v;
}

/* Creates the records of one task and writes its audit row when it got any. 0 or -1. */
static int sync_one(Db *db, const Actor *who, int64_t task, char **err) {
    int created = 0;
    if (record_sync_task(db, task, &created, err) != REC_OK) return -1;
    if (!created) return 0;
    int64_t org = 0;
    if (db_query_int(db, &org, "SELECT org_id FROM task WHERE id = ?", "i", task) != DB_OK)
        return set_err(err, "数据库错误：%s", db_errmsg(db));
    char *after = xasprintf("{\"task_id\":%lld,\"created\":%d,\"org_id\":\"%lld\"}",
                            (long long)task, created, (long long)org);
    int rc = uow_audit(db, who, "record.sync", "task", task, 0, NULL, after, err);
    free(after);
    return rc;
}

int record_act_sync(Db *db, const Actor *who, const char *cert, char **err) {
    size_t n = 0;
    int need = 0;
    int64_t *tasks = sync_task_ids(db, who, cert, &n);
    for (size_t i = 0; i < n && !need; i++)
        need = task_missing_records(db, tasks[i]);
    int ok = 1;
    if (need < 0)
        ok = (set_err(err, "数据库错误：%s", db_errmsg(db)), 0);
    else if (need && uow_begin_rows(db, err) == 0) {
        /* the tasks' rows: two users opening one draw's records create them once (the second
         * waits, then finds them), while records of other tasks are saved meanwhile; a draw step,
         * which replaces what a task's records come from, locks the same task row first
         * (draw_store_begin), so it runs before this sync or after it, never during */
        ok = uow_lock_rows(db, "task", tasks, n, err) == 0;
        for (size_t i = 0; ok && i < n; i++)
            ok = sync_one(db, who, tasks[i], err) == 0;
        ok = uow_end(db, ok, err);
    } else if (need)
        ok = 0;
    free(tasks);
    return ok ? REC_OK : REC_ERR;
}

/* ---- the officer's form ---- */

/* The rule of every change to a record's form: only a current member (在组) of the record's group
 * fills it (谁检查、谁录入) — the console (org 0) excepted. REC_NOT_FOUND otherwise, as if the
 * record did not exist, the answer the page gives. */
static int in_group(Db *db, const Actor *who, int64_t id, char **err) {
    if (!who->org_id) return REC_OK;
    char *cert = account_officer_cert(db, account_id(db, who->username));
    int ok = cert && record_officer_in_group(db, id, cert);
    free(cert);
    return ok ? REC_OK
              : (set_err(err, "检查记录不存在或不在您的检查组、管辖范围内"), REC_NOT_FOUND);
}

int record_act_save(Db *db, const Actor *who, int64_t id, const json_t *input, int64_t version,
                    json_t *errors, int64_t *written, char **err) {
    char today[11];
    clock_today(today);
    if (in_group(db, who, id, err) != REC_OK) return REC_NOT_FOUND;
    if (uow_begin_row(db, "record", id, err)) return REC_ERR;
    char *before = record_snapshot_text(db, id);
    int rc = record_save(db, id, input, version, today, who->username, errors, err);
    if (rc == REC_OK && written) record_version_status(db, id, written, NULL);
    rc = finish(db, who, rc, "record.save", id, before, NULL, "保存失败", err);
    free(before);
    return rc;
}

int record_act_submit(Db *db, const Actor *who, int64_t id, json_t *errors, char **err) {
    char today[11];
    clock_today(today);
    if (in_group(db, who, id, err) != REC_OK) return REC_NOT_FOUND;
    if (uow_begin_row(db, "record", id, err)) return REC_ERR;
    char *before = record_snapshot_text(db, id);
    int rc = record_submit(db, id, today, who->username, errors, err);
    rc = finish(db, who, rc, "record.submit", id, before, NULL, "提交失败", err);
    free(before);
    return rc;
}

/* ---- files ---- */

int record_act_file_add(Db *db, const Actor *who, int64_t id, const char *files_dir,
                        const unsigned char *data, size_t len, const char *original_name,
                        char **err) {
    if (in_group(db, who, id, err) != REC_OK) return REC_NOT_FOUND;
    if (uow_begin_row(db, "record", id, err)) return REC_ERR;
    int64_t fid = 0;
    int rc = record_file_add(db, id, files_dir, "auto", data, len, original_name, who->username,
                             &fid, err);
    char *change =
        rc == REC_OK ? xasprintf("{\"file_id\":%lld,\"size\":%zu}", (long long)fid, len) : NULL;
    rc = finish(db, who, rc, "record.file.add", id, NULL, change, "保存失败", err);
    free(change);
    return rc;
}

int record_act_signature(Db *db, const Actor *who, int64_t id, const char *files_dir,
                         const unsigned char *png, size_t len, const char *signer_name,
                         char **err) {
    if (in_group(db, who, id, err) != REC_OK) return REC_NOT_FOUND;
    if (uow_begin_row(db, "record", id, err)) return REC_ERR;
    int64_t fid = 0;
    int rc =
        record_signature_set(db, id, files_dir, png, len, signer_name, who->username, &fid, err);
    char *change = rc == REC_OK
                       ? xasprintf("{\"signature_file_id\":%lld,\"size\":%zu}", (long long)fid, len)
                       : NULL;
    rc = finish(db, who, rc, "record.signature", id, NULL, change, "保存失败", err);
    free(change);
    return rc;
}

int record_act_file_withdraw(Db *db, const Actor *who, int64_t id, int64_t fid, const char *reason,
                             char **err) {
    if (in_group(db, who, id, err) != REC_OK) return REC_NOT_FOUND;
    if (uow_begin_row(db, "record", id, err)) return REC_ERR;
    int rc = record_file_withdraw(db, id, fid, reason, who->username, err);
    char *change = NULL;
    if (rc == REC_OK) {
        json_t *c = json_pack("{s:I, s:s}", "withdrawn_file_id", (json_int_t)fid, "reason",
                              reason ? reason : "");
        change = json_dumps(c, JSON_COMPACT);
        json_decref(c);
    }
    rc = finish(db, who, rc, "record.file.withdraw", id, NULL, change, "保存失败", err);
    free(change);
    return rc;
}
