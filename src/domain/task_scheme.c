/* task_scheme.c - the implementation scheme (实施方案) of a task (task.h): its states, the
 * per-grade ratios of the credit-risk differentiation, saving a 草稿, the approval actions, and
 * the scheme as JSON for task_json. Invariants: only a 草稿 scheme changes; the status moves only
 * along the table in task_scheme_next; writes run inside the caller's transaction (task_work.c).
 * Callers: task_work.c, task.c, the pages and the API. */
#include "../core/clock.h"
#include "task.h"
#include "task_impl.h"
#include "draw_source.h"

#include "../core/util.h"
#include "draw.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const task_observer_kinds[4] = {"律师", "人大代表", "政协委员", "媒体"};
const char *const task_grades[4] = {"A", "B", "C", "D"};
const char *const task_grade_labels[4] = {"A级（低风险）", "B级（一般风险）", "C级（较高风险）",
                                          "D级（高风险）"};

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

/* ---- scheme ---- */

char *task_scheme_status(Db *db, int64_t task_id) {
    char *s = NULL;
    if (db_query_text(db, &s, "SELECT status FROM task_scheme WHERE task_id = ?", "i", task_id) !=
        DB_OK)
        return NULL; /* as absent */
    return s;
}

char *task_trim_dup(const char *s) {
    char *c = xstrdup(s ? s : "");
    str_trim(c);
    return c;
}

/* One workload field: digits within [lo, hi], "" → def; NULL → -1 (not given). Errors under key. */
static int64_t workload_field(const char *text, int64_t lo, int64_t hi, int64_t def,
                              const char *key, const char *msg, json_t *errors) {
    if (!text) return -1;
    char *t = task_trim_dup(text);
    size_t d = strspn(t, "0123456789");
    int64_t v = !*t ? def : (!t[d] && d <= 6) ? strtoll(t, NULL, 10) : -2;
    free(t);
    if (v < lo || v > hi) {
        task_field_err(errors, key, msg);
        return -1;
    }
    return v;
}

/* The workload rules of the input into out[3] (workload_cap, yearly_cap, checked_within_months); 1
 * when the input holds them (a form or an API body that sets them), 0 when it leaves them as saved.
 */
static int workload_fields(const TaskSchemeInput *in, json_t *errors, int64_t out[3]) {
    if (!in->workload_cap && !in->yearly_cap && !in->checked_within_months) return 0;
    out[0] = workload_field(in->workload_cap ? in->workload_cap : "", 0, 1000, 0, "workload_cap",
                            "每名执法人员的检查组上限须为 0 至 1000 的整数（0 或留空为不设上限）",
                            errors);
    out[1] =
        workload_field(in->yearly_cap ? in->yearly_cap : "", 1, 12, 1, "yearly_cap",
                       "同一检查对象每年被抽中次数上限须为 1 至 12 的整数（留空为 1 次）", errors);
    out[2] =
        workload_field(in->checked_within_months ? in->checked_within_months : "", 0, 60, 0,
                       "checked_within_months",
                       "排除近期已检查对象的月数须为 0 至 60 的整数（0 或留空为不排除）", errors);
    return 1;
}

