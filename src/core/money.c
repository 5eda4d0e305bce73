/* money.c - see money.h. */
#include "money.h"

#include <stdio.h>
#include <string.h>

static const char FULLWIDTH_COMMA[] = "\xEF\xBC\x8C"; /* ， */
static const char YUAN[] = "\xE5\x85\x83";            /* 元 */

int money_parse_yuan(const char *s, int64_t *fen) {
    if (!s) return -1;
    size_t n = strlen(s);
    while (*s == ' ')
        s++, n--;
    while (n && s[n - 1] == ' ')
        n--;
    if (n >= 3 && !memcmp(s + n - 3, YUAN, 3)) n -= 3;
    while (n && s[n - 1] == ' ')
        n--;
    const char *p = s, *end = s + n;
    int64_t whole = 0;
    int digits = 0, group = 0, seps = 0;
    while (p < end && *p != '.') {
        if (*p >= '0' && *p <= '9') {
            if (whole > MONEY_MAX_YUAN / 10) return -1; /* checked before growing: no overflow */
            whole = whole * 10 + (*p++ - '0');
            digits++, group++;
            continue;
        }
        size_t w = *p == ',' ? 1 : (end - p >= 3 && !memcmp(p, FULLWIDTH_COMMA, 3)) ? 3 : 0;
        if (!w) return -1;
        /* the first group has 1-3 digits, every later one exactly 3 */
        if ((seps == 0 && (group < 1 || group > 3)) || (seps > 0 && group != 3)) return -1;
        seps++, group = 0, p += w;
    }
    if (!digits || (seps && group != 3) || whole > MONEY_MAX_YUAN) return -1;
    int64_t cents = 0;
    if (p < end) { /* '.' */
        p++;
        int d = 0;
        for (; p < end; p++, d++) {
            if (*p < '0' || *p > '9' || d >= 2) return -1;
            cents = cents * 10 + (*p - '0');
        }
        if (!d) return -1;
        if (d == 1) cents *= 10;
    }
    *fen = whole * 100 + cents;
    return 0;
}

void money_format_yuan(int64_t fen, char out[32]) {
    char digits[24];
    if (fen < 0) fen = 0;
    snprintf(digits, sizeof digits, "%lld", (long long)(fen / 100));
    size_t n = strlen(digits), o = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) out[o++] = ',';
        out[o++] = digits[i];
    }
    snprintf(out + o, 32 - o, ".%02lld", (long long)(fen % 100));
}
