/* page_dir.c - the HTML pages of every directory kind: list with search, filters and keyset
 * paging; detail with version history and status change; create/edit forms with field-level
 * errors; import upload with its row-by-row report; export as CSV or XLSX. One set of handlers
 * serves all kinds through their field tables. */
#include "../domain/dir_io.h"
#include "dir_view.h"
#include "multipart.h"
#include "stale.h"
#include "web.h"

#include "../core/tmpfiles.h"
#include <sodium.h>
#include <stdio.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Columns shown in each kind's list (the rest are on the detail page). */
static const char *const list_columns[][9] = {
    /* name, up to 7 columns, NULL */
    {"orgs", "code", "name", "parent_id", "status"},
    {"depts", "code", "name", "org_id", "kind", "status"},
    {"tags", "code", "name", "parent_id", "applies_to", "status"},
    {"items", "code", "name", "dept_id", "target_kinds", "methods", "class", "status"},
    {"targets", "code", "name", "kind", "region", "grade", "complaints", "status"},
    {"officers", "cert_no", "name", "dept_id", "region", "cert_valid_to", "may_lead", "status"},
    {"experts", "code", "name", "kind", "specialty", "employer", "status"},
};

static const char *const *columns_of(const DirKind *k) {
    for (size_t i = 0; i < ARRAY_LEN(list_columns); i++)
        if (!strcmp(list_columns[i][0], k->name)) return list_columns[i] + 1;
    return NULL;
}

static int is_badge(const DirField *f) {
    return !strcmp(f->column, "status") || !strcmp(f->column, "grade") || f->type == FT_BOOL;
}

static json_t *choice_options(const Choice *c, const char *selected, int with_blank,
                              const char *blank) {
    json_t *a = json_array();
    if (with_blank)
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", "", "label", blank,
                                           "selected", !selected || !*selected));
    for (; c && c->code; c++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", c->code, "label", c->label,
                                           "selected", str_eq(c->code, selected)));
    return a;
}

/* [{value, label, selected}] of [{code, name}] rows; `checked` tells which are selected. */
static json_t *code_options(json_t *rows, const char *selected,
                            int (*checked)(const char *selected, const char *code)) {
    json_t *a = json_array(), *o;
    size_t i;
    json_array_foreach(rows, i, o) {
        const char *code = json_string_value(json_object_get(o, "code"));
        char *label = xasprintf("%s %s", code, json_string_value(json_object_get(o, "name")));
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", code, "label", label,
                                           "selected", checked(selected, code)));
        free(label);
    }
    json_decref(rows);
    return a;
}

static int same_code(const char *selected, const char *code) {
    return str_eq(code, selected);
}

/* Options for a reference field: rows of the referenced table inside the user's scope. */
static json_t *ref_options(Req *r, const DirField *f, const char *selected) {
    Actor who = web_actor(r);
    json_t *a = code_options(dir_ref_options(r->db, &who, f->ref_table), selected, same_code);
    json_array_insert_new(
        a, 0,
        json_pack("{s:s, s:s, s:b}", "value", "", "label", "（请选择）", "selected", !selected));
    return a;
}

static int in_list(const char *list, const char *code) {
    if (!list) return 0;
    size_t n = strlen(code);
    for (const char *p = list; (p = strstr(p, code)); p += n)
        if ((p == list || p[-1] == ',') && (p[n] == 0 || p[n] == ',')) return 1;
    return 0;
}

static json_t *tag_checks(Req *r, const DirKind *k, const char *selected) {
    const char *scope = !strcmp(k->name, "targets") ? "检查对象" : "执法人员";
    return code_options(dir_tag_options(r->db, scope), selected, in_list);
}

/* ---- list ---- */

static void keep_query(Req *r, const DirKind *k, Buf *b, const char *skip) {
    const char *names[DIR_MAX_FIELDS + 1];
    size_t n = 0;
    names[n++] = "q";
    for (size_t i = 0; i < k->nfields; i++)
        names[n++] = k->fields[i].column;
    for (size_t i = 0; i < n; i++) {
        if (skip && !strcmp(names[i], skip)) continue;
        char *v = web_query(r, names[i]);
        if (v && *v) {
            buf_printf(b, "&%s=", names[i]);
            web_url_encode(b, v);
        }
        free(v);
    }
}

