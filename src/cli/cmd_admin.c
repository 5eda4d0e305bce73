/* cmd_admin.c - `spotcheck init`, `user` and `backup`. */
#include "../core/util.h"
#include "../domain/account.h"
#include "../domain/demo.h"
#include "../domain/refdata_store.h"
#include "../domain/scope.h"
#include "cli.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

int cmd_init(int argc, char **argv) {
    const char *db_path = CLI_DEFAULT_DB;
    int demo = 0;
    for (int i = 1; i < argc; i++) {
        int r = cli_opt(&i, argc, argv, "--db", &db_path);
        if (r < 0) return cli_usage_error("init", "--db 缺少参数值");
        if (r) continue;
        if (!strcmp(argv[i], "--demo"))
            demo = 1;
        else
            return cli_usage_error("init", "未知参数 %s", argv[i]);
    }
    if (sodium_init() < 0) return CLI_REJECTED;
    Db *db = cli_open_db(db_path);
    if (!db) return CLI_REJECTED;
    int rc = CLI_OK;
    char *rerr = NULL;
    if (refdata_store_defaults(db, "system", &rerr) != DB_OK) {
        fprintf(stderr, "参考数据载入失败: %s\n", rerr ? rerr : "");
        free(rerr);
        db_close(db);
        return CLI_REJECTED;
    }
    if (demo) {
        char *err = NULL;
        DemoSummary sum;
        if (demo_load(db, &sum, &err) != DB_OK) {
            fprintf(stderr, "演示数据载入失败，未写入任何数据: %s\n", err ? err : "");
            free(err);
            rc = CLI_REJECTED;
        } else {
            printf("演示数据已载入: 机构 %ld，科室 %ld，事项 %ld，检查对象 %ld，执法人员 %ld，专家 "
                   "%ld\n",
                   sum.orgs, sum.depts, sum.items, sum.targets, sum.officers, sum.experts);
            printf("本年度: 年度计划 %ld，抽查任务 %ld，检查记录 %ld，后续处置 %ld（已完结 %ld）\n",
                   sum.plans, sum.tasks, sum.records, sum.followups, sum.followups_closed);
            printf("演示账号（密码均为 %s）: admin 系统管理员, staff 检查科室, leader 分管领导, "
                   "officer 执法人员, joint 联合部门, supervisor 监督\n",
                   DEMO_PASSWORD);
        }
    }
    if (rc == CLI_OK) printf("数据库 %s 已就绪（架构版本 %d）\n", db_path, db_schema_version(db));
    db_close(db);
    return rc;
}

/* Reads a password: from stdin when asked or when stdin is not a terminal, else prompts with
 * echo off. Returns a new string or NULL. */
static char *read_password(int from_stdin) {
    char line[1024];
    int tty = !from_stdin && isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty) {
        fputs("密码: ", stderr);
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    FILE *in = tty ? stdin : cli_stdin(); /* a terminal is asked again on a rerun */
    char *got = in ? fgets(line, sizeof line, in) : NULL;
    if (in && in != stdin) fclose(in);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        fputc('\n', stderr);
    }
    if (!got) return NULL;
    line[strcspn(line, "\r\n")] = 0;
    char *p = xstrdup(line);
    sodium_memzero(line, sizeof line);
    return p;
}

static int user_list(Db *db, const char *org_code) {
    int64_t org = org_code ? scope_org_by_code(db, org_code) : 0;
    if (org_code && !org) {
        fprintf(stderr, "spotcheck user list: 机构 %s 不存在\n", org_code);
        return CLI_REJECTED;
    }
    json_t *all = account_list(db, org), *u;
    size_t i;
    printf("%-16s %-12s %-10s %-8s %-6s %-12s %s\n", "用户名", "姓名", "角色", "机构", "状态",
           "执法证号/科室", "备注");
    json_array_foreach(all, i, u) {
        const char *cert = json_string_value(json_object_get(u, "officer_cert")),
                   *dept = json_string_value(json_object_get(u, "dept_code"));
        printf("%-16s %-12s %-10s %-8s %-6s %-12s %s%s\n",
               json_string_value(json_object_get(u, "username")),
               json_string_value(json_object_get(u, "display_name")),
               json_string_value(json_object_get(u, "role_label")),
               json_string_value(json_object_get(u, "org_code")),
               json_string_value(json_object_get(u, "status")),
               *cert   ? cert
               : *dept ? dept
                       : "-",
               json_is_true(json_object_get(u, "must_change_password")) ? "须修改密码 " : "",
               json_is_true(json_object_get(u, "pii_export")) ? "可导出个人信息" : "");
    }
    json_decref(all);
    return CLI_OK;
}

