/* plan.c - the annual plan's storage (see plan.h): plans and their versions, the header, task
 * rows, the approval states and revisions, and the JSON views of a version, the versions of a
 * plan, the differences between two versions and the list of plans. The rules it applies are
 * plan_rules.c; ad-hoc tasks are plan_adhoc.c; the 附件2 table is plan_io.c.
 *
 * Invariants: only a 草稿 version changes; a version's status moves only along the table in
 * plan_next_status; versions are never deleted; every function that writes runs inside the
 * caller's transaction. SQL is static text with bound values. Called by the units of work
 * (plan_work.c), the web handlers (page_plan.c, api_plan.c), the CLI (cmd_plan.c) and
 * plan_io.c. */
#include "../core/clock.h"
#include "jsonkit.h"
#include "plan.h"
#include "plan_impl.h"

#include "../core/util.h"
#include "plan_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- storage helpers ---- */

void plan_field_err(json_t *errors, const char *field, const char *msg) {
    if (errors && !json_object_get(errors, field))
        json_object_set_new(errors, field, json_string(msg));
}

char *plan_trimmed(const char *s) {
    char *t = xstrdup(s ? s : "");
    str_trim(t);
    return t;
}

typedef struct VersionInfo {
    int64_t plan_id, org_id;
    int version, year, latest;
    char status[16];
} VersionInfo;

/* Loads a version's key facts; PLAN_NOT_FOUND when absent. */
static int version_info(Db *db, int64_t vid, VersionInfo *vi, char **err) {
    Stmt *st =
        db_prepare(db, "SELECT pv.plan_id, p.org_id, pv.version, p.year, pv.status, "
                       "(SELECT max(x.version) FROM plan_version x WHERE x.plan_id = pv.plan_id) "
                       "FROM plan_version pv JOIN plan p ON p.id = pv.plan_id WHERE pv.id = ?");
    if (!st) return set_err(err, "%s", db_errmsg(db));
    db_bind_int(st, 1, vid);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        vi->plan_id = db_col_int(st, 0);
        vi->org_id = db_col_int(st, 1);
        vi->version = (int)db_col_int(st, 2);
        vi->year = (int)db_col_int(st, 3);
        snprintf(vi->status, sizeof vi->status, "%s", db_col_text(st, 4));
        vi->latest = db_col_int(st, 5) == vi->version;
    }
    db_finalize(st);
    if (rc == DB_ROW) return PLAN_OK;
    if (rc == DB_DONE) {
        set_err(err, "计划版本不存在");
        return PLAN_NOT_FOUND;
    }
    return set_err(err, "%s", db_errmsg(db));
}

static int need_draft(const VersionInfo *vi, char **err) {
    if (!strcmp(vi->status, "草稿")) return PLAN_OK;
    set_err(
        err,
        "只有草稿状态的版本可以修改（当前为「%s」）；已批准或已公开的计划请先“调整计划”生成新版本",
        vi->status);
    return PLAN_CONFLICT;
}

static int touch_version(Db *db, int64_t vid, const char *actor) {
    char now[CLOCK_NOW_LEN + 1];
    clock_now(now);
    return db_exec(db, "UPDATE plan_version SET updated_at = ?, updated_by = ? WHERE id = ?", "tti",
                   now, actor, vid);
}

/* ---- plans and versions ---- */

int plan_create(Db *db, int64_t org_id, int year, const char *number, const char *qualifier,
                const char *actor, int64_t *version_id, json_t *errors, char **err) {
    char *org_name = NULL;
    if (db_query_text(db, &org_name, "SELECT name FROM org WHERE id = ?", "i", org_id) != DB_OK)
        return set_err(err, "%s", db_errmsg(db));
    if (!org_name) {
        set_err(err, "机构不存在");
        return PLAN_NOT_FOUND;
    }
    char *num = plan_trimmed(number), *qual = plan_trimmed(qualifier);
    int rc = PLAN_OK;
    if (year < 2000 || year > 2999) plan_field_err(errors, "year", "年度应为四位年份，如 2025");
    if (utf8_len(qual) > 40) plan_field_err(errors, "qualifier", "名称限定语不超过 40 个字");
    if (strstr(qual, "随机抽查"))
        plan_field_err(errors, "qualifier", "名称限定语不必包含“随机抽查”，系统按命名规则自动加上");
    if (*num) {
        int64_t n = 0;
        if (!plan_number_valid(num))
            plan_field_err(errors, "number",
                           "计划编号只能由字母、数字和“-”组成，不超过 32 位，如 2025001");
        else if (db_query_int(db, &n, "SELECT count(*) FROM plan WHERE number = ?", "t", num) ==
                     DB_OK &&
                 n > 0)
            plan_field_err(errors, "number", "计划编号已存在，编号不能重复");
    } else if (year >= 2000 && year <= 2999) {
        for (int i = 1; i <= 999 && !*num; i++) {
            char cand[16];
            snprintf(cand, sizeof cand, "%d%03d", year, i);
            int64_t n = 0;
            if (db_query_int(db, &n, "SELECT count(*) FROM plan WHERE number = ?", "t", cand) !=
                DB_OK) {
                rc = set_err(err, "%s", db_errmsg(db));
                goto out;
            }
            if (!n) {
                free(num);
                num = xstrdup(cand);
            }
        }
        if (!*num) plan_field_err(errors, "number", "该年度的自动编号已用完，请填写计划编号");
    }
    if (json_object_size(errors)) {
        set_err(err, "数据校验未通过");
        rc = PLAN_INVALID;
        goto out;
    }
    int64_t seq = 0;
    if (db_query_int(db, &seq,
                     "SELECT coalesce(max(seq), 0) + 1 FROM plan WHERE org_id = ? AND year = ?",
                     "ii", org_id, (int64_t)year) != DB_OK) {
        rc = set_err(err, "%s", db_errmsg(db));
        goto out;
    }
    char *name = plan_make_name(year, org_name, qual, (int)seq), today[11];
    clock_today(today);
    char now[CLOCK_NOW_LEN + 1];
    clock_now(now);
    if (db_exec(db,
                "INSERT INTO plan(org_id, year, number, seq, created_by, created_at) VALUES(?, ?, "
                "?, ?, ?, ?)",
                "iititt", org_id, (int64_t)year, num, seq, actor, now) != DB_OK ||
        db_exec(db,
                "INSERT INTO plan_version(plan_id, version, status, name, qualifier, unit, "
                "made_on, created_by, updated_by, "
                "created_at, updated_at) VALUES(?1, 1, '草稿', ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?7)",
                "itttttt", db_last_id(db), name, qual, org_name, today, actor, now) != DB_OK) {
        rc = set_err(err, "%s", db_errmsg(db));
    } else if (version_id) {
        *version_id = db_last_id(db);
    }
    free(name);
out:
    free(org_name);
    free(num);
    free(qual);
    return rc;
}

