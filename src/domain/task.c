/* task.c - tasks started from the plan or from an approved ad-hoc task, their audit snapshot,
 * the draw parameters of a task (docs/DRAW.md §6) and the ceremony record, and the task as JSON.
 * The scheme is task_scheme.c, joint departments and the gate in front of the draw task_joint.c,
 * the calendar task_calendar.c; the helpers they share are task_impl.h. See task.h for the model
 * and conventions. Callers: task_work.c (the units of work), task_query.c, task_draw.c and the
 * task pages (task_json, task_list_json). The draw itself is draw_store.h; this module only
 * decides whether it may happen and with which parameters. */
#include "../core/clock.h"
#include "jsonkit.h"
#include "task.h"
#include "task_impl.h"

#include "../core/util.h"
#include "draw_store.h"
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int task_dberr(Db *db, char **err) {
    set_err(err, "数据库错误: %s", db_errmsg(db));
    return TASK_ERR;
}

/* A draw already filed under the code a task is about to take was not made by that task's freeze
 * (a standalone CLI draw planted under a predictable code): the task must not adopt it.
 * sql/020 holds the same rule for any writer. The code's draws are locked by name first: a
 * standalone freeze of that code still in flight (no task row to lock) ends before they are
 * counted, so it cannot commit its draw after the count has found none. */
static int code_has_draw(Db *db, const char *code, char **err) {
    int64_t n = 0;
    if (draw_store_lock_name(db, code) != DB_OK ||
        db_query_int(db, &n, "SELECT count(*) FROM draw WHERE task_code = ?", "t", code))
        return task_dberr(db, err);
    if (!n) return TASK_OK;
    set_err(err,
            "已有使用任务编号 %s "
            "的抽取记录（不是由本任务冻结的），任务不能开始；请联系管理员核查审计日志",
            code);
    return TASK_CONFLICT;
}

void task_field_err(json_t *errors, const char *field, const char *msg) {
    if (errors && !json_object_get(errors, field))
        json_object_set_new(errors, field, json_string(msg));
}

/* ---- helpers ---- */

/* A list typed in one cell (listcell.h: the same rule as the plan row's). */
json_t *task_split_list(const char *text) {
    return jk_list(text, LIST_NAMES, 0);
}

/* The dept named `name` (name or code), preferring the org's own, then any enabled one. */
int64_t task_dept_by_name(Db *db, int64_t org_id, const char *name) {
    int64_t id = 0;
    if (db_query_int(db, &id,
                     "SELECT id FROM dept WHERE (name = ?1 OR code = ?1) AND status = '启用' "
                     "ORDER BY (org_id = ?2) DESC, id LIMIT 1",
                     "ti", name, org_id) != DB_OK)
        return 0; /* as unknown: the name is refused */
    return id;
}

/* ---- tasks ---- */

/* A task started with an empty filter (its scope given only in words) gets its structured scope
 * in the scheme (sql/038). */
