/* result_web.h - the web handlers of review (退回/审核通过), publication, the public results and
 * the credit exchange export (page_result.c, page_result_api.c, page_result_public.c), and their
 * rows of the route table as macros web.c splices into web_routes[] (pages; APIs before
 * /api/v1/:kind). Fixed paths (/results/publish, /results/exchange) precede /results/:id. */
#ifndef SPOTCHECK_RESULT_WEB_H
#define SPOTCHECK_RESULT_WEB_H

#include "web.h"

#define RESULT_PAGE_ROUTES                                                                         \
    {"GET", "/review", P_RESULT_REVIEW, CSRF_NONE, page_review_list, "待审核的检查结果"},          \
    {"GET", "/review/:id", P_RESULT_REVIEW, CSRF_NONE, page_review_detail, "审核检查记录"},        \
    {"POST", "/review/:id/return", P_RESULT_REVIEW, CSRF_TOKEN, page_review_return,                \
     "退回检查记录（须填写意见）"},                                                                \
    {"POST", "/review/:id/approve", P_RESULT_REVIEW, CSRF_TOKEN, page_review_approve,              \
     "审核通过检查记录"},                                                                          \
    {"GET", "/results", P_RESULT_PUBLISH, CSRF_NONE, page_results, "待公示与已公示的检查结果"},    \
    {"POST", "/results/publish", P_RESULT_PUBLISH, CSRF_TOKEN, page_results_publish_batch,          \
     "批量公示检查结果"},                                                                          \
    {"GET", "/results/exchange", P_RESULT_PUBLISH, CSRF_NONE, page_results_exchange,               \
     "导出抽查检查结果（信用信息交换，CSV/JSON）"},                                                \
    {"GET", "/results/:id", P_RESULT_PUBLISH, CSRF_NONE, page_result_detail, "检查记录（公示前查看）"}, \
    {"POST", "/results/:id/publish", P_RESULT_PUBLISH, CSRF_TOKEN, page_result_publish,            \
     "公示检查结果"},                                                                              \
    {"GET", "/public/results", P_PUBLIC, CSRF_NONE, page_public_results, "抽查检查结果公示"},      \
    {"GET", "/public/results/:id", P_PUBLIC, CSRF_NONE, page_public_result, "抽查检查结果详情"},

#define RESULT_API_ROUTES                                                                          \
    {"GET", "/api/v1/review", P_RESULT_REVIEW, CSRF_NONE, api_review_queue, "待审核的检查结果"},   \
    {"POST", "/api/v1/review/:id", P_RESULT_REVIEW, CSRF_TOKEN, api_review_action,                 \
     "审核检查记录（approve / return）"},                                                          \
    {"GET", "/api/v1/results/exchange", P_RESULT_PUBLISH, CSRF_NONE, api_results_exchange,         \
     "抽查检查结果交换数据（JSON）"},

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
/* Reviews record id (action "return" or "approve") in one transaction with its audit row.
 * Returns the RESULT_* code; *msg (new string) says why on failure. */
int result_web_review(Req *r, long long id, const char *action, const char *opinion, char **msg);
/* HTTP status of a RESULT_* code. */
int result_web_status(int rc);
/* The exchange rows for the ?from=&to= of the request, audited as an export; NULL after an error
 * was sent. */
json_t *result_web_exchange(Req *r, const char *format);

#endif
