/* anchor.c - the counties' daily chain heads kept by the city (see anchor.h): recording one as a
 * unit of work, the lists with their red flags and the missing days, and the check of a county's
 * database against them. Called by src/web/page_anchor.c and src/cli/cmd_anchor.c. */
#include "anchor.h"

#include "../core/clock.h"
#include "../core/util.h"
#include "audit.h"
#include "calendar.h"
#include "scope.h"
#include "task.h"
#include "uow.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* One recorded head as the checks need it. */
typedef struct Head {
    int64_t id, n;
    char day[11], hash[AUDIT_HASH_HEX + 1];
    json_t *row; /* the stored row (jk-like: source, recorded_at, recorded_by) */
    unsigned flags;
} Head;

enum { FLAG_SAME_DAY = 1u, FLAG_SAME_N = 2u, FLAG_REGRESS = 4u };

static const struct {
    unsigned bit;
    const char *code, *text;
} flag_names[] = {
    {FLAG_SAME_DAY, "same_day", "同一天登记了不同的锚点"},
    {FLAG_SAME_N, "same_n", "同一记录编号登记了不同的摘要"},
    {FLAG_REGRESS, "regress", "与另一日期登记的锚点相比记录编号倒退（日志可能被截短）"},
};

typedef struct Heads {
    Head *v;
    size_t n;
} Heads;

static void heads_free(Heads *h) {
    for (size_t i = 0; i < h->n; i++)
        json_decref(h->v[i].row);
    free(h->v);
    h->v = NULL;
    h->n = 0;
}

/* The red flags of every head of one county (anchor.h): each contradiction marks both its rows. */
static void heads_flag(Heads *h) {
    for (size_t i = 0; i < h->n; i++)
        for (size_t j = 0; j < h->n; j++) {
            Head *a = &h->v[i], *b = &h->v[j];
            if (i == j) continue;
            int same_head = a->n == b->n && !strcmp(a->hash, b->hash);
            if (!strcmp(a->day, b->day) && !same_head) a->flags |= FLAG_SAME_DAY;
            if (a->n == b->n && strcmp(a->hash, b->hash)) a->flags |= FLAG_SAME_N;
            int order = strcmp(b->day, a->day);
            if ((order < 0 && b->n > a->n) || (order > 0 && b->n < a->n)) a->flags |= FLAG_REGRESS;
        }
}

/* Loads one county's heads, oldest day first, flagged. DB_OK or DB_ERR. */
static int heads_load(Db *db, int64_t org_id, Heads *out) {
    memset(out, 0, sizeof *out);
    Stmt *st = db_prepare(db, "SELECT id, day, n, hash, source, recorded_at, recorded_by "
                              "FROM anchor_head WHERE org_id = ? ORDER BY day, id");
    if (!st || db_bind_int(st, 1, org_id) != DB_OK) {
        db_finalize(st);
        return DB_ERR;
    }
    size_t cap = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 16;
            out->v = xrealloc(out->v, cap * sizeof *out->v);
        }
        Head *h = &out->v[out->n++];
        memset(h, 0, sizeof *h);
        h->id = db_col_int(st, 0);
        h->n = db_col_int(st, 2);
        snprintf(h->day, sizeof h->day, "%s", db_col_text(st, 1) ? db_col_text(st, 1) : "");
        snprintf(h->hash, sizeof h->hash, "%s", db_col_text(st, 3) ? db_col_text(st, 3) : "");
        h->row = json_pack("{s:s?, s:s?, s:s?}", "source", db_col_text(st, 4), "recorded_at",
                           db_col_text(st, 5), "recorded_by", db_col_text(st, 6));
    }
    db_finalize(st);
    if (rc == DB_ERR) {
        heads_free(out);
        return DB_ERR;
    }
    heads_flag(out);
    return DB_OK;
}

