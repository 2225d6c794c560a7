/* zones.c -- uncovered zones: connected groups of uncovered communes, and what lies around them.
 * For each zone: its communes, population, area, departments, the CPTS at its border and the
 * CPTS still in project on it.
 *
 * Design. A breadth-first search over the adjacency graph, restricted to the uncovered communes
 * that have a polygon, labels the zones in one linear pass. The CPTS lists are gathered with a
 * mark per CPTS holding the last zone that added it, so that each list is built without
 * duplicates in time linear in the zone's communes and edges, then sorted. Zones are finally
 * ordered by population, ties by the code of their first commune, so that the output never
 * depends on the order of the inputs. */
#include "analyse/zones.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

#define ZONE_NONE (-1)      /* covered, or without polygon: in no zone */
#define ZONE_UNVISITED (-2) /* uncovered with a polygon, not reached yet */

/* Work arrays shared by all the zones of one zone_find. */
typedef struct zone_work {
    int *zone_of;      /* per commune: its zone, ZONE_NONE or ZONE_UNVISITED */
    int *queue;        /* communes of the zone being searched */
    int *border_mark;  /* per CPTS: last zone that listed it as bordering, -1 */
    int *pending_mark; /* per CPTS: last zone that listed it as pending, -1 */
} zone_work;

static int zone_cmp_int(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}

static int zone_cmp_dep(const void *x, const void *y)
{
    return strcmp((const char *)x, (const char *)y);
}

/* The distinct departments of z's communes, sorted. */
static void zone_departments(const commune_table *t, uncovered_zone *z)
{
    z->departments = xmalloc((size_t)z->ncommunes * sizeof *z->departments);
    for (int i = 0; i < z->ncommunes; i++)
        memcpy(z->departments[i], t->communes[z->communes[i]].dep, sizeof z->departments[i]);
    qsort(z->departments, (size_t)z->ncommunes, sizeof *z->departments, zone_cmp_dep);
    int nd = 0;
    for (int i = 0; i < z->ncommunes; i++)
        if (nd == 0 || strcmp(z->departments[nd - 1], z->departments[i]) != 0)
            memmove(z->departments[nd++], z->departments[i], sizeof z->departments[i]);
    z->ndepartments = nd;
}

/* Adds CPTS k to list[0..*n-1] unless zone zi already added it (mark[k] == zi). */
static void zone_add_cpts(int **list, int *n, int *cap, int *mark, int k, int zi)
{
    if (mark[k] == zi)
        return;
    mark[k] = zi;
    GROW(*list, *cap, *n + 1);
    (*list)[(*n)++] = k;
}

/* The CPTS that count and hold a covered neighbour of the zone, and the CPTS that do not count
 * and list a commune of the zone. */
static void zone_cpts(const commune_table *t, const adjacency *a, const coverage_report *cov,
                      zone_work *w, int zi, uncovered_zone *z)
{
    int capb = 0, capp = 0;
    for (int i = 0; i < z->ncommunes; i++) {
        int c = z->communes[i];
        const commune *cm = &t->communes[c];
        for (int j = 0; j < cm->ncpts; j++)
            if (!cov->counts[cm->cpts[j]])
                zone_add_cpts(&z->pending_cpts, &z->npending, &capp, w->pending_mark,
                              cm->cpts[j], zi);
        if (c >= a->n)
            continue;
        for (int e = a->start[c]; e < a->start[c + 1]; e++) {
            int nbi = a->neighbours[e];
            const commune *nb = &t->communes[nbi];
            if (!cov->covered[nbi])
                continue;
            for (int j = 0; j < nb->ncpts; j++)
                if (cov->counts[nb->cpts[j]])
                    zone_add_cpts(&z->bordering_cpts, &z->nbordering, &capb, w->border_mark,
                                  nb->cpts[j], zi);
        }
    }
    /* qsort must not get NULL, the list of a zone without such CPTS */
    if (z->nbordering > 1)
        qsort(z->bordering_cpts, (size_t)z->nbordering, sizeof *z->bordering_cpts, zone_cmp_int);
    if (z->npending > 1)
        qsort(z->pending_cpts, (size_t)z->npending, sizeof *z->pending_cpts, zone_cmp_int);
}

