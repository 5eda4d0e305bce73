/* web_audit.c - records the current user's state changes in the hash-chained audit log. Called
 * inside the handler's transaction, so the change and its audit row commit together. */
#include "../domain/audit.h"
#include "web.h"

#include <stdio.h>
#include <stdlib.h>

/* The org a change belongs to: the row's own org_id when it has one, else the user's. */
static int64_t org_of(Req *r, const char *before, const char *after) {
    const char *src[] = {after, before};
    for (int i = 0; i < 2; i++) {
        if (!src[i]) continue;
        json_t *o = json_loads(src[i], 0, NULL);
        const char *v = json_string_value(json_object_get(o, "org_id"));
        int64_t id = v ? atoll(v) : 0;
        json_decref(o);
        if (id) return id;
    }
    return r->sess ? r->sess->org_id : 0;
}

int web_audit(Req *r, const char *action, const char *entity, long long entity_id,
              const char *before_json, const char *after_json) {
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%lld", entity_id);
    AuditEntry e = {
        .actor = r->sess ? r->sess->username : "anonymous",
        .org_id = org_of(r, before_json, after_json),
        .action = action,
        .entity = entity,
        .entity_id = entity_id ? idtext : NULL,
        .before = before_json,
        .after = after_json,
        .remote = r->http->remote[0] ? r->http->remote : NULL,
    };
    char *err = NULL;
    int rc = audit_append(r->db, &e, &err);
    if (rc != 0) fprintf(stderr, "audit: %s\n", err ? err : "?");
    free(err);
    return rc == 0 ? DB_OK : DB_ERR;
}

Actor web_actor(Req *r) {
    return (Actor){.username = r->sess ? r->sess->username : "anonymous",
                   .org_id = r->sess ? r->sess->org_id : 0,
                   .remote = r->http->remote[0] ? r->http->remote : NULL};
}
