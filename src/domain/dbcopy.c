/* dbcopy.c - moving a county between databases, `spotcheck db copy` (dbcopy.h). Called by
 * src/cli/cmd_db.c. One transaction on the destination; the source is only read (a copy out
 * adds one audit row to it after the destination committed).
 *
 * What is copied: the tables of TABLES below, in that order (parents before children), each row
 * with every column as it is, except the columns that hold another row's id (Ref), which are
 * rewritten. The owner of a row (owner_col → owner) ties it to an org: a copy out takes the rows
 * whose chain of owners ends in the org's subtree, and the counts compare the same sets.
 * Left out: the tables of NOT_COPIED, each with its reason (sessions, login attempts, migrations,
 * the data version, target_count, deadline_clock and the search indexes, kept by the
 * destination's own triggers or indexes, the audit log: see below); a source table in neither list
 * refuses the copy, so a table a later migration adds cannot be left behind unnoticed. Reference
 * data and the pseudonym key only go out (into the new database, which has none), never in: the
 * province's reference data stay as they are.
 *
 * Ids. Copy in: every table's id becomes (source id + the destination table's max(id) before the
 * copy), so the copied rows keep their order, never meet an id the destination used, and every
 * reference is rewritten with the referred table's offset. Two tables are matched by code
 * instead: org (an org whose code the destination has is that org, when it owns no data in the
 * source, e.g. the city above a county; owning data, it is a clash) and tag (one catalogue per
 * database: a tag whose code exists is the destination's). entity_version.entity_id follows its
 * entity's table. Copy out: into an empty database, so every id is kept.
 * Not rewritten: JSON snapshots of history (entity_version.data, record_version.data, the audit
 * rows' before/after, published_json) keep the ids the source had when they were written; draws,
 * records and officers are linked by codes (task_code, target_code, certificate numbers), so draw
 * files, records and notices are copied byte for byte and keep their SHA-256.
 *
 * Record files (photos, videos, signatures) live on disk, named by their SHA-256: copy_files
 * copies the file of every record_file row to copy into the destination's files directory before
 * the rows are written, each checked by size and SHA-256; a missing or corrupt one refuses the
 * copy. A failed copy leaves at most files no row refers to.
 *
 * Draws are written the way the append-only triggers allow (sql/018): frozen first, its record,
 * then drawn, then superseded, each step an UPDATE the trigger accepts.
 *
 * The audit log: the source's rows cannot join the destination's chain; they go to audit_archive
 * (sql/054, audit_archive.h) as they were, and the copy's audit row lists their summaries. */
#include "dbcopy.h"

#include "../core/strmap.h"
#include "audit.h"
#include "audit_archive.h"
#include "audit_state.h"
#include "codes.h"
#include "draw_sha256.h"
#include "draw_store.h"
#include "outcome.h"
#include "record.h"
#include "uow.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A column holding the id of a row of `table`. */
typedef struct Ref {
    const char *col, *table;
} Ref;

typedef struct Table {
    const char *name;
    const char *order;     /* ORDER BY: the primary key */
    int has_id;            /* an `id` column, remapped */
    const char *owner_col; /* the column naming the owner row (NULL: org, tag, entity_version) */
    const char *owner;     /* the owner's table */
    const char *owner_key; /* the owner's column owner_col matches */
    Ref refs[5];
    int out_only; /* copied out only: the province's reference data stay as they are */
} Table;

#define OWNED(col, table) col, table, "id"
static const Table TABLES[] = {
    {"org", "id", 1, NULL, NULL, NULL, {{"parent_id", "org"}}},
    {"tag", "id", 1, NULL, NULL, NULL, {{"parent_id", "tag"}}},
    {"dept", "id", 1, OWNED("org_id", "org"), {{"org_id", "org"}}},
    {"officer", "id", 1, OWNED("org_id", "org"), {{"org_id", "org"}, {"dept_id", "dept"}}},
    {"officer_tag",
     "officer_id, tag_id",
     0,
     OWNED("officer_id", "officer"),
     {{"officer_id", "officer"}, {"tag_id", "tag"}}},
    {"expert", "id", 1, OWNED("org_id", "org"), {{"org_id", "org"}}},
    {"item", "id", 1, OWNED("org_id", "org"), {{"org_id", "org"}, {"dept_id", "dept"}}},
    {"target", "id", 1, OWNED("org_id", "org"), {{"org_id", "org"}}},
    {"target_tag",
     "target_id, tag_id",
     0,
     OWNED("target_id", "target"),
     {{"target_id", "target"}, {"tag_id", "tag"}}},
    {"account",
     "id",
     1,
     OWNED("org_id", "org"),
     {{"org_id", "org"}, {"officer_id", "officer"}, {"dept_id", "dept"}}},
    {"plan", "id", 1, OWNED("org_id", "org"), {{"org_id", "org"}}},
    {"plan_version", "id", 1, OWNED("plan_id", "plan"), {{"plan_id", "plan"}}},
    {"plan_task",
     "id",
     1,
     OWNED("version_id", "plan_version"),
     {{"version_id", "plan_version"}, {"origin_id", "plan_task"}}},
    {"plan_adhoc", "id", 1, OWNED("org_id", "org"), {{"org_id", "org"}}},
    {"task",
     "id",
     1,
     OWNED("org_id", "org"),
     {{"org_id", "org"},
      {"plan_task_id", "plan_task"},
      {"adhoc_id", "plan_adhoc"},
      {"lead_dept_id", "dept"}}},
    {"task_scheme", "task_id", 0, OWNED("task_id", "task"), {{"task_id", "task"}}},
    {"task_joint",
     "task_id, dept_id",
     0,
     OWNED("task_id", "task"),
     {{"task_id", "task"}, {"dept_id", "dept"}}},
    {"task_ceremony", "task_id, draw_no", 0, OWNED("task_id", "task"), {{"task_id", "task"}}},
    /* before the draws: the trigger task_conflict_before_freeze refuses one after the freeze */
    {"task_conflict", "id", 1, OWNED("task_id", "task"), {{"task_id", "task"}}},
    {"task_redraw", "id", 1, OWNED("task_id", "task"), {{"task_id", "task"}}},
    {"draw", "id", 1, "task_code", "task", "code", {{"previous_id", "draw"}}},
    {"draw_record", "draw_id", 0, OWNED("draw_id", "draw"), {{"draw_id", "draw"}}},
    {"draw_dice", "draw_id", 0, OWNED("draw_id", "draw"), {{"draw_id", "draw"}}},
    {"draw_event", "draw_id, seq", 0, OWNED("draw_id", "draw"), {{"draw_id", "draw"}}},
    {"draw_exclusion", "draw_id, target_code", 0, OWNED("draw_id", "draw"), {{"draw_id", "draw"}}},
    {"draw_file", "id", 1, OWNED("draw_id", "draw"), {{"draw_id", "draw"}}},
    {"draw_member",
     "draw_id, target_code, member_code",
     0,
     OWNED("draw_id", "draw"),
     {{"draw_id", "draw"}}},
    {"draw_salt", "draw_id", 0, OWNED("draw_id", "draw"), {{"draw_id", "draw"}}},
    {"draw_skip", "draw_id, target_code, seq", 0, OWNED("draw_id", "draw"), {{"draw_id", "draw"}}},
    {"draw_target", "draw_id, position", 0, OWNED("draw_id", "draw"), {{"draw_id", "draw"}}},
    {"draw_token", "draw_id, token", 0, OWNED("draw_id", "draw"), {{"draw_id", "draw"}}},
    {"draw_substitution",
     "id",
     1,
     OWNED("task_id", "task"),
     {{"task_id", "task"}, {"draw_id", "draw"}}},
    {"record",
     "id",
     1,
     OWNED("org_id", "org"),
     {{"org_id", "org"},
      {"task_id", "task"},
      {"draw_id", "draw"},
      {"target_id", "target"},
      {"signature_file_id", "record_file"}}},
    {"record_event", "id", 1, OWNED("record_id", "record"), {{"record_id", "record"}}},
    {"record_file", "id", 1, OWNED("record_id", "record"), {{"record_id", "record"}}},
    {"record_item",
     "record_id, position",
     0,
     OWNED("record_id", "record"),
     {{"record_id", "record"}, {"dept_id", "dept"}}},
    {"record_revisit",
     "id",
     1,
     OWNED("record_id", "record"),
     {{"record_id", "record"}, {"org_id", "org"}}},
    {"record_version",
     "record_id, version",
     0,
     OWNED("record_id", "record"),
     {{"record_id", "record"}}},
    {"record_violation", "id", 1, OWNED("record_id", "record"), {{"record_id", "record"}}},
    {"followup", "id", 1, OWNED("org_id", "org"), {{"org_id", "org"}, {"record_id", "record"}}},
    {"followup_version",
     "followup_id, version",
     0,
     OWNED("followup_id", "followup"),
     {{"followup_id", "followup"}}},
    {"transfer",
     "id",
     1,
     OWNED("followup_id", "followup"),
     {{"followup_id", "followup"}, {"org_id", "org"}}},
    {"credit_event",
     "id",
     1,
     OWNED("target_id", "target"),
     {{"target_id", "target"}, {"record_id", "record"}, {"followup_id", "followup"}}},
    {"notice",
     "id",
     1,
     OWNED("org_id", "org"),
     {{"org_id", "org"}, {"task_id", "task"}, {"draw_id", "draw"}, {"replaces_id", "notice"}}},
    /* the heads a city recorded of its counties (sql/057): the county's, whoever recorded them */
    {"anchor_head",
     "id",
     1,
     OWNED("org_id", "org"),
     {{"org_id", "org"}, {"recorder_org_id", "org"}}},
    {"entity_version", "id", 1, NULL, NULL, NULL, {{NULL, NULL}}, 0},
    {"refdata", "set_name, code", 0, NULL, NULL, NULL, {{NULL, NULL}}, 1},
    {"refdata_set", "set_name", 0, NULL, NULL, NULL, {{NULL, NULL}}, 1},
};
#undef OWNED
#define NTABLES (sizeof TABLES / sizeof TABLES[0])

