/* record.c - the record form 一企一表 (see record.h): the pure rules (file types by magic bytes,
 * result categories, submit requirements, the entry deadline) and the helpers the other record
 * files share (record_impl.h). The rest of the module: record_sync.c (records from the draw),
 * record_view.c (the JSON views and the stored snapshot), record_save.c (validation and the
 * save with optimistic lock and versions, submit), record_file.c (files on disk).
 *
 * Invariants of the module: a record's contents change only in 待录入/退回 and each change first
 * writes the previous contents to record_version(version) and then bumps record.version; files
 * are written to disk before their row; nothing is deleted (violations and files are withdrawn
 * by status). Reference lists (result, violation categories, inspection methods) come from the
 * refdata table. Called by the units of work of record_act.c and, for reads, the record pages. */
#include "record_impl.h"

#include "../core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- pure rules ---- */

const char *record_sniff(const char *kind, const unsigned char *p, size_t n) {
    int photo = str_eq(kind, "photo"), video = str_eq(kind, "video"),
        sig = str_eq(kind, "signature");
    if (!p) return NULL;
    if ((photo || sig) && n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8)) return "image/png";
    if (sig) return NULL;
    if (photo && n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) return "image/jpeg";
    if (photo && n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4)) return "image/webp";
    if (video && n >= 12 && !memcmp(p + 4, "ftyp", 4))
        return !memcmp(p + 8, "qt  ", 4) ? "video/quicktime" : "video/mp4";
    if (video && n >= 8 &&
        (!memcmp(p + 4, "moov", 4) || !memcmp(p + 4, "mdat", 4) || !memcmp(p + 4, "wide", 4)))
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

int record_results_check(const char **codes, size_t *n, const RecordCat *cats, size_t ncats,
                         char **why) {
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) { /* drop blanks and duplicates, reject unknown codes */
        if (str_empty(codes[i])) continue;
        if (!cat_find(cats, ncats, codes[i]))
            return set_err(why, "未知的检查结果类别：%s", codes[i]), -1;
        int dup = 0;
        for (size_t j = 0; j < k; j++)
            dup |= str_eq(codes[j], codes[i]);
        if (!dup) codes[k++] = codes[i];
    }
    size_t m = 0;
    for (size_t i = 0; i < k; i++) { /* a parent chosen with its child: the child says more */
        int has_child = 0;
        for (size_t j = 0; j < k; j++)
            has_child |= j != i && str_eq(cat_find(cats, ncats, codes[j])->parent, codes[i]);
        if (!has_child) codes[m++] = codes[i];
    }
    *n = m;
    for (size_t i = 0; i < m && m > 1; i++) {
        const RecordCat *c = cat_find(cats, ncats, codes[i]);
        if (c->exclusive)
            return set_err(why, "“%s”只能单独选择，不能与其他检查结果同时选择",
                           c->label ? c->label : c->code),
                   -1;
    }
    return 0;
}

int record_submit_check(const RecordSubmitView *v, json_t *errors) {
    int n = 0;
    if (str_empty(v->checked_on))
        json_object_set_new(errors, "checked_on", json_string("请填写检查结束日期")), n++;
    if (str_empty(v->result_codes))
        json_object_set_new(errors, "result_codes", json_string("请选择检查结果")), n++;
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < v->nitems; i++) {
        const RecordSubmitItem *it = &v->items[i];
        int nm = str_empty(it->methods), nr = str_empty(it->result);
        if (!nm && !nr) continue;
        buf_printf(&b, "%s第%zu项“%s”未填写%s", b.len ? "；" : "", i + 1, it->name ? it->name : "",
                   nm && nr ? "核查方式和检查结果"
                   : nm     ? "核查方式"
                            : "检查结果");
    }
    if (b.len) json_object_set_new(errors, "items", json_string(b.data)), n++;
    buf_free(&b);
    if (v->officers < 2)
        json_object_set_new(errors, "officers",
                            json_string("须有至少两名执法人员参加检查（专家不计入）")),
            n++;
    int signed_ok = v->has_signature && !str_empty(v->signer_name);
    if (!signed_ok && str_empty(v->refusal_reason))
        json_object_set_new(
            errors, "signature",
            json_string("须有被检查单位代表的签名（含签名人姓名），或填写拒绝签名的理由")),
            n++;
    return n;
}

static int days_in_month(int y, int m) {
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return d[m - 1];
}

int record_deadline(const Calendar *cal, const char *checked_on, const char *month_to,
                    const char *today, char deadline[11], char state[64], int *overdue) {
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

static int month_of(const char *ym, int *y, int *m) {
    if (!ym || strlen(ym) != 7 || ym[4] != '-') return -1;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (ym[i] < '0' || ym[i] > '9')) return -1;
    *y = atoi(ym), *m = atoi(ym + 5);
    return *m >= 1 && *m <= 12 ? 0 : -1;
}

int record_period(const char *month_from, const char *month_to, char first[11], char last[11]) {
    int y1, m1, y2, m2;
    first[0] = last[0] = 0;
    if (month_of(month_from, &y1, &m1) || month_of(month_to, &y2, &m2)) return -1;
    snprintf(first, 11, "%04d-%02d-01", y1, m1);
    snprintf(last, 11, "%04d-%02d-%02d", y2, m2, days_in_month(y2, m2));
    return 0;
}

/* ---------------------------------------------------------------- helpers ---- */

int rec_fail_db(Db *db, char **err) {
    set_err(err, "数据库错误：%s", db_errmsg(db));
    return REC_ERR;
}

char **rec_strv_from(const json_t *v, size_t *n) {
    *n = 0;
    char **out = NULL;
    if (json_is_array(v)) {
        out = xcalloc(json_array_size(v) + 1, sizeof *out);
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e) {
            if (!json_is_string(e)) continue;
            char *s = str_trim(xstrdup(json_string_value(e)));
            if (*s)
                out[(*n)++] = s;
            else
                free(s);
        }
        return out;
    }
    if (!json_is_string(v)) return NULL;
    const char *s = json_string_value(v);
    out = xcalloc(strlen(s) / 1 + 2, sizeof *out);
    const char *p = s;
    while (*p) {
        const char *e = p;
        while (*e && *e != ',' && strncmp(e, "、", strlen("、")) != 0)
            e++;
        char *t = str_trim(xstrndup(p, (size_t)(e - p)));
        if (*t)
            out[(*n)++] = t;
        else
            free(t);
        p = *e == ',' ? e + 1 : *e ? e + strlen("、") : e;
    }
    return out;
}

void rec_strv_free(char **v, size_t n) {
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}
