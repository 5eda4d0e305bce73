/* dir_io_rows.c - reading the rows of a directory import (dir_io.h): the header row mapped to the
 * kind's fields, each data row parsed and checked (including whose org it is), then reported,
 * saved (row path) or kept (bulk path) in file order; in the bulk path the rows are parsed on
 * several threads. Callers: dir_io.c through dir_io_impl.h. */
#include "dir_io.h"
#include "dir_io_impl.h"

#include "../core/strmap.h"
#include "../core/util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Maps header cells to field indexes (col_field[c] = field or -1). Reports unknown, duplicate
 * and missing required columns. Returns the number of problems. */
int import_map_header(const DirKind *k, char **cells, size_t n, int *col_field, long row_no,
                      ImportReport *rep) {
    int problems = 0;
    int seen[DIR_MAX_FIELDS] = {0};
    for (size_t c = 0; c < n; c++) {
        col_field[c] = -1;
        char *h = xstrdup(cells[c]);
        str_trim(h);
        /* a trailing "*" marks required columns in templates people made by hand */
        size_t hl = strlen(h);
        if (hl > 0 && h[hl - 1] == '*') h[hl - 1] = 0;
        /* the marker of an unmasked export (dir_export_rows) names the same column */
        static const char pii_mark[] = "（个人信息，未遮盖）";
        hl = strlen(h);
        if (hl > sizeof pii_mark - 1 && !strcmp(h + hl - (sizeof pii_mark - 1), pii_mark))
            h[hl - (sizeof pii_mark - 1)] = 0;
        if (!*h) {
            free(h);
            continue;
        }
        int found = -1;
        for (size_t i = 0; i < k->nfields; i++)
            if (!strcmp(k->fields[i].header, h)) found = (int)i;
        if (found < 0) {
            import_report_add(rep,
                              "第%ld行 %s: 未知的列名（%s导入模板可用 spotcheck export %s 生成）",
                              row_no, h, k->label, k->name);
            problems++;
        } else if (seen[found]) {
            import_report_add(rep, "第%ld行 %s: 列名重复", row_no, h);
            problems++;
        } else {
            seen[found] = 1;
            col_field[c] = found;
        }
        free(h);
    }
    for (size_t i = 0; i < k->nfields; i++) {
        const DirField *f = &k->fields[i];
        if ((f->flags & FF_REQUIRED) && !(f->flags & FF_DERIVED) && !seen[i]) {
            import_report_add(rep, "第%ld行: 缺少必填列“%s”", row_no, f->header);
            problems++;
        }
    }
    return problems;
}

/* Whether an account of scope_org_id may import rows of org_code: only its own org's (scope.h: an
 * upper level does not write a lower level's directory); answers are cached in `seen` (org code →
 * 0/1) because a file names the same few orgs on every row. */
static int in_scope(Db *db, long long scope_org_id, const char *org_code, StrMap *seen,
                    pthread_mutex_t *lock) {
    if (!scope_org_id || !org_code) return 1;
    int64_t ok = 0;
    if (strmap_get(seen, org_code, &ok)) return ok > 0;
    if (lock) pthread_mutex_lock(lock);
    int qrc = db_query_int(db, &ok, "SELECT count(*) FROM org WHERE id = ? AND code = ?", "it",
                           (int64_t)scope_org_id, org_code);
    if (lock) pthread_mutex_unlock(lock);
    if (qrc != DB_OK) return 0; /* unreadable: outside, and not remembered */
    strmap_put(seen, org_code, ok > 0);
    return ok > 0;
}

/* Parses and checks one data row into *row (cleared first) and *errs. */
void import_parse_row(const RowParser *p, DirContext *ctx, StrMap *orgs_seen, char **cells,
                      size_t n, DirRow *row, DirErrors *errs) {
    const DirKind *k = p->k;
    dir_row_clear(row, k);
    for (size_t c = 0; c < p->ncols; c++)
        if (p->col_field[c] >= 0)
            dir_parse_field(ctx, k, p->col_field[c], c < n ? str_cell_import(cells[c]) : "", row,
                            errs);
    for (size_t c = p->ncols; c < n; c++)
        if (!str_empty(cells[c])) {
            dir_errors_add(errs, -1, "第%zu列有数据但没有列名", c + 1);
            break;
        }
    dir_check_row(ctx, k, row, errs);
    if (p->org >= 0 && row->v[p->org] &&
        !in_scope(p->db, p->scope_org_id, row->v[p->org], orgs_seen, p->lock))
        dir_errors_add(errs, p->org, "无权导入机构 %s 的数据（只能导入本机构的名录）",
                       row->v[p->org]);
}

void import_sink_row(RowSink *s, DirRow *row, DirErrors *errs, long row_no) {
    s->rep->rows++;
    int64_t first = 0;
    if (!errs->n && row->v[s->key] && !s->bulk && strmap_get(s->keys, row->v[s->key], &first))
        dir_errors_add(errs, s->key, "“%s”与第%lld行重复", row->v[s->key], (long long)first);
    if (errs->n) {
        import_report_row_errors(s->k, row_no, errs, s->rep);
        dir_errors_free(errs);
        return;
    }
    if (s->bulk) {
        bulk_keep(s->bulk, row, row_no); /* duplicates: found at the merge (bulk_write) */
    } else {
        strmap_put(s->keys, row->v[s->key], row_no);
        long long id;
        import_save_row(s->ctx, s->k, row, row_no, s->rep, &id);
    }
}

