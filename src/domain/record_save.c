/* record_save.c - the changes of a record's contents (record.h): the save of what record_check.c
 * validated, under the optimistic lock (the previous contents to record_version, version
 * bumped), and the submission with its requirements. Runs inside the caller's transaction
 * (record_act.c opens it with the audit row). */
#include "../core/clock.h"
#include "record_impl.h"

#include "../core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- save ---- */

static int editable_status(const char *s) {
    return str_eq(s, "待录入") || str_eq(s, "退回");
}

int rec_load_editable(Db *db, int64_t id, int64_t *version, char **err) {
    char *status = NULL;
    if (db_query_text(db, &status, "SELECT status FROM record WHERE id = ?", "i", id) != DB_OK)
        return rec_fail_db(db, err);
    if (!status) return set_err(err, "检查记录不存在"), REC_NOT_FOUND;
    int ok = editable_status(status);
    if (!ok) set_err(err, "检查记录状态为“%s”，不能再修改", status);
    free(status);
    if (!ok) return REC_CONFLICT;
    if (version &&
        db_query_int(db, version, "SELECT version FROM record WHERE id = ?", "i", id) != DB_OK)
        return rec_fail_db(db, err);
    return REC_OK;
}

/* Writes the current contents to record_version and bumps version. */
static int version_bump(Db *db, int64_t id, const char *actor, char **err) {
    json_t *snap = rec_snapshot(db, id);
    if (!snap) return set_err(err, "检查记录不存在"), REC_NOT_FOUND;
    char *data = json_dumps(snap, JSON_COMPACT | JSON_SORT_KEYS);
    int64_t v = json_integer_value(json_object_get(snap, "version"));
    json_decref(snap);
    int rc = db_exec(db,
                     "INSERT INTO record_version(record_id, version, data, changed_by, changed_at) "
                     "VALUES (?, ?, ?, ?, ?)",
                     "iittt", id, v, data, actor, clock_stamp().s);
    free(data);
    /* the version read is the one replaced: a concurrent writer that got there first makes this 0
     * rows */
    if (rc == DB_OK)
        rc = db_exec(db,
                     "UPDATE record SET version = version + 1, updated_at = ?, updated_by = ? "
                     "WHERE id = ? AND version = ?",
                     "ttii", clock_stamp().s, actor, id, v);
    if (rc == DB_OK && db_changes(db) != 1)
        return set_err(err, "该记录已被他人修改，本次修改未保存；请刷新页面核对后重新录入"),
               REC_CONFLICT;
    return rc == DB_OK ? REC_OK : rec_fail_db(db, err);
}

/* The record's own fields. */
static int apply_fields(Db *db, int64_t id, const RecSave *s, char **err) {
    if (db_exec(db,
                "UPDATE record SET checked_from = ?, checked_on = ?, result_codes = ?, remarks = "
                "?, notes = ?, officers = ?, "
                "signer_name = ?, refusal_reason = ?, fraud_purpose = ?, police_transfer = ?, "
                "dates_reason = ? WHERE id = ?",
                "ttttttttiiti", str_empty(s->from) ? NULL : s->from,
                str_empty(s->on) ? NULL : s->on, s->results ? s->results : "",
                s->remarks ? s->remarks : "", s->notes ? s->notes : "",
                s->officers ? s->officers : "", str_empty(s->signer) ? NULL : s->signer,
                str_empty(s->refusal) ? NULL : s->refusal, (int64_t)s->fraud, (int64_t)s->police,
                str_empty(s->dates_reason) ? NULL : s->dates_reason, id) != DB_OK)
        return rec_fail_db(db, err);
    for (size_t k = 0; k < s->nitems; k++)
        if (db_exec(db,
                    "UPDATE record_item SET methods = ?, result = ?, notes = coalesce(?, notes) "
                    "WHERE record_id = ? AND position = ?",
                    "tttii", s->items[k].methods, s->items[k].result, s->items[k].notes, id,
                    s->items[k].pos) != DB_OK)
            return rec_fail_db(db, err);
    return REC_OK;
}

/* Withdraws the active violations not listed any more. */
static int withdraw_unlisted(Db *db, int64_t id, const RecSave *s, char **err) {
    Stmt *st =
        db_prepare(db, "SELECT id FROM record_violation WHERE record_id = ? AND status = '有效'");
    int64_t *drop = NULL;
    size_t ndrop = 0, dcap = 0;
    int rc = REC_OK;
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW) {
            int64_t vid = db_col_int(st, 0);
            int kept = 0;
            for (size_t k = 0; k < s->nviol; k++)
                kept |= s->viol[k].id == vid;
            if (!kept) {
                if (ndrop == dcap)
                    drop = xrealloc(drop, (dcap = dcap ? dcap * 2 : 4) * sizeof *drop);
                drop[ndrop++] = vid;
            }
        }
        db_finalize(st);
    }
    for (size_t k = 0; rc == REC_OK && k < ndrop; k++)
        if (db_exec(db,
                    "UPDATE record_violation SET status = '已撤销', status_reason = '录入时删除' "
                    "WHERE id = ?",
                    "i", drop[k]) != DB_OK)
            rc = rec_fail_db(db, err);
    free(drop);
    return rc;
}

