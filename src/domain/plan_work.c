/* plan_work.c - the annual plan's and the ad-hoc tasks' units of work (see plan_work.h): the
 * jurisdiction check, the transaction, the rule of plan.c and the audit row, in one place for the
 * plan pages (page_plan.c, page_task_adhoc.c), the plan API (api_plan.c) and `spotcheck plan`
 * (cmd_plan.c). */
#include "plan_work.h"

#include "../core/util.h"
#include "jsonkit.h"
#include "plan_query.h"
#include "scope.h"
#include "uow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const plan_hidden = "计划不存在或不在您的管辖范围内";
static const char *const adhoc_hidden = "临时任务不存在或不在您的管辖范围内";

/* Whether who may change data of org: PLAN_OK; PLAN_NOT_FOUND outside its jurisdiction (*err =
 * hidden, as if it did not exist); PLAN_CONFLICT for a lower level's data unless the change is
 * oversight. The console (org 0) reaches every org. */
static int reach(Db *db, const Actor *who, int64_t org, int oversee, const char *hidden,
                 char **err) {
    if (!who->org_id && org) return PLAN_OK;
    int where = scope_of(db, who->org_id, org);
    if (where == SCOPE_OUTSIDE) return set_err(err, "%s", hidden), PLAN_NOT_FOUND;
    if (where == SCOPE_READ && !oversee)
        return set_err(err,
                       "这是下级机构的数据：上级机构可以查阅和督查，不能代为修改，请由该机构办理"),
               PLAN_CONFLICT;
    return PLAN_OK;
}

/* A unit that numbers a new row from the numbers already taken: a new plan (its number, unique
 * across orgs, and its sequence in the org's year: plan_create, a plan import) by the name
 * "plan.number", a new ad-hoc task (its code, unique across orgs) by "plan_adhoc.code". Two such
 * units run one after the other and the second numbers after the first's commit; every other unit
 * runs beside them. */
static int begin_numbering(Db *db, const char *what, char **err) {
    if (uow_begin_rows(db, err) != 0) return PLAN_BUSY;
    if (db_lock(db, what, 0) == DB_OK) return PLAN_OK;
    db_rollback(db);
    return set_err(err, "数据库忙，请稍后重试"), PLAN_BUSY;
}

/* A unit whose rules read and change one version (its header, its task rows, its state: the
 * optimistic lock `rev` is on that row) or one ad-hoc task: that row locked (uow_begin_row), so
 * edits of other plans run beside it. A revision locks the version it is made from: only the
 * latest version is revised, so two revisions of one plan lock the same row, and the second then
 * finds it is no longer the latest. */
static int begin_on(Db *db, const char *table, int64_t id, char **err) {
    return uow_begin_row(db, table, id, err) == 0 ? PLAN_OK : PLAN_BUSY;
}

/* Ends the unit: the audit row and the commit when rc is PLAN_OK, otherwise the rollback.
 * Returns the final result. */
static int finish(Db *db, const Actor *who, int rc, const char *action, const char *entity,
                  int64_t id, const char *before, const char *after, char **err) {
    if (rc == PLAN_OK) {
        char *why = NULL;
        if (uow_audit(db, who, action, entity, id, 0, before, after, &why) != 0) {
            fprintf(stderr, "audit: %s\n", why ? why : "?");
            rc = (set_err(err, "审计日志写入失败"), PLAN_ERR);
        }
        free(why);
    }
    if (!uow_end(db, rc == PLAN_OK, err) && rc == PLAN_OK) rc = PLAN_ERR;
    return rc;
}

/* The org as the audit snapshots carry it: text. */
static void org_text(json_t *v, char out[24]) {
    snprintf(out, 24, "%lld", (long long)json_integer_value(json_object_get(v, "org_id")));
}

