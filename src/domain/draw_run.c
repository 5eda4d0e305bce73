/* draw_run.c - the second half of the draw engine: the officer file, officer and expert
 * assignment with recusal and substitution (递补), the draw record and its verification.
 * Everything here is deterministic in the record's inputs; docs/DRAW.md is the specification
 * and tools/verify_draw.py an independent implementation of the same rules.
 *
 * Called by draw_store.c (draw run, substitute), the CLI (verify) and tests. Pure: no database,
 * no clock, no I/O. */
#include "draw.h"
#include "jsonkit.h"
#include "draw_source.h"

#include "draw_sha256.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ roster */

void draw_roster_free(DrawRoster *r) {
    for (size_t i = 0; i < r->n; i++) {
        DrawPerson *p = &r->p[i];
        free(p->id);
        free(p->region);
        free(p->status);
        free(p->valid_from);
        free(p->valid_to);
        for (size_t t = 0; t < p->ntags; t++) free(p->tags[t]);
        free(p->tags);
        free(p->dept);
    }
    free(r->p);
    memset(r, 0, sizeof *r);
}

static char **split_commas(const char *s, size_t *n) {
    *n = 0;
    if (!*s) return NULL;
    size_t cap = 1;
    for (const char *q = s; *q; q++) cap += *q == ',';
    char **v = xmalloc(cap * sizeof *v);
    const char *q = s;
    for (;;) {
        const char *c = strchr(q, ',');
        size_t len = c ? (size_t)(c - q) : strlen(q);
        v[(*n)++] = xstrndup(q, len);
        if (!c) break;
        q = c + 1;
    }
    return v;
}

int draw_roster_parse(DrawRoster *r, const char *text, size_t len, char **err) {
    memset(r, 0, sizeof *r);
    draw_sha256_hex(text, len, r->sha256);
    if (len && text[len - 1] != '\n') return set_err(err, "人员文件须以换行结尾");
    if (!utf8_valid(text, len)) return set_err(err, "人员文件不是有效的 UTF-8");
    if (memchr(text, 0, len) || memchr(text, '\r', len)) return set_err(err, "人员文件含有非法字符");
    size_t lines = 0;
    for (size_t i = 0; i < len; i++) lines += text[i] == '\n';
    r->p = xcalloc(lines ? lines : 1, sizeof *r->p);
    const char *q = text, *end = text + len, *prev = NULL;
    size_t prev_len = 0;
    for (size_t ln = 0; q < end; ln++) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        size_t llen = (size_t)(nl - q);
        if (prev) {
            int c = memcmp(prev, q, prev_len < llen ? prev_len : llen);
            if (c > 0 || (c == 0 && prev_len >= llen)) {
                draw_roster_free(r);
                return set_err(err, "人员文件第%zu行: 各行未按字节升序排列或重复", ln + 1);
            }
        }
        char *line = xstrndup(q, llen);
        char *f[9];
        size_t nf = 0;
        char *s = line;
        for (;;) {
            char *t = strchr(s, '\t');
            if (nf < 9) f[nf] = s;
            nf++;
            if (!t) break;
            *t = 0;
            s = t + 1;
        }
        if (ln == 0) r->has_dept = nf == 9;
        int ok = nf == (r->has_dept ? 9u : 8u) && (!strcmp(f[0], "officer") || !strcmp(f[0], "expert")) && *f[1] &&
                 *f[3] && (!strcmp(f[6], "0") || !strcmp(f[6], "1"));
        if (ok && !strcmp(f[0], "officer"))
            ok = *f[2] && date_valid(f[4]) && date_valid(f[5]);
        if (ok && !strcmp(f[0], "expert")) ok = !*f[4] && !*f[5] && !strcmp(f[6], "0") && (!r->has_dept || !*f[8]);
        if (!ok) {
            free(line);
            draw_roster_free(r);
            return set_err(err,
                           "人员文件第%zu行: 应为 类别<TAB>编号<TAB>区域<TAB>状态<TAB>证件起<TAB>"
                           "证件止<TAB>可任组长(0/1)<TAB>标签（共8列；联合抽查另加第9列科室，各行一致）",
                           ln + 1);
        }
        DrawPerson *p = &r->p[r->n];
        p->is_expert = !strcmp(f[0], "expert");
        if (r->n && r->p[r->n - 1].is_expert == p->is_expert && !strcmp(r->p[r->n - 1].id, f[1])) {
            free(line);
            draw_roster_free(r);
            return set_err(err, "人员文件第%zu行: 编号重复: %s", ln + 1, f[1]);
        }
        p->id = xstrdup(f[1]);
        p->region = xstrdup(f[2]);
        p->status = xstrdup(f[3]);
        p->valid_from = xstrdup(f[4]);
        p->valid_to = xstrdup(f[5]);
        p->may_lead = f[6][0] == '1';
        p->tags = split_commas(f[7], &p->ntags);
        p->dept = xstrdup(r->has_dept ? f[8] : "");
        r->n++;
        if (p->is_expert) r->nexperts++;
        else r->nofficers++;
        free(line);
        prev = q;
        prev_len = llen;
        q = nl + 1;
    }
    return 0;
}

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
    if (!rnd || !secret) return set_err(err, "记录缺少 public_randomness 或 secret（尚未抽取）"), NULL;
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

