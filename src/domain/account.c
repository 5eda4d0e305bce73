/* account.c - user accounts (see account.h). Called by `spotcheck user`, init --demo, /admin/users,
 * /account/password and the web login. Thread-safe (libsodium's pwhash is). */
#include "account.h"

#include "../core/clock.h"
#include "../core/embed.h"
#include "../core/util.h"
#include "scope.h"
#include "uow.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const Role account_roles[] = {
    {"admin", "系统管理员"}, {"staff", "检查科室"}, {"leader", "分管领导"},
    {"officer", "执法人员"}, {"joint", "联合部门"}, {"supervisor", "监督"},
};
const size_t account_role_count = ARRAY_LEN(account_roles);

const Role *account_role_find(const char *code) {
    for (size_t i = 0; i < account_role_count; i++)
        if (str_eq(account_roles[i].code, code)) return &account_roles[i];
    return NULL;
}

/* argon2id's cost. The sanitizer build that `make test` runs (and only it: the Makefile defines the
 * macro for SANITIZE builds, never for the server `make run` builds) hashes at libsodium's minimum,
 * because the suite creates and logs in hundreds of accounts and 64 MiB per hash under ASan is most
 * of its time. A hash stores its own cost, so verifying works whatever the build. */
#ifdef SPOTCHECK_TEST_FAST_HASH
#define PW_OPS crypto_pwhash_OPSLIMIT_MIN
#define PW_MEM crypto_pwhash_MEMLIMIT_MIN
#else
#define PW_OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PW_MEM crypto_pwhash_MEMLIMIT_INTERACTIVE
#endif

char *account_hash_password(const char *password) {
    if (sodium_init() < 0) return NULL;
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password, strlen(password), PW_OPS, PW_MEM) != 0) return NULL;
    return xstrdup(out);
}

int account_check_password(const char *hash, const char *password) {
    if (!hash || !password || sodium_init() < 0) return 0;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* 1 when password is on data/common_passwords.txt (ASCII case ignored). */
static int is_common(const char *password) {
    const EmbeddedFile *f = embed_find("data/common_passwords.txt");
    if (!f) return 0;
    size_t n = strlen(password);
    const char *p = (const char *)f->data, *end = p + f->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl ? nl : end) - p);
        if (len == n && *p != '#' && !strncasecmp(p, password, n)) return 1;
        p = nl ? nl + 1 : end;
    }
    return 0;
}

int account_password_check(const char *username, const char *password, char **err) {
    if (!password || utf8_len(password) < ACCOUNT_MIN_PASSWORD)
        return set_err(err, "密码至少需要 %d 个字符", ACCOUNT_MIN_PASSWORD);
    if (username && !strcasecmp(username, password)) return set_err(err, "密码不能与用户名相同");
    if (is_common(password)) return set_err(err, "这个密码过于常见，容易被猜中，请换一个");
    return DB_OK;
}

static int username_ok(const char *u, char **err) {
    if (str_empty(u) || strlen(u) > 64) return set_err(err, "用户名不能为空且不超过64字节"), 0;
    for (const char *p = u; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
            return set_err(err, "用户名只能包含字母、数字和 _ - ."), 0;
    return 1;
}

/* An org that who may manage (its own or below; the console: any). */
static int manages_org(Db *db, const Actor *who, int64_t org) {
    return org > 0 && (!who->org_id || scope_of(db, who->org_id, org) != SCOPE_OUTSIDE);
}

/* The audit row of an account change (uow.h); steals after. */
static int audit_user(Db *db, const Actor *who, const char *action, int64_t uid, int64_t org,
                      json_t *after, char **err) {
    char *text = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS);
    int rc = uow_audit(db, who, action, "user", uid, org, NULL, text, err);
    free(text);
    json_decref(after);
    return rc == 0 ? ACCOUNT_OK : ACCOUNT_ERR;
}

/* Ends the unit of work: commits, or rolls back when rc is not ACCOUNT_OK; the final result. */
static int finish(Db *db, int rc, char **err) {
    if (!uow_end(db, rc == ACCOUNT_OK, err) && rc == ACCOUNT_OK) rc = ACCOUNT_ERR;
    return rc;
}

