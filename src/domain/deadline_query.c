/* deadline_query.c - the SQL collector of the deadline clocks (deadline.h, DlSet): counts per kind
 * and state, pages of clocks and the overdue groups, without building a JSON object per clock.
 *
 * How: every clock is a row of deadline_clock (sql/060), kept by triggers in the transaction of
 * every change it depends on, with the start and done dates deadline_collect reads; names
 * (task, org, dept, target) are looked up for the rows read. The first question not answered
 * from the cache groups the scope's clocks by kind, option, start and done day (an index-only
 * read of deadline_clock_by_key) and evaluates each group with deadline_eval: that gives the
 * counts. A clock's deadline depends only on its kind, its working days and its start date, so
 * each distinct (kind, option, start) is kept with its deadline, the state of an open clock on
 * `today` and whether it is provisional in the connection's temporary table dl_start. The state
 * of a clock is then decided in SQL by comparing dates, as deadline_eval does: no deadline →
 * 期限未知; done → done <= deadline 按时完成, else 逾期完成; not done → the open state of its
 * start. Rows are built (labels, officers, links) by dl_add_clock, the builder deadline_collect
 * uses, for the rows of a page only.
 *
 * The dashboard's three lists (overdue, due today, due soon) are one question (deadline_set_pages):
 * each list of an open state reads only the clocks of the starts in that state (dl_start's rows
 * joined to deadline_clock's index), and keeps its first rows while it reads (LIMIT).
 *
 * Every answer (counts, a count, a page, the overdue groups) is kept while the data version and
 * the day are the same (readcache.h, keyed by scope, day and the question): a dashboard view then
 * reads no clock. dl_start is filled only when an answer is not kept.
 *
 * Invariant: the states, counts and order equal deadline_collect's for every clock (tests/unit/
 * test_deadline_sql.c compares them; test_deadline_kept.c the kept rows with the views).
 * Callers: src/web/page_dash.c. Reads only (the temporary table is the connection's scratch
 * space), but for deadline_clocks_rebuild. */
#include "deadline_impl.h"

#include "../core/util.h"
#include "readcache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The state numbers the SQL below spells out. */
_Static_assert(DL_DONE_ON_TIME == 4 && DL_DONE_LATE == 5 && DL_UNKNOWN == 6 && DL_ENTRY == 1,
               "deadline_query.c's SQL names these states by number");

/* The scope ?1 (0: every org): the org and the orgs below it. */
#define SCOPE_CTE                                                                                  \
    "WITH RECURSIVE sc(id) AS (SELECT ?1 UNION SELECT o2.id FROM org o2 JOIN sc ON o2.parent_id "  \
    "= sc.id)"

/* The kept clock c (deadline_clock, sql/060) of the scope ?1 with its names, given its
 * deadline's row e of dl_start: kind, k2 (the disposal option of a penalty clock, else ''), s
 * (start: a date, or 'M' and the task's month_to before the check), done (NULL when not done),
 * task_id, task_code, task_name, org_id, org_name, target_code, record_id, followup_id,
 * draw_id, dept_id, dept_name, detail, tie (a stable last sort key), deadline (NULL: unknown),
 * prov, subject (the joint dept's name, or the target's shown name). The rows are those
 * deadline_collect builds (the views of sql/060 say how each is derived). NAMED_JOINS ends in
 * the scope's WHERE, to which a caller may add terms. */
#define NAMED_COLUMNS                                                                              \
    "c.kind AS kind, c.k2 AS k2, c.s AS s, c.done AS done, c.task_id AS task_id, "                 \
    "coalesce(t.code, "                                                                            \
    "'') AS task_code, coalesce(t.name, '') AS task_name, c.org_id AS org_id, coalesce(o.name, "   \
    "'') AS org_name, c.target_code AS target_code, c.record_id AS record_id, c.followup_id AS "   \
    "followup_id, c.draw_id AS draw_id, c.dept_id AS dept_id, dp.name AS dept_name, "              \
    "coalesce(c.detail, rd.label, c.opt) AS detail, c.tie AS tie, e.deadline AS deadline, "        \
    "e.prov AS prov, CASE WHEN c.kind = 0 THEN coalesce(dp.name, '') WHEN g.kind = 'insured' OR "  \
    "coalesce(g.name, '') = '' THEN coalesce(c.target_code, '') ELSE g.name END AS subject"
