/* csv.c - streaming CSV reader (UTF-8 or GB18030, RFC 4180) and CSV writer, behind table.h.
 *
 * The reader has two layers:
 *   - a decoder that turns the raw file into valid UTF-8 in chunks of up to CSV_CHUNK bytes. It
 *     decides the encoding once: a UTF-8 BOM means UTF-8; otherwise a forced encoding is obeyed;
 *     otherwise the decision waits for the first chunk holding non-ASCII bytes (pure-ASCII text
 *     is the same in both) and picks UTF-8 when those bytes are valid UTF-8, GB18030 (a superset
 *     of GBK, what Chinese Excel writes) when not. GB18030 goes through iconv a chunk at a time;
 *     an incomplete multi-byte sequence at a chunk's end is carried to the next chunk. The decoder
 *     only ever hands out bytes that are valid UTF-8 without NUL: on a bad byte it hands out what
 *     came before and records a pending error, so the parser reports it with its current row.
 *   - a parser that copies the cells of one record into `row` (NUL-terminated, back to back) and
 *     returns pointers into it. Unquoted cells are scanned eight bytes at a time, quoted cells with
 *     memchr. It is lenient where Excel is (a stray quote inside an unquoted cell is literal; text
 *     after a closing quote is appended) and strict where data would be lost (an unterminated
 *     quote, a cell over TABLE_MAX_CELL, more than TABLE_MAX_COLS cells).
 * Row numbers count records from 1 (the header), including the empty records that are skipped.
 * After an error the reader stays failed and repeats the message.
 *
 * The writer emits UTF-8 with a BOM, CRLF line ends, and quotes a cell only when it holds a comma,
 * quote, CR or LF, which is what Excel reads back unchanged.
 *
 * Called only through table.c (table_reader_open*, table_writer_open). */
#include "table_impl.h"

#include "../core/util.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CSV_CHUNK (1u << 20)  /* raw bytes decoded at a time */
#define CSV_REFILL_BELOW 4096 /* a file source reads more when fewer raw bytes than this remain */
#define CSV_DECIDE_MIN 64     /* non-ASCII bytes wanted before guessing the encoding */

enum { ENC_UNDECIDED = 0, ENC_U8, ENC_GB };
enum { BAD_NONE = 0, BAD_UTF8, BAD_GB, BAD_NUL, BAD_IO, BAD_ICONV };
enum { U_OK = 0, U_SHORT, U_BAD, U_NUL };

typedef struct CsvReader {
    TableReader base;
    /* Raw source: a file read in chunks into raw[], or a private copy of a memory buffer. */
    int fd; /* -1 for memory */
    unsigned char *raw;
    size_t raw_cap, raw_len, raw_pos;
    int src_eof;
    /* Decoder */
    int enc; /* ENC_* */
    iconv_t cd;
    unsigned char *out; /* GB18030 converted to UTF-8 */
    size_t out_cap;
    const unsigned char *p, *e; /* decoded bytes not yet parsed */
    int bad;                    /* BAD_*: pending after the bytes in [p, e) */
    int io_errno;
    /* Parser */
    long rec_no;
    Buf row;
    size_t offs[TABLE_MAX_COLS];
    char *cells[TABLE_MAX_COLS];
    char *failed; /* message of the error that stopped the reader */
} CsvReader;

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
#define HASZERO(v) (((v)-ONES) & ~(v)&HIGHS)

static inline uint64_t load64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* Length of the leading run of bytes that are ASCII and not NUL. */
static inline size_t ascii_prefix(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i + 8 <= n) {
        uint64_t v = load64(s + i);
        if ((v & HIGHS) || HASZERO(v)) break;
        i += 8;
    }
    while (i < n && s[i] && s[i] < 0x80)
        i++;
    return i;
}

