/* test_followup.c - the rules of src/domain/followup.c: options driven by the attributes of the
 * real data/disposal_options.tsv (never a list in C), validation per option, the closure rule,
 * amounts typed in yuan, and deadlines over the real holidays (the 7-working-day publication of
 * a penalty decision across the National Day holiday); then, on a database, what counts as a
 * finding, 待处置, open → edit (versions, optimistic lock) → publish → close, and "closed?". */
#include "core/embed.h"
#include "core/util.h"
#include "domain/credit.h"
#include "domain/followup.h"
#include "domain/refdata.h"
#include "domain/refdata_store.h"
#include "domain/task.h"

#include "t.h"

#include <stdlib.h>
#include <unistd.h>

static Calendar *cal;
static RefTable *options;

/* Option `code` from the embedded data file, through the same attribute names the store uses. */
static FuOption opt(const char *code) {
    FuOption o;
    memset(&o, 0, sizeof o);
    for (size_t i = 0; i < options->nrows; i++) {
        if (strcmp(refdata_get(options, i, "code"), code) != 0) continue;
        snprintf(o.code, sizeof o.code, "%s", code);
        refdata_flag(refdata_get(options, i, "needs_deadline"), &o.needs_deadline);
        refdata_flag(refdata_get(options, i, "needs_recheck"), &o.needs_recheck);
        refdata_flag(refdata_get(options, i, "needs_decision"), &o.needs_decision);
        refdata_flag(refdata_get(options, i, "needs_amount"), &o.needs_amount);
        refdata_flag(refdata_get(options, i, "needs_receiver"), &o.needs_receiver);
        o.publish_workdays = atoi(refdata_get(options, i, "publish_workdays"));
    }
    return o;
}

static int has(json_t *errors, const char *field) {
    return json_object_get(errors, field) != NULL;
}

static void test_options_from_data(void) {
    FuOption r = opt("rectify"), p = opt("penalty"), t = opt("judicial"), n = opt("none");
    CHECK(r.needs_deadline && r.needs_recheck && !r.needs_decision);
    CHECK(p.needs_decision && p.needs_amount && p.publish_workdays == 7);
    CHECK(t.needs_receiver && !t.needs_decision);
    CHECK(!n.needs_deadline && !n.needs_receiver && !n.publish_workdays);
}

static void test_validate(void) {
    const char *today = "2025-09-26";
    FuOption r = opt("rectify"), p = opt("penalty"), t = opt("transfer"), other = opt("other");
    json_t *e = json_object();
    FuState s = {0};
    CHECK_INT(followup_validate(&r, &s, NULL, today, e), 1);
    CHECK(has(e, "rectify_deadline"));
    json_object_clear(e);
    s.rectify_deadline = "2025-09-26"; /* today is not after today */
    CHECK_INT(followup_validate(&r, &s, NULL, today, e), 1);
    CHECK_STR(json_string_value(json_object_get(e, "rectify_deadline")), "整改期限应晚于今天");
    json_object_clear(e);
    s.rectify_deadline = "2025-10-31";
    CHECK_INT(followup_validate(&r, &s, NULL, today, e), 0);
    /* an unchanged deadline is not re-checked against today on a later edit */
    FuState prev = {.rectify_deadline = "2025-09-20"};
    s.rectify_deadline = "2025-09-20";
    CHECK_INT(followup_validate(&r, &s, &prev, today, e), 0);
    /* recheck: date and result together, not in the future */
    s.recheck_result = "已整改到位";
    CHECK_INT(followup_validate(&r, &s, &prev, today, e), 1);
    CHECK(has(e, "recheck_on"));
    json_object_clear(e);
    s.recheck_on = "2025-09-27";
    CHECK_INT(followup_validate(&r, &s, &prev, today, e), 1);
    json_object_clear(e);
    s.recheck_on = "2025-09-25";
    CHECK_INT(followup_validate(&r, &s, &prev, today, e), 0);

    FuState q = {0};
    /* opened before the decision is made: nothing of it yet is fine */
    CHECK_INT(followup_validate(&p, &q, NULL, today, e), 0);
    /* any part of the decision asks for all of it */
    q.decision_no = "宁医保罚〔2025〕3号";
    CHECK_INT(followup_validate(&p, &q, NULL, today, e), 2);
    CHECK(has(e, "decision_on") && has(e, "amount") && !has(e, "decision_no"));
    json_object_clear(e);
    q.decision_no = NULL;
    q.amount = "500";
    CHECK_INT(followup_validate(&p, &q, NULL, today, e), 2);
    CHECK(has(e, "decision_no") && has(e, "decision_on"));
    json_object_clear(e);
    /* a decision once recorded cannot be cleared by an edit */
    FuState decided = {.decision_no = "宁医保罚〔2025〕1号",
                       .decision_on = "2025-09-20",
                       .amount = "100"},
            cleared = {0};
    CHECK_INT(followup_validate(&p, &cleared, &decided, today, e), 3);
    json_object_clear(e);
    q.decision_no = "宁医保罚〔2025〕3号";
    q.decision_on = "2025-09-27";
    q.amount = "12,34";
    CHECK_INT(followup_validate(&p, &q, NULL, today, e), 2);
    CHECK_STR(json_string_value(json_object_get(e, "decision_on")), "决定日期不能晚于今天");
    json_object_clear(e);
    q.decision_on = "2025-09-26";
    q.amount = "12,345.60";
    CHECK_INT(followup_validate(&p, &q, NULL, today, e), 0);

    FuState x = {0};
    CHECK_INT(followup_validate(&t, &x, NULL, today, e), 1);
    CHECK(has(e, "receiver"));
    json_object_clear(e);
    CHECK_INT(followup_validate(&other, &x, NULL, today, e), 0);
    json_decref(e);
}

