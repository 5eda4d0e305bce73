/* draw.c - the selection half of the draw engine: Rivest's consistent sampler (tickets, order),
 * exact ratios and stratum sizes, and the stratified selection over a parsed population
 * (draw_pop.c parses the population file). draw_run.c builds officer assignment and the record
 * on top of it; docs/DRAW.md is the spec.
 *
 * Speed: SEEDHASH is exactly one SHA-256 block, so its compressed state (the midstate) is
 * computed once and each id costs one more compression (for ids up to 55 bytes). Ids are first
 * ordered by a 64-bit key equal to the first 19 ticket digits, which are the reversed decimal
 * digits of (x mod 10^19), x the digest as an integer; x mod 10^19 comes from x mod 2^19 and
 * x mod 5^19 by the Chinese remainder theorem, without division by a variable. Full 78-digit
 * tickets are computed only for the selected ids and to break equal keys. Integers only.
 *
 * Called by draw_run.c, draw_store.c, the CLI (sample, verify, draw), tests and bench. */
#include "draw.h"

#include "draw_impl.h"
#include "draw_sha256.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------------ tickets */

void draw_seed_init(DrawSeed *s, const char *seed, size_t seed_len) {
    draw_sha256_hex(seed, seed_len, s->hash);
    memcpy(s->mid, draw_sha256_iv, sizeof s->mid);
    draw_sha256_blocks(s->mid, (const uint8_t *)s->hash, 1);
}

/* Writes the padded final block of SEEDHASH+id for ids of at most 55 bytes. */
static void short_block(uint8_t block[64], const char *id, size_t id_len) {
    uint64_t bits = (64 + (uint64_t)id_len) * 8;
    memcpy(block, id, id_len);
    block[id_len] = 0x80;
    memset(block + id_len + 1, 0, 55 - id_len);
    for (int i = 0; i < 8; i++)
        block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
}

void draw_id_digest(const DrawSeed *s, const char *id, size_t id_len, uint32_t h[8]) {
    memcpy(h, s->mid, 32);
    uint8_t block[128];
    uint64_t bits = (64 + (uint64_t)id_len) * 8;
    if (id_len <= 55) {
        short_block(block, id, id_len);
        draw_sha256_blocks(h, block, 1);
        return;
    }
    /* Long ids: whole blocks straight from the id, then the tail with padding. */
    size_t whole = id_len / 64;
    if (whole) draw_sha256_blocks(h, (const uint8_t *)id, whole);
    size_t rest = id_len - whole * 64;
    memcpy(block, id + whole * 64, rest);
    block[rest] = 0x80;
    size_t total = rest + 1 + 8 <= 64 ? 64 : 128;
    memset(block + rest + 1, 0, total - rest - 1 - 8);
    for (size_t i = 0; i < 8; i++)
        block[total - 8 + i] = (uint8_t)(bits >> (56 - 8 * i));
    draw_sha256_blocks(h, block, total / 64);
}

/* The same block for an id of a DrawPop (at most 55 bytes), whose text is followed by enough
 * readable bytes (DRAW_POP_PAD) for whole 16-byte loads: no byte-wise copying. */
static inline void pop_block(uint8_t block[64], const char *id, size_t id_len) {
#if defined(__SSE2__)
    const __m128i iota = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m128i top = _mm_set1_epi8((char)0x80);
    unsigned bits = (unsigned)(64 + id_len) * 8;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(id + 16 * k));
        __m128i lim = _mm_set1_epi8((char)((int)id_len - 16 * k));
        v = _mm_or_si128(_mm_and_si128(v, _mm_cmpgt_epi8(lim, iota)),
                         _mm_and_si128(_mm_cmpeq_epi8(lim, iota), top));
        if (k == 3) v = _mm_insert_epi16(v, (int)((bits >> 8) | (bits & 0xff) << 8), 7);
        _mm_storeu_si128((__m128i *)(block + 16 * k), v);
    }
