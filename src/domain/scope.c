/* scope.c - the jurisdiction rule (see scope.h). */
#include "scope.h"

int scope_of(Db *db, int64_t actor_org, int64_t org) {
    if (actor_org <= 0 || org <= 0) return SCOPE_OUTSIDE;
    if (actor_org == org) return SCOPE_WRITE;
    int64_t n = 0;
    if (db_query_int(db, &n, "SELECT count(*) FROM org WHERE id = ? AND " SCOPE_SQL("id"), "ii",
                     org, actor_org) != DB_OK)
        return SCOPE_OUTSIDE;
    return n > 0 ? SCOPE_READ : SCOPE_OUTSIDE;
}

int64_t scope_org_by_code(Db *db, const char *code) {
    int64_t id = 0;
    if (db_query_int(db, &id, "SELECT id FROM org WHERE code = ?", "t", code ? code : "") != DB_OK)
        return 0; /* as for an unknown code: no org, so no access */
    return id;
}

char *scope_org_name(Db *db, int64_t id) {
    char *name = NULL;
    if (id > 0 && db_query_text(db, &name, "SELECT name FROM org WHERE id = ?", "i", id) != DB_OK)
        return NULL; /* as for an unknown org */
    return name;
}

int scope_org_place(Db *db, int64_t org, int64_t *below, int *top) {
    *below = 1, *top = 1;
    Stmt *st = db_prepare(db, "SELECT (SELECT count(*) FROM org c WHERE c.parent_id = o.id), "
                              "o.parent_id IS NULL FROM org o WHERE o.id = ?");
    if (!st) return -1;
    db_bind_int(st, 1, org);
    int rc = db_step(st);
    if (rc == DB_ROW) *below = db_col_int(st, 0), *top = db_col_int(st, 1) != 0;
    if (rc == DB_DONE) *below = 0, *top = 0;
    db_finalize(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}
