/* draw_store_run.c - running a frozen draw on the database: the dice recorded before the lottery,
 * the run with the values of the declared sources, substitutions (递补) on a drawn draw, and the
 * derived rows (draw_target, draw_member, draw_skip) rewritten from each new record. The record
 * itself comes from the pure engine: its outcome (draw_outcome_compute, draw_run.c) is written as
 * canonical text straight into a buffer and stored in draw_record (sql/032), and the derived rows
 * are taken from the outcome, so that no JSON tree of a large draw's groups is ever built.
 *
 * Invariants: as in draw_store.c, every change runs inside the caller's transaction and never
 * begins, commits or rolls back one; the substitution rows (draw_event) are append-only and a
 * record is saved with its SHA-256 (first in draw_record, then named by the draw row). Called by
 * the task's draw steps (task_draw.c), the `draw` CLI and the benchmark. */
#include "../core/clock.h"
#include "deadline.h"
#include "jsonkit.h"
#include "draw_store.h"
#include "draw_store_impl.h"
#include "draw_source.h"
#include "draw_token.h"

#include "draw.h"
#include "draw_sha256.h"

#include <stdlib.h>
#include <string.h>

typedef struct Loaded {
    int64_t id;
    char *status, *secret, *freeze_json;
    DrawPop pop;
    DrawRoster ros;
    DrawTokenMap tokens; /* the record's tokens → targets (empty: a draw without tokens) */
} Loaded;

static void loaded_free(Loaded *l) {
    free(l->status);
    free(l->secret);
    free(l->freeze_json);
    draw_pop_free(&l->pop);
    draw_roster_free(&l->ros);
    draw_token_map_free(&l->tokens);
}

static int load_current(Db *db, const char *task, Loaded *l, char **err) {
    memset(l, 0, sizeof *l);
    int rc = draw_store_current(db, task, &l->id, &l->status);
    if (rc < 0) return dberr(db, err);
    if (rc == 1) return set_err(err, "任务 %s 没有抽取记录（先执行 draw freeze）", task), 1;
    char *off = NULL;
    if (db_query_text(db, &l->secret, "SELECT secret FROM draw WHERE id = ?", "i", l->id) ||
        db_query_text(db, &l->freeze_json, "SELECT freeze_json FROM draw WHERE id = ?", "i",
                      l->id) ||
        db_query_text(db, &off,
                      "SELECT content FROM draw_file WHERE draw_id = ? AND kind = 'officers'", "i",
                      l->id)) {
        free(off);
        return dberr(db, err);
    }
    if (!off) off = xstrdup("");
    int bad = draw_store_load_population(db, l->id, &l->pop, err) ||
              draw_roster_parse(&l->ros, off, strlen(off), err);
    free(off);
    if (!bad && draw_token_load(db, l->id, &l->tokens)) bad = dberr(db, err);
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
    int64_t
        n; /* draw_target: position; draw_member: order met (the last one wins); draw_skip: seq */
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
    static const int targets[] = {-1, 'n', 't', 's', 'k', 'o', 'S'},
                     members[] = {-1, 't', 'm', 'r', 'S', 'R'}, skips[] = {-1, 't', 'n', 'm', 'R'};
    int what = d->kind == 0 ? targets[col] : d->kind == 1 ? members[col] : skips[col];
    switch (what) {
    case 'n':
        return *i = r->n, 1;
    case 't':
        *text = r->target;
        break;
    case 'm':
        *text = r->member;
        break;
    case 'r':
        *text = r->role;
        break;
    case 's':
        *text = r->stratum;
        break;
    case 'k':
        *text = r->ticket;
        break;
    case 'o':
        *text = r->origin;
        break;
    case 'S':
        *text = r->status;
        break;
    default:
        *text = r->reason;
        break;
    }
    return 0;
}

/* Sorts the rows by target (and member) and inserts them into `table`(cols). For draw_member a
 * member met twice in one group keeps its last row (a removal after the assignment). */
static int derived_insert(Db *db, DerivedRows *d, const char *table, const char *const *cols,
                          size_t ncols) {
    if (!d->n) return 0;
    for (size_t i = 0; i < d->n;
         i++) /* a malformed record: refused, as the NOT NULL columns would */
        if (!d->row[i].target || (d->kind && !d->row[i].member)) return 1;
    qsort(d->row, d->n, sizeof *d->row, by_target_member);
    if (d->kind == 1) {
        size_t out = 0;
        for (size_t i = 0; i < d->n; i++) {
            if (out && !strcmp(d->row[out - 1].target, d->row[i].target) &&
                !strcmp(d->row[out - 1].member, d->row[i].member))
                out--;
            d->row[out++] = d->row[i];
        }
        d->n = out;
    }
    DbRowSource src = {d->n, ncols, derived_cell, d};
    return db_insert_rows(db, table, cols, ncols, &src, 0) != DB_OK;
}

