/* db_pg.c - the PostgreSQL driver behind db.h (libpq; issue 18), built when libpq is found
 * (Makefile: PG=1, SPOTCHECK_PG defined).
 *
 * What it does so that the domain's SQL runs unchanged (docs/ARCHITECTURE.md, "What a second
 * storage driver must provide"):
 * - SQL text: `?` and `?N` become `$N`; LIKE becomes ILIKE (SQLite's LIKE ignores the case of ASCII
 *   letters); a parameter tested with IS [NOT] NULL or selected as a value (SELECT ?) gets a
 *   declared type (text, or bigint when an integer is bound) since PostgreSQL cannot infer one;
 *   a negative LIMIT parameter is sent as NULL (SQLite: no limit).
 * Every other parameter is sent as text of unknown type, so the server types it from its use, as
 * SQLite's loose typing allows.
 * - Statements are prepared on the server once per Stmt (named "s<N>"), so db.c's statement cache
 *   keeps server-side prepared statements; a finalized one is DEALLOCATEd, later if the
 *   transaction has failed meanwhile. Results come back whole, as text (booleans as "1"/"0").
 * - db_last_id: an INSERT into a table whose `id` is an identity column gets `RETURNING id`
 *   appended (the row it returns is taken, not handed out); an INSERT that gives the id itself
 *   (the audit chain, bulk imports) moves the identity's sequence past it afterwards, as SQLite's
 *   rowid would follow.
 * - db_begin_kind: BEGIN (READ COMMITTED: each statement sees what was committed before it
 *   started), then the advisory lock PG_WRITE_LOCK, exclusive for a DB_TX_ALL unit (one at a time,
 *   the exclusivity SQLite's BEGIN IMMEDIATE gives: an import, refdata, the migrations, every unit
 *   not yet written for row locks) and shared for DB_TX_ROWS units, which run side by side and take
 *   what their rules need: db_lock_row is SELECT … FOR UPDATE, db_lock a transaction-scoped
 * advisory lock on two 32-bit keys (the audit chain's head, an org's numbers; a space apart from
 * the one-key PG_WRITE_LOCK). Readers are never blocked. lock_timeout (10 s, SQLite's busy timeout)
 *   makes a waiting writer fail with a "busy" error. Statements run outside a transaction take no
 *   lock (as before, each is atomic alone).
 * - Error classes: SQLSTATE class 23 (constraint; the append-only triggers raise 23000) is
 *   DBE_CONSTRAINT; lock timeout is DBE_BUSY; deadlock and serialization failure are DBE_CONFLICT
 *   (the unit of work may run again: uow.h).
 * - A database named in the URL that does not exist is created (as SQLite creates its file), with
 *   byte-order collation (SQLite's BINARY) when the server allows it.
 * - db_insert_rows: COPY … FROM STDIN in text format (through a temporary table when rows that
 *   break a UNIQUE constraint are to be skipped).
 * - db_large: a SELECT that reads a whole table runs as a cursor, PG_FETCH rows per FETCH.
 * Not yet (issue 18): backup (pg_dump's). One connection per thread, as db.h says. */
#ifdef SPOTCHECK_PG
#include "db.h"

#include "../core/util.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The advisory lock key of db_begin ("spotchk" in ASCII, 0x73706f7463686b, so it is not taken
 * by chance). */
#define PG_WRITE_LOCK "32493246318078059"
#define PG_BOOLOID 16
#define PG_INT8OID 20
#define PG_TEXTOID 25

typedef struct IdTable {
    char *name;
    int identity; /* its `id` is an identity column */
} IdTable;

typedef struct PgConn {
    PGconn *pg;
    char *err;       /* the last error's message, "" when none */
    char state[6];   /* the last error's SQLSTATE, "" when none */
    int64_t last_id; /* of the last INSERT … RETURNING id this driver appended */
    int64_t changes; /* rows the last INSERT, UPDATE or DELETE changed */
    uint64_t seq;    /* names of prepared statements */
    IdTable *tables; /* what is known of each table INSERTed into */
    size_t ntables;
    char **stale; /* prepared statements to DEALLOCATE once the transaction allows it */
    size_t nstale;
} PgConn;

enum { P_NONE, P_INT, P_TEXT };

typedef struct PgStmt {
    PgConn *c;
    char *sql;     /* as sent to the server */
    char name[24]; /* "" until prepared */
    int nparams;
    unsigned char *typed; /* per parameter: needs a declared type (IS NULL) */
    unsigned char *limit; /* per parameter: a LIMIT, where SQLite reads a negative one as none */
    unsigned char *kind;  /* per parameter: P_NONE (NULL), P_INT or P_TEXT */
    char **val;           /* per parameter: the text sent, owned unless borrowed */
    unsigned char *borrowed;
    char *id_table;   /* RETURNING id was appended (INSERT into this table) */
    char *sync_table; /* an INSERT giving its own id into this table */
    int planned;      /* identity_plan done */
    PGresult *res;
    int row, nrows, ncols;
    int done;
    int large;       /* db_large: a SELECT read through a cursor, PG_FETCH rows at a time */
    char cursor[24]; /* its name while open, else "" */
    int held;        /* declared WITH HOLD (outside a transaction): lives until closed */
} PgStmt;

static void trace_sql(const PgConn *c, const char *sql);

static void set_error(PgConn *c, const char *state, const char *msg) {
    free(c->err);
    c->err = xstrdup(msg ? msg : "");
    snprintf(c->state, sizeof c->state, "%s", state ? state : "");
}

static void clear_error(PgConn *c) {
    if (c->err[0] || c->state[0]) set_error(c, "", "");
}

/* The error of a result (NULL result: the connection's), trailing newline dropped. */
static void error_from(PgConn *c, const PGresult *r) {
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    char *m = xstrdup(msg ? msg : PQerrorMessage(c->pg));
    size_t n = strlen(m);
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
        m[--n] = 0;
    set_error(c, state ? state : "08000", m);
    free(m);
}

/* Runs a command without parameters; DB_OK when it succeeded. */
static int command(PgConn *c, const char *sql) {
    PGresult *r = PQexec(c->pg, sql);
    ExecStatusType s = PQresultStatus(r);
    int rc = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ? DB_OK : DB_ERR;
    if (rc == DB_OK)
        clear_error(c);
    else
        error_from(c, r), trace_sql(c, sql);
    PQclear(r);
    return rc;
}

