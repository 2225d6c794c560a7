/* arcs_rings.c -- the first phase of the arcs' build: every ring of the commune polygons copied
 * into one buffer, oriented with its commune on the left, on the thread pool. */
#include "arcs_rings.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/pool.h"
#include "util/util.h"

/* Where a task of the rings' copy puts them: the points of its communes, in their places
 * (each commune's counted beforehand), and its list of rings. */
typedef struct ring_sink {
    double *pts;        /* the copy's */
    size_t npts;        /* the next point's place */
    ring_ref *rings;
    int nrings, caprings;
} ring_sink;

/* Appends the ring of points s of commune c, oriented with c on its left (is_hole: an
 * interior ring). */
static void topo_add_points(ring_sink *b, GEOSContextHandle_t h, const GEOSCoordSequence *s,
                            int c, int is_hole)
{
    unsigned n = 0;
    if (!s || !GEOSCoordSeq_getSize_r(h, s, &n) || n < 4)
        return;
    char ccw = 0;
    if (!GEOSCoordSeq_isCCW_r(h, s, &ccw))
        return;
    double *p = b->pts + 2 * b->npts; /* room for n: counted */
    if (!GEOSCoordSeq_copyToBuffer_r(h, s, p, 0, 0))
        return;
    /* Drops repeated points, and non-finite rings. */
    unsigned m = 0;
    for (unsigned k = 0; k < n; k++) {
        if (!isfinite(p[2 * k]) || !isfinite(p[2 * k + 1]))
            return;
        p[2 * k] += 0.0;
        p[2 * k + 1] += 0.0;
        if (m > 0 && p[2 * k] == p[2 * (m - 1)] && p[2 * k + 1] == p[2 * (m - 1) + 1])
            continue;
        p[2 * m] = p[2 * k];
        p[2 * m + 1] = p[2 * k + 1];
        m++;
    }
    if (m < 4 || p[0] != p[2 * (m - 1)] || p[1] != p[2 * (m - 1) + 1])
        return;
    if ((ccw != 0) == (is_hole != 0)) { /* reverse: the commune goes on the left */
        for (unsigned i = 0, j = m - 1; i < j; i++, j--) {
            double x = p[2 * i], y = p[2 * i + 1];
            p[2 * i] = p[2 * j];
            p[2 * i + 1] = p[2 * j + 1];
            p[2 * j] = x;
            p[2 * j + 1] = y;
        }
    }
    GROW(b->rings, b->caprings, b->nrings + 1);
    b->rings[b->nrings++] = (ring_ref){c, b->npts, (int)m, is_hole};
    b->npts += m;
}

static void topo_add_ring(ring_sink *b, GEOSContextHandle_t h, const GEOSGeometry *ring, int c,
                          int is_hole)
{
    topo_add_points(b, h, GEOSGeom_getCoordSeq_r(h, ring), c, is_hole);
}

/* A commune's ring as read (commune.ring): in a GEOS sequence of its own for a moment, which
 * says its orientation as it says a polygon's. */
static void topo_add_read_ring(ring_sink *b, GEOSContextHandle_t h, const commune *cm, int c)
{
    GEOSCoordSequence *s = GEOSCoordSeq_copyFromBuffer_r(h, cm->ring, (unsigned)cm->nring, 0, 0);
    if (s) {
        topo_add_points(b, h, s, c, 0);
        GEOSCoordSeq_destroy_r(h, s);
    }
}

/* Points of the rings of g, for sizing the buffer once: growing it by doubling would hold up
 * to twice the rings at the peak of the run. */
static size_t topo_count_points(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    size_t n = 0;
    if (type == GEOS_POLYGON) {
        int nh = GEOSGetNumInteriorRings_r(h, g);
        for (int i = -1; i < nh; i++) {
            const GEOSGeometry *r = i < 0 ? GEOSGetExteriorRing_r(h, g)
                                          : GEOSGetInteriorRingN_r(h, g, i);
            const GEOSCoordSequence *s = r ? GEOSGeom_getCoordSeq_r(h, r) : NULL;
            unsigned k = 0;
            if (s && GEOSCoordSeq_getSize_r(h, s, &k))
                n += k;
        }
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int np = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < np; i++)
            n += topo_count_points(h, GEOSGetGeometryN_r(h, g, i));
    }
    return n;
}

