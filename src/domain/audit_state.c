/* audit_state.c - the state digest of audited business rows and the check behind `spotcheck audit
 * verify` (audit_state.h, docs/AUDIT.md "The state digest").
 *
 * Invariants: an entity's column set and SELECTs below never change for a covered entity once
 * digests of it are stored (a changed set would report every stored row as edited); a new column
 * that spotcheck changes only with an audit row may be added to a new entity name, not to an old
 * one. Columns that legitimately change without an audit row of their own entity are left out, each
 * with its reason: they are the limits listed in docs/AUDIT.md.
 *
 * Called by audit_append (audit.c) and cmd_audit.c. Reads only; thread-safe per Db. */
#include "audit_state.h"

#include "audit_labels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_PARTS = 3 };

/* An audited entity (audit_log.entity) and the SELECTs, each bound with the id, whose rows make up
 * its state. */
typedef struct StateDef {
    const char *entity;
    const char *sql[MAX_PARTS];
} StateDef;

/* Directory rows (the directory engine, dir_edit.c): every column but version, updated_at and
 * updated_by, which publishing a result also bumps on the checked target (result_publish.c, under
 * the record's audit row); its history is checked by the version gaps instead. */
static const StateDef DEFS[] = {
    /* account: role, org, status, permissions, password */
    {"user",
     {"SELECT id, org_id, username, display_name, role, password_hash, officer_id, dept_id, "
      "status, status_reason, must_change_password, pii_export, created_at FROM account "
      "WHERE id = ?"}},
    /* a record with its items and violations: one state, changed by one audited action */
    {"record",
     {"SELECT id, task_id, draw_id, org_id, target_code, target_id, status, checked_from, "
      "checked_on, result_codes, remarks, notes, officers, signer_name, signature_file_id, "
      "refusal_reason, fraud_purpose, police_transfer, version, submitted_at, submitted_by, "
      "reviewed_at, reviewed_by, review_opinion, published_at, published_by, published_json, "
      "created_at, findings, public_name, public_code, public_uscc, public_mi_code "
      "FROM record WHERE id = ?",
      "SELECT position, dept_id, dept_name, item_code, item_name, methods, result, notes "
      "FROM record_item WHERE record_id = ? ORDER BY position",
      "SELECT id, item_position, category, amount_cents, description, status, status_reason, "
      "created_at, created_by FROM record_violation WHERE record_id = ? ORDER BY id"}},
    /* a task with its scheme (方案) and joint departments */
    {"task",
     {"SELECT id, org_id, code, plan_task_id, adhoc_id, name, kind, ratio, item_codes, "
      "scope_json, scope_text, lead_dept_id, month_from, month_to, created_at, created_by, "
      "scope_in_scheme FROM task WHERE id = ?",
      "SELECT status, purpose, period, group_size, method, confidentiality, use_of_results, "
      "materials, contact, observers, randomness_source, opinion, submitted_at, submitted_by, "
      "approved_at, approved_by, published_at, published_by, updated_at, updated_by, "
      "grade_rules, randomness_sources, version, workload_cap, yearly_cap, "
      "checked_within_months FROM task_scheme WHERE task_id = ?",
      "SELECT dept_id, named_on, deadline, status, confirmed_on, confirmed_by, items_text "
      "FROM task_joint WHERE task_id = ? ORDER BY dept_id"}},
    {"plan_version",
     {"SELECT id, plan_id, version, status, name, qualifier, unit, made_on, change_reason, "
      "opinion, created_at, created_by, submitted_at, submitted_by, approved_at, approved_by, "
      "published_at, published_by FROM plan_version WHERE id = ?"}},
    {"plan_task",
     {"SELECT id, version_id, position, task_no, name, kind, ratio, item_codes, "
      "items_unmatched, scope_json, scope_text, lead_dept, joint_depts, month_from, month_to, "
      "period_text, level, remark, origin_id, frequency FROM plan_task WHERE id = ?"}},
    {"plan_adhoc",
     {"SELECT id, org_id, code, name, source, reason, item_codes, scope_text, month_from, "
      "month_to, status, opinion, requested_at, requested_by, decided_at, decided_by "
      "FROM plan_adhoc WHERE id = ?"}},
    {"followup",
     {"SELECT id, record_id, org_id, option, status, opened_on, rectify_deadline, recheck_on, "
      "recheck_result, decision_no, decision_on, amount_cents, penalty_published_on, receiver, "
      "outcome, outcome_on, closed_on, version, created_at, created_by, updated_at, updated_by "
      "FROM followup WHERE id = ?"}},
    {"transfer",
     {"SELECT id, followup_id, org_id, kind, receiver, sent_on, doc_no, summary, feedback, "
      "feedback_on, status, created_at, created_by, updated_at, updated_by FROM transfer "
      "WHERE id = ?"}},
    {"org",
     {"SELECT id, code, name, parent_id, status, status_reason, short_name FROM org "
      "WHERE id = ?"}},
    {"dept", {"SELECT id, org_id, code, name, kind, status, status_reason FROM dept WHERE id = ?"}},
    {"tag",
     {"SELECT id, code, name, parent_id, applies_to, status, status_reason FROM tag "
      "WHERE id = ?"}},
    {"item",
     {"SELECT id, org_id, code, name, basis, dept_id, target_kinds, content, ratio, frequency, "
      "methods, class, required_tags, status, status_reason FROM item WHERE id = ?"}},
    /* target: not last_checked_on either, set when a result is published (result_publish.c) */
    {"target",
     {"SELECT id, org_id, kind, code, name, uscc, mi_code, id_number, code_override, region, "
      "address, grade, tags, registered_on, complaints, status, status_reason FROM target "
      "WHERE id = ?"}},
    {"officer",
     {"SELECT id, org_id, dept_id, name, cert_no, cert_valid_from, cert_valid_to, tags, region, "
      "status, may_lead, phone, status_reason FROM officer WHERE id = ?"}},
    {"expert",
     {"SELECT id, org_id, code, name, kind, specialty, employer, phone, status, status_reason "
      "FROM expert WHERE id = ?"}},
};

