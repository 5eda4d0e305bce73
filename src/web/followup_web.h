/* followup_web.h - the web handlers of follow-up (后续处置), the transfer ledger (转办、移送台账)
 * and the credit record with grade adjustments (page_followup.c, page_followup_transfer.c,
 * page_followup_credit.c), and their rows of the route table as macros web.c splices into
 * web_routes[] (pages; APIs before /api/v1/:kind). Fixed paths (/followups/new) precede
 * /followups/:id. Reading is P_TASK_READ (staff, leader, supervisor, admin: oversight reads the
 * follow-up too); every change is P_FOLLOWUP_WRITE, a grade adjustment P_CREDIT_WRITE. */
#ifndef SPOTCHECK_FOLLOWUP_WEB_H
#define SPOTCHECK_FOLLOWUP_WEB_H

#include "web.h"

#define FOLLOWUP_PAGE_ROUTES                                                                       \
    {"GET", "/followups", P_TASK_READ, CSRF_NONE, page_followup_list, "后续处置：待处置、处置中与已完结"}, \
    {"GET", "/followups/new", P_FOLLOWUP_WRITE, CSRF_NONE, page_followup_new, "新建后续处置表单"}, \
    {"POST", "/followups", P_FOLLOWUP_WRITE, CSRF_TOKEN, page_followup_create, "新建后续处置"},    \
    {"GET", "/followups/:id", P_TASK_READ, CSRF_NONE, page_followup_detail,                        \
     "后续处置详情、版本与移送"},                                                                  \
    {"POST", "/followups/:id", P_FOLLOWUP_WRITE, CSRF_TOKEN, page_followup_update, "修改后续处置"}, \
    {"POST", "/followups/:id/publish-penalty", P_FOLLOWUP_WRITE, CSRF_TOKEN,                       \
     page_followup_publish_penalty, "公示行政处罚决定"},                                           \
    {"POST", "/followups/:id/close", P_FOLLOWUP_WRITE, CSRF_TOKEN, page_followup_close,           \
     "完结后续处置"},                                                                              \
    {"GET", "/transfers", P_TASK_READ, CSRF_NONE, page_transfer_list, "转办、移送台账（可导出）"}, \
    {"POST", "/transfers", P_FOLLOWUP_WRITE, CSRF_TOKEN, page_transfer_create, "登记移送（转办）"}, \
    {"POST", "/transfers/:id/feedback", P_FOLLOWUP_WRITE, CSRF_TOKEN, page_transfer_feedback,     \
     "登记移送反馈或办结"},                                                                        \
    {"GET", "/credit/:id", P_TASK_READ, CSRF_NONE, page_credit_record, "检查对象的信用记录（内部）"}, \
    {"POST", "/credit/:id/grade", P_CREDIT_WRITE, CSRF_TOKEN, page_credit_grade,                   \
     "调整信用风险等级（须填理由）"},                                                              \
    {"GET", "/public/penalties", P_PUBLIC, CSRF_NONE, page_public_penalties, "行政处罚决定公示"},

#define FOLLOWUP_API_ROUTES                                                                        \
    {"GET", "/api/v1/followups", P_TASK_READ, CSRF_NONE, api_followup_list,                        \
     "后续处置列表（含待处置）"},                                                                  \
    {"GET", "/api/v1/followups/:id", P_TASK_READ, CSRF_NONE, api_followup_get,                     \
     "后续处置详情、版本与移送"},

void page_followup_list(Req *r);
void page_followup_new(Req *r);
void page_followup_create(Req *r);
void page_followup_detail(Req *r);
void page_followup_update(Req *r);
void page_followup_publish_penalty(Req *r);
void page_followup_close(Req *r);
void page_transfer_list(Req *r);
void page_transfer_create(Req *r);
void page_transfer_feedback(Req *r);
void page_credit_record(Req *r);
void page_credit_grade(Req *r);
void page_public_penalties(Req *r);
void api_followup_list(Req *r);
void api_followup_get(Req *r);

/* Shared by the follow-up handlers (page_followup.c). */
/* Parses a positive id; 0 when s is not one. */
long long fu_web_parse_id(const char *s);
/* The HTTP status of a FU_* / CREDIT_* result (same numbering). */
int fu_web_status(int rc);
/* Field errors as a '；'-joined Chinese text (new string). */
char *fu_web_errors_text(json_t *errors);

#endif