static void topo_walk(ring_sink *b, GEOSContextHandle_t h, const GEOSGeometry *g, int c)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        const GEOSGeometry *ext = GEOSGetExteriorRing_r(h, g);
        if (ext)
            topo_add_ring(b, h, ext, c, 0);
        int nh = GEOSGetNumInteriorRings_r(h, g);
        for (int i = 0; i < nh; i++) {
            const GEOSGeometry *r = GEOSGetInteriorRingN_r(h, g, i);
            if (r)
                topo_add_ring(b, h, r, c, 1);
        }
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int np = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < np; i++)
            topo_walk(b, h, GEOSGetGeometryN_r(h, g, i), c);
    }
}

/* The rings' copy on the pool: each task a slice of the communes, each commune's points in
 * their counted places (the points a ring drops leave a gap), its polygon freed once copied
 * when the build owns the table (the rings as read, all at once after the copy): freeing
 * the GEOS polygons on the pool keeps that work off the thread that starts the projection. */
#define COPY_SLICE 512

typedef struct copy_batch {
    const commune_table *t;
    commune_table *owner;  /* t itself, or NULL */
    const size_t *cfirst;  /* per commune, the place of its first point */
    double *pts;
    ring_sink *sinks;      /* per task */
} copy_batch;

static void topo_copy_task(void *arg, int task, GEOSContextHandle_t h)
{
    copy_batch *cb = arg;
    ring_sink *s = &cb->sinks[task];
    s->pts = cb->pts;
    int n = cb->t->ncommunes;
    for (int c = task * COPY_SLICE; c < n && c < (task + 1) * COPY_SLICE; c++) {
        const commune *cm = &cb->t->communes[c];
        s->npts = cb->cfirst[c];
        if (cm->geom && cm->layer >= 0)
            topo_walk(s, h, cm->geom, c);
        else if (cm->ring && cm->layer >= 0)
            topo_add_read_ring(s, h, cm, c);
        if (cb->owner && cb->owner->communes[c].geom) {
            GEOSGeom_destroy_r(h, cb->owner->communes[c].geom);
            cb->owner->communes[c].geom = NULL;
        }
    }
}

int topo_copy_rings(ring_copy *b, const commune_table *t, commune_table *owner,
                    GEOSContextHandle_t h, int threads)
{
    int nc = t->ncommunes;
    size_t *cfirst = xmalloc(((size_t)nc + 1) * sizeof *cfirst);
    size_t total = 0;
    for (int c = 0; c < nc; c++) {
        cfirst[c] = total;
        const commune *cm = &t->communes[c];
        if (cm->geom && cm->layer >= 0)
            total += topo_count_points(h, cm->geom);
        else if (cm->ring && cm->layer >= 0)
            total += (size_t)cm->nring;
    }
    cfirst[nc] = total;
    if (total >= (size_t)INT32_MAX / 2) {
        free(cfirst);
        return diag_error(NULL, 0, "%zu polygon vertices are too many for the arcs; simplify "
                          "the commune polygons first", total);
    }
    b->npts = total; /* the places, gaps included */
    b->pts = xmalloc(2 * (total + 1) * sizeof *b->pts);
    int ntasks = (nc + COPY_SLICE - 1) / COPY_SLICE;
    copy_batch cb = {t, owner, cfirst, b->pts, xcalloc((size_t)ntasks + 1, sizeof(ring_sink))};
    pool_run(threads, ntasks, topo_copy_task, &cb);
    for (int i = 0; i < ntasks; i++)
        b->nrings += cb.sinks[i].nrings;
    b->rings = xmalloc(((size_t)b->nrings + 1) * sizeof *b->rings);
    b->nrings = 0;
    for (int i = 0; i < ntasks; i++) {
        if (cb.sinks[i].nrings)
            memcpy(b->rings + b->nrings, cb.sinks[i].rings,
                   (size_t)cb.sinks[i].nrings * sizeof *b->rings);
        b->nrings += cb.sinks[i].nrings;
        free(cb.sinks[i].rings);
    }
    free(cb.sinks);
    free(cfirst);
    if (owner) { /* the polygons' memory is given back; the tables' is kept */
        ctab_drop_rings(owner);
        mem_release();
        mem_hold(1);
    }
    return 0;
}
