/* xlsx_write.c - XLSX writer with libxlsxwriter, behind table.h.
 *
 * One worksheet, every cell written as a string (so codes keep their leading zeros and long
 * numbers their digits), the first row bold and frozen, column widths fitted to the widest cell
 * among the first WIDTH_ROWS rows (CJK characters count double). The workbook is written in
 * libxlsxwriter's constant-memory mode: rows go to a temporary file as they come, so exporting a
 * million rows does not hold them in memory; the .xlsx itself is assembled at close.
 *
 * Called only through table.c (table_writer_open). */
#include "table_impl.h"

#include "../core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#define WIDTH_ROWS 10000
#define WIDTH_MIN 8
#define WIDTH_MAX 60

typedef struct XlsxWriter {
    TableWriter base;
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold;
    char *path;
    long nrows;
    int ncols;
    unsigned short width[TABLE_MAX_COLS];
} XlsxWriter;

/* Display width of a UTF-8 string in character cells: wide East Asian characters count 2. */
static size_t display_width(const char *s) {
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned cp;
        int n;
        if (*p < 0x80)
            cp = *p, n = 1;
        else if ((*p & 0xE0) == 0xC0)
            cp = *p & 0x1Fu, n = 2;
        else if ((*p & 0xF0) == 0xE0)
            cp = *p & 0x0Fu, n = 3;
        else
            cp = *p & 0x07u, n = 4;
        for (int i = 1; i < n; i++) {
            if ((p[i] & 0xC0) != 0x80) {
                n = i;
                break;
            }
            cp = (cp << 6) | (p[i] & 0x3Fu);
        }
        p += n;
        w += (cp >= 0x1100 &&
              (cp <= 0x115F || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
               (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
               (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x20000))
                 ? 2
                 : 1;
    }
    return w;
}

/* Makes a valid worksheet name: no []:*?/\, not starting or ending with ', at most 31
 * characters; "Sheet1" when nothing is left. */
static char *sheet_name_fix(const char *name) {
    Buf b;
    buf_init(&b);
    size_t chars = 0;
    for (const char *p = name ? name : ""; *p && chars < LXW_SHEETNAME_MAX; chars++) {
        size_t n = 1;
        while ((p[n] & 0xC0) == 0x80)
            n++;
        if (n == 1 && strchr("[]:*?/\\", *p))
            buf_putc(&b, '_');
        else if (n == 1 && (unsigned char)*p < 0x20)
            buf_putc(&b, ' ');
        else
            buf_append(&b, p, n);
        p += n;
    }
    while (b.len && b.data[b.len - 1] == '\'')
        b.data[--b.len] = 0;
    char *s = buf_steal(&b), *t = s;
    while (*t == '\'')
        t++;
    if (!*t) {
        free(s);
        return xstrdup("Sheet1");
    }
    memmove(s, t, strlen(t) + 1);
    return s;
}

static int xw_write_row(TableWriter *tw, const char *const *cells, size_t ncells, char **err) {
    XlsxWriter *w = (XlsxWriter *)tw;
    if (w->nrows >= TABLE_MAX_ROWS)
        return set_err(err, "超过 Excel 的最大行数 %ld 行，请改用 CSV 导出", TABLE_MAX_ROWS);
    if (ncells > TABLE_MAX_COLS)
        return set_err(err, "第%ld行: 列数超过 %d 列上限", w->nrows + 1, TABLE_MAX_COLS);
    for (size_t i = 0; i < ncells; i++) {
        const char *s = cells[i];
        if (!s || !*s) continue;
        lxw_error e = worksheet_write_string(w->ws, (lxw_row_t)w->nrows, (lxw_col_t)i, s,
                                             w->nrows == 0 ? w->bold : NULL);
        if (e == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED)
            return set_err(err, "第%ld行第%zu列: 文字超过 Excel 单元格上限 32767 个字符",
                           w->nrows + 1, i + 1);
        if (e != LXW_NO_ERROR)
            return set_err(err, "第%ld行第%zu列: 写入 XLSX 失败: %s", w->nrows + 1, i + 1,
                           lxw_strerror(e));
        if (w->nrows < WIDTH_ROWS) {
            size_t dw = display_width(s) + 2;
            if (dw > WIDTH_MAX) dw = WIDTH_MAX;
            if (dw > w->width[i]) w->width[i] = (unsigned short)dw;
        }
    }
    if ((int)ncells > w->ncols) w->ncols = (int)ncells;
    w->nrows++;
    return 0;
}

static int xw_close(TableWriter *tw, char **err) {
    XlsxWriter *w = (XlsxWriter *)tw;
    for (int i = 0; i < w->ncols; i++) {
        double width = w->width[i] < WIDTH_MIN ? WIDTH_MIN : w->width[i];
        worksheet_set_column(w->ws, (lxw_col_t)i, (lxw_col_t)i, width, NULL);
    }
    lxw_error e = workbook_close(w->wb);
    int rc = 0;
    if (e != LXW_NO_ERROR) rc = set_err(err, "写入文件 %s 失败: %s", w->path, lxw_strerror(e));
    free(w->path);
    free(w);
    return rc;
}

/* Creates (truncates) path now, so an unwritable path fails here rather than at close. */
TableWriter *xlsx_writer_open(const char *path, const char *sheet_name, char **err) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        set_err(err, "无法创建文件 %s: %s", path, strerror(errno));
        return NULL;
    }
    fclose(f);
    lxw_workbook_options opt = {
        .constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_FALSE};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb) {
        set_err(err, "无法创建 XLSX 工作簿 %s", path);
        return NULL;
    }
    char *name = sheet_name_fix(sheet_name);
    lxw_worksheet *ws = workbook_add_worksheet(wb, name);
    free(name);
    if (!ws) ws = workbook_add_worksheet(wb, NULL);
    if (!ws) {
        workbook_close(wb);
        set_err(err, "无法创建 XLSX 工作表");
        return NULL;
    }
    XlsxWriter *w = xcalloc(1, sizeof *w);
    w->base.fmt = TABLE_XLSX;
    w->base.write_row = xw_write_row;
    w->base.close = xw_close;
    w->wb = wb;
    w->ws = ws;
    w->bold = workbook_add_format(wb);
    format_set_bold(w->bold);
    worksheet_freeze_panes(ws, 1, 0);
    w->path = xstrdup(path);
    return &w->base;
}
