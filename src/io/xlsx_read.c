/* xlsx_read.c - XLSX reader (first worksheet) with libzip + expat, behind table.h: the zip and its
 * entries, the XML parsers with their guards, workbook.xml and its rels, the shared strings,
 * opening and closing.
 *
 * Opening: the zip is opened (from the file, or from a private copy of a memory buffer); the
 * worksheet is found through xl/workbook.xml (the first visible <sheet>, else the first) and
 * xl/_rels/workbook.xml.rels (its Target), falling back to xl/worksheets/sheet1.xml; the
 * 1904 date system flag is read from <workbookPr>; the shared-string table is loaded whole
 * (rich-text runs concatenated, phonetic <rPh> runs left out, _xHHHH_ escapes decoded).
 * Reading: the worksheet is streamed through expat in chunks (xlsx_sheet.c), one row per call to
 * table_next.
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
#include "xlsx_impl.h"

#include "../core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

/* ---- helpers ---- */

void xlsx_xml_error(XlsxReader *r, const char *fmt, ...) {
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
    xlsx_xml_error(r, "XLSX 文件中的 %s 含有 DTD 声明，已拒绝", r->doc);
}

/* Every element passes here first: nesting beyond MAX_DEPTH stops the parse. */
static void XMLCALL guard_start(void *ud, const XML_Char *name, const XML_Char **atts) {
    XlsxReader *r = ud;
    if (++r->depth > MAX_DEPTH) {
        xlsx_xml_error(r, "XLSX 文件中的 %s 嵌套超过 %d 层，不是正常的表格文件，已拒绝", r->doc,
                       MAX_DEPTH);
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
zip_int64_t xlsx_entry_read(zip_file_t *zf, void *buf, size_t n, uint64_t *total, uint64_t cap,
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
        zip_int64_t got = xlsx_entry_read(zf, buf, XLSX_CHUNK, &total, cap, name, err);
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
size_t xlsx_unescape_x(char *s, size_t n) {
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
                r->si_start + xlsx_unescape_x(r->sst.data + r->si_start, r->sst.len - r->si_start);
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
        xlsx_xml_error(r, "XLSX 共享字符串第 %zu 项超过 %u MB 上限", r->sst_n + 1,
                       TABLE_MAX_CELL >> 20);
        return;
    }
    buf_append(&r->sst, s, (size_t)len);
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
    r->xp = new_parser(r, xlsx_sheet_start, xlsx_sheet_end, xlsx_sheet_chars);
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
