/* draw_run.c - the second half of the draw engine: the seed of a record, officer and expert
 * assignment with recusal and substitution (递补), and the draw record (draw_compute and the
 * record builders). The officer file is parsed in draw_roster.c, records are checked in
 * draw_verify.c. Everything here is deterministic in the record's inputs; docs/DRAW.md is the
 * specification and tools/verify_draw.py an independent implementation of the same rules.
 *
 * Called by draw_store_run.c (draw run, substitute), draw_verify.c, the CLI and tests. Pure: no
 * database, no clock, no I/O. */
#include "draw.h"
#include "draw_impl.h"
#include "jsonkit.h"
#include "draw_source.h"

#include "draw_sha256.h"

#include <stdlib.h>
#include <string.h>

/* 1 when the person has tag among their officer tags or expert specialties. */
static int person_has(const DrawPerson *p, const char *tag) {
    for (size_t i = 0; i < p->ntags; i++)
        if (!strcmp(p->tags[i], tag)) return 1;
    return 0;
}

/* ------------------------------------------------------------------ record helpers */

char *draw_seed_string(const char *task, const char *randomness, const char *secret_hex) {
    return xasprintf(DRAW_SEED_PREFIX "%s|%s|%s", task, randomness, secret_hex);
}

char *draw_record_seed(const json_t *record, char **err) {
    const json_t *freeze = json_object_get(record, "freeze");
    const char *task = json_string_value(json_object_get(freeze, "task"));
    if (!task) return set_err(err, "记录缺少 freeze.task"), NULL;
    if (str_eq(json_string_value(json_object_get(record, "format")), DRAW_FORMAT_V2)) {
        const json_t *sources = json_object_get(freeze, "sources");
        if (draw_sources_check(sources, err)) return NULL;
        char fsha[65];
        draw_json_sha256(freeze, fsha);
        char *seed = draw_seed_v2(task, fsha, sources, json_object_get(record, "values"), err);
        /* a freeze that committed to a blind (confidentiality, §7a) ends the seed with it */
        if (seed && json_object_get(freeze, "blind_sha256")) {
            const char *blind = json_string_value(json_object_get(record, "blind"));
            if (!blind) {
                free(seed);
                return set_err(err, "记录缺少 blind（冻结时承诺的保密随机数）"), NULL;
            }
            char *with = xasprintf("%s|%s", seed, blind);
            free(seed);
            seed = with;
        }
        return seed;
    }
    const char *rnd = json_string_value(json_object_get(record, "public_randomness")),
               *secret = json_string_value(json_object_get(record, "secret"));
    if (!rnd || !secret)
        return set_err(err, "记录缺少 public_randomness 或 secret（尚未抽取）"), NULL;
    return draw_seed_string(task, rnd, secret);
}

