/* task_report.c - see task_report.h. Counts come from SQL where they are plain counts; the
 * comma lists of result codes and the working-day deadlines are counted here, one pass over the
 * task's records (a task has at most its draw's targets). */
#include "task_report.h"

#include "../core/listcell.h"
#include "../core/money.h"
#include "../core/strmap.h"
#include "../core/util.h"
#include "deadline.h"
#include "jsonkit.h"
#include "uow.h"

#include <stdlib.h>
#include <string.h>

/* The current (not superseded) draw of the task: its id, or 0. */
static int64_t current_draw(Db *db, int64_t task_id, json_t *rep) {
    Stmt *st = db_prepare(db, "SELECT d.id, d.draw_no, d.drawn_at, d.population_count, "
                              "(SELECT count(*) FROM draw_target t WHERE t.draw_id = d.id AND "
                              "t.status = '有效'), "
                              "(SELECT count(*) FROM draw_target t WHERE t.draw_id = d.id AND "
                              "t.origin = '递补') "
                              "FROM draw d JOIN task k ON k.code = d.task_code "
                              "WHERE k.id = ? AND d.status = '已抽取'");
    int64_t id = 0;
    if (st && db_bind_va(st, "i", task_id) == DB_OK && db_step(st) == DB_ROW) {
        id = db_col_int(st, 0);
        json_object_set_new(rep, "draw",
                            json_pack("{s:I, s:s?, s:I, s:I, s:I}", "draw_no",
                                      (json_int_t)db_col_int(st, 1), "drawn_at", db_col_text(st, 2),
                                      "population", (json_int_t)db_col_int(st, 3), "targets",
                                      (json_int_t)db_col_int(st, 4), "replaced",
                                      (json_int_t)db_col_int(st, 5)));
    }
    db_finalize(st);
    return id;
}

static json_t *money(int64_t fen) {
    char t[32];
    money_format_yuan(fen, t);
    return json_string(t);
}

/* The labels of a refdata set in file order, each with n = 0: [{code, label, n}]. */
static json_t *labelled_rows(Db *db, const char *set) {
    json_t *rows = json_array();
    Stmt *st =
        db_prepare(db, "SELECT code, label FROM refdata WHERE set_name = ? ORDER BY position");
    if (st && db_bind_va(st, "t", set) == DB_OK)
        while (db_step(st) == DB_ROW)
            json_array_append_new(rows, json_pack("{s:s, s:s, s:I}", "code", db_col_text(st, 0),
                                                  "label", db_col_text(st, 1), "n", (json_int_t)0));
    db_finalize(st);
    return rows;
}

static json_t *row_of(json_t *rows, const char *code) {
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) if (str_eq(jk_str(r, "code"), code)) return r;
    r = json_pack("{s:s, s:s, s:I}", "code", code, "label", code, "n", (json_int_t)0);
    json_array_append_new(rows, r);
    return r;
}

static void bump(json_t *o, const char *key, int64_t by) {
    json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + by));
}

/* Drops the rows nobody counted (the categories that did not occur). */
static json_t *nonzero(json_t *rows) {
    json_t *out = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) if (json_integer_value(json_object_get(r, "n")) ||
                                       json_integer_value(json_object_get(r, "total")))
        json_array_append(out, r);
    json_decref(rows);
    return out;
}

typedef struct Tally {
    json_t *by_state[2]; /* entry, publish: {on_time, late, overdue, open, unknown} */
} Tally;

static void count_clock(const Calendar *cal, json_t *into, const char *start, int days,
                        const char *done, const char *today) {
    DlClock c;
    deadline_eval(cal, start, days, done, today, &c);
    const char *key = c.state == DL_DONE_ON_TIME ? "on_time"
                      : c.state == DL_DONE_LATE  ? "late"
                      : c.state == DL_OVERDUE    ? "overdue"
                      : c.state == DL_UNKNOWN    ? "unknown"
                                                 : "open";
    bump(into, key, 1);
}

static json_t *clock_row(const char *kind, const char *label) {
    return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "kind", kind, "label", label, "on_time",
                     (json_int_t)0, "late", (json_int_t)0, "overdue", (json_int_t)0, "open",
                     (json_int_t)0, "unknown", (json_int_t)0);
}

/* The drawn targets' records: counts by status (a target without a record yet counts as
 * 待录入), results by category, the entry and publication clocks. */
