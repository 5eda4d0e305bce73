/* record_query.c - read-only questions about record forms (see record_query.h). The record,
 * review and deadline pages (src/web/page_record*.c, page_result*.c, page_dash.c) ask here
 * instead of holding SQL; the jurisdiction is applied with SCOPE_SQL on the org they pass. */
#include "record_query.h"

#include "../core/util.h"
#include "deadline.h"
#include "record.h"
#include "scope.h"

#include <stdlib.h>

int64_t record_org(Db *db, int64_t id) {
    int64_t org = 0;
    if (id > 0 &&
        db_query_int(db, &org, "SELECT org_id FROM record WHERE id = ?", "i", id) != DB_OK)
        return 0; /* as absent */
    return org;
}

int record_officer_in_group(Db *db, int64_t id, const char *cert) {
    int64_t n = 0;
    if (cert &&
        db_query_int(
            db, &n,
            "SELECT count(*) FROM record rc JOIN draw_member m ON m.draw_id = rc.draw_id AND "
            "m.target_code = rc.target_code WHERE rc.id = ? AND m.member_code = ? AND m.status = "
            "'在组'",
            "it", id, cert) != DB_OK)
        return 0; /* unreadable: not in the group */
    return n != 0;
}

int record_file_meta(Db *db, int64_t rid, int64_t fid, char **mime, char **sha256, char **kind) {
    *mime = *sha256 = *kind = NULL;
    Stmt *st =
        db_prepare(db, "SELECT mime, sha256, kind FROM record_file WHERE id = ? AND record_id = ?");
    if (!st) return -1;
    db_bind_int(st, 1, fid);
    db_bind_int(st, 2, rid);
    if (db_step(st) == DB_ROW) {
        *mime = xstrdup(db_col_text(st, 0));
        *sha256 = xstrdup(db_col_text(st, 1));
        *kind = xstrdup(db_col_text(st, 2));
    }
    db_finalize(st);
    return *mime ? 0 : -1;
}

/* The columns list_row reads, in its order; the caller adds the joins and WHERE. */
#define LIST_COLS                                                                                  \
    "SELECT rc.id, t.id, t.code, t.name, rc.target_code, coalesce(g.name, rc.target_code), "       \
    "rc.status, rc.checked_on, t.month_to, "                                                       \
    "rc.version, rc.updated_at, d.status FROM record rc JOIN task t ON t.id = rc.task_id JOIN "    \
    "draw d ON d.id = rc.draw_id "                                                                 \
    "LEFT JOIN target g ON g.code = rc.target_code "

/* One list row from the columns of LIST_COLS; the deadline only counts while the record is open. */
static json_t *list_row(Stmt *st, const Calendar *cal, const char *today) {
    char deadline[11], state[64];
    int overdue = 0;
    const char *status = db_col_text(st, 6);
    int editable = str_eq(status, "待录入") || str_eq(status, "退回");
    int drc = record_deadline(cal, db_col_text(st, 7), db_col_text(st, 8), today, deadline, state,
                              &overdue);
    json_t *row =
        json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:s, s:b}", "id",
                  (json_int_t)db_col_int(st, 0), "task_id", (json_int_t)db_col_int(st, 1),
                  "task_code", db_col_text(st, 2), "task_name", db_col_text(st, 3), "target_code",
                  db_col_text(st, 4), "target_name", db_col_text(st, 5), "status", status,
                  "checked_on", db_col_text(st, 7) ? db_col_text(st, 7) : "", "deadline", deadline,
                  "deadline_state", editable ? state : "已提交", "overdue", editable && overdue,
                  "version", (json_int_t)db_col_int(st, 9), "updated_at", db_col_text(st, 10),
                  "superseded", str_eq(db_col_text(st, 11), "已作废"));
    deadline_json_set(row, "deadline_text", "provisional", deadline, drc == CAL_PROVISIONAL);
    return row;
}

/* The rows of a prepared, bound LIST_COLS statement (finalized here). */
static json_t *list_rows(Stmt *st, const Calendar *cal, const char *today) {
    json_t *rows = json_array();
    if (!st) return rows;
    while (db_step(st) == DB_ROW)
        json_array_append_new(rows, list_row(st, cal, today));
    db_finalize(st);
    return rows;
}

/* The filter of record_list on record k: the scope, task (0: all) and status ('': all); the same
 * with the scope kept off the indexes (LIST_FILTER_WIDE); the part after the scope. */
#define LIST_REST "(? = 0 OR k.task_id = ?) AND (? = '' OR k.status = ?)"
#define LIST_FILTER SCOPE_SQL("k.org_id") " AND " LIST_REST
#define LIST_FILTER_WIDE SCOPE_SQL("+k.org_id") " AND " LIST_REST

