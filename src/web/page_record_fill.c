/* page_record_fill.c - the officer's record form 一企一表 on a phone: the form (plain POST, works
 * without JavaScript; web/static/record.js adds the offline draft and the signature canvas),
 * save with the version the officer started from, uploads of photos and videos (type by
 * content), the signature PNG, withdrawal of a file with a reason, submission for review, and
 * the JSON save (PUT) the offline draft syncs through. Each change is one unit of work of
 * src/domain/record_act.c (one transaction with its audit row); these handlers parse and render.
 * Only records of the officer's own current groups are reachable (404). */
#include "../core/clock.h"
#include "../domain/record.h"
#include "../domain/record_act.h"
#include "../domain/record_query.h"
#include "multipart.h"
#include "record_web.h"
#include "stale.h"

#include <sodium.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

/* ---- form context ---- */

static int in_list(const json_t *list, const char *code) {
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) if (str_eq(json_string_value(e), code)) return 1;
    return 0;
}

/* [{code, label, checked, child, prefix}] of refdata set `set`, checked when in `selected`. */
static json_t *opts(Db *db, const char *set, const json_t *selected, const char *prefix) {
    json_t *a = record_choices(db, set), *c;
    size_t i;
    json_array_foreach(a, i, c) {
        json_object_set_new(
            c, "checked",
            json_boolean(in_list(selected, json_string_value(json_object_get(c, "code")))));
        json_object_set_new(c, "prefix", json_string(prefix ? prefix : ""));
    }
    return a;
}

static json_t *as_list(const json_t *v) {
    if (json_is_array(v)) return json_deep_copy(v);
    json_t *a = json_array();
    if (json_is_string(v) && *json_string_value(v)) {
        char *s = xstrdup(json_string_value(v)), *save = NULL;
        for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save))
            json_array_append_new(a, json_string(t));
        free(s);
    }
    return a;
}

static json_t *conflict_rows(Req *r, const json_t *rec, const json_t *input);

/* The form page of record id: the stored contents, or what the officer typed (`input`) with the
 * field errors; `message` in the error box. typed_version > 0: a save made on that (old) version,
 * the saved values shown beside the typed ones (stale.h). */