/* Ratio lookup: the exact stratum name, then its part before the first '/', then "*". */
static json_t *lookup_stratum(const json_t *map, const char *name) {
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

typedef struct Group {
    uint32_t pop_idx;
    size_t stratum;
    int origin_sub; /* 1 when the target came in as a replacement */
    int replaced;
    uint32_t *order, *eorder; /* roster indices in draw order */
    size_t norder, neorder, epos;
    size_t *pos; /* per pool: position in the officer order */
    Vec members, experts;
    json_t *skipped, *removed, *uncovered;
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

static const char *target_id(Run *r, Group *g) { return r->pop->id[g->pop_idx]; }

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
    json_array_append_new(g->skipped, json_pack("{s:s,s:s}", "id", id, "reason", why));
    free(why);
}

static size_t pool_count(Run *r, Group *g, size_t pool) {
    size_t n = 0;
    for (size_t i = 0; i < g->members.n; i++) n += r->pool_of[g->members.v[i]] == pool;
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
    for (size_t k = 0; k < r->npools; k++) fill_pool(r, g, k);
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
    json_array_clear(g->uncovered);
    for (;;) {
        size_t i;
        json_t *spec;
        json_t *missing = json_array();
        json_array_foreach(r->specialties, i, spec) {
            if (!covered(r, g, json_string_value(spec))) json_array_append(missing, spec);
        }
        if (!json_array_size(missing)) {
            json_decref(missing);
            return;
        }
        if (g->epos >= g->neorder) {
            json_array_extend(g->uncovered, missing);
            json_decref(missing);
            return;
        }
        uint32_t ri = g->eorder[g->epos++];
        const DrawPerson *p = &r->ros->p[ri];
        int helps = 0;
        json_array_foreach(missing, i, spec) helps |= person_has(p, json_string_value(spec));
        json_decref(missing);
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
    for (size_t i = 0; i < cnt; i++) pos[i] = map[pos[i]];
    free(seed);
    free(ids);
    free(lens);
    free(map);
    *n = cnt;
    return pos;
}

static Group *new_group(Run *r, uint32_t pop_idx, int origin_sub) {
    if (r->ng == r->gcap) r->g = xrealloc(r->g, (r->gcap = r->gcap ? r->gcap * 2 : 16) * sizeof *r->g);
    Group *g = &r->g[r->ng++];
    memset(g, 0, sizeof *g);
    g->pop_idx = pop_idx;
    g->stratum = r->pop->stratum[pop_idx];
    g->origin_sub = origin_sub;
    g->skipped = json_array();
    g->removed = json_array();
    g->uncovered = json_array();
    if (r->ros) {
        g->order = order_people(r, r->pop->id[pop_idx], 0, &g->norder);
        g->pos = xcalloc(r->npools, sizeof *g->pos);
        g->eorder = order_people(r, r->pop->id[pop_idx], 1, &g->neorder);
        fill(r, g);
        cover(r, g);
    }
    return g;
}

static Group *find_group(Run *r, const char *target) {
    for (size_t i = 0; i < r->ng; i++)
        if (!r->g[i].replaced && !strcmp(target_id(r, &r->g[i]), target)) return &r->g[i];
    return NULL;
}

static json_t *ids_json(Run *r, const Vec *v) {
    json_t *a = json_array();
    for (size_t i = 0; i < v->n; i++) json_array_append_new(a, json_string(r->ros->p[v->v[i]].id));
    return a;
}

static json_t *group_json(Run *r, Group *g) {
    const char *leader = NULL;
    for (size_t i = 0; i < g->members.n && !leader; i++)
        if (r->ros->p[g->members.v[i]].may_lead && r->pool_of[g->members.v[i]] == 0)
            leader = r->ros->p[g->members.v[i]].id;
    return json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:O,s:O,s:O,s:I}", "target", target_id(r, g),
                     "origin", g->origin_sub ? "递补" : "抽中", "status",
                     g->replaced ? "已替换" : "有效", "officers", ids_json(r, &g->members),
                     "leader", leader ? json_string(leader) : json_null(), "experts",
                     ids_json(r, &g->experts), "uncovered", g->uncovered, "skipped", g->skipped,
                     "removed", g->removed, "short", (json_int_t)g->short_by);
}

static void run_free(Run *r) {
    for (size_t i = 0; i < r->ng; i++) {
        Group *g = &r->g[i];
        free(g->order);
        free(g->pos);
        free(g->eorder);
        free(g->members.v);
        free(g->experts.v);
        json_decref(g->skipped);
        json_decref(g->removed);
        json_decref(g->uncovered);
    }
    free(r->g);
    free(r->load);
    free(r->pool_of);
    free(r->pool_size);
}

