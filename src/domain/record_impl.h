/* record_impl.h - helpers shared by the files of the record module (record.c, record_sync.c,
 * record_view.c, record_save.c, record_file.c). Private to the record module: nothing outside
 * these files includes it; the module's API is record.h. Conventions as record.h. */
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

#endif
