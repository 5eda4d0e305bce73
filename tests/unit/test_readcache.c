/* test_readcache.c - the cache of expensive reads (readcache.h): off, every read computes; on, a
 * key is computed once per data version (public_version, bumped by every audited change), handed
 * out as independent copies, a failed read keeps nothing, nothing is kept or read inside a
 * transaction, and the least recently used entry goes first when the cache is full. */
#include "core/util.h"
#include "domain/public_version.h"
#include "domain/readcache.h"

#include "t.h"

#include <stdlib.h>

static char path[] = "/tmp/spotcheck-test-readcache-XXXXXX";
static Db *db;
static int calls;

/* A read that counts its calls and returns {"n": calls}; arg non-NULL: fails with that text. */
static json_t *counted(Db *d, void *arg, char **err) {
    (void)d;
    calls++;
    if (arg) {
        set_err(err, "%s", (const char *)arg);
        return NULL;
    }
    return json_pack("{s:i}", "n", calls);
}

static int n_of(json_t *v) {
    int n = v ? (int)json_integer_value(json_object_get(v, "n")) : -1;
    json_decref(v);
    return n;
}

static void test_off_computes_every_time(void) {
    readcache_enable(0);
    calls = 0;
    CHECK_INT(n_of(readcache_get(db, "k", counted, NULL, NULL)), 1);
    CHECK_INT(n_of(readcache_get(db, "k", counted, NULL, NULL)), 2);
}

static void test_kept_per_version(void) {
    readcache_enable(1);
    calls = 0;
    json_t *a = readcache_get(db, "k", counted, NULL, NULL);
    json_object_set_new(a, "n", json_integer(99)); /* the caller's copy */
    json_decref(a);
    CHECK_INT(n_of(readcache_get(db, "k", counted, NULL, NULL)), 1); /* kept, unchanged */
    CHECK_INT(calls, 1);
    CHECK_INT(n_of(readcache_get(db, "other", counted, NULL, NULL)), 2); /* its own key */
    CHECK(public_version_bump(db) == DB_OK);                             /* an audited change */
    CHECK_INT(n_of(readcache_get(db, "k", counted, NULL, NULL)), 3);
    CHECK_INT(n_of(readcache_get(db, "k", counted, NULL, NULL)), 3);
    CHECK_INT(calls, 3);
    readcache_enable(0);
}

/* A content key (readcache_get_content) names what it holds by digest: kept across data versions,
 * and not confused with a versioned entry. */
static void test_content_kept_across_versions(void) {
    readcache_enable(1);
    calls = 0;
    CHECK_INT(n_of(readcache_get_content(db, "draw-head:1:ab", counted, NULL, NULL)), 1);
    CHECK(public_version_bump(db) == DB_OK);
    CHECK_INT(n_of(readcache_get_content(db, "draw-head:1:ab", counted, NULL, NULL)), 1);
    CHECK_INT(n_of(readcache_get_content(db, "draw-head:1:cd", counted, NULL, NULL)), 2);
    CHECK_INT(n_of(readcache_get(db, "v", counted, NULL, NULL)), 3);
    CHECK(public_version_bump(db) == DB_OK);
    CHECK_INT(n_of(readcache_get(db, "v", counted, NULL, NULL)), 4); /* versioned: computed again */
    CHECK_INT(calls, 4);
    CHECK(db_begin(db) == DB_OK); /* in a transaction nothing is read from the cache */
    CHECK_INT(n_of(readcache_get_content(db, "draw-head:1:ab", counted, NULL, NULL)), 5);
    db_rollback(db);
    readcache_enable(0);
}

static void test_failure_not_kept(void) {
    readcache_enable(1);
    calls = 0;
    char *err = NULL;
    CHECK(readcache_get(db, "bad", counted, "读取失败", &err) == NULL);
    CHECK_STR(err, "读取失败");
    free(err);
    CHECK_INT(n_of(readcache_get(db, "bad", counted, NULL, NULL)), 2); /* computed again */
    CHECK_INT(n_of(readcache_get(db, "bad", counted, NULL, NULL)), 2);
    readcache_enable(0);
}

static void test_not_in_a_transaction(void) {
    readcache_enable(1);
    calls = 0;
    CHECK(db_begin(db) == DB_OK);
    CHECK_INT(n_of(readcache_get(db, "tx", counted, NULL, NULL)), 1);
    CHECK_INT(n_of(readcache_get(db, "tx", counted, NULL, NULL)), 2); /* neither kept nor read */
    CHECK(db_rollback(db) == DB_OK);
    CHECK_INT(n_of(readcache_get(db, "tx", counted, NULL, NULL)), 3);
    CHECK_INT(n_of(readcache_get(db, "tx", counted, NULL, NULL)), 3);
    readcache_enable(0);
}

static void test_least_recent_dropped(void) {
    readcache_enable(1);
    calls = 0;
    char key[32];
    json_decref(readcache_get(db, "first", counted, NULL, NULL));
    json_decref(readcache_get(db, "second", counted, NULL, NULL));
    for (int i = 0; i < READCACHE_ENTRIES - 2; i++) {
        snprintf(key, sizeof key, "fill%d", i);
        json_decref(readcache_get(db, key, counted, NULL, NULL));
    }
    json_decref(readcache_get(db, "first", counted, NULL, NULL)); /* used: now the most recent */
    CHECK_INT(calls, READCACHE_ENTRIES);
    json_decref(readcache_get(db, "one more", counted, NULL, NULL)); /* drops "second" */
    CHECK_INT(n_of(readcache_get(db, "first", counted, NULL, NULL)), 1);
    CHECK_INT(calls, READCACHE_ENTRIES + 1);
    json_decref(readcache_get(db, "second", counted, NULL, NULL));
    CHECK_INT(calls, READCACHE_ENTRIES + 2); /* computed again */
    readcache_enable(0);
}

int main(void) {
    if (!mkdtemp(path)) return 1;
    char file[128], *err = NULL;
    snprintf(file, sizeof file, "%s/r.db", path);
    db = db_open(file, 1, &err);
    if (!db) {
        fprintf(stderr, "db_open: %s\n", err ? err : "?");
        return 1;
    }
    RUN(test_off_computes_every_time);
    RUN(test_kept_per_version);
    RUN(test_content_kept_across_versions);
    RUN(test_failure_not_kept);
    RUN(test_not_in_a_transaction);
    RUN(test_least_recent_dropped);
    db_close(db);
    t_remove_db(file);
    rmdir(path);
    return T_DONE();
}
