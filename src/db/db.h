/* db.h - the one storage API. Every SQL statement in spotcheck goes through here, prepared with
 * bound parameters ("?" placeholders; a driver that needs "$1" rewrites them).
 *
 * A Db is one connection and is used by one thread at a time; the web server keeps one per worker
 * thread. Strings returned by db_col_text() belong to the statement and stay valid until the next
 * db_step/db_reset/db_finalize on it. A connection keeps its recently prepared statements for
 * reuse (db.c): db_prepare of the same SQL text again is cheap, so callers need not keep Stmts.
 * Functions return DB_OK (0) or DB_ERR (-1) unless stated; the error text is in db_errmsg(). */
#ifndef SPOTCHECK_DB_H
#define SPOTCHECK_DB_H

#include <stddef.h>
#include <stdint.h>

typedef struct Db Db;
typedef struct Stmt Stmt;

enum { DB_OK = 0, DB_ERR = -1, DB_ROW = 1, DB_DONE = 2, DB_CHANGED = 3 };
/* Error classes a caller may want to tell apart (db_errclass). */
/* DBE_BUSY: a lock was not granted within the driver's timeout. DBE_CONFLICT: the statement was
 * cancelled because of another transaction (deadlock, serialization failure) and its transaction
 * is lost; running the unit of work again may succeed (db_conflicts). */
enum { DBE_NONE = 0, DBE_CONSTRAINT, DBE_BUSY, DBE_OTHER, DBE_CONFLICT };

/* Opens the database at `url`: a file path for SQLite (created if missing, directory too; written
 * `sqlite:PATH` it is an SQLite file even when SPOTCHECK_PG_MAP maps paths to PostgreSQL), or a
 * PostgreSQL URL (db_url_is_pg; the database is created if missing, when the role may).
 * Applies pending migrations when `migrate` is true. On failure returns NULL and sets *err. */
Db *db_open(const char *url, int migrate, char **err);
void db_close(Db *db);
/* 1 when the database at `url` exists: its file for SQLite; for PostgreSQL (a URL, or a path that
 * SPOTCHECK_PG_MAP maps) the server is asked, and a server that cannot be reached counts as
 * existing (db_open then says why it cannot be opened). For commands that must not create one. */
int db_exists(const char *url);

const char *db_errmsg(Db *db);
int db_errclass(Db *db);

Stmt *db_prepare(Db *db, const char *sql);          /* NULL on error (see db_errmsg) */
int db_bind_int(Stmt *st, int idx, int64_t v);      /* idx is 1-based */
int db_bind_text(Stmt *st, int idx, const char *s); /* NULL binds SQL NULL; copied */
/* Like db_bind_text without the copy (bulk inserts bind thousands of values per statement): s
 * must stay valid and unchanged until the statement has been reset or finalized. */
int db_bind_text_nocopy(Stmt *st, int idx, const char *s);
int db_bind_blob(Stmt *st, int idx, const void *p, int n);
int db_bind_null(Stmt *st, int idx);
/* Marks a SELECT whose result may be large (a whole table: an export, a freeze's population, a
 * copy): the driver then need not hold every row at once (PostgreSQL: a cursor read PG_FETCH rows
 * at a time; SQLite steps row by row anyway). Other statements may run on the connection between
 * its rows; begun inside a transaction, it must be read to its end (or reset) before that
 * transaction ends. Call after db_prepare, before the first db_step; it stays with the statement.
 */
void db_large(Stmt *st);
int db_step(Stmt *st);  /* DB_ROW, DB_DONE or DB_ERR */
int db_reset(Stmt *st); /* also clears bindings */
void db_finalize(Stmt *st);
int db_col_count(Stmt *st);
int64_t db_col_int(Stmt *st, int i);      /* 0-based */
const char *db_col_text(Stmt *st, int i); /* NULL for SQL NULL */
const char *db_col_name(Stmt *st, int i); /* valid until the next db_step (copy it to keep it) */
int db_col_is_null(Stmt *st, int i);

/* Binds values by a type string and runs the statement to completion: 'i' int64_t, 't' const
 * char * (NULL is SQL NULL), 'n' NULL (no argument). Example: db_exec(db, sql, "ti", name, id). */
int db_exec(Db *db, const char *sql, const char *types, ...);
/* Same binding; returns the first column of the first row as an integer in *out (0 if no row).
 * Both single-value reads must have their result checked (warn_unused_result): on DB_ERR *out
 * holds no value read, so a caller either fails its unit of work or says which default it shows. */
