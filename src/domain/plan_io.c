/* plan_io.c - the annual plan as a 附件2 table (seed 000): import from CSV/XLSX and export.
 *
 * Layout: optional title rows (the table's title, "单位（盖章）：…", "制表时间：…"), then the
 * header row with the 13 columns 抽查计划编号 … 备注 (found by its cells, in any order), then
 * one row per task; notes after the table ("以上为示例，请参照填写", "备注：…") have no task
 * number and no task name and are skipped. Import validates every row through plan_task_save,
 * so files, forms and the API share one set of rules. Runs inside the caller's transaction.
 * The columns and the one builder of a task row's cells (plan_row_fill, plan_impl.h) are here:
 * the export writes those cells and the comparison of versions (plan_diff_json) shows them.
 * Called by the web import page and `spotcheck plan import|export`. */
#include "plan.h"
#include "plan_impl.h"
#include "jsonkit.h"

#include "../core/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const plan_columns[PLAN_COL_COUNT] = {
    "抽查计划编号", "抽查计划名称", "抽查任务编号", "抽查任务名称", "抽查类型",
    "抽查比例",     "抽查事项",     "抽查对象范围", "发起科室",     "联合科室",
    "抽查时间",     "实施检查层级", "备注",         "抽查频次"};

void plan_import_report_free(PlanImportReport *rep) {
    if (!rep) return;
    free(rep->number);
    json_decref(rep->errors);
    json_decref(rep->warnings);
    memset(rep, 0, sizeof *rep);
}

/* A cell without blanks (ASCII and U+3000) anywhere, for comparing header texts. */
static char *squeeze(const char *s) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "");
    for (const char *p = s ? s : ""; *p;) {
        if (isspace((unsigned char)*p))
            p++;
        else if (str_starts(p, "　"))
            p += strlen("　");
        else
            buf_putc(&b, *p++);
    }
    return buf_steal(&b);
}

/* The text after "label：" or "label:" when the cell starts with label; NULL otherwise. */
static char *after_label(const char *cell, const char *label) {
    char *sq = squeeze(cell), *out = NULL;
    if (str_starts(sq, label)) {
        const char *p = sq + strlen(label);
        if (str_starts(p, "（盖章）"))
            p += strlen("（盖章）");
        else if (str_starts(p, "(盖章)"))
            p += strlen("(盖章)");
        if (str_starts(p, "："))
            out = xstrdup(p + strlen("："));
        else if (*p == ':')
            out = xstrdup(p + 1);
    }
    free(sq);
    return out;
}

/* "2024年12月31日", "2024-12-31" or "2024/12/31" → "YYYY-MM-DD"; NULL when not a date. */
static char *cn_date(const char *s) {
    int y, m, d;
    char tail[8] = "";
    if (sscanf(s, "%d年%d月%d日%7s", &y, &m, &d, tail) < 3 &&
        sscanf(s, "%d-%d-%d%7s", &y, &m, &d, tail) < 3 &&
        sscanf(s, "%d/%d/%d%7s", &y, &m, &d, tail) < 3)
        return NULL;
    char *out = xasprintf("%04d-%02d-%02d", y, m, d);
    if (!date_valid(out)) {
        free(out);
        return NULL;
    }
    return out;
}

/* Excel keeps "10%" typed into a cell as the number 0.1: turn a plain decimal in (0, 1] back
 * into percent text by moving the decimal point, exactly ("0.005" → "0.5%"). Other text is
 * returned unchanged. New string. */
static char *ratio_text(const char *cell) {
    char *t = xstrdup(cell ? cell : "");
    str_trim(t);
    const char *dot = strchr(t, '.');
    size_t n = strlen(t);
    int plain = n > 0 && !strchr(t, '%');
    for (size_t i = 0; plain && i < n; i++)
        plain = isdigit((unsigned char)t[i]) || t + i == dot;
    if (!plain || atof(t) <= 0 || atof(t) > 1) return t;
    Buf digits;
    buf_init(&digits);
    char frac[64] = "";
    snprintf(frac, sizeof frac, "%s", dot ? dot + 1 : "");
    while (strlen(frac) < 2)
        strcat(frac, "0");
    buf_append(&digits, t, dot ? (size_t)(dot - t) : n);
    buf_append(&digits, frac, 2);
    const char *ip = digits.data;
    while (*ip == '0' && ip[1])
        ip++;
    char *rest = frac + 2;
    size_t rl = strlen(rest);
    while (rl && rest[rl - 1] == '0')
        rest[--rl] = 0;
    char *out = xasprintf("%s%s%s%%", ip, rl ? "." : "", rest);
    buf_free(&digits);
    free(t);
    return out;
}

