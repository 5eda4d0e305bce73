/* credit_rules.c - the proposal of a credit grade from the rule table (refdata credit_rules,
 * data/credit_rules.tsv): each rule names a fact (a follow-up of a disposal option, a record found
 * to aim at defrauding the fund) and the lowest grade it calls for. Only facts after the target's
 * last grade change count, and a proposal never lowers a grade. credit_pending asks the same
 * question of every target of an org at once, in SQL (the leader's to-do list). See credit.h. */
#include "credit.h"

#include "../core/util.h"
#include "codes.h"
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

/* ---------------------------------------------------------------- proposals waiting ---- */

/* The rule table as ranks: the disposal options with the highest grade each calls for, and the
 * grade the fraud rule calls for (0: none). */
typedef struct RuleRanks {
    char **options;
    int *ranks;
    size_t n;
    int fraud;
} RuleRanks;

static void ranks_load(Db *db, RuleRanks *rr) {
    memset(rr, 0, sizeof *rr);
    json_t *rules = load_rules(db), *list;
    const char *trigger;
    json_object_foreach(rules, trigger, list) {
        int best = 0;
        size_t i;
        json_t *r;
        json_array_foreach(list, i, r) if (rank(jk_str(r, "grade")) > best) best =
            rank(jk_str(r, "grade"));
        if (str_eq(trigger, "fraud")) {
            rr->fraud = best;
        } else if (str_starts(trigger, "disposal:") && trigger[9]) {
            rr->options = xrealloc(rr->options, (rr->n + 1) * sizeof *rr->options);
            rr->ranks = xrealloc(rr->ranks, (rr->n + 1) * sizeof *rr->ranks);
            rr->options[rr->n] = xstrdup(trigger + 9);
            rr->ranks[rr->n++] = best;
        }
    }
    json_decref(rules);
}

static void ranks_free(RuleRanks *rr) {
    for (size_t i = 0; i < rr->n; i++)
        free(rr->options[i]);
    free(rr->options);
    free(rr->ranks);
}

/* The query of the org's targets whose facts since their last grade change call for a higher
 * grade than they have: the same rule as credit_proposal, in SQL, driven by the follow-ups and
 * fraud records (few) rather than the targets (many), by target id. Columns: id, code, name, kind,
 * grade, proposed rank. The ranks are bound (CASE … WHEN ? THEN ?): the text depends only on the
 * number of disposal rules. */
static Stmt *pending_query(Db *db, const RuleRanks *rr, int64_t org_id) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "WITH fact(target_id, rk, at) AS (SELECT r.target_id, ");
    if (rr->n) {
        buf_puts(&b, "CASE f.option");
        for (size_t i = 0; i < rr->n; i++)
            buf_puts(&b, " WHEN ? THEN ?");
        buf_puts(&b, " ELSE 0 END");
    } else {
        buf_puts(&b, "0");
    }
    /* CROSS JOIN keeps the follow-ups (few) outside and reads each one's record by its id */
    buf_puts(&b, ", f.created_at FROM followup f CROSS JOIN record r WHERE r.id = f.record_id "
                 "AND r.status = '已公示' AND r.target_id IS NOT NULL "
                 "UNION ALL SELECT r.target_id, ?, r.published_at FROM record r "
                 "WHERE r.fraud_purpose = 1 AND r.status = '已公示' AND r.target_id IS NOT NULL) ");
    /* the best rank per target over its facts since its last grade change, then the targets of the
     * org it raises: grouped first, so the plan runs from the facts, never over the org's targets
     */
    buf_puts(&b, ", best(target_id, rk) AS (SELECT x.target_id, max(x.rk) FROM fact x WHERE x.at > "
                 "coalesce((SELECT max(e.at) FROM credit_event e WHERE e.target_id = x.target_id "
                 "AND e.kind = '等级调整'), '') GROUP BY x.target_id) ");
    buf_puts(&b, "SELECT t.id, t.code, t.name, t.kind, t.grade, b.rk FROM best b JOIN target t "
                 "ON t.id = b.target_id WHERE t.org_id = ? AND b.rk > CASE t.grade WHEN 'A' THEN "
                 "1 WHEN 'B' THEN 2 WHEN 'C' THEN 3 WHEN 'D' THEN 4 ELSE 0 END ORDER BY t.id");
    Stmt *st = db_prepare(db, b.data);
    buf_free(&b);
    if (!st) return NULL;
    int k = 1;
    for (size_t i = 0; i < rr->n; i++) {
        db_bind_text(st, k++, rr->options[i]);
        db_bind_int(st, k++, rr->ranks[i]);
    }
    db_bind_int(st, k++, rr->fraud);
    db_bind_int(st, k, org_id);
    return st;
}

json_t *credit_pending(Db *db, int64_t org_id, size_t limit, int64_t *count) {
    RuleRanks rr;
    ranks_load(db, &rr);
    *count = 0;
    Stmt *st = pending_query(db, &rr, org_id);
    json_t *out = st ? json_array() : NULL;
    int rc = DB_DONE;
    /* every row is counted, the first `limit` kept: the rows are the org's targets with facts since
     * their last grade change, so they are bounded by its follow-ups and fraud records */
    while (st && (rc = db_step(st)) == DB_ROW) {
        if ((size_t)(*count)++ >= limit) continue;
        int insured = str_eq(db_col_text(st, 3), "insured");
        char *name = insured ? mask_person_name(db_col_text(st, 2)) : xstrdup(db_col_text(st, 2));
        int64_t rk = db_col_int(st, 5);
        char g[2] = {(char)('A' + rk - 1), 0};
        json_array_append_new(
            out, json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s}", "target_id",
                           (json_int_t)db_col_int(st, 0), "code", db_col_text(st, 1), "name", name,
                           "kind", db_col_text(st, 3), "grade", db_col_text(st, 4), "proposed", g));
        free(name);
    }
    db_finalize(st);
    ranks_free(&rr);
    if (rc != DB_DONE) { /* a read error: nothing rather than part */
        json_decref(out);
        *count = 0;
        return NULL;
    }
    return out;
}
