/* test_plan.c - the annual plan's rules: the state table, month ranges to the month, ratios, plan
 * numbers, the name rule (seed 000's example), 事项 matching keys and splitting, scope filters in
 * words; on a database: "no check outside the plan" through every state and a new version,
 * ad-hoc tasks and their approval, and the seed's 附件2 table imported from an XLSX file. */
#include "core/util.h"
#include "db/db.h"
#include "domain/plan.h"
#include "io/table.h"
#include "t.h"

#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/spotcheck-test-plan-XXXXXX";

static void test_states(void) {
    CHECK_STR(plan_next_status("草稿", PLAN_SUBMIT), "待审批");
    CHECK_STR(plan_next_status("待审批", PLAN_APPROVE), "已批准");
    CHECK_STR(plan_next_status("待审批", PLAN_RETURN), "草稿");
    CHECK_STR(plan_next_status("已批准", PLAN_PUBLISH), "已公开");
    const char *all[] = {"草稿", "待审批", "已批准", "已公开"};
    int allowed = 0;
    for (int s = 0; s < 4; s++)
        for (int a = 0; a < PLAN_ACTION_COUNT; a++)
            allowed += plan_next_status(all[s], (PlanAction)a) != NULL;
    CHECK_INT(allowed, 4); /* nothing else: no approve of a draft, no publish before approval, … */
    CHECK(plan_next_status("已公开", PLAN_SUBMIT) == NULL);
    CHECK(plan_next_status("草稿", PLAN_PUBLISH) == NULL);
    CHECK(plan_next_status(NULL, PLAN_SUBMIT) == NULL);
    CHECK_INT(plan_action_parse("return"), PLAN_RETURN);
    CHECK_INT(plan_action_parse("delete"), -1);
}

static void month_ok(const char *text, const char *from, const char *to) {
    char f[8] = "", t[8] = "", *err = NULL;
    int rc = plan_parse_month_range(text, f, t, &err);
    if (rc != 0) fprintf(stderr, "  %s: %s\n", text, err);
    CHECK_INT(rc, 0);
    CHECK_STR(f, from);
    CHECK_STR(t, to);
    free(err);
}

static void month_bad(const char *text, const char *reason_part) {
    char f[8], t[8], *err = NULL;
    CHECK_INT(plan_parse_month_range(text, f, t, &err), -1);
    CHECK(err && strstr(err, reason_part));
    if (err && !strstr(err, reason_part)) fprintf(stderr, "  %s: %s\n", text, err);
    free(err);
}

static void test_month_range(void) {
    month_ok("2025年3月至10月", "2025-03", "2025-10"); /* the seed */
    month_ok("2025年3月至2025年10月", "2025-03", "2025-10");
    month_ok("2025年3-10月", "2025-03", "2025-10");
    month_ok("2025年6月", "2025-06", "2025-06");
    month_ok("2025-03..2025-10", "2025-03", "2025-10");
    month_ok("2025-03至2025-10", "2025-03", "2025-10");
    month_ok("2025.3-2025.10", "2025-03", "2025-10");
    month_ok(" 2025年11月至2026年2月 ", "2025-11", "2026-02");
    month_ok("2025-07", "2025-07", "2025-07");
    month_bad("", "请填写");
    month_bad(NULL, "请填写");
    month_bad("2025年", "必须填到月份");
    month_bad("2025年全年", "必须填到月份");
    month_bad("2025年上半年", "必须填到月份");
    month_bad("2025年3月1日至10月31日", "只填到月份");
    month_bad("2025年10月至3月", "早于");
    month_bad("2025年13月", "1 至 12");
    month_bad("2025年0月", "1 至 12");
    month_bad("2025-03-05", "必须填到月份"); /* a date, not a range of months */
    month_bad("3月至10月", "必须填到月份");  /* no year */
    month_bad("2025年3月至10月至12月", "如 2025年3月至10月");
    char *s = plan_month_range_text("2025-03", "2025-10");
    CHECK_STR(s, "2025年3月至10月");
    free(s);
    s = plan_month_range_text("2025-06", "2025-06");
    CHECK_STR(s, "2025年6月");
    free(s);
    s = plan_month_range_text("2025-11", "2026-02");
    CHECK_STR(s, "2025年11月至2026年2月");
    free(s);
}

