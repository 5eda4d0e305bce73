/* cmd_draw.c - the draw commands of the command table (main.c): `sample` (the consistent
 * sampler on ids from stdin, for checking one stratum by hand), `verify` (re-runs a published
 * draw record) and `draw conflict|freeze|dice|run|substitute|redraw|show` on the database. The
 * rules live in src/domain/draw*.c; this file parses options, reads and writes files, and prints
 * Chinese text. */
#include "../core/clock.h"
#include "../domain/draw_source.h"
#include "../domain/task.h"
#include "../domain/task_draw.h"
#include "../web/web.h" /* the role table and the jurisdiction rule the pages apply */
#include "cli.h"

#include "../core/util.h"
#include "../domain/draw.h"
#include "../domain/draw_standalone.h"
#include "../domain/draw_token.h"
#include "../domain/draw_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_stream(FILE *f, size_t *len) {
    Buf b;
    buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    *len = b.len;
    if (!b.data) buf_puts(&b, "");
    return buf_steal(&b);
}

/* ------------------------------------------------------------------ sample */

int cmd_sample(int argc, char **argv) {
    const char *seed = NULL;
    long long take = -1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = argv[++i];
        else if (!strcmp(argv[i], "--take") && i + 1 < argc) {
            char *end;
            take = strtoll(argv[++i], &end, 10);
            if (*end || take < 0) return cli_usage_error("sample", "--take 须为非负整数");
        } else
            return cli_usage_error("sample", "未知参数 %s", argv[i]);
    }
    if (!seed) return cli_usage_error("sample", "须提供 --seed");
    size_t len;
    /* straight from stdin, not cli_stdin: no database, never run again (`once`), and 10M ids
     * would be held twice */
    char *text = read_stream(stdin, &len), *err = NULL;
    DrawSample s;
    if (draw_sample(&s, text, len, seed, strlen(seed), take < 0 ? UINT64_MAX : (uint64_t)take,
                    &err)) {
        fprintf(stderr, "spotcheck sample: %s\n", err);
        free(err);
        return CLI_REJECTED;
    }
    static char out[1 << 16];
    setvbuf(stdout, out, _IOFBF, sizeof out);
    for (size_t i = 0; i < s.sel.count; i++) {
        fputs(s.sel.ticket[i], stdout);
        putchar('\t');
        fwrite(s.pop.id[s.sel.idx[i]], 1, s.pop.id_len[s.sel.idx[i]], stdout);
        putchar('\n');
    }
    draw_sample_free(&s);
    return fflush(stdout) ? CLI_REJECTED : CLI_OK;
}

/* ------------------------------------------------------------------ verify */

static int load_pop_file(const char *path, DrawPop *p) {
    size_t len;
    char *err = NULL;
    char *text = file_read_all(path, &len, &err);
    if (!text || draw_pop_parse(p, text, len, &err)) {
        fprintf(stderr, "spotcheck: %s: %s\n", path, err ? err : "无法读取");
        free(err);
        return -1;
    }
    return 0;
}

static int load_roster_file(const char *path, DrawRoster *r) {
    size_t len;
    char *err = NULL;
    char *text = file_read_all(path, &len, &err);
    int bad = !text || draw_roster_parse(r, text, len, &err);
    if (bad) fprintf(stderr, "spotcheck: %s: %s\n", path, err ? err : "无法读取");
    free(text);
    free(err);
    return bad ? -1 : 0;
}

