/* db_sqlite.c - the SQLite driver behind db.h.
 *
 * Each connection runs in WAL mode with foreign keys enforced and a busy timeout, so the web
 * server's per-thread connections and a CLI import can share one file. */
#include "db.h"
#include "db_sqlite_rows.h"
#include "db_sqlite_search.h"

#include "../core/util.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int pragma_setup(sqlite3 *h) {
    return sqlite3_exec(h,
                        "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                        "PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;",
                        NULL, NULL, NULL);
}

/* SQLite counts every allocation under one process-wide mutex unless told not to
 * (SQLITE_CONFIG_MEMSTATUS): threads that each use their own connection (the server's workers, an
 * import's search-index side build) then queue for it on every malloc. Nothing here reads those
 * counts. It must precede the library's initialisation, so it runs once before the first open
 * (this file is the only one that calls SQLite); refused (SQLITE_MISUSE: initialised already), only
 * the speed is lost. */
static void sq_configure(void) {
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static void *sq_open(const char *url, char **err) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sq_configure);
    sqlite3 *h = NULL;
    /* NOMUTEX: a connection is used by one thread at a time (the server's pool hands each to one
     * request; an import's parse threads read through it only under dir_context_set_lock), so
     * SQLite's own per-call connection mutex only costs (it was 7 % of a bulk import's INSERT
     * phase when that bound every cell; measured in bench/README.md). */
    int rc = sqlite3_open_v2(
        url, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        set_err(err, "无法打开数据库 %s: %s", url, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return NULL;
    }
    sqlite3_busy_timeout(h, 10000);
    sqlite3_extended_result_codes(h, 1);
    if (pragma_setup(h) != SQLITE_OK || sq_rows_register(h) != SQLITE_OK) {
        set_err(err, "无法设置数据库 %s: %s", url, sqlite3_errmsg(h));
        sqlite3_close(h);
        return NULL;
    }
    return h;
}

static void sq_close(void *c) {
    sqlite3_close_v2(c);
}
static const char *sq_errmsg(void *c) {
    return sqlite3_errmsg(c);
}

static int sq_errclass(void *c) {
    switch (sqlite3_errcode(c) & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return DBE_NONE;
    case SQLITE_CONSTRAINT:
        return DBE_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return DBE_BUSY;
    default:
        return DBE_OTHER;
    }
}

static void *sq_prepare(void *c, const char *sql) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c, sql, -1, &st, NULL) != SQLITE_OK) return NULL;
    return st;
}

static void *sq_prepare_persistent(void *c, const char *sql) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(c, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        return NULL;
    return st;
}

static void sq_reset_active(void *c) {
    for (sqlite3_stmt *st = sqlite3_next_stmt(c, NULL); st; st = sqlite3_next_stmt(c, st))
        if (sqlite3_stmt_busy(st)) sqlite3_reset(st);
}

static int ok(int rc) {
    return rc == SQLITE_OK ? DB_OK : DB_ERR;
}
static int sq_bind_int(void *st, int i, int64_t v) {
    return ok(sqlite3_bind_int64(st, i, v));
}
static int sq_bind_text(void *st, int i, const char *s) {
    if (!s) return ok(sqlite3_bind_null(st, i));
    return ok(sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT));
}
static int sq_bind_text_nocopy(void *st, int i, const char *s) {
    if (!s) return ok(sqlite3_bind_null(st, i));
    return ok(sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC));
}
static int sq_bind_blob(void *st, int i, const void *p, int n) {
    return ok(sqlite3_bind_blob(st, i, p, n, SQLITE_TRANSIENT));
}
static int sq_bind_null(void *st, int i) {
    return ok(sqlite3_bind_null(st, i));
}

static int sq_step(void *st) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) return DB_ROW;
    if (rc == SQLITE_DONE) return DB_DONE;
    return DB_ERR;
}

static int sq_reset(void *st) {
    sqlite3_clear_bindings(st);
    sqlite3_reset(st); /* returns the last step's error, already reported */
    return DB_OK;
}

/* the VM steps of the statements this thread finalized (db_rows_work) */
static _Thread_local int64_t sq_steps_finalized;

