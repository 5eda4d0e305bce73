/* dir_view.c - the directory pages' and the JSON API's side of the directories (see dir_view.h):
 * the kind and the filters read from the request, the domain's results (dir_query.c, dir_edit.c)
 * mapped to HTTP statuses. Every query there is limited to the user's jurisdiction. */
#include "dir_view.h"

#include "../domain/dir_edit.h"

#include <stdlib.h>
#include <string.h>

const DirKind *dv_kind(Req *r) {
    const DirKind *k = dir_kind_find(web_param(r, "kind") ? web_param(r, "kind") : "");
    if (!k) web_error(r, 404, "not_found", "没有这个名录");
    return k;
}

int dv_can_write(Req *r, const DirKind *k) {
    Route fake = {0};
    fake.perm = P_KIND_WRITE;
    return r->sess && web_role_has(r->sess->role, web_route_perm(&fake, k->name));
}

/* The list's filters from the query string (caller frees with query_free). */
static void query_read(Req *r, const DirKind *k, DirQuery *q) {
    memset(q, 0, sizeof *q);
    q->q = web_query(r, "q");
    for (size_t i = 0; i < k->nfields; i++)
        q->field[i] = web_query(r, k->fields[i].column);
    char *after = web_query(r, "after"), *before = web_query(r, "before");
    char *page = web_query(r, "page"), *last = web_query(r, "last");
    q->after = after ? atoll(after) : 0;
    q->before = before ? atoll(before) : 0;
    q->page = page ? atoll(page) : 0;
    q->last = str_eq(last, "1");
    free(after);
    free(before);
    free(page);
    free(last);
}

static void query_free(DirQuery *q) {
    free(q->q);
    for (size_t i = 0; i < DIR_MAX_FIELDS; i++)
        free(q->field[i]);
}

json_t *dv_list(Req *r, const DirKind *k) {
    DirQuery q;
    query_read(r, k, &q);
    Actor who = web_actor(r);
    json_t *out = dir_list(r->db, &who, k, &q, dv_can_write(r, k));
    query_free(&q);
    return out;
}

json_t *dv_get(Req *r, const DirKind *k, long long id, int with_history) {
    Actor who = web_actor(r);
    return dir_get(r->db, &who, k, id, dv_can_write(r, k), with_history);
}

/* The page's or the API's input getter behind the domain's DirInput. */
typedef struct InputCall {
    Req *r;
    DvInput in;
    void *arg;
} InputCall;

static char *call_input(const DirField *f, void *arg) {
    InputCall *c = arg;
    return c->in(c->r, f, c->arg);
}

int dv_save(Req *r, const DirKind *k, long long id, DvInput in, void *arg, json_t **errors,
            long long *id_out, char **message, int64_t *current_version) {
    Actor who = web_actor(r);
    InputCall call = {r, in, arg};
    int rc = dir_edit_save(r->db, &who, k, id, call_input, &call, errors, id_out, current_version,
                           message);
    return rc == DIR_EDIT_OK ? (id ? 200 : 201) : web_status(rc);
}

int dv_set_status(Req *r, const DirKind *k, long long id, const char *status, const char *reason,
                  char **message) {
    Actor who = web_actor(r);
    int rc = dir_edit_status(r->db, &who, k, id, status, reason, message);
    return web_status(rc);
}

int dv_export(Req *r, const DirKind *k, const char *path, TableFormat fmt, DirExportPii pii,
              long long *rows, char **err) {
    DirQuery q;
    query_read(r, k, &q);
    Actor who = web_actor(r);
    int rc = dir_export_query(r->db, &who, k, &q, dv_can_write(r, k), path, fmt, pii, rows, err);
    query_free(&q);
    return rc;
}
