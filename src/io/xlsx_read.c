/* xlsx_read.c - XLSX reader (first worksheet) with libzip + expat, behind table.h.
 *
 * Opening: the zip is opened (from the file, or from a private copy of a memory buffer); the
 * worksheet is found through xl/workbook.xml (the first visible <sheet>, else the first) and
 * xl/_rels/workbook.xml.rels (its Target), falling back to xl/worksheets/sheet1.xml; the
 * 1904 date system flag is read from <workbookPr>; the shared-string table is loaded whole
 * (rich-text runs concatenated, phonetic <rPh> runs left out, _xHHHH_ escapes decoded).
 * Reading: the worksheet is streamed through expat in chunks; the end of each non-empty <row>
 * suspends the parser (XML_StopParser resumable), so one call to table_next yields one row and
 * memory holds one row, whatever the sheet's size. Cells are placed by their reference (r="C7"),
 * so skipped cells come back as "". Values: shared strings, inline strings, t="str" formula
 * results, booleans as TRUE/FALSE, errors as their text (#N/A), numbers shown as Excel shows them
 * in the General format (15 significant digits, integers without ".0" or exponent up to 1e21),
 * and numbers in the date columns as YYYY-MM-DD.
 *
 * Hostile files: every zip entry is checked against a size cap and a compression-ratio cap
 * before and while it is inflated (zip bombs); corrupt or truncated zips are refused with a
 * Chinese message; a DOCTYPE aborts the parse (OOXML never has one, so no entity tricks), and so
 * does nesting deeper than MAX_DEPTH (expat would hold every open element);
 * cells, rows, columns and row numbers are bounded (TABLE_MAX_CELL, TABLE_MAX_ROW,
 * TABLE_MAX_COLS, TABLE_MAX_ROWS). No recursion on our side; expat keeps its own stack on the heap.
 *
 * Called only through table.c. */
#include "table_impl.h"

#include "../core/util.h"

#include <expat.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define NS_SEP '|'
#define XLSX_CHUNK (64u << 10)
#define CAP_SMALL (16u << 20)     /* workbook.xml, rels */
#define CAP_SST (256u << 20)      /* sharedStrings.xml, held in memory */
#define CAP_SHEET (2048ull << 20) /* the worksheet, streamed */
#define RATIO_FREE (32u << 20)    /* entries up to this size may compress arbitrarily well */
#define RATIO_MAX 250             /* beyond it, at most this inflation factor */
#define MAX_SHEETS 1024
#define MAX_RELS 4096
#define MAX_DEPTH 64 /* OOXML nests about 8 deep; expat keeps every open element, so a deep file is a memory bomb */
#define NO_SLOT SIZE_MAX

enum { T_NUM = 0, T_SST, T_STR, T_INLINE, T_BOOL, T_ERR, T_DATE };
enum { X_NEED_DATA = 0, X_SUSPENDED, X_DONE };

typedef struct Rel {
    char *id, *type, *target;
} Rel;

typedef struct XlsxReader {
    TableReader base;
    zip_t *za;
    XML_Parser cur;  /* parser running now (for XML_StopParser from handlers) */
    XML_StartElementHandler on_start; /* the handlers of the entry being parsed, behind the depth guard */
    XML_EndElementHandler on_end;
    int depth;
    char *hmsg;      /* error raised by a handler */
    const char *doc; /* entry being parsed, for messages */
    int date1904;
    unsigned char datecol[TABLE_MAX_COLS];

    /* workbook.xml */
    char *sheet_rid[MAX_SHEETS];
    int sheet_hidden[MAX_SHEETS];
    size_t nsheets;
    /* workbook.xml.rels */
    Rel rels[MAX_RELS];
    size_t nrels;

    /* shared strings: NUL-terminated strings back to back in sst, starting at sst_off[i] */
    Buf sst;
    uint32_t *sst_off;
    size_t sst_n, sst_cap;
    int in_si, in_t, rph_depth;
    size_t si_start;

    /* worksheet stream */
    zip_file_t *zf;
    uint64_t sheet_read, sheet_cap;
    XML_Parser xp;
    int xstate, last_final, sheet_done, row_ready;
    int in_sheetdata, in_row, in_c, in_v, in_is;
    long row_r, last_row;
    int col, next_col, ctype;
    Buf text; /* the current cell's raw text */
    Buf row;  /* the current row's cell values, NUL-terminated */
    size_t slot[TABLE_MAX_COLS];
    int maxcol, nonempty;
    char *cells[TABLE_MAX_COLS];
    char empties[TABLE_MAX_COLS]; /* writable "" for cells absent from the row */
    char *failed;
} XlsxReader;