/* The tables deliberately left out, each with its reason. A source table in neither list refuses
 * the copy (check_tables): a table a later migration adds must be classified here or in TABLES. */
typedef struct NotCopied {
    const char *name, *reason;
} NotCopied;
static const NotCopied NOT_COPIED[] = {
    {"session", "login sessions belong to the server that made them"},
    {"login_attempt", "login throttling, per server"},
    {"schema_migrations", "each database's own migrations (same_schema compares them)"},
    {"public_version", "the data version of the public pages: bumped by the copy's audit row"},
    {"meta", "per database keys; the pseudonym key goes out in plan_out"},
    {"audit_log", "the source's chain goes to audit_archive (copy_audit)"},
    {"audit_archive", "the subtree's archived chains are brought along by copy_audit"},
    {"target_count", "kept by triggers on target (sql/058): copying it would count twice"},
    {"deadline_clock", "kept by triggers on the rows copied (sql/060): copying it would double"},
    {"index_pending",
     "indexes a bulk load left for after its commit (sql/064): built at the source's "
     "open, and each database builds its own"},
    {"target_search", "search index (sql/033), rebuilt by db_search_resume"},
    {"target_search_config", "search index shadow table"},
    {"target_search_data", "search index shadow table"},
    {"target_search_idx", "search index shadow table"},
    {"target_search_docsize", "search index shadow table"},
    {"target_search_content", "search index shadow table"},
    {"officer_search", "search index (sql/033), rebuilt by db_search_resume"},
    {"officer_search_config", "search index shadow table"},
    {"officer_search_data", "search index shadow table"},
    {"officer_search_idx", "search index shadow table"},
    {"officer_search_docsize", "search index shadow table"},
    {"officer_search_content", "search index shadow table"},
};

/* Refuses a source with a table neither copied nor left out on purpose, naming it. */
static int check_tables(Db *src, char **why) {
    char **names = NULL;
    size_t n = 0;
    if (db_table_names(src, &names, &n) != DB_OK)
        return set_err(why, "读取源库的表失败: %s", db_errmsg(src)), SC_ERR;
    Buf unknown;
    buf_init(&unknown);
    size_t nunknown = 0;
    for (size_t i = 0; i < n; i++) {
        int known = 0;
        for (size_t t = 0; t < NTABLES && !known; t++)
            known = !strcmp(TABLES[t].name, names[i]);
        for (size_t k = 0; k < sizeof NOT_COPIED / sizeof NOT_COPIED[0] && !known; k++)
            known = !strcmp(NOT_COPIED[k].name, names[i]);
        if (!known) buf_printf(&unknown, "%s%s", nunknown++ ? "、" : "", names[i]);
    }
    db_table_names_free(names, n);
    int rc = SC_OK;
    if (nunknown)
        rc = SC_INVALID, set_err(why,
                                 "源库中有 %zu 个表未归入迁移范围: %s。本版 spotcheck 不知道这些表"
                                 "是否应迁移，未写入任何数据（见 src/domain/dbcopy.c 的 TABLES "
                                 "与 NOT_COPIED）",
                                 nunknown, unknown.data);
    buf_free(&unknown);
    return rc;
}
enum { T_ORG = 0, T_TAG = 1 };

/* The unique values that may not meet the same value in the destination (copy in). */
typedef struct Unique {
    const char *table, *col, *label, *where;
    int lower; /* compared case-blind (usernames) */
    int mask;  /* personal data: listed masked */
    int scan;  /* no index on it: the destination's values read once into a map */
} Unique;
static const Unique UNIQUES[] = {
    {"account", "username", "账号", NULL, 1, 0},
    {"dept", "code", "科室代码", NULL, 0, 0},
    {"item", "code", "抽查事项编码", NULL, 0, 0},
    {"officer", "cert_no", "执法证号", NULL, 0, 0},
    {"expert", "code", "专家编码", NULL, 0, 0},
    {"target", "code", "检查对象编码", NULL, 0, 0},
    {"target", "uscc", "统一社会信用代码", "uscc <> ''", 0, 0, 1},
    {"target", "id_number", "参保人身份证号", "kind = 'insured' AND id_number IS NOT NULL", 0, 1},
    {"plan", "number", "抽查计划编号", NULL, 0, 0},
    {"plan_adhoc", "code", "临时任务编号", NULL, 0, 0},
    {"task", "code", "抽查任务编号", NULL, 0, 0},
    {"draw", "task_code", "抽取记录的任务编号", NULL, 0, 0},
};
#define CLASH_LIST_MAX 20 /* values listed per kind; the count says how many there are */

/* Per table: the id offset, the explicit map (org, tag), the source ids of the rows written. */
typedef struct TState {
    int64_t off;
    StrMap *map;  /* old id → new id, for org and tag */
    int64_t *ids; /* source ids of the rows written, ascending */
    size_t nids, cap;
    int64_t written; /* rows written */
} TState;

typedef struct Copy {
    Db *src, *dst;
    int out;                      /* a copy out (ids kept, rows filtered by owner) */
    int64_t *src_orgs, *dst_orgs; /* the orgs whose data is copied, in each database */
    size_t norgs;
    TState st[NTABLES];
    StrMap *write_org, *write_tag; /* the org and tag rows to write (the others are matched) */
    Buf problems;                  /* references out of the copied set (copy out) */
    size_t nproblems;
    const DbCopyFiles *files;
    char **why;
} Copy;

static int table_index(const char *name) {
    for (size_t i = 0; i < NTABLES; i++)
        if (!strcmp(TABLES[i].name, name)) return (int)i;
    return -1;
}

static void ids_push(TState *s, int64_t id) {
    if (s->nids == s->cap) s->ids = xrealloc(s->ids, (s->cap = s->cap ? 2 * s->cap : 256) * 8);
    s->ids[s->nids++] = id;
}

static int ids_has(const TState *s, int64_t id) {
    size_t lo = 0, hi = s->nids;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->ids[mid] == id) return 1;
        if (s->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int map_get(StrMap *m, int64_t old, int64_t *v) {
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)old);
    return strmap_get(m, key, v);
}
static void map_put(StrMap *m, int64_t old, int64_t v) {
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)old);
    strmap_put(m, key, v);
}

/* The new id of row `old` of table r, referred to from table t; 0 when it is not copied (a
 * reference out of a copy out's set: noted in c->problems). */
static int64_t map_ref(Copy *c, int t, int r, const char *col, int64_t old) {
    TState *s = &c->st[r];
    int64_t v;
    if (s->map) {
        if (map_get(s->map, old, &v)) return v;
    } else if (!c->out || r > t || ids_has(s, old)) {
        return old + s->off;
    }
    if (c->nproblems++ < CLASH_LIST_MAX)
        buf_printf(&c->problems, "%s 的 %s 指向不在迁出范围内的 %s 第 %lld 行\n", TABLES[t].name,
                   col, TABLES[r].name, (long long)old);
    return 0;
}

/* "?, ?, …" for n values. */
static void placeholders(Buf *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        buf_puts(b, i ? ", ?" : "?");
}

/* The condition selecting table t's rows owned by the n orgs bound first (one org list). */
static void owner_filter(int t, Buf *sql, size_t n) {
    const Table *T = &TABLES[t];
    if (!strcmp(T->owner, "org")) {
        buf_printf(sql, "%s IN (", T->owner_col);
        placeholders(sql, n);
        buf_putc(sql, ')');
        return;
    }
    buf_printf(sql, "%s IN (SELECT %s FROM %s WHERE ", T->owner_col, T->owner_key, T->owner);
    owner_filter(table_index(T->owner), sql, n);
    buf_putc(sql, ')');
}

static void bind_ids(Stmt *st, const int64_t *ids, size_t n, int from) {
    for (size_t i = 0; i < n; i++)
        db_bind_int(st, from + (int)i, ids[i]);
}

/* An INSERT for the columns of a source row, prepared at its first row. */
/* One value of a row held for a multi-row INSERT: NULL, an integer or a text (owned). */
typedef struct Cell {
    int kind; /* 0 NULL, 1 integer, 2 text */
    int64_t i;
    char *s;
} Cell;

/* Parameters per multi-row INSERT: far below SQLite's and PostgreSQL's limits, and a few
 * hundred rows per round trip to a server. */
#define BATCH_PARAMS 4000

/* An INSERT for the columns of a source row, prepared at its first row; copy_table holds rows
 * (cells) and writes them BATCH_PARAMS values at a time. */
typedef struct Ins {
    Stmt *st;
    int ncols, id_col, defer_col;
    int ref[64]; /* table index per column, -1: copied as it is */
    const char *refcol[64];
    char *head; /* "INSERT INTO t(columns) VALUES " */
    Cell *cells;
    size_t rows, batch;
    int64_t first_old; /* the source id of the first row held */
} Ins;

