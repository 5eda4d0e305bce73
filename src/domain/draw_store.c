/* draw_store.c - the draw on the database (tables of sql/002_draw.sql): builds the population
 * and officer files from the directories, freezes a draw with a secret commitment, runs it
 * with the public randomness, records substitutions and re-draws. Called by the `draw` CLI
 * (src/cli/cmd_draw.c), later by the web workflow, and by the benchmark.
 *
 * Invariants: a task has at most one draw whose status is not 已作废; the functions that change
 * data run inside the caller's transaction and never begin, commit or roll back one, so the
 * caller commits the draw change together with its audit row (or rolls both back); the frozen files are stored byte for byte, so the published digests
 * can always be re-derived; all SQL is parameterised. */
#include "../core/clock.h"
#include "jsonkit.h"
#include "draw_store.h"
#include "draw_source.h"

#include "../core/strmap.h"
#include "draw.h"
#include "draw_sha256.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static int dberr(Db *db, char **err) { return set_err(err, "数据库错误: %s", db_errmsg(db)); }

/* Splits a tag list stored as "a,b" or "a、b" and tests membership. */
static int tag_in(const char *list, const char *tag) {
    if (!list) return 0;
    size_t tl = strlen(tag);
    const char *p = list;
    while (*p) {
        while (*p == ',' || *p == ' ') p++;
        if (!strncmp(p, "、", 3)) {
            p += 3;
            continue;
        }
        const char *e = p;
        while (*e && *e != ',' && strncmp(e, "、", 3)) e++;
        const char *end = e;
        while (end > p && end[-1] == ' ') end--;
        if ((size_t)(end - p) == tl && !memcmp(p, tag, tl)) return 1;
        p = e;
    }
    return 0;
}

static int in_string_array(const json_t *a, const char *s) {
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) if (str_eq(json_string_value(v), s)) return 1;
    return 0;
}

static void months_before(const char *date, int64_t months, char out[32]) {
    int y = atoi(date), m = atoi(date + 5), d = atoi(date + 8);
    int64_t t = (int64_t)y * 12 + (m - 1) - months;
    y = (int)(t / 12);
    m = (int)(t % 12) + 1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int md = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0));
    if (d > md) d = md;
    if (y < 0) y = 0;
    snprintf(out, 32, "%04d-%02d-%02d", y % 10000, m, d);
}

typedef struct Row {
    char *code, *line;
} Row;

static int row_cmp(const void *a, const void *b) {
    return strcmp(((const Row *)a)->code, ((const Row *)b)->code);
}

