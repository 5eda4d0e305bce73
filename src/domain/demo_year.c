/* demo_year.c - the demo county in mid-year: this year's annual plan published, and tasks in
 * every state, built through the same units of work the pages call, as the demo accounts would
 * have done it on the days they would have done it.
 *
 * Called by demo_load (demo.c) inside its enclosing transaction (db_enclose_begin), after the
 * directories and accounts, so a failure anywhere leaves nothing written. Every date is counted
 * from the clock's today T (clock.h; SPOTCHECK_TODAY moves it): each step moves the clock to its
 * day and hour (clock_travel) and the unit reads "now" as it always does, so the rules run as they
 * would (the freeze at least task_draw_gap_hours() before the lottery, the draw after it, checks
 * not before the draw, nothing dated after today). All steps are dated before T, so no row says a
 * time later than the real now. The clock is put back before returning.
 *
 *   T-31        (demo.c) the accounts made
 *   T-30..T-26  plan 〔T's year〕 made by staff, approved by leader, published; tasks 1-5 started;
 *               schemes: 1, 2 and 5 published, 3 submitted (awaiting approval), 4 a draft; row 6
 *               not started
 *   T-25..T-19  task 5 carried out to the end (closed): frozen, drawn after its lottery of T-24,
 *               each group's record filled by its first officer, approved and published; the one
 *               with a finding gets a 行政处罚, published and closed (later by a day or more per
 *               extra day of draw gap, SPOTCHECK_DRAW_GAP_HOURS up to 156 hours)
 *   T-7         task 1 frozen with a 福彩3D draw of T-6 and 8 dice (thrown at once; earlier when
 *               SPOTCHECK_DRAW_GAP_HOURS asks for a longer gap)
 *   T-5         task 1 drawn; the `officer` account linked to the officer in most groups; records
 *   T-4..T-1    that officer's records: submitted, returned with an opinion, approved, published
 *               (one without findings, two with violations: a 行政处罚 open with its decision
 *               published, one closed); the rest 待录入
 *   T-1         task 2 frozen with a 福彩3D draw of T+1 (or later, for a longer gap): waiting for
 *               its lottery */
#include "demo_impl.h"

#include "../core/clock.h"
#include "../core/util.h"
#include "account.h"
#include "followup.h"
#include "plan_work.h"
#include "record_act.h"
#include "record_query.h"
#include "result_act.h"
#include "scope.h"
#include "task_draw.h"
#include "task_query.h"
#include "task_work.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Year {
    Db *db;
    Actor staff, leader, officer, admin;
    Calendar *cal;
    int t;        /* today's day number (util.h) */
    char day[11]; /* the day the clock was last moved to */
    json_t *errors;
    char *err; /* the first failure */
} Year;

