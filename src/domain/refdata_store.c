/* refdata_store.c - loads reference data sets (data/NAME.tsv) into the refdata table (see
 * refdata_store.h). Parsing is refdata.c's; this module validates codes, replaces a set in one
 * transaction and records the replaced rows in the audit log. Called by `spotcheck init` and
 * `spotcheck refdata`. */
#include "../core/clock.h"
#include "refdata_store.h"

#include "../core/embed.h"
#include "../core/strmap.h"
#include "../core/util.h"
#include "audit.h"
#include "calendar.h"
#include "refdata.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

const char *const refdata_sets[] = {"result_categories", "violation_categories",
                                    "disposal_options",  "inspection_methods",
                                    "regions",           "holidays",
                                    "credit_rules",      NULL};

long long refdata_store_count(Db *db, const char *name) {
    int64_t n = 0;
    if (db_query_int(db, &n, "SELECT count(*) FROM refdata WHERE set_name = ?", "t", name) != DB_OK)
        return -1;
    return n;
}

json_t *refdata_store_info(Db *db, const char *name) {
    Stmt *st = db_prepare(db, "SELECT rows, source, loaded_at, coalesce(loaded_by, '') FROM "
                              "refdata_set WHERE set_name = ?");
    json_t *o = NULL;
    if (st) db_bind_text(st, 1, name);
    if (st && db_step(st) == DB_ROW)
        o = json_pack("{s:I, s:s, s:s, s:s}", "rows", (json_int_t)db_col_int(st, 0), "source",
                      db_col_text(st, 1), "at", db_col_text(st, 2), "by", db_col_text(st, 3));
    db_finalize(st);
    return o;
}

/* The current rows of a set as a JSON array text (for the audit log), or NULL when empty. */
static char *set_json(Db *db, const char *name) {
    Stmt *st = db_prepare(db, "SELECT attrs FROM refdata WHERE set_name = ? ORDER BY position");
    if (!st) return NULL;
    db_bind_text(st, 1, name);
    json_t *a = json_array();
    while (db_step(st) == DB_ROW)
        json_array_append_new(a, json_loads(db_col_text(st, 0), 0, NULL));
    db_finalize(st);
    char *s = json_array_size(a) ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    return s;
}

static int known_set(const char *name) {
    for (int i = 0; refdata_sets[i]; i++)
        if (!strcmp(refdata_sets[i], name)) return 1;
    return 0;
}

/* Inserts the parsed rows; reports the first duplicate or empty code with its line. */
static int insert_rows(Db *db, const char *name, const RefTable *t, char **err) {
    if (t->ncols < 2) return set_err(err, "%s: 至少需要编码和名称两列", name);
    int parent = refdata_col(t, "parent");
    StrMap *seen = strmap_new();
    int rc = DB_OK;
    for (size_t i = 0; i < t->nrows && rc == DB_OK; i++) {
        const RefRow *row = &t->rows[i];
        int64_t first = 0;
        if (!*row->field[0] || !*row->field[1]) {
            rc = set_err(err, "%s 第%d行: 编码和名称不能为空", name, row->line);
        } else if (strmap_get(seen, row->field[0], &first)) {
            rc = set_err(err, "%s 第%d行: 编码“%s”与第%lld行重复", name, row->line, row->field[0],
                         (long long)first);
        } else {
            strmap_put(seen, row->field[0], row->line);
            json_t *o = json_object();
            for (size_t c = 0; c < t->ncols; c++)
                json_object_set_new(o, t->cols[c], json_string(row->field[c]));
            char *attrs = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
            json_decref(o);
            const char *p = parent >= 0 && *row->field[parent] ? row->field[parent] : NULL;
            if (db_exec(db,
                        "INSERT INTO refdata(set_name, code, label, parent, attrs, position) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        "ttttti", name, row->field[0], row->field[1], p, attrs,
                        (int64_t)i) != DB_OK)
                rc = set_err(err, "%s 第%d行: %s", name, row->line, db_errmsg(db));
            free(attrs);
        }
    }
    strmap_free(seen);
    return rc;
}

/* Replaces a set; `audited` is 0 only for the first seeding of an empty set at init, which is
 * part of setting up the schema (like the migrations) rather than a change to data. */
static int load_set(Db *db, const char *name, const char *text, size_t len, const char *source,
                    const char *actor, int audited, char **err) {
    if (!known_set(name)) return set_err(err, "未知的参考数据集 %s", name);
    char *perr = NULL;
    if (!strcmp(name, "holidays")) {
        /* the calendar's own rules (contiguous whole years, 上班 only on weekends, …) */
        Calendar *cal = calendar_parse(text, len, &perr);
        if (!cal) {
            set_err(err, "%s: %s", name, perr ? perr : "无法解析");
            free(perr);
            return DB_ERR;
        }
        calendar_free(cal);
    }
    RefTable *t = refdata_parse(text, len, NULL, &perr);
    if (!t) {
        set_err(err, "%s: %s", name, perr ? perr : "无法解析");
        free(perr);
        return DB_ERR;
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[2 * sizeof h + 1];
    crypto_hash_sha256(h, (const unsigned char *)text, len);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    if (db_begin(db) != DB_OK) {
        refdata_free(t);
        return set_err(err, "数据库忙: %s", db_errmsg(db));
    }
    char *before = set_json(db, name);
    int rc = db_exec(db, "DELETE FROM refdata WHERE set_name = ?", "t", name);
    if (rc == DB_OK) rc = insert_rows(db, name, t, err);
    if (rc == DB_OK)
        rc = db_exec(
            db,
            "INSERT INTO refdata_set(set_name, rows, sha256, source, loaded_by, loaded_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(set_name) DO UPDATE SET rows = excluded.rows, "
            "sha256 = excluded.sha256, source = excluded.source, loaded_by = excluded.loaded_by, "
            "loaded_at = excluded.loaded_at",
            "titttt", name, (int64_t)t->nrows, hex, source, actor, clock_stamp().s);
    char *after = rc == DB_OK ? set_json(db, name) : NULL;
    char action[64];
    snprintf(action, sizeof action, "refdata.%s", name);
    AuditEntry e = {.actor = actor,
                    .action = action,
                    .entity = "refdata",
                    .entity_id = name,
                    .before = before,
                    .after = after};
    if (rc == DB_OK && (audited || before) && audit_append(db, &e, err) != 0) rc = DB_ERR;
    if (rc == DB_OK && db_commit(db) != DB_OK) rc = set_err(err, "提交失败: %s", db_errmsg(db));
    if (rc != DB_OK) db_rollback(db);
    free(before);
    free(after);
    refdata_free(t);
    return rc;
}

int refdata_store_load(Db *db, const char *name, const char *text, size_t len, const char *source,
                       const char *actor, char **err) {
    return load_set(db, name, text, len, source, actor, 1, err);
}

int refdata_store_defaults(Db *db, const char *actor, char **err) {
    for (int i = 0; refdata_sets[i]; i++) {
        long long have = refdata_store_count(db, refdata_sets[i]);
        if (have < 0) return set_err(err, "无法读取参考数据: %s", db_errmsg(db));
        if (have > 0) continue;
        char *path = xasprintf("data/%s.tsv", refdata_sets[i]);
        const EmbeddedFile *f = embed_find(path);
        free(path);
        if (!f) continue;
        if (load_set(db, refdata_sets[i], (const char *)f->data, f->len, "embedded", actor, 0,
                     err) != DB_OK)
            return DB_ERR;
    }
    return DB_OK;
}
