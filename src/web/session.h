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
#define LOGIN_DEVICE_DAYS 180

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
/* Login throttling (OWASP device cookies). A browser that logged in to username before carries the
 * signed cookie sc_device (a nonce and its HMAC under the installation's key, bound to the user
 * name): only that browser's own failures count against it, LOGIN_MAX_FAILURES within
 * LOGIN_WINDOW_SECONDS after its last success. Any other browser is refused after
 * LOGIN_MAX_FAILURES failures of the user name since its last success within the window, or 4 times
 * as many from its address — so others' failures never lock the owner's known browser out.
 * Failed attempts are kept (and audited by the caller); a busy answer is not an attempt. */
/* 1 when the request has a valid device cookie for username; id receives the digest of its nonce
 * (stored with the attempts), "" otherwise. */
int session_login_device(Req *r, const char *username, char id[65]);
/* Sets a new device cookie for username on the response (after a successful login). */
void session_device_issue(Req *r, const char *username);
/* 1 when the next attempt is refused (device: the digest from session_login_device, or ""). */
int session_login_blocked(Req *r, const char *username, const char *device);
/* Records an attempt as failed until proven otherwise; returns its id (0 on failure). */
long long session_login_record(Req *r, const char *username, const char *device);
/* Marks attempt `id` successful (earlier failures are kept: the throttle counts after it). */
void session_login_succeeded(Req *r, long long id);
/* 1 for the first refusal of username from this address within the window (it is then noted, ok = 2):
 * refusals cost no password check, so only the first of each window is audited. */
int session_login_refusal_first(Req *r, const char *username);
/* Removes attempt `id`: the password was never checked (the server was busy). */
void session_login_not_tried(Req *r, long long id);
/* The password-hash limiter (argon2id takes 64 MiB a check): 1 when a check may run now, else the
 * caller answers 503; each successful enter is paired with a leave. */
int session_pwhash_enter(void);
void session_pwhash_leave(void);
/* Value of a request cookie (new string) or NULL. */
char *web_cookie(Req *r, const char *name);

#endif
