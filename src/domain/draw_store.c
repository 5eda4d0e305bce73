/* draw_store.c - the draw on the database (tables of sql/002_draw.sql): freezes a draw (and a
 * re-draw) with its files and commitment, loads the frozen population, reads draws back and
 * checks every stored draw against itself. The population and officer files are built in
 * draw_store_files.c; running, dice and substitutions are in draw_store_run.c. Called by the
 * task's draw steps (task_draw.c), the `draw` CLI (src/cli/cmd_draw.c), `audit verify` and the
 * benchmark.
 *
 * Invariants: a task has at most one draw whose status is not 已作废; the functions that change
 * data run inside the caller's transaction and never begin, commit or roll back one, so the
 * caller commits the draw change together with its audit row (or rolls both back); the frozen files
 * are stored byte for byte, so the published digests can always be re-derived; all SQL is
 * parameterised. */
#include "../core/clock.h"
#include "jsonkit.h"
#include "draw_store.h"
#include "readcache.h"
#include "draw_store_impl.h"
#include "draw_source.h"
#include "draw_token.h"

#include "draw.h"
#include "draw_sha256.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ freeze */

/* What a freeze reads its population and groups from (draw_store_files.c), in one order so that
 * two holders cannot wait for each other. */
#define POPULATION_TABLES "dept, expert, officer, org, target"

int draw_store_lock_name(Db *db, const char *task) {
    return db_lock(db, "draw", (int64_t)str_fnv1a(task));
}

/* The current draw's records locked (DRAW_HOLD_RECORDS): DB_OK or DB_ERR. */
static int lock_records(Db *db, const char *task) {
    int64_t id = 0;
    char *status = NULL;
    int rc = draw_store_current(db, task, &id, &status);
    free(status);
    if (rc < 0) return DB_ERR;
    return rc == 0 ? db_lock_rows_by(db, "record", "draw_id", id) : DB_OK;
}

int draw_store_begin(Db *db, const char *task, int also, char **err) {
    if (db_begin_kind(db, DB_TX_ROWS) != DB_OK) return set_err(err, "数据库忙，请稍后重试"), -1;
    int64_t id = 0;
    if (db_query_int(db, &id, "SELECT id FROM task WHERE code = ?", "t", task) != DB_OK ||
        (id && db_lock_row(db, "task", id) != DB_OK) ||
        ((also & DRAW_HOLD_RECORDS) && lock_records(db, task) != DB_OK) ||
        ((also & DRAW_HOLD_POPULATION) && db_hold_tables(db, POPULATION_TABLES) != DB_OK) ||
        draw_store_lock_name(db, task) != DB_OK) {
        db_rollback(db);
        return set_err(err, "数据库忙，请稍后重试"), -1;
    }
    return 0;
}

/* (draw_store_impl.h) */
int draw_store_current(Db *db, const char *task, int64_t *id, char **status) {
    Stmt *st =
        db_prepare(db, "SELECT id, status FROM draw WHERE task_code = ? AND status <> '已作废'");
    if (!st) return -1;
    db_bind_text(st, 1, task);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *id = db_col_int(st, 0);
        if (status) *status = xstrdup(db_col_text(st, 1));
    }
    db_finalize(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : -1;
}

/* The sources' labels joined with "；" (the draw row's randomness_source, for people). */
static char *sources_text(const json_t *sources) {
    Buf b;
    buf_init(&b);
    size_t i;
    json_t *s;
    json_array_foreach(sources, i, s) {
        char *l = draw_source_label(s);
        buf_printf(&b, "%s%s", i ? "；" : "", l);
        free(l);
    }
    return buf_steal(&b);
}

/* 1 when a source of `sources` was declared by an earlier draw of task: its value may already
 * be known, so a re-draw must take new ones. */
static int source_reused(Db *db, const char *task, const json_t *sources, char **which) {
    Stmt *st =
        db_prepare(db, "SELECT sources FROM draw WHERE task_code = ? AND sources IS NOT NULL");
    if (!st) return 0;
    db_bind_text(st, 1, task);
    int found = 0;
    while (!found && db_step(st) == DB_ROW) {
        json_t *old = json_loads(db_col_text(st, 0), 0, NULL);
        size_t i, k;
        json_t *a, *b;
        json_array_foreach(sources, i, a)
            json_array_foreach(old, k, b) if (!found && draw_source_same(a, b)) {
            found = 1;
            *which = draw_source_label(a);
        }
        json_decref(old);
    }
    db_finalize(st);
    return found;
}

/* Refuses sources that cannot be frozen now: invalid, or the earliest external one less than
 * gap_hours after now (it must not exist, nor be close, when the population is fixed). */