char *draw_canonical_json(const json_t *j) {
    return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

void draw_json_sha256(const json_t *j, char out[65]) {
    char *s = draw_canonical_json(j);
    draw_sha256_hex(s, strlen(s), out);
    free(s);
}

/* (draw_impl.h) Ratio lookup: the exact stratum name, then its part before the first '/', then "*".
 */
json_t *draw_lookup_stratum(const json_t *map, const char *name) {
    if (!json_is_object(map)) return NULL;
    json_t *v = json_object_get(map, name);
    if (v) return v;
    const char *slash = strchr(name, '/');
    if (slash) {
        char *head = xstrndup(name, (size_t)(slash - name));
        v = json_object_get(map, head);
        free(head);
        if (v) return v;
    }
    return json_object_get(map, "*");
}

/* ------------------------------------------------------------------ assignment */

typedef struct Vec {
    uint32_t *v;
    size_t n, cap;
} Vec;

static void vec_push(Vec *a, uint32_t x) {
    if (a->n == a->cap) a->v = xrealloc(a->v, (a->cap = a->cap ? a->cap * 2 : 8) * sizeof *a->v);
    a->v[a->n++] = x;
}

static void vec_remove(Vec *a, size_t i) {
    memmove(a->v + i, a->v + i + 1, (a->n - i - 1) * sizeof *a->v);
    a->n--;
}

/* Members passed over or removed, each with its reason (owned; the id is the roster's). */
typedef struct Notes {
    DrawNote *v;
    size_t n, cap;
} Notes;

static void notes_add(Notes *a, const char *id, char *reason) {
    if (a->n == a->cap) a->v = xrealloc(a->v, (a->cap = a->cap ? a->cap * 2 : 4) * sizeof *a->v);
    a->v[a->n++] = (DrawNote){id, reason};
}

static void notes_free(Notes *a) {
    for (size_t i = 0; i < a->n; i++)
        free((char *)a->v[i].reason);
    free(a->v);
}

/* Borrowed strings (specialties, from the record's params). */
typedef struct Strs {
    const char **v;
    size_t n, cap;
} Strs;

static void strs_add(Strs *a, const char *x) {
    if (a->n == a->cap) a->v = xrealloc(a->v, (a->cap = a->cap ? a->cap * 2 : 4) * sizeof *a->v);
    a->v[a->n++] = x;
}

typedef struct Group {
    uint32_t pop_idx;
    size_t stratum;
    int origin_sub; /* 1 when the target came in as a replacement */
    int replaced;
    const char *ticket;       /* the selection's, or the replacement event's */
    uint32_t *order, *eorder; /* roster indices in draw order; order is dropped once the group is
                                 filled and made again only for an officer substitution */
    size_t norder, neorder, epos;
    size_t *pos; /* per pool: position in the officer order */
    Vec members, experts;
    Notes skipped, removed;
    Strs uncovered;
    size_t short_by;
} Group;

typedef struct Run {
    const json_t *params;
    const DrawPop *pop;
    const DrawRoster *ros;
    const char *seed;
    const char *date;
    int group_size, cross_region;
    int64_t cap;
    const json_t *required, *specialties, *conflicts;
    uint32_t *load; /* active groups per roster entry */
    /* pools (docs/DRAW.md §5): 0 = the lead dept (every officer when there are no joint
     * depts), 1.. = params.joint_depts in order; pool_of[roster index], pool_size[pool] */
    size_t npools;
    size_t *pool_of;
    int64_t *pool_size;
    Group *g;
    size_t ng, gcap;
} Run;

static const char *target_id(Run *r, Group *g) {
    return r->pop->id[g->pop_idx];
}

static int conflicted(Run *r, const char *officer, const char *target) {
    size_t i;
    json_t *pair;
    json_array_foreach(r->conflicts, i, pair) {
        if (str_eq(json_string_value(json_array_get(pair, 0)), officer) &&
            str_eq(json_string_value(json_array_get(pair, 1)), target))
            return 1;
    }
    return 0;
}

/* Why officer p may not join g's group, or NULL when eligible. */
static char *ineligible(Run *r, Group *g, uint32_t ri) {
    const DrawPerson *p = &r->ros->p[ri];
    const char *t = target_id(r, g);
    if (conflicted(r, p->id, t)) return xstrdup("回避：已申报利益冲突");
    if (r->cross_region && r->pop->region && !strcmp(p->region, r->pop->region[g->pop_idx]))
        return xstrdup("回避：本区域执法人员（本任务要求跨区域检查）");
    if (strcmp(r->date, p->valid_from) < 0 || strcmp(r->date, p->valid_to) > 0)
        return xasprintf("执法证不在有效期内（%s 至 %s）", p->valid_from, p->valid_to);
    if (strcmp(p->status, "在岗")) return xasprintf("状态为%s", p->status);
    if (r->cap > 0 && r->load[ri] >= (uint64_t)r->cap)
        return xasprintf("已达本任务工作量上限（%lld组）", (long long)r->cap);
    size_t i;
    json_t *tag;
    if (r->pool_of[ri] != 0) return NULL; /* required tags bind the lead dept's pool only */
    json_array_foreach(r->required, i, tag) {
        if (!person_has(p, json_string_value(tag)))
            return xasprintf("缺少事项所需标签 %s", json_string_value(tag));
    }
    return NULL;
}

static int group_has_leader(Run *r, Group *g) {
    for (size_t i = 0; i < g->members.n; i++)
        if (r->ros->p[g->members.v[i]].may_lead && r->pool_of[g->members.v[i]] == 0) return 1;
    return 0;
}

static void skip(Group *g, const char *id, char *why) {
    notes_add(&g->skipped, id, why);
}

static size_t pool_count(Run *r, Group *g, size_t pool) {
    size_t n = 0;
    for (size_t i = 0; i < g->members.n; i++)
        n += r->pool_of[g->members.v[i]] == pool;
    return n;
}

/* Walks the officer order from g->pos[pool], passing officers of other pools silently, until
 * the group has the pool's number of members (group_size for the lead pool). */
static void fill_pool(Run *r, Group *g, size_t pool) {
    size_t want = (size_t)r->pool_size[pool], have = pool_count(r, g, pool);
    while (have < want && g->pos[pool] < g->norder) {
        uint32_t ri = g->order[g->pos[pool]++];
        if (r->pool_of[ri] != pool) continue;
        const DrawPerson *p = &r->ros->p[ri];
        char *why = ineligible(r, g, ri);
        if (!why && pool == 0 && have + 1 == want && !p->may_lead && !group_has_leader(r, g))
            why = xstrdup("末位须可任组长（组内尚无可任组长人员）");
        if (why) {
            skip(g, p->id, why);
            continue;
        }
        vec_push(&g->members, ri);
        r->load[ri]++;
        have++;
    }
}

static void update_short(Run *r, Group *g) {
    g->short_by = 0;
    for (size_t k = 0; k < r->npools; k++) {
        size_t have = pool_count(r, g, k);
        if (have < (size_t)r->pool_size[k]) g->short_by += (size_t)r->pool_size[k] - have;
    }
}

/* Fills every pool in order: the lead dept's, then each joint dept's. */
static void fill(Run *r, Group *g) {
    for (size_t k = 0; k < r->npools; k++)
        fill_pool(r, g, k);
    update_short(r, g);
}

static int covered(Run *r, Group *g, const char *spec) {
    for (size_t i = 0; i < g->members.n; i++)
        if (person_has(&r->ros->p[g->members.v[i]], spec)) return 1;
    for (size_t i = 0; i < g->experts.n; i++)
        if (person_has(&r->ros->p[g->experts.v[i]], spec)) return 1;
    return 0;
}

/* Adds experts in their draw order while a required specialty is not covered. */
static void cover(Run *r, Group *g) {
    g->uncovered.n = 0;
    Strs missing = {0};
    for (;;) {
        size_t i;
        json_t *spec;
        missing.n = 0;
        json_array_foreach(r->specialties, i, spec) {
            if (!covered(r, g, json_string_value(spec)))
                strs_add(&missing, json_string_value(spec));
        }
        if (!missing.n) break;
        if (g->epos >= g->neorder) {
            for (i = 0; i < missing.n; i++)
                strs_add(&g->uncovered, missing.v[i]);
            break;
        }
        uint32_t ri = g->eorder[g->epos++];
        const DrawPerson *p = &r->ros->p[ri];
        int helps = 0;
        for (i = 0; i < missing.n; i++)
            helps |= person_has(p, missing.v[i]);
        if (!helps) continue;
        if (strcmp(p->status, "启用")) {
            skip(g, p->id, xasprintf("状态为%s", p->status));
            continue;
        }
        if (conflicted(r, p->id, target_id(r, g))) {
            skip(g, p->id, xstrdup("回避：已申报利益冲突"));
            continue;
        }
        vec_push(&g->experts, ri);
    }
    free(missing.v);
}

static uint32_t *order_people(Run *r, const char *target, int experts, size_t *n) {
    const char *which = experts ? "|experts|" : "|officers|";
    size_t cnt = experts ? r->ros->nexperts : r->ros->nofficers;
    const char **ids = xmalloc((cnt ? cnt : 1) * sizeof *ids);
    uint32_t *lens = xmalloc((cnt ? cnt : 1) * sizeof *lens);
    uint32_t *map = xmalloc((cnt ? cnt : 1) * sizeof *map);
    size_t k = 0;
    for (size_t i = 0; i < r->ros->n; i++) {
        if (r->ros->p[i].is_expert != experts) continue;
        ids[k] = r->ros->p[i].id;
        lens[k] = (uint32_t)strlen(ids[k]);
        map[k++] = (uint32_t)i;
    }
    char *seed = xasprintf("%s%s%s", r->seed, which, target);
    DrawSeed s;
    draw_seed_init(&s, seed, strlen(seed));
    uint32_t *pos = xmalloc((cnt ? cnt : 1) * sizeof *pos);
    draw_order(&s, ids, lens, cnt, cnt, pos);
    for (size_t i = 0; i < cnt; i++)
        pos[i] = map[pos[i]];
    free(seed);
    free(ids);
    free(lens);
    free(map);
    *n = cnt;
    return pos;
}

static Group *new_group(Run *r, uint32_t pop_idx, int origin_sub, const char *ticket) {
    if (r->ng == r->gcap)
        r->g = xrealloc(r->g, (r->gcap = r->gcap ? r->gcap * 2 : 16) * sizeof *r->g);
    Group *g = &r->g[r->ng++];
    memset(g, 0, sizeof *g);
    g->pop_idx = pop_idx;
    g->stratum = r->pop->stratum[pop_idx];
    g->origin_sub = origin_sub;
    g->ticket = ticket;
    if (r->ros) {
        g->order = order_people(r, r->pop->id[pop_idx], 0, &g->norder);
        g->pos = xcalloc(r->npools, sizeof *g->pos);
        g->eorder = order_people(r, r->pop->id[pop_idx], 1, &g->neorder);
        fill(r, g);
        cover(r, g);
        /* a large draw has hundreds of thousands of groups: the officer order is made again
         * for the few an officer substitution reaches */
        free(g->order);
        g->order = NULL;
    }
    return g;
}

static Group *find_group(Run *r, const char *target) {
    for (size_t i = 0; i < r->ng; i++)
        if (!r->g[i].replaced && !strcmp(target_id(r, &r->g[i]), target)) return &r->g[i];
    return NULL;
}

static const char *group_leader(const Run *r, const Group *g) {
    for (size_t i = 0; i < g->members.n; i++)
        if (r->ros->p[g->members.v[i]].may_lead && r->pool_of[g->members.v[i]] == 0)
            return r->ros->p[g->members.v[i]].id;
    return NULL;
}

static void run_free(Run *r) {
    for (size_t i = 0; i < r->ng; i++) {
        Group *g = &r->g[i];
        free(g->order);
        free(g->pos);
        free(g->eorder);
        free(g->members.v);
        free(g->experts.v);
        notes_free(&g->skipped);
        notes_free(&g->removed);
        free(g->uncovered.v);
    }
    free(r->g);
    free(r->load);
    free(r->pool_of);
    free(r->pool_size);
}

/* Applies one substitution request; fills in "replacement" (and "ticket") on out. */
static int apply_event(Run *r, DrawSelection *sel, const json_t *ev, json_t *out, size_t k,
                       char **err) {
    const char *type = jk_str(ev, "type"), *target = jk_str(ev, "target"),
               *reason = jk_str(ev, "reason");
    if (!type || !target || !reason || !*reason)
        return set_err(err, "事件%zu: 须有 type、target 和非空 reason", k + 1);
    Group *g = find_group(r, target);
    if (!g) return set_err(err, "事件%zu: %s 不是当前有效的抽中对象", k + 1, target);
    if (!strcmp(type, "target")) {
        g->replaced = 1;
        if (r->ros) {
            for (size_t i = 0; i < g->members.n; i++)
                r->load[g->members.v[i]]--;
        }
        int64_t next = draw_selection_next(sel, g->stratum);
        if (next < 0) {
            json_object_set_new(out, "replacement", json_null());
            json_object_set_new(out, "ticket", json_null());
            return 0;
        }
        char t[DRAW_TICKET_MAX];
        draw_ticket(&sel->seed, r->pop->id[next], r->pop->id_len[next], t);
        json_object_set_new(out, "replacement", json_string(r->pop->id[next]));
        json_object_set_new(out, "ticket", json_string(t));
        new_group(r, (uint32_t)next, 1, jk_str(out, "ticket"));
        return 0;
    }
    if (strcmp(type, "officer")) return set_err(err, "事件%zu: 未知类型 %s", k + 1, type);
    const char *who = jk_str(ev, "officer");
    if (!who) return set_err(err, "事件%zu: 须有 officer", k + 1);
    if (!r->ros) return set_err(err, "事件%zu: 需要人员文件", k + 1);
    for (size_t i = 0; i < g->members.n; i++) {
        const char *id = r->ros->p[g->members.v[i]].id;
        if (strcmp(id, who)) continue;
        r->load[g->members.v[i]]--;
        size_t pool = r->pool_of[g->members.v[i]];
        vec_remove(&g->members, i);
        notes_add(&g->removed, id, xstrdup(reason));
        if (!g->order) g->order = order_people(r, target_id(r, g), 0, &g->norder);
        size_t before = g->members.n, experts_before = g->experts.n;
        fill_pool(r, g, pool); /* in draw order within the same dept's pool */
        update_short(r, g);
        cover(r, g);
        json_object_set_new(out, "replacement",
                            g->members.n > before
                                ? json_string(r->ros->p[g->members.v[g->members.n - 1]].id)
                                : json_null());
        /* experts the same step brought in to cover what the removed officer covered (§5) */
        if (g->experts.n > experts_before) {
            json_t *added = json_array();
            for (size_t e = experts_before; e < g->experts.n; e++)
                json_array_append_new(added, json_string(r->ros->p[g->experts.v[e]].id));
            json_object_set_new(out, "experts_added", added);
        }
        return 0;
    }
    for (size_t i = 0; i < g->experts.n; i++) {
        const char *id = r->ros->p[g->experts.v[i]].id;
        if (strcmp(id, who)) continue;
        vec_remove(&g->experts, i);
        notes_add(&g->removed, id, xstrdup(reason));
        size_t before = g->experts.n;
        cover(r, g);
        json_object_set_new(out, "replacement",
                            g->experts.n > before
                                ? json_string(r->ros->p[g->experts.v[g->experts.n - 1]].id)
                                : json_null());
        return 0;
    }
    return set_err(err, "事件%zu: %s 不在 %s 的检查组中", k + 1, who, target);
}

static int get_int(const json_t *o, const char *key, int64_t dflt, int64_t *out);

/* The pools of a joint task (docs/DRAW.md §5): params.joint_depts [{dept, per_group}] needs
 * the officer file's dept column; without it there is one pool of every officer. */
static int setup_pools(Run *r, const json_t *joint, char **err) {
    size_t nj = json_array_size(joint), nros = r->ros && r->ros->n ? r->ros->n : 1;
    if (joint && !json_is_array(joint)) return set_err(err, "参数 joint_depts 须为数组");
    r->npools = 1 + nj;
    r->pool_size = xcalloc(r->npools, sizeof *r->pool_size);
    r->pool_of = xcalloc(nros, sizeof *r->pool_of);
    r->pool_size[0] = r->group_size;
    for (size_t k = 0; k < nj; k++) {
        const json_t *d = json_array_get(joint, k);
        const char *code = jk_str(d, "dept");
        int64_t per;
        if (!json_is_object(d) || !code || !*code || get_int(d, "per_group", 1, &per) || per < 1 ||
            per > 50)
            return set_err(err, "参数 joint_depts 的每项须为 {dept: 科室编码, per_group: 正整数}");
        for (size_t j = 0; j < k; j++)
            if (str_eq(jk_str(json_array_get(joint, j), "dept"), code))
                return set_err(err, "参数 joint_depts 中科室 %s 重复", code);
        r->pool_size[k + 1] = per;
    }
    if (!r->ros) return 0;
    if (nj && !r->ros->has_dept)
        return set_err(err, "联合抽查（joint_depts）的人员文件须有第9列（科室）");
    for (size_t i = 0; i < r->ros->n; i++)
        for (size_t k = 0; k < nj; k++)
            if (!r->ros->p[i].is_expert &&
                !strcmp(r->ros->p[i].dept, jk_str(json_array_get(joint, k), "dept")))
                r->pool_of[i] = k + 1;
    return 0;
}

static int get_int(const json_t *o, const char *key, int64_t dflt, int64_t *out) {
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        *out = dflt;
        return 0;
    }
    if (!json_is_integer(v)) return -1;
    *out = json_integer_value(v);
    return 0;
}