#define NAMED_JOINS                                                                                \
    " JOIN task t ON t.id = c.task_id JOIN org o ON o.id = c.org_id LEFT JOIN dept dp ON dp.id = " \
    "c.dept_id LEFT JOIN refdata rd ON rd.set_name = 'disposal_options' AND rd.code = c.opt "      \
    "LEFT JOIN target g ON g.code = c.target_code WHERE (?1 = 0 OR c.org_id IN (SELECT id FROM "   \
    "sc))"

/* Every clock of the scope ?1 as x: NAMED_COLUMNS and its state st (as deadline_eval decides
 * it: no deadline → 期限未知; done → done <= deadline 按时完成, else 逾期完成; not done → the
 * open state of its start). */
#define STATED_CTE                                                                                 \
    SCOPE_CTE ", x AS (SELECT " NAMED_COLUMNS ", CASE WHEN e.deadline IS NULL THEN 6 WHEN c.done " \
              "IS NOT NULL THEN CASE WHEN c.done <= e.deadline THEN 4 ELSE 5 END ELSE "            \
              "e.open_state END AS st FROM deadline_clock c JOIN dl_start e ON e.kind = c.kind "   \
              "AND e.k2 = c.k2 AND e.s = c.s" NAMED_JOINS ") "

/* The open clocks (not done, with a deadline) of the scope ?1 whose start's open state is ?2, as
 * x (with st, that state): read from dl_start's rows of that state through deadline_clock's index
 * on (kind, k2, s, done), so only that state's clocks and their targets are read (CROSS JOIN:
 * SQLite keeps dl_start the outer table, whose few rows it knows nothing about). */
#define OPEN_CTE                                                                                   \
    SCOPE_CTE ", x AS (SELECT " NAMED_COLUMNS                                                      \
              ", e.open_state AS st FROM dl_start e CROSS JOIN deadline_clock c" NAMED_JOINS       \
              " AND c.kind = e.kind AND c.k2 = e.k2 AND c.s = e.s AND c.done IS NULL AND "         \
              "e.open_state = ?2 AND e.deadline IS NOT NULL) "

/* The filter of a DlFilter: ?2 states (0 all), ?3 kind (-1 all), ?4 officer (NULL all), ?5 dept
 * (0 all). */
#define FILTER_SQL                                                                                 \
    " WHERE (?2 = 0 OR ((?2 / CASE st WHEN 0 THEN 1 WHEN 1 THEN 2 WHEN 2 THEN 4 WHEN 3 THEN 8 "    \
    "WHEN 4 THEN 16 WHEN 5 THEN 32 ELSE 64 END) % 2) = 1)" FILTER_REST
/* The filter of a DlFilter of one open state, after OPEN_CTE (?2: that state). */
#define OPEN_FILTER_SQL " WHERE ?2 >= 0" FILTER_REST
/* The kind, officer and dept parts of both. */
#define FILTER_REST                                                                                \
    " AND (?3 < 0 OR kind = ?3) "                                                                  \
    "AND (?4 IS NULL OR (kind = 1 AND EXISTS (SELECT 1 FROM draw_member m JOIN officer f ON "      \
    "f.cert_no = m.member_code WHERE m.draw_id = x.draw_id AND m.target_code = x.target_code AND " \
    "m.member_code = ?4 AND m.status = '在组' AND m.role <> '专家'))) "                        \
    "AND (?5 = 0 OR (dept_id = ?5 AND dept_name IS NOT NULL))"

/* The order of deadline_collect (clock_cmp), then a stable tie-break. */
#define ORDER_SQL                                                                                  \
    " ORDER BY CASE WHEN deadline IS NULL THEN 1 ELSE 0 END, deadline, kind, task_code, subject, " \
    "task_id, tie"

struct DlSet {
    Db *db;
    const Calendar *cal;
    int64_t scope;
    char today[11];
    json_t *pdays;                                         /* dl_penalty_days */
    int filled;                                            /* fill_starts ran: 1 ok, -1 failed */
    long long counts[DL_KIND_COUNT][DL_STATE_COUNT], prov; /* filled by fill_starts */
};

