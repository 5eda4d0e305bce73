/* test_codes.c - the code validators and masking of src/domain/codes.c: every published valid
 * and invalid example of REFERENCE.md, normalisation, edge cases, and property tests over random
 * codes whose check characters are computed here independently of the implementation. */
#include "domain/codes.h"
#include "core/util.h"

#include "t.h"

#include <stdint.h>
#include <stdlib.h>

static char why[CODE_WHY_MAX];

/* Deterministic PRNG so a failure can be reproduced. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static unsigned rnd(unsigned n) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

/* Independent reference: weights 3^(i-1) mod 31 computed, not copied from a table. */
static const char CS[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static char ref_uscc_check(const char *s) {
    long sum = 0, w = 1;
    for (int i = 0; i < 17; i++) {
        sum += (long)(strchr(CS, s[i]) - CS) * w;
        w = w * 3 % 31;
    }
    return CS[(31 - sum % 31) % 31];
}

/* Independent reference: ISO 7064 MOD 11-2 as the recursive form (weights 2^(17-i) mod 11). */
static char ref_id_check(const char *s) {
    int p = 0;
    for (int i = 0; i < 17; i++)
        p = ((p + (s[i] - '0')) * 2) % 11;
    int c = (12 - p) % 11; /* check value such that (p + c) % 11 == 1 */
    return c == 10 ? 'X' : (char)('0' + c);
}

static void test_uscc_published(void) {
    const char *ok[] = {"91110000600037341L", "12110000400686291H", "9144030071526726XG",
                        "91310115MA1K3BTP2B", "91620105L015101280"};
    for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
        const char *r = code_check_uscc(ok[i], why);
        if (r) fprintf(stderr, "  %s: %s\n", ok[i], r);
        CHECK(r == NULL);
        CHECK_INT(code_uscc_check_char(ok[i]), ok[i][17]);
        CHECK_INT(ref_uscc_check(ok[i]), ok[i][17]);
    }
    CHECK_STR(code_check_uscc("91110000600037341N", why), "校验码错误，应为 L");
    CHECK(code_check_uscc("91110000600037341N", why) == why);
}

static void test_uscc_reasons(void) {
    CHECK_STR(code_check_uscc("91110000600037341", why), "长度应为18位，实为17位");
    CHECK_STR(code_check_uscc("91110000600037341LL", why), "长度应为18位，实为19位");
    CHECK_STR(code_check_uscc("", why), "不能为空");
    CHECK_STR(code_check_uscc(NULL, why), "不能为空");
    CHECK_STR(code_check_uscc("  - ", why), "不能为空");
    /* I O S V Z are outside the charset (lower-case i is upper-cased first) */
    CHECK_STR(code_check_uscc("9111I000600037341L", why), "第5位字符非法（I）");
    CHECK_STR(code_check_uscc("91110000600037341o", why), "第18位字符非法（O）");
    CHECK_STR(code_check_uscc("911100006000373S1L", why), "第16位字符非法（S）");
    CHECK_STR(code_check_uscc("9V110000600037341L", why), "第2位字符非法（V）");
    CHECK_STR(code_check_uscc("91110000600037341Z", why), "第18位字符非法（Z）");
    CHECK_STR(code_check_uscc("91110000600037*41L", why), "第15位字符非法（*）");
    /* positions 3-8 are the region: digits only, even when the letter is in the charset */
    CHECK_STR(code_check_uscc("91A10000600037341L", why),
              "第3位应为数字（第3–8位是登记管理机关行政区划码）");
    CHECK_STR(code_check_uscc("9111000A600037341L", why),
              "第8位应为数字（第3–8位是登记管理机关行政区划码）");
    /* a non-ASCII character counts as one character and is illegal at its position */
    CHECK_STR(code_check_uscc("9111中0000600037341L", why), "长度应为18位，实为19位");
    CHECK_STR(code_check_uscc("9111中000600037341L", why), "第5位字符非法");
    CHECK_STR(code_check_uscc("9111\xff"
                              "000600037341L",
                              why),
              "第5位字符非法");
    CHECK_STR(code_check_uscc("9111\xe4"
                              "000600037341L",
                              why),
              "第5位字符非法");
    /* positions 1-2 may be letters */
    char c[19] = "N2110000MA00000000";
    c[17] = code_uscc_check_char(c);
    CHECK(c[17] != 0);
    CHECK(code_check_uscc(c, why) == NULL);
    CHECK_INT(code_uscc_check_char("9111000060003734"), 0); /* too short: no overread */
    CHECK_INT(code_uscc_check_char("9111I00060003734X"), 0);
    /* a very long input reports its length without overflow */
    char big[300];
    memset(big, '9', sizeof big - 1);
    big[sizeof big - 1] = 0;
    CHECK_STR(code_check_uscc(big, why), "长度应为18位，实为299位");
}

