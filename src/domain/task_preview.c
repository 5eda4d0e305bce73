/* task_preview.c - the workload preview of a task before its freeze (task_query.h): built with the
 * freeze's own functions (draw_store_population, draw_store_officers, draw_stratum_size), so that
 * the numbers are those a freeze today would give, without writing anything. */
#include "task_query.h"

#include "../core/util.h"
#include "draw.h"
#include "draw_store.h"
#include "task.h"

#include <stdio.h>
#include <stdlib.h>

/* The strata of the population with the number each would draw; *total gets the sum. */
static json_t *strata_sizes(DrawPop *pop, const json_t *params, uint64_t *total) {
    json_t *out = json_array();
    const json_t *ratios = json_object_get(params, "ratios"),
                 *mins = json_object_get(params, "minimum");
    *total = 0;
    for (size_t h = 0; h < pop->nstrata; h++) {
        json_t *rv = draw_lookup_stratum(ratios, pop->strata[h]),
               *mv = draw_lookup_stratum(mins, pop->strata[h]);
        DrawRatio ratio = {0, 1};
        if (json_is_string(rv)) draw_ratio_parse(json_string_value(rv), &ratio);
        uint64_t n = draw_stratum_size(pop->stratum_n[h], ratio,
                                       json_is_integer(mv) ? (uint64_t)json_integer_value(mv) : 0);
        *total += n;
        json_array_append_new(out, json_pack("{s:s, s:I, s:I}", "stratum", pop->strata[h], "N",
                                             (json_int_t)pop->stratum_n[h], "n", (json_int_t)n));
    }
    return out;
}

json_t *task_draw_preview(Db *db, int64_t task_id, const char *today, char **why) {
    char *code = task_code(db, task_id);
    json_t *params = code ? task_draw_params(db, task_id, why) : NULL, *excluded = json_array(),
           *out = NULL;
    Buf pop_text, roster_text;
    buf_init(&pop_text);
    buf_init(&roster_text);
    DrawPop pop = {0};
    DrawRoster roster = {0};
    if (!code)
        set_err(why, "任务不存在");
    else if (params &&
             draw_store_population(db, params, today, code, &pop_text, excluded, why) == 0 &&
             draw_store_officers(db, params, &roster_text, why) == 0 &&
             draw_roster_parse(&roster, roster_text.data ? roster_text.data : "", roster_text.len,
                               why) == 0) {
        size_t len = pop_text.len;
        if (draw_pop_parse(&pop, buf_steal(&pop_text), len, why) == 0) {
            uint64_t total = 0;
            json_t *strata = strata_sizes(&pop, params, &total);
            int64_t size = json_integer_value(json_object_get(params, "group_size")),
                    cap = json_integer_value(json_object_get(params, "workload_cap"));
            uint64_t slots = total * (uint64_t)(size > 0 ? size : 2);
            char avg[32] = "—";
            if (roster.nofficers)
                snprintf(avg, sizeof avg, "%.1f", (double)slots / (double)roster.nofficers);
            out = json_pack("{s:I, s:o, s:I, s:I, s:I, s:s, s:I, s:b, s:I}", "targets",
                            (json_int_t)total, "strata", strata, "officers",
                            (json_int_t)roster.nofficers, "group_size", (json_int_t)size, "slots",
                            (json_int_t)slots, "per_officer", avg, "cap", (json_int_t)cap,
                            "over_cap", cap > 0 && (uint64_t)cap * roster.nofficers < slots,
                            "excluded", (json_int_t)json_array_size(excluded));
            draw_pop_free(&pop);
        }
    }
    draw_roster_free(&roster);
    buf_free(&pop_text);
    buf_free(&roster_text);
    json_decref(params);
    json_decref(excluded);
    free(code);
    return out;
}