__attribute__((warn_unused_result)) int db_query_int(Db *db, int64_t *out, const char *sql,
                                                     const char *types, ...);
/* Same binding; *out receives a newly allocated copy of the first column of the first row, or
 * NULL when there is no row or the value is NULL. */
__attribute__((warn_unused_result)) int db_query_text(Db *db, char **out, const char *sql,
                                                      const char *types, ...);
/* Binds from a type string and va_list onto an already prepared statement. */
int db_bind_va(Stmt *st, const char *types, ...);

/* The kinds of write transaction (db_begin_kind). DB_TX_ALL excludes every other writing unit of
 * work: what it read stays true until it commits. DB_TX_ROWS excludes only DB_TX_ALL units: such a
 * unit takes the locks its rules need itself (db_lock_row on the rows it reads to decide and then
 * changes, db_lock on a subject that is no one row), before it reads what it decides on; the audit
 * chain's append takes its own (audit.c). */
enum { DB_TX_ALL = 0, DB_TX_ROWS = 1 };
/* The modes of DbDriver.hold_tables. */
enum { DB_HOLD_SHARE = 0, DB_HOLD_OWN = 1, DB_HOLD_WRITE = 2 };
/* Opens a write transaction of `kind`, or fails with DBE_BUSY after the driver's timeout (no
 * transaction is then left open). SQLite: BEGIN IMMEDIATE for both kinds (one writer at a time).
 * PostgreSQL: READ COMMITTED (each statement sees what was committed before it began), with an
 * advisory lock taken exclusively (DB_TX_ALL) or shared (DB_TX_ROWS), db_pg.c. Inside
 * db_enclose_begin both open a savepoint. */
int db_begin_kind(Db *db, int kind);
/* db_begin_kind(db, DB_TX_ALL). */
int db_begin(Db *db);
/* Inside a transaction: locks the row of `table` (a trusted identifier) whose `id` is `id` until
 * the transaction ends, so that another unit locking or changing it waits, and what this one reads
 * afterwards includes every commit made before the lock was granted (PostgreSQL: db_write_table,
 * then SELECT … FOR UPDATE). A missing row locks nothing and is not an error. DB_OK, or DB_ERR
 * (DBE_BUSY after the lock timeout, DBE_CONFLICT on a deadlock). SQLite: nothing to do, the write
 * transaction already excludes every other writer. */
int db_lock_row(Db *db, const char *table, int64_t id);
/* The same for the rows whose ids are ids[0..n), which must be ascending and distinct (the lock
 * order of uow.h), in as few statements as the driver can (PostgreSQL: one per 1,000 ids). */
int db_lock_rows(Db *db, const char *table, const int64_t *ids, size_t n);
/* The same for every row of `table` whose `column` (trusted identifiers) is `value`, in id order,
 * in one statement (a draw's records). */
int db_lock_rows_by(Db *db, const char *table, const char *column, int64_t value);
/* The same for a subject that is not one row: the name (`what`, `key`), e.g. ("audit_log", 0) for
 * the chain's head, ("notice", org) for an org's numbers. Two units locking the same name run one
 * after the other from there; distinct names may rarely share a lock (they then only wait). */
int db_lock(Db *db, const char *what, int64_t key);
/* Inside a transaction: keeps every other unit from changing the rows of `tables` (trusted
 * identifiers, separated by ", ") until this transaction ends, once those that have changed them
 * have ended. This unit's reads of them, over as many statements as it needs, then see one state,
 * and every other change to them commits either before all those reads or after this unit: a
 * draw's population, read in several statements, is the directory as it was at one moment, and an
 * edit whose audit row comes before the freeze's is in it (task_draw.c). Units that write them
 * wait (db_write_table, db_lock_row); readers do not. PostgreSQL: LOCK TABLE … IN SHARE MODE, taken
 * after the unit's row locks and before its names (uow.h's order). SQLite: nothing to do, the write
 * transaction already excludes every other writer. DB_OK, or DB_ERR (DBE_BUSY after the lock
 * timeout, DBE_CONFLICT on a deadlock). */
int db_hold_tables(Db *db, const char *tables);
/* The same, and also keeps every other holder of `tables` out (one owner at a time): a unit that
 * writes many of their rows from what it read of them (a directory import). PostgreSQL: SHARE ROW
 * EXCLUSIVE. */