int plan_update_header(Db *db, int64_t version_id, const char *qualifier, const char *unit,
                       const char *made_on, const char *actor, json_t *errors, char **err) {
    VersionInfo vi;
    int rc = version_info(db, version_id, &vi, err);
    if (rc != PLAN_OK) return rc;
    if ((rc = need_draft(&vi, err)) != PLAN_OK) return rc;
    char *qual = plan_trimmed(qualifier), *u = plan_trimmed(unit), *d = plan_trimmed(made_on);
    if (utf8_len(qual) > 40) plan_field_err(errors, "qualifier", "名称限定语不超过 40 个字");
    if (strstr(qual, "随机抽查"))
        plan_field_err(errors, "qualifier", "名称限定语不必包含“随机抽查”，系统按命名规则自动加上");
    if (utf8_len(u) > 100) plan_field_err(errors, "unit", "单位名称不超过 100 个字");
    if (*d && !date_valid(d)) plan_field_err(errors, "made_on", "制表时间应为日期，如 2024-12-31");
    if (json_object_size(errors)) {
        set_err(err, "数据校验未通过");
        rc = PLAN_INVALID;
    } else {
        char *org_name = NULL;
        int64_t seq = 0;
        char *name = NULL;
        if (db_query_text(db, &org_name,
                          "SELECT o.name FROM org o JOIN plan p ON p.org_id = o.id WHERE p.id = ?",
                          "i", vi.plan_id) != DB_OK ||
            db_query_int(db, &seq, "SELECT seq FROM plan WHERE id = ?", "i", vi.plan_id) != DB_OK)
            rc = set_err(err, "%s", db_errmsg(db));
        else
            name = plan_make_name(vi.year, org_name, qual, (int)seq);
        char now[CLOCK_NOW_LEN + 1];
        clock_now(now);
        if (rc == PLAN_OK && db_exec(db,
                                     "UPDATE plan_version SET qualifier = ?, name = ?, unit = ?, "
                                     "made_on = ?, updated_at = ?, "
                                     "updated_by = ? WHERE id = ?",
                                     "tttttti", qual, name, *u ? u : NULL, *d ? d : NULL, now,
                                     actor, version_id) != DB_OK)
            rc = set_err(err, "%s", db_errmsg(db));
        free(name);
        free(org_name);
    }
    free(qual);
    free(u);
    free(d);
    return rc;
}

/* ---- task rows ---- */

const char *const plan_task_fields[] = {"task_no", "name",      "kind",        "ratio",  "items",
                                        "scope",   "lead_dept", "joint_depts", "period", "level",
                                        "remark",  "frequency", NULL};
/* the fields are the 附件2 columns from 抽查任务编号 on, in order: their labels are those columns
 */
_Static_assert(ARRAY_LEN(plan_task_fields) == PLAN_COL_COUNT - PLAN_COL_TASK_NO + 1,
               "one field a task column");

const char *plan_task_field_label(const char *field) {
    for (size_t i = 0; plan_task_fields[i]; i++)
        if (!strcmp(plan_task_fields[i], field)) return plan_columns[PLAN_COL_TASK_NO + i];
    return field;
}

static int list_has(json_t *a, const char *s) {
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e) if (str_eq(json_string_value(e), s)) return 1;
    return 0;
}

/* plan_impl.h: a list cell of codes or names, each once (listcell.h: the same rule everywhere). */
json_t *plan_split_list(const char *text) {
    return jk_list(text, LIST_NAMES, 1);
}

json_t *plan_items_named(Db *db, const char *codes) {
    json_t *items = json_array(), *list = plan_split_list(codes);
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) {
        char *name = NULL;
        if (db_query_text(db, &name, "SELECT name FROM item WHERE code = ?", "t",
                          json_string_value(e)) != DB_OK)
            name = NULL; /* display only: the code stands for the name */
        json_array_append_new(
            items, json_pack("{s:O, s:s}", "code", e, "name", name ? name : json_string_value(e)));
        free(name);
    }
    json_decref(list);
    return items;
}

