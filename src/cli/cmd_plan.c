/* cmd_plan.c - `spotcheck plan import | export`: the annual plan as a 附件2 table (command table in
 * main.c). Import creates a new plan (草稿) of an org and year: the same unit of work as the import
 * page (plan_work_import: one transaction, audit row plan.import, actor "cli" or --by); nothing is
 * written when any row is wrong. Export writes the latest version of a plan, or --version N.
 * Rules live in src/domain/plan_rules.c and plan.c. */
#include "../core/util.h"
#include "../domain/plan.h"
#include "../domain/plan_query.h"
#include "../domain/plan_work.h"
#include "../domain/scope.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int plan_import_cmd(int argc, char **argv) {
    const char *db_path = CLI_DEFAULT_DB, *org = NULL, *year = NULL, *actor = "cli", *file = NULL;
    for (int i = 2; i < argc; i++) {
        int r;
        if ((r = cli_opt(&i, argc, argv, "--db", &db_path)) ||
            (r = cli_opt(&i, argc, argv, "--org", &org)) ||
            (r = cli_opt(&i, argc, argv, "--year", &year)) ||
            (r = cli_opt(&i, argc, argv, "--by", &actor))) {
            if (r < 0) return cli_usage_error("plan", "%s 缺少参数值", argv[i]);
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1]) return cli_usage_error("plan", "未知选项 %s", argv[i]);
        if (file) return cli_usage_error("plan", "多余的参数 %s", argv[i]);
        file = argv[i];
    }
    if (!file || !org || !year)
        return cli_usage_error("plan", "plan import 需要 FILE、--org 和 --year");
    Db *db = cli_open_db(db_path);
    if (!db) return CLI_REJECTED;
    int64_t org_id = scope_org_by_code(db, org), vid = 0;
    if (!org_id) {
        db_close(db);
        fprintf(stderr, "spotcheck plan: 机构 %s 不存在\n", org);
        return CLI_REJECTED;
    }
    PlanImportReport rep;
    memset(&rep, 0, sizeof rep);
    char *err = NULL;
    Actor who = {.username = actor}; /* the console: no jurisdiction limit */
    int rc = plan_work_import(db, &who, file, org_id, atoi(year), &vid, &rep, &err);
    size_t i;
    json_t *m;
    json_array_foreach(rep.errors, i, m) fprintf(stderr, "%s\n", json_string_value(m));
    json_array_foreach(rep.warnings, i, m) fprintf(stderr, "提示: %s\n", json_string_value(m));
    if (rc == PLAN_OK)
        printf("已导入计划 %s（草稿，版本号 %lld）: 抽查任务 %ld 行，忽略说明行 %ld 行。\n",
               rep.number, (long long)vid, rep.rows, rep.skipped);
    else
        fprintf(stderr, "导入被拒绝，未写入任何数据: %s\n", err ? err : "未知错误");
    free(err);
    plan_import_report_free(&rep);
    db_close(db);
    return rc == PLAN_OK ? CLI_OK : CLI_REJECTED;
}

static int plan_export_cmd(int argc, char **argv) {
    const char *db_path = CLI_DEFAULT_DB, *fmt_name = NULL, *version = NULL, *pos[2];
    int npos = 0;
    for (int i = 2; i < argc; i++) {
        int r;
        if ((r = cli_opt(&i, argc, argv, "--db", &db_path)) ||
            (r = cli_opt(&i, argc, argv, "--format", &fmt_name)) ||
            (r = cli_opt(&i, argc, argv, "--version", &version))) {
            if (r < 0) return cli_usage_error("plan", "%s 缺少参数值", argv[i]);
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1]) return cli_usage_error("plan", "未知选项 %s", argv[i]);
        if (npos == 2) return cli_usage_error("plan", "多余的参数 %s", argv[i]);
        pos[npos++] = argv[i];
    }
    if (npos != 2) return cli_usage_error("plan", "plan export 需要 NUMBER 和 FILE");
    TableFormat fmt = fmt_name ? (!strcmp(fmt_name, "xlsx")  ? TABLE_XLSX
                                  : !strcmp(fmt_name, "csv") ? TABLE_CSV
                                                             : 0)
                               : table_format_from_name(pos[1]);
    if (!fmt) return cli_usage_error("plan", "未知格式 %s（可选 csv、xlsx）", fmt_name);
    Db *db = cli_open_db(db_path);
    if (!db) return CLI_REJECTED;
    int64_t vid = plan_version_by_number(db, pos[0], version ? atoi(version) : 0);
    char *err = NULL;
    int rc = vid ? plan_export(db, vid, pos[1], fmt, &err) : PLAN_NOT_FOUND;
    db_close(db);
    if (rc == PLAN_OK)
        printf("已导出计划 %s 到 %s\n", pos[0], pos[1]);
    else
        fprintf(stderr, "spotcheck plan: %s\n",
                rc == PLAN_NOT_FOUND ? "计划或版本不存在"
                : err                ? err
                                     : "导出失败");
    free(err);
    return rc == PLAN_OK ? CLI_OK : CLI_REJECTED;
}

int cmd_plan(int argc, char **argv) {
    if (argc < 2)
        return cli_usage_error("plan", "需要子命令 import 或 export"); /* --help: main.c */
    if (!strcmp(argv[1], "import")) return plan_import_cmd(argc, argv);
    if (!strcmp(argv[1], "export")) return plan_export_cmd(argc, argv);
    return cli_usage_error("plan", "未知子命令 %s", argv[1]);
}
