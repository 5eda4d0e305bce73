/* test_refdata.c - the TSV reference-data parser (src/domain/refdata.c), and that every file in
 * data/ parses with the header its loader will ask for. */
#include "domain/codes.h"
#include "domain/refdata.h"
#include "core/util.h"

#include "t.h"

#include <stdlib.h>

static RefTable *parse(const char *s, const char *const *want, char **err) {
    return refdata_parse(s, strlen(s), want, err);
}

static void test_basic(void) {
    static const char *const want[] = {"code", "label", "flag", NULL};
    const char *text = "\xEF\xBB\xBF# 说明\n"
                       "code\tlabel\tflag\r\n"
                       "\n"
                       "  # indented comment\n"
                       "a1\t 未发现问题 \t1\r\n"
                       "a2\t发现问题\t\n"
                       "\t\t\n"
                       "a3\t最后一行无换行\t否";
    char *err = NULL;
    RefTable *t = parse(text, want, &err);
    CHECK(t != NULL);
    CHECK(err == NULL);
    if (!t) return;
    CHECK_INT(t->ncols, 3);
    CHECK_INT(t->nrows, 3);
    CHECK_STR(t->cols[1], "label");
    CHECK_INT(t->rows[0].line, 5);
    CHECK_STR(t->rows[0].field[1], "未发现问题");
    CHECK_STR(t->rows[1].field[2], "");
    CHECK_INT(t->rows[2].line, 8);
    CHECK_STR(refdata_get(t, 2, "label"), "最后一行无换行");
    CHECK(refdata_get(t, 3, "label") == NULL);
    CHECK(refdata_get(t, 0, "nope") == NULL);
    CHECK_INT(refdata_col(t, "flag"), 2);
    CHECK_INT(refdata_col(t, "Flag"), -1);
    int f = -1;
    CHECK_INT(refdata_flag(t->rows[0].field[2], &f), 0);
    CHECK_INT(f, 1);
    CHECK_INT(refdata_flag(t->rows[1].field[2], &f), 0);
    CHECK_INT(f, 0);
    CHECK_INT(refdata_flag(t->rows[2].field[2], &f), 0);
    CHECK_INT(f, 0);
    CHECK_INT(refdata_flag("2", &f), -1);
    CHECK_INT(refdata_flag("yes", &f), -1);
    CHECK_INT(refdata_flag(NULL, &f), -1);
    refdata_free(t);
}

static void test_any_header(void) {
    char *err = NULL;
    RefTable *t = parse("x\ty\n1\t2\n", NULL, &err);
    CHECK(t && t->ncols == 2 && t->nrows == 1);
    refdata_free(t);
    t = parse("only\theader\n# nothing else\n", NULL, &err);
    CHECK(t && t->nrows == 0);
    refdata_free(t);
    CHECK(err == NULL);
}

static void test_errors(void) {
    static const char *const want[] = {"code", "label", NULL};
    char *err = NULL;
    CHECK(parse("code\tname\na\tb\n", want, &err) == NULL);
    CHECK_STR(err, "第1行: 表头应为“code<TAB>label”");
    CHECK(parse("# c\n\ncode label\n", want, &err) == NULL);
    CHECK_STR(err, "第3行: 表头应为“code<TAB>label”");
    CHECK(parse("", want, &err) == NULL);
    CHECK_STR(err, "第1行: 缺少表头行");
    CHECK(refdata_parse(NULL, 0, want, &err) == NULL);
    CHECK_STR(err, "第1行: 缺少表头行");
    CHECK(parse("# only comments\n\n", want, &err) == NULL);
    CHECK_STR(err, "第2行: 缺少表头行");
    /* every bad line is reported, with its number */
    CHECK(parse("code\tlabel\na\tb\nc\nd\te\tf\ng\th\n", want, &err) == NULL);
    CHECK_STR(err, "第3行: 应有2列（以TAB分隔），实有1列\n第4行: 应有2列（以TAB分隔），实有3列");
    CHECK(parse("code\tlabel\na\t\xff\xfe\n", want, &err) == NULL);
    CHECK_STR(err, "第2行: 不是有效的UTF-8文本（请以UTF-8编码保存）");
    const char nul[] = "code\tlabel\na\tb\0c\n";
    CHECK(refdata_parse(nul, sizeof nul - 1, want, &err) == NULL);
    CHECK_STR(err, "第2行: 含有NUL字符");
    /* the text need not be NUL-terminated: only len bytes are read */
    const char *cut = "code\tlabel\na\tb\nBROKEN";
    RefTable *t = refdata_parse(cut, strlen(cut) - 6, want, &err);
    CHECK(t && t->nrows == 1);
    refdata_free(t);
    /* many bad lines: the first 20 are listed, then an ellipsis */
    Buf b;
    buf_init(&b);
    buf_puts(&b, "code\tlabel\n");
    for (int i = 0; i < 30; i++)
        buf_puts(&b, "bad\n");
    CHECK(refdata_parse(b.data, b.len, want, &err) == NULL);
    int lines = 1;
    for (const char *p = err; p && *p; p++)
        lines += *p == '\n';
    CHECK_INT(lines, 21);
    CHECK(err && strstr(err, "第21行") && !strstr(err, "第22行") && strstr(err, "……"));
    buf_free(&b);
    free(err);
    /* err may be NULL */
    CHECK(parse("", want, NULL) == NULL);
}

