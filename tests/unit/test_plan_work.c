/* test_plan_work.c - the plan's units of work (plan_work.h): each change commits with exactly one
 * audit row naming the actor and the plan's org, a refused change writes nothing, and the
 * jurisdiction rule holds (a sibling org sees nothing, an upper level only returns with an
 * opinion, the console reaches every org); the API's task rows in JSON; ad-hoc requests. */
#include "core/util.h"
#include "db/db.h"
#include "domain/plan_query.h"
#include "domain/plan_work.h"
#include "t.h"

#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/spotcheck-test-plan-work-XXXXXX";

static const Actor city = {.username = "city", .org_id = 1};
static const Actor county = {.username = "county", .org_id = 2};
static const Actor sibling = {.username = "other", .org_id = 3};
static const Actor console = {.username = "cli"};

static Db *fresh_db(void) {
    char path[128], *err = NULL;
    snprintf(path, sizeof path, "%s/work.db", dir);
    Db *db = db_open(path, 1, &err);
    if (!db) fprintf(stderr, "db_open: %s\n", err);
    free(err);
    if (!db) return NULL;
    db_exec(
        db,
        "INSERT INTO org(id, code, name, parent_id) VALUES(1, '130500', '邢台市医疗保障局', NULL), "
        "(2, '130528', '宁晋县医疗保障局', 1), (3, '130522', '临城县医疗保障局', 1)",
        NULL);
    db_exec(db,
            "INSERT INTO dept(id, org_id, code, name, kind) VALUES(1, 1, 'XT1', '基金管理科', "
            "'本局科室')",
            NULL);
    db_exec(db,
            "INSERT INTO item(org_id, code, name, basis, dept_id, target_kinds, content, methods, "
            "class) VALUES "
            "(1, 'X1', '对定点医药机构基金使用情况的监督检查', 'b', 1, 'institution', 'c', "
            "'书面检查', '一般')",
            NULL);
    return db;
}

static int64_t audit_count(Db *db) {
    int64_t n = -1;
    CHECK_INT(db_query_int(db, &n, "SELECT count(*) FROM audit_log", NULL), DB_OK);
    return n;
}

/* "actor|org|action|entity_id" of the last audit row (new string). */
static char *last_audit(Db *db) {
    char *s = NULL;
    CHECK_INT(
        db_query_text(
            db, &s,
            "SELECT actor || '|' || coalesce(CAST(org_id AS TEXT), '') || '|' || action || '|' || "
            "coalesce(entity_id, '') "
            "FROM audit_log ORDER BY id DESC LIMIT 1",
            NULL),
        DB_OK);
    return s;
}

static void check_last(Db *db, const char *want) {
    char *s = last_audit(db);
    CHECK_STR(s, want);
    free(s);
}

