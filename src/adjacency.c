/* adjacency.c -- the neighbour graph of the communes, from the polygon edges they share.
 * One pass over every ring vertex: an edge met by two communes makes them neighbours.
 *
 * Design. Commune polygons form a coverage, so two neighbours carry the very same edge (the
 * same two points, maybe walked in opposite directions). Hashing each edge by its two end
 * points in canonical order (the lexicographically smaller point first) and its layer finds
 * every shared edge in time linear in the number of vertices, where testing all pairs of
 * communes with GEOSTouches would be quadratic. A single point in common makes no edge, so
 * communes touching at a corner are not neighbours, as adjacency.h promises.
 *
 * Memory, for 2.2 million vertices. Each ring is copied once, with GEOSCoordSeq_copyToBuffer_r,
 * into one flat buffer of x, y (16 bytes per vertex); an edge is then named by the index of
 * its first point in that buffer. The open-addressing table (linear probing, at most two thirds
 * full) holds {edge, first commune} in 8 bytes a slot: about 28 bytes per edge in all. Pairs of
 * neighbours are few (one per run of shared edges) and are sorted into the CSR layout once the
 * buffer and the table are freed. */
#include "adjacency.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "util.h"

#define EMPTY_SLOT UINT32_MAX

typedef struct edge_slot {
    uint32_t edge;   /* index in points of the edge's first point, EMPTY_SLOT when free */
    int32_t commune; /* the first commune seen with this edge */
} edge_slot;

typedef struct adj_pair {
    int a, b;        /* a < b */
} adj_pair;

typedef struct adj_builder {
    GEOSContextHandle_t h;
    const commune_table *t;
    double *points;  /* x, y of every ring vertex, ring after ring */
    size_t npoints;  /* points used (pass 2) or counted (pass 1) */
    edge_slot *slots;
    size_t nslots;
    adj_pair *pairs;
    int npairs, cappairs;
} adj_builder;

typedef void (*ring_fn)(adj_builder *b, const GEOSGeometry *ring, int c);

/* Calls fn on every ring of every polygon of g (exterior and interior rings). */
static void adj_walk_rings(adj_builder *b, const GEOSGeometry *g, int c, ring_fn fn)
{
    int type = GEOSGeomTypeId_r(b->h, g);
    if (type == GEOS_POLYGON) {
        const GEOSGeometry *ext = GEOSGetExteriorRing_r(b->h, g);
        if (ext)
            fn(b, ext, c);
        int nh = GEOSGetNumInteriorRings_r(b->h, g);
        for (int i = 0; i < nh; i++) {
            const GEOSGeometry *r = GEOSGetInteriorRingN_r(b->h, g, i);
            if (r)
                fn(b, r, c);
        }
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int np = GEOSGetNumGeometries_r(b->h, g);
        for (int i = 0; i < np; i++)
            adj_walk_rings(b, GEOSGetGeometryN_r(b->h, g, i), c, fn);
    }
}

/* Points of a ring, 0 when it has none or cannot be read. */
static unsigned adj_ring_size(adj_builder *b, const GEOSGeometry *ring)
{
    const GEOSCoordSequence *s = GEOSGeom_getCoordSeq_r(b->h, ring);
    unsigned n = 0;
    if (!s || !GEOSCoordSeq_getSize_r(b->h, s, &n))
        return 0;
    return n;
}

/* Pass 1: counts the points. */
static void adj_count_ring(adj_builder *b, const GEOSGeometry *ring, int c)
{
    (void)c;
    b->npoints += adj_ring_size(b, ring);
}

/* 1 when point p comes before point q (x first, then y). */
static int adj_point_less(const double *p, const double *q)
{
    return p[0] < q[0] || (p[0] == q[0] && p[1] < q[1]);
}

/* Hash of the edge p-q in layer, the same whichever way the edge is walked. */
static uint64_t adj_edge_hash(const double *p, const double *q, int layer)
{
    const double *lo = adj_point_less(p, q) ? p : q;
    const double *hi = lo == p ? q : p;
    uint64_t x = hash_mix(hash_double(lo[0]) ^ (uint64_t)(unsigned)layer);
    x = hash_mix(x ^ hash_double(lo[1]));
    x = hash_mix(x ^ hash_double(hi[0]));
    return hash_mix(x ^ hash_double(hi[1]));
}

/* 1 when edge e of the buffer joins the points p and q, in either direction. */
static int adj_same_edge(const double *e, const double *p, const double *q)
{
    const double *f = e + 2;
    return (e[0] == p[0] && e[1] == p[1] && f[0] == q[0] && f[1] == q[1]) ||
           (e[0] == q[0] && e[1] == q[1] && f[0] == p[0] && f[1] == p[1]);
}

/* Records that communes a and b are neighbours. Consecutive edges of a ring usually run along
 * the same neighbour: the repeat of the last pair is dropped here, the others when sorting. */
static void adj_add_pair(adj_builder *b, int a, int c)
{
    adj_pair p = {a < c ? a : c, a < c ? c : a};
    if (b->npairs > 0 && b->pairs[b->npairs - 1].a == p.a && b->pairs[b->npairs - 1].b == p.b)
        return;
    GROW(b->pairs, b->cappairs, b->npairs + 1);
    b->pairs[b->npairs++] = p;
}

