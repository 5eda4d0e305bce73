/* table.h - reading and writing spreadsheets as rows of UTF-8 text cells, whatever the file.
 *
 * Readers: CSV (UTF-8 with or without BOM, or GB18030/GBK, detected or forced) and XLSX (the
 * first worksheet, via libzip + expat; shared strings, inline strings, numbers; cells in a
 * column declared as dates with table_reader_date_columns() turn Excel serials into
 * "YYYY-MM-DD"). The format is decided by content (a zip signature means XLSX), not by name.
 *
 * Writers: CSV (UTF-8 with BOM, CRLF, RFC 4180 quoting, so Excel opens it) and XLSX (libxlsxwriter,
 * every cell written as text so codes keep their leading zeros).
 *
 * Rows are numbered as a spreadsheet shows them: the first row (the header) is 1; a CSV record
 * spanning several physical lines counts as one row; an XLSX row keeps its own row number.
 * Not thread-safe per object; separate objects are independent. */
#ifndef SPOTCHECK_TABLE_H
#define SPOTCHECK_TABLE_H

#include <stddef.h>

typedef struct TableReader TableReader;
typedef struct TableWriter TableWriter;

typedef enum { TABLE_ENC_AUTO = 0, TABLE_ENC_UTF8, TABLE_ENC_GB18030 } TableEncoding;
typedef enum { TABLE_CSV = 1, TABLE_XLSX = 2 } TableFormat;

/* Limits that protect the server from hostile files. */
#define TABLE_MAX_CELL (4u << 20) /* bytes in one cell */
#define TABLE_MAX_COLS 512

/* Opens `path`. Returns NULL and sets *err (Chinese message) when the file cannot be read or is
 * not a CSV/XLSX file. */
TableReader *table_reader_open(const char *path, TableEncoding enc, char **err);
/* Same on a memory buffer (copied); used by fuzz targets and uploads held in memory. */
TableReader *table_reader_open_mem(const void *data, size_t len, TableEncoding enc, char **err);
TableFormat table_reader_format(const TableReader *r);
/* For XLSX: 0-based column indexes whose numeric cells are Excel date serials to be rendered as
 * ISO dates. May be called after reading the header row. */
void table_reader_date_columns(TableReader *r, const int *cols, size_t ncols);
/* Reads the next row. Returns 1 and fills *cells (an array of *ncells NUL-terminated UTF-8
 * strings, valid until the next call) and *row_no; 0 at end of file; -1 on a malformed file with
 * *err set (e.g. "第12行: 引号未闭合"). Trailing empty cells are kept; fully empty rows are
 * skipped. */
int table_next(TableReader *r, char ***cells, size_t *ncells, long *row_no, char **err);
void table_reader_close(TableReader *r);

/* Creates `path` (truncating). Returns NULL and sets *err on failure. */
TableWriter *table_writer_open(const char *path, TableFormat fmt, const char *sheet_name,
                               char **err);
/* Appends one row of UTF-8 cells (NULL cells are empty). */
int table_write_row(TableWriter *w, const char *const *cells, size_t ncells, char **err);
/* Finishes the file; returns 0 on success. Always frees w. */
int table_writer_close(TableWriter *w, char **err);

/* Guesses the format from a file name: ".xlsx" → TABLE_XLSX, otherwise TABLE_CSV. */
TableFormat table_format_from_name(const char *path);

#endif
