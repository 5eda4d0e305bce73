/* fuzz_csv.c - libFuzzer target for the CSV reader (src/io/csv.c through table.h).
 *
 * Reads every row of the input with automatic encoding detection, then, for inputs small
 * enough to keep the run fast, again with UTF-8 and GB18030 forced. Checks the reader's
 * promises on every row: 1..TABLE_MAX_COLS cells, each a NUL-terminated string of valid UTF-8
 * no longer than TABLE_MAX_CELL, row numbers increasing, an error message after -1.
 * Built by scripts/fuzz.sh (clang, -fsanitize=fuzzer) and replayed over the saved corpus by
 * tests/fuzz/replay.c in every `make test`. */
#include "core/util.h"
#include "io/table.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_all(const uint8_t *data, size_t size, TableEncoding enc) {
    char *err = NULL, **cells;
    size_t n;
    long row, last = 0;
    int rc;
    TableReader *r = table_reader_open_mem(data, size, enc, &err);
    if (!r) {
        ASSERT(err && *err);
        free(err);
        return;
    }
    int cols[] = {0, 1};
    table_reader_date_columns(r, cols, 2);
    while ((rc = table_next(r, &cells, &n, &row, &err)) == 1) {
        ASSERT(n >= 1 && n <= TABLE_MAX_COLS);
        ASSERT(row > last);
        last = row;
        int nonempty = 0;
        for (size_t i = 0; i < n; i++) {
            size_t len = strlen(cells[i]);
            ASSERT(len <= TABLE_MAX_CELL);
            ASSERT(utf8_valid(cells[i], len));
            nonempty |= len > 0;
        }
        ASSERT(nonempty);
    }
    ASSERT(rc == 0 || (rc == -1 && err && *err));
    free(err);
    table_reader_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    read_all(data, size, TABLE_ENC_AUTO);
    if (size <= 4096) {
        read_all(data, size, TABLE_ENC_UTF8);
        read_all(data, size, TABLE_ENC_GB18030);
    }
    return 0;
}