/* Applies one substitution request; fills in "replacement" (and "ticket") on out. */
static int apply_event(Run *r, DrawSelection *sel, const json_t *ev, json_t *out, size_t k,
                       char **err) {
    const char *type = jk_str(ev, "type"), *target = jk_str(ev, "target"), *reason = jk_str(ev, "reason");
    if (!type || !target || !reason || !*reason)
        return set_err(err, "事件%zu: 须有 type、target 和非空 reason", k + 1);
    Group *g = find_group(r, target);
    if (!g) return set_err(err, "事件%zu: %s 不是当前有效的抽中对象", k + 1, target);
    if (!strcmp(type, "target")) {
        g->replaced = 1;
        if (r->ros) {
            for (size_t i = 0; i < g->members.n; i++) r->load[g->members.v[i]]--;
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
        new_group(r, (uint32_t)next, 1);
        return 0;
    }
    if (strcmp(type, "officer")) return set_err(err, "事件%zu: 未知类型 %s", k + 1, type);
    const char *who = jk_str(ev, "officer");
    if (!who) return set_err(err, "事件%zu: 须有 officer", k + 1);
    if (!r->ros) return set_err(err, "事件%zu: 需要人员文件", k + 1);
    for (size_t i = 0; i < g->members.n; i++) {
        if (strcmp(r->ros->p[g->members.v[i]].id, who)) continue;
        r->load[g->members.v[i]]--;
        size_t pool = r->pool_of[g->members.v[i]];
        vec_remove(&g->members, i);
        json_array_append_new(g->removed, json_pack("{s:s,s:s}", "id", who, "reason", reason));
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
        if (strcmp(r->ros->p[g->experts.v[i]].id, who)) continue;
        vec_remove(&g->experts, i);
        json_array_append_new(g->removed, json_pack("{s:s,s:s}", "id", who, "reason", reason));
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
        if (!json_is_object(d) || !code || !*code || get_int(d, "per_group", 1, &per) || per < 1 || per > 50)
            return set_err(err, "参数 joint_depts 的每项须为 {dept: 科室编码, per_group: 正整数}");
        for (size_t j = 0; j < k; j++)
            if (str_eq(jk_str(json_array_get(joint, j), "dept"), code))
                return set_err(err, "参数 joint_depts 中科室 %s 重复", code);
        r->pool_size[k + 1] = per;
    }
    if (!r->ros) return 0;
    if (nj && !r->ros->has_dept) return set_err(err, "联合抽查（joint_depts）的人员文件须有第9列（科室）");
    for (size_t i = 0; i < r->ros->n; i++)
        for (size_t k = 0; k < nj; k++)
            if (!r->ros->p[i].is_expert && !strcmp(r->ros->p[i].dept, jk_str(json_array_get(joint, k), "dept")))
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

static int string_array_or_absent(const json_t *v) {
    if (!v) return 1;
    if (!json_is_array(v)) return 0;
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) if (!json_is_string(x)) return 0;
    return 1;
}

json_t *draw_compute(const json_t *record, const DrawPop *pop, const DrawRoster *ros, char **err) {
    const json_t *freeze = json_object_get(record, "freeze");
    const json_t *params = json_object_get(freeze, "params");
    const char *task = jk_str(freeze, "task"), *date = jk_str(freeze, "draw_date");
    if (!json_is_object(params) || !task || !date || !date_valid(date)) {
        set_err(err, "记录缺少 freeze.task / freeze.draw_date / freeze.params");
        return NULL;
    }
    char *seed = draw_record_seed(record, err);
    if (!seed) return NULL;
    Run r = {0};
    r.params = params;
    r.pop = pop;
    r.ros = ros;
    r.date = date;
    int64_t gs, cap;
    if (get_int(params, "group_size", 2, &gs) || gs < 2 || gs > 50 ||
        get_int(params, "workload_cap", 0, &cap) || cap < 0) {
        set_err(err, "参数 group_size 须为不小于2的整数，workload_cap 须为非负整数");
        free(seed);
        return NULL;
    }
    r.group_size = (int)gs;
    r.cap = cap;
    json_t *cr = json_object_get(params, "cross_region");
    r.cross_region = json_is_true(cr);
    r.required = json_object_get(params, "required_tags");
    r.specialties = json_object_get(params, "specialties");
    r.conflicts = json_object_get(params, "conflicts");
    if (!string_array_or_absent(r.required) || !string_array_or_absent(r.specialties) ||
        (r.conflicts && !json_is_array(r.conflicts))) {
        set_err(err, "参数 required_tags / specialties 须为字符串数组，conflicts 须为数组");
        free(seed);
        return NULL;
    }
    if (setup_pools(&r, json_object_get(params, "joint_depts"), err)) {
        run_free(&r);
        free(seed);
        return NULL;
    }
    if (r.cross_region && !pop->region) {
        set_err(err, "要求跨区域检查时名单文件须有第三列（区域）");
        run_free(&r);
        free(seed);
        return NULL;
    }
    /* stratum sizes */
    json_t *ratios = json_object_get(params, "ratios"), *mins = json_object_get(params, "minimum");
    uint64_t *n = xcalloc(pop->nstrata ? pop->nstrata : 1, sizeof *n);
    json_t *strata = json_array();
    for (size_t h = 0; h < pop->nstrata; h++) {
        json_t *rv = lookup_stratum(ratios, pop->strata[h]);
        DrawRatio ratio;
        if (!json_is_string(rv) || draw_ratio_parse(json_string_value(rv), &ratio)) {
            set_err(err, "分层 %s 没有有效的抽查比例（params.ratios）", pop->strata[h]);
            free(n);
            json_decref(strata);
            run_free(&r);
            free(seed);
            return NULL;
        }
        json_t *mv = lookup_stratum(mins, pop->strata[h]);
        if (mv && (!json_is_integer(mv) || json_integer_value(mv) < 0)) {
            set_err(err, "分层 %s 的最低数量须为非负整数", pop->strata[h]);
            free(n);
            json_decref(strata);
            run_free(&r);
            free(seed);
            return NULL;
        }
        uint64_t minimum = mv ? (uint64_t)json_integer_value(mv) : 0;
        n[h] = draw_stratum_size(pop->stratum_n[h], ratio, minimum);
        json_array_append_new(strata, json_pack("{s:s,s:I,s:s,s:I,s:I}", "stratum", pop->strata[h],
                                                "N", (json_int_t)pop->stratum_n[h], "ratio",
                                                json_string_value(rv), "minimum",
                                                (json_int_t)minimum, "n", (json_int_t)n[h]));
    }
    r.seed = seed;
    DrawSelection sel;
    draw_select(&sel, pop, seed, strlen(seed), n);
    free(n);
    json_t *selected = json_array();
    for (size_t i = 0; i < sel.count; i++) {
        uint32_t ix = sel.idx[i];
        json_array_append_new(selected, json_pack("{s:s,s:s,s:s}", "id", pop->id[ix], "stratum",
                                                  pop->strata[pop->stratum[ix]], "ticket",
                                                  sel.ticket[i]));
    }
    r.load = xcalloc(ros && ros->n ? ros->n : 1, sizeof *r.load);
    for (size_t i = 0; i < sel.count; i++) new_group(&r, sel.idx[i], 0);
    json_t *events = json_array(), *in = json_object_get(record, "events");
    if (in && !json_is_array(in)) {
        set_err(err, "events 须为数组");
        goto fail;
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
        json_array_append_new(events, out);
        if (!ros && str_eq(jk_str(ev, "type"), "officer")) continue; /* cannot be checked */
        if (apply_event(&r, &sel, ev, out, k, err)) goto fail;
    }
    json_t *assignments = json_array();
    if (ros)
        for (size_t i = 0; i < r.ng; i++) json_array_append_new(assignments, group_json(&r, &r.g[i]));
    json_t *res = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "seed", seed, "seedhash", sel.seed.hash,
                            "strata", strata, "selected", selected, "assignments", assignments,
                            "events", events);
    draw_selection_free(&sel);
    run_free(&r);
    free(seed);
    return res;
fail:
    json_decref(events);
    json_decref(strata);
    json_decref(selected);
    draw_selection_free(&sel);
    run_free(&r);
    free(seed);
    return NULL;
}

