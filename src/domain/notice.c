/* notice.c - see notice.h. The issuing units lock the task's row (uow_begin_row: one notice in
 * force per drawn target, checked then written) and, at numbering, the org's numbers (db_lock), so
 * they run beside other units on PostgreSQL. */
#include "notice.h"

#include "../core/clock.h"
#include "../core/util.h"
#include "draw.h"
#include "draw_groups.h"
#include "draw_sha256.h"
#include "draw_store.h"
#include "jsonkit.h"
#include "scope.h"
#include "task.h"
#include "task_query.h"
#include "uow.h"

#include <stdlib.h>
#include <string.h>

/* The task's current drawn draw id, 0 when none. */
static int64_t drawn_draw(Db *db, int64_t task_id) {
    int64_t id = 0;
    if (db_query_int(db, &id,
                     "SELECT d.id FROM draw d JOIN task t ON t.code = d.task_code WHERE t.id = ? "
                     "AND d.status = '已抽取'",
                     "i", task_id) != DB_OK)
        id = 0;
    return id;
}

static int role_rank(const json_t *m) {
    return json_is_true(json_object_get(m, "leader"))   ? 0
           : json_is_true(json_object_get(m, "expert")) ? 2
                                                        : 1;
}

/* The group of target in draw draw_id, members ordered 组长, 组员, 专家: [{name, cert_no, role}];
 * NULL when the target is not a valid drawn target. */
static json_t *group_members(Db *db, int64_t draw_id, const char *target, char **err) {
    DrawGroupsQuery q = {.draw_id = draw_id, .target = target, .target_exact = 1, .page = 1};
    json_t *v = draw_groups_page(db, &q, err), *g = NULL, *e;
    size_t i;
    json_array_foreach(json_object_get(v, "groups"), i,
                       e) if (str_eq(jk_str(e, "target"), target) &&
                              json_is_true(json_object_get(e, "valid"))) g = e;
    json_t *out = NULL;
    if (g) {
        out = json_array();
        for (int rank = 0; rank < 3; rank++)
            json_array_foreach(json_object_get(g, "members"), i, e) if (role_rank(e) == rank)
                json_array_append_new(out, json_pack("{s:s?, s:s?, s:s}", "name", jk_str(e, "name"),
                                                     "cert_no", jk_str(e, "cert_no"), "role",
                                                     rank == 0   ? "组长"
                                                     : rank == 1 ? "组员"
                                                                 : "专家"));
    }
    json_decref(v);
    return out;
}

/* The scheme's title as a notice cites it: the task's name, which often already ends in 方案. */
static char *scheme_title(const char *task_name) {
    const char *n = task_name ? task_name : "";
    size_t len = strlen(n), tail = strlen("方案");
    return len >= tail && !strcmp(n + len - tail, "方案") ? xstrdup(n) : xasprintf("%s实施方案", n);
}

/* The task's part of its notices, the same for every target (read once for a batch): {org_name,
 * basis, title, period, method, materials, contact, items, issued_on}; NULL when no such task. */
static json_t *notice_base(Db *db, int64_t task_id, const char *today) {
    json_t *t = task_json(db, task_id, today);
    if (!t) return NULL;
    const json_t *sc = json_object_get(t, "scheme");
    json_t *items = json_array(), *e;
    size_t i;
    json_array_foreach(json_object_get(t, "items"), i, e)
        json_array_append_new(items, json_string(jk_str0(e, "name")));
    json_array_foreach(json_object_get(t, "joints"), i,
                       e) if (json_is_true(json_object_get(e, "confirmed")) &&
                              !str_empty(jk_str(e, "items_line"))) {
        char *line = xasprintf("%s：%s", jk_str0(e, "dept_name"), jk_str(e, "items_line"));
        json_array_append_new(items, json_string(line));
        free(line);
    }
    char *title = scheme_title(jk_str(t, "name"));
    json_t *base = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s}", "org_name",
                             jk_str0(t, "org_name"), "basis",
                             json_is_true(json_object_get(t, "adhoc")) ? "经批准的临时抽查任务"
                                                                       : "本局年度随机抽查工作计划",
                             "title", title, "period", jk_str0(sc, "period"), "method",
                             jk_str0(sc, "method"), "materials", jk_str0(sc, "materials"),
                             "contact", jk_str0(sc, "contact"), "items", items, "issued_on", today);
    free(title);
    json_decref(t);
    return base;
}

