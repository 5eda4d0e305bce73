/* cmd_anchor.c - `spotcheck anchor record | list | check` (command table in main.c): the lower
 * orgs' daily audit anchors kept by the city's installation (src/domain/anchor.h, docs/AUDIT.md
 * "A city keeps its counties' heads"). record is the same unit of work as the page /anchors (as
 * the console: org 0, actor "cli" or --by); list prints what the page shows; check verifies a
 * county's database against every head recorded for it. This file parses options and prints. */
#include "../core/clock.h"
#include "../core/util.h"
#include "../domain/anchor.h"
#include "../domain/jsonkit.h"
#include "cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses `--name VALUE` options into slots; the index of the first argument that is none of them,
 * or 0 when all were; -1 after a usage error was printed. */
static int parse_opts(int argc, char **argv, const char *const *names, const char ***slots,
                      size_t n) {
    for (int i = 2; i < argc; i++) {
        int r = 0;
        for (size_t k = 0; k < n && !r; k++) {
            r = cli_opt(&i, argc, argv, names[k], slots[k]);
            if (r < 0) return cli_usage_error("anchor", "%s 缺少参数值", names[k]), -1;
        }
        if (!r) return cli_usage_error("anchor", "未知参数 %s", argv[i]), -1;
    }
    return 0;
}

static void print_flags(const json_t *flags, const char *indent) {
    size_t i;
    json_t *f;
    json_array_foreach(flags, i, f) printf("%s红旗: %s\n", indent, jk_str0(f, "text"));
}

/* The first line of a county portal's /public/anchor.txt ("YYYY-MM-DD<TAB>HASH@N") from path ("-":
 * stdin) into line, split into day and head; 0 with a message when it is not one. */
static int read_anchor_txt(const char *path, char line[256], const char **day, const char **head) {
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : cli_stdin();
    int ok = f && fgets(line, 256, f);
    if (f) fclose(f);
    char *tab = ok ? strchr(line, '\t') : NULL;
    if (!tab) {
        fprintf(stderr, "spotcheck anchor: %s 不是公开门户的 anchor.txt（日期<TAB>摘要@编号）\n",
                path);
        return 0;
    }
    *tab = 0;
    line[strcspn(line, "\r\n")] = 0;
    tab[1 + strcspn(tab + 1, "\r\n")] = 0;
    *day = line, *head = tab + 1;
    return 1;
}

static int anchor_record_cmd(int argc, char **argv) {
    const char *db_path = CLI_DEFAULT_DB, *by = "cli", *from = NULL;
    AnchorInput in = {0};
    static const char *const names[] = {"--db",   "--by",     "--org", "--head",
                                        "--date", "--source", "--from"};
    const char **slots[] = {&db_path, &by, &in.org_code, &in.head, &in.day, &in.source, &from};
    if (parse_opts(argc, argv, names, slots, ARRAY_LEN(names)) < 0) return CLI_USAGE;
    if (from && (in.head || in.day))
        return cli_usage_error("anchor", "--from 已给出日期和锚点，不能再用 --head 或 --date");
    char line[256];
    if (from && !read_anchor_txt(from, line, &in.day, &in.head)) return CLI_REJECTED;
    if (!in.org_code || !in.head)
        return cli_usage_error("anchor", "anchor record 需要 --org 机构代码 和 --head 摘要@编号"
                                         "（或 --from anchor.txt）");
    Db *db = cli_open_existing("anchor", db_path, 1);
    if (!db) return CLI_REJECTED;
    char today[11];
    clock_today(today);
    Actor who = {.username = by}; /* the console: any org below none */
    json_t *errors = json_object(), *out = NULL;
    char *err = NULL;
    int rc = anchor_record(db, &who, &in, today, errors, &out, &err);
    db_close(db);
    if (rc == SC_OK) {
        int dup = json_is_true(json_object_get(out, "duplicate"));
        printf("%s %s（%s）%s 的锚点: 第 %lld 条记录，摘要 %s\n",
               dup ? "此前已登记，未重复记录:" : "已登记:", jk_str0(out, "org_name"),
               jk_str0(out, "org_code"), jk_str0(out, "day"),
               (long long)json_integer_value(json_object_get(out, "n")), jk_str0(out, "hash"));
        print_flags(json_object_get(out, "flags"), "");
    } else {
        cli_print_refusal("登记", err, errors);
    }
    json_decref(out);
    json_decref(errors);
    free(err);
    return rc == SC_OK ? CLI_OK : CLI_REJECTED;
}