/* ------------------------------------------------------------------ verification */

static void say(Buf *out, int *count, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(Buf *out, int *count, const char *fmt, ...) {
    (*count)++;
    if (*count > 50) {
        if (*count == 51) buf_puts(out, "……（更多差异从略）\n");
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(out, fmt, ap);
    va_end(ap);
    buf_putc(out, '\n');
}

static char *short_json(const json_t *j) {
    if (!j) return xstrdup("（缺失）");
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (strlen(s) > 200) strcpy(s + 190, "…");
    return s;
}

/* Reports every difference between the recorded value a and the recomputed value b. */
static void diff(const char *path, const json_t *a, const json_t *b, Buf *out, int *count) {
    if (json_is_object(a) && json_is_object(b)) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)b, key, v) {
            char *p = xasprintf("%s.%s", path, key);
            diff(p, json_object_get(a, key), v, out, count);
            free(p);
        }
        json_object_foreach((json_t *)a, key, v) {
            if (!json_object_get(b, key)) say(out, count, "%s.%s: 记录中有多余字段", path, key);
        }
        return;
    }
    if (json_is_array(a) && json_is_array(b)) {
        size_t na = json_array_size(a), nb = json_array_size(b);
        for (size_t i = 0; i < na && i < nb; i++) {
            char *p = xasprintf("%s[%zu]", path, i);
            diff(p, json_array_get(a, i), json_array_get(b, i), out, count);
            free(p);
        }
        if (na != nb) say(out, count, "%s: 记录有 %zu 项，重算为 %zu 项", path, na, nb);
        return;
    }
    if (a && json_equal((json_t *)a, (json_t *)b)) return;
    char *sa = short_json(a), *sb = short_json(b);
    say(out, count, "%s: 记录为 %s，重算为 %s", path, sa, sb);
    free(sa);
    free(sb);
}

static int hex_decode(const char *s, uint8_t *out, size_t n) {
    if (!s || strlen(s) != 2 * n) return -1;
    for (size_t i = 0; i < 2 * n; i++) {
        char c = s[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0) return -1;
        if (i % 2) out[i / 2] = (uint8_t)(out[i / 2] | v);
        else out[i / 2] = (uint8_t)(v << 4);
    }
    return 0;
}

static const char *const record_keys[] = {"format",  "freeze",   "freeze_sha256", "public_randomness",
                                          "secret",  "seed",     "seedhash",      "strata",
                                          "selected", "assignments", "events"};
static const char *const freeze_keys[] = {"task",       "draw_no",   "draw_date", "frozen_at",
                                          "randomness_source", "params", "population", "officers",
                                          "commitment", "redraw",    "excluded"};
static const char *const record_keys_v2[] = {"format", "freeze",   "freeze_sha256", "values",
                                             "drawn_at", "seed",   "seedhash",      "strata",
                                             "selected", "assignments", "events"};