char *plan_join_list(json_t *a, const char *sep) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "");
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e) buf_printf(&b, "%s%s", i ? sep : "", json_string_value(e));
    return buf_steal(&b);
}

int plan_task_save(Db *db, int64_t version_id, int64_t task_id, const PlanTaskInput *in,
                   const char *actor, int64_t *task_out, int *unmatched, json_t *errors,
                   char **err) {
    VersionInfo vi;
    int rc = version_info(db, version_id, &vi, err);
    if (rc != PLAN_OK) return rc;
    if ((rc = need_draft(&vi, err)) != PLAN_OK) return rc;
    if (task_id) {
        int64_t n = 0;
        if (db_query_int(db, &n, "SELECT count(*) FROM plan_task WHERE id = ? AND version_id = ?",
                         "ii", task_id, version_id) != DB_OK)
            return set_err(err, "%s", db_errmsg(db)), PLAN_ERR;
        if (!n) {
            set_err(err, "抽查任务不存在");
            return PLAN_NOT_FOUND;
        }
    }
    char *task_no = plan_trimmed(in->task_no), *name = plan_trimmed(in->name),
         *ratio = plan_trimmed(in->ratio), *scope_text = plan_trimmed(in->scope_text),
         *lead = plan_trimmed(in->lead_dept), *level = plan_trimmed(in->level),
         *remark = plan_trimmed(in->remark), *period = plan_trimmed(in->period),
         *frequency = plan_trimmed(in->frequency), *scope_canon = NULL, *msg = NULL;
    json_t *codes = json_array(), *loose = json_array(), *joint = plan_split_list(in->joint_depts);
    char from[8] = "", to[8] = "";

    if (!*task_no)
        plan_field_err(errors, "task_no", "请填写抽查任务编号");
    else if (utf8_len(task_no) > 32)
        plan_field_err(errors, "task_no", "抽查任务编号不超过 32 个字");
    else {
        int64_t n = 0;
        if (db_query_int(
                db, &n,
                "SELECT count(*) FROM plan_task WHERE version_id = ? AND task_no = ? AND id <> ?",
                "iti", version_id, task_no, task_id) != DB_OK)
            rc = set_err(err, "%s", db_errmsg(db)); /* PLAN_ERR: nothing is written */
        else if (n)
            plan_field_err(errors, "task_no", "本计划中已有相同的抽查任务编号");
    }
    if (!*name)
        plan_field_err(errors, "name", "请填写抽查任务名称");
    else if (utf8_len(name) > 200)
        plan_field_err(errors, "name", "抽查任务名称不超过 200 个字");
    const char *kind = plan_parse_kind(in->kind);
    if (!kind) plan_field_err(errors, "kind", "抽查类型应为“定向抽查”或“不定向抽查”");
    if (!plan_ratio_valid(ratio))
        plan_field_err(errors, "ratio", "抽查比例应为百分数，如 10%、3%、0.5%");

    /* 抽查事项: chosen codes must be plannable items; free text is matched by name */
    json_t *items = plan_items_available(db, vi.org_id), *given = plan_split_list(in->item_codes);
    size_t i, j;
    json_t *e, *it;
    json_array_foreach(given, i, e) {
        int found = 0;
        json_array_foreach(items, j, it) if (str_eq(json_string_value(json_object_get(it, "code")),
                                                    json_string_value(e))) found = 1;
        if (!found) {
            char *m = xasprintf("事项 %s 不在本机构可用的抽查事项清单中", json_string_value(e));
            plan_field_err(errors, "items", m);
            free(m);
        } else if (!list_has(codes, json_string_value(e))) {
            json_array_append(codes, e);
        }
    }
    json_t *parts = plan_split_items(in->items_text);
    json_array_foreach(parts, i, e) {
        char *key = plan_item_key(json_string_value(e));
        const char *hit = NULL;
        json_array_foreach(items, j, it) {
            char *k2 = plan_item_key(json_string_value(json_object_get(it, "name")));
            if (!hit && !strcmp(key, k2)) hit = json_string_value(json_object_get(it, "code"));
            free(k2);
        }
        if (hit && !list_has(codes, hit))
            json_array_append_new(codes, json_string(hit));
        else if (!hit)
            json_array_append(loose, e);
        free(key);
    }
    json_decref(parts);
    json_decref(given);
    json_decref(items);
    if (!json_array_size(codes) && !json_array_size(loose))
        plan_field_err(errors, "items", "请至少选择一个抽查事项");

    /* 抽查对象范围 */
    if (!str_empty(in->scope_json)) {
        json_error_t je;
        json_t *scope = json_loads(in->scope_json, 0, &je);
        if (!scope || plan_scope_check(scope, &msg) != 0)
            plan_field_err(errors, "scope", msg ? msg : "抽查对象范围不是有效的筛选条件");
        else if (json_object_size(scope))
            scope_canon = json_dumps(scope, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(scope);
        free(msg);
        msg = NULL;
    }
    if (!scope_canon && !*scope_text)
        plan_field_err(errors, "scope", "请设置抽查对象范围（筛选条件或文字说明）");
    if (utf8_len(scope_text) > 200)
        plan_field_err(errors, "scope", "抽查对象范围的文字说明不超过 200 个字");
    if (!*lead) plan_field_err(errors, "lead_dept", "请填写发起科室");
    if (plan_parse_month_range(period, from, to, &msg) != 0)
        plan_field_err(errors, "period", msg);
    else if (atoi(from) != vi.year || atoi(to) != vi.year) {
        free(msg);
        msg = xasprintf("抽查时间应在计划年度（%d年）内", vi.year);
        plan_field_err(errors, "period", msg);
    }
    free(msg);
    if (utf8_len(level) > 50) plan_field_err(errors, "level", "实施检查层级不超过 50 个字");
    if (utf8_len(remark) > 500) plan_field_err(errors, "remark", "备注不超过 500 个字");
    if (utf8_len(frequency) > 50)
        plan_field_err(errors, "frequency", "抽查频次不超过 50 个字（如“每年1次”）");

    if (rc != PLAN_OK) {
        /* the duplicate check could not read the task numbers: *err says why */
    } else if (json_object_size(errors)) {
        set_err(err, "数据校验未通过");
        rc = PLAN_INVALID;
    } else {
        char *codes_s = plan_join_list(codes, ","), *loose_s = plan_join_list(loose, "；"),
             *joint_s = plan_join_list(joint, "、");
        const char *scope_s = scope_canon ? scope_canon : "{}";
        int dbrc;
        if (task_id) {
            dbrc = db_exec(db,
                           "UPDATE plan_task SET task_no = ?, name = ?, kind = ?, ratio = ?, "
                           "item_codes = ?, items_unmatched = ?, "
                           "scope_json = ?, scope_text = ?, lead_dept = ?, joint_depts = ?, "
                           "month_from = ?, month_to = ?, "
                           "period_text = ?, level = ?, remark = ?, frequency = ? WHERE id = ?",
                           "tttttttttttttttti", task_no, name, kind, ratio, codes_s, loose_s,
                           scope_s, scope_text, lead, joint_s, from, to, period, level, remark,
                           frequency, task_id);
        } else {
            dbrc = db_exec(db,
                           "INSERT INTO plan_task(version_id, position, task_no, name, kind, "
                           "ratio, item_codes, items_unmatched, "
                           "scope_json, scope_text, lead_dept, joint_depts, month_from, month_to, "
                           "period_text, level, remark, frequency) "
                           "VALUES(?, (SELECT coalesce(max(position), 0) + 1 FROM plan_task WHERE "
                           "version_id = ?), "
                           "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           "iitttttttttttttttt", version_id, version_id, task_no, name, kind, ratio,
                           codes_s, loose_s, scope_s, scope_text, lead, joint_s, from, to, period,
                           level, remark, frequency);
            if (dbrc == DB_OK) task_id = db_last_id(db);
        }
        if (dbrc != DB_OK || touch_version(db, version_id, actor) != DB_OK)
            rc = set_err(err, "%s", db_errmsg(db));
        if (task_out) *task_out = task_id;
        if (unmatched) *unmatched = (int)json_array_size(loose);
        free(codes_s);
        free(loose_s);
        free(joint_s);
    }
    json_decref(codes);
    json_decref(loose);
    json_decref(joint);
    free(scope_canon);
    free(task_no);
    free(name);
    free(ratio);
    free(scope_text);
    free(lead);
    free(level);
    free(remark);
    free(period);
    free(frequency);
    return rc;
}

int plan_task_remove(Db *db, int64_t version_id, int64_t task_id, const char *actor, char **err) {
    VersionInfo vi;
    int rc = version_info(db, version_id, &vi, err);
    if (rc != PLAN_OK) return rc;
    if ((rc = need_draft(&vi, err)) != PLAN_OK) return rc;
    if (db_exec(db, "DELETE FROM plan_task WHERE id = ? AND version_id = ?", "ii", task_id,
                version_id) != DB_OK)
        return set_err(err, "%s", db_errmsg(db));
    if (db_changes(db) == 0) {
        set_err(err, "抽查任务不存在");
        return PLAN_NOT_FOUND;
    }
    if (touch_version(db, version_id, actor) != DB_OK) return set_err(err, "%s", db_errmsg(db));
    return PLAN_OK;
}

/* ---- states and versions ---- */

int plan_transition(Db *db, int64_t version_id, PlanAction a, const char *actor,
                    const char *opinion, char **err) {
    VersionInfo vi;
    int rc = version_info(db, version_id, &vi, err);
    if (rc != PLAN_OK) return rc;
    const char *next = plan_next_status(vi.status, a);
    if (!next) {
        set_err(err, "计划当前状态为「%s」，不能%s", vi.status, plan_action_label(a));
        return PLAN_CONFLICT;
    }
    if ((a == PLAN_APPROVE || a == PLAN_PUBLISH) && !vi.latest) {
        set_err(err, "该计划已有更新的版本，本版本（第%d版）不能再%s", vi.version,
                plan_action_label(a));
        return PLAN_CONFLICT;
    }
    if (a == PLAN_SUBMIT) {
        int64_t n = 0;
        if (db_query_int(db, &n, "SELECT count(*) FROM plan_task WHERE version_id = ?", "i",
                         version_id) != DB_OK)
            return set_err(err, "%s", db_errmsg(db)), PLAN_ERR;
        if (!n) {
            set_err(err, "计划中还没有抽查任务，不能提交审批");
            return PLAN_CONFLICT;
        }
    }
    char *op = plan_trimmed(opinion);
    if (a == PLAN_RETURN && !*op) {
        free(op);
        set_err(err, "退回时请填写审批意见");
        return PLAN_INVALID;
    }
    int dbrc;
    char now[CLOCK_NOW_LEN + 1];
    clock_now(now);
    switch (a) {
    case PLAN_SUBMIT:
        dbrc = db_exec(db,
                       "UPDATE plan_version SET status = ?, submitted_at = ?, submitted_by = ?, "
                       "updated_at = ?, updated_by = ? WHERE id = ? AND status = ?",
                       "tttttit", next, now, actor, now, actor, version_id, vi.status);
        break;
    case PLAN_APPROVE: /* an approval opinion is optional; it replaces an earlier return opinion
                          (the audit log keeps that one) */
        dbrc = db_exec(
            db,
            "UPDATE plan_version SET status = ?, approved_at = ?, approved_by = ?, "
            "opinion = nullif(?, ''), updated_at = ?, updated_by = ? WHERE id = ? AND status = ?",
            "ttttttit", next, now, actor, op, now, actor, version_id, vi.status);
        break;
    case PLAN_RETURN:
        dbrc = db_exec(db,
                       "UPDATE plan_version SET status = ?, opinion = ?, submitted_at = NULL, "
                       "submitted_by = NULL, "
                       "updated_at = ?, updated_by = ? WHERE id = ? AND status = ?",
                       "ttttit", next, op, now, actor, version_id, vi.status);
        break;
    default:
        dbrc = db_exec(db,
                       "UPDATE plan_version SET status = ?, published_at = ?, published_by = ?, "
                       "updated_at = ?, updated_by = ? WHERE id = ? AND status = ?",
                       "tttttit", next, now, actor, now, actor, version_id, vi.status);
    }
    free(op);
    if (dbrc != DB_OK) return set_err(err, "%s", db_errmsg(db));
    if (db_changes(db) != 1) {
        set_err(err, "计划状态已被他人变更，请刷新后重试");
        return PLAN_CONFLICT;
    }
    return PLAN_OK;
}

int plan_revise(Db *db, int64_t version_id, const char *reason, const char *actor, int64_t *new_id,
                char **err) {
    VersionInfo vi;
    int rc = version_info(db, version_id, &vi, err);
    if (rc != PLAN_OK) return rc;
    if (!vi.latest) {
        set_err(err, "只能从最新版本调整计划（本版本为第%d版）", vi.version);
        return PLAN_CONFLICT;
    }
    if (strcmp(vi.status, "已批准") != 0 && strcmp(vi.status, "已公开") != 0) {
        set_err(err, "只有已批准或已公开的计划需要生成新版本；「%s」状态的版本可直接修改",
                vi.status);
        return PLAN_CONFLICT;
    }
    char *why = plan_trimmed(reason);
    if (!*why) {
        free(why);
        set_err(err, "请填写调整原因");
        return PLAN_INVALID;
    }
    char today[11];
    clock_today(today);
    int64_t nid = 0;
    if (db_exec(db,
                "INSERT INTO plan_version(plan_id, version, status, name, qualifier, unit, "
                "made_on, change_reason, created_by, "
                "updated_by, created_at, updated_at) SELECT plan_id, version + 1, '草稿', name, "
                "qualifier, unit, ?1, ?2, ?3, ?3, ?4, "
                "?4 FROM plan_version WHERE id = ?5",
                "tttti", today, why, actor, clock_stamp().s, version_id) != DB_OK ||
        (nid = db_last_id(db), 0) ||
        db_exec(db,
                "INSERT INTO plan_task(version_id, position, task_no, name, kind, ratio, "
                "item_codes, items_unmatched, scope_json, "
                "scope_text, lead_dept, joint_depts, month_from, month_to, period_text, level, "
                "remark, frequency, origin_id) "
                "SELECT ?, position, task_no, name, kind, ratio, item_codes, items_unmatched, "
                "scope_json, scope_text, lead_dept, "
                "joint_depts, month_from, month_to, period_text, level, remark, frequency, id "
                "FROM plan_task "
                "WHERE version_id = ? "
                "ORDER BY position",
                "ii", nid, version_id) != DB_OK) {
        rc = set_err(err, "%s", db_errmsg(db));
    } else if (new_id) {
        *new_id = nid;
    }
    free(why);
    return rc;
}

/* ---- reading ---- */

/* Tag-name lookup for plan_scope_describe, caching names in a JSON object. */
typedef struct TagNames {
    Db *db;
    json_t *cache;
} TagNames;

static const char *tag_name_of(void *arg, const char *code) {
    TagNames *t = arg;
    json_t *v = json_object_get(t->cache, code);
    if (!v) {
        char *name = NULL;
        if (db_query_text(t->db, &name, "SELECT name FROM tag WHERE code = ?", "t", code) != DB_OK)
            name = NULL; /* display only: the code stands for the name */
        v = json_string(name ? name : code);
        json_object_set_new(t->cache, code, v);
        free(name);
    }
    return json_string_value(v);
}

void plan_set_text(json_t *o, const char *key, Stmt *st, int col) {
    const char *s = db_col_text(st, col);
    json_object_set_new(o, key, s ? json_string(s) : json_null());
}

static json_t *task_json(Db *db, Stmt *st, TagNames *tn) {
    json_t *t = json_object();
    json_object_set_new(t, "id", json_integer(db_col_int(st, 0)));
    json_object_set_new(t, "position", json_integer(db_col_int(st, 1)));
    static const char *const keys[] = {"task_no",     "name",        "kind",       "ratio",
                                       "item_codes",  NULL,          "scope_json", "scope_text",
                                       "lead_dept",   "joint_depts", "month_from", "month_to",
                                       "period_text", "level",       "remark",     "frequency"};
    for (int i = 0; i < (int)ARRAY_LEN(keys); i++)
        if (keys[i]) plan_set_text(t, keys[i], st, 2 + i);
    json_object_set_new(t, "kind_text", json_pack("s+", db_col_text(st, 4), "抽查"));
    json_object_set_new(t, "items", plan_items_named(db, db_col_text(st, 6)));
    json_t *loose = plan_split_items(db_col_text(st, 7));
    json_object_set_new(t, "unmatched_count", json_integer((json_int_t)json_array_size(loose)));
    json_object_set_new(t, "unmatched", loose);
    json_t *scope = json_loads(db_col_text(st, 8) ? db_col_text(st, 8) : "{}", 0, NULL);
    if (!scope) scope = json_object();
    char *words =
        json_object_size(scope) ? plan_scope_describe(scope, tag_name_of, tn) : xstrdup("");
    json_object_set_new(t, "scope", scope);
    json_object_set_new(t, "scope_words", json_string(words));
    free(words);
    char *period = plan_month_range_text(db_col_text(st, 12), db_col_text(st, 13));
    json_object_set_new(t, "period", json_string(period));
    free(period);
    return t;
}

#define TASK_COLS                                                                                  \
    "id, position, task_no, name, kind, ratio, item_codes, items_unmatched, scope_json, "          \
    "scope_text, lead_dept, "                                                                      \
    "joint_depts, month_from, month_to, period_text, level, remark, frequency"

json_t *plan_version_json(Db *db, int64_t version_id) {
    Stmt *st =
        db_prepare(db, "SELECT pv.id, pv.plan_id, p.number, p.year, p.org_id, o.code, o.name, "
                       "pv.version, pv.status, pv.name, "
                       "pv.qualifier, pv.unit, pv.made_on, pv.change_reason, pv.opinion, "
                       "pv.created_at, pv.created_by, "
                       "pv.submitted_at, pv.submitted_by, pv.approved_at, pv.approved_by, "
                       "pv.published_at, pv.published_by, "
                       "pv.updated_at, pv.updated_by, p.seq, "
                       "(SELECT max(x.version) FROM plan_version x WHERE x.plan_id = pv.plan_id), "
                       "(SELECT max(x.version) FROM plan_version x WHERE x.plan_id = pv.plan_id "
                       "AND x.status = '已公开'), pv.rev "
                       "FROM plan_version pv JOIN plan p ON p.id = pv.plan_id JOIN org o ON o.id = "
                       "p.org_id WHERE pv.id = ?");
    if (!st) return NULL;
    db_bind_int(st, 1, version_id);
    if (db_step(st) != DB_ROW) {
        db_finalize(st);
        return NULL;
    }
    json_t *v = json_object();
    static const char *const keys[] = {
        "id",          "plan_id",      "number",       "year",          "org_id",
        "org_code",    "org_name",     "version",      "status",        "name",
        "qualifier",   "unit",         "made_on",      "change_reason", "opinion",
        "created_at",  "created_by",   "submitted_at", "submitted_by",  "approved_at",
        "approved_by", "published_at", "published_by", "updated_at",    "updated_by"};
    for (int i = 0; i < (int)ARRAY_LEN(keys); i++) {
        int is_int = i == 0 || i == 1 || i == 3 || i == 4 || i == 7;
        if (is_int)
            json_object_set_new(v, keys[i], json_integer(db_col_int(st, i)));
        else
            plan_set_text(v, keys[i], st, i);
    }
    json_object_set_new(v, "rev",
                        json_integer(db_col_int(st, 28))); /* the optimistic lock (plan_rev_take) */
    int version = (int)db_col_int(st, 7), maxv = (int)db_col_int(st, 26),
        maxpub = (int)db_col_int(st, 27);
    const char *status = db_col_text(st, 8);
    char *rule = plan_make_name((int)db_col_int(st, 3), db_col_text(st, 6), db_col_text(st, 10),
                                (int)db_col_int(st, 25));
    json_object_set_new(v, "rule_name", json_string(rule));
    json_object_set_new(v, "name_follows_rule", json_boolean(str_eq(rule, db_col_text(st, 9))));
    free(rule);
    json_object_set_new(v, "latest", json_boolean(version == maxv));
    json_object_set_new(v, "in_force",
                        json_boolean(!strcmp(status, "已公开") && version == maxpub));
    json_object_set_new(v, "superseded",
                        json_boolean(!strcmp(status, "已公开") && version < maxpub));
    json_object_set_new(v, "stale", json_boolean(!strcmp(status, "已批准") && version < maxv));
    json_object_set_new(v, "in_force_version", maxpub ? json_integer(maxpub) : json_null());
    db_finalize(st);

    json_t *tasks = json_array();
    TagNames tn = {db, json_object()};
    long unmatched = 0;
    st = db_prepare(db, "SELECT " TASK_COLS
                        " FROM plan_task WHERE version_id = ? ORDER BY position, id");
    if (st) {
        db_bind_int(st, 1, version_id);
        while (db_step(st) == DB_ROW) {
            json_t *t = task_json(db, st, &tn);
            unmatched += (long)json_integer_value(json_object_get(t, "unmatched_count"));
            json_array_append_new(tasks, t);
        }
        db_finalize(st);
    }
    json_decref(tn.cache);
    json_object_set_new(v, "tasks", tasks);
    json_object_set_new(v, "unmatched_count", json_integer(unmatched));
    return v;
}

json_t *plan_versions_json(Db *db, int64_t plan_id) {
    json_t *a = json_array();
    Stmt *st =
        db_prepare(db, "SELECT id, version, status, name, change_reason, published_at, "
                       "approved_at, created_at, created_by, "
                       "(SELECT max(x.version) FROM plan_version x WHERE x.plan_id = pv.plan_id), "
                       "(SELECT max(x.version) FROM plan_version x WHERE x.plan_id = pv.plan_id "
                       "AND x.status = '已公开') "
                       "FROM plan_version pv WHERE plan_id = ? ORDER BY version DESC");
    if (!st) return a;
    db_bind_int(st, 1, plan_id);
    while (db_step(st) == DB_ROW) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(db_col_int(st, 0)));
        json_object_set_new(o, "version", json_integer(db_col_int(st, 1)));
        static const char *const keys[] = {"status",       "name",        "change_reason",
                                           "published_at", "approved_at", "created_at",
                                           "created_by"};
        for (int i = 0; i < (int)ARRAY_LEN(keys); i++)
            plan_set_text(o, keys[i], st, 2 + i);
        int version = (int)db_col_int(st, 1), maxv = (int)db_col_int(st, 9),
            maxpub = (int)db_col_int(st, 10);
        int pub = str_eq(db_col_text(st, 2), "已公开");
        json_object_set_new(o, "latest", json_boolean(version == maxv));
        json_object_set_new(o, "in_force", json_boolean(pub && version == maxpub));
        json_object_set_new(o, "superseded", json_boolean(pub && version < maxpub));
        json_object_set_new(o, "stale",
                            json_boolean(str_eq(db_col_text(st, 2), "已批准") && version < maxv));
        json_array_append_new(a, o);
    }
    db_finalize(st);
    return a;
}

