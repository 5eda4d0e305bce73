/* test_draw_diff.c - differential test of the draw: random cases (populations, strata, ratios and
 * minimums, rosters with experts, joint pools, cross-region, workload caps, required tags,
 * specialties, conflicts) drawn by the C engine with random substitutions (officers, experts and
 * targets, applied one after another as the ceremony page does), then verified by the C verifier
 * and by the independent tools/verify_draw.py on the written files. Both must say 一致; a record
 * with one substitution's outcome changed must fail both. DRAW_DIFF_CASES sets the number of cases
 * (default 120), DRAW_DIFF_SEED the generator's seed. */
#include "../../src/core/util.h"
#include "../../src/domain/draw.h"
#include "../../src/domain/draw_sha256.h"
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

static uint64_t rng_state;
static uint64_t rnd(void) { /* splitmix64: test data only */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static size_t below(size_t n) {
    return n ? (size_t)(rnd() % n) : 0;
}

static const char *const REGIONS[] = {"130500", "130501", "130502"};
static const char *const TAGS[] = {"中医", "医疗", "基金", "药学"}; /* sorted by bytes */

/* Tags as the file wants them: a subset of TAGS, sorted by bytes, joined with ','. */
static void tags_of(Buf *b, unsigned mask) {
    int first = 1;
    for (int i = 0; i < 4; i++)
        if (mask & (1u << i)) {
            buf_printf(b, "%s%s", first ? "" : ",", TAGS[i]);
            first = 0;
        }
}

static int cmp_line(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct Case {
    char *pop, *ros; /* file texts */
    json_t *params;
    char **officer_ids;
    size_t nofficers;
} Case;

static void make_case(Case *c) {
    int cross = below(5) == 0, joint = below(3) == 0;
    size_t n = 1 + below(below(2) ? 60 : 400);
    Buf b;
    buf_init(&b);
    uint64_t id = 13050000000ULL;
    for (size_t i = 0; i < n; i++) {
        id += 1 + below(50);
        buf_printf(&b, "P%011llu\t%c", (unsigned long long)id, "ABBBCCD"[below(7)]);
        if (cross) buf_printf(&b, "\t%s", REGIONS[below(3)]);
        buf_putc(&b, '\n');
    }
    c->pop = buf_steal(&b);
    size_t no = 3 + below(14), ne = below(5), nl = 0;
    char **lines = xmalloc((no + ne) * sizeof *lines);
    c->officer_ids = xmalloc(no * sizeof *c->officer_ids);
    c->nofficers = no;
    static const char *const status[] = {"在岗", "在岗", "在岗", "在岗", "休假", "借调", "离岗"};
    for (size_t i = 0; i < no; i++) {
        buf_init(&b);
        buf_printf(&b, "officer\tC%02zu\t%s\t%s\t2020-01-01\t%s\t%d\t", i, REGIONS[below(3)],
                   status[below(7)], below(8) ? "2030-12-31" : "2025-03-31", (int)below(2));
        tags_of(&b, (unsigned)below(16));
        if (joint) buf_printf(&b, "\t%s", below(3) ? "D1" : "SC");
        buf_putc(&b, '\n');
        lines[nl++] = buf_steal(&b);
        c->officer_ids[i] = xasprintf("C%02zu", i);
    }
    for (size_t i = 0; i < ne; i++) {
        buf_init(&b);
        buf_printf(&b, "expert\tE%02zu\t\t%s\t\t\t0\t", i, below(4) ? "启用" : "停用");
        tags_of(&b, 1u + (unsigned)below(15));
        if (joint) buf_puts(&b, "\t");
        buf_putc(&b, '\n');
        lines[nl++] = buf_steal(&b);
    }
    qsort(lines, nl, sizeof *lines, cmp_line);
    buf_init(&b);
    for (size_t i = 0; i < nl; i++) {
        buf_puts(&b, lines[i]);
        free(lines[i]);
    }
    free(lines);
    c->ros = buf_steal(&b);

    json_t *p = json_pack("{s:{}}", "ratios");
    char pct[8];
    snprintf(pct, sizeof pct, "%d%%", 1 + (int)below(below(2) ? 20 : 100));
    json_object_set_new(json_object_get(p, "ratios"), "*", json_string(pct));
    if (below(3) == 0) {
        snprintf(pct, sizeof pct, "%d%%", (int)below(101));
        json_object_set_new(json_object_get(p, "ratios"), "D", json_string(pct));
    }
    if (below(3) == 0)
        json_object_set_new(p, "minimum", json_pack("{s:I}", "B", (json_int_t)below(4)));
    json_object_set_new(p, "group_size", json_integer(2 + (json_int_t)below(2)));
    if (cross) json_object_set_new(p, "cross_region", json_true());
    if (below(4) == 0)
        json_object_set_new(p, "workload_cap", json_integer(1 + (json_int_t)below(4)));
    if (below(5) == 0) json_object_set_new(p, "required_tags", json_pack("[s]", "基金"));
    if (below(2) == 0) json_object_set_new(p, "specialties", json_pack("[s]", TAGS[below(4)]));
    if (joint)
        json_object_set_new(p, "joint_depts",
                            json_pack("[{s:s, s:i}]", "dept", "SC", "per_group", 1));
    if (below(2) == 0) { /* conflicts between random officers and targets of the file */
        json_t *cf = json_array();
        const char *line = c->pop;
        for (size_t k = 0, m = 1 + below(6); k < m; k++) {
            size_t skip = below(n);
            line = c->pop;
            for (size_t s = 0; s < skip; s++)
                line = strchr(line, '\n') + 1;
            char tid[16];
            memcpy(tid, line, 12);
            tid[12] = '\0';
            json_array_append_new(cf, json_pack("[s,s]", c->officer_ids[below(no)], tid));
        }
        json_object_set_new(p, "conflicts", cf);
    }
    c->params = p;
}

static json_t *make_freeze(const DrawPop *p, const DrawRoster *r, const json_t *params) {
    json_t *st = json_object();
    for (size_t h = 0; h < p->nstrata; h++)
        json_object_set_new(st, p->strata[h], json_integer((json_int_t)p->stratum_n[h]));
    return json_pack("{s:s,s:i,s:s,s:s,s:O,s:{s:s,s:I,s:o},s:{s:s,s:I,s:I},s:n,s:[],s:[{s:s,s:s,s:"
                     "s},{s:s,s:i}],s:i}",
                     "task", "T-DIFF", "draw_no", 1, "draw_date", "2025-06-01", "frozen_at",
                     "2025-05-20T09:00:00+08:00", "params", params, "population", "sha256",
                     p->sha256, "count", (json_int_t)p->n, "strata", st, "officers", "sha256",
                     r->sha256, "officers", (json_int_t)r->nofficers, "experts",
                     (json_int_t)r->nexperts, "redraw", "excluded", "sources", "kind", "fc3d",
                     "issue", "2025152", "date", "2025-06-01", "kind", "dice", "count", 4,
                     "gap_hours", 24);
}

/* The blind of the case (§7a): NULL for a freeze without one, as draws frozen before it. */
static const char *case_blind;

static json_t *build(const json_t *freeze, const json_t *values, const json_t *events,
                     const DrawPop *p, const DrawRoster *r, char **err) {
    return draw_record_build_v2(freeze, values, case_blind, "2025-06-02T09:30:00+08:00",
                                "2025-05-25T10:00:00+08:00", events, p, r, err);
}

/* One more substitution valid on rec: a member (officer or expert) or the target of a random valid
 * group; NULL when no group is valid. */
static json_t *next_event(const json_t *rec, int k) {
    json_t *as = json_object_get(rec, "assignments"), *valid = json_array(), *a;
    size_t i;
    json_array_foreach(as, i, a) if (!strcmp(json_string_value(json_object_get(a, "status")),
                                             "有效")) json_array_append(valid, a);
    json_t *ev = NULL;
    if (json_array_size(valid)) {
        a = json_array_get(valid, below(json_array_size(valid)));
        const char *t = json_string_value(json_object_get(a, "target"));
        json_t *members = json_array();
        json_array_extend(members, json_object_get(a, "officers"));
        json_array_extend(members, json_object_get(a, "experts"));
        char reason[32];
        snprintf(reason, sizeof reason, "原因%d", k);
        if (json_array_size(members) && below(3))
            ev = json_pack("{s:s,s:s,s:O,s:s}", "type", "officer", "target", t, "officer",
                           json_array_get(members, below(json_array_size(members))), "reason",
                           reason);
        else
            ev = json_pack("{s:s,s:s,s:s}", "type", "target", "target", t, "reason", reason);
        json_decref(members);
    }
    json_decref(valid);
    return ev;
}

static int write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t len = strlen(text);
    int ok = fwrite(text, 1, len, f) == len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* tools/verify_draw.py on the files: 0 一致, 1 不一致, other on error. */
static int python_verify(const char *dir, const char *fsha, char *first_line, size_t cap) {
    const char *root = getenv("SPOTCHECK_ROOT");
    char *cmd = xasprintf(
        "python3 '%s/tools/verify_draw.py' '%s/record.json' '%s/population.tsv' '%s/officers.tsv' "
        "--freeze %s 2>&1",
        root && *root ? root : ".", dir, dir, dir, fsha);
    FILE *pp = popen(cmd, "r");
    free(cmd);
    if (!pp) return -1;
    first_line[0] = '\0';
    if (!fgets(first_line, (int)cap, pp)) first_line[0] = '\0';
    char sink[512];
    while (fgets(sink, sizeof sink, pp)) {
    }
    int st = pclose(pp);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_differential(void) {
    const char *nc = getenv("DRAW_DIFF_CASES"), *sd = getenv("DRAW_DIFF_SEED");
    size_t cases = nc && *nc ? strtoul(nc, NULL, 10) : 120;
    rng_state = sd && *sd ? strtoull(sd, NULL, 10) : 20261206;
    char tmpl[] = "/tmp/spotcheck-drawdiff-XXXXXX";
    const char *base = mkdtemp(tmpl);
    CHECK(base != NULL);
    if (!base) return;
    size_t built = 0, with_events = 0, expert_events = 0, agree = 0, tamper_caught = 0,
           tampered = 0, blinded = 0, same_text = 0;
    for (size_t k = 0; k < cases; k++) {
        Case c = {0};
        make_case(&c);
        char *dir = xasprintf("%s/%zu", base, k), *err = NULL;
        mkdir(dir, 0700);
        char *pp = xasprintf("%s/population.tsv", dir), *op = xasprintf("%s/officers.tsv", dir),
             *rp = xasprintf("%s/record.json", dir);
        write_file(pp, c.pop);
        write_file(op, c.ros);
        DrawPop p;
        DrawRoster r;
        int ok = draw_pop_parse(&p, c.pop, strlen(c.pop), &err) == 0;
        c.pop = NULL; /* owned by p now (freed on error) */
        ok = ok && draw_roster_parse(&r, c.ros, strlen(c.ros), &err) == 0;
        CHECK(ok);
        if (!ok) fprintf(stderr, "case %zu: %s\n", k, err);
        json_t *freeze = ok ? make_freeze(&p, &r, c.params) : NULL;
        /* half the cases with a blind committed at the freeze */
        char blind_hex[65];
        case_blind = NULL;
        if (freeze && below(2)) {
            uint8_t b[32], hb[65];
            for (int x = 0; x < 32; x++)
                b[x] = (uint8_t)rnd();
            for (int x = 0; x < 32; x++)
                snprintf(blind_hex + 2 * x, 3, "%02x", b[x]);
            draw_sha256_hex(b, 32, (char *)hb);
            json_object_set_new(freeze, "blind_sha256", json_string((char *)hb));
            case_blind = blind_hex;
            blinded++;
        }
        json_t *values = json_pack(
            "[s,s]",
            (char[]){(char)('0' + below(10)), (char)('0' + below(10)), (char)('0' + below(10)), 0},
            (char[]){(char)('1' + below(6)), (char)('1' + below(6)), (char)('1' + below(6)),
                     (char)('1' + below(6)), 0});
        json_t *events = json_array(),
               *rec = freeze ? build(freeze, values, NULL, &p, &r, &err) : NULL;
        if (rec) {
            built++;
            for (size_t j = 0, m = below(5); j < m; j++) {
                json_t *ev = next_event(rec, (int)j);
                if (!ev) break;
                json_array_append_new(events, ev);
                json_t *next = build(freeze, values, events, &p, &r, &err);
                CHECK(next != NULL);
                if (!next) {
                    fprintf(stderr, "case %zu event %zu: %s\n", k, j, err);
                    break;
                }
                json_decref(rec);
                rec = next;
            }
            with_events += json_array_size(events) > 0;
            json_t *e;
            size_t i;
            json_array_foreach(json_object_get(rec, "events"), i, e) expert_events +=
                json_object_get(e, "experts_added") != NULL;
            char fsha[65], line[512];
            draw_json_sha256(freeze, fsha);
            char *text = draw_canonical_json(rec);
            /* the record written as a stream from the outcome is the same text, byte for byte */
            json_t *head =
                draw_record_head_v2(freeze, values, case_blind, "2025-06-02T09:30:00+08:00",
                                    "2025-05-25T10:00:00+08:00", events);
            DrawOutcome *o = draw_outcome_compute(head, &p, &r, &err);
            Buf streamed;
            buf_init(&streamed);
            if (o) draw_outcome_write(o, head, &streamed);
            CHECK(o && streamed.len == strlen(text) && !memcmp(streamed.data, text, streamed.len));
            same_text +=
                o && streamed.len == strlen(text) && !memcmp(streamed.data, text, streamed.len);
            buf_free(&streamed);
            draw_outcome_free(o);
            json_decref(head);
            write_file(rp, text);
            free(text);
            Buf out;
            buf_init(&out);
            int c_rc = draw_verify(rec, &p, &r, fsha, &out, NULL);
            int py_rc = python_verify(dir, fsha, line, sizeof line);
            CHECK_INT(c_rc, 0);
            CHECK_INT(py_rc, 0);
            if (c_rc || py_rc)
                fprintf(stderr, "case %zu: C %d %s / Python %d %s\n", k, c_rc,
                        out.data ? out.data : "", py_rc, line);
            agree += !c_rc && !py_rc && !strncmp(line, "一致", strlen("一致"));
            /* change one outcome: the last event's replacement, else the first group's leader */
            json_t *bad = json_deep_copy(rec), *evs = json_object_get(bad, "events");
            json_t *a0 = json_array_get(json_object_get(bad, "assignments"), 0);
            int changed = 1;
            if (json_array_size(evs))
                json_object_set_new(json_array_get(evs, json_array_size(evs) - 1), "replacement",
                                    json_string("C99"));
            else if (a0)
                json_object_set_new(a0, "leader", json_string("C98"));
            else
                changed = 0;
            if (changed) {
                tampered++;
                text = draw_canonical_json(bad);
                write_file(rp, text);
                free(text);
                buf_reset(&out);
                int c_bad = draw_verify(bad, &p, &r, fsha, &out, NULL),
                    py_bad = python_verify(dir, fsha, line, sizeof line);
                CHECK_INT(c_bad, 1);
                CHECK_INT(py_bad, 1);
                tamper_caught += c_bad == 1 && py_bad == 1;
            }
            json_decref(bad);
            buf_free(&out);
            json_decref(rec);
        }
        json_decref(events);
        json_decref(values);
        json_decref(freeze);
        if (ok) {
            draw_pop_free(&p);
            draw_roster_free(&r);
        }
        for (size_t i = 0; i < c.nofficers; i++)
            free(c.officer_ids[i]);
        free(c.officer_ids);
        free(c.ros);
        json_decref(c.params);
        remove(pp);
        remove(op);
        remove(rp);
        rmdir(dir);
        free(pp);
        free(op);
        free(rp);
        free(dir);
        free(err);
    }
    rmdir(base);
    printf("# %zu cases (%zu with a blind): %zu drawn (%zu with substitutions, %zu events adding "
           "experts), %zu agreed on 一致, %zu streamed byte for byte; "
           "%zu of %zu tampered records rejected by both\n",
           cases, blinded, built, with_events, expert_events, agree, same_text, tamper_caught,
           tampered);
    /* the generator must reach the interesting cases, or the comparison proves little */
    CHECK(built >= cases * 3 / 4);
    CHECK(with_events >= built / 2);
    CHECK(blinded >= cases / 4);
    CHECK_INT(agree, built);
    CHECK_INT(same_text, built);
    CHECK_INT(tamper_caught, tampered);
}

int main(void) {
    RUN(test_differential);
    return T_DONE();
}
