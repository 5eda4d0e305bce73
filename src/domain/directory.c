/* directory.c - the storage of the generic engine behind every directory kind (see directory.h):
 * versioned saves (dir_save), the versions kept in entity_version, status changes, and the small
 * reads by kind (count, the export SELECT, a row's org, whether a code is taken). The context is in
 * dir_context.c, parsing and row checks in dir_parse.c.
 *
 * Invariants: a save never deletes; before any UPDATE the full old row is copied to
 * entity_version as JSON; reference fields hold the referenced row's code in a DirRow and are
 * resolved to ids only when written. SQL text is built only from the static field tables; every
 * value is bound. Called by dir_io.c, dir_edit.c, the CLI and the web handlers. */
#include "../core/clock.h"
#include "directory.h"
#include "directory_impl.h"
#include "jsonkit.h"
#include "scope.h"

#include "../core/util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The credit event of a grade change of target id (the caller's transaction). */
static int grade_event(DirContext *ctx, long long id, const char *before, const char *after,
                       char **err) {
    char today[11];
    clock_today(today);
    char *summary =
        xasprintf("信用风险等级由 %s 调整为 %s（依据：%s）", !str_empty(before) ? before : "（无）",
                  !str_empty(after) ? after : "（无）", ctx->grade_basis);
    int rc = db_exec(ctx->db,
                     "INSERT INTO credit_event(target_id, kind, grade_before, grade_after, "
                     "summary, reason, basis, on_day, by_user, at) "
                     "VALUES (?, '等级调整', nullif(?, ''), nullif(?, ''), ?, ?, ?, ?, ?, ?)",
                     "ittttttt"
                     "t",
                     (int64_t)id, before ? before : "", after ? after : "", summary,
                     ctx->grade_reason, ctx->grade_basis, today, ctx->actor, clock_stamp().s);
    free(summary);
    return rc == DB_OK ? 0 : set_err(err, "写入信用记录失败: %s", db_errmsg(ctx->db));
}

static const DirField *key_field(const DirKind *k, int *idx) {
    for (size_t i = 0; i < k->nfields; i++) {
        if (k->fields[i].flags & FF_KEY) {
            *idx = (int)i;
            return &k->fields[i];
        }
    }
    ASSERT(0 && "kind without key field");
    return NULL;
}

/* The database form of field i: reference codes become ids. Returns a new string or NULL. */
static char *db_value(DirContext *ctx, const DirKind *k, const DirRow *row, size_t i) {
    const DirField *f = &k->fields[i];
    if (!row->v[i]) return NULL;
    if (f->type == FT_REF) return xasprintf("%lld", dir_ref_lookup(ctx, f->ref_table, row->v[i]));
    return xstrdup(row->v[i]);
}

