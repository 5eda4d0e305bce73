/* dir_edit.c - saving and status changes of directory rows as units of work (see dir_edit.h).
 * Called by src/web/dir_view.c for the pages and the JSON API. */
#include "dir_edit.h"

#include "../core/util.h"
#include "dir_query.h"
#include "scope.h"
#include "uow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOT_FOUND_TEXT "记录不存在或不在您的管辖范围内"
#define LOWER_LEVEL_TEXT "这是下级机构的名录：上级机构可以查阅和督查，不能代为修改，请由该机构维护"

static int key_index(const DirKind *k) {
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].flags & FF_KEY) return (int)i;
    return 0;
}

/* 1 when who may change row id of kind k: a row owned by an org only in who's own org; orgs
 * themselves are set up from above, in who's subtree (the read scope already checked). */
static int row_writable(Db *db, const Actor *who, const DirKind *k, long long id) {
    return dir_field_index(k, "org_id") < 0 ||
           scope_of(db, who->org_id, dir_row_org(db, k, id)) == SCOPE_WRITE;
}

/* The row to change, in who's jurisdiction and writable by who: DIR_EDIT_OK with *existing
 * (caller decrefs), else the refusal with *why. */
static int load_writable(Db *db, const Actor *who, const DirKind *k, long long id,
                         json_t **existing, char **why) {
    *existing = dir_get(db, who, k, id, 0, 0);
    if (!*existing) return set_err(why, NOT_FOUND_TEXT), DIR_EDIT_NOT_FOUND;
    if (!row_writable(db, who, k, id)) {
        json_decref(*existing);
        *existing = NULL;
        return set_err(why, LOWER_LEVEL_TEXT), DIR_EDIT_FORBIDDEN;
    }
    return DIR_EDIT_OK;
}

static const char *existing_value(json_t *existing, const char *column) {
    return json_string_value(json_object_get(json_object_get(existing, "values"), column));
}

/* Parses the input into row: on an update the code stays the stored one, and personal data left
 * empty (it is shown masked or not at all) stays unchanged. */
static void parse_input(DirContext *ctx, const DirKind *k, long long id, json_t *existing,
                        DirInput in, void *arg, DirRow *row, DirErrors *errs) {
    int ki = key_index(k);
    for (size_t i = 0; i < k->nfields; i++) {
        const DirField *f = &k->fields[i];
        if (id && (int)i == ki) { /* the code identifies the row and cannot be edited */
            dir_parse_field(ctx, k, (int)i, existing_value(existing, f->column), row, errs);
            continue;
        }
        char *v = in(f, arg);
        int insured_name =
            id && !strcmp(f->column, "name") && str_eq(existing_value(existing, "kind"), "insured");
        if (id && ((f->flags & FF_SECRET) || insured_name) && v &&
            !*v) { /* shown masked or empty: unchanged */
            free(v);
            v = NULL;
        }
        if (id && v && !strcmp(f->column, "id_number")) {
            dir_errors_add(errs, (int)i,
                           "身份证号决定参保人的化名编码，不能修改；如登记有误请停用后新建");
            free(v);
            continue;
        }
        if (v || !id) dir_parse_field(ctx, k, (int)i, v ? v : "", row, errs);
        free(v);
    }
}

/* A try at another org's code is worth knowing about: its own unit of work, whatever the save. */
static void audit_refused(Db *db, const Actor *who, const DirKind *k) {
    if (uow_begin_rows(db, NULL) != 0) return; /* only an audit row: nothing to lock */
    char action[64];
    snprintf(action, sizeof action, "%s.create.refused", k->table);
    int ok = uow_audit(db, who, action, k->table, 0, 0, NULL,
                       "{\"reason\":\"code registered outside the jurisdiction\"}", NULL) == 0;
    uow_end(db, ok, NULL);
}

/* The answer to a new row's code that dir_code_seen found `seen` (-1, 1 or 2; 0 adds nothing). A
 * code the actor can see is named; one registered by an org outside the jurisdiction is not (nor an
 * insured person's pseudonym): the answer must not tell whether someone else registered it (an
 * existence oracle for personal data). Not inside a unit of work (the refusal audits in its own).
 */
static void code_error(Db *db, const Actor *who, const DirKind *k, const DirRow *row, int seen,
                       DirErrors *errs) {
    int ki = key_index(k), kind = dir_field_index(k, "kind");
    int pseudonym = !strcmp(k->table, "target") && kind >= 0 && str_eq(row->v[kind], "insured");
    if (seen < 0)
        dir_errors_add(errs, -1, "无法核对编码: %s", db_errmsg(db));
    else if (seen == 1 && !pseudonym)
        dir_errors_add(errs, ki, "“%s”已存在，请在原记录上编辑", row->v[ki]);
    else if (seen == 1)
        dir_errors_add(errs, ki, "该参保人已登记（按身份证号），请在原记录上编辑");
    else if (seen == 2) {
        dir_errors_add(errs, -1, "无法登记：请核对编码；如确属本机构的对象，请联系系统管理员");
        audit_refused(db, who, k);
    }
}

