/* draw_disclose.c - the confidentiality rule of a task's draw (see draw_disclose.h). */
#include "draw_disclose.h"

#include "../core/util.h"
#include "draw_store.h"

#include <stdlib.h>

json_t *draw_disclosed(Db *db, const char *task, const char *today, int *all, char **err) {
    *all = 0;
    Stmt *st = db_prepare(
        db,
        "SELECT dt.target_code, EXISTS (SELECT 1 FROM record r WHERE r.draw_id = dt.draw_id "
        "AND r.target_code = dt.target_code AND (r.status = '已公示' OR (r.checked_on IS NOT NULL "
        "AND r.checked_on <> '' AND r.checked_on <= ?))) "
        "FROM draw d JOIN draw_target dt ON dt.draw_id = d.id "
        "WHERE d.task_code = ? AND d.status = '已抽取' AND dt.status = '有效'");
    if (!st) return set_err(err, "%s", db_errmsg(db)), NULL;
    db_bind_text(st, 1, today);
    db_bind_text(st, 2, task);
    json_t *out = json_object();
    size_t valid = 0, shown = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        valid++;
        if (db_col_int(st, 1)) {
            shown++;
            json_object_set_new(out, db_col_text(st, 0), json_true());
        }
    }
    db_finalize(st);
    if (rc != DB_DONE) {
        json_decref(out);
        return set_err(err, "%s", db_errmsg(db)), NULL;
    }
    *all = valid > 0 && shown == valid;
    return out;
}

int draw_public_get(Db *db, const char *task, int draw_no, const char *today, json_t **doc,
                    char **population, char **officers, char **err) {
    int all = 0;
    json_t *shown = draw_disclosed(db, task, today, &all, err);
    if (!shown) return -1;
    json_decref(shown);
    if (!all)
        return set_err(err, "按保密要求，抽取记录和名单文件在本次抽取的全部检查对象检查完毕或结果公"
                            "示后公开；"
                            "此前公开冻结摘要、名单摘要、随机数来源和已完成检查的对象"),
               1;
    return draw_store_get(db, task, draw_no, doc, population, officers, NULL, err);
}
