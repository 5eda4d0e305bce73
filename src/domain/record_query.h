/* record_query.h - read-only questions about record forms 一企一表 that the record, review and
 * deadline pages ask: which record a request reaches (its org, the officer's group), the lists in
 * an org's jurisdiction, a stored file's metadata, the choices of a form's checkboxes. Nothing
 * here changes data (the units of work are record_act.h). Thread-safety: uses only the Db handed
 * in; every returned string or JSON is the caller's. */
#ifndef SPOTCHECK_RECORD_QUERY_H
#define SPOTCHECK_RECORD_QUERY_H

#include "../db/db.h"
#include "calendar.h"

#include <jansson.h>
#include <stdint.h>

/* The org of record id, 0 when there is no such record. */
int64_t record_org(Db *db, int64_t id);

/* 1 when the officer with certificate cert (NULL: nobody) is a current member (在组) of the group
 * that checks record id, else 0. */
int record_officer_in_group(Db *db, int64_t id, const char *cert);

/* Mime type, SHA-256 and kind of file fid of record rid (each a new string). 0, or -1 when the
 * file is not the record's (the outputs stay NULL). */
int record_file_meta(Db *db, int64_t rid, int64_t fid, char **mime, char **sha256, char **kind);

/* The records of the orgs in org_id's jurisdiction, task_id (0: all) and status ("": all), newest
 * task first, `limit` from `offset` (a page): [{id, task_id, task_code, task_name, target_code,
 * target_name, status, checked_on, deadline, deadline_text, provisional, deadline_state, overdue,
 * version, updated_at, superseded}], deadlines on cal as of today; *total: how many there are. */
json_t *record_list(Db *db, int64_t org_id, int64_t task_id, const char *status,
                    const Calendar *cal, const char *today, int64_t limit, int64_t offset,
                    int64_t *total);

/* The records whose group the officer cert is a current member of, in org_id's jurisdiction:
 * those still to fill (待录入, 退回) first, then newest task first, `limit` from `offset`; rows as
 * record_list; *total: how many there are. */
json_t *record_list_mine(Db *db, int64_t org_id, const char *cert, const Calendar *cal,
                         const char *today, int64_t limit, int64_t offset, int64_t *total);

/* The tasks with records in org_id's jurisdiction for the list's filter, newest first:
 * [{id, code, name, selected}] with selected set for task_id. */
json_t *record_task_choices(Db *db, int64_t org_id, int64_t task_id);

/* The entries of refdata set `set` in order: [{code, label, child}] (child: it has a parent). */
json_t *record_choices(Db *db, const char *set);

/* The number of item rows of record id (0 when absent). */
int64_t record_item_count(Db *db, int64_t id);

/* The current version and status of record id: *version 0 and *status NULL when absent;
 * *status is a new string (status may be NULL when not wanted). */
void record_version_status(Db *db, int64_t id, int64_t *version, char **status);

#endif
