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
 * [{code, name, basis, dept, kinds, content, ratio?, frequency?, methods, class, org}] where kinds
 * and methods are the labels joined with "、". New reference. */
json_t *public_items_list(Db *db, const char *org_code);

#endif
