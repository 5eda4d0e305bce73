/* codes.c - validators for 统一社会信用代码 (GB 32100-2015), 居民身份证号码 (GB 11643-1999),
 * 医保 institution/pharmacy codes and 行政区划代码 (GB/T 2260), plus masking of personal data.
 *
 * Invariants:
 *   - Pure functions: no I/O, no clock, no global mutable state; thread-safe.
 *   - Every check first normalises its input the way code_normalize() does (upper-case ASCII,
 *     drop spaces, hyphens and full-width spaces, fold full-width ASCII to half-width), so
 *     " 9111-0000 6000 37341l" validates like "91110000600037341L". Positions and lengths in the
 *     reasons refer to the normalised code and count characters (code points), not bytes.
 *   - A check returns NULL for a valid code; otherwise it writes a Chinese reason into the
 *     caller's `why` buffer (CODE_WHY_MAX bytes, always NUL-terminated) and returns `why`.
 *   - Birth dates in ID numbers are accepted from 1900-01-01 to 2099-12-31 (a fixed bound, so
 *     the result never depends on the day the check runs).
 *
 * Called by the directory import and the web forms (validation of targets and officers), the
 * demo-data generator (check characters) and every page or export that shows a person. */
#include "codes.h"

#include "../core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Placeholder for a non-ASCII character in a normalised scratch copy: no code charset has it. */
#define NON_ASCII 0x80

/* Reads one unit of s at p and classifies it after normalisation. Returns the pointer past the
 * unit; *c is -1 when the unit is dropped (space, hyphen), an upper-cased ASCII byte, or
 * NON_ASCII for any other character (a well-formed UTF-8 sequence, or one stray byte). */
static const char *next_unit(const char *p, int *c) {
    const unsigned char *u = (const unsigned char *)p;
    if (u[0] < 0x80) {
        int ch = u[0];
        if (ch == ' ' || ch == '\t' || ch == '-')
            *c = -1;
        else
            *c = (ch >= 'a' && ch <= 'z') ? ch - 'a' + 'A' : ch;
        return p + 1;
    }
    /* U+3000 ideographic space */
    if (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) {
        *c = -1;
        return p + 3;
    }
    /* U+2010..U+2015 hyphens and dashes */
    if (u[0] == 0xE2 && u[1] == 0x80 && u[2] >= 0x90 && u[2] <= 0x95) {
        *c = -1;
        return p + 3;
    }
    /* U+FF01..U+FF5E full-width ASCII: EF BC 81..BF, EF BD 80..9E */
    if (u[0] == 0xEF && ((u[1] == 0xBC && u[2] >= 0x81 && u[2] <= 0xBF) ||
                         (u[1] == 0xBD && u[2] >= 0x80 && u[2] <= 0x9E))) {
        unsigned cp = 0xFF00u + (u[1] == 0xBC ? 0u : 0x40u) + (u[2] & 0x3Fu);
        int ch = (int)(cp - 0xFEE0u);
        if (ch == '-')
            *c = -1;
        else
            *c = (ch >= 'a' && ch <= 'z') ? ch - 'a' + 'A' : ch;
        return p + 3;
    }
    /* Any other character: skip a well-formed sequence as one unit, else one byte. */
    size_t k = u[0] >= 0xF0 ? 3 : u[0] >= 0xE0 ? 2 : u[0] >= 0xC0 ? 1 : 0;
    for (size_t i = 1; i <= k; i++)
        if ((u[i] & 0xC0) != 0x80) {
            k = 0;
            break;
        }
    *c = NON_ASCII;
    return p + 1 + k;
}

char *code_normalize(char *s) {
    if (!s) return s;
    char *w = s;
    const char *r = s;
    while (*r) {
        int c;
        const char *next = next_unit(r, &c);
        if (c == NON_ASCII) {
            size_t n = (size_t)(next - r);
            memmove(w, r, n);
            w += n;
        } else if (c >= 0) {
            *w++ = (char)c;
        }
        r = next;
    }
    *w = 0;
    return s;
}

/* A normalised scratch copy of a code: up to CODE_SCRATCH-1 units, plus the full length. */
#define CODE_SCRATCH 40
typedef struct Norm {
    char c[CODE_SCRATCH]; /* ASCII bytes or NON_ASCII, NUL-terminated */
    size_t len;           /* number of characters of the whole normalised input */
} Norm;

static void norm(const char *s, Norm *n) {
    n->len = 0;
    for (const char *p = s ? s : ""; *p;) {
        int c;
        p = next_unit(p, &c);
        if (c < 0) continue;
        if (n->len < CODE_SCRATCH - 1) n->c[n->len] = (char)c;
        n->len++;
    }
    n->c[n->len < CODE_SCRATCH - 1 ? n->len : CODE_SCRATCH - 1] = 0;
}

static const char *say(char why[CODE_WHY_MAX], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const char *say(char why[CODE_WHY_MAX], const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, CODE_WHY_MAX, fmt, ap);
    va_end(ap);
    return why;
}

static int is_digit(int c) {
    return c >= '0' && c <= '9';
}

