/* test_dir_edit.c - the directory's units of work (dir_edit.h) and its scoped reads (dir_query.h):
 * a save or status change writes its audit row in the same transaction; an upper level reads a
 * lower level's rows but does not change them; an outsider does not see them; an update names the
 * version it read. */
#include "core/util.h"
#include "db/db.h"
#include "domain/dir_edit.h"
#include "domain/dir_query.h"
#include "t.h"

#include <stdlib.h>
#include <unistd.h>

static char db_path[] = "/tmp/spotcheck-test-dir-edit-XXXXXX";
static Db *db;
static int64_t city, ningjin, lincheng; /* org ids: the city and two counties below it */

/* Input from a NULL-terminated list of column, value pairs. */
static char *pairs_input(const DirField *f, void *arg) {
    for (const char *const *p = arg; *p; p += 2)
        if (!strcmp(p[0], f->column)) return xstrdup(p[1]);
    return NULL;
}

static int64_t org_id(const char *code) {
    int64_t id = 0;
    CHECK_INT(db_query_int(db, &id, "SELECT id FROM org WHERE code = ?", "t", code), DB_OK);
    return id;
}

static int64_t audit_count(const char *action) {
    int64_t n = 0;
    CHECK_INT(db_query_int(db, &n, "SELECT count(*) FROM audit_log WHERE action = ?", "t", action),
              DB_OK);
    return n;
}

static void seed(const char *kind, const char *const *cells, size_t n) {
    const DirKind *k = dir_kind_find(kind);
    DirContext *ctx = dir_context_new(db, "seed", 0);
    DirRow row = {0};
    DirErrors errs = {0};
    for (size_t i = 0; i < n; i++)
        if (cells[i]) dir_parse_field(ctx, k, (int)i, cells[i], &row, &errs);
    dir_check_row(ctx, k, &row, &errs);
    CHECK_INT(errs.n, 0);
    CHECK(dir_save(ctx, k, &row, NULL, NULL) == DIR_INSERTED);
    dir_row_clear(&row, k);
    dir_errors_free(&errs);
    dir_context_free(ctx);
}
#define SEED(kind, ...)                                                                            \
    seed((kind), (const char *const[]){__VA_ARGS__},                                               \
         ARRAY_LEN(((const char *const[]){__VA_ARGS__})))

static void setup(void) {
    int fd = mkstemp(db_path);
    close(fd);
    char *err = NULL;
    db = db_open(db_path, 1, &err);
    if (!db) fprintf(stderr, "%s\n", err);
    SEED("orgs", "130500", "邢台市医疗保障局", NULL);
    SEED("orgs", "130528", "宁晋县医疗保障局", "130500");
    SEED("orgs", "130522", "临城县医疗保障局", "130500");
    SEED("depts", "D1", "基金监管股", "130528", "本局科室");
    city = org_id("130500"), ningjin = org_id("130528"), lincheng = org_id("130522");
}

static const char *const officer[] = {
    "cert_no", "YB100",           "name",       "王执法",        "org_id",     "130528", "dept_id",
    "D1",      "cert_valid_from", "2024-01-01", "cert_valid_to", "2029-12-31", "region", "130528",
    "phone",   "13812345678",     NULL};

static long long officer_id;

static void test_create_is_audited(void) {
    Actor who = {.username = "staff", .org_id = ningjin};
    json_t *errors = NULL;
    long long id = 0;
    int64_t cur = 0;
    char *why = NULL;
    CHECK_INT(dir_edit_save(db, &who, dir_kind_find("officers"), 0, pairs_input, (void *)officer,
                            &errors, &id, &cur, &why),
              DIR_EDIT_OK);
    CHECK(id > 0);
    officer_id = id;
    CHECK_INT(audit_count("officer.create"), 1);
    char *after = NULL; /* the audit row masks the phone number and belongs to the row's org */
    CHECK_INT(db_query_text(db, &after,
                            "SELECT after FROM audit_log WHERE action = 'officer.create'", NULL),
              DB_OK);
    CHECK(after && !strstr(after, "13812345678"));
    int64_t org = 0;
    CHECK_INT(db_query_int(db, &org, "SELECT org_id FROM audit_log WHERE action = 'officer.create'",
                           NULL),
              DB_OK);
    CHECK_INT(org, ningjin);
    free(after);
    /* the same code again: a field error, nothing written */
    CHECK_INT(dir_edit_save(db, &who, dir_kind_find("officers"), 0, pairs_input, (void *)officer,
                            &errors, &id, &cur, &why),
              DIR_EDIT_INVALID);
    CHECK(json_object_get(errors, "cert_no") != NULL);
    json_decref(errors);
    CHECK_INT(audit_count("officer.create"), 1);
    free(why);
}