static const StateDef *def_of(const char *entity) {
    for (size_t i = 0; entity && i < ARRAY_LEN(DEFS); i++)
        if (!strcmp(DEFS[i].entity, entity)) return &DEFS[i];
    return NULL;
}

void audit_state_field(crypto_hash_sha256_state *h, const char *v) {
    if (!v) {
        crypto_hash_sha256_update(h, (const unsigned char *)"-", 1);
        return;
    }
    size_t n = strlen(v);
    char len[24];
    int k = snprintf(len, sizeof len, "%zu:", n);
    crypto_hash_sha256_update(h, (const unsigned char *)len, (unsigned long long)k);
    crypto_hash_sha256_update(h, (const unsigned char *)v, n);
}

static void put_mark(crypto_hash_sha256_state *h, const char *mark) {
    crypto_hash_sha256_update(h, (const unsigned char *)mark, 1);
}

int audit_state_digest(Db *db, const char *entity, const char *entity_id, char out[65]) {
    out[0] = 0;
    const StateDef *d = def_of(entity);
    int64_t id = entity_id ? str_id(entity_id) : 0;
    if (!d || id <= 0) return 0;
    if (sodium_init() < 0) return -1;
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    for (int p = 0; p < MAX_PARTS && d->sql[p]; p++) {
        put_mark(&h, "Q");
        Stmt *st = db_prepare(db, d->sql[p]);
        if (!st) return -1;
        db_bind_int(st, 1, id);
        int rc;
        while ((rc = db_step(st)) == DB_ROW) {
            put_mark(&h, "R");
            for (int c = 0; c < db_col_count(st); c++) {
                audit_state_field(&h, db_col_name(st, c));
                audit_state_field(&h, db_col_is_null(st, c) ? NULL : db_col_text(st, c));
            }
        }
        db_finalize(st);
        if (rc == DB_ERR) return -1;
    }
    unsigned char md[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, md);
    sodium_bin2hex(out, 65, md, sizeof md);
    return 1;
}

/* The newest audit row with a digest of one entity row. */
typedef struct Audited {
    char *entity, *entity_id, *digest;
    int64_t audit_id;
} Audited;

