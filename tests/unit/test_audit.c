/* test_audit.c - the hash-chained audit log: the documented hash rule, chains that verify, the
 * append-only triggers, tampering (a changed field, a deleted, reordered or re-linked row)
 * reported at the first broken row, NULL versus empty text, Chinese text, validation, rollback
 * and the browse query's filters and keyset paging. Tampering drops the triggers first, as an
 * attacker editing the file directly would. */
#include "core/clock.h"
#include "../../src/domain/audit_labels.h"
#include "core/util.h"
#include "db/db.h"
#include "domain/audit.h"
#include "t.h"

#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/spotcheck-test-audit-XXXXXX";
static int n_dbs;

/* A fresh migrated database in the temp directory. */
static Db *fresh_db(void) {
    char path[128], *err = NULL;
    snprintf(path, sizeof path, "%s/a%d.db", dir, n_dbs++);
    Db *db = db_open(path, 1, &err);
    if (!db) fprintf(stderr, "db_open: %s\n", err);
    free(err);
    return db;
}

/* Appends one entry in its own transaction; returns audit_append's result. */
static int append(Db *db, const AuditEntry *e) {
    char *err = NULL;
    int rc = db_begin(db);
    if (rc == DB_OK) rc = audit_append(db, e, &err);
    if (rc == DB_OK)
        rc = db_commit(db);
    else
        db_rollback(db);
    if (rc != DB_OK && err) fprintf(stderr, "append: %s\n", err);
    free(err);
    return rc;
}

/* Appends n varied rows (ids 1..n). */
static void fill(Db *db, int n) {
    for (int i = 1; i <= n; i++) {
        char at[32], id[16], before[64], after[64];
        snprintf(at, sizeof at, "2025-03-%02dT08:%02d:%02dZ", 1 + i % 28, i % 60, (i * 7) % 60);
        snprintf(id, sizeof id, "T%04d", i);
        snprintf(before, sizeof before, "{\"grade\":\"A\",\"n\":%d}", i);
        snprintf(after, sizeof after, "{\"grade\":\"B\",\"n\":%d}", i);
        AuditEntry e = {.at = at,
                        .actor = i % 3 ? "staff" : "王丽",
                        .org_id = i % 2 ? 1 : 0,
                        .action = i % 4 ? "target.update" : "officer.status",
                        .entity = i % 4 ? "target" : "officer",
                        .entity_id = id,
                        .before = i % 5 ? before : NULL,
                        .after = after,
                        .remote = i % 2 ? "10.0.0.7" : NULL};
        if (append(db, &e) != DB_OK) return;
    }
}

static AuditVerifyResult verify(Db *db) {
    AuditVerifyResult r;
    char *err = NULL;
    if (audit_verify(db, &r, &err) != DB_OK) {
        fprintf(stderr, "verify: %s\n", err);
        r.status = (AuditBreak)-1;
    }
    free(err);
    return r;
}

static void drop_triggers(Db *db) { /* PostgreSQL's DROP TRIGGER names the table */
    CHECK_INT(db_exec(db,
                      t_on_pg() ? "DROP TRIGGER audit_log_no_update ON audit_log"
                                : "DROP TRIGGER audit_log_no_update",
                      NULL),
              DB_OK);
    CHECK_INT(db_exec(db,
                      t_on_pg() ? "DROP TRIGGER audit_log_no_delete ON audit_log"
                                : "DROP TRIGGER audit_log_no_delete",
                      NULL),
              DB_OK);
}

static void sha256_hex(const char *s, char out[65]) {
    unsigned char md[32];
    crypto_hash_sha256(md, (const unsigned char *)s, strlen(s));
    sodium_bin2hex(out, 65, md, sizeof md);
}

