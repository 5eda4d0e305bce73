/* task_report.h - the task's 执法检查报告 (001 三(五): after the checks the initiating unit writes
 * an inspection report before the results are published): what was drawn and checked, the
 * results and violations by category with their amounts, the follow-up of the findings, the
 * deadlines kept and the officers who took part, as of `today`. Read-only; the caller applies the
 * jurisdiction (the task pages' gate) before asking. Thread-safety: uses only the Db handed in. */
#ifndef SPOTCHECK_TASK_REPORT_H
#define SPOTCHECK_TASK_REPORT_H

#include "../db/db.h"
#include "actor.h"
#include "calendar.h"

#include <jansson.h>
#include <stdint.h>

/* The report of task_id's current draw: {drawn (bool), draw {draw_no, drawn_at, population,
 * targets, replaced}, records {total, checked, with_findings, published, by_status [{status,
 * n}]}, results [{code, label, n}], violations [{code, label, n, amount_fen, amount}],
 * violation_total {n, amount_fen, amount}, followups [{code, label, total, open, closed,
 * amount}], followup_total {records_with_findings, records_closed, total, open, closed},
 * deadlines [{kind, label, on_time, late, overdue, open, unknown}], officers [{cert_no, name,
 * leads, members, records}], today}; records also carries revisited and revisit_improper (回访);
 * amounts in yuan text ("1,234.50"). NULL with *err on a
 * database error. */
json_t *task_report(Db *db, int64_t task_id, const Calendar *cal, const char *today, char **err);
/* The audit row of an export of the report (export.task_report, the task). 0 or -1 with *err. */
int task_report_export_audit(Db *db, const Actor *who, int64_t task_id, char **err);

#endif
