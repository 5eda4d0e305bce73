/* worklist.h - an account's work list (待办事项): what waits for it, each item a link to the place
 * where it is done, with its count and, where there is one, the deadline. The home page and
 * GET /api/v1/todo show the same list.
 *
 * Which lists an account gets follows what it may do (the caller passes them as WORK_* bits from
 * the role's permissions): the leader approves plans, ad-hoc tasks, schemes, re-draws and
 * substitutions and reviews records; the inspection section (检查科室) moves each task on (scheme,
 * freeze, draw), publishes approved results and handles follow-ups; an officer fills and resubmits
 * the records of its groups; a joint department confirms the tasks it was named in; the 分管领导
 * confirms the credit grades the rule table proposes (each target a link to its credit record).
 * Counts are limited to the account's own org (changes are made there). */
#ifndef SPOTCHECK_WORKLIST_H
#define SPOTCHECK_WORKLIST_H

#include "../db/db.h"

#include <jansson.h>
#include <stdint.h>

enum {
    WORK_APPROVE = 1 << 0,  /* plans, ad-hoc tasks, schemes, re-draws, substitutions to decide */
    WORK_REVIEW = 1 << 1,   /* records to review */
    WORK_TASKS = 1 << 2,    /* tasks to move on */
    WORK_PUBLISH = 1 << 3,  /* approved results to publish */
    WORK_FOLLOWUP = 1 << 4, /* results awaiting a follow-up, open follow-ups */
    WORK_RECORDS = 1 << 5,  /* the officer's records to fill or redo */
    WORK_JOINT = 1 << 6,    /* the joint dept's confirmations */
    WORK_CREDIT = 1 << 7,   /* grades the rule table proposes, to confirm (分管领导) */
};
/* The credit proposals listed one by one (credit_pending); beyond them one entry counts the rest.
 */
#define WORK_CREDIT_LISTED 20

typedef struct WorkFor {
    int64_t org_id;           /* the account's org */
    unsigned lists;           /* WORK_* */
    const char *officer_cert; /* WORK_RECORDS: the officer's certificate (NULL: none linked) */
    int64_t dept_id;          /* WORK_JOINT: the account's dept (0: none linked) */
    const char *today;        /* YYYY-MM-DD */
} WorkFor;

/* [{kind, title, detail?, href, count, many (a count of several things, not one record), due?,
 * overdue}] in the order of the work, only what waits (count > 0). A new reference; what cannot be
 * read is left out. */
json_t *worklist(Db *db, const WorkFor *f);

#endif
