/* test_deadline_kept.c - deadline_clock (sql/060), the deadline clocks kept by triggers, equals a
 * full recomputation from the source tables (the views deadline_clock_joint, _drawn and
 * _followup) after every kind of change a clock depends on: joint depts named, confirmed, moved
 * and removed; a draw held, voided and held again; drawn targets added, replaced and removed;
 * records created, checked, submitted, published, moved and removed; record events added, changed
 * and removed; follow-ups opened, decided, published, rechecked, closed, re-optioned and removed;
 * a task's month, lead dept, org and code changed and a task removed. Then deadline_clocks_rebuild
 * repairs a damaged table. The SQL collector reading the kept rows against the C collector is
 * test_deadline_sql.c. Runs on both drivers. */
#include "core/util.h"
#include "db/db.h"
#include "domain/deadline.h"

#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/spotcheck-test-deadline-kept-XXXXXX";
static Db *db;

static void exec(const char *sql) {
    if (db_exec(db, sql, NULL) != DB_OK) {
        fprintf(stderr, "SQL failed: %s\n%s\n", db_errmsg(db), sql);
        CHECK(0);
    }
}

/* Every row of `sql` (the columns of deadline_clock) as text, one line each, in a fixed order. */
static char *rows_text(const char *from) {
    char *sql = xasprintf("SELECT kind, k2, s, done, task_id, org_id, draw_id, target_code, "
                          "record_id, followup_id, dept_id, tie, detail, opt, rstatus FROM (%s) x "
                          "ORDER BY kind, task_id, coalesce(draw_id, 0), coalesce(target_code, "
                          "''), coalesce(followup_id, 0), dept_id, tie",
                          from);
    Stmt *st = db_prepare(db, sql);
    free(sql);
    CHECK(st != NULL);
    if (!st) return xstrdup("");
    Buf b;
    buf_init(&b);
    buf_puts(&b, "");
    while (db_step(st) == DB_ROW) {
        for (int i = 0; i < 15; i++)
            buf_printf(&b, "%s%s", i ? "|" : "", db_col_text(st, i) ? db_col_text(st, i) : "-");
        buf_puts(&b, "\n");
    }
    db_finalize(st);
    return buf_steal(&b);
}

/* The kept clocks equal the views' (printed on a difference); returns the number of rows. */
static size_t kept_match(const char *when) {
    char *kept = rows_text("SELECT * FROM deadline_clock"),
         *full = rows_text("SELECT * FROM deadline_clock_joint UNION ALL SELECT * FROM "
                           "deadline_clock_drawn UNION ALL SELECT * FROM deadline_clock_followup");
    if (!str_eq(kept, full)) {
        fprintf(stderr, "after %s:\nkept:\n%sfull:\n%s", when, kept, full);
        CHECK(0);
    }
    size_t n = 0;
    for (const char *p = full; *p; p++)
        n += *p == '\n';
    free(kept);
    free(full);
    return n;
}

/* A draw row of task `code` (draw_no no, status). */
static void draw_insert(int id, const char *code, int no, const char *status) {
    char *sql = xasprintf(
        "INSERT INTO draw(id, task_code, draw_no, status, draw_date, params, population_sha256, "
        "population_count, officers_sha256, commitment, secret, randomness_source, freeze_json, "
        "freeze_sha256, frozen_at, drawn_at) VALUES (%d, '%s', %d, '%s', '2026-03-01', '{}', 'x', "
        "1, 'x', 'x', 'x', 'x', '{}', 'x', '2026-03-01 09:00:00', '2026-03-02 10:00:00')",
        id, code, no, status);
    exec(sql);
    free(sql);
}

