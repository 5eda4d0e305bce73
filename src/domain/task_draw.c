/* task_draw.c - freeze and run a task's draw as units of work (see task_draw.h): the rules, one
 * transaction, the audit row. Callers: src/web/page_task_draw.c and api_task.c. */
#include "task_draw.h"

#include "../core/clock.h"
#include "../core/util.h"
#include "audit.h"
#include "draw_source.h"
#include "draw_store.h"
#include "draw_token.h"
#include "scope.h"
#include "task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int task_draw_gap_hours(void) {
    const char *s = getenv("SPOTCHECK_DRAW_GAP_HOURS");
    long h = s && *s ? strtol(s, NULL, 10) : DRAW_GAP_HOURS_DEFAULT;
    return h >= 1 && h <= 24 * 365 ? (int)h : DRAW_GAP_HOURS_DEFAULT;
}

/* The audit row of a draw step: the task's snapshot with `after` (stolen) merged in. */
static int audit(Db *db, const Actor *who, const char *action, int64_t task_id, json_t *after,
                 char **why) {
    char *snap = task_audit_snapshot(db, task_id), id[24];
    json_t *s = snap ? json_loads(snap, 0, NULL) : json_object();
    json_object_update(s, after);
    if (clock_overridden()) { /* a set clock (SPOTCHECK_TODAY) shows, with the wall clock's time */
        char now[CLOCK_NOW_LEN + 1], wall[CLOCK_NOW_LEN + 1];
        clock_now(now);
        time_t w = (time_t)clock_wall_epoch();
        struct tm tm;
        localtime_r(&w, &tm);
        strftime(wall, sizeof wall, "%Y-%m-%d %H:%M:%S", &tm);
        json_object_set_new(s, "clock_set",
                            json_pack("{s:s, s:s}", "clock", now, "wall_clock", wall));
    }
    char *text = json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS);
    snprintf(id, sizeof id, "%lld", (long long)task_id);
    const char *org = json_string_value(json_object_get(s, "org_id"));
    AuditEntry e = {.actor = who->username,
                    .org_id = org ? atoll(org) : who->org_id,
                    .action = action,
                    .entity = "task",
                    .entity_id = id,
                    .after = text,
                    .remote = who->remote};
    int rc = audit_append(db, &e, why);
    free(text);
    free(snap);
    json_decref(s);
    json_decref(after);
    return rc == DB_OK ? TASK_OK : TASK_ERR;
}

/* The code of task_id when `who` may act on it: a task of the actor's own org (scope.h; an upper
 * level oversees a lower level's draw, it does not hold it). *code is the caller's to free. */
static int task_of_actor(Db *db, const Actor *who, int64_t task_id, char **code, char **why) {
    int64_t org = 0;
    *code = NULL;
    if (db_query_int(db, &org, "SELECT org_id FROM task WHERE id = ?", "i", task_id) || !org)
        return set_err(why, "任务不存在"), TASK_NOT_FOUND;
    int where = scope_of(db, who->org_id, org);
    if (where == SCOPE_OUTSIDE)
        return set_err(why, "任务不存在或不在您的管辖范围内"), TASK_NOT_FOUND;
    if (where != SCOPE_WRITE)
        return set_err(why, "这是下级机构的任务：上级机构可以查阅和督查，不能代为办理抽取"),
               TASK_CONFLICT;
    if (db_query_text(db, code, "SELECT code FROM task WHERE id = ?", "i", task_id) != DB_OK)
        return set_err(why, "读取失败：%s", db_errmsg(db)), TASK_ERR;
    return *code ? TASK_OK : (set_err(why, "任务不存在"), TASK_NOT_FOUND);
}

/* Commits, or rolls back when rc is not TASK_OK; returns the final result. */
static int finish(Db *db, int rc, char **why) {
    if (rc == TASK_OK && db_commit(db) != DB_OK)
        rc = (set_err(why, "保存失败：%s", db_errmsg(db)), TASK_ERR);
    if (rc != TASK_OK) db_rollback(db);
    return rc;
}

static int from_store(int rc) {
    return rc == 0 ? TASK_OK : rc > 0 ? TASK_CONFLICT : TASK_ERR;
}