static int mark_scope_in_scheme(Db *db, int64_t task_id) {
    return db_exec(db,
                   "UPDATE task SET scope_in_scheme = 1 WHERE id = ? AND scope_json IN ('', '{}')",
                   "i", task_id);
}

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
    if (db_query_int(db, &exists, "SELECT id FROM task WHERE plan_task_id = ?", "i", plan_task_id))
        return task_dberr(db, err);
    if (exists) {
        set_err(err, "该抽查任务已经开始实施");
        return TASK_CONFLICT;
    }
    Stmt *st = db_prepare(db, "SELECT p.org_id, p.number, t.task_no, t.name, t.kind, t.ratio, "
                              "t.item_codes, t.scope_json, "
                              "t.scope_text, t.lead_dept, t.joint_depts, t.month_from, t.month_to "
                              "FROM plan_task t JOIN plan_version pv ON pv.id = t.version_id JOIN "
                              "plan p ON p.id = pv.plan_id "
                              "WHERE t.id = ?");
    if (!st) return task_dberr(db, err);
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
    int64_t lead = task_dept_by_name(db, org, db_col_text(st, 9));
    char *joints = xstrdup(db_col_text(st, 10));
    int rc = code_has_draw(db, code, err);
    if (rc == TASK_OK &&
        db_exec(db,
                "INSERT INTO task(org_id, code, plan_task_id, name, kind, ratio, item_codes, "
                "scope_json, scope_text, "
                "lead_dept_id, month_from, month_to, created_by, created_at) VALUES "
                "(?,?,?,?,?,?,?,?,?,nullif(?,0),?,?,?,?)",
                "itittttttitt"
                "tt",
                org, code, plan_task_id, db_col_text(st, 3), db_col_text(st, 4), db_col_text(st, 5),
                db_col_text(st, 6), db_col_text(st, 7), db_col_text(st, 8), lead,
                db_col_text(st, 11), db_col_text(st, 12), actor, clock_stamp().s))
        rc = task_dberr(db, err);
    db_finalize(st);
    int64_t id = rc == TASK_OK ? db_last_id(db) : 0;
    if (rc == TASK_OK && mark_scope_in_scheme(db, id) != DB_OK) rc = task_dberr(db, err);
    if (rc == TASK_OK && !lead) {
        set_err(err, "发起科室不在科室与部门名录中，请先在名录中登记");
        rc = TASK_CONFLICT;
    }
    if (rc == TASK_OK && db_exec(db,
                                 "INSERT INTO task_scheme(task_id, group_size, updated_by, "
                                 "updated_at) VALUES (?, 2, ?, ?)",
                                 "itt", id, actor, clock_stamp().s))
        rc = task_dberr(db, err);
    if (rc == TASK_OK) rc = task_add_joints(db, id, org, lead, joints, cal, today, err);
    free(joints);
    free(code);
    if (rc == TASK_OK) *task_id = id;
    return rc;
}

int task_scope_missing(Db *db, int64_t task_id, char **why) {
    char *scope = NULL, *text = NULL;
    int64_t own = 0;
    Stmt *st =
        db_prepare(db, "SELECT scope_in_scheme, scope_json, scope_text FROM task WHERE id = ?");
    int got = st && db_bind_va(st, "i", task_id) == DB_OK ? db_step(st) : DB_ERR;
    if (got == DB_ROW) {
        own = db_col_int(st, 0);
        scope = xstrdup(db_col_text(st, 1) ? db_col_text(st, 1) : "{}");
        text = xstrdup(db_col_text(st, 2) ? db_col_text(st, 2) : "");
    }
    db_finalize(st);
    if (got == DB_ERR) return set_err(why, "%s", db_errmsg(db)), -1;
    json_t *s = own ? json_loads(scope ? scope : "{}", 0, NULL) : NULL;
    int missing = own && !json_array_size(json_object_get(s, "kinds"));
    if (missing)
        set_err(why,
                "抽查对象范围只有文字说明（%s），尚未设置筛选条件：请在实施方案中选择抽查对象类型"
                "（参保人须明确选择）等条件并保存",
                str_empty(text) ? "未填写" : text);
    json_decref(s);
    free(scope);
    free(text);
    return missing;
}

