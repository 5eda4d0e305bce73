/* test_draw.c - the draw engine: the consistent sampler's published reference values, SHA-256
 * implementations against libsodium, the 64-bit key against full tickets, sampler properties
 * (order independence, subset consistency), exact stratum sizes, officer assignment
 * constraints, substitution, record verification and tampering; a chi-square uniformity check
 * in the slow tier (SLOW=1). The fast paths against their references: the one-pass parser
 * against the line-at-a-time one (same result or same error), the threshold selection and
 * the radix sort against a full sort of full tickets (ties on the 64-bit key included),
 * ticket digits against schoolbook division, and db_read_value. */
#include "domain/draw.h"
#include "domain/draw_source.h"
#include "domain/draw_sha256.h"
#include "domain/jsonkit.h"
#include "t.h"

#include "db/db.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void) { /* splitmix64: test data only */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int str_cmp_ptr_for_test(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_reference_values(void) {
    char t[DRAW_TICKET_MAX];
    draw_uniform("abc", 3, t);
    CHECK_STR(t, "0.56998071861792858926477341561059638840106636224182943832566300809078486324348");
    DrawSeed s;
    draw_seed_init(&s, "01382438112797316654", 20);
    draw_ticket(&s, "AB-130", 6, t);
    CHECK_STR(t, "0.26299714122838008416507544297546663599715395525154425586041245287750224561854");

    const char *ids[] = {"ab-1", "ab-2", "cd-1", "ef-3"};
    uint32_t lens[] = {4, 4, 4, 4}, o[4];
    draw_seed_init(&s, "314159", 6);
    CHECK_INT(draw_order(&s, ids, lens, 4, 4, o), 4);
    const char *want[] = {"cd-1", "ef-3", "ab-1", "ab-2"};
    const char *pre[] = {"0.317685817", "0.832984519", "0.9098039269", "0.9231549043"};
    for (int i = 0; i < 4; i++) {
        CHECK_STR(ids[o[i]], want[i]);
        draw_ticket(&s, ids[o[i]], 4, t);
        CHECK(strncmp(t, pre[i], strlen(pre[i])) == 0);
    }
    const char *ids6[] = {"A-1", "A-2", "A-3", "B-1", "B-2", "B-3"};
    uint32_t l6[] = {3, 3, 3, 3, 3, 3}, o6[4];
    CHECK_INT(draw_order(&s, ids6, l6, 6, 4, o6), 4);
    const char *want6[] = {"B-2", "B-3", "A-3", "A-2"};
    for (int i = 0; i < 4; i++)
        CHECK_STR(ids6[o6[i]], want6[i]);
}

static void test_sha256_implementations(void) {
    CHECK(sodium_init() >= 0);
    uint8_t buf[400];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)rnd();
    int shani = draw_sha256_have_shani();
    printf("# SHA-NI available: %s\n", shani ? "yes" : "no");
    for (size_t n = 0; n <= sizeof buf; n += (n < 130 ? 1 : 37)) {
        uint8_t ref[32], a[32], b[32];
        crypto_hash_sha256(ref, buf, n);
        draw_sha256_use(0);
        draw_sha256(buf, n, a);
        draw_sha256_use(1);
        draw_sha256(buf, n, b);
        CHECK(memcmp(ref, a, 32) == 0);
        CHECK(memcmp(ref, b, 32) == 0);
    }
    /* the block functions directly, several blocks at once */
    uint32_t h1[8], h2[8];
    memcpy(h1, draw_sha256_iv, 32);
    memcpy(h2, draw_sha256_iv, 32);
    draw_sha256_blocks_portable(h1, buf, 6);
    if (draw_sha256_blocks_shani(h2, buf, 6))
        CHECK(memcmp(h1, h2, 32) == 0);
    else
        CHECK(!shani);
    /* the interleaved pair against the portable single block */
    uint32_t p0[8], p1[8], q0[8], q1[8];
    for (int i = 0; i < 8; i++)
        p0[i] = q0[i] = (uint32_t)rnd(), p1[i] = q1[i] = (uint32_t)rnd();
    draw_sha256_two(p0, p1, buf, buf + 64);
    draw_sha256_blocks_portable(q0, buf, 1);
    draw_sha256_blocks_portable(q1, buf + 64, 1);
    CHECK(memcmp(p0, q0, 32) == 0 && memcmp(p1, q1, 32) == 0);
    /* id digests with the midstate, for ids around the one/two/three block limits */
    DrawSeed s;
    draw_seed_init(&s, "seed", 4);
    char id[200];
    for (size_t n = 0; n < sizeof id; n++)
        id[n] = (char)('a' + n % 26);
    for (size_t n = 0; n < sizeof id; n++) {
        uint8_t ref[32], cat[264];
        memcpy(cat, s.hash, 64);
        memcpy(cat + 64, id, n);
        crypto_hash_sha256(ref, cat, 64 + n);
        for (int impl = 0; impl < 2; impl++) {
            draw_sha256_use(impl);
            DrawSeed s2;
            draw_seed_init(&s2, "seed", 4);
            uint32_t h[8];
            draw_id_digest(&s2, id, n, h);
            int same = 1;
            for (int i = 0; i < 8; i++)
                same &= h[i] == ((uint32_t)ref[4 * i] << 24 | (uint32_t)ref[4 * i + 1] << 16 |
                                 (uint32_t)ref[4 * i + 2] << 8 | ref[4 * i + 3]);
            CHECK(same);
        }
    }
    draw_sha256_use(1);
}

/* The 64-bit key is the integer of the first 19 ticket digits, for random and edge digests. */
static void test_key_is_ticket_prefix(void) {
    for (int k = 0; k < 20000; k++) {
        uint32_t h[8];
        for (int i = 0; i < 8; i++)
            h[i] = (uint32_t)rnd();
        if (k == 0) memset(h, 0, sizeof h);
        if (k == 1) memset(h, 0xff, sizeof h);
        if (k == 2) memset(h, 0, sizeof h), h[7] = 1;
        if (k > 2 && k < 100) memset(h, 0, (size_t)(k % 8) * 4); /* small numbers */
        char t[DRAW_TICKET_MAX];
        size_t n = draw_ticket_of(h, t);
        CHECK(n >= 66 && n <= 80);
        uint64_t want = 0;
        for (int i = 0; i < 19; i++)
            want = want * 10 + (uint64_t)(t[2 + i] - '0');
        if (draw_key_of(h) != want) {
            CHECK_INT(draw_key_of(h), want);
            break;
        }
    }
    /* a 256-bit all-ones digest is 2^256-1: 78 digits, reversed */
    uint32_t ones[8];
    memset(ones, 0xff, sizeof ones);
    char t[DRAW_TICKET_MAX];
    draw_ticket_of(ones, t);
    CHECK_STR(t,
              "0.539936921319700485754930465046566489962358709786800589075324591613732980297511");
}

static void make_ids(char (*buf)[16], const char **ids, uint32_t *lens, size_t n) {
    for (size_t i = 0; i < n; i++) {
        snprintf(buf[i], 16, "H%011zu", (size_t)13050000000 + i * 7);
        ids[i] = buf[i];
        lens[i] = (uint32_t)strlen(buf[i]);
    }
}

static void test_order_independence_and_subsets(void) {
    enum { N = 500 };
    static char buf[N][16];
    const char *ids[N], *shuf[N], *sub[N];
    uint32_t lens[N], slens[N], sublens[N], o1[N], o2[N], o3[N];
    make_ids(buf, ids, lens, N);
    memcpy(shuf, ids, sizeof ids);
    for (size_t i = N - 1; i > 0; i--) {
        size_t j = rnd() % (i + 1);
        const char *x = shuf[i];
        shuf[i] = shuf[j];
        shuf[j] = x;
    }
    for (size_t i = 0; i < N; i++)
        slens[i] = (uint32_t)strlen(shuf[i]);
    DrawSeed s;
    draw_seed_init(&s, "spotcheck-v1|T|12345|ab", 23);
    draw_order(&s, ids, lens, N, N, o1);
    draw_order(&s, shuf, slens, N, N, o2);
    int same = 1;
    for (size_t i = 0; i < N; i++)
        same &= strcmp(ids[o1[i]], shuf[o2[i]]) == 0;
    CHECK(same);
    /* a partial take equals the prefix of the full order */
    uint32_t o4[37];
    draw_order(&s, shuf, slens, N, 37, o4);
    same = 1;
    for (size_t i = 0; i < 37; i++)
        same &= strcmp(shuf[o4[i]], ids[o1[i]]) == 0;
    CHECK(same);
    /* consistency: the order of a subset is the full order filtered */
    size_t ns = 0;
    for (size_t i = 0; i < N; i++)
        if (rnd() % 3 == 0) sub[ns] = ids[i], sublens[ns++] = lens[i];
    draw_order(&s, sub, sublens, ns, ns, o3);
    size_t j = 0;
    same = 1;
    for (size_t i = 0; i < N && j < ns; i++) {
        int in = 0;
        for (size_t k = 0; k < ns; k++)
            in |= sub[k] == ids[o1[i]];
        if (in) same &= sub[o3[j++]] == ids[o1[i]];
    }
    CHECK(same);
    CHECK_INT(j, ns);
    /* tickets strictly increase along the order */
    char prev[DRAW_TICKET_MAX] = "", t[DRAW_TICKET_MAX];
    same = 1;
    for (size_t i = 0; i < N; i++) {
        draw_ticket(&s, ids[o1[i]], lens[o1[i]], t);
        same &= strcmp(prev, t) < 0;
        strcpy(prev, t);
    }
    CHECK(same);
}

static void test_ratios_and_sizes(void) {
    DrawRatio r;
    CHECK_INT(draw_ratio_parse("3%", &r), 0);
    CHECK_INT(r.num, 3);
    CHECK_INT(r.den, 100);
    CHECK_INT(draw_ratio_parse("0.5%", &r), 0);
    CHECK_INT(r.num, 5);
    CHECK_INT(r.den, 1000);
    CHECK_INT(draw_stratum_size(1999, r, 0), 10); /* 9.995 -> 10 */
    CHECK_INT(draw_stratum_size(2000, r, 0), 10);
    CHECK_INT(draw_stratum_size(2001, r, 0), 11);
    CHECK_INT(draw_ratio_parse("0.125", &r), 0);
    CHECK_INT(draw_stratum_size(8, r, 0), 1);
    CHECK_INT(draw_stratum_size(9, r, 0), 2);
    CHECK_INT(draw_stratum_size(9, r, 5), 5);
    CHECK_INT(draw_stratum_size(3, r, 5), 3); /* capped at N */
    CHECK_INT(draw_stratum_size(0, r, 5), 0);
    CHECK_INT(draw_ratio_parse("100%", &r), 0);
    CHECK_INT(draw_stratum_size(77, r, 0), 77);
    CHECK_INT(draw_ratio_parse("1", &r), 0);
    CHECK_INT(draw_ratio_parse("0", &r), 0);
    CHECK_INT(draw_stratum_size(77, r, 2), 2);
    CHECK_INT(draw_ratio_parse("3", &r), -1);
    CHECK_INT(draw_ratio_parse("101%", &r), -1);
    CHECK_INT(draw_ratio_parse("-1%", &r), -1);
    CHECK_INT(draw_ratio_parse("1e-2", &r), -1);
    CHECK_INT(draw_ratio_parse(".5", &r), -1);
    CHECK_INT(draw_ratio_parse("0.", &r), -1);
    CHECK_INT(draw_ratio_parse("%", &r), -1);
    CHECK_INT(draw_ratio_parse("", &r), -1);
    /* exactness where binary floating point would fail: 0.07 * 100 = 7.000000000000001 */
    CHECK_INT(draw_ratio_parse("0.07", &r), 0);
    CHECK_INT(draw_stratum_size(100, r, 0), 7);
    CHECK_INT(draw_ratio_parse("3%", &r), 0);
    CHECK_INT(draw_stratum_size(10000000, r, 0), 300000);
    CHECK_INT(draw_stratum_size(10000001, r, 0), 300001);
}

