/* draw_source.c - sources of public randomness: declaration checks, when each exists, the
 * canonical form of a value and its part of the v2 seed. See draw_source.h and docs/DRAW.md.
 *
 * The lottery schedules are the operators' published ones (福彩3D and 双色球 by the China Welfare
 * Lottery, 排列5 by the China Sports Lottery); drand's quicknet parameters are those of its chain
 * info (genesis 1692803367, period 3 s, signatures on G1: 48 bytes). Pure; callers: draw_store.c,
 * draw_run.c (seed and verification), the scheme form. */
#include "draw_source.h"
#include "jsonkit.h"

#include "../core/util.h"
#include "draw_sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BEIJING_OFFSET (8 * 3600)
#define QUICKNET_GENESIS 1692803367LL
#define QUICKNET_PERIOD 3LL
#define QUICKNET_SIG_BYTES 48

typedef struct Kind {
    const char *kind, *name;
    int lottery;  /* declared by issue and date */
    int hh, mm;   /* lottery: Beijing draw time */
    int weekdays; /* lottery: bit d for draw days (0 = Sunday), 0x7f every day */
    int digits;   /* fc3d, tc_pl5: the number of digits 0-9 */
} Kind;

static const Kind KINDS[] = {
    {"fc3d", "福彩3D", 1, 21, 15, 0x7f, 3},
    {"ssq", "双色球", 1, 21, 15, (1 << 0) | (1 << 2) | (1 << 4), 0},
    {"tc_pl5", "体彩排列5", 1, 21, 25, 0x7f, 5},
    {"drand", "drand", 0, 0, 0, 0, 0},
    {"dice", "骰子", 0, 0, 0, 0, 0},
};

static const Kind *kind_of(const json_t *src) {
    const char *k = json_string_value(json_object_get(src, "kind"));
    for (size_t i = 0; k && i < ARRAY_LEN(KINDS); i++)
        if (!strcmp(k, KINDS[i].kind)) return &KINDS[i];
    return NULL;
}