/* Sets *err to the database's message; returns NULL. */
static void *fail_db(DlSet *s, char **err) {
    set_err(err, "读取期限数据失败：%s", db_errmsg(s->db));
    return NULL;
}

/* The working days of a clock of kind k (k2: a penalty clock's option); 0 with *none for a
 * penalty whose option has none. */
static int workdays_of(const DlSet *s, int k, const char *k2, int *none) {
    *none = 0;
    if (k != DL_PENALTY) return deadline_kind_days((DlKind)k);
    int pd = dl_penalty_workdays(s->pdays, k2);
    *none = pd <= 0;
    return pd;
}

/* The start date of key s ('M' + "YYYY-MM": the month's last day; "" when it has none). */
static void start_of(const char *key, char out[11]) {
    out[0] = 0;
    if (!key) return;
    if (key[0] == 'M') {
        if (deadline_month_end(key + 1, out) != CAL_OK) out[0] = 0;
    } else
        snprintf(out, 11, "%s", key);
}

/* The scope's kept clocks grouped by (kind, k2, s, done): each group evaluated with deadline_eval
 * gives the counts (as deadline_counts counts them), and each distinct (kind, k2, s) its row of
 * dl_start. */
static int fill_starts(DlSet *s) {
    if (db_exec(s->db,
                "CREATE TEMP TABLE IF NOT EXISTS dl_start(kind INTEGER NOT NULL, k2 TEXT NOT NULL, "
                "s TEXT NOT NULL, deadline TEXT, open_state INTEGER NOT NULL, prov INTEGER NOT "
                "NULL, PRIMARY KEY (kind, k2, s))",
                NULL) != DB_OK ||
        db_exec(s->db, "DELETE FROM dl_start", NULL) != DB_OK)
        return DB_ERR;
    Stmt *st =
        db_prepare(s->db, SCOPE_CTE " SELECT kind, k2, s, done, count(*) FROM deadline_clock "
                                    "WHERE ?1 = 0 OR org_id IN (SELECT id FROM sc) GROUP BY "
                                    "kind, k2, s, done ORDER BY kind, k2, s");
    if (!st) return DB_ERR;
    db_bind_int(st, 1, s->scope);
    json_t *keys = json_array(); /* [kind, k2, s]: read first, written after the read ends */
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int kind = (int)db_col_int(st, 0), none;
        const char *k2 = db_col_text(st, 1) ? db_col_text(st, 1) : "",
                   *key = db_col_text(st, 2) ? db_col_text(st, 2) : "";
        if (kind < 0 || kind >= DL_KIND_COUNT) continue;
        int wd = workdays_of(s, kind, k2, &none);
        if (none) continue; /* no penalty clock for this option */
        json_t *last = json_array_get(keys, json_array_size(keys) - 1);
        if (!last || json_integer_value(json_array_get(last, 0)) != kind ||
            !str_eq(json_string_value(json_array_get(last, 1)), k2) ||
            !str_eq(json_string_value(json_array_get(last, 2)), key))
            json_array_append_new(keys, json_pack("[i, s, s]", kind, k2, key));
        char start[11];
        start_of(key, start);
        DlClock c;
        deadline_eval(s->cal, start, wd, db_col_text(st, 3), s->today, &c);
        int64_t n = db_col_int(st, 4);
        s->counts[kind][c.state] += n;
        if (c.provisional && c.deadline[0] && c.state != DL_DONE_ON_TIME && c.state != DL_DONE_LATE)
            s->prov += n;
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        json_decref(keys);
        return DB_ERR;
    }
    Stmt *ins = db_prepare(s->db, "INSERT INTO dl_start(kind, k2, s, deadline, open_state, prov) "
                                  "VALUES (?, ?, ?, ?, ?, ?)");
    rc = ins ? DB_OK : DB_ERR;
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k) {
        if (rc != DB_OK) break;
        int kind = (int)json_integer_value(json_array_get(k, 0)), none;
        const char *k2 = json_string_value(json_array_get(k, 1)),
                   *key = json_string_value(json_array_get(k, 2));
        char start[11];
        start_of(key, start);
        DlClock c;
        deadline_eval(s->cal, start, workdays_of(s, kind, k2, &none), NULL, s->today, &c);
        db_reset(ins);
        db_bind_int(ins, 1, kind);
        db_bind_text(ins, 2, k2);
        db_bind_text(ins, 3, key);
        db_bind_text(ins, 4, c.deadline[0] ? c.deadline : NULL);
        db_bind_int(ins, 5, c.state);
        db_bind_int(ins, 6, c.provisional && c.deadline[0]);
        if (db_step(ins) != DB_DONE) rc = DB_ERR;
    }
    if (ins) db_finalize(ins);
    json_decref(keys);
    return rc;
}

