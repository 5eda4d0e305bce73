/* page_followup_credit.c - a target's credit record (internal: its credit events and published
 * results, with its risk grade) and the grade adjustment with a reason (src/domain/credit.c,
 * through the directory engine, audited); and the public list of published penalty decisions
 * (行政处罚决定公示, 睢县 二(六)) under /public/, which shows no grade and never names an insured
 * person (names masked, no ID numbers). */
#include "../core/clock.h"
#include "../domain/codes.h"
#include "../domain/credit.h"
#include "../domain/followup.h"
#include "../core/money.h"
#include "followup_web.h"

#include <stdlib.h>
#include <string.h>

/* The target of :id when it exists in the user's scope; else 404 and 0. */
static long long target_id(Req *r) {
    long long id = fu_web_parse_id(web_param(r, "id"));
    int64_t org = 0;
    if (id) db_query_int(r->db, &org, "SELECT org_id FROM target WHERE id = ?", "i", (int64_t)id);
    return web_scope_gate(r, org, "检查对象不存在或不在您的管辖范围内") ? 0 : id;
}

static void render_credit(Req *r, long long id, json_t *errors, const char *typed_reason, const char *typed_basis, int status) {
    json_t *j = credit_record_json(r->db, id);
    if (!j) {
        json_decref(errors);
        web_error(r, 404, "not_found", "检查对象不存在");
        return;
    }
    json_t *grades = json_array(), *list = json_array();
    const char *cur = json_string_value(json_object_get(json_object_get(j, "target"), "grade"));
    static const char *const g[][2] = {{"A", "A（低风险）"}, {"B", "B（一般风险）"}, {"C", "C（较高风险）"}, {"D", "D（高风险）"}};
    for (size_t i = 0; i < ARRAY_LEN(g); i++)
        json_array_append_new(grades, json_pack("{s:s, s:s, s:b}", "code", g[i][0], "label", g[i][1], "current", str_eq(cur, g[i][0])));
    const char *k;
    json_t *v;
    json_object_foreach(errors, k, v) json_array_append(list, v);
    json_decref(errors);
    json_object_set_new(j, "grades", grades);
    json_object_set_new(j, "error_list", list);
    json_object_set_new(j, "reason", json_string(typed_reason ? typed_reason : ""));
    json_object_set_new(j, "basis", json_string(typed_basis ? typed_basis : ""));
    json_object_set_new(j, "can_grade", json_boolean(web_role_has(r->sess->role, P_CREDIT_WRITE)));
    web_page(r, "credit_record", "信用记录", j);
    if (status != 200) r->res->status = status;
}

void page_credit_record(Req *r) {
    long long id = target_id(r);
    if (id) render_credit(r, id, json_object(), NULL, NULL, 200);
}

static char *target_snapshot(Db *db, long long id) {
    char *g = NULL, *out;
    int64_t org = 0;
    db_query_text(db, &g, "SELECT grade FROM target WHERE id = ?", "i", (int64_t)id);
    db_query_int(db, &org, "SELECT org_id FROM target WHERE id = ?", "i", (int64_t)id);
    char orgtext[24]; /* web_audit reads org_id as text */
    snprintf(orgtext, sizeof orgtext, "%lld", (long long)org);
    json_t *o = json_pack("{s:I, s:s?, s:s}", "id", (json_int_t)id, "grade", g, "org_id", orgtext);
    out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    free(g);
    return out;
}

void page_credit_grade(Req *r) {
    long long id = target_id(r);
    if (!id) return;
    char *grade = web_form(r, "grade"), *reason = web_form(r, "reason"), *basis = web_form(r, "basis"), *msg = NULL, today[11];
    clock_today(today);
    if (reason) str_trim(reason);
    if (basis) str_trim(basis);
    json_t *errors = json_object();
    int rc = CREDIT_ERR;
    if (db_begin(r->db) != DB_OK) set_err(&msg, "数据库忙，请稍后重试");
    else {
        char *before = target_snapshot(r->db, id);
        rc = credit_grade_adjust(r->db, id, grade, reason, basis, today, r->sess->username, r->sess->org_id, errors, &msg);
        char *after = NULL;
        if (rc == CREDIT_OK) {
            char *snap = target_snapshot(r->db, id);
            json_t *o = json_loads(snap, 0, NULL);
            json_object_set_new(o, "reason", json_string(reason));
            json_object_set_new(o, "basis", json_string(basis));
            after = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
            json_decref(o);
            free(snap);
        }
        rc = fu_web_finish(r, rc, "credit.grade", "target", id, before, after, &msg);
        free(before);
        free(after);
    }
    if (rc == CREDIT_OK) {
        char *loc = xasprintf("/credit/%lld?ok=saved", id);
        web_redirect(r, loc);
        free(loc);
        json_decref(errors);
    } else if (rc == CREDIT_INVALID) {
        render_credit(r, id, errors, reason, basis, 422);
    } else {
        json_decref(errors);
        web_error(r, fu_web_status(rc), "credit_grade", msg ? msg : "调整失败");
    }
    free(grade);
    free(reason);
    free(basis);
    free(msg);
}

