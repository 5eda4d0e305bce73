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

int scope_has_below(Db *db, int64_t org) {
    int64_t n = 0;
    if (db_query_int(db, &n, "SELECT count(*) FROM org WHERE parent_id = ?", "i", org) != DB_OK)
        return -1;
    return n > 0;
}
