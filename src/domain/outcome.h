/* outcome.h - the one result of a domain function. Every module's result names (FU_*, PLAN_*,
 * TASK_*, REC_*, RESULT_*, CREDIT_*, ACCOUNT_*, DIR_EDIT_*) are these values under the module's
 * prefix, so one table (web_status in src/web/web.c) turns any of them into an HTTP status, and a
 * command into an exit code, the same way everywhere. */
#ifndef SPOTCHECK_OUTCOME_H
#define SPOTCHECK_OUTCOME_H

enum {
    SC_OK = 0,
    SC_ERR = -1,           /* the database or the system failed: nothing changed (500) */
    SC_INVALID = 1,        /* the input breaks a rule: field errors or the reason (422) */
    SC_NOT_FOUND = 2,      /* no such thing in the actor's jurisdiction (404) */
    SC_CONFLICT = 3,       /* not now: the state does not allow it (409) */
    SC_BUSY = 4,           /* the unit of work could not begin: try again (503) */
    SC_FORBIDDEN = 5,      /* a lower level's data: read, not changed (403) */
    SC_STALE = 6,          /* changed since it was read: reload (409) */
    SC_WRONG_PASSWORD = 7, /* the current password given was wrong (422) */
};

#endif
