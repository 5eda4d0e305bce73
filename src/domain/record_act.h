/* record_act.h - the units of work on record forms 一企一表: creating the records of drawn
 * targets, the officer's save and submission, files, the signature. Each is one transaction with
 * its audit row (entity "record", the record's snapshot after the change, with the change itself
 * under "change"), written as the actor (actor.h), so that the pages and the JSON API cannot
 * forget either. The rules themselves are record.c (which runs inside these transactions).
 *
 * Who may reach a record (the user's jurisdiction, the officer's own current group) is checked by
 * the caller with record_query.h before it calls here. Results as record.h: REC_OK, REC_INVALID
 * (field errors in `errors`), REC_NOT_FOUND, REC_CONFLICT, REC_ERR, with the Chinese reason in
 * *err (caller frees). "Today" is the one clock (clock.h). Thread-safety: uses only the Db
 * handed in. */
#ifndef SPOTCHECK_RECORD_ACT_H
#define SPOTCHECK_RECORD_ACT_H

#include "../db/db.h"
#include "actor.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Creates the missing records of the tasks whose list an account opens: with cert NULL, the tasks
 * in who's jurisdiction with a drawn draw; with cert, those of them whose drawn draw has the
 * officer cert in a group (在组). One transaction, one audit row "record.sync" (entity task) per
 * task that got records. Looks first with a read, so that opening a list takes the write lock
 * only when there is something to create. REC_OK (also when there was nothing to do) or REC_ERR. */
int record_act_sync(Db *db, const Actor *who, const char *cert, char **err);

/* Saves the contents of record id from `input` (record_save) with the version the officer started
 * from; audit row "record.save". *written (may be NULL) receives the version this save wrote,
 * read inside the transaction (read after the commit it could be a colleague's next save). */
int record_act_save(Db *db, const Actor *who, int64_t id, const json_t *input, int64_t version,
                    json_t *errors, int64_t *written, char **err);

/* Submits record id for review (record_submit); audit row "record.submit". */
int record_act_submit(Db *db, const Actor *who, int64_t id, json_t *errors, char **err);

/* Stores an uploaded photo or video (type by content) for record id under files_dir
 * (record_file_add); audit row "record.file.add" with {file_id, size}. */
int record_act_file_add(Db *db, const Actor *who, int64_t id, const char *files_dir,
                        const unsigned char *data, size_t len, const char *original_name,
                        char **err);

/* Stores the signature PNG and the signer's name on record id (record_signature_set); audit row
 * "record.signature" with {signature_file_id, size}. */
int record_act_signature(Db *db, const Actor *who, int64_t id, const char *files_dir,
                         const unsigned char *png, size_t len, const char *signer_name, char **err);

/* Withdraws file fid of record id with a reason (record_file_withdraw); audit row
 * "record.file.withdraw" with {withdrawn_file_id, reason}. */
int record_act_file_withdraw(Db *db, const Actor *who, int64_t id, int64_t fid, const char *reason,
                             char **err);

#endif
