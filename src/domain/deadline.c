/* deadline.c - deadline clocks: evaluation (pure), the collector over the task, draw, record and
 * follow-up tables, and the views the dashboard, the reminder list and `spotcheck remind` share.
 * See deadline.h for the clocks and their rules.
 *
 * Invariants: a clock's state is decided by comparing dates (so "overdue" never depends on the
 * calendar covering today); counts of working days come only from the calendar and are -1 when it
 * does not cover them; a deadline is never extrapolated past the calendar data. The collector
 * reads only; callers: src/web/page_dash.c, src/cli/cmd_remind.c. */
#include "deadline.h"
#include "deadline_impl.h"

#include "../core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ---- */

static const struct {
    const char *code, *label;
    int days;
} kinds[DL_KIND_COUNT] = {
    [DL_JOINT] = {"joint", "联合部门确认", 2},
    [DL_ENTRY] = {"entry", "检查结果录入", DEADLINE_ENTRY_DAYS},
    [DL_PUBLISH] = {"publish", "检查结果公示", DEADLINE_PUBLISH_DAYS},
    [DL_PENALTY] = {"penalty", "处罚决定公示", DEADLINE_PENALTY_DAYS},
    [DL_FOLLOWUP] = {"followup", "后续处置结果录入", DEADLINE_FOLLOWUP_DAYS},
    [DL_RECTIFY] = {"rectify", "整改期限", 0},
};

static const struct {
    const char *code, *name;
} states[DL_STATE_COUNT] = {
    [DL_PENDING] = {"pending", "未到期"},
    [DL_DUE_TODAY] = {"due_today", "今日到期"},
    [DL_DUE_SOON] = {"due_soon", "即将到期"},
    [DL_OVERDUE] = {"overdue", "已逾期"},
    [DL_DONE_ON_TIME] = {"done_on_time", "按时完成"},
    [DL_DONE_LATE] = {"done_late", "逾期完成"},
    [DL_UNKNOWN] = {"unknown", "期限未知"},
};

const char *deadline_kind_code(DlKind k) {
    return k < DL_KIND_COUNT ? kinds[k].code : "";
}
const char *deadline_kind_label(DlKind k) {
    return k < DL_KIND_COUNT ? kinds[k].label : "";
}
int deadline_kind_days(DlKind k) {
    return k < DL_KIND_COUNT ? kinds[k].days : 0;
}
int deadline_kind_parse(const char *code) {
    for (int k = 0; k < DL_KIND_COUNT; k++)
        if (str_eq(code, kinds[k].code)) return k;
    return -1;
}
const char *deadline_state_code(DlState s) {
    return s < DL_STATE_COUNT ? states[s].code : "";
}
const char *deadline_state_name(DlState s) {
    return s < DL_STATE_COUNT ? states[s].name : "";
}
int deadline_state_parse(const char *code) {
    for (int s = 0; s < DL_STATE_COUNT; s++)
        if (str_eq(code, states[s].code)) return s;
    return -1;
}

/* ---- evaluation (pure) ---- */

char *deadline_text(const char *date, int provisional, char *out, size_t cap) {
    if (str_empty(date))
        snprintf(out, cap, "%s", states[DL_UNKNOWN].name);
    else if (provisional)
        snprintf(out, cap, "预计 %s" DEADLINE_PROVISIONAL_NOTE, date);
    else
        snprintf(out, cap, "%s", date);
    return out;
}

void deadline_json_set(json_t *obj, const char *text_key, const char *prov_key, const char *date,
                       int provisional) {
    char text[128];
    json_object_set_new(obj, text_key,
                        json_string(deadline_text(date, provisional, text, sizeof text)));
    json_object_set_new(obj, prov_key, json_boolean(provisional && !str_empty(date)));
}