/* ---- helpers ---- */

static const char *lname(const char *n) {
    const char *s = strrchr(n, NS_SEP);
    return s ? s + 1 : n;
}

/* Attribute by local name; `qualified` asks for one with a namespace (r:id) or without (r). */
static const char *attr(const XML_Char **atts, const char *name, int qualified) {
    for (size_t i = 0; atts[i]; i += 2) {
        const char *s = strrchr(atts[i], NS_SEP);
        if (qualified ? (s && strcmp(s + 1, name) == 0) : (!s && strcmp(atts[i], name) == 0))
            return atts[i + 1];
    }
    return NULL;
}

static void xerr(XlsxReader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void xerr(XlsxReader *r, const char *fmt, ...) {
    if (!r->hmsg) {
        va_list ap;
        va_start(ap, fmt);
        r->hmsg = xvasprintf(fmt, ap);
        va_end(ap);
    }
    XML_StopParser(r->cur, XML_FALSE);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset) {
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    XlsxReader *r = ud;
    xerr(r, "XLSX 文件中的 %s 含有 DTD 声明，已拒绝", r->doc);
}

/* Every element passes here first: nesting beyond MAX_DEPTH stops the parse. */
static void XMLCALL guard_start(void *ud, const XML_Char *name, const XML_Char **atts) {
    XlsxReader *r = ud;
    if (++r->depth > MAX_DEPTH) {
        xerr(r, "XLSX 文件中的 %s 嵌套超过 %d 层，不是正常的表格文件，已拒绝", r->doc, MAX_DEPTH);
        return;
    }
    r->on_start(ud, name, atts);
}

static void XMLCALL guard_end(void *ud, const XML_Char *name) {
    XlsxReader *r = ud;
    r->depth--;
    r->on_end(ud, name);
}

static XML_Parser new_parser(XlsxReader *r, XML_StartElementHandler start,
                             XML_EndElementHandler end, XML_CharacterDataHandler chars) {
    XML_Parser p = XML_ParserCreateNS(NULL, NS_SEP);
    ASSERT(p);
    XML_SetUserData(p, r);
    r->on_start = start;
    r->on_end = end;
    r->depth = 0;
    XML_SetElementHandler(p, guard_start, guard_end);
    if (chars) XML_SetCharacterDataHandler(p, chars);
    XML_SetStartDoctypeDeclHandler(p, on_doctype);
    r->cur = p;
    return p;
}

/* Opens entry `name` (case-insensitive fallback) after checking its declared size against cap
 * and the compression ratio. Returns NULL with *err set, or with *err untouched and *missing = 1
 * when there is no such entry. */
static zip_file_t *entry_open(XlsxReader *r, const char *name, uint64_t cap, int *missing,
                              char **err) {
    *missing = 0;
    zip_int64_t idx = zip_name_locate(r->za, name, 0);
    if (idx < 0) idx = zip_name_locate(r->za, name, ZIP_FL_NOCASE);
    if (idx < 0) {
        *missing = 1;
        return NULL;
    }
    zip_stat_t st;
    if (zip_stat_index(r->za, (zip_uint64_t)idx, 0, &st) != 0) {
        set_err(err, "XLSX 文件已损坏（无法读取 %s: %s）", name, zip_strerror(r->za));
        return NULL;
    }
    if ((st.valid & ZIP_STAT_SIZE) && st.size > cap) {
        set_err(err, "XLSX 文件中的 %s 解压后超过 %llu MB，已拒绝", name,
                (unsigned long long)(cap >> 20));
        return NULL;
    }
    if ((st.valid & ZIP_STAT_SIZE) && (st.valid & ZIP_STAT_COMP_SIZE) && st.size > RATIO_FREE &&
        st.size / RATIO_MAX > st.comp_size) {
        set_err(err, "XLSX 文件中的 %s 压缩比异常（疑似压缩炸弹），已拒绝", name);
        return NULL;
    }
    zip_file_t *zf = zip_fopen_index(r->za, (zip_uint64_t)idx, 0);
    if (!zf) set_err(err, "XLSX 文件已损坏（无法打开 %s: %s）", name, zip_strerror(r->za));
    return zf;
}

/* Reads up to n bytes; enforces the cap on the bytes actually inflated. */
static zip_int64_t entry_read(zip_file_t *zf, void *buf, size_t n, uint64_t *total, uint64_t cap,
                              const char *name, char **err) {
    zip_int64_t got = zip_fread(zf, buf, n);
    if (got < 0) {
        set_err(err, "XLSX 文件已损坏或不完整（读取 %s 失败: %s）", name, zip_file_strerror(zf));
        return -1;
    }
    *total += (uint64_t)got;
    if (*total > cap) {
        set_err(err, "XLSX 文件中的 %s 解压后超过 %llu MB，已拒绝", name,
                (unsigned long long)(cap >> 20));
        return -1;
    }
    return got;
}

/* Parses a whole entry with parser p. Returns 0, 1 when the entry is missing, -1 on error. */
static int parse_entry(XlsxReader *r, XML_Parser p, const char *name, uint64_t cap, char **err) {
    int missing, rc = 0;
    uint64_t total = 0;
    zip_file_t *zf = entry_open(r, name, cap, &missing, err);
    if (!zf) return missing ? 1 : -1;
    r->doc = name;
    for (;;) {
        void *buf = XML_GetBuffer(p, XLSX_CHUNK);
        ASSERT(buf);
        zip_int64_t got = entry_read(zf, buf, XLSX_CHUNK, &total, cap, name, err);
        if (got < 0) {
            rc = -1;
            break;
        }
        if (XML_ParseBuffer(p, (int)got, got == 0) != XML_STATUS_OK) {
            if (r->hmsg)
                set_err(err, "%s", r->hmsg);
            else
                set_err(err, "XLSX 文件中的 %s 不是有效的 XML（%s，第 %lu 行）", name,
                        XML_ErrorString(XML_GetErrorCode(p)),
                        (unsigned long)XML_GetCurrentLineNumber(p));
            rc = -1;
            break;
        }
        if (got == 0) break;
    }
    zip_fclose(zf);
    return rc;
}

/* Decodes Excel's _xHHHH_ escapes in place (s[0..n)); returns the new length. */
static size_t unescape_x(char *s, size_t n) {
    char *w = memmem(s, n, "_x", 2);
    if (!w) return n;
    const char *rd = w, *end = s + n;
    while (rd < end) {
        unsigned cp = 0;
        int ok = end - rd >= 7 && rd[0] == '_' && rd[1] == 'x' && rd[6] == '_';
        for (int i = 2; ok && i < 6; i++) {
            char ch = rd[i];
            unsigned v = ch >= '0' && ch <= '9'   ? (unsigned)(ch - '0')
                         : ch >= 'a' && ch <= 'f' ? (unsigned)(ch - 'a' + 10)
                         : ch >= 'A' && ch <= 'F' ? (unsigned)(ch - 'A' + 10)
                                                  : 16u;
            if (v > 15) ok = 0;
            cp = cp * 16 + v;
        }
        if (ok && cp >= 0xD800 && cp <= 0xDFFF) ok = 0;
        if (!ok) {
            *w++ = *rd++;
            continue;
        }
        rd += 7;
        if (cp == 0) continue; /* NUL cannot live in a C string */
        if (cp < 0x80) {
            *w++ = (char)cp;
        } else if (cp < 0x800) {
            *w++ = (char)(0xC0 | (cp >> 6));
            *w++ = (char)(0x80 | (cp & 0x3F));
        } else {
            *w++ = (char)(0xE0 | (cp >> 12));
            *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
            *w++ = (char)(0x80 | (cp & 0x3F));
        }
    }
    return (size_t)(w - s);
}

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

/* ---- workbook.xml ---- */

static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **atts) {
    XlsxReader *r = ud;
    const char *n = lname(name);
    if (strcmp(n, "workbookPr") == 0) {
        const char *v = attr(atts, "date1904", 0);
        r->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
    } else if (strcmp(n, "sheet") == 0 && r->nsheets < MAX_SHEETS) {
        const char *rid = attr(atts, "id", 1), *state = attr(atts, "state", 0);
        if (!rid) return;
        r->sheet_rid[r->nsheets] = xstrdup(rid);
        r->sheet_hidden[r->nsheets] = state && strcmp(state, "visible") != 0;
        r->nsheets++;
    }
}