int cmd_verify(int argc, char **argv) {
    const char *files[3] = {NULL, NULL, NULL}, *expect = NULL;
    int nf = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--freeze") && i + 1 < argc)
            expect = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("verify", "未知参数 %s", argv[i]);
        else if (nf < 3)
            files[nf++] = argv[i];
        else
            return cli_usage_error("verify", "参数过多");
    }
    if (!nf) return cli_usage_error("verify", "须提供抽取记录文件 RECORD.json");
    json_error_t je;
    json_t *rec = json_load_file(files[0], JSON_REJECT_DUPLICATES, &je);
    if (!rec) {
        printf("不一致\n%s: 不是有效的 JSON（第%d行: %s）\n", files[0], je.line, je.text);
        return CLI_REJECTED;
    }
    DrawPop pop;
    DrawRoster ros;
    int have_pop = 0, have_ros = 0, rc = CLI_OK;
    if (files[1]) {
        if (load_pop_file(files[1], &pop))
            rc = CLI_REJECTED;
        else
            have_pop = 1;
    }
    if (files[2] && rc == CLI_OK) {
        if (load_roster_file(files[2], &ros))
            rc = CLI_REJECTED;
        else
            have_ros = 1;
    }
    if (!expect)
        fputs("提示：未提供 "
              "--"
              "freeze，冻结摘要未与抽取前公告中的摘要核对（请从本局网站的公告或他人保存的公告中取得"
              "）。\n",
              stderr);
    if (rc == CLI_OK && !json_object_get(rec, "seed")) {
        /* a frozen record, not yet drawn: the files against it, and what the draw will take */
        Buf out, sizes;
        buf_init(&out);
        buf_init(&sizes);
        int bad = draw_verify_frozen(rec, have_pop ? &pop : NULL, have_ros ? &ros : NULL, expect,
                                     &out, &sizes);
        if (bad) {
            printf("不一致\n%s", out.data ? out.data : "");
            rc = CLI_REJECTED;
        } else {
            printf("%s\n", have_pop && have_ros ? "冻结记录一致（尚未抽取）"
                                                : "部分核验（尚未抽取；未提供全部名单文件）");
            if (sizes.len) printf("分层\t对象数\t应抽取数\n%s", sizes.data);
            if (!(have_pop && have_ros)) rc = CLI_USAGE;
        }
        buf_free(&out);
        buf_free(&sizes);
    } else if (rc == CLI_OK) {
        Buf out, notes;
        buf_init(&out);
        buf_init(&notes);
        int bad =
            draw_verify(rec, have_pop ? &pop : NULL, have_ros ? &ros : NULL, expect, &out, &notes);
        if (notes.len) fputs(notes.data, stderr);
        if (bad) {
            printf("不一致\n%s", out.data ? out.data : "");
            rc = CLI_REJECTED;
        } else if (!have_pop || !have_ros) {
            /* what could be checked agrees, but not everything was: say so, exit 2 */
            puts("部分核验");
            rc = CLI_USAGE;
        } else {
            puts("一致");
        }
        buf_free(&out);
        buf_free(&notes);
    } else {
        printf("不一致\n输入文件无效（见上方错误）\n");
    }
    if (have_pop) draw_pop_free(&pop);
    if (have_ros) draw_roster_free(&ros);
    json_decref(rec);
    return rc;
}

/* ------------------------------------------------------------------ draw */

static int write_file(const char *path, const char *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
        if (f) fclose(f);
        fprintf(stderr, "spotcheck draw: 无法写入 %s\n", path);
        return -1;
    }
    return 0;
}

static void set_path(json_t *root, const char *obj, const char *key, json_t *v) {
    if (!obj) {
        json_object_set_new(root, key, v);
        return;
    }
    json_t *o = json_object_get(root, obj);
    if (!json_is_object(o)) {
        o = json_object();
        json_object_set_new(root, obj, o);
    }
    json_object_set_new(o, key, v);
}

static void push_path(json_t *root, const char *obj, const char *key, json_t *v) {
    json_t *o = obj ? json_object_get(root, obj) : root;
    if (obj && !json_is_object(o)) {
        o = json_object();
        json_object_set_new(root, obj, o);
    }
    json_t *a = json_object_get(o, key);
    if (!json_is_array(a)) {
        a = json_array();
        json_object_set_new(o, key, a);
    }
    json_array_append_new(a, v);
}

static int parse_int_arg(const char *s, long long *out) {
    char *end;
    *out = strtoll(s, &end, 10);
    return *s && !*end && *out >= 0 ? 0 : -1;
}

/* STRATUM=VALUE or VALUE (for "*") into map[key] */
static void set_stratum(json_t *params, const char *map, const char *arg,
                        json_t *(*mk)(const char *)) {
    const char *eq = strchr(arg, '=');
    char *k = eq ? xstrndup(arg, (size_t)(eq - arg)) : xstrdup("*");
    set_path(params, map, k, mk(eq ? eq + 1 : arg));
    free(k);
}

