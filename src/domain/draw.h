/* draw.h - the verifiable draw engine (摇号): Rivest's consistent sampler over string ids,
 * stratified sample sizes from exact decimal ratios, officer/expert assignment and substitution,
 * and the draw record (JSON) with its verification. docs/DRAW.md is the specification.
 *
 * Pure: no database, no clock, no I/O. Callers (draw_store.c, the CLI, tests, the benchmark)
 * hand in bytes and get back data. No floating point anywhere in the selection path.
 * Thread-safety: every function is reentrant; objects are not shared between threads. */
#ifndef SPOTCHECK_DRAW_H
#define SPOTCHECK_DRAW_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/util.h"

/* A ticket is "0." followed by 64..78 decimal digits: at most 80 characters plus NUL. */
#define DRAW_TICKET_MAX 81
#define DRAW_SEED_PREFIX "spotcheck-v1|"
#define DRAW_FORMAT "spotcheck-draw/1"    /* server secret + free-text randomness: verified only */
#define DRAW_FORMAT_V2 "spotcheck-draw/2" /* declared external sources, no secret: new draws */

/* ------------------------------------------------------------------ sampler */

typedef struct DrawSeed {
    char hash[65];   /* SEEDHASH: lowercase hex SHA-256 of the UTF-8 seed */
    uint32_t mid[8]; /* SHA-256 state after compressing the 64-byte SEEDHASH block */
} DrawSeed;

/* Prepares a seed: computes SEEDHASH and the midstate. */
void draw_seed_init(DrawSeed *s, const char *seed, size_t seed_len);
/* SHA-256(SEEDHASH + id) as eight big-endian 32-bit words (h[0] most significant). */
void draw_id_digest(const DrawSeed *s, const char *id, size_t id_len, uint32_t h[8]);
/* The first 19 ticket digits of a digest, as an integer: comparing keys compares the first 19
 * digits of the tickets. Equal keys need the full tickets (draw_ticket_of) to decide. */
uint64_t draw_key_of(const uint32_t h[8]);
/* The full ticket "0.ddd…" of a digest; returns its length. */
size_t draw_ticket_of(const uint32_t h[8], char out[DRAW_TICKET_MAX]);
/* ticket(id) under seed s; returns its length. */
size_t draw_ticket(const DrawSeed *s, const char *id, size_t id_len, char out[DRAW_TICKET_MAX]);
/* The package's sha256_uniform(s): the ticket construction applied to SHA-256(s). */
size_t draw_uniform(const char *s, size_t n, char out[DRAW_TICKET_MAX]);
/* Orders n ids by (ticket, id bytes) under seed s and writes the first min(take, n) positions
 * (indices into ids) to out. Returns how many were written. */
size_t draw_order(const DrawSeed *s, const char *const *ids, const uint32_t *lens, size_t n,
                  size_t take, uint32_t *out);

/* ------------------------------------------------------------------ sizes */

/* An exact ratio num/den with den a power of ten, 0 <= num <= den. */
typedef struct DrawRatio {
    uint64_t num, den;
} DrawRatio;

/* Parses "3%", "0.5%", "0.125", "1", "100%" (at most 15 decimals). Returns 0, or -1 when the
 * text is not an exact decimal in [0, 1]. */
int draw_ratio_parse(const char *s, DrawRatio *r);
/* n = min(N, max(ceil(N * ratio), minimum)), computed in integers. */
uint64_t draw_stratum_size(uint64_t N, DrawRatio r, uint64_t minimum);
/* A value of a per-stratum map (params.ratios, params.minimum): the exact stratum name, then its
 * part before the first '/', then "*". NULL when none (or map is not an object). Borrowed. */
json_t *draw_lookup_stratum(const json_t *map, const char *name);

/* ------------------------------------------------------------------ population */

/* The canonical population file parsed in place: lines "id\tstratum" (or "id\tstratum\tregion"
 * when the draw requires cross-region groups), sorted by id bytes, UTF-8, each ending in "\n". */