int task_draw_account(Db *db, const char *username, int64_t task_id, Actor *who, char **role,
                      char **why) {
    *role = NULL;
    int64_t org = 0, in_scope = 0;
    if (!username ||
        db_query_int(db, &org, "SELECT org_id FROM account WHERE username = ? AND status = '启用'",
                     "t", username) ||
        !org)
        return set_err(why, "须以本局启用的账号办理"), TASK_NOT_FOUND;
    /* the jurisdiction the pages apply: the account's org and the orgs below it */
    if (db_query_int(db, &in_scope,
                     "SELECT count(*) FROM task WHERE id = ? AND org_id IN (WITH RECURSIVE sc(id) "
                     "AS (SELECT ? UNION "
                     "SELECT o.id FROM org o JOIN sc ON o.parent_id = sc.id) SELECT id FROM sc)",
                     "ii", task_id, org) ||
        db_query_text(db, role, "SELECT role FROM account WHERE username = ?", "t", username))
        return set_err(why, "%s", db_errmsg(db)), TASK_ERR;
    if (!in_scope)
        return set_err(why, "账号 %s 无权办理该任务（不在其管辖范围内）", username), TASK_CONFLICT;
    *who = (Actor){.username = username, .org_id = org, .remote = NULL};
    return TASK_OK;
}

int task_draw_freeze(Db *db, const Actor *who, int64_t task_id, const json_t *sources, char **fsha,
                     char **why) {
    *fsha = NULL;
    char *code = NULL;
    int own = task_of_actor(db, who, task_id, &code, why);
    if (own != TASK_OK) return own;
    if (draw_store_begin(db, code, DRAW_HOLD_POPULATION, why)) {
        free(code);
        return TASK_ERR;
    }
    char today[11], frozen_at[26], *err = NULL, *declared = NULL;
    clock_today(today);
    clock_now_rfc3339(frozen_at);
    int rc = TASK_OK, ok = task_draw_allowed(db, task_id, today, why);
    json_t *params = NULL, *src = NULL;
    if (ok != 1)
        rc = ok < 0 ? TASK_ERR : TASK_CONFLICT;
    else if (!(params = task_draw_params(db, task_id, why)))
        rc = TASK_ERR;
    if (rc == TASK_OK && !sources) {
        if (db_query_text(db, &declared,
                          "SELECT randomness_sources FROM task_scheme WHERE task_id = ?", "i",
                          task_id) != DB_OK)
            rc = (set_err(why, "读取失败：%s", db_errmsg(db)), TASK_ERR);
        src = declared ? json_loads(declared, 0, NULL) : NULL;
        if (rc == TASK_OK && !json_array_size(src))
            rc = (set_err(why, "实施方案没有声明公开随机数来源（如福彩3D某期开奖号码、drand "
                               "轮次），不能冻结"),
                  TASK_CONFLICT);
    }
    if (rc == TASK_OK) {
        DrawFreezeReq req = {.task = code,
                             .date = today,
                             .sources = sources ? sources : src,
                             .gap_hours = task_draw_gap_hours(),
                             .now = clock_epoch(),
                             .frozen_at = frozen_at,
                             .params = params,
                             .by = who->username};
        rc = from_store(draw_store_freeze(db, &req, fsha, &err));
        if (rc != TASK_OK) set_err(why, "%s", err ? err : "冻结失败");
    }
    if (rc == TASK_OK)
        rc = audit(
            db, who, "task.draw.freeze", task_id,
            json_pack("{s:s, s:O}", "freeze_sha256", *fsha, "sources", sources ? sources : src),
            why);
    rc = finish(db, rc, why);
    if (rc != TASK_OK) {
        free(*fsha);
        *fsha = NULL;
    }
    json_decref(params);
    json_decref(src);
    free(declared);
    free(err);
    free(code);
    return rc;
}

