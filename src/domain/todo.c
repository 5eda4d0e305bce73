/* todo.c - the to-do list of an account (see todo.h). Each entry is one count query on an indexed
 * status column within the account's org, so the home page costs the same whatever the year's size.
 */
#include "todo.h"

#include "../core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Entries about one record or one task (the officer's and the joint dept's) are not counts. */
static int my_item(const char *kind) {
    return !strcmp(kind, "record.fill") || !strcmp(kind, "record.returned") ||
           !strcmp(kind, "joint.confirm");
}

/* Appends an entry when count > 0. due may be NULL. */
static void add(json_t *out, const char *kind, const char *title, const char *detail,
                const char *href, int64_t count, const char *due, const char *today) {
    if (count <= 0) return;
    json_t *e =
        json_pack("{s:s, s:s, s:s, s:I, s:b, s:b}", "kind", kind, "title", title, "href", href,
                  "count", (json_int_t)count, "overdue", due && today && strcmp(due, today) < 0,
                  "many", !strchr(kind, '.') ? 0 : !my_item(kind));
    if (detail) json_object_set_new(e, "detail", json_string(detail));
    if (due) json_object_set_new(e, "due", json_string(due));
    json_array_append_new(out, e);
}

/* The first column of a one-row query bound with the org (and more by types). 0 on an error. */
static int64_t count_of(Db *db, const char *sql, const char *types, int64_t a, int64_t b) {
    int64_t n = 0;
    int rc =
        !types[1] ? db_query_int(db, &n, sql, types, a) : db_query_int(db, &n, sql, types, a, b);
    return rc == DB_OK ? n : 0;
}

static void approvals(Db *db, const TodoFor *f, json_t *out) {
    int64_t org = f->org_id;
    add(out, "plan.approve", "年度抽查计划待审批", NULL, "/plans",
        count_of(db,
                 "SELECT count(*) FROM plan_version v JOIN plan p ON p.id = v.plan_id WHERE "
                 "v.status = '待审批' AND p.org_id = ?",
                 "i", org, 0),
        NULL, NULL);
    add(out, "adhoc.approve", "临时任务待审批", NULL, "/plans/adhoc",
        count_of(db, "SELECT count(*) FROM plan_adhoc WHERE status = '待审批' AND org_id = ?", "i",
                 org, 0),
        NULL, NULL);
    add(out, "scheme.approve", "实施方案待审批", NULL, "/tasks",
        count_of(db,
                 "SELECT count(*) FROM task_scheme s JOIN task t ON t.id = s.task_id WHERE "
                 "s.status = '待审批' AND t.org_id = ?",
                 "i", org, 0),
        NULL, NULL);
    add(out, "redraw.approve", "重新抽取申请待审批", NULL, "/tasks",
        count_of(db,
                 "SELECT count(*) FROM task_redraw r JOIN task t ON t.id = r.task_id WHERE "
                 "r.status = '待审批' AND t.org_id = ?",
                 "i", org, 0),
        NULL, NULL);
    add(out, "substitute.approve", "递补申请待审批", NULL, "/tasks",
        count_of(db,
                 "SELECT count(*) FROM draw_substitution r JOIN task t ON t.id = r.task_id WHERE "
                 "r.status = '待审批' AND t.org_id = ?",
                 "i", org, 0),
        NULL, NULL);
}

static void tasks(Db *db, const TodoFor *f, json_t *out) {
    int64_t org = f->org_id;
    add(out, "scheme.draft", "实施方案待完成并提交审批", "方案为草稿或已被退回", "/tasks",
        count_of(db,
                 "SELECT count(*) FROM task_scheme s JOIN task t ON t.id = s.task_id WHERE "
                 "s.status = '草稿' AND t.org_id = ?",
                 "i", org, 0),
        NULL, NULL);
    add(out, "scheme.publish", "实施方案已批准，待公开", NULL, "/tasks",
        count_of(db,
                 "SELECT count(*) FROM task_scheme s JOIN task t ON t.id = s.task_id WHERE "
                 "s.status = '已批准' AND t.org_id = ?",
                 "i", org, 0),
        NULL, NULL);
    add(out, "draw.freeze", "方案已公开，待冻结名单", NULL, "/tasks",
        count_of(db,
                 "SELECT count(*) FROM task_scheme s JOIN task t ON t.id = s.task_id WHERE "
                 "s.status = '已公开' AND t.org_id = ? "
                 "AND NOT EXISTS (SELECT 1 FROM draw d WHERE d.task_code = t.code AND d.status <> "
                 "'已作废')",
                 "i", org, 0),
        NULL, NULL);
    add(out, "draw.run", "名单已冻结，待抽取", NULL, "/tasks",
        count_of(db,
                 "SELECT count(*) FROM draw d JOIN task t ON t.code = d.task_code WHERE d.status = "
                 "'已冻结' AND t.org_id = ?",
                 "i", org, 0),
        NULL, NULL);
}

