/* draw_pop.c - the canonical population file of the draw engine (docs/DRAW.md §2): lines
 * "id<TAB>stratum" (or with a third column, the region), sorted by id bytes, UTF-8, each ending
 * in LF, parsed in place into a DrawPop. A fast one-pass parser over 64-byte chunks takes every
 * well-formed file; anything unusual goes to the line-at-a-time reference parser, which decides
 * and gives the error messages, so both accept exactly the same files.
 *
 * Pure: no database, no clock, no I/O. Called by draw_store*.c (freeze, load), the CLI (sample,
 * verify, draw), tests (test_draw.c compares the two parsers) and the benchmark. */
#include "draw.h"

#include "draw_impl.h"
#include "draw_sha256.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void draw_pop_free(DrawPop *p) {
    free(p->text);
    free(p->id);
    free(p->id_len);
    free(p->stratum);
    free(p->region);
    for (size_t i = 0; i < p->nstrata; i++)
        free(p->strata[i]);
    free(p->strata);
    free(p->stratum_n);
    memset(p, 0, sizeof *p);
}

static int str_ptr_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the stratum names (pointers into the text, in order of first appearance), remaps
 * p->stratum to the sorted indices and counts the ids of every stratum. */
static void pop_finish_strata(DrawPop *p, char **names) {
    char **sorted = xmalloc((p->nstrata ? p->nstrata : 1) * sizeof *sorted);
    memcpy(sorted, names, p->nstrata * sizeof *sorted);
    qsort(sorted, p->nstrata, sizeof *sorted, str_ptr_cmp);
    uint32_t *map = xmalloc((p->nstrata ? p->nstrata : 1) * sizeof *map);
    int identity = 1;
    for (size_t k = 0; k < p->nstrata; k++)
        for (size_t j = 0; j < p->nstrata; j++)
            if (sorted[j] == names[k]) {
                map[k] = (uint32_t)j;
                identity &= j == k;
            }
    p->strata = xmalloc((p->nstrata ? p->nstrata : 1) * sizeof *p->strata);
    p->stratum_n = xcalloc(p->nstrata ? p->nstrata : 1, sizeof *p->stratum_n);
    for (size_t j = 0; j < p->nstrata; j++)
        p->strata[j] = xstrdup(sorted[j]);
    if (identity) {
        for (size_t i = 0; i < p->n; i++)
            p->stratum_n[p->stratum[i]]++;
    } else {
        for (size_t i = 0; i < p->n; i++) {
            p->stratum[i] = map[p->stratum[i]];
            p->stratum_n[p->stratum[i]]++;
        }
    }
    free(map);
    free(sorted);
}

/* The reference parser: a line at a time, with the exact error messages. p->text holds len
 * bytes plus padding; the digest is already set. On error frees everything, returns -1. */
