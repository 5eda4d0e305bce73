/* todo.h - the to-do list (待办) of an account: what waits for it, each item a link to the place
 * where it is done, with its count and, where there is one, the earliest deadline. The home page
 * and GET /api/v1/todo show the same list.
 *
 * Which lists an account gets follows what it may do (the caller passes them as TODO_* bits from
 * the role's permissions): the leader approves plans, ad-hoc tasks, schemes, re-draws and
 * substitutions and reviews records; the inspection section (检查科室) moves each task on (scheme,
 * freeze, draw), publishes approved results and handles follow-ups; an officer fills and resubmits
 * the records of its groups; a joint department confirms the tasks it was named in; the
 * administrator loads the holiday data. Counts are limited to the account's own org (changes are
 * made there). */
#ifndef SPOTCHECK_TODO_H
#define SPOTCHECK_TODO_H

#include "../db/db.h"

#include <jansson.h>
#include <stdint.h>

enum {
    TODO_APPROVE = 1 << 0,  /* plans, ad-hoc tasks, schemes, re-draws, substitutions to decide */
    TODO_REVIEW = 1 << 1,   /* records to review */
    TODO_TASKS = 1 << 2,    /* tasks to move on */
    TODO_PUBLISH = 1 << 3,  /* approved results to publish */
    TODO_FOLLOWUP = 1 << 4, /* results awaiting a follow-up, open follow-ups */
    TODO_RECORDS = 1 << 5,  /* the officer's records to fill or redo */
    TODO_JOINT = 1 << 6,    /* the joint dept's confirmations */
};

typedef struct TodoFor {
    int64_t org_id;           /* the account's org */
    unsigned lists;           /* TODO_* */
    const char *officer_cert; /* TODO_RECORDS: the officer's certificate (NULL: none linked) */
    int64_t dept_id;          /* TODO_JOINT: the account's dept (0: none linked) */
    const char *today;        /* YYYY-MM-DD */
} TodoFor;

/* [{kind, title, detail?, href, count, many (a count of several things, not one record), due?,
 * overdue}] in the order of the work, only what waits (count > 0). A new reference; an empty array
 * on a database error. */
json_t *todo_list(Db *db, const TodoFor *f);

#endif