static void sq_finalize(void *st) {
    if (st) sq_steps_finalized += sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 0);
    sqlite3_finalize(st);
}
static int sq_col_count(void *st) {
    return sqlite3_column_count(st);
}
static int64_t sq_col_int(void *st, int i) {
    return sqlite3_column_int64(st, i);
}
static const char *sq_col_text(void *st, int i) {
    return (const char *)sqlite3_column_text(st, i);
}
static const char *sq_col_name(void *st, int i) {
    return sqlite3_column_name(st, i);
}
static int sq_col_is_null(void *st, int i) {
    return sqlite3_column_type(st, i) == SQLITE_NULL;
}
static int sq_exec_script(void *c, const char *sql) {
    return ok(sqlite3_exec(c, sql, NULL, NULL, NULL));
}
static int sq_in_transaction(void *c) {
    return !sqlite3_get_autocommit(c);
}
static int64_t sq_last_id(void *c) {
    return sqlite3_last_insert_rowid(c);
}
static int64_t sq_changes(void *c) {
    return sqlite3_changes64(c);
}

static int sq_read_value(void *c, const char *table, const char *column, int64_t rowid, size_t pad,
                         char **out, size_t *len) {
    sqlite3_blob *b = NULL;
    int rc = sqlite3_blob_open(c, "main", table, column, rowid, 0, &b);
    if (rc != SQLITE_OK) {
        sqlite3_blob_close(b);
        /* a missing row is "no such row"; anything else (no such table, busy…) is an error */
        return rc == SQLITE_ERROR && strstr(sqlite3_errmsg(c), "no such rowid") ? DB_DONE : DB_ERR;
    }
    size_t n = (size_t)sqlite3_blob_bytes(b);
    char *buf = xmalloc(n + pad + 1);
    for (size_t off = 0; off < n;) {
        int k = n - off > (1u << 30) ? 1 << 30 : (int)(n - off);
        if (sqlite3_blob_read(b, buf + off, k, (int)off) != SQLITE_OK) {
            free(buf);
            sqlite3_blob_close(b);
            return DB_ERR;
        }
        off += (size_t)k;
    }
    sqlite3_blob_close(b);
    memset(buf + n, 0, pad + 1);
    *out = buf;
    *len = n;
    return DB_OK;
}

static int sq_created_indexes(void *c, const char *table, DbIndex **list, size_t *n) {
    static const char sql[] =
        "SELECT m.name, m.sql, l.\"unique\" FROM sqlite_master m JOIN pragma_index_list(?1) l "
        "ON l.name = m.name WHERE m.type = 'index' AND m.tbl_name = ?1 AND m.sql IS NOT NULL "
        "AND l.origin = 'c' ORDER BY m.name";
    sqlite3_stmt *st = NULL;
    *list = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(c, sql, -1, &st, NULL) != SQLITE_OK) return DB_ERR;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 4;
            *list = xrealloc(*list, cap * sizeof **list);
        }
        (*list)[*n].name = xstrdup((const char *)sqlite3_column_text(st, 0));
        (*list)[*n].sql = xstrdup((const char *)sqlite3_column_text(st, 1));
        (*list)[*n].unique = sqlite3_column_int(st, 2) != 0;
        (*n)++;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) return DB_OK;
    db_index_list_free(*list, *n);
    *list = NULL;
    *n = 0;
    return DB_ERR;
}

/* The page cache as PRAGMA cache_size: the setting (pages, or -KiB when negative) is saved as is.
 * Temporary data goes to files meanwhile (temp_store = FILE; sq_open sets MEMORY): otherwise the
 * sorts of a bulk load's CREATE INDEX keep every key in memory (1M targets: +57 MB), where with
 * files they keep one cache's worth. SQLite refuses the switch inside a transaction (then it stays
 * MEMORY) and drops the connection's TEMP tables with it (dl_start is made again when needed). */
static int sq_cache_kib(void *c, int64_t kib, int64_t *saved) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c, "PRAGMA cache_size", -1, &st, NULL) != SQLITE_OK) return DB_ERR;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *saved = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) return DB_ERR;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", -(long long)kib);
    rc = sqlite3_exec(c, sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK) sqlite3_exec(c, "PRAGMA temp_store = FILE", NULL, NULL, NULL);
    return ok(rc);
}
static void sq_cache_restore(void *c, int64_t saved) {
    char sql[96];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld; PRAGMA temp_store = MEMORY",
             (long long)saved);
    sqlite3_exec(c, sql, NULL, NULL, NULL);
}
/* PRAGMA data_version changes when another connection commits (not for this one's own). */
static int sq_commits_seen(void *c, int64_t *n) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(c, "PRAGMA data_version", -1, &st, NULL);
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    else
        rc = SQLITE_ERROR;
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? DB_OK : DB_ERR;
}

static int sq_rows_work(void *c, int64_t *n) {
    int64_t steps = sq_steps_finalized;
    for (sqlite3_stmt *st = sqlite3_next_stmt(c, NULL); st; st = sqlite3_next_stmt(c, st))
        steps += sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 0);
    *n = steps;
    return DB_OK;
}

static void sq_optimize(void *c) {
    sqlite3_exec(c, "PRAGMA optimize", NULL, NULL, NULL);
}