static int pop_parse_slow(DrawPop *p, size_t len, char **err) {
    char *text = p->text;
    if (len && text[len - 1] != '\n') {
        set_err(err, "名单文件须以换行结尾");
        goto fail;
    }
    if (!utf8_valid(text, len)) {
        set_err(err, "名单文件不是有效的 UTF-8");
        goto fail;
    }
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    p->id = xmalloc((lines ? lines : 1) * sizeof *p->id);
    p->id_len = xmalloc((lines ? lines : 1) * sizeof *p->id_len);
    p->stratum = xmalloc((lines ? lines : 1) * sizeof *p->stratum);
    size_t cap = 8, ncols = 0;
    char **names = xmalloc(cap * sizeof *names);
    uint32_t last = 0;
    char *q = text, *end = text + len;
    for (size_t ln = 0; q < end; ln++) {
        char *nl = memchr(q, '\n', (size_t)(end - q));
        char *t1 = memchr(q, '\t', (size_t)(nl - q));
        if (!t1 || t1 == q) {
            set_err(err, "名单文件第%zu行: 应为 编码<TAB>分层", ln + 1);
            goto fail_names;
        }
        char *t2 = memchr(t1 + 1, '\t', (size_t)(nl - t1 - 1));
        size_t cols = t2 ? 3 : 2;
        if (ln == 0) {
            ncols = cols;
            if (cols == 3) p->region = xmalloc((lines ? lines : 1) * sizeof *p->region);
        }
        if (cols != ncols || (t2 && memchr(t2 + 1, '\t', (size_t)(nl - t2 - 1))) ||
            memchr(q, '\r', (size_t)(nl - q)) || t1 + 1 == (t2 ? t2 : nl) || (t2 && t2 + 1 == nl)) {
            set_err(err, "名单文件第%zu行: 列数或格式不符（每行 %zu 列，以 TAB 分隔，不能为空）",
                    ln + 1, ncols);
            goto fail_names;
        }
        *t1 = 0;
        *nl = 0;
        if (t2) *t2 = 0;
        p->id[ln] = q;
        p->id_len[ln] = (uint32_t)(t1 - q);
        if (ln && draw_id_cmp(p->id[ln - 1], p->id_len[ln - 1], q, p->id_len[ln]) >= 0) {
            set_err(err, "名单文件第%zu行: 编码未按字节升序排列或重复: %s", ln + 1, q);
            goto fail_names;
        }
        const char *sname = t1 + 1;
        uint32_t si = last;
        if (!(p->nstrata && strcmp(names[last], sname) == 0)) {
            size_t k;
            for (k = 0; k < p->nstrata; k++)
                if (!strcmp(names[k], sname)) break;
            if (k == p->nstrata) {
                if (p->nstrata == cap) names = xrealloc(names, (cap *= 2) * sizeof *names);
                names[p->nstrata++] = (char *)sname;
            }
            si = (uint32_t)k;
            last = si;
        }
        p->stratum[ln] = si;
        if (t2) p->region[ln] = t2 + 1;
        p->n = ln + 1;
        q = nl + 1;
    }
    pop_finish_strata(p, names);
    free(names);
    return 0;
fail_names:
    free(names);
fail:
    p->nstrata = 0;
    draw_pop_free(p);
    return -1;
}

/* ---- the fast parser: one pass over 64-byte chunks, separators found with SIMD masks */

/* The first 8 bytes at p as a big-endian integer (comparing these compares the bytes). */
static inline uint64_t load_be64(const char *p) {
    uint64_t x;
    memcpy(&x, p, 8);
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return __builtin_bswap64(x);
#elif defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return x;
#else
    const unsigned char *u = (const unsigned char *)p;
    x = 0;
    for (int i = 0; i < 8; i++)
        x = x << 8 | u[i];
    return x;
#endif
}

/* 1 when id a (na bytes) sorts strictly before id b (nb bytes); 8 bytes beyond each id start
 * must be readable. */
static inline int id_before(const char *a, size_t na, const char *b, size_t nb) {
    size_t m = na < nb ? na : nb;
    for (; m >= 8; m -= 8, a += 8, b += 8) {
        uint64_t x = load_be64(a), y = load_be64(b);
        if (x != y) return x < y;
    }
    uint64_t mask = m ? ~0ULL << (64 - 8 * m) : 0;
    uint64_t x = load_be64(a) & mask, y = load_be64(b) & mask;
    if (x != y) return x < y;
    return na < nb;
}

/* Equality of two short names without a library call; 8 bytes beyond each must be readable. */
static inline int name_eq(const char *a, const char *b, size_t n) {
    if (n <= 8) {
        uint64_t mask = n ? ~0ULL << (64 - 8 * n) : 0;
        return !((load_be64(a) ^ load_be64(b)) & mask);
    }
    return !memcmp(a, b, n);
}

/* Bit i of *tab / *nl / *odd / *hi tells whether byte p[i] (i < 64) is a TAB / LF / CR or NUL
 * / at least 0x80. */