int dir_keep_version(Db *db, const char *table, int64_t id, const char *actor, char **err) {
    char *sql = xasprintf("SELECT * FROM %s WHERE id = ?", table);
    Stmt *st = db_prepare(db, sql);
    free(sql);
    if (!st) return set_err(err, "数据库错误: %s", db_errmsg(db));
    db_bind_int(st, 1, id);
    if (db_step(st) != DB_ROW) {
        db_finalize(st);
        return set_err(err, "记录 %lld 不存在", (long long)id);
    }
    json_t *o = jk_row(st);
    const char *vtext = jk_str(o, "version");
    int64_t version = vtext ? strtoll(vtext, NULL, 10) : 0;
    db_finalize(st);
    char *data = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    int rc = db_exec(
        db,
        "INSERT INTO entity_version(entity, entity_id, version, data, replaced_at, replaced_by) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        "tiittt", table, id, version, data, clock_stamp().s, actor);
    free(data);
    if (rc != DB_OK) return set_err(err, "保存历史版本失败: %s", db_errmsg(db));
    return DB_OK;
}

/* Copies the current row into entity_version before it changes. */
static int snapshot(DirContext *ctx, const DirKind *k, long long id, char **err) {
    return dir_keep_version(ctx->db, k->table, id, ctx->actor, err);
}

/* Prepares (once per context and kind) the statements that maintain a kind's tag links. */
static int link_stmts(DirContext *ctx, const DirKind *k) {
    if (ctx->link_kind == k) return DB_OK;
    db_finalize(ctx->link_del);
    db_finalize(ctx->link_ins);
    ctx->link_kind = NULL;
    char *sql = xasprintf("DELETE FROM %s WHERE %s = ?", k->link_table, k->link_fk);
    ctx->link_del = db_prepare(ctx->db, sql);
    free(sql);
    sql = xasprintf("INSERT INTO %s(%s, tag_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    k->link_table, k->link_fk);
    ctx->link_ins = db_prepare(ctx->db, sql);
    free(sql);
    if (!ctx->link_del || !ctx->link_ins) return DB_ERR;
    ctx->link_kind = k;
    return DB_OK;
}

/* Runs a cached statement to completion and resets it. */
static int run_cached(Stmt *st) {
    int rc = db_step(st);
    db_reset(st);
    return rc == DB_DONE ? DB_OK : DB_ERR;
}

/* Rewrites the tag link rows of `id` from the ',' list in `tags`. `fresh`: the row was inserted
 * just now, so it has no links yet (the link tables' foreign keys keep links of missing rows
 * out) and the DELETE is skipped. */
static int sync_tags(DirContext *ctx, const DirKind *k, long long id, const char *tags, int fresh,
                     char **err) {
    if (!k->link_table) return DB_OK;
    int rc = link_stmts(ctx, k);
    if (rc == DB_OK && !fresh) {
        db_bind_int(ctx->link_del, 1, id);
        rc = run_cached(ctx->link_del);
    }
    if (rc == DB_OK && tags) {
        char *copy = xstrdup(tags);
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && rc == DB_OK;
             t = strtok_r(NULL, ",", &save)) {
            db_bind_int(ctx->link_ins, 1, id);
            db_bind_int(ctx->link_ins, 2, dir_ref_lookup(ctx, "tag", t));
            rc = run_cached(ctx->link_ins);
        }
        free(copy);
    }
    if (rc != DB_OK) return set_err(err, "保存标签失败: %s", db_errmsg(ctx->db));
    return DB_OK;
}

static int tags_field(const DirKind *k) {
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].type == FT_TAGS && k->link_table) return (int)i;
    return -1;
}

/* SELECT id, <every field column> FROM table WHERE key = ?; prepared once per context. */
static Stmt *select_stmt(DirContext *ctx, const DirKind *k) {
    if (ctx->sel_kind == k) return ctx->sel;
    db_finalize(ctx->sel);
    ctx->sel = NULL;
    ctx->sel_kind = NULL;
    int ki;
    const DirField *kf = key_field(k, &ki);
    Buf b;
    buf_init(&b);
    buf_puts(&b, "SELECT id");
    for (size_t i = 0; i < k->nfields; i++)
        buf_printf(&b, ", %s", k->fields[i].column);
    buf_printf(&b, ", version FROM %s WHERE %s = ?", k->table, kf->column);
    ctx->sel = db_prepare(ctx->db, b.data);
    buf_free(&b);
    if (ctx->sel) ctx->sel_kind = k;
    return ctx->sel;
}

static Stmt *insert_stmt(DirContext *ctx, const DirKind *k, const DirRow *row) {
    if (ctx->ins_kind == k && !memcmp(ctx->ins_set, row->set, sizeof ctx->ins_set)) return ctx->ins;
    db_finalize(ctx->ins);
    ctx->ins = NULL;
    ctx->ins_kind = NULL;
    Buf cols, qs;
    buf_init(&cols);
    buf_init(&qs);
    for (size_t i = 0; i < k->nfields; i++) {
        if (!row->set[i]) continue;
        buf_printf(&cols, "%s, ", k->fields[i].column);
        buf_puts(&qs, "?, ");
    }
    char *sql = xasprintf("INSERT INTO %s(%supdated_at, updated_by) VALUES (%s?, ?)", k->table,
                          cols.data, qs.data);
    buf_free(&cols);
    buf_free(&qs);
    ctx->ins = db_prepare(ctx->db, sql);
    free(sql);
    if (ctx->ins) {
        ctx->ins_kind = k;
        memcpy(ctx->ins_set, row->set, sizeof ctx->ins_set);
    }
    return ctx->ins;
}

