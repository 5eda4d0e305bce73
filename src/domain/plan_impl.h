/* plan_impl.h - the helpers the files of the plan module share (plan.c, plan_adhoc.c, plan_io.c):
 * field errors, trimmed copies, list cells, text columns, and the 附件2 row (its 13 columns and the
 * one builder of a task row's cells, used by the export and by the comparison of versions).
 * Private to the plan module: nothing outside src/domain/plan*.c includes this header; the
 * module's API is plan.h. */
#ifndef SPOTCHECK_PLAN_IMPL_H
#define SPOTCHECK_PLAN_IMPL_H

#include "../db/db.h"

#include <jansson.h>

/* Sets errors[field] = msg unless errors is NULL or already has a reason for field (the first
 * reason wins). */
void plan_field_err(json_t *errors, const char *field, const char *msg);
/* A trimmed copy of s (NULL counts as ""); the caller frees it. */
char *plan_trimmed(const char *s);
/* A list of codes or names typed in one cell (listcell.h, LIST_NAMES), each kept once: a new
 * JSON array of strings. */
json_t *plan_split_list(const char *text);
/* The strings of array a joined by sep: a new string ("" for an empty array). */
char *plan_join_list(json_t *a, const char *sep);
/* Sets o[key] to the text of column col of st, or to JSON null when the column is NULL. */
void plan_set_text(json_t *o, const char *key, Stmt *st, int col);

/* The 13 columns of 附件2 (邢台's layout: seed 000), in the table's order, then 抽查频次 (002
 * 二(二)1), an extra column read when a file has it and written when a row has one. */
enum {
    PLAN_COL_NUMBER,
    PLAN_COL_PLAN_NAME,
    PLAN_COL_TASK_NO,
    PLAN_COL_TASK_NAME,
    PLAN_COL_KIND,
    PLAN_COL_RATIO,
    PLAN_COL_ITEMS,
    PLAN_COL_SCOPE,
    PLAN_COL_LEAD,
    PLAN_COL_JOINT,
    PLAN_COL_PERIOD,
    PLAN_COL_LEVEL,
    PLAN_COL_REMARK,
    PLAN_COL_FREQUENCY,
    PLAN_COL_COUNT
};
/* Their header texts, 抽查计划编号 … 备注, 抽查频次 (plan_io.c). */
extern const char *const plan_columns[PLAN_COL_COUNT];

/* One task row as the cells of 附件2. cells[c] is NULL when the value is absent (an empty cell);
 * every cell is borrowed from the JSON it was built from, except 抽查事项, which `items` owns. */
typedef struct PlanRow {
    const char *cells[PLAN_COL_COUNT];
    char *items;
} PlanRow;
/* Fills row from task t and its version v, both as plan_version_json gives them: 抽查类型 is
 * kind_text, 抽查事项 the item names then the unmatched texts joined by "；", 抽查对象范围 the
 * scope as written or else the filter in words, 抽查时间 the month range in words. v may be NULL:
 * the two plan columns are then empty. The row is valid while v and t are; free it with
 * plan_row_free. */
void plan_row_fill(PlanRow *row, json_t *v, json_t *t);
void plan_row_free(PlanRow *row);

#endif
