/* db.c - the driver-independent half of the storage API: dispatch to the driver, the varargs
 * binding helpers, transactions, numbered migrations, and each connection's cache of prepared
 * statements.
 *
 * The statement cache: db_prepare looks the SQL text up among the connection's last DB_STMT_CACHE
 * statements and hands out a reset one instead of preparing anew (a web request runs the same few
 * dozen statements every time on a connection kept for the thread); db_finalize of a cached
 * statement resets it (bindings cleared) and gives it back. A statement in use is never handed
 * out twice: a second db_prepare of the same text meanwhile gets a statement of its own. The
 * engine re-prepares a cached statement by itself after a schema change (SQLite: prepare_v3).
 *
 * Migrations are the files sql/NNN_name.sql, embedded in the binary at build time and applied in
 * order inside one transaction each; schema_migrations records every applied number. */
#include "../core/clock.h"
#include "db.h"

#include "../core/embed.h"
#include "../core/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Prepared statements a connection keeps for reuse (see the top); 0 (-DDB_STMT_CACHE=0, to
 * measure what the cache is worth: bench/README.md) keeps none. */
#ifndef DB_STMT_CACHE
#define DB_STMT_CACHE 64
#endif

struct Stmt {
    Db *db;
    void *st;
    int slot;  /* index in db->cache, or -1 for a statement of its own */
    int large; /* db_large: not kept in the cache after it (db_finalize) */
};

typedef struct CachedStmt {
    Stmt stmt;     /* what db_prepare hands out */
    char *sql;     /* NULL: an empty slot */
    uint64_t hash; /* of sql */
    uint64_t used; /* db->tick when last handed out: the least recently used one goes first */
    int in_use;
} CachedStmt;

struct Db {
    const DbDriver *drv;
    void *conn;
    char *path; /* the file opened (NULL: not a file), to tell when it was replaced */
    dev_t dev;  /* ... and its identity at the open */
    ino_t ino;
    uint64_t tick;
    int enclosed;                /* inside db_enclose_begin: units run as savepoints */
    int units;                   /* savepoints of units open inside it */
    uint64_t conflicts, commits; /* db_conflicts, db_commits */
    int checkpoint_deferred;     /* db_index_later recorded an index: commits do not checkpoint */
    CachedStmt cache[DB_STMT_CACHE];
};

static int migrate(Db *db, int indexes_left, char **err);

static void make_parent_dir(const char *path) {
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = 0;
        mkdir(dir, 0755); /* one level is what ./var needs; errors surface at open */
    }
    free(dir);
}

int db_url_is_pg(const char *url) {
    if (str_starts(url, "postgres://") || str_starts(url, "postgresql://")) return 1;
    const char *p = url; /* key=value: a libpq connection string */
    while ((*p >= 'a' && *p <= 'z') || *p == '_')
        p++;
    return p > url && *p == '=';
}

/* SPOTCHECK_PG_MAP (tests only: scripts/pgtest.sh, `make test-pg`): a libpq connection string
 * without dbname. A file path given as the database then names a PostgreSQL database of its own
 * on that server, "sc_" and a hash of the path, so tests written for database files run
 * unchanged on PostgreSQL. NULL when unset or url is already a PostgreSQL one. */
static char *pg_mapped(const char *url) {
    const char *map = getenv("SPOTCHECK_PG_MAP");
    if (!map || !*map || db_url_is_pg(url)) return NULL;
    return xasprintf("%s dbname=sc_%016llx", map, (unsigned long long)str_fnv1a(url));
}

const char *db_url_sqlite_file(const char *url) {
    return str_starts(url, "sqlite:") ? url + 7 : NULL;
}

int db_exists(const char *url) {
    struct stat sb;
    if (db_url_sqlite_file(url)) return stat(db_url_sqlite_file(url), &sb) == 0;
    char *mapped = pg_mapped(url);
    int pg = mapped || db_url_is_pg(url), rc = 1; /* without the driver, db_open says so */
#ifdef SPOTCHECK_PG
    if (pg) rc = db_pg_driver.exists(mapped ? mapped : url);
#endif
    free(mapped);
    return pg ? rc : stat(url, &sb) == 0;
}

