/* record.c - the record form 一企一表 (see record.h): pure rules first (amounts, file types by
 * magic bytes, result categories, submit requirements, the entry deadline), then storage (sync
 * from the draw, view, save with optimistic lock and versions, submit, files).
 *
 * Invariants: a record's contents change only in 待录入/退回 and each change first writes the
 * previous contents to record_version(version) and then bumps record.version; files are written
 * to disk before their row; nothing is deleted (violations and files are withdrawn by status).
 * Reference lists (result, violation categories, inspection methods) come from the refdata
 * table. Called by the units of work of record_act.c and, for reads, the record pages. */
#include "../core/clock.h"
#include "record.h"

#include "../core/money.h"
#include "../core/util.h"
#include "deadline.h"
#include "draw_sha256.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- pure rules ---- */

const char *record_sniff(const char *kind, const unsigned char *p, size_t n) {
    int photo = str_eq(kind, "photo"), video = str_eq(kind, "video"), sig = str_eq(kind, "signature");
    if (!p) return NULL;
    if ((photo || sig) && n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8)) return "image/png";
    if (sig) return NULL;
    if (photo && n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) return "image/jpeg";
    if (photo && n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4)) return "image/webp";
    if (video && n >= 12 && !memcmp(p + 4, "ftyp", 4)) return !memcmp(p + 8, "qt  ", 4) ? "video/quicktime" : "video/mp4";
    if (video && n >= 8 && (!memcmp(p + 4, "moov", 4) || !memcmp(p + 4, "mdat", 4) || !memcmp(p + 4, "wide", 4)))
        return "video/quicktime";
    if (video && n >= 4 && !memcmp(p, "\x1a\x45\xdf\xa3", 4)) return "video/webm";
    return NULL;
}

size_t record_file_limit(const char *kind) {
    if (str_eq(kind, "photo")) return RECORD_PHOTO_MAX;
    if (str_eq(kind, "video")) return RECORD_VIDEO_MAX;
    if (str_eq(kind, "signature")) return RECORD_SIGNATURE_MAX;
    return 0;
}

static const RecordCat *cat_find(const RecordCat *cats, size_t ncats, const char *code) {
    for (size_t i = 0; i < ncats; i++)
        if (str_eq(cats[i].code, code)) return &cats[i];
    return NULL;
}

int record_results_check(const char **codes, size_t *n, const RecordCat *cats, size_t ncats, char **why) {
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) { /* drop blanks and duplicates, reject unknown codes */
        if (str_empty(codes[i])) continue;
        if (!cat_find(cats, ncats, codes[i])) return set_err(why, "未知的检查结果类别：%s", codes[i]), -1;
        int dup = 0;
        for (size_t j = 0; j < k; j++) dup |= str_eq(codes[j], codes[i]);
        if (!dup) codes[k++] = codes[i];
    }
    size_t m = 0;
    for (size_t i = 0; i < k; i++) { /* a parent chosen with its child: the child says more */
        int has_child = 0;
        for (size_t j = 0; j < k; j++) has_child |= j != i && str_eq(cat_find(cats, ncats, codes[j])->parent, codes[i]);
        if (!has_child) codes[m++] = codes[i];
    }
    *n = m;
    for (size_t i = 0; i < m && m > 1; i++) {
        const RecordCat *c = cat_find(cats, ncats, codes[i]);
        if (c->exclusive) return set_err(why, "“%s”只能单独选择，不能与其他检查结果同时选择", c->label ? c->label : c->code), -1;
    }
    return 0;
}

int record_submit_check(const RecordSubmitView *v, json_t *errors) {
    int n = 0;
    if (str_empty(v->checked_on)) json_object_set_new(errors, "checked_on", json_string("请填写检查结束日期")), n++;
    if (str_empty(v->result_codes)) json_object_set_new(errors, "result_codes", json_string("请选择检查结果")), n++;
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < v->nitems; i++) {
        const RecordSubmitItem *it = &v->items[i];
        int nm = str_empty(it->methods), nr = str_empty(it->result);
        if (!nm && !nr) continue;
        buf_printf(&b, "%s第%zu项“%s”未填写%s", b.len ? "；" : "", i + 1, it->name ? it->name : "",
                   nm && nr ? "核查方式和检查结果" : nm ? "核查方式" : "检查结果");
    }
    if (b.len) json_object_set_new(errors, "items", json_string(b.data)), n++;
    buf_free(&b);
    if (v->officers < 2) json_object_set_new(errors, "officers", json_string("须有至少两名执法人员参加检查（专家不计入）")), n++;
    int signed_ok = v->has_signature && !str_empty(v->signer_name);
    if (!signed_ok && str_empty(v->refusal_reason))
        json_object_set_new(errors, "signature", json_string("须有被检查单位代表的签名（含签名人姓名），或填写拒绝签名的理由")), n++;
    return n;
}