static json_t *mk_str(const char *s) {
    return json_string(s);
}
static json_t *mk_int(const char *s) {
    return json_integer(atoll(s));
}

typedef struct DrawArgs {
    const char *db, *task, *sources, *date, *reason, *approver, *by, *target, *officer, *record_out,
        *pop_out, *off_out, *observers;
    int json, all, no, params_given;
    json_t *params;
    json_t *values; /* --value, in order */
} DrawArgs;

/* Parses the options shared by the draw subcommands; returns 0 or CLI_USAGE. */
static int draw_args(int argc, char **argv, DrawArgs *a) {
    a->db = CLI_DEFAULT_DB;
    a->params = json_object();
    a->values = json_array();
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long long n;
#define TAKE(field)                                                                                \
    if (!strcmp(o, "--" #field) || 0) {                                                            \
        if (!v) return cli_usage_error("draw", "%s 需要参数", o);                                  \
        a->field = v;                                                                              \
        i++;                                                                                       \
        continue;                                                                                  \
    }
        TAKE(db)
        TAKE(task)
        TAKE(sources)
        TAKE(date)
        TAKE(reason)
        TAKE(approver)
        TAKE(by)
        TAKE(target)
        TAKE(officer)
        TAKE(observers)
#undef TAKE
        if (!strcmp(o, "--json")) {
            a->json = 1;
            continue;
        }
        if (!strcmp(o, "--value")) {
            if (!v) return cli_usage_error("draw", "--value 需要参数");
            json_array_append_new(a->values, json_string(v));
            i++;
            continue;
        }
        if (!strcmp(o, "--all")) {
            a->all = 1;
            continue;
        }
        if (!strcmp(o, "--cross-region")) {
            set_path(a->params, NULL, "cross_region", json_true());
            a->params_given = 1;
            continue;
        }
        if (!strcmp(o, "--exclude-drawn-this-year")) {
            set_path(a->params, "exclusions", "drawn_this_year", json_true());
            a->params_given = 1;
            continue;
        }
        if (!v) return cli_usage_error("draw", "未知参数或缺少参数值: %s", o);
        i++;
        if (!strcmp(o, "--record"))
            a->record_out = v;
        else if (!strcmp(o, "--population"))
            a->pop_out = v;
        else if (!strcmp(o, "--officers"))
            a->off_out = v;
        else if (!strcmp(o, "--no")) {
            if (parse_int_arg(v, &n) || n < 1) return cli_usage_error("draw", "--no 须为正整数");
            a->no = (int)n;
        } else {
            a->params_given = 1;
            if (!strcmp(o, "--params")) {
                json_error_t je;
                json_t *p = json_load_file(v, JSON_REJECT_DUPLICATES, &je);
                if (!json_is_object(p)) {
                    json_decref(p);
                    return cli_usage_error("draw", "%s 不是 JSON 对象: %s", v, je.text);
                }
                json_object_update(a->params, p);
                json_decref(p);
            } else if (!strcmp(o, "--ratio"))
                set_stratum(a->params, "ratios", v, mk_str);
            else if (!strcmp(o, "--min"))
                set_stratum(a->params, "minimum", v, mk_int);
            else if (!strcmp(o, "--strata")) {
                json_t *arr = json_array();
                char *c = xstrdup(v), *save = NULL;
                for (char *t = strtok_r(c, ",", &save); t; t = strtok_r(NULL, ",", &save))
                    json_array_append_new(arr, json_string(t));
                free(c);
                set_path(a->params, NULL, "strata", arr);
            } else if (!strcmp(o, "--kind"))
                push_path(a->params, "filters", "kinds", json_string(v));
            else if (!strcmp(o, "--grade"))
                push_path(a->params, "filters", "grades", json_string(v));
            else if (!strcmp(o, "--tag"))
                push_path(a->params, "filters", "tags", json_string(v));
            else if (!strcmp(o, "--region-prefix"))
                set_path(a->params, "filters", "region_prefix", json_string(v));
            else if (!strcmp(o, "--registered-before"))
                set_path(a->params, "filters", "registered_before", json_string(v));
            else if (!strcmp(o, "--complaints-min") && !parse_int_arg(v, &n))
                set_path(a->params, "filters", "complaints_min", json_integer(n));
            else if (!strcmp(o, "--exclude-checked-months") && !parse_int_arg(v, &n))
                set_path(a->params, "exclusions", "checked_within_months", json_integer(n));
            else if (!strcmp(o, "--yearly-cap") && !parse_int_arg(v, &n))
                set_path(a->params, "exclusions", "yearly_cap", json_integer(n));
            else if (!strcmp(o, "--group-size") && !parse_int_arg(v, &n))
                set_path(a->params, NULL, "group_size", json_integer(n));
            else if (!strcmp(o, "--workload-cap") && !parse_int_arg(v, &n))
                set_path(a->params, NULL, "workload_cap", json_integer(n));
            else if (!strcmp(o, "--require-tag"))
                push_path(a->params, NULL, "required_tags", json_string(v));
            else if (!strcmp(o, "--specialty"))
                push_path(a->params, NULL, "specialties", json_string(v));
            else if (!strcmp(o, "--officer-dept"))
                push_path(a->params, NULL, "officer_depts", json_string(v));
            else if (!strcmp(o, "--conflict") && strchr(v, ':')) {
                const char *c = strchr(v, ':');
                char *off = xstrndup(v, (size_t)(c - v));
                push_path(a->params, NULL, "conflicts", json_pack("[s,s]", off, c + 1));
                free(off);
            } else
                return cli_usage_error("draw", "未知参数或参数值无效: %s %s", o, v);
        }
    }
    if (!a->task) return cli_usage_error("draw", "须提供 --task 任务编号");
    return 0;
}