/* DEALLOCATEs (or CLOSEs: an entry that starts with "CLOSE ") what finalize could not (inside a
 * failed transaction). */
static void drop_stale(PgConn *c) {
    if (!c->nstale || PQtransactionStatus(c->pg) == PQTRANS_INERROR) return;
    for (size_t i = 0; i < c->nstale; i++) {
        char sql[48];
        if (!strncmp(c->stale[i], "CLOSE ", 6))
            snprintf(sql, sizeof sql, "%s", c->stale[i]);
        else
            snprintf(sql, sizeof sql, "DEALLOCATE %s", c->stale[i]);
        PQclear(PQexec(c->pg, sql));
        free(c->stale[i]);
    }
    c->nstale = 0;
}

/* --- connecting ---------------------------------------------------------------------------- */

static PGconn *connect_to(const char *url, const char *dbname) {
    const char *keys[] = {"dbname", "dbname", "fallback_application_name", NULL};
    const char *vals[] = {url, dbname, "spotcheck", NULL};
    if (!dbname) {
        keys[1] = "fallback_application_name";
        vals[1] = "spotcheck";
        keys[2] = vals[2] = NULL;
    }
    return PQconnectdbParams(keys, vals, 1);
}

/* Creates database `name` through the maintenance database `postgres` of the same server:
 * UTF-8, byte-order collation (SQLite's BINARY order), a Unicode character classification (so
 * pg_trgm sees Chinese characters as letters); plain CREATE DATABASE when the server lacks
 * that locale. Another process creating it meanwhile is not an error. */
static int create_database(const char *url, const char *name, char **err) {
    PGconn *m = connect_to(url, "postgres");
    if (PQstatus(m) != CONNECTION_OK) {
        set_err(err, "无法连接 PostgreSQL 以创建数据库 %s: %s", name, PQerrorMessage(m));
        PQfinish(m);
        return DB_ERR;
    }
    char *id = PQescapeIdentifier(m, name, strlen(name));
    int rc = DB_ERR;
    for (int plain = 0; plain < 2 && rc != DB_OK; plain++) {
        char *sql = xasprintf("CREATE DATABASE %s%s", id,
                              plain ? ""
                                    : " TEMPLATE template0 ENCODING 'UTF8' "
                                      "LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'");
        PGresult *r = PQexec(m, sql);
        free(sql);
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        if (PQresultStatus(r) == PGRES_COMMAND_OK || (state && !strcmp(state, "42P04")))
            rc = DB_OK;
        else if (plain)
            set_err(err, "无法创建 PostgreSQL 数据库 %s: %s", name, PQerrorMessage(m));
        PQclear(r);
    }
    PQfreemem(id);
    PQfinish(m);
    return rc;
}

/* 1 when the connection failed because the database it names does not exist. */
static int database_missing(PGconn *pg) {
    return PQstatus(pg) != CONNECTION_OK && PQdb(pg) &&
           strstr(PQerrorMessage(pg), "does not exist") != NULL;
}

/* 1 unless the server says that the database the URL names does not exist; nothing is created. */
static int pg_exists(const char *url) {
    PGconn *pg = connect_to(url, NULL);
    int missing = database_missing(pg);
    PQfinish(pg);
    return !missing;
}

static void quiet(void *arg, const char *message) {
    (void)arg, (void)message;
}

static void *pg_open(const char *url, char **err) {
    PGconn *pg = connect_to(url, NULL);
    if (database_missing(pg)) {
        char *name = xstrdup(PQdb(pg));
        PQfinish(pg);
        pg = NULL;
        if (create_database(url, name, err) == DB_OK) pg = connect_to(url, NULL);
        free(name);
        if (!pg) return NULL;
    }
    if (PQstatus(pg) != CONNECTION_OK) {
        set_err(err, "无法连接 PostgreSQL 数据库 %s: %s", url, PQerrorMessage(pg));
        PQfinish(pg);
        return NULL;
    }
    PQsetNoticeProcessor(pg, quiet, NULL); /* warnings are not the user's business */
    PgConn *c = xcalloc(1, sizeof *c);
    c->pg = pg;
    c->err = xstrdup("");
    /* SQLite's busy timeout; notices (IF NOT EXISTS …) are not errors */
    if (command(c, "SET lock_timeout = '10s'; SET client_min_messages = warning; "
                   "SET client_encoding = 'UTF8'") != DB_OK) {
        set_err(err, "无法设置 PostgreSQL 连接 %s: %s", url, c->err);
        PQfinish(pg);
        free(c->err);
        free(c);
        return NULL;
    }
    return c;
}

static void pg_close(void *conn) {
    PgConn *c = conn;
    if (!c) return;
    PQfinish(c->pg);
    for (size_t i = 0; i < c->ntables; i++)
        free(c->tables[i].name);
    free(c->tables);
    for (size_t i = 0; i < c->nstale; i++)
        free(c->stale[i]);
    free(c->stale);
    free(c->err);
    free(c);
}

static const char *pg_errmsg(void *conn) {
    return ((PgConn *)conn)->err;
}

static int pg_errclass(void *conn) {
    const char *s = ((PgConn *)conn)->state;
    if (!s[0]) return DBE_NONE;
    if (!strncmp(s, "23", 2)) return DBE_CONSTRAINT;
    if (!strcmp(s, "55P03")) return DBE_BUSY;
    if (!strcmp(s, "40001") || !strcmp(s, "40P01")) return DBE_CONFLICT;
    return DBE_OTHER;
}

/* --- SQL text ------------------------------------------------------------------------------ */

static int is_word(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || (unsigned char)ch >= 0x80;
}

static int word_at(const char *p, const char *w) {
    size_t n = strlen(w);
    return !strncasecmp(p, w, n) && !is_word(p[n]);
}

/* 1 when the text after a placeholder is IS [NOT] NULL. */
static int null_test_follows(const char *p) {
    while (*p == ' ' || *p == '\n' || *p == '\t')
        p++;
    if (!word_at(p, "IS")) return 0;
    p += 2;
    while (*p == ' ' || *p == '\n' || *p == '\t')
        p++;
    if (word_at(p, "NOT")) {
        p += 3;
        while (*p == ' ' || *p == '\n' || *p == '\t')
            p++;
    }
    return word_at(p, "NULL");
}