static void day_text(int z, char out[11]) {
    int y, m, d;
    date_civil_from_days(z, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

int demo_today(void) {
    char today[11];
    clock_today(today);
    return date_days_from_civil(atoi(today), atoi(today + 5), atoi(today + 8));
}

int demo_clock_at(int t, int off, const char *hm, char day[11]) {
    char when[17];
    day_text(t + off, day);
    snprintf(when, sizeof when, "%s %s", day, hm);
    return clock_travel(when);
}

/* Moves the clock to day T+off at hh:mm; Y->day receives the day. */
static int at(Year *Y, int off, const char *hm) {
    if (Y->err) return 0;
    if (demo_clock_at(Y->t, off, hm, Y->day) == 0) return 1;
    Y->err = xasprintf("无法设置时钟: %s %s", Y->day, hm);
    return 0;
}

/* Checks a unit's result: 1 when it succeeded, else the first failure is kept in Y->err with
 * the unit's reason and field errors. Frees *why. */
static int ok(Year *Y, const char *what, int rc, char **why) {
    if (rc == 0 && !Y->err) {
        free(*why), *why = NULL;
        json_object_clear(Y->errors);
        return 1;
    }
    if (!Y->err) {
        char *fields = json_object_size(Y->errors) ? json_dumps(Y->errors, JSON_COMPACT) : NULL;
        Y->err = xasprintf("%s（%s）失败: %s%s%s", what, Y->day, *why ? *why : "",
                           fields ? " " : "", fields ? fields : "");
        free(fields);
    }
    free(*why), *why = NULL;
    return 0;
}

/* ---- the plan and the tasks ---- */

typedef struct DemoRow {
    const char *no, *name, *item, *kinds, *ratio;
} DemoRow;

static const DemoRow rows[] = {
    {"001号", "定点医疗机构药品耗材集中采购行为随机抽查（第一批）", "NJ-2025-04", "institution",
     "2%"},
    {"002号", "定点医疗机构药品耗材集中采购行为随机抽查（第二批）", "NJ-2025-04", "institution",
     "1%"},
    {"003号", "定点医疗机构医疗服务价格行为随机抽查", "NJ-2025-05", "institution", "3%"},
    {"004号", "定点零售药店医疗保障基金使用情况随机抽查", "NJ-2025-01", "pharmacy", "3%"},
    {"005号", "定点零售药店医疗保障基金使用情况专项抽查（春季）", "NJ-2025-01", "pharmacy", "0.5%"},
    {"006号", "用人单位遵守医疗保障法律法规情况随机抽查", "NJ-2025-02", "employer", "3%"},
};
#define NROWS (sizeof rows / sizeof rows[0])
#define NTASKS 5 /* rows started as tasks; the last row stays in the plan */
#define CLOSED 4 /* the task carried out to the end: every record published, follow-ups closed */
#define CLOSED_DAYS_MAX 6 /* gap_days() that still lets it end before task 1's freeze */

/* Whole days between a freeze at 09:00 and a lottery at 21:15 that the draw gap
 * (task_draw_gap_hours, 24 h unless set) asks for. */
static int gap_days(void) {
    return (task_draw_gap_hours() + 11) / 24;
}

/* 福彩3D of day z, as a scheme declares it (issue: year and day of the year). */
static json_t *fc3d(int z) {
    char date[11], issue[16];
    day_text(z, date);
    int y, m, d;
    date_civil_from_days(z, &y, &m, &d);
    snprintf(issue, sizeof issue, "%04d%03d", y, z - date_days_from_civil(y, 1, 1) + 1);
    return json_pack("{s:s, s:s, s:s}", "kind", "fc3d", "issue", issue, "date", date);
}

static int64_t scheme_version(Year *Y, int64_t tid) {
    int64_t v = 0;
    if (db_query_int(Y->db, &v, "SELECT version FROM task_scheme WHERE task_id = ?", "i", tid) !=
            DB_OK &&
        !Y->err)
        Y->err = xasprintf("无法读取实施方案: %s", db_errmsg(Y->db));
    return v;
}

static int scheme(Year *Y, int64_t tid, int n, int lottery) {
    char *why = NULL, period[64];
    int y, m, d;
    date_civil_from_days(Y->t, &y, &m, &d);
    snprintf(period, sizeof period, "%d年%d月至%d年12月", y, m, y);
    json_t *sources =
        json_pack("[o, {s:s, s:i}]", fc3d(Y->t + lottery), "kind", "dice", "count", 8);
    TaskSchemeInput in = {.purpose = "规范定点医药机构医疗保障基金使用行为，维护基金安全",
                          .period = period,
                          .group_size = "2",
                          .method = n == 3 ? "书面检查、信息比对" : "实地检查、书面检查",
                          .confidentiality = "抽取结果在检查前保密",
                          .use_of_results = "检查结果向社会公示，并纳入信用记录",
                          .materials = "近一年医保结算清单、药品耗材采购台账",
                          .contact = "基金监管股 0319-6800000",
                          .randomness_source = "福彩3D 开奖号码和摇号现场观察员掷 8 枚骰子的点数",
                          .observers = {"钱律师", "", "", ""},
                          .randomness_sources = sources,
                          .version = scheme_version(Y, tid)};
    int r = ok(Y, "保存实施方案",
               task_scheme_edit(Y->db, &Y->staff, tid, &in, NULL, Y->errors, &why), &why);
    json_decref(sources);
    return r;
}

/* The plan of T's year with its rows, published; tasks 1-4 started and their schemes. */
static int plan_and_tasks(Year *Y, int64_t tids[NTASKS], DemoSummary *sum) {
    char *why = NULL;
    int y, m, d;
    date_civil_from_days(Y->t, &y, &m, &d);
    int64_t vid = 0, ptids[NROWS] = {0};
    char number[16]; /* the county's own numbering, so no plan a user makes or imports meets it */
    snprintf(number, sizeof number, "NJ%d001", y);
    if (!at(Y, -30, "09:00") || !ok(Y, "新建年度计划",
                                    plan_work_create(Y->db, &Y->staff, y, number, "定点医药机构",
                                                     NULL, &vid, Y->errors, &why),
                                    &why))
        return 0;
    char period[32], scope[96];
    snprintf(period, sizeof period, "%d年1月至12月", y);
    for (size_t i = 0; i < NROWS; i++) {
        snprintf(scope, sizeof scope, "{\"kinds\":[\"%s\"],\"region_prefix\":\"130528\"}",
                 rows[i].kinds);
        PlanTaskInput in = {.task_no = rows[i].no,
                            .name = rows[i].name,
                            .kind = "不定向",
                            .ratio = rows[i].ratio,
                            .item_codes = rows[i].item,
                            .scope_json = scope,
                            .scope_text = "宁晋县辖区内检查对象",
                            .lead_dept = "基金监管股",
                            .period = period,
                            .level = "县级",
                            .frequency = "每年1次"};
        if (!ok(Y, "添加计划任务",
                plan_work_task_save(Y->db, &Y->staff, vid, 0, 0, &in, &ptids[i], Y->errors, &why),
                &why))
            return 0;
    }
    if (!at(Y, -30, "09:40") ||
        !ok(Y, "报送年度计划", plan_work_transition(Y->db, &Y->staff, vid, PLAN_SUBMIT, NULL, &why),
            &why) ||
        !at(Y, -29, "10:00") ||
        !ok(Y, "批准年度计划",
            plan_work_transition(Y->db, &Y->leader, vid, PLAN_APPROVE, NULL, &why), &why) ||
        !at(Y, -28, "09:00") ||
        !ok(Y, "公开年度计划",
            plan_work_transition(Y->db, &Y->staff, vid, PLAN_PUBLISH, NULL, &why), &why) ||
        !at(Y, -28, "10:00"))
        return 0;
    sum->plans = 1;
    for (int i = 0; i < NTASKS; i++) {
        TaskStartInput in = {.plan_task = ptids[i]};
        if (!ok(Y, "启动抽查任务",
                task_start(Y->db, &Y->staff, &in, Y->cal, &tids[i], Y->errors, &why), &why))
            return 0;
        sum->tasks++;
    }
    /* schemes: 1, 2 and the closed task published (lotteries T-6, T+1 and T-24), 3 submitted, 4 a
     * draft */
    if (!at(Y, -27, "09:00")) return 0;
    /* task 2's lottery: tomorrow, or later when the gap after its freeze (T-1 16:00) needs it */
    int later = (task_draw_gap_hours() + 18) / 24 - 1;
    const int lottery[NTASKS] = {-6, later > 1 ? later : 1, 14, 30, -25 + gap_days()};
    for (int i = 0; i < NTASKS; i++)
        if (!scheme(Y, tids[i], i + 1, lottery[i])) return 0;
    /* the steps of each scheme: submitted, approved, published */
    static const int steps[NTASKS] = {3, 3, 1, 0, 3};
    static const struct {
        int off;
        const char *hm, *act, *what;
    } step[] = {{-27, "11:00", "submit", "报送实施方案"},
                {-26, "10:00", "approve", "批准实施方案"},
                {-26, "15:00", "publish", "公开实施方案"}};
    for (int k = 0; k < 3; k++) {
        if (!at(Y, step[k].off, step[k].hm)) return 0;
        const Actor *who = k == 1 ? &Y->leader : &Y->staff;
        for (int i = 0; i < NTASKS; i++)
            if (steps[i] > k &&
                !ok(Y, step[k].what, task_scheme_act(Y->db, who, tids[i], step[k].act, NULL, &why),
                    &why))
                return 0;
    }
    return 1;
}

/* ---- the draw and the records ---- */

/* The lottery's value on day z: three digits (a demo stands in for the real draw). */
static void fc3d_value(int z, char out[4]) {
    snprintf(out, 4, "%03d", (int)(((unsigned)z * 7919u + 361u) % 1000u));
}

/* A task frozen at 09:00 on day T+freeze with 8 dice thrown at once, its lottery (declared by its
 * scheme) on day T+lottery, drawn the next day at 10:00. */
static int draw_at(Year *Y, int64_t tid, int freeze, int lottery) {
    char *why = NULL, *fsha = NULL, value[4];
    json_t *dice = json_pack("[s]", "52241361"), *got = NULL;
    int r = at(Y, freeze, "09:00") &&
            ok(Y, "冻结抽取", task_draw_freeze(Y->db, &Y->staff, tid, NULL, &fsha, &why), &why) &&
            at(Y, freeze, "09:30") &&
            ok(Y, "记录骰子点数", task_draw_dice(Y->db, &Y->staff, tid, dice, "钱律师", &got, &why),
               &why);
    free(fsha);
    json_decref(got), got = NULL;
    fc3d_value(Y->t + lottery, value);
    json_t *values = json_pack("[s, s]", value, "52241361");
    r = r && at(Y, lottery + 1, "10:00") &&
        ok(Y, "摇号", task_draw_run(Y->db, &Y->staff, tid, values, "律师：钱律师", &got, &why),
           &why);
    json_decref(got);
    json_decref(values);
    json_decref(dice);
    return r;
}

/* Task 1 is frozen at 09:00 on the day the gap before its lottery (T-6 21:15) allows: T-7 by
 * default, earlier for a longer gap, after the closed task is done; drawn at T-5. */
static int draw(Year *Y, int64_t tid) {
    return draw_at(Y, tid, -6 - gap_days(), -6);
}

/* The drawn draw's rows of task code `code`, as a FROM clause fragment. */
#define IN_GROUP                                                                                      \
    "draw_member m JOIN draw d ON d.id = m.draw_id WHERE d.task_code = ? AND d.status = '已抽取' " \
    "AND m.status = '在组' AND m.role <> '专家'"

/* The officer in most groups of task code (ties: the smallest certificate number); new string. */
static char *busiest_officer(Year *Y, const char *code) {
    char *cert = NULL;
    if (db_query_text(Y->db, &cert,
                      "SELECT m.member_code FROM " IN_GROUP
                      " GROUP BY m.member_code ORDER BY count(*) DESC, m.member_code LIMIT 1",
                      "t", code) != DB_OK ||
        !cert)
        Y->err = xasprintf("摇号结果中没有执法人员: %s", db_errmsg(Y->db));
    return cert;
}

typedef struct Fill {
    const char *result, *remarks;
    const char *category, *amount, *what; /* a violation, or NULL */
} Fill;

/* The officer fills record rid (checked on day T+off) and submits it. */
static int fill(Year *Y, int64_t rid, const char *target, const char *code, const Fill *f,
                int off) {
    char *why = NULL, from[11], on[11];
    day_text(Y->t + off - 1, from);
    day_text(Y->t + off, on);
    json_t *officers = json_array();
    Stmt *st = db_prepare(Y->db, "SELECT m.member_code FROM " IN_GROUP
                                 " AND m.target_code = ? ORDER BY m.role DESC, m.member_code");
    if (st) {
        db_bind_va(st, "tt", code, target);
        while (db_step(st) == DB_ROW)
            json_array_append_new(officers, json_string(db_col_text(st, 0)));
        db_finalize(st);
    }
    json_t *viol = json_array();
    if (f->category)
        json_array_append_new(viol, json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", "", "category",
                                              f->category, "amount", f->amount, "description",
                                              f->what, "item_position", "1"));
    json_t *items = json_array();
    int64_t nitems = record_item_count(Y->db, rid);
    for (int64_t pos = 1; pos <= nitems; pos++)
        json_array_append_new(items, json_pack("{s:I, s:[s], s:[s], s:s}", "position",
                                               (json_int_t)pos, "methods", "documents", "result",
                                               pos == 1 ? f->result : "01", "notes",
                                               pos == 1 && f->what ? f->what : ""));
    /* the plan's rows run January to December of T's year: a check in the first days of January
     * (T-5 in December) lies before its period and says why */
    int y, m, d;
    date_civil_from_days(Y->t, &y, &m, &d);
    const char *reason = Y->t + off - 1 < date_days_from_civil(y, 1, 1)
                             ? "年度计划于上年12月公开后即提前实施检查"
                             : NULL;
    json_t *in =
        json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:b, s:b, s:[s], s:o, s:o, s:o}", "checked_from",
                  from, "checked_on", on, "dates_reason", reason, "remarks", f->remarks, "notes",
                  "", "refusal_reason", "被检查单位负责人外出，委托人拒绝签名", "fraud_purpose", 0,
                  "police_transfer", 0, "result_codes", f->result, "officers", officers, "items",
                  items, "violations", viol);
    int64_t version = 0;
    int r =
        db_query_int(Y->db, &version, "SELECT version FROM record WHERE id = ?", "i", rid) ==
            DB_OK &&
        ok(Y, "保存检查记录",
           record_act_save(Y->db, &Y->officer, rid, in, version, Y->errors, NULL, &why), &why) &&
        ok(Y, "提交检查记录", record_act_submit(Y->db, &Y->officer, rid, Y->errors, &why), &why);
    json_decref(in);
    return r;
}

