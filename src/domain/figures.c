/* figures.c - the year's figures (see figures.h for every definition). Reads draw, task,
 * task_joint, target, plan, record, record_violation, followup, refdata and the kept deadline
 * clocks (deadline_clock, sql/060: one result entry clock per valid drawn target of a held draw,
 * and the publication clock with its record's status), which give a draw's valid targets and
 * published records through one index; writes nothing.
 * Called by the figures page, its xlsx export and its JSON API (src/web/page_figures*.c).
 * Counts are made in SQL (per draw, or grouped), never by reading a row per drawn target in C; the
 * draw record (draw.record_json) is not read: the grading rule rebuilds its strata list from the
 * frozen parameters and population (draw_strata).
 * The year's figures of an org are kept while the data version is the same (readcache.h): they
 * read every drawn target and published record of the year, and change only with audited changes.
 * Invariant: every ratio is built by add_figure(), which keeps numerator and denominator and
 * never shows a percentage for a zero denominator. */
#include "figures.h"

#include "../core/util.h"
#include "deadline.h"
#include "directory.h"
#include "draw.h"
#include "jsonkit.h"
#include "readcache.h"
#include "scope.h"
#include "uow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- pure rules ---- */

void figures_ratio_text(int64_t num, int64_t den, char out[32]) {
    if (den <= 0 || num < 0) {
        snprintf(out, 32, "—");
        return;
    }
    __extension__ unsigned __int128 t =
        (unsigned __int128)num * 1000u / (unsigned __int128)den; /* tenths of % */
    snprintf(out, 32, "%llu.%llu%%", (unsigned long long)(t / 10), (unsigned long long)(t % 10));
}

int figures_goal_met(int64_t num, int64_t den, uint64_t goal_num, uint64_t goal_den) {
    if (den <= 0 || num < 0 || goal_den == 0) return -1;
    __extension__ unsigned __int128 lhs = (unsigned __int128)num * goal_den,
                                    rhs = (unsigned __int128)goal_num * (uint64_t)den;
    return lhs >= rhs;
}

/* A ratio with trailing decimal zeros removed, so equal values compare equal ("3%" = "0.03"). */
static int ratio_norm(const char *s, DrawRatio *r) {
    if (!s || draw_ratio_parse(s, r)) return -1;
    while (r->den > 1 && r->num % 10 == 0) {
        r->num /= 10;
        r->den /= 10;
    }
    if (r->num == 0) r->den = 1;
    return 0;
}

/* Splits a stratum name at '/' into its parts; returns the count (at most 8). */
static size_t stratum_parts(const char *name, char parts[8][64]) {
    size_t n = 0;
    const char *p = name ? name : "";
    while (n < 8) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len > 63) len = 63;
        memcpy(parts[n], p, len);
        parts[n][len] = 0;
        n++;
        if (!slash) break;
        p = slash + 1;
    }
    return n;
}

int figures_draw_graded(const json_t *params, const json_t *record, const char **why) {
    if (why) *why = NULL;
    /* (b) a population filtered to some but not all grades */
    const json_t *grades = json_object_get(json_object_get(params, "filters"), "grades");
    if (json_is_array(grades) && json_array_size(grades) > 0) {
        int seen[4] = {0};
        size_t i;
        json_t *g;
        json_array_foreach(grades, i, g) {
            const char *s = json_string_value(g);
            if (s && s[0] >= 'A' && s[0] <= 'D' && !s[1]) seen[s[0] - 'A'] = 1;
        }
        if (seen[0] + seen[1] + seen[2] + seen[3] < 4) {
            if (why) *why = "按信用风险等级筛选抽查对象";
            return 1;
        }
    }
    /* (a) stratified by grade with grade-specific sizes */
    const json_t *strata = json_object_get(params, "strata");
    int grade_at = -1;
    if (!json_is_array(strata) || json_array_size(strata) == 0)
        grade_at = 0;
    else {
        size_t i;
        json_t *s;
        json_array_foreach(strata, i, s) if (str_eq(json_string_value(s), "grade")) grade_at =
            (int)i;
    }
    if (grade_at < 0) return 0;
    const json_t *list = json_object_get(record, "strata");
    size_t n = json_array_size(list);
    for (size_t a = 0; a < n; a++) {
        const json_t *ea = json_array_get(list, a);
        char pa[8][64];
        size_t na = stratum_parts(json_string_value(json_object_get(ea, "stratum")), pa);
        DrawRatio ra;
        if ((size_t)grade_at >= na ||
            ratio_norm(json_string_value(json_object_get(ea, "ratio")), &ra))
            continue;
        json_int_t ma = json_integer_value(json_object_get(ea, "minimum"));
        for (size_t b = a + 1; b < n; b++) {
            const json_t *eb = json_array_get(list, b);
            char pb[8][64];
            size_t nb = stratum_parts(json_string_value(json_object_get(eb, "stratum")), pb);
            DrawRatio rb;
            if (nb != na || ratio_norm(json_string_value(json_object_get(eb, "ratio")), &rb))
                continue;
            int same_rest = 1;
            for (size_t k = 0; k < na; k++)
                if ((int)k != grade_at && strcmp(pa[k], pb[k])) same_rest = 0;
            if (!same_rest || !strcmp(pa[grade_at], pb[grade_at])) continue;
            if (ra.num != rb.num || ra.den != rb.den ||
                ma != json_integer_value(json_object_get(eb, "minimum"))) {
                if (why) *why = "按信用风险等级分层并设定不同的抽查比例或最低数量";
                return 1;
            }
        }
    }
    return 0;
}

