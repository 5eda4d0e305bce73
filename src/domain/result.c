/* result.c - review, publication and exchange of inspection results (see result.h for the
 * model, the public record and the findings rule). Works on the tables of sql/008_record.sql;
 * the record form itself (creation, filling, submission) belongs to record.c. Called by the units
 * of work of result_act.c (every changing function runs inside their transaction) and, for reads,
 * the web handlers (page_result*.c). */
#include "../core/clock.h"
#include "result.h"
#include "deadline.h"

#include "codes.h"
#include "directory.h"

#include <stdlib.h>
#include <string.h>

/* The org scope as SQL over column `col`: two '?' bound to the same org id (0 = every org). */
#define SCOPE_SQL(col)                                                                             \
    "(? = 0 OR " col " IN (WITH RECURSIVE sc(id) AS (SELECT ? UNION SELECT o.id FROM org o JOIN "  \
    "sc ON o.parent_id = sc.id) SELECT id FROM sc))"

static const char *const INSURED_NAME = "参保人（个人信息不公开）";

/* ---- pure rules ---- */

const char *result_next(const char *status, const char *action) {
    if (!status || !action) return NULL;
    if (!strcmp(status, "待审核") && !strcmp(action, "return")) return "退回";
    if (!strcmp(status, "待审核") && !strcmp(action, "approve")) return "审核通过";
    if (!strcmp(status, "审核通过") && !strcmp(action, "publish")) return "已公示";
    return NULL;
}

const char *result_action_name(const char *action) {
    if (str_eq(action, "return")) return "退回";
    if (str_eq(action, "approve")) return "审核通过";
    if (str_eq(action, "publish")) return "公示";
    return NULL;
}

int result_may_review(const char *reviewer, const char *submitted_by) {
    if (str_empty(reviewer)) return 0;
    return !str_eq(reviewer, submitted_by);
}

int result_deadline(const Calendar *cal, const char *checked_on, char out[11]) {
    if (!checked_on || !date_valid(checked_on)) return CAL_INVALID;
    if (!cal) return CAL_UNKNOWN;
    return calendar_add_workdays(cal, checked_on, RESULT_PUBLISH_DAYS, out);
}

int result_is_late(const char *deadline, const char *day) {
    if (str_empty(deadline) || str_empty(day)) return 0;
    return strcmp(day, deadline) > 0;
}

char *result_type_label(const char *task_kind, int joint) {
    const char *k = str_empty(task_kind) ? NULL : task_kind;
    if (k && joint) return xasprintf("双随机抽查（%s、联合抽查）", k);
    if (k) return xasprintf("双随机抽查（%s）", k);
    return xstrdup(joint ? "双随机抽查（联合抽查）" : "双随机抽查");
}

static const ResultCategory *category_find(const ResultCategory *cats, size_t n, const char *code) {
    for (size_t i = 0; i < n; i++)
        if (str_eq(cats[i].code, code)) return &cats[i];
    return NULL;
}

int result_category_is_finding(const ResultCategory *cats, size_t n, const char *code) {
    const ResultCategory *c = category_find(cats, n, code);
    for (size_t depth = 0; c && depth <= n; depth++) {
        if (str_starts(c->label, "发现问题") || str_eq(c->label, "不配合检查情节严重")) return 1;
        c = str_empty(c->parent) ? NULL : category_find(cats, n, c->parent);
    }
    return 0;
}

int result_codes_have_finding(const ResultCategory *cats, size_t n, const char *codes) {
    if (str_empty(codes)) return 0;
    char *copy = xstrdup(codes);
    int found = 0;
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && !found;
         t = strtok_r(NULL, ",", &save))
        found = result_category_is_finding(cats, n, str_trim(t));
    free(copy);
    return found;
}

static json_t *str_or_null(const char *s) {
    return str_empty(s) ? json_null() : json_string(s);
}

json_t *result_public_record(const ResultPublicInput *in) {
    int insured = str_eq(in->target_kind, "insured");
    char *type = result_type_label(in->task_kind, in->joint);
    json_t *labels = json_array();
    Buf text;
    buf_init(&text);
    buf_puts(&text, "");
    for (size_t i = 0; i < in->nresults; i++) {
        json_array_append_new(labels, json_string(in->result_labels[i]));
        buf_printf(&text, "%s%s", i ? "；" : "", in->result_labels[i]);
    }
    json_t *o = json_object();
    json_object_set_new(o, "org_name", json_string(in->org_name ? in->org_name : ""));
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "date", json_string(in->checked_on ? in->checked_on : ""));
    json_object_set_new(o, "results", labels);
    json_object_set_new(o, "result_text", json_string(text.data));
    json_object_set_new(o, "remarks", json_string(in->remarks ? in->remarks : ""));
    json_object_set_new(o, "target_kind", json_string(in->target_kind ? in->target_kind : ""));
    json_object_set_new(o, "insured", json_boolean(insured));
    /* An insured person: the placeholder and the pseudonymous draw code only. */
    json_object_set_new(o, "target_name",
                        json_string(insured           ? INSURED_NAME
                                    : in->target_name ? in->target_name
                                                      : ""));
    json_object_set_new(o, "target_code", json_string(in->target_code ? in->target_code : ""));
    json_object_set_new(o, "uscc", insured ? json_null() : str_or_null(in->uscc));
    json_object_set_new(o, "mi_code", insured ? json_null() : str_or_null(in->mi_code));
    json_object_set_new(o, "task_code", json_string(in->task_code ? in->task_code : ""));
    json_object_set_new(o, "task_name", json_string(in->task_name ? in->task_name : ""));
    json_object_set_new(o, "published_on", json_string(in->published_on ? in->published_on : ""));
    buf_free(&text);
    free(type);
    return o;
}

