/* test_draw_standalone.c - draws under codes that are not tasks (draw_standalone.h): a step under
 * a code a task has taken is refused inside the unit, nothing written, whatever the command line
 * found when it looked before (a task may start between its look and the unit). */
#include "t.h"

#include "../../src/core/clock.h"
#include "../../src/core/util.h"
#include "../../src/db/db.h"
#include "../../src/domain/draw_standalone.h"

#include <stdlib.h>
#include <unistd.h>

static char path[] = "/tmp/test_draw_standalone_XXXXXX";
static Db *db;

static void exec(const char *sql) {
    CHECK_INT(db_exec(db, sql, NULL), DB_OK);
}

static int64_t q_int(const char *sql, const char *code) {
    int64_t n = -1;
    CHECK_INT(db_query_int(db, &n, sql, "t", code), DB_OK);
    return n;
}

/* One org with an officer and two institutions; the ad-hoc task T-TASK started. */
static int setup(void) {
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    close(fd);
    char *err = NULL;
    db = db_open(path, 1, &err);
    if (!db) fprintf(stderr, "db_open: %s\n", err ? err : "?");
    free(err);
    if (!db) return -1;
    exec("INSERT INTO org(id, code, name) VALUES (1, '130528', '宁晋县医疗保障局')");
    exec("INSERT INTO dept(id, org_id, code, name, kind) VALUES (1, 1, 'D1', '基金监管股', "
         "'本局科室')");
    exec("INSERT INTO officer(org_id, dept_id, name, cert_no, cert_valid_from, cert_valid_to, "
         "region, may_lead) VALUES (1, 1, '甲', 'YB1', '2020-01-01', '2030-12-31', '130528', 1), "
         "(1, 1, '乙', 'YB2', '2020-01-01', '2030-12-31', '130528', 1)");
    exec("INSERT INTO target(kind, code, name, org_id, region, grade, status) VALUES "
         "('institution', 'H13052800001', '医院', 1, '130528', 'B', '正常'), "
         "('institution', 'H13052800002', '卫生院', 1, '130528', 'B', '正常')");
    exec("INSERT INTO plan_adhoc(id, org_id, code, name, source, reason, month_from, month_to, "
         "status) VALUES (1, 1, 'LS2026001', '临时任务', '投诉举报', '线索', '2026-11', "
         "'2026-12', '已批准')");
    exec("INSERT INTO task(id, org_id, code, adhoc_id, name, kind, ratio, month_from, month_to) "
         "VALUES (1, 1, 'T-TASK', 1, '临时任务', '临时', '50', '2026-11', '2026-12')");
    return 0;
}

static int freeze(const char *code, char **err) {
    json_t *params = json_loads("{\"ratios\":{\"*\":\"50%\"},\"group_size\":2}", 0, NULL);
    json_t *sources =
        json_loads("[{\"kind\":\"fc3d\",\"issue\":\"2026340\",\"date\":\"2026-12-20\"}]", 0, NULL);
    DrawFreezeReq req = {.task = code,
                         .date = "2026-12-10",
                         .sources = sources,
                         .gap_hours = 24,
                         .params = params,
                         .by = "t"};
    char *fsha = NULL;
    int rc = draw_standalone_freeze(db, &req, &fsha, err);
    free(fsha);
    json_decref(params);
    json_decref(sources);
    return rc;
}

static void test_task_code_refused(void) {
    int64_t audit = q_int("SELECT count(*) FROM audit_log WHERE entity <> ?", "");
    char *err = NULL;
    CHECK(freeze("T-TASK", &err) != 0);
    CHECK(err && strstr(err, "是抽查任务的编号"));
    free(err);
    err = NULL;
    CHECK_INT(q_int("SELECT count(*) FROM draw WHERE task_code = ?", "T-TASK"), 0);
    CHECK_INT(q_int("SELECT count(*) FROM audit_log WHERE entity <> ?", ""), audit);
    json_t *dice = NULL, *values = json_loads("[\"123\"]", 0, NULL);
    CHECK(draw_standalone_dice(db, "T-TASK", values, "t", NULL, &dice, &err) != 0);
    CHECK(err && strstr(err, "是抽查任务的编号"));
    CHECK(dice == NULL);
    json_decref(values);
    free(err);
}

static void test_other_code_freezes(void) {
    char *err = NULL;
    int rc = freeze("BENCH-1", &err);
    if (rc) fprintf(stderr, "freeze: %s\n", err ? err : "?");
    CHECK_INT(rc, 0);
    free(err);
    CHECK_INT(q_int("SELECT count(*) FROM draw WHERE task_code = ?", "BENCH-1"), 1);
    CHECK_INT(q_int("SELECT count(*) FROM audit_log WHERE entity_id = ?", "BENCH-1"), 1);
}

int main(void) {
    /* the clock well before the source's date, whatever day the suite runs on */
    setenv("SPOTCHECK_TODAY", "2026-12-07", 1);
    char *err = NULL;
    if (clock_init(&err) != 0 || setup() != 0) return 1;
    RUN(test_task_code_refused);
    RUN(test_other_code_freezes);
    db_close(db);
    t_remove_db(path);
    return T_DONE();
}