static const char *const freeze_keys_v2[] = {"task",      "draw_no", "draw_date", "frozen_at",
                                             "sources",   "gap_hours", "params",  "population",
                                             "officers",  "redraw",  "excluded"};

/* Checks that obj has exactly the n keys (unknown and missing ones reported with prefix). */
static void check_keys(const json_t *obj, const char *const *keys, size_t n, const char *prefix,
                       Buf *out, int *count) {
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        size_t i;
        for (i = 0; i < n; i++)
            if (!strcmp(key, keys[i])) break;
        if (i == n) say(out, count, "%s%s: 未知字段", prefix, key);
    }
    for (size_t i = 0; i < n; i++)
        if (!json_object_get(obj, keys[i])) say(out, count, "%s%s: 缺少字段", prefix, keys[i]);
}

/* A /2 freeze's keys: blind_sha256 is optional (freezes made before the blind have none). */
static void check_freeze_keys_v2(const json_t *freeze, Buf *out, int *count) {
    json_t *plain = json_deep_copy(freeze);
    json_object_del(plain, "blind_sha256");
    check_keys(plain, freeze_keys_v2, ARRAY_LEN(freeze_keys_v2), "freeze.", out, count);
    json_decref(plain);
}

/* The blind (§7a): when the freeze committed to one, the record reveals it and its SHA-256 (of the
 * 32 bytes) is the commitment; otherwise the record has none. */
static void verify_blind(const json_t *record, const json_t *freeze, Buf *out, int *count) {
    const json_t *commit = json_object_get(freeze, "blind_sha256");
    const char *blind = jk_str(record, "blind");
    uint8_t b[32];
    if (!commit) {
        if (json_object_get(record, "blind")) say(out, count, "blind: 冻结时没有承诺保密随机数，不应有此字段");
        return;
    }
    if (!blind || hex_decode(blind, b, 32)) {
        say(out, count, "blind: 应为 64 个小写十六进制字符（冻结时承诺的保密随机数）");
        return;
    }
    char c[65];
    draw_sha256_hex(b, 32, c);
    if (!str_eq(json_string_value(commit), c))
        say(out, count, "freeze.blind_sha256: 记录为 %s，blind 的 SHA-256 为 %s",
            json_string_value(commit) ? json_string_value(commit) : "（非字符串）", c);
}

/* /2 freeze: the sources were declared and valid, and the freeze came at least gap_hours before
 * the earliest external source. -1 when the sources are invalid (nothing to check them against). */
static int verify_declared(const json_t *freeze, long long *frozen, Buf *out, int *count) {
    const json_t *sources = json_object_get(freeze, "sources");
    char *err = NULL;
    if (draw_sources_check(sources, &err)) {
        say(out, count, "freeze.sources: %s", err);
        free(err);
        return -1;
    }
    long long first = draw_sources_earliest(sources);
    json_t *gap = json_object_get(freeze, "gap_hours");
    if (draw_time_parse(jk_str(freeze, "frozen_at"), frozen))
        say(out, count, "freeze.frozen_at: 应为带时区的时间（如 2026-12-06T10:15:03+08:00）");
    else if (!json_is_integer(gap) || json_integer_value(gap) < 1 || json_integer_value(gap) > 24 * 365)
        say(out, count, "freeze.gap_hours: 应为正整数（小时）");
    else if (first && *frozen + json_integer_value(gap) * 3600 > first)
        say(out, count, "freeze.frozen_at: 冻结应早于最早的随机数来源至少 %lld 小时",
            (long long)json_integer_value(gap));
    return 0;
}

/* Dice are recorded after the freeze and before the earliest external source (sql/022): a dice
 * string typed once the lottery is known could be chosen to steer the draw. */
static void verify_dice_time(const json_t *record, const json_t *sources, long long frozen, Buf *out, int *count) {
    size_t i, dice = 0;
    json_t *src;
    json_array_foreach(sources, i, src) dice += str_eq(json_string_value(json_object_get(src, "kind")), "dice");
    json_t *at = json_object_get(record, "dice_recorded_at");
    long long t = 0, first = draw_sources_earliest(sources);
    if (!dice) {
        if (at) say(out, count, "dice_recorded_at: 没有声明骰子，不应有此字段");
    } else if (draw_time_parse(json_string_value(at), &t)) {
        say(out, count, "dice_recorded_at: 声明了骰子，须有开奖前登记点数的时间（带时区）");
    } else if (t < frozen || (first && t >= first)) {
        say(out, count, "dice_recorded_at: 骰子须在冻结之后、最早的外部随机数产生之前登记");
    }
}

/* /2 record: the freeze as above, the draw after every source existed, and each value fits its
 * kind in canonical form. */
