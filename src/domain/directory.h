/* directory.h - 一单两库 and the reference directories: orgs, depts, tags, items, targets,
 * officers, experts. One generic engine driven by a field table per kind does validation,
 * versioned saves, status changes, history and import/export, so the CLI, the web forms and the
 * JSON API share exactly the same rules.
 *
 * Versioning: a save that changes anything writes the old row as JSON into entity_version and
 * bumps `version`; a removal is a status change with a reason. Saves never DELETE.
 * Thread-safety: the kind tables are immutable; everything else works on the caller's Db. */
#ifndef SPOTCHECK_DIRECTORY_H
#define SPOTCHECK_DIRECTORY_H

#include "../db/db.h"

#include <pthread.h>

#include <stddef.h>

typedef enum {
    FT_TEXT = 1, /* free text */
    FT_INT,      /* non-negative integer */
    FT_DATE,     /* YYYY-MM-DD (also accepts YYYY/M/D, YYYY.M.D, YYYY年M月D日) */
    FT_ENUM,     /* one of choices (label in files and UI, code in the database) */
    FT_MULTI,    /* several of choices, '、' or ',' separated in files; codes ',' in the db */
    FT_BOOL,     /* 是/否 */
    FT_REF,      /* code of a row of ref_table; stored as its id */
    FT_TAGS,     /* tag codes, stored as a sorted ',' list (plus a link table when set) */
    FT_REGION,   /* 6-digit 行政区划代码 */
} FieldType;

typedef struct Choice {
    const char *code;
    const char *label;
} Choice;

enum { FF_REQUIRED = 1, FF_KEY = 2, FF_NOEXPORT = 4, FF_SECRET = 8, FF_DERIVED = 16 };

typedef struct DirField {
    const char *header; /* Chinese column name in files and forms */
    const char *column; /* database column */
    FieldType type;
    int flags;
    const Choice *choices; /* FT_ENUM / FT_MULTI, terminated by {0} */
    const char *ref_table; /* FT_REF: table whose `code` column identifies the row */
    const char *hint;      /* short help shown in forms and in the import template */
    const char *def;       /* value used when the cell is empty (database form), or NULL */
} DirField;

#define DIR_MAX_FIELDS 24

/* Values of one row, database-ready (text; NULL = SQL NULL), indexed like the kind's fields. */
typedef struct DirRow {
    char *v[DIR_MAX_FIELDS];
    unsigned char set[DIR_MAX_FIELDS]; /* 1 = field given (a file column or a form field) */
} DirRow;

/* A validation error on one field: field index (or -1 for the whole row) and reason. */
typedef struct DirError {
    int field;
    char *reason;
} DirError;

typedef struct DirErrors {
    DirError *e;
    size_t n, cap;
} DirErrors;

typedef struct DirContext DirContext; /* caches and settings for one batch; see dir_context_new */

typedef struct DirKind {
    const char *name;  /* CLI/URL name: "targets" */
    const char *table; /* "target" */
    const char *label; /* "检查对象" */
    const DirField *fields;
    size_t nfields;
    const char *link_table; /* tag link table for FT_TAGS, or NULL */
    const char *link_fk;    /* its foreign-key column */
    /* Cross-field checks and derived values (e.g. target code from 医保编码); may be NULL. */
    void (*check_row)(DirContext *ctx, DirRow *row, DirErrors *errs);
    /* The text columns a search index covers (sql/033: the kind's table has one, read through
     * db_text_search), NULL-terminated; NULL for the small kinds, searched row by row. */
    const char *const *search;
} DirKind;

/* The targets a search index leaves out (sql/033's view target_searchable): insured persons, whose
 * names and addresses are personal data; their `kind`. */
#define DIR_SEARCH_SKIPS_KIND "insured"

/* Choice lists shared with other modules (target kinds, inspection methods 核查方式). */
extern const Choice target_kinds[];
extern const Choice inspection_methods[];

extern const DirKind *const dir_kinds[];
extern const size_t dir_kind_count;
const DirKind *dir_kind_find(const char *name);
int dir_field_index(const DirKind *k, const char *column); /* -1 when absent */
/* Label of a choice code (the code itself if unknown). */
const char *dir_choice_label(const Choice *choices, const char *code);

/* A batch context: caches of org/dept/tag codes, the actor's name for history, the scope (0 =
 * every org). Create one per import or per request. */
