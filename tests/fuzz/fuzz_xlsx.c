/* fuzz_xlsx.c - libFuzzer target for the XLSX reader (src/io/xlsx_read.c through table.h).
 *
 * Two kinds of input, both ending in table_reader_open_mem:
 *   - a zip file ("PK..."): fed as it is, which exercises the zip handling (truncation,
 *     corruption, bombs). Mutating a zip rarely gets past its CRCs, so the XML behind it is
 *     mostly reached through the second kind;
 *   - anything else: up to four XML parts separated by lines "====" (worksheet, shared strings,
 *     workbook, workbook rels), packed here into a valid zip with stored entries, so every
 *     mutation reaches the XML handlers.
 * The first columns are declared dates. Checks the reader's promises: 1..TABLE_MAX_COLS cells of
 * valid UTF-8 within TABLE_MAX_CELL, row numbers within 1..1048576, a message after -1.
 * Built by scripts/fuzz.sh and replayed over the saved corpus by tests/fuzz/replay.c. */
#include "core/util.h"
#include "io/table.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_all(const void *data, size_t size) {
    char *err = NULL, **cells;
    size_t n;
    long row;
    int rc;
    TableReader *r = table_reader_open_mem(data, size, TABLE_ENC_AUTO, &err);
    if (!r) {
        ASSERT(err && *err);
        free(err);
        return;
    }
    int cols[] = {0, 1, 2};
    table_reader_date_columns(r, cols, 3);
    while ((rc = table_next(r, &cells, &n, &row, &err)) == 1) {
        ASSERT(n >= 1 && n <= TABLE_MAX_COLS);
        ASSERT(row >= 1 && row <= 1048576);
        for (size_t i = 0; i < n; i++) {
            size_t len = strlen(cells[i]);
            ASSERT(len <= TABLE_MAX_CELL);
            ASSERT(utf8_valid(cells[i], len));
        }
    }
    ASSERT(rc == 0 || (rc == -1 && err && *err));
    free(err);
    table_reader_close(r);
}

/* Packs the "===="-separated parts into a zip in memory; returns it (caller frees) or NULL. */
static void *pack(const uint8_t *data, size_t size, size_t *zlen) {
    static const char *const names[] = {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
                                        "xl/workbook.xml", "xl/_rels/workbook.xml.rels"};
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    ASSERT(src);
    zip_source_keep(src);
    zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    ASSERT(za);
    const uint8_t *p = data, *end = data + size;
    for (size_t i = 0; i < ARRAY_LEN(names) && p <= end; i++) {
        const uint8_t *q = memmem(p, (size_t)(end - p), "\n====\n", 6);
        size_t len = q ? (size_t)(q - p) : (size_t)(end - p);
        zip_source_t *part = zip_source_buffer(za, p, len, 0);
        ASSERT(part);
        zip_int64_t idx = zip_file_add(za, names[i], part, 0);
        ASSERT(idx >= 0);
        zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
        if (!q) break;
        p = q + 6;
    }
    ASSERT(zip_close(za) == 0);
    void *out = NULL;
    if (zip_source_open(src) == 0) {
        zip_source_seek(src, 0, SEEK_END);
        zip_int64_t n = zip_source_tell(src);
        zip_source_seek(src, 0, SEEK_SET);
        out = xmalloc(n > 0 ? (size_t)n : 1);
        *zlen = n > 0 && zip_source_read(src, out, (zip_uint64_t)n) == n ? (size_t)n : 0;
        zip_source_close(src);
    }
    zip_source_free(src);
    zip_error_fini(&ze);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
        read_all(data, size);
        return 0;
    }
    size_t zlen = 0;
    void *zip = pack(data, size, &zlen);
    if (zip && zlen) read_all(zip, zlen);
    free(zip);
    return 0;
}
