/* task_work.c - the task's units of work before the draw (see task_work.h): the rules of task.c
 * inside one transaction with the audit row. The scheme's edits and states and the joint
 * confirmation are row units on the task's row (uow_begin_row); a start, which makes a task of a
 * plan row, excludes every other unit. Callers: src/web/page_task.c, page_task_people.c and
 * api_task.c. */
#include "task_work.h"

#include "../core/clock.h"
#include "../core/util.h"
#include "scope.h"
#include "task_query.h"
#include "uow.h"

#include <stdio.h>
#include <stdlib.h>

/* The org a task would start in: the plan row's plan's, or the ad-hoc task's (0: unknown). */
static int64_t start_org(Db *db, const TaskStartInput *in) {
    int64_t org = 0;
    int rc = DB_OK;
    if (in->plan_task > 0)
        rc = db_query_int(
            db, &org,
            "SELECT p.org_id FROM plan_task t JOIN plan_version pv ON pv.id = t.version_id "
            "JOIN plan p ON p.id = pv.plan_id WHERE t.id = ?",
            "i", in->plan_task);
    else if (in->adhoc > 0)
        rc = db_query_int(db, &org, "SELECT org_id FROM plan_adhoc WHERE id = ?", "i", in->adhoc);
    return rc == DB_OK ? org : 0; /* unreadable: unknown, so the start is refused */
}

/* Ends the unit: on rc TASK_OK writes the audit row (before as given, after the task's snapshot
 * now) and commits; otherwise, or when either fails, rolls back. Returns the final result. */
static int finish(Db *db, const Actor *who, int rc, const char *action, int64_t task_id,
                  const char *before, char **why) {
    char *after = rc == TASK_OK && task_id ? task_audit_snapshot(db, task_id) : NULL;
    if (rc == TASK_OK && uow_audit(db, who, action, "task", task_id, 0, before, after, why))
        rc = (set_err(why, "审计日志写入失败"), TASK_ERR);
    if (!uow_end(db, rc == TASK_OK, why) && rc == TASK_OK) rc = TASK_ERR;
    free(after);
    return rc;
}

/* What a task's start locks (uow.h's order): a plan row's version (plan edits and state changes
 * wait), then the plan by name: every version of a plan gives its rows the codes "<plan
 * number>-<task no>", so one plan's starts run one after the other, and the second finds the task
 * the first started; an ad-hoc task's row. Other plans' tasks start meanwhile. 0 or -1. */
static int lock_start(Db *db, const TaskStartInput *in, char **why) {
    if (in->plan_task <= 0) return uow_lock_rows(db, "plan_adhoc", &in->adhoc, 1, why);
    int64_t version = 0, plan = 0;
    if (db_query_int(db, &version, "SELECT version_id FROM plan_task WHERE id = ?", "i",
                     in->plan_task) != DB_OK ||
        db_query_int(db, &plan, "SELECT plan_id FROM plan_version WHERE id = ?", "i", version) !=
            DB_OK)
        return set_err(why, "数据库错误：%s", db_errmsg(db)), -1;
    if (uow_lock_rows(db, "plan_version", &version, 1, why) != 0) return -1;
    return db_lock(db, "task.start.plan", plan) == DB_OK
               ? 0
               : (set_err(why, "数据库忙，请稍后重试"), -1);
}

int task_start(Db *db, const Actor *who, const TaskStartInput *in, const Calendar *cal,
               int64_t *task_id, json_t *errors, char **why) {
    *task_id = 0;
    if (scope_of(db, who->org_id, start_org(db, in)) !=
        SCOPE_WRITE) /* a task of one's own org only */
        return set_err(why, "请选择本机构年度抽查计划中已公开的抽查任务，或已批准的临时任务"),
               TASK_NOT_FOUND;
    if (uow_begin_rows(db, why)) return TASK_BUSY;
    if (lock_start(db, in, why) != 0) {
        uow_end(db, 0, NULL);
        return TASK_BUSY;
    }
    char today[11];
    clock_today(today);
    int64_t id = 0;
    int rc = in->plan_task > 0
                 ? task_start_from_plan(db, in->plan_task, cal, today, who->username, &id, why)
                 : task_start_adhoc(db, in->adhoc, in->ratio, in->scope_json, in->lead_dept,
                                    who->username, &id, errors, why);
    rc = finish(db, who, rc, "task.start", id, NULL, why);
    if (rc == TASK_OK) *task_id = id;
    return rc;
}

/* 1 when who may change task_id's scheme: a task of its own org (the console, org 0: any). An upper
 * level oversees a lower level's task; it does not edit it. */
static int own_task(Db *db, const Actor *who, int64_t task_id, char **why) {
    int64_t org = task_org(db, task_id);
    if (org > 0 && (!who->org_id || scope_of(db, who->org_id, org) == SCOPE_WRITE)) return 1;
    set_err(why, "任务不存在或不在您的管辖范围内（上级机构不能代为办理）");
    return 0;
}

int task_scheme_edit(Db *db, const Actor *who, int64_t task_id, const TaskSchemeInput *in,
                     int64_t *written, json_t *errors, char **why) {
    if (written) *written = 0;
    if (!own_task(db, who, task_id, why)) return TASK_NOT_FOUND;
    if (uow_begin_row(db, "task", task_id, why)) return TASK_BUSY;
    char *before = task_audit_snapshot(db, task_id);
    int rc = task_scheme_save(db, task_id, in, who->username, errors, why);
    rc = finish(db, who, rc, "task.scheme.save", task_id, before, why);
    free(before);
    /* task_scheme_save's UPDATE matched exactly in->version and moved it on by one */
    if (written && rc == TASK_OK) *written = in->version + 1;
    return rc;
}

int task_scheme_act(Db *db, const Actor *who, int64_t task_id, const char *action,
                    const char *opinion, char **why) {
    if (!own_task(db, who, task_id, why)) return TASK_NOT_FOUND;
    if (uow_begin_row(db, "task", task_id, why)) return TASK_BUSY;
    char *before = task_audit_snapshot(db, task_id), name[32];
    int rc = task_scheme_transition(db, task_id, action, who->username, opinion, why);
    snprintf(name, sizeof name, "task.scheme.%s", action);
    rc = finish(db, who, rc, name, task_id, before, why);
    free(before);
    return rc;
}

int task_joint_accept(Db *db, const Actor *who, int64_t task_id, int64_t dept_id,
                      const char *item_codes, const char *items_text, char **why) {
    if (!dept_id) return set_err(why, "您的账号未关联部门，请联系系统管理员"), TASK_NOT_FOUND;
    if (!task_id) return set_err(why, "任务不存在"), TASK_NOT_FOUND;
    if (uow_begin_row(db, "task", task_id, why)) return TASK_BUSY;
    char today[11];
    clock_today(today);
    int rc = task_joint_confirm(db, task_id, dept_id, item_codes, items_text, today, who->username,
                                why),
        audited = 0;
    if (rc == TASK_OK) {
        char org[24];
        snprintf(org, sizeof org, "%lld", (long long)task_org(db, task_id));
        json_t *a = json_pack("{s:I, s:s, s:s, s:s, s:s}", "dept_id", (json_int_t)dept_id,
                              "item_codes", item_codes ? item_codes : "", "items_text",
                              items_text ? items_text : "", "confirmed_on", today, "org_id", org);
        char *after = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(a);
        audited =
            uow_audit(db, who, "task.joint.confirm", "task", task_id, 0, NULL, after, why) == 0;
        free(after);
    }
    if (!uow_end(db, audited, why) && rc == TASK_OK) rc = (set_err(why, "保存失败"), TASK_ERR);
    return rc;
}