static int ins_prepare(Copy *c, int t, Stmt *sel, Ins *in, char **err) {
    memset(in, 0, sizeof *in);
    in->ncols = db_col_count(sel);
    if (in->ncols > 64) return set_err(err, "表 %s 的列过多", TABLES[t].name);
    in->id_col = in->defer_col = -1;
    Buf sql;
    buf_init(&sql);
    buf_printf(&sql, "INSERT INTO %s(", TABLES[t].name);
    for (int i = 0; i < in->ncols; i++) {
        const char *name = db_col_name(sel, i);
        buf_printf(&sql, "%s%s", i ? ", " : "", name);
        in->ref[i] = -1;
        in->refcol[i] = NULL; /* the table's own name, not the result's (gone after a batch) */
        if (TABLES[t].has_id && !strcmp(name, "id")) in->id_col = i;
        for (int k = 0; k < 5 && TABLES[t].refs[k].col; k++)
            if (!strcmp(name, TABLES[t].refs[k].col)) {
                in->ref[i] = table_index(TABLES[t].refs[k].table);
                in->refcol[i] = TABLES[t].refs[k].col;
            }
        /* a parent in the same table may come later: set after every row is in (org, tag) */
        if ((t == T_ORG || t == T_TAG) && !strcmp(name, "parent_id")) in->defer_col = i;
    }
    buf_puts(&sql, ") VALUES ");
    in->head = xstrdup(sql.data);
    buf_putc(&sql, '(');
    placeholders(&sql, (size_t)in->ncols);
    buf_putc(&sql, ')');
    in->st = db_prepare(c->dst, sql.data);
    buf_free(&sql);
    in->batch = BATCH_PARAMS / (size_t)(in->ncols ? in->ncols : 1);
    in->cells = xcalloc(in->batch * (size_t)in->ncols, sizeof *in->cells);
    return in->st ? 0 : set_err(err, "写入 %s 失败: %s", TABLES[t].name, db_errmsg(c->dst));
}

static void cells_bind(Stmt *st, Cell *cells, size_t n, int from) {
    for (size_t i = 0; i < n; i++) {
        int idx = from + (int)i;
        if (cells[i].kind == 1)
            db_bind_int(st, idx, cells[i].i);
        else if (cells[i].kind == 2)
            db_bind_text(st, idx, cells[i].s);
        else
            db_bind_null(st, idx);
        free(cells[i].s);
        cells[i] = (Cell){0};
    }
}

/* The source row as cells, references rewritten; *old_id / *new_id for a table with ids. */
static void ins_cells(Copy *c, int t, Stmt *sel, Ins *in, Cell *cells, int64_t *old_id,
                      int64_t *new_id) {
    *old_id = *new_id = 0;
    for (int i = 0; i < in->ncols; i++) {
        if (db_col_is_null(sel, i) || i == in->defer_col) {
            cells[i] = (Cell){0};
        } else if (i == in->id_col) {
            *old_id = db_col_int(sel, i);
            *new_id = c->st[t].map ? 0 : *old_id + c->st[t].off;
            if (c->st[t].map) map_get(c->st[t].map, *old_id, new_id);
            cells[i] = (Cell){1, *new_id, NULL};
        } else if (in->ref[i] >= 0) {
            cells[i] =
                (Cell){1, map_ref(c, t, in->ref[i], in->refcol[i], db_col_int(sel, i)), NULL};
        } else {
            cells[i] = (Cell){2, 0, xstrdup(db_col_text(sel, i))};
        }
    }
}

/* Binds the source row into the one-row INSERT. */
static void ins_bind(Copy *c, int t, Stmt *sel, Ins *in, int64_t *old_id, int64_t *new_id) {
    Cell cells[64];
    ins_cells(c, t, sel, in, cells, old_id, new_id);
    cells_bind(in->st, cells, (size_t)in->ncols, 1);
}

/* Writes the rows held in one INSERT. */
static int ins_flush(Copy *c, int t, Ins *in, char **err) {
    if (!in->rows) return 0;
    Buf sql;
    buf_init(&sql);
    buf_puts(&sql, in->head);
    for (size_t r = 0; r < in->rows; r++) {
        buf_puts(&sql, r ? ", (" : "(");
        placeholders(&sql, (size_t)in->ncols);
        buf_putc(&sql, ')');
    }
    Stmt *st = db_prepare(c->dst, sql.data);
    buf_free(&sql);
    size_t n = in->rows * (size_t)in->ncols;
    int rc = DB_ERR;
    if (st) {
        cells_bind(st, in->cells, n, 1);
        rc = db_step(st);
        db_finalize(st);
    } else {
        for (size_t i = 0; i < n; i++)
            free(in->cells[i].s), in->cells[i] = (Cell){0};
    }
    in->rows = 0;
    if (rc != DB_DONE)
        return set_err(err, "写入 %s 失败（源库第 %lld 行起）: %s", TABLES[t].name,
                       (long long)in->first_old, db_errmsg(c->dst));
    return 0;
}

static void ins_free(Ins *in) {
    if (in->st) db_finalize(in->st);
    for (size_t i = 0; in->cells && i < in->batch * (size_t)in->ncols; i++)
        free(in->cells[i].s);
    free(in->cells);
    free(in->head);
}

static int ins_step(Copy *c, int t, Ins *in, int64_t old_id, char **err) {
    int rc = db_step(in->st);
    db_reset(in->st);
    if (rc != DB_DONE)
        return set_err(err, "写入 %s 失败（源库第 %lld 行）: %s", TABLES[t].name, (long long)old_id,
                       db_errmsg(c->dst));
    if (TABLES[t].has_id) ids_push(&c->st[t], old_id);
    c->st[t].written++;
    return 0;
}

/* SELECT * of table t: every row (copy in) or the rows its owners tie to the orgs (copy out);
 * `extra` an added condition with one text bound (NULL: none). */
static Stmt *select_rows(Copy *c, int t, const char *extra, const char *extra_arg, char **err) {
    Buf sql;
    buf_init(&sql);
    buf_printf(&sql, "SELECT * FROM %s WHERE 1 = 1", TABLES[t].name);
    int owned = c->out && TABLES[t].owner_col;
    if (owned) {
        buf_puts(&sql, " AND ");
        owner_filter(t, &sql, c->norgs);
    }
    if (extra) buf_printf(&sql, " AND %s", extra);
    buf_printf(&sql, " ORDER BY %s", TABLES[t].order);
    Stmt *st = db_prepare(c->src, sql.data);
    buf_free(&sql);
    if (!st) {
        set_err(err, "读取源库 %s 失败: %s", TABLES[t].name, db_errmsg(c->src));
        return NULL;
    }
    db_large(st); /* a county's whole table */
    if (owned) bind_ids(st, c->src_orgs, c->norgs, 1);
    if (extra_arg) db_bind_text(st, owned ? (int)c->norgs + 1 : 1, extra_arg);
    return st;
}

/* Copies table t's rows, BATCH_PARAMS values per INSERT; `write` (org, tag: the ids of the rows
 * to write) NULL for all. */
static int copy_table(Copy *c, int t, StrMap *write, char **err) {
    Stmt *sel = select_rows(c, t, NULL, NULL, err);
    if (!sel) return -1;
    Ins in = {0};
    int rc, out = 0;
    while (out == 0 && (rc = db_step(sel)) == DB_ROW) {
        if (!in.st && ins_prepare(c, t, sel, &in, err) < 0) {
            out = -1;
            break;
        }
        int64_t old, nid, v;
        if (write && !map_get(write, db_col_int(sel, in.id_col), &v)) continue;
        ins_cells(c, t, sel, &in, in.cells + in.rows * (size_t)in.ncols, &old, &nid);
        if (!in.rows) in.first_old = old;
        in.rows++;
        if (TABLES[t].has_id) ids_push(&c->st[t], old);
        c->st[t].written++;
        if (in.rows == in.batch) out = ins_flush(c, t, &in, err);
    }
    if (out == 0 && rc == DB_ERR)
        out = set_err(err, "读取源库 %s 失败: %s", TABLES[t].name, db_errmsg(c->src));
    if (out == 0) out = ins_flush(c, t, &in, err);
    ins_free(&in);
    db_finalize(sel);
    return out;
}

/* Sets the deferred parent_id of org or tag rows written (the source's, mapped). */
static int set_parents(Copy *c, int t, int64_t parent_of_top, char **err) {
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT id, parent_id FROM %s ORDER BY id", TABLES[t].name);
    Stmt *sel = db_prepare(c->src, sql);
    if (!sel) return set_err(err, "读取源库 %s 失败: %s", TABLES[t].name, db_errmsg(c->src));
    snprintf(sql, sizeof sql, "UPDATE %s SET parent_id = ? WHERE id = ?", TABLES[t].name);
    int rc, out = 0;
    while (out == 0 && (rc = db_step(sel)) == DB_ROW) {
        int64_t id = db_col_int(sel, 0), nid = 0, parent = 0;
        if (!ids_has(&c->st[t], id)) continue;
        map_get(c->st[t].map, id, &nid);
        if (!db_col_is_null(sel, 1) && !map_get(c->st[t].map, db_col_int(sel, 1), &parent))
            parent = 0; /* a copy out's top org: its parent stays behind */
        if (db_col_is_null(sel, 1) && t == T_ORG) parent = parent_of_top;
        if (!parent) continue;
        if (db_exec(c->dst, sql, "ii", parent, nid) != DB_OK)
            out = set_err(err, "写入 %s 失败: %s", TABLES[t].name, db_errmsg(c->dst));
    }
    if (out == 0 && rc == DB_ERR)
        out = set_err(err, "读取源库 %s 失败: %s", TABLES[t].name, db_errmsg(c->src));
    db_finalize(sel);
    return out;
}