/* Updates a listed violation (with an id) or adds it. */
static int write_violation(Db *db, int64_t id, const RecSaveViolation *x, const char *actor,
                           char **err) {
    Stmt *w = db_prepare(db, x->id ? "UPDATE record_violation SET item_position = ?, category = ?, "
                                     "amount_cents = ?, description = ? "
                                     "WHERE id = ? AND record_id = ?"
                                   : "INSERT INTO record_violation(item_position, category, "
                                     "amount_cents, description, created_by, "
                                     "record_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!w) return rec_fail_db(db, err);
    if (x->pos > 0)
        db_bind_int(w, 1, x->pos);
    else
        db_bind_null(w, 1);
    db_bind_text(w, 2, x->category);
    db_bind_int(w, 3, x->cents);
    db_bind_text(w, 4, x->description ? x->description : "");
    if (x->id)
        db_bind_int(w, 5, x->id);
    else
        db_bind_text(w, 5, actor);
    db_bind_int(w, 6, id);
    if (!x->id) db_bind_text(w, 7, clock_stamp().s);
    int rc = db_step(w) != DB_DONE ? rec_fail_db(db, err) : REC_OK;
    db_finalize(w);
    return rc;
}

int record_save(Db *db, int64_t id, const json_t *in, int64_t version, const char *today,
                const char *actor, json_t *errors, char **err) {
    int64_t cur_version = 0;
    int rc = rec_load_editable(db, id, &cur_version, err);
    if (rc != REC_OK) return rc;
    if (version != cur_version) {
        set_err(err,
                "该记录已被他人修改（当前为第%lld版，您录入时为第%"
                "lld版），本次修改未保存；请刷新页面核对后重新录入",
                (long long)cur_version, (long long)version);
        return REC_CONFLICT;
    }
    json_t *cur = rec_snapshot(db, id);
    if (!cur) return set_err(err, "检查记录不存在"), REC_NOT_FOUND;
    RecSave s;
    rec_save_check(db, id, in, cur, today, &s, errors);
    if (json_object_size(errors)) {
        rc = REC_INVALID;
        set_err(err, "录入内容有误，请按提示修改");
    } else {
        rc = version_bump(db, id, actor, err);
    }
    if (rc == REC_OK) rc = apply_fields(db, id, &s, err);
    if (rc == REC_OK && s.has_violations) rc = withdraw_unlisted(db, id, &s, err);
    for (size_t k = 0; rc == REC_OK && s.has_violations && k < s.nviol; k++)
        rc = write_violation(db, id, &s.viol[k], actor, err);
    rec_save_free(&s);
    json_decref(cur);
    return rc;
}

/* ---------------------------------------------------------------- submit ---- */

int record_submit(Db *db, int64_t id, const char *today, const char *actor, json_t *errors,
                  char **err) {
    char *status = NULL;
    if (db_query_text(db, &status, "SELECT status FROM record WHERE id = ?", "i", id) != DB_OK)
        return rec_fail_db(db, err);
    int rc = rec_load_editable(db, id, NULL, err);
    if (rc != REC_OK) {
        free(status);
        return rc;
    }
    json_t *s = rec_snapshot(db, id);
    json_t *items = json_object_get(s, "items"), *it;
    size_t n = json_array_size(items), i;
    RecordSubmitItem *iv = xcalloc(n + 1, sizeof *iv);
    json_array_foreach(items, i, it) {
        iv[i].name = json_string_value(json_object_get(it, "item_name"));
        iv[i].methods = json_string_value(json_object_get(it, "methods"));
        iv[i].result = json_string_value(json_object_get(it, "result"));
    }
    int64_t sig = 0;
    if (db_query_int(
            db, &sig,
            "SELECT count(*) FROM record r JOIN record_file f ON f.id = r.signature_file_id "
            "WHERE r.id = ? AND f.status = '有效' AND f.kind = 'signature'",
            "i", id) != DB_OK)
        rc = rec_fail_db(db, err);
    size_t nofficers = 0;
    char **ov = rec_strv_from(json_object_get(s, "officers"), &nofficers);
    rec_strv_free(ov, nofficers);
    RecordSubmitView v = {
        .checked_on = json_string_value(json_object_get(s, "checked_on")),
        .result_codes = json_string_value(json_object_get(s, "result_codes")),
        .items = iv,
        .nitems = n,
        .officers = (int)nofficers,
        .signer_name = json_string_value(json_object_get(s, "signer_name")),
        .refusal_reason = json_string_value(json_object_get(s, "refusal_reason")),
        .has_signature = sig > 0,
    };
    if (rc != REC_OK) {
        /* the signature could not be read: nothing is written */
    } else if (record_submit_check(&v, errors) > 0) {
        rc = REC_INVALID;
        set_err(err, "尚不能提交审核，请补全以下内容");
    } else if (db_exec(db,
                       "UPDATE record SET status = '待审核', submitted_at = ?1, submitted_by = ?2, "
                       "updated_at = ?1, "
                       "updated_by = ?2 WHERE id = ?3",
                       "tti", clock_stamp().s, actor, id) != DB_OK ||
               db_exec(db,
                       "INSERT INTO record_event(record_id, action, from_status, to_status, "
                       "on_day, by_user, at) "
                       "VALUES (?, '提交', ?, '待审核', ?, ?, ?)",
                       "itttt", id, status, today, actor, clock_stamp().s) != DB_OK) {
        rc = rec_fail_db(db, err);
    }
    free(iv);
    json_decref(s);
    free(status);
    return rc;
}
