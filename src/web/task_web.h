/* task_web.h - the web handlers of task implementation (page_task.c, page_task_draw.c,
 * page_task_people.c, page_task_adhoc.c, page_public_task.c) and their rows of the route table, as a macro web.c
 * splices into web_routes[]. Fixed paths (/tasks/start) precede /tasks/:id. */
#ifndef SPOTCHECK_TASK_WEB_H
#define SPOTCHECK_TASK_WEB_H

#include "web.h"

#define TASK_PAGE_ROUTES                                                                           \
    {"GET", "/tasks", P_TASK_READ, CSRF_NONE, page_task_list, "抽查任务实施列表"},                 \
    {"POST", "/tasks/start", P_TASK_WRITE, CSRF_TOKEN, page_task_start, "开始实施抽查任务"},       \
    {"GET", "/tasks/:id", P_TASK_READ, CSRF_NONE, page_task_detail, "任务、实施方案与联合部门"},   \
    {"POST", "/tasks/:id/scheme", P_TASK_WRITE, CSRF_TOKEN, page_task_scheme_save, "保存实施方案"}, \
    {"POST", "/tasks/:id/submit", P_TASK_WRITE, CSRF_TOKEN, page_task_submit, "实施方案提交审批"}, \
    {"POST", "/tasks/:id/approve", P_TASK_APPROVE, CSRF_TOKEN, page_task_approve, "批准实施方案"}, \
    {"POST", "/tasks/:id/return", P_TASK_APPROVE, CSRF_TOKEN, page_task_return, "退回实施方案"},   \
    {"POST", "/tasks/:id/publish", P_TASK_WRITE, CSRF_TOKEN, page_task_publish, "公开实施方案"},   \
    {"POST", "/tasks/:id/freeze", P_TASK_WRITE, CSRF_TOKEN, page_task_freeze,                      \
     "冻结抽取名单并公布承诺"},                                                                    \
    {"POST", "/tasks/:id/conflicts", P_TASK_WRITE, CSRF_TOKEN, page_task_conflict,                 \
     "冻结前申报回避（执法人员与检查对象的利害关系）"},                                            \
    {"POST", "/api/v1/tasks/:id/conflicts", P_TASK_WRITE, CSRF_TOKEN, api_task_conflict,           \
     "冻结前申报回避（JSON）"},                                                                    \
    {"GET", "/tasks/:id/draw", P_TASK_READ, CSRF_NONE, page_task_ceremony, "摇号现场"},            \
    {"POST", "/tasks/:id/draw", P_TASK_WRITE, CSRF_TOKEN, page_task_draw, "输入公开随机数并抽取"}, \
    {"GET", "/tasks/:id/draw/:kind", P_TASK_READ, CSRF_NONE, page_task_draw_file,                  \
     "下载抽取记录与名单文件（内部核验，?no=N 为第N次抽取）"},                                      \
    {"POST", "/tasks/:id/dice", P_TASK_WRITE, CSRF_TOKEN, page_task_dice, "开奖前登记骰子点数"},   \
    {"POST", "/tasks/:id/substitutions/:sid/approve", P_TASK_APPROVE, CSRF_TOKEN,                  \
     page_task_substitute_approve, "批准递补"},                                                    \
    {"POST", "/tasks/:id/substitutions/:sid/reject", P_TASK_APPROVE, CSRF_TOKEN,                   \
     page_task_substitute_reject, "驳回递补"},                                                     \
    {"POST", "/api/v1/tasks/:id/substitutions/:sid/decide", P_TASK_APPROVE, CSRF_TOKEN,            \
     api_task_substitute_decide, "审批递补（JSON）"},                                              \
    {"POST", "/tasks/:id/substitute", P_TASK_WRITE, CSRF_TOKEN, page_task_substitute,              \
     "递补（回避或不能参加）"},                                                                    \
    {"POST", "/tasks/:id/redraw", P_TASK_WRITE, CSRF_TOKEN, page_task_redraw_request,              \
     "申请重新抽取"},                                                                              \
    {"POST", "/api/v1/tasks/:id/redraw", P_TASK_WRITE, CSRF_TOKEN, api_task_redraw_request,       \
     "申请重新抽取（须说明原因）"},                                                                \
    {"POST", "/api/v1/tasks/:id/redraw/approve", P_TASK_APPROVE, CSRF_TOKEN, api_task_redraw_approve, \
     "分管领导批准重新抽取（须声明新的随机数来源）"},                                              \
    {"POST", "/tasks/:id/redraw/approve", P_TASK_APPROVE, CSRF_TOKEN, page_task_redraw_approve,    \
     "批准重新抽取"},                                                                              \
    {"GET", "/tasks/:id/notice/:target", P_TASK_READ, CSRF_NONE, page_task_notice, "检查通知书"},  \
    {"POST", "/plans/adhoc/:id/resubmit", P_PLAN_WRITE, CSRF_TOKEN, page_plan_adhoc_resubmit,      \
     "修改后重新提交临时任务"},                                                                    \
    {"GET", "/joint", P_TASK_JOINT, CSRF_NONE, page_joint_list, "联合部门的抽查任务"},             \
    {"POST", "/joint/:id/confirm", P_TASK_JOINT, CSRF_TOKEN, page_joint_confirm, "联合部门确认"},  \
    {"GET", "/my", P_TASK_MINE, CSRF_NONE, page_my_groups, "我的检查组与检查对象"},                \
    {"GET", "/my/notice/:id/:target", P_TASK_MINE, CSRF_NONE, page_my_notice, "本人检查组的检查通知书"}, \
    {"GET", "/public/tasks", P_PUBLIC, CSRF_NONE, page_public_tasks, "实施方案与抽取结果公开"},    \
    {"GET", "/public/tasks/:id", P_PUBLIC, CSRF_NONE, page_public_task,                            \
     "公开的实施方案、抽取记录与复核方法"},                                                        \
    {"GET", "/public/tasks/:id/record", P_PUBLIC, CSRF_NONE, page_public_task_record,              \
     "下载抽取记录（JSON）"},                                                                      \
    {"GET", "/public/tasks/:id/population", P_PUBLIC, CSRF_NONE, page_public_task_population,      \
     "下载冻结名单（TSV）"},                                                                       \
    {"GET", "/public/tasks/:id/officers", P_PUBLIC, CSRF_NONE, page_public_task_officers,          \
     "下载执法人员名单（TSV）"},                                                                  \
    {"GET", "/public/verify/DRAW.md", P_PUBLIC, CSRF_NONE, page_public_verify_spec,                \
     "下载抽取算法说明（docs/DRAW.md）"},                                                          \
    {"GET", "/public/verify/verify_draw.py", P_PUBLIC, CSRF_NONE, page_public_verify_tool,         \
     "下载独立核验程序（verify_draw.py）"},                                                        \
    {"GET", "/public/tasks/:id/announcement", P_PUBLIC, CSRF_NONE, page_public_task_announcement,  \
     "冻结公告（可打印）"},                                                                        \
    {"GET", "/public/tasks/:id/announcement.txt", P_PUBLIC, CSRF_NONE,                             \
     page_public_task_announcement_text, "冻结公告（纯文本）"},                                    \
    {"GET", "/api/v1/tasks", P_TASK_READ, CSRF_NONE, api_task_list, "抽查任务列表"},              \
    {"POST", "/api/v1/tasks", P_TASK_WRITE, CSRF_TOKEN, api_task_start, "从已公开的计划任务开始实施"}, \
    {"GET", "/api/v1/tasks/:id", P_TASK_READ, CSRF_NONE, api_task_get, "任务、实施方案、联合部门与抽取状态"}, \
    {"GET", "/api/v1/tasks/:id/draw", P_TASK_READ, CSRF_NONE, api_task_draw_get, "抽取记录（JSON）"}, \
    {"POST", "/api/v1/tasks/:id/scheme", P_TASK_WRITE, CSRF_TOKEN, api_task_scheme, "保存实施方案"}, \
    {"POST", "/api/v1/tasks/:id/submit", P_TASK_WRITE, CSRF_TOKEN, api_task_submit, "实施方案提交审批"}, \
    {"POST", "/api/v1/tasks/:id/approve", P_TASK_APPROVE, CSRF_TOKEN, api_task_approve, "批准实施方案"}, \
    {"POST", "/api/v1/tasks/:id/return", P_TASK_APPROVE, CSRF_TOKEN, api_task_return, "退回实施方案"}, \
    {"POST", "/api/v1/tasks/:id/publish", P_TASK_WRITE, CSRF_TOKEN, api_task_publish, "公开实施方案"}, \
    {"POST", "/api/v1/tasks/:id/freeze", P_TASK_WRITE, CSRF_TOKEN, api_task_freeze, "冻结抽取名单"}, \
    {"POST", "/api/v1/tasks/:id/draw", P_TASK_WRITE, CSRF_TOKEN, api_task_draw, "输入公开随机数并抽取"}, \
    {"POST", "/api/v1/tasks/:id/dice", P_TASK_WRITE, CSRF_TOKEN, api_task_dice, "开奖前登记骰子点数"}, \
    {"POST", "/api/v1/tasks/:id/substitute", P_TASK_WRITE, CSRF_TOKEN, api_task_substitute, "递补"}, \
    {"POST", "/api/v1/joint/:id/confirm", P_TASK_JOINT, CSRF_TOKEN, api_joint_confirm, "联合部门确认参加"},