/* ---- the report ---- */

/* The org scope and the checks of the year: ?1 org id, ?2 year as text. */
#define SCOPE_CTE                                                                                  \
    "WITH RECURSIVE sc(id) AS (SELECT ?1 UNION SELECT o.id FROM org o JOIN sc ON o.parent_id = "   \
    "sc.id)"
/* deadline_clock's kinds by number (DlKind, deadline.h): 1 DL_ENTRY, one per valid drawn target
 * of a held draw; 2 DL_PUBLISH, whose rstatus is its record's status. */
_Static_assert(DL_ENTRY == 1 && DL_PUBLISH == 2, "figures.c's SQL names these kinds by number");
#define CHECKS_CTE                                                                                 \
    SCOPE_CTE                                                                                      \
    ", ck(draw_id, task_id, task_code, joint) AS (SELECT d.id, t.id, t.code, EXISTS "              \
    "(SELECT 1 FROM task_joint j "                                                                 \
    "WHERE j.task_id = t.id AND j.status = '已确认') FROM draw d JOIN task t ON t.code "        \
    "= d.task_code "                                                                               \
    "WHERE d.status = '已抽取' AND substr(d.drawn_at, 1, 4) = ?2 AND t.org_id IN "              \
    "(SELECT id FROM sc)), "                                                                       \
    "pub(record_id, result_codes, findings) AS (SELECT r.id, r.result_codes, "                     \
    "r.findings FROM ck CROSS JOIN deadline_clock c JOIN record r ON r.id = c.record_id "          \
    "WHERE c.draw_id = ck.draw_id AND c.kind = 2 AND c.rstatus = '已公示') "

static Stmt *prep(Db *db, const char *sql, int64_t org_id, const char *year, char **err) {
    Stmt *st = db_prepare(db, sql);
    if (!st) {
        set_err(err, "数据库错误: %s", db_errmsg(db));
        return NULL;
    }
    db_bind_int(st, 1, org_id);
    db_bind_text(st, 2, year);
    return st;
}

static void add_figure(json_t *list, const char *key, const char *name, int64_t num, int64_t den,
                       uint64_t goal_num, uint64_t goal_den, const char *goal_text,
                       const char *definition, const char *source) {
    char ratio[32];
    figures_ratio_text(num, den, ratio);
    int met = goal_den ? figures_goal_met(num, den, goal_num, goal_den) : -1;
    json_t *f = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:s}", "key", key, "name", name, "num",
                          (json_int_t)num, "den", (json_int_t)den, "ratio", ratio, "definition",
                          definition, "source", source);
    json_object_set_new(f, "percent",
                        den > 0 ? json_real((double)num * 100.0 / (double)den) : json_null());
    json_object_set_new(f, "goal", goal_den && goal_text ? json_string(goal_text) : json_null());
    json_object_set_new(f, "goal_pct",
                        goal_den ? json_real((double)goal_num * 100.0 / (double)goal_den)
                                 : json_null());
    json_object_set_new(f, "met", met < 0 ? json_null() : json_boolean(met));
    json_object_set_new(f, "met_text",
                        json_string(!goal_den ? "无目标"
                                    : met < 0 ? "—"
                                    : met     ? "达标"
                                              : "未达标"));
    json_array_append_new(list, f);
}