int64_t draw_group_need(const json_t *params) {
    int64_t need = 0, per = 0;
    if (get_int(params, "group_size", 2, &need)) need = 2;
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(params, "joint_depts"), i, d) need +=
        get_int(d, "per_group", 1, &per) ? 1 : per;
    return need;
}

static int string_array_or_absent(const json_t *v) {
    if (!v) return 1;
    if (!json_is_array(v)) return 0;
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) if (!json_is_string(x)) return 0;
    return 1;
}

struct DrawOutcome {
    Run r;
    DrawSelection sel; /* zero until made: draw_selection_free then frees nothing */
    char *seed;
    json_t *strata, *events;
};

void draw_outcome_free(DrawOutcome *o) {
    if (!o) return;
    json_decref(o->strata);
    json_decref(o->events);
    draw_selection_free(&o->sel);
    run_free(&o->r);
    free(o->seed);
    free(o);
}

static DrawOutcome *outcome_fail(DrawOutcome *o) {
    draw_outcome_free(o);
    return NULL;
}

DrawOutcome *draw_outcome_compute(const json_t *record, const DrawPop *pop, const DrawRoster *ros,
                                  char **err) {
    const json_t *freeze = json_object_get(record, "freeze");
    const json_t *params = json_object_get(freeze, "params");
    const char *task = jk_str(freeze, "task"), *date = jk_str(freeze, "draw_date");
    if (!json_is_object(params) || !task || !date || !date_valid(date)) {
        set_err(err, "记录缺少 freeze.task / freeze.draw_date / freeze.params");
        return NULL;
    }
    char *seed = draw_record_seed(record, err);
    if (!seed) return NULL;
    DrawOutcome *o = xcalloc(1, sizeof *o);
    o->seed = seed;
    Run *r = &o->r;
    r->params = params;
    r->pop = pop;
    r->ros = ros;
    r->date = date;
    int64_t gs, cap;
    if (get_int(params, "group_size", 2, &gs) || gs < 2 || gs > 50 ||
        get_int(params, "workload_cap", 0, &cap) || cap < 0) {
        set_err(err, "参数 group_size 须为不小于2的整数，workload_cap 须为非负整数");
        return outcome_fail(o);
    }
    r->group_size = (int)gs;
    r->cap = cap;
    json_t *cr = json_object_get(params, "cross_region");
    r->cross_region = json_is_true(cr);
    r->required = json_object_get(params, "required_tags");
    r->specialties = json_object_get(params, "specialties");
    r->conflicts = json_object_get(params, "conflicts");
    if (!string_array_or_absent(r->required) || !string_array_or_absent(r->specialties) ||
        (r->conflicts && !json_is_array(r->conflicts))) {
        set_err(err, "参数 required_tags / specialties 须为字符串数组，conflicts 须为数组");
        return outcome_fail(o);
    }
    if (setup_pools(r, json_object_get(params, "joint_depts"), err)) return outcome_fail(o);
    if (r->cross_region && !pop->region) {
        set_err(err, "要求跨区域检查时名单文件须有第三列（区域）");
        return outcome_fail(o);
    }
    /* stratum sizes */
    json_t *ratios = json_object_get(params, "ratios"), *mins = json_object_get(params, "minimum");
    uint64_t *n = xcalloc(pop->nstrata ? pop->nstrata : 1, sizeof *n);
    o->strata = json_array();
    for (size_t h = 0; h < pop->nstrata; h++) {
        json_t *rv = draw_lookup_stratum(ratios, pop->strata[h]);
        DrawRatio ratio;
        if (!json_is_string(rv) || draw_ratio_parse(json_string_value(rv), &ratio)) {
            set_err(err, "分层 %s 没有有效的抽查比例（params.ratios）", pop->strata[h]);
            free(n);
            return outcome_fail(o);
        }
        json_t *mv = draw_lookup_stratum(mins, pop->strata[h]);
        if (mv && (!json_is_integer(mv) || json_integer_value(mv) < 0)) {
            set_err(err, "分层 %s 的最低数量须为非负整数", pop->strata[h]);
            free(n);
            return outcome_fail(o);
        }
        uint64_t minimum = mv ? (uint64_t)json_integer_value(mv) : 0;
        n[h] = draw_stratum_size(pop->stratum_n[h], ratio, minimum);
        json_array_append_new(
            o->strata, json_pack("{s:s,s:I,s:s,s:I,s:I}", "stratum", pop->strata[h], "N",
                                 (json_int_t)pop->stratum_n[h], "ratio", json_string_value(rv),
                                 "minimum", (json_int_t)minimum, "n", (json_int_t)n[h]));
    }
    r->seed = seed;
    DrawSelection *sel = &o->sel;
    draw_select(sel, pop, seed, strlen(seed), n);
    free(n);
    r->load = xcalloc(ros && ros->n ? ros->n : 1, sizeof *r->load);
    r->gcap = sel->count + json_array_size(json_object_get(record, "events")) + 1;
    r->g = xmalloc(r->gcap * sizeof *r->g); /* one group per target: no doubling */
    for (size_t i = 0; i < sel->count; i++)
        new_group(r, sel->idx[i], 0, sel->ticket[i]);
    o->events = json_array();
    json_t *in = json_object_get(record, "events");
    if (in && !json_is_array(in)) {
        set_err(err, "events 须为数组");
        return outcome_fail(o);
    }
    size_t k;
    json_t *ev;
    json_array_foreach(in, k, ev) {
        json_t *out = json_object();
        const char *keys[] = {"type", "target", "officer", "reason"};
        for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
            json_t *v = json_object_get(ev, keys[i]);
            if (v) json_object_set(out, keys[i], v);
        }
        json_array_append_new(o->events, out);
        if (!ros && str_eq(jk_str(ev, "type"), "officer")) continue; /* cannot be checked */
        if (apply_event(r, sel, ev, out, k, err)) return outcome_fail(o);
    }
    return o;
}