static json_t *filters(Req *r, const DirKind *k) {
    json_t *a = json_array();
    char *q = web_query(r, "q");
    json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:s}", "name", "q", "label",
                                       "搜索编码或名称", "is_text", 1, "value", q ? q : ""));
    free(q);
    for (size_t i = 0; i < k->nfields; i++) {
        const DirField *f = &k->fields[i];
        char *v = web_query(r, f->column);
        json_t *flt = NULL;
        if (f->type == FT_ENUM)
            flt = json_pack("{s:s, s:s, s:b, s:o}", "name", f->column, "label", f->header,
                            "is_select", 1, "options", choice_options(f->choices, v, 1, "全部"));
        else if (f->type == FT_REGION)
            flt = json_pack("{s:s, s:s, s:b, s:s}", "name", f->column, "label", "行政区划（前缀）",
                            "is_text", 1, "value", v ? v : "");
        else if (f->type == FT_TAGS && k->link_table) {
            json_t *opts = tag_checks(r, k, NULL);
            size_t j;
            json_t *o;
            json_array_foreach(opts, j, o) json_object_set_new(
                o, "selected",
                json_boolean(str_eq(json_string_value(json_object_get(o, "value")), v)));
            json_array_insert_new(
                opts, 0,
                json_pack("{s:s, s:s, s:b}", "value", "", "label", "全部", "selected", !v || !*v));
            flt = json_pack("{s:s, s:s, s:b, s:o}", "name", f->column, "label", "标签", "is_select",
                            1, "options", opts);
        }
        if (flt) json_array_append_new(a, flt);
        free(v);
    }
    return a;
}

/* The count line of a list: "共 N 条", "超过 10,000 条", or, for a row-by-row search that did not
 * count, what it compared and how to search everything. */
static void list_counts(json_t *ctx, json_t *data) {
    json_t *total = json_object_get(data, "total");
    long long window = json_integer_value(json_object_get(data, "scan_window"));
    char *text = !json_is_integer(total) ? NULL
                 : json_is_true(json_object_get(data, "total_capped"))
                     ? xasprintf("超过 %d 条", DIR_COUNT_CAP)
                     : xasprintf("共 %lld 条", (long long)json_integer_value(total));
    if (text) json_object_set_new(ctx, "count_text", json_string(text));
    free(text);
    if (window) {
        char *note = xasprintf(
            "搜索词不足 %d 个字，无法使用索引：每页按顺序比对 %lld 条记录，列出其中符合的，"
            "不计总数；点“继续查找”比对后面的记录。输入 %d "
            "个字或更多，或用其他筛选条件把范围缩小到 "
            "%lld 条以内，可一次查完并显示总数。",
            DB_TEXT_SEARCH_MIN, window, DB_TEXT_SEARCH_MIN, window);
        json_object_set_new(ctx, "scan_note", json_string(note));
        free(note);
    }
}

/* "/d/KIND?<param>" with the filters in force; `page` > 0 adds its number. Caller frees. */
static char *list_href(Req *r, const DirKind *k, const char *param, long long page) {
    Buf b;
    buf_init(&b);
    buf_printf(&b, "/d/%s?%s", k->name, param);
    if (page > 0) buf_printf(&b, "%spage=%lld", *param ? "&" : "", page);
    keep_query(r, k, &b, NULL);
    return buf_steal(&b);
}

static void set_href(json_t *ctx, const char *key, char *href) {
    json_object_set_new(ctx, key, json_string(href));
    free(href);
}

/* The pager of a list: 首页, 上一页, the numbered pages around this one (within the counted rows),
 * 下一页 (继续查找 for a row-by-row search), 末页; neighbours by keyset, numbers by offset. */