int db_own_tables(Db *db, const char *tables);
/* Inside a transaction: this unit will write rows of `table` (a trusted identifier): it waits for
 * the units holding the table (db_hold_tables, db_own_tables) to end, and new holders wait for it.
 * db_lock_row does this for the row's table before it locks the row, so that a holder never waits
 * for a row this unit has locked while this unit waits for the holder (a unit that writes a row it
 * has not locked, e.g. a new one, calls it before its other locks). PostgreSQL: LOCK TABLE … IN
 * ROW EXCLUSIVE MODE, the lock the INSERT or UPDATE would take anyway. SQLite: nothing. DB_OK or
 * DB_ERR (DBE_BUSY after the lock timeout). */
int db_write_table(Db *db, const char *table);
/* Counters the unit-of-work runner compares before and after an attempt (uow.h): statements of
 * this connection that failed with DBE_CONFLICT, and transactions it committed (db_commit outside
 * db_enclose_begin); with db NULL, those of every connection of the process (the command line's
 * runner, main.c: a command opens its own). Thread-safe for NULL. */
uint64_t db_conflicts(Db *db);
uint64_t db_commits(Db *db);
/* The work the connection's statements have done reading rows, for tests that check a query's plan
 * by a count rather than a time: compare two readings taken inside one transaction. SQLite: the
 * virtual machine steps of the connection's statements (those alive and those this thread has
 * finalized); PostgreSQL: the table rows and index entries its scans returned in the transaction
 * (pg_stat_get_xact_tuples_returned over the schema's tables and indexes). The units differ; a
 * full scan of N rows costs at least N on both. DB_ERR when the driver cannot tell. */
int db_rows_work(Db *db, int64_t *n);
/* An enclosing transaction for a sequence of units of work that must be written all or none (the
 * demo county of `init --demo`): db_enclose_begin opens it (as db_begin); until db_enclose_end,
 * each db_begin / db_commit / db_rollback of a unit inside it opens, releases or rolls back a
 * savepoint, so a unit's own rules and audit row work as they do alone, and a unit that rolls
 * back undoes only itself. db_enclose_end commits everything (ok) or rolls everything back;
 * DB_OK, or DB_ERR (then rolled back). Not for a connection other threads use meanwhile. */
int db_enclose_begin(Db *db);
int db_enclose_end(Db *db, int ok);
int db_commit(Db *db);
int db_rollback(Db *db);
/* Rolls back when a transaction is open (a pooled connection must come back clean). */
void db_rollback_if_open(Db *db);
/* A long unit of work may do its reads before it takes its locks (a bulk import parses the whole
 * file first), so that other writers wait only for its writes. db_commits_mark notes in *mark how
 * far this connection has seen other connections' commits (DB_ERR when the driver cannot tell:
 * then take the locks first). Once the unit's transaction is open and holds what those reads
 * depend on, db_changed_since returns DB_OK when no other connection committed since the mark
 * (what was read still holds), DB_CHANGED when one did (redo the reads, under the locks), DB_ERR
 * on error. */
int db_commits_mark(Db *db, int64_t *mark);
int db_changed_since(Db *db, int64_t mark);
/* Makes a connection kept for reuse clean for its next user (the web server keeps one per worker
 * thread): statements a caller left unfinished are reset (so none holds a read snapshot or a
 * lock), an open transaction is rolled back. Returns DB_OK, or DB_ERR when the transaction could
 * not be ended: then the connection must be closed, not reused. */
int db_release(Db *db);
/* 1 while a transaction (or savepoint) is open on this connection: what it reads may not be
 * committed yet. */
int db_in_transaction(Db *db);
/* 1 when the database file this connection opened is no longer the file at its path (replaced or
 * removed, e.g. by a restore): a connection kept for reuse must then be closed and opened anew.
 * 0 for a connection that is not to a file. Costs one stat(). */
int db_replaced(Db *db);
int64_t db_last_id(Db *db);
int64_t db_changes(Db *db);

/* Reads one large text or blob value, column `column` of the row whose integer key `id` (an
 * `id INTEGER PRIMARY KEY` column) is `id` in `table` (trusted identifiers, never user input),
 * straight into a new buffer of its length plus `pad` zero bytes, without the intermediate copy a
 * SELECT makes (SQLite: incremental blob I/O, the key being the rowid). *out (caller frees) and
 * *len receive the value; returns DB_OK, DB_DONE when there is no such row (then *out is NULL),
 * DB_ERR on error. */