#else
    short_block(block, id, id_len);
#endif
}

/* Digests of two ids of a DrawPop at once (two interleaved SHA-NI streams); any id length. */
static void pop_digest2(const DrawSeed *s, const char *a, size_t na, const char *b, size_t nb,
                        uint32_t ha[8], uint32_t hb[8]) {
    if (na > 55 || nb > 55) {
        draw_id_digest(s, a, na, ha);
        draw_id_digest(s, b, nb, hb);
        return;
    }
    uint8_t ba[64], bb[64];
    pop_block(ba, a, na);
    pop_block(bb, b, nb);
    memcpy(ha, s->mid, 32);
    memcpy(hb, s->mid, 32);
    draw_sha256_two(ha, hb, ba, bb);
}

#define P5_19 19073486328125ULL        /* 5^19 */
#define TWO64_MOD_P5 12506326739116ULL /* 2^64 mod 5^19 */
#define INV_P5_MOD_2_19 118293ULL      /* (5^19)^-1 mod 2^19 */
static const uint64_t two32k_mod_p5[8] = {1ULL,
                                          4294967296ULL,
                                          12506326739116ULL,
                                          1961219731586ULL,
                                          11789678367706ULL,
                                          3451098558601ULL,
                                          2416915372271ULL,
                                          9484957905466ULL};

/* rev4_table[g] reverses the 4 decimal digits of g < 10000 ("0123" -> 3210). Filled before
 * main() runs, so it is read-only by the time any thread exists. */
static uint16_t rev4_table[10000];
__attribute__((constructor)) static void rev4_init(void) {
    for (unsigned g = 0; g < 10000; g++)
        rev4_table[g] =
            (uint16_t)((g % 10) * 1000 + (g / 10 % 10) * 100 + (g / 100 % 10) * 10 + g / 1000);
}
#define rev4(g) ((uint64_t)rev4_table[g])

static inline uint64_t key_of(const uint32_t h[8]) {
    /* x = sum h[i] * 2^(32*(7-i)) */
    unsigned __int128 acc = 0;
    for (int k = 0; k < 8; k++)
        acc += (unsigned __int128)h[7 - k] * two32k_mod_p5[k];
    uint64_t hi = (uint64_t)(acc >> 64), lo = (uint64_t)acc;
    uint64_t r5 = (hi * TWO64_MOD_P5 + lo % P5_19) % P5_19;
    uint64_t r2 = h[7] & ((1u << 19) - 1);
    uint64_t t = ((r2 - r5) * INV_P5_MOD_2_19) & ((1u << 19) - 1);
    uint64_t y = r5 + P5_19 * t; /* x mod 10^19 */
    /* digits d0..d18 of y (d0 least significant) become the key d0 d1 … d18 */
    uint64_t lo8 = y % 100000000, mid8 = y / 100000000 % 100000000, hi3 = y / 10000000000000000ULL;
    uint32_t l = (uint32_t)lo8, m = (uint32_t)mid8;
    uint32_t g0 = l % 10000, g1 = l / 10000, g2 = m % 10000, g3 = m / 10000, g4 = (uint32_t)hi3;
    return rev4(g0) * 1000000000000000ULL + rev4(g1) * 100000000000ULL + rev4(g2) * 10000000ULL +
           rev4(g3) * 1000ULL + rev4(g4) / 10;
}

uint64_t draw_key_of(const uint32_t h[8]) {
    return key_of(h);
}

/* The first four ticket digits as a number, i.e. key_of(h) / 10^15, from x mod 10^4 alone:
 * x mod 625 from the words (2^(32k) mod 625 is small, no 128-bit arithmetic), x mod 16 from the
 * last word, and as 625 = 1 (mod 16) the CRT is one subtraction. A cheap first test. */
