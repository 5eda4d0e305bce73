/* task_web.h - the web handlers of task implementation (page_task.c, page_task_draw.c,
 * page_task_people.c, page_task_adhoc.c, page_public_task.c; their routes: routes.c). */
#ifndef SPOTCHECK_TASK_WEB_H
#define SPOTCHECK_TASK_WEB_H

#include "../domain/draw_groups.h"
#include "web.h"

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
void page_task_notice_issue(Req *r);
void page_task_notices(Req *r);
void page_task_notices_issue(Req *r);
void page_task_report(Req *r);
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
/* The task of :id (task_web_id) as task_json for today; NULL after sending 404. *id_out gets the
 * id. */
json_t *task_web_load(Req *r, long long *id_out);
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
/* The scheme's state change `action` (submit/approve/return/publish) in one transaction with its
 * audit row (page_task.c). Same return convention. */
int task_web_scheme_action(Req *r, long long id, const char *action, const char *opinion,
                           char **msg);
/* Runs the frozen draw (task_draw_run); *summary the run's summary (caller decrefs). */
int task_web_run(Req *r, long long id, const json_t *values, const char *observers_present,
                 json_t **summary, char **msg);
/* Records the dice (one string per dice source) before the lottery; *dice {values, recorded_at}. */
int task_web_dice(Req *r, long long id, const json_t *values, const char *observers_present,
                  json_t **dice, char **msg);
/* The user's joint dept (user.dept_id, in *dept_out) confirms its part of task id with its own
 * items, in one transaction with the audit row (page_task_people.c). Same return convention;
 * 404 when the account has no dept or the dept is not a joint dept of the task. */
int task_web_joint_confirm(Req *r, long long id, const char *codes, const char *items,
                           int64_t *dept_out, char **msg);
/* Re-draw: a request with its reason (approve = 0), or the leader's approval with new sources
 * (approve = 1, *fsha the new freeze digest). Same return convention. */
int task_web_redraw(Req *r, long long id, const char *reason, const json_t *sources, int approve,
                    char **fsha, char **msg);
/* A substitution request (reason from task_substitution_reasons, and a text; *req_id its id) and
 * the leader's decision on request req_id (approve, or reject with an opinion; *event the applied
 * substitution). Same return convention. */
int task_web_substitute_decide(Req *r, long long id, int64_t req_id, int approve,
                               const char *opinion, json_t **event, char **msg);
/* Declares a conflict (回避) before the freeze (task_conflict_declare). Same return convention. */
int task_web_conflict(Req *r, long long id, const char *officer, const char *target,
                      const char *reason, int64_t *cid, char **msg);
int task_web_substitute(Req *r, long long id, const char *type, const char *target,
                        const char *officer, const char *reason_code, const char *reason_text,
                        int64_t *req_id, char **msg);
/* The ceremony-style view model of the task's current draw: {status, drawn, the freeze's data,
 * strata, and once drawn groups [..] (page q of them, draw_groups.h: q->draw_id and
 * q->public_view are filled in here; NULL: none), pager {page, pages, total, asked?}, tickets
 * [..] (the drawn targets of that page), events [..], under_minimum?} with officer and target
 * names (insured persons by pseudonymous code only). New reference, or NULL when the task has no
 * draw. */
json_t *task_web_draw_view(Req *r, const char *code, int public_view, DrawGroupsQuery *q);
/* The groups asked for in the query: page=N (1 when absent or not a number), q= a target code or
 * its start (*target), and with `member` m= an officer's certificate number or name (*member);
 * the caller frees both. */
void task_web_groups_ask(Req *r, DrawGroupsQuery *q, char **target, char **member);
/* Adds to v.pager what the draw_pager partial shows: the links (first/prev/next/last_href to path
 * with the same search, landing on #groups-card), the search as typed (q, m), `searching`,
 * `action` (path) and `member` (by_member: the search by officer is offered). */
void task_web_pager(json_t *v, const char *path, const char *target, const char *member,
                    int by_member);
/* Sends a draw artefact as stored (draw_store_file_text): what 0 the record (JSON), 1 the
 * population file, 2 the officer file, as an attachment named record-N.json, population-N.tsv,
 * officers-N.tsv. Takes text (len bytes, malloc'ed): the response sends it without a copy. */
void task_web_send_draw_file(Req *r, int what, char *text, size_t len, int draw_no);
/* Renders the 检查通知书 of target `target` of task tid (checks that it is a current drawn
 * target); the officer view passes its officer cert to limit to its own groups (NULL: any). */
void task_web_notice(Req *r, long long tid, const char *target, const char *only_cert);

#endif
