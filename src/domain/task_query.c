/* task_query.c - read-only questions about tasks, their draws and their people (see
 * task_query.h). Callers: src/web/page_task*.c, api_task.c, page_public_task.c. */
#include "task_query.h"

#include "../core/util.h"
#include "codes.h"
#include "scope.h"
#include "task.h"

#include <stdlib.h>
#include <string.h>

int64_t task_org(Db *db, int64_t task_id) {
    int64_t org = 0;
    if (task_id &&
        db_query_int(db, &org, "SELECT org_id FROM task WHERE id = ?", "i", task_id) != DB_OK)
        return 0; /* as absent */
    return org;
}

char *task_code(Db *db, int64_t task_id) {
    char *code = NULL;
    if (db_query_text(db, &code, "SELECT code FROM task WHERE id = ?", "i", task_id) != DB_OK)
        return NULL; /* as absent */
    return code;
}

char *task_published_code(Db *db, int64_t task_id) {
    char *code = NULL;
    if (task_id &&
        db_query_text(db, &code,
                      "SELECT t.code FROM task t JOIN task_scheme s ON s.task_id = t.id WHERE t.id "
                      "= ? AND s.status = '已公开'",
                      "i", task_id) != DB_OK)
        return NULL; /* as not published */
    return code;
}

json_t *task_startable_rows(Db *db, int64_t org_id) {
    json_t *rows = json_array();
    Stmt *st = db_prepare(
        db,
        "SELECT pt.id, p.number, pv.version, pt.task_no, pt.name, pt.kind, pt.ratio FROM plan_task "
        "pt "
        "JOIN plan_version pv ON pv.id = pt.version_id JOIN plan p ON p.id = pv.plan_id "
        "WHERE pv.status = '已公开' AND pv.version = (SELECT max(x.version) FROM plan_version x "
        "WHERE x.plan_id = pv.plan_id AND x.status = '已公开') "
        "AND NOT EXISTS (SELECT 1 FROM task t WHERE t.plan_task_id = pt.id) AND " SCOPE_SQL(
            "p.org_id") " ORDER BY p.number, pt.position");
    if (!st) return rows;
    db_bind_int(st, 1, org_id);
    while (db_step(st) == DB_ROW)
        json_array_append_new(rows,
                              json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s}", "id",
                                        (json_int_t)db_col_int(st, 0), "number", db_col_text(st, 1),
                                        "version", (json_int_t)db_col_int(st, 2), "task_no",
                                        db_col_text(st, 3), "name", db_col_text(st, 4), "kind",
                                        db_col_text(st, 5), "ratio", db_col_text(st, 6)));
    db_finalize(st);
    return rows;
}

json_t *task_startable_adhoc(Db *db, int64_t org_id) {
    json_t *adhoc = json_array();
    Stmt *st = db_prepare(
        db,
        "SELECT a.id, a.code, a.name FROM plan_adhoc a WHERE a.status = '已批准' AND NOT EXISTS "
        "(SELECT 1 FROM task t WHERE t.adhoc_id = a.id) AND " SCOPE_SQL(
            "a.org_id") " ORDER BY a.code");
    if (!st) return adhoc;
    db_bind_int(st, 1, org_id);
    while (db_step(st) == DB_ROW)
        json_array_append_new(adhoc,
                              json_pack("{s:I, s:s, s:s}", "id", (json_int_t)db_col_int(st, 0),
                                        "code", db_col_text(st, 1), "name", db_col_text(st, 2)));
    db_finalize(st);
    return adhoc;
}

/* ---- the draw's people and targets ---- */

