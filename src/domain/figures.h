/* figures.h - the year's figures a bureau is judged on (年度指标, DOMAIN.md step 11), computed
 * from the data for one year and one org scope (the org and every org below it).
 *
 * Definitions (the page and the xlsx show the same text; "the year" is a calendar year Y):
 *
 *  checks (抽查次数): tasks of an org in scope whose current draw was held: draw.status 已抽取
 *      and substr(draw.drawn_at, 1, 4) = Y. A task has at most one current draw (a re-drawn
 *      task's earlier draw is 已作废 and not counted), so a check is a (task, draw) pair.
 *  joint checks (联合抽查次数): checks whose task has at least one joint department with
 *      task_joint.status 已确认. Share = joint / checks, goal ≥ 60% (000 二(二)).
 *  checked targets (抽查对象户次): rows of draw_target with status 有效 of the checks (a target
 *      drawn by two checks counts twice). Of which in joint checks; share goal ≥ 50% (000 二(二)).
 *  checks using credit-risk grading (运用信用风险分类结果的抽查): a check whose frozen draw
 *      parameters (draw.params) and the strata the draw applied them to — the record's strata
 *      list, rebuilt from the frozen population's strata (draw.freeze_json population.strata)
 *      and the parameters' ratio and minimum of each, so the large draw record is not read —
 *      show that the credit grade changed who or how many were drawn, i.e. (a) or (b):
 *      (a) the population was stratified by credit grade (params.strata absent or empty, when the
 *          stratum is the grade — docs/DRAW.md §2 — or params.strata contains "grade") AND the
 *          record's strata list has two strata whose names differ only in the grade part and whose
 *          applied ratio (compared as exact fractions) or minimum differ: grade-specific sizes;
 *      (b) params.filters.grades restricts the population to some but not all of A–D (a draw
 *          directed at risk grades, 004 第十条 "大数据风险").
 *      A draw made with one ratio for every grade ("ratios": {"*": …}, what task_draw_params
 *      writes today) stratifies by grade but applies no difference and does NOT count; nor does a
 *      draw whose population held a single grade. Share = graded / checks, goal ≥ 90% (000 二(三)).
 *  coverage (定点医药机构覆盖率): targets of kind institution or pharmacy, status 正常 (today's
 *      status), of an org in scope = denominator; of which drawn (draw_target 有效) in any held
 *      draw of year Y (of any org's task) = numerator. Goal: the highest 抽查比例 among the task
 *      rows of year Y's plans of orgs in scope (the latest 已公开 version of each plan) whose
 *      scope covers institutions or pharmacies (scope_json.kinds empty or naming one of them);
 *      no such row = no goal (never invented).
 *  completion (结果公示率): published records (record.status 已公示) of the checked targets ÷
 *      checked targets.
 *  findings (发现问题): a published record marked with findings at publication (record.findings,
 *      the one rule of result.h: a category at or below 发现问题…, 不配合检查情节严重, or a valid
 *      violation), the same records follow-up counts.
 *  closed (处置完结): a published record with at least one followup and every followup 已完结.
 *      Closure = closed findings ÷ published findings; and closed ÷ all published records.
 *  result counts: published records per result category code (a record with several codes counts
 *      under each), every category of refdata result_categories in file order, unknown codes last.
 *  violation counts: record_violation rows with status 有效 of the published records, count and
 *      summed amount_cents per category, every refdata violation_categories row in file order.
 *  over the yearly cap (超过年度抽查上限): targets drawn (draw_target 有效) by more than one check
 * of the scope in year Y (the default yearly_cap of a draw is 1, DRAW.md §6); insured persons are
 * listed by their pseudonymous code only, never by name.
 *
 * Every ratio carries its numerator and denominator; a zero denominator gives "—" and "met" null
 * (never a fake 0% or 100%). Percentages are truncated to one decimal (not rounded), so a shown
 * value of at least the goal means the goal is met.
 *
 * Conventions as task.h: *err newly allocated; the caller frees it. No clock: the year is passed
 * in. Thread-safety: no shared state; each call uses the caller's Db. Called by
 * src/web/page_figures*.c. */
#ifndef SPOTCHECK_FIGURES_H
#define SPOTCHECK_FIGURES_H

#include "../db/db.h"
#include "actor.h"

#include <jansson.h>
#include <stdint.h>

/* Goals from the seed texts (000 二(二), 二(三)), as percentages. */
#define FIGURES_GOAL_JOINT_PCT 60
#define FIGURES_GOAL_JOINT_TARGETS_PCT 50
#define FIGURES_GOAL_GRADED_PCT 90

/* ---- pure rules ---- */

/* Writes num/den as a percentage truncated to one decimal ("66.6%"), or "—" when den <= 0. */
void figures_ratio_text(int64_t num, int64_t den, char out[32]);
/* Whether num/den >= goal_num/goal_den, exactly: 1 met, 0 not met, -1 unknown (den <= 0 or no
 * goal, goal_den == 0). */
int figures_goal_met(int64_t num, int64_t den, uint64_t goal_num, uint64_t goal_den);
/* Whether a held draw used credit-risk grading (definition above) from its params and record
 * (either may be NULL). Returns 1 or 0; *why (static text, may be NULL) says which rule. */
int figures_draw_graded(const json_t *params, const json_t *record, const char **why);

/* ---- the report ---- */

/* The figures of year `year` for org_id and the orgs below it, as a new JSON object:
 *   {year, org_id, org_name,
 *    figures: [{key, name, num, den, ratio, percent (real|null), goal (text|null), goal_pct
 *               (real|null), met (true|false|null), met_text, definition, source}],
 *    months: [{month "01".."12", label "1月", checks}],
 *    result_counts: [{code, label, count}], violation_counts: [{code, article, label, count,
 *    amount_cents, amount "元" text}], over_cap: [{target_code, kind, kind_label, name (null for
 *    insured), times, tasks "code、code"}], plan_rows: [{number, task_no, name, ratio}] (the rows
 *    behind the coverage goal), graded: [{task_code, why}] }
 * Figure keys: checks_joint, targets_joint, checks_graded, coverage, coverage_institution,
 * coverage_pharmacy, completion, closure_findings, closure_all, findings.
 * Returns NULL with *err on a database error. */
json_t *figures_year_json(Db *db, int year, int64_t org_id, char **err);

/* The years (newest first, at most max) in which a draw of a task of org_id or an org below it was
 * held: how many were written to years. */
int figures_draw_years(Db *db, int64_t org_id, int *years, int max);

/* The audit row of an export of the year's figures (export.figures, {"year": year}) in its own
 * transaction: 0, or -1 with *err — then the report may not be handed out. */
int figures_export_audit(Db *db, const Actor *who, int year, char **err);

#endif
