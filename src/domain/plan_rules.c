/* plan_rules.c - the annual plan's rules (see plan.h): the pure ones (state table, month ranges,
 * 抽查类型, ratios, plan numbers, the name rule, 事项 matching keys, scope filters and their words)
 * and "no check outside the plan" (plan_task_startable), which asks the database whether a task
 * row's version is published and in force.
 *
 * Invariants: the pure rules use no database and no clock; a version's status moves only along
 * the table in plan_next_status. Called by plan.c and plan_adhoc.c (validation), plan_io.c, the
 * task module (task_start_from_plan), the web handlers and the CLI. */
#include "jsonkit.h"
#include "plan.h"

#include "../core/util.h"
#include "directory.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- pure rules ---- */

static const struct {
    const char *from;
    PlanAction action;
    const char *to;
} transitions[] = {
    {"草稿", PLAN_SUBMIT, "待审批"},
    {"待审批", PLAN_APPROVE, "已批准"},
    {"待审批", PLAN_RETURN, "草稿"},
    {"已批准", PLAN_PUBLISH, "已公开"},
};

static const char *const action_names[PLAN_ACTION_COUNT] = {"submit", "approve", "return",
                                                            "publish"};
static const char *const action_labels[PLAN_ACTION_COUNT] = {"提交审批", "批准", "退回", "公开"};

const char *plan_next_status(const char *status, PlanAction a) {
    for (size_t i = 0; status && i < ARRAY_LEN(transitions); i++)
        if (transitions[i].action == a && !strcmp(transitions[i].from, status))
            return transitions[i].to;
    return NULL;
}

int plan_action_parse(const char *name) {
    for (int i = 0; name && i < PLAN_ACTION_COUNT; i++)
        if (!strcmp(action_names[i], name)) return i;
    return -1;
}

const char *plan_action_name(PlanAction a) {
    return a < PLAN_ACTION_COUNT ? action_names[a] : "?";
}
const char *plan_action_label(PlanAction a) {
    return a < PLAN_ACTION_COUNT ? action_labels[a] : "?";
}

/* Separators allowed between the numbers of a month range. */
static const char *const range_tokens[] = {"年", "月", "至", "到", "-",  "~",  "～", "—", "–", "－",
                                           ".",  "/",  " ",  "\t", "　", "（", "）", "(", ")"};

int plan_parse_month_range(const char *text, char from[8], char to[8], char **err) {
    static const char *const example =
        "抽查时间必须填到月份，如 2025年3月至10月 或 2025-03..2025-10";
    if (str_empty(text)) return set_err(err, "请填写抽查时间（到月份），如 2025年3月至10月");
    int nums[4], year_at[4], n = 0, has_month_char = 0;
    const char *p = text;
    while (*p) {
        if (isdigit((unsigned char)*p)) {
            long v = 0;
            int digits = 0;
            while (isdigit((unsigned char)*p)) {
                if (digits < 9) v = v * 10 + (*p - '0');
                digits++;
                p++;
            }
            if (digits != 4 && digits > 2) return set_err(err, "%s", example);
            if (n == 4) return set_err(err, "抽查时间格式不对：%s", example);
            nums[n] = (int)v;
            year_at[n++] = digits == 4;
            if (str_starts(p, "日") || str_starts(p, "号"))
                return set_err(err, "抽查时间只填到月份，不填日期，如 2025年3月至10月");
            continue;
        }
        size_t k;
        for (k = 0; k < ARRAY_LEN(range_tokens); k++)
            if (str_starts(p, range_tokens[k])) break;
        if (k == ARRAY_LEN(range_tokens)) return set_err(err, "%s", example);
        if (!strcmp(range_tokens[k], "月")) has_month_char = 1;
        p += strlen(range_tokens[k]);
    }
    int y1, m1, y2, m2;
    if (n == 2 && year_at[0] && !year_at[1]) {
        y1 = y2 = nums[0];
        m1 = m2 = nums[1];
    } else if (n == 3 && year_at[0] && !year_at[1] && !year_at[2] && has_month_char) {
        y1 = y2 = nums[0];
        m1 = nums[1];
        m2 = nums[2];
    } else if (n == 4 && year_at[0] && !year_at[1] && year_at[2] && !year_at[3]) {
        y1 = nums[0];
        m1 = nums[1];
        y2 = nums[2];
        m2 = nums[3];
    } else {
        return set_err(err, "%s", example);
    }
    if (y1 < 2000 || y1 > 2999 || y2 < 2000 || y2 > 2999) return set_err(err, "抽查时间的年份不对");
    if (m1 < 1 || m1 > 12 || m2 < 1 || m2 > 12)
        return set_err(err, "抽查时间的月份应在 1 至 12 之间");
    if (y2 * 12 + m2 < y1 * 12 + m1) return set_err(err, "抽查时间的结束月份早于开始月份");
    snprintf(from, 8, "%04d-%02d", y1, m1);
    snprintf(to, 8, "%04d-%02d", y2, m2);
    return 0;
}