/* A task row as the labelled texts the table shows (the 附件2 cells after 抽查任务编号, and the
 * filter in words beside 抽查对象范围), for comparing versions. */
static json_t *task_display(json_t *t) {
    PlanRow row;
    plan_row_fill(&row, NULL, t);
    json_t *d = json_object();
    for (int c = PLAN_COL_TASK_NAME; c < PLAN_COL_COUNT; c++) {
        json_object_set_new(d, plan_columns[c], json_string(row.cells[c] ? row.cells[c] : ""));
        if (c == PLAN_COL_SCOPE)
            json_object_set(d, "抽查对象筛选条件", json_object_get(t, "scope_words"));
    }
    plan_row_free(&row);
    return d;
}

static void diff_objects(json_t *a, json_t *b, json_t *out) {
    const char *key;
    json_t *va;
    json_object_foreach(a, key, va) {
        json_t *vb = json_object_get(b, key);
        const char *sa = json_string_value(va), *sb = json_string_value(vb);
        if (!str_eq(sa ? sa : "", sb ? sb : ""))
            json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "label", key, "from",
                                                 sa ? sa : "", "to", sb ? sb : ""));
    }
}

static json_t *find_task(json_t *tasks, const char *task_no) {
    size_t i;
    json_t *t;
    json_array_foreach(tasks, i, t) if (str_eq(json_string_value(json_object_get(t, "task_no")),
                                               task_no)) return t;
    return NULL;
}

