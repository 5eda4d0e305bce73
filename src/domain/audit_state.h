/* audit_state.h - tamper evidence beyond the log: the digest of an audited business row's state,
 * stored with its audit row, and the check that the rows are still in that state and that their
 * version histories have no holes. See docs/AUDIT.md, "The state digest".
 *
 * An entity covered here (account "user", "record", "task", "followup", the directory tables, …)
 * maps to fixed SELECTs of its row and of the rows that change with it (a record's items and
 * violations, a task's scheme and joint departments), over a fixed column set. The digest is the
 * lowercase hex SHA-256 of their canonical text:
 *
 *     for each SELECT, in order:  "Q"
 *       for each row, in the SELECT's ORDER BY:  "R"
 *         for each column:  field(name) field(value)
 *
 * where field() is the audit log's encoding (audit.h): "-" for NULL, else <byte length>:<bytes>,
 * values as their text (integers in decimal). A row that no longer exists gives "Q" alone.
 *
 * Called by audit_append (every audit row of a covered entity with an integer id gets its digest)
 * and by `spotcheck audit verify` (src/cli/cmd_audit.c). Reads only. Thread-safe per Db. */
#ifndef SPOTCHECK_AUDIT_STATE_H
#define SPOTCHECK_AUDIT_STATE_H

#include "../core/util.h"
#include "../db/db.h"

#include <sodium.h>
#include <stdint.h>

/* One field of the audit log's canonical encoding into h: "-" for NULL, else <byte length>:<bytes>.
 * Shared by the hash rule (audit.c) and the state digest. Pure. */
void audit_state_field(crypto_hash_sha256_state *h, const char *v);

/* The digest of entity `entity_id` as it is now, into out (64 hex digits and a NUL). Returns 1 when
 * computed, 0 when the entity is not covered or entity_id is not a positive integer (out is ""),
 * -1 on a database error. */
int audit_state_digest(Db *db, const char *entity, const char *entity_id, char out[65]);

/* Re-reads every audited business row — for each (entity, entity_id) the newest audit row with a
 * digest — and appends a Chinese line per row whose state digest differs (a direct edit after the
 * last audited change) to *problems; then one line per row whose history (entity_version,
 * record_version, followup_version) misses a version below the row's current one. *checked is the
 * number of rows compared. Returns the number of problems, or -1 with *err on a database error. */
int audit_state_check(Db *db, Buf *problems, int64_t *checked, char **err);

#endif