char *plan_month_range_text(const char *from, const char *to) {
    int y1 = 0, m1 = 0, y2 = 0, m2 = 0;
    if (!from || !to || sscanf(from, "%d-%d", &y1, &m1) != 2 || sscanf(to, "%d-%d", &y2, &m2) != 2)
        return xstrdup("");
    if (y1 == y2 && m1 == m2) return xasprintf("%d年%d月", y1, m1);
    if (y1 == y2) return xasprintf("%d年%d月至%d月", y1, m1, m2);
    return xasprintf("%d年%d月至%d年%d月", y1, m1, y2, m2);
}

const char *plan_parse_kind(const char *text) {
    if (!text) return NULL;
    char *t = xstrdup(text);
    str_trim(t);
    const char *out = NULL;
    if (!strcmp(t, "定向") || !strcmp(t, "定向抽查"))
        out = "定向";
    else if (!strcmp(t, "不定向") || !strcmp(t, "不定向抽查") || !strcmp(t, "非定向") ||
             !strcmp(t, "非定向抽查"))
        out = "不定向";
    free(t);
    return out;
}

int plan_ratio_valid(const char *text) {
    if (!text || !isdigit((unsigned char)*text)) return 0;
    const char *p = text;
    double v = 0;
    while (isdigit((unsigned char)*p))
        v = v * 10 + (*p++ - '0');
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p)) return 0;
        double scale = 0.1;
        while (isdigit((unsigned char)*p)) {
            v += (*p++ - '0') * scale;
            scale /= 10;
        }
    }
    return p[0] == '%' && p[1] == 0 && v > 0 && v <= 100;
}

int plan_number_valid(const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 32) return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-') return 0;
    return 1;
}

char *plan_make_name(int year, const char *org_name, const char *qualifier, int seq) {
    return xasprintf("%d年%s%s随机抽查%03d", year, org_name ? org_name : "",
                     qualifier ? qualifier : "", seq);
}

static const char *const key_drop[] = {"的", "进行", "　", "、", "，", "。", "；",
                                       "：", "（",   "）", "《", "》", "“",  "”",
                                       "‘",  "’",    "「", "」", "【", "】"};

char *plan_item_key(const char *text) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "");
    for (const char *p = text ? text : ""; *p;) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x80) {
            if (isalnum(c)) buf_putc(&b, (char)c);
            p++;
            continue;
        }
        size_t k;
        for (k = 0; k < ARRAY_LEN(key_drop); k++)
            if (str_starts(p, key_drop[k])) break;
        if (k < ARRAY_LEN(key_drop)) {
            p += strlen(key_drop[k]);
            continue;
        }
        size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        for (size_t i = 0; i < len && p[i]; i++)
            buf_putc(&b, p[i]);
        p += strnlen(p, len);
    }
    return buf_steal(&b);
}

json_t *plan_split_items(const char *text) {
    return jk_list(text, LIST_PHRASES, 0);
}

static int choice_known(const Choice *c, const char *code) {
    for (; c && c->code; c++)
        if (!strcmp(c->code, code)) return 1;
    return 0;
}

int plan_scope_check(json_t *scope, char **err) {
    if (!json_is_object(scope)) return set_err(err, "抽查对象范围应为筛选条件对象");
    const char *key;
    json_t *v;
    json_object_foreach(scope, key, v) {
        if (!strcmp(key, "kinds") || !strcmp(key, "grades") || !strcmp(key, "tags")) {
            if (!json_is_array(v)) return set_err(err, "抽查对象范围的 %s 应为列表", key);
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e) {
                const char *s = json_string_value(e);
                if (!s || !*s) return set_err(err, "抽查对象范围的 %s 含空值", key);
                if (!strcmp(key, "kinds") && !choice_known(target_kinds, s))
                    return set_err(err, "未知的检查对象类型 %s", s);
                if (!strcmp(key, "grades") && (strlen(s) != 1 || s[0] < 'A' || s[0] > 'D'))
                    return set_err(err, "信用风险等级应为 A、B、C、D");
            }
        } else if (!strcmp(key, "region_prefix")) {
            const char *s = json_string_value(v);
            size_t n = s ? strlen(s) : 99;
            if (n > 6) return set_err(err, "行政区划前缀应为 1 至 6 位数字");
            for (size_t i = 0; i < n; i++)
                if (!isdigit((unsigned char)s[i]))
                    return set_err(err, "行政区划前缀应为 1 至 6 位数字");
        } else if (!strcmp(key, "registered_before")) {
            const char *s = json_string_value(v);
            if (!s || (*s && !date_valid(s))) return set_err(err, "登记日期应为 YYYY-MM-DD");
        } else if (!strcmp(key, "complaints_min")) {
            if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100000)
                return set_err(err, "投诉举报次数应为不小于 0 的整数");
        } else {
            return set_err(err, "抽查对象范围含未知条件 %s", key);
        }
    }
    return 0;
}