Db *db_open(const char *url, int do_migrate, char **err) {
    const char *file = db_url_sqlite_file(url);
    char *mapped = file ? NULL : pg_mapped(url);
    if (file) url = file;
    if (mapped) {
        Db *db = db_open(mapped, do_migrate, err);
        free(mapped);
        return db;
    }
    const DbDriver *drv = &db_sqlite_driver;
    if (db_url_is_pg(url)) {
#ifdef SPOTCHECK_PG
        drv = &db_pg_driver;
#else
        set_err(err, "此版本编译时未包含 PostgreSQL 驱动（需要 libpq，make PG=1）: %s", url);
        return NULL;
#endif
    } else {
        make_parent_dir(url);
    }
    void *conn = drv->open(url, err);
    if (!conn) return NULL;
    Db *db = xcalloc(1, sizeof *db);
    db->drv = drv;
    db->conn = conn;
    struct stat sb;
    if (drv == &db_sqlite_driver && stat(url, &sb) == 0) {
        db->path = xstrdup(url);
        db->dev = sb.st_dev;
        db->ino = sb.st_ino;
    }
    /* what a bulk load left for after its commit and did not build (a crash, a failure), before
     * a migration may change what those indexes name: none runs while one is left */
    int indexes_left = do_migrate && db_index_build_pending(db) != DB_OK;
    if (do_migrate && migrate(db, indexes_left, err) != DB_OK) {
        db_close(db);
        return NULL;
    }
    return db;
}

void db_close(Db *db) {
    if (!db) return;
    for (int i = 0; i < DB_STMT_CACHE; i++) {
        if (!db->cache[i].sql) continue;
        db->drv->finalize(db->cache[i].stmt.st);
        free(db->cache[i].sql);
    }
    db->drv->close(db->conn);
    free(db->path);
    free(db);
}

int db_replaced(Db *db) {
    struct stat sb;
    if (!db->path) return 0;
    return stat(db->path, &sb) != 0 || sb.st_dev != db->dev || sb.st_ino != db->ino;
}

int db_release(Db *db) {
    for (int i = 0; i < DB_STMT_CACHE; i++) { /* statements a caller never finalized */
        CachedStmt *c = &db->cache[i];
        if (c->sql && c->in_use) {
            db->drv->reset(c->stmt.st);
            c->in_use = 0;
        }
    }
    if (db->drv->reset_active) db->drv->reset_active(db->conn);
    if (db->drv->in_transaction(db->conn)) db_rollback(db);
    if (db->checkpoint_deferred) { /* a load left off before db_index_build_pending */
        db->drv->checkpoint_join(db->conn, NULL);
        db->checkpoint_deferred = 0;
    }
    return db->drv->in_transaction(db->conn) ? DB_ERR : DB_OK;
}

int db_in_transaction(Db *db) {
    return db->drv->in_transaction(db->conn) != 0;
}

const char *db_errmsg(Db *db) {
    return db->drv->errmsg(db->conn);
}
int db_errclass(Db *db) {
    return db->drv->errclass(db->conn);
}

Stmt *db_prepare(Db *db, const char *sql) {
    uint64_t h = str_fnv1a(sql);
    CachedStmt *victim = NULL;
    for (int i = 0; i < DB_STMT_CACHE; i++) {
        CachedStmt *c = &db->cache[i];
        if (c->sql && c->hash == h && !c->in_use && !strcmp(c->sql, sql)) {
            c->in_use = 1;
            c->used = ++db->tick;
            return &c->stmt;
        }
        if (!c->in_use && (!victim || (victim->sql && (!c->sql || c->used < victim->used))))
            victim = c;
    }
    void *st = db->drv->prepare_persistent && victim ? db->drv->prepare_persistent(db->conn, sql)
                                                     : db->drv->prepare(db->conn, sql);
    if (!st) return NULL;
    if (!victim) { /* every slot in use: a statement of its own */
        Stmt *s = xmalloc(sizeof *s);
        *s = (Stmt){db, st, -1};
        return s;
    }
    if (victim->sql) {
        db->drv->finalize(victim->stmt.st);
        free(victim->sql);
    }
    victim->sql = xstrdup(sql);
    victim->hash = h;
    victim->used = ++db->tick;
    victim->in_use = 1;
    victim->stmt = (Stmt){db, st, (int)(victim - db->cache)};
    return &victim->stmt;
}

int db_bind_int(Stmt *s, int idx, int64_t v) {
    return s->db->drv->bind_int(s->st, idx, v);
}
int db_bind_text(Stmt *s, int idx, const char *v) {
    return s->db->drv->bind_text(s->st, idx, v);
}
int db_bind_text_nocopy(Stmt *s, int idx, const char *v) {
    if (!s->db->drv->bind_text_nocopy) return s->db->drv->bind_text(s->st, idx, v);
    return s->db->drv->bind_text_nocopy(s->st, idx, v);
}
int db_bind_blob(Stmt *s, int idx, const void *p, int n) {
    return s->db->drv->bind_blob(s->st, idx, p, n);
}
int db_bind_null(Stmt *s, int idx) {
    return s->db->drv->bind_null(s->st, idx);
}
static _Atomic uint64_t process_conflicts, process_commits; /* every connection's, summed */
/* Counts a failure that another attempt of the unit may not meet (db_conflicts). */
static int noted(Db *db, int rc) {
    if (rc == DB_ERR && db->drv->errclass(db->conn) == DBE_CONFLICT)
        db->conflicts++, process_conflicts++;
    return rc;
}
void db_large(Stmt *s) {
    s->large = 1;
    if (s->db->drv->large) s->db->drv->large(s->st);
}
int db_step(Stmt *s) {
    return noted(s->db, s->db->drv->step(s->st));
}
int db_reset(Stmt *s) {
    return s->db->drv->reset(s->st);
}
int db_col_count(Stmt *s) {
    return s->db->drv->col_count(s->st);
}
int64_t db_col_int(Stmt *s, int i) {
    return s->db->drv->col_int(s->st, i);
}
const char *db_col_text(Stmt *s, int i) {
    return s->db->drv->col_text(s->st, i);
}
const char *db_col_name(Stmt *s, int i) {
    return s->db->drv->col_name(s->st, i);
}
int db_col_is_null(Stmt *s, int i) {
    return s->db->drv->col_is_null(s->st, i);
}

