/* test_directory.c - the directory engine: field parsing, row checks, versioned saves, status
 * changes with reasons, and that nothing is overwritten without a history row. */
#include "core/util.h"
#include "db/db.h"
#include "domain/directory.h"
#include "t.h"

#include <stdlib.h>
#include <unistd.h>

static char db_path[] = "/tmp/spotcheck-test-dir-XXXXXX";
static Db *db;

/* Parses cells (field order) into a row, checks it and saves it; returns dir_save's result or
 * -100 - number of validation errors. */
static int save(DirContext *ctx, const char *kind, const char *const *cells, size_t n,
                DirErrors *errs_out) {
    const DirKind *k = dir_kind_find(kind);
    DirRow row = {0};
    DirErrors errs = {0};
    for (size_t i = 0; i < n; i++)
        if (cells[i]) dir_parse_field(ctx, k, (int)i, cells[i], &row, &errs);
    dir_check_row(ctx, k, &row, &errs);
    int rc;
    if (errs.n) {
        rc = -100 - (int)errs.n;
    } else {
        char *err = NULL;
        rc = dir_save(ctx, k, &row, NULL, &err);
        if (rc < 0) fprintf(stderr, "save: %s\n", err);
        free(err);
    }
    dir_row_clear(&row, k);
    if (errs_out)
        *errs_out = errs;
    else
        dir_errors_free(&errs);
    return rc;
}
#define SAVE(ctx, kind, ...)                                                                       \
    save((ctx), (kind), (const char *const[]){__VA_ARGS__},                                        \
         ARRAY_LEN(((const char *const[]){__VA_ARGS__})), NULL)

static void setup(void) {
    int fd = mkstemp(db_path);
    close(fd);
    char *err = NULL;
    db = db_open(db_path, 1, &err);
    if (!db) fprintf(stderr, "%s\n", err);
}

static void test_schema_version(void) {
    CHECK(db != NULL);
    CHECK(db_schema_version(db) >= 1);
    int64_t n = 0;
    CHECK_INT(
        db_query_int(db, &n, "SELECT length(value) FROM meta WHERE key = 'pseudonym_key'", NULL),
        DB_OK);
    CHECK_INT(n, 64);
}

static void test_reference_rows(void) {
    DirContext *ctx = dir_context_new(db, "tester", 0);
    CHECK_INT(SAVE(ctx, "orgs", "130528", "宁晋县医疗保障局", NULL), DIR_INSERTED);
    CHECK_INT(SAVE(ctx, "depts", "D1", "基金监管股", "130528", "本局科室"), DIR_INSERTED);
    CHECK_INT(SAVE(ctx, "tags", "S-MED", "临床医学", NULL, "执法人员"), DIR_INSERTED);
    /* unknown parent org, unknown dept kind */
    CHECK(SAVE(ctx, "orgs", "130529", "某县", "999999") <= -101);
    CHECK(SAVE(ctx, "depts", "D2", "某科", "130528", "外星部门") <= -101);
    /* a bad region code */
    CHECK(SAVE(ctx, "orgs", "13052", "短代码", NULL) <= -101);
    dir_context_free(ctx);
}

