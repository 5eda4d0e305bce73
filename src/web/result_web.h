/* result_web.h - the web handlers of review (退回/审核通过), publication, the public results and
 * the credit exchange export (page_result.c, page_result_api.c, page_result_public.c; their
 * routes: routes.c). */
#ifndef SPOTCHECK_RESULT_WEB_H
#define SPOTCHECK_RESULT_WEB_H

#include "web.h"

void page_review_list(Req *r);
void page_review_detail(Req *r);
void page_review_return(Req *r);
void page_review_approve(Req *r);
void page_results(Req *r);
void page_results_publish_batch(Req *r);
void page_results_exchange(Req *r);
void page_result_detail(Req *r);
void page_result_publish(Req *r);
void page_public_results(Req *r);
void page_public_result(Req *r);
void api_review_queue(Req *r);
void api_review_action(Req *r);
void api_results_exchange(Req *r);

/* Shared by the result handlers (page_result.c). */
/* The record of :id when it exists and lies in the user's org scope; else sends 404, returns 0. */
long long result_web_id(Req *r);
void page_result_revisit(Req *r);
/* Reviews record id (action "return" or "approve") in one transaction with its audit row.
 * Returns the RESULT_* code; *msg (new string) says why on failure. */
int result_web_review(Req *r, long long id, const char *action, const char *opinion, char **msg);
/* The exchange rows for the ?from=&to= of the request, audited as an export; NULL after an error
 * was sent. */
json_t *result_web_exchange(Req *r, const char *format);

#endif