/* 1 when the text so far ends with the keyword w. */
static int after_word(const char *so_far, const char *w) {
    size_t n = so_far ? strlen(so_far) : 0, k = strlen(w);
    while (n && (so_far[n - 1] == ' ' || so_far[n - 1] == '\n'))
        n--;
    return n >= k && !strncasecmp(so_far + n - k, w, k) && (n == k || !is_word(so_far[n - k - 1]));
}

/* 1 when the text so far ends with SELECT (a parameter as a selected value, such as the start
 * of SCOPE_SQL's recursive CTE, whose type nothing else tells). */
static int after_select(const char *so_far) {
    return after_word(so_far, "SELECT");
}

/* Rewrites sql for PostgreSQL (see the top) into st->sql, st->nparams and st->typed. */
static void rewrite(PgStmt *st, const char *sql) {
    Buf b;
    buf_init(&b);
    unsigned char typed[1000] = {0}, limit[1000] = {0};
    int max = 0;
    for (const char *p = sql; *p;) {
        if (*p == '\'' || *p == '"') { /* a literal or quoted name, '' or "" inside */
            char q = *p;
            const char *s = p++;
            while (*p && !(*p == q && p[1] != q))
                p += *p == q ? 2 : 1;
            if (*p) p++;
            buf_append(&b, s, (size_t)(p - s));
        } else if (p[0] == '-' && p[1] == '-') {
            const char *s = p;
            while (*p && *p != '\n')
                p++;
            buf_append(&b, s, (size_t)(p - s));
        } else if (*p == '?') {
            p++;
            int n = 0;
            if (*p >= '0' && *p <= '9') {
                while (*p >= '0' && *p <= '9')
                    n = n * 10 + (*p++ - '0');
            } else {
                n = max + 1; /* SQLite: one more than the largest so far */
            }
            if (n > max) max = n;
            if (n > 0 && n < (int)sizeof typed && (null_test_follows(p) || after_select(b.data)))
                typed[n] = 1;
            if (n > 0 && n < (int)sizeof limit && after_word(b.data, "LIMIT")) limit[n] = 1;
            buf_printf(&b, "$%d", n);
        } else if (is_word(*p) && (p == sql || !is_word(p[-1]))) {
            const char *s = p;
            while (is_word(*p))
                p++;
            if (p - s == 4 && !strncasecmp(s, "LIKE", 4)) buf_putc(&b, 'I');
            buf_append(&b, s, (size_t)(p - s));
        } else {
            buf_putc(&b, *p++);
        }
    }
    st->sql = buf_steal(&b);
    st->nparams = max;
    size_t n = (size_t)max + 1;
    st->typed = xcalloc(n, 1);
    st->limit = xcalloc(n, 1);
    for (int i = 1; i <= max && i < (int)sizeof typed; i++) {
        st->typed[i] = typed[i];
        st->limit[i] = limit[i];
    }
    st->kind = xcalloc(n, 1);
    st->borrowed = xcalloc(n, 1);
    st->val = xcalloc(n, sizeof *st->val);
}

/* What is known of `table`'s id column (cached per connection): 1 when it is an identity, 0 when
 * not, -1 when the catalogue cannot be read (the error is the connection's). */
static int table_identity(PgConn *c, const char *table) {
    for (size_t i = 0; i < c->ntables; i++)
        if (!strcmp(c->tables[i].name, table)) return c->tables[i].identity;
    const char *vals[1] = {table};
    PGresult *r = PQexecParams(c->pg,
                               "SELECT count(*) FROM pg_attribute WHERE attrelid = "
                               "to_regclass($1) AND attname = 'id' AND attidentity <> ''",
                               1, NULL, vals, NULL, NULL, 0);
    int identity =
        PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && atoi(PQgetvalue(r, 0, 0)) > 0;
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) error_from(c, r);
    PQclear(r);
    if (!ok) return -1; /* (inside a failed transaction: asked again next time) */
    c->tables = xrealloc(c->tables, (c->ntables + 1) * sizeof *c->tables);
    c->tables[c->ntables++] = (IdTable){xstrdup(table), identity};
    return identity;
}

/* For an INSERT: its table, and whether its column list starts with id. */
static char *insert_table(const char *sql, int *gives_id) {
    const char *p = sql;
    *gives_id = 0;
    while (*p == ' ' || *p == '\n')
        p++;
    if (!word_at(p, "INSERT")) return NULL;
    p += 6;
    while (*p == ' ' || *p == '\n')
        p++;
    if (!word_at(p, "INTO")) return NULL;
    p += 4;
    while (*p == ' ')
        p++;
    const char *s = p;
    while (is_word(*p))
        p++;
    if (p == s) return NULL;
    char *table = xstrndup(s, (size_t)(p - s));
    while (*p == ' ')
        p++;
    if (*p == '(') {
        p++;
        while (*p == ' ')
            p++;
        *gives_id = word_at(p, "id");
    }
    return table;
}

static int has_returning(const char *sql) {
    for (const char *p = sql; *p; p++)
        if ((p == sql || !is_word(p[-1])) && word_at(p, "RETURNING")) return 1;
    return 0;
}

static void *pg_prepare(void *conn, const char *sql) {
    PgConn *c = conn;
    PgStmt *st = xcalloc(1, sizeof *st);
    st->c = c;
    st->row = -1;
    rewrite(st, sql);
    clear_error(c);
    return st;
}

/* Before the first run: an INSERT into a table with an identity id gets RETURNING id (or, when
 * it gives the id itself, the identity is moved past it after each run). Asked here, not at
 * prepare, so that a statement prepared inside a failed transaction (the catalogue cannot be read
 * then) is not kept without it. DB_ERR when the catalogue cannot be read now. */
static int identity_plan(PgStmt *st) {
    if (st->planned) return DB_OK;
    int gives_id = 0;
    char *table = insert_table(st->sql, &gives_id);
    if (!table) return DB_OK;
    int identity = table_identity(st->c, table);
    if (identity < 0) {
        free(table);
        return DB_ERR;
    }
    st->planned = 1;
    if (identity && gives_id) {
        st->sync_table = table;
    } else if (identity && !has_returning(st->sql)) {
        char *s = xasprintf("%s RETURNING id", st->sql);
        free(st->sql);
        st->sql = s;
        st->id_table = table;
    } else {
        free(table);
    }
    return DB_OK;
}

/* --- binding and running ------------------------------------------------------------------- */

static void unbind(PgStmt *st, int i) {
    if (!st->borrowed[i]) free(st->val[i]);
    st->val[i] = NULL;
    st->borrowed[i] = 0;
    st->kind[i] = P_NONE;
}

