/* followup.c - 后续处置 rules: the option rules (driven by refdata disposal_options attributes),
 * validation of a follow-up's fields, the closure rule, the outcome and publication clocks, and the
 * small record questions they need. The stored follow-up and its transfers are in followup_store.c,
 * the views the pages show in followup_view.c. See followup.h for the model and conventions.
 * Callers: followup_store.c, followup_view.c, src/web/page_followup*.c, unit tests. */
#include "followup.h"
#include "followup_impl.h"

#include "../core/money.h"
#include "../core/util.h"
#include "refdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const followup_transfer_kinds[] = {"转办", "移送", "移送司法机关", "抄告", NULL};

int fu_dberr(Db *db, char **err) {
    set_err(err, "数据库错误: %s", db_errmsg(db));
    return FU_ERR;
}

int fu_field_err(json_t *errors, const char *field, const char *msg) {
    if (!errors) return 1;
    if (!json_object_get(errors, field)) json_object_set_new(errors, field, json_string(msg));
    return 1;
}

/* ---- pure rules ---- */

int followup_transfer_kind_ok(const char *kind) {
    for (int i = 0; followup_transfer_kinds[i]; i++)
        if (str_eq(kind, followup_transfer_kinds[i])) return 1;
    return 0;
}

int followup_validate(const FuOption *opt, const FuState *st, const FuState *prev,
                      const char *today, json_t *errors) {
    int n = 0;
    if (opt->needs_deadline) {
        const char *d = st->rectify_deadline;
        if (str_empty(d))
            n += fu_field_err(errors, "rectify_deadline", "请填写整改期限");
        else if (!date_valid(d))
            n += fu_field_err(errors, "rectify_deadline",
                              "整改期限不是有效日期（格式：2025-10-31）");
        else if ((!prev || !str_eq(prev->rectify_deadline, d)) && strcmp(d, today) <= 0)
            n += fu_field_err(errors, "rectify_deadline", "整改期限应晚于今天");
    }
    if (opt->needs_recheck && (!str_empty(st->recheck_on) || !str_empty(st->recheck_result))) {
        if (str_empty(st->recheck_on))
            n += fu_field_err(errors, "recheck_on", "填写复查结果时请同时填写复查日期");
        else if (!date_valid(st->recheck_on))
            n += fu_field_err(errors, "recheck_on", "复查日期不是有效日期（格式：2025-10-31）");
        else if (strcmp(st->recheck_on, today) > 0)
            n += fu_field_err(errors, "recheck_on", "复查日期不能晚于今天");
        if (str_empty(st->recheck_result))
            n += fu_field_err(errors, "recheck_result", "请填写复查结果");
    }
    /* A penalty is decided weeks after the follow-up is opened (立案, 调查, 告知, 决定): the
     * decision may be left out until then, and closing needs it (followup_close_blockers). Once any
     * part of it is given, number, date and amount are all required. */
    int deciding =
        opt->needs_decision && (!str_empty(st->decision_no) || !str_empty(st->decision_on) ||
                                (opt->needs_amount && !str_empty(st->amount)) ||
                                (prev && !str_empty(prev->decision_no))); /* never cleared */
    if (deciding) {
        if (str_empty(st->decision_no))
            n += fu_field_err(errors, "decision_no", "请填写处罚决定书文号");
        if (str_empty(st->decision_on))
            n += fu_field_err(errors, "decision_on", "请填写处罚决定日期");
        else if (!date_valid(st->decision_on))
            n += fu_field_err(errors, "decision_on", "决定日期不是有效日期（格式：2025-09-26）");
        else if (strcmp(st->decision_on, today) > 0)
            n += fu_field_err(errors, "decision_on", "决定日期不能晚于今天");
    }
    if (opt->needs_amount && (deciding || !opt->needs_decision)) {
        int64_t c;
        if (str_empty(st->amount))
            n += fu_field_err(errors, "amount", "请填写金额（元）");
        else if (money_parse_yuan(st->amount, &c) != 0)
            n += fu_field_err(errors, "amount",
                              "金额格式不正确，应为以元为单位的数字，如 12,345.60");
    }
    if (opt->needs_receiver && str_empty(st->receiver))
        n += fu_field_err(errors, "receiver", "请填写接收部门或机关");
    return n;
}

static void reason(json_t *reasons, const char *msg) {
    if (reasons) json_array_append_new(reasons, json_string(msg));
}

int followup_close_blockers(const FuOption *opt, const FuState *st, int ntransfers, int nopen,
                            json_t *reasons) {
    int n = 0;
    if (str_empty(st->outcome)) n++, reason(reasons, "尚未填写处置结果");
    if (opt->needs_decision && str_empty(st->decision_no)) n++, reason(reasons, "尚未填写处罚决定");
    if ((opt->needs_decision || opt->publish_workdays > 0) && str_empty(st->penalty_published_on))
        n++, reason(reasons, "处罚决定尚未公示");
    if (opt->needs_recheck && (str_empty(st->recheck_on) || str_empty(st->recheck_result)))
        n++, reason(reasons, "整改情况尚未复查");
    if (opt->needs_receiver && ntransfers == 0) n++, reason(reasons, "尚未登记移送（转办）");
    if (nopen > 0) {
        char *m = xasprintf("还有 %d 件移送（转办）尚未反馈或办结", nopen);
        n++, reason(reasons, m);
        free(m);
    }
    return n;
}

