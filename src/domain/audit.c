/* audit.c - the hash-chained, append-only audit log: append, verify and list.
 *
 * Invariants: rows are written only by audit_append(), with ids dense from 1 and each row's
 * prev_hash equal to the previous row's hash; the hash rule and the canonical serialisation are
 * specified in audit.h and docs/AUDIT.md, and tools or auditors may recompute them independently,
 * so they must never change for existing rows. Verification recomputes from the stored column
 * text, so it checks exactly what is in the database.
 *
 * Called by the web handlers and directory saves (inside their transactions) and by
 * `spotcheck audit` (src/cli/cmd_audit.c). Uses only the storage API of db.h and libsodium's
 * SHA-256. No shared state: thread-safe as long as each thread uses its own Db. */
#include "audit.h"

#include "../core/clock.h"
#include "../core/util.h"
#include "audit_state.h"
#include "public_version.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char GENESIS[AUDIT_HASH_HEX + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* The ten hashed fields in canonical order, as text (NULL for SQL NULL); the state digest
 * (sql/041) is an eleventh, hashed only when the row has one, so rows without it keep the rule. */
enum { NFIELDS = 10 };

/* hash = hex SHA-256(prev || "\n" || canonical(fields) [|| field(digest)]). */
static void hash_fields(const char *prev, const char *const fields[NFIELDS], const char *digest,
                        char out[AUDIT_HASH_HEX + 1]) {
    crypto_hash_sha256_state h;
    unsigned char md[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&h);
    if (prev) crypto_hash_sha256_update(&h, (const unsigned char *)prev, strlen(prev));
    crypto_hash_sha256_update(&h, (const unsigned char *)"\n", 1);
    for (int i = 0; i < NFIELDS; i++)
        audit_state_field(&h, fields[i]);
    if (digest) audit_state_field(&h, digest);
    crypto_hash_sha256_final(&h, md);
    sodium_bin2hex(out, AUDIT_HASH_HEX + 1, md, sizeof md);
}

void audit_compute_hash(const AuditRow *r, char out[AUDIT_HASH_HEX + 1]) {
    char id[24], org[24];
    snprintf(id, sizeof id, "%lld", (long long)r->id);
    snprintf(org, sizeof org, "%lld", (long long)r->org_id);
    const char *fields[NFIELDS] = {id,        r->at,     r->actor,     r->org_id ? org : NULL,
                                   r->action, r->entity, r->entity_id, r->before,
                                   r->after,  r->remote};
    hash_fields(r->prev_hash ? r->prev_hash : "", fields, r->digest, out);
}

/* 1 when s is a valid timestamp in the clock's format "YYYY-MM-DD HH:MM:SS" (bureau time), or,
 * for rows written before schema 16, the UTC form "YYYY-MM-DDTHH:MM:SSZ" (still verified, never
 * written again). */