void result_csv_field(Buf *b, const char *s) {
    if (!s) s = "";
    if (str_formula_like(s)) { /* a typed remark must not run as a formula in Excel */
        char *safe = xasprintf("'%s", s);
        result_csv_field(b, safe);
        free(safe);
        return;
    }
    if (!strpbrk(s, ",\"\r\n")) {
        buf_puts(b, s);
        return;
    }
    buf_putc(b, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"') buf_putc(b, '"');
        buf_putc(b, *p);
    }
    buf_putc(b, '"');
}

const char *const result_exchange_headers[8] = {
    "统一社会信用代码", "名称", "检查实施机关", "类型", "日期", "结果", "备注", "任务编号"};

char *result_exchange_csv(json_t *rows) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "\xEF\xBB\xBF");
    for (size_t i = 0; i < ARRAY_LEN(result_exchange_headers); i++) {
        if (i) buf_putc(&b, ',');
        result_csv_field(&b, result_exchange_headers[i]);
    }
    buf_puts(&b, "\r\n");
    size_t k;
    json_t *row;
    json_array_foreach(rows, k, row) {
        for (size_t i = 0; i < ARRAY_LEN(result_exchange_headers); i++) {
            if (i) buf_putc(&b, ',');
            result_csv_field(&b,
                             json_string_value(json_object_get(row, result_exchange_headers[i])));
        }
        buf_puts(&b, "\r\n");
    }
    return buf_steal(&b);
}

/* ---- reference data ---- */

ResultCategory *result_categories_load(Db *db, size_t *n) {
    *n = 0;
    Stmt *st = db_prepare(db, "SELECT code, label, parent FROM refdata WHERE set_name = "
                              "'result_categories' ORDER BY position");
    if (!st) return NULL;
    ResultCategory *cats = NULL;
    size_t cap = 0;
    while (db_step(st) == DB_ROW) {
        if (*n == cap) cats = xrealloc(cats, (cap = cap ? cap * 2 : 16) * sizeof *cats);
        const char *p = db_col_text(st, 2);
        cats[(*n)++] = (ResultCategory){xstrdup(db_col_text(st, 0)), xstrdup(db_col_text(st, 1)),
                                        p ? xstrdup(p) : NULL};
    }
    db_finalize(st);
    return cats;
}

void result_categories_free(ResultCategory *cats, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free((char *)cats[i].code);
        free((char *)cats[i].label);
        free((char *)cats[i].parent);
    }
    free(cats);
}

/* Calls fn for each trimmed, non-empty code of a ',' list with its label (the code when unknown).
 */
static void each_label(Db *db, const char *set, const char *codes, void (*fn)(void *, const char *),
                       void *arg) {
    if (str_empty(codes)) return;
    Stmt *st = db_prepare(db, "SELECT label FROM refdata WHERE set_name = ? AND code = ?");
    char *copy = xstrdup(codes);
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        t = str_trim(t);
        if (!*t) continue;
        const char *label = t;
        if (st) {
            db_bind_text(st, 1, set);
            db_bind_text(st, 2, t);
            if (db_step(st) == DB_ROW && db_col_text(st, 0)) label = db_col_text(st, 0);
        }
        fn(arg, label);
        if (st) db_reset(st);
    }
    free(copy);
    db_finalize(st);
}

typedef struct JoinArg {
    Buf *b;
    const char *sep;
} JoinArg;

static void join_one(void *arg, const char *label) {
    JoinArg *j = arg;
    buf_printf(j->b, "%s%s", j->b->len ? j->sep : "", label);
}

static void array_one(void *arg, const char *label) {
    json_array_append_new(arg, json_string(label));
}

char *result_labels(Db *db, const char *set, const char *codes, const char *sep) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "");
    JoinArg j = {&b, sep};
    each_label(db, set, codes, join_one, &j);
    return buf_steal(&b);
}

/* ---- transitions ---- */

static int db_fail(Db *db, char **err) {
    set_err(err, "数据库错误：%s", db_errmsg(db));
    return RESULT_ERR;
}