/* The draws: each written frozen, its record added, then drawn and superseded as it was (the
 * append-only triggers allow exactly these steps), before the next draw of the same task. */
static int copy_draws(Copy *c, char **err) {
    int t = table_index("draw"), tr = table_index("draw_record");
    Stmt *sel = select_rows(c, t, NULL, NULL, err);
    if (!sel) return -1;
    Ins in = {0}, rin = {0};
    static const char *const later[] = {"status",           "public_randomness", "seed",
                                        "drawn_at",         "drawn_by",          "record_sha256",
                                        "superseded_reason"};
    int col[7];
    int rc, out = 0;
    while (out == 0 && (rc = db_step(sel)) == DB_ROW) {
        if (!in.st) {
            if (ins_prepare(c, t, sel, &in, err) < 0) {
                out = -1;
                break;
            }
            for (int k = 0; k < 7; k++) {
                col[k] = -1;
                for (int i = 0; i < in.ncols; i++)
                    if (!strcmp(db_col_name(sel, i), later[k])) col[k] = i;
                if (col[k] < 0) {
                    out = set_err(err, "源库 draw 表缺少列 %s", later[k]);
                    break;
                }
            }
            if (out) break;
        }
        int64_t old, nid;
        ins_bind(c, t, sel, &in, &old, &nid);
        char *v[7];
        for (int k = 0; k < 7; k++) {
            v[k] = db_col_is_null(sel, col[k]) ? NULL : xstrdup(db_col_text(sel, col[k]));
            if (k) db_bind_null(in.st, col[k] + 1);
        }
        db_bind_text(in.st, col[0] + 1, "已冻结");
        out = ins_step(c, t, &in, old, err);
        /* its record, while the draw is frozen without one */
        Stmt *rs = out ? NULL : db_prepare(c->src, "SELECT * FROM draw_record WHERE draw_id = ?");
        if (!out && !rs) out = set_err(err, "读取源库 draw_record 失败: %s", db_errmsg(c->src));
        if (rs) {
            db_bind_int(rs, 1, old);
            while (out == 0 && (rc = db_step(rs)) == DB_ROW) {
                if (!rin.st && ins_prepare(c, tr, rs, &rin, err) < 0) {
                    out = -1;
                    break;
                }
                int64_t o2, n2;
                ins_bind(c, tr, rs, &rin, &o2, &n2);
                out = ins_step(c, tr, &rin, old, err);
            }
            db_finalize(rs);
        }
        if (!out && v[1] && v[5] &&
            db_exec(c->dst,
                    "UPDATE draw SET status = '已抽取', public_randomness = ?, seed = ?, "
                    "drawn_at = ?, drawn_by = ?, record_sha256 = ? WHERE id = ?",
                    "ttttti", v[1], v[2], v[3], v[4], v[5], nid) != DB_OK)
            out = set_err(err, "写入抽取记录 %lld 失败: %s", (long long)old, db_errmsg(c->dst));
        if (!out && v[0] && !strcmp(v[0], "已作废") &&
            db_exec(c->dst, "UPDATE draw SET status = '已作废', superseded_reason = ? WHERE id = ?",
                    "ti", v[6], nid) != DB_OK)
            out = set_err(err, "写入抽取记录 %lld 失败: %s", (long long)old, db_errmsg(c->dst));
        for (int k = 0; k < 7; k++)
            free(v[k]);
    }
    if (out == 0 && rc == DB_ERR) out = set_err(err, "读取源库 draw 失败: %s", db_errmsg(c->src));
    ins_free(&in);
    ins_free(&rin);
    db_finalize(sel);
    return out;
}

/* The table an entity_version row's entity names ("user" is the account table, sql/029). */
static int entity_table(const char *entity) {
    return table_index(str_eq(entity, "user") ? "account" : entity ? entity : "");
}

/* entity_version: the history of each row written, entity_id rewritten with its table's id. */
static int copy_versions(Copy *c, char **err) {
    int t = table_index("entity_version");
    Stmt *sel = select_rows(c, t, NULL, NULL, err);
    if (!sel) return -1;
    Ins in = {0};
    int rc, out = 0, ent = -1, eid = -1;
    while (out == 0 && (rc = db_step(sel)) == DB_ROW) {
        if (!in.st) {
            if (ins_prepare(c, t, sel, &in, err) < 0) {
                out = -1;
                break;
            }
            for (int i = 0; i < in.ncols; i++) {
                if (!strcmp(db_col_name(sel, i), "entity")) ent = i;
                if (!strcmp(db_col_name(sel, i), "entity_id")) eid = i;
            }
            if (ent < 0 || eid < 0) {
                out = set_err(err, "源库 entity_version 表缺少列 entity 或 entity_id");
                break;
            }
        }
        int r = entity_table(db_col_text(sel, ent));
        if (r < 0 || !TABLES[r].has_id) {
            out = set_err(err, "entity_version 中有未知的对象类型 %s", db_col_text(sel, ent));
            break;
        }
        int64_t of = db_col_int(sel, eid), nf = of + c->st[r].off, old, nid;
        if (!ids_has(&c->st[r], of)) continue; /* the row stayed behind, or was matched */
        if (c->st[r].map) map_get(c->st[r].map, of, &nf);
        ins_bind(c, t, sel, &in, &old, &nid);
        db_bind_int(in.st, eid + 1, nf);
        out = ins_step(c, t, &in, old, err);
    }
    if (out == 0 && rc == DB_ERR)
        out = set_err(err, "读取源库 entity_version 失败: %s", db_errmsg(c->src));
    ins_free(&in);
    db_finalize(sel);
    return out;
}

/* Rows of the org-owned tables that name org `id` in `db`: 0 for an org that only holds others. */
static int org_owns(Db *db, int64_t id, int64_t *n) {
    *n = 0;
    for (size_t t = 0; t < NTABLES; t++) {
        if (!TABLES[t].owner || strcmp(TABLES[t].owner, "org")) continue;
        char sql[96];
        int64_t k = 0;
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE %s = ?", TABLES[t].name,
                 TABLES[t].owner_col);
        if (db_query_int(db, &k, sql, "i", id) != DB_OK) return -1;
        *n += k;
    }
    return 0;
}

/* Appends "label（N 个）: v1、v2、… 等" for a kind of clash. */
static void list_clashes(Buf *b, const char *label, char **vals, size_t n) {
    if (!n) return;
    buf_printf(b, "%s（%zu 个）: ", label, n);
    for (size_t i = 0; i < n && i < CLASH_LIST_MAX; i++)
        buf_printf(b, "%s%s", i ? "、" : "", vals[i]);
    if (n > CLASH_LIST_MAX) buf_printf(b, " 等（仅列出前 %d 个）", CLASH_LIST_MAX);
    buf_putc(b, '\n');
}