int db_read_value(Db *db, const char *table, const char *column, int64_t id, size_t pad, char **out,
                  size_t *len);

/* One index of a table: its name, the statement that creates it, and whether it is UNIQUE. */
typedef struct DbIndex {
    char *name;
    char *sql;
    int unique;
} DbIndex;

/* Lists the indexes of `table` (a trusted identifier) that only speed up reads: made by CREATE
 * INDEX and not UNIQUE, so no constraint depends on them. A bulk load may drop them and run their
 * `sql` again when it is done, inside its one transaction. *list (free with db_index_list_free)
 * receives *n entries; a driver that cannot tell gives none. Returns DB_OK or DB_ERR. */
int db_plain_indexes(Db *db, const char *table, DbIndex **list, size_t *n);
/* Lists every index of `table` made by CREATE INDEX, UNIQUE ones included (`unique` set), but not
 * those the table definition implies (UNIQUE or PRIMARY KEY columns), which cannot be dropped. A
 * bulk load into an empty table may drop them all and run their `sql` again before its commit:
 * building a UNIQUE index fails on duplicates, so the constraint still holds at the commit. */
int db_created_indexes(Db *db, const char *table, DbIndex **list, size_t *n);
void db_index_list_free(DbIndex *list, size_t n);
/* Plain indexes built after the commit (sql/064, bench/README.md "import"): a bulk load that
 * dropped a plain index of `table` (not UNIQUE: no constraint waits for it) may, inside its
 * transaction, record it with db_index_later instead of building it again before its commit;
 * *later then says whether the driver took it (1: recorded, built by db_index_build_pending; 0:
 * nothing recorded, the caller builds it now — PostgreSQL, where nothing is gained). The load's
 * caller calls db_index_build_pending after its commit or rollback: every recorded index is built
 * in one transaction of its own (each in a savepoint: one that fails stays recorded, the others
 * are built) and its record deleted; a record whose table is gone or whose index exists is just
 * deleted (SQLite: meanwhile the load's pages, which its commit left in the WAL, are checkpointed
 * into the database on a thread of its own). Until then readers see the load's rows without those
 * indexes (slower, not wrong). A crash or a failure leaves records: the next db_open with
 * migrations (any command, the server's start) or the next import builds them, and db_open
 * applies no migration while one is left. Returns DB_OK when nothing is left recorded, else DB_ERR
 * (a line on stderr says which and why). */
int db_index_later(Db *db, const char *table, const DbIndex *ix, int *later);
int db_index_build_pending(Db *db);
/* Tests: with skip set, db_index_build_pending leaves the records (a crash after the load's
 * commit). */
void db_index_test_skip_pending(int skip);

/* Rows handed over by a callback, for db_insert_rows. */
typedef struct DbRowSource {
    size_t nrows, ncols;
    /* Cell (row, col): either sets *text (NULL for SQL NULL; must stay valid until
     * db_insert_rows returns) and returns 0, or sets *i and returns 1 for an integer. */
    int (*cell)(void *arg, size_t row, size_t col, const char **text, int64_t *i);
    void *arg;
} DbRowSource;

/* Inserts every row of src into table(cols[0..ncols)) (trusted identifiers; src->ncols must be
 * ncols), in row order; `or_ignore` skips rows that break a UNIQUE or PRIMARY KEY constraint.
 * Returns DB_ERR at the first failure (db_errclass tells a broken constraint apart); rows before it
 * may remain, so run it inside a transaction or savepoint to roll back. For bulk loads: SQLite
 * reads the rows through a table-valued function in one statement (db_sqlite_rows.c) instead of one
 * bound parameter per cell; a driver without insert_rows gets one INSERT run per row. */
int db_insert_rows(Db *db, const char *table, const char *const *cols, size_t ncols,
                   const DbRowSource *src, int or_ignore);
/* More columns than this go through the one-INSERT-per-row path. */
#define DB_INSERT_ROWS_MAX_COLS 32

/* The pattern for `x LIKE ? ESCAPE '\'` that matches every value containing s (its %, _ and \
 * escaped): the portable containment test (SQLite's LIKE ignores the case of ASCII letters; a
 * driver must give LIKE the same meaning). Caller frees. */