static int add_event(Db *db, int64_t id, const char *action, const char *from, const char *to,
                     const char *opinion, const char *today, const char *actor) {
    return db_exec(db,
                   "INSERT INTO record_event(record_id, action, from_status, to_status, opinion, "
                   "on_day, by_user, at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   "itttttt" "t", id, action, from, to, str_empty(opinion) ? NULL : opinion, today,
                   actor, clock_stamp().s);
}

int result_review(Db *db, int64_t id, const char *action, const char *actor, const char *opinion,
                  const char *today, char **err) {
    char *status = NULL, *submitter = NULL;
    if (db_query_text(db, &status, "SELECT status FROM record WHERE id = ?", "i", id) != DB_OK)
        return db_fail(db, err);
    if (!status) {
        set_err(err, "检查记录不存在");
        return RESULT_NOT_FOUND;
    }
    db_query_text(db, &submitter, "SELECT submitted_by FROM record WHERE id = ?", "i", id);
    const char *to = str_eq(action, "publish") ? NULL : result_next(status, action);
    char *op = opinion ? str_trim(xstrdup(opinion)) : xstrdup("");
    int rc = RESULT_OK;
    if (!result_action_name(action) || str_eq(action, "publish")) {
        set_err(err, "未知的审核操作");
        rc = RESULT_INVALID;
    } else if (!to) {
        set_err(err, "该检查记录当前状态为“%s”，不能%s", status,
                str_eq(action, "return") ? "退回" : "审核通过");
        rc = RESULT_CONFLICT;
    } else if (!result_may_review(actor, submitter)) {
        set_err(err, "不能审核本人提交的检查记录");
        rc = RESULT_CONFLICT;
    } else if (str_eq(action, "return") && !*op) {
        set_err(err, "退回时必须填写审核意见");
        rc = RESULT_INVALID;
    } else {
        char now[CLOCK_NOW_LEN + 1];
        clock_now(now);
        int drc = str_eq(action, "return")
                      ? db_exec(db,
                                "UPDATE record SET status = '退回', review_opinion = ?, "
                                "reviewed_at = ?, "
                                "reviewed_by = ?, updated_at = ?, updated_by = ? "
                                "WHERE id = ? AND status = '待审核'",
                                "ttttti", op, now, actor, now, actor, id)
                      : db_exec(db,
                                "UPDATE record SET status = '审核通过', reviewed_at = "
                                "?, reviewed_by = ?, "
                                "updated_at = ?, updated_by = ? WHERE id = ? AND "
                                "status = '待审核'",
                                "tttti", now, actor, now, actor, id);
        if (drc != DB_OK)
            rc = db_fail(db, err);
        else if (db_changes(db) != 1) {
            set_err(err, "检查记录已被他人处理，请刷新");
            rc = RESULT_CONFLICT;
        } else if (add_event(db, id, result_action_name(action), status, to, op, today, actor) !=
                   DB_OK)
            rc = db_fail(db, err);
    }
    free(op);
    free(status);
    free(submitter);
    return rc;
}

/* Writes the current target row into entity_version and moves last_checked_on forward, as the
 * directory engine's versioned saves do (dir_keep_version, then version + 1). last_checked_on is
 * a field of the target kind (最近检查日期), so its change is a new version like any other. Nothing happens when the date would not move forward. */
static int target_checked(Db *db, int64_t target_id, const char *checked_on, const char *actor,
                          char **err) {
    int64_t newer = 0;
    if (db_query_int(db, &newer,
                     "SELECT count(*) FROM target WHERE id = ? AND (last_checked_on IS NULL OR "
                     "last_checked_on < ?)",
                     "it", target_id, checked_on) != DB_OK)
        return db_fail(db, err);
    if (!newer) return RESULT_OK;
    /* a versioned directory field: the old row is kept as the directory engine does */
    if (dir_keep_version(db, "target", target_id, actor, err) != DB_OK) return RESULT_ERR;
    if (db_exec(db,
                "UPDATE target SET last_checked_on = ?, version = version + 1, updated_at = "
                "?, updated_by = ? WHERE id = ?",
                "ttti", checked_on, clock_stamp().s, actor, target_id) != DB_OK)
        return db_fail(db, err);
    return RESULT_OK;
}

/* The credit record's summary of a record with findings. New string. */
static char *finding_summary(Db *db, int64_t id, const char *result_text) {
    int64_t n = 0, cents = 0;
    db_query_int(db, &n,
                 "SELECT count(*) FROM record_violation WHERE record_id = ? AND status = '有效'",
                 "i", id);
    db_query_int(db, &cents,
                 "SELECT coalesce(sum(amount_cents), 0) FROM record_violation WHERE record_id = ? "
                 "AND status = '有效'",
                 "i", id);
    if (!n) return xasprintf("抽查检查结果：%s", result_text);
    return xasprintf("抽查检查结果：%s；违法违规行为 %lld 项，涉及金额 %lld.%02lld 元", result_text,
                     (long long)n, (long long)(cents / 100), (long long)(cents % 100));
}