/* Prints a record (draw show, draw freeze) or the summary of a run (draw_store_run: the counts
 * instead of one line per group, which a large draw has hundreds of thousands of). */
static void print_record(const json_t *rec) {
    const json_t *f = json_object_get(rec, "freeze");
    printf("任务 %s 第%lld次抽取  抽取日期 %s\n", json_string_value(json_object_get(f, "task")),
           (long long)json_integer_value(json_object_get(f, "draw_no")),
           json_string_value(json_object_get(f, "draw_date")));
    printf("冻结摘要 %s\n", json_string_value(json_object_get(rec, "freeze_sha256")));
    const json_t *pop = json_object_get(f, "population");
    printf("名单 %lld 个对象  SHA-256 %s\n",
           (long long)json_integer_value(json_object_get(pop, "count")),
           json_string_value(json_object_get(pop, "sha256")));
    printf("排除 %zu 个对象  冻结时间 %s\n", json_array_size(json_object_get(f, "excluded")),
           json_string_value(json_object_get(f, "frozen_at")));
    size_t i, k;
    json_t *s, *x;
    if (json_object_get(f, "sources")) {
        json_array_foreach(json_object_get(f, "sources"), i, s) {
            char *label = draw_source_label(s);
            const char *v = json_string_value(json_array_get(json_object_get(rec, "values"), i));
            printf("公开随机数来源 %zu: %s%s%s\n", i + 1, label, v ? "  数值 " : "", v ? v : "");
            free(label);
        }
    } else { /* a spotcheck-draw/1 record */
        printf("公开随机数来源: %s\n秘密承诺 %s\n",
               json_string_value(json_object_get(f, "randomness_source")),
               json_string_value(json_object_get(f, "commitment")));
    }
    if (!json_object_get(rec, "seed")) {
        puts("状态: 已冻结，尚未抽取");
        return;
    }
    if (json_object_get(rec, "drawn_at"))
        printf("抽取时间 %s\n", json_string_value(json_object_get(rec, "drawn_at")));
    else
        printf("公开随机数 %s\n", json_string_value(json_object_get(rec, "public_randomness")));
    printf("种子 %s\n", json_string_value(json_object_get(rec, "seed")));
    json_array_foreach(json_object_get(rec, "strata"), i, s)
        printf("分层 %-12s 总数 %lld  比例 %s  最低 %lld  抽取 %lld\n",
               json_string_value(json_object_get(s, "stratum")),
               (long long)json_integer_value(json_object_get(s, "N")),
               json_string_value(json_object_get(s, "ratio")),
               (long long)json_integer_value(json_object_get(s, "minimum")),
               (long long)json_integer_value(json_object_get(s, "n")));
    if (json_object_get(rec, "group_count")) { /* the summary of a run (draw_store_run) */
        printf("抽取 %lld 个对象，%lld 个检查组  记录摘要 %s\n",
               (long long)json_integer_value(json_object_get(rec, "selected_count")),
               (long long)json_integer_value(json_object_get(rec, "group_count")),
               json_string_value(json_object_get(rec, "record_sha256")));
        printf("各检查组及成员: spotcheck draw show --task %s\n",
               json_string_value(json_object_get(f, "task")));
        return;
    }
    json_array_foreach(json_object_get(rec, "assignments"), i, s) {
        printf("%3zu. %s [%s/%s]  组长 %s  成员", i + 1,
               json_string_value(json_object_get(s, "target")),
               json_string_value(json_object_get(s, "origin")),
               json_string_value(json_object_get(s, "status")),
               json_is_string(json_object_get(s, "leader"))
                   ? json_string_value(json_object_get(s, "leader"))
                   : "（无）");
        json_array_foreach(json_object_get(s, "officers"), k, x)
            printf(" %s", json_string_value(x));
        json_array_foreach(json_object_get(s, "experts"), k, x)
            printf(" 专家:%s", json_string_value(x));
        if (json_integer_value(json_object_get(s, "short")))
            printf("  缺%lld人", (long long)json_integer_value(json_object_get(s, "short")));
        putchar('\n');
    }
    if (!json_array_size(json_object_get(rec, "assignments"))) {
        json_array_foreach(json_object_get(rec, "selected"), i, s)
            printf("%3zu. %s  %s\n", i + 1, json_string_value(json_object_get(s, "id")),
                   json_string_value(json_object_get(s, "ticket")));
    }
}

