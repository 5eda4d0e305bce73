/* account.h - user accounts, their roles and links, as units of work of the 系统管理员: each
 * change checks its rules, runs in one transaction and writes its audit row (user.create,
 * user.link, user.disable, user.enable, user.password.reset, user.password.change, user.pii).
 * Passwords are hashed with argon2id (libsodium's crypto_pwhash_str); the plain password never
 * reaches the database or the logs.
 *
 * Rules. User names: letters, digits, _ - . (at most 64), unique without regard to case. Password
 * policy (account_password_check): at least ACCOUNT_MIN_PASSWORD characters, not the user name, not
 * on the list of common passwords (data/common_passwords.txt). An administrator manages the
 * accounts of its org and the orgs below it (the console, org 0, all). An officer account may be
 * linked to the certificate of an officer of its org or below; a joint-dept account to a dept. A
 * password set by someone else (reset) must be changed at the account's next login. Disabling
 * ends the account's sessions. The permission to export unmasked personal data (个人信息导出) is
 * granted per account, never by a role. */
#ifndef SPOTCHECK_ACCOUNT_H
#define SPOTCHECK_ACCOUNT_H

#include "../db/db.h"
#include "outcome.h"
#include "actor.h"

#include <jansson.h>
#include <stddef.h>

typedef struct Role {
    const char *code;  /* admin, staff, leader, officer, joint, supervisor */
    const char *label; /* 系统管理员 ... */
} Role;

extern const Role account_roles[];
extern const size_t account_role_count;
const Role *account_role_find(const char *code);

#define ACCOUNT_MIN_PASSWORD 10

/* Hashes a password into a new string (argon2id, interactive limits). NULL when out of memory. */
char *account_hash_password(const char *password);
/* 1 when password matches the stored hash. Constant-time in the hash comparison. */
int account_check_password(const char *hash, const char *password);
/* DB_OK when password may be the password of username, else DB_ERR with the reason in *err. */
int account_password_check(const char *username, const char *password, char **err);

typedef struct AccountSpec {
    const char *username, *display_name, *role, *org_code, *password;
    const char *officer_cert; /* officer accounts: the linked certificate (may be NULL) */
    const char *dept_code;    /* joint-dept accounts: the linked dept (may be NULL) */
} AccountSpec;

/* Results of the units of work below (the Chinese reason in *err). */
enum {
    ACCOUNT_OK = SC_OK,
    ACCOUNT_ERR = SC_ERR,
    ACCOUNT_INVALID = SC_INVALID,
    ACCOUNT_NOT_FOUND = SC_NOT_FOUND,
    ACCOUNT_CONFLICT = SC_CONFLICT,
    ACCOUNT_WRONG_PASSWORD =
        SC_WRONG_PASSWORD /* the current password given was wrong (counts as a failed login) */
};

/* Creates an account (own transaction, audit row user.create). */
int account_create(Db *db, const Actor *who, const AccountSpec *spec, char **err);
/* The same inside the caller's transaction, by "system" (the demo loader): DB_OK or DB_ERR. The
 * links are made here, with the row, so the audit row's state digest covers them. */
int account_add(Db *db, const AccountSpec *spec, char **err);
/* Links username to an officer certificate or a dept (either may be NULL; "" unlinks). */
int account_link(Db *db, const Actor *who, const char *username, const char *officer_cert,
                 const char *dept_code, char **err);
/* Disables (with a reason; its sessions end) or enables username. */
int account_set_enabled(Db *db, const Actor *who, const char *username, int enabled,
                        const char *reason, char **err);
/* Sets username's password for it (an administrator's reset): it must be changed at the next login,
 * and the account's sessions end. */
int account_reset_password(Db *db, const Actor *who, const char *username, const char *password,
                           char **err);
/* The account's own change: the current password, then the new one (sessions other than
 * keep_token_hash, which may be NULL, end). */
int account_change_password(Db *db, const Actor *who, const char *current, const char *password,
                            const char *keep_token_hash, char **err);
/* Grants or revokes 个人信息导出 for username. */
int account_set_pii_export(Db *db, const Actor *who, const char *username, int on, char **err);
/* 1 when username is an enabled account granted 个人信息导出; *org receives its org. */
int account_may_export_pii(Db *db, const char *username, int64_t *org);
/* The accounts an administrator of org_id sees (0: all), by user name:
 * [{id, username, display_name, role, role_label, org_code, org_name, status, status_reason,
 *   officer_cert, officer_name, dept_code, dept_name, must_change_password, pii_export,
 * created_at}]. */
json_t *account_list(Db *db, int64_t org_id);
/* One account of that list by id, or NULL. */
json_t *account_get(Db *db, int64_t org_id, int64_t user_id);
/* The id of the account named exactly username, or 0. */
int64_t account_id(Db *db, const char *username);
/* The display name (姓名) of the account username (new string), or NULL when it has none or there
 * is no such account — the pages then show the username. */
char *account_display_name(Db *db, const char *username);
/* The certificate number of the officer linked to account user_id (account.officer_id): new string,
 * or NULL when the account has none (or it cannot be read: no officer's rights). */
char *account_officer_cert(Db *db, int64_t user_id);
/* What the account forms of an administrator of org_id offer: *orgs, the orgs of its scope
 * (scope.h) and *depts, their depts, each [{code, name}] by code. The caller owns both arrays
 * (empty on a database error). */
void account_choices(Db *db, int64_t org_id, json_t **orgs, json_t **depts);

#endif
