/* dir_summary.c - directory counts for the home page (see dir_summary.h). Thread-safe: uses only
 * the Db handed in. */
#include "dir_summary.h"

#include "scope.h"

/* sql has one '?' for the scope, or two when day is given: the day first. */
static int64_t count(Db *db, const char *sql, int64_t org_id, const char *day) {
    int64_t n = 0;
    int rc =
        day ? db_query_int(db, &n, sql, "ti", day, org_id) : db_query_int(db, &n, sql, "i", org_id);
    return rc == DB_OK ? n : 0; /* a count for display: 0 when unreadable */
}

#define TARGETS(kind)                                                                              \
    "SELECT count(*) FROM target t WHERE kind = '" kind "' AND " SCOPE_SQL("t.org_id")

void dir_summary(Db *db, int64_t org_id, const char *today, DirSummary *out) {
    out->items =
        count(db, "SELECT count(*) FROM item t WHERE status = '启用' AND " SCOPE_SQL("t.org_id"),
              org_id, NULL);
    out->institutions = count(db, TARGETS("institution"), org_id, NULL);
    out->pharmacies = count(db, TARGETS("pharmacy"), org_id, NULL);
    out->employers = count(db, TARGETS("employer"), org_id, NULL);
    out->insured = count(db, TARGETS("insured"), org_id, NULL);
    out->officers_on_duty =
        count(db, "SELECT count(*) FROM officer t WHERE status = '在岗' AND " SCOPE_SQL("t.org_id"),
              org_id, NULL);
    out->certs_expired = count(
        db, "SELECT count(*) FROM officer t WHERE cert_valid_to < ? AND " SCOPE_SQL("t.org_id"),
        org_id, today);
    out->experts =
        count(db, "SELECT count(*) FROM expert t WHERE " SCOPE_SQL("t.org_id"), org_id, NULL);
}

json_t *dir_summary_grades(Db *db, int64_t org_id) {
    json_t *a = json_array();
    Stmt *st = db_prepare(
        db, "SELECT grade, count(*) FROM target t WHERE kind <> 'insured' AND " SCOPE_SQL(
                "t.org_id") " GROUP BY grade ORDER BY grade");
    if (!st) return a;
    db_bind_int(st, 1, org_id);
    while (db_step(st) == DB_ROW)
        json_array_append_new(a, json_pack("{s:s, s:I}", "grade", db_col_text(st, 0), "count",
                                           (json_int_t)db_col_int(st, 1)));
    db_finalize(st);
    return a;
}
