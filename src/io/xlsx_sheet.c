/* xlsx_sheet.c - the worksheet stream of the XLSX reader (xlsx_read.c): the worksheet is parsed by
 * expat in chunks; the end of each non-empty <row> suspends the parser (XML_StopParser resumable),
 * so one call to table_next yields one row and memory holds one row, whatever the sheet's size.
 * Cells are placed by their reference (r="C7"), so skipped cells come back as "". Values: shared
 * strings, inline strings, t="str" formula results, booleans as TRUE/FALSE, errors as their text
 * (#N/A), numbers shown as Excel shows them in the General format (15 significant digits, integers
 * without ".0" or exponent up to 1e21), and numbers in the date columns as YYYY-MM-DD. Rows, row
 * numbers, columns and cells are bounded (TABLE_MAX_ROWS, TABLE_MAX_ROW, TABLE_MAX_COLS,
 * TABLE_MAX_CELL). Called only through xlsx_read.c (the reader's vtable and parser handlers). */
#include "table_impl.h"
#include "xlsx_impl.h"

#include "../core/util.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_SLOT SIZE_MAX

enum { T_NUM = 0, T_SST, T_STR, T_INLINE, T_BOOL, T_ERR, T_DATE };

/* Number as Excel's General format shows it. Non-numbers are returned as they are. */
static void fmt_number(const char *txt, Buf *out) {
    char *end, s[96];
    while (*txt == ' ')
        txt++;
    double x = strtod(txt, &end);
    while (*end == ' ')
        end++;
    if (end == txt || *end || !isfinite(x)) {
        buf_puts(out, txt);
        return;
    }
    if (x == 0) {
        buf_putc(out, '0');
        return;
    }
    snprintf(s, sizeof s, "%.15g", x);
    if (strchr(s, 'e')) {
        double y = strtod(s, NULL), a = fabs(y);
        if (a >= 1 && a < 1e21) {
            snprintf(s, sizeof s, "%.0f", y);
        } else if (a < 1) {
            int dec = 14 - (int)floor(log10(a));
            if (dec > 60) dec = 60;
            snprintf(s, sizeof s, "%.*f", dec, y);
            size_t n = strlen(s);
            while (n > 0 && s[n - 1] == '0')
                s[--n] = 0;
            if (n > 0 && s[n - 1] == '.') s[--n] = 0;
        }
    }
    buf_puts(out, s);
}

/* Excel date serial to "YYYY-MM-DD" (1900 system with its fictitious 1900-02-29, or 1904).
 * Returns 0 when x is not a date Excel can show. */
static int serial_to_date(double x, int date1904, char out[64]) {
    if (!(x >= (date1904 ? 0 : 1)) || !(x < 2958466)) return 0;
    long d = (long)floor(x), z;
    if (date1904) {
        z = d - 24107;
    } else if (d == 60) {
        memcpy(out, "1900-02-29", 11);
        return 1;
    } else {
        z = d < 60 ? d - 25568 : d - 25569;
    }
    /* days since 1970-01-01 to civil date (H. Hinnant's algorithm) */
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100),
         mp = (5 * doy + 2) / 153;
    long dd = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(out, 64, "%04ld-%02ld-%02ld", y + (m <= 2), m, dd);
    return 1;
}

/* "C7" → column 2. Returns -1 when the reference is malformed, INT32_MAX when beyond XFD. */
static int ref_col(const char *ref) {
    long col = 0;
    int n = 0;
    for (; (*ref >= 'A' && *ref <= 'Z') || (*ref >= 'a' && *ref <= 'z'); ref++, n++) {
        if (n == 3) return INT32_MAX;
        col = col * 26 + ((*ref & ~0x20) - 'A' + 1);
    }
    if (n == 0 || *ref < '0' || *ref > '9') return -1; /* a cell reference has a row part */
    return col > 16384 ? INT32_MAX : (int)(col - 1);
}

/* Parses a positive decimal; -1 when malformed or above max. */
static long parse_pos(const char *s, long max) {
    long v = 0;
    if (!*s) return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        v = v * 10 + (*s - '0');
        if (v > max) return -1;
    }
    return v;
}

/* ---- the worksheet ---- */