static void test_kind_ratio_number_name(void) {
    CHECK_STR(plan_parse_kind("定向抽查"), "定向");
    CHECK_STR(plan_parse_kind(" 不定向抽查 "), "不定向");
    CHECK_STR(plan_parse_kind("不定向"), "不定向");
    CHECK(plan_parse_kind("随机") == NULL);
    CHECK(plan_parse_kind(NULL) == NULL);
    const char *good[] = {"10%", "3%", "0.5%", "100%", "12.25%"};
    for (size_t i = 0; i < ARRAY_LEN(good); i++)
        CHECK(plan_ratio_valid(good[i]));
    const char *bad[] = {"0%",   "0.0%", "101%", "10",       "%", "1.%",     ".5%",
                         "10%%", "10 %", "-1%",  "不低于3%", "",  "百分之十"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        if (plan_ratio_valid(bad[i])) fprintf(stderr, "  accepted ratio %s\n", bad[i]);
        CHECK(!plan_ratio_valid(bad[i]));
    }
    CHECK(plan_number_valid("2025001"));
    CHECK(plan_number_valid("XT-2025-01"));
    CHECK(!plan_number_valid(""));
    CHECK(!plan_number_valid("2025 001"));
    CHECK(!plan_number_valid("２０２５"));
    char *name = plan_make_name(2025, "邢台市医疗保障局", "定点医疗机构", 1);
    CHECK_STR(name, "2025年邢台市医疗保障局定点医疗机构随机抽查001");
    free(name);
    name = plan_make_name(2026, "宁晋县医疗保障局", "", 12);
    CHECK_STR(name, "2026年宁晋县医疗保障局随机抽查012");
    free(name);
}

static void test_items(void) {
    char *a = plan_item_key("对用人单位遵守医疗保障法律、法规情况进行监督检查"),
         *b = plan_item_key("对用人单位遵守医疗保障法律、法规情况的监督检查"),
         *c = plan_item_key("对用人单位和个人遵守医疗保障法律、法规情况进行监督检查");
    CHECK_STR(a, b);
    CHECK(strcmp(a, c) != 0);
    free(a);
    free(b);
    free(c);
    json_t *parts = plan_split_items("甲事项；乙事项;\n 丙事项 ；；");
    CHECK_INT(json_array_size(parts), 3);
    CHECK_STR(json_string_value(json_array_get(parts, 2)), "丙事项");
    json_decref(parts);
    parts = plan_split_items(
        "对用人单位和个人遵守医疗保障法律、法规情况进行监督检查；对定点医疗机构日常监督");
    CHECK_INT(json_array_size(parts), 2); /* 、 inside a name does not split */
    json_decref(parts);
}

static void test_scope(void) {
    char *err = NULL;
    json_t *s = json_pack("{s:[s], s:s, s:[s,s], s:s, s:i}", "kinds", "institution",
                          "region_prefix", "130528", "grades", "C", "D", "registered_before",
                          "2024-12-31", "complaints_min", 2);
    CHECK_INT(plan_scope_check(s, &err), 0);
    char *w = plan_scope_describe(s, NULL, NULL);
    CHECK_STR(w, "行政区划130528内的定点医疗机构（信用风险等级C、D；2024年12月31日前登记；投诉举报"
                 "不少于2次）");
    free(w);
    json_decref(s);
    s = json_object();
    w = plan_scope_describe(s, NULL, NULL);
    CHECK_STR(w, "全部检查对象");
    free(w);
    json_decref(s);
    const char *bad[] = {"{\"kinds\":[\"hospital\"]}",
                         "{\"grades\":[\"E\"]}",
                         "{\"region_prefix\":\"13a\"}",
                         "{\"registered_before\":\"2024-02-30\"}",
                         "{\"complaints_min\":-1}",
                         "{\"colour\":\"red\"}",
                         "[]"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        json_t *j = json_loads(bad[i], 0, NULL);
        CHECK_INT(plan_scope_check(j, &err), -1);
        json_decref(j);
    }
    free(err);
}

/* ---- on a database ---- */