typedef struct Counts {
    int64_t checks, joint_checks, targets, joint_targets, graded;
    int64_t published, findings, closed_findings, closed_all;
    int64_t cov_den[2], cov_num[2]; /* institution, pharmacy */
    int64_t month[12];
} Counts;

/* The strata list of a draw's record as figures_draw_graded reads it ([{stratum, ratio,
 * minimum}]), rebuilt without the record: the strata of the frozen population
 * (freeze.population.strata) with the ratio and minimum the draw applied to each (draw_run: the
 * lookup of params.ratios and params.minimum, docs/DRAW.md §3). New object {strata: [...]}. */
static json_t *draw_strata(const json_t *params, const json_t *freeze) {
    json_t *list = json_array(), *n;
    const char *name;
    json_object_foreach(json_object_get(json_object_get(freeze, "population"), "strata"), name, n) {
        json_t *rv = draw_lookup_stratum(json_object_get(params, "ratios"), name),
               *mv = draw_lookup_stratum(json_object_get(params, "minimum"), name);
        if (!json_is_string(rv)) continue; /* no ratio: the draw could not have been held */
        json_array_append_new(list,
                              json_pack("{s:s, s:O, s:I}", "stratum", name, "ratio", rv, "minimum",
                                        json_is_integer(mv) ? json_integer_value(mv) : 0));
    }
    return json_pack("{s:o}", "strata", list);
}

/* One row per check: its task, whether joint, its month, its parameters and frozen population
 * strata (not the draw record, which may be large) and its count of valid drawn targets. */
static int load_checks(Db *db, int64_t org_id, const char *year, Counts *c, json_t *graded,
                       char **err) {
    Stmt *st =
        prep(db,
             CHECKS_CTE
             "SELECT ck.task_code, ck.joint, substr(d.drawn_at, 6, 2), d.params, d.freeze_json, "
             "(SELECT count(*) FROM deadline_clock c WHERE c.draw_id = ck.draw_id AND c.kind = 1) "
             "FROM ck JOIN draw d ON d.id = ck.draw_id ORDER BY d.drawn_at, ck.task_code",
             org_id, year, err);
    if (!st) return -1;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int joint = db_col_int(st, 1) != 0;
        int64_t n = db_col_int(st, 5);
        c->checks++;
        c->targets += n;
        if (joint) c->joint_checks++, c->joint_targets += n;
        int m = atoi(db_col_text(st, 2) ? db_col_text(st, 2) : "0");
        if (m >= 1 && m <= 12) c->month[m - 1]++;
        json_t *params = json_loads(db_col_text(st, 3) ? db_col_text(st, 3) : "", 0, NULL);
        json_t *freeze = json_loads(db_col_text(st, 4) ? db_col_text(st, 4) : "", 0, NULL);
        json_t *strata = draw_strata(params, freeze);
        const char *why = NULL;
        if (figures_draw_graded(params, strata, &why)) {
            c->graded++;
            json_array_append_new(graded, json_pack("{s:s, s:s}", "task_code", db_col_text(st, 0),
                                                    "why", why ? why : ""));
        }
        json_decref(params);
        json_decref(freeze);
        json_decref(strata);
    }
    db_finalize(st);
    if (rc != DB_DONE) return set_err(err, "数据库错误: %s", db_errmsg(db));
    return 0;
}

