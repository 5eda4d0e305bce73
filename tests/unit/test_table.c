/* test_table.c - the CSV and XLSX readers and writers of src/io (table.h).
 *
 * Most tests read a whole file into a compact transcript, "ROW:cell|cell\n" per row, and an
 * "ERR:message" line when the reader fails, and compare that with what a spreadsheet would show.
 * Fixtures in tests/data/io/ come from tests/data/io/make_fixtures.py (Python's zipfile and
 * codecs, independent of spotcheck's writers); others are built here with libzip and iconv. */
#include "core/util.h"
#include "io/table.h"
#include "t.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#define CHUNK                                                                                      \
    (1u << 20) /* csv.c's decoding chunk, to put multi-byte sequences across its edges             \
                */

static char tmpdir[64];

static char *fixture(const char *name) {
    const char *root = getenv("SPOTCHECK_ROOT");
    return xasprintf("%s/tests/data/io/%s", root ? root : ".", name);
}

static char *tmp_path(const char *name) {
    return xasprintf("%s/%s", tmpdir, name);
}

static void write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    ASSERT(f);
    ASSERT(fwrite(data, 1, len, f) == len);
    ASSERT(fclose(f) == 0);
}

/* Reads every row; returns the transcript (caller frees). */
static char *dump(TableReader *r, const char *open_err) {
    Buf b;
    buf_init(&b);
    if (!r) {
        buf_printf(&b, "ERR:%s\n", open_err ? open_err : "(no message)");
        return buf_steal(&b);
    }
    char **cells, *err = NULL;
    size_t n;
    long row;
    int rc;
    while ((rc = table_next(r, &cells, &n, &row, &err)) == 1) {
        buf_printf(&b, "%ld:", row);
        for (size_t i = 0; i < n; i++)
            buf_printf(&b, "%s%s", i ? "|" : "", cells[i]);
        buf_putc(&b, '\n');
    }
    if (rc < 0) buf_printf(&b, "ERR:%s\n", err ? err : "(no message)");
    free(err);
    return buf_steal(&b);
}

static char *dump_mem(const void *data, size_t len, TableEncoding enc) {
    char *err = NULL;
    TableReader *r = table_reader_open_mem(data, len, enc, &err);
    char *s = dump(r, err);
    table_reader_close(r);
    free(err);
    return s;
}

static char *dump_path(const char *path, TableEncoding enc, const int *datecols, size_t ndate) {
    char *err = NULL;
    TableReader *r = table_reader_open(path, enc, &err);
    if (r && ndate) table_reader_date_columns(r, datecols, ndate);
    char *s = dump(r, err);
    table_reader_close(r);
    free(err);
    return s;
}

#define CHECK_DUMP_MEM(lit, enc, expect)                                                           \
    do {                                                                                           \
        char *t_s = dump_mem(lit, sizeof(lit) - 1, enc);                                           \
        CHECK_STR(t_s, expect);                                                                    \
        free(t_s);                                                                                 \
    } while (0)

/* UTF-8 → GBK with iconv, independent of the reader's direction. */
static char *to_gbk(const char *utf8, size_t *len) {
    iconv_t cd = iconv_open("GBK", "UTF-8");
    ASSERT(cd != (iconv_t)-1);
    size_t inleft = strlen(utf8), outcap = inleft * 2 + 1, outleft = outcap;
    char *out = xmalloc(outcap), *in = (char *)utf8, *o = out;
    ASSERT(iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1);
    iconv_close(cd);
    *len = outcap - outleft;
    return out;
}

/* ---- CSV ---- */

static void test_csv_line_ends(void) {
    const char *want = "1:名称|代码\n2:甲|1\n3:乙|2\n";
    CHECK_DUMP_MEM("名称,代码\n甲,1\n乙,2\n", TABLE_ENC_AUTO, want);
    CHECK_DUMP_MEM("名称,代码\r\n甲,1\r\n乙,2\r\n", TABLE_ENC_AUTO, want);
    CHECK_DUMP_MEM("名称,代码\r甲,1\r乙,2\r", TABLE_ENC_AUTO, want);
    CHECK_DUMP_MEM("名称,代码\r\n甲,1\n乙,2", TABLE_ENC_AUTO, want); /* mixed, no final EOL */
}

