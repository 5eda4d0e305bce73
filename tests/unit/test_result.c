/* test_result.c - the pure rules of src/domain/result.c: review and publication transitions, who
 * may review (never one's own record), the 20-working-day publication deadline over the real
 * data/holidays.tsv (unknown beyond the data), the findings rule over the result categories, the
 * public record builder (an insured person is never named) and CSV quoting of the exchange file. */
#include "domain/result.h"
#include "domain/task.h"
#include "core/util.h"

#include "t.h"

#include <stdlib.h>

static Calendar *cal;

static void test_transitions(void) {
    CHECK_STR(result_next("待审核", "return"), "退回");
    CHECK_STR(result_next("待审核", "approve"), "审核通过");
    CHECK_STR(result_next("审核通过", "publish"), "已公示");
    CHECK(result_next("待审核", "publish") == NULL); /* no publication without review */
    CHECK(result_next("退回", "approve") == NULL);   /* re-submission belongs to the form */
    CHECK(result_next("待录入", "approve") == NULL);
    CHECK(result_next("审核通过", "return") == NULL);
    CHECK(result_next("已公示", "publish") == NULL); /* published is final */
    CHECK(result_next(NULL, "approve") == NULL);
    CHECK(result_next("待审核", "bogus") == NULL);
    CHECK_STR(result_action_name("return"), "退回");
    CHECK_STR(result_action_name("approve"), "审核通过");
    CHECK_STR(result_action_name("publish"), "公示");
    CHECK(result_action_name("delete") == NULL);
}

static void test_who_may_review(void) {
    CHECK_INT(result_may_review("leader", "officer"), 1);
    CHECK_INT(result_may_review("leader", NULL), 1); /* submitter unknown: not the reviewer */
    CHECK_INT(result_may_review("leader", "leader"), 0);
    CHECK_INT(result_may_review("", "officer"), 0);
    CHECK_INT(result_may_review(NULL, "officer"), 0);
}

static void test_deadline(void) {
    char out[11] = "";
    /* Mon 2025-09-15: 9-28 (Sunday) is a working day, 10-01..10-08 are off, 10-11 (Saturday) works
     */
    CHECK_INT(result_deadline(cal, "2025-09-15", out), CAL_OK);
    CHECK_STR(out, "2025-10-17");
    CHECK_INT(result_is_late("2025-10-17", "2025-10-17"), 0); /* the end of the last day */
    CHECK_INT(result_is_late("2025-10-17", "2025-10-20"), 1);
    CHECK_INT(result_is_late(NULL, "2025-10-20"), 0);                    /* unknown is never late */
    CHECK_INT(result_deadline(cal, "2026-12-20", out), CAL_PROVISIONAL); /* into 2027: 预计 */
    CHECK_STR(out, "2027-01-18");
    CHECK_INT(result_deadline(cal, "2050-12-20", out), CAL_UNKNOWN); /* beyond the lunar table */
    CHECK_INT(result_deadline(cal, NULL, out), CAL_INVALID);
    CHECK_INT(result_deadline(cal, "2025-02-30", out), CAL_INVALID);
    CHECK_INT(result_deadline(NULL, "2025-09-15", out), CAL_UNKNOWN);
}

/* The rows of data/result_categories.tsv. */
static const ResultCategory cats[] = {
    {"01", "未发现问题", NULL},
    {"02", "发现问题待后续处理", NULL},
    {"0201", "违反医疗保障相关规定", "02"},
    {"03", "发现问题已责令改正", NULL},
    {"04", "未发现开展本次抽查涉及的经营活动", NULL},
    {"05", "通过登记的住所（经营场所）无法联系", NULL},
    {"06", "已关闭停业或正在组织清算", NULL},
    {"07", "不配合检查情节严重", NULL},
    {"08", "注销", NULL},
    {"09", "被吊销", NULL},
    {"10", "被撤销", NULL},
    {"11", "迁出", NULL},
    {"0299", "某部门新增子项", "02"},
};

static void test_findings(void) {
    size_t n = ARRAY_LEN(cats);
    CHECK_INT(result_category_is_finding(cats, n, "01"), 0);
    CHECK_INT(result_category_is_finding(cats, n, "02"), 1);
    CHECK_INT(result_category_is_finding(cats, n, "0201"), 1); /* through its parent */
    CHECK_INT(result_category_is_finding(cats, n, "0299"), 1); /* a bureau's new sub-item */
    CHECK_INT(result_category_is_finding(cats, n, "03"), 1);
    CHECK_INT(result_category_is_finding(cats, n, "07"), 1);
    for (const char *const *c =
             (const char *const[]){"04", "05", "06", "08", "09", "10", "11", "99", NULL};
         *c; c++)
        CHECK_INT(result_category_is_finding(cats, n, *c), 0);
    CHECK_INT(result_codes_have_finding(cats, n, "04,05"), 0);
    CHECK_INT(result_codes_have_finding(cats, n, "04, 0201"), 1);
    CHECK_INT(result_codes_have_finding(cats, n, ""), 0);
    CHECK_INT(result_codes_have_finding(cats, n, NULL), 0);
}

static void test_type_label(void) {
    char *s = result_type_label("不定向", 0);
    CHECK_STR(s, "双随机抽查（不定向）");
    free(s);
    s = result_type_label("定向", 1);
    CHECK_STR(s, "双随机抽查（定向、联合抽查）");
    free(s);
    s = result_type_label(NULL, 0);
    CHECK_STR(s, "双随机抽查");
    free(s);
}

