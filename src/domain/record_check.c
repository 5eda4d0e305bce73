/* record_check.c - validation of a record save (rec_save_check, record_impl.h): what the form or
 * the API sends, read against the record's current contents, its group (officers) and refdata
 * (result categories, inspection methods, violation categories), into a RecSave with a Chinese
 * message per field error. Reads only; record_save.c applies the result. */
#include "record_impl.h"

#include "jsonkit.h"

#include "../core/money.h"
#include "../core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *strv_join(const char *const *v, size_t n) {
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(&b, ',');
        buf_puts(&b, v[i]);
    }
    char *s = buf_steal(&b);
    return s ? s : xstrdup("");
}

/* The result categories from refdata (owned strings). */
typedef struct Cats {
    RecordCat *v;
    size_t n;
} Cats;

static void cats_load(Db *db, Cats *c) {
    c->v = NULL;
    c->n = 0;
    Stmt *st = db_prepare(db, "SELECT code, label, parent, attrs FROM refdata "
                              "WHERE set_name = 'result_categories' ORDER BY position");
    if (!st) return;
    size_t cap = 0;
    while (db_step(st) == DB_ROW) {
        if (c->n == cap) c->v = xrealloc(c->v, (cap = cap ? cap * 2 : 16) * sizeof *c->v);
        char *ex = jk_attr(db_col_text(st, 3), "exclusive"); /* absent: not exclusive */
        c->v[c->n++] = (RecordCat){
            xstrdup(db_col_text(st, 0)), xstrdup(db_col_text(st, 1)),
            db_col_text(st, 2) && *db_col_text(st, 2) ? xstrdup(db_col_text(st, 2)) : NULL,
            ex && (!strcmp(ex, "1") || !strcmp(ex, "是") || !strcmp(ex, "Y"))};
        free(ex);
    }
    db_finalize(st);
}

static void cats_free(Cats *c) {
    for (size_t i = 0; i < c->n; i++) {
        free((char *)c->v[i].code);
        free((char *)c->v[i].label);
        free((char *)c->v[i].parent);
    }
    free(c->v);
}

static int ref_has(Db *db, const char *set, const char *code) {
    int64_t n = 0;
    if (db_query_int(db, &n, "SELECT count(*) FROM refdata WHERE set_name = ? AND code = ?", "tt",
                     set, code) != DB_OK)
        return 0; /* unreadable: unknown, so the value is refused */
    return n > 0;
}

/* Checks and normalizes a result list; the joined codes in *out or an error under key. */
static int results_field(Db *db, const Cats *cats, const json_t *v, char **out, json_t *errors,
                         const char *key) {
    size_t n = 0;
    char **codes = rec_strv_from(v, &n);
    if (!codes && v && !json_is_null(v)) {
        json_object_set_new(errors, key, json_string("检查结果格式不正确"));
        return -1;
    }
    (void)db;
    char *why = NULL;
    const char **view = xcalloc(n + 1, sizeof *view);
    for (size_t i = 0; i < n; i++)
        view[i] = codes[i];
    size_t m = n;
    int rc = record_results_check(view, &m, cats->v, cats->n, &why);
    if (rc == 0)
        *out = strv_join(view, m);
    else
        json_object_set_new(errors, key, json_string(why));
    free(why);
    free(view);
    rec_strv_free(codes, n);
    return rc;
}

static const char *field_text(const json_t *in, const char *key, const char *cur) {
    const json_t *v = json_object_get(in, key);
    if (!v) return cur;
    if (json_is_null(v)) return "";
    return json_is_string(v) ? json_string_value(v) : cur;
}

static int field_flag(const json_t *in, const char *key, int cur) {
    const json_t *v = json_object_get(in, key);
    if (!v) return cur;
    if (json_is_boolean(v)) return json_is_true(v);
    if (json_is_integer(v)) return json_integer_value(v) != 0;
    if (json_is_string(v))
        return str_eq(json_string_value(v), "1") || str_eq(json_string_value(v), "on") ||
               str_eq(json_string_value(v), "true");
    return cur;
}

static void check_date(json_t *errors, const char *key, const char *v, const char *today) {
    if (str_empty(v)) return;
    if (!date_valid(v))
        json_object_set_new(errors, key, json_string("日期格式应为 YYYY-MM-DD"));
    else if (strcmp(v, today) > 0)
        json_object_set_new(errors, key, json_string("日期不能晚于今天"));
}

