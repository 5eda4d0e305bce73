/* cmd_audit.c - `spotcheck audit verify | list` (command table in main.c): checks the audit log's
 * hash chain and prints recent rows. The rules live in src/domain/audit.c; this file parses
 * options and prints Chinese text. Neither subcommand writes to the audit log, and neither
 * creates a database that does not exist. */
#include "../core/clock.h"
#include "cli.h"

#include "../core/util.h"
#include "../domain/audit.h"
#include "../domain/audit_archive.h"
#include "../domain/audit_state.h"
#include "../domain/draw_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_ANCHORS 16

static int audit_verify_cmd(int argc, char **argv) {
    const char *db_path = CLI_DEFAULT_DB, *anchor = NULL;
    char hashes[MAX_ANCHORS][AUDIT_HASH_HEX + 1];
    int64_t ids[MAX_ANCHORS];
    int nanchors = 0;
    for (int i = 2; i < argc; i++) {
        int r = cli_opt(&i, argc, argv, "--db", &db_path);
        if (!r && (r = cli_opt(&i, argc, argv, "--anchor", &anchor)) > 0) {
            if (nanchors == MAX_ANCHORS)
                return cli_usage_error("audit", "--anchor 最多 %d 个", MAX_ANCHORS);
            if (!audit_anchor_parse(anchor, hashes[nanchors], &ids[nanchors]))
                return cli_usage_error(
                    "audit", "--anchor 应为 64 位小写十六进制摘要@记录编号，实为 %s", anchor);
            nanchors++;
            continue;
        }
        if (r < 0) return cli_usage_error("audit", "%s 缺少参数值", argv[i]);
        if (!r) return cli_usage_error("audit", "未知参数 %s", argv[i]);
    }
    Db *db = cli_open_existing("audit", db_path, 1);
    if (!db) return CLI_REJECTED;
    AuditVerifyResult v;
    char *err = NULL;
    int rc = audit_verify(db, &v, &err);
    /* the stored draws too: frozen files, freeze digests and records recomputed */
    Buf problems, problems_anchor;
    buf_init(&problems);
    buf_init(&problems_anchor);
    int64_t draws = 0;
    int drc = rc == DB_OK ? draw_store_check(db, &problems, &draws, &err) : 0;
    /* the audited business rows: still in the state their last audit row recorded, histories whole
     */
    Buf problems_state;
    buf_init(&problems_state);
    int64_t audited = 0;
    int src = rc == DB_OK && drc >= 0 ? audit_state_check(db, &problems_state, &audited, &err) : 0;
    /* the audit rows counties brought along (db copy): each group against its copy row */
    Buf problems_archive;
    buf_init(&problems_archive);
    int64_t groups = 0, archived = 0;
    int arc = rc == DB_OK && drc >= 0 && src >= 0
                  ? audit_archive_check(db, &problems_archive, &groups, &archived, &err)
                  : 0;
    /* each published anchor must still be in the chain, unchanged */
    int anchors_ok = 1;
    for (int k = 0; rc == DB_OK && k < nanchors; k++) {
        char *why = NULL;
        int a = audit_anchor_check(db, ids[k], hashes[k], &why);
        if (a < 0)
            rc = DB_ERR, err = why, why = NULL;
        else if (a)
            buf_printf(&problems_anchor, "锚点 第 %lld 条记录: 一致\n", (long long)ids[k]);
        else
            anchors_ok = 0,
            buf_printf(&problems_anchor, "锚点 第 %lld 条记录: 不符——%s\n", (long long)ids[k], why);
        free(why);
    }
    db_close(db);
    if (rc != DB_OK || drc < 0 || src < 0 || arc < 0) {
        fprintf(stderr, "spotcheck audit: %s\n", err ? err : "核验失败");
        free(err);
        buf_free(&problems_archive);
        buf_free(&problems);
        buf_free(&problems_anchor);
        buf_free(&problems_state);
        return CLI_REJECTED;
    }
    int ok = v.status == AUDIT_INTACT && drc == 0 && src == 0 && arc == 0 && anchors_ok;
    if (v.status != AUDIT_INTACT)
        printf("审计日志在第 %lld 条记录处断裂: %s\n", (long long)v.bad_id, v.reason);
    else
        printf("审计日志完整: %lld 条记录\n最新哈希: %s\n", (long long)v.count, v.head_hash);
    if (drc)
        printf("抽取记录有误（共核验 %lld 次抽取）:\n%s", (long long)draws, problems.data);
    else
        printf("抽取记录完整: %lld 次抽取，名单文件与冻结摘要一致，抽取结果可重算\n",
               (long long)draws);
    if (src)
        printf("业务数据与审计日志不符（共核验 %lld 个经审计的对象）:\n%s", (long long)audited,
               problems_state.data);
    else
        printf("业务数据与审计日志一致: %lld 个经审计的对象，历史版本完整\n", (long long)audited);
    if (arc)
        printf("迁入的审计日志有误（共 %lld 组）:\n%s", (long long)groups, problems_archive.data);
    else if (groups)
        printf("迁入的审计日志完整: %lld 组 %lld 条，与迁移审计记录一致\n", (long long)groups,
               (long long)archived);
    if (problems_anchor.len) fputs(problems_anchor.data, stdout);
    buf_free(&problems_archive);
    buf_free(&problems_state);
    buf_free(&problems);
    buf_free(&problems_anchor);
    return ok ? CLI_OK : CLI_REJECTED;
}