/* Fills dl_start and the counts once per set; DB_OK, or DB_ERR with *err. */
static int ensure_filled(DlSet *s, char **err) {
    if (!s->filled) s->filled = fill_starts(s) == DB_OK ? 1 : -1;
    if (s->filled < 0) return fail_db(s, err), DB_ERR;
    return DB_OK;
}

/* The cache key of a question to the set: its scope and day, then `what` (a new string). */
static char *set_key(const DlSet *s, const char *what) {
    return xasprintf("deadline/%lld/%s/%s", (long long)s->scope, s->today, what);
}

/* The filter part of a key (a new string); the officer last, as it may hold any character. */
static char *filter_key(const DlFilter *f) {
    if (!f) return xstrdup("all");
    return xasprintf("%u/%d/%lld/%s%s", f->states, f->kind, (long long)f->dept_id,
                     f->officer ? "o:" : "-", f->officer ? f->officer : "");
}

DlSet *deadline_set_open(Db *db, const Calendar *cal, int64_t scope_org, const char *today,
                         char **err) {
    (void)err; /* the clocks are read at the first question not answered from the cache */
    DlSet *s = xcalloc(1, sizeof *s);
    s->db = db;
    s->cal = cal;
    s->scope = scope_org;
    snprintf(s->today, sizeof s->today, "%s", today ? today : "");
    s->pdays = dl_penalty_days(db);
    return s;
}

void deadline_set_free(DlSet *s) {
    if (!s) return;
    json_decref(s->pdays);
    free(s);
}

/* deadline_set_counts computed (ReadcacheFn; arg: the set). */
static json_t *counts_read(Db *db, void *arg, char **err) {
    (void)db;
    DlSet *s = arg;
    if (ensure_filled(s, err) != DB_OK) return NULL;
    return dl_counts_json((const long long(*)[DL_STATE_COUNT])s->counts, s->prov);
}

json_t *deadline_set_counts(DlSet *s, char **err) {
    char *key = set_key(s, "counts");
    json_t *out = readcache_get(s->db, key, counts_read, s, err);
    free(key);
    return out;
}

/* A question with a filter (ReadcacheFn arguments). */
typedef struct Ask {
    DlSet *s;
    const DlFilter *f;
    int64_t offset, limit;
    const char *by;
} Ask;

/* The one open state (DL_PENDING to DL_OVERDUE) f asks for, read through OPEN_CTE; -1 when it asks
 * for another set of states. */
static int open_state_of(const DlFilter *f) {
    for (int st = DL_PENDING; f && st <= DL_OVERDUE; st++)
        if ((f->states & ((1u << DL_STATE_COUNT) - 1)) == 1u << st) return st;
    return -1;
}

/* Binds f's parameters (?1 to ?5) for FILTER_SQL, or OPEN_FILTER_SQL when open >= 0. */
static void bind_filter(Stmt *st, const DlSet *s, const DlFilter *f, int open) {
    db_bind_int(st, 1, s->scope);
    int64_t states = f ? (int64_t)(f->states & ((1u << DL_STATE_COUNT) - 1)) : 0;
    db_bind_int(st, 2, open >= 0 ? (int64_t)open : states);
    db_bind_int(st, 3, f ? f->kind : -1);
    db_bind_text(st, 4, f ? f->officer : NULL);
    db_bind_int(st, 5, f ? f->dept_id : 0);
}