static int load_records(Db *db, int64_t org_id, const char *year, Counts *c, json_t *result_counts,
                        char **err) {
    /* result categories in file order, counts filled below */
    Stmt *st = db_prepare(
        db,
        "SELECT code, label FROM refdata WHERE set_name = 'result_categories' ORDER BY position");
    if (!st) {
        return set_err(err, "数据库错误: %s", db_errmsg(db));
    }
    while (db_step(st) == DB_ROW)
        json_array_append_new(result_counts,
                              json_pack("{s:s, s:s, s:I}", "code", db_col_text(st, 0), "label",
                                        db_col_text(st, 1), "count", (json_int_t)0));
    db_finalize(st);
    /* one row per (result codes, findings, closed): counted in SQL, not per record; in the order
       of their first record, so codes missing from refdata are listed as they first appear */
    st = prep(db,
              CHECKS_CTE ", pc(record_id, result_codes, findings, closed) AS (SELECT "
                         "pub.record_id, pub.result_codes, "
                         "CASE WHEN pub.findings <> 0 THEN 1 ELSE 0 END, CASE WHEN EXISTS (SELECT "
                         "1 FROM followup f WHERE f.record_id = pub.record_id) AND NOT EXISTS "
                         "(SELECT 1 FROM followup f WHERE f.record_id = pub.record_id AND "
                         "f.status <> '已完结') THEN 1 ELSE 0 END FROM pub) "
                         "SELECT result_codes, findings, closed, count(*) FROM pc "
                         "GROUP BY result_codes, findings, closed ORDER BY min(record_id)",
              org_id, year, err);
    if (!st) {
        return -1;
    }
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *codes = db_col_text(st, 0) ? db_col_text(st, 0) : "";
        int finding = db_col_int(st, 1) != 0, closed = db_col_int(st, 2) != 0;
        int64_t n = db_col_int(st, 3);
        c->published += n;
        c->findings += finding ? n : 0;
        c->closed_all += closed ? n : 0;
        c->closed_findings += finding && closed ? n : 0;
        char *copy = xstrdup(codes), *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            str_trim(tok);
            if (!*tok) continue;
            size_t i;
            json_t *e, *hit = NULL;
            json_array_foreach(result_counts, i,
                               e) if (str_eq(json_string_value(json_object_get(e, "code")), tok))
                hit = e;
            if (!hit) {
                hit =
                    json_pack("{s:s, s:s, s:I}", "code", tok, "label", tok, "count", (json_int_t)0);
                json_array_append_new(result_counts, hit);
            }
            json_object_set_new(
                hit, "count", json_integer(json_integer_value(json_object_get(hit, "count")) + n));
        }
        free(copy);
    }
    db_finalize(st);
    if (rc != DB_DONE) return set_err(err, "数据库错误: %s", db_errmsg(db));
    return 0;
}

static void amount_text(int64_t cents, char out[48]) {
    snprintf(out, 48, "%lld.%02lld", (long long)(cents / 100), (long long)(cents % 100));
}

static int load_violations(Db *db, int64_t org_id, const char *year, json_t *out, char **err) {
    Stmt *st = prep(
        db,
        CHECKS_CTE
        ", vc(category, n, amount) AS (SELECT v.category, count(*), sum(v.amount_cents) FROM "
        "record_violation v "
        "JOIN pub ON pub.record_id = v.record_id WHERE v.status = '有效' GROUP BY v.category) "
        "SELECT r.code, r.attrs, r.label, coalesce(vc.n, 0), coalesce(vc.amount, 0), r.position "
        "FROM refdata r LEFT JOIN vc ON vc.category = r.code WHERE r.set_name = "
        "'violation_categories' "
        "UNION ALL SELECT vc.category, NULL, vc.category, vc.n, vc.amount, 1000000000 FROM vc "
        "WHERE NOT EXISTS "
        "(SELECT 1 FROM refdata r WHERE r.set_name = 'violation_categories' AND r.code = "
        "vc.category) "
        "ORDER BY 6, 1",
        org_id, year, err);
    if (!st) return -1;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        char amt[48];
        amount_text(db_col_int(st, 4), amt);
        char *article =
            jk_attr(db_col_text(st, 1), "article"); /* the category's attrs, read in C */
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "code",
                                             db_col_text(st, 0), "article", article ? article : "",
                                             "label", db_col_text(st, 2), "count",
                                             (json_int_t)db_col_int(st, 3), "amount_cents",
                                             (json_int_t)db_col_int(st, 4), "amount", amt));
        free(article);
    }
    db_finalize(st);
    if (rc != DB_DONE) return set_err(err, "数据库错误: %s", db_errmsg(db));
    return 0;
}

/* Coverage: the scope's institutions and pharmacies (status 正常) per kind, and of them those drawn
 * (有效) in a held draw of the year of a task of the same scope, as the other figures count (the
 * draws a county's figures see are its own tasks'). The scope's targets are added up from
 * target_count (sql/058); the year's draws are found once each (their drawn_at follows the draw
 * record in the row), then their targets are counted. `dt.target_code >= ''` (true of every row)
 * has SQLite walk each draw's targets in code order (UNIQUE(draw_id, target_code)), so the
 * targets are looked up in code order too: after an import their ids follow their codes, and 30,000
 * lookups then read neighbouring pages instead of random ones (0.65-1.3 s → 0.22 s at 1M targets
 * on a loaded machine, mostly time in pread). */
