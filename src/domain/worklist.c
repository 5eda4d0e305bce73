/* worklist.c - an account's work list (see worklist.h). The officer's records and the joint dept's
 * confirmations are one entry each; everything else is one count on an indexed status column within
 * the account's org (the table below), so the home page costs the same whatever the year's size;
 * the credit proposals are a count and the first ones (credit_pending), decided in SQL. */
#include "worklist.h"

#include "../core/util.h"
#include "credit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends an entry when count > 0. detail and due may be NULL. */
static void add(json_t *out, const char *kind, const char *title, const char *detail,
                const char *href, int64_t count, int many, const char *due, const char *today) {
    if (count <= 0) return;
    json_t *e = json_pack("{s:s, s:s, s:s, s:I, s:b, s:b}", "kind", kind, "title", title, "href",
                          href, "count", (json_int_t)count, "overdue",
                          due && today && strcmp(due, today) < 0, "many", many);
    if (detail) json_object_set_new(e, "detail", json_string(detail));
    if (due) json_object_set_new(e, "due", json_string(due));
    json_array_append_new(out, e);
}

/* The counted entries, in the order of the work; each query has one '?', the org. */
static const struct {
    unsigned list;
    const char *kind, *title, *detail, *href, *sql;
} counted[] = {
    {WORK_APPROVE, "plan.approve", "年度抽查计划待审批", NULL, "/plans",
     "SELECT count(*) FROM plan_version v JOIN plan p ON p.id = v.plan_id WHERE v.status = "
     "'待审批' AND p.org_id = ?"},
    {WORK_APPROVE, "adhoc.approve", "临时任务待审批", NULL, "/plans/adhoc",
     "SELECT count(*) FROM plan_adhoc WHERE status = '待审批' AND org_id = ?"},
    {WORK_APPROVE, "scheme.approve", "实施方案待审批", NULL, "/tasks",
     "SELECT count(*) FROM task_scheme s JOIN task t ON t.id = s.task_id WHERE s.status = '待审批' "
     "AND t.org_id = ?"},
    {WORK_APPROVE, "redraw.approve", "重新抽取申请待审批", NULL, "/tasks",
     "SELECT count(*) FROM task_redraw r JOIN task t ON t.id = r.task_id WHERE r.status = '待审批' "
     "AND t.org_id = ?"},
    {WORK_APPROVE, "substitute.approve", "递补申请待审批", NULL, "/tasks",
     "SELECT count(*) FROM draw_substitution r JOIN task t ON t.id = r.task_id WHERE r.status = "
     "'待审批' AND "
     "t.org_id = ?"},
    {WORK_TASKS, "scheme.draft", "实施方案待完成并提交审批", "方案为草稿或已被退回", "/tasks",
     "SELECT count(*) FROM task_scheme s JOIN task t ON t.id = s.task_id WHERE s.status = '草稿' "
     "AND t.org_id = ?"},
    {WORK_TASKS, "scheme.publish", "实施方案已批准，待公开", NULL, "/tasks",
     "SELECT count(*) FROM task_scheme s JOIN task t ON t.id = s.task_id WHERE s.status = '已批准' "
     "AND t.org_id = ?"},
    {WORK_TASKS, "draw.freeze", "方案已公开，待冻结名单", NULL, "/tasks",
     "SELECT count(*) FROM task_scheme s JOIN task t ON t.id = s.task_id WHERE s.status = '已公开' "
     "AND t.org_id = ? "
     "AND NOT EXISTS (SELECT 1 FROM draw d WHERE d.task_code = t.code AND d.status <> '已作废')"},
    {WORK_TASKS, "draw.run", "名单已冻结，待抽取", NULL, "/tasks",
     "SELECT count(*) FROM draw d JOIN task t ON t.code = d.task_code WHERE d.status = '已冻结' "
     "AND t.org_id = ?"},
    {WORK_REVIEW, "record.review", "检查记录待审核", NULL, "/review",
     "SELECT count(*) FROM record WHERE status = '待审核' AND org_id = ?"},
    {WORK_PUBLISH, "result.publish", "检查结果已审核，待公示", "自检查之日起 20 个工作日内公示",
     "/results", "SELECT count(*) FROM record WHERE status = '审核通过' AND org_id = ?"},
    {WORK_FOLLOWUP, "followup.open", "后续处置待办结", NULL, "/followups",
     "SELECT count(*) FROM followup WHERE status = '未完结' AND org_id = ?"},
    {WORK_FOLLOWUP, "followup.pending", "已公示的问题待启动后续处置", NULL, "/followups",
     "SELECT count(*) FROM record r WHERE r.status = '已公示' AND r.findings = 1 AND r.org_id = ? "
     "AND NOT EXISTS (SELECT 1 FROM followup f WHERE f.record_id = r.id)"},
};