/* Parses a positive integer option value; 0 when it is not one. */
static int64_t parse_positive(const char *s) {
    char *end;
    long long v = strtoll(s, &end, 10);
    return (*s && !*end && v > 0) ? (int64_t)v : 0;
}

static const char *or_dash(const char *s) {
    return s ? s : "-";
}

static int audit_list_cmd(int argc, char **argv) {
    const char *db_path = CLI_DEFAULT_DB, *limit = NULL, *before = NULL;
    AuditFilter f = {0};
    int full = 0;
    for (int i = 2; i < argc; i++) {
        static const char *const names[] = {"--db",   "--actor", "--action", "--entity",
                                            "--from", "--to",    "--limit",  "--before"};
        const char **slots[] = {&db_path,     &f.actor,   &f.action_prefix, &f.entity,
                                &f.date_from, &f.date_to, &limit,           &before};
        int r = 0;
        for (size_t k = 0; k < ARRAY_LEN(names) && !r; k++) {
            r = cli_opt(&i, argc, argv, names[k], slots[k]);
            if (r < 0) return cli_usage_error("audit", "%s 缺少参数值", names[k]);
        }
        if (r) continue;
        if (!strcmp(argv[i], "--full"))
            full = 1;
        else
            return cli_usage_error("audit", "未知参数 %s", argv[i]);
    }
    if (limit) {
        int64_t n = parse_positive(limit);
        if (n < 1 || n > AUDIT_LIST_MAX)
            return cli_usage_error("audit", "--limit 须为 1 到 %d 之间的整数", AUDIT_LIST_MAX);
        f.limit = (int)n;
    }
    if (before && !(f.before_id = parse_positive(before)))
        return cli_usage_error("audit", "--before 须为正整数（记录编号）");

    Db *db = cli_open_existing("audit", db_path, 1);
    if (!db) return CLI_REJECTED;
    AuditPage p;
    char *err = NULL;
    int rc = audit_list(db, &f, &p, &err);
    db_close(db);
    if (rc != DB_OK) {
        fprintf(stderr, "spotcheck audit: %s\n", err ? err : "查询失败");
        free(err);
        audit_page_free(&p);
        return CLI_REJECTED;
    }
    printf("编号\t时间\t操作人\t操作\t对象\t机构\t地址\n");
    for (size_t i = 0; i < p.n; i++) {
        const AuditRow *r = &p.rows[i];
        char org[24] = "-";
        if (r->org_id) snprintf(org, sizeof org, "%lld", (long long)r->org_id);
        char at[17];
        if (!clock_display(r->at, at)) snprintf(at, sizeof at, "%.16s", r->at);
        printf("%lld\t%s\t%s\t%s\t%s%s%s\t%s\t%s\n", (long long)r->id, at, r->actor, r->action,
               or_dash(r->entity), r->entity_id ? ":" : "", r->entity_id ? r->entity_id : "", org,
               or_dash(r->remote));
        if (full) {
            printf("\t变更前: %s\n", r->before ? r->before : "（无）");
            printf("\t变更后: %s\n", r->after ? r->after : "（无）");
        }
    }
    if (p.has_more && p.n)
        fprintf(stderr, "（还有更早的记录: 加 --before %lld 查看下一页）\n",
                (long long)p.rows[p.n - 1].id);
    audit_page_free(&p);
    return CLI_OK;
}

int cmd_audit(int argc, char **argv) {
    if (argc < 2) return cli_usage_error("audit", "需要子命令 verify 或 list");
    if (!strcmp(argv[1], "verify")) return audit_verify_cmd(argc, argv);
    if (!strcmp(argv[1], "list")) return audit_list_cmd(argc, argv);
    return cli_usage_error("audit", "未知子命令 %s（可用: verify, list）", argv[1]);
}