static int sources_ready(const DrawFreezeReq *req, char **err) {
    if (draw_sources_check(req->sources, err)) return -1;
    if (req->gap_hours < 1) return set_err(err, "冻结与随机数产生之间的间隔须至少 1 小时");
    long long first = draw_sources_earliest(req->sources);
    if (first && req->now + (long long)req->gap_hours * 3600 > first) {
        char when[26];
        draw_time_format(first, 8 * 3600, when);
        return set_err(
            err,
            "冻结须早于最早的公开随机数来源至少 %d 小时（最早的来源于北京时间 %.10s %.5s 产生）："
            "请在实施方案或冻结时改用更晚的开奖期次或 drand 轮次",
            req->gap_hours, when, when + 11);
    }
    return 0;
}

/* The declared conflicts (params.conflicts, pairs [officer, target]) name an insured target by
 * its token under salt, added to map; on a re-draw (prev_id) a token of the earlier draw is first
 * turned back into its target. Returns 0, -1 on a database error. */
static int tokens_for_conflicts(Db *db, json_t *params, int64_t prev_id, const uint8_t *salt,
                                DrawTokenMap *map) {
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(params, "conflicts"), i, c) {
        const char *t = json_string_value(json_array_get(c, 1));
        if (!t) continue;
        char *code = prev_id ? draw_token_target(db, prev_id, t) : NULL;
        if (!code) code = xstrdup(t);
        char *kind = NULL;
        if (db_query_text(db, &kind, "SELECT kind FROM target WHERE code = ?", "t", code) !=
            DB_OK) {
            free(code);
            return -1;
        }
        if (str_eq(kind, "insured")) {
            char token[DRAW_TOKEN_LEN + 1];
            draw_token_make(salt, code, strlen(code), token);
            draw_token_map_add(map, token, code);
            json_array_set_new(c, 1, json_string(token));
        } else
            json_array_set_new(c, 1, json_string(code));
        free(kind);
        free(code);
    }
    return 0;
}