static json_t *flags_json(unsigned flags) {
    json_t *a = json_array();
    for (size_t i = 0; i < ARRAY_LEN(flag_names); i++)
        if (flags & flag_names[i].bit)
            json_array_append_new(
                a, json_pack("{s:s, s:s}", "code", flag_names[i].code, "text", flag_names[i].text));
    return a;
}

static json_t *head_json(const Head *h) {
    json_t *j = json_pack("{s:I, s:s, s:I, s:s, s:o}", "id", (json_int_t)h->id, "day", h->day, "n",
                          (json_int_t)h->n, "hash", h->hash, "flags", flags_json(h->flags));
    json_object_update(j, h->row);
    return j;
}

static void field(json_t *errors, const char *k, const char *msg) {
    if (!json_object_get(errors, k)) json_object_set_new(errors, k, json_string(msg));
}

static json_t *counties_below(Db *db, int64_t viewer, int64_t only_id);

/* The county's org for a recording actor: one of the orgs below it (counties_below), else 0 with a
 * field error — the same words for an unknown org and one outside the jurisdiction (no oracle). */
static int64_t county_for(Db *db, const Actor *who, const char *code, json_t *errors) {
    int64_t org = str_empty(code) ? 0 : scope_org_by_code(db, code);
    json_t *one = org ? counties_below(db, who->org_id, org) : NULL;
    int below = json_array_size(one) == 1;
    json_decref(one);
    if (below) return org;
    if (org && org == who->org_id)
        field(errors, "org", "这是本机构：锚点登记的是下级机构公开门户上的审计日志锚点");
    else
        field(errors, "org", "没有这个下级机构（请填写下级机构的行政区划代码）");
    return 0;
}