int draw_store_population(Db *db, const json_t *params, const char *date, const char *task,
                          Buf *pop, json_t *excluded, char **err) {
    const json_t *f = json_object_get(params, "filters");
    const json_t *kinds = json_object_get(f, "kinds"), *grades = json_object_get(f, "grades"),
                 *tags = json_object_get(f, "tags");
    const char *region = jk_str(f, "region_prefix"), *before = jk_str(f, "registered_before"), *org = jk_str(f, "org");
    json_int_t cmin = json_integer_value(json_object_get(f, "complaints_min"));
    const json_t *x = json_object_get(params, "exclusions");
    json_int_t months = json_integer_value(json_object_get(x, "checked_within_months"));
    int excl_drawn = json_is_true(json_object_get(x, "drawn_this_year"));
    json_t *capv = json_object_get(x, "yearly_cap");
    json_int_t cap = capv ? json_integer_value(capv) : 1;
    const json_t *strata = json_object_get(params, "strata");
    int cross = json_is_true(json_object_get(params, "cross_region"));
    if (before && !date_valid(before)) return set_err(err, "registered_before 须为日期");
    if (strata && !json_is_array(strata)) return set_err(err, "strata 须为数组");
    size_t i;
    json_t *v;
    json_array_foreach(strata, i, v) {
        const char *s = json_string_value(v);
        if (!str_eq(s, "grade") && !str_eq(s, "kind") && !str_eq(s, "region"))
            return set_err(err, "strata 只能包含 grade、kind、region");
    }
    char cutoff[32] = "";
    if (months > 0) months_before(date, months, cutoff);

    /* times each target was drawn (and not replaced) this year in other tasks' current draws */
    StrMap *drawn = strmap_new();
    StrMap *drawn_task = NULL;
    if (excl_drawn || cap > 0) {
        Stmt *st = db_prepare(db, "SELECT t.target_code, count(*) FROM draw_target t "
                                  "JOIN draw d ON d.id = t.draw_id WHERE d.status = '已抽取' "
                                  "AND substr(d.draw_date, 1, 4) = substr(?, 1, 4) "
                                  "AND d.task_code <> ? AND t.status = '有效' GROUP BY t.target_code");
        if (!st) {
            strmap_free(drawn);
            return dberr(db, err);
        }
        db_bind_text(st, 1, date);
        db_bind_text(st, 2, task);
        while (db_step(st) == DB_ROW) strmap_put(drawn, db_col_text(st, 0), db_col_int(st, 1));
        db_finalize(st);
    }
    (void)drawn_task;

    Buf sql;
    buf_init(&sql);
    /* read only the columns the filters and strata need: the table may hold millions of rows */
    int need_kind = kinds != NULL, need_region = cross, need_tags = json_array_size(tags) > 0;
    json_array_foreach(strata, i, v) {
        need_kind |= str_eq(json_string_value(v), "kind");
        need_region |= str_eq(json_string_value(v), "region");
    }
    buf_printf(&sql, "SELECT code, grade, %s, %s, %s, %s, %s, status, %s FROM target WHERE 1",
               need_kind ? "kind" : "NULL", need_region ? "region" : "NULL",
               need_tags ? "tags" : "NULL", before ? "registered_on" : "NULL",
               cmin > 0 ? "complaints" : "0", *cutoff ? "last_checked_on" : "NULL");
    if (region) buf_puts(&sql, " AND substr(region, 1, length(?1)) = ?1");
    /* the task org's jurisdiction: its own targets and those of the orgs below it, never another's */
    if (org)
        buf_puts(&sql, " AND org_id IN (WITH RECURSIVE sc(id) AS (SELECT id FROM org WHERE code = ?2 UNION "
                       "SELECT o.id FROM org o JOIN sc ON o.parent_id = sc.id) SELECT id FROM sc)");
    Stmt *st = db_prepare(db, sql.data);
    buf_free(&sql);
    if (!st) {
        strmap_free(drawn);
        return dberr(db, err);
    }
    if (region) db_bind_text(st, 1, region);
    if (org) db_bind_text(st, 2, org);
    size_t n = 0, cap_rows = 1024;
    Row *rows = xmalloc(cap_rows * sizeof *rows);
    int sorted = 1;
    Buf line;
    buf_init(&line);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *code = db_col_text(st, 0), *grade = db_col_text(st, 1),
                   *kind = db_col_text(st, 2), *reg = db_col_text(st, 3),
                   *ttags = db_col_text(st, 4), *reg_on = db_col_text(st, 5),
                   *status = db_col_text(st, 7), *last = db_col_text(st, 8);
        if (kinds && !in_string_array(kinds, kind)) continue;
        if (grades && !in_string_array(grades, grade)) continue;
        if (before && (!reg_on || strcmp(reg_on, before) >= 0)) continue;
        if (cmin > 0 && db_col_int(st, 6) < cmin) continue;
        int ok = 1;
        json_array_foreach(tags, i, v) ok &= tag_in(ttags, json_string_value(v));
        if (!ok) continue;
        if (strchr(code, '\t') || strchr(code, '\n')) {
            rc = DB_ERR;
            set_err(err, "检查对象编码含有制表符或换行: %s", code);
            break;
        }
        /* exclusions, each reported */
        char *why = NULL;
        int64_t times = 0;
        if (strcmp(status, "正常")) why = xasprintf("状态为%s", status);
        else if (*cutoff && last && strcmp(last, cutoff) >= 0)
            why = xasprintf("近%lld个月内已检查（%s）", (long long)months, last);
        else if (strmap_get(drawn, code, &times) && excl_drawn)
            why = xstrdup("本年度已在其他任务中被抽中");
        else if (cap > 0 && times >= cap)
            why = xasprintf("本年度已被抽中%lld次，达到年度上限%lld次", (long long)times,
                            (long long)cap);
        if (why) {
            json_array_append_new(excluded, json_pack("{s:s,s:s}", "id", code, "reason", why));
            free(why);
            continue;
        }
        buf_reset(&line);
        buf_puts(&line, code);
        buf_putc(&line, '\t');
        const char *sep = "";
        json_array_foreach(strata, i, v) {
            const char *s = json_string_value(v);
            buf_puts(&line, sep);
            buf_puts(&line, !strcmp(s, "grade") ? grade : !strcmp(s, "kind") ? kind : reg);
            sep = "/";
        }
        if (!json_array_size(strata)) buf_puts(&line, grade);
        if (cross) {
            buf_putc(&line, '\t');
            buf_puts(&line, reg);
        }
        buf_putc(&line, '\n');
        if (n == cap_rows) rows = xrealloc(rows, (cap_rows *= 2) * sizeof *rows);
        rows[n].line = xstrdup(line.data);
        rows[n].code = rows[n].line; /* the code is the line up to the TAB */
        *strchr(rows[n].line, '\t') = 0;
        if (n && strcmp(rows[n - 1].code, rows[n].code) > 0) sorted = 0;
        n++;
    }
    db_finalize(st);
    buf_free(&line);
    strmap_free(drawn);
    if (rc != DB_DONE) {
        for (size_t k = 0; k < n; k++) free(rows[k].line);
        free(rows);
        if (err && !*err) dberr(db, err);
        return -1;
    }
    if (!sorted) qsort(rows, n, sizeof *rows, row_cmp);
    for (size_t k = 0; k < n; k++) {
        size_t cl = strlen(rows[k].code);
        rows[k].line[cl] = '\t';
        buf_puts(pop, rows[k].line);
        free(rows[k].line);
    }
    free(rows);
    return 0;
}

static int str_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Normalises a tag list ("a,b" or "a、b") into sorted, unique, comma-separated codes. */
static char *norm_tags(const char *list) {
    if (!list) return xstrdup("");
    Buf c;
    buf_init(&c);
    for (const char *p = list; *p; p++) {
        if (!strncmp(p, "、", 3)) {
            buf_putc(&c, ',');
            p += 2;
        } else buf_putc(&c, *p);
    }
    char **items = xmalloc((c.len + 1) * sizeof *items);
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(c.data ? c.data : (char *)"", ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        t = str_trim(t);
        if (*t) items[n++] = t;
    }
    qsort(items, n, sizeof *items, str_cmp);
    Buf b;
    buf_init(&b);
    buf_puts(&b, "");
    for (size_t i = 0; i < n; i++) {
        if (i && !strcmp(items[i], items[i - 1])) continue;
        if (b.len) buf_putc(&b, ',');
        buf_puts(&b, items[i]);
    }
    free(items);
    buf_free(&c);
    return buf_steal(&b);
}

static int bad_field(const char *s) { return s && strpbrk(s, "\t\n\r") != NULL; }