static void test_close_rule(void) {
    FuOption r = opt("rectify"), p = opt("penalty"), t = opt("case"), n = opt("none");
    json_t *why = json_array();
    FuState s = {0};
    CHECK_INT(followup_close_blockers(&n, &s, 0, 0, why), 1); /* the outcome is always needed */
    CHECK_STR(json_string_value(json_array_get(why, 0)), "尚未填写处置结果");
    s.outcome = "已约谈";
    CHECK_INT(followup_close_blockers(&n, &s, 0, 0, NULL), 0);
    s.rectify_deadline = "2025-10-31";
    CHECK_INT(followup_close_blockers(&r, &s, 0, 0, NULL), 1); /* not re-checked */
    s.recheck_on = "2025-11-03";
    s.recheck_result = "已整改";
    CHECK_INT(followup_close_blockers(&r, &s, 0, 0, NULL), 0);
    FuState pending = {.outcome = "已处罚"};
    CHECK_INT(followup_close_blockers(&p, &pending, 0, 0, why),
              2); /* no decision yet, so not published */
    char *text = json_dumps(why, 0);
    CHECK(text && strstr(text, "尚未填写处罚决定") != NULL);
    free(text);
    json_array_clear(why);
    FuState q = {.outcome = "已处罚", .decision_no = "X", .decision_on = "2025-09-26"};
    CHECK_INT(followup_close_blockers(&p, &q, 0, 0, NULL), 1); /* not published */
    q.penalty_published_on = "2025-10-14";
    CHECK_INT(followup_close_blockers(&p, &q, 0, 0, NULL), 0);
    FuState x = {.outcome = "已移送", .receiver = "县市场监管局"};
    CHECK_INT(followup_close_blockers(&t, &x, 0, 0, NULL), 1); /* no transfer yet */
    CHECK_INT(followup_close_blockers(&t, &x, 2, 1, NULL), 1); /* one without feedback */
    CHECK_INT(followup_close_blockers(&t, &x, 2, 0, NULL), 0);
    json_decref(why);
}

