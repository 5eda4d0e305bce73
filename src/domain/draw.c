/* draw.c - the selection half of the draw engine: Rivest's consistent sampler (tickets, order),
 * exact ratios and stratum sizes, the canonical population file and the stratified selection.
 * draw_run.c builds officer assignment and the record on top of it; docs/DRAW.md is the spec.
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

#include "draw_sha256.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ tickets */

void draw_seed_init(DrawSeed *s, const char *seed, size_t seed_len) {
    draw_sha256_hex(seed, seed_len, s->hash);
    memcpy(s->mid, draw_sha256_iv, sizeof s->mid);
    draw_sha256_blocks(s->mid, (const uint8_t *)s->hash, 1);
}

void draw_id_digest(const DrawSeed *s, const char *id, size_t id_len, uint32_t h[8]) {
    memcpy(h, s->mid, 32);
    uint8_t block[128];
    uint64_t bits = (64 + (uint64_t)id_len) * 8;
    if (id_len <= 55) {
        memcpy(block, id, id_len);
        block[id_len] = 0x80;
        memset(block + id_len + 1, 0, 55 - id_len);
        for (int i = 0; i < 8; i++) block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
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
    for (int i = 0; i < 8; i++) block[total - 8 + i] = (uint8_t)(bits >> (56 - 8 * i));
    draw_sha256_blocks(h, block, total / 64);
}

/* Writes the padded final block of SEEDHASH+id for ids of at most 55 bytes. */
static void short_block(uint8_t block[64], const char *id, size_t id_len) {
    uint64_t bits = (64 + (uint64_t)id_len) * 8;
    memcpy(block, id, id_len);
    block[id_len] = 0x80;
    memset(block + id_len + 1, 0, 55 - id_len);
    for (int i = 0; i < 8; i++) block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
}

/* Digests of two ids at once (faster on SHA-NI); any id length. */
static void id_digest2(const DrawSeed *s, const char *a, size_t na, const char *b, size_t nb,
                       uint32_t ha[8], uint32_t hb[8]) {
    if (na > 55 || nb > 55) {
        draw_id_digest(s, a, na, ha);
        draw_id_digest(s, b, nb, hb);
        return;
    }
    uint8_t ba[64], bb[64];
    short_block(ba, a, na);
    short_block(bb, b, nb);
    memcpy(ha, s->mid, 32);
    memcpy(hb, s->mid, 32);
    draw_sha256_two(ha, hb, ba, bb);
}

#define P5_19 19073486328125ULL           /* 5^19 */
#define TWO64_MOD_P5 12506326739116ULL    /* 2^64 mod 5^19 */
#define INV_P5_MOD_2_19 118293ULL         /* (5^19)^-1 mod 2^19 */
static const uint64_t two32k_mod_p5[8] = {1ULL,           4294967296ULL,  12506326739116ULL,
                                          1961219731586ULL, 11789678367706ULL, 3451098558601ULL,
                                          2416915372271ULL, 9484957905466ULL};

/* rev4_table[g] reverses the 4 decimal digits of g < 10000 ("0123" -> 3210). Filled before
 * main() runs, so it is read-only by the time any thread exists. */
static uint16_t rev4_table[10000];
__attribute__((constructor)) static void rev4_init(void) {
    for (unsigned g = 0; g < 10000; g++)
        rev4_table[g] = (uint16_t)((g % 10) * 1000 + (g / 10 % 10) * 100 + (g / 100 % 10) * 10 + g / 1000);
}
#define rev4(g) ((uint64_t)rev4_table[g])

uint64_t draw_key_of(const uint32_t h[8]) {
    /* x = sum h[i] * 2^(32*(7-i)) */
    unsigned __int128 acc = 0;
    for (int k = 0; k < 8; k++) acc += (unsigned __int128)h[7 - k] * two32k_mod_p5[k];
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

size_t draw_ticket_of(const uint32_t h[8], char out[DRAW_TICKET_MAX]) {
    uint64_t w[4];
    for (int i = 0; i < 4; i++) w[i] = (uint64_t)h[7 - 2 * i] | (uint64_t)h[6 - 2 * i] << 32;
    char digits[100]; /* least significant first */
    size_t nd = 0;
    const uint64_t D = 10000000000000000000ULL; /* 10^19 */
    for (int chunk = 0; chunk < 5; chunk++) {
        unsigned __int128 rem = 0;
        for (int i = 3; i >= 0; i--) {
            unsigned __int128 cur = rem << 64 | w[i];
            w[i] = (uint64_t)(cur / D);
            rem = cur % D;
        }
        uint64_t r = (uint64_t)rem;
        for (int j = 0; j < 19; j++) {
            digits[nd++] = (char)('0' + r % 10);
            r /= 10;
        }
    }
    size_t len = nd;
    while (len > 64 && digits[len - 1] == '0') len--;
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

static int id_cmp(const char *a, size_t na, const char *b, size_t nb) {
    int c = memcmp(a, b, na < nb ? na : nb);
    if (c) return c;
    return na < nb ? -1 : na > nb;
}

/* Full order: key, then the whole ticket, then id bytes. */
static int ent_cmp_slow(const OrdCtx *c, const DrawEnt *a, const DrawEnt *b) {
    char ta[DRAW_TICKET_MAX], tb[DRAW_TICKET_MAX];
    draw_ticket(c->s, c->ids[a->idx], c->lens[a->idx], ta);
    draw_ticket(c->s, c->ids[b->idx], c->lens[b->idx], tb);
    int r = strcmp(ta, tb);
    if (r) return r;
    return id_cmp(c->ids[a->idx], c->lens[a->idx], c->ids[b->idx], c->lens[b->idx]);
}

static inline int ent_cmp(const OrdCtx *c, const DrawEnt *a, const DrawEnt *b) {
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    if (a->idx == b->idx) return 0;
    return ent_cmp_slow(c, a, b);
}

static int ent_qcmp(const void *a, const void *b, void *ctx) { return ent_cmp(ctx, a, b); }

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
            while (ent_cmp(c, &a[i], &piv) < 0) i++;
            while (ent_cmp(c, &piv, &a[j]) < 0) j--;
            if (i >= j) break;
            t = a[i], a[i] = a[j], a[j] = t;
            i++;
            j--;
        }
        /* now a[lo..j] <= piv <= a[j+1..hi) */
        if (k <= j) hi = j + 1;
        else lo = j + 1;
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
        e[i].key = draw_key_of(h);
        e[i].idx = (uint32_t)i;
        e[i].pad = 0;
    }
    if (take < n) ent_select(&c, e, n, take);
    ent_sort(&c, e, take);
    for (size_t i = 0; i < take; i++) out[i] = e[i].idx;
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

/* ------------------------------------------------------------------ population */

void draw_pop_free(DrawPop *p) {
    free(p->text);
    free(p->id);
    free(p->id_len);
    free(p->stratum);
    free(p->region);
    for (size_t i = 0; i < p->nstrata; i++) free(p->strata[i]);
    free(p->strata);
    free(p->stratum_n);
    memset(p, 0, sizeof *p);
}

static int str_ptr_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int draw_pop_parse(DrawPop *p, char *text, size_t len, char **err) {
    memset(p, 0, sizeof *p);
    draw_sha256_hex(text, len, p->sha256);
    text = xrealloc(text, len + 1);
    text[len] = 0;
    p->text = text;
    if (len && text[len - 1] != '\n') {
        set_err(err, "名单文件须以换行结尾");
        goto fail;
    }
    if (!utf8_valid(text, len)) {
        set_err(err, "名单文件不是有效的 UTF-8");
        goto fail;
    }
    size_t lines = 0;
    for (size_t i = 0; i < len; i++) lines += text[i] == '\n';
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
            memchr(q, '\r', (size_t)(nl - q)) || t1 + 1 == (t2 ? t2 : nl) ||
            (t2 && t2 + 1 == nl)) {
            set_err(err, "名单文件第%zu行: 列数或格式不符（每行 %zu 列，以 TAB 分隔，不能为空）",
                    ln + 1, ncols);
            goto fail_names;
        }
        *t1 = 0;
        *nl = 0;
        if (t2) *t2 = 0;
        p->id[ln] = q;
        p->id_len[ln] = (uint32_t)(t1 - q);
        if (ln && id_cmp(p->id[ln - 1], p->id_len[ln - 1], q, p->id_len[ln]) >= 0) {
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
    /* sort the stratum names and remap */
    char **sorted = xmalloc((p->nstrata ? p->nstrata : 1) * sizeof *sorted);
    memcpy(sorted, names, p->nstrata * sizeof *sorted);
    qsort(sorted, p->nstrata, sizeof *sorted, str_ptr_cmp);
    uint32_t *map = xmalloc((p->nstrata ? p->nstrata : 1) * sizeof *map);
    for (size_t k = 0; k < p->nstrata; k++)
        for (size_t j = 0; j < p->nstrata; j++)
            if (sorted[j] == names[k]) map[k] = (uint32_t)j;
    p->strata = xmalloc((p->nstrata ? p->nstrata : 1) * sizeof *p->strata);
    p->stratum_n = xcalloc(p->nstrata ? p->nstrata : 1, sizeof *p->stratum_n);
    for (size_t j = 0; j < p->nstrata; j++) p->strata[j] = xstrdup(sorted[j]);
    for (size_t i = 0; i < p->n; i++) {
        p->stratum[i] = map[p->stratum[i]];
        p->stratum_n[p->stratum[i]]++;
    }
    free(map);
    free(sorted);
    free(names);
    return 0;
fail_names:
    free(names);
fail:
    p->nstrata = 0;
    draw_pop_free(p);
    return -1;
}

int draw_pop_stratum(const DrawPop *p, const char *name) {
    for (size_t i = 0; i < p->nstrata; i++)
        if (!strcmp(p->strata[i], name)) return (int)i;
    return -1;
}

/* ------------------------------------------------------------------ selection */

void draw_selection_free(DrawSelection *sel) {
    for (size_t h = 0; h < sel->nstrata; h++) free(sel->ent[h]);
    free(sel->ent);
    free(sel->N);
    free(sel->taken);
    free(sel->sorted);
    free(sel->idx);
    free(sel->ticket);
    memset(sel, 0, sizeof *sel);
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
    sel->taken = xcalloc(ns, sizeof *sel->taken);
    sel->sorted = xcalloc(ns, sizeof *sel->sorted);
    for (size_t h = 0; h < p->nstrata; h++)
        sel->ent[h] = xmalloc((p->stratum_n[h] ? p->stratum_n[h] : 1) * sizeof(DrawEnt));
    for (size_t i = 0; i < p->n; i += 2) {
        uint32_t hh[2][8];
        size_t cnt = i + 1 < p->n ? 2 : 1;
        if (cnt == 2)
            id_digest2(&sel->seed, p->id[i], p->id_len[i], p->id[i + 1], p->id_len[i + 1], hh[0],
                       hh[1]);
        else draw_id_digest(&sel->seed, p->id[i], p->id_len[i], hh[0]);
        for (size_t j = 0; j < cnt; j++) {
            uint32_t s = p->stratum[i + j];
            DrawEnt *e = &sel->ent[s][sel->N[s]++];
            e->key = draw_key_of(hh[j]);
            e->idx = (uint32_t)(i + j);
            e->pad = 0;
        }
    }
    OrdCtx c = {&sel->seed, p->id, p->id_len};
    size_t total = 0;
    for (size_t h = 0; h < p->nstrata; h++) {
        uint64_t k = n[h] < sel->N[h] ? n[h] : sel->N[h];
        if (k < sel->N[h]) ent_select(&c, sel->ent[h], sel->N[h], k);
        ent_sort(&c, sel->ent[h], k);
        sel->taken[h] = sel->sorted[h] = k;
        total += k;
    }
    /* merge into one draw order */
    DrawEnt *all = xmalloc((total ? total : 1) * sizeof *all);
    size_t m = 0;
    for (size_t h = 0; h < p->nstrata; h++)
        for (uint64_t j = 0; j < sel->taken[h]; j++) all[m++] = sel->ent[h][j];
    ent_sort(&c, all, total);
    sel->count = total;
    sel->idx = xmalloc((total ? total : 1) * sizeof *sel->idx);
    sel->ticket = xmalloc((total ? total : 1) * sizeof *sel->ticket);
    for (size_t i = 0; i < total; i++) {
        sel->idx[i] = all[i].idx;
        draw_ticket(&sel->seed, p->id[all[i].idx], p->id_len[all[i].idx], sel->ticket[i]);
    }
    free(all);
    return 0;
}

int64_t draw_selection_next(DrawSelection *sel, size_t h) {
    if (h >= sel->nstrata || sel->taken[h] >= sel->N[h]) return -1;
    if (sel->sorted[h] == sel->taken[h]) {
        /* order the rest of the stratum once */
        OrdCtx c = {&sel->seed, sel->pop->id, sel->pop->id_len};
        ent_sort(&c, sel->ent[h] + sel->sorted[h], sel->N[h] - sel->sorted[h]);
        sel->sorted[h] = sel->N[h];
    }
    return sel->ent[h][sel->taken[h]++].idx;
}
