/* draw_verify.c - verification of draw records (docs/DRAW.md §7, §8): a drawn record (/1 or /2)
 * against its freeze digest, its declared sources and their values (or the /1 secret and its
 * commitment), the blind, the input files, and everything draw_compute derives; and a frozen
 * record not yet drawn against its files. Each difference is one Chinese line.
 *
 * Pure: no database, no clock, no I/O. Called by draw_store.c (`spotcheck audit verify`), the
 * CLI (`draw verify`) and tests. */
#include "draw.h"
#include "draw_impl.h"
#include "jsonkit.h"
#include "draw_source.h"

#include "draw_sha256.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void say(Buf *out, int *count, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(Buf *out, int *count, const char *fmt, ...) {
    (*count)++;
    if (*count > 50) {
        if (*count == 51) buf_puts(out, "……（更多差异从略）\n");
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(out, fmt, ap);
    va_end(ap);
    buf_putc(out, '\n');
}

static char *short_json(const json_t *j) {
    if (!j) return xstrdup("（缺失）");
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (strlen(s) > 200) strcpy(s + 190, "…");
    return s;
}

/* Reports every difference between the recorded value a and the recomputed value b. */
static void diff(const char *path, const json_t *a, const json_t *b, Buf *out, int *count) {
    if (json_is_object(a) && json_is_object(b)) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)b, key, v) {
            char *p = xasprintf("%s.%s", path, key);
            diff(p, json_object_get(a, key), v, out, count);
            free(p);
        }
        json_object_foreach((json_t *)a, key, v) {
            if (!json_object_get(b, key)) say(out, count, "%s.%s: 记录中有多余字段", path, key);
        }
        return;
    }
    if (json_is_array(a) && json_is_array(b)) {
        size_t na = json_array_size(a), nb = json_array_size(b);
        for (size_t i = 0; i < na && i < nb; i++) {
            char *p = xasprintf("%s[%zu]", path, i);
            diff(p, json_array_get(a, i), json_array_get(b, i), out, count);
            free(p);
        }
        if (na != nb) say(out, count, "%s: 记录有 %zu 项，重算为 %zu 项", path, na, nb);
        return;
    }
    if (a && json_equal((json_t *)a, (json_t *)b)) return;
    char *sa = short_json(a), *sb = short_json(b);
    say(out, count, "%s: 记录为 %s，重算为 %s", path, sa, sb);
    free(sa);
    free(sb);
}

static int hex_decode(const char *s, uint8_t *out, size_t n) {
    if (!s || strlen(s) != 2 * n) return -1;
    for (size_t i = 0; i < 2 * n; i++) {
        char c = s[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0) return -1;
        if (i % 2)
            out[i / 2] = (uint8_t)(out[i / 2] | v);
        else
            out[i / 2] = (uint8_t)(v << 4);
    }
    return 0;
}

static const char *const record_keys[] = {
    "format",   "freeze", "freeze_sha256", "public_randomness", "secret", "seed",
    "seedhash", "strata", "selected",      "assignments",       "events"};
static const char *const freeze_keys[] = {
    "task",       "draw_no",  "draw_date",  "frozen_at", "randomness_source", "params",
    "population", "officers", "commitment", "redraw",    "excluded"};
static const char *const record_keys_v2[] = {"format",   "freeze",      "freeze_sha256", "values",
                                             "drawn_at", "seed",        "seedhash",      "strata",
                                             "selected", "assignments", "events"};
static const char *const freeze_keys_v2[] = {"task",     "draw_no",   "draw_date", "frozen_at",
                                             "sources",  "gap_hours", "params",    "population",
                                             "officers", "redraw",    "excluded"};

/* Checks that obj has exactly the n keys (unknown and missing ones reported with prefix). */
static void check_keys(const json_t *obj, const char *const *keys, size_t n, const char *prefix,
                       Buf *out, int *count) {
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        size_t i;
        for (i = 0; i < n; i++)
            if (!strcmp(key, keys[i])) break;
        if (i == n) say(out, count, "%s%s: 未知字段", prefix, key);
    }
    for (size_t i = 0; i < n; i++)
        if (!json_object_get(obj, keys[i])) say(out, count, "%s%s: 缺少字段", prefix, keys[i]);
}

/* A /2 freeze's keys: blind_sha256 is optional (freezes made before the blind have none). */
static void check_freeze_keys_v2(const json_t *freeze, Buf *out, int *count) {
    json_t *plain = json_deep_copy(freeze);
    json_object_del(plain, "blind_sha256");
    check_keys(plain, freeze_keys_v2, ARRAY_LEN(freeze_keys_v2), "freeze.", out, count);
    json_decref(plain);
}