static void render_form_with(Req *r, long long id, const json_t *input, const json_t *errors,
                             const char *message, int status, int64_t typed_version) {
    json_t *rec = record_web_json(r, id);
    if (!rec) {
        web_error(r, 404, "not_found", "检查记录不存在");
        return;
    }
    if (typed_version > 0 && !json_is_true(json_object_get(rec, "editable")))
        input = NULL, typed_version = 0; /* submitted meanwhile: the stored contents, read-only */
    else if (typed_version > 0) {
        message = "该记录已被他人修改，本次修改未保存。您填写的内容已保留在表单中，请与他人已保存的"
                  "内容核对后再次保存。";
        /* compared before the typed values overlay the saved ones */
        json_object_set_new(rec, "stale",
                            stale_context("record-stale", "版", typed_version,
                                          json_integer_value(json_object_get(rec, "version")),
                                          conflict_rows(r, rec, input)));
    }
    if (!json_is_true(json_object_get(rec, "editable")) && !message) {
        json_decref(rec);
        record_web_render_view(r, id, "/my/records");
        return;
    }
    if (input) {
        const char *keys[] = {"checked_from", "checked_on",     "dates_reason",  "remarks",
                              "notes",        "refusal_reason", "fraud_purpose", "police_transfer"};
        for (size_t i = 0; i < ARRAY_LEN(keys); i++)
            if (json_object_get(input, keys[i]))
                json_object_set(rec, keys[i], json_object_get(input, keys[i]));
        if (json_object_get(input, "result_codes"))
            json_object_set_new(rec, "result_list",
                                as_list(json_object_get(input, "result_codes")));
        if (json_object_get(input, "officers"))
            json_object_set_new(rec, "officer_list", as_list(json_object_get(input, "officers")));
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(input, "items"), i, it) {
            json_int_t pos = json_integer_value(json_object_get(it, "position"));
            json_t *ri = json_array_get(json_object_get(rec, "items"), (size_t)pos - 1);
            if (!ri) continue;
            json_object_set_new(ri, "method_list", as_list(json_object_get(it, "methods")));
            json_object_set_new(ri, "result_list", as_list(json_object_get(it, "result")));
            if (json_object_get(it, "notes"))
                json_object_set(ri, "notes", json_object_get(it, "notes"));
        }
        if (json_object_get(input, "violations"))
            json_object_set(rec, "violations", json_object_get(input, "violations"));
    }
    json_t *err = errors ? json_deep_copy(errors) : json_object();
    json_object_set_new(
        rec, "result_opts",
        opts(r->db, "result_categories", json_object_get(rec, "result_list"), "result_codes"));
    json_t *m;
    size_t i;
    json_array_foreach(json_object_get(rec, "members"), i, m) json_object_set_new(
        m, "present",
        json_boolean(in_list(json_object_get(rec, "officer_list"),
                             json_string_value(json_object_get(m, "cert_no")))));
    json_t *items = json_object_get(rec, "items"), *it, *item_opts = json_array();
    json_array_foreach(items, i, it) {
        json_int_t pos = json_integer_value(json_object_get(it, "position"));
        char key[48];
        snprintf(key, sizeof key, "item%lld_methods", (long long)pos);
        json_object_set_new(
            it, "method_opts",
            opts(r->db, "inspection_methods", json_object_get(it, "method_list"), key));
        json_object_set(it, "methods_error",
                        json_object_get(err, key) ? json_object_get(err, key) : json_null());
        snprintf(key, sizeof key, "item%lld_result", (long long)pos);
        json_object_set_new(
            it, "result_opts",
            opts(r->db, "result_categories", json_object_get(it, "result_list"), key));
        json_object_set(it, "result_error",
                        json_object_get(err, key) ? json_object_get(err, key) : json_null());
        json_array_append_new(item_opts,
                              json_pack("{s:I, s:s}", "position", pos, "name",
                                        json_string_value(json_object_get(it, "item_name"))));
    }
    /* violation rows: the listed ones and one blank row for a new one */
    json_t *rows = json_array(), *v;
    json_t *viol = json_object_get(rec, "violations");
    for (i = 0; i <= json_array_size(viol); i++) {
        v = i < json_array_size(viol) ? json_array_get(viol, i) : NULL;
        const char *cat = v ? json_string_value(json_object_get(v, "category")) : "";
        json_t *sel = json_pack("[s]", cat ? cat : "");
        json_t *cats = opts(r->db, "violation_categories", sel, NULL);
        json_decref(sel);
        json_int_t ipos = v ? json_integer_value(json_object_get(v, "item_position")) : 0;
        if (v && json_is_string(json_object_get(v, "item_position")))
            ipos = atoll(json_string_value(json_object_get(v, "item_position")));
        json_t *iopts = json_array(), *io;
        size_t k;
        json_array_foreach(item_opts, k, io) json_array_append_new(
            iopts, json_pack("{s:O, s:O, s:b}", "position", json_object_get(io, "position"), "name",
                             json_object_get(io, "name"), "selected",
                             json_integer_value(json_object_get(io, "position")) == ipos));
        char key[48];
        snprintf(key, sizeof key, "violation%zu", i + 1);
        json_t *idv = v ? json_object_get(v, "id") : NULL;
        char idtext[24] = "";
        if (json_is_integer(idv))
            snprintf(idtext, sizeof idtext, "%lld", (long long)json_integer_value(idv));
        else if (json_is_string(idv))
            snprintf(idtext, sizeof idtext, "%s", json_string_value(idv));
        json_array_append_new(
            rows, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:b}", "vid", idtext, "amount",
                            v && json_string_value(json_object_get(v, "amount"))
                                ? json_string_value(json_object_get(v, "amount"))
                                : "",
                            "description",
                            v && json_string_value(json_object_get(v, "description"))
                                ? json_string_value(json_object_get(v, "description"))
                                : "",
                            "cat_opts", cats, "item_opts", iopts, "error",
                            json_object_get(err, key) ? json_incref(json_object_get(err, key))
                                                      : json_null(),
                            "blank", v == NULL));
    }
    json_decref(item_opts);
    json_object_set_new(rec, "violation_rows", rows);
    json_t *files = json_object_get(rec, "files"), *f, *photos = json_array(),
           *videos = json_array();
    json_int_t sig = json_integer_value(json_object_get(rec, "signature_file_id"));
    json_array_foreach(files, i, f) {
        if (sig && json_integer_value(json_object_get(f, "id")) == sig)
            json_object_set(rec, "signature", f);
        if (json_is_true(json_object_get(f, "is_signature"))) continue;
        json_array_append(json_is_true(json_object_get(f, "is_photo")) ? photos : videos, f);
    }
    json_object_set_new(rec, "photos", photos);
    json_object_set_new(rec, "videos", videos);
    json_object_set_new(rec, "err", err);
    json_object_set_new(rec, "has_errors", json_boolean(json_object_size(err) > 0 || message));
    if (message) json_object_set_new(rec, "message", json_string(message));
    json_t *list = json_array(), *val;
    const char *k2;
    json_object_foreach(err, k2, val) if (json_is_string(val)) json_array_append(list, val);
    json_object_set_new(rec, "error_list", list);
    json_object_set_new(rec, "base", json_string("/my/records"));
    char *fb = xasprintf("/my/records/%lld/files", id);
    json_object_set_new(rec, "file_base", json_string(fb));
    free(fb);
    json_object_set_new(rec, "editable_files", json_true());
    char today[11];
    clock_today(today);
    json_object_set_new(rec, "today", json_string(today));
    char *title =
        xasprintf("填写检查记录：%s", json_string_value(json_object_get(rec, "target_name")));
    web_page(r, "record_form", title, rec);
    free(title);
    if (status) r->res->status = status;
}