static int records(Db *db, int64_t draw_id, const char *month_end, const Calendar *cal,
                   const char *today, json_t *rep, json_t *entry, json_t *publish) {
    /* every valid drawn target, with its record when there is one; the day a duty was done is
     * the day of its last event (提交, 公示), as the deadline clocks count it (deadline.c) */
    Stmt *st = db_prepare(
        db, "SELECT coalesce(r.status, '待录入'), coalesce(r.result_codes, ''), r.checked_on, "
            "CASE WHEN r.status IN ('待审核', '审核通过', '已公示') THEN coalesce((SELECT e.on_day "
            "FROM record_event e WHERE e.record_id = r.id AND e.action = '提交' ORDER BY e.id "
            "DESC LIMIT 1), substr(r.submitted_at, 1, 10)) END, "
            "CASE WHEN r.status = '已公示' THEN coalesce((SELECT e.on_day FROM record_event e "
            "WHERE e.record_id = r.id AND e.action = '公示' ORDER BY e.id DESC LIMIT 1), "
            "substr(r.published_at, 1, 10)) END, coalesce(r.findings, 0), "
            "(SELECT count(*) FROM record_revisit v WHERE v.record_id = r.id), "
            "(SELECT count(*) FROM record_revisit v WHERE v.record_id = r.id AND v.conduct = "
            "'不规范') "
            "FROM draw_target dt LEFT JOIN record r ON r.draw_id = dt.draw_id AND "
            "r.target_code = dt.target_code WHERE dt.draw_id = ? AND dt.status = '有效'");
    if (!st || db_bind_va(st, "i", draw_id) != DB_OK) {
        db_finalize(st);
        return -1;
    }
    json_t *by_status = json_array(), *results = labelled_rows(db, "result_categories");
    const char *const statuses[] = {"待录入", "退回", "待审核", "审核通过", "已公示"};
    for (size_t i = 0; i < ARRAY_LEN(statuses); i++)
        json_array_append_new(by_status, json_pack("{s:s, s:s, s:I}", "code", statuses[i], "status",
                                                   statuses[i], "n", (json_int_t)0));
    int64_t total = 0, checked = 0, findings = 0, published = 0, revisited = 0, improper = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *status = db_col_text(st, 0), *checked_on = db_col_text(st, 2);
        total++;
        bump(row_of(by_status, status), "n", 1);
        char **codes;
        size_t n = list_split(db_col_text(st, 1), LIST_CODES, &codes);
        for (size_t i = 0; i < n; i++)
            bump(row_of(results, codes[i]), "n", 1);
        list_free(codes, n);
        if (!str_empty(checked_on)) checked++;
        if (str_eq(status, "已公示")) published++;
        if (db_col_int(st, 5)) findings++;
        if (db_col_int(st, 6)) revisited++;
        if (db_col_int(st, 7)) improper++;
        /* the clocks start at the check's end, or before it at the last day of the period */
        const char *start = str_empty(checked_on) ? month_end : checked_on;
        count_clock(cal, entry, start, DEADLINE_ENTRY_DAYS, db_col_text(st, 3), today);
        count_clock(cal, publish, start, DEADLINE_PUBLISH_DAYS, db_col_text(st, 4), today);
    }
    db_finalize(st);
    json_object_set_new(rep, "records",
                        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "total", (json_int_t)total,
                                  "checked", (json_int_t)checked, "with_findings",
                                  (json_int_t)findings, "published", (json_int_t)published,
                                  "revisited", (json_int_t)revisited, "revisit_improper",
                                  (json_int_t)improper, "by_status", by_status));
    json_object_set_new(rep, "results", nonzero(results));
    return rc == DB_DONE ? 0 : -1;
}