static int load_coverage(Db *db, int64_t org_id, const char *year, Counts *c, char **err) {
    Stmt *st = prep(
        db,
        SCOPE_CTE ", held(id) AS (SELECT d.id FROM draw d JOIN task t ON t.code = d.task_code "
                  "WHERE d.status = '已抽取' AND substr(d.drawn_at, 1, 4) = ?2 AND t.org_id IN "
                  "(SELECT id FROM sc)) "
                  "SELECT tg.kind, 0, sum(tg.n) FROM target_count tg WHERE (tg.kind = "
                  "'institution' OR tg.kind = 'pharmacy') AND tg.status = '正常' AND tg.org_id IN "
                  "(SELECT id FROM sc) GROUP BY tg.kind "
                  "UNION ALL SELECT tg.kind, 1, count(DISTINCT tg.code) FROM draw_target dt "
                  "JOIN target tg ON tg.code = dt.target_code WHERE dt.draw_id IN (SELECT id "
                  "FROM held) AND dt.target_code >= '' AND dt.status = '有效' AND (tg.kind = "
                  "'institution' OR tg.kind = "
                  "'pharmacy') AND tg.status = '正常' AND tg.org_id IN (SELECT id FROM sc) "
                  "GROUP BY tg.kind",
        org_id, year, err);
    if (!st) return -1;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int k = str_eq(db_col_text(st, 0), "pharmacy");
        if (db_col_int(st, 1))
            c->cov_num[k] = db_col_int(st, 2);
        else
            c->cov_den[k] = db_col_int(st, 2);
    }
    db_finalize(st);
    if (rc != DB_DONE) return set_err(err, "数据库错误: %s", db_errmsg(db));
    return 0;
}

/* Plan rows of the year covering institutions or pharmacies; *goal gets the highest ratio. */
static int load_plan_rows(Db *db, int64_t org_id, const char *year, json_t *rows, DrawRatio *goal,
                          char **goal_text, char **err) {
    Stmt *st =
        prep(db,
             SCOPE_CTE
             " SELECT p.number, pt.task_no, pt.name, pt.ratio, pt.scope_json FROM plan p "
             "JOIN plan_version v ON v.plan_id = p.id JOIN plan_task pt ON pt.version_id = v.id "
             "WHERE p.year = CAST(?2 AS INTEGER) AND p.org_id IN (SELECT id FROM sc) AND v.status "
             "= '已公开' "
             "AND v.version = (SELECT max(v2.version) FROM plan_version v2 WHERE v2.plan_id = p.id "
             "AND v2.status = '已公开') ORDER BY p.number, pt.position",
             org_id, year, err);
    if (!st) return -1;
    goal->num = 0;
    goal->den = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *scope = json_loads(db_col_text(st, 4) ? db_col_text(st, 4) : "{}", 0, NULL);
        json_t *kinds = json_object_get(scope, "kinds");
        int covers = json_array_size(kinds) == 0;
        size_t i;
        json_t *k;
        json_array_foreach(kinds, i, k) covers |=
            str_eq(json_string_value(k), "institution") || str_eq(json_string_value(k), "pharmacy");
        json_decref(scope);
        DrawRatio r;
        if (!covers || draw_ratio_parse(db_col_text(st, 3), &r)) continue;
        json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s}", "number", db_col_text(st, 0),
                                              "task_no", db_col_text(st, 1), "name",
                                              db_col_text(st, 2), "ratio", db_col_text(st, 3)));
        /* r > goal  <=>  r.num * goal.den > goal.num * r.den */
        __extension__ unsigned __int128 lhs = (unsigned __int128)r.num * goal->den,
                                        rhs = (unsigned __int128)goal->num * r.den;
        if (!goal->den || lhs > rhs) {
            *goal = r;
            free(*goal_text);
            *goal_text = xasprintf("≥ %s（年度计划抽查比例）", db_col_text(st, 3));
        }
    }
    db_finalize(st);
    if (rc != DB_DONE) return set_err(err, "数据库错误: %s", db_errmsg(db));
    return 0;
}

