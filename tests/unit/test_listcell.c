/* test_listcell.c - the one list-cell splitter (src/core/listcell.c). */
#include "../../src/core/listcell.h"
#include "t.h"

#include <stdlib.h>

/* Splits text and compares with the '|'-joined expectation. */
static int split_is(const char *text, ListKind kind, const char *want) {
    char **v;
    size_t n = list_split(text, kind, &v);
    char got[512] = "";
    for (size_t i = 0; i < n; i++) {
        if (i) strcat(got, "|");
        strcat(got, v[i]);
    }
    list_free(v, n);
    if (strcmp(got, want))
        fprintf(stderr, "  split(\"%s\") = \"%s\", expected \"%s\"\n", text ? text : "(null)", got,
                want);
    return !strcmp(got, want);
}

static void test_codes(void) {
    CHECK(split_is("D1、D2，D3,D4；D5;D6", LIST_CODES, "D1|D2|D3|D4|D5|D6"));
    CHECK(split_is("S-MED S-PHA\tS-X\nS-Y\r\nS-Z", LIST_CODES, "S-MED|S-PHA|S-X|S-Y|S-Z"));
    CHECK(split_is(" ,,、 A ；；", LIST_CODES, "A"));
    CHECK(split_is("", LIST_CODES, ""));
    CHECK(split_is(NULL, LIST_CODES, ""));
    CHECK(split_is("\xE3\x80\x80"
                   "A"
                   "\xE3\x80\x80",
                   LIST_CODES, "A"));          /* ideographic spaces */
    CHECK(split_is("A,A", LIST_CODES, "A|A")); /* duplicates kept */
}

static void test_names(void) {
    /* the bug this module ends: "A；B" was one department in a plan row and two in its task */
    CHECK(split_is("市场监管局；卫生健康委", LIST_NAMES, "市场监管局|卫生健康委"));
    CHECK(split_is("市场监管局、卫生健康委", LIST_NAMES, "市场监管局|卫生健康委"));
    CHECK(split_is("Dept of Health, 公安局", LIST_NAMES,
                   "Dept of Health|公安局")); /* a space stays */
    CHECK(split_is("甲\n乙\r\n丙", LIST_NAMES, "甲|乙|丙"));
}

static void test_phrases(void) {
    CHECK(split_is("对定点医疗机构、定点零售药店的检查；对用人单位的检查", LIST_PHRASES,
                   "对定点医疗机构、定点零售药店的检查|对用人单位的检查"));
    CHECK(split_is("甲，乙,丙\n丁", LIST_PHRASES, "甲，乙,丙|丁"));
}

static void test_utf8_boundaries(void) {
    /* a separator's bytes inside another character never split: 、 is E3 80 81; 〈 is E3 80 88 */
    CHECK(split_is("〈甲〉", LIST_CODES, "〈甲〉"));
    CHECK(split_is("甲", LIST_CODES, "甲"));
}

int main(void) {
    RUN(test_codes);
    RUN(test_names);
    RUN(test_phrases);
    RUN(test_utf8_boundaries);
    return T_DONE();
}