static void test_csv_bom(void) {
    CHECK_DUMP_MEM("\xEF\xBB\xBF名称,代码\r\n甲,1\r\n", TABLE_ENC_AUTO, "1:名称|代码\n2:甲|1\n");
    /* a BOM wins over a forced GB18030 */
    CHECK_DUMP_MEM("\xEF\xBB\xBF名称\r\n", TABLE_ENC_GB18030, "1:名称\n");
    CHECK_DUMP_MEM("\xEF\xBB\xBF", TABLE_ENC_AUTO, "");
    CHECK_DUMP_MEM("", TABLE_ENC_AUTO, "");
}

static void test_csv_quoted(void) {
    /* commas, doubled quotes, CR/LF inside quotes; a multi-line record is one row */
    CHECK_DUMP_MEM("h1,h2\n\"a\nb\",\"c\"\"d\"\nx,\"y,z\"\n\"p\",\"q\r\n\r\nr\"\n\"\"\"\",\"\"\n",
                   TABLE_ENC_AUTO, "1:h1|h2\n2:a\nb|c\"d\n3:x|y,z\n4:p|q\r\n\r\nr\n5:\"|\n");
    /* lenient like Excel: stray quote inside an unquoted cell, text after a closing quote */
    CHECK_DUMP_MEM("ab\"c,\"x\"y\n", TABLE_ENC_AUTO, "1:ab\"c|xy\n");
}

static void test_csv_row_numbers(void) {
    /* empty lines and all-empty records are skipped but keep their row numbers */
    CHECK_DUMP_MEM("h\n\"多\n行\n记录\"\n\n,,\n\"\"\nx\n\"a\r\nb\",\"c\rd\"\ny", TABLE_ENC_AUTO,
                   "1:h\n2:多\n行\n记录\n6:x\n7:a\r\nb|c\rd\n8:y\n");
}

static void test_csv_empty_cells(void) {
    CHECK_DUMP_MEM("a,,c\n,b,\na,b,,\n,,,x\n", TABLE_ENC_AUTO, "1:a||c\n2:|b|\n3:a|b||\n4:|||x\n");
    CHECK_DUMP_MEM("a,", TABLE_ENC_AUTO, "1:a|\n");
    CHECK_DUMP_MEM("\"\",x\n", TABLE_ENC_AUTO, "1:|x\n");
}

static void test_csv_errors(void) {
    CHECK_DUMP_MEM("a,b\n\"x,y\nz\n", TABLE_ENC_AUTO, "1:a|b\nERR:第2行: 引号未闭合\n");
    CHECK_DUMP_MEM(
        "a\nb\n\xff\xfe\xfd\n", TABLE_ENC_UTF8,
        "1:a\n2:b\nERR:第3行: 含有不是 UTF-8 编码的字节（如果文件是 GBK 编码，请按 GBK 导入）\n");
    CHECK_DUMP_MEM("a\nb\x00x\n", TABLE_ENC_AUTO,
                   "1:a\nERR:第2行: 含有空字节 (0x00)，文件可能不是文本文件\n");
    /* 0xFF is never valid in GB18030 */
    CHECK_DUMP_MEM("a\n\xd6\xd0\xff\n", TABLE_ENC_GB18030,
                   "1:a\nERR:第2行: 含有 GB18030/GBK 编码中无效的字节\n");
    /* a GB18030 sequence cut by the end of the file */
    CHECK_DUMP_MEM("a\n\xd6", TABLE_ENC_GB18030,
                   "1:a\nERR:第2行: 含有 GB18030/GBK 编码中无效的字节\n");
    /* UTF-8 cut by the end of the file */
    CHECK_DUMP_MEM(
        "a\n\xe4\xb8", TABLE_ENC_UTF8,
        "1:a\nERR:第2行: 含有不是 UTF-8 编码的字节（如果文件是 GBK 编码，请按 GBK 导入）\n");
    /* overlong and surrogate encodings are not UTF-8 */
    char *s = dump_mem("a\n\xc0\xaf\n", 5, TABLE_ENC_UTF8);
    CHECK(strstr(s, "ERR:第2行") != NULL);
    free(s);
    s = dump_mem("a\n\xed\xa0\x80\n", 6, TABLE_ENC_UTF8);
    CHECK(strstr(s, "ERR:第2行") != NULL);
    free(s);
    CHECK_DUMP_MEM(
        "\xff\xfe"
        "a\x00",
        TABLE_ENC_AUTO,
        "ERR:文件是 UTF-16 编码，不支持；请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx\n");
    CHECK_DUMP_MEM("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 rest", TABLE_ENC_AUTO,
                   "ERR:旧版 Excel 97-2003 (.xls) 文件不支持，请在 Excel 中另存为 .xlsx 或 CSV\n");
}

