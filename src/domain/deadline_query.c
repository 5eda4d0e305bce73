/* deadline_query.c - the SQL collector of the deadline clocks (deadline.h, DlSet): counts per kind
 * and state, pages of clocks and the overdue groups, without building a JSON object per clock.
 *
 * How: every clock is a row of the CTE `ck` (one SELECT per kind, the same rows, start and done
 * dates deadline_collect reads). The first question not answered from the cache reads them once
 * into the connection's temporary table dl_clock (every later question of the request reads
 * those rows, not the drawn targets again), grouped by kind, option, start and done day, and
 * evaluates each group with deadline_eval: that gives the counts. A clock's
 * deadline depends only on its kind, its working days and its start date, so each distinct
 * (kind, option, start) is kept with its deadline, the state of an open clock on `today` and
 * whether it is provisional in the connection's temporary table dl_start. The state of a clock is
 * then decided in SQL by comparing dates, as deadline_eval does: no deadline → 期限未知; done →
 * done <= deadline 按时完成, else 逾期完成; not done → the open state of its start. Rows are built
 * (labels, officers, links) by dl_add_clock, the builder deadline_collect uses, for the rows of a
 * page only.
 *
 * The dashboard's three lists (overdue, due today, due soon) are one question (deadline_set_pages):
 * one pass numbers each state's clocks in the list's order (row_number over the state) and keeps
 * the rows of the pages asked for, instead of one sorted pass per list.
 *
 * Every answer (counts, a count, a page, the overdue groups) is kept while the data version and
 * the day are the same (readcache.h, keyed by scope, day and the question): a dashboard view then
 * reads no clock. dl_start is filled only when an answer is not kept.
 *
 * Invariant: the states, counts and order equal deadline_collect's for every clock (tests/unit/
 * test_deadline.c compares them). Callers: src/web/page_dash.c. Reads only (the temporary table is
 * the connection's scratch space). */
#include "deadline_impl.h"

#include "../core/util.h"
#include "readcache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The state numbers the SQL below spells out. */
_Static_assert(DL_DONE_ON_TIME == 4 && DL_DONE_LATE == 5 && DL_UNKNOWN == 6 && DL_ENTRY == 1,
               "deadline_query.c's SQL names these states by number");

/* Every clock of the scope ?1 (0: every org), one row each, read from the kept clocks
 * (deadline_clock, sql/060) with their names: kind, k2 (the disposal option of a penalty clock,
 * else ''), s (start: a date, or 'M' and the task's month_to before the check), done (NULL when
 * not done), task_id, task_code, task_name, org_id, org_name, subj (the joint dept's name, else
 * NULL: the target's shown name is looked up after the state is known), target_code, record_id,
 * followup_id, draw_id, dept_id, dept_name, detail, tie (a stable last sort key). The rows are
 * those deadline_collect builds (the views of sql/060 say how each is derived). */
#define CLOCKS_CTE                                                                                 \
    "WITH RECURSIVE sc(id) AS (SELECT ?1 UNION SELECT o2.id FROM org o2 JOIN sc ON o2.parent_id "  \
    "= sc.id), "                                                                                   \
    "ck(kind, k2, s, done, task_id, task_code, task_name, org_id, org_name, subj, "                \
    "target_code, record_id, followup_id, draw_id, dept_id, dept_name, detail, tie) AS ("          \
    "SELECT c.kind, c.k2, c.s, c.done, c.task_id, coalesce(t.code, ''), coalesce(t.name, ''), "    \
    "c.org_id, coalesce(o.name, ''), CASE WHEN c.kind = 0 THEN coalesce(dp.name, '') END, "        \
    "c.target_code, c.record_id, c.followup_id, c.draw_id, c.dept_id, dp.name, "                   \
    "coalesce(c.detail, rd.label, c.opt), c.tie FROM deadline_clock c JOIN task t ON t.id = "      \
    "c.task_id JOIN org o ON o.id = c.org_id LEFT JOIN dept dp ON dp.id = c.dept_id "              \
    "LEFT JOIN refdata rd ON rd.set_name = 'disposal_options' AND rd.code = c.opt "                \
    "WHERE ?1 = 0 OR c.org_id IN (SELECT id FROM sc)) "

/* The columns of ck, in order (dl_clock holds them after its scope). */
#define CLOCK_COLUMNS                                                                              \
    "kind, k2, s, done, task_id, task_code, task_name, org_id, org_name, subj, target_code, "      \
    "record_id, followup_id, draw_id, dept_id, dept_name, detail, tie"

