/* plan_query.c - read-only questions about plans and ad-hoc tasks (see plan_query.h). Called by
 * page_plan.c, page_task_adhoc.c, api_plan.c, cmd_plan.c and, for the items an org may plan,
 * plan.c's own checks. SQL is static text with bound values. */
#include "plan_query.h"

#include "scope.h"

/* The org and every org above it, as SQL with one '?' for the org id. */
#define ORG_CHAIN_SQL                                                                              \
    "(WITH RECURSIVE up(id) AS (SELECT ? UNION SELECT o.parent_id FROM org o JOIN up ON o.id = "   \
    "up.id "                                                                                       \
    "WHERE o.parent_id IS NOT NULL) SELECT id FROM up)"

int64_t plan_version_org(Db *db, int64_t vid) {
    int64_t org = 0;
    if (vid &&
        db_query_int(
            db, &org,
            "SELECT p.org_id FROM plan_version pv JOIN plan p ON p.id = pv.plan_id WHERE pv.id = ?",
            "i", vid) != DB_OK)
        return 0; /* as absent */
    return org;
}

int64_t plan_adhoc_org(Db *db, int64_t id) {
    int64_t org = 0;
    if (id &&
        db_query_int(db, &org, "SELECT org_id FROM plan_adhoc WHERE id = ?", "i", id) != DB_OK)
        return 0; /* as absent */
    return org;
}

int64_t plan_version_by_number(Db *db, const char *number, int version) {
    int64_t vid = 0;
    if (db_query_int(
            db, &vid,
            "SELECT pv.id FROM plan_version pv JOIN plan p ON p.id = pv.plan_id WHERE p.number = ? "
            "AND (? = 0 OR pv.version = ?) ORDER BY pv.version DESC LIMIT 1",
            "tii", number ? number : "", (int64_t)version, (int64_t)version) != DB_OK)
        return 0; /* as absent */
    return vid;
}

json_t *plan_years_json(Db *db, int64_t scope_org) {
    json_t *a = json_array();
    Stmt *st = db_prepare(
        db, "SELECT DISTINCT year FROM plan WHERE " SCOPE_SQL("org_id") " ORDER BY year DESC");
    if (!st) return a;
    db_bind_int(st, 1, scope_org);
    while (db_step(st) == DB_ROW)
        json_array_append_new(a, json_integer(db_col_int(st, 0)));
    db_finalize(st);
    return a;
}

/* Rows of (code, name) from a prepared statement, as [{code, name}]; finalizes st. */
static json_t *code_names(Stmt *st) {
    json_t *a = json_array();
    while (st && db_step(st) == DB_ROW)
        json_array_append_new(
            a, json_pack("{s:s, s:s}", "code", db_col_text(st, 0), "name", db_col_text(st, 1)));
    db_finalize(st);
    return a;
}

json_t *plan_items_available(Db *db, int64_t org_id) {
    Stmt *st = db_prepare(
        db, "SELECT code, name FROM item WHERE status = '启用' AND org_id IN " ORG_CHAIN_SQL
            " ORDER BY code");
    if (st) db_bind_int(st, 1, org_id);
    return code_names(st);
}

json_t *plan_scope_tags(Db *db) {
    return code_names(db_prepare(db, "SELECT code, name FROM tag WHERE status = '启用' AND "
                                     "applies_to IN ('通用', '检查对象') ORDER BY code"));
}

json_t *plan_dept_names(Db *db, int64_t org_id) {
    json_t *a = json_array();
    Stmt *st =
        db_prepare(db, "SELECT name FROM dept WHERE status = '启用' AND org_id IN " ORG_CHAIN_SQL
                       " ORDER BY kind, code");
    if (!st) return a;
    db_bind_int(st, 1, org_id);
    while (db_step(st) == DB_ROW)
        json_array_append_new(a, json_string(db_col_text(st, 0)));
    db_finalize(st);
    return a;
}
