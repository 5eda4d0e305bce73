/* dash_web.h - the web handlers of deadline clocks (page_dash.c): the dashboard, overdue lists
 * per officer and per dept (004 第十八条), the daily reminder list, an officer's own deadlines and
 * the deadlines API (their routes: routes.c). Every list is limited to the user's org scope. */
#ifndef SPOTCHECK_DASH_WEB_H
#define SPOTCHECK_DASH_WEB_H

#include "web.h"

void page_dash(Req *r);
void page_dash_overdue(Req *r);
void page_dash_reminders(Req *r);
void page_my_deadlines(Req *r);
void api_deadlines(Req *r);

#endif
