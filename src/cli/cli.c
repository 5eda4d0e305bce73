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

FILE *cli_stdin(void) {
    static char *text;
    static size_t len;
    if (!text) {
        size_t cap = 4096;
        text = xmalloc(cap);
        for (size_t got; (got = fread(text + len, 1, cap - len, stdin)) > 0;)
            if ((len += got) == cap) text = xrealloc(text, cap *= 2);
    }
    return len ? fmemopen(text, len, "r") : fopen("/dev/null", "r");
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

Db *cli_open_existing(const char *cmd, const char *path, int migrate) {
    if (!db_exists(path)) {
        fprintf(stderr, "spotcheck %s: 数据库 %s 不存在\n", cmd, path);
        return NULL;
    }
    if (migrate) return cli_open_db(path);
    char *err = NULL;
    Db *db = db_open(path, 0, &err);
    if (!db) fprintf(stderr, "spotcheck %s: 无法打开 %s: %s\n", cmd, path, err ? err : "");
    free(err);
    return db;
}

void cli_print_refusal(const char *what, const char *err, const json_t *errors) {
    const char *key;
    json_t *m;
    fprintf(stderr, "%s被拒绝，未写入任何数据: %s\n", what, err ? err : "未知错误");
    json_object_foreach((json_t *)errors, key, m)
        fprintf(stderr, "%s: %s\n", key, json_string_value(m));
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