int task_draw_run(Db *db, const Actor *who, int64_t task_id, const json_t *values,
                  const char *observers, json_t **summary, char **why) {
    *summary = NULL;
    char *code = NULL;
    int own = task_of_actor(db, who, task_id, &code, why);
    if (own != TASK_OK) return own;
    json_t *head = draw_store_summary(db, code);
    char drawn_at[26], *err = NULL;
    int have = head != NULL;
    json_decref(head);
    if (!have) {
        free(code);
        return set_err(why, "尚未冻结抽取名单：请先在任务页面冻结名单并发布公告，再进行摇号"),
               TASK_CONFLICT;
    }
    if (draw_store_begin(db, code, 0, why)) {
        free(code);
        return TASK_ERR;
    }
    clock_now_rfc3339(drawn_at);
    int rc = from_store(
        draw_store_run(db, code, values, clock_epoch(), drawn_at, who->username, summary, &err));
    if (rc != TASK_OK) set_err(why, "%s", err ? err : "抽取失败");
    int draw_no =
        (int)json_integer_value(json_object_get(json_object_get(*summary, "freeze"), "draw_no"));
    if (rc == TASK_OK && task_ceremony_record(db, task_id, draw_no, observers, who->username, why))
        rc = TASK_ERR;
    if (rc == TASK_OK)
        rc = audit(db, who, "task.draw.run", task_id,
                   json_pack("{s:O, s:s, s:O, s:i, s:s}", "values",
                             json_object_get(*summary, "values"), "drawn_at", drawn_at, "selected",
                             json_object_get(*summary, "selected_count"), "draw_no", draw_no,
                             "observers_present", observers ? observers : ""),
                   why);
    rc = finish(db, rc, why);
    if (rc != TASK_OK) {
        json_decref(*summary);
        *summary = NULL;
    }
    free(err);
    free(code);
    return rc;
}

int task_draw_dice(Db *db, const Actor *who, int64_t task_id, const json_t *values,
                   const char *observers, json_t **dice, char **why) {
    *dice = NULL;
    char *code = NULL;
    int own = task_of_actor(db, who, task_id, &code, why);
    if (own != TASK_OK) return own;
    if (draw_store_begin(db, code, 0, why)) {
        free(code);
        return TASK_ERR;
    }
    char at[26], *err = NULL;
    clock_now_rfc3339(at);
    int rc = from_store(
        draw_store_dice(db, code, values, clock_epoch(), at, who->username, observers, dice, &err));
    if (rc != TASK_OK) set_err(why, "%s", err ? err : "登记失败");
    if (rc == TASK_OK)
        rc = audit(db, who, "task.draw.dice", task_id,
                   json_pack("{s:O, s:s, s:s}", "values", json_object_get(*dice, "values"),
                             "recorded_at", at, "observers_present", observers ? observers : ""),
                   why);
    rc = finish(db, rc, why);
    if (rc != TASK_OK) {
        json_decref(*dice);
        *dice = NULL;
    }
    free(err);
    free(code);
    return rc;
}

/* ---- re-draw ---- */

int task_redraw_limit(void) {
    const char *s = getenv("SPOTCHECK_MAX_REDRAWS");
    long n = s && *s ? strtol(s, NULL, 10) : 1;
    return n >= 0 && n <= 20 ? (int)n : 1;
}

int task_redraw_request(Db *db, const Actor *who, int64_t task_id, const char *reason, char **why) {
    char *code = NULL;
    int own = task_of_actor(db, who, task_id, &code, why);
    if (own != TASK_OK) return own;
    if (str_empty(reason)) {
        free(code);
        return set_err(why, "重新抽取须说明原因"), TASK_INVALID;
    }
    if (draw_text_has_control(reason)) {
        free(code);
        return set_err(why, "重新抽取的原因不能含有换行等控制字符"), TASK_INVALID;
    }
    if (draw_store_begin(db, code, 0, why)) {
        free(code);
        return TASK_ERR;
    }
    int64_t pending = 0, drawn = 0, redraws = 0;
    int unread = 0;
    unread |=
        db_query_int(db, &pending,
                     "SELECT count(*) FROM task_redraw WHERE task_id = ? AND status = '待审批'",
                     "i", task_id) != DB_OK;
    unread |= db_query_int(db, &drawn,
                           "SELECT count(*) FROM draw WHERE task_code = ? AND status = '已抽取'",
                           "t", code) != DB_OK;
    unread |=
        db_query_int(db, &redraws, "SELECT count(*) FROM draw WHERE task_code = ? AND draw_no > 1",
                     "t", code) != DB_OK;
    int rc = TASK_OK;
    if (unread)
        rc = (set_err(why, "读取失败：%s", db_errmsg(db)), TASK_ERR);
    else if (!drawn)
        rc =
            (set_err(why, "当前抽取尚未进行：冻结的抽取须在随机数产生后按原来源抽取，不能重新抽取"),
             TASK_CONFLICT);
    else if (pending)
        rc = (set_err(why, "已有待审批的重新抽取申请"), TASK_CONFLICT);
    else if (redraws >= task_redraw_limit())
        rc = (set_err(why, "本任务已重新抽取 %lld 次，达到上限（%d 次）", (long long)redraws,
                      task_redraw_limit()),
              TASK_CONFLICT);
    else if (db_exec(db,
                     "INSERT INTO task_redraw(task_id, reason, requested_by, requested_at) VALUES "
                     "(?,?,?,?)",
                     "ittt", task_id, reason, who->username, clock_stamp().s))
        rc = (set_err(why, "保存失败：%s", db_errmsg(db)), TASK_ERR);
    if (rc == TASK_OK)
        rc = audit(db, who, "task.redraw.request", task_id,
                   json_pack("{s:s}", "redraw_reason", reason), why);
    free(code);
    return finish(db, rc, why);
}