typedef struct DrawPop {
    char *text;      /* owned; tabs and newlines replaced by NUL after parsing */
    size_t n;        /* number of ids */
    const char **id; /* NUL-terminated, pointing into text */
    uint32_t *id_len;
    uint32_t *stratum;   /* index into strata */
    const char **region; /* NULL unless the file has a third column */
    size_t nstrata;
    char **strata; /* names, sorted by bytes */
    uint64_t *stratum_n;
    char sha256[65]; /* digest of the file as given */
} DrawPop;

/* Zero bytes kept after the text of a DrawPop, so that the parser's 64-byte chunks, 8-byte
 * loads and the hashing's 64-byte blocks may read past the end of any line. A caller that
 * allocates the text with this much room spares draw_pop_parse a reallocation. */
#define DRAW_POP_PAD 72

/* Takes ownership of text (malloc'ed, len bytes, need not be NUL-terminated; it is realloc'ed
 * to len + DRAW_POP_PAD bytes) and parses it. On error frees text, leaves *p empty, returns -1
 * with *err naming the line. */
int draw_pop_parse(DrawPop *p, char *text, size_t len, char **err);
/* The same result from the straightforward line-at-a-time parser that draw_pop_parse falls
 * back to for any unusual file (it gives the error messages); for tests. */
int draw_pop_parse_reference(DrawPop *p, char *text, size_t len, char **err);
void draw_pop_free(DrawPop *p);
/* Index of the stratum named name, or -1. */
int draw_pop_stratum(const DrawPop *p, const char *name);

/* ------------------------------------------------------------------ selection */

typedef struct DrawEnt {
    uint64_t key;
    uint32_t idx;
    uint32_t pad; /* draw_select: slot of the kept digest, UINT32_MAX when none */
} DrawEnt;

/* Sorts n entries (key, idx into ids/lens) into the order key, full ticket, id bytes: the
 * engine's radix sort on the keys with equal keys ordered by full tickets. For tests. */
void draw_sort_entries(const DrawSeed *s, const char *const *ids, const uint32_t *lens, DrawEnt *a,
                       size_t n);

/* The result of a stratified selection. Per stratum h, ent[h][0..ncand[h]) is a prefix of
 * the stratum's ticket order (the ids whose 64-bit key is below a threshold, or the whole
 * stratum), sorted; the first taken[h] of it are the sample and any replacements. */
typedef struct DrawSelection {
    const DrawPop *pop;
    DrawSeed seed;
    size_t nstrata;
    DrawEnt **ent;
    uint64_t *N;                      /* N_h */
    uint64_t *ncand, *taken, *sorted; /* sorted: length of the ordered prefix (= ncand) */
    size_t count;                     /* initial sample size, Σ n_h */
    uint32_t *idx;                    /* the initial sample in global draw order (ticket, id) */
    char (*ticket)[DRAW_TICKET_MAX];  /* tickets of idx[] */
} DrawSelection;

/* Selects the first n[h] ids of every stratum h in ticket order (n[h] <= N_h), and merges them
 * into one draw order. Every id is hashed; only ids with a small enough key are sorted.
 * Returns 0; the caller frees with draw_selection_free. */
int draw_select(DrawSelection *sel, const DrawPop *p, const char *seed, size_t seed_len,
                const uint64_t *n);
/* The next id of stratum h in ticket order after those already taken (a replacement, 递补);
 * returns its population index, or -1 when the stratum is exhausted. */
int64_t draw_selection_next(DrawSelection *sel, size_t h);
void draw_selection_free(DrawSelection *sel);
/* Tests only (not thread-safe): extra >= 0 keeps about n_h + extra candidates per stratum
 * instead of n_h + 8 sqrt(n_h) + 64, so that the fallback paths run; -1 restores. */
void draw_select_test_margin(int64_t extra);

/* The consistent sampler over a list of ids (`spotcheck sample`): one stratum, the first
 * min(take, n) ids in ticket order in sel.idx/sel.ticket (indices into pop.id). */
typedef struct DrawSample {
    DrawPop pop;
    DrawSelection sel;
} DrawSample;