static inline uint32_t key4_of(const uint32_t h[8]) {
    static const uint32_t c625[8] = {1, 421, 366, 336, 206, 476, 396, 466}; /* 2^(32k) mod 625 */
    uint64_t acc = 0;
    for (int k = 0; k < 8; k++)
        acc += (uint64_t)h[7 - k] * c625[k];
    uint32_t r625 = (uint32_t)(acc % 625), r16 = h[7] & 15;
    uint32_t y4 = r625 + 625 * ((r16 - r625) & 15); /* x mod 10^4 */
    return rev4_table[y4];
}

/* (hi:lo) / 10^19 for hi < 10^19, remainder in *rem, by multiplication with the precomputed
 * reciprocal (Möller and Granlund, "Improved division by invariant integers", 2011, alg. 4);
 * 10^19 has its top bit set, so no normalisation is needed. Integers only. */
static inline uint64_t div_1e19(uint64_t hi, uint64_t lo, uint64_t *rem) {
    const uint64_t d = 10000000000000000000ULL;
    const uint64_t v = 0xd83c94fb6d2ac34aULL; /* floor((2^128 - 1) / d) - 2^64 */
    unsigned __int128 q = (unsigned __int128)v * hi + ((unsigned __int128)hi << 64 | lo);
    uint64_t q1 = (uint64_t)(q >> 64) + 1, q0 = (uint64_t)q;
    uint64_t r = lo - q1 * d;
    if (r > q0) {
        q1--;
        r += d;
    }
    if (r >= d) {
        q1++;
        r -= d;
    }
    *rem = r;
    return q1;
}

/* dig4[g]: the four decimal digits of g < 10000, least significant first. */
static char dig4[10000][4];
__attribute__((constructor)) static void dig4_init(void) {
    for (unsigned g = 0; g < 10000; g++) {
        dig4[g][0] = (char)('0' + g % 10);
        dig4[g][1] = (char)('0' + g / 10 % 10);
        dig4[g][2] = (char)('0' + g / 100 % 10);
        dig4[g][3] = (char)('0' + g / 1000);
    }
}

size_t draw_ticket_of(const uint32_t h[8], char out[DRAW_TICKET_MAX]) {
    uint64_t w[4];
    for (int i = 0; i < 4; i++)
        w[i] = (uint64_t)h[7 - 2 * i] | (uint64_t)h[6 - 2 * i] << 32;
    char digits[100]; /* least significant first */
    size_t nd = 0;
    for (int chunk = 0; chunk < 5; chunk++) {
        uint64_t rem = 0;
        for (int i = 3; i >= 0; i--)
            w[i] = div_1e19(rem, w[i], &rem);
        /* the 19 digits of rem: four groups of four, then three */
        for (int j = 0; j < 4; j++) {
            memcpy(digits + nd, dig4[rem % 10000], 4);
            nd += 4;
            rem /= 10000;
        }
        memcpy(digits + nd, dig4[rem], 3); /* rem < 1000 */
        nd += 3;
    }
    size_t len = nd;
    while (len > 64 && digits[len - 1] == '0')
        len--;
    out[0] = '0';
    out[1] = '.';
    memcpy(out + 2, digits, len);
    out[2 + len] = 0;
    return 2 + len;
}

size_t draw_ticket(const DrawSeed *s, const char *id, size_t id_len, char out[DRAW_TICKET_MAX]) {
    uint32_t h[8];
    draw_id_digest(s, id, id_len, h);
    return draw_ticket_of(h, out);
}

size_t draw_uniform(const char *s, size_t n, char out[DRAW_TICKET_MAX]) {
    uint8_t d[32];
    uint32_t h[8];
    draw_sha256(s, n, d);
    for (int i = 0; i < 8; i++)
        h[i] = (uint32_t)d[4 * i] << 24 | (uint32_t)d[4 * i + 1] << 16 |
               (uint32_t)d[4 * i + 2] << 8 | d[4 * i + 3];
    return draw_ticket_of(h, out);
}

