/* test_record.c - the pure rules of src/domain/record.c: amounts typed in yuan to fen, file types
 * by magic bytes (never by name), result categories (an exclusive category stands alone; a
 * parent with its child is the child), what submission needs, and the 20-working-day entry
 * deadline over the real data/holidays.tsv (unknown beyond the data, never guessed). */
#include "domain/record.h"
#include "domain/task.h"
#include "core/util.h"

#include "t.h"

#include <stdlib.h>

static Calendar *cal;

static void test_sniff(void) {
    const unsigned char jpg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'};
    const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
    const unsigned char webp[] = {'R', 'I', 'F', 'F', 1, 2, 3, 4, 'W', 'E', 'B', 'P'};
    const unsigned char mp4[] = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
    const unsigned char mov[] = {0, 0, 0, 0x14, 'f', 't', 'y', 'p', 'q', 't', ' ', ' '};
    const unsigned char webm[] = {0x1a, 0x45, 0xdf, 0xa3, 1, 2};
    const unsigned char text[] = "GIF89a is not allowed, nor text";
    CHECK_STR(record_sniff("photo", jpg, sizeof jpg), "image/jpeg");
    CHECK_STR(record_sniff("photo", png, sizeof png), "image/png");
    CHECK_STR(record_sniff("photo", webp, sizeof webp), "image/webp");
    CHECK_STR(record_sniff("video", mp4, sizeof mp4), "video/mp4");
    CHECK_STR(record_sniff("video", mov, sizeof mov), "video/quicktime");
    CHECK_STR(record_sniff("video", webm, sizeof webm), "video/webm");
    CHECK_STR(record_sniff("signature", png, sizeof png), "image/png");
    CHECK(record_sniff("signature", jpg, sizeof jpg) ==
          NULL); /* a signature is a PNG from the canvas */
    CHECK(record_sniff("photo", mp4, sizeof mp4) == NULL);
    CHECK(record_sniff("video", jpg, sizeof jpg) == NULL);
    CHECK(record_sniff("photo", text, sizeof text) == NULL);
    CHECK(record_sniff("photo", jpg, 2) == NULL); /* too short */
    CHECK(record_sniff("other", png, sizeof png) == NULL);
    CHECK_INT(record_file_limit("photo"), 10u << 20);
    CHECK_INT(record_file_limit("video"), 64u << 20);
    CHECK_INT(record_file_limit("signature"), 1u << 20);
    CHECK_INT(record_file_limit("exe"), 0);
}

static const RecordCat cats[] = {
    {"01", "未发现问题", NULL, 1},
    {"02", "发现问题待后续处理", NULL, 0},
    {"0201", "违反医疗保障相关规定", "02", 0},
    {"03", "发现问题已责令改正", NULL, 0},
};

/* The task's period as days (the bound of the check dates, record_check.c). */
static void test_period(void) {
    char first[11], last[11];
    CHECK_INT(record_period("2025-03", "2025-10", first, last), 0);
    CHECK_STR(first, "2025-03-01");
    CHECK_STR(last, "2025-10-31");
    CHECK_INT(record_period("2024-02", "2024-02", first, last), 0);
    CHECK_STR(last, "2024-02-29"); /* leap year */
    CHECK_INT(record_period("2025-01", "2025-02", first, last), 0);
    CHECK_STR(last, "2025-02-28");
    CHECK_INT(record_period("2025-11", "2026-01", first, last), 0); /* across a year */
    CHECK_STR(last, "2026-01-31");
    CHECK_INT(record_period("2025-13", "2025-12", first, last), -1);
    CHECK_STR(first, "");
    CHECK_INT(record_period("2025-1", "2025-12", first, last), -1);
    CHECK_INT(record_period(NULL, "2025-12", first, last), -1);
    CHECK_INT(record_period("2025-03", "2025-1x", first, last), -1);
}

static void test_results(void) {
    char *why = NULL;
    const char *a[] = {"01"};
    size_t n = 1;
    CHECK_INT(record_results_check(a, &n, cats, 4, &why), 0);
    CHECK_INT(n, 1);
    const char *b[] = {"01", "03"};
    n = 2;
    CHECK_INT(record_results_check(b, &n, cats, 4, &why), -1);
    CHECK(why && strstr(why, "未发现问题") && strstr(why, "单独"));
    free(why), why = NULL;
    const char *c[] = {"02", "0201", "03", "03", ""};
    n = 5;
    CHECK_INT(record_results_check(c, &n, cats, 4, &why), 0);
    CHECK_INT(n, 2); /* the parent 02 gives way to its child; the duplicate and the blank go */
    CHECK_STR(c[0], "0201");
    CHECK_STR(c[1], "03");
    const char *d[] = {"99"};
    n = 1;
    CHECK_INT(record_results_check(d, &n, cats, 4, &why), -1);
    CHECK(why && strstr(why, "99"));
    free(why), why = NULL;
    const char *e[] = {"01", "01"};
    n = 2;
    CHECK_INT(record_results_check(e, &n, cats, 4, &why), 0); /* a duplicate is not a combination */
    CHECK_INT(n, 1);
}

