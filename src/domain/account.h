/* account.h - user accounts and roles. Passwords are hashed with argon2id (libsodium's
 * crypto_pwhash_str); the plain password never reaches the database or the logs. */
#ifndef SPOTCHECK_ACCOUNT_H
#define SPOTCHECK_ACCOUNT_H

#include "../db/db.h"

#include <stddef.h>

typedef struct Role {
    const char *code;  /* admin, staff, leader, officer, joint, supervisor */
    const char *label; /* 系统管理员 ... */
} Role;

extern const Role account_roles[];
extern const size_t account_role_count;
const Role *account_role_find(const char *code);

#define ACCOUNT_MIN_PASSWORD 8

/* Hashes a password into a new string (argon2id, interactive limits). NULL when out of memory. */
char *account_hash_password(const char *password);
/* 1 when password matches the stored hash. Constant-time in the hash comparison. */
int account_check_password(const char *hash, const char *password);

/* Creates a user. Returns DB_OK, or DB_ERR with *err (duplicate name, unknown org/role, short
 * password). */
int account_add(Db *db, const char *username, const char *display_name, const char *role,
                const char *org_code, const char *password, char **err);
int account_set_password(Db *db, const char *username, const char *password, char **err);

#endif
