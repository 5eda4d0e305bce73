/* record_web.h - the web handlers of record forms 一企一表: list, fill (phone, offline draft), files, signature, submit, and their rows of the route table as macros web.c
 * splices into web_routes[] (pages; APIs before /api/v1/:kind). */
#ifndef SPOTCHECK_RECORD_WEB_H
#define SPOTCHECK_RECORD_WEB_H

#include "web.h"

#define RECORD_PAGE_ROUTES
#define RECORD_API_ROUTES

#endif