/* The account username that who manages: *uid, *org. */
static int find_account(Db *db, const Actor *who, const char *username, int64_t *uid, int64_t *org,
                        char **err) {
    *uid = *org = 0;
    Stmt *st = db_prepare(db, "SELECT id, org_id FROM account WHERE lower(username) = lower(?)");
    if (!st) return set_err(err, "%s", db_errmsg(db)), ACCOUNT_ERR;
    db_bind_text(st, 1, username ? username : "");
    if (db_step(st) == DB_ROW) *uid = db_col_int(st, 0), *org = db_col_int(st, 1);
    db_finalize(st);
    if (!*uid || !manages_org(db, who, *org))
        return set_err(err, "账号 %s 不存在或不在您的管理范围内", username ? username : ""),
               ACCOUNT_NOT_FOUND;
    return ACCOUNT_OK;
}

/* Opens a unit on the existing account username (a row unit, uow.h: its row locked, so changes
 * of other accounts run beside it), then finds it as find_account does. The caller ends the unit
 * with finish whatever this returns. */
static int begin_on(Db *db, const Actor *who, const char *username, int64_t *uid, int64_t *org,
                    char **err) {
    int64_t id = 0;
    if (uow_begin_rows(db, err) != 0) return ACCOUNT_ERR;
    if (db_query_int(db, &id, "SELECT id FROM account WHERE lower(username) = lower(?)", "t",
                     username ? username : "") != DB_OK)
        return set_err(err, "%s", db_errmsg(db)), ACCOUNT_ERR;
    if (uow_lock_rows(db, "account", &id, 1, err) != 0) return ACCOUNT_ERR;
    return find_account(db, who, username, uid, org, err);
}

#define OFFICER_BY_CERT "SELECT id FROM officer WHERE cert_no = ?" /* for lock_officer */

/* Locks the officer row whose id `sql` reads (one '?' bound to the text `key`; no row: nothing),
 * after the account's (uow.h's order): it carries the rule "one enabled account per officer
 * certificate". */
static int lock_officer(Db *db, const char *sql, const char *key, char **err) {
    int64_t id = 0;
    if (db_query_int(db, &id, sql, "t", key) != DB_OK)
        return set_err(err, "%s", db_errmsg(db)), ACCOUNT_ERR;
    return id && uow_lock_rows(db, "officer", &id, 1, err) != 0 ? ACCOUNT_ERR : ACCOUNT_OK;
}

/* A new account's unit: a row unit (uow.h), so other accounts are created and changed beside it.
 * It locks the officer's row the account links ("one enabled account per certificate"), then the
 * user name as the database folds it (lower(), the expression of the unique index
 * user_username_nocase, which would refuse a duplicate anyway): two creations of one name run one
 * after the other, and the second is told the name exists. The caller ends the unit with finish. */
static int begin_new(Db *db, const AccountSpec *s, char **err) {
    if (uow_begin_rows(db, err) != 0) return ACCOUNT_ERR;
    if (!str_empty(s->officer_cert) &&
        lock_officer(db, OFFICER_BY_CERT, s->officer_cert, err) != ACCOUNT_OK)
        return ACCOUNT_ERR;
    char *folded = NULL;
    int ok = db_query_text(db, &folded, "SELECT lower(?)", "t", s->username ? s->username : "") ==
                 DB_OK &&
             db_lock(db, "account.username", (int64_t)str_fnv1a(folded ? folded : "")) == DB_OK;
    free(folded);
    return ok ? ACCOUNT_OK : (set_err(err, "%s", db_errmsg(db)), ACCOUNT_ERR);
}

