/* followup_rows.h - the row changes of a follow-up inside the caller's transaction, without the
 * audit row. Private to the follow-up module: only followup_work.c, which wraps each in its unit of
 * work (followup.h), may call them; nothing else includes this header. */
#ifndef SPOTCHECK_FOLLOWUP_ROWS_H
#define SPOTCHECK_FOLLOWUP_ROWS_H

#include "followup.h"

/* Opens a follow-up on record_id (must be 已公示 with findings: else FU_CONFLICT) for the
 * record's org, opened_on = today. Validates by option (FU_INVALID; errors under "option" for
 * an unknown option). A penalty decision writes its credit event (credit.h). *id_out gets the
 * new id. */
int fu_open_rows(Db *db, int64_t record_id, const FollowupInput *in, const char *today,
                 const char *actor, int64_t *id_out, json_t *errors, char **err);
/* Edits an open follow-up made on `version` (FU_CONFLICT when it is another or the follow-up is
 * closed). The option may change. outcome_on is set the first day an outcome is entered. A new
 * or changed penalty decision writes a credit event. */
int fu_update_rows(Db *db, int64_t id, int64_t version, const FollowupInput *in, const char *today,
                   const char *actor, json_t *errors, char **err);
/* Records that the penalty decision was published on `on` (default today; not after today, not
 * before decision_on). FU_CONFLICT when the option has no publication requirement, there is no
 * decision yet, it was already published or the follow-up is closed. *late (may be NULL) is 1
 * when published after the deadline, 0 when in time, -1 when the deadline is unknown. */
int fu_publish_penalty_rows(Db *db, int64_t id, const char *on, const char *today,
                            const Calendar *cal, const char *actor, int *late, char **err);
/* Closes the follow-up (closed_on = today) when followup_close_blockers finds nothing; else
 * FU_CONFLICT with the reasons joined by '；' in *err. */
int fu_close_rows(Db *db, int64_t id, const char *today, const char *actor, char **err);

/* Writes a transfer of follow-up fid (open, else FU_CONFLICT): kind (followup_transfer_kinds),
 * receiver, sent_on (not after today) required; doc_no, summary optional. Field errors under
 * kind, receiver, sent_on. *id_out gets the id. */
int fu_transfer_add_rows(Db *db, int64_t fid, const char *kind, const char *receiver,
                         const char *sent_on, const char *doc_no, const char *summary,
                         const char *today, const char *actor, int64_t *id_out, json_t *errors,
                         char **err);
/* Records feedback on transfer tid: text and date (not after today, not before sent_on)
 * required unless `done` alone closes a transfer that already has feedback; status becomes
 * 已反馈, or 已办结 with done. FU_CONFLICT when already 已办结. */
int fu_transfer_feedback_rows(Db *db, int64_t tid, const char *feedback, const char *feedback_on,
                              int done, const char *today, const char *actor, json_t *errors,
                              char **err);

#endif
