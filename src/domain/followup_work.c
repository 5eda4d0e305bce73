/* followup_work.c - the units of work of the follow-up module (followup.h): each checks that the
 * follow-up belongs to the actor's own org, runs the row change of followup.c in one transaction
 * with the follow-up's row locked (its record's, to open one; uow_begin_row) and writes the audit
 * row with the row before and after. The pages and any command call these,
 * never the row functions. */
#include "followup.h"
#include "record_query.h"

#include "../core/util.h"
#include "followup_rows.h"
#include "scope.h"
#include "uow.h"

#include <stdlib.h>
#include <string.h>

/* 1 when who may change data of org: its own (the console, org 0, any). */
static int own_org(Db *db, const Actor *who, int64_t org) {
    return org > 0 && (!who->org_id || scope_of(db, who->org_id, org) == SCOPE_WRITE);
}

/* Ends a unit that changed one row of table `entity` (followup / transfer): the audit row with
 * before and the row as it is now (after, with `extra` merged in, may be NULL), then commit — or
 * roll back when rc is not FU_OK. Returns the final result. */
static int finish(Db *db, const Actor *who, int rc, const char *action, const char *entity,
                  int64_t id, const char *before, json_t *extra, char **err) {
    char *after = NULL;
    if (rc == FU_OK) {
        after = strcmp(entity, "transfer") ? followup_snapshot(db, id)
                                           : followup_transfer_snapshot(db, id);
        if (extra && after) {
            json_t *a = json_loads(after, 0, NULL);
            json_object_update(a, extra);
            free(after);
            after = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
            json_decref(a);
        }
        if (uow_audit(db, who, action, entity, id, 0, before, after, err) != 0) rc = FU_ERR;
    }
    if (!uow_end(db, rc == FU_OK, err) && rc == FU_OK) rc = FU_ERR;
    free(after);
    json_decref(extra);
    return rc;
}

static int refuse(const char *what, char **err) {
    return set_err(err, "%s不存在或不在您的管辖范围内（上级机构不能代为办理）", what), FU_NOT_FOUND;
}

int followup_open(Db *db, const Actor *who, int64_t record_id, const FollowupInput *in,
                  const char *today, int64_t *id_out, json_t *errors, char **err) {
    int64_t id = 0;
    if (!own_org(db, who, record_org(db, record_id))) return refuse("检查记录", err);
    if (uow_begin_row(db, "record", record_id, err) != 0) return FU_ERR;
    int rc = fu_open_rows(db, record_id, in, today, who->username, &id, errors, err);
    rc = finish(db, who, rc, "followup.open", "followup", id, NULL, NULL, err);
    if (id_out) *id_out = rc == FU_OK ? id : 0;
    return rc;
}

/* The frame of a change to an existing follow-up: scope, begin, the row before. */
static int begin_on(Db *db, const Actor *who, int64_t id, char **before, char **err) {
    *before = NULL;
    if (!own_org(db, who, followup_org(db, id))) return refuse("后续处置", err);
    if (uow_begin_row(db, "followup", id, err) != 0) return FU_ERR;
    *before = followup_snapshot(db, id);
    return FU_OK;
}

int followup_update(Db *db, const Actor *who, int64_t id, int64_t version, const FollowupInput *in,
                    const char *today, json_t *errors, char **err) {
    char *before;
    int rc = begin_on(db, who, id, &before, err);
    if (rc != FU_OK) return rc;
    rc = fu_update_rows(db, id, version, in, today, who->username, errors, err);
    rc = finish(db, who, rc, "followup.update", "followup", id, before, NULL, err);
    free(before);
    return rc;
}

int followup_publish_penalty(Db *db, const Actor *who, int64_t id, const char *on,
                             const char *today, const Calendar *cal, int *late, char **err) {
    char *before;
    int lt = -1, rc = begin_on(db, who, id, &before, err);
    if (rc != FU_OK) return rc;
    rc = fu_publish_penalty_rows(db, id, on, today, cal, who->username, &lt, err);
    /* the audit row says whether it was in time */
    rc = finish(db, who, rc, "followup.publish_penalty", "followup", id, before,
                json_pack("{s:o}", "publish_late", lt < 0 ? json_null() : json_boolean(lt)), err);
    free(before);
    if (late) *late = lt;
    return rc;
}

int followup_close(Db *db, const Actor *who, int64_t id, const char *today, char **err) {
    char *before;
    int rc = begin_on(db, who, id, &before, err);
    if (rc != FU_OK) return rc;
    rc = fu_close_rows(db, id, today, who->username, err);
    rc = finish(db, who, rc, "followup.close", "followup", id, before, NULL, err);
    free(before);
    return rc;
}

int followup_transfer_add(Db *db, const Actor *who, int64_t fid, const char *kind,
                          const char *receiver, const char *sent_on, const char *doc_no,
                          const char *summary, const char *today, int64_t *id_out, json_t *errors,
                          char **err) {
    int64_t tid = 0;
    if (!own_org(db, who, followup_org(db, fid))) return refuse("后续处置", err);
    if (uow_begin_row(db, "followup", fid, err) != 0) return FU_ERR;
    int rc = fu_transfer_add_rows(db, fid, kind, receiver, sent_on, doc_no, summary, today,
                                  who->username, &tid, errors, err);
    rc = finish(db, who, rc, "transfer.create", "transfer", tid, NULL, NULL, err);
    if (id_out) *id_out = rc == FU_OK ? tid : 0;
    return rc;
}

int followup_transfer_feedback(Db *db, const Actor *who, int64_t tid, const char *feedback,
                               const char *feedback_on, int done, const char *today,
                               int64_t *fid_out, json_t *errors, char **err) {
    int64_t fid = followup_transfer_followup(db, tid);
    if (fid_out) *fid_out = fid;
    if (!own_org(db, who, followup_transfer_org(db, tid))) return refuse("移送记录", err);
    /* a transfer's state is part of its follow-up's (the closure rule): that row is locked */
    if (uow_begin_row(db, "followup", fid, err) != 0) return FU_ERR;
    char *before = followup_transfer_snapshot(db, tid);
    int rc = fu_transfer_feedback_rows(db, tid, feedback, feedback_on, done, today, who->username,
                                       errors, err);
    rc = finish(db, who, rc, "transfer.feedback", "transfer", tid, before, NULL, err);
    free(before);
    return rc;
}

int followup_transfers_export_audit(Db *db, const Actor *who, const char *status, size_t rows,
                                    char **err) {
    json_t *a = json_pack("{s:s, s:I}", "status", status ? status : "", "rows", (json_int_t)rows);
    char *after = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    int rc = uow_record(db, who, "export.transfers", "transfer", 0, 0, NULL, after, err);
    free(after);
    return rc == 0 ? FU_OK : FU_ERR;
}
