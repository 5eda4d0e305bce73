/* page_record.c - record forms 一企一表 for the bureau: the list of records in scope (filter by
 * task and status, entry deadline), the read-only view (items, violations, files, signature,
 * versions, status events), the internal file route and the JSON view; plus the helpers the
 * officer's pages share (page_record_fill.c). Records are created from the drawn targets by
 * record_sync_task when a list is opened. Rules live in src/domain/record.c. */
#include "../core/clock.h"
#include "../domain/deadline.h"
#include "../domain/record.h"
#include "../domain/task.h"
#include "record_web.h"

#include <stdlib.h>
#include <string.h>

/* ---- shared helpers ---- */

char *record_web_cert(Req *r) {
    char *cert = NULL;
    db_query_text(r->db, &cert, "SELECT o.cert_no FROM user u JOIN officer o ON o.id = u.officer_id WHERE u.id = ?", "i",
                  (int64_t)r->sess->user_id);
    return cert;
}

static long long parse_id(const char *s) {
    char *end;
    long long id = s ? strtoll(s, &end, 10) : 0;
    return s && *s && *end == 0 && id > 0 ? id : 0;
}

long long record_web_id(Req *r, int mine) {
    long long id = parse_id(web_param(r, "id"));
    int64_t org = 0, ok = 1;
    if (id) db_query_int(r->db, &org, "SELECT org_id FROM record WHERE id = ?", "i", (int64_t)id);
    if (org && mine) {
        char *cert = record_web_cert(r);
        ok = 0;
        if (cert)
            db_query_int(r->db, &ok, "SELECT count(*) FROM record rc JOIN draw_member m ON m.draw_id = rc.draw_id AND "
                                     "m.target_code = rc.target_code WHERE rc.id = ? AND m.member_code = ? AND m.status = '在组'",
                         "it", (int64_t)id, cert);
        free(cert);
    }
    if (!ok) org = 0;
    return web_scope_gate(r, org, "检查记录不存在或不在您的检查组、管辖范围内") ? 0 : id;
}

char *record_web_files_dir(Req *r) { return record_files_dir(r->app->db_path); }

