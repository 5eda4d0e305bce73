/* result_web.h - the web handlers of review (退回/审核通过), publication, the public results and the credit exchange export, and their rows of the route table as macros web.c
 * splices into web_routes[] (pages; APIs before /api/v1/:kind). */
#ifndef SPOTCHECK_RESULT_WEB_H
#define SPOTCHECK_RESULT_WEB_H

#include "web.h"

#define RESULT_PAGE_ROUTES
#define RESULT_API_ROUTES

#endif
