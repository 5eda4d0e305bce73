/* page_audit.c - the audit log browser for 监督 and 系统管理员: filters by actor, action,
 * entity and date; keyset paging by id, newest first; rows of the user's org and the orgs below
 * it. The whole chain is verified on request (?verify=1), since that reads every row. */
#include "../domain/audit.h"
#include "../domain/audit_labels.h"
#include "web.h"

#include <stdlib.h>
#include <string.h>

#define AUDIT_PAGE 50

static const char *nz(const char *s) {
    return s && *s ? s : NULL;
}

void page_audit(Req *r) {
    static const char *const names[] = {"actor", "action", "entity", "from", "to"};
    char *v[5];
    for (int i = 0; i < 5; i++)
        v[i] = web_query(r, names[i]);
    char *before = web_query(r, "before"), *verify = web_query(r, "verify");
    AuditFilter f = {.actor = nz(v[0]),
                     .action_prefix = nz(v[1]),
                     .entity = nz(v[2]),
                     .date_from = nz(v[3]),
                     .date_to = nz(v[4]),
                     .org_root = r->sess->org_id,
                     .before_id = before ? atoll(before) : 0,
                     .limit = AUDIT_PAGE};
    AuditPage page = {0};
    char *err = NULL;
    json_t *rows = json_array();
    int ok = audit_list(r->db, &f, &page, &err) == 0;
    for (size_t i = 0; ok && i < page.n; i++) {
        const AuditRow *a = &page.rows[i];
        char label[128];
        audit_action_label(a->action, label, sizeof label);
        json_array_append_new(
            rows, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "id",
                            (json_int_t)a->id, "at", a->at, "actor", a->actor, "action", a->action,
                            "action_label", label, "entity", a->entity, "entity_label",
                            audit_entity_label(a->entity), "entity_id", a->entity_id, "before",
                            a->before, "after", a->after, "remote", a->remote));
    }
    json_t *ctx = json_pack("{s:o}", "rows", rows);
    for (int i = 0; i < 5; i++)
        json_object_set_new(ctx, names[i], json_string(v[i] ? v[i] : ""));
    if (!ok) json_object_set_new(ctx, "list_error", json_string(err ? err : "查询失败"));
    if (ok && page.has_more && page.n) {
        Buf b;
        buf_init(&b);
        buf_printf(&b, "/audit?before=%lld", (long long)page.rows[page.n - 1].id);
        for (int i = 0; i < 5; i++)
            if (nz(v[i])) {
                buf_printf(&b, "&%s=", names[i]);
                web_url_encode(&b, v[i]);
            }
        json_object_set_new(ctx, "next_href", json_string(b.data));
        buf_free(&b);
    }
    if (verify) {
        AuditVerifyResult vr;
        if (audit_verify(r->db, &vr, NULL) == 0) {
            json_object_set_new(ctx, "chain_ok", json_boolean(vr.status == AUDIT_INTACT));
            json_object_set_new(ctx, "chain_rows", json_integer((json_int_t)vr.count));
            json_object_set_new(ctx, "chain_head", json_string(vr.head_hash));
            if (vr.status != AUDIT_INTACT)
                json_object_set_new(ctx, "chain_problem", json_string(vr.reason));
        }
    }
    audit_page_free(&page);
    free(err);
    for (int i = 0; i < 5; i++)
        free(v[i]);
    free(before);
    free(verify);
    web_name_users(r, ctx);
    web_page(r, "audit", "审计日志", ctx);
}