static void strs_push(char ***v, size_t *n, size_t *cap, char *s) {
    if (*n == *cap) *v = xrealloc(*v, (*cap = *cap ? 2 * *cap : 16) * sizeof **v);
    (*v)[(*n)++] = s;
}
static void strs_free(char **v, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static char *ascii_lower(const char *s) {
    char *d = xstrdup(s);
    for (char *p = d; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

#define CLASH_BATCH 200

/* The source's values of u that the destination has already, appended to *b. */
static int unique_clashes(Copy *c, const Unique *u, Buf *b, size_t *total, char **err) {
    Buf sql;
    buf_init(&sql);
    buf_printf(&sql, "SELECT %s FROM %s WHERE %s IS NOT NULL%s%s", u->col, u->table, u->col,
               u->where ? " AND " : "", u->where ? u->where : "");
    char *all = xstrdup(sql.data); /* every value, in either database */
    Stmt *sel = db_prepare(c->src, all);
    char **vals = NULL, **hits = NULL;
    size_t nv = 0, cv = 0, nh = 0, ch = 0;
    int rc = DB_ERR;
    while (sel && (rc = db_step(sel)) == DB_ROW)
        strs_push(&vals, &nv, &cv,
                  u->lower ? ascii_lower(db_col_text(sel, 0)) : xstrdup(db_col_text(sel, 0)));
    db_finalize(sel);
    int out = rc == DB_ERR ? set_err(err, "读取源库 %s 失败: %s", u->table, db_errmsg(c->src)) : 0;
    StrMap *seen = u->scan && out == 0 ? strmap_new() : NULL;
    if (seen) { /* no index to ask: the destination's values, once */
        Stmt *st = db_prepare(c->dst, all);
        rc = DB_ERR;
        while (st && (rc = db_step(st)) == DB_ROW)
            strmap_put(seen, db_col_text(st, 0), 1);
        db_finalize(st);
        if (rc == DB_ERR) out = set_err(err, "读取目标库 %s 失败: %s", u->table, db_errmsg(c->dst));
        int64_t v;
        for (size_t i = 0; out == 0 && i < nv; i++)
            if (strmap_get(seen, vals[i], &v)) strs_push(&hits, &nh, &ch, xstrdup(vals[i]));
        strmap_free(seen);
    }
    for (size_t at = 0; !u->scan && out == 0 && at < nv; at += CLASH_BATCH) {
        size_t k = nv - at < CLASH_BATCH ? nv - at : CLASH_BATCH;
        buf_reset(&sql);
        buf_printf(&sql, "SELECT %s FROM %s WHERE %s%s%s IN (", u->col, u->table,
                   u->lower ? "lower(" : "", u->col, u->lower ? ")" : "");
        placeholders(&sql, k);
        buf_printf(&sql, ")%s%s ORDER BY %s", u->where ? " AND " : "", u->where ? u->where : "",
                   u->col);
        Stmt *st = db_prepare(c->dst, sql.data);
        if (!st) {
            out = set_err(err, "读取目标库 %s 失败: %s", u->table, db_errmsg(c->dst));
            break;
        }
        for (size_t i = 0; i < k; i++)
            db_bind_text(st, (int)i + 1, vals[at + i]);
        while ((rc = db_step(st)) == DB_ROW)
            strs_push(&hits, &nh, &ch,
                      u->mask ? mask_id_number(db_col_text(st, 0)) : xstrdup(db_col_text(st, 0)));
        db_finalize(st);
        if (rc == DB_ERR) out = set_err(err, "读取目标库 %s 失败: %s", u->table, db_errmsg(c->dst));
    }
    if (out == 0) list_clashes(b, u->label, hits, nh);
    *total += nh;
    strs_free(vals, nv);
    strs_free(hits, nh);
    free(all);
    buf_free(&sql);
    return out;
}

/* Copy in: each source org is the destination's org of the same code (when it owns no data in
 * the source) or a new one; a code the destination has for an org with data is a clash. */
static int plan_orgs_in(Copy *c, StrMap *write, Buf *clashes, size_t *nclash, char **err) {
    Stmt *sel = db_prepare(c->src, "SELECT id, code, name FROM org ORDER BY id");
    if (!sel) return set_err(err, "读取源库机构失败: %s", db_errmsg(c->src));
    char **hits = NULL;
    size_t nh = 0, ch = 0, cap = 0;
    int rc, out = 0;
    while (out == 0 && (rc = db_step(sel)) == DB_ROW) {
        int64_t id = db_col_int(sel, 0), did = 0, owns = 0;
        const char *code = db_col_text(sel, 1);
        if (db_query_int(c->dst, &did, "SELECT id FROM org WHERE code = ?", "t", code) != DB_OK ||
            (did && org_owns(c->src, id, &owns) < 0)) {
            out = set_err(err, "读取机构失败: %s", db_errmsg(c->dst));
            break;
        }
        if (c->norgs == cap) {
            cap = cap ? 2 * cap : 16;
            c->src_orgs = xrealloc(c->src_orgs, cap * sizeof *c->src_orgs);
            c->dst_orgs = xrealloc(c->dst_orgs, cap * sizeof *c->dst_orgs);
        }
        c->src_orgs[c->norgs] = id;
        if (did && owns) {
            strs_push(&hits, &nh, &ch, xasprintf("%s（%s）", code, db_col_text(sel, 2)));
        } else if (did) {
            map_put(c->st[T_ORG].map, id, did); /* attached: the destination's own org */
            continue;
        }
        int64_t nid = id + c->st[T_ORG].off;
        map_put(c->st[T_ORG].map, id, nid);
        map_put(write, id, 1);
        c->dst_orgs[c->norgs++] = nid;
    }
    db_finalize(sel);
    if (out == 0 && rc == DB_ERR) out = set_err(err, "读取源库机构失败: %s", db_errmsg(c->src));
    list_clashes(clashes, "机构代码", hits, nh);
    *nclash += nh;
    strs_free(hits, nh);
    return out;
}

/* Copy out: the subtree of `code` (its data copied) and its ancestors (bare rows), ids kept. */
static int plan_orgs_out(Copy *c, const char *code, StrMap *write, int64_t *root, char **err) {
    int64_t *ids = NULL, *parents = NULL;
    size_t n = 0, cap = 0;
    *root = 0;
    Stmt *st = db_prepare(c->src, "SELECT id, parent_id, code FROM org ORDER BY id");
    if (!st) return set_err(err, "读取机构失败: %s", db_errmsg(c->src));
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            ids = xrealloc(ids, cap * sizeof *ids);
            parents = xrealloc(parents, cap * sizeof *parents);
        }
        ids[n] = db_col_int(st, 0);
        parents[n] = db_col_is_null(st, 1) ? 0 : db_col_int(st, 1);
        if (str_eq(db_col_text(st, 2), code)) *root = ids[n];
        n++;
    }
    db_finalize(st);
    int out = rc == DB_ERR ? set_err(err, "读取机构失败: %s", db_errmsg(c->src)) : 0;
    if (!out && *root) {
        /* the subtree, breadth first: an org is in when its parent is */
        c->src_orgs = xmalloc((n ? n : 1) * sizeof *c->src_orgs);
        c->src_orgs[c->norgs++] = *root;
        for (size_t k = 0; k < c->norgs; k++)
            for (size_t i = 0; i < n; i++)
                if (parents[i] == c->src_orgs[k] && ids[i] != *root)
                    c->src_orgs[c->norgs++] = ids[i];
        c->dst_orgs = xmalloc(c->norgs * sizeof *c->dst_orgs);
        memcpy(c->dst_orgs, c->src_orgs, c->norgs * sizeof *c->dst_orgs);
        for (size_t k = 0; k < c->norgs; k++)
            map_put(write, c->src_orgs[k], 1);
        /* its ancestors, as bare rows: the county's place in the tree */
        for (int64_t up = *root; up;) {
            int64_t next = 0;
            for (size_t i = 0; i < n; i++)
                if (ids[i] == up) next = parents[i];
            if (next) map_put(write, next, 1);
            up = next;
        }
        for (size_t i = 0; i < n; i++)
            map_put(c->st[T_ORG].map, ids[i], ids[i]);
    }
    free(ids);
    free(parents);
    return out;
}

/* Tags: the destination's tag of the same code (copy in), else a new one. */
static int plan_tags(Copy *c, StrMap *write, char **err) {
    Stmt *sel = db_prepare(c->src, "SELECT id, code FROM tag ORDER BY id");
    if (!sel) return set_err(err, "读取源库标签失败: %s", db_errmsg(c->src));
    int rc, out = 0;
    while (out == 0 && (rc = db_step(sel)) == DB_ROW) {
        int64_t id = db_col_int(sel, 0), did = 0;
        if (!c->out && db_query_int(c->dst, &did, "SELECT id FROM tag WHERE code = ?", "t",
                                    db_col_text(sel, 1)) != DB_OK) {
            out = set_err(err, "读取目标库标签失败: %s", db_errmsg(c->dst));
            break;
        }
        map_put(c->st[T_TAG].map, id, did ? did : id + c->st[T_TAG].off);
        if (!did) map_put(write, id, 1);
    }
    db_finalize(sel);
    if (out == 0 && rc == DB_ERR) out = set_err(err, "读取源库标签失败: %s", db_errmsg(c->src));
    return out;
}

/* Copy in: each table's offset, the destination's largest id. */
static int plan_offsets(Copy *c, char **err) {
    for (size_t t = 0; t < NTABLES; t++) {
        if (!TABLES[t].has_id) continue;
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT coalesce(max(id), 0) FROM %s", TABLES[t].name);
        if (db_query_int(c->dst, &c->st[t].off, sql, NULL) != DB_OK)
            return set_err(err, "读取目标库 %s 失败: %s", TABLES[t].name, db_errmsg(c->dst));
        if (strcmp(TABLES[t].name, "plan_task")) continue;
        /* a removed plan task's id stays named by its audit rows (plan.task.remove): past it too,
         * or the state check would take a copied row for the removed one */
        Stmt *st = db_prepare(c->dst, "SELECT entity_id FROM audit_log WHERE entity = 'plan_task'");
        if (!st) return set_err(err, "读取目标库审计日志失败: %s", db_errmsg(c->dst));
        int rc;
        while ((rc = db_step(st)) == DB_ROW) {
            int64_t id = str_id(db_col_text(st, 0));
            if (id > c->st[t].off) c->st[t].off = id;
        }
        db_finalize(st);
        if (rc == DB_ERR) return set_err(err, "读取目标库审计日志失败: %s", db_errmsg(c->dst));
    }
    return 0;
}

/* Writes audit rows into audit_archive. `sel` yields chain, kind, home_org_id, seq, at, actor,
 * org_id, action, entity, entity_id, before, after, remote, prev_hash, hash, digest; `chain` and
 * `kind` given replace the first two (rows of the source's own log: chain given). A row's home is
 * its archived home, or for a row of the source's log its own org, mapped (the org whose data it
 * is about, for a later copy out), else `root`. With `suffix` (a copy out's
 * org code) a group not wholly taken (not in `complete`) becomes an excerpt named
 * "<chain>/<suffix>". The names of the groups written are set in `chains`. */
static int archive_rows(Copy *c, Stmt *sel, const char *chain, const char *kind, int64_t root,
                        const char *suffix, StrMap *complete, json_t *chains, int64_t *n,
                        char **err) {
    Stmt *ins = db_prepare(c->dst, "INSERT INTO audit_archive(chain, kind, home_org_id, seq, at, "
                                   "actor, org_id, action, entity, entity_id, before, after, "
                                   "remote, prev_hash, hash, digest) VALUES (?, ?, ?, ?, ?, ?, ?, "
                                   "?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!ins) return set_err(err, "写入迁入的审计日志失败: %s", db_errmsg(c->dst));
    int rc, out = 0;
    while (out == 0 && (rc = db_step(sel)) == DB_ROW) {
        const char *name0 = chain ? chain : db_col_text(sel, 0);
        int64_t whole = 0;
        char *name = suffix && !strmap_get(complete, name0, &whole)
                         ? xasprintf("%s/%s", name0, suffix)
                         : xstrdup(name0);
        db_bind_text(ins, 1, name);
        db_bind_text(ins, 2, suffix && !whole ? "excerpt" : kind ? kind : db_col_text(sel, 1));
        /* an archived row's home, else (a row of the source's own log) its org */
        int64_t h = 0;
        int col = chain ? 6 : 2;
        if (db_col_is_null(sel, col) || !map_get(c->st[T_ORG].map, db_col_int(sel, col), &h)) h = 0;
        if (!h) h = root;
        if (h)
            db_bind_int(ins, 3, h);
        else
            db_bind_null(ins, 3);
        for (int i = 3; i < 16; i++)
            db_bind_text(ins, i + 1, db_col_text(sel, i));
        rc = db_step(ins);
        db_reset(ins);
        if (rc != DB_DONE) out = set_err(err, "写入迁入的审计日志失败: %s", db_errmsg(c->dst));
        json_object_set_new(chains, name, json_true());
        free(name);
        (*n)++;
    }
    if (out == 0 && rc == DB_ERR) out = set_err(err, "读取审计日志失败: %s", db_errmsg(c->src));
    db_finalize(ins);
    return out;
}

/* Copy out: the archived groups whose every row is at home in the subtree (taken whole). */
static int complete_groups(Copy *c, StrMap *complete, char **err) {
    Buf sql;
    buf_init(&sql);
    buf_puts(&sql, "SELECT chain, count(*), sum(CASE WHEN home_org_id IN (");
    placeholders(&sql, c->norgs);
    buf_puts(&sql, ") THEN 1 ELSE 0 END) FROM audit_archive GROUP BY chain");
    Stmt *st = db_prepare(c->src, sql.data);
    buf_free(&sql);
    if (!st) return set_err(err, "读取源库审计日志失败: %s", db_errmsg(c->src));
    bind_ids(st, c->src_orgs, c->norgs, 1);
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        if (db_col_int(st, 1) == db_col_int(st, 2)) strmap_put(complete, db_col_text(st, 0), 1);
    db_finalize(st);
    return rc == DB_ERR ? set_err(err, "读取源库审计日志失败: %s", db_errmsg(c->src)) : 0;
}

static const char ARCHIVE_COLUMNS[] = "seq, at, actor, org_id, action, entity, entity_id, before, "
                                      "after, remote, prev_hash, hash, digest";
static const char LOG_COLUMNS[] = "NULL, NULL, NULL, id, at, actor, org_id, action, entity, "
                                  "entity_id, before, after, remote, prev_hash, hash, digest";

/* The audit rows the county brings: copy in, the source's whole chain and its archive; copy out,
 * the subtree's rows of the source's chain (an excerpt) and the archived rows at home in the
 * subtree (a group taken whole stays as it is, a part of one becomes an excerpt).
 * *summaries receives the groups' summaries (audit_archive.h) for the copy's audit row. */
static int copy_audit(Copy *c, const char *head, int64_t root, const char *code, json_t **summaries,
                      int64_t *nrows, char **err) {
    json_t *chains = json_object();
    *summaries = json_array();
    *nrows = 0;
    Buf sql;
    buf_init(&sql);
    StrMap *complete = strmap_new();
    int out = c->out ? complete_groups(c, complete, err) : 0;
    for (int pass = 0; pass < 2 && out == 0; pass++) {
        buf_reset(&sql);
        if (pass == 0)
            buf_printf(&sql, "SELECT %s FROM audit_log", LOG_COLUMNS);
        else
            buf_printf(&sql, "SELECT chain, kind, home_org_id, %s FROM audit_archive",
                       ARCHIVE_COLUMNS);
        if (c->out) {
            buf_printf(&sql, " WHERE %s IN (", pass ? "home_org_id" : "org_id");
            placeholders(&sql, c->norgs);
            buf_putc(&sql, ')');
        }
        buf_puts(&sql, pass ? " ORDER BY chain, seq" : " ORDER BY id");
        Stmt *sel = db_prepare(c->src, sql.data);
        if (!sel) {
            out = set_err(err, "读取源库审计日志失败: %s", db_errmsg(c->src));
            break;
        }
        db_large(sel); /* the whole chain: the largest table of a county */
        if (c->out) bind_ids(sel, c->src_orgs, c->norgs, 1);
        char *name = pass ? NULL : c->out ? xasprintf("%s/%s", head, code) : xstrdup(head);
        out = archive_rows(c, sel, name,
                           pass     ? NULL
                           : c->out ? "excerpt"
                                    : "chain",
                           root, pass && c->out ? code : NULL, complete, chains, nrows, err);
        free(name);
        db_finalize(sel);
    }
    buf_free(&sql);
    strmap_free(complete);
    const char *key;
    json_t *v;
    Buf problems;
    buf_init(&problems);
    json_object_foreach(chains, key, v) {
        if (out) break;
        json_t *sum = NULL;
        int s = audit_archive_summary(c->dst, key, &sum, &problems, err);
        if (s > 0) out = set_err(err, "%s", problems.data);
        if (s < 0) out = -1;
        if (sum) json_array_append_new(*summaries, sum);
    }
    buf_free(&problems);
    json_decref(chains);
    return out;
}

/* count(*) of table t's rows owned by the orgs `orgs` in db. */
static int count_owned(Db *db, int t, const int64_t *orgs, size_t n, int64_t *out) {
    Buf sql;
    buf_init(&sql);
    buf_printf(&sql, "SELECT count(*) FROM %s WHERE ", TABLES[t].name);
    owner_filter(t, &sql, n);
    Stmt *st = db_prepare(db, sql.data);
    buf_free(&sql);
    if (!st) return -1;
    bind_ids(st, orgs, n, 1);
    int rc = db_step(st);
    *out = rc == DB_ROW ? db_col_int(st, 0) : 0;
    db_finalize(st);
    return rc == DB_ROW ? 0 : -1;
}

/* The files whose SHA-256 a copy must keep: population and officer files, draw records,
 * notices, each as (key, stored SHA-256, content), in a stable order. */
static const char *const DIGEST_SQL[][2] = {
    {"SELECT d.task_code, d.draw_no, f.kind, f.sha256, f.content FROM draw_file f JOIN draw d ON "
     "d.id = f.draw_id WHERE d.task_code IN (SELECT code FROM task WHERE org_id IN (",
     ")) ORDER BY d.task_code, d.draw_no, f.kind"},
    {"SELECT d.task_code, d.draw_no, d.status, r.sha256, r.record_json FROM draw_record r JOIN "
     "draw d ON d.id = r.draw_id WHERE d.task_code IN (SELECT code FROM task WHERE org_id IN (",
     ")) ORDER BY d.task_code, d.draw_no"},
    {"SELECT n.doc_no, n.year, n.seq, n.sha256, n.content FROM notice n WHERE n.org_id IN (",
     ") ORDER BY n.year, n.seq, n.doc_no"},
};
static const char *const DIGEST_LABEL[] = {"名单文件", "抽取记录", "检查通知书"};

/* One digest over every file of kind k owned by `orgs`: the lines "key\tstored\tcomputed";
 * *n files, *bad of them whose content does not hash to the stored SHA-256. */
static int files_digest(Db *db, int k, const int64_t *orgs, size_t norgs, char hex[65], int64_t *n,
                        int64_t *bad) {
    Buf sql, line;
    buf_init(&sql);
    buf_init(&line);
    buf_puts(&sql, DIGEST_SQL[k][0]);
    placeholders(&sql, norgs);
    buf_puts(&sql, DIGEST_SQL[k][1]);
    Stmt *st = db_prepare(db, sql.data);
    buf_free(&sql);
    *n = *bad = 0;
    if (!st) return -1;
    bind_ids(st, orgs, norgs, 1);
    DrawSha256 all;
    draw_sha256_init(&all);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *content = db_col_text(st, 4) ? db_col_text(st, 4) : "";
        char calc[65];
        draw_sha256_hex(content, strlen(content), calc);
        buf_reset(&line);
        buf_printf(&line, "%s\t%s\t%s\t%s\t%s\n", db_col_text(st, 0), db_col_text(st, 1),
                   db_col_text(st, 2), db_col_text(st, 3), calc);
        draw_sha256_update(&all, line.data, line.len);
        if (!str_eq(calc, db_col_text(st, 3))) (*bad)++;
        (*n)++;
    }
    db_finalize(st);
    buf_free(&line);
    uint8_t md[32];
    draw_sha256_final(&all, md);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return rc == DB_ERR ? -1 : 0;
}

/* The checks after the copy, inside its transaction: counts per table source vs destination, the
 * SHA-256 of every draw file, record and notice, into *report; 0 when all agree, 1 when not. */
static int check_copy(Copy *c, Buf *report, char **err) {
    int bad = 0;
    buf_puts(report, "核对（源库 → 目标库，按机构）:\n");
    for (size_t t = 0; t < NTABLES; t++) {
        int64_t s = 0, d = 0;
        if (t == T_ORG) {
            s = (int64_t)c->norgs;
            Buf sql;
            buf_init(&sql);
            buf_puts(&sql, "SELECT count(*) FROM org WHERE id IN (");
            placeholders(&sql, c->norgs);
            buf_putc(&sql, ')');
            Stmt *st = db_prepare(c->dst, sql.data);
            buf_free(&sql);
            if (!st) return set_err(err, "核对失败: %s", db_errmsg(c->dst));
            bind_ids(st, c->dst_orgs, c->norgs, 1);
            d = db_step(st) == DB_ROW ? db_col_int(st, 0) : -1;
            db_finalize(st);
        } else if (TABLES[t].owner_col) {
            if (count_owned(c->src, (int)t, c->src_orgs, c->norgs, &s) < 0)
                return set_err(err, "核对失败: %s", db_errmsg(c->src));
            if (count_owned(c->dst, (int)t, c->dst_orgs, c->norgs, &d) < 0)
                return set_err(err, "核对失败: %s", db_errmsg(c->dst));
        } else {
            continue;
        }
        if (s != d) bad = 1;
        buf_printf(report, "  %-18s %8lld → %8lld  %s\n", TABLES[t].name, (long long)s,
                   (long long)d, s == d ? "一致" : "不符");
    }
    buf_printf(report, "  %-18s 写入 %lld 个（其余与目标库同编码的标签合并）\n", "tag",
               (long long)c->st[T_TAG].written);
    buf_printf(report, "  %-18s 写入 %lld 条历史版本\n", "entity_version",
               (long long)c->st[table_index("entity_version")].written);
    for (int k = 0; k < 3; k++) {
        char hs[65], hd[65];
        int64_t ns, nd, bs, bd;
        if (files_digest(c->src, k, c->src_orgs, c->norgs, hs, &ns, &bs) < 0)
            return set_err(err, "核对摘要失败: %s", db_errmsg(c->src));
        if (files_digest(c->dst, k, c->dst_orgs, c->norgs, hd, &nd, &bd) < 0)
            return set_err(err, "核对摘要失败: %s", db_errmsg(c->dst));
        int same = ns == nd && !strcmp(hs, hd) && bd == 0;
        if (!same) bad = 1;
        buf_printf(report,
                   "%s: 源库 %lld 份 → 目标库 %lld 份，SHA-256 %s（内容重算与记录的摘要%s）\n",
                   DIGEST_LABEL[k], (long long)ns, (long long)nd, same ? "逐份一致" : "不一致",
                   bd ? "不符" : "相符");
    }
    return bad;
}

/* The destination as `spotcheck audit verify` sees it, inside the copy's transaction: the chain,
 * the archive, every draw recomputed, the audited rows and their histories. 0 clean, 1 not. */
static int verify_dst(Copy *c, Buf *report, char **err) {
    AuditVerifyResult v;
    if (audit_verify(c->dst, &v, err) != DB_OK) return -1;
    Buf problems;
    buf_init(&problems);
    int64_t groups = 0, rows = 0, draws = 0, audited = 0;
    int a = audit_archive_check(c->dst, &problems, &groups, &rows, err);
    int d = a < 0 ? -1 : draw_store_check(c->dst, &problems, &draws, err);
    int s = d < 0 ? -1 : audit_state_check(c->dst, &problems, &audited, err);
    int out = s < 0 ? -1 : (v.status != AUDIT_INTACT || a || d || s);
    if (out == 0)
        buf_printf(report,
                   "目标库核验: 审计日志完整 %lld 条（最新哈希 %s），迁入的审计日志 %lld 组 %lld "
                   "条与迁移审计记录一致，%lld 次抽取可重算，%lld 个经审计的对象一致\n",
                   (long long)v.count, v.head_hash, (long long)groups, (long long)rows,
                   (long long)draws, (long long)audited);
    else if (out > 0)
        set_err(err, "目标库核验不通过，已回滚: %s%s", v.status != AUDIT_INTACT ? v.reason : "",
                problems.data ? problems.data : "");
    buf_free(&problems);
    return out;
}

/* "postgres://user:secret@host/db" without the password, for the audit rows. */
static char *url_label(const char *url) {
    const char *scheme = strstr(url, "://"), *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
    if (!at || !colon || colon > at) return xstrdup(url);
    return xasprintf("%.*s%s", (int)(colon - url), url, at);
}

static void copy_free(Copy *c) {
    for (size_t t = 0; t < NTABLES; t++) {
        if (c->st[t].map) strmap_free(c->st[t].map);
        free(c->st[t].ids);
    }
    free(c->src_orgs);
    free(c->dst_orgs);
    if (c->write_org) strmap_free(c->write_org);
    if (c->write_tag) strmap_free(c->write_tag);
    buf_free(&c->problems);
}

/* Every table in order (the draws with their records, the histories last). */
static int copy_all(Copy *c, StrMap *write_org, StrMap *write_tag, int64_t parent_of_top,
                    char **err) {
    for (size_t t = 0; t < NTABLES; t++) {
        const char *name = TABLES[t].name;
        if ((TABLES[t].out_only && !c->out) || !strcmp(name, "draw_record")) continue;
        char *saved = NULL;
        int search = !strcmp(name, "target") || !strcmp(name, "officer");
        if (search && db_search_pause(c->dst, name, &saved) != DB_OK)
            return set_err(err, "暂停 %s 的检索索引失败: %s", name, db_errmsg(c->dst));
        int rc = !strcmp(name, "draw")             ? copy_draws(c, err)
                 : !strcmp(name, "entity_version") ? copy_versions(c, err)
                                                   : copy_table(c, (int)t,
                                                                t == T_ORG   ? write_org
                                                                : t == T_TAG ? write_tag
                                                                             : NULL,
                                                                err);
        if (rc == 0 && (t == T_ORG || t == T_TAG))
            rc = set_parents(c, (int)t, t == T_ORG ? parent_of_top : 0, err);
        if (search && rc == 0 && db_search_resume(c->dst, name, saved, NULL) != DB_OK)
            rc = set_err(err, "重建 %s 的检索索引失败: %s", name, db_errmsg(c->dst));
        else if (search && rc != 0)
            free(saved);
        if (rc) return -1;
    }
    return 0;
}

/* The copy's audit row's after: who wrote what from where. */
static char *copy_after(Copy *c, const char *from, const char *to, const char *org_code,
                        const char *parent_code, const char *head, json_t *archive) {
    json_t *tables = json_object();
    for (size_t t = 0; t < NTABLES; t++)
        if (c->st[t].written)
            json_object_set_new(tables, TABLES[t].name, json_integer(c->st[t].written));
    char *f = url_label(from), *d = url_label(to);
    json_t *o = json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:o}", "from", f, "to", d, "org", org_code,
                          "parent", parent_code, "source_head", head, "tables", tables);
    if (archive) json_object_set(o, "archive", archive);
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    free(f);
    free(d);
    return s;
}

