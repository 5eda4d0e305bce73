/* public_items.h - the published item list (随机抽查事项清单) as the public portal shows it,
 * without login: enabled items only, with their org, dept and the labels of their codes. Never
 * personal data, never credit grades. Read-only; thread-safety: each call uses the caller's Db. */
#ifndef SPOTCHECK_PUBLIC_ITEMS_H
#define SPOTCHECK_PUBLIC_ITEMS_H

#include "../db/db.h"

#include <jansson.h>

/* The enabled orgs with their number of enabled items, by code: [{code, name, items}]. New
 * reference. */
json_t *public_items_orgs(Db *db);
/* The enabled items of the org with this code (NULL or "": every org), by org and item code:
 * [{id, code, name, basis, dept, kinds, content, ratio?, frequency?, methods, class, org}] where
 * kinds and methods are the labels joined with "、". New reference. */
json_t *public_items_list(Db *db, const char *org_code);
/* One item as the public reads it, with the history of its public fields (001 and 000: the item
 * list is public, so is how it changed — a ratio raised from 3% to 5% shows here): {code, name,
 * enabled, fields [{label, value}], changes [{on (the day of the change), fields [{label, before,
 * after}]}] newest first}, from the versions the directory keeps (entity_version); who changed it
 * is not shown. NULL when there is no such item. New reference. */
json_t *public_items_history(Db *db, int64_t item_id);

#endif
