/* table.c - the entry points of table.h: chooses the format and dispatches to csv.c,
 * xlsx_read.c and xlsx_write.c through the vtables declared in table_impl.h.
 *
 * The reading format is decided by content, never by the file name: a zip signature means XLSX,
 * the OLE2 signature of the old binary .xls is refused with advice, anything else is CSV. The
 * writing format is the caller's choice (table_format_from_name helps). Called by the import and
 * export engine, the fuzz targets and the tests. Thread-safety: see table.h. */
#include "table_impl.h"

#include "../core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum { SNIFF_CSV, SNIFF_XLSX, SNIFF_XLS };

static int sniff(const unsigned char *s, size_t n) {
    if (n >= 4 && s[0] == 'P' && s[1] == 'K' &&
        ((s[2] == 3 && s[3] == 4) || (s[2] == 5 && s[3] == 6)))
        return SNIFF_XLSX;
    if (n >= 8 && memcmp(s, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0) return SNIFF_XLS;
    return SNIFF_CSV;
}

static const char XLS_ADVICE[] =
    "旧版 Excel 97-2003 (.xls) 文件不支持，请在 Excel 中另存为 .xlsx 或 CSV";

/* See table.h. The file's first bytes decide the format. */
TableReader *table_reader_open(const char *path, TableEncoding enc, char **err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_err(err, "无法打开文件 %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        set_err(err, "无法读取 %s: 不是普通文件", path);
        close(fd);
        return NULL;
    }
    unsigned char head[8];
    size_t n = 0;
    while (n < sizeof head) {
        ssize_t k = pread(fd, head + n, sizeof head - n, (off_t)n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        n += (size_t)k;
    }
    switch (sniff(head, n)) {
    case SNIFF_XLSX:
        close(fd);
        return xlsx_reader_open_path(path, err);
    case SNIFF_XLS:
        close(fd);
        set_err(err, "%s", XLS_ADVICE);
        return NULL;
    default:
        return csv_reader_open_fd(fd, enc, err);
    }
}

/* See table.h. */
TableReader *table_reader_open_mem(const void *data, size_t len, TableEncoding enc, char **err) {
    switch (sniff(data, len)) {
    case SNIFF_XLSX:
        return xlsx_reader_open_mem(data, len, err);
    case SNIFF_XLS:
        set_err(err, "%s", XLS_ADVICE);
        return NULL;
    default:
        return csv_reader_open_mem(data, len, enc, err);
    }
}

TableFormat table_reader_format(const TableReader *r) {
    return r->fmt;
}

void table_reader_date_columns(TableReader *r, const int *cols, size_t ncols) {
    r->date_columns(r, cols, ncols);
}

int table_next(TableReader *r, char ***cells, size_t *ncells, long *row_no, char **err) {
    return r->next(r, cells, ncells, row_no, err);
}

/* NULL-safe. */
void table_reader_close(TableReader *r) {
    if (r) r->close(r);
}

/* See table.h. sheet_name is used by XLSX only (made valid for Excel if needed). */
TableWriter *table_writer_open(const char *path, TableFormat fmt, const char *sheet_name,
                               char **err) {
    if (fmt == TABLE_XLSX) return xlsx_writer_open(path, sheet_name, err);
    return csv_writer_open(path, err);
}

int table_write_row(TableWriter *w, const char *const *cells, size_t ncells, char **err) {
    return w->write_row(w, cells, ncells, err);
}

int table_writer_close(TableWriter *w, char **err) {
    return w->close(w, err);
}

/* See table.h; the comparison ignores case (".XLSX"). */
TableFormat table_format_from_name(const char *path) {
    size_t n = strlen(path);
    return n >= 5 && strcasecmp(path + n - 5, ".xlsx") == 0 ? TABLE_XLSX : TABLE_CSV;
}