/* Targets drawn more than once in the year: one row per (target, check) with the target's count
 * (a window count, so the task codes are joined with 、 here rather than by an SQL string
 * aggregate), a target's rows together and its tasks in code order. */
static int load_over_cap(Db *db, int64_t org_id, const char *year, json_t *out, char **err) {
    Stmt *st = prep(
        db,
        CHECKS_CTE
        ", dup(target_code) AS (SELECT c.target_code FROM deadline_clock c WHERE c.kind = 1 AND "
        "c.draw_id IN (SELECT draw_id FROM ck) GROUP BY c.target_code HAVING count(*) > 1), "
        "oc(target_code, n, task_code) AS (SELECT c.target_code, count(*) OVER (PARTITION BY "
        "c.target_code), ck.task_code FROM dup JOIN deadline_clock c ON c.kind = 1 AND "
        "c.target_code = dup.target_code JOIN ck ON ck.draw_id = c.draw_id) "
        "SELECT oc.target_code, oc.n, oc.task_code, tg.kind, tg.name "
        "FROM oc LEFT JOIN target tg ON tg.code = oc.target_code WHERE oc.n > 1 "
        "ORDER BY oc.n DESC, oc.target_code, oc.task_code",
        org_id, year, err);
    if (!st) return -1;
    int rc;
    json_t *e = NULL;
    Buf tasks;
    buf_init(&tasks);
    while ((rc = db_step(st)) == DB_ROW) {
        const char *code = db_col_text(st, 0);
        if (e && str_eq(json_string_value(json_object_get(e, "target_code")),
                        code)) { /* the same target */
            buf_printf(&tasks, "、%s", db_col_text(st, 2) ? db_col_text(st, 2) : "");
            json_object_set_new(e, "tasks", json_string(tasks.data));
            continue;
        }
        const char *kind = db_col_text(st, 3);
        int insured = !kind || str_eq(kind, "insured"); /* unknown kind: treat as personal data */
        buf_reset(&tasks);
        buf_puts(&tasks, db_col_text(st, 2) ? db_col_text(st, 2) : "");
        buf_reserve(&tasks, 0); /* data is never NULL */
        e = json_pack("{s:s, s:I, s:s, s:s, s:s}", "target_code", code, "times",
                      (json_int_t)db_col_int(st, 1), "tasks", tasks.data, "kind", kind ? kind : "",
                      "kind_label", kind ? dir_choice_label(target_kinds, kind) : "未知");
        json_object_set_new(e, "name",
                            insured || !db_col_text(st, 4) ? json_null()
                                                           : json_string(db_col_text(st, 4)));
        json_array_append_new(out,
                              e); /* borrowed on: the array holds it while its tasks are joined */
    }
    buf_free(&tasks);
    db_finalize(st);
    if (rc != DB_DONE) return set_err(err, "数据库错误: %s", db_errmsg(db));
    return 0;
}

/* Per drawn task: the substitutions (递补) approved for officers and for targets, those refused,
 * and the re-draws, over every draw of the task — the discretion left after the draw, counted. */
static int load_substitutions(Db *db, int64_t org_id, const char *year, json_t *out, int64_t tot[4],
                              char **err) {
    Stmt *st =
        prep(db,
             CHECKS_CTE
             "SELECT ck.task_code, "
             "(SELECT count(*) FROM draw_substitution s WHERE s.task_id = ck.task_id AND s.status "
             "= '已批准' AND s.type = 'officer'), "
             "(SELECT count(*) FROM draw_substitution s WHERE s.task_id = ck.task_id AND s.status "
             "= '已批准' AND s.type = 'target'), "
             "(SELECT count(*) FROM draw_substitution s WHERE s.task_id = ck.task_id AND s.status "
             "= '已驳回'), "
             "(SELECT count(*) FROM draw d2 WHERE d2.task_code = ck.task_code AND d2.draw_no > 1) "
             "FROM ck ORDER BY ck.task_code",
             org_id, year, err);
    if (!st) return -1;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t v[4];
        for (int k = 0; k < 4; k++)
            tot[k] += v[k] = db_col_int(st, k + 1);
        json_array_append_new(out,
                              json_pack("{s:s, s:I, s:I, s:I, s:I, s:b}", "task_code",
                                        db_col_text(st, 0), "officers", (json_int_t)v[0], "targets",
                                        (json_int_t)v[1], "refused", (json_int_t)v[2], "redraws",
                                        (json_int_t)v[3], "any", v[0] + v[1] + v[2] + v[3] > 0));
    }
    db_finalize(st);
    if (rc != DB_DONE) return set_err(err, "数据库错误: %s", db_errmsg(db));
    return 0;
}

