/* draw_groups.c - the groups of a drawn draw a page at a time (see draw_groups.h), from the rows
 * the run and every substitution derive from the record (draw_store_run.c: draw_target in draw
 * order, draw_member with the members a substitution removed). A group's shortfall is the draw's
 * need (draw_group_need, from the frozen params) less its officers, as the engine counts it.
 * Names and masking come from task_query.h (task_target_label, task_member_name), the rule of
 * what the public may see from draw_disclose.h. The SQL text is made of the static fragments below
 * only; every value is bound. The groups under the minimum (a pass over every member of the draw)
 * are kept per data version (readcache.h): members change only in audited substitutions. */
#include "draw_groups.h"

#include "../core/util.h"
#include "draw.h"
#include "draw_disclose.h"
#include "draw_token.h"
#include "jsonkit.h"
#include "readcache.h"
#include "task_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The rows of q as an SQL tail "FROM … WHERE …" and its bound values after the draw's id (at most
 * 5, in order). */
typedef struct Filter {
    Buf sql;
    const char *arg[6];
    int64_t draw_id;
    int nargs;
    char *like;
} Filter;

/* The id the public sees for a drawn target: its token when the draw gave it one, else its code. */
#define PUBLIC_ID_SQL                                                                              \
    "coalesce((SELECT k.token FROM draw_token k WHERE k.draw_id = dt.draw_id "                     \
    "AND k.target_code = dt.target_code), dt.target_code)"

static void filter_build(Filter *f, const DrawGroupsQuery *q) {
    buf_init(&f->sql);
    f->nargs = 0;
    f->like = NULL;
    f->draw_id = q->draw_id;
    buf_puts(&f->sql, " FROM draw_target dt WHERE dt.draw_id = ?");
    if (!str_empty(q->target)) {
        /* the public knows an insured person only by the draw's token (draw_token.h) */
        const char *col = q->public_view ? " AND " PUBLIC_ID_SQL : " AND dt.target_code";
        buf_puts(&f->sql, col);
        if (q->target_exact) {
            buf_puts(&f->sql, " = ?");
            f->arg[f->nargs++] = q->target;
        } else {
            buf_puts(&f->sql, " LIKE ? ESCAPE '\\'");
            f->arg[f->nargs++] = f->like = db_like_prefix(q->target);
        }
    }
    if (!str_empty(q->member)) { /* by the member index, not a scan of every group */
        buf_puts(&f->sql, " AND dt.target_code IN (SELECT m.target_code FROM draw_member m "
                          "WHERE m.draw_id = dt.draw_id AND m.status = '在组' AND m.member_code IN "
                          "(SELECT ? UNION SELECT cert_no FROM officer WHERE name = ? "
                          "UNION SELECT code FROM expert WHERE name = ?))");
        for (int i = 0; i < 3; i++)
            f->arg[f->nargs++] = q->member;
    }
    if (q->disclosed_on) {
        buf_puts(&f->sql, " AND dt.status = '有效' AND " DRAW_DISCLOSED_SQL);
        f->arg[f->nargs++] = q->disclosed_on;
    }
}

/* Prepares head + the filter's tail + end and binds the filter's values; NULL on error. */
static Stmt *filter_prepare(Db *db, const Filter *f, const char *head, const char *end) {
    char *sql = xasprintf("%s%s%s", head, f->sql.data, end);
    Stmt *st = db_prepare(db, sql);
    free(sql);
    if (!st) return NULL;
    db_bind_int(st, 1, f->draw_id);
    for (int i = 0; i < f->nargs; i++)
        db_bind_text(st, i + 2, f->arg[i]);
    return st;
}

static void filter_free(Filter *f) {
    buf_free(&f->sql);
    free(f->like);
}

/* The members of the group of `target`: officers (the leader first), experts, then the members a
 * substitution removed, each by certificate and name. */
static void add_members(Db *db, Stmt *st, int64_t draw_id, const char *target, json_t *g,
                        int64_t need) {
    json_t *members = json_array(), *removed = json_array();
    db_bind_int(st, 1, draw_id);
    db_bind_text(st, 2, target);
    int64_t officers = 0;
    while (db_step(st) == DB_ROW) {
        const char *code = db_col_text(st, 0), *role = db_col_text(st, 1);
        json_t *name = task_member_name(db, code);
        if (str_eq(db_col_text(st, 2), "在组")) {
            int expert = str_eq(role, "专家");
            officers += !expert;
            json_array_append_new(members,
                                  json_pack("{s:s, s:o, s:b, s:b}", "cert_no", code, "name", name,
                                            "leader", str_eq(role, "组长"), "expert", expert));
        } else
            json_array_append_new(removed, json_pack("{s:s, s:o, s:s?}", "cert_no", code, "name",
                                                     name, "reason", db_col_text(st, 3)));
    }
    db_reset(st);
    json_object_set_new(g, "members", members);
    json_object_set_new(g, "removed", removed);
    json_object_set_new(g, "short", json_integer(need > officers ? need - officers : 0));
}

/* The officers each group of draw_id should have (draw_group_need of its frozen params). */
static int64_t group_need(Db *db, int64_t draw_id) {
    char *text = NULL;
    if (db_query_text(db, &text, "SELECT params FROM draw WHERE id = ?", "i", draw_id) != DB_OK)
        text = NULL; /* display only: the default group size */
    json_t *params = text ? json_loads(text, 0, NULL) : NULL;
    int64_t need = draw_group_need(params);
    json_decref(params);
    free(text);
    return need;
}

