/* dir_io_impl.h - what the files of a directory import share: the report (dir_io_report.c), the
 * rows read and parsed (dir_io_rows.c), the bulk path (dir_io_bulk.c) and the import itself
 * (dir_io.c). Private to the import: nothing else includes it. */
#ifndef SPOTCHECK_DIR_IO_IMPL_H
#define SPOTCHECK_DIR_IO_IMPL_H

#include "dir_io.h"
#include "dir_summary.h"

#include "../core/clock.h"
#include "../core/strmap.h"

#include <pthread.h>
#include <stdint.h>

/* ---- the report (dir_io_report.c) ---- */

/* Adds a problem ("第N行…") to the report: counted, spilled to the errors file, kept in memory up
 * to twice IMPORT_REPORT_KEEP lines. */
void import_report_add(ImportReport *rep, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Puts the kept lines in line order and keeps the first IMPORT_REPORT_KEEP. */
void import_report_sort(ImportReport *rep);
/* Closes the errors file; it is whole (errors_file 1) only when every write succeeded. */
void import_report_close(ImportReport *rep);
/* Reports the errors of data row row_no, each under its column's header. */
void import_report_row_errors(const DirKind *k, long row_no, const DirErrors *errs,
                              ImportReport *rep);
/* Saves one row through dir_save and counts the result in the report (a failure as a problem of
 * line row_no). *id_out receives the row id (0 on error). */
void import_save_row(DirContext *ctx, const DirKind *k, const DirRow *row, long row_no,
                     ImportReport *rep, long long *id_out);

/* ---- the bulk path (dir_io_bulk.c) ---- */

#define BULK_REFS 4
/* Memory for the kept rows of a bulk load before they go, sorted, to the temporary file. */
#define BULK_RUN_BYTES ((size_t)16 << 20)

/* A block of the arena the kept rows' values live in. */
typedef struct ArenaChunk {
    struct ArenaChunk *next;
    size_t used, cap;
    char data[];
} ArenaChunk;

/* One valid row kept for the bulk insert. */
typedef struct KeptRow {
    /* the key's first 16 bytes, big-endian, zero-padded: most comparisons end here (codes share
     * their first 8 bytes: "91" + region, "H13…") */
    uint64_t prefix[2];
    const char *key;
    char **v;       /* the kind's field values (NULL: SQL NULL), in one arena block: the
                       k->nfields pointers, then the values in field order */
    uint32_t set;   /* bit i: field i given */
    uint32_t bytes; /* the size of that block */
    long row_no;
} KeptRow;

/* A sorted run of kept rows in the bulk's temporary file (dir_io_runs.c). */
typedef struct BulkRun {
    int64_t off, end; /* its bytes in the file */
} BulkRun;

/* The rows kept for a bulk insert and what writing them needs. */
typedef struct Bulk {
    Db *db;
    const DirKind *k;
    const char *actor;
    char now[CLOCK_NOW_LEN + 1]; /* updated_at of every row of the import */
    int key;                     /* the key field */
    int tags_field;              /* FT_TAGS field kept in the link table, or -1 */
    ArenaChunk *arena;
    KeptRow *rows; /* the rows kept in memory: the last run */
    size_t n, cap;
    size_t run_bytes; /* what rows[0..n) take with their values */
    /* earlier runs, sorted, in a temporary file (dir_io_runs.c); spill_fd -1: none */
    int spill_fd;
    int spill_off; /* 1 when writing a run failed: the rows stay in memory */
    BulkRun *runs;
    size_t nruns, capruns, nspilled;
    int64_t spill_end;
    long first_line; /* the line of the first row kept, for messages about the whole load */
    int64_t next_id;
    Stmt *ref_sel[BULK_REFS];
    const char *ref_table[BULK_REFS];
    StrMap *ref_ids[BULK_REFS]; /* code → id of referenced rows, per table */
    DbIndex *dropped;           /* indexes dropped, to build again */
    size_t ndropped;
    char *search_paused; /* the search index's upkeep, paused (db_search_pause), or NULL */
    char *count_paused;  /* target_count's triggers, paused (db_triggers_pause), or NULL */
    DirCounts *counts;   /* while they are paused: the tally of the rows inserted */
    DbSearchSide *side; /* the search index built beside the load (db_search_side_start), or NULL */
    int search_field[DIR_MAX_FIELDS]; /* the fields of k->search, in its order */
    int skip_field;     /* the field whose DIR_SEARCH_SKIPS_KIND leaves a row out, or -1 */
    int count_field[4]; /* the fields counted: org_id, kind, grade, status */
} Bulk;

/* Whether kind k can be bulk-inserted into its table (empty, no field referring to its own table).
 */
int bulk_possible(Db *db, const DirKind *k);
/* A bulk for kind k with key field `key`. */
Bulk *bulk_new(Db *db, const DirKind *k, int key, const char *actor);
void bulk_free(Bulk *b);
/* Packs a copy of the valid row *row (its key set) into one block of *arena. */
void bulk_pack_row(ArenaChunk **arena, const DirKind *k, int key, const DirRow *row, long row_no,
                   KeptRow *out);
/* Adds a packed row (its values in b->arena) to the rows to write. */
void bulk_add_kept(Bulk *b, const KeptRow *row);
/* Keeps a copy of the valid row *row (its key set) for bulk_write. */
void bulk_keep(Bulk *b, const DirRow *row, long row_no);
/* bulk_write's answers: written (bad rows, if any, in the report), stop the import, or the database
 * refused a row (a constraint): nothing of the bulk is left, and the file is to be read again
 * through the row path, which names every bad row. */
enum { BULK_WRITTEN = 0, BULK_FAILED = -1, BULK_ROWWISE = 1 };
/* Writes the kept rows (the transaction is open). */
int bulk_write(Bulk *b, ImportReport *rep);
/* n bytes (8-aligned) from the arena; freed all at once by bulk_arena_free. */
void *bulk_arena_alloc(ArenaChunk **a, size_t n);
/* Frees an arena's blocks. */
void bulk_arena_free(ArenaChunk *a);
/* Copies the kept row *src (v and its values in one block of src->bytes, as bulk_pack_row makes
 * it) into one block of *arena as *out. */
void bulk_kept_copy(ArenaChunk **arena, const DirKind *k, const KeptRow *src, KeptRow *out);
/* Key order (bytes, as SQLite's BINARY collation compares text), then line order (qsort). */
int bulk_kept_cmp(const void *a, const void *b);

/* ---- bounded memory: sorted runs (dir_io_runs.c) ---- */

/* Sorts the rows kept in memory and appends them to the temporary file as a run, then frees their
 * memory. Called by bulk_add_kept when they take BULK_RUN_BYTES. On a failure to write, the rows
 * stay in memory (and so do the next ones: spill_off). */
void bulk_spill(Bulk *b);
/* The rows of every run and of memory, merged in bulk_kept_cmp order. */
typedef struct BulkMerge BulkMerge;
BulkMerge *bulk_merge_open(Bulk *b);
/* The next row, valid until the next call; NULL at the end, or on a read error (*failed set). */
const KeptRow *bulk_merge_next(BulkMerge *m, int *failed);
void bulk_merge_close(BulkMerge *m);
/* Closes the temporary file and forgets the runs. */
void bulk_runs_free(Bulk *b);

/* ---- reading the rows (dir_io_rows.c) ---- */

/* Maps header cells to field indexes (col_field[c] = field or -1). Reports unknown, duplicate
 * and missing required columns. Returns the number of problems. */
int import_map_header(const DirKind *k, char **cells, size_t n, int *col_field, long row_no,
                      ImportReport *rep);

/* What parsing a data row needs besides the row: the file's column map and the scope check. */
typedef struct RowParser {
    Db *db;
    const DirKind *k;
    const int *col_field; /* file column → field, or -1 */
    size_t ncols;
    int org; /* the org_id field, or -1 */
    long long scope_org_id;
    pthread_mutex_t *lock; /* around database reads when rows are parsed on several threads */
} RowParser;

/* The rest of a data row's handling, in file order: the duplicate check against the rows before
 * it, the report, then the save (row path) or keeping the row (bulk path). */
typedef struct RowSink {
    const DirKind *k;
    int key;
    StrMap *keys; /* key → first line */
    DirContext *ctx;
    Bulk *bulk;
    ImportReport *rep;
} RowSink;

/* Parses and checks one data row into *row (cleared first) and *errs. */
void import_parse_row(const RowParser *p, DirContext *ctx, StrMap *orgs_seen, char **cells,
                      size_t n, DirRow *row, DirErrors *errs);
/* Hands a parsed row to the sink, in file order: duplicate check, report, then save or keep. */
void import_sink_row(RowSink *s, DirRow *row, DirErrors *errs, long row_no);
/* Reads the data rows of r into the sink with several parsing threads (bulk path). Returns 0 at
 * the end of the file, -1 on a read error (*err set), or 1 when no thread could be started
 * (nothing read yet: the caller parses on its own thread). */
int import_parse_parallel(const RowParser *p, const char *actor, TableReader *r, RowSink *sink,
                          char **err);

#endif