int draw_store_freeze(Db *db, const DrawFreezeReq *req, char **freeze_sha256, char **err) {
    if (str_empty(req->task) || !date_valid(req->date) || !req->frozen_at)
        return set_err(err, "须提供任务编号和抽取日期"), 1;
    int redraw = req->redraw_reason || req->redraw_approver;
    if (redraw && (str_empty(req->redraw_reason) || str_empty(req->redraw_approver)))
        return set_err(err, "重新抽取须同时提供原因和批准人"), 1;
    char *reused = NULL;
    if (source_reused(db, req->task, req->sources, &reused)) {
        set_err(err, "%s 已用于本任务此前的抽取，其结果可能已经知道：重新抽取须声明新的随机数来源",
                reused);
        free(reused);
        return 1;
    }
    if (sources_ready(req, err)) return 1;
    int64_t prev_id = 0;
    char *prev_status = NULL;
    int rc = draw_store_current(db, req->task, &prev_id, &prev_status);
    json_t *params = NULL, *redraw_j = json_null(), *excluded = json_array(), *freeze = NULL,
           *conflicts = NULL;
    char *prev_params = NULL, *prev_sha = NULL;
    int64_t draw_no = 1, result = -1;
    uint8_t salt[DRAW_SALT_LEN];
    DrawTokenMap map = {0};
    Buf pop, off, pop_pairs, pairs;
    buf_init(&pop_pairs);
    buf_init(&pairs);
    buf_init(&pop);
    buf_init(&off);
    if (rc < 0) {
        dberr(db, err);
        goto out;
    }
    if (rc == 0 && !redraw) {
        set_err(err,
                "任务 %s 已有%s的抽取（一个任务只有一次抽取；重新抽取须用 draw redraw "
                "并提供原因和批准人）",
                req->task, prev_status);
        result = 1;
        goto out;
    }
    if (rc == 1 && redraw) {
        set_err(err, "任务 %s 还没有抽取，无需重新抽取", req->task);
        result = 1;
        goto out;
    }
    if (db_query_int(db, &draw_no,
                     "SELECT coalesce(max(draw_no), 0) + 1 FROM draw WHERE task_code = ?", "t",
                     req->task)) {
        dberr(db, err);
        goto out;
    }
    if (redraw) {
        if (db_query_text(db, &prev_params, "SELECT params FROM draw WHERE id = ?", "i", prev_id) ||
            db_query_text(db, &prev_sha,
                          "SELECT coalesce(record_sha256, freeze_sha256) FROM draw WHERE id = ?",
                          "i", prev_id)) {
            dberr(db, err);
            goto out;
        }
        redraw_j = json_pack("{s:s,s:s,s:s}", "reason", req->redraw_reason, "approver",
                             req->redraw_approver, "previous_sha256", prev_sha);
    }
    params = req->params ? json_deep_copy(req->params) : json_loads(prev_params, 0, NULL);
    if (!json_is_object(params) || !json_is_object(json_object_get(params, "ratios"))) {
        set_err(err, "参数须包含 ratios（各分层的抽查比例，如 {\"*\":\"3%%\"}）");
        result = 1;
        goto out;
    }
    /* insured persons by salted per-draw tokens (§2a): the salt is drawn now, before any source
     * exists, and kept internal; a collision (never seen: 96 bits) draws another */
    json_object_set_new(params, "insured_ids", json_string(DRAW_TOKEN_SCHEME));
    conflicts = json_deep_copy(json_object_get(params, "conflicts")); /* as declared */
    for (int tries = 0;; tries++) {
        if (conflicts) /* each try names them under its own salt */
            json_object_set_new(params, "conflicts", json_deep_copy(conflicts));
        randombytes_buf(salt, sizeof salt);
        buf_reset(&pop);
        json_array_clear(excluded);
        draw_token_map_free(&map);
        buf_reset(&pop_pairs);
        buf_reset(&pairs);
        int prc = draw_store_population_tokens(db, params, req->date, req->task, salt, &map,
                                               &pop_pairs, &pop, excluded, err);
        if (prc < 0) {
            result = 1;
            goto out;
        }
        if (tokens_for_conflicts(db, params, redraw ? prev_id : 0, salt, &map)) {
            dberr(db, err);
            goto out;
        }
        /* every pair, the population's and the excluded and conflicted persons' */
        if (prc == 0 && draw_token_map_sort(&map) == 0 &&
            draw_token_pairs_merge(pop_pairs.data, &map, &pairs) == 0)
            break;
        if (tries == 3) {
            set_err(err, "参保人编码多次冲突，请重试冻结");
            result = 1;
            goto out;
        }
    }
    if (draw_store_officers(db, params, &off, err)) {
        result = 1;
        goto out;
    }
    /* parse both files back: validates them and gives the counts */
    DrawPop p;
    DrawRoster r;
    if (draw_pop_parse(&p, xstrndup(pop.data ? pop.data : "", pop.len), pop.len, err)) {
        result = 1;
        goto out;
    }
    if (draw_roster_parse(&r, off.data ? off.data : "", off.len, err)) {
        draw_pop_free(&p);
        result = 1;
        goto out;
    }
    json_t *ratios = json_object_get(params, "ratios");
    for (size_t h = 0; h < p.nstrata; h++) {
        /* every stratum needs a ratio: fail now rather than at the ceremony */
        const char *name = p.strata[h];
        const char *slash = strchr(name, '/');
        char *head = slash ? xstrndup(name, (size_t)(slash - name)) : xstrdup(name);
        json_t *rv = json_object_get(ratios, name);
        if (!rv) rv = json_object_get(ratios, head);
        if (!rv) rv = json_object_get(ratios, "*");
        free(head);
        DrawRatio ra;
        if (!json_is_string(rv) || draw_ratio_parse(json_string_value(rv), &ra)) {
            set_err(err, "分层 %s 没有有效的抽查比例", name);
            draw_pop_free(&p);
            draw_roster_free(&r);
            result = 1;
            goto out;
        }
    }
    char now[CLOCK_NOW_LEN + 1];
    clock_now(now);
    /* the blind (§7a): 32 random bytes committed now and revealed in the record, so that the
     * lottery's numbers alone do not tell the public which targets were drawn before the bureau
     * discloses them; fixed before any source exists, it gives nobody a choice */
    uint8_t blind[32];
    char blind_hex[65], blind_sha[65];
    randombytes_buf(blind, sizeof blind);
    sodium_bin2hex(blind_hex, sizeof blind_hex, blind, sizeof blind);
    draw_sha256_hex(blind, sizeof blind, blind_sha);
    sodium_memzero(blind, sizeof blind);
    json_t *st = json_object();
    for (size_t h = 0; h < p.nstrata; h++)
        json_object_set_new(st, p.strata[h], json_integer((json_int_t)p.stratum_n[h]));
    freeze =
        json_pack("{s:s,s:I,s:s,s:s,s:O,s:i,s:O,s:{s:s,s:I,s:o},s:{s:s,s:I,s:I},s:O,s:O}", "task",
                  req->task, "draw_no", (json_int_t)draw_no, "draw_date", req->date, "frozen_at",
                  req->frozen_at, "sources", req->sources, "gap_hours", req->gap_hours, "params",
                  params, "population", "sha256", p.sha256, "count", (json_int_t)p.n, "strata", st,
                  "officers", "sha256", r.sha256, "officers", (json_int_t)r.nofficers, "experts",
                  (json_int_t)r.nexperts, "redraw", redraw_j, "excluded", excluded);
    json_object_set_new(freeze, "blind_sha256", json_string(blind_sha));
    char fsha[65];
    draw_json_sha256(freeze, fsha);
    char *fjson = draw_canonical_json(freeze), *pjson = draw_canonical_json(params),
         *sjson = draw_canonical_json(req->sources), *stext = sources_text(req->sources);
    int bad = 0;
    if (redraw)
        bad |= db_exec(db, "UPDATE draw SET status = '已作废', superseded_reason = ? WHERE id = ?",
                       "ti", req->redraw_reason, prev_id);
    bad |= db_exec(db,
                   "INSERT INTO draw(task_code, draw_no, status, draw_date, params, "
                   "population_sha256, population_count, officers_sha256, commitment, secret, "
                   "randomness_source, freeze_json, freeze_sha256, redraw_reason, redraw_approver, "
                   "previous_id, frozen_at, frozen_by, sources) "
                   "VALUES (?,?,'已冻结',?,?,?,?,?,?,?,?,?,?,?,?,nullif(?, 0),?,?,?)",
                   "titttittttttttittt", req->task, draw_no, req->date, pjson, p.sha256,
                   (int64_t)p.n, r.sha256, blind_sha, blind_hex, stext, fjson, fsha,
                   req->redraw_reason, req->redraw_approver, prev_id, now, req->by, sjson);
    int64_t id = db_last_id(db);
    bad |= db_exec(
        db, "INSERT INTO draw_file(draw_id, kind, sha256, content) VALUES (?, 'population', ?, ?)",
        "itt", id, p.sha256, pop.data ? pop.data : "");
    bad |= db_exec(
        db, "INSERT INTO draw_file(draw_id, kind, sha256, content) VALUES (?, 'officers', ?, ?)",
        "itt", id, r.sha256, off.data ? off.data : "");
    bad |= !bad && draw_token_store(db, id, salt, pairs.data, &map);
    Stmt *ins = bad ? NULL : db_prepare(db, "INSERT INTO draw_exclusion VALUES (?, ?, ?)");
    size_t i;
    json_t *e;
    if (ins) {
        json_array_foreach(excluded, i, e) { /* the staff's row names the target itself */
            const char *xid = jk_str(e, "id"), *xcode = draw_token_map_target(&map, xid);
            db_bind_int(ins, 1, id);
            db_bind_text(ins, 2, xcode ? xcode : xid);
            db_bind_text(ins, 3, jk_str(e, "reason"));
            bad |= db_step(ins) != DB_DONE;
            db_reset(ins);
        }
        db_finalize(ins);
    } else
        bad = 1;
    free(fjson);
    free(pjson);
    free(sjson);
    free(stext);
    draw_pop_free(&p);
    draw_roster_free(&r);
    if (bad) {
        dberr(db, err);
        goto out;
    }
    *freeze_sha256 = xstrdup(fsha);
    result = 0;
out:
    json_decref(conflicts);
    sodium_memzero(salt, sizeof salt);
    draw_token_map_free(&map);
    buf_free(&pop_pairs);
    buf_free(&pairs);
    json_decref(params);
    json_decref(redraw_j);
    json_decref(excluded);
    json_decref(freeze);
    free(prev_status);
    free(prev_params);
    free(prev_sha);
    buf_free(&pop);
    buf_free(&off);
    return (int)result;
}

