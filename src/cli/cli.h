/* cli.h - the command table's entry points and the helpers they share.
 *
 * Each command is `int cmd_NAME(int argc, char **argv)` with argv[0] the command name. Exit
 * codes: CLI_OK 0 success, CLI_REJECTED 1 input rejected (nothing written), CLI_USAGE 2 usage
 * error. Every command answers --help with its usage text on stdout and exit 0. */
#ifndef SPOTCHECK_CLI_H
#define SPOTCHECK_CLI_H

#include "../db/db.h"

#include <jansson.h>
#include <stdio.h>

#include <stddef.h>

enum { CLI_OK = 0, CLI_REJECTED = 1, CLI_USAGE = 2 };

#define CLI_DEFAULT_DB "./var/spotcheck.db"

typedef struct CliCommand {
    const char *name;
    const char *summary; /* one line, Chinese */
    const char *usage;   /* full --help text */
    int (*run)(int argc, char **argv);
    /* 1: never run again after a conflict (main.c's runner): the server, whose requests have
     * their own runner, and commands that open no database */
    int once;
} CliCommand;

extern const CliCommand cli_commands[];
extern const size_t cli_command_count;

/* The standard input as a stream of its own that a command run again (main.c's runner, after a
 * conflict cancelled its unit of work) reads again from the start: the first call reads all of
 * stdin into memory (kept for the process). Commands read stdin only through it. The caller
 * fcloses it; NULL when it cannot be made. (A `once` command may read stdin itself.) */
FILE *cli_stdin(void);
/* Prints "spotcheck NAME: message" plus a hint to use --help, returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 when argv holds -h or --help. */
int cli_wants_help(int argc, char **argv);
/* Prints the usage of the named command and returns CLI_OK. */
int cli_print_help(const char *cmd);
/* Option parsing: when argv[*i] is `name VALUE` or `name=VALUE`, stores VALUE in *out, advances
 * *i past it and returns 1; returns -1 when the value is missing; 0 when argv[*i] is not `name`. */
int cli_opt(int *i, int argc, char **argv, const char *name, const char **out);
/* Opens the database (migrating it) or prints the error; NULL on failure. */
Db *cli_open_db(const char *path);
/* Opens a database that must exist already (never creates one): migrated when `migrate`, else as
 * it is (a database only read, such as a lower org's); NULL with "spotcheck CMD: …" printed when it
 * is missing or cannot be opened. */
Db *cli_open_existing(const char *cmd, const char *path, int migrate);
/* Prints a refused unit of work on stderr: "WHAT被拒绝，未写入任何数据: err", then each field
 * error of `errors` ({field: message}) as "field: message". */
void cli_print_refusal(const char *what, const char *err, const json_t *errors);

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_refdata(int argc, char **argv);
int cmd_test_http(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_draw(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_remind(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_anchor(int argc, char **argv);

#endif
