/* task_joint.c - joint departments (联合抽查) of a task (task.h): naming them when the task
 * starts, the 2-working-day confirmation deadline and the state shown, the confirmation itself,
 * the gate in front of the draw (scheme published; every joint dept confirmed or past its
 * deadline) and the joint depts as JSON for task_json. Deadlines are counted on the current
 * calendar (task_calendar.c), so a provisional date becomes exact once the notice is loaded.
 * Writes run inside the caller's transaction. Callers: task.c, task_work.c, task_draw.c, the
 * pages. */
#include "task.h"
#include "task_impl.h"
#include "deadline.h"
#include "plan.h"

#include "../core/listcell.h"
#include "../core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int task_joint_deadline(const Calendar *cal, const char *named_on, char out[11]) {
    if (!cal) return CAL_UNKNOWN;
    return calendar_add_workdays(cal, named_on, TASK_JOINT_DAYS, out);
}

/* task_impl.h: the deadline as shown, counted on the current calendar. */
int task_joint_due(const Calendar *cal, const char *named_on, const char *stored, char out[11]) {
    int rc = cal && date_valid(named_on) ? task_joint_deadline(cal, named_on, out) : CAL_UNKNOWN;
    if (rc >= 0) return rc == CAL_PROVISIONAL;
    snprintf(out, 11, "%s", date_valid(stored) ? stored : "");
    return *out ? 0 : -1;
}

const char *task_joint_state(const char *status, const char *deadline, const char *confirmed_on,
                             const char *today) {
    if (str_eq(status, "已确认"))
        return deadline && confirmed_on && strcmp(confirmed_on, deadline) > 0 ? "逾期确认"
                                                                              : "已确认";
    if (!deadline) return "待确认（期限未知）";
    return today && strcmp(today, deadline) > 0 ? "已逾期" : "待确认";
}

int task_add_joints(Db *db, int64_t task_id, int64_t org_id, int64_t lead_id, const char *list,
                    const Calendar *cal, const char *today, char **err) {
    json_t *names = task_split_list(list);
    size_t i;
    json_t *n;
    int rc = TASK_OK;
    json_array_foreach(names, i, n) {
        int64_t d = task_dept_by_name(db, org_id, json_string_value(n));
        if (!d) {
            set_err(err, "联合科室「%s」不在科室与部门名录中，请先在名录中登记",
                    json_string_value(n));
            rc = TASK_CONFLICT;
            break;
        }
        if (d == lead_id) continue;
        char deadline[11];
        int have = task_joint_deadline(cal, today, deadline) >= 0; /* stored as counted today */
        if (db_exec(db,
                    "INSERT INTO task_joint(task_id, dept_id, named_on, deadline) VALUES (?,?,?,?) "
                    "ON CONFLICT DO NOTHING",
                    "iitt", task_id, d, today, have ? deadline : NULL)) {
            rc = task_dberr(db, err);
            break;
        }
    }
    json_decref(names);
    return rc;
}

/* ---- joint departments ---- */

static int draw_exists(Db *db, int64_t task_id, int64_t *n) {
    return db_query_int(
        db, n, "SELECT count(*) FROM draw d JOIN task t ON t.code = d.task_code WHERE t.id = ?",
        "i", task_id);
}

/* The item codes of list (a ',' list, LIST_CODES), each an enabled item of dept_id: their ','
 * join in *out; TASK_INVALID naming the first that is not. */
static int dept_items(Db *db, int64_t dept_id, const char *list, char **out, char **err) {
    char **codes;
    size_t n = list_split(list, LIST_CODES, &codes);
    Buf b;
    buf_init(&b);
    buf_puts(&b, "");
    int rc = TASK_OK;
    for (size_t i = 0; i < n && rc == TASK_OK; i++) {
        int64_t ok = 0;
        if (db_query_int(db, &ok,
                         "SELECT count(*) FROM item WHERE code = ? AND dept_id = ? AND status = "
                         "'启用'",
                         "ti", codes[i], dept_id) != DB_OK)
            rc = task_dberr(db, err);
        else if (!ok)
            rc = (set_err(err, "事项“%s”不是本部门在抽查事项清单中的启用事项", codes[i]),
                  TASK_INVALID);
        else {
            int seen = 0; /* each code once */
            for (size_t j = 0; j < i; j++)
                seen |= str_eq(codes[j], codes[i]);
            if (!seen) buf_printf(&b, "%s%s", b.len ? "," : "", codes[i]);
        }
    }
    list_free(codes, n);
    if (rc == TASK_OK)
        *out = buf_steal(&b);
    else
        buf_free(&b);
    return rc;
}

int task_joint_confirm(Db *db, int64_t task_id, int64_t dept_id, const char *item_codes,
                       const char *items_text, const char *today, const char *actor, char **err) {
    char *status = NULL;
    if (db_query_text(db, &status,
                      "SELECT status FROM task_joint WHERE task_id = ? AND dept_id = ?", "ii",
                      task_id, dept_id))
        return task_dberr(db, err);
    if (!status) return set_err(err, "本部门不是该任务的联合部门"), TASK_NOT_FOUND;
    int64_t drawn = 0;
    int rc = TASK_OK;
    if (draw_exists(db, task_id, &drawn))
        rc = task_dberr(db, err);
    else if (strcmp(status, "待确认"))
        rc = (set_err(err, "本部门已确认参加该任务"), TASK_CONFLICT);
    else if (drawn)
        rc = (set_err(err, "该任务已冻结抽取名单，不能再确认参加"), TASK_CONFLICT);
    else {
        char *items = task_trim_dup(items_text), *codes = NULL;
        rc = dept_items(db, dept_id, item_codes, &codes, err);
        if (rc == TASK_OK && !*codes && !*items)
            rc = (set_err(err, "请选择本部门的检查事项（或填写事项清单中没有的事项）"),
                  TASK_INVALID);
        if (rc == TASK_OK &&
            db_exec(db,
                    "UPDATE task_joint SET status = '已确认', confirmed_on = ?, confirmed_by = ?, "
                    "items_text = ?, item_codes = ? "
                    "WHERE task_id = ? AND dept_id = ?",
                    "ttttii", today, actor, items, codes, task_id, dept_id))
            rc = task_dberr(db, err);
        free(items);
        free(codes);
    }
    free(status);
    return rc;
}