/* A compact audit snapshot of a version (no task rows, only their count), or NULL. */
static char *version_snapshot(Db *db, int64_t vid) {
    json_t *v = plan_version_json(db, vid);
    if (!v) return NULL;
    char org[24];
    org_text(v, org);
    json_t *s =
        json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:s, s:I}", "id", json_object_get(v, "id"),
                  "number", json_object_get(v, "number"), "version", json_object_get(v, "version"),
                  "status", json_object_get(v, "status"), "name", json_object_get(v, "name"),
                  "opinion", json_object_get(v, "opinion"), "org_id", org, "tasks",
                  (json_int_t)json_array_size(json_object_get(v, "tasks")));
    char *out = json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(s);
    json_decref(v);
    return out;
}

/* One task row of a version as audit JSON (with its org and version), or NULL. */
static char *task_snapshot(Db *db, int64_t vid, int64_t tid) {
    json_t *v = plan_version_json(db, vid), *t;
    char *out = NULL;
    size_t i;
    json_array_foreach(json_object_get(v, "tasks"), i, t) {
        if (json_integer_value(json_object_get(t, "id")) != tid) continue;
        json_t *c = json_deep_copy(t);
        char org[24];
        org_text(v, org);
        json_object_set_new(c, "org_id", json_string(org));
        json_object_set(c, "version_id", json_object_get(v, "id"));
        out = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(c);
    }
    json_decref(v);
    return out;
}

/* ---- plans and versions ---- */

char *plan_json_text(json_t *v, const char *sep) {
    if (json_is_string(v)) return xstrdup(json_string_value(v));
    if (json_is_integer(v)) return xasprintf("%lld", (long long)json_integer_value(v));
    if (json_is_object(v)) return json_dumps(v, JSON_COMPACT);
    if (json_is_array(v)) {
        Buf b;
        buf_init(&b);
        buf_puts(&b, "");
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) if (json_is_string(e))
            buf_printf(&b, "%s%s", b.len ? sep : "", json_string_value(e));
        return buf_steal(&b);
    }
    return xstrdup("");
}

/* Saves one task row given as a JSON object (the API's shape) inside the open transaction; field
 * errors go to errors under prefix + field. */
/* Saves the API's task row t as row *tid of vid (0: a new row, its id into *tid), inside the open
 * transaction; field errors under prefix+field. */
static int save_json_task(Db *db, const Actor *who, int64_t vid, json_t *t, const char *prefix,
                          json_t *errors, int64_t *tid, char **err) {
    static const char *const keys[] = {
        "task_no",    "name",      "kind",        "ratio",  "items", "items_text", "scope",
        "scope_text", "lead_dept", "joint_depts", "period", "level", "remark",     "frequency"};
    char *v[ARRAY_LEN(keys)];
    for (size_t i = 0; i < ARRAY_LEN(keys); i++)
        v[i] = plan_json_text(json_object_get(t, keys[i]), !strcmp(keys[i], "items") ? "," : "、");
    PlanTaskInput in = {v[0], v[1], v[2], v[3],  v[4],  v[5],  v[6],
                        v[7], v[8], v[9], v[10], v[11], v[12], v[13]};
    json_t *fe = json_object();
    int rc = json_is_object(t)
                 ? plan_task_save(db, vid, *tid, &in, who->username, tid, NULL, fe, err)
                 : (set_err(err, "抽查任务应为 JSON 对象"), PLAN_INVALID);
    if (!json_is_object(t)) json_object_set_new(fe, "task", json_string("抽查任务应为 JSON 对象"));
    const char *k;
    json_t *e;
    json_object_foreach(fe, k, e) {
        char *key = xasprintf("%s%s", prefix, k);
        json_object_set(errors, key, e);
        free(key);
    }
    json_decref(fe);
    for (size_t i = 0; i < ARRAY_LEN(keys); i++)
        free(v[i]);
    return rc;
}

