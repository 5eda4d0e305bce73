/* plan_web.h - the annual plan's web handlers (page_plan.c, api_plan.c, page_public_plan.c) and
 * their rows of the route table, as macros web.c splices into web_routes[] so the shared table
 * changes by two lines. Order matters: fixed paths (/plans/new, /plans/import, /plans/adhoc)
 * precede /plans/:id, and the API rows precede /api/v1/:kind. */
#ifndef SPOTCHECK_PLAN_WEB_H
#define SPOTCHECK_PLAN_WEB_H

#include "web.h"

#define PLAN_PAGE_ROUTES                                                                           \
    {"GET", "/plans", P_PLAN_READ, CSRF_NONE, page_plan_list, "年度抽查计划列表"},                 \
    {"GET", "/plans/new", P_PLAN_WRITE, CSRF_NONE, page_plan_new, "新建计划表单"},                 \
    {"POST", "/plans/new", P_PLAN_WRITE, CSRF_TOKEN, page_plan_create, "新建计划"},                \
    {"GET", "/plans/import", P_PLAN_WRITE, CSRF_NONE, page_plan_import_form, "导入计划表单"},      \
    {"POST", "/plans/import", P_PLAN_WRITE, CSRF_TOKEN, page_plan_import, "导入计划（附件2格式）", 1}, \
    {"GET", "/plans/adhoc", P_PLAN_READ, CSRF_NONE, page_plan_adhoc, "临时任务"},                  \
    {"POST", "/plans/adhoc", P_PLAN_WRITE, CSRF_TOKEN, page_plan_adhoc_create, "申请临时任务"},    \
    {"POST", "/plans/adhoc/:id/decide", P_PLAN_APPROVE, CSRF_TOKEN, page_plan_adhoc_decide,        \
     "审批临时任务"},                                                                              \
    {"GET", "/plans/:id", P_PLAN_READ, CSRF_NONE, page_plan_detail, "计划详情、版本与差异"},       \
    {"GET", "/plans/:id/edit", P_PLAN_WRITE, CSRF_NONE, page_plan_edit, "编辑计划表单"},           \
    {"POST", "/plans/:id/edit", P_PLAN_WRITE, CSRF_TOKEN, page_plan_update, "保存计划"},           \
    {"GET", "/plans/:id/task", P_PLAN_WRITE, CSRF_NONE, page_plan_task_form, "抽查任务表单"},      \
    {"POST", "/plans/:id/task", P_PLAN_WRITE, CSRF_TOKEN, page_plan_task_save, "保存抽查任务"},    \
    {"POST", "/plans/:id/task/remove", P_PLAN_WRITE, CSRF_TOKEN, page_plan_task_remove,            \
     "删除草稿中的抽查任务"},                                                                      \
    {"POST", "/plans/:id/submit", P_PLAN_WRITE, CSRF_TOKEN, page_plan_submit, "提交审批"},         \
    {"POST", "/plans/:id/approve", P_PLAN_APPROVE, CSRF_TOKEN, page_plan_approve, "批准计划"},     \
    {"POST", "/plans/:id/return", P_PLAN_APPROVE, CSRF_TOKEN, page_plan_return, "退回计划"},       \
    {"POST", "/plans/:id/publish", P_PLAN_WRITE, CSRF_TOKEN, page_plan_publish, "公开计划"},       \
    {"POST", "/plans/:id/revise", P_PLAN_WRITE, CSRF_TOKEN, page_plan_revise,                      \
     "调整计划（生成新版本）"},                                                                    \
    {"GET", "/plans/:id/export", P_PLAN_READ, CSRF_NONE, page_plan_export, "导出（附件2格式）"},   \
    {"GET", "/public/plans", P_PUBLIC, CSRF_NONE, page_public_plans, "年度抽查计划公开"},          \
    {"GET", "/public/plans/:id", P_PUBLIC, CSRF_NONE, page_public_plan, "公开的年度抽查计划"},

#define PLAN_API_ROUTES                                                                            \
    {"GET", "/api/v1/plans", P_PLAN_READ, CSRF_NONE, api_plan_list, "计划列表"},                   \
    {"POST", "/api/v1/plans", P_PLAN_WRITE, CSRF_TOKEN, api_plan_create, "新建计划"},              \
    {"GET", "/api/v1/plans/:id", P_PLAN_READ, CSRF_NONE, api_plan_get, "计划版本详情与版本列表"},  \
    {"POST", "/api/v1/plans/:id/tasks", P_PLAN_WRITE, CSRF_TOKEN, api_plan_task_add,               \
     "新增抽查任务"},                                                                              \
    {"POST", "/api/v1/plans/:id/submit", P_PLAN_WRITE, CSRF_TOKEN, api_plan_submit, "提交审批"},   \
    {"POST", "/api/v1/plans/:id/approve", P_PLAN_APPROVE, CSRF_TOKEN, api_plan_approve, "批准"},   \
    {"POST", "/api/v1/plans/:id/return", P_PLAN_APPROVE, CSRF_TOKEN, api_plan_return, "退回"},     \
    {"POST", "/api/v1/plans/:id/publish", P_PLAN_WRITE, CSRF_TOKEN, api_plan_publish, "公开"},     \
    {"POST", "/api/v1/plans/:id/revise", P_PLAN_WRITE, CSRF_TOKEN, api_plan_revise,                \
     "调整计划（生成新版本）"},

void page_plan_list(Req *r);
void page_plan_new(Req *r);
void page_plan_create(Req *r);
void page_plan_import_form(Req *r);
void page_plan_import(Req *r);
void page_plan_adhoc(Req *r);
void page_plan_adhoc_create(Req *r);
void page_plan_adhoc_decide(Req *r);
void page_plan_detail(Req *r);
void page_plan_edit(Req *r);
void page_plan_update(Req *r);
void page_plan_task_form(Req *r);
void page_plan_task_save(Req *r);
void page_plan_task_remove(Req *r);
void page_plan_submit(Req *r);
void page_plan_approve(Req *r);
void page_plan_return(Req *r);
void page_plan_publish(Req *r);
void page_plan_revise(Req *r);
void page_plan_export(Req *r);
void page_public_plans(Req *r);
void page_public_plan(Req *r);
void api_plan_list(Req *r);
void api_plan_create(Req *r);
void api_plan_get(Req *r);
void api_plan_task_add(Req *r);
void api_plan_submit(Req *r);
void api_plan_approve(Req *r);
void api_plan_return(Req *r);
void api_plan_publish(Req *r);
void api_plan_revise(Req *r);

/* Shared by the page and API handlers (page_plan.c). */
/* The plan version named by the :id parameter when the user may act on it (web_scope_gate: 404
 * outside the jurisdiction, 403 for a change to a lower level's plan); else returns 0. */
long long plan_web_version_id(Req *r);
/* The same with oversee = 1 for a change an upper level may make (returning with an opinion). */
long long plan_web_version_id_for(Req *r, int oversee);
/* Runs a state action as the signed-in user (plan_work_transition); returns the HTTP status (200
 * on success, 503 when the database is busy) and *msg (new string) on failure. */
int plan_web_transition(Req *r, long long vid, int action, const char *opinion, char **msg);
/* Runs a revision (plan_work_revise); 201 and *new_id, the new version, on success. */
int plan_web_revise(Req *r, long long vid, const char *reason, long long *new_id, char **msg);
/* Maps a PLAN_* result to an HTTP status. */
int plan_web_status(int rc);

#endif