/* The target behind a record's id: the token's target, else the id itself. */
static const char *target_of(const DrawTokenMap *tokens, const char *id) {
    const char *code = id && tokens->n ? draw_token_map_target(tokens, id) : NULL;
    return code ? code : id;
}

/* Rewrites the derived rows of a draw from the outcome of its record (ros: its roster; tokens:
 * the record's tokens, so that the rows name the targets themselves). The kept deadline clocks'
 * triggers on draw_target (sql/060) are paused meanwhile and the draw's clocks computed once after
 * (a substitution rewrites every target of the draw: one refresh per target cost twice as much). */
static int write_derived_rows(Db *db, int64_t id, const DrawOutcome *o, const DrawRoster *ros,
                              const DrawTokenMap *tokens);
static int write_derived(Db *db, int64_t id, const DrawOutcome *o, const DrawRoster *ros,
                         const DrawTokenMap *tokens) {
    char *paused = NULL;
    if (db_triggers_pause(db, "draw_target", DEADLINE_CLOCK_TRIGGERS, &paused) != DB_OK) return -1;
    if (write_derived_rows(db, id, o, ros, tokens)) {
        free(paused); /* the caller rolls back, the dropped triggers with it */
        return -1;
    }
    return db_triggers_resume(db, paused) != DB_OK || deadline_clocks_refresh_draw(db, id) != DB_OK
               ? -1
               : 0;
}

static int write_derived_rows(Db *db, int64_t id, const DrawOutcome *o, const DrawRoster *ros,
                              const DrawTokenMap *tokens) {
    int bad = db_exec(db, "DELETE FROM draw_target WHERE draw_id = ?", "i", id) ||
              db_exec(db, "DELETE FROM draw_member WHERE draw_id = ?", "i", id) ||
              db_exec(db, "DELETE FROM draw_skip WHERE draw_id = ?", "i", id);
    if (bad) return -1;
    DerivedRows t = {.draw_id = id, .kind = 0}, m = {.draw_id = id, .kind = 1},
                sk = {.draw_id = id, .kind = 2};
    int64_t met = 0;
    for (size_t i = 0, n = draw_outcome_groups(o); i < n; i++) {
        DrawGroupView g;
        draw_outcome_group(o, i, &g);
        g.target = target_of(tokens, g.target);
        derived_add(&t, (DerivedRow){.target = g.target,
                                     .stratum = g.stratum,
                                     .ticket = g.ticket ? g.ticket : "",
                                     .origin = g.replacement ? "递补" : "抽中",
                                     .status = g.replaced ? "已替换" : "有效",
                                     .n = (int64_t)i});
        for (size_t k = 0; k < g.nofficers; k++) {
            const char *who = ros->p[g.officers[k]].id;
            derived_add(&m, (DerivedRow){.target = g.target,
                                         .member = who,
                                         .role = str_eq(g.leader, who) ? "组长" : "组员",
                                         .status = "在组",
                                         .n = met++});
        }
        for (size_t k = 0; k < g.nexperts; k++)
            derived_add(&m, (DerivedRow){.target = g.target,
                                         .member = ros->p[g.experts[k]].id,
                                         .role = "专家",
                                         .status = "在组",
                                         .n = met++});
        for (size_t k = 0; k < g.nremoved; k++)
            derived_add(&m, (DerivedRow){.target = g.target,
                                         .member = g.removed[k].id,
                                         .role = "组员",
                                         .status = "已替换",
                                         .reason = g.removed[k].reason,
                                         .n = met++});
        for (size_t k = 0; k < g.nskipped; k++)
            derived_add(&sk, (DerivedRow){.target = g.target,
                                          .member = g.skipped[k].id,
                                          .reason = g.skipped[k].reason,
                                          .n = (int64_t)k});
    }
    static const char *const tcols[] = {"draw_id", "position", "target_code", "stratum",
                                        "ticket",  "origin",   "status"};
    static const char *const mcols[] = {"draw_id", "target_code", "member_code",
                                        "role",    "status",      "reason"};
    static const char *const scols[] = {"draw_id", "target_code", "seq", "member_code", "reason"};
    bad = derived_insert(db, &t, "draw_target", tcols, 7) ||
          derived_insert(db, &m, "draw_member", mcols, 6) ||
          derived_insert(db, &sk, "draw_skip", scols, 5);
    free(t.row);
    free(m.row);
    free(sk.row);
    return bad ? -1 : 0;
}