int result_publish(Db *db, int64_t id, const Calendar *cal, const char *today, const char *actor,
                   int *late, char **err) {
    if (late) *late = 0;
    Stmt *st = db_prepare(
        db,
        "SELECT r.status, r.checked_on, r.result_codes, r.remarks, o.name, t.kind, t.code, t.name, "
        "(SELECT count(*) FROM task_joint j WHERE j.task_id = t.id AND j.status = '已确认'), "
        "r.target_code, g.id, g.kind, g.name, g.uscc, g.mi_code "
        "FROM record r JOIN org o ON o.id = r.org_id JOIN task t ON t.id = r.task_id "
        "LEFT JOIN target g ON g.id = coalesce(r.target_id, (SELECT x.id FROM target x WHERE "
        "x.code = r.target_code)) "
        "WHERE r.id = ?");
    if (!st) return db_fail(db, err);
    db_bind_int(st, 1, id);
    if (db_step(st) != DB_ROW) {
        db_finalize(st);
        set_err(err, "检查记录不存在");
        return RESULT_NOT_FOUND;
    }
    char *c[15];
    for (int i = 0; i < 15; i++)
        c[i] = db_col_text(st, i) ? xstrdup(db_col_text(st, i)) : NULL;
    int joint = db_col_int(st, 8) > 0;
    int64_t target_id = db_col_int(st, 10);
    db_finalize(st);
    const char *status = c[0], *checked_on = c[1], *codes = c[2];
    int rc = RESULT_OK;
    char deadline[11] = "";
    char *opinion = NULL, *json = NULL, *result_text = NULL;
    json_t *labels = json_array();
    if (!str_eq(status, "审核通过")) {
        set_err(err, "该检查记录当前状态为“%s”，只有审核通过的记录才能公示", status);
        rc = RESULT_CONFLICT;
    } else if (!checked_on || !date_valid(checked_on)) {
        set_err(err, "检查记录没有检查日期，不能公示");
        rc = RESULT_CONFLICT;
    } else if (str_empty(codes)) {
        set_err(err, "检查记录没有检查结果，不能公示");
        rc = RESULT_CONFLICT;
    }
    if (rc == RESULT_OK) {
        int crc = result_deadline(cal, checked_on, deadline);
        if (crc < 0) {
            deadline[0] = 0;
            opinion = xstrdup("公示期限未知（超出工作日历数据范围）");
        } else if (result_is_late(deadline, today)) {
            int over = 0;
            char shown[128];
            deadline_text(deadline, crc == CAL_PROVISIONAL, shown, sizeof shown);
            if (late) *late = 1;
            if (calendar_workdays_between(cal, deadline, today, &over) >= 0 && over > 0)
                opinion = xasprintf("逾期公示：公示期限为 %s，逾期 %d 个工作日", shown, over);
            else
                opinion = xasprintf("逾期公示：公示期限为 %s", shown);
        }
        each_label(db, "result_categories", codes, array_one, labels);
        size_t n = json_array_size(labels);
        const char **lv = xcalloc(n ? n : 1, sizeof *lv);
        for (size_t i = 0; i < n; i++)
            lv[i] = json_string_value(json_array_get(labels, i));
        ResultPublicInput in = {.org_name = c[4],
                                .task_kind = c[5],
                                .task_code = c[6],
                                .task_name = c[7],
                                .checked_on = checked_on,
                                .remarks = c[3],
                                .published_on = today,
                                .joint = joint,
                                .target_kind = c[11],
                                .target_name = c[12],
                                .target_code = c[9],
                                .uscc = c[13],
                                .mi_code = c[14],
                                .result_labels = lv,
                                .nresults = n};
        json_t *pub = result_public_record(&in);
        free(lv);
        result_text = xstrdup(json_string_value(json_object_get(pub, "result_text")));
        json = json_dumps(pub, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(pub);
        if (db_exec(
                db,
                "UPDATE record SET status = '已公示', published_at = ?1, published_by "
                "= ?2, published_json = ?3, "
                "updated_at = ?1, updated_by = ?2 WHERE id = ?4 AND status = '审核通过'",
                "ttti", clock_stamp().s, actor, json, id) != DB_OK)
            rc = db_fail(db, err);
        else if (db_changes(db) != 1) {
            set_err(err, "检查记录已被他人处理，请刷新");
            rc = RESULT_CONFLICT;
        } else if (add_event(db, id, "公示", "审核通过", "已公示", opinion, today, actor) != DB_OK)
            rc = db_fail(db, err);
    }
    if (rc == RESULT_OK && target_id) rc = target_checked(db, target_id, checked_on, actor, err);
    if (rc == RESULT_OK && target_id) {
        size_t ncat = 0;
        ResultCategory *cats = result_categories_load(db, &ncat);
        int finding = result_codes_have_finding(cats, ncat, codes);
        result_categories_free(cats, ncat);
        int64_t nviol = 0;
        if (!finding &&
            db_query_int(db, &nviol, "SELECT count(*) FROM record_violation WHERE record_id = ? AND status = '有效'",
                         "i", id) != DB_OK)
            rc = db_fail(db, err);
        if (nviol > 0) finding = 1; /* a violation recorded is a finding whatever the category says */
        if (rc == RESULT_OK && finding &&
            db_exec(db, "UPDATE record SET findings = 1 WHERE id = ?", "i", id) != DB_OK)
            rc = db_fail(db, err);
        if (rc == RESULT_OK && finding) {
            char *summary = finding_summary(db, id, result_text);
            if (db_exec(db,
                        "INSERT INTO credit_event(target_id, record_id, kind, summary, on_day, "
                        "by_user, at) "
                        "VALUES (?, ?, '检查发现', ?, ?, ?, ?)",
                        "iitttt", target_id, id, summary, today, actor, clock_stamp().s) != DB_OK)
                rc = db_fail(db, err);
            free(summary);
        }
    }
    json_decref(labels);
    free(opinion);
    free(json);
    free(result_text);
    for (int i = 0; i < 15; i++)
        free(c[i]);
    return rc;
}

int result_publish_batch(Db *db, const int64_t *ids, size_t n, const Calendar *cal,
                         const char *today, const char *actor, json_t *problems,
                         size_t *published) {
    *published = 0;
    if (!n) return RESULT_INVALID;
    int rc = RESULT_OK;
    for (size_t i = 0; i < n; i++) {
        int dup = 0;
        for (size_t j = 0; j < i; j++)
            dup |= ids[j] == ids[i];
        if (dup) continue;
        char *err = NULL;
        int r = result_publish(db, ids[i], cal, today, actor, NULL, &err);
        if (r == RESULT_OK)
            (*published)++;
        else {
            json_array_append_new(problems, json_pack("{s:I, s:s}", "id", (json_int_t)ids[i],
                                                      "message", err ? err : "公示失败"));
            if (rc == RESULT_OK || r == RESULT_ERR)
                rc = r == RESULT_ERR ? RESULT_ERR : RESULT_CONFLICT;
        }
        free(err);
        if (r == RESULT_ERR) break; /* the transaction is unusable after a database error */
    }
    if (rc != RESULT_OK) *published = 0;
    return rc;
}

/* ---- reads ---- */

static json_t *text_or_null(Stmt *st, int i) {
    return db_col_text(st, i) ? json_string(db_col_text(st, i)) : json_null();
}

/* The name of a target as shown inside the bureau: an insured person's name masked. New string. */
static char *internal_name(const char *kind, const char *name) {
    if (!name) return xstrdup("");
    return str_eq(kind, "insured") ? mask_person_name(name) : xstrdup(name);
}

/* Deadline fields of a row: deadline text ("期限未知"), overdue, days_left (null when unknown). */
static void set_deadline(json_t *o, const Calendar *cal, const char *checked_on, const char *today,
                         int open) {
    char d[11];
    int rc = result_deadline(cal, checked_on, d);
    if (rc < 0) {
        json_object_set_new(o, "deadline", json_string("期限未知"));
        deadline_json_set(o, "deadline_text", "provisional", NULL, 0);
        json_object_set_new(o, "deadline_unknown", json_true());
        json_object_set_new(o, "overdue", json_false());
        json_object_set_new(o, "overdue_label", json_string(""));
        json_object_set_new(o, "days_left", json_null());
        return;
    }
    int prov = rc == CAL_PROVISIONAL;
    json_object_set_new(o, "deadline", json_string(d));
    deadline_json_set(o, "deadline_text", "provisional", d, prov);
    json_object_set_new(o, "deadline_unknown", json_false());
    json_object_set_new(o, "overdue", json_boolean(open && result_is_late(d, today)));
    json_object_set_new(o, "overdue_label", json_string(prov ? "预计逾期" : "已逾期"));
    int left = 0;
    if (open && calendar_workdays_between(cal, today, d, &left) >= 0)
        json_object_set_new(o, "days_left", json_integer(left));
    else
        json_object_set_new(o, "days_left", json_null());
}

static char *late_opinion(Db *db, int64_t id) {
    char *op = NULL;
    db_query_text(db, &op,
                  "SELECT opinion FROM record_event WHERE record_id = ? AND action = '公示' ORDER "
                  "BY id DESC LIMIT 1",
                  "i", id);
    if (op && !str_starts(op, "逾期公示")) {
        free(op);
        op = NULL;
    }
    return op;
}

json_t *result_record_json(Db *db, int64_t id, const Calendar *cal, const char *today) {
    Stmt *st = db_prepare(
        db, "SELECT r.id, r.status, r.org_id, o.name, t.id, t.code, t.name, t.kind, r.target_code, "
            "g.kind, g.name, "
            "r.checked_from, r.checked_on, r.result_codes, r.remarks, r.notes, r.officers, "
            "r.signer_name, "
            "r.signature_file_id, r.refusal_reason, r.fraud_purpose, r.police_transfer, "
            "r.submitted_at, "
            "r.submitted_by, r.reviewed_at, r.reviewed_by, r.review_opinion, r.published_at, "
            "r.published_by, r.version "
            "FROM record r JOIN org o ON o.id = r.org_id JOIN task t ON t.id = r.task_id "
            "LEFT JOIN target g ON g.id = coalesce(r.target_id, (SELECT x.id FROM target x WHERE "
            "x.code = r.target_code)) "
            "WHERE r.id = ?");
    if (!st) return NULL;
    db_bind_int(st, 1, id);
    if (db_step(st) != DB_ROW) {
        db_finalize(st);
        return NULL;
    }
    json_t *o = json_object();
    static const struct {
        int col;
        const char *key;
    } text_cols[] = {{1, "status"},          {3, "org_name"},        {5, "task_code"},
                     {6, "task_name"},       {7, "task_kind"},       {8, "target_code"},
                     {9, "target_kind"},     {11, "checked_from"},   {12, "checked_on"},
                     {13, "result_codes"},   {14, "remarks"},        {15, "notes"},
                     {17, "signer_name"},    {19, "refusal_reason"}, {22, "submitted_at"},
                     {23, "submitted_by"},   {24, "reviewed_at"},    {25, "reviewed_by"},
                     {26, "review_opinion"}, {27, "published_at"},   {28, "published_by"}};
    for (size_t i = 0; i < ARRAY_LEN(text_cols); i++)
        json_object_set_new(o, text_cols[i].key, text_or_null(st, text_cols[i].col));
    json_object_set_new(o, "id", json_integer(db_col_int(st, 0)));
    char org[24];
    snprintf(org, sizeof org, "%lld", (long long)db_col_int(st, 2));
    json_object_set_new(o, "org_id", json_string(org));
    json_object_set_new(o, "task_id", json_integer(db_col_int(st, 4)));
    char *name = internal_name(db_col_text(st, 9), db_col_text(st, 10));
    json_object_set_new(o, "target_name", json_string(name));
    free(name);
    json_object_set_new(o, "insured", json_boolean(str_eq(db_col_text(st, 9), "insured")));
    json_object_set_new(o, "has_signature", json_boolean(!db_col_is_null(st, 18)));
    json_object_set_new(o, "fraud_purpose", json_boolean(db_col_int(st, 20) != 0));
    json_object_set_new(o, "police_transfer", json_boolean(db_col_int(st, 21) != 0));
    json_object_set_new(o, "version", json_integer(db_col_int(st, 29)));
    char *officers = db_col_text(st, 16) ? xstrdup(db_col_text(st, 16)) : NULL;
    db_finalize(st);
    const char *status = json_string_value(json_object_get(o, "status"));
    set_deadline(o, cal, json_string_value(json_object_get(o, "checked_on")), today,
                 !str_eq(status, "已公示"));
    char *rt = result_labels(db, "result_categories",
                             json_string_value(json_object_get(o, "result_codes")), "；");
    json_object_set_new(o, "result_text", json_string(rt));
    free(rt);
    char *late = late_opinion(db, id);
    json_object_set_new(o, "late_published", late ? json_string(late) : json_null());
    free(late);

    /* officers */
    json_t *offs = json_array();
    if (officers) {
        Stmt *os = db_prepare(db, "SELECT name FROM officer WHERE cert_no = ?");
        for (char *save = NULL, *t = strtok_r(officers, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
            t = str_trim(t);
            if (!*t) continue;
            const char *nm = NULL;
            if (os) {
                db_bind_text(os, 1, t);
                if (db_step(os) == DB_ROW) nm = db_col_text(os, 0);
            }
            json_array_append_new(offs,
                                  json_pack("{s:s, s:s}", "cert_no", t, "name", nm ? nm : ""));
            if (os) db_reset(os);
        }
        db_finalize(os);
        free(officers);
    }
    json_object_set_new(o, "officers", offs);

    /* items */
    json_t *items = json_array();
    st = db_prepare(
        db,
        "SELECT position, dept_name, item_code, item_name, methods, result, notes FROM record_item "
        "WHERE record_id = ? ORDER BY position");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW) {
            char *m = result_labels(db, "inspection_methods", db_col_text(st, 4), "、");
            char *res = result_labels(db, "result_categories", db_col_text(st, 5), "；");
            json_t *it = json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:s}", "position",
                                   (json_int_t)db_col_int(st, 0), "dept_name", db_col_text(st, 1),
                                   "item_code", text_or_null(st, 2), "item_name",
                                   db_col_text(st, 3), "methods_text", m, "result_text", res,
                                   "notes", db_col_text(st, 6) ? db_col_text(st, 6) : "");
            json_array_append_new(items, it);
            free(m);
            free(res);
        }
        db_finalize(st);
    }
    json_object_set_new(o, "items", items);

    /* violations */
    json_t *vs = json_array();
    int64_t total = 0;
    st = db_prepare(db, "SELECT v.category, coalesce(d.label, v.category), v.amount_cents, "
                        "v.description, v.item_position "
                        "FROM record_violation v LEFT JOIN refdata d ON d.set_name = "
                        "'violation_categories' AND d.code = v.category "
                        "WHERE v.record_id = ? AND v.status = '有效' ORDER BY v.id");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW) {
            int64_t c = db_col_int(st, 2);
            total += c;
            char *amount = xasprintf("%lld.%02lld", (long long)(c / 100), (long long)(c % 100));
            json_array_append_new(
                vs,
                json_pack("{s:s, s:s, s:s, s:s, s:o}", "category", db_col_text(st, 0),
                          "category_label", db_col_text(st, 1), "amount", amount, "description",
                          db_col_text(st, 3) ? db_col_text(st, 3) : "", "item_position",
                          db_col_is_null(st, 4) ? json_null() : json_integer(db_col_int(st, 4))));
            free(amount);
        }
        db_finalize(st);
    }
    json_object_set_new(o, "violations", vs);
    char *tot = xasprintf("%lld.%02lld", (long long)(total / 100), (long long)(total % 100));
    json_object_set_new(o, "violation_total", json_string(tot));
    free(tot);

    /* files (listed here; the bytes come from /records/ID/files/FID, in the reader's scope) */
    json_t *files = json_array();
    st = db_prepare(db, "SELECT kind, mime, size, original_name, status, id FROM record_file WHERE "
                        "record_id = ? ORDER BY id");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW) {
            const char *kind = db_col_text(st, 0), *mime = db_col_text(st, 1);
            json_array_append_new(
                files, json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:b, s:b}", "kind", kind, "kind_label",
                                 str_eq(kind, "photo") ? "照片" : str_eq(kind, "video") ? "视频" : str_eq(kind, "signature") ? "签字" : kind,
                                 "mime", mime, "size", (json_int_t)db_col_int(st, 2), "original_name",
                                 db_col_text(st, 3) ? db_col_text(st, 3) : "", "status", db_col_text(st, 4), "file_id",
                                 (json_int_t)db_col_int(st, 5), "is_image", str_starts(mime ? mime : "", "image/"), "is_video",
                                 str_starts(mime ? mime : "", "video/")));
        }
        db_finalize(st);
    }
    json_object_set_new(o, "files", files);

    /* events */
    json_t *evs = json_array();
    st = db_prepare(
        db, "SELECT action, from_status, to_status, opinion, on_day, at, by_user FROM record_event "
            "WHERE record_id = ? ORDER BY id");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(
                evs, json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:o}", "action", db_col_text(st, 0),
                               "from", db_col_text(st, 1), "to", db_col_text(st, 2), "opinion",
                               text_or_null(st, 3), "on_day", db_col_text(st, 4), "at",
                               db_col_text(st, 5), "by", text_or_null(st, 6)));
        db_finalize(st);
    }
    json_object_set_new(o, "events", evs);
    return o;
}

