/* credit.c - a target's credit record and risk-grade adjustments (see credit.h). The grade is a
 * field of the target directory, so it changes only through dir_save, which keeps the old row as
 * a version; the credit_event row says who changed it, when, from what to what and why.
 * Callers: followup.c (penalty decisions), src/web/page_followup_credit.c. */
#include "../core/clock.h"
#include "credit.h"

#include "../core/util.h"
#include "codes.h"
#include "directory.h"
#include "followup.h"
#include "result.h"
#include "uow.h"
#include "../core/money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int credit_grade_valid(const char *g) {
    return g && strlen(g) == 1 && g[0] >= 'A' && g[0] <= 'D';
}

int credit_record_penalty(Db *db, int64_t fid, const char *actor, char **err) {
    Stmt *st = db_prepare(
        db,
        "SELECT coalesce(r.target_id, (SELECT t.id FROM target t WHERE t.code = r.target_code)), "
        "f.decision_no, f.decision_on, f.amount_cents, f.record_id FROM followup f "
        "JOIN record r ON r.id = f.record_id WHERE f.id = ?");
    if (!st) return set_err(err, "数据库错误: %s", db_errmsg(db));
    db_bind_int(st, 1, fid);
    int rc = DB_OK;
    if (db_step(st) == DB_ROW && !db_col_is_null(st, 0)) {
        char amount[32] = "";
        if (!db_col_is_null(st, 3)) money_format_yuan(db_col_int(st, 3), amount);
        char *summary =
            *amount ? xasprintf("行政处罚决定书 %s，罚没金额 %s 元", db_col_text(st, 1), amount)
                    : xasprintf("行政处罚决定书 %s", db_col_text(st, 1));
        const char *on = db_col_text(st, 2);
        rc = db_exec(db,
                     "INSERT INTO credit_event(target_id, record_id, followup_id, kind, summary, "
                     "on_day, by_user, at) "
                     "VALUES (?, ?, ?, '行政处罚', ?, ?, ?, ?)",
                     "iiitttt", db_col_int(st, 0), db_col_int(st, 4), fid, summary, on, actor,
                     clock_stamp().s);
        free(summary);
        if (rc != DB_OK) set_err(err, "写入信用记录失败: %s", db_errmsg(db));
    }
    db_finalize(st);
    return rc;
}

/* The grade change inside the caller's transaction: the rules, the new version and the event. */
static int grade_rows(Db *db, int64_t target_id, const char *grade, const char *reason,
                      const char *basis, const char *actor, int64_t scope_org, json_t *errors,
                      char **err) {
    char *code = NULL, *before = NULL;
    int64_t org = 0;
    Stmt *st = db_prepare(db, "SELECT code, grade, org_id FROM target WHERE id = ?");
    if (!st) return set_err(err, "数据库错误: %s", db_errmsg(db)), CREDIT_ERR;
    db_bind_int(st, 1, target_id);
    if (db_step(st) == DB_ROW) {
        code = xstrdup(db_col_text(st, 0));
        before = db_col_text(st, 1) ? xstrdup(db_col_text(st, 1)) : NULL;
        org = db_col_int(st, 2);
    }
    db_finalize(st);
    DirContext *ctx = dir_context_new(db, actor, scope_org);
    int rc = CREDIT_OK;
    if (!code || !dir_scope_contains(ctx, org)) {
        rc = (set_err(err, "检查对象不存在或不在您的管辖范围内"), CREDIT_NOT_FOUND);
    } else {
        int n = 0;
        if (!credit_grade_valid(grade))
            n++, json_object_set_new(errors, "grade",
                                     json_string("请选择信用风险等级（A、B、C 或 D）"));
        else if (str_eq(grade, before))
            n++, json_object_set_new(errors, "grade", json_string("新等级与当前等级相同"));
        if (str_empty(reason))
            n++, json_object_set_new(errors, "reason", json_string("请填写调整理由"));
        if (str_empty(basis))
            n++, json_object_set_new(
                     errors, "basis",
                     json_string("请填写调整依据：信用评价文号或引起调整的检查记录"));
        if (n) rc = CREDIT_INVALID;
    }
    if (rc == CREDIT_OK) {
        const DirKind *k = dir_kind_find("targets");
        int ki = dir_field_index(k, "code"), gi = dir_field_index(k, "grade");
        ASSERT(k && ki >= 0 && gi >= 0);
        DirRow row;
        memset(&row, 0, sizeof row);
        row.v[ki] = xstrdup(code);
        row.set[ki] = 1;
        row.v[gi] = xstrdup(grade);
        row.set[gi] = 1;
        /* the engine writes the new version and the credit event 等级调整 together */
        dir_context_allow_grade_change(ctx, reason, basis);
        if (dir_save(ctx, k, &row, NULL, err) != DIR_UPDATED) rc = CREDIT_ERR;
        dir_row_clear(&row, k);
    }
    dir_context_free(ctx);
    free(code);
    free(before);
    return rc;
}

