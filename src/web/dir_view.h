/* dir_view.h - what the directory pages and the JSON API share: listing with filters, scope and
 * keyset paging; loading one row with its version history; turning input into a saved row. */
#ifndef SPOTCHECK_DIR_VIEW_H
#define SPOTCHECK_DIR_VIEW_H

#include "../domain/dir_io.h"
#include "../domain/directory.h"
#include "web.h"

#define DIR_PAGE_SIZE 50
#define DIR_COUNT_CAP 10000

/* Resolves :kind or answers 404 (returns NULL). */
const DirKind *dv_kind(Req *r);
/* The list: filters from the query string (q, kind, status, grade, class, region, tag, after,
 * before). Returns {"rows": [...], "total": n, "next_after": id|null, "prev_before": id|null}.
 * Each row: {"id", "version", "fields": {column: display text}}. */
json_t *dv_list(Req *r, const DirKind *k);
/* One row in scope: {"id","version","updated_at","updated_by","fields":{column: db-form},
 * "display":{column: text}, "history":[{version, replaced_at, replaced_by, changes:[{label,
 * from, to}]}]}, or NULL when absent or outside the user's scope. */
json_t *dv_get(Req *r, const DirKind *k, long long id, int with_history);
/* Input getter: returns a new string for the field's column (multi-values joined by ','), or
 * NULL when the field is absent from the input. */
typedef char *(*DvInput)(Req *r, const DirField *f, void *arg);
/* Validates input and saves it (insert when id is 0, else update of that row) in one
 * transaction with an audit row. An update needs the input "version" the row was read at
 * (optimistic lock): 422 under "version" without it, 409 with *message and *current_version when
 * the row has changed since. On validation errors returns 422 and fills *errors (object column →
 * message); on success returns 200/201 and *id_out. Other failures: 403/404/500 with *message. */
int dv_save(Req *r, const DirKind *k, long long id, DvInput in, void *arg, json_t **errors,
            long long *id_out, char **message, int64_t *current_version);
/* Status change with reason and audit. Returns 200 or an error status with *message. */
int dv_set_status(Req *r, const DirKind *k, long long id, const char *status, const char *reason,
                  char **message);
/* Writes the rows the list shows with the same filters and scope (the query string) to path, personal
 * data as pii says (the caller checks the permission and writes the audit row); *rows receives the
 * count. Returns 0 or -1 with *err. */
int dv_export(Req *r, const DirKind *k, const char *path, TableFormat fmt, DirExportPii pii, long long *rows, char **err);
/* 1 when the current user may write this kind. */
int dv_can_write(Req *r, const DirKind *k);

#endif