static int bind_ok(const PgStmt *st, int i) {
    return i >= 1 && i <= st->nparams ? DB_OK : DB_ERR;
}

static int pg_bind_int(void *s, int i, int64_t v) {
    PgStmt *st = s;
    if (bind_ok(st, i) != DB_OK) return DB_ERR;
    unbind(st, i);
    st->val[i] = xasprintf("%lld", (long long)v);
    st->kind[i] = P_INT;
    return DB_OK;
}

static int pg_bind_text(void *s, int i, const char *v) {
    PgStmt *st = s;
    if (bind_ok(st, i) != DB_OK) return DB_ERR;
    unbind(st, i);
    if (v) {
        st->val[i] = xstrdup(v);
        st->kind[i] = P_TEXT;
    }
    return DB_OK;
}

static int pg_bind_text_nocopy(void *s, int i, const char *v) {
    PgStmt *st = s;
    if (bind_ok(st, i) != DB_OK) return DB_ERR;
    unbind(st, i);
    if (v) {
        st->val[i] = (char *)(uintptr_t)v;
        st->borrowed[i] = 1;
        st->kind[i] = P_TEXT;
    }
    return DB_OK;
}

/* A blob as text: spotcheck stores none; its bytes are sent as they are (no NUL inside). */
static int pg_bind_blob(void *s, int i, const void *p, int n) {
    PgStmt *st = s;
    if (bind_ok(st, i) != DB_OK || n < 0) return DB_ERR;
    unbind(st, i);
    st->val[i] = xstrndup(p, (size_t)n);
    st->kind[i] = P_TEXT;
    return DB_OK;
}

static int pg_bind_null(void *s, int i) {
    PgStmt *st = s;
    if (bind_ok(st, i) != DB_OK) return DB_ERR;
    unbind(st, i);
    return DB_OK;
}

/* Moves the identity of `table` past the ids given so far (an INSERT that gave its own). */
static int sync_identity(PgConn *c, const char *table) {
    const char *vals[1] = {table};
    char *sql = xasprintf("SELECT setval(pg_get_serial_sequence($1, 'id'), "
                          "(SELECT max(id) FROM %s)) WHERE EXISTS (SELECT 1 FROM %s)",
                          table, table);
    PGresult *r = PQexecParams(c->pg, sql, 1, NULL, vals, NULL, NULL, 0);
    free(sql);
    int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? DB_OK : DB_ERR;
    if (rc != DB_OK) error_from(c, r);
    PQclear(r);
    return rc;
}

/* SPOTCHECK_PG_TRACE=FILE: each failing statement and its error appended to FILE (to sort the
 * failures of `make test-pg` by cause; tests run the program with their own stderr). */
static void trace_sql(const PgConn *c, const char *sql) {
    const char *path = getenv("SPOTCHECK_PG_TRACE");
    FILE *f = path && *path ? fopen(path, "a") : NULL;
    if (!f) return;
    fprintf(f, "pg: %s [%s]\n    in: %s\n", c->err, c->state, sql);
    fclose(f);
}
static void trace(const PgStmt *st) {
    trace_sql(st->c, st->sql);
}

/* ---- large results (db_large): a cursor instead of one result holding every row ----
 * Declared in the caller's transaction when there is one (it must be read within it, db.h), else
 * WITH HOLD (the server keeps the rows until CLOSE). Other statements may run between fetches. */
#define PG_FETCH 2000

static void defer(PgConn *c, const char *entry) {
    c->stale = xrealloc(c->stale, (c->nstale + 1) * sizeof *c->stale);
    c->stale[c->nstale++] = xstrdup(entry);
}

/* Closes the statement's cursor if it is still open: a held one always (later, when the
 * transaction now open has failed); one of a transaction only while that transaction is open
 * (pg_cursors tells: a later transaction on the connection does not have it). */
static void close_cursor(PgStmt *st) {
    if (!st->cursor[0]) return;
    PgConn *c = st->c;
    char sql[48];
    snprintf(sql, sizeof sql, "CLOSE %s", st->cursor);
    PGTransactionStatusType ts = PQtransactionStatus(c->pg);
    int open = st->held;
    if (!st->held && ts == PQTRANS_INTRANS) {
        const char *vals[1] = {st->cursor};
        PGresult *r = PQexecParams(c->pg, "SELECT 1 FROM pg_cursors WHERE name = $1", 1, NULL, vals,
                                   NULL, NULL, 0);
        open = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
        PQclear(r);
    }
    if (open && ts == PQTRANS_INERROR)
        defer(c, sql);
    else if (open)
        PQclear(PQexec(c->pg, sql));
    st->cursor[0] = 0;
}

/* The next PG_FETCH rows into st->res; the cursor closed after its last. */
static int fetch_next(PgStmt *st) {
    PgConn *c = st->c;
    PQclear(st->res);
    char sql[64];
    snprintf(sql, sizeof sql, "FETCH FORWARD %d FROM %s", PG_FETCH, st->cursor);
    st->res = PQexec(c->pg, sql);
    if (PQresultStatus(st->res) != PGRES_TUPLES_OK) {
        error_from(c, st->res);
        trace(st);
        PQclear(st->res);
        st->res = NULL;
        close_cursor(st);
        return DB_ERR;
    }
    st->nrows = PQntuples(st->res);
    st->ncols = PQnfields(st->res);
    st->row = -1;
    if (st->nrows < PG_FETCH) close_cursor(st);
    return DB_OK;
}

/* DECLARE … CURSOR FOR the statement with its parameters, then the first rows. */
static int open_cursor(PgStmt *st, const Oid *types, const char *const *vals) {
    PgConn *c = st->c;
    snprintf(st->cursor, sizeof st->cursor, "c%llu", (unsigned long long)++c->seq);
    st->held = PQtransactionStatus(c->pg) == PQTRANS_IDLE;
    char *sql = xasprintf("DECLARE %s NO SCROLL CURSOR %sFOR %s", st->cursor,
                          st->held ? "WITH HOLD " : "", st->sql);
    PGresult *r = PQexecParams(c->pg, sql, st->nparams, types, vals, NULL, NULL, 0);
    free(sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) error_from(c, r), trace(st), st->cursor[0] = 0;
    PQclear(r);
    if (!ok) return DB_ERR;
    clear_error(c);
    return fetch_next(st);
}

