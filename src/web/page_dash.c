/* page_dash.c - deadlines and accountability (004 第十八条): the dashboard (counts per clock kind
 * and state, overdue, due today and within 3 working days), overdue clocks grouped per officer and
 * per dept, the printable daily reminder list for a date, an officer's own deadlines (phone) and
 * GET /api/v1/deadlines. Clocks come from the deadline engine's SQL collector (DlSet,
 * src/domain/deadline_query.c): counts and one page of each list, DASH_PAGE_ROWS rows, so a request
 * does not grow with the number of drawn targets (the API gives a whole filtered list). Every list
 * is limited to the user's org and the orgs below it. Read-only: nothing here writes or audits. */
#include "../core/clock.h"
#include "../domain/account.h"
#include "../domain/deadline.h"
#include "../domain/record_query.h"
#include "../domain/task.h"
#include "dash_web.h"

#include <stdlib.h>
#include <string.h>

/* Rows per page of every list (clocks, and officers or depts on the overdue page). */
#define DASH_PAGE_ROWS 50

static const char *badge_of(int s) {
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

/* Adds each clock's badge class. */
static void add_badges(json_t *clocks) {
    size_t i;
    json_t *c;
    json_array_foreach(clocks, i, c) json_object_set_new(
        c, "badge",
        json_string(
            badge_of(deadline_state_parse(json_string_value(json_object_get(c, "state"))))));
}

/* Sends the error of a failed read (err: the domain's message, freed). */
static void dash_fail(Req *r, char *err) {
    web_error(r, 500, "deadlines", err ? err : "读取期限数据失败");
    free(err);
}

/* The clocks of the user's scope on `date`; NULL after sending an error. warn_ctx (may be NULL)
 * receives the holiday data's warning for `date` (web_calendar_warning). Free the calendar
 * (*cal) after the set. */
static DlSet *open_set(Req *r, const char *date, json_t *warn_ctx, Calendar **cal) {
    char *err = NULL;
    *cal = task_calendar_load(r->db, &err);
    if (*cal && warn_ctx) web_calendar_warning(warn_ctx, *cal, date);
    DlSet *set = *cal ? deadline_set_open(r->db, *cal, r->sess->org_id, date, &err) : NULL;
    if (!set) {
        calendar_free(*cal);
        *cal = NULL;
        dash_fail(r, err);
    }
    return set;
}

/* The page number in query parameter `name` (1 when absent or bad). */
static int64_t page_param(Req *r, const char *name) {
    char *p = web_query(r, name);
    long long n = p ? atoll(p) : 1;
    free(p);
    return n < 1 || n > 10000000 ? 1 : n;
}

/* A pager over `total` rows at page `page`: {page, pages, links [{n, href, current} | {gap}],
 * prev_href, next_href}, links to base + "page=N" + anchor (base ends in '?' or '&'); the first,
 * the last and three pages either side of the current one are named. NULL for one page. */
static json_t *pager(const char *base, const char *param, const char *anchor, int64_t page,
                     int64_t total) {
    int64_t pages = (total + DASH_PAGE_ROWS - 1) / DASH_PAGE_ROWS;
    if (pages <= 1) return NULL;
    if (page > pages) page = pages;
    json_t *links = json_array(),
           *p = json_pack("{s:I, s:I}", "page", (json_int_t)page, "pages", (json_int_t)pages);
    int gap = 0;
    for (int64_t n = 1; n <= pages; n++) {
        if (n != 1 && n != pages && (n < page - 3 || n > page + 3)) {
            if (!gap) json_array_append_new(links, json_pack("{s:b}", "gap", 1));
            gap = 1;
            continue;
        }
        gap = 0;
        char *href = xasprintf("%s%s=%lld%s", base, param, (long long)n, anchor);
        json_array_append_new(links, json_pack("{s:I, s:s, s:b}", "n", (json_int_t)n, "href", href,
                                               "current", n == page));
        if (n == page - 1) json_object_set_new(p, "prev_href", json_string(href));
        if (n == page + 1) json_object_set_new(p, "next_href", json_string(href));
        free(href);
    }
    json_object_set_new(p, "links", links);
    return p;
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

/* The number of clocks in `state` from a counts object (deadline_set_counts). */
static int64_t state_total(const json_t *counts, DlState state) {
    return json_integer_value(
        json_object_get(json_array_get(json_object_get(counts, "totals"), (size_t)state), "n"));
}

/* The three lists of the dashboard and the reminder list, in `order` (ids "overdue", "today",
 * "soon"): each {id, title, count, rows (page `id`_page, DASH_PAGE_ROWS per page), pager, empty};
 * base: the page's URL up to its parameters ("/dashboard?"). The three pages are read in one pass
 * (deadline_set_pages). NULL after a database error (*err set). */
static json_t *sections(Req *r, DlSet *set, const json_t *counts, const char *const order[3],
                        int terse, const char *base, char **err) {
    static const struct {
        const char *id, *title, *empty, *none;
        DlState state;
    } lists[] = {{"overdue", "已逾期", "没有逾期事项", "无", DL_OVERDUE},
                 {"today", "今日到期", "今日没有到期事项", "无", DL_DUE_TODAY},
                 {"soon", "3个工作日内到期", "3个工作日内没有到期事项", "无", DL_DUE_SOON}};
    size_t which[3];
    DlState states[3];
    int64_t n[3], page[3], offsets[3];
    for (int i = 0; i < 3; i++) {
        which[i] = str_eq(order[i], "overdue") ? 0 : str_eq(order[i], "today") ? 1 : 2;
        char param[32];
        snprintf(param, sizeof param, "%s_page", lists[which[i]].id);
        states[i] = lists[which[i]].state;
        n[i] = state_total(counts, states[i]);
        page[i] = page_param(r, param);
        int64_t pages = (n[i] + DASH_PAGE_ROWS - 1) / DASH_PAGE_ROWS;
        if (page[i] > pages) page[i] = pages ? pages : 1;
        offsets[i] = (page[i] - 1) * DASH_PAGE_ROWS;
    }
    json_t *rows = deadline_set_pages(set, states, offsets, 3, DASH_PAGE_ROWS, err);
    if (!rows) return NULL;
    json_t *out = json_array();
    for (size_t i = 0; i < 3; i++) {
        const char *id = lists[which[i]].id;
        char param[32], anchor[40];
        snprintf(param, sizeof param, "%s_page", id);
        snprintf(anchor, sizeof anchor, "#%s", id);
        json_t *list = json_incref(json_array_get(rows, i));
        add_badges(list);
        json_t *sec = json_pack("{s:s, s:s, s:I, s:o, s:s}", "id", id, "title",
                                lists[which[i]].title, "count", (json_int_t)n[i], "rows", list,
                                "empty", terse ? lists[which[i]].none : lists[which[i]].empty);
        json_t *p = pager(base, param, anchor, page[i], n[i]);
        if (p) json_object_set_new(sec, "pager", p);
        json_array_append_new(out, sec);
    }
    json_decref(rows);
    return out;
}

void page_dash(Req *r) {
    char today[11], *err = NULL;
    clock_today(today);
    json_t *warn = json_object();
    Calendar *cal;
    DlSet *set = open_set(r, today, warn, &cal);
    if (!set) {
        json_decref(warn);
        return;
    }
    static const char *const order[3] = {"overdue", "today", "soon"};
    json_t *counts = deadline_set_counts(set, &err),
           *secs = counts ? sections(r, set, counts, order, 0, "/dashboard?", &err) : NULL;
    deadline_set_free(set);
    calendar_free(cal);
    if (!secs) {
        json_decref(counts);
        json_decref(warn);
        dash_fail(r, err);
        return;
    }
    json_t *cards = json_pack(
        "[{s:s, s:I, s:s}, {s:s, s:I, s:s}, {s:s, s:I, s:s}]", "label", "已逾期", "n",
        (json_int_t)state_total(counts, DL_OVERDUE), "href", "#overdue", "label", "今日到期", "n",
        (json_int_t)state_total(counts, DL_DUE_TODAY), "href", "#today", "label", "3个工作日内到期",
        "n", (json_int_t)state_total(counts, DL_DUE_SOON), "href", "#soon");
    json_t *ctx = json_pack("{s:s, s:s, s:o, s:o, s:o}", "today", today, "org_name",
                            r->sess->org_name, "counts", counts, "sections", secs, "cards", cards);
    json_object_update(ctx, warn);
    json_decref(warn);
    web_page(r, "dash_index", "期限与督办", ctx);
}

void page_dash_overdue(Req *r) {
    char *by = web_query(r, "by"), *who = web_query(r, "who"), today[11], *err = NULL;
    const char *b = str_empty(by) ? "officer" : by;
    int by_officer = str_eq(b, "officer");
    if (!by_officer && !str_eq(b, "dept")) {
        web_error(r, 400, "bad_by", "汇总方式应为 officer（按执法人员）或 dept（按科室）");
        free(by);
        free(who);
        return;
    }
    clock_today(today);
    Calendar *cal;
    DlSet *set = open_set(r, today, NULL, &cal);
    if (!set) {
        free(by);
        free(who);
        return;
    }
    json_t *groups = deadline_set_overdue_by(set, b, &err), *ctx = NULL;
    int64_t page = page_param(r, "page");
    if (groups) {
        size_t i;
        json_t *g, *chosen = NULL;
        json_array_foreach(groups, i, g) {
            Buf href;
            buf_init(&href);
            buf_printf(&href, "/dashboard/overdue?by=%s&who=", b);
            web_url_encode(&href, json_string_value(json_object_get(g, "key")));
            json_object_set_new(g, "href", json_string(href.data));
            buf_free(&href);
            if (!str_empty(who) && str_eq(json_string_value(json_object_get(g, "key")), who))
                chosen = g;
        }
        ctx = json_pack("{s:s, s:s, s:b, s:b}", "today", today, "org_name", r->sess->org_name,
                        "by_officer", by_officer, "by_dept", !by_officer);
        /* the groups' total of clocks counts a clock once per officer: ask the set */
        json_t *counts = deadline_set_counts(set, &err);
        if (!counts) {
            json_decref(ctx);
            ctx = NULL;
        } else
            json_object_set_new(ctx, "overdue_total",
                                json_integer(state_total(counts, DL_OVERDUE)));
        json_decref(counts);
        if (ctx && chosen) { /* one officer's or dept's overdue clocks, paged */
            int64_t n = json_integer_value(json_object_get(chosen, "count"));
            int64_t pages = (n + DASH_PAGE_ROWS - 1) / DASH_PAGE_ROWS;
            if (page > pages) page = pages ? pages : 1;
            DlFilter f = {1u << DL_OVERDUE, -1,
                          by_officer ? json_string_value(json_object_get(chosen, "key")) : NULL,
                          by_officer ? 0 : json_integer_value(json_object_get(chosen, "id"))};
            json_t *rows =
                deadline_set_page(set, &f, (page - 1) * DASH_PAGE_ROWS, DASH_PAGE_ROWS, &err);
            if (!rows) {
                json_decref(ctx);
                ctx = NULL;
            } else {
                add_badges(rows);
                json_object_set_new(chosen, "rows", rows);
                char *base = xasprintf("%s&", json_string_value(json_object_get(chosen, "href")));
                json_t *p = pager(base, "page", "", page, n);
                free(base);
                if (p) json_object_set_new(chosen, "pager", p);
                json_object_set_new(ctx, "chosen", json_incref(chosen));
            }
        } else if (ctx) { /* the officers or depts, DASH_PAGE_ROWS per page */
            int64_t n = (int64_t)json_array_size(groups);
            int64_t pages = (n + DASH_PAGE_ROWS - 1) / DASH_PAGE_ROWS;
            if (page > pages) page = pages ? pages : 1;
            json_t *shown = json_array();
            for (int64_t k = (page - 1) * DASH_PAGE_ROWS; k < n && k < page * DASH_PAGE_ROWS; k++)
                json_array_append(shown, json_array_get(groups, (size_t)k));
            json_object_set_new(ctx, "groups", shown);
            char *base = xasprintf("/dashboard/overdue?by=%s&", b);
            json_t *p = pager(base, "page", "", page, n);
            free(base);
            if (p) json_object_set_new(ctx, "pager", p);
        }
    }
    json_decref(groups);
    deadline_set_free(set);
    calendar_free(cal);
    if (!ctx)
        dash_fail(r, err);
    else if (!str_empty(who) && !json_object_get(ctx, "chosen")) {
        json_decref(ctx);
        web_error(r, 404, "not_found", "没有该执法人员或科室的逾期事项");
    } else
        web_page(r, "dash_overdue", by_officer ? "逾期事项（按执法人员）" : "逾期事项（按科室）",
                 ctx);
    free(by);
    free(who);
}

void page_dash_reminders(Req *r) {
    char date[11], *err = NULL;
    if (!date_param(r, date)) return;
    Calendar *cal;
    DlSet *set = open_set(r, date, NULL, &cal);
    if (!set) return;
    static const char *const order[3] = {"today", "soon", "overdue"};
    char *base = xasprintf("/dashboard/reminders?date=%s&", date);
    json_t *counts = deadline_set_counts(set, &err),
           *secs = counts ? sections(r, set, counts, order, 1, base, &err) : NULL;
    free(base);
    deadline_set_free(set);
    calendar_free(cal);
    json_decref(counts);
    if (!secs) {
        dash_fail(r, err);
        return;
    }
    json_t *ctx =
        json_pack("{s:s, s:s, s:o}", "date", date, "org_name", r->sess->org_name, "sections", secs);
    web_page(r, "dash_reminders", "每日期限提醒", ctx);
}

/* The officer's clocks passing `states`, page `param`, links relinked to the officer's own
 * pages; into ctx[key] with its count and pager. 0, or -1 with *err. */
static int mine(Req *r, DlSet *set, const char *cert, unsigned states, const char *param,
                json_t *ctx, const char *key, char **err) {
    DlFilter f = {states, -1, cert, 0};
    int64_t n = 0, page = page_param(r, param);
    if (deadline_set_count(set, &f, &n, err) != DB_OK) return -1;
    int64_t pages = (n + DASH_PAGE_ROWS - 1) / DASH_PAGE_ROWS;
    if (page > pages) page = pages ? pages : 1;
    json_t *rows = deadline_set_page(set, &f, (page - 1) * DASH_PAGE_ROWS, DASH_PAGE_ROWS, err), *c;
    if (!rows) return -1;
    add_badges(rows);
    size_t i;
    json_array_foreach(rows, i, c) {
        /* the collector links the staff pages (/records/:id, /tasks/:id), closed to officers:
         * link the officer's own form instead (/my/records syncs a record not yet created) */
        json_int_t rid = json_integer_value(json_object_get(c, "record_id"));
        char *link = rid ? xasprintf("/my/records/%lld", (long long)rid) : xstrdup("/my/records");
        json_object_set_new(c, "link", json_string(link));
        free(link);
    }
    json_object_set_new(ctx, key, rows);
    char count_key[32];
    snprintf(count_key, sizeof count_key, "%s_count", key);
    json_object_set_new(ctx, count_key, json_integer(n));
    char anchor[40];
    snprintf(anchor, sizeof anchor, "#%s", key);
    json_t *p = pager("/my/deadlines?", param, anchor, page, n);
    if (p) {
        char nav_key[32];
        snprintf(nav_key, sizeof nav_key, "%s_nav", key);
        json_object_set_new(ctx, nav_key, json_pack("{s:o}", "pager", p));
    }
    return 0;
}

void page_my_deadlines(Req *r) {
    char *cert = account_officer_cert(r->db, r->sess->user_id), today[11], *err = NULL;
    clock_today(today);
    json_t *ctx = json_pack("{s:b, s:s, s:s, s:[], s:[]}", "linked", cert != NULL, "cert_no",
                            cert ? cert : "", "today", today, "open", "done");
    if (cert) {
        Calendar *cal;
        DlSet *set = open_set(r, today, NULL, &cal);
        if (!set) {
            free(cert);
            json_decref(ctx);
            return;
        }
        unsigned done = (1u << DL_DONE_ON_TIME) | (1u << DL_DONE_LATE),
                 open = ((1u << DL_STATE_COUNT) - 1) & ~done;
        int rc = mine(r, set, cert, open, "page", ctx, "open", &err);
        if (!rc) rc = mine(r, set, cert, done, "done_page", ctx, "done", &err);
        deadline_set_free(set);
        calendar_free(cal);
        if (rc) {
            free(cert);
            json_decref(ctx);
            dash_fail(r, err);
            return;
        }
    }
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
        Calendar *cal;
        DlSet *set = open_set(r, date, NULL, &cal);
        if (set) {
            char *err = NULL;
            DlFilter f = {s >= 0 ? 1u << s : 0, k, NULL, 0};
            json_t *out = deadline_set_page(set, &f, 0, -1, &err);
            deadline_set_free(set);
            calendar_free(cal);
            if (!out)
                dash_fail(r, err);
            else
                web_json(r, 200,
                         json_pack("{s:s, s:I, s:o}", "date", date, "count",
                                   (json_int_t)json_array_size(out), "deadlines", out));
        }
    }
    free(state);
    free(kind);
}
