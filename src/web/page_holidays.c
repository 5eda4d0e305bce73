/* page_holidays.c - the State Council holiday data behind every working-day deadline
 * (/admin/holidays): which years it covers, where it came from, the current file to download,
 * and an upload that replaces it once the next year's notice is out. The upload goes through
 * refdata_store_load, which checks the file against the calendar's rules (contiguous whole
 * years, 1/1 and 10/1 off, 上班 only on weekends, …), replaces the set in one transaction and
 * writes the old rows to the audit log. The data is national, so any administrator may load it. */
#include "../domain/calendar.h"
#include "../domain/refdata_store.h"
#include "../domain/task.h"
#include "multipart.h"
#include "web.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HOLIDAYS_MAX_BYTES (1u << 20)

/* Per covered year: days off and adjusted working days, from the data's text. */
static json_t *year_rows(const char *text) {
    json_t *years = json_array();
    int year = 0, off = 0, work = 0;
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n >= 12 && p[4] == '-' && p[0] >= '0' && p[0] <= '9') {
            int y = atoi(p);
            if (y != year && year) {
                json_array_append_new(
                    years, json_pack("{s:i, s:i, s:i}", "year", year, "off", off, "work", work));
                off = work = 0;
            }
            year = y;
            const char *kind = p + 11;
            if (!strncmp(kind, "放假", strlen("放假")))
                off++;
            else if (!strncmp(kind, "上班", strlen("上班")))
                work++;
        }
        p += n + (e != NULL);
    }
    if (year)
        json_array_append_new(years,
                              json_pack("{s:i, s:i, s:i}", "year", year, "off", off, "work", work));
    return years;
}

static void render(Req *r, const char *error, int status) {
    size_t len = 0;
    int in_db = 0;
    char *text = task_holidays_text(r->db, &len, &in_db);
    json_t *ctx = json_pack("{s:o, s:b}", "years", year_rows(text ? text : ""), "in_db", in_db);
    char *err = NULL;
    Calendar *cal = text ? calendar_parse(text, len, &err) : NULL;
    if (cal) {
        json_object_set_new(ctx, "first_year", json_integer(calendar_first_year(cal)));
        json_object_set_new(ctx, "last_year", json_integer(calendar_last_year(cal)));
        json_object_set_new(ctx, "next_year", json_integer(calendar_last_year(cal) + 1));
    }
    calendar_free(cal);
    free(err);
    free(text);
    /* how far the provisional (statutory) years reach */
    cal = task_calendar_load(r->db, NULL);
    json_object_set_new(ctx, "end_year", json_integer(cal ? calendar_end_year(cal) : 0));
    calendar_free(cal);
    json_t *loaded = refdata_store_info(r->db, "holidays");
    if (loaded) json_object_set_new(ctx, "loaded", loaded);
    if (error) json_object_set_new(ctx, "error", json_string(error));
    web_page(r, "admin_holidays", "节假日数据", ctx);
    if (status != 200) r->res->status = status;
}

void page_holidays(Req *r) {
    render(r, NULL, 200);
}

void page_holidays_file(Req *r) {
    size_t len = 0;
    int in_db = 0;
    char *text = task_holidays_text(r->db, &len, &in_db);
    if (!text) {
        web_error(r, 404, "not_found", "没有节假日数据");
        return;
    }
    buf_reset(&r->res->body);
    buf_puts(
        &r->res->body,
        "# 全国法定节假日放假（放假）与调休上班（上班）日期，供工作日期限计算使用。\n"
        "# 国务院办公厅发布新一年通知后，在文件末尾追加该年全部日期，再在“节假日数据”页面上传。\n");
    buf_append(&r->res->body, text, len);
    free(text);
    http_set_header(r->res, "Content-Type", "text/tab-separated-values; charset=utf-8");
    http_set_header(r->res, "Content-Disposition", "attachment; filename=\"holidays.tsv\"");
}

void page_holidays_load(Req *r) {
    char *path = NULL, *filename = NULL, *text = NULL, *err = NULL;
    size_t size = 0, len = 0;
    const char *bad = NULL;
    if (multipart_file(r->http, "file", &path, &filename, &size) != 0 || size == 0)
        bad = "请选择要上传的 holidays.tsv 文件";
    else if (size > HOLIDAYS_MAX_BYTES)
        bad = "文件过大：节假日数据文件不超过 1 MiB";
    else if (!(text = file_read_all(path, &len, NULL)))
        bad = "无法读取上传的文件";
    else if (memchr(text, 0, len) || !utf8_valid(text, len))
        bad = "文件类型不符：请上传 UTF-8 编码的文本文件（TAB 分隔，三列：date、kind、name）";
    if (path) unlink(path);
    free(path);
    if (!bad) {
        char *source = xasprintf("上传 %s", filename && *filename ? filename : "holidays.tsv");
        if (refdata_store_load(r->db, "holidays", text, len, source, r->sess->username, &err) !=
            DB_OK)
            bad = err ? err : "载入失败";
        free(source);
    }
    free(text);
    free(filename);
    if (bad)
        render(r, bad, 422);
    else
        web_redirect(r, "/admin/holidays?ok=saved");
    free(err);
}