static int days_in_month(int y, int m) {
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return d[m - 1];
}

int record_deadline(const Calendar *cal, const char *checked_on, const char *month_to, const char *today, char deadline[11],
                    char state[64], int *overdue) {
    char start[11] = "";
    deadline[0] = 0;
    *overdue = 0;
    snprintf(state, 64, "期限未知");
    if (!str_empty(checked_on)) {
        snprintf(start, sizeof start, "%s", checked_on);
    } else if (month_to && strlen(month_to) >= 7) {
        int y = atoi(month_to), m = atoi(month_to + 5);
        if (m < 1 || m > 12) return CAL_INVALID;
        snprintf(start, sizeof start, "%04d-%02d-%02d", y, m, days_in_month(y, m));
    }
    if (!cal || !date_valid(start) || !date_valid(today)) return cal ? CAL_INVALID : CAL_UNKNOWN;
    int rc = calendar_add_workdays(cal, start, RECORD_ENTRY_DAYS, deadline);
    if (rc < 0) {
        deadline[0] = 0;
        return rc;
    }
    /* a deadline counted over a provisional year: 预计今日到期, 预计剩余…, 预计逾期… */
    const int prov = rc == CAL_PROVISIONAL;
    const char *pre = prov ? "预计" : "";
    int n = 0;
    if (strcmp(today, deadline) == 0) {
        snprintf(state, 64, "%s今日到期", pre);
    } else if (strcmp(today, deadline) < 0) {
        if ((rc = calendar_workdays_between(cal, today, deadline, &n)) < 0) return rc;
        snprintf(state, 64, "%s剩余%d个工作日", pre, n);
    } else {
        *overdue = 1;
        if (calendar_workdays_between(cal, deadline, today, &n) >= 0 && n > 0)
            snprintf(state, 64, "%s逾期%d个工作日", prov ? "预计" : "已", n);
        else
            snprintf(state, 64, "%s逾期", prov ? "预计" : "已");
    }
    return prov ? CAL_PROVISIONAL : CAL_OK;
}

/* ---------------------------------------------------------------- helpers ---- */

static int fail_db(Db *db, char **err) {
    set_err(err, "数据库错误：%s", db_errmsg(db));
    return REC_ERR;
}

/* A string list from a JSON array of strings or a ',' / '、' separated string. Returns a new
 * array of new strings (free with strv_free), *n set; NULL for anything else. */
static char **strv_from(const json_t *v, size_t *n) {
    *n = 0;
    char **out = NULL;
    if (json_is_array(v)) {
        out = xcalloc(json_array_size(v) + 1, sizeof *out);
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e) {
            if (!json_is_string(e)) continue;
            char *s = str_trim(xstrdup(json_string_value(e)));
            if (*s) out[(*n)++] = s;
            else free(s);
        }
        return out;
    }
    if (!json_is_string(v)) return NULL;
    const char *s = json_string_value(v);
    out = xcalloc(strlen(s) / 1 + 2, sizeof *out);
    const char *p = s;
    while (*p) {
        const char *e = p;
        while (*e && *e != ',' && strncmp(e, "、", strlen("、")) != 0) e++;
        char *t = str_trim(xstrndup(p, (size_t)(e - p)));
        if (*t) out[(*n)++] = t;
        else free(t);
        p = *e == ',' ? e + 1 : *e ? e + strlen("、") : e;
    }
    return out;
}

static void strv_free(char **v, size_t n) {
    for (size_t i = 0; v && i < n; i++) free(v[i]);
    free(v);
}

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