size_t draw_outcome_groups(const DrawOutcome *o) {
    return o->r.ros ? o->r.ng : 0;
}

size_t draw_outcome_selected(const DrawOutcome *o) {
    return o->sel.count;
}

void draw_outcome_group(const DrawOutcome *o, size_t i, DrawGroupView *v) {
    const Run *r = &o->r;
    const Group *g = &r->g[i];
    *v = (DrawGroupView){.target = r->pop->id[g->pop_idx],
                         .stratum = r->pop->strata[g->stratum],
                         .ticket = g->ticket,
                         .replacement = g->origin_sub,
                         .replaced = g->replaced,
                         .leader = group_leader(r, g),
                         .officers = g->members.v,
                         .nofficers = g->members.n,
                         .experts = g->experts.v,
                         .nexperts = g->experts.n,
                         .skipped = g->skipped.v,
                         .nskipped = g->skipped.n,
                         .removed = g->removed.v,
                         .nremoved = g->removed.n};
}

/* ---- the derived fields as JSON objects (draw_compute, draw_verify) ---- */

static json_t *ids_json(const DrawRoster *ros, const uint32_t *ix, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(ros->p[ix[i]].id));
    return a;
}

static json_t *notes_json(const DrawNote *v, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s,s:s}", "id", v[i].id, "reason", v[i].reason));
    return a;
}

