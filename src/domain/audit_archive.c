/* audit_archive.c - the audit rows brought along by `spotcheck db copy` (audit_archive.h): their
 * groups recomputed, and checked against the summaries the copy rows of audit_log recorded.
 * Called by dbcopy.c (the summaries it records) and `spotcheck audit verify`. Reads only. */
#include "audit_archive.h"

#include "audit.h"
#include "draw_sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char GENESIS[] = "0000000000000000000000000000000000000000000000000000000000000000";

int audit_archive_summary(Db *db, const char *chain, json_t **summary, Buf *problems, char **err) {
    *summary = NULL;
    Stmt *st = db_prepare(db, "SELECT seq, at, actor, org_id, action, entity, entity_id, before, "
                              "after, remote, prev_hash, hash, digest, kind FROM audit_archive "
                              "WHERE chain = ? ORDER BY seq");
    if (!st) return set_err(err, "读取迁入的审计日志失败: %s", db_errmsg(db)), -1;
    db_large(st); /* a county's whole chain */
    db_bind_text(st, 1, chain);
    char prev[AUDIT_HASH_HEX + 1], kind[16] = "";
    memcpy(prev, GENESIS, sizeof prev);
    Buf lines;
    buf_init(&lines);
    int64_t n = 0;
    int rc, bad = 0;
    while (!bad && (rc = db_step(st)) == DB_ROW) {
        AuditRow r = {0};
        r.id = db_col_int(st, 0);
        r.org_id = db_col_is_null(st, 3) ? 0 : db_col_int(st, 3);
        char **text[] = {&r.at,     &r.actor, NULL,      &r.action,    &r.entity, &r.entity_id,
                         &r.before, &r.after, &r.remote, &r.prev_hash, &r.hash,   &r.digest};
        for (int i = 1; i < 13; i++)
            if (text[i - 1]) *text[i - 1] = (char *)db_col_text(st, i); /* borrowed */
        if (!kind[0]) snprintf(kind, sizeof kind, "%s", db_col_text(st, 13));
        int whole = !strcmp(kind, "chain");
        char calc[AUDIT_HASH_HEX + 1];
        audit_compute_hash(&r, calc);
        if (whole && r.id != n + 1)
            buf_printf(problems, "迁入的审计日志 %s 在第 %lld 条处编号不连续\n", chain,
                       (long long)r.id),
                bad = 1;
        else if (whole && !str_eq(r.prev_hash, prev))
            buf_printf(problems, "迁入的审计日志 %s 第 %lld 条的 prev_hash 与上一条不一致\n", chain,
                       (long long)r.id),
                bad = 1;
        else if (!str_eq(r.hash, calc))
            buf_printf(problems, "迁入的审计日志 %s 第 %lld 条的哈希与记录内容不符\n", chain,
                       (long long)r.id),
                bad = 1;
        memcpy(prev, calc, sizeof prev);
        buf_printf(&lines, "%lld:%s\n", (long long)r.id, calc);
        n++;
    }
    db_finalize(st);
    if (!bad && rc == DB_ERR) {
        buf_free(&lines);
        return set_err(err, "读取迁入的审计日志失败: %s", db_errmsg(db)), -1;
    }
    if (!bad) {
        json_t *o =
            json_pack("{s:s, s:s, s:I}", "chain", chain, "kind", kind, "rows", (json_int_t)n);
        if (!strcmp(kind, "chain")) {
            json_object_set_new(o, "head", json_string(prev));
        } else {
            char digest[65];
            draw_sha256_hex(lines.data ? lines.data : "", lines.len, digest);
            json_object_set_new(o, "digest", json_string(digest));
        }
        *summary = o;
    }
    buf_free(&lines);
    return bad;
}

/* The groups the copy rows of audit_log list: chain → summary (new object). */
static int expected_groups(Db *db, json_t *expected, char **err) {
    Stmt *st = db_prepare(db, "SELECT id, after FROM audit_log WHERE action = 'db.copy.in' "
                              "OR action = 'db.copy.out' ORDER BY id");
    if (!st) return set_err(err, "读取审计日志失败: %s", db_errmsg(db)), -1;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *after = json_loads(db_col_text(st, 1) ? db_col_text(st, 1) : "", 0, NULL);
        size_t i;
        json_t *g;
        json_array_foreach(json_object_get(after, "archive"), i, g) {
            const char *chain = json_string_value(json_object_get(g, "chain"));
            if (chain) json_object_set(expected, chain, g);
        }
        json_decref(after);
    }
    db_finalize(st);
    return rc == DB_ERR ? set_err(err, "读取审计日志失败: %s", db_errmsg(db)), -1 : 0;
}

int audit_archive_check(Db *db, Buf *problems, int64_t *groups, int64_t *rows, char **err) {
    *groups = *rows = 0;
    json_t *expected = json_object();
    if (expected_groups(db, expected, err) < 0) {
        json_decref(expected);
        return -1;
    }
    Stmt *st = db_prepare(db, "SELECT DISTINCT chain FROM audit_archive ORDER BY chain");
    if (!st) {
        json_decref(expected);
        return set_err(err, "读取迁入的审计日志失败: %s", db_errmsg(db)), -1;
    }
    size_t nchains = 0, cap = 0;
    char **chains = NULL;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (nchains == cap) chains = xrealloc(chains, (cap = cap ? 2 * cap : 8) * sizeof *chains);
        chains[nchains++] = xstrdup(db_col_text(st, 0));
    }
    db_finalize(st);
    int bad = 0, out = rc == DB_ERR ? set_err(err, "读取迁入的审计日志失败: %s", db_errmsg(db)) : 0;
    for (size_t i = 0; out == 0 && i < nchains; i++) {
        json_t *sum = NULL;
        int s = audit_archive_summary(db, chains[i], &sum, problems, err);
        if (s < 0) {
            out = -1;
            break;
        }
        bad |= s;
        (*groups)++;
        json_t *want = json_object_get(expected, chains[i]);
        if (sum) *rows += json_integer_value(json_object_get(sum, "rows"));
        if (sum && !want) {
            buf_printf(problems, "迁入的审计日志 %s 没有对应的迁移审计记录\n", chains[i]);
            bad = 1;
        } else if (sum && !json_equal(sum, want)) {
            buf_printf(problems,
                       "迁入的审计日志 %s 与迁移审计记录所载不符（条数、最新哈希或摘要不同）\n",
                       chains[i]);
            bad = 1;
        }
        json_object_del(expected, chains[i]);
        json_decref(sum);
    }
    const char *key;
    json_t *v;
    json_object_foreach(expected, key, v) {
        if (out) break;
        buf_printf(problems, "迁移审计记录所载的审计日志 %s 不在 audit_archive 中\n", key);
        bad = 1;
    }
    for (size_t i = 0; i < nchains; i++)
        free(chains[i]);
    free(chains);
    json_decref(expected);
    return out < 0 ? -1 : bad;
}