int task_redraw_approve(Db *db, const Actor *who, int64_t task_id, const json_t *sources,
                        char **fsha, char **why) {
    *fsha = NULL;
    char *code = NULL;
    int own = task_of_actor(db, who, task_id, &code, why);
    if (own != TASK_OK) return own;
    if (!json_array_size(sources)) {
        free(code);
        return set_err(why, "批准重新抽取须同时声明新的公开随机数来源（如更晚一期的开奖号码）"),
               TASK_INVALID;
    }
    if (draw_store_begin(db, code, DRAW_HOLD_POPULATION | DRAW_HOLD_RECORDS, why)) {
        free(code);
        return TASK_ERR;
    }
    int64_t rid = 0;
    char *reason = NULL, *name = NULL, *err = NULL, today[11], frozen_at[26];
    clock_today(today);
    clock_now_rfc3339(frozen_at);
    int unread = 0;
    unread |= db_query_int(db, &rid,
                           "SELECT id FROM task_redraw WHERE task_id = ? AND status = '待审批' "
                           "ORDER BY id DESC LIMIT 1",
                           "i", task_id) != DB_OK;
    if (rid)
        unread |= db_query_text(db, &reason, "SELECT reason FROM task_redraw WHERE id = ?", "i",
                                rid) != DB_OK;
    unread |= db_query_text(db, &name, "SELECT display_name FROM account WHERE username = ?", "t",
                            who->username) != DB_OK;
    int rc = TASK_OK;
    if (unread)
        rc = (set_err(why, "读取失败：%s", db_errmsg(db)), TASK_ERR);
    else if (!rid)
        rc = (set_err(why, "没有待审批的重新抽取申请"), TASK_CONFLICT);
    else {
        /* the approver is the acting account, never a typed name */
        char *approver = xasprintf("%s（%s）", name ? name : who->username, who->username);
        DrawFreezeReq req = {.task = code,
                             .date = today,
                             .sources = sources,
                             .gap_hours = task_draw_gap_hours(),
                             .now = clock_epoch(),
                             .frozen_at = frozen_at,
                             .params = NULL,
                             .by = who->username,
                             .redraw_reason = reason,
                             .redraw_approver = approver};
        rc = from_store(draw_store_freeze(db, &req, fsha, &err));
        if (rc != TASK_OK) set_err(why, "%s", err ? err : "重新抽取失败");
        free(approver);
    }
    if (rc == TASK_OK &&
        db_exec(
            db,
            "UPDATE task_redraw SET status = '已批准', decided_at = ?, decided_by = ? WHERE id = ?",
            "tti", clock_stamp().s, who->username, rid))
        rc = (set_err(why, "保存失败：%s", db_errmsg(db)), TASK_ERR);
    if (rc == TASK_OK)
        rc = audit(db, who, "task.redraw.approve", task_id,
                   json_pack("{s:s, s:I, s:O}", "freeze_sha256", *fsha, "redraw_request",
                             (json_int_t)rid, "sources", sources),
                   why);
    rc = finish(db, rc, why);
    if (rc != TASK_OK) {
        free(*fsha);
        *fsha = NULL;
    }
    free(reason);
    free(name);
    free(err);
    free(code);
    return rc;
}

/* ---- substitution: request, then the leader's decision ---- */

const char *const task_substitution_reasons[] = {"新发现的利害关系",   "因病", "公务冲突", "离岗",
                                                 "对象注销或无法检查", "其他", NULL};

static int reason_known(const char *code) {
    for (size_t i = 0; task_substitution_reasons[i]; i++)
        if (str_eq(code, task_substitution_reasons[i])) return 1;
    return 0;
}