json_t *result_list_json(Db *db, int64_t scope_org, const char *status, const Calendar *cal,
                         const char *today, int limit) {
    int published = str_eq(status, "已公示");
    char *sql =
        xasprintf("SELECT r.id, t.code, t.name, r.target_code, g.kind, g.name, r.checked_on, "
                  "r.submitted_by, r.submitted_at, "
                  "r.reviewed_at, r.reviewed_by, r.published_at, r.published_by, o.name "
                  "FROM record r JOIN task t ON t.id = r.task_id JOIN org o ON o.id = r.org_id "
                  "LEFT JOIN target g ON g.id = coalesce(r.target_id, (SELECT x.id FROM target x "
                  "WHERE x.code = r.target_code)) "
                  "WHERE r.status = ? AND " SCOPE_SQL("r.org_id") " ORDER BY %s LIMIT ?",
                  published ? "r.published_at DESC, r.id DESC"
                            : "r.checked_on IS NULL, r.checked_on, r.submitted_at, r.id");
    Stmt *st = db_prepare(db, sql);
    free(sql);
    json_t *a = json_array();
    if (!st) return a;
    db_bind_text(st, 1, status);
    db_bind_int(st, 2, scope_org);
    db_bind_int(st, 3, scope_org);
    db_bind_int(st, 4, limit > 0 ? limit : -1);
    while (db_step(st) == DB_ROW) {
        int64_t id = db_col_int(st, 0);
        char *name = internal_name(db_col_text(st, 4), db_col_text(st, 5));
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(id));
        json_object_set_new(o, "task_code", text_or_null(st, 1));
        json_object_set_new(o, "task_name", text_or_null(st, 2));
        json_object_set_new(o, "target_code", text_or_null(st, 3));
        json_object_set_new(o, "target_name", json_string(name));
        json_object_set_new(o, "checked_on", text_or_null(st, 6));
        json_object_set_new(o, "submitted_by", text_or_null(st, 7));
        json_object_set_new(o, "submitted_at", text_or_null(st, 8));
        json_object_set_new(o, "reviewed_at", text_or_null(st, 9));
        json_object_set_new(o, "reviewed_by", text_or_null(st, 10));
        json_object_set_new(o, "published_at", text_or_null(st, 11));
        json_object_set_new(o, "published_by", text_or_null(st, 12));
        json_object_set_new(o, "org_name", text_or_null(st, 13));
        set_deadline(o, cal, db_col_text(st, 6), today, !published);
        char *late = published ? late_opinion(db, id) : NULL;
        json_object_set_new(o, "late_published", late ? json_string(late) : json_null());
        free(late);
        free(name);
        json_array_append_new(a, o);
    }
    db_finalize(st);
    return a;
}

