/* db_sqlite_search.h - the SQLite driver's search index built beside a bulk load (db.h's
 * db_search_side_start; internal to the SQLite driver). */
#ifndef SPOTCHECK_DB_SQLITE_SEARCH_H
#define SPOTCHECK_DB_SQLITE_SEARCH_H

#include <sqlite3.h>
#include <stdint.h>

/* DbDriver.search_side_start/_add/_free (see db.h). */
void *sq_search_side_start(void *conn, const char *table, const char *const *columns);
void sq_search_side_add(void *side, int64_t id, const char *const *values);
void sq_search_side_free(void *side);

/* Finishes the side build and puts its index in place of <table>_search's (inside the load's
 * transaction on c, the upkeep still paused, within a savepoint of its own); side is freed.
 * SQLITE_OK, or an error code when the side build or the copy failed: then the table is as it was
 * before (the savepoint rolled back) and the caller builds the index from the table; a line on
 * standard error says so. */
int sq_search_side_finish(sqlite3 *c, void *side);

/* Tests only (not thread-safe): 1 makes every side build fail on its first rows, as a disk error
 * on the scratch file would; 2 makes the finish fail after the table was dropped and created
 * again (the savepoint then puts it back); either way the finish falls back to 'rebuild'. 0
 * restores. */
void sq_search_side_test_fail(int how);

#endif
