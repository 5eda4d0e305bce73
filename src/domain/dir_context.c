/* dir_context.c - the context of the directory engine (directory.h): who saves, the scope of
 * their org, the caches of reference ids and scope answers, the pseudonym key, the optional lock
 * around database reads when rows are parsed on several threads, and the kind table lookups.
 * Callers: the parsing (dir_parse.c) and storage (directory.c) of the engine, dir_io, dir_edit and
 * the pages through directory.h. */
#include "directory.h"
#include "directory_impl.h"

#include "../core/strmap.h"
#include "../core/util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dir_ctx_lock(DirContext *ctx) {
    if (ctx->lock) pthread_mutex_lock(ctx->lock);
}

void dir_ctx_unlock(DirContext *ctx) {
    if (ctx->lock) pthread_mutex_unlock(ctx->lock);
}

void dir_context_set_lock(DirContext *ctx, pthread_mutex_t *lock) {
    ctx->lock = lock;
}

const DirKind *dir_kind_find(const char *name) {
    for (size_t i = 0; i < dir_kind_count; i++)
        if (!strcmp(dir_kinds[i]->name, name)) return dir_kinds[i];
    return NULL;
}

int dir_field_index(const DirKind *k, const char *column) {
    for (size_t i = 0; i < k->nfields; i++)
        if (!strcmp(k->fields[i].column, column)) return (int)i;
    return -1;
}

const char *dir_choice_label(const Choice *c, const char *code) {
    for (; c && c->code; c++)
        if (str_eq(c->code, code)) return c->label;
    return code;
}

DirContext *dir_context_new(Db *db, const char *actor, long long scope_org_id) {
    DirContext *ctx = xcalloc(1, sizeof *ctx);
    ctx->db = db;
    ctx->actor = xstrdup(actor ? actor : "system");
    ctx->scope_org_id = scope_org_id;
    return ctx;
}

void dir_context_allow_grade_change(DirContext *ctx, const char *reason, const char *basis) {
    free(ctx->grade_reason);
    free(ctx->grade_basis);
    ctx->grade_reason = str_empty(reason) ? NULL : xstrdup(reason);
    ctx->grade_basis = str_empty(basis) ? NULL : xstrdup(basis);
}

void dir_context_expect_version(DirContext *ctx, int64_t version) {
    ctx->expect_version = version;
    ctx->found_version = 0;
}

int64_t dir_context_found_version(const DirContext *ctx) {
    return ctx->found_version;
}

void dir_context_free(DirContext *ctx) {
    if (!ctx) return;
    for (int i = 0; i < REF_CACHES; i++)
        strmap_free(ctx->ref[i].map);
    db_finalize(ctx->ins);
    db_finalize(ctx->sel);
    db_finalize(ctx->link_del);
    db_finalize(ctx->link_ins);
    strmap_free(ctx->scope_cache);
    free(ctx->actor);
    free(ctx->grade_reason);
    free(ctx->grade_basis);
    free(ctx);
}

Db *dir_context_db(DirContext *ctx) {
    return ctx->db;
}

int dir_scope_contains(DirContext *ctx, long long org_id) {
    if (!ctx->scope_org_id) return 1;
    if (org_id <= 0) return 0;
    char key[24];
    snprintf(key, sizeof key, "%lld", org_id);
    if (!ctx->scope_cache) ctx->scope_cache = strmap_new();
    int64_t in = 0;
    if (strmap_get(ctx->scope_cache, key, &in)) return (int)in;
    /* walk up from org_id: inside the scope when the scope's root is on the way */
    dir_ctx_lock(ctx);
    int qrc =
        db_query_int(ctx->db, &in,
                     "WITH RECURSIVE up(id, parent) AS (SELECT id, parent_id FROM org WHERE id = ? "
                     "UNION ALL SELECT o.id, o.parent_id FROM org o JOIN up ON o.id = up.parent) "
                     "SELECT count(*) FROM up WHERE id = ?",
                     "ii", (int64_t)org_id, (int64_t)ctx->scope_org_id);
    dir_ctx_unlock(ctx);
    if (qrc != DB_OK) return 0; /* unreadable: outside, and not remembered */
    in = in > 0;
    strmap_put(ctx->scope_cache, key, in);
    return (int)in;
}

/* For a scoped context: 1 when the referenced row of an org or dept field lies inside the scope
 * (other reference tables, such as the shared tags, are not owned by an org). */
int dir_ref_in_scope(DirContext *ctx, const char *table, long long id) {
    if (!ctx->scope_org_id) return 1;
    if (!strcmp(table, "org")) {
        if (dir_scope_contains(ctx, id)) return 1;
        /* the own org's existing parent may be named (an edit of the own org keeps it; dir_save
         * refuses any change of it and any new org outside the scope) */
        int64_t up = 0;
        dir_ctx_lock(ctx);
        int qrc = db_query_int(ctx->db, &up, "SELECT parent_id FROM org WHERE id = ?", "i",
                               (int64_t)ctx->scope_org_id);
        dir_ctx_unlock(ctx);
        return qrc == DB_OK && up == id;
    }
    if (!strcmp(table, "dept")) {
        int64_t org = 0;
        dir_ctx_lock(ctx);
        int qrc =
            db_query_int(ctx->db, &org, "SELECT org_id FROM dept WHERE id = ?", "i", (int64_t)id);
        dir_ctx_unlock(ctx);
        return qrc == DB_OK && dir_scope_contains(ctx, org);
    }
    return 1;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

const unsigned char *dir_context_pseudonym_key(DirContext *ctx) {
    if (ctx->have_key) return ctx->pseudonym_key;
    char *hex = NULL;
    dir_ctx_lock(ctx);
    int qrc =
        db_query_text(ctx->db, &hex, "SELECT value FROM meta WHERE key = 'pseudonym_key'", NULL);
    dir_ctx_unlock(ctx);
    if (qrc != DB_OK || !hex || strlen(hex) != 64) {
        free(hex);
        return NULL;
    }
    for (int i = 0; i < 32; i++)
        ctx->pseudonym_key[i] = (unsigned char)(hexval(hex[2 * i]) * 16 + hexval(hex[2 * i + 1]));
    free(hex);
    ctx->have_key = 1;
    return ctx->pseudonym_key;
}

/* Id of the row of `table` with this code, or 0. Hits are cached; misses are not, because the
 * same batch may insert the row a moment later. */
long long dir_ref_lookup(DirContext *ctx, const char *table, const char *code) {
    int slot = -1;
    for (int i = 0; i < REF_CACHES; i++) {
        if (ctx->ref[i].table && !strcmp(ctx->ref[i].table, table)) {
            slot = i;
            break;
        }
        if (!ctx->ref[i].table) {
            ctx->ref[i].table = table;
            ctx->ref[i].map = strmap_new();
            slot = i;
            break;
        }
    }
    ASSERT(slot >= 0);
    int64_t id = 0;
    if (strmap_get(ctx->ref[slot].map, code, &id)) return id;
    char *sql = xasprintf("SELECT id FROM %s WHERE code = ?", table);
    dir_ctx_lock(ctx);
    int qrc = db_query_int(ctx->db, &id, sql, "t", code);
    dir_ctx_unlock(ctx);
    free(sql);
    if (qrc != DB_OK) return 0; /* unreadable: as an unknown code, so the row is refused */
    if (id) strmap_put(ctx->ref[slot].map, code, id);
    return id;
}
