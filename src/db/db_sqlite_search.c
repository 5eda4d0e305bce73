/* db_sqlite_search.c - a bulk load's search index built beside it (db.h, db_search_side_start).
 *
 * Why: rebuilding the FTS5 trigram index of a large load ('rebuild': read the table back, split
 * every name and address into trigrams) took a fifth of a 1M-target import's time on one core
 * while the other was idle: the load inserts rows and then builds its other indexes, all on one
 * connection, one thread. Here the rows the index covers are handed, as they are inserted, to a
 * thread of its own that feeds them to a copy of the same FTS5 table in a scratch database (a
 * private temporary file: its own connection, its own lock, no contention with the load). When the
 * load is done, the FTS5 table of the database is dropped and created again from its own CREATE
 * statement, and the scratch table's index (its shadow tables <t>_search_data and _idx: the
 * segments, the structure record, the averages) is copied into the new, empty one by plain
 * INSERTs, in the load's transaction. The copy is the index FTS5 would have built from the same
 * rows (both tables have one definition; FTS5's 'integrity-check' compares it with the table: the
 * tests do, tests/unit/test_search_side.c); only the segment layout may differ from a 'rebuild''s.
 *
 * Why drop and create: FTS5 keeps the index's structure record in memory per connection and sees
 * changes of other connections only; a brand-new table has no such memory, and nothing reads it
 * before the copy is complete.
 *
 * The rows travel in chunks (a queue of at most SIDE_QUEUE chunks, so a slow side thread holds the
 * load back rather than memory growing); a failure on the side thread is kept and reported at the
 * finish, where the caller falls back to 'rebuild'. */
#include "db_sqlite_search.h"

#include "../core/util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIDE_CHUNK (256u << 10) /* bytes of rows in a chunk */
#define SIDE_QUEUE 64           /* chunks waiting for the side thread at most (16 MiB) */
#define SIDE_HASH (16 << 20)    /* FTS5's hash of new tokens: as sq_search_resume's rebuild */

typedef struct Chunk {
    struct Chunk *next;
    size_t len;
    unsigned char data[SIDE_CHUNK];
} Chunk;

typedef struct Side {
    size_t ncols;
    char *table; /* the FTS5 table, "<t>_search" */
    char *ddl;   /* its CREATE VIRTUAL TABLE statement */
    sqlite3 *scratch;
    sqlite3_stmt *insert; /* INSERT INTO scratch's table(rowid, columns…) */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    Chunk *head, *tail; /* queued for the side thread */
    size_t queued;
    Chunk *filling; /* the chunk being filled by the load */
    int done;       /* no more rows */
    int gave_up;    /* the load's thread saw the build fail: rows are no longer packed */
    int failed;     /* a row could not be indexed (or was too long to hand over), or the build was
                     * abandoned: what is left is drained unread and the build is unusable */
} Side;

/* Record layout in a chunk: the id (8 bytes), then per column a 4-byte length (UINT32_MAX:
 * NULL) and the bytes. */

static int fail_test;
void sq_search_side_test_fail(int how) {
    fail_test = how;
}

static int index_chunk(Side *s, const Chunk *c) {
    if (fail_test == 1) return -1;
    size_t at = 0;
    while (at < c->len) {
        int64_t id;
        memcpy(&id, c->data + at, sizeof id);
        at += sizeof id;
        sqlite3_bind_int64(s->insert, 1, id);
        for (size_t i = 0; i < s->ncols; i++) {
            uint32_t n;
            memcpy(&n, c->data + at, sizeof n);
            at += sizeof n;
            if (n == UINT32_MAX) {
                sqlite3_bind_null(s->insert, (int)i + 2);
                continue;
            }
            sqlite3_bind_text(s->insert, (int)i + 2, (const char *)c->data + at, (int)n,
                              SQLITE_STATIC);
            at += n;
        }
        int rc = sqlite3_step(s->insert);
        sqlite3_reset(s->insert);
        sqlite3_clear_bindings(s->insert); /* they point into the chunk, freed after */
        if (rc != SQLITE_DONE) return -1;
    }
    return 0;
}

/* Marks the build unusable. */
static void side_fail(Side *s) {
    pthread_mutex_lock(&s->mu);
    s->failed = 1;
    pthread_mutex_unlock(&s->mu);
}

static void *side_main(void *arg) {
    Side *s = arg;
    int failed = 0;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (!s->head && !s->done)
            pthread_cond_wait(&s->cv, &s->mu);
        Chunk *c = s->head;
        if (c) {
            s->head = c->next;
            if (!s->head) s->tail = NULL;
            s->queued--;
            pthread_cond_broadcast(&s->cv); /* room in the queue */
        }
        failed |= s->failed;
        pthread_mutex_unlock(&s->mu);
        if (!c) break; /* done and drained */
        if (!failed && index_chunk(s, c) != 0) side_fail(s), failed = 1;
        free(c);
    }
    if (!failed && sqlite3_exec(s->scratch, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) side_fail(s);
    return NULL;
}

