/* util.h - allocation, strings and growable buffers used everywhere.
 *
 * Allocation failure aborts: spotcheck has no sensible way to continue without memory, and
 * checking every malloc would hide the real error paths. Everything here is libc only and
 * thread-safe (no shared state). */
#ifndef SPOTCHECK_UTIL_H
#define SPOTCHECK_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* "Cannot happen" checks that stay on in release builds. */
#define ASSERT(c)                                                                                  \
    do {                                                                                           \
        if (!(c)) util_assert_fail(#c, __FILE__, __LINE__);                                        \
    } while (0)
_Noreturn void util_assert_fail(const char *expr, const char *file, int line);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Sets *err (if err is not NULL) to a newly allocated message and returns -1, so error paths
 * read `return set_err(err, "...")`. Any earlier message in *err is freed. */
int set_err(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Growable byte buffer; always NUL-terminated after any append. */
typedef struct Buf {
    char *data;
    size_t len;
    size_t cap;
} Buf;

void buf_init(Buf *b);
void buf_free(Buf *b);
void buf_reset(Buf *b);
void buf_reserve(Buf *b, size_t extra);
void buf_append(Buf *b, const void *p, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_putc(Buf *b, char c);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(Buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Hands the data to the caller (who frees it) and leaves b empty. */
char *buf_steal(Buf *b);

/* Strings */
int str_eq(const char *a, const char *b); /* NULL-safe equality */
int str_empty(const char *s);             /* NULL or "" */
/* 1 when a spreadsheet would read the text as a formula (starts with = + - @ TAB or CR): CSV
 * exports not meant for re-import prefix such a cell with ' (formula injection). */
int str_formula_like(const char *s);
/* The same for files that are imported again (the 一单两库 exports), keeping export → import
 * identical. A CSV cell is read by a spreadsheet as typed, so a value whose leading apostrophes,
 * if any, are followed by one of those characters gets one more leading ' (`csv` set). An XLSX
 * cell written as a string never runs, so there only a value that already starts with such
 * apostrophes gets one more. str_cell_import takes one ' off a value made of apostrophes and a
 * formula-like rest (also what Excel keeps when it opens such a CSV and saves it as XLSX).
 * str_cell_export returns a new string, or NULL when the value is written as it is;
 * str_cell_import returns s itself or s + 1. */
char *str_cell_export(const char *s, int csv);
const char *str_cell_import(const char *s);
char *str_trim(char *s); /* trims ASCII and U+3000 space in place */
int str_starts(const char *s, const char *prefix);
/* FNV-1a (64-bit) of the bytes of s: the key of the caches and named locks, not a digest. */
uint64_t str_fnv1a(const char *s);
/* Number of Unicode code points in a UTF-8 string. */
size_t utf8_len(const char *s);
/* 1 when the bytes are valid UTF-8 (no overlongs, no surrogates). */
int utf8_valid(const char *s, size_t n);
/* The n bytes at s as valid UTF-8 (new string): as they are when they already are; else read as
 * GB18030 (what Chinese Windows sends for a file name) when they are that; else with each byte that
 * is not part of a valid character replaced by U+FFFD. NUL bytes become U+FFFD too. */
char *text_to_utf8(const char *s, size_t n);
/* A row id given as text (a path parameter, a form field): 1 to 18 ASCII digits, positive; 0 for
 * anything else (NULL, empty, a sign, spaces, letters, overflow). */
long long str_id(const char *s);

/* Dates as ISO strings "YYYY-MM-DD". Returns 1 when s is a valid calendar date. */
int date_valid(const char *s);
/* Day numbers (days since 1970-01-01, proleptic Gregorian; Howard Hinnant's algorithms). */
int date_days_from_civil(int y, int m, int d);
void date_civil_from_days(int z, int *y, int *m, int *d);
/* Today's date: see clock.h (clock_today), the one clock. */

/* Reads a whole file; returns NULL and sets *err on failure. *len receives the size. */
char *file_read_all(const char *path, size_t *len, char **err);

#endif
