/* followup_web.h - the web handlers of follow-up (后续处置), the transfer ledger and credit grade adjustments, and their rows of the route table as macros web.c
 * splices into web_routes[] (pages; APIs before /api/v1/:kind). */
#ifndef SPOTCHECK_FOLLOWUP_WEB_H
#define SPOTCHECK_FOLLOWUP_WEB_H

#include "web.h"

#define FOLLOWUP_PAGE_ROUTES
#define FOLLOWUP_API_ROUTES

#endif
