/* refdata.h - parser for the reference-data files in data/ (holidays, result and violation
 * categories, disposal options, inspection methods, regions): UTF-8 text, one record per line,
 * fields separated by TAB, '#' comment lines and blank lines ignored, a header line naming the
 * columns. Pure (no I/O): the caller reads the file or takes the embedded copy. Thread-safe. */
#ifndef SPOTCHECK_REFDATA_H
#define SPOTCHECK_REFDATA_H

#include <stddef.h>

typedef struct RefRow {
    int line;     /* 1-based line number in the text, for messages ("第N行") */
    char **field; /* ncols fields, trimmed, never NULL (an empty cell is "") */
} RefRow;

typedef struct RefTable {
    size_t ncols;
    char **cols; /* header names */
    size_t nrows;
    RefRow *rows;
} RefTable;

/* Parses `len` bytes of `text` (need not be NUL-terminated; a leading UTF-8 BOM is skipped).
 * `want_cols`, when not NULL, is a NULL-terminated list of the exact header the file must have
 * (same names, same order). Every data line must have exactly as many fields as the header.
 * Returns a new table (free with refdata_free), or NULL with *err set to one message per bad
 * line, "第N行: 原因", joined by '\n' (at most 20 lines, then "……"). Never aborts on bad input. */
RefTable *refdata_parse(const char *text, size_t len, const char *const *want_cols, char **err);

void refdata_free(RefTable *t);

/* Index of the column named `name`, or -1. */
int refdata_col(const RefTable *t, const char *name);

/* Field `col` of row `row`; NULL when the column does not exist or row is out of range. */
const char *refdata_get(const RefTable *t, size_t row, const char *col);

/* Parses a flag cell: "1", "是", "Y" → 1; "0", "否", "N", "" → 0. Returns 0 on success, -1
 * for anything else (*out untouched). */
int refdata_flag(const char *s, int *out);

#endif