/* deadline_set_count computed as a JSON integer (ReadcacheFn; arg: an Ask). */
static json_t *count_read(Db *db, void *arg, char **err) {
    (void)db;
    const Ask *a = arg;
    DlSet *s = a->s;
    if (ensure_filled(s, err) != DB_OK) return NULL;
    int open = open_state_of(a->f);
    Stmt *st = db_prepare(s->db, open >= 0 ? OPEN_CTE "SELECT count(*) FROM x" OPEN_FILTER_SQL
                                           : STATED_CTE "SELECT count(*) FROM x" FILTER_SQL);
    if (!st) return fail_db(s, err);
    bind_filter(st, s, a->f, open);
    int rc = db_step(st);
    json_int_t n = rc == DB_ROW ? (json_int_t)db_col_int(st, 0) : 0;
    db_finalize(st);
    if (rc != DB_ROW) return fail_db(s, err);
    return json_integer(n);
}

int deadline_set_count(DlSet *s, const DlFilter *f, int64_t *n, char **err) {
    Ask a = {s, f, 0, 0, NULL};
    char *fk = filter_key(f), *what = xasprintf("count/%s", fk), *key = set_key(s, what);
    json_t *v = readcache_get(s->db, key, count_read, &a, err);
    free(fk);
    free(what);
    free(key);
    *n = v ? (int64_t)json_integer_value(v) : 0;
    json_decref(v);
    return v ? DB_OK : DB_ERR;
}

/* The columns a row of a page is built from (rows_add), in this order. */
#define PAGE_COLUMNS                                                                               \
    "kind, k2, s, done, task_id, task_code, task_name, org_id, org_name, subject, target_code, "   \
    "record_id, followup_id, draw_id, dept_id, dept_name, detail"

/* Builds the clock object of every row of st (PAGE_COLUMNS) and appends it to out. DB_DONE, or the
 * step's error. */
static int rows_add(DlSet *s, Stmt *st, json_t *out) {
    Collect c = {s->db, s->cal, s->today, NULL, out, NULL};
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int kind = (int)db_col_int(st, 0), none;
        int64_t tid = db_col_int(st, 4), rid = db_col_int(st, 11), fid = db_col_int(st, 12);
        int wd = workdays_of(s, kind, db_col_text(st, 1), &none);
        char start[11];
        start_of(db_col_text(st, 2), start);
        const char *target = db_col_text(st, 10);
        json_t *officers = json_array();
        if (kind == DL_ENTRY) {
            if (!c.members) c.members = dl_members_prepare(s->db);
            if (!c.members) {
                json_decref(officers);
                rc = DB_ERR;
                break;
            }
            json_decref(officers);
            officers = dl_group_officers(&c, db_col_int(st, 13), target);
        }
        char *link = kind >= DL_PENALTY ? xasprintf("/followups/%lld", (long long)fid)
                     : rid              ? xasprintf("/records/%lld", (long long)rid)
                                        : xasprintf("/tasks/%lld", (long long)tid);
        dl_add_clock(&c, (DlKind)kind, start, wd, db_col_text(st, 3), tid, db_col_text(st, 5),
                     db_col_text(st, 6), db_col_int(st, 7), db_col_text(st, 8), db_col_text(st, 9),
                     target, rid, fid, db_col_text(st, 16), officers,
                     dl_dept_list(db_col_int(st, 14), db_col_text(st, 15)), link);
        free(link);
    }
    if (c.members) db_finalize(c.members);
    return rc;
}

/* deadline_set_page computed (ReadcacheFn; arg: an Ask). */
static json_t *page_read(Db *db, void *arg, char **err) {
    (void)db;
    const Ask *a = arg;
    DlSet *s = a->s;
    int64_t offset = a->offset, limit = a->limit;
    if (ensure_filled(s, err) != DB_OK) return NULL;
    int open = open_state_of(a->f);
    Stmt *st = db_prepare(
        s->db, open >= 0 ? OPEN_CTE "SELECT " PAGE_COLUMNS " FROM x" OPEN_FILTER_SQL ORDER_SQL
                                    " LIMIT ?6 OFFSET ?7"
                         : STATED_CTE "SELECT " PAGE_COLUMNS " FROM x" FILTER_SQL ORDER_SQL
                                      " LIMIT ?6 OFFSET ?7");
    if (!st) return fail_db(s, err);
    bind_filter(st, s, a->f, open);
    db_bind_int(st, 6, limit < 0 ? INT64_MAX : limit);
    db_bind_int(st, 7, offset < 0 ? 0 : offset);
    json_t *out = json_array();
    int rc = rows_add(s, st, out);
    db_finalize(st);
    if (rc != DB_DONE) {
        json_decref(out);
        return fail_db(s, err);
    }
    return out;
}