static int pop_from(DrawPop *p, const char *text, char **err) {
    return draw_pop_parse(p, xstrdup(text), strlen(text), err);
}

static void test_population_file(void) {
    DrawPop p;
    char *err = NULL;
    CHECK_INT(pop_from(&p, "a\tB\nb\tA\nc\tB\n", &err), 0);
    CHECK_INT(p.n, 3);
    CHECK_INT(p.nstrata, 2);
    CHECK_STR(p.strata[0], "A");
    CHECK_INT(p.stratum_n[0], 1);
    CHECK_INT(p.stratum_n[1], 2);
    CHECK_STR(p.id[2], "c");
    char want[65];
    draw_sha256_hex("a\tB\nb\tA\nc\tB\n", 12, want);
    CHECK_STR(p.sha256, want);
    draw_pop_free(&p);
    const char *bad[] = {"b\tA\na\tA\n", "a\tA\na\tB\n",   "a\tA",     "aA\n",
                         "a\t\n",        "\tA\n",          "a\tA\r\n", "a\tA\nb\tA\tx\n",
                         "a\t\xff\n",    "a\tA\tr\nb\tB\n"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        int rc = pop_from(&p, bad[i], &err);
        CHECK_INT(rc, -1);
        if (rc != -1) draw_pop_free(&p);
        CHECK(err && *err);
    }
    free(err);
    CHECK_INT(pop_from(&p, "", &err), 0);
    CHECK_INT(p.n, 0);
    draw_pop_free(&p);
}

/* Builds a population of n ids over grades A-D with regions, as canonical text. */
static char *gen_population(size_t n, int with_region) {
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        const char *g = &"ABBBCCD"[rnd() % 7];
        buf_printf(&b, "P%011zu\t%c", (size_t)13050000000 + i, *g);
        if (with_region) buf_printf(&b, "\t13050%zu", i % 3);
        buf_putc(&b, '\n');
    }
    return buf_steal(&b);
}

static void test_stratified_selection(void) {
    char *text = gen_population(3000, 0);
    DrawPop p;
    char *err = NULL;
    CHECK_INT(draw_pop_parse(&p, text, strlen(text), &err), 0);
    uint64_t n[4] = {5, 30, 0, 999999};
    DrawSelection sel;
    draw_select(&sel, &p, "seed-x", 6, n);
    CHECK_INT(sel.count, 5 + 30 + 0 + p.stratum_n[3]);
    /* each stratum's sample is the first n_h of that stratum's own order */
    for (size_t h = 0; h < p.nstrata; h++) {
        const char **ids = xmalloc(p.stratum_n[h] * sizeof *ids);
        uint32_t *lens = xmalloc(p.stratum_n[h] * sizeof *lens), *o = xmalloc(p.stratum_n[h] * 4);
        size_t k = 0;
        for (size_t i = 0; i < p.n; i++)
            if (p.stratum[i] == h) ids[k] = p.id[i], lens[k++] = p.id_len[i];
        draw_order(&sel.seed, ids, lens, k, k, o);
        size_t want = n[h] < k ? n[h] : k, got = 0, okay = 1;
        for (size_t i = 0; i < sel.count; i++)
            if (p.stratum[sel.idx[i]] == h) okay &= p.id[sel.idx[i]] == ids[o[got++]];
        CHECK(okay);
        CHECK_INT(got, want);
        /* replacements continue the same order */
        if (want < k) {
            int64_t nx = draw_selection_next(&sel, h);
            CHECK(nx >= 0 && p.id[nx] == ids[o[want]]);
        }
        free(ids);
        free(lens);
        free(o);
    }
    /* the global order is by ticket */
    int sorted = 1;
    for (size_t i = 1; i < sel.count; i++)
        sorted &= strcmp(sel.ticket[i - 1], sel.ticket[i]) < 0;
    CHECK(sorted);
    draw_selection_free(&sel);
    draw_pop_free(&p);
    free(err);
}

/* ------------------------------------------------------------------ assignment */

static const char *ROSTER = "expert\tE01\t\t启用\t\t\t0\t中医\n"
                            "expert\tE02\t\t停用\t\t\t0\t中医,药学\n"
                            "expert\tE03\t\t启用\t\t\t0\t药学\n"
                            "officer\tC01\t130500\t在岗\t2020-01-01\t2030-12-31\t1\t基金,医疗\n"
                            "officer\tC02\t130501\t在岗\t2020-01-01\t2030-12-31\t0\t基金\n"
                            "officer\tC03\t130502\t休假\t2020-01-01\t2030-12-31\t1\t基金\n"
                            "officer\tC04\t130500\t在岗\t2020-01-01\t2024-12-31\t1\t基金\n"
                            "officer\tC05\t130501\t在岗\t2020-01-01\t2030-12-31\t1\t医疗\n"
                            "officer\tC06\t130502\t在岗\t2020-01-01\t2030-12-31\t0\t基金\n"
                            "officer\tC07\t130500\t在岗\t2020-01-01\t2030-12-31\t1\t基金\n"
                            "officer\tC08\t130501\t借调\t2020-01-01\t2030-12-31\t0\t基金\n"
                            "officer\tC09\t130502\t在岗\t2020-01-01\t2030-12-31\t1\t基金,药学\n"
                            "officer\tC10\t130500\t在岗\t2020-01-01\t2030-12-31\t0\t基金\n"
                            "officer\tC11\t130501\t在岗\t2020-01-01\t2030-12-31\t1\t基金\n"
                            "officer\tC12\t130502\t在岗\t2020-01-01\t2030-12-31\t0\t基金\n";

static json_t *make_freeze(const DrawPop *p, const DrawRoster *r, const char *params_json) {
    json_t *params = json_loads(params_json, 0, NULL);
    json_t *st = json_object();
    for (size_t h = 0; h < p->nstrata; h++)
        json_object_set_new(st, p->strata[h], json_integer((json_int_t)p->stratum_n[h]));
    uint8_t secret[32];
    for (int i = 0; i < 32; i++)
        secret[i] = (uint8_t)i;
    char c[65];
    draw_sha256_hex(secret, 32, c);
    return json_pack("{s:s,s:i,s:s,s:s,s:s,s:o,s:{s:s,s:I,s:o},s:{s:s,s:I,s:I},s:s,s:n,s:[]}",
                     "task", "T-2025-01", "draw_no", 1, "draw_date", "2025-06-01", "frozen_at",
                     "2025-05-20T09:00:00+08:00", "randomness_source", "观察员现场掷骰", "params",
                     params, "population", "sha256", p->sha256, "count", (json_int_t)p->n, "strata",
                     st, "officers", "sha256", r->sha256, "officers", (json_int_t)r->nofficers,
                     "experts", (json_int_t)r->nexperts, "commitment", c, "redraw", "excluded");
}

static const char *SECRET_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static const DrawPerson *person(const DrawRoster *r, const char *id) {
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->p[i].id, id)) return &r->p[i];
    return NULL;
}

/* A joint task (docs/DRAW.md §5): group_size officers of the lead dept's pool (the leader among
 * them, required tags checked there), one of each joint dept's pool; substitution stays in the
 * removed officer's pool. */
static const char *JOINT_ROSTER =
    "expert\tE01\t\t启用\t\t\t0\t中医\t\n"
    "officer\tJ01\t130500\t在岗\t2020-01-01\t2030-12-31\t1\t\tSC\n"
    "officer\tJ02\t130500\t在岗\t2020-01-01\t2030-12-31\t0\t\tSC\n"
    "officer\tJ03\t130500\t休假\t2020-01-01\t2030-12-31\t0\t\tSC\n"
    "officer\tL01\t130500\t在岗\t2020-01-01\t2030-12-31\t1\t基金\tD1\n"
    "officer\tL02\t130500\t在岗\t2020-01-01\t2030-12-31\t0\t基金\tD1\n"
    "officer\tL03\t130500\t在岗\t2020-01-01\t2030-12-31\t1\t\tD1\n"
    "officer\tL04\t130500\t在岗\t2020-01-01\t2030-12-31\t1\t基金\tD1\n"
    "officer\tL05\t130500\t在岗\t2020-01-01\t2030-12-31\t0\t基金\tD1\n";

static void test_joint_pools(void) {
    char *text = gen_population(200, 0);
    DrawPop p;
    DrawRoster r;
    char *err = NULL;
    CHECK_INT(draw_pop_parse(&p, text, strlen(text), &err), 0);
    CHECK_INT(draw_roster_parse(&r, JOINT_ROSTER, strlen(JOINT_ROSTER), &err), 0);
    CHECK(r.has_dept);
    json_t *freeze =
        make_freeze(&p, &r,
                    "{\"ratios\":{\"*\":\"5%\"},\"group_size\":2,\"required_tags\":[\"基金\"],"
                    "\"joint_depts\":[{\"dept\":\"SC\",\"per_group\":1}]}");
    json_t *rec = draw_record_build(freeze, "271828", SECRET_HEX, NULL, &p, &r, &err);
    CHECK(rec != NULL);
    if (!rec) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    size_t i, k;
    json_t *a, *x;
    int ok = 1;
    json_array_foreach(json_object_get(rec, "assignments"), i, a) {
        int lead = 0, joint = 0;
        json_array_foreach(json_object_get(a, "officers"), k, x) {
            const DrawPerson *o = person(&r, json_string_value(x));
            if (!strcmp(o->dept, "D1")) {
                lead++;
                ok &= o->ntags == 1 && !strcmp(o->tags[0], "基金"); /* L03 lacks the tag */
            } else
                joint += !strcmp(o->dept, "SC") && strcmp(o->id, "J03");
        }
        const char *leader = json_string_value(json_object_get(a, "leader"));
        ok &= lead == 2 && joint == 1 && leader && leader[0] == 'L';
        ok &= json_integer_value(json_object_get(a, "short")) == 0;
    }
    CHECK(ok);
    Buf out;
    buf_init(&out);
    CHECK_INT(draw_verify(rec, &p, &r, NULL, &out, NULL), 0);
    /* substitution of the joint member: replaced from SC; of a lead member: from D1 */
    json_t *g0 = json_array_get(json_object_get(rec, "assignments"), 0);
    const char *target = json_string_value(json_object_get(g0, "target"));
    const char *jm = NULL, *lm = NULL;
    json_array_foreach(json_object_get(g0, "officers"), k, x) {
        if (json_string_value(x)[0] == 'J')
            jm = json_string_value(x);
        else if (!lm)
            lm = json_string_value(x);
    }
    json_t *events = json_pack("[{s:s,s:s,s:s,s:s},{s:s,s:s,s:s,s:s}]", "type", "officer", "target",
                               target, "officer", jm, "reason", "因病", "type", "officer", "target",
                               target, "officer", lm, "reason", "回避");
    json_t *rec2 = draw_record_build(freeze, "271828", SECRET_HEX, events, &p, &r, &err);
    CHECK(rec2 != NULL);
    if (rec2) {
        json_t *evs = json_object_get(rec2, "events");
        const char *r1 = json_string_value(json_object_get(json_array_get(evs, 0), "replacement"));
        const char *r2 = json_string_value(json_object_get(json_array_get(evs, 1), "replacement"));
        CHECK(r1 && !strcmp(r1, !strcmp(jm, "J01") ? "J02" : "J01"));
        CHECK(r2 && r2[0] == 'L' && strcmp(r2, "L03") != 0);
        buf_reset(&out);
        CHECK_INT(draw_verify(rec2, &p, &r, NULL, &out, NULL), 0);
    }
    buf_free(&out);
    json_decref(events);
    json_decref(rec2);
    json_decref(rec);
    /* joint_depts needs the dept column; a file mixing 8 and 9 columns is refused */
    DrawRoster plain;
    CHECK_INT(draw_roster_parse(&plain, ROSTER, strlen(ROSTER), &err), 0);
    json_t *rec3 = draw_record_build(freeze, "271828", SECRET_HEX, NULL, &p, &plain, &err);
    CHECK(rec3 == NULL && err && strstr(err, "第9列"));
    json_decref(rec3);
    draw_roster_free(&plain);
    const char *mixed = "officer\tA1\t1\t在岗\t2020-01-01\t2030-12-31\t1\t\tD1\n"
                        "officer\tA2\t1\t在岗\t2020-01-01\t2030-12-31\t1\t\n";
    CHECK(draw_roster_parse(&plain, mixed, strlen(mixed), &err) != 0);
    json_decref(freeze);
    draw_roster_free(&r);
    draw_pop_free(&p);
    free(err);
}