/* Prints the outcome of an account unit of work; returns the exit code. */
static int account_done(int rc, const char *sub, char *err, const char *fmt, const char *who) {
    if (rc == ACCOUNT_OK) {
        const char *at = strstr(fmt, "%s");
        printf("%.*s%s%s\n", (int)(at - fmt), fmt, who, at + 2);
    } else
        fprintf(stderr, "spotcheck user %s: %s\n", sub, err ? err : "失败");
    free(err);
    return rc == ACCOUNT_OK ? CLI_OK : CLI_REJECTED;
}

int cmd_user(int argc, char **argv) {
    const char *db_path = CLI_DEFAULT_DB, *role = NULL, *org = NULL, *name = NULL, *officer = NULL,
               *dept = NULL, *reason = NULL;
    const char *pos[3] = {0};
    int npos = 0, from_stdin = 0;
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = cli_opt(&i, argc, argv, "--db", &db_path)) ||
            (r = cli_opt(&i, argc, argv, "--role", &role)) ||
            (r = cli_opt(&i, argc, argv, "--org", &org)) ||
            (r = cli_opt(&i, argc, argv, "--name", &name)) ||
            (r = cli_opt(&i, argc, argv, "--officer", &officer)) ||
            (r = cli_opt(&i, argc, argv, "--dept", &dept)) ||
            (r = cli_opt(&i, argc, argv, "--reason", &reason))) {
            if (r < 0) return cli_usage_error("user", "%s 缺少参数值", argv[i]);
            continue;
        }
        if (!strcmp(argv[i], "--password-stdin"))
            from_stdin = 1;
        else if (argv[i][0] == '-')
            return cli_usage_error("user", "未知选项 %s", argv[i]);
        else if (npos == 3)
            return cli_usage_error("user", "多余的参数 %s", argv[i]);
        else
            pos[npos++] = argv[i];
    }
    if (npos == 0)
        return cli_usage_error(
            "user", "需要子命令 add、link、disable、enable、passwd、grant、revoke 或 list");
    const char *sub = pos[0];
    static const char *const named[] = {"add",    "link",  "disable", "enable",
                                        "passwd", "grant", "revoke"};
    int takes_name = 0;
    for (size_t k = 0; k < ARRAY_LEN(named); k++)
        takes_name |= !strcmp(sub, named[k]);
    if (!strcmp(sub, "list")) {
        if (npos != 1) return cli_usage_error("user", "list 不接受参数");
    } else if (!takes_name) {
        return cli_usage_error("user", "未知子命令 %s", sub);
    } else if (npos != 2 + (!strcmp(sub, "grant") || !strcmp(sub, "revoke"))) {
        return cli_usage_error("user",
                               !strcmp(sub, "grant") || !strcmp(sub, "revoke")
                                   ? "%s 需要用户名和权限 pii-export"
                                   : "%s 需要用户名",
                               sub);
    }
    if (!strcmp(sub, "add") && (!role || !org))
        return cli_usage_error("user", "add 需要 --role 和 --org");
    if (!strcmp(sub, "add") && !account_role_find(role))
        return cli_usage_error("user", "未知角色 %s", role);
    if (!strcmp(sub, "link") && !officer && !dept)
        return cli_usage_error("user", "link 需要 --officer 执法证号 或 --dept 编码");
    if (!strcmp(sub, "disable") && !reason)
        return cli_usage_error("user", "disable 需要 --reason 原因");
    if ((!strcmp(sub, "grant") || !strcmp(sub, "revoke")) && strcmp(pos[2], "pii-export"))
        return cli_usage_error("user", "未知权限 %s（可授予：pii-export 个人信息导出）", pos[2]);
    Db *db = cli_open_db(db_path);
    if (!db) return CLI_REJECTED;
    /* the console's administrator: every org, audited as "cli" */
    Actor cli = {.username = "cli", .org_id = 0, .remote = NULL};
    char *err = NULL;
    int rc = CLI_OK;
    if (!strcmp(sub, "list"))
        rc = user_list(db, org);
    else if (!strcmp(sub, "add") || !strcmp(sub, "passwd")) {
        char *pw = read_password(from_stdin);
        if (!strcmp(sub, "add")) {
            AccountSpec spec = {.username = pos[1],
                                .display_name = name,
                                .role = role,
                                .org_code = org,
                                .password = pw,
                                .officer_cert = officer,
                                .dept_code = dept};
            rc = account_create(db, &cli, &spec, &err);
            rc = account_done(rc, sub, err, "已创建用户 %s", pos[1]);
        } else {
            rc = account_reset_password(db, &cli, pos[1], pw, &err);
            rc = account_done(rc, sub, err, "已重设用户 %s 的密码（该账号下次登录时须修改密码）",
                              pos[1]);
        }
        if (pw) sodium_memzero(pw, strlen(pw));
        free(pw);
    } else if (!strcmp(sub, "link")) {
        rc = account_link(db, &cli, pos[1], officer, dept, &err);
        rc = account_done(rc, sub, err, "已更新用户 %s 的关联", pos[1]);
    } else if (!strcmp(sub, "disable") || !strcmp(sub, "enable")) {
        rc = account_set_enabled(db, &cli, pos[1], !strcmp(sub, "enable"), reason, &err);
        rc = account_done(
            rc, sub, err,
            !strcmp(sub, "enable") ? "已启用用户 %s" : "已停用用户 %s（其会话已结束）", pos[1]);
    } else {
        rc = account_set_pii_export(db, &cli, pos[1], !strcmp(sub, "grant"), &err);
        rc = account_done(rc, sub, err,
                          !strcmp(sub, "grant") ? "已授予用户 %s 个人信息导出权限"
                                                : "已收回用户 %s 的个人信息导出权限",
                          pos[1]);
    }
    db_close(db);
    return rc;
}

