/* web.h - what every page and API handler shares: the per-request context, the route table,
 * permissions, and helpers for query/form parameters and responses.
 *
 * Every route declares its permission and CSRF level in routes.c (one table, in URL order); app.c
 * enforces both before a handler runs, so a handler never has to remember to check. Handlers run on
 * the connection's thread with their own Db connection (req->db). */
#ifndef SPOTCHECK_WEB_H
#define SPOTCHECK_WEB_H

#include "../db/db.h"
#include "../domain/actor.h"
#include "../domain/scope.h"
#include "app.h"
#include "http.h"

#include <jansson.h>

/* Permissions. A role is a set of these (see web_role_perms). */
typedef enum {
    P_PUBLIC = 0,   /* no login needed */
    P_LOGIN,        /* any logged-in user */
    P_DIR_READ,     /* read the directories */
    P_DIR_WRITE,    /* change items, targets, officers, experts (检查科室) */
    P_REF_WRITE,    /* change orgs, depts, tags (系统管理员) */
    P_KIND_WRITE,   /* resolved per route: P_REF_WRITE or P_DIR_WRITE by the :kind parameter */
    P_AUDIT_READ,   /* browse the audit log (监督, 系统管理员) */
    P_USER_ADMIN,   /* manage accounts (系统管理员) */
    P_PLAN_READ,    /* read annual plans and ad-hoc tasks */
    P_PLAN_WRITE,   /* draft, submit and publish plans; request ad-hoc tasks (检查科室) */
    P_PLAN_APPROVE, /* approve or return plans and ad-hoc tasks (分管领导) */
    P_TASK_READ,    /* read tasks, schemes, draws and notices */
    P_TASK_WRITE, /* start tasks, write schemes, freeze and hold draws, substitute (检查科室) */
    P_TASK_APPROVE,  /* approve schemes and re-draws (分管领导) */
    P_TASK_JOINT,    /* confirm and work a joint department's part (联合部门) */
    P_TASK_MINE,     /* see one's own groups and targets (执法人员) */
    P_RECORD_FILL,   /* fill and submit the record forms of one's own groups (执法人员) */
    P_RESULT_REVIEW, /* review results: return or approve (分管领导) */
    P_RESULT_PUBLISH, /* publish approved results (检查科室: 谁检查、谁录入、谁公开) */
    P_FOLLOWUP_WRITE, /* follow-up, transfer ledger (检查科室) */
    P_CREDIT_WRITE,   /* adjust a target's credit grade with a reason (检查科室) */
    P_CREDIT_CONFIRM, /* confirm the grade the rule table proposes, with a reason (分管领导) */
    P_DASH_READ,      /* deadlines dashboard, overdue lists, the year's figures */
    P_ANCHOR_WRITE,   /* record a lower org's daily audit anchor (监督, 系统管理员) */
    P_COUNT
} Perm;

typedef enum {
    CSRF_NONE = 0, /* safe methods */
    CSRF_TOKEN,    /* state change: the session's token in the "csrf" form field or the
                      X-CSRF-Token header, and a same-origin Origin/Referer when present */
    CSRF_LOGIN,    /* the login form: token bound to a pre-login cookie */
} CsrfLevel;

typedef struct Session {
    long long user_id;
    char username[65];
    char display_name[128];
    char role[16];
    long long org_id;
    char org_name[128];
    char org_code[8];
    char csrf[65];
    char token_hash[65];
    int must_change; /* a password set by an administrator: only /account/password until changed */
    int pii_export; /* may export unmasked personal data (个人信息导出), granted per account */
} Session;

#define WEB_MAX_PARAMS 4

typedef struct Req {
    App *app;
    HttpRequest *http;
    HttpResponse *res;
    Db *db;
    Session *sess; /* NULL when not logged in */
    Session sess_storage;
    const char *param_names[WEB_MAX_PARAMS];
    char *params[WEB_MAX_PARAMS]; /* path parameters, decoded */
    size_t nparams;
    int is_api;
} Req;

typedef void (*RouteHandler)(Req *r);

typedef struct Route {
    const char *method;
    const char *pattern; /* "/d/:kind/:id" */
    Perm perm;
    CsrfLevel csrf;
    RouteHandler handler;
    const char *summary;
    int upload; /* takes a multipart/form-data body (a file, streamed to a temporary file) */
} Route;

extern const Route web_routes[];
extern const size_t web_route_count;

const char *web_perm_name(Perm p);
/* 1 when the role code (admin, staff, ...) holds permission p. P_PUBLIC always; P_LOGIN for
 * every role. */
int web_role_has(const char *role, Perm p);
/* The concrete permission of a route for this request (resolves P_KIND_WRITE). */
Perm web_route_perm(const Route *rt, const char *kind);

/* Parameters */
const char *web_param(Req *r, const char *name);
/* Query parameter, decoded; a new string or NULL. */
char *web_query(Req *r, const char *name);
/* Form field of an x-www-form-urlencoded body, decoded; a new string or NULL. With `nth`, the
 * n-th occurrence (0-based) for repeated fields such as checkboxes. */
char *web_form(Req *r, const char *name);
char *web_form_nth(Req *r, const char *name, int nth);
/* Decodes %XX and '+' of a URL-encoded component into a new string. */
char *web_url_decode(const char *s, size_t n);
void web_url_encode(Buf *b, const char *s);
/* The working-day calendar for this request (task_calendar_load on r's database: the holidays
 * loaded with `spotcheck refdata load`, else the built-in file). NULL when the data cannot be
 * read; free with calendar_free. */