json_t *result_exchange_rows(Db *db, int64_t scope_org, const char *from, const char *to) {
    json_t *a = json_array();
    Stmt *st = db_prepare(
        db,
        "SELECT r.published_json FROM record r WHERE r.status = '已公示' AND r.published_json IS "
        "NOT NULL "
        "AND coalesce(json_extract(r.published_json, '$.insured'), 0) = 0 "
        "AND (? IS NULL OR json_extract(r.published_json, '$.published_on') >= ?) "
        "AND (? IS NULL OR json_extract(r.published_json, '$.published_on') <= ?) AND " SCOPE_SQL(
            "r.org_id") " ORDER BY r.published_at, r.id");
    if (!st) return a;
    db_bind_text(st, 1, from);
    db_bind_text(st, 2, from);
    db_bind_text(st, 3, to);
    db_bind_text(st, 4, to);
    db_bind_int(st, 5, scope_org);
    db_bind_int(st, 6, scope_org);
    while (db_step(st) == DB_ROW) {
        json_t *p = json_loads(db_col_text(st, 0), 0, NULL);
        if (!p) continue;
        const char *v[8] = {json_string_value(json_object_get(p, "uscc")),
                            json_string_value(json_object_get(p, "target_name")),
                            json_string_value(json_object_get(p, "org_name")),
                            json_string_value(json_object_get(p, "type")),
                            json_string_value(json_object_get(p, "date")),
                            json_string_value(json_object_get(p, "result_text")),
                            json_string_value(json_object_get(p, "remarks")),
                            json_string_value(json_object_get(p, "task_code"))};
        json_t *row = json_object();
        for (size_t i = 0; i < 8; i++)
            json_object_set_new(row, result_exchange_headers[i], json_string(v[i] ? v[i] : ""));
        json_array_append_new(a, row);
        json_decref(p);
    }
    db_finalize(st);
    return a;
}