json_t *deadline_set_page(DlSet *s, const DlFilter *f, int64_t offset, int64_t limit, char **err) {
    Ask a = {s, f, offset, limit, NULL};
    char *fk = filter_key(f),
         *what = xasprintf("page/%lld/%lld/%s", (long long)offset, (long long)limit, fk),
         *key = set_key(s, what);
    json_t *out = readcache_get(s->db, key, page_read, &a, err);
    free(fk);
    free(what);
    free(key);
    return out;
}

/* The question of deadline_set_pages (ReadcacheFn arguments). */
typedef struct Pages {
    DlSet *s;
    const DlState *states;
    const int64_t *offsets;
    size_t n;
    int64_t limit;
} Pages;

/* deadline_set_pages computed: each list a page of its state's clocks in the list's order (an
 * open state read through OPEN_CTE, so a list reads only its state's clocks and keeps the first
 * rows while it reads; ReadcacheFn; arg: Pages). */
static json_t *pages_read(Db *db, void *arg, char **err) {
    (void)db;
    const Pages *p = arg;
    DlSet *s = p->s;
    if (ensure_filled(s, err) != DB_OK) return NULL;
    json_t *out = json_array();
    for (size_t i = 0; i < p->n; i++) {
        int open = p->states[i] <= DL_OVERDUE;
        Stmt *st = db_prepare(
            s->db, open ? OPEN_CTE "SELECT " PAGE_COLUMNS " FROM x" ORDER_SQL " LIMIT ?3 OFFSET ?4"
                        : STATED_CTE "SELECT " PAGE_COLUMNS " FROM x WHERE st = ?2" ORDER_SQL
                                     " LIMIT ?3 OFFSET ?4");
        if (!st) {
            json_decref(out);
            return fail_db(s, err);
        }
        db_bind_int(st, 1, s->scope);
        db_bind_int(st, 2, (int64_t)p->states[i]);
        db_bind_int(st, 3, p->limit);
        db_bind_int(st, 4, p->offsets[i] > 0 ? p->offsets[i] : 0);
        json_t *rows = json_array();
        int rc = rows_add(s, st, rows);
        db_finalize(st);
        json_array_append_new(out, rows);
        if (rc != DB_DONE) {
            json_decref(out);
            return fail_db(s, err);
        }
    }
    return out;
}

json_t *deadline_set_pages(DlSet *s, const DlState *states, const int64_t *offsets, size_t n,
                           int64_t limit, char **err) {
    if (n < 1 || n > 3 || limit < 0) {
        set_err(err, "deadline_set_pages: 1 to 3 lists, a limit of 0 or more");
        return NULL;
    }
    Pages p = {s, states, offsets, n, limit};
    Buf what;
    buf_init(&what);
    buf_printf(&what, "pages/%lld", (long long)limit);
    for (size_t i = 0; i < n; i++)
        buf_printf(&what, "/%d:%lld", (int)states[i], (long long)offsets[i]);
    char *key = set_key(s, what.data);
    buf_free(&what);
    json_t *out = readcache_get(s->db, key, pages_read, &p, err);
    free(key);
    return out;
}