static int review(Year *Y, int64_t rid, const char *action, const char *opinion) {
    char *why = NULL;
    return ok(Y, "审核检查记录", result_act_review(Y->db, &Y->leader, rid, action, opinion, &why),
              &why);
}

/* A 行政处罚 on published record rid decided on day T+off (11:00) and published the same day
 * (15:00); closed on the next day (10:00) with its outcome when `close`. */
static int penalty(Year *Y, int64_t rid, int off, int n, const char *amount, int close,
                   DemoSummary *sum, int64_t *fid_out) {
    char *why = NULL, no[64], on[11];
    if (!at(Y, off, "11:00")) return 0;
    memcpy(on, Y->day, sizeof on);
    snprintf(no, sizeof no, "宁医保罚〔%d〕%d号", atoi(on), n);
    FollowupInput in = {
        .option = "penalty", .decision_no = no, .decision_on = on, .amount = amount};
    int64_t fid = 0, version = 0;
    int late = 0;
    if (!ok(Y, "登记后续处置",
            followup_open(Y->db, &Y->staff, rid, &in, Y->day, &fid, Y->errors, &why), &why) ||
        !at(Y, off, "15:00") ||
        !ok(Y, "公示行政处罚决定",
            followup_publish_penalty(Y->db, &Y->staff, fid, Y->day, Y->day, Y->cal, &late, &why),
            &why))
        return 0;
    sum->followups++;
    if (fid_out) *fid_out = fid;
    if (!close) return 1;
    in.outcome = "已作出行政处罚并执行到位，违规金额已退回基金专户";
    if (!at(Y, off + 1, "10:00") ||
        db_query_int(Y->db, &version, "SELECT version FROM followup WHERE id = ?", "i", fid) !=
            DB_OK ||
        !ok(Y, "填写处置结果",
            followup_update(Y->db, &Y->staff, fid, version, &in, Y->day, Y->errors, &why), &why) ||
        !ok(Y, "完结后续处置", followup_close(Y->db, &Y->staff, fid, Y->day, &why), &why))
        return 0;
    sum->followups_closed++;
    return 1;
}