/* The blind (§7a): when the freeze committed to one, the record reveals it and its SHA-256 (of the
 * 32 bytes) is the commitment; otherwise the record has none. */
static void verify_blind(const json_t *record, const json_t *freeze, Buf *out, int *count) {
    const json_t *commit = json_object_get(freeze, "blind_sha256");
    const char *blind = jk_str(record, "blind");
    uint8_t b[32];
    if (!commit) {
        if (json_object_get(record, "blind"))
            say(out, count, "blind: 冻结时没有承诺保密随机数，不应有此字段");
        return;
    }
    if (!blind || hex_decode(blind, b, 32)) {
        say(out, count, "blind: 应为 64 个小写十六进制字符（冻结时承诺的保密随机数）");
        return;
    }
    char c[65];
    draw_sha256_hex(b, 32, c);
    if (!str_eq(json_string_value(commit), c))
        say(out, count, "freeze.blind_sha256: 记录为 %s，blind 的 SHA-256 为 %s",
            json_string_value(commit) ? json_string_value(commit) : "（非字符串）", c);
}

/* /2 freeze: the sources were declared and valid, and the freeze came at least gap_hours before
 * the earliest external source. -1 when the sources are invalid (nothing to check them against). */
static int verify_declared(const json_t *freeze, long long *frozen, Buf *out, int *count) {
    const json_t *sources = json_object_get(freeze, "sources");
    char *err = NULL;
    if (draw_sources_check(sources, &err)) {
        say(out, count, "freeze.sources: %s", err);
        free(err);
        return -1;
    }
    long long first = draw_sources_earliest(sources);
    json_t *gap = json_object_get(freeze, "gap_hours");
    if (draw_time_parse(jk_str(freeze, "frozen_at"), frozen))
        say(out, count, "freeze.frozen_at: 应为带时区的时间（如 2026-12-06T10:15:03+08:00）");
    else if (!json_is_integer(gap) || json_integer_value(gap) < 1 ||
             json_integer_value(gap) > 24 * 365)
        say(out, count, "freeze.gap_hours: 应为正整数（小时）");
    else if (first && *frozen + json_integer_value(gap) * 3600 > first)
        say(out, count, "freeze.frozen_at: 冻结应早于最早的随机数来源至少 %lld 小时",
            (long long)json_integer_value(gap));
    return 0;
}

/* Dice are recorded after the freeze and before the earliest external source (sql/022): a dice
 * string typed once the lottery is known could be chosen to steer the draw. */
static void verify_dice_time(const json_t *record, const json_t *sources, long long frozen,
                             Buf *out, int *count) {
    size_t i, dice = 0;
    json_t *src;
    json_array_foreach(sources, i, src) if (str_eq(json_string_value(json_object_get(src, "kind")),
                                                   "dice")) dice++;
    json_t *at = json_object_get(record, "dice_recorded_at");
    long long t = 0, first = draw_sources_earliest(sources);
    if (!dice) {
        if (at) say(out, count, "dice_recorded_at: 没有声明骰子，不应有此字段");
    } else if (draw_time_parse(json_string_value(at), &t)) {
        say(out, count, "dice_recorded_at: 声明了骰子，须有开奖前登记点数的时间（带时区）");
    } else if (t < frozen || (first && t >= first)) {
        say(out, count, "dice_recorded_at: 骰子须在冻结之后、最早的外部随机数产生之前登记");
    }
}

/* /2 record: the freeze as above, the draw after every source existed, and each value fits its
 * kind in canonical form. */
static void verify_sources(const json_t *record, const json_t *freeze, Buf *out, int *count) {
    const json_t *sources = json_object_get(freeze, "sources"),
                 *values = json_object_get(record, "values");
    long long frozen = 0, drawn = 0;
    char *err = NULL;
    if (verify_declared(freeze, &frozen, out, count)) return;
    if (draw_time_parse(jk_str(record, "drawn_at"), &drawn)) {
        say(out, count, "drawn_at: 应为带时区的时间");
    } else {
        size_t i;
        json_t *src;
        json_array_foreach(sources, i, src) {
            long long t = draw_source_time(src);
            if (t && drawn < t) {
                char *label = draw_source_label(src);
                say(out, count, "drawn_at: 抽取时 %s 尚未产生", label);
                free(label);
            }
        }
        if (frozen && drawn < frozen) say(out, count, "drawn_at: 早于冻结时间");
    }
    verify_dice_time(record, sources, frozen, out, count);
    if (!json_is_array(values) || json_array_size(values) != json_array_size(sources)) {
        say(out, count, "values: 应为与 freeze.sources 一一对应的 %zu 个随机数",
            json_array_size(sources));
        return;
    }
    size_t i;
    json_t *src;
    json_array_foreach(sources, i, src) {
        const char *v = json_string_value(json_array_get(values, i));
        char *canon = draw_source_value(src, v, &err);
        if (!canon) {
            say(out, count, "values[%zu]: %s", i, err);
            free(err);
            err = NULL;
        } else if (strcmp(canon, v)) {
            say(out, count, "values[%zu]: “%s”不是规范写法（应为“%s”）", i, v, canon);
        }
        free(canon);
    }
}

