/* dir_query.h - reading the directories (一单两库 and the reference directories) for the pages, the
 * JSON API and the command line: the filtered, keyset-paged list inside the reader's jurisdiction;
 * one row with its version history; the choices a form offers for reference and tag fields; the
 * export of what a list shows. Rows come back as JSON in the shape the pages render, personal data
 * masked (codes.h). The changes are dir_edit.h's; the engine is directory.h.
 * Thread-safety: uses only the Db handed in (a small per-thread cache of reference names). */
#ifndef SPOTCHECK_DIR_QUERY_H
#define SPOTCHECK_DIR_QUERY_H

#include "../db/db.h"
#include "actor.h"
#include "dir_io.h"
#include "directory.h"

#include <jansson.h>

#define DIR_PAGE_SIZE 50
#define DIR_COUNT_CAP 10000
/* The rows one page of a row-by-row search compares (a text shorter than the search index takes,
 * in a long list). */
#define DIR_SCAN_WINDOW 50000

/* The filters of a list (the caller owns the strings; NULL or "" means no filter). */
typedef struct DirQuery {
    /* the text search (trimmed here): kinds with a search index (DirKind.search) find the key
     * code by prefix and a fragment of the indexed text columns (address only for `full`
     * readers); a fragment shorter than DB_TEXT_SEARCH_MIN characters is compared row by row, a
     * window of DIR_SCAN_WINDOW rows a page when the list is longer. Other kinds: the key code
     * or the name contains it. */
    char *q;
    char *field[DIR_MAX_FIELDS]; /* per field of the kind, as k->fields: enum code, region prefix,
                                    referenced row's code or tag code */
    long long after, before;     /* keyset paging: the rows after / before this id (0: none) */
    long long page;              /* the page's number: alone, page N from the start (within the
                                    counted rows); with after/before, the number to show (0: none) */
    int last;                    /* the last page */
} DirQuery;

/* One page of kind k's rows matching q inside who's jurisdiction (who->org_id and below), in id
 * order: {"rows": [row], "total": n (capped at DIR_COUNT_CAP; null when a row-by-row search did
 * not count), "total_capped": bool, "next_after": id|null, "prev_before": id|null, "page": n|null,
 * "pages": n|null (null when unknown), "scan_window": rows compared by this page (0: the whole
 * list was searched)}. Each row: {"id", "version", "updated_at", "updated_by", "values": {column:
 * database form}, "display": {column: text}}. `full`: the reader may edit the kind, so personal
 * data other than ID and phone numbers shows (else "（已隐藏）"), and q is searched in it too.
 * Caller decrefs. */
json_t *dir_list(Db *db, const Actor *who, const DirKind *k, const DirQuery *q, int full);

/* Row id of kind k in who's jurisdiction, as a list row, with "history": [{version, to_version,
 * replaced_at, replaced_by, changes: [{label, from, to}]}] when with_history; NULL when absent or
 * outside. Caller decrefs. */
json_t *dir_get(Db *db, const Actor *who, const DirKind *k, long long id, int full,
                int with_history);

/* The rows a reference field to ref_table ("org", "dept", "tag") may name, in code order: orgs and
 * depts of who's jurisdiction, every tag. [{code, name}]; caller decrefs. */
json_t *dir_ref_options(Db *db, const Actor *who, const char *ref_table);

/* The enabled tags that apply to `applies_to` (检查对象 / 执法人员) or to all, in code order:
 * [{code, name}]; caller decrefs. */
json_t *dir_tag_options(Db *db, const char *applies_to);

/* The stored row id of kind k (SELECT *) as compact JSON text with sorted keys, personal data
 * masked: the before/after of an audit row. NULL when absent; caller frees. */
char *dir_row_audit_text(Db *db, const DirKind *k, long long id);

/* Writes every row matching q in who's jurisdiction (`full` as for dir_list; no window: every
 * row compared), in id order, to path, personal data as pii says (the caller has checked the
 * permission and writes the audit row, dir_export_audit). *rows receives the count. Returns 0 or
 * -1 with *err. */
int dir_export_query(Db *db, const Actor *who, const DirKind *k, const DirQuery *q, int full,
                     const char *path, TableFormat fmt, DirExportPii pii, long long *rows,
                     char **err);

/* The command line's export: every row of kind k in id order; an unmasked export of a kind owned
 * by an org only the rows of who->org_id and below. Returns 0 or -1 with *err. */
int dir_export_all(Db *db, const Actor *who, const DirKind *k, const char *path, TableFormat fmt,
                   DirExportPii pii, long long *rows, char **err);

#endif
