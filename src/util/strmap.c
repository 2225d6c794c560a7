/* strmap.c -- a hash table from strings to non-negative ints.
 * Open addressing with linear probing; the table doubles at 50 % load.
 *
 * Keys are never taken out, so their copies are packed in blocks of the map's own rather
 * than allocated one by one: a national job puts hundreds of thousands, and freeing them one
 * by one at its end would scan every slot. */
#include "util/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* FNV-1a: keys are short codes and ids, for which it spreads well enough. */
static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* Bytes of a block of keys (its first pointer chains it to the block before). */
#define KEY_BLOCK 65536

void smap_init(strmap *m)
{
    m->slots = NULL;
    m->cap = 0;
    m->len = 0;
    m->blocks = m->next = NULL;
    m->room = 0;
}

void smap_free(strmap *m)
{
    while (m->blocks) {
        char *before;
        memcpy(&before, m->blocks, sizeof before);
        free(m->blocks);
        m->blocks = before;
    }
    free(m->slots);
    smap_init(m);
}

/* A copy of key in m's blocks. */
static char *copy_key(strmap *m, const char *key)
{
    size_t n = strlen(key) + 1;
    if (n > m->room) {
        size_t room = n > KEY_BLOCK ? n : KEY_BLOCK;
        char *block = xmalloc(sizeof(char *) + room);
        memcpy(block, &m->blocks, sizeof m->blocks);
        m->blocks = block;
        m->next = block + sizeof(char *);
        m->room = room;
    }
    char *copy = memcpy(m->next, key, n);
    m->next += n;
    m->room -= n;
    return copy;
}

/* The slot of key (of hash h), or the free one where it would go. A slot's key is read
 * only when its hash is key's: the other probes cost no cache miss. */
static strmap_slot *find_slot(strmap_slot *slots, size_t cap, const char *key, uint32_t h)
{
    size_t i = h & (cap - 1);
    while (slots[i].key && (slots[i].hash != h || strcmp(slots[i].key, key) != 0))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

/* Rehashes m into a table of cap slots (a power of two). */
static void rehash(strmap *m, size_t cap)
{
    strmap_slot *slots = xzeroed(cap, sizeof *slots); /* probed before written */
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key)
            *find_slot(slots, cap, m->slots[i].key, m->slots[i].hash) = m->slots[i];
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

static void grow(strmap *m)
{
    rehash(m, m->cap ? m->cap * 2 : 64);
}

void smap_reserve(strmap *m, size_t n)
{
    size_t cap = m->cap ? m->cap : 64;
    while (2 * n > cap)
        cap *= 2;
    if (cap > m->cap)
        rehash(m, cap);
}

int smap_put(strmap *m, const char *key, int value)
{
    if (2 * (m->len + 1) > m->cap)
        grow(m);
    uint32_t h = (uint32_t)hash(key);
    strmap_slot *s = find_slot(m->slots, m->cap, key, h);
    if (s->key) {
        int old = s->value;
        s->value = value;
        return old;
    }
    s->key = copy_key(m, key);
    s->value = value;
    s->hash = h;
    m->len++;
    return -1;
}

int smap_get(const strmap *m, const char *key)
{
    if (m->cap == 0)
        return -1;
    strmap_slot *s = find_slot(m->slots, m->cap, key, (uint32_t)hash(key));
    return s->key ? s->value : -1;
}
