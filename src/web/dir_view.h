/* dir_view.h - what the directory pages and the JSON API share: the request's kind and filters
 * handed to the directory's domain functions (dir_query.h, dir_edit.h), their results mapped to
 * HTTP statuses. */
#ifndef SPOTCHECK_DIR_VIEW_H
#define SPOTCHECK_DIR_VIEW_H

#include "../domain/dir_io.h"
#include "../domain/dir_query.h"
#include "../domain/directory.h"
#include "web.h"

/* Resolves :kind or answers 404 (returns NULL). */
const DirKind *dv_kind(Req *r);
/* The list (dir_list): filters from the query string (q, each field's column, after, before) in
 * the user's jurisdiction. */
json_t *dv_list(Req *r, const DirKind *k);
/* One row in scope (dir_get), or NULL when absent or outside the user's scope. */
json_t *dv_get(Req *r, const DirKind *k, long long id, int with_history);
/* Input getter: returns a new string for the field's column (multi-values joined by ','), or
 * NULL when the field is absent from the input. */
typedef char *(*DvInput)(Req *r, const DirField *f, void *arg);
/* Validates input and saves it (dir_edit_save: insert when id is 0, else update of that row).
 * Returns 200/201 with *id_out; 422 with *errors (object column → message); 409 with *message and
 * *current_version when the row has changed since it was read; 403/404/500 with *message. */
int dv_save(Req *r, const DirKind *k, long long id, DvInput in, void *arg, json_t **errors,
            long long *id_out, char **message, int64_t *current_version);
/* Status change with reason and audit (dir_edit_status). Returns 200 or an error status with
 * *message. */
int dv_set_status(Req *r, const DirKind *k, long long id, const char *status, const char *reason,
                  char **message);
/* Writes the rows the list shows with the same filters and scope (the query string) to path,
 * personal data as pii says (the caller checks the permission and writes the audit row); *rows
 * receives the count. Returns 0 or -1 with *err. */
int dv_export(Req *r, const DirKind *k, const char *path, TableFormat fmt, DirExportPii pii,
              long long *rows, char **err);
/* 1 when the current user may write this kind. */
int dv_can_write(Req *r, const DirKind *k);

#endif
