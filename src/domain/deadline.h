/* deadline.h - the deadline clocks of a spot check and who answers for them (004 第十八条:
 * officers who did not check, did not publish in time or delayed a task are accountable).
 *
 * Six kinds of clock, all counted in working days (calendar.h; the start day itself is not
 * counted, the deadline is the end of the N-th working day after it):
 *
 *   joint     联合部门确认       task_joint.named_on + 2           done: confirmed_on        (003
 * 四(一)) entry     检查结果录入       start + 20                        done: record submitted
 * (001 三(五), 003 五(三)) publish   检查结果公示       start + 20                        done:
 * record published penalty   行政处罚决定公示   followup.decision_on + 7          done:
 * penalty_published_on (001 二(六)) followup  后续处置结果录入   followup.opened_on + 20 done:
 * outcome_on or closed_on (003 五(四)) rectify   整改期限           followup.rectify_deadline
 * (fixed) done: recheck_on
 *
 * where start = record.checked_on, or before the check the last day of the task's month_to.
 * Nothing is stored: clocks are computed from the dates of sql/006_task.sql and sql/008_record.sql.
 *
 * Two parts. The pure part (deadline_eval, names, grouping of clock lists) does no I/O and takes
 * "today" as an argument. The collector (deadline_collect) reads the database through db.h.
 * A deadline that runs into a year whose State Council notice is not loaded is counted with the
 * statutory holidays (calendar.h, CAL_PROVISIONAL) and marked provisional: shown as
 * "预计 2027-02-19（按法定节假日推算，国务院放假通知载入后确定）", labelled 预计…, exact once the
 * notice is loaded. Only beyond the lunar table is a deadline unknown (期限未知) or a count of
 * working days unknown (-1). Thread-safety: no shared state. */
#ifndef SPOTCHECK_DEADLINE_H
#define SPOTCHECK_DEADLINE_H

#include "../db/db.h"
#include "calendar.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef enum DlKind {
    DL_JOINT = 0,
    DL_ENTRY,
    DL_PUBLISH,
    DL_PENALTY,
    DL_FOLLOWUP,
    DL_RECTIFY,
    DL_KIND_COUNT
} DlKind;

typedef enum DlState {
    DL_PENDING = 0,  /* 未到期: more than DEADLINE_SOON_DAYS working days left */
    DL_DUE_TODAY,    /* 今日到期 */
    DL_DUE_SOON,     /* 即将到期: at most DEADLINE_SOON_DAYS working days left */
    DL_OVERDUE,      /* 已逾期: not done, deadline passed */
    DL_DONE_ON_TIME, /* 按时完成: done on or before the deadline */
    DL_DONE_LATE,    /* 逾期完成 */
    DL_UNKNOWN, /* 期限未知: no start date, or the deadline lies beyond the calendar data */
    DL_STATE_COUNT
} DlState;

/* "即将到期" means at most this many working days left. */
#define DEADLINE_SOON_DAYS 3
/* Working days of the clocks (see the table above); rectify has a fixed date. */
#define DEADLINE_ENTRY_DAYS 20
#define DEADLINE_PUBLISH_DAYS 20
#define DEADLINE_PENALTY_DAYS 7 /* when the disposal option's publish_workdays is not set */
#define DEADLINE_FOLLOWUP_DAYS 20

/* Code ("joint", "entry", …), Chinese label and default working days (0 for a fixed date) of a
 * kind; static strings. deadline_kind_parse returns the kind of a code or -1. */
const char *deadline_kind_code(DlKind k);
const char *deadline_kind_label(DlKind k);
int deadline_kind_days(DlKind k);
int deadline_kind_parse(const char *code);
/* Code ("pending", "due_today", "due_soon", "overdue", "done_on_time", "done_late", "unknown")
 * and Chinese name (未到期 …) of a state; static strings. deadline_state_parse: state or -1. */
const char *deadline_state_code(DlState s);
const char *deadline_state_name(DlState s);
int deadline_state_parse(const char *code);

