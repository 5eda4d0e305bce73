/* dir_io_report.c - the report of a directory import (dir_io.h): every problem as "第N行 列名:
 * 原因", the first IMPORT_REPORT_KEEP kept in line order with bounded memory, all of them spilled
 * to the errors CSV file, and the counts of rows inserted, updated and unchanged. Callers: the
 * files of the import (dir_io.c, dir_io_rows.c, dir_io_bulk.c) through dir_io_impl.h. */
#include "dir_io.h"
#include "dir_io_impl.h"

#include "../core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Leading line number of a report line ("第N行…"), 0 when it has none. */
static long report_line(const char *s) {
    long n = 0;
    return sscanf(s, "第%ld行", &n) == 1 ? n : 0;
}

typedef struct ReportLine {
    long line;
    size_t pos;
    char *s;
} ReportLine;

static int by_line(const void *a, const void *b) {
    const ReportLine *x = a, *y = b;
    if (x->line != y->line) return (x->line > y->line) - (x->line < y->line);
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Puts the kept lines in line order (stable: the bulk path names database errors after reading
 * the whole file) and keeps the first IMPORT_REPORT_KEEP. */
void import_report_sort(ImportReport *rep) {
    size_t n = rep->nerrors;
    if (n < 2) return;
    ReportLine *t = xmalloc(n * sizeof *t);
    for (size_t i = 0; i < n; i++) {
        t[i].line = report_line(rep->errors[i]);
        t[i].pos = i;
        t[i].s = rep->errors[i];
    }
    qsort(t, n, sizeof *t, by_line);
    for (size_t i = 0; i < n; i++) {
        if (i < IMPORT_REPORT_KEEP)
            rep->errors[i] = t[i].s;
        else
            free(t[i].s);
    }
    if (rep->nerrors > IMPORT_REPORT_KEEP) rep->nerrors = IMPORT_REPORT_KEEP;
    free(t);
}

/* Every problem goes to the errors file (opened at the first one) as 行号, 错误. */
static void report_spill(ImportReport *rep, const char *msg) {
    if (!rep->spill_path || rep->errors_file < 0) return;
    if (!rep->spill) {
        static const char *const head[] = {"行号", "错误"};
        rep->spill = table_writer_open(rep->spill_path, TABLE_CSV, "错误清单", NULL);
        if (!rep->spill || table_write_row(rep->spill, head, 2, NULL) != 0) {
            rep->errors_file = -1;
            return;
        }
        rep->errors_file = 1;
    }
    char line[24];
    snprintf(line, sizeof line, "%ld", report_line(msg));
    const char *cells[] = {line, msg};
    if (table_write_row(rep->spill, cells, 2, NULL) != 0) rep->errors_file = -1;
}

void import_report_add(ImportReport *rep, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    rep->total_errors++;
    report_spill(rep, msg);
    /* memory stays bounded: twice the kept lines at most, then the later ones in line order go */
    if (rep->nerrors == 2 * IMPORT_REPORT_KEEP) import_report_sort(rep);
    if (rep->nerrors == rep->caperrors) {
        rep->caperrors = rep->caperrors ? rep->caperrors * 2 : 16;
        rep->errors = xrealloc(rep->errors, rep->caperrors * sizeof *rep->errors);
    }
    rep->errors[rep->nerrors++] = msg;
}

/* Closes the errors file; it is whole (errors_file 1) only when every write succeeded. */
void import_report_close(ImportReport *rep) {
    if (rep->spill && table_writer_close(rep->spill, NULL) != 0) rep->errors_file = -1;
    rep->spill = NULL;
    if (rep->errors_file < 0) rep->errors_file = 0;
}

void import_report_free(ImportReport *rep) {
    if (rep->spill) table_writer_close(rep->spill, NULL);
    for (size_t i = 0; i < rep->nerrors; i++)
        free(rep->errors[i]);
    free(rep->errors);
    free(rep->spill_path);
    memset(rep, 0, sizeof *rep);
}

void import_report_row_errors(const DirKind *k, long row_no, const DirErrors *errs,
                              ImportReport *rep) {
    for (size_t i = 0; i < errs->n; i++) {
        if (errs->e[i].field >= 0)
            import_report_add(rep, "第%ld行 %s: %s", row_no, k->fields[errs->e[i].field].header,
                              errs->e[i].reason);
        else
            import_report_add(rep, "第%ld行: %s", row_no, errs->e[i].reason);
    }
}

/* Counts the result of one dir_save in the report. *id_out receives the row id (0 on error). */
void import_save_row(DirContext *ctx, const DirKind *k, const DirRow *row, long row_no,
                     ImportReport *rep, long long *id_out) {
    char *serr = NULL;
    *id_out = 0;
    int s = dir_save(ctx, k, row, id_out, &serr);
    if (s == DIR_INSERTED)
        rep->inserted++;
    else if (s == DIR_UPDATED)
        rep->updated++;
    else if (s == DIR_UNCHANGED)
        rep->unchanged++;
    else
        import_report_add(rep, "第%ld行: %s", row_no, serr ? serr : "写入失败");
    free(serr);
}
