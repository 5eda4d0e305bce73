/* page_task_adhoc.c - the requester's side of an ad-hoc task (临时任务) that the 分管领导 returned
 * with an opinion: it is revised and resubmitted for approval (POST /plans/adhoc/:id/resubmit).
 * The request, the decision and the start of the task are page_plan.c (/plans/adhoc) and
 * page_task.c (/tasks/start); an ad-hoc task starts only once approved (plan_adhoc_startable).
 * The change is one unit of work (plan_work_adhoc_resubmit: transaction and audit row); requests
 * outside the user's org scope are 404. */
#include "../domain/plan.h"
#include "../domain/plan_query.h"
#include "../domain/plan_work.h"
#include "task_web.h"

#include <stdlib.h>
#include <string.h>

void page_plan_adhoc_resubmit(Req *r) {
    long long id = str_id(web_param(r, "id"));
    if (web_scope_gate(r, plan_adhoc_org(r->db, id), "临时任务不存在或不在您的管辖范围内")) return;
    char *reason = web_form(r, "reason"), *msg = NULL;
    Actor who = web_actor(r);
    int rc = plan_work_adhoc_resubmit(r->db, &who, id, reason, &msg);
    if (rc == PLAN_OK)
        web_redirect(r, "/plans/adhoc?ok=status");
    else
        web_error(r, web_status(rc), "adhoc_resubmit", msg ? msg : "操作失败");
    free(reason);
    free(msg);
}