static int do_insert(DirContext *ctx, const DirKind *k, const DirRow *row, long long *id_out,
                     char **err) {
    Stmt *st = insert_stmt(ctx, k, row);
    if (!st) return set_err(err, "数据库错误: %s", db_errmsg(ctx->db));
    int idx = 1;
    for (size_t i = 0; i < k->nfields; i++) {
        if (!row->set[i]) continue;
        if (row->v[i] && k->fields[i].type == FT_REF)
            db_bind_int(st, idx++, dir_ref_lookup(ctx, k->fields[i].ref_table, row->v[i]));
        else
            db_bind_text(st, idx++, row->v[i]);
    }
    db_bind_text(st, idx++, clock_stamp().s);
    db_bind_text(st, idx, ctx->actor);
    int rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE) return set_err(err, "写入失败: %s", db_errmsg(ctx->db));
    long long id = db_last_id(ctx->db);
    if (id_out) *id_out = id;
    int tf = tags_field(k);
    if (tf >= 0 && row->set[tf] && row->v[tf] && sync_tags(ctx, k, id, row->v[tf], 1, err) != DB_OK)
        return DB_ERR;
    return DIR_INSERTED;
}

static int do_update(DirContext *ctx, const DirKind *k, const DirRow *row, long long id,
                     char **changed_vals, char **err) {
    if (snapshot(ctx, k, id, err) != DB_OK) return DB_ERR;
    Buf sql;
    buf_init(&sql);
    buf_printf(&sql, "UPDATE %s SET ", k->table);
    for (size_t i = 0; i < k->nfields; i++)
        if (changed_vals[i]) buf_printf(&sql, "%s = ?, ", k->fields[i].column);
    buf_puts(&sql, "version = version + 1, updated_at = ?, updated_by = ? "
                   "WHERE id = ?");
    Stmt *st = db_prepare(ctx->db, sql.data);
    buf_free(&sql);
    if (!st) return set_err(err, "数据库错误: %s", db_errmsg(ctx->db));
    int idx = 1;
    for (size_t i = 0; i < k->nfields; i++) {
        if (!changed_vals[i]) continue;
        /* "" marks a change to NULL */
        db_bind_text(st, idx++, *changed_vals[i] ? changed_vals[i] : NULL);
    }
    char now[CLOCK_NOW_LEN + 1];
    clock_now(now);
    db_bind_text(st, idx++, now);
    db_bind_text(st, idx++, ctx->actor);
    db_bind_int(st, idx, id);
    int rc = db_step(st);
    db_finalize(st);
    if (rc != DB_DONE) return set_err(err, "更新失败: %s", db_errmsg(ctx->db));
    int tf = tags_field(k);
    if (tf >= 0 && changed_vals[tf] && sync_tags(ctx, k, id, row->v[tf], 0, err) != DB_OK)
        return DB_ERR;
    return DIR_UPDATED;
}