/* The API's task rows of a new plan, inside the open transaction. */
static int save_json_tasks(Db *db, const Actor *who, int64_t vid, json_t *tasks, json_t *errors,
                           char **err) {
    int rc = PLAN_OK;
    if (!json_is_array(tasks)) {
        json_object_set_new(errors, "tasks", json_string("tasks 应为数组"));
        return PLAN_INVALID;
    }
    size_t i;
    json_t *t;
    json_array_foreach(tasks, i, t) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "tasks[%zu].", i);
        int64_t tid = 0;
        int trc = save_json_task(db, who, vid, t, prefix, errors, &tid, err);
        if (trc != PLAN_OK) rc = trc;
        if (rc != PLAN_OK && rc != PLAN_INVALID) break; /* a database error: the rest cannot help */
    }
    return rc;
}

int plan_work_create(Db *db, const Actor *who, int year, const char *number, const char *qualifier,
                     json_t *tasks, int64_t *vid, json_t *errors, char **err) {
    *vid = 0;
    int rc = begin_numbering(db, "plan.number", err);
    if (rc != PLAN_OK) return rc;
    rc = plan_create(db, who->org_id, year, number, qualifier, who->username, vid, errors, err);
    if (rc == PLAN_OK && tasks) rc = save_json_tasks(db, who, *vid, tasks, errors, err);
    char *after = rc == PLAN_OK ? version_snapshot(db, *vid) : NULL;
    rc = finish(db, who, rc, "plan.create", "plan_version", *vid, NULL, after, err);
    free(after);
    return rc;
}

int plan_work_update(Db *db, const Actor *who, int64_t vid, int64_t rev, const char *qualifier,
                     const char *unit, const char *made_on, json_t *errors, char **err) {
    int rc = reach(db, who, plan_version_org(db, vid), 0, plan_hidden, err);
    if (rc == PLAN_OK) rc = begin_on(db, "plan_version", vid, err);
    if (rc != PLAN_OK) return rc;
    char *before = version_snapshot(db, vid), *after = NULL;
    rc = plan_rev_take(db, vid, rev, 1, err);
    if (rc == PLAN_OK)
        rc = plan_update_header(db, vid, qualifier, unit, made_on, who->username, errors, err);
    if (rc == PLAN_OK) after = version_snapshot(db, vid);
    rc = finish(db, who, rc, "plan.update", "plan_version", vid, before, after, err);
    free(before);
    free(after);
    return rc;
}

int plan_work_task_save(Db *db, const Actor *who, int64_t vid, int64_t rev, int64_t tid,
                        const PlanTaskInput *in, int64_t *saved, json_t *errors, char **err) {
    int rc = reach(db, who, plan_version_org(db, vid), 0, plan_hidden, err);
    if (rc == PLAN_OK) rc = begin_on(db, "plan_version", vid, err);
    if (rc != PLAN_OK) return rc;
    int64_t id = 0;
    char *before = tid ? task_snapshot(db, vid, tid) : NULL, *after = NULL;
    rc = plan_rev_take(db, vid, rev, tid != 0,
                       err); /* a change must name its rev; a new row need not */
    if (rc == PLAN_OK) rc = plan_task_save(db, vid, tid, in, who->username, &id, NULL, errors, err);
    if (rc == PLAN_OK) after = task_snapshot(db, vid, id);
    rc = finish(db, who, rc, tid ? "plan.task.update" : "plan.task.create", "plan_task",
                id ? id : tid, before, after, err);
    free(before);
    free(after);
    if (saved) *saved = rc == PLAN_OK ? id : 0;
    return rc;
}

int plan_work_task_add(Db *db, const Actor *who, int64_t vid, json_t *task, int64_t *tid,
                       json_t *errors, char **err) {
    *tid = 0;
    int rc = reach(db, who, plan_version_org(db, vid), 0, plan_hidden, err);
    if (rc == PLAN_OK) rc = begin_on(db, "plan_version", vid, err);
    if (rc != PLAN_OK) return rc;
    rc = plan_rev_take(db, vid, json_integer_value(json_object_get(task, "rev")), 0, err);
    if (rc == PLAN_OK) rc = save_json_task(db, who, vid, task, "", errors, tid, err);
    char *after = rc == PLAN_OK ? task_snapshot(db, vid, *tid) : NULL;
    rc = finish(db, who, rc, "plan.task.create", "plan_task", *tid, NULL, after, err);
    free(after);
    return rc;
}

