/* stale.h - the one answer to a save made on an old version (issue 17 item 1): the form again with
 * what was typed, and beside it the values saved in the meantime, the fields that differ marked
 * (template partial web/templates/stale.html); the JSON API's 409 with the current version and
 * fields. Used by the directory, record, plan, scheme and follow-up pages and their APIs; no
 * page builds its own comparison. Thread-safe: no shared state. */
#ifndef SPOTCHECK_STALE_H
#define SPOTCHECK_STALE_H

#include "../core/util.h"

#include <jansson.h>

/* One compared field: its key in the saved and typed objects and its label on the page. */
typedef struct StaleField {
    const char *key;
    const char *label;
} StaleField;

/* The text a value shows in the comparison: strings as they are, integers and reals printed,
 * true "是" / false "否", arrays of those joined with "、", null or absent "". New string. */
char *stale_text(const json_t *v);

/* The comparison of `typed` with `saved` ({key: value}, values as stale_text reads them) over
 * fields[0..n): appends {label, saved, typed, differs} to `rows` for every field `typed` has
 * (a field the form did not send is not compared). Returns how many differ. */
size_t stale_compare(json_t *rows, const StaleField *fields, size_t n, const json_t *saved,
                     const json_t *typed);

/* Appends one row {label, saved, typed, differs} of texts already made. Returns 1 when they
 * differ, else 0. */
size_t stale_row(json_t *rows, const char *label, const char *saved, const char *typed);

/* The context of the partial "stale" (steals rows): {box_id, unit, typed_version, now_version,
 * rows, differ (how many), same (none differs), same_count}. box_id names the box for tests and
 * links
 * ("record-stale"); unit is how the versions are counted ("版", a plan's "次修订"). */
json_t *stale_context(const char *box_id, const char *unit, int64_t typed_version,
                      int64_t now_version, json_t *rows);

/* The API's 409 body for a save on an old version: {"error": {"code": "conflict", "message",
 * "version": the current one, "current": the current fields in the shape the API takes}}. Steals
 * current (may be NULL: omitted). The caller may add members to "error", and sends it with
 * web_json(r, 409, ...). */
json_t *stale_error(const char *message, int64_t version, json_t *current);

#endif