static int draw_show(Db *db, DrawArgs *a) {
    char *err = NULL, *pop = NULL, *off = NULL, *status = NULL;
    if (a->all) {
        json_t *list;
        if (draw_store_list(db, a->task, &list, &err)) {
            fprintf(stderr, "spotcheck draw: %s\n", err);
            free(err);
            return CLI_REJECTED;
        }
        char *s = json_dumps(list, JSON_INDENT(2));
        puts(s);
        free(s);
        int empty = json_array_size(list) == 0;
        json_decref(list);
        return empty ? CLI_REJECTED : CLI_OK;
    }
    json_t *doc;
    int rc = draw_store_get(db, a->task, a->no, &doc, &pop, &off, &status, &err);
    if (rc) {
        fprintf(stderr, "spotcheck draw: %s\n", err);
        free(err);
        return CLI_REJECTED;
    }
    int bad = 0;
    if (a->record_out) {
        char *s = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
        size_t len = strlen(s);
        s = xrealloc(s, len + 2);
        s[len] = '\n';
        bad |= write_file(a->record_out, s, len + 1);
        free(s);
    }
    if (a->pop_out) bad |= write_file(a->pop_out, pop ? pop : "", pop ? strlen(pop) : 0);
    if (a->off_out) bad |= write_file(a->off_out, off ? off : "", off ? strlen(off) : 0);
    if (a->json) {
        char *s = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
        puts(s);
        free(s);
    } else if (!a->record_out && !a->pop_out && !a->off_out) {
        printf("状态: %s\n", status);
        draw_token_reveal_record(db, a->task, a->no, doc); /* the staff's text: the targets */
        print_record(doc);
    }
    json_decref(doc);
    free(pop);
    free(off);
    free(status);
    return bad ? CLI_REJECTED : CLI_OK;
}

/* Reports a refused or failed draw step; returns the exit code. */
static int failed(const char *err) {
    fprintf(stderr, "spotcheck draw: %s\n", err ? err : "失败");
    return CLI_REJECTED;
}

static void print_dice(const json_t *dice) {
    char *v = json_dumps(json_object_get(dice, "values"), JSON_COMPACT);
    printf("骰子点数已登记: %s（%s）。抽取时须输入同样的点数。\n", v,
           json_string_value(json_object_get(dice, "recorded_at")));
    free(v);
}