static void render_form(Req *r, long long id, const json_t *input, const json_t *errors,
                        const char *message, int status) {
    render_form_with(r, id, input, errors, message, status, 0);
}

/* ---- a save on an old version: the saved values beside the typed ones ---- */

/* The labels of the codes in list (refdata set `set`; officers: the members' names), "、". */
static char *labels_of(Req *r, const char *set, const json_t *members, const json_t *list) {
    json_t *named = json_array(), *choices = set ? record_choices(r->db, set) : NULL, *e, *c;
    size_t i, k;
    json_array_foreach(list, i, e) {
        const char *code = json_string_value(e), *label = NULL;
        json_array_foreach(choices ? choices : members, k, c) {
            if (str_eq(json_string_value(json_object_get(c, set ? "code" : "cert_no")), code))
                label = json_string_value(json_object_get(c, set ? "label" : "name"));
        }
        json_array_append_new(named, json_string(label ? label : code ? code : ""));
    }
    char *t = stale_text(named);
    json_decref(named);
    json_decref(choices);
    return t;
}

/* The non-blank violations of list as texts "类别 金额元 描述". */
static json_t *violation_texts(const json_t *list) {
    json_t *out = json_array(), *v;
    size_t i;
    json_array_foreach(list, i, v) {
        const char *cat = json_string_value(json_object_get(v, "category")),
                   *amt = json_string_value(json_object_get(v, "amount")),
                   *desc = json_string_value(json_object_get(v, "description"));
        if (str_empty(cat) && str_empty(amt) && str_empty(desc)) continue;
        char *t = xasprintf("%s %s元 %s", cat ? cat : "", amt ? amt : "", desc ? desc : "");
        json_array_append_new(out, json_string(t));
        free(t);
    }
    return out;
}