static void test_assignment_constraints(void) {
    char *text = gen_population(400, 1);
    DrawPop p;
    DrawRoster r;
    char *err = NULL;
    CHECK_INT(draw_pop_parse(&p, text, strlen(text), &err), 0);
    CHECK_INT(draw_roster_parse(&r, ROSTER, strlen(ROSTER), &err), 0);
    CHECK_INT(r.nofficers, 12);
    CHECK_INT(r.nexperts, 3);
    json_t *freeze =
        make_freeze(&p, &r,
                    "{\"ratios\":{\"*\":\"3%\",\"D\":\"10%\"},\"minimum\":{\"A\":2},"
                    "\"group_size\":2,\"cross_region\":true,\"workload_cap\":6,"
                    "\"required_tags\":[\"基金\"],\"specialties\":[\"中医\"],"
                    "\"conflicts\":[[\"C01\",\"P13050000003\"],[\"C07\",\"P13050000010\"]]}");
    json_t *rec = draw_record_build(freeze, "31415926", SECRET_HEX, NULL, &p, &r, &err);
    CHECK(rec != NULL);
    if (!rec) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    size_t i, k;
    json_t *a, *x;
    int ok_size = 1, ok_unique = 1, ok_leader = 1, ok_rules = 1, ok_expert = 1;
    uint32_t load[64] = {0};
    json_array_foreach(json_object_get(rec, "assignments"), i, a) {
        const char *target = json_string_value(json_object_get(a, "target"));
        size_t pi = 0;
        while (strcmp(p.id[pi], target))
            pi++;
        json_t *offs = json_object_get(a, "officers");
        ok_size &= json_array_size(offs) == 2;
        const char *leader = json_string_value(json_object_get(a, "leader"));
        ok_leader &= leader && person(&r, leader)->may_lead;
        json_array_foreach(offs, k, x) {
            const char *id = json_string_value(x);
            const DrawPerson *o = person(&r, id);
            for (size_t m = k + 1; m < json_array_size(offs); m++)
                ok_unique &= strcmp(id, json_string_value(json_array_get(offs, m))) != 0;
            ok_rules &= !o->is_expert && !strcmp(o->status, "在岗");
            ok_rules &= strcmp(o->region, p.region[pi]) != 0;   /* cross-region */
            ok_rules &= strcmp(o->valid_to, "2025-06-01") >= 0; /* certificate */
            int has = 0;
            for (size_t t = 0; t < o->ntags; t++)
                has |= !strcmp(o->tags[t], "基金");
            ok_rules &= has; /* required tag */
            ok_rules &= !(!strcmp(id, "C01") && !strcmp(target, "P13050000003"));
            ok_rules &= !(!strcmp(id, "C07") && !strcmp(target, "P13050000010"));
            load[atoi(id + 1)]++;
        }
        /* 中医 is only covered by expert E01 (E02 is 停用) */
        json_t *ex = json_object_get(a, "experts");
        ok_expert &=
            json_array_size(ex) == 1 && !strcmp(json_string_value(json_array_get(ex, 0)), "E01");
        /* every skipped officer has a reason */
        json_array_foreach(json_object_get(a, "skipped"), k, x) ok_rules &=
            strlen(json_string_value(json_object_get(x, "reason"))) > 0;
    }
    CHECK(json_array_size(json_object_get(rec, "assignments")) > 5);
    CHECK(ok_size);
    CHECK(ok_unique);
    CHECK(ok_leader);
    CHECK(ok_rules);
    CHECK(ok_expert);
    int ok_cap = 1;
    for (int o = 0; o < 64; o++)
        ok_cap &= load[o] <= 6;
    CHECK(ok_cap);
    /* minimum per stratum: A has minimum 2 */
    json_array_foreach(json_object_get(rec, "strata"), i, a) {
        if (!strcmp(json_string_value(json_object_get(a, "stratum")), "A"))
            CHECK(json_integer_value(json_object_get(a, "n")) >= 2);
    }
    /* a cap of one group per officer: nobody twice, and groups beyond capacity are short */
    json_t *tight = make_freeze(&p, &r,
                                "{\"ratios\":{\"*\":\"3%\"},\"workload_cap\":1,"
                                "\"group_size\":3}");
    json_t *rt = draw_record_build(tight, "31415926", SECRET_HEX, NULL, &p, &r, &err);
    CHECK(rt != NULL);
    uint32_t seen[64] = {0};
    size_t shorts = 0;
    json_array_foreach(json_object_get(rt, "assignments"), i, a) {
        json_array_foreach(json_object_get(a, "officers"), k, x)
            seen[atoi(json_string_value(x) + 1)]++;
        shorts += json_integer_value(json_object_get(a, "short")) > 0;
    }
    int once = 1;
    for (int o = 0; o < 64; o++)
        once &= seen[o] <= 1;
    CHECK(once);
    CHECK(shorts > 0); /* 8 eligible officers cannot staff every group of 3 */
    json_decref(rt);
    json_decref(tight);
    /* the record verifies */
    Buf out;
    buf_init(&out);
    CHECK_INT(draw_verify(rec, &p, &r, NULL, &out, NULL), 0);
    if (out.len) fprintf(stderr, "%s", out.data);
    buf_free(&out);
    json_decref(rec);
    json_decref(freeze);
    draw_roster_free(&r);
    draw_pop_free(&p);
    free(err);
}

static void test_substitution(void) {
    char *text = gen_population(200, 0);
    DrawPop p;
    DrawRoster r;
    char *err = NULL;
    CHECK_INT(draw_pop_parse(&p, text, strlen(text), &err), 0);
    CHECK_INT(draw_roster_parse(&r, ROSTER, strlen(ROSTER), &err), 0);
    json_t *freeze = make_freeze(&p, &r, "{\"ratios\":{\"*\":\"5%\"}}");
    json_t *rec = draw_record_build(freeze, "42", SECRET_HEX, NULL, &p, &r, &err);
    CHECK(rec != NULL);
    json_t *a0 = json_array_get(json_object_get(rec, "assignments"), 0);
    const char *t0 = json_string_value(json_object_get(a0, "target"));
    const char *out_id = json_string_value(json_array_get(json_object_get(a0, "officers"), 0));
    const char *t1 = json_string_value(
        json_object_get(json_array_get(json_object_get(rec, "selected"), 1), "id"));
    json_t *events = json_pack("[{s:s,s:s,s:s,s:s},{s:s,s:s,s:s}]", "type", "officer", "target", t0,
                               "officer", out_id, "reason", "因病不能参加", "type", "target",
                               "target", t1, "reason", "已注销");
    json_t *rec2 = draw_record_build(freeze, "42", SECRET_HEX, events, &p, &r, &err);
    CHECK(rec2 != NULL);
    if (!rec2) return;
    /* the officer replacement is the next eligible officer in t0's own order */
    const char *seed = json_string_value(json_object_get(rec, "seed"));
    char *os = xasprintf("%s|officers|%s", seed, t0);
    DrawSeed s;
    draw_seed_init(&s, os, strlen(os));
    free(os);
    const char *ids[16];
    uint32_t lens[16], o[16];
    size_t n = 0;
    for (size_t i = 0; i < r.n; i++)
        if (!r.p[i].is_expert) ids[n] = r.p[i].id, lens[n++] = (uint32_t)strlen(r.p[i].id);
    draw_order(&s, ids, lens, n, n, o);
    json_t *g0 = json_object_get(a0, "officers");
    const char *stay = json_string_value(json_array_get(g0, 1));
    const char *expect = NULL;
    for (size_t i = 0; i < n && !expect; i++) {
        const DrawPerson *q = person(&r, ids[o[i]]);
        int eligible = !strcmp(q->status, "在岗") && strcmp(q->valid_to, "2025-06-01") >= 0;
        int before = 0; /* skip those at or before the second member in the order */
        for (size_t j = i; j < n; j++)
            before |= !strcmp(ids[o[j]], stay);
        if (eligible && !before && strcmp(ids[o[i]], out_id) && strcmp(ids[o[i]], stay))
            expect = ids[o[i]];
    }
    json_t *ev0 = json_array_get(json_object_get(rec2, "events"), 0);
    const char *got = json_string_value(json_object_get(ev0, "replacement"));
    /* the group must still have a leader: if neither remaining nor expected may lead, the engine
     * skips non-leaders for the last slot, so only compare when the expectation can lead or the
     * remaining member can */
    if (expect && (person(&r, stay)->may_lead || person(&r, expect)->may_lead))
        CHECK_STR(got, expect);
    json_t *na0 = json_array_get(json_object_get(rec2, "assignments"), 0);
    CHECK_STR(json_string_value(
                  json_object_get(json_array_get(json_object_get(na0, "removed"), 0), "id")),
              out_id);
    CHECK_INT(json_array_size(json_object_get(na0, "officers")), 2);
    /* the target replacement is the next of t1's stratum, flagged 递补, and t1 is 已替换 */
    json_t *ev1 = json_array_get(json_object_get(rec2, "events"), 1);
    const char *rep = json_string_value(json_object_get(ev1, "replacement"));
    CHECK(rep != NULL);
    size_t na = json_array_size(json_object_get(rec2, "assignments"));
    json_t *last = json_array_get(json_object_get(rec2, "assignments"), na - 1);
    CHECK_STR(json_string_value(json_object_get(last, "target")), rep);
    CHECK_STR(json_string_value(json_object_get(last, "origin")), "递补");
    json_t *a1 = json_array_get(json_object_get(rec2, "assignments"), 1);
    CHECK_STR(json_string_value(json_object_get(a1, "status")), "已替换");
    /* the replacement's ticket is above every selected ticket of its stratum */
    size_t i;
    json_t *sx;
    const char *st = NULL;
    json_array_foreach(json_object_get(rec2, "selected"), i,
                       sx) if (!strcmp(json_string_value(json_object_get(sx, "id")), t1)) st =
        json_string_value(json_object_get(sx, "stratum"));
    int above = 1;
    json_array_foreach(json_object_get(rec2, "selected"), i,
                       sx) if (!strcmp(json_string_value(json_object_get(sx, "stratum")), st))
        above &= strcmp(json_string_value(json_object_get(sx, "ticket")),
                        json_string_value(json_object_get(ev1, "ticket"))) < 0;
    CHECK(above);
    Buf out;
    buf_init(&out);
    CHECK_INT(draw_verify(rec2, &p, &r, NULL, &out, NULL), 0);
    buf_free(&out);
    /* an event naming someone outside the group is rejected */
    json_t *bad = json_pack("[{s:s,s:s,s:s,s:s}]", "type", "officer", "target", t0, "officer",
                            "NOPE", "reason", "x");
    CHECK(draw_record_build(freeze, "42", SECRET_HEX, bad, &p, &r, &err) == NULL);
    json_decref(bad);
    json_decref(events);
    json_decref(rec);
    json_decref(rec2);
    json_decref(freeze);
    draw_roster_free(&r);
    draw_pop_free(&p);
    free(err);
}