/* The clocks of the scope ?1 kept by fill_starts in dl_clock, with their deadline (NULL: unknown),
 * provisional flag and state (st). */
#define STATED_CTE                                                                                 \
    "WITH x AS (SELECT ck.*, e.deadline AS deadline, e.prov AS prov, CASE WHEN e.deadline IS "     \
    "NULL "                                                                                        \
    "THEN 6 WHEN ck.done IS NOT NULL THEN CASE WHEN ck.done <= e.deadline THEN 4 ELSE 5 END "      \
    "ELSE e.open_state END AS st, coalesce(ck.subj, CASE WHEN g.kind = 'insured' OR "              \
    "coalesce(g.name, '') = '' THEN ck.target_code ELSE g.name END, '') AS subject FROM dl_clock " \
    "ck JOIN dl_start e ON e.kind = ck.kind AND e.k2 = ck.k2 AND e.s = ck.s LEFT JOIN target g "   \
    "ON "                                                                                          \
    "g.code = ck.target_code WHERE ck.scope = ?1) "

/* The filter of a DlFilter: ?2 states (0 all), ?3 kind (-1 all), ?4 officer (NULL all), ?5 dept
 * (0 all). */
#define FILTER_SQL                                                                                 \
    " WHERE (?2 = 0 OR ((?2 / CASE st WHEN 0 THEN 1 WHEN 1 THEN 2 WHEN 2 THEN 4 WHEN 3 THEN 8 "    \
    "WHEN 4 THEN 16 WHEN 5 THEN 32 ELSE 64 END) % 2) = 1) AND (?3 < 0 OR kind = ?3) "              \
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

/* The scope's clocks read once into the connection's temporary table dl_clock (the one pass over
 * the drawn targets, records and follow-ups; the lists, counts and overdue groups then read those
 * rows), then grouped by (kind, k2, s, done): each group evaluated with deadline_eval gives the
 * counts (as deadline_counts counts them), and each distinct (kind, k2, s) its row of dl_start. */