static int has_control(const json_t *j) {
    if (json_is_string(j)) {
        for (const unsigned char *s = (const unsigned char *)json_string_value(j); *s; s++)
            if (*s < 0x20 || *s == 0x7f) return 1;
        return 0;
    }
    const char *key;
    size_t i;
    json_t *v;
    if (json_is_object(j)) {
        json_object_foreach((json_t *)j, key, v) {
            for (const unsigned char *s = (const unsigned char *)key; *s; s++)
                if (*s < 0x20 || *s == 0x7f) return 1;
            if (has_control(v)) return 1;
        }
    }
    if (json_is_array(j)) json_array_foreach(j, i, v) if (has_control(v)) return 1;
    return 0;
}

/* The freeze against its digest in the record and, when expect_freeze is not NULL, against the
 * digest published before the draw (`published` names where, in the message). */
static void verify_freeze_digest(const json_t *record, const json_t *freeze,
                                 const char *expect_freeze, const char *published, Buf *out,
                                 int *count) {
    char fsha[65];
    draw_json_sha256(freeze, fsha);
    if (!str_eq(jk_str(record, "freeze_sha256"), fsha))
        say(out, count, "freeze_sha256: 记录为 %s，按 freeze 内容重算为 %s",
            jk_str(record, "freeze_sha256") ? jk_str(record, "freeze_sha256") : "（缺失）", fsha);
    if (expect_freeze && strcmp(expect_freeze, fsha))
        say(out, count, "freeze: 与%s %s 不符（重算为 %s）", published, expect_freeze, fsha);
}

/* The population file's digest against the one frozen (fp: freeze.population). */
static void verify_pop_digest(const json_t *fp, const DrawPop *pop, Buf *out, int *count) {
    if (!str_eq(jk_str(fp, "sha256"), pop->sha256))
        say(out, count, "freeze.population.sha256: 记录为 %s，名单文件的 SHA-256 为 %s",
            jk_str(fp, "sha256") ? jk_str(fp, "sha256") : "（缺失）", pop->sha256);
}

