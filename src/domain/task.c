/* task.c - tasks started from the plan, implementation schemes and their approval, joint
 * departments with the 2-working-day confirmation, and the gate in front of the draw. See
 * task.h for the model and conventions. Callers: task_work.c (the units of work), task_query.c
 * and the task pages (task_json, task_list_json, task_draw_allowed). The draw itself is
 * draw_store.h; this module only decides whether it may happen and with which parameters. */
#include "../core/clock.h"
#include "jsonkit.h"
#include "task.h"
#include "draw_source.h"
#include "deadline.h"

#include "../core/embed.h"
#include "../core/util.h"
#include "draw.h"
#include "plan.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

const char *const task_observer_kinds[4] = {"律师", "人大代表", "政协委员", "媒体"};
const char *const task_grades[4] = {"A", "B", "C", "D"};
const char *const task_grade_labels[4] = {"A级（低风险）", "B级（一般风险）", "C级（较高风险）", "D级（高风险）"};

static int dberr(Db *db, char **err) {
    set_err(err, "数据库错误: %s", db_errmsg(db));
    return TASK_ERR;
}

/* A draw already filed under the code a task is about to take was not made by that task's freeze
 * (a standalone CLI draw planted under a predictable code): the task must not adopt it.
 * sql/020 holds the same rule for any writer. */
static int code_has_draw(Db *db, const char *code, char **err) {
    int64_t n = 0;
    if (db_query_int(db, &n, "SELECT count(*) FROM draw WHERE task_code = ?", "t", code)) return dberr(db, err);
    if (!n) return TASK_OK;
    set_err(err, "已有使用任务编号 %s 的抽取记录（不是由本任务冻结的），任务不能开始；请联系管理员核查审计日志", code);
    return TASK_CONFLICT;
}

static void field_err(json_t *errors, const char *field, const char *msg) {
    if (errors && !json_object_get(errors, field)) json_object_set_new(errors, field, json_string(msg));
}

/* ---- pure rules ---- */

const char *task_scheme_next(const char *status, const char *action) {
    static const char *const t[][3] = {{"草稿", "submit", "待审批"},
                                       {"待审批", "approve", "已批准"},
                                       {"待审批", "return", "草稿"},
                                       {"已批准", "publish", "已公开"}};
    for (size_t i = 0; i < ARRAY_LEN(t); i++)
        if (str_eq(t[i][0], status) && str_eq(t[i][1], action)) return t[i][2];
    return NULL;
}

int task_grade_ratio_valid(const char *text) {
    size_t n = text ? strlen(text) : 0;
    if (n < 2 || !isdigit((unsigned char)text[0]) || text[n - 1] != '%') return 0;
    for (size_t i = 0; i + 1 < n; i++)
        if (!isdigit((unsigned char)text[i]) && text[i] != '.') return 0;
    DrawRatio r; /* exact, at most 100%, and the draw engine's digit limits */
    return draw_ratio_parse(text, &r) == 0;
}

int task_joint_deadline(const Calendar *cal, const char *named_on, char out[11]) {
    if (!cal) return CAL_UNKNOWN;
    return calendar_add_workdays(cal, named_on, TASK_JOINT_DAYS, out);
}

/* The confirmation deadline of a joint dept named on named_on, counted on the current calendar so
 * that a provisional date (预计) becomes exact once the notice is loaded; the date stored when the
 * dept was named when the calendar cannot count it. Returns 1 provisional, 0 exact, -1 unknown
 * (out ""). */
static int joint_due(const Calendar *cal, const char *named_on, const char *stored, char out[11]) {
    int rc = cal && date_valid(named_on) ? task_joint_deadline(cal, named_on, out) : CAL_UNKNOWN;
    if (rc >= 0) return rc == CAL_PROVISIONAL;
    snprintf(out, 11, "%s", date_valid(stored) ? stored : "");
    return *out ? 0 : -1;
}

const char *task_joint_state(const char *status, const char *deadline, const char *confirmed_on,
                             const char *today) {
    if (str_eq(status, "已确认"))
        return deadline && confirmed_on && strcmp(confirmed_on, deadline) > 0 ? "逾期确认" : "已确认";
    if (!deadline) return "待确认（期限未知）";
    return today && strcmp(today, deadline) > 0 ? "已逾期" : "待确认";
}

char *task_holidays_text(Db *db, size_t *len, int *in_db) {
    *in_db = 0;
    Stmt *st = db ? db_prepare(db, "SELECT code, label, coalesce(json_extract(attrs, '$.name'), '') FROM refdata "
                                   "WHERE set_name = 'holidays' ORDER BY position")
                  : NULL;
    if (st) {
        Buf b;
        buf_init(&b);
        buf_puts(&b, "date\tkind\tname\n");
        size_t n = 0;
        while (db_step(st) == DB_ROW) {
            buf_printf(&b, "%s\t%s\t%s\n", db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2));
            n++;
        }
        db_finalize(st);
        if (n) {
            *in_db = 1;
            *len = b.len;
            return buf_steal(&b);
        }
        buf_free(&b);
    }
    const EmbeddedFile *f = embed_find("data/holidays.tsv");
    if (!f) return NULL;
    *len = f->len;
    char *text = xmalloc(f->len + 1);
    memcpy(text, f->data, f->len);
    text[f->len] = 0;
    return text;
}