static void set_label(DlClock *c) {
    int n = c->days;
    /* a provisional deadline reads 预计逾期, 预计今日到期, 预计即将到期, … */
    char pname[40];
    const char *name = states[c->state].name;
    if (c->provisional && c->state != DL_UNKNOWN) {
        snprintf(pname, sizeof pname, "预计%s", c->state == DL_OVERDUE ? "逾期" : name);
        name = pname;
    }
    switch (c->state) {
    case DL_PENDING: /* nothing is due yet: "未到期"; with a provisional deadline the count is the
                        estimate */
        if (n >= 0)
            snprintf(c->label, sizeof c->label, "%s %s剩余%d个工作日", states[c->state].name,
                     c->provisional ? "预计" : "", n);
        else
            snprintf(c->label, sizeof c->label, "%s（剩余工作日未知）", states[c->state].name);
        break;
    case DL_DUE_SOON:
        if (n > 0)
            snprintf(c->label, sizeof c->label, "%s 剩余%d个工作日", name, n);
        else
            snprintf(c->label, sizeof c->label, "%s", name);
        break;
    case DL_OVERDUE:
        if (n > 0)
            snprintf(c->label, sizeof c->label, "%s %d个工作日", name, n);
        else
            snprintf(c->label, sizeof c->label, "%s", name);
        break;
    case DL_DONE_LATE:
        if (n > 0)
            snprintf(c->label, sizeof c->label, "%s（晚%d个工作日）", name, n);
        else
            snprintf(c->label, sizeof c->label, "%s", name);
        break;
    default:
        snprintf(c->label, sizeof c->label, "%s", name);
        break;
    }
}

/* Working days in (from, to], or -1 when the calendar does not cover them. */
static int count_between(const Calendar *cal, const char *from, const char *to) {
    int n = 0;
    return calendar_workdays_between(cal, from, to, &n) >= 0 ? n : -1;
}

int deadline_eval(const Calendar *cal, const char *start, int workdays, const char *done,
                  const char *today, DlClock *out) {
    memset(out, 0, sizeof *out);
    out->state = DL_UNKNOWN;
    int rc = CAL_OK;
    if (!date_valid(today) || (!str_empty(done) && !date_valid(done)) ||
        (!str_empty(start) && !date_valid(start)) || workdays < 0) {
        rc = CAL_INVALID;
    } else if (!str_empty(start)) {
        char dl[11];
        int r = CAL_OK;
        if (workdays > 0)
            r = calendar_add_workdays(cal, start, workdays, dl);
        else
            memcpy(dl, start, 11);
        if (r == CAL_OK || r == CAL_PROVISIONAL) {
            memcpy(out->deadline, dl, 11);
            out->provisional = r == CAL_PROVISIONAL;
            if (!str_empty(done)) {
                if (strcmp(done, dl) <= 0) {
                    out->state = DL_DONE_ON_TIME;
                } else {
                    out->state = DL_DONE_LATE;
                    out->days = count_between(cal, dl, done);
                }
            } else {
                int c = strcmp(today, dl);
                if (c == 0) {
                    out->state = DL_DUE_TODAY;
                } else if (c > 0) {
                    out->state = DL_OVERDUE;
                    out->days = count_between(cal, dl, today);
                } else {
                    out->days = count_between(cal, today, dl);
                    out->state = out->days >= 0 && out->days <= DEADLINE_SOON_DAYS ? DL_DUE_SOON
                                                                                   : DL_PENDING;
                }
            }
        } else if (r == CAL_INVALID) {
            rc = CAL_INVALID;
        }
    }
    set_label(out);
    return rc;
}

int deadline_month_end(const char *month, char out[11]) {
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m;
    char tail;
    if (!month || strlen(month) != 7 || sscanf(month, "%4d-%2d%c", &y, &m, &tail) != 2 ||
        month[4] != '-' || m < 1 || m > 12 || y < 1900 || y > 9999)
        return CAL_INVALID;
    int d = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return CAL_OK;
}

/* ---- collector ---- */

/* The org scope: scope_org and every org below it; a 0 scope matches every org. Two '?', both
 * bound to scope_org. */
#define SCOPE_SQL(col)                                                                             \
    "(? = 0 OR " col " IN (WITH RECURSIVE sc(id) AS (SELECT ? UNION SELECT o2.id FROM org o2 "     \
    "JOIN sc ON o2.parent_id = sc.id) SELECT id FROM sc))"

static json_t *jstr_or_null(const char *s) {
    return str_empty(s) ? json_null() : json_string(s);
}

/* A target as shown inside the bureau: its name, but insured persons by code only. */
static const char *target_shown(const char *code, const char *name, const char *kind) {
    return str_eq(kind, "insured") || str_empty(name) ? code : name;
}