/* Rows {label, saved, typed, differs} of the stored record `rec` (record_web_json, before the
 * typed values overlay it) against the form's `input` (input_from_form). */
static json_t *conflict_rows(Req *r, const json_t *rec, const json_t *input) {
    static const StaleField texts[] = {
        {"checked_from", "检查开始日期"},    {"checked_on", "检查结束日期"},
        {"dates_reason", "超期说明"},        {"fraud_purpose", "以骗取医疗保障基金为目的"},
        {"police_transfer", "移送公安机关"}, {"remarks", "备注（随检查结果公示）"},
        {"notes", "内部备注（不公开）"},     {"refusal_reason", "拒绝签名的理由"},
    };
    json_t *rows = json_array(), *members = json_object_get(rec, "members");
    stale_compare(rows, texts, 3, rec, input);
    char *a = labels_of(r, NULL, members, json_object_get(rec, "officer_list")),
         *b = labels_of(r, NULL, members, json_object_get(input, "officers"));
    stale_row(rows, "参加检查的执法人员", a, b);
    free(a), free(b);
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(rec, "items"), i, it) {
        json_t *ti = json_array_get(json_object_get(input, "items"), i);
        if (!ti) continue;
        const char *name = json_string_value(json_object_get(it, "item_name"));
        char *label = xasprintf("%zu. %s：核查方式", i + 1, name ? name : "");
        a = labels_of(r, "inspection_methods", NULL, json_object_get(it, "method_list"));
        b = labels_of(r, "inspection_methods", NULL, json_object_get(ti, "methods"));
        stale_row(rows, label, a, b);
        free(a), free(b), free(label);
        label = xasprintf("%zu. %s：检查结果", i + 1, name ? name : "");
        a = labels_of(r, "result_categories", NULL, json_object_get(it, "result_list"));
        b = labels_of(r, "result_categories", NULL, json_object_get(ti, "result"));
        stale_row(rows, label, a, b);
        free(a), free(b), free(label);
        label = xasprintf("%zu. %s：说明", i + 1, name ? name : "");
        a = stale_text(json_object_get(it, "notes"));
        b = stale_text(json_object_get(ti, "notes"));
        stale_row(rows, label, a, b);
        free(a), free(b), free(label);
    }
    a = labels_of(r, "result_categories", NULL, json_object_get(rec, "result_list"));
    b = labels_of(r, "result_categories", NULL, json_object_get(input, "result_codes"));
    stale_row(rows, "总体检查结果", a, b);
    free(a), free(b);
    json_t *va = violation_texts(json_object_get(rec, "violations")),
           *vb = violation_texts(json_object_get(input, "violations"));
    for (size_t k = 0; k < json_array_size(va) || k < json_array_size(vb); k++) {
        char *label = xasprintf("违法违规行为第%zu条", k + 1);
        stale_row(rows, label, json_string_value(json_array_get(va, k)),
                  json_string_value(json_array_get(vb, k)));
        free(label);
    }
    json_decref(va);
    json_decref(vb);
    stale_compare(rows, texts + 3, ARRAY_LEN(texts) - 3, rec, input);
    return rows;
}

/* ---- the input from the plain form ---- */

static json_t *form_list(Req *r, const char *name) {
    json_t *a = json_array();
    for (int n = 0;; n++) {
        char *v = web_form_nth(r, name, n);
        if (!v) break;
        if (*v) json_array_append_new(a, json_string(v));
        free(v);
    }
    return a;
}

static void form_text(Req *r, json_t *o, const char *name) {
    char *v = web_form(r, name);
    json_object_set_new(o, name, json_string(v ? v : ""));
    free(v);
}