/* Resolves an officer certificate ("" unlinks: *id 0) for an account of user_org with role. */
static int officer_for(Db *db, const char *cert, const char *role, int64_t user_org, int64_t self,
                       int64_t *id, char **err) {
    *id = 0;
    if (!cert || !*cert) return ACCOUNT_OK;
    if (!str_eq(role, "officer"))
        return set_err(err, "只有执法人员账号可以关联执法证号"), ACCOUNT_INVALID;
    int64_t org = 0, taken = 0;
    Stmt *st = db_prepare(db, "SELECT id, org_id FROM officer WHERE cert_no = ?");
    if (!st) return set_err(err, "%s", db_errmsg(db)), ACCOUNT_ERR;
    db_bind_text(st, 1, cert);
    if (db_step(st) == DB_ROW) *id = db_col_int(st, 0), org = db_col_int(st, 1);
    db_finalize(st);
    /* the officer of the account's own org: an officer of a lower level fills that org's records */
    if (!*id || org != user_org)
        return set_err(err, "账号所在机构的执法人员名录中没有执法证号 %s", cert), ACCOUNT_INVALID;
    if (db_query_int(
            db, &taken,
            "SELECT count(*) FROM account WHERE officer_id = ? AND id <> ? AND status = '启用'",
            "ii", *id, self) != DB_OK)
        return set_err(err, "%s", db_errmsg(db)), ACCOUNT_ERR;
    if (taken) return set_err(err, "执法证号 %s 已关联其他启用的账号", cert), ACCOUNT_CONFLICT;
    return ACCOUNT_OK;
}

/* A dept (科室, or the joint dept a 联合部门 account acts for) of the account's own org. */
static int dept_for(Db *db, const char *code, int64_t user_org, int64_t *id, char **err) {
    *id = 0;
    if (!code || !*code) return ACCOUNT_OK;
    int64_t org = 0;
    if (db_query_int(db, id, "SELECT id FROM dept WHERE code = ?", "t", code) != DB_OK ||
        db_query_int(db, &org, "SELECT org_id FROM dept WHERE code = ?", "t", code) != DB_OK)
        return *id = 0, set_err(err, "%s", db_errmsg(db)), ACCOUNT_ERR;
    return *id && org == user_org
               ? ACCOUNT_OK
               : (*id = 0, set_err(err, "账号所在机构没有科室或联合部门 %s", code),
                  ACCOUNT_INVALID);
}

/* A password's hash for storing, made before the unit of work opens: argon2id takes 64 MiB and a
 * good part of a second, which no unit should hold its locks for (DB_TX_ALL: every writer would
 * wait). New string, or NULL with "密码哈希失败" in *err. */
static char *hash_outside(const char *password, char **err) {
    char *hash = account_hash_password(password);
    if (!hash) set_err(err, "密码哈希失败");
    return hash;
}

static void hash_free(char *hash) {
    if (hash) sodium_memzero(hash, strlen(hash));
    free(hash);
}

/* The checks of spec that need no database, then the password's hash (hash_outside): ACCOUNT_OK
 * with it in *hash (hash_free), or ACCOUNT_INVALID / ACCOUNT_ERR with *err. */
static int spec_hash(const AccountSpec *s, char **hash, char **err) {
    *hash = NULL;
    if (!username_ok(s->username, err)) return ACCOUNT_INVALID;
    if (!account_role_find(s->role))
        return set_err(err, "未知角色 %s", s->role ? s->role : ""), ACCOUNT_INVALID;
    if (account_password_check(s->username, s->password, err) != DB_OK) return ACCOUNT_INVALID;
    if (!str_empty(s->display_name) &&
        (utf8_len(s->display_name) > 40 || strpbrk(s->display_name, "\r\n\t")))
        return set_err(err, "姓名不超过40个字，且不能含换行"), ACCOUNT_INVALID;
    return (*hash = hash_outside(s->password, err)) ? ACCOUNT_OK : ACCOUNT_ERR;
}

/* Checks spec against the database and inserts the row with the password's hash (spec_hash);
 * *uid and *org receive the new account's id and org. */
