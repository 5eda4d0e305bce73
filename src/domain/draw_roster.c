/* draw_roster.c - the canonical officer file of the draw engine (docs/DRAW.md §2): one line per
 * officer or expert, "kind<TAB>id<TAB>region<TAB>status<TAB>valid_from<TAB>valid_to<TAB>may_lead
 * <TAB>tags" (a joint task's file adds the dept code), sorted by bytes, parsed into a DrawRoster.
 *
 * Pure: no database, no clock, no I/O. Called by draw_store*.c (freeze, run, check), the CLI
 * (verify, draw) and tests. */
#include "draw.h"

#include "draw_sha256.h"

#include <stdlib.h>
#include <string.h>

void draw_roster_free(DrawRoster *r) {
    for (size_t i = 0; i < r->n; i++) {
        DrawPerson *p = &r->p[i];
        free(p->id);
        free(p->region);
        free(p->status);
        free(p->valid_from);
        free(p->valid_to);
        for (size_t t = 0; t < p->ntags; t++)
            free(p->tags[t]);
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
    for (const char *q = s; *q; q++)
        cap += *q == ',';
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
    if (memchr(text, 0, len) || memchr(text, '\r', len))
        return set_err(err, "人员文件含有非法字符");
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
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
        int ok = nf == (r->has_dept ? 9u : 8u) &&
                 (!strcmp(f[0], "officer") || !strcmp(f[0], "expert")) && *f[1] && *f[3] &&
                 (!strcmp(f[6], "0") || !strcmp(f[6], "1"));
        if (ok && !strcmp(f[0], "officer")) ok = *f[2] && date_valid(f[4]) && date_valid(f[5]);
        if (ok && !strcmp(f[0], "expert"))
            ok = !*f[4] && !*f[5] && !strcmp(f[6], "0") && (!r->has_dept || !*f[8]);
        if (!ok) {
            free(line);
            draw_roster_free(r);
            return set_err(
                err,
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
        if (p->is_expert)
            r->nexperts++;
        else
            r->nofficers++;
        free(line);
        prev = q;
        prev_len = llen;
        q = nl + 1;
    }
    return 0;
}