/* ------------------------------------------------------------------ ordering */

typedef struct OrdCtx {
    const DrawSeed *s;
    const char *const *ids;
    const uint32_t *lens;
} OrdCtx;

/* Full order: key, then the whole ticket, then id bytes. */
static int ent_cmp_slow(const OrdCtx *c, const DrawEnt *a, const DrawEnt *b) {
    char ta[DRAW_TICKET_MAX], tb[DRAW_TICKET_MAX];
    draw_ticket(c->s, c->ids[a->idx], c->lens[a->idx], ta);
    draw_ticket(c->s, c->ids[b->idx], c->lens[b->idx], tb);
    int r = strcmp(ta, tb);
    if (r) return r;
    return draw_id_cmp(c->ids[a->idx], c->lens[a->idx], c->ids[b->idx], c->lens[b->idx]);
}

static inline int ent_cmp(const OrdCtx *c, const DrawEnt *a, const DrawEnt *b) {
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    if (a->idx == b->idx) return 0;
    return ent_cmp_slow(c, a, b);
}

static int ent_qcmp(const void *a, const void *b, void *ctx) {
    return ent_cmp(ctx, a, b);
}

/* Rearranges a[0..n) so that a[0..k) hold the k smallest (in any order). */
static void ent_select(const OrdCtx *c, DrawEnt *a, size_t n, size_t k) {
    size_t lo = 0, hi = n; /* the k-th boundary lies in [lo, hi) */
    while (hi - lo > 16 && k > lo && k < hi) {
        /* median of three as pivot */
        size_t m = lo + (hi - lo) / 2;
        DrawEnt *x = &a[lo], *y = &a[m], *z = &a[hi - 1], t;
        if (ent_cmp(c, y, x) < 0) t = *x, *x = *y, *y = t;
        if (ent_cmp(c, z, y) < 0) {
            t = *y, *y = *z, *z = t;
            if (ent_cmp(c, y, x) < 0) t = *x, *x = *y, *y = t;
        }
        DrawEnt piv = a[m];
        size_t i = lo, j = hi - 1;
        for (;;) { /* Hoare partition */
            while (ent_cmp(c, &a[i], &piv) < 0)
                i++;
            while (ent_cmp(c, &piv, &a[j]) < 0)
                j--;
            if (i >= j) break;
            t = a[i], a[i] = a[j], a[j] = t;
            i++;
            j--;
        }
        /* now a[lo..j] <= piv <= a[j+1..hi) */
        if (k <= j)
            hi = j + 1;
        else
            lo = j + 1;
    }
    if (hi - lo > 1 && k > lo && k < hi) qsort_r(a + lo, hi - lo, sizeof *a, ent_qcmp, (void *)c);
}

static void ent_sort(const OrdCtx *c, DrawEnt *a, size_t n) {
    qsort_r(a, n, sizeof *a, ent_qcmp, (void *)c);
}

size_t draw_order(const DrawSeed *s, const char *const *ids, const uint32_t *lens, size_t n,
                  size_t take, uint32_t *out) {
    OrdCtx c = {s, ids, lens};
    if (take > n) take = n;
    DrawEnt *e = xmalloc((n ? n : 1) * sizeof *e);
    for (size_t i = 0; i < n; i++) {
        uint32_t h[8];
        draw_id_digest(s, ids[i], lens[i], h);
        e[i].key = key_of(h);
        e[i].idx = (uint32_t)i;
        e[i].pad = 0;
    }
    if (take < n) ent_select(&c, e, n, take);
    ent_sort(&c, e, take);
    for (size_t i = 0; i < take; i++)
        out[i] = e[i].idx;
    free(e);
    return take;
}

/* ------------------------------------------------------------------ ratios */