void db_finalize(Stmt *s) {
    if (!s) return;
    if (s->slot >= 0 && s->large) { /* its slot emptied: another caller of the same text would
                                     * get the cursor too (a FOR UPDATE read cannot be one) */
        CachedStmt *c = &s->db->cache[s->slot];
        s->db->drv->finalize(s->st);
        free(c->sql);
        *c = (CachedStmt){0};
        return;
    }
    if (s->slot >= 0) { /* back to the cache, reset and without bindings */
        s->db->drv->reset(s->st);
        s->db->cache[s->slot].in_use = 0;
        return;
    }
    s->db->drv->finalize(s->st);
    free(s);
}

static int bind_va(Stmt *s, const char *types, va_list ap) {
    int idx = 1;
    for (const char *t = types ? types : ""; *t; t++, idx++) {
        int rc;
        switch (*t) {
        case 'i':
            rc = db_bind_int(s, idx, va_arg(ap, int64_t));
            break;
        case 't':
            rc = db_bind_text(s, idx, va_arg(ap, const char *));
            break;
        case 'n':
            rc = db_bind_null(s, idx);
            break;
        default:
            ASSERT(0 && "bad db type letter");
            rc = DB_ERR;
        }
        if (rc != DB_OK) return DB_ERR;
    }
    return DB_OK;
}

int db_bind_va(Stmt *s, const char *types, ...) {
    va_list ap;
    va_start(ap, types);
    int rc = bind_va(s, types, ap);
    va_end(ap);
    return rc;
}

/* Prepares, binds and steps once; the caller finalizes. Returns NULL on error. */
static Stmt *run_first(Db *db, const char *sql, const char *types, va_list ap, int *step_rc) {
    Stmt *s = db_prepare(db, sql);
    if (!s) return NULL;
    if (bind_va(s, types, ap) != DB_OK) {
        db_finalize(s);
        return NULL;
    }
    *step_rc = db_step(s);
    if (*step_rc == DB_ERR) {
        db_finalize(s);
        return NULL;
    }
    return s;
}

int db_exec(Db *db, const char *sql, const char *types, ...) {
    va_list ap;
    va_start(ap, types);
    int rc;
    Stmt *s = run_first(db, sql, types, ap, &rc);
    va_end(ap);
    if (!s) return DB_ERR;
    while (rc == DB_ROW)
        rc = db_step(s);
    db_finalize(s);
    return rc == DB_DONE ? DB_OK : DB_ERR;
}

int db_query_int(Db *db, int64_t *out, const char *sql, const char *types, ...) {
    va_list ap;
    va_start(ap, types);
    int rc;
    Stmt *s = run_first(db, sql, types, ap, &rc);
    va_end(ap);
    if (!s) return DB_ERR;
    *out = rc == DB_ROW ? db_col_int(s, 0) : 0;
    db_finalize(s);
    return DB_OK;
}

int db_query_text(Db *db, char **out, const char *sql, const char *types, ...) {
    va_list ap;
    va_start(ap, types);
    int rc;
    Stmt *s = run_first(db, sql, types, ap, &rc);
    va_end(ap);
    *out = NULL;
    if (!s) return DB_ERR;
    if (rc == DB_ROW && !db_col_is_null(s, 0)) *out = xstrdup(db_col_text(s, 0));
    db_finalize(s);
    return DB_OK;
}

/* The driver's write transaction of `kind` (DbDriver.begin). */
static int begin_write(Db *db, int kind) {
    if (db->drv->begin) return noted(db, db->drv->begin(db->conn, kind));
    return db->drv->exec_script(db->conn, "BEGIN IMMEDIATE");
}

