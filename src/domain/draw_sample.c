/* draw_sample.c - `spotcheck sample` on the engine's fast path: the ids of the input become a
 * one-stratum DrawPop, so the order comes from draw_select (two interleaved SHA streams, only the
 * ids below a key threshold sorted) instead of a full sort of every id's key. The package refuses
 * duplicate ids; they are looked for without sorting the ids as strings: a sorted input (the
 * usual case, population files are sorted) needs one pass over neighbours, any other input a
 * set of cheap 64-bit hashes per id, with the ids of a repeated hash compared byte for byte. */
#include "draw.h"

#include <stdlib.h>
#include <string.h>

/* A 64-bit mix of the id's bytes; the id is followed by DRAW_POP_PAD readable bytes, so the last
 * word may be loaded whole and masked. Only for finding equal ids: not a ticket. */
static uint64_t id_hash(const char *s, uint32_t n) {
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    for (uint32_t i = 0; i < n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (n - i < 8) w &= ~0ULL >> (64 - 8 * (n - i));
        h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 29;
    }
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 32);
}

static int id_eq(const DrawPop *p, size_t a, size_t b) {
    return p->id_len[a] == p->id_len[b] && !memcmp(p->id[a], p->id[b], p->id_len[a]);
}

static int id_cmp(const DrawPop *p, size_t a, size_t b) {
    uint32_t la = p->id_len[a], lb = p->id_len[b];
    int c = memcmp(p->id[a], p->id[b], la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

static int u64_cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The hashes that occur more than once among h[0..n) (left as they are; 0 never occurs), sorted
 * and distinct, in *out (caller frees); returns their number. The hashes are scattered into 4096
 * buckets by their top bits, and each bucket, small enough to stay in cache, goes through an
 * open-addressing set. */
static size_t repeated_hashes(uint64_t *h, size_t n, uint64_t **out) {
    enum { BITS = 12, NB = 1 << BITS };
    size_t *start = xcalloc(NB + 1, sizeof *start), found = 0, cap = 0, outcap = 16;
    for (size_t i = 0; i < n; i++)
        start[(h[i] >> (64 - BITS)) + 1]++;
    for (size_t b = 0; b < NB; b++) {
        start[b + 1] += start[b];
        if (start[b + 1] - start[b] > cap) cap = start[b + 1] - start[b];
    }
    uint64_t *by = xmalloc((n ? n : 1) * sizeof *by);
    size_t *fill = xmalloc(NB * sizeof *fill);
    memcpy(fill, start, NB * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        by[fill[h[i] >> (64 - BITS)]++] = h[i];
    size_t size = 16;
    while (size < 2 * cap)
        size *= 2;
    uint64_t *set = xmalloc(size * sizeof *set);
    *out = xmalloc(outcap * sizeof **out);
    for (size_t b = 0; b < NB; b++) {
        size_t m = start[b + 1] - start[b], mask = 16;
        while (mask < 2 * m)
            mask *= 2;
        memset(set, 0, mask * sizeof *set);
        mask--;
        for (size_t i = start[b]; i < start[b + 1]; i++) {
            size_t j = (size_t)by[i] & mask;
            while (set[j] && set[j] != by[i])
                j = (j + 1) & mask;
            if (!set[j]) {
                set[j] = by[i];
                continue;
            }
            if (found == outcap) *out = xrealloc(*out, (outcap *= 2) * sizeof **out);
            (*out)[found++] = by[i];
        }
    }
    free(set);
    free(fill);
    free(by);
    free(start);
    qsort(*out, found, sizeof **out, u64_cmp);
    size_t k = 0;
    for (size_t i = 0; i < found; i++)
        if (!k || (*out)[k - 1] != (*out)[i]) (*out)[k++] = (*out)[i];
    return k;
}

static int id_idx_cmp(const void *a, const void *b, void *pop) {
    int c = id_cmp(pop, *(const uint32_t *)a, *(const uint32_t *)b);
    return c ? c
             : (*(const uint32_t *)a > *(const uint32_t *)b) -
                   (*(const uint32_t *)a < *(const uint32_t *)b);
}

/* The smallest duplicated id's index, or SIZE_MAX when all ids differ. */
static size_t first_duplicate(const DrawPop *p) {
    size_t n = p->n, dup = SIZE_MAX;
    int sorted = 1;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = id_cmp(p, i - 1, i) < 0;
    if (sorted || n < 2) return SIZE_MAX;
    uint64_t *h = xmalloc(n * sizeof *h), *rep;
    for (size_t i = 0; i < n; i++)
        h[i] = id_hash(p->id[i], p->id_len[i]) | 1; /* never 0, the empty slot */
    size_t nrep = repeated_hashes(h, n, &rep), m = 0;
    /* the ids behind the repeated hashes, sorted by their bytes: equal neighbours are duplicates
     * (a hash may also repeat by chance) */
    uint32_t *idx = xmalloc((n ? n : 1) * sizeof *idx);
    for (size_t i = 0; i < n && nrep; i++)
        if (bsearch(&h[i], rep, nrep, sizeof *rep, u64_cmp)) idx[m++] = (uint32_t)i;
    qsort_r(idx, m, sizeof *idx, id_idx_cmp, (void *)p);
    for (size_t i = 1; i < m && dup == SIZE_MAX; i++)
        if (id_eq(p, idx[i - 1], idx[i])) dup = idx[i];
    free(idx);
    free(rep);
    free(h);
    return dup;
}

/* Splits text (len bytes, DRAW_POP_PAD zero bytes after it) into ids, one per line; a CR before
 * the LF is dropped and empty lines are skipped. */
static void split_ids(DrawPop *p, size_t len) {
    size_t cap = len / 8 + 16;
    p->id = xmalloc(cap * sizeof *p->id);
    p->id_len = xmalloc(cap * sizeof *p->id_len);
    char *s = p->text, *end = s + len;
    while (s < end) {
        char *nl = memchr(s, '\n', (size_t)(end - s));
        char *e = nl ? nl : end;
        *e = 0;
        if (e > s && e[-1] == '\r') *--e = 0;
        if (e > s) {
            if (p->n == cap) {
                cap *= 2;
                p->id = xrealloc(p->id, cap * sizeof *p->id);
                p->id_len = xrealloc(p->id_len, cap * sizeof *p->id_len);
            }
            p->id[p->n] = s;
            p->id_len[p->n++] = (uint32_t)(e - s);
        }
        s = (nl ? nl : end) + 1;
    }
}

int draw_sample(DrawSample *s, char *text, size_t len, const char *seed, size_t seed_len,
                uint64_t take, char **err) {
    memset(s, 0, sizeof *s);
    DrawPop *p = &s->pop;
    const char *bad = !utf8_valid(text, len)         ? "输入不是有效的 UTF-8"
                      : memchr(text, 0, len) != NULL ? "输入含有 NUL 字节"
                                                     : NULL;
    if (bad) {
        free(text);
        set_err(err, "%s", bad);
        return -1;
    }
    p->text = xrealloc(text, len + DRAW_POP_PAD);
    memset(p->text + len, 0, DRAW_POP_PAD);
    split_ids(p, len);
    p->nstrata = 1;
    p->strata = xmalloc(sizeof *p->strata);
    p->strata[0] = xstrdup("");
    p->stratum_n = xmalloc(sizeof *p->stratum_n);
    p->stratum_n[0] = p->n;
    p->stratum = xcalloc(p->n ? p->n : 1, sizeof *p->stratum);
    uint64_t n = take < p->n ? take : p->n;
    draw_select(&s->sel, p, seed, seed_len, &n);
    size_t dup = first_duplicate(p);
    if (dup != SIZE_MAX) {
        set_err(err, "编码重复: %s", p->id[dup]);
        draw_sample_free(s);
        return -1;
    }
    return 0;
}

void draw_sample_free(DrawSample *s) {
    if (s->sel.pop) draw_selection_free(&s->sel);
    draw_pop_free(&s->pop);
    memset(s, 0, sizeof *s);
}