void XMLCALL xlsx_sheet_start(void *ud, const XML_Char *name, const XML_Char **atts) {
    XlsxReader *r = ud;
    const char *n = lname(name);
    if (!r->in_sheetdata) {
        if (strcmp(n, "sheetData") == 0) r->in_sheetdata = 1;
        return;
    }
    if (!r->in_row) {
        if (strcmp(n, "row") != 0) return;
        const char *v = attr(atts, "r", 0);
        long rn = v ? parse_pos(v, TABLE_MAX_ROWS) : r->last_row + 1;
        if (rn < 1 || rn > TABLE_MAX_ROWS) {
            xlsx_xml_error(r, "XLSX 工作表的行号无效或超过 %ld 行（第%ld行之后）", TABLE_MAX_ROWS,
                           r->last_row);
            return;
        }
        r->in_row = 1;
        r->row_r = rn;
        r->next_col = 0;
        r->maxcol = -1;
        r->nonempty = 0;
        buf_reset(&r->row);
        return;
    }
    if (!r->in_c) {
        if (strcmp(n, "c") != 0) return;
        const char *ref = attr(atts, "r", 0), *t = attr(atts, "t", 0);
        int col = ref ? ref_col(ref) : -1;
        r->col = col >= 0 ? col : r->next_col;
        if (r->col < INT32_MAX) r->next_col = r->col + 1;
        r->ctype = !t                            ? T_NUM
                   : strcmp(t, "s") == 0         ? T_SST
                   : strcmp(t, "inlineStr") == 0 ? T_INLINE
                   : strcmp(t, "str") == 0       ? T_STR
                   : strcmp(t, "b") == 0         ? T_BOOL
                   : strcmp(t, "e") == 0         ? T_ERR
                   : strcmp(t, "d") == 0         ? T_DATE
                   : strcmp(t, "n") == 0         ? T_NUM
                                                 : T_STR;
        r->in_c = 1;
        r->in_v = r->in_is = 0;
        r->rph_depth = 0;
        buf_reset(&r->text);
        return;
    }
    if (strcmp(n, "v") == 0) {
        r->in_v = 1;
    } else if (strcmp(n, "is") == 0) {
        r->in_is = 1;
    } else if (strcmp(n, "rPh") == 0) {
        r->rph_depth++;
    } else if (strcmp(n, "t") == 0 && r->in_is && !r->rph_depth) {
        r->in_v = 1; /* collect inline text like a value */
    }
}

/* Computes the current cell's value into r->row and records its slot. */
static void cell_done(XlsxReader *r) {
    if (r->col >= TABLE_MAX_COLS) {
        if (r->text.len) xlsx_xml_error(r, "第%ld行: 列数超过 %d 列上限", r->row_r, TABLE_MAX_COLS);
        return;
    }
    size_t start = r->row.len;
    const char *txt = r->text.data ? r->text.data : "";
    switch (r->text.len ? r->ctype : -1) {
    case -1: /* no value: an empty (perhaps only formatted) cell */
        break;
    case T_SST: {
        long i = parse_pos(txt, LONG_MAX / 16);
        if (i < 0 || (size_t)i >= r->sst_n) {
            xlsx_xml_error(r, "第%ld行: 共享字符串编号 \"%.20s\" 无效", r->row_r, txt);
            return;
        }
        buf_puts(&r->row, r->sst.data + r->sst_off[i]);
        break;
    }
    case T_BOOL:
        buf_puts(&r->row, strcmp(txt, "1") == 0 ? "TRUE" : strcmp(txt, "0") == 0 ? "FALSE" : txt);
        break;
    case T_NUM: {
        char d[64];
        char *end;
        double x = strtod(txt, &end);
        if (r->datecol[r->col] && end > txt && !*end && serial_to_date(x, r->date1904, d))
            buf_puts(&r->row, d);
        else
            fmt_number(txt, &r->row);
        break;
    }
    case T_DATE: /* ISO 8601 text; a date column wants only the date part */
        buf_append(&r->row, txt,
                   r->datecol[r->col] && r->text.len > 10 && txt[10] == 'T' ? 10 : r->text.len);
        break;
    case T_INLINE:
    case T_STR:
        buf_append(&r->row, txt, r->text.len ? xlsx_unescape_x(r->text.data, r->text.len) : 0);
        break;
    default:
        buf_append(&r->row, txt, r->text.len);
        break;
    }
    if (r->row.len > TABLE_MAX_ROW) {
        xlsx_xml_error(r, "第%ld行: 整行超过 %u MB 上限", r->row_r, TABLE_MAX_ROW >> 20);
        return;
    }
    int c = r->col;
    if (c > r->maxcol) {
        for (int i = r->maxcol + 1; i <= c; i++)
            r->slot[i] = NO_SLOT;
        r->maxcol = c;
    }
    if (r->row.len > start) {
        r->slot[c] = start;
        r->nonempty = 1;
    }
    buf_putc(&r->row, 0);
}

