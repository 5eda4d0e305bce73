/* test_draw_token.c - insured persons as salted per-draw tokens (draw_token.h, docs/DRAW.md §2a):
 * the derivation against reference values computed with Python's hmac, the map's order, dedup and
 * collision, and a freeze over a directory with insured persons: tokens in the population file, the
 * exclusions and the conflicts, the staff's exclusion rows by code, and `audit verify`'s check of
 * the map against the salt. */
#include "t.h"

#include "../../src/core/util.h"
#include "../../src/db/db.h"
#include "../../src/domain/draw.h"
#include "../../src/domain/draw_store.h"
#include "../../src/domain/draw_token.h"

#include <sodium.h>
#include <stdlib.h>

static void test_make(void) {
    uint8_t salt[DRAW_SALT_LEN];
    for (int i = 0; i < DRAW_SALT_LEN; i++)
        salt[i] = (uint8_t)i;
    char t[DRAW_TOKEN_LEN + 1];
    /* "P" + hmac.new(bytes(range(32)), code.encode(), hashlib.sha256).hexdigest()[:24] */
    draw_token_make(salt, "R00726A4EB810F27", 16, t);
    CHECK_STR(t, "P85e9073986768f0e663cfc48");
    draw_token_make(salt, "参保人", strlen("参保人"), t);
    CHECK_STR(t, "Pc70eecfc9ff3e9a15d596d92");
    CHECK(draw_token_shaped(t));
    CHECK(!draw_token_shaped("R00726A4EB810F27"));
    CHECK(!draw_token_shaped("P85E9073986768F0E663CFC48")); /* upper case is not a token */
    CHECK(!draw_token_shaped("P85e9073986768f0e663cfc4"));
    salt[0] ^= 1; /* another salt, another token */
    draw_token_make(salt, "R00726A4EB810F27", 16, t);
    CHECK(strcmp(t, "P85e9073986768f0e663cfc48") != 0 && draw_token_shaped(t));
}

static void test_map(void) {
    DrawTokenMap m = {0};
    draw_token_map_add(&m, "Pb", "R2");
    draw_token_map_add(&m, "Pa", "R1");
    draw_token_map_add(&m, "Pc", "R3");
    draw_token_map_add(&m, "Pa", "R1"); /* the same pair twice (an excluded person in a conflict) */
    CHECK_INT(draw_token_map_sort(&m), 0);
    CHECK_INT(m.n, 3);
    CHECK_STR(m.token[0], "Pa");
    CHECK_STR(m.token[2], "Pc");
    CHECK_STR(draw_token_map_target(&m, "Pb"), "R2");
    CHECK(draw_token_map_target(&m, "Pd") == NULL);
    draw_token_map_add(&m, "Pb", "R9"); /* two persons, one token: a collision */
    CHECK_INT(draw_token_map_sort(&m), -1);
    draw_token_map_free(&m);
    CHECK_INT(m.n, 0);
    /* the pairs frozen: the population's lines merged with the excluded and conflicted persons' */
    draw_token_map_add(&m, "Pc", "R3");
    draw_token_map_add(&m, "Pa", "R1");
    draw_token_map_add(&m, "Pe", "R5");
    CHECK_INT(draw_token_map_sort(&m), 0);
    Buf out;
    buf_init(&out);
    CHECK_INT(draw_token_pairs_merge("Pb\tR2\nPc\tR3\nPd\tR4\n", &m, &out), 0);
    CHECK_STR(out.data, "Pa\tR1\nPb\tR2\nPc\tR3\nPd\tR4\nPe\tR5\n");
    buf_reset(&out);
    CHECK_INT(draw_token_pairs_merge("Pc\tR9\n", &m, &out), -1); /* one token, two persons */
    buf_free(&out);
    draw_token_map_free(&m);
}

/* A database with the migrations, one org, officers and targets: two institutions, three insured
 * persons of whom one is not 正常 (excluded at the freeze). */
static Db *open_db(char *path) {
    int fd = mkstemp(path);
    close(fd);
    char *err = NULL;
    Db *db = db_open(path, 1, &err);
    if (!db) fprintf(stderr, "db_open: %s\n", err);
    free(err);
    if (!db) return NULL;
    db_exec(db, "INSERT INTO org(id, code, name) VALUES (1, '130528', '宁晋县医疗保障局')", NULL);
    db_exec(db,
            "INSERT INTO dept(id, org_id, code, name, kind) VALUES (1, 1, 'D1', '基金监管股', "
            "'本局科室')",
            NULL);
    db_exec(
        db,
        "INSERT INTO officer(org_id, dept_id, name, cert_no, cert_valid_from, cert_valid_to, "
        "region, may_lead) VALUES (1, 1, '甲', 'YB1', '2020-01-01', '2030-12-31', '130528', 1), "
        "(1, 1, '乙', 'YB2', '2020-01-01', '2030-12-31', '130528', 1), "
        "(1, 1, '丙', 'YB3', '2020-01-01', '2030-12-31', '130528', 1)",
        NULL);
    db_exec(db,
            "INSERT INTO target(kind, code, name, org_id, region, grade, status) VALUES "
            "('institution', 'H13052800001', '医院', 1, '130528', 'B', '正常'), "
            "('pharmacy', 'P13052800002', '药店', 1, '130528', 'B', '正常'), "
            "('insured', 'R00726A4EB810F27', '张三', 1, '130528', 'B', '正常'), "
            "('insured', 'R11111111111111A', '李四', 1, '130528', 'B', '正常'), "
            "('insured', 'R22222222222222B', '王五', 1, '130528', 'B', '注销')",
            NULL);
    return db;
}