json_t *task_target_label(Db *db, const char *code, int public_view) {
    Stmt *st = db_prepare(db, "SELECT kind, name, address FROM target WHERE code = ?");
    json_t *o = json_object();
    if (!st) return o;
    db_bind_text(st, 1, code);
    if (db_step(st) == DB_ROW) {
        int insured = !strcmp(db_col_text(st, 0), "insured");
        json_object_set_new(o, "name",
                            json_string(insured ? "参保人（以化名编码标识）" : db_col_text(st, 1)));
        json_object_set_new(o, "insured", json_boolean(insured));
        if (!insured && !public_view && db_col_text(st, 2))
            json_object_set_new(o, "address", json_string(db_col_text(st, 2)));
    }
    db_finalize(st);
    return o;
}

char *task_target_name(Db *db, const char *code) {
    char *name = NULL;
    if (db_query_text(db, &name, "SELECT name FROM target WHERE code = ?", "t", code) != DB_OK)
        return NULL; /* as absent */
    return name;
}

json_t *task_member_name(Db *db, const char *cert) {
    char *n = NULL;
    if (db_query_text(db, &n, "SELECT name FROM officer WHERE cert_no = ?", "t", cert) != DB_OK ||
        (!n && db_query_text(db, &n, "SELECT name FROM expert WHERE code = ?", "t", cert) != DB_OK))
        n = NULL; /* display only: the certificate stands for the name */
    json_t *s = json_string(n ? n : cert);
    free(n);
    return s;
}

char *task_ceremony_observers(Db *db, const char *code, int64_t draw_no) {
    char *obs = NULL;
    if (db_query_text(
            db, &obs,
            "SELECT c.observers_present FROM task_ceremony c JOIN task t ON t.id = c.task_id "
            "WHERE t.code = ? AND c.draw_no = ?",
            "ti", code, draw_no) != DB_OK)
        return NULL; /* display only: as none recorded */
    return obs;
}

int64_t task_redraw_pending(Db *db, int64_t task_id, char **reason) {
    int64_t pending = 0;
    if (db_query_int(db, &pending,
                     "SELECT count(*) FROM task_redraw WHERE task_id = ? AND status = '待审批'",
                     "i", task_id) != DB_OK)
        return 0; /* display only: shown as none pending */
    if (pending && reason &&
        db_query_text(db, reason,
                      "SELECT reason FROM task_redraw WHERE task_id = ? AND status = '待审批' "
                      "ORDER BY id DESC LIMIT 1",
                      "i", task_id) != DB_OK)
        *reason = NULL; /* display only: no reason shown */
    return pending;
}

/* ---- joint departments and officers ---- */

int64_t task_user_dept(Db *db, int64_t user_id) {
    int64_t v = 0;
    if (db_query_int(db, &v, "SELECT coalesce(dept_id, 0) FROM account WHERE id = ?", "i",
                     user_id) != DB_OK)
        return 0; /* as none: no dept's rights */
    return v;
}

char *task_dept_name(Db *db, int64_t dept_id) {
    char *name = NULL;
    if (db_query_text(db, &name, "SELECT name FROM dept WHERE id = ?", "i", dept_id) != DB_OK)
        return NULL; /* as absent */
    return name;
}

json_t *task_joint_tasks(Db *db, int64_t dept_id, const char *today) {
    json_t *tasks = json_array();
    Stmt *st =
        db_prepare(db, "SELECT task_id FROM task_joint WHERE dept_id = ? ORDER BY task_id DESC");
    if (!st) return tasks;
    db_bind_int(st, 1, dept_id);
    while (db_step(st) == DB_ROW) {
        json_t *t = task_json(db, db_col_int(st, 0), today), *j, *mine = NULL;
        size_t i;
        if (!t) continue;
        json_array_foreach(json_object_get(t, "joints"), i,
                           j) if (json_integer_value(json_object_get(j, "dept_id")) == dept_id)
            mine = j;
        if (mine) json_object_set(t, "mine", mine);
        json_array_append_new(tasks, t);
    }
    db_finalize(st);
    return tasks;
}

/* The members of the group of draw_id on target, leader first: personal data (the phone) masked
 * as everywhere. */
