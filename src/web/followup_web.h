/* followup_web.h - the web handlers of follow-up (后续处置), the transfer ledger (转办、移送台账)
 * and the credit record with grade adjustments (page_followup.c, page_followup_transfer.c,
 * page_followup_credit.c; their routes: routes.c). Reading is P_TASK_READ (staff, leader,
 * supervisor, admin: oversight reads the follow-up too); every change is P_FOLLOWUP_WRITE, a grade
 * adjustment P_CREDIT_WRITE. */
#ifndef SPOTCHECK_FOLLOWUP_WEB_H
#define SPOTCHECK_FOLLOWUP_WEB_H

#include "web.h"

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
void page_credit_confirm(Req *r);
void page_public_penalties(Req *r);
void api_followup_list(Req *r);
void api_followup_get(Req *r);

/* Shared by the follow-up handlers (page_followup.c). */
/* Field errors as a '；'-joined Chinese text (new string). */
char *fu_web_errors_text(json_t *errors);

#endif