void api_task_list(Req *r);
void api_task_start(Req *r);
void api_task_get(Req *r);
void api_task_draw_get(Req *r);
void api_task_scheme(Req *r);
void api_task_submit(Req *r);
void api_task_approve(Req *r);
void api_task_return(Req *r);
void api_task_publish(Req *r);
void api_task_freeze(Req *r);
void api_task_draw(Req *r);
void api_task_dice(Req *r);
void api_task_substitute(Req *r);
void api_joint_confirm(Req *r);
void page_task_list(Req *r);
void page_task_start(Req *r);
void page_task_detail(Req *r);
void page_task_scheme_save(Req *r);
void page_task_submit(Req *r);
void page_task_approve(Req *r);
void page_task_return(Req *r);
void page_task_publish(Req *r);
void page_task_freeze(Req *r);
void page_task_ceremony(Req *r);
void page_task_draw(Req *r);
void page_task_dice(Req *r);
void page_task_substitute(Req *r);
void page_task_substitute_approve(Req *r);
void page_task_substitute_reject(Req *r);
void api_task_substitute_decide(Req *r);
void page_task_redraw_request(Req *r);
void api_task_redraw_request(Req *r);
void api_task_redraw_approve(Req *r);
void page_task_redraw_approve(Req *r);
void page_task_notice(Req *r);
void page_task_draw_file(Req *r);
void page_task_conflict(Req *r);
void api_task_conflict(Req *r);
void page_plan_adhoc_resubmit(Req *r);
void page_joint_list(Req *r);
void page_joint_confirm(Req *r);
void page_my_groups(Req *r);
void page_my_notice(Req *r);
void page_public_tasks(Req *r);
void page_public_task(Req *r);
void page_public_task_record(Req *r);
void page_public_task_population(Req *r);
void page_public_task_officers(Req *r);
void page_public_task_announcement(Req *r);
void page_public_verify_spec(Req *r);
void page_public_verify_tool(Req *r);
void page_public_task_announcement_text(Req *r);

