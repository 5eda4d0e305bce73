/* figures_web.h - the web handlers of the year's figures (page_figures.c): the page with its
 * server-drawn SVG charts, the xlsx report and the JSON API, and their rows of the route table
 * as macros web.c splices into web_routes[] (pages; APIs before /api/v1/:kind). Every route
 * needs P_DASH_READ and shows the user's org and the orgs below it. */
#ifndef SPOTCHECK_FIGURES_WEB_H
#define SPOTCHECK_FIGURES_WEB_H

#include "web.h"

#define FIGURES_PAGE_ROUTES                                                                        \
    {"GET", "/figures", P_DASH_READ, CSRF_NONE, page_figures, "年度指标（?year=YYYY）"},             \
    {"GET", "/figures.xlsx", P_DASH_READ, CSRF_NONE, page_figures_xlsx, "年度指标报表（XLSX）"},
#define FIGURES_API_ROUTES                                                                         \
    {"GET", "/api/v1/figures", P_DASH_READ, CSRF_NONE, api_figures, "年度指标（?year=YYYY）"},

void page_figures(Req *r);
void page_figures_xlsx(Req *r);
void api_figures(Req *r);

/* Shared by page_figures*.c: the report (figures_year_json) for the ?year= parameter (default:
 * the current year) and the user's org scope; *year_out gets the year. Sends 400 for a bad year
 * or 500 on a database error and returns NULL. New reference. */
json_t *figures_web_load(Req *r, int *year_out);

#endif
