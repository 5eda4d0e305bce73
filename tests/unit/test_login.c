/* test_login.c - the units of work of src/domain/login.c on a database: a login stores the session
 * and its audit row, a wrong password is audited and counted, the throttle refuses after
 * LOGIN_MAX_FAILURES failures (auditing only the first refusal) but not the owner's known
 * browser, sessions expire when idle, logout ends the session; and the home page's counts of
 * src/domain/dir_summary.c stay within the jurisdiction. */
#include "core/util.h"
#include "domain/account.h"
#include "domain/dir_summary.h"
#include "domain/login.h"

#include "t.h"

#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/spotcheck-test-login-XXXXXX";
static const char *const PW = "correct horse battery";

static Db *fresh_db(const char *name) {
    char path[128], *err = NULL;
    snprintf(path, sizeof path, "%s/%s.db", dir, name);
    Db *db = db_open(path, 1, &err);
    if (!db) fprintf(stderr, "db_open: %s\n", err);
    free(err);
    if (!db) return NULL;
    db_exec(db,
            "INSERT INTO org(id, code, name, parent_id) VALUES (1, '130500', '市', NULL), (2, "
            "'130528', '县', 1)",
            NULL);
    db_begin(db);
    AccountSpec alice = {.username = "Alice",
                         .display_name = "王丽",
                         .role = "staff",
                         .org_code = "130528",
                         .password = PW};
    if (account_add(db, &alice, &err) != DB_OK) fprintf(stderr, "account_add: %s\n", err);
    db_commit(db);
    free(err);
    return db;
}

static int64_t count(Db *db, const char *sql) {
    int64_t n = -1;
    CHECK_INT(db_query_int(db, &n, sql, NULL), DB_OK);
    return n;
}

static LoginTry try_of(const char *user, const char *token_hash, int64_t now) {
    return (LoginTry){.username = user,
                      .device = "",
                      .remote = "10.0.0.1",
                      .now = now,
                      .idle = 1800,
                      .token_hash = token_hash,
                      .csrf = "c"};
}

static void test_login_and_logout(void) {
    Db *db = fresh_db("ok");
    CHECK(db != NULL);
    if (!db) return;
    char *name = NULL;
    LoginTry t = try_of("alice", "h1", 1000000);
    CHECK_INT(login_password(db, &t, PW, &name), LOGIN_OK);
    CHECK_STR(name, "Alice"); /* the stored spelling, for the device cookie */
    CHECK_INT(count(db, "SELECT count(*) FROM session WHERE token_hash = 'h1'"), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM audit_log WHERE action = 'login' AND actor = 'Alice' "
                        "AND org_id = 2"),
              1);
    CHECK_INT(count(db, "SELECT count(*) FROM login_attempt WHERE ok = 1"), 1);
    free(name);

    LoginSession s;
    CHECK(login_session_resume(db, "h1", 1000000 + 1800, 1800, &s));
    CHECK_STR(s.username, "Alice");
    CHECK_INT(s.org_id, 2);
    CHECK_STR(s.org_code, "130528");
    CHECK(!login_session_resume(db, "h1", 1000000 + 1800 + 1801, 1800, &s)); /* idle: gone */
    CHECK_INT(count(db, "SELECT count(*) FROM session"), 0);

    /* a new login replaces the old session */
    t = try_of("ALICE", "h2", 2000000);
    CHECK_INT(login_password(db, &t, PW, &name), LOGIN_OK);
    free(name);
    t = try_of("alice", "h3", 2000001);
    t.old_token_hash = "h2";
    CHECK_INT(login_password(db, &t, PW, &name), LOGIN_OK);
    free(name);
    CHECK_INT(count(db, "SELECT count(*) FROM session"), 1);

    Actor who = {.username = "Alice", .org_id = 2, .remote = "10.0.0.1"};
    login_logout(db, &who, 1, "h3");
    CHECK_INT(count(db, "SELECT count(*) FROM session"), 0);
    CHECK_INT(count(db, "SELECT count(*) FROM audit_log WHERE action = 'logout' AND entity_id = "
                        "'1' AND org_id = 2"),
              1);
    db_close(db);
}