/* §5: an officer substitution that takes away the group's only 药学 officer brings in an expert in
 * the same step: the event lists it in experts_added (replacement stays the officer added). */
static void test_substitution_adds_expert(void) {
    char *text = gen_population(200, 0);
    DrawPop p;
    DrawRoster r;
    char *err = NULL;
    CHECK_INT(draw_pop_parse(&p, text, strlen(text), &err), 0);
    CHECK_INT(draw_roster_parse(&r, ROSTER, strlen(ROSTER), &err), 0);
    json_t *freeze = make_freeze(&p, &r, "{\"ratios\":{\"*\":\"5%\"},\"specialties\":[\"药学\"]}");
    int found = 0;
    for (int k = 0; k < 40 && !found; k++) {
        char value[16];
        snprintf(value, sizeof value, "%d", 1000 + k);
        json_t *rec = draw_record_build(freeze, value, SECRET_HEX, NULL, &p, &r, &err);
        size_t i;
        json_t *a;
        const char *t = NULL;
        json_array_foreach(json_object_get(rec, "assignments"), i, a) {
            json_t *o;
            size_t j;
            json_array_foreach(json_object_get(a, "officers"), j,
                               o) if (!strcmp(json_string_value(o), "C09") &&
                                      !json_array_size(json_object_get(a, "experts"))) t =
                json_string_value(json_object_get(a, "target"));
            if (t) break;
        }
        if (t) {
            found = 1;
            json_t *events = json_pack("[{s:s,s:s,s:s,s:s}]", "type", "officer", "target", t,
                                       "officer", "C09", "reason", "因病");
            json_t *rec2 = draw_record_build(freeze, value, SECRET_HEX, events, &p, &r, &err);
            json_t *ev = json_array_get(json_object_get(rec2, "events"), 0);
            const char *rep = json_string_value(json_object_get(ev, "replacement"));
            CHECK(rep && rep[0] == 'C'); /* an officer, not the expert */
            json_t *added = json_object_get(ev, "experts_added");
            CHECK_INT(json_array_size(added), 1);
            CHECK_STR(json_string_value(json_array_get(added, 0)), "E03"); /* E02 is 停用 */
            Buf out;
            buf_init(&out);
            CHECK_INT(draw_verify(rec2, &p, &r, NULL, &out, NULL), 0);
            /* a record that hides the expert's arrival does not verify */
            json_object_del(ev, "experts_added");
            buf_reset(&out);
            CHECK(draw_verify(rec2, &p, &r, NULL, &out, NULL) != 0);
            buf_free(&out);
            json_decref(events);
            json_decref(rec2);
        }
        json_decref(rec);
    }
    CHECK(found);
    json_decref(freeze);
    draw_roster_free(&r);
    draw_pop_free(&p);
    free(err);
}

/* Every field of a record, changed, makes verification fail. */
static void test_tampering(void) {
    char *text = gen_population(300, 0);
    DrawPop p;
    DrawRoster r;
    char *err = NULL;
    draw_pop_parse(&p, text, strlen(text), &err);
    draw_roster_parse(&r, ROSTER, strlen(ROSTER), &err);
    json_t *freeze = make_freeze(&p, &r, "{\"ratios\":{\"*\":\"3%\"},\"workload_cap\":3}");
    json_t *events = json_loads("[]", 0, NULL);
    json_t *rec = draw_record_build(freeze, "2718", SECRET_HEX, events, &p, &r, &err);
    Buf out;
    buf_init(&out);
    CHECK_INT(draw_verify(rec, &p, &r, NULL, &out, NULL), 0);
    char fsha[65];
    draw_json_sha256(freeze, fsha);
    CHECK_INT(draw_verify(rec, &p, &r, fsha, &out, NULL), 0);
    const char *paths[][2] = {
        {"format", "\"spotcheck-draw/2\""},
        {"freeze_sha256", "\"00\""},
        {"public_randomness", "\"2719\""},
        {"secret", "\"100102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\""},
        {"seed", "\"x\""},
        {"seedhash", "\"y\""},
        {"strata", "[]"},
        {"selected", "[]"},
        {"assignments", "[]"},
        {"events", "[{\"type\":\"target\",\"target\":\"P1\",\"reason\":\"x\"}]"},
        {"extra", "1"},
    };
    for (size_t i = 0; i < ARRAY_LEN(paths); i++) {
        json_t *c = json_deep_copy(rec);
        json_object_set_new(c, paths[i][0], json_loads(paths[i][1], JSON_DECODE_ANY, NULL));
        buf_reset(&out);
        int rc = draw_verify(c, &p, &r, NULL, &out, NULL);
        if (rc != 1) fprintf(stderr, "tampering %s not detected\n", paths[i][0]);
        CHECK_INT(rc, 1);
        json_decref(c);
    }
    /* every freeze field, with freeze_sha256 left alone, then recomputed (detected by the
     * published digest or by recomputation) */
    const char *fkeys[] = {"task",    "draw_no",    "draw_date", "frozen_at",  "randomness_source",
                           "params",  "population", "officers",  "commitment", "redraw",
                           "excluded"};
    for (size_t i = 0; i < ARRAY_LEN(fkeys); i++) {
        for (int fix = 0; fix < 2; fix++) {
            json_t *c = json_deep_copy(rec);
            json_t *f = json_object_get(c, "freeze");
            json_object_set_new(f, fkeys[i], json_string("tampered"));
            if (fix) {
                char s2[65];
                draw_json_sha256(f, s2);
                json_object_set_new(c, "freeze_sha256", json_string(s2));
            }
            buf_reset(&out);
            CHECK_INT(draw_verify(c, &p, &r, fsha, &out, NULL), 1);
            if (fix) { /* without the published digest, only what recomputation sees */
                buf_reset(&out);
                int rc = draw_verify(c, &p, &r, NULL, &out, NULL);
                if (strcmp(fkeys[i], "frozen_at") && strcmp(fkeys[i], "randomness_source") &&
                    strcmp(fkeys[i], "excluded") && strcmp(fkeys[i], "draw_no") &&
                    strcmp(fkeys[i], "redraw"))
                    CHECK_INT(rc, 1);
            }
            json_decref(c);
        }
    }
    /* a changed ticket, a swapped order, a changed officer */
    json_t *c = json_deep_copy(rec);
    json_t *s0 = json_array_get(json_object_get(c, "selected"), 0);
    json_object_set_new(s0, "ticket", json_string("0.0"));
    buf_reset(&out);
    CHECK_INT(draw_verify(c, &p, &r, NULL, &out, NULL), 1);
    CHECK(strstr(out.data, "selected[0].ticket") != NULL);
    json_decref(c);
    c = json_deep_copy(rec);
    json_t *g0 = json_object_get(json_array_get(json_object_get(c, "assignments"), 0), "officers");
    json_array_set_new(g0, 0, json_string("C99"));
    buf_reset(&out);
    CHECK_INT(draw_verify(c, &p, &r, NULL, &out, NULL), 1);
    json_decref(c);
    /* a population file with one id changed fails the digest */
    char *t2 = xstrdup(p.text ? "" : "");
    free(t2);
    char *text2 = gen_population(300, 0);
    text2[5] = text2[5] == '0' ? '9' : '0';
    DrawPop p2;
    if (draw_pop_parse(&p2, text2, strlen(text2), &err) == 0) {
        buf_reset(&out);
        CHECK_INT(draw_verify(rec, &p2, &r, NULL, &out, NULL), 1);
        CHECK(strstr(out.data, "population.sha256") != NULL);
        draw_pop_free(&p2);
    }
    /* partial verification without the files still checks tickets */
    buf_reset(&out);
    CHECK_INT(draw_verify(rec, NULL, NULL, NULL, &out, NULL), 0);
    c = json_deep_copy(rec);
    s0 = json_array_get(json_object_get(c, "selected"), 1);
    json_object_set_new(s0, "id", json_string("P99999999999"));
    buf_reset(&out);
    CHECK_INT(draw_verify(c, NULL, NULL, NULL, &out, NULL), 1);
    json_decref(c);
    buf_free(&out);
    json_decref(events);
    json_decref(rec);
    json_decref(freeze);
    draw_roster_free(&r);
    draw_pop_free(&p);
    free(err);
}

/* Chi-square: over many seeds, the first drawn of 10 ids is uniform. Slow tier only. */
static void test_chi_square_uniformity(void) {
    const char *slow = getenv("SLOW");
    int seeds = slow && *slow == '1' ? 200000 : 2000;
    const char *ids[10] = {"H1", "H2", "H3", "H4", "H5", "H6", "H7", "H8", "H9", "H10"};
    uint32_t lens[10] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 3};
    long counts[10] = {0};
    for (int k = 0; k < seeds; k++) {
        char seed[32];
        int n = snprintf(seed, sizeof seed, "%d", k);
        DrawSeed s;
        draw_seed_init(&s, seed, (size_t)n);
        uint32_t o[1];
        draw_order(&s, ids, lens, 10, 1, o);
        counts[o[0]]++;
    }
    /* chi2 * seeds kept in integers: sum (c - e)^2 * 10 where e = seeds / 10 */
    long long num = 0;
    for (int i = 0; i < 10; i++) {
        long long d = (long long)counts[i] * 10 - seeds;
        num += d * d;
    }
    /* chi2 = num / (10 * seeds); 9 degrees of freedom, p = 0.001 critical value 27.88 */
    long long chi2x100 = num * 100 / (10LL * seeds);
    printf("# chi-square over %d seeds: %lld.%02lld (critical 27.88 at p=0.001)\n", seeds,
           chi2x100 / 100, chi2x100 % 100);
    CHECK(chi2x100 < 2788);
    for (int i = 0; i < 10; i++)
        CHECK(counts[i] > 0);
}

/* ------------------------------------------------------------------ fast paths */