int dir_save(DirContext *ctx, const DirKind *k, const DirRow *row, long long *id_out, char **err) {
    int ki;
    key_field(k, &ki);
    if (!row->v[ki]) return set_err(err, "缺少编码");
    Stmt *sel = select_stmt(ctx, k);
    if (!sel) return set_err(err, "数据库错误: %s", db_errmsg(ctx->db));
    db_bind_text(sel, 1, row->v[ki]);
    int rc = db_step(sel);
    if (rc == DB_ERR) {
        db_reset(sel);
        return set_err(err, "查询失败: %s", db_errmsg(ctx->db));
    }
    int is_org = !strcmp(k->table, "org"), parent = dir_field_index(k, "parent_id");
    if (rc == DB_DONE) {
        db_reset(sel);
        /* a scoped user creates orgs only below an org of their own */
        if (is_org && ctx->scope_org_id &&
            (parent < 0 || !row->v[parent] ||
             !dir_scope_contains(ctx, dir_ref_lookup(ctx, "org", row->v[parent]))))
            return set_err(err, "只能在本机构或下级机构之下新建机构，请填写上级行政区划代码");
        return do_insert(ctx, k, row, id_out, err);
    }
    long long id = db_col_int(sel, 0);
    if (id_out) *id_out = id;
    /* the stored row must be the user's own org's (scope.h: an upper level does not write a lower
     * level's directory; orgs themselves are set up from above, within the subtree): a code that
     * exists in another county is not taken over by an import or a form */
    int org_col = dir_field_index(k, "org_id");
    long long owner =
        is_org         ? id
        : org_col >= 0 ? atoll(db_col_text(sel, org_col + 1) ? db_col_text(sel, org_col + 1) : "0")
                       : -1;
    if (owner >= 0 && (is_org ? !dir_scope_contains(ctx, owner)
                              : ctx->scope_org_id && owner != ctx->scope_org_id)) {
        db_reset(sel);
        /* not naming the code: it may be an insured person's pseudonym, and saying it exists
         * elsewhere would tell (an existence oracle) */
        return set_err(err, "无法登记或修改：请核对编码；如确属本机构的对象，请联系系统管理员（各机"
                            "构的名录由该机构维护）");
    }
    /* the optimistic lock: a save made from an older version would silently undo a colleague's */
    int64_t stored_version = db_col_int(sel, (int)k->nfields + 1);
    if (ctx->expect_version && stored_version != ctx->expect_version) {
        db_reset(sel);
        ctx->found_version = stored_version;
        return set_err(err,
                       "此记录已被他人修改（当前为第%lld版，您打开时为第%lld版），本次修改未保存",
                       (long long)stored_version, (long long)ctx->expect_version),
               DIR_STALE;
    }
    /* changed_vals[i]: new database value for a changed field ("" for NULL), else NULL */
    char *changed[DIR_MAX_FIELDS] = {0};
    int nchanged = 0;
    for (size_t i = 0; i < k->nfields; i++) {
        if (!row->set[i]) continue;
        char *nv = db_value(ctx, k, row, i);
        const char *ov = db_col_text(sel, (int)i + 1);
        if (!str_eq(nv, ov)) {
            changed[i] = nv ? nv : xstrdup("");
            nchanged++;
        } else {
            free(nv);
        }
    }
    db_reset(sel);
    if (is_org && ctx->scope_org_id && id == ctx->scope_org_id && parent >= 0 && changed[parent]) {
        for (size_t i = 0; i < k->nfields; i++)
            free(changed[i]);
        return set_err(err, "不能修改本机构的上级机构");
    }
    /* a credit grade sets the draw ratios: it changes only with a reason and a basis, and each
     * change is written to the target's credit record (credit.h) */
    int gi = !strcmp(k->table, "target") ? dir_field_index(k, "grade") : -1;
    char *old_grade = NULL;
    if (gi >= 0 && changed[gi]) {
        if (!ctx->grade_reason || !ctx->grade_basis) {
            for (size_t i = 0; i < k->nfields; i++)
                free(changed[i]);
            return set_err(
                err,
                "信用风险等级的调整须说明理由和依据（评价文号或检查记录），请在信用记录页办理");
        }
        if (db_query_text(ctx->db, &old_grade, "SELECT grade FROM target WHERE id = ?", "i",
                          (int64_t)id) != DB_OK) {
            for (size_t i = 0; i < k->nfields; i++)
                free(changed[i]);
            return set_err(err, "%s", db_errmsg(ctx->db));
        }
    }
    rc = nchanged ? do_update(ctx, k, row, id, changed, err) : DIR_UNCHANGED;
    if (rc == DIR_UPDATED && gi >= 0 && changed[gi] &&
        grade_event(ctx, id, old_grade, changed[gi], err) != 0)
        rc = -1;
    free(old_grade);
    for (size_t i = 0; i < k->nfields; i++)
        free(changed[i]);
    return rc;
}

