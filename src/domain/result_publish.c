/* result_publish.c - publication (公示) of reviewed records (result_publish, result_publish_batch,
 * result.h): the public record snapshot, the 公示 event (逾期公示 when late), the target's
 * last_checked_on as a new directory version and, with findings, the credit_event. Runs inside
 * the caller's transaction (result_act.c opens it with the audit row). */
#include "../core/clock.h"
#include "result_impl.h"
#include "deadline.h"

#include "directory.h"

#include <stdlib.h>

/* Writes the current target row into entity_version and moves last_checked_on forward, as the
 * directory engine's versioned saves do (dir_keep_version, then version + 1). last_checked_on is
 * a field of the target kind (最近检查日期), so its change is a new version like any other. Nothing
 * happens when the date would not move forward. */
static int target_checked(Db *db, int64_t target_id, const char *checked_on, const char *actor,
                          char **err) {
    int64_t newer = 0;
    if (db_query_int(db, &newer,
                     "SELECT count(*) FROM target WHERE id = ? AND (last_checked_on IS NULL OR "
                     "last_checked_on < ?)",
                     "it", target_id, checked_on) != DB_OK)
        return res_db_fail(db, err);
    if (!newer) return RESULT_OK;
    /* a versioned directory field: the old row is kept as the directory engine does */
    if (dir_keep_version(db, "target", target_id, actor, err) != DB_OK) return RESULT_ERR;
    if (db_exec(db,
                "UPDATE target SET last_checked_on = ?, version = version + 1, updated_at = "
                "?, updated_by = ? WHERE id = ?",
                "ttti", checked_on, clock_stamp().s, actor, target_id) != DB_OK)
        return res_db_fail(db, err);
    return RESULT_OK;
}

/* The credit record's summary of a record with findings. New string, or NULL when the
 * violations cannot be read. */
static char *finding_summary(Db *db, int64_t id, const char *result_text) {
    int64_t n = 0, cents = 0;
    if (db_query_int(
            db, &n, "SELECT count(*) FROM record_violation WHERE record_id = ? AND status = '有效'",
            "i", id) != DB_OK ||
        db_query_int(
            db, &cents,
            "SELECT coalesce(sum(amount_cents), 0) FROM record_violation WHERE record_id = ? "
            "AND status = '有效'",
            "i", id) != DB_OK)
        return NULL;
    if (!n) return xasprintf("抽查检查结果：%s", result_text);
    return xasprintf("抽查检查结果：%s；违法违规行为 %lld 项，涉及金额 %lld.%02lld 元", result_text,
                     (long long)n, (long long)(cents / 100), (long long)(cents % 100));
}