static void test_csv_error_is_sticky(void) {
    char *err = NULL, **cells;
    size_t n;
    long row;
    TableReader *r = table_reader_open_mem("a\n\"b\n", 5, TABLE_ENC_AUTO, &err);
    CHECK(r != NULL);
    CHECK_INT(table_next(r, &cells, &n, &row, &err), 1);
    CHECK_INT(table_next(r, &cells, &n, &row, &err), -1);
    CHECK_STR(err, "第2行: 引号未闭合");
    free(err);
    err = NULL;
    CHECK_INT(table_next(r, &cells, &n, &row, &err), -1);
    CHECK_STR(err, "第2行: 引号未闭合");
    free(err);
    table_reader_close(r);
}

static void test_csv_columns_limit(void) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "h\n");
    for (int i = 0; i < TABLE_MAX_COLS; i++)
        buf_puts(&b, i ? ",x" : "x");
    buf_puts(&b, "\n");
    char *s = dump_mem(b.data, b.len, TABLE_ENC_AUTO);
    CHECK(strncmp(s, "1:h\n2:x|x|", 10) == 0 && !strstr(s, "ERR"));
    free(s);
    buf_puts(&b, "x,x,x");
    for (int i = 0; i < TABLE_MAX_COLS; i++)
        buf_puts(&b, ",");
    buf_puts(&b, "\n");
    s = dump_mem(b.data, b.len, TABLE_ENC_AUTO);
    CHECK(strstr(s, "ERR:第3行: 列数超过 512 列上限\n") != NULL);
    free(s);
    buf_free(&b);
}

static void test_csv_gb18030_fixture(void) {
    char *path = fixture("gb18030.csv");
    const char *want =
        "1:名称|统一社会信用代码|地址|备注\n"
        "2:邢台市第一医院|12130500401705040L|河北省邢台市桥东区,中兴东大街|第一行\r\n第二行\n"
        "3:华北大药房（连锁）|91130500MA0ABCDE1X|信都区|含扩展字符㐀€\n";
    char *s = dump_path(path, TABLE_ENC_AUTO, NULL, 0);
    CHECK_STR(s, want);
    free(s);
    s = dump_path(path, TABLE_ENC_GB18030, NULL, 0);
    CHECK_STR(s, want);
    free(s);
    s = dump_path(path, TABLE_ENC_UTF8, NULL, 0);
    CHECK(strncmp(s, "ERR:第1行: 含有不是 UTF-8", 26) == 0);
    free(s);
    free(path);
}

static void test_csv_gbk_detect(void) {
    /* "联通" in GBK is the classic short text that also looks like UTF-8; with a realistic row
     * of Chinese the detection must pick GBK. The ASCII-only first line defers the decision. */
    const char *u = "code,name\r\n001,联通营业厅\r\n002,邢台市人民医院\r\n";
    size_t len;
    char *g = to_gbk(u, &len);
    char *s = dump_mem(g, len, TABLE_ENC_AUTO);
    CHECK_STR(s, "1:code|name\n2:001|联通营业厅\n3:002|邢台市人民医院\n");
    free(s);
    /* UTF-8 with one stray byte stays UTF-8, and the error names the row (not mojibake) */
    s = dump_mem("名称,地址\n邢台市第一医院,桥东区\n华北大药房,信都\xa0区\n", 73, TABLE_ENC_AUTO);
    CHECK_STR(s, "1:名称|地址\n2:邢台市第一医院|桥东区\n"
                 "ERR:第3行: 含有不是 UTF-8 编码的字节（如果文件是 GBK 编码，请按 GBK 导入）\n");
    free(s);
    /* forced UTF-8 on GBK: the first bad row is named */
    s = dump_mem(g, len, TABLE_ENC_UTF8);
    CHECK(strncmp(s, "1:code|name\nERR:第2行: 含有不是 UTF-8", 37) == 0);
    free(s);
    free(g);
}

/* Puts multi-byte characters, CRLF pairs and doubled quotes across the 1 MB chunk edges, in
 * UTF-8 and GBK, through the streaming file reader. */
