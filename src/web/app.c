/* app.c - request dispatch for the web application. For now the status page with the
 * directory counts; the router and pages build on this. */
#include "app.h"

#include "../db/db.h"
#include "../domain/directory.h"

#include <stdlib.h>
#include <string.h>

static void html_escape(Buf *b, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '&': buf_puts(b, "&amp;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&#39;"); break;
        default: buf_putc(b, *s);
        }
    }
}

void app_handle(void *app_, HttpRequest *req, HttpResponse *res) {
    App *app = app_;
    http_set_header(res, "Content-Type", "text/html; charset=utf-8");
    http_set_header(res, "X-Content-Type-Options", "nosniff");
    http_set_header(res, "Content-Security-Policy", "default-src 'self'");
    if (strcmp(req->path, "/") != 0) {
        res->status = 404;
        buf_puts(&res->body, "<!doctype html><meta charset=utf-8><title>未找到</title><p>页面不存在</p>");
        return;
    }
    char *err = NULL;
    Db *db = db_open(app->db_path, 0, &err);
    if (!db) {
        res->status = 500;
        buf_puts(&res->body, "<!doctype html><meta charset=utf-8><p>数据库不可用</p>");
        free(err);
        return;
    }
    buf_puts(&res->body, "<!doctype html><html lang=zh-CN><meta charset=utf-8><title>spotcheck 状态</title>"
                         "<h1>spotcheck 运行状态</h1><table>");
    for (size_t i = 0; i < dir_kind_count; i++) {
        buf_puts(&res->body, "<tr><th>");
        html_escape(&res->body, dir_kinds[i]->label);
        buf_printf(&res->body, "</th><td>%lld</td></tr>", dir_count(db, dir_kinds[i]));
    }
    buf_puts(&res->body, "</table></html>");
    db_close(db);
}
