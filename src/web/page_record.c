/* page_record.c - record forms 一企一表 for the bureau: the list of records in scope (filter by
 * task and status, entry deadline), the read-only view (items, violations, files, signature,
 * versions, status events), the internal file route and the JSON view; plus the helpers the
 * officer's pages share (page_record_fill.c). Records are created from the drawn targets
 * (record_act_sync) when a list is opened. Rules and units of work live in src/domain (record.c,
 * record_act.c); the reads are record_query.c. */
#include "../core/clock.h"
#include "../domain/account.h"
#include "../domain/record.h"
#include "../domain/record_act.h"
#include "../domain/record_query.h"
#include "../domain/task.h"
#include "record_web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared helpers ---- */

long long record_web_id(Req *r, int mine) {
    long long id = str_id(web_param(r, "id"));
    int64_t org = record_org(r->db, id);
    if (org && mine) {
        char *cert = account_officer_cert(r->db, r->sess->user_id);
        if (!record_officer_in_group(r->db, id, cert)) org = 0;
        free(cert);
    }
    return web_scope_gate(r, org, "检查记录不存在或不在您的检查组、管辖范围内") ? 0 : id;
}

char *record_web_files_dir(Req *r) {
    return xstrdup(r->app->files_dir);
}

void record_web_send_file(Req *r, long long rid) {
    long long fid = str_id(web_param(r, "fid"));
    char *mime = NULL, *sha = NULL, *kind = NULL;
    if (!fid || record_file_meta(r->db, rid, fid, &mime, &sha, &kind) != 0) {
        web_error(r, 404, "not_found", "文件不存在");
        return;
    }
    char *dir = record_web_files_dir(r), *path = record_file_path(dir, sha);
    size_t len = 0;
    char *data = file_read_all(path, &len, NULL);
    if (!data) {
        web_error(r, 404, "not_found", "文件内容缺失，请联系系统管理员");
    } else {
        buf_reset(&r->res->body);
        buf_append(&r->res->body, data, len);
        http_set_header(r->res, "Content-Type", mime);
        http_set_header(r->res, "X-Content-Type-Options", "nosniff");
        http_set_header(r->res, "Cache-Control", "private, no-store");
        const char *ext = strchr(mime, '/') ? strchr(mime, '/') + 1 : "bin";
        if (!strcmp(ext, "quicktime")) ext = "mov";
        if (!strcmp(ext, "jpeg")) ext = "jpg";
        char *cd = xasprintf("%s; filename=\"record-%lld-%s-%lld.%s\"",
                             str_eq(kind, "video") ? "attachment" : "inline", rid, kind, fid, ext);
        http_set_header(r->res, "Content-Disposition", cd);
        free(cd);
    }
    free(data);
    free(path);
    free(dir);
    free(mime);
    free(sha);
    free(kind);
}

/* Creates the records the list is about to show (record_act_sync: the drawn tasks of the user's
 * jurisdiction, or with cert those of the officer's groups). A failure only leaves them for the
 * next visit: the list shows what exists. */
static void sync_records(Req *r, const char *cert) {
    Actor who = web_actor(r);
    char *err = NULL;
    if (record_act_sync(r->db, &who, cert, &err) != REC_OK && err)
        fprintf(stderr, "record sync: %s\n", err);
    free(err);
}

/* ---- the bureau's pages ---- */

