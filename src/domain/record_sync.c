/* record_sync.c - creates the records of a task's current draw (record_sync_task, record.h): one
 * per valid drawn target, with the task's items and each confirmed joint dept's own items.
 * Idempotent; runs inside the caller's transaction. Called by the record pages and units of work
 * before they list records. */
#include "../core/clock.h"
#include "plan.h"
#include "record_impl.h"

#include "../core/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct Item {
    int64_t dept_id;
    char *dept_name, *code, *name;
} Item;

static void item_add(Item **v, size_t *n, size_t *cap, int64_t dept_id, const char *dept,
                     const char *code, const char *name) {
    if (*n == *cap) *v = xrealloc(*v, (*cap = *cap ? *cap * 2 : 8) * sizeof **v);
    (*v)[(*n)++] =
        (Item){dept_id, xstrdup(dept ? dept : ""), code ? xstrdup(code) : NULL, xstrdup(name)};
}

/* Splits a joint dept's items text on new lines, 、 ， ； and ';'. */
static void joint_items(const char *text, int64_t dept_id, const char *dept, Item **v, size_t *n,
                        size_t *cap) {
    const char *seps[] = {"\n", "、", "；", ";", "\r"};
    const char *p = text ? text : "";
    while (*p) {
        const char *e = p;
        size_t sl = 0;
        for (; *e; e++) {
            for (size_t k = 0; k < ARRAY_LEN(seps) && !sl; k++)
                if (!strncmp(e, seps[k], strlen(seps[k]))) sl = strlen(seps[k]);
            if (sl) break;
        }
        char *t = str_trim(xstrndup(p, (size_t)(e - p)));
        if (*t) item_add(v, n, cap, dept_id, dept, NULL, t);
        free(t);
        p = e + sl;
    }
}