/* ------------------------------------------------------------------ the frozen population */

int draw_store_load_population(Db *db, int64_t draw_id, DrawPop *pop, char **err) {
    memset(pop, 0, sizeof *pop);
    Stmt *st = db_prepare(db, "SELECT f.id, f.sha256, d.population_sha256 FROM draw_file f "
                              "JOIN draw d ON d.id = f.draw_id "
                              "WHERE f.draw_id = ? AND f.kind = 'population'");
    if (!st) return dberr(db, err);
    db_bind_int(st, 1, draw_id);
    int rc = db_step(st);
    int64_t file_id = rc == DB_ROW ? db_col_int(st, 0) : 0;
    char *file_sha = rc == DB_ROW ? xstrdup(db_col_text(st, 1)) : NULL;
    char *frozen_sha = rc == DB_ROW ? xstrdup(db_col_text(st, 2)) : NULL;
    db_finalize(st);
    if (rc == DB_ERR) return dberr(db, err);
    /* the file as stored, straight into a buffer with the room the parser wants after it */
    char *text = NULL;
    size_t len = 0;
    if (rc == DB_ROW) {
        rc = db_read_value(db, "draw_file", "content", file_id, DRAW_POP_PAD, &text, &len);
        if (rc == DB_ERR) {
            free(file_sha);
            free(frozen_sha);
            return dberr(db, err);
        }
    }
    if (!text) text = xstrdup("");
    if (draw_pop_parse(pop, text, len, err)) {
        free(file_sha);
        free(frozen_sha);
        return -1;
    }
    /* the digest of the bytes read must be the one frozen and published */
    int bad = file_sha && (strcmp(pop->sha256, file_sha) || strcmp(pop->sha256, frozen_sha));
    if (bad) {
        set_err(err, "名单文件的 SHA-256 %s 与冻结时的 %s 不符", pop->sha256, frozen_sha);
        draw_pop_free(pop);
    }
    free(file_sha);
    free(frozen_sha);
    return bad ? -1 : 0;
}

/* ------------------------------------------------------------------ reading */

/* The document of a draw frozen and not yet run: {"format","freeze","freeze_sha256"}, the freeze
 * parsed from its stored text. A frozen /2 draw declares its sources in the freeze: the format
 * says so, for verifiers to check them. New reference. */