static int check_digests(Db *db, Buf *problems, int64_t *checked, int *found) {
    Stmt *st = db_prepare(db, "SELECT a.entity, a.entity_id, a.digest, a.id FROM audit_log a "
                              "JOIN (SELECT entity, entity_id, max(id) AS id FROM audit_log "
                              "WHERE digest IS NOT NULL GROUP BY entity, entity_id) m "
                              "ON m.id = a.id ORDER BY a.id");
    if (!st) return -1;
    Audited *rows = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) rows = xrealloc(rows, (cap = cap ? cap * 2 : 64) * sizeof *rows);
        rows[n++] =
            (Audited){xstrdup(db_col_text(st, 0) ? db_col_text(st, 0) : ""),
                      xstrdup(db_col_text(st, 1) ? db_col_text(st, 1) : ""),
                      xstrdup(db_col_text(st, 2) ? db_col_text(st, 2) : ""), db_col_int(st, 3)};
    }
    db_finalize(st);
    for (size_t i = 0; i < n && rc != DB_ERR; i++) {
        char now[65];
        int r = audit_state_digest(db, rows[i].entity, rows[i].entity_id, now);
        if (r < 0) rc = DB_ERR;
        if (r <= 0) continue;
        (*checked)++;
        if (strcmp(now, rows[i].digest)) {
            (*found)++;
            buf_printf(problems,
                       "业务数据被直接改动: %s（%s）%s 的当前状态与审计日志第 %lld 条记录的摘要不符"
                       "（最后一次经审计的变更之后被改动）\n",
                       audit_entity_label(rows[i].entity), rows[i].entity, rows[i].entity_id,
                       (long long)rows[i].audit_id);
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(rows[i].entity);
        free(rows[i].entity_id);
        free(rows[i].digest);
    }
    free(rows);
    return rc == DB_ERR ? -1 : 0;
}

/* Rows whose history misses a version: the row's current version V should have its versions 1 …
 * V-1 in the history table. Each query yields (id, version, versions kept). */
#define DIR_GAPS(T)                                                                                \
    "SELECT t.id, t.version, coalesce(h.n, 0) FROM " T " t LEFT JOIN (SELECT entity_id, "          \
    "count(DISTINCT version) AS n FROM entity_version WHERE entity = '" T "' GROUP BY entity_id) " \
    "h ON h.entity_id = t.id WHERE coalesce(h.n, 0) <> t.version - 1 ORDER BY t.id"

static const struct {
    const char *entity, *history, *sql;
} GAPS[] = {
    {"org", "entity_version", DIR_GAPS("org")},
    {"dept", "entity_version", DIR_GAPS("dept")},
    {"tag", "entity_version", DIR_GAPS("tag")},
    {"item", "entity_version", DIR_GAPS("item")},
    {"target", "entity_version", DIR_GAPS("target")},
    {"officer", "entity_version", DIR_GAPS("officer")},
    {"expert", "entity_version", DIR_GAPS("expert")},
    {"record", "record_version",
     "SELECT r.id, r.version, coalesce(h.n, 0) FROM record r LEFT JOIN (SELECT record_id, "
     "count(*) AS n FROM record_version GROUP BY record_id) h ON h.record_id = r.id "
     "WHERE coalesce(h.n, 0) <> r.version - 1 ORDER BY r.id"},
    {"followup", "followup_version",
     "SELECT f.id, f.version, coalesce(h.n, 0) FROM followup f LEFT JOIN (SELECT followup_id, "
     "count(*) AS n FROM followup_version GROUP BY followup_id) h ON h.followup_id = f.id "
     "WHERE coalesce(h.n, 0) <> f.version - 1 ORDER BY f.id"},
};

static int check_gaps(Db *db, Buf *problems, int *found) {
    for (size_t g = 0; g < ARRAY_LEN(GAPS); g++) {
        Stmt *st = db_prepare(db, GAPS[g].sql);
        if (!st) return -1;
        int rc;
        while ((rc = db_step(st)) == DB_ROW) {
            int64_t v = db_col_int(st, 1);
            (*found)++;
            buf_printf(problems,
                       "历史版本缺失: %s（%s）%lld 当前为第 %lld 版，%s 应保存第 1 至 %lld 版，"
                       "实有 %lld 版\n",
                       audit_entity_label(GAPS[g].entity), GAPS[g].entity,
                       (long long)db_col_int(st, 0), (long long)v, GAPS[g].history,
                       (long long)(v - 1), (long long)db_col_int(st, 2));
        }
        db_finalize(st);
        if (rc == DB_ERR) return -1;
    }
    return 0;
}

int audit_state_check(Db *db, Buf *problems, int64_t *checked, char **err) {
    int found = 0;
    *checked = 0;
    if (check_digests(db, problems, checked, &found) < 0 || check_gaps(db, problems, &found) < 0)
        return set_err(err, "核验业务数据失败: %s", db_errmsg(db)), -1;
    return found;
}