static void test_uscc_normalisation(void) {
    CHECK(code_check_uscc("91110000600037341l", why) == NULL);
    CHECK(code_check_uscc(" 9111-0000 6000 37341L ", why) == NULL);
    CHECK(code_check_uscc("91310115ma1k3btp2b", why) == NULL);
    CHECK(code_check_uscc("\xe3\x80\x80"
                          "91110000600037341L",
                          why) == NULL); /* U+3000 */
    /* full-width digits and letters, as typed with a Chinese input method */
    CHECK(code_check_uscc("９１１１００００６０００３７３４１Ｌ", why) == NULL);
    CHECK(code_check_uscc("９１１１００００６０００３７３４１ｌ", why) == NULL);
    CHECK(code_check_uscc("911100006000—37341L", why) == NULL); /* em dash */
    char s[] = " 9144-0300 7152 6726xg\xe3\x80\x80";
    CHECK_STR(code_normalize(s), "9144030071526726XG");
    char t[] = "Ｈ１１０１０１０００ｏ１";
    CHECK_STR(code_normalize(t), "H110101000O1");
    char u[] = "张三 abc";
    CHECK_STR(code_normalize(u), "张三ABC");
    char e[] = "";
    CHECK_STR(code_normalize(e), "");
    CHECK(code_normalize(NULL) == NULL);
}

static void random_uscc(char out[19]) {
    for (int i = 0; i < 17; i++)
        out[i] = (i >= 2 && i < 8) ? (char)('0' + rnd(10)) : CS[rnd(31)];
    out[17] = ref_uscc_check(out);
    out[18] = 0;
}

static void test_uscc_property(void) {
    int bad_valid = 0, missed = 0, missed_swap = 0;
    for (int k = 0; k < 20000; k++) {
        char c[19];
        random_uscc(c);
        if (code_check_uscc(c, why)) bad_valid++;
        if (code_uscc_check_char(c) != c[17]) bad_valid++;
        /* any single substitution inside the charset is detected (31 is prime) */
        char d[19];
        memcpy(d, c, sizeof d);
        int pos = (int)rnd(18);
        char orig = d[pos];
        do {
            d[pos] = CS[rnd(31)];
        } while (d[pos] == orig);
        if (!code_check_uscc(d, why)) missed++;
        /* adjacent transpositions of different characters are detected (distinct weights) */
        memcpy(d, c, sizeof d);
        pos = (int)rnd(16);
        if (d[pos] != d[pos + 1]) {
            char tmp = d[pos];
            d[pos] = d[pos + 1];
            d[pos + 1] = tmp;
            if (!code_check_uscc(d, why)) missed_swap++;
        }
    }
    CHECK_INT(bad_valid, 0);
    CHECK_INT(missed, 0);
    CHECK_INT(missed_swap, 0);
}

static void test_id_published(void) {
    CHECK(code_check_id_number("11010519491231002X", why) == NULL);
    CHECK(code_check_id_number("11010519491231002x", why) == NULL);
    CHECK(code_check_id_number("360426199101010071", why) == NULL);
    CHECK_STR(code_check_id_number("36042619910102009X", why), "校验码错误，应为 3");
    CHECK_INT(code_id_check_char("11010519491231002X"), 'X');
    CHECK_INT(code_id_check_char("36042619910102009"), '3');
    CHECK_INT(ref_id_check("36042619910102009"), '3');
    CHECK_INT(ref_id_check("11010519491231002"), 'X');
}

