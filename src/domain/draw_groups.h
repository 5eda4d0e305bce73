/* draw_groups.h - the groups of a drawn draw (each drawn target with its officers and experts), a
 * page at a time, read from the rows derived from the record (draw_target, draw_member: sql/002),
 * never from the record itself: a draw of 30,000 targets is a record of megabytes, a page of 50
 * groups a few queries. For the staff's draw page, the public task page and the 检查通知书.
 *
 * Personal data as task_target_label shows it (task_query.h): an insured person only by the
 * pseudonymous code, never with an address; the public view has no address at all, and names an
 * insured person by the draw's token (draw_token.h) where the draw has one, its search too.
 * Thread-safety: uses only the Db handed in. */
#ifndef SPOTCHECK_DRAW_GROUPS_H
#define SPOTCHECK_DRAW_GROUPS_H

#include "../db/db.h"

#include <jansson.h>
#include <stdint.h>

#define DRAW_GROUPS_PER_PAGE 50

typedef struct DrawGroupsQuery {
    int64_t draw_id;          /* the draw table's id */
    const char *target;       /* a target code, or the start of one; NULL or "": every group */
    int target_exact;         /* 1: only the group of exactly that code */
    const char *member;       /* an officer's certificate number or name (or an expert's code or
                               * name), exactly: the groups it is in; NULL or "": any */
    const char *disclosed_on; /* the public before every target is disclosed: only the valid
                               * targets disclosed on this day (draw_disclose.h); NULL: all */
    int public_view;          /* target labels as the public sees them */
    int64_t page;             /* from 1; a page past the last gives the last (asked is set) */
    int64_t per_page;         /* 0: DRAW_GROUPS_PER_PAGE */
} DrawGroupsQuery;

/* Page q->page of the groups matching q, in draw order: {groups [{no, target, target_name,
 * insured, origin, status, valid, stratum, ticket, short, members [{cert_no, name, leader,
 * expert}], removed [{cert_no, name, reason}]}], total (groups matching), page, pages (at least
 * 1), per_page, asked? (the page asked for when it did not exist)}. `no` is the group's number in
 * draw order, whatever the filter. New reference, or NULL with *err on a database error. */
json_t *draw_groups_page(Db *db, const DrawGroupsQuery *q, char **err);

/* The numbers of the valid groups of draw draw_id with fewer than 2 officers (experts do not
 * count), "3、17、40" (at most `max` numbers, then "等 N 组"); NULL when there are none or on a
 * database error (display only). Caller frees. */
char *draw_groups_under_minimum(Db *db, int64_t draw_id, size_t max);

#endif