static int all_digits(const char *s, size_t n) {
    if (!s || strlen(s) != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* 0 = Sunday … 6 = Saturday; day 0 (1970-01-01) was a Thursday. */
static int weekday_sun0(int z) {
    return ((z % 7) + 7 + 4) % 7;
}

static int day_of(const char *date) {
    return date_days_from_civil(atoi(date), atoi(date + 5), atoi(date + 8));
}

/* A lottery's issue counts its draws since 1 January. Without a break it would be the number
 * of draw days up to `date`; the Spring Festival break (about a week) and rare suspensions make
 * it lower, never higher. The window catches an issue typed for another day (a known result
 * declared under a future date); a citizen still checks the issue's date at the lottery. */
#define ISSUE_SLACK_DAILY 15
#define ISSUE_SLACK_WEEKLY 8

static int draw_days_to(const Kind *k, const char *date) {
    int first = date_days_from_civil(atoi(date), 1, 1), last = day_of(date), n = 0;
    for (int z = first; z <= last; z++)
        n += (k->weekdays >> weekday_sun0(z)) & 1;
    return n;
}

/* The issue's count within its year (the digits after the year). */
static int issue_seq(const char *issue) {
    return atoi(issue + (strlen(issue) == 5 ? 2 : 4));
}

/* Checks one source; appends problems to e prefixed with its position. */
static void check_one(const json_t *src, size_t i, Buf *e) {
    const Kind *k = kind_of(src);
    size_t nkeys = json_object_size(src);
#define BAD(...)                                                                                   \
    do {                                                                                           \
        if (e->len) buf_putc(e, '\n');                                                             \
        buf_printf(e, "第%zu个随机数来源: ", i + 1);                                               \
        buf_printf(e, __VA_ARGS__);                                                                \
    } while (0)
    if (!json_is_object(src) || !k) {
        BAD("类型应为 fc3d（福彩3D）、ssq（双色球）、tc_pl5（体彩排列5）、drand 或 dice（骰子）");
        return;
    }
    if (k->lottery) {
        const char *issue = jk_str(src, "issue"), *date = jk_str(src, "date");
        if (nkeys != 3) BAD("%s须且只须写明 kind、issue（期号）和 date（开奖日期）", k->name);
        if (!date || !date_valid(date)) {
            BAD("%s的开奖日期应为 YYYY-MM-DD", k->name);
            return;
        }
        int five = !strcmp(k->kind, "tc_pl5") && all_digits(issue, 5);
        if (!(all_digits(issue, 7) || five) || strncmp(issue, five ? date + 2 : date, five ? 2 : 4))
            BAD("%s的期号“%s”应为开奖年份加期数（如 %.4s001%s）", k->name, issue ? issue : "", date,
                five ? "，排列5 也可写 5 位" : "");
        else {
            int n = draw_days_to(k, date),
                lo = n - (k->weekdays == 0x7f ? ISSUE_SLACK_DAILY : ISSUE_SLACK_WEEKLY);
            int seq = issue_seq(issue);
            if (seq > n || seq < (lo > 1 ? lo : 1))
                BAD("%s第%s期与开奖日期 %s 不符：按开奖日推算，该日的期数应在 %03d 至 %03d "
                    "之间（已计春节休市）",
                    k->name, issue, date, lo > 1 ? lo : 1, n);
        }
        if (!(k->weekdays & (1 << weekday_sun0(day_of(date)))))
            BAD("%s只在每周二、四、日开奖，%s 不是开奖日", k->name, date);
    } else if (!strcmp(k->kind, "drand")) {
        json_t *round = json_object_get(src, "round");
        if (nkeys != 3 || !str_eq(jk_str(src, "chain"), "quicknet"))
            BAD("drand 须写明 kind、chain（quicknet）和 round（轮次）");
        if (!json_is_integer(round) || json_integer_value(round) < 1 ||
            json_integer_value(round) > 1000000000)
            BAD("drand 的轮次须为正整数");
    } else { /* dice */
        json_t *count = json_object_get(src, "count");
        if (nkeys != 2 || !json_is_integer(count) || json_integer_value(count) < 1 ||
            json_integer_value(count) > 50)
            BAD("骰子须写明 count（枚数，1 至 50）");
    }
#undef BAD
}

int draw_source_same(const json_t *a, const json_t *b) {
    const Kind *k = kind_of(a);
    if (!k || k != kind_of(b)) return 0;
    if (k->lottery) {
        const char *ia = jk_str(a, "issue"), *ib = jk_str(b, "issue"), *da = jk_str(a, "date"),
                   *db = jk_str(b, "date");
        if (str_eq(da, db)) return 1;
        return ia && ib && da && db && !strncmp(da, db, 4) && issue_seq(ia) == issue_seq(ib);
    }
    if (!strcmp(k->kind, "drand"))
        return json_equal(json_object_get((json_t *)a, "round"),
                          json_object_get((json_t *)b, "round"));
    return 0; /* dice: rolled anew each time */
}

int draw_sources_check(const json_t *sources, char **err) {
    if (!json_is_array(sources) || json_array_size(sources) == 0)
        return set_err(err, "须声明至少一个公开随机数来源");
    if (json_array_size(sources) > DRAW_SOURCES_MAX)
        return set_err(err, "随机数来源最多 %d 个", DRAW_SOURCES_MAX);
    Buf e;
    buf_init(&e);
    int external = 0;
    size_t i;
    json_t *src;
    json_array_foreach(sources, i, src) {
        check_one(src, i, &e);
        const Kind *k = kind_of(src);
        external |= k && strcmp(k->kind, "dice") != 0;
    }
    if (!e.len && !external)
        buf_puts(&e, "至少须有一个本局以外的来源（彩票开奖号码或 drand），骰子只能作为补充");
    if (!e.len) {
        buf_free(&e);
        return 0;
    }
    if (err) {
        free(*err);
        *err = buf_steal(&e);
    }
    buf_free(&e);
    return -1;
}

long long draw_source_time(const json_t *src) {
    const Kind *k = kind_of(src);
    if (!k) return 0;
    if (k->lottery) {
        const char *date = jk_str(src, "date");
        if (!date || !date_valid(date)) return 0;
        return (long long)day_of(date) * 86400 + k->hh * 3600 + k->mm * 60 - BEIJING_OFFSET;
    }
    if (!strcmp(k->kind, "drand"))
        return QUICKNET_GENESIS +
               (json_integer_value(json_object_get(src, "round")) - 1) * QUICKNET_PERIOD;
    return 0;
}

long long draw_sources_earliest(const json_t *sources) {
    long long first = 0;
    size_t i;
    json_t *src;
    json_array_foreach(sources, i, src) {
        long long t = draw_source_time(src);
        if (t && (!first || t < first)) first = t;
    }
    return first;
}

/* The numbers of a value: runs of digits, anything else separating them; "+" or "|" also marks
 * where the blue ball starts (*split = index of the first number after it, or -1). */
static int numbers(const char *v, int out[], int max, int digits[], int *split) {
    int n = 0;
    *split = -1;
    for (const char *p = v; *p;) {
        if (*p >= '0' && *p <= '9') {
            int x = 0, d = 0;
            while (*p >= '0' && *p <= '9') {
                if (d < 6) x = x * 10 + (*p - '0');
                d++, p++;
            }
            if (n == max) return -1;
            digits[n] = d;
            out[n++] = x;
        } else {
            if ((*p == '+' || *p == '|') && *split < 0) *split = n;
            p++;
        }
    }
    return n;
}

/* Only digits, blanks and the separators people write between numbers. */
static int plain_text(const char *v) {
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f) return 0;
    return 1;
}

char *draw_source_value(const json_t *src, const char *value, char **err) {
    const Kind *k = kind_of(src);
    if (!k) return set_err(err, "随机数来源无效"), NULL;
    if (!value || !plain_text(value))
        return set_err(err, "%s的数值不能为空或含控制字符", k->name), NULL;
    if (k->digits || !strcmp(k->kind, "dice")) {
        int n = k->digits ? k->digits : (int)json_integer_value(json_object_get(src, "count"));
        Buf b;
        buf_init(&b);
        for (const char *p = value; *p; p++) {
            if (*p >= '0' && *p <= '9')
                buf_putc(&b, *p);
            else if (!strchr(" ,，、", *p) && (unsigned char)*p < 0x80) {
                buf_free(&b);
                return set_err(err, "%s的数值只能是数字（可用空格或逗号分隔）", k->name), NULL;
            }
        }
        int ok = (int)b.len == n;
        for (size_t i = 0; ok && k->digits == 0 && i < b.len; i++)
            ok = b.data[i] >= '1' && b.data[i] <= '6';
        if (!ok) {
            buf_free(&b);
            return set_err(err, k->digits ? "%s应为 %d 位数字" : "%s应为 %d 个 1 至 6 的点数",
                           k->name, n),
                   NULL;
        }
        return buf_steal(&b);
    }
    if (!strcmp(k->kind, "ssq")) {
        int x[8], d[8], split;
        int n = numbers(value, x, 8, d, &split);
        int ok = n == 7 && (split < 0 || split == 6);
        for (int i = 0; ok && i < 7; i++)
            ok = d[i] <= 2;
        for (int i = 0; ok && i < 6; i++)
            ok = x[i] >= 1 && x[i] <= 33;
        ok = ok && x[6] >= 1 && x[6] <= 16;
        for (int i = 0; ok && i < 6; i++)
            for (int j = i + 1; j < 6; j++)
                ok = ok && x[i] != x[j];
        if (!ok)
            return set_err(err, "双色球应为 6 个不同的红球（01–33）和 1 个蓝球（01–16），如 01 05 "
                                "12 20 28 33+07"),
                   NULL;
        for (int i = 1; i < 6; i++) /* red balls ascending */
            for (int j = i; j > 0 && x[j - 1] > x[j]; j--) {
                int t = x[j];
                x[j] = x[j - 1];
                x[j - 1] = t;
            }
        return xasprintf("%02d %02d %02d %02d %02d %02d+%02d", x[0], x[1], x[2], x[3], x[4], x[5],
                         x[6]);
    }
    /* drand: the round's signature, hex */
    Buf b;
    buf_init(&b);
    for (const char *p = value; *p; p++) {
        char c = *p >= 'A' && *p <= 'F' ? (char)(*p - 'A' + 'a') : *p;
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
            buf_putc(&b, c);
        else if (c != ' ') {
            buf_free(&b);
            return set_err(err, "drand 的签名应为十六进制"), NULL;
        }
    }
    if (b.len != 2 * QUICKNET_SIG_BYTES) {
        buf_free(&b);
        return set_err(err, "drand quicknet 的签名应为 %d 个十六进制字符", 2 * QUICKNET_SIG_BYTES),
               NULL;
    }
    return buf_steal(&b);
}

char *draw_source_seed_part(const json_t *src, const char *canonical) {
    const Kind *k = kind_of(src);
    if (!k || strcmp(k->kind, "drand")) return xstrdup(canonical);
    unsigned char sig[QUICKNET_SIG_BYTES];
    for (size_t i = 0; i < sizeof sig; i++) {
        unsigned v = 0;
        sscanf(canonical + 2 * i, "%2x", &v);
        sig[i] = (unsigned char)v;
    }
    char hex[65];
    draw_sha256_hex(sig, sizeof sig, hex);
    return xstrdup(hex);
}

char *draw_source_label(const json_t *src) {
    const Kind *k = kind_of(src);
    if (!k) return xstrdup("（无效来源）");
    if (k->lottery)
        return xasprintf("%s 第%s期（%s %02d:%02d 开奖）", k->name, jk_str(src, "issue"),
                         jk_str(src, "date"), k->hh, k->mm);
    if (!strcmp(k->kind, "drand")) {
        char when[26];
        draw_time_format(draw_source_time(src), BEIJING_OFFSET, when);
        return xasprintf("drand quicknet 第%lld轮（%.10s %.8s 北京时间）",
                         (long long)json_integer_value(json_object_get(src, "round")), when,
                         when + 11);
    }
    return xasprintf("观察员现场掷 %lld 枚骰子",
                     (long long)json_integer_value(json_object_get(src, "count")));
}

char *draw_seed_v2(const char *task, const char *freeze_sha256, const json_t *sources,
                   const json_t *values, char **err) {
    if (!json_is_array(values) || json_array_size(values) != json_array_size(sources))
        return set_err(err, "随机数的个数（%zu）与声明的来源（%zu）不符", json_array_size(values),
                       json_array_size(sources)),
               NULL;
    Buf b;
    buf_init(&b);
    buf_printf(&b, "spotcheck-v2|%s|%s", task, freeze_sha256);
    size_t i;
    json_t *src;
    json_array_foreach(sources, i, src) {
        const char *v = json_string_value(json_array_get(values, i));
        char *canon = draw_source_value(src, v, err);
        if (!canon || strcmp(canon, v)) {
            if (canon) set_err(err, "第%zu个随机数“%s”不是规范写法（应为“%s”）", i + 1, v, canon);
            free(canon);
            buf_free(&b);
            return NULL;
        }
        char *part = draw_source_seed_part(src, canon);
        buf_printf(&b, "|%s", part);
        free(part);
        free(canon);
    }
    return buf_steal(&b);
}

int draw_time_parse(const char *s, long long *epoch) {
    if (!s) return -1;
    size_t n = strlen(s);
    if (n != 20 && n != 25) return -1;
    char day[11];
    memcpy(day, s, 10);
    day[10] = 0;
    if (!date_valid(day) || s[10] != 'T' || s[13] != ':' || s[16] != ':') return -1;
    for (int i = 11; i < 19; i++)
        if (i != 13 && i != 16 && (s[i] < '0' || s[i] > '9')) return -1;
    int hh = atoi(s + 11), mm = atoi(s + 14), ss = atoi(s + 17), off = 0;
    if (hh > 23 || mm > 59 || ss > 59) return -1;
    if (n == 20) {
        if (s[19] != 'Z') return -1;
    } else {
        if ((s[19] != '+' && s[19] != '-') || s[22] != ':' ||
            !all_digits((char[3]){s[20], s[21], 0}, 2) ||
            !all_digits((char[3]){s[23], s[24], 0}, 2))
            return -1;
        if (atoi(s + 20) > 23 || atoi(s + 23) > 59) return -1; /* as RFC 3339 (and Python) allow */
        off = (atoi(s + 20) * 60 + atoi(s + 23)) * 60 * (s[19] == '-' ? -1 : 1);
    }
    *epoch = (long long)day_of(day) * 86400 + hh * 3600 + mm * 60 + ss - off;
    return 0;
}

void draw_time_format(long long epoch, int offset, char out[26]) {
    long long t = epoch + offset;
    long long days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int secs = (int)(t - days * 86400), y, m, d;
    date_civil_from_days((int)days, &y, &m, &d);
    int a = offset < 0 ? -offset : offset;
    char tmp[64]; /* room for any int, though years are 4 digits */
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d, secs / 3600,
             secs / 60 % 60, secs % 60, offset < 0 ? '-' : '+', a / 3600, a / 60 % 60);
    snprintf(out, 26, "%.25s", tmp);
}
