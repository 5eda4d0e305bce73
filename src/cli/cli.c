/* cli.c - helpers shared by the commands in the table of main.c. */
#include "cli.h"

#include "../core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "spotcheck %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n（运行 spotcheck %s --help 查看用法）\n", cmd);
    va_end(ap);
    return CLI_USAGE;
}

int cli_wants_help(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) break;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return 1;
    }
    return 0;
}

int cli_print_help(const char *cmd) {
    for (size_t i = 0; i < cli_command_count; i++) {
        if (!strcmp(cli_commands[i].name, cmd)) {
            fputs(cli_commands[i].usage, stdout);
            return CLI_OK;
        }
    }
    fprintf(stderr, "spotcheck: 未知命令 \"%s\"\n", cmd);
    return CLI_USAGE;
}

Db *cli_open_db(const char *path) {
    char *err = NULL;
    Db *db = db_open(path, 1, &err);
    if (!db) {
        fprintf(stderr, "spotcheck: %s\n", err ? err : "无法打开数据库");
        free(err);
    }
    return db;
}
