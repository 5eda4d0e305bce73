/* dir_io_runs.c - the bulk path's rows in bounded memory (dir_io_bulk.c, issue 17 item 3): the
 * valid rows of a file are kept in memory until they take BULK_RUN_BYTES; then they are sorted by
 * key (bulk_kept_cmp) and appended as one run to a temporary file, and their memory is freed. At
 * the write, bulk_merge hands back the rows of every run and of memory in that order (a k-way
 * merge through a heap), one row at a time. So a large valid file costs a few runs' worth of
 * memory instead of all its rows, and a small one never touches the disk.
 *
 * The temporary file is created in $TMPDIR (else /tmp) and unlinked at once: nothing is left
 * behind by a crash or kill -9. A run's record is: line (int64), field mask (uint32), size
 * (uint32), then one uint16 per field, the length of its value with its NUL (0: NULL), then the
 * values as they are in the row's block (KeptRow: in field order, with their NULs), padded to 8
 * bytes: so records stay aligned and are written and read without measuring a string. (The
 * block's field pointers were written as 8-byte offsets before: 136 of the ~290 bytes of a
 * target's record; the file of a 1M-target import shrank from 291 to ~190 MB.) Reading a record
 * copies its values once, behind the pointers it sets. A value takes at most 8,001 bytes (2,000
 * characters, dir_parse_field); a longer one keeps its run in memory, as a failed write does.
 * When the file cannot be written (disk full), the rows stay in memory as before. Callers:
 * dir_io_bulk.c through dir_io_impl.h; one thread. */
#include "dir_io_impl.h"

#include "../core/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUN_READ_BUF ((size_t)64 << 10)

_Static_assert(sizeof(char *) == sizeof(uint64_t), "a record keeps offsets where pointers were");

typedef struct RunHead {
    int64_t row_no;
    uint32_t set, size;
} RunHead;