/* The drawn task's records: the officer's first six move on, the rest wait for entry. */
static int records(Year *Y, int64_t tid, DemoSummary *sum) {
    char *why = NULL, *code = task_code(Y->db, tid), *cert = code ? busiest_officer(Y, code) : NULL;
    int r = 0;
    int64_t ids[6] = {0};
    char *targets[6] = {0};
    size_t n = 0;
    if (!cert) goto done;
    if (!at(Y, -5, "10:30") ||
        !ok(Y, "关联执法人员账号", account_link(Y->db, &Y->admin, "officer", cert, NULL, &why),
            &why) ||
        !at(Y, -5, "10:40") ||
        !ok(Y, "生成检查记录", record_act_sync(Y->db, &Y->staff, NULL, &why), &why))
        goto done;
    Stmt *st = db_prepare(Y->db, "SELECT r.id, r.target_code FROM record r WHERE r.task_id = ? AND "
                                 "EXISTS (SELECT 1 FROM " IN_GROUP
                                 " AND m.target_code = r.target_code AND m.member_code = ?) "
                                 "ORDER BY r.target_code");
    if (st) {
        db_bind_va(st, "itt", tid, code, cert);
        while (n < 6 && db_step(st) == DB_ROW) {
            ids[n] = db_col_int(st, 0);
            targets[n++] = xstrdup(db_col_text(st, 1));
        }
        db_finalize(st);
    }
    int64_t nrec = 0;
    if (db_query_int(Y->db, &nrec, "SELECT count(*) FROM record WHERE task_id = ?", "i", tid) ==
        DB_OK)
        sum->records += (long)nrec;
    if (n < 6) {
        Y->err = xasprintf("执法人员 %s 只有 %zu 条检查记录，演示需要 6 条", cert, n);
        goto done;
    }
    static const Fill fills[6] = {
        {"0201", "串换药品，责令退回违规金额", "38(4)", "12,345.60", "串换药品 12 笔"},
        {"0201", "超标准收费，已责令改正并退回", "38(3)", "3,600.00", "超标准收费 8 笔"},
        {"01", "未发现问题", NULL, NULL, NULL},
        {"01", "未发现问题", NULL, NULL, NULL},
        {"01", "未发现问题", NULL, NULL, NULL},
        {"01", "未发现问题", NULL, NULL, NULL},
    };
    if (!at(Y, -4, "16:00")) goto done;
    for (size_t i = 0; i < 6; i++)
        if (!fill(Y, ids[i], targets[i], code, &fills[i], -4)) goto done;
    /* the leader approves four, returns one, leaves one 待审核; staff publish three */
    if (!at(Y, -3, "10:00")) goto done;
    for (size_t i = 0; i < 4; i++)
        if (!review(Y, ids[i], "approve", NULL)) goto done;
    if (!review(Y, ids[5], "return", "检查方式与现场记录不符，请核对后重新提交")) goto done;
    size_t late = 0, published = 0;
    json_t *problems = json_array();
    int pr = at(Y, -3, "15:00") ? result_act_publish(Y->db, &Y->staff, ids, 3, Y->cal, problems,
                                                     &late, &published, &why)
                                : -1;
    if (pr != 0 && json_array_size(problems)) json_object_set(Y->errors, "problems", problems);
    json_decref(problems);
    if (!ok(Y, "公示检查结果", pr, &why)) goto done;
    int64_t open_fid = 0, transfer_id = 0;
    r = penalty(Y, ids[1], -2, 7, "3,600.00", 1, sum, NULL) &&
        penalty(Y, ids[0], -1, 8, "12,345.60", 0, sum, &open_fid);
    /* the open case's lead on prices goes to the market regulator (转办、移送台账), no answer yet
     */
    char tno[64];
    snprintf(tno, sizeof tno, "宁医保移〔%d〕1号", atoi(Y->day));
    r = r && at(Y, -1, "16:00") &&
        ok(Y, "登记移送",
           followup_transfer_add(Y->db, &Y->staff, open_fid, "移送", "宁晋县市场监督管理局", Y->day,
                                 tno, "检查中发现的药品价格违法线索，移送依法处理", Y->day,
                                 &transfer_id, Y->errors, &why),
           &why);
done:
    for (size_t i = 0; i < n; i++)
        free(targets[i]);
    free(code);
    free(cert);
    return r;
}

