/* record_save.c - the changes of a record's contents (record.h): validation of what the form or
 * the API sends against the record, its group and refdata, then the save under the optimistic
 * lock (the previous contents to record_version, version bumped), and the submission with its
 * requirements. Runs inside the caller's transaction (record_act.c opens it with the audit row). */
#include "../core/clock.h"
#include "record_impl.h"

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
    Stmt *st = db_prepare(db, "SELECT code, label, parent, coalesce(json_extract(attrs, '$.exclusive'), '0') FROM refdata "
                              "WHERE set_name = 'result_categories' ORDER BY position");
    if (!st) return;
    size_t cap = 0;
    while (db_step(st) == DB_ROW) {
        if (c->n == cap) c->v = xrealloc(c->v, (cap = cap ? cap * 2 : 16) * sizeof *c->v);
        const char *ex = db_col_text(st, 3);
        c->v[c->n++] = (RecordCat){xstrdup(db_col_text(st, 0)), xstrdup(db_col_text(st, 1)),
                                   db_col_text(st, 2) && *db_col_text(st, 2) ? xstrdup(db_col_text(st, 2)) : NULL,
                                   ex && (!strcmp(ex, "1") || !strcmp(ex, "是") || !strcmp(ex, "Y"))};
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
    db_query_int(db, &n, "SELECT count(*) FROM refdata WHERE set_name = ? AND code = ?", "tt", set, code);
    return n > 0;
}

/* Checks and normalizes a result list; the joined codes in *out or an error under key. */
static int results_field(Db *db, const Cats *cats, const json_t *v, char **out, json_t *errors, const char *key) {
    size_t n = 0;
    char **codes = rec_strv_from(v, &n);
    if (!codes && v && !json_is_null(v)) {
        json_object_set_new(errors, key, json_string("检查结果格式不正确"));
        return -1;
    }
    (void)db;
    char *why = NULL;
    const char **view = xcalloc(n + 1, sizeof *view);
    for (size_t i = 0; i < n; i++) view[i] = codes[i];
    size_t m = n;
    int rc = record_results_check(view, &m, cats->v, cats->n, &why);
    if (rc == 0) *out = strv_join(view, m);
    else json_object_set_new(errors, key, json_string(why));
    free(why);
    free(view);
    rec_strv_free(codes, n);
    return rc;
}

/* ---------------------------------------------------------------- save ---- */

static int editable_status(const char *s) { return str_eq(s, "待录入") || str_eq(s, "退回"); }

int rec_load_editable(Db *db, int64_t id, int64_t *version, char **err) {
    char *status = NULL;
    db_query_text(db, &status, "SELECT status FROM record WHERE id = ?", "i", id);
    if (!status) return set_err(err, "检查记录不存在"), REC_NOT_FOUND;
    int ok = editable_status(status);
    if (!ok) set_err(err, "检查记录状态为“%s”，不能再修改", status);
    free(status);
    if (!ok) return REC_CONFLICT;
    if (version) db_query_int(db, version, "SELECT version FROM record WHERE id = ?", "i", id);
    return REC_OK;
}

/* Writes the current contents to record_version and bumps version. */
static int version_bump(Db *db, int64_t id, const char *actor, char **err) {
    json_t *snap = rec_snapshot(db, id);
    if (!snap) return set_err(err, "检查记录不存在"), REC_NOT_FOUND;
    char *data = json_dumps(snap, JSON_COMPACT | JSON_SORT_KEYS);
    int64_t v = json_integer_value(json_object_get(snap, "version"));
    json_decref(snap);
    int rc = db_exec(db, "INSERT INTO record_version(record_id, version, data, changed_by, changed_at) VALUES (?, ?, ?, ?, ?)", "iittt",
                     id, v, data, actor, clock_stamp().s);
    free(data);
    /* the version read is the one replaced: a concurrent writer that got there first makes this 0 rows */
    if (rc == DB_OK)
        rc = db_exec(db, "UPDATE record SET version = version + 1, updated_at = ?, updated_by = ? WHERE id = ? AND version = ?", "ttii",
                     clock_stamp().s, actor, id, v);
    if (rc == DB_OK && db_changes(db) != 1)
        return set_err(err, "该记录已被他人修改，本次修改未保存；请刷新页面核对后重新录入"), REC_CONFLICT;
    return rc == DB_OK ? REC_OK : rec_fail_db(db, err);
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
    if (json_is_string(v)) return str_eq(json_string_value(v), "1") || str_eq(json_string_value(v), "on") || str_eq(json_string_value(v), "true");
    return cur;
}

