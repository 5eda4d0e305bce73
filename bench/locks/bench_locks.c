/* bench_locks.c - what a unit pays to lock n rows of one table on PostgreSQL (db_lock_rows, one
 * statement per 1,000 ids) against the same rows locked one statement each (db_lock_row in a
 * loop, as uow_lock_rows did before), in the same run, on the same connection and rows.
 * Usage: bench_locks DB N REPEAT (DB a path mapped by SPOTCHECK_PG_MAP, see scripts/pgtest.sh). */
#include "core/util.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One unit that locks the rows, by batch or one by one, and commits; its seconds. */
static double one_unit(Db *db, const int64_t *ids, size_t n, int batch) {
    double t0 = now();
    int rc = db_begin_kind(db, DB_TX_ROWS);
    if (batch)
        rc = rc == DB_OK ? db_lock_rows(db, "target", ids, n) : rc;
    else
        for (size_t i = 0; i < n && rc == DB_OK; i++)
            rc = db_lock_row(db, "target", ids[i]);
    if (rc != DB_OK || db_commit(db) != DB_OK) {
        fprintf(stderr, "bench_locks: %s\n", db_errmsg(db));
        exit(1);
    }
    return now() - t0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: bench_locks DB N REPEAT\n");
        return 2;
    }
    size_t n = (size_t)atol(argv[2]), repeat = (size_t)atol(argv[3]);
    char *err = NULL;
    Db *db = db_open(argv[1], 1, &err);
    if (!db) {
        fprintf(stderr, "bench_locks: %s\n", err ? err : "?");
        return 1;
    }
    int64_t org = 0;
    if (db_exec(db, "INSERT INTO org(code, name, updated_at) VALUES ('130000', '省', '2026-01-01')",
                NULL) != DB_OK ||
        db_query_int(db, &org, "SELECT min(id) FROM org", NULL) != DB_OK) {
        fprintf(stderr, "bench_locks: %s\n", db_errmsg(db));
        return 1;
    }
    int64_t *ids = xcalloc(n, sizeof *ids);
    db_begin(db);
    for (size_t i = 0; i < n; i++) {
        char code[32];
        snprintf(code, sizeof code, "BENCH-%08zu", i);
        if (db_exec(db,
                    "INSERT INTO target(org_id, kind, code, name, region) "
                    "VALUES (?, 'pharmacy', ?, '药店', '130000')",
                    "it", org, code) != DB_OK) {
            fprintf(stderr, "bench_locks: %s\n", db_errmsg(db));
            return 1;
        }
        ids[i] = db_last_id(db);
    }
    db_commit(db);
    double *one = xcalloc(repeat, sizeof *one), *batch = xcalloc(repeat, sizeof *batch);
    for (size_t r = 0; r < repeat; r++) { /* interleaved */
        one[r] = one_unit(db, ids, n, 0);
        batch[r] = one_unit(db, ids, n, 1);
    }
    qsort(one, repeat, sizeof *one, cmp_double);
    qsort(batch, repeat, sizeof *batch, cmp_double);
    double a = one[repeat / 2], b = batch[repeat / 2];
    printf("locking %zu rows of target in one unit; medians of %zu interleaved runs\n", n, repeat);
    printf("  one statement per row (before)   %9.2f ms  %7.1f us/row\n", a * 1e3,
           a * 1e6 / (double)n);
    printf("  db_lock_rows (1,000 ids/stmt)    %9.2f ms  %7.1f us/row\n", b * 1e3,
           b * 1e6 / (double)n);
    printf("  ratio before / now               %9.1fx\n", a / b);
    free(one);
    free(batch);
    free(ids);
    db_close(db);
    return 0;
}