/* Whether the statement is a query a cursor can run (db_large is ignored for any other). */
static int is_query(const char *sql) {
    while (*sql == ' ' || *sql == '\n' || *sql == '(')
        sql++;
    return !strncasecmp(sql, "SELECT", 6) || !strncasecmp(sql, "WITH", 4);
}

static Oid *param_types(const PgStmt *st) {
    Oid *types = xcalloc((size_t)st->nparams + 1, sizeof *types);
    for (int i = 1; i <= st->nparams; i++)
        if (st->typed[i]) types[i - 1] = st->kind[i] == P_INT ? PG_INT8OID : PG_TEXTOID;
    return types;
}

static const char **param_values(const PgStmt *st) {
    const char **vals = xcalloc((size_t)st->nparams + 1, sizeof *vals);
    for (int i = 1; i <= st->nparams; i++) /* LIMIT -1: no limit (PostgreSQL: LIMIT NULL) */
        vals[i - 1] =
            st->limit[i] && st->kind[i] == P_INT && st->val[i][0] == '-' ? NULL : st->val[i];
    return vals;
}

static int execute(PgStmt *st) {
    PgConn *c = st->c;
    drop_stale(c);
    int n = st->nparams;
    if (st->large && is_query(st->sql)) {
        Oid *types = param_types(st);
        const char **vals = param_values(st);
        int rc = open_cursor(st, types, vals);
        free(types);
        free(vals);
        return rc;
    }
    if (!st->name[0]) {
        if (identity_plan(st) != DB_OK) return DB_ERR;
        Oid *types = param_types(st);
        char name[24];
        snprintf(name, sizeof name, "s%llu", (unsigned long long)++c->seq);
        PGresult *r = PQprepare(c->pg, name, st->sql, n, types);
        free(types);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok) error_from(c, r), trace(st);
        PQclear(r);
        if (!ok) return DB_ERR;
        memcpy(st->name, name, sizeof name);
    }
    const char **vals = param_values(st);
    st->res = PQexecPrepared(c->pg, st->name, n, vals, NULL, NULL, 0);
    free(vals);
    ExecStatusType s = PQresultStatus(st->res);
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
        error_from(c, st->res);
        trace(st);
        PQclear(st->res);
        st->res = NULL;
        return DB_ERR;
    }
    clear_error(c);
    const char *cmd = PQcmdStatus(st->res);
    if (!strncmp(cmd, "INSERT", 6) || !strncmp(cmd, "UPDATE", 6) || !strncmp(cmd, "DELETE", 6))
        c->changes = strtoll(PQcmdTuples(st->res), NULL, 10);
    st->nrows = PQntuples(st->res);
    st->ncols = PQnfields(st->res);
    st->row = -1;
    if (st->id_table) { /* the row of RETURNING id is the driver's */
        if (st->nrows > 0) c->last_id = strtoll(PQgetvalue(st->res, st->nrows - 1, 0), NULL, 10);
        st->nrows = 0;
    }
    if (st->sync_table && c->changes > 0 && sync_identity(c, st->sync_table) != DB_OK)
        return DB_ERR;
    return DB_OK;
}

static int pg_step(void *s) {
    PgStmt *st = s;
    if (st->done) return DB_DONE;
    if (!st->res && execute(st) != DB_OK) return DB_ERR;
    if (++st->row < st->nrows) return DB_ROW;
    if (st->cursor[0]) { /* a large result's next rows */
        if (fetch_next(st) != DB_OK) return DB_ERR;
        if (++st->row < st->nrows) return DB_ROW;
    }
    st->done = 1;
    return DB_DONE;
}

static void pg_large(void *s) {
    ((PgStmt *)s)->large = 1;
}

static int pg_reset(void *s) {
    PgStmt *st = s;
    close_cursor(st);
    PQclear(st->res);
    st->res = NULL;
    st->row = -1;
    st->done = 0;
    for (int i = 1; i <= st->nparams; i++)
        unbind(st, i);
    return DB_OK;
}

static void pg_finalize(void *s) {
    PgStmt *st = s;
    if (!st) return;
    pg_reset(st);
    PgConn *c = st->c;
    if (st->name[0]) {
        defer(c, st->name);
        if (c->nstale >= 16) drop_stale(c);
    }
    free(st->sql);
    free(st->typed);
    free(st->limit);
    free(st->kind);
    free(st->borrowed);
    free(st->val);
    free(st->id_table);
    free(st->sync_table);
    free(st);
}

static int in_row(const PgStmt *st, int i) {
    return st->res && st->row >= 0 && st->row < st->nrows && i >= 0 && i < st->ncols;
}

static int pg_col_count(void *s) {
    const PgStmt *st = s;
    return st->res ? st->ncols : 0;
}

static const char *pg_col_text(void *s, int i) {
    const PgStmt *st = s;
    if (!in_row(st, i) || PQgetisnull(st->res, st->row, i)) return NULL;
    const char *v = PQgetvalue(st->res, st->row, i);
    if (PQftype(st->res, i) == PG_BOOLOID) return v[0] == 't' ? "1" : "0";
    return v;
}

static int64_t pg_col_int(void *s, int i) {
    const char *v = pg_col_text(s, i);
    return v ? strtoll(v, NULL, 10) : 0;
}

static const char *pg_col_name(void *s, int i) {
    const PgStmt *st = s;
    return st->res && i >= 0 && i < st->ncols ? PQfname(st->res, i) : NULL;
}

static int pg_col_is_null(void *s, int i) {
    const PgStmt *st = s;
    return !in_row(st, i) || PQgetisnull(st->res, st->row, i);
}

static int pg_exec_script(void *conn, const char *sql) {
    PgConn *c = conn;
    drop_stale(c);
    return command(c, sql);
}

static int pg_in_transaction(void *conn) {
    return PQtransactionStatus(((PgConn *)conn)->pg) != PQTRANS_IDLE;
}

/* BEGIN and the write lock, exclusive or shared by kind (see the top); no transaction is left open
 * when either fails. */