/* Writes all of data at offset off of fd. Returns 0 or -1. */
static int write_at(int fd, const char *data, size_t len, int64_t off) {
    while (len) {
        ssize_t w = pwrite(fd, data, len, (off_t)off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        data += w;
        len -= (size_t)w;
        off += w;
    }
    return 0;
}

/* The temporary file, created on first use: 0, or -1 (then spill_off). */
static int spill_open(Bulk *b) {
    if (b->spill_fd >= 0) return 0;
    const char *dir = getenv("TMPDIR");
    char *path = xasprintf("%s/spotcheck-import-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd >= 0) unlink(path); /* gone with the process, however it ends */
    free(path);
    if (fd < 0) return -1;
    b->spill_fd = fd;
    return 0;
}

void bulk_spill(Bulk *b) {
    if (!b->n) return;
    if (spill_open(b) != 0) {
        b->spill_off = 1;
        return;
    }
    qsort(b->rows, b->n, sizeof *b->rows, bulk_kept_cmp);
    const size_t nf = b->k->nfields;
    Buf out;
    buf_init(&out);
    int64_t off = b->spill_end;
    int rc = 0;
    for (size_t r = 0; rc == 0 && r < b->n; r++) {
        const KeptRow *row = &b->rows[r];
        const char *values = (const char *)(row->v + nf), *end = (const char *)row->v + row->bytes;
        uint16_t len[DIR_MAX_FIELDS];
        for (size_t i = 0, j; i < nf; i++) { /* a value ends where the next given one starts */
            len[i] = 0;
            if (!row->v[i]) continue;
            for (j = i + 1; j < nf && !row->v[j]; j++)
                ;
            size_t n = (size_t)((j < nf ? row->v[j] : end) - row->v[i]);
            if (n > UINT16_MAX) rc = -1;
            len[i] = (uint16_t)n;
        }
        size_t vbytes = (size_t)(end - values), size = nf * sizeof *len + vbytes;
        RunHead h = {row->row_no, row->set, (uint32_t)((size + 7u) & ~(size_t)7u)};
        buf_append(&out, &h, sizeof h);
        size_t at = out.len;
        buf_reserve(&out, h.size);
        memcpy(out.data + at, len, nf * sizeof *len);
        memcpy(out.data + at + nf * sizeof *len, values, vbytes);
        memset(out.data + at + size, 0, h.size - size);
        out.len += h.size;
        if (rc == 0 && (out.len >= ((size_t)1 << 20) || r + 1 == b->n)) {
            rc = write_at(b->spill_fd, out.data, out.len, off);
            off += (int64_t)out.len;
            out.len = 0;
        }
    }
    buf_free(&out);
    if (rc != 0) { /* the run is not recorded; the rows stay here */
        b->spill_off = 1;
        return;
    }
    if (b->nruns == b->capruns) {
        b->capruns = b->capruns ? 2 * b->capruns : 16;
        b->runs = xrealloc(b->runs, b->capruns * sizeof *b->runs);
    }
    b->runs[b->nruns++] = (BulkRun){b->spill_end, off};
    b->spill_end = off;
    b->nspilled += b->n;
    b->n = 0;
    b->run_bytes = 0;
    bulk_arena_free(b->arena);
    b->arena = NULL;
}

void bulk_runs_free(Bulk *b) {
    if (b->spill_fd >= 0) close(b->spill_fd);
    b->spill_fd = -1;
    free(b->runs);
    b->runs = NULL;
    b->nruns = b->capruns = 0;
}

/* ---- the merge ---- */

/* One sorted source: a run of the file (read through buf) or the rows in memory (mem). */
typedef struct RunSrc {
    KeptRow cur; /* its current row (valid until it advances) */
    int64_t off, end;
    char *buf;
    size_t pos, len, cap;
    char **row; /* the current row's block (a file's source), rowcap bytes */
    size_t rowcap;
    const KeptRow *mem;
    size_t nmem, imem;
} RunSrc;

struct BulkMerge {
    Bulk *b;
    RunSrc *src;
    size_t nsrc;
    size_t *heap, nheap; /* source indexes, smallest current row first */
    int last;            /* the source whose row was handed out last, advanced at the next call */
    int failed;
};

/* Makes sure buf holds `need` bytes from pos on: 1, 0 at the end of the run, -1 on a read error
 * (or a record cut short). */
static int src_fill(Bulk *b, RunSrc *s, size_t need) {
    if (s->len - s->pos >= need) return 1;
    memmove(s->buf, s->buf + s->pos, s->len - s->pos);
    s->len -= s->pos;
    s->pos = 0;
    if (need > s->cap) {
        s->cap = need;
        s->buf = xrealloc(s->buf, s->cap);
    }
    while (s->len < need) {
        if (s->off >= s->end) return s->len ? -1 : 0;
        size_t want = s->cap - s->len;
        if ((int64_t)want > s->end - s->off) want = (size_t)(s->end - s->off);
        ssize_t r = pread(b->spill_fd, s->buf + s->len, want, (off_t)s->off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        s->len += (size_t)r;
        s->off += r;
    }
    return 1;
}

/* Moves source s to its next row: 1, 0 at its end, -1 on a read error. */
static int src_next(BulkMerge *m, RunSrc *s) {
    if (s->mem) {
        if (s->imem == s->nmem) return 0;
        s->cur = s->mem[s->imem++];
        return 1;
    }
    const DirKind *k = m->b->k;
    int rc = src_fill(m->b, s, sizeof(RunHead));
    if (rc <= 0) return rc;
    const size_t nf = k->nfields;
    RunHead h;
    memcpy(&h, s->buf + s->pos, sizeof h);
    if (h.size < nf * sizeof(uint16_t) || h.size % 8) return -1;
    if ((rc = src_fill(m->b, s, sizeof h + h.size)) <= 0) return -1;
    const char *rec = s->buf + s->pos + sizeof h;
    uint16_t len[DIR_MAX_FIELDS];
    memcpy(len, rec, nf * sizeof *len);
    size_t vbytes = 0;
    for (size_t i = 0; i < nf; i++)
        vbytes += len[i];
    if (vbytes > h.size - nf * sizeof *len) return -1;
    size_t bytes = nf * sizeof(char *) + vbytes;
    if (bytes > s->rowcap) {
        s->rowcap = bytes > 2 * s->rowcap ? bytes : 2 * s->rowcap;
        s->row = xrealloc(s->row, s->rowcap);
    }
    char **v = s->row, *p = (char *)(v + nf);
    memcpy(p, rec + nf * sizeof *len, vbytes);
    for (size_t i = 0; i < nf; i++) {
        if (len[i] && p[len[i] - 1]) return -1; /* each value ends with its NUL */
        v[i] = len[i] ? p : NULL;
        p += len[i];
    }
    s->pos += sizeof h + h.size;
    KeptRow *c = &s->cur;
    c->v = v;
    c->bytes = (uint32_t)bytes;
    c->set = h.set;
    c->row_no = (long)h.row_no;
    c->key = v[m->b->key];
    c->prefix[0] = c->prefix[1] = 0;
    for (int i = 0; c->key && i < 16 && c->key[i]; i++)
        c->prefix[i / 8] |= (uint64_t)(unsigned char)c->key[i] << (56 - 8 * (i % 8));
    return 1;
}

static int heap_less(const BulkMerge *m, size_t a, size_t b) {
    return bulk_kept_cmp(&m->src[m->heap[a]].cur, &m->src[m->heap[b]].cur) < 0;
}

static void heap_down(BulkMerge *m, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, min = i;
        if (l < m->nheap && heap_less(m, l, min)) min = l;
        if (r < m->nheap && heap_less(m, r, min)) min = r;
        if (min == i) return;
        size_t t = m->heap[i];
        m->heap[i] = m->heap[min];
        m->heap[min] = t;
        i = min;
    }
}

BulkMerge *bulk_merge_open(Bulk *b) {
    BulkMerge *m = xcalloc(1, sizeof *m);
    m->b = b;
    m->last = -1;
    qsort(b->rows, b->n, sizeof *b->rows, bulk_kept_cmp);
    m->src = xcalloc(b->nruns + 1, sizeof *m->src);
    m->heap = xcalloc(b->nruns + 1, sizeof *m->heap);
    for (size_t i = 0; i < b->nruns; i++) {
        RunSrc *s = &m->src[m->nsrc++];
        s->off = b->runs[i].off;
        s->end = b->runs[i].end;
        s->cap = RUN_READ_BUF;
        s->buf = xmalloc(s->cap);
    }
    if (b->n) {
        RunSrc *s = &m->src[m->nsrc++];
        s->mem = b->rows;
        s->nmem = b->n;
    }
    for (size_t i = 0; i < m->nsrc; i++) {
        int rc = src_next(m, &m->src[i]);
        if (rc < 0) m->failed = 1;
        if (rc > 0) m->heap[m->nheap++] = i;
    }
    for (size_t i = m->nheap / 2; i-- > 0;)
        heap_down(m, i);
    return m;
}

const KeptRow *bulk_merge_next(BulkMerge *m, int *failed) {
    if (m->last >= 0) { /* the row handed out last is used: its source moves on */
        int rc = src_next(m, &m->src[m->last]);
        if (rc < 0) m->failed = 1;
        if (rc <= 0) m->heap[0] = m->heap[--m->nheap];
        heap_down(m, 0);
        m->last = -1;
    }
    if (m->failed) *failed = 1;
    if (m->failed || !m->nheap) return NULL;
    m->last = (int)m->heap[0];
    return &m->src[m->last].cur;
}

void bulk_merge_close(BulkMerge *m) {
    if (!m) return;
    for (size_t i = 0; i < m->nsrc; i++) {
        free(m->src[i].buf);
        free(m->src[i].row);
    }
    free(m->src);
    free(m->heap);
    free(m);
}
