/* draw_token.c - insured persons as salted per-draw tokens (see draw_token.h, docs/DRAW.md §2a).
 *
 * Invariants: a token is "P" + 24 lowercase hex digits of HMAC-SHA256(salt, pseudonym); a draw's
 * map holds each token once and each target once (sql/049's keys), written once at the freeze
 * inside its transaction; all SQL is parameterised. Called by the freeze and run
 * (draw_store*.c), the draw pages (page_task_draw.c, page_public_task.c through task_draw.h's
 * reads) and `audit verify` (draw_store_check). */
#include "draw_token.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void draw_token_make(const uint8_t salt[DRAW_SALT_LEN], const char *code, size_t code_len,
                     char out[DRAW_TOKEN_LEN + 1]) {
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, salt, DRAW_SALT_LEN);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)code, code_len);
    crypto_auth_hmacsha256_final(&st, mac);
    static const char hex[] = "0123456789abcdef";
    out[0] = 'P';
    for (size_t i = 0; i < (DRAW_TOKEN_LEN - 1) / 2; i++) {
        out[1 + 2 * i] = hex[mac[i] >> 4];
        out[2 + 2 * i] = hex[mac[i] & 15];
    }
    out[DRAW_TOKEN_LEN] = 0;
    sodium_memzero(&st, sizeof st);
}

int draw_token_shaped(const char *s) {
    if (!s || s[0] != 'P' || strlen(s) != DRAW_TOKEN_LEN) return 0;
    for (size_t i = 1; i < DRAW_TOKEN_LEN; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return 1;
}

/* ---- the map */

void draw_token_map_free(DrawTokenMap *m) {
    for (size_t i = 0; i < m->n; i++) {
        free(m->token[i]);
        free(m->code[i]);
    }
    free(m->token);
    free(m->code);
    memset(m, 0, sizeof *m);
}

void draw_token_map_add(DrawTokenMap *m, const char *token, const char *code) {
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 256;
        m->token = xrealloc(m->token, m->cap * sizeof *m->token);
        m->code = xrealloc(m->code, m->cap * sizeof *m->code);
    }
    m->token[m->n] = xstrdup(token);
    m->code[m->n] = xstrdup(code);
    m->n++;
    m->sorted = 0;
}

typedef struct Pair {
    char *token, *code;
} Pair;

static int pair_cmp(const void *a, const void *b) {
    const Pair *x = a, *y = b;
    int c = strcmp(x->token, y->token);
    return c ? c : strcmp(x->code, y->code);
}

int draw_token_map_sort(DrawTokenMap *m) {
    Pair *p = xmalloc((m->n ? m->n : 1) * sizeof *p);
    for (size_t i = 0; i < m->n; i++)
        p[i] = (Pair){m->token[i], m->code[i]};
    qsort(p, m->n, sizeof *p, pair_cmp);
    size_t out = 0;
    int collision = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (out && !strcmp(p[out - 1].token, p[i].token)) {
            collision |= strcmp(p[out - 1].code, p[i].code) != 0;
            free(p[i].token);
            free(p[i].code);
            continue;
        }
        p[out++] = p[i];
    }
    for (size_t i = 0; i < out; i++) {
        m->token[i] = p[i].token;
        m->code[i] = p[i].code;
    }
    m->n = out;
    m->sorted = 1;
    free(p);
    return collision ? -1 : 0;
}