static void test_csv_chunk_edges(void) {
    char *path = tmp_path("edges.csv");
    for (int gbk = 0; gbk <= 1; gbk++) {
        for (int k = 0; k < 6; k++) {
            Buf b;
            buf_init(&b);
            buf_puts(&b, "h1,h2\n");
            size_t fill = CHUNK - b.len - 3 - (size_t)k; /* "x..x" then the interesting bytes */
            buf_puts(&b, "\"");
            for (size_t i = 0; i < fill; i++)
                buf_putc(&b, 'x');
            buf_puts(&b, "\"\"中文\",\"邢\r\n台\"\r\n末,尾\r\n");
            char *data = b.data;
            size_t len = b.len;
            char *conv = NULL;
            if (gbk) data = conv = to_gbk(b.data, &len);
            write_file(path, data, len);
            char *s = dump_path(path, TABLE_ENC_AUTO, NULL, 0);
            Buf want;
            buf_init(&want);
            buf_puts(&want, "1:h1|h2\n2:");
            for (size_t i = 0; i < fill; i++)
                buf_putc(&want, 'x');
            buf_puts(&want, "\"中文|邢\r\n台\n3:末|尾\n");
            CHECK_STR(s, want.data);
            if (strcmp(s, want.data) != 0) fprintf(stderr, "  (gbk=%d k=%d)\n", gbk, k);
            free(s);
            buf_free(&want);
            free(conv);
            buf_free(&b);
        }
    }
    unlink(path);
    free(path);
}

/* A 1 MB cell (several chunks of input, quoted and not) is fine; over TABLE_MAX_CELL is not. */
static void test_csv_big_cell(void) {
    char *path = tmp_path("big.csv");
    size_t big = 1u << 20;
    Buf b;
    buf_init(&b);
    buf_puts(&b, "a,b\n");
    for (size_t i = 0; i < big; i++)
        buf_putc(&b, (char)('a' + i % 26));
    buf_puts(&b, ",\"");
    for (size_t i = 0; i < big / 3; i++)
        buf_puts(&b, "中");
    buf_puts(&b, "\"\nend,x\n");
    write_file(path, b.data, b.len);
    char *err = NULL, **cells;
    size_t n;
    long row;
    TableReader *r = table_reader_open(path, TABLE_ENC_AUTO, &err);
    CHECK(r != NULL);
    CHECK_INT(table_next(r, &cells, &n, &row, &err), 1);
    CHECK_INT(table_next(r, &cells, &n, &row, &err), 1);
    CHECK_INT(n, 2);
    CHECK_INT(row, 2);
    CHECK_INT(strlen(cells[0]), big);
    CHECK_INT(strlen(cells[1]), big / 3 * 3);
    CHECK(cells[0][big - 1] == (char)('a' + (big - 1) % 26));
    CHECK_INT(table_next(r, &cells, &n, &row, &err), 1);
    CHECK_STR(cells[0], "end");
    CHECK_INT(table_next(r, &cells, &n, &row, &err), 0);
    table_reader_close(r);

    buf_reset(&b);
    buf_puts(&b, "a\nok\n");
    for (size_t i = 0; i <= TABLE_MAX_CELL; i++)
        buf_putc(&b, 'z');
    write_file(path, b.data, b.len);
    char *s = dump_path(path, TABLE_ENC_AUTO, NULL, 0);
    CHECK_STR(s, "1:a\n2:ok\nERR:第3行第1列: 单元格超过 4 MB 上限\n");
    free(s);
    buf_reset(&b);
    buf_puts(&b, "a\n\"");
    for (size_t i = 0; i <= TABLE_MAX_CELL; i++)
        buf_putc(&b, i % 100 ? 'z' : '\n');
    write_file(path, b.data, b.len);
    s = dump_path(path, TABLE_ENC_AUTO, NULL, 0);
    CHECK_STR(s, "1:a\nERR:第2行第1列: 单元格超过 4 MB 上限（可能有引号未闭合）\n");
    free(s);
    buf_free(&b);
    unlink(path);
    free(path);
}

