/* Amounts typed in yuan → fen and back (src/core/money.h): the one parser of records and
 * follow-ups. */
#include "../../src/core/money.h"
#include "../../src/core/util.h"
#include "t.h"

static void test_parse(void) {
    static const struct {
        const char *in;
        long long fen;
    } good[] = {
        {"12,345.60", 1234560},
        {" 12345.6 ", 1234560},
        {"0", 0},
        {"1,000,000元", 100000000},
        {"3.05", 305},
        {"12元", 1200},
        {"12 元", 1200},
        {" 1\xEF\xBC\x8C"
         "000 ",
         100000},                           /* ， */
        {"100000000000", 10000000000000LL}, /* the cap itself */
    };
    for (size_t i = 0; i < ARRAY_LEN(good); i++) {
        int64_t f = -1;
        CHECK_INT(money_parse_yuan(good[i].in, &f), 0);
        CHECK_INT(f, good[i].fen);
    }
    const char *bad[] = {"",
                         " ",
                         "abc",
                         "12,34.5",
                         "1,2345",
                         ",123",
                         "100,",
                         "1,,000",
                         "1.234",
                         "1.",
                         "-5",
                         "+5",
                         "12 345",
                         "1e5",
                         "\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93" /* １２３ */,
                         "元",
                         ".5",
                         "100000000001",
                         "999999999999999999999999999999" /* no overflow on the way */};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        int64_t f = -7;
        CHECK_INT(money_parse_yuan(bad[i], &f), -1);
        CHECK_INT(f, -7); /* untouched */
    }
    CHECK_INT(money_parse_yuan(NULL, &(int64_t){0}), -1);
}

static void test_format(void) {
    char out[32];
    money_format_yuan(1234560, out);
    CHECK_STR(out, "12,345.60");
    money_format_yuan(5, out);
    CHECK_STR(out, "0.05");
    money_format_yuan(100000000, out);
    CHECK_STR(out, "1,000,000.00");
    money_format_yuan(-3, out);
    CHECK_STR(out, "0.00");
    money_format_yuan(10000000000000LL, out);
    CHECK_STR(out, "100,000,000,000.00");
    /* round trip */
    int64_t f = 0;
    CHECK_INT(money_parse_yuan(out, &f), 0);
    CHECK_INT(f, 10000000000000LL);
}

int main(void) {
    RUN(test_parse);
    RUN(test_format);
    return T_DONE();
}