static void list_pager(Req *r, const DirKind *k, json_t *ctx, json_t *data) {
    long long page = json_integer_value(json_object_get(data, "page"));
    long long pages = json_integer_value(json_object_get(data, "pages"));
    json_t *next = json_object_get(data, "next_after"),
           *prev = json_object_get(data, "prev_before");
    char param[48];
    if (json_is_integer(next)) {
        snprintf(param, sizeof param, "after=%lld", (long long)json_integer_value(next));
        set_href(ctx, "next_href", list_href(r, k, param, page ? page + 1 : 0));
        set_href(ctx, "last_href", list_href(r, k, "last=1", 0));
    }
    if (json_is_integer(prev)) {
        snprintf(param, sizeof param, "before=%lld", (long long)json_integer_value(prev));
        set_href(ctx, "prev_href", list_href(r, k, param, page > 1 ? page - 1 : 0));
        set_href(ctx, "first_href", list_href(r, k, "", 0));
    }
    json_object_set_new(ctx, "next_label",
                        json_string(json_integer_value(json_object_get(data, "scan_window"))
                                        ? "继续查找"
                                        : "下一页"));
    if (page > 0) {
        char *label =
            pages ? xasprintf("第 %lld / %lld 页", page, pages) : xasprintf("第 %lld 页", page);
        json_object_set_new(ctx, "page_label", json_string(label));
        free(label);
    }
    /* numbers reach the last page, or, past the count cap, the last page counted */
    long long most = pages ? pages
                     : json_is_true(json_object_get(data, "total_capped"))
                         ? DIR_COUNT_CAP / DIR_PAGE_SIZE
                         : 0;
    if (most < 2 || page < 1) return;
    json_t *nums = json_array();
    long long from = page > 3 ? page - 3 : 1, to = page + 3 < most ? page + 3 : most;
    for (long long n = from; n <= to; n++) {
        char *href = list_href(r, k, "", n);
        json_array_append_new(nums, json_pack("{s:I, s:s, s:b}", "n", (json_int_t)n, "href", href,
                                              "current", n == page));
        free(href);
    }
    json_object_set_new(ctx, "page_links", nums);
}

/* 1 when kind k holds personal data (FF_SECRET fields). */
static int has_pii(const DirKind *k) {
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].flags & FF_SECRET) return 1;
    return 0;
}

void page_dir_list(Req *r) {
    const DirKind *k = dv_kind(r);
    if (!k) return;
    const char *const *cols = columns_of(k);
    json_t *data = dv_list(r, k), *headers = json_array(), *rows = json_array();
    for (size_t c = 0; cols[c]; c++)
        json_array_append_new(headers, json_string(k->fields[dir_field_index(k, cols[c])].header));
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(data, "rows"), i, row) {
        json_t *cells = json_array(), *disp = json_object_get(row, "display");
        for (size_t c = 0; cols[c]; c++) {
            const DirField *f = &k->fields[dir_field_index(k, cols[c])];
            const char *text = json_string_value(json_object_get(disp, cols[c]));
            json_array_append_new(cells, json_pack("{s:s, s:b, s:s, s:b}", "text", text ? text : "",
                                                   "badge", is_badge(f), "raw",
                                                   json_string_value(json_object_get(
                                                       json_object_get(row, "values"), cols[c]))
                                                       ?: "",
                                                   "link", c < 2));
        }
        char *href = xasprintf("/d/%s/%lld", k->name,
                               (long long)json_integer_value(json_object_get(row, "id")));
        json_array_append_new(rows, json_pack("{s:s, s:o}", "href", href, "cells", cells));
        free(href);
    }
    json_t *ctx =
        json_pack("{s:s, s:s, s:o, s:o, s:o, s:b}", "kind", k->name, "label", k->label, "headers",
                  headers, "rows", rows, "filters", filters(r, k), "can_write", dv_can_write(r, k));
    list_counts(ctx, data);
    list_pager(r, k, ctx, data);
    Buf b;
    buf_init(&b);
    keep_query(r, k, &b, NULL); /* the export takes what the list shows */
    json_object_set_new(ctx, "filter_query", json_string(b.data ? b.data : ""));
    json_object_set_new(ctx, "can_export_pii", json_boolean(r->sess->pii_export && has_pii(k)));
    buf_free(&b);
    json_decref(data);
    web_page(r, "dir_list", k->label, ctx);
}

/* ---- detail ---- */

static long long id_param(Req *r) {
    const char *s = web_param(r, "id");
    char *end;
    long long id = s ? strtoll(s, &end, 10) : 0;
    return s && *end == 0 && id > 0 ? id : 0;
}