Calendar *task_calendar_load(Db *db, char **err) {
    size_t len = 0;
    int in_db = 0;
    char *text = task_holidays_text(db, &len, &in_db);
    if (!text) {
        set_err(err, "缺少节假日数据 data/holidays.tsv");
        return NULL;
    }
    Calendar *cal = calendar_parse(text, len, err);
    free(text);
    /* the years after the notices, provisionally (the lunar dates are astronomy: built in) */
    const EmbeddedFile *lunar = embed_find("data/lunar.tsv");
    if (cal && lunar && calendar_extend_statutory(cal, (const char *)lunar->data, lunar->len, err) != CAL_OK) {
        calendar_free(cal);
        return NULL;
    }
    return cal;
}

/* ---- helpers ---- */

/* A list typed in one cell (listcell.h: the same rule as the plan row's). */
static json_t *split_list(const char *text) { return jk_list(text, LIST_NAMES, 0); }

/* The dept named `name` (name or code), preferring the org's own, then any enabled one. */
static int64_t dept_by_name(Db *db, int64_t org_id, const char *name) {
    int64_t id = 0;
    db_query_int(db, &id,
                 "SELECT id FROM dept WHERE (name = ?1 OR code = ?1) AND status = '启用' "
                 "ORDER BY (org_id = ?2) DESC, id LIMIT 1",
                 "ti", name, org_id);
    return id;
}

static int add_joints(Db *db, int64_t task_id, int64_t org_id, int64_t lead_id, const char *list,
                      const Calendar *cal, const char *today, char **err) {
    json_t *names = split_list(list);
    size_t i;
    json_t *n;
    int rc = TASK_OK;
    json_array_foreach(names, i, n) {
        int64_t d = dept_by_name(db, org_id, json_string_value(n));
        if (!d) {
            set_err(err, "联合科室「%s」不在科室与部门名录中，请先在名录中登记", json_string_value(n));
            rc = TASK_CONFLICT;
            break;
        }
        if (d == lead_id) continue;
        char deadline[11];
        int have = task_joint_deadline(cal, today, deadline) >= 0; /* stored as counted today */
        if (db_exec(db, "INSERT OR IGNORE INTO task_joint(task_id, dept_id, named_on, deadline) VALUES (?,?,?,?)",
                    "iitt", task_id, d, today, have ? deadline : NULL)) {
            rc = dberr(db, err);
            break;
        }
    }
    json_decref(names);
    return rc;
}

/* ---- tasks ---- */

int task_start_from_plan(Db *db, int64_t plan_task_id, const Calendar *cal, const char *today,
                         const char *actor, int64_t *task_id, char **err) {
    char *why = NULL;
    int ok = plan_task_startable(db, plan_task_id, &why);
    if (ok <= 0) {
        set_err(err, "%s", why ? why : "该抽查任务不能开展");
        free(why);
        return ok < 0 ? TASK_ERR : TASK_CONFLICT;
    }
    free(why);
    int64_t exists = 0;
    if (db_query_int(db, &exists, "SELECT id FROM task WHERE plan_task_id = ?", "i", plan_task_id)) return dberr(db, err);
    if (exists) {
        set_err(err, "该抽查任务已经开始实施");
        return TASK_CONFLICT;
    }
    Stmt *st = db_prepare(db, "SELECT p.org_id, p.number, t.task_no, t.name, t.kind, t.ratio, t.item_codes, t.scope_json, "
                              "t.scope_text, t.lead_dept, t.joint_depts, t.month_from, t.month_to "
                              "FROM plan_task t JOIN plan_version pv ON pv.id = t.version_id JOIN plan p ON p.id = pv.plan_id "
                              "WHERE t.id = ?");
    if (!st) return dberr(db, err);
    db_bind_int(st, 1, plan_task_id);
    if (db_step(st) != DB_ROW) {
        db_finalize(st);
        set_err(err, "抽查任务不存在");
        return TASK_NOT_FOUND;
    }
    int64_t org = db_col_int(st, 0);
    char *code = xasprintf("%s-%s", db_col_text(st, 1), db_col_text(st, 2));
    /* the task code goes into the draw seed: keep it to safe characters */
    for (char *c = code; *c; c++)
        if (*c == '|' || (unsigned char)*c < 0x20) *c = '-';
    int64_t lead = dept_by_name(db, org, db_col_text(st, 9));
    char *joints = xstrdup(db_col_text(st, 10));
    int rc = code_has_draw(db, code, err);
    if (rc == TASK_OK &&
        db_exec(db,
                "INSERT INTO task(org_id, code, plan_task_id, name, kind, ratio, item_codes, scope_json, scope_text, "
                "lead_dept_id, month_from, month_to, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,nullif(?,0),?,?,?,?)",
                "itittttttitt" "tt", org, code, plan_task_id, db_col_text(st, 3), db_col_text(st, 4), db_col_text(st, 5),
                db_col_text(st, 6), db_col_text(st, 7), db_col_text(st, 8), lead, db_col_text(st, 11), db_col_text(st, 12),
                actor, clock_stamp().s))
        rc = dberr(db, err);
    db_finalize(st);
    int64_t id = rc == TASK_OK ? db_last_id(db) : 0;
    if (rc == TASK_OK && !lead) {
        set_err(err, "发起科室不在科室与部门名录中，请先在名录中登记");
        rc = TASK_CONFLICT;
    }
    if (rc == TASK_OK &&
        db_exec(db, "INSERT INTO task_scheme(task_id, group_size, updated_by, updated_at) VALUES (?, 2, ?, ?)", "itt", id, actor,
                clock_stamp().s))
        rc = dberr(db, err);
    if (rc == TASK_OK) rc = add_joints(db, id, org, lead, joints, cal, today, err);
    free(joints);
    free(code);
    if (rc == TASK_OK) *task_id = id;
    return rc;
}