int followup_outcome_due(const Calendar *cal, const char *opened_on, char out[11]) {
    if (!cal) return CAL_UNKNOWN;
    return calendar_add_workdays(cal, opened_on, FOLLOWUP_OUTCOME_DAYS, out);
}

int followup_publish_due(const Calendar *cal, const char *decision_on, int workdays, char out[11]) {
    if (!cal) return CAL_UNKNOWN;
    return calendar_add_workdays(cal, decision_on, workdays, out);
}

/* ---- options ---- */

static int attr_flag(json_t *attrs, const char *name) {
    int v = 0;
    refdata_flag(json_string_value(json_object_get(attrs, name)), &v);
    return v;
}

void fu_option_from(FuOption *o, const char *code, const char *label, const char *attrs_text) {
    memset(o, 0, sizeof *o);
    snprintf(o->code, sizeof o->code, "%s", code ? code : "");
    snprintf(o->label, sizeof o->label, "%s", label ? label : "");
    json_t *a = json_loads(attrs_text ? attrs_text : "{}", 0, NULL);
    o->needs_deadline = attr_flag(a, "needs_deadline");
    o->needs_recheck = attr_flag(a, "needs_recheck");
    o->needs_decision = attr_flag(a, "needs_decision");
    o->needs_amount = attr_flag(a, "needs_amount");
    o->needs_receiver = attr_flag(a, "needs_receiver");
    const char *pw = json_string_value(json_object_get(a, "publish_workdays"));
    o->publish_workdays = pw && *pw ? atoi(pw) : 0;
    if (o->publish_workdays < 0) o->publish_workdays = 0;
    json_decref(a);
}

int followup_option_get(Db *db, const char *code, FuOption *out) {
    if (str_empty(code)) return 0;
    Stmt *st = db_prepare(
        db,
        "SELECT code, label, attrs FROM refdata WHERE set_name = 'disposal_options' AND code = ?");
    if (!st) return -1;
    db_bind_text(st, 1, code);
    int rc = db_step(st);
    if (rc == DB_ROW)
        fu_option_from(out, db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2));
    db_finalize(st);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

json_t *followup_options_json(Db *db) {
    json_t *a = json_array();
    Stmt *st = db_prepare(db, "SELECT code, label, attrs FROM refdata WHERE set_name = "
                              "'disposal_options' ORDER BY position");
    while (st && db_step(st) == DB_ROW) {
        FuOption o;
        fu_option_from(&o, db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2));
        json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:i}", "code",
                                           o.code, "label", o.label, "needs_deadline",
                                           o.needs_deadline, "needs_recheck", o.needs_recheck,
                                           "needs_decision", o.needs_decision, "needs_amount",
                                           o.needs_amount, "needs_receiver", o.needs_receiver,
                                           "publish_workdays", o.publish_workdays));
    }
    db_finalize(st);
    return a;
}

/* ---- records ---- */

int followup_record_has_findings(Db *db, int64_t record_id) {
    int64_t n = 0;
    if (db_query_int(db, &n, "SELECT count(*) FROM record r WHERE r.id = ? AND " HAS_FINDINGS_SQL,
                     "i", record_id) != DB_OK)
        return -1;
    return n > 0;
}

int followup_record_closed(Db *db, int64_t record_id) {
    int64_t all = 0, open = 0;
    if (db_query_int(db, &all, "SELECT count(*) FROM followup WHERE record_id = ?", "i",
                     record_id) != DB_OK ||
        db_query_int(db, &open,
                     "SELECT count(*) FROM followup WHERE record_id = ? AND status <> '已完结'",
                     "i", record_id) != DB_OK)
        return 0;
    return all > 0 && open == 0;
}

char *followup_violation_labels(Db *db, int64_t record_id, int with_codes, const char *sep) {
    Buf b;
    buf_init(&b);
    /* the conduct is the "label" column (also refdata.label); attrs keep every column */
    Stmt *st = db_prepare(
        db, "SELECT v.category, max(c.attrs) FROM record_violation v LEFT JOIN refdata c ON "
            "c.set_name = 'violation_categories' AND c.code = v.category WHERE v.record_id = ? AND "
            "v.status = '有效' GROUP BY v.category ORDER BY min(v.id)");
    if (st) {
        db_bind_int(st, 1, record_id);
        while (db_step(st) == DB_ROW) {
            json_t *a = db_col_text(st, 1) ? json_loads(db_col_text(st, 1), 0, NULL) : NULL;
            const char *label = json_string_value(json_object_get(a, "label")),
                       *cat = db_col_text(st, 0);
            if (b.len) buf_puts(&b, sep);
            if (!label)
                buf_puts(&b, cat);
            else if (with_codes)
                buf_printf(&b, "%s（%s）", label, cat);
            else
                buf_puts(&b, label);
            json_decref(a);
        }
        db_finalize(st);
    }
    return buf_steal(&b);
}
