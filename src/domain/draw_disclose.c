/* draw_disclose.c - the confidentiality rule of a task's draw (see draw_disclose.h). */
#include "draw_disclose.h"

#include "../core/util.h"
#include "draw_store.h"

#include <stdlib.h>

int draw_disclosed_count(Db *db, const char *task, const char *today, int64_t *valid,
                         int64_t *shown, char **err) {
    *valid = *shown = 0;
    Stmt *st = db_prepare(
        db, "SELECT count(*), coalesce(sum(CASE WHEN " DRAW_DISCLOSED_SQL " THEN 1 ELSE 0 END), 0) "
            "FROM draw d JOIN draw_target dt ON dt.draw_id = d.id "
            "WHERE d.task_code = ? AND d.status = '已抽取' AND dt.status = '有效'");
    if (!st) return set_err(err, "%s", db_errmsg(db)), -1;
    db_bind_text(st, 1, today);
    db_bind_text(st, 2, task);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *valid = db_col_int(st, 0);
        *shown = db_col_int(st, 1);
    }
    db_finalize(st);
    return rc == DB_ROW ? 0 : (set_err(err, "%s", db_errmsg(db)), -1);
}

int draw_target_disclosed(Db *db, const char *task, const char *code, const char *today) {
    Stmt *st =
        db_prepare(db, "SELECT " DRAW_DISCLOSED_SQL " "
                       "FROM draw d JOIN draw_target dt ON dt.draw_id = d.id "
                       "WHERE d.task_code = ? AND d.status = '已抽取' AND dt.status = '有效' "
                       "AND (dt.target_code = ?3 OR dt.target_code IN (SELECT k.target_code "
                       "FROM draw_token k WHERE k.draw_id = d.id AND k.token = ?3))");
    if (!st) return 0;
    db_bind_text(st, 1, today);
    db_bind_text(st, 2, task);
    db_bind_text(st, 3, code);
    int shown = db_step(st) == DB_ROW && db_col_int(st, 0);
    db_finalize(st);
    return shown;
}

int draw_public_file_text(Db *db, const char *task, int draw_no, const char *today, int what,
                          char **out, size_t *len, int *draw_no_out, char **err) {
    int64_t valid = 0, shown = 0;
    if (draw_disclosed_count(db, task, today, &valid, &shown, err)) return -1;
    if (!valid || shown < valid)
        return set_err(err, "按保密要求，抽取记录和名单文件在本次抽取的全部检查对象检查完毕或结果公"
                            "示后公开；"
                            "此前公开冻结摘要、名单摘要、随机数来源和已完成检查的对象"),
               1;
    return draw_store_file_text(db, task, draw_no, what, out, len, draw_no_out, err);
}