/* Reads a data/ file from the project root (tests run there; SPOTCHECK_ROOT when set). */
static char *read_data(const char *name, size_t *len) {
    const char *root = getenv("SPOTCHECK_ROOT");
    char *path = xasprintf("%s/%s", root ? root : ".", name);
    char *err = NULL;
    char *s = file_read_all(path, len, &err);
    if (!s) fprintf(stderr, "  %s\n", err);
    free(err);
    free(path);
    return s;
}

static void check_file(const char *name, const char *const *want, size_t min_rows) {
    size_t len = 0;
    char *text = read_data(name, &len);
    CHECK(text != NULL);
    if (!text) return;
    char *err = NULL;
    RefTable *t = refdata_parse(text, len, want, &err);
    if (!t) fprintf(stderr, "  %s: %s\n", name, err);
    CHECK(t != NULL);
    if (t) {
        CHECK(t->nrows >= min_rows);
        /* the first column is a code: present and unique */
        for (size_t i = 0; i < t->nrows; i++) {
            CHECK(t->rows[i].field[0][0] != 0);
            for (size_t j = 0; j < i; j++)
                if (strcmp(t->rows[i].field[0], t->rows[j].field[0]) == 0) {
                    fprintf(stderr, "  %s: duplicate %s (lines %d, %d)\n", name,
                            t->rows[i].field[0], t->rows[j].line, t->rows[i].line);
                    CHECK(0);
                }
        }
    }
    /* each file names its source in a comment */
    CHECK(strstr(text, "# 来源") != NULL);
    refdata_free(t);
    free(err);
    free(text);
}

static void test_data_files(void) {
    static const char *const holidays[] = {"date", "kind", "name", NULL};
    static const char *const results[] = {"code", "label", "parent", "exclusive", NULL};
    static const char *const violations[] = {"code", "label", "article", "penalty", NULL};
    static const char *const disposals[] = {"code",
                                            "label",
                                            "needs_deadline",
                                            "needs_recheck",
                                            "needs_decision",
                                            "needs_amount",
                                            "needs_receiver",
                                            "publish_workdays",
                                            NULL};
    static const char *const methods[] = {"code", "label", "aliases", NULL};
    static const char *const regions[] = {"code", "name", "parent", NULL};
    check_file("data/holidays.tsv", holidays, 60);
    check_file("data/result_categories.tsv", results, 11);
    check_file("data/violation_categories.tsv", violations, 21);
    check_file("data/disposal_options.tsv", disposals, 7);
    check_file("data/inspection_methods.tsv", methods, 8);
    check_file("data/regions.tsv", regions, 20);
}

static RefTable *load_table(const char *name, char **text) {
    size_t len = 0;
    *text = read_data(name, &len);
    if (!*text) return NULL;
    return refdata_parse(*text, len, NULL, NULL);
}

