/* session.h - login sessions and CSRF tokens.
 *
 * The cookie "sc_session" carries a random 256-bit token; the database keeps only its SHA-256.
 * A session ends after App.session_idle seconds without a request, at logout, or when a new login
 * replaces it (the token is rotated at every login). Each session has its own CSRF token.
 * Before login, the cookie "sc_pre" binds the login form's CSRF token to the browser. */
#ifndef SPOTCHECK_SESSION_H
#define SPOTCHECK_SESSION_H

#include "web.h"

#define LOGIN_MAX_FAILURES 5
#define LOGIN_WINDOW_SECONDS 900

/* Loads r->sess from the cookie if it is valid and not idle; refreshes last_seen. */
void session_load(Req *r);
/* Creates a session for user_id, sets the cookie on r->res, replaces the old session. */
int session_start(Req *r, long long user_id);
/* Ends the current session and clears the cookie. */
void session_end(Req *r);
/* Constant-time comparison of two hex tokens. */
int session_token_eq(const char *a, const char *b);
/* Pre-login CSRF: returns the token for the login form, setting the sc_pre cookie when absent. */
char *session_login_csrf(Req *r);
int session_login_csrf_ok(Req *r);
/* Login throttling: 1 when this username or address has had LOGIN_MAX_FAILURES failures within
 * LOGIN_WINDOW_SECONDS. */
int session_login_blocked(Req *r, const char *username);
/* Records an attempt; returns its id (0 on failure). */
long long session_login_record(Req *r, const char *username, int ok);
/* Marks attempt `id` successful and clears the user's failures. */
void session_login_succeeded(Req *r, const char *username, long long id);
/* Value of a request cookie (new string) or NULL. */
char *web_cookie(Req *r, const char *name);

#endif
