/* adjacency.c -- the neighbour graph of the communes, from the arcs of their polygons.
 * Two communes are neighbours when an arc (a stretch of border) has one on each side.
 *
 * Design. Commune polygons form a coverage, so two neighbours carry the very same edges;
 * geom/arcs.c already finds them, by hashing exact points and edges in time linear in the
 * vertices, and cuts them into arcs that know the commune on each side. The graph is read off
 * those arcs, where testing all pairs of communes with GEOSTouches would be quadratic. A
 * single point in common makes no arc, so communes touching at a corner are not neighbours,
 * as adjacency.h promises. Pairs are few (one per arc) and sorted into the CSR layout. */
#include "analyse/adjacency.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

typedef struct adj_pair {
    int a, b;        /* a < b */
} adj_pair;

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
static void adj_fill_csr(adj_pair *pairs, int npairs, adjacency *a)
{
    if (npairs > 1) /* qsort must not get NULL (no pair at all) */
        qsort(pairs, (size_t)npairs, sizeof *pairs, adj_cmp_pair);
    int m = 0;
    for (int i = 0; i < npairs; i++)
        if (m == 0 || adj_cmp_pair(&pairs[m - 1], &pairs[i]) != 0)
            pairs[m++] = pairs[i];

    a->start = xcalloc((size_t)a->n + 1, sizeof *a->start);
    for (int i = 0; i < m; i++) {
        a->start[pairs[i].a + 1]++;
        a->start[pairs[i].b + 1]++;
    }
    for (int i = 0; i < a->n; i++)
        a->start[i + 1] += a->start[i];
    a->neighbours = xmalloc(((size_t)2 * (size_t)m + 1) * sizeof *a->neighbours);
    int *fill = xmalloc((size_t)(a->n ? a->n : 1) * sizeof *fill);
    memcpy(fill, a->start, (size_t)a->n * sizeof *fill);
    for (int i = 0; i < m; i++) {
        a->neighbours[fill[pairs[i].a]++] = pairs[i].b;
        a->neighbours[fill[pairs[i].b]++] = pairs[i].a;
    }
    free(fill);
}

void adj_from_topology(const commune_table *t, const topology *tp, adjacency *a)
{
    memset(a, 0, sizeof *a);
    a->n = t->ncommunes;
    int narcs = topo_arc_count(tp);
    adj_pair *pairs = xmalloc((size_t)(narcs ? narcs : 1) * sizeof *pairs);
    int npairs = 0;
    for (int i = 0; i < narcs; i++) {
        int l, r;
        topo_arc_faces(tp, i, &l, &r);
        if (r >= 0 && l >= 0 && l != r)
            pairs[npairs++] = (adj_pair){l < r ? l : r, l < r ? r : l};
    }
    adj_fill_csr(pairs, npairs, a);
    free(pairs);
}

void adj_build(const commune_table *t, adjacency *a)
{
    topology *tp = topo_build(t, t->geos);
    adj_from_topology(t, tp, a);
    topo_free(tp);
}

void adj_free(adjacency *a)
{
    free(a->start);
    free(a->neighbours);
    memset(a, 0, sizeof *a);
}