/* Shared by the task handlers (page_task.c). */
/* The task named by the :id parameter when it exists and lies in the user's org scope; else
 * sends 404 and returns 0. */
long long task_web_id(Req *r);
/* The task of :id (task_web_id) as task_json for today; NULL after sending 404. *id_out gets the id. */
json_t *task_web_load(Req *r, long long *id_out);
/* Parses a positive id; 0 when s is not one. */
long long task_web_parse_id(const char *s);
/* The draw actions shared by the pages and the JSON API (page_task_draw.c). Each runs in one
 * transaction with its audit row: both commit or neither. Return 0, or the HTTP status of the
 * refusal/failure with the Chinese reason in *msg (caller frees). The task id must already be
 * checked to be in scope (task_web_id). */
int task_web_freeze(Req *r, long long id, const json_t *sources, char **fsha, char **msg);
/* The sources of public randomness typed into a form: rows PREFIX_kindN, PREFIX_issueN,
 * PREFIX_dateN, PREFIX_roundN, PREFIX_countN for N = 0..3 (draw_source.h). A new array, or NULL
 * when no row names a kind. Numbers that are not integers stay text, for the checks to name. */
json_t *task_web_sources_form(Req *r, const char *prefix);
/* Four editable rows for the sources partial (web/templates/sources_fields.html), filled from
 * `sources` (may be NULL): [{i, kinds [{value, label, selected}], issue, date, round, count}]. */