void page_dir_detail(Req *r) {
    const DirKind *k = dv_kind(r);
    if (!k) return;
    long long id = id_param(r);
    json_t *row = id ? dv_get(r, k, id, 1) : NULL;
    if (!row) {
        web_error(r, 404, "not_found", "记录不存在或不在您的管辖范围内");
        return;
    }
    json_t *fields = json_array(), *disp = json_object_get(row, "display");
    for (size_t i = 0; i < k->nfields; i++) {
        const DirField *f = &k->fields[i];
        const char *t = json_string_value(json_object_get(disp, f->column));
        json_array_append_new(fields, json_pack("{s:s, s:s, s:b}", "label", f->header, "text",
                                                t ? t : "", "badge", is_badge(f)));
    }
    int st = dir_field_index(k, "status");
    const char *cur = json_string_value(json_object_get(json_object_get(row, "values"), "status"));
    json_t *ctx = json_pack(
        "{s:s, s:s, s:I, s:o, s:O, s:I, s:s?, s:s?, s:b, s:o}", "kind", k->name, "label", k->label,
        "id", (json_int_t)id, "fields", fields, "history", json_object_get(row, "history"),
        "version", json_integer_value(json_object_get(row, "version")), "updated_at",
        json_string_value(json_object_get(row, "updated_at")), "updated_by",
        json_string_value(json_object_get(row, "updated_by")), "can_write", dv_can_write(r, k),
        "status_options", choice_options(k->fields[st].choices, cur, 0, NULL));
    const char *name = json_string_value(json_object_get(disp, "name"));
    json_object_set_new(ctx, "name", json_string(name ? name : ""));
    json_object_set_new(ctx, "has_history",
                        json_boolean(json_array_size(json_object_get(row, "history")) > 0));
    char *title = xstrdup(name ? name : k->label);
    json_decref(row);
    web_name_users(r, ctx);
    web_page(r, "dir_detail", title, ctx);
    free(title);
}

/* ---- forms ---- */

static json_t *form_fields(Req *r, const DirKind *k, json_t *values, json_t *errors, int editing) {
    json_t *a = json_array();
    for (size_t i = 0; i < k->nfields; i++) {
        const DirField *f = &k->fields[i];
        if (!strcmp(f->column, "status") || !strcmp(f->column, "status_reason"))
            continue; /* via status change */
        const char *v = json_string_value(json_object_get(values, f->column));
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:b, s:s}", "name", f->column, "label", f->header, "hint",
                      f->hint ? f->hint : "", "required",
                      (f->flags & FF_REQUIRED) && !(f->flags & FF_DERIVED), "value", v ? v : "");
        const char *e = json_string_value(json_object_get(errors, f->column));
        if (e) json_object_set_new(o, "error", json_string(e));
        if (editing && (f->flags & FF_KEY)) json_object_set_new(o, "readonly", json_true());
        int insured_name = editing && !strcmp(f->column, "name") &&
                           str_eq(json_string_value(json_object_get(values, "kind")), "insured");
        if (editing && ((f->flags & FF_SECRET) || insured_name) &&
            !v) { /* personal data is not sent back */
            json_object_set_new(o, "placeholder", json_string("已登记，不显示；留空则不修改"));
            json_object_set_new(o, "required", json_false());
        }
        switch (f->type) {
        case FT_ENUM:
            json_object_set_new(o, "options",
                                choice_options(f->choices, v ? v : f->def, !f->def, "（请选择）"));
            json_object_set_new(o, "is_select", json_true());
            break;
        case FT_BOOL: {
            static const Choice yn[] = {{"1", "是"}, {"0", "否"}, {0}};
            json_object_set_new(o, "options", choice_options(yn, v ? v : f->def, 0, NULL));
            json_object_set_new(o, "is_select", json_true());
            break;
        }
        case FT_REF:
            json_object_set_new(o, "options", ref_options(r, f, v));
            json_object_set_new(o, "is_select", json_true());
            break;
        case FT_MULTI: {
            json_t *opts = choice_options(f->choices, NULL, 0, NULL);
            size_t j;
            json_t *op;
            json_array_foreach(opts, j, op) json_object_set_new(
                op, "selected",
                json_boolean(in_list(v, json_string_value(json_object_get(op, "value")))));
            json_object_set_new(o, "options", opts);
            json_object_set_new(o, "is_checks", json_true());
            break;
        }
        case FT_TAGS:
            json_object_set_new(o, "options", tag_checks(r, k, v));
            json_object_set_new(o, "is_checks", json_true());
            break;
        case FT_DATE:
            json_object_set_new(o, "is_date", json_true());
            break;
        case FT_INT:
            json_object_set_new(o, "is_number", json_true());
            break;
        default:
            json_object_set_new(o,
                                !strcmp(f->column, "basis") || !strcmp(f->column, "content")
                                    ? "is_textarea"
                                    : "is_text",
                                json_true());
        }
        json_array_append_new(a, o);
        /* beside a target's grade: the reason and basis a change of it needs (credit.h) */
        if (editing && !strcmp(k->table, "target") && !strcmp(f->column, "grade")) {
            static const char *const extra[][3] = {
                {"grade_reason", "等级调整理由",
                 "仅在调整信用风险等级时填写：等级决定抽查比例，调整记入信用记录"},
                {"grade_basis", "等级调整依据", "信用评价文号，或引起调整的检查记录"}};
            for (size_t x = 0; x < 2; x++) {
                const char *ev = json_string_value(json_object_get(errors, extra[x][0]));
                const char *tv = json_string_value(json_object_get(values, extra[x][0]));
                json_t *eo = json_pack("{s:s, s:s, s:s, s:b, s:s, s:b}", "name", extra[x][0],
                                       "label", extra[x][1], "hint", extra[x][2], "required", 0,
                                       "value", tv ? tv : "", "is_text", 1);
                if (ev) json_object_set_new(eo, "error", json_string(ev));
                json_array_append_new(a, eo);
            }
        }
    }
    return a;
}