json_t *dl_dept_list(int64_t id, const char *name) {
    json_t *a = json_array();
    if (id && name)
        json_array_append_new(a, json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", name));
    return a;
}

void dl_add_clock(Collect *c, DlKind kind, const char *start, int workdays, const char *done,
                  int64_t task_id, const char *task_code, const char *task_name, int64_t org_id,
                  const char *org_name, const char *subject, const char *target_code,
                  int64_t record_id, int64_t followup_id, const char *detail, json_t *officers,
                  json_t *depts, const char *link) {
    if (c->only_cert) {
        int mine = 0;
        size_t i;
        json_t *o;
        json_array_foreach(
            officers, i,
            o) if (str_eq(json_string_value(json_object_get(o, "cert_no")), c->only_cert)) mine = 1;
        if (!mine) {
            json_decref(officers);
            json_decref(depts);
            return;
        }
    }
    DlClock ck;
    deadline_eval(c->cal, start, workdays, done, c->today, &ck);
    Buf resp;
    buf_init(&resp);
    size_t i;
    json_t *o;
    json_array_foreach(officers, i, o) buf_printf(&resp, "%s%s（%s）", i ? "、" : "",
                                                  json_string_value(json_object_get(o, "name")),
                                                  json_string_value(json_object_get(o, "cert_no")));
    json_array_foreach(depts, i, o) buf_printf(&resp, "%s%s", resp.len ? "；" : "",
                                               json_string_value(json_object_get(o, "name")));
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:i, s:o, s:I, s:s, s:s, s:I, "
                          "s:s, s:s, s:o, s:s}",
                          "kind", kinds[kind].code, "kind_label", kinds[kind].label, "state",
                          states[ck.state].code, "state_name", states[ck.state].name, "label",
                          ck.label, "days", ck.days, "deadline", jstr_or_null(ck.deadline), "start",
                          jstr_or_null(start), "workdays", workdays, "done_on", jstr_or_null(done),
                          "task_id", (json_int_t)task_id, "task_code", task_code ? task_code : "",
                          "task_name", task_name ? task_name : "", "org_id", (json_int_t)org_id,
                          "org_name", org_name ? org_name : "", "subject", subject ? subject : "",
                          "target_code", jstr_or_null(target_code), "detail", detail ? detail : "");
    deadline_json_set(j, "deadline_text", "provisional", ck.deadline, ck.provisional);
    json_object_set_new(j, "record_id", record_id ? json_integer(record_id) : json_null());
    json_object_set_new(j, "followup_id", followup_id ? json_integer(followup_id) : json_null());
    json_object_set_new(j, "officers", officers);
    json_object_set_new(j, "depts", depts);
    json_object_set_new(j, "responsible", json_string(resp.data ? resp.data : ""));
    json_object_set_new(j, "link", json_string(link));
    json_object_set_new(j, "overdue",
                        json_boolean(ck.state == DL_OVERDUE || ck.state == DL_DONE_LATE));
    json_array_append_new(c->out, j);
    buf_free(&resp);
}

static int collect_joint(Collect *c, int64_t scope) {
    Stmt *st = db_prepare(
        c->db,
        "SELECT t.id, t.code, t.name, t.org_id, o.name, j.dept_id, d.name, j.named_on, "
        "j.confirmed_on "
        "FROM task_joint j JOIN task t ON t.id = j.task_id JOIN org o ON o.id = t.org_id "
        "JOIN dept d ON d.id = j.dept_id WHERE " SCOPE_SQL("t.org_id") " ORDER BY t.id, d.code");
    if (!st) return DB_ERR;
    db_bind_int(st, 1, scope);
    db_bind_int(st, 2, scope);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t tid = db_col_int(st, 0);
        char *link = xasprintf("/tasks/%lld", (long long)tid);
        const char *dname = db_col_text(st, 6);
        dl_add_clock(c, DL_JOINT, db_col_text(st, 7), kinds[DL_JOINT].days, db_col_text(st, 8), tid,
                     db_col_text(st, 1), db_col_text(st, 2), db_col_int(st, 3), db_col_text(st, 4),
                     dname, NULL, 0, 0, db_col_text(st, 8) ? "已确认" : "待确认", json_array(),
                     dl_dept_list(db_col_int(st, 5), dname), link);
        free(link);
    }
    db_finalize(st);
    return rc == DB_DONE ? DB_OK : DB_ERR;
}