static void results(Db *db, const TodoFor *f, json_t *out) {
    int64_t org = f->org_id;
    if (f->lists & TODO_REVIEW)
        add(out, "record.review", "检查记录待审核", NULL, "/review",
            count_of(db, "SELECT count(*) FROM record WHERE status = '待审核' AND org_id = ?", "i",
                     org, 0),
            NULL, NULL);
    if (f->lists & TODO_PUBLISH)
        add(out, "result.publish", "检查结果已审核，待公示", "自检查之日起 20 个工作日内公示",
            "/results",
            count_of(db, "SELECT count(*) FROM record WHERE status = '审核通过' AND org_id = ?",
                     "i", org, 0),
            NULL, NULL);
    if (f->lists & TODO_FOLLOWUP) {
        add(out, "followup.open", "后续处置待办结", NULL, "/followups",
            count_of(db, "SELECT count(*) FROM followup WHERE status = '未完结' AND org_id = ?",
                     "i", org, 0),
            NULL, NULL);
        add(out, "followup.pending", "已公示的问题待启动后续处置", NULL, "/followups",
            count_of(db,
                     "SELECT count(*) FROM record r WHERE r.status = '已公示' AND r.findings = 1 "
                     "AND r.org_id = ? "
                     "AND NOT EXISTS (SELECT 1 FROM followup f WHERE f.record_id = r.id)",
                     "i", org, 0),
            NULL, NULL);
    }
}

/* The officer's own records: one entry per record to fill or redo, with the task and target. */
static void my_records(Db *db, const TodoFor *f, json_t *out) {
    if (!f->officer_cert) return;
    Stmt *st = db_prepare(
        db, "SELECT rc.id, rc.status, t.name, coalesce(g.name, rc.target_code), g.kind, "
            "rc.review_opinion "
            "FROM record rc JOIN task t ON t.id = rc.task_id LEFT JOIN target g ON g.code = "
            "rc.target_code "
            "WHERE rc.status IN ('待录入', '退回') AND EXISTS (SELECT 1 FROM draw_member m WHERE "
            "m.draw_id = rc.draw_id "
            "AND m.target_code = rc.target_code AND m.member_code = ? AND m.status = '在组') "
            "ORDER BY rc.status DESC, rc.id LIMIT 50");
    if (!st) return;
    db_bind_text(st, 1, f->officer_cert);
    while (db_step(st) == DB_ROW) {
        int returned = !strcmp(db_col_text(st, 1), "退回");
        int insured = db_col_text(st, 4) && !strcmp(db_col_text(st, 4), "insured");
        char *href = xasprintf("/my/records/%lld", (long long)db_col_int(st, 0));
        char *title = xasprintf("%s：%s", returned ? "退回修改" : "待录入",
                                insured ? "参保人（个人信息不显示）" : db_col_text(st, 3));
        char *detail = returned && db_col_text(st, 5)
                           ? xasprintf("%s · 审核意见：%s", db_col_text(st, 2), db_col_text(st, 5))
                           : xstrdup(db_col_text(st, 2));
        add(out, returned ? "record.returned" : "record.fill", title, detail, href, 1, NULL, NULL);
        free(href);
        free(title);
        free(detail);
    }
    db_finalize(st);
}

/* The joint dept's confirmations, each with its deadline (2 working days, stored at naming). */
static void joint(Db *db, const TodoFor *f, json_t *out) {
    if (!f->dept_id) return;
    Stmt *st = db_prepare(
        db, "SELECT t.name, j.deadline FROM task_joint j JOIN task t ON t.id = j.task_id "
            "WHERE j.dept_id = ? AND j.status = '待确认' ORDER BY j.deadline, t.id LIMIT 50");
    if (!st) return;
    db_bind_int(st, 1, f->dept_id);
    while (db_step(st) == DB_ROW) {
        char *title = xasprintf("确认参加：%s", db_col_text(st, 0));
        add(out, "joint.confirm", title, "联合检查须在期限内确认", "/joint", 1, db_col_text(st, 1),
            f->today);
        free(title);
    }
    db_finalize(st);
}

json_t *todo_list(Db *db, const TodoFor *f) {
    json_t *out = json_array();
    if (f->lists & TODO_RECORDS) my_records(db, f, out);
    if (f->lists & TODO_JOINT) joint(db, f, out);
    if (f->lists & TODO_APPROVE) approvals(db, f, out);
    if (f->lists & TODO_TASKS) tasks(db, f, out);
    if (f->lists & (TODO_REVIEW | TODO_PUBLISH | TODO_FOLLOWUP)) results(db, f, out);
    return out;
}