/* The code of the current member of target's group whose name is `name` (officer or expert), when
 * exactly one has it; NULL otherwise (no such name, or two of the same name: the number decides).
 */
static char *member_by_name(Db *db, int64_t draw_id, const char *target, const char *name) {
    Stmt *st = db_prepare(
        db,
        "SELECT m.member_code FROM draw_member m LEFT JOIN officer o ON o.cert_no = m.member_code "
        "LEFT JOIN expert e ON e.code = m.member_code WHERE m.draw_id = ? AND m.target_code = ? "
        "AND m.status = '在组' AND (o.name = ? OR e.name = ?)");
    if (!st) return NULL;
    db_bind_int(st, 1, draw_id);
    db_bind_text(st, 2, target);
    db_bind_text(st, 3, name);
    db_bind_text(st, 4, name);
    char *code = NULL;
    int n = 0;
    while (db_step(st) == DB_ROW && ++n == 1)
        code = xstrdup(db_col_text(st, 0));
    db_finalize(st);
    if (n != 1) {
        free(code);
        code = NULL;
    }
    return code;
}

int task_substitute_request(Db *db, const Actor *who, int64_t task_id, const char *type,
                            const char *target, const char *officer, const char *reason_code,
                            const char *reason_text, int64_t *req_id, char **why) {
    *req_id = 0;
    char *code = NULL;
    int own = task_of_actor(db, who, task_id, &code, why);
    if (own != TASK_OK) return own;
    int is_officer = str_eq(type, "officer");
    int rc = TASK_OK;
    if (!is_officer && !str_eq(type, "target"))
        rc = (set_err(why, "请选择递补类型（执法人员或检查对象）"), TASK_INVALID);
    else if (str_empty(target))
        rc = (set_err(why, "请选择检查对象"), TASK_INVALID);
    else if (is_officer && str_empty(officer))
        rc = (set_err(why, "请填写或选择需要递补的执法人员（执法证号或姓名）"), TASK_INVALID);
    else if (!reason_known(reason_code))
        rc = (set_err(why, "请选择递补原因（新发现的利害关系、因病、公务冲突、离岗、对象注销或无法"
                           "检查、其他）"),
              TASK_INVALID);
    else if (str_empty(reason_text))
        rc = (set_err(why, "请说明递补的具体情况"), TASK_INVALID);
    else if (draw_text_has_control(reason_text) || draw_text_has_control(target) ||
             draw_text_has_control(officer))
        rc = (set_err(why, "递补原因、检查对象和执法证号不能含有换行、制表符等控制字符（它们会写入"
                           "公开的抽取记录）"),
              TASK_INVALID);
    if (rc != TASK_OK) {
        free(code);
        return rc;
    }
    if (draw_store_begin(db, code, 0, why)) {
        free(code);
        return TASK_ERR;
    }
    int64_t draw_id = 0, in_group = 0, pending = 0;
    int unread = 0;
    unread |=
        db_query_int(db, &draw_id, "SELECT id FROM draw WHERE task_code = ? AND status = '已抽取'",
                     "t", code) != DB_OK;
    /* an insured person named by the token the draw's files and record show for them */
    char *by_token =
        draw_id && draw_token_shaped(target) ? draw_token_target(db, draw_id, target) : NULL;
    if (by_token) target = by_token;
    char *by_name = is_officer ? member_by_name(db, draw_id, target, officer) : NULL;
    if (by_name)
        officer = by_name; /* a name typed instead of the certificate number: the one member of that
                              name */
    unread |= db_query_int(db, &in_group,
                           is_officer ? "SELECT count(*) FROM draw_member WHERE draw_id = ? AND "
                                        "target_code = ? AND member_code = ? AND status = '在组'"
                                      : "SELECT count(*) FROM draw_target WHERE draw_id = ? AND "
                                        "target_code = ? AND status = '有效' AND ? IS NULL",
                           "itt", draw_id, target, is_officer ? officer : NULL) != DB_OK;
    unread |= db_query_int(db, &pending,
                           "SELECT count(*) FROM draw_substitution WHERE draw_id = ? AND status = "
                           "'待审批' AND target_code = ? "
                           "AND coalesce(member_code, '') = ?",
                           "itt", draw_id, target, is_officer ? officer : "") != DB_OK;
    if (unread)
        rc = (set_err(why, "读取失败：%s", db_errmsg(db)), TASK_ERR);
    else if (!draw_id)
        rc = (set_err(why, "该任务尚未抽取，不能递补"), TASK_CONFLICT);
    else if (!in_group)
        rc = (set_err(why,
                      is_officer ? "执法人员 %s 不在检查对象 %s 的检查组中"
                                 : "检查对象 %s 不在本次抽取的有效结果中",
                      is_officer ? officer : target, target),
              TASK_INVALID);
    else if (pending)
        rc = (set_err(why, "同一递补已在等待审批"), TASK_CONFLICT);
    else if (db_exec(db,
                     "INSERT INTO draw_substitution(task_id, draw_id, type, target_code, "
                     "member_code, reason_code, reason_text, "
                     "requested_at, requested_by) VALUES (?,?,?,?,?,?,?,?,?)",
                     "iittttttt", task_id, draw_id, type, target, is_officer ? officer : NULL,
                     reason_code, reason_text, clock_stamp().s, who->username))
        rc = (set_err(why, "保存失败：%s", db_errmsg(db)), TASK_ERR);
    if (rc == TASK_OK) {
        *req_id = db_last_id(db);
        rc = audit(db, who, "task.draw.substitute.request", task_id,
                   json_pack("{s:I, s:s, s:s, s:s?, s:s, s:s}", "substitution", (json_int_t)*req_id,
                             "type", type, "target", target, "officer", is_officer ? officer : NULL,
                             "reason_code", reason_code, "reason_text", reason_text),
                   why);
    }
    free(code);
    free(by_name);
    free(by_token);
    return finish(db, rc, why);
}

