/* app.h - the web application: one App per server, shared read-only by the request threads. */
#ifndef SPOTCHECK_APP_H
#define SPOTCHECK_APP_H

#include "http.h"

typedef struct App {
    char *db_path;
    int session_idle; /* seconds of inactivity before a session ends */
    int secure_cookies; /* add the Secure attribute (behind HTTPS) */
} App;

/* Fills the defaults (and SPOTCHECK_SESSION_IDLE, SPOTCHECK_SECURE_COOKIES from the
 * environment). */
void app_init(App *app, const char *db_path);
void app_free(App *app);

/* The early check given to http_serve / http_test_one: refuses over-long bodies, and multipart
 * uploads unless they go to an import route with a valid session. */
int app_accept(void *app, HttpRequest *req);

/* The handler given to http_serve / http_test_one. Opens its own database connection. */
void app_handle(void *app, HttpRequest *req, HttpResponse *res);

#endif
