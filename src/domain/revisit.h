/* revisit.h - 回访 of an inspected target after its result is published (000 四(三), sql/043):
 * the day, how (电话, 实地, 书面), whether the inspection was reported as done properly (规范 /
 * 不规范), and what was heard. Append-only. Adding one is a unit of work of the record's own org,
 * audited record.revisit. Results as outcome.h: SC_OK, SC_INVALID (field errors under on_day,
 * method, conduct, summary), SC_NOT_FOUND, SC_CONFLICT (not published yet), SC_ERR. */
#ifndef SPOTCHECK_REVISIT_H
#define SPOTCHECK_REVISIT_H

#include "../db/db.h"
#include "actor.h"
#include "outcome.h"

#include <jansson.h>
#include <stdint.h>

/* The ways of a visit and the answers on the inspection's conduct (sql/043's CHECKs), NULL-ended.
 */
extern const char *const revisit_methods[];
extern const char *const revisit_conducts[];

typedef struct RevisitInput {
    const char *on_day, *method, *conduct, *summary;
} RevisitInput;

int revisit_add(Db *db, const Actor *who, int64_t record_id, const RevisitInput *in,
                const char *today, json_t *errors, char **err);
/* The visits of a record, oldest first: [{on_day, method, conduct, summary, by}]. */
json_t *revisit_list(Db *db, int64_t record_id);

#endif