void page_record_list(Req *r) {
    char today[11];
    clock_today(today);
    sync_records(r, NULL);
    char *task_q = web_query(r, "task"), *status_q = web_query(r, "status");
    long long task_f = str_id(task_q);
    const char *statuses[] = {"待录入", "待审核", "退回", "审核通过", "已公示"};
    const char *status_f = "";
    for (size_t i = 0; i < ARRAY_LEN(statuses); i++)
        if (str_eq(status_q, statuses[i])) status_f = statuses[i];
    Calendar *cal = web_calendar(r);
    json_t *rows = record_list(r->db, r->sess->org_id, task_f, status_f, cal, today);
    calendar_free(cal);
    json_t *task_opts = record_task_choices(r->db, r->sess->org_id, task_f),
           *status_opts = json_array();
    for (size_t i = 0; i < ARRAY_LEN(statuses); i++)
        json_array_append_new(status_opts, json_pack("{s:s, s:b}", "value", statuses[i], "selected",
                                                     str_eq(status_f, statuses[i])));
    json_t *ctx = json_pack("{s:o, s:o, s:o, s:s}", "rows", rows, "tasks", task_opts, "statuses",
                            status_opts, "today", today);
    free(task_q);
    free(status_q);
    web_page(r, "record_list", "检查记录（一企一表）", ctx);
}

/* Adds what the read-only view needs: the files' URL prefix, the signature file. */
static void view_extras(json_t *rec, const char *base) {
    json_object_set_new(rec, "base", json_string(base));
    json_t *files = json_object_get(rec, "files"), *f;
    size_t i;
    json_int_t sig = json_integer_value(json_object_get(rec, "signature_file_id"));
    json_t *photos = json_array(), *others = json_array();
    json_array_foreach(files, i, f) {
        if (json_integer_value(json_object_get(f, "id")) == sig && sig)
            json_object_set(rec, "signature", f);
        if (json_is_true(json_object_get(f, "is_signature"))) continue;
        json_array_append(json_is_true(json_object_get(f, "is_photo")) ? photos : others, f);
    }
    json_object_set_new(rec, "photos", photos);
    json_object_set_new(rec, "videos", others);
}

json_t *record_web_json(Req *r, long long id) {
    char today[11];
    clock_today(today);
    Calendar *cal = web_calendar(r);
    json_t *rec = record_json(r->db, id, cal, today);
    calendar_free(cal);
    return rec;
}

void record_web_render_view(Req *r, long long id, const char *base) {
    json_t *rec = record_web_json(r, id);
    if (!rec) {
        web_error(r, 404, "not_found", "检查记录不存在");
        return;
    }
    view_extras(rec, base);
    char *fb = xasprintf("%s/%lld/files", base, id);
    json_object_set_new(rec, "file_base", json_string(fb));
    free(fb);
    json_object_set_new(rec, "editable_files", json_false());
    json_object_set_new(rec, "mine", json_boolean(str_starts(base, "/my/")));
    char *title = xasprintf("检查记录：%s", json_string_value(json_object_get(rec, "target_name")));
    web_name_users(r, rec);
    web_page(r, "record_view", title, rec);
    free(title);
}

void page_record_view(Req *r) {
    long long id = record_web_id(r, 0);
    if (id) record_web_render_view(r, id, "/records");
}

void page_record_file(Req *r) {
    long long id = record_web_id(r, 0);
    if (id) record_web_send_file(r, id);
}

void page_my_record_file(Req *r) {
    long long id = record_web_id(r, 1);
    if (id) record_web_send_file(r, id);
}

void api_record_get(Req *r) {
    long long id = record_web_id(r, 0);
    if (!id) return;
    json_t *rec = record_web_json(r, id);
    if (!rec)
        web_error(r, 404, "not_found", "检查记录不存在");
    else
        web_json(r, 200, json_pack("{s:o}", "record", rec));
}

/* ---- the officer's list ---- */

void page_my_records(Req *r) {
    char today[11];
    clock_today(today);
    char *cert = account_officer_cert(r->db, r->sess->user_id);
    json_t *rows = NULL;
    if (cert) {
        sync_records(r, cert);
        Calendar *cal = web_calendar(r);
        rows = record_list_mine(r->db, r->sess->org_id, cert, cal, today);
        calendar_free(cal);
    }
    json_t *ctx = json_pack("{s:o, s:b, s:s}", "rows", rows ? rows : json_array(), "linked",
                            cert != NULL, "cert_no", cert ? cert : "");
    free(cert);
    web_page(r, "record_mine", "我的检查记录", ctx);
}
