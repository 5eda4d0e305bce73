/* test_task_work.c - the task's units of work (src/domain/task_work.c) on a database: a task
 * starts only from a plan row of the actor's own org, once, with one audit row task.start; the
 * scheme's save and state changes write their audit row with the snapshot before and after, and
 * a refused change writes none and leaves nothing behind; a joint dept's confirmation needs an
 * account linked to a named dept. And the read-only questions of task_query.c the pages ask. */
#include "core/util.h"
#include "db/db.h"
#include "domain/plan.h"
#include "domain/task_query.h"
#include "domain/task_work.h"
#include "t.h"

#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/spotcheck-test-task-work-XXXXXX";

static Db *fresh_db(void) {
    char path[128], *err = NULL;
    snprintf(path, sizeof path, "%s/t.db", dir);
    Db *db = db_open(path, 1, &err);
    if (!db) fprintf(stderr, "db_open: %s\n", err);
    free(err);
    if (!db) return NULL;
    db_exec(db,
            "INSERT INTO org(id, code, name) VALUES(1, '130500', '邢台市医疗保障局'), (2, "
            "'130600', '保定市医疗保障局')",
            NULL);
    db_exec(db,
            "INSERT INTO dept(id, org_id, code, name, kind) VALUES(1, 1, 'XT1', '基金管理科', "
            "'本局科室'), "
            "(2, 1, 'XT2', '医疗保险基金监管科', '本局科室')",
            NULL);
    db_exec(db,
            "INSERT INTO item(org_id, code, name, basis, dept_id, target_kinds, content, methods, "
            "class) VALUES "
            "(1, 'X1', '对公立医疗机构药品和高值医用耗材集中采购行为合规性的监督检查', 'b', 1, "
            "'institution', 'c', '书面检查', '一般')",
            NULL);
    return db;
}

/* A published plan of org 1 with one task row; its id. */
static int64_t published_row(Db *db) {
    static const PlanTaskInput row = {
        .task_no = "001号",
        .name = "定点医疗机构随机抽查",
        .kind = "定向抽查",
        .ratio = "10%",
        .items_text = "对公立医疗机构药品和高值医用耗材集中采购行为合规性的监督检查",
        .scope_text = "市本级定点医疗机构",
        .lead_dept = "基金管理科",
        .joint_depts = "医疗保险基金监管科",
        .period = "2025年3月至10月",
        .level = "市本级"};
    json_t *errors = json_object();
    char *err = NULL;
    int64_t vid = 0, tid = 0;
    int unmatched = 0;
    CHECK_INT(plan_create(db, 1, 2025, "2025001", "定点医疗机构", "t", &vid, errors, &err),
              PLAN_OK);
    CHECK_INT(plan_task_save(db, vid, 0, &row, "t", &tid, &unmatched, errors, &err), PLAN_OK);
    static const PlanAction steps[] = {PLAN_SUBMIT, PLAN_APPROVE, PLAN_PUBLISH};
    for (size_t i = 0; i < 3; i++)
        CHECK_INT(plan_transition(db, vid, steps[i], "t", NULL, &err), PLAN_OK);
    free(err);
    json_decref(errors);
    return tid;
}

/* The size of a new array, released. */
static size_t size_of(json_t *a) {
    size_t n = json_array_size(a);
    json_decref(a);
    return n;
}

static int64_t audit_count(Db *db, const char *action) {
    int64_t n = -1;
    CHECK_INT(db_query_int(db, &n, "SELECT count(*) FROM audit_log WHERE action = ?", "t", action),
              DB_OK);
    return n;
}