static int str_ptr_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A random population text (valid or, with mutations, not) for the parser comparison. */
static char *gen_messy_population(size_t *len) {
    static const char *alpha[] = {"0", "1", "9", "A", "Z", "a", "-", "中", "é", "~"};
    static const char *strata[] = {"A", "B", "C", "D/药店", "a-long-stratum-name", "Ü"};
    size_t nlines = rnd() % 60, cols = rnd() % 4 ? 2 : 3;
    char **ids = xmalloc((nlines ? nlines : 1) * sizeof *ids);
    for (size_t i = 0; i < nlines; i++) {
        Buf b;
        buf_init(&b);
        size_t l = rnd() % 5 ? 1 + rnd() % 14 : 50 + rnd() % 30; /* some ids above 55 bytes */
        for (size_t k = 0; k < l; k++)
            buf_puts(&b, alpha[rnd() % ARRAY_LEN(alpha)]);
        ids[i] = buf_steal(&b);
    }
    qsort(ids, nlines, sizeof *ids, str_ptr_cmp);
    Buf t;
    buf_init(&t);
    for (size_t i = 0; i < nlines; i++) {
        if (i && !strcmp(ids[i], ids[i - 1]) && rnd() % 4) continue; /* mostly unique */
        buf_printf(&t, "%s\t%s", ids[i], strata[rnd() % ARRAY_LEN(strata)]);
        if (cols == 3) buf_printf(&t, "\t1305%02d", (int)(rnd() % 5));
        buf_putc(&t, '\n');
    }
    for (size_t i = 0; i < nlines; i++)
        free(ids[i]);
    free(ids);
    if (!t.data) buf_puts(&t, "");
    /* mutations: one in three texts gets one */
    if (t.len && rnd() % 3 == 0) {
        size_t at = rnd() % t.len;
        switch (rnd() % 9) {
        case 0:
            t.data[at] = '\r';
            break;
        case 1:
            t.data[at] = 0;
            break;
        case 2:
            t.data[at] = (char)0xff;
            break;
        case 3:
            t.data[at] = '\t';
            break;
        case 4:
            t.data[at] = '\n';
            break;
        case 5:
            t.len--;
            break; /* no final newline */
        case 6:
            t.data[at] = (char)0xe4;
            break; /* a broken UTF-8 sequence */
        case 7:
            t.data[at] = (char)0xc0;
            break; /* an overlong lead byte */
        default:
            t.data[at] = 'Z';
            break; /* may break the order */
        }
    }
    *len = t.len;
    return buf_steal(&t);
}

static void test_fast_parser_matches_reference(void) {
    int same = 1, accepted = 0, rejected = 0;
    for (int round = 0; round < 3000; round++) {
        size_t len;
        char *text = gen_messy_population(&len);
        char *a = xmalloc(len + 1), *b = xmalloc(len + 1);
        memcpy(a, text, len);
        memcpy(b, text, len);
        DrawPop pa, pb;
        char *ea = NULL, *eb = NULL;
        int ra = draw_pop_parse(&pa, a, len, &ea), rb = draw_pop_parse_reference(&pb, b, len, &eb);
        same &= ra == rb;
        if (ra == 0 && rb == 0) {
            accepted++;
            same &= pa.n == pb.n && pa.nstrata == pb.nstrata && !strcmp(pa.sha256, pb.sha256) &&
                    !pa.region == !pb.region;
            for (size_t i = 0; same && i < pa.n; i++)
                same &= pa.id_len[i] == pb.id_len[i] &&
                        !memcmp(pa.id[i], pb.id[i], pa.id_len[i] + 1) &&
                        pa.stratum[i] == pb.stratum[i] &&
                        (!pa.region || !strcmp(pa.region[i], pb.region[i]));
            for (size_t h = 0; same && h < pa.nstrata; h++)
                same &= !strcmp(pa.strata[h], pb.strata[h]) && pa.stratum_n[h] == pb.stratum_n[h];
            draw_pop_free(&pa);
            draw_pop_free(&pb);
        } else if (ra && rb) {
            rejected++;
            same &= ea && eb && !strcmp(ea, eb); /* the same message, naming the same line */
        } else {
            if (!ra) draw_pop_free(&pa);
            if (!rb) draw_pop_free(&pb);
        }
        if (!same) {
            fprintf(stderr, "# parsers differ on round %d: %d/%d %s | %s\n", round, ra, rb,
                    ea ? ea : "", eb ? eb : "");
            free(ea);
            free(eb);
            free(text);
            break;
        }
        free(ea);
        free(eb);
        free(text);
    }
    CHECK(same);
    fprintf(stderr, "# parser comparison: %d accepted, %d rejected by both\n", accepted, rejected);
    CHECK(accepted > 300 && rejected > 300);
}

/* Full order of a stratum, the slow way: every id's ticket, sorted (ticket, id). */
typedef struct RefEnt {
    char t[DRAW_TICKET_MAX];
    const char *id;
    uint32_t len, idx;
    uint64_t key;
} RefEnt;