static void test_target_validation(void) {
    DirContext *ctx = dir_context_new(db, "tester", 0);
    DirErrors errs = {0};
    /* employer: USCC required; the valid published example is accepted, code derived from it */
    const char *ok[] = {"用人单位", NULL,     "某公司", "91110000600037341L", NULL, NULL,
                        NULL,       "130528", "130528"};
    CHECK_INT(save(ctx, "targets", ok, ARRAY_LEN(ok), NULL), DIR_INSERTED);
    char *code = NULL;
    CHECK_INT(
        db_query_text(db, &code, "SELECT code FROM target WHERE uscc = '91110000600037341L'", NULL),
        DB_OK);
    CHECK_STR(code, "91110000600037341L");
    free(code);
    /* wrong check character is rejected with a reason naming the column */
    const char *bad[] = {"用人单位", NULL,     "坏公司", "91110000600037341N", NULL, NULL,
                         NULL,       "130528", "130528"};
    CHECK(save(ctx, "targets", bad, ARRAY_LEN(bad), &errs) < -100);
    CHECK(errs.n >= 1 && errs.e[0].field == dir_field_index(dir_kind_find("targets"), "uscc"));
    dir_errors_free(&errs);
    /* ...unless the row carries an override reason */
    const char *over[] = {"用人单位",
                          NULL,
                          "坏公司",
                          "91110000600037341N",
                          NULL,
                          NULL,
                          "登记机关核发编码有误，已函询",
                          "130528",
                          "130528"};
    CHECK_INT(save(ctx, "targets", over, ARRAY_LEN(over), NULL), DIR_INSERTED);
    /* an institution needs an H code; a P code is rejected */
    const char *inst[] = {"定点医疗机构", NULL, "某医院", NULL,    "P13052800001",
                          NULL,           NULL, "130528", "130528"};
    CHECK(save(ctx, "targets", inst, ARRAY_LEN(inst), NULL) < -100);
    /* insured: pseudonym derived, never the ID number */
    const char *ins[] = {"参保人", NULL,     "张三",  NULL, NULL, "11010519491231002X",
                         NULL,     "130528", "130528"};
    CHECK_INT(save(ctx, "targets", ins, ARRAY_LEN(ins), NULL), DIR_INSERTED);
    CHECK_INT(db_query_text(db, &code, "SELECT code FROM target WHERE kind = 'insured'", NULL),
              DB_OK);
    CHECK(code && code[0] == 'R' && strlen(code) == 16 && !strstr(code, "110105"));
    free(code);
    const char *badid[] = {"参保人", NULL,     "李四",  NULL, NULL, "36042619910102009X",
                           NULL,     "130528", "130528"};
    CHECK(save(ctx, "targets", badid, ARRAY_LEN(badid), NULL) < -100);
    /* grade outside A-D, negative complaints, impossible date */
    const char *g[] = {"用人单位", NULL, "某公司", "91110000600037341L", NULL, NULL, NULL, "130528",
                       "130528",   NULL, "E"};
    CHECK(save(ctx, "targets", g, ARRAY_LEN(g), NULL) < -100);
    const char *d[] = {
        "用人单位", NULL, "某公司", "91110000600037341L", NULL, NULL, NULL, "130528", "130528",
        NULL,       "B",  NULL,     "2023-02-30"};
    CHECK(save(ctx, "targets", d, ARRAY_LEN(d), NULL) < -100);
    dir_context_free(ctx);
}

static void test_versions_kept(void) {
    DirContext *ctx = dir_context_new(db, "editor", 0);
    const char *v1[] = {"YB001",      "王五",       "130528", "D1",
                        "2023-01-01", "2027-12-31", "S-MED",  "130528"};
    CHECK_INT(save(ctx, "officers", v1, ARRAY_LEN(v1), NULL), DIR_INSERTED);
    /* same values: no new version */
    CHECK_INT(save(ctx, "officers", v1, ARRAY_LEN(v1), NULL), DIR_UNCHANGED);
    const char *v2[] = {"YB001",      "王五",       "130528", "D1",
                        "2023-01-01", "2028-12-31", "S-MED",  "130528"};
    CHECK_INT(save(ctx, "officers", v2, ARRAY_LEN(v2), NULL), DIR_UPDATED);
    int64_t version = 0, history = 0;
    CHECK_INT(
        db_query_int(db, &version, "SELECT version FROM officer WHERE cert_no = 'YB001'", NULL),
        DB_OK);
    CHECK_INT(version, 2);
    CHECK_INT(
        db_query_int(
            db, &history,
            t_on_pg()
                ? "SELECT count(*) FROM entity_version WHERE entity = 'officer' AND version = "
                  "1 AND (data::json ->> 'cert_valid_to') = '2027-12-31' AND replaced_by = "
                  "'editor'"
                : "SELECT count(*) FROM entity_version WHERE entity = 'officer' AND version = "
                  "1 AND json_extract(data, '$.cert_valid_to') = '2027-12-31' AND "
                  "replaced_by = 'editor'",
            NULL),
        DB_OK);
    CHECK_INT(history, 1);
    /* tags are linked */
    int64_t links = 0;
    CHECK_INT(db_query_int(db, &links, "SELECT count(*) FROM officer_tag", NULL), DB_OK);
    CHECK_INT(links, 1);
    /* expiry before start is rejected */
    const char *bad[] = {"YB002",      "赵六",       "130528", "D1",
                         "2023-01-01", "2022-12-31", NULL,     "130528"};
    CHECK(save(ctx, "officers", bad, ARRAY_LEN(bad), NULL) < -100);
    dir_context_free(ctx);
}