#if defined(__SSE2__)
static inline void scan64(const char *p, uint64_t *tab, uint64_t *nl, uint64_t *odd, uint64_t *hi) {
    const __m128i T = _mm_set1_epi8('\t'), N = _mm_set1_epi8('\n'), R = _mm_set1_epi8('\r'),
                  Z = _mm_setzero_si128();
    uint64_t t = 0, n = 0, o = 0, h = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        t |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, T)) << (16 * k);
        n |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, N)) << (16 * k);
        o |= (uint64_t)(uint16_t)_mm_movemask_epi8(
                 _mm_or_si128(_mm_cmpeq_epi8(v, R), _mm_cmpeq_epi8(v, Z)))
             << (16 * k);
        h |= (uint64_t)(uint16_t)_mm_movemask_epi8(v) << (16 * k);
    }
    *tab = t, *nl = n, *odd = o, *hi = h;
}
#else
static inline void scan64(const char *p, uint64_t *tab, uint64_t *nl, uint64_t *odd, uint64_t *hi) {
    uint64_t t = 0, n = 0, o = 0, h = 0;
    for (int i = 0; i < 64; i++) {
        unsigned char c = (unsigned char)p[i];
        t |= (uint64_t)(c == '\t') << i;
        n |= (uint64_t)(c == '\n') << i;
        o |= (uint64_t)(c == '\r' || c == 0) << i;
        h |= (uint64_t)(c >= 0x80) << i;
    }
    *tab = t, *nl = n, *odd = o, *hi = h;
}
#endif

static inline unsigned ctz64(uint64_t x) {
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned n = 0;
    while (!(x & 1))
        x >>= 1, n++;
    return n;
#endif
}

/* UTF-8 validity with the rules of utf8_valid() (util.c), skipping ASCII 8 bytes at a time. */
static int utf8_ok(const char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ULL)) {
                i += 8;
                continue;
            }
        }
        if (!((unsigned char)s[i] & 0x80)) {
            i++;
            continue;
        }
        /* one non-ASCII character: the reference checks it */
        size_t k = (unsigned char)s[i] >= 0xF0 ? 4 : (unsigned char)s[i] >= 0xE0 ? 3 : 2;
        if (k > n - i) k = n - i;
        if (!utf8_valid(s + i, k)) return 0;
        i += k;
    }
    return 1;
}

/* Undoes the NULs written into the first nlines lines (each original NUL was a TAB, the last
 * byte of every line a LF), so that the reference parser sees the original text. */
static void pop_restore(DrawPop *p, size_t nlines, const char *end_of_last) {
    for (size_t i = 0; i < nlines; i++) {
        char *q = (char *)p->id[i];
        char *e = (char *)(i + 1 < nlines ? p->id[i + 1] : end_of_last) - 1;
        for (; q < e; q++)
            if (!*q) *q = '\t';
        *e = '\n';
    }
}

/* Parses a well-formed file in one pass. Returns 1 on success; 0 when the file is unusual in
 * any way (then the text is as it was and nothing is allocated), and the reference parser
 * decides and reports. */
