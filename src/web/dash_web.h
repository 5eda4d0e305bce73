/* dash_web.h - the web handlers of deadline clocks, the dashboard, overdue lists and the daily reminder list, and their rows of the route table as macros web.c
 * splices into web_routes[] (pages; APIs before /api/v1/:kind). */
#ifndef SPOTCHECK_DASH_WEB_H
#define SPOTCHECK_DASH_WEB_H

#include "web.h"

#define DASH_PAGE_ROUTES
#define DASH_API_ROUTES

#endif
