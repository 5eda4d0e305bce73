/* api_dir.c - the JSON API under /api/v1/ for the directories: the same permissions, scope and
 * validation as the pages (dir_view.c), with the error envelope
 * {"error": {"code": ..., "message": ..., "fields": {column: reason}}}. See docs/API.md. */
#include "dir_view.h"
#include "stale.h"
#include "web.h"

#include <stdlib.h>
#include <string.h>

void api_me(Req *r) {
    web_json(r, 200,
             json_pack("{s:s, s:s, s:s, s:s, s:s}", "username", r->sess->username, "display_name",
                       r->sess->display_name, "role", r->sess->role, "org_code", r->sess->org_code,
                       "csrf", r->sess->csrf));
}

void api_dir_list(Req *r) {
    const DirKind *k = dv_kind(r);
    if (!k) return;
    web_json(r, 200, dv_list(r, k));
}

static long long api_id(Req *r) {
    const char *s = web_param(r, "id");
    char *end;
    long long id = s ? strtoll(s, &end, 10) : 0;
    return s && *end == 0 && id > 0 ? id : 0;
}

void api_dir_get(Req *r) {
    const DirKind *k = dv_kind(r);
    if (!k) return;
    long long id = api_id(r);
    json_t *row = id ? dv_get(r, k, id, 1) : NULL;
    if (!row)
        web_error(r, 404, "not_found", "记录不存在或不在您的管辖范围内");
    else
        web_json(r, 200, row);
}

/* JSON input: a field is given by its column name; arrays are joined with ','; numbers and
 * booleans become text. Absent keys leave a stored value unchanged on update. */
static char *json_input(Req *r, const DirField *f, void *arg) {
    (void)r;
    json_t *v = json_object_get(arg, f->column);
    if (!v) return NULL;
    if (json_is_string(v)) return xstrdup(json_string_value(v));
    if (json_is_integer(v)) return xasprintf("%lld", (long long)json_integer_value(v));
    if (json_is_boolean(v)) return xstrdup(json_is_true(v) ? "1" : "0");
    if (json_is_null(v)) return xstrdup("");
    if (json_is_array(v)) {
        Buf b;
        buf_init(&b);
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) if (json_is_string(e))
            buf_printf(&b, "%s%s", b.len ? "," : "", json_string_value(e));
        return buf_steal(&b);
    }
    return xstrdup("");
}

static json_t *parse_body(Req *r) {
    return web_json_body(r, 0);
}

static void save(Req *r, long long id) {
    const DirKind *k = dv_kind(r);
    if (!k) return;
    json_t *body = parse_body(r);
    if (!body) return;
    json_t *errors = NULL;
    long long saved = 0;
    char *msg = NULL;
    int64_t current = 0;
    int status = dv_save(r, k, id, json_input, body, &errors, &saved, &msg, &current);
    json_decref(body);
    if (status == 200 || status == 201) {
        json_t *row = dv_get(r, k, saved, 0);
        web_json(r, status, row ? row : json_object());
    } else if (status == 409 && current) { /* the current version and values, to merge */
        json_t *row = dv_get(r, k, id, 0), *vals = json_object_get(row, "values");
        web_json(r, 409,
                 stale_error(msg ? msg : "版本冲突", current, vals ? json_incref(vals) : NULL));
        json_decref(row);
    } else if (status == 422) {
        web_json(r, 422,
                 json_pack("{s:{s:s, s:s, s:O}}", "error", "code", "invalid", "message",
                           "数据校验未通过", "fields", errors));
    } else {
        web_error(r, status, "save_failed", msg ? msg : "保存失败");
    }
    json_decref(errors);
    free(msg);
}

void api_dir_create(Req *r) {
    save(r, 0);
}

void api_dir_update(Req *r) {
    long long id = api_id(r);
    if (!id)
        web_error(r, 404, "not_found", "记录不存在");
    else
        save(r, id);
}

void api_dir_status(Req *r) {
    const DirKind *k = dv_kind(r);
    if (!k) return;
    json_t *body = parse_body(r);
    if (!body) return;
    char *msg = NULL;
    long long id = api_id(r);
    int code = id ? dv_set_status(r, k, id, json_string_value(json_object_get(body, "status")),
                                  json_string_value(json_object_get(body, "reason")), &msg)
                  : 404;
    json_decref(body);
    if (code == 200)
        web_json(r, 200, dv_get(r, k, id, 0));
    else
        web_error(r, code, "status_failed", msg ? msg : "状态变更失败");
    free(msg);
}