/* `draw freeze|run` of a code that is a task: through task_draw_freeze / task_draw_run, as the
 * task page does, by a real account (--by). Substitution and re-draw of a task need the
 * ceremony page (the reason, the leader's approval). Returns a CLI exit code. */
static int task_draw_cli(Db *db, const DrawArgs *a, const char *sub, int64_t task_id,
                         const json_t *sources, char **err) {
    Actor who;
    char *role = NULL, *why = NULL;
    int found = task_draw_account(db, a->by, task_id, &who, &role, &why);
    if (found == TASK_NOT_FOUND) {
        free(why);
        return cli_usage_error(
            "draw", "%s 是抽查任务：须以本局启用的账号办理（--by 用户名），并写入审计日志",
            a->task);
    }
    /* the same rule as the task pages: a role that may hold draws, for a task in the account's
     * jurisdiction */
    int may = found == TASK_OK && web_role_has(role, P_TASK_WRITE);
    free(role);
    if (!may) {
        fprintf(stderr, "spotcheck draw: %s\n",
                found != TASK_OK ? why : "该账号的角色不能办理抽取（须为检查科室的业务经办账号）");
        free(why);
        return CLI_REJECTED;
    }
    free(why);
    if (a->params_given)
        return cli_usage_error("draw", "任务的抽取参数来自年度计划和实施方案，命令行不能另行指定");
    if (!strcmp(sub, "substitute") || !strcmp(sub, "redraw")) {
        fprintf(
            stderr,
            "spotcheck draw: 任务 %s 的%s须在摇号现场页面办理（须说明原因%s，并写入审计日志）\n",
            a->task, !strcmp(sub, "redraw") ? "重新抽取" : "递补",
            !strcmp(sub, "redraw") ? "并经分管领导批准" : "");
        return CLI_REJECTED;
    }
    int rc;
    json_t *rec = NULL;
    char *fsha = NULL;
    json_t *dice = NULL;
    if (!strcmp(sub, "conflict")) {
        int64_t cid = 0;
        if (!a->officer || !a->target || !a->reason)
            return cli_usage_error(
                "draw", "申报回避须提供 --officer 执法证号、--target 对象编码和 --reason 利害关系");
        rc = task_conflict_declare(db, &who, task_id, a->officer, a->target, a->reason, &cid, err);
        if (rc != TASK_OK) return failed(*err);
        printf("回避已申报（第 %lld 号），将随名单一并冻结。\n", (long long)cid);
        return CLI_OK;
    }
    if (!strcmp(sub, "freeze"))
        rc = task_draw_freeze(db, &who, task_id, sources, &fsha, err);
    else if (!strcmp(sub, "dice"))
        rc = task_draw_dice(db, &who, task_id, a->values, a->observers, &dice, err);
    else
        rc = task_draw_run(db, &who, task_id, a->values, a->observers, &rec, err);
    if (rc != TASK_OK) return failed(*err);
    if (dice)
        print_dice(dice);
    else if (rec)
        print_record(rec);
    else
        printf("已冻结。请在随机数产生前公布公告（冻结摘要 %s）。\n", fsha);
    json_decref(dice);
    json_decref(rec);
    free(fsha);
    return CLI_OK;
}

