/* result.c - review, publication and exchange of inspection results (see result.h for the
 * model, the public record and the findings rule): the pure rules and the reference data (result
 * categories and their labels). The rest of the module: result_review.c (退回 / 审核通过),
 * result_publish.c (公示, target and credit record), result_view.c (the review pages' reads),
 * result_public.c (the public record and the portal's search), result_exchange.c (the credit
 * exchange export). Works on the tables of sql/008_record.sql; the record form itself
 * (creation, filling, submission) belongs to record*.c. Called by the units of work of
 * result_act.c (every changing function runs inside their transaction) and, for reads, the web
 * handlers (page_result*.c). */
#include "result_impl.h"

#include <stdlib.h>
#include <string.h>

/* ---- pure rules ---- */

const char *result_next(const char *status, const char *action) {
    if (!status || !action) return NULL;
    if (!strcmp(status, "待审核") && !strcmp(action, "return")) return "退回";
    if (!strcmp(status, "待审核") && !strcmp(action, "approve")) return "审核通过";
    if (!strcmp(status, "审核通过") && !strcmp(action, "publish")) return "已公示";
    return NULL;
}

const char *result_action_name(const char *action) {
    if (str_eq(action, "return")) return "退回";
    if (str_eq(action, "approve")) return "审核通过";
    if (str_eq(action, "publish")) return "公示";
    return NULL;
}

int result_may_review(const char *reviewer, const char *submitted_by) {
    if (str_empty(reviewer)) return 0;
    return !str_eq(reviewer, submitted_by);
}

int result_deadline(const Calendar *cal, const char *checked_on, char out[11]) {
    if (!checked_on || !date_valid(checked_on)) return CAL_INVALID;
    if (!cal) return CAL_UNKNOWN;
    return calendar_add_workdays(cal, checked_on, RESULT_PUBLISH_DAYS, out);
}

int result_is_late(const char *deadline, const char *day) {
    if (str_empty(deadline) || str_empty(day)) return 0;
    return strcmp(day, deadline) > 0;
}

char *result_type_label(const char *task_kind, int joint) {
    const char *k = str_empty(task_kind) ? NULL : task_kind;
    if (k && joint) return xasprintf("双随机抽查（%s、联合抽查）", k);
    if (k) return xasprintf("双随机抽查（%s）", k);
    return xstrdup(joint ? "双随机抽查（联合抽查）" : "双随机抽查");
}

static const ResultCategory *category_find(const ResultCategory *cats, size_t n, const char *code) {
    for (size_t i = 0; i < n; i++)
        if (str_eq(cats[i].code, code)) return &cats[i];
    return NULL;
}

int result_category_is_finding(const ResultCategory *cats, size_t n, const char *code) {
    const ResultCategory *c = category_find(cats, n, code);
    for (size_t depth = 0; c && depth <= n; depth++) {
        if (str_starts(c->label, "发现问题") || str_eq(c->label, "不配合检查情节严重")) return 1;
        c = str_empty(c->parent) ? NULL : category_find(cats, n, c->parent);
    }
    return 0;
}

int result_codes_have_finding(const ResultCategory *cats, size_t n, const char *codes) {
    if (str_empty(codes)) return 0;
    char *copy = xstrdup(codes);
    int found = 0;
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && !found;
         t = strtok_r(NULL, ",", &save))
        found = result_category_is_finding(cats, n, str_trim(t));
    free(copy);
    return found;
}

/* ---- reference data ---- */

ResultCategory *result_categories_load(Db *db, size_t *n) {
    *n = 0;
    Stmt *st = db_prepare(db, "SELECT code, label, parent FROM refdata WHERE set_name = "
                              "'result_categories' ORDER BY position");
    if (!st) return NULL;
    ResultCategory *cats = NULL;
    size_t cap = 0;
    while (db_step(st) == DB_ROW) {
        if (*n == cap) cats = xrealloc(cats, (cap = cap ? cap * 2 : 16) * sizeof *cats);
        const char *p = db_col_text(st, 2);
        cats[(*n)++] = (ResultCategory){xstrdup(db_col_text(st, 0)), xstrdup(db_col_text(st, 1)),
                                        p ? xstrdup(p) : NULL};
    }
    db_finalize(st);
    return cats;
}

void result_categories_free(ResultCategory *cats, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free((char *)cats[i].code);
        free((char *)cats[i].label);
        free((char *)cats[i].parent);
    }
    free(cats);
}

/* Calls fn for each trimmed, non-empty code of a ',' list with its label (the code when unknown).
 */
static void each_label(Db *db, const char *set, const char *codes, void (*fn)(void *, const char *),
                       void *arg) {
    if (str_empty(codes)) return;
    Stmt *st = db_prepare(db, "SELECT label FROM refdata WHERE set_name = ? AND code = ?");
    char *copy = xstrdup(codes);
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        t = str_trim(t);
        if (!*t) continue;
        const char *label = t;
        if (st) {
            db_bind_text(st, 1, set);
            db_bind_text(st, 2, t);
            if (db_step(st) == DB_ROW && db_col_text(st, 0)) label = db_col_text(st, 0);
        }
        fn(arg, label);
        if (st) db_reset(st);
    }
    free(copy);
    db_finalize(st);
}

typedef struct JoinArg {
    Buf *b;
    const char *sep;
} JoinArg;

static void join_one(void *arg, const char *label) {
    JoinArg *j = arg;
    buf_printf(j->b, "%s%s", j->b->len ? j->sep : "", label);
}

static void array_one(void *arg, const char *label) {
    json_array_append_new(arg, json_string(label));
}

void res_labels_append(Db *db, const char *set, const char *codes, json_t *labels) {
    each_label(db, set, codes, array_one, labels);
}

char *result_labels(Db *db, const char *set, const char *codes, const char *sep) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "");
    JoinArg j = {&b, sep};
    each_label(db, set, codes, join_one, &j);
    return buf_steal(&b);
}