/* The rules on the row's org and, for a new row, on its code. */
static void check_owner_and_code(Db *db, const Actor *who, const DirKind *k, long long id,
                                 const DirRow *row, DirErrors *errs) {
    int org = dir_field_index(k, "org_id");
    if (org >= 0 && row->v[org] &&
        scope_of(db, who->org_id, scope_org_by_code(db, row->v[org])) != SCOPE_WRITE)
        dir_errors_add(errs, org, "只能登记本机构的名录（下级机构的名录由下级机构维护）");
    const char *code = row->v[key_index(k)];
    if (!id && code) code_error(db, who, k, row, dir_code_seen(db, k, code, who->org_id), errs);
}

/* A new row's unit: a row unit (uow.h) holding its code by name, so rows with other codes are
 * created and changed beside it and two creations of one code run one after the other. The code
 * is checked again under that lock: checked before, it may have been registered since (by the
 * other creation), and the save would then change that row instead of refusing. 0 when the unit
 * is open and the code free; -1 when the unit could not open or the code could not be read; 1
 * when the code is taken (the unit ended, the error in errs). */
static int begin_new(Db *db, const Actor *who, const DirKind *k, const DirRow *row,
                     DirErrors *errs) {
    const char *code = row->v[key_index(k)];
    char what[64];
    snprintf(what, sizeof what, "%s.code", k->table);
    if (uow_begin_rows(db, NULL) != 0) return -1;
    /* the table's writer first: an import of it in flight ends before the code is checked */
    if (db_write_table(db, k->table) != DB_OK ||
        db_lock(db, what, (int64_t)str_fnv1a(code ? code : "")) != DB_OK) {
        uow_end(db, 0, NULL);
        return -1;
    }
    int seen = dir_code_seen(db, k, code ? code : "", who->org_id);
    if (seen == 0) return 0;
    uow_end(db, 0, NULL);
    if (seen < 0) return -1;
    code_error(db, who, k, row, seen, errs);
    return 1;
}

/* The version an update was read at (>= 1), or 0 when the input has none or a bad one. */
static int64_t input_version(DirInput in, void *arg) {
    DirField fv = {.header = "版本", .column = "version", .type = FT_INT};
    char *vs = in(&fv, arg), *end = NULL;
    int64_t v = vs && *vs ? strtoll(vs, &end, 10) : 0;
    if (!vs || !*vs || *end || v < 1) v = 0;
    free(vs);
    return v;
}

/* A credit grade changes only with a reason and a basis (credit.h): grade_reason and grade_basis
 * beside grade, in the form and in the API. Adds the missing ones to grade_errors and hands both
 * to ctx. */
static void check_grade_change(DirContext *ctx, const DirKind *k, long long id, json_t *existing,
                               const DirRow *row, DirInput in, void *arg, json_t *grade_errors) {
    int gi = !strcmp(k->table, "target") ? dir_field_index(k, "grade") : -1;
    if (!id || gi < 0 || !row->v[gi] || str_eq(row->v[gi], existing_value(existing, "grade")))
        return;
    DirField fr = {.header = "调整理由", .column = "grade_reason", .type = FT_TEXT};
    DirField fb = {.header = "调整依据", .column = "grade_basis", .type = FT_TEXT};
    char *reason = in(&fr, arg), *basis = in(&fb, arg);
    if (reason) str_trim(reason);
    if (basis) str_trim(basis);
    if (str_empty(reason))
        json_object_set_new(grade_errors, "grade_reason",
                            json_string("调整信用风险等级须填写理由"));
    if (str_empty(basis))
        json_object_set_new(
            grade_errors, "grade_basis",
            json_string("调整信用风险等级须填写依据：信用评价文号或引起调整的检查记录"));
    dir_context_allow_grade_change(ctx, reason, basis);
    free(reason);
    free(basis);
}

/* The field errors as an object column → message (the first per column), added to `into`. */
static json_t *errors_json(const DirKind *k, const DirErrors *errs, json_t *into) {
    for (size_t i = 0; i < errs->n; i++) {
        const char *col = errs->e[i].field >= 0 ? k->fields[errs->e[i].field].column : "_row";
        if (!json_object_get(into, col))
            json_object_set_new(into, col, json_string(errs->e[i].reason));
    }
    return into;
}