static void check_date(json_t *errors, const char *key, const char *v, const char *today) {
    if (str_empty(v)) return;
    if (!date_valid(v)) json_object_set_new(errors, key, json_string("日期格式应为 YYYY-MM-DD"));
    else if (strcmp(v, today) > 0) json_object_set_new(errors, key, json_string("日期不能晚于今天"));
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

int record_save(Db *db, int64_t id, const json_t *in, int64_t version, const char *today, const char *actor, json_t *errors, char **err) {
    int64_t cur_version = 0;
    int rc = rec_load_editable(db, id, &cur_version, err);
    if (rc != REC_OK) return rc;
    if (version != cur_version) {
        set_err(err, "该记录已被他人修改（当前为第%lld版，您录入时为第%lld版），本次修改未保存；请刷新页面核对后重新录入",
                (long long)cur_version, (long long)version);
        return REC_CONFLICT;
    }
    json_t *cur = rec_snapshot(db, id);
    if (!cur) return set_err(err, "检查记录不存在"), REC_NOT_FOUND;
    int64_t draw_id = 0;
    char *target = NULL;
    db_query_int(db, &draw_id, "SELECT draw_id FROM record WHERE id = ?", "i", id);
    db_query_text(db, &target, "SELECT target_code FROM record WHERE id = ?", "i", id);
    Cats cats;
    cats_load(db, &cats);

    const char *from = field_text(in, "checked_from", json_string_value(json_object_get(cur, "checked_from")));
    const char *on = field_text(in, "checked_on", json_string_value(json_object_get(cur, "checked_on")));
    check_date(errors, "checked_from", from, today);
    check_date(errors, "checked_on", on, today);
    if (!str_empty(from) && !str_empty(on) && !json_object_get(errors, "checked_from") && !json_object_get(errors, "checked_on") &&
        strcmp(from, on) > 0)
        json_object_set_new(errors, "checked_from", json_string("检查开始日期不能晚于结束日期"));
    if (!str_empty(from) && str_empty(on)) json_object_set_new(errors, "checked_on", json_string("请填写检查结束日期"));

    char *results = NULL;
    if (json_object_get(in, "result_codes")) results_field(db, &cats, json_object_get(in, "result_codes"), &results, errors, "result_codes");
    else results = xstrdup(json_string_value(json_object_get(cur, "result_codes")));

    char *officers = NULL;
    if (json_object_get(in, "officers")) {
        size_t n = 0;
        char **v = rec_strv_from(json_object_get(in, "officers"), &n);
        Buf bad;
        buf_init(&bad);
        size_t k = 0;
        for (size_t i = 0; v && i < n; i++) {
            int dup = 0;
            for (size_t j = 0; j < k; j++) dup |= str_eq(v[j], v[i]);
            if (dup) continue;
            int64_t ok = 0;
            db_query_int(db, &ok, "SELECT count(*) FROM draw_member WHERE draw_id = ? AND target_code = ? AND member_code = ? "
                                  "AND status = '在组' AND role <> '专家'", "itt", draw_id, target, v[i]);
            if (!ok) buf_printf(&bad, "%s%s", bad.len ? "、" : "", v[i]);
            char *t = v[k];
            v[k++] = v[i];
            v[i] = t;
        }
        if (!v) json_object_set_new(errors, "officers", json_string("执法人员格式不正确"));
        else if (bad.len) {
            char *msg = xasprintf("不是本检查组在组的执法人员（专家不计入）：%s", bad.data);
            json_object_set_new(errors, "officers", json_string(msg));
            free(msg);
        }
        else if (k == 1) json_object_set_new(errors, "officers", json_string("须有至少两名执法人员参加检查（专家不计入）"));
        else officers = strv_join((const char *const *)v, k);
        buf_free(&bad);
        rec_strv_free(v, n);
    } else {
        officers = xstrdup(json_string_value(json_object_get(cur, "officers")));
    }

    /* items */
    const json_t *items = json_object_get(in, "items");
    size_t nitems_cur = json_array_size(json_object_get(cur, "items"));
    typedef struct ItemIn {
        int64_t pos;
        char *methods, *result;
        const char *notes;
    } ItemIn;
    ItemIn *iv = xcalloc(json_array_size(items) + 1, sizeof *iv);
    size_t niv = 0;
    if (items && !json_is_array(items)) json_object_set_new(errors, "items", json_string("检查事项格式不正确"));
    size_t idx;
    const json_t *it;
    json_array_foreach(items, idx, it) {
        int64_t pos = int_of(json_object_get(it, "position"));
        char key[48];
        if (pos < 1 || (size_t)pos > nitems_cur) {
            json_object_set_new(errors, "items", json_string("检查事项序号不存在"));
            continue;
        }
        ItemIn *x = &iv[niv++];
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
        if (json_object_get(it, "result")) results_field(db, &cats, json_object_get(it, "result"), &x->result, errors, key);
        if (!x->result) x->result = xstrdup("");
    }

    /* violations */
    const json_t *viol = json_object_get(in, "violations");
    typedef struct ViolIn {
        int64_t id, pos, cents;
        const char *category, *description;
    } ViolIn;
    ViolIn *vv = xcalloc(json_array_size(viol) + 1, sizeof *vv);
    size_t nvv = 0;
    if (viol && !json_is_array(viol)) json_object_set_new(errors, "violations", json_string("违法行为格式不正确"));
    const json_t *vj;
    json_array_foreach(viol, idx, vj) {
        ViolIn *x = &vv[nvv];
        x->id = int_of(json_object_get(vj, "id"));
        x->pos = int_of(json_object_get(vj, "item_position"));
        x->category = json_string_value(json_object_get(vj, "category"));
        x->description = json_string_value(json_object_get(vj, "description"));
        const json_t *amt = json_object_get(vj, "amount");
        const char *amount = json_string_value(amt);
        char key[48];
        snprintf(key, sizeof key, "violation%zu", idx + 1);
        if (str_empty(x->category) && str_empty(amount) && str_empty(x->description) && !json_is_integer(amt)) continue; /* blank row */
        nvv++;
        if (str_empty(x->category) || !ref_has(db, "violation_categories", x->category)) {
            json_object_set_new(errors, key, json_string("请选择违法行为类别（《医疗保障基金使用监督管理条例》第三十八至四十一条）"));
            continue;
        }
        if (json_is_integer(amt) && json_integer_value(amt) >= 0) x->cents = json_integer_value(amt) * 100;
        else if (!str_empty(amount) && money_parse_yuan(amount, &x->cents) != 0) {
            json_object_set_new(errors, key, json_string("涉及金额格式不正确，应为以元为单位的金额，如 12,345.60"));
            continue;
        }
        if (x->pos < 0 || (size_t)x->pos > nitems_cur) json_object_set_new(errors, key, json_string("所属检查事项不存在"));
        if (x->id) {
            int64_t ok = 0;
            db_query_int(db, &ok, "SELECT count(*) FROM record_violation WHERE id = ? AND record_id = ? AND status = '有效'", "ii", x->id, id);
            if (!ok) json_object_set_new(errors, key, json_string("违法行为记录不存在或已撤销"));
        }
    }

    const char *remarks = field_text(in, "remarks", json_string_value(json_object_get(cur, "remarks")));
    const char *notes = field_text(in, "notes", json_string_value(json_object_get(cur, "notes")));
    const char *signer = field_text(in, "signer_name", json_string_value(json_object_get(cur, "signer_name")));
    const char *refusal = field_text(in, "refusal_reason", json_string_value(json_object_get(cur, "refusal_reason")));
    if (utf8_len(remarks) > 2000) json_object_set_new(errors, "remarks", json_string("备注不能超过2000字"));
    if (utf8_len(notes) > 4000) json_object_set_new(errors, "notes", json_string("内部备注不能超过4000字"));
    int fraud = field_flag(in, "fraud_purpose", json_is_true(json_object_get(cur, "fraud_purpose")));
    int police = field_flag(in, "police_transfer", json_is_true(json_object_get(cur, "police_transfer")));

    if (json_object_size(errors)) {
        rc = REC_INVALID;
        set_err(err, "录入内容有误，请按提示修改");
    } else {
        rc = version_bump(db, id, actor, err);
    }
    if (rc == REC_OK &&
        db_exec(db, "UPDATE record SET checked_from = ?, checked_on = ?, result_codes = ?, remarks = ?, notes = ?, officers = ?, "
                    "signer_name = ?, refusal_reason = ?, fraud_purpose = ?, police_transfer = ? WHERE id = ?",
                "ttttttttiii", str_empty(from) ? NULL : from, str_empty(on) ? NULL : on, results ? results : "", remarks ? remarks : "",
                notes ? notes : "", officers ? officers : "", str_empty(signer) ? NULL : signer, str_empty(refusal) ? NULL : refusal,
                (int64_t)fraud, (int64_t)police, id) != DB_OK)
        rc = rec_fail_db(db, err);
    for (size_t k = 0; rc == REC_OK && k < niv; k++)
        if (db_exec(db, "UPDATE record_item SET methods = ?, result = ?, notes = coalesce(?, notes) WHERE record_id = ? AND position = ?",
                    "tttii", iv[k].methods, iv[k].result, iv[k].notes, id, iv[k].pos) != DB_OK)
            rc = rec_fail_db(db, err);
    if (rc == REC_OK && viol) {
        /* withdraw the active violations not listed any more, then update or add */
        Stmt *st = db_prepare(db, "SELECT id FROM record_violation WHERE record_id = ? AND status = '有效'");
        int64_t *drop = NULL;
        size_t ndrop = 0, dcap = 0;
        if (st) {
            db_bind_int(st, 1, id);
            while (db_step(st) == DB_ROW) {
                int64_t vid = db_col_int(st, 0);
                int kept = 0;
                for (size_t k = 0; k < nvv; k++) kept |= vv[k].id == vid;
                if (!kept) {
                    if (ndrop == dcap) drop = xrealloc(drop, (dcap = dcap ? dcap * 2 : 4) * sizeof *drop);
                    drop[ndrop++] = vid;
                }
            }
            db_finalize(st);
        }
        for (size_t k = 0; rc == REC_OK && k < ndrop; k++)
            if (db_exec(db, "UPDATE record_violation SET status = '已撤销', status_reason = '录入时删除' WHERE id = ?", "i", drop[k]) != DB_OK)
                rc = rec_fail_db(db, err);
        free(drop);
        for (size_t k = 0; rc == REC_OK && k < nvv; k++) {
            ViolIn *x = &vv[k];
            Stmt *w = db_prepare(db, x->id ? "UPDATE record_violation SET item_position = ?, category = ?, amount_cents = ?, description = ? "
                                             "WHERE id = ? AND record_id = ?"
                                           : "INSERT INTO record_violation(item_position, category, amount_cents, description, created_by, "
                                             "record_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
            if (!w) {
                rc = rec_fail_db(db, err);
                break;
            }
            if (x->pos > 0) db_bind_int(w, 1, x->pos);
            else db_bind_null(w, 1);
            db_bind_text(w, 2, x->category);
            db_bind_int(w, 3, x->cents);
            db_bind_text(w, 4, x->description ? x->description : "");
            if (x->id) db_bind_int(w, 5, x->id);
            else db_bind_text(w, 5, actor);
            db_bind_int(w, 6, id);
            if (!x->id) db_bind_text(w, 7, clock_stamp().s);
            if (db_step(w) != DB_DONE) rc = rec_fail_db(db, err);
            db_finalize(w);
        }
    }
    for (size_t k = 0; k < niv; k++) free(iv[k].methods), free(iv[k].result);
    free(iv);
    free(vv);
    free(results);
    free(officers);
    free(target);
    cats_free(&cats);
    json_decref(cur);
    return rc;
}

/* ---------------------------------------------------------------- submit ---- */

int record_submit(Db *db, int64_t id, const char *today, const char *actor, json_t *errors, char **err) {
    char *status = NULL;
    db_query_text(db, &status, "SELECT status FROM record WHERE id = ?", "i", id);
    int rc = rec_load_editable(db, id, NULL, err);
    if (rc != REC_OK) {
        free(status);
        return rc;
    }
    json_t *s = rec_snapshot(db, id);
    json_t *items = json_object_get(s, "items"), *it;
    size_t n = json_array_size(items), i;
    RecordSubmitItem *iv = xcalloc(n + 1, sizeof *iv);
    json_array_foreach(items, i, it) {
        iv[i].name = json_string_value(json_object_get(it, "item_name"));
        iv[i].methods = json_string_value(json_object_get(it, "methods"));
        iv[i].result = json_string_value(json_object_get(it, "result"));
    }
    int64_t sig = 0;
    db_query_int(db, &sig, "SELECT count(*) FROM record r JOIN record_file f ON f.id = r.signature_file_id "
                           "WHERE r.id = ? AND f.status = '有效' AND f.kind = 'signature'", "i", id);
    size_t nofficers = 0;
    char **ov = rec_strv_from(json_object_get(s, "officers"), &nofficers);
    rec_strv_free(ov, nofficers);
    RecordSubmitView v = {
        .checked_on = json_string_value(json_object_get(s, "checked_on")),
        .result_codes = json_string_value(json_object_get(s, "result_codes")),
        .items = iv,
        .nitems = n,
        .officers = (int)nofficers,
        .signer_name = json_string_value(json_object_get(s, "signer_name")),
        .refusal_reason = json_string_value(json_object_get(s, "refusal_reason")),
        .has_signature = sig > 0,
    };
    if (record_submit_check(&v, errors) > 0) {
        rc = REC_INVALID;
        set_err(err, "尚不能提交审核，请补全以下内容");
    } else if (db_exec(db, "UPDATE record SET status = '待审核', submitted_at = ?1, submitted_by = ?2, updated_at = ?1, "
                           "updated_by = ?2 WHERE id = ?3", "tti", clock_stamp().s, actor, id) != DB_OK ||
               db_exec(db, "INSERT INTO record_event(record_id, action, from_status, to_status, on_day, by_user, at) "
                           "VALUES (?, '提交', ?, '待审核', ?, ?, ?)",
                       "itttt", id, status, today, actor, clock_stamp().s) != DB_OK) {
        rc = rec_fail_db(db, err);
    }
    free(iv);
    json_decref(s);
    free(status);
    return rc;
}
