/* dir_kinds.c - the field tables of every directory kind (their Chinese column names are the
 * import/export headers and form labels) and the cross-field checks of targets and officers.
 *
 * Target codes: the draw id of a target is its 医保编码 (institutions H…, pharmacies P…), its
 * 统一社会信用代码 (employers), or for insured persons a pseudonym derived from the ID number
 * with a per-installation HMAC key, so draws never expose ID numbers. */
#include "codes.h"
#include "directory.h"

#include "../core/util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define STATUS_REASON_FIELD                                                                        \
    { "状态原因", "status_reason", FT_TEXT, 0, NULL, NULL, "停用、注销等状态须写明原因", NULL }

static const Choice active_status[] = {{"启用", "启用"}, {"停用", "停用"}, {0}};
#define ACTIVE_STATUS_FIELD                                                                        \
    { "状态", "status", FT_ENUM, 0, active_status, NULL, NULL, "启用" }

const Choice target_kinds[] = {{"institution", "定点医疗机构"},
                               {"pharmacy", "定点零售药店"},
                               {"employer", "用人单位"},
                               {"insured", "参保人"},
                               {0}};
static const Choice target_status[] = {{"正常", "正常"},         {"停业", "停业"}, {"注销", "注销"},
                                       {"解除协议", "解除协议"}, {"迁出", "迁出"}, {0}};
static const Choice grades[] = {{"A", "A"}, {"B", "B"}, {"C", "C"}, {"D", "D"}, {0}};
static const Choice officer_status[] = {
    {"在岗", "在岗"}, {"休假", "休假"}, {"借调", "借调"}, {"离岗", "离岗"}, {0}};
static const Choice dept_kinds[] = {{"本局科室", "本局科室"}, {"外部门", "外部门"}, {0}};
static const Choice tag_scopes[] = {
    {"通用", "通用"}, {"检查对象", "检查对象"}, {"执法人员", "执法人员"}, {0}};
static const Choice item_classes[] = {{"一般", "一般"}, {"重点", "重点"}, {0}};
static const Choice expert_kinds[] = {{"专家", "专家"}, {"第三方机构", "第三方机构"}, {0}};
/* REFERENCE.md, 核查方式 */
const Choice inspection_methods[] = {{"实地检查", "实地检查"},
                                     {"书面检查", "书面检查"},
                                     {"信息比对", "信息比对"},
                                     {"检验检测", "检验检测"},
                                     {"网络监测", "网络监测"},
                                     {"委托专业机构", "委托专业机构"},
                                     {"智能监控数据分析", "智能监控数据分析"},
                                     {"病历审查", "病历审查"},
                                     {0}};

static const DirField org_fields[] = {
    {"行政区划代码", "code", FT_REGION, FF_REQUIRED | FF_KEY, NULL, NULL, "6位行政区划代码", NULL},
    {"机构名称", "name", FT_TEXT, FF_REQUIRED, NULL, NULL, "如 邢台市医疗保障局", NULL},
    {"上级行政区划代码", "parent_id", FT_REF, 0, NULL, "org", "上级医保局的行政区划代码", NULL},
    {"机关简称", "short_name", FT_TEXT, 0, NULL, NULL, "用于文书编号，如 宁医保", NULL},
    ACTIVE_STATUS_FIELD,
    STATUS_REASON_FIELD,
};

static const DirField dept_fields[] = {
    {"科室编码", "code", FT_TEXT, FF_REQUIRED | FF_KEY, NULL, NULL, NULL, NULL},
    {"科室名称", "name", FT_TEXT, FF_REQUIRED, NULL, NULL, "如 基金监管科、市场监管局", NULL},
    {"所属机构", "org_id", FT_REF, FF_REQUIRED, NULL, "org", "所属医保局的行政区划代码", NULL},
    {"类型", "kind", FT_ENUM, FF_REQUIRED, dept_kinds, NULL, NULL, "本局科室"},
    ACTIVE_STATUS_FIELD,
    STATUS_REASON_FIELD,
};

static const DirField tag_fields[] = {
    {"标签编码", "code", FT_TEXT, FF_REQUIRED | FF_KEY, NULL, NULL, NULL, NULL},
    {"标签名称", "name", FT_TEXT, FF_REQUIRED, NULL, NULL, NULL, NULL},
    {"上级标签编码", "parent_id", FT_REF, 0, NULL, "tag", "分级标签的上级，须先于本行出现", NULL},
    {"适用范围", "applies_to", FT_ENUM, 0, tag_scopes, NULL, NULL, "通用"},
    ACTIVE_STATUS_FIELD,
    STATUS_REASON_FIELD,
};

