/* hash.h -- hashing exact coordinates, for the tables that find shared points and edges.
 * Used by arcs.c (the vertices and edges of the arcs). */
#ifndef CPTSCOV_HASH_H
#define CPTSCOV_HASH_H

#include <stdint.h>
#include <string.h>

/* A 64-bit finaliser (splitmix64): every input bit moves every output bit. */
static inline uint64_t hash_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    x ^= x >> 31;
    return x;
}

/* The bits of a coordinate; -0.0 and 0.0, equal values, hash alike. */
static inline uint64_t hash_double(double v)
{
    uint64_t u;
    v += 0.0;
    memcpy(&u, &v, sizeof u);
    return u;
}

#endif