/* Valid violations of the draw's records by category, with amounts. */
static int violations(Db *db, int64_t draw_id, json_t *rep) {
    json_t *rows = labelled_rows(db, "violation_categories");
    Stmt *st = db_prepare(db, "SELECT v.category, count(*), sum(v.amount_cents) "
                              "FROM record_violation v JOIN record r ON r.id = v.record_id "
                              "WHERE r.draw_id = ? AND v.status = '有效' GROUP BY v.category");
    int64_t n = 0, fen = 0;
    int rc = st && db_bind_va(st, "i", draw_id) == DB_OK ? DB_ROW : DB_ERR;
    while (rc == DB_ROW && (rc = db_step(st)) == DB_ROW) {
        json_t *r = row_of(rows, db_col_text(st, 0));
        bump(r, "n", db_col_int(st, 1));
        json_object_set_new(r, "amount_fen", json_integer(db_col_int(st, 2)));
        json_object_set_new(r, "amount", money(db_col_int(st, 2)));
        n += db_col_int(st, 1);
        fen += db_col_int(st, 2);
    }
    db_finalize(st);
    json_object_set_new(rep, "violations", nonzero(rows));
    json_object_set_new(rep, "violation_total",
                        json_pack("{s:I, s:I, s:o}", "n", (json_int_t)n, "amount_fen",
                                  (json_int_t)fen, "amount", money(fen)));
    return rc == DB_DONE ? 0 : -1;
}

/* Follow-ups of the draw's records by disposal option; the follow-up and penalty clocks. */
static int followups(Db *db, int64_t draw_id, const Calendar *cal, const char *today, json_t *rep,
                     json_t *fclock, json_t *pclock) {
    json_t *rows = labelled_rows(db, "disposal_options");
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        json_object_set_new(r, "total", json_integer(0));
        json_object_set_new(r, "open", json_integer(0));
        json_object_set_new(r, "closed", json_integer(0));
        json_object_set_new(r, "amount_fen", json_integer(0));
    }
    Stmt *st = db_prepare(db, "SELECT f.option, f.status, f.amount_cents, f.opened_on, "
                              "coalesce(f.outcome_on, f.closed_on), f.decision_on, "
                              "f.penalty_published_on, rd.attrs "
                              "FROM followup f JOIN record r ON r.id = f.record_id "
                              "LEFT JOIN refdata rd ON rd.set_name = 'disposal_options' AND "
                              "rd.code = f.option WHERE r.draw_id = ?");
    int64_t total = 0, open = 0;
    int rc = st && db_bind_va(st, "i", draw_id) == DB_OK ? DB_ROW : DB_ERR;
    while (rc == DB_ROW && (rc = db_step(st)) == DB_ROW) {
        r = row_of(rows, db_col_text(st, 0));
        int closed = str_eq(db_col_text(st, 1), "已完结");
        bump(r, "total", 1);
        bump(r, closed ? "closed" : "open", 1);
        bump(r, "amount_fen", db_col_int(st, 2));
        total++;
        open += !closed;
        count_clock(cal, fclock, db_col_text(st, 3), DEADLINE_FOLLOWUP_DAYS, db_col_text(st, 4),
                    today);
        if (!str_empty(db_col_text(st, 5)))
            count_clock(cal, pclock, db_col_text(st, 5), DEADLINE_PENALTY_DAYS, db_col_text(st, 6),
                        today);
    }
    db_finalize(st);
    json_array_foreach(rows, i, r) {
        json_object_del(r, "n");
        json_object_set_new(r, "amount",
                            money(json_integer_value(json_object_get(r, "amount_fen"))));
    }
    json_object_set_new(rep, "followups", nonzero(rows));
    int64_t with = 0, done = 0;
    if (rc == DB_DONE &&
        (db_query_int(db, &with,
                      "SELECT count(*) FROM record WHERE draw_id = ? AND findings = 1 AND "
                      "status = '已公示'",
                      "i", draw_id) != DB_OK ||
         db_query_int(db, &done,
                      "SELECT count(*) FROM record r WHERE r.draw_id = ? AND r.findings = 1 AND "
                      "r.status = '已公示' AND EXISTS (SELECT 1 FROM followup f WHERE "
                      "f.record_id = r.id) AND NOT EXISTS (SELECT 1 FROM followup f WHERE "
                      "f.record_id = r.id AND f.status <> '已完结')",
                      "i", draw_id) != DB_OK))
        rc = DB_ERR;
    json_object_set_new(rep, "followup_total",
                        json_pack("{s:I, s:I, s:I, s:I, s:I}", "records_with_findings",
                                  (json_int_t)with, "records_closed", (json_int_t)done, "total",
                                  (json_int_t)total, "open", (json_int_t)open, "closed",
                                  (json_int_t)(total - open)));
    return rc == DB_DONE ? 0 : -1;
}

/* The officers and experts of the draw's groups (current members), with the records they
 * signed as inspecting officers. */
