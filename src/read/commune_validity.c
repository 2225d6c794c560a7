/* commune_validity.c -- the checks of the polygons read ahead: repaired when invalid, polygonal.
 * A layer's polygons are checked by chunks, on other threads, while the layer is still read. */
#include "read_communes_internal.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "model/fields.h"
#include "geom/segment.h"
#include "util/util.h"

/* Appends clones of the polygons of g to parts. */
void crd_add_polygons(GEOSContextHandle_t h, const GEOSGeometry *g, GEOSGeometry ***parts,
                      int *n, int *cap)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON && !GEOSisEmpty_r(h, g)) {
        GROW(*parts, *cap, *n + 1);
        (*parts)[(*n)++] = GEOSGeom_clone_r(h, g);
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < GEOSGetNumGeometries_r(h, g); i++)
            crd_add_polygons(h, GEOSGetGeometryN_r(h, g, i), parts, n, cap);
    }
}

/* The polygonal part of g as one geometry (consumes g); NULL when it has none. */
static GEOSGeometry *polygonal(GEOSContextHandle_t h, GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON) {
        if (!GEOSisEmpty_r(h, g))
            return g;
        GEOSGeom_destroy_r(h, g);
        return NULL;
    }
    GEOSGeometry **parts = NULL;
    int n = 0, cap = 0;
    crd_add_polygons(h, g, &parts, &n, &cap);
    GEOSGeom_destroy_r(h, g);
    GEOSGeometry *r = n ? GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)n) : NULL;
    free(parts);
    return r;
}

/* 0 when the tables are read and code `raw` has no current commune: the join leaves such a
 * feature out before looking at its polygon, so its check can be spared (a population table
 * of one region beside the national polygons). The tables are only read here once
 * crd_tables_read has published them, and nothing writes them until the read-ahead ends. */
static int may_join(const communes_reader *r, const char *raw)
{
    if (!atomic_load_explicit(&r->tables_ready, memory_order_acquire))
        return 1;
    commune_code code;
    int old;
    return fld_code(raw, r->codes, code) != FLD_INVALID &&
           harmonise_code(r->t, r->p, code, &old) >= 0;
}

/* What a checker thread works in, kept from polygon to polygon. */
typedef struct check_work {
    double *ring;       /* the points of the ring being checked */
    unsigned ring_cap;
    seg_work seg;
} check_work;

/* Room for a ring of n points in w. */
static double *check_room(check_work *w, unsigned n)
{
    if (n > w->ring_cap) {
        w->ring_cap = n;
        w->ring = xrealloc(w->ring, (size_t)n * 2 * sizeof *w->ring);
    }
    return w->ring;
}

/* 1 when ring xy of n points is simple: a polygon of it alone is valid, which seg_ring_simple
 * tells in fewer instructions than GEOSisValid_r. It checks a copy (it takes repeated
 * points out of what it is given; the polygon keeps them). */
static int simple_ring(GEOSContextHandle_t h, const double *xy, int n, check_work *w)
{
    if (n < 4 || n > INT_MAX / 2)
        return 0;
    memcpy(check_room(w, (unsigned)n), xy, (size_t)n * 2 * sizeof *w->ring);
    return seg_ring_simple(h, w->ring, n, &w->seg);
}

/* 1 when g is a polygon of one simple ring, no hole (or a multipolygon of one such part). */
static int one_simple_ring(GEOSContextHandle_t h, const GEOSGeometry *g, check_work *w)
{
    if (GEOSGeomTypeId_r(h, g) == GEOS_MULTIPOLYGON) {
        if (GEOSGetNumGeometries_r(h, g) != 1)
            return 0;
        g = GEOSGetGeometryN_r(h, g, 0);
    }
    if (GEOSGeomTypeId_r(h, g) != GEOS_POLYGON || GEOSGetNumInteriorRings_r(h, g) != 0)
        return 0;
    const GEOSGeometry *ring = GEOSGetExteriorRing_r(h, g);
    const GEOSCoordSequence *seq = ring ? GEOSGeom_getCoordSeq_r(h, ring) : NULL;
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n) || n < 4 || n > INT_MAX / 2)
        return 0;
    return GEOSCoordSeq_copyToBuffer_r(h, seq, check_room(w, n), 0, 0) &&
           seg_ring_simple(h, w->ring, (int)n, &w->seg);
}

/* Checks one polygon: repairs it if invalid, keeps its polygonal part. */
static void check_polygon(read_polygon *p, GEOSContextHandle_t h, check_work *w)
{
    if (p->xy) {
        if (simple_ring(h, p->xy, p->n, w))
            return;
        p->g = ctab_ring_polygon(h, p->xy, p->n); /* GEOS says why, and repairs */
        p->xy = NULL;
        if (!p->g) {
            p->conv = CONV_BAD;
            return;
        }
    } else if (!p->g || one_simple_ring(h, p->g, w)) {
        return;
    }
    if (GEOSisValid_r(h, p->g) != 1) {
        char *why = GEOSisValidReason_r(h, p->g);
        p->why = xstrdup(why ? why : "?");
        GEOSFree_r(h, why);
        GEOSGeometry *fixed = GEOSMakeValid_r(h, p->g);
        GEOSGeom_destroy_r(h, p->g);
        p->g = fixed ? polygonal(h, fixed) : NULL;
    } else {
        p->g = polygonal(h, p->g);
        p->not_polygonal = p->g == NULL;
    }
}

/* Takes chunks as they are published and checks them, until the reading is over and every
 * chunk is taken. */
void crd_check_chunks(polygon_batch *b, GEOSContextHandle_t h)
{
    check_work w = {0};
    for (;;) {
        pthread_mutex_lock(&b->lock);
        while (!b->done && b->ready < (b->next + 1) * CHECK_CHUNK)
            pthread_cond_wait(&b->more, &b->lock);
        int k = b->next;
        int end = b->ready < (k + 1) * CHECK_CHUNK ? b->ready : (k + 1) * CHECK_CHUNK;
        if (k * CHECK_CHUNK >= end) {
            pthread_mutex_unlock(&b->lock);
            free(w.ring);
            seg_work_free(&w.seg);
            return;
        }
        b->next++;
        read_polygon *chunk = b->chunks[k];
        pthread_mutex_unlock(&b->lock);
        for (int i = 0; i < end - k * CHECK_CHUNK && !atomic_load(&b->r->cancel); i++)
            if (may_join(b->r, chunk[i].raw))
                check_polygon(&chunk[i], h, &w);
    }
}

void *crd_checker(void *arg)
{
    GEOSContextHandle_t h = GEOS_init_r();
    crd_check_chunks(arg, h);
    GEOS_finish_r(h);
    return NULL;
}

/* Appends a polygon read; publishes its chunk when full. */
void crd_batch_add(polygon_batch *b, const read_polygon *p)
{
    if (b->n % CHECK_CHUNK == 0) {
        read_polygon *chunk = xmalloc(CHECK_CHUNK * sizeof *chunk);
        pthread_mutex_lock(&b->lock);
        GROW(b->chunks, b->capchunks, b->nchunks + 1);
        b->chunks[b->nchunks++] = chunk;
        pthread_mutex_unlock(&b->lock);
    }
    *crd_batch_item(b, b->n++) = *p;
    if (b->n % CHECK_CHUNK == 0) {
        pthread_mutex_lock(&b->lock);
        b->ready = b->n;
        pthread_cond_broadcast(&b->more);
        pthread_mutex_unlock(&b->lock);
    }
}