int task_start_adhoc(Db *db, int64_t adhoc_id, const char *ratio, const char *scope_json,
                     const char *lead_dept, const char *actor, int64_t *task_id, json_t *errors,
                     char **err) {
    char *why = NULL;
    int ok = plan_adhoc_startable(db, adhoc_id, &why);
    if (ok <= 0) {
        set_err(err, "%s", why ? why : "该临时任务不能开展");
        free(why);
        return ok < 0 ? TASK_ERR : TASK_CONFLICT;
    }
    free(why);
    if (!plan_ratio_valid(ratio)) field_err(errors, "ratio", "抽查比例应为百分数，如 10% 或 0.5%");
    json_t *scope = str_empty(scope_json) ? json_object() : json_loads(scope_json, 0, NULL);
    char *serr = NULL;
    if (!json_is_object(scope) || plan_scope_check(scope, &serr)) field_err(errors, "scope", serr ? serr : "抽查对象范围无效");
    free(serr);
    int64_t exists = 0;
    if (db_query_int(db, &exists, "SELECT id FROM task WHERE adhoc_id = ?", "i", adhoc_id)) {
        json_decref(scope);
        return dberr(db, err);
    }
    int64_t org = 0;
    db_query_int(db, &org, "SELECT org_id FROM plan_adhoc WHERE id = ?", "i", adhoc_id);
    int64_t lead = str_empty(lead_dept) ? 0 : dept_by_name(db, org, lead_dept);
    if (!lead) field_err(errors, "lead_dept", "请选择名录中的发起科室");
    if (json_object_size(errors)) {
        json_decref(scope);
        return TASK_INVALID;
    }
    if (exists) {
        json_decref(scope);
        set_err(err, "该临时任务已经开始实施");
        return TASK_CONFLICT;
    }
    char *adhoc_code = NULL;
    if (db_query_text(db, &adhoc_code, "SELECT code FROM plan_adhoc WHERE id = ?", "i", adhoc_id)) {
        json_decref(scope);
        return dberr(db, err);
    }
    int planted = code_has_draw(db, adhoc_code ? adhoc_code : "", err);
    free(adhoc_code);
    if (planted != TASK_OK) {
        json_decref(scope);
        return planted;
    }
    char *sj = json_dumps(scope, JSON_COMPACT | JSON_SORT_KEYS), *words = plan_scope_describe(scope, NULL, NULL);
    json_decref(scope);
    int rc = db_exec(db,
                     "INSERT INTO task(org_id, code, adhoc_id, name, kind, ratio, item_codes, scope_json, scope_text, "
                     "lead_dept_id, month_from, month_to, created_by, created_at) SELECT org_id, code, id, name, '临时', ?, item_codes, ?, "
                     "CASE WHEN scope_text <> '' THEN scope_text ELSE ? END, ?, month_from, month_to, ?, ? FROM plan_adhoc WHERE id = ?",
                     "tttitti", ratio, sj, words, lead, actor, clock_stamp().s, adhoc_id)
                 ? dberr(db, err)
                 : TASK_OK;
    free(sj);
    free(words);
    int64_t id = rc == TASK_OK ? db_last_id(db) : 0;
    if (rc == TASK_OK && db_exec(db, "INSERT INTO task_scheme(task_id, updated_by, updated_at) VALUES (?, ?, ?)", "itt", id, actor,
                                 clock_stamp().s))
        rc = dberr(db, err);
    if (rc == TASK_OK) *task_id = id;
    return rc;
}

char *task_audit_snapshot(Db *db, int64_t id) {
    json_t *o = NULL;
    Stmt *st = db_prepare(db, "SELECT t.code, t.org_id, s.status, s.opinion FROM task t JOIN task_scheme s ON s.task_id = t.id "
                              "WHERE t.id = ?");
    if (st) {
        db_bind_int(st, 1, id);
        if (db_step(st) == DB_ROW) {
            char org[24];
            snprintf(org, sizeof org, "%lld", (long long)db_col_int(st, 1));
            o = json_pack("{s:I, s:s, s:s, s:s, s:s?}", "id", (json_int_t)id, "code", db_col_text(st, 0), "org_id", org,
                          "scheme_status", db_col_text(st, 2), "opinion", db_col_text(st, 3));
        }
        db_finalize(st);
    }
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    return s;
}

/* ---- scheme ---- */

static char *scheme_status(Db *db, int64_t task_id) {
    char *s = NULL;
    db_query_text(db, &s, "SELECT status FROM task_scheme WHERE task_id = ?", "i", task_id);
    return s;
}

static char *trim_dup(const char *s) {
    char *c = xstrdup(s ? s : "");
    str_trim(c);
    return c;
}