int anchor_record(Db *db, const Actor *who, const AnchorInput *in, const char *today,
                  json_t *errors, json_t **out, char **err) {
    if (out) *out = NULL;
    int64_t org = county_for(db, who, in->org_code, errors);
    /* the head as the portal prints it; upper-case hex and surrounding blanks are forgiven */
    char *head = str_trim(xstrdup(in->head ? in->head : ""));
    for (char *p = head; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    char hash[AUDIT_HASH_HEX + 1];
    int64_t n = 0;
    if (!audit_anchor_parse(head, hash, &n))
        field(errors, "head", "锚点应为“64 位十六进制摘要@记录编号”，如公开门户所示");
    free(head);
    const char *day = str_empty(in->day) ? today : in->day;
    if (!date_valid(day))
        field(errors, "day", "请填写日期（格式：2026-06-30）");
    else if (strcmp(day, today) > 0)
        field(errors, "day", "日期不能晚于今天");
    char *source = str_empty(in->source) ? NULL : str_trim(xstrdup(in->source));
    if (source && !*source) free(source), source = NULL;
    if (source && (!utf8_valid(source, strlen(source)) || utf8_len(source) > ANCHOR_SOURCE_MAX))
        field(errors, "source", "来源不超过 500 个字");
    if (json_object_size(errors)) {
        free(source);
        return set_err(err, "输入有误"), SC_INVALID;
    }

    if (uow_begin(db, err) != 0) {
        free(source);
        return SC_BUSY;
    }
    int64_t id = 0;
    int rc = db_query_int(db, &id,
                          "SELECT id FROM anchor_head WHERE org_id = ? AND day = ? AND n = ? AND "
                          "hash = ?",
                          "itit", org, day, n, hash) == DB_OK
                 ? SC_OK
                 : SC_ERR;
    int duplicate = id > 0;
    if (rc == SC_OK && !duplicate) {
        if (db_exec(db,
                    "INSERT INTO anchor_head(org_id, day, n, hash, source, recorded_at, "
                    "recorded_by, recorder_org_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    who->org_id > 0 ? "ititttti" : "itittttn", /* the console: no org */
                    org, day, n, hash, source, clock_stamp().s, who->username,
                    who->org_id) != DB_OK)
            rc = SC_ERR;
        else
            id = db_last_id(db);
    }
    if (rc == SC_ERR) set_err(err, "%s", db_errmsg(db));
    Heads hs = {0};
    unsigned flags = 0;
    if (rc == SC_OK && heads_load(db, org, &hs) != DB_OK)
        rc = (set_err(err, "%s", db_errmsg(db)), SC_ERR);
    for (size_t i = 0; rc == SC_OK && i < hs.n; i++)
        if (hs.v[i].id == id) flags = hs.v[i].flags;
    heads_free(&hs);
    if (rc == SC_OK && !duplicate) {
        json_t *a =
            json_pack("{s:s, s:s, s:I, s:s, s:s?, s:o}", "org_code", in->org_code, "day", day, "n",
                      (json_int_t)n, "hash", hash, "source", source, "flags", flags_json(flags));
        char *after = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
        if (uow_audit(db, who, "anchor.record", "anchor_head", id, org, NULL, after, err) != 0)
            rc = SC_ERR;
        free(after);
        json_decref(a);
    }
    if (!duplicate) {
        if (!uow_end(db, rc == SC_OK, err) && rc == SC_OK) rc = SC_ERR;
    } else {
        uow_end(db, 0, NULL); /* nothing written: the same head was recorded before */
    }
    if (rc == SC_OK && out) {
        char *name = scope_org_name(db, org);
        *out = json_pack("{s:I, s:I, s:s, s:s?, s:s, s:I, s:s, s:b, s:o}", "id", (json_int_t)id,
                         "org_id", (json_int_t)org, "org_code", in->org_code, "org_name", name,
                         "day", day, "n", (json_int_t)n, "hash", hash, "duplicate", duplicate,
                         "flags", flags_json(flags));
        free(name);
    }
    free(source);
    return rc;
}

/* The orgs below viewer (the console: every org with a parent), in code order: [{org_id, code,
 * name}], or NULL on a database error. With only_id > 0, that org alone when it is one of them. */
static json_t *counties_below(Db *db, int64_t viewer, int64_t only_id) {
    Stmt *st = viewer > 0
                   ? db_prepare(db, "SELECT id, code, name FROM org WHERE id <> ? AND (? = 0 "
                                    "OR id = ?) AND " SCOPE_SQL("id") " ORDER BY code")
                   : db_prepare(db, "SELECT id, code, name FROM org WHERE id <> ? AND (? = 0 "
                                    "OR id = ?) AND parent_id IS NOT NULL ORDER BY code");
    if (!st) return NULL;
    int rc = viewer > 0 ? db_bind_va(st, "iiii", viewer, only_id, only_id, viewer)
                        : db_bind_va(st, "iii", viewer, only_id, only_id);
    json_t *a = json_array();
    while (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
        rc = json_array_append_new(
                 a, json_pack("{s:I, s:s, s:s}", "org_id", (json_int_t)db_col_int(st, 0), "code",
                              db_col_text(st, 1), "name", db_col_text(st, 2))) == 0
                 ? DB_OK
                 : DB_ERR;
    db_finalize(st);
    if (rc == DB_ERR) json_decref(a), a = NULL;
    return a;
}

json_t *anchor_counties(Db *db, int64_t viewer_org, const char *today, int days) {
    json_t *list = counties_below(db, viewer_org, 0);
    if (!list) return NULL;
    /* the N-th working day before today: a county with no head since then is shown as missing */
    char since[11] = "";
    Calendar *cal = task_calendar_load(db, NULL);
    if (!cal || calendar_add_workdays(cal, today, -days, since) < 0) since[0] = 0;
    calendar_free(cal);
    int64_t stale = 0, flagged = 0;
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c) {
        Heads hs;
        if (heads_load(db, (int64_t)json_integer_value(json_object_get(c, "org_id")), &hs) !=
            DB_OK) {
            json_decref(list);
            return NULL;
        }
        int64_t nflags = 0;
        for (size_t k = 0; k < hs.n; k++)
            nflags += hs.v[k].flags != 0;
        const Head *last = hs.n ? &hs.v[hs.n - 1] : NULL;
        int is_stale = since[0] && (!last || strcmp(last->day, since) < 0);
        json_object_set_new(c, "heads", json_integer((json_int_t)hs.n));
        json_object_set_new(c, "flags", json_integer((json_int_t)nflags));
        json_object_set_new(c, "stale", json_boolean(is_stale));
        if (last) {
            json_object_set_new(c, "latest_day", json_string(last->day));
            json_object_set_new(c, "latest_n", json_integer((json_int_t)last->n));
            json_object_set_new(c, "latest_hash", json_string(last->hash));
        }
        stale += is_stale;
        flagged += nflags > 0;
        heads_free(&hs);
    }
    return json_pack("{s:s?, s:i, s:I, s:I, s:o}", "since", since[0] ? since : NULL, "days", days,
                     "stale", (json_int_t)stale, "flagged", (json_int_t)flagged, "counties", list);
}

json_t *anchor_heads(Db *db, int64_t viewer_org, int64_t org_id) {
    json_t *one = org_id > 0 ? counties_below(db, viewer_org, org_id) : NULL;
    json_t *c = one && json_array_size(one) == 1 ? json_incref(json_array_get(one, 0)) : NULL;
    json_decref(one);
    Heads hs;
    if (!c || heads_load(db, org_id, &hs) != DB_OK) {
        json_decref(c);
        return NULL;
    }
    json_t *a = json_array();
    for (size_t k = hs.n; k-- > 0;)
        json_array_append_new(a, head_json(&hs.v[k]));
    heads_free(&hs);
    json_object_set_new(c, "heads", a);
    return c;
}

int anchor_check(Db *city, Db *county, const char *org_code, json_t **out, char **err) {
    *out = NULL;
    int64_t org = str_empty(org_code) ? 0 : scope_org_by_code(city, org_code);
    if (!org)
        return set_err(err, "本级数据库中没有机构 %s", org_code ? org_code : ""), SC_NOT_FOUND;
    if (!scope_org_by_code(county, org_code))
        return set_err(err, "所核验的数据库中没有机构 %s：不是该机构的数据库", org_code),
               SC_INVALID;
    AuditVerifyResult v;
    if (audit_verify(county, &v, err) != DB_OK) return SC_ERR;
    Heads hs;
    if (heads_load(city, org, &hs) != DB_OK)
        return set_err(err, "读取已登记的锚点失败: %s", db_errmsg(city)), SC_ERR;
    char *name = scope_org_name(city, org);
    json_t *heads = json_array();
    int64_t extended = 0, broken = 0;
    int rc = SC_OK;
    for (size_t k = 0; k < hs.n && rc == SC_OK; k++) {
        char *why = NULL;
        int a = audit_anchor_check(county, hs.v[k].n, hs.v[k].hash, &why);
        if (a < 0) {
            rc = SC_ERR;
            set_err(err, "%s", why ? why : "读取审计日志失败");
        } else {
            json_t *h = head_json(&hs.v[k]);
            json_object_set_new(h, "ok", json_boolean(a));
            if (!a) json_object_set_new(h, "why", json_string(why ? why : ""));
            json_array_append_new(heads, h);
            extended += a, broken += !a;
        }
        free(why);
    }
    heads_free(&hs);
    if (rc == SC_OK) {
        *out = json_pack("{s:s, s:s?, s:b, s:I, s:I, s:I, s:o}", "org_code", org_code, "org_name",
                         name, "chain_ok", v.status == AUDIT_INTACT, "chain_rows",
                         (json_int_t)v.count, "extended", (json_int_t)extended, "broken",
                         (json_int_t)broken, "heads", heads);
        if (v.status == AUDIT_INTACT)
            json_object_set_new(*out, "chain_head", json_string(v.head_hash));
        else
            json_object_set_new(
                *out, "chain_problem",
                json_sprintf("审计日志在第 %lld 条记录处断裂: %s", (long long)v.bad_id, v.reason));
    } else {
        json_decref(heads);
    }
    free(name);
    return rc;
}