/* A notice for target of draw draw_id: the task's part (base) with the target's name, address
 * and group; NULL with *err when the target is not a valid drawn target of the draw. */
static json_t *notice_of(Db *db, const json_t *base, int64_t draw_id, const char *target,
                         char **err) {
    json_t *members = group_members(db, draw_id, target, err);
    if (!members) {
        if (!err || !*err) set_err(err, "该检查对象不在本任务的有效抽取结果中");
        return NULL;
    }
    json_t *n = json_deep_copy(base), *label = task_target_label(db, target, 0);
    char *name = task_target_name(db, target);
    json_object_set_new(n, "doc_no", json_null());
    json_object_set_new(n, "target", json_string(target));
    json_object_set_new(n, "target_name", json_string(name ? name : target));
    json_object_set(n, "address", json_object_get(label, "address"));
    json_object_set_new(n, "members", members);
    json_object_set_new(n, "replaces", json_null());
    json_object_set_new(n, "reason", json_null());
    free(name);
    json_decref(label);
    return n;
}

json_t *notice_preview(Db *db, int64_t task_id, const char *target, const char *today, char **err) {
    int64_t draw_id = drawn_draw(db, task_id);
    if (!draw_id) return set_err(err, "本任务尚未摇号抽取"), NULL;
    json_t *base = notice_base(db, task_id, today);
    if (!base) return set_err(err, "任务不存在"), NULL;
    json_t *n = notice_of(db, base, draw_id, target, err);
    json_decref(base);
    return n;
}

/* The newest notice of target in draw draw_id: {id, doc_no} or NULL. */
static json_t *newest(Db *db, int64_t draw_id, const char *target) {
    Stmt *st = db_prepare(db, "SELECT id, doc_no FROM notice WHERE draw_id = ? AND target_code = ? "
                              "ORDER BY id DESC LIMIT 1");
    json_t *o = NULL;
    if (st && db_bind_va(st, "it", draw_id, target) == DB_OK && db_step(st) == DB_ROW)
        o = json_pack("{s:I, s:s}", "id", (json_int_t)db_col_int(st, 0), "doc_no",
                      db_col_text(st, 1));
    db_finalize(st);
    return o;
}

/* Inserts one notice (inside the open transaction): numbers it, fixes its content. */
static int insert_notice(Db *db, const Actor *who, const json_t *base, int64_t task_id,
                         int64_t org_id, int64_t draw_id, const char *target, const json_t *prev,
                         const char *reason, const char *today, char **doc_no, char **err) {
    json_t *n = notice_of(db, base, draw_id, target, err);
    if (!n) return NOTICE_NOT_FOUND;
    char *short_name = NULL;
    int64_t seq = 0, year = atoi(today);
    /* the org's numbers of the year: one issuer at a time from here to the commit, so no two
     * notices get one 文号 (the task's row lock does not cover the org's other tasks) */
    if (db_lock(db, "notice", org_id) != DB_OK) {
        json_decref(n);
        return set_err(err, "%s", db_errmsg(db)), NOTICE_ERR;
    }
    if (db_query_text(db, &short_name,
                      "SELECT coalesce(nullif(short_name, ''), name) FROM org WHERE id = ?", "i",
                      org_id) != DB_OK ||
        db_query_int(db, &seq,
                     "SELECT coalesce(max(seq), 0) + 1 FROM notice WHERE org_id = ? AND year = ?",
                     "ii", org_id, year) != DB_OK) {
        json_decref(n);
        free(short_name);
        return set_err(err, "%s", db_errmsg(db)), NOTICE_ERR;
    }
    char *no = xasprintf("%s检〔%lld〕%lld号", short_name ? short_name : "", (long long)year,
                         (long long)seq);
    json_object_set_new(n, "doc_no", json_string(no));
    if (prev) {
        json_object_set(n, "replaces", json_object_get(prev, "doc_no"));
        json_object_set_new(n, "reason", json_string(reason));
    }
    char *content = draw_canonical_json(n), sha[65];
    draw_sha256_hex(content, strlen(content), sha);
    int rc = db_exec(db,
                     "INSERT INTO notice(org_id, year, seq, doc_no, task_id, draw_id, target_code, "
                     "content, sha256, replaces_id, reason, issued_on, issued_at, issued_by) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, nullif(?, 0), ?, ?, ?, ?)",
                     "iiitiitttitttt", org_id, year, seq, no, task_id, draw_id, target, content,
                     sha, prev ? json_integer_value(json_object_get(prev, "id")) : (json_int_t)0,
                     prev ? reason : NULL, today, clock_stamp().s, who->username) == DB_OK
                 ? NOTICE_OK
                 : (set_err(err, "%s", db_errmsg(db)), NOTICE_ERR);
    if (rc == NOTICE_OK && doc_no) *doc_no = xstrdup(no);
    free(content);
    free(no);
    free(short_name);
    json_decref(n);
    return rc;
}