int task_scheme_save(Db *db, int64_t task_id, const TaskSchemeInput *in, const char *actor,
                     json_t *errors, char **err) {
    char *status = scheme_status(db, task_id);
    if (!status) return set_err(err, "任务不存在"), TASK_NOT_FOUND;
    if (strcmp(status, "草稿")) {
        set_err(err, "实施方案状态为「%s」，只有草稿可以修改", status);
        free(status);
        return TASK_CONFLICT;
    }
    free(status);
    const char *src[] = {in->purpose, in->period, in->method, in->confidentiality, in->use_of_results,
                         in->materials, in->contact, in->randomness_source};
    char *v[ARRAY_LEN(src)];
    for (size_t i = 0; i < ARRAY_LEN(src); i++) {
        v[i] = trim_dup(src[i]);
        if (utf8_len(v[i]) > 2000) field_err(errors, "purpose", "每项内容不超过 2000 个字");
    }
    char *gs = trim_dup(in->group_size), *end = NULL;
    long g = strtol(gs, &end, 10);
    if (!*gs || *end || g < 2 || g > 20) field_err(errors, "group_size", "每组执法人员须为 2 至 20 人（每组不少于 2 名执法人员）");
    if (strpbrk(v[7], "|\t\r\n")) field_err(errors, "randomness_source", "随机数来源说明不能含有 | 或换行");
    char *sources_s = NULL, *why = NULL;
    if (in->randomness_sources) {
        if (json_array_size(in->randomness_sources) && draw_sources_check(in->randomness_sources, &why))
            field_err(errors, "randomness_sources", why);
        else if (!json_is_array(in->randomness_sources))
            field_err(errors, "randomness_sources", "公开随机数来源应为数组");
        else
            sources_s = json_dumps(in->randomness_sources, JSON_COMPACT | JSON_SORT_KEYS);
        free(why);
    }
    json_t *obs = json_object();
    for (size_t k = 0; k < 4; k++) json_object_set_new(obs, task_observer_kinds[k], split_list(in->observers[k]));
    char *obs_s = json_dumps(obs, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(obs);
    /* credit-risk differentiation: per-grade ratio and minimum, both optional */
    json_t *ratios = json_object(), *mins = json_object();
    for (size_t k = 0; k < 4; k++) {
        char *gr = trim_dup(in->grade_ratio[k]), *gm = trim_dup(in->grade_min[k]), field[24], *m;
        if (*gr && !task_grade_ratio_valid(gr)) {
            snprintf(field, sizeof field, "grade_ratio_%s", task_grades[k]);
            m = xasprintf("%s的抽查比例应为 0%% 至 100%% 的百分数，如 1%%、3%%、0.5%%（留空则按任务比例）", task_grade_labels[k]);
            field_err(errors, field, m);
            free(m);
        } else if (*gr) json_object_set_new(ratios, task_grades[k], json_string(gr));
        size_t digits = strspn(gm, "0123456789");
        if (*gm && (gm[digits] || digits > 6)) {
            snprintf(field, sizeof field, "grade_min_%s", task_grades[k]);
            m = xasprintf("%s的最低抽取数须为 0 至 999999 的整数（留空则不设）", task_grade_labels[k]);
            field_err(errors, field, m);
            free(m);
        } else if (*gm) json_object_set_new(mins, task_grades[k], json_integer(strtol(gm, NULL, 10)));
        free(gr);
        free(gm);
    }
    json_t *rules = json_object();
    if (json_object_size(ratios)) json_object_set(rules, "ratios", ratios);
    if (json_object_size(mins)) json_object_set(rules, "minimum", mins);
    json_decref(ratios);
    json_decref(mins);
    char *rules_s = json_dumps(rules, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(rules);
    int rc = TASK_OK;
    if (json_object_size(errors)) rc = TASK_INVALID;
    else if (db_exec(db,
                     "UPDATE task_scheme SET purpose = ?, period = ?, method = ?, confidentiality = ?, use_of_results = ?, "
                     "materials = ?, contact = ?, randomness_source = ?, group_size = ?, observers = ?, grade_rules = ?, "
                     "randomness_sources = coalesce(?, randomness_sources), updated_at = ?, updated_by = ? WHERE task_id = ?",
                     "ttttttttittttti", v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], (int64_t)g, obs_s, rules_s,
                     sources_s, clock_stamp().s, actor, task_id))
        rc = dberr(db, err);
    free(sources_s);
    for (size_t i = 0; i < ARRAY_LEN(src); i++) free(v[i]);
    free(gs);
    free(obs_s);
    free(rules_s);
    return rc;
}

int task_scheme_transition(Db *db, int64_t task_id, const char *action, const char *actor,
                           const char *opinion, char **err) {
    char *status = scheme_status(db, task_id);
    if (!status) return set_err(err, "任务不存在"), TASK_NOT_FOUND;
    const char *next = task_scheme_next(status, action);
    int rc = TASK_OK;
    if (!next) {
        set_err(err, "实施方案当前状态为「%s」，不能执行该操作", status);
        rc = TASK_CONFLICT;
    } else if (str_eq(action, "return") && str_empty(opinion)) {
        set_err(err, "退回须填写意见");
        rc = TASK_CONFLICT;
    } else if (str_eq(action, "submit")) {
        int64_t missing = 0;
        char *sources = NULL;
        db_query_int(db, &missing, "SELECT (purpose = '') + (period = '') + (method = '') FROM task_scheme WHERE task_id = ?",
                     "i", task_id);
        db_query_text(db, &sources, "SELECT randomness_sources FROM task_scheme WHERE task_id = ?", "i", task_id);
        json_t *src = sources ? json_loads(sources, 0, NULL) : NULL;
        if (missing || !json_array_size(src) || draw_sources_check(src, NULL)) {
            set_err(err, "请先填写检查目的、检查时间、检查方式，并声明本局以外的公开随机数来源（彩票开奖号码或 drand），再提交审批");
            rc = TASK_CONFLICT;
        }
        json_decref(src);
        free(sources);
    }
    if (rc == TASK_OK) {
        /* every statement takes (status, now, actor, opinion, task_id) */
        const char *sql = str_eq(action, "submit")    ? "UPDATE task_scheme SET status = ?, submitted_at = ?, submitted_by = ?, opinion = coalesce(?, opinion) WHERE task_id = ?"
                          : str_eq(action, "approve") ? "UPDATE task_scheme SET status = ?, approved_at = ?, approved_by = ?, opinion = ? WHERE task_id = ?"
                          : str_eq(action, "return")  ? "UPDATE task_scheme SET status = ?, updated_at = ?, updated_by = ?, opinion = ? WHERE task_id = ?"
                                                      : "UPDATE task_scheme SET status = ?, published_at = ?, published_by = ?, opinion = coalesce(?, opinion) WHERE task_id = ?";
        if (db_exec(db, sql, "tttti", next, clock_stamp().s, actor, str_empty(opinion) ? NULL : opinion, task_id)) rc = dberr(db, err);
    }
    free(status);
    return rc;
}

/* ---- joint departments ---- */

static int draw_exists(Db *db, int64_t task_id, int64_t *n) {
    return db_query_int(db, n, "SELECT count(*) FROM draw d JOIN task t ON t.code = d.task_code WHERE t.id = ?", "i", task_id);
}

int task_joint_confirm(Db *db, int64_t task_id, int64_t dept_id, const char *items_text,
                       const char *today, const char *actor, char **err) {
    char *status = NULL;
    if (db_query_text(db, &status, "SELECT status FROM task_joint WHERE task_id = ? AND dept_id = ?", "ii", task_id, dept_id))
        return dberr(db, err);
    if (!status) return set_err(err, "本部门不是该任务的联合部门"), TASK_NOT_FOUND;
    int64_t drawn = 0;
    int rc = TASK_OK;
    if (draw_exists(db, task_id, &drawn)) rc = dberr(db, err);
    else if (strcmp(status, "待确认")) rc = (set_err(err, "本部门已确认参加该任务"), TASK_CONFLICT);
    else if (drawn) rc = (set_err(err, "该任务已冻结抽取名单，不能再确认参加"), TASK_CONFLICT);
    else {
        char *items = trim_dup(items_text);
        if (db_exec(db, "UPDATE task_joint SET status = '已确认', confirmed_on = ?, confirmed_by = ?, items_text = ? "
                        "WHERE task_id = ? AND dept_id = ?",
                    "tttii", today, actor, items, task_id, dept_id))
            rc = dberr(db, err);
        free(items);
    }
    free(status);
    return rc;
}

/* ---- the gate in front of the draw ---- */

int task_draw_allowed(Db *db, int64_t task_id, const char *today, char **why) {
    char *status = scheme_status(db, task_id);
    if (!status) return set_err(why, "任务不存在"), 0;
    if (strcmp(status, "已公开")) {
        set_err(why, "实施方案尚未公开（当前状态：%s）：实施方案须经分管领导批准并向社会公开后，方可冻结名单和抽取", status);
        free(status);
        return 0;
    }
    free(status);
    Stmt *st = db_prepare(db, "SELECT d.name, j.status, j.deadline, j.named_on FROM task_joint j JOIN dept d ON d.id = j.dept_id "
                              "WHERE j.task_id = ? ORDER BY d.code");
    if (!st) return set_err(why, "%s", db_errmsg(db)), -1;
    db_bind_int(st, 1, task_id);
    Calendar *cal = task_calendar_load(db, NULL);
    int ok = 1;
    while (ok && db_step(st) == DB_ROW) {
        char due[11], shown[128];
        int prov = joint_due(cal, db_col_text(st, 3), db_col_text(st, 2), due);
        const char *state = task_joint_state(db_col_text(st, 1), *due ? due : NULL, NULL, today);
        if (!strcmp(state, "待确认") || !strcmp(state, "待确认（期限未知）")) {
            set_err(why, "联合部门「%s」尚未确认（确认期限：%s）：请待其确认或期限届满后再抽取", db_col_text(st, 0),
                    deadline_text(due, prov > 0, shown, sizeof shown));
            ok = 0;
        }
    }
    calendar_free(cal);
    db_finalize(st);
    return ok;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

json_t *task_required_tags(Db *db, int64_t task_id, char **err) {
    Stmt *st = db_prepare(db, "SELECT i.required_tags FROM task t JOIN item i "
                              "ON instr(',' || t.item_codes || ',', ',' || i.code || ',') > 0 "
                              "WHERE t.id = ? AND i.required_tags IS NOT NULL AND i.required_tags <> ''");
    if (!st) return dberr(db, err), NULL;
    db_bind_int(st, 1, task_id);
    char *list[256];
    size_t n = 0;
    while (db_step(st) == DB_ROW) {
        char **tags;
        size_t nt = list_split(db_col_text(st, 0), LIST_CODES, &tags);
        for (size_t k = 0; k < nt; k++) {
            int seen = 0;
            for (size_t i = 0; i < n && !seen; i++) seen = !strcmp(list[i], tags[k]);
            if (!seen && n < ARRAY_LEN(list)) list[n++] = xstrdup(tags[k]);
        }
        list_free(tags, nt);
    }
    db_finalize(st);
    qsort(list, n, sizeof *list, cmp_str);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, json_string(list[i]));
        free(list[i]);
    }
    return a;
}