static json_t *group_json(const DrawOutcome *o, size_t i) {
    DrawGroupView v;
    draw_outcome_group(o, i, &v);
    const Group *g = &o->r.g[i];
    json_t *uncovered = json_array();
    for (size_t k = 0; k < g->uncovered.n; k++)
        json_array_append_new(uncovered, json_string(g->uncovered.v[k]));
    return json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:I}", "target", v.target, "origin",
                     v.replacement ? "递补" : "抽中", "status", v.replaced ? "已替换" : "有效",
                     "officers", ids_json(o->r.ros, v.officers, v.nofficers), "leader",
                     v.leader ? json_string(v.leader) : json_null(), "experts",
                     ids_json(o->r.ros, v.experts, v.nexperts), "uncovered", uncovered, "skipped",
                     notes_json(v.skipped, v.nskipped), "removed",
                     notes_json(v.removed, v.nremoved), "short", (json_int_t)g->short_by);
}

json_t *draw_outcome_json(const DrawOutcome *o, int lists) {
    json_t *res = json_pack("{s:s,s:s,s:O,s:O}", "seed", o->seed, "seedhash", o->sel.seed.hash,
                            "strata", o->strata, "events", o->events);
    if (!lists) return res;
    const DrawPop *pop = o->r.pop;
    json_t *selected = json_array(), *assignments = json_array();
    for (size_t i = 0; i < o->sel.count; i++) {
        uint32_t ix = o->sel.idx[i];
        json_array_append_new(selected,
                              json_pack("{s:s,s:s,s:s}", "id", pop->id[ix], "stratum",
                                        pop->strata[pop->stratum[ix]], "ticket", o->sel.ticket[i]));
    }
    for (size_t i = 0; i < draw_outcome_groups(o); i++)
        json_array_append_new(assignments, group_json(o, i));
    json_object_set_new(res, "selected", selected);
    json_object_set_new(res, "assignments", assignments);
    return res;
}