static int64_t int_of(const json_t *v) {
    if (json_is_integer(v)) return json_integer_value(v);
    if (json_is_string(v)) {
        const char *t = json_string_value(v);
        if (!*t) return 0; /* an empty form field: none */
        char *end;
        long long n = strtoll(t, &end, 10);
        return !*end ? n : -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- the save's fields ---- */

/* The day the record's draw was held (YYYY-MM-DD into out; "" when unknown). */
static void drawn_day(Db *db, int64_t id, char out[11]) {
    char *at = NULL;
    out[0] = 0;
    /* unread: no bound from the draw (the other date rules still hold) */
    if (db_query_text(
            db, &at,
            "SELECT d.drawn_at FROM record r JOIN draw d ON d.id = r.draw_id WHERE r.id = ?", "i",
            id) == DB_OK &&
        at && strlen(at) >= 10)
        snprintf(out, 11, "%.10s", at);
    free(at);
}

/* The dates within the task's period 抽查时间, or a reason (超期说明) for going beyond it: kept
 * only when a date lies outside (a reason for dates within the period explains nothing). */
static void check_period(Db *db, int64_t id, const json_t *in, const json_t *cur,
                         const char *const vals[2], RecSave *s, json_t *errors) {
    const char *reason =
        field_text(in, "dates_reason", json_string_value(json_object_get(cur, "dates_reason")));
    char *mfrom = NULL, *mto = NULL, first[11], last[11];
    /* unread or not a month: no bound from the period (the other date rules still hold) */
    if (db_query_text(db, &mfrom,
                      "SELECT t.month_from FROM record r JOIN task t ON t.id = r.task_id "
                      "WHERE r.id = ?",
                      "i", id) != DB_OK ||
        db_query_text(db, &mto,
                      "SELECT t.month_to FROM record r JOIN task t ON t.id = r.task_id "
                      "WHERE r.id = ?",
                      "i", id) != DB_OK)
        first[0] = last[0] = 0;
    else
        record_period(mfrom, mto, first, last);
    free(mfrom);
    free(mto);
    const char *outside = NULL;
    for (int k = 0; k < 2 && *first; k++)
        if (!str_empty(vals[k]) && date_valid(vals[k]) &&
            (strcmp(vals[k], first) < 0 || strcmp(vals[k], last) > 0) && !outside)
            outside = vals[k];
    s->dates_reason = NULL;
    if (!outside) return;
    if (str_empty(reason)) {
        char *m = xasprintf("检查日期 %s 不在本任务的抽查时间（%s 至 %s）内：请填写超期说明",
                            outside, first, last);
        json_object_set_new(errors, "dates_reason", json_string(m));
        free(m);
    } else if (utf8_len(reason) > 500) {
        json_object_set_new(errors, "dates_reason", json_string("超期说明不能超过500字"));
    }
    s->dates_reason = reason;
}

/* checked_from / checked_on: dates not after today and not before the draw (a target cannot be
 * checked as drawn before it was drawn), in order, the end with the start. */
static void check_dates(Db *db, int64_t id, const json_t *in, const json_t *cur, const char *today,
                        RecSave *s, json_t *errors) {
    const char *from =
        field_text(in, "checked_from", json_string_value(json_object_get(cur, "checked_from")));
    const char *on =
        field_text(in, "checked_on", json_string_value(json_object_get(cur, "checked_on")));
    check_date(errors, "checked_from", from, today);
    check_date(errors, "checked_on", on, today);
    char drawn[11];
    drawn_day(db, id, drawn);
    const char *keys[] = {"checked_from", "checked_on"}, *vals[] = {from, on};
    for (int k = 0; k < 2; k++)
        if (*drawn && !str_empty(vals[k]) && !json_object_get(errors, keys[k]) &&
            strcmp(vals[k], drawn) < 0) {
            char *m = xasprintf("检查日期不能早于抽取日期（%s）", drawn);
            json_object_set_new(errors, keys[k], json_string(m));
            free(m);
        }
    if (!str_empty(from) && !str_empty(on) && !json_object_get(errors, "checked_from") &&
        !json_object_get(errors, "checked_on") && strcmp(from, on) > 0)
        json_object_set_new(errors, "checked_from", json_string("检查开始日期不能晚于结束日期"));
    if (!str_empty(from) && str_empty(on))
        json_object_set_new(errors, "checked_on", json_string("请填写检查结束日期"));
    s->from = from;
    s->on = on;
    check_period(db, id, in, cur, vals, s, errors);
}

/* The officers: current members (not experts) of the record's group, at least two. The joined
 * cert numbers, or NULL with an error. */
static char *check_officers(Db *db, int64_t id, const json_t *list, json_t *errors) {
    int64_t draw_id = 0;
    char *target = NULL, *officers = NULL;
    if (db_query_int(db, &draw_id, "SELECT draw_id FROM record WHERE id = ?", "i", id) != DB_OK ||
        db_query_text(db, &target, "SELECT target_code FROM record WHERE id = ?", "i", id) != DB_OK)
        draw_id = 0; /* unreadable: no member matches, so the list is refused */
    size_t n = 0;
    char **v = rec_strv_from(list, &n);
    Buf bad;
    buf_init(&bad);
    size_t k = 0;
    for (size_t i = 0; v && i < n; i++) {
        int dup = 0;
        for (size_t j = 0; j < k; j++)
            dup |= str_eq(v[j], v[i]);
        if (dup) continue;
        int64_t ok = 0;
        if (db_query_int(db, &ok,
                         "SELECT count(*) FROM draw_member WHERE draw_id = ? AND target_code = ? "
                         "AND member_code = ? "
                         "AND status = '在组' AND role <> '专家'",
                         "itt", draw_id, target, v[i]) != DB_OK)
            ok = 0; /* unreadable: not a member */
        if (!ok) buf_printf(&bad, "%s%s", bad.len ? "、" : "", v[i]);
        char *t = v[k];
        v[k++] = v[i];
        v[i] = t;
    }
    if (!v)
        json_object_set_new(errors, "officers", json_string("执法人员格式不正确"));
    else if (bad.len) {
        char *msg = xasprintf("不是本检查组在组的执法人员（专家不计入）：%s", bad.data);
        json_object_set_new(errors, "officers", json_string(msg));
        free(msg);
    } else if (k == 1)
        json_object_set_new(errors, "officers",
                            json_string("须有至少两名执法人员参加检查（专家不计入）"));
    else
        officers = strv_join((const char *const *)v, k);
    buf_free(&bad);
    rec_strv_free(v, n);
    free(target);
    return officers;
}

/* The items sent: positions of the record, known inspection methods, valid results. */
static void check_items(Db *db, const Cats *cats, const json_t *items, size_t nitems_cur,
                        RecSave *s, json_t *errors) {
    s->items = xcalloc(json_array_size(items) + 1, sizeof *s->items);
    if (items && !json_is_array(items))
        json_object_set_new(errors, "items", json_string("检查事项格式不正确"));
    size_t idx;
    const json_t *it;
    json_array_foreach(items, idx, it) {
        int64_t pos = int_of(json_object_get(it, "position"));
        char key[48];
        if (pos < 1 || (size_t)pos > nitems_cur) {
            json_object_set_new(errors, "items", json_string("检查事项序号不存在"));
            continue;
        }
        RecSaveItem *x = &s->items[s->nitems++];
        x->pos = pos;
        x->notes = json_string_value(json_object_get(it, "notes"));
        size_t nm = 0;
        char **m = rec_strv_from(json_object_get(it, "methods"), &nm);
        for (size_t k = 0; m && k < nm; k++)
            if (!ref_has(db, "inspection_methods", m[k])) {
                snprintf(key, sizeof key, "item%lld_methods", (long long)pos);
                char *msg = xasprintf("未知的核查方式：%s", m[k]);
                json_object_set_new(errors, key, json_string(msg));
                free(msg);
                break;
            }
        x->methods = m ? strv_join((const char *const *)m, nm) : xstrdup("");
        rec_strv_free(m, nm);
        snprintf(key, sizeof key, "item%lld_result", (long long)pos);
        if (json_object_get(it, "result"))
            results_field(db, cats, json_object_get(it, "result"), &x->result, errors, key);
        if (!x->result) x->result = xstrdup("");
    }
}

/* One violation row; 0 for a blank row (skipped), 1 otherwise (checked, errors under key). */
static int check_violation(Db *db, int64_t id, const json_t *vj, size_t nitems_cur,
                           RecSaveViolation *x, const char *key, json_t *errors) {
    x->id = int_of(json_object_get(vj, "id"));
    x->pos = int_of(json_object_get(vj, "item_position"));
    x->category = json_string_value(json_object_get(vj, "category"));
    x->description = json_string_value(json_object_get(vj, "description"));
    const json_t *amt = json_object_get(vj, "amount");
    const char *amount = json_string_value(amt);
    if (str_empty(x->category) && str_empty(amount) && str_empty(x->description) &&
        !json_is_integer(amt))
        return 0; /* blank row */
    if (str_empty(x->category) || !ref_has(db, "violation_categories", x->category)) {
        json_object_set_new(
            errors, key,
            json_string(
                "请选择违法行为类别（《医疗保障基金使用监督管理条例》第三十八至四十一条）"));
        return 1;
    }
    if (json_is_integer(amt) && json_integer_value(amt) >= 0)
        x->cents = json_integer_value(amt) * 100;
    else if (!str_empty(amount) && money_parse_yuan(amount, &x->cents) != 0) {
        json_object_set_new(errors, key,
                            json_string("涉及金额格式不正确，应为以元为单位的金额，如 12,345.60"));
        return 1;
    }
    if (x->pos < 0 || (size_t)x->pos > nitems_cur)
        json_object_set_new(errors, key, json_string("所属检查事项不存在"));
    if (x->id) {
        int64_t ok = 0;
        if (db_query_int(db, &ok,
                         "SELECT count(*) FROM record_violation WHERE id = ? AND record_id = ? AND "
                         "status = '有效'",
                         "ii", x->id, id) != DB_OK)
            ok = 0; /* unreadable: refused as missing */
        if (!ok) json_object_set_new(errors, key, json_string("违法行为记录不存在或已撤销"));
    }
    return 1;
}

/* The violations sent (the active ones not listed will be withdrawn). */
static void check_violations(Db *db, int64_t id, const json_t *viol, size_t nitems_cur, RecSave *s,
                             json_t *errors) {
    s->viol = xcalloc(json_array_size(viol) + 1, sizeof *s->viol);
    s->has_violations = viol != NULL;
    if (viol && !json_is_array(viol))
        json_object_set_new(errors, "violations", json_string("违法行为格式不正确"));
    size_t idx;
    const json_t *vj;
    json_array_foreach(viol, idx, vj) {
        char key[48];
        snprintf(key, sizeof key, "violation%zu", idx + 1);
        s->nviol +=
            (size_t)check_violation(db, id, vj, nitems_cur, &s->viol[s->nviol], key, errors);
    }
}

void rec_save_check(Db *db, int64_t id, const json_t *in, const json_t *cur, const char *today,
                    RecSave *s, json_t *errors) {
    memset(s, 0, sizeof *s);
    Cats cats;
    cats_load(db, &cats);
    check_dates(db, id, in, cur, today, s, errors);
    if (json_object_get(in, "result_codes"))
        results_field(db, &cats, json_object_get(in, "result_codes"), &s->results, errors,
                      "result_codes");
    else
        s->results = xstrdup(json_string_value(json_object_get(cur, "result_codes")));
    if (json_object_get(in, "officers"))
        s->officers = check_officers(db, id, json_object_get(in, "officers"), errors);
    else
        s->officers = xstrdup(json_string_value(json_object_get(cur, "officers")));
    size_t nitems_cur = json_array_size(json_object_get(cur, "items"));
    check_items(db, &cats, json_object_get(in, "items"), nitems_cur, s, errors);
    check_violations(db, id, json_object_get(in, "violations"), nitems_cur, s, errors);
    s->remarks = field_text(in, "remarks", json_string_value(json_object_get(cur, "remarks")));
    s->notes = field_text(in, "notes", json_string_value(json_object_get(cur, "notes")));
    s->signer =
        field_text(in, "signer_name", json_string_value(json_object_get(cur, "signer_name")));
    s->refusal =
        field_text(in, "refusal_reason", json_string_value(json_object_get(cur, "refusal_reason")));
    if (utf8_len(s->remarks) > 2000)
        json_object_set_new(errors, "remarks", json_string("备注不能超过2000字"));
    if (utf8_len(s->notes) > 4000)
        json_object_set_new(errors, "notes", json_string("内部备注不能超过4000字"));
    s->fraud = field_flag(in, "fraud_purpose", json_is_true(json_object_get(cur, "fraud_purpose")));
    s->police =
        field_flag(in, "police_transfer", json_is_true(json_object_get(cur, "police_transfer")));
    cats_free(&cats);
}

void rec_save_free(RecSave *s) {
    for (size_t k = 0; k < s->nitems; k++)
        free(s->items[k].methods), free(s->items[k].result);
    free(s->items);
    free(s->viol);
    free(s->results);
    free(s->officers);
}
