/* plan_adhoc.c - ad-hoc tasks (临时任务, see plan.h): the request outside the annual plan, the
 * 分管领导's decision, the resubmission of a returned request, whether an approved one may start,
 * and the list the pages show.
 *
 * Invariants: a request moves 待审批 → 已批准 or 已退回, and 已退回 → 待审批; nothing is deleted;
 * every function that writes runs inside the caller's transaction (plan_work.c). SQL is static
 * text with bound values. Called by plan_work.c, task.c (task_start_adhoc) and the pages. */
#include "../core/clock.h"
#include "plan.h"
#include "plan_impl.h"
#include "plan_query.h"

#include "../core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const plan_adhoc_sources[] = {"投诉举报", "上级交办", "大数据线索", "其他", NULL};

int plan_adhoc_create(Db *db, int64_t org_id, const PlanAdhocInput *in, const char *actor,
                      int64_t *id_out, json_t *errors, char **err) {
    char *name = plan_trimmed(in->name), *source = plan_trimmed(in->source),
         *reason = plan_trimmed(in->reason), *scope = plan_trimmed(in->scope_text), *msg = NULL;
    char from[8] = "", to[8] = "";
    int rc = PLAN_OK, known = 0;
    if (!*name)
        plan_field_err(errors, "name", "请填写任务名称");
    else if (utf8_len(name) > 200)
        plan_field_err(errors, "name", "任务名称不超过 200 个字");
    for (size_t i = 0; plan_adhoc_sources[i]; i++)
        known |= !strcmp(plan_adhoc_sources[i], source);
    if (!known) plan_field_err(errors, "source", "请选择任务来源");
    if (!*reason) plan_field_err(errors, "reason", "请说明临时开展检查的原因");
    if (!*scope) plan_field_err(errors, "scope_text", "请填写检查对象");
    if (plan_parse_month_range(in->period, from, to, &msg) != 0)
        plan_field_err(errors, "period", msg);
    free(msg);
    json_t *items = plan_items_available(db, org_id), *given = plan_split_list(in->item_codes);
    size_t i, j;
    json_t *e, *it;
    json_array_foreach(given, i, e) {
        int found = 0;
        json_array_foreach(items, j, it) found |=
            str_eq(json_string_value(json_object_get(it, "code")), json_string_value(e));
        if (!found) plan_field_err(errors, "items", "所选事项不在本机构可用的抽查事项清单中");
    }
    if (!json_array_size(given)) plan_field_err(errors, "items", "请至少选择一个抽查事项");
    if (json_object_size(errors)) {
        set_err(err, "数据校验未通过");
        rc = PLAN_INVALID;
    } else {
        char *codes = plan_join_list(given, ","), code[32] = "";
        for (int n = 1; n <= 9999 && !*code; n++) {
            char cand[32];
            snprintf(cand, sizeof cand, "LS%.4s%03d", from, n);
            int64_t c = 0;
            if (db_query_int(db, &c, "SELECT count(*) FROM plan_adhoc WHERE code = ?", "t", cand) !=
                DB_OK) {
                rc = set_err(err, "%s", db_errmsg(db));
                break;
            }
            if (!c) snprintf(code, sizeof code, "%s", cand);
        }
        if (rc != PLAN_OK) {
            /* no free code could be looked up: nothing is written */
        } else if (db_exec(db,
                           "INSERT INTO plan_adhoc(org_id, code, name, source, reason, item_codes, "
                           "scope_text, month_from, month_to, "
                           "status, requested_by, requested_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, "
                           "'待审批', ?, ?)",
                           "itttttttttt", org_id, code, name, source, reason, codes, scope, from,
                           to, actor, clock_stamp().s) != DB_OK)
            rc = set_err(err, "%s", db_errmsg(db));
        else if (id_out)
            *id_out = db_last_id(db);
        free(codes);
    }
    json_decref(items);
    json_decref(given);
    free(name);
    free(source);
    free(reason);
    free(scope);
    return rc;
}

/* The status of ad-hoc task id in *status (new string): PLAN_OK, PLAN_NOT_FOUND or a database
 * error, each with *err. */
static int adhoc_status(Db *db, int64_t id, char **status, char **err) {
    if (db_query_text(db, status, "SELECT status FROM plan_adhoc WHERE id = ?", "i", id) != DB_OK)
        return set_err(err, "%s", db_errmsg(db));
    if (!*status) {
        set_err(err, "临时任务不存在");
        return PLAN_NOT_FOUND;
    }
    return PLAN_OK;
}

