/* plan_web.h - the annual plan's web handlers (page_plan.c, api_plan.c, page_public_plan.c; their
 * routes: routes.c). */
#ifndef SPOTCHECK_PLAN_WEB_H
#define SPOTCHECK_PLAN_WEB_H

#include "../domain/plan.h"
#include "web.h"

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
void api_plan_task_put(Req *r);
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
int plan_web_transition(Req *r, long long vid, PlanAction action, const char *opinion, char **msg);
/* Runs a revision (plan_work_revise); 201 and *new_id, the new version, on success. */
int plan_web_revise(Req *r, long long vid, const char *reason, long long *new_id, char **msg);

#endif
