/* notice.h - the 检查通知书 as issued documents (sql/039). A notice is issued for a valid drawn
 * target of a task's current draw: it gets a 文号 (机关简称〔年〕序号号, numbered per org and year:
 * the org's short name from the directory, else its name) and its text is fixed then — the target's
 * name and address, the scheme's period, method, materials and contact, the items, the group with
 * its 组长 first — stored as JSON and printed from there, never re-read. A re-issue (the group
 * changed by a 递补, an error) is a new notice with a new number naming the one it replaces and
 * why. Issuing is a unit of work (uow.h) of the task's own org, audited notice.issue.
 *
 * Results: NOTICE_OK, NOTICE_INVALID (*err says what to fix), NOTICE_CONFLICT (a notice exists
 * and no reason was given; the draw is not drawn), NOTICE_NOT_FOUND (task or target), NOTICE_ERR.
 * Thread-safety: uses only the Db handed in. */
#ifndef SPOTCHECK_NOTICE_H
#define SPOTCHECK_NOTICE_H

#include "../db/db.h"
#include "actor.h"
#include "outcome.h"

#include <jansson.h>
#include <stdint.h>

enum {
    NOTICE_OK = SC_OK,
    NOTICE_ERR = SC_ERR,
    NOTICE_INVALID = SC_INVALID,
    NOTICE_NOT_FOUND = SC_NOT_FOUND,
    NOTICE_CONFLICT = SC_CONFLICT
};

/* What a notice for `target` of task_id would say if issued today (a preview: no 文号), or NULL
 * with *err when the target is not a valid drawn target of the task's current draw. The shape of
 * a notice's content: {org_name, doc_no (null here), target, target_name, address (null for an
 * insured person), basis, title, period, method, materials, contact, items [text], members [{name,
 * cert_no, role}] (组长 first, then 组员, then 专家), issued_on, replaces (doc_no or null),
 * reason}. */
json_t *notice_preview(Db *db, int64_t task_id, const char *target, const char *today, char **err);
/* Issues the notice of `target`; when one was issued before, `reason` is required (a re-issue).
 * *doc_no (may be NULL) receives the new 文号. */
int notice_issue(Db *db, const Actor *who, int64_t task_id, const char *target, const char *reason,
                 const char *today, char **doc_no, char **err);
/* Issues a notice for every valid drawn target of the task that has none yet, in draw order, in
 * one unit of work; *issued the number. */
int notice_issue_all(Db *db, const Actor *who, int64_t task_id, const char *today, int64_t *issued,
                     char **err);
/* The notice in force for `target` of the task's current draw (the newest issued): its content
 * with doc_no, issued_on and replaces set; NULL when none. */
json_t *notice_current(Db *db, int64_t task_id, const char *target);
/* The notices in force of the task's current draw in 文号 order, at most `limit` from `offset`:
 * {notices [content], total, missing (valid targets without one)}. */
json_t *notice_list(Db *db, int64_t task_id, int64_t offset, int64_t limit);

#endif