/* import_sink_row for a row parsed and packed by a parse thread (bulk path): kept->v lies in an
 * arena that the caller hands to the bulk. */
static void sink_kept(RowSink *s, const KeptRow *kept, DirErrors *errs, long row_no) {
    s->rep->rows++;
    if (errs->n) {
        import_report_row_errors(s->k, row_no, errs, s->rep);
        dir_errors_free(errs);
        return;
    }
    bulk_add_kept(s->bulk, kept); /* duplicates: found at the merge (bulk_write) */
}

/* ---- parsing on several threads (bulk path) ----
 *
 * Parsing and checking the rows (cells to values, codes, HMAC pseudonyms) is half of the work
 * that is not SQLite's, and in the bulk path nothing is written before the whole file is read.
 * So the main thread reads the file into chunks of PARSE_CHUNK rows, PARSE_WORKERS threads parse
 * and check them (each with its own DirContext; their few database reads, the reference lookups
 * missing from their caches, go through one connection under a lock), and the main thread takes
 * the parsed chunks back in file order for what depends on the rows before (the
 * report, keeping the rows). Valid rows are packed by the parse thread into the chunk's arena,
 * which then joins the bulk's. The result is the same as parsing on one thread. */
#define PARSE_CHUNK 1024
/* chunks read ahead of the oldest one not yet consumed: while the main thread writes a run
 * (bulk_spill: a sort and 16 MiB written), the workers go on parsing instead of waiting for free
 * slots (8 → 32: the parse used 1.65 of 2 cores at 1M targets, now 1.75; ~380 KiB a slot) */
#define PARSE_QUEUE 32
#define PARSE_WORKERS 2

enum { CHUNK_FREE, CHUNK_READY, CHUNK_PARSING, CHUNK_DONE };

typedef struct ParseChunk {
    int state;
    size_t n;
    long row_no[PARSE_CHUNK];
    size_t
        first_cell[PARSE_CHUNK + 1]; /* row r's cells: cell_pos[first_cell[r] .. first_cell[r+1]) */
    size_t *cell_pos, ncells, capcells; /* offsets into text */
    Buf text;                           /* the cells, NUL-terminated, one after the other */
    KeptRow kept[PARSE_CHUNK];          /* valid rows, packed (errs[r].n == 0) */
    DirErrors errs[PARSE_CHUNK];
    ArenaChunk *arena; /* the packed rows' values */
} ParseChunk;

typedef struct ParallelParse {
    const RowParser *p;
    int key;
    const char *actor;
    pthread_mutex_t mu, dblock;
    pthread_cond_t cv;
    ParseChunk slot[PARSE_QUEUE];
    size_t filled, claimed, consumed; /* chunk sequence numbers; slot = number % PARSE_QUEUE */
    int reading_done;
} ParallelParse;

static void *parse_worker(void *arg) {
    ParallelParse *pp = arg;
    DirContext *ctx = dir_context_new(pp->p->db, pp->actor, pp->p->scope_org_id);
    dir_context_set_lock(ctx, &pp->dblock);
    StrMap *orgs_seen = strmap_new();
    char *cells[256];
    DirRow row;
    memset(&row, 0, sizeof row);
    pthread_mutex_lock(&pp->mu);
    for (;;) {
        while (pp->claimed == pp->filled && !pp->reading_done)
            pthread_cond_wait(&pp->cv, &pp->mu);
        if (pp->claimed == pp->filled) break;
        ParseChunk *c = &pp->slot[pp->claimed++ % PARSE_QUEUE];
        c->state = CHUNK_PARSING;
        pthread_mutex_unlock(&pp->mu);
        for (size_t r = 0; r < c->n; r++) {
            size_t n = c->first_cell[r + 1] - c->first_cell[r];
            char **cv = n <= 256 ? cells : xmalloc(n * sizeof *cv);
            for (size_t i = 0; i < n; i++)
                cv[i] = c->text.data + c->cell_pos[c->first_cell[r] + i];
            import_parse_row(pp->p, ctx, orgs_seen, cv, n, &row, &c->errs[r]);
            if (cv != cells) free(cv);
            if (!c->errs[r].n)
                bulk_pack_row(&c->arena, pp->p->k, pp->key, &row, c->row_no[r], &c->kept[r]);
        }
        pthread_mutex_lock(&pp->mu);
        c->state = CHUNK_DONE;
        pthread_cond_broadcast(&pp->cv);
    }
    pthread_mutex_unlock(&pp->mu);
    dir_row_clear(&row, pp->p->k);
    strmap_free(orgs_seen);
    dir_context_free(ctx);
    return NULL;
}

/* Hands the parsed rows of the oldest chunk to the sink, in order, and frees its slot. Called by
 * the main thread with pp->mu held, once that chunk is done; unlocks while working. */