int db_begin_kind(Db *db, int kind) {
    if (!db->enclosed) return begin_write(db, kind);
    int rc = db->drv->exec_script(db->conn, "SAVEPOINT unit");
    if (rc == DB_OK) db->units++;
    return rc;
}
int db_begin(Db *db) {
    return db_begin_kind(db, DB_TX_ALL);
}
int db_lock_row(Db *db, const char *table, int64_t id) {
    return db_lock_rows(db, table, &id, 1);
}
int db_lock_rows(Db *db, const char *table, const int64_t *ids, size_t n) {
    if (!db->drv->lock_rows || !n) return DB_OK;
    return noted(db, db->drv->lock_rows(db->conn, table, ids, n));
}
int db_lock_rows_by(Db *db, const char *table, const char *column, int64_t value) {
    return db->drv->lock_rows_by ? noted(db, db->drv->lock_rows_by(db->conn, table, column, value))
                                 : DB_OK;
}
int db_lock(Db *db, const char *what, int64_t key) {
    if (!db->drv->lock_name) return DB_OK;
    uint64_t h = str_fnv1a(what);
    return noted(db,
                 db->drv->lock_name(db->conn, (int32_t)(uint32_t)(h ^ (h >> 32)),
                                    (int32_t)(uint32_t)((uint64_t)key ^ ((uint64_t)key >> 32))));
}
static int hold(Db *db, const char *tables, int mode) {
    return db->drv->hold_tables ? noted(db, db->drv->hold_tables(db->conn, tables, mode)) : DB_OK;
}
int db_hold_tables(Db *db, const char *tables) {
    return hold(db, tables, DB_HOLD_SHARE);
}
int db_own_tables(Db *db, const char *tables) {
    return hold(db, tables, DB_HOLD_OWN);
}
int db_write_table(Db *db, const char *table) {
    return hold(db, table, DB_HOLD_WRITE);
}
uint64_t db_conflicts(Db *db) {
    return db ? db->conflicts : process_conflicts;
}
uint64_t db_commits(Db *db) {
    return db ? db->commits : process_commits;
}
int db_commit(Db *db) {
    if (!db->enclosed) {
        int rc = noted(db, db->drv->exec_script(db->conn, "COMMIT"));
        if (rc == DB_OK) db->commits++, process_commits++;
        return rc;
    }
    if (db->units == 0) return DB_ERR; /* the enclosing transaction ends with db_enclose_end */
    db->units--;
    return db->drv->exec_script(db->conn, "RELEASE SAVEPOINT unit");
}
int db_rollback(Db *db) {
    if (!db->enclosed) return db->drv->exec_script(db->conn, "ROLLBACK");
    if (db->units == 0) return DB_ERR;
    db->units--;
    return db->drv->exec_script(db->conn, "ROLLBACK TO SAVEPOINT unit; RELEASE SAVEPOINT unit");
}
int db_enclose_begin(Db *db) {
    if (db->enclosed || begin_write(db, DB_TX_ALL) != DB_OK) return DB_ERR;
    db->enclosed = 1;
    db->units = 0;
    return DB_OK;
}
int db_enclose_end(Db *db, int ok) {
    if (!db->enclosed) return DB_ERR;
    db->enclosed = 0;
    if (db->units) ok = 0; /* a unit left open: nothing of it is trusted */
    db->units = 0;
    if (ok && db->drv->exec_script(db->conn, "COMMIT") == DB_OK) return DB_OK;
    db->drv->exec_script(db->conn, "ROLLBACK");
    return DB_ERR;
}
int db_rows_work(Db *db, int64_t *n) {
    return db->drv->rows_work ? db->drv->rows_work(db->conn, n) : DB_ERR;
}
int db_commits_mark(Db *db, int64_t *mark) {
    return db->drv->commits_seen ? db->drv->commits_seen(db->conn, mark) : DB_ERR;
}
int db_changed_since(Db *db, int64_t mark) {
    int64_t now;
    if (db_commits_mark(db, &now) != DB_OK) return DB_ERR;
    return now == mark ? DB_OK : DB_CHANGED;
}
void db_rollback_if_open(Db *db) {
    if (db->drv->in_transaction(db->conn)) db_rollback(db);
}
int db_exec_script(Db *db, const char *sql) {
    return db->drv->exec_script(db->conn, sql);
}
int64_t db_last_id(Db *db) {
    return db->drv->last_id(db->conn);
}
int64_t db_changes(Db *db) {
    return db->drv->changes(db->conn);
}

int db_backup(Db *db, const char *path, char **err) {
    return db->drv->backup(db->conn, path, err);
}

/* s with LIKE's %, _ and \\ escaped, between `before` and a final %. */
static char *like_pattern(const char *s, const char *before) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, before);
    for (; s && *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\') buf_putc(&b, '\\');
        buf_putc(&b, *s);
    }
    buf_putc(&b, '%');
    return buf_steal(&b);
}

char *db_like_contains(const char *s) {
    return like_pattern(s, "%");
}