static json_t *input_from_form(Req *r, long long id) {
    json_t *o = json_object();
    form_text(r, o, "checked_from");
    form_text(r, o, "checked_on");
    form_text(r, o, "dates_reason");
    form_text(r, o, "remarks");
    form_text(r, o, "notes");
    form_text(r, o, "refusal_reason");
    char *f = web_form(r, "fraud_purpose"), *p = web_form(r, "police_transfer");
    json_object_set_new(o, "fraud_purpose", json_boolean(f && *f));
    json_object_set_new(o, "police_transfer", json_boolean(p && *p));
    free(f);
    free(p);
    json_object_set_new(o, "result_codes", form_list(r, "result_codes"));
    json_object_set_new(o, "officers", form_list(r, "officers"));
    int64_t n = record_item_count(r->db, id);
    json_t *items = json_array();
    for (int64_t pos = 1; pos <= n; pos++) {
        char key[48];
        json_t *it = json_pack("{s:I}", "position", (json_int_t)pos);
        snprintf(key, sizeof key, "item%lld_methods", (long long)pos);
        json_object_set_new(it, "methods", form_list(r, key));
        snprintf(key, sizeof key, "item%lld_result", (long long)pos);
        json_object_set_new(it, "result", form_list(r, key));
        snprintf(key, sizeof key, "item%lld_notes", (long long)pos);
        char *nv = web_form(r, key);
        if (nv) json_object_set_new(it, "notes", json_string(nv));
        free(nv);
        json_array_append_new(items, it);
    }
    json_object_set_new(o, "items", items);
    json_t *viol = json_array();
    for (int k = 0;; k++) {
        char *cat = web_form_nth(r, "v_category", k);
        if (!cat) break;
        char *vid = web_form_nth(r, "v_id", k), *amt = web_form_nth(r, "v_amount", k),
             *desc = web_form_nth(r, "v_desc", k), *item = web_form_nth(r, "v_item", k);
        json_array_append_new(viol,
                              json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", vid ? vid : "",
                                        "category", cat, "amount", amt ? amt : "", "description",
                                        desc ? desc : "", "item_position", item ? item : ""));
        free(cat), free(vid), free(amt), free(desc), free(item);
    }
    json_object_set_new(o, "violations", viol);
    return o;
}

/* ---- save, submit ---- */

/* Saves `input` (record_act_save: one audited transaction); *written may be NULL. */
static int save(Req *r, long long id, const json_t *input, int64_t version, json_t *errors,
                char **msg, int64_t *written) {
    Actor who = web_actor(r);
    return record_act_save(r->db, &who, id, input, version, errors, written, msg);
}

static int submit(Req *r, long long id, json_t *errors, char **msg) {
    Actor who = web_actor(r);
    return record_act_submit(r->db, &who, id, errors, msg);
}

void page_my_record_form(Req *r) {
    long long id = record_web_id(r, 1);
    if (id) render_form(r, id, NULL, NULL, NULL, 0);
}

void page_my_record_save(Req *r) {
    long long id = record_web_id(r, 1);
    if (!id) return;
    json_t *input = input_from_form(r, id), *errors = json_object();
    char *vs = web_form(r, "version"), *action = web_form(r, "action"), *msg = NULL;
    int rc = save(r, id, input, vs ? atoll(vs) : 0, errors, &msg, NULL);
    if (rc == REC_OK && str_eq(action, "submit")) {
        free(msg);
        msg = NULL;
        rc = submit(r, id, errors, &msg);
        if (rc == REC_OK)
            web_redirect(r, "/my/records?ok=status");
        else
            render_form(r, id, NULL, errors, msg ? msg : "提交失败", web_status(rc));
    } else if (rc == REC_OK) {
        char *loc = xasprintf("/my/records/%lld?ok=saved", id);
        web_redirect(r, loc);
        free(loc);
    } else if (rc == REC_INVALID) {
        render_form(r, id, input, errors, msg, 422);
    } else if (rc == REC_CONFLICT) {
        /* what was typed stays in the form, the saved values beside it; the form now carries the
         * current version, so saving again is a conscious overwrite */
        render_form_with(r, id, input, NULL, msg, 409, vs ? atoll(vs) : 0);
    } else {
        web_error(r, web_status(rc), "record_save", msg ? msg : "保存失败");
    }
    json_decref(input);
    json_decref(errors);
    free(vs);
    free(action);
    free(msg);
}