json_t *task_draw_params(Db *db, int64_t task_id, char **err) {
    Stmt *st = db_prepare(db, "SELECT t.ratio, t.scope_json, s.group_size, d.code, s.grade_rules, o.code FROM task t "
                              "JOIN task_scheme s ON s.task_id = t.id JOIN org o ON o.id = t.org_id "
                              "LEFT JOIN dept d ON d.id = t.lead_dept_id WHERE t.id = ?");
    if (!st) return dberr(db, err), NULL;
    db_bind_int(st, 1, task_id);
    if (db_step(st) != DB_ROW) {
        db_finalize(st);
        set_err(err, "任务不存在");
        return NULL;
    }
    json_t *scope = json_loads(db_col_text(st, 1), 0, NULL);
    json_t *p = json_pack("{s:{s:s}, s:o, s:{s:i}, s:I, s:[]}", "ratios", "*", db_col_text(st, 0), "filters",
                          json_is_object(scope) ? scope : json_object(), "exclusions", "yearly_cap", 1, "group_size",
                          (json_int_t)db_col_int(st, 2), "officer_depts");
    if (!json_is_object(scope)) json_decref(scope);
    /* the population is the task org's jurisdiction only, whatever the scope says (a county's task
     * never reaches another county's targets) */
    json_object_set_new(json_object_get(p, "filters"), "org", json_string(db_col_text(st, 5)));
    /* the population's strata are the credit grades (no params.strata): the scheme's per-grade
     * ratios and minimums apply to the strata of those names (docs/DRAW.md §4) */
    json_t *rules = json_loads(db_col_text(st, 4), 0, NULL), *gr = json_object_get(rules, "ratios"),
           *gm = json_object_get(rules, "minimum");
    for (size_t k = 0; k < 4; k++) {
        json_t *rv = json_object_get(gr, task_grades[k]), *mv = json_object_get(gm, task_grades[k]);
        if (json_is_string(rv)) json_object_set(json_object_get(p, "ratios"), task_grades[k], rv);
        if (json_is_integer(mv)) {
            if (!json_object_get(p, "minimum")) json_object_set_new(p, "minimum", json_object());
            json_object_set(json_object_get(p, "minimum"), task_grades[k], mv);
        }
    }
    json_decref(rules);
    json_t *depts = json_object_get(p, "officer_depts");
    if (db_col_text(st, 3)) json_array_append_new(depts, json_string(db_col_text(st, 3)));
    db_finalize(st);
    st = db_prepare(db, "SELECT d.code FROM task_joint j JOIN dept d ON d.id = j.dept_id WHERE j.task_id = ? AND j.status = '已确认' "
                        "ORDER BY d.code");
    if (!st) {
        json_decref(p);
        return dberr(db, err), NULL;
    }
    db_bind_int(st, 1, task_id);
    /* each confirmed joint dept gives its officers from its own pool (docs/DRAW.md §5) */
    json_t *joint = json_array();
    const char *lead = json_string_value(json_array_get(depts, 0));
    while (db_step(st) == DB_ROW) {
        const char *c = db_col_text(st, 0);
        if (str_eq(c, lead)) continue;
        json_array_append_new(depts, json_string(c));
        json_array_append_new(joint, json_pack("{s:s, s:i}", "dept", c, "per_group", 1));
    }
    db_finalize(st);
    if (json_array_size(joint)) json_object_set_new(p, "joint_depts", joint);
    else json_decref(joint);
    /* the expertise tags the task's items require (精准匹配) are specialties the group must cover,
     * with an expert where its officers cannot (003 五(一)2; docs/DRAW.md §5). Not required_tags:
     * demanding every tag of every officer empties the pool when items need different skills. */
    json_t *tags = task_required_tags(db, task_id, err);
    if (!tags) {
        json_decref(p);
        return NULL;
    }
    if (json_array_size(tags)) json_object_set_new(p, "specialties", tags);
    else json_decref(tags);
    /* the conflicts (回避) declared before the freeze, frozen with it (sql/023, docs/DRAW.md §5) */
    st = db_prepare(db, "SELECT officer_cert, target_code FROM task_conflict WHERE task_id = ? ORDER BY id");
    if (!st) {
        json_decref(p);
        return dberr(db, err), NULL;
    }
    db_bind_int(st, 1, task_id);
    json_t *conflicts = json_array();
    while (db_step(st) == DB_ROW) json_array_append_new(conflicts, json_pack("[s,s]", db_col_text(st, 0), db_col_text(st, 1)));
    db_finalize(st);
    if (json_array_size(conflicts)) json_object_set_new(p, "conflicts", conflicts);
    else json_decref(conflicts);
    return p;
}

