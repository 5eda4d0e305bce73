/* page_task_report.c - GET /tasks/:id/report: the task's 执法检查报告 (task_report.h) as a page
 * that prints on A4 (the print styles), and with ?format=xlsx as a workbook (libxlsxwriter,
 * constant-memory mode as the figures export); the export is audited. */
#include "../core/clock.h"
#include "../domain/jsonkit.h"
#include "../domain/task_report.h"
#include "task_web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

typedef struct Sheet {
    lxw_worksheet *ws;
    lxw_format *bold;
    lxw_row_t row;
} Sheet;

static void row_text(Sheet *s, const char *const *cells, size_t n, lxw_format *f) {
    for (size_t i = 0; i < n; i++)
        if (cells[i]) worksheet_write_string(s->ws, s->row, (lxw_col_t)i, cells[i], f);
    s->row++;
}

/* A table: a title row, a header row, then one row per element of list with the given keys
 * (integers as numbers, strings as text). */
static void table(Sheet *s, const char *title, const char *const *head, const char *const *keys,
                  size_t n, const json_t *list) {
    worksheet_write_string(s->ws, s->row++, 0, title, s->bold);
    row_text(s, head, n, s->bold);
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) {
        for (size_t c = 0; c < n; c++) {
            json_t *v = json_object_get(e, keys[c]);
            if (json_is_integer(v))
                worksheet_write_number(s->ws, s->row, (lxw_col_t)c, (double)json_integer_value(v),
                                       NULL);
            else if (json_is_string(v))
                worksheet_write_string(s->ws, s->row, (lxw_col_t)c, json_string_value(v), NULL);
        }
        s->row++;
    }
    s->row++;
}

static int write_workbook(const char *path, const json_t *t, const json_t *rep) {
    lxw_workbook_options opt = {
        .constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_FALSE};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb) return -1;
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    Sheet s = {workbook_add_worksheet(wb, "执法检查报告"), bold, 0};
    worksheet_set_column(s.ws, 0, 0, 30, NULL);
    worksheet_set_column(s.ws, 1, 6, 14, NULL);
    char title[512];
    snprintf(title, sizeof title, "%s %s 执法检查报告", jk_str0(t, "code"), jk_str0(t, "name"));
    worksheet_write_string(s.ws, s.row++, 0, title, bold);
    char line[128];
    snprintf(line, sizeof line, "统计日期：%s", jk_str0(rep, "today"));
    worksheet_write_string(s.ws, s.row++, 0, line, NULL);
    s.row++;
    const json_t *d = json_object_get(rep, "draw"), *rc = json_object_get(rep, "records");
    static const char *const sh[] = {"项目", "数量"};
    row_text(&s, sh, 2, bold);
    struct {
        const char *label;
        const json_t *v;
    } sums[] = {{"抽查对象名录（冻结时）", json_object_get(d, "population")},
                {"抽中检查对象（有效）", json_object_get(d, "targets")},
                {"其中递补", json_object_get(d, "replaced")},
                {"检查记录", json_object_get(rc, "total")},
                {"已完成检查", json_object_get(rc, "checked")},
                {"发现问题", json_object_get(rc, "with_findings")},
                {"已公示", json_object_get(rc, "published")}};
    for (size_t i = 0; i < ARRAY_LEN(sums); i++) {
        worksheet_write_string(s.ws, s.row, 0, sums[i].label, NULL);
        worksheet_write_number(s.ws, s.row++, 1, (double)json_integer_value(sums[i].v), NULL);
    }
    s.row++;
    static const char *const st_h[] = {"记录状态", "数量"}, *const st_k[] = {"status", "n"};
    table(&s, "检查记录状态", st_h, st_k, 2, json_object_get(rc, "by_status"));
    static const char *const r_h[] = {"代码", "检查结果类别", "记录数"}, *const r_k[] = {
                                                                             "code", "label", "n"};
    table(&s, "检查结果", r_h, r_k, 3, json_object_get(rep, "results"));
    static const char *const v_h[] = {"代码", "违法行为类别", "条数", "涉及金额（元）"},
                             *const v_k[] = {"code", "label", "n", "amount"};
    table(&s, "违法行为", v_h, v_k, 4, json_object_get(rep, "violations"));
    static const char *const f_h[] = {"处置方式", "件数", "未完结", "已完结", "金额（元）"},
                             *const f_k[] = {"label", "total", "open", "closed", "amount"};
    table(&s, "后续处置", f_h, f_k, 5, json_object_get(rep, "followups"));
    static const char *const d_h[] = {"期限",         "按时完成", "逾期完成",
                                      "已逾期未完成", "未到期",   "期限未知"},
                             *const d_k[] = {"label",   "on_time", "late",
                                             "overdue", "open",    "unknown"};
    table(&s, "期限执行情况", d_h, d_k, 6, json_object_get(rep, "deadlines"));
    static const char *const o_h[] = {"姓名", "执法证号/专家编码", "任组长（组）", "任组员（组）",
                                      "签署检查记录"},
                             *const o_k[] = {"name", "cert_no", "leads", "members", "records"};
    table(&s, "参加检查的执法人员和专家", o_h, o_k, 5, json_object_get(rep, "officers"));
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
}

static void send_xlsx(Req *r, long long id, const json_t *t, const json_t *rep) {
    char tmpl[sizeof WEB_EXPORT_TMPL];
    if (web_export_file(r, tmpl)) return;
    Actor who = web_actor(r);
    if (write_workbook(tmpl, t, rep) || task_report_export_audit(r->db, &who, id, NULL)) {
        unlink(tmpl);
        web_error(r, 500, "export", "导出失败（或无法记录审计日志），未导出");
        return;
    }
    char name[160];
    snprintf(name, sizeof name, "report-%s.xlsx", jk_str0(t, "code"));
    web_attachment(r, tmpl, 1, name);
}

void page_task_report(Req *r) {
    long long id;
    json_t *t = task_web_load(r, &id);
    if (!t) return;
    char today[11], *err = NULL, *format = web_query(r, "format");
    clock_today(today);
    Calendar *cal = web_calendar(r);
    json_t *rep = task_report(r->db, id, cal, today, &err);
    calendar_free(cal);
    if (!rep) {
        web_error(r, 500, "db", err ? err : "无法生成报告");
        json_decref(t);
    } else if (str_eq(format, "xlsx") && json_is_true(json_object_get(rep, "drawn"))) {
        send_xlsx(r, id, t, rep);
        json_decref(t);
        json_decref(rep);
    } else {
        web_page(r, "task_report", "执法检查报告",
                 json_pack("{s:o, s:o, s:I}", "task", t, "report", rep, "id", (json_int_t)id));
    }
    free(format);
    free(err);
}