/* Puts edge e (points e and e + 1 of the buffer) of commune c into the table. */
static void adj_add_edge(adj_builder *b, size_t e, int c)
{
    const double *p = b->points + 2 * e, *q = p + 2;
    if (p[0] == q[0] && p[1] == q[1])
        return; /* zero length: a repeated vertex */
    if (!isfinite(p[0]) || !isfinite(p[1]) || !isfinite(q[0]) || !isfinite(q[1]))
        return;
    int layer = b->t->communes[c].layer;
    size_t i = (size_t)(adj_edge_hash(p, q, layer) % b->nslots);
    for (;;) {
        edge_slot *s = &b->slots[i];
        if (s->edge == EMPTY_SLOT) {
            s->edge = (uint32_t)e;
            s->commune = c;
            return;
        }
        if (adj_same_edge(b->points + 2 * (size_t)s->edge, p, q) &&
            b->t->communes[s->commune].layer == layer) {
            if (s->commune != c)
                adj_add_pair(b, s->commune, c);
            return;
        }
        i = i + 1 == b->nslots ? 0 : i + 1;
    }
}

/* Pass 2: copies the ring into the buffer and puts its edges into the table. */
static void adj_hash_ring(adj_builder *b, const GEOSGeometry *ring, int c)
{
    const GEOSCoordSequence *s = GEOSGeom_getCoordSeq_r(b->h, ring);
    unsigned n = adj_ring_size(b, ring);
    if (n < 2)
        return;
    double *p = b->points + 2 * b->npoints;
    if (!GEOSCoordSeq_copyToBuffer_r(b->h, s, p, 0, 0))
        return;
    for (size_t k = 0; k < 2 * (size_t)n; k++)
        p[k] += 0.0; /* -0.0 becomes 0.0: equal values must hash alike */
    size_t first = b->npoints;
    b->npoints += n;
    for (size_t e = first; e + 1 < first + n; e++)
        adj_add_edge(b, e, c);
}

static int adj_cmp_pair(const void *x, const void *y)
{
    const adj_pair *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    return 0;
}

/* Sorts and deduplicates the pairs into the CSR layout. Filling in pair order gives each
 * commune x first its smaller neighbours (pairs (a, x), by ascending a), then its larger ones
 * (pairs (x, b), by ascending b): every list comes out ascending. */
static void adj_fill_csr(adj_builder *b, adjacency *a)
{
    if (b->npairs > 1) /* qsort must not get NULL (no pair at all) */
        qsort(b->pairs, (size_t)b->npairs, sizeof *b->pairs, adj_cmp_pair);
    int m = 0;
    for (int i = 0; i < b->npairs; i++)
        if (m == 0 || adj_cmp_pair(&b->pairs[m - 1], &b->pairs[i]) != 0)
            b->pairs[m++] = b->pairs[i];

    a->start = xcalloc((size_t)a->n + 1, sizeof *a->start);
    for (int i = 0; i < m; i++) {
        a->start[b->pairs[i].a + 1]++;
        a->start[b->pairs[i].b + 1]++;
    }
    for (int i = 0; i < a->n; i++)
        a->start[i + 1] += a->start[i];
    a->neighbours = xmalloc((size_t)2 * (size_t)m * sizeof *a->neighbours);
    int *fill = xmalloc((size_t)(a->n ? a->n : 1) * sizeof *fill);
    memcpy(fill, a->start, (size_t)a->n * sizeof *fill);
    for (int i = 0; i < m; i++) {
        a->neighbours[fill[b->pairs[i].a]++] = b->pairs[i].b;
        a->neighbours[fill[b->pairs[i].b]++] = b->pairs[i].a;
    }
    free(fill);
}

void adj_build(const commune_table *t, adjacency *a)
{
    adj_builder b;
    memset(&b, 0, sizeof b);
    b.h = t->geos;
    b.t = t;
    memset(a, 0, sizeof *a);
    a->n = t->ncommunes;

    for (int c = 0; c < t->ncommunes; c++)
        if (t->communes[c].geom && t->communes[c].layer >= 0)
            adj_walk_rings(&b, t->communes[c].geom, c, adj_count_ring);
    size_t total = b.npoints;
    if (total >= EMPTY_SLOT) {
        fprintf(stderr, "cptscov: %zu polygon vertices are too many for the adjacency table; "
                        "simplify the commune polygons\n", total);
        exit(1);
    }

    b.points = xmalloc(2 * (total ? total : 1) * sizeof *b.points);
    b.nslots = total + total / 2 + 1;
    b.slots = xmalloc(b.nslots * sizeof *b.slots);
    for (size_t i = 0; i < b.nslots; i++) {
        b.slots[i].edge = EMPTY_SLOT;
        b.slots[i].commune = -1;
    }
    b.npoints = 0;
    for (int c = 0; c < t->ncommunes; c++)
        if (t->communes[c].geom && t->communes[c].layer >= 0)
            adj_walk_rings(&b, t->communes[c].geom, c, adj_hash_ring);
    free(b.points);
    free(b.slots);

    adj_fill_csr(&b, a);
    free(b.pairs);
}

void adj_free(adjacency *a)
{
    free(a->start);
    free(a->neighbours);
    memset(a, 0, sizeof *a);
}