int task_ceremony_record(Db *db, int64_t task_id, int draw_no, const char *observers,
                         const char *actor, char **err) {
    char *o = trim_dup(observers);
    int rc = db_exec(db, "INSERT OR REPLACE INTO task_ceremony(task_id, draw_no, observers_present, held_by, held_at) VALUES (?,?,?,?,?)",
                     "iittt", task_id, (int64_t)draw_no, o, actor, clock_stamp().s)
                 ? dberr(db, err)
                 : TASK_OK;
    free(o);
    return rc;
}

/* ---- reading ---- */

static void set_text(json_t *o, const char *key, const char *v) { json_object_set_new(o, key, v ? json_string(v) : json_null()); }

static json_t *officers_of(Db *db, int64_t dept_id) {
    json_t *a = json_array();
    Stmt *st = db_prepare(db, "SELECT name, cert_no, status FROM officer WHERE dept_id = ? ORDER BY cert_no");
    if (!st) return a;
    db_bind_int(st, 1, dept_id);
    while (db_step(st) == DB_ROW)
        json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "name", db_col_text(st, 0), "cert_no", db_col_text(st, 1), "status",
                                           db_col_text(st, 2)));
    db_finalize(st);
    return a;
}

json_t *task_sources_json(const char *text) {
    json_t *a = text ? json_loads(text, 0, NULL) : NULL, *out = json_array(), *s;
    size_t i;
    json_array_foreach(a, i, s) {
        json_t *row = json_deep_copy(s);
        char *label = draw_source_label(s);
        json_object_set_new(row, "label", json_string(label));
        json_object_set_new(row, "index", json_integer((json_int_t)i));
        json_object_set_new(row, "external", json_boolean(draw_source_time(s) != 0));
        free(label);
        json_array_append_new(out, row);
    }
    json_decref(a);
    return out;
}

