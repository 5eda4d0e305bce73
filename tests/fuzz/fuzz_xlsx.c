/* fuzz_xlsx.c - libFuzzer target for the XLSX reader (src/io/xlsx_read.c through table.h).
 *
 * Opens the input as a file in memory (inputs without the zip signature go to the CSV reader,
 * which is fine: the fuzzer soon keeps to zips) with the first columns declared as dates, and
 * reads every row. Checks the reader's promises: 1..TABLE_MAX_COLS cells of valid UTF-8 within
 * TABLE_MAX_CELL, row numbers within 1..1048576, an error message after -1. The seed corpus
 * stores its entries uncompressed so mutations reach the XML (CRC errors are only detected at
 * the end of an entry, after the rows before them were parsed).
 * Built by scripts/fuzz.sh and replayed over the saved corpus by tests/fuzz/replay.c. */
#include "core/util.h"
#include "io/table.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *err = NULL, **cells;
    size_t n;
    long row;
    int rc;
    TableReader *r = table_reader_open_mem(data, size, TABLE_ENC_AUTO, &err);
    if (!r) {
        ASSERT(err && *err);
        free(err);
        return 0;
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
    return 0;
}
