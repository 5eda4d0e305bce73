/* page_dash.c - deadlines and accountability (004 第十八条): the dashboard (counts per clock kind
 * and state, overdue, due today and within 3 working days), overdue clocks grouped per officer and
 * per dept, the printable daily reminder list for a date, an officer's own deadlines (phone) and
 * GET /api/v1/deadlines. Clocks come from src/domain/deadline.c; every list is limited to the
 * user's org and the orgs below it. Read-only: nothing here writes or audits. */
#include "../core/clock.h"
#include "../domain/account.h"
#include "../domain/deadline.h"
#include "../domain/record_query.h"
#include "../domain/task.h"
#include "dash_web.h"

#include <stdlib.h>
#include <string.h>

/* Rows shown per list on a page; the API and the per-officer page give everything. */
#define DASH_PAGE_ROWS 200
/* Rows shown per officer or dept on the overdue page. */
#define DASH_GROUP_ROWS 50

static const char *badge_of(const char *state) {
    int s = deadline_state_parse(state);
    switch (s) {
    case DL_OVERDUE:
    case DL_DONE_LATE:
        return "badge-danger";
    case DL_DUE_TODAY:
    case DL_DUE_SOON:
        return "badge-warn";
    case DL_DONE_ON_TIME:
        return "badge-ok";
    case DL_PENDING:
        return "badge-info";
    default:
        return "badge-off";
    }
}

/* The clocks of the user's scope evaluated for `date` (only_cert: an officer's own), each with
 * its badge class; NULL after sending an error. warn_ctx (may be NULL) receives the holiday
 * data's warning for `date` (web_calendar_warning). */
static json_t *load_clocks(Req *r, const char *date, const char *only_cert, json_t *warn_ctx) {
    char *err = NULL;
    Calendar *cal = task_calendar_load(r->db, &err);
    if (cal && warn_ctx) web_calendar_warning(warn_ctx, cal, date);
    json_t *clocks =
        cal ? deadline_collect(r->db, cal, r->sess->org_id, only_cert, date, &err) : NULL;
    calendar_free(cal);
    if (!clocks) {
        web_error(r, 500, "deadlines", err ? err : "读取期限数据失败");
        free(err);
        return NULL;
    }
    size_t i;
    json_t *c;
    json_array_foreach(clocks, i, c) json_object_set_new(
        c, "badge", json_string(badge_of(json_string_value(json_object_get(c, "state")))));
    return clocks;
}

/* The "date" query parameter or today into out; 0 after sending 400 for a bad date. */
static int date_param(Req *r, char out[11]) {
    char *d = web_query(r, "date");
    int ok = 1;
    if (str_empty(d))
        clock_today(out);
    else if (date_valid(d))
        memcpy(out, d, 11);
    else {
        web_error(r, 400, "bad_date", "日期格式应为 YYYY-MM-DD");
        ok = 0;
    }
    free(d);
    return ok;
}

/* {title, count, rows (at most DASH_PAGE_ROWS), more, empty}; steals rows. */
static json_t *section(const char *id, const char *title, json_t *rows, const char *empty) {
    size_t n = json_array_size(rows);
    json_t *shown = json_array();
    for (size_t i = 0; i < n && i < DASH_PAGE_ROWS; i++)
        json_array_append(shown, json_array_get(rows, i));
    json_t *s = json_pack("{s:s, s:s, s:I, s:o, s:b, s:I, s:s}", "id", id, "title", title, "count",
                          (json_int_t)n, "rows", shown, "more", n > DASH_PAGE_ROWS, "shown",
                          (json_int_t)json_array_size(shown), "empty", empty);
    json_decref(rows);
    return s;
}

void page_dash(Req *r) {
    char today[11];
    clock_today(today);
    json_t *warn = json_object();
    json_t *clocks = load_clocks(r, today, NULL, warn);
    if (!clocks) {
        json_decref(warn);
        return;
    }
    json_t *rem = deadline_reminders(clocks), *sections = json_array();
    json_array_append_new(
        sections,
        section("overdue", "已逾期", json_incref(json_object_get(rem, "overdue")), "没有逾期事项"));
    json_array_append_new(sections,
                          section("today", "今日到期", json_incref(json_object_get(rem, "today")),
                                  "今日没有到期事项"));
    json_array_append_new(sections, section("soon", "3个工作日内到期",
                                            json_incref(json_object_get(rem, "soon")),
                                            "3个工作日内没有到期事项"));
    json_t *cards =
        json_pack("[{s:s, s:O, s:s}, {s:s, s:O, s:s}, {s:s, s:O, s:s}]", "label", "已逾期", "n",
                  json_object_get(rem, "overdue_count"), "href", "#overdue", "label", "今日到期",
                  "n", json_object_get(rem, "today_count"), "href", "#today", "label",
                  "3个工作日内到期", "n", json_object_get(rem, "soon_count"), "href", "#soon");
    json_t *ctx =
        json_pack("{s:s, s:s, s:o, s:o, s:o}", "today", today, "org_name", r->sess->org_name,
                  "counts", deadline_counts(clocks), "sections", sections, "cards", cards);
    json_decref(rem);
    json_decref(clocks);
    json_object_update(ctx, warn);
    json_decref(warn);
    web_page(r, "dash_index", "期限与督办", ctx);
}