static json_t *scheme_json(Db *db, int64_t task_id) {
    Stmt *st = db_prepare(db, "SELECT status, purpose, period, group_size, method, confidentiality, use_of_results, materials, "
                              "contact, observers, randomness_source, opinion, submitted_at, approved_at, approved_by, "
                              "published_at, s.grade_rules, t.ratio, s.randomness_sources FROM task_scheme s JOIN task t ON t.id = s.task_id "
                              "WHERE s.task_id = ?");
    if (!st) return json_object();
    db_bind_int(st, 1, task_id);
    json_t *s = json_object();
    if (db_step(st) == DB_ROW) {
        static const char *const k[] = {"status", "purpose", "period", NULL, "method", "confidentiality", "use_of_results",
                                        "materials", "contact", NULL, "randomness_source", "opinion", "submitted_at",
                                        "approved_at", "approved_by", "published_at"};
        for (int i = 0; i < (int)ARRAY_LEN(k); i++)
            if (k[i]) set_text(s, k[i], db_col_text(st, i));
        json_object_set_new(s, "group_size", json_integer(db_col_int(st, 3)));
        json_t *obs = json_loads(db_col_text(st, 9), 0, NULL), *list = json_array();
        if (!json_is_object(obs)) {
            json_decref(obs);
            obs = json_object();
        }
        for (size_t i = 0; i < 4; i++) {
            json_t *names = json_object_get(obs, task_observer_kinds[i]);
            Buf b;
            buf_init(&b);
            buf_puts(&b, "");
            size_t j;
            json_t *n;
            json_array_foreach(names, j, n) buf_printf(&b, "%s%s", j ? "、" : "", json_string_value(n));
            json_array_append_new(list, json_pack("{s:s, s:s, s:i}", "kind", task_observer_kinds[i], "names", b.data, "field", (int)i));
            buf_free(&b);
        }
        json_object_set_new(s, "observers", obs);
        json_object_set_new(s, "observers_list", list);
        json_t *rules = json_loads(db_col_text(st, 16), 0, NULL), *grades = json_array();
        if (!json_is_object(rules)) {
            json_decref(rules);
            rules = json_object();
        }
        int differentiated = 0;
        for (size_t g = 0; g < 4; g++) {
            const char *rv = json_string_value(json_object_get(json_object_get(rules, "ratios"), task_grades[g]));
            json_t *mv = json_object_get(json_object_get(rules, "minimum"), task_grades[g]);
            char mtext[24] = "";
            if (json_is_integer(mv)) snprintf(mtext, sizeof mtext, "%lld", (long long)json_integer_value(mv));
            differentiated |= rv || *mtext;
            json_array_append_new(grades, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "grade", task_grades[g], "label",
                                                    task_grade_labels[g], "ratio", rv ? rv : "", "minimum", mtext, "effective",
                                                    rv ? rv : db_col_text(st, 17), "own", rv != NULL));
        }
        json_object_set_new(s, "grade_rules", rules);
        json_object_set_new(s, "grades", grades);
        json_object_set_new(s, "randomness_sources", task_sources_json(db_col_text(st, 18)));
        json_object_set_new(s, "differentiated", json_boolean(differentiated));
    }
    db_finalize(st);
    return s;
}