static int create_row(Db *db, const Actor *who, const AccountSpec *s, const char *hash,
                      int64_t *uid, int64_t *org, char **err) {
    *uid = *org = 0;
    int64_t exists = 0, officer = 0, dept = 0;
    if (db_query_int(db, org, "SELECT id FROM org WHERE code = ?", "t",
                     s->org_code ? s->org_code : "") != DB_OK)
        return set_err(err, "%s", db_errmsg(db)), ACCOUNT_ERR;
    if (!*org || !manages_org(db, who, *org))
        return set_err(err, "机构 %s 不存在或不在您的管理范围内", s->org_code ? s->org_code : ""),
               ACCOUNT_INVALID;
    if (db_query_int(db, &exists, "SELECT count(*) FROM account WHERE lower(username) = lower(?)",
                     "t", s->username) != DB_OK)
        return set_err(err, "%s", db_errmsg(db)), ACCOUNT_ERR;
    if (exists)
        return set_err(err, "用户名 %s 已存在（不区分大小写）", s->username), ACCOUNT_CONFLICT;
    int rc = officer_for(db, s->officer_cert, s->role, *org, 0, &officer, err);
    if (rc == ACCOUNT_OK) rc = dept_for(db, s->dept_code, *org, &dept, err);
    if (rc != ACCOUNT_OK) return rc;
    rc = db_exec(
        db,
        "INSERT INTO account(org_id, username, display_name, role, password_hash, officer_id, "
        "dept_id, created_at, "
        "password_changed_at) VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, 0), nullif(?7, 0), ?8, ?8)",
        "ittttiit", *org, s->username, str_empty(s->display_name) ? s->username : s->display_name,
        s->role, hash, officer, dept, clock_stamp().s);
    if (rc != DB_OK) return set_err(err, "创建用户失败: %s", db_errmsg(db)), ACCOUNT_ERR;
    *uid = db_last_id(db);
    return ACCOUNT_OK;
}

static json_t *spec_json(const AccountSpec *s) {
    return json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "username", s->username, "role", s->role, "org",
                     s->org_code, "officer", str_empty(s->officer_cert) ? NULL : s->officer_cert,
                     "dept", str_empty(s->dept_code) ? NULL : s->dept_code);
}

int account_create(Db *db, const Actor *who, const AccountSpec *spec, char **err) {
    char *hash = NULL;
    int rc = spec_hash(spec, &hash, err);
    if (rc != ACCOUNT_OK) return rc;
    rc = begin_new(db, spec, err);
    int64_t uid = 0, org = 0;
    if (rc == ACCOUNT_OK) rc = create_row(db, who, spec, hash, &uid, &org, err);
    if (rc == ACCOUNT_OK) rc = audit_user(db, who, "user.create", uid, org, spec_json(spec), err);
    hash_free(hash);
    return finish(db, rc, err);
}

int account_add(Db *db, const AccountSpec *spec, char **err) {
    Actor sys = {.username = "system"};
    int64_t uid = 0, org = 0;
    char *hash = NULL;
    int rc = spec_hash(spec, &hash, err);
    if (rc == ACCOUNT_OK) rc = create_row(db, &sys, spec, hash, &uid, &org, err);
    if (rc == ACCOUNT_OK) rc = audit_user(db, &sys, "user.create", uid, org, spec_json(spec), err);
    hash_free(hash);
    return rc == ACCOUNT_OK ? DB_OK : DB_ERR;
}

int account_link(Db *db, const Actor *who, const char *username, const char *officer_cert,
                 const char *dept_code, char **err) {
    if (!officer_cert && !dept_code)
        return set_err(err, "请给出执法证号或科室（联合部门）编码"), ACCOUNT_INVALID;
    int64_t uid = 0, org = 0, officer = 0, dept = 0;
    char *role = NULL;
    int rc = begin_on(db, who, username, &uid, &org, err);
    if (rc == ACCOUNT_OK && !str_empty(officer_cert))
        rc = lock_officer(db, OFFICER_BY_CERT, officer_cert, err);
    if (rc == ACCOUNT_OK &&
        db_query_text(db, &role, "SELECT role FROM account WHERE id = ?", "i", uid) != DB_OK)
        rc = (set_err(err, "%s", db_errmsg(db)), ACCOUNT_ERR);
    if (rc == ACCOUNT_OK && officer_cert)
        rc = officer_for(db, officer_cert, role, org, uid, &officer, err);
    if (rc == ACCOUNT_OK && dept_code) rc = dept_for(db, dept_code, org, &dept, err);
    if (rc == ACCOUNT_OK && officer_cert &&
        db_exec(db, "UPDATE account SET officer_id = nullif(?, 0) WHERE id = ?", "ii", officer,
                uid) != DB_OK)
        rc = (set_err(err, "%s", db_errmsg(db)), ACCOUNT_ERR);
    if (rc == ACCOUNT_OK && dept_code &&
        db_exec(db, "UPDATE account SET dept_id = nullif(?, 0) WHERE id = ?", "ii", dept, uid) !=
            DB_OK)
        rc = (set_err(err, "%s", db_errmsg(db)), ACCOUNT_ERR);
    if (rc == ACCOUNT_OK)
        rc = audit_user(db, who, "user.link", uid, org,
                        json_pack("{s:s, s:s?, s:s?}", "username", username, "officer",
                                  officer_cert, "dept", dept_code),
                        err);
    free(role);
    return finish(db, rc, err);
}

