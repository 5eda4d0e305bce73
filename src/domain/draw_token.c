/* draw_token.c - insured persons as salted per-draw tokens (see draw_token.h, docs/DRAW.md §2a).
 *
 * Invariants: a token is "P" + 24 lowercase hex digits of HMAC-SHA256(salt, pseudonym); the salt
 * and every pair of a draw are written once at the freeze (draw_salt), inside its transaction; the
 * rows of draw_token are frozen pairs, each token and each target once per draw (sql/049's keys),
 * appended at the freeze (excluded, conflicted) and by the run and each substitution (drawn); all
 * SQL is parameterised. Called by the freeze, run and substitution (draw_store*.c), the staff's
 * draw page (page_task_draw.c), `draw show` and `audit verify` (draw_store_check); the public pages
 * read the tokens through the SQL of draw_groups.c, draw_disclose.c, task_draw.c and
 * result_publish.c. */
#include "draw_token.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(crypto_auth_hmacsha256_state) <= sizeof(((DrawTokenKey *)0)->state),
               "DrawTokenKey too small for libsodium's HMAC state");

void draw_token_key(DrawTokenKey *k, const uint8_t salt[DRAW_SALT_LEN]) {
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, salt, DRAW_SALT_LEN);
    memcpy(k->state, &st, sizeof st);
    sodium_memzero(&st, sizeof st);
}

