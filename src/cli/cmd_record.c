/* cmd_record.c - `spotcheck record save`: the officer's save of a record form 一企一表 from the
 * command line (command table in main.c), for a bureau that fills records from another system.
 * The input is the JSON the record form's API takes (PUT /api/v1/my/records/:id: checked_from,
 * checked_on, dates_reason, items, violations …, with `version` the version it was filled from);
 * the save is the same unit of work as the form and the API (record_act_save: the rules of
 * record_check.c, the version bump, one transaction, audit row record.save), as the console
 * (org 0, actor "cli" or --by). Field errors go to stderr, one per line; nothing is written then.
 */
#include "../core/util.h"
#include "../domain/record.h"
#include "../domain/record_act.h"
#include "cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads the input JSON object from path ("-": stdin); NULL with a message on stderr. */
static json_t *read_input(const char *path) {
    json_error_t je;
    FILE *f = !strcmp(path, "-") ? cli_stdin() : NULL;
    json_t *in = f ? json_loadf(f, 0, &je) : json_load_file(path, 0, &je);
    if (f) fclose(f);
    if (!in)
        fprintf(stderr, "spotcheck record: 无法读取 %s: %s（第 %d 行）\n", path, je.text, je.line);
    else if (!json_is_object(in)) {
        fprintf(stderr, "spotcheck record: %s 须为 JSON 对象\n", path);
        json_decref(in), in = NULL;
    }
    return in;
}

static int record_save_cmd(int argc, char **argv) {
    const char *db_path = CLI_DEFAULT_DB, *actor = "cli", *file = NULL, *id_text = NULL;
    for (int i = 2; i < argc; i++) {
        int r;
        if ((r = cli_opt(&i, argc, argv, "--db", &db_path)) ||
            (r = cli_opt(&i, argc, argv, "--file", &file)) ||
            (r = cli_opt(&i, argc, argv, "--by", &actor))) {
            if (r < 0) return cli_usage_error("record", "%s 缺少参数值", argv[i]);
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("record", "未知选项 %s", argv[i]);
        if (id_text) return cli_usage_error("record", "多余的参数 %s", argv[i]);
        id_text = argv[i];
    }
    long long id = str_id(id_text);
    if (!id || !file)
        return cli_usage_error("record", "record save 需要记录编号 ID 和 --file FILE");
    json_t *in = read_input(file);
    if (!in) return CLI_REJECTED;
    const json_t *v = json_object_get(in, "version");
    if (!json_is_integer(v)) {
        json_decref(in);
        return cli_usage_error("record", "输入须含 version（录入时的版本号）");
    }
    Db *db = cli_open_db(db_path);
    if (!db) {
        json_decref(in);
        return CLI_REJECTED;
    }
    Actor who = {.username = actor}; /* the console: no jurisdiction or group limit */
    json_t *errors = json_object();
    char *err = NULL;
    int64_t written = 0;
    int rc = record_act_save(db, &who, id, in, json_integer_value(v), errors, &written, &err);
    if (rc == REC_OK) {
        printf("检查记录 %lld 已保存（第 %lld 版）。\n", id, (long long)written);
    } else {
        cli_print_refusal("保存", err, errors);
    }
    free(err);
    json_decref(errors);
    json_decref(in);
    db_close(db);
    return rc == REC_OK ? CLI_OK : CLI_REJECTED;
}

int cmd_record(int argc, char **argv) {
    if (argc < 2) return cli_usage_error("record", "需要子命令 save"); /* --help: main.c */
    if (!strcmp(argv[1], "save")) return record_save_cmd(argc, argv);
    return cli_usage_error("record", "未知子命令 %s", argv[1]);
}