/* The officers (not experts) in group of (draw, target), leader first. */
Stmt *dl_members_prepare(Db *db) {
    return db_prepare(
        db, "SELECT m.member_code, coalesce(f.name, m.member_code), m.role, coalesce(dp.name, '') "
            "FROM draw_member m "
            "JOIN officer f ON f.cert_no = m.member_code LEFT JOIN dept dp ON dp.id = f.dept_id "
            "WHERE m.draw_id = ? AND m.target_code = ? AND m.status = '在组' AND m.role <> '专家' "
            "ORDER BY m.role <> '组长', m.member_code");
}

json_t *dl_group_officers(Collect *c, int64_t draw_id, const char *target) {
    json_t *a = json_array();
    db_reset(c->members);
    db_bind_int(c->members, 1, draw_id);
    db_bind_text(c->members, 2, target);
    while (db_step(c->members) == DB_ROW)
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:s, s:s}", "cert_no", db_col_text(c->members, 0), "name",
                         db_col_text(c->members, 1), "role", db_col_text(c->members, 2), "dept",
                         db_col_text(c->members, 3)));
    return a;
}

/* Result entry and publication of every drawn target of every current draw, with its record
 * when one exists. The day a duty was done is the day of its last record_event (提交, 公示), else
 * the date part of submitted_at/published_at (both the clock's local day, clock.h). */
static int collect_records(Collect *c, int64_t scope) {
    Stmt *st = db_prepare(
        c->db,
        "SELECT t.id, t.code, t.name, t.org_id, o.name, coalesce(t.lead_dept_id, 0), ld.name, "
        "t.month_to, "
        "d.id, dt.target_code, g.name, g.kind, r.id, r.status, r.checked_on, "
        "CASE WHEN r.status IN ('待审核', '审核通过', '已公示') THEN coalesce((SELECT e.on_day "
        "FROM "
        "record_event e WHERE e.record_id = r.id AND e.action = '提交' ORDER BY e.id DESC LIMIT "
        "1), "
        "substr(r.submitted_at, 1, 10)) END, "
        "CASE WHEN r.status = '已公示' THEN coalesce((SELECT e.on_day FROM record_event e WHERE "
        "e.record_id = r.id AND e.action = '公示' ORDER BY e.id DESC LIMIT 1), "
        "substr(r.published_at, 1, 10)) END "
        "FROM task t JOIN org o ON o.id = t.org_id "
        "JOIN draw d ON d.task_code = t.code AND d.status = '已抽取' "
        "JOIN draw_target dt ON dt.draw_id = d.id AND dt.status = '有效' "
        "LEFT JOIN dept ld ON ld.id = t.lead_dept_id LEFT JOIN target g ON g.code = dt.target_code "
        "LEFT JOIN record r ON r.draw_id = d.id AND r.target_code = dt.target_code "
        "WHERE " SCOPE_SQL("t.org_id") " ORDER BY t.id, dt.position");
    if (!st) return DB_ERR;
    db_bind_int(st, 1, scope);
    db_bind_int(st, 2, scope);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t tid = db_col_int(st, 0), rid = db_col_int(st, 12), lead = db_col_int(st, 5);
        const char *checked = db_col_text(st, 14), *target = db_col_text(st, 9),
                   *status = db_col_text(st, 13);
        char month_end[11] = "";
        if (str_empty(checked)) deadline_month_end(db_col_text(st, 7), month_end);
        const char *start = str_empty(checked) ? month_end : checked;
        char *link = rid ? xasprintf("/records/%lld", (long long)rid)
                         : xasprintf("/tasks/%lld", (long long)tid);
        const char *subject = target_shown(target, db_col_text(st, 10), db_col_text(st, 11));
        char *detail =
            xasprintf("%s%s", status ? "检查记录" : "未建检查记录", status ? status : "");
        dl_add_clock(c, DL_ENTRY, start, kinds[DL_ENTRY].days, db_col_text(st, 15), tid,
                     db_col_text(st, 1), db_col_text(st, 2), db_col_int(st, 3), db_col_text(st, 4),
                     subject, target, rid, 0, detail,
                     dl_group_officers(c, db_col_int(st, 8), target),
                     dl_dept_list(lead, db_col_text(st, 6)), link);
        dl_add_clock(c, DL_PUBLISH, start, kinds[DL_PUBLISH].days, db_col_text(st, 16), tid,
                     db_col_text(st, 1), db_col_text(st, 2), db_col_int(st, 3), db_col_text(st, 4),
                     subject, target, rid, 0, detail, json_array(),
                     dl_dept_list(lead, db_col_text(st, 6)), link);
        free(detail);
        free(link);
    }
    db_finalize(st);
    return rc == DB_DONE ? DB_OK : DB_ERR;
}