static void test_freeze(void) {
    char path[] = "/tmp/test_draw_token_XXXXXX";
    Db *db = open_db(path);
    CHECK(db != NULL);
    if (!db) return;
    /* the task's org as a filter and no region prefix (as task.c freezes): the org's parameter
     * is then the query's only one (PostgreSQL cannot type a parameter the text skips) */
    json_t *params = json_loads("{\"ratios\":{\"*\":\"50%\"},\"group_size\":2,"
                                "\"filters\":{\"org\":\"130528\"},"
                                "\"conflicts\":[[\"YB1\",\"R11111111111111A\"],"
                                "[\"YB2\",\"H13052800001\"]]}",
                                0, NULL);
    json_t *sources =
        json_loads("[{\"kind\":\"fc3d\",\"issue\":\"2026330\",\"date\":\"2026-11-26\"}]", 0, NULL);
    DrawFreezeReq req = {.task = "T1",
                         .date = "2026-11-20",
                         .sources = sources,
                         .gap_hours = 24,
                         .now = 1763600000, /* 2025-11-20: well before the source */
                         .frozen_at = "2025-11-20T09:00:00+08:00",
                         .params = params,
                         .by = "t"};
    char *fsha = NULL, *err = NULL;
    CHECK_INT(db_begin(db), DB_OK);
    int rc = draw_store_freeze(db, &req, &fsha, &err);
    CHECK_INT(db_commit(db), DB_OK);
    if (rc) fprintf(stderr, "freeze: %s\n", err ? err : "?");
    CHECK_INT(rc, 0);
    char *hex = NULL, *pop = NULL, *freeze = NULL, *xcode = NULL;
    CHECK_INT(db_query_text(db, &hex, "SELECT salt FROM draw_salt WHERE draw_id = 1", ""), DB_OK);
    CHECK_INT(db_query_text(
                  db, &pop,
                  "SELECT content FROM draw_file WHERE draw_id = 1 AND kind = 'population'", ""),
              DB_OK);
    CHECK_INT(db_query_text(db, &freeze, "SELECT freeze_json FROM draw WHERE id = 1", ""), DB_OK);
    CHECK_INT(
        db_query_text(db, &xcode, "SELECT target_code FROM draw_exclusion WHERE draw_id = 1", ""),
        DB_OK);
    CHECK(hex && strlen(hex) == 64 && pop && freeze);
    uint8_t salt[DRAW_SALT_LEN];
    size_t got = 0;
    CHECK(hex && !sodium_hex2bin(salt, sizeof salt, hex, 64, NULL, &got, NULL) && got == 32);
    char t0[DRAW_TOKEN_LEN + 1], t1[DRAW_TOKEN_LEN + 1], t2[DRAW_TOKEN_LEN + 1];
    draw_token_make(salt, "R00726A4EB810F27", 16, t0);
    draw_token_make(salt, "R11111111111111A", 16, t1);
    draw_token_make(salt, "R22222222222222B", 16, t2);
    /* the file: four lines sorted by id bytes, the insured persons by token, no pseudonym */
    DrawPop p;
    char *perr = NULL;
    CHECK_INT(draw_pop_parse(&p, xstrdup(pop ? pop : ""), pop ? strlen(pop) : 0, &perr), 0);
    CHECK_INT(p.n, 4);
    CHECK(pop && strstr(pop, t0) && strstr(pop, t1) && !strstr(pop, "R00726A4EB810F27") &&
          !strstr(pop, "R1111") && strstr(pop, "H13052800001\tB\n"));
    draw_pop_free(&p);
    /* the freeze: the scheme named, the excluded person and the conflict by token */
    CHECK(freeze && strstr(freeze, "\"insured_ids\":\"token-v1\"") && strstr(freeze, t2) &&
          !strstr(freeze, "R2222") && !strstr(freeze, "R1111"));
    char *want = xasprintf("[\"YB1\",\"%s\"]", t1);
    CHECK(freeze && strstr(freeze, want) && strstr(freeze, "[\"YB2\",\"H13052800001\"]"));
    free(want);
    CHECK_STR(xcode, "R22222222222222B"); /* the staff's row: the target itself */
    int64_t pairs = 0;
    CHECK_INT(db_query_int(db, &pairs, "SELECT count(*) FROM draw_token WHERE draw_id = 1", ""),
              DB_OK);
    CHECK_INT(pairs, 2); /* the excluded person and the conflict's: no row per insured person */
    char *all = NULL;    /* every pair, one value: the two in the file and the excluded one */
    CHECK_INT(db_query_text(db, &all, "SELECT pairs FROM draw_salt WHERE draw_id = 1", ""), DB_OK);
    char *line0 = xasprintf("%s\tR00726A4EB810F27\n", t0);
    CHECK(all && strstr(all, line0) && strstr(all, t1) && strstr(all, t2) && strchr(all, '\n') &&
          strlen(all) == 3 * (DRAW_TOKEN_LEN + 1 + 16 + 1));
    free(line0);
    free(all);
    /* the run maps the drawn persons it needs, from the pairs frozen with the salt */
    DrawTokenMap m;
    CHECK_INT(draw_token_load(db, 1, &m), 0);
    const char *drawn[] = {t0, "H13052800001", t1};
    CHECK_INT(db_begin(db), DB_OK);
    CHECK_INT(draw_token_resolve(db, 1, drawn, 3, &m, &err), 0);
    CHECK_STR(draw_token_map_target(&m, t0), "R00726A4EB810F27");
    const char *nobody[] = {"P000000000000000000000000"};
    CHECK_INT(draw_token_resolve(db, 1, nobody, 1, &m, &err), 1);
    CHECK(err && strstr(err, "不在冻结时的对照中"));
    CHECK_INT(db_commit(db), DB_OK);
    draw_token_map_free(&m);
    CHECK_INT(db_query_int(db, &pairs, "SELECT count(*) FROM draw_token WHERE draw_id = 1", ""),
              DB_OK);
    CHECK_INT(pairs, 3);
    /* a re-draw draws a new salt; the frozen conflict's token of draw 1 becomes the new one's */
    json_t *later =
        json_loads("[{\"kind\":\"fc3d\",\"issue\":\"2026331\",\"date\":\"2026-11-27\"}]", 0, NULL);
    DrawFreezeReq again = req;
    again.sources = later;
    again.params = NULL;
    again.redraw_reason = "测试重新抽取";
    again.redraw_approver = "领导";
    char *fsha2 = NULL;
    CHECK_INT(db_begin(db), DB_OK);
    rc = draw_store_freeze(db, &again, &fsha2, &err);
    CHECK_INT(db_commit(db), DB_OK);
    if (rc) fprintf(stderr, "re-draw: %s\n", err ? err : "?");
    CHECK_INT(rc, 0);
    char *hex2 = NULL, *freeze2 = NULL;
    CHECK_INT(db_query_text(db, &hex2, "SELECT salt FROM draw_salt WHERE draw_id = 2", ""), DB_OK);
    CHECK_INT(db_query_text(db, &freeze2, "SELECT freeze_json FROM draw WHERE id = 2", ""), DB_OK);
    uint8_t salt2[DRAW_SALT_LEN];
    CHECK(hex2 && strcmp(hex2, hex) &&
          !sodium_hex2bin(salt2, sizeof salt2, hex2, 64, NULL, &got, NULL));
    char t1b[DRAW_TOKEN_LEN + 1];
    draw_token_make(salt2, "R11111111111111A", 16, t1b);
    char *want2 = xasprintf("[\"YB1\",\"%s\"]", t1b);
    CHECK(freeze2 && strstr(freeze2, want2) && !strstr(freeze2, t1));
    free(want2), free(hex2), free(freeze2), free(fsha2);
    json_decref(later);
    /* audit verify's check: agrees, then finds two persons swapped behind their tokens */
    Buf problems;
    buf_init(&problems);
    int64_t checked = 0;
    CHECK_INT(draw_store_check(db, &problems, &checked, &err), 0);
    CHECK_INT(checked, 2);
    db_exec(db,
            t_on_pg() ? "DROP TRIGGER draw_token_no_update ON draw_token"
                      : "DROP TRIGGER draw_token_no_update",
            "");
    db_exec(db,
            "UPDATE draw_token SET target_code = 'x' WHERE draw_id = 1 AND target_code = "
            "'R00726A4EB810F27'",
            "");
    db_exec(db,
            "UPDATE draw_token SET target_code = 'R00726A4EB810F27' WHERE draw_id = 1 AND "
            "target_code = 'R11111111111111A'",
            "");
    db_exec(db,
            "UPDATE draw_token SET target_code = 'R11111111111111A' WHERE draw_id = 1 AND "
            "target_code = 'x'",
            "");
    buf_reset(&problems);
    CHECK_INT(draw_store_check(db, &problems, &checked, &err), 1);
    CHECK(problems.data && strstr(problems.data, "与盐值重算的不符"));
    buf_free(&problems);
    free(hex), free(pop), free(freeze), free(xcode), free(fsha), free(err), free(perr);
    json_decref(params);
    json_decref(sources);
    db_close(db);
    t_remove_db(path);
}

int main(void) {
    if (sodium_init() < 0) return 1;
    RUN(test_make);
    RUN(test_map);
    RUN(test_freeze);
    return T_DONE();
}
