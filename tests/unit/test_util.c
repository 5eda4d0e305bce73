/* test_util.c - src/core/util.c: text_to_utf8 (names in any encoding become readable UTF-8),
 * str_id. */
#include "../../src/core/util.h"
#include "t.h"

#include <stdlib.h>

static int conv_is(const char *in, size_t n, const char *want) {
    char *got = text_to_utf8(in, n);
    int ok = !strcmp(got, want);
    if (!ok) fprintf(stderr, "  text_to_utf8 gave \"%s\", expected \"%s\"\n", got, want);
    free(got);
    return ok;
}

static void test_text_to_utf8(void) {
    CHECK(conv_is("现场.jpg", strlen("现场.jpg"), "现场.jpg")); /* UTF-8 stays */
    CHECK(conv_is("\xCF\xD6\xB3\xA1.jpg", 8, "现场.jpg"));      /* GB18030 converted */
    CHECK(conv_is("a\xFF"
                  "b",
                  3,
                  "a\xEF\xBF\xBD"
                  "b")); /* no text: U+FFFD */
    CHECK(conv_is("a\0b", 3,
                  "a\xEF\xBF\xBD"
                  "b"));                           /* NUL never cuts a name */
    CHECK(conv_is("ab\xE7", 3, "ab\xEF\xBF\xBD")); /* a cut character, no GB18030 either */
    CHECK(conv_is("", 0, ""));
}

static void test_str_id(void) {
    CHECK(str_id("1") == 1 && str_id("42") == 42 &&
          str_id("123456789012345678") == 123456789012345678LL);
    CHECK(str_id(NULL) == 0 && str_id("") == 0 && str_id("0") == 0 && str_id("000") == 0);
    CHECK(str_id(" 5") == 0 && str_id("5 ") == 0 && str_id("+5") == 0 && str_id("-5") == 0 &&
          str_id("5a") == 0);
    CHECK(str_id("1234567890123456789") == 0); /* 19 digits: could overflow */
}

int main(void) {
    RUN(test_text_to_utf8);
    RUN(test_str_id);
    return T_DONE();
}
