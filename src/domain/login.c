/* login.c - login sessions, the login throttle and the password-hash limiter (see login.h).
 * Called by the web's session layer and its login, logout and password pages. */
#include "login.h"

#include "../core/util.h"
#include "account.h"
#include "audit.h"
#include "uow.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- sessions ---- */

int login_session_resume(Db *db, const char *token_hash, int64_t now, int idle, LoginSession *out) {
    memset(out, 0, sizeof *out);
    Stmt *st =
        db_prepare(db, "SELECT s.user_id, s.csrf, s.last_seen, u.username, u.display_name, u.role, "
                       "u.org_id, o.name, o.code, u.must_change_password, u.pii_export FROM "
                       "session s JOIN account u ON "
                       "u.id = s.user_id JOIN org o ON o.id = u.org_id WHERE s.token_hash = ? AND "
                       "u.status = '启用'");
    if (!st) return 0;
    db_bind_text(st, 1, token_hash);
    int64_t seen = 0;
    int live = db_step(st) == DB_ROW && now - (seen = db_col_int(st, 2)) <= idle;
    if (live) {
        out->user_id = db_col_int(st, 0);
        snprintf(out->csrf, sizeof out->csrf, "%s", db_col_text(st, 1));
        snprintf(out->username, sizeof out->username, "%s", db_col_text(st, 3));
        snprintf(out->display_name, sizeof out->display_name, "%s", db_col_text(st, 4));
        snprintf(out->role, sizeof out->role, "%s", db_col_text(st, 5));
        out->org_id = db_col_int(st, 6);
        snprintf(out->org_name, sizeof out->org_name, "%s", db_col_text(st, 7));
        snprintf(out->org_code, sizeof out->org_code, "%s", db_col_text(st, 8));
        out->must_change = db_col_int(st, 9) != 0;
        out->pii_export = db_col_int(st, 10) != 0;
    }
    db_finalize(st);
    if (!live)
        db_exec(db, "DELETE FROM session WHERE token_hash = ?", "t", token_hash);
    else if (now - seen >= 60)
        db_exec(db, "UPDATE session SET last_seen = ? WHERE token_hash = ?", "it", now, token_hash);
    return live;
}

/* Stores the session of a login inside its transaction: the old one goes, and idle sessions of
 * anyone are cleaned here rather than by a timer. */
