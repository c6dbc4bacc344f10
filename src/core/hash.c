/*
 * hash.c - a string-keyed open-addressing hash map (linear probing, power-of-
 * two capacity, load at most 1/2) whose keys live in an arena it owns.  Used
 * to intern text cells, to group survey responses and to join tables.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "core.h"

/* Eight bytes at a time (the round of xxHash64: multiply, rotate, multiply),
 * the last few bytes and the length in one more round, then the splitmix64
 * finaliser so that linear probing on the low bits behaves.  Byte-at-a-time
 * FNV-1a made interning a cell a chain of one multiplication per byte. */
#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL

static uint64_t round64(uint64_t h, uint64_t w)
{
    h += w * P2;
    h = (h << 31) | (h >> 33);
    return h * P1;
}

uint64_t cx_hash_bytes(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = seed ^ 0x27D4EB2F165667C5ULL;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = round64(h, w);
    }
    uint64_t tail = 0;
    for (size_t k = 0; i + k < n; k++)
        tail |= (uint64_t)s[i + k] << (8 * k);
    h = round64(h, tail ^ ((uint64_t)n << 56));
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

/* 24 bytes: the low 32 bits of the hash place and compare a key (a map
 * holds far fewer than 2^32 slots), and no key is 4 GiB long. */
typedef struct slot {
    const char *key; /* NULL = empty */
    size_t value;
    uint32_t hash;
    uint32_t len;
} slot;

/* Keys are copied into chunks that never move, so stored pointers stay valid. */
typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    char data[];
} chunk;

struct cx_strmap {
    slot *slots;
    size_t cap, count;
    chunk *arena;
};

cx_strmap *cx_strmap_new(void)
{
    return cx_calloc(1, sizeof(cx_strmap));
}

static void free_arena(chunk *c)
{
    while (c) {
        chunk *next = c->next;
        cx_free(c);
        c = next;
    }
}

void cx_strmap_free(cx_strmap *m)
{
    if (!m)
        return;
    cx_free(m->slots);
    free_arena(m->arena);
    cx_free(m);
}

/* Empty the map but keep the slot array and the first arena chunk. */
void cx_strmap_clear(cx_strmap *m)
{
    if (!m)
        return;
    if (m->slots)
        memset(m->slots, 0, m->cap * sizeof(slot));
    m->count = 0;
    if (m->arena) {
        free_arena(m->arena->next);
        m->arena->next = NULL;
        m->arena->used = 0;
    }
}

size_t cx_strmap_count(const cx_strmap *m)
{
    return m ? m->count : 0;
}

static const char *arena_copy(cx_strmap *m, const char *s, size_t n)
{
    if (!m->arena || m->arena->size - m->arena->used < n + 1) {
        size_t size = n + 1 > 65536 ? n + 1 : 65536;
        chunk *c = cx_malloc(sizeof(chunk) + size);
        if (!c)
            return NULL;
        c->used = 0;
        c->size = size;
        c->next = m->arena;
        m->arena = c;
    }
    char *d = m->arena->data + m->arena->used;
    if (n) /* an empty key may come as (NULL, 0): no memcpy from NULL */
        memcpy(d, s, n);
    d[n] = '\0';
    m->arena->used += n + 1;
    return d;
}

static slot *find(const slot *slots, size_t cap, uint32_t h, const char *key, size_t len)
{
    size_t mask = cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const slot *s = &slots[i];
        if (!s->key || (s->hash == h && s->len == len && (len == 0 || memcmp(s->key, key, len) == 0)))
            return (slot *)s;
    }
}

static cx_status rehash(cx_strmap *m, size_t ncap)
{
    slot *ns = cx_calloc(ncap, sizeof(slot));
    if (!ns)
        return CX_ENOMEM;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key)
            *find(ns, ncap, m->slots[i].hash, m->slots[i].key, m->slots[i].len) = m->slots[i];
    cx_free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return CX_OK;
}

cx_status cx_strmap_reserve(cx_strmap *m, size_t n)
{
    size_t ncap = m->cap ? m->cap : 64;
    while ((n + 1) * 2 > ncap)
        ncap *= 2;
    return ncap > m->cap ? rehash(m, ncap) : CX_OK;
}

uint64_t cx_strmap_hash(const char *key, size_t len)
{
    return cx_hash_bytes(key, len, 0);
}

void cx_strmap_prefetch(const cx_strmap *m, uint64_t h)
{
#if defined(__GNUC__)
    if (m && m->cap)
        __builtin_prefetch(&m->slots[(uint32_t)h & (m->cap - 1)]);
#else
    (void)m;
    (void)h;
#endif
}

void cx_strmap_prefetch_key(const cx_strmap *m, uint64_t h)
{
#if defined(__GNUC__)
    if (m && m->cap) {
        const slot *s = &m->slots[(uint32_t)h & (m->cap - 1)];
        if (s->key && s->hash == (uint32_t)h)
            __builtin_prefetch(s->key);
    }
#else
    (void)m;
    (void)h;
#endif
}

static inline cx_status intern(cx_strmap *m, const char *key, size_t len, uint64_t h, size_t value_if_new,
                               size_t *value, int *inserted, const char **stored)
{
    if (len > UINT32_MAX)
        return CX_ENOMEM; /* a key of 4 GiB: more than a slot holds */
    if ((m->count + 1) * 2 > m->cap && rehash(m, m->cap ? m->cap * 2 : 64) != CX_OK)
        return CX_ENOMEM;
    slot *s = find(m->slots, m->cap, (uint32_t)h, key, len);
    int fresh = s->key == NULL;
    if (fresh) {
        const char *k = arena_copy(m, key, len);
        if (!k)
            return CX_ENOMEM;
        s->hash = (uint32_t)h;
        s->key = k;
        s->len = (uint32_t)len;
        s->value = value_if_new;
        m->count++;
    }
    if (value)
        *value = s->value;
    if (inserted)
        *inserted = fresh;
    if (stored)
        *stored = s->key;
    return CX_OK;
}

cx_status cx_strmap_intern_hashed(cx_strmap *m, const char *key, size_t len, uint64_t h, size_t value_if_new,
                                  size_t *value, int *inserted, const char **stored)
{
    return intern(m, key, len, h, value_if_new, value, inserted, stored);
}

cx_status cx_strmap_intern(cx_strmap *m, const char *key, size_t len, size_t value_if_new,
                           size_t *value, int *inserted, const char **stored)
{
    return intern(m, key, len, cx_hash_bytes(key, len, 0), value_if_new, value, inserted, stored);
}

static inline int get(const cx_strmap *m, const char *key, size_t len, uint64_t h, size_t *value)
{
    const slot *s = find(m->slots, m->cap, (uint32_t)h, key, len);
    if (!s->key)
        return 0;
    if (value)
        *value = s->value;
    return 1;
}

int cx_strmap_get_hashed(const cx_strmap *m, const char *key, size_t len, uint64_t h, size_t *value)
{
    return m && m->cap ? get(m, key, len, h, value) : 0;
}

int cx_strmap_get(const cx_strmap *m, const char *key, size_t len, size_t *value)
{
    return m && m->cap ? get(m, key, len, cx_hash_bytes(key, len, 0), value) : 0;
}