static Db *fresh_db(const char *name) {
    char path[128], *err = NULL;
    snprintf(path, sizeof path, "%s/%s.db", dir, name);
    Db *db = db_open(path, 1, &err);
    if (!db) fprintf(stderr, "db_open: %s\n", err);
    free(err);
    if (!db) return NULL;
    db_exec(db, "INSERT INTO org(id, code, name) VALUES(1, '130500', '邢台市医疗保障局')", NULL);
    db_exec(db,
            "INSERT INTO dept(id, org_id, code, name, kind) VALUES(1, 1, 'XT1', '基金管理科', "
            "'本局科室')",
            NULL);
    db_exec(db,
            "INSERT INTO item(org_id, code, name, basis, dept_id, target_kinds, content, methods, "
            "class) VALUES "
            "(1, 'X1', '对公立医疗机构药品和高值医用耗材集中采购行为合规性的监督检查', 'b', 1, "
            "'institution', 'c', '书面检查', '一般')",
            NULL);
    return db;
}

static const PlanTaskInput seed_row = {
    .task_no = "001号",
    .name = "2025年邢台市医疗保障局定点医疗机构随机抽查工作方案",
    .kind = "定向抽查",
    .ratio = "10%",
    .items_text = "对用人单位和个人遵守医疗保障法律、法规情况进行监督检查；对定点医药机构基金使用情"
                  "况飞检；对定点医疗机构日常监督；"
                  "对公立医疗机构药品和高值医用耗材集中采购行为合规性的监督检查",
    .scope_text = "市本级定点医疗机构",
    .lead_dept = "基金管理科",
    .joint_depts = "医疗保险基金监管科",
    .period = "2025年3月至10月",
    .level = "市本级",
};

static int step(Db *db, int64_t vid, PlanAction a, const char *opinion) {
    char *err = NULL;
    int rc = plan_transition(db, vid, a, "t", opinion, &err);
    if (rc != PLAN_OK) fprintf(stderr, "  %s: %s\n", plan_action_name(a), err);
    free(err);
    return rc;
}

static int startable(Db *db, int64_t tid, const char *why_part) {
    char *why = NULL;
    int ok = plan_task_startable(db, tid, &why);
    if (why_part && (!why || !strstr(why, why_part))) {
        fprintf(stderr, "  why: %s (wanted %s)\n", why ? why : "(none)", why_part);
        ok = -2;
    }
    free(why);
    return ok;
}

