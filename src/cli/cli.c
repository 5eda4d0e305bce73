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

Db *cli_open_db(const char *path) {
    char *err = NULL;
    Db *db = db_open(path, 1, &err);
    if (!db) {
        fprintf(stderr, "spotcheck: %s\n", err ? err : "无法打开数据库");
        free(err);
    }
    return db;
}

int cli_opt(int *i, int argc, char **argv, const char *name, const char **out) {
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0) return 0;
    if (a[n] == '=') {
        *out = a + n + 1;
        return 1;
    }
    if (a[n] != 0) return 0;
    if (*i + 1 >= argc) return -1;
    *out = argv[++*i];
    return 1;
}