int draw_ratio_parse(const char *s, DrawRatio *r) {
    if (!s) return -1;
    size_t len = strlen(s);
    int pct = 0;
    if (len && s[len - 1] == '%') {
        pct = 1;
        len--;
    }
    if (!len) return -1;
    uint64_t num = 0, den = 1;
    int seen_dot = 0, digits = 0, decimals = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (ch == '.') {
            if (seen_dot || !digits) return -1;
            seen_dot = 1;
            continue;
        }
        if (ch < '0' || ch > '9') return -1;
        if (digits >= 17 || (seen_dot && decimals >= 15)) return -1;
        num = num * 10 + (uint64_t)(ch - '0');
        digits++;
        if (seen_dot) {
            den *= 10;
            decimals++;
        }
    }
    if (seen_dot && !decimals) return -1;
    if (pct) den *= 100;
    if (num > den) return -1;
    r->num = num;
    r->den = den;
    return 0;
}

uint64_t draw_stratum_size(uint64_t N, DrawRatio r, uint64_t minimum) {
    unsigned __int128 p = (unsigned __int128)N * r.num;
    uint64_t n = (uint64_t)((p + r.den - 1) / r.den);
    if (n < minimum) n = minimum;
    if (n > N) n = N;
    return n;
}

/* ------------------------------------------------------------------ selection */

void draw_selection_free(DrawSelection *sel) {
    for (size_t h = 0; h < sel->nstrata; h++)
        free(sel->ent[h]);
    free(sel->ent);
    free(sel->N);
    free(sel->ncand);
    free(sel->taken);
    free(sel->sorted);
    free(sel->idx);
    free(sel->ticket);
    memset(sel, 0, sizeof *sel);
}

/* Sorts a[0..n) into the full order (key, ticket, id). The keys are sorted with a radix sort;
 * runs of equal keys, rare, are then ordered by the full comparison. Same result as a
 * comparison sort, because the order is total (ids are unique). */
static void ent_sort_fast(const OrdCtx *c, DrawEnt *a, size_t n) {
    if (n < 256) {
        ent_sort(c, a, n);
        return;
    }
    enum { BITS = 11, PASSES = 6, SIZE = 1 << BITS };
    size_t *cnt = xcalloc((size_t)PASSES * SIZE, sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < PASSES; d++)
            cnt[(size_t)d * SIZE + (a[i].key >> (BITS * d) & (SIZE - 1))]++;
    DrawEnt *tmp = xmalloc(n * sizeof *tmp), *src = a, *dst = tmp;
    for (int d = 0; d < PASSES; d++) {
        size_t *cd = cnt + (size_t)d * SIZE;
        if (cd[src[0].key >> (BITS * d) & (SIZE - 1)] == n) continue; /* one digit value */
        size_t sum = 0;
        for (size_t v = 0; v < SIZE; v++) {
            size_t k = cd[v];
            cd[v] = sum;
            sum += k;
        }
        for (size_t i = 0; i < n; i++)
            dst[cd[src[i].key >> (BITS * d) & (SIZE - 1)]++] = src[i];
        DrawEnt *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) memcpy(a, src, n * sizeof *a);
    free(tmp);
    free(cnt);
    for (size_t i = 0; i + 1 < n;) {
        size_t j = i + 1;
        while (j < n && a[j].key == a[i].key)
            j++;
        if (j - i > 1) ent_sort(c, a + i, j - i);
        i = j;
    }
}

void draw_sort_entries(const DrawSeed *s, const char *const *ids, const uint32_t *lens, DrawEnt *a,
                       size_t n) {
    OrdCtx c = {s, ids, lens};
    ent_sort_fast(&c, a, n);
}

static uint64_t isqrt64(uint64_t x) {
    uint64_t r = 0;
    for (uint64_t bit = 1ULL << 62; bit; bit >>= 2) {
        if (x >= r + bit) {
            x -= r + bit;
            r = (r >> 1) + bit;
        } else
            r >>= 1;
    }
    return r;
}