json_t *task_substitutions_list(Db *db, const char *code, int public_view) {
    json_t *a = json_array();
    Stmt *st = db_prepare(
        db,
        "SELECT s.id, s.type, s.target_code, coalesce(s.member_code, ''), s.reason_code, "
        "s.reason_text, s.status, "
        "s.requested_at, s.requested_by, coalesce(s.decided_at, ''), coalesce(s.decided_by, ''), "
        "coalesce(s.opinion, ''), (SELECT k.token FROM draw_token k WHERE k.draw_id = s.draw_id "
        "AND k.target_code = s.target_code) "
        "FROM draw_substitution s JOIN draw d ON d.id = s.draw_id "
        "WHERE d.task_code = ? AND d.status <> '已作废' ORDER BY s.id");
    if (!st) return a;
    db_bind_text(st, 1, code);
    while (db_step(st) == DB_ROW) {
        int pending = str_eq(db_col_text(st, 6), "待审批");
        if (public_view && pending) continue;
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "sid",
                              (json_int_t)db_col_int(st, 0), "type",
                              str_eq(db_col_text(st, 1), "officer") ? "执法人员" : "检查对象",
                              "target", db_col_text(st, 2), "officer", db_col_text(st, 3),
                              "reason_code", db_col_text(st, 4), "reason_text", db_col_text(st, 5),
                              "status", db_col_text(st, 6), "requested_at", db_col_text(st, 7),
                              "decided_at", db_col_text(st, 9), "pending", pending, "approved",
                              str_eq(db_col_text(st, 6), "已批准"));
        if (public_view && !db_col_is_null(st, 12)) /* an insured person: the draw's token */
            json_object_set_new(o, "target", json_string(db_col_text(st, 12)));
        if (!public_view) {
            json_object_set_new(o, "requested_by", json_string(db_col_text(st, 8)));
            json_object_set_new(o, "decided_by", json_string(db_col_text(st, 10)));
            json_object_set_new(o, "opinion", json_string(db_col_text(st, 11)));
        }
        json_array_append_new(a, o);
    }
    db_finalize(st);
    return a;
}