static json_t *frozen_doc(const char *freeze_json, const char *freeze_sha256) {
    json_t *freeze = json_loads(freeze_json ? freeze_json : "", 0, NULL);
    return json_pack("{s:s,s:o,s:s}", "format",
                     json_object_get(freeze, "sources") ? DRAW_FORMAT_V2 : DRAW_FORMAT, "freeze",
                     freeze ? freeze : json_object(), "freeze_sha256",
                     freeze_sha256 ? freeze_sha256 : "");
}

/* Draw draw_no of task (0: the current one) with the columns `cols` (static text), stepped to its
 * row: 0 with *out on the row (caller finalizes), 1 when there is none (*err), -1 on error. */
static int draw_row(Db *db, const char *cols, const char *task, int draw_no, Stmt **out,
                    char **err) {
    char *sql = xasprintf("SELECT %s FROM draw WHERE task_code = ? AND %s", cols,
                          draw_no ? "draw_no = ?" : "status <> '已作废'");
    Stmt *st = db_prepare(db, sql);
    free(sql);
    if (!st) return dberr(db, err);
    db_bind_text(st, 1, task);
    if (draw_no) db_bind_int(st, 2, draw_no);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *out = st;
        return 0;
    }
    db_finalize(st);
    if (rc == DB_DONE) return set_err(err, "任务 %s 没有该抽取记录", task), 1;
    return dberr(db, err);
}

int draw_store_record_text(Db *db, int64_t draw_id, char **out, size_t *len) {
    *out = NULL;
    *len = 0;
    int64_t has = 0;
    if (db_query_int(db, &has, "SELECT count(*) FROM draw_record WHERE draw_id = ?", "i",
                     draw_id) != DB_OK)
        return DB_ERR;
    if (!has) return DB_DONE;
    /* draw_record's key draw_id is its integer key (sql/032) */
    return db_read_value(db, "draw_record", "record_json", draw_id, 0, out, len);
}

/* The end of the JSON string starting at s[i] (a '"'): the index after its closing quote. */
static size_t skip_string(const char *s, size_t i, size_t n) {
    for (i++; i < n;) {
        const char *q = memchr(s + i, '"', n - i);
        if (!q) return n;
        size_t at = (size_t)(q - s), bs = 0;
        while (at - bs > i && s[at - bs - 1] == '\\')
            bs++;
        i = at + 1;
        if (!(bs & 1)) return i;
    }
    return n;
}

/* The end of the JSON value starting at s[i]: strings and nesting are skipped, not parsed. */
static size_t skip_value(const char *s, size_t i, size_t n) {
    if (i < n && s[i] == '"') return skip_string(s, i, n);
    int depth = 0;
    while (i < n) {
        char c = s[i];
        if (c == '"') {
            i = skip_string(s, i, n);
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']') {
            if (depth == 0) return i; /* the end of a scalar in its container */
            if (--depth == 0) return i + 1;
        } else if (depth == 0 && (c == ',' || c == ' ' || c == '\n' || c == '\t' || c == '\r'))
            return i;
        i++;
    }
    return n;
}

static size_t skip_ws(const char *s, size_t i, size_t n) {
    while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r'))
        i++;
    return i;
}

/* The members of the JSON object text s (n bytes) except those named in `skip` (NULL-terminated),
 * whose values are stepped over without being parsed: a draw record's per-target lists are most of
 * its bytes. New reference; NULL when s is not an object. */
static json_t *object_without(const char *s, size_t n, const char *const *skip) {
    size_t i = skip_ws(s, 0, n);
    if (i >= n || s[i] != '{') return NULL;
    json_t *o = json_object();
    i = skip_ws(s, i + 1, n);
    while (i < n && s[i] == '"') {
        size_t kend = skip_string(s, i, n);
        json_t *key = json_loadb(s + i, kend - i, JSON_DECODE_ANY, NULL);
        size_t v = skip_ws(s, kend, n);
        if (v < n && s[v] == ':') v = skip_ws(s, v + 1, n);
        size_t vend = skip_value(s, v, n);
        const char *k = json_string_value(key);
        int skipped = 0;
        for (size_t j = 0; k && skip[j]; j++)
            skipped |= !strcmp(k, skip[j]);
        json_t *val = k && !skipped ? json_loadb(s + v, vend - v, JSON_DECODE_ANY, NULL) : NULL;
        if (val) json_object_set_new(o, k, val);
        json_decref(key);
        i = skip_ws(s, vend, n);
        if (i < n && s[i] == ',') i = skip_ws(s, i + 1, n);
    }
    return o;
}

/* The freeze's exclusions (thousands in a large draw) as their number, freeze.excluded_count. */
static void count_excluded(json_t *doc) {
    json_t *f = json_object_get(doc, "freeze");
    json_object_set_new(f, "excluded_count",
                        json_integer((json_int_t)json_array_size(json_object_get(f, "excluded"))));
    json_object_del(f, "excluded");
}

typedef struct HeadOf {
    int64_t id;
    const char *task;
} HeadOf;

/* The drawn record of a draw without its long lists (readcache_get_content's function): NULL
 * with *err when it cannot be read or is not an object. */