int plan_work_task_put(Db *db, const Actor *who, int64_t vid, int64_t tid, json_t *task,
                       int64_t *rev_written, json_t *errors, char **err) {
    *rev_written = 0;
    int rc = reach(db, who, plan_version_org(db, vid), 0, plan_hidden, err);
    if (rc == PLAN_OK) rc = begin_on(db, "plan_version", vid, err);
    if (rc != PLAN_OK) return rc;
    int64_t rev = json_integer_value(json_object_get(task, "rev")), id = tid;
    char *before = task_snapshot(db, vid, tid), *after = NULL;
    if (!before) rc = (set_err(err, "抽查任务不存在"), PLAN_NOT_FOUND);
    if (rc == PLAN_OK) rc = plan_rev_take(db, vid, rev, 1, err);
    if (rc == PLAN_OK) rc = save_json_task(db, who, vid, task, "", errors, &id, err);
    if (rc == PLAN_OK) after = task_snapshot(db, vid, id);
    rc = finish(db, who, rc, "plan.task.update", "plan_task", tid, before, after, err);
    free(before);
    free(after);
    if (rc == PLAN_OK) *rev_written = rev + 1; /* plan_rev_take moved exactly `rev` on */
    return rc;
}

int plan_work_task_remove(Db *db, const Actor *who, int64_t vid, int64_t rev, int64_t tid,
                          char **err) {
    int rc = reach(db, who, plan_version_org(db, vid), 0, plan_hidden, err);
    if (rc == PLAN_OK) rc = begin_on(db, "plan_version", vid, err);
    if (rc != PLAN_OK) return rc;
    char *before = task_snapshot(db, vid, tid);
    rc = plan_rev_take(db, vid, rev, 1, err);
    if (rc == PLAN_OK) rc = plan_task_remove(db, vid, tid, who->username, err);
    rc = finish(db, who, rc, "plan.task.remove", "plan_task", tid, before, NULL, err);
    free(before);
    return rc;
}

int plan_work_transition(Db *db, const Actor *who, int64_t vid, PlanAction a, const char *opinion,
                         char **err) {
    /* an upper level may return a lower level's plan with its opinion: oversight, not editing */
    int rc = reach(db, who, plan_version_org(db, vid), a == PLAN_RETURN, plan_hidden, err);
    if (rc == PLAN_OK) rc = begin_on(db, "plan_version", vid, err);
    if (rc != PLAN_OK) return rc;
    char *before = version_snapshot(db, vid), *after = NULL, action[32];
    rc = plan_rev_take(db, vid, 0, 0,
                       err); /* a form opened before a state change is stale after it */
    if (rc == PLAN_OK) rc = plan_transition(db, vid, a, who->username, opinion, err);
    if (rc == PLAN_OK) after = version_snapshot(db, vid);
    snprintf(action, sizeof action, "plan.%s", plan_action_name(a));
    rc = finish(db, who, rc, action, "plan_version", vid, before, after, err);
    free(before);
    free(after);
    return rc;
}

int plan_work_revise(Db *db, const Actor *who, int64_t vid, const char *reason, int64_t *new_id,
                     char **err) {
    *new_id = 0;
    int rc = reach(db, who, plan_version_org(db, vid), 0, plan_hidden, err);
    if (rc == PLAN_OK) rc = begin_on(db, "plan_version", vid, err);
    if (rc != PLAN_OK) return rc;
    int64_t nid = 0;
    char *before = version_snapshot(db, vid), *after = NULL;
    rc = plan_revise(db, vid, reason, who->username, &nid, err);
    if (rc == PLAN_OK) after = version_snapshot(db, nid);
    rc = finish(db, who, rc, "plan.revise", "plan_version", nid ? nid : vid, before, after, err);
    free(before);
    free(after);
    if (rc == PLAN_OK) *new_id = nid;
    return rc;
}