static void test_hash_rule_as_documented(void) {
    Db *db = fresh_db();
    AuditEntry e = {.at = "2025-03-01T02:03:04Z", .actor = "cli", .action = "login"};
    CHECK_INT(append(db, &e), DB_OK);
    char want1[65], want2[65], *got = NULL;
    /* the example of audit.h and docs/AUDIT.md, built by hand */
    sha256_hex("0000000000000000000000000000000000000000000000000000000000000000\n"
               "1:120:2025-03-01T02:03:04Z3:cli-5:login-----",
               want1);
    CHECK_INT(db_query_text(db, &got, "SELECT hash FROM audit_log WHERE id = 1", NULL), DB_OK);
    CHECK_STR(got, want1);
    free(got);
    /* second row: chained on the first, org id, Chinese text counted in bytes, JSON, remote */
    AuditEntry e2 = {.at = "2025-03-01T02:03:05Z",
                     .actor = "王丽",
                     .org_id = 7,
                     .action = "target.update",
                     .entity = "target",
                     .entity_id = "",
                     .before = NULL,
                     .after = "{\"name\":\"宁晋县人民医院\"}",
                     .remote = "127.0.0.1"};
    CHECK_INT(append(db, &e2), DB_OK);
    char *input = xasprintf("%s\n1:220:2025-03-01T02:03:05Z6:王丽1:713:target.update6:target0:-"
                            "%zu:%s9:127.0.0.1",
                            want1, strlen(e2.after), e2.after);
    sha256_hex(input, want2);
    free(input);
    CHECK_INT(db_query_text(db, &got, "SELECT prev_hash || ' ' || hash FROM audit_log WHERE id = 2",
                            NULL),
              DB_OK);
    char *both = xasprintf("%s %s", want1, want2);
    CHECK_STR(got, both);
    free(both);
    free(got);
    /* audit_compute_hash agrees */
    AuditRow r = {.id = 2,
                  .at = "2025-03-01T02:03:05Z",
                  .actor = "王丽",
                  .org_id = 7,
                  .action = "target.update",
                  .entity = "target",
                  .entity_id = "",
                  .after = (char *)e2.after,
                  .remote = "127.0.0.1",
                  .prev_hash = want1};
    char calc[AUDIT_HASH_HEX + 1];
    audit_compute_hash(&r, calc);
    CHECK_STR(calc, want2);
    db_close(db);
}

static void test_chain_verifies(void) {
    Db *db = fresh_db();
    AuditVerifyResult v = verify(db);
    CHECK_INT(v.status, AUDIT_INTACT);
    CHECK_INT(v.count, 0);
    CHECK_STR(v.head_hash, "0000000000000000000000000000000000000000000000000000000000000000");
    fill(db, 300);
    /* several appends in one transaction chain correctly too */
    char *err = NULL;
    CHECK_INT(db_begin(db), DB_OK);
    for (int i = 0; i < 5; i++) {
        AuditEntry e = {.actor = "system", .action = "import.targets", .entity = "target"};
        CHECK_INT(audit_append(db, &e, &err), DB_OK);
    }
    CHECK_INT(db_commit(db), DB_OK);
    v = verify(db);
    CHECK_INT(v.status, AUDIT_INTACT);
    CHECK_INT(v.count, 305);
    CHECK_INT(v.bad_id, 0);
    CHECK_STR(v.reason, "");
    char *head = NULL;
    CHECK_INT(db_query_text(db, &head, "SELECT hash FROM audit_log WHERE id = 305", NULL), DB_OK);
    CHECK_STR(v.head_hash, head);
    free(head);
    /* at defaults to the clock's now: bureau time, seconds */
    char *at = NULL, now[CLOCK_NOW_LEN + 1];
    CHECK_INT(db_query_text(db, &at, "SELECT at FROM audit_log WHERE id = 305", NULL), DB_OK);
    clock_now(now);
    CHECK(at && strlen(at) == 19 && at[10] == ' ' && at[13] == ':');
    CHECK(at && strncmp(at, now, 10) == 0);
    free(at);
    int64_t n = 0;
    CHECK_INT(db_query_int(db, &n,
                           "SELECT count(*) FROM audit_log WHERE prev_hash = "
                           "(SELECT hash FROM audit_log p WHERE p.id = audit_log.id - 1)",
                           NULL),
              DB_OK);
    CHECK_INT(n, 304);
    db_close(db);
}

static void test_triggers_refuse_changes(void) {
    Db *db = fresh_db();
    fill(db, 3);
    CHECK_INT(db_exec(db, "UPDATE audit_log SET actor = 'mallory' WHERE id = 2", NULL), DB_ERR);
    CHECK(strstr(db_errmsg(db), "只能追加") != NULL);
    CHECK_INT(db_exec(db, "UPDATE audit_log SET hash = hash", NULL), DB_ERR);
    CHECK_INT(db_exec(db, "DELETE FROM audit_log WHERE id = 3", NULL), DB_ERR);
    CHECK(strstr(db_errmsg(db), "只能追加") != NULL);
    CHECK_INT(db_exec(db, "DELETE FROM audit_log", NULL), DB_ERR);
    int64_t n = 0;
    CHECK_INT(db_query_int(db, &n, "SELECT count(*) FROM audit_log WHERE actor <> 'mallory'", NULL),
              DB_OK);
    CHECK_INT(n, 3);
    CHECK_INT(verify(db).status, AUDIT_INTACT);
    db_close(db);
}

