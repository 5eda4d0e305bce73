/* page_audit.c - the audit log browser for 监督 and 系统管理员: filters by actor, action,
 * entity and date; keyset paging by id, newest first; the chain's state from audit_verify. */
#include "../domain/audit.h"
#include "web.h"

#include <stdlib.h>
#include <string.h>

#define AUDIT_PAGE 50

void page_audit(Req *r) {
    char *actor = web_query(r, "actor"), *action = web_query(r, "action"), *entity = web_query(r, "entity");
    char *from = web_query(r, "from"), *to = web_query(r, "to"), *before = web_query(r, "before");
    /* rows of the user's org subtree, plus global rows (org_id NULL) */
    Stmt *st = db_prepare(r->db,
                          "SELECT id, at, actor, action, entity, entity_id, before, after, remote FROM audit_log t "
                          "WHERE (t.org_id IS NULL OR " WEB_SCOPE_SQL("t.org_id") ") "
                          "AND (? IS NULL OR actor = ?) AND (? IS NULL OR action LIKE ? || '%') "
                          "AND (? IS NULL OR entity = ?) AND (? IS NULL OR at >= ?) AND (? IS NULL OR at < date(?, '+1 day')) "
                          "AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?");
    json_t *rows = json_array();
    long long last = 0;
    int n = 0;
    if (st) {
        const char *vals[] = {actor, action, entity, from, to};
        db_bind_int(st, 1, r->sess->org_id);
        for (int i = 0; i < 5; i++) {
            const char *v = vals[i] && *vals[i] ? vals[i] : NULL;
            db_bind_text(st, 2 + 2 * i, v);
            db_bind_text(st, 3 + 2 * i, v);
        }
        long long b = before ? atoll(before) : 0;
        if (b > 0) {
            db_bind_int(st, 12, b);
            db_bind_int(st, 13, b);
        }
        db_bind_int(st, 14, AUDIT_PAGE + 1);
        while (db_step(st) == DB_ROW && n < AUDIT_PAGE) {
            last = db_col_int(st, 0);
            json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?}", "id", (json_int_t)last, "at",
                                                  db_col_text(st, 1), "actor", db_col_text(st, 2), "action", db_col_text(st, 3),
                                                  "entity", db_col_text(st, 4), "entity_id", db_col_text(st, 5), "before",
                                                  db_col_text(st, 6), "after", db_col_text(st, 7), "remote", db_col_text(st, 8)));
            n++;
        }
        db_finalize(st);
    }
    AuditVerifyResult vr;
    char *err = NULL;
    int verified = audit_verify(r->db, &vr, &err) == 0;
    json_t *ctx = json_pack("{s:o, s:s, s:s, s:s, s:s, s:s}", "rows", rows, "actor", actor ? actor : "", "action", action ? action : "",
                            "entity", entity ? entity : "", "from", from ? from : "", "to", to ? to : "");
    json_object_set_new(ctx, "chain_ok", json_boolean(verified && vr.status == AUDIT_INTACT));
    json_object_set_new(ctx, "chain_rows", json_integer((json_int_t)vr.count));
    if (verified && vr.status != AUDIT_INTACT) json_object_set_new(ctx, "chain_problem", json_string(vr.reason));
    if (n == AUDIT_PAGE) {
        Buf b;
        buf_init(&b);
        buf_printf(&b, "/audit?before=%lld", last);
        const char *names[] = {"actor", "action", "entity", "from", "to"};
        const char *vals[] = {actor, action, entity, from, to};
        for (int i = 0; i < 5; i++)
            if (vals[i] && *vals[i]) {
                buf_printf(&b, "&%s=", names[i]);
                web_url_encode(&b, vals[i]);
            }
        json_object_set_new(ctx, "next_href", json_string(b.data));
        buf_free(&b);
    }
    free(err);
    free(actor);
    free(action);
    free(entity);
    free(from);
    free(to);
    free(before);
    web_page(r, "audit", "审计日志", ctx);
}
