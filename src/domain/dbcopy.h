/* dbcopy.h - moving a county between databases (issue 18 item 4, `spotcheck db copy`): a county's
 * whole database into a provincial one under its org (in), or one org's subtree out of a
 * provincial database into a fresh one (out). docs/ARCHITECTURE.md "Moving a county" and
 * docs/AUDIT.md "Moving a county" describe the rules; the top of dbcopy.c how ids are remapped.
 *
 * Both read `src` and write `dst` in one transaction on `dst` (nothing written on refusal or
 * error), and end with one audit row on `dst` (`db.copy.in` / `db.copy.out`) that records who,
 * from where, the counts, the source chain's head and the digests of the audit rows brought
 * along (kept in audit_archive, sql/054). The same schema version is required on both sides.
 * Thread-safety: uses only its two connections. */
#ifndef SPOTCHECK_DBCOPY_H
#define SPOTCHECK_DBCOPY_H

#include "../core/util.h"
#include "../db/db.h"
#include "actor.h"

/* The records' files directories (record_files_dir) of the two databases. Every record_file row
 * copied has its file copied from `from` to `to`, its size and SHA-256 checked; a missing or
 * corrupt source file refuses the copy (SC_INVALID, each listed in *why). The files are written
 * before the transaction commits: a refused or failed copy may leave files in `to` that no row
 * refers to (content-addressed names: harmless, and the same bytes a later copy would write). */
typedef struct DbCopyFiles {
    const char *from, *to;
} DbCopyFiles;

/* Copies every row of the county database `src` into `dst`. The source's orgs keep their codes:
 * one whose code `dst` already has is taken as that org when it owns no data in `src` (an
 * ancestor such as the city), else it is a clash; the others are created, a top org under
 * `parent_code` when given (an org of `dst`), else at the top. Refuses (SC_INVALID) when any org
 * code, username, department/item/expert/plan/task code, officer certificate, target code or
 * insured ID number is already in `dst`, with every clash listed in Chinese in *why (caller
 * frees). `from` and `to` name the databases in the audit rows (no password). On success *report
 * holds the checks (counts per table source vs destination, draw file and record digests, the audit
 * archive) in Chinese, and SC_OK; SC_INVALID / SC_NOT_FOUND with *why; SC_ERR on a database
 * failure (*why says which). */
int dbcopy_in(Db *src, Db *dst, const Actor *who, const char *parent_code, const char *from,
              const char *to, const DbCopyFiles *files, Buf *report, char **why);

/* Copies the org `org_code` of `src`, its subtree and everything belonging to them (with its
 * ancestors as bare org rows, and the reference data), into `dst`, an empty database just
 * created: ids are kept. The county's audit rows in `src`'s chain go to dst's audit_archive
 * (kind excerpt), with any archived chain of the subtree. `src` gets a `db.copy.out` audit row as
 * well, after dst's commit. Same results as dbcopy_in; SC_NOT_FOUND for an unknown org. */
int dbcopy_out(Db *src, Db *dst, const Actor *who, const char *org_code, const char *from,
               const char *to, const DbCopyFiles *files, Buf *report, char **why);

#endif