static void render_form(Req *r, const DirKind *k, long long id, json_t *values, json_t *errors,
                        int status) {
    json_t *ctx = json_pack("{s:s, s:s, s:o}", "kind", k->name, "label", k->label, "fields",
                            form_fields(r, k, values, errors, id != 0));
    char *action = id ? xasprintf("/d/%s/%lld/edit", k->name, id) : xasprintf("/d/%s/new", k->name);
    json_object_set_new(ctx, "action", json_string(action));
    free(action);
    if (id) json_object_set_new(ctx, "id", json_integer(id));
    if (id) json_object_set(ctx, "version", json_object_get(values, "version"));
    if (errors) json_object_set_new(ctx, "has_errors", json_true());
    const char *row_err = json_string_value(json_object_get(errors, "_row"));
    if (row_err) json_object_set_new(ctx, "row_error", json_string(row_err));
    if (json_object_get(values, "_stale"))
        json_object_set(ctx, "stale", json_object_get(values, "_stale"));
    char *title = xasprintf("%s%s", id ? "编辑" : "新建", k->label);
    web_page(r, "dir_form", title, ctx);
    free(title);
    r->res->status = status;
}

void page_dir_new(Req *r) {
    const DirKind *k = dv_kind(r);
    if (!k) return;
    json_t *values = json_object();
    render_form(r, k, 0, values, NULL, 200);
    json_decref(values);
}

void page_dir_edit(Req *r) {
    const DirKind *k = dv_kind(r);
    if (!k) return;
    long long id = id_param(r);
    json_t *row = id ? dv_get(r, k, id, 0) : NULL;
    if (!row) {
        web_error(r, 404, "not_found", "记录不存在或不在您的管辖范围内");
        return;
    }
    json_t *values = json_deep_copy(json_object_get(row, "values"));
    json_object_set(values, "version", json_object_get(row, "version")); /* the optimistic lock's */
    render_form(r, k, id, values, NULL, 200);
    json_decref(values);
    json_decref(row);
}