char *db_like_prefix(const char *s) {
    return like_pattern(s, "");
}

int db_text_search(Db *db, const char *table, const char *alias, const char *const *columns,
                   size_t ncolumns, const char *text, DbTextSearch *ts) {
    memset(ts, 0, sizeof *ts);
    if (!db->drv->text_search || !ncolumns || utf8_len(text) < DB_TEXT_SEARCH_MIN) return DB_DONE;
    return db->drv->text_search(db->conn, table, alias, columns, ncolumns, text, ts);
}
void db_text_search_free(DbTextSearch *ts) {
    free(ts->join);
    free(ts->where);
    free(ts->key);
    free(ts->ids);
    free(ts->bind);
    memset(ts, 0, sizeof *ts);
}

int db_search_pause(Db *db, const char *table, char **saved) {
    *saved = NULL;
    return db->drv->search_pause ? db->drv->search_pause(db->conn, table, saved) : DB_OK;
}
struct DbSearchSide {
    const DbDriver *drv;
    void *impl;
};

DbSearchSide *db_search_side_start(Db *db, const char *table, const char *const *columns) {
    void *impl =
        db->drv->search_side_start ? db->drv->search_side_start(db->conn, table, columns) : NULL;
    if (!impl) return NULL;
    DbSearchSide *side = xcalloc(1, sizeof *side);
    side->drv = db->drv;
    side->impl = impl;
    return side;
}

void db_search_side_add(DbSearchSide *side, int64_t id, const char *const *values) {
    side->drv->search_side_add(side->impl, id, values);
}

void db_search_side_free(DbSearchSide *side) {
    if (!side) return;
    side->drv->search_side_free(side->impl);
    free(side);
}

int db_search_resume(Db *db, const char *table, char *saved, DbSearchSide *side) {
    void *impl = side ? side->impl : NULL; /* made by this connection's driver */
    free(side);
    if (saved && db->drv->search_resume)
        return db->drv->search_resume(db->conn, table, saved, impl);
    if (impl) db->drv->search_side_free(impl); /* nothing paused: nothing to put in place */
    return DB_OK;
}

int db_triggers_pause(Db *db, const char *table, const char *prefix, char **saved) {
    *saved = NULL;
    return db->drv->triggers_pause ? db->drv->triggers_pause(db->conn, table, prefix, saved)
                                   : DB_OK;
}
int db_triggers_resume(Db *db, char *saved) {
    if (!saved) return DB_OK;
    return db->drv->triggers_resume ? db->drv->triggers_resume(db->conn, saved) : DB_OK;
}

int db_cache_kib(Db *db, int64_t kib, int64_t *saved) {
    *saved = 0;
    return db->drv->cache_kib ? db->drv->cache_kib(db->conn, kib, saved) : DB_ERR;
}
void db_cache_restore(Db *db, int64_t saved) {
    if (db->drv->cache_restore) db->drv->cache_restore(db->conn, saved);
}
void db_optimize(Db *db) {
    if (db->drv->optimize) db->drv->optimize(db->conn);
}

/* db_insert_rows without driver support: one prepared INSERT per row. */
static int insert_rows_one_by_one(Db *db, const char *table, const char *const *cols, size_t ncols,
                                  const DbRowSource *src, int or_ignore) {
    Buf sql;
    buf_init(&sql);
    buf_printf(&sql, "INSERT INTO %s(", table);
    for (size_t i = 0; i < ncols; i++)
        buf_printf(&sql, "%s%s", i ? ", " : "", cols[i]);
    buf_puts(&sql, ") VALUES (");
    for (size_t i = 0; i < ncols; i++)
        buf_puts(&sql, i ? ", ?" : "?");
    buf_puts(&sql, or_ignore ? ") ON CONFLICT DO NOTHING" : ")");
    Stmt *st = db_prepare(db, sql.data);
    buf_free(&sql);
    if (!st) return DB_ERR;
    int rc = DB_OK;
    for (size_t r = 0; rc == DB_OK && r < src->nrows; r++) {
        for (size_t c = 0; c < ncols; c++) {
            const char *text = NULL;
            int64_t i = 0;
            if (src->cell(src->arg, r, c, &text, &i))
                db_bind_int(st, (int)c + 1, i);
            else
                db_bind_text_nocopy(st, (int)c + 1, text);
        }
        rc = db_step(st) == DB_DONE ? DB_OK : DB_ERR;
        db_reset(st);
    }
    db_finalize(st);
    return rc;
}

int db_insert_rows(Db *db, const char *table, const char *const *cols, size_t ncols,
                   const DbRowSource *src, int or_ignore) {
    if (!ncols || src->ncols != ncols) return DB_ERR; /* a caller's mistake */
    if (db->drv->insert_rows && ncols <= DB_INSERT_ROWS_MAX_COLS)
        return db->drv->insert_rows(db->conn, table, cols, ncols, src, or_ignore);
    return insert_rows_one_by_one(db, table, cols, ncols, src, or_ignore);
}