typedef struct YearArg {
    int year;
    int64_t org_id;
} YearArg;

/* figures_year_json computed (ReadcacheFn). */
static json_t *year_read(Db *db, void *arg, char **err) {
    int year = ((const YearArg *)arg)->year;
    int64_t org_id = ((const YearArg *)arg)->org_id;
    char y[8];
    snprintf(y, sizeof y, "%04d", year % 10000);
    Counts c;
    memset(&c, 0, sizeof c);
    json_t *graded = json_array(), *results = json_array(), *violations = json_array(),
           *over = json_array(), *rows = json_array();
    json_t *subs = json_array();
    int64_t sub_tot[4] = {0, 0, 0, 0};
    DrawRatio goal = {0, 0};
    char *goal_text = NULL;
    if (load_checks(db, org_id, y, &c, graded, err) ||
        load_records(db, org_id, y, &c, results, err) ||
        load_violations(db, org_id, y, violations, err) || load_coverage(db, org_id, y, &c, err) ||
        load_plan_rows(db, org_id, y, rows, &goal, &goal_text, err) ||
        load_over_cap(db, org_id, y, over, err) ||
        load_substitutions(db, org_id, y, subs, sub_tot, err)) {
        json_decref(graded), json_decref(results), json_decref(violations), json_decref(over),
            json_decref(rows);
        json_decref(subs);
        free(goal_text);
        return NULL;
    }
    char *org_name = NULL;
    if (db_query_text(db, &org_name, "SELECT name FROM org WHERE id = ?", "i", org_id) != DB_OK)
        org_name = NULL; /* display only: the page shows no org name */

    json_t *f = json_array();
    const char *seed2 = "邢台市《实施方案》二(二)（000）",
               *seed3 = "邢台市《实施方案》二(三)（000）";
    add_figure(f, "checks_joint", "联合抽查占比", c.joint_checks, c.checks, FIGURES_GOAL_JOINT_PCT,
               100, "≥ 60%",
               "分子：本年度已抽取的抽查任务中，至少有一个联合部门“已确认”的任务数；分母：本范围内"
               "本年度已抽取（摇号日期在本年）的抽查任务数。",
               seed2);
    add_figure(f, "targets_joint", "联合抽查对象占比", c.joint_targets, c.targets,
               FIGURES_GOAL_JOINT_TARGETS_PCT, 100, "≥ 50%",
               "分子：联合抽查任务中抽中且有效的检查对象户次；分母：全部已抽取任务中抽中且有效的检"
               "查对象户次（同一对象被两次抽中计两次）。",
               seed2);
    add_figure(f, "checks_graded", "运用信用风险分类结果的抽查占比", c.graded, c.checks,
               FIGURES_GOAL_GRADED_PCT, 100, "≥ 90%",
               "分子：按信用风险等级分层且各等级适用不同抽查比例或最低数量的抽查，或只抽取部分信用"
               "风险等级对象的抽查（依据冻结的抽取参数和抽取记录）；"
               "各等级同一比例的分层抽取不计入。分母：本年度已抽取的抽查任务数。",
               seed3);
    char *cov_goal = goal_text ? goal_text : NULL;
    add_figure(f, "coverage", "定点医药机构年度抽查覆盖率", c.cov_num[0] + c.cov_num[1],
               c.cov_den[0] + c.cov_den[1], goal.num, goal.den, cov_goal,
               "分子：本年度在任一已抽取的抽查中被抽中（有效）的定点医疗机构和定点零售药店数；分母"
               "：本范围内状态为“正常”的定点医疗机构和定点零售药店数。"
               "目标：本年度已公开年度抽查计划中覆盖定点医药机构的任务行的最高抽查比例；无此类任务"
               "行时不设目标。",
               "年度抽查工作计划（已公开版本）");
    add_figure(f, "coverage_institution", "其中：定点医疗机构覆盖率", c.cov_num[0], c.cov_den[0], 0,
               0, NULL, "分子：本年度被抽中的定点医疗机构数；分母：状态为“正常”的定点医疗机构数。",
               "检查对象名录库");
    add_figure(f, "coverage_pharmacy", "其中：定点零售药店覆盖率", c.cov_num[1], c.cov_den[1], 0, 0,
               NULL, "分子：本年度被抽中的定点零售药店数；分母：状态为“正常”的定点零售药店数。",
               "检查对象名录库");
    add_figure(
        f, "completion", "检查结果公示率", c.published, c.targets, 0, 0, NULL,
        "分子：抽中且有效的检查对象中，检查记录“已公示”的户次；分母：抽中且有效的检查对象户次。",
        "检查记录（一企一表）");
    add_figure(f, "findings", "发现问题率", c.findings, c.published, 0, 0, NULL,
               "分子：公示时认定发现问题的记录数（结果类别属于“发现问题”类或“不配合检查情节严重”，"
               "或记有违法行为）；分母：已公示记录数。",
               "检查记录（一企一表）");
    add_figure(f, "closure_findings", "发现问题的后续处置完结率", c.closed_findings, c.findings, 0,
               0, NULL,
               "分子：发现问题的已公示记录中，至少有一项后续处置且全部“已完结”的记录数；分母：发现"
               "问题的已公示记录数。",
               "后续处置");
    add_figure(f, "closure_all", "后续处置完结率（全部已公示记录）", c.closed_all, c.published, 0,
               0, NULL,
               "分子：至少有一项后续处置且全部“已完结”的已公示记录数；分母：全部已公示记录数。",
               "后续处置");

    json_t *months = json_array();
    for (int m = 0; m < 12; m++) {
        char mm[3], label[16];
        snprintf(mm, sizeof mm, "%02d", m + 1);
        snprintf(label, sizeof label, "%d月", m + 1);
        json_array_append_new(months, json_pack("{s:s, s:s, s:I}", "month", mm, "label", label,
                                                "checks", (json_int_t)c.month[m]));
    }
    json_t *counts = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "checks", (json_int_t)c.checks,
        "joint_checks", (json_int_t)c.joint_checks, "targets", (json_int_t)c.targets,
        "joint_targets", (json_int_t)c.joint_targets, "graded", (json_int_t)c.graded, "published",
        (json_int_t)c.published, "findings", (json_int_t)c.findings, "closed_findings",
        (json_int_t)c.closed_findings, "closed_all", (json_int_t)c.closed_all);
    json_t *out =
        json_pack("{s:i, s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "year", year, "org_id",
                  (json_int_t)org_id, "org_name", org_name ? org_name : "", "counts", counts,
                  "figures", f, "months", months, "result_counts", results, "violation_counts",
                  violations, "over_cap", over, "plan_rows", rows, "graded", graded);
    json_object_set_new(out, "substitutions", subs);
    json_object_set_new(out, "substitution_totals",
                        json_pack("{s:I, s:I, s:I, s:I}", "officers", (json_int_t)sub_tot[0],
                                  "targets", (json_int_t)sub_tot[1], "refused",
                                  (json_int_t)sub_tot[2], "redraws", (json_int_t)sub_tot[3]));
    free(org_name);
    free(goal_text);
    return out;
}