json_t *draw_compute(const json_t *record, const DrawPop *pop, const DrawRoster *ros, char **err) {
    DrawOutcome *o = draw_outcome_compute(record, pop, ros, err);
    if (!o) return NULL;
    json_t *res = draw_outcome_json(o, 1);
    draw_outcome_free(o);
    return res;
}

/* ---- the record as canonical text, written from the outcome (no tree of the groups) ----
 *
 * draw_canonical_json is jansson's compact dump with sorted keys: members in strcmp order of
 * their keys, "," and ":" without spaces, strings as draw_canon_str writes them, integers in
 * decimal. The two long lists are written here member by member in that form; every other
 * member (the head, strata, events: small) is dumped by jansson itself. */

static void ids_write(Buf *b, const DrawRoster *ros, const uint32_t *ix, size_t n) {
    buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(b, ',');
        draw_canon_str(b, ros->p[ix[i]].id);
    }
    buf_putc(b, ']');
}

static void notes_write(Buf *b, const DrawNote *v, size_t n) {
    buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        buf_puts(b, i ? ",{\"id\":" : "{\"id\":");
        draw_canon_str(b, v[i].id);
        buf_puts(b, ",\"reason\":");
        draw_canon_str(b, v[i].reason);
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
}

/* One group; its keys in sorted order. */
static void group_write(Buf *b, const DrawOutcome *o, size_t i) {
    DrawGroupView v;
    draw_outcome_group(o, i, &v);
    const Group *g = &o->r.g[i];
    buf_puts(b, "{\"experts\":");
    ids_write(b, o->r.ros, v.experts, v.nexperts);
    buf_puts(b, ",\"leader\":");
    if (v.leader)
        draw_canon_str(b, v.leader);
    else
        buf_puts(b, "null");
    buf_puts(b, ",\"officers\":");
    ids_write(b, o->r.ros, v.officers, v.nofficers);
    buf_puts(b, v.replacement ? ",\"origin\":\"递补\",\"removed\":"
                              : ",\"origin\":\"抽中\",\"removed\":");
    notes_write(b, v.removed, v.nremoved);
    buf_printf(b, ",\"short\":%zu,\"skipped\":", g->short_by);
    notes_write(b, v.skipped, v.nskipped);
    buf_puts(b, v.replaced ? ",\"status\":\"已替换\",\"target\":"
                           : ",\"status\":\"有效\",\"target\":");
    draw_canon_str(b, v.target);
    buf_puts(b, ",\"uncovered\":[");
    for (size_t k = 0; k < g->uncovered.n; k++) {
        if (k) buf_putc(b, ',');
        draw_canon_str(b, g->uncovered.v[k]);
    }
    buf_puts(b, "]}");
}

