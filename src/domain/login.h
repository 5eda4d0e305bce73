/* login.h - signing in and staying signed in, as units of work for the web's login, logout and
 * own-password pages: the session rows, the login throttle and the password-hash limiter. The
 * cookies, their random tokens and their signatures are the web's (src/web/session.c); the
 * database keeps only the SHA-256 of a session token.
 *
 * Sessions. A session ends after `idle` seconds without a request, at logout, when a new login
 * replaces it, or when its account is disabled (account.c). Each has its own CSRF token.
 *
 * Throttle (OWASP device cookies). A browser that logged in to a user name before carries a
 * signed device cookie; only that browser's own failures count against it, LOGIN_MAX_FAILURES
 * within LOGIN_WINDOW_SECONDS after its last success. Any other browser is refused after
 * LOGIN_MAX_FAILURES failures of the user name since its last success within the window, or 4
 * times as many from its address — so others' failures never lock the owner's known browser out.
 * An attempt is counted before the password is checked, in one write transaction, so parallel
 * guesses cannot slip past the limit; failed attempts are kept and audited (login.failed); a busy
 * answer is not an attempt. Refusals cost no password check, so only the first of each window
 * is audited.
 *
 * Times are epoch seconds from the caller (the web's wall clock). Thread-safe: each call uses only
 * the Db handed in; the hash limiter is a process-wide counter under a mutex. */
#ifndef SPOTCHECK_LOGIN_H
#define SPOTCHECK_LOGIN_H

#include "../db/db.h"
#include "actor.h"

#include <stdint.h>

#define LOGIN_MAX_FAILURES 5
#define LOGIN_WINDOW_SECONDS 900

/* Results of the units of work below; the account_change_password results (account.h, 0..4)
 * pass through login_change_password unchanged. */
enum {
    LOGIN_OK = 0,
    LOGIN_ERR = -1,
    LOGIN_REFUSED = 10 /* too many failures */,
    LOGIN_BUSY = 11 /* no password check could run now */,
    LOGIN_WRONG = 12 /* unknown name or wrong password */
};

/* The account behind a live session. */
typedef struct LoginSession {
    int64_t user_id, org_id;
    char csrf[65], username[65], display_name[128], role[16], org_name[128], org_code[8];
    int must_change, pii_export;
} LoginSession;

/* The live session of token_hash at `now`: 1 with *out filled, else 0. A session idle longer than
 * `idle` seconds, of a disabled account, or unknown is deleted; a live one's last_seen is written
 * at most once a minute, so concurrent requests of one user do not queue behind each other's
 * writes (idle expiry is precise to that minute). */
int login_session_resume(Db *db, const char *token_hash, int64_t now, int idle, LoginSession *out);

/* The installation's key for device cookies (meta.device_key) as a new string, or NULL. */
char *login_device_key(Db *db);

/* One login from a browser. Strings are borrowed for the call. */
typedef struct LoginTry {
    const char *username; /* as typed */
    const char *device;   /* digest of the browser's valid device cookie's nonce, or "" */
    const char *remote;   /* client address, as stored with attempts, sessions and audit rows */
    int64_t now;          /* epoch seconds */
    int idle;             /* session idle limit: idle sessions of anyone are cleaned at a login */
    const char *old_token_hash;    /* the session this login replaces, or NULL */
    const char *token_hash, *csrf; /* the new session: its token's digest and its CSRF token */
} LoginTry;

/* Signs in with a password: the throttle, the password check (against a fixed hash when the name
 * is unknown, so timing does not reveal names), then in one transaction the attempt marked
 * successful, the new session replacing the old, and the audit row "login". Returns LOGIN_OK with
 * the account's stored user name in *name (caller frees; for the device cookie), LOGIN_REFUSED
 * (the first refusal of a window audited), LOGIN_BUSY (the attempt is not counted), LOGIN_WRONG
 * (audited login.failed) or LOGIN_ERR (the session could not be stored). */
int login_password(Db *db, const LoginTry *t, const char *password, char **name);

/* The signed-in account's own password change (account_change_password), guarded like a login
 * since the current password is a guess like a login's: the same throttle on who's name from
 * `device` ("" when none) and the same hash limiter. Returns account_change_password's result,
 * LOGIN_REFUSED or LOGIN_BUSY; the Chinese reason in *err. */
int login_change_password(Db *db, const Actor *who, const char *device, int64_t now,
                          const char *current, const char *password, const char *keep_token_hash,
                          char **err);

/* Logs user_id out: the audit row "logout", then its session of token_hash is deleted. */
void login_logout(Db *db, const Actor *who, int64_t user_id, const char *token_hash);

#endif