/* Candidate margin (see draw_select); < 0 = the normal one. Changed only by tests. */
static int64_t test_margin = -1;
void draw_select_test_margin(int64_t extra) {
    test_margin = extra;
}

/* Digests of the candidates, kept so that their tickets need no second hash. */
typedef struct DigestStore {
    uint32_t (*d)[8];
    size_t n, cap;
} DigestStore;

static void cand_push(DrawSelection *sel, size_t h, size_t *cap, DigestStore *ds, uint64_t key,
                      uint32_t idx, const uint32_t d[8]) {
    if (sel->ncand[h] == cap[h]) {
        cap[h] = cap[h] ? cap[h] * 2 : 64;
        sel->ent[h] = xrealloc(sel->ent[h], cap[h] * sizeof(DrawEnt));
    }
    if (ds->n == ds->cap) {
        ds->cap = ds->cap ? ds->cap * 2 : 64;
        ds->d = xrealloc(ds->d, ds->cap * sizeof *ds->d);
    }
    memcpy(ds->d[ds->n], d, 32);
    DrawEnt *e = &sel->ent[h][sel->ncand[h]++];
    e->key = key;
    e->idx = idx;
    e->pad = (uint32_t)ds->n++;
}

/* Puts every id of stratum h into sel->ent[h] in full order (the slow path: the candidates
 * with keys below the stratum's threshold did not reach the ids asked for). */
static void stratum_full(DrawSelection *sel, size_t h) {
    const DrawPop *p = sel->pop;
    free(sel->ent[h]);
    sel->ent[h] = xmalloc((sel->N[h] ? sel->N[h] : 1) * sizeof(DrawEnt));
    size_t m = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (p->stratum[i] != h) continue;
        uint32_t d[8];
        draw_id_digest(&sel->seed, p->id[i], p->id_len[i], d);
        DrawEnt *e = &sel->ent[h][m++];
        e->key = key_of(d);
        e->idx = (uint32_t)i;
        e->pad = UINT32_MAX; /* no stored digest */
    }
    OrdCtx c = {&sel->seed, p->id, p->id_len};
    ent_sort_fast(&c, sel->ent[h], m);
    sel->ncand[h] = sel->sorted[h] = m;
}

