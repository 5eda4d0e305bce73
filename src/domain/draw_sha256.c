/* draw_sha256.c - SHA-256 (FIPS 180-4) for the draw engine: portable C plus an x86-64 SHA-NI
 * compression selected at run time by CPUID. Called by draw.c (tickets, digests) and by the
 * draw store and CLI for file digests. Both paths are cross-checked against libsodium in
 * tests/unit/test_draw.c. No allocation, no global state except the selected implementation. */
#include "draw_sha256.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DRAW_HAVE_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

const uint32_t draw_sha256_iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

void draw_sha256_blocks_portable(uint32_t h[8], const uint8_t *p, size_t nblocks) {
    for (; nblocks; nblocks--, p += 64) {
        uint32_t w[64];
        for (int i = 0; i < 16; i++)
            w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
                   (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (int i = 0; i < 64; i++) {
            uint32_t t1 =
                hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
            uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += hh;
    }
}

#ifdef DRAW_HAVE_X86
int draw_sha256_have_shani(void) {
    static int cached = -1;
    if (cached >= 0) return cached;
    unsigned a, b, c, d;
    int ok = 0;
    if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_1) && (c & bit_SSSE3)) {
        if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29))) ok = 1;
    }
    cached = ok;
    return ok;
}

/* Four rounds: feeds the message words m (already byte-swapped) for rounds 4i..4i+3. */
__attribute__((target("sha,sse4.1,ssse3"))) static void
shani_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks) {
    const __m128i MASK = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)&h[0]);
    __m128i st1 = _mm_loadu_si128((const __m128i *)&h[4]);
    tmp = _mm_shuffle_epi32(tmp, 0xB1);         /* CDAB */
    st1 = _mm_shuffle_epi32(st1, 0x1B);         /* EFGH */
    __m128i st0 = _mm_alignr_epi8(tmp, st1, 8); /* ABEF */
    st1 = _mm_blend_epi16(st1, tmp, 0xF0);      /* CDGH */
    for (; nblocks; nblocks--, p += 64) {
        __m128i abef = st0, cdgh = st1, m[4], msg;
        m[0] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), MASK);
        m[1] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), MASK);
        m[2] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), MASK);
        m[3] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), MASK);
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++) {
            msg = _mm_add_epi32(m[i & 3], _mm_loadu_si128((const __m128i *)&K[4 * i]));
            st1 = _mm_sha256rnds2_epu32(st1, st0, msg);
            if (i >= 3 && i <= 14) {
                tmp = _mm_alignr_epi8(m[i & 3], m[(i - 1) & 3], 4);
                m[(i + 1) & 3] = _mm_add_epi32(m[(i + 1) & 3], tmp);
                m[(i + 1) & 3] = _mm_sha256msg2_epu32(m[(i + 1) & 3], m[i & 3]);
            }
            msg = _mm_shuffle_epi32(msg, 0x0E);
            st0 = _mm_sha256rnds2_epu32(st0, st1, msg);
            if (i >= 1 && i <= 12) m[(i - 1) & 3] = _mm_sha256msg1_epu32(m[(i - 1) & 3], m[i & 3]);
        }
        st0 = _mm_add_epi32(st0, abef);
        st1 = _mm_add_epi32(st1, cdgh);
    }
    tmp = _mm_shuffle_epi32(st0, 0x1B);    /* FEBA */
    st1 = _mm_shuffle_epi32(st1, 0xB1);    /* DCHG */
    st0 = _mm_blend_epi16(tmp, st1, 0xF0); /* DCBA */
    st1 = _mm_alignr_epi8(st1, tmp, 8);    /* ABEF */
    _mm_storeu_si128((__m128i *)&h[0], st0);
    _mm_storeu_si128((__m128i *)&h[4], st1);
}

/* Two independent single-block compressions from the same starting state, interleaved so the
 * latency of one hides behind the other. h0/h1 hold the start state on entry (equal or not). */