static json_t *record_head(Db *db, void *arg, char **err) {
    const HeadOf *h = arg;
    char *text = NULL;
    size_t len = 0;
    if (draw_store_record_text(db, h->id, &text, &len) != DB_OK) {
        dberr(db, err);
        return NULL;
    }
    static const char *const lists[] = {"assignments", "selected", NULL};
    json_t *doc = object_without(text, len, lists);
    free(text);
    if (!doc)
        set_err(err, "任务 %s 的抽取记录不是 JSON 对象", h->task);
    else
        count_excluded(doc);
    return doc;
}

int draw_store_head(Db *db, const char *task, json_t **doc, int64_t *draw_id, char **status,
                    char **err) {
    *doc = NULL;
    Stmt *st = NULL;
    int rc =
        draw_row(db, "id, status, freeze_json, freeze_sha256, record_sha256", task, 0, &st, err);
    if (rc) return rc;
    int64_t id = db_col_int(st, 0);
    int drawn = !db_col_is_null(st, 4);
    char *key = drawn ? xasprintf("draw-head:%lld:%s", (long long)id, db_col_text(st, 4)) : NULL;
    if (status) *status = xstrdup(db_col_text(st, 1));
    if (!drawn && (*doc = frozen_doc(db_col_text(st, 2), db_col_text(st, 3))) != NULL)
        count_excluded(*doc);
    db_finalize(st);
    if (drawn) {
        /* the record is 11 MB for a 30k-target draw and never changes for its digest: its head
         * is read once per process, not on every view of the ceremony and task pages */
        HeadOf h = {id, task};
        *doc = readcache_get_content(db, key, record_head, &h, err);
        free(key);
        if (!*doc) return -1;
    }
    if (draw_id) *draw_id = id;
    return 0;
}

json_t *draw_store_summary(Db *db, const char *task) {
    Stmt *st = db_prepare(db, "SELECT d.id, d.draw_no, d.status, d.freeze_sha256, d.record_sha256, "
                              "(SELECT count(*) FROM draw_target t WHERE t.draw_id = d.id) "
                              "FROM draw d WHERE d.task_code = ? AND d.status <> '已作废'");
    if (!st) return NULL;
    db_bind_text(st, 1, task);
    json_t *o = NULL;
    if (db_step(st) == DB_ROW) {
        o = json_pack("{s:I, s:I, s:s, s:s}", "id", (json_int_t)db_col_int(st, 0), "draw_no",
                      (json_int_t)db_col_int(st, 1), "status", db_col_text(st, 2), "freeze_sha256",
                      db_col_text(st, 3));
        if (!db_col_is_null(st, 4)) {
            json_object_set_new(o, "record_sha256", json_string(db_col_text(st, 4)));
            json_object_set_new(o, "groups", json_integer((json_int_t)db_col_int(st, 5)));
        }
    }
    db_finalize(st);
    return o;
}

int draw_store_file_text(Db *db, const char *task, int draw_no, int what, char **out, size_t *len,
                         int *draw_no_out, char **err) {
    *out = NULL;
    *len = 0;
    Stmt *st = NULL;
    int rc = draw_row(db, "id, draw_no, freeze_json, freeze_sha256, record_sha256 IS NOT NULL",
                      task, draw_no, &st, err);
    if (rc) return rc;
    int64_t id = db_col_int(st, 0), file_id = 0;
    if (draw_no_out) *draw_no_out = (int)db_col_int(st, 1);
    if (what == 0 && !db_col_int(st, 4)) { /* frozen, not drawn: the freeze as a document */
        json_t *doc = frozen_doc(db_col_text(st, 2), db_col_text(st, 3));
        *out = draw_canonical_json(doc);
        *len = strlen(*out);
        json_decref(doc);
        db_finalize(st);
        return 0;
    }
    db_finalize(st);
    if (what == 0)
        rc = draw_store_record_text(db, id, out, len);
    else if (db_query_int(db, &file_id, "SELECT id FROM draw_file WHERE draw_id = ? AND kind = ?",
                          "it", id, what == 1 ? "population" : "officers") != DB_OK)
        rc = DB_ERR;
    else
        rc = file_id ? db_read_value(db, "draw_file", "content", file_id, 0, out, len) : DB_DONE;
    if (rc == DB_DONE) return set_err(err, "任务 %s 的该抽取没有这个文件", task), 1;
    return rc == DB_OK ? 0 : dberr(db, err);
}

