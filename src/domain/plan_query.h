/* plan_query.h - the read-only questions the plan pages, the API and `spotcheck plan` ask about
 * plans, ad-hoc tasks and the lists their forms choose from (plan.h has the plan's own JSON
 * views). Plain values or new JSON references; none of them changes data, none opens a
 * transaction. Thread-safety: no shared state; each call uses the caller's Db. */
#ifndef SPOTCHECK_PLAN_QUERY_H
#define SPOTCHECK_PLAN_QUERY_H

#include "../db/db.h"

#include <jansson.h>
#include <stdint.h>

/* The org of plan version vid, or 0 when there is no such version (or it cannot be read). */
int64_t plan_version_org(Db *db, int64_t vid);
/* The org of ad-hoc task id, or 0 when there is no such request (or it cannot be read). */
int64_t plan_adhoc_org(Db *db, int64_t id);
/* The version of plan `number`: version `version`, or the latest when version is 0; 0 when
 * there is none or it cannot be read. */
int64_t plan_version_by_number(Db *db, const char *number, int version);
/* The years that have plans of scope_org or an org below it, newest first: [2026, 2025, …]. */
json_t *plan_years_json(Db *db, int64_t scope_org);
/* Enabled items an org may plan: its own and those of the orgs above it, by code:
 * [{code, name}]. Also the rule plan_task_save and plan_adhoc_create check chosen items by. */
json_t *plan_items_available(Db *db, int64_t org_id);
/* Enabled tags a task's target scope may name (通用 or 检查对象), by code: [{code, name}]. */
json_t *plan_scope_tags(Db *db);
/* Names of the enabled depts of an org and the orgs above it (the 科室 a task row may name), by
 * kind and code: ["稽核科", …]. */
json_t *plan_dept_names(Db *db, int64_t org_id);

#endif
