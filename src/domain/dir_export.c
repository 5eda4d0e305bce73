/* dir_export.c - the export of a directory kind (dir_io.h): the rows of a statement written to CSV
 * or XLSX with the import's columns, personal data masked unless the export is unmasked (the header
 * row then says so), cells defused for Excel; and the audit row of an export. Callers: the CLI
 * (`spotcheck export`) and the export page. */
#include "uow.h"
#include "codes.h"
#include "dir_io.h"

#include "../core/util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dir_export_rows(Db *db, const DirKind *k, const char *path, TableFormat fmt, Stmt *st,
                    DirExportPii pii, long long *rows, char **err) {
    *rows = 0;
    db_large(st); /* every row of a kind, a province's ten million targets */
    TableWriter *w = table_writer_open(path, fmt, k->label, err);
    if (!w) {
        db_finalize(st);
        return -1;
    }
    const char *cells[DIR_MAX_FIELDS];
    char *heads[DIR_MAX_FIELDS] = {0};
    int idx[DIR_MAX_FIELDS];
    size_t n = 0;
    for (size_t i = 0; i < k->nfields; i++) {
        if (k->fields[i].flags & FF_NOEXPORT) continue;
        idx[n] = (int)i;
        /* an unmasked file says so in its header row, on each personal-data column */
        if (pii == DIR_EXPORT_UNMASKED && (k->fields[i].flags & FF_SECRET))
            heads[n] = xasprintf("%s（个人信息，未遮盖）", k->fields[i].header);
        cells[n] = heads[n] ? heads[n] : k->fields[i].header;
        n++;
    }
    int rc = table_write_row(w, cells, n, err);
    for (size_t j = 0; j < n; j++)
        free(heads[j]);
    DirContext *ctx = dir_context_new(db, NULL, 0);
    char *vals[DIR_MAX_FIELDS] = {0};
    int kind_col = !strcmp(k->table, "target") ? dir_field_index(k, "kind") : -1;
    while (rc == 0) {
        int s = db_step(st);
        if (s == DB_DONE) break;
        if (s != DB_ROW) {
            rc = set_err(err, "读取失败: %s", db_errmsg(db));
            break;
        }
        /* an insured person's name is personal data too: masked unless the export is unmasked */
        int insured = kind_col >= 0 && pii != DIR_EXPORT_UNMASKED &&
                      str_eq(db_col_text(st, DIR_SELECT_FIRST_FIELD + kind_col), "insured");
        for (size_t j = 0; j < n; j++) {
            const DirField *f = &k->fields[idx[j]];
            const char *v = db_col_text(st, DIR_SELECT_FIRST_FIELD + idx[j]);
            if (insured && v && !strcmp(f->column, "name")) {
                vals[j] = mask_person_name(v);
                cells[j] = vals[j];
                continue;
            }
            int masked = v && (f->flags & FF_SECRET) &&
                         (pii == DIR_EXPORT_MASKED_ALL ||
                          (pii == DIR_EXPORT_MASKED &&
                           (!strcmp(f->column, "id_number") || !strcmp(f->column, "phone"))));
            if (masked)
                vals[j] = !strcmp(f->column, "id_number") ? mask_id_number(v)
                          : !strcmp(f->column, "phone")   ? mask_phone(v)
                                                          : xstrdup("（已隐藏）");
            else
                vals[j] = dir_format_field(ctx, k, idx[j], v);
            /* "=…" must not run in Excel: the CSV writer defuses every cell; an XLSX cell is text,
             * only a value that already starts with ' before such a character gets one more */
            char *defused = fmt == TABLE_XLSX ? str_cell_export(vals[j], 0) : NULL;
            if (defused) {
                free(vals[j]);
                vals[j] = defused;
            }
            cells[j] = vals[j];
        }
        rc = table_write_row(w, cells, n, err);
        for (size_t j = 0; j < n; j++) {
            free(vals[j]);
            vals[j] = NULL;
        }
        if (rc == 0) (*rows)++;
    }
    db_finalize(st);
    dir_context_free(ctx);
    if (table_writer_close(w, rc == 0 ? err : NULL) != 0) rc = -1;
    return rc;
}

int dir_export_audit(Db *db, const Actor *who, const DirKind *k, long long rows, const char *filter,
                     int unmasked, const char *purpose, char **err) {
    char action[64];
    snprintf(action, sizeof action, "export.%s", k->name);
    json_t *a = json_pack("{s:I, s:s, s:b, s:s?}", "rows", (json_int_t)rows, "filter",
                          filter ? filter : "", "unmasked", unmasked, "purpose", purpose);
    char *after = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(a);
    int rc = uow_record(db, who, action, k->table, 0, who->org_id, NULL, after, err);
    if (rc && err && !*err) set_err(err, "审计日志无法写入");
    free(after);
    return rc;
}