int draw_store_get(Db *db, const char *task, int draw_no, json_t **doc, char **population,
                   char **officers, char **status, char **err) {
    Stmt *st = NULL;
    int rc = draw_row(db, "id, status, freeze_json, freeze_sha256, record_sha256", task, draw_no,
                      &st, err);
    if (rc) return rc;
    int64_t id = db_col_int(st, 0);
    if (status) *status = xstrdup(db_col_text(st, 1));
    if (!db_col_is_null(st, 4)) {
        char *text = NULL;
        size_t len = 0;
        if (draw_store_record_text(db, id, &text, &len) != DB_OK) {
            db_finalize(st);
            return dberr(db, err);
        }
        *doc = json_loadb(text, len, 0, NULL);
        free(text);
    } else
        *doc = frozen_doc(db_col_text(st, 2), db_col_text(st, 3));
    db_finalize(st);
    if ((population &&
         db_query_text(db, population,
                       "SELECT content FROM draw_file WHERE draw_id = ? AND kind = 'population'",
                       "i", id)) ||
        (officers &&
         db_query_text(db, officers,
                       "SELECT content FROM draw_file WHERE draw_id = ? AND kind = 'officers'", "i",
                       id)))
        return dberr(db, err);
    return 0;
}

int draw_store_list(Db *db, const char *task, json_t **list, char **err) {
    Stmt *st = db_prepare(db, "SELECT draw_no, status, frozen_at, drawn_at, freeze_sha256, "
                              "record_sha256, redraw_reason, redraw_approver, superseded_reason "
                              "FROM draw WHERE task_code = ? ORDER BY draw_no");
    if (!st) return dberr(db, err);
    db_bind_text(st, 1, task);
    *list = json_array();
    while (db_step(st) == DB_ROW) {
        json_t *o = json_object();
        const char *names[] = {"draw_no",       "status",          "frozen_at",
                               "drawn_at",      "freeze_sha256",   "record_sha256",
                               "redraw_reason", "redraw_approver", "superseded_reason"};
        for (int i = 0; i < 9; i++) {
            if (i == 0)
                json_object_set_new(o, names[i], json_integer(db_col_int(st, 0)));
            else if (db_col_is_null(st, i))
                json_object_set_new(o, names[i], json_null());
            else
                json_object_set_new(o, names[i], json_string(db_col_text(st, i)));
        }
        json_array_append_new(*list, o);
    }
    db_finalize(st);
    return 0;
}

int draw_text_has_control(const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
        if (*p < 0x20 || *p == 0x7f) return 1;
    return 0;
}

/* ------------------------------------------------------------------ checking the stored draws */

/* One stored draw against itself: files against their frozen digests, the freeze against its
 * digest, and a drawn record recomputed from the files, its values and the draw_event rows. */
