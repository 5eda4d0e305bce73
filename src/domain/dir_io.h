/* dir_io.h - import and export of directory kinds from/to CSV and XLSX files.
 *
 * An import is one transaction: every row is validated, valid rows are written, and if any row
 * is bad the whole transaction is rolled back and every bad row is reported as
 * "第N行 列名: 原因" (N as a spreadsheet shows it, the header is 第1行). Re-importing updates
 * rows by their code and keeps the earlier versions. An export writes the same columns, so an
 * export of an empty database is the import template and export→import round-trips. */
#ifndef SPOTCHECK_DIR_IO_H
#define SPOTCHECK_DIR_IO_H

#include "../io/table.h"
#include "actor.h"
#include "directory.h"

/* How many problems a report keeps in memory and shows: a file of 100,000 bad rows must not make a
 * page of half a million lines (or the memory to build it); the full list goes to a CSV file. */
#define IMPORT_REPORT_KEEP 1000

typedef struct ImportReport {
    long rows; /* data rows read */
    long inserted, updated, unchanged;
    char **errors; /* the first IMPORT_REPORT_KEEP "第N行 列名: 原因" lines, in line order */
    size_t nerrors, caperrors;
    size_t total_errors;       /* every problem found (nerrors ≤ total_errors) */
    int errors_file;           /* 1 when every problem was written to the errors_csv file given */
    int reread;                /* 1 when another connection committed while a bulk load parsed the
                                  file, so it was read again under the import's locks */
    struct TableWriter *spill; /* private: the errors_csv writer */
    char *spill_path;
} ImportReport;

enum { IMPORT_OK = 0, IMPORT_REJECTED = 1, IMPORT_FAILED = -1 };

/* Called inside the import's transaction just before the commit of a successful import (e.g. to
 * write the audit row, so the rows and their record commit together). Nonzero aborts it. */
typedef int (*ImportCommitHook)(Db *db, const DirKind *k, const ImportReport *rep, void *arg);

/* Imports `path` into kind k as `actor`. scope_org_id limits rows to one org (0: any).
 * grade_change (may be NULL): the reason and basis of the credit grade changes the file makes (an
 * annual credit evaluation); without them a row that changes an existing target's grade is refused.
 * errors_csv (may be NULL): a file to write every problem to, as CSV (行号, 错误), created only
 * when there is one (rep->errors_file says it was written whole); rep->errors keeps the first
 * IMPORT_REPORT_KEEP, rep->total_errors counts them all.
 * Returns IMPORT_OK (committed), IMPORT_REJECTED (nothing written; rep->errors lists why) or
 * IMPORT_FAILED (nothing written; *err says why, e.g. an unreadable file). */
int dir_import(Db *db, const DirKind *k, const char *path, TableEncoding enc, const char *actor,
               long long scope_org_id, const char *const grade_change[2], ImportCommitHook hook,
               void *hook_arg, const char *errors_csv, ImportReport *rep, char **err);
/* The import of a file as a unit of work by who, for the upload page and `spotcheck import`:
 * dir_import with who's name, its org as the scope (0: any org), and the audit row import.KIND
 * {rows, inserted, updated, unchanged} committed with the rows; after a successful import the
 * planner's statistics are refreshed (a large import changes them). Results as dir_import. */
int dir_import_as(Db *db, const Actor *who, const DirKind *k, const char *path, TableEncoding enc,
                  const char *const grade_change[2], const char *errors_csv, ImportReport *rep,
                  char **err);
void import_report_free(ImportReport *rep);
/* Tests only (not thread-safe): fn(arg) runs when a bulk import has parsed its file and is about
 * to take its locks, so that a test can commit from another connection then; NULL: none. */
void dir_import_test_after_parse(void (*fn)(void *), void *arg);
/* Tests only (not thread-safe): the memory a bulk import keeps rows in before it writes them,
 * sorted, to its temporary file (0: the default, BULK_RUN_BYTES), so that a small file takes the
 * path of a large one. */
void dir_import_test_run_bytes(size_t bytes);
/* Tests only (not thread-safe): the rows from which a bulk import drops its indexes and pauses
 * the upkeep of its search index and counts (0: the default, BULK_DEFER_AFTER). */
void dir_import_test_defer_after(size_t rows);

/* How an export treats personal data (FF_SECRET fields). */
typedef enum {
    DIR_EXPORT_MASKED,     /* ID and phone numbers masked (the default for everyone) */
    DIR_EXPORT_MASKED_ALL, /* every personal-data field masked (roles that may only read) */
    DIR_EXPORT_UNMASKED, /* as stored, the header row marking each such column 个人信息，未遮盖:
                            only for an account granted 个人信息导出, with a purpose, audited by the
                            caller */
} DirExportPii;
/* Writes the rows of statement st (the columns of dir_select_sql(k), bound by the caller with its
 * filters; finalized here) to path. *rows receives the number written. Returns 0 or -1 with *err.
 */
int dir_export_rows(Db *db, const DirKind *k, const char *path, TableFormat fmt, Stmt *st,
                    DirExportPii pii, long long *rows, char **err);
/* The audit row export.KIND of an export by who (own transaction): the row count, the filter in
 * force, whether personal data left unmasked and, then, the stated purpose. Returns 0 or -1 with
 * *err; an unmasked export whose row cannot be written must not be handed out. */
int dir_export_audit(Db *db, const Actor *who, const DirKind *k, long long rows, const char *filter,
                     int unmasked, const char *purpose, char **err);

#endif