int record_sync_task(Db *db, int64_t task_id, int *created, char **err) {
    if (created) *created = 0;
    char *code = NULL, *item_codes = NULL, *lead_name = NULL;
    int64_t org = 0, lead = 0, draw_id = 0;
    int rc = REC_OK;
    Stmt *st = db_prepare(
        db,
        "SELECT t.code, t.item_codes, t.org_id, coalesce(t.lead_dept_id, 0), d.name FROM task t "
        "LEFT JOIN dept d ON d.id = t.lead_dept_id WHERE t.id = ?");
    if (!st) return rec_fail_db(db, err);
    db_bind_int(st, 1, task_id);
    if (db_step(st) == DB_ROW) {
        code = xstrdup(db_col_text(st, 0));
        item_codes = xstrdup(db_col_text(st, 1));
        org = db_col_int(st, 2);
        lead = db_col_int(st, 3);
        lead_name = xstrdup(db_col_text(st, 4) ? db_col_text(st, 4) : "");
    }
    db_finalize(st);
    if (!code) return set_err(err, "任务不存在"), REC_NOT_FOUND;
    if (db_query_int(db, &draw_id, "SELECT id FROM draw WHERE task_code = ? AND status = '已抽取'",
                     "t", code) != DB_OK)
        rc = rec_fail_db(db, err); /* draw_id stays 0: no record is created */
    Item *items = NULL;
    size_t nitems = 0, cap = 0;
    if (draw_id) {
        json_t *cj = json_string(item_codes);
        size_t nc = 0;
        char **codes = rec_strv_from(cj, &nc);
        json_decref(cj);
        for (size_t i = 0; i < nc; i++) {
            Stmt *is = db_prepare(db, "SELECT i.name, i.dept_id, d.name FROM item i JOIN dept d ON "
                                      "d.id = i.dept_id WHERE i.code = ?");
            int found = 0;
            if (is) {
                db_bind_text(is, 1, codes[i]);
                if (db_step(is) == DB_ROW)
                    found = 1, item_add(&items, &nitems, &cap, db_col_int(is, 1),
                                        db_col_text(is, 2), codes[i], db_col_text(is, 0));
                db_finalize(is);
            }
            if (!found) item_add(&items, &nitems, &cap, lead, lead_name, codes[i], codes[i]);
        }
        rec_strv_free(codes, nc);
        Stmt *js = db_prepare(
            db,
            "SELECT j.dept_id, d.name, j.items_text, j.item_codes FROM task_joint j JOIN dept d "
            "ON d.id = j.dept_id "
            "WHERE j.task_id = ? AND j.status = '已确认' ORDER BY j.named_on, j.dept_id");
        if (js) {
            db_bind_int(js, 1, task_id);
            while (db_step(js) == DB_ROW) {
                /* its entries of the item list first (code and name), then its own text */
                json_t *named = plan_items_named(db, db_col_text(js, 3));
                size_t k;
                json_t *e;
                json_array_foreach(named, k, e)
                    item_add(&items, &nitems, &cap, db_col_int(js, 0), db_col_text(js, 1),
                             json_string_value(json_object_get(e, "code")),
                             json_string_value(json_object_get(e, "name")));
                json_decref(named);
                joint_items(db_col_text(js, 2), db_col_int(js, 0), db_col_text(js, 1), &items,
                            &nitems, &cap);
            }
            db_finalize(js);
        }
        Stmt *ts = db_prepare(
            db,
            "SELECT dt.target_code, g.id FROM draw_target dt LEFT JOIN target g ON g.code = "
            "dt.target_code "
            "WHERE dt.draw_id = ? AND dt.status = '有效' AND NOT EXISTS (SELECT 1 FROM record r "
            "WHERE r.draw_id = dt.draw_id AND r.target_code = dt.target_code) ORDER BY "
            "dt.position");
        if (!ts)
            rc = rec_fail_db(db, err);
        else {
            db_bind_int(ts, 1, draw_id);
            while (rc == REC_OK && db_step(ts) == DB_ROW) {
                int64_t gid = db_col_int(ts, 1);
                if (db_exec(db,
                            "INSERT INTO record(task_id, draw_id, org_id, target_code, target_id, "
                            "created_at, updated_at) "
                            "VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?5)",
                            "iiitt", task_id, draw_id, org, db_col_text(ts, 0),
                            clock_stamp().s) != DB_OK) {
                    rc = rec_fail_db(db, err);
                    break;
                }
                int64_t rid = db_last_id(db);
                if (gid && db_exec(db, "UPDATE record SET target_id = ? WHERE id = ?", "ii", gid,
                                   rid) != DB_OK)
                    rc = rec_fail_db(db, err);
                for (size_t i = 0; rc == REC_OK && i < nitems; i++) {
                    Stmt *ins = db_prepare(db, "INSERT INTO record_item(record_id, position, "
                                               "dept_id, dept_name, item_code, item_name) "
                                               "VALUES (?, ?, ?, ?, ?, ?)");
                    if (!ins) {
                        rc = rec_fail_db(db, err);
                        break;
                    }
                    db_bind_int(ins, 1, rid);
                    db_bind_int(ins, 2, (int64_t)i + 1);
                    if (items[i].dept_id)
                        db_bind_int(ins, 3, items[i].dept_id);
                    else
                        db_bind_null(ins, 3);
                    db_bind_text(ins, 4, items[i].dept_name);
                    db_bind_text(ins, 5, items[i].code);
                    db_bind_text(ins, 6, items[i].name);
                    if (db_step(ins) != DB_DONE) rc = rec_fail_db(db, err);
                    db_finalize(ins);
                }
                if (rc == REC_OK && created) (*created)++;
            }
            db_finalize(ts);
        }
    }
    for (size_t i = 0; i < nitems; i++)
        free(items[i].dept_name), free(items[i].code), free(items[i].name);
    free(items);
    free(code);
    free(item_codes);
    free(lead_name);
    return rc;
}