static const DirField item_fields[] = {
    {"事项编码", "code", FT_TEXT, FF_REQUIRED | FF_KEY, NULL, NULL, NULL, NULL},
    {"抽查事项名称", "name", FT_TEXT, FF_REQUIRED, NULL, NULL, NULL, NULL},
    {"抽查依据", "basis", FT_TEXT, FF_REQUIRED, NULL, NULL, "法律法规条款", NULL},
    {"抽查主体", "dept_id", FT_REF, FF_REQUIRED, NULL, "dept", "实施科室的编码", NULL},
    {"所属机构", "org_id", FT_REF, FF_REQUIRED, NULL, "org", "行政区划代码", NULL},
    {"抽查对象", "target_kinds", FT_MULTI, FF_REQUIRED, target_kinds, NULL, "可多选，用“、”分隔",
     NULL},
    {"抽查内容", "content", FT_TEXT, FF_REQUIRED, NULL, NULL, NULL, NULL},
    {"抽查比例", "ratio", FT_TEXT, 0, NULL, NULL, "如 3%、0.5%", NULL},
    {"抽查频次", "frequency", FT_TEXT, 0, NULL, NULL, "如 每年不少于1次", NULL},
    {"抽查方式", "methods", FT_MULTI, FF_REQUIRED, inspection_methods, NULL, "可多选，用“、”分隔",
     NULL},
    {"事项类别", "class", FT_ENUM, FF_REQUIRED, item_classes, NULL, NULL, "一般"},
    {"所需专长标签", "required_tags", FT_TAGS, 0, NULL, NULL, "执法人员须具备的标签编码", NULL},
    ACTIVE_STATUS_FIELD,
    STATUS_REASON_FIELD,
};

enum {
    T_KIND,
    T_CODE,
    T_NAME,
    T_USCC,
    T_MI,
    T_IDNO,
    T_OVERRIDE,
    T_ORG,
    T_REGION,
    T_ADDRESS,
    T_GRADE,
    T_TAGS,
    T_REGISTERED,
    T_COMPLAINTS,
    T_STATUS,
    T_STATUS_REASON,
    T_LAST_CHECKED
};
static const DirField target_fields[] = {
    [T_KIND] = {"对象类型", "kind", FT_ENUM, FF_REQUIRED, target_kinds, NULL, NULL, NULL},
    [T_CODE] =
        {"对象编码", "code", FT_TEXT, FF_REQUIRED | FF_KEY | FF_DERIVED, NULL, NULL,
         "可留空: 医疗机构/药店取医保编码，用人单位取统一社会信用代码，参保人自动生成化名编码",
         NULL},
    [T_NAME] = {"名称", "name", FT_TEXT, FF_REQUIRED, NULL, NULL, "单位名称或参保人姓名", NULL},
    [T_USCC] = {"统一社会信用代码", "uscc", FT_TEXT, 0, NULL, NULL, NULL, NULL},
    [T_MI] = {"医保编码", "mi_code", FT_TEXT, 0, NULL, NULL, "H/P + 11位数字", NULL},
    [T_IDNO] = {"身份证号", "id_number", FT_TEXT, FF_SECRET, NULL, NULL, "仅参保人", NULL},
    [T_OVERRIDE] = {"编码校验例外原因", "code_override", FT_TEXT, 0, NULL, NULL,
                    "登记编码确实无法通过校验时填写原因", NULL},
    [T_ORG] = {"所属机构", "org_id", FT_REF, FF_REQUIRED, NULL, "org", "行政区划代码", NULL},
    [T_REGION] = {"行政区划", "region", FT_REGION, FF_REQUIRED, NULL, NULL, "6位", NULL},
    [T_ADDRESS] = {"地址", "address", FT_TEXT, FF_SECRET, NULL, NULL, NULL, NULL},
    [T_GRADE] = {"信用风险等级", "grade", FT_ENUM, 0, grades, NULL, "A 低 B 一般 C 较高 D 高", "B"},
    [T_TAGS] = {"标签", "tags", FT_TAGS, 0, NULL, NULL, "标签编码，多个用“、”分隔", NULL},
    [T_REGISTERED] = {"登记日期", "registered_on", FT_DATE, 0, NULL, NULL, NULL, NULL},
    [T_COMPLAINTS] = {"投诉次数", "complaints", FT_INT, 0, NULL, NULL, NULL, "0"},
    [T_STATUS] = {"状态", "status", FT_ENUM, 0, target_status, NULL, NULL, "正常"},
    [T_STATUS_REASON] = STATUS_REASON_FIELD,
    [T_LAST_CHECKED] = {"最近检查日期", "last_checked_on", FT_DATE, 0, NULL, NULL, NULL, NULL},
};

/* The HMAC state after the key, per thread: keying hashes two blocks, half the work of a
 * pseudonym, and an import computes one per insured row with the same key. */