void draw_token_make_key(const DrawTokenKey *k, const char *code, size_t code_len,
                         char out[DRAW_TOKEN_LEN + 1]) {
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    memcpy(&st, k->state, sizeof st); /* the key's two padded blocks, hashed once */
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

void draw_token_make(const uint8_t salt[DRAW_SALT_LEN], const char *code, size_t code_len,
                     char out[DRAW_TOKEN_LEN + 1]) {
    DrawTokenKey k;
    draw_token_key(&k, salt);
    draw_token_make_key(&k, code, code_len, out);
    sodium_memzero(&k, sizeof k);
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

/* The code paired with token in the n pairs tok[i] → code[i] sorted by token, or NULL. */
static const char *find_code(char *const *tok, char *const *code, size_t n, const char *token) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(tok[mid], token);
        if (!c) return code[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *draw_token_map_target(const DrawTokenMap *m, const char *token) {
    return find_code(m->token, m->code, m->n, token);
}

/* ---- storage (sql/049) */

static int map_cell(void *arg, size_t row, size_t col, const char **text, int64_t *i) {
    const void *const *a = arg;
    const DrawTokenMap *m = a[0];
    if (col == 0) return *i = *(const int64_t *)a[1], 1;
    *text = col == 1 ? m->token[row] : m->code[row];
    return 0;
}

int draw_token_pairs_merge(const char *lines, const DrawTokenMap *m, Buf *out) {
    size_t k = 0;
    int collision = 0;
    buf_puts(out, "");
    for (const char *q = lines ? lines : ""; *q;) {
        const char *tab = strchr(q, '\t'), *nl = strchr(q, '\n');
        if (!tab || !nl) break;
        size_t tl = (size_t)(tab - q);
        for (; k < m->n; k++) { /* the map's pairs before this line's token, or equal to it */
            int c = strncmp(m->token[k], q, tl);
            if (c > 0 || (c == 0 && m->token[k][tl])) break;
            if (c == 0) { /* the same token: the same person, or a collision */
                collision |= strlen(m->code[k]) != (size_t)(nl - tab - 1) ||
                             strncmp(m->code[k], tab + 1, (size_t)(nl - tab - 1)) != 0;
                continue;
            }
            buf_printf(out, "%s\t%s\n", m->token[k], m->code[k]);
        }
        buf_append(out, q, (size_t)(nl - q) + 1);
        q = nl + 1;
    }
    for (; k < m->n; k++)
        buf_printf(out, "%s\t%s\n", m->token[k], m->code[k]);
    return collision ? -1 : 0;
}

int draw_token_store(Db *db, int64_t draw_id, const uint8_t salt[DRAW_SALT_LEN], const char *pairs,
                     const DrawTokenMap *rows) {
    char hex[2 * DRAW_SALT_LEN + 1];
    sodium_bin2hex(hex, sizeof hex, salt, DRAW_SALT_LEN);
    int bad = db_exec(db, "INSERT INTO draw_salt(draw_id, scheme, salt, pairs) VALUES (?, ?, ?, ?)",
                      "ittt", draw_id, DRAW_TOKEN_SCHEME, hex, pairs ? pairs : "") != DB_OK;
    sodium_memzero(hex, sizeof hex);
    if (!bad && rows->n) {
        static const char *const cols[] = {"draw_id", "token", "target_code"};
        const void *arg[2] = {rows, &draw_id};
        DbRowSource src = {rows->n, 3, map_cell, arg};
        bad = db_insert_rows(db, "draw_token", cols, 3, &src, 0) != DB_OK;
    }
    return bad ? -1 : 0;
}

/* A draw's pairs as frozen (draw_salt.pairs), parsed in place: tok[i] → code[i], sorted by token.
 */
typedef struct Pairs {
    char *text;
    char **tok, **code; /* pointing into text */
    size_t n;
} Pairs;

static void pairs_free(Pairs *p) {
    free(p->text);
    free(p->tok);
    free(p->code);
    memset(p, 0, sizeof *p);
}

/* Loads draw_id's frozen pairs and salt: 1 when found, 0 when the draw has none (frozen without
 * tokens), -1 on a database error or a malformed value. */
static int pairs_load(Db *db, int64_t draw_id, Pairs *p, uint8_t salt[DRAW_SALT_LEN]) {
    memset(p, 0, sizeof *p);
    char *hex = NULL;
    if (db_query_text(db, &hex, "SELECT salt FROM draw_salt WHERE draw_id = ?", "i", draw_id) !=
            DB_OK ||
        (hex && db_query_text(db, &p->text, "SELECT pairs FROM draw_salt WHERE draw_id = ?", "i",
                              draw_id) != DB_OK)) {
        free(hex);
        return -1;
    }
    if (!hex) return 0;
    size_t got = 0;
    int bad = sodium_hex2bin(salt, DRAW_SALT_LEN, hex, strlen(hex), NULL, &got, NULL) ||
              got != DRAW_SALT_LEN || !p->text;
    sodium_memzero(hex, strlen(hex));
    free(hex);
    size_t lines = 0;
    for (const char *q = p->text; !bad && *q; q++)
        lines += *q == '\n';
    p->tok = xmalloc((lines ? lines : 1) * sizeof *p->tok);
    p->code = xmalloc((lines ? lines : 1) * sizeof *p->code);
    for (char *q = bad ? NULL : p->text; q && *q;) {
        char *tab = strchr(q, '\t'), *nl = strchr(q, '\n');
        if (!tab || !nl || tab > nl) {
            bad = 1;
            break;
        }
        *tab = *nl = 0;
        p->tok[p->n] = q;
        p->code[p->n++] = tab + 1;
        q = nl + 1;
    }
    if (bad) pairs_free(p);
    return bad ? -1 : 1;
}

/* The code of token in p, or NULL. */
static const char *pairs_code(const Pairs *p, const char *token) {
    return find_code(p->tok, p->code, p->n, token);
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

/* Replaces member `field` of each object of arr that is a token of m by its target. */
static void reveal_from(const DrawTokenMap *m, json_t *arr, const char *field) {
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        const char *code = draw_token_map_target(m, json_string_value(json_object_get(e, field)));
        if (code) json_object_set_new(e, field, json_string(code));
    }
}

/* Only ids shaped as tokens can be one, so a list of institutions (a draw's thousands of
 * exclusions, say) costs no query; otherwise the draw's map is read once, not once per id. */
void draw_token_reveal(Db *db, int64_t draw_id, json_t *arr, const char *field) {
    size_t i;
    json_t *e;
    int any = 0;
    json_array_foreach(arr, i, e) {
        if (draw_token_shaped(json_string_value(json_object_get(e, field)))) {
            any = 1;
            break;
        }
    }
    DrawTokenMap m;
    if (!any || draw_token_load(db, draw_id, &m)) return;
    reveal_from(&m, arr, field);
    draw_token_map_free(&m);
}

void draw_token_reveal_record(Db *db, const char *task, int draw_no, json_t *doc) {
    int64_t id = 0;
    if (db_query_int(db, &id,
                     draw_no ? "SELECT id FROM draw WHERE task_code = ? AND draw_no = ?"
                             : "SELECT id FROM draw WHERE task_code = ? AND status <> '已作废' "
                               "AND ? = 0",
                     "ti", task, (int64_t)draw_no) != DB_OK ||
        !id)
        return; /* display only: shown as stored */
    DrawTokenMap m;
    if (draw_token_load(db, id, &m)) return;
    reveal_from(&m, json_object_get(doc, "selected"), "id");
    reveal_from(&m, json_object_get(doc, "assignments"), "target");
    reveal_from(&m, json_object_get(doc, "events"), "target");
    reveal_from(&m, json_object_get(doc, "events"), "replacement");
    reveal_from(&m, json_object_get(json_object_get(doc, "freeze"), "excluded"), "id");
    draw_token_map_free(&m);
}

int draw_token_resolve(Db *db, int64_t draw_id, const char *const *ids, size_t n, DrawTokenMap *m,
                       char **err) {
    DrawTokenMap add = {0};
    for (size_t i = 0; i < n; i++)
        if (draw_token_shaped(ids[i]) && !draw_token_map_target(m, ids[i]))
            draw_token_map_add(&add, ids[i], "");
    if (!add.n) return 0;
    Pairs p;
    uint8_t salt[DRAW_SALT_LEN];
    int has = pairs_load(db, draw_id, &p, salt);
    sodium_memzero(salt, sizeof salt);
    if (has <= 0) { /* a draw frozen without tokens: its ids are codes */
        draw_token_map_free(&add);
        return has < 0 ? set_err(err, "无法读取参保人编码对照：%s", db_errmsg(db)) : 0;
    }
    draw_token_map_sort(&add); /* each token once */
    int result = 0;
    for (size_t i = 0; i < add.n; i++) {
        const char *code = pairs_code(&p, add.token[i]);
        if (!code) {
            result = set_err(err, "抽取结果中的参保人编码 %s 不在冻结时的对照中", add.token[i]);
            result = 1;
            break;
        }
        free(add.code[i]);
        add.code[i] = xstrdup(code);
    }
    if (!result) {
        static const char *const cols[] = {"draw_id", "token", "target_code"};
        const void *arg[2] = {&add, &draw_id};
        DbRowSource src = {add.n, 3, map_cell, arg};
        if (db_insert_rows(db, "draw_token", cols, 3, &src, 0) != DB_OK)
            result = set_err(err, "数据库错误: %s", db_errmsg(db));
        for (size_t i = 0; !result && i < add.n; i++)
            draw_token_map_add(m, add.token[i], add.code[i]);
        if (!result) draw_token_map_sort(m);
    }
    pairs_free(&p);
    draw_token_map_free(&add);
    return result;
}

int draw_token_check(Db *db, int64_t draw_id, const char *prefix, Buf *out) {
    uint8_t salt[DRAW_SALT_LEN];
    Pairs p;
    DrawTokenMap m;
    int has = pairs_load(db, draw_id, &p, salt);
    if (has < 0 || draw_token_load(db, draw_id, &m)) {
        if (has > 0) pairs_free(&p);
        buf_printf(out, "%s无法读取参保人编码盐值或对照：%s\n", prefix, db_errmsg(db));
        return 1;
    }
    int problems = 0;
    if (!has && m.n) {
        buf_printf(out, "%s有参保人编码对照，却没有盐值\n", prefix);
        problems++;
    } else if (has) {
        /* every frozen pair recomputed: a pair changed by hand (another person behind a token)
         * no longer matches its salt */
        DrawTokenKey key;
        draw_token_key(&key, salt);
        size_t wrong = 0;
        char t[DRAW_TOKEN_LEN + 1];
        for (size_t i = 0; i < p.n; i++) {
            draw_token_make_key(&key, p.code[i], strlen(p.code[i]), t);
            if (strcmp(t, p.tok[i]) || (i && strcmp(p.tok[i - 1], p.tok[i]) >= 0)) {
                if (wrong < 5)
                    buf_printf(out, "%s冻结时的参保人编码 %s 与盐值重算的不符\n", prefix, p.tok[i]);
                wrong++;
            }
        }
        /* and the pairs the pages look up are frozen pairs */
        for (size_t i = 0; i < m.n; i++)
            if (!str_eq(pairs_code(&p, m.token[i]), m.code[i])) {
                if (wrong < 5)
                    buf_printf(out, "%s参保人编码 %s 的对照与盐值重算的不符\n", prefix, m.token[i]);
                wrong++;
            }
        sodium_memzero(&key, sizeof key);
        if (wrong > 5) buf_printf(out, "%s……共 %zu 个参保人编码与盐值重算的不符\n", prefix, wrong);
        problems += wrong > 0;
        /* every drawn insured person has the pair its token was resolved by */
        int64_t unmapped = 0;
        if (db_query_int(db, &unmapped,
                         "SELECT count(*) FROM draw_target dt JOIN target t ON t.code = "
                         "dt.target_code WHERE dt.draw_id = ? AND t.kind = 'insured' AND NOT "
                         "EXISTS (SELECT 1 FROM draw_token k WHERE k.draw_id = dt.draw_id AND "
                         "k.target_code = dt.target_code)",
                         "i", draw_id) != DB_OK)
            unmapped = -1;
        if (unmapped) {
            buf_printf(out, "%s有 %lld 个抽中的参保人没有编码对照\n", prefix, (long long)unmapped);
            problems++;
        }
        pairs_free(&p);
    }
    sodium_memzero(salt, sizeof salt);
    draw_token_map_free(&m);
    return problems;
}