int account_set_enabled(Db *db, const Actor *who, const char *username, int enabled,
                        const char *reason, char **err) {
    if (!enabled && str_empty(reason)) return set_err(err, "停用账号须说明原因"), ACCOUNT_INVALID;
    if (!enabled && who->username && !strcasecmp(who->username, username ? username : ""))
        return set_err(err, "不能停用自己的账号"), ACCOUNT_CONFLICT;
    int64_t uid = 0, org = 0, taken = 0;
    int rc = begin_on(db, who, username, &uid, &org, err);
    if (rc == ACCOUNT_OK && enabled)
        rc = lock_officer(db, "SELECT officer_id FROM account WHERE lower(username) = lower(?)",
                          username, err);
    /* one enabled account per officer certificate, also when an old account comes back */
    if (rc == ACCOUNT_OK && enabled &&
        db_query_int(db, &taken,
                     "SELECT count(*) FROM account u JOIN account v ON v.officer_id = u.officer_id "
                     "AND v.id <> u.id "
                     "AND v.status = '启用' WHERE u.id = ?",
                     "i", uid) == DB_OK &&
        taken)
        rc = (set_err(err, "该账号关联的执法证号已关联其他启用的账号，请先处理"), ACCOUNT_CONFLICT);
    if (rc == ACCOUNT_OK &&
        (db_exec(db, "UPDATE account SET status = ?, status_reason = ? WHERE id = ?", "tti",
                 enabled ? "启用" : "停用", enabled ? "" : reason, uid) != DB_OK ||
         (!enabled && db_exec(db, "DELETE FROM session WHERE user_id = ?", "i", uid) != DB_OK)))
        rc = (set_err(err, "%s", db_errmsg(db)), ACCOUNT_ERR);
    if (rc == ACCOUNT_OK)
        rc = audit_user(db, who, enabled ? "user.enable" : "user.disable", uid, org,
                        json_pack("{s:s, s:s, s:s?}", "username", username, "status",
                                  enabled ? "启用" : "停用", "reason", enabled ? NULL : reason),
                        err);
    return finish(db, rc, err);
}

/* Writes a new hash (hash_outside) for uid; must_change 1 for a reset by someone else. Sessions
 * other than keep (may be NULL) end. */
static int store_password(Db *db, int64_t uid, const char *hash, int must_change, const char *keep,
                          char **err) {
    int rc = db_exec(db,
                     "UPDATE account SET password_hash = ?, password_changed_at = ?, "
                     "must_change_password = ? WHERE id = ?",
                     "ttii", hash, clock_stamp().s, (int64_t)must_change, uid);
    if (rc == DB_OK)
        rc = db_exec(db, "DELETE FROM session WHERE user_id = ? AND token_hash <> ?", "it", uid,
                     keep ? keep : "");
    return rc == DB_OK ? ACCOUNT_OK
                       : (set_err(err, "修改密码失败: %s", db_errmsg(db)), ACCOUNT_ERR);
}

int account_reset_password(Db *db, const Actor *who, const char *username, const char *password,
                           char **err) {
    int64_t uid = 0, org = 0;
    if (account_password_check(username, password, err) != DB_OK) return ACCOUNT_INVALID;
    char *hash = hash_outside(password, err);
    if (!hash) return ACCOUNT_ERR;
    int rc = begin_on(db, who, username, &uid, &org, err);
    if (rc == ACCOUNT_OK) rc = store_password(db, uid, hash, 1, NULL, err);
    if (rc == ACCOUNT_OK)
        rc = audit_user(db, who, "user.password.reset", uid, org,
                        json_pack("{s:s, s:b}", "username", username, "must_change_password", 1),
                        err);
    hash_free(hash);
    return finish(db, rc, err);
}