int task_substitute_decide(Db *db, const Actor *who, int64_t task_id, int64_t req_id, int approve,
                           const char *opinion, json_t **event, char **why) {
    *event = NULL;
    char *code = NULL;
    int own = task_of_actor(db, who, task_id, &code, why);
    if (own != TASK_OK) return own;
    if (!approve && str_empty(opinion)) {
        free(code);
        return set_err(why, "驳回须填写意见"), TASK_INVALID;
    }
    if (draw_store_begin(db, code, approve ? DRAW_HOLD_RECORDS : 0, why)) {
        free(code);
        return TASK_ERR;
    }
    /* A request names members of one draw; after a re-draw it no longer applies (the new groups
     * differ). */
    Stmt *st = db_prepare(
        db, "SELECT s.type, s.target_code, s.member_code, s.reason_code, s.reason_text, s.status, "
            "d.status = '已抽取' AND d.task_code = ? FROM draw_substitution s JOIN draw d ON d.id "
            "= s.draw_id "
            "WHERE s.id = ? AND s.task_id = ?");
    int rc = st ? TASK_OK : TASK_ERR;
    char *type = NULL, *target = NULL, *officer = NULL, *reason = NULL, *err = NULL;
    if (st) {
        db_bind_text(st, 1, code);
        db_bind_int(st, 2, req_id);
        db_bind_int(st, 3, task_id);
        if (db_step(st) != DB_ROW)
            rc = (set_err(why, "递补申请不存在"), TASK_NOT_FOUND);
        else if (!str_eq(db_col_text(st, 5), "待审批"))
            rc = (set_err(why, "该递补申请已审批（%s）", db_col_text(st, 5)), TASK_CONFLICT);
        else if (approve && !db_col_int(st, 6))
            rc = (set_err(
                      why,
                      "该递补申请针对的抽取已被重新抽取作废，不能批准；请按新的抽取结果重新申请"),
                  TASK_CONFLICT);
        else {
            type = xstrdup(db_col_text(st, 0));
            target = xstrdup(db_col_text(st, 1));
            officer = db_col_text(st, 2) ? xstrdup(db_col_text(st, 2)) : NULL;
            reason = xasprintf("%s：%s", db_col_text(st, 3), db_col_text(st, 4));
        }
        db_finalize(st);
    } else
        set_err(why, "%s", db_errmsg(db));
    int64_t seq = 0;
    if (rc == TASK_OK && approve) {
        rc = from_store(draw_store_substitute(db, code, type, target, officer, reason,
                                              who->username, event, &err));
        if (rc != TASK_OK)
            set_err(why, "%s", err ? err : "递补失败");
        else if (db_query_int(db, &seq,
                              "SELECT max(e.seq) FROM draw_event e JOIN draw d ON d.id = e.draw_id "
                              "WHERE d.task_code = ? "
                              "AND d.status = '已抽取'",
                              "t", code) != DB_OK)
            rc = (set_err(why, "读取失败：%s", db_errmsg(db)), TASK_ERR);
    }
    if (rc == TASK_OK && db_exec(db,
                                 "UPDATE draw_substitution SET status = ?, decided_at = ?, "
                                 "decided_by = ?, opinion = ?, event_seq = nullif(?, 0) "
                                 "WHERE id = ?",
                                 "ttttii", approve ? "已批准" : "已驳回", clock_stamp().s,
                                 who->username, str_empty(opinion) ? NULL : opinion, seq, req_id))
        rc = (set_err(why, "保存失败：%s", db_errmsg(db)), TASK_ERR);
    if (rc == TASK_OK)
        rc = audit(db, who, approve ? "task.draw.substitute" : "task.draw.substitute.reject",
                   task_id,
                   json_pack("{s:I, s:O, s:s?}", "substitution", (json_int_t)req_id, "event",
                             *event ? *event : json_null(), "opinion",
                             str_empty(opinion) ? NULL : opinion),
                   why);
    rc = finish(db, rc, why);
    if (rc != TASK_OK) {
        json_decref(*event);
        *event = NULL;
    }
    free(type), free(target), free(officer), free(reason), free(err), free(code);
    return rc;
}

/* ---- recusal (回避) before the freeze ---- */