static void test_startable(void) {
    Db *db = fresh_db("startable");
    if (!db) {
        CHECK(0);
        return;
    }
    json_t *errors = json_object();
    char *err = NULL;
    int64_t vid = 0, tid = 0, nvid = 0;
    int unmatched = -1;
    CHECK_INT(plan_create(db, 1, 2025, "2025001", "定点医疗机构", "t", &vid, errors, &err),
              PLAN_OK);
    CHECK_INT(plan_create(db, 1, 2025, "2025001", "", "t", NULL, errors, &err), PLAN_INVALID);
    CHECK(json_object_get(errors, "number") != NULL);
    json_object_clear(errors);
    CHECK_INT(plan_task_save(db, vid, 0, &seed_row, "t", &tid, &unmatched, errors, &err), PLAN_OK);
    CHECK_INT(unmatched, 3);
    CHECK_INT(startable(db, tid, "草稿"), 0);
    CHECK_INT(startable(db, 999999, "不在任何年度抽查计划中"), 0);
    CHECK_INT(step(db, vid, PLAN_APPROVE, NULL), PLAN_CONFLICT); /* not submitted */
    CHECK_INT(step(db, vid, PLAN_SUBMIT, NULL), PLAN_OK);
    CHECK_INT(startable(db, tid, "待审批"), 0);
    CHECK_INT(step(db, vid, PLAN_RETURN, ""), PLAN_INVALID);
    CHECK_INT(step(db, vid, PLAN_RETURN, "补充"), PLAN_OK);
    CHECK_INT(step(db, vid, PLAN_SUBMIT, NULL), PLAN_OK);
    CHECK_INT(step(db, vid, PLAN_APPROVE, NULL), PLAN_OK);
    char *op = NULL;
    CHECK_INT(db_query_text(db, &op, "SELECT opinion FROM plan_version WHERE id = ?", "i", vid),
              DB_OK);
    CHECK(op == NULL); /* the return opinion does not read as the approval's */
    free(op);
    CHECK_INT(startable(db, tid, "已批准"), 0); /* approved is not enough: it must be published */
    CHECK_INT(step(db, vid, PLAN_PUBLISH, NULL), PLAN_OK);
    CHECK_INT(startable(db, tid, NULL), 1);
    /* a new version: the published one stays in force until the new one is published */
    CHECK_INT(plan_revise(db, vid, "", "t", &nvid, &err), PLAN_INVALID);
    CHECK_INT(plan_revise(db, vid, "调整", "t", &nvid, &err), PLAN_OK);
    int64_t ntid = 0;
    CHECK_INT(db_query_int(db, &ntid, "SELECT id FROM plan_task WHERE version_id = ?", "i", nvid),
              DB_OK);
    CHECK(ntid > 0 && ntid != tid);
    CHECK_INT(startable(db, tid, NULL), 1);
    CHECK_INT(startable(db, ntid, "草稿"), 0);
    /* joint departments typed with any separator are the same list as a task reads it (listcell.h):
       "A；B" was one department in the plan row and two in the task */
    PlanTaskInput two = seed_row;
    two.task_no = "002号";
    two.joint_depts = "市场监督管理局；卫生健康委员会、市场监督管理局";
    int64_t t2 = 0;
    CHECK_INT(plan_task_save(db, nvid, 0, &two, "t", &t2, NULL, errors, &err), PLAN_OK);
    char *jd = NULL;
    CHECK_INT(db_query_text(db, &jd, "SELECT joint_depts FROM plan_task WHERE id = ?", "i", t2),
              DB_OK);
    CHECK_STR(jd, "市场监督管理局、卫生健康委员会");
    free(jd);
    CHECK_INT(plan_task_save(db, vid, tid, &seed_row, "t", NULL, NULL, errors, &err),
              PLAN_CONFLICT); /* published: no edits */
    CHECK_INT(step(db, nvid, PLAN_SUBMIT, NULL), PLAN_OK);
    CHECK_INT(step(db, nvid, PLAN_APPROVE, NULL), PLAN_OK);
    CHECK_INT(step(db, vid, PLAN_PUBLISH, NULL), PLAN_CONFLICT);
    CHECK_INT(step(db, nvid, PLAN_PUBLISH, NULL), PLAN_OK);
    CHECK_INT(startable(db, tid, "已被第2版替代"), 0);
    CHECK_INT(startable(db, ntid, NULL), 1);
    json_t *v1 = plan_version_json(db, vid), *v2 = plan_version_json(db, nvid);
    CHECK(json_is_true(json_object_get(v1, "superseded")) &&
          !json_is_true(json_object_get(v1, "in_force")));
    CHECK(json_is_true(json_object_get(v2, "in_force")));
    json_decref(v1);
    json_decref(v2);
    /* ad-hoc tasks: their own approval */
    PlanAdhocInput in = {"投诉核查", "投诉举报", "群众投诉", "X1", "某医院", "2025年6月"};
    int64_t aid = 0;
    char *why = NULL;
    CHECK_INT(plan_adhoc_create(db, 1, &in, "t", &aid, errors, &err), PLAN_OK);
    CHECK_INT(plan_adhoc_startable(db, aid, &why), 0);
    CHECK(why && strstr(why, "须经分管领导批准"));
    CHECK_INT(plan_adhoc_decide(db, aid, 0, "", "l", &err), PLAN_INVALID);
    CHECK_INT(plan_adhoc_decide(db, aid, 1, NULL, "l", &err), PLAN_OK);
    CHECK_INT(plan_adhoc_startable(db, aid, &why), 1);
    CHECK_INT(plan_adhoc_decide(db, aid, 0, "no", "l", &err), PLAN_CONFLICT);
    PlanAdhocInput bad = {"", "别的", "", "NOPE", "", "2025年"};
    CHECK_INT(plan_adhoc_create(db, 1, &bad, "t", NULL, errors, &err), PLAN_INVALID);
    CHECK_INT(json_object_size(errors), 6);
    free(why);
    free(err);
    json_decref(errors);
    db_close(db);
}