static int session_store(Db *db, const LoginTry *t, int64_t uid) {
    if (t->old_token_hash)
        db_exec(db, "DELETE FROM session WHERE token_hash = ?", "t", t->old_token_hash);
    /* the sweep deletes rows no one locked: one sweep at a time, so two cannot deadlock */
    if (db_lock(db, "session", 0) != DB_OK) return DB_ERR;
    db_exec(db, "DELETE FROM session WHERE last_seen < ?", "i", t->now - t->idle);
    return db_exec(db,
                   "INSERT INTO session(token_hash, user_id, csrf, created_at, last_seen, remote) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   "titiit", t->token_hash, uid, t->csrf, t->now, t->now, t->remote);
}

char *login_device_key(Db *db) {
    char *key = NULL;
    if (db_query_text(db, &key, "SELECT value FROM meta WHERE key = 'device_key'", "") != DB_OK) {
        free(key);
        return NULL;
    }
    return key;
}

/* ---- the throttle: rows of login_attempt (ok 0 failed or pending, 1 succeeded, 2 a noted refusal)
 * ---- */

static int blocked(Db *db, const char *username, const char *device, const char *remote,
                   int64_t now) {
    int64_t n = 0, since = now - LOGIN_WINDOW_SECONDS;
    int rc;
    if (device && *device) /* a browser that logged in before: only its own failures count */
        rc = db_query_int(
            db, &n,
            "SELECT count(*) FROM login_attempt WHERE device = ?1 AND ok = 0 AND at > ?2 "
            "AND id > coalesce((SELECT "
            "max(id) FROM login_attempt WHERE device = ?1 AND ok = 1), 0)",
            "ti", device, since);
    else
        rc = db_query_int(
            db, &n,
            "SELECT max((SELECT count(*) FROM login_attempt WHERE lower(username) = lower(?1) AND "
            "ok = 0 AND at > ?2 "
            "AND id > coalesce((SELECT max(id) FROM login_attempt WHERE lower(username) = "
            "lower(?1) AND ok = 1), 0)), "
            "(SELECT count(*) FROM login_attempt WHERE remote = ?3 AND ok = 0 AND at > ?2) / 4)",
            "tit", username, since, remote);
    if (rc != DB_OK) return -1;
    return n >= LOGIN_MAX_FAILURES;
}

/* A new attempt, failed until proven otherwise: its id, or 0. */
static int64_t record(Db *db, const char *username, const char *device, const char *remote,
                      int64_t now) {
    if (db_exec(db,
                "INSERT INTO login_attempt(username, remote, at, ok, device) VALUES (?, ?, ?, 0, "
                "nullif(?, ''))",
                "ttit", username, remote, now, device ? device : "") != DB_OK)
        return 0;
    return db_last_id(db);
}

/* Earlier failures are kept: the throttle counts after this one. */
static void succeeded(Db *db, int64_t attempt) {
    db_exec(db, "UPDATE login_attempt SET ok = 1 WHERE id = ?", "i", attempt);
}

/* The password was never checked (the server was busy, or the request was no guess). */
static void not_tried(Db *db, int64_t attempt) {
    db_exec(db, "DELETE FROM login_attempt WHERE id = ? AND ok = 0", "i", attempt);
}

/* 1 for the first refusal of username from remote within the window, which is then noted. */
static int refusal_first(Db *db, const char *username, const char *remote, int64_t now) {
    int64_t n = 0;
    if (db_query_int(
            db, &n,
            "SELECT count(*) FROM login_attempt WHERE lower(username) = lower(?) AND remote = "
            "? AND ok = 2 AND at > ?",
            "tti", username, remote, now - LOGIN_WINDOW_SECONDS) != DB_OK)
        return 0; /* unreadable: nothing is noted */
    if (n) return 0;
    db_exec(db, "INSERT INTO login_attempt(username, remote, at, ok) VALUES (?, ?, ?, 2)", "tti",
            username, remote, now);
    return 1;
}

/* The key of a throttle subject (a user name without regard to case, a device, an address) for
 * db_lock: str_fnv1a of its bytes, ASCII letters folded. */
static int64_t subject_key(const char *s) {
    char *low = xstrdup(s ? s : "");
    for (char *p = low; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
    int64_t key = (int64_t)str_fnv1a(low);
    free(low);
    return key;
}

/* Locks the throttle's subjects the gate counts (uow.h's names, in this order): the device when
 * there is one, else the user name and the address; so two attempts on one subject are counted one
 * after the other and the throttle cannot be overrun, while other logins run beside them. */
static int lock_subjects(Db *db, const char *username, const char *device, const char *remote) {
    if (device && *device) return db_lock(db, "login.device", subject_key(device));
    return db_lock(db, "login.user", subject_key(username)) == DB_OK &&
                   db_lock(db, "login.remote", subject_key(remote)) == DB_OK
               ? DB_OK
               : DB_ERR;
}

/* The gate before a password check, in one write transaction: LOGIN_REFUSED (*first 1 when
 * note_refusal and this is the window's first refusal), LOGIN_BUSY when the transaction cannot
 * open, else LOGIN_OK with the new attempt in *attempt (0 when it could not be written). */
static int gate(Db *db, const char *username, const char *device, const char *remote, int64_t now,
                int note_refusal, int64_t *attempt, int *first) {
    *attempt = 0;
    *first = 0;
    if (uow_begin_rows(db, NULL) != 0) return LOGIN_BUSY;
    if (lock_subjects(db, username, device, remote) != DB_OK) {
        uow_end(db, 0, NULL);
        return LOGIN_BUSY;
    }
    int refused = blocked(db, username, device, remote, now);
    if (refused < 0) { /* the throttle cannot be read: no attempt without it */
        uow_end(db, 0, NULL);
        return LOGIN_BUSY;
    }
    if (!refused)
        *attempt = record(db, username, device, remote, now);
    else if (note_refusal)
        *first = refusal_first(db, username, remote, now);
    uow_end(db, 1, NULL);
    return refused ? LOGIN_REFUSED : LOGIN_OK;
}

/* ---- the password-hash limiter: argon2id takes 64 MiB a check, so at most PWHASH_PARALLEL run at
 * once ---- */

#define PWHASH_PARALLEL 4
static pthread_mutex_t pwhash_lock = PTHREAD_MUTEX_INITIALIZER;
static int pwhash_running;

static int pwhash_enter(void) {
    pthread_mutex_lock(&pwhash_lock);
    int ok = pwhash_running < PWHASH_PARALLEL;
    if (ok) pwhash_running++;
    pthread_mutex_unlock(&pwhash_lock);
    return ok;
}

static void pwhash_leave(void) {
    pthread_mutex_lock(&pwhash_lock);
    pwhash_running--;
    pthread_mutex_unlock(&pwhash_lock);
}

/* ---- the use cases ---- */

/* The audit row of a failed login, kept with the claimed user name (cut to 64 bytes) as actor and
 * entity id: there is no account id to name, so this row goes to audit_append, not uow_audit. */
static void audit_failure(Db *db, const LoginTry *t, const char *why) {
    char name[65];
    snprintf(name, sizeof name, "%s", !str_empty(t->username) ? t->username : "（空）");
    json_t *o = json_pack("{s:s}", "reason", why);
    char *after = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    AuditEntry e = {.actor = name,
                    .action = "login.failed",
                    .entity = "user",
                    .entity_id = name,
                    .after = after,
                    .remote = t->remote};
    if (uow_begin_rows(db, NULL) == 0) uow_end(db, audit_append(db, &e, NULL) == 0, NULL);
    free(after);
}

/* 1 when password is that of the enabled account username (*uid, *org). */
static int verify(Db *db, const char *username, const char *password, int64_t *uid, int64_t *org) {
    char *hash = NULL;
    *uid = *org = 0;
    /* user names are unique without regard to case (sql/024) */
    Stmt *st =
        db_prepare(db, "SELECT id, org_id, password_hash FROM account WHERE lower(username) = "
                       "lower(?) AND status = '启用'");
    if (st) {
        db_bind_text(st, 1, username);
        if (db_step(st) == DB_ROW)
            *uid = db_col_int(st, 0), *org = db_col_int(st, 1), hash = xstrdup(db_col_text(st, 2));
        db_finalize(st);
    }
    /* verify against a fixed hash when the user is unknown, so timing does not reveal names */
    static const char dummy[] = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
                                "hR0P4wW2B8m6kKXH1Qp8P1w3k7m9C6y3T9o6Jm1v3yQ";
    int ok = account_check_password(hash ? hash : dummy, password ? password : "") && hash && *uid;
    free(hash);
    return ok;
}

/* The successful login's transaction: attempt marked, session stored, audit row "login".
 * LOGIN_OK, LOGIN_BUSY (it could not start) or LOGIN_ERR. */
static int succeed(Db *db, const LoginTry *t, int64_t attempt, int64_t uid, int64_t org,
                   char **name) {
    if (db_query_text(db, name, "SELECT username FROM account WHERE id = ?", "i", uid) != DB_OK)
        return LOGIN_ERR;
    if (!*name) *name = xstrdup(t->username);
    Actor who = {.username = *name, .org_id = org, .remote = t->remote};
    /* busy (SQLite's writer lock held past the busy timeout, a row lock past lock_timeout): the
     * page answers 503 "try again", not a server error */
    if (uow_begin_rows(db, NULL) != 0) return db_errclass(db) == DBE_BUSY ? LOGIN_BUSY : LOGIN_ERR;
    if (uow_lock_rows(db, "account", &uid, 1, NULL) != 0) {
        int busy = db_errclass(db) == DBE_BUSY; /* asked before the rollback clears it */
        uow_end(db, 0, NULL);
        return busy ? LOGIN_BUSY : LOGIN_ERR;
    }
    succeeded(db, attempt);
    int ok = session_store(db, t, uid) == DB_OK &&
             uow_audit(db, &who, "login", "user", 0, org, NULL, NULL, NULL) == 0;
    return uow_end(db, ok, NULL) ? LOGIN_OK : LOGIN_ERR;
}

int login_password(Db *db, const LoginTry *t, const char *password, char **name) {
    *name = NULL;
    int64_t attempt = 0, uid = 0, org = 0;
    int first = 0;
    if (gate(db, t->username, t->device, t->remote, t->now, 1, &attempt, &first) != LOGIN_OK ||
        !attempt) {
        if (first)
            audit_failure(db, t, "登录失败次数过多，已暂停（此后 15 分钟内的拒绝不再逐次记录）");
        return LOGIN_REFUSED;
    }
    if (!pwhash_enter()) { /* busy: the password was not checked, so this is no failure */
        not_tried(db, attempt);
        return LOGIN_BUSY;
    }
    int ok = verify(db, t->username, password, &uid, &org);
    pwhash_leave();
    if (!ok) {
        audit_failure(db, t, "用户名或密码错误");
        return LOGIN_WRONG;
    }
    /* The success's unit runs again when another transaction cancelled it (a deadlock on
     * PostgreSQL) before it committed: the gate's attempt is committed already, so the web's
     * runner would not run the request again (and must not: that would count a second attempt). */
    for (int i = 1;; i++) {
        UowAttempt a;
        uow_attempt_start(db, &a);
        int rc = succeed(db, t, attempt, uid, org, name);
        if (rc != LOGIN_OK) free(*name), *name = NULL;
        if (rc == LOGIN_OK || i == UOW_ATTEMPTS || !uow_attempt_again(db, &a)) {
            /* busy: the right password, nothing stored, so the attempt counts as no failure (if
             * its row can be removed now) */
            if (rc == LOGIN_BUSY && uow_begin_rows(db, NULL) == 0) {
                not_tried(db, attempt);
                uow_end(db, 1, NULL);
            }
            return rc;
        }
        db_rollback_if_open(db);
    }
}

int login_change_password(Db *db, const Actor *who, const char *device, int64_t now,
                          const char *current, const char *password, const char *keep_token_hash,
                          char **err) {
    const char *remote = who->remote ? who->remote : "";
    int64_t attempt = 0;
    int first = 0;
    if (gate(db, who->username, device, remote, now, 0, &attempt, &first) == LOGIN_REFUSED)
        return set_err(err, "密码错误次数过多，请 15 分钟后再试"), LOGIN_REFUSED;
    if (!attempt) return set_err(err, "系统繁忙，请稍后再试"), LOGIN_BUSY;
    if (!pwhash_enter()) {
        not_tried(db, attempt);
        return set_err(err, "系统繁忙，请稍后再试"), LOGIN_BUSY;
    }
    int rc = account_change_password(db, who, current, password, keep_token_hash, err);
    pwhash_leave();
    if (rc == ACCOUNT_OK)
        succeeded(db, attempt);
    else if (rc != ACCOUNT_WRONG_PASSWORD)
        not_tried(db, attempt); /* not a guess */
    return rc;
}

void login_logout(Db *db, const Actor *who, int64_t user_id, const char *token_hash) {
    uow_record(db, who, "logout", "user", user_id, 0, NULL, NULL, NULL);
    db_exec(db, "DELETE FROM session WHERE token_hash = ?", "t", token_hash);
}