static void setup(void) {
    exec(t_foreign_keys_off_sql());
    exec("INSERT INTO org(id, code, name, parent_id) VALUES (1, '130500', '邢台市', NULL), "
         "(2, '130528', '宁晋县', 1), (3, '130502', '襄都区', 1)");
    exec("INSERT INTO dept(id, org_id, code, name, kind) VALUES (1, 2, 'D1', '基金监管股', "
         "'本局科室'), (2, 2, 'WJ', '卫生健康局', '外部门'), (3, 3, 'D3', '稽核科', '本局科室')");
    exec("INSERT INTO task(id, org_id, code, adhoc_id, name, kind, ratio, month_from, month_to, "
         "lead_dept_id) VALUES (1, 2, 'T-A', 1, '任务A', '临时', '1', '2026-01', '2026-03', 1), "
         "(2, 3, 'T-B', 2, '任务B', '临时', '1', '2026-01', '2026-04', NULL)");
    exec("INSERT INTO task_joint(task_id, dept_id, named_on, confirmed_on) VALUES "
         "(1, 2, '2026-03-02', NULL), (2, 3, '2026-03-03', '2026-03-04')");
    draw_insert(11, "T-A", 1, "已抽取");
    draw_insert(21, "T-B", 1, "已冻结");
    exec("INSERT INTO draw_target(draw_id, position, target_code, stratum, ticket, origin, status) "
         "VALUES (11, 1, 'H1', 'B', 'x', '抽中', '有效'), (11, 2, 'H2', 'B', 'x', '抽中', '有效'), "
         "(11, 3, 'H3', 'B', 'x', '抽中', '已替换'), (21, 1, 'H4', 'B', 'x', '抽中', '有效'), "
         "(21, 2, 'H5', 'B', 'x', '抽中', '有效')");
    CHECK_INT((long long)kept_match("the first rows"), 6); /* 2 joints + 2 targets x 2 */
}

static void test_draws_and_targets(void) {
    exec("UPDATE draw SET status = '已抽取' WHERE id = 21");
    CHECK_INT((long long)kept_match("a draw held"), 10);
    exec("UPDATE draw_target SET status = '已替换' WHERE draw_id = 11 AND target_code = 'H2'");
    exec("INSERT INTO draw_target(draw_id, position, target_code, stratum, ticket, origin, status) "
         "VALUES (11, 4, 'H6', 'B', 'x', '递补', '有效')");
    kept_match("a target replaced");
    exec("DELETE FROM draw_target WHERE draw_id = 21 AND target_code = 'H5'");
    kept_match("a drawn target removed");
    exec("UPDATE draw SET status = '已作废' WHERE id = 21");
    draw_insert(22, "T-B", 2, "已冻结");
    exec("INSERT INTO draw_target(draw_id, position, target_code, stratum, ticket, origin, status) "
         "VALUES (22, 1, 'H4', 'B', 'x', '抽中', '有效'), (22, 2, 'H7', 'B', 'x', '抽中', '有效')");
    kept_match("a draw voided, a redraw frozen");
    exec("UPDATE draw SET status = '已抽取' WHERE id = 22");
    CHECK_INT((long long)kept_match("the redraw held"), 10);
}

static void test_records_and_events(void) {
    exec("INSERT INTO record(id, task_id, draw_id, org_id, target_code, status) VALUES "
         "(1, 1, 11, 2, 'H1', '待录入'), (2, 1, 11, 2, 'H6', '待录入'), "
         "(3, 2, 22, 3, 'H4', '待录入')");
    kept_match("records created");
    exec("UPDATE record SET checked_on = '2026-03-10' WHERE id IN (1, 3)");
    kept_match("records checked");
    exec("UPDATE record SET status = '待审核', submitted_at = '2026-03-12 10:00:00' WHERE id = 1");
    kept_match("a record submitted");
    exec("INSERT INTO record_event(record_id, action, from_status, to_status, on_day) VALUES "
         "(1, '提交', '待录入', '待审核', '2026-03-11'), (1, '退回', '待审核', '退回', "
         "'2026-03-12')");
    kept_match("submission events");
    exec("UPDATE record SET status = '已公示', published_at = '2026-03-20 09:00:00' WHERE id = 1");
    exec("INSERT INTO record_event(record_id, action, from_status, to_status, on_day) VALUES "
         "(1, '公示', '审核通过', '已公示', '2026-03-19')");
    kept_match("a record published");
    exec("UPDATE record_event SET on_day = '2026-03-18' WHERE record_id = 1 AND action = '公示'");
    kept_match("an event's day changed");
    exec("DELETE FROM record_event WHERE record_id = 1 AND action = '提交'");
    kept_match("an event removed");
    exec("UPDATE record SET target_code = 'H9' WHERE id = 2");
    kept_match("a record moved to another target");
    exec("UPDATE record SET target_code = 'H6' WHERE id = 2");
    exec("DELETE FROM record WHERE id = 3");
    kept_match("a record removed");
}