static void test_update_needs_version(void) {
    Actor who = {.username = "staff", .org_id = ningjin};
    const DirKind *k = dir_kind_find("officers");
    const char *no_version[] = {"name", "王五", NULL},
               *v1[] = {"name", "王五", "version", "1", NULL};
    json_t *errors = NULL;
    long long id = 0;
    int64_t cur = 0;
    char *why = NULL;
    CHECK_INT(
        dir_edit_save(db, &who, k, officer_id, pairs_input, no_version, &errors, &id, &cur, &why),
        DIR_EDIT_INVALID);
    CHECK(json_object_get(errors, "version") != NULL);
    json_decref(errors);
    CHECK_INT(dir_edit_save(db, &who, k, officer_id, pairs_input, v1, &errors, &id, &cur, &why),
              DIR_EDIT_OK);
    CHECK_INT(audit_count("officer.update"), 1);
    /* read at version 1, stored at 2: refused with the stored version */
    CHECK_INT(dir_edit_save(db, &who, k, officer_id, pairs_input, v1, &errors, &id, &cur, &why),
              DIR_EDIT_STALE);
    CHECK_INT(cur, 2);
    CHECK(why != NULL);
    free(why);
}

static void test_jurisdiction(void) {
    const DirKind *k = dir_kind_find("officers");
    Actor upper = {.username = "city", .org_id = city},
          outsider = {.username = "lc", .org_id = lincheng};
    const char *v2[] = {"name", "赵六", "version", "2", NULL};
    json_t *errors = NULL;
    long long id = 0;
    int64_t cur = 0;
    char *why = NULL;
    CHECK_INT(dir_edit_save(db, &upper, k, officer_id, pairs_input, v2, &errors, &id, &cur, &why),
              DIR_EDIT_FORBIDDEN);
    CHECK_INT(dir_edit_status(db, &upper, k, officer_id, "离岗", "调走", &why), DIR_EDIT_FORBIDDEN);
    CHECK_INT(
        dir_edit_save(db, &outsider, k, officer_id, pairs_input, v2, &errors, &id, &cur, &why),
        DIR_EDIT_NOT_FOUND);
    free(why);
    /* the upper level reads it, the outsider does not */
    json_t *row = dir_get(db, &upper, k, officer_id, 0, 1);
    CHECK(row != NULL);
    CHECK_INT(json_array_size(json_object_get(row, "history")), 1);
    json_decref(row);
    CHECK(dir_get(db, &outsider, k, officer_id, 0, 0) == NULL);
    DirQuery q = {0};
    json_t *list = dir_list(db, &outsider, k, &q, 0);
    CHECK_INT(json_integer_value(json_object_get(list, "total")), 0);
    json_decref(list);
    list = dir_list(db, &upper, k, &q, 0);
    CHECK_INT(json_integer_value(json_object_get(list, "total")), 1);
    json_decref(list);
}

static void test_status_is_audited(void) {
    Actor who = {.username = "staff", .org_id = ningjin};
    const DirKind *k = dir_kind_find("officers");
    char *why = NULL;
    CHECK_INT(dir_edit_status(db, &who, k, officer_id, "离岗", NULL, &why),
              DIR_EDIT_INVALID); /* a reason is required */
    CHECK(why != NULL);
    free(why);
    why = NULL;
    CHECK_INT(audit_count("officer.status"), 0);
    CHECK_INT(dir_edit_status(db, &who, k, officer_id, "离岗", "调走", &why), DIR_EDIT_OK);
    CHECK_INT(audit_count("officer.status"), 1);
    free(why);
}

int main(void) {
    setup();
    RUN(test_create_is_audited);
    RUN(test_update_needs_version);
    RUN(test_jurisdiction);
    RUN(test_status_is_audited);
    db_close(db);
    t_remove_db(db_path);
    return T_DONE();
}