int draw_select(DrawSelection *sel, const DrawPop *p, const char *seed, size_t seed_len,
                const uint64_t *n) {
    memset(sel, 0, sizeof *sel);
    sel->pop = p;
    draw_seed_init(&sel->seed, seed, seed_len);
    sel->nstrata = p->nstrata;
    size_t ns = p->nstrata ? p->nstrata : 1;
    sel->ent = xcalloc(ns, sizeof *sel->ent);
    sel->N = xcalloc(ns, sizeof *sel->N);
    sel->ncand = xcalloc(ns, sizeof *sel->ncand);
    sel->taken = xcalloc(ns, sizeof *sel->taken);
    sel->sorted = xcalloc(ns, sizeof *sel->sorted);
    /* Keys are uniform in [0, 10^19). Only ids whose key is below a threshold T_h chosen so
     * that about m_h = n_h + 8 sqrt(n_h) + 64 ids of the stratum pass are kept (candidates).
     * Every other id has a larger key than every candidate, so when at least n_h ids pass,
     * the first n_h of the sorted candidates are exactly the first n_h of the stratum's
     * order; otherwise (rare) the stratum is redone in full. Every id is hashed either way. */
    uint64_t *T = xmalloc(ns * sizeof *T);
    uint32_t *T4 = xmalloc(ns * sizeof *T4); /* key < T_h implies key / 10^15 <= T4_h */
    size_t *cap = xcalloc(ns, sizeof *cap), ncap = 0;
    DigestStore ds = {0};
    const uint64_t TEN19 = 10000000000000000000ULL;
    for (size_t h = 0; h < p->nstrata; h++) {
        uint64_t N = p->stratum_n[h], k = n[h] < N ? n[h] : N;
        sel->N[h] = N;
        uint64_t m = test_margin >= 0 ? k + (uint64_t)test_margin : k + 8 * isqrt64(k) + 64;
        if (m >= N) {
            T[h] = UINT64_MAX;
            cap[h] = N;
        } else {
            T[h] = (uint64_t)(((unsigned __int128)m * TEN19 + N - 1) / N);
            cap[h] = m + m / 16 + 64;
        }
        T4[h] = (uint32_t)((T[h] - 1) / 1000000000000000ULL);
        sel->ent[h] = xmalloc((cap[h] ? cap[h] : 1) * sizeof(DrawEnt));
        ncap += cap[h];
    }
    ds.cap = ncap ? ncap : 1;
    ds.d = xmalloc(ds.cap * sizeof *ds.d);
    const char *const *ids = p->id;
    const uint32_t *lens = p->id_len, *st = p->stratum;
    size_t i = 0;
    for (; i + 1 < p->n; i += 2) {
        uint32_t ha[8], hb[8];
        pop_digest2(&sel->seed, ids[i], lens[i], ids[i + 1], lens[i + 1], ha, hb);
        uint32_t sa = st[i], sb = st[i + 1];
        if (key4_of(ha) <= T4[sa]) {
            uint64_t ka = key_of(ha);
            if (ka < T[sa]) cand_push(sel, sa, cap, &ds, ka, (uint32_t)i, ha);
        }
        if (key4_of(hb) <= T4[sb]) {
            uint64_t kb = key_of(hb);
            if (kb < T[sb]) cand_push(sel, sb, cap, &ds, kb, (uint32_t)(i + 1), hb);
        }
    }
    if (i < p->n) {
        uint32_t ha[8];
        draw_id_digest(&sel->seed, ids[i], lens[i], ha);
        uint64_t ka = key_of(ha);
        if (ka < T[st[i]]) cand_push(sel, st[i], cap, &ds, ka, (uint32_t)i, ha);
    }
    free(T);
    free(T4);
    free(cap);
    OrdCtx c = {&sel->seed, p->id, p->id_len};
    size_t total = 0;
    for (size_t h = 0; h < p->nstrata; h++) {
        uint64_t k = n[h] < sel->N[h] ? n[h] : sel->N[h];
        if (sel->ncand[h] < k)
            stratum_full(sel, h);
        else {
            ent_sort_fast(&c, sel->ent[h], sel->ncand[h]);
            sel->sorted[h] = sel->ncand[h];
        }
        sel->taken[h] = k;
        total += k;
    }
    /* merge into one draw order */
    DrawEnt *all = xmalloc((total ? total : 1) * sizeof *all);
    size_t m = 0;
    for (size_t h = 0; h < p->nstrata; h++)
        for (uint64_t j = 0; j < sel->taken[h]; j++)
            all[m++] = sel->ent[h][j];
    ent_sort_fast(&c, all, total);
    sel->count = total;
    sel->idx = xmalloc((total ? total : 1) * sizeof *sel->idx);
    sel->ticket = xmalloc((total ? total : 1) * sizeof *sel->ticket);
    for (size_t j = 0; j < total; j++) {
        sel->idx[j] = all[j].idx;
        if (all[j].pad != UINT32_MAX)
            draw_ticket_of(ds.d[all[j].pad], sel->ticket[j]);
        else
            draw_ticket(&sel->seed, p->id[all[j].idx], p->id_len[all[j].idx], sel->ticket[j]);
    }
    free(all);
    free(ds.d);
    return 0;
}

int64_t draw_selection_next(DrawSelection *sel, size_t h) {
    if (h >= sel->nstrata || sel->taken[h] >= sel->N[h]) return -1;
    if (sel->taken[h] >= sel->ncand[h]) stratum_full(sel, h); /* past the candidates */
    return sel->ent[h][sel->taken[h]++].idx;
}