/* Validates UTF-8 (Unicode table 3-7: no overlongs, surrogates or values above U+10FFFF) and
 * rejects NUL. *good receives the length of the valid prefix. U_SHORT: the data ends inside a
 * sequence that may still complete (only when !at_end). Runs of ASCII go eight bytes at a time;
 * the three-byte sequences of CJK text take a short path. */
static int utf8_scan(const unsigned char *s, size_t n, int at_end, size_t *good) {
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (c == 0) {
                *good = i;
                return U_NUL;
            }
            i++;
            while (i + 8 <= n) {
                uint64_t v = load64(s + i);
                if ((v & HIGHS) || HASZERO(v)) break;
                i += 8;
            }
            continue;
        }
        if (c >= 0xE1 && c <= 0xEC && i + 2 < n) { /* most of CJK */
            if ((s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80) {
                *good = i;
                return U_BAD;
            }
            i += 3;
            continue;
        }
        unsigned char lo = 0x80, hi = 0xBF;
        size_t len;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            *good = i;
            return U_BAD;
        }
        for (size_t k = 1; k < len; k++) {
            if (i + k >= n) {
                *good = i;
                return at_end ? U_BAD : U_SHORT;
            }
            unsigned char d = s[i + k];
            if (k == 1 ? (d < lo || d > hi) : (d < 0x80 || d > 0xBF)) {
                *good = i;
                return U_BAD;
            }
        }
        i += len;
    }
    *good = n;
    return U_OK;
}

/* Moves the unread raw bytes to the front and reads until raw[] is full or the file ends. */
static void raw_fill(CsvReader *c) {
    if (c->fd < 0 || c->src_eof) return;
    if (c->raw_pos > 0) {
        memmove(c->raw, c->raw + c->raw_pos, c->raw_len - c->raw_pos);
        c->raw_len -= c->raw_pos;
        c->raw_pos = 0;
    }
    while (c->raw_len < c->raw_cap) {
        ssize_t n = read(c->fd, c->raw + c->raw_len, c->raw_cap - c->raw_len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            c->io_errno = errno;
            c->bad = BAD_IO;
            c->src_eof = 1;
            return;
        }
        if (n == 0) {
            c->src_eof = 1;
            return;
        }
        c->raw_len += (size_t)n;
    }
}

/* Opens the GB18030 converter and its output buffer once. -1 (and c->bad) when iconv lacks it. */
static int gb_open(CsvReader *c) {
    if (c->cd != (iconv_t)-1) return 0;
    c->cd = iconv_open("UTF-8", "GB18030");
    if (c->cd == (iconv_t)-1) {
        c->bad = BAD_ICONV;
        return -1;
    }
    /* GB18030 → UTF-8 grows at most 1.5 times; a slice is at most CSV_CHUNK raw bytes */
    c->out_cap = 2 * (c->raw_cap < CSV_CHUNK ? c->raw_cap : CSV_CHUNK) + 16;
    c->out = xmalloc(c->out_cap);
    return 0;
}

/* Length of the prefix of s[0..n) that is valid GB18030, SIZE_MAX when all of it is (an
 * incomplete sequence at the end counts as valid unless at_end). Uses c->out as scratch. */
static size_t gb_valid_prefix(CsvReader *c, const unsigned char *s, size_t n, int at_end) {
    if (gb_open(c) < 0) return SIZE_MAX; /* the error shows when decoding */
    char *in = (char *)s, *o = (char *)c->out;
    size_t inleft = n, outleft = c->out_cap;
    size_t rc = iconv(c->cd, &in, &inleft, &o, &outleft);
    int e = errno;
    iconv(c->cd, NULL, NULL, NULL, NULL);
    if (rc != (size_t)-1 || e == E2BIG || (e == EINVAL && !at_end)) return SIZE_MAX;
    return n - inleft;
}

/* Sets [p, e) to bytes decoded from one slice of raw bytes. Returns 1 when some bytes are
 * available, 0 when nothing came out of this slice yet (more raw input is needed). */