static json_t *split_json(const char *list) {
    json_t *a = json_array();
    size_t n = 0;
    json_t *s = json_string(list ? list : "");
    char **v = strv_from(s, &n);
    json_decref(s);
    for (size_t i = 0; i < n; i++) json_array_append_new(a, json_string(v[i]));
    strv_free(v, n);
    return a;
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

static char *ref_label(Db *db, const char *set, const char *code) {
    char *s = NULL;
    db_query_text(db, &s, "SELECT label FROM refdata WHERE set_name = ? AND code = ?", "tt", set, code);
    return s ? s : xstrdup(code ? code : "");
}

/* Checks and normalizes a result list; the joined codes in *out or an error under key. */
static int results_field(Db *db, const Cats *cats, const json_t *v, char **out, json_t *errors, const char *key) {
    size_t n = 0;
    char **codes = strv_from(v, &n);
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
    strv_free(codes, n);
    return rc;
}

/* ---------------------------------------------------------------- sync ---- */

typedef struct Item {
    int64_t dept_id;
    char *dept_name, *code, *name;
} Item;

static void item_add(Item **v, size_t *n, size_t *cap, int64_t dept_id, const char *dept, const char *code, const char *name) {
    if (*n == *cap) *v = xrealloc(*v, (*cap = *cap ? *cap * 2 : 8) * sizeof **v);
    (*v)[(*n)++] = (Item){dept_id, xstrdup(dept ? dept : ""), code ? xstrdup(code) : NULL, xstrdup(name)};
}

/* Splits a joint dept's items text on new lines, 、 ， ； and ';'. */
static void joint_items(const char *text, int64_t dept_id, const char *dept, Item **v, size_t *n, size_t *cap) {
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
    Stmt *st = db_prepare(db, "SELECT t.code, t.item_codes, t.org_id, coalesce(t.lead_dept_id, 0), d.name FROM task t "
                              "LEFT JOIN dept d ON d.id = t.lead_dept_id WHERE t.id = ?");
    if (!st) return fail_db(db, err);
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
    db_query_int(db, &draw_id, "SELECT id FROM draw WHERE task_code = ? AND status = '已抽取'", "t", code);
    Item *items = NULL;
    size_t nitems = 0, cap = 0;
    if (draw_id) {
        json_t *cj = json_string(item_codes);
        size_t nc = 0;
        char **codes = strv_from(cj, &nc);
        json_decref(cj);
        for (size_t i = 0; i < nc; i++) {
            Stmt *is = db_prepare(db, "SELECT i.name, i.dept_id, d.name FROM item i JOIN dept d ON d.id = i.dept_id WHERE i.code = ?");
            int found = 0;
            if (is) {
                db_bind_text(is, 1, codes[i]);
                if (db_step(is) == DB_ROW)
                    found = 1, item_add(&items, &nitems, &cap, db_col_int(is, 1), db_col_text(is, 2), codes[i], db_col_text(is, 0));
                db_finalize(is);
            }
            if (!found) item_add(&items, &nitems, &cap, lead, lead_name, codes[i], codes[i]);
        }
        strv_free(codes, nc);
        Stmt *js = db_prepare(db, "SELECT j.dept_id, d.name, j.items_text FROM task_joint j JOIN dept d ON d.id = j.dept_id "
                                  "WHERE j.task_id = ? AND j.status = '已确认' ORDER BY j.named_on, j.dept_id");
        if (js) {
            db_bind_int(js, 1, task_id);
            while (db_step(js) == DB_ROW) joint_items(db_col_text(js, 2), db_col_int(js, 0), db_col_text(js, 1), &items, &nitems, &cap);
            db_finalize(js);
        }
        Stmt *ts = db_prepare(db, "SELECT dt.target_code, g.id FROM draw_target dt LEFT JOIN target g ON g.code = dt.target_code "
                                  "WHERE dt.draw_id = ? AND dt.status = '有效' AND NOT EXISTS (SELECT 1 FROM record r "
                                  "WHERE r.draw_id = dt.draw_id AND r.target_code = dt.target_code) ORDER BY dt.position");
        if (!ts) rc = fail_db(db, err);
        else {
            db_bind_int(ts, 1, draw_id);
            while (rc == REC_OK && db_step(ts) == DB_ROW) {
                int64_t gid = db_col_int(ts, 1);
                if (db_exec(db, "INSERT INTO record(task_id, draw_id, org_id, target_code, target_id, created_at, updated_at) "
                                "VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?5)", "iiitt",
                            task_id, draw_id, org, db_col_text(ts, 0), clock_stamp().s) != DB_OK) {
                    rc = fail_db(db, err);
                    break;
                }
                int64_t rid = db_last_id(db);
                if (gid && db_exec(db, "UPDATE record SET target_id = ? WHERE id = ?", "ii", gid, rid) != DB_OK) rc = fail_db(db, err);
                for (size_t i = 0; rc == REC_OK && i < nitems; i++) {
                    Stmt *ins = db_prepare(db, "INSERT INTO record_item(record_id, position, dept_id, dept_name, item_code, item_name) "
                                               "VALUES (?, ?, ?, ?, ?, ?)");
                    if (!ins) {
                        rc = fail_db(db, err);
                        break;
                    }
                    db_bind_int(ins, 1, rid);
                    db_bind_int(ins, 2, (int64_t)i + 1);
                    if (items[i].dept_id) db_bind_int(ins, 3, items[i].dept_id);
                    else db_bind_null(ins, 3);
                    db_bind_text(ins, 4, items[i].dept_name);
                    db_bind_text(ins, 5, items[i].code);
                    db_bind_text(ins, 6, items[i].name);
                    if (db_step(ins) != DB_DONE) rc = fail_db(db, err);
                    db_finalize(ins);
                }
                if (rc == REC_OK && created) (*created)++;
            }
            db_finalize(ts);
        }
    }
    for (size_t i = 0; i < nitems; i++) free(items[i].dept_name), free(items[i].code), free(items[i].name);
    free(items);
    free(code);
    free(item_codes);
    free(lead_name);
    return rc;
}

/* ---------------------------------------------------------------- view ---- */

static json_t *text_or_null(const char *s) { return s ? json_string(s) : json_null(); }

/* The record's contents (record fields, items, active violations) as stored: the snapshot kept
 * in record_version before each change. New reference or NULL. */
static json_t *snapshot(Db *db, int64_t id) {
    json_t *o = NULL;
    Stmt *st = db_prepare(db, "SELECT version, status, checked_from, checked_on, result_codes, remarks, notes, officers, signer_name, "
                              "signature_file_id, refusal_reason, fraud_purpose, police_transfer, org_id FROM record WHERE id = ?");
    if (!st) return NULL;
    db_bind_int(st, 1, id);
    if (db_step(st) == DB_ROW) {
        char org[24];
        snprintf(org, sizeof org, "%lld", (long long)db_col_int(st, 13));
        o = json_pack("{s:I, s:I, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:b, s:s}", "id", (json_int_t)id, "version",
                      (json_int_t)db_col_int(st, 0), "status", db_col_text(st, 1), "checked_from", text_or_null(db_col_text(st, 2)),
                      "checked_on", text_or_null(db_col_text(st, 3)), "result_codes", db_col_text(st, 4), "remarks", db_col_text(st, 5),
                      "notes", db_col_text(st, 6), "officers", db_col_text(st, 7), "signer_name", text_or_null(db_col_text(st, 8)),
                      "signature_file_id", db_col_is_null(st, 9) ? json_null() : json_integer(db_col_int(st, 9)), "refusal_reason",
                      text_or_null(db_col_text(st, 10)), "fraud_purpose", (int)db_col_int(st, 11), "police_transfer",
                      (int)db_col_int(st, 12), "org_id", org);
    }
    db_finalize(st);
    if (!o) return NULL;
    json_t *items = json_array(), *viol = json_array();
    st = db_prepare(db, "SELECT position, dept_name, item_name, methods, result, notes FROM record_item WHERE record_id = ? ORDER BY position");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "position", (json_int_t)db_col_int(st, 0), "dept_name",
                                                   db_col_text(st, 1), "item_name", db_col_text(st, 2), "methods", db_col_text(st, 3),
                                                   "result", db_col_text(st, 4), "notes", db_col_text(st, 5)));
        db_finalize(st);
    }
    st = db_prepare(db, "SELECT id, item_position, category, amount_cents, description FROM record_violation "
                        "WHERE record_id = ? AND status = '有效' ORDER BY id");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(viol, json_pack("{s:I, s:o, s:s, s:I, s:s}", "id", (json_int_t)db_col_int(st, 0), "item_position",
                                                  db_col_is_null(st, 1) ? json_null() : json_integer(db_col_int(st, 1)), "category",
                                                  db_col_text(st, 2), "amount_cents", (json_int_t)db_col_int(st, 3), "description",
                                                  db_col_text(st, 4)));
        db_finalize(st);
    }
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "violations", viol);
    return o;
}