static void test_plan_units(void) {
    Db *db = fresh_db();
    if (!db) {
        CHECK(0);
        return;
    }
    json_t *errors = json_object();
    char *err = NULL;
    int64_t vid = 0, tid = 0;
    CHECK_INT(
        plan_work_create(db, &county, 2025, "2025101", "定点医药机构", NULL, &vid, errors, &err),
        PLAN_OK);
    check_last(db, "county|2|plan.create|1");
    CHECK_INT(plan_version_org(db, vid), 2);
    CHECK_INT(plan_version_by_number(db, "2025101", 0), vid);
    CHECK_INT(plan_version_by_number(db, "2025101", 2), 0);

    /* the API's task row: items as an array, scope as an object */
    json_t *task = json_pack("{s:s, s:s, s:s, s:s, s:[s], s:s, s:{s:s}, s:s, s:s}", "task_no",
                             "001号", "name", "基金使用抽查", "kind", "不定向", "ratio", "10%",
                             "items", "X1", "scope_text", "宁晋县", "scope", "region_prefix",
                             "130528", "period", "2025年3月至10月", "lead_dept", "基金管理科");
    CHECK_INT(plan_work_task_add(db, &county, vid, task, &tid, errors, &err), PLAN_OK);
    check_last(db, "county|2|plan.task.create|1");
    char *after = NULL;
    CHECK_INT(
        db_query_text(db, &after, "SELECT after FROM audit_log ORDER BY id DESC LIMIT 1", NULL),
        DB_OK);
    CHECK(after && strstr(after, "\"task_no\":\"001号\"") && strstr(after, "\"version_id\":1"));
    free(after);
    json_decref(task);

    /* a refused change writes nothing: not an array, a sibling's plan, a lower level's plan */
    int64_t n = audit_count(db), other = 0;
    json_t *not_array = json_string("x");
    CHECK_INT(plan_work_create(db, &county, 2025, "2025102", "", not_array, &other, errors, &err),
              PLAN_INVALID);
    CHECK(json_object_get(errors, "tasks") != NULL);
    CHECK_INT(plan_version_by_number(db, "2025102", 0), 0);
    json_decref(not_array);
    json_object_clear(errors);
    CHECK_INT(plan_work_transition(db, &sibling, vid, PLAN_SUBMIT, NULL, &err), PLAN_NOT_FOUND);
    CHECK(err && strstr(err, "不在您的管辖范围内"));
    CHECK_INT(plan_work_transition(db, &city, vid, PLAN_SUBMIT, NULL, &err), PLAN_CONFLICT);
    CHECK_INT(plan_work_transition(db, &county, vid, PLAN_APPROVE, NULL, &err),
              PLAN_CONFLICT); /* not submitted */
    CHECK_INT(audit_count(db), n);

    /* the upper level returns with an opinion (oversight); the console reaches every org */
    CHECK_INT(plan_work_transition(db, &county, vid, PLAN_SUBMIT, NULL, &err), PLAN_OK);
    check_last(db, "county|2|plan.submit|1");
    CHECK_INT(plan_work_transition(db, &city, vid, PLAN_RETURN, "补充", &err), PLAN_OK);
    check_last(db, "city|2|plan.return|1");
    int64_t rev = 0;
    CHECK_INT(db_query_int(db, &rev, "SELECT rev FROM plan_version WHERE id = ?", "i", vid), DB_OK);
    CHECK_INT(plan_work_update(db, &console, vid, rev, "定点医疗机构", "宁晋县医疗保障局", "",
                               errors, &err),
              PLAN_OK);
    check_last(db, "cli|2|plan.update|1");
    /* the optimistic lock: an edit made on the rev before that save is refused and writes nothing
     */
    CHECK_INT(plan_work_update(db, &console, vid, rev, "另一限定语", "", "", errors, &err),
              PLAN_STALE);
    CHECK(err && strstr(err, "已被他人修改"));
    CHECK_INT(plan_work_task_remove(db, &county, vid, rev, tid, &err), PLAN_STALE);
    CHECK_INT(plan_work_task_remove(db, &county, vid, 0, tid, &err),
              PLAN_INVALID); /* no rev named */
    CHECK_INT(audit_count(db), n + 3);
    CHECK_INT(plan_work_task_remove(db, &county, vid, rev + 1, tid, &err), PLAN_OK);
    check_last(db, "county|2|plan.task.remove|1");
    CHECK_INT(plan_work_transition(db, &county, vid, PLAN_SUBMIT, NULL, &err),
              PLAN_CONFLICT); /* no task rows */
    CHECK_INT(audit_count(db), n + 4);

    json_t *years = plan_years_json(db, 1);
    CHECK_INT(json_array_size(years), 1);
    CHECK_INT(json_integer_value(json_array_get(years, 0)), 2025);
    json_decref(years);
    years = plan_years_json(db, 3);
    CHECK_INT(json_array_size(years), 0);
    json_decref(years);
    json_t *items = plan_items_available(db, 2), *depts = plan_dept_names(db, 2);
    CHECK_INT(json_array_size(items), 1); /* the city's item, for the county below it */
    CHECK_STR(json_string_value(json_array_get(depts, 0)), "基金管理科");
    json_decref(items);
    json_decref(depts);
    free(err);
    json_decref(errors);
    db_close(db);
}

static void test_adhoc_units(void) {
    char path[128], *err = NULL;
    snprintf(path, sizeof path, "%s/work.db", dir);
    Db *db = db_open(path, 1, &err);
    if (!db) {
        CHECK(0);
        free(err);
        return;
    }
    json_t *errors = json_object();
    PlanAdhocInput in = {"投诉核查", "投诉举报", "群众投诉", "X1", "某医院", "2025年6月"};
    int64_t id = 0;
    CHECK_INT(plan_work_adhoc_create(db, &county, &in, &id, errors, &err), PLAN_OK);
    check_last(db, "county|2|plan.adhoc.create|1");
    CHECK_INT(plan_adhoc_org(db, id), 2);
    int64_t n = audit_count(db);
    CHECK_INT(plan_work_adhoc_decide(db, &sibling, id, 1, NULL, &err), PLAN_NOT_FOUND);
    CHECK_INT(plan_work_adhoc_decide(db, &county, id, 0, "", &err), PLAN_INVALID);
    CHECK_INT(plan_work_adhoc_resubmit(db, &county, id, "", &err),
              PLAN_CONFLICT); /* not returned */
    CHECK_INT(audit_count(db), n);
    CHECK_INT(plan_work_adhoc_decide(db, &county, id, 0, "请补充线索", &err), PLAN_OK);
    check_last(db, "county|2|plan.adhoc.return|1");
    CHECK_INT(plan_work_adhoc_resubmit(db, &county, id, "已补充", &err), PLAN_OK);
    check_last(db, "county|2|plan.adhoc.resubmit|1");
    char *before = NULL;
    CHECK_INT(
        db_query_text(db, &before, "SELECT before FROM audit_log ORDER BY id DESC LIMIT 1", NULL),
        DB_OK);
    CHECK(before && strstr(before, "\"status\":\"已退回\"") && strstr(before, "请补充线索"));
    free(before);
    CHECK_INT(plan_work_adhoc_decide(db, &county, id, 1, NULL, &err), PLAN_OK);
    check_last(db, "county|2|plan.adhoc.approve|1");
    free(err);
    json_decref(errors);
    db_close(db);
}

int main(void) {
    if (!mkdtemp(dir)) return 1;
    RUN(test_plan_units);
    RUN(test_adhoc_units);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return T_DONE();
}