/* Form input: checkbox groups (multi-choice, tags) are joined; absent groups mean "none". */
static char *form_input(Req *r, const DirField *f, void *arg) {
    (void)arg;
    if (f->type != FT_MULTI && f->type != FT_TAGS) return web_form(r, f->column);
    Buf b;
    buf_init(&b);
    char *v;
    for (int n = 0; n < 128 && (v = web_form_nth(r, f->column, n)); n++) {
        if (*v) buf_printf(&b, "%s%s", b.len ? "," : "", v);
        free(v);
    }
    return buf_steal(&b);
}

static void save_form(Req *r, long long id) {
    const DirKind *k = dv_kind(r);
    if (!k) return;
    json_t *errors = NULL;
    long long saved = 0;
    char *msg = NULL;
    int64_t current = 0;
    int status = dv_save(r, k, id, form_input, NULL, &errors, &saved, &msg, &current);
    if (status == 200 || status == 201) {
        char *loc = xasprintf("/d/%s/%lld?ok=%s", k->name, saved, id ? "saved" : "created");
        web_redirect(r, loc);
        free(loc);
    } else if (status == 422 || (status == 409 && current)) {
        json_t *values = json_object();
        for (size_t i = 0; i < k->nfields; i++) {
            char *v = form_input(r, &k->fields[i], NULL);
            if (v) json_object_set_new(values, k->fields[i].column, json_string(v));
            free(v);
        }
        static const char *const extra[] = {"grade_reason", "grade_basis"}; /* typed text stays */
        for (size_t x = 0; x < 2; x++) {
            char *v = web_form(r, extra[x]);
            if (v) json_object_set_new(values, extra[x], json_string(v));
            free(v);
        }
        if (id) { /* the code shown read-only comes from the stored row */
            json_t *row = dv_get(r, k, id, 0);
            json_t *vals = json_object_get(row, "values");
            for (size_t i = 0; i < k->nfields; i++)
                if (k->fields[i].flags & FF_KEY)
                    json_object_set(values, k->fields[i].column,
                                    json_object_get(vals, k->fields[i].column));
            json_decref(row);
        }
        json_t *stale = NULL;
        if (status == 409 &&
            id) { /* the other person's saved text beside the typed one (personal data not shown) */
            json_t *row = dv_get(r, k, id, 0), *vals = json_object_get(row, "values"),
                   *rows = json_array();
            for (size_t i = 0; i < k->nfields; i++) {
                const DirField *f = &k->fields[i];
                if (f->flags & (FF_KEY | FF_SECRET | FF_DERIVED)) continue;
                const char *typed = json_string_value(json_object_get(values, f->column));
                if (typed)
                    stale_row(rows, f->header, json_string_value(json_object_get(vals, f->column)),
                              typed);
            }
            char *tv = web_form(r, "version");
            stale = stale_context("dir-stale", "版", tv ? atoll(tv) : 0, current, rows);
            free(tv);
            json_decref(row);
        }
        if (status == 409) { /* what was typed stays; saving again is a conscious overwrite of the
                                newer version */
            char *m = xasprintf("%s。下方表单保留了您录入的内容，他人已保存的内容列在旁边；核对后"
                                "再次保存将以您的内容为准。",
                                msg);
            errors = json_pack("{s:s}", "_row", m);
            free(m);
            json_object_set_new(values, "version", json_integer(current));
        } else {
            char *v = web_form(r, "version");
            if (v) json_object_set_new(values, "version", json_integer(atoll(v)));
            free(v);
        }
        if (stale) json_object_set_new(values, "_stale", stale);
        render_form(r, k, id, values, errors, status);
        json_decref(values);
    } else {
        web_error(r, status, "save_failed", msg ? msg : "保存失败");
    }
    json_decref(errors);
    free(msg);
}

void page_dir_create(Req *r) {
    save_form(r, 0);
}

void page_dir_update(Req *r) {
    long long id = id_param(r);
    if (!id) {
        web_error(r, 404, "not_found", "记录不存在");
        return;
    }
    save_form(r, id);
}

void page_dir_status(Req *r) {
    const DirKind *k = dv_kind(r);
    if (!k) return;
    long long id = id_param(r);
    char *status = web_form(r, "status"), *reason = web_form(r, "reason"), *msg = NULL;
    if (reason) str_trim(reason);
    int code = id ? dv_set_status(r, k, id, status, reason, &msg) : 404;
    if (code == 200) {
        char *loc = xasprintf("/d/%s/%lld?ok=status", k->name, id);
        web_redirect(r, loc);
        free(loc);
    } else {
        web_error(r, code, "status_failed", msg ? msg : "状态变更失败");
    }
    free(status);
    free(reason);
    free(msg);
}

