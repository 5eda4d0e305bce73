/* app.h - the web application: one App per server, shared read-only by the request threads. */
#ifndef SPOTCHECK_APP_H
#define SPOTCHECK_APP_H

#include "../db/db.h"
#include "http.h"

#include <pthread.h>

typedef struct App {
    char *db_path;
    /* each thread's database connection (app.c), opened at its first request and kept: opening
     * one re-reads the schema and starts with a cold page cache */
    pthread_key_t conn_key;
    struct PubCache *pubcache; /* public pages (pubcache.h); NULL with SPOTCHECK_TEMPLATES */
    int session_idle;          /* seconds of inactivity before a session ends */
    int secure_cookies;        /* add the Secure attribute (behind HTTPS) */
    char *files_dir; /* records' photos, videos, signatures: SPOTCHECK_FILES, else beside the
                      * database file (record_files_dir); every serve process must share it */
} App;

/* Fills the defaults (and SPOTCHECK_SESSION_IDLE, SPOTCHECK_SECURE_COOKIES, SPOTCHECK_FILES from
 * the environment). */
void app_init(App *app, const char *db_path);
void app_free(App *app);
/* The calling thread's database connection for one request: the one kept for the thread (opened
 * at its first request, and anew when the file was replaced), or, when the thread's is already in
 * use, a connection of its own. NULL when the database cannot be opened. */
Db *app_db_get(App *app);
/* Ends the request's use of db: rolled back and reset for the thread's next request (db_release),
 * or closed when that fails or db was not the thread's own. */
void app_db_put(App *app, Db *db);

/* The early check given to http_serve / http_test_one: refuses over-long bodies, and multipart
 * uploads unless they go to an import route with a valid session. */
int app_accept(void *app, HttpRequest *req);

/* The handler given to http_serve / http_test_one. Opens its own database connection. */
void app_handle(void *app, HttpRequest *req, HttpResponse *res);

#endif