int draw_verify(const json_t *record, const DrawPop *pop, const DrawRoster *ros,
                const char *expect_freeze, Buf *out, Buf *notes) {
    int count = 0;
    Buf dummy;
    buf_init(&dummy);
    if (!notes) notes = &dummy;
    if (!json_is_object(record)) {
        say(out, &count, "记录不是 JSON 对象");
        return 1;
    }
    int v2 = str_eq(jk_str(record, "format"), DRAW_FORMAT_V2);
    if (!v2 && !str_eq(jk_str(record, "format"), DRAW_FORMAT))
        say(out, &count, "format: 应为 \"%s\"（或旧记录的 \"%s\"）", DRAW_FORMAT_V2, DRAW_FORMAT);
    if (v2) {
        /* dice_recorded_at: present exactly when dice are declared (checked in verify_sources);
         * blind: exactly when the freeze committed to one (verify_blind) */
        json_t *plain = json_deep_copy(record);
        json_object_del(plain, "dice_recorded_at");
        json_object_del(plain, "blind");
        check_keys(plain, record_keys_v2, ARRAY_LEN(record_keys_v2), "", out, &count);
        json_decref(plain);
    } else
        check_keys(record, record_keys, ARRAY_LEN(record_keys), "", out, &count);
    const json_t *freeze = json_object_get(record, "freeze");
    if (!json_is_object(freeze)) {
        say(out, &count, "freeze: 缺少或不是对象");
        buf_free(&dummy);
        return 1;
    }
    if (v2)
        check_freeze_keys_v2(freeze, out, &count);
    else
        check_keys(freeze, freeze_keys, ARRAY_LEN(freeze_keys), "freeze.", out, &count);
    if (has_control(freeze)) say(out, &count, "freeze: 含有控制字符");
    verify_freeze_digest(record, freeze, expect_freeze, "抽取前公布的摘要", out, &count);
    /* /2: the sources and their values; /1: the secret and its commitment */
    uint8_t secret[32];
    const char *sh = jk_str(record, "secret");
    if (v2) {
        verify_sources(record, freeze, out, &count);
        verify_blind(record, freeze, out, &count);
    } else if (hex_decode(sh, secret, 32)) {
        say(out, &count, "secret: 应为 64 个小写十六进制字符");
    } else {
        char c[65];
        draw_sha256_hex(secret, 32, c);
        if (!str_eq(jk_str(freeze, "commitment"), c))
            say(out, &count, "freeze.commitment: 记录为 %s，secret 的 SHA-256 为 %s",
                jk_str(freeze, "commitment") ? jk_str(freeze, "commitment") : "（缺失）", c);
    }
    /* the input files */
    const json_t *fp = json_object_get(freeze, "population");
    if (pop) {
        verify_pop_digest(fp, pop, out, &count);
        json_t *st = json_object();
        for (size_t h = 0; h < pop->nstrata; h++)
            json_object_set_new(st, pop->strata[h], json_integer((json_int_t)pop->stratum_n[h]));
        json_t *want = json_pack("{s:s,s:I,s:o}", "sha256", pop->sha256, "count",
                                 (json_int_t)pop->n, "strata", st);
        diff("freeze.population", fp, want, out, &count);
        json_decref(want);
    } else {
        buf_puts(notes, "未提供名单文件：只核对了票号、顺序和各层数量，未核对名单完整性。\n");
    }
    const json_t *fo = json_object_get(freeze, "officers");
    if (ros) {
        json_t *want = json_pack("{s:s,s:I,s:I}", "sha256", ros->sha256, "officers",
                                 (json_int_t)ros->nofficers, "experts", (json_int_t)ros->nexperts);
        diff("freeze.officers", fo, want, out, &count);
        json_decref(want);
    } else {
        buf_puts(notes, "未提供人员文件：未核对检查组分配。\n");
    }
    /* seed */
    char *seed_err = NULL;
    char *want_seed = draw_record_seed(record, &seed_err);
    const int have_seed = want_seed != NULL;
    free(seed_err);
    if (have_seed) {
        char *seed = want_seed;
        if (!str_eq(jk_str(record, "seed"), seed))
            say(out, &count, "seed: 记录为 %s，应为 %s",
                jk_str(record, "seed") ? jk_str(record, "seed") : "（缺失）", seed);
        char sh2[65];
        draw_sha256_hex(seed, strlen(seed), sh2);
        if (!str_eq(jk_str(record, "seedhash"), sh2))
            say(out, &count, "seedhash: 记录为 %s，应为 %s",
                jk_str(record, "seedhash") ? jk_str(record, "seedhash") : "（缺失）", sh2);
        free(seed);
    }
    if (pop) {
        char *err = NULL;
        json_t *re = draw_compute(record, pop, ros, &err);
        if (!re) {
            say(out, &count, "无法重算: %s", err);
            free(err);
            err = NULL;
            /* still compare the selection, recomputed without the substitution requests */
            json_t *copy = json_deep_copy(record);
            json_object_set_new(copy, "events", json_array());
            re = draw_compute(copy, pop, NULL, &err);
            json_decref(copy);
            free(err);
            if (re) {
                diff("strata", json_object_get(record, "strata"), json_object_get(re, "strata"),
                     out, &count);
                diff("selected", json_object_get(record, "selected"),
                     json_object_get(re, "selected"), out, &count);
                json_decref(re);
            }
        } else {
            diff("strata", json_object_get(record, "strata"), json_object_get(re, "strata"), out,
                 &count);
            diff("selected", json_object_get(record, "selected"), json_object_get(re, "selected"),
                 out, &count);
            if (ros) {
                diff("assignments", json_object_get(record, "assignments"),
                     json_object_get(re, "assignments"), out, &count);
                diff("events", json_object_get(record, "events"), json_object_get(re, "events"),
                     out, &count);
            } else {
                /* without the roster only target replacements can be recomputed */
                json_t *ra = json_object_get(record, "events"), *rb = json_object_get(re, "events");
                size_t i;
                json_t *e;
                json_array_foreach(rb, i, e) {
                    if (!str_eq(jk_str(e, "type"), "target")) continue;
                    char *p = xasprintf("events[%zu]", i);
                    diff(p, json_array_get(ra, i), e, out, &count);
                    free(p);
                }
            }
            json_decref(re);
        }
    } else if (have_seed) {
        /* partial: tickets, order and stratum sizes from the recorded counts */
        char *seed = draw_record_seed(record, NULL);
        DrawSeed s;
        draw_seed_init(&s, seed, strlen(seed));
        free(seed);
        size_t i;
        json_t *e;
        const char *prev_t = NULL, *prev_id = NULL;
        json_array_foreach(json_object_get(record, "selected"), i, e) {
            const char *id = jk_str(e, "id"), *t = jk_str(e, "ticket");
            char want[DRAW_TICKET_MAX];
            if (!id) continue;
            draw_ticket(&s, id, strlen(id), want);
            if (!str_eq(t, want))
                say(out, &count, "selected[%zu].ticket: 记录为 %s，重算为 %s", i,
                    t ? t : "（缺失）", want);
            if (prev_t &&
                (strcmp(prev_t, want) > 0 || (!strcmp(prev_t, want) && strcmp(prev_id, id) >= 0)))
                say(out, &count, "selected[%zu]: 未按票号升序排列", i);
            prev_t = t;
            prev_id = id;
        }
        json_array_foreach(json_object_get(record, "strata"), i, e) {
            DrawRatio ratio;
            json_t *N = json_object_get(json_object_get(fp, "strata"),
                                        jk_str(e, "stratum") ? jk_str(e, "stratum") : "");
            json_t *rv =
                draw_lookup_stratum(json_object_get(json_object_get(freeze, "params"), "ratios"),
                                    jk_str(e, "stratum") ? jk_str(e, "stratum") : "");
            if (!json_is_integer(N) || !json_is_string(rv) ||
                draw_ratio_parse(json_string_value(rv), &ratio)) {
                say(out, &count, "strata[%zu]: 无法按 freeze 重算", i);
                continue;
            }
            json_t *mv =
                draw_lookup_stratum(json_object_get(json_object_get(freeze, "params"), "minimum"),
                                    jk_str(e, "stratum"));
            uint64_t want =
                draw_stratum_size((uint64_t)json_integer_value(N), ratio,
                                  json_is_integer(mv) ? (uint64_t)json_integer_value(mv) : 0);
            if ((uint64_t)json_integer_value(json_object_get(e, "n")) != want)
                say(out, &count, "strata[%zu].n: 记录为 %lld，重算为 %llu", i,
                    (long long)json_integer_value(json_object_get(e, "n")),
                    (unsigned long long)want);
        }
    }
    buf_free(&dummy);
    return count ? 1 : 0;
}

