/* test_util.c - text_to_utf8 (src/core/util.c): names in any encoding become readable UTF-8. */
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
    CHECK(conv_is("现场.jpg", strlen("现场.jpg"), "现场.jpg"));                 /* UTF-8 stays */
    CHECK(conv_is("\xCF\xD6\xB3\xA1.jpg", 8, "现场.jpg"));                       /* GB18030 converted */
    CHECK(conv_is("a\xFF" "b", 3, "a\xEF\xBF\xBD" "b"));                         /* no text: U+FFFD */
    CHECK(conv_is("a\0b", 3, "a\xEF\xBF\xBD" "b"));                              /* NUL never cuts a name */
    CHECK(conv_is("ab\xE7", 3, "ab\xEF\xBF\xBD"));   /* a cut character, no GB18030 either */
    CHECK(conv_is("", 0, ""));
}

int main(void) {
    RUN(test_text_to_utf8);
    return T_DONE();
}