json_t *plan_diff_json(Db *db, int64_t from_id, int64_t to_id) {
    json_t *a = plan_version_json(db, from_id), *b = plan_version_json(db, to_id);
    if (!a || !b) {
        json_decref(a);
        json_decref(b);
        return NULL;
    }
    json_t *out = json_pack("{s:I, s:I, s:[], s:[], s:[], s:[]}", "from_version",
                            json_integer_value(json_object_get(a, "version")), "to_version",
                            json_integer_value(json_object_get(b, "version")), "header", "added",
                            "removed", "changed");
    json_t *ha = json_object(), *hb = json_object();
    static const char *const head[][2] = {
        {"name", "抽查计划名称"}, {"unit", "单位"}, {"made_on", "制表时间"}};
    for (size_t i = 0; i < ARRAY_LEN(head); i++) {
        json_object_set(ha, head[i][1], json_object_get(a, head[i][0]));
        json_object_set(hb, head[i][1], json_object_get(b, head[i][0]));
    }
    diff_objects(ha, hb, json_object_get(out, "header"));
    json_decref(ha);
    json_decref(hb);
    json_t *ta = json_object_get(a, "tasks"), *tb = json_object_get(b, "tasks");
    size_t i;
    json_t *t;
    json_array_foreach(tb, i, t) {
        const char *no = json_string_value(json_object_get(t, "task_no"));
        json_t *old = find_task(ta, no);
        if (!old) {
            json_array_append_new(
                json_object_get(out, "added"),
                json_pack("{s:s, s:O}", "task_no", no, "name", json_object_get(t, "name")));
            continue;
        }
        json_t *da = task_display(old), *db2 = task_display(t), *changes = json_array();
        diff_objects(da, db2, changes);
        if (json_array_size(changes))
            json_array_append_new(json_object_get(out, "changed"),
                                  json_pack("{s:s, s:o}", "task_no", no, "changes", changes));
        else
            json_decref(changes);
        json_decref(da);
        json_decref(db2);
    }
    json_array_foreach(ta, i, t) {
        const char *no = json_string_value(json_object_get(t, "task_no"));
        if (!find_task(tb, no))
            json_array_append_new(
                json_object_get(out, "removed"),
                json_pack("{s:s, s:O}", "task_no", no, "name", json_object_get(t, "name")));
    }
    int same = !json_array_size(json_object_get(out, "header")) &&
               !json_array_size(json_object_get(out, "added")) &&
               !json_array_size(json_object_get(out, "removed")) &&
               !json_array_size(json_object_get(out, "changed"));
    json_object_set_new(out, "same", json_boolean(same));
    json_decref(a);
    json_decref(b);
    return out;
}