/* The task carried out to the end (T-25 .. T-19 by default): frozen at T-25 09:00, its lottery
 * gap_days() later, drawn the next day; each group's first officer (the `officer` account linked
 * to each in turn by the administrator, 谁检查、谁录入) fills and submits its record the day after;
 * the leader approves all, staff publish them; the one with a finding gets a 行政处罚, published
 * and closed. Every record 已公示, every follow-up 已完结. */
static int closed_task(Year *Y, int64_t tid, DemoSummary *sum) {
    int k = gap_days(), lottery = -25 + k;
    if (k > CLOSED_DAYS_MAX) {
        Y->err = xasprintf("演示数据无法按 SPOTCHECK_DRAW_GAP_HOURS=%d 安排冻结：须不超过 %d 小时",
                           task_draw_gap_hours(), CLOSED_DAYS_MAX * 24 + 12);
        return 0;
    }
    char *why = NULL, *code = NULL;
    int64_t ids[8] = {0};
    char *targets[8] = {0}, *leads[8] = {0};
    size_t n = 0;
    int r = draw_at(Y, tid, -25, lottery) && (code = task_code(Y->db, tid)) != NULL &&
            at(Y, lottery + 1, "10:30") &&
            ok(Y, "生成检查记录", record_act_sync(Y->db, &Y->staff, NULL, &why), &why);
    Stmt *st =
        r ? db_prepare(Y->db, "SELECT r.id, r.target_code, (SELECT m.member_code FROM " IN_GROUP
                              " AND m.target_code = r.target_code ORDER BY m.role DESC, "
                              "m.member_code LIMIT 1) FROM record r WHERE r.task_id = ? "
                              "ORDER BY r.target_code")
          : NULL;
    if (st) {
        db_bind_va(st, "ti", code, tid);
        while (n < 8 && db_step(st) == DB_ROW) {
            ids[n] = db_col_int(st, 0);
            targets[n] = xstrdup(db_col_text(st, 1));
            leads[n++] = db_col_text(st, 2) ? xstrdup(db_col_text(st, 2)) : NULL;
        }
        db_finalize(st);
    }
    if (r && (n == 0 || n == 8)) {
        Y->err = xasprintf("已完结的演示任务有 %zu 条检查记录，应为 1 至 7 条", n);
        r = 0;
    }
    static const Fill found = {"0201", "超量开药，责令退回违规金额", "38(3)", "2,460.00",
                               "超量开药 6 笔"},
                      clean = {"01", "未发现问题", NULL, NULL, NULL};
    for (size_t i = 0; r && i < n; i++) {
        char hm[6];
        snprintf(hm, sizeof hm, "%02zu:00", 9 + i);
        r = leads[i] && at(Y, lottery + 2, hm) &&
            ok(Y, "关联执法人员账号",
               account_link(Y->db, &Y->admin, "officer", leads[i], NULL, &why), &why) &&
            fill(Y, ids[i], targets[i], code, i == 0 ? &found : &clean, lottery + 2);
    }
    r = r && at(Y, lottery + 3, "10:00");
    for (size_t i = 0; r && i < n; i++)
        r = review(Y, ids[i], "approve", NULL);
    size_t late = 0, published = 0;
    json_t *problems = json_array();
    if (r && at(Y, lottery + 3, "15:00")) {
        int pr =
            result_act_publish(Y->db, &Y->staff, ids, n, Y->cal, problems, &late, &published, &why);
        if (pr != 0 && json_array_size(problems)) json_object_set(Y->errors, "problems", problems);
        r = ok(Y, "公示检查结果", pr, &why);
    }
    json_decref(problems);
    r = r && penalty(Y, ids[0], lottery + 4, 3, "2,460.00", 1, sum, NULL);
    if (r) sum->records += (long)n;
    for (size_t i = 0; i < n; i++)
        free(targets[i]), free(leads[i]);
    free(code);
    return r;
}