int64_t credit_target_org(Db *db, int64_t target_id) {
    return target_id > 0 ? dir_row_org(db, dir_kind_find("targets"), target_id) : 0;
}

/* The target's grade and org as the audit log keeps them ({id, grade, org_id as text}), with the
 * reason and basis of the change when given; NULL when the grade cannot be read. */
static char *target_snapshot(Db *db, int64_t id, const char *reason, const char *basis) {
    char *g = NULL, orgtext[24];
    if (db_query_text(db, &g, "SELECT grade FROM target WHERE id = ?", "i", id) != DB_OK)
        return NULL;
    snprintf(orgtext, sizeof orgtext, "%lld", (long long)credit_target_org(db, id));
    json_t *o = json_pack("{s:I, s:s?, s:s}", "id", (json_int_t)id, "grade", g, "org_id", orgtext);
    if (reason) json_object_set_new(o, "reason", json_string(reason));
    if (basis) json_object_set_new(o, "basis", json_string(basis));
    char *out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    free(g);
    return out;
}

int credit_grade_adjust(Db *db, const Actor *who, int64_t target_id, const char *grade,
                        const char *reason, const char *basis, json_t *errors, char **err) {
    /* the target's row carries its grade (a publication, which moves the target too, waits) */
    if (uow_begin_row(db, "target", target_id, err) != 0) return CREDIT_ERR;
    char *before = target_snapshot(db, target_id, NULL, NULL), *after = NULL;
    int rc = before ? grade_rows(db, target_id, grade, reason, basis, who->username, who->org_id,
                                 errors, err)
                    : (set_err(err, "%s", db_errmsg(db)), CREDIT_ERR);
    if (rc == CREDIT_OK) {
        after = target_snapshot(db, target_id, reason ? reason : "", basis ? basis : "");
        if (!after)
            rc = (set_err(err, "%s", db_errmsg(db)), CREDIT_ERR);
        else if (uow_audit(db, who, "credit.grade", "target", target_id, 0, before, after, err) !=
                 0)
            rc = CREDIT_ERR;
    }
    if (!uow_end(db, rc == CREDIT_OK, err) && rc == CREDIT_OK) rc = CREDIT_ERR;
    free(before);
    free(after);
    return rc;
}

int credit_grade_confirm(Db *db, const Actor *who, int64_t target_id, const char *grade,
                         const char *reason, json_t *errors, char **err) {
    /* the target's row: the proposal is read under it, so a publication of one of its records
     * (which locks the record, then the target) is either seen whole or waits */
    if (uow_begin_row(db, "target", target_id, err) != 0) return CREDIT_ERR;
    json_t *prop = credit_proposal(db, target_id);
    int rc = CREDIT_OK;
    if (!prop || !str_eq(json_string_value(json_object_get(prop, "grade")), grade)) {
        json_object_set_new(errors, "grade",
                            json_string(prop ? "建议等级已变化，请刷新页面后重新确认"
                                             : "该对象没有待确认的等级建议"));
        rc = CREDIT_INVALID;
    }
    Buf basis;
    buf_init(&basis);
    buf_puts(&basis, "按信用风险等级规则（credit_rules）：");
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(prop, "reasons"), i, e) buf_printf(
        &basis, "%s%s→%s（%s）", i ? "；" : "", json_string_value(json_object_get(e, "label")),
        json_string_value(json_object_get(e, "grade")),
        json_string_value(json_object_get(e, "what")));
    char *before = rc == CREDIT_OK ? target_snapshot(db, target_id, NULL, NULL) : NULL,
         *after = NULL;
    if (rc == CREDIT_OK && !before) rc = (set_err(err, "%s", db_errmsg(db)), CREDIT_ERR);
    if (rc == CREDIT_OK)
        rc = grade_rows(db, target_id, grade, reason, basis.data, who->username, who->org_id,
                        errors, err);
    if (rc == CREDIT_OK) {
        after = target_snapshot(db, target_id, reason ? reason : "", basis.data);
        if (!after)
            rc = (set_err(err, "%s", db_errmsg(db)), CREDIT_ERR);
        else if (uow_audit(db, who, "credit.confirm", "target", target_id, 0, before, after, err) !=
                 0)
            rc = CREDIT_ERR;
    }
    if (!uow_end(db, rc == CREDIT_OK, err) && rc == CREDIT_OK) rc = CREDIT_ERR;
    buf_free(&basis);
    json_decref(prop);
    free(before);
    free(after);
    return rc;
}

