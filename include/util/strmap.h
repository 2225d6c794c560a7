/* strmap.h -- a hash table from strings to non-negative ints.
 * Keys are copied; used for commune codes, CPTS ids, passage and EPCI tables. */
#ifndef CPTSCOV_STRMAP_H
#define CPTSCOV_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct strmap_slot {
    char *key;
    int value;
    uint32_t hash;  /* of key: probes compare it before the key */
} strmap_slot;

typedef struct strmap {
    strmap_slot *slots;
    size_t cap;   /* a power of two, or 0 */
    size_t len;
    char *blocks; /* the keys' copies, in blocks each chained to the one before */
    char *next;   /* where the next copy goes in the newest block */
    size_t room;  /* bytes left there */
} strmap;

void smap_init(strmap *m);
void smap_free(strmap *m);
/* Sets key to value; returns the previous value, or -1 when the key is new. */
int smap_put(strmap *m, const char *key, int value);
/* Makes room for n keys in all, so that putting them never grows the table again. */
void smap_reserve(strmap *m, size_t n);
/* Value of key, or -1. */
int smap_get(const strmap *m, const char *key);

#endif