static void test_public_record_insured(void) {
    const char *labels[] = {"发现问题已责令改正"};
    ResultPublicInput in = {.org_name = "宁晋县医疗保障局",
                            .task_kind = "不定向",
                            .task_code = "2025101-001号",
                            .task_name = "参保人就医购药抽查",
                            .checked_on = "2025-06-10",
                            .remarks = "已责令改正",
                            .published_on = "2025-06-20",
                            .joint = 0,
                            .target_kind = "insured",
                            .target_name = "张三丰",
                            .target_code = "R8BFBB4CD5994B5E",
                            .uscc = "11010519491231002X",
                            .mi_code = "X",
                            .result_labels = labels,
                            .nresults = 1};
    json_t *o = result_public_record(&in);
    char *dump = json_dumps(o, JSON_COMPACT);
    CHECK_STR(json_string_value(json_object_get(o, "target_name")), "参保人（个人信息不公开）");
    CHECK_STR(json_string_value(json_object_get(o, "target_code")), "R8BFBB4CD5994B5E");
    CHECK(json_is_null(json_object_get(o, "uscc")));
    CHECK(json_is_null(json_object_get(o, "mi_code")));
    CHECK(json_is_true(json_object_get(o, "insured")));
    CHECK(strstr(dump, "张") == NULL);
    CHECK(strstr(dump, "11010519491231002X") == NULL);
    CHECK(strstr(dump, "grade") == NULL);
    CHECK_STR(json_string_value(json_object_get(o, "org_name")), "宁晋县医疗保障局");
    CHECK_STR(json_string_value(json_object_get(o, "type")), "双随机抽查（不定向）");
    CHECK_STR(json_string_value(json_object_get(o, "date")), "2025-06-10");
    CHECK_STR(json_string_value(json_object_get(o, "result_text")), "发现问题已责令改正");
    CHECK_STR(json_string_value(json_object_get(o, "remarks")), "已责令改正");
    free(dump);
    json_decref(o);

    /* an employer keeps its name and code; several results are joined */
    const char *two[] = {"违反医疗保障相关规定", "发现问题已责令改正"};
    in.target_kind = "employer";
    in.target_name = "宁晋某公司";
    in.uscc = "91110000600037341L";
    in.mi_code = NULL;
    in.result_labels = two;
    in.nresults = 2;
    in.joint = 1;
    o = result_public_record(&in);
    CHECK_STR(json_string_value(json_object_get(o, "target_name")), "宁晋某公司");
    CHECK_STR(json_string_value(json_object_get(o, "uscc")), "91110000600037341L");
    CHECK(json_is_null(json_object_get(o, "mi_code")));
    CHECK_STR(json_string_value(json_object_get(o, "result_text")),
              "违反医疗保障相关规定；发现问题已责令改正");
    CHECK_INT(json_array_size(json_object_get(o, "results")), 2);
    CHECK_STR(json_string_value(json_object_get(o, "type")), "双随机抽查（不定向、联合抽查）");
    json_decref(o);
}

static void test_csv(void) {
    Buf b;
    buf_init(&b);
    result_csv_field(&b, "plain");
    buf_putc(&b, '|');
    result_csv_field(&b, "a,b");
    buf_putc(&b, '|');
    result_csv_field(&b, "say \"hi\"");
    buf_putc(&b, '|');
    result_csv_field(&b, "two\nlines");
    buf_putc(&b, '|');
    result_csv_field(&b, NULL);
    buf_putc(&b, '|');
    result_csv_field(&b, "中文，全角逗号");
    buf_putc(&b, '|');
    result_csv_field(&b, "=HYPERLINK(\"http://x\",\"y\")"); /* formula injection: defused */
    buf_putc(&b, '|');
    result_csv_field(&b, "@SUM(1)");
    CHECK_STR(b.data, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"||中文，全角逗号|"
                      "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"|'@SUM(1)");
    buf_free(&b);

    json_t *rows = json_array(), *row = json_object();
    const char *vals[8] = {"91110000600037341L",   "某公司,分公司", "宁晋县医疗保障局",
                           "双随机抽查（不定向）", "2025-06-10",    "未发现问题",
                           "备注\"引号\"",         "2025101-001号"};
    for (int i = 0; i < 8; i++)
        json_object_set_new(row, result_exchange_headers[i], json_string(vals[i]));
    json_array_append_new(rows, row);
    char *csv = result_exchange_csv(rows);
    CHECK(strncmp(csv,
                  "\xEF\xBB\xBF统一社会信用代码,名称,检查实施机关,类型,日期,结果,备注,任务编号\r\n",
                  3 + 76) == 0);
    CHECK(strstr(csv, "\r\n91110000600037341L,\"某公司,分公司\",宁晋县医疗保障局,"
                      "双随机抽查（不定向）,2025-06-10,未发现问题,"
                      "\"备注\"\"引号\"\"\",2025101-001号\r\n") != NULL);
    free(csv);
    json_decref(rows);
}

int main(void) {
    char *err = NULL;
    cal = task_calendar_load(NULL, &err);
    if (!cal) {
        fprintf(stderr, "calendar: %s\n", err ? err : "?");
        return 1;
    }
    RUN(test_transitions);
    RUN(test_who_may_review);
    RUN(test_deadline);
    RUN(test_findings);
    RUN(test_type_label);
    RUN(test_public_record_insured);
    RUN(test_csv);
    calendar_free(cal);
    return T_DONE();
}