int db_read_value(Db *db, const char *table, const char *column, int64_t id, size_t pad, char **out,
                  size_t *len) {
    *out = NULL;
    *len = 0;
    if (db->drv->read_value) return db->drv->read_value(db->conn, table, column, id, pad, out, len);
    /* generic path: one SELECT and a copy (text values only) */
    char *sql = xasprintf("SELECT %s FROM %s WHERE id = ?", column, table);
    Stmt *st = db_prepare(db, sql);
    free(sql);
    if (!st) return DB_ERR;
    db_bind_int(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        const char *v = db_col_text(st, 0);
        size_t n = v ? strlen(v) : 0;
        *out = xmalloc(n + pad + 1);
        if (n) memcpy(*out, v, n);
        memset(*out + n, 0, pad + 1);
        *len = n;
        rc = DB_OK;
    }
    db_finalize(st);
    return rc;
}

int db_created_indexes(Db *db, const char *table, DbIndex **list, size_t *n) {
    *list = NULL;
    *n = 0;
    if (!db->drv->created_indexes) return DB_OK;
    return db->drv->created_indexes(db->conn, table, list, n);
}

int db_plain_indexes(Db *db, const char *table, DbIndex **list, size_t *n) {
    if (db_created_indexes(db, table, list, n) != DB_OK) return DB_ERR;
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++) {
        if ((*list)[i].unique) {
            free((*list)[i].name);
            free((*list)[i].sql);
        } else {
            (*list)[kept++] = (*list)[i];
        }
    }
    *n = kept;
    return DB_OK;
}

void db_index_list_free(DbIndex *list, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(list[i].name);
        free(list[i].sql);
    }
    free(list);
}

int db_schema_version(Db *db) {
    int64_t v = 0;
    if (db_query_int(db, &v, "SELECT coalesce(max(version),0) FROM schema_migrations", NULL) !=
        DB_OK)
        return 0;
    return (int)v;
}

int db_table_names(Db *db, char ***names, size_t *n) {
    *names = NULL;
    *n = 0;
    Stmt *st = db_prepare(db, db->drv->table_names_sql);
    if (!st) return DB_ERR;
    size_t cap = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (*n == cap) *names = xrealloc(*names, (cap = cap ? 2 * cap : 64) * sizeof **names);
        (*names)[(*n)++] = xstrdup(db_col_text(st, 0));
    }
    db_finalize(st);
    if (rc == DB_DONE) return DB_OK;
    db_table_names_free(*names, *n);
    *names = NULL;
    *n = 0;
    return DB_ERR;
}