int draw_store_officers(Db *db, const json_t *params, Buf *out, char **err) {
    const json_t *depts = json_object_get(params, "officer_depts");
    /* a joint task's file carries each officer's dept code (docs/DRAW.md §2) */
    int joint = json_array_size(json_object_get(params, "joint_depts")) > 0;
    Stmt *st = db_prepare(db, "SELECT o.cert_no, o.region, o.status, o.cert_valid_from, "
                              "o.cert_valid_to, o.may_lead, o.tags, d.code FROM officer o "
                              "JOIN dept d ON d.id = o.dept_id");
    if (!st) return dberr(db, err);
    size_t n = 0, cap = 64;
    char **lines = xmalloc(cap * sizeof *lines);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (json_array_size(depts) && !in_string_array(depts, db_col_text(st, 7))) continue;
        const char *f[5] = {db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2),
                            db_col_text(st, 3), db_col_text(st, 4)};
        char *tags = norm_tags(db_col_text(st, 6));
        int bad = bad_field(tags) || bad_field(db_col_text(st, 7));
        for (int i = 0; i < 5; i++) bad |= !f[i] || bad_field(f[i]);
        if (bad) {
            free(tags);
            rc = DB_ERR;
            set_err(err, "执法人员 %s 的字段含有制表符或换行", f[0] ? f[0] : "?");
            break;
        }
        if (n == cap) lines = xrealloc(lines, (cap *= 2) * sizeof *lines);
        lines[n++] = xasprintf("officer\t%s\t%s\t%s\t%s\t%s\t%d\t%s%s%s\n", f[0], f[1], f[2], f[3],
                               f[4], db_col_int(st, 5) ? 1 : 0, tags, joint ? "\t" : "",
                               joint ? db_col_text(st, 7) : "");
        free(tags);
    }
    db_finalize(st);
    if (rc == DB_DONE) {
        st = db_prepare(db, "SELECT code, status, specialty FROM expert");
        if (!st) rc = DB_ERR, dberr(db, err);
        while (st && (rc = db_step(st)) == DB_ROW) {
            char *tags = norm_tags(db_col_text(st, 2));
            if (bad_field(db_col_text(st, 0)) || bad_field(db_col_text(st, 1))) {
                free(tags);
                rc = DB_ERR;
                set_err(err, "专家 %s 的字段含有制表符或换行", db_col_text(st, 0));
                break;
            }
            if (n == cap) lines = xrealloc(lines, (cap *= 2) * sizeof *lines);
            lines[n++] = xasprintf("expert\t%s\t\t%s\t\t\t0\t%s%s\n", db_col_text(st, 0),
                                   db_col_text(st, 1), tags, joint ? "\t" : "");
            free(tags);
        }
        if (st) db_finalize(st);
    }
    if (rc != DB_DONE) {
        for (size_t i = 0; i < n; i++) free(lines[i]);
        free(lines);
        if (err && !*err) dberr(db, err);
        return -1;
    }
    qsort(lines, n, sizeof *lines, str_cmp);
    for (size_t i = 0; i < n; i++) {
        buf_puts(out, lines[i]);
        free(lines[i]);
    }
    free(lines);
    return 0;
}

/* ------------------------------------------------------------------ freeze */

