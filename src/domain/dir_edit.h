/* dir_edit.h - the changes to the directories as units of work, for the pages, the JSON API and
 * the command line alike (one use case, one owner): saving a row from input (create or update)
 * and changing a row's status. Each checks the rules, opens its own transaction (uow.h), saves
 * through the engine (directory.h) and writes its audit row KIND_TABLE.create / .update / .status
 * with the stored row before and after, personal data masked (dir_query.h).
 *
 * Rules. A row owned by an org (targets, officers, experts, items, depts) is changed only by an
 * account of that org: an upper level oversees a lower level's directory, it does not edit it
 * (scope.h); orgs are set up from above, in the actor's subtree. A code registered outside the
 * actor's jurisdiction is refused without saying so (and the try is audited). An update names the
 * version it read (optimistic lock); a credit grade changes only with a reason and a basis.
 * Thread-safety: uses only the Db handed in. */
#ifndef SPOTCHECK_DIR_EDIT_H
#define SPOTCHECK_DIR_EDIT_H

#include "../db/db.h"
#include "outcome.h"
#include "actor.h"
#include "directory.h"

#include <jansson.h>
#include <stdint.h>

/* Results (the Chinese reason in *why unless said otherwise). */
enum {
    DIR_EDIT_OK = SC_OK,
    DIR_EDIT_ERR = SC_ERR, /* database error: the row is unchanged */
    DIR_EDIT_INVALID =
        SC_INVALID, /* dir_edit_save: field errors in *errors; dir_edit_status: *why */
    DIR_EDIT_NOT_FOUND = SC_NOT_FOUND, /* no such row in the actor's jurisdiction */
    DIR_EDIT_FORBIDDEN = SC_FORBIDDEN, /* a lower level's row: read, not changed */
    DIR_EDIT_STALE =
        SC_STALE, /* changed since it was read: *current_version holds the stored one */
};

/* The input of a save: a new string for the field's column (multi-values joined by ','), or NULL
 * when the input does not hold the field. Also asked for "version", "grade_reason" and
 * "grade_basis". */
typedef char *(*DirInput)(const DirField *f, void *arg);

/* Validates the input and saves it as a new row of kind k (id 0) or over row id, as who. An
 * update needs the input "version" the row was read at. DIR_EDIT_OK with *id_out; DIR_EDIT_INVALID
 * with *errors (object column → message, "_row" for the whole row; caller decrefs); otherwise
 * *why (caller frees), and for DIR_EDIT_STALE *current_version. */
int dir_edit_save(Db *db, const Actor *who, const DirKind *k, long long id, DirInput in, void *arg,
                  json_t **errors, long long *id_out, int64_t *current_version, char **why);

/* Sets row id's status (with a reason, required for anything but the default status) as who. */
int dir_edit_status(Db *db, const Actor *who, const DirKind *k, long long id, const char *status,
                    const char *reason, char **why);

#endif
