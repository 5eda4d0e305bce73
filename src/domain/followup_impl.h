/* followup_impl.h - what the files of the follow-up module share: the rules (followup.c), the
 * stored follow-up (followup_store.c) and the views (followup_view.c). Private to the module:
 * nothing outside these three files includes it. */
#ifndef SPOTCHECK_FOLLOWUP_IMPL_H
#define SPOTCHECK_FOLLOWUP_IMPL_H

#include "followup.h"

#include "../core/util.h"

/* A published record (alias r) with findings: decided once at publication (result.h, the
 * `findings` column of sql/014), so follow-up and the year's figures count the same records. */
#define HAS_FINDINGS_SQL "(r.status = '已公示' AND r.findings = 1)"

/* NULL for NULL or "" (the database form of an empty field). */
static inline const char *fu_nz(const char *s) {
    return str_empty(s) ? NULL : s;
}

/* Sets *err to the database's message; returns FU_ERR. */
int fu_dberr(Db *db, char **err);
/* Puts msg under field in errors (the first message of a field wins; errors may be NULL).
 * Returns 1, to be counted. */
int fu_field_err(json_t *errors, const char *field, const char *msg);
/* An option from its refdata row (code, label, attrs as JSON text; NULL attrs: none needed). */
void fu_option_from(FuOption *o, const char *code, const char *label, const char *attrs_text);

/* A stored follow-up's fields (strings owned; amount formatted in yuan when has_amount). */
typedef struct FuRow {
    char *option, *status, *opened_on, *rectify_deadline, *recheck_on, *recheck_result,
        *decision_no, *decision_on, *amount, *penalty_published_on, *receiver, *outcome,
        *outcome_on;
    int64_t version, amount_cents, has_amount;
} FuRow;

/* Loads follow-up id: 1 found, 0 absent, -1 error. Free with fu_row_free. */
int fu_row_load(Db *db, int64_t id, FuRow *f);
void fu_row_free(FuRow *f);
/* The state the rules look at (borrowed from f). */
FuState fu_row_state(const FuRow *f);
/* Counts the transfers of follow-up id and those still waiting for feedback; DB_OK, or DB_ERR
 * (both counts 0) when they cannot be read. */
int fu_transfer_counts(Db *db, int64_t id, int *all, int *open);

#endif