static void test_id_reasons(void) {
    CHECK_STR(code_check_id_number("", why), "不能为空");
    CHECK_STR(code_check_id_number(NULL, why), "不能为空");
    CHECK_STR(code_check_id_number("11010519491231002", why), "长度应为18位，实为17位");
    CHECK_STR(code_check_id_number("11010519491231002XX", why), "长度应为18位，实为19位");
    CHECK_STR(code_check_id_number("110105491231002", why),
              "长度应为18位，实为15位（15位旧号码请换算为18位）");
    CHECK_STR(code_check_id_number("1101051949123100A2", why), "第17位应为数字");
    CHECK(code_check_id_number("1101051949123100２X", why) == NULL); /* full-width 2 */
    CHECK_STR(code_check_id_number("11010519491231002Y", why), "第18位应为数字或X");
    CHECK(code_check_id_number("110105-19491231-002X", why) == NULL);
    CHECK_STR(code_check_id_number("110105194912310022", why), "校验码错误，应为 X");
    CHECK_STR(code_check_id_number("1101中519491231002X", why), "第5位字符非法");
    CHECK_STR(code_check_id_number("00010519491231002X", why),
              "地址码（第1–6位）无效：省级代码不能为00");
    /* birth dates: real calendar dates from 1900-01-01 to 2099-12-31 */
    CHECK_STR(code_check_id_number("11010519490230002X", why),
              "出生日期（第7–14位）19490230不是有效日期");
    CHECK_STR(code_check_id_number("11010519491331002X", why),
              "出生日期（第7–14位）19491331不是有效日期");
    CHECK_STR(code_check_id_number("11010519490000002X", why),
              "出生日期（第7–14位）19490000不是有效日期");
    CHECK_STR(code_check_id_number("11010519000229002X", why),
              "出生日期（第7–14位）19000229不是有效日期"); /* 1900 is not a leap year */
    char c[19];
    memcpy(c, "11010518991231002", 17);
    c[17] = ref_id_check(c);
    c[18] = 0;
    CHECK_STR(code_check_id_number(c, why), "出生日期（第7–14位）18991231超出1900—2099年范围");
    memcpy(c, "11010521000101002", 17);
    c[17] = ref_id_check(c);
    CHECK_STR(code_check_id_number(c, why), "出生日期（第7–14位）21000101超出1900—2099年范围");
    const char *edges[] = {"11010519000101002", "11010520991231002", "11010520000229002",
                           "11010520240229002"};
    for (size_t i = 0; i < ARRAY_LEN(edges); i++) {
        memcpy(c, edges[i], 17);
        c[17] = ref_id_check(c);
        const char *r = code_check_id_number(c, why);
        if (r) fprintf(stderr, "  %s: %s\n", c, r);
        CHECK(r == NULL);
    }
}

static void test_id_property(void) {
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int bad_valid = 0, missed = 0, missed_swap = 0;
    for (int k = 0; k < 20000; k++) {
        char c[64];
        unsigned y = 1900 + rnd(200), m = 1 + rnd(12), d = 1 + rnd((unsigned)mdays[m - 1]);
        snprintf(c, sizeof c, "%02u%04u%04u%02u%02u%03u", (11 + rnd(55)) % 100, rnd(10000) % 10000,
                 y % 10000, m % 100, d % 100, rnd(1000) % 1000);
        c[17] = ref_id_check(c);
        c[18] = 0;
        if (code_check_id_number(c, why)) {
            if (bad_valid++ < 3) fprintf(stderr, "  %s: %s\n", c, why);
        }
        /* single digit substitution among the 17 body digits is always detected */
        char e[19];
        memcpy(e, c, sizeof e);
        e[18] = 0;
        int pos = (int)rnd(17);
        char orig = e[pos];
        do {
            e[pos] = (char)('0' + rnd(10));
        } while (e[pos] == orig);
        if (!code_check_id_number(e, why)) missed++;
        /* so is a wrong check character */
        memcpy(e, c, sizeof e);
        e[17] = e[17] == 'X' ? '0' : e[17] == '9' ? 'X' : (char)(e[17] + 1);
        if (!code_check_id_number(e, why)) missed++;
        /* and an adjacent transposition in the body */
        memcpy(e, c, sizeof e);
        pos = (int)rnd(16);
        if (e[pos] != e[pos + 1]) {
            char tmp = e[pos];
            e[pos] = e[pos + 1];
            e[pos + 1] = tmp;
            if (!code_check_id_number(e, why)) missed_swap++;
        }
    }
    CHECK_INT(bad_valid, 0);
    CHECK_INT(missed, 0);
    CHECK_INT(missed_swap, 0);
}

static void test_mi(void) {
    CHECK(code_check_mi("H11010100001", 'H', why) == NULL);
    CHECK(code_check_mi("P31010100003", 'P', why) == NULL);
    CHECK(code_check_mi("h1101-0100-001", 'H', why) == NULL);
    CHECK(code_check_mi("p31010100003", 'p', why) == NULL);
    CHECK_STR(code_check_mi("H11010100001", 'P', why), "定点零售药店代码应以 P 开头");
    CHECK_STR(code_check_mi("P31010100003", 'H', why), "定点医疗机构代码应以 H 开头");
    CHECK_STR(code_check_mi("H1101010000", 'H', why), "长度应为12位，实为11位");
    CHECK_STR(code_check_mi("H110101000012", 'H', why), "长度应为12位，实为13位");
    CHECK_STR(code_check_mi("H1101010000A", 'H', why), "第12位应为数字");
    CHECK_STR(code_check_mi("H110中01000012", 'H', why), "长度应为12位，实为13位");
    CHECK_STR(code_check_mi("H110中0100001", 'H', why), "第5位字符非法");
    CHECK_STR(code_check_mi("H00010100001", 'H', why), "第2–7位行政区划码无效：省级代码不能为00");
    CHECK_STR(code_check_mi("", 'H', why), "不能为空");
    CHECK_STR(code_check_mi(NULL, 'P', why), "不能为空");
    CHECK_STR(code_check_mi("H11010100001", 'X', why), "医保代码类型应为 H 或 P");
    char region[7] = "";
    CHECK_INT(code_mi_region("H11010100001", region), 0);
    CHECK_STR(region, "110101");
    CHECK_INT(code_mi_region("p 310101 00003", region), 0);
    CHECK_STR(region, "310101");
    CHECK_INT(code_mi_region("X31010100003", region), -1);
    CHECK_INT(code_mi_region("", region), -1);
    CHECK_INT(code_mi_region("中31010100003", region), -1);
    CHECK_STR(region, "310101"); /* untouched on failure */
}