/* Gathers into z the zone zi that commune first belongs to, by breadth-first search. */
static void zone_search(const commune_table *t, const adjacency *a, zone_work *w, int first,
                        int zi, uncovered_zone *z)
{
    int head = 0, tail = 0;
    w->queue[tail++] = first;
    w->zone_of[first] = zi;
    while (head < tail) {
        int c = w->queue[head++];
        if (c >= a->n)
            continue;
        for (int e = a->start[c]; e < a->start[c + 1]; e++) {
            int nb = a->neighbours[e];
            if (w->zone_of[nb] == ZONE_UNVISITED) {
                w->zone_of[nb] = zi;
                w->queue[tail++] = nb;
            }
        }
    }
    z->ncommunes = tail;
    z->communes = xmalloc((size_t)tail * sizeof *z->communes);
    memcpy(z->communes, w->queue, (size_t)tail * sizeof *z->communes);
    qsort(z->communes, (size_t)tail, sizeof *z->communes, zone_cmp_int);
    for (int i = 0; i < tail; i++) {
        z->population += t->communes[z->communes[i]].population;
        z->area_km2 += t->communes[z->communes[i]].area_km2;
    }
}

/* Sort key of a zone: population descending, then code of its first commune ascending. */
typedef struct zone_key {
    int64_t population;
    const char *code;
    int index;
} zone_key;

static int zone_cmp_key(const void *x, const void *y)
{
    const zone_key *p = x, *q = y;
    if (p->population != q->population)
        return p->population > q->population ? -1 : 1;
    return strcmp(p->code, q->code);
}

static void zone_sort(const commune_table *t, zone_list *zl)
{
    if (zl->n < 2)
        return;
    zone_key *keys = xmalloc((size_t)zl->n * sizeof *keys);
    for (int i = 0; i < zl->n; i++) {
        keys[i].population = zl->zones[i].population;
        keys[i].code = t->communes[zl->zones[i].communes[0]].code;
        keys[i].index = i;
    }
    qsort(keys, (size_t)zl->n, sizeof *keys, zone_cmp_key);
    uncovered_zone *sorted = xmalloc((size_t)zl->n * sizeof *sorted);
    for (int i = 0; i < zl->n; i++)
        sorted[i] = zl->zones[keys[i].index];
    free(zl->zones);
    zl->zones = sorted;
    free(keys);
}

void zone_find(const commune_table *t, const adjacency *a, const coverage_report *cov,
               zone_list *zl)
{
    memset(zl, 0, sizeof *zl);
    int n = t->ncommunes;
    size_t nalloc = (size_t)(n ? n : 1), kalloc = (size_t)(t->ncpts ? t->ncpts : 1);
    zone_work w;
    w.zone_of = xmalloc(nalloc * sizeof *w.zone_of);
    w.queue = xmalloc(nalloc * sizeof *w.queue);
    w.border_mark = xmalloc(kalloc * sizeof *w.border_mark);
    w.pending_mark = xmalloc(kalloc * sizeof *w.pending_mark);
    for (int i = 0; i < n; i++) {
        const commune *c = &t->communes[i];
        w.zone_of[i] = !cov->covered[i] && c->layer >= 0 ? ZONE_UNVISITED : ZONE_NONE;
    }
    for (int k = 0; k < t->ncpts; k++)
        w.border_mark[k] = w.pending_mark[k] = -1;

    int cap = 0;
    for (int i = 0; i < n; i++) {
        if (w.zone_of[i] != ZONE_UNVISITED)
            continue;
        GROW(zl->zones, cap, zl->n + 1);
        uncovered_zone *z = &zl->zones[zl->n];
        memset(z, 0, sizeof *z);
        zone_search(t, a, &w, i, zl->n, z);
        zone_departments(t, z);
        zone_cpts(t, a, cov, &w, zl->n, z);
        zl->n++;
    }
    zone_sort(t, zl);

    free(w.zone_of);
    free(w.queue);
    free(w.border_mark);
    free(w.pending_mark);
}

void zone_dissolve_one(const commune_table *t, GEOSContextHandle_t h,
                       const struct topo_simplified *arcs, zone_list *zl, int i, join_issues *ji)
{
    uncovered_zone *z = &zl->zones[i];
    char what[48];
    snprintf(what, sizeof what, "uncovered zone %d", i + 1);
    shape_free_r(h, &z->shape); /* a zone dissolved twice keeps only the last shape */
    shape_dissolve_arcs(t, h, arcs, z->communes, z->ncommunes, what, ji, &z->shape);
}

void zone_dissolve(const commune_table *t, zone_list *zl, join_issues *ji)
{
    for (int i = 0; i < zl->n; i++)
        zone_dissolve_one(t, t->geos, NULL, zl, i, ji);
}

void zone_free(const commune_table *t, zone_list *zl)
{
    zone_free_r(t->geos, zl);
}

void zone_free_r(GEOSContextHandle_t h, zone_list *zl)
{
    for (int i = 0; i < zl->n; i++) {
        uncovered_zone *z = &zl->zones[i];
        free(z->communes);
        free(z->departments);
        free(z->bordering_cpts);
        free(z->pending_cpts);
        shape_free_r(h, &z->shape);
    }
    free(zl->zones);
    memset(zl, 0, sizeof *zl);
}