void db_table_names_free(char **names, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Migration files are named "<dir>NNN_*.sql" (dir "sql/", or a driver's own folder); returns NNN
 * or -1. */
static int migration_number(const char *name, const char *dir) {
    if (!str_starts(name, dir)) return -1;
    const char *p = name + strlen(dir);
    if (!(p[0] >= '0' && p[0] <= '9')) return -1;
    size_t n = strlen(name);
    if (n < 4 || strcmp(name + n - 4, ".sql") != 0) return -1;
    return atoi(p);
}

/* The migrations recorded as applied, read once per db_open (one statement, not one per
 * migration: a PostgreSQL connection pays a round trip for each, and every command opens one). */
#define MIGRATIONS_MAX 1000 /* NNN_name.sql */
typedef struct Applied {
    unsigned char done[MIGRATIONS_MAX];
} Applied;

static int applied_load(Db *db, Applied *a) {
    memset(a, 0, sizeof *a);
    Stmt *st = db_prepare(db, "SELECT version FROM schema_migrations");
    if (!st) return DB_ERR;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t v = db_col_int(st, 0);
        if (v >= 0 && v < MIGRATIONS_MAX) a->done[v] = 1;
    }
    db_finalize(st);
    return rc == DB_DONE ? DB_OK : DB_ERR;
}

/* 1 when migration `num` is recorded as applied (applied_load), else 0. */
static int applied(const Applied *a, int num) {
    return num >= 0 && num < MIGRATIONS_MAX && a->done[num];
}

/* The driver's own file for migration `num`, or NULL (DbDriver.migrations). */
static const EmbeddedFile *driver_migration(const DbDriver *drv, int num) {
    if (!drv->migrations) return NULL;
    for (size_t i = 0; i < embedded_count; i++)
        if (migration_number(embedded_files[i].name, drv->migrations) == num)
            return &embedded_files[i];
    return NULL;
}

/* The range a driver's baseline file stands for ("-- pg: replaces A-B" on its first line), or
 * just its own number. */
static void replaced_range(const EmbeddedFile *f, int num, int *from, int *to) {
    *from = *to = num;
    static const char tag[] = "-- pg: replaces ";
    if (f->len > sizeof tag && !memcmp(f->data, tag, sizeof tag - 1)) {
        const char *p = (const char *)f->data + sizeof tag - 1;
        char *end = NULL;
        long a = strtol(p, &end, 10);
        if (end && *end == '-') {
            long b = strtol(end + 1, NULL, 10);
            if (a >= 0 && b >= a && b < 100000) *from = (int)a, *to = (int)b;
        }
    }
}

/* Records migrations from…to of sql/ as applied by `by` (a driver's baseline). */
static int record_replaced(Db *db, Applied *a, int from, int to, const char *by) {
    for (size_t i = 0; i < embedded_count; i++) {
        int n = migration_number(embedded_files[i].name, "sql/");
        if (n < from || n > to || applied(a, n)) continue;
        if (db_exec(db, "INSERT INTO schema_migrations(version, name, applied_at) VALUES(?, ?, ?)",
                    "itt", (int64_t)n, by, clock_stamp().s) != DB_OK)
            return DB_ERR;
        if (n < MIGRATIONS_MAX) a->done[n] = 1;
    }
    return DB_OK;
}

/* Applies every embedded migration not yet recorded, in numeric order. Missing numbers below the
 * highest applied one are applied too: migrations written on parallel branches may land in any
 * order, so each must stand on its own (no migration may depend on a higher-numbered one). A
 * driver with its own folder (PostgreSQL: sql/pg/) runs its file in place of a migration's, and
 * its baseline in place of the range it names. */
static int migrate(Db *db, int indexes_left, char **err) {
    if (db_exec_script(db, "CREATE TABLE IF NOT EXISTS schema_migrations("
                           "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                           "applied_at TEXT NOT NULL)") != DB_OK) /* written from the one clock */
        return set_err(err, "无法创建迁移表: %s", db_errmsg(db));
    Applied a;
    if (applied_load(db, &a) != DB_OK) return set_err(err, "无法读取迁移表: %s", db_errmsg(db));
    /* embedded_files is sorted by name at build time, so migrations come in numeric order */
    for (size_t i = 0; i < embedded_count; i++) {
        int num = migration_number(embedded_files[i].name, "sql/");
        if (num < 0) continue;
        if (num >= MIGRATIONS_MAX) return set_err(err, "迁移编号 %d 超出范围", num);
        if (applied(&a, num)) continue;
        if (indexes_left)
            return set_err(err, "导入后尚有索引未建成（见上一行），暂不迁移数据库；请稍后再试");
        const EmbeddedFile *f = driver_migration(db->drv, num);
        int from = num, to = num;
        if (f)
            replaced_range(f, num, &from, &to);
        else
            f = &embedded_files[i];
        char *sql = xstrndup((const char *)f->data, f->len);
        int rc = db_begin(db);
        if (rc == DB_OK) rc = db_exec_script(db, sql);
        if (rc == DB_OK)
            rc = db_exec(db,
                         "INSERT INTO schema_migrations(version, name, applied_at) VALUES(?, ?, ?)",
                         "itt", (int64_t)num, f->name, clock_stamp().s);
        if (rc == DB_OK) a.done[num] = 1; /* a failure below returns: the set is not used again */
        if (rc == DB_OK && to > from) rc = record_replaced(db, &a, from, to, f->name);
        free(sql);
        if (rc != DB_OK) {
            set_err(err, "迁移 %s 失败: %s", f->name, db_errmsg(db));
            db_rollback(db);
            return DB_ERR;
        }
        if (db_commit(db) != DB_OK) return set_err(err, "迁移提交失败: %s", db_errmsg(db));
    }
    return DB_OK;
}

/* ---- plain indexes built after a bulk load's commit (db_index_later) ---- */

int db_index_later(Db *db, const char *table, const DbIndex *ix, int *later) {
    *later = 0;
    if (!db->drv->checkpoint_defer) return DB_OK;
    if (db_exec(db,
                "INSERT INTO index_pending(name, table_name, sql, recorded_at) VALUES (?, ?, ?, ?)",
                "tttt", ix->name, table, ix->sql, clock_stamp().s) != DB_OK)
        return DB_ERR;
    db->drv->checkpoint_defer(db->conn);
    db->checkpoint_deferred = 1;
    *later = 1;
    return DB_OK;
}

static int skip_pending_test;
void db_index_test_skip_pending(int skip) {
    skip_pending_test = skip;
}

typedef struct Pending {
    char *name, *table, *sql;
} Pending;

static void pending_free(Pending *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(p[i].name);
        free(p[i].table);
        free(p[i].sql);
    }
    free(p);
}

/* The recorded indexes (read whole before any is built). */
static int pending_read(Db *db, Pending **out, size_t *n) {
    *out = NULL;
    *n = 0;
    Stmt *st = db_prepare(db, "SELECT name, table_name, sql FROM index_pending ORDER BY name");
    if (!st) return DB_ERR;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        Pending *p = &(*out)[(*n)++];
        p->name = xstrdup(db_col_text(st, 0));
        p->table = xstrdup(db_col_text(st, 1));
        p->sql = xstrdup(db_col_text(st, 2));
    }
    db_finalize(st);
    return rc == DB_DONE ? DB_OK : DB_ERR;
}