static void test_submit(void) {
    RecordSubmitItem items[] = {{"基金使用", "onsite", "0201"}, {"价格行为检查", "", "01"}};
    RecordSubmitView v = {"2025-06-03", "0201", items, 2, 2, "院长甲", NULL, 1};
    json_t *e = json_object();
    CHECK_INT(record_submit_check(&v, e), 1); /* item 2 lacks a method */
    CHECK(strstr(json_string_value(json_object_get(e, "items")), "第2项"));
    json_decref(e);
    items[1].methods = "documents";
    e = json_object();
    CHECK_INT(record_submit_check(&v, e), 0);
    json_decref(e);
    v.has_signature = 0; /* no signature: a refusal reason will do */
    e = json_object();
    CHECK_INT(record_submit_check(&v, e), 1);
    CHECK(json_object_get(e, "signature") != NULL);
    json_decref(e);
    v.refusal_reason = "负责人拒绝签字";
    e = json_object();
    CHECK_INT(record_submit_check(&v, e), 0);
    json_decref(e);
    v.has_signature = 1, v.signer_name = "",
    v.refusal_reason = NULL; /* a signature without a name */
    e = json_object();
    CHECK_INT(record_submit_check(&v, e), 1);
    json_decref(e);
    RecordSubmitView empty = {NULL, "", items, 0, 1, NULL, NULL, 0};
    e = json_object();
    CHECK_INT(record_submit_check(&empty, e), 4);
    CHECK(json_object_get(e, "checked_on") && json_object_get(e, "result_codes") &&
          json_object_get(e, "officers"));
    json_decref(e);
}

static void test_deadline(void) {
    char d[11], st[64];
    int over = 0;
    /* checked Tue 2025-09-30: 10-01..10-08 holidays, 10-11 (Sat) a working day; 20 working days →
     * 11-04 */
    CHECK_INT(record_deadline(cal, "2025-09-30", "2025-10", "2025-10-31", d, st, &over), CAL_OK);
    CHECK_STR(d, "2025-11-04");
    CHECK_STR(st, "剩余2个工作日");
    CHECK_INT(over, 0);
    CHECK_INT(record_deadline(cal, "2025-09-30", NULL, "2025-11-04", d, st, &over), CAL_OK);
    CHECK_STR(st, "今日到期");
    CHECK_INT(record_deadline(cal, "2025-09-30", NULL, "2025-11-07", d, st, &over), CAL_OK);
    CHECK_STR(st, "已逾期3个工作日");
    CHECK_INT(over, 1);
    /* before the check: the last day of month_to + 20 working days */
    CHECK_INT(record_deadline(cal, NULL, "2025-06", "2025-06-01", d, st, &over), CAL_OK);
    CHECK_STR(d, "2025-07-28");
    /* beyond the calendar data: unknown, never guessed */
    CHECK_INT(record_deadline(cal, "2099-06-01", NULL, "2099-06-02", d, st, &over), CAL_UNKNOWN);
    CHECK_STR(st, "期限未知");
    CHECK_STR(d, "");
    CHECK(record_deadline(NULL, "2025-06-01", NULL, "2025-06-02", d, st, &over) != CAL_OK);
    CHECK_STR(st, "期限未知");
}

/* Where a record's files go by default: beside the database file, whatever form its path takes. */
static void test_files_dir(void) {
    const char *cases[][2] = {{"var/spotcheck.db", "var/files"},
                              {"/srv/x/county.db", "/srv/x/files"},
                              {"sqlite:/srv/x/county.db", "/srv/x/files"},
                              {"county.db", "files"},
                              {"postgresql://u@/spotcheck?host=/run/pg", "files"},
                              {"host=/run/pg dbname=spotcheck", "files"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *dir = record_files_dir(cases[i][0]);
        CHECK_STR(dir, cases[i][1]);
        free(dir);
    }
}

int main(void) {
    char *err = NULL;
    cal = task_calendar_load(NULL, &err);
    if (!cal) {
        fprintf(stderr, "calendar: %s\n", err ? err : "?");
        return 1;
    }
    RUN(test_sniff);
    RUN(test_period);
    RUN(test_results);
    RUN(test_submit);
    RUN(test_deadline);
    RUN(test_files_dir);
    calendar_free(cal);
    return T_DONE();
}