char *db_like_contains(const char *s);
/* The same for every value starting with s. Caller frees. */
char *db_like_prefix(const char *s);

/* A text search through a table's search index (issue 15): the rows of `table` whose columns hold
 * `text` as typed (no search syntax: quotes, `*`, OR, NEAR( are plain characters; the case of ASCII
 * letters ignored, as LIKE does), read in id order so a page can stop after its rows. The index is
 * made by a migration for the table (SQLite: the FTS5 table `<table>_search` with the trigram
 * tokenizer over those columns, sql/033; PostgreSQL: pg_trgm GIN indexes). Two ways to use it,
 * each with one `?` placeholder bound to `bind`:
 * - join: append `join` (no placeholder) to "FROM <table> <alias>", AND `where` into the WHERE
 *   clause, and order and page by `key` (ORDER BY key, key > ?) instead of <alias>.id: the engine
 *   then reads the matches in id order from the index and stops after a page;
 * - ids: `<alias>.id IN (<ids>)`, a subquery giving every match (to combine with other sets).
 * Texts shorter than DB_TEXT_SEARCH_MIN characters cannot use a trigram index in any driver. */
#define DB_TEXT_SEARCH_MIN 3
typedef struct DbTextSearch {
    char *join, *where, *key, *ids, *bind;
} DbTextSearch;
/* Fills *ts for `text` in columns[0..ncolumns) of `table`, aliased `alias` (trusted identifiers,
 * every column in the table's index). Returns DB_OK, or DB_DONE (*ts cleared) when the index
 * cannot answer: a text of fewer than DB_TEXT_SEARCH_MIN characters, or a driver without search
 * indexes; the caller then compares row by row (`LIKE` with db_like_contains). Free with
 * db_text_search_free. */
int db_text_search(Db *db, const char *table, const char *alias, const char *const *columns,
                   size_t ncolumns, const char *text, DbTextSearch *ts);
void db_text_search_free(DbTextSearch *ts);

/* A bulk load into `table` (a trusted identifier) may stop its search index (db_text_search) from
 * following each row and bring it up to date in one pass when done, as it does with its indexes:
 * db_search_pause drops the upkeep (SQLite: the triggers sql/033 made, their SQL put in *saved,
 * NULL when the table has no search index) and db_search_resume builds the index again from the
 * table and restores the upkeep (saved freed). Both inside the load's transaction: a rollback
 * brings the upkeep back (then free *saved unused). Returns DB_OK or DB_ERR; a driver without them
 * keeps the index row by row. */
int db_search_pause(Db *db, const char *table, char **saved);
/* A search index built beside the load (issue 15, bench/README.md "import"): after db_search_pause
 * has paused the upkeep, db_search_side_start may take the rows the index covers as the load
 * inserts them and build the index meanwhile, on a thread of its own (SQLite: in a scratch
 * database, on a second core while the load inserts rows and builds its other indexes); then
 * db_search_resume, given it, puts that index in place instead of reading the table again (and
 * reads the table after all if the side build failed). NULL when the driver has none: nothing is
 * then handed over. db_search_side_add: the row `id` with the values of the start's `columns`
 * (NULL: SQL NULL), in ascending id order, every row the index covers (the rows of sql/033's
 * view) and no other. db_search_side_free: abandons it (the load rolled back or failed; NULL
 * does nothing). */
typedef struct DbSearchSide DbSearchSide;
DbSearchSide *db_search_side_start(Db *db, const char *table, const char *const *columns);
void db_search_side_add(DbSearchSide *side, int64_t id, const char *const *values);
void db_search_side_free(DbSearchSide *side);
/* side: NULL, or the side build of this load (consumed: freed whatever the outcome). */
int db_search_resume(Db *db, const char *table, char *saved, DbSearchSide *side);
/* A bulk load into `table` may likewise stop the row triggers that keep derived rows (names
 * starting with `prefix`, e.g. "target_count_", sql/058) and have the caller recompute those rows
 * in one pass after: db_triggers_pause stops them for this transaction (SQLite: dropped, their
 * SQL kept in *saved; PostgreSQL: a setting their functions ask, sql/pg/063, so other writers of
 * the table are not held up — or, for a function that does not ask, disabled, which holds the table
 * against other writers until the commit), db_triggers_resume restores them
 * (saved freed; NULL: nothing was paused); one pause of a table at a time (PostgreSQL's resume
 * clears the table's setting). Both inside the load's transaction: a rollback brings
 * the triggers back (then free *saved unused). DB_OK or DB_ERR; a driver without them keeps the
 * triggers firing (the recomputation then gives the same rows). */