/* The FTS5 table <table>_search (trigram tokenizer, external content: sql/033) joined by its rowid;
 * the text becomes one quoted phrase ("" for a quote inside), which FTS5 reads as literal
 * characters, limited to the columns named ({name address} : "…"). */
static int sq_text_search(void *c, const char *table, const char *alias, const char *const *columns,
                          size_t ncolumns, const char *text, DbTextSearch *ts) {
    (void)c;
    Buf b;
    buf_init(&b);
    buf_putc(&b, '{');
    for (size_t i = 0; i < ncolumns; i++)
        buf_printf(&b, "%s%s", i ? " " : "", columns[i]);
    buf_puts(&b, "} : \"");
    for (const char *s = text; *s; s++) {
        if (*s == '"') buf_putc(&b, '"');
        buf_putc(&b, *s);
    }
    buf_putc(&b, '"');
    ts->bind = buf_steal(&b);
    ts->join = xasprintf(" JOIN %s_search ON %s_search.rowid = %s.id", table, table, alias);
    ts->where = xasprintf("%s_search MATCH ?", table);
    ts->key = xasprintf("%s_search.rowid", table);
    ts->ids = xasprintf("SELECT rowid FROM %s_search WHERE %s_search MATCH ?", table, table);
    return DB_OK;
}

/* The table's triggers whose names start with prefix dropped, their CREATE statements kept. */
static int sq_triggers_pause(void *c, const char *table, const char *prefix, char **saved) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c,
                           "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
                           "tbl_name = ?1 AND substr(name, 1, length(?2)) = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return DB_ERR;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, prefix, -1, SQLITE_TRANSIENT);
    Buf create, drop;
    buf_init(&create);
    buf_init(&drop);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        buf_printf(&create, "%s;\n", (const char *)sqlite3_column_text(st, 1));
        buf_printf(&drop, "DROP TRIGGER \"%s\";", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE && drop.data) rc = sqlite3_exec(c, drop.data, NULL, NULL, NULL);
    buf_free(&drop);
    if (rc != SQLITE_DONE && rc != SQLITE_OK) {
        buf_free(&create);
        return DB_ERR;
    }
    *saved = create.data ? buf_steal(&create) : NULL;
    return DB_OK;
}

static int sq_triggers_resume(void *c, char *saved) {
    int rc = sqlite3_exec(c, saved, NULL, NULL, NULL);
    free(saved);
    return ok(rc);
}

/* The triggers named <table>_search_… (sql/033) dropped, their CREATE statements kept. */
static int sq_search_pause(void *c, const char *table, char **saved) {
    char *prefix = xasprintf("%s_search_", table);
    int rc = sq_triggers_pause(c, table, prefix, saved);
    free(prefix);
    return rc;
}

/* FTS5's in-memory hash of new tokens during a 'rebuild' (its 'hashsize' setting, default 1 MiB).
 * FTS5 writes the hash out as a new segment of the index each time it fills, and merges the
 * segments as they pile up: with 1 MiB the 1M-target index (500k rows indexed, 53 MB) is written
 * in many small segments that are merged again and again. With 16 MiB the 'rebuild' and its
 * commit took 1.6 CPU s instead of 2.4 in the sqlite3 shell (32 MiB: 1.57; 64 MiB: 1.51 for
 * +59 MB; bench/README.md, import). The setting is stored with the index, so it is put back to
 * the default after: row-by-row writes keep the small hash. */
#define SEARCH_REBUILD_HASH (16 << 20)

/* The index built beside the load put in place (db_sqlite_search.c), or else 'rebuild', which
 * reads every row of the content table into the FTS5 index; then the triggers again. */
static int sq_search_resume(void *c, const char *table, char *saved, void *side) {
    if (side && sq_search_side_finish(c, side) == SQLITE_OK) {
        int rc = sqlite3_exec(c, saved, NULL, NULL, NULL);
        free(saved);
        return ok(rc);
    }
    char *sql =
        xasprintf("INSERT INTO \"%s_search\"(\"%s_search\", rank) VALUES ('hashsize', %d);\n"
                  "INSERT INTO \"%s_search\"(\"%s_search\") VALUES ('rebuild');\n"
                  "INSERT INTO \"%s_search\"(\"%s_search\", rank) VALUES ('hashsize', %d);\n%s",
                  table, table, SEARCH_REBUILD_HASH, table, table, table, table, 1 << 20, saved);
    int rc = sqlite3_exec(c, sql, NULL, NULL, NULL);
    free(sql);
    free(saved);
    return ok(rc);
}