/* Fresh 10-row chain, triggers dropped, then sql applied: expects status at bad_id, after
 * `good` rows whose links hold. */
static void tamper_n(const char *sql, AuditBreak want, int64_t bad_id, int64_t good) {
    Db *db = fresh_db();
    fill(db, 10);
    CHECK_INT(verify(db).status, AUDIT_INTACT);
    drop_triggers(db);
    CHECK_INT(db_exec_script(db, sql), DB_OK);
    AuditVerifyResult v = verify(db);
    if (v.status != want || v.bad_id != bad_id)
        fprintf(stderr, "  after \"%s\": status %d at %lld (%s)\n", sql, (int)v.status,
                (long long)v.bad_id, v.reason);
    CHECK_INT(v.status, want);
    CHECK_INT(v.bad_id, bad_id);
    CHECK_INT(v.count, good);
    CHECK(v.reason[0] != 0);
    CHECK_STR(v.head_hash, "");
    db_close(db);
}
#define tamper(sql, want, bad_id) tamper_n((sql), (want), (bad_id), (bad_id)-1)

static void test_tampered_field(void) {
    tamper("UPDATE audit_log SET after = '{\"grade\":\"A\",\"n\":6}' WHERE id = 6",
           AUDIT_BREAK_HASH, 6);
    tamper("UPDATE audit_log SET before = NULL WHERE id = 3", AUDIT_BREAK_HASH, 3);
    tamper("UPDATE audit_log SET actor = 'someone' WHERE id = 9", AUDIT_BREAK_HASH, 9);
    tamper("UPDATE audit_log SET at = '2025-03-05T08:05:36Z' WHERE id = 4", AUDIT_BREAK_HASH, 4);
    tamper("UPDATE audit_log SET org_id = 2 WHERE id = 1", AUDIT_BREAK_HASH, 1);
    tamper("UPDATE audit_log SET action = 'target.create' WHERE id = 10", AUDIT_BREAK_HASH, 10);
    tamper("UPDATE audit_log SET hash = replace(hash, substr(hash, 1, 1), 'x') WHERE id = 8",
           AUDIT_BREAK_HASH, 8);
}

static void test_tampered_structure(void) {
    /* a middle row deleted: the row after it no longer follows */
    tamper_n("DELETE FROM audit_log WHERE id = 5", AUDIT_BREAK_GAP, 6, 4);
    /* the first row deleted */
    tamper_n("DELETE FROM audit_log WHERE id = 1", AUDIT_BREAK_GAP, 2, 0);
    /* rows 4 and 5 swapped */
    tamper("UPDATE audit_log SET id = 100 WHERE id = 4; UPDATE audit_log SET id = 4 WHERE id = 5;"
           "UPDATE audit_log SET id = 5 WHERE id = 100",
           AUDIT_BREAK_PREV_HASH, 4);
    /* a prev_hash changed */
    tamper("UPDATE audit_log SET prev_hash = (SELECT hash FROM audit_log WHERE id = 2) "
           "WHERE id = 7",
           AUDIT_BREAK_PREV_HASH, 7);
    /* the first row's prev_hash changed */
    tamper("UPDATE audit_log SET prev_hash = replace(prev_hash, '0', '1') WHERE id = 1",
           AUDIT_BREAK_PREV_HASH, 1);
    /* the last row renumbered: a gap at the end */
    tamper_n("UPDATE audit_log SET id = 12 WHERE id = 10", AUDIT_BREAK_GAP, 12, 9);
}

/* A tamperer who recomputes the changed row's hash breaks the next link instead. */
static void test_rehashed_row_breaks_next_link(void) {
    Db *db = fresh_db();
    fill(db, 10);
    drop_triggers(db);
    AuditFilter f = {.before_id = 5, .limit = 1};
    AuditPage p;
    char *err = NULL;
    CHECK_INT(audit_list(db, &f, &p, &err), DB_OK);
    CHECK_INT(p.n, 1);
    if (p.n == 1) {
        CHECK_INT(p.rows[0].id, 4);
        free(p.rows[0].after);
        p.rows[0].after = xstrdup("{\"grade\":\"C\"}");
        char h[AUDIT_HASH_HEX + 1];
        audit_compute_hash(&p.rows[0], h);
        CHECK_INT(db_exec(db, "UPDATE audit_log SET after = ?, hash = ? WHERE id = 4", "tt",
                          p.rows[0].after, h),
                  DB_OK);
    }
    audit_page_free(&p);
    AuditVerifyResult v = verify(db);
    CHECK_INT(v.status, AUDIT_BREAK_PREV_HASH);
    CHECK_INT(v.bad_id, 5);
    db_close(db);
}