static int time_valid(const char *s) {
    static const char local[] = "dddd-dd-dd dd:dd:dd", utc[] = "dddd-dd-ddTdd:dd:ddZ";
    size_t n = strlen(s);
    const char *pat = n == sizeof local - 1 ? local : n == sizeof utc - 1 ? utc : NULL;
    if (!pat) return 0;
    for (size_t i = 0; i < n; i++) {
        if (pat[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pat[i]) return 0;
    }
    char day[11];
    memcpy(day, s, 10);
    day[10] = 0;
    int hh = atoi(s + 11), mm = atoi(s + 14), ss = atoi(s + 17);
    return date_valid(day) && hh < 24 && mm < 60 && ss < 61;
}

static int check_text(const char *name, const char *v, int required, char **err) {
    if (!v) return required ? set_err(err, "审计记录缺少 %s", name) : 0;
    if (required && !*v) return set_err(err, "审计记录的 %s 不能为空", name);
    if (!utf8_valid(v, strlen(v))) return set_err(err, "审计记录的 %s 不是有效的 UTF-8", name);
    return 0;
}

static int check_json(const char *name, const char *v, char **err) {
    if (!v) return 0;
    json_error_t je;
    json_t *j = json_loads(v, JSON_DECODE_ANY, &je);
    if (!j) return set_err(err, "审计记录的 %s 不是有效的 JSON: %s", name, je.text);
    json_decref(j);
    return 0;
}

static int check_entry(const AuditEntry *e, char **err) {
    if (check_text("actor", e->actor, 1, err) || check_text("action", e->action, 1, err) ||
        check_text("entity", e->entity, 0, err) || check_text("entity_id", e->entity_id, 0, err) ||
        check_text("before", e->before, 0, err) || check_text("after", e->after, 0, err) ||
        check_text("remote", e->remote, 0, err) || check_json("before", e->before, err) ||
        check_json("after", e->after, err))
        return DB_ERR;
    if (e->at && !time_valid(e->at))
        return set_err(err, "审计记录的时间应为 YYYY-MM-DD HH:MM:SS: %s", e->at);
    if (e->org_id < 0) return set_err(err, "审计记录的机构编号无效: %lld", (long long)e->org_id);
    return DB_OK;
}

int audit_append(Db *db, const AuditEntry *e, char **err) {
    if (sodium_init() < 0) return set_err(err, "libsodium 初始化失败");
    if (check_entry(e, err) != DB_OK) return DB_ERR;

    /* The chain's head, locked until the caller's transaction ends, so nobody else can append
     * until it commits: the chain stays one line without gaps or forks. Units that exclude every
     * other writer (DB_TX_ALL) hold it already; a DB_TX_ROWS unit waits here, and the head it then
     * reads includes every append committed before (READ COMMITTED: db.h). */
    if (db_lock(db, "audit_log", 0) != DB_OK)
        return set_err(err, "等待审计日志失败: %s", db_errmsg(db));
    Stmt *st = db_prepare(db, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
    if (!st) return set_err(err, "读取审计日志失败: %s", db_errmsg(db));
    int64_t last_id = 0;
    char prev[AUDIT_HASH_HEX + 1];
    memcpy(prev, GENESIS, sizeof prev);
    int rc = db_step(st), bad_head = 0;
    if (rc == DB_ROW) {
        last_id = db_col_int(st, 0);
        const char *h = db_col_text(st, 1);
        if (!h || strlen(h) != AUDIT_HASH_HEX)
            bad_head = 1;
        else
            memcpy(prev, h, sizeof prev);
    }
    if (rc == DB_ERR) set_err(err, "读取审计日志失败: %s", db_errmsg(db));
    db_finalize(st);
    if (rc == DB_ERR) return DB_ERR;
    if (bad_head)
        return set_err(err, "审计日志第 %lld 条记录的哈希无效，请运行 spotcheck audit verify",
                       (long long)last_id);

    char at[AUDIT_TIME_LEN + 1];
    if (e->at)
        snprintf(at, sizeof at, "%s", e->at);
    else
        clock_now(at);

    int64_t id = last_id + 1;
    char id_text[24], org_text[24], hash[AUDIT_HASH_HEX + 1];
    snprintf(id_text, sizeof id_text, "%lld", (long long)id);
    snprintf(org_text, sizeof org_text, "%lld", (long long)e->org_id);
    const char *fields[NFIELDS] = {id_text,   at,        e->actor,     e->org_id ? org_text : NULL,
                                   e->action, e->entity, e->entity_id, e->before,
                                   e->after,  e->remote};
    /* the audited row's state as it is now, after the change (audit_state.h) */
    char digest[AUDIT_HASH_HEX + 1];
    digest[0] = 0;
    if (!e->no_digest && audit_state_digest(db, e->entity, e->entity_id, digest) < 0)
        return set_err(err, "读取审计对象的当前状态失败: %s", db_errmsg(db));
    hash_fields(prev, fields, digest[0] ? digest : NULL, hash);

    st = db_prepare(db, "INSERT INTO audit_log(id, at, actor, org_id, action, entity, entity_id, "
                        "before, after, remote, prev_hash, hash, digest) "
                        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return set_err(err, "写入审计日志失败: %s", db_errmsg(db));
    /* columns 1..12 in the INSERT's order; column 4 (org_id) is an integer or NULL */
    const char *text[13] = {NULL,      NULL,      at,           e->actor,  NULL,
                            e->action, e->entity, e->entity_id, e->before, e->after,
                            e->remote, prev,      hash};
    rc = db_bind_int(st, 1, id);
    if (rc == DB_OK) rc = e->org_id ? db_bind_int(st, 4, e->org_id) : db_bind_null(st, 4);
    for (int i = 2; i <= 12 && rc == DB_OK; i++)
        if (i != 4) rc = db_bind_text(st, i, text[i]);
    if (rc == DB_OK) rc = db_bind_text(st, 13, digest[0] ? digest : NULL);
    if (rc == DB_OK) rc = db_step(st) == DB_DONE ? DB_OK : DB_ERR;
    if (rc != DB_OK) set_err(err, "写入审计日志失败: %s", db_errmsg(db));
    db_finalize(st);
    /* what the public portal shows may have changed with it: in the same transaction */
    if (rc == DB_OK && public_version_affected(e->action) && public_version_bump(db) != DB_OK)
        rc = set_err(err, "写入公开数据版本失败: %s", db_errmsg(db));
    return rc;
}

static const char ROW_COLUMNS[] =
    "id, at, actor, org_id, action, entity, entity_id, before, after, remote, prev_hash, hash, "
    "digest";

int audit_verify(Db *db, AuditVerifyResult *out, char **err) {
    memset(out, 0, sizeof *out);
    memcpy(out->head_hash, GENESIS, sizeof out->head_hash);
    if (sodium_init() < 0) return set_err(err, "libsodium 初始化失败");
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT %s FROM audit_log ORDER BY id", ROW_COLUMNS);
    Stmt *st = db_prepare(db, sql);
    if (!st) return set_err(err, "读取审计日志失败: %s", db_errmsg(db));
    db_large(st); /* the whole chain */
    char prev[AUDIT_HASH_HEX + 1];
    memcpy(prev, GENESIS, sizeof prev);
    int64_t expect = 1;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t id = db_col_int(st, 0); /* before any db_col_text on the row */
        const char *f[NFIELDS + 3];
        for (int i = 0; i < NFIELDS + 3; i++)
            f[i] = db_col_is_null(st, i) ? NULL : db_col_text(st, i);
        const char *stored_prev = f[NFIELDS], *stored_hash = f[NFIELDS + 1];
        out->bad_id = id;
        if (id != expect) {
            out->status = AUDIT_BREAK_GAP;
            if (expect == 1)
                snprintf(out->reason, sizeof out->reason,
                         "编号不连续: 第一条记录的编号应为 1（缺少此前的记录）");
            else
                snprintf(out->reason, sizeof out->reason,
                         "编号不连续: 上一条记录为第 %lld 条（其间的记录缺失）",
                         (long long)(expect - 1));
            break;
        }
        if (!str_eq(stored_prev, prev)) {
            out->status = AUDIT_BREAK_PREV_HASH;
            if (expect == 1)
                snprintf(out->reason, sizeof out->reason,
                         "prev_hash 不符: 第一条记录的 prev_hash 应为 64 个 0");
            else
                snprintf(out->reason, sizeof out->reason, "prev_hash 与第 %lld 条记录的哈希不一致",
                         (long long)(expect - 1));
            break;
        }
        char calc[AUDIT_HASH_HEX + 1];
        hash_fields(prev, f, f[NFIELDS + 2], calc);
        if (!str_eq(stored_hash, calc)) {
            out->status = AUDIT_BREAK_HASH;
            snprintf(out->reason, sizeof out->reason, "哈希与记录内容不符（记录内容或哈希被改动）");
            break;
        }
        memcpy(prev, calc, sizeof prev);
        expect = id + 1;
        out->count++;
    }
    db_finalize(st);
    if (rc == DB_ERR) {
        memset(out, 0, sizeof *out);
        return set_err(err, "读取审计日志失败: %s", db_errmsg(db));
    }
    if (out->status == AUDIT_INTACT) {
        out->bad_id = 0;
        memcpy(out->head_hash, prev, sizeof prev);
    } else {
        out->head_hash[0] = 0;
    }
    return DB_OK;
}

static char *dup_or_null(const char *s) {
    return s ? xstrdup(s) : NULL;
}

static void row_free(AuditRow *r) {
    free(r->at);
    free(r->actor);
    free(r->action);
    free(r->entity);
    free(r->entity_id);
    free(r->before);
    free(r->after);
    free(r->remote);
    free(r->prev_hash);
    free(r->hash);
    free(r->digest);
}

void audit_page_free(AuditPage *p) {
    if (!p) return;
    for (size_t i = 0; i < p->n; i++)
        row_free(&p->rows[i]);
    free(p->rows);
    p->rows = NULL;
    p->n = 0;
    p->has_more = 0;
}

/* One bound value of the dynamically assembled list query. */
typedef struct Bind {
    int is_int;
    int64_t i;
    const char *t;
} Bind;

/* Checks a date_from/date_to bound; *day is set when it is a plain date. */
static int bound_valid(const char *s, int *day) {
    *day = strlen(s) == 10 && date_valid(s);
    return *day || time_valid(s);
}

int audit_list(Db *db, const AuditFilter *f, AuditPage *out, char **err) {
    memset(out, 0, sizeof *out);
    int limit = f->limit ? f->limit : AUDIT_LIST_DEFAULT;
    if (limit < 1 || limit > AUDIT_LIST_MAX)
        return set_err(err, "每页条数应在 1 到 %d 之间", AUDIT_LIST_MAX);
    int from_day = 0, to_day = 0;
    if (f->date_from && !bound_valid(f->date_from, &from_day))
        return set_err(err, "起始日期无效: %s（应为 YYYY-MM-DD）", f->date_from);
    if (f->date_to && !bound_valid(f->date_to, &to_day))
        return set_err(err, "截止日期无效: %s（应为 YYYY-MM-DD）", f->date_to);

    size_t cap = 12 + (f->org_ids ? f->org_ids_len : 0), nb = 0;
    Bind *b = xcalloc(cap, sizeof *b);
    char to_end[AUDIT_TIME_LEN + 1];
    Buf sql;
    buf_init(&sql);
    if (f->org_root > 0) {
        buf_puts(&sql, "WITH RECURSIVE sub(id) AS (SELECT ? UNION "
                       "SELECT org.id FROM org JOIN sub ON org.parent_id = sub.id) ");
        b[nb++] = (Bind){1, f->org_root, NULL};
    }
    buf_printf(&sql, "SELECT %s FROM audit_log WHERE 1 = 1", ROW_COLUMNS);
    if (f->actor) {
        buf_puts(&sql, " AND actor = ?");
        b[nb++] = (Bind){0, 0, f->actor};
    }
    if (f->action_prefix) {
        buf_puts(&sql, " AND substr(action, 1, length(?)) = ?");
        b[nb++] = (Bind){0, 0, f->action_prefix};
        b[nb++] = (Bind){0, 0, f->action_prefix};
    }
    if (f->entity) {
        buf_puts(&sql, " AND entity = ?");
        b[nb++] = (Bind){0, 0, f->entity};
    }
    if (f->entity_id) {
        buf_puts(&sql, " AND entity_id = ?");
        b[nb++] = (Bind){0, 0, f->entity_id};
    }
    if (f->date_from) { /* a plain date sorts before every timestamp of its day */
        buf_puts(&sql, " AND at >= ?");
        b[nb++] = (Bind){0, 0, f->date_from};
    }
    if (f->date_to) {
        /* '~' sorts after the ' ' and 'T' that follow the date in either stored format */
        if (to_day) snprintf(to_end, sizeof to_end, "%.10s~", f->date_to);
        buf_puts(&sql, " AND at <= ?");
        b[nb++] = (Bind){0, 0, to_day ? to_end : f->date_to};
    }
    if (f->org_ids) {
        if (f->org_ids_len == 0)
            buf_puts(&sql, " AND 0 = 1");
        else {
            buf_puts(&sql, " AND org_id IN (");
            for (size_t i = 0; i < f->org_ids_len; i++) {
                buf_puts(&sql, i ? ", ?" : "?");
                b[nb++] = (Bind){1, f->org_ids[i], NULL};
            }
            buf_putc(&sql, ')');
        }
    }
    if (f->org_root > 0) buf_puts(&sql, " AND org_id IN (SELECT id FROM sub)");
    if (f->before_id > 0) {
        buf_puts(&sql, " AND id < ?");
        b[nb++] = (Bind){1, f->before_id, NULL};
    }
    buf_puts(&sql, " ORDER BY id DESC LIMIT ?");
    b[nb++] = (Bind){1, (int64_t)limit + 1, NULL};
    ASSERT(nb <= cap);

    Stmt *st = db_prepare(db, sql.data);
    buf_free(&sql);
    int rc = st ? DB_OK : DB_ERR;
    for (size_t i = 0; i < nb && rc == DB_OK; i++)
        rc = b[i].is_int ? db_bind_int(st, (int)i + 1, b[i].i)
                         : db_bind_text(st, (int)i + 1, b[i].t);
    free(b);
    if (rc == DB_OK) out->rows = xcalloc((size_t)limit, sizeof *out->rows);
    while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
        if (out->n == (size_t)limit) {
            out->has_more = 1;
            break;
        }
        AuditRow *r = &out->rows[out->n++];
        r->id = db_col_int(st, 0);
        r->org_id = db_col_is_null(st, 3) ? 0 : db_col_int(st, 3);
        char **text[] = {&r->at,     &r->actor,     NULL,       &r->action,
                         &r->entity, &r->entity_id, &r->before, &r->after,
                         &r->remote, &r->prev_hash, &r->hash,   &r->digest};
        for (int i = 1; i < 13; i++)
            if (text[i - 1]) *text[i - 1] = dup_or_null(db_col_text(st, i));
        rc = DB_OK;
    }
    if (rc == DB_ERR) set_err(err, "读取审计日志失败: %s", db_errmsg(db));
    db_finalize(st);
    return rc == DB_ERR ? DB_ERR : DB_OK;
}

int audit_anchor_parse(const char *s, char hash[AUDIT_HASH_HEX + 1], int64_t *n) {
    const char *at = s ? strchr(s, '@') : NULL;
    if (!at || at - s != AUDIT_HASH_HEX || strspn(s, "0123456789abcdef") != AUDIT_HASH_HEX)
        return 0;
    memcpy(hash, s, AUDIT_HASH_HEX);
    hash[AUDIT_HASH_HEX] = 0;
    *n = str_id(at + 1);
    return *n > 0;
}

int audit_anchor_check(Db *db, int64_t n, const char *hash, char **why) {
    char *stored = NULL;
    if (db_query_text(db, &stored, "SELECT hash FROM audit_log WHERE id = ?", "i", n) != DB_OK)
        return set_err(why, "读取审计日志失败: %s", db_errmsg(db)), -1;
    int ok = stored && hash && !strcmp(stored, hash);
    if (!stored)
        set_err(why, "审计日志中没有第 %lld 条记录：日志在公布的锚点之前被截短", (long long)n);
    else if (!ok)
        set_err(why, "第 %lld 条记录的哈希为 %s，与公布的 %s 不符：此前的历史已被改写",
                (long long)n, stored, hash ? hash : "");
    free(stored);
    return ok;
}

/* The id and hash of the first row of a query ("SELECT id, hash ... LIMIT 1") bound with one text.
 */
static int anchor_row(Db *db, const char *sql, const char *arg, int64_t *n,
                      char hash[AUDIT_HASH_HEX + 1]) {
    *n = 0;
    hash[0] = 0;
    Stmt *st = db_prepare(db, sql);
    if (!st) return DB_ERR;
    db_bind_text(st, 1, arg);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *n = db_col_int(st, 0);
        snprintf(hash, AUDIT_HASH_HEX + 1, "%s", db_col_text(st, 1) ? db_col_text(st, 1) : "");
    }
    db_finalize(st);
    return rc == DB_ERR ? DB_ERR : DB_OK;
}

int audit_day_anchor(Db *db, const char *day, int64_t *n, char hash[AUDIT_HASH_HEX + 1]) {
    /* stored times are "YYYY-MM-DD HH:MM:SS" (older rows "…Z"): text order is time order */
    return anchor_row(db, "SELECT id, hash FROM audit_log WHERE at < ? ORDER BY id DESC LIMIT 1",
                      day, n, hash);
}

int audit_freeze_anchor(Db *db, const char *freeze_sha256, int64_t *n,
                        char hash[AUDIT_HASH_HEX + 1]) {
    char *pattern = xasprintf("%%\"freeze_sha256\":\"%s\"%%", freeze_sha256 ? freeze_sha256 : "");
    int rc = anchor_row(db,
                        "SELECT id, hash FROM audit_log WHERE action IN ('task.draw.freeze', "
                        "'task.redraw.approve') "
                        "AND after LIKE ? ORDER BY id LIMIT 1",
                        pattern, n, hash);
    free(pattern);
    return rc;
}
