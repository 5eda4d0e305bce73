/* page_task_adhoc.c - the requester's side of an ad-hoc task (临时任务) that the 分管领导 returned
 * with an opinion: it is revised and resubmitted for approval (POST /plans/adhoc/:id/resubmit).
 * The request, the decision and the start of the task are page_plan.c (/plans/adhoc) and
 * page_task.c (/tasks/start); an ad-hoc task starts only once approved (plan_adhoc_startable).
 * The change runs in one transaction with its audit row; requests outside the user's org scope
 * are 404. */
#include "../domain/plan.h"
#include "task_web.h"

#include <stdlib.h>
#include <string.h>

void page_plan_adhoc_resubmit(Req *r) {
    long long id = task_web_parse_id(web_param(r, "id"));
    int64_t org = 0;
    if (id)
        db_query_int(r->db, &org, "SELECT org_id FROM plan_adhoc WHERE id = ?", "i", (int64_t)id);
    if (web_scope_gate(r, org, "临时任务不存在或不在您的管辖范围内")) return;
    char *reason = web_form(r, "reason"), *msg = NULL, *before = NULL;
    int rc = PLAN_ERR;
    if (db_begin(r->db) != DB_OK)
        set_err(&msg, "数据库忙，请稍后重试");
    else {
        db_query_text(
            r->db, &before,
            "SELECT json_object('status', status, 'reason', reason, 'opinion', opinion, 'org_id', "
            "CAST(org_id AS TEXT)) FROM plan_adhoc WHERE id = ?",
            "i", (int64_t)id);
        rc = plan_adhoc_resubmit(r->db, id, reason, r->sess->username, &msg);
        char *after = NULL;
        if (rc == PLAN_OK)
            db_query_text(r->db, &after,
                          "SELECT json_object('status', status, 'reason', reason, 'org_id', "
                          "CAST(org_id AS TEXT)) "
                          "FROM plan_adhoc WHERE id = ?",
                          "i", (int64_t)id);
        if (rc == PLAN_OK &&
            web_audit(r, "plan.adhoc.resubmit", "plan_adhoc", id, before, after) != DB_OK)
            rc = PLAN_ERR, set_err(&msg, "审计日志写入失败");
        if (rc == PLAN_OK && db_commit(r->db) != DB_OK)
            rc = PLAN_ERR, set_err(&msg, "保存失败：%s", db_errmsg(r->db));
        if (rc != PLAN_OK) db_rollback(r->db);
        free(after);
    }
    if (rc == PLAN_OK)
        web_redirect(r, "/plans/adhoc?ok=status");
    else
        web_error(r,
                  rc == PLAN_CONFLICT    ? 409
                  : rc == PLAN_INVALID   ? 422
                  : rc == PLAN_NOT_FOUND ? 404
                                         : 500,
                  "adhoc_resubmit", msg ? msg : "操作失败");
    free(before);
    free(reason);
    free(msg);
}