void record_web_send_file(Req *r, long long rid) {
    long long fid = parse_id(web_param(r, "fid"));
    char *mime = NULL, *sha = NULL, *kind = NULL;
    if (fid) {
        Stmt *st = db_prepare(r->db, "SELECT mime, sha256, kind FROM record_file WHERE id = ? AND record_id = ?");
        if (st) {
            db_bind_int(st, 1, fid);
            db_bind_int(st, 2, rid);
            if (db_step(st) == DB_ROW) {
                mime = xstrdup(db_col_text(st, 0));
                sha = xstrdup(db_col_text(st, 1));
                kind = xstrdup(db_col_text(st, 2));
            }
            db_finalize(st);
        }
    }
    if (!mime) {
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
        char *cd = xasprintf("%s; filename=\"record-%lld-%s-%lld.%s\"", str_eq(kind, "video") ? "attachment" : "inline", rid, kind, fid, ext);
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

int record_web_audit(Req *r, const char *action, long long id, const char *before, const char *extra_after) {
    char *snap = record_snapshot_text(r->db, id);
    char *after = snap;
    if (extra_after && snap) {
        json_t *a = json_loads(snap, 0, NULL), *x = json_loads(extra_after, 0, NULL);
        if (a && x) json_object_set(a, "change", x);
        after = a ? json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(a);
        json_decref(x);
        free(snap);
    }
    int rc = web_audit(r, action, "record", id, before, after);
    free(after);
    return rc;
}

/* Whether a task's current draw has a valid target without its record yet. */
static int task_missing_records(Req *r, int64_t task) {
    int64_t missing = 0;
    db_query_int(r->db, &missing,
                 "SELECT EXISTS (SELECT 1 FROM task t JOIN draw d ON d.task_code = t.code AND d.status = '已抽取' "
                 "JOIN draw_target dt ON dt.draw_id = d.id AND dt.status = '有效' WHERE t.id = ? AND NOT EXISTS "
                 "(SELECT 1 FROM record rc WHERE rc.draw_id = dt.draw_id AND rc.target_code = dt.target_code))",
                 "i", task);
    return missing != 0;
}

/* Creates the missing records of the given tasks in one audited transaction. Looked at first
 * with a read: a list page takes the write lock only when there is something to create. */
static void sync_tasks(Req *r, const int64_t *tasks, size_t n) {
    size_t need = 0;
    for (size_t i = 0; i < n && !need; i++) need = task_missing_records(r, tasks[i]);
    if (!need || db_begin(r->db) != DB_OK) return;
    int ok = 1;
    for (size_t i = 0; ok && i < n; i++) {
        int created = 0;
        char *err = NULL;
        if (record_sync_task(r->db, tasks[i], &created, &err) != REC_OK) ok = 0;
        else if (created) {
            int64_t org = 0;
            db_query_int(r->db, &org, "SELECT org_id FROM task WHERE id = ?", "i", tasks[i]);
            char *after = xasprintf("{\"task_id\":%lld,\"created\":%d,\"org_id\":\"%lld\"}", (long long)tasks[i], created, (long long)org);
            ok = web_audit(r, "record.sync", "task", tasks[i], NULL, after) == DB_OK;
            free(after);
        }
        if (err) fprintf(stderr, "record sync: %s\n", err);
        free(err);
    }
    if (!ok || db_commit(r->db) != DB_OK) db_rollback(r->db);
}

/* Task ids from a query with the bindings given (one column). */
static int64_t *task_ids(Req *r, Stmt *st, size_t *n) {
    *n = 0;
    int64_t *v = NULL;
    size_t cap = 0;
    if (!st) return NULL;
    while (db_step(st) == DB_ROW) {
        if (*n == cap) v = xrealloc(v, (cap = cap ? cap * 2 : 8) * sizeof *v);
        v[(*n)++] = db_col_int(st, 0);
    }
    db_finalize(st);
    (void)r;
    return v;
}

/* One list row from the columns of LIST_SQL. */
#define LIST_COLS                                                                                  \
    "SELECT rc.id, t.id, t.code, t.name, rc.target_code, coalesce(g.name, rc.target_code), rc.status, rc.checked_on, t.month_to, " \
    "rc.version, rc.updated_at, d.status FROM record rc JOIN task t ON t.id = rc.task_id JOIN draw d ON d.id = rc.draw_id "  \
    "LEFT JOIN target g ON g.code = rc.target_code "

static json_t *list_row(Stmt *st, const Calendar *cal, const char *today) {
    char deadline[11], state[64];
    int overdue = 0;
    const char *status = db_col_text(st, 6);
    int editable = str_eq(status, "待录入") || str_eq(status, "退回");
    int drc = record_deadline(cal, db_col_text(st, 7), db_col_text(st, 8), today, deadline, state, &overdue);
    json_t *row = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:s, s:b}", "id", (json_int_t)db_col_int(st, 0), "task_id",
                     (json_int_t)db_col_int(st, 1), "task_code", db_col_text(st, 2), "task_name", db_col_text(st, 3), "target_code",
                     db_col_text(st, 4), "target_name", db_col_text(st, 5), "status", status, "checked_on",
                     db_col_text(st, 7) ? db_col_text(st, 7) : "", "deadline", deadline, "deadline_state", editable ? state : "已提交",
                     "overdue", editable && overdue, "version", (json_int_t)db_col_int(st, 9), "updated_at", db_col_text(st, 10),
                     "superseded", str_eq(db_col_text(st, 11), "已作废"));
    deadline_json_set(row, "deadline_text", "provisional", deadline, drc == CAL_PROVISIONAL);
    return row;
}

/* ---- the bureau's pages ---- */