static _Thread_local struct {
    unsigned char key[crypto_auth_hmacsha256_KEYBYTES];
    crypto_auth_hmacsha256_state keyed;
    int ready;
} hmac_cache;

/* Pseudonym of an insured person: "R" + 15 upper-case hex digits of HMAC-SHA256(key, ID). */
static char *insured_pseudonym(DirContext *ctx, const char *id_number) {
    const unsigned char *key = dir_context_pseudonym_key(ctx);
    if (!key) return NULL;
    if (!hmac_cache.ready || sodium_memcmp(hmac_cache.key, key, sizeof hmac_cache.key) != 0) {
        memcpy(hmac_cache.key, key, sizeof hmac_cache.key);
        crypto_auth_hmacsha256_init(&hmac_cache.keyed, key, sizeof hmac_cache.key);
        hmac_cache.ready = 1;
    }
    crypto_auth_hmacsha256_state st = hmac_cache.keyed;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)id_number, strlen(id_number));
    crypto_auth_hmacsha256_final(&st, mac);
    char hex[2 * sizeof mac + 1];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    char *out = xmalloc(17);
    out[0] = 'R';
    for (int i = 0; i < 15; i++)
        out[i + 1] = (char)(hex[i] >= 'a' ? hex[i] - 32 : hex[i]);
    out[16] = 0;
    return out;
}