struct Calendar *web_calendar(Req *r);
/* From November of the last year of the State Council notices on, deadlines run into a year the
 * holiday data does not cover and are counted provisionally (预计): sets ctx.calendar_ends {year,
 * next, end_year} for the calendar_warning partial when `today` is that late, else nothing. */
void web_calendar_warning(json_t *ctx, const struct Calendar *cal, const char *today);
/* Page number from the query's `page` (1 when absent or out of 1..100000). */
int web_page_number(Req *r);
/* Sets prev_href / next_href in ctx (the pager of a list): path?q=…&page=N (no q= when q is
 * NULL), when the page before or after exists. */
void web_pager_links(json_t *ctx, const char *path, const char *q, int page, int64_t pages);
/* The same with first_href and last_href too (when page is not already the first or last) and the
 * query's non-empty `params` ({name, value} pairs) before page=N, then `anchor` (may be NULL),
 * e.g. "#groups". */
void web_pager_hrefs(json_t *ctx, const char *path, const char *const (*params)[2], size_t nparams,
                     int64_t page, int64_t pages, const char *anchor);

/* Responses */
void web_redirect(Req *r, const char *location);
/* Renders template `name` with ctx inside the layout (title, user, nav, csrf added). Steals ctx. */
void web_page(Req *r, const char *name, const char *title, json_t *ctx);
/* The path of a new empty export file in /tmp (spotcheck-export-*, swept like every export:
 * tmpfiles.h), for a writer and then web_attachment. Returns 0, or -1 after answering 500. */
#define WEB_EXPORT_TMPL "/tmp/spotcheck-export-XXXXXX"
int web_export_file(Req *r, char path[sizeof WEB_EXPORT_TMPL]);
/* Sends the file at `path` (then unlinks it) as a download named `filename`, as XLSX or CSV. */
void web_attachment(Req *r, const char *path, int xlsx, const char *filename);
/* A full error page (or the JSON error envelope for API requests). */
void web_error(Req *r, int status, const char *code, const char *message);
/* The request body as a JSON object. An empty body is {} when `optional`; otherwise (and for
 * anything that is not a JSON object: wrong Content-Type 415, bad JSON 400) the error is sent
 * and NULL returned. The caller owns the result. */
json_t *web_json_body(Req *r, int optional);
/* The HTTP status of any domain result (src/domain/outcome.h): OK 200, INVALID 422, NOT_FOUND 404,
 * CONFLICT 409, BUSY 503, FORBIDDEN 403, STALE 409, WRONG_PASSWORD 422, anything else 500. The one
 * table: pages and the API use it for every module. web_refusal: the same with 0 for OK, for
 * helpers that return "0, or the status of the refusal". */
int web_status(int rc);
int web_refusal(int rc);
/* Names instead of login ids: for every member of ctx (recursively) that records who did something
 * — a key ending in "_by", "by_user" or "actor" — adds "<key>_name" with the account's display name
 * (姓名), or the login id when it has none, and "<key>_has_name". Pages call it on their context
 * before rendering. */
void web_name_users(Req *r, json_t *ctx);
/* Sends `j` as JSON with the status. Steals j. */
void web_json(Req *r, int status, json_t *j);

/* 1 when org_id is inside the user's scope (read: its org or one below, scope.h). */
int web_in_scope(Req *r, long long org_id);
/* The jurisdiction gate of a request on an entity of org_id (scope.h): 0 to go on; otherwise the
 * error is sent and non-zero returned — 404 (`hidden`, the caller's wording) outside the user's
 * jurisdiction, 403 when a request that changes data (any method but GET/HEAD) reaches a lower
 * level's entity: an upper level oversees, it does not edit. */
int web_scope_gate(Req *r, long long org_id, const char *hidden);
/* The same for a change an upper level may make (returning a plan with an opinion): read scope. */
int web_scope_gate_oversee(Req *r, long long org_id, const char *hidden);

/* The signed-in account as the actor of a domain unit of work (username, org, client address);
 * "anonymous" before login. */
Actor web_actor(Req *r);

/* Handlers (one file per area) */
void page_users(Req *r);
void page_user_create(Req *r);
void page_user(Req *r);
void page_user_link(Req *r);
void page_user_status(Req *r);
void page_user_password(Req *r);
void page_user_pii(Req *r);
void page_account_password_form(Req *r);
void page_account_password(Req *r);
void page_login_form(Req *r);
void page_login(Req *r);
void page_logout(Req *r);
void page_home(Req *r);
void api_worklist(Req *r);
void page_dir_list(Req *r);
void page_dir_detail(Req *r);
void page_dir_new(Req *r);
void page_dir_create(Req *r);
void page_dir_edit(Req *r);
void page_dir_update(Req *r);
void page_dir_status(Req *r);
void page_dir_import_form(Req *r);
void page_dir_import(Req *r);
void page_dir_import_errors(Req *r);
void page_dir_export(Req *r);
void page_dir_export_unmasked(Req *r);
void page_audit(Req *r);
void page_anchors(Req *r);
void page_anchor_county(Req *r);
void page_anchor_record(Req *r);
void api_anchors(Req *r);
void api_anchor_record(Req *r);
void page_holidays(Req *r);
void page_holidays_file(Req *r);
void page_holidays_load(Req *r);
void page_public_index(Req *r);
void page_public_anchor_txt(Req *r);
void page_public_items(Req *r);
void page_public_item(Req *r);
void api_me(Req *r);
void api_dir_list(Req *r);
void api_dir_get(Req *r);
void api_dir_create(Req *r);
void api_dir_update(Req *r);
void api_dir_status(Req *r);

#endif
