/* page_followup_transfer.c - the transfer ledger (转办、移送台账): the list with a status filter
 * and its XLSX/CSV export (src/io table writer, like the directory export), a new transfer for
 * a follow-up, and the receiver's feedback or closure. Rules in src/domain/followup.c; every
 * change and every export is audited. Rows outside the user's org scope are 404. */
#include "../core/clock.h"
#include "../domain/followup.h"
#include "../io/table.h"
#include "followup_web.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const statuses[] = {"已移送", "已反馈", "已办结"};

/* The ledger as a spreadsheet at path. Returns 0 or -1 with *err. */
static int export_ledger(json_t *rows, const char *path, TableFormat fmt, char **err) {
    static const char *const headers[] = {"序号",       "移送日期", "类型",     "接收部门或机关",
                                          "移送函文号", "检查对象", "对象编码", "抽查任务编号",
                                          "移送内容",   "反馈情况", "反馈日期", "状态",
                                          "处置编号",   "机构"};
    TableWriter *w = table_writer_open(path, fmt, "转办移送台账", err);
    if (!w) return -1;
    int rc = table_write_row(w, headers, ARRAY_LEN(headers), err);
    size_t i;
    json_t *x;
    json_array_foreach(rows, i, x) {
        if (rc) break;
        char no[24], fid[24];
        snprintf(no, sizeof no, "%zu", i + 1);
        snprintf(fid, sizeof fid, "%lld",
                 (long long)json_integer_value(json_object_get(x, "followup_id")));
#define S(k) json_string_value(json_object_get(x, k))
        const char *cells[] = {no,           S("sent_on"),     S("kind"),        S("receiver"),
                               S("doc_no"),  S("target_name"), S("target_code"), S("task_code"),
                               S("summary"), S("feedback"),    S("feedback_on"), S("status"),
                               fid,          S("org_name")};
#undef S
        char *safe[ARRAY_LEN(cells)] = {0}; /* CSV only: typed text must not run as a formula */
        for (size_t k = 0; fmt == TABLE_CSV && k < ARRAY_LEN(cells); k++)
            if (str_formula_like(cells[k])) cells[k] = safe[k] = xasprintf("'%s", cells[k]);
        rc = table_write_row(w, cells, ARRAY_LEN(cells), err);
        for (size_t k = 0; k < ARRAY_LEN(cells); k++)
            free(safe[k]);
    }
    int crc = table_writer_close(w, err);
    return rc || crc ? -1 : 0;
}

void page_transfer_list(Req *r) {
    char *status = web_query(r, "status"), *fmt = web_query(r, "format");
    int known = str_empty(status);
    for (size_t i = 0; i < ARRAY_LEN(statuses); i++)
        known |= str_eq(status, statuses[i]);
    if (!known) {
        free(status);
        free(fmt);
        web_error(r, 400, "bad_status", "状态只能是已移送、已反馈或已办结");
        return;
    }
    json_t *rows = followup_transfers_json(r->db, r->sess->org_id, status);
    if (fmt && (str_eq(fmt, "xlsx") || str_eq(fmt, "csv"))) {
        int xlsx = str_eq(fmt, "xlsx");
        char tmpl[sizeof WEB_EXPORT_TMPL];
        char *err = NULL;
        if (web_export_file(r, tmpl) == 0) {
            if (export_ledger(rows, tmpl, xlsx ? TABLE_XLSX : TABLE_CSV, &err) != 0) {
                unlink(tmpl);
                web_error(r, 500, "export", err ? err : "导出失败");
            } else {
                /* who took which data out, when: no audit row, no file */
                Actor who = web_actor(r);
                if (followup_transfers_export_audit(r->db, &who, str_empty(status) ? "" : status,
                                                    json_array_size(rows), &err) != FU_OK) {
                    unlink(tmpl);
                    web_error(r, 500, "audit", "无法记录审计日志，未导出");
                } else {
                    web_attachment(r, tmpl, xlsx, xlsx ? "transfers.xlsx" : "transfers.csv");
                }
            }
        }
        free(err);
        json_decref(rows);
    } else {
        json_t *filters = json_array();
        for (size_t i = 0; i < ARRAY_LEN(statuses); i++)
            json_array_append_new(filters, json_pack("{s:s, s:b}", "value", statuses[i], "selected",
                                                     str_eq(status, statuses[i])));
        json_t *ctx = json_pack("{s:o, s:o, s:s, s:b}", "transfers", rows, "statuses", filters,
                                "status", status ? status : "", "can_write",
                                web_role_has(r->sess->role, P_FOLLOWUP_WRITE));
        web_page(r, "transfer_list", "转办、移送台账", ctx);
    }
    free(status);
    free(fmt);
}

static void back_to_followup(Req *r, long long fid, const char *ok) {
    char *loc = xasprintf("/followups/%lld?ok=%s#transfers", fid, ok);
    web_redirect(r, loc);
    free(loc);
}

void page_transfer_create(Req *r) {
    char *fs = web_form(r, "followup"), *kind = web_form(r, "kind"),
         *receiver = web_form(r, "receiver"), *sent_on = web_form(r, "sent_on"),
         *doc_no = web_form(r, "doc_no"), *summary = web_form(r, "summary"), *msg = NULL, today[11];
    long long fid = str_id(fs);
    int64_t tid = 0;
    json_t *errors = json_object();
    clock_today(today);
    Actor who = web_actor(r); /* a transfer of one's own org's follow-up only */
    int rc = followup_transfer_add(r->db, &who, fid, kind, receiver, sent_on, doc_no, summary,
                                   today, &tid, errors, &msg);
    if (rc == FU_OK)
        back_to_followup(r, fid, "created");
    else if (rc == FU_INVALID) {
        char *text = fu_web_errors_text(errors);
        web_error(r, 422, "transfer_invalid", text);
        free(text);
    } else
        web_error(r, web_status(rc), "transfer_create", msg ? msg : "登记失败");
    json_decref(errors);
    free(fs);
    free(kind);
    free(receiver);
    free(sent_on);
    free(doc_no);
    free(summary);
    free(msg);
}

void page_transfer_feedback(Req *r) {
    long long tid = str_id(web_param(r, "id"));
    int64_t org = tid ? followup_transfer_org(r->db, tid) : 0, fid = 0;
    if (web_scope_gate(r, org, "移送记录不存在或不在您的管辖范围内")) return;
    char *feedback = web_form(r, "feedback"), *on = web_form(r, "feedback_on"),
         *done = web_form(r, "done"), *msg = NULL, today[11];
    clock_today(today);
    json_t *errors = json_object();
    Actor who = web_actor(r);
    int rc = followup_transfer_feedback(r->db, &who, tid, feedback, on, !str_empty(done), today,
                                        &fid, errors, &msg);
    if (rc == FU_OK)
        back_to_followup(r, fid, "saved");
    else if (rc == FU_INVALID) {
        char *text = fu_web_errors_text(errors);
        web_error(r, 422, "feedback_invalid", text);
        free(text);
    } else
        web_error(r, web_status(rc), "transfer_feedback", msg ? msg : "保存失败");
    json_decref(errors);
    free(feedback);
    free(on);
    free(done);
    free(msg);
}
