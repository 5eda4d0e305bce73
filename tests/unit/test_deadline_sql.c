/* test_deadline_sql.c - the SQL collector of the deadline clocks (DlSet, deadline_query.c) against
 * the collector that builds and evaluates every clock (deadline_collect and its views). A small
 * database holds clocks of every kind in every state — result entry and publication of drawn
 * targets with and without records, submitted and published by event day or by timestamp, joint
 * confirmations, penalties (the default 7 days and an option with its own days; an option without
 * days gives none), follow-ups and rectifications, provisional deadlines in a year without a
 * notice and unknown ones beyond the calendar, replaced targets, experts and replaced members, a
 * voided draw and a second org — and on several days the two must give exactly the same counts,
 * the same clocks in the same order (every state, every page), the same officer's clocks and the
 * same overdue groups with the same clocks. */
#include "core/util.h"
#include "domain/deadline.h"
#include "domain/refdata_store.h"
#include "domain/task.h"

#include "t.h"

#include <stdlib.h>
#include <unistd.h>

static Calendar *cal;
static char dir[] = "/tmp/spotcheck-test-deadline-sql-XXXXXX";

static unsigned long long rnd_state = 20261206;
static int rnd(int n) {
    rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (int)((rnd_state >> 33) % (unsigned long long)n);
}

/* A day between 2025-11-01 and 2026-05-31 (a few fixed ones are further out). */
static void some_day(char out[40]) {
    static const int mdays[] = {30, 31, 31, 28, 31, 30, 31};
    int m = rnd(7), d = 1 + rnd(mdays[m]);
    int month = 11 + m, year = 2025;
    if (month > 12) month -= 12, year = 2026;
    snprintf(out, 40, "%04d-%02d-%02d", year, month, d);
}