json_t *dl_penalty_days(Db *db) {
    json_t *m = json_object();
    Stmt *st =
        db_prepare(db, "SELECT code, attrs FROM refdata WHERE set_name = 'disposal_options'");
    if (!st) return m;
    while (db_step(st) == DB_ROW) {
        json_t *a = json_loads(db_col_text(st, 1) ? db_col_text(st, 1) : "{}", 0, NULL);
        json_t *v = json_object_get(a, "publish_workdays");
        long n = json_is_string(v)    ? strtol(json_string_value(v), NULL, 10)
                 : json_is_integer(v) ? (long)json_integer_value(v)
                                      : 0;
        if (n > 0 && n <= 1000) json_object_set_new(m, db_col_text(st, 0), json_integer(n));
        json_decref(a);
    }
    db_finalize(st);
    return m;
}

int dl_penalty_workdays(const json_t *pdays, const char *option) {
    json_int_t pd = json_integer_value(json_object_get(pdays, option));
    if (!pd && str_eq(option, "penalty")) pd = DEADLINE_PENALTY_DAYS;
    return (int)pd;
}

static int collect_followups(Collect *c, int64_t scope) {
    json_t *pdays = dl_penalty_days(c->db);
    Stmt *st = db_prepare(
        c->db,
        "SELECT f.id, f.option, coalesce(rd.label, f.option), f.opened_on, f.rectify_deadline, "
        "f.recheck_on, "
        "f.decision_on, f.penalty_published_on, coalesce(f.outcome_on, f.closed_on), r.id, "
        "r.target_code, "
        "g.name, g.kind, t.id, t.code, t.name, f.org_id, o.name, coalesce(t.lead_dept_id, 0), "
        "ld.name "
        "FROM followup f JOIN record r ON r.id = f.record_id JOIN task t ON t.id = r.task_id "
        "JOIN org o ON o.id = f.org_id LEFT JOIN dept ld ON ld.id = t.lead_dept_id "
        "LEFT JOIN target g ON g.code = r.target_code "
        "LEFT JOIN refdata rd ON rd.set_name = 'disposal_options' AND rd.code = f.option "
        "WHERE " SCOPE_SQL("f.org_id") " ORDER BY f.id");
    if (!st) {
        json_decref(pdays);
        return DB_ERR;
    }
    db_bind_int(st, 1, scope);
    db_bind_int(st, 2, scope);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t fid = db_col_int(st, 0), tid = db_col_int(st, 13), lead = db_col_int(st, 18);
        const char *option = db_col_text(st, 1), *target = db_col_text(st, 10),
                   *lead_name = db_col_text(st, 19);
        const char *subject = target_shown(target, db_col_text(st, 11), db_col_text(st, 12));
        const char *tcode = db_col_text(st, 14), *tname = db_col_text(st, 15),
                   *oname = db_col_text(st, 17);
        int64_t org = db_col_int(st, 16), rid = db_col_int(st, 9);
        char *link = xasprintf("/followups/%lld", (long long)fid);
        const char *detail = db_col_text(st, 2);
        dl_add_clock(c, DL_FOLLOWUP, db_col_text(st, 3), kinds[DL_FOLLOWUP].days,
                     db_col_text(st, 8), tid, tcode, tname, org, oname, subject, target, rid, fid,
                     detail, json_array(), dl_dept_list(lead, lead_name), link);
        if (!str_empty(db_col_text(st, 4)))
            dl_add_clock(c, DL_RECTIFY, db_col_text(st, 4), 0, db_col_text(st, 5), tid, tcode,
                         tname, org, oname, subject, target, rid, fid, detail, json_array(),
                         dl_dept_list(lead, lead_name), link);
        int pd = dl_penalty_workdays(pdays, option);
        if (pd > 0 && !str_empty(db_col_text(st, 6)))
            dl_add_clock(c, DL_PENALTY, db_col_text(st, 6), pd, db_col_text(st, 7), tid, tcode,
                         tname, org, oname, subject, target, rid, fid, detail, json_array(),
                         dl_dept_list(lead, lead_name), link);
        free(link);
    }
    db_finalize(st);
    json_decref(pdays);
    return rc == DB_DONE ? DB_OK : DB_ERR;
}

