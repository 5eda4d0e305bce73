/* dash_web.h - the web handlers of deadline clocks (page_dash.c): the dashboard, overdue lists
 * per officer and per dept (004 第十八条), the daily reminder list, an officer's own deadlines and
 * the deadlines API, and their rows of the route table as macros web.c splices into web_routes[]
 * (pages; APIs before /api/v1/:kind). Every list is limited to the user's org scope. */
#ifndef SPOTCHECK_DASH_WEB_H
#define SPOTCHECK_DASH_WEB_H

#include "web.h"

#define DASH_PAGE_ROUTES                                                                           \
    {"GET", "/dashboard", P_DASH_READ, CSRF_NONE, page_dash, "期限与督办：各类期限统计、逾期与即将到期"}, \
    {"GET", "/dashboard/overdue", P_DASH_READ, CSRF_NONE, page_dash_overdue,                       \
     "逾期事项按执法人员或科室汇总（?by=officer|dept）"},                                          \
    {"GET", "/dashboard/reminders", P_DASH_READ, CSRF_NONE, page_dash_reminders,                   \
     "每日期限提醒清单（?date=YYYY-MM-DD，可打印）"},                                              \
    {"GET", "/my/deadlines", P_TASK_MINE, CSRF_NONE, page_my_deadlines, "本人检查组的期限"},
#define DASH_API_ROUTES                                                                            \
    {"GET", "/api/v1/deadlines", P_DASH_READ, CSRF_NONE, api_deadlines,                            \
     "期限列表（?state=overdue|due_today|due_soon|pending|done_on_time|done_late|unknown&kind=&date=）"},

void page_dash(Req *r);
void page_dash_overdue(Req *r);
void page_dash_reminders(Req *r);
void page_my_deadlines(Req *r);
void api_deadlines(Req *r);

#endif