static void test_null_differs_from_empty(void) {
    Db *a = fresh_db(), *b = fresh_db();
    AuditEntry e = {.at = "2025-01-01T00:00:00Z", .actor = "cli", .action = "x", .entity = NULL};
    CHECK_INT(append(a, &e), DB_OK);
    e.entity = "";
    CHECK_INT(append(b, &e), DB_OK);
    char *ha = NULL, *hb = NULL;
    CHECK_INT(db_query_text(a, &ha, "SELECT hash FROM audit_log", NULL), DB_OK);
    CHECK_INT(db_query_text(b, &hb, "SELECT hash FROM audit_log", NULL), DB_OK);
    CHECK(ha && hb && strcmp(ha, hb) != 0);
    free(ha);
    free(hb);
    /* and the "" was stored as "", the NULL as NULL */
    int64_t n = 0;
    CHECK_INT(db_query_int(a, &n, "SELECT count(*) FROM audit_log WHERE entity IS NULL", NULL),
              DB_OK);
    CHECK_INT(n, 1);
    CHECK_INT(db_query_int(b, &n, "SELECT count(*) FROM audit_log WHERE entity = ''", NULL), DB_OK);
    CHECK_INT(n, 1);
    db_close(a);
    db_close(b);
    /* turning a NULL into '' (or back) is tampering */
    tamper("UPDATE audit_log SET remote = '' WHERE id = 2", AUDIT_BREAK_HASH, 2);
    tamper("UPDATE audit_log SET before = 'null' WHERE id = 5", AUDIT_BREAK_HASH, 5);
}

static void test_chinese_text(void) {
    Db *db = fresh_db();
    AuditEntry e = {.actor = "张三",
                    .org_id = 3,
                    .action = "officer.status",
                    .entity = "officer",
                    .entity_id = "执法证 130528001",
                    .before = "{\"status\":\"在岗\"}",
                    .after = "{\"status\":\"停用\",\"reason\":\"调离「稽核科」\"}"};
    CHECK_INT(append(db, &e), DB_OK);
    CHECK_INT(verify(db).status, AUDIT_INTACT);
    AuditFilter f = {.actor = "张三"};
    AuditPage p;
    char *err = NULL;
    CHECK_INT(audit_list(db, &f, &p, &err), DB_OK);
    CHECK_INT(p.n, 1);
    if (p.n == 1) {
        CHECK_STR(p.rows[0].after, e.after);
        CHECK_STR(p.rows[0].entity_id, "执法证 130528001");
        CHECK_INT(p.rows[0].org_id, 3);
        CHECK(p.rows[0].remote == NULL);
    }
    audit_page_free(&p);
    /* one changed character is found */
    drop_triggers(db);
    db_exec(db, "UPDATE audit_log SET after = replace(after, '停用', '在岗')", NULL);
    CHECK_INT(verify(db).status, AUDIT_BREAK_HASH);
    db_close(db);
}

static void test_validation(void) {
    Db *db = fresh_db();
    char *err = NULL;
    AuditEntry bad[] = {
        {.action = "x"},
        {.actor = "", .action = "x"},
        {.actor = "cli"},
        {.actor = "cli", .action = "x", .before = "{not json"},
        {.actor = "cli", .action = "x", .after = ""},
        {.actor = "cli", .action = "x", .at = "2025-03-01 2:03:04"},
        {.actor = "cli", .action = "x", .at = "2025-03-01T02:03:04"},
        {.actor = "cli", .action = "x", .at = "2025-03-01 24:00:00"},
        {.actor = "cli", .action = "x", .at = "2025-03-01 02:03:04Z"},
        {.actor = "cli", .action = "x", .at = "2025-02-30T02:03:04Z"},
        {.actor = "cli", .action = "x", .at = "2025-03-01T24:00:00Z"},
        {.actor = "\xff\xfe", .action = "x"},
        {.actor = "cli", .action = "x", .org_id = -1},
    };
    CHECK_INT(db_begin(db), DB_OK);
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        int rc = audit_append(db, &bad[i], &err);
        if (rc != DB_ERR) fprintf(stderr, "  bad entry %zu accepted\n", i);
        CHECK_INT(rc, DB_ERR);
        CHECK(err != NULL);
        free(err);
        err = NULL;
    }
    CHECK_INT(db_commit(db), DB_OK);
    int64_t n = -1;
    CHECK_INT(db_query_int(db, &n, "SELECT count(*) FROM audit_log", NULL), DB_OK);
    CHECK_INT(n, 0);
    /* JSON scalars and arrays are JSON too */
    AuditEntry ok = {.actor = "cli", .action = "x", .before = "[1,2]", .after = "\"文本\""};
    CHECK_INT(append(db, &ok), DB_OK);
    db_close(db);
}

