/* page_task_people.c - the pages of people outside the lead department: a joint department's
 * tasks with its confirmation (deadline shown, overdue flagged) and its own items, and an
 * officer's own groups and targets (a phone-friendly list) with their inspection notices.
 * A joint user works for user.dept_id; an officer user is user.officer_id. Accounts without that
 * link see an explanation, not an error. */
#include "../core/clock.h"
#include "../domain/task.h"
#include "../domain/codes.h"
#include "task_web.h"

#include <stdlib.h>
#include <string.h>

static int64_t user_link(Req *r, const char *column) {
    int64_t v = 0;
    char *sql = xasprintf("SELECT coalesce(%s, 0) FROM user WHERE id = ?", column); /* column is one of two literals */
    db_query_int(r->db, &v, sql, "i", (int64_t)r->sess->user_id);
    free(sql);
    return v;
}

/* ---- joint departments ---- */

void page_joint_list(Req *r) {
    int64_t dept = user_link(r, "dept_id");
    char today[11];
    clock_today(today);
    json_t *tasks = json_array();
    char *dept_name = NULL;
    if (dept) {
        db_query_text(r->db, &dept_name, "SELECT name FROM dept WHERE id = ?", "i", dept);
        Stmt *st = db_prepare(r->db, "SELECT task_id FROM task_joint WHERE dept_id = ? ORDER BY task_id DESC");
        if (st) {
            db_bind_int(st, 1, dept);
            while (db_step(st) == DB_ROW) {
                json_t *t = task_json(r->db, db_col_int(st, 0), today), *j, *mine = NULL;
                size_t i;
                if (!t) continue;
                json_array_foreach(json_object_get(t, "joints"), i, j) if (json_integer_value(json_object_get(j, "dept_id")) == dept) mine = j;
                if (mine) json_object_set(t, "mine", mine);
                json_array_append_new(tasks, t);
            }
            db_finalize(st);
        }
    }
    json_t *ctx = json_pack("{s:o, s:b, s:s, s:s}", "tasks", tasks, "linked", dept != 0, "dept_name", dept_name ? dept_name : "",
                            "today", today);
    free(dept_name);
    web_page(r, "task_joint", "联合抽查", ctx);
}

int task_web_joint_confirm(Req *r, long long id, const char *items, int64_t *dept_out, char **msg) {
    int64_t dept = *dept_out = user_link(r, "dept_id");
    char today[11];
    clock_today(today);
    int rc = TASK_ERR;
    if (!dept) rc = TASK_NOT_FOUND, set_err(msg, "您的账号未关联部门，请联系系统管理员");
    else if (!id) rc = TASK_NOT_FOUND, set_err(msg, "任务不存在");
    else if (db_begin(r->db) != DB_OK) set_err(msg, "数据库忙，请稍后重试");
    else {
        rc = task_joint_confirm(r->db, id, dept, items, today, r->sess->username, msg);
        if (rc == TASK_OK) {
            char org[24];
            int64_t o = 0;
            db_query_int(r->db, &o, "SELECT org_id FROM task WHERE id = ?", "i", (int64_t)id);
            snprintf(org, sizeof org, "%lld", (long long)o);
            json_t *a = json_pack("{s:I, s:s, s:s, s:s}", "dept_id", (json_int_t)dept, "items_text", items ? items : "", "confirmed_on",
                                  today, "org_id", org);
            char *after = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
            json_decref(a);
            if (web_audit(r, "task.joint.confirm", "task", id, NULL, after) != DB_OK || db_commit(r->db) != DB_OK)
                rc = TASK_ERR, set_err(msg, "保存失败");
            free(after);
        }
        if (rc != TASK_OK) db_rollback(r->db);
    }
    return rc == TASK_OK ? 0 : rc == TASK_NOT_FOUND ? 404 : rc == TASK_CONFLICT ? 409 : 500;
}