static int pop_parse_fast(DrawPop *p, size_t len) {
    char *text = p->text;
    if (!len || text[len - 1] != '\n') return 0;
    size_t cap = len / 4 + 1; /* a line has at least 4 bytes; untouched pages cost nothing */
    p->id = xmalloc(cap * sizeof *p->id);
    p->id_len = xmalloc(cap * sizeof *p->id_len);
    p->stratum = xmalloc(cap * sizeof *p->stratum);
    size_t ncap = 8, nnames = 0, ncols = 0, n = 0;
    char **names = xmalloc(ncap * sizeof *names);
    size_t *name_len = xmalloc(ncap * sizeof *name_len);
    uint32_t last = 0;
    size_t first_hi = SIZE_MAX;
    size_t line = 0, t1 = 0, t2 = 0, field = 0;
    const char *prev = NULL;
    size_t prev_len = 0;
    for (size_t base = 0; base < len; base += 64) {
        uint64_t tab, nl, odd, hi;
        scan64(text + base, &tab, &nl, &odd, &hi);
        if (len - base < 64) {
            uint64_t keep = (1ULL << (len - base)) - 1;
            tab &= keep, nl &= keep, odd &= keep, hi &= keep;
        }
        if (odd) goto bail;
        if (hi && first_hi == SIZE_MAX) first_hi = base + ctz64(hi);
        uint64_t ev = tab | nl;
        while (ev) {
            unsigned b = ctz64(ev);
            ev &= ev - 1;
            size_t pos = base + b;
            if (tab >> b & 1) {
                if (field == 0)
                    t1 = pos;
                else if (field == 1)
                    t2 = pos;
                else
                    goto bail;
                field++;
                continue;
            }
            /* end of a line: [line, pos) */
            if (!ncols) {
                ncols = field + 1;
                if (ncols == 3) p->region = xmalloc(cap * sizeof *p->region);
            }
            size_t send = field == 1 ? pos : t2;
            if (field + 1 != ncols || t1 == line || send == t1 + 1 || (ncols == 3 && pos == t2 + 1))
                goto bail;
            const char *id = text + line;
            size_t idl = t1 - line;
            if (prev && !id_before(prev, prev_len, id, idl)) goto bail;
            /* the stratum: usually the same as on the previous line */
            const char *sn = text + t1 + 1;
            size_t sl = send - t1 - 1;
            uint32_t si = last;
            if (!(nnames && name_len[last] == sl && name_eq(names[last], sn, sl))) {
                size_t k;
                for (k = 0; k < nnames; k++)
                    if (name_len[k] == sl && name_eq(names[k], sn, sl)) break;
                if (k == nnames) {
                    if (nnames == ncap) {
                        ncap *= 2;
                        names = xrealloc(names, ncap * sizeof *names);
                        name_len = xrealloc(name_len, ncap * sizeof *name_len);
                    }
                    names[nnames] = (char *)sn;
                    name_len[nnames++] = sl;
                }
                si = last = (uint32_t)k;
            }
            text[t1] = 0;
            text[pos] = 0;
            if (ncols == 3) {
                text[t2] = 0;
                p->region[n] = text + t2 + 1;
            }
            p->id[n] = id;
            p->id_len[n] = (uint32_t)idl;
            p->stratum[n] = si;
            n++;
            prev = id;
            prev_len = idl;
            line = pos + 1;
            field = 0;
        }
    }
    p->n = n;
    if (first_hi != SIZE_MAX && !utf8_ok(text + first_hi, len - first_hi)) goto bail;
    p->nstrata = nnames;
    pop_finish_strata(p, names);
    free(names);
    free(name_len);
    return 1;
bail:
    pop_restore(p, n, text + line);
    free(names);
    free(name_len);
    free(p->id);
    free(p->id_len);
    free(p->stratum);
    free(p->region);
    p->id = NULL, p->id_len = NULL, p->stratum = NULL, p->region = NULL;
    p->n = 0;
    return 0;
}

static int pop_parse(DrawPop *p, char *text, size_t len, char **err, int fast) {
    memset(p, 0, sizeof *p);
    draw_sha256_hex(text, len, p->sha256);
    text = xrealloc(text, len + DRAW_POP_PAD);
    memset(text + len, 0, DRAW_POP_PAD);
    p->text = text;
    if (fast && pop_parse_fast(p, len)) return 0;
    return pop_parse_slow(p, len, err);
}

int draw_pop_parse(DrawPop *p, char *text, size_t len, char **err) {
    return pop_parse(p, text, len, err, 1);
}

int draw_pop_parse_reference(DrawPop *p, char *text, size_t len, char **err) {
    return pop_parse(p, text, len, err, 0);
}

int draw_pop_stratum(const DrawPop *p, const char *name) {
    for (size_t i = 0; i < p->nstrata; i++)
        if (!strcmp(p->strata[i], name)) return (int)i;
    return -1;
}