int task_scope_set(Db *db, int64_t task_id, json_t *scope, json_t *errors, char **err) {
    int64_t own = 0;
    if (db_query_int(db, &own, "SELECT scope_in_scheme FROM task WHERE id = ?", "i", task_id) !=
        DB_OK)
        return task_dberr(db, err);
    char *serr = NULL;
    if (!own)
        task_field_err(errors, "scope", "抽查对象范围由年度计划规定，不能在实施方案中修改");
    else if (!json_is_object(scope) || plan_scope_check(scope, &serr))
        task_field_err(errors, "scope", serr ? serr : "抽查对象范围应为筛选条件对象");
    else if (!json_array_size(json_object_get(scope, "kinds")))
        task_field_err(errors, "scope", "请至少选择一种抽查对象类型（参保人须明确选择）");
    free(serr);
    if (json_object_size(errors)) return TASK_INVALID;
    char *sj = json_dumps(scope, JSON_COMPACT | JSON_SORT_KEYS);
    int rc = db_exec(db, "UPDATE task SET scope_json = ? WHERE id = ?", "ti", sj, task_id)
                 ? task_dberr(db, err)
                 : TASK_OK;
    free(sj);
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
    if (!plan_ratio_valid(ratio))
        task_field_err(errors, "ratio", "抽查比例应为百分数，如 10% 或 0.5%");
    json_t *scope = str_empty(scope_json) ? json_object() : json_loads(scope_json, 0, NULL);
    char *serr = NULL;
    if (!json_is_object(scope) || plan_scope_check(scope, &serr))
        task_field_err(errors, "scope", serr ? serr : "抽查对象范围无效");
    free(serr);
    int64_t exists = 0;
    if (db_query_int(db, &exists, "SELECT id FROM task WHERE adhoc_id = ?", "i", adhoc_id)) {
        json_decref(scope);
        return task_dberr(db, err);
    }
    int64_t org = 0;
    if (db_query_int(db, &org, "SELECT org_id FROM plan_adhoc WHERE id = ?", "i", adhoc_id) !=
        DB_OK) {
        json_decref(scope);
        return task_dberr(db, err);
    }
    int64_t lead = str_empty(lead_dept) ? 0 : task_dept_by_name(db, org, lead_dept);
    if (!lead) task_field_err(errors, "lead_dept", "请选择名录中的发起科室");
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
        return task_dberr(db, err);
    }
    int planted = code_has_draw(db, adhoc_code ? adhoc_code : "", err);
    free(adhoc_code);
    if (planted != TASK_OK) {
        json_decref(scope);
        return planted;
    }
    char *sj = json_dumps(scope, JSON_COMPACT | JSON_SORT_KEYS),
         *words = plan_scope_describe(scope, NULL, NULL);
    json_decref(scope);
    int rc = db_exec(db,
                     "INSERT INTO task(org_id, code, adhoc_id, name, kind, ratio, item_codes, "
                     "scope_json, scope_text, "
                     "lead_dept_id, month_from, month_to, created_by, created_at) SELECT org_id, "
                     "code, id, name, '临时', ?, item_codes, ?, "
                     "CASE WHEN scope_text <> '' THEN scope_text ELSE ? END, ?, month_from, "
                     "month_to, ?, ? FROM plan_adhoc WHERE id = ?",
                     "tttitti", ratio, sj, words, lead, actor, clock_stamp().s, adhoc_id)
                 ? task_dberr(db, err)
                 : TASK_OK;
    free(sj);
    free(words);
    int64_t id = rc == TASK_OK ? db_last_id(db) : 0;
    if (rc == TASK_OK && mark_scope_in_scheme(db, id) != DB_OK) rc = task_dberr(db, err);
    if (rc == TASK_OK &&
        db_exec(db, "INSERT INTO task_scheme(task_id, updated_by, updated_at) VALUES (?, ?, ?)",
                "itt", id, actor, clock_stamp().s))
        rc = task_dberr(db, err);
    if (rc == TASK_OK) *task_id = id;
    return rc;
}