void page_joint_confirm(Req *r) {
    long long id = task_web_parse_id(web_param(r, "id"));
    char *items = web_form(r, "items_text"), *msg = NULL;
    int64_t dept = 0;
    int status = task_web_joint_confirm(r, id, items, &dept, &msg);
    if (!status) web_redirect(r, "/joint?ok=saved");
    else web_error(r, status, "joint_confirm", msg ? msg : "确认失败");
    free(items);
    free(msg);
}

/* ---- officers ---- */

static char *my_cert(Req *r) {
    int64_t oid = user_link(r, "officer_id");
    char *cert = NULL;
    if (oid) db_query_text(r->db, &cert, "SELECT cert_no FROM officer WHERE id = ?", "i", oid);
    return cert;
}

void page_my_groups(Req *r) {
    char *cert = my_cert(r);
    json_t *groups = json_array();
    if (cert) {
        Stmt *st = db_prepare(r->db, "SELECT t.id, t.code, t.name, m.target_code, m.role, m.draw_id, coalesce(g.name, m.target_code), "
                                     "g.kind, g.address, s.period, s.method FROM draw_member m JOIN draw d ON d.id = m.draw_id "
                                     "JOIN task t ON t.code = d.task_code JOIN task_scheme s ON s.task_id = t.id "
                                     "JOIN draw_target dt ON dt.draw_id = d.id AND dt.target_code = m.target_code "
                                     "LEFT JOIN target g ON g.code = m.target_code "
                                     "WHERE m.member_code = ? AND m.status = '在组' AND d.status = '已抽取' AND dt.status = '有效' "
                                     "ORDER BY t.id DESC, dt.position");
        if (st) {
            db_bind_text(st, 1, cert);
            while (db_step(st) == DB_ROW) {
                json_t *members = json_array();
                Stmt *ms = db_prepare(r->db, "SELECT m.member_code, m.role, coalesce(o.name, e.name, m.member_code), o.phone "
                                             "FROM draw_member m LEFT JOIN officer o ON o.cert_no = m.member_code "
                                             "LEFT JOIN expert e ON e.code = m.member_code "
                                             "WHERE m.draw_id = ? AND m.target_code = ? AND m.status = '在组' ORDER BY m.role <> '组长', m.member_code");
                if (ms) {
                    db_bind_int(ms, 1, db_col_int(st, 5));
                    db_bind_text(ms, 2, db_col_text(st, 3));
                    while (db_step(ms) == DB_ROW) {
                        json_t *m = json_pack("{s:s, s:s, s:s, s:b}", "cert_no", db_col_text(ms, 0), "role", db_col_text(ms, 1), "name",
                                              db_col_text(ms, 2), "me", !strcmp(db_col_text(ms, 0), cert));
                        if (db_col_text(ms, 3)) { /* personal data: masked like everywhere */
                            char *ph = mask_phone(db_col_text(ms, 3));
                            json_object_set_new(m, "phone", json_string(ph));
                            free(ph);
                        }
                        json_array_append_new(members, m);
                    }
                    db_finalize(ms);
                }
                int insured = str_eq(db_col_text(st, 7), "insured");
                json_t *g = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "task_id", (json_int_t)db_col_int(st, 0), "code",
                                      db_col_text(st, 1), "task_name", db_col_text(st, 2), "target", db_col_text(st, 3), "role",
                                      db_col_text(st, 4), "target_name", db_col_text(st, 6), "members", members, "period",
                                      db_col_text(st, 9), "method", db_col_text(st, 10));
                if (!insured && db_col_text(st, 8)) json_object_set_new(g, "address", json_string(db_col_text(st, 8)));
                json_array_append_new(groups, g);
            }
            db_finalize(st);
        }
    }
    json_t *ctx = json_pack("{s:o, s:b, s:s}", "groups", groups, "linked", cert != NULL, "cert_no", cert ? cert : "");
    free(cert);
    web_page(r, "task_mine", "我的检查任务", ctx);
}

void page_my_notice(Req *r) {
    char *cert = my_cert(r);
    long long id = task_web_parse_id(web_param(r, "id"));
    if (!cert || !id) web_error(r, 404, "not_found", "该检查对象不在您的检查组中");
    else task_web_notice(r, id, web_param(r, "target"), cert);
    free(cert);
}