static int decode_slice(CsvReader *c) {
    const unsigned char *s = c->raw + c->raw_pos;
    size_t avail = c->raw_len - c->raw_pos;
    size_t n = avail < CSV_CHUNK ? avail : CSV_CHUNK;
    int at_end = c->src_eof && n == avail;
    size_t good;

    if (c->enc == ENC_UNDECIDED) {
        size_t k = ascii_prefix(s, n);
        if (k == n || s[k] == 0) {
            if (k < n) c->bad = BAD_NUL;
            c->p = s;
            c->e = s + k;
            c->raw_pos += k;
            return k > 0;
        }
        if (!at_end && n - k < CSV_DECIDE_MIN) {
            /* Too little evidence: hand out the ASCII part and wait for more bytes. */
            c->p = s;
            c->e = s + k;
            c->raw_pos += k;
            return k > 0;
        }
        if (utf8_scan(s + k, n - k, at_end, &good) != U_BAD) {
            c->enc = ENC_U8;
        } else {
            /* Not valid UTF-8. Still UTF-8 with a stray byte (then the error must name its
             * row) rather than GB18030 when GB18030 fails earlier in the slice: CJK in UTF-8
             * is a run of 3-byte sequences that GB18030 misreads as 2-byte characters until an
             * odd byte meets an ASCII delimiter. Equal prefixes favour GB18030. */
            size_t gb = gb_valid_prefix(c, s + k, n - k, at_end);
            c->enc = gb == SIZE_MAX ? ENC_GB : gb < good ? ENC_U8 : ENC_GB;
        }
    }
    if (c->enc == ENC_U8) {
        int rc = utf8_scan(s, n, at_end, &good);
        if (rc == U_BAD) c->bad = BAD_UTF8;
        if (rc == U_NUL) c->bad = BAD_NUL;
        c->p = s;
        c->e = s + good;
        c->raw_pos += good;
        return good > 0;
    }
    /* GB18030 */
    if (gb_open(c) < 0) return 0;
    char *in = (char *)s, *o = (char *)c->out;
    size_t inleft = n, outleft = c->out_cap;
    size_t rc = iconv(c->cd, &in, &inleft, &o, &outleft);
    if (rc == (size_t)-1) {
        if (errno == EILSEQ || (errno == EINVAL && at_end)) c->bad = BAD_GB;
        /* EINVAL otherwise: an incomplete sequence, carried to the next slice; E2BIG: the rest
         * waits for the next slice. */
    }
    c->raw_pos += n - inleft;
    size_t produced = (size_t)(o - (char *)c->out);
    unsigned char *z = memchr(c->out, 0, produced);
    if (z) {
        produced = (size_t)(z - c->out);
        c->bad = BAD_NUL;
    }
    c->p = c->out;
    c->e = c->out + produced;
    return produced > 0;
}

/* Makes [p, e) non-empty. Returns 1 on success, 0 at the clean end of the file, -1 when the
 * decoder has hit a bad byte (c->bad says which). */
static int refill_slow(CsvReader *c) {
    for (;;) {
        if (c->p < c->e) return 1;
        if (c->bad) return -1;
        if (c->raw_len - c->raw_pos < CSV_REFILL_BELOW) raw_fill(c);
        if (c->bad && c->raw_pos == c->raw_len) return -1;
        if (c->raw_pos == c->raw_len && c->src_eof) return 0;
        if (decode_slice(c)) return 1;
        if (c->bad) return -1;
        if (c->src_eof && c->raw_pos == c->raw_len) return 0;
        /* Only a file source still being read can decode to nothing (an incomplete sequence
         * or too little evidence waits for more bytes); from memory, or at the end of the file,
         * decode_slice always yields bytes or an error, so looping here would never end. */
        ASSERT(c->fd >= 0 && !c->src_eof);
        raw_fill(c);
    }
}