__attribute__((target("sha,sse4.1,ssse3"))) static void
shani_two(uint32_t h0[8], uint32_t h1[8], const uint8_t *p0, const uint8_t *p1) {
    const __m128i MASK = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i a0, b0, a1, b1, t;
    t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h0[0]), 0xB1);
    b0 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h0[4]), 0x1B);
    a0 = _mm_alignr_epi8(t, b0, 8);
    b0 = _mm_blend_epi16(b0, t, 0xF0);
    t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h1[0]), 0xB1);
    b1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h1[4]), 0x1B);
    a1 = _mm_alignr_epi8(t, b1, 8);
    b1 = _mm_blend_epi16(b1, t, 0xF0);
    __m128i sa0 = a0, sb0 = b0, sa1 = a1, sb1 = b1, m[4], n[4], x, y;
    for (int i = 0; i < 4; i++) {
        m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p0 + 16 * i)), MASK);
        n[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p1 + 16 * i)), MASK);
    }
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++) {
        __m128i k = _mm_loadu_si128((const __m128i *)&K[4 * i]);
        x = _mm_add_epi32(m[i & 3], k);
        y = _mm_add_epi32(n[i & 3], k);
        b0 = _mm_sha256rnds2_epu32(b0, a0, x);
        b1 = _mm_sha256rnds2_epu32(b1, a1, y);
        if (i >= 3 && i <= 14) {
            t = _mm_alignr_epi8(m[i & 3], m[(i - 1) & 3], 4);
            m[(i + 1) & 3] = _mm_sha256msg2_epu32(_mm_add_epi32(m[(i + 1) & 3], t), m[i & 3]);
            t = _mm_alignr_epi8(n[i & 3], n[(i - 1) & 3], 4);
            n[(i + 1) & 3] = _mm_sha256msg2_epu32(_mm_add_epi32(n[(i + 1) & 3], t), n[i & 3]);
        }
        x = _mm_shuffle_epi32(x, 0x0E);
        y = _mm_shuffle_epi32(y, 0x0E);
        a0 = _mm_sha256rnds2_epu32(a0, b0, x);
        a1 = _mm_sha256rnds2_epu32(a1, b1, y);
        if (i >= 1 && i <= 12) {
            m[(i - 1) & 3] = _mm_sha256msg1_epu32(m[(i - 1) & 3], m[i & 3]);
            n[(i - 1) & 3] = _mm_sha256msg1_epu32(n[(i - 1) & 3], n[i & 3]);
        }
    }
    a0 = _mm_add_epi32(a0, sa0);
    b0 = _mm_add_epi32(b0, sb0);
    a1 = _mm_add_epi32(a1, sa1);
    b1 = _mm_add_epi32(b1, sb1);
    t = _mm_shuffle_epi32(a0, 0x1B);
    b0 = _mm_shuffle_epi32(b0, 0xB1);
    _mm_storeu_si128((__m128i *)&h0[0], _mm_blend_epi16(t, b0, 0xF0));
    _mm_storeu_si128((__m128i *)&h0[4], _mm_alignr_epi8(b0, t, 8));
    t = _mm_shuffle_epi32(a1, 0x1B);
    b1 = _mm_shuffle_epi32(b1, 0xB1);
    _mm_storeu_si128((__m128i *)&h1[0], _mm_blend_epi16(t, b1, 0xF0));
    _mm_storeu_si128((__m128i *)&h1[4], _mm_alignr_epi8(b1, t, 8));
}

int draw_sha256_blocks_shani(uint32_t h[8], const uint8_t *blocks, size_t nblocks) {
    if (!draw_sha256_have_shani()) return 0;
    shani_blocks(h, blocks, nblocks);
    return 1;
}
#else
int draw_sha256_have_shani(void) {
    return 0;
}
int draw_sha256_blocks_shani(uint32_t h[8], const uint8_t *blocks, size_t nblocks) {
    (void)h, (void)blocks, (void)nblocks;
    return 0;
}
#endif

/* 0 = undecided, 1 = portable, 2 = SHA-NI */
static int impl;

const char *draw_sha256_use(int allow_shani) {
    impl = allow_shani && draw_sha256_have_shani() ? 2 : 1;
    return impl == 2 ? "sha-ni" : "portable";
}

void draw_sha256_blocks(uint32_t h[8], const uint8_t *blocks, size_t nblocks) {
    if (!impl) draw_sha256_use(1);
#ifdef DRAW_HAVE_X86
    if (impl == 2) {
        shani_blocks(h, blocks, nblocks);
        return;
    }
#endif
    draw_sha256_blocks_portable(h, blocks, nblocks);
}

void draw_sha256_two(uint32_t h0[8], uint32_t h1[8], const uint8_t b0[64], const uint8_t b1[64]) {
    if (!impl) draw_sha256_use(1);
#ifdef DRAW_HAVE_X86
    if (impl == 2) {
        shani_two(h0, h1, b0, b1);
        return;
    }
#endif
    draw_sha256_blocks_portable(h0, b0, 1);
    draw_sha256_blocks_portable(h1, b1, 1);
}

void draw_sha256_init(DrawSha256 *c) {
    memcpy(c->h, draw_sha256_iv, sizeof c->h);
    c->total = 0;
    c->nbuf = 0;
}

void draw_sha256_update(DrawSha256 *c, const void *data, size_t n) {
    const uint8_t *p = data;
    c->total += n;
    if (c->nbuf) {
        size_t k = 64 - c->nbuf < n ? 64 - c->nbuf : n;
        memcpy(c->buf + c->nbuf, p, k);
        c->nbuf += k;
        p += k;
        n -= k;
        if (c->nbuf < 64) return;
        draw_sha256_blocks(c->h, c->buf, 1);
        c->nbuf = 0;
    }
    if (n >= 64) {
        draw_sha256_blocks(c->h, p, n / 64);
        p += n / 64 * 64;
        n %= 64;
    }
    memcpy(c->buf, p, n);
    c->nbuf = n;
}

void draw_sha256_final(DrawSha256 *c, uint8_t out[32]) {
    uint64_t bits = c->total * 8;
    c->buf[c->nbuf++] = 0x80;
    if (c->nbuf > 56) {
        memset(c->buf + c->nbuf, 0, 64 - c->nbuf);
        draw_sha256_blocks(c->h, c->buf, 1);
        c->nbuf = 0;
    }
    memset(c->buf + c->nbuf, 0, 56 - c->nbuf);
    for (int i = 0; i < 8; i++)
        c->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    draw_sha256_blocks(c->h, c->buf, 1);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(c->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)c->h[i];
    }
}

void draw_sha256(const void *p, size_t n, uint8_t out[32]) {
    DrawSha256 c;
    draw_sha256_init(&c);
    draw_sha256_update(&c, p, n);
    draw_sha256_final(&c, out);
}

void draw_hex(const uint8_t *p, size_t n, char *out) {
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[p[i] >> 4];
        out[2 * i + 1] = hx[p[i] & 15];
    }
    out[2 * n] = 0;
}

void draw_sha256_hex(const void *p, size_t n, char out[65]) {
    uint8_t d[32];
    draw_sha256(p, n, d);
    draw_hex(d, 32, out);
}