/* One evaluated clock. */
typedef struct DlClock {
    char deadline[11]; /* "YYYY-MM-DD", "" when unknown */
    DlState state;
    /* Working days: left (DL_PENDING, DL_DUE_SOON, 0 for DL_DUE_TODAY), overdue by
     * (DL_OVERDUE, DL_DONE_LATE); -1 when the calendar does not cover the days counted; 0 for
     * the other states. */
    int days;
    int provisional; /* the deadline was counted over a provisional year (预计) */
    char label[96];  /* "未到期 剩余5个工作日", "今日到期", "已逾期 3个工作日",
                        "逾期完成（晚2个工作日）", …; "预计逾期 3个工作日" … when provisional */
} DlClock;

/* The note that follows a provisional deadline. */
#define DEADLINE_PROVISIONAL_NOTE "（按法定节假日推算，国务院放假通知载入后确定）"

/* A deadline as people read it, into out (cap bytes, at least 96): "2027-02-19"; "预计
 * 2027-02-19（按法定节假日推算，国务院放假通知载入后确定）" when provisional; "期限未知" when date
 * is NULL or "". Returns out. */
char *deadline_text(const char *date, int provisional, char *out, size_t cap);
/* Sets text_key to deadline_text(date, provisional) and prov_key to whether the deadline is
 * provisional (false when date is NULL or "") on obj, e.g. "deadline_text" and "provisional". */
void deadline_json_set(json_t *obj, const char *text_key, const char *prov_key, const char *date,
                       int provisional);

/* Evaluates a clock. start: "YYYY-MM-DD" (NULL or "" → 期限未知); workdays > 0 counts that many
 * working days after start, 0 takes start as a fixed deadline; done: the day the duty was done
 * or NULL; today: "YYYY-MM-DD". The state follows from comparing dates, so an overdue clock is
 * overdue even when the calendar cannot count by how many days (days = -1). Returns CAL_OK, or
 * CAL_INVALID (bad today/start/done: out->state = DL_UNKNOWN). A start whose deadline lies
 * beyond the calendar gives CAL_OK with DL_UNKNOWN; one counted over a provisional year gives
 * out->provisional = 1. Pure. */
int deadline_eval(const Calendar *cal, const char *start, int workdays, const char *done,
                  const char *today, DlClock *out);

/* The last day of month "YYYY-MM" into out ("2025-10" → "2025-10-31"); CAL_OK or CAL_INVALID. */
int deadline_month_end(const char *month, char out[11]);

/* ---- collector (database) ---- */

/* Every clock of the orgs at and below scope_org (0: every org), evaluated for `today`, as a new
 * JSON array sorted by deadline (unknown last). Each clock: {kind, kind_label, state, state_name,
 * label, days, deadline (or null), deadline_text, provisional (bool), start (or null), workdays,
 * done_on (or null), task_id,
 * task_code, task_name, org_id, org_name, subject (what the clock is about: the target or the
 * joint dept), target_code (or null), record_id (or null), followup_id (or null), officers
 * [{cert_no, name, role, dept}], depts [{id, name}] (responsible depts), responsible (text),
 * link}. Insured persons are named by their pseudonymous code only. With only_cert, only clocks
 * whose officers include that certificate number. NULL with *err (caller frees) on a database
 * error. */
json_t *deadline_collect(Db *db, const Calendar *cal, int64_t scope_org, const char *only_cert,
                         const char *today, char **err);

/* ---- views over a clock list (pure; the list is borrowed, results are new references) ---- */

/* Counts per kind × state: {states: [{code, name}], kinds: [{code, label, counts: [{state,
 * name, n}], total}], totals: [{state, name, n}], total, provisional (open clocks — not done —
 * whose deadline is provisional)}. */
json_t *deadline_counts(const json_t *clocks);
/* The clocks in `state` (shared references to the elements of `clocks`). */
json_t *deadline_filter(const json_t *clocks, DlState state);
/* The daily reminder list: {today: [...], soon: [...], overdue: [...]} (due today, due within
 * DEADLINE_SOON_DAYS working days, overdue), each with its count in today_count, soon_count,
 * overdue_count. */
json_t *deadline_reminders(const json_t *clocks);
/* Overdue clocks grouped by responsible officer (by = "officer": [{cert_no, name, dept, count,
 * kinds (text), clocks}]) or by responsible dept (by = "dept": [{id, name, org_name, count,
 * kinds, clocks}]), most overdue first. NULL for another `by`. */