json_t *credit_record_json(Db *db, int64_t target_id) {
    Stmt *st = db_prepare(db, "SELECT t.code, t.name, t.kind, t.grade, t.org_id, o.name, t.uscc "
                              "FROM target t JOIN org o ON "
                              "o.id = t.org_id WHERE t.id = ?");
    if (!st) return NULL;
    db_bind_int(st, 1, target_id);
    if (db_step(st) != DB_ROW) {
        db_finalize(st);
        return NULL;
    }
    const char *kind = db_col_text(st, 2);
    int insured = str_eq(kind, "insured");
    char *name = insured ? mask_person_name(db_col_text(st, 1)) : xstrdup(db_col_text(st, 1));
    json_t *target =
        json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:I, s:s, s:s?}", "id", (json_int_t)target_id,
                  "code", db_col_text(st, 0), "name", name, "kind", kind, "kind_label",
                  dir_choice_label(target_kinds, kind), "grade", db_col_text(st, 3), "org_id",
                  (json_int_t)db_col_int(st, 4), "org_name", db_col_text(st, 5), "uscc",
                  insured ? NULL : db_col_text(st, 6));
    free(name);
    db_finalize(st);
    json_t *events = json_array(), *results = json_array();
    st = db_prepare(db, "SELECT id, kind, on_day, summary, reason, grade_before, grade_after, "
                        "record_id, followup_id, by_user, at "
                        "FROM credit_event WHERE target_id = ? ORDER BY on_day DESC, id DESC");
    if (st) {
        db_bind_int(st, 1, target_id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(
                events,
                json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:I, s:I, s:s?, s:s}", "id",
                          (json_int_t)db_col_int(st, 0), "kind", db_col_text(st, 1), "on_day",
                          db_col_text(st, 2), "summary", db_col_text(st, 3), "reason",
                          db_col_text(st, 4), "grade_before", db_col_text(st, 5), "grade_after",
                          db_col_text(st, 6), "record_id", (json_int_t)db_col_int(st, 7),
                          "followup_id", (json_int_t)db_col_int(st, 8), "by_user",
                          db_col_text(st, 9), "at", db_col_text(st, 10)));
        db_finalize(st);
    }
    st = db_prepare(
        db, "SELECT r.id, t.code, t.name, r.checked_on, substr(r.published_at, 1, 10), "
            "r.result_codes FROM record r "
            "LEFT JOIN task t ON t.id = r.task_id WHERE r.target_id = ? AND r.status = '已公示' "
            "ORDER BY r.published_at DESC, r.id DESC");
    if (st) {
        db_bind_int(st, 1, target_id);
        while (db_step(st) == DB_ROW) {
            int64_t rid = db_col_int(st, 0);
            char *res = result_labels(db, "result_categories", db_col_text(st, 5), "、");
            char *viol = followup_violation_labels(db, rid, 1, "、");
            json_array_append_new(results,
                                  json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:s, s:s}", "record_id",
                                            (json_int_t)rid, "task_code", db_col_text(st, 1),
                                            "task_name", db_col_text(st, 2), "checked_on",
                                            db_col_text(st, 3), "published_on", db_col_text(st, 4),
                                            "result_labels", res, "violations", viol));
            free(res);
            free(viol);
        }
        db_finalize(st);
    }
    int64_t nver = 0;
    if (db_query_int(
            db, &nver,
            "SELECT count(*) FROM entity_version WHERE entity = 'target' AND entity_id = ?", "i",
            target_id) != DB_OK)
        nver = 0; /* display only: 0 when unreadable */
    return json_pack("{s:o, s:o, s:o, s:I}", "target", target, "events", events, "results", results,
                     "grade_versions", (json_int_t)nver);
}