static void verify_sources(const json_t *record, const json_t *freeze, Buf *out, int *count) {
    const json_t *sources = json_object_get(freeze, "sources"), *values = json_object_get(record, "values");
    long long frozen = 0, drawn = 0;
    char *err = NULL;
    if (verify_declared(freeze, &frozen, out, count)) return;
    if (draw_time_parse(jk_str(record, "drawn_at"), &drawn)) {
        say(out, count, "drawn_at: 应为带时区的时间");
    } else {
        size_t i;
        json_t *src;
        json_array_foreach(sources, i, src) {
            long long t = draw_source_time(src);
            if (t && drawn < t) {
                char *label = draw_source_label(src);
                say(out, count, "drawn_at: 抽取时 %s 尚未产生", label);
                free(label);
            }
        }
        if (frozen && drawn < frozen) say(out, count, "drawn_at: 早于冻结时间");
    }
    verify_dice_time(record, sources, frozen, out, count);
    if (!json_is_array(values) || json_array_size(values) != json_array_size(sources)) {
        say(out, count, "values: 应为与 freeze.sources 一一对应的 %zu 个随机数", json_array_size(sources));
        return;
    }
    size_t i;
    json_t *src;
    json_array_foreach(sources, i, src) {
        const char *v = json_string_value(json_array_get(values, i));
        char *canon = draw_source_value(src, v, &err);
        if (!canon) {
            say(out, count, "values[%zu]: %s", i, err);
            free(err);
            err = NULL;
        } else if (strcmp(canon, v)) {
            say(out, count, "values[%zu]: “%s”不是规范写法（应为“%s”）", i, v, canon);
        }
        free(canon);
    }
}

static int has_control(const json_t *j) {
    if (json_is_string(j)) {
        for (const unsigned char *s = (const unsigned char *)json_string_value(j); *s; s++)
            if (*s < 0x20 || *s == 0x7f) return 1;
        return 0;
    }
    const char *key;
    size_t i;
    json_t *v;
    if (json_is_object(j)) {
        json_object_foreach((json_t *)j, key, v) {
            for (const unsigned char *s = (const unsigned char *)key; *s; s++)
                if (*s < 0x20 || *s == 0x7f) return 1;
            if (has_control(v)) return 1;
        }
    }
    if (json_is_array(j)) json_array_foreach(j, i, v) if (has_control(v)) return 1;
    return 0;
}