int db_triggers_pause(Db *db, const char *table, const char *prefix, char **saved);
int db_triggers_resume(Db *db, char *saved);

/* Engine tuning a caller may ask for without naming the engine's settings (SQLite: PRAGMAs);
 * a driver without them does nothing. db_cache_kib gives this connection a page cache of `kib`
 * KiB (a bulk load in one transaction keeps every page it changes until the commit) and puts the
 * setting it replaced in *saved, and, called outside a transaction, has the engine's sorts spill to
 * temporary files rather than memory (SQLite: temp_store, which drops the connection's TEMP
 * tables); returns DB_OK, or DB_ERR when nothing was changed (then no restore is due).
 * db_cache_restore puts both settings back. db_optimize refreshes the planner's
 * statistics after a large change. */
int db_cache_kib(Db *db, int64_t kib, int64_t *saved);
void db_cache_restore(Db *db, int64_t saved);
void db_optimize(Db *db);

/* Copies the live database to `path` with the engine's online backup; other connections may keep
 * writing meanwhile. */
int db_backup(Db *db, const char *path, char **err);
/* Schema version recorded by the migrations. */
int db_schema_version(Db *db);
/* The names of the database's own tables, sorted (SQLite: sqlite_master's tables, FTS shadow tables
 * included, without the engine's sqlite_* tables; PostgreSQL: the base tables of the current
 * schema). *names: free each name and the array (db_table_names_free). */
int db_table_names(Db *db, char ***names, size_t *n);
void db_table_names_free(char **names, size_t n);