static void test_csv_writer(void) {
    char *path = tmp_path("w.csv"), *err = NULL;
    TableWriter *w = table_writer_open(path, TABLE_CSV, "ignored", &err);
    CHECK(w != NULL);
    const char *r1[] = {"名称", "a,b", "say \"hi\"", "two\r\nlines", NULL, " sp "};
    const char *r2[] = {"", "x"};
    CHECK_INT(table_write_row(w, r1, 6, &err), 0);
    CHECK_INT(table_write_row(w, r2, 2, &err), 0);
    CHECK_INT(table_writer_close(w, &err), 0);
    size_t len;
    char *data = file_read_all(path, &len, &err);
    CHECK(data != NULL);
    const char want[] =
        "\xEF\xBB\xBF名称,\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\",, sp \r\n,x\r\n";
    CHECK_INT(len, sizeof want - 1);
    CHECK(data && memcmp(data, want, sizeof want - 1) == 0);
    free(data);
    char *s = dump_path(path, TABLE_ENC_AUTO, NULL, 0);
    CHECK_STR(s, "1:名称|a,b|say \"hi\"|two\r\nlines|| sp \n2:|x\n");
    free(s);
    unlink(path);
    free(path);
    CHECK(table_writer_open("/nonexistent-dir/x.csv", TABLE_CSV, NULL, &err) == NULL);
    CHECK(err && strstr(err, "无法创建文件") != NULL);
    free(err);
}

static void test_format_from_name(void) {
    CHECK_INT(table_format_from_name("目标.xlsx"), TABLE_XLSX);
    CHECK_INT(table_format_from_name("A.XLSX"), TABLE_XLSX);
    CHECK_INT(table_format_from_name("a.csv"), TABLE_CSV);
    CHECK_INT(table_format_from_name("xlsx"), TABLE_CSV);
    CHECK_INT(table_format_from_name("a.xls"), TABLE_CSV);
}

static void test_open_errors(void) {
    char *err = NULL;
    CHECK(table_reader_open("/nonexistent/file.csv", TABLE_ENC_AUTO, &err) == NULL);
    CHECK(err && strstr(err, "无法打开文件") != NULL);
    CHECK(table_reader_open(tmpdir, TABLE_ENC_AUTO, &err) == NULL);
    CHECK(err && strstr(err, "不是普通文件") != NULL);
    free(err);
}

/* ---- XLSX ---- */

static void test_xlsx_handmade(void) {
    char *path = fixture("handmade.xlsx"), *err = NULL, **cells;
    size_t n;
    long row;
    TableReader *r = table_reader_open(path, TABLE_ENC_AUTO, &err);
    CHECK(r != NULL);
    if (!r) {
        fprintf(stderr, "  %s\n", err);
        free(err), free(path);
        return;
    }
    CHECK_INT(table_reader_format(r), TABLE_XLSX);
    CHECK_INT(table_next(r, &cells, &n, &row, &err), 1);
    int datecols[] = {1};
    table_reader_date_columns(r, datecols, 1); /* after the header, as the importer does */
    Buf b;
    buf_init(&b);
    buf_printf(&b, "%ld:", row);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? "|" : "", cells[i]);
    buf_putc(&b, '\n');
    char *rest = dump(r, NULL);
    buf_puts(&b, rest);
    free(rest);
    CHECK_STR(b.data, "1:名称|登记日期|投诉次数|备注|公式\n"
                      "3:邢台市第一医院|2024-01-01|3||名称登记日期|130102199001010000|1.1|#N/A\n"
                      "5:A&B <tag>|1900-02-29|第一行\r\n第二行|TRUE|FALSE\n"
                      "6:  前后空格  |1900-03-01|3|-0.0025\n"
                      "7:最后|2024-01-01|13812345678\n"
                      "9:|2024-03-05|1\n");
    buf_free(&b);
    table_reader_close(r);

    /* without date columns the serials stay numbers */
    char *s = dump_path(path, TABLE_ENC_AUTO, NULL, 0);
    CHECK(strstr(s, "3:邢台市第一医院|45292|3|") != NULL);
    CHECK(strstr(s, "7:最后|45292.75|13812345678\n") != NULL);
    free(s);
    free(path);
}

static void test_xlsx_1904(void) {
    char *path = fixture("handmade1904.xlsx");
    int dc[] = {0};
    char *s = dump_path(path, TABLE_ENC_AUTO, dc, 1);
    CHECK_STR(s, "1:日期\n2:1904-01-01\n3:2024-01-01\n");
    free(s);
    free(path);
}