static void parse_consume(ParallelParse *pp, RowSink *sink) {
    ParseChunk *c = &pp->slot[pp->consumed % PARSE_QUEUE];
    pthread_mutex_unlock(&pp->mu);
    for (size_t r = 0; r < c->n; r++)
        sink_kept(sink, &c->kept[r], &c->errs[r], c->row_no[r]);
    /* the chunk's arena joins the bulk's, after its rows: a run written meanwhile (bulk_spill)
     * frees the bulk's arena, which must not hold values of rows still to be added */
    while (c->arena) {
        ArenaChunk *next = c->arena->next;
        c->arena->next = sink->bulk->arena;
        sink->bulk->arena = c->arena;
        c->arena = next;
    }
    pthread_mutex_lock(&pp->mu);
    c->state = CHUNK_FREE;
    pp->consumed++;
    pthread_cond_broadcast(&pp->cv);
}

/* Reads the data rows of r into the sink with PARSE_WORKERS parsing threads. Returns 0 at the
 * end of the file, -1 on a read error (*err set), or 1 when no thread could be started (nothing
 * read yet: the caller parses on its own thread). */
int import_parse_parallel(const RowParser *p, const char *actor, TableReader *r, RowSink *sink,
                          char **err) {
    ParallelParse *pp = xcalloc(1, sizeof *pp);
    RowParser shared = *p; /* lives until the threads are joined below */
    shared.lock = &pp->dblock;
    pp->p = &shared;
    pp->key = sink->key;
    pp->actor = actor;
    pthread_mutex_init(&pp->mu, NULL);
    pthread_mutex_init(&pp->dblock, NULL);
    pthread_cond_init(&pp->cv, NULL);
    for (int i = 0; i < PARSE_QUEUE; i++)
        buf_init(&pp->slot[i].text);
    pthread_t tid[PARSE_WORKERS];
    int nthreads = 0;
    while (nthreads < PARSE_WORKERS && pthread_create(&tid[nthreads], NULL, parse_worker, pp) == 0)
        nthreads++;
    int rc = nthreads ? 0 : 1;
    pthread_mutex_lock(&pp->mu);
    while (rc == 0) {
        /* a free slot, handing finished chunks to the sink meanwhile */
        while (pp->filled - pp->consumed == PARSE_QUEUE ||
               (pp->consumed < pp->filled &&
                pp->slot[pp->consumed % PARSE_QUEUE].state == CHUNK_DONE)) {
            if (pp->slot[pp->consumed % PARSE_QUEUE].state == CHUNK_DONE)
                parse_consume(pp, sink);
            else
                pthread_cond_wait(&pp->cv, &pp->mu);
        }
        ParseChunk *c = &pp->slot[pp->filled % PARSE_QUEUE];
        pthread_mutex_unlock(&pp->mu);
        c->n = c->ncells = 0;
        c->text.len = 0;
        char **cells;
        size_t n;
        long row_no;
        int more = 1;
        while (c->n < PARSE_CHUNK && (more = table_next(r, &cells, &n, &row_no, err)) == 1) {
            c->row_no[c->n] = row_no;
            c->first_cell[c->n] = c->ncells;
            for (size_t i = 0; i < n; i++) {
                if (c->ncells == c->capcells) {
                    c->capcells = c->capcells ? 2 * c->capcells : 16 * PARSE_CHUNK;
                    c->cell_pos = xrealloc(c->cell_pos, c->capcells * sizeof *c->cell_pos);
                }
                c->cell_pos[c->ncells++] = c->text.len;
                buf_append(&c->text, cells[i], strlen(cells[i]) + 1);
            }
            memset(&c->errs[c->n], 0, sizeof c->errs[c->n]);
            c->n++;
        }
        c->first_cell[c->n] = c->ncells;
        pthread_mutex_lock(&pp->mu);
        if (c->n) {
            c->state = CHUNK_READY;
            pp->filled++;
            pthread_cond_broadcast(&pp->cv);
        }
        if (more < 0) rc = -1;
        if (more <= 0) break;
    }
    pp->reading_done = 1;
    pthread_cond_broadcast(&pp->cv);
    /* the rest, in order (after a read error too: the rows read so far are reported) */
    while (nthreads && pp->consumed < pp->filled) {
        if (pp->slot[pp->consumed % PARSE_QUEUE].state == CHUNK_DONE)
            parse_consume(pp, sink);
        else
            pthread_cond_wait(&pp->cv, &pp->mu);
    }
    pthread_mutex_unlock(&pp->mu);
    for (int i = 0; i < nthreads; i++)
        pthread_join(tid[i], NULL);
    for (int i = 0; i < PARSE_QUEUE; i++) {
        buf_free(&pp->slot[i].text);
        free(pp->slot[i].cell_pos);
        bulk_arena_free(pp->slot[i].arena); /* chunks parsed but not consumed (none) */
    }
    pthread_cond_destroy(&pp->cv);
    pthread_mutex_destroy(&pp->dblock);
    pthread_mutex_destroy(&pp->mu);
    free(pp);
    return rc;
}