static int pg_begin(void *conn, int kind) {
    PgConn *c = conn;
    drop_stale(c);
    if (command(c, kind == DB_TX_ROWS ? "BEGIN ISOLATION LEVEL READ COMMITTED; "
                                        "SELECT pg_advisory_xact_lock_shared(" PG_WRITE_LOCK ")"
                                      : "BEGIN ISOLATION LEVEL READ COMMITTED; "
                                        "SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")") == DB_OK)
        return DB_OK;
    char *err = xstrdup(c->err);
    char state[6];
    memcpy(state, c->state, sizeof state);
    if (pg_in_transaction(c)) PQclear(PQexec(c->pg, "ROLLBACK"));
    set_error(c, state, err);
    free(err);
    return DB_ERR;
}

/* --- bulk inserts: COPY ------------------------------------------------------------------- */

/* Appends one cell in COPY's text format: \N for NULL; backslash, tab, newline and carriage return
 * escaped. */
static void copy_cell(Buf *b, const char *text, int is_int, int64_t i) {
    if (is_int) {
        buf_printf(b, "%lld", (long long)i);
        return;
    }
    if (!text) {
        buf_puts(b, "\\N");
        return;
    }
    static const char special[] = "\\\t\n\r", escaped[] = "\\tnr";
    for (const char *p = text; *p; p++) {
        const char *at = strchr(special, *p);
        if (at) buf_putc(b, '\\');
        buf_putc(b, at ? escaped[at - special] : *p);
    }
}

/* Appends "c1, c2, …". */
static void put_columns(Buf *b, const char *const *cols, size_t ncols) {
    for (size_t i = 0; i < ncols; i++)
        buf_printf(b, "%s%s", i ? ", " : "", cols[i]);
}

/* COPY table(cols) FROM STDIN with every row of src; DB_OK when the server took them all. The rows
 * are put into text first: a cell callback may run queries of its own on this connection (the
 * import looks references up), which cannot be sent while a COPY is in progress. */
static int copy_rows(PgConn *c, const char *table, const char *const *cols, size_t ncols,
                     const DbRowSource *src) {
    Buf data;
    buf_init(&data);
    for (size_t row = 0; row < src->nrows; row++) {
        for (size_t col = 0; col < ncols; col++) {
            const char *text = NULL;
            int64_t i = 0;
            int is_int = src->cell(src->arg, row, col, &text, &i);
            if (col) buf_putc(&data, '\t');
            copy_cell(&data, text, is_int, i);
        }
        buf_putc(&data, '\n');
    }
    Buf sql;
    buf_init(&sql);
    buf_printf(&sql, "COPY %s(", table);
    put_columns(&sql, cols, ncols);
    buf_puts(&sql, ") FROM STDIN");
    PGresult *r = PQexec(c->pg, sql.data);
    int ok = PQresultStatus(r) == PGRES_COPY_IN;
    if (!ok) error_from(c, r), trace_sql(c, sql.data);
    PQclear(r);
    if (!ok) {
        buf_free(&data);
        buf_free(&sql);
        return DB_ERR;
    }
    int sent = 1;
    for (size_t at = 0; sent && at < data.len; at += (size_t)1 << 20) { /* 1 MiB at a time */
        size_t n = data.len - at < ((size_t)1 << 20) ? data.len - at : (size_t)1 << 20;
        sent = PQputCopyData(c->pg, data.data + at, (int)n) == 1;
    }
    buf_free(&data);
    sent = PQputCopyEnd(c->pg, sent ? NULL : "spotcheck: sending the rows failed") == 1 && sent;
    int rc = DB_OK;
    while ((r = PQgetResult(c->pg)) != NULL) { /* the COPY's outcome, then the end */
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            if (rc == DB_OK) error_from(c, r);
            rc = DB_ERR;
        } else {
            c->changes = strtoll(PQcmdTuples(r), NULL, 10);
        }
        PQclear(r);
    }
    if (rc == DB_OK && !sent) error_from(c, NULL), rc = DB_ERR;
    if (rc == DB_OK)
        clear_error(c);
    else
        trace_sql(c, sql.data);
    buf_free(&sql);
    return rc;
}

/* Ends a transaction begun for one call: COMMIT after success, else ROLLBACK with the first
 * error kept for the caller. */
static void finish_own_tx(PgConn *c, int *rc) {
    if (*rc == DB_OK) {
        *rc = command(c, "COMMIT");
        return;
    }
    char *why = xstrdup(c->err), *state = xstrdup(c->state);
    (void)command(c, "ROLLBACK");
    set_error(c, state, why);
    free(why);
    free(state);
}

/* db_insert_rows with COPY: straight into the table, or, to skip the rows that break a UNIQUE or
 * PRIMARY KEY constraint (or_ignore), into a temporary table of the same columns and from there
 * with INSERT … ON CONFLICT DO NOTHING (COPY itself stops at the first). An id given moves the
 * table's identity past it, as an INSERT giving its own does (see the top). */
static int pg_insert_rows(void *conn, const char *table, const char *const *cols, size_t ncols,
                          const DbRowSource *src, int or_ignore) {
    PgConn *c = conn;
    drop_stale(c);
    if (!src->nrows) return DB_OK;
    int rc;
    if (!or_ignore) {
        rc = copy_rows(c, table, cols, ncols, src);
    } else {
        /* the temporary table lives until the commit: outside a transaction that would be the
         * end of its own CREATE, so the three steps get one of their own */
        int own_tx = PQtransactionStatus(c->pg) == PQTRANS_IDLE;
        rc = own_tx ? command(c, "BEGIN") : DB_OK;
        Buf list;
        buf_init(&list);
        put_columns(&list, cols, ncols);
        char *make = xasprintf("CREATE TEMP TABLE sc_copy ON COMMIT DROP AS SELECT %s FROM %s "
                               "WITH NO DATA",
                               list.data, table);
        if (rc == DB_OK) rc = command(c, make);
        free(make);
        if (rc == DB_OK) rc = copy_rows(c, "sc_copy", cols, ncols, src);
        if (rc == DB_OK) {
            char *move = xasprintf("INSERT INTO %s(%s) SELECT %s FROM sc_copy ON CONFLICT DO "
                                   "NOTHING; DROP TABLE sc_copy",
                                   table, list.data, list.data);
            rc = command(c, move);
            free(move);
        }
        buf_free(&list);
        if (own_tx) finish_own_tx(c, &rc);
    }
    if (rc == DB_OK && !strcmp(cols[0], "id")) {
        int identity = table_identity(c, table);
        if (identity < 0 || (identity && sync_identity(c, table) != DB_OK)) rc = DB_ERR;
    }
    return rc;
}

/* Runs a locking query with text parameters; DB_OK when it succeeded. */
static int lock_query(PgConn *c, const char *sql, int n, const char *const *vals) {
    drop_stale(c);
    PGresult *r = PQexecParams(c->pg, sql, n, NULL, vals, NULL, NULL, 0);
    int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? DB_OK : DB_ERR;
    if (rc == DB_OK)
        clear_error(c);
    else
        error_from(c, r);
    PQclear(r);
    return rc;
}