/* Takes ownership of text (malloc'ed, len bytes: one id per line, LF or CRLF, empty lines
 * skipped) and orders its ids under seed. Returns 0, or -1 with *err (Chinese) when the text is
 * not UTF-8, holds a NUL byte or an id twice (as the package, which refuses duplicates); *s is
 * then empty. Free with draw_sample_free. */
int draw_sample(DrawSample *s, char *text, size_t len, const char *seed, size_t seed_len,
                uint64_t take, char **err);
void draw_sample_free(DrawSample *s);

/* ------------------------------------------------------------------ roster */

typedef struct DrawPerson {
    int is_expert;
    char *id; /* officer: certificate number; expert: expert code */
    char *region, *status, *valid_from, *valid_to;
    int may_lead;
    char **tags; /* officer tags or expert specialties */
    size_t ntags;
    char *dept; /* the officer's dept code (9th column), "" for experts or without the column */
} DrawPerson;

/* The canonical officer file: lines "kind\tid\tregion\tstatus\tvalid_from\tvalid_to\tmay_lead\t
 * tags" with kind "officer" or "expert", tags comma-separated, lines sorted by bytes; a joint
 * task's file adds a 9th column, the officer's dept code (empty for experts), on every line. */
typedef struct DrawRoster {
    DrawPerson *p;
    size_t n, nofficers, nexperts;
    int has_dept; /* the file has the dept column */
    char sha256[65];
} DrawRoster;

/* Parses the officer file (the text is not kept). Returns 0, or -1 with *err. */
int draw_roster_parse(DrawRoster *r, const char *text, size_t len, char **err);
void draw_roster_free(DrawRoster *r);

/* ------------------------------------------------------------------ record */

/* "spotcheck-v1|TASK|RANDOMNESS|SECRET_HEX"; the caller frees it. */
char *draw_seed_string(const char *task, const char *randomness, const char *secret_hex);
/* Canonical JSON (sorted keys, no spaces, UTF-8) used for digests; the caller frees it. */
char *draw_canonical_json(const json_t *j);
/* SHA-256 hex of draw_canonical_json(j). */
void draw_json_sha256(const json_t *j, char out[65]);

/* The officers a group of a draw with these params should have: group_size (2 when absent) and
 * the per_group of each joint dept (docs/DRAW.md §5). A group's "short" in the record is this less
 * the officers it has. */
int64_t draw_group_need(const json_t *params);

/* The seed of a record: /1 from public_randomness and secret, /2 from freeze.sources and
 * values (draw_seed_v2). New string, or NULL with *err when the inputs are missing or invalid. */
char *draw_record_seed(const json_t *record, char **err);

/* Runs the draw defined by record's "freeze", its seed inputs (draw_record_seed) and "events" (the
 * substitution requests, each {type, target, officer?, reason}) on the population and roster,
 * and returns a new object holding the derived fields: seed, seedhash, strata, selected,
 * assignments and events (with replacements). Returns NULL with *err on invalid input. */
json_t *draw_compute(const json_t *record, const DrawPop *pop, const DrawRoster *ros, char **err);

/* ------------------------------------------------------------------ outcome
 *
 * What draw_compute derives, kept as plain data (no JSON tree of the groups), so that a large
 * draw's record can be written as canonical text straight into a buffer and its derived rows
 * read without the record (draw_store_run.c). An outcome borrows from the record, population
 * and roster it was computed from: they must outlive it. */

typedef struct DrawOutcome DrawOutcome;

/* A member passed over (skipped) or removed from a group, and why; borrowed from the outcome. */
typedef struct DrawNote {
    const char *id, *reason;
} DrawNote;

/* One group of an outcome (an entry of the record's assignments), borrowed from the outcome. */
typedef struct DrawGroupView {
    const char *target, *stratum, *ticket;
    int replacement;    /* came in by a target substitution: origin 递补 (else 抽中) */
    int replaced;       /* replaced since: status 已替换 (else 有效) */
    const char *leader; /* NULL when the group has none */
    const uint32_t *officers, *experts; /* indices into the roster */
    size_t nofficers, nexperts;
    const DrawNote *skipped, *removed;
    size_t nskipped, nremoved;
} DrawGroupView;

