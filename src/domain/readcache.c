/* readcache.c - results of expensive reads kept while the data version is the same (see
 * readcache.h).
 *
 * The table: a doubly linked list in order of last use (head most recent), searched by key; at
 * READCACHE_ENTRIES entries a lookup is a few hundred string compares, small next to the reads it
 * saves. An entry of an older version is replaced when its key is stored again. */
#include "readcache.h"

#include "../core/util.h"
#include "public_version.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct Entry {
    char *key;
    int64_t version;
    json_t *value;
    struct Entry *prev, *next;
} Entry;

static struct {
    pthread_mutex_t lock;
    int on;
    size_t n;
    Entry *head, *tail;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Unlinks e from the use list. Lock held. */
static void unlink_entry(Entry *e) {
    if (e->prev)
        e->prev->next = e->next;
    else
        cache.head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        cache.tail = e->prev;
    e->prev = e->next = NULL;
}

/* Puts e first in the use list. Lock held. */
static void push_front(Entry *e) {
    e->next = cache.head;
    if (cache.head) cache.head->prev = e;
    cache.head = e;
    if (!cache.tail) cache.tail = e;
}

static void entry_free(Entry *e) {
    json_decref(e->value);
    free(e->key);
    free(e);
}

/* The entry of key, or NULL. Lock held. */
static Entry *find(const char *key) {
    for (Entry *e = cache.head; e; e = e->next)
        if (!strcmp(e->key, key)) return e;
    return NULL;
}

void readcache_enable(int on) {
    pthread_mutex_lock(&cache.lock);
    cache.on = on;
    while (cache.head) {
        Entry *e = cache.head;
        unlink_entry(e);
        entry_free(e);
    }
    cache.n = 0;
    pthread_mutex_unlock(&cache.lock);
}

/* Entries of readcache_get_content carry this version, which no data version equals in practice
 * (a random 63-bit number) and which their lookups accept whatever the data version is. */
#define CONTENT_VERSION INT64_MIN

/* The value for key at version v (CONTENT_VERSION: a content key, any version). */
static json_t *get(Db *db, const char *key, int content, ReadcacheFn fn, void *arg, char **err) {
    pthread_mutex_lock(&cache.lock);
    int on = cache.on;
    pthread_mutex_unlock(&cache.lock);
    PublicVersion v = {.version = CONTENT_VERSION};
    /* inside a transaction the reads may see changes not committed (or rolled back later) */
    if (!on || db_in_transaction(db) || (!content && public_version_get(db, &v) != DB_OK))
        return fn(db, arg, err);
    pthread_mutex_lock(&cache.lock);
    Entry *e = find(key);
    if (e && e->version == v.version) {
        unlink_entry(e);
        push_front(e);
        json_t *copy = json_deep_copy(e->value);
        pthread_mutex_unlock(&cache.lock);
        return copy;
    }
    pthread_mutex_unlock(&cache.lock);
    json_t *value = fn(db, arg, err); /* computed after the version was read: never older */
    if (!value) return NULL;
    json_t *kept = json_deep_copy(value);
    pthread_mutex_lock(&cache.lock);
    if (!cache.on) { /* turned off meanwhile */
        pthread_mutex_unlock(&cache.lock);
        json_decref(kept);
        return value;
    }
    e = find(key);
    if (e) {
        unlink_entry(e);
        json_decref(e->value);
    } else {
        e = xcalloc(1, sizeof *e);
        e->key = xstrdup(key);
        cache.n++;
    }
    e->version = v.version;
    e->value = kept;
    push_front(e);
    while (cache.n > READCACHE_ENTRIES) {
        Entry *old = cache.tail;
        unlink_entry(old);
        entry_free(old);
        cache.n--;
    }
    pthread_mutex_unlock(&cache.lock);
    return value;
}

json_t *readcache_get(Db *db, const char *key, ReadcacheFn fn, void *arg, char **err) {
    return get(db, key, 0, fn, arg, err);
}

json_t *readcache_get_content(Db *db, const char *key, ReadcacheFn fn, void *arg, char **err) {
    return get(db, key, 1, fn, arg, err);
}