/* The save itself: one transaction with the audit row when anything changed. */
static int save_row(Db *db, const Actor *who, DirContext *ctx, const DirKind *k, long long id,
                    const DirRow *row, DirErrors *errs, long long *id_out, int64_t *current_version,
                    char **why) {
    char *before = NULL, *after = NULL, *err = NULL;
    long long saved = 0;
    /* an update locks its row, a new row its code (begin_new): other rows are saved meanwhile */
    int ok = 1;
    if (id)
        ok = uow_begin_row(db, k->table, id, NULL) == 0;
    else {
        int taken = begin_new(db, who, k, row, errs);
        if (taken > 0) return DIR_EDIT_INVALID;
        ok = taken == 0;
    }
    /* the optimistic lock, checked by the engine under that lock */
    if (ok && id) before = dir_row_audit_text(db, k, id);
    int outcome = DIR_UNCHANGED;
    if (ok && (outcome = dir_save(ctx, k, row, &saved, &err)) == DIR_STALE) {
        uow_end(db, 0, NULL);
        *why = err;
        *current_version = dir_context_found_version(ctx);
        free(before);
        return DIR_EDIT_STALE;
    }
    ok = ok && outcome >= 0;
    if (ok) after = dir_row_audit_text(db, k, saved);
    char action[64];
    snprintf(action, sizeof action, "%s.%s", k->table, id ? "update" : "create");
    /* the engine says whether anything changed: the texts are masked, so two phones may look alike
     */
    if (ok && outcome != DIR_UNCHANGED)
        ok = uow_audit(db, who, action, k->table, saved, 0, before, after, NULL) == 0;
    int rc = DIR_EDIT_OK;
    if (!uow_end(db, ok, NULL)) {
        set_err(why, "保存失败: %s", err ? err : db_errmsg(db));
        rc = DIR_EDIT_ERR;
    } else
        *id_out = saved;
    free(err);
    free(before);
    free(after);
    return rc;
}

int dir_edit_save(Db *db, const Actor *who, const DirKind *k, long long id, DirInput in, void *arg,
                  json_t **errors, long long *id_out, int64_t *current_version, char **why) {
    *errors = NULL;
    *current_version = 0;
    json_t *existing = NULL;
    if (id) {
        int rc = load_writable(db, who, k, id, &existing, why);
        if (rc != DIR_EDIT_OK) return rc;
    }
    DirContext *ctx = dir_context_new(db, who->username, who->org_id);
    DirRow row;
    memset(&row, 0, sizeof row);
    DirErrors errs = {0};
    parse_input(ctx, k, id, existing, in, arg, &row, &errs);
    dir_check_row(ctx, k, &row, &errs);
    check_owner_and_code(db, who, k, id, &row, &errs);
    int rc = DIR_EDIT_INVALID;
    int64_t expect_version = id ? input_version(in, arg) : 0;
    if (id && !expect_version) { /* the version the caller read: required for an update */
        *errors =
            json_pack("{s:s}", "version", "须提供读取时的版本号 version（防止覆盖他人的修改）");
        goto out;
    }
    json_t *grade_errors = json_object();
    check_grade_change(ctx, k, id, existing, &row, in, arg, grade_errors);
    if (errs.n || json_object_size(grade_errors)) {
        *errors = errors_json(k, &errs, grade_errors);
        goto out;
    }
    json_decref(grade_errors);
    dir_context_expect_version(ctx, expect_version);
    rc = save_row(db, who, ctx, k, id, &row, &errs, id_out, current_version, why);
    if (rc == DIR_EDIT_INVALID) *errors = errors_json(k, &errs, json_object());
out:
    dir_errors_free(&errs);
    dir_row_clear(&row, k);
    dir_context_free(ctx);
    json_decref(existing);
    return rc;
}

int dir_edit_status(Db *db, const Actor *who, const DirKind *k, long long id, const char *status,
                    const char *reason, char **why) {
    json_t *existing = NULL;
    int rc = load_writable(db, who, k, id, &existing, why);
    json_decref(existing);
    if (rc != DIR_EDIT_OK) return rc;
    if (uow_begin_row(db, k->table, id, why) != 0) return DIR_EDIT_ERR;
    DirContext *ctx = dir_context_new(db, who->username, who->org_id);
    char *before = dir_row_audit_text(db, k, id), *after = NULL, *err = NULL;
    char action[64];
    snprintf(action, sizeof action, "%s.status", k->table);
    if (dir_set_status(ctx, k, id, status, reason, &err) != DB_OK) {
        uow_end(db, 0, NULL);
        *why = err;
        rc = DIR_EDIT_INVALID;
    } else {
        after = dir_row_audit_text(db, k, id);
        int ok = uow_audit(db, who, action, k->table, id, 0, before, after, NULL) == 0;
        if (!uow_end(db, ok, NULL)) rc = (set_err(why, "保存失败"), DIR_EDIT_ERR);
    }
    free(before);
    free(after);
    dir_context_free(ctx);
    return rc;
}
