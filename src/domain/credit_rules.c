/* credit_rules.c - the proposal of a credit grade from the rule table (refdata credit_rules,
 * data/credit_rules.tsv): each rule names a fact (a follow-up of a disposal option, a record found
 * to aim at defrauding the fund) and the lowest grade it calls for. Only facts after the target's
 * last grade change count, and a proposal never lowers a grade. See credit.h. */
#include "credit.h"

#include "../core/util.h"
#include "jsonkit.h"

#include <stdlib.h>
#include <string.h>

/* Risk order: A 低 < B 一般 < C 较高 < D 高; 0 for anything else. */
static int rank(const char *g) {
    return g && g[0] >= 'A' && g[0] <= 'D' && !g[1] ? g[0] - 'A' + 1 : 0;
}

/* The rules as {trigger: [{code, label, grade}]}. */
static json_t *load_rules(Db *db) {
    json_t *rules = json_object();
    Stmt *st = db_prepare(db, "SELECT code, label, attrs FROM refdata WHERE set_name = "
                              "'credit_rules' ORDER BY position");
    while (st && db_step(st) == DB_ROW) {
        char *trigger = jk_attr(db_col_text(st, 2), "trigger"),
             *grade = jk_attr(db_col_text(st, 2), "grade");
        if (trigger && rank(grade)) {
            json_t *list = json_object_get(rules, trigger);
            if (!list) json_object_set_new(rules, trigger, list = json_array());
            json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "code", db_col_text(st, 0),
                                                  "label", db_col_text(st, 1), "grade", grade));
        }
        free(trigger);
        free(grade);
    }
    db_finalize(st);
    return rules;
}

/* Adds a reason for each rule of `trigger` to reasons; raises *best. */
static void apply(json_t *rules, const char *trigger, const char *what, const char *on_day,
                  json_t *reasons, int *best) {
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(rules, trigger), i, r) {
        const char *g = jk_str(r, "grade");
        if (rank(g) > *best) *best = rank(g);
        json_array_append_new(reasons, json_pack("{s:s, s:s, s:s, s:s, s:s?}", "rule",
                                                 jk_str(r, "code"), "label", jk_str(r, "label"),
                                                 "grade", g, "what", what, "on_day", on_day));
    }
}

json_t *credit_proposal(Db *db, int64_t target_id) {
    char *grade = NULL, *since = NULL;
    if (db_query_text(db, &grade, "SELECT grade FROM target WHERE id = ?", "i", target_id) !=
            DB_OK ||
        db_query_text(db, &since,
                      "SELECT max(at) FROM credit_event WHERE target_id = ? AND kind = '等级调整'",
                      "i", target_id) != DB_OK) {
        free(grade);
        return NULL;
    }
    json_t *rules = load_rules(db), *reasons = json_array();
    int best = 0;
    /* follow-ups of the target's published records, opened after the last grade change */
    Stmt *st = db_prepare(
        db, "SELECT f.option, coalesce(d.label, f.option), f.decision_no, f.opened_on "
            "FROM followup f JOIN record r ON r.id = f.record_id "
            "LEFT JOIN refdata d ON d.set_name = 'disposal_options' AND d.code = f.option "
            "WHERE r.target_id = ? AND r.status = '已公示' AND f.created_at > coalesce(?, '') "
            "ORDER BY f.id");
    if (st && db_bind_va(st, "it", target_id, since) == DB_OK)
        while (db_step(st) == DB_ROW) {
            char *trigger = xasprintf("disposal:%s", db_col_text(st, 0)),
                 *what = str_empty(db_col_text(st, 2))
                             ? xstrdup(db_col_text(st, 1))
                             : xasprintf("%s（%s）", db_col_text(st, 1), db_col_text(st, 2));
            apply(rules, trigger, what, db_col_text(st, 3), reasons, &best);
            free(trigger);
            free(what);
        }
    db_finalize(st);
    /* published records found to aim at defrauding the fund (条例第四十条第二款) */
    st = db_prepare(db, "SELECT coalesce(t.name, r.target_code), substr(r.published_at, 1, 10) "
                        "FROM record r LEFT JOIN task t ON t.id = r.task_id WHERE r.target_id = ? "
                        "AND r.status = '已公示' AND r.fraud_purpose = 1 AND "
                        "r.published_at > coalesce(?, '') ORDER BY r.id");
    if (st && db_bind_va(st, "it", target_id, since) == DB_OK)
        while (db_step(st) == DB_ROW) {
            char *what = xasprintf("检查记录（%s）认定以骗取医保基金为目的", db_col_text(st, 0));
            apply(rules, "fraud", what, db_col_text(st, 1), reasons, &best);
            free(what);
        }
    db_finalize(st);
    json_t *out = NULL;
    if (best > rank(grade)) {
        char g[2] = {(char)('A' + best - 1), 0};
        out = json_pack("{s:s, s:s?, s:O}", "grade", g, "current", grade, "reasons", reasons);
    }
    json_decref(reasons);
    json_decref(rules);
    free(grade);
    free(since);
    return out;
}