/* The FTS5 table's CREATE statement as the database holds it, or NULL. */
static char *create_sql(sqlite3 *c, const char *fts) {
    sqlite3_stmt *st = NULL;
    char *sql = NULL;
    if (sqlite3_prepare_v2(c, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", -1,
                           &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(st, 1, fts, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        sql = xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return sql;
}

/* Whether the FTS5 table's index lives in its _data and _idx tables alone (besides _config): the
 * copy takes those two. A table with per-row sizes (_docsize) or content of its own (_content)
 * is rebuilt from the table instead. */
static int index_only(sqlite3 *c, const char *fts) {
    sqlite3_stmt *st = NULL;
    int only = 0;
    if (sqlite3_prepare_v2(c,
                           "SELECT count(*), count(*) FILTER (WHERE name IN (?1 || '_config', ?1 "
                           "|| '_data', ?1 || '_idx')) FROM sqlite_master WHERE type = 'table' "
                           "AND substr(name, 1, length(?1) + 1) = ?1 || '_'",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, fts, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 3 &&
            sqlite3_column_int(st, 1) == 3)
            only = 1;
    }
    sqlite3_finalize(st);
    return only;
}

/* The scratch database with the same FTS5 table, its transaction open, its INSERT prepared. */
static int open_scratch(Side *s, const char *const *columns) {
    /* "": a private temporary database on disk, removed when closed */
    if (sqlite3_open_v2("", &s->scratch, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK)
        return -1;
    char *setup = xasprintf("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;\n%s;\nBEGIN;\n"
                            "INSERT INTO \"%s\"(\"%s\", rank) VALUES ('hashsize', %d);",
                            s->ddl, s->table, s->table, SIDE_HASH);
    int rc = sqlite3_exec(s->scratch, setup, NULL, NULL, NULL);
    free(setup);
    if (rc != SQLITE_OK) return -1;
    Buf b;
    buf_init(&b);
    buf_printf(&b, "INSERT INTO \"%s\"(rowid", s->table);
    for (size_t i = 0; i < s->ncols; i++)
        buf_printf(&b, ", \"%s\"", columns[i]);
    buf_puts(&b, ") VALUES (?");
    for (size_t i = 0; i < s->ncols; i++)
        buf_puts(&b, ", ?");
    buf_putc(&b, ')');
    rc = sqlite3_prepare_v2(s->scratch, b.data, -1, &s->insert, NULL);
    buf_free(&b);
    return rc == SQLITE_OK ? 0 : -1;
}

static void side_close(Side *s) {
    sqlite3_finalize(s->insert);
    sqlite3_close(s->scratch);
    for (Chunk *c = s->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(s->filling);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s->table);
    free(s->ddl);
    free(s);
}

void *sq_search_side_start(void *conn, const char *table, const char *const *columns) {
    Side *s = xcalloc(1, sizeof *s);
    while (columns[s->ncols])
        s->ncols++;
    s->table = xasprintf("%s_search", table);
    s->ddl = index_only(conn, s->table) ? create_sql(conn, s->table) : NULL;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (!s->ddl || open_scratch(s, columns) != 0 ||
        pthread_create(&s->thread, NULL, side_main, s) != 0) {
        side_close(s); /* no side build: the caller's resume reads the table */
        return NULL;
    }
    return s;
}

/* Hands the chunk being filled to the side thread, waiting while the queue is full; once the
 * build has failed, chunks are dropped (and the rows after them no longer packed). */
static void hand_over(Side *s) {
    Chunk *c = s->filling;
    s->filling = NULL;
    if (!c) return;
    pthread_mutex_lock(&s->mu);
    if (s->failed) {
        s->gave_up = 1;
        pthread_mutex_unlock(&s->mu);
        free(c);
        return;
    }
    while (s->queued >= SIDE_QUEUE)
        pthread_cond_wait(&s->cv, &s->mu);
    if (s->tail)
        s->tail->next = c;
    else
        s->head = c;
    s->tail = c;
    s->queued++;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

void sq_search_side_add(void *side, int64_t id, const char *const *values) {
    Side *s = side;
    if (s->gave_up) return; /* (the load's own thread sets and reads it) */
    size_t need = sizeof id;
    for (size_t i = 0; i < s->ncols; i++)
        need += sizeof(uint32_t) + (values[i] ? strlen(values[i]) : 0);
    if (need > SIDE_CHUNK) { /* a row larger than a chunk (names and addresses are short) */
        side_fail(s);        /* the index is read from the table at the finish instead */
        return;
    }
    if (s->filling && s->filling->len + need > SIDE_CHUNK) hand_over(s);
    if (!s->filling) {
        s->filling = xmalloc(sizeof *s->filling);
        s->filling->next = NULL;
        s->filling->len = 0;
    }
    unsigned char *p = s->filling->data + s->filling->len;
    memcpy(p, &id, sizeof id);
    p += sizeof id;
    for (size_t i = 0; i < s->ncols; i++) {
        uint32_t n = values[i] ? (uint32_t)strlen(values[i]) : UINT32_MAX;
        memcpy(p, &n, sizeof n);
        p += sizeof n;
        if (values[i]) memcpy(p, values[i], n), p += n;
    }
    s->filling->len += need;
}

/* Ends the side thread; returns its outcome (0 when its index is complete). */
static int side_join(Side *s) {
    hand_over(s);
    pthread_mutex_lock(&s->mu);
    s->done = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    return s->failed ? -1 : 0; /* the thread has ended: no lock needed */
}

void sq_search_side_free(void *side) {
    if (!side) return;
    Side *s = side;
    side_fail(s); /* whatever is queued is drained unread */
    side_join(s);
    side_close(s);
}

/* Copies every row of the scratch table `shadow` into the same table of c. */
static int copy_rows(sqlite3 *c, sqlite3 *scratch, const char *shadow) {
    char *sel = xasprintf("SELECT * FROM \"%s\"", shadow);
    sqlite3_stmt *from = NULL, *to = NULL;
    int rc = sqlite3_prepare_v2(scratch, sel, -1, &from, NULL);
    free(sel);
    if (rc == SQLITE_OK) {
        int n = sqlite3_column_count(from);
        Buf b;
        buf_init(&b);
        buf_printf(&b, "INSERT INTO \"%s\" VALUES (?", shadow);
        for (int i = 1; i < n; i++)
            buf_puts(&b, ", ?");
        buf_putc(&b, ')');
        rc = sqlite3_prepare_v2(c, b.data, -1, &to, NULL);
        buf_free(&b);
        while (rc == SQLITE_OK && (rc = sqlite3_step(from)) == SQLITE_ROW) {
            for (int i = 0; i < n; i++)
                sqlite3_bind_value(to, i + 1, sqlite3_column_value(from, i));
            rc = sqlite3_step(to);
            sqlite3_reset(to);
            rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        }
        if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    sqlite3_finalize(from);
    sqlite3_finalize(to);
    return rc;
}

/* The table dropped and created again, its settings (the _config rows but the format version,
 * e.g. 'hashsize') kept, its index replaced by the scratch's. */
static int put_in_place(sqlite3 *c, Side *s) {
    char *config = xasprintf("%s_config", s->table), *data = xasprintf("%s_data", s->table),
         *idx = xasprintf("%s_idx", s->table);
    char *sql = xasprintf("CREATE TEMP TABLE search_side_config AS SELECT k, v FROM \"%s\" WHERE "
                          "k <> 'version';\nDROP TABLE \"%s\";\n%s;\nINSERT INTO \"%s\"(k, v) "
                          "SELECT k, v FROM search_side_config;\nDROP TABLE search_side_config;\n"
                          "DELETE FROM \"%s\";\nDELETE FROM \"%s\";",
                          config, s->table, s->ddl, config, data, idx);
    int rc = sqlite3_exec(c, sql, NULL, NULL, NULL);
    free(sql);
    if (rc == SQLITE_OK && fail_test == 2) rc = SQLITE_IOERR; /* tests: a failure half-way */
    if (rc == SQLITE_OK) rc = copy_rows(c, s->scratch, data);
    if (rc == SQLITE_OK) rc = copy_rows(c, s->scratch, idx);
    free(config);
    free(data);
    free(idx);
    return rc;
}

int sq_search_side_finish(sqlite3 *c, void *side) {
    Side *s = side;
    char why[256] = "旁路线程未能建完";
    int rc = side_join(s) == 0 ? SQLITE_OK : SQLITE_ERROR;
    /* all or nothing: a failure half-way leaves the table as it was, for the 'rebuild' after */
    if (rc == SQLITE_OK &&
        (rc = sqlite3_exec(c, "SAVEPOINT search_side", NULL, NULL, NULL)) == SQLITE_OK) {
        rc = put_in_place(c, s);
        if (rc != SQLITE_OK) {
            snprintf(why, sizeof why, "%s",
                     sqlite3_errcode(c) == rc ? sqlite3_errmsg(c) : sqlite3_errstr(rc));
            sqlite3_exec(c, "ROLLBACK TO search_side", NULL, NULL, NULL);
        }
        int rel = sqlite3_exec(c, "RELEASE search_side", NULL, NULL, NULL);
        if (rc == SQLITE_OK) rc = rel;
    }
    if (rc != SQLITE_OK) /* only speed is lost: say so, so that it can be seen */
        fprintf(stderr, "spotcheck: 搜索索引未能在导入旁构建（%s），改为从表重建\n", why);
    side_close(s);
    return rc;
}