static void XMLCALL no_end(void *ud, const XML_Char *name) {
    (void)ud, (void)name;
}

/* ---- workbook.xml.rels ---- */

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts) {
    XlsxReader *r = ud;
    if (strcmp(lname(name), "Relationship") != 0 || r->nrels == MAX_RELS) return;
    const char *id = attr(atts, "Id", 0), *type = attr(atts, "Type", 0),
               *target = attr(atts, "Target", 0), *mode = attr(atts, "TargetMode", 0);
    if (!id || !type || !target || (mode && strcmp(mode, "External") == 0)) return;
    Rel *rel = &r->rels[r->nrels++];
    rel->id = xstrdup(id);
    rel->type = xstrdup(type);
    rel->target = xstrdup(target);
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Resolves a Target relative to xl/ into a zip entry name, removing "." and ".." segments. */
static char *resolve_target(const char *target) {
    Buf path;
    buf_init(&path);
    if (*target == '/')
        target++;
    else
        buf_puts(&path, "xl/");
    buf_puts(&path, target);
    char *in = buf_steal(&path), *out = xmalloc(strlen(in) + 1);
    size_t o = 0;
    for (char *seg = in, *next; seg; seg = next) {
        next = strchr(seg, '/');
        if (next) *next++ = 0;
        if (!*seg || strcmp(seg, ".") == 0) continue;
        if (strcmp(seg, "..") == 0) {
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0) o--;
            continue;
        }
        if (o) out[o++] = '/';
        size_t k = strlen(seg);
        memcpy(out + o, seg, k);
        o += k;
    }
    out[o] = 0;
    free(in);
    return out;
}

