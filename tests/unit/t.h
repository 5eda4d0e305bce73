/* t.h - the unit-test harness: a test file defines static void test_x(void) functions and calls
 * them with RUN(test_x) from main(), then returns T_DONE(). A test passes when none of its CHECKs
 * fail. Each binary prints "RESULT <passed> <failed>" last; tests/run.sh adds them up. */
#ifndef SPOTCHECK_T_H
#define SPOTCHECK_T_H

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int t_passed, t_failed, t_cur_failed;
static const char *t_cur;

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            t_cur_failed++;                                                                        \
            fprintf(stderr, "%s:%d: [%s] CHECK failed: %s\n", __FILE__, __LINE__, t_cur, #c);      \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *t_a = (a), *t_b = (b);                                                         \
        if (!t_a || !t_b || strcmp(t_a, t_b) != 0) {                                               \
            t_cur_failed++;                                                                        \
            fprintf(stderr, "%s:%d: [%s] %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__,     \
                    t_cur, #a, t_a ? t_a : "(null)", t_b ? t_b : "(null)");                        \
        }                                                                                          \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long t_a = (long long)(a), t_b = (long long)(b);                                      \
        if (t_a != t_b) {                                                                          \
            t_cur_failed++;                                                                        \
            fprintf(stderr, "%s:%d: [%s] %s == %lld, expected %lld\n", __FILE__, __LINE__, t_cur,  \
                    #a, t_a, t_b);                                                                 \
        }                                                                                          \
    } while (0)

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        t_cur = #fn;                                                                               \
        t_cur_failed = 0;                                                                          \
        fn();                                                                                      \
        if (t_cur_failed) {                                                                        \
            t_failed++;                                                                            \
            printf("FAIL %s\n", #fn);                                                              \
        } else {                                                                                   \
            t_passed++;                                                                            \
            printf("ok   %s\n", #fn);                                                              \
        }                                                                                          \
    } while (0)

#define T_DONE() (printf("RESULT %d %d\n", t_passed, t_failed), t_failed ? 1 : 0)

/* Writes text to the file `name` in directory dir (the test's scratch files). */
static inline void t_write_file(const char *dir, const char *name, const char *text) {
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

/* 1 when the test runs on PostgreSQL (issue 18: scripts/pgtest.sh sets SPOTCHECK_PG_MAP, and db.c
 * maps the test's database path to a database of its own there), for the few statements of a test
 * that must differ per engine; t_skip_on_pg says, in the output, which step means nothing there. */
static inline int t_on_pg(void) {
    const char *m = getenv("SPOTCHECK_PG_MAP");
    return m && *m;
}
static inline void t_skip_on_pg(const char *what) {
    printf("skip [postgresql] %s\n", what);
}

/* The statement that turns the foreign keys off for a test that writes rows without their parents:
 * SQLite's PRAGMA; on PostgreSQL (a throwaway test database) the constraints are dropped. */
static inline const char *t_foreign_keys_off_sql(void) {
    return t_on_pg()
               ? "DO $$ DECLARE r record; BEGIN FOR r IN SELECT conrelid::regclass AS t, conname "
                 "FROM pg_constraint WHERE contype = 'f' AND connamespace = "
                 "current_schema()::regnamespace LOOP EXECUTE format('ALTER TABLE %s DROP "
                 "CONSTRAINT %I', r.t, r.conname); END LOOP; END $$"
               : "PRAGMA foreign_keys = OFF";
}

/* A valid ID number (GB 11643: the check character computed) of an insured person born
 * 1980-01-01 in 130528, sequence number seq % 1000. */
static inline void t_id_number(char id[19], int seq) {
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    snprintf(id, 19, "13052819800101%03d", seq % 1000);
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (id[i] - '0') * w[i];
    id[17] = "10X98765432"[sum % 11];
    id[18] = 0;
}

/* Removes a test's database file with its WAL and shared-memory files. */
static inline void t_remove_db(const char *path) {
    char side[4096];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

#endif
