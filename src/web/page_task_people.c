/* page_task_people.c - the pages of people outside the lead department: a joint department's
 * tasks with its confirmation (deadline shown, overdue flagged) and its own items, and an
 * officer's own groups and targets (a phone-friendly list) with their inspection notices.
 * A joint user works for user.dept_id; an officer user is user.officer_id. Accounts without that
 * link see an explanation, not an error. The questions are task_query.h, the confirmation the
 * unit of work task_joint_accept (task_work.h). */
#include "../core/clock.h"
#include "../domain/task.h"
#include "../domain/task_query.h"
#include "../domain/task_work.h"
#include "task_web.h"

#include <stdlib.h>
#include <string.h>

/* ---- joint departments ---- */

void page_joint_list(Req *r) {
    int64_t dept = task_user_dept(r->db, r->sess->user_id);
    char today[11];
    clock_today(today);
    json_t *tasks = dept ? task_joint_tasks(r->db, dept, today) : json_array();
    char *dept_name = dept ? task_dept_name(r->db, dept) : NULL;
    json_t *ctx = json_pack("{s:o, s:b, s:s, s:s}", "tasks", tasks, "linked", dept != 0,
                            "dept_name", dept_name ? dept_name : "", "today", today);
    free(dept_name);
    web_page(r, "task_joint", "联合抽查", ctx);
}

int task_web_joint_confirm(Req *r, long long id, const char *items, int64_t *dept_out, char **msg) {
    int64_t dept = *dept_out = task_user_dept(r->db, r->sess->user_id);
    Actor who = web_actor(r);
    int rc = task_joint_accept(r->db, &who, id, dept, items, msg);
    return web_refusal(rc);
}

void page_joint_confirm(Req *r) {
    long long id = str_id(web_param(r, "id"));
    char *items = web_form(r, "items_text"), *msg = NULL;
    int64_t dept = 0;
    int status = task_web_joint_confirm(r, id, items, &dept, &msg);
    if (!status)
        web_redirect(r, "/joint?ok=saved");
    else
        web_error(r, status, "joint_confirm", msg ? msg : "确认失败");
    free(items);
    free(msg);
}

/* ---- officers ---- */

void page_my_groups(Req *r) {
    char *cert = task_user_cert(r->db, r->sess->user_id);
    json_t *groups = cert ? task_officer_groups(r->db, cert) : json_array();
    json_t *ctx = json_pack("{s:o, s:b, s:s}", "groups", groups, "linked", cert != NULL, "cert_no",
                            cert ? cert : "");
    free(cert);
    web_page(r, "task_mine", "我的检查任务", ctx);
}

void page_my_notice(Req *r) {
    char *cert = task_user_cert(r->db, r->sess->user_id);
    long long id = str_id(web_param(r, "id"));
    if (!cert || !id)
        web_error(r, 404, "not_found", "该检查对象不在您的检查组中");
    else
        task_web_notice(r, id, web_param(r, "target"), cert);
    free(cert);
}