json_t *draw_groups_page(Db *db, const DrawGroupsQuery *q, char **err) {
    int64_t per = q->per_page > 0 ? q->per_page : DRAW_GROUPS_PER_PAGE, total = 0;
    Filter f;
    filter_build(&f, q);
    Stmt *st = filter_prepare(db, &f, "SELECT count(*)", "");
    int rc = st ? db_step(st) : DB_ERR;
    if (rc == DB_ROW) total = db_col_int(st, 0);
    db_finalize(st);
    if (rc != DB_ROW) {
        filter_free(&f);
        return set_err(err, "%s", db_errmsg(db)), NULL;
    }
    int64_t pages = total ? (total + per - 1) / per : 1, page = q->page < 1 ? 1 : q->page;
    json_t *out = json_pack("{s:I, s:I, s:I}", "total", (json_int_t)total, "pages",
                            (json_int_t)pages, "per_page", (json_int_t)per);
    if (page > pages) {
        json_object_set_new(out, "asked", json_integer((json_int_t)page));
        page = pages;
    }
    json_object_set_new(out, "page", json_integer((json_int_t)page));
    st = filter_prepare(db, &f,
                        q->public_view ? "SELECT dt.position, dt.target_code, dt.origin, "
                                         "dt.status, dt.stratum, dt.ticket, " PUBLIC_ID_SQL
                                       : "SELECT dt.position, dt.target_code, dt.origin, "
                                         "dt.status, dt.stratum, dt.ticket, dt.target_code",
                        " ORDER BY dt.position LIMIT ? OFFSET ?");
    if (st) {
        db_bind_int(st, f.nargs + 2, per);
        db_bind_int(st, f.nargs + 3, (page - 1) * per);
    }
    filter_free(&f);
    Stmt *ms = st ? db_prepare(db, "SELECT member_code, role, status, reason FROM draw_member "
                                   "WHERE draw_id = ? AND target_code = ? ORDER BY status, "
                                   "CASE role WHEN '组长' THEN 0 WHEN '组员' THEN 1 ELSE 2 END, "
                                   "member_code")
                  : NULL;
    json_t *groups = json_array();
    int64_t need = group_need(db, q->draw_id);
    while (ms && (rc = db_step(st)) == DB_ROW) {
        const char *target = db_col_text(st, 1);
        json_t *g = json_pack("{s:I, s:s, s:s, s:s, s:b, s:s, s:s}", "no",
                              (json_int_t)db_col_int(st, 0) + 1, "target", target, "origin",
                              db_col_text(st, 2), "status", db_col_text(st, 3), "valid",
                              str_eq(db_col_text(st, 3), "有效"), "stratum", db_col_text(st, 4),
                              "ticket", db_col_text(st, 5));
        json_t *label = task_target_label(db, target, q->public_view);
        json_object_set(g, "target_name", json_object_get(label, "name"));
        if (!str_eq(db_col_text(st, 6), target)) { /* the public view of a token */
            json_object_set_new(g, "target", json_string(db_col_text(st, 6)));
            json_object_set_new(g, "target_name", json_string(DRAW_TOKEN_LABEL));
        }
        json_object_set(g, "insured", json_object_get(label, "insured"));
        json_decref(label);
        add_members(db, ms, q->draw_id, target, g, need);
        json_array_append_new(groups, g);
    }
    int bad = !ms || rc != DB_DONE;
    if (bad) set_err(err, "%s", db_errmsg(db));
    db_finalize(ms);
    db_finalize(st);
    if (bad) {
        json_decref(groups);
        json_decref(out);
        return NULL;
    }
    json_object_set_new(out, "groups", groups);
    return out;
}

typedef struct UnderArg {
    int64_t draw_id;
    size_t max;
} UnderArg;

/* draw_groups_under_minimum's text as a JSON string, "" when none (ReadcacheFn); NULL on a
 * database error. */
static json_t *under_read(Db *db, void *arg, char **err) {
    (void)err;
    int64_t draw_id = ((const UnderArg *)arg)->draw_id;
    size_t max = ((const UnderArg *)arg)->max;
    /* one pass over the draw's members grouped by target, and a probe of the member index for the
     * groups without any member: a third of the time of counting each group's officers */
    Stmt *st = db_prepare(
        db, "SELECT dt.position FROM draw_target dt WHERE dt.draw_id = ? AND dt.status = '有效' "
            "AND (dt.target_code IN (SELECT target_code FROM draw_member WHERE draw_id = ? "
            "GROUP BY target_code HAVING sum(CASE WHEN status = '在组' AND role <> '专家' "
            "THEN 1 ELSE 0 END) < 2) OR NOT EXISTS (SELECT 1 FROM draw_member m "
            "WHERE m.draw_id = dt.draw_id AND m.target_code = dt.target_code)) "
            "ORDER BY dt.position");
    if (!st) return NULL;
    db_bind_int(st, 1, draw_id);
    db_bind_int(st, 2, draw_id);
    Buf b;
    buf_init(&b);
    size_t n = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n < max) buf_printf(&b, "%s%lld", n ? "、" : "", (long long)db_col_int(st, 0) + 1);
        n++;
    }
    db_finalize(st);
    if (n > max) buf_printf(&b, " 等 %zu 组", n);
    json_t *v = rc == DB_DONE ? json_string(b.data ? b.data : "") : NULL;
    buf_free(&b);
    return v;
}

char *draw_groups_under_minimum(Db *db, int64_t draw_id, size_t max) {
    UnderArg a = {draw_id, max};
    char key[80];
    snprintf(key, sizeof key, "draw_under_minimum/%lld/%zu", (long long)draw_id, max);
    json_t *v = readcache_get(db, key, under_read, &a, NULL);
    char *out = v ? xstrdup(json_string_value(v)) : NULL;
    json_decref(v);
    return out;
}