/* The source's chain, intact, as "HASH@N"; SC_INVALID when it is broken. */
static int source_head(Db *src, char **head, char **why) {
    AuditVerifyResult v;
    if (audit_verify(src, &v, why) != DB_OK) return SC_ERR;
    if (v.status != AUDIT_INTACT)
        return set_err(why, "源库审计日志在第 %lld 条记录处断裂（%s），不能迁移",
                       (long long)v.bad_id, v.reason),
               SC_INVALID;
    *head = xasprintf("%s@%lld", v.head_hash, (long long)v.count);
    return SC_OK;
}

static int same_schema(Db *src, Db *dst, char **why) {
    int a = db_schema_version(src), b = db_schema_version(dst);
    if (a == b) return 0;
    return set_err(why, "源库架构版本 %d 与目标库 %d 不同：请用同一版本的 spotcheck 打开两库", a,
                   b);
}

/* The files of the record_file rows to copy, from the source's files directory to the
 * destination's, each checked by size and SHA-256 (record_file_copy); one line into *report. 0,
 * 1 when a source file is missing or corrupt (listed in *why), -1 on another failure. */
static int copy_files(Copy *c, Buf *report, char **why) {
    int t = table_index("record_file");
    Stmt *sel = select_rows(c, t, NULL, NULL, why);
    if (!sel) return -1;
    int col_sha = -1, col_size = -1, col_id = -1, col_rec = -1;
    StrMap *seen = strmap_new();
    Buf bad;
    buf_init(&bad);
    int64_t files = 0, bytes = 0, v;
    size_t nbad = 0;
    int rc, out = 0;
    while (out == 0 && (rc = db_step(sel)) == DB_ROW) {
        for (int i = 0; col_sha < 0 && i < db_col_count(sel); i++) { /* named once a row is in */
            const char *name = db_col_name(sel, i);
            col_size = !strcmp(name, "size") ? i : col_size;
            col_id = !strcmp(name, "id") ? i : col_id;
            col_rec = !strcmp(name, "record_id") ? i : col_rec;
            if (!strcmp(name, "sha256")) col_sha = i;
        }
        if (col_sha < 0 || col_size < 0 || col_id < 0 || col_rec < 0) {
            out = set_err(why, "源库 record_file 表缺少列 sha256、size、id 或 record_id");
            break;
        }
        const char *sha = db_col_text(sel, col_sha);
        if (strmap_get(seen, sha ? sha : "", &v)) continue;
        strmap_put(seen, sha ? sha : "", 1);
        char *err = NULL;
        int64_t n = 0;
        int r = record_file_copy(c->files->from, c->files->to, sha, db_col_int(sel, col_size), &n,
                                 &err);
        if (r == SC_OK) {
            files++;
            bytes += n;
        } else if (r == SC_NOT_FOUND || r == SC_INVALID) {
            if (nbad++ < CLASH_LIST_MAX)
                buf_printf(&bad, "  记录 %lld 的文件 %lld: %s\n",
                           (long long)db_col_int(sel, col_rec), (long long)db_col_int(sel, col_id),
                           err ? err : "");
        } else {
            out = set_err(why, "复制记录附件失败: %s", err ? err : "");
        }
        free(err);
    }
    if (out == 0 && rc == DB_ERR)
        out = set_err(why, "读取源库 record_file 失败: %s", db_errmsg(c->src));
    db_finalize(sel);
    strmap_free(seen);
    if (out == 0 && nbad)
        out = 1, set_err(why,
                         "以下记录附件在源文件目录 %s 中缺失或已损坏（共 %zu 个），未写入任何数据:"
                         "\n%s%s",
                         c->files->from, nbad, bad.data,
                         nbad > CLASH_LIST_MAX ? "  …（仅列出前 20 个）\n" : "");
    if (out == 0)
        buf_printf(
            report,
            "记录附件: %lld 个文件（%lld 字节）从 %s 复制到 %s，大小与 SHA-256 逐个核对一致\n",
            (long long)files, (long long)bytes, c->files->from, c->files->to);
    buf_free(&bad);
    return out;
}