int task_scheme_save(Db *db, int64_t task_id, const TaskSchemeInput *in, const char *actor,
                     json_t *errors, char **err) {
    char *status = task_scheme_status(db, task_id);
    if (!status) return set_err(err, "任务不存在"), TASK_NOT_FOUND;
    if (strcmp(status, "草稿")) {
        set_err(err, "实施方案状态为「%s」，只有草稿可以修改", status);
        free(status);
        return TASK_CONFLICT;
    }
    free(status);
    const char *src[] = {in->purpose,        in->period,    in->method,  in->confidentiality,
                         in->use_of_results, in->materials, in->contact, in->randomness_source};
    char *v[ARRAY_LEN(src)];
    for (size_t i = 0; i < ARRAY_LEN(src); i++) {
        v[i] = task_trim_dup(src[i]);
        if (utf8_len(v[i]) > 2000) task_field_err(errors, "purpose", "每项内容不超过 2000 个字");
    }
    char *gs = task_trim_dup(in->group_size), *end = NULL;
    long g = strtol(gs, &end, 10);
    if (!*gs || *end || g < 2 || g > 20)
        task_field_err(errors, "group_size",
                       "每组执法人员须为 2 至 20 人（每组不少于 2 名执法人员）");
    if (strpbrk(v[7], "|\t\r\n"))
        task_field_err(errors, "randomness_source", "随机数来源说明不能含有 | 或换行");
    char *sources_s = NULL, *why = NULL;
    if (in->randomness_sources) {
        if (json_array_size(in->randomness_sources) &&
            draw_sources_check(in->randomness_sources, &why))
            task_field_err(errors, "randomness_sources", why);
        else if (!json_is_array(in->randomness_sources))
            task_field_err(errors, "randomness_sources", "公开随机数来源应为数组");
        else
            sources_s = json_dumps(in->randomness_sources, JSON_COMPACT | JSON_SORT_KEYS);
        free(why);
    }
    json_t *obs = json_object();
    for (size_t k = 0; k < 4; k++)
        json_object_set_new(obs, task_observer_kinds[k], task_split_list(in->observers[k]));
    char *obs_s = json_dumps(obs, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(obs);
    /* credit-risk differentiation: per-grade ratio and minimum, both optional */
    json_t *ratios = json_object(), *mins = json_object();
    for (size_t k = 0; k < 4; k++) {
        char *gr = task_trim_dup(in->grade_ratio[k]), *gm = task_trim_dup(in->grade_min[k]),
             field[24], *m;
        if (*gr && !task_grade_ratio_valid(gr)) {
            snprintf(field, sizeof field, "grade_ratio_%s", task_grades[k]);
            m = xasprintf(
                "%s的抽查比例应为 0%% 至 100%% 的百分数，如 1%%、3%%、0.5%%（留空则按任务比例）",
                task_grade_labels[k]);
            task_field_err(errors, field, m);
            free(m);
        } else if (*gr)
            json_object_set_new(ratios, task_grades[k], json_string(gr));
        size_t digits = strspn(gm, "0123456789");
        if (*gm && (gm[digits] || digits > 6)) {
            snprintf(field, sizeof field, "grade_min_%s", task_grades[k]);
            m = xasprintf("%s的最低抽取数须为 0 至 999999 的整数（留空则不设）",
                          task_grade_labels[k]);
            task_field_err(errors, field, m);
            free(m);
        } else if (*gm)
            json_object_set_new(mins, task_grades[k], json_integer(strtol(gm, NULL, 10)));
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
    int64_t wl[3];
    int wl_given = workload_fields(in, errors, wl);
    int rc = in->scope ? task_scope_set(db, task_id, in->scope, errors, err) : TASK_OK;
    if (rc == TASK_INVALID) rc = TASK_OK; /* a field error, reported with the others below */
    if (in->version <= 0)
        task_field_err(errors, "version", "缺少实施方案的版本号，请刷新页面后重新填写");
    if (rc != TASK_OK) {
        /* the scope could not be read or written: *err says why */
    } else if (json_object_size(errors))
        rc = TASK_INVALID;
    else if (db_exec(db,
                     "UPDATE task_scheme SET purpose = ?, period = ?, method = ?, confidentiality "
                     "= ?, use_of_results = ?, "
                     "materials = ?, contact = ?, randomness_source = ?, group_size = ?, observers "
                     "= ?, grade_rules = ?, "
                     "randomness_sources = coalesce(?, randomness_sources), updated_at = ?, "
                     "updated_by = ?, version = version + 1 "
                     "WHERE task_id = ? AND version = ?",
                     "ttttttttitttttii", v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], (int64_t)g,
                     obs_s, rules_s, sources_s, clock_stamp().s, actor, task_id, in->version))
        rc = task_dberr(db, err);
    else if (db_changes(db) == 0) { /* someone saved or moved it on since this edit was read */
        int64_t cur = 0;
        if (db_query_int(db, &cur, "SELECT version FROM task_scheme WHERE task_id = ?", "i",
                         task_id) != DB_OK)
            cur = 0; /* only shown in the message: the edit is refused as stale either way */
        set_err(err,
                "实施方案已被他人修改：您编辑的是第 %lld 版，当前为第 %lld "
                "版。请刷新页面，核对后重新保存",
                (long long)in->version, (long long)cur);
        rc = TASK_STALE;
    } else if (wl_given && db_exec(db,
                                   "UPDATE task_scheme SET workload_cap = ?, yearly_cap = ?, "
                                   "checked_within_months = ? "
                                   "WHERE task_id = ?",
                                   "iiii", wl[0], wl[1], wl[2], task_id) != DB_OK)
        rc = task_dberr(db, err);
    free(sources_s);
    for (size_t i = 0; i < ARRAY_LEN(src); i++)
        free(v[i]);
    free(gs);
    free(obs_s);
    free(rules_s);
    return rc;
}

int task_scheme_transition(Db *db, int64_t task_id, const char *action, const char *actor,
                           const char *opinion, char **err) {
    char *status = task_scheme_status(db, task_id);
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
        int unread =
            db_query_int(
                db, &missing,
                "SELECT CASE WHEN purpose = '' THEN 1 ELSE 0 END + CASE WHEN period = '' THEN 1 "
                "ELSE 0 END + "
                "CASE WHEN method = '' THEN 1 ELSE 0 END FROM task_scheme WHERE task_id = ?",
                "i", task_id) != DB_OK ||
            db_query_text(db, &sources,
                          "SELECT randomness_sources FROM task_scheme WHERE task_id = ?", "i",
                          task_id) != DB_OK;
        json_t *src = sources ? json_loads(sources, 0, NULL) : NULL;
        if (unread) {
            rc = task_dberr(db, err);
        } else if (missing || !json_array_size(src) || draw_sources_check(src, NULL)) {
            set_err(err, "请先填写检查目的、检查时间、检查方式，并声明本局以外的公开随机数来源（彩"
                         "票开奖号码或 drand），再提交审批");
            rc = TASK_CONFLICT;
        } else if ((missing = task_scope_missing(db, task_id, err)) != 0) {
            rc = missing < 0 ? TASK_ERR : TASK_CONFLICT;
        }
        json_decref(src);
        free(sources);
    }
    if (rc == TASK_OK) {
        /* every statement takes (status, now, actor, opinion, task_id) */
        const char *sql =
            str_eq(action, "submit")
                ? "UPDATE task_scheme SET status = ?, submitted_at = ?, submitted_by = ?, opinion "
                  "= coalesce(?, opinion), version = version + 1 WHERE task_id = ?"
            : str_eq(action, "approve")
                ? "UPDATE task_scheme SET status = ?, approved_at = ?, approved_by = ?, opinion = "
                  "?, version = version + 1 WHERE task_id = ?"
            : str_eq(action, "return")
                ? "UPDATE task_scheme SET status = ?, updated_at = ?, updated_by = ?, opinion = ?, "
                  "version = version + 1 WHERE task_id = ?"
                : "UPDATE task_scheme SET status = ?, published_at = ?, published_by = ?, opinion "
                  "= coalesce(?, opinion), version = version + 1 WHERE task_id = ?";
        if (db_exec(db, sql, "tttti", next, clock_stamp().s, actor,
                    str_empty(opinion) ? NULL : opinion, task_id))
            rc = task_dberr(db, err);
    }
    free(status);
    return rc;
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

json_t *task_scheme_json(Db *db, int64_t task_id) {
    Stmt *st = db_prepare(
        db,
        "SELECT status, purpose, period, group_size, method, confidentiality, use_of_results, "
        "materials, "
        "contact, observers, randomness_source, opinion, submitted_at, approved_at, approved_by, "
        "published_at, s.grade_rules, t.ratio, s.randomness_sources, s.version, s.workload_cap, "
        "s.yearly_cap, s.checked_within_months FROM task_scheme s "
        "JOIN task t ON t.id = s.task_id "
        "WHERE s.task_id = ?");
    if (!st) return json_object();
    db_bind_int(st, 1, task_id);
    json_t *s = json_object();
    if (db_step(st) == DB_ROW) {
        static const char *const k[] = {"status",
                                        "purpose",
                                        "period",
                                        NULL,
                                        "method",
                                        "confidentiality",
                                        "use_of_results",
                                        "materials",
                                        "contact",
                                        NULL,
                                        "randomness_source",
                                        "opinion",
                                        "submitted_at",
                                        "approved_at",
                                        "approved_by",
                                        "published_at"};
        for (int i = 0; i < (int)ARRAY_LEN(k); i++)
            if (k[i]) task_set_text(s, k[i], db_col_text(st, i));
        json_object_set_new(s, "group_size", json_integer(db_col_int(st, 3)));
        json_object_set_new(s, "version", json_integer(db_col_int(st, 19)));
        json_object_set_new(s, "workload_cap", json_integer(db_col_int(st, 20)));
        json_object_set_new(s, "yearly_cap", json_integer(db_col_int(st, 21)));
        json_object_set_new(s, "checked_within_months", json_integer(db_col_int(st, 22)));
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
            json_array_foreach(names, j, n)
                buf_printf(&b, "%s%s", j ? "、" : "", json_string_value(n));
            json_array_append_new(list, json_pack("{s:s, s:s, s:i}", "kind", task_observer_kinds[i],
                                                  "names", b.data, "field", (int)i));
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
            const char *rv = json_string_value(
                json_object_get(json_object_get(rules, "ratios"), task_grades[g]));
            json_t *mv = json_object_get(json_object_get(rules, "minimum"), task_grades[g]);
            char mtext[24] = "";
            if (json_is_integer(mv))
                snprintf(mtext, sizeof mtext, "%lld", (long long)json_integer_value(mv));
            differentiated |= rv || *mtext;
            json_array_append_new(grades,
                                  json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "grade",
                                            task_grades[g], "label", task_grade_labels[g], "ratio",
                                            rv ? rv : "", "minimum", mtext, "effective",
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