/* The officer's own records: one entry per record to fill or redo, with the task and target. */
static void my_records(Db *db, const WorkFor *f, json_t *out) {
    Stmt *st = db_prepare(
        db, "SELECT rc.id, rc.status, t.name, coalesce(g.name, rc.target_code), g.kind, "
            "rc.review_opinion "
            "FROM record rc JOIN task t ON t.id = rc.task_id LEFT JOIN target g ON g.code = "
            "rc.target_code "
            "WHERE rc.status IN ('待录入', '退回') AND EXISTS (SELECT 1 FROM draw_member m "
            "WHERE m.draw_id = rc.draw_id AND m.target_code = rc.target_code AND m.member_code = ? "
            "AND m.status = '在组') ORDER BY rc.status DESC, rc.id LIMIT 50");
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
        add(out, returned ? "record.returned" : "record.fill", title, detail, href, 1, 0, NULL,
            NULL);
        free(href);
        free(title);
        free(detail);
    }
    db_finalize(st);
}

/* The joint dept's confirmations, each with its deadline (2 working days, stored at naming). */
static void joint(Db *db, const WorkFor *f, json_t *out) {
    Stmt *st = db_prepare(
        db, "SELECT t.name, j.deadline FROM task_joint j JOIN task t ON t.id = j.task_id "
            "WHERE j.dept_id = ? AND j.status = '待确认' ORDER BY j.deadline, t.id LIMIT 50");
    if (!st) return;
    db_bind_int(st, 1, f->dept_id);
    while (db_step(st) == DB_ROW) {
        char *title = xasprintf("确认参加：%s", db_col_text(st, 0));
        add(out, "joint.confirm", title, "联合检查须在期限内确认", "/joint", 1, 0,
            db_col_text(st, 1), f->today);
        free(title);
    }
    db_finalize(st);
}

/* The targets whose proposed grade waits for the leader (credit_pending): the first ones each
 * with its link, then one entry counting the rest, linking the next. */
static void credit(Db *db, const WorkFor *f, json_t *out) {
    int64_t total = 0;
    json_t *list = credit_pending(db, f->org_id, WORK_CREDIT_LISTED + 1, &total), *e;
    size_t i;
    json_array_foreach(list, i, e) {
        char *href = xasprintf("/credit/%lld",
                               (long long)json_integer_value(json_object_get(e, "target_id")));
        if (i == WORK_CREDIT_LISTED) {
            add(out, "credit.confirm", "另有检查对象的信用等级建议待确认", "按对象编号依次确认",
                href, total - WORK_CREDIT_LISTED, 1, NULL, NULL);
        } else {
            const char *grade = json_string_value(json_object_get(e, "grade"));
            char *title = xasprintf("信用等级建议待确认：%s",
                                    json_string_value(json_object_get(e, "name"))),
                 *detail = xasprintf("按信用风险等级规则建议调整为 %s（现为 %s）",
                                     json_string_value(json_object_get(e, "proposed")),
                                     grade && *grade ? grade : "未评级");
            add(out, "credit.confirm", title, detail, href, 1, 0, NULL, NULL);
            free(title);
            free(detail);
        }
        free(href);
    }
    json_decref(list);
}

json_t *worklist(Db *db, const WorkFor *f) {
    json_t *out = json_array();
    if ((f->lists & WORK_RECORDS) && f->officer_cert) my_records(db, f, out);
    if ((f->lists & WORK_JOINT) && f->dept_id) joint(db, f, out);
    for (size_t i = 0; i < ARRAY_LEN(counted); i++) {
        int64_t n = 0;
        if ((f->lists & counted[i].list) &&
            db_query_int(db, &n, counted[i].sql, "i", f->org_id) == DB_OK)
            add(out, counted[i].kind, counted[i].title, counted[i].detail, counted[i].href, n, 1,
                NULL, NULL);
    }
    if (f->lists & WORK_CREDIT) credit(db, f, out);
    return out;
}