/* The part both directions share once the orgs and tags are planned: the rows, the audit rows,
 * the checks, the copy's audit row, the destination verified, the commit. */
static int finish_copy(Copy *c, const Actor *who, const char *action, int64_t parent_of_top,
                       int64_t root, const char *org_code, const char *parent_code,
                       const char *from, const char *to, const char *head, Buf *report,
                       char **why) {
    int rc = SC_ERR;
    json_t *archive = NULL;
    int64_t nrows = 0;
    /* the files first: a missing one refuses the copy before any row is written */
    int f = copy_files(c, report, why);
    if (f) {
        rc = f > 0 ? SC_INVALID : SC_ERR;
        goto done;
    }
    if (copy_all(c, c->write_org, c->write_tag, parent_of_top, why) < 0) goto done;
    if (c->nproblems) {
        set_err(why, "以下数据引用了迁出范围以外的数据，不能单独迁出（共 %zu 处）:\n%s",
                c->nproblems, c->problems.data);
        rc = SC_INVALID;
        goto done;
    }
    if (copy_audit(c, head, root, org_code, &archive, &nrows, why) < 0) goto done;
    int bad = check_copy(c, report, why);
    if (bad < 0) goto done;
    if (bad) {
        set_err(why, "核对不符，已回滚:\n%s", report->data);
        goto done;
    }
    buf_printf(report, "随迁的审计日志: %lld 条存入目标库 audit_archive（源库审计日志 %s）\n",
               (long long)nrows, head);
    char *after = copy_after(c, from, to, org_code, parent_code, head, archive);
    int ok = uow_audit(c->dst, who, action, NULL, 0, root, NULL, after, why) == 0;
    free(after);
    if (!ok || verify_dst(c, report, why) != 0) goto done;
    rc = SC_OK;
done:
    json_decref(archive);
    if (!uow_end(c->dst, rc == SC_OK, why)) rc = rc == SC_OK ? SC_ERR : rc;
    return rc;
}