/* "第5位字符非法（I）" for printable ASCII, "第5位字符非法" otherwise. */
static const char *bad_char(char why[CODE_WHY_MAX], size_t pos, int c) {
    if (c > ' ' && c < 0x7F) return say(why, "第%zu位字符非法（%c）", pos, c);
    return say(why, "第%zu位字符非法", pos);
}

/* ---- 统一社会信用代码 ---- */

static const char USCC_CHARSET[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int USCC_WEIGHTS[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                     29, 25, 13, 8,  24, 10, 30, 28};

static int uscc_value(int c) {
    if (c <= 0 || c >= 0x80) return -1;
    const char *p = strchr(USCC_CHARSET, c);
    return p ? (int)(p - USCC_CHARSET) : -1;
}

char code_uscc_check_char(const char *first17) {
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int v = uscc_value((unsigned char)first17[i]);
        if (v < 0) return 0;
        sum += v * USCC_WEIGHTS[i];
    }
    return USCC_CHARSET[(31 - sum % 31) % 31];
}

const char *code_check_uscc(const char *s, char why[CODE_WHY_MAX]) {
    Norm n;
    norm(s, &n);
    if (n.len == 0) return say(why, "不能为空");
    if (n.len != 18) return say(why, "长度应为18位，实为%zu位", n.len);
    for (size_t i = 0; i < 18; i++) {
        int c = (unsigned char)n.c[i];
        if (uscc_value(c) < 0) return bad_char(why, i + 1, c);
    }
    for (size_t i = 2; i < 8; i++)
        if (!is_digit((unsigned char)n.c[i]))
            return say(why, "第%zu位应为数字（第3–8位是登记管理机关行政区划码）", i + 1);
    char want = code_uscc_check_char(n.c);
    if (n.c[17] != want) return say(why, "校验码错误，应为 %c", want);
    return NULL;
}

/* ---- 居民身份证号码 ---- */

static const int ID_WEIGHTS[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};

char code_id_check_char(const char *first17) {
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (!is_digit((unsigned char)first17[i])) return 0;
        sum += (first17[i] - '0') * ID_WEIGHTS[i];
    }
    return "10X98765432"[sum % 11];
}

static int leap_year(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

const char *code_check_id_number(const char *s, char why[CODE_WHY_MAX]) {
    Norm n;
    norm(s, &n);
    if (n.len == 0) return say(why, "不能为空");
    if (n.len == 15) return say(why, "长度应为18位，实为15位（15位旧号码请换算为18位）");
    if (n.len != 18) return say(why, "长度应为18位，实为%zu位", n.len);
    for (size_t i = 0; i < 17; i++) {
        int c = (unsigned char)n.c[i];
        if (!is_digit(c)) {
            if (c == NON_ASCII) return bad_char(why, i + 1, c);
            return say(why, "第%zu位应为数字", i + 1);
        }
    }
    int last = (unsigned char)n.c[17];
    if (!is_digit(last) && last != 'X') return say(why, "第18位应为数字或X");
    if (n.c[0] == '0' && n.c[1] == '0') return say(why, "地址码（第1–6位）无效：省级代码不能为00");

    int y = 0, m = 0, d = 0;
    for (int i = 6; i < 10; i++)
        y = y * 10 + (n.c[i] - '0');
    for (int i = 10; i < 12; i++)
        m = m * 10 + (n.c[i] - '0');
    for (int i = 12; i < 14; i++)
        d = d * 10 + (n.c[i] - '0');
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap_year(y)))
        return say(why, "出生日期（第7–14位）%.8s不是有效日期", n.c + 6);
    if (y < 1900 || y > 2099)
        return say(why, "出生日期（第7–14位）%.8s超出1900—2099年范围", n.c + 6);

    char want = code_id_check_char(n.c);
    if (last != want) return say(why, "校验码错误，应为 %c", want);
    return NULL;
}

/* ---- 医保 codes and 行政区划 ---- */

const char *code_check_mi(const char *s, char kind, char why[CODE_WHY_MAX]) {
    int k = (kind >= 'a' && kind <= 'z') ? kind - 'a' + 'A' : kind;
    if (k != 'H' && k != 'P') return say(why, "医保代码类型应为 H 或 P");
    const char *what = k == 'H' ? "定点医疗机构" : "定点零售药店";
    Norm n;
    norm(s, &n);
    if (n.len == 0) return say(why, "不能为空");
    if (n.c[0] != k) return say(why, "%s代码应以 %c 开头", what, k);
    if (n.len != 12) return say(why, "长度应为12位，实为%zu位", n.len);
    for (size_t i = 1; i < 12; i++) {
        int c = (unsigned char)n.c[i];
        if (!is_digit(c)) {
            if (c == NON_ASCII) return bad_char(why, i + 1, c);
            return say(why, "第%zu位应为数字", i + 1);
        }
    }
    if (n.c[1] == '0' && n.c[2] == '0') return say(why, "第2–7位行政区划码无效：省级代码不能为00");
    return NULL;
}