int task_conflict_declare(Db *db, const Actor *who, int64_t task_id, const char *officer,
                          const char *target, const char *reason, int64_t *id, char **why) {
    *id = 0;
    char *code = NULL;
    int own = task_of_actor(db, who, task_id, &code, why);
    if (own != TASK_OK) return own;
    int bad = 1;
    if (str_empty(officer))
        set_err(why, "请填写须回避的执法人员的执法证号");
    else if (str_empty(target))
        set_err(why, "请填写检查对象编码");
    else if (str_empty(reason))
        set_err(why, "请说明回避原因（利害关系）");
    else if (draw_text_has_control(officer) || draw_text_has_control(target) ||
             draw_text_has_control(reason))
        set_err(why, "执法证号、对象编码和回避原因不能含控制字符");
    else if (strlen(reason) > 600)
        set_err(why, "回避原因不能超过 200 字");
    else
        bad = 0;
    /* the freeze reads the declared conflicts under the task's lock: so is one declared */
    if (!bad && draw_store_begin(db, code, 0, why)) bad = -1;
    free(code);
    if (bad) return bad < 0 ? TASK_ERR : TASK_INVALID;
    int64_t drawn = 0, is_officer = 0, is_target = 0, dup = 0;
    int rc = TASK_OK;
    if (db_query_int(
            db, &drawn,
            "SELECT count(*) FROM draw d JOIN task t ON t.code = d.task_code WHERE t.id = ?", "i",
            task_id) ||
        db_query_int(db, &is_officer,
                     "SELECT count(*) FROM officer f JOIN task t ON t.id = ? WHERE f.cert_no = ? "
                     "AND f.org_id IN (WITH RECURSIVE "
                     "sc(id) AS (SELECT t2.org_id FROM task t2 WHERE t2.id = ? UNION SELECT o.id "
                     "FROM org o JOIN sc ON o.parent_id = sc.id) "
                     "SELECT id FROM sc)",
                     "iti", task_id, officer, task_id) ||
        db_query_int(db, &is_target,
                     "SELECT count(*) FROM target g JOIN task t ON t.id = ? WHERE g.code = ? AND "
                     "g.org_id IN (WITH RECURSIVE "
                     "sc(id) AS (SELECT t2.org_id FROM task t2 WHERE t2.id = ? UNION SELECT o.id "
                     "FROM org o JOIN sc ON o.parent_id = sc.id) "
                     "SELECT id FROM sc)",
                     "iti", task_id, target, task_id) ||
        db_query_int(db, &dup,
                     "SELECT count(*) FROM task_conflict WHERE task_id = ? AND officer_cert = ? "
                     "AND target_code = ?",
                     "itt", task_id, officer, target))
        rc = (set_err(why, "%s", db_errmsg(db)), TASK_ERR);
    else if (drawn)
        rc = (set_err(why, "名单已冻结，回避须在冻结前申报；冻结后发现的利害关系请申请递补（原因："
                           "新发现的利害关系），经分管领导批准"),
              TASK_CONFLICT);
    else if (!is_officer)
        rc = (set_err(why, "本任务辖区的执法人员名录中没有执法证号 %s", officer), TASK_INVALID);
    else if (!is_target)
        rc = (set_err(why, "本任务辖区的检查对象名录中没有编码 %s", target), TASK_INVALID);
    else if (dup)
        rc = (set_err(why, "该执法人员与该检查对象的回避已申报"), TASK_CONFLICT);
    else if (db_exec(db,
                     "INSERT INTO task_conflict(task_id, officer_cert, target_code, reason, "
                     "declared_at, declared_by) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     "ittttt", task_id, officer, target, reason, clock_stamp().s,
                     who->username) != DB_OK)
        rc = (set_err(why, "保存失败：%s", db_errmsg(db)), TASK_ERR);
    else {
        *id = db_last_id(db);
        rc = audit(db, who, "task.conflict.declare", task_id,
                   json_pack("{s:I, s:s, s:s, s:s}", "conflict", (json_int_t)*id, "officer",
                             officer, "target", target, "reason", reason),
                   why);
    }
    return finish(db, rc, why);
}

json_t *task_conflicts_list(Db *db, int64_t task_id) {
    json_t *a = json_array();
    Stmt *st = db_prepare(
        db, "SELECT c.id, c.officer_cert, coalesce(o.name, ''), c.target_code, coalesce(g.name, "
            "''), c.reason, "
            "c.declared_at, c.declared_by FROM task_conflict c LEFT JOIN officer o ON o.cert_no = "
            "c.officer_cert "
            "LEFT JOIN target g ON g.code = c.target_code WHERE c.task_id = ? ORDER BY c.id");
    if (!st) return a;
    db_bind_int(st, 1, task_id);
    while (db_step(st) == DB_ROW)
        json_array_append_new(
            a, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
                         (json_int_t)db_col_int(st, 0), "officer", db_col_text(st, 1),
                         "officer_name", db_col_text(st, 2), "target", db_col_text(st, 3),
                         "target_name", db_col_text(st, 4), "reason", db_col_text(st, 5),
                         "declared_at", db_col_text(st, 6), "declared_by", db_col_text(st, 7)));
    db_finalize(st);
    return a;
}