/* SHARE conflicts with the ROW EXCLUSIVE lock every INSERT, UPDATE and DELETE takes, and not with
 * itself nor with the ROW SHARE of SELECT … FOR UPDATE: writers of these tables wait, readers and
 * other holders do not. SHARE ROW EXCLUSIVE conflicts with the same and with itself and SHARE: one
 * owner, and no holder, at a time. ROW EXCLUSIVE (a writer's intent) conflicts with both. */
static int pg_hold_tables(void *conn, const char *tables, int mode) {
    char *sql = xasprintf("LOCK TABLE %s IN %s MODE", tables,
                          mode == DB_HOLD_OWN     ? "SHARE ROW EXCLUSIVE"
                          : mode == DB_HOLD_WRITE ? "ROW EXCLUSIVE"
                                                  : "SHARE");
    int rc = command(conn, sql);
    free(sql);
    return rc;
}

/* The table's writer lock first (db_write_table): a unit waiting for a holder of the table must
 * not hold one of its rows meanwhile (the holder, an import, may want that row). Then the rows,
 * PG_LOCK_CHUNK ids per statement, as an array parameter; ORDER BY puts the sort below the row
 * locking, so each statement locks in ascending id order as the chunks do. */
#define PG_LOCK_CHUNK 1000
static int pg_lock_rows(void *conn, const char *table, const int64_t *ids, size_t n) {
    if (pg_hold_tables(conn, table, DB_HOLD_WRITE) != DB_OK) return DB_ERR;
    char *sql =
        xasprintf("SELECT 1 FROM %s WHERE id = ANY ($1::bigint[]) ORDER BY id FOR UPDATE", table);
    int rc = DB_OK;
    Buf list;
    buf_init(&list);
    for (size_t at = 0; at < n && rc == DB_OK; at += PG_LOCK_CHUNK) {
        buf_reset(&list);
        buf_putc(&list, '{');
        for (size_t i = at; i < n && i < at + PG_LOCK_CHUNK; i++)
            buf_printf(&list, "%s%lld", i > at ? "," : "", (long long)ids[i]);
        buf_putc(&list, '}');
        const char *vals[1] = {list.data};
        rc = lock_query(conn, sql, 1, vals);
    }
    buf_free(&list);
    free(sql);
    return rc;
}

static int pg_lock_rows_by(void *conn, const char *table, const char *column, int64_t value) {
    if (pg_hold_tables(conn, table, DB_HOLD_WRITE) != DB_OK) return DB_ERR;
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)value);
    const char *vals[1] = {key};
    char *sql = xasprintf("SELECT 1 FROM %s WHERE %s = $1 ORDER BY id FOR UPDATE", table, column);
    int rc = lock_query(conn, sql, 1, vals);
    free(sql);
    return rc;
}

static int pg_lock_name(void *conn, int32_t what, int32_t key) {
    char a[16], b[16];
    snprintf(a, sizeof a, "%d", (int)what);
    snprintf(b, sizeof b, "%d", (int)key);
    const char *vals[2] = {a, b};
    return lock_query(conn, "SELECT pg_advisory_xact_lock($1::int, $2::int)", 2, vals);
}

static int64_t pg_last_id(void *conn) {
    return ((PgConn *)conn)->last_id;
}
static int64_t pg_changes(void *conn) {
    return ((PgConn *)conn)->changes;
}

static int pg_backup(void *conn, const char *path, char **err) {
    (void)conn;
    return set_err(err, "PostgreSQL 数据库请用 pg_dump 备份（%s 未写入）", path);
}

/* db_read_value by the table's one-column primary key (id, or draw_record's draw_id). */
static int pg_read_value(void *conn, const char *table, const char *column, int64_t id, size_t pad,
                         char **out, size_t *len) {
    PgConn *c = conn;
    const char *key = strcmp(table, "draw_record") ? "id" : "draw_id";
    char *sql = xasprintf("SELECT %s FROM %s WHERE %s = $1", column, table, key);
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%lld", (long long)id);
    const char *vals[1] = {idtext};
    PGresult *r = PQexecParams(c->pg, sql, 1, NULL, vals, NULL, NULL, 0);
    free(sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        error_from(c, r);
        PQclear(r);
        return DB_ERR;
    }
    clear_error(c);
    if (PQntuples(r) == 0) {
        PQclear(r);
        return DB_DONE;
    }
    size_t n = (size_t)PQgetlength(r, 0, 0);
    *out = xmalloc(n + pad + 1);
    memcpy(*out, PQgetvalue(r, 0, 0), n);
    memset(*out + n, 0, pad + 1);
    *len = n;
    PQclear(r);
    return DB_OK;
}

/* The table's own triggers whose names start with prefix paused for this transaction; *saved
 * what resumes them. By the setting spotcheck.pause_<table> (local to the transaction) when every
 * such trigger runs a function that asks spotcheck_paused (sql/pg/063): other writers of the table
 * are not held up. Otherwise (a trigger added later whose function does not ask) by ALTER TABLE …
 * DISABLE TRIGGER, which holds the table against every other writer until the commit: correct,
 * but a new pausable trigger should ask, or its pauses serialise the table's writers again. */
static int pg_triggers_pause(void *conn, const char *table, const char *prefix, char **saved) {
    PgConn *c = conn;
    const char *vals[2] = {table, prefix};
    PGresult *r = PQexecParams(c->pg,
                               "SELECT t.tgname, strpos(p.prosrc, 'spotcheck_paused(') > 0 "
                               "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                               "WHERE t.tgrelid = to_regclass($1) AND NOT t.tgisinternal "
                               "AND starts_with(t.tgname, $2) ORDER BY t.tgname",
                               2, NULL, vals, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        error_from(c, r);
        PQclear(r);
        return DB_ERR;
    }
    int asks = PQntuples(r) > 0;
    for (int i = 0; i < PQntuples(r); i++)
        asks &= str_eq(PQgetvalue(r, i, 1), "t");
    if (asks) {
        PQclear(r);
        char *name = xasprintf("spotcheck.pause_%s", table);
        const char *set[2] = {name, prefix};
        r = PQexecParams(c->pg, "SELECT set_config($1, $2, true)", 2, NULL, set, NULL, NULL, 0);
        int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
        if (!ok) error_from(c, r);
        PQclear(r);
        free(name);
        if (!ok) return DB_ERR;
        *saved = xasprintf("SELECT set_config('spotcheck.pause_%s', '', true)", table);
        return DB_OK;
    }
    Buf off, on;
    buf_init(&off);
    buf_init(&on);
    for (int i = 0; i < PQntuples(r); i++) {
        buf_printf(&off, "ALTER TABLE %s DISABLE TRIGGER \"%s\";", table, PQgetvalue(r, i, 0));
        buf_printf(&on, "ALTER TABLE %s ENABLE TRIGGER \"%s\";", table, PQgetvalue(r, i, 0));
    }
    PQclear(r);
    int rc = off.data ? command(c, off.data) : DB_OK;
    buf_free(&off);
    if (rc != DB_OK) {
        buf_free(&on);
        return DB_ERR;
    }
    *saved = on.data ? buf_steal(&on) : NULL;
    return DB_OK;
}