static void add_msg(json_t *a, long row, const char *label, const char *msg) {
    char *s = row ? xasprintf("第%ld行 %s: %s", row, label, msg) : xasprintf("%s: %s", label, msg);
    json_array_append_new(a, json_string(s));
    free(s);
}

static const char *cell_at(json_t *row, int c) {
    const char *s = json_string_value(json_array_get(json_object_get(row, "cells"), (size_t)c));
    return s ? s : "";
}

int plan_import(Db *db, const char *path, int64_t org_id, int year, const char *actor,
                int64_t *version_id, PlanImportReport *rep, char **err) {
    if (!rep->errors) rep->errors = json_array();
    if (!rep->warnings) rep->warnings = json_array();
    TableReader *tr = table_reader_open(path, TABLE_ENC_AUTO, err);
    if (!tr) return PLAN_INVALID;
    int col[PLAN_COL_COUNT], header = 0, rc = PLAN_OK;
    for (int c = 0; c < PLAN_COL_COUNT; c++)
        col[c] = -1;
    char *unit = NULL, *made_on = NULL, **cells;
    size_t ncells;
    long row_no;
    json_t *rows = json_array();
    int got;
    while ((got = table_next(tr, &cells, &ncells, &row_no, err)) == 1) {
        if (!header) {
            int seen_plan = 0, seen_task = 0;
            for (size_t i = 0; i < ncells; i++) {
                char *v;
                if (!unit && (v = after_label(cells[i], "单位"))) unit = v;
                if (!made_on && (v = after_label(cells[i], "制表时间"))) {
                    made_on = cn_date(v);
                    free(v);
                }
                char *sq = squeeze(cells[i]);
                seen_plan |= !strcmp(sq, plan_columns[PLAN_COL_NUMBER]);
                seen_task |= !strcmp(sq, plan_columns[PLAN_COL_TASK_NO]);
                free(sq);
            }
            if (!seen_plan || !seen_task) continue;
            header = 1;
            for (size_t i = 0; i < ncells; i++) {
                char *sq = squeeze(cells[i]);
                for (int c = 0; c < PLAN_COL_COUNT; c++)
                    if (!strcmp(sq, plan_columns[c]) && col[c] < 0) col[c] = (int)i;
                free(sq);
            }
            continue;
        }
        json_t *vals = json_array();
        for (int c = 0; c < PLAN_COL_COUNT; c++) {
            char *v = xstrdup(
                col[c] >= 0 && (size_t)col[c] < ncells ? str_cell_import(cells[col[c]]) : "");
            str_trim(v);
            json_array_append_new(vals, json_string(v));
            free(v);
        }
        if (!*json_string_value(json_array_get(vals, PLAN_COL_TASK_NO)) &&
            !*json_string_value(json_array_get(vals, PLAN_COL_TASK_NAME))) {
            rep->skipped++;
            json_decref(vals);
            continue;
        }
        json_array_append_new(rows,
                              json_pack("{s:I, s:o}", "row", (json_int_t)row_no, "cells", vals));
    }
    table_reader_close(tr);
    if (got < 0) {
        rc = PLAN_INVALID;
        goto out;
    }
    if (!header) {
        set_err(err, "未找到表头行：表头应包含“抽查计划编号”“抽查任务编号”等附件2的列名");
        rc = PLAN_INVALID;
        goto out;
    }
    static const int required[] = {PLAN_COL_TASK_NO, PLAN_COL_TASK_NAME, PLAN_COL_KIND,
                                   PLAN_COL_RATIO,   PLAN_COL_ITEMS,     PLAN_COL_SCOPE,
                                   PLAN_COL_LEAD,    PLAN_COL_PERIOD};
    for (size_t i = 0; i < ARRAY_LEN(required); i++)
        if (col[required[i]] < 0)
            add_msg(rep->errors, 0, "表头", plan_columns[required[i]]), rc = PLAN_INVALID;
    if (rc != PLAN_OK) {
        size_t n = json_array_size(rep->errors);
        for (size_t i = 0; i < n; i++) { /* "表头: 抽查比例" → "表头: 缺少“抽查比例”列" */
            const char *s = json_string_value(json_array_get(rep->errors, i)) + strlen("表头: ");
            char *m = xasprintf("表头: 缺少“%s”列", s);
            json_array_set_new(rep->errors, i, json_string(m));
            free(m);
        }
        set_err(err, "表头缺少必需的列");
        goto out;
    }
    if (!json_array_size(rows)) {
        set_err(err, "表格中没有抽查任务行");
        rc = PLAN_INVALID;
        goto out;
    }
    /* one plan per file: the first number and name given; other rows may leave them empty */
    const char *number = "", *plan_name = "";
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        if (!*number) number = cell_at(row, PLAN_COL_NUMBER);
        if (!*plan_name) plan_name = cell_at(row, PLAN_COL_PLAN_NAME);
    }
    json_array_foreach(rows, i, row) {
        const char *n = cell_at(row, PLAN_COL_NUMBER);
        if (*n && strcmp(n, number) != 0)
            add_msg(rep->errors, (long)json_integer_value(json_object_get(row, "row")),
                    plan_columns[PLAN_COL_NUMBER],
                    "一个文件只能导入一个抽查计划（编号与第一行不同）");
    }
    if (json_array_size(rep->errors)) {
        set_err(err, "数据校验未通过");
        rc = PLAN_INVALID;
        goto out;
    }
    json_t *ferr = json_object();
    int64_t vid = 0;
    rc = plan_create(db, org_id, year, number, NULL, actor, &vid, ferr, err);
    if (rc == PLAN_INVALID) {
        const char *k;
        json_t *v;
        json_object_foreach(ferr, k, v)
            add_msg(rep->errors, 0, !strcmp(k, "number") ? plan_columns[PLAN_COL_NUMBER] : "年度",
                    json_string_value(v));
    }
    json_decref(ferr);
    if (rc != PLAN_OK) goto out;
    if (db_query_text(
            db, &rep->number,
            "SELECT p.number FROM plan p JOIN plan_version pv ON pv.plan_id = p.id WHERE pv.id = ?",
            "i", vid) != DB_OK) {
        rc = set_err(err, "%s", db_errmsg(db));
        goto out;
    }
    if (db_exec(db,
                "UPDATE plan_version SET name = CASE WHEN ? = '' THEN name ELSE ? END, unit = "
                "coalesce(?, unit), "
                "made_on = coalesce(?, made_on) WHERE id = ?",
                "tttti", plan_name, plan_name, unit, made_on, vid) != DB_OK) {
        rc = set_err(err, "%s", db_errmsg(db));
        goto out;
    }
    json_array_foreach(rows, i, row) {
        long r = (long)json_integer_value(json_object_get(row, "row"));
        PlanTaskInput in = {.task_no = cell_at(row, PLAN_COL_TASK_NO),
                            .name = cell_at(row, PLAN_COL_TASK_NAME),
                            .kind = cell_at(row, PLAN_COL_KIND),
                            .items_text = cell_at(row, PLAN_COL_ITEMS),
                            .scope_text = cell_at(row, PLAN_COL_SCOPE),
                            .lead_dept = cell_at(row, PLAN_COL_LEAD),
                            .joint_depts = cell_at(row, PLAN_COL_JOINT),
                            .period = cell_at(row, PLAN_COL_PERIOD),
                            .level = cell_at(row, PLAN_COL_LEVEL),
                            .remark = cell_at(row, PLAN_COL_REMARK),
                            .frequency = cell_at(row, PLAN_COL_FREQUENCY)};
        char *ratio = ratio_text(cell_at(row, PLAN_COL_RATIO)), *msg = NULL;
        in.ratio = ratio;
        json_t *fe = json_object();
        int64_t tid = 0;
        int unmatched = 0, trc = plan_task_save(db, vid, 0, &in, actor, &tid, &unmatched, fe, &msg);
        if (trc == PLAN_INVALID) {
            const char *k;
            json_t *v;
            json_object_foreach(fe, k, v)
                add_msg(rep->errors, r, plan_task_field_label(k), json_string_value(v));
        } else if (trc != PLAN_OK) {
            add_msg(rep->errors, r, "抽查任务", msg ? msg : "保存失败");
        } else if (unmatched) {
            json_t *t = plan_version_json(db, vid), *tk;
            size_t j;
            json_array_foreach(json_object_get(t, "tasks"), j, tk) {
                if (json_integer_value(json_object_get(tk, "id")) != tid) continue;
                size_t k;
                json_t *u;
                json_array_foreach(json_object_get(tk, "unmatched"), k, u) {
                    char *m = xasprintf("「%s」未在事项清单中找到，已保留原文并标记为未匹配事项",
                                        json_string_value(u));
                    add_msg(rep->warnings, r, plan_columns[PLAN_COL_ITEMS], m);
                    free(m);
                }
            }
            json_decref(t);
        }
        rep->rows++;
        json_decref(fe);
        free(msg);
        free(ratio);
        if (trc == PLAN_ERR) {
            rc = PLAN_ERR;
            set_err(err, "%s", db_errmsg(db));
            goto out;
        }
    }
    if (json_array_size(rep->errors)) {
        set_err(err, "数据校验未通过");
        rc = PLAN_INVALID;
    } else if (version_id) {
        *version_id = vid;
    }
