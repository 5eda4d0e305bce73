/* session.h - the cookies of login sessions, and CSRF tokens.
 *
 * The cookie "sc_session" carries a random 256-bit token; the database keeps only its SHA-256
 * (the rows and their rules: src/domain/login.h). A session ends after App.session_idle seconds
 * without a request, at logout, or when a new login replaces it (the token is rotated at every
 * login). Each session has its own CSRF token.
 * Before login, the cookie "sc_pre" binds the login form's CSRF token to the browser. */
#ifndef SPOTCHECK_SESSION_H
#define SPOTCHECK_SESSION_H

#include "web.h"

#define LOGIN_DEVICE_DAYS 180

/* Loads r->sess from the cookie if its session is live (login_session_resume refreshes last_seen).
 */
void session_load(Req *r);
/* A new session's secrets: the cookie's random token, its SHA-256 (all the database keeps) and
 * the session's CSRF token. */
typedef struct SessionNew {
    char token[65], token_hash[65], csrf[65];
} SessionNew;
void session_new(SessionNew *s);
/* Sets the cookie of a session the domain has stored (login_password) on r->res. */
void session_start(Req *r, const SessionNew *s);
/* Clears the session cookie and r->sess (the row goes in login_logout). */
void session_end(Req *r);
/* Constant-time comparison of two hex tokens. */
int session_token_eq(const char *a, const char *b);
/* Pre-login CSRF: returns the token for the login form, setting the sc_pre cookie when absent. */
char *session_login_csrf(Req *r);
int session_login_csrf_ok(Req *r);
/* Device cookies of the login throttle (src/domain/login.h): a browser that logged in to username
 * before carries sc_device, a nonce and its HMAC under the installation's key, bound to the user
 * name. 1 when the request has a valid one for username; id receives the digest of its nonce
 * (stored with the attempts), "" otherwise. */
int session_login_device(Req *r, const char *username, char id[65]);
/* Sets a new device cookie for username on the response (after a successful login). */
void session_device_issue(Req *r, const char *username);
/* Value of a request cookie (new string) or NULL. */
char *web_cookie(Req *r, const char *name);

#endif