/* The task's org when who may issue its notices: its own org's tasks only. */
static int task_owner(Db *db, const Actor *who, int64_t task_id, int64_t *org, char **err) {
    *org = task_org(db, task_id);
    if (!*org) return set_err(err, "任务不存在"), NOTICE_NOT_FOUND;
    int where = scope_of(db, who->org_id, *org);
    if (where == SCOPE_OUTSIDE)
        return set_err(err, "任务不存在或不在您的管辖范围内"), NOTICE_NOT_FOUND;
    if (where != SCOPE_WRITE)
        return set_err(err, "这是下级机构的任务：上级机构可以查阅，不能代为出具通知书"),
               NOTICE_CONFLICT;
    return NOTICE_OK;
}

int notice_issue(Db *db, const Actor *who, int64_t task_id, const char *target, const char *reason,
                 const char *today, char **doc_no, char **err) {
    int64_t org = 0;
    int rc = task_owner(db, who, task_id, &org, err);
    if (rc != NOTICE_OK) return rc;
    if (uow_begin_row(db, "task", task_id, err) != 0) return NOTICE_ERR;
    int64_t draw_id = drawn_draw(db, task_id);
    json_t *prev = draw_id ? newest(db, draw_id, target) : NULL;
    if (!draw_id)
        rc = (set_err(err, "本任务尚未摇号抽取，不能出具检查通知书"), NOTICE_CONFLICT);
    else if (prev && str_empty(reason))
        rc = (set_err(err, "已出具检查通知书 %s：重新出具须填写原因（原通知书作废，以新文号为准）",
                      jk_str(prev, "doc_no")),
              NOTICE_CONFLICT);
    else if (reason && utf8_len(reason) > 200)
        rc = (set_err(err, "重新出具的原因不超过 200 个字"), NOTICE_INVALID);
    char *no = NULL;
    json_t *base = rc == NOTICE_OK ? notice_base(db, task_id, today) : NULL;
    if (rc == NOTICE_OK && !base) rc = (set_err(err, "任务不存在"), NOTICE_NOT_FOUND);
    if (rc == NOTICE_OK)
        rc = insert_notice(db, who, base, task_id, org, draw_id, target, prev, reason, today, &no,
                           err);
    json_decref(base);
    if (rc == NOTICE_OK) {
        json_t *after =
            json_pack("{s:s, s:s, s:s?, s:s?}", "target", target, "doc_no", no, "replaces",
                      prev ? jk_str(prev, "doc_no") : NULL, "reason", prev ? reason : NULL);
        char *a = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS);
        if (uow_audit(db, who, prev ? "notice.reissue" : "notice.issue", "task", task_id, org, NULL,
                      a, err) != 0)
            rc = NOTICE_ERR;
        free(a);
        json_decref(after);
    }
    if (!uow_end(db, rc == NOTICE_OK, err) && rc == NOTICE_OK) rc = NOTICE_ERR;
    if (rc == NOTICE_OK && doc_no)
        *doc_no = no;
    else
        free(no);
    json_decref(prev);
    return rc;
}