static void test_units_of_work(void) {
    Db *db = fresh_db();
    if (!db) {
        CHECK(0);
        return;
    }
    int64_t row = published_row(db), id = 0;
    CHECK_INT(size_of(task_startable_rows(db, 1)), 1);
    CHECK_INT(size_of(task_startable_rows(db, 2)), 0); /* another city's plan */
    Actor mine = {.username = "staff1", .org_id = 1, .remote = "127.0.0.1"},
          other = {.username = "staff2", .org_id = 2};
    TaskStartInput in = {.plan_task = row};
    json_t *errors = json_object();
    char *why = NULL;
    /* another org's plan row is not there for the actor */
    CHECK_INT(task_start(db, &other, &in, NULL, &id, errors, &why), TASK_NOT_FOUND);
    CHECK(why && strstr(why, "本机构"));
    CHECK_INT(audit_count(db, "task.start"), 0);
    CHECK_INT(task_start(db, &mine, &in, NULL, &id, errors, &why), TASK_OK);
    CHECK(id > 0);
    CHECK_INT(task_org(db, id), 1);
    char *code = task_code(db, id), *pub = task_published_code(db, id), *after = NULL,
         *actor = NULL;
    CHECK_STR(code, "2025001-001号");
    CHECK(pub == NULL); /* the scheme is a draft */
    CHECK_INT(
        db_query_text(db, &after, "SELECT after FROM audit_log WHERE action = 'task.start'", NULL),
        DB_OK);
    CHECK_INT(db_query_text(
                  db, &actor,
                  "SELECT actor || '@' || org_id || '@' || entity || entity_id || '@' || remote "
                  "FROM audit_log "
                  "WHERE action = 'task.start'",
                  NULL),
              DB_OK);
    CHECK(after && strstr(after, "\"scheme_status\":\"草稿\""));
    char expect[64];
    snprintf(expect, sizeof expect, "staff1@1@task%lld@127.0.0.1", (long long)id);
    CHECK_STR(actor, expect);
    int64_t again = 0;
    CHECK_INT(task_start(db, &mine, &in, NULL, &again, errors, &why), TASK_CONFLICT); /* once */
    CHECK_INT(audit_count(db, "task.start"), 1);
    CHECK_INT(size_of(task_startable_rows(db, 1)), 0);
    /* submit needs the scheme filled: refused, nothing written */
    CHECK_INT(task_scheme_act(db, &mine, id, "submit", NULL, &why), TASK_CONFLICT);
    CHECK_INT(audit_count(db, "task.scheme.submit"), 0);
    TaskSchemeInput s = {.purpose = "核查",
                         .period = "2025年6月",
                         .group_size = "2",
                         .method = "现场检查",
                         .randomness_sources = NULL};
    CHECK_INT(task_scheme_edit(db, &mine, id, &s, NULL, errors, &why),
              TASK_INVALID); /* names no version */
    CHECK_INT(
        db_query_int(db, &s.version, "SELECT version FROM task_scheme WHERE task_id = ?", "i", id),
        DB_OK);
    Actor stranger = {.username = "s", .org_id = 999};
    CHECK_INT(task_scheme_edit(db, &stranger, id, &s, NULL, errors, &why),
              TASK_NOT_FOUND); /* not its org */
    CHECK_INT(task_scheme_act(db, &stranger, id, "submit", NULL, &why), TASK_NOT_FOUND);
    json_object_clear(errors);
    int64_t written = 0;
    CHECK_INT(task_scheme_edit(db, &mine, id, &s, &written, errors, &why), TASK_OK);
    CHECK_INT(written, s.version + 1); /* the version this save wrote */
    CHECK_INT(audit_count(db, "task.scheme.save"), 1);
    char *before = NULL;
    CHECK_INT(db_query_text(db, &before,
                            "SELECT before FROM audit_log WHERE action = 'task.scheme.save'", NULL),
              DB_OK);
    CHECK(before && strstr(before, "\"org_id\":\"1\""));
    s.group_size = "1";
    s.version++;
    CHECK_INT(task_scheme_edit(db, &mine, id, &s, NULL, errors, &why), TASK_INVALID);
    CHECK(json_object_get(errors, "group_size") != NULL);
    CHECK_INT(audit_count(db, "task.scheme.save"), 1);
    /* a joint dept: the account must be linked to a named dept */
    CHECK_INT(task_joint_accept(db, &mine, id, 0, "", "", &why), TASK_NOT_FOUND);
    CHECK(why && strstr(why, "未关联部门"));
    CHECK_INT(task_joint_accept(db, &mine, id, 1, "", "", &why),
              TASK_NOT_FOUND); /* the lead dept is not a joint dept */
    CHECK_INT(task_joint_accept(db, &mine, id, 2, "", "本科室事项", &why), TASK_OK);
    CHECK_INT(task_joint_accept(db, &mine, id, 2, "", "", &why), TASK_CONFLICT); /* once */
    CHECK_INT(audit_count(db, "task.joint.confirm"), 1);
    json_t *joint = task_joint_tasks(db, 2, "2025-06-01");
    CHECK_INT(json_array_size(joint), 1);
    CHECK_STR(json_string_value(
                  json_object_get(json_object_get(json_array_get(joint, 0), "mine"), "items_text")),
              "本科室事项");
    json_decref(joint);
    free(code), free(pub), free(after), free(actor), free(before), free(why);
    json_decref(errors);
    db_close(db);
}

int main(void) {
    if (!mkdtemp(dir)) return 1;
    RUN(test_units_of_work);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) return 1;
    return T_DONE();
}