static void test_status_change(void) {
    DirContext *ctx = dir_context_new(db, "editor", 0);
    const DirKind *k = dir_kind_find("officers");
    int64_t id = 0;
    CHECK_INT(db_query_int(db, &id, "SELECT id FROM officer WHERE cert_no = 'YB001'", NULL), DB_OK);
    char *err = NULL;
    CHECK_INT(dir_set_status(ctx, k, id, "离岗", NULL, &err), DB_ERR); /* reason required */
    CHECK(err && strstr(err, "原因"));
    CHECK_INT(dir_set_status(ctx, k, id, "不存在的状态", "x", &err), DB_ERR);
    CHECK_INT(dir_set_status(ctx, k, id, "离岗", "调离执法岗位", &err), DB_OK);
    free(err);
    int64_t version = 0, n = 0;
    CHECK_INT(db_query_int(db, &version, "SELECT version FROM officer WHERE id = ?", "i", id),
              DB_OK);
    CHECK_INT(version, 3);
    CHECK_INT(db_query_int(db, &n,
                           "SELECT count(*) FROM officer WHERE id = ? AND status = '离岗' AND "
                           "status_reason = '调离执法岗位'",
                           "i", id),
              DB_OK);
    CHECK_INT(n, 1);
    CHECK_INT(db_query_int(
                  db, &n,
                  "SELECT count(*) FROM entity_version WHERE entity = 'officer' AND entity_id = ?",
                  "i", id),
              DB_OK);
    CHECK_INT(n, 2);
    dir_context_free(ctx);
}

static void test_field_parsing(void) {
    DirContext *ctx = dir_context_new(db, "t", 0);
    const DirKind *k = dir_kind_find("items");
    DirRow row = {0};
    DirErrors errs = {0};
    int methods = dir_field_index(k, "methods");
    dir_parse_field(ctx, k, methods, "书面检查，实地检查、书面检查", &row, &errs);
    CHECK_INT(errs.n, 0);
    CHECK_STR(row.v[methods], "实地检查,书面检查");
    char *shown = dir_format_field(ctx, k, methods, row.v[methods]);
    CHECK_STR(shown, "实地检查、书面检查");
    free(shown);
    dir_parse_field(ctx, k, methods, "拍脑袋", &row, &errs);
    CHECK_INT(errs.n, 1);
    dir_errors_free(&errs);
    const DirKind *t = dir_kind_find("targets");
    int reg = dir_field_index(t, "registered_on");
    dir_parse_field(ctx, t, reg, "2024年1月5日", &row, &errs);
    CHECK_STR(row.v[reg], "2024-01-05");
    dir_parse_field(ctx, t, reg, "2024/2/29", &row, &errs);
    CHECK_STR(row.v[reg], "2024-02-29");
    dir_parse_field(ctx, t, reg, "2023/2/29", &row, &errs);
    CHECK_INT(errs.n, 1);
    dir_errors_free(&errs);
    dir_row_clear(&row, k);
    dir_context_free(ctx);
}

int main(void) {
    setup();
    RUN(test_schema_version);
    RUN(test_reference_rows);
    RUN(test_target_validation);
    RUN(test_versions_kept);
    RUN(test_status_change);
    RUN(test_field_parsing);
    db_close(db);
    t_remove_db(db_path);
    return T_DONE();
}