static const Rel *rel_by_id(XlsxReader *r, const char *id) {
    for (size_t i = 0; i < r->nrels; i++)
        if (strcmp(r->rels[i].id, id) == 0) return &r->rels[i];
    return NULL;
}

/* ---- sharedStrings.xml ---- */

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts) {
    (void)atts;
    XlsxReader *r = ud;
    const char *n = lname(name);
    if (strcmp(n, "si") == 0) {
        r->in_si = 1;
        r->rph_depth = 0;
        r->si_start = r->sst.len;
    } else if (strcmp(n, "rPh") == 0) {
        r->rph_depth++;
    } else if (strcmp(n, "t") == 0 && r->in_si && !r->rph_depth) {
        r->in_t = 1;
    }
}

static void XMLCALL sst_end(void *ud, const XML_Char *name) {
    XlsxReader *r = ud;
    const char *n = lname(name);
    if (strcmp(n, "t") == 0) {
        r->in_t = 0;
    } else if (strcmp(n, "rPh") == 0) {
        if (r->rph_depth) r->rph_depth--;
    } else if (strcmp(n, "si") == 0 && r->in_si) {
        r->in_si = 0;
        if (r->sst.len > r->si_start) /* sst.data is NULL while nothing was appended */
            r->sst.len =
                r->si_start + unescape_x(r->sst.data + r->si_start, r->sst.len - r->si_start);
        buf_putc(&r->sst, 0);
        if (r->sst_n == r->sst_cap) {
            r->sst_cap = r->sst_cap ? 2 * r->sst_cap : 1024;
            r->sst_off = xrealloc(r->sst_off, r->sst_cap * sizeof *r->sst_off);
        }
        r->sst_off[r->sst_n++] = (uint32_t)r->si_start;
    }
}