static int fill_starts(DlSet *s) {
    if (db_exec(s->db,
                "CREATE TEMP TABLE IF NOT EXISTS dl_start(kind INTEGER NOT NULL, k2 TEXT NOT NULL, "
                "s TEXT NOT NULL, deadline TEXT, open_state INTEGER NOT NULL, prov INTEGER NOT "
                "NULL, PRIMARY KEY (kind, k2, s))",
                NULL) != DB_OK ||
        db_exec(s->db, "DELETE FROM dl_start", NULL) != DB_OK ||
        db_exec(s->db,
                "CREATE TEMP TABLE IF NOT EXISTS dl_clock(scope BIGINT NOT NULL, kind INTEGER NOT "
                "NULL, k2 TEXT NOT NULL, s TEXT NOT NULL, done TEXT, task_id BIGINT, task_code "
                "TEXT, task_name TEXT, org_id BIGINT, org_name TEXT, subj TEXT, target_code TEXT, "
                "record_id BIGINT, followup_id BIGINT, draw_id BIGINT, dept_id BIGINT, dept_name "
                "TEXT, detail TEXT, tie BIGINT)",
                NULL) != DB_OK ||
        db_exec(s->db, "DELETE FROM dl_clock", NULL) != DB_OK ||
        db_exec(s->db,
                "INSERT INTO dl_clock(scope, " CLOCK_COLUMNS ") " CLOCKS_CTE
                "SELECT ?1, " CLOCK_COLUMNS " FROM ck",
                "i", s->scope) != DB_OK)
        return DB_ERR;
    Stmt *st = db_prepare(s->db, "SELECT kind, k2, s, done, count(*) FROM dl_clock GROUP BY kind, "
                                 "k2, s, done ORDER BY kind, k2, s");
    if (!st) return DB_ERR;
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

static void bind_filter(Stmt *st, const DlSet *s, const DlFilter *f) {
    db_bind_int(st, 1, s->scope);
    db_bind_int(st, 2, f ? f->states & ((1u << DL_STATE_COUNT) - 1) : 0);
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
    Stmt *st = db_prepare(s->db, STATED_CTE "SELECT count(*) FROM x" FILTER_SQL);
    if (!st) return fail_db(s, err);
    bind_filter(st, s, a->f);
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

/* Builds the clock object of every row of st (PAGE_COLUMNS first; with n > 1 the row's state as
 * the next column) and appends it to outs[i], where states[i] is the row's state (outs[0] when
 * n is 1). DB_DONE, or the step's error. */
static int rows_add(DlSet *s, Stmt *st, const int *states, size_t n, json_t **outs) {
    Collect c = {s->db, s->cal, s->today, NULL, outs[0], NULL};
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int kind = (int)db_col_int(st, 0), none;
        if (n > 1) {
            int state = (int)db_col_int(st, 17);
            c.out = NULL;
            for (size_t i = 0; i < n; i++)
                if (states[i] == state) c.out = outs[i];
            if (!c.out) continue;
        }
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
    Stmt *st = db_prepare(s->db, STATED_CTE "SELECT " PAGE_COLUMNS " FROM x" FILTER_SQL ORDER_SQL
                                            " LIMIT ?6 OFFSET ?7");
    if (!st) return fail_db(s, err);
    bind_filter(st, s, a->f);
    db_bind_int(st, 6, limit < 0 ? INT64_MAX : limit);
    db_bind_int(st, 7, offset < 0 ? 0 : offset);
    json_t *out = json_array();
    int rc = rows_add(s, st, NULL, 1, &out);
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

/* deadline_set_pages computed: one pass over the clocks numbers each state's rows in the list's
 * order and keeps those of the asked pages (ReadcacheFn; arg: Pages). */
static json_t *pages_read(Db *db, void *arg, char **err) {
    (void)db;
    const Pages *p = arg;
    DlSet *s = p->s;
    if (ensure_filled(s, err) != DB_OK) return NULL;
    Stmt *st = db_prepare(s->db, STATED_CTE
                          ", y AS (SELECT x.*, row_number() OVER (PARTITION BY st" ORDER_SQL
                          ") AS rn FROM x WHERE st = ?2 OR st = ?3 OR st = ?4) SELECT " PAGE_COLUMNS
                          ", st FROM y WHERE (st = ?2 AND rn > ?5 AND rn <= ?8) OR (st = ?3 AND "
                          "rn > ?6 AND rn <= ?9) OR (st = ?4 AND rn > ?7 AND rn <= ?10) ORDER BY "
                          "st, rn");
    if (!st) return fail_db(s, err);
    int states[3] = {-1, -1, -1};
    json_t *outs[3];
    db_bind_int(st, 1, s->scope);
    for (size_t i = 0; i < 3; i++) {
        if (i < p->n) states[i] = (int)p->states[i];
        db_bind_int(st, (int)i + 2, states[i]);
        int64_t from = i < p->n && p->offsets[i] > 0 ? p->offsets[i] : 0; /* rows after it */
        db_bind_int(st, (int)i + 5, from);
        db_bind_int(st, (int)i + 8, from + p->limit); /* the last row numbered */
        outs[i] = json_array();
    }
    int rc = rows_add(s, st, states, 3, outs);
    db_finalize(st);
    json_t *out = json_array();
    for (size_t i = 0; i < 3; i++) {
        if (i < p->n)
            json_array_append_new(out, outs[i]);
        else
            json_decref(outs[i]);
    }
    if (rc != DB_DONE) {
        json_decref(out);
        return fail_db(s, err);
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
        s->db, by_officer ? STATED_CTE
                   "SELECT m.member_code, coalesce(f.name, m.member_code), coalesce(dp.name, "
                   "''), x.kind, count(*) FROM x JOIN draw_member m ON m.draw_id = x.draw_id "
                   "AND m.target_code = x.target_code AND m.status = '在组' AND m.role <> "
                   "'专家' JOIN officer f ON f.cert_no = m.member_code LEFT JOIN dept dp ON "
                   "dp.id = f.dept_id WHERE x.st = 3 AND x.kind = 1 GROUP BY m.member_code, "
                   "f.name, dp.name, x.kind"
                          : STATED_CTE
                   ", o AS (SELECT dept_id, dept_name, kind, FIRST_VALUE(org_name) OVER "
                   "(PARTITION BY dept_id" ORDER_SQL ") AS first_org FROM x WHERE st = 3 AND "
                   "dept_id <> 0 AND dept_name IS NOT NULL) SELECT dept_id, max(dept_name), "
                   "max(first_org), kind, count(*) FROM o GROUP BY dept_id, kind");
    if (!st) return fail_db(s, err);
    db_bind_int(st, 1, s->scope);
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