json_t *deadline_overdue_by(const json_t *clocks, const char *by);

/* ---- the SQL collector: counts and pages without building every clock ---- */

/* The clocks of one org scope on one day, asked page by page. The set evaluates each
 * distinct start date once per kind (a few hundred, not one per drawn target) into a temporary
 * table of the connection (dl_start); SQL then decides every clock's state from its start and done
 * dates, counts them and returns the page asked for in the order of deadline_collect (deadline,
 * kind, task code, subject). Memory per call is bounded by the page, the distinct start dates and
 * the number of officers or depts, not by the number of drawn targets. In the web server every
 * answer is kept while the data version and the day are the same (readcache.h). One DlSet per Db
 * at a time (the table is the connection's); not thread-safe beyond its Db. */
typedef struct DlSet DlSet;

/* Which clocks a page or a count holds. states: a bit (1u << s) per DlState, 0 = every state;
 * kind: a DlKind or -1 = every kind; officer: a certificate number — the result entry clocks of
 * the groups that officer is in (not as expert), as deadline_collect's only_cert — or NULL;
 * dept_id: the clocks whose responsible dept is that dept, or 0. */
typedef struct DlFilter {
    unsigned states;
    int kind;
    const char *officer;
    int64_t dept_id;
} DlFilter;

/* Opens the set of the orgs at and below scope_org (0: every org) for `today`; the clocks are read
 * at the first question the cache (readcache.h) does not answer, and a database error is that
 * question's. Never NULL today (err kept for a driver that must fail here). Free with
 * deadline_set_free. */
DlSet *deadline_set_open(Db *db, const Calendar *cal, int64_t scope_org, const char *today,
                         char **err);
void deadline_set_free(DlSet *s);
/* The counts of deadline_counts (new object), or NULL with *err. */
json_t *deadline_set_counts(DlSet *s, char **err);
/* How many clocks pass f (NULL: all) into *n; DB_OK or DB_ERR with *err. */
int deadline_set_count(DlSet *s, const DlFilter *f, int64_t *n, char **err);
/* The clocks passing f (NULL: all) from `offset`, at most `limit` (< 0: all), as a new array of
 * the clock objects of deadline_collect, in its order; NULL with *err. */
json_t *deadline_set_page(DlSet *s, const DlFilter *f, int64_t offset, int64_t limit, char **err);
/* One page of each of n (1 to 3) lists at once: the clocks in states[i] from offsets[i], at most
 * `limit` each, in deadline_set_page's order — what deadline_set_page with {1u << states[i], -1,
 * NULL, 0} gives; a list of an open state reads only that state's clocks (the dashboard's three
 * lists). A new array of n arrays; NULL with *err. */
json_t *deadline_set_pages(DlSet *s, const DlState *states, const int64_t *offsets, size_t n,
                           int64_t limit, char **err);
/* The overdue clocks' groups of deadline_overdue_by (by "officer" or "dept") without their
 * clocks: all groups, most overdue first ([{key, cert_no, name, dept | key, id, name, org_name;
 * count, kinds}]); NULL with *err (also for another `by`). A page of one group's clocks is
 * deadline_set_page with {1u << DL_OVERDUE, -1, cert, 0} or {1u << DL_OVERDUE, -1, NULL, id}. */
json_t *deadline_set_overdue_by(DlSet *s, const char *by, char **err);

/* The kept clocks (deadline_clock, sql/060: one row per clock with the facts it depends on, kept
 * by triggers on task, task_joint, draw, draw_target, record, record_event and followup in the
 * changing transaction) computed again from the source tables through the views of sql/060: for
 * a database whose triggers were paused (DEADLINE_CLOCK_TRIGGERS) or a repair. Call inside the
 * caller's transaction; DB_OK or DB_ERR (db_errmsg). */
#define DEADLINE_CLOCK_TRIGGERS "deadline_clock_"
int deadline_clocks_rebuild(Db *db);
/* The same for the clocks of one draw's targets (after its draw_target rows were rewritten with
 * the triggers paused). DB_OK or DB_ERR. */
int deadline_clocks_refresh_draw(Db *db, int64_t draw_id);

#endif