/* The driver table a backend implements. Domain code never sees it. */
typedef struct DbDriver {
    const char *name;
    void *(*open)(const char *url, char **err);
    void (*close)(void *conn);
    const char *(*errmsg)(void *conn);
    int (*errclass)(void *conn);
    void *(*prepare)(void *conn, const char *sql);
    int (*bind_int)(void *st, int idx, int64_t v);
    int (*bind_text)(void *st, int idx, const char *s);
    int (*bind_blob)(void *st, int idx, const void *p, int n);
    int (*bind_null)(void *st, int idx);
    int (*step)(void *st);
    int (*reset)(void *st);
    void (*finalize)(void *st);
    int (*col_count)(void *st);
    int64_t (*col_int)(void *st, int i);
    const char *(*col_text)(void *st, int i);
    const char *(*col_name)(void *st, int i);
    int (*col_is_null)(void *st, int i);
    int (*exec_script)(void *conn, const char *sql); /* many statements, no parameters */
    int (*in_transaction)(void *conn);
    int64_t (*last_id)(void *conn);
    int64_t (*changes)(void *conn);
    int (*backup)(void *conn, const char *path, char **err);
    /* optional (NULL: db_read_value falls back to a SELECT); same contract as db_read_value */
    int (*read_value)(void *conn, const char *table, const char *column, int64_t id, size_t pad,
                      char **out, size_t *len);
    /* optional (NULL: no index is listed); same contract as db_created_indexes */
    int (*created_indexes)(void *conn, const char *table, DbIndex **list, size_t *n);
    /* optional (NULL: db_bind_text_nocopy copies like bind_text) */
    int (*bind_text_nocopy)(void *st, int idx, const char *s);
    /* optional (NULL: db_insert_rows runs one INSERT per row); same contract as db_insert_rows */
    int (*insert_rows)(void *conn, const char *table, const char *const *cols, size_t ncols,
                       const DbRowSource *src, int or_ignore);
    /* optional (NULL: prepare): a statement meant to be kept and reused (SQLite: PERSISTENT) */
    void *(*prepare_persistent)(void *conn, const char *sql);
    /* optional (NULL: nothing): resets every statement of the connection still running */
    void (*reset_active)(void *conn);
    /* optional (NULL: nothing is tuned); same contracts as db_cache_kib, db_cache_restore and
     * db_optimize */
    int (*cache_kib)(void *conn, int64_t kib, int64_t *saved);
    void (*cache_restore)(void *conn, int64_t saved);
    void (*optimize)(void *conn);
    /* optional (NULL: db_commits_mark gives DB_ERR): a number that changes when another
     * connection commits */
    int (*commits_seen)(void *conn, int64_t *n);
    /* optional (NULL: db_rows_work gives DB_ERR); same contract as db_rows_work */
    int (*rows_work)(void *conn, int64_t *n);
    /* optional (NULL: no text is searched by index); same contract as db_text_search, the text
     * already DB_TEXT_SEARCH_MIN characters or longer */
    int (*text_search)(void *conn, const char *table, const char *alias, const char *const *columns,
                       size_t ncolumns, const char *text, DbTextSearch *ts);
    /* optional (NULL: no pause); same contracts as db_search_pause and db_search_resume */
    int (*search_pause)(void *conn, const char *table, char **saved);
    int (*search_resume)(void *conn, const char *table, char *saved, void *side);
    /* optional (NULL: no side build); same contracts as db_search_side_start/_add/_free */
    void *(*search_side_start)(void *conn, const char *table, const char *const *columns);
    void (*search_side_add)(void *side, int64_t id, const char *const *values);
    void (*search_side_free)(void *side);
    /* optional (NULL: triggers keep firing); same contracts as db_triggers_pause/resume */
    int (*triggers_pause)(void *conn, const char *table, const char *prefix, char **saved);
    int (*triggers_resume)(void *conn, char *saved);
    /* optional (NULL: "BEGIN IMMEDIATE" for every kind): db_begin_kind's write transaction of
     * `kind` (DB_TX_ALL, DB_TX_ROWS), or a DBE_BUSY error; on failure no transaction is left open
     */
    int (*begin)(void *conn, int kind);
    /* optional (NULL: every result is read row by row anyway); same contract as db_large */
    void (*large)(void *st);
    /* optional (NULL: nothing to lock, one writer at a time); same contract as db_lock_rows */
    int (*lock_rows)(void *conn, const char *table, const int64_t *ids, size_t n);
    /* optional (NULL: nothing to lock); same contract as db_lock_rows_by */
    int (*lock_rows_by)(void *conn, const char *table, const char *column, int64_t value);
    /* optional (NULL: nothing to lock); db_lock with the name hashed into two 32-bit keys */
    int (*lock_name)(void *conn, int32_t what, int32_t key);
    /* optional (NULL: nothing to hold, one writer at a time); db_hold_tables (mode DB_HOLD_SHARE),
     * db_own_tables (DB_HOLD_OWN) and db_write_table (DB_HOLD_WRITE) */
    int (*hold_tables)(void *conn, const char *tables, int mode);
    /* optional (NULL: db_index_later answers 0, indexes are built before the commit):
     * checkpoint_defer stops this connection's commits from running the engine's checkpoint
     * (SQLite: the WAL's), checkpoint_beside starts one on a thread of its own (NULL: none
     * started), and checkpoint_join waits for it (h may be NULL) and gives the commits their
     * checkpoints back */
    void (*checkpoint_defer)(void *conn);
    void *(*checkpoint_beside)(void *conn);
    void (*checkpoint_join)(void *conn, void *h);
    /* optional (NULL: none): the folder of this driver's own migrations ("sql/pg/"). Its file
     * NNN_name.sql replaces sql/NNN_*.sql; a first line "-- pg: replaces A-B" makes it stand for
     * every migration A…B (a baseline schema), recorded as applied with it. */
    const char *migrations;
    /* the query db_table_names runs: one column, the table names, sorted */
    const char *table_names_sql;
    /* optional (NULL: the database at a URL of this driver is taken to exist); db_exists for a
     * URL of this driver */
    int (*exists)(const char *url);
} DbDriver;

extern const DbDriver db_sqlite_driver;
#ifdef SPOTCHECK_PG
extern const DbDriver db_pg_driver;
#endif
/* 1 when `url` names a PostgreSQL database: postgres:// or postgresql:// URLs, or a libpq
 * "key=value" connection string (host=/run/postgresql dbname=spotcheck). */
int db_url_is_pg(const char *url);
/* "sqlite:PATH" names an SQLite file whatever SPOTCHECK_PG_MAP says: PATH, else NULL. */
const char *db_url_sqlite_file(const char *url);

/* Runs a trusted multi-statement script (migrations only; never with user input). */
int db_exec_script(Db *db, const char *sql);

#endif