static void test_rollback_takes_the_row_with_it(void) {
    Db *db = fresh_db();
    fill(db, 2);
    char *err = NULL;
    AuditEntry e = {.actor = "cli", .action = "target.update"};
    CHECK_INT(db_begin(db), DB_OK);
    CHECK_INT(audit_append(db, &e, &err), DB_OK);
    CHECK_INT(db_rollback(db), DB_OK);
    int64_t n = 0;
    CHECK_INT(db_query_int(db, &n, "SELECT count(*) FROM audit_log", NULL), DB_OK);
    CHECK_INT(n, 2);
    CHECK_INT(append(db, &e), DB_OK);
    AuditVerifyResult v = verify(db);
    CHECK_INT(v.status, AUDIT_INTACT);
    CHECK_INT(v.count, 3);
    db_close(db);
}

static size_t list_n(Db *db, const AuditFilter *f) {
    AuditPage p;
    char *err = NULL;
    int rc = audit_list(db, f, &p, &err); /* errors show as (size_t)-1 in the CHECK */
    free(err);
    size_t n = rc == DB_OK ? p.n : (size_t)-1;
    audit_page_free(&p);
    return n;
}

static void test_list_filters_and_paging(void) {
    Db *db = fresh_db();
    /* orgs: 1 city, 2 and 3 counties under it, 4 a town under 2 */
    CHECK_INT(db_exec(db,
                      "INSERT INTO org(id, code, name, parent_id) VALUES (1, '130500', '市', NULL),"
                      "(2, '130528', '宁晋县', 1), (3, '130529', '巨鹿县', 1), "
                      "(4, '130599', '某镇', 2)",
                      NULL),
              DB_OK);
    /* the clock's local format beside the UTC form of rows older than schema 16 */
    const char *days[] = {"2025-03-01 00:00:00", "2025-03-01T23:59:59Z", "2025-03-02 10:00:00",
                          "2025-03-03T10:00:00Z"};
    int64_t orgs[] = {0, 1, 2, 3, 4};
    for (int i = 0; i < 20; i++) {
        AuditEntry e = {.at = days[i % 4],
                        .actor = i % 2 ? "alice" : "bob",
                        .org_id = orgs[i % 5],
                        .action = i % 3 == 0   ? "target.update"
                                  : i % 3 == 1 ? "targets.x"
                                               : "login",
                        .entity = i % 3 == 2 ? "user" : "target",
                        .entity_id = i == 7 ? "T7" : NULL};
        CHECK_INT(append(db, &e), DB_OK);
    }
    CHECK_INT(list_n(db, &(AuditFilter){.limit = 100}), 20);
    CHECK_INT(list_n(db, &(AuditFilter){0}), 20);
    CHECK_INT(list_n(db, &(AuditFilter){.actor = "alice"}), 10);
    CHECK_INT(list_n(db, &(AuditFilter){.actor = "carol"}), 0);
    CHECK_INT(list_n(db, &(AuditFilter){.action_prefix = "target."}), 7);
    CHECK_INT(list_n(db, &(AuditFilter){.action_prefix = "target"}), 14);
    CHECK_INT(list_n(db, &(AuditFilter){.action_prefix = "login"}), 6);
    CHECK_INT(list_n(db, &(AuditFilter){.entity = "user"}), 6);
    CHECK_INT(list_n(db, &(AuditFilter){.entity = "target", .entity_id = "T7"}), 1);
    CHECK_INT(list_n(db, &(AuditFilter){.date_from = "2025-03-01", .date_to = "2025-03-01"}), 10);
    CHECK_INT(list_n(db, &(AuditFilter){.date_from = "2025-03-02"}), 10);
    CHECK_INT(list_n(db, &(AuditFilter){.date_to = "2025-03-02"}), 15);
    CHECK_INT(list_n(db, &(AuditFilter){.date_from = "2025-03-01T12:00:00Z",
                                        .date_to = "2025-03-02T10:00:00Z"}),
              10);
    CHECK_INT(list_n(db, &(AuditFilter){.org_ids = (int64_t[]){2, 3}, .org_ids_len = 2}), 8);
    CHECK_INT(list_n(db, &(AuditFilter){.org_ids = (int64_t[]){0}, .org_ids_len = 0}), 0);
    CHECK_INT(list_n(db, &(AuditFilter){.org_root = 2}), 8);  /* 2 and 4 */
    CHECK_INT(list_n(db, &(AuditFilter){.org_root = 1}), 16); /* everything but NULL */
    CHECK_INT(list_n(db, &(AuditFilter){.org_root = 3}), 4);
    CHECK_INT(list_n(db, &(AuditFilter){.org_root = 1, .actor = "bob", .action_prefix = "login"}),
              3);
    /* bad arguments */
    CHECK_INT(list_n(db, &(AuditFilter){.date_from = "2025-13-01"}), (size_t)-1);
    CHECK_INT(list_n(db, &(AuditFilter){.date_to = "yesterday"}), (size_t)-1);
    CHECK_INT(list_n(db, &(AuditFilter){.limit = AUDIT_LIST_MAX + 1}), (size_t)-1);
    CHECK_INT(list_n(db, &(AuditFilter){.limit = -1}), (size_t)-1);

    /* keyset paging: newest first, pages of 3 cover every row once */
    AuditFilter f = {.limit = 3};
    int64_t expect = 20;
    int pages = 0;
    for (;;) {
        AuditPage p;
        char *err = NULL;
        CHECK_INT(audit_list(db, &f, &p, &err), DB_OK);
        pages++;
        for (size_t i = 0; i < p.n; i++)
            CHECK_INT(p.rows[i].id, expect--);
        int more = p.has_more;
        if (p.n) f.before_id = p.rows[p.n - 1].id;
        CHECK_INT(p.n, more ? 3 : 2);
        audit_page_free(&p);
        if (!more || pages > 10) break;
    }
    CHECK_INT(expect, 0);
    CHECK_INT(pages, 7);
    /* a filter and paging together */
    CHECK_INT(list_n(db, &(AuditFilter){.actor = "alice", .before_id = 10}), 4);
    db_close(db);
}