void page_my_record_submit(Req *r) {
    long long id = record_web_id(r, 1);
    if (!id) return;
    json_t *errors = json_object();
    char *msg = NULL;
    int rc = submit(r, id, errors, &msg);
    if (rc == REC_OK)
        web_redirect(r, "/my/records?ok=status");
    else if (rc == REC_INVALID || rc == REC_CONFLICT)
        render_form(r, id, NULL, errors, msg, web_status(rc));
    else
        web_error(r, web_status(rc), "record_submit", msg ? msg : "提交失败");
    json_decref(errors);
    free(msg);
}

/* ---- files ---- */

/* Runs a file change in one audited transaction and answers: back to the form, or the form with
 * the error. */
static void file_done(Req *r, long long id, int rc, const char *action, const char *change,
                      char *msg) {
    if (rc == REC_OK) {
        char *loc = xasprintf("/my/records/%lld?ok=saved#files", id);
        web_redirect(r, loc);
        free(loc);
    } else if (rc == REC_INVALID || rc == REC_CONFLICT) {
        render_form(r, id, NULL, NULL, msg ? msg : "操作失败", web_status(rc));
    } else {
        web_error(r, web_status(rc), action, msg ? msg : "操作失败");
    }
    (void)change;
}

void page_my_record_upload(Req *r) {
    long long id = record_web_id(r, 1);
    if (!id) return;
    char *path = NULL, *name = NULL, *msg = NULL, *dir = record_web_files_dir(r);
    size_t size = 0, len = 0;
    int rc = REC_INVALID;
    char *data = NULL;
    Actor who = web_actor(r);
    if (multipart_file(r->http, "file", &path, &name, &size) != 0 || size == 0)
        set_err(&msg, "请选择要上传的照片或视频");
    else if (size > RECORD_VIDEO_MAX)
        set_err(&msg, "文件过大：视频不能超过 %u MiB", RECORD_VIDEO_MAX >> 20);
    else if (!(data = file_read_all(path, &len, NULL)))
        rc = REC_ERR, set_err(&msg, "无法读取上传的文件");
    else
        rc =
            record_act_file_add(r->db, &who, id, dir, (const unsigned char *)data, len, name, &msg);
    if (path) unlink(path);
    file_done(r, id, rc, "record_upload", NULL, msg);
    free(data);
    free(path);
    free(name);
    free(msg);
    free(dir);
}