static void test_xlsx_truncated(void) {
    char *path = fixture("handmade.xlsx"), *err = NULL;
    size_t len;
    char *data = file_read_all(path, &len, &err);
    CHECK(data != NULL);
    if (!data) return;
    /* cut anywhere: the central directory is gone, the open must fail cleanly */
    size_t cuts[] = {4, 30, len / 2, len - 30, len - 1};
    for (size_t i = 0; i < ARRAY_LEN(cuts); i++) {
        char *s = dump_mem(data, cuts[i], TABLE_ENC_AUTO);
        CHECK(strncmp(s, "ERR:不是有效的 XLSX 文件：ZIP 结构损坏或文件不完整", 20) == 0);
        if (strncmp(s, "ERR:", 4) != 0) fprintf(stderr, "  cut %zu: %s\n", cuts[i], s);
        free(s);
    }
    char *tp = tmp_path("trunc.xlsx");
    write_file(tp, data, len / 2);
    char *s = dump_path(tp, TABLE_ENC_AUTO, NULL, 0);
    CHECK(strstr(s, "ERR:不是有效的 XLSX 文件") == s);
    free(s);
    /* damage inside compressed data: some error, never a crash; never a silent success */
    int errors = 0;
    for (size_t off = 40; off < len - 200; off += 97) {
        char *copy = xmalloc(len);
        memcpy(copy, data, len);
        copy[off] ^= 0x55;
        s = dump_mem(copy, len, TABLE_ENC_AUTO);
        errors += strstr(s, "ERR:") != NULL;
        free(s);
        free(copy);
    }
    CHECK(errors > 0);
    unlink(tp);
    free(tp);
    free(data);
    free(path);
}

/* Builds an xlsx at path from (name, content) pairs with libzip; level 9 deflate. */
static void make_zip(const char *path, const char *const *entries, size_t n) {
    int code;
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code);
    ASSERT(za);
    for (size_t i = 0; i < n; i += 2) {
        zip_source_t *src = zip_source_buffer(za, entries[i + 1], strlen(entries[i + 1]), 0);
        ASSERT(src);
        zip_int64_t idx = zip_file_add(za, entries[i], src, ZIP_FL_ENC_UTF_8);
        ASSERT(idx >= 0);
        zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 9);
    }
    ASSERT(zip_close(za) == 0);
}

static char *sheet_dump_dates(const char *sheet_xml, const char *sst_xml, const int *dc,
                              size_t ndc) {
    char *path = tmp_path("h.xlsx");
    const char *e[] = {"xl/worksheets/sheet1.xml", sheet_xml, "xl/sharedStrings.xml",
                       sst_xml ? sst_xml : "<sst/>"};
    make_zip(path, e, 4);
    char *s = dump_path(path, TABLE_ENC_AUTO, dc, ndc);
    unlink(path);
    free(path);
    return s;
}

static char *sheet_dump(const char *sheet_xml, const char *sst_xml) {
    return sheet_dump_dates(sheet_xml, sst_xml, NULL, 0);
}

#define WS(rows) "<worksheet><sheetData>" rows "</sheetData></worksheet>"

/* Numbers as Excel's General format shows them; date serials only in date columns. */
static void test_xlsx_numbers(void) {
    int dc[] = {0};
    char *s = sheet_dump_dates(WS("<row><c><v>abc</v></c><c><v>0.1</v></c></row>"
                                  "<row><c><v>0</v></c><c><v>1E-7</v></c></row>"
                                  "<row><c><v>-1</v></c><c><v>1.5E+20</v></c></row>"
                                  "<row><c><v>2958465</v></c><c><v>1E+22</v></c></row>"
                                  "<row><c><v>2958466</v></c><c><v>-0</v></c></row>"
                                  "<row><c><v>1e400</v></c><c><v>123456789012345678</v></c></row>"
                                  "<row><c><v>1</v></c><c><v>0.30000000000000004</v></c></row>"
                                  "<row><c><v>59.5</v></c><c><v>-45292</v></c></row>"),
                               NULL, dc, 1);
    CHECK_STR(s, "1:abc|0.1\n2:0|0.0000001\n3:-1|150000000000000000000\n4:9999-12-31|1e+22\n"
                 "5:2958466|0\n6:1e400|123456789012346000\n7:1900-01-01|0.3\n"
                 "8:1900-02-28|-45292\n");
    free(s);
}