static json_t *group_members(Db *db, int64_t draw_id, const char *target, const char *cert) {
    json_t *members = json_array();
    Stmt *ms = db_prepare(
        db, "SELECT m.member_code, m.role, coalesce(o.name, e.name, m.member_code), o.phone "
            "FROM draw_member m LEFT JOIN officer o ON o.cert_no = m.member_code "
            "LEFT JOIN expert e ON e.code = m.member_code "
            "WHERE m.draw_id = ? AND m.target_code = ? AND m.status = '在组' ORDER BY m.role <> "
            "'组长', m.member_code");
    if (!ms) return members;
    db_bind_int(ms, 1, draw_id);
    db_bind_text(ms, 2, target);
    while (db_step(ms) == DB_ROW) {
        json_t *m = json_pack("{s:s, s:s, s:s, s:b}", "cert_no", db_col_text(ms, 0), "role",
                              db_col_text(ms, 1), "name", db_col_text(ms, 2), "me",
                              !strcmp(db_col_text(ms, 0), cert));
        if (db_col_text(ms, 3)) {
            char *ph = mask_phone(db_col_text(ms, 3));
            json_object_set_new(m, "phone", json_string(ph));
            free(ph);
        }
        json_array_append_new(members, m);
    }
    db_finalize(ms);
    return members;
}

/* The officer's valid groups of drawn draws (?1 the certificate). */
#define MY_GROUPS_BASE                                                                             \
    "FROM draw_member m JOIN draw d ON d.id = m.draw_id JOIN task t ON t.code = d.task_code "      \
    "JOIN task_scheme s ON s.task_id = t.id JOIN draw_target dt ON dt.draw_id = d.id AND "         \
    "dt.target_code = m.target_code "
#define MY_GROUPS_WHERE                                                                            \
    "m.member_code = ?1 AND m.status = '在组' AND d.status = '已抽取' AND dt.status = '有效'"
/* Those whose record is in state ?2 ('' any) and whose target's name or code or task's name or
 * code contains ?3 ('' any; ?4 its containment pattern, db_like_contains). */
#define MY_GROUPS_FROM                                                                             \
    MY_GROUPS_BASE                                                                                 \
    "LEFT JOIN target g ON g.code = m.target_code LEFT JOIN record rc ON "                         \
    "rc.draw_id = m.draw_id AND rc.target_code = m.target_code WHERE " MY_GROUPS_WHERE             \
    " AND (?2 = '' OR rc.status = ?2) AND (?3 = '' OR "                                            \
    "coalesce(g.name, m.target_code) LIKE ?4 ESCAPE '\\' OR m.target_code LIKE ?4 "                \
    "ESCAPE '\\' OR t.name LIKE ?4 ESCAPE '\\' OR t.code LIKE ?4 ESCAPE '\\')"

/* The number of the officer's groups matching the filter (all of them when it is empty: counted
 * without reading each target and record); 0 when it cannot be read (a display count). */
static int64_t my_groups_count(Db *db, const char *cert, const char *state, const char *q,
                               const char *like) {
    int64_t n = 0;
    int rc =
        str_empty(state) && str_empty(q)
            ? db_query_int(db, &n, "SELECT count(*) " MY_GROUPS_BASE "WHERE " MY_GROUPS_WHERE, "t",
                           cert)
            : db_query_int(db, &n, "SELECT count(*) " MY_GROUPS_FROM, "tttt", cert, state, q, like);
    return rc == DB_OK ? n : 0;
}