int result_publish(Db *db, int64_t id, const Calendar *cal, const char *today, const char *actor,
                   int *late, char **err) {
    if (late) *late = 0;
    Stmt *st = db_prepare(
        db,
        "SELECT r.status, r.checked_on, r.result_codes, r.remarks, o.name, t.kind, t.code, t.name, "
        "(SELECT count(*) FROM task_joint j WHERE j.task_id = t.id AND j.status = '已确认'), "
        "r.target_code, g.id, g.kind, g.name, g.uscc, g.mi_code, "
        "(SELECT k.token FROM draw_token k WHERE k.draw_id = r.draw_id AND "
        "k.target_code = r.target_code) "
        "FROM record r JOIN org o ON o.id = r.org_id JOIN task t ON t.id = r.task_id "
        "LEFT JOIN target g ON g.id = coalesce(r.target_id, (SELECT x.id FROM target x WHERE "
        "x.code = r.target_code)) "
        "WHERE r.id = ?");
    if (!st) return res_db_fail(db, err);
    db_bind_int(st, 1, id);
    if (db_step(st) != DB_ROW) {
        db_finalize(st);
        set_err(err, "检查记录不存在");
        return RESULT_NOT_FOUND;
    }
    char *c[16];
    for (int i = 0; i < 16; i++)
        c[i] = db_col_text(st, i) ? xstrdup(db_col_text(st, i)) : NULL;
    int joint = db_col_int(st, 8) > 0;
    int64_t target_id = db_col_int(st, 10);
    db_finalize(st);
    const char *status = c[0], *checked_on = c[1], *codes = c[2];
    int rc = RESULT_OK;
    char deadline[11] = "";
    char *opinion = NULL, *json = NULL, *result_text = NULL;
    json_t *labels = json_array();
    if (!str_eq(status, "审核通过")) {
        set_err(err, "该检查记录当前状态为“%s”，只有审核通过的记录才能公示", status);
        rc = RESULT_CONFLICT;
    } else if (!checked_on || !date_valid(checked_on)) {
        set_err(err, "检查记录没有检查日期，不能公示");
        rc = RESULT_CONFLICT;
    } else if (str_empty(codes)) {
        set_err(err, "检查记录没有检查结果，不能公示");
        rc = RESULT_CONFLICT;
    }
    if (rc == RESULT_OK) {
        int crc = result_deadline(cal, checked_on, deadline);
        if (crc < 0) {
            deadline[0] = 0;
            opinion = xstrdup("公示期限未知（超出工作日历数据范围）");
        } else if (result_is_late(deadline, today)) {
            int over = 0;
            char shown[128];
            deadline_text(deadline, crc == CAL_PROVISIONAL, shown, sizeof shown);
            if (late) *late = 1;
            if (calendar_workdays_between(cal, deadline, today, &over) >= 0 && over > 0)
                opinion = xasprintf("逾期公示：公示期限为 %s，逾期 %d 个工作日", shown, over);
            else
                opinion = xasprintf("逾期公示：公示期限为 %s", shown);
        }
        res_labels_append(db, "result_categories", codes, labels);
        size_t n = json_array_size(labels);
        const char **lv = xcalloc(n ? n : 1, sizeof *lv);
        for (size_t i = 0; i < n; i++)
            lv[i] = json_string_value(json_array_get(labels, i));
        ResultPublicInput in = {.org_name = c[4],
                                .task_kind = c[5],
                                .task_code = c[6],
                                .task_name = c[7],
                                .checked_on = checked_on,
                                .remarks = c[3],
                                .published_on = today,
                                .joint = joint,
                                .target_kind = c[11],
                                .target_name = c[12],
                                /* an insured person drawn by a token: the token (§2a) */
                                .target_code = c[15] ? c[15] : c[9],
                                .uscc = c[13],
                                .mi_code = c[14],
                                .result_labels = lv,
                                .nresults = n};
        json_t *pub = result_public_record(&in);
        free(lv);
        result_text = xstrdup(json_string_value(json_object_get(pub, "result_text")));
        json = json_dumps(pub, JSON_COMPACT | JSON_PRESERVE_ORDER);
        /* the searched fields of the snapshot beside it (sql/030), as the public search reads them
         */
        int bad =
            db_exec(db,
                    "UPDATE record SET status = '已公示', published_at = ?1, published_by "
                    "= ?2, published_json = ?3, "
                    "public_name = ?5, public_code = ?6, public_uscc = ?7, public_mi_code = ?8, "
                    "updated_at = ?1, updated_by = ?2 WHERE id = ?4 AND status = '审核通过'",
                    "tttitttt", clock_stamp().s, actor, json, id,
                    json_string_value(json_object_get(pub, "target_name")),
                    json_string_value(json_object_get(pub, "target_code")),
                    json_string_value(json_object_get(pub, "uscc")),
                    json_string_value(json_object_get(pub, "mi_code"))) != DB_OK;
        json_decref(pub);
        if (bad)
            rc = res_db_fail(db, err);
        else if (db_changes(db) != 1) {
            set_err(err, "检查记录已被他人处理，请刷新");
            rc = RESULT_CONFLICT;
        } else if (res_add_event(db, id, "公示", "审核通过", "已公示", opinion, today, actor) !=
                   DB_OK)
            rc = res_db_fail(db, err);
    }
    if (rc == RESULT_OK && target_id) rc = target_checked(db, target_id, checked_on, actor, err);
    if (rc == RESULT_OK && target_id) {
        size_t ncat = 0;
        ResultCategory *cats = result_categories_load(db, &ncat);
        int finding = result_codes_have_finding(cats, ncat, codes);
        result_categories_free(cats, ncat);
        int64_t nviol = 0;
        if (!finding &&
            db_query_int(
                db, &nviol,
                "SELECT count(*) FROM record_violation WHERE record_id = ? AND status = '有效'",
                "i", id) != DB_OK)
            rc = res_db_fail(db, err);
        if (nviol > 0)
            finding = 1; /* a violation recorded is a finding whatever the category says */
        if (rc == RESULT_OK && finding &&
            db_exec(db, "UPDATE record SET findings = 1 WHERE id = ?", "i", id) != DB_OK)
            rc = res_db_fail(db, err);
        if (rc == RESULT_OK && finding) {
            char *summary = finding_summary(db, id, result_text);
            if (!summary ||
                db_exec(db,
                        "INSERT INTO credit_event(target_id, record_id, kind, summary, on_day, "
                        "by_user, at) "
                        "VALUES (?, ?, '检查发现', ?, ?, ?, ?)",
                        "iitttt", target_id, id, summary, today, actor, clock_stamp().s) != DB_OK)
                rc = res_db_fail(db, err);
            free(summary);
        }
    }
    json_decref(labels);
    free(opinion);
    free(json);
    free(result_text);
    for (int i = 0; i < 16; i++)
        free(c[i]);
    return rc;
}

int result_publish_batch(Db *db, const int64_t *ids, size_t n, const Calendar *cal,
                         const char *today, const char *actor, json_t *problems,
                         size_t *published) {
    *published = 0;
    if (!n) return RESULT_INVALID;
    int rc = RESULT_OK;
    for (size_t i = 0; i < n; i++) {
        int dup = 0;
        for (size_t j = 0; j < i; j++)
            dup |= ids[j] == ids[i];
        if (dup) continue;
        char *err = NULL;
        int r = result_publish(db, ids[i], cal, today, actor, NULL, &err);
        if (r == RESULT_OK)
            (*published)++;
        else {
            json_array_append_new(problems, json_pack("{s:I, s:s}", "id", (json_int_t)ids[i],
                                                      "message", err ? err : "公示失败"));
            if (rc == RESULT_OK || r == RESULT_ERR)
                rc = r == RESULT_ERR ? RESULT_ERR : RESULT_CONFLICT;
        }
        free(err);
        if (r == RESULT_ERR) break; /* the transaction is unusable after a database error */
    }
    if (rc != RESULT_OK) *published = 0;
    return rc;
}
