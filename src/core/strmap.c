/* strmap.c - open-addressing hash map from strings to int64 with linear probing; grows at 50%
 * load. Keys live in one arena per map so a million-key import does not make a million mallocs. */
#include "strmap.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

typedef struct Slot {
    const char *key; /* NULL = empty */
    uint64_t hash;
    int64_t value;
} Slot;

typedef struct Arena {
    struct Arena *next;
    size_t used, cap;
    char data[];
} Arena;

struct StrMap {
    Slot *slots;
    size_t cap, n;
    Arena *arena;
};

static uint64_t hash_str(const char *s) {
    uint64_t h = str_fnv1a(s);
    return h ^ (h >> 29);
}

StrMap *strmap_new(void) {
    StrMap *m = xcalloc(1, sizeof *m);
    m->cap = 64;
    m->slots = xcalloc(m->cap, sizeof *m->slots);
    return m;
}

void strmap_free(StrMap *m) {
    if (!m) return;
    for (Arena *a = m->arena, *next; a; a = next) {
        next = a->next;
        free(a);
    }
    free(m->slots);
    free(m);
}

static const char *arena_copy(StrMap *m, const char *s) {
    size_t n = strlen(s) + 1;
    if (!m->arena || m->arena->used + n > m->arena->cap) {
        size_t cap = n > 65536 ? n : 65536;
        Arena *a = xmalloc(sizeof *a + cap);
        a->next = m->arena;
        a->used = 0;
        a->cap = cap;
        m->arena = a;
    }
    char *p = m->arena->data + m->arena->used;
    memcpy(p, s, n);
    m->arena->used += n;
    return p;
}

static Slot *find(Slot *slots, size_t cap, const char *key, uint64_t h) {
    size_t i = (size_t)h & (cap - 1);
    while (slots[i].key && !(slots[i].hash == h && strcmp(slots[i].key, key) == 0))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static void grow(StrMap *m) {
    size_t cap = m->cap * 2;
    Slot *slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key) *find(slots, cap, m->slots[i].key, m->slots[i].hash) = m->slots[i];
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

int strmap_put(StrMap *m, const char *key, int64_t value) {
    if ((m->n + 1) * 2 > m->cap) grow(m);
    uint64_t h = hash_str(key);
    Slot *s = find(m->slots, m->cap, key, h);
    if (s->key) {
        s->value = value;
        return 0;
    }
    s->key = arena_copy(m, key);
    s->hash = h;
    s->value = value;
    m->n++;
    return 1;
}

int strmap_get(const StrMap *m, const char *key, int64_t *value) {
    Slot *s = find(m->slots, m->cap, key, hash_str(key));
    if (!s->key) return 0;
    if (value) *value = s->value;
    return 1;
}

size_t strmap_size(const StrMap *m) {
    return m->n;
}
