/* figures_web.h - the web handlers of the year's figures (page_figures.c): the page with its
 * server-drawn SVG charts, the xlsx report and the JSON API (their routes: routes.c). Every route
 * needs P_DASH_READ and shows the user's org and the orgs below it. */
#ifndef SPOTCHECK_FIGURES_WEB_H
#define SPOTCHECK_FIGURES_WEB_H

#include "web.h"

void page_figures(Req *r);
void page_figures_xlsx(Req *r);
void api_figures(Req *r);

/* Shared by page_figures*.c: the report (figures_year_json) for the ?year= parameter (default:
 * the current year) and the user's org scope; *year_out gets the year. Sends 400 for a bad year
 * or 500 on a database error and returns NULL. New reference. */
json_t *figures_web_load(Req *r, int *year_out);

#endif