void page_my_record_signature(Req *r) {
    long long id = record_web_id(r, 1);
    if (!id) return;
    char *url = web_form(r, "signature"), *signer = web_form(r, "signer_name"), *msg = NULL,
         *dir = record_web_files_dir(r);
    const char *prefix = "data:image/png;base64,";
    unsigned char *png = NULL;
    size_t len = 0;
    int rc = REC_INVALID;
    if (!url || !str_starts(url, prefix))
        set_err(&msg, "请先在签名框内签名");
    else {
        const char *b64 = url + strlen(prefix);
        size_t cap = strlen(b64) / 4 * 3 + 3;
        png = xmalloc(cap);
        Actor who = web_actor(r);
        if (sodium_base642bin(png, cap, b64, strlen(b64), NULL, &len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0)
            set_err(&msg, "签名图片数据不完整");
        else
            rc = record_act_signature(r->db, &who, id, dir, png, len, signer, &msg);
    }
    file_done(r, id, rc, "record_signature", NULL, msg);
    free(png);
    free(url);
    free(signer);
    free(msg);
    free(dir);
}

void page_my_record_withdraw(Req *r) {
    long long id = record_web_id(r, 1);
    if (!id) return;
    long long fid = str_id(web_param(r, "fid"));
    char *reason = web_form(r, "reason"), *msg = NULL;
    int rc = REC_NOT_FOUND;
    Actor who = web_actor(r);
    if (!fid)
        set_err(&msg, "文件不存在");
    else
        rc = record_act_file_withdraw(r->db, &who, id, fid, reason, &msg);
    file_done(r, id, rc, "record_withdraw", NULL, msg);
    free(reason);
    free(msg);
}

/* ---- JSON save for the offline draft ---- */

/* The stored record's fields in the shape the JSON save takes (a 409's "current"). */
static json_t *saved_input(Req *r, long long id) {
    json_t *rec = record_web_json(r, id);
    if (!rec) return NULL;
    json_t *o = json_object(), *items = json_array(), *viol = json_array(), *e;
    static const char *const keys[] = {"checked_from",  "checked_on",     "dates_reason",
                                       "remarks",       "notes",          "refusal_reason",
                                       "fraud_purpose", "police_transfer"};
    for (size_t k = 0; k < ARRAY_LEN(keys); k++)
        json_object_set(o, keys[k],
                        json_object_get(rec, keys[k]) ? json_object_get(rec, keys[k])
                                                      : json_null());
    json_object_set(o, "result_codes", json_object_get(rec, "result_list"));
    json_object_set(o, "officers", json_object_get(rec, "officer_list"));
    size_t i;
    json_array_foreach(json_object_get(rec, "items"), i, e) json_array_append_new(
        items, json_pack("{s:O, s:O, s:O, s:O}", "position", json_object_get(e, "position"),
                         "methods", json_object_get(e, "method_list"), "result",
                         json_object_get(e, "result_list"), "notes",
                         json_object_get(e, "notes") ? json_object_get(e, "notes") : json_null()));
    json_array_foreach(json_object_get(rec, "violations"), i, e) {
        json_t *v = json_object();
        static const char *const vk[] = {"id", "category", "amount", "description",
                                         "item_position"};
        for (size_t k = 0; k < ARRAY_LEN(vk); k++)
            json_object_set(v, vk[k],
                            json_object_get(e, vk[k]) ? json_object_get(e, vk[k]) : json_null());
        json_array_append_new(viol, v);
    }
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "violations", viol);
    json_decref(rec);
    return o;
}

void api_my_record_put(Req *r) {
    long long id = record_web_id(r, 1);
    if (!id) return;
    json_t *body = web_json_body(r, 0);
    if (!body) return;
    json_t *ver = json_object_get(body, "version");
    json_t *errors = json_object();
    char *msg = NULL;
    if (!json_is_integer(ver)) {
        json_object_set_new(errors, "version", json_string("缺少版本号 version"));
        web_json(r, 422,
                 json_pack("{s:{s:s, s:s, s:O}}", "error", "code", "invalid", "message",
                           "数据校验未通过", "fields", errors));
    } else {
        int64_t written = 0, v = 0;
        int rc = save(r, id, body, json_integer_value(ver), errors, &msg, &written);
        char *status = NULL;
        record_version_status(r->db, id, &v, &status);
        if (rc == REC_OK) /* the version this save wrote, not whatever is current by now */
            web_json(r, 200,
                     json_pack("{s:{s:I, s:I, s:s}}", "record", "id", (json_int_t)id, "version",
                               (json_int_t)written, "status", status ? status : ""));
        else if (rc == REC_INVALID)
            web_json(r, 422,
                     json_pack("{s:{s:s, s:s, s:O}}", "error", "code", "invalid", "message",
                               msg ? msg : "数据校验未通过", "fields", errors));
        else if (rc == REC_CONFLICT) { /* the current version and fields, to merge and save again */
            json_t *out = stale_error(msg ? msg : "版本冲突", v, saved_input(r, id));
            json_object_set_new(json_object_get(out, "error"), "status",
                                json_string(status ? status : ""));
            web_json(r, 409, out);
        } else
            web_error(r, web_status(rc), "failed", msg ? msg : "保存失败");
        free(status);
    }
    json_decref(errors);
    json_decref(body);
    free(msg);
}