static void test_followups(void) {
    exec("INSERT INTO followup(id, record_id, org_id, option, opened_on) VALUES "
         "(1, 1, 2, 'penalty', '2026-03-21'), (2, 1, 2, 'rectify', '2026-03-22')");
    kept_match("follow-ups opened");
    exec("UPDATE followup SET decision_on = '2026-03-25' WHERE id = 1");
    exec("UPDATE followup SET rectify_deadline = '2026-04-10' WHERE id = 2");
    kept_match("a decision and a rectification deadline");
    exec("UPDATE followup SET penalty_published_on = '2026-03-27', outcome_on = '2026-03-30' "
         "WHERE id = 1");
    exec("UPDATE followup SET recheck_on = '2026-04-09', closed_on = '2026-04-11', status = "
         "'已完结' WHERE id = 2");
    kept_match("published, rechecked and closed");
    exec("UPDATE followup SET option = 'other' WHERE id = 1");
    kept_match("another disposal option");
    exec("UPDATE record SET task_id = 2 WHERE id = 1");
    kept_match("a record's task changed");
    exec("UPDATE record SET task_id = 1 WHERE id = 1");
    exec("DELETE FROM followup WHERE id = 2");
    kept_match("a follow-up removed");
}

static void test_tasks_and_joints(void) {
    exec("UPDATE task_joint SET confirmed_on = '2026-03-03', status = '已确认' WHERE task_id = 1");
    kept_match("a joint dept confirmed");
    exec("INSERT INTO task_joint(task_id, dept_id, named_on) VALUES (1, 3, '2026-03-05')");
    exec("UPDATE task_joint SET dept_id = 1 WHERE task_id = 1 AND dept_id = 3");
    kept_match("a joint dept named and changed");
    exec("DELETE FROM task_joint WHERE task_id = 2");
    kept_match("a joint dept removed");
    exec("UPDATE task SET month_to = '2026-05' WHERE id = 1");
    kept_match("a task's month");
    exec("UPDATE task SET lead_dept_id = 3, org_id = 3 WHERE id = 1");
    kept_match("a task's lead dept and org");
    exec("UPDATE task SET code = 'T-X' WHERE id = 2");
    kept_match("a task's code (its draws no longer its own)");
    exec("UPDATE task SET code = 'T-B' WHERE id = 2");
    kept_match("the code back");
    exec("DELETE FROM task WHERE id = 2");
    kept_match("a task removed");
    CHECK(kept_match("the end") > 5);
}

static void test_rebuild(void) {
    exec("DELETE FROM deadline_clock WHERE kind = 1");
    exec("UPDATE deadline_clock SET done = '2000-01-01' WHERE kind = 4");
    CHECK_INT(deadline_clocks_rebuild(db), DB_OK);
    kept_match("a rebuild");
}

int main(void) {
    if (!mkdtemp(dir)) return 1;
    char path[300], *err = NULL;
    snprintf(path, sizeof path, "%s/k.db", dir);
    db = db_open(path, 1, &err);
    if (!db) {
        fprintf(stderr, "db_open: %s\n", err ? err : "?");
        return 1;
    }
    setup();
    RUN(test_draws_and_targets);
    RUN(test_records_and_events);
    RUN(test_followups);
    RUN(test_tasks_and_joints);
    RUN(test_rebuild);
    db_close(db);
    t_remove_db(path);
    rmdir(dir);
    return T_DONE();
}