static void test_xlsx_hostile(void) {
    char *s = sheet_dump(
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaaaaaa\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;\">]>" WS(
            "<row><c t=\"inlineStr\"><is><t>&c;</t></is></c></row>"),
        NULL);
    CHECK_STR(s, "ERR:XLSX 文件中的 工作表 含有 DTD 声明，已拒绝\n");
    free(s);
    s = sheet_dump(WS("<row r=\"1\"><c><v>1</v></c></row><row r=\"2\"><c>"), NULL);
    CHECK(strncmp(s, "1:1\nERR:XLSX 工作表不是有效的 XML", 30) == 0);
    free(s);
    s = sheet_dump(WS("<row r=\"1\"><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c></row>"),
                   "<sst><si><t>只有一项</t></si></sst>");
    CHECK_STR(s, "ERR:第1行: 共享字符串编号 \"1\" 无效\n");
    free(s);
    /* an empty first shared string (found by fuzz_xlsx: arithmetic on a NULL buffer) */
    s = sheet_dump(
        WS("<row><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c><c t=\"s\"><v>2</v></c></row>"),
        "<sst><si/><si><t>x_x0041_</t></si><si><t></t></si></sst>");
    CHECK_STR(s, "1:|xA|\n");
    free(s);
    s = sheet_dump(WS("<row r=\"1\"><c t=\"s\"><v>-1</v></c></row>"),
                   "<sst><si><t>x</t></si></sst>");
    CHECK_STR(s, "ERR:第1行: 共享字符串编号 \"-1\" 无效\n");
    free(s);
    s = sheet_dump(WS("<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"SS1\"><v>2</v></c></row>"),
                   NULL);
    CHECK_STR(s, "ERR:第1行: 列数超过 512 列上限\n");
    free(s);
    /* formatted empty cells far to the right are harmless */
    s = sheet_dump(WS("<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"XFD1\" s=\"1\"/></row>"), NULL);
    CHECK_STR(s, "1:1\n");
    free(s);
    s = sheet_dump(WS("<row r=\"5\"><c><v>1</v></c></row><row r=\"1048577\"><c><v>2</v></c></row>"),
                   NULL);
    CHECK_STR(s, "5:1\nERR:XLSX 工作表的行号无效或超过 1048576 行（第5行之后）\n");
    free(s);
    /* rows and cells without r, odd references, an empty sheet */
    s = sheet_dump(WS("<row><c><v>1</v></c><c r=\"zz\"><v>2</v></c><c><v>3</v></c></row>"
                      "<row><c r=\"b2\"><v>4</v></c></row>"),
                   NULL);
    CHECK_STR(s, "1:1|2|3\n2:|4\n");
    free(s);
    s = sheet_dump("<worksheet/>", NULL);
    CHECK_STR(s, "");
    free(s);
    /* a zip that is not a workbook */
    char *path = tmp_path("nw.xlsx");
    const char *e[] = {"word/document.xml", "<w/>"};
    make_zip(path, e, 2);
    s = dump_path(path, TABLE_ENC_AUTO, NULL, 0);
    CHECK(strstr(s, "ERR:XLSX 文件中找不到工作表") == s);
    free(s);
    unlink(path);
    free(path);
}

/* 40 MB of one repeated row deflates to well under 1/250 of that: refused as a bomb before any
 * inflating. The same row count under the ratio cap reads fine (checked with a smaller file). */
static void test_xlsx_bomb(void) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "<worksheet><sheetData>");
    while (b.len < (40u << 20))
        buf_puts(&b, "<row><c><v>1</v></c></row>                        ");
    buf_puts(&b, "</sheetData></worksheet>");
    char *s = sheet_dump(b.data, NULL);
    CHECK(strstr(s, "ERR:XLSX 文件中的 xl/worksheets/sheet1.xml 压缩比异常") == s);
    free(s);
    s = sheet_dump(b.data + (b.len - 2000), NULL); /* not even XML: fails as XML, no bomb */
    CHECK(strstr(s, "ERR:") == s);
    free(s);
    buf_free(&b);
}