/* One group of the page's row st (MY_GROUPS_FROM's columns below). */
static json_t *my_group(Db *db, Stmt *st, const char *cert) {
    json_t *members = group_members(db, db_col_int(st, 5), db_col_text(st, 3), cert);
    int insured = str_eq(db_col_text(st, 7), "insured");
    json_t *g = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "task_id",
                          (json_int_t)db_col_int(st, 0), "code", db_col_text(st, 1), "task_name",
                          db_col_text(st, 2), "target", db_col_text(st, 3), "role",
                          db_col_text(st, 4), "target_name", db_col_text(st, 6), "members", members,
                          "period", db_col_text(st, 9), "method", db_col_text(st, 10));
    if (!insured && db_col_text(st, 8))
        json_object_set_new(g, "address", json_string(db_col_text(st, 8)));
    if (!db_col_is_null(st, 11)) { /* its record, once created: the officer's form while open */
        const char *status = db_col_text(st, 12);
        json_object_set_new(g, "record_id", json_integer(db_col_int(st, 11)));
        json_object_set_new(g, "record_status", json_string(status));
        json_object_set_new(g, "record_open",
                            json_boolean(str_eq(status, "待录入") || str_eq(status, "退回")));
    }
    return g;
}

json_t *task_officer_groups(Db *db, const char *cert, const char *q, const char *state,
                            int64_t limit, int64_t offset, TaskGroupCounts *counts) {
    const char *qq = q ? q : "", *ss = state ? state : "";
    char *like = db_like_contains(qq);
    counts->all = my_groups_count(db, cert, "", "", "");
    counts->matching =
        str_empty(qq) && str_empty(ss) ? counts->all : my_groups_count(db, cert, ss, qq, like);
    json_t *groups = json_array();
    /* a page at a time: an officer of a large draw is in hundreds of groups (400 KB of cards);
     * the page's groups first (without reading targets and records unless the filter needs
     * them), then their details */
    int bare = str_empty(qq) && str_empty(ss);
    Stmt *st = db_prepare(
        db,
        bare ? "SELECT t.id, t.code, t.name, m.target_code, m.role, m.draw_id, coalesce(g.name, "
               "m.target_code), g.kind, g.address, s.period, s.method, rc.id, rc.status FROM "
               "(SELECT m.draw_id AS did, m.target_code AS tc, t.id AS tid, dt.position AS "
               "pos " MY_GROUPS_BASE "WHERE " MY_GROUPS_WHERE
               " AND ?2 = '' AND ?3 = '' AND ?4 IS NOT NULL ORDER BY t.id "
               "DESC, dt.position LIMIT ?5 OFFSET ?6) p JOIN draw_member m ON m.draw_id = "
               "p.did AND m.target_code = p.tc AND m.member_code = ?1 JOIN task t ON t.id = "
               "p.tid JOIN task_scheme s ON s.task_id = t.id LEFT JOIN target g ON g.code = "
               "m.target_code LEFT JOIN record rc ON rc.draw_id = m.draw_id AND rc.target_code "
               "= m.target_code ORDER BY p.tid DESC, p.pos"
             : "SELECT t.id, t.code, t.name, m.target_code, m.role, m.draw_id, coalesce(g.name, "
               "m.target_code), g.kind, g.address, s.period, s.method, rc.id, "
               "rc.status " MY_GROUPS_FROM " ORDER BY t.id DESC, dt.position LIMIT ?5 OFFSET ?6");
    if (st && db_bind_va(st, "ttttii", cert, ss, qq, like, limit, offset > 0 ? offset : 0) == DB_OK)
        while (db_step(st) == DB_ROW)
            json_array_append_new(groups, my_group(db, st, cert));
    db_finalize(st);
    free(like);
    return groups;
}

json_t *task_dept_items(Db *db, int64_t dept_id) {
    json_t *a = json_array();
    Stmt *st = db_prepare(db, "SELECT code, name FROM item WHERE dept_id = ? AND status = '启用' "
                              "ORDER BY code");
    if (st && db_bind_va(st, "i", dept_id) == DB_OK)
        while (db_step(st) == DB_ROW)
            json_array_append_new(
                a, json_pack("{s:s, s:s}", "code", db_col_text(st, 0), "name", db_col_text(st, 1)));
    db_finalize(st);
    return a;
}
