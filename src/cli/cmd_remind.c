/* cmd_remind.c - `spotcheck remind` (command table in main.c): prints the daily reminder list of
 * deadline clocks (due today, due within 3 working days, overdue) for a date, as text for a cron
 * mail or as JSON. The clocks and their rules live in src/domain/deadline.c; this file parses
 * options and prints. Reads only; never creates a database that does not exist. */
#include "../core/clock.h"
#include "cli.h"

#include "../core/util.h"
#include "../domain/deadline.h"
#include "../domain/scope.h"
#include "../domain/task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void print_section(const char *title, const json_t *rows) {
    printf("%s（%zu）\n", title, json_array_size(rows));
    if (!json_array_size(rows)) {
        puts("  无");
        return;
    }
    size_t i;
    json_t *c;
    json_array_foreach(rows, i, c) {
        const char *dl = json_string_value(json_object_get(c, "deadline_text"));
        printf("  %zu. [%s] %s %s · %s（%s）· 期限 %s · %s · 责任：%s · %s\n", i + 1,
               json_string_value(json_object_get(c, "kind_label")),
               json_string_value(json_object_get(c, "task_code")),
               json_string_value(json_object_get(c, "task_name")),
               json_string_value(json_object_get(c, "subject")),
               json_string_value(json_object_get(c, "detail")), dl ? dl : "期限未知",
               json_string_value(json_object_get(c, "label")),
               json_string_value(json_object_get(c, "responsible")),
               json_string_value(json_object_get(c, "org_name")));
    }
}

int cmd_remind(int argc, char **argv) {
    const char *db_path = CLI_DEFAULT_DB, *date = NULL, *org = NULL, *format = "text";
    for (int i = 1; i < argc; i++) {
        static const char *const names[] = {"--db", "--date", "--org", "--format"};
        const char **slots[] = {&db_path, &date, &org, &format};
        int r = 0;
        for (size_t k = 0; k < ARRAY_LEN(names) && !r; k++) {
            r = cli_opt(&i, argc, argv, names[k], slots[k]);
            if (r < 0) return cli_usage_error("remind", "%s 缺少参数值", names[k]);
        }
        if (!r) return cli_usage_error("remind", "未知参数 %s", argv[i]);
    }
    if (date && !date_valid(date))
        return cli_usage_error("remind", "日期 %s 无效，应为 YYYY-MM-DD", date);
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
        return cli_usage_error("remind", "--format 应为 text 或 json");
    char today[11];
    if (date)
        memcpy(today, date, 11);
    else
        clock_today(today);

    if (!db_exists(db_path)) {
        fprintf(stderr, "spotcheck remind: 数据库 %s 不存在\n", db_path);
        return CLI_REJECTED;
    }
    Db *db = cli_open_db(db_path);
    if (!db) return CLI_REJECTED;
    int64_t org_id = 0;
    char *org_name = NULL;
    if (org) {
        org_id = scope_org_by_code(db, org);
        if (!org_id) {
            fprintf(stderr, "spotcheck remind: 机构 %s 不存在\n", org);
            db_close(db);
            return CLI_REJECTED;
        }
        org_name = scope_org_name(db, org_id);
    }
    char *err = NULL;
    Calendar *cal = task_calendar_load(db, &err);
    json_t *clocks = cal ? deadline_collect(db, cal, org_id, NULL, today, &err) : NULL;
    calendar_free(cal);
    db_close(db);
    if (!clocks) {
        fprintf(stderr, "spotcheck remind: %s\n", err ? err : "读取期限失败");
        free(err);
        free(org_name);
        return CLI_REJECTED;
    }
    json_t *rem = deadline_reminders(clocks);
    if (!strcmp(format, "json")) {
        json_object_set_new(rem, "date", json_string(today));
        json_object_set_new(rem, "org", org ? json_string(org) : json_null());
        json_object_set_new(rem, "org_name", org_name ? json_string(org_name) : json_null());
        char *s = json_dumps(rem, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        puts(s ? s : "{}");
        free(s);
    } else {
        printf("每日期限提醒 %s %s\n", today, org_name ? org_name : "全部机构");
        printf("今日到期 %lld 项，3个工作日内到期 %lld 项，已逾期 %lld 项（期限按工作日计算）\n\n",
               (long long)json_integer_value(json_object_get(rem, "today_count")),
               (long long)json_integer_value(json_object_get(rem, "soon_count")),
               (long long)json_integer_value(json_object_get(rem, "overdue_count")));
        print_section("今日到期", json_object_get(rem, "today"));
        print_section("3个工作日内到期", json_object_get(rem, "soon"));
        print_section("已逾期", json_object_get(rem, "overdue"));
    }
    json_decref(rem);
    json_decref(clocks);
    free(org_name);
    return CLI_OK;
}