int notice_issue_all(Db *db, const Actor *who, int64_t task_id, const char *today, int64_t *issued,
                     char **err) {
    *issued = 0;
    int64_t org = 0;
    int rc = task_owner(db, who, task_id, &org, err);
    if (rc != NOTICE_OK) return rc;
    if (uow_begin_row(db, "task", task_id, err) != 0) return NOTICE_ERR;
    int64_t draw_id = drawn_draw(db, task_id);
    if (!draw_id) rc = (set_err(err, "本任务尚未摇号抽取，不能出具检查通知书"), NOTICE_CONFLICT);
    json_t *missing = json_array(); /* the valid targets without a notice, in draw order */
    Stmt *st = rc == NOTICE_OK ? db_prepare(db, "SELECT t.target_code FROM draw_target t WHERE "
                                                "t.draw_id = ? AND t.status = '有效' AND NOT "
                                                "EXISTS (SELECT 1 FROM notice n WHERE n.draw_id = "
                                                "t.draw_id AND n.target_code = t.target_code) "
                                                "ORDER BY t.position")
                               : NULL;
    if (st && db_bind_va(st, "i", draw_id) == DB_OK)
        while (db_step(st) == DB_ROW)
            json_array_append_new(missing, json_string(db_col_text(st, 0)));
    db_finalize(st);
    /* the task's part of the text is read once for the whole batch */
    json_t *base =
        rc == NOTICE_OK && json_array_size(missing) ? notice_base(db, task_id, today) : NULL;
    if (rc == NOTICE_OK && json_array_size(missing) && !base)
        rc = (set_err(err, "任务不存在"), NOTICE_NOT_FOUND);
    size_t i;
    json_t *e;
    json_array_foreach(missing, i, e) {
        if (rc != NOTICE_OK) break;
        rc = insert_notice(db, who, base, task_id, org, draw_id, json_string_value(e), NULL, NULL,
                           today, NULL, err);
        if (rc == NOTICE_OK) ++*issued;
    }
    json_decref(base);
    json_decref(missing);
    if (rc == NOTICE_OK) {
        char a[64];
        snprintf(a, sizeof a, "{\"issued\":%lld}", (long long)*issued);
        if (uow_audit(db, who, "notice.issue_all", "task", task_id, org, NULL, a, err) != 0)
            rc = NOTICE_ERR;
    }
    if (!uow_end(db, rc == NOTICE_OK, err) && rc == NOTICE_OK) rc = NOTICE_ERR;
    if (rc != NOTICE_OK) *issued = 0;
    return rc;
}

/* A stored notice row (content, doc_no via content) as JSON: its content plus issued_by. */
static json_t *stored(Stmt *st) {
    json_t *n = json_loads(db_col_text(st, 0), 0, NULL);
    if (n) json_object_set_new(n, "sha256", json_string(db_col_text(st, 1)));
    return n;
}

json_t *notice_current(Db *db, int64_t task_id, const char *target) {
    int64_t draw_id = drawn_draw(db, task_id);
    Stmt *st = draw_id ? db_prepare(db, "SELECT content, sha256 FROM notice WHERE draw_id = ? AND "
                                        "target_code = ? ORDER BY id DESC LIMIT 1")
                       : NULL;
    json_t *n = NULL;
    if (st && db_bind_va(st, "it", draw_id, target) == DB_OK && db_step(st) == DB_ROW)
        n = stored(st);
    db_finalize(st);
    return n;
}

json_t *notice_list(Db *db, int64_t task_id, int64_t offset, int64_t limit) {
    int64_t draw_id = drawn_draw(db, task_id), total = 0, missing = 0;
    json_t *list = json_array();
    /* the newest notice of each target */
    const char *in_force = "FROM notice n WHERE n.draw_id = ? AND n.id = (SELECT max(m.id) FROM "
                           "notice m WHERE m.draw_id = n.draw_id AND m.target_code = "
                           "n.target_code)";
    char *sql = xasprintf("SELECT n.content, n.sha256 %s ORDER BY n.year, n.seq LIMIT ? OFFSET ?",
                          in_force),
         *count = xasprintf("SELECT count(*) %s", in_force);
    Stmt *st = draw_id ? db_prepare(db, sql) : NULL;
    if (st && db_bind_va(st, "iii", draw_id, limit, offset) == DB_OK)
        while (db_step(st) == DB_ROW) {
            json_t *n = stored(st);
            if (n) json_array_append_new(list, n);
        }
    db_finalize(st);
    if (draw_id && (db_query_int(db, &total, count, "i", draw_id) != DB_OK ||
                    db_query_int(db, &missing,
                                 "SELECT count(*) FROM draw_target t WHERE t.draw_id = ? AND "
                                 "t.status = '有效' AND NOT EXISTS (SELECT 1 FROM notice n WHERE "
                                 "n.draw_id = t.draw_id AND n.target_code = t.target_code)",
                                 "i", draw_id) != DB_OK))
        total = missing = 0; /* display only */
    free(sql);
    free(count);
    return json_pack("{s:o, s:I, s:I}", "notices", list, "total", (json_int_t)total, "missing",
                     (json_int_t)missing);
}