static void test_deadlines(void) {
    char out[11] = "";
    /* decision on Fri 2025-09-26: 09-28 (Sun, 调休上班) 09-29 09-30, holiday 10-01..10-08, 10-09
       10-10 10-11 (Sat, 调休上班) 10-13: the 7th working day */
    CHECK_INT(followup_publish_due(cal, "2025-09-26", 7, out), CAL_OK);
    CHECK_STR(out, "2025-10-13");
    CHECK_INT(followup_publish_due(cal, "2025-06-03", 7, out), CAL_OK);
    CHECK_STR(out, "2025-06-12");
    /* the outcome: 20 working days after opening; Mon 2025-06-02 is the Dragon Boat holiday */
    CHECK_INT(followup_outcome_due(cal, "2025-05-30", out), CAL_OK);
    CHECK_STR(out, "2025-06-30"); /* 06-03 is the 1st, 06-30 the 20th */
    /* into the year after the notices: counted with the statutory holidays, provisional */
    CHECK_INT(followup_publish_due(cal, "2026-12-25", 7, out), CAL_PROVISIONAL);
    CHECK_STR(out, "2027-01-06"); /* 12-28..12-31, 元旦 off, 01-04..01-06 */
    /* beyond the lunar table: unknown, never guessed */
    strcpy(out, "x");
    char past_end[11];
    snprintf(past_end, sizeof past_end, "%d-12-25", calendar_end_year(cal));
    CHECK_INT(followup_publish_due(cal, past_end, 7, out), CAL_UNKNOWN);
    CHECK_STR(out, "x");
    CHECK_INT(followup_outcome_due(NULL, "2025-05-30", out), CAL_UNKNOWN);
}

/* ---- on a database ---- */

static char dir[] = "/tmp/spotcheck-test-followup-XXXXXX";

static Db *fresh_db(void) {
    char path[128], *err = NULL;
    snprintf(path, sizeof path, "%s/f.db", dir);
    Db *db = db_open(path, 1, &err);
    if (!db) fprintf(stderr, "db_open: %s\n", err);
    free(err);
    if (!db) return NULL;
    if (refdata_store_defaults(db, "t", &err) != DB_OK) fprintf(stderr, "refdata: %s\n", err);
    free(err);
    /* records normally hang off a task and its draw; those belong to other modules, so this
       test writes the minimum rows with the foreign keys off */
    db_exec(db, t_foreign_keys_off_sql(), NULL);
    db_exec(db, "INSERT INTO org(id, code, name) VALUES(1, '130528', '宁晋县医疗保障局')", NULL);
    db_exec(db,
            "INSERT INTO target(id, kind, code, name, org_id, region, grade) VALUES "
            "(1, 'institution', 'H13052800001', '宁晋县人民医院', 1, '130528', 'B')",
            NULL);
    /* 1: published with a finding; 2: published, nothing found; 3: published, only a violation;
       4: found but not yet published */
    db_exec(db,
            "INSERT INTO record(id, task_id, draw_id, org_id, target_code, target_id, status, "
            "result_codes, published_at, findings) VALUES "
            "(1, 1, 1, 1, 'H13052800001', 1, '已公示', '02,0201', '2025-09-01 08:00:00', 1),"
            "(2, 1, 1, 1, 'T2', NULL, '已公示', '01', '2025-09-01 08:00:00', 0),"
            "(3, 1, 1, 1, 'T3', NULL, '已公示', '01', '2025-09-02 08:00:00', 1),"
            "(4, 1, 1, 1, 'T4', NULL, '审核通过', '02', NULL, 0)",
            NULL);
    db_exec(
        db,
        "INSERT INTO record_violation(record_id, category, amount_cents) VALUES (3, '38(1)', 100)",
        NULL);
    return db;
}

