/* app.h - the web application: one App per server, shared read-only by the request threads. */
#ifndef SPOTCHECK_APP_H
#define SPOTCHECK_APP_H

#include "http.h"

typedef struct App {
    char *db_path;
} App;

/* The handler given to http_serve / http_test_one. Opens its own database connection. */
void app_handle(void *app, HttpRequest *req, HttpResponse *res);

#endif