int code_mi_region(const char *s, char out[7]) {
    char why[CODE_WHY_MAX];
    Norm n;
    norm(s, &n);
    if (n.len == 0 || code_check_mi(s, n.c[0], why)) return -1;
    memcpy(out, n.c + 1, 6);
    out[6] = 0;
    return 0;
}

const char *code_check_region(const char *s, char why[CODE_WHY_MAX]) {
    Norm n;
    norm(s, &n);
    if (n.len == 0) return say(why, "不能为空");
    if (n.len != 6) return say(why, "长度应为6位，实为%zu位", n.len);
    for (size_t i = 0; i < 6; i++) {
        int c = (unsigned char)n.c[i];
        if (!is_digit(c)) {
            if (c == NON_ASCII) return bad_char(why, i + 1, c);
            return say(why, "第%zu位应为数字", i + 1);
        }
    }
    if (n.c[0] == '0' && n.c[1] == '0') return say(why, "省级代码（第1–2位）不能为00");
    return NULL;
}

/* ---- masking ---- */

/* Length in bytes of the UTF-8 character at p (1 for a stray byte). */
static size_t char_len(const char *p) {
    const unsigned char *u = (const unsigned char *)p;
    size_t k = u[0] >= 0xF0 ? 3 : u[0] >= 0xE0 ? 2 : u[0] >= 0xC0 ? 1 : 0;
    for (size_t i = 1; i <= k; i++)
        if ((u[i] & 0xC0) != 0x80) return 1;
    return k + 1;
}

/* Bytes of ASCII white space or U+3000 at p, 0 if none. */
static size_t blank_len(const char *p) {
    if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') return 1;
    const unsigned char *u = (const unsigned char *)p;
    if (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) return 3;
    return 0;
}

/* Two-character surnames (复姓) still in use; the first two characters of a name of three or
 * more characters that match one of these are kept. */
static const char *const COMPOUND_SURNAMES[] = {
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
    "司徒", "夏侯", "轩辕", "令狐", "钟离", "闾丘", "端木", "百里", "呼延", "东郭", "南宫",
    "西门", "独孤", "澹台", "公冶", "宗政", "濮阳", "太叔", "申屠", "公羊", "赫连", "万俟",
    "单于", "司空", "亓官", "司寇", "子车", "颛孙", "巫马", "公西", "漆雕", "乐正", "壤驷",
    "公良", "拓跋", "夹谷", "宰父", "谷梁", "段干", "左丘", "梁丘", "羊舌", "微生", "第五",
};

char *mask_person_name(const char *name) {
    if (!name) return xstrdup("");
    const char *b = name, *e;
    size_t k;
    while ((k = blank_len(b)) > 0)
        b += k;
    /* find the end of the last non-blank character */
    e = b;
    for (const char *p = b; *p; p += char_len(p))
        if (!blank_len(p)) e = p + char_len(p);

    size_t nchars = 0;
    for (const char *p = b; p < e; p += char_len(p))
        nchars++;
    if (nchars == 0) return xstrdup("");

    size_t keep_bytes = char_len(b), keep_chars = 1;
    if (nchars >= 3) {
        size_t two = keep_bytes + char_len(b + keep_bytes);
        for (size_t i = 0; i < ARRAY_LEN(COMPOUND_SURNAMES); i++) {
            const char *cs = COMPOUND_SURNAMES[i];
            if (strlen(cs) == two && memcmp(b, cs, two) == 0) {
                keep_bytes = two;
                keep_chars = 2;
                break;
            }
        }
    }
    Buf out;
    buf_init(&out);
    buf_append(&out, b, keep_bytes);
    for (size_t i = keep_chars; i < nchars; i++)
        buf_putc(&out, '*');
    return buf_steal(&out);
}

char *mask_id_number(const char *id) {
    if (!id) return xstrdup("");
    char *s = xstrdup(id);
    code_normalize(s);
    size_t nchars = 0, nbytes = strlen(s);
    int ascii = 1;
    for (const char *p = s; *p; p += char_len(p)) {
        nchars++;
        if ((unsigned char)*p >= 0x80) ascii = 0;
    }
    Buf out;
    buf_init(&out);
    if (ascii && (nchars == 18 || nchars == 15)) {
        buf_append(&out, s, 6);
        for (size_t i = 10; i < nchars; i++)
            buf_putc(&out, '*');
        buf_append(&out, s + nbytes - 4, 4);
    } else {
        /* Unknown format: reveal nothing but the length. */
        for (size_t i = 0; i < nchars; i++)
            buf_putc(&out, '*');
    }
    free(s);
    return buf_steal(&out);
}

char *mask_phone(const char *phone) {
    size_t n = phone ? strlen(phone) : 0, digits = 0, other = 0;
    for (size_t i = 0; i < n; i++) {
        if (phone[i] >= '0' && phone[i] <= '9')
            digits++;
        else
            other++;
    }
    /* 13812345678, 0319-1234567, +8613812345678: at least 11 digits keep 3 and 4 of them hidden
     * in the middle; anything shorter would show most of itself, so nothing is shown */
    if (digits < 11 || other > 2) return xstrdup("（已隐藏）");
    return xasprintf("%.3s****%s", phone, phone + n - 4);
}