int plan_adhoc_decide(Db *db, int64_t id, int approve, const char *opinion, const char *actor,
                      char **err) {
    char *status = NULL;
    int found = adhoc_status(db, id, &status, err);
    if (found != PLAN_OK) return found;
    int rc = PLAN_OK;
    char *op = plan_trimmed(opinion);
    if (strcmp(status, "待审批") != 0) {
        set_err(err, "临时任务当前状态为「%s」，不能再审批", status);
        rc = PLAN_CONFLICT;
    } else if (!approve && !*op) {
        set_err(err, "退回时请填写审批意见");
        rc = PLAN_INVALID;
    } else if (db_exec(
                   db,
                   "UPDATE plan_adhoc SET status = ?, opinion = ?, decided_at = ?, decided_by = ? "
                   "WHERE id = ? AND status = '待审批'",
                   "tttti", approve ? "已批准" : "已退回", *op ? op : NULL, clock_stamp().s, actor,
                   id) != DB_OK) {
        rc = set_err(err, "%s", db_errmsg(db));
    }
    free(op);
    free(status);
    return rc;
}

int plan_adhoc_resubmit(Db *db, int64_t id, const char *reason, const char *actor, char **err) {
    char *status = NULL;
    int found = adhoc_status(db, id, &status, err);
    if (found != PLAN_OK) return found;
    int rc = PLAN_OK;
    char *why = plan_trimmed(reason);
    if (strcmp(status, "已退回") != 0) {
        set_err(err, "临时任务当前状态为「%s」，只有被退回的申请可以重新提交", status);
        rc = PLAN_CONFLICT;
    } else if (utf8_len(why) > 2000) {
        set_err(err, "临时开展的原因不超过 2000 个字");
        rc = PLAN_INVALID;
    } else if (db_exec(db,
                       "UPDATE plan_adhoc SET status = '待审批', reason = CASE WHEN ? <> '' THEN ? "
                       "ELSE reason END, "
                       "requested_at = ?, requested_by = ? WHERE id = ? AND status = '已退回'",
                       "tttti", why, why, clock_stamp().s, actor, id) != DB_OK) {
        rc = set_err(err, "%s", db_errmsg(db));
    }
    free(why);
    free(status);
    return rc;
}

int plan_adhoc_startable(Db *db, int64_t id, char **why) {
    char *status = NULL;
    if (db_query_text(db, &status, "SELECT status FROM plan_adhoc WHERE id = ?", "i", id) != DB_OK)
        return set_err(why, "%s", db_errmsg(db));
    int ok = 0;
    if (!status)
        set_err(why, "临时任务不存在");
    else if (strcmp(status, "已批准") != 0)
        set_err(why, "临时任务状态为「%s」：须经分管领导批准后方可开展", status);
    else
        ok = 1;
    free(status);
    return ok;
}

json_t *plan_adhoc_list_json(Db *db, int64_t scope_org) {
    json_t *a = json_array();
    Stmt *st =
        db_prepare(db, "SELECT h.id, h.code, h.org_id, o.name, h.name, h.source, h.reason, "
                       "h.item_codes, h.scope_text, "
                       "h.month_from, h.month_to, h.status, h.opinion, h.requested_at, "
                       "h.requested_by, h.decided_at, "
                       "h.decided_by FROM plan_adhoc h JOIN org o ON o.id = h.org_id "
                       "WHERE (? = 0 OR h.org_id IN (WITH RECURSIVE sc(id) AS (SELECT ? UNION "
                       "SELECT o2.id FROM org o2 "
                       "JOIN sc ON o2.parent_id = sc.id) SELECT id FROM sc)) ORDER BY h.id DESC");
    if (!st) return a;
    db_bind_int(st, 1, scope_org);
    db_bind_int(st, 2, scope_org);
    while (db_step(st) == DB_ROW) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(db_col_int(st, 0)));
        json_object_set_new(o, "org_id", json_integer(db_col_int(st, 2)));
        static const char *const keys[] = {
            "code",         NULL,           "org_name",   "name",      "source", "reason",
            "item_codes",   "scope_text",   "month_from", "month_to",  "status", "opinion",
            "requested_at", "requested_by", "decided_at", "decided_by"};
        for (int i = 0; i < (int)ARRAY_LEN(keys); i++)
            if (keys[i]) plan_set_text(o, keys[i], st, 1 + i);
        json_object_set_new(o, "items", plan_items_named(db, db_col_text(st, 7)));
        char *period = plan_month_range_text(db_col_text(st, 9), db_col_text(st, 10));
        json_object_set_new(o, "period", json_string(period));
        free(period);
        json_object_set_new(o, "pending", json_boolean(str_eq(db_col_text(st, 11), "待审批")));
        json_object_set_new(o, "returned", json_boolean(str_eq(db_col_text(st, 11), "已退回")));
        json_array_append_new(a, o);
    }
    db_finalize(st);
    return a;
}