static void test_labels(void) {
    char b[128];
    audit_action_label("plan.import", b, sizeof b);
    CHECK_STR(b, "导入年度抽查计划");
    audit_action_label("import.targets", b, sizeof b);
    CHECK_STR(b, "导入检查对象");
    audit_action_label("export.officers", b, sizeof b);
    CHECK_STR(b, "导出执法人员");
    audit_action_label("target.update", b, sizeof b);
    CHECK_STR(b, "修改检查对象");
    audit_action_label("officer.status", b, sizeof b);
    CHECK_STR(b, "变更状态：执法人员");
    audit_action_label("target.create.refused", b, sizeof b);
    CHECK_STR(b, "新建被拒绝：检查对象");
    audit_action_label("something.new", b, sizeof b); /* unknown: the code, never an empty cell */
    CHECK_STR(b, "something.new");
    CHECK_STR(audit_entity_label("target"), "检查对象");
    CHECK_STR(audit_entity_label("plan_version"), "计划版本");
    CHECK_STR(audit_entity_label("zzz"), "zzz");
    CHECK(audit_entity_label(NULL) == NULL);
}

int main(void) {
    RUN(test_labels);
    if (!mkdtemp(dir) || sodium_init() < 0) return 1;
    RUN(test_hash_rule_as_documented);
    RUN(test_chain_verifies);
    RUN(test_triggers_refuse_changes);
    RUN(test_tampered_field);
    RUN(test_tampered_structure);
    RUN(test_rehashed_row_breaks_next_link);
    RUN(test_null_differs_from_empty);
    RUN(test_chinese_text);
    RUN(test_validation);
    RUN(test_rollback_takes_the_row_with_it);
    RUN(test_list_filters_and_paging);
    char *cmd = xasprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    free(cmd);
    return T_DONE();
}
