/* page_task_people.c - the pages of people outside the lead department: a joint department's
 * tasks with its confirmation (deadline shown, overdue flagged) and its own items, and an
 * officer's own groups and targets (a phone-friendly list) with their inspection notices.
 * A joint user works for user.dept_id; an officer user is user.officer_id. Accounts without that
 * link see an explanation, not an error. The questions are task_query.h, the confirmation the
 * unit of work task_joint_accept (task_work.h). */
#include "../core/clock.h"
#include "../domain/account.h"
#include "../domain/jsonkit.h"
#include "../domain/record.h"
#include "../domain/record_act.h"
#include "../domain/task.h"
#include "../domain/task_query.h"
#include "../domain/task_work.h"
#include "task_web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- joint departments ---- */

void page_joint_list(Req *r) {
    int64_t dept = task_user_dept(r->db, r->sess->user_id);
    char today[11];
    clock_today(today);
    json_t *tasks = dept ? task_joint_tasks(r->db, dept, today) : json_array();
    char *dept_name = dept ? task_dept_name(r->db, dept) : NULL;
    json_t *ctx = json_pack("{s:o, s:b, s:s, s:s, s:o}", "tasks", tasks, "linked", dept != 0,
                            "dept_name", dept_name ? dept_name : "", "today", today, "dept_items",
                            dept ? task_dept_items(r->db, dept) : json_array());
    free(dept_name);
    web_page(r, "task_joint", "联合抽查", ctx);
}

int task_web_joint_confirm(Req *r, long long id, const char *codes, const char *items,
                           int64_t *dept_out, char **msg) {
    int64_t dept = *dept_out = task_user_dept(r->db, r->sess->user_id);
    Actor who = web_actor(r);
    int rc = task_joint_accept(r->db, &who, id, dept, codes, items, msg);
    return web_refusal(rc);
}

void page_joint_confirm(Req *r) {
    long long id = str_id(web_param(r, "id"));
    char *items = web_form(r, "items_text"), *msg = NULL, *c;
    Buf codes; /* the ticked items of the department's list */
    buf_init(&codes);
    buf_puts(&codes, "");
    for (int n = 0; (c = web_form_nth(r, "item_codes", n)) != NULL; n++) {
        buf_printf(&codes, "%s%s", codes.len ? "," : "", c);
        free(c);
    }
    int64_t dept = 0;
    int status = task_web_joint_confirm(r, id, codes.data, items, &dept, &msg);
    buf_free(&codes);
    if (!status)
        web_redirect(r, "/joint?ok=saved");
    else
        web_error(r, status, "joint_confirm", msg ? msg : "确认失败");
    free(items);
    free(msg);
}

/* ---- officers ---- */

/* Cards a page: 50 fit a phone's scrolling and keep the page under 100 KB. */
#define MY_GROUPS_PER_PAGE 50

/* The officer's groups on a phone: each card with its record's state and a link to its form; search
 * by name or code and a filter by the record's state (GET ?q=&state=, so it works without
 * JavaScript). */
void page_my_groups(Req *r) {
    char *cert = account_officer_cert(r->db, r->sess->user_id), *err = NULL;
    char *q = web_query(r, "q"), *state_q = web_query(r, "state");
    if (q) str_trim(q);
    static const char *const names[] = {"待录入", "退回", "待审核", "审核通过", "已公示"};
    const char *state = "";
    for (size_t k = 0; k < ARRAY_LEN(names); k++)
        if (str_eq(state_q, names[k])) state = names[k];
    if (cert) { /* the records exist from the first look, as on /my/records */
        Actor who = web_actor(r);
        if (record_act_sync(r->db, &who, cert, &err) != REC_OK)
            fprintf(stderr, "record sync: %s\n", err ? err : "?");
        free(err);
    }
    int page = web_page_number(r);
    TaskGroupCounts n = {0, 0};
    json_t *groups = cert ? task_officer_groups(r->db, cert, q, state, MY_GROUPS_PER_PAGE,
                                                (int64_t)(page - 1) * MY_GROUPS_PER_PAGE, &n)
                          : json_array();
    json_t *states = json_array();
    for (size_t k = 0; k < ARRAY_LEN(names); k++)
        json_array_append_new(states, json_pack("{s:s, s:b}", "value", names[k], "selected",
                                                str_eq(state, names[k])));
    json_t *ctx = json_pack("{s:o, s:b, s:s, s:s, s:o, s:I, s:I}", "groups", groups, "linked",
                            cert != NULL, "cert_no", cert ? cert : "", "q", q ? q : "", "states",
                            states, "shown", (json_int_t)n.matching, "total", (json_int_t)n.all);
    json_object_set_new(ctx, "filtered", json_boolean(!str_empty(q) || !str_empty(state)));
    int64_t pages = (n.matching + MY_GROUPS_PER_PAGE - 1) / MY_GROUPS_PER_PAGE;
    json_object_set_new(ctx, "page", json_integer(page));
    json_object_set_new(ctx, "pages", json_integer(pages ? pages : 1));
    const char *const params[][2] = {{"q", str_empty(q) ? NULL : q}, {"state", state}};
    web_pager_hrefs(ctx, "/my", params, 2, page, pages, NULL);
    free(cert);
    free(q);
    free(state_q);
    web_page(r, "task_mine", "我的检查任务", ctx);
}

void page_my_notice(Req *r) {
    char *cert = account_officer_cert(r->db, r->sess->user_id);
    long long id = str_id(web_param(r, "id"));
    if (!cert || !id)
        web_error(r, 404, "not_found", "该检查对象不在您的检查组中");
    else
        task_web_notice(r, id, web_param(r, "target"), cert);
    free(cert);
}