int plan_work_import(Db *db, const Actor *who, const char *path, int64_t org_id, int year,
                     int64_t *vid, PlanImportReport *rep, char **err) {
    *vid = 0;
    int rc = reach(db, who, org_id, 0, "机构不存在或不在您的管辖范围内", err);
    if (rc == PLAN_OK) rc = begin_numbering(db, "plan.number", err);
    if (rc != PLAN_OK) return rc;
    rc = plan_import(db, path, org_id, year, who->username, vid, rep, err);
    char *after = rc == PLAN_OK ? version_snapshot(db, *vid) : NULL;
    rc = finish(db, who, rc, "plan.import", "plan_version", *vid, NULL, after, err);
    free(after);
    return rc;
}

/* ---- ad-hoc tasks ---- */

int plan_work_adhoc_create(Db *db, const Actor *who, const PlanAdhocInput *in, int64_t *id,
                           json_t *errors, char **err) {
    *id = 0;
    int rc = begin_numbering(db, "plan_adhoc.code", err);
    if (rc != PLAN_OK) return rc;
    rc = plan_adhoc_create(db, who->org_id, in, who->username, id, errors, err);
    char *after = NULL;
    if (rc == PLAN_OK) {
        json_t *a = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)*id, "name",
                              in->name ? in->name : "", "status", "待审批", "items",
                              in->item_codes ? in->item_codes : "");
        after = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(a);
    }
    rc = finish(db, who, rc, "plan.adhoc.create", "plan_adhoc", *id, NULL, after, err);
    free(after);
    return rc;
}

int plan_work_adhoc_decide(Db *db, const Actor *who, int64_t id, int approve, const char *opinion,
                           char **err) {
    int64_t org = plan_adhoc_org(db, id);
    int rc = reach(db, who, org, 0, adhoc_hidden, err);
    if (rc == PLAN_OK) rc = begin_on(db, "plan_adhoc", id, err);
    if (rc != PLAN_OK) return rc;
    rc = plan_adhoc_decide(db, id, approve, opinion, who->username, err);
    char orgs[24];
    snprintf(orgs, sizeof orgs, "%lld", (long long)org);
    json_t *a = json_pack("{s:s, s:s?, s:s}", "status", approve ? "已批准" : "已退回", "opinion",
                          opinion, "org_id", orgs);
    char *after = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(a);
    rc = finish(db, who, rc, approve ? "plan.adhoc.approve" : "plan.adhoc.return", "plan_adhoc", id,
                NULL, after, err);
    free(after);
    return rc;
}

/* The row of `sql` (one '?' for the id) as compact JSON text, its columns in order as its keys and
 * every value as text (built in C with jansson, not with SQL's json_object); NULL without a row. */
static char *row_json(Db *db, const char *sql, int64_t id) {
    return jk_row_text(db, sql, id, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

int plan_work_adhoc_resubmit(Db *db, const Actor *who, int64_t id, const char *reason, char **err) {
    int rc = reach(db, who, plan_adhoc_org(db, id), 0, adhoc_hidden, err);
    if (rc == PLAN_OK) rc = begin_on(db, "plan_adhoc", id, err);
    if (rc != PLAN_OK) return rc;
    char *before = NULL, *after = NULL;
    before = row_json(db,
                      "SELECT status, reason, opinion, CAST(org_id AS TEXT) AS org_id FROM "
                      "plan_adhoc WHERE id = ?",
                      id);
    if (!before) rc = set_err(err, "%s", db_errmsg(db));
    if (rc == PLAN_OK) rc = plan_adhoc_resubmit(db, id, reason, who->username, err);
    if (rc == PLAN_OK &&
        !(after = row_json(
              db,
              "SELECT status, reason, CAST(org_id AS TEXT) AS org_id FROM plan_adhoc WHERE id = ?",
              id)))
        rc = set_err(err, "%s", db_errmsg(db));
    rc = finish(db, who, rc, "plan.adhoc.resubmit", "plan_adhoc", id, before, after, err);
    free(before);
    free(after);
    return rc;
}
