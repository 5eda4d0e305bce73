/* demo.c - a realistic synthetic county for demonstrations and tests: 邢台市医疗保障局 with two
 * county bureaus (宁晋县, 临城县); items from the seed texts; about 2,000 designated institutions
 * and pharmacies, 10,000 employers, 100,000 insured persons, 60 officers in 6 departments, 10
 * experts; codes that pass their check characters; credit grades skewed towards B. Every row
 * goes through the directory engine's validation, exactly as an import would. Then the county's
 * year so far (demo_year.c), all in one transaction. */
#include "demo.h"

#include "../core/clock.h"
#include "../core/util.h"
#include "account.h"
#include "demo_impl.h"
#include "codes.h"
#include "directory.h"
#include "public_version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Rng {
    uint64_t s;
} Rng;

static uint64_t rng_next(Rng *r) { /* splitmix64: small, fixed, good enough for fake data */
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static int rng_int(Rng *r, int n) {
    return (int)(rng_next(r) % (uint64_t)n);
}
#define PICK(r, arr) (arr)[rng_int((r), (int)ARRAY_LEN(arr))]

typedef struct Loader {
    DirContext *ctx;
    char *err;
    long count;
} Loader;

/* 1 when a target with the row's code exists already, -1 when that cannot be read. */
static int target_exists(Loader *L, const DirKind *k, const DirRow *row) {
    int ki = dir_field_index(k, "code");
    int64_t n = 0;
    if (ki < 0 || !row->v[ki]) return 0;
    if (db_query_int(dir_context_db(L->ctx), &n, "SELECT count(*) FROM target WHERE code = ?", "t",
                     row->v[ki]) != DB_OK)
        return -1;
    return n > 0;
}

/* Saves one row given as cells in the kind's field order (NULL = field not given). */
static int put(Loader *L, const char *kind, const char *const *cells, size_t n) {
    const DirKind *k = dir_kind_find(kind);
    ASSERT(k && n <= k->nfields);
    DirRow row;
    memset(&row, 0, sizeof row);
    DirErrors errs = {0};
    for (size_t i = 0; i < n; i++)
        if (cells[i]) dir_parse_field(L->ctx, k, (int)i, cells[i], &row, &errs);
    dir_check_row(L->ctx, k, &row, &errs);
    int rc = DB_OK, exists = 0;
    if (errs.n) {
        rc = set_err(&L->err, "演示数据 %s 行无效: %s %s", kind,
                     errs.e[0].field >= 0 ? k->fields[errs.e[0].field].header : "",
                     errs.e[0].reason);
    } else if (!strcmp(k->table, "target") && (exists = target_exists(L, k, &row)) != 0) {
        /* a generated code that repeats keeps its first row (an update would change its grade,
         * which only a credit decision may do) */
        if (exists < 0) rc = set_err(&L->err, "%s", db_errmsg(dir_context_db(L->ctx)));
    } else if (dir_save(L->ctx, k, &row, NULL, &L->err) < 0) {
        rc = DB_ERR;
    } else {
        L->count++;
    }
    dir_errors_free(&errs);
    dir_row_clear(&row, k);
    return rc;
}
#define PUT(L, kind, ...)                                                                          \
    put((L), (kind), (const char *const[]){__VA_ARGS__},                                           \
        ARRAY_LEN(((const char *const[]){__VA_ARGS__})))

/* Completes a code with the check character that makes `check` accept it. */
static void complete_code(char *code, size_t last, const char *alphabet,
                          const char *(*check)(const char *, char *)) {
    char why[CODE_WHY_MAX];
    for (const char *c = alphabet; *c; c++) {
        code[last] = *c;
        if (!check(code, why)) return;
    }
    ASSERT(0 && "no check character fits");
}

static const char *uscc_check(const char *s, char *why) {
    return code_check_uscc(s, why);
}
static const char *idno_check(const char *s, char *why) {
    return code_check_id_number(s, why);
}

static void make_uscc(Rng *r, const char *region, char out[19]) {
    static const char cs[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    snprintf(out, 19, "91%s", region);
    for (int i = 8; i < 17; i++)
        out[i] = cs[rng_int(r, 31)];
    out[18] = 0;
    complete_code(out, 17, cs, uscc_check);
}

static void make_id_number(Rng *r, const char *region, char out[19]) {
    int y = 1940 + rng_int(r, 66), m = 1 + rng_int(r, 12), d = 1 + rng_int(r, 28);
    snprintf(out, 19, "%s%04d%02d%02d%03d0", region, y, m, d, rng_int(r, 1000));
    complete_code(out, 17, "0123456789X", idno_check);
}

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵",   "黄",
                                       "周", "吴", "徐", "孙", "马", "朱", "胡",   "郭",
                                       "何", "高", "林", "罗", "郑", "梁", "谢",   "宋",
                                       "唐", "许", "韩", "冯", "邓", "曹", "欧阳", "司马"};
static const char *const given[] = {"伟",   "芳",   "娜",   "秀英", "敏",   "静",  "丽",   "强",
                                    "磊",   "军",   "洋",   "勇",   "艳",   "杰",  "娟",   "涛",
                                    "明",   "超",   "秀兰", "霞",   "平",   "刚",  "桂英", "建华",
                                    "志强", "海燕", "文",   "玉兰", "红梅", "国庆"};
static const char *const places[] = {"凤凰",   "宁北",   "贾家口", "河渠",   "北河庄", "耿庄桥",
                                     "东汪",   "苏家庄", "换马店", "大陆村", "四芝兰", "徐家河",
                                     "纪昌庄", "唐邱",   "大曹庄", "西城",   "东城",   "南关"};
static const char *const goods[] = {"仁和", "康泰", "益民", "同济", "济世", "安康", "百姓",
                                    "惠民", "福寿", "德仁", "正元", "华康", "永安", "春晖"};
static const char *const trades[] = {"建材", "纺织",     "食品",     "机械",    "物流",
                                     "商贸", "农业科技", "电子",     "服装",    "化工",
                                     "印刷", "餐饮管理", "建筑工程", "汽车服务"};

static char grade(Rng *r) { /* most B, a fifth A, some C, few D */
    int x = rng_int(r, 100);
    return x < 20 ? 'A' : x < 80 ? 'B' : x < 95 ? 'C' : 'D';
}

static void person_name(Rng *r, char *out, size_t n) {
    snprintf(out, n, "%s%s", PICK(r, surnames), PICK(r, given));
}

static void rand_date(Rng *r, int y0, int y1, char out[11]) {
    snprintf(out, 11, "%04d-%02d-%02d", y0 + rng_int(r, y1 - y0 + 1), 1 + rng_int(r, 12),
             1 + rng_int(r, 28));
}

static int load_reference(Loader *L) {
    int rc = 0;
    rc |= PUT(L, "orgs", "130500", "邢台市医疗保障局", NULL);
    rc |= PUT(L, "orgs", "130528", "宁晋县医疗保障局", "130500");
    rc |= PUT(L, "orgs", "130522", "临城县医疗保障局", "130500");
    static const char *const depts[][4] = {
        {"NJ-JJJG", "基金监管股", "130528", "本局科室"},
        {"NJ-YYFW", "医药服务管理股", "130528", "本局科室"},
        {"NJ-DYBZ", "待遇保障股", "130528", "本局科室"},
        {"NJ-JGZC", "医药价格和招标采购股", "130528", "本局科室"},
        {"NJ-JHZX", "医疗保障事务中心稽核科", "130528", "本局科室"},
        {"NJ-SCJG", "宁晋县市场监督管理局", "130528", "外部门"},
        {"NJ-WSJK", "宁晋县卫生健康局", "130528", "外部门"},
        {"LC-JJJG", "临城县医保局基金监管股", "130522", "本局科室"},
        {"XT-JJGL", "邢台市医保局基金管理科", "130500", "本局科室"},
        {"XT-JJJG", "邢台市医保局医疗保险基金监管科", "130500", "本局科室"},
    };
    for (size_t i = 0; i < ARRAY_LEN(depts); i++)
        rc |= PUT(L, "depts", depts[i][0], depts[i][1], depts[i][2], depts[i][3]);
    static const char *const tags[][4] = {
        {"T-OBJ", "对象分类", NULL, "检查对象"},
        {"T-PUB", "公立医疗机构", "T-OBJ", "检查对象"},
        {"T-PRI", "民营医疗机构", "T-OBJ", "检查对象"},
        {"T-L2", "二级医疗机构", "T-OBJ", "检查对象"},
        {"T-L1", "一级及以下医疗机构", "T-OBJ", "检查对象"},
        {"T-CHAIN", "连锁药店", "T-OBJ", "检查对象"},
        {"T-RISK", "智能监控疑点", "T-OBJ", "检查对象"},
        {"S-SKILL", "执法专长", NULL, "执法人员"},
        {"S-MED", "临床医学", "S-SKILL", "执法人员"},
        {"S-PHA", "药学", "S-SKILL", "执法人员"},
        {"S-FIN", "财务审计", "S-SKILL", "执法人员"},
        {"S-PRICE", "价格招采", "S-SKILL", "执法人员"},
        {"S-IT", "智能监控与信息化", "S-SKILL", "执法人员"},
        {"S-LAW", "法制审核", "S-SKILL", "执法人员"},
    };
    for (size_t i = 0; i < ARRAY_LEN(tags); i++)
        rc |= PUT(L, "tags", tags[i][0], tags[i][1], tags[i][2], tags[i][3]);
    return rc;
}

static int load_items(Loader *L) {
    int rc = 0;
    rc |= PUT(L, "items", "NJ-2025-01", "对定点医药机构医疗保障基金使用情况的监督检查",
              "《医疗保障基金使用监督管理条例》第二十二条、第二十七条、第三十八条至第四十条",
              "NJ-JJJG", "130528", "定点医疗机构、定点零售药店",
              "定点医药机构执行医保协议、医疗保障基金使用及结算情况；分解住院、挂床住院、过度诊疗、"
              "串换项目等违规行为",
              "不低于3%", "每年不少于1次",
              "实地检查、书面检查、信息比对、智能监控数据分析、病历审查", "重点", "S-MED");
    rc |= PUT(L, "items", "NJ-2025-02", "对用人单位遵守医疗保障法律、法规情况的监督检查",
              "《中华人民共和国社会保险法》第七十九条、第八十六条", "NJ-DYBZ", "130528", "用人单位",
              "用人单位参加职工基本医疗保险、缴费基数申报及缴纳情况", "不低于3%", "每年1次",
              "书面检查、信息比对", "一般", NULL);
    rc |= PUT(L, "items", "NJ-2025-03", "对参保人员遵守医疗保障法律、法规情况的监督检查",
              "《医疗保障基金使用监督管理条例》第十五条、第四十一条", "NJ-DYBZ", "130528", "参保人",
              "参保人员就医购药、重复享受待遇、将医保凭证交由他人冒名使用等情况", "不低于0.5%",
              "每年1次", "信息比对、智能监控数据分析", "一般", NULL);
    rc |= PUT(
        L, "items", "NJ-2025-04", "对公立医疗机构药品和高值医用耗材集中采购行为合规性的监督检查",
        "《国务院办公厅关于推动药品集中带量采购工作常态化制度化开展的意见》（国办发〔2021〕2号）",
        "NJ-JGZC", "130528", "定点医疗机构", "集中带量采购药品和耗材的采购、使用及回款情况", "10%",
        "每年1次", "书面检查、信息比对", "一般", "S-PRICE");
    rc |= PUT(L, "items", "NJ-2025-05", "对定点医疗机构医疗服务价格行为的日常监督检查",
              "《医疗保障基金使用监督管理条例》第三十八条第（三）项", "NJ-YYFW", "130528",
              "定点医疗机构", "医疗服务项目收费、重复收费、超标准收费、分解项目收费情况", "3%",
              "每年1次", "实地检查、书面检查、病历审查", "一般", "S-FIN");
    rc |= PUT(L, "items", "SC-2025-01", "登记事项检查",
              "《中华人民共和国市场主体登记管理条例》第三十五条", "NJ-SCJG", "130528",
              "定点医疗机构、定点零售药店、用人单位", "市场主体登记事项真实性", "3%", "每年1次",
              "实地检查、信息比对", "一般", NULL);
    rc |=
        PUT(L, "items", "SC-2025-02", "公示信息检查", "《企业信息公示暂行条例》第十四条", "NJ-SCJG",
            "130528", "定点医疗机构、定点零售药店、用人单位", "企业年度报告等公示信息的真实性",
            "3%", "每年1次", "书面检查、信息比对", "一般", NULL);
    rc |= PUT(L, "items", "XT-2025-01", "对定点医药机构基金使用情况的飞行检查",
              "《医疗保障基金飞行检查管理暂行办法》第四条", "XT-JJJG", "130500",
              "定点医疗机构、定点零售药店", "基金使用全流程合规性", "10%", "按需",
              "实地检查、病历审查、智能监控数据分析", "重点", "S-MED");
    return rc;
}

static int load_targets(Loader *L, Rng *r) {
    char code[20], uscc[19], name[160], addr[200], reg[11], grade_s[2] = {0}, compl [8];
    static const char *const region = "130528";
    /* about 1,400 institutions: a few hospitals, township health centres, village clinics */
    for (int i = 1; i <= 1400; i++) {
        snprintf(code, sizeof code, "H%s%05d", region, i);
        make_uscc(r, region, uscc);
        const char *tag;
        if (i <= 6) {
            snprintf(name, sizeof name, "宁晋县%s医院",
                     i == 1   ? "人民"
                     : i == 2 ? "中医"
                     : i == 3 ? "妇幼保健"
                              : PICK(r, goods));
            tag = i <= 3 ? "T-PUB、T-L2" : "T-PRI、T-L2";
        } else if (i <= 22) {
            snprintf(name, sizeof name, "宁晋县%s镇卫生院", PICK(r, places));
            tag = "T-PUB、T-L1";
        } else {
            snprintf(name, sizeof name, "宁晋县%s%s%s", PICK(r, places), PICK(r, goods),
                     rng_int(r, 3) ? "诊所" : "村卫生室");
            tag = rng_int(r, 20) ? "T-L1" : "T-L1、T-RISK";
        }
        snprintf(addr, sizeof addr, "河北省邢台市宁晋县%s%d号", PICK(r, places),
                 1 + rng_int(r, 300));
        grade_s[0] = grade(r);
        rand_date(r, 1995, 2024, reg);
        snprintf(compl, sizeof compl, "%d", rng_int(r, 10) ? 0 : 1 + rng_int(r, 4));
        if (PUT(L, "targets", "定点医疗机构", NULL, name, uscc, code, NULL, NULL, "130528", region,
                addr, grade_s, tag, reg, compl, NULL, NULL, NULL))
            return DB_ERR;
    }
    for (int i = 1; i <= 600; i++) {
        snprintf(code, sizeof code, "P%s%05d", region, i);
        make_uscc(r, region, uscc);
        snprintf(name, sizeof name, "宁晋县%s%s大药房%s", PICK(r, goods), PICK(r, places),
                 rng_int(r, 4) ? "" : "连锁店");
        snprintf(addr, sizeof addr, "河北省邢台市宁晋县%s街%d号", PICK(r, places),
                 1 + rng_int(r, 300));
        grade_s[0] = grade(r);
        rand_date(r, 2000, 2024, reg);
        snprintf(compl, sizeof compl, "%d", rng_int(r, 12) ? 0 : 1 + rng_int(r, 3));
        if (PUT(L, "targets", "定点零售药店", NULL, name, uscc, code, NULL, NULL, "130528", region,
                addr, grade_s, strstr(name, "连锁") ? "T-CHAIN" : NULL, reg, compl, NULL, NULL,
                NULL))
            return DB_ERR;
    }
    for (int i = 1; i <= 10000; i++) {
        make_uscc(r, region, uscc);
        snprintf(name, sizeof name, "宁晋县%s%s%s有限公司", PICK(r, goods), PICK(r, places),
                 PICK(r, trades));
        snprintf(addr, sizeof addr, "河北省邢台市宁晋县%s工业园区%d号", PICK(r, places), i);
        grade_s[0] = grade(r);
        rand_date(r, 1998, 2024, reg);
        if (PUT(L, "targets", "用人单位", NULL, name, uscc, NULL, NULL, NULL, "130528", region,
                addr, grade_s, NULL, reg, rng_int(r, 30) ? "0" : "1", NULL, NULL, NULL))
            return DB_ERR;
    }
    for (int i = 1; i <= 100000; i++) {
        char idno[19];
        make_id_number(r, region, idno);
        person_name(r, name, sizeof name);
        grade_s[0] = rng_int(r, 50) ? 'B' : 'C';
        if (PUT(L, "targets", "参保人", NULL, name, NULL, NULL, idno, NULL, "130528", region, NULL,
                grade_s, NULL, NULL, NULL, NULL, NULL, NULL))
            return DB_ERR;
    }
    /* a few targets of the neighbouring county, so org scoping can be seen */
    for (int i = 1; i <= 40; i++) {
        snprintf(code, sizeof code, "H%s%05d", "130522", i);
        make_uscc(r, "130522", uscc);
        snprintf(name, sizeof name, "临城县%s%s诊所", PICK(r, places), PICK(r, goods));
        grade_s[0] = grade(r);
        if (PUT(L, "targets", "定点医疗机构", NULL, name, uscc, code, NULL, NULL, "130522",
                "130522", NULL, grade_s, NULL, NULL, NULL, NULL, NULL, NULL))
            return DB_ERR;
    }
    return DB_OK;
}

/* Certificates are counted from `year` (the clock's): valid for years, three expired. */
static int load_people(Loader *L, Rng *r, int year) {
    static const char *const depts[] = {"NJ-JJJG", "NJ-YYFW", "NJ-DYBZ",
                                        "NJ-JGZC", "NJ-JHZX", "NJ-SCJG"};
    static const char *const skills[] = {"S-MED", "S-PHA",        "S-FIN",       "S-PRICE", "S-IT",
                                         "S-LAW", "S-MED、S-FIN", "S-PHA、S-IT", NULL,      NULL};
    char name[64], cert[32], from[11], to[11], phone[16];
    for (int i = 1; i <= 60; i++) {
        const char *dept = depts[(i - 1) / 10];
        person_name(r, name, sizeof name);
        snprintf(cert, sizeof cert, "%s%06d", !strcmp(dept, "NJ-SCJG") ? "SJ1305" : "YB1305",
                 280000 + i);
        rand_date(r, 2019, 2023, from);
        /* most valid for years; three expired, so the draw's eligibility rule has something to skip
         */
        snprintf(to, sizeof to, "%d%s", i % 20 == 7 ? year - 2 : year + 1 + rng_int(r, 3),
                 from + 4);
        const char *status = i % 15 == 4 ? "休假" : i % 29 == 5 ? "借调" : "在岗";
        snprintf(phone, sizeof phone, "1%02d%08d", 30 + rng_int(r, 60), rng_int(r, 100000000));
        /* 基金监管股 leads the price checks (item NJ-2025-04 needs S-PRICE): its officers all carry
         * the tag, so a draw for that item fills whole groups of two (a record needs two officers).
         * The pick is still drawn, so the random sequence of the rest of the demo is unchanged. */
        const char *skill = PICK(r, skills);
        char skill_buf[64];
        if (!strcmp(dept, "NJ-JJJG") && !(skill && strstr(skill, "S-PRICE"))) {
            snprintf(skill_buf, sizeof skill_buf, "%s%sS-PRICE", skill ? skill : "",
                     skill ? "、" : "");
            skill = skill_buf;
        }
        if (PUT(L, "officers", cert, name, "130528", dept, from, to, skill, "130528", status,
                i % 4 == 1 ? "是" : "否", phone,
                !strcmp(status, "在岗") ? NULL : "演示: 暂不参加抽查"))
            return DB_ERR;
    }
    static const char *const expert_skills[] = {"S-MED", "S-PHA", "S-FIN", "S-PRICE", "S-IT"};
    for (int i = 1; i <= 10; i++) {
        char code[16], emp[128];
        snprintf(code, sizeof code, "EX%03d", i);
        int org = i > 8;
        if (org)
            snprintf(name, sizeof name, "河北%s会计师事务所有限公司", PICK(r, goods));
        else
            person_name(r, name, sizeof name);
        snprintf(emp, sizeof emp, "%s",
                 org     ? "第三方专业机构"
                 : i % 2 ? "邢台市人民医院"
                         : "河北医科大学");
        if (PUT(L, "experts", code, name, org ? "第三方机构" : "专家", "130528",
                org ? "S-FIN" : expert_skills[i % 5], emp, NULL))
            return DB_ERR;
    }
    return DB_OK;
}

static int load_users(Db *db, DemoSummary *sum, char **err) {
    static const char *const users[][4] = {
        {"admin", "系统管理员", "admin", "130528"},
        {"staff", "基金监管股 王科员", "staff", "130528"},
        {"leader", "分管领导 李局长", "leader", "130528"},
        {"officer", "执法人员", "officer", "130528"},
        {"joint", "市场监管局 联络员", "joint", "130528"},
        {"supervisor", "纪检监督 赵组长", "supervisor", "130528"},
        {"city", "邢台市局 管理员", "staff", "130500"},
        {"lincheng", "临城县局 科员", "staff", "130522"},
    };
    /* the demo officer account is the first officer on the roster, in that officer's dept; joint
     * is the market regulator, staff the fund supervision section */
    char *cert = NULL, *officer_dept = NULL;
    int rc = db_query_text(db, &cert, "SELECT cert_no FROM officer ORDER BY id LIMIT 1", NULL);
    if (rc == DB_OK)
        rc = db_query_text(db, &officer_dept,
                           "SELECT d.code FROM officer o JOIN dept d ON d.id = o.dept_id "
                           "ORDER BY o.id LIMIT 1",
                           NULL);
    if (rc != DB_OK) set_err(err, "%s", db_errmsg(db));
    for (size_t i = 0; i < ARRAY_LEN(users) && rc == DB_OK; i++) {
        const char *name = users[i][0];
        AccountSpec s = {.username = name,
                         .display_name = users[i][1],
                         .role = users[i][2],
                         .org_code = users[i][3],
                         .password = DEMO_PASSWORD,
                         .officer_cert = !strcmp(name, "officer") ? cert : NULL,
                         .dept_code = !strcmp(name, "officer") ? officer_dept
                                      : !strcmp(name, "joint") ? "NJ-SCJG"
                                      : !strcmp(name, "staff") ? "NJ-JJJG"
                                                               : NULL};
        rc = account_add(db, &s, err);
        if (rc == DB_OK) sum->users++;
    }
    free(cert);
    free(officer_dept);
    return rc;
}

int demo_load(Db *db, DemoSummary *sum, char **err) {
    memset(sum, 0, sizeof *sum);
    int64_t n = 0;
    if (db_query_int(db, &n, "SELECT count(*) FROM target", NULL) != DB_OK)
        return set_err(err, "无法读取数据库: %s", db_errmsg(db));
    if (n > 0) return set_err(err, "数据库中已有 %lld 个检查对象，拒绝载入演示数据", (long long)n);
    /* one transaction around the directories and the units of work of the year (savepoints) */
    if (db_enclose_begin(db) != DB_OK) return set_err(err, "无法开始事务: %s", db_errmsg(db));
    int t = demo_today(), y, m, d;
    date_civil_from_days(t, &y, &m, &d);
    char made[11];
    Loader L = {dir_context_new(db, "demo", 0), NULL, 0};
    Rng r = {20250101};
    int rc = load_reference(&L);
    if (rc == DB_OK) rc = load_items(&L);
    if (rc == DB_OK) rc = load_targets(&L, &r);
    if (rc == DB_OK) rc = load_people(&L, &r, y);
    /* the accounts were made the day before the plan (demo_year.c), so the audit log, whose
     * rows they start, runs in time order */
    if (rc == DB_OK && demo_clock_at(t, -31, "09:00", made) != 0)
        rc = set_err(&L.err, "无法设置时钟");
    if (rc == DB_OK) rc = load_users(db, sum, &L.err);
    if (rc == DB_OK) rc = demo_year_load(db, t, sum, &L.err);
    clock_travel(NULL);
    long *counts[] = {&sum->orgs,    &sum->depts,    &sum->tags,   &sum->items,
                      &sum->targets, &sum->officers, &sum->experts};
    for (size_t i = 0; i < ARRAY_LEN(counts); i++)
        *counts[i] = dir_count(db, dir_kinds[i]);
    dir_context_free(L.ctx);
    /* not audited, yet the portal's item list changes: public pages a server holds are stale */
    if (rc == DB_OK && public_version_bump(db) != DB_OK)
        rc = set_err(&L.err, "无法更新公开数据版本: %s", db_errmsg(db));
    if (rc == DB_OK && db_enclose_end(db, 1) != DB_OK)
        rc = set_err(&L.err, "提交失败: %s", db_errmsg(db));
    else if (rc != DB_OK)
        db_enclose_end(db, 0);
    if (rc != DB_OK) {
        if (err)
            *err = L.err;
        else
            free(L.err);
        return DB_ERR;
    }
    free(L.err);
    /* statistics for the query planner, so the first list pages do not pick a poor index */
    db_exec_script(db, "ANALYZE");
    return DB_OK;
}
