/* page_figures_xlsx.c - GET /figures.xlsx?year=YYYY: the year's figures as an xlsx workbook
 * (libxlsxwriter, constant-memory mode as src/io/xlsx_write.c, so strings are stored inline in
 * each sheet): 指标 (名称, 分子, 分母, 比例, 目标, 是否达标, 定义, 来源), one sheet per count table
 * (检查结果类别, 违法行为类别, 各月抽查次数) and 超过年度上限 (insured persons by pseudonymous code
 * only). Sent with web_attachment; the export is audited like the directory exports. */
#include "../domain/figures.h"
#include "../domain/jsonkit.h"
#include "figures_web.h"

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

static void put_header(Sheet *s, const char *const *cells, size_t n) {
    for (size_t i = 0; i < n; i++) {
        worksheet_write_string(s->ws, s->row, (lxw_col_t)i, cells[i], s->bold);
        worksheet_set_column(s->ws, (lxw_col_t)i, (lxw_col_t)i, i == 0 ? 28 : 14, NULL);
    }
    worksheet_freeze_panes(s->ws, 1, 0);
    s->row++;
}

static void put_str(Sheet *s, lxw_col_t col, const char *v) {
    if (v && *v) worksheet_write_string(s->ws, s->row, col, v, NULL);
}

static void put_int(Sheet *s, lxw_col_t col, const json_t *v) {
    worksheet_write_number(s->ws, s->row, col, (double)json_integer_value(v), NULL);
}

static Sheet sheet(lxw_workbook *wb, lxw_format *bold, const char *name) {
    Sheet s = {workbook_add_worksheet(wb, name), bold, 0};
    return s;
}

static int write_workbook(const char *path, const json_t *rep) {
    lxw_workbook_options opt = {
        .constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_FALSE};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb) return -1;
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    size_t i;
    json_t *e;

    Sheet s = sheet(wb, bold, "指标");
    static const char *const fh[] = {"名称", "分子",     "分母", "比例",
                                     "目标", "是否达标", "定义", "来源"};
    put_header(&s, fh, 8);
    json_array_foreach(json_object_get(rep, "figures"), i, e) {
        put_str(&s, 0, jk_str(e, "name"));
        put_int(&s, 1, json_object_get(e, "num"));
        put_int(&s, 2, json_object_get(e, "den"));
        put_str(&s, 3, jk_str(e, "ratio"));
        put_str(&s, 4, jk_str(e, "goal") ? jk_str(e, "goal") : "未设目标");
        put_str(&s, 5, jk_str(e, "met_text"));
        put_str(&s, 6, jk_str(e, "definition"));
        put_str(&s, 7, jk_str(e, "source"));
        s.row++;
    }

    s = sheet(wb, bold, "检查结果类别");
    static const char *const rh[] = {"代码", "检查结果类别", "已公示记录数"};
    put_header(&s, rh, 3);
    json_array_foreach(json_object_get(rep, "result_counts"), i, e) {
        put_str(&s, 0, jk_str(e, "code"));
        put_str(&s, 1, jk_str(e, "label"));
        put_int(&s, 2, json_object_get(e, "count"));
        s.row++;
    }

    s = sheet(wb, bold, "违法行为类别");
    static const char *const vh[] = {"代码", "条款", "违法行为", "条数", "涉及金额（元）"};
    put_header(&s, vh, 5);
    json_array_foreach(json_object_get(rep, "violation_counts"), i, e) {
        put_str(&s, 0, jk_str(e, "code"));
        put_str(&s, 1, jk_str(e, "article"));
        put_str(&s, 2, jk_str(e, "label"));
        put_int(&s, 3, json_object_get(e, "count"));
        put_str(&s, 4, jk_str(e, "amount"));
        s.row++;
    }

    s = sheet(wb, bold, "各月抽查次数");
    static const char *const mh[] = {"月份", "抽查次数"};
    put_header(&s, mh, 2);
    json_array_foreach(json_object_get(rep, "months"), i, e) {
        put_str(&s, 0, jk_str(e, "label"));
        put_int(&s, 1, json_object_get(e, "checks"));
        s.row++;
    }

    s = sheet(wb, bold, "超过年度上限");
    static const char *const oh[] = {"检查对象编码", "类型", "名称", "本年度被抽中次数",
                                     "抽查任务"};
    put_header(&s, oh, 5);
    json_array_foreach(json_object_get(rep, "over_cap"), i, e) {
        put_str(&s, 0, jk_str(e, "target_code"));
        put_str(&s, 1, jk_str(e, "kind_label"));
        put_str(&s, 2, jk_str(e, "name") ? jk_str(e, "name") : "（参保人不显示姓名）");
        put_int(&s, 3, json_object_get(e, "times"));
        put_str(&s, 4, jk_str(e, "tasks"));
        s.row++;
    }

    s = sheet(wb, bold, "递补与重新抽取");
    static const char *const sh[] = {"抽查任务", "执法人员递补（经批准）", "检查对象递补（经批准）",
                                     "驳回的递补申请", "重新抽取"};
    put_header(&s, sh, 5);
    json_array_foreach(json_object_get(rep, "substitutions"), i, e) {
        put_str(&s, 0, jk_str(e, "task_code"));
        put_int(&s, 1, json_object_get(e, "officers"));
        put_int(&s, 2, json_object_get(e, "targets"));
        put_int(&s, 3, json_object_get(e, "refused"));
        put_int(&s, 4, json_object_get(e, "redraws"));
        s.row++;
    }
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
}

void page_figures_xlsx(Req *r) {
    int year;
    json_t *rep = figures_web_load(r, &year);
    if (!rep) return;
    char tmpl[] = "/tmp/spotcheck-figures-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) {
        json_decref(rep);
        web_error(r, 500, "export", "无法创建导出文件");
        return;
    }
    close(fd);
    int rc = write_workbook(tmpl, rep);
    json_decref(rep);
    if (rc) {
        unlink(tmpl);
        web_error(r, 500, "export", "导出失败");
        return;
    }
    /* who took which report out, when: no audit row, no report */
    Actor who = web_actor(r);
    if (figures_export_audit(r->db, &who, year, NULL) != 0) {
        unlink(tmpl);
        web_error(r, 500, "audit", "无法记录审计日志，未导出");
        return;
    }
    char name[64];
    snprintf(name, sizeof name, "figures-%d.xlsx", year);
    web_attachment(r, tmpl, 1, name);
}
