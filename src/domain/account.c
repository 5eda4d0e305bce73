/* account.c - user accounts (see account.h). Called by `spotcheck user`, init --demo and the
 * web login. Thread-safe (libsodium's pwhash is). */
#include "../core/clock.h"
#include "account.h"

#include "../core/util.h"

#include <sodium.h>
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

char *account_hash_password(const char *password) {
    if (sodium_init() < 0) return NULL;
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return NULL;
    return xstrdup(out);
}

int account_check_password(const char *hash, const char *password) {
    if (!hash || !password || sodium_init() < 0) return 0;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

static int check_password_rules(const char *password, char **err) {
    if (!password || utf8_len(password) < ACCOUNT_MIN_PASSWORD)
        return set_err(err, "密码至少需要 %d 个字符", ACCOUNT_MIN_PASSWORD);
    return DB_OK;
}

int account_add(Db *db, const char *username, const char *display_name, const char *role,
                const char *org_code, const char *password, char **err) {
    if (str_empty(username) || strlen(username) > 64) return set_err(err, "用户名不能为空且不超过64字节");
    for (const char *p = username; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '.'))
            return set_err(err, "用户名只能包含字母、数字和 _ - .");
    if (!account_role_find(role)) return set_err(err, "未知角色 %s", role ? role : "");
    if (check_password_rules(password, err) != DB_OK) return DB_ERR;
    int64_t org_id = 0, exists = 0;
    db_query_int(db, &org_id, "SELECT id FROM org WHERE code = ?", "t", org_code ? org_code : "");
    if (!org_id) return set_err(err, "机构 %s 不存在", org_code ? org_code : "");
    db_query_int(db, &exists, "SELECT count(*) FROM user WHERE username = ?", "t", username);
    if (exists) return set_err(err, "用户名 %s 已存在", username);
    char *hash = account_hash_password(password);
    if (!hash) return set_err(err, "密码哈希失败");
    int rc = db_exec(db,
                     "INSERT INTO user(org_id, username, display_name, role, password_hash, created_at, "
                     "password_changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                     "ittttt", org_id, username, str_empty(display_name) ? username : display_name,
                     role, hash, clock_stamp().s);
    sodium_memzero(hash, strlen(hash));
    free(hash);
    if (rc != DB_OK) return set_err(err, "创建用户失败: %s", db_errmsg(db));
    return DB_OK;
}

int account_set_password(Db *db, const char *username, const char *password, char **err) {
    if (check_password_rules(password, err) != DB_OK) return DB_ERR;
    char *hash = account_hash_password(password);
    if (!hash) return set_err(err, "密码哈希失败");
    char now[CLOCK_NOW_LEN + 1];
    clock_now(now);
    int rc = db_exec(db,
                     "UPDATE user SET password_hash = ?, password_changed_at = ? "
                     "WHERE username = ?",
                     "ttt", hash, now, username);
    free(hash);
    if (rc != DB_OK) return set_err(err, "修改密码失败: %s", db_errmsg(db));
    if (db_changes(db) == 0) return set_err(err, "用户 %s 不存在", username);
    /* a new password ends every session of the account */
    if (db_exec(db, "DELETE FROM session WHERE user_id = (SELECT id FROM user WHERE username = ?)", "t",
                username) != DB_OK)
        return set_err(err, "无法结束旧会话: %s", db_errmsg(db));
    return DB_OK;
}
