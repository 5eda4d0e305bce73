/* figures_web.h - the web handlers of the year's figures: dashboard with SVG charts and the xlsx report, and their rows of the route table as macros web.c
 * splices into web_routes[] (pages; APIs before /api/v1/:kind). */
#ifndef SPOTCHECK_FIGURES_WEB_H
#define SPOTCHECK_FIGURES_WEB_H

#include "web.h"

#define FIGURES_PAGE_ROUTES
#define FIGURES_API_ROUTES

#endif