/* Sort: known deadlines first, earliest first; then kind, task code, subject. */
static int clock_cmp(const void *a, const void *b) {
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    const char *dx = json_string_value(json_object_get(x, "deadline")),
               *dy = json_string_value(json_object_get(y, "deadline"));
    if (!dx != !dy) return dx ? -1 : 1;
    int c = dx ? strcmp(dx, dy) : 0;
    if (!c)
        c = deadline_kind_parse(json_string_value(json_object_get(x, "kind"))) -
            deadline_kind_parse(json_string_value(json_object_get(y, "kind")));
    if (!c)
        c = strcmp(json_string_value(json_object_get(x, "task_code")),
                   json_string_value(json_object_get(y, "task_code")));
    if (!c)
        c = strcmp(json_string_value(json_object_get(x, "subject")),
                   json_string_value(json_object_get(y, "subject")));
    return c;
}

json_t *deadline_collect(Db *db, const Calendar *cal, int64_t scope_org, const char *only_cert,
                         const char *today, char **err) {
    Collect c = {db, cal, today, only_cert, json_array(), dl_members_prepare(db)};
    int rc = c.members ? DB_OK : DB_ERR;
    if (rc == DB_OK && !only_cert) rc = collect_joint(&c, scope_org);
    if (rc == DB_OK) rc = collect_records(&c, scope_org);
    if (rc == DB_OK && !only_cert) rc = collect_followups(&c, scope_org);
    if (c.members) db_finalize(c.members);
    if (rc != DB_OK) {
        set_err(err, "读取期限数据失败：%s", db_errmsg(db));
        json_decref(c.out);
        return NULL;
    }
    size_t n = json_array_size(c.out);
    json_t **v = xcalloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(c.out, i));
    qsort(v, n, sizeof *v, clock_cmp);
    json_t *sorted = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(sorted, v[i]);
    free(v);
    json_decref(c.out);
    return sorted;
}

/* ---- views ---- */

static int state_of(const json_t *clock) {
    return deadline_state_parse(json_string_value(json_object_get(clock, "state")));
}

json_t *deadline_counts(const json_t *clocks) {
    long long n[DL_KIND_COUNT][DL_STATE_COUNT] = {{0}}, prov = 0;
    size_t i;
    json_t *c;
    json_array_foreach(clocks, i, c) {
        int k = deadline_kind_parse(json_string_value(json_object_get(c, "kind"))), s = state_of(c);
        if (k < 0 || s < 0) continue;
        prov += json_is_true(json_object_get(c, "provisional")) && s != DL_DONE_ON_TIME &&
                s != DL_DONE_LATE;
        n[k][s]++;
    }
    return dl_counts_json(n, prov);
}

json_t *dl_counts_json(const long long n[DL_KIND_COUNT][DL_STATE_COUNT], long long prov) {
    long long tot[DL_STATE_COUNT] = {0}, all = 0;
    for (int k = 0; k < DL_KIND_COUNT; k++)
        for (int s = 0; s < DL_STATE_COUNT; s++) {
            tot[s] += n[k][s];
            all += n[k][s];
        }
    json_t *st = json_array(), *ks = json_array(), *ts = json_array();
    for (int s = 0; s < DL_STATE_COUNT; s++) {
        json_array_append_new(
            st, json_pack("{s:s, s:s}", "code", states[s].code, "name", states[s].name));
        json_array_append_new(ts, json_pack("{s:s, s:s, s:I}", "state", states[s].code, "name",
                                            states[s].name, "n", (json_int_t)tot[s]));
    }
    for (int k = 0; k < DL_KIND_COUNT; k++) {
        json_t *cs = json_array();
        long long t = 0;
        for (int s = 0; s < DL_STATE_COUNT; s++) {
            json_array_append_new(cs, json_pack("{s:s, s:s, s:I}", "state", states[s].code, "name",
                                                states[s].name, "n", (json_int_t)n[k][s]));
            t += n[k][s];
        }
        json_array_append_new(ks, json_pack("{s:s, s:s, s:o, s:I}", "code", kinds[k].code, "label",
                                            kinds[k].label, "counts", cs, "total", (json_int_t)t));
    }
    return json_pack("{s:o, s:o, s:o, s:I, s:I}", "states", st, "kinds", ks, "totals", ts, "total",
                     (json_int_t)all, "provisional", (json_int_t)prov);
}