/* Cross-field rules of each data file, beyond what the parser checks. */
static void test_data_consistency(void) {
    char *text;
    RefTable *t = load_table("data/result_categories.tsv", &text);
    CHECK(t != NULL);
    int exclusive = 0;
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *parent = refdata_get(t, i, "parent");
        int ex = -1;
        CHECK_INT(refdata_flag(refdata_get(t, i, "exclusive"), &ex), 0);
        if (ex == 1) {
            exclusive++;
            CHECK_STR(refdata_get(t, i, "label"), "未发现问题");
        }
        if (*parent) {
            int found = 0;
            for (size_t j = 0; j < t->nrows; j++)
                found |= strcmp(refdata_get(t, j, "code"), parent) == 0;
            CHECK(found);
            CHECK(strcmp(parent, refdata_get(t, i, "code")) != 0);
        }
        if (!strcmp(refdata_get(t, i, "label"), "违反医疗保障相关规定")) {
            const char *want_parent = NULL;
            for (size_t j = 0; j < t->nrows; j++)
                if (!strcmp(refdata_get(t, j, "label"), "发现问题待后续处理"))
                    want_parent = refdata_get(t, j, "code");
            CHECK_STR(parent, want_parent);
        }
    }
    CHECK_INT(exclusive, 1);
    refdata_free(t);
    free(text);

    t = load_table("data/violation_categories.tsv", &text);
    CHECK(t != NULL);
    int per_article[4] = {0, 0, 0, 0};
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *code = refdata_get(t, i, "code");
        int art = 0, item = 0;
        char close = 0;
        CHECK(sscanf(code, "%d(%d%c", &art, &item, &close) == 3 && close == ')');
        CHECK(art >= 38 && art <= 41);
        if (art >= 38 && art <= 41) per_article[art - 38]++;
        CHECK(*refdata_get(t, i, "label") && *refdata_get(t, i, "penalty"));
    }
    CHECK_INT(per_article[0], 7);
    CHECK_INT(per_article[1], 7);
    CHECK_INT(per_article[2], 4);
    CHECK_INT(per_article[3], 3);
    CHECK(strstr(text, "第四十条第二款") != NULL); /* the flag note */
    refdata_free(t);
    free(text);

    t = load_table("data/disposal_options.tsv", &text);
    CHECK(t != NULL);
    for (size_t i = 0; t && i < t->nrows; i++) {
        for (size_t c = 2; c + 1 < t->ncols; c++) {
            int f;
            CHECK_INT(refdata_flag(t->rows[i].field[c], &f), 0);
        }
        const char *days = refdata_get(t, i, "publish_workdays");
        if (!strcmp(refdata_get(t, i, "label"), "行政处罚")) {
            CHECK_STR(days, "7");
            CHECK_STR(refdata_get(t, i, "needs_decision"), "1");
            CHECK_STR(refdata_get(t, i, "needs_amount"), "1");
        } else {
            CHECK_STR(days, "");
        }
        if (strstr(refdata_get(t, i, "label"), "限期整改")) {
            CHECK_STR(refdata_get(t, i, "needs_deadline"), "1");
            CHECK_STR(refdata_get(t, i, "needs_recheck"), "1");
        }
    }
    refdata_free(t);
    free(text);

    t = load_table("data/regions.tsv", &text);
    CHECK(t != NULL);
    const char *seeds[] = {"130500", "130126", "411422", "640303", "110106"};
    for (size_t s = 0; t && s < ARRAY_LEN(seeds); s++) {
        int found = 0;
        for (size_t i = 0; i < t->nrows; i++)
            found |= !strcmp(refdata_get(t, i, "code"), seeds[s]);
        CHECK(found);
    }
    int xingtai_children = 0;
    for (size_t i = 0; t && i < t->nrows; i++) {
        char why[CODE_WHY_MAX];
        const char *code = refdata_get(t, i, "code"), *parent = refdata_get(t, i, "parent");
        CHECK(code_check_region(code, why) == NULL);
        xingtai_children += !strcmp(parent, "130500");
        if (!*parent) {
            CHECK(!strcmp(code + 2, "0000")); /* province level */
            continue;
        }
        /* the parent exists and is the code's own province or prefecture */
        int found = 0;
        for (size_t j = 0; j < t->nrows; j++)
            found |= !strcmp(refdata_get(t, j, "code"), parent);
        CHECK(found);
        int prefecture = !strcmp(parent + 4, "00") && strcmp(parent + 2, "0000") != 0;
        CHECK(strncmp(code, parent, prefecture ? 4 : 2) == 0);
    }
    CHECK_INT(xingtai_children, 18);
    refdata_free(t);
    free(text);
}

int main(void) {
    RUN(test_basic);
    RUN(test_any_header);
    RUN(test_errors);
    RUN(test_data_files);
    RUN(test_data_consistency);
    return T_DONE();
}
