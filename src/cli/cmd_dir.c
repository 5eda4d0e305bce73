/* cmd_dir.c - `spotcheck import` and `spotcheck export`: directory files in and out. */
#include "../core/util.h"
#include "../domain/audit.h"
#include "../domain/dir_io.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void list_kinds(FILE *f) {
    fputs("可用的 KIND:", f);
    for (size_t i = 0; i < dir_kind_count; i++)
        fprintf(f, " %s(%s)", dir_kinds[i]->name, dir_kinds[i]->label);
    fputc('\n', f);
}

/* The import's audit row, written in the import's transaction. */
static int audit_import(Db *db, const DirKind *k, const ImportReport *rep, void *arg) {
    char *after = xasprintf("{\"rows\":%ld,\"inserted\":%ld,\"updated\":%ld,\"unchanged\":%ld}",
                            rep->rows, rep->inserted, rep->updated, rep->unchanged);
    char action[64];
    snprintf(action, sizeof action, "import.%s", k->name);
    AuditEntry e = {.actor = arg, .action = action, .entity = k->table, .after = after};
    int rc = audit_append(db, &e, NULL);
    free(after);
    return rc;
}

int cmd_import(int argc, char **argv) {
    const char *db_path = CLI_DEFAULT_DB, *enc_name = NULL, *actor = "cli";
    const char *pos[2];
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = cli_opt(&i, argc, argv, "--db", &db_path)) ||
            (r = cli_opt(&i, argc, argv, "--encoding", &enc_name)) ||
            (r = cli_opt(&i, argc, argv, "--by", &actor))) {
            if (r < 0) return cli_usage_error("import", "%s 缺少参数值", argv[i]);
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1]) return cli_usage_error("import", "未知选项 %s", argv[i]);
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
        if (!strcasecmp(enc_name, "utf-8") || !strcasecmp(enc_name, "utf8")) enc = TABLE_ENC_UTF8;
        else if (!strcasecmp(enc_name, "gb18030") || !strcasecmp(enc_name, "gbk")) enc = TABLE_ENC_GB18030;
        else return cli_usage_error("import", "未知编码 %s（可选 utf-8、gb18030）", enc_name);
    }
    Db *db = cli_open_db(db_path);
    if (!db) return CLI_REJECTED;
    ImportReport rep;
    char *err = NULL;
    int rc = dir_import(db, k, pos[1], enc, actor, 0, audit_import, (void *)actor, &rep, &err);
    if (rc == IMPORT_OK) db_exec_script(db, "PRAGMA optimize"); /* refresh planner statistics */
    db_close(db);
    if (rc == IMPORT_FAILED) {
        fprintf(stderr, "导入失败，未写入任何数据: %s\n", err ? err : "未知错误");
    } else if (rc == IMPORT_REJECTED) {
        for (size_t i = 0; i < rep.nerrors; i++) fprintf(stderr, "%s\n", rep.errors[i]);
        fprintf(stderr, "导入被拒绝: %zu 处错误，未写入任何数据（共读取 %ld 行）。\n", rep.nerrors,
                rep.rows);
    } else {
        printf("导入%s完成: 读取 %ld 行，新增 %ld，更新 %ld，未变 %ld。\n", k->label, rep.rows,
               rep.inserted, rep.updated, rep.unchanged);
    }
    free(err);
    import_report_free(&rep);
    return rc == IMPORT_OK ? CLI_OK : CLI_REJECTED;
}

int cmd_export(int argc, char **argv) {
    const char *db_path = CLI_DEFAULT_DB, *fmt_name = NULL;
    const char *pos[2];
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = cli_opt(&i, argc, argv, "--db", &db_path)) ||
            (r = cli_opt(&i, argc, argv, "--format", &fmt_name))) {
            if (r < 0) return cli_usage_error("export", "%s 缺少参数值", argv[i]);
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1]) return cli_usage_error("export", "未知选项 %s", argv[i]);
        if (npos == 2) return cli_usage_error("export", "多余的参数 %s", argv[i]);
        pos[npos++] = argv[i];
    }
    if (npos != 2) return cli_usage_error("export", "需要 KIND 和 FILE 两个参数");
    const DirKind *k = dir_kind_find(pos[0]);
    if (!k) {
        list_kinds(stderr);
        return cli_usage_error("export", "未知的 KIND \"%s\"", pos[0]);
    }
    TableFormat fmt = table_format_from_name(pos[1]);
    if (fmt_name) {
        if (!strcasecmp(fmt_name, "csv")) fmt = TABLE_CSV;
        else if (!strcasecmp(fmt_name, "xlsx")) fmt = TABLE_XLSX;
        else return cli_usage_error("export", "未知格式 %s（可选 csv、xlsx）", fmt_name);
    }
    Db *db = cli_open_db(db_path);
    if (!db) return CLI_REJECTED;
    char *err = NULL;
    int rc = dir_export(db, k, pos[1], fmt, &err);
    long long n = dir_count(db, k);
    db_close(db);
    if (rc != 0) {
        fprintf(stderr, "导出失败: %s\n", err ? err : "未知错误");
        free(err);
        return CLI_REJECTED;
    }
    printf("已导出%s %lld 条到 %s\n", k->label, n, pos[1]);
    return CLI_OK;
}