int dir_set_status(DirContext *ctx, const DirKind *k, long long id, const char *status,
                   const char *reason, char **err) {
    int st = dir_field_index(k, "status");
    ASSERT(st >= 0);
    const DirField *f = &k->fields[st];
    const Choice *c = status ? dir_match_choice(f->choices, status) : NULL;
    if (!c) {
        char *all = dir_choice_list(f->choices);
        set_err(err, "状态“%s”无效（可选: %s）", status ? status : "", all);
        free(all);
        return DB_ERR;
    }
    if (f->def && strcmp(c->code, f->def) != 0 && str_empty(reason))
        return set_err(err, "状态改为“%s”须填写原因", c->label);
    char *old = NULL;
    char *sql = xasprintf("SELECT status FROM %s WHERE id = ?", k->table);
    int qrc = db_query_text(ctx->db, &old, sql, "i", (int64_t)id);
    free(sql);
    if (qrc != DB_OK) return set_err(err, "%s", db_errmsg(ctx->db));
    if (!old) return set_err(err, "记录不存在");
    int same = !strcmp(old, c->code);
    free(old);
    if (same) return set_err(err, "状态已是“%s”", c->label);
    if (snapshot(ctx, k, id, err) != DB_OK) return DB_ERR;
    sql = xasprintf("UPDATE %s SET status = ?, status_reason = ?, version = version + 1, "
                    "updated_at = ?, updated_by = ? WHERE id = ?",
                    k->table);
    char now[CLOCK_NOW_LEN + 1];
    clock_now(now);
    int rc = db_exec(ctx->db, sql, "tttti", c->code, str_empty(reason) ? NULL : reason, now,
                     ctx->actor, (int64_t)id);
    free(sql);
    if (rc != DB_OK) return set_err(err, "更新失败: %s", db_errmsg(ctx->db));
    return DB_OK;
}

long long dir_count(Db *db, const DirKind *k) {
    int64_t n = 0;
    char *sql = xasprintf("SELECT count(*) FROM %s", k->table);
    if (db_query_int(db, &n, sql, NULL) != DB_OK)
        n = 0; /* a count for display: 0 when unreadable */
    free(sql);
    return n;
}

char *dir_select_sql(const DirKind *k) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "SELECT t.id, t.version, t.updated_at, t.updated_by");
    for (size_t i = 0; i < k->nfields; i++) {
        const DirField *f = &k->fields[i];
        if (f->type == FT_REF)
            buf_printf(&b, ", (SELECT r.code FROM %s r WHERE r.id = t.%s)", f->ref_table,
                       f->column);
        else
            buf_printf(&b, ", t.%s", f->column);
    }
    buf_printf(&b, " FROM %s t", k->table);
    return buf_steal(&b);
}

int64_t dir_row_org(Db *db, const DirKind *k, long long id) {
    if (dir_field_index(k, "org_id") < 0) return 0;
    int64_t org = 0;
    char *sql = xasprintf("SELECT org_id FROM %s WHERE id = ?", k->table);
    if (db_query_int(db, &org, sql, "i", (int64_t)id) != DB_OK)
        org = 0; /* unreadable: no org, outside every scope */
    free(sql);
    return org;
}

int dir_code_seen(Db *db, const DirKind *k, const char *code, int64_t org) {
    int ki;
    const DirField *kf = key_field(k, &ki);
    int64_t n = 0, mine = 0;
    char *sql = xasprintf("SELECT count(*) FROM %s WHERE %s = ?", k->table, kf->column);
    int qrc = db_query_int(db, &n, sql, "t", code);
    free(sql);
    if (qrc != DB_OK) return -1;
    if (!n) return 0;
    if (dir_field_index(k, "org_id") < 0) return 1;
    sql = xasprintf("SELECT count(*) FROM %s t WHERE t.%s = ? AND " SCOPE_SQL("t.org_id"), k->table,
                    kf->column);
    qrc = db_query_int(db, &mine, sql, "ti", code, org);
    free(sql);
    if (qrc != DB_OK) return -1;
    return mine ? 1 : 2;
}
