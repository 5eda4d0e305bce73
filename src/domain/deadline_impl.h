/* deadline_impl.h - helpers shared by the two collectors of the deadline module: the one that
 * evaluates every clock (deadline.c, deadline_collect) and the one that asks SQL for counts and
 * pages (deadline_query.c, DlSet). Private to the module: nothing outside these files includes it;
 * the module's API is deadline.h. */
#ifndef SPOTCHECK_DEADLINE_IMPL_H
#define SPOTCHECK_DEADLINE_IMPL_H

#include "deadline.h"

/* What a clock row is built with. */
typedef struct Collect {
    Db *db;
    const Calendar *cal;
    const char *today, *only_cert;
    json_t *out;
    Stmt *members; /* the group's officers of (draw_id, target_code): dl_members_prepare */
} Collect;

/* Prepares c->members; NULL on a database error. */
Stmt *dl_members_prepare(Db *db);
/* The officers (not experts) in the group of (draw_id, target), leader first: a new array. */
json_t *dl_group_officers(Collect *c, int64_t draw_id, const char *target);
/* [{id, name}] of one dept, empty when id is 0 or name NULL: a new array. */
json_t *dl_dept_list(int64_t id, const char *name);
/* publish_workdays of every disposal option that sets it (refdata disposal_options): {code: n}
 * (a new object; empty on a database error). */
json_t *dl_penalty_days(Db *db);
/* The working days of a penalty clock for disposal option `option` (0: the option has none). */
int dl_penalty_workdays(const json_t *pdays, const char *option);

/* Evaluates one clock for c->today and appends its JSON (deadline.h, deadline_collect) to c->out;
 * steals officers and depts. With c->only_cert, skips a clock none of whose officers has it. */
void dl_add_clock(Collect *c, DlKind kind, const char *start, int workdays, const char *done,
                  int64_t task_id, const char *task_code, const char *task_name, int64_t org_id,
                  const char *org_name, const char *subject, const char *target_code,
                  int64_t record_id, int64_t followup_id, const char *detail, json_t *officers,
                  json_t *depts, const char *link);

/* The counts object of deadline_counts from counts per kind × state and the number of open
 * clocks with a provisional deadline. */
json_t *dl_counts_json(const long long n[DL_KIND_COUNT][DL_STATE_COUNT], long long prov);

/* The groups of an overdue view ({key: group}, stolen), each with per_kind {kind label: n},
 * as a new array most overdue first (count descending, then key), per_kind replaced by the text
 * kinds ("检查结果录入 2、检查结果公示 1", in the order of the kinds). */
json_t *dl_groups_sorted(json_t *groups);

#endif