json_t *plan_list_json(Db *db, const PlanFilter *f) {
    json_t *a = json_array();
    Stmt *st = db_prepare(
        db, "SELECT pv.id, p.id, p.number, p.year, o.code, o.name, pv.version, pv.status, pv.name, "
            "(SELECT count(*) FROM plan_task t WHERE t.version_id = pv.id), pv.published_at, "
            "(SELECT max(x.version) FROM plan_version x WHERE x.plan_id = p.id AND x.status = "
            "'已公开'), "
            "(SELECT max(x.version) FROM plan_version x WHERE x.plan_id = p.id) "
            "FROM plan p JOIN org o ON o.id = p.org_id JOIN plan_version pv ON pv.plan_id = p.id "
            "WHERE (? = 0 OR p.org_id IN (WITH RECURSIVE sc(id) AS (SELECT ? UNION SELECT o2.id "
            "FROM org o2 "
            "JOIN sc ON o2.parent_id = sc.id) SELECT id FROM sc)) AND (? = 0 OR p.year = ?) "
            "AND (? IS NULL OR pv.status = ?) "
            "AND (CASE WHEN ? THEN pv.status = '已公开' ELSE pv.version = "
            "(SELECT max(y.version) FROM plan_version y WHERE y.plan_id = p.id) END) "
            "ORDER BY p.year DESC, o.code, p.number, pv.version DESC");
    if (!st) return a;
    db_bind_va(st, "iiiitti", f->scope_org, f->scope_org, (int64_t)f->year, (int64_t)f->year,
               f->status, f->status, (int64_t)f->published_only);
    while (db_step(st) == DB_ROW) {
        int version = (int)db_col_int(st, 6), maxpub = (int)db_col_int(st, 11);
        int pub = str_eq(db_col_text(st, 7), "已公开");
        json_t *o = json_pack(
            "{s:I, s:I, s:s, s:I, s:s, s:s, s:I, s:s, s:s, s:I, s:s?, s:b, s:b, s:o, s:I}", "id",
            (json_int_t)db_col_int(st, 0), "plan_id", (json_int_t)db_col_int(st, 1), "number",
            db_col_text(st, 2), "year", (json_int_t)db_col_int(st, 3), "org_code",
            db_col_text(st, 4), "org_name", db_col_text(st, 5), "version", (json_int_t)version,
            "status", db_col_text(st, 7), "name", db_col_text(st, 8), "tasks",
            (json_int_t)db_col_int(st, 9), "published_at", db_col_text(st, 10), "in_force",
            pub && version == maxpub, "superseded", pub && version < maxpub, "in_force_version",
            maxpub ? json_integer(maxpub) : json_null(), "versions",
            (json_int_t)db_col_int(st, 12));
        json_array_append_new(a, o);
    }
    db_finalize(st);
    return a;
}

