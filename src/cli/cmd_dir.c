/* cmd_dir.c - `spotcheck import` and `spotcheck export`: directory files in and out. */
#include "../core/util.h"
#include "../domain/account.h"
#include "../domain/dir_io.h"
#include "../domain/dir_query.h"
#include "cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void list_kinds(FILE *f) {
    fputs("可用的 KIND:", f);
    for (size_t i = 0; i < dir_kind_count; i++)
        fprintf(f, " %s(%s)", dir_kinds[i]->name, dir_kinds[i]->label);
    fputc('\n', f);
}

int cmd_import(int argc, char **argv) {
    const char *db_path = CLI_DEFAULT_DB, *enc_name = NULL, *actor = "cli",
               *grade[2] = {NULL, NULL}, *errors_csv = NULL;
    const char *pos[2];
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = cli_opt(&i, argc, argv, "--db", &db_path)) ||
            (r = cli_opt(&i, argc, argv, "--encoding", &enc_name)) ||
            (r = cli_opt(&i, argc, argv, "--by", &actor)) ||
            (r = cli_opt(&i, argc, argv, "--grade-reason", &grade[0])) ||
            (r = cli_opt(&i, argc, argv, "--grade-basis", &grade[1])) ||
            (r = cli_opt(&i, argc, argv, "--errors", &errors_csv))) {
            if (r < 0) return cli_usage_error("import", "%s 缺少参数值", argv[i]);
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("import", "未知选项 %s", argv[i]);
        if (npos == 2) return cli_usage_error("import", "多余的参数 %s", argv[i]);
        pos[npos++] = argv[i];
    }
    if (npos != 2) return cli_usage_error("import", "需要 KIND 和 FILE 两个参数");
    const DirKind *k = dir_kind_find(pos[0]);
    if (!k) {
        list_kinds(stderr);
        return cli_usage_error("import", "未知的 KIND \"%s\"", pos[0]);
    }
    TableEncoding enc = TABLE_ENC_AUTO;
    if (enc_name) {
        if (!strcasecmp(enc_name, "utf-8") || !strcasecmp(enc_name, "utf8"))
            enc = TABLE_ENC_UTF8;
        else if (!strcasecmp(enc_name, "gb18030") || !strcasecmp(enc_name, "gbk"))
            enc = TABLE_ENC_GB18030;
        else
            return cli_usage_error("import", "未知编码 %s（可选 utf-8、gb18030）", enc_name);
    }
    Db *db = cli_open_db(db_path);
    if (!db) return CLI_REJECTED;
    ImportReport rep;
    char *err = NULL;
    if (!grade[0] != !grade[1]) {
        db_close(db);
        return cli_usage_error(
            "import", "--grade-reason 和 --grade-basis 须一并给出（信用风险等级调整的理由和依据）");
    }
    Actor who = {.username = actor, .org_id = 0, .remote = NULL}; /* the console: any org */
    int rc =
        dir_import_as(db, &who, k, pos[1], enc, grade[0] ? grade : NULL, errors_csv, &rep, &err);
    db_close(db);
    if (rc == IMPORT_FAILED) {
        fprintf(stderr, "导入失败，未写入任何数据: %s\n", err ? err : "未知错误");
    } else if (rc == IMPORT_REJECTED) {
        for (size_t i = 0; i < rep.nerrors; i++)
            fprintf(stderr, "%s\n", rep.errors[i]);
        if (rep.total_errors > rep.nerrors)
            fprintf(stderr, "……以上为前 %zu 处，另有 %zu 处未列出。%s\n", rep.nerrors,
                    rep.total_errors - rep.nerrors,
                    rep.errors_file ? "" : "完整清单可用 --errors FILE 写入 CSV 文件。");
        if (errors_csv) {
            if (rep.errors_file)
                fprintf(stderr, "全部 %zu 处错误已写入 %s。\n", rep.total_errors, errors_csv);
            else
                fprintf(stderr, "无法写入错误清单 %s。\n", errors_csv);
        }
        fprintf(stderr, "导入被拒绝: %zu 处错误，未写入任何数据（共读取 %ld 行）。\n",
                rep.total_errors, rep.rows);
    } else {
        printf("导入%s完成: 读取 %ld 行，新增 %ld，更新 %ld，未变 %ld。\n", k->label, rep.rows,
               rep.inserted, rep.updated, rep.unchanged);
    }
    free(err);
    import_report_free(&rep);
    return rc == IMPORT_OK ? CLI_OK : CLI_REJECTED;
}

