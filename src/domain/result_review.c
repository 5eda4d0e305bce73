/* result_review.c - the review of a submitted record (result_review, result.h): 退回 with an
 * opinion or 审核通过, never by the user who submitted it, with its record_event. Runs inside the
 * caller's transaction (result_act.c opens it with the audit row). */
#include "../core/clock.h"
#include "result_impl.h"

#include <stdlib.h>

/* ---- transitions ---- */

int res_db_fail(Db *db, char **err) {
    set_err(err, "数据库错误：%s", db_errmsg(db));
    return RESULT_ERR;
}

int res_add_event(Db *db, int64_t id, const char *action, const char *from, const char *to,
                  const char *opinion, const char *today, const char *actor) {
    return db_exec(db,
                   "INSERT INTO record_event(record_id, action, from_status, to_status, opinion, "
                   "on_day, by_user, at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   "itttttt"
                   "t",
                   id, action, from, to, str_empty(opinion) ? NULL : opinion, today, actor,
                   clock_stamp().s);
}

int result_review(Db *db, int64_t id, const char *action, const char *actor, const char *opinion,
                  const char *today, char **err) {
    char *status = NULL, *submitter = NULL;
    if (db_query_text(db, &status, "SELECT status FROM record WHERE id = ?", "i", id) != DB_OK)
        return res_db_fail(db, err);
    if (!status) {
        set_err(err, "检查记录不存在");
        return RESULT_NOT_FOUND;
    }
    if (db_query_text(db, &submitter, "SELECT submitted_by FROM record WHERE id = ?", "i", id) !=
        DB_OK) {
        free(status);
        return res_db_fail(db, err);
    }
    const char *to = str_eq(action, "publish") ? NULL : result_next(status, action);
    char *op = opinion ? str_trim(xstrdup(opinion)) : xstrdup("");
    int rc = RESULT_OK;
    if (!result_action_name(action) || str_eq(action, "publish")) {
        set_err(err, "未知的审核操作");
        rc = RESULT_INVALID;
    } else if (!to) {
        set_err(err, "该检查记录当前状态为“%s”，不能%s", status,
                str_eq(action, "return") ? "退回" : "审核通过");
        rc = RESULT_CONFLICT;
    } else if (!result_may_review(actor, submitter)) {
        set_err(err, "不能审核本人提交的检查记录");
        rc = RESULT_CONFLICT;
    } else if (str_eq(action, "return") && !*op) {
        set_err(err, "退回时必须填写审核意见");
        rc = RESULT_INVALID;
    } else {
        char now[CLOCK_NOW_LEN + 1];
        clock_now(now);
        int drc = str_eq(action, "return")
                      ? db_exec(db,
                                "UPDATE record SET status = '退回', review_opinion = ?, "
                                "reviewed_at = ?, "
                                "reviewed_by = ?, updated_at = ?, updated_by = ? "
                                "WHERE id = ? AND status = '待审核'",
                                "ttttti", op, now, actor, now, actor, id)
                      : db_exec(db,
                                "UPDATE record SET status = '审核通过', reviewed_at = "
                                "?, reviewed_by = ?, "
                                "updated_at = ?, updated_by = ? WHERE id = ? AND "
                                "status = '待审核'",
                                "tttti", now, actor, now, actor, id);
        if (drc != DB_OK)
            rc = res_db_fail(db, err);
        else if (db_changes(db) != 1) {
            set_err(err, "检查记录已被他人处理，请刷新");
            rc = RESULT_CONFLICT;
        } else if (res_add_event(db, id, result_action_name(action), status, to, op, today,
                                 actor) != DB_OK)
            rc = res_db_fail(db, err);
    }
    free(op);
    free(status);
    free(submitter);
    return rc;
}