/* ---- import / export ---- */

/* The full error list of an import (when it has more problems than the page shows) waits in
 * /tmp under a random token that only the uploader's page links to, for one download or an hour. */
#define ERRORS_PATH_FMT "/tmp/spotcheck-errors-%s.csv"

static void errors_token(char out[33]) {
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(out, 33, b, sizeof b);
}

void page_dir_import_errors(Req *r) {
    const char *t = web_param(r, "token");
    size_t n = t ? strspn(t, "0123456789abcdef") : 0;
    char path[64];
    if (!dv_kind(r)) return;
    if (n != 32 || t[n]) {
        web_error(r, 404, "not_found", "错误清单不存在或已下载");
        return;
    }
    snprintf(path, sizeof path, ERRORS_PATH_FMT, t);
    if (access(path, R_OK) != 0)
        web_error(r, 404, "not_found", "错误清单不存在或已下载（清单保留一小时，下载一次后删除）");
    else
        web_attachment(r, path, 0, "import-errors.csv");
}

void page_dir_import_form(Req *r) {
    const DirKind *k = dv_kind(r);
    if (!k) return;
    json_t *cols = json_array();
    for (size_t i = 0; i < k->nfields; i++) {
        const DirField *f = &k->fields[i];
        json_array_append_new(cols, json_pack("{s:s, s:b, s:s}", "label", f->header, "required",
                                              (f->flags & FF_REQUIRED) && !(f->flags & FF_DERIVED),
                                              "hint", f->hint ? f->hint : ""));
    }
    web_page(r, "dir_import", "导入",
             json_pack("{s:s, s:s, s:o, s:b, s:I}", "kind", k->name, "label", k->label, "columns",
                       cols, "is_targets", !strcmp(k->table, "target"), "max_mb",
                       (json_int_t)(HTTP_MAX_UPLOAD >> 20)));
}

/* Checks the upload by content: a zip (XLSX) or text without NUL bytes (CSV). */
static const char *upload_type_error(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return "无法读取上传的文件";
    unsigned char head[4096];
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    if (n == 0) return "上传的文件是空的";
    if (n >= 4 && !memcmp(head, "PK\x03\x04", 4)) return NULL;
    for (size_t i = 0; i < n; i++)
        if (head[i] == 0) return "文件类型不支持：请上传 CSV 或 XLSX（Excel 2007 及以上）文件";
    return NULL;
}

void page_dir_import(Req *r) {
    const DirKind *k = dv_kind(r);
    if (!k) return;
    char *path = NULL, *filename = NULL;
    size_t size = 0;
    if (multipart_file(r->http, "file", &path, &filename, &size) != 0 || size == 0) {
        web_error(r, 400, "no_file", "请选择要导入的文件");
        if (path) unlink(path);
        free(path);
        free(filename);
        return;
    }
    const char *bad = upload_type_error(path);
    if (bad) {
        unlink(path);
        free(path);
        free(filename);
        web_error(r, 415, "unsupported_type", bad);
        return;
    }
    ImportReport rep;
    char *err = NULL, token[33], errors_csv[64];
    errors_token(token);
    snprintf(errors_csv, sizeof errors_csv, ERRORS_PATH_FMT, token);
    tmpfiles_sweep("spotcheck-errors-", 3600); /* lists nobody fetched within the hour */
    char *greason = web_form(r, "grade_reason"), *gbasis = web_form(r, "grade_basis");
    if (greason) str_trim(greason);
    if (gbasis) str_trim(gbasis);
    const char *grade[2] = {greason, gbasis};
    Actor who = web_actor(r);
    int rc = dir_import_as(r->db, &who, k, path, TABLE_ENC_AUTO,
                           !str_empty(greason) && !str_empty(gbasis) ? grade : NULL, errors_csv,
                           &rep, &err);
    free(greason);
    free(gbasis);
    unlink(path);
    free(path);
    json_t *errors = json_array();
    for (size_t i = 0; i < rep.nerrors; i++)
        json_array_append_new(errors, json_string(rep.errors[i]));
    json_t *ctx = json_pack(
        "{s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:o, s:I}", "kind", k->name, "label", k->label,
        "filename", filename ? filename : "", "ok", rc == IMPORT_OK, "rows", (json_int_t)rep.rows,
        "inserted", (json_int_t)rep.inserted, "updated", (json_int_t)rep.updated, "unchanged",
        (json_int_t)rep.unchanged, "errors", errors, "nerrors", (json_int_t)rep.total_errors);
    json_object_set_new(ctx, "has_errors", json_boolean(rep.nerrors > 0));
    if (rep.total_errors > rep.nerrors)
        json_object_set_new(ctx, "shown", json_integer((json_int_t)rep.nerrors));
    if (rep.errors_file) {
        char *href = xasprintf("/d/%s/import/errors/%s", k->name, token);
        json_object_set_new(ctx, "errors_href", json_string(href));
        free(href);
    }
    if (rc == IMPORT_FAILED)
        json_object_set_new(ctx, "failure", json_string(err ? err : "导入失败"));
    free(filename);
    free(err);
    import_report_free(&rep);
    web_page(r, "dir_import_report", "导入结果", ctx);
    if (rc != IMPORT_OK) r->res->status = 422;
}