char *task_audit_snapshot(Db *db, int64_t id) {
    json_t *o = NULL;
    Stmt *st = db_prepare(db, "SELECT t.code, t.org_id, s.status, s.opinion FROM task t JOIN "
                              "task_scheme s ON s.task_id = t.id "
                              "WHERE t.id = ?");
    if (st) {
        db_bind_int(st, 1, id);
        if (db_step(st) == DB_ROW) {
            char org[24];
            snprintf(org, sizeof org, "%lld", (long long)db_col_int(st, 1));
            o = json_pack("{s:I, s:s, s:s, s:s, s:s?}", "id", (json_int_t)id, "code",
                          db_col_text(st, 0), "org_id", org, "scheme_status", db_col_text(st, 2),
                          "opinion", db_col_text(st, 3));
        }
        db_finalize(st);
    }
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    return s;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

json_t *task_required_tags(Db *db, int64_t task_id, char **err) {
    /* the items named in the task's item_codes: ",code," found in ",item_codes," (tested in C, as
     * instr() did in SQL) */
    char *codes = NULL;
    if (db_query_text(db, &codes, "SELECT item_codes FROM task WHERE id = ?", "i", task_id) !=
        DB_OK)
        return task_dberr(db, err), NULL;
    char *in = codes ? xasprintf(",%s,", codes) : NULL;
    free(codes);
    Stmt *st = db_prepare(db, "SELECT code, required_tags FROM item WHERE required_tags IS NOT "
                              "NULL AND required_tags <> ''");
    if (!st) {
        free(in);
        return task_dberr(db, err), NULL;
    }
    char *list[256];
    size_t n = 0;
    while (in && db_step(st) == DB_ROW) {
        char *key = xasprintf(",%s,", db_col_text(st, 0));
        int named = strstr(in, key) != NULL;
        free(key);
        if (!named) continue;
        char **tags;
        size_t nt = list_split(db_col_text(st, 1), LIST_CODES, &tags);
        for (size_t k = 0; k < nt; k++) {
            int seen = 0;
            for (size_t i = 0; i < n && !seen; i++)
                seen = !strcmp(list[i], tags[k]);
            if (!seen && n < ARRAY_LEN(list)) list[n++] = xstrdup(tags[k]);
        }
        list_free(tags, nt);
    }
    db_finalize(st);
    free(in);
    qsort(list, n, sizeof *list, cmp_str);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, json_string(list[i]));
        free(list[i]);
    }
    return a;
}

json_t *task_draw_params(Db *db, int64_t task_id, char **err) {
    Stmt *st =
        db_prepare(db, "SELECT t.ratio, t.scope_json, s.group_size, d.code, s.grade_rules, o.code, "
                       "s.workload_cap, "
                       "s.yearly_cap, s.checked_within_months FROM task t "
                       "JOIN task_scheme s ON s.task_id = t.id JOIN org o ON o.id = t.org_id "
                       "LEFT JOIN dept d ON d.id = t.lead_dept_id WHERE t.id = ?");
    if (!st) return task_dberr(db, err), NULL;
    db_bind_int(st, 1, task_id);
    if (db_step(st) != DB_ROW) {
        db_finalize(st);
        set_err(err, "任务不存在");
        return NULL;
    }
    json_t *scope = json_loads(db_col_text(st, 1), 0, NULL);
    json_t *p = json_pack("{s:{s:s}, s:o, s:{s:i}, s:I, s:[]}", "ratios", "*", db_col_text(st, 0),
                          "filters", json_is_object(scope) ? scope : json_object(), "exclusions",
                          "yearly_cap", (int)db_col_int(st, 7), "group_size",
                          (json_int_t)db_col_int(st, 2), "officer_depts");
    if (!json_is_object(scope)) json_decref(scope);
    /* the scheme's workload rules (sql/031), frozen with the draw (docs/DRAW.md §3, §5) */
    if (db_col_int(st, 8) > 0)
        json_object_set_new(json_object_get(p, "exclusions"), "checked_within_months",
                            json_integer(db_col_int(st, 8)));
    if (db_col_int(st, 6) > 0)
        json_object_set_new(p, "workload_cap", json_integer(db_col_int(st, 6)));
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
    st = db_prepare(db, "SELECT d.code FROM task_joint j JOIN dept d ON d.id = j.dept_id WHERE "
                        "j.task_id = ? AND j.status = '已确认' "
                        "ORDER BY d.code");
    if (!st) {
        json_decref(p);
        return task_dberr(db, err), NULL;
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
    if (json_array_size(joint))
        json_object_set_new(p, "joint_depts", joint);
    else
        json_decref(joint);
    /* the expertise tags the task's items require (精准匹配) are specialties the group must cover,
     * with an expert where its officers cannot (003 五(一)2; docs/DRAW.md §5). Not required_tags:
     * demanding every tag of every officer empties the pool when items need different skills. */
    json_t *tags = task_required_tags(db, task_id, err);
    if (!tags) {
        json_decref(p);
        return NULL;
    }
    if (json_array_size(tags))
        json_object_set_new(p, "specialties", tags);
    else
        json_decref(tags);
    /* the conflicts (回避) declared before the freeze, frozen with it (sql/023, docs/DRAW.md §5) */
    st = db_prepare(
        db, "SELECT officer_cert, target_code FROM task_conflict WHERE task_id = ? ORDER BY id");
    if (!st) {
        json_decref(p);
        return task_dberr(db, err), NULL;
    }
    db_bind_int(st, 1, task_id);
    json_t *conflicts = json_array();
    while (db_step(st) == DB_ROW)
        json_array_append_new(conflicts,
                              json_pack("[s,s]", db_col_text(st, 0), db_col_text(st, 1)));
    db_finalize(st);
    if (json_array_size(conflicts))
        json_object_set_new(p, "conflicts", conflicts);
    else
        json_decref(conflicts);
    return p;
}

int task_ceremony_record(Db *db, int64_t task_id, int draw_no, const char *observers,
                         const char *actor, char **err) {
    char *o = task_trim_dup(observers);
    int rc = db_exec(db,
                     "INSERT INTO task_ceremony(task_id, draw_no, observers_present, held_by, "
                     "held_at) VALUES (?,?,?,?,?) "
                     "ON CONFLICT(task_id, draw_no) DO UPDATE SET observers_present = "
                     "excluded.observers_present, "
                     "held_by = excluded.held_by, held_at = excluded.held_at",
                     "iittt", task_id, (int64_t)draw_no, o, actor, clock_stamp().s)
                 ? task_dberr(db, err)
                 : TASK_OK;
    free(o);
    return rc;
}

/* ---- reading ---- */

void task_set_text(json_t *o, const char *key, const char *v) {
    json_object_set_new(o, key, v ? json_string(v) : json_null());
}

json_t *task_officers_of(Db *db, int64_t dept_id) {
    json_t *a = json_array();
    Stmt *st = db_prepare(
        db, "SELECT name, cert_no, status FROM officer WHERE dept_id = ? ORDER BY cert_no");
    if (!st) return a;
    db_bind_int(st, 1, dept_id);
    while (db_step(st) == DB_ROW)
        json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "name", db_col_text(st, 0), "cert_no",
                                           db_col_text(st, 1), "status", db_col_text(st, 2)));
    db_finalize(st);
    return a;
}