int account_change_password(Db *db, const Actor *who, const char *current, const char *password,
                            const char *keep_token_hash, char **err) {
    char *hash = NULL;
    int64_t uid = 0, org = 0;
    if (db_query_text(db, &hash,
                      "SELECT password_hash FROM account WHERE username = ? AND status = '启用'",
                      "t", who->username) != DB_OK ||
        db_query_int(db, &uid, "SELECT id FROM account WHERE username = ?", "t", who->username) !=
            DB_OK ||
        db_query_int(db, &org, "SELECT org_id FROM account WHERE username = ?", "t",
                     who->username) != DB_OK) {
        free(hash);
        return set_err(err, "%s", db_errmsg(db)), ACCOUNT_ERR;
    }
    int ok = hash && account_check_password(hash, current ? current : "");
    free(hash);
    if (!ok) return set_err(err, "当前密码不正确"), ACCOUNT_WRONG_PASSWORD;
    if (current && password && !strcmp(current, password))
        return set_err(err, "新密码不能与当前密码相同"), ACCOUNT_INVALID;
    if (account_password_check(who->username, password, err) != DB_OK) return ACCOUNT_INVALID;
    char *fresh = hash_outside(password, err);
    if (!fresh) return ACCOUNT_ERR;
    int rc = uow_begin_row(db, "account", uid, err) == 0 ? ACCOUNT_OK : ACCOUNT_ERR;
    if (rc == ACCOUNT_OK) rc = store_password(db, uid, fresh, 0, keep_token_hash, err);
    if (rc == ACCOUNT_OK)
        rc = audit_user(db, who, "user.password.change", uid, org,
                        json_pack("{s:s}", "username", who->username), err);
    hash_free(fresh);
    return finish(db, rc, err);
}

int account_set_pii_export(Db *db, const Actor *who, const char *username, int on, char **err) {
    /* no administrator grants itself the right to take personal data out */
    if (on && who->username && !strcasecmp(who->username, username ? username : ""))
        return set_err(err, "不能给自己授予个人信息导出权限，须由另一位系统管理员授予"),
               ACCOUNT_CONFLICT;
    int64_t uid = 0, org = 0;
    int rc = begin_on(db, who, username, &uid, &org, err);
    if (rc == ACCOUNT_OK && db_exec(db, "UPDATE account SET pii_export = ? WHERE id = ?", "ii",
                                    (int64_t)(on != 0), uid) != DB_OK)
        rc = (set_err(err, "%s", db_errmsg(db)), ACCOUNT_ERR);
    if (rc == ACCOUNT_OK)
        rc = audit_user(db, who, "user.pii", uid, org,
                        json_pack("{s:s, s:b}", "username", username, "pii_export", on != 0), err);
    return finish(db, rc, err);
}

#define ACCOUNT_COLS                                                                               \
    "SELECT u.id, u.username, u.display_name, u.role, o.code, o.name, u.status, "                  \
    "coalesce(u.status_reason, ''), "                                                              \
    "coalesce(f.cert_no, ''), coalesce(f.name, ''), coalesce(d.code, ''), coalesce(d.name, ''), "  \
    "u.must_change_password, "                                                                     \
    "u.pii_export, u.created_at FROM account u JOIN org o ON o.id = u.org_id LEFT JOIN officer f " \
    "ON f.id = u.officer_id "                                                                      \
    "LEFT JOIN dept d ON d.id = u.dept_id "