static int pg_triggers_resume(void *conn, char *saved) {
    int rc = command(conn, saved);
    free(saved);
    return rc;
}

/* Indexes made by CREATE INDEX (not those of constraints), from pg_indexes. */
static int pg_created_indexes(void *conn, const char *table, DbIndex **list, size_t *n) {
    PgConn *c = conn;
    const char *vals[1] = {table};
    PGresult *r = PQexecParams(
        c->pg,
        "SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indisunique FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = to_regclass($1) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) "
        "ORDER BY i.relname",
        1, NULL, vals, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        error_from(c, r);
        PQclear(r);
        return DB_ERR;
    }
    int rows = PQntuples(r);
    *n = (size_t)rows;
    *list = rows ? xcalloc((size_t)rows, sizeof **list) : NULL;
    for (int i = 0; i < rows; i++) {
        (*list)[i].name = xstrdup(PQgetvalue(r, i, 0));
        (*list)[i].sql = xstrdup(PQgetvalue(r, i, 1));
        (*list)[i].unique = PQgetvalue(r, i, 2)[0] == 't';
    }
    PQclear(r);
    return DB_OK;
}

/* The current snapshot (xmin:xmax:in-progress xids) as a hash: a commit of another connection
 * takes its xid out of the in-progress list or moves xmax, so an equal snapshot means nobody
 * committed since. (Another transaction merely starting to write, in any database of the
 * cluster, changes it too: DB_CHANGED then only costs the caller its re-read.) This connection's
 * own commits count as well, unlike SQLite's data_version; db_changed_since's callers take the
 * mark after their own writes. */
static int pg_commits_seen(void *conn, int64_t *n) {
    PgConn *c = conn;
    PGresult *r = PQexec(c->pg, "SELECT pg_current_snapshot()::text");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        error_from(c, r);
        PQclear(r);
        return DB_ERR;
    }
    uint64_t h = str_fnv1a(PQgetvalue(r, 0, 0));
    PQclear(r);
    *n = (int64_t)(h >> 1);
    return DB_OK;
}

static int pg_rows_work(void *conn, int64_t *n) {
    PgConn *c = conn;
    PGresult *r = PQexec(c->pg, "SELECT coalesce(sum(pg_stat_get_xact_tuples_returned(oid)), 0) "
                                "FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
                                "AND relkind IN ('r', 'i')");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        error_from(c, r);
        PQclear(r);
        return DB_ERR;
    }
    *n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return DB_OK;
}

static void pg_optimize(void *conn) {
    PQclear(PQexec(((PgConn *)conn)->pg, "ANALYZE"));
}

/* The trigram GIN indexes of sql/pg/001: the searched columns joined by U+001F, ILIKE on that
 * expression (the same text as the index's, so the planner uses it); insured persons left out
 * of the target search as from SQLite's index. */
static int pg_text_search(void *conn, const char *table, const char *alias,
                          const char *const *columns, size_t ncolumns, const char *text,
                          DbTextSearch *ts) {
    (void)conn;
    Buf e;
    buf_init(&e);
    buf_putc(&e, '(');
    for (size_t i = 0; i < ncolumns; i++)
        buf_printf(&e, "%scoalesce(%s.%s, '')", i ? " || chr(31) || " : "", alias, columns[i]);
    buf_putc(&e, ')');
    const char *guard = !strcmp(table, "target") ? "kind <> 'insured' AND " : "";
    ts->bind = db_like_contains(text);
    ts->join = xstrdup("");
    ts->where = xasprintf("(%s%s%s LIKE ? ESCAPE '\\')", *guard ? alias : "",
                          *guard ? ".kind <> 'insured' AND " : "", e.data);
    ts->key = xasprintf("%s.id", alias);
    ts->ids =
        xasprintf("SELECT %s.id FROM %s %s WHERE %s%s%s LIKE ? ESCAPE '\\'", alias, table, alias,
                  *guard ? alias : "", *guard ? ".kind <> 'insured' AND " : "", e.data);
    buf_free(&e);
    return DB_OK;
}

const DbDriver db_pg_driver = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .errmsg = pg_errmsg,
    .errclass = pg_errclass,
    .prepare = pg_prepare,
    .bind_int = pg_bind_int,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .reset = pg_reset,
    .finalize = pg_finalize,
    .col_count = pg_col_count,
    .col_int = pg_col_int,
    .col_text = pg_col_text,
    .col_name = pg_col_name,
    .col_is_null = pg_col_is_null,
    .exec_script = pg_exec_script,
    .in_transaction = pg_in_transaction,
    .last_id = pg_last_id,
    .changes = pg_changes,
    .backup = pg_backup,
    .read_value = pg_read_value,
    .created_indexes = pg_created_indexes,
    .bind_text_nocopy = pg_bind_text_nocopy,
    .optimize = pg_optimize,
    .commits_seen = pg_commits_seen,
    .rows_work = pg_rows_work,
    .text_search = pg_text_search,
    .begin = pg_begin,
    .insert_rows = pg_insert_rows,
    .lock_rows = pg_lock_rows,
    .large = pg_large,
    .lock_rows_by = pg_lock_rows_by,
    .lock_name = pg_lock_name,
    .hold_tables = pg_hold_tables,
    .exists = pg_exists,
    .triggers_pause = pg_triggers_pause,
    .triggers_resume = pg_triggers_resume,
    .migrations = "sql/pg/",
    .table_names_sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                       "ORDER BY tablename",
};
#endif