json_t *task_json(Db *db, int64_t task_id, const char *today) {
    Stmt *st = db_prepare(
        db, "SELECT t.id, t.code, t.org_id, o.name, t.name, t.kind, t.ratio, t.item_codes, "
            "t.scope_json, "
            "t.scope_text, d.name, d.code, t.month_from, t.month_to, t.plan_task_id, t.adhoc_id, "
            "t.lead_dept_id, "
            "pt.version_id, t.created_at, t.created_by, o.code, t.scope_in_scheme "
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
    task_set_text(t, "code", db_col_text(st, 1));
    json_object_set_new(t, "org_id", json_integer(db_col_int(st, 2)));
    task_set_text(t, "org_name", db_col_text(st, 3));
    task_set_text(t, "org_code", db_col_text(st, 20));
    task_set_text(t, "name", db_col_text(st, 4));
    task_set_text(t, "kind", db_col_text(st, 5));
    task_set_text(t, "ratio", db_col_text(st, 6));
    char *codes = xstrdup(db_col_text(st, 7));
    json_t *scope = json_loads(db_col_text(st, 8), 0, NULL);
    char *words = json_is_object(scope) ? plan_scope_describe(scope, NULL, NULL) : xstrdup("");
    json_object_set_new(t, "scope", json_is_object(scope) ? scope : json_object());
    if (!json_is_object(scope)) json_decref(scope);
    json_object_set_new(t, "scope_in_scheme", json_boolean(db_col_int(st, 21)));
    task_set_text(t, "scope_words", words);
    free(words);
    task_set_text(t, "scope_text", db_col_text(st, 9));
    task_set_text(t, "lead_dept", db_col_text(st, 10));
    task_set_text(t, "lead_dept_code", db_col_text(st, 11));
    char *months = plan_month_range_text(db_col_text(st, 12), db_col_text(st, 13));
    task_set_text(t, "months", months);
    free(months);
    int64_t ptask = db_col_int(st, 14), adhoc = db_col_int(st, 15), lead = db_col_int(st, 16),
            pv = db_col_int(st, 17);
    task_set_text(t, "created_at", db_col_text(st, 18));
    db_finalize(st);
    if (ptask) {
        char *src = NULL;
        if (db_query_text(db, &src,
                          "SELECT '年度抽查计划 ' || p.number || ' 第' || pv.version || '版 · 任务 "
                          "' || pt.task_no FROM plan_task pt "
                          "JOIN plan_version pv ON pv.id = pt.version_id JOIN plan p ON p.id = "
                          "pv.plan_id WHERE pt.id = ?",
                          "i", ptask) != DB_OK)
            src = NULL; /* display only: no source line */
        task_set_text(t, "source", src);
        free(src);
        json_object_set_new(t, "plan_version_id", json_integer(pv));
    } else {
        char *src = NULL;
        if (db_query_text(
                db, &src,
                "SELECT '临时任务 ' || code || '（' || source || '）' FROM plan_adhoc WHERE id = ?",
                "i", adhoc) != DB_OK)
            src = NULL; /* display only: no source line */
        task_set_text(t, "source", src);
        free(src);
        json_object_set_new(t, "adhoc", json_true());
    }
    /* items, in code order */
    json_object_set_new(t, "items", plan_items_named(db, codes));
    free(codes);
    json_object_set_new(t, "scheme", task_scheme_json(db, task_id));
    json_object_set_new(t, "officers", lead ? task_officers_of(db, lead) : json_array());
    json_t *joints = task_joints_json(db, task_id, today);
    json_object_set_new(t, "joints", joints);
    json_object_set_new(t, "is_joint", json_boolean(json_array_size(joints) > 0));
    return t;
}

json_t *task_list_json(Db *db, int64_t scope_org, int published_only) {
    json_t *a = json_array();
    Stmt *st = db_prepare(
        db,
        "SELECT t.id, t.code, t.name, o.name, t.kind, s.status, "
        "(SELECT d.status FROM draw d WHERE d.task_code = t.code AND d.status <> '已作废'), "
        "(SELECT count(*) FROM task_joint j WHERE j.task_id = t.id), s.published_at "
        "FROM task t JOIN org o ON o.id = t.org_id JOIN task_scheme s ON s.task_id = t.id "
        "WHERE (?1 = 0 OR t.org_id IN (WITH RECURSIVE sc(id) AS (SELECT ?1 UNION SELECT x.id FROM "
        "org x "
        "JOIN sc ON x.parent_id = sc.id) SELECT id FROM sc)) AND (?2 = 0 OR s.status = '已公开') "
        "ORDER BY t.id DESC");
    if (!st) return a;
    db_bind_int(st, 1, scope_org);
    db_bind_int(st, 2, published_only);
    while (db_step(st) == DB_ROW) {
        json_t *o = json_pack(
            "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)db_col_int(st, 0), "code",
            db_col_text(st, 1), "name", db_col_text(st, 2), "org_name", db_col_text(st, 3), "kind",
            db_col_text(st, 4), "scheme_status", db_col_text(st, 5), "draw_status",
            db_col_text(st, 6) ? db_col_text(st, 6) : "未冻结", "joint", db_col_int(st, 7) > 0);
        task_set_text(o, "published_at", db_col_text(st, 8));
        json_object_set_new(o, "adhoc", json_boolean(str_eq(db_col_text(st, 4), "临时")));
        json_array_append_new(a, o);
    }
    db_finalize(st);
    return a;
}

int64_t task_id_by_code(Db *db, const char *code) {
    int64_t id = 0;
    if (db_query_int(db, &id, "SELECT id FROM task WHERE code = ?", "t", code) != DB_OK)
        return 0; /* as absent */
    return id;
}