char *record_snapshot_text(Db *db, int64_t id) {
    json_t *s = snapshot(db, id);
    char *t = s ? json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(s);
    return t;
}

static json_t *labelled(Db *db, const char *set, const char *list) {
    json_t *a = split_json(list), *out = json_array(), *e;
    size_t i;
    json_array_foreach(a, i, e) {
        char *l = ref_label(db, set, json_string_value(e));
        json_array_append_new(out, json_pack("{s:s, s:s}", "code", json_string_value(e), "label", l));
        free(l);
    }
    json_decref(a);
    return out;
}

json_t *record_json(Db *db, int64_t id, const Calendar *cal, const char *today) {
    json_t *o = snapshot(db, id);
    if (!o) return NULL;
    Stmt *st = db_prepare(db, "SELECT r.task_id, t.code, t.name, r.draw_id, r.target_code, coalesce(g.name, r.target_code), g.kind, "
                              "t.month_to, r.submitted_at, r.submitted_by, r.review_opinion, o.name, r.updated_at, r.updated_by "
                              "FROM record r JOIN task t ON t.id = r.task_id JOIN org o ON o.id = r.org_id "
                              "LEFT JOIN target g ON g.code = r.target_code WHERE r.id = ?");
    if (!st) {
        json_decref(o);
        return NULL;
    }
    db_bind_int(st, 1, id);
    int64_t draw_id = 0;
    char *target = NULL;
    if (db_step(st) == DB_ROW) {
        draw_id = db_col_int(st, 3);
        target = xstrdup(db_col_text(st, 4));
        const char *status = json_string_value(json_object_get(o, "status"));
        char deadline[11], state[64];
        int overdue = 0;
        int drc = record_deadline(cal, json_string_value(json_object_get(o, "checked_on")), db_col_text(st, 7), today, deadline,
                                  state, &overdue);
        int editable = str_eq(status, "待录入") || str_eq(status, "退回");
        json_object_set_new(o, "task_id", json_integer(db_col_int(st, 0)));
        json_object_set_new(o, "task_code", json_string(db_col_text(st, 1)));
        json_object_set_new(o, "task_name", json_string(db_col_text(st, 2)));
        json_object_set_new(o, "draw_id", json_integer(draw_id));
        json_object_set_new(o, "target_code", json_string(target));
        json_object_set_new(o, "target_name", json_string(db_col_text(st, 5)));
        json_object_set_new(o, "org_name", json_string(db_col_text(st, 11)));
        json_object_set_new(o, "deadline", json_string(deadline));
        deadline_json_set(o, "deadline_text", "provisional", deadline, drc == CAL_PROVISIONAL);
        json_object_set_new(o, "deadline_state", json_string(editable ? state : "已提交"));
        json_object_set_new(o, "overdue", json_boolean(editable && overdue));
        json_object_set_new(o, "editable", json_boolean(editable));
        json_object_set_new(o, "returned", json_boolean(str_eq(status, "退回")));
        json_object_set_new(o, "submitted_at", text_or_null(db_col_text(st, 8)));
        json_object_set_new(o, "submitted_by", text_or_null(db_col_text(st, 9)));
        json_object_set_new(o, "review_opinion", text_or_null(db_col_text(st, 10)));
        json_object_set_new(o, "updated_at", json_string(db_col_text(st, 12)));
        json_object_set_new(o, "updated_by", text_or_null(db_col_text(st, 13)));
    }
    db_finalize(st);
    /* lists for the form */
    const char *rc_list = json_string_value(json_object_get(o, "result_codes"));
    json_object_set_new(o, "results", labelled(db, "result_categories", rc_list));
    json_object_set_new(o, "result_list", split_json(rc_list));
    json_t *officers = split_json(json_string_value(json_object_get(o, "officers")));
    json_t *members = json_array();
    st = db_prepare(db, "SELECT m.member_code, m.role, coalesce(f.name, e.name, m.member_code) FROM draw_member m "
                        "LEFT JOIN officer f ON f.cert_no = m.member_code LEFT JOIN expert e ON e.code = m.member_code "
                        "WHERE m.draw_id = ? AND m.target_code = ? AND m.status = '在组' ORDER BY m.role <> '组长', m.role = '专家', m.member_code");
    if (st) {
        db_bind_int(st, 1, draw_id);
        db_bind_text(st, 2, target);
        while (db_step(st) == DB_ROW) {
            int present = 0;
            size_t i;
            json_t *e;
            json_array_foreach(officers, i, e) present |= str_eq(json_string_value(e), db_col_text(st, 0));
            json_array_append_new(members, json_pack("{s:s, s:s, s:s, s:b, s:b}", "cert_no", db_col_text(st, 0), "role", db_col_text(st, 1),
                                                     "name", db_col_text(st, 2), "officer", !str_eq(db_col_text(st, 1), "专家"), "present",
                                                     present));
        }
        db_finalize(st);
    }
    free(target);
    json_object_set_new(o, "officer_list", officers);
    json_object_set_new(o, "members", members);
    /* items with their lists split and labelled */
    json_t *items = json_object_get(o, "items"), *it;
    size_t i;
    json_array_foreach(items, i, it) {
        const char *m = json_string_value(json_object_get(it, "methods")), *r = json_string_value(json_object_get(it, "result"));
        json_object_set_new(it, "method_list", split_json(m));
        json_object_set_new(it, "result_list", split_json(r));
        json_object_set_new(it, "method_labels", labelled(db, "inspection_methods", m));
        json_object_set_new(it, "result_labels", labelled(db, "result_categories", r));
    }
    json_t *viol = json_object_get(o, "violations"), *v;
    json_array_foreach(viol, i, v) {
        char amount[40];
        money_format_yuan(json_integer_value(json_object_get(v, "amount_cents")), amount);
        json_object_set_new(v, "amount", json_string(amount));
        char *l = ref_label(db, "violation_categories", json_string_value(json_object_get(v, "category")));
        json_object_set_new(v, "category_label", json_string(l));
        free(l);
    }
    json_t *files = json_array();
    st = db_prepare(db, "SELECT id, kind, mime, size, sha256, coalesce(original_name, ''), status, status_reason, uploaded_at, uploaded_by "
                        "FROM record_file WHERE record_id = ? ORDER BY id");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW) {
            const char *kind = db_col_text(st, 1);
            json_array_append_new(files, json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:o, s:s, s:o, s:b, s:b, s:b, s:b}", "id",
                                                   (json_int_t)db_col_int(st, 0), "kind", kind, "mime", db_col_text(st, 2), "size",
                                                   (json_int_t)db_col_int(st, 3), "sha256", db_col_text(st, 4), "original_name",
                                                   db_col_text(st, 5), "status", db_col_text(st, 6), "status_reason",
                                                   text_or_null(db_col_text(st, 7)), "uploaded_at", db_col_text(st, 8), "uploaded_by",
                                                   text_or_null(db_col_text(st, 9)), "active", str_eq(db_col_text(st, 6), "有效"),
                                                   "is_photo", str_eq(kind, "photo"), "is_video", str_eq(kind, "video"), "is_signature",
                                                   str_eq(kind, "signature")));
        }
        db_finalize(st);
    }
    json_object_set_new(o, "files", files);
    json_t *versions = json_array(), *events = json_array();
    st = db_prepare(db, "SELECT version, changed_at, coalesce(changed_by, '') FROM record_version WHERE record_id = ? ORDER BY version DESC");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(versions, json_pack("{s:I, s:s, s:s}", "version", (json_int_t)db_col_int(st, 0), "changed_at",
                                                      db_col_text(st, 1), "changed_by", db_col_text(st, 2)));
        db_finalize(st);
    }
    st = db_prepare(db, "SELECT action, from_status, to_status, coalesce(opinion, ''), at, on_day, coalesce(by_user, '') FROM record_event "
                        "WHERE record_id = ? ORDER BY id");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(events, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "action", db_col_text(st, 0), "from_status",
                                                    db_col_text(st, 1), "to_status", db_col_text(st, 2), "opinion", db_col_text(st, 3), "at",
                                                    db_col_text(st, 4), "on_day", db_col_text(st, 5), "by_user", db_col_text(st, 6)));
        db_finalize(st);
    }
    json_object_set_new(o, "versions", versions);
    json_object_set_new(o, "events", events);
    return o;
}