/* ---- public ---- */

/* Published penalty decisions, searchable by the name or 统一社会信用代码 of a unit or by the
 * decision number; an insured person's name is never matched, so a search cannot tell whether a
 * person was fined. */
#define PENALTY_MATCH                                                                              \
    "f.penalty_published_on IS NOT NULL AND f.decision_no IS NOT NULL AND r.status = '已公示' AND " \
    "(?1 = '' OR instr(f.decision_no, ?1) > 0 OR (coalesce(tg.kind, '') <> 'insured' AND "          \
    "(instr(coalesce(tg.name, ''), ?1) > 0 OR instr(coalesce(tg.uscc, ''), ?1) > 0)))"
#define PENALTIES_PER_PAGE 20

void page_public_penalties(Req *r) {
    char *q = web_query(r, "q");
    if (q) str_trim(q);
    const char *qq = q ? q : "";
    int page = web_page_number(r);
    int64_t total = 0;
    db_query_int(r->db, &total, "SELECT count(*) FROM followup f JOIN record r ON r.id = f.record_id LEFT JOIN target tg ON "
                                "tg.id = r.target_id WHERE " PENALTY_MATCH, "t", qq);
    json_t *rows = json_array();
    Stmt *st = db_prepare(r->db, "SELECT f.id, f.record_id, tg.name, tg.kind, tg.uscc, f.decision_no, f.decision_on, f.amount_cents, "
                                 "o.name, f.penalty_published_on FROM followup f JOIN record r ON r.id = f.record_id JOIN org o ON "
                                 "o.id = f.org_id LEFT JOIN target tg ON tg.id = r.target_id WHERE " PENALTY_MATCH
                                 " ORDER BY f.decision_on DESC, f.id DESC LIMIT ?2 OFFSET ?3");
    if (st) {
        db_bind_text(st, 1, qq);
        db_bind_int(st, 2, PENALTIES_PER_PAGE);
        db_bind_int(st, 3, (int64_t)(page - 1) * PENALTIES_PER_PAGE);
    }
    while (st && db_step(st) == DB_ROW) {
        int insured = str_eq(db_col_text(st, 3), "insured");
        /* an insured person is never named on a public page, not even masked: a surname with the
           county, decision number and amount can point to one person (as /public/results) */
        char *name = xstrdup(insured ? "参保人（个人信息不公开）" : db_col_text(st, 2) ? db_col_text(st, 2) : "");
        char amount[32] = "";
        if (!db_col_is_null(st, 7)) money_format_yuan(db_col_int(st, 7), amount);
        char *viol = followup_violation_labels(r->db, db_col_int(st, 1), 0, "；");
        json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", name, "uscc",
                                              insured || !db_col_text(st, 4) ? "" : db_col_text(st, 4), "decision_no",
                                              db_col_text(st, 5), "violations", viol, "amount", amount,
                                              "decision_on", db_col_text(st, 6), "org", db_col_text(st, 8), "published_on",
                                              db_col_text(st, 9)));
        free(viol);
        free(name);
    }
    db_finalize(st);
    int64_t pages = (total + PENALTIES_PER_PAGE - 1) / PENALTIES_PER_PAGE;
    json_t *ctx = json_pack("{s:o, s:s, s:I, s:I, s:I}", "penalties", rows, "q", qq, "total", (json_int_t)total, "page",
                            (json_int_t)page, "pages", (json_int_t)(pages ? pages : 1));
    web_pager_links(ctx, "/public/penalties", q, page, pages);
    free(q);
    web_page(r, "public_penalties", "行政处罚决定公示", ctx);
}
