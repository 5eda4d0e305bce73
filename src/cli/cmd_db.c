/* cmd_db.c - `spotcheck db copy` (command table in main.c): a county's database copied into a
 * provincial one under its org, or one county copied out of a provincial database into a new
 * SQLite file (issue 18 item 4). The rules, the transaction, the checks and the audit rows are
 * src/domain/dbcopy.c's; this file parses options, opens the two databases and prints. */
#include "../core/util.h"
#include "../domain/dbcopy.h"
#include "../domain/outcome.h"
#include "../domain/record.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The SQLite file a URL names ("sqlite:PATH" or a plain path), or NULL for PostgreSQL. */
static const char *sqlite_path(const char *url) {
    if (db_url_sqlite_file(url)) return db_url_sqlite_file(url);
    return db_url_is_pg(url) || getenv("SPOTCHECK_PG_MAP") ? NULL : url;
}

/* The default files directory of the database at `url`: beside its file (a PostgreSQL URL: the
 * working directory's "files"); the provincial side (`province`) takes SPOTCHECK_FILES when set,
 * as serve does. New string. */
static char *files_dir(const char *url, int province) {
    return province ? record_files_dir_configured(url) : record_files_dir(url);
}

static int db_copy_cmd(int argc, char **argv) {
    const char *from = NULL, *to = NULL, *org = NULL, *parent = NULL, *actor = "cli";
    const char *files_from = NULL, *files_to = NULL;
    for (int i = 2; i < argc; i++) {
        int r;
        if ((r = cli_opt(&i, argc, argv, "--from", &from)) ||
            (r = cli_opt(&i, argc, argv, "--to", &to)) ||
            (r = cli_opt(&i, argc, argv, "--org", &org)) ||
            (r = cli_opt(&i, argc, argv, "--parent", &parent)) ||
            (r = cli_opt(&i, argc, argv, "--by", &actor)) ||
            (r = cli_opt(&i, argc, argv, "--files-from", &files_from)) ||
            (r = cli_opt(&i, argc, argv, "--files-to", &files_to))) {
            if (r < 0) return cli_usage_error("db", "%s 缺少参数值", argv[i]);
            continue;
        }
        return cli_usage_error("db", "未知参数 %s", argv[i]);
    }
    if (!from || !to) return cli_usage_error("db", "db copy 需要 --from 和 --to");
    if (org && parent) return cli_usage_error("db", "--org（迁出）与 --parent（迁入）不能同时使用");
    if (!strcmp(from, to)) return cli_usage_error("db", "--from 与 --to 不能是同一个数据库");
    const char *out_file = org ? sqlite_path(to) : NULL;
    if (org && !out_file) {
        fprintf(stderr, "spotcheck db: 迁出的目标须为新的 SQLite 文件（sqlite:PATH）\n");
        return CLI_USAGE;
    }
    if (out_file && !access(out_file, F_OK)) {
        fprintf(stderr, "spotcheck db: 目标文件 %s 已存在：迁出须写入新文件\n", out_file);
        return CLI_REJECTED;
    }
    /* both migrated: a copy needs the same schema on both sides; a copy in needs a database made
     * by `spotcheck init`, a copy out makes its file */
    Db *src = cli_open_existing("db", from, 1);
    Db *dst = !src ? NULL : org ? cli_open_db(to) : cli_open_existing("db", to, 1);
    if (!dst) {
        db_close(src);
        if (out_file) unlink(out_file);
        return CLI_REJECTED;
    }
    Actor who = {.username = actor, .org_id = 0, .remote = NULL};
    Buf report;
    buf_init(&report);
    char *why = NULL;
    char *dir_from = files_from ? xstrdup(files_from) : files_dir(from, org != NULL);
    char *dir_to = files_to ? xstrdup(files_to) : files_dir(to, org == NULL);
    DbCopyFiles files = {dir_from, dir_to};
    int rc = org ? dbcopy_out(src, dst, &who, org, from, to, &files, &report, &why)
                 : dbcopy_in(src, dst, &who, parent, from, to, &files, &report, &why);
    free(dir_from);
    free(dir_to);
    db_close(dst);
    db_close(src);
    if (rc != SC_OK && out_file) { /* nothing of a failed copy out stays behind */
        unlink(out_file);
        char *side = xasprintf("%s-wal", out_file);
        unlink(side);
        free(side);
        side = xasprintf("%s-shm", out_file);
        unlink(side);
        free(side);
    }
    if (report.len) fputs(report.data, stdout);
    if (rc == SC_OK)
        printf("%s完成: %s → %s\n", org ? "迁出" : "迁入", from, to);
    else
        fprintf(stderr, "spotcheck db: %s\n", why ? why : "迁移失败");
    free(why);
    buf_free(&report);
    return rc == SC_OK ? CLI_OK : CLI_REJECTED;
}

int cmd_db(int argc, char **argv) {
    if (argc < 2) return cli_usage_error("db", "需要子命令 copy");
    if (!strcmp(argv[1], "copy")) return db_copy_cmd(argc, argv);
    return cli_usage_error("db", "未知子命令 %s（可用: copy）", argv[1]);
}