static void test_region(void) {
    const char *ok[] = {"130500", "130126", "411422", "640303", "110106", "110000"};
    for (size_t i = 0; i < ARRAY_LEN(ok); i++)
        CHECK(code_check_region(ok[i], why) == NULL);
    CHECK(code_check_region(" 130-500 ", why) == NULL);
    CHECK_STR(code_check_region("13050", why), "长度应为6位，实为5位");
    CHECK_STR(code_check_region("1305000", why), "长度应为6位，实为7位");
    CHECK_STR(code_check_region("1305a0", why), "第5位应为数字");
    CHECK_STR(code_check_region("13050中", why), "第6位字符非法");
    CHECK_STR(code_check_region("000000", why), "省级代码（第1–2位）不能为00");
    CHECK_STR(code_check_region("001234", why), "省级代码（第1–2位）不能为00");
    CHECK_STR(code_check_region("", why), "不能为空");
}

static void check_mask_name(const char *in, const char *want) {
    char *m = mask_person_name(in);
    CHECK_STR(m, want);
    free(m);
}

static void test_mask_name(void) {
    check_mask_name("张三", "张*");
    check_mask_name("李小龙", "李**");
    check_mask_name("欧阳娜娜", "欧阳**");
    check_mask_name("诸葛亮", "诸葛*");
    check_mask_name("司马相如", "司马**");
    check_mask_name("上官婉儿", "上官**");
    check_mask_name("欧阳", "欧*"); /* two characters: surname 欧, given name 阳 */
    check_mask_name("王", "王");
    check_mask_name(" 李四\xe3\x80\x80", "李*");
    check_mask_name("", "");
    check_mask_name("   ", "");
    check_mask_name(NULL, "");
    check_mask_name("阿卜杜拉·买买提", "阿*******"); /* 8 characters, the dot included */
    check_mask_name("John", "J***");
    check_mask_name("𠀀二三", "𠀀**");   /* 4-byte character as the surname */
    check_mask_name("张\xff三", "张**"); /* a stray byte counts as one character */
    /* the masked form has as many characters as the name: count characters, not bytes */
    char *m = mask_person_name("欧阳修文");
    CHECK_INT(utf8_len(m), 4);
    free(m);
}

static void check_mask_id(const char *in, const char *want) {
    char *m = mask_id_number(in);
    CHECK_STR(m, want);
    free(m);
}

static void test_mask_id(void) {
    check_mask_id("110105194912311234", "110105********1234");
    check_mask_id("11010519491231002X", "110105********002X");
    check_mask_id("11010519491231002x", "110105********002X");
    check_mask_id("110105 19491231 002X", "110105********002X");
    check_mask_id("110105491231002", "110105*****1002"); /* 15 digits keep their length */
    check_mask_id("E12345678", "*********");             /* unknown format: nothing shown */
    check_mask_id("身份证", "***");
    check_mask_id("", "");
    check_mask_id(NULL, "");
}

static void check_mask_phone(const char *in, const char *want) {
    char *m = mask_phone(in);
    CHECK_STR(m, want);
    free(m);
}

static void test_mask_phone(void) {
    check_mask_phone("13812345678", "138****5678");
    check_mask_phone("0319-1234567", "031****4567");
    check_mask_phone("+8613812345678", "+86****5678");
    check_mask_phone("123456", "（已隐藏）");       /* too short to show anything */
    check_mask_phone("5551234", "（已隐藏）");      /* 3 + 4 of 7 digits would be all of it */
    check_mask_phone("0319-123456", "（已隐藏）");  /* 10 digits: most of it */
    check_mask_phone("请联系王科长", "（已隐藏）"); /* not a number: nothing shown */
    check_mask_phone("", "（已隐藏）");
    check_mask_phone(NULL, "（已隐藏）");
}

int main(void) {
    RUN(test_uscc_published);
    RUN(test_uscc_reasons);
    RUN(test_uscc_normalisation);
    RUN(test_uscc_property);
    RUN(test_id_published);
    RUN(test_id_reasons);
    RUN(test_id_property);
    RUN(test_mi);
    RUN(test_region);
    RUN(test_mask_name);
    RUN(test_mask_id);
    RUN(test_mask_phone);
    return T_DONE();
}