int cmd_draw(int argc, char **argv) {
    if (argc < 2)
        return cli_usage_error(
            "draw", "须指定子命令 conflict | freeze | dice | run | substitute | redraw | show");
    const char *sub = argv[1];
    DrawArgs a = {0};
    int rc = draw_args(argc, argv, &a);
    if (rc) {
        json_decref(a.params);
        json_decref(a.values);
        return rc;
    }
    char date[11];
    if (!a.date) {
        clock_today(date);
        a.date = date;
    }
    if (strcmp(sub, "conflict") && strcmp(sub, "freeze") && strcmp(sub, "run") &&
        strcmp(sub, "dice") && strcmp(sub, "substitute") && strcmp(sub, "redraw") &&
        strcmp(sub, "show")) {
        json_decref(a.params);
        json_decref(a.values);
        return cli_usage_error("draw", "未知子命令 %s", sub);
    }
    json_t *sources = NULL;
    if (a.sources) {
        json_error_t je;
        sources = json_loads(a.sources, JSON_REJECT_DUPLICATES, &je);
        if (!json_is_array(sources)) {
            json_decref(sources);
            json_decref(a.params);
            json_decref(a.values);
            return cli_usage_error(
                "draw", "--sources 应为 JSON 数组，如 "
                        "'[{\"kind\":\"fc3d\",\"issue\":\"2026330\",\"date\":\"2026-12-07\"}]'");
        }
    }
    Db *db = cli_open_db(a.db);
    if (!db) {
        json_decref(a.params);
        json_decref(a.values);
        json_decref(sources);
        return CLI_REJECTED;
    }
    char *err = NULL;
    rc = CLI_OK;
    int64_t task_id = task_id_by_code(db, a.task);
    if (task_id && strcmp(sub, "show")) {
        /* a task's draw: the same unit of work, rules and audit row as the pages */
        rc = task_draw_cli(db, &a, sub, task_id, sources, &err);
    } else if (!strcmp(sub, "conflict")) {
        rc = cli_usage_error(
            "draw", "%s 不是抽查任务：单独的抽取在冻结时以 --conflict 执法证号:对象编码 申报回避",
            a.task ? a.task : "");
    } else if (!strcmp(sub, "freeze") || !strcmp(sub, "redraw")) {
        int redraw = !strcmp(sub, "redraw");
        if (!sources)
            rc = cli_usage_error("draw",
                                 "须提供 --sources（公开随机数来源，JSON 数组，见 docs/DRAW.md）");
        else if (redraw && (!a.reason || !a.approver))
            rc = cli_usage_error("draw", "重新抽取须提供 --reason 和 --approver");
        else {
            DrawFreezeReq req = {.task = a.task,
                                 .date = a.date,
                                 .sources = sources,
                                 .gap_hours = task_draw_gap_hours(),
                                 .params = redraw && !a.params_given ? NULL : a.params,
                                 .by = a.by,
                                 .redraw_reason = redraw ? a.reason : NULL,
                                 .redraw_approver = redraw ? a.approver : NULL};
            char *fsha = NULL;
            if (draw_standalone_freeze(db, &req, &fsha, &err)) {
                fprintf(stderr, "spotcheck draw: %s\n", err ? err : "失败");
                rc = CLI_REJECTED;
            } else {
                json_t *doc;
                char *st = NULL;
                if (!draw_store_get(db, a.task, 0, &doc, NULL, NULL, &st, &err)) {
                    print_record(doc);
                    json_decref(doc);
                }
                free(st);
                printf("已冻结。请在随机数产生前公布冻结摘要 %s、名单摘要和随机数来源。\n", fsha);
            }
            free(fsha);
        }
    } else if (!strcmp(sub, "dice")) {
        json_t *dice = NULL;
        if (!json_array_size(a.values))
            rc = cli_usage_error("draw", "须按声明顺序为每组骰子提供 --value 点数");
        else if (draw_standalone_dice(db, a.task, a.values, a.by, a.observers, &dice, &err))
            rc = failed(err);
        else
            print_dice(dice);
        json_decref(dice);
    } else if (!strcmp(sub, "run")) {
        json_t *rec = NULL;
        if (!json_array_size(a.values))
            rc = cli_usage_error("draw", "须按声明顺序为每个随机数来源提供 --value");
        else if (draw_standalone_run(db, a.task, a.values, a.by, &rec, &err))
            rc = failed(err);
        else
            print_record(rec);
        json_decref(rec);
    } else if (!strcmp(sub, "substitute")) {
        json_t *ev = NULL;
        if (!a.target || !a.reason)
            rc = cli_usage_error("draw", "须提供 --target 和 --reason");
        else if (draw_standalone_substitute(db, a.task, a.target, a.officer, a.reason, a.by, &ev,
                                            &err))
            rc = failed(err);
        else {
            json_t *rep = json_object_get(ev, "replacement");
            printf("已递补: %s → %s（原因: %s）\n", a.officer ? a.officer : a.target,
                   json_is_string(rep) ? json_string_value(rep) : "（无可递补者）", a.reason);
        }
        json_decref(ev);
    } else {
        rc = draw_show(db, &a);
    }
    free(err);
    db_close(db);
    json_decref(a.params);
    json_decref(a.values);
    json_decref(sources);
    return rc;
}