int draw_verify_frozen(const json_t *record, const DrawPop *pop, const DrawRoster *ros,
                       const char *expect_freeze, Buf *out, Buf *sizes) {
    int count = 0;
    const json_t *freeze = json_object_get(record, "freeze");
    if (!json_is_object(freeze)) {
        say(out, &count, "freeze: 缺少或不是对象");
        return 1;
    }
    int v2 = str_eq(jk_str(record, "format"), DRAW_FORMAT_V2);
    if (v2) check_freeze_keys_v2(freeze, out, &count);
    verify_freeze_digest(record, freeze, expect_freeze, "公告的摘要", out, &count);
    long long frozen = 0;
    if (v2) verify_declared(freeze, &frozen, out, &count);
    const json_t *fp = json_object_get(freeze, "population"),
                 *params = json_object_get(freeze, "params");
    if (pop) {
        verify_pop_digest(fp, pop, out, &count);
        for (size_t h = 0; h < pop->nstrata; h++) {
            json_t *rv = draw_lookup_stratum(json_object_get(params, "ratios"), pop->strata[h]),
                   *mv = draw_lookup_stratum(json_object_get(params, "minimum"), pop->strata[h]);
            DrawRatio ratio;
            if (!json_is_string(rv) || draw_ratio_parse(json_string_value(rv), &ratio)) {
                say(out, &count, "分层 %s 没有有效的抽查比例", pop->strata[h]);
                continue;
            }
            uint64_t n =
                draw_stratum_size(pop->stratum_n[h], ratio,
                                  json_is_integer(mv) ? (uint64_t)json_integer_value(mv) : 0);
            buf_printf(sizes, "%s\t%zu\t%llu\n", pop->strata[h], (size_t)pop->stratum_n[h],
                       (unsigned long long)n);
        }
    }
    if (ros && !str_eq(jk_str(json_object_get(freeze, "officers"), "sha256"), ros->sha256))
        say(out, &count, "freeze.officers.sha256: 与人员文件的 SHA-256 %s 不符", ros->sha256);
    return count ? 1 : 0;
}

/* Completes rec (format, freeze, inputs, events) with what draw_compute derives; NULL on error. */