#define PUBLIC_MATCH                                                                               \
    "r.status = '已公示' AND r.published_json IS NOT NULL AND (? = '' OR "                      \
    "instr(coalesce(json_extract(r.published_json, '$.target_name'), ''), ?) > 0 OR "              \
    "instr(coalesce(json_extract(r.published_json, '$.target_code'), ''), ?) > 0 OR "              \
    "instr(coalesce(json_extract(r.published_json, '$.uscc'), ''), ?) > 0 OR "                     \
    "instr(coalesce(json_extract(r.published_json, '$.mi_code'), ''), ?) > 0)"

static json_t *public_of(int64_t id, const char *pj) {
    json_t *p = pj ? json_loads(pj, 0, NULL) : NULL;
    if (!p) return NULL;
    json_object_set_new(p, "id", json_integer(id));
    return p;
}

json_t *result_public_search(Db *db, const char *q, int page, int per_page, int64_t *total) {
    const char *qq = q ? q : "";
    *total = 0;
    db_query_int(db, total, "SELECT count(*) FROM record r WHERE " PUBLIC_MATCH, "ttttt", qq, qq,
                 qq, qq, qq);
    json_t *a = json_array();
    Stmt *st = db_prepare(db, "SELECT r.id, r.published_json FROM record r WHERE " PUBLIC_MATCH
                              " ORDER BY r.published_at DESC, r.id DESC LIMIT ? OFFSET ?");
    if (!st) return a;
    for (int i = 1; i <= 5; i++)
        db_bind_text(st, i, qq);
    db_bind_int(st, 6, per_page);
    db_bind_int(st, 7, (int64_t)(page > 1 ? page - 1 : 0) * per_page);
    while (db_step(st) == DB_ROW) {
        json_t *p = public_of(db_col_int(st, 0), db_col_text(st, 1));
        if (p) json_array_append_new(a, p);
    }
    db_finalize(st);
    return a;
}

json_t *result_public_get(Db *db, int64_t id) {
    char *pj = NULL;
    db_query_text(db, &pj, "SELECT published_json FROM record WHERE id = ? AND status = '已公示'",
                  "i", id);
    json_t *p = public_of(id, pj);
    free(pj);
    return p;
}