static inline int refill(CsvReader *c) {
    return c->p < c->e ? 1 : refill_slow(c);
}

static int fail(CsvReader *c, char **err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(CsvReader *c, char **err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    free(c->failed);
    c->failed = xvasprintf(fmt, ap);
    va_end(ap);
    return set_err(err, "%s", c->failed);
}

static int fail_decode(CsvReader *c, char **err, long row) {
    switch (c->bad) {
    case BAD_UTF8:
        return fail(c, err,
                    "第%ld行: 含有不是 UTF-8 编码的字节（如果文件是 GBK 编码，请按 GBK 导入）",
                    row);
    case BAD_GB:
        return fail(c, err, "第%ld行: 含有 GB18030/GBK 编码中无效的字节", row);
    case BAD_NUL:
        return fail(c, err, "第%ld行: 含有空字节 (0x00)，文件可能不是文本文件", row);
    case BAD_ICONV:
        return fail(c, err, "系统不支持 GB18030 编码转换 (iconv)");
    default:
        return fail(c, err, "读取文件失败: %s", strerror(c->io_errno));
    }
}

/* Appends n bytes to the current cell (column `col`, 0-based), enforcing TABLE_MAX_CELL. */
static inline int cell_add(CsvReader *c, size_t col, const unsigned char *s, size_t n, int quoted,
                           char **err) {
    if (c->row.len - c->offs[col] + n > TABLE_MAX_CELL)
        return fail(c, err, "第%ld行第%zu列: 单元格超过 %u MB 上限%s", c->rec_no, col + 1,
                    TABLE_MAX_CELL >> 20, quoted ? "（可能有引号未闭合）" : "");
    if (c->row.len + n > TABLE_MAX_ROW)
        return fail(c, err, "第%ld行: 整行超过 %u MB 上限", c->rec_no, TABLE_MAX_ROW >> 20);
    if (c->row.len + n + 1 > c->row.cap) buf_reserve(&c->row, n + 1);
    memcpy(c->row.data + c->row.len, s, n);
    c->row.len += n;
    return 0;
}

/* Ends the current cell with its NUL. */
static inline void cell_end(CsvReader *c) {
    if (c->row.len + 1 > c->row.cap) buf_reserve(&c->row, 1);
    c->row.data[c->row.len++] = 0;
}

/* Finds the first ',', CR or LF in [p, e), or e. */
static inline const unsigned char *scan_unquoted(const unsigned char *p, const unsigned char *e) {
    const uint64_t comma = ONES * ',', cr = ONES * '\r', lf = ONES * '\n';
    while (e - p >= 8) {
        uint64_t v = load64(p), a = v ^ comma, b = v ^ cr, d = v ^ lf;
        if (HASZERO(a) | HASZERO(b) | HASZERO(d)) break;
        p += 8;
    }
    while (p < e && *p != ',' && *p != '\r' && *p != '\n')
        p++;
    return p;
}

static int csv_next(TableReader *tr, char ***cells, size_t *ncells, long *row_no, char **err) {
    CsvReader *c = (CsvReader *)tr;
    if (c->failed) return set_err(err, "%s", c->failed);
    for (;;) { /* one record per turn; empty records are skipped */
        int rc = refill(c);
        if (rc == 0) return 0;
        if (rc < 0) return fail_decode(c, err, c->rec_no + 1);
        c->rec_no++;
        c->row.len = 0;
        size_t ncol = 0;
        int nonempty = 0, eor = 0;
        while (!eor) { /* one field per turn */
            if (ncol == TABLE_MAX_COLS)
                return fail(c, err, "第%ld行: 列数超过 %d 列上限", c->rec_no, TABLE_MAX_COLS);
            size_t col = ncol++;
            c->offs[col] = c->row.len;
            rc = refill(c);
            if (rc < 0) return fail_decode(c, err, c->rec_no);
            int quoted = rc > 0 && *c->p == '"';
            if (quoted) {
                c->p++;
                for (;;) {
                    rc = refill(c);
                    if (rc == 0) return fail(c, err, "第%ld行: 引号未闭合", c->rec_no);
                    if (rc < 0) return fail_decode(c, err, c->rec_no);
                    const unsigned char *q = memchr(c->p, '"', (size_t)(c->e - c->p));
                    const unsigned char *stop = q ? q : c->e;
                    if (stop > c->p) {
                        if (cell_add(c, col, c->p, (size_t)(stop - c->p), 1, err)) return -1;
                        nonempty = 1;
                    }
                    c->p = stop;
                    if (!q) continue;
                    c->p++; /* the quote */
                    rc = refill(c);
                    if (rc < 0) return fail_decode(c, err, c->rec_no);
                    if (rc > 0 && *c->p == '"') { /* doubled quote */
                        if (cell_add(c, col, c->p, 1, 1, err)) return -1;
                        nonempty = 1;
                        c->p++;
                        continue;
                    }
                    break; /* closing quote: what follows up to the delimiter is appended */
                }
            }
            for (;;) { /* unquoted text, or what follows a closing quote */
                rc = refill(c);
                if (rc < 0) return fail_decode(c, err, c->rec_no);
                if (rc == 0) {
                    eor = 1;
                    break;
                }
                const unsigned char *q = scan_unquoted(c->p, c->e);
                if (q > c->p) {
                    if (cell_add(c, col, c->p, (size_t)(q - c->p), 0, err)) return -1;
                    nonempty = 1;
                }
                c->p = q;
                if (q == c->e) continue;
                c->p++;
                if (*q == ',') break;
                eor = 1;
                if (*q == '\r' && refill(c) > 0 && *c->p == '\n') c->p++;
                break;
            }
            cell_end(c);
        }
        if (!nonempty) continue;
        for (size_t i = 0; i < ncol; i++)
            c->cells[i] = c->row.data + c->offs[i];
        *cells = c->cells;
        *ncells = ncol;
        *row_no = c->rec_no;
        return 1;
    }
}

static void csv_date_columns(TableReader *tr, const int *cols, size_t ncols) {
    (void)tr, (void)cols, (void)ncols; /* CSV dates are text already */
}

static void csv_close(TableReader *tr) {
    CsvReader *c = (CsvReader *)tr;
    if (c->fd >= 0) close(c->fd);
    if (c->cd != (iconv_t)-1) iconv_close(c->cd);
    free(c->raw);
    free(c->out);
    free(c->failed);
    buf_free(&c->row);
    free(c);
}

/* Handles the first bytes: BOM and UTF-16 detection, and the encoding choice. */
static TableReader *csv_start(CsvReader *c, TableEncoding enc, char **err) {
    raw_fill(c);
    const unsigned char *s = c->raw;
    if (c->bad == BAD_IO) {
        set_err(err, "读取文件失败: %s", strerror(c->io_errno));
        csv_close(&c->base);
        return NULL;
    }
    if (c->raw_len >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF))) {
        set_err(err,
                "文件是 UTF-16 编码，不支持；请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx");
        csv_close(&c->base);
        return NULL;
    }
    if (c->raw_len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
        /* A UTF-8 BOM is unambiguous and wins even over a forced GB18030. */
        c->raw_pos = 3;
        c->enc = ENC_U8;
    } else {
        c->enc = enc == TABLE_ENC_UTF8 ? ENC_U8 : enc == TABLE_ENC_GB18030 ? ENC_GB : ENC_UNDECIDED;
    }
    return &c->base;
}