json_t *task_web_source_rows(const json_t *sources);
/* The scheme's state change `action` (submit/approve/return/publish) and saving a 草稿 scheme,
 * each in one transaction with its audit row (page_task.c). Same return convention. */
int task_web_scheme_action(Req *r, long long id, const char *action, const char *opinion, char **msg);
struct TaskSchemeInput;
int task_web_scheme_save(Req *r, long long id, const struct TaskSchemeInput *in, json_t *errors, char **msg);
int task_web_run(Req *r, long long id, const json_t *values, const char *observers_present, json_t **record,
                 char **msg);
/* Records the dice (one string per dice source) before the lottery; *dice {values, recorded_at}. */
int task_web_dice(Req *r, long long id, const json_t *values, const char *observers_present, json_t **dice,
                  char **msg);
/* The user's joint dept (user.dept_id, in *dept_out) confirms its part of task id with its own
 * items, in one transaction with the audit row (page_task_people.c). Same return convention;
 * 404 when the account has no dept or the dept is not a joint dept of the task. */
int task_web_joint_confirm(Req *r, long long id, const char *items, int64_t *dept_out, char **msg);
/* Re-draw: a request with its reason (approve = 0), or the leader's approval with new sources
 * (approve = 1, *fsha the new freeze digest). Same return convention. */
int task_web_redraw(Req *r, long long id, const char *reason, const json_t *sources, int approve, char **fsha, char **msg);
/* A substitution request (reason from task_substitution_reasons, and a text; *req_id its id) and
 * the leader's decision on request req_id (approve, or reject with an opinion; *event the applied
 * substitution). Same return convention. */
int task_web_substitute_decide(Req *r, long long id, int64_t req_id, int approve, const char *opinion, json_t **event,
                               char **msg);
/* Declares a conflict (回避) before the freeze (task_conflict_declare). Same return convention. */
int task_web_conflict(Req *r, long long id, const char *officer, const char *target, const char *reason, int64_t *cid,
                      char **msg);
int task_web_substitute(Req *r, long long id, const char *type, const char *target, const char *officer,
                        const char *reason_code, const char *reason_text, int64_t *req_id, char **msg);
/* Sends the ceremony-style view model of the task's current draw: {draw (record or freeze),
 * status, strata [..], selected [..], groups [..]} with officer and target names (insured
 * persons by pseudonymous code only). New reference, or NULL when the task has no draw. */
json_t *task_web_draw_view(Req *r, const char *code, int public_view);
/* Sends a draw artefact: what 0 the record (JSON), 1 the population file, 2 the officer file,
 * as an attachment named record-N.json, population-N.tsv, officers-N.tsv. */
void task_web_send_draw_file(Req *r, int what, const json_t *doc, const char *pop, const char *off);
/* Renders the 检查通知书 of target `target` of task tid (checks that it is a current drawn
 * target); the officer view passes its officer cert to limit to its own groups (NULL: any). */
void task_web_notice(Req *r, long long tid, const char *target, const char *only_cert);

#endif