DirContext *dir_context_new(Db *db, const char *actor, long long scope_org_id);
/* Makes the context hold `lock` around each of its database reads (reference lookups, the
 * pseudonym key, the org scope), so that contexts on several threads may share one connection
 * while parsing rows; NULL (the default) takes no lock. */
void dir_context_set_lock(DirContext *ctx, pthread_mutex_t *lock);
void dir_context_free(DirContext *ctx);
/* Allows the next saves through ctx to change a target's credit grade, with the reason and the
 * basis (评价文号 or the check record) written to its credit record (credit_event 等级调整).
 * Without both, a save that changes a grade is refused, whatever the path (form, API, import). */
void dir_context_allow_grade_change(DirContext *ctx, const char *reason, const char *basis);
/* The optimistic lock of the next update through ctx: the version the row was read at (0: none).
 * A stored row at another version makes dir_save answer DIR_STALE, and
 * dir_context_found_version then gives the stored version. */
void dir_context_expect_version(DirContext *ctx, int64_t version);
/* The org owning row id of kind k (0 for kinds without an org, no such row, or a read error). */
int64_t dir_row_org(Db *db, const DirKind *k, long long id);
/* Whether code is registered in kind k: 0 no, 1 within the jurisdiction of org (its own and the
 * orgs below; kinds without an org: anywhere), 2 only outside it — which a page must not tell;
 * -1 when it cannot be read. */
int dir_code_seen(Db *db, const DirKind *k, const char *code, int64_t org);
int64_t dir_context_found_version(const DirContext *ctx);
Db *dir_context_db(DirContext *ctx);
/* 1 when org_id is the context's scope org or below it (always 1 for an unscoped context). */
int dir_scope_contains(DirContext *ctx, long long org_id);
/* Secret key for insured pseudonyms, loaded from meta (created by init). */
const unsigned char *dir_context_pseudonym_key(DirContext *ctx);

void dir_row_clear(DirRow *row, const DirKind *k);
void dir_errors_add(DirErrors *errs, int field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void dir_errors_free(DirErrors *errs);

/* Converts user text (from a file cell or a form field) into row->v[field] for the database,
 * adding an error on bad input. `text` may be NULL or empty. */
void dir_parse_field(DirContext *ctx, const DirKind *k, int field, const char *text, DirRow *row,
                     DirErrors *errs);
/* Runs required-field checks and the kind's check_row. Call after every field is parsed. */
void dir_check_row(DirContext *ctx, const DirKind *k, DirRow *row, DirErrors *errs);

enum { DIR_STALE = -2, DIR_UNCHANGED = 0, DIR_INSERTED = 1, DIR_UPDATED = 2 };
/* Inserts or updates the row identified by its key field. On update, the old row goes to
 * entity_version first. Returns DIR_INSERTED/DIR_UPDATED/DIR_UNCHANGED, DIR_STALE when the
 * stored row is not at the version dir_context_expect_version named, or DB_ERR (message via
 * set_err). The caller owns the transaction. *id_out (may be NULL) receives the row id. */
int dir_save(DirContext *ctx, const DirKind *k, const DirRow *row, long long *id_out, char **err);
/* Copies row `id` of directory table `table` (a kind's table name, never user input) into
 * entity_version before a change, as dir_save does; for system fields other modules update
 * (e.g. target.last_checked_on at publication). The caller then bumps `version`. Returns DB_OK
 * or DB_ERR with *err. */
int dir_keep_version(Db *db, const char *table, int64_t id, const char *actor, char **err);
/* Changes status with a reason (required for anything but the default status), as a new
 * version. Returns DB_OK or DB_ERR with *err. */
int dir_set_status(DirContext *ctx, const DirKind *k, long long id, const char *status,
                   const char *reason, char **err);

/* Converts a database value back to file/UI text (labels, codes of referenced rows, 是/否).
 * Returns a new string. */
char *dir_format_field(DirContext *ctx, const DirKind *k, int field, const char *dbval);

/* "SELECT t.id, t.version, t.updated_at, t.updated_by, <field 0>, <field 1>... FROM table t":
 * reference fields come out as the referenced row's code, so column i+4 is field i in DirRow
 * form. The caller appends WHERE/ORDER BY and frees the string. */
#define DIR_SELECT_FIRST_FIELD 4
char *dir_select_sql(const DirKind *k);

/* Counts rows of a kind (all statuses); 0 when it cannot be read (for display). */
long long dir_count(Db *db, const DirKind *k);

#endif