int cmd_export(int argc, char **argv) {
    const char *db_path = CLI_DEFAULT_DB, *fmt_name = NULL, *purpose = NULL, *by = NULL;
    const char *pos[2];
    int npos = 0, unmasked = 0;
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = cli_opt(&i, argc, argv, "--db", &db_path)) ||
            (r = cli_opt(&i, argc, argv, "--format", &fmt_name)) ||
            (r = cli_opt(&i, argc, argv, "--purpose", &purpose)) ||
            (r = cli_opt(&i, argc, argv, "--by", &by))) {
            if (r < 0) return cli_usage_error("export", "%s 缺少参数值", argv[i]);
            continue;
        }
        if (!strcmp(argv[i], "--unmasked")) {
            unmasked = 1;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("export", "未知选项 %s", argv[i]);
        if (npos == 2) return cli_usage_error("export", "多余的参数 %s", argv[i]);
        pos[npos++] = argv[i];
    }
    if (npos != 2) return cli_usage_error("export", "需要 KIND 和 FILE 两个参数");
    if (unmasked && (!purpose || utf8_len(purpose) < 4 || !by))
        return cli_usage_error("export", "--unmasked 须以有“个人信息导出”权限的账号 --by USER "
                                         "办理，并以 --purpose 说明用途（至少4个字）");
    const DirKind *k = dir_kind_find(pos[0]);
    if (!k) {
        list_kinds(stderr);
        return cli_usage_error("export", "未知的 KIND \"%s\"", pos[0]);
    }
    TableFormat fmt = table_format_from_name(pos[1]);
    if (fmt_name) {
        if (!strcasecmp(fmt_name, "csv"))
            fmt = TABLE_CSV;
        else if (!strcasecmp(fmt_name, "xlsx"))
            fmt = TABLE_XLSX;
        else
            return cli_usage_error("export", "未知格式 %s（可选 csv、xlsx）", fmt_name);
    }
    Db *db = cli_open_db(db_path);
    if (!db) return CLI_REJECTED;
    int64_t org = 0;
    if (unmasked && !account_may_export_pii(db, by, &org)) {
        fprintf(stderr,
                "spotcheck export: 账号 %s 不存在、已停用或没有“个人信息导出”权限（spotcheck user "
                "grant %s pii-export）\n",
                by, by);
        db_close(db);
        return CLI_REJECTED;
    }
    char *err = NULL;
    long long n = 0;
    /* masked by default, as on the pages; unmasked only for the granted account, within its
     * jurisdiction */
    Actor who = {.username = unmasked ? by : "cli", .org_id = org, .remote = NULL};
    int rc = dir_export_all(db, &who, k, pos[1], fmt,
                            unmasked ? DIR_EXPORT_UNMASKED : DIR_EXPORT_MASKED, &n, &err);
    /* who took which data out, and why; no unmasked personal data leaves without its audit row */
    if (!rc && dir_export_audit(db, &who, k, n, "全部（命令行）", unmasked, purpose, &err) != 0 &&
        unmasked) {
        unlink(pos[1]);
        rc = set_err(&err, "审计日志无法写入，未导出");
    }
    db_close(db);
    if (rc != 0) {
        fprintf(stderr, "导出失败: %s\n", err ? err : "未知错误");
        free(err);
        return CLI_REJECTED;
    }
    free(err);
    printf("已导出%s %lld 条到 %s%s\n", k->label, n, pos[1],
           unmasked ? "（含未遮盖的个人信息，已记入审计日志）"
                    : "（身份证号、电话号码已遮盖；未遮盖导出须 --unmasked）");
    return CLI_OK;
}
