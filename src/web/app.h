/* app.h - the web application: one App per server, shared read-only by the request threads. */
#ifndef SPOTCHECK_APP_H
#define SPOTCHECK_APP_H

#include "../db/db.h"
#include "http.h"

#include <pthread.h>

#define APP_POOL 16 /* idle database connections kept for reuse */

typedef struct App {
    char *db_path;
    pthread_mutex_t pool_lock;
    Db *pool[APP_POOL]; /* opening a connection re-reads the schema: reuse them */
    int npool;
    int session_idle;   /* seconds of inactivity before a session ends */
    int secure_cookies; /* add the Secure attribute (behind HTTPS) */
} App;

/* Fills the defaults (and SPOTCHECK_SESSION_IDLE, SPOTCHECK_SECURE_COOKIES from the
 * environment). */
void app_init(App *app, const char *db_path);
void app_free(App *app);
/* A database connection for one request: from the pool or newly opened (NULL on failure). */
Db *app_db_get(App *app);
/* Returns it to the pool (or closes it when the pool is full). */
void app_db_put(App *app, Db *db);

/* The early check given to http_serve / http_test_one: refuses over-long bodies, and multipart
 * uploads unless they go to an import route with a valid session. */
int app_accept(void *app, HttpRequest *req);

/* The handler given to http_serve / http_test_one. Opens its own database connection. */
void app_handle(void *app, HttpRequest *req, HttpResponse *res);

#endif
