/* uow.c - the frame of one unit of work (see uow.h). */
#include "uow.h"

#include "../core/util.h"
#include "audit.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The org a change belongs to when the caller gives none: the row's own org_id (after, else
 * before), else the actor's. */
static int64_t org_of(const Actor *who, const char *before, const char *after) {
    const char *src[] = {after, before};
    for (int i = 0; i < 2; i++) {
        if (!src[i]) continue;
        json_t *o = json_loads(src[i], 0, NULL);
        json_t *v = json_object_get(o, "org_id");
        int64_t id = json_is_string(v)    ? atoll(json_string_value(v))
                     : json_is_integer(v) ? json_integer_value(v)
                                          : 0;
        json_decref(o);
        if (id) return id;
    }
    return who ? who->org_id : 0;
}

int uow_begin(Db *db, char **err) {
    return db_begin(db) == DB_OK ? 0 : set_err(err, "数据库忙，请稍后重试");
}

int uow_begin_rows(Db *db, char **err) {
    return db_begin_kind(db, DB_TX_ROWS) == DB_OK ? 0 : set_err(err, "数据库忙，请稍后重试");
}

static int id_cmp(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int uow_lock_rows(Db *db, const char *table, const int64_t *ids, size_t n, char **err) {
    int64_t *sorted = xcalloc(n ? n : 1, sizeof *sorted);
    memcpy(sorted, ids, n * sizeof *ids);
    qsort(sorted, n, sizeof *sorted, id_cmp);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || sorted[i] != sorted[m - 1]) sorted[m++] = sorted[i];
    int rc = db_lock_rows(db, table, sorted, m) == DB_OK ? 0 : set_err(err, "数据库忙，请稍后重试");
    free(sorted);
    return rc;
}

int uow_begin_row(Db *db, const char *table, int64_t id, char **err) {
    if (uow_begin_rows(db, err) != 0) return -1;
    if (uow_lock_rows(db, table, &id, 1, err) == 0) return 0;
    db_rollback(db);
    return -1;
}

void uow_attempt_start(Db *db, UowAttempt *a) {
    a->conflicts = db_conflicts(db);
    a->commits = db_commits(db);
}

int uow_attempt_again(Db *db, const UowAttempt *a) {
    return db_conflicts(db) != a->conflicts && db_commits(db) == a->commits;
}

/* The audit row; no_digest for a unit that changed nothing but the log (uow_record). */
static int audit_row(Db *db, const Actor *who, const char *action, const char *entity,
                     int64_t entity_id, int64_t org_id, const char *before, const char *after,
                     int no_digest, char **err) {
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)entity_id);
    AuditEntry e = {.actor = who && who->username ? who->username : "cli",
                    .org_id = org_id ? org_id : org_of(who, before, after),
                    .action = action,
                    .entity = entity,
                    .entity_id = entity_id ? id : NULL,
                    .before = before,
                    .after = after,
                    .remote = who ? who->remote : NULL,
                    .no_digest = no_digest};
    return audit_append(db, &e, err) == DB_OK ? 0 : -1;
}

int uow_audit(Db *db, const Actor *who, const char *action, const char *entity, int64_t entity_id,
              int64_t org_id, const char *before, const char *after, char **err) {
    return audit_row(db, who, action, entity, entity_id, org_id, before, after, 0, err);
}

int uow_end(Db *db, int ok, char **err) {
    if (ok && db_commit(db) != DB_OK) {
        set_err(err, "保存失败：%s", db_errmsg(db));
        ok = 0;
    }
    if (!ok) db_rollback(db);
    return ok;
}

int uow_record(Db *db, const Actor *who, const char *action, const char *entity, int64_t entity_id,
               int64_t org_id, const char *before, const char *after, char **err) {
    int ok = uow_begin_rows(db, err) == 0 &&
             audit_row(db, who, action, entity, entity_id, org_id, before, after, 1, err) == 0;
    return uow_end(db, ok, err) ? 0 : -1;
}