/* Binds text without a copy (a record may be hundreds of MB) and runs the statement. */
static int exec_record(Db *db, const char *sql, int64_t id, const char *sha, const char *text) {
    Stmt *st = db_prepare(db, sql);
    if (!st) return -1;
    db_bind_int(st, 1, id);
    db_bind_text(st, 2, sha);
    db_bind_text_nocopy(st, 3, text);
    int rc = db_step(st);
    db_finalize(st);
    return rc == DB_DONE ? 0 : -1;
}

/* Maps the tokens among the outcome's targets that the draw's map lacks (draw_token_resolve): the
 * drawn insured persons, from the pairs frozen with the salt. Returns 0, 1 (*err), -1. */
static int resolve_outcome(Db *db, Loaded *l, const DrawOutcome *o, char **err) {
    size_t n = draw_outcome_groups(o);
    const char **ids = xmalloc((n ? n : 1) * sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        DrawGroupView g;
        draw_outcome_group(o, i, &g);
        ids[i] = g.target;
    }
    int rc = draw_token_resolve(db, l->id, ids, n, &l->tokens, err);
    free(ids);
    return rc;
}

/* Saves the record of head and the outcome *o of the draw loaded in l: the derived rows, then the
 * record's canonical text into draw_record (written for the run, replaced by a substitution),
 * then its digest into the draw row (with the run's columns on the run). The outcome and the
 * population are freed (*o = NULL) once the text is written, before it is stored: a large draw's
 * text (100 MB for 300k groups) and SQLite's copy of it need the room. Returns 0 and *summary
 * (the record without its lists, with selected_count, group_count and record_sha256), -1 on a
 * database error. */