/* ---- the gate in front of the draw ---- */

int task_draw_allowed(Db *db, int64_t task_id, const char *today, char **why) {
    char *status = task_scheme_status(db, task_id);
    if (!status) return set_err(why, "任务不存在"), 0;
    if (strcmp(status, "已公开")) {
        set_err(why,
                "实施方案尚未公开（当前状态：%"
                "s）：实施方案须经分管领导批准并向社会公开后，方可冻结名单和抽取",
                status);
        free(status);
        return 0;
    }
    free(status);
    int missing = task_scope_missing(db, task_id, why);
    if (missing) return missing < 0 ? -1 : 0;
    Stmt *st = db_prepare(db, "SELECT d.name, j.status, j.deadline, j.named_on FROM task_joint j "
                              "JOIN dept d ON d.id = j.dept_id "
                              "WHERE j.task_id = ? ORDER BY d.code");
    if (!st) return set_err(why, "%s", db_errmsg(db)), -1;
    db_bind_int(st, 1, task_id);
    Calendar *cal = task_calendar_load(db, NULL);
    int ok = 1;
    while (ok && db_step(st) == DB_ROW) {
        char due[11], shown[128];
        int prov = task_joint_due(cal, db_col_text(st, 3), db_col_text(st, 2), due);
        const char *state = task_joint_state(db_col_text(st, 1), *due ? due : NULL, NULL, today);
        if (!strcmp(state, "待确认") || !strcmp(state, "待确认（期限未知）")) {
            set_err(why, "联合部门「%s」尚未确认（确认期限：%s）：请待其确认或期限届满后再抽取",
                    db_col_text(st, 0), deadline_text(due, prov > 0, shown, sizeof shown));
            ok = 0;
        }
    }
    calendar_free(cal);
    db_finalize(st);
    return ok;
}

/* One joint dept of the task_joints_json query as JSON: its deadline on cal and its state today. */
static json_t *joint_row(Db *db, Stmt *st, const Calendar *cal, const char *today) {
    json_t *j = json_object();
    json_object_set_new(j, "dept_id", json_integer(db_col_int(st, 0)));
    task_set_text(j, "dept_code", db_col_text(st, 1));
    task_set_text(j, "dept_name", db_col_text(st, 2));
    task_set_text(j, "named_on", db_col_text(st, 3));
    char due[11];
    int prov = task_joint_due(cal, db_col_text(st, 3), db_col_text(st, 4), due);
    task_set_text(j, "deadline", *due ? due : "未知（超出节假日数据范围）");
    deadline_json_set(j, "deadline_text", "provisional", due, prov > 0);
    const char *state =
        task_joint_state(db_col_text(st, 5), *due ? due : NULL, db_col_text(st, 6), today);
    /* shown: 预计逾期 when the passed deadline is provisional (state stays the rule's word) */
    char *shown = prov > 0 && (!strcmp(state, "已逾期") || !strcmp(state, "逾期确认"))
                      ? xasprintf("预计%s", !strcmp(state, "已逾期") ? "逾期" : state)
                      : xstrdup(state);
    task_set_text(j, "state_label", shown);
    free(shown);
    task_set_text(j, "state", state);
    json_object_set_new(j, "overdue",
                        json_boolean(!strcmp(state, "已逾期") || !strcmp(state, "逾期确认")));
    json_object_set_new(j, "confirmed", json_boolean(!strcmp(db_col_text(st, 5), "已确认")));
    task_set_text(j, "confirmed_on", db_col_text(st, 6));
    task_set_text(j, "items_text", db_col_text(st, 7));
    /* its items from the item list, then what it wrote beside them: one line for notices */
    json_t *items = plan_items_named(db, db_col_text(st, 8));
    Buf line;
    buf_init(&line);
    buf_puts(&line, "");
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e) buf_printf(&line, "%s%s", line.len ? "；" : "",
                                               json_string_value(json_object_get(e, "name")));
    if (!str_empty(db_col_text(st, 7)))
        buf_printf(&line, "%s%s", line.len ? "；" : "", db_col_text(st, 7));
    json_object_set_new(j, "item_list", items);
    json_object_set_new(j, "items_line", json_string(line.data));
    buf_free(&line);
    json_object_set_new(j, "officers", task_officers_of(db, db_col_int(st, 0)));
    return j;
}

json_t *task_joints_json(Db *db, int64_t task_id, const char *today) {
    json_t *joints = json_array();
    Stmt *st = db_prepare(
        db,
        "SELECT j.dept_id, d.code, d.name, j.named_on, j.deadline, j.status, j.confirmed_on, "
        "j.items_text, j.item_codes "
        "FROM task_joint j JOIN dept d ON d.id = j.dept_id WHERE j.task_id = ? ORDER BY d.code");
    if (!st) return joints;
    db_bind_int(st, 1, task_id);
    Calendar *cal = task_calendar_load(db, NULL);
    while (db_step(st) == DB_ROW)
        json_array_append_new(joints, joint_row(db, st, cal, today));
    calendar_free(cal);
    db_finalize(st);
    return joints;
}