int draw_verify(const json_t *record, const DrawPop *pop, const DrawRoster *ros,
                const char *expect_freeze, Buf *out, Buf *notes) {
    int count = 0;
    Buf dummy;
    buf_init(&dummy);
    if (!notes) notes = &dummy;
    if (!json_is_object(record)) {
        say(out, &count, "记录不是 JSON 对象");
        return 1;
    }
    int v2 = str_eq(jk_str(record, "format"), DRAW_FORMAT_V2);
    if (!v2 && !str_eq(jk_str(record, "format"), DRAW_FORMAT))
        say(out, &count, "format: 应为 \"%s\"（或旧记录的 \"%s\"）", DRAW_FORMAT_V2, DRAW_FORMAT);
    if (v2) {
        /* dice_recorded_at: present exactly when dice are declared (checked in verify_sources);
         * blind: exactly when the freeze committed to one (verify_blind) */
        json_t *plain = json_deep_copy(record);
        json_object_del(plain, "dice_recorded_at");
        json_object_del(plain, "blind");
        check_keys(plain, record_keys_v2, ARRAY_LEN(record_keys_v2), "", out, &count);
        json_decref(plain);
    }
    else check_keys(record, record_keys, ARRAY_LEN(record_keys), "", out, &count);
    const json_t *freeze = json_object_get(record, "freeze");
    if (!json_is_object(freeze)) {
        say(out, &count, "freeze: 缺少或不是对象");
        buf_free(&dummy);
        return 1;
    }
    if (v2) check_freeze_keys_v2(freeze, out, &count);
    else check_keys(freeze, freeze_keys, ARRAY_LEN(freeze_keys), "freeze.", out, &count);
    if (has_control(freeze)) say(out, &count, "freeze: 含有控制字符");
    char fsha[65];
    draw_json_sha256(freeze, fsha);
    if (!str_eq(jk_str(record, "freeze_sha256"), fsha))
        say(out, &count, "freeze_sha256: 记录为 %s，按 freeze 内容重算为 %s",
            jk_str(record, "freeze_sha256") ? jk_str(record, "freeze_sha256") : "（缺失）", fsha);
    if (expect_freeze && strcmp(expect_freeze, fsha))
        say(out, &count, "freeze: 与抽取前公布的摘要 %s 不符（重算为 %s）", expect_freeze, fsha);
    /* /2: the sources and their values; /1: the secret and its commitment */
    uint8_t secret[32];
    const char *sh = jk_str(record, "secret");
    if (v2) {
        verify_sources(record, freeze, out, &count);
        verify_blind(record, freeze, out, &count);
    } else if (hex_decode(sh, secret, 32)) {
        say(out, &count, "secret: 应为 64 个小写十六进制字符");
    } else {
        char c[65];
        draw_sha256_hex(secret, 32, c);
        if (!str_eq(jk_str(freeze, "commitment"), c))
            say(out, &count, "freeze.commitment: 记录为 %s，secret 的 SHA-256 为 %s",
                jk_str(freeze, "commitment") ? jk_str(freeze, "commitment") : "（缺失）", c);
    }
    /* the input files */
    const json_t *fp = json_object_get(freeze, "population");
    if (pop) {
        if (!str_eq(jk_str(fp, "sha256"), pop->sha256))
            say(out, &count, "freeze.population.sha256: 记录为 %s，名单文件的 SHA-256 为 %s",
                jk_str(fp, "sha256") ? jk_str(fp, "sha256") : "（缺失）", pop->sha256);
        json_t *st = json_object();
        for (size_t h = 0; h < pop->nstrata; h++)
            json_object_set_new(st, pop->strata[h], json_integer((json_int_t)pop->stratum_n[h]));
        json_t *want = json_pack("{s:s,s:I,s:o}", "sha256", pop->sha256, "count",
                                 (json_int_t)pop->n, "strata", st);
        diff("freeze.population", fp, want, out, &count);
        json_decref(want);
    } else {
        buf_puts(notes, "未提供名单文件：只核对了票号、顺序和各层数量，未核对名单完整性。\n");
    }
    const json_t *fo = json_object_get(freeze, "officers");
    if (ros) {
        json_t *want = json_pack("{s:s,s:I,s:I}", "sha256", ros->sha256, "officers",
                                 (json_int_t)ros->nofficers, "experts", (json_int_t)ros->nexperts);
        diff("freeze.officers", fo, want, out, &count);
        json_decref(want);
    } else {
        buf_puts(notes, "未提供人员文件：未核对检查组分配。\n");
    }
    /* seed */
    char *seed_err = NULL;
    char *want_seed = draw_record_seed(record, &seed_err);
    const int have_seed = want_seed != NULL;
    free(seed_err);
    if (have_seed) {
        char *seed = want_seed;
        if (!str_eq(jk_str(record, "seed"), seed))
            say(out, &count, "seed: 记录为 %s，应为 %s",
                jk_str(record, "seed") ? jk_str(record, "seed") : "（缺失）", seed);
        char sh2[65];
        draw_sha256_hex(seed, strlen(seed), sh2);
        if (!str_eq(jk_str(record, "seedhash"), sh2))
            say(out, &count, "seedhash: 记录为 %s，应为 %s",
                jk_str(record, "seedhash") ? jk_str(record, "seedhash") : "（缺失）", sh2);
        free(seed);
    }
    if (pop) {
        char *err = NULL;
        json_t *re = draw_compute(record, pop, ros, &err);
        if (!re) {
            say(out, &count, "无法重算: %s", err);
            free(err);
            err = NULL;
            /* still compare the selection, recomputed without the substitution requests */
            json_t *copy = json_deep_copy(record);
            json_object_set_new(copy, "events", json_array());
            re = draw_compute(copy, pop, NULL, &err);
            json_decref(copy);
            free(err);
            if (re) {
                diff("strata", json_object_get(record, "strata"), json_object_get(re, "strata"),
                     out, &count);
                diff("selected", json_object_get(record, "selected"),
                     json_object_get(re, "selected"), out, &count);
                json_decref(re);
            }
        } else {
            diff("strata", json_object_get(record, "strata"), json_object_get(re, "strata"), out,
                 &count);
            diff("selected", json_object_get(record, "selected"), json_object_get(re, "selected"),
                 out, &count);
            if (ros) {
                diff("assignments", json_object_get(record, "assignments"),
                     json_object_get(re, "assignments"), out, &count);
                diff("events", json_object_get(record, "events"), json_object_get(re, "events"),
                     out, &count);
            } else {
                /* without the roster only target replacements can be recomputed */
                json_t *ra = json_object_get(record, "events"), *rb = json_object_get(re, "events");
                size_t i;
                json_t *e;
                json_array_foreach(rb, i, e) {
                    if (!str_eq(jk_str(e, "type"), "target")) continue;
                    char *p = xasprintf("events[%zu]", i);
                    diff(p, json_array_get(ra, i), e, out, &count);
                    free(p);
                }
            }
            json_decref(re);
        }
    } else if (have_seed) {
        /* partial: tickets, order and stratum sizes from the recorded counts */
        char *seed = draw_record_seed(record, NULL);
        DrawSeed s;
        draw_seed_init(&s, seed, strlen(seed));
        free(seed);
        size_t i;
        json_t *e;
        const char *prev_t = NULL, *prev_id = NULL;
        json_array_foreach(json_object_get(record, "selected"), i, e) {
            const char *id = jk_str(e, "id"), *t = jk_str(e, "ticket");
            char want[DRAW_TICKET_MAX];
            if (!id) continue;
            draw_ticket(&s, id, strlen(id), want);
            if (!str_eq(t, want))
                say(out, &count, "selected[%zu].ticket: 记录为 %s，重算为 %s", i, t ? t : "（缺失）",
                    want);
            if (prev_t && (strcmp(prev_t, want) > 0 || (!strcmp(prev_t, want) && strcmp(prev_id, id) >= 0)))
                say(out, &count, "selected[%zu]: 未按票号升序排列", i);
            prev_t = t;
            prev_id = id;
        }
        json_array_foreach(json_object_get(record, "strata"), i, e) {
            DrawRatio ratio;
            json_t *N = json_object_get(json_object_get(fp, "strata"), jk_str(e, "stratum") ? jk_str(e, "stratum") : "");
            json_t *rv = lookup_stratum(json_object_get(json_object_get(freeze, "params"), "ratios"),
                                        jk_str(e, "stratum") ? jk_str(e, "stratum") : "");
            if (!json_is_integer(N) || !json_is_string(rv) ||
                draw_ratio_parse(json_string_value(rv), &ratio)) {
                say(out, &count, "strata[%zu]: 无法按 freeze 重算", i);
                continue;
            }
            json_t *mv = lookup_stratum(json_object_get(json_object_get(freeze, "params"), "minimum"),
                                        jk_str(e, "stratum"));
            uint64_t want = draw_stratum_size((uint64_t)json_integer_value(N), ratio,
                                              json_is_integer(mv) ? (uint64_t)json_integer_value(mv) : 0);
            if ((uint64_t)json_integer_value(json_object_get(e, "n")) != want)
                say(out, &count, "strata[%zu].n: 记录为 %lld，重算为 %llu", i,
                    (long long)json_integer_value(json_object_get(e, "n")), (unsigned long long)want);
        }
    }
    buf_free(&dummy);
    return count ? 1 : 0;
}