static CsvReader *csv_new(void) {
    CsvReader *c = xcalloc(1, sizeof *c);
    c->base.fmt = TABLE_CSV;
    c->base.next = csv_next;
    c->base.date_columns = csv_date_columns;
    c->base.close = csv_close;
    c->fd = -1;
    c->cd = (iconv_t)-1;
    buf_init(&c->row);
    return c;
}

/* Reader over an open file descriptor, which it owns from now on. Returns NULL with *err set
 * when the file cannot be read or is UTF-16. */
TableReader *csv_reader_open_fd(int fd, TableEncoding enc, char **err) {
    CsvReader *c = csv_new();
    c->fd = fd;
    c->raw_cap = CSV_CHUNK;
    c->raw = xmalloc(c->raw_cap);
    return csv_start(c, enc, err);
}

/* Reader over a private copy of data[0..len). */
TableReader *csv_reader_open_mem(const void *data, size_t len, TableEncoding enc, char **err) {
    CsvReader *c = csv_new();
    c->raw = xmalloc(len);
    if (len) memcpy(c->raw, data, len);
    c->raw_cap = c->raw_len = len;
    c->src_eof = 1;
    return csv_start(c, enc, err);
}

/* ---- writer ---- */

typedef struct CsvWriter {
    TableWriter base;
    FILE *f;
    char *path;
    Buf out;
    int io_errno;
} CsvWriter;

