/* cmd_serve.c - `spotcheck serve` and `spotcheck test-http`. */
#include "../core/clock.h"
#include "../core/util.h"
#include "../web/app.h"
#include "../web/web.h"
#include "../domain/account.h"
#include "cli.h"
#include "../core/tmpfiles.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int parse_common(const char *cmd, int argc, char **argv, const char **db_path,
                        const char **listen, const char **per_ip, const char **workers,
                        const char **proxies) {
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = cli_opt(&i, argc, argv, "--db", db_path)) ||
            (listen && (r = cli_opt(&i, argc, argv, "--listen", listen))) ||
            (per_ip && (r = cli_opt(&i, argc, argv, "--per-ip-limit", per_ip))) ||
            (workers && (r = cli_opt(&i, argc, argv, "--workers", workers))) ||
            (proxies && (r = cli_opt(&i, argc, argv, "--trusted-proxy", proxies)))) {
            if (r < 0) return cli_usage_error(cmd, "%s 缺少参数值", argv[i]);
            continue;
        }
        return cli_usage_error(cmd, "未知参数 %s", argv[i]);
    }
    return CLI_OK;
}

/* A whole number in 1..max from text (NULL or "": *out unchanged); -1 when it is not one. */
static int parse_count(const char *text, long max, unsigned *out) {
    if (!text || !*text) return 0;
    char *end;
    long n = strtol(text, &end, 10);
    if (*end || n < 1 || n > max) return -1;
    *out = (unsigned)n;
    return 0;
}

int cmd_serve(int argc, char **argv) {
    const char *db_path = CLI_DEFAULT_DB, *listen = "127.0.0.1:8080";
    const char *per_ip = getenv("SPOTCHECK_PER_IP_LIMIT"), *workers = getenv("SPOTCHECK_WORKERS");
    const char *proxies = getenv("SPOTCHECK_TRUSTED_PROXY");
    int rc = parse_common("serve", argc, argv, &db_path, &listen, &per_ip, &workers, &proxies);
    if (rc != CLI_OK) return rc;
    HttpOptions opt = {.per_ip_limit = HTTP_PER_IP_LIMIT, .trusted_proxies = proxies};
    if (!http_proxies_valid(proxies))
        return cli_usage_error("serve", "--trusted-proxy 应为逗号分隔的 IPv4 地址，实为 %s",
                               proxies);
    if (parse_count(per_ip, HTTP_CONN_LIMIT, &opt.per_ip_limit))
        return cli_usage_error("serve", "每个地址的连接数上限应为 1 到 %d 的整数，实为 %s",
                               HTTP_CONN_LIMIT, per_ip);
    if (parse_count(workers, HTTP_MAX_WORKERS, &opt.workers))
        return cli_usage_error("serve", "工作线程数应为 1 到 %d 的整数，实为 %s", HTTP_MAX_WORKERS,
                               workers);
    unsigned head = 0; /* tests shorten the time for a request head (whole seconds) */
    if (parse_count(getenv("SPOTCHECK_HEAD_SECONDS"), HTTP_HEAD_SECONDS, &head))
        return cli_usage_error("serve", "SPOTCHECK_HEAD_SECONDS 应为 1 到 %d 的整数",
                               HTTP_HEAD_SECONDS);
    opt.head_seconds = head;
    Db *db = cli_open_db(db_path); /* applies migrations once, before any request */
    if (!db) return CLI_REJECTED;
    db_close(db);
    int stale = tmpfiles_sweep(NULL, 3600);
    if (stale) printf("已清理上次异常退出遗留的临时文件 %d 个\n", stale);
    App app;
    app_init(&app, db_path);
    char *err = NULL;
    printf("spotcheck 已启动: http://%s/  （按 Ctrl-C 停止）\n", listen);
    fflush(stdout);
    rc = http_serve(listen, &opt, app_handle, app_accept, &app, &err);
    app_free(&app);
    if (rc != 0) {
        fprintf(stderr, "spotcheck serve: %s\n", err ? err : "启动失败");
        free(err);
        return CLI_REJECTED;
    }
    return CLI_OK;
}

int cmd_test_http(int argc, char **argv) {
    const char *db_path = CLI_DEFAULT_DB;
    int rc = parse_common("test-http", argc, argv, &db_path, NULL, NULL, NULL, NULL);
    if (rc != CLI_OK) return rc;
    Db *db = cli_open_db(db_path);
    if (!db) return CLI_REJECTED;
    db_close(db);
    App app;
    app_init(&app, db_path);
    rc = http_test_one(stdin, stdout, app_handle, app_accept, &app);
    app_free(&app);
    if (rc != 0) {
        fprintf(stderr, "spotcheck test-http: 无法解析请求\n");
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cmd_routes(int argc, char **argv) {
    if (argc > 1) return cli_usage_error("routes", "不接受参数 %s", argv[1]);
    /* method, pattern, permission, csrf level; then one line per role with its permissions */
    static const char *const csrf_names[] = {"none", "token", "login"};
    for (size_t i = 0; i < web_route_count; i++) {
        const Route *rt = &web_routes[i];
        printf("route\t%s\t%s\t%s\t%s\t%s\n", rt->method, rt->pattern, web_perm_name(rt->perm),
               csrf_names[rt->csrf], rt->summary);
    }
    for (size_t i = 0; i < account_role_count; i++) {
        printf("role\t%s", account_roles[i].code);
        for (int p = 0; p < P_COUNT; p++)
            if (p != P_KIND_WRITE && web_role_has(account_roles[i].code, (Perm)p))
                printf("\t%s", web_perm_name((Perm)p));
        printf("\n");
    }
    return CLI_OK;
}