/* Task 2: frozen the day before T, its lottery to come. */
static int frozen(Year *Y, int64_t tid) {
    char *why = NULL, *fsha = NULL;
    int r = at(Y, -1, "16:00") &&
            ok(Y, "冻结抽取", task_draw_freeze(Y->db, &Y->staff, tid, NULL, &fsha, &why), &why);
    free(fsha);
    return r;
}

int demo_year_load(Db *db, int t, DemoSummary *sum, char **err) {
    int64_t org = scope_org_by_code(db, "130528");
    Year Y = {.db = db,
              .staff = {"staff", org, NULL},
              .leader = {"leader", org, NULL},
              .officer = {"officer", org, NULL},
              .admin = {"admin", org, NULL},
              .cal = task_calendar_load(db, NULL),
              .t = t,
              .errors = json_object()};
    int64_t tids[NTASKS] = {0};
    if (plan_and_tasks(&Y, tids, sum) && closed_task(&Y, tids[CLOSED], sum) && draw(&Y, tids[0]) &&
        records(&Y, tids[0], sum))
        frozen(&Y, tids[1]);
    clock_travel(NULL);
    calendar_free(Y.cal);
    json_decref(Y.errors);
    if (!Y.err) return DB_OK;
    if (err)
        *err = Y.err;
    else
        free(Y.err);
    return DB_ERR;
}