int draw_verify_frozen(const json_t *record, const DrawPop *pop, const DrawRoster *ros,
                       const char *expect_freeze, Buf *out, Buf *sizes) {
    int count = 0;
    const json_t *freeze = json_object_get(record, "freeze");
    if (!json_is_object(freeze)) {
        say(out, &count, "freeze: 缺少或不是对象");
        return 1;
    }
    int v2 = str_eq(jk_str(record, "format"), DRAW_FORMAT_V2);
    if (v2) check_freeze_keys_v2(freeze, out, &count);
    char fsha[65];
    draw_json_sha256(freeze, fsha);
    if (!str_eq(jk_str(record, "freeze_sha256"), fsha))
        say(out, &count, "freeze_sha256: 记录为 %s，按 freeze 内容重算为 %s",
            jk_str(record, "freeze_sha256") ? jk_str(record, "freeze_sha256") : "（缺失）", fsha);
    if (expect_freeze && strcmp(expect_freeze, fsha))
        say(out, &count, "freeze: 与公告的摘要 %s 不符（重算为 %s）", expect_freeze, fsha);
    long long frozen = 0;
    if (v2) verify_declared(freeze, &frozen, out, &count);
    const json_t *fp = json_object_get(freeze, "population"), *params = json_object_get(freeze, "params");
    if (pop) {
        if (!str_eq(jk_str(fp, "sha256"), pop->sha256))
            say(out, &count, "freeze.population.sha256: 记录为 %s，名单文件的 SHA-256 为 %s",
                jk_str(fp, "sha256") ? jk_str(fp, "sha256") : "（缺失）", pop->sha256);
        for (size_t h = 0; h < pop->nstrata; h++) {
            json_t *rv = lookup_stratum(json_object_get(params, "ratios"), pop->strata[h]),
                   *mv = lookup_stratum(json_object_get(params, "minimum"), pop->strata[h]);
            DrawRatio ratio;
            if (!json_is_string(rv) || draw_ratio_parse(json_string_value(rv), &ratio)) {
                say(out, &count, "分层 %s 没有有效的抽查比例", pop->strata[h]);
                continue;
            }
            uint64_t n = draw_stratum_size(pop->stratum_n[h], ratio, json_is_integer(mv) ? (uint64_t)json_integer_value(mv) : 0);
            buf_printf(sizes, "%s\t%zu\t%llu\n", pop->strata[h], (size_t)pop->stratum_n[h], (unsigned long long)n);
        }
    }
    if (ros && !str_eq(jk_str(json_object_get(freeze, "officers"), "sha256"), ros->sha256))
        say(out, &count, "freeze.officers.sha256: 与人员文件的 SHA-256 %s 不符", ros->sha256);
    return count ? 1 : 0;
}

/* Completes rec (format, freeze, inputs, events) with what draw_compute derives; NULL on error. */
static json_t *record_complete(json_t *rec, const DrawPop *pop, const DrawRoster *ros, char **err) {
    json_t *re = draw_compute(rec, pop, ros, err);
    if (!re) {
        json_decref(rec);
        return NULL;
    }
    json_object_update(rec, re);
    json_decref(re);
    return rec;
}

json_t *draw_record_build_v2(const json_t *freeze, const json_t *values, const char *blind, const char *drawn_at,
                             const char *dice_recorded_at, const json_t *events, const DrawPop *pop,
                             const DrawRoster *ros, char **err) {
    char fsha[65];
    draw_json_sha256(freeze, fsha);
    json_t *rec = json_pack("{s:s,s:O,s:s,s:O,s:s,s:O}", "format", DRAW_FORMAT_V2, "freeze", freeze,
                            "freeze_sha256", fsha, "values", values, "drawn_at", drawn_at, "events",
                            events ? events : json_array());
    if (!events) json_decref(json_object_get(rec, "events")); /* O took a reference */
    if (dice_recorded_at) json_object_set_new(rec, "dice_recorded_at", json_string(dice_recorded_at));
    if (blind) json_object_set_new(rec, "blind", json_string(blind));
    return record_complete(rec, pop, ros, err);
}

json_t *draw_record_build(const json_t *freeze, const char *randomness, const char *secret_hex,
                          const json_t *events, const DrawPop *pop, const DrawRoster *ros,
                          char **err) {
    char fsha[65];
    draw_json_sha256(freeze, fsha);
    json_t *rec = json_pack("{s:s,s:O,s:s,s:s,s:s,s:O}", "format", DRAW_FORMAT, "freeze", freeze,
                            "freeze_sha256", fsha, "public_randomness", randomness, "secret",
                            secret_hex, "events", events ? events : json_array());
    if (!events) json_decref(json_object_get(rec, "events")); /* O took a reference */
    return record_complete(rec, pop, ros, err);
}