/* The export of what the list shows (its filters, the user's scope): GET masked (ID and phone
 * numbers; every personal-data field for roles that may only read), POST unmasked for an account
 * granted 个人信息导出 with a stated purpose. Every export writes an audit row with the row count,
 * the filter and, unmasked, the purpose. */
static void dir_export_send(Req *r, int unmasked) {
    const DirKind *k = dv_kind(r);
    if (!k) return;
    char *purpose = unmasked ? web_form(r, "purpose") : NULL;
    if (purpose) str_trim(purpose);
    if (unmasked && (!r->sess->pii_export || !has_pii(k))) {
        free(purpose);
        web_error(r, 403, "pii_export", "导出未遮盖的个人信息须经系统管理员授予“个人信息导出”权限");
        return;
    }
    if (unmasked && (str_empty(purpose) || utf8_len(purpose) < 4)) {
        free(purpose);
        web_error(r, 422, "purpose",
                  "导出未遮盖的个人信息须说明用途（至少4个字），用途记入审计日志");
        return;
    }
    char *fmt = unmasked ? web_form(r, "format") : web_query(r, "format");
    int xlsx = fmt && !strcmp(fmt, "xlsx");
    free(fmt);
    char tmpl[sizeof WEB_EXPORT_TMPL];
    if (web_export_file(r, tmpl)) {
        free(purpose);
        return;
    }
    char *err = NULL;
    long long rows = 0;
    DirExportPii pii = unmasked             ? DIR_EXPORT_UNMASKED
                       : dv_can_write(r, k) ? DIR_EXPORT_MASKED
                                            : DIR_EXPORT_MASKED_ALL;
    if (dv_export(r, k, tmpl, xlsx ? TABLE_XLSX : TABLE_CSV, pii, &rows, &err) != 0) {
        unlink(tmpl);
        free(purpose);
        web_error(r, 500, "export", err ? err : "导出失败");
        free(err);
        return;
    }
    Actor who = web_actor(r);
    char *aerr = NULL; /* who took which data out, when, and why */
    int audited = dir_export_audit(r->db, &who, k, rows, r->http->query ? r->http->query : "",
                                   unmasked, purpose, &aerr) == 0;
    free(aerr);
    free(purpose);
    if (!audited && unmasked) { /* no unmasked personal data leaves without its audit row */
        unlink(tmpl);
        web_error(r, 503, "busy", "审计日志暂时无法写入，未导出，请稍后重试");
        return;
    }
    char *name = xasprintf("%s%s.%s", k->name, unmasked ? "-个人信息" : "", xlsx ? "xlsx" : "csv");
    web_attachment(r, tmpl, xlsx, name);
    free(name);
}

void page_dir_export(Req *r) {
    dir_export_send(r, 0);
}
void page_dir_export_unmasked(Req *r) {
    dir_export_send(r, 1);
}