/* deadline_set_overdue_by computed (ReadcacheFn; arg: an Ask with by). */
static json_t *overdue_read(Db *db, void *arg, char **err) {
    (void)db;
    DlSet *s = ((const Ask *)arg)->s;
    int by_officer = str_eq(((const Ask *)arg)->by, "officer");
    if (ensure_filled(s, err) != DB_OK) return NULL;
    /* officer: the result entry clocks of the groups (officers only: deadline_collect's
     * officers); dept: every clock with a responsible dept, the org of its first clock */
    Stmt *st = db_prepare(
        s->db, by_officer ? OPEN_CTE
                   "SELECT m.member_code, coalesce(f.name, m.member_code), coalesce(dp.name, "
                   "''), x.kind, count(*) FROM x JOIN draw_member m ON m.draw_id = x.draw_id "
                   "AND m.target_code = x.target_code AND m.status = '在组' AND m.role <> "
                   "'专家' JOIN officer f ON f.cert_no = m.member_code LEFT JOIN dept dp ON "
                   "dp.id = f.dept_id WHERE x.st = 3 AND x.kind = 1 GROUP BY m.member_code, "
                   "f.name, dp.name, x.kind"
                          : OPEN_CTE
                   ", o AS (SELECT dept_id, dept_name, kind, FIRST_VALUE(org_name) OVER "
                   "(PARTITION BY dept_id" ORDER_SQL ") AS first_org FROM x WHERE st = 3 AND "
                   "dept_id <> 0 AND dept_name IS NOT NULL) SELECT dept_id, max(dept_name), "
                   "max(first_org), kind, count(*) FROM o GROUP BY dept_id, kind");
    if (!st) return fail_db(s, err);
    db_bind_int(st, 1, s->scope);
    db_bind_int(st, 2, DL_OVERDUE);
    json_t *groups = json_object(); /* key → group with per-kind counts n0..n5 */
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        char key[64];
        if (by_officer)
            snprintf(key, sizeof key, "%s", db_col_text(st, 0) ? db_col_text(st, 0) : "");
        else
            snprintf(key, sizeof key, "%lld", (long long)db_col_int(st, 0));
        json_t *g = json_object_get(groups, key);
        if (!g) {
            g = by_officer ? json_pack("{s:s, s:s, s:s, s:s}", "key", key, "cert_no", key, "name",
                                       db_col_text(st, 1), "dept", db_col_text(st, 2))
                           : json_pack("{s:s, s:I, s:s, s:s}", "key", key, "id",
                                       (json_int_t)db_col_int(st, 0), "name", db_col_text(st, 1),
                                       "org_name", db_col_text(st, 2) ? db_col_text(st, 2) : "");
            json_object_set_new(g, "count", json_integer(0));
            json_object_set_new(g, "per_kind", json_object());
            json_object_set_new(groups, key, g);
        }
        int64_t kind = db_col_int(st, 3), n = db_col_int(st, 4);
        if (kind < 0 || kind >= DL_KIND_COUNT) continue;
        json_object_set_new(json_object_get(g, "per_kind"), deadline_kind_label((DlKind)kind),
                            json_integer(n));
        json_object_set_new(g, "count",
                            json_integer(json_integer_value(json_object_get(g, "count")) + n));
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        json_decref(groups);
        return fail_db(s, err);
    }
    return dl_groups_sorted(groups);
}

json_t *deadline_set_overdue_by(DlSet *s, const char *by, char **err) {
    if (!str_eq(by, "officer") && !str_eq(by, "dept")) {
        set_err(err, "汇总方式应为 officer 或 dept");
        return NULL;
    }
    Ask a = {s, NULL, 0, 0, by};
    char *what = xasprintf("overdue/%s", by), *key = set_key(s, what);
    json_t *out = readcache_get(s->db, key, overdue_read, &a, err);
    free(what);
    free(key);
    return out;
}

int deadline_clocks_rebuild(Db *db) {
    return db_exec(db, "DELETE FROM deadline_clock", NULL) != DB_OK ||
                   db_exec(db, "INSERT INTO deadline_clock SELECT * FROM deadline_clock_joint",
                           NULL) != DB_OK ||
                   db_exec(db, "INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn",
                           NULL) != DB_OK ||
                   db_exec(db, "INSERT INTO deadline_clock SELECT * FROM deadline_clock_followup",
                           NULL) != DB_OK
               ? DB_ERR
               : DB_OK;
}

int deadline_clocks_refresh_draw(Db *db, int64_t draw_id) {
    return db_exec(db, "DELETE FROM deadline_clock WHERE draw_id = ?", "i", draw_id) != DB_OK ||
                   db_exec(db,
                           "INSERT INTO deadline_clock SELECT * FROM deadline_clock_drawn "
                           "WHERE draw_id = ?",
                           "i", draw_id) != DB_OK
               ? DB_ERR
               : DB_OK;
}
