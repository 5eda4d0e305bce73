/* table_impl.h - what the format modules of src/io/ share behind table.h. Not for outside use.
 *
 * A TableReader/TableWriter is a small vtable that each format embeds as its first member, so
 * table.c can dispatch without knowing the formats' internals. The constructors below are called
 * only by table.c, after it has decided the format. */
#ifndef SPOTCHECK_TABLE_IMPL_H
#define SPOTCHECK_TABLE_IMPL_H

#include "table.h"

struct TableReader {
    TableFormat fmt;
    int (*next)(TableReader *r, char ***cells, size_t *ncells, long *row_no, char **err);
    void (*date_columns)(TableReader *r, const int *cols, size_t ncols);
    void (*close)(TableReader *r);
};

struct TableWriter {
    TableFormat fmt;
    int (*write_row)(TableWriter *w, const char *const *cells, size_t ncells, char **err);
    int (*close)(TableWriter *w, char **err); /* finishes and frees */
};

/* The highest row number a spreadsheet has (Excel's limit); also bounds hostile XLSX files. */
#define TABLE_MAX_ROWS 1048576L
/* Bytes in one row, all cells together: bounds memory for hostile files (a compressed XLSX can
 * expand a few kilobytes into a row of TABLE_MAX_COLS full cells). */
#define TABLE_MAX_ROW (64u << 20)

/* csv.c. fd is owned by the reader from here on (closed even on failure). `data` is copied. */
TableReader *csv_reader_open_fd(int fd, TableEncoding enc, char **err);
TableReader *csv_reader_open_mem(const void *data, size_t len, TableEncoding enc, char **err);
TableWriter *csv_writer_open(const char *path, char **err);

/* xlsx_read.c. `data` is copied. */
TableReader *xlsx_reader_open_path(const char *path, char **err);
TableReader *xlsx_reader_open_mem(const void *data, size_t len, char **err);

/* xlsx_write.c */
TableWriter *xlsx_writer_open(const char *path, const char *sheet_name, char **err);

#endif
