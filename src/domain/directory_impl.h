/* directory_impl.h - what the files of the directory engine share: the context (dir_context.c),
 * field parsing and validation (dir_parse.c) and storage (directory.c). Private to the engine:
 * nothing outside these three files includes it. */
#ifndef SPOTCHECK_DIRECTORY_IMPL_H
#define SPOTCHECK_DIRECTORY_IMPL_H

#include "directory.h"

#include "../core/strmap.h"

#include <pthread.h>

#define REF_CACHES 4

struct DirContext {
    Db *db;
    char *actor;
    long long scope_org_id;
    char *grade_reason, *grade_basis; /* a credit grade change allowed, with its reason and basis */
    int64_t expect_version, found_version; /* the optimistic lock of the next save (0: none) */
    struct {
        const char *table;
        StrMap *map;
    } ref[REF_CACHES];
    unsigned char pseudonym_key[32];
    int have_key;
    /* cached insert statement for the last (kind, field mask) */
    const DirKind *ins_kind;
    unsigned char ins_set[DIR_MAX_FIELDS];
    Stmt *ins;
    const DirKind *sel_kind;
    Stmt *sel;
    /* cached tag link statements (DELETE all links of a row, INSERT one link) for link_kind */
    const DirKind *link_kind;
    Stmt *link_del, *link_ins;
    StrMap *scope_cache;   /* org id → 1 inside the scope, 0 outside */
    pthread_mutex_t *lock; /* held around database reads (dir_context_set_lock) */
};

/* Hold and release the context's lock around a database read (no-op without a lock). */
void dir_ctx_lock(DirContext *ctx);
void dir_ctx_unlock(DirContext *ctx);
/* Id of the row of `table` with this code, or 0. Hits are cached; misses are not, because the
 * same batch may insert the row a moment later. */
long long dir_ref_lookup(DirContext *ctx, const char *table, const char *code);
/* For a scoped context: 1 when the referenced row of an org or dept field lies inside the scope
 * (other reference tables, such as the shared tags, are not owned by an org). */
int dir_ref_in_scope(DirContext *ctx, const char *table, long long id);
/* The choice whose label or code is s, or NULL. */
const Choice *dir_match_choice(const Choice *c, const char *s);
/* The labels of the choices joined by '、' (new string). */
char *dir_choice_list(const Choice *c);

#endif