json_t *figures_year_json(Db *db, int year, int64_t org_id, char **err) {
    YearArg a = {year, org_id};
    char key[64];
    snprintf(key, sizeof key, "figures/%d/%lld", year, (long long)org_id);
    return readcache_get(db, key, year_read, &a, err);
}

int figures_draw_years(Db *db, int64_t org_id, int *years, int max) {
    int n = 0;
    Stmt *st = db_prepare(db, "SELECT DISTINCT CAST(substr(d.drawn_at, 1, 4) AS INTEGER) FROM draw "
                              "d JOIN task t ON t.code = d.task_code "
                              "WHERE d.status = '已抽取' AND d.drawn_at IS NOT NULL AND " SCOPE_SQL(
                                  "t.org_id") " ORDER BY 1 DESC LIMIT ?");
    if (!st) return 0;
    db_bind_int(st, 1, org_id);
    db_bind_int(st, 2, max);
    while (n < max && db_step(st) == DB_ROW)
        years[n++] = (int)db_col_int(st, 0);
    db_finalize(st);
    return n;
}

int figures_export_audit(Db *db, const Actor *who, int year, char **err) {
    char after[32];
    snprintf(after, sizeof after, "{\"year\":%d}", year);
    return uow_record(db, who, "export.figures", "figures", year, 0, NULL, after, err);
}