static void join_array(Buf *b, json_t *a, const char *(*map)(void *, const char *), void *arg) {
    size_t i, n = 0;
    json_t *e;
    json_array_foreach(a, i, e) {
        const char *s = json_string_value(e), *m = s && map ? map(arg, s) : NULL;
        if (!s) continue;
        buf_printf(b, "%s%s", n++ ? "、" : "", m ? m : s);
    }
}

static const char *kind_label(void *arg, const char *code) {
    (void)arg;
    return dir_choice_label(target_kinds, code);
}

char *plan_scope_describe(json_t *scope, const char *(*tag_name)(void *arg, const char *code),
                          void *arg) {
    Buf b, cond;
    buf_init(&b);
    buf_init(&cond);
    const char *region = json_string_value(json_object_get(scope, "region_prefix"));
    if (region && *region)
        buf_printf(&b, "行政区划%s%s的", region, strlen(region) == 6 ? "内" : "开头");
    json_t *kinds = json_object_get(scope, "kinds");
    if (json_array_size(kinds))
        join_array(&b, kinds, kind_label, NULL);
    else
        buf_puts(&b, region && *region ? "检查对象" : "全部检查对象");
    json_t *grades = json_object_get(scope, "grades");
    if (json_array_size(grades)) {
        buf_puts(&cond, "信用风险等级");
        join_array(&cond, grades, NULL, NULL);
    }
    json_t *tags = json_object_get(scope, "tags");
    if (json_array_size(tags)) {
        buf_printf(&cond, "%s标签", cond.len ? "；" : "");
        join_array(&cond, tags, tag_name, arg);
    }
    const char *reg = json_string_value(json_object_get(scope, "registered_before"));
    int y, m, d;
    if (reg && sscanf(reg, "%d-%d-%d", &y, &m, &d) == 3)
        buf_printf(&cond, "%s%d年%d月%d日前登记", cond.len ? "；" : "", y, m, d);
    json_t *cm = json_object_get(scope, "complaints_min");
    if (json_is_integer(cm) && json_integer_value(cm) > 0)
        buf_printf(&cond, "%s投诉举报不少于%lld次", cond.len ? "；" : "",
                   (long long)json_integer_value(cm));
    if (cond.len) buf_printf(&b, "（%s）", cond.data);
    buf_free(&cond);
    return buf_steal(&b);
}

/* ---- no check outside the plan ---- */

int plan_task_startable(Db *db, int64_t task_id, char **why) {
    Stmt *st = db_prepare(db, "SELECT pv.status, pv.version, p.number, "
                              "(SELECT max(x.version) FROM plan_version x WHERE x.plan_id = "
                              "pv.plan_id AND x.status = '已公开') "
                              "FROM plan_task t JOIN plan_version pv ON pv.id = t.version_id JOIN "
                              "plan p ON p.id = pv.plan_id "
                              "WHERE t.id = ?");
    if (!st) return set_err(why, "%s", db_errmsg(db));
    db_bind_int(st, 1, task_id);
    int rc = db_step(st), ok = 0;
    if (rc == DB_ERR) {
        ok = set_err(why, "%s", db_errmsg(db));
    } else if (rc != DB_ROW) {
        set_err(why,
                "该抽查任务不在任何年度抽查计划中：未列入经批准并公开的年度计划的检查不得开展");
    } else {
        const char *status = db_col_text(st, 0), *number = db_col_text(st, 2);
        int version = (int)db_col_int(st, 1), maxpub = (int)db_col_int(st, 3);
        if (strcmp(status, "已公开") != 0)
            set_err(why,
                    "该任务所在的计划 %s "
                    "第%d版状态为「%s」：计划须经分管领导批准并向社会公开后，任务方可开展",
                    number, version, status);
        else if (version != maxpub)
            set_err(why, "该任务所在的计划 %s 第%d版已被第%d版替代：请使用现行版本中的任务", number,
                    version, maxpub);
        else
            ok = 1;
    }
    db_finalize(st);
    return ok;
}
