/* credit.h - a target's credit record (信用记录): its credit events (penalty decisions, grade
 * adjustments) and its published results; and the adjustment of its risk grade (A 低 · B 一般 ·
 * C 较高 · D 高), which feeds later draws (000 二(四), 001 二(七)).
 *
 * A grade adjustment changes target.grade through the directory engine (directory.h: the old
 * row becomes a version in entity_version), never by a raw UPDATE, and writes a credit_event
 * 等级调整 with the grades before and after and the required reason. Grades are internal: they
 * never appear on public pages.
 *
 * Conventions as followup.h: credit_record_penalty runs in the caller's transaction, the grade
 * adjustment is its own unit of work; CREDIT_OK, CREDIT_INVALID (field
 * errors in `errors`), CREDIT_NOT_FOUND, CREDIT_ERR (*err, newly allocated); "today" passed in.
 * Thread-safety: none shared. Callers: followup.c (penalties), page_followup_credit.c. */
#ifndef SPOTCHECK_CREDIT_H
#define SPOTCHECK_CREDIT_H

#include "../db/db.h"
#include "outcome.h"
#include "actor.h"

#include <jansson.h>
#include <stdint.h>

enum {
    CREDIT_OK = SC_OK,
    CREDIT_ERR = SC_ERR,
    CREDIT_INVALID = SC_INVALID,
    CREDIT_NOT_FOUND = SC_NOT_FOUND
};

/* 1 when g is one of A, B, C, D. */
int credit_grade_valid(const char *g);

/* Writes the credit event 行政处罚 of follow-up fid's penalty decision (target from its record;
 * nothing when the record has no target row): summary with the decision number and amount,
 * on_day = decision_on. Returns DB_OK or DB_ERR with *err. */
int credit_record_penalty(Db *db, int64_t fid, const char *actor, char **err);

/* One unit of work (uow.h): sets target_id's grade to `grade` with `reason` and `basis` (评价文号
 * or the check record; all required: errors under "grade", "reason", "basis") through dir_save
 * within who's jurisdiction, writes the credit event 等级调整 (grade_before, grade_after, reason,
 * on the clock's day) and the audit row credit.grade. An unchanged grade is an error.
 * CREDIT_NOT_FOUND when the target does not exist or lies outside the scope. */
int credit_grade_adjust(Db *db, const Actor *who, int64_t target_id, const char *grade,
                        const char *reason, const char *basis, json_t *errors, char **err);
/* The grade the rule table (refdata credit_rules, data/credit_rules.tsv) proposes for target_id
 * from the facts since its last grade change (follow-ups of its published records by disposal
 * option, records found to aim at defrauding the fund): {grade, current, reasons [{rule, label,
 * grade, what, on_day}]} when that is higher than its grade, else NULL (also on a read error).
 * A proposal never lowers a grade. */
json_t *credit_proposal(Db *db, int64_t target_id);
/* The targets of org_id (target.org_id, where the 分管领导 changes grades) whose proposal waits
 * for confirmation: those credit_proposal would give one. *count receives how many; the first
 * `limit` by id come back as [{target_id, code, name (masked for an insured person), kind, grade
 * (current, may be absent), proposed}]. One query over the follow-ups and fraud records with the
 * rule table's grades bound as parameters: its cost follows those, not the number of targets.
 * NULL (and *count 0) on a read error. Thread-safe per Db. */
json_t *credit_pending(Db *db, int64_t org_id, size_t limit, int64_t *count);
/* One unit of work by the 分管领导: confirms the proposal (credit_proposal) of target_id, which
 * must still propose `grade` (errors under "grade" otherwise: refresh and look again), with a
 * required reason (error under "reason"); the grade changes as credit_grade_adjust does, with the
 * rules and facts as its basis, and the audit row credit.confirm. */
int credit_grade_confirm(Db *db, const Actor *who, int64_t target_id, const char *grade,
                         const char *reason, json_t *errors, char **err);
/* The org of a target (0 when absent). */
int64_t credit_target_org(Db *db, int64_t target_id);

/* The credit record of target_id (new reference, NULL when absent): target {id, code, name
 * (masked for insured), kind, kind_label, grade, org_id, org_name}, events [{id, kind, on_day,
 * summary, reason, grade_before, grade_after, record_id, followup_id, by_user, at}] newest
 * first, results [{record_id, task_code, task_name, checked_on, published_on, result_labels,
 * violations}] (published records), grade_versions (entity_version count). */
json_t *credit_record_json(Db *db, int64_t target_id);

#endif