int plan_rev_take(Db *db, int64_t version_id, int64_t rev, int required, char **err) {
    if (rev <= 0 && required)
        return set_err(err, "缺少计划的修订号，请刷新页面后重新编辑"), PLAN_INVALID;
    int rc = rev > 0 ? db_exec(db, "UPDATE plan_version SET rev = rev + 1 WHERE id = ? AND rev = ?",
                               "ii", version_id, rev)
                     : db_exec(db, "UPDATE plan_version SET rev = rev + 1 WHERE id = ?", "i",
                               version_id);
    if (rc != DB_OK) return set_err(err, "%s", db_errmsg(db)), PLAN_ERR;
    if (db_changes(db) == 0) {
        int64_t cur = 0;
        if (db_query_int(db, &cur, "SELECT rev FROM plan_version WHERE id = ?", "i", version_id) !=
            DB_OK)
            return set_err(err, "%s", db_errmsg(db)), PLAN_ERR;
        if (!cur) return set_err(err, "计划版本不存在"), PLAN_NOT_FOUND;
        return set_err(err,
                       "计划已被他人修改：您编辑的是第 %lld 次修订，当前为第 %lld "
                       "次。请刷新页面，核对后重新保存",
                       (long long)rev, (long long)cur),
               PLAN_STALE;
    }
    return PLAN_OK;
}