/* Writer → reader with Chinese text, codes that must stay text, and empty cells. */
static void test_roundtrip(void) {
    const char *rows[][6] = {
        {"名称", "代码", "区划", "备注", "投诉次数", "空"},
        {"邢台市第一医院", "0001234", "130502", "含,逗号 \"引号\"\n换行", "3", ""},
        {"华北大药房（连锁）", "130102199001010011", "130503", NULL, "", ""},
        {"", "", "", "", "", "只有最后"},
    };
    const char *want = "1:名称|代码|区划|备注|投诉次数|空\n"
                       "2:邢台市第一医院|0001234|130502|含,逗号 \"引号\"\n换行|3|\n"
                       "3:华北大药房（连锁）|130102199001010011|130503|||\n"
                       "4:|||||只有最后\n";
    for (int fmt = TABLE_CSV; fmt <= TABLE_XLSX; fmt++) {
        char *path = tmp_path(fmt == TABLE_XLSX ? "rt.xlsx" : "rt.csv"), *err = NULL;
        TableWriter *w = table_writer_open(path, (TableFormat)fmt, "目标名录", &err);
        CHECK(w != NULL);
        if (!w) continue;
        for (size_t i = 0; i < ARRAY_LEN(rows); i++)
            CHECK_INT(table_write_row(w, rows[i], 6, &err), 0);
        CHECK_INT(table_writer_close(w, &err), 0);
        char *s = dump_path(path, TABLE_ENC_AUTO, NULL, 0);
        if (fmt == TABLE_CSV) {
            CHECK_STR(s, want);
        } else {
            /* XLSX has no trailing empty cells: a row ends at its last written cell */
            CHECK_STR(s, "1:名称|代码|区划|备注|投诉次数|空\n"
                         "2:邢台市第一医院|0001234|130502|含,逗号 \"引号\"\n换行|3\n"
                         "3:华北大药房（连锁）|130102199001010011|130503\n"
                         "4:|||||只有最后\n");
            /* the sheet name, the bold header style, column widths */
            int code;
            zip_t *za = zip_open(path, ZIP_RDONLY, &code);
            CHECK(za != NULL);
            char buf[8192];
            const char *names[] = {"xl/workbook.xml", "xl/styles.xml", "xl/worksheets/sheet1.xml"};
            const char *needles[] = {"name=\"目标名录\"", "<b/>",
                                     "<col min=\"1\" max=\"1\" width=\"20"};
            for (size_t i = 0; za && i < 3; i++) {
                zip_file_t *zf = zip_fopen(za, names[i], 0);
                CHECK(zf != NULL);
                zip_int64_t n = zf ? zip_fread(zf, buf, sizeof buf - 1) : 0;
                buf[n > 0 ? n : 0] = 0;
                CHECK(strstr(buf, needles[i]) != NULL);
                if (zf) zip_fclose(zf);
            }
            if (za) zip_discard(za);
        }
        free(s);
        unlink(path);
        free(path);
    }
    /* an invalid sheet name is made valid rather than failing */
    char *path = tmp_path("name.xlsx"), *err = NULL;
    TableWriter *w = table_writer_open(path, TABLE_XLSX, "a/b:c[d]", &err);
    CHECK(w != NULL);
    const char *one[] = {"x"};
    CHECK_INT(table_write_row(w, one, 1, &err), 0);
    CHECK_INT(table_writer_close(w, &err), 0);
    char *s = dump_path(path, TABLE_ENC_AUTO, NULL, 0);
    CHECK_STR(s, "1:x\n");
    free(s);
    unlink(path);
    free(path);
    free(err);
}

/* The memory and the file variants agree. */
static void test_mem_and_path_agree(void) {
    const char *names[] = {"gb18030.csv", "handmade.xlsx", "handmade1904.xlsx"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        char *path = fixture(names[i]), *err = NULL;
        size_t len;
        char *data = file_read_all(path, &len, &err);
        CHECK(data != NULL);
        char *a = dump_path(path, TABLE_ENC_AUTO, NULL, 0),
             *b = dump_mem(data, len, TABLE_ENC_AUTO);
        CHECK_STR(a, b);
        CHECK(strstr(a, "ERR") == NULL);
        free(a), free(b), free(data), free(path), free(err);
    }
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/spotcheck-table-XXXXXX");
    ASSERT(mkdtemp(tmpdir));
    RUN(test_csv_line_ends);
    RUN(test_csv_bom);
    RUN(test_csv_quoted);
    RUN(test_csv_row_numbers);
    RUN(test_csv_empty_cells);
    RUN(test_csv_errors);
    RUN(test_csv_error_is_sticky);
    RUN(test_csv_columns_limit);
    RUN(test_csv_gb18030_fixture);
    RUN(test_csv_gbk_detect);
    RUN(test_csv_chunk_edges);
    RUN(test_csv_big_cell);
    RUN(test_csv_writer);
    RUN(test_format_from_name);
    RUN(test_open_errors);
    RUN(test_xlsx_handmade);
    RUN(test_xlsx_1904);
    RUN(test_xlsx_truncated);
    RUN(test_xlsx_numbers);
    RUN(test_xlsx_hostile);
    RUN(test_xlsx_bomb);
    RUN(test_roundtrip);
    RUN(test_mem_and_path_agree);
    rmdir(tmpdir);
    return T_DONE();
}