/* ---------------------------------------------------------------- save ---- */

static int editable_status(const char *s) { return str_eq(s, "待录入") || str_eq(s, "退回"); }

/* Loads status and version; REC_NOT_FOUND / REC_CONFLICT (not editable) with *err. */
static int load_editable(Db *db, int64_t id, int64_t *version, char **err) {
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
    json_t *snap = snapshot(db, id);
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
    return rc == DB_OK ? REC_OK : fail_db(db, err);
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
    int rc = load_editable(db, id, &cur_version, err);
    if (rc != REC_OK) return rc;
    if (version != cur_version) {
        set_err(err, "该记录已被他人修改（当前为第%lld版，您录入时为第%lld版），本次修改未保存；请刷新页面核对后重新录入",
                (long long)cur_version, (long long)version);
        return REC_CONFLICT;
    }
    json_t *cur = snapshot(db, id);
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
        char **v = strv_from(json_object_get(in, "officers"), &n);
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
        strv_free(v, n);
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
        char **m = strv_from(json_object_get(it, "methods"), &nm);
        for (size_t k = 0; m && k < nm; k++)
            if (!ref_has(db, "inspection_methods", m[k])) {
                snprintf(key, sizeof key, "item%lld_methods", (long long)pos);
                char *msg = xasprintf("未知的核查方式：%s", m[k]);
                json_object_set_new(errors, key, json_string(msg));
                free(msg);
                break;
            }
        x->methods = m ? strv_join((const char *const *)m, nm) : xstrdup("");
        strv_free(m, nm);
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
        rc = fail_db(db, err);
    for (size_t k = 0; rc == REC_OK && k < niv; k++)
        if (db_exec(db, "UPDATE record_item SET methods = ?, result = ?, notes = coalesce(?, notes) WHERE record_id = ? AND position = ?",
                    "tttii", iv[k].methods, iv[k].result, iv[k].notes, id, iv[k].pos) != DB_OK)
            rc = fail_db(db, err);
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
                rc = fail_db(db, err);
        free(drop);
        for (size_t k = 0; rc == REC_OK && k < nvv; k++) {
            ViolIn *x = &vv[k];
            Stmt *w = db_prepare(db, x->id ? "UPDATE record_violation SET item_position = ?, category = ?, amount_cents = ?, description = ? "
                                             "WHERE id = ? AND record_id = ?"
                                           : "INSERT INTO record_violation(item_position, category, amount_cents, description, created_by, "
                                             "record_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
            if (!w) {
                rc = fail_db(db, err);
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
            if (db_step(w) != DB_DONE) rc = fail_db(db, err);
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
    int rc = load_editable(db, id, NULL, err);
    if (rc != REC_OK) {
        free(status);
        return rc;
    }
    json_t *s = snapshot(db, id);
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
    char **ov = strv_from(json_object_get(s, "officers"), &nofficers);
    strv_free(ov, nofficers);
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
        rc = fail_db(db, err);
    }
    free(iv);
    json_decref(s);
    free(status);
    return rc;
}

/* ---------------------------------------------------------------- files ---- */

char *record_files_dir(const char *db_path) {
    const char *slash = db_path ? strrchr(db_path, '/') : NULL;
    if (!slash) return xstrdup("files");
    return xasprintf("%.*s/files", (int)(slash - db_path), db_path);
}

char *record_file_path(const char *files_dir, const char *sha256) {
    return xasprintf("%s/%.2s/%s", files_dir, sha256, sha256);
}

/* Writes the bytes to <dir>/ab/<sha> through a temporary file and a rename. */
static int store_bytes(const char *dir, const char *sha, const unsigned char *data, size_t len, char **err) {
    char *sub = xasprintf("%s/%.2s", dir, sha), *path = record_file_path(dir, sha);
    int rc = REC_ERR;
    struct stat sb;
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) set_err(err, "无法创建文件目录");
    else if (mkdir(sub, 0750) != 0 && errno != EEXIST) set_err(err, "无法创建文件目录");
    else if (stat(path, &sb) == 0 && (size_t)sb.st_size == len) rc = REC_OK; /* same name: same bytes */
    else {
        char *tmp = xasprintf("%s.tmp-XXXXXX", path);
        int fd = mkstemp(tmp);
        if (fd < 0) set_err(err, "无法写入文件");
        else {
            size_t off = 0;
            while (off < len) {
                ssize_t w = write(fd, data + off, len - off);
                if (w <= 0) break;
                off += (size_t)w;
            }
            int ok = off == len && fsync(fd) == 0;
            close(fd);
            if (ok && rename(tmp, path) == 0) rc = REC_OK;
            else {
                unlink(tmp);
                set_err(err, "无法写入文件");
            }
        }
        free(tmp);
    }
    free(sub);
    free(path);
    return rc;
}

int record_file_add(Db *db, int64_t id, const char *files_dir, const char *kind, const unsigned char *data, size_t len,
                    const char *original_name, const char *actor, int64_t *file_id, char **err) {
    int rc = load_editable(db, id, NULL, err);
    if (rc != REC_OK) return rc;
    const char *mime = NULL;
    if (!kind || str_eq(kind, "auto")) {
        if ((mime = record_sniff("photo", data, len))) kind = "photo";
        else if ((mime = record_sniff("video", data, len))) kind = "video";
    } else {
        mime = record_sniff(kind, data, len);
    }
    if (!len) return set_err(err, "文件为空"), REC_INVALID;
    if (!mime || !record_file_limit(kind)) {
        set_err(err, str_eq(kind, "signature") ? "签名须为 PNG 图片"
                                               : "文件类型不符：照片须为 JPEG、PNG 或 WebP，视频须为 MP4、MOV 或 WebM（按文件内容判断，不看扩展名）");
        return REC_INVALID;
    }
    if (len > record_file_limit(kind)) {
        set_err(err, "文件过大：%s不能超过 %zu MiB", str_eq(kind, "photo") ? "照片" : str_eq(kind, "video") ? "视频" : "签名图片",
                record_file_limit(kind) >> 20);
        return REC_INVALID;
    }
    char sha[65];
    draw_sha256_hex(data, len, sha);
    if (store_bytes(files_dir, sha, data, len, err) != REC_OK) return REC_ERR;
    if (db_exec(db, "INSERT INTO record_file(record_id, kind, mime, size, sha256, original_name, uploaded_by, uploaded_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                "ittitttt", id, kind, mime, (int64_t)len, sha, original_name, actor, clock_stamp().s) != DB_OK)
        return fail_db(db, err);
    if (file_id) *file_id = db_last_id(db);
    return REC_OK;
}

int record_file_withdraw(Db *db, int64_t id, int64_t fid, const char *reason, const char *actor, char **err) {
    (void)actor;
    int rc = load_editable(db, id, NULL, err);
    if (rc != REC_OK) return rc;
    int64_t ok = 0;
    db_query_int(db, &ok, "SELECT count(*) FROM record_file WHERE id = ? AND record_id = ? AND status = '有效'", "ii", fid, id);
    if (!ok) return set_err(err, "文件不存在或已撤销"), REC_NOT_FOUND;
    char *r = str_trim(xstrdup(reason ? reason : ""));
    if (!*r) {
        free(r);
        return set_err(err, "请填写撤销理由"), REC_INVALID;
    }
    rc = db_exec(db, "UPDATE record_file SET status = '已撤销', status_reason = ? WHERE id = ?", "ti", r, fid) == DB_OK &&
                 db_exec(db, "UPDATE record SET signature_file_id = NULL WHERE id = ? AND signature_file_id = ?", "ii", id, fid) == DB_OK
             ? REC_OK
             : fail_db(db, err);
    free(r);
    return rc;
}

int record_signature_set(Db *db, int64_t id, const char *files_dir, const unsigned char *png, size_t len, const char *signer_name,
                         const char *actor, int64_t *file_id, char **err) {
    char *name = str_trim(xstrdup(signer_name ? signer_name : ""));
    int rc = REC_OK;
    if (!*name) rc = REC_INVALID, set_err(err, "请填写签名人姓名");
    int64_t fid = 0;
    if (rc == REC_OK) rc = record_file_add(db, id, files_dir, "signature", png, len, "signature.png", actor, &fid, err);
    if (rc == REC_OK) {
        /* the earlier signature, if any, is withdrawn: one signature per record */
        if (db_exec(db, "UPDATE record_file SET status = '已撤销', status_reason = '重新签名' WHERE record_id = ? AND kind = 'signature' "
                        "AND status = '有效' AND id <> ?", "ii", id, fid) != DB_OK ||
            db_exec(db, "UPDATE record SET signature_file_id = ?, signer_name = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                    "ittti", fid, name, clock_stamp().s, actor, id) != DB_OK)
            rc = fail_db(db, err);
    }
    if (file_id) *file_id = fid;
    free(name);
    return rc;
}