out:
    json_decref(rows);
    free(unit);
    free(made_on);
    return rc;
}

void plan_row_fill(PlanRow *row, json_t *v, json_t *t) {
    Buf items;
    buf_init(&items);
    buf_puts(&items, "");
    size_t j;
    json_t *e;
    json_array_foreach(json_object_get(t, "items"), j, e) buf_printf(
        &items, "%s%s", items.len ? "；" : "", json_string_value(json_object_get(e, "name")));
    json_array_foreach(json_object_get(t, "unmatched"), j, e)
        buf_printf(&items, "%s%s", items.len ? "；" : "", json_string_value(e));
    row->items = buf_steal(&items);
    const char *st = jk_str(t, "scope_text");
    const char *cells[PLAN_COL_COUNT] = {jk_str(v, "number"),
                                         jk_str(v, "name"),
                                         jk_str(t, "task_no"),
                                         jk_str(t, "name"),
                                         jk_str(t, "kind_text"),
                                         jk_str(t, "ratio"),
                                         row->items,
                                         st && *st ? st : jk_str(t, "scope_words"),
                                         jk_str(t, "lead_dept"),
                                         jk_str(t, "joint_depts"),
                                         jk_str(t, "period"),
                                         jk_str(t, "level"),
                                         jk_str(t, "remark"),
                                         jk_str(t, "frequency")};
    memcpy(row->cells, cells, sizeof cells);
}