json_t *record_list(Db *db, int64_t org_id, int64_t task_id, const char *status,
                    const Calendar *cal, const char *today, int64_t limit, int64_t offset,
                    int64_t *total) {
    const char *sf = status ? status : "";
    *total = 0;
    if (db_query_int(db, total, "SELECT count(*) FROM record k WHERE " LIST_FILTER, "iiitt", org_id,
                     task_id, task_id, sf, sf) != DB_OK)
        *total = 0;
    /* The ids of the page first, walked in the list's order in an index and stopped after the
       page (sql/062; a later draw of a task is a later row, so draw_id orders as draw_no): a
       county's own records in record_list_org; a city's or province's in record_list, keeping
       those of the scope (the unary + keeps the planner off the org indexes, which would read the
       whole scope and sort it). The target's name is then looked up for those rows only. */
    int64_t below = 1;
    int top = 1;
    scope_org_place(db, org_id, &below, &top);
    Stmt *st = db_prepare(
        db, below ? LIST_COLS "JOIN (SELECT k.id AS id FROM record k WHERE " LIST_FILTER_WIDE
                              " ORDER BY k.task_id DESC, k.draw_id DESC, k.id LIMIT ? OFFSET ?) "
                              "page ON page.id = rc.id ORDER BY t.id DESC, d.draw_no DESC, rc.id"
                  : LIST_COLS
                "JOIN (SELECT k.id AS id FROM record k WHERE k.org_id = ? AND " LIST_REST
                " ORDER BY k.task_id DESC, k.draw_id DESC, k.id LIMIT ? OFFSET ?) "
                "page ON page.id = rc.id ORDER BY t.id DESC, d.draw_no DESC, rc.id");
    if (st)
        db_bind_va(st, "iiittii", org_id, task_id, task_id, sf, sf, limit, offset > 0 ? offset : 0);
    return list_rows(st, cal, today);
}

/* The records of the officer's groups (draw_member k) in the scope. */
#define MINE_FROM                                                                                  \
    "FROM record rc JOIN draw_member m ON m.draw_id = rc.draw_id AND m.target_code = "             \
    "rc.target_code WHERE m.member_code = ? AND m.status = '在组' AND " SCOPE_SQL("rc.org_id")

json_t *record_list_mine(Db *db, int64_t org_id, const char *cert, const Calendar *cal,
                         const char *today, int64_t limit, int64_t offset, int64_t *total) {
    *total = 0;
    if (db_query_int(db, total, "SELECT count(*) " MINE_FROM, "ti", cert ? cert : "", org_id) !=
        DB_OK)
        *total = 0;
    /* the page's ids first (records and memberships only), then their rows with the names */
    Stmt *st = db_prepare(
        db, LIST_COLS "JOIN (SELECT rc.id AS id, CASE WHEN rc.status = '待录入' OR rc.status = "
                      "'退回' THEN 0 ELSE 1 END AS done, rc.task_id AS task_id " MINE_FROM
                      " ORDER BY done, rc.task_id DESC, rc.id LIMIT ? OFFSET ?) page ON page.id = "
                      "rc.id ORDER BY page.done, page.task_id DESC, rc.id");
    if (st) db_bind_va(st, "tiii", cert ? cert : "", org_id, limit, offset > 0 ? offset : 0);
    return list_rows(st, cal, today);
}

json_t *record_task_choices(Db *db, int64_t org_id, int64_t task_id) {
    json_t *a = json_array();
    Stmt *st = db_prepare(
        db,
        "SELECT t.id, t.code, t.name FROM task t WHERE " SCOPE_SQL(
            "t.org_id") " AND EXISTS (SELECT 1 FROM record rc WHERE rc.task_id = t.id) ORDER BY "
                        "t.id DESC"); /* one index probe per task, not a join of every record */
    if (!st) return a;
    db_bind_int(st, 1, org_id);
    while (db_step(st) == DB_ROW)
        json_array_append_new(a,
                              json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)db_col_int(st, 0),
                                        "code", db_col_text(st, 1), "name", db_col_text(st, 2),
                                        "selected", db_col_int(st, 0) == task_id));
    db_finalize(st);
    return a;
}

json_t *record_choices(Db *db, const char *set) {
    json_t *a = json_array();
    Stmt *st = db_prepare(db, "SELECT code, label, coalesce(parent, '') FROM refdata WHERE "
                              "set_name = ? ORDER BY position");
    if (!st) return a;
    db_bind_text(st, 1, set);
    while (db_step(st) == DB_ROW)
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "code", db_col_text(st, 0), "label",
                                           db_col_text(st, 1), "child", *db_col_text(st, 2) != 0));
    db_finalize(st);
    return a;
}

int64_t record_item_count(Db *db, int64_t id) {
    int64_t n = 0;
    if (db_query_int(db, &n, "SELECT count(*) FROM record_item WHERE record_id = ?", "i", id) !=
        DB_OK)
        return 0; /* display: no rows */
    return n;
}

void record_version_status(Db *db, int64_t id, int64_t *version, char **status) {
    *version = 0;
    if (db_query_int(db, version, "SELECT version FROM record WHERE id = ?", "i", id) != DB_OK)
        *version = 0; /* unknown: a save naming it is refused as stale */
    if (status) {
        *status = NULL;
        if (db_query_text(db, status, "SELECT status FROM record WHERE id = ?", "i", id) != DB_OK)
            *status = NULL; /* unknown, as for a missing record */
    }
}