static void selected_write(Buf *b, const DrawOutcome *o) {
    const DrawPop *pop = o->r.pop;
    buf_putc(b, '[');
    for (size_t i = 0; i < o->sel.count; i++) {
        uint32_t ix = o->sel.idx[i];
        buf_puts(b, i ? ",{\"id\":" : "{\"id\":");
        draw_canon_str(b, pop->id[ix]);
        buf_puts(b, ",\"stratum\":");
        draw_canon_str(b, pop->strata[pop->stratum[ix]]);
        buf_puts(b, ",\"ticket\":");
        draw_canon_str(b, o->sel.ticket[i]);
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
}

static int by_key(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void draw_outcome_write(const DrawOutcome *o, const json_t *head, Buf *out) {
    json_t *small = draw_outcome_json(o, 0);
    size_t nkeys = 0, cap = json_object_size(head) + json_object_size(small) + 2;
    const char **keys = xmalloc(cap * sizeof *keys);
    const char *key;
    json_t *v;
    keys[nkeys++] = "selected";
    keys[nkeys++] = "assignments";
    json_object_foreach(small, key, v) keys[nkeys++] = key;
    json_object_foreach((json_t *)head, key, v) {
        if (!json_object_get(small, key) && strcmp(key, "selected") && strcmp(key, "assignments"))
            keys[nkeys++] = key;
    }
    qsort(keys, nkeys, sizeof *keys, by_key);
    buf_putc(out, '{');
    for (size_t i = 0; i < nkeys; i++) {
        if (i) buf_putc(out, ',');
        draw_canon_str(out, keys[i]);
        buf_putc(out, ':');
        if (!strcmp(keys[i], "selected"))
            selected_write(out, o);
        else if (!strcmp(keys[i], "assignments")) {
            buf_putc(out, '[');
            for (size_t g = 0; g < draw_outcome_groups(o); g++) {
                if (g) buf_putc(out, ',');
                group_write(out, o, g);
            }
            buf_putc(out, ']');
        } else {
            v = json_object_get(small, keys[i]);
            draw_canon_value(out, v ? v : json_object_get(head, keys[i]));
        }
    }
    buf_putc(out, '}');
    free(keys);
    json_decref(small);
}

/* ---- the record's head and the complete record ---- */

json_t *draw_record_head_v2(const json_t *freeze, const json_t *values, const char *blind,
                            const char *drawn_at, const char *dice_recorded_at,
                            const json_t *events) {
    char fsha[65];
    draw_json_sha256(freeze, fsha);
    json_t *rec = json_pack("{s:s,s:O,s:s,s:O,s:s,s:o}", "format", DRAW_FORMAT_V2, "freeze", freeze,
                            "freeze_sha256", fsha, "values", values, "drawn_at", drawn_at, "events",
                            events ? json_incref((json_t *)events) : json_array());
    if (dice_recorded_at)
        json_object_set_new(rec, "dice_recorded_at", json_string(dice_recorded_at));
    if (blind) json_object_set_new(rec, "blind", json_string(blind));
    return rec;
}

json_t *draw_record_head(const json_t *freeze, const char *randomness, const char *secret_hex,
                         const json_t *events) {
    char fsha[65];
    draw_json_sha256(freeze, fsha);
    return json_pack("{s:s,s:O,s:s,s:s,s:s,s:o}", "format", DRAW_FORMAT, "freeze", freeze,
                     "freeze_sha256", fsha, "public_randomness", randomness, "secret", secret_hex,
                     "events", events ? json_incref((json_t *)events) : json_array());
}

static json_t *record_complete(json_t *rec, const DrawPop *pop, const DrawRoster *ros, char **err) {
    json_t *re = rec ? draw_compute(rec, pop, ros, err) : NULL;
    if (!re) {
        if (!rec) set_err(err, "记录的输入无效");
        json_decref(rec);
        return NULL;
    }
    json_object_update(rec, re);
    json_decref(re);
    return rec;
}

json_t *draw_record_build_v2(const json_t *freeze, const json_t *values, const char *blind,
                             const char *drawn_at, const char *dice_recorded_at,
                             const json_t *events, const DrawPop *pop, const DrawRoster *ros,
                             char **err) {
    return record_complete(
        draw_record_head_v2(freeze, values, blind, drawn_at, dice_recorded_at, events), pop, ros,
        err);
}

json_t *draw_record_build(const json_t *freeze, const char *randomness, const char *secret_hex,
                          const json_t *events, const DrawPop *pop, const DrawRoster *ros,
                          char **err) {
    return record_complete(draw_record_head(freeze, randomness, secret_hex, events), pop, ros, err);
}