void plan_row_free(PlanRow *row) {
    free(row->items);
    row->items = NULL;
}

int plan_export(Db *db, int64_t version_id, const char *path, TableFormat fmt, char **err) {
    json_t *v = plan_version_json(db, version_id);
    if (!v) {
        set_err(err, "计划版本不存在");
        return PLAN_NOT_FOUND;
    }
    TableWriter *w = table_writer_open(path, fmt, "抽查工作计划", err);
    if (!w) {
        json_decref(v);
        return PLAN_ERR;
    }
    int y = 0, m = 0, d = 0;
    const char *made = json_string_value(json_object_get(v, "made_on"));
    char *title =
        xasprintf("%s%lld年度随机抽查工作计划", json_string_value(json_object_get(v, "org_name")),
                  (long long)json_integer_value(json_object_get(v, "year")));
    char *unit = xasprintf("单位（盖章）：%s", json_string_value(json_object_get(v, "unit")) ?: "");
    char *date = made && sscanf(made, "%d-%d-%d", &y, &m, &d) == 3
                     ? xasprintf("制表时间：%d年%d月%d日", y, m, d)
                     : xstrdup("制表时间：");
    const char *r1[] = {title}, *r2[] = {unit}, *r3[] = {date};
    /* 附件2 has 13 columns; 抽查频次 follows only when a row states one */
    size_t ncols = PLAN_COL_FREQUENCY, i;
    json_t *t;
    json_array_foreach(json_object_get(v, "tasks"), i, t) if (!str_empty(jk_str(t, "frequency")))
        ncols = PLAN_COL_COUNT;
    int rc = table_write_row(w, r1, 1, err) || table_write_row(w, r2, 1, err) ||
             table_write_row(w, r3, 1, err) || table_write_row(w, plan_columns, ncols, err);
    json_array_foreach(json_object_get(v, "tasks"), i, t) {
        if (rc) break;
        PlanRow row;
        plan_row_fill(&row, v, t);
        rc = table_write_row(w, row.cells, ncols, err);
        plan_row_free(&row);
    }
    const char *n1[] = {"备注：1.抽查计划名称为：年度+行政区划+部门+随机抽查+"
                        "序号，抽查任务名称以实施方案名称为准。"},
               *n2[] = {"2.抽查时间必须填到月份。"};
    if (!rc) rc = table_write_row(w, n1, 1, err) || table_write_row(w, n2, 1, err);
    int crc = table_writer_close(w, rc ? NULL : err);
    free(title);
    free(unit);
    free(date);
    json_decref(v);
    return rc || crc ? PLAN_ERR : PLAN_OK;
}