static int is_pseudonym(const char *s) {
    if (strlen(s) != 16 || s[0] != 'R') return 0;
    for (int i = 1; i < 16; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F'))) return 0;
    return 1;
}

/* Normalises field i in place (upper case, no spaces) and checks it with `why` reasons. */
static void check_code(DirRow *row, int i, const char *reason, int override, DirErrors *errs) {
    if (!reason) return;
    if (override) return; /* accepted with an override reason recorded on the row */
    dir_errors_add(errs, i, "“%s” %s（如登记编码确实如此，请填写“编码校验例外原因”）", row->v[i],
                   reason);
}

static void set_value(DirRow *row, int i, const char *v) {
    free(row->v[i]);
    row->v[i] = v ? xstrdup(v) : NULL;
    row->set[i] = 1;
}

static void target_check(DirContext *ctx, DirRow *row, DirErrors *errs) {
    char why[CODE_WHY_MAX];
    const char *kind = row->v[T_KIND];
    int override = !str_empty(row->v[T_OVERRIDE]);
    if (row->v[T_USCC]) {
        code_normalize(row->v[T_USCC]);
        check_code(row, T_USCC, code_check_uscc(row->v[T_USCC], why), override, errs);
    }
    if (row->v[T_MI]) {
        code_normalize(row->v[T_MI]);
        char want = kind && !strcmp(kind, "pharmacy") ? 'P' : 'H';
        if (kind && (!strcmp(kind, "institution") || !strcmp(kind, "pharmacy")))
            check_code(row, T_MI, code_check_mi(row->v[T_MI], want, why), override, errs);
    }
    if (row->v[T_IDNO]) {
        code_normalize(row->v[T_IDNO]);
        check_code(row, T_IDNO, code_check_id_number(row->v[T_IDNO], why), override, errs);
    }
    if (!kind) return;
    const char *derived = NULL;
    char *pseudo = NULL;
    if (!strcmp(kind, "institution") || !strcmp(kind, "pharmacy")) {
        if (!row->v[T_MI]) dir_errors_add(errs, T_MI, "定点医药机构须填写医保编码");
        derived = row->v[T_MI];
    } else if (!strcmp(kind, "employer")) {
        if (!row->v[T_USCC]) dir_errors_add(errs, T_USCC, "用人单位须填写统一社会信用代码");
        derived = row->v[T_USCC];
    } else {
        if (!row->v[T_IDNO] && row->set[T_IDNO]) {
            dir_errors_add(errs, T_IDNO, "参保人须填写身份证号");
        } else if (!row->v[T_IDNO]) {
            /* an update that leaves the ID number untouched keeps the stored pseudonym */
        } else {
            pseudo = insured_pseudonym(ctx, row->v[T_IDNO]);
            if (!pseudo)
                dir_errors_add(errs, T_IDNO, "数据库缺少化名密钥，请先运行 spotcheck init");
            derived = pseudo;
        }
    }
    if (row->v[T_CODE]) code_normalize(row->v[T_CODE]);
    if (pseudo && row->v[T_CODE]) {
        /* an insured person's existing pseudonym (e.g. from another installation's export) is
         * kept as given; the unique index on id_number stops the same person twice */
        if (!is_pseudonym(row->v[T_CODE]))
            dir_errors_add(errs, T_CODE,
                           "参保人对象编码应为 R 加 15 位十六进制字符（可留空自动生成）");
    } else if (derived && row->v[T_CODE] && strcmp(derived, row->v[T_CODE]) != 0)
        dir_errors_add(errs, T_CODE, "对象编码“%s”与%s“%s”不一致（可留空自动生成）", row->v[T_CODE],
                       !strcmp(kind, "employer")  ? "统一社会信用代码"
                       : !strcmp(kind, "insured") ? "身份证号生成的化名编码"
                                                  : "医保编码",
                       derived);
    else if (derived)
        set_value(row, T_CODE, derived);
    free(pseudo);
}

static const DirField officer_fields[] = {
    {"执法证号", "cert_no", FT_TEXT, FF_REQUIRED | FF_KEY, NULL, NULL, NULL, NULL},
    {"姓名", "name", FT_TEXT, FF_REQUIRED, NULL, NULL, NULL, NULL},
    {"所属机构", "org_id", FT_REF, FF_REQUIRED, NULL, "org", "行政区划代码", NULL},
    {"科室", "dept_id", FT_REF, FF_REQUIRED, NULL, "dept", "科室编码", NULL},
    {"证件生效日期", "cert_valid_from", FT_DATE, FF_REQUIRED, NULL, NULL, NULL, NULL},
    {"证件有效期至", "cert_valid_to", FT_DATE, FF_REQUIRED, NULL, NULL, "过期后不能被抽取", NULL},
    {"专长标签", "tags", FT_TAGS, 0, NULL, NULL, "标签编码，多个用“、”分隔", NULL},
    {"执法区域", "region", FT_REGION, FF_REQUIRED, NULL, NULL, "6位行政区划代码", NULL},
    {"状态", "status", FT_ENUM, 0, officer_status, NULL, NULL, "在岗"},
    {"可任组长", "may_lead", FT_BOOL, 0, NULL, NULL, "是/否", "0"},
    {"联系电话", "phone", FT_TEXT, FF_SECRET, NULL, NULL, NULL, NULL},
    STATUS_REASON_FIELD,
};

static void officer_check(DirContext *ctx, DirRow *row, DirErrors *errs) {
    (void)ctx;
    if (row->v[4] && row->v[5] && strcmp(row->v[5], row->v[4]) < 0)
        dir_errors_add(errs, 5, "有效期至 %s 早于生效日期 %s", row->v[5], row->v[4]);
}

static const DirField expert_fields[] = {
    {"专家编码", "code", FT_TEXT, FF_REQUIRED | FF_KEY, NULL, NULL, NULL, NULL},
    {"姓名或机构名称", "name", FT_TEXT, FF_REQUIRED, NULL, NULL, NULL, NULL},
    {"类型", "kind", FT_ENUM, FF_REQUIRED, expert_kinds, NULL, NULL, "专家"},
    {"所属机构", "org_id", FT_REF, FF_REQUIRED, NULL, "org", "行政区划代码", NULL},
    {"专长标签", "specialty", FT_TAGS, 0, NULL, NULL, "标签编码，多个用“、”分隔", NULL},
    {"工作单位", "employer", FT_TEXT, 0, NULL, NULL, NULL, NULL},
    {"联系电话", "phone", FT_TEXT, FF_SECRET, NULL, NULL, NULL, NULL},
    ACTIVE_STATUS_FIELD,
    STATUS_REASON_FIELD,
};

#define KIND(n, t, l, f, lt, lf, chk, search)                                                      \
    { n, t, l, f, ARRAY_LEN(f), lt, lf, chk, search }

/* the columns of sql/033's search indexes */
static const char *const target_search[] = {"name", "address", NULL};
static const char *const officer_search[] = {"name", NULL};
static const DirKind k_orgs = KIND("orgs", "org", "机构", org_fields, NULL, NULL, NULL, NULL);
static const DirKind k_depts =
    KIND("depts", "dept", "科室/部门", dept_fields, NULL, NULL, NULL, NULL);
static const DirKind k_tags = KIND("tags", "tag", "分类标签", tag_fields, NULL, NULL, NULL, NULL);
static const DirKind k_items =
    KIND("items", "item", "抽查事项", item_fields, NULL, NULL, NULL, NULL);
static const DirKind k_targets = KIND("targets", "target", "检查对象", target_fields, "target_tag",
                                      "target_id", target_check, target_search);
static const DirKind k_officers = KIND("officers", "officer", "执法人员", officer_fields,
                                       "officer_tag", "officer_id", officer_check, officer_search);
static const DirKind k_experts =
    KIND("experts", "expert", "专家/第三方机构", expert_fields, NULL, NULL, NULL, NULL);

/* Import order matters for references: orgs before depts, tags before the rest. */
const DirKind *const dir_kinds[] = {&k_orgs,    &k_depts,    &k_tags,   &k_items,
                                    &k_targets, &k_officers, &k_experts};
const size_t dir_kind_count = ARRAY_LEN(dir_kinds);