/* A day 0..40 days after `from` (month arithmetic kept simple: days 1..28). */
static void day_after(const char *from, char out[40]) {
    int y = 2026, m = 1, d = 1;
    if (sscanf(from, "%d-%d-%d", &y, &m, &d) != 3 || y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
        y = 2026, m = 1, d = 1;
    d += rnd(41);
    while (d > 28) {
        d -= 28;
        if (++m > 12) m = 1, y++;
    }
    snprintf(out, 40, "%04d-%02d-%02d", y, m, d);
}

static void exec(Db *db, const char *sql) {
    if (db_exec(db, sql, NULL) != DB_OK)
        fprintf(stderr, "SQL failed: %s\n%s\n", db_errmsg(db), sql);
}

static Db *build_db(void) {
    char path[128], *err = NULL;
    snprintf(path, sizeof path, "%s/d.db", dir);
    Db *db = db_open(path, 1, &err);
    if (!db) fprintf(stderr, "db_open: %s\n", err);
    free(err);
    if (!db) return NULL;
    if (refdata_store_defaults(db, "t", &err) != DB_OK) fprintf(stderr, "refdata: %s\n", err);
    free(err);
    exec(db, t_foreign_keys_off_sql());
    /* an option with its own publication days, and one with a decision but no days */
    exec(db, "UPDATE refdata SET attrs = '{\"publish_workdays\":\"3\"}' WHERE set_name = "
             "'disposal_options' AND code = 'other'");
    exec(db, "INSERT INTO org(id, code, name, parent_id) VALUES (1, '130500', '邢台市', NULL), "
             "(2, '130528', '宁晋县', 1), (3, '130502', '襄都区', 1)");
    exec(db,
         "INSERT INTO dept(id, org_id, code, name, kind) VALUES (1, 2, 'D1', '基金监管股', "
         "'本局科室'), (2, 2, 'WJ', '卫生健康局', '外部门'), (3, 3, 'D3', '稽核科', '本局科室'), "
         "(4, 2, 'SC', '市场监管局', '外部门')");
    Buf b;
    buf_init(&b);
    for (int i = 0; i < 8; i++) {
        buf_reset(&b);
        buf_printf(&b,
                   "INSERT INTO officer(org_id, dept_id, name, cert_no, cert_valid_from, "
                   "cert_valid_to, region) VALUES (%d, %d, '执法员%d', 'YB%03d', '2024-01-01', "
                   "'2030-12-31', '130528')",
                   i < 6 ? 2 : 3, i < 6 ? 1 + (i % 2) * 0 : 3, i, i);
        exec(db, b.data);
    }
    /* tasks: two of the county (one without a lead dept), one of the district; a task whose month
       runs into the provisional year and one far beyond the calendar */
    static const struct {
        int id, org;
        const char *code, *month_to, *lead;
    } tasks[] = {{1, 2, "T-A", "2026-01", "1"},
                 {2, 2, "T-B", "2025-12", "NULL"},
                 {3, 3, "T-C", "2026-02", "3"},
                 {4, 2, "T-D", "2027-01", "1"},
                 {5, 2, "T-E", "2199-01", "1"}};
    for (size_t t = 0; t < sizeof tasks / sizeof *tasks; t++) {
        buf_reset(&b);
        buf_printf(&b,
                   "INSERT INTO task(id, org_id, code, adhoc_id, name, kind, ratio, month_from, "
                   "month_to, lead_dept_id) VALUES (%d, %d, '%s', %d, '任务%s', '临时', '1', "
                   "'2025-01', '%s', %s)",
                   tasks[t].id, tasks[t].org, tasks[t].code, tasks[t].id, tasks[t].code,
                   tasks[t].month_to, tasks[t].lead);
        exec(db, b.data);
        /* a voided earlier draw (ignored), then the current one */
        for (int no = 1; no <= 2; no++) {
            buf_reset(&b);
            buf_printf(&b,
                       "INSERT INTO draw(id, task_code, draw_no, status, draw_date, params, "
                       "population_sha256, population_count, officers_sha256, commitment, secret, "
                       "randomness_source, freeze_json, freeze_sha256, frozen_at, drawn_at) VALUES "
                       "(%d, '%s', %d, '%s', '2025-06-01', '{}', 'x', 1, 'x', 'x', 'x', 'x', '{}', "
                       "'x', '2025-06-01 09:00:00', '2025-06-01 10:00:00')",
                       tasks[t].id * 10 + no, tasks[t].code, no, no == 1 ? "已作废" : "已抽取");
            exec(db, b.data);
        }
    }
    /* joint depts: confirmed in time, confirmed late, open in every state */
    exec(db, "INSERT INTO task_joint(task_id, dept_id, named_on, confirmed_on) VALUES "
             "(1, 2, '2026-03-02', '2026-03-03'), (1, 4, '2026-03-02', '2026-03-09'), "
             "(2, 2, '2026-03-05', NULL), (2, 4, '2026-03-06', NULL), (3, 2, '2026-03-09', NULL), "
             "(4, 2, '2026-12-30', NULL), (5, 4, '2199-05-01', NULL)");
    /* drawn targets with groups, records, events and follow-ups */
    int position = 0, record_id = 0, fu_id = 0;
    for (int t = 1; t <= 5; t++) {
        int n = t == 5 ? 3 : t == 4 ? 6 : 40;
        for (int i = 0; i < n; i++) {
            char code[32], name[64];
            int insured = i % 7 == 3;
            snprintf(code, sizeof code, "%s%d%03d", insured ? "R" : "H", t, i);
            snprintf(name, sizeof name, "%s对象%d-%03d", insured ? "张" : "医院", t, i);
            buf_reset(&b);
            buf_printf(&b,
                       "INSERT INTO target(org_id, kind, code, name, region) VALUES "
                       "(%d, '%s', '%s', '%s', '130528') ON CONFLICT DO NOTHING",
                       t == 3 ? 3 : 2, insured ? "insured" : "institution", code, name);
            exec(db, b.data);
            int draw_id = t * 10 + 2;
            /* the voided draw holds the same target: never counted */
            buf_reset(&b);
            buf_printf(&b,
                       "INSERT INTO draw_target(draw_id, position, target_code, stratum, ticket, "
                       "origin, status) VALUES (%d, %d, '%s', 'B', 'x', '抽中', '有效'), (%d, %d, "
                       "'%s', 'B', 'x', '抽中', '%s')",
                       draw_id - 1, position + 1, code, draw_id, position + 2, code,
                       i % 13 == 5 ? "已替换" : "有效");
            exec(db, b.data);
            position += 2;
            int o1 = rnd(6), o2 = (o1 + 1 + rnd(5)) % 6;
            if (t == 3) o1 = 6, o2 = 7;
            buf_reset(&b);
            buf_printf(&b,
                       "INSERT INTO draw_member(draw_id, target_code, member_code, role, status) "
                       "VALUES (%d, '%s', 'YB%03d', '组长', '在组'), (%d, '%s', 'YB%03d', '组员', "
                       "'%s'), (%d, '%s', 'EX01', '专家', '在组'), (%d, '%s', 'NOBODY', '组员', "
                       "'在组')",
                       draw_id, code, o1, draw_id, code, o2, i % 11 == 4 ? "已替换" : "在组",
                       draw_id, code, draw_id, code);
            exec(db, b.data);
            int kind = rnd(6); /* 0: no record; 1: 待录入; 2: 待审核; 3: 审核通过; 4/5: 已公示 */
            if (t == 5 && i == 0) kind = 1;
            if (!kind) continue;
            char checked[40], submitted[40], published[40];
            some_day(checked);
            if (t == 5) snprintf(checked, sizeof checked, "2199-03-01");
            if (t == 4) snprintf(checked, sizeof checked, "2026-12-%02d", 10 + i);
            day_after(checked, submitted);
            day_after(submitted, published);
            static const char *const status[] = {"",         "待录入", "待审核",
                                                 "审核通过", "已公示", "已公示"};
            int no_check = rnd(5) == 0;
            buf_reset(&b);
            buf_printf(&b,
                       "INSERT INTO record(id, task_id, draw_id, org_id, target_code, status, "
                       "checked_on, submitted_at, published_at) VALUES (%d, %d, %d, %d, '%s', "
                       "'%s', %s%s%s, %s%s%s, %s%s%s)",
                       ++record_id, t, draw_id, t == 3 ? 3 : 2, code, status[kind],
                       no_check ? "" : "'", no_check ? "NULL" : checked, no_check ? "" : "'",
                       kind >= 2 ? "'" : "", kind >= 2 ? submitted : "NULL",
                       kind >= 2 ? " 10:00:00'" : "", kind >= 4 ? "'" : "",
                       kind >= 4 ? published : "NULL", kind >= 4 ? " 09:00:00'" : "");
            exec(db, b.data);
            if (kind >= 2 && rnd(2)) { /* the event day wins over the timestamp */
                char ev[40];
                day_after(checked, ev);
                buf_reset(&b);
                buf_printf(&b,
                           "INSERT INTO record_event(record_id, action, from_status, to_status, "
                           "on_day) VALUES (%d, '提交', '待录入', '待审核', '%s')",
                           record_id, ev);
                exec(db, b.data);
                if (kind >= 4) {
                    day_after(ev, ev);
                    buf_reset(&b);
                    buf_printf(&b,
                               "INSERT INTO record_event(record_id, action, from_status, "
                               "to_status, on_day) VALUES (%d, '公示', '审核通过', '已公示', '%s')",
                               record_id, ev);
                    exec(db, b.data);
                }
            }
            if (kind >= 4) { /* one follow-up per record */
                static const char *const options[] = {"penalty", "rectify", "other", "notify",
                                                      "none"};
                const char *opt = options[rnd(5)];
                char opened[40], dec[40], pub[40], rect[40], re[40], out[40];
                day_after(published, opened);
                day_after(opened, dec);
                day_after(dec, pub);
                day_after(opened, rect);
                day_after(rect, re);
                day_after(opened, out);
                int has_pub = rnd(2), has_re = rnd(2), has_out = rnd(3) == 0;
                buf_reset(&b);
                buf_printf(
                    &b,
                    "INSERT INTO followup(id, record_id, org_id, option, opened_on, "
                    "decision_on, penalty_published_on, rectify_deadline, recheck_on, "
                    "outcome_on) VALUES (%d, %d, %d, '%s', '%s', '%s', %s%s%s, %s%s%s, "
                    "%s%s%s, %s%s%s)",
                    ++fu_id, record_id, t == 3 ? 3 : 2, opt, opened,
                    str_eq(opt, "rectify") || str_eq(opt, "none") ? "" : dec, has_pub ? "'" : "",
                    has_pub ? pub : "NULL", has_pub ? "'" : "", str_eq(opt, "rectify") ? "'" : "",
                    str_eq(opt, "rectify") ? rect : "NULL", str_eq(opt, "rectify") ? "'" : "",
                    has_re ? "'" : "", has_re ? re : "NULL", has_re ? "'" : "", has_out ? "'" : "",
                    has_out ? out : "NULL", has_out ? "'" : "");
                exec(db, b.data);
            }
        }
    }
    buf_free(&b);
    return db;
}

/* The clocks of `clocks` passing f, as deadline_collect's views select them. */
static json_t *old_filter(const json_t *clocks, const DlFilter *f) {
    json_t *out = json_array(), *c;
    size_t i;
    json_array_foreach(clocks, i, c) {
        int s = deadline_state_parse(json_string_value(json_object_get(c, "state"))),
            k = deadline_kind_parse(json_string_value(json_object_get(c, "kind")));
        if (f->states && !(f->states & (1u << s))) continue;
        if (f->kind >= 0 && k != f->kind) continue;
        if (f->dept_id) {
            json_t *d = json_array_get(json_object_get(c, "depts"), 0);
            if (json_integer_value(json_object_get(d, "id")) != f->dept_id) continue;
        }
        json_array_append(out, c);
    }
    return out;
}

/* Equal arrays of clocks; reports the first difference. */
static int same_clocks(const json_t *a, const json_t *b, const char *what) {
    if (json_array_size(a) != json_array_size(b)) {
        fprintf(stderr, "%s: %zu clocks, expected %zu\n", what, json_array_size(b),
                json_array_size(a));
        return 0;
    }
    for (size_t i = 0; i < json_array_size(a); i++)
        if (!json_equal(json_array_get(a, i), json_array_get(b, i))) {
            char *x = json_dumps(json_array_get(a, i), JSON_SORT_KEYS | JSON_COMPACT),
                 *y = json_dumps(json_array_get(b, i), JSON_SORT_KEYS | JSON_COMPACT);
            fprintf(stderr, "%s: clock %zu differs\n old %s\n new %s\n", what, i, x, y);
            free(x);
            free(y);
            return 0;
        }
    return 1;
}

static int n_states_seen[DL_STATE_COUNT], n_kinds_seen[DL_KIND_COUNT];

static void compare_on(Db *db, int64_t scope, const char *today) {
    char *err = NULL, what[96];
    json_t *clocks = deadline_collect(db, cal, scope, NULL, today, &err);
    CHECK(clocks != NULL);
    DlSet *set = deadline_set_open(db, cal, scope, today, &err);
    CHECK(set != NULL);
    if (!clocks || !set) {
        fprintf(stderr, "%s\n", err ? err : "");
        free(err);
        json_decref(clocks);
        deadline_set_free(set);
        return;
    }
    size_t i;
    json_t *c;
    json_array_foreach(clocks, i, c) {
        n_states_seen[deadline_state_parse(json_string_value(json_object_get(c, "state")))]++;
        n_kinds_seen[deadline_kind_parse(json_string_value(json_object_get(c, "kind")))]++;
    }
    /* counts */
    json_t *oc = deadline_counts(clocks), *nc = deadline_set_counts(set, &err);
    snprintf(what, sizeof what, "counts scope %lld on %s", (long long)scope, today);
    CHECK(json_equal(oc, nc));
    if (!json_equal(oc, nc)) {
        char *x = json_dumps(oc, JSON_COMPACT), *y = json_dumps(nc, JSON_COMPACT);
        fprintf(stderr, "%s\n old %s\n new %s\n", what, x, y);
        free(x);
        free(y);
    }
    json_decref(oc);
    json_decref(nc);
    /* every clock, then every state and kind, whole and in pages of 7 */
    json_t *all = deadline_set_page(set, NULL, 0, -1, &err);
    snprintf(what, sizeof what, "all clocks scope %lld on %s", (long long)scope, today);
    CHECK(same_clocks(clocks, all, what));
    json_decref(all);
    for (int s = -1; s < DL_STATE_COUNT; s++)
        for (int k = -1; k < DL_KIND_COUNT; k += (s == -1 ? 1 : DL_KIND_COUNT + 1)) {
            DlFilter f = {s < 0 ? 0u : 1u << s, k, NULL, 0};
            json_t *want = old_filter(clocks, &f);
            int64_t n = -1;
            CHECK_INT(deadline_set_count(set, &f, &n, &err), DB_OK);
            CHECK_INT(n, json_array_size(want));
            for (size_t off = 0; off < json_array_size(want) || off == 0; off += 7) {
                json_t *page = deadline_set_page(set, &f, (int64_t)off, 7, &err),
                       *slice = json_array();
                for (size_t j = off; j < off + 7 && j < json_array_size(want); j++)
                    json_array_append(slice, json_array_get(want, j));
                snprintf(what, sizeof what, "state %d kind %d offset %zu scope %lld on %s", s, k,
                         off, (long long)scope, today);
                CHECK(same_clocks(slice, page, what));
                json_decref(page);
                json_decref(slice);
            }
            json_decref(want);
        }
    /* the dashboard's three lists in one pass: each the slice of its state's clocks */
    static const DlState three[3] = {DL_OVERDUE, DL_DUE_TODAY, DL_DUE_SOON};
    for (int64_t off = 0; off <= 6; off += 3) {
        int64_t offs[3] = {off, 0, off / 3};
        json_t *lists = deadline_set_pages(set, three, offs, 3, 3, &err);
        CHECK(lists && json_array_size(lists) == 3);
        for (size_t l = 0; lists && l < 3; l++) {
            DlFilter f = {1u << three[l], -1, NULL, 0};
            json_t *want = old_filter(clocks, &f), *slice = json_array();
            for (size_t j = (size_t)offs[l]; j < (size_t)offs[l] + 3 && j < json_array_size(want);
                 j++)
                json_array_append(slice, json_array_get(want, j));
            snprintf(what, sizeof what, "list %zu offset %lld scope %lld on %s", l,
                     (long long)offs[l], (long long)scope, today);
            CHECK(same_clocks(slice, json_array_get(lists, l), what));
            json_decref(slice);
            json_decref(want);
        }
        json_decref(lists);
    }
    /* overdue groups and each group's clocks */
    for (int by = 0; by < 2; by++) {
        const char *how = by ? "dept" : "officer";
        json_t *og = deadline_overdue_by(clocks, how),
               *ng = deadline_set_overdue_by(set, how, &err);
        CHECK_INT(json_array_size(ng), json_array_size(og));
        json_t *g;
        json_array_foreach(og, i, g) {
            json_t *h = json_array_get(ng, i), *gc = json_object_get(g, "clocks");
            json_t *copy = json_deep_copy(g);
            json_object_del(copy, "clocks");
            snprintf(what, sizeof what, "%s group %zu scope %lld on %s", how, i, (long long)scope,
                     today);
            CHECK(json_equal(copy, h));
            if (!json_equal(copy, h)) {
                char *x = json_dumps(copy, JSON_SORT_KEYS | JSON_COMPACT),
                     *y = json_dumps(h, JSON_SORT_KEYS | JSON_COMPACT);
                fprintf(stderr, "%s\n old %s\n new %s\n", what, x, y);
                free(x);
                free(y);
            }
            json_decref(copy);
            DlFilter f = {1u << DL_OVERDUE, -1,
                          by ? NULL : json_string_value(json_object_get(g, "cert_no")),
                          by ? json_integer_value(json_object_get(g, "id")) : 0};
            json_t *page = deadline_set_page(set, &f, 0, -1, &err);
            CHECK(same_clocks(gc, page, what));
            json_decref(page);
        }
        json_decref(og);
        json_decref(ng);
    }
    /* an officer's own clocks (deadline_collect's only_cert) */
    for (int o = 0; o < 8; o++) {
        char cert[40];
        snprintf(cert, sizeof cert, "YB%03d", o);
        json_t *want = deadline_collect(db, cal, scope, cert, today, &err);
        DlFilter f = {0, -1, cert, 0};
        json_t *got = deadline_set_page(set, &f, 0, -1, &err);
        snprintf(what, sizeof what, "officer %s scope %lld on %s", cert, (long long)scope, today);
        CHECK(want && got && same_clocks(want, got, what));
        json_decref(want);
        json_decref(got);
    }
    json_decref(clocks);
    deadline_set_free(set);
}

static void test_sql_matches_collect(void) {
    Db *db = build_db();
    CHECK(db != NULL);
    if (!db) return;
    static const char *const days[] = {"2025-12-15", "2026-02-27", "2026-03-10",
                                       "2026-03-19", "2026-04-20", "2026-07-01"};
    for (size_t d = 0; d < sizeof days / sizeof *days; d++) {
        compare_on(db, 0, days[d]);
        compare_on(db, 2, days[d]);
    }
    compare_on(db, 3, "2026-03-10");
    compare_on(db, 1, "2026-03-10");
    /* the case covers every state and kind */
    for (int s = 0; s < DL_STATE_COUNT; s++) {
        if (!n_states_seen[s]) fprintf(stderr, "no clock in state %s\n", deadline_state_code(s));
        CHECK(n_states_seen[s] > 0);
    }
    for (int k = 0; k < DL_KIND_COUNT; k++)
        CHECK(n_kinds_seen[k] > 0);
    db_close(db);
}

int main(void) {
    char *err = NULL;
    cal = task_calendar_load(NULL, &err);
    if (!cal || !mkdtemp(dir)) {
        fprintf(stderr, "calendar: %s\n", err ? err : "?");
        free(err);
        return 1;
    }
    RUN(test_sql_matches_collect);
    calendar_free(cal);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return T_DONE();
}