/* What a record asks for: 1 when it is still to be built; 0 when there is nothing to build (its
 * table is gone, or an index of that name exists: built by whoever came first). */
static int pending_wanted(Db *db, const Pending *p, char **tables, size_t ntables) {
    int table = 0;
    for (size_t i = 0; i < ntables && !table; i++)
        table = !strcmp(tables[i], p->table);
    if (!table) return 0;
    DbIndex *list = NULL;
    size_t n = 0;
    int exists = 0;
    if (db_created_indexes(db, p->table, &list, &n) == DB_OK)
        for (size_t i = 0; i < n && !exists; i++)
            exists = !strcmp(list[i].name, p->name);
    db_index_list_free(list, n);
    return !exists;
}

/* Builds one record's index (in a savepoint: a failure undoes this one only, the record stays)
 * and deletes the record. Returns 0, 1 when this one failed (the reason appended to *why), -1
 * when nothing more can be done in this transaction. */
static int pending_build(Db *db, const Pending *p, char **tables, size_t ntables, Buf *why) {
    if (db_exec(db, "SAVEPOINT index_pending_one", NULL) != DB_OK) {
        buf_printf(why, "%s%s", why->len ? "；" : "", db_errmsg(db));
        return -1;
    }
    int rc = pending_wanted(db, p, tables, ntables) ? db_exec(db, p->sql, NULL) : DB_OK;
    if (rc == DB_OK) rc = db_exec(db, "DELETE FROM index_pending WHERE name = ?", "t", p->name);
    int out = 0;
    if (rc != DB_OK) {
        buf_printf(why, "%s%s: %s", why->len ? "；" : "", p->name, db_errmsg(db));
        out = db_errclass(db) == DBE_BUSY ? -1 : 1; /* asked before the rollback clears it */
        if (db_exec(db, "ROLLBACK TO index_pending_one", NULL) != DB_OK) out = -1;
    }
    if (db_exec(db, "RELEASE index_pending_one", NULL) != DB_OK) out = -1;
    return out;
}

/* Builds what is recorded, each index on its own, in one transaction. Returns DB_OK when no
 * record is left, else DB_ERR with the reasons in *why. */
static int build_recorded(Db *db, Buf *why) {
    if (db_begin(db) != DB_OK) {
        buf_puts(why, db_errmsg(db));
        return DB_ERR;
    }
    Pending *p = NULL;
    size_t n = 0, ntables = 0;
    char **tables = NULL;
    int failed = 0;
    if (pending_read(db, &p, &n) != DB_OK || db_table_names(db, &tables, &ntables) != DB_OK) {
        buf_puts(why, db_errmsg(db));
        failed = -1;
    }
    for (size_t i = 0; i < n && failed >= 0; i++) {
        int r = pending_build(db, &p[i], tables, ntables, why);
        failed = r < 0 ? -1 : failed | r;
    }
    pending_free(p, n);
    db_table_names_free(tables, ntables);
    if (failed >= 0 && db_commit(db) != DB_OK) {
        buf_puts(why, db_errmsg(db));
        failed = -1;
    }
    if (failed < 0) db_rollback_if_open(db);
    return failed ? DB_ERR : DB_OK;
}

int db_index_build_pending(Db *db) {
    if (!db->drv->checkpoint_defer) return DB_OK;
    int deferred = db->checkpoint_deferred;
    db->checkpoint_deferred = 0;
    int64_t n = 0;
    /* no table yet (a schema before sql/064): nothing was recorded */
    if (skip_pending_test ||
        db_query_int(db, &n, "SELECT count(*) FROM index_pending", NULL) != DB_OK)
        n = 0;
    void *beside = n && deferred ? db->drv->checkpoint_beside(db->conn) : NULL;
    Buf why;
    buf_init(&why);
    int rc = n ? build_recorded(db, &why) : DB_OK;
    if (rc != DB_OK) /* the data is committed; only speed is lost meanwhile */
        fprintf(stderr,
                "spotcheck: 导入后的索引尚未建成（%s），下次导入、下次运行命令或启动服务时再建\n",
                why.data ? why.data : "");
    buf_free(&why);
    if (deferred) db->drv->checkpoint_join(db->conn, beside);
    return rc;
}