json_t *deadline_filter(const json_t *clocks, DlState state) {
    json_t *a = json_array(), *c;
    size_t i;
    json_array_foreach(clocks, i, c) if (state_of(c) == (int)state) json_array_append(a, c);
    return a;
}

json_t *deadline_reminders(const json_t *clocks) {
    json_t *today = deadline_filter(clocks, DL_DUE_TODAY),
           *soon = deadline_filter(clocks, DL_DUE_SOON),
           *over = deadline_filter(clocks, DL_OVERDUE);
    return json_pack(
        "{s:I, s:I, s:I, s:o, s:o, s:o}", "today_count", (json_int_t)json_array_size(today),
        "soon_count", (json_int_t)json_array_size(soon), "overdue_count",
        (json_int_t)json_array_size(over), "today", today, "soon", soon, "overdue", over);
}

/* Group sort: count descending, then key ascending. */
static int group_cmp(const void *a, const void *b) {
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t cx = json_integer_value(json_object_get(x, "count")),
               cy = json_integer_value(json_object_get(y, "count"));
    if (cx != cy) return cx > cy ? -1 : 1;
    return strcmp(json_string_value(json_object_get(x, "key")),
                  json_string_value(json_object_get(y, "key")));
}

json_t *deadline_overdue_by(const json_t *clocks, const char *by) {
    int by_officer = str_eq(by, "officer");
    if (!by_officer && !str_eq(by, "dept")) return NULL;
    json_t *groups = json_object(), *c;
    size_t i;
    json_array_foreach(clocks, i, c) {
        if (state_of(c) != DL_OVERDUE) continue;
        json_t *who = json_object_get(c, by_officer ? "officers" : "depts"), *w;
        size_t j;
        json_array_foreach(who, j, w) {
            char key[64];
            if (by_officer)
                snprintf(key, sizeof key, "%s", json_string_value(json_object_get(w, "cert_no")));
            else
                snprintf(key, sizeof key, "%lld",
                         (long long)json_integer_value(json_object_get(w, "id")));
            json_t *g = json_object_get(groups, key);
            if (!g) {
                g = by_officer
                        ? json_pack("{s:s, s:O, s:O, s:O}", "key", key, "cert_no",
                                    json_object_get(w, "cert_no"), "name",
                                    json_object_get(w, "name"), "dept", json_object_get(w, "dept"))
                        : json_pack("{s:s, s:O, s:O, s:O}", "key", key, "id",
                                    json_object_get(w, "id"), "name", json_object_get(w, "name"),
                                    "org_name", json_object_get(c, "org_name"));
                json_object_set_new(g, "count", json_integer(0));
                json_object_set_new(g, "clocks", json_array());
                json_object_set_new(g, "per_kind", json_object());
                json_object_set_new(groups, key, g);
            }
            json_object_set_new(g, "count",
                                json_integer(json_integer_value(json_object_get(g, "count")) + 1));
            json_array_append(json_object_get(g, "clocks"), c);
            json_t *pk = json_object_get(g, "per_kind");
            const char *kl = json_string_value(json_object_get(c, "kind_label"));
            json_object_set_new(pk, kl,
                                json_integer(json_integer_value(json_object_get(pk, kl)) + 1));
        }
    }
    return dl_groups_sorted(groups);
}

json_t *dl_groups_sorted(json_t *groups) {
    size_t n = json_object_size(groups), k = 0;
    json_t **v = xcalloc(n ? n : 1, sizeof *v);
    const char *key;
    json_t *g;
    json_object_foreach(groups, key, g) {
        Buf b;
        buf_init(&b);
        /* per-kind counts in the order of the kinds table */
        for (int kk = 0; kk < DL_KIND_COUNT; kk++) {
            json_t *kn = json_object_get(json_object_get(g, "per_kind"), kinds[kk].label);
            if (kn)
                buf_printf(&b, "%s%s %lld", b.len ? "、" : "", kinds[kk].label,
                           (long long)json_integer_value(kn));
        }
        json_object_del(g, "per_kind");
        json_object_set_new(g, "kinds", json_string(b.data ? b.data : ""));
        buf_free(&b);
        v[k++] = json_incref(g);
    }
    qsort(v, n, sizeof *v, group_cmp);
    json_t *out = json_array();
    for (size_t x = 0; x < n; x++)
        json_array_append_new(out, v[x]);
    free(v);
    json_decref(groups);
    return out;
}