static void XMLCALL sst_chars(void *ud, const XML_Char *s, int len) {
    XlsxReader *r = ud;
    if (!r->in_t) return;
    if (r->sst.len - r->si_start + (size_t)len > TABLE_MAX_CELL) {
        xerr(r, "XLSX 共享字符串第 %zu 项超过 %u MB 上限", r->sst_n + 1, TABLE_MAX_CELL >> 20);
        return;
    }
    buf_append(&r->sst, s, (size_t)len);
}

/* ---- the worksheet ---- */

static void XMLCALL sh_start(void *ud, const XML_Char *name, const XML_Char **atts) {
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
            xerr(r, "XLSX 工作表的行号无效或超过 %ld 行（第%ld行之后）", TABLE_MAX_ROWS,
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
        if (r->text.len) xerr(r, "第%ld行: 列数超过 %d 列上限", r->row_r, TABLE_MAX_COLS);
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
            xerr(r, "第%ld行: 共享字符串编号 \"%.20s\" 无效", r->row_r, txt);
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
        buf_append(&r->row, txt, r->text.len ? unescape_x(r->text.data, r->text.len) : 0);
        break;
    default:
        buf_append(&r->row, txt, r->text.len);
        break;
    }
    if (r->row.len > TABLE_MAX_ROW) {
        xerr(r, "第%ld行: 整行超过 %u MB 上限", r->row_r, TABLE_MAX_ROW >> 20);
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

static void XMLCALL sh_end(void *ud, const XML_Char *name) {
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

static void XMLCALL sh_chars(void *ud, const XML_Char *s, int len) {
    XlsxReader *r = ud;
    if (!r->in_v || r->rph_depth) return;
    if (r->text.len + (size_t)len > TABLE_MAX_CELL) {
        xerr(r, "第%ld行: 单元格超过 %u MB 上限", r->row_r, TABLE_MAX_CELL >> 20);
        return;
    }
    buf_append(&r->text, s, (size_t)len);
}

static int xfail(XlsxReader *r, char **err, const char *msg) {
    free(r->failed);
    r->failed = xstrdup(msg);
    return set_err(err, "%s", msg);
}

static int xlsx_next(TableReader *tr, char ***cells, size_t *ncells, long *row_no, char **err) {
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
                entry_read(r->zf, buf, XLSX_CHUNK, &r->sheet_read, r->sheet_cap, "工作表", &e);
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

static void xlsx_date_columns(TableReader *tr, const int *cols, size_t ncols) {
    XlsxReader *r = (XlsxReader *)tr;
    memset(r->datecol, 0, sizeof r->datecol);
    for (size_t i = 0; i < ncols; i++)
        if (cols[i] >= 0 && cols[i] < TABLE_MAX_COLS) r->datecol[cols[i]] = 1;
}

static void xlsx_close(TableReader *tr) {
    XlsxReader *r = (XlsxReader *)tr;
    if (r->xp) XML_ParserFree(r->xp);
    if (r->zf) zip_fclose(r->zf);
    if (r->za) zip_discard(r->za);
    for (size_t i = 0; i < r->nsheets; i++)
        free(r->sheet_rid[i]);
    for (size_t i = 0; i < r->nrels; i++) {
        free(r->rels[i].id);
        free(r->rels[i].type);
        free(r->rels[i].target);
    }
    buf_free(&r->sst);
    free(r->sst_off);
    buf_free(&r->text);
    buf_free(&r->row);
    free(r->hmsg);
    free(r->failed);
    free(r);
}

/* Finds the worksheet and the shared strings, loads them and starts the sheet stream. */
static TableReader *xlsx_start(XlsxReader *r, char **err) {
    char *sheet = NULL, *sst = NULL;
    int missing;
    XML_Parser p = new_parser(r, wb_start, no_end, NULL);
    int rc = parse_entry(r, p, "xl/workbook.xml", CAP_SMALL, err);
    XML_ParserFree(p);
    if (rc < 0) goto fail;
    p = new_parser(r, rels_start, no_end, NULL);
    rc = parse_entry(r, p, "xl/_rels/workbook.xml.rels", CAP_SMALL, err);
    XML_ParserFree(p);
    if (rc < 0) goto fail;
    for (int pass = 0; pass < 2 && !sheet; pass++) {
        for (size_t i = 0; i < r->nsheets && !sheet; i++) {
            const Rel *rel = rel_by_id(r, r->sheet_rid[i]);
            if (rel && ends_with(rel->type, "/worksheet") && (pass || !r->sheet_hidden[i]))
                sheet = resolve_target(rel->target);
        }
    }
    if (!sheet) sheet = xstrdup("xl/worksheets/sheet1.xml");
    for (size_t i = 0; i < r->nrels && !sst; i++)
        if (ends_with(r->rels[i].type, "/sharedStrings")) sst = resolve_target(r->rels[i].target);
    if (!sst) sst = xstrdup("xl/sharedStrings.xml");

    p = new_parser(r, sst_start, sst_end, sst_chars);
    rc = parse_entry(r, p, sst, CAP_SST, err);
    XML_ParserFree(p);
    if (rc < 0) goto fail;

    r->sheet_cap = CAP_SHEET;
    r->zf = entry_open(r, sheet, r->sheet_cap, &missing, err);
    if (!r->zf) {
        if (missing)
            set_err(err, "XLSX 文件中找不到工作表（不是 Excel 工作簿？请上传 .xlsx 或 CSV 文件）");
        goto fail;
    }
    r->xp = new_parser(r, sh_start, sh_end, sh_chars);
    r->doc = "工作表";
    r->in_t = r->in_si = r->rph_depth = 0;
    free(sheet);
    free(sst);
    return &r->base;
fail:
    free(sheet);
    free(sst);
    xlsx_close(&r->base);
    return NULL;
}

static XlsxReader *xlsx_new(void) {
    XlsxReader *r = xcalloc(1, sizeof *r);
    r->base.fmt = TABLE_XLSX;
    r->base.next = xlsx_next;
    r->base.date_columns = xlsx_date_columns;
    r->base.close = xlsx_close;
    buf_init(&r->sst);
    buf_init(&r->text);
    buf_init(&r->row);
    r->last_row = 0;
    return r;
}

static void zip_open_error(int code, char **err) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, code);
    set_err(err, "不是有效的 XLSX 文件：ZIP 结构损坏或文件不完整（%s）", zip_error_strerror(&ze));
    zip_error_fini(&ze);
}

/* Opens the XLSX file at path. Returns NULL with *err set (Chinese) on any failure. */
TableReader *xlsx_reader_open_path(const char *path, char **err) {
    int code = 0;
    zip_t *za = zip_open(path, ZIP_RDONLY, &code);
    if (!za) {
        zip_open_error(code, err);
        return NULL;
    }
    XlsxReader *r = xlsx_new();
    r->za = za;
    return xlsx_start(r, err);
}

/* Opens an XLSX file held in memory (copied). Returns NULL with *err set on any failure. */
TableReader *xlsx_reader_open_mem(const void *data, size_t len, char **err) {
    zip_error_t ze;
    zip_error_init(&ze);
    void *copy = xmalloc(len);
    if (len) memcpy(copy, data, len);
    zip_source_t *src = zip_source_buffer_create(copy, len, 1, &ze);
    if (!src) {
        free(copy);
        zip_error_fini(&ze);
        set_err(err, "无法读取 XLSX 数据");
        return NULL;
    }
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY, &ze);
    if (!za) {
        int code = zip_error_code_zip(&ze);
        zip_source_free(src);
        zip_error_fini(&ze);
        zip_open_error(code, err);
        return NULL;
    }
    zip_error_fini(&ze);
    XlsxReader *r = xlsx_new();
    r->za = za;
    return xlsx_start(r, err);
}