static int officers(Db *db, int64_t draw_id, json_t *rep) {
    Stmt *st = db_prepare(
        db, "SELECT m.member_code, max(coalesce(o.name, e.name, m.member_code)), "
            "sum(CASE WHEN m.role = '组长' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN m.role <> '组长' THEN 1 ELSE 0 END) "
            "FROM draw_member m JOIN draw_target t ON t.draw_id = m.draw_id AND "
            "t.target_code = m.target_code AND t.status = '有效' "
            "LEFT JOIN officer o ON o.cert_no = m.member_code "
            "LEFT JOIN expert e ON e.code = m.member_code "
            "WHERE m.draw_id = ? AND m.status = '在组' GROUP BY m.member_code ORDER BY 3 DESC, 4 "
            "DESC, m.member_code");
    json_t *list = json_array();
    int rc = st && db_bind_va(st, "i", draw_id) == DB_OK ? DB_ROW : DB_ERR;
    while (rc == DB_ROW && (rc = db_step(st)) == DB_ROW)
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:I, s:I, s:I}", "cert_no", db_col_text(st, 0), "name",
                            db_col_text(st, 1), "leads", (json_int_t)db_col_int(st, 2), "members",
                            (json_int_t)db_col_int(st, 3), "records", (json_int_t)0));
    db_finalize(st);
    /* records: the inspecting officers written on each record (a ',' list of certificates),
     * found by certificate in a map of the list */
    StrMap *at = strmap_new();
    size_t k;
    json_t *o;
    json_array_foreach(list, k, o) strmap_put(at, jk_str(o, "cert_no"), (int64_t)k);
    Stmt *rs = db_prepare(db, "SELECT officers FROM record WHERE draw_id = ? AND checked_on IS "
                              "NOT NULL");
    int rr = rs && db_bind_va(rs, "i", draw_id) == DB_OK ? DB_ROW : DB_ERR;
    while (rr == DB_ROW && (rr = db_step(rs)) == DB_ROW) {
        char **certs;
        size_t n = list_split(db_col_text(rs, 0), LIST_CODES, &certs);
        int64_t pos;
        for (size_t i = 0; i < n; i++)
            if (strmap_get(at, certs[i], &pos))
                bump(json_array_get(list, (size_t)pos), "records", 1);
        list_free(certs, n);
    }
    db_finalize(rs);
    strmap_free(at);
    json_object_set_new(rep, "officers", list);
    return rc == DB_DONE && rr == DB_DONE ? 0 : -1;
}

json_t *task_report(Db *db, int64_t task_id, const Calendar *cal, const char *today, char **err) {
    json_t *rep = json_pack("{s:s}", "today", today);
    int64_t draw_id = current_draw(db, task_id, rep);
    json_object_set_new(rep, "drawn", json_boolean(draw_id != 0));
    if (!draw_id) return rep;
    char *month_to = NULL, month_end[11] = "";
    if (db_query_text(db, &month_to, "SELECT month_to FROM task WHERE id = ?", "i", task_id) !=
        DB_OK) {
        json_decref(rep);
        set_err(err, "%s", db_errmsg(db));
        return NULL;
    }
    if (month_to) deadline_month_end(month_to, month_end);
    free(month_to);
    json_t *entry = clock_row("entry", deadline_kind_label(DL_ENTRY)),
           *publish = clock_row("publish", deadline_kind_label(DL_PUBLISH)),
           *fclock = clock_row("followup", deadline_kind_label(DL_FOLLOWUP)),
           *pclock = clock_row("penalty", deadline_kind_label(DL_PENALTY));
    int bad = records(db, draw_id, month_end, cal, today, rep, entry, publish) ||
              violations(db, draw_id, rep) ||
              followups(db, draw_id, cal, today, rep, fclock, pclock) || officers(db, draw_id, rep);
    json_object_set_new(rep, "deadlines",
                        json_pack("[o, o, o, o]", entry, publish, fclock, pclock));
    if (bad) {
        set_err(err, "%s", db_errmsg(db));
        json_decref(rep);
        return NULL;
    }
    return rep;
}

int task_report_export_audit(Db *db, const Actor *who, int64_t task_id, char **err) {
    return uow_record(db, who, "export.task_report", "task", task_id, 0, NULL, "{}", err);
}
