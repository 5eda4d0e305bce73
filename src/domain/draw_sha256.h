/* draw_sha256.h - SHA-256 for the verifiable draw: a portable implementation and an x86 SHA-NI
 * compression chosen at run time. The draw hashes millions of ids, so the compression function
 * is exposed for the midstate trick (SEEDHASH is exactly one 64-byte block).
 *
 * Every function is thread-safe; the one-time CPU detection is idempotent. */
#ifndef SPOTCHECK_DRAW_SHA256_H
#define SPOTCHECK_DRAW_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct DrawSha256 {
    uint32_t h[8];
    uint64_t total; /* bytes hashed so far */
    uint8_t buf[64];
    size_t nbuf;
} DrawSha256;

extern const uint32_t draw_sha256_iv[8];

void draw_sha256_init(DrawSha256 *c);
void draw_sha256_update(DrawSha256 *c, const void *p, size_t n);
/* Writes the 32-byte digest; the context must be re-initialised before reuse. */
void draw_sha256_final(DrawSha256 *c, uint8_t out[32]);
/* One-shot digest of n bytes. */
void draw_sha256(const void *p, size_t n, uint8_t out[32]);
/* One-shot digest as 64 lowercase hex characters plus NUL. */
void draw_sha256_hex(const void *p, size_t n, char out[65]);
/* Lowercase hex of n bytes into out (2n+1 bytes). */
void draw_hex(const uint8_t *p, size_t n, char *out);

/* Compresses nblocks consecutive 64-byte blocks into state h, with whichever implementation
 * draw_sha256_use() selected (SHA-NI when the CPU has it, unless disabled). */
void draw_sha256_blocks(uint32_t h[8], const uint8_t *blocks, size_t nblocks);
/* Two independent one-block compressions (states h0 and h1, blocks b0 and b1), interleaved on
 * SHA-NI for throughput. */
void draw_sha256_two(uint32_t h0[8], uint32_t h1[8], const uint8_t b0[64], const uint8_t b1[64]);
/* The portable implementation, always available. */
void draw_sha256_blocks_portable(uint32_t h[8], const uint8_t *blocks, size_t nblocks);
/* The SHA-NI implementation; returns 0 (and does nothing) when the CPU lacks it. */
int draw_sha256_blocks_shani(uint32_t h[8], const uint8_t *blocks, size_t nblocks);
/* 1 when the CPU supports the SHA extensions (and SSE4.1/SSSE3). */
int draw_sha256_have_shani(void);
/* Selects the implementation: 1 = use SHA-NI when available (default), 0 = portable only.
 * Returns the name of the implementation now in use ("sha-ni" or "portable"). Tests and the
 * benchmark call this; it is not meant to be toggled while other threads hash. */
const char *draw_sha256_use(int allow_shani);

#endif