static void test_import_xlsx(void) {
    Db *db = fresh_db("import");
    if (!db) {
        CHECK(0);
        return;
    }
    char path[128], *err = NULL;
    snprintf(path, sizeof path, "%s/seed.xlsx", dir);
    TableWriter *w = table_writer_open(path, TABLE_XLSX, "附件2", &err);
    CHECK(w != NULL);
    const char *title[] = {"邢台市医疗保障局2025年度随机抽查工作计划"},
               *unit[] = {"单位（盖章）：邢台市医疗保障局"}, *date[] = {"制表时间：2024年12月31日"},
               *note[] = {"以上为示例，请参照填写"};
    const char *header[] = {"抽查计划编号", "抽查计划名称", "抽查任务编号", "抽查任务名称",
                            "抽查类型",     "抽查比例",     "抽查事项",     "抽查对象范围",
                            "发起科室",     "联合科室",     "抽查时间",     "实施检查层级",
                            "备注"};
    const char *row[] = {"2025001",
                         "2025年邢台市医疗保障局定点医疗机构随机抽查工作方案001",
                         seed_row.task_no,
                         seed_row.name,
                         seed_row.kind,
                         "0.1" /* Excel keeps 10% as 0.1 */,
                         seed_row.items_text,
                         seed_row.scope_text,
                         seed_row.lead_dept,
                         seed_row.joint_depts,
                         seed_row.period,
                         seed_row.level,
                         ""};
    CHECK(w && !table_write_row(w, title, 1, &err) && !table_write_row(w, unit, 1, &err) &&
          !table_write_row(w, date, 1, &err) && !table_write_row(w, header, 13, &err) &&
          !table_write_row(w, row, 13, &err) && !table_write_row(w, note, 1, &err));
    CHECK_INT(table_writer_close(w, &err), 0);
    PlanImportReport rep;
    memset(&rep, 0, sizeof rep);
    int64_t vid = 0;
    db_begin(db);
    int rc = plan_import(db, path, 1, 2025, "t", &vid, &rep, &err);
    if (rc != PLAN_OK) fprintf(stderr, "  import: %s\n", err);
    CHECK_INT(rc, PLAN_OK);
    db_commit(db);
    CHECK_INT(rep.rows, 1);
    CHECK_INT(rep.skipped, 1);
    CHECK_INT(json_array_size(rep.warnings), 3);
    CHECK_STR(rep.number, "2025001");
    json_t *v = plan_version_json(db, vid), *t = json_array_get(json_object_get(v, "tasks"), 0);
    CHECK_STR(json_string_value(json_object_get(v, "name")),
              "2025年邢台市医疗保障局定点医疗机构随机抽查工作方案001");
    CHECK_STR(json_string_value(json_object_get(v, "unit")), "邢台市医疗保障局");
    CHECK_STR(json_string_value(json_object_get(v, "made_on")), "2024-12-31");
    CHECK_STR(json_string_value(json_object_get(t, "ratio")), "10%");
    CHECK_STR(json_string_value(json_object_get(t, "kind")), "定向");
    CHECK_STR(json_string_value(json_object_get(t, "month_from")), "2025-03");
    CHECK_STR(json_string_value(json_object_get(t, "month_to")), "2025-10");
    CHECK_STR(json_string_value(json_object_get(t, "item_codes")), "X1");
    CHECK_STR(json_string_value(json_object_get(t, "joint_depts")), "医疗保险基金监管科");
    json_decref(v);
    plan_import_report_free(&rep);
    /* a table without the header row is refused */
    snprintf(path, sizeof path, "%s/bad.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("a,b\n1,2\n", f);
    fclose(f);
    memset(&rep, 0, sizeof rep);
    db_begin(db);
    CHECK_INT(plan_import(db, path, 1, 2025, "t", NULL, &rep, &err), PLAN_INVALID);
    CHECK(err && strstr(err, "未找到表头行"));
    db_rollback(db);
    plan_import_report_free(&rep);
    free(err);
    db_close(db);
}

int main(void) {
    if (!mkdtemp(dir)) return 1;
    RUN(test_states);
    RUN(test_month_range);
    RUN(test_kind_ratio_number_name);
    RUN(test_items);
    RUN(test_scope);
    RUN(test_startable);
    RUN(test_import_xlsx);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return T_DONE();
}