static void test_on_db(void) {
    Db *db = fresh_db();
    CHECK(db != NULL);
    if (!db) return;
    FuOption o;
    CHECK_INT(followup_option_get(db, "penalty", &o), 1);
    CHECK_INT(o.publish_workdays, 7);
    CHECK(o.needs_decision && o.needs_amount);
    CHECK_INT(followup_option_get(db, "nope", &o), 0);
    CHECK_INT(followup_record_has_findings(db, 1), 1);
    CHECK_INT(followup_record_has_findings(db, 2), 0);
    CHECK_INT(followup_record_has_findings(db, 3), 1);
    CHECK_INT(followup_record_has_findings(db, 4), 0);
    json_t *pending = followup_pending_json(db, 1);
    CHECK_INT(json_array_size(pending), 2);
    json_decref(pending);

    json_t *e = json_object();
    char *err = NULL;
    int64_t fid = 0;
    Actor t = {.username = "t", .org_id = 1}, stranger = {.username = "s", .org_id = 999};
    FollowupInput bad = {
        .option = "penalty", .decision_no = "宁医保罚〔2025〕3号", .decision_on = "2025-09-26"};
    CHECK_INT(followup_open(db, &t, 1, &bad, "2025-09-26", &fid, e, &err), FU_INVALID);
    CHECK(has(e, "amount"));
    json_object_clear(e);
    CHECK_INT(followup_open(db, &t, 2, &bad, "2025-09-26", &fid, e, &err), FU_CONFLICT);
    free(err);
    err = NULL;
    FollowupInput in = bad;
    in.amount = "12,345.60";
    CHECK_INT(followup_open(db, &stranger, 1, &in, "2025-09-26", &fid, e, &err),
              FU_NOT_FOUND); /* not its org */
    free(err);
    err = NULL;
    CHECK_INT(followup_open(db, &t, 1, &in, "2025-09-26", &fid, e, &err), FU_OK);
    int64_t n = 0;
    CHECK_INT(db_query_int(db, &n, "SELECT amount_cents FROM followup WHERE id = ?", "i", fid),
              DB_OK);
    CHECK_INT(n, 1234560);
    CHECK_INT(
        db_query_int(db, &n,
                     "SELECT count(*) FROM credit_event WHERE kind = '行政处罚' AND target_id = 1",
                     NULL),
        DB_OK);
    CHECK_INT(n, 1);
    CHECK_INT(followup_record_closed(db, 1), 0);

    /* an edit on an old version is refused; on the current one it keeps the previous version */
    FollowupInput ed = {.outcome = "已作出行政处罚"};
    CHECK_INT(followup_update(db, &t, fid, 7, &ed, "2025-10-14", e, &err), FU_CONFLICT);
    free(err);
    err = NULL;
    CHECK_INT(followup_update(db, &t, fid, 1, &ed, "2025-10-14", e, &err), FU_OK);
    CHECK_INT(db_query_int(db, &n, "SELECT version FROM followup WHERE id = ?", "i", fid), DB_OK);
    CHECK_INT(n, 2);
    CHECK_INT(
        db_query_int(db, &n,
                     "SELECT count(*) FROM followup_version WHERE followup_id = ? AND version = 1",
                     "i", fid),
        DB_OK);
    CHECK_INT(n, 1);
    CHECK_INT(followup_close(db, &t, fid, "2025-10-14", &err), FU_CONFLICT); /* not published */
    CHECK(err && strstr(err, "处罚决定尚未公示"));
    free(err);
    err = NULL;
    int late = -2;
    CHECK_INT(followup_publish_penalty(db, &t, fid, "2025-10-14", "2025-10-14", cal, &late, &err),
              FU_OK);
    CHECK_INT(late, 1); /* due 2025-10-13 */
    CHECK_INT(followup_close(db, &t, fid, "2025-10-14", &err), FU_OK);
    CHECK_INT(followup_record_closed(db, 1), 1);
    /* each unit of work wrote its audit row, by its actor; the refused and failed ones none */
    CHECK_INT(
        db_query_int(
            db, &n,
            "SELECT count(*) FROM audit_log WHERE entity = 'followup' AND actor = 't' AND action "
            "IN "
            "('followup.open', 'followup.update', 'followup.publish_penalty', 'followup.close')",
            NULL),
        DB_OK);
    CHECK_INT(n, 4);
    CHECK_INT(
        db_query_int(db, &n, "SELECT count(*) FROM audit_log WHERE action LIKE 'followup.%'", NULL),
        DB_OK);
    CHECK_INT(n, 4);
    char *late_json = NULL;
    CHECK_INT(db_query_text(db, &late_json,
                            t_on_pg()
                                ? "SELECT after::json ->> 'publish_late' FROM audit_log "
                                  "WHERE action = 'followup.publish_penalty'"
                                : "SELECT json_extract(after, '$.publish_late') FROM audit_log "
                                  "WHERE action = 'followup.publish_penalty'",
                            NULL),
              DB_OK);
    CHECK_STR(late_json, t_on_pg() ? "true" : "1"); /* the JSON true as each engine gives it */
    free(late_json);
    json_t *j = followup_json(db, fid, cal, "2025-10-14", 1);
    CHECK(json_is_true(json_object_get(json_object_get(j, "clocks"), "publish_late")));
    CHECK_STR(json_string_value(json_object_get(json_object_get(j, "clocks"), "publish_due")),
              "2025-10-13");
    CHECK_INT(json_array_size(json_object_get(j, "versions")), 3);
    json_decref(j);

    /* grade adjustment: through the directory engine (a version), with a reason */
    json_object_clear(e);
    CHECK_INT(credit_grade_adjust(db, &t, 1, "C", "", "", e, &err), CREDIT_INVALID);
    CHECK(has(e, "reason") && has(e, "basis"));
    json_object_clear(e);
    CHECK_INT(credit_grade_adjust(db, &t, 1, "C", "受到行政处罚", "", e, &err), CREDIT_INVALID);
    CHECK(!has(e, "reason") && has(e, "basis"));
    json_object_clear(e);
    CHECK_INT(credit_grade_adjust(db, &t, 1, "C", "受到行政处罚", "宁医保罚〔2025〕3号", e, &err),
              CREDIT_OK);
    char *g = NULL;
    CHECK_INT(db_query_text(db, &g, "SELECT grade FROM target WHERE id = 1", NULL), DB_OK);
    CHECK_STR(g, "C");
    free(g);
    CHECK_INT(db_query_int(
                  db, &n,
                  "SELECT count(*) FROM entity_version WHERE entity = 'target' AND entity_id = 1",
                  NULL),
              DB_OK);
    CHECK_INT(n, 1);
    char *basis = NULL;
    CHECK_INT(db_query_text(
                  db, &basis,
                  "SELECT basis FROM credit_event WHERE target_id = 1 AND kind = '等级调整'", NULL),
              DB_OK);
    CHECK_STR(basis, "宁医保罚〔2025〕3号");
    free(basis);
    CHECK_INT(
        db_query_int(
            db, &n,
            t_on_pg()
                ? "SELECT count(*) FROM audit_log WHERE action = 'credit.grade' AND entity_id "
                  "= '1' AND (before::json ->> 'grade') IS DISTINCT FROM 'C' AND (after::json "
                  "->> 'grade') = 'C'"
                : "SELECT count(*) FROM audit_log WHERE action = 'credit.grade' AND entity_id "
                  "= '1' AND json_extract(before, '$.grade') IS NOT 'C' AND "
                  "json_extract(after, '$.grade') = 'C'",
            NULL),
        DB_OK);
    CHECK_INT(n, 1);
    j = credit_record_json(db, 1);
    CHECK_INT(json_array_size(json_object_get(j, "events")), 2);
    CHECK_INT(json_array_size(json_object_get(j, "results")), 1);
    json_decref(j);
    json_decref(e);
    free(err);
    db_close(db);
}

int main(void) {
    char *err = NULL;
    cal = task_calendar_load(NULL, &err);
    const EmbeddedFile *f = embed_find("data/disposal_options.tsv");
    options = f ? refdata_parse((const char *)f->data, f->len, NULL, &err) : NULL;
    if (!cal || !options || !mkdtemp(dir)) {
        fprintf(stderr, "setup: %s\n", err ? err : "?");
        free(err);
        return 1;
    }
    RUN(test_options_from_data);
    RUN(test_validate);
    RUN(test_close_rule);
    RUN(test_deadlines);
    RUN(test_on_db);
    calendar_free(cal);
    refdata_free(options);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
    return T_DONE();
}
