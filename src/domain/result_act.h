/* result_act.h - the units of work after a record's submission: review (退回 / 审核通过),
 * publication (公示, one record or a batch, all or none) and the exchange export for the credit
 * information system. Each is one transaction with its audit row written as the actor
 * (actor.h), so that the pages, the JSON API and any command that calls them cannot forget
 * either; the rules themselves are result.c (which runs inside these transactions).
 *
 * Audit rows: "record.return" / "record.approve" / "record.publish" (entity record, before and
 * after {id, org_id, status, target_code, task_id, review_opinion, published}); "result.exchange"
 * (no entity id, after {format, from, to, rows}).
 *
 * Results as result.h (RESULT_OK, RESULT_INVALID, RESULT_NOT_FOUND, RESULT_CONFLICT, RESULT_ERR,
 * RESULT_BUSY) with the Chinese reason in *err (caller frees). "Today" is the one clock
 * (clock.h). Thread-safety: uses only the Db handed in. */
#ifndef SPOTCHECK_RESULT_ACT_H
#define SPOTCHECK_RESULT_ACT_H

#include "../db/db.h"
#include "actor.h"
#include "calendar.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Reviews record id as who: action "return" (opinion required) or "approve" (result_review). */
int result_act_review(Db *db, const Actor *who, int64_t id, const char *action, const char *opinion,
                      char **err);

/* Publishes the records of ids (n > 0; repeated ids count once) all or none, deadlines on cal.
 * Publishing is the org's own act (谁检查、谁录入、谁公开): a record that is not of who's own org
 * is a problem like any other. Every problem is added to `problems` as {id, message} and the
 * result is RESULT_CONFLICT (nothing published). *late receives how many were published after
 * their deadline, *published how many were published. */
int result_act_publish(Db *db, const Actor *who, const int64_t *ids, size_t n, const Calendar *cal,
                       json_t *problems, size_t *late, size_t *published, char **err);

/* The exchange rows of the records published in [from, to] (NULL: open) in who's jurisdiction
 * (result_exchange_rows), with the audit row of the export in `format` ("csv" or "json").
 * *rows receives them (caller decrefs). RESULT_BUSY when the transaction cannot begin,
 * RESULT_ERR ("导出失败：审计日志写入失败") when the audit row cannot be written. */
int result_act_exchange(Db *db, const Actor *who, const char *format, const char *from,
                        const char *to, json_t **rows, char **err);

#endif