static int save_record(Db *db, Loaded *l, const json_t *head, DrawOutcome **o, const char *by,
                       int first, json_t **summary) {
    *summary = NULL;
    if (write_derived(db, l->id, *o, &l->ros, &l->tokens)) return -1;
    Buf text;
    buf_init(&text);
    draw_outcome_write(*o, head, &text);
    char sha[65];
    draw_sha256_hex(text.data, text.len, sha);
    json_t *sum = json_deep_copy(head), *derived = draw_outcome_json(*o, 0);
    json_object_update(sum, derived);
    json_decref(derived);
    json_object_set_new(sum, "selected_count", json_integer((json_int_t)draw_outcome_selected(*o)));
    json_object_set_new(sum, "group_count", json_integer((json_int_t)draw_outcome_groups(*o)));
    json_object_set_new(sum, "record_sha256", json_string(sha));
    draw_outcome_free(*o);
    *o = NULL;
    draw_pop_free(&l->pop);
    int bad = exec_record(db,
                          first ? "INSERT INTO draw_record(draw_id, sha256, record_json) "
                                  "VALUES (?, ?, ?)"
                                : "UPDATE draw_record SET sha256 = ?2, record_json = ?3 "
                                  "WHERE draw_id = ?1",
                          l->id, sha, text.data);
    buf_free(&text);
    if (!bad && first) {
        /* /2 keeps the values as a JSON array in public_randomness */
        char *values = json_object_get(head, "values")
                           ? draw_canonical_json(json_object_get(head, "values"))
                           : NULL;
        bad = db_exec(db,
                      "UPDATE draw SET status = '已抽取', public_randomness = ?, seed = ?, "
                      "record_sha256 = ?, drawn_by = ?, drawn_at = ? WHERE id = ?",
                      "ttttti", values ? values : jk_str(head, "public_randomness"),
                      jk_str(sum, "seed"), sha, by, clock_stamp().s, l->id);
        free(values);
    } else if (!bad)
        bad = db_exec(db, "UPDATE draw SET record_sha256 = ? WHERE id = ?", "ti", sha, l->id);
    if (bad) {
        json_decref(sum);
        return -1;
    }
    *summary = sum;
    return 0;
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
    Stmt *st =
        db_prepare(db, "SELECT dice_values, recorded_rfc3339 FROM draw_dice WHERE draw_id = ?");
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
static json_t *run_values(const json_t *sources, const json_t *values, const json_t *dice,
                          long long now, char **err) {
    if (!json_is_array(values) || json_array_size(values) != json_array_size(sources))
        return set_err(err, "须按声明的顺序为 %zu 个随机数来源各输入一个数值",
                       json_array_size(sources)),
               NULL;
    json_t *out = json_array(), *src;
    size_t i, dice_k = 0;
    json_array_foreach(sources, i, src) {
        char *label = draw_source_label(src), *why = NULL;
        long long t = draw_source_time(src);
        char *canon = draw_source_value(src, json_string_value(json_array_get(values, i)), &why);
        const char *thrown =
            is_dice(src) ? json_string_value(json_array_get(dice, dice_k++)) : NULL;
        int bad = 1;
        if (t && now < t) {
            set_err(err, "%s 尚未产生，不能抽取：须在其产生之后输入", label);
        } else if (!canon) {
            set_err(err, "%s：%s", label, why);
        } else if (is_dice(src) && !thrown) {
            set_err(err,
                    "%s "
                    "没有在开奖前登记：骰子须在最早的外部随机数产生前当众掷出并登记，不能在开奖后输"
                    "入；请经批准后重新抽取",
                    label);
        } else if (thrown && strcmp(thrown, canon)) {
            set_err(err, "%s 的点数 %s 与开奖前登记的 %s 不符", label, canon, thrown);
        } else
            bad = 0;
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
                   const char *drawn_at, const char *by, json_t **summary, char **err) {
    *summary = NULL;
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
    /* the record says when the dice were recorded, so a verifier sees they came before the lottery
     */
    char *dice_at = NULL;
    json_t *dice = recorded_dice(db, l.id, &dice_at);
    json_t *canon = run_values(json_object_get(freeze, "sources"), values, dice, now, err);
    json_decref(dice);
    /* the blind committed at the freeze (draws frozen before it have none) */
    const char *blind =
        json_object_get(freeze, "blind_sha256") && l.secret && *l.secret ? l.secret : NULL;
    json_t *head =
        canon ? draw_record_head_v2(freeze, canon, blind, drawn_at, dice_at, NULL) : NULL;
    DrawOutcome *o = head ? draw_outcome_compute(head, &l.pop, &l.ros, err) : NULL;
    free(dice_at);
    json_decref(canon);
    json_decref(freeze);
    rc = !o ? 1 : resolve_outcome(db, &l, o, err);
    if (!rc && save_record(db, &l, head, &o, by, 1, summary)) rc = dberr(db, err);
    draw_outcome_free(o);
    json_decref(head);
    loaded_free(&l);
    return rc;
}

json_t *draw_store_dice_get(Db *db, const char *task) {
    Stmt *st = db_prepare(
        db, "SELECT dd.dice_values, dd.recorded_rfc3339, dd.observers FROM draw_dice dd "
            "JOIN draw d ON d.id = dd.draw_id WHERE d.task_code = ? AND d.status <> '已作废'");
    if (!st) return NULL;
    db_bind_text(st, 1, task);
    json_t *dice = NULL;
    if (db_step(st) == DB_ROW)
        dice = json_pack("{s:o, s:s, s:s?}", "values", json_loads(db_col_text(st, 0), 0, NULL),
                         "recorded_at", db_col_text(st, 1), "observers", db_col_text(st, 2));
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
    json_t *freeze = json_loads(l.freeze_json, 0, NULL),
           *sources = json_object_get(freeze, "sources"), *src;
    json_t *prior = recorded_dice(db, l.id, NULL), *out = json_array();
    long long first = draw_sources_earliest(sources);
    size_t i, k = 0, n = 0;
    json_array_foreach(sources, i, src) if (is_dice(src)) n++;
    rc = 1;
    if (strcmp(l.status, "已冻结"))
        set_err(err, "任务 %s 的抽取已经进行（状态: %s），不能再登记骰子", task, l.status);
    else if (!n)
        set_err(err, "任务 %s 没有声明骰子作为随机数来源", task);
    else if (prior)
        set_err(err, "任务 %s 的骰子点数已经登记，不能更改", task);
    else if (first && now >= first) {
        char t[26];
        draw_time_format(first, 8 * 3600, t);
        set_err(err,
                "骰子须在最早的外部随机数产生（%"
                "s）之前登记；现在登记的点数可能是看到开奖结果后选的，不予接受",
                t);
    } else if (!json_is_array(values) || json_array_size(values) != n)
        set_err(err, "须按声明的顺序为 %zu 组骰子各输入一组点数", n);
    else if (!str_empty(observers) && draw_text_has_control(observers))
        set_err(err, "观察员不能含有控制字符");
    else
        rc = 0;
    json_array_foreach(sources, i, src) {
        if (rc || !is_dice(src)) continue;
        char *why = NULL,
             *canon = draw_source_value(src, json_string_value(json_array_get(values, k++)), &why);
        if (!canon) {
            char *label = draw_source_label(src);
            set_err(err, "%s：%s", label, why);
            free(label);
            rc = 1;
        } else
            json_array_append_new(out, json_string(canon));
        free(canon);
        free(why);
    }
    char *text = rc ? NULL : draw_canonical_json(out);
    if (!rc &&
        db_exec(db,
                "INSERT INTO draw_dice(draw_id, dice_values, recorded_at, recorded_rfc3339, "
                "recorded_by, observers) "
                "VALUES (?,?,?,?,?,?)",
                "itttt"
                "t",
                l.id, text, clock_stamp().s, at, by, str_empty(observers) ? NULL : observers))
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
    if (draw_text_has_control(reason) || draw_text_has_control(target) ||
        draw_text_has_control(officer))
        return set_err(err, "递补原因、检查对象和执法证号不能含有控制字符"), 1;
    Loaded l;
    int rc = load_current(db, task, &l, err);
    if (rc || strcmp(l.status, "已抽取")) {
        if (!rc) set_err(err, "任务 %s 尚未抽取，不能递补", task);
        loaded_free(&l);
        return rc < 0 ? -1 : 1;
    }
    /* the stored record's inputs, read without its lists */
    char *text = NULL;
    if (db_query_text(db, &text, "SELECT record_json FROM draw_record WHERE draw_id = ?", "i",
                      l.id)) {
        loaded_free(&l);
        return dberr(db, err);
    }
    json_t *old = text ? draw_record_head_read(text, strlen(text), err) : NULL;
    free(text);
    if (!old) {
        if (err && !*err) set_err(err, "任务 %s 的抽取记录缺失", task);
        loaded_free(&l);
        return -1;
    }
    json_t *events = json_deep_copy(json_object_get(old, "events"));
    /* the record names an insured target by its token */
    char *token = draw_token_of(db, l.id, target);
    json_t *ev = json_pack("{s:s,s:s,s:s}", "type", type, "target", token ? token : target,
                           "reason", reason);
    free(token);
    if (officer) json_object_set_new(ev, "officer", json_string(officer));
    json_array_append_new(events, ev);
    json_t *head =
        str_eq(jk_str(old, "format"), DRAW_FORMAT_V2)
            ? draw_record_head_v2(json_object_get(old, "freeze"), json_object_get(old, "values"),
                                  jk_str(old, "blind"), jk_str(old, "drawn_at"),
                                  jk_str(old, "dice_recorded_at"), events)
            : draw_record_head(json_object_get(old, "freeze"), jk_str(old, "public_randomness"),
                               jk_str(old, "secret"), events);
    json_decref(events);
    json_decref(old);
    DrawOutcome *o = head ? draw_outcome_compute(head, &l.pop, &l.ros, err) : NULL;
    if (!o) {
        if (err && !*err) set_err(err, "任务 %s 的抽取记录无法重新生成", task);
        json_decref(head);
        loaded_free(&l);
        return 1;
    }
    json_t *sum = NULL;
    int resolved = resolve_outcome(db, &l, o, err);
    if (resolved) {
        draw_outcome_free(o);
        json_decref(head);
        loaded_free(&l);
        return resolved;
    }
    int bad = save_record(db, &l, head, &o, NULL, 0, &sum);
    json_t *evs = json_object_get(sum, "events");
    const json_t *done = json_array_get(evs, json_array_size(evs) - 1);
    bad |= !sum ||
           db_exec(db,
                   "INSERT INTO draw_event(draw_id, seq, type, target_code, member_code, reason, "
                   "replacement, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                   "iittttttt", l.id, (int64_t)json_array_size(json_object_get(head, "events")),
                   type, target, officer, reason,
                   str_eq(type, "target") ? target_of(&l.tokens, jk_str(done, "replacement"))
                                          : jk_str(done, "replacement"),
                   by, clock_stamp().s);
    if (bad) {
        dberr(db, err);
        draw_outcome_free(o);
        json_decref(sum);
        json_decref(head);
        loaded_free(&l);
        return -1;
    }
    *event = json_deep_copy(done); /* the staff's view: targets, not tokens */
    json_object_set_new(*event, "target", json_string(target));
    if (str_eq(type, "target") && jk_str(done, "replacement"))
        json_object_set_new(*event, "replacement",
                            json_string(target_of(&l.tokens, jk_str(done, "replacement"))));
    json_decref(sum);
    json_decref(head);
    loaded_free(&l);
    return 0;
}