/* The checkpoint of a bulk load's pages beside the builds after its commit (db_index_later): the
 * load's commit leaves its frames in the WAL (no autocheckpoint), a thread with a connection of
 * its own copies them into the database (PASSIVE: it waits for nobody and copies what every
 * reader's snapshot allows: all the load's frames, while the builds append theirs, unless another
 * connection still reads an older snapshot; then less, and a later checkpoint copies the rest), and
 * the join gives the commits their checkpoints back (the builds' frames are copied by the next
 * one). */
#define WAL_AUTOCHECKPOINT 1000 /* pages: SQLite's default, which nothing else here changes */

typedef struct Beside {
    pthread_t thread;
    char *path;
} Beside;

static void *beside_main(void *arg) {
    Beside *b = arg;
    sqlite3 *h = NULL;
    /* a PRAGMA, not sqlite3_wal_checkpoint_v2: a connection that has read nothing yet does not
     * know the file is in WAL mode, and the call then silently does nothing */
    if (sqlite3_open_v2(b->path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) ==
        SQLITE_OK)
        sqlite3_exec(h, "PRAGMA wal_checkpoint(PASSIVE)", NULL, NULL, NULL);
    sqlite3_close(h); /* the load's connection stays open: this close checkpoints nothing more */
    return NULL;
}

static void sq_checkpoint_defer(void *c) {
    sqlite3_wal_autocheckpoint(c, 0);
}

static void *sq_checkpoint_beside(void *c) {
    const char *path = sqlite3_db_filename(c, "main");
    if (!path || !*path) return NULL; /* in memory: no WAL */
    Beside *b = xcalloc(1, sizeof *b);
    b->path = xstrdup(path);
    if (pthread_create(&b->thread, NULL, beside_main, b) != 0) {
        free(b->path);
        free(b);
        return NULL; /* the next commit after the join checkpoints instead */
    }
    return b;
}

static void sq_checkpoint_join(void *c, void *h) {
    Beside *b = h;
    if (b) {
        pthread_join(b->thread, NULL);
        free(b->path);
        free(b);
    }
    sqlite3_wal_autocheckpoint(c, WAL_AUTOCHECKPOINT);
}

static int sq_backup(void *c, const char *path, char **err) {
    sqlite3 *dst = NULL;
    if (sqlite3_open(path, &dst) != SQLITE_OK) {
        set_err(err, "无法创建备份文件 %s: %s", path, sqlite3_errmsg(dst));
        sqlite3_close(dst);
        return DB_ERR;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", c, "main");
    if (!b) {
        set_err(err, "无法开始备份: %s", sqlite3_errmsg(dst));
        sqlite3_close(dst);
        return DB_ERR;
    }
    int rc;
    /* copy in steps so writers on other connections are not blocked for the whole copy */
    do {
        rc = sqlite3_backup_step(b, 1024);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        set_err(err, "备份失败: %s", sqlite3_errstr(rc));
        sqlite3_close(dst);
        return DB_ERR;
    }
    sqlite3_close(dst);
    return DB_OK;
}

const DbDriver db_sqlite_driver = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .errmsg = sq_errmsg,
    .errclass = sq_errclass,
    .prepare = sq_prepare,
    .bind_int = sq_bind_int,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .reset = sq_reset,
    .finalize = sq_finalize,
    .col_count = sq_col_count,
    .col_int = sq_col_int,
    .col_text = sq_col_text,
    .col_name = sq_col_name,
    .col_is_null = sq_col_is_null,
    .exec_script = sq_exec_script,
    .in_transaction = sq_in_transaction,
    .last_id = sq_last_id,
    .changes = sq_changes,
    .backup = sq_backup,
    .read_value = sq_read_value,
    .created_indexes = sq_created_indexes,
    .table_names_sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                       "'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    .bind_text_nocopy = sq_bind_text_nocopy,
    .insert_rows = sq_insert_rows,
    .prepare_persistent = sq_prepare_persistent,
    .reset_active = sq_reset_active,
    .cache_kib = sq_cache_kib,
    .cache_restore = sq_cache_restore,
    .optimize = sq_optimize,
    .commits_seen = sq_commits_seen,
    .rows_work = sq_rows_work,
    .text_search = sq_text_search,
    .search_pause = sq_search_pause,
    .search_resume = sq_search_resume,
    .search_side_start = sq_search_side_start,
    .checkpoint_defer = sq_checkpoint_defer,
    .checkpoint_beside = sq_checkpoint_beside,
    .checkpoint_join = sq_checkpoint_join,
    .search_side_add = sq_search_side_add,
    .search_side_free = sq_search_side_free,
    .triggers_pause = sq_triggers_pause,
    .triggers_resume = sq_triggers_resume,
};