static int anchor_list_cmd(int argc, char **argv) {
    const char *db_path = CLI_DEFAULT_DB, *org = NULL, *days_text = NULL;
    static const char *const names[] = {"--db", "--org", "--days"};
    const char **slots[] = {&db_path, &org, &days_text};
    if (parse_opts(argc, argv, names, slots, ARRAY_LEN(names)) < 0) return CLI_USAGE;
    int days = days_text ? atoi(days_text) : ANCHOR_STALE_DAYS;
    if (days < 1 || days > 60) return cli_usage_error("anchor", "--days 须为 1 到 60 之间的整数");
    Db *db = cli_open_existing("anchor", db_path, 1);
    if (!db) return CLI_REJECTED;
    char today[11];
    clock_today(today);
    json_t *all = anchor_counties(db, 0, today, days), *c;
    size_t i;
    int rc = all ? CLI_OK : CLI_REJECTED;
    int64_t org_id = 0;
    json_array_foreach(json_object_get(all, "counties"), i, c) {
        if (org && !strcmp(jk_str0(c, "code"), org))
            org_id = json_integer_value(json_object_get(c, "org_id"));
    }
    if (!all) {
        fprintf(stderr, "spotcheck anchor: 读取锚点失败\n");
    } else if (org) { /* one org's heads, newest day first */
        json_t *one = org_id ? anchor_heads(db, 0, org_id) : NULL, *h;
        if (!one) {
            fprintf(stderr, "spotcheck anchor: 没有下级机构 %s\n", org);
            rc = CLI_REJECTED;
        } else {
            printf("日期\t记录编号\t摘要\t来源\t登记时间\t登记人\n");
        }
        json_array_foreach(json_object_get(one, "heads"), i, h) {
            printf("%s\t%lld\t%s\t%s\t%s\t%s\n", jk_str0(h, "day"),
                   (long long)json_integer_value(json_object_get(h, "n")), jk_str0(h, "hash"),
                   jk_str(h, "source") ? jk_str0(h, "source") : "-", jk_str0(h, "recorded_at"),
                   jk_str0(h, "recorded_by"));
            print_flags(json_object_get(h, "flags"), "\t");
        }
        json_decref(one);
    } else {
        printf("机构\t名称\t已登记\t最近日期\t最近锚点\t状态\n");
        json_array_foreach(json_object_get(all, "counties"), i, c) {
            int64_t flags = json_integer_value(json_object_get(c, "flags"));
            int stale = json_is_true(json_object_get(c, "stale"));
            printf("%s\t%s\t%lld\t%s\t", jk_str0(c, "code"), jk_str0(c, "name"),
                   (long long)json_integer_value(json_object_get(c, "heads")),
                   jk_str(c, "latest_day") ? jk_str0(c, "latest_day") : "-");
            if (jk_str(c, "latest_hash"))
                printf("%s@%lld\t", jk_str0(c, "latest_hash"),
                       (long long)json_integer_value(json_object_get(c, "latest_n")));
            else
                printf("-\t");
            if (flags) printf("锚点矛盾 %lld 条 ", (long long)flags);
            if (stale) printf("最近 %d 个工作日未登记", days);
            printf("%s\n", flags || stale ? "" : "正常");
        }
    }
    json_decref(all);
    db_close(db);
    return rc;
}

static int anchor_check_cmd(int argc, char **argv) {
    const char *db_path = NULL, *city_path = CLI_DEFAULT_DB, *org = NULL;
    static const char *const names[] = {"--db", "--anchors-from", "--org"};
    const char **slots[] = {&db_path, &city_path, &org};
    if (parse_opts(argc, argv, names, slots, ARRAY_LEN(names)) < 0) return CLI_USAGE;
    if (!db_path || !org)
        return cli_usage_error("anchor", "anchor check 需要 --org 机构代码 和 --db 该机构的数据库");
    Db *city = cli_open_existing("anchor", city_path, 1);
    if (!city) return CLI_REJECTED;
    Db *county = cli_open_existing("anchor", db_path, 0); /* read only: not migrated */
    if (!county) {
        db_close(city);
        return CLI_REJECTED;
    }
    json_t *out = NULL, *h;
    char *err = NULL;
    int rc = anchor_check(city, county, org, &out, &err);
    db_close(county);
    db_close(city);
    if (rc != SC_OK) {
        fprintf(stderr, "spotcheck anchor: %s\n", err ? err : "核验失败");
        free(err);
        return CLI_REJECTED;
    }
    int chain_ok = json_is_true(json_object_get(out, "chain_ok"));
    printf("%s（%s）\n", jk_str0(out, "org_name"), jk_str0(out, "org_code"));
    if (chain_ok)
        printf("审计日志完整: %lld 条记录\n最新哈希: %s\n",
               (long long)json_integer_value(json_object_get(out, "chain_rows")),
               jk_str0(out, "chain_head"));
    else
        printf("%s\n", jk_str0(out, "chain_problem"));
    size_t i;
    json_array_foreach(json_object_get(out, "heads"), i, h) {
        long long n = (long long)json_integer_value(json_object_get(h, "n"));
        if (json_is_true(json_object_get(h, "ok")))
            printf("锚点 %s 第 %lld 条记录: 一致（日志仍延续此锚点）\n", jk_str0(h, "day"), n);
        else
            printf("锚点 %s 第 %lld 条记录: 不符——%s\n", jk_str0(h, "day"), n, jk_str0(h, "why"));
        print_flags(json_object_get(h, "flags"), "  ");
    }
    long long extended = (long long)json_integer_value(json_object_get(out, "extended")),
              broken = (long long)json_integer_value(json_object_get(out, "broken"));
    if (extended + broken == 0)
        printf("尚未登记该机构的锚点：没有可核验的锚点\n");
    else
        printf("共 %lld 个已登记的锚点: 一致 %lld 个，不符 %lld 个\n", extended + broken, extended,
               broken);
    json_decref(out);
    return chain_ok && !broken ? CLI_OK : CLI_REJECTED;
}

int cmd_anchor(int argc, char **argv) {
    if (argc < 2) return cli_usage_error("anchor", "需要子命令 record、list 或 check");
    if (!strcmp(argv[1], "record")) return anchor_record_cmd(argc, argv);
    if (!strcmp(argv[1], "list")) return anchor_list_cmd(argc, argv);
    if (!strcmp(argv[1], "check")) return anchor_check_cmd(argc, argv);
    return cli_usage_error("anchor", "未知子命令 %s（可用: record, list, check）", argv[1]);
}
