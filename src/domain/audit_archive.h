/* audit_archive.h - the audit rows a county brings along when it moves between databases
 * (`spotcheck db copy`, dbcopy.h; table audit_archive, sql/054; docs/AUDIT.md "Moving a county").
 *
 * The rows are kept as they were, hashes included, in groups named by `chain`:
 *   kind "chain"   a whole chain from row 1: each row links to the one before, from 64 zeros; its
 *                  summary is the number of rows and the last row's hash (the head);
 *   kind "excerpt" one county's rows out of a province's chain: each row's hash recomputes from
 *                  its own prev_hash; the summary is the number of rows and the SHA-256 of the
 *                  lines "seq:hash\n" in seq order (the digest).
 * The copy's own audit row (`db.copy.in` / `db.copy.out`, in the chain of the database they were
 * copied into) lists each group's summary under "archive", so the chain vouches for them. Reads
 * only; thread-safety: uses only its Db. */
#ifndef SPOTCHECK_AUDIT_ARCHIVE_H
#define SPOTCHECK_AUDIT_ARCHIVE_H

#include "../core/util.h"
#include "../db/db.h"

#include <jansson.h>
#include <stdint.h>

/* Recomputes the group `chain` of audit_archive: *summary (new JSON object: chain, kind, rows,
 * head or digest; caller decrefs) and 0 when every row holds, 1 with the first problem (Chinese)
 * appended to *problems when one does not, -1 with *err on a database error. */
int audit_archive_summary(Db *db, const char *chain, json_t **summary, Buf *problems, char **err);

/* Checks every group of audit_archive against the summaries the copy rows of audit_log list: 0
 * when all hold and every listed group is there, 1 with the problems (one line each, Chinese)
 * appended to *problems, -1 with *err on a database error. *groups and *rows count what was
 * checked. */
int audit_archive_check(Db *db, Buf *problems, int64_t *groups, int64_t *rows, char **err);

#endif
