/* followup_query.c - small reads around follow-ups for the pages (followup.h): whose a record or a
 * transfer is, what the open form shows of a record, and the public list of penalty decisions. */
#include "followup.h"

#include "../core/money.h"
#include "../core/util.h"

#include <stdlib.h>

int64_t followup_transfer_followup(Db *db, int64_t tid) {
    int64_t fid = 0;
    if (tid > 0 &&
        db_query_int(db, &fid, "SELECT followup_id FROM transfer WHERE id = ?", "i", tid) != DB_OK)
        return 0;
    return fid;
}

json_t *followup_record_brief(Db *db, int64_t record_id) {
    json_t *rec = NULL;
    Stmt *st = db_prepare(
        db, "SELECT r.id, t.code, t.name, r.target_code, tg.name, tg.kind FROM record r LEFT JOIN "
            "task t ON "
            "t.id = r.task_id LEFT JOIN target tg ON tg.id = r.target_id WHERE r.id = ?");
    if (!st) return NULL;
    db_bind_int(st, 1, record_id);
    if (db_step(st) == DB_ROW) {
        int insured = str_eq(db_col_text(st, 5), "insured");
        rec = json_pack("{s:I, s:s?, s:s?, s:s, s:s?}", "id", (json_int_t)db_col_int(st, 0),
                        "task_code", db_col_text(st, 1), "task_name", db_col_text(st, 2),
                        "target_code", db_col_text(st, 3), "target_name",
                        insured ? "（参保人）" : db_col_text(st, 4));
    }
    db_finalize(st);
    return rec;
}

/* Published penalty decisions, searchable by the name or 统一社会信用代码 of a unit or by the
 * decision number; an insured person's name is never matched, so a search cannot tell whether a
 * person was fined. ?1 the text searched, ?2 its containment pattern (db_like_contains): LIKE with
 * the pattern's wildcards escaped is the portable form of "contains" (what instr() > 0 was). */
#define PENALTY_MATCH                                                                              \
    "f.penalty_published_on IS NOT NULL AND f.decision_no IS NOT NULL AND r.status = '已公示' " \
    "AND "                                                                                         \
    "(?1 = '' OR f.decision_no LIKE ?2 ESCAPE '\\' OR (coalesce(tg.kind, '') <> 'insured' AND "    \
    "(coalesce(tg.name, '') LIKE ?2 ESCAPE '\\' OR coalesce(tg.uscc, '') LIKE ?2 ESCAPE '\\')))"

json_t *followup_public_penalties(Db *db, const char *q, int limit, int64_t offset,
                                  int64_t *total) {
    const char *qq = q ? q : "";
    char *like = db_like_contains(qq);
    *total = 0;
    if (db_query_int(db, total,
                     "SELECT count(*) FROM followup f JOIN record r ON r.id = f.record_id LEFT "
                     "JOIN target tg ON "
                     "tg.id = r.target_id WHERE " PENALTY_MATCH,
                     "tt", qq, like) != DB_OK)
        *total = 0; /* display only: the pager shows no total */
    json_t *rows = json_array();
    Stmt *st = db_prepare(
        db, "SELECT f.id, f.record_id, tg.name, tg.kind, tg.uscc, f.decision_no, f.decision_on, "
            "f.amount_cents, "
            "o.name, f.penalty_published_on FROM followup f JOIN record r ON r.id = f.record_id "
            "JOIN org o ON "
            "o.id = f.org_id LEFT JOIN target tg ON tg.id = r.target_id WHERE " PENALTY_MATCH
            " ORDER BY f.decision_on DESC, f.id DESC LIMIT ?3 OFFSET ?4");
    if (st) {
        db_bind_text(st, 1, qq);
        db_bind_text(st, 2, like);
        db_bind_int(st, 3, limit);
        db_bind_int(st, 4, offset);
    }
    free(like);
    while (st && db_step(st) == DB_ROW) {
        int insured = str_eq(db_col_text(st, 3), "insured");
        /* an insured person is never named on a public page, not even masked: a surname with the
           county, decision number and amount can point to one person (as /public/results) */
        const char *name = insured              ? "参保人（个人信息不公开）"
                           : db_col_text(st, 2) ? db_col_text(st, 2)
                                                : "";
        char amount[32] = "";
        if (!db_col_is_null(st, 7)) money_format_yuan(db_col_int(st, 7), amount);
        char *viol = followup_violation_labels(db, db_col_int(st, 1), 0, "；");
        json_array_append_new(
            rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", name, "uscc",
                            insured || !db_col_text(st, 4) ? "" : db_col_text(st, 4), "decision_no",
                            db_col_text(st, 5), "violations", viol, "amount", amount, "decision_on",
                            db_col_text(st, 6), "org", db_col_text(st, 8), "published_on",
                            db_col_text(st, 9)));
        free(viol);
    }
    db_finalize(st);
    return rows;
}