static int ref_cmp(const void *a, const void *b) {
    const RefEnt *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    int c = strcmp(x->t, y->t);
    if (c) return c;
    c = memcmp(x->id, y->id, x->len < y->len ? x->len : y->len);
    if (c) return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

static void test_selection_against_full_sort(void) {
    int ok_all = 1;
    for (int round = 0; round < 24; round++) {
        size_t n = 200 + rnd() % 3000;
        char *text = gen_population(n, 0);
        DrawPop p;
        char *err = NULL;
        CHECK_INT(draw_pop_parse(&p, text, strlen(text), &err), 0);
        uint64_t want[8];
        for (size_t h = 0; h < p.nstrata; h++) {
            uint64_t N = p.stratum_n[h];
            want[h] = rnd() % 4 == 0 ? N : rnd() % 5 == 0 ? 0 : rnd() % (N + 1);
        }
        /* normal margins, then tight ones so that the fallbacks (a stratum redone in full,
         * replacements past the candidates) run */
        int64_t margin = round % 3 == 0 ? -1 : (int64_t)(rnd() % 4);
        draw_select_test_margin(margin);
        char seed[32];
        snprintf(seed, sizeof seed, "seed-%d", round);
        DrawSelection sel;
        draw_select(&sel, &p, seed, strlen(seed), want);
        /* reference: every id's full ticket, sorted */
        RefEnt *all = xmalloc(p.n * sizeof *all);
        for (size_t i = 0; i < p.n; i++) {
            all[i].id = p.id[i];
            all[i].len = p.id_len[i];
            all[i].idx = (uint32_t)i;
            draw_ticket(&sel.seed, p.id[i], p.id_len[i], all[i].t);
            all[i].key = 0;
        }
        qsort(all, p.n, sizeof *all, ref_cmp);
        size_t total = 0;
        for (size_t h = 0; h < p.nstrata; h++)
            total += want[h];
        ok_all &= sel.count == total;
        /* the global order: the first want[h] of each stratum, merged by ticket */
        size_t *seen = xcalloc(p.nstrata, sizeof *seen), k = 0;
        for (size_t i = 0; i < p.n && ok_all; i++) {
            uint32_t h = p.stratum[all[i].idx];
            if (seen[h]++ >= want[h]) continue;
            ok_all &= k < sel.count && sel.idx[k] == all[i].idx && !strcmp(sel.ticket[k], all[i].t);
            k++;
        }
        ok_all &= k == sel.count;
        /* replacements: the rest of each stratum's order, to the end */
        for (size_t h = 0; h < p.nstrata && ok_all; h++) {
            size_t pos = 0;
            for (size_t i = 0; i < p.n && ok_all; i++) {
                if (p.stratum[all[i].idx] != h || pos++ < want[h]) continue;
                ok_all &= draw_selection_next(&sel, h) == (int64_t)all[i].idx;
            }
            ok_all &= draw_selection_next(&sel, h) == -1;
        }
        draw_select_test_margin(-1);
        free(seen);
        free(all);
        draw_selection_free(&sel);
        draw_pop_free(&p);
        free(err);
        if (!ok_all) {
            fprintf(stderr, "# selection differs from the full sort in round %d\n", round);
            break;
        }
    }
    CHECK(ok_all);
}

/* `spotcheck sample` on the fast path (draw_sample) gives the order of the reference
 * (draw_order: every key computed and sorted) for sorted and shuffled ids, CRLF and empty lines,
 * every take; it refuses duplicates (adjacent or not: the smallest is named), NUL and bad UTF-8. */
static void test_sample_matches_order(void) {
    const char *seed = "spotcheck-v1|S|7";
    DrawSeed ds;
    draw_seed_init(&ds, seed, strlen(seed));
    for (int round = 0; round < 6; round++) {
        size_t n = round < 3 ? 700 : 20000;
        char **ids = xmalloc(n * sizeof *ids);
        for (size_t i = 0; i < n; i++) {
            char b[64];
            snprintf(b, sizeof b, round % 2 ? "%c%08llu" : "参保人-%c%llu", 'A' + (int)(i % 3),
                     (unsigned long long)(rnd() % 100000000));
            ids[i] = xstrdup(b);
        }
        /* unique: drop repeats of the random part by suffixing the index */
        for (size_t i = 0; i < n; i++) {
            char b[80];
            snprintf(b, sizeof b, "%s-%zu", ids[i], i);
            free(ids[i]);
            ids[i] = xstrdup(b);
        }
        if (round == 2 || round == 5) /* sorted input: the neighbour pass */
            qsort(ids, n, sizeof *ids, str_cmp_ptr_for_test);
        Buf text;
        buf_init(&text);
        for (size_t i = 0; i < n; i++)
            buf_printf(&text, "%s%s", ids[i], i % 97 == 5 ? "\r\n\n" : "\n");
        uint32_t *lens = xmalloc(n * sizeof *lens), *ref = xmalloc(n * sizeof *ref);
        for (size_t i = 0; i < n; i++)
            lens[i] = (uint32_t)strlen(ids[i]);
        draw_order(&ds, (const char *const *)ids, lens, n, n, ref);
        uint64_t takes[] = {0, 1, 17, n / 3, n, n + 5, UINT64_MAX};
        for (size_t t = 0; t < sizeof takes / sizeof *takes; t++) {
            DrawSample sm;
            char *err = NULL;
            if (round == 1) draw_select_test_margin(0); /* candidates run out: the full path */
            CHECK_INT(
                draw_sample(&sm, xstrdup(text.data), text.len, seed, strlen(seed), takes[t], &err),
                0);
            draw_select_test_margin(-1);
            size_t want = takes[t] < n ? (size_t)takes[t] : n;
            CHECK_INT((long long)sm.sel.count, (long long)want);
            for (size_t i = 0; i < sm.sel.count && i < want; i++) {
                char tk[DRAW_TICKET_MAX];
                draw_ticket(&ds, ids[ref[i]], lens[ref[i]], tk);
                if (strcmp(sm.pop.id[sm.sel.idx[i]], ids[ref[i]]) || strcmp(sm.sel.ticket[i], tk)) {
                    CHECK_STR(sm.pop.id[sm.sel.idx[i]], ids[ref[i]]);
                    CHECK_STR(sm.sel.ticket[i], tk);
                    break;
                }
            }
            draw_sample_free(&sm);
        }
        for (size_t i = 0; i < n; i++)
            free(ids[i]);
        free(ids);
        free(lens);
        free(ref);
        buf_free(&text);
    }
    struct {
        const char *text, *err;
    } bad[] = {{"a\na\n", "编码重复: a"},
               {"b\na\nc\nb\n", "编码重复: b"},
               {"z\nq\ny\nq\nz\n", "编码重复: q"},
               {"x\r\nx\n", "编码重复: x"},
               {"a\n\xff\n", "输入不是有效的 UTF-8"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        DrawSample sm;
        char *err = NULL;
        CHECK_INT(draw_sample(&sm, xstrdup(bad[i].text), strlen(bad[i].text), "1", 1, 5, &err), -1);
        CHECK_STR(err, bad[i].err);
        free(err);
    }
    DrawSample sm;
    char *err = NULL, *nul = xmalloc(4);
    memcpy(nul, "a\0b\n", 4);
    CHECK_INT(draw_sample(&sm, nul, 4, "1", 1, 5, &err), -1);
    CHECK_STR(err, "输入含有 NUL 字节");
    free(err);
    CHECK_INT(draw_sample(&sm, xstrdup(""), 0, "1", 1, 5, &err), 0);
    CHECK_INT((long long)sm.sel.count, 0);
    draw_sample_free(&sm);
}

static void test_sort_entries_with_equal_keys(void) {
    int ok_all = 1;
    for (int round = 0; round < 12; round++) {
        size_t n = round < 4 ? 5 + rnd() % 200 : 300 + rnd() % 5000; /* both sort paths */
        char **ids = xmalloc(n * sizeof *ids);
        uint32_t *lens = xmalloc(n * sizeof *lens);
        for (size_t i = 0; i < n; i++) {
            ids[i] = xasprintf("X%zu-%llu", i, (unsigned long long)(rnd() % 1000));
            lens[i] = (uint32_t)strlen(ids[i]);
        }
        DrawSeed s;
        draw_seed_init(&s, "ties", 4);
        /* keys with many ties (a few values, or the real key with its low digits dropped) */
        DrawEnt *e = xmalloc(n * sizeof *e);
        RefEnt *r = xmalloc(n * sizeof *r);
        for (size_t i = 0; i < n; i++) {
            uint32_t d[8];
            draw_id_digest(&s, ids[i], lens[i], d);
            uint64_t k = round % 2 ? rnd() % 5 : draw_key_of(d) / 100000000000000000ULL * 7;
            e[i] = (DrawEnt){k, (uint32_t)i, 0};
            r[i].key = k;
            r[i].id = ids[i];
            r[i].len = lens[i];
            r[i].idx = (uint32_t)i;
            draw_ticket_of(d, r[i].t);
        }
        draw_sort_entries(&s, (const char *const *)ids, lens, e, n);
        qsort(r, n, sizeof *r, ref_cmp);
        for (size_t i = 0; i < n; i++)
            ok_all &= e[i].idx == r[i].idx && e[i].key == r[i].key;
        for (size_t i = 0; i < n; i++)
            free(ids[i]);
        free(ids);
        free(lens);
        free(e);
        free(r);
    }
    CHECK(ok_all);
}

/* Decimal digits of a 256-bit digest by schoolbook division by 10 (the slow, obvious way). */
static void ticket_reference(const uint32_t h[8], char *out) {
    uint32_t w[8];
    memcpy(w, h, sizeof w);
    char d[100];
    size_t nd = 0;
    for (int k = 0; k < 78; k++) { /* 2^256 < 10^78 */
        uint64_t rem = 0;
        for (int i = 0; i < 8; i++) {
            uint64_t cur = rem << 32 | w[i];
            w[i] = (uint32_t)(cur / 10);
            rem = cur % 10;
        }
        d[nd++] = (char)('0' + rem);
    }
    size_t len = nd;
    while (len > 64 && d[len - 1] == '0')
        len--;
    sprintf(out, "0.%.*s", (int)len, d);
}

static void test_ticket_digits(void) {
    int ok_all = 1;
    for (int round = 0; round < 20000; round++) {
        uint32_t h[8];
        for (int i = 0; i < 8; i++) {
            uint64_t x = rnd();
            /* edge values as well as random ones */
            h[i] = round < 8    ? (round & 1 ? 0xffffffffu : 0)
                   : round < 16 ? (uint32_t)(i == round - 8)
                                : (uint32_t)x;
        }
        char a[DRAW_TICKET_MAX], b[120];
        size_t n = draw_ticket_of(h, a);
        ticket_reference(h, b);
        ok_all &= n == strlen(b) && !strcmp(a, b);
    }
    CHECK(ok_all);
}

static void test_read_value(void) {
    char path[] = "/tmp/test_draw_db_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    char *err = NULL;
    Db *db = db_open(path, 0, &err);
    CHECK(db != NULL);
    size_t big = 9u << 20; /* many overflow pages */
    char *v = xmalloc(big + 1);
    for (size_t i = 0; i < big; i++)
        v[i] = (char)('a' + i % 26);
    v[big] = 0;
    CHECK_INT(db_exec(db, "CREATE TABLE f(id INTEGER PRIMARY KEY, content TEXT)", ""), DB_OK);
    CHECK_INT(db_exec(db, "INSERT INTO f(id, content) VALUES (1, ?), (2, '')", "t", v), DB_OK);
    char *out = NULL;
    size_t len = 0;
    CHECK_INT(db_read_value(db, "f", "content", 1, 72, &out, &len), DB_OK);
    CHECK_INT(len, big);
    CHECK(out && !memcmp(out, v, big));
    int zero = 1;
    for (size_t i = 0; out && i < 72; i++)
        zero &= out[big + i] == 0;
    CHECK(zero);
    free(out);
    CHECK_INT(db_read_value(db, "f", "content", 2, 8, &out, &len), DB_OK);
    CHECK_INT(len, 0);
    CHECK(out && !out[0]);
    free(out);
    CHECK_INT(db_read_value(db, "f", "content", 3, 8, &out, &len), DB_DONE);
    CHECK(out == NULL);
    CHECK_INT(db_read_value(db, "nosuch", "content", 1, 8, &out, &len), DB_ERR);
    db_close(db);
    free(v);
    t_remove_db(path);
}

/* ---- spotcheck-draw/2: declared sources, canonical values, the seed without a secret ---- */

static json_t *J(const char *text) {
    return json_loads(text, JSON_DECODE_ANY, NULL);
}

static void test_sources(void) {
    char *err = NULL;
    json_t *ok = J("[{\"kind\":\"fc3d\",\"issue\":\"2026330\",\"date\":\"2026-12-07\"},"
                   "{\"kind\":\"ssq\",\"issue\":\"2026140\",\"date\":\"2026-12-08\"},"
                   "{\"kind\":\"tc_pl5\",\"issue\":\"26330\",\"date\":\"2026-12-07\"},"
                   "{\"kind\":\"drand\",\"chain\":\"quicknet\",\"round\":1},{\"kind\":\"dice\","
                   "\"count\":10}]");
    CHECK_INT(draw_sources_check(ok, &err), 0);
    /* when each exists: 21:15 / 21:25 Beijing time; drand round 1 at the quicknet genesis */
    CHECK_INT(draw_source_time(json_array_get(ok, 0)), 1796649300LL);
    CHECK_INT(draw_source_time(json_array_get(ok, 2)), 1796649300LL + 600);
    CHECK_INT(draw_source_time(json_array_get(ok, 3)), 1692803367LL);
    CHECK_INT(draw_source_time(json_array_get(ok, 4)), 0);
    CHECK_INT(draw_sources_earliest(ok), 1692803367LL);
    char *label = draw_source_label(json_array_get(ok, 0));
    CHECK_STR(label, "福彩3D 第2026330期（2026-12-07 21:15 开奖）");
    free(label);
    const char *bad[][2] = {
        {"[]", "至少一个"},
        {"[{\"kind\":\"dice\",\"count\":10}]", "本局以外"},
        {"[{\"kind\":\"ssq\",\"issue\":\"2026140\",\"date\":\"2026-12-07\"}]", "不是开奖日"},
        {"[{\"kind\":\"fc3d\",\"issue\":\"2025330\",\"date\":\"2026-12-07\"}]", "期号"},
        {"[{\"kind\":\"fc3d\",\"issue\":\"2026330\",\"date\":\"2026-12-07\",\"x\":1}]", "须且只须"},
        {"[{\"kind\":\"lotto\"}]", "类型应为"},
        /* the issue must fit its date: 2026-12-07 is the 341st day, 147 Tue/Thu/Sun to 12-08 */
        {"[{\"kind\":\"fc3d\",\"issue\":\"2026342\",\"date\":\"2026-12-07\"}]", "应在 326 至 341"},
        {"[{\"kind\":\"fc3d\",\"issue\":\"2026325\",\"date\":\"2026-12-07\"}]", "不符"},
        {"[{\"kind\":\"tc_pl5\",\"issue\":\"26100\",\"date\":\"2026-12-07\"}]", "不符"},
        {"[{\"kind\":\"ssq\",\"issue\":\"2026148\",\"date\":\"2026-12-08\"}]", "应在 139 至 147"},
        {"[{\"kind\":\"ssq\",\"issue\":\"2026001\",\"date\":\"2026-12-08\"}]", "不符"},
        {"[{\"kind\":\"fc3d\",\"issue\":\"2026002\",\"date\":\"2026-01-01\"}]", "应在 001 至 001"},
        {"[{\"kind\":\"drand\",\"chain\":\"default\",\"round\":5}]", "quicknet"},
        {"[{\"kind\":\"drand\",\"chain\":\"quicknet\",\"round\":0}]", "正整数"},
        {"[{\"kind\":\"fc3d\",\"issue\":\"2026330\",\"date\":\"2026-12-07\"},{\"kind\":\"dice\","
         "\"count\":51}]",
         "第2个"},
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        json_t *s = J(bad[i][0]);
        int rc = draw_sources_check(s, &err);
        if (rc == 0 || !err || !strstr(err, bad[i][1]))
            fprintf(stderr, "  %s: %s\n", bad[i][0], err ? err : "accepted");
        CHECK(rc == -1 && err && strstr(err, bad[i][1]));
        json_decref(s);
    }
    /* the same lottery draw however written (by issue or by date); dice never repeat */
    json_t *same = J("[{\"kind\":\"fc3d\",\"issue\":\"2026330\",\"date\":\"2026-12-06\"},"
                     "{\"kind\":\"fc3d\",\"issue\":\"2026329\",\"date\":\"2026-12-07\"},"
                     "{\"kind\":\"tc_pl5\",\"issue\":\"2026330\",\"date\":\"2026-12-06\"},"
                     "{\"kind\":\"drand\",\"chain\":\"quicknet\",\"round\":1},{\"kind\":\"dice\","
                     "\"count\":10}]");
    CHECK_INT(draw_source_same(json_array_get(ok, 0), json_array_get(same, 0)), 1); /* same issue */
    CHECK_INT(draw_source_same(json_array_get(ok, 0), json_array_get(same, 1)), 1); /* same date */
    CHECK_INT(draw_source_same(json_array_get(ok, 2), json_array_get(same, 2)),
              1); /* 5- and 7-digit issue */
    CHECK_INT(draw_source_same(json_array_get(ok, 0), json_array_get(same, 2)),
              0); /* another lottery */
    CHECK_INT(draw_source_same(json_array_get(ok, 3), json_array_get(same, 3)), 1);
    CHECK_INT(draw_source_same(json_array_get(ok, 4), json_array_get(same, 4)), 0);
    json_decref(same);
    /* canonical values */
    const struct {
        int src;
        const char *in, *want; /* want NULL: refused */
    } vals[] = {
        {0, "3 8 5", "385"},
        {0, "385", "385"},
        {0, "38", NULL},
        {0, "3855", NULL},
        {0, "38a", NULL},
        {1, "33,5,12,20,28,01+07", "01 05 12 20 28 33+07"},
        {1, "01 05 12 20 28 33 | 16", "01 05 12 20 28 33+16"},
        {1, "01 05 12 20 28 33+17", NULL},
        {1, "01 01 12 20 28 33+07", NULL},
        {1, "01 05 12 20 28+33 07", NULL},
        {1, "01 05 12 20 28 34+07", NULL},
        {2, "1 2 3 4 5", "12345"},
        {2, "1234", NULL},
        {3,
         "8D2F8D2F8D2F8D2F8D2F8D2F8D2F8D2F8D2F8D2F8D2F8D2F8D2F8D2F8D2F8D2F8D2F8D2F8D2F8D2F8D2F8D2F8"
         "D2F8D2F",
         "8d2f8d2f8d2f8d2f8d2f8d2f8d2f8d2f8d2f8d2f8d2f8d2f8d2f8d2f8d2f8d2f8d2f8d2f8d2f8d2f8d2f8d2f8"
         "d2f8d2f"},
        {3, "8d2f", NULL},
        {4, "1 2 3 4 5 6 1 2 3 4", "1234561234"},
        {4, "1234561237", NULL},
        {4, "123", NULL},
        {0, "3\n85", NULL},
    };
    for (size_t i = 0; i < ARRAY_LEN(vals); i++) {
        char *got = draw_source_value(json_array_get(ok, (size_t)vals[i].src), vals[i].in, &err);
        if (vals[i].want ? !got || strcmp(got, vals[i].want) : got != NULL)
            fprintf(stderr, "  value %s: got %s\n", vals[i].in, got ? got : err);
        CHECK(vals[i].want ? got && !strcmp(got, vals[i].want) : got == NULL);
        free(got);
    }
    /* drand's randomness is SHA-256 of the signature bytes (computed with Python's hashlib) */
    char *part = draw_source_seed_part(json_array_get(ok, 3), vals[13].want);
    CHECK_STR(part, "cbc9c6e4bf1d1efb1786028efb8b65902c62010737555f5b55a5a74e9e649524");
    free(part);
    json_t *values = json_pack("[s,s,s,s,s]", "385", "01 05 12 20 28 33+07", "12345", vals[13].want,
                               "1234561234");
    char *seed = draw_seed_v2("T-1", "ab", ok, values, &err);
    CHECK_STR(seed, "spotcheck-v2|T-1|ab|385|01 05 12 20 28 33+07|12345|"
                    "cbc9c6e4bf1d1efb1786028efb8b65902c62010737555f5b55a5a74e9e649524|1234561234");
    free(seed);
    json_array_set_new(values, 0, json_string("3 8 5")); /* not canonical: refused */
    CHECK(draw_seed_v2("T-1", "ab", ok, values, &err) == NULL);
    json_array_remove(values, 4);
    CHECK(draw_seed_v2("T-1", "ab", ok, values, &err) == NULL);
    json_decref(values);
    /* times */
    long long t = 0;
    CHECK_INT(draw_time_parse("2026-12-07T21:15:00+08:00", &t), 0);
    CHECK_INT(t, 1796649300LL);
    CHECK_INT(draw_time_parse("2026-12-07T13:15:00Z", &t), 0);
    CHECK_INT(t, 1796649300LL);
    CHECK_INT(draw_time_parse("2026-12-07 21:15:00", &t), -1);
    CHECK_INT(draw_time_parse("2026-12-07T21:15:00+8:00", &t), -1);
    char when[26];
    draw_time_format(1796649300LL, 8 * 3600, when);
    CHECK_STR(when, "2026-12-07T21:15:00+08:00");
    draw_time_format(1796649300LL, -5 * 3600 - 1800, when);
    CHECK_STR(when, "2026-12-07T07:45:00-05:30");
    json_decref(ok);
    free(err);
}

/* A /2 freeze of the population and roster with the sources given. */
static json_t *make_freeze_v2(const DrawPop *p, const DrawRoster *r, const char *params_json,
                              const char *sources_json, const char *frozen_at) {
    json_t *f = make_freeze(p, r, params_json);
    json_object_del(f, "commitment");
    json_object_del(f, "randomness_source");
    json_object_set_new(f, "sources", J(sources_json));
    json_object_set_new(f, "gap_hours", json_integer(24));
    json_object_set_new(f, "frozen_at", json_string(frozen_at));
    return f;
}

/* §7a: the blind committed at the freeze ends the seed; the record reveals it; a wrong, missing or
 * uncommitted blind does not verify. */
static void test_blind(void) {
    uint64_t saved_rng = rng_state; /* the later tests' data stay as they were */
    char *text = gen_population(300, 0), *err = NULL;
    DrawPop p;
    DrawRoster r;
    CHECK_INT(draw_pop_parse(&p, text, strlen(text), &err), 0);
    CHECK_INT(draw_roster_parse(&r, ROSTER, strlen(ROSTER), &err), 0);
    const char *srcs = "[{\"kind\":\"fc3d\",\"issue\":\"2025152\",\"date\":\"2025-06-01\"}]";
    json_t *freeze =
        make_freeze_v2(&p, &r, "{\"ratios\":{\"*\":\"5%\"}}", srcs, "2025-05-20T09:00:00+08:00");
    uint8_t b[32];
    for (int i = 0; i < 32; i++)
        b[i] = (uint8_t)(200 - i);
    char hex[65], commit[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", b[i]);
    draw_sha256_hex(b, 32, commit);
    json_object_set_new(freeze, "blind_sha256", json_string(commit));
    json_t *values = json_pack("[s]", "907");
    json_t *rec = draw_record_build_v2(freeze, values, hex, "2025-06-02T09:30:00+08:00", NULL, NULL,
                                       &p, &r, &err);
    CHECK(rec != NULL);
    char fsha[65];
    draw_json_sha256(freeze, fsha);
    char *want = xasprintf("spotcheck-v2|T-2025-01|%s|907|%s", fsha, hex);
    CHECK_STR(json_string_value(json_object_get(rec, "seed")), want);
    free(want);
    Buf out;
    buf_init(&out);
    CHECK_INT(draw_verify(rec, &p, &r, fsha, &out, NULL), 0);
    /* the same lottery numbers without the blind give another draw: they alone tell nothing */
    json_t *plain = json_deep_copy(freeze);
    json_object_del(plain, "blind_sha256");
    json_t *open_rec = draw_record_build_v2(plain, values, NULL, "2025-06-02T09:30:00+08:00", NULL,
                                            NULL, &p, &r, &err);
    CHECK(open_rec &&
          !json_equal(json_object_get(open_rec, "selected"), json_object_get(rec, "selected")));
    json_t *c = json_deep_copy(rec);
    hex[0] = hex[0] == 'a' ? 'b' : 'a';
    json_object_set_new(c, "blind", json_string(hex));
    buf_reset(&out);
    CHECK_INT(draw_verify(c, &p, &r, NULL, &out, NULL), 1);
    CHECK(strstr(out.data ? out.data : "", "blind_sha256") != NULL);
    json_object_del(c, "blind");
    buf_reset(&out);
    CHECK_INT(draw_verify(c, &p, &r, NULL, &out, NULL), 1);
    CHECK(strstr(out.data ? out.data : "", "blind") != NULL);
    json_object_set_new(open_rec, "blind", json_string(hex));
    buf_reset(&out);
    CHECK_INT(draw_verify(open_rec, &p, &r, NULL, &out, NULL), 1);
    buf_free(&out);
    json_decref(c);
    json_decref(open_rec);
    json_decref(plain);
    json_decref(rec);
    json_decref(values);
    json_decref(freeze);
    draw_pop_free(&p);
    draw_roster_free(&r);
    free(err);
    rng_state = saved_rng;
}

static void test_record_v2(void) {
    char *text = gen_population(300, 0), *err = NULL;
    DrawPop p;
    DrawRoster r;
    CHECK_INT(draw_pop_parse(&p, text, strlen(text), &err), 0);
    CHECK_INT(draw_roster_parse(&r, ROSTER, strlen(ROSTER), &err), 0);
    const char *srcs = "[{\"kind\":\"fc3d\",\"issue\":\"2025152\",\"date\":\"2025-06-01\"},{"
                       "\"kind\":\"dice\",\"count\":4}]";
    json_t *freeze =
        make_freeze_v2(&p, &r, "{\"ratios\":{\"*\":\"5%\"}}", srcs, "2025-05-20T09:00:00+08:00");
    json_t *values = json_pack("[s,s]", "907", "6153");
    json_t *rec = draw_record_build_v2(freeze, values, NULL, "2025-06-02T09:30:00+08:00",
                                       "2025-05-25T10:00:00+08:00", NULL, &p, &r, &err);
    CHECK(rec != NULL);
    if (!rec) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    char fsha[65];
    draw_json_sha256(freeze, fsha);
    char *want = xasprintf("spotcheck-v2|T-2025-01|%s|907|6153", fsha);
    CHECK_STR(json_string_value(json_object_get(rec, "seed")), want);
    free(want);
    CHECK(!json_object_get(rec, "secret") &&
          !json_object_get(json_object_get(rec, "freeze"), "commitment"));
    Buf out;
    buf_init(&out);
    CHECK_INT(draw_verify(rec, &p, &r, fsha, &out, NULL), 0);
    if (out.len) fprintf(stderr, "%s", out.data);
    /* any other value gives another draw, and the recorded one no longer verifies */
    json_t *other_values = json_pack("[s,s]", "908", "6153");
    json_t *other = draw_record_build_v2(freeze, other_values, NULL, "2025-06-02T09:30:00+08:00",
                                         "2025-05-25T10:00:00+08:00", NULL, &p, &r, &err);
    json_decref(other_values);
    CHECK(other &&
          !json_equal(json_object_get(other, "selected"), json_object_get(rec, "selected")));
    json_decref(other);
    struct {
        const char *what, *field, *value, *expect;
    } tamper[] = {
        {"a value changed", "values", "[\"908\",\"6153\"]", "seed"},
        {"a value not canonical", "values", "[\"9 0 7\",\"6153\"]", "规范写法"},
        {"one value missing", "values", "[\"907\"]", "一一对应"},
        {"drawn before the lottery", "drawn_at", "\"2025-06-01T20:00:00+08:00\"", "尚未产生"},
        {"a time without its zone", "drawn_at", "\"2025-06-02 09:30:00\"", "带时区"},
        {"dice recorded after the lottery", "dice_recorded_at", "\"2025-06-01T21:15:00+08:00\"",
         "之前登记"},
        {"dice recorded before the freeze", "dice_recorded_at", "\"2025-05-20T08:59:59+08:00\"",
         "之前登记"},
        {"no time for the dice", "dice_recorded_at", "null", "须有开奖前登记"},
    };
    for (size_t i = 0; i < ARRAY_LEN(tamper); i++) {
        json_t *c = json_deep_copy(rec);
        json_object_set_new(c, tamper[i].field, J(tamper[i].value));
        buf_reset(&out);
        CHECK_INT(draw_verify(c, &p, &r, NULL, &out, NULL), 1);
        if (!strstr(out.data ? out.data : "", tamper[i].expect))
            fprintf(stderr, "  %s: %s\n", tamper[i].what, out.data);
        CHECK(strstr(out.data ? out.data : "", tamper[i].expect) != NULL);
        json_decref(c);
    }
    /* frozen less than gap_hours before the lottery: refused by the verifier */
    json_t *late =
        make_freeze_v2(&p, &r, "{\"ratios\":{\"*\":\"5%\"}}", srcs, "2025-06-01T09:00:00+08:00");
    json_t *rl = draw_record_build_v2(late, values, NULL, "2025-06-02T09:30:00+08:00",
                                      "2025-06-01T10:00:00+08:00", NULL, &p, &r, &err);
    buf_reset(&out);
    CHECK_INT(draw_verify(rl, &p, &r, NULL, &out, NULL), 1);
    CHECK(strstr(out.data ? out.data : "", "至少 24 小时") != NULL);
    json_decref(rl);
    json_decref(late);
    /* substitutions replay on /2 as on /1 */
    json_t *events = json_pack("[{s:s,s:s,s:s}]", "type", "target", "target",
                               json_string_value(json_object_get(
                                   json_array_get(json_object_get(rec, "selected"), 0), "id")),
                               "reason", "对象注销");
    json_t *rec2 = draw_record_build_v2(freeze, values, NULL, "2025-06-02T09:30:00+08:00",
                                        "2025-05-25T10:00:00+08:00", events, &p, &r, &err);
    buf_reset(&out);
    CHECK(rec2 && draw_verify(rec2, &p, &r, fsha, &out, NULL) == 0);
    json_decref(rec2);
    json_decref(events);
    buf_free(&out);
    json_decref(rec);
    json_decref(values);
    json_decref(freeze);
    draw_pop_free(&p);
    draw_roster_free(&r);
    free(err);
}

/* Lines sorted by bytes, as the population and officer files want them; the caller frees. */
static char *sorted_lines(const char **lines, size_t n) {
    const char **v = xmalloc(n * sizeof *v);
    memcpy(v, lines, n * sizeof *v);
    qsort(v, n, sizeof *v, str_ptr_cmp);
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++)
        buf_puts(&b, v[i]);
    free(v);
    return buf_steal(&b);
}

/* The streamed record (draw_outcome_write) against draw_canonical_json of the record built as a
 * tree from the same head; 1 when the bytes agree. Also reads the head back from the text. */
static int streams_same(const json_t *head, const DrawPop *p, const DrawRoster *r) {
    char *err = NULL;
    json_t *rec = json_deep_copy(head), *re = draw_compute(head, p, r, &err);
    CHECK(re != NULL);
    if (!re) {
        fprintf(stderr, "%s\n", err);
        free(err);
        json_decref(rec);
        return 0;
    }
    json_object_update(rec, re);
    char *want = draw_canonical_json(rec);
    DrawOutcome *o = draw_outcome_compute(head, p, r, &err);
    Buf got;
    buf_init(&got);
    draw_outcome_write(o, head, &got);
    int same = got.len == strlen(want) && !memcmp(got.data, want, got.len);
    if (!same) fprintf(stderr, "streamed:\n%s\njansson:\n%s\n", got.data, want);
    /* what a substitution reads back: every member but the two lists */
    json_t *back = draw_record_head_read(got.data, got.len, &err), *small = json_deep_copy(rec);
    json_object_del(small, "selected");
    json_object_del(small, "assignments");
    CHECK(back && json_equal(back, small));
    CHECK_INT(draw_outcome_selected(o), json_array_size(json_object_get(rec, "selected")));
    CHECK_INT(draw_outcome_groups(o), json_array_size(json_object_get(rec, "assignments")));
    json_decref(back);
    json_decref(small);
    buf_free(&got);
    draw_outcome_free(o);
    free(want);
    json_decref(re);
    json_decref(rec);
    return same;
}

/* Substitutions on the first two groups of rec: its first officer (a reason that needs escapes),
 * its first expert, the second group's target. */
static json_t *substitutions_of(const json_t *rec) {
    const json_t *g0 = json_array_get(json_object_get(rec, "assignments"), 0),
                 *g1 = json_array_get(json_object_get(rec, "assignments"), 1);
    const char *t0 = jk_str(g0, "target"), *t1 = jk_str(g1, "target");
    json_t *events = json_array();
    const char *off = json_string_value(json_array_get(json_object_get(g0, "officers"), 0)),
               *exp = json_string_value(json_array_get(json_object_get(g0, "experts"), 0));
    if (off)
        json_array_append_new(events,
                              json_pack("{s:s,s:s,s:s,s:s}", "type", "officer", "target", t0,
                                        "officer", off, "reason", "回避：\"亲属\"\\\n\t\x02"));
    if (exp)
        json_array_append_new(events, json_pack("{s:s,s:s,s:s,s:s}", "type", "officer", "target",
                                                t0, "officer", exp, "reason", "专家因病"));
    if (t1)
        json_array_append_new(events, json_pack("{s:s,s:s,s:s}", "type", "target", "target", t1,
                                                "reason", "已停业\r"));
    return events;
}

/* draw_outcome_write gives the bytes of draw_canonical_json: ids, strata, tags and reasons that
 * need escapes (quote, backslash, control characters) or are not ASCII, groups nobody could join,
 * no roster at all, substitutions of targets, officers and experts, /1 and /2 records. */
static void test_streamed_record(void) {
    const char *pop_lines[] = {
        "A\"1\tB级\"引号\n",
        "A\\2\tB级\"引号\n",
        "A\x01"
        "3\t\x1f层\n",
        "A\b4\t\x1f层\n",
        "A\f5\tB级\"引号\n",
        "A\x7f"
        "6\t\x1f层\n",
        "Z/7\tC\\层\n",
        "机构甲\tC\\层\n",
        "机构乙😀\tB级\"引号\n",
        "机构\xe2\x80\xa8丙\tC\\层\n",
        "N01\tC\\层\n",
        "N02\tC\\层\n",
        "N03\tB级\"引号\n",
        "N04\t\x1f层\n",
        "N05\tC\\层\n",
        "N06\tB级\"引号\n",
    };
    const char *ros_lines[] = {
        "expert\tE\"1\t\t启用\t\t\t0\t中医\n",
        "expert\tE\\2\t\t启用\t\t\t0\t药学\n",
        "officer\t张三\"\t130500\t在岗\t2020-01-01\t2030-12-31\t1\t基金\n",
        "officer\t李四\\\t130501\t在岗\t2020-01-01\t2030-12-31\t0\t基金\n",
        "officer\t王五😀\t130502\t在岗\t2020-01-01\t2030-12-31\t1\t基金\n",
        "officer\tC\x01"
        "4\t130500\t休假\t2020-01-01\t2030-12-31\t1\t基金\n",
    };
    char *pt = sorted_lines(pop_lines, ARRAY_LEN(pop_lines));
    char *rt = sorted_lines(ros_lines, ARRAY_LEN(ros_lines));
    DrawPop p;
    DrawRoster r, none;
    char *err = NULL;
    CHECK_INT(draw_pop_parse(&p, pt, strlen(pt), &err), 0);
    CHECK_INT(draw_roster_parse(&r, rt, strlen(rt), &err), 0);
    CHECK_INT(draw_roster_parse(&none, "", 0, &err), 0); /* nobody: every group empty */
    free(rt);
    int same = 1;
    const char *params = "{\"ratios\":{\"*\":\"50%\"},\"group_size\":2,"
                         "\"specialties\":[\"中医\",\"药学\",\"无人\\\"有\"],"
                         "\"conflicts\":[[\"王五😀\",\"机构甲\"]]}";
    json_t *freeze = make_freeze(&p, &r, params);
    json_t *freeze2 =
        make_freeze_v2(&p, &r, params,
                       "[{\"kind\":\"fc3d\",\"issue\":\"2025152\",\"date\":\"2025-06-01\"},{"
                       "\"kind\":\"dice\",\"count\":4}]",
                       "2025-05-20T09:00:00+08:00");
    json_t *values = json_pack("[s,s]", "907", "6153");
    /* /2 with blind and dice time, then /1; each without events */
    json_t *h2 = draw_record_head_v2(freeze2, values, SECRET_HEX, "2025-06-02T09:30:00+08:00",
                                     "2025-06-01T09:00:00+08:00", NULL);
    json_t *h1 = draw_record_head(freeze, "路\"过\\的\x01值", SECRET_HEX, NULL);
    same &= streams_same(h1, &p, &r);
    same &= streams_same(h2, &p, &r);
    same &= streams_same(h1, &p, &none);
    same &= streams_same(h1, &p, NULL);
    /* substitutions: an officer (whose reason needs escapes), an expert, a target, and officer
     * events without a roster (recorded, not applied) */
    json_t *rec = draw_record_build(freeze, "路\"过\\的\x01值", SECRET_HEX, NULL, &p, &r, &err);
    json_t *rec2 = draw_record_build_v2(freeze2, values, NULL, "2025-06-02T09:30:00+08:00", NULL,
                                        NULL, &p, &r, &err);
    CHECK(rec != NULL && rec2 != NULL);
    json_t *events = substitutions_of(rec), *events2 = substitutions_of(rec2);
    CHECK(json_array_size(events) >= 2 && json_array_size(events2) >= 2);
    json_t *h1e = draw_record_head(freeze, "路\"过\\的\x01值", SECRET_HEX, events);
    same &= streams_same(h1e, &p, &r);
    /* the lists written here hold escapes: strata in selected, reasons in removed */
    json_t *rec_e = draw_record_build(freeze, "路\"过\\的\x01值", SECRET_HEX, events, &p, &r, &err);
    char *text = draw_canonical_json(rec_e);
    CHECK(text && strstr(text, "\"stratum\":\"\\u001F层\"") &&
          strstr(text, "\"stratum\":\"B级\\\"引号\"") && strstr(text, "\"removed\":[{\"id\":\"") &&
          strstr(text, "\"reason\":\"回避：\\\"亲属\\\"\\\\\\n\\t\\u0002\"}"));
    free(text);
    json_decref(rec_e);
    same &= streams_same(h1e, &p, NULL);
    json_t *h2e =
        draw_record_head_v2(freeze2, values, NULL, "2025-06-02T09:30:00+08:00", NULL, events2);
    same &= streams_same(h2e, &p, &r);
    json_object_set_new(json_object_get(freeze2, "params"), "group_size", json_integer(50));
    json_decref(h2);
    h2 = draw_record_head_v2(freeze2, values, SECRET_HEX, "2025-06-02T09:30:00+08:00",
                             "2025-06-01T09:00:00+08:00", NULL);
    same &= streams_same(h2, &p, &r); /* groups of 50: every group short, some empty of leaders */
    CHECK(same);
    /* a text that is not an object is refused */
    json_t *bad = draw_record_head_read("[1,2]", 5, &err);
    CHECK(bad == NULL && err);
    json_decref(h2e);
    json_decref(h1e);
    json_decref(events);
    json_decref(events2);
    json_decref(rec);
    json_decref(rec2);
    json_decref(h1);
    json_decref(h2);
    json_decref(values);
    json_decref(freeze);
    json_decref(freeze2);
    free(err);
    draw_roster_free(&none);
    draw_roster_free(&r);
    draw_pop_free(&p);
}

int main(void) {
    RUN(test_reference_values);
    RUN(test_sources);
    RUN(test_record_v2);
    RUN(test_blind);
    RUN(test_sha256_implementations);
    RUN(test_key_is_ticket_prefix);
    RUN(test_order_independence_and_subsets);
    RUN(test_ratios_and_sizes);
    RUN(test_population_file);
    RUN(test_stratified_selection);
    RUN(test_assignment_constraints);
    RUN(test_joint_pools);
    RUN(test_substitution);
    RUN(test_substitution_adds_expert);
    RUN(test_tampering);
    RUN(test_chi_square_uniformity);
    RUN(test_fast_parser_matches_reference);
    RUN(test_selection_against_full_sort);
    RUN(test_sort_entries_with_equal_keys);
    RUN(test_sample_matches_order);
    RUN(test_ticket_digits);
    RUN(test_read_value);
    RUN(test_streamed_record);
    return T_DONE();
}
