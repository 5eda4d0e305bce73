/* record_impl.h - helpers shared by the files of the record module (record.c, record_sync.c,
 * record_view.c, record_check.c, record_save.c, record_file.c). Private to the record module:
 * nothing outside these files includes it; the module's API is record.h. Conventions as record.h.
 */
#ifndef SPOTCHECK_RECORD_IMPL_H
#define SPOTCHECK_RECORD_IMPL_H

#include "record.h"

/* Sets *err to the database's error message and returns REC_ERR. */
int rec_fail_db(Db *db, char **err);

/* A string list from a JSON array of strings or a ',' / '、' separated string. Returns a new
 * array of new strings (free with rec_strv_free), *n set; NULL for anything else. */
char **rec_strv_from(const json_t *v, size_t *n);
void rec_strv_free(char **v, size_t n);

/* The record's contents (record fields, items, active violations) as stored: the snapshot kept
 * in record_version before each change (record_view.c). New reference or NULL. */
json_t *rec_snapshot(Db *db, int64_t id);

/* Loads status and version of record id (version may be NULL); REC_NOT_FOUND, or REC_CONFLICT
 * when the record is not 待录入/退回, with *err (record_save.c). */
int rec_load_editable(Db *db, int64_t id, int64_t *version, char **err);

/* What a save changes, validated (record_check.c) and applied (record_save.c). Text fields point
 * into the input or the current contents (valid while they are); results, officers, methods and
 * result are owned. */
typedef struct RecSaveItem {
    int64_t pos;
    char *methods, *result;
    const char *notes;
} RecSaveItem;
typedef struct RecSaveViolation {
    int64_t id, pos, cents;
    const char *category, *description;
} RecSaveViolation;
typedef struct RecSave {
    const char *from, *on, *remarks, *notes, *signer, *refusal;
    const char *dates_reason; /* 超期说明: set only when a date lies outside the task's period */
    char *results, *officers;
    int fraud, police;
    RecSaveItem *items;
    size_t nitems;
    RecSaveViolation *viol;
    size_t nviol;
    int has_violations; /* `violations` was sent: the active ones not listed are withdrawn */
} RecSave;
/* Reads `in` (as record_save takes it) over `cur` (rec_snapshot of record id) into *s: a Chinese
 * message per field error in `errors`. Free with rec_save_free whatever the errors. */
void rec_save_check(Db *db, int64_t id, const json_t *in, const json_t *cur, const char *today,
                    RecSave *s, json_t *errors);
void rec_save_free(RecSave *s);

#endif