void XMLCALL xlsx_sheet_end(void *ud, const XML_Char *name) {
    XlsxReader *r = ud;
    const char *n = lname(name);
    if (!r->in_sheetdata) return;
    if (r->in_c) {
        if (strcmp(n, "c") == 0) {
            r->in_c = 0;
            cell_done(r);
        } else if (strcmp(n, "v") == 0 || strcmp(n, "t") == 0) {
            r->in_v = 0;
        } else if (strcmp(n, "is") == 0) {
            r->in_is = 0;
        } else if (strcmp(n, "rPh") == 0 && r->rph_depth) {
            r->rph_depth--;
        }
        return;
    }
    if (r->in_row) {
        if (strcmp(n, "row") != 0) return;
        r->in_row = 0;
        r->last_row = r->row_r;
        if (!r->nonempty) return;
        for (int i = 0; i <= r->maxcol; i++) {
            if (r->slot[i] == NO_SLOT) {
                r->empties[i] = 0;
                r->cells[i] = &r->empties[i];
            } else {
                r->cells[i] = r->row.data + r->slot[i];
            }
        }
        r->row_ready = 1;
        XML_StopParser(r->cur, XML_TRUE);
        return;
    }
    if (strcmp(n, "sheetData") == 0) {
        r->sheet_done = 1;
        XML_StopParser(r->cur, XML_FALSE); /* nothing after sheetData matters */
    }
}

void XMLCALL xlsx_sheet_chars(void *ud, const XML_Char *s, int len) {
    XlsxReader *r = ud;
    if (!r->in_v || r->rph_depth) return;
    if (r->text.len + (size_t)len > TABLE_MAX_CELL) {
        xlsx_xml_error(r, "第%ld行: 单元格超过 %u MB 上限", r->row_r, TABLE_MAX_CELL >> 20);
        return;
    }
    buf_append(&r->text, s, (size_t)len);
}

static int xfail(XlsxReader *r, char **err, const char *msg) {
    free(r->failed);
    r->failed = xstrdup(msg);
    return set_err(err, "%s", msg);
}

int xlsx_next(TableReader *tr, char ***cells, size_t *ncells, long *row_no, char **err) {
    XlsxReader *r = (XlsxReader *)tr;
    if (r->failed) return set_err(err, "%s", r->failed);
    r->row_ready = 0;
    while (r->xstate != X_DONE) {
        enum XML_Status st;
        r->cur = r->xp;
        if (r->xstate == X_SUSPENDED) {
            st = XML_ResumeParser(r->xp);
        } else {
            void *buf = XML_GetBuffer(r->xp, XLSX_CHUNK);
            ASSERT(buf);
            char *e = NULL;
            zip_int64_t got =
                xlsx_entry_read(r->zf, buf, XLSX_CHUNK, &r->sheet_read, r->sheet_cap, "工作表", &e);
            if (got < 0) {
                xfail(r, err, e);
                free(e);
                return -1;
            }
            r->last_final = got == 0;
            st = XML_ParseBuffer(r->xp, (int)got, r->last_final);
        }
        if (st == XML_STATUS_SUSPENDED) {
            r->xstate = X_SUSPENDED;
            ASSERT(r->row_ready);
            *cells = r->cells;
            *ncells = (size_t)r->maxcol + 1;
            *row_no = r->row_r;
            return 1;
        }
        if (st == XML_STATUS_ERROR) {
            if (r->hmsg) return xfail(r, err, r->hmsg);
            if (r->sheet_done) {
                r->xstate = X_DONE;
                break;
            }
            char *msg = xasprintf("XLSX 工作表不是有效的 XML（%s，第%ld行之后）",
                                  XML_ErrorString(XML_GetErrorCode(r->xp)), r->last_row);
            xfail(r, err, msg);
            free(msg);
            return -1;
        }
        r->xstate = r->last_final ? X_DONE : X_NEED_DATA;
    }
    return 0;
}

void xlsx_date_columns(TableReader *tr, const int *cols, size_t ncols) {
    XlsxReader *r = (XlsxReader *)tr;
    memset(r->datecol, 0, sizeof r->datecol);
    for (size_t i = 0; i < ncols; i++)
        if (cols[i] >= 0 && cols[i] < TABLE_MAX_COLS) r->datecol[cols[i]] = 1;
}
