/* public_version.h - the version of what the public portal shows (sql/036_public_version.sql).
 *
 * Every change that can alter a public page sets the version to a new random value inside its own
 * transaction, so a page rendered while the version was V shows the data of version V, whichever
 * process rendered it. The web server keys its cache of public pages and their ETag by it. The
 * changes are the audited ones (audit_append calls public_version_bump): pages show published
 * plans, schemes, draws and their disclosure (which follows the records' check dates), results,
 * penalties, the item list and the audit log's anchors, all of which change only in audited units
 * of work; audit actions that change nothing public (login, logout, accounts, exports) leave it.
 * Thread-safe: uses only the Db given. */
#ifndef SPOTCHECK_PUBLIC_VERSION_H
#define SPOTCHECK_PUBLIC_VERSION_H

#include "../db/db.h"

#include <stdint.h>

typedef struct PublicVersion {
    int64_t version;       /* changes with every public change; never 0 once read */
    int64_t changed_epoch; /* seconds since the epoch (wall clock) of that change; 0: unknown */
} PublicVersion;

/* Reads the version (one single-row SELECT). DB_OK, or DB_ERR (then *out is zeroed). */
int public_version_get(Db *db, PublicVersion *out);

/* 1 when a change recorded under audit action `action` may alter a public page: every action but
 * those that only record who signed in or took data out, or changed an account. */
int public_version_affected(const char *action);

/* Sets a new version, inside the caller's transaction. DB_OK or DB_ERR. */
int public_version_bump(Db *db);

#endif