void page_dash_overdue(Req *r) {
    char *by = web_query(r, "by"), today[11];
    const char *b = str_empty(by) ? "officer" : by;
    if (!str_eq(b, "officer") && !str_eq(b, "dept")) {
        web_error(r, 400, "bad_by", "汇总方式应为 officer（按执法人员）或 dept（按科室）");
        free(by);
        return;
    }
    clock_today(today);
    json_t *clocks = load_clocks(r, today, NULL, NULL);
    if (clocks) {
        json_t *groups = deadline_overdue_by(clocks, b),
               *over = deadline_filter(clocks, DL_OVERDUE), *g;
        size_t gi;
        json_array_foreach(groups, gi, g) { /* the page shows the first rows of each group */
            json_t *cl = json_object_get(g, "clocks");
            size_t n = json_array_size(cl);
            while (json_array_size(cl) > DASH_GROUP_ROWS)
                json_array_remove(cl, json_array_size(cl) - 1);
            json_object_set_new(g, "more", json_boolean(n > DASH_GROUP_ROWS));
            json_object_set_new(g, "shown", json_integer((json_int_t)json_array_size(cl)));
        }
        json_t *ctx = json_pack("{s:s, s:s, s:b, s:b, s:o, s:I}", "today", today, "org_name",
                                r->sess->org_name, "by_officer", str_eq(b, "officer"), "by_dept",
                                str_eq(b, "dept"), "groups", groups, "overdue_total",
                                (json_int_t)json_array_size(over));
        json_decref(over);
        json_decref(clocks);
        web_page(r, "dash_overdue",
                 str_eq(b, "officer") ? "逾期事项（按执法人员）" : "逾期事项（按科室）", ctx);
    }
    free(by);
}

void page_dash_reminders(Req *r) {
    char date[11];
    if (!date_param(r, date)) return;
    json_t *clocks = load_clocks(r, date, NULL, NULL);
    if (!clocks) return;
    json_t *rem = deadline_reminders(clocks), *sections = json_array();
    json_array_append_new(
        sections, section("today", "今日到期", json_incref(json_object_get(rem, "today")), "无"));
    json_array_append_new(sections, section("soon", "3个工作日内到期",
                                            json_incref(json_object_get(rem, "soon")), "无"));
    json_array_append_new(
        sections, section("overdue", "已逾期", json_incref(json_object_get(rem, "overdue")), "无"));
    json_t *ctx = json_pack("{s:s, s:s, s:o}", "date", date, "org_name", r->sess->org_name,
                            "sections", sections);
    json_decref(rem);
    json_decref(clocks);
    web_page(r, "dash_reminders", "每日期限提醒", ctx);
}

void page_my_deadlines(Req *r) {
    char *cert = account_officer_cert(r->db, r->sess->user_id), today[11];
    clock_today(today);
    json_t *open = json_array(), *done = json_array();
    if (cert) {
        json_t *clocks = load_clocks(r, today, cert, NULL), *c;
        if (!clocks) {
            free(cert);
            json_decref(open);
            json_decref(done);
            return;
        }
        size_t i;
        json_array_foreach(clocks, i, c) {
            /* the collector links the staff pages (/records/:id, /tasks/:id), closed to officers:
             * link the officer's own form instead (/my/records syncs a record not yet created) */
            json_int_t rid = json_integer_value(json_object_get(c, "record_id"));
            char *link =
                rid ? xasprintf("/my/records/%lld", (long long)rid) : xstrdup("/my/records");
            json_object_set_new(c, "link", json_string(link));
            free(link);
            int s = deadline_state_parse(json_string_value(json_object_get(c, "state")));
            json_array_append(s == DL_DONE_ON_TIME || s == DL_DONE_LATE ? done : open, c);
        }
        json_decref(clocks);
    }
    json_t *ctx = json_pack("{s:b, s:s, s:s, s:o, s:o}", "linked", cert != NULL, "cert_no",
                            cert ? cert : "", "today", today, "open", open, "done", done);
    free(cert);
    web_page(r, "dash_mine", "我的期限", ctx);
}

void api_deadlines(Req *r) {
    char date[11], *state = web_query(r, "state"), *kind = web_query(r, "kind");
    int s = str_empty(state) ? -1 : deadline_state_parse(state),
        k = str_empty(kind) ? -1 : deadline_kind_parse(kind);
    if (!str_empty(state) && s < 0)
        web_error(
            r, 400, "bad_state",
            "state 应为 pending due_today due_soon overdue done_on_time done_late unknown 之一");
    else if (!str_empty(kind) && k < 0)
        web_error(r, 400, "bad_kind",
                  "kind 应为 joint entry publish penalty followup rectify 之一");
    else if (date_param(r, date)) {
        json_t *clocks = load_clocks(r, date, NULL, NULL);
        if (clocks) {
            json_t *out = json_array(), *c;
            size_t i;
            json_array_foreach(clocks, i, c) {
                if (s >= 0 &&
                    deadline_state_parse(json_string_value(json_object_get(c, "state"))) != s)
                    continue;
                if (k >= 0 &&
                    deadline_kind_parse(json_string_value(json_object_get(c, "kind"))) != k)
                    continue;
                json_object_del(c, "badge");
                json_array_append(out, c);
            }
            json_decref(clocks);
            web_json(r, 200,
                     json_pack("{s:s, s:I, s:o}", "date", date, "count",
                               (json_int_t)json_array_size(out), "deadlines", out));
        }
    }
    free(state);
    free(kind);
}