const char *draw_token_map_target(const DrawTokenMap *m, const char *token) {
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(m->token[mid], token);
        if (!c) return m->code[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- storage (sql/049) */

static int map_cell(void *arg, size_t row, size_t col, const char **text, int64_t *i) {
    const void *const *a = arg;
    const DrawTokenMap *m = a[0];
    if (col == 0) return *i = *(const int64_t *)a[1], 1;
    *text = col == 1 ? m->token[row] : m->code[row];
    return 0;
}

int draw_token_store(Db *db, int64_t draw_id, const uint8_t salt[DRAW_SALT_LEN],
                     const DrawTokenMap *m) {
    char hex[2 * DRAW_SALT_LEN + 1];
    sodium_bin2hex(hex, sizeof hex, salt, DRAW_SALT_LEN);
    int bad = db_exec(db, "INSERT INTO draw_salt(draw_id, scheme, salt) VALUES (?, ?, ?)", "itt",
                      draw_id, DRAW_TOKEN_SCHEME, hex) != DB_OK;
    sodium_memzero(hex, sizeof hex);
    if (bad) return -1;
    if (!m->n) return 0;
    static const char *const cols[] = {"draw_id", "token", "target_code"};
    const void *arg[2] = {m, &draw_id};
    DbRowSource src = {m->n, 3, map_cell, arg};
    return db_insert_rows(db, "draw_token", cols, 3, &src, 0) == DB_OK ? 0 : -1;
}

int draw_token_load(Db *db, int64_t draw_id, DrawTokenMap *m) {
    memset(m, 0, sizeof *m);
    Stmt *st = db_prepare(db, "SELECT token, target_code FROM draw_token WHERE draw_id = ? "
                              "ORDER BY token");
    if (!st) return -1;
    db_bind_int(st, 1, draw_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        draw_token_map_add(m, db_col_text(st, 0), db_col_text(st, 1));
    db_finalize(st);
    m->sorted = 1; /* in token order (byte order: the tokens are ASCII) */
    if (rc != DB_DONE) {
        draw_token_map_free(m);
        return -1;
    }
    return 0;
}

char *draw_token_target(Db *db, int64_t draw_id, const char *token) {
    char *code = NULL;
    if (!token ||
        db_query_text(db, &code,
                      "SELECT target_code FROM draw_token WHERE draw_id = ? AND token = ?", "it",
                      draw_id, token) != DB_OK)
        return NULL;
    return code;
}

char *draw_token_of(Db *db, int64_t draw_id, const char *code) {
    char *token = NULL;
    if (!code || db_query_text(db, &token,
                               "SELECT token FROM draw_token WHERE draw_id = ? AND target_code = ?",
                               "it", draw_id, code) != DB_OK)
        return NULL;
    return token;
}

/* Replaces member `field` of each object of arr by what `swap` gives for it (when it gives one). */
static void swap_field(Db *db, int64_t draw_id, json_t *arr, const char *field,
                       char *(*swap)(Db *, int64_t, const char *)) {
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        char *to = swap(db, draw_id, json_string_value(json_object_get(e, field)));
        if (to) json_object_set_new(e, field, json_string(to));
        free(to);
    }
}

void draw_token_reveal(Db *db, int64_t draw_id, json_t *arr, const char *field) {
    swap_field(db, draw_id, arr, field, draw_token_target);
}

void draw_token_mask(Db *db, int64_t draw_id, json_t *arr, const char *field) {
    swap_field(db, draw_id, arr, field, draw_token_of);
}

int draw_token_check(Db *db, int64_t draw_id, const char *const *pop_ids, size_t n,
                     const char *prefix, Buf *out) {
    int problems = 0;
    char *hex = NULL;
    if (db_query_text(db, &hex, "SELECT salt FROM draw_salt WHERE draw_id = ?", "i", draw_id) !=
        DB_OK) {
        buf_printf(out, "%s无法读取参保人编码盐值：%s\n", prefix, db_errmsg(db));
        return 1;
    }
    DrawTokenMap m;
    if (draw_token_load(db, draw_id, &m)) {
        free(hex);
        buf_printf(out, "%s无法读取参保人编码对照：%s\n", prefix, db_errmsg(db));
        return 1;
    }
    uint8_t salt[DRAW_SALT_LEN];
    size_t got = 0;
    if (hex && (sodium_hex2bin(salt, sizeof salt, hex, strlen(hex), NULL, &got, NULL) ||
                got != DRAW_SALT_LEN)) {
        buf_printf(out, "%s参保人编码盐值不是 64 位十六进制数\n", prefix);
        problems++;
    } else if (!hex && m.n) {
        buf_printf(out, "%s有参保人编码对照，却没有盐值\n", prefix);
        problems++;
    } else if (hex) {
        /* every pair recomputed: a pair changed by hand (another person behind a drawn token)
         * no longer matches its salt */
        size_t wrong = 0;
        char t[DRAW_TOKEN_LEN + 1];
        for (size_t i = 0; i < m.n; i++) {
            draw_token_make(salt, m.code[i], strlen(m.code[i]), t);
            if (strcmp(t, m.token[i])) {
                if (wrong < 5)
                    buf_printf(out, "%s参保人编码 %s 与盐值重算的不符\n", prefix, m.token[i]);
                wrong++;
            }
        }
        if (wrong > 5) buf_printf(out, "%s……共 %zu 个参保人编码与盐值重算的不符\n", prefix, wrong);
        problems += wrong > 0;
        size_t missing = 0;
        for (size_t i = 0; i < n; i++)
            if (draw_token_shaped(pop_ids[i]) && !draw_token_map_target(&m, pop_ids[i])) {
                if (missing < 5)
                    buf_printf(out, "%s名单文件中的参保人编码 %s 没有对照\n", prefix, pop_ids[i]);
                missing++;
            }
        problems += missing > 0;
    }
    sodium_memzero(salt, sizeof salt);
    free(hex);
    draw_token_map_free(&m);
    return problems;
}
