/* db_sqlite_rows.h - the SQLite side of db_insert_rows (internal to the SQLite driver). */
#ifndef SPOTCHECK_DB_SQLITE_ROWS_H
#define SPOTCHECK_DB_SQLITE_ROWS_H

#include "db.h"

#include <sqlite3.h>

/* Registers the table-valued function spotcheck_rows on a new connection. */
int sq_rows_register(sqlite3 *h);
/* DbDriver.insert_rows (see db_insert_rows in db.h). */
int sq_insert_rows(void *conn, const char *table, const char *const *cols, size_t ncols,
                   const DbRowSource *src, int or_ignore);

#endif