static void test_throttle(void) {
    Db *db = fresh_db("throttle");
    CHECK(db != NULL);
    if (!db) return;
    char *name = NULL;
    for (int i = 0; i < LOGIN_MAX_FAILURES; i++) {
        LoginTry t = try_of("alice", "h", 3000000 + i);
        CHECK_INT(login_password(db, &t, "wrong password", &name), LOGIN_WRONG);
        CHECK(name == NULL);
    }
    CHECK_INT(
        count(db,
              "SELECT count(*) FROM audit_log WHERE action = 'login.failed' AND actor = 'alice'"),
        LOGIN_MAX_FAILURES);
    for (int i = 0; i < 3; i++) { /* even the right password is refused now */
        LoginTry t = try_of("alice", "h", 3000010 + i);
        CHECK_INT(login_password(db, &t, PW, &name), LOGIN_REFUSED);
    }
    CHECK_INT(count(db, "SELECT count(*) FROM audit_log WHERE action = 'login.failed'"),
              LOGIN_MAX_FAILURES + 1);
    CHECK_INT(count(db, "SELECT count(*) FROM session"), 0);

    /* the owner's known browser only counts its own failures */
    LoginTry t = try_of("alice", "h", 3000020);
    t.device = "dev1";
    CHECK_INT(login_password(db, &t, PW, &name), LOGIN_OK);
    free(name);
    name = NULL;

    /* after the window the name may try again */
    t = try_of("alice", "h5", 3000020 + LOGIN_WINDOW_SECONDS + 10);
    CHECK_INT(login_password(db, &t, PW, &name), LOGIN_OK);
    free(name);
    db_close(db);
}

static void test_change_password(void) {
    Db *db = fresh_db("passwd");
    CHECK(db != NULL);
    if (!db) return;
    Actor who = {.username = "Alice", .org_id = 2};
    char *err = NULL;
    CHECK_INT(login_change_password(db, &who, "", 4000000, "wrong password", "a new long password",
                                    NULL, &err),
              ACCOUNT_WRONG_PASSWORD);
    CHECK_INT(count(db, "SELECT count(*) FROM login_attempt WHERE ok = 0"), 1); /* a guess counts */
    CHECK_INT(login_change_password(db, &who, "", 4000001, PW, "short", NULL, &err),
              ACCOUNT_INVALID);
    CHECK_INT(count(db, "SELECT count(*) FROM login_attempt WHERE ok = 0"),
              1); /* no guess: not counted */
    CHECK_INT(login_change_password(db, &who, "", 4000002, PW, "a new long password", NULL, &err),
              ACCOUNT_OK);
    CHECK_INT(count(db, "SELECT count(*) FROM audit_log WHERE action = 'user.password.change'"), 1);
    free(err);
    db_close(db);
}

static void test_dir_summary(void) {
    Db *db = fresh_db("summary");
    CHECK(db != NULL);
    if (!db) return;
    db_exec(
        db,
        "INSERT INTO target(kind, code, name, org_id, region, grade) VALUES "
        "('institution', 'H1', 'a', 2, '130528', 'A'), ('pharmacy', 'P1', 'b', 2, '130528', 'B'), "
        "('institution', 'H2', 'c', 1, '130500', 'A')",
        NULL);
    DirSummary d;
    dir_summary(db, 2, "2025-01-01", &d);
    CHECK_INT(d.institutions, 1);
    CHECK_INT(d.pharmacies, 1);
    dir_summary(db, 1, "2025-01-01", &d); /* the city sees the county's rows too */
    CHECK_INT(d.institutions, 2);
    json_t *g = dir_summary_grades(db, 1);
    CHECK_INT(json_array_size(g), 2);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(g, 0), "count")), 2);
    json_decref(g);
    db_close(db);
}

int main(void) {
    if (!mkdtemp(dir)) return 1;
    RUN(test_login_and_logout);
    RUN(test_throttle);
    RUN(test_change_password);
    RUN(test_dir_summary);
    const char *names[] = {"ok", "throttle", "passwd", "summary"};
    for (size_t i = 0; i < 4; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s.db", dir, names[i]);
        t_remove_db(path);
    }
    rmdir(dir);
    return T_DONE();
}