static json_t *account_row(Stmt *st) {
    const Role *r = account_role_find(db_col_text(st, 3));
    return json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:b}",
        "id", (json_int_t)db_col_int(st, 0), "username", db_col_text(st, 1), "display_name",
        db_col_text(st, 2), "role", db_col_text(st, 3), "role_label",
        r ? r->label : db_col_text(st, 3), "org_code", db_col_text(st, 4), "org_name",
        db_col_text(st, 5), "status", db_col_text(st, 6), "status_reason", db_col_text(st, 7),
        "officer_cert", db_col_text(st, 8), "officer_name", db_col_text(st, 9), "dept_code",
        db_col_text(st, 10), "dept_name", db_col_text(st, 11), "must_change_password",
        (int)db_col_int(st, 12), "pii_export", (int)db_col_int(st, 13), "created_at",
        db_col_text(st, 14), "enabled", str_eq(db_col_text(st, 6), "启用"));
}

json_t *account_list(Db *db, int64_t org_id) {
    json_t *a = json_array();
    Stmt *st = db_prepare(db, org_id ? ACCOUNT_COLS
                                  "WHERE " SCOPE_SQL("u.org_id") " ORDER BY lower(u.username)"
                                     : ACCOUNT_COLS "ORDER BY lower(u.username)");
    if (!st) return a;
    if (org_id) db_bind_int(st, 1, org_id);
    while (db_step(st) == DB_ROW)
        json_array_append_new(a, account_row(st));
    db_finalize(st);
    return a;
}

json_t *account_get(Db *db, int64_t org_id, int64_t user_id) {
    Stmt *st = db_prepare(db, org_id ? ACCOUNT_COLS "WHERE u.id = ? AND " SCOPE_SQL("u.org_id")
                                     : ACCOUNT_COLS "WHERE u.id = ?");
    if (!st) return NULL;
    db_bind_int(st, 1, user_id);
    if (org_id) db_bind_int(st, 2, org_id);
    json_t *o = db_step(st) == DB_ROW ? account_row(st) : NULL;
    db_finalize(st);
    return o;
}

int account_may_export_pii(Db *db, const char *username, int64_t *org) {
    int64_t ok = 0;
    *org = 0;
    Stmt *st = db_prepare(
        db, "SELECT org_id, pii_export FROM account WHERE username = ? AND status = '启用'");
    if (!st) return 0;
    db_bind_text(st, 1, username ? username : "");
    if (db_step(st) == DB_ROW) *org = db_col_int(st, 0), ok = db_col_int(st, 1);
    db_finalize(st);
    return ok == 1;
}

int64_t account_id(Db *db, const char *username) {
    int64_t id = 0;
    if (db_query_int(db, &id, "SELECT id FROM account WHERE username = ?", "t",
                     username ? username : "") != DB_OK)
        return 0; /* as for an unknown user: the caller only builds a link from it */
    return id;
}

/* [{code, name}] of the rows of sql, its one '?' bound to org_id. */
static json_t *code_names(Db *db, const char *sql, int64_t org_id) {
    json_t *a = json_array();
    Stmt *st = db_prepare(db, sql);
    if (!st) return a;
    db_bind_int(st, 1, org_id);
    while (db_step(st) == DB_ROW)
        json_array_append_new(
            a, json_pack("{s:s, s:s}", "code", db_col_text(st, 0), "name", db_col_text(st, 1)));
    db_finalize(st);
    return a;
}

void account_choices(Db *db, int64_t org_id, json_t **orgs, json_t **depts) {
    *orgs = code_names(db, "SELECT code, name FROM org t WHERE " SCOPE_SQL("t.id") " ORDER BY code",
                       org_id);
    *depts = code_names(
        db, "SELECT code, name FROM dept t WHERE " SCOPE_SQL("t.org_id") " ORDER BY code", org_id);
}

char *account_display_name(Db *db, const char *username) {
    char *name = NULL;
    if (!username ||
        db_query_text(db, &name,
                      "SELECT display_name FROM account WHERE lower(username) = lower(?)", "t",
                      username) != DB_OK)
        return NULL; /* display only: the username is shown */
    if (name && !*name) {
        free(name);
        name = NULL;
    }
    return name;
}

char *account_officer_cert(Db *db, int64_t user_id) {
    char *cert = NULL;
    if (db_query_text(
            db, &cert,
            "SELECT o.cert_no FROM account u JOIN officer o ON o.id = u.officer_id WHERE u.id = ?",
            "i", user_id) != DB_OK)
        return NULL; /* as no certificate: no officer's rights */
    return cert;
}
