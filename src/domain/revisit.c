/* revisit.c - see revisit.h. */
#include "revisit.h"

#include "../core/clock.h"
#include "../core/util.h"
#include "scope.h"
#include "uow.h"

#include <stdlib.h>
#include <string.h>

const char *const revisit_methods[] = {"电话", "实地", "书面", NULL};
const char *const revisit_conducts[] = {"规范", "不规范", NULL};

static int one_of(const char *const *set, const char *v) {
    for (; *set; set++)
        if (str_eq(*set, v)) return 1;
    return 0;
}

static void field(json_t *errors, const char *k, const char *msg) {
    if (!json_object_get(errors, k)) json_object_set_new(errors, k, json_string(msg));
}

/* The field errors of in against the record's check date and today. */
static void check(const RevisitInput *in, const char *checked_on, const char *today,
                  json_t *errors) {
    if (str_empty(in->on_day) || !date_valid(in->on_day))
        field(errors, "on_day", "请填写回访日期（格式：2026-06-30）");
    else if (strcmp(in->on_day, today) > 0)
        field(errors, "on_day", "回访日期不能晚于今天");
    else if (checked_on && strcmp(in->on_day, checked_on) < 0)
        field(errors, "on_day", "回访日期不能早于检查日期");
    if (!one_of(revisit_methods, in->method))
        field(errors, "method", "请选择回访方式（电话、实地或书面）");
    if (!one_of(revisit_conducts, in->conduct))
        field(errors, "conduct", "请选择被检查单位反映的检查是否规范");
    if (str_empty(in->summary))
        field(errors, "summary", "请填写回访情况");
    else if (utf8_len(in->summary) > 500)
        field(errors, "summary", "回访情况不超过 500 个字");
}

int revisit_add(Db *db, const Actor *who, int64_t record_id, const RevisitInput *in,
                const char *today, json_t *errors, char **err) {
    char *status = NULL, *checked_on = NULL;
    int64_t org = 0;
    Stmt *st = db_prepare(db, "SELECT org_id, status, checked_on FROM record WHERE id = ?");
    int got = st && db_bind_va(st, "i", record_id) == DB_OK ? db_step(st) : DB_ERR;
    if (got == DB_ROW) {
        org = db_col_int(st, 0);
        status = xstrdup(db_col_text(st, 1));
        checked_on = db_col_text(st, 2) ? xstrdup(db_col_text(st, 2)) : NULL;
    }
    db_finalize(st);
    if (got == DB_ERR) return set_err(err, "%s", db_errmsg(db)), SC_ERR;
    int rc = SC_OK;
    if (!org || scope_of(db, who->org_id, org) == SCOPE_OUTSIDE)
        rc = (set_err(err, "检查记录不存在或不在您的管辖范围内"), SC_NOT_FOUND);
    else if (scope_of(db, who->org_id, org) != SCOPE_WRITE)
        rc = (set_err(err, "这是下级机构的检查记录：上级机构可以查阅，不能代为回访登记"),
              SC_CONFLICT);
    else if (!str_eq(status, "已公示"))
        rc = (set_err(err, "检查结果公示后才能登记回访"), SC_CONFLICT);
    if (rc == SC_OK) check(in, checked_on, today, errors);
    if (rc == SC_OK && json_object_size(errors)) rc = (set_err(err, "输入有误"), SC_INVALID);
    free(status);
    free(checked_on);
    if (rc != SC_OK) return rc;
    /* a revisit adds a row of the record's own (a published record stays published) */
    if (uow_begin_row(db, "record", record_id, err) != 0) return SC_ERR;
    char *summary = str_trim(xstrdup(in->summary));
    rc = db_exec(db,
                 "INSERT INTO record_revisit(record_id, org_id, on_day, method, conduct, summary, "
                 "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 "iitttttt", record_id, org, in->on_day, in->method, in->conduct, summary,
                 clock_stamp().s, who->username) == DB_OK
             ? SC_OK
             : (set_err(err, "%s", db_errmsg(db)), SC_ERR);
    if (rc == SC_OK) {
        json_t *a = json_pack("{s:s, s:s, s:s, s:s}", "on_day", in->on_day, "method", in->method,
                              "conduct", in->conduct, "summary", summary);
        char *after = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
        if (uow_audit(db, who, "record.revisit", "record", record_id, org, NULL, after, err) != 0)
            rc = SC_ERR;
        free(after);
        json_decref(a);
    }
    free(summary);
    if (!uow_end(db, rc == SC_OK, err) && rc == SC_OK) rc = SC_ERR;
    return rc;
}

json_t *revisit_list(Db *db, int64_t record_id) {
    json_t *a = json_array();
    Stmt *st = db_prepare(db, "SELECT on_day, method, conduct, summary, created_by FROM "
                              "record_revisit WHERE record_id = ? ORDER BY on_day, id");
    if (st && db_bind_va(st, "i", record_id) == DB_OK)
        while (db_step(st) == DB_ROW)
            json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s?}", "on_day",
                                               db_col_text(st, 0), "method", db_col_text(st, 1),
                                               "conduct", db_col_text(st, 2), "summary",
                                               db_col_text(st, 3), "by", db_col_text(st, 4)));
    db_finalize(st);
    return a;
}