void page_record_list(Req *r) {
    char today[11];
    clock_today(today);
    size_t n = 0;
    Stmt *ts = db_prepare(r->db, "SELECT t.id FROM task t WHERE " WEB_SCOPE_SQL("t.org_id") " AND EXISTS (SELECT 1 FROM draw d "
                                 "WHERE d.task_code = t.code AND d.status = '已抽取')");
    if (ts) db_bind_int(ts, 1, r->sess->org_id);
    int64_t *tasks = task_ids(r, ts, &n);
    sync_tasks(r, tasks, n);
    free(tasks);

    char *task_q = web_query(r, "task"), *status_q = web_query(r, "status");
    long long task_f = parse_id(task_q);
    const char *statuses[] = {"待录入", "待审核", "退回", "审核通过", "已公示"};
    const char *status_f = "";
    for (size_t i = 0; i < ARRAY_LEN(statuses); i++)
        if (str_eq(status_q, statuses[i])) status_f = statuses[i];
    json_t *rows = json_array(), *task_opts = json_array(), *status_opts = json_array();
    Stmt *st = db_prepare(r->db, LIST_COLS "WHERE " WEB_SCOPE_SQL("rc.org_id") " AND (? = 0 OR rc.task_id = ?) AND (? = '' OR rc.status = ?) "
                                           "ORDER BY t.id DESC, d.draw_no DESC, rc.id LIMIT 1000");
    if (st) {
        db_bind_va(st, "iiitt", (int64_t)r->sess->org_id, (int64_t)task_f, (int64_t)task_f, status_f, status_f);
        Calendar *cal = web_calendar(r);
        while (db_step(st) == DB_ROW) json_array_append_new(rows, list_row(st, cal, today));
        calendar_free(cal);
        db_finalize(st);
    }
    st = db_prepare(r->db, "SELECT DISTINCT t.id, t.code, t.name FROM task t JOIN record rc ON rc.task_id = t.id WHERE " WEB_SCOPE_SQL("t.org_id")
                           " ORDER BY t.id DESC");
    if (st) {
        db_bind_int(st, 1, r->sess->org_id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(task_opts, json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)db_col_int(st, 0), "code", db_col_text(st, 1),
                                                       "name", db_col_text(st, 2), "selected", db_col_int(st, 0) == task_f));
        db_finalize(st);
    }
    for (size_t i = 0; i < ARRAY_LEN(statuses); i++)
        json_array_append_new(status_opts, json_pack("{s:s, s:b}", "value", statuses[i], "selected", str_eq(status_f, statuses[i])));
    json_t *ctx = json_pack("{s:o, s:o, s:o, s:s}", "rows", rows, "tasks", task_opts, "statuses", status_opts, "today", today);
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
        if (json_integer_value(json_object_get(f, "id")) == sig && sig) json_object_set(rec, "signature", f);
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
    if (!rec) web_error(r, 404, "not_found", "检查记录不存在");
    else web_json(r, 200, json_pack("{s:o}", "record", rec));
}

/* ---- the officer's list ---- */

void page_my_records(Req *r) {
    char today[11];
    clock_today(today);
    char *cert = record_web_cert(r);
    json_t *rows = json_array();
    if (cert) {
        size_t n = 0;
        Stmt *ts = db_prepare(r->db, "SELECT DISTINCT t.id FROM draw_member m JOIN draw d ON d.id = m.draw_id JOIN task t ON t.code = d.task_code "
                                     "WHERE m.member_code = ? AND m.status = '在组' AND d.status = '已抽取' AND " WEB_SCOPE_SQL("t.org_id"));
        if (ts) db_bind_va(ts, "ti", cert, (int64_t)r->sess->org_id);
        int64_t *tasks = task_ids(r, ts, &n);
        sync_tasks(r, tasks, n);
        free(tasks);
        Stmt *st = db_prepare(r->db, LIST_COLS "JOIN draw_member m ON m.draw_id = rc.draw_id AND m.target_code = rc.target_code "
                                               "WHERE m.member_code = ? AND m.status = '在组' AND " WEB_SCOPE_SQL("rc.org_id")
                                               " ORDER BY rc.status NOT IN ('待录入', '退回'), t.id DESC, rc.id LIMIT 500");
        if (st) {
            db_bind_va(st, "ti", cert, (int64_t)r->sess->org_id);
            Calendar *cal = web_calendar(r);
            while (db_step(st) == DB_ROW) json_array_append_new(rows, list_row(st, cal, today));
            calendar_free(cal);
            db_finalize(st);
        }
    }
    json_t *ctx = json_pack("{s:o, s:b, s:s}", "rows", rows, "linked", cert != NULL, "cert_no", cert ? cert : "");
    free(cert);
    web_page(r, "record_mine", "我的检查记录", ctx);
}