/* Computes the outcome of a record's inputs, as draw_compute. NULL with *err on invalid input. */
DrawOutcome *draw_outcome_compute(const json_t *record, const DrawPop *pop, const DrawRoster *ros,
                                  char **err);
void draw_outcome_free(DrawOutcome *o);
/* The derived fields as a new object: seed, seedhash, strata and events (with replacements), and
 * with `lists` also selected and assignments (what draw_compute returns). */
json_t *draw_outcome_json(const DrawOutcome *o, int lists);
/* Appends the canonical JSON (draw_canonical_json) of the complete record, head (format, freeze
 * and the seed inputs: draw_record_head, draw_record_head_v2) with the derived fields, to out:
 * the same bytes as draw_canonical_json of the record draw_record_build(_v2) returns. */
void draw_outcome_write(const DrawOutcome *o, const json_t *head, Buf *out);
/* Number of groups (0 without a roster) and of selected targets. */
size_t draw_outcome_groups(const DrawOutcome *o);
size_t draw_outcome_selected(const DrawOutcome *o);
/* Group i (< draw_outcome_groups) in record order. */
void draw_outcome_group(const DrawOutcome *o, size_t i, DrawGroupView *v);

/* The members of a canonical record text other than the two long lists (selected, assignments),
 * as a new object, read without building the lists: what a substitution needs of the stored
 * record. NULL with *err when the text is not a JSON object. */
json_t *draw_record_head_read(const char *text, size_t len, char **err);

/* The record's inputs before the draw is computed (format, freeze, freeze_sha256, the seed
 * inputs, events): /1 and /2, arguments as for draw_record_build and draw_record_build_v2. */
json_t *draw_record_head(const json_t *freeze, const char *randomness, const char *secret_hex,
                         const json_t *events);
json_t *draw_record_head_v2(const json_t *freeze, const json_t *values, const char *blind,
                            const char *drawn_at, const char *dice_recorded_at,
                            const json_t *events);

/* Assembles a complete record: format, freeze, freeze_sha256, the public randomness, the
 * revealed secret (64 hex), the substitution requests (events, may be NULL) and the derived
 * fields of draw_compute. Returns a new object, or NULL with *err. */
json_t *draw_record_build(const json_t *freeze, const char *randomness, const char *secret_hex,
                          const json_t *events, const DrawPop *pop, const DrawRoster *ros,
                          char **err);
/* The same for a /2 record: the canonical values of the declared sources (one string each, in
 * order), the blind the freeze committed to (64 hex digits; NULL when its freeze has no
 * blind_sha256), the draw time and, when dice are declared, when they were recorded (RFC 3339
 * with offset; NULL without dice). */
json_t *draw_record_build_v2(const json_t *freeze, const json_t *values, const char *blind,
                             const char *drawn_at, const char *dice_recorded_at,
                             const json_t *events, const DrawPop *pop, const DrawRoster *ros,
                             char **err);
/* Verifies a frozen record not yet drawn ({format, freeze, freeze_sha256}): the digest, the
 * published digest expect_freeze (may be NULL), the sources (/2), and the files against the
 * frozen digests and counts. Appends to sizes one line per stratum "STRATUM N_h n_h" (what the
 * draw will take). Same output and result convention as draw_verify. */
int draw_verify_frozen(const json_t *record, const DrawPop *pop, const DrawRoster *ros,
                       const char *expect_freeze, Buf *out, Buf *sizes);
/* Verifies a record (/1 or /2). pop/ros may be NULL (then only what does not need them is checked,
 * and a note is written). expect_freeze, when not NULL, is the freeze digest published before the
 * draw. Writes one Chinese line per difference to out (notes to notes, may be NULL). Returns 0
 * when everything checked agrees, 1 on any difference. */
int draw_verify(const json_t *record, const DrawPop *pop, const DrawRoster *ros,
                const char *expect_freeze, Buf *out, Buf *notes);

#endif