static void check_one_draw(Db *db, int64_t id, const char *task, int64_t no, Buf *out, int *bad) {
    char *fjson = NULL, *fsha = NULL, *psha = NULL, *osha = NULL, *rjson = NULL, *status = NULL,
         *off = NULL;
    int unread = 0; /* reads that failed: reported as a problem, never passed over */
    unread +=
        db_query_text(db, &fjson, "SELECT freeze_json FROM draw WHERE id = ?", "i", id) != DB_OK;
    unread +=
        db_query_text(db, &fsha, "SELECT freeze_sha256 FROM draw WHERE id = ?", "i", id) != DB_OK;
    unread += db_query_text(db, &psha, "SELECT population_sha256 FROM draw WHERE id = ?", "i",
                            id) != DB_OK;
    unread +=
        db_query_text(db, &osha, "SELECT officers_sha256 FROM draw WHERE id = ?", "i", id) != DB_OK;
    unread += db_query_text(db, &status, "SELECT status FROM draw WHERE id = ?", "i", id) != DB_OK;
    unread += db_query_text(db, &rjson, "SELECT record_json FROM draw_record WHERE draw_id = ?",
                            "i", id) != DB_OK;
    unread += db_query_text(db, &off,
                            "SELECT content FROM draw_file WHERE draw_id = ? AND kind = 'officers'",
                            "i", id) != DB_OK;
#define PROBLEM(...)                                                                               \
    do {                                                                                           \
        buf_printf(out, "任务 %s 第%lld次抽取: ", task, (long long)no);                            \
        buf_printf(out, __VA_ARGS__);                                                              \
        buf_putc(out, '\n');                                                                       \
        (*bad)++;                                                                                  \
    } while (0)
    if (unread) PROBLEM("有 %d 项无法从数据库读取：%s", unread, db_errmsg(db));
    char sha[65];
    draw_sha256_hex(fjson ? fjson : "", fjson ? strlen(fjson) : 0, sha);
    if (!str_eq(sha, fsha))
        PROBLEM("冻结内容的 SHA-256 为 %s，与冻结摘要 %s 不符", sha, fsha ? fsha : "（缺失）");
    if (!off)
        PROBLEM("缺少执法人员名单文件");
    else {
        draw_sha256_hex(off, strlen(off), sha);
        if (!str_eq(sha, osha))
            PROBLEM("执法人员名单文件的 SHA-256 为 %s，与冻结的 %s 不符", sha, osha ? osha : "");
    }
    DrawPop pop;
    char *err = NULL;
    int have_pop = draw_store_load_population(db, id, &pop, &err) == 0;
    if (!have_pop)
        PROBLEM("%s", err ? err : "名单文件无法读取");
    else if (!str_eq(pop.sha256, psha))
        PROBLEM("名单文件的 SHA-256 与冻结的不符");
    free(err);
    if (have_pop) { /* the insured persons' tokens recomputed from the draw's salt (§2a) */
        char *prefix = xasprintf("任务 %s 第%lld次抽取: ", task, (long long)no);
        *bad += draw_token_check(db, id, prefix, out);
        free(prefix);
    }
    if (str_eq(status, "已抽取") || (str_eq(status, "已作废") && rjson)) {
        json_t *rec = rjson ? json_loads(rjson, 0, NULL) : NULL;
        DrawRoster ros;
        int have_ros = off && draw_roster_parse(&ros, off, strlen(off), NULL) == 0;
        Buf diff;
        buf_init(&diff);
        char *rsha = NULL;
        if (db_query_text(db, &rsha, "SELECT record_sha256 FROM draw WHERE id = ?", "i", id) !=
            DB_OK)
            PROBLEM("无法读取保存的记录摘要：%s", db_errmsg(db));
        draw_sha256_hex(rjson ? rjson : "", rjson ? strlen(rjson) : 0, sha);
        if (rjson && !str_eq(sha, rsha))
            PROBLEM("抽取记录的 SHA-256 为 %s，与保存的记录摘要 %s 不符", sha,
                    rsha ? rsha : "（缺失）");
        free(rsha);
        if (!rec)
            PROBLEM("抽取记录缺失或不是 JSON");
        else if (have_pop && have_ros && draw_verify(rec, &pop, &ros, fsha, &diff, NULL))
            PROBLEM("抽取记录与冻结的输入重算不一致：%s", diff.data ? diff.data : "");
        /* the substitutions in the record are exactly the append-only draw_event rows */
        Stmt *st =
            rec ? db_prepare(db,
                             "SELECT seq, type, target_code, member_code, reason FROM draw_event "
                             "WHERE draw_id = ? ORDER BY seq")
                : NULL;
        size_t k = 0;
        if (st) {
            db_bind_int(st, 1, id);
            json_t *evs = json_object_get(rec, "events");
            while (db_step(st) == DB_ROW) {
                json_t *e = json_array_get(evs, k++);
                /* the record names an insured target by its token, the row by its code */
                char *et = draw_token_target(db, id, jk_str(e, "target"));
                int same_target = str_eq(et ? et : jk_str(e, "target"), db_col_text(st, 2));
                free(et);
                if (!e || !str_eq(jk_str(e, "type"), db_col_text(st, 1)) || !same_target ||
                    !str_eq(jk_str(e, "officer"), db_col_text(st, 3)) ||
                    !str_eq(jk_str(e, "reason"), db_col_text(st, 4)))
                    PROBLEM("递补记录第 %lld 条与抽取记录不符", (long long)db_col_int(st, 0));
            }
            db_finalize(st);
            if (k != json_array_size(evs))
                PROBLEM("抽取记录有 %zu 次递补，递补记录表有 %zu 条", json_array_size(evs), k);
        }
        /* a task's /2 draw is substituted only on an approved request (sql/019): each event has one
         */
        int64_t unapproved = 0;
        if (db_query_int(
                db, &unapproved,
                "SELECT count(*) FROM draw_event e JOIN draw d ON d.id = e.draw_id "
                "WHERE e.draw_id = ? AND d.sources IS NOT NULL AND d.task_code IN (SELECT code "
                "FROM task) "
                "AND NOT EXISTS (SELECT 1 FROM draw_substitution s WHERE s.draw_id = e.draw_id AND "
                "s.event_seq = e.seq "
                "AND s.status = '已批准' AND s.type = e.type AND s.target_code = e.target_code "
                "AND (s.member_code = e.member_code OR (s.member_code IS NULL AND e.member_code IS "
                "NULL)))",
                "i", id) != DB_OK)
            PROBLEM("无法读取递补申请：%s", db_errmsg(db));
        else if (unapproved)
            PROBLEM("有 %lld 次递补没有对应的经批准的递补申请", (long long)unapproved);
        buf_free(&diff);
        if (have_ros) draw_roster_free(&ros);
        json_decref(rec);
    }
#undef PROBLEM
    if (have_pop) draw_pop_free(&pop);
    free(fjson), free(fsha), free(psha), free(osha), free(rjson), free(status), free(off);
}

int draw_store_check(Db *db, Buf *problems, int64_t *checked, char **err) {
    *checked = 0;
    Stmt *st = db_prepare(db, "SELECT id, task_code, draw_no FROM draw ORDER BY id");
    if (!st) return dberr(db, err);
    int bad = 0, rc;
    while ((rc = db_step(st)) == DB_ROW) {
        char *task = xstrdup(db_col_text(st, 1));
        check_one_draw(db, db_col_int(st, 0), task, db_col_int(st, 2), problems, &bad);
        free(task);
        (*checked)++;
    }
    db_finalize(st);
    if (rc != DB_DONE) return dberr(db, err);
    return bad ? 1 : 0;
}