static int csv_flush(CsvWriter *w) {
    if (w->out.len && fwrite(w->out.data, 1, w->out.len, w->f) != w->out.len && !w->io_errno)
        w->io_errno = errno ? errno : EIO;
    buf_reset(&w->out);
    return w->io_errno ? -1 : 0;
}

static int csv_write_row(TableWriter *tw, const char *const *cells, size_t ncells, char **err) {
    CsvWriter *w = (CsvWriter *)tw;
    for (size_t i = 0; i < ncells; i++) {
        /* every CSV this program writes is formula-safe: a cell a spreadsheet would run (= + - @)
         * gets a leading ', which the imports take off again (str_cell_import) */
        char *defused = str_cell_export(cells[i] ? cells[i] : "", 1);
        const char *s = defused ? defused : cells[i] ? cells[i] : "";
        size_t n = strlen(s);
        if (i) buf_putc(&w->out, ',');
        if (!strpbrk(s, ",\"\r\n")) {
            buf_append(&w->out, s, n);
            free(defused);
            continue;
        }
        buf_putc(&w->out, '"');
        for (const char *q; (q = memchr(s, '"', n)) != NULL;) {
            buf_append(&w->out, s, (size_t)(q - s) + 1);
            buf_putc(&w->out, '"');
            n -= (size_t)(q - s) + 1;
            s = q + 1;
        }
        buf_append(&w->out, s, n);
        buf_putc(&w->out, '"');
        free(defused);
        defused = NULL;
    }
    buf_append(&w->out, "\r\n", 2);
    if (w->out.len >= (1u << 20) && csv_flush(w))
        return set_err(err, "写入文件 %s 失败: %s", w->path, strerror(w->io_errno));
    return 0;
}

static int csv_writer_close(TableWriter *tw, char **err) {
    CsvWriter *w = (CsvWriter *)tw;
    int rc = csv_flush(w);
    if (fclose(w->f) != 0 && !w->io_errno) w->io_errno = errno, rc = -1;
    if (rc) set_err(err, "写入文件 %s 失败: %s", w->path, strerror(w->io_errno));
    buf_free(&w->out);
    free(w->path);
    free(w);
    return rc;
}

/* Creates (truncates) path and writes the UTF-8 BOM. */
TableWriter *csv_writer_open(const char *path, char **err) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        set_err(err, "无法创建文件 %s: %s", path, strerror(errno));
        return NULL;
    }
    CsvWriter *w = xcalloc(1, sizeof *w);
    w->base.fmt = TABLE_CSV;
    w->base.write_row = csv_write_row;
    w->base.close = csv_writer_close;
    w->f = f;
    w->path = xstrdup(path);
    buf_init(&w->out);
    buf_append(&w->out, "\xEF\xBB\xBF", 3);
    return &w->base;
}
