/* bench_draw.c - times spotcheck's stratified draw (3% per credit grade) on a large population,
 * in memory and from a SQLite database built by bench/draw/run.sh. Prints "name seconds" lines
 * that run.sh collects. Not part of `make test`.
 *
 *   bench_draw memory N POP_OUT   generate N targets, write the canonical population file to
 *                                 POP_OUT (for the peers), time parse + draw in memory
 *   bench_draw db DB              time `draw freeze` (draw_store_freeze: build the population
 *                                 from the target table, parse it back, store it) and the
 *                                 selection part of `draw run` (read it back, parse, draw)
 *   bench_draw run DB             time only the `draw run` part on a database `db` froze */
#include "db/db.h"
#include "domain/draw.h"
#include "domain/draw_sha256.h"
#include "domain/draw_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process (user + system): steadier than wall time on a shared machine. */
static double cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *TASK = "BENCH-2025";
static const char *SEED = "spotcheck-v1|BENCH-2025|3141592653|"
                          "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/* Draws 3% of every stratum; returns the sample size. */
static size_t draw3(const DrawPop *p, char *first_out, size_t first_len) {
    DrawRatio r;
    draw_ratio_parse("3%", &r);
    uint64_t *n = xcalloc(p->nstrata, sizeof *n);
    for (size_t h = 0; h < p->nstrata; h++)
        n[h] = draw_stratum_size(p->stratum_n[h], r, 0);
    DrawSelection sel;
    draw_select(&sel, p, SEED, strlen(SEED), n);
    size_t count = sel.count;
    snprintf(first_out, first_len, "%s %s", p->id[sel.idx[0]], sel.ticket[0]);
    draw_selection_free(&sel);
    free(n);
    return count;
}

/* What `draw run` does before building the record: open the database, read the frozen
 * population file (draw_store_load_population: one copy, digest checked against the frozen
 * one), parse it, draw. Prints the phases (wall seconds) and the CPU seconds. */
static int run_from_db(const char *path) {
    char first[160];
    double t0 = now(), c0 = cpu();
    char *err = NULL;
    Db *db = db_open(path, 0, &err);
    int64_t id = 0;
    if (!db ||
        db_query_int(db, &id, "SELECT id FROM draw WHERE task_code = ? AND status <> '已作废'", "t",
                     TASK) ||
        !id) {
        fprintf(stderr, "no frozen draw of %s in %s\n", TASK, path);
        return 1;
    }
    DrawPop p;
    if (draw_store_load_population(db, id, &p, &err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    double t1 = now(), c1 = cpu();
    size_t n = draw3(&p, first, sizeof first);
    double t2 = now(), c2 = cpu();
    printf("db_run_read_parse %.3f\ndb_run_draw %.3f\ndb_total %.3f\n"
           "db_total_cpu %.3f (read+parse %.3f, draw %.3f)\nsample %zu\nfirst %s\n",
           t1 - t0, t2 - t1, t2 - t0, c2 - c0, c1 - c0, c2 - c1, n, first);
    draw_pop_free(&p);
    db_close(db);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: bench_draw memory N POP_OUT | db DB | run DB\n");
        return 2;
    }
    printf("sha256 %s\n", draw_sha256_use(1));
    char first[160];
    if (!strcmp(argv[1], "memory") && argc == 4) {
        size_t N = strtoull(argv[2], NULL, 10);
        Buf b;
        buf_init(&b);
        buf_reserve(&b, N * 15);
        for (size_t i = 0; i < N; i++) {
            uint64_t x = (uint64_t)i * 2654435761u % 7;
            buf_printf(&b, "E%011zu\t%c\n", i, "ABBBCCD"[x]);
        }
        FILE *f = fopen(argv[3], "wb");
        if (!f || fwrite(b.data, 1, b.len, f) != b.len || fclose(f)) return 1;
        double t0 = now();
        DrawPop p;
        char *err = NULL;
        size_t len = b.len;
        if (draw_pop_parse(&p, buf_steal(&b), len, &err)) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        double t1 = now();
        size_t n = draw3(&p, first, sizeof first);
        double t2 = now();
        printf("memory_parse %.3f\nmemory_draw %.3f\nsample %zu\nfirst %s\n", t1 - t0, t2 - t1, n,
               first);
        draw_pop_free(&p);
        return 0;
    }
    if (!strcmp(argv[1], "db")) {
        /* `draw freeze`: build the population and officer files from the directory tables,
         * parse them back, store them with the commitment */
        double t0 = now();
        char *err = NULL;
        Db *db = db_open(argv[2], 0, &err);
        if (!db) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        json_t *params =
            json_pack("{s:{s:s},s:{s:i}}", "ratios", "*", "3%", "exclusions", "yearly_cap", 0);
        /* a lottery far after "now" (the benchmark's freeze time is not the point) */
        json_t *sources =
            json_pack("[{s:s,s:s,s:s}]", "kind", "fc3d", "issue", "2099001", "date", "2099-01-01");
        DrawFreezeReq req = {.task = TASK,
                             .date = "2025-06-02",
                             .sources = sources,
                             .gap_hours = 24,
                             .now = 0,
                             .frozen_at = "2025-06-01T09:00:00+08:00",
                             .params = params};
        char *fsha = NULL;
        if (db_begin(db) || draw_store_freeze(db, &req, &fsha, &err) || db_commit(db)) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        json_decref(sources);
        double t1 = now();
        free(fsha);
        db_close(db);
        json_decref(params);
        printf("db_freeze %.3f\n", t1 - t0);
        return run_from_db(argv[2]);
    }
    if (!strcmp(argv[1], "run")) return run_from_db(argv[2]);
    fprintf(stderr, "usage: bench_draw memory N POP_OUT | db DB | run DB\n");
    return 2;
}