int cmd_backup(int argc, char **argv) {
    const char *db_path = CLI_DEFAULT_DB, *file = NULL;
    for (int i = 1; i < argc; i++) {
        int r = cli_opt(&i, argc, argv, "--db", &db_path);
        if (r < 0) return cli_usage_error("backup", "--db 缺少参数值");
        if (r) continue;
        if (argv[i][0] == '-') return cli_usage_error("backup", "未知选项 %s", argv[i]);
        if (file) return cli_usage_error("backup", "多余的参数 %s", argv[i]);
        file = argv[i];
    }
    if (!file) return cli_usage_error("backup", "需要备份文件路径");
    struct stat sb;
    if (stat(file, &sb) == 0) {
        fprintf(stderr, "spotcheck backup: %s 已存在，拒绝覆盖\n", file);
        return CLI_REJECTED;
    }
    if (!db_exists(db_path)) { /* a PostgreSQL URL: the driver answers (pg_dump) */
        fprintf(stderr, "spotcheck backup: 数据库 %s 不存在\n", db_path);
        return CLI_REJECTED;
    }
    Db *db = cli_open_db(db_path);
    if (!db) return CLI_REJECTED;
    char *err = NULL;
    int rc = db_backup(db, file, &err);
    db_close(db);
    if (rc != DB_OK) {
        fprintf(stderr, "spotcheck backup: %s\n", err ? err : "失败");
        free(err);
        unlink(file);
        return CLI_REJECTED;
    }
    printf("已备份到 %s\n", file);
    return CLI_OK;
}

int cmd_refdata(int argc, char **argv) {
    const char *db_path = CLI_DEFAULT_DB, *dir = NULL, *sub = NULL, *set = NULL;
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = cli_opt(&i, argc, argv, "--db", &db_path)) ||
            (r = cli_opt(&i, argc, argv, "--dir", &dir))) {
            if (r < 0) return cli_usage_error("refdata", "%s 缺少参数值", argv[i]);
            continue;
        }
        if (argv[i][0] == '-') return cli_usage_error("refdata", "未知选项 %s", argv[i]);
        if (!sub)
            sub = argv[i];
        else if (!set)
            set = argv[i];
        else
            return cli_usage_error("refdata", "多余的参数 %s", argv[i]);
    }
    if (!sub || (strcmp(sub, "load") && strcmp(sub, "list")))
        return cli_usage_error("refdata", "需要子命令 load 或 list");
    Db *db = cli_open_db(db_path);
    if (!db) return CLI_REJECTED;
    int rc = CLI_OK;
    for (int i = 0; refdata_sets[i] && rc == CLI_OK; i++) {
        if (set && strcmp(set, refdata_sets[i])) continue;
        if (!strcmp(sub, "list")) {
            printf("%-22s %lld 条\n", refdata_sets[i], refdata_store_count(db, refdata_sets[i]));
            continue;
        }
        char *path = xasprintf("%s/%s.tsv", dir ? dir : "data", refdata_sets[i]), *err = NULL;
        size_t len = 0;
        char *text = file_read_all(path, &len, &err);
        if (!text ||
            refdata_store_load(db, refdata_sets[i], text, len, path, "cli", &err) != DB_OK) {
            fprintf(stderr, "spotcheck refdata: %s（未作修改）\n", err ? err : path);
            rc = CLI_REJECTED;
        } else {
            printf("已载入 %s: %lld 条（%s）\n", refdata_sets[i],
                   refdata_store_count(db, refdata_sets[i]), path);
        }
        free(text);
        free(err);
        free(path);
    }
    db_close(db);
    return rc;
}