static int current_draw(Db *db, const char *task, int64_t *id, char **status) {
    Stmt *st = db_prepare(db, "SELECT id, status FROM draw WHERE task_code = ? AND status <> '已作废'");
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
    Stmt *st = db_prepare(db, "SELECT sources FROM draw WHERE task_code = ? AND sources IS NOT NULL");
    if (!st) return 0;
    db_bind_text(st, 1, task);
    int found = 0;
    while (!found && db_step(st) == DB_ROW) {
        json_t *old = json_loads(db_col_text(st, 0), 0, NULL);
        size_t i, k;
        json_t *a, *b;
        json_array_foreach(sources, i, a) json_array_foreach(old, k, b) if (!found && draw_source_same(a, b)) {
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
        return set_err(err,
                       "冻结须早于最早的公开随机数来源至少 %d 小时（最早的来源于北京时间 %.10s %.5s 产生）："
                       "请在实施方案或冻结时改用更晚的开奖期次或 drand 轮次",
                       req->gap_hours, when, when + 11);
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
        set_err(err, "%s 已用于本任务此前的抽取，其结果可能已经知道：重新抽取须声明新的随机数来源", reused);
        free(reused);
        return 1;
    }
    if (sources_ready(req, err)) return 1;
    int64_t prev_id = 0;
    char *prev_status = NULL;
    int rc = current_draw(db, req->task, &prev_id, &prev_status);
    json_t *params = NULL, *redraw_j = json_null(), *excluded = json_array(), *freeze = NULL;
    char *prev_params = NULL, *prev_sha = NULL;
    int64_t draw_no = 1, result = -1;
    Buf pop, off;
    buf_init(&pop);
    buf_init(&off);
    if (rc < 0) {
        dberr(db, err);
        goto out;
    }
    if (rc == 0 && !redraw) {
        set_err(err, "任务 %s 已有%s的抽取（一个任务只有一次抽取；重新抽取须用 draw redraw 并提供原因和批准人）",
                req->task, prev_status);
        result = 1;
        goto out;
    }
    if (rc == 1 && redraw) {
        set_err(err, "任务 %s 还没有抽取，无需重新抽取", req->task);
        result = 1;
        goto out;
    }
    if (db_query_int(db, &draw_no, "SELECT coalesce(max(draw_no), 0) + 1 FROM draw WHERE task_code = ?",
                     "t", req->task)) {
        dberr(db, err);
        goto out;
    }
    if (redraw) {
        if (db_query_text(db, &prev_params, "SELECT params FROM draw WHERE id = ?", "i", prev_id) ||
            db_query_text(db, &prev_sha, "SELECT coalesce(record_sha256, freeze_sha256) FROM draw WHERE id = ?",
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
    if (draw_store_population(db, params, req->date, req->task, &pop, excluded, err) ||
        draw_store_officers(db, params, &off, err)) {
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
    freeze = json_pack("{s:s,s:I,s:s,s:s,s:O,s:i,s:O,s:{s:s,s:I,s:o},s:{s:s,s:I,s:I},s:O,s:O}",
                       "task", req->task, "draw_no", (json_int_t)draw_no, "draw_date", req->date,
                       "frozen_at", req->frozen_at, "sources", req->sources, "gap_hours", req->gap_hours,
                       "params", params, "population", "sha256", p.sha256, "count", (json_int_t)p.n,
                       "strata", st, "officers", "sha256", r.sha256, "officers",
                       (json_int_t)r.nofficers, "experts", (json_int_t)r.nexperts, "redraw", redraw_j,
                       "excluded", excluded);
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
    bad |= db_exec(db, "INSERT INTO draw_file VALUES (?, 'population', ?, ?)", "itt", id, p.sha256,
                   pop.data ? pop.data : "");
    bad |= db_exec(db, "INSERT INTO draw_file VALUES (?, 'officers', ?, ?)", "itt", id, r.sha256,
                   off.data ? off.data : "");
    Stmt *ins = bad ? NULL : db_prepare(db, "INSERT INTO draw_exclusion VALUES (?, ?, ?)");
    size_t i;
    json_t *e;
    if (ins) {
        json_array_foreach(excluded, i, e) {
            db_bind_int(ins, 1, id);
            db_bind_text(ins, 2, jk_str(e, "id"));
            db_bind_text(ins, 3, jk_str(e, "reason"));
            bad |= db_step(ins) != DB_DONE;
            db_reset(ins);
        }
        db_finalize(ins);
    } else bad = 1;
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

/* ------------------------------------------------------------------ run and substitute */

int draw_store_load_population(Db *db, int64_t draw_id, DrawPop *pop, char **err) {
    memset(pop, 0, sizeof *pop);
    Stmt *st = db_prepare(db, "SELECT f.rowid, f.sha256, d.population_sha256 FROM draw_file f "
                              "JOIN draw d ON d.id = f.draw_id "
                              "WHERE f.draw_id = ? AND f.kind = 'population'");
    if (!st) return dberr(db, err);
    db_bind_int(st, 1, draw_id);
    int rc = db_step(st);
    int64_t rowid = rc == DB_ROW ? db_col_int(st, 0) : 0;
    char *file_sha = rc == DB_ROW ? xstrdup(db_col_text(st, 1)) : NULL;
    char *frozen_sha = rc == DB_ROW ? xstrdup(db_col_text(st, 2)) : NULL;
    db_finalize(st);
    if (rc == DB_ERR) return dberr(db, err);
    /* the file as stored, straight into a buffer with the room the parser wants after it */
    char *text = NULL;
    size_t len = 0;
    if (rc == DB_ROW) {
        rc = db_read_value(db, "draw_file", "content", rowid, DRAW_POP_PAD, &text, &len);
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

typedef struct Loaded {
    int64_t id;
    char *status, *secret, *freeze_json, *record_json;
    DrawPop pop;
    DrawRoster ros;
} Loaded;

static void loaded_free(Loaded *l) {
    free(l->status);
    free(l->secret);
    free(l->freeze_json);
    free(l->record_json);
    draw_pop_free(&l->pop);
    draw_roster_free(&l->ros);
}

static int load_current(Db *db, const char *task, Loaded *l, char **err) {
    memset(l, 0, sizeof *l);
    int rc = current_draw(db, task, &l->id, &l->status);
    if (rc < 0) return dberr(db, err);
    if (rc == 1) return set_err(err, "任务 %s 没有抽取记录（先执行 draw freeze）", task), 1;
    char *off = NULL;
    if (db_query_text(db, &l->secret, "SELECT secret FROM draw WHERE id = ?", "i", l->id) ||
        db_query_text(db, &l->freeze_json, "SELECT freeze_json FROM draw WHERE id = ?", "i", l->id) ||
        db_query_text(db, &l->record_json, "SELECT record_json FROM draw WHERE id = ?", "i", l->id) ||
        db_query_text(db, &off, "SELECT content FROM draw_file WHERE draw_id = ? AND kind = 'officers'", "i", l->id)) {
        free(off);
        return dberr(db, err);
    }
    if (!off) off = xstrdup("");
    int bad = draw_store_load_population(db, l->id, &l->pop, err) ||
              draw_roster_parse(&l->ros, off, strlen(off), err);
    free(off);
    return bad ? -1 : 0;
}

/* ---- the derived rows (draw_target, draw_member, draw_skip) ----
 *
 * A large draw (300k targets from 10M) has over a million of these rows. They are collected,
 * sorted by target code and inserted by db_insert_rows: the tables' keys start with
 * (draw_id, target_code), so rows in code order are appended to those b-trees instead of being
 * inserted at random places (the draw order is random by design). */

typedef struct DerivedRow {
    const char *target, *member, *role, *status, *reason, *stratum, *ticket, *origin;
    int64_t n; /* draw_target: position; draw_member: order met (the last one wins); draw_skip: seq */
} DerivedRow;

typedef struct DerivedRows {
    DerivedRow *row;
    size_t n, cap;
    int64_t draw_id;
    int kind; /* 0 target, 1 member, 2 skip: which columns derived_cell gives */
} DerivedRows;

static void derived_add(DerivedRows *d, DerivedRow r) {
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 1024;
        d->row = xrealloc(d->row, d->cap * sizeof *d->row);
    }
    d->row[d->n++] = r;
}

static int by_target_member(const void *a, const void *b) {
    const DerivedRow *x = a, *y = b;
    int c = strcmp(x->target, y->target);
    if (!c && x->member && y->member) c = strcmp(x->member, y->member);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

static int derived_cell(void *arg, size_t row, size_t col, const char **text, int64_t *i) {
    const DerivedRows *d = arg;
    const DerivedRow *r = &d->row[row];
    if (col == 0) return *i = d->draw_id, 1;
    static const int targets[] = {-1, 'n', 't', 's', 'k', 'o', 'S'}, members[] = {-1, 't', 'm', 'r', 'S', 'R'},
                     skips[] = {-1, 't', 'n', 'm', 'R'};
    int what = d->kind == 0 ? targets[col] : d->kind == 1 ? members[col] : skips[col];
    switch (what) {
    case 'n': return *i = r->n, 1;
    case 't': *text = r->target; break;
    case 'm': *text = r->member; break;
    case 'r': *text = r->role; break;
    case 's': *text = r->stratum; break;
    case 'k': *text = r->ticket; break;
    case 'o': *text = r->origin; break;
    case 'S': *text = r->status; break;
    default: *text = r->reason; break;
    }
    return 0;
}

/* Sorts the rows by target (and member) and inserts them into `table`(cols). For draw_member a
 * member met twice in one group keeps its last row (a removal after the assignment). */
static int derived_insert(Db *db, DerivedRows *d, const char *table, const char *const *cols, size_t ncols) {
    if (!d->n) return 0;
    for (size_t i = 0; i < d->n; i++) /* a malformed record: refused, as the NOT NULL columns would */
        if (!d->row[i].target || (d->kind && !d->row[i].member)) return 1;
    qsort(d->row, d->n, sizeof *d->row, by_target_member);
    if (d->kind == 1) {
        size_t out = 0;
        for (size_t i = 0; i < d->n; i++) {
            if (out && !strcmp(d->row[out - 1].target, d->row[i].target) && !strcmp(d->row[out - 1].member, d->row[i].member))
                out--;
            d->row[out++] = d->row[i];
        }
        d->n = out;
    }
    DbRowSource src = {d->n, ncols, derived_cell, d};
    return db_insert_rows(db, table, cols, ncols, &src, 0) != DB_OK;
}

/* Rewrites the derived rows of a draw from its record. */
static int write_derived(Db *db, int64_t id, const json_t *rec) {
    int bad = db_exec(db, "DELETE FROM draw_target WHERE draw_id = ?", "i", id) ||
              db_exec(db, "DELETE FROM draw_member WHERE draw_id = ?", "i", id) ||
              db_exec(db, "DELETE FROM draw_skip WHERE draw_id = ?", "i", id);
    if (bad) return -1;
    DerivedRows t = {.draw_id = id, .kind = 0}, m = {.draw_id = id, .kind = 1}, sk = {.draw_id = id, .kind = 2};
    /* tickets and strata by id, from selected and events */
    StrMap *pos = strmap_new();
    const json_t *sel = json_object_get(rec, "selected");
    size_t i, k;
    json_t *a, *x;
    json_array_foreach(sel, i, a) strmap_put(pos, jk_str(a, "id"), (int64_t)i);
    int64_t position = 0, met = 0;
    json_array_foreach(json_object_get(rec, "assignments"), i, a) {
        const char *target = jk_str(a, "target");
        int64_t si;
        const char *ticket = NULL, *stratum = NULL;
        if (strmap_get(pos, target, &si)) {
            ticket = jk_str(json_array_get(sel, (size_t)si), "ticket");
            stratum = jk_str(json_array_get(sel, (size_t)si), "stratum");
        } else {
            json_array_foreach(json_object_get(rec, "events"), k, x) {
                if (str_eq(jk_str(x, "replacement"), target) && str_eq(jk_str(x, "type"), "target"))
                    ticket = jk_str(x, "ticket");
            }
            /* the replacement comes from the same stratum as the target it replaces */
            json_array_foreach(json_object_get(rec, "events"), k, x) {
                if (str_eq(jk_str(x, "replacement"), target) &&
                    strmap_get(pos, jk_str(x, "target"), &si))
                    stratum = jk_str(json_array_get(sel, (size_t)si), "stratum");
            }
        }
        derived_add(&t, (DerivedRow){.target = target, .stratum = stratum ? stratum : "", .ticket = ticket ? ticket : "",
                                     .origin = jk_str(a, "origin"), .status = jk_str(a, "status"), .n = position++});
        const char *leader = jk_str(a, "leader");
        json_array_foreach(json_object_get(a, "officers"), k, x)
            derived_add(&m, (DerivedRow){.target = target, .member = json_string_value(x),
                                         .role = str_eq(leader, json_string_value(x)) ? "组长" : "组员", .status = "在组", .n = met++});
        json_array_foreach(json_object_get(a, "experts"), k, x)
            derived_add(&m, (DerivedRow){.target = target, .member = json_string_value(x), .role = "专家", .status = "在组", .n = met++});
        json_array_foreach(json_object_get(a, "removed"), k, x)
            derived_add(&m, (DerivedRow){.target = target, .member = jk_str(x, "id"), .role = "组员", .status = "已替换",
                                         .reason = jk_str(x, "reason"), .n = met++});
        json_array_foreach(json_object_get(a, "skipped"), k, x)
            derived_add(&sk, (DerivedRow){.target = target, .member = jk_str(x, "id"), .reason = jk_str(x, "reason"), .n = (int64_t)k});
    }
    static const char *const tcols[] = {"draw_id", "position", "target_code", "stratum", "ticket", "origin", "status"};
    static const char *const mcols[] = {"draw_id", "target_code", "member_code", "role", "status", "reason"};
    static const char *const scols[] = {"draw_id", "target_code", "seq", "member_code", "reason"};
    bad = derived_insert(db, &t, "draw_target", tcols, 7) || derived_insert(db, &m, "draw_member", mcols, 6) ||
          derived_insert(db, &sk, "draw_skip", scols, 5);
    strmap_free(pos);
    free(t.row);
    free(m.row);
    free(sk.row);
    return bad ? -1 : 0;
}

static int save_record(Db *db, int64_t id, const json_t *rec, const char *set_extra_by,
                       int first) {
    char *js = draw_canonical_json(rec);
    char sha[65];
    draw_sha256_hex(js, strlen(js), sha);
    int bad;
    /* /2 keeps the values as a JSON array in public_randomness */
    char *values = json_object_get(rec, "values") ? draw_canonical_json(json_object_get(rec, "values")) : NULL;
    if (first)
        bad = db_exec(db,
                      "UPDATE draw SET status = '已抽取', public_randomness = ?, seed = ?, "
                      "record_json = ?, record_sha256 = ?, drawn_by = ?, "
                      "drawn_at = ? WHERE id = ?",
                      "tttttti", values ? values : jk_str(rec, "public_randomness"),
                      jk_str(rec, "seed"), js, sha, set_extra_by, clock_stamp().s, id);
    else
        bad = db_exec(db, "UPDATE draw SET record_json = ?, record_sha256 = ? WHERE id = ?", "tti",
                      js, sha, id);
    free(values);
    free(js);
    return bad || write_derived(db, id, rec);
}

/* The canonical values of the sources for a run at `now`; NULL with *err when a value does not
 * fit its source or a source does not exist yet. */
static int is_dice(const json_t *src) {
    return str_eq(json_string_value(json_object_get(src, "kind")), "dice");
}

/* The dice recorded for draw id before its lottery (JSON array), NULL when none; *at (if given)
 * receives when, in RFC 3339 (caller frees). */
static json_t *recorded_dice(Db *db, int64_t id, char **at) {
    if (at) *at = NULL;
    Stmt *st = db_prepare(db, "SELECT dice_values, recorded_rfc3339 FROM draw_dice WHERE draw_id = ?");
    if (!st) return NULL;
    db_bind_int(st, 1, id);
    json_t *dice = NULL;
    if (db_step(st) == DB_ROW) {
        dice = json_loads(db_col_text(st, 0), 0, NULL);
        if (at) *at = xstrdup(db_col_text(st, 1));
    }
    db_finalize(st);
    return dice;
}

/* The canonical values for a run at `now`; dice must equal those recorded before the lottery
 * (`dice`), so that they cannot be chosen once the lottery is known. */
static json_t *run_values(const json_t *sources, const json_t *values, const json_t *dice, long long now,
                          char **err) {
    if (!json_is_array(values) || json_array_size(values) != json_array_size(sources))
        return set_err(err, "须按声明的顺序为 %zu 个随机数来源各输入一个数值", json_array_size(sources)), NULL;
    json_t *out = json_array(), *src;
    size_t i, dice_k = 0;
    json_array_foreach(sources, i, src) {
        char *label = draw_source_label(src), *why = NULL;
        long long t = draw_source_time(src);
        char *canon = draw_source_value(src, json_string_value(json_array_get(values, i)), &why);
        const char *thrown = is_dice(src) ? json_string_value(json_array_get(dice, dice_k++)) : NULL;
        int bad = 1;
        if (t && now < t) {
            set_err(err, "%s 尚未产生，不能抽取：须在其产生之后输入", label);
        } else if (!canon) {
            set_err(err, "%s：%s", label, why);
        } else if (is_dice(src) && !thrown) {
            set_err(err, "%s 没有在开奖前登记：骰子须在最早的外部随机数产生前当众掷出并登记，不能在开奖后输入；请经批准后重新抽取", label);
        } else if (thrown && strcmp(thrown, canon)) {
            set_err(err, "%s 的点数 %s 与开奖前登记的 %s 不符", label, canon, thrown);
        } else bad = 0;
        free(label);
        free(why);
        if (bad) {
            free(canon);
            json_decref(out);
            return NULL;
        }
        json_array_append_new(out, json_string(canon));
        free(canon);
    }
    return out;
}

int draw_store_run(Db *db, const char *task, const json_t *values, long long now,
                   const char *drawn_at, const char *by, json_t **record, char **err) {
    Loaded l;
    int rc = load_current(db, task, &l, err);
    if (rc) {
        loaded_free(&l);
        return rc;
    }
    if (strcmp(l.status, "已冻结")) {
        set_err(err, "任务 %s 的抽取已经进行（状态: %s）；一个任务只抽取一次", task, l.status);
        loaded_free(&l);
        return 1;
    }
    json_t *freeze = json_loads(l.freeze_json, 0, NULL);
    if (!json_object_get(freeze, "sources")) {
        set_err(err, "该抽取按旧格式（spotcheck-draw/1）冻结，不能再执行：请经批准后重新抽取");
        json_decref(freeze);
        loaded_free(&l);
        return 1;
    }
    /* the record says when the dice were recorded, so a verifier sees they came before the lottery */
    char *dice_at = NULL;
    json_t *dice = recorded_dice(db, l.id, &dice_at);
    json_t *canon = run_values(json_object_get(freeze, "sources"), values, dice, now, err);
    json_decref(dice);
    /* the blind committed at the freeze (draws frozen before it have none) */
    const char *blind = json_object_get(freeze, "blind_sha256") && l.secret && *l.secret ? l.secret : NULL;
    json_t *rec = canon ? draw_record_build_v2(freeze, canon, blind, drawn_at, dice_at, NULL, &l.pop, &l.ros, err) : NULL;
    free(dice_at);
    json_decref(canon);
    json_decref(freeze);
    if (!rec) {
        loaded_free(&l);
        return 1;
    }
    if (save_record(db, l.id, rec, by, 1)) {
        dberr(db, err);
        json_decref(rec);
        loaded_free(&l);
        return -1;
    }
    loaded_free(&l);
    *record = rec;
    return 0;
}

json_t *draw_store_dice_get(Db *db, const char *task) {
    Stmt *st = db_prepare(db, "SELECT dd.dice_values, dd.recorded_rfc3339, dd.observers FROM draw_dice dd "
                              "JOIN draw d ON d.id = dd.draw_id WHERE d.task_code = ? AND d.status <> '已作废'");
    if (!st) return NULL;
    db_bind_text(st, 1, task);
    json_t *dice = NULL;
    if (db_step(st) == DB_ROW)
        dice = json_pack("{s:o, s:s, s:s?}", "values", json_loads(db_col_text(st, 0), 0, NULL), "recorded_at",
                         db_col_text(st, 1), "observers", db_col_text(st, 2));
    db_finalize(st);
    return dice;
}

int draw_store_dice(Db *db, const char *task, const json_t *values, long long now, const char *at,
                    const char *by, const char *observers, json_t **dice, char **err) {
    *dice = NULL;
    Loaded l;
    int rc = load_current(db, task, &l, err);
    if (rc) {
        loaded_free(&l);
        return rc;
    }
    json_t *freeze = json_loads(l.freeze_json, 0, NULL), *sources = json_object_get(freeze, "sources"), *src;
    json_t *prior = recorded_dice(db, l.id, NULL), *out = json_array();
    long long first = draw_sources_earliest(sources);
    size_t i, k = 0, n = 0;
    json_array_foreach(sources, i, src) n += is_dice(src);
    rc = 1;
    if (strcmp(l.status, "已冻结")) set_err(err, "任务 %s 的抽取已经进行（状态: %s），不能再登记骰子", task, l.status);
    else if (!n) set_err(err, "任务 %s 没有声明骰子作为随机数来源", task);
    else if (prior) set_err(err, "任务 %s 的骰子点数已经登记，不能更改", task);
    else if (first && now >= first) {
        char t[26];
        draw_time_format(first, 8 * 3600, t);
        set_err(err, "骰子须在最早的外部随机数产生（%s）之前登记；现在登记的点数可能是看到开奖结果后选的，不予接受", t);
    } else if (!json_is_array(values) || json_array_size(values) != n)
        set_err(err, "须按声明的顺序为 %zu 组骰子各输入一组点数", n);
    else if (!str_empty(observers) && draw_text_has_control(observers))
        set_err(err, "观察员不能含有控制字符");
    else rc = 0;
    json_array_foreach(sources, i, src) {
        if (rc || !is_dice(src)) continue;
        char *why = NULL, *canon = draw_source_value(src, json_string_value(json_array_get(values, k++)), &why);
        if (!canon) {
            char *label = draw_source_label(src);
            set_err(err, "%s：%s", label, why);
            free(label);
            rc = 1;
        } else json_array_append_new(out, json_string(canon));
        free(canon);
        free(why);
    }
    char *text = rc ? NULL : draw_canonical_json(out);
    if (!rc && db_exec(db,
                       "INSERT INTO draw_dice(draw_id, dice_values, recorded_at, recorded_rfc3339, recorded_by, observers) "
                       "VALUES (?,?,?,?,?,?)",
                       "itttt" "t", l.id, text, clock_stamp().s, at, by, str_empty(observers) ? NULL : observers))
        rc = dberr(db, err);
    free(text);
    if (!rc) *dice = json_pack("{s:O,s:s}", "values", out, "recorded_at", at);
    json_decref(out);
    json_decref(prior);
    json_decref(freeze);
    loaded_free(&l);
    return rc;
}

int draw_store_substitute(Db *db, const char *task, const char *type, const char *target,
                          const char *officer, const char *reason, const char *by, json_t **event,
                          char **err) {
    if (str_empty(reason)) return set_err(err, "递补须说明原因"), 1;
    if (draw_text_has_control(reason) || draw_text_has_control(target) || draw_text_has_control(officer))
        return set_err(err, "递补原因、检查对象和执法证号不能含有控制字符"), 1;
    Loaded l;
    int rc = load_current(db, task, &l, err);
    if (rc || strcmp(l.status, "已抽取")) {
        if (!rc) set_err(err, "任务 %s 尚未抽取，不能递补", task);
        loaded_free(&l);
        return rc < 0 ? -1 : 1;
    }
    json_t *old = json_loads(l.record_json, 0, NULL);
    json_t *events = json_deep_copy(json_object_get(old, "events"));
    json_t *ev = json_pack("{s:s,s:s,s:s}", "type", type, "target", target, "reason", reason);
    if (officer) json_object_set_new(ev, "officer", json_string(officer));
    json_array_append_new(events, ev);
    json_t *rec = str_eq(jk_str(old, "format"), DRAW_FORMAT_V2)
                      ? draw_record_build_v2(json_object_get(old, "freeze"), json_object_get(old, "values"),
                                             jk_str(old, "blind"), jk_str(old, "drawn_at"), jk_str(old, "dice_recorded_at"), events, &l.pop,
                                             &l.ros, err)
                      : draw_record_build(json_object_get(old, "freeze"), jk_str(old, "public_randomness"),
                                          jk_str(old, "secret"), events, &l.pop, &l.ros, err);
    json_decref(events);
    json_decref(old);
    if (!rec) {
        loaded_free(&l);
        return 1;
    }
    json_t *evs = json_object_get(rec, "events");
    json_t *done = json_array_get(evs, json_array_size(evs) - 1);
    int bad = save_record(db, l.id, rec, NULL, 0);
    bad |= db_exec(db,
                   "INSERT INTO draw_event(draw_id, seq, type, target_code, member_code, reason, "
                   "replacement, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                   "iittttttt", l.id, (int64_t)json_array_size(evs), type, target, officer, reason,
                   jk_str(done, "replacement"), by, clock_stamp().s);
    if (bad) {
        dberr(db, err);
        json_decref(rec);
        loaded_free(&l);
        return -1;
    }
    *event = json_deep_copy(done);
    json_decref(rec);
    loaded_free(&l);
    return 0;
}

/* ------------------------------------------------------------------ reading */

int draw_store_get(Db *db, const char *task, int draw_no, json_t **doc, char **population,
                   char **officers, char **status, char **err) {
    Stmt *st = db_prepare(db, draw_no ? "SELECT id, status, freeze_json, freeze_sha256, record_json "
                                        "FROM draw WHERE task_code = ? AND draw_no = ?"
                                      : "SELECT id, status, freeze_json, freeze_sha256, record_json "
                                        "FROM draw WHERE task_code = ? AND status <> '已作废'");
    if (!st) return dberr(db, err);
    db_bind_text(st, 1, task);
    if (draw_no) db_bind_int(st, 2, draw_no);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_finalize(st);
        if (rc == DB_DONE) return set_err(err, "任务 %s 没有该抽取记录", task), 1;
        return dberr(db, err);
    }
    int64_t id = db_col_int(st, 0);
    if (status) *status = xstrdup(db_col_text(st, 1));
    if (!db_col_is_null(st, 4)) {
        *doc = json_loads(db_col_text(st, 4), 0, NULL);
    } else {
        json_t *freeze = json_loads(db_col_text(st, 2), 0, NULL);
        /* a frozen /2 draw declares its sources in the freeze: label it so verifiers check them */
        *doc = json_pack("{s:s,s:o,s:s}", "format", json_object_get(freeze, "sources") ? DRAW_FORMAT_V2 : DRAW_FORMAT,
                         "freeze", freeze, "freeze_sha256", db_col_text(st, 3));
    }
    db_finalize(st);
    if ((population && db_query_text(db, population, "SELECT content FROM draw_file WHERE draw_id = ? AND kind = 'population'", "i", id)) ||
        (officers && db_query_text(db, officers, "SELECT content FROM draw_file WHERE draw_id = ? AND kind = 'officers'", "i", id)))
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
        const char *names[] = {"draw_no", "status", "frozen_at", "drawn_at", "freeze_sha256",
                               "record_sha256", "redraw_reason", "redraw_approver", "superseded_reason"};
        for (int i = 0; i < 9; i++) {
            if (i == 0) json_object_set_new(o, names[i], json_integer(db_col_int(st, 0)));
            else if (db_col_is_null(st, i)) json_object_set_new(o, names[i], json_null());
            else json_object_set_new(o, names[i], json_string(db_col_text(st, i)));
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
    char *fjson = NULL, *fsha = NULL, *psha = NULL, *osha = NULL, *rjson = NULL, *status = NULL, *off = NULL;
    db_query_text(db, &fjson, "SELECT freeze_json FROM draw WHERE id = ?", "i", id);
    db_query_text(db, &fsha, "SELECT freeze_sha256 FROM draw WHERE id = ?", "i", id);
    db_query_text(db, &psha, "SELECT population_sha256 FROM draw WHERE id = ?", "i", id);
    db_query_text(db, &osha, "SELECT officers_sha256 FROM draw WHERE id = ?", "i", id);
    db_query_text(db, &status, "SELECT status FROM draw WHERE id = ?", "i", id);
    db_query_text(db, &rjson, "SELECT record_json FROM draw WHERE id = ?", "i", id);
    db_query_text(db, &off, "SELECT content FROM draw_file WHERE draw_id = ? AND kind = 'officers'", "i", id);
#define PROBLEM(...)                                                                               \
    do {                                                                                           \
        buf_printf(out, "任务 %s 第%lld次抽取: ", task, (long long)no);                            \
        buf_printf(out, __VA_ARGS__);                                                              \
        buf_putc(out, '\n');                                                                       \
        (*bad)++;                                                                                  \
    } while (0)
    char sha[65];
    draw_sha256_hex(fjson ? fjson : "", fjson ? strlen(fjson) : 0, sha);
    if (!str_eq(sha, fsha)) PROBLEM("冻结内容的 SHA-256 为 %s，与冻结摘要 %s 不符", sha, fsha ? fsha : "（缺失）");
    if (!off) PROBLEM("缺少执法人员名单文件");
    else {
        draw_sha256_hex(off, strlen(off), sha);
        if (!str_eq(sha, osha)) PROBLEM("执法人员名单文件的 SHA-256 为 %s，与冻结的 %s 不符", sha, osha ? osha : "");
    }
    DrawPop pop;
    char *err = NULL;
    int have_pop = draw_store_load_population(db, id, &pop, &err) == 0;
    if (!have_pop) PROBLEM("%s", err ? err : "名单文件无法读取");
    else if (!str_eq(pop.sha256, psha)) PROBLEM("名单文件的 SHA-256 与冻结的不符");
    free(err);
    if (str_eq(status, "已抽取") || (str_eq(status, "已作废") && rjson)) {
        json_t *rec = rjson ? json_loads(rjson, 0, NULL) : NULL;
        DrawRoster ros;
        int have_ros = off && draw_roster_parse(&ros, off, strlen(off), NULL) == 0;
        Buf diff;
        buf_init(&diff);
        char *rsha = NULL;
        db_query_text(db, &rsha, "SELECT record_sha256 FROM draw WHERE id = ?", "i", id);
        draw_sha256_hex(rjson ? rjson : "", rjson ? strlen(rjson) : 0, sha);
        if (rjson && !str_eq(sha, rsha)) PROBLEM("抽取记录的 SHA-256 为 %s，与保存的记录摘要 %s 不符", sha, rsha ? rsha : "（缺失）");
        free(rsha);
        if (!rec) PROBLEM("抽取记录缺失或不是 JSON");
        else if (have_pop && have_ros && draw_verify(rec, &pop, &ros, fsha, &diff, NULL))
            PROBLEM("抽取记录与冻结的输入重算不一致：%s", diff.data ? diff.data : "");
        /* the substitutions in the record are exactly the append-only draw_event rows */
        Stmt *st = rec ? db_prepare(db, "SELECT seq, type, target_code, member_code, reason FROM draw_event "
                                        "WHERE draw_id = ? ORDER BY seq")
                       : NULL;
        size_t k = 0;
        if (st) {
            db_bind_int(st, 1, id);
            json_t *evs = json_object_get(rec, "events");
            while (db_step(st) == DB_ROW) {
                json_t *e = json_array_get(evs, k++);
                if (!e || !str_eq(jk_str(e, "type"), db_col_text(st, 1)) || !str_eq(jk_str(e, "target"), db_col_text(st, 2)) ||
                    !str_eq(jk_str(e, "officer"), db_col_text(st, 3)) || !str_eq(jk_str(e, "reason"), db_col_text(st, 4)))
                    PROBLEM("递补记录第 %lld 条与抽取记录不符", (long long)db_col_int(st, 0));
            }
            db_finalize(st);
            if (k != json_array_size(evs))
                PROBLEM("抽取记录有 %zu 次递补，递补记录表有 %zu 条", json_array_size(evs), k);
        }
        /* a task's /2 draw is substituted only on an approved request (sql/019): each event has one */
        int64_t unapproved = 0;
        db_query_int(db, &unapproved,
                     "SELECT count(*) FROM draw_event e JOIN draw d ON d.id = e.draw_id "
                     "WHERE e.draw_id = ? AND d.sources IS NOT NULL AND d.task_code IN (SELECT code FROM task) "
                     "AND NOT EXISTS (SELECT 1 FROM draw_substitution s WHERE s.draw_id = e.draw_id AND s.event_seq = e.seq "
                     "AND s.status = '已批准' AND s.type = e.type AND s.target_code = e.target_code "
                     "AND s.member_code IS e.member_code)",
                     "i", id);
        if (unapproved) PROBLEM("有 %lld 次递补没有对应的经批准的递补申请", (long long)unapproved);
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