/* Copy in: the destination's parent org, the orgs (clashes), every other clash, the tags. SC_OK,
 * or the refusal with *why. */
static int plan_in(Copy *c, const char *parent_code, Buf *report, int64_t *parent, int64_t *root,
                   char **why) {
    Buf clashes;
    buf_init(&clashes);
    size_t nclash = 0;
    int rc = SC_ERR;
    if (parent_code && db_query_int(c->dst, parent, "SELECT id FROM org WHERE code = ?", "t",
                                    parent_code) != DB_OK)
        set_err(why, "读取目标库机构失败: %s", db_errmsg(c->dst));
    else if (parent_code && !*parent)
        rc = SC_NOT_FOUND, set_err(why, "目标库中没有机构代码 %s", parent_code);
    else if (plan_offsets(c, why) == 0 &&
             plan_orgs_in(c, c->write_org, &clashes, &nclash, why) == 0) {
        int failed = 0;
        for (size_t u = 0; u < sizeof UNIQUES / sizeof UNIQUES[0] && !failed; u++)
            failed = unique_clashes(c, &UNIQUES[u], &clashes, &nclash, why) < 0;
        if (!failed && nclash)
            rc = SC_INVALID,
            set_err(why, "目标库中已有以下数据（共 %zu 处冲突），未写入任何数据:\n%s", nclash,
                    clashes.data);
        else if (!failed && !c->norgs)
            rc = SC_INVALID, set_err(why, "源库中没有可迁入的机构");
        else if (!failed && plan_tags(c, c->write_tag, why) == 0)
            rc = SC_OK;
    }
    buf_free(&clashes);
    if (rc != SC_OK) return rc;
    *root = c->dst_orgs[0];
    char *key_s = NULL, *key_d = NULL;
    static const char key_sql[] = "SELECT value FROM meta WHERE key = 'pseudonym_key'";
    if (db_query_text(c->src, &key_s, key_sql, NULL) == DB_OK &&
        db_query_text(c->dst, &key_d, key_sql, NULL) == DB_OK && !str_eq(key_s, key_d))
        buf_puts(report, "注意: 源库与目标库的参保人编码密钥不同；迁入的参保人保留源库的编码，"
                         "此后在目标库导入同一参保人会得到另一编码（见 docs/ARCHITECTURE.md）\n");
    free(key_s);
    free(key_d);
    return SC_OK;
}

/* Copy out: an empty destination, the subtree, the tags, the pseudonym key its insured persons'
 * codes were made with. SC_OK, or the refusal with *why. */
static int plan_out(Copy *c, const char *org_code, int64_t *root, char **why) {
    int64_t existing = 0;
    int rc = SC_ERR;
    if (db_query_int(c->dst, &existing, "SELECT count(*) FROM org", NULL) != DB_OK)
        set_err(why, "读取目标库失败: %s", db_errmsg(c->dst));
    else if (existing)
        rc = SC_INVALID, set_err(why, "迁出的目标库须为新建的空库");
    else if (plan_orgs_out(c, org_code, c->write_org, root, why) == 0 && !*root)
        rc = SC_NOT_FOUND, set_err(why, "源库中没有机构代码 %s", org_code);
    else if (*root && plan_tags(c, c->write_tag, why) == 0)
        rc = SC_OK;
    char *key = NULL;
    if (rc == SC_OK &&
        (db_query_text(c->src, &key, "SELECT value FROM meta WHERE key = 'pseudonym_key'", NULL) !=
             DB_OK ||
         (key && db_exec(c->dst, "UPDATE meta SET value = ? WHERE key = 'pseudonym_key'", "t",
                         key) != DB_OK)))
        rc = SC_ERR, set_err(why, "写入参保人编码密钥失败: %s", db_errmsg(c->dst));
    free(key);
    return rc;
}

/* Both directions: `code` is the parent (in) or the county (out). */
static int dbcopy_run(Db *src, Db *dst, int out, const Actor *who, const char *code,
                      const char *from, const char *to, const DbCopyFiles *files, Buf *report,
                      char **why) {
    char *head = NULL;
    if (same_schema(src, dst, why)) return SC_INVALID;
    int rc = check_tables(src, why);
    if (rc != SC_OK) return rc;
    rc = source_head(src, &head, why);
    if (rc != SC_OK) return rc;
    if (uow_begin(dst, why) != 0) {
        free(head);
        return SC_BUSY;
    }
    Copy c = {.src = src, .dst = dst, .out = out, .files = files, .why = why};
    buf_init(&c.problems);
    c.st[T_ORG].map = strmap_new();
    c.st[T_TAG].map = strmap_new();
    c.write_org = strmap_new();
    c.write_tag = strmap_new();
    int64_t parent = 0, root = 0;
    rc = out ? plan_out(&c, code, &root, why) : plan_in(&c, code, report, &parent, &root, why);
    if (rc == SC_OK)
        rc = finish_copy(&c, who, out ? "db.copy.out" : "db.copy.in", parent, root,
                         out ? code : NULL, out ? NULL : code, from, to, head, report, why);
    else
        uow_end(dst, 0, NULL);
    if (rc == SC_OK && out) {
        /* the province records who took the county out, as an export does */
        char *after = copy_after(&c, from, to, code, NULL, head, NULL);
        if (uow_record(src, who, "db.copy.out", NULL, 0, root, NULL, after, why) != 0)
            buf_printf(report, "注意: 源库未能记下本次迁出的审计记录: %s\n", *why ? *why : "");
        free(after);
    }
    copy_free(&c);
    free(head);
    return rc;
}

int dbcopy_in(Db *src, Db *dst, const Actor *who, const char *parent_code, const char *from,
              const char *to, const DbCopyFiles *files, Buf *report, char **why) {
    return dbcopy_run(src, dst, 0, who, parent_code, from, to, files, report, why);
}

int dbcopy_out(Db *src, Db *dst, const Actor *who, const char *org_code, const char *from,
               const char *to, const DbCopyFiles *files, Buf *report, char **why) {
    return dbcopy_run(src, dst, 1, who, org_code, from, to, files, report, why);
}