json_t *task_json(Db *db, int64_t task_id, const char *today) {
    Stmt *st = db_prepare(db, "SELECT t.id, t.code, t.org_id, o.name, t.name, t.kind, t.ratio, t.item_codes, t.scope_json, "
                              "t.scope_text, d.name, d.code, t.month_from, t.month_to, t.plan_task_id, t.adhoc_id, t.lead_dept_id, "
                              "pt.version_id, t.created_at, t.created_by, o.code "
                              "FROM task t JOIN org o ON o.id = t.org_id LEFT JOIN dept d ON d.id = t.lead_dept_id "
                              "LEFT JOIN plan_task pt ON pt.id = t.plan_task_id WHERE t.id = ?");
    if (!st) return NULL;
    db_bind_int(st, 1, task_id);
    if (db_step(st) != DB_ROW) {
        db_finalize(st);
        return NULL;
    }
    json_t *t = json_object();
    json_object_set_new(t, "id", json_integer(db_col_int(st, 0)));
    set_text(t, "code", db_col_text(st, 1));
    json_object_set_new(t, "org_id", json_integer(db_col_int(st, 2)));
    set_text(t, "org_name", db_col_text(st, 3));
    set_text(t, "org_code", db_col_text(st, 20));
    set_text(t, "name", db_col_text(st, 4));
    set_text(t, "kind", db_col_text(st, 5));
    set_text(t, "ratio", db_col_text(st, 6));
    char *codes = xstrdup(db_col_text(st, 7));
    json_t *scope = json_loads(db_col_text(st, 8), 0, NULL);
    char *words = json_is_object(scope) ? plan_scope_describe(scope, NULL, NULL) : xstrdup("");
    json_decref(scope);
    set_text(t, "scope_words", words);
    free(words);
    set_text(t, "scope_text", db_col_text(st, 9));
    set_text(t, "lead_dept", db_col_text(st, 10));
    set_text(t, "lead_dept_code", db_col_text(st, 11));
    char *months = plan_month_range_text(db_col_text(st, 12), db_col_text(st, 13));
    set_text(t, "months", months);
    free(months);
    int64_t ptask = db_col_int(st, 14), adhoc = db_col_int(st, 15), lead = db_col_int(st, 16), pv = db_col_int(st, 17);
    set_text(t, "created_at", db_col_text(st, 18));
    db_finalize(st);
    if (ptask) {
        char *src = NULL;
        db_query_text(db, &src,
                      "SELECT '年度抽查计划 ' || p.number || ' 第' || pv.version || '版 · 任务 ' || pt.task_no FROM plan_task pt "
                      "JOIN plan_version pv ON pv.id = pt.version_id JOIN plan p ON p.id = pv.plan_id WHERE pt.id = ?",
                      "i", ptask);
        set_text(t, "source", src);
        free(src);
        json_object_set_new(t, "plan_version_id", json_integer(pv));
    } else {
        char *src = NULL;
        db_query_text(db, &src, "SELECT '临时任务 ' || code || '（' || source || '）' FROM plan_adhoc WHERE id = ?", "i", adhoc);
        set_text(t, "source", src);
        free(src);
        json_object_set_new(t, "adhoc", json_true());
    }
    /* items, in code order */
    json_object_set_new(t, "items", plan_items_named(db, codes));
    free(codes);
    json_object_set_new(t, "scheme", scheme_json(db, task_id));
    json_object_set_new(t, "officers", lead ? officers_of(db, lead) : json_array());
    json_t *joints = json_array();
    st = db_prepare(db, "SELECT j.dept_id, d.code, d.name, j.named_on, j.deadline, j.status, j.confirmed_on, j.items_text "
                        "FROM task_joint j JOIN dept d ON d.id = j.dept_id WHERE j.task_id = ? ORDER BY d.code");
    if (st) {
        db_bind_int(st, 1, task_id);
        Calendar *cal = task_calendar_load(db, NULL);
        while (db_step(st) == DB_ROW) {
            json_t *j = json_object();
            json_object_set_new(j, "dept_id", json_integer(db_col_int(st, 0)));
            set_text(j, "dept_code", db_col_text(st, 1));
            set_text(j, "dept_name", db_col_text(st, 2));
            set_text(j, "named_on", db_col_text(st, 3));
            char due[11];
            int prov = joint_due(cal, db_col_text(st, 3), db_col_text(st, 4), due);
            set_text(j, "deadline", *due ? due : "未知（超出节假日数据范围）");
            deadline_json_set(j, "deadline_text", "provisional", due, prov > 0);
            const char *state = task_joint_state(db_col_text(st, 5), *due ? due : NULL, db_col_text(st, 6), today);
            /* shown: 预计逾期 when the passed deadline is provisional (state stays the rule's word) */
            char *shown = prov > 0 && (!strcmp(state, "已逾期") || !strcmp(state, "逾期确认"))
                              ? xasprintf("预计%s", !strcmp(state, "已逾期") ? "逾期" : state)
                              : xstrdup(state);
            set_text(j, "state_label", shown);
            free(shown);
            set_text(j, "state", state);
            json_object_set_new(j, "overdue", json_boolean(!strcmp(state, "已逾期") || !strcmp(state, "逾期确认")));
            json_object_set_new(j, "confirmed", json_boolean(!strcmp(db_col_text(st, 5), "已确认")));
            set_text(j, "confirmed_on", db_col_text(st, 6));
            set_text(j, "items_text", db_col_text(st, 7));
            json_object_set_new(j, "officers", officers_of(db, db_col_int(st, 0)));
            json_array_append_new(joints, j);
        }
        calendar_free(cal);
        db_finalize(st);
    }
    json_object_set_new(t, "joints", joints);
    json_object_set_new(t, "is_joint", json_boolean(json_array_size(joints) > 0));
    return t;
}

json_t *task_list_json(Db *db, int64_t scope_org, int published_only) {
    json_t *a = json_array();
    Stmt *st = db_prepare(db, "SELECT t.id, t.code, t.name, o.name, t.kind, s.status, "
                              "(SELECT d.status FROM draw d WHERE d.task_code = t.code AND d.status <> '已作废'), "
                              "(SELECT count(*) FROM task_joint j WHERE j.task_id = t.id), s.published_at "
                              "FROM task t JOIN org o ON o.id = t.org_id JOIN task_scheme s ON s.task_id = t.id "
                              "WHERE (?1 = 0 OR t.org_id IN (WITH RECURSIVE sc(id) AS (SELECT ?1 UNION SELECT x.id FROM org x "
                              "JOIN sc ON x.parent_id = sc.id) SELECT id FROM sc)) AND (?2 = 0 OR s.status = '已公开') "
                              "ORDER BY t.id DESC");
    if (!st) return a;
    db_bind_int(st, 1, scope_org);
    db_bind_int(st, 2, published_only);
    while (db_step(st) == DB_ROW) {
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)db_col_int(st, 0), "code",
                              db_col_text(st, 1), "name", db_col_text(st, 2), "org_name", db_col_text(st, 3), "kind",
                              db_col_text(st, 4), "scheme_status", db_col_text(st, 5), "draw_status",
                              db_col_text(st, 6) ? db_col_text(st, 6) : "未冻结", "joint", db_col_int(st, 7) > 0);
        set_text(o, "published_at", db_col_text(st, 8));
        json_object_set_new(o, "adhoc", json_boolean(str_eq(db_col_text(st, 4), "临时")));
        json_array_append_new(a, o);
    }
    db_finalize(st);
    return a;
}

int64_t task_id_by_code(Db *db, const char *code) {
    int64_t id = 0;
    db_query_int(db, &id, "SELECT id FROM task WHERE code = ?", "t", code);
    return id;
}
