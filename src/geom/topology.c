/* topology.c -- the arcs of the commune polygons, built once and simplified once each, so that
 * neighbours simplified apart never show gaps or overlaps (outline.c traces territories).
 *
 * Design. Simplifying polygons one by one moves a shared border twice, differently: gaps and
 * overlaps appear. TopoJSON and mapshaper cut the coverage into arcs instead: maximal chains
 * of edges with the same faces on both sides, cut at nodes. Each arc is simplified once and
 * both faces take it back, so shared borders stay shared.
 *
 * Building (topo_build), linear in the vertices, hash tables only (the ideas of adjacency.c):
 *  - every ring (of a GEOS polygon, or as read: commune.ring) is copied once into one buffer
 *    and oriented with its commune on the left
 *    (shells counter-clockwise, holes clockwise), so that walking an arc forward has one face
 *    on its left and the other on its right;
 *  - each distinct point of a layer gets a vertex id (exact coordinates: ADMIN EXPRESS is a
 *    clean coverage), each distinct edge an edge id with the communes on its two sides;
 *  - a vertex is a node when it has other than two edges (three faces meet, or a commune
 *    touches another border at one point), or when the faces change along a ring through it
 *    (input that is not a clean coverage); a ring without any node gets one, its smallest
 *    vertex id, which its twin ring (an enclave and its hole) picks as well;
 *  - each ring is cut at its nodes into chains; a chain whose first edge already belongs to
 *    an arc walked the other way with the same points is that arc's second face, otherwise it
 *    starts a new arc. Where the coverage is not clean (an edge walked twice the same way) the
 *    chain gets an arc of its own: the commune stays exact, only that border is not shared.
 *
 * Simplifying (topo_simplify): Douglas-Peucker by hand on each arc, end nodes kept, distances
 * in metres (a geographic layer's degrees are scaled at its mean latitude). Done by hand on
 * the flat buffer rather than with GEOSSimplify_r: no geometry is made per arc (measured on
 * the national communes: 0.04 s for the 104 000 arcs, where GEOSSimplify_r takes 0.10 s on
 * the 35 000 rings alone, before any arc is made a LineString), and a closed arc (a ring with
 * one node) keeps three points off its node so that it cannot flatten. Two checks follow:
 * no two simplified arcs may cross or touch off their end nodes (a uniform grid of segments,
 * GEOSOrientationIndex_r), and every commune must rebuild valid (GEOSisValid_r), with an area
 * and as many parts and holes as its exact polygon. The arcs that fail are simplified again
 * with a quarter of their tolerance, and checked again, down to the exact arc (tolerance 0
 * keeps every point), which rebuilds the original polygon. Checking communes alone would not
 * do: two arcs of different communes may cross (departments then overlap).
 *
 * Memory. The build's tables (ring copies, vertices, edges, arcs) are 5 to 35 MB each and
 * live one after the other: each reuses the memory of those freed before it (mem_hold), where
 * jemalloc's timer gave it back to the kernel, which then zeroed the next table's pages
 * afresh: the national job took 196 huge-page faults, 94 of them in this build, 2 ms of the
 * kernel's each on a virtual machine; 148 with this. The polygons' memory (the rings as read,
 * in 4 MB blocks, and the few GEOS polygons, among small objects that stay) is given back
 * before the tables (kept, it would not take them: taking the rings where they are instead
 * of copying them raised the peak by 40 MB). What
 * costs on such a machine is the high-water mark (memory the process has not held before
 * may have to be faulted in by the host too: up to 20 times the cost of memory it reuses),
 * so what the build holds and no longer needs is given back before the arcs' last points
 * are changed to WGS84, and those points take the room of the vertices' own.
 *
 * At tolerance 0 (the exact arcs) topo_simplify proves instead that no two arcs without a
 * commune in common cross (below): then the input is a clean coverage and the exact arcs are
 * checked as a simplification's are.
 *
 * Rebuilding territories from the arcs (topo_shape, topo_outline) is outline.c's job. */
#include "geom/topology.h"
#include "topology_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/hash.h"
#include "util/pool.h"
#include "geom/segment.h"
#include "util/util.h"

/* Metres per degree of latitude (mean), for the tolerance of a geographic layer. */
#define METRES_PER_DEGREE 111320.0
/* Re-simplifications of an arc before it is taken exact. */
#define MAX_RETRIES 6
/* ---- building --------------------------------------------------------------------------- */

typedef struct ring_ref {
    int commune;
    size_t first;  /* into b.pts */
    int n;         /* points, the closing one included */
    int is_hole;
} ring_ref;

typedef struct topo_edge {
    int lo, hi;    /* vertex ids, lo < hi */
    int fwd, bwd;  /* the commune walking it lo -> hi (on its left), hi -> lo; -1 none */
    int next;      /* the next edge in lo's list, -1 */
} topo_edge;

/* Edges listed per vertex (as lo) before the rest go to a hash table: nearly every vertex
 * has two or three edges. */
#define EDGE_LIST 8

typedef struct builder {
    GEOSContextHandle_t h;
    const commune_table *t;
    double *pts;          /* ring points, x, y, each commune's in its counted places; freed
                             once each has its vertex (vxy holds their points then) */
    size_t npts;          /* the places */
    int *vid;             /* per ring point, its vertex id */
    ring_ref *rings;      /* in the order of the communes */
    int nrings;
    /* vertices */
    uint32_t *vslot;      /* vertex table: vertex id + 1; 0 free */
    double *vxy;          /* per vertex, its point (room for one per ring point, touched
                             only as far as the vertices go); read, never changed, by the
                             change beside the build, which writes vout */
    size_t nvslots;
    int nvertices;
    int *vlayer;
    int *degree;
    unsigned char *node;
    /* edges */
    int *ehead;           /* per vertex, its first edge as lo, -1: a list of EDGE_LIST */
    int *eslot;           /* the other edges' table: edge id + 1, 0 free; NULL until one */
    size_t neslots;
    topo_edge *edges;     /* freed once the nodes are found: only earc is needed then */
    int nedges, capedges;
    int *earc;            /* per edge, its arc: -1 until a chain takes it */
    /* the change of the points beside the build (topo_build_taking), NULL without */
    topo_points_change *change;
    double *vout;         /* per vertex, its point changed (room as in vxy) */
    atomic_int next_chunk;
    pthread_mutex_t lock;
    pthread_cond_t more;
    int published;        /* vertices in vxy and vlayer so far (under lock) */
    int all_found;        /* 1 once every vertex is (under lock) */
    int *apv;             /* per point of the arcs, its vertex */
    size_t capapv;
} builder;

/* Where a task of the rings' copy puts them: the points of its communes, in their places
 * (each commune's counted beforehand), and its list of rings. */
typedef struct ring_sink {
    double *pts;        /* the builder's */
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
 * to twice the 35 MB of the national rings at the peak of the run. */
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
 * when the build owns the table (the rings as read, all at once after the copy). Copying and freeing the GEOS polygons held one core for a
 * twentieth of the job while the projection's waited for the first vertices. */
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

/* ---- the points changed beside the build --------------------------------------------------
 * The maps want the arcs' points in WGS84: 1.2 million points through PROJ for France, a
 * third of a second of CPU. The build of the arcs holds one core for a quarter of a second,
 * finding each distinct point (vertex) once, in order: so the vertices are changed as they
 * are found, by chunks, on a thread of their own beside the rest of the build (a chunk is
 * published once found), and by the build's own thread once it is done; each point of the
 * arcs then takes its vertex's. The result is what changing the arcs' points one by one
 * gives (the same points through the same transformation), a tenth fewer of them (the nodes
 * are shared by several arcs). */
#define CHANGE_CHUNK 8192

/* Vertex b->nvertices is found (its point in vxy): published with its chunk. */
static void topo_change_found(builder *b)
{
    if ((b->nvertices + 1) % CHANGE_CHUNK == 0) {
        pthread_mutex_lock(&b->lock);
        b->published = b->nvertices + 1;
        pthread_cond_signal(&b->more);
        pthread_mutex_unlock(&b->lock);
    }
}

/* Every vertex is found: the last chunk published. */
static void topo_change_all_found(builder *b)
{
    pthread_mutex_lock(&b->lock);
    b->published = b->nvertices;
    b->all_found = 1;
    pthread_cond_broadcast(&b->more);
    pthread_mutex_unlock(&b->lock);
}

/* Changes the chunks of vertices not taken yet, with args[who], each once it is published. */
static void topo_change_chunks(builder *b, int who)
{
    topo_points_change *ch = b->change;
    for (;;) {
        int v0 = atomic_fetch_add(&b->next_chunk, 1) * CHANGE_CHUNK;
        pthread_mutex_lock(&b->lock);
        while (!b->all_found && b->published < v0 + CHANGE_CHUNK)
            pthread_cond_wait(&b->more, &b->lock);
        int n = b->published;
        pthread_mutex_unlock(&b->lock);
        if (v0 >= n)
            return; /* every vertex is found, and every chunk taken */
        int v1 = v0 + CHANGE_CHUNK < n ? v0 + CHANGE_CHUNK : n;
        for (int v = v0; v < v1;) { /* the runs of one layer in the chunk */
            int w = v + 1;
            while (w < v1 && b->vlayer[w] == b->vlayer[v])
                w++;
            double *xy = b->vout + 2 * (size_t)v;
            memcpy(xy, b->vxy + 2 * (size_t)v, 2 * (size_t)(w - v) * sizeof *xy);
            ch->fn(ch->args[who], b->vlayer[v], xy, (size_t)(w - v));
            v = w;
        }
    }
}

static void *topo_change_thread(void *arg)
{
    topo_change_chunks(arg, 0);
    return NULL;
}

/* Starts the change of the vertices, before they are found. */
static int topo_change_start(builder *b, pthread_t *thread)
{
    b->vout = xmalloc(2 * (b->npts ? b->npts : 1) * sizeof *b->vout);
    atomic_init(&b->next_chunk, 0);
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->more, NULL);
    return pthread_create(thread, NULL, topo_change_thread, b) == 0;
}

/* Ends the change: takes the chunks left, waits for the thread, and gives each point of the
 * arcs its vertex's changed point, into b->change->out. */
static void topo_change_end(builder *b, const topology *tp, pthread_t thread, int started)
{
    /* The edges' tables that the arcs did not take are given back before the last chunks
     * are changed, whose points would otherwise raise the job's high-water mark. */
    mem_release();
    topo_change_chunks(b, 1);
    if (started)
        pthread_join(thread, NULL);
    /* The vertices' own points are done with: their room (one per ring point, as many as
     * the arcs' points or more) takes the arcs' changed points, not 20 MB of fresh pages. */
    double *out = b->vxy;
    b->vxy = NULL;
    if (tp->npts + 1 > (b->npts ? b->npts : 1))
        out = xrealloc(out, 2 * (tp->npts + 1) * sizeof *out);
    for (size_t i = 0; i < tp->npts; i++)
        memcpy(out + 2 * i, b->vout + 2 * (size_t)b->apv[i], 2 * sizeof *out);
    b->change->out = out;
    free(b->vout);
    free(b->vlayer);
    free(b->apv);
    pthread_mutex_destroy(&b->lock);
    pthread_cond_destroy(&b->more);
}

/* Where the search for point p (in layer) starts in the vertex table. */
static size_t topo_vertex_slot(const builder *b, const double *p, int layer)
{
    uint64_t x = hash_mix(hash_double(p[0]) ^ (uint64_t)(unsigned)layer);
    return (size_t)(hash_mix(x ^ hash_double(p[1])) & (b->nvslots - 1));
}

/* The vertex id of point k of the buffer (in layer), made when new; its search starts at
 * slot i. */
static int topo_vertex(builder *b, size_t k, int layer, size_t i)
{
    const double *p = b->pts + 2 * k;
    double *vxy = b->vxy;
    for (;;) {
        if (b->vslot[i] == 0) {
            b->vslot[i] = (uint32_t)b->nvertices + 1;
            vxy[2 * (size_t)b->nvertices] = p[0];
            vxy[2 * (size_t)b->nvertices + 1] = p[1];
            b->vlayer[b->nvertices] = layer;
            if (b->change)
                topo_change_found(b);
            return b->nvertices++;
        }
        int id = (int)b->vslot[i] - 1;
        const double *q = vxy + 2 * (size_t)id;
        if (q[0] == p[0] && q[1] == p[1] && b->vlayer[id] == layer)
            return id;
        i = (i + 1) & (b->nvslots - 1);
    }
}

/* Doubles the vertex table, the vertices found so far put in their slots anew. */
static void topo_grow_vertex_table(builder *b)
{
    free(b->vslot);
    b->nvslots *= 2;
    b->vslot = xzeroed(b->nvslots, sizeof *b->vslot); /* probed before written */
    for (int v = 0; v < b->nvertices; v++) {
        size_t i = topo_vertex_slot(b, b->vxy + 2 * (size_t)v, b->vlayer[v]);
        while (b->vslot[i])
            i = (i + 1) & (b->nvslots - 1);
        b->vslot[i] = (uint32_t)v + 1;
    }
}

/* The slot of edge lo-hi in the table of the edges beyond a vertex's list: the edge id + 1,
 * or 0 where it would go. */
static int *topo_edge_slot(builder *b, int lo, int hi)
{
    if (!b->eslot)
        b->eslot = xzeroed(b->neslots, sizeof *b->eslot); /* probed before written */
    uint64_t key = ((uint64_t)(unsigned)lo << 32) | (unsigned)hi;
    size_t i = (size_t)(hash_mix(key) & (b->neslots - 1));
    while (b->eslot[i] && (b->edges[b->eslot[i] - 1].lo != lo ||
                           b->edges[b->eslot[i] - 1].hi != hi))
        i = (i + 1) & (b->neslots - 1);
    return &b->eslot[i];
}

/* The edge id of u-v (u != v), made when new; its degree counted once. Looked up in the
 * list of its lower vertex, whose entries were made about when that vertex was: where a
 * table keyed by a hash would miss the cache at each probe (a quarter of the build). */
static int topo_edge_id(builder *b, int u, int v)
{
    int lo = u < v ? u : v, hi = u < v ? v : u;
    int listed = 0;
    for (int e = b->ehead[lo]; e >= 0; e = b->edges[e].next, listed++)
        if (b->edges[e].hi == hi)
            return e;
    int *slot = NULL;
    if (listed == EDGE_LIST) {
        slot = topo_edge_slot(b, lo, hi);
        if (*slot)
            return *slot - 1;
    }
    GROW(b->edges, b->capedges, b->nedges + 1);
    b->edges[b->nedges] = (topo_edge){lo, hi, -1, -1, slot ? -1 : b->ehead[lo]};
    if (slot)
        *slot = b->nedges + 1;
    else
        b->ehead[lo] = b->nedges;
    b->degree[lo]++;
    b->degree[hi]++;
    return b->nedges++;
}

/* The commune on the other side of the edge from ring point k to k + 1 of commune c. */
static int topo_other_side(const builder *b, const int *eid, size_t k)
{
    const topo_edge *e = &b->edges[eid[k]];
    return b->vid[k] == e->lo ? e->bwd : e->fwd;
}

static int topo_new_arc(topology *tp, builder *b, const ring_ref *r, int from, int len)
{
    GROW(tp->arcs, tp->caparcs, tp->narcs + 1);
    topo_arc *a = &tp->arcs[tp->narcs];
    a->first = tp->npts;
    a->n = len + 1;
    a->left = r->commune;
    a->right = -1;
    a->layer = b->t->communes[r->commune].layer;
    int m = r->n - 1; /* distinct points of the ring */
    topo_grow(&tp->pts, &tp->cappts, 2 * (tp->npts + (size_t)len + 1));
    if (b->change && b->capapv < tp->cappts / 2) {
        b->capapv = tp->cappts / 2;
        b->apv = xrealloc(b->apv, b->capapv * sizeof *b->apv);
    }
    for (int i = 0; i <= len; i++) {
        int v = b->vid[r->first + (size_t)((from + i) % m)];
        tp->pts[2 * tp->npts] = b->vxy[2 * (size_t)v];
        tp->pts[2 * tp->npts + 1] = b->vxy[2 * (size_t)v + 1];
        if (b->change)
            b->apv[tp->npts] = v;
        tp->npts++;
    }
    a->v0 = b->vid[r->first + (size_t)from];
    a->v1 = b->vid[r->first + (size_t)((from + len) % m)];
    return tp->narcs++;
}

/* Cuts ring r into chains between its nodes, giving each an arc; appends its uses. */
static void topo_cut_ring(topology *tp, builder *b, const int *eid, const ring_ref *r,
                          int **uses, int *nuses, int *capuses)
{
    int m = r->n - 1;
    size_t f = r->first;
    int start = -1;
    for (int i = 0; i < m && start < 0; i++)
        if (b->node[b->vid[f + (size_t)i]])
            start = i;
    if (start < 0)
        return; /* cannot happen: every ring got a node */
    int i = start;
    do {
        int len = 1;
        while (!b->node[b->vid[f + (size_t)((i + len) % m)]])
            len++;
        /* The chain i .. i + len (ring indices modulo m). */
        int earc = b->earc[eid[f + (size_t)i]];
        int use = -1;
        if (earc >= 0) {
            topo_arc *a = &tp->arcs[earc];
            /* The same points walked backwards: the arc's right face. */
            if (a->right < 0 && a->n == len + 1 && a->left != r->commune &&
                a->v1 == b->vid[f + (size_t)i] &&
                a->v0 == b->vid[f + (size_t)((i + len) % m)]) {
                const double *q = tp->pts + 2 * (a->first + (size_t)a->n - 2);
                const double *p = b->vxy + 2 * (size_t)b->vid[f + (size_t)((i + 1) % m)];
                if (q[0] == p[0] && q[1] == p[1]) {
                    a->right = r->commune;
                    use = 2 * earc + 1;
                }
            }
        }
        if (use < 0) {
            int a = topo_new_arc(tp, b, r, i, len);
            if (earc < 0)
                for (int k = 0; k < len; k++)
                    b->earc[eid[f + (size_t)((i + k) % m)]] = a;
            use = 2 * a;
        }
        GROW(*uses, *capuses, *nuses + 1);
        (*uses)[(*nuses)++] = use;
        i = (i + len) % m;
    } while (i != start);
}

/* topo_build; with owner (t itself), each commune's polygon is freed once its rings are
 * copied, so that the coverage is never held twice. */
static topology *topo_build_from(const commune_table *t, commune_table *owner,
                                 GEOSContextHandle_t h, topo_points_change *change,
                                 int threads)
{
    builder b;
    memset(&b, 0, sizeof b);
    b.h = h;
    b.t = t;
    b.change = change;
    pthread_t changer;
    int changing = 0;
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
    if (total >= (size_t)INT32_MAX / 2) { /* before any polygon is taken */
        free(cfirst);
        diag_error(NULL, 0, "%zu polygon vertices are too many for the arcs; simplify the "
                   "commune polygons first", total);
        return NULL;
    }
    b.npts = total; /* the places, gaps included */
    b.pts = xmalloc(2 * (total + 1) * sizeof *b.pts);
    int ntasks = (nc + COPY_SLICE - 1) / COPY_SLICE;
    copy_batch cb = {t, owner, cfirst, b.pts, xcalloc((size_t)ntasks + 1, sizeof(ring_sink))};
    pool_run(threads, ntasks, topo_copy_task, &cb);
    for (int i = 0; i < ntasks; i++)
        b.nrings += cb.sinks[i].nrings;
    b.rings = xmalloc(((size_t)b.nrings + 1) * sizeof *b.rings);
    b.nrings = 0;
    for (int i = 0; i < ntasks; i++) {
        if (cb.sinks[i].nrings)
            memcpy(b.rings + b.nrings, cb.sinks[i].rings,
                   (size_t)cb.sinks[i].nrings * sizeof *b.rings);
        b.nrings += cb.sinks[i].nrings;
        free(cb.sinks[i].rings);
    }
    free(cb.sinks);
    free(cfirst);
    if (owner) { /* the polygons' memory is given back; the tables' is kept */
        ctab_drop_rings(owner);
        mem_release();
        mem_hold(1);
    }
    int *ring_of = xmalloc(((size_t)nc + 1) * sizeof *ring_of); /* first ring of c */
    for (int c = 0, r = 0; c <= nc; c++) {
        ring_of[c] = r;
        while (r < b.nrings && b.rings[r].commune == c)
            r++;
    }

    /* Vertices and edges. */
    /* In a coverage most points are on a border between two rings, so the vertices are
     * about half the points (1.05 of 2.17 million for France): the table is made for that,
     * 8 MB of fresh pages instead of 17 (zeroed while the other core waits), and doubled
     * if the points are more distinct (polygons apart). */
    b.nvslots = topo_slots_for(b.npts / 2);
    b.vslot = xzeroed(b.nvslots, sizeof *b.vslot); /* probed before written */
    b.vxy = xmalloc(2 * (b.npts ? b.npts : 1) * sizeof *b.vxy);
    b.vlayer = xmalloc((b.npts ? b.npts : 1) * sizeof *b.vlayer);
    b.vid = xmalloc((b.npts ? b.npts : 1) * sizeof *b.vid);
    if (change)
        changing = topo_change_start(&b, &changer);
    /* A ring's slots are found, and fetched into the cache, before its points are looked
     * up: a probe of the 8 MB table misses the cache, and so the misses of a ring overlap
     * instead of following one another. */
    size_t *slot = NULL, capslot = 0;
    for (int r = 0; r < b.nrings; r++) {
        int layer = t->communes[b.rings[r].commune].layer;
        size_t first = b.rings[r].first;
        int n = b.rings[r].n;
        if ((size_t)n > capslot) {
            capslot = 2 * (size_t)n;
            slot = xrealloc(slot, capslot * sizeof *slot);
        }
        while ((size_t)b.nvertices + (size_t)n > b.nvslots / 3 * 2) /* at most 2/3 full */
            topo_grow_vertex_table(&b);
        for (int k = 0; k < n; k++) {
            slot[k] = topo_vertex_slot(&b, b.pts + 2 * (first + (size_t)k), layer);
            __builtin_prefetch(&b.vslot[slot[k]]);
        }
        for (int k = 0; k < n; k++)
            b.vid[first + (size_t)k] = topo_vertex(&b, first + (size_t)k, layer, slot[k]);
    }
    free(slot);
    free(b.vslot);
    free(b.pts); /* the vertices' points stand for them from here */
    b.pts = NULL;
    if (change)
        topo_change_all_found(&b); /* vlayer is the changer's until topo_change_end */
    else
        free(b.vlayer);
    b.degree = xzeroed((size_t)b.nvertices + 1, sizeof *b.degree); /* counted in place */
    b.node = xcalloc((size_t)b.nvertices + 1, 1);
    /* A clean coverage has about as many edges as vertices (Euler: E = V + F - 1): sized so,
     * the array rarely grows; the table is sized for the worst case, an edge per point. */
    b.capedges = b.nvertices + b.nrings + 16;
    b.edges = xmalloc((size_t)b.capedges * sizeof *b.edges);
    b.neslots = topo_slots_for(b.npts);
    b.ehead = xmalloc(((size_t)b.nvertices + 1) * sizeof *b.ehead);
    memset(b.ehead, 0xff, ((size_t)b.nvertices + 1) * sizeof *b.ehead); /* -1 */
    int *eid = xmalloc((b.npts ? b.npts : 1) * sizeof *eid); /* edge from point k to k + 1 */
    for (int r = 0; r < b.nrings; r++) {
        const ring_ref *rr = &b.rings[r];
        for (int k = 0; k + 1 < rr->n; k++) {
            size_t p = rr->first + (size_t)k;
            int e = topo_edge_id(&b, b.vid[p], b.vid[p + 1]);
            eid[p] = e;
            topo_edge *ed = &b.edges[e];
            if (b.vid[p] == ed->lo) {
                if (ed->fwd < 0)
                    ed->fwd = rr->commune;
            } else if (ed->bwd < 0) {
                ed->bwd = rr->commune;
            }
        }
    }
    free(b.eslot);
    free(b.ehead);

    /* Nodes: degree other than 2, or faces that change along a ring. */
    for (int v = 0; v < b.nvertices; v++)
        b.node[v] = b.degree[v] != 2;
    for (int r = 0; r < b.nrings; r++) {
        const ring_ref *rr = &b.rings[r];
        int m = rr->n - 1;
        for (int k = 0; k < m; k++) {
            size_t p = rr->first + (size_t)k;
            size_t prev = rr->first + (size_t)((k + m - 1) % m);
            if (topo_other_side(&b, eid, p) != topo_other_side(&b, eid, prev))
                b.node[b.vid[p]] = 1;
        }
    }
    for (int r = 0; r < b.nrings; r++) {
        const ring_ref *rr = &b.rings[r];
        int best = -1, any = 0;
        for (int k = 0; k + 1 < rr->n && !any; k++) {
            int v = b.vid[rr->first + (size_t)k];
            any = b.node[v];
            if (best < 0 || v < best)
                best = v;
        }
        if (!any)
            b.node[best] = 1;
    }

    /* Arcs. */
    topology *tp = xcalloc(1, sizeof *tp);
    tp->t = t;
    tp->cuse = xcalloc((size_t)t->ncommunes + 1, sizeof *tp->cuse);
    tp->shells = xcalloc((size_t)t->ncommunes + 1, sizeof *tp->shells);
    tp->holes = xcalloc((size_t)t->ncommunes + 1, sizeof *tp->holes);
    /* Of the edges, only their arcs from here: the arcs' room, and the changed points'. */
    free(b.edges);
    b.edges = NULL;
    free(b.degree);
    b.degree = NULL;
    b.earc = xmalloc(((size_t)b.nedges + 1) * sizeof *b.earc);
    for (int e = 0; e < b.nedges; e++)
        b.earc[e] = -1;
    /* Arcs hold each edge once, plus one point per arc: sized so, tp->pts rarely grows. */
    tp->cappts = 2 * ((size_t)b.nedges + (size_t)b.nedges / 8 + 16);
    tp->pts = xmalloc(tp->cappts * sizeof *tp->pts);
    int nuses = 0, capuses = 0;
    for (int c = 0; c < t->ncommunes; c++) {
        tp->cuse[c] = nuses;
        for (int r = ring_of[c]; r < ring_of[c + 1]; r++) {
            topo_cut_ring(tp, &b, eid, &b.rings[r], &tp->uses, &nuses, &capuses);
            if (b.rings[r].is_hole)
                tp->holes[c]++;
            else
                tp->shells[c]++;
            tp->ring_vertices += (size_t)b.rings[r].n - 1;
        }
    }
    tp->cuse[t->ncommunes] = nuses;
    if (!tp->uses)
        tp->uses = xmalloc(sizeof *tp->uses);

    /* Scales: metres per unit, per layer. */
    tp->kx = xmalloc((size_t)(t->nlayers ? t->nlayers : 1) * sizeof *tp->kx);
    tp->ky = xmalloc((size_t)(t->nlayers ? t->nlayers : 1) * sizeof *tp->ky);
    for (int l = 0; l < t->nlayers; l++) {
        tp->kx[l] = tp->ky[l] = 1.0;
        if (!t->layers[l].geographic)
            continue;
        double ymin = INFINITY, ymax = -INFINITY;
        for (int a = 0; a < tp->narcs; a++)
            if (tp->arcs[a].layer == l) {
                double y = tp->pts[2 * tp->arcs[a].first + 1];
                ymin = y < ymin ? y : ymin;
                ymax = y > ymax ? y : ymax;
            }
        double lat = ymin <= ymax ? (ymin + ymax) / 2 : 0;
        tp->ky[l] = METRES_PER_DEGREE;
        tp->kx[l] = METRES_PER_DEGREE * cos(lat * M_PI / 180.0);
    }

    free(eid);
    free(ring_of);
    free(b.vid);
    free(b.rings);
    free(b.node);
    free(b.earc);
    if (change)
        topo_change_end(&b, tp, changer, changing);
    free(b.vxy);
    if (owner)
        mem_hold(0);
    return tp;
}

topology *topo_build(const commune_table *t, GEOSContextHandle_t h)
{
    return topo_build_from(t, NULL, h, NULL, 0);
}

topology *topo_build_taking(commune_table *t, GEOSContextHandle_t h, topo_points_change *change,
                            int threads)
{
    t->polygons_taken = 1;
    return topo_build_from(t, t, h, change, threads);
}

void topo_free(topology *tp)
{
    if (!tp)
        return;
    free(tp->pts);
    free(tp->arcs);
    free(tp->cuse);
    free(tp->uses);
    free(tp->shells);
    free(tp->holes);
    free(tp->kx);
    free(tp->ky);
    free(tp);
}

void topo_set_threads(topology *tp, int threads)
{
    tp->threads = threads > 0 ? threads : 0;
}

int topo_arc_count(const topology *tp)
{
    return tp ? tp->narcs : 0;
}

void topo_arc_faces(const topology *tp, int a, int *left, int *right)
{
    *left = tp->arcs[a].left;
    *right = tp->arcs[a].right;
}

size_t topo_vertex_count(const topology *tp)
{
    return tp ? tp->ring_vertices : 0;
}

/* ---- simplifying ------------------------------------------------------------------------ */

/* Squared distance in metres from p to the segment a-b, with scales kx, ky. */
static double topo_seg_dist2(const double *p, const double *a, const double *b, double kx,
                             double ky)
{
    double ax = a[0] * kx, ay = a[1] * ky, bx = b[0] * kx, by = b[1] * ky;
    double px = p[0] * kx, py = p[1] * ky;
    double dx = bx - ax, dy = by - ay;
    double len2 = dx * dx + dy * dy;
    double u = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    double qx = ax + u * dx - px, qy = ay + u * dy - py;
    return qx * qx + qy * qy;
}

/* The index of the point of p[lo+1..hi-1] farthest from segment lo-hi. */
static int topo_farthest(const double *p, int lo, int hi, double kx, double ky)
{
    double best = -1;
    int far = -1;
    for (int k = lo + 1; k < hi; k++) {
        double d = topo_seg_dist2(p + 2 * k, p + 2 * lo, p + 2 * hi, kx, ky);
        if (d > best) {
            best = d;
            far = k;
        }
    }
    return far;
}

/* Douglas-Peucker on points lo..hi of p, marking kept ones in keep (lo and hi already are). */
static void topo_dp(const double *p, int lo, int hi, double tol2, double kx, double ky,
                    unsigned char *keep, int *stack)
{
    int sp = 0;
    stack[sp++] = lo;
    stack[sp++] = hi;
    while (sp > 0) {
        int b = stack[--sp], a = stack[--sp];
        if (b - a < 2)
            continue;
        int far = topo_farthest(p, a, b, kx, ky);
        double best = topo_seg_dist2(p + 2 * far, p + 2 * a, p + 2 * b, kx, ky);
        if (best > tol2 || tol2 == 0) {
            keep[far] = 1;
            stack[sp++] = a;
            stack[sp++] = far;
            stack[sp++] = far;
            stack[sp++] = b;
        }
    }
}


/* Simplifies arc a with tolerance tol (metres) into out (x, y), returns the points kept. */
static int topo_simplify_arc(const topology *tp, int a, double tol, double *out,
                             unsigned char *keep, int *stack)
{
    const topo_arc *arc = &tp->arcs[a];
    const double *p = tp->pts + 2 * arc->first;
    int n = arc->n;
    if (tol <= 0) {
        memcpy(out, p, 2 * (size_t)n * sizeof *out);
        return n;
    }
    double kx = tp->kx[arc->layer], ky = tp->ky[arc->layer];
    memset(keep, 0, (size_t)n);
    keep[0] = keep[n - 1] = 1;
    double tol2 = tol * tol;
    if (arc->v0 == arc->v1 && n >= 4) {
        /* A closed arc keeps a triangle: the point farthest from its node, and the point
         * farthest from the line between them. */
        int far = -1;
        double best = -1;
        for (int k = 1; k < n - 1; k++) {
            double dx = (p[2 * k] - p[0]) * kx, dy = (p[2 * k + 1] - p[1]) * ky;
            if (dx * dx + dy * dy > best) {
                best = dx * dx + dy * dy;
                far = k;
            }
        }
        keep[far] = 1;
        int f1 = topo_farthest(p, 0, far, kx, ky), f2 = topo_farthest(p, far, n - 1, kx, ky);
        double d1 = f1 >= 0 ? topo_seg_dist2(p + 2 * f1, p, p + 2 * far, kx, ky) : -1;
        double d2 = f2 >= 0 ? topo_seg_dist2(p + 2 * f2, p + 2 * far, p + 2 * (n - 1), kx, ky)
                            : -1;
        int third = d1 >= d2 ? f1 : f2;
        if (third >= 0)
            keep[third] = 1;
        int marks[4], nm = 0;
        for (int k = 0; k < n; k++)
            if (keep[k])
                marks[nm++] = k;
        for (int i = 0; i + 1 < nm; i++)
            topo_dp(p, marks[i], marks[i + 1], tol2, kx, ky, keep, stack);
    } else {
        topo_dp(p, 0, n - 1, tol2, kx, ky, keep, stack);
    }
    int m = 0;
    for (int k = 0; k < n; k++)
        if (keep[k]) {
            out[2 * m] = p[2 * k];
            out[2 * m + 1] = p[2 * k + 1];
            m++;
        }
    return m;
}

/* ---- the faces a simplification checks -------------------------------------------------
 * Each commune, or with classes (topo_simplify_classes) each piece of the layer that the kept
 * arcs bound: communes joined across the arcs left out (union-find), whose polygons no map
 * separates. A face must rebuild valid from the simplified arcs, with as many polygons and
 * holes as from the exact ones. */
typedef struct topo_faces {
    int n;               /* faces made, of room for ncommunes more (a piece's split) */
    int *of;             /* per commune: its face, -1 without arcs (no polygon) */
    int *first, *size;   /* per face: its communes, members[first .. first + size - 1],
                            ascending; size 0 once split */
    int *members;
    int *shells, *holes; /* the polygons and holes of each face, exact; -1 until a piece's
                            exact arcs are traced (its first check) */
    int *ecnt;           /* with classes: per arc its exact points, for the exact trace */
} topo_faces;

static int topo_root(int *parent, int c)
{
    while (parent[c] != c) {
        parent[c] = parent[parent[c]];
        c = parent[c];
    }
    return c;
}

/* The faces of tp: its communes with arcs, or with cls the pieces of equal class. */
static void topo_faces_make(const topology *tp, const int *cls, topo_faces *f)
{
    int nc = tp->t->ncommunes;
    int *root = xmalloc(((size_t)nc + 1) * sizeof *root);
    for (int c = 0; c < nc; c++)
        root[c] = c;
    for (int a = 0; cls && a < tp->narcs; a++) {
        const topo_arc *arc = &tp->arcs[a];
        if (arc->right >= 0 && cls[arc->left] == cls[arc->right]) {
            int x = topo_root(root, arc->left), y = topo_root(root, arc->right);
            if (x != y)
                root[x > y ? x : y] = x < y ? x : y;
        }
    }
    f->of = xmalloc(((size_t)nc + 1) * sizeof *f->of);
    int *id = xmalloc(((size_t)nc + 1) * sizeof *id); /* per root: its face */
    f->n = 0;
    for (int c = 0; c < nc; c++) {
        id[c] = -1;
        if (tp->cuse[c + 1] == tp->cuse[c]) {
            f->of[c] = -1;
            continue;
        }
        int r = topo_root(root, c); /* r <= c: its id is given already when r < c */
        if (id[r] < 0)
            id[r] = f->n++;
        f->of[c] = id[r];
    }
    free(id);
    free(root);
    size_t room = (size_t)f->n + (size_t)nc + 1;
    f->first = xcalloc(room, sizeof *f->first);
    f->size = xcalloc(room, sizeof *f->size);
    for (int c = 0; c < nc; c++)
        if (f->of[c] >= 0)
            f->size[f->of[c]]++;
    for (int i = 1; i < f->n; i++)
        f->first[i] = f->first[i - 1] + f->size[i - 1];
    f->members = xmalloc(((size_t)nc + 1) * sizeof *f->members);
    int *fill = xcalloc((size_t)f->n + 1, sizeof *fill);
    for (int c = 0; c < nc; c++) /* in the order of the communes: each face's ascending */
        if (f->of[c] >= 0)
            f->members[f->first[f->of[c]] + fill[f->of[c]]++] = c;
    free(fill);
    f->shells = xmalloc(room * sizeof *f->shells);
    f->holes = xmalloc(room * sizeof *f->holes);
    for (int i = 0; i < f->n; i++) {
        int c = f->members[f->first[i]];
        f->shells[i] = cls ? -1 : tp->shells[c];
        f->holes[i] = cls ? -1 : tp->holes[c];
    }
    f->ecnt = NULL;
    if (cls) {
        f->ecnt = xmalloc(((size_t)tp->narcs + 1) * sizeof *f->ecnt);
        for (int a = 0; a < tp->narcs; a++)
            f->ecnt[a] = tp->arcs[a].n;
    }
}

static void topo_faces_free(topo_faces *f)
{
    free(f->of);
    free(f->first);
    free(f->size);
    free(f->members);
    free(f->shells);
    free(f->holes);
    free(f->ecnt);
}

/* Counts the polygons and holes of polygonal g. */
static void topo_count_rings(GEOSContextHandle_t h, const GEOSGeometry *g, int *shells,
                             int *holes)
{
    if (GEOSGeomTypeId_r(h, g) == GEOS_POLYGON) {
        ++*shells;
        *holes += GEOSGetNumInteriorRings_r(h, g);
        return;
    }
    int n = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < n; i++)
        topo_count_rings(h, GEOSGetGeometryN_r(h, g, i), shells, holes);
}

/* 1 when face i rebuilt from ts is valid, has an area, and as many polygons and holes as
 * exact (a ring simplified into the wrong orientation would make a part a hole, or a hole a
 * part). A face of one ring and no hole, most of them, is only traced (o, reused): checked
 * once no arc crosses or touches another (topo_simplify ends there), its ring is simple, and
 * one counter-clockwise ring is a valid polygon; GEOSisValid_r is for the others, whose
 * holes or parts may have jumped out of or into one another. A piece's exact polygons are
 * counted the first time, by tracing its exact arcs. */
static int topo_face_ok(const topo_simplified *ts, topo_faces *f, GEOSContextHandle_t h, int i,
                        topo_outline *o)
{
    const topology *tp = ts->tp;
    const int *m = f->members + f->first[i];
    int n = f->size[i], layer = tp->t->communes[m[0]].layer;
    if (f->shells[i] < 0) {
        topo_simplified exact = {.tp = tp, .cnt = f->ecnt, .pts = tp->pts,
                                 .nplaces = tp->npts};
        int np = topo_outline_trace(o, &exact, h, m, n, layer), rings = 0;
        for (int p = 0; p < np; p++)
            rings += topo_outline_rings(o, p);
        f->shells[i] = np;
        f->holes[i] = rings - np;
    }
    if (f->shells[i] == 1 && f->holes[i] == 0)
        return topo_outline_trace(o, ts, h, m, n, layer) == 1 && topo_outline_rings(o, 0) == 1;
    GEOSGeometry *g = topo_rebuild(ts, h, m, n, layer);
    if (!g)
        return 0;
    double area = 0;
    int shells = 0, holes = 0;
    topo_count_rings(h, g, &shells, &holes);
    int ok = shells == f->shells[i] && holes == f->holes[i] && GEOSisValid_r(h, g) == 1 &&
             GEOSArea_r(h, g, &area) && area > 0;
    GEOSGeom_destroy_r(h, g);
    return ok;
}

/* ---- crossing arcs ---------------------------------------------------------------------- */

typedef struct seg_ref {
    int arc;
    int k;         /* the segment from point k to k + 1 of the simplified arc */
    int cx0, cy0, cx1, cy1;
} seg_ref;

/* A uniform grid over the simplified arcs of one layer, cells about one segment wide. */
typedef struct seg_grid {
    double xmin, ymin, cell;
    long ncx, ncy;
    size_t nseg;
} seg_grid;

/* The boxes of the exact arcs of tp (xmin, ymin, xmax, ymax each): they hold the arcs at any
 * tolerance, whose points are some of the exact ones. */
static double *topo_arc_boxes(const topology *tp)
{
    double *abox = xmalloc(4 * ((size_t)tp->narcs + 1) * sizeof *abox);
    for (int a = 0; a < tp->narcs; a++) {
        const double *p = tp->pts + 2 * tp->arcs[a].first;
        double *bb = abox + 4 * a;
        bb[0] = bb[2] = p[0];
        bb[1] = bb[3] = p[1];
        for (int k = 1; k < tp->arcs[a].n; k++) {
            bb[0] = seg_min(p[2 * k], bb[0]);
            bb[1] = seg_min(p[2 * k + 1], bb[1]);
            bb[2] = seg_max(p[2 * k], bb[2]);
            bb[3] = seg_max(p[2 * k + 1], bb[3]);
        }
    }
    return abox;
}

/* The grid of nseg segments within the extent xmin..xmax, ymin..ymax; 0 when there are fewer
 * than two. */
static int topo_grid_of(double xmin, double ymin, double xmax, double ymax, size_t nseg,
                        seg_grid *g)
{
    if (nseg < 2)
        return 0;
    double w = xmax - xmin, hgt = ymax - ymin;
    double cell = sqrt((w * hgt > 0 ? w * hgt : (w + hgt) * (w + hgt) + 1) / (double)nseg);
    if (!(cell > 0))
        cell = 1;
    long ncx = (long)(w / cell) + 1, ncy = (long)(hgt / cell) + 1;
    while ((double)ncx * (double)ncy > 4.0 * (double)nseg + 16) {
        cell *= 1.5;
        ncx = (long)(w / cell) + 1;
        ncy = (long)(hgt / cell) + 1;
    }
    *g = (seg_grid){xmin, ymin, cell, ncx, ncy, nseg};
    return 1;
}

/* The grid of the simplified arcs of layer, over their points, or with abox (not NULL) over
 * the boxes of the exact arcs, which hold them; 0 when it has fewer than two segments. */
static int topo_seg_grid(const topo_simplified *ts, int layer, const double *abox, seg_grid *g)
{
    const topology *tp = ts->tp;
    size_t nseg = 0;
    double xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;
    for (int a = 0; a < tp->narcs; a++) {
        if (tp->arcs[a].layer != layer || ts->cnt[a] < 2)
            continue; /* an arc a simplification leaves out has no point */
        nseg += (size_t)ts->cnt[a] - 1;
        const double *p = abox ? abox + 4 * a : ts->pts + 2 * topo_arc_place(ts, a);
        int n = abox ? 2 : ts->cnt[a];
        for (int k = 0; k < n; k++) {
            xmin = seg_min(p[2 * k], xmin);
            xmax = seg_max(p[2 * k], xmax);
            ymin = seg_min(p[2 * k + 1], ymin);
            ymax = seg_max(p[2 * k + 1], ymax);
        }
    }
    return topo_grid_of(xmin, ymin, xmax, ymax, nseg, g);
}

/* Segment k of arc a (of ts) with the cells of g its box covers. */
static seg_ref topo_seg_at(const topo_simplified *ts, const seg_grid *g, int a, int k)
{
    const double *q = ts->pts + 2 * (topo_arc_place(ts, a) + (size_t)k), *r = q + 2;
    seg_ref sg = {a, k, (int)((seg_min(q[0], r[0]) - g->xmin) / g->cell),
                  (int)((seg_min(q[1], r[1]) - g->ymin) / g->cell),
                  (int)((seg_max(q[0], r[0]) - g->xmin) / g->cell),
                  (int)((seg_max(q[1], r[1]) - g->ymin) / g->cell)};
    sg.cx1 = sg.cx1 >= g->ncx ? (int)g->ncx - 1 : sg.cx1;
    sg.cy1 = sg.cy1 >= g->ncy ? (int)g->ncy - 1 : sg.cy1;
    return sg;
}

/* Tests segments s1 and s2 in cell (cx, cy), the first cell they share (elsewhere the pair
 * is tested there, so not here); marks both arcs bad when they clash. */
static void topo_test_pair(const topo_simplified *ts, GEOSContextHandle_t h, const seg_ref *s1,
                           const seg_ref *s2, long cx, long cy, unsigned char *bad)
{
    if ((s1->cx0 > s2->cx0 ? s1->cx0 : s2->cx0) != cx ||
        (s1->cy0 > s2->cy0 ? s1->cy0 : s2->cy0) != cy)
        return;
    if (s1->cx1 < s2->cx0 || s2->cx1 < s1->cx0 || s1->cy1 < s2->cy0 || s2->cy1 < s1->cy0)
        return;
    const double *p1 = ts->pts + 2 * (topo_arc_place(ts, s1->arc) + (size_t)s1->k);
    const double *q1 = ts->pts + 2 * (topo_arc_place(ts, s2->arc) + (size_t)s2->k);
    if (seg_max(p1[0], p1[2]) < seg_min(q1[0], q1[2]) ||
        seg_max(q1[0], q1[2]) < seg_min(p1[0], p1[2]) ||
        seg_max(p1[1], p1[3]) < seg_min(q1[1], q1[3]) ||
        seg_max(q1[1], q1[3]) < seg_min(p1[1], p1[3]))
        return;
    if (seg_meet(h, p1, p1 + 2, q1, q1 + 2) == SEG_CLASH) {
        bad[s1->arc] = 1;
        bad[s2->arc] = 1;
    }
}

/* Sorts the segments cells[0..n-1] into the cells of rows r0..r1-1 of a grid ncx cells wide
 * (each into every cell of those rows its box covers): a counting sort. Returns, per cell,
 * the offset of its first entry in *in_cell (ncells + 1 offsets); *in_cell gets the indices. */
static size_t *topo_cell_index(const seg_ref *cells, size_t n, long r0, long r1, long ncx,
                               int **in_cell)
{
    size_t ncells = (size_t)(r1 - r0) * (size_t)ncx;
    size_t *count = xzeroed(ncells + 1, sizeof *count); /* read before written */
    size_t *fill = NULL;
    for (int pass = 0; pass < 2; pass++) { /* count, then fill */
        if (pass == 1) {
            for (size_t c = 0; c < ncells; c++)
                count[c + 1] += count[c];
            *in_cell = xmalloc((count[ncells] ? count[ncells] : 1) * sizeof **in_cell);
            fill = xmalloc((ncells + 1) * sizeof *fill);
            memcpy(fill, count, ncells * sizeof *fill);
        }
        for (size_t i = 0; i < n; i++) {
            long y0 = cells[i].cy0 > r0 ? cells[i].cy0 : r0;
            long y1 = cells[i].cy1 < r1 - 1 ? cells[i].cy1 : r1 - 1;
            for (long cy = y0; cy <= y1; cy++)
                for (long cx = cells[i].cx0; cx <= cells[i].cx1; cx++) {
                    size_t c = (size_t)(cy - r0) * (size_t)ncx + (size_t)cx;
                    if (fill)
                        (*in_cell)[fill[c]++] = (int)i;
                    else
                        count[c + 1]++;
                }
        }
    }
    free(fill);
    return count;
}

/* Finds the simplified arcs of layer that cross or touch one another off their end nodes,
 * with a uniform grid of cells about one segment wide; sets bad[a] for each. Linear in
 * the segments on spread data; each pair is tested once, in the first cell they share. */
static void topo_find_clashes(const topo_simplified *ts, GEOSContextHandle_t h, int layer,
                              unsigned char *bad)
{
    const topology *tp = ts->tp;
    seg_grid g;
    if (!topo_seg_grid(ts, layer, NULL, &g))
        return;
    seg_ref *segs = xmalloc(g.nseg * sizeof *segs);
    size_t i = 0;
    for (int a = 0; a < tp->narcs; a++)
        if (tp->arcs[a].layer == layer)
            for (int k = 0; k + 1 < ts->cnt[a]; k++)
                segs[i++] = topo_seg_at(ts, &g, a, k);
    int *in_cell;
    size_t *count = topo_cell_index(segs, g.nseg, 0, g.ncy, g.ncx, &in_cell);
    for (long cy = 0; cy < g.ncy; cy++)
        for (long cx = 0; cx < g.ncx; cx++) {
            size_t c = (size_t)cy * (size_t)g.ncx + (size_t)cx;
            for (size_t x = count[c]; x < count[c + 1]; x++)
                for (size_t y = x + 1; y < count[c + 1]; y++)
                    topo_test_pair(ts, h, &segs[in_cell[x]], &segs[in_cell[y]], cx, cy, bad);
        }
    free(in_cell);
    free(count);
    free(segs);
}

/* ---- the proof that the exact arcs do not cross -------------------------------------------
 * The exact arcs are cut from valid polygons (read_communes.c checks and repairs them), so two
 * arcs that bound a commune in common never cross: they are parts of one valid polygon's
 * rings. Two arcs with no commune in common cross only where the input is not a clean
 * coverage (two communes overlap). topo_simplify at tolerance 0 looks for such crossings;
 * where there is none, every group of communes traces valid (as after a simplification) and
 * the dissolves skip GEOSisValid_r (0.2 s of CPU for France). The layer's grid is cut into
 * bands of rows, each a task of the pool holding its segments (points, cells, faces) in an
 * array of its own; in a cell the segments come arc by arc, and a pair of arcs with a
 * commune in common is passed over whole, so that the segments of two arcs are compared
 * only where the arcs have no commune in common: a few thousand pairs for France, at nodes
 * where four communes meet. */

/* A segment's points and its arc's faces, as a band holds them beside its seg_ref. */
typedef struct band_seg {
    double x0, y0, x1, y1;
    int left, right;
} band_seg;

/* Cells per band, about: the band's arrays stay in a core's cache. */
#define BAND_CELLS 65536

typedef struct proof_batch {
    const topo_simplified *ts;
    seg_grid g;
    int rows;              /* grid rows per band */
    int *start;            /* per band, its first arc in arcs (nbands + 1) */
    int *arcs;             /* per band, the arcs whose extent reaches it */
    unsigned char *crossed; /* per band: 1 when it found arcs that clash */
} proof_batch;

/* 1 when the arcs of s1 and s2 bound a commune in common. */
static int topo_share_face(const band_seg *s1, const band_seg *s2)
{
    return s1->left == s2->left || (s2->right >= 0 && s1->left == s2->right) ||
           (s1->right >= 0 && (s1->right == s2->left || s1->right == s2->right));
}

/* The end of the run of segments of one arc that starts at x in in_cell[..end-1]. */
static size_t topo_arc_run(const seg_ref *cells, const int *in_cell, size_t x, size_t end)
{
    size_t y = x + 1;
    while (y < end && cells[in_cell[y]].arc == cells[in_cell[x]].arc)
        y++;
    return y;
}

/* Tests every pair of segments of cell (cx, cy), in_cell[lo..hi-1], whose arcs have no
 * commune in common; 1 when two clash. */
static int topo_cell_clashes(const seg_ref *cells, const band_seg *bs, const int *in_cell,
                             size_t lo, size_t hi, long cx, long cy, GEOSContextHandle_t h)
{
    for (size_t r1 = lo; r1 < hi;) {
        size_t e1 = topo_arc_run(cells, in_cell, r1, hi);
        for (size_t r2 = e1; r2 < hi;) {
            size_t e2 = topo_arc_run(cells, in_cell, r2, hi);
            if (!topo_share_face(&bs[in_cell[r1]], &bs[in_cell[r2]]))
                for (size_t x = r1; x < e1; x++)
                    for (size_t y = r2; y < e2; y++) {
                        const seg_ref *c1 = &cells[in_cell[x]], *c2 = &cells[in_cell[y]];
                        const band_seg *s1 = &bs[in_cell[x]], *s2 = &bs[in_cell[y]];
                        /* Tested in the first cell the two share only. */
                        if ((c1->cx0 > c2->cx0 ? c1->cx0 : c2->cx0) != cx ||
                            (c1->cy0 > c2->cy0 ? c1->cy0 : c2->cy0) != cy)
                            continue;
                        if (seg_meet(h, &s1->x0, &s1->x1, &s2->x0, &s2->x1) == SEG_CLASH)
                            return 1;
                    }
            r2 = e2;
        }
        r1 = e1;
    }
    return 0;
}

/* Task: band `band` of the proof. */
static void topo_proof_task(void *arg, int band, GEOSContextHandle_t h)
{
    proof_batch *pb = arg;
    const topo_simplified *ts = pb->ts;
    const topology *tp = ts->tp;
    const seg_grid *g = &pb->g;
    long r0 = (long)band * pb->rows, r1 = r0 + pb->rows;
    r1 = r1 > g->ncy ? g->ncy : r1;
    /* Room for every segment of the arcs that reach the band, made once: grown by doubling,
     * the copies were a twentieth of the proof. */
    size_t cap = 1;
    for (int i = pb->start[band]; i < pb->start[band + 1]; i++)
        cap += ts->cnt[pb->arcs[i]] > 1 ? (size_t)ts->cnt[pb->arcs[i]] - 1 : 0;
    seg_ref *cells = xmalloc(cap * sizeof *cells);
    band_seg *bs = xmalloc(cap * sizeof *bs);
    int n = 0;
    for (int i = pb->start[band]; i < pb->start[band + 1]; i++) {
        int a = pb->arcs[i];
        if (ts->cnt[a] < 2)
            continue; /* no segment (an arc left out has no place) */
        const double *p = ts->pts + 2 * topo_arc_place(ts, a);
        for (int k = 0; k + 1 < ts->cnt[a]; k++) {
            seg_ref c = topo_seg_at(ts, g, a, k);
            if (c.cy1 < r0 || c.cy0 >= r1)
                continue;
            cells[n] = c;
            bs[n++] = (band_seg){p[2 * k], p[2 * k + 1], p[2 * k + 2], p[2 * k + 3],
                                 tp->arcs[a].left, tp->arcs[a].right};
        }
    }
    int *in_cell;
    size_t *count = topo_cell_index(cells, (size_t)n, r0, r1, g->ncx, &in_cell);
    size_t ncells = (size_t)(r1 - r0) * (size_t)g->ncx;
    for (size_t c = 0; c < ncells && !pb->crossed[band]; c++)
        if (count[c + 1] - count[c] > 1)
            pb->crossed[band] = (unsigned char)topo_cell_clashes(
                cells, bs, in_cell, count[c], count[c + 1], (long)(c % (size_t)g->ncx),
                r0 + (long)(c / (size_t)g->ncx), h);
    free(in_cell);
    free(count);
    free(cells);
    free(bs);
}

/* 1 when no two exact arcs of ts (tolerance 0) in layer cross or touch off their end nodes,
 * on up to threads threads; abox: their boxes (topo_arc_boxes). */
static int topo_prove_layer(const topo_simplified *ts, const double *abox, int layer,
                            int threads)
{
    const topology *tp = ts->tp;
    proof_batch pb;
    memset(&pb, 0, sizeof pb);
    pb.ts = ts;
    if (!topo_seg_grid(ts, layer, abox, &pb.g))
        return 1;
    const seg_grid *g = &pb.g;
    long per_band = BAND_CELLS / g->ncx;
    pb.rows = (int)(per_band > 0 ? per_band : 1);
    int nbands = (int)((g->ncy + pb.rows - 1) / pb.rows);
    /* The bands each arc's extent reaches: counted, then listed. */
    int *band0 = xmalloc(((size_t)tp->narcs + 1) * sizeof *band0);
    int *band1 = xmalloc(((size_t)tp->narcs + 1) * sizeof *band1);
    pb.start = xzeroed((size_t)nbands + 2, sizeof *pb.start);
    for (int a = 0; a < tp->narcs; a++) {
        band0[a] = 0;
        band1[a] = -1;
        if (tp->arcs[a].layer != layer || ts->cnt[a] < 2)
            continue;
        const double *bb = abox + 4 * a;
        long c1 = (long)((bb[3] - g->ymin) / g->cell);
        band0[a] = (int)((long)((bb[1] - g->ymin) / g->cell) / pb.rows);
        band1[a] = (int)((c1 >= g->ncy ? g->ncy - 1 : c1) / pb.rows);
        for (int b = band0[a]; b <= band1[a]; b++)
            pb.start[b + 1]++;
    }
    for (int b = 0; b < nbands; b++)
        pb.start[b + 1] += pb.start[b];
    pb.arcs = xmalloc(((size_t)pb.start[nbands] + 1) * sizeof *pb.arcs);
    int *fill = xmalloc(((size_t)nbands + 1) * sizeof *fill);
    memcpy(fill, pb.start, (size_t)nbands * sizeof *fill);
    for (int a = 0; a < tp->narcs; a++)
        for (int b = band0[a]; b <= band1[a]; b++)
            pb.arcs[fill[b]++] = a;
    free(fill);
    free(band0);
    free(band1);
    pb.crossed = xzeroed((size_t)nbands + 1, 1);
    pool_run(threads, nbands, topo_proof_task, &pb);
    int clean = memchr(pb.crossed, 1, (size_t)nbands) == NULL;
    free(pb.crossed);
    free(pb.arcs);
    free(pb.start);
    return clean;
}

/* A cell of the grid and a changed segment in it, for topo_find_changed_clashes. */
typedef struct cell_seg {
    size_t cell;
    seg_ref seg;
} cell_seg;

static int topo_cmp_cell(const void *x, const void *y)
{
    const cell_seg *a = x, *b = y;
    return a->cell < b->cell ? -1 : a->cell > b->cell;
}

/* Blocks of BLOCK by BLOCK cells: an arc far from every changed one is passed over whole. */
#define BLOCK 8

/* topo_find_clashes for the pairs with a segment of a changed arc (only[a] set) alone: the
 * rounds after the first change a few dozen arcs of 100 000. The changed segments go into
 * the cells they cover, sorted, found by a small hash table; the segments of the arcs whose
 * box (abox: of the exact arc, which holds the simplified one) reaches a block of cells that
 * holds a changed segment are then tested against the changed ones of their cells. The grid
 * is that of the exact arcs' extent (no pass over the points): a round costs about what it
 * changes, not a pass over every segment (0.1 s for the report's two scales of France). */
static void topo_find_changed_clashes(const topo_simplified *ts, GEOSContextHandle_t h,
                                      int layer, const unsigned char *only, const double *abox,
                                      unsigned char *bad)
{
    const topology *tp = ts->tp;
    seg_grid g;
    if (!topo_seg_grid(ts, layer, abox, &g))
        return;
    cell_seg *cs = NULL;
    int n = 0, cap = 0;
    for (int a = 0; a < tp->narcs; a++) {
        if (tp->arcs[a].layer != layer || !only[a])
            continue;
        for (int k = 0; k + 1 < ts->cnt[a]; k++) {
            seg_ref sg = topo_seg_at(ts, &g, a, k);
            for (int cy = sg.cy0; cy <= sg.cy1; cy++)
                for (int cx = sg.cx0; cx <= sg.cx1; cx++) {
                    GROW(cs, cap, n + 1);
                    cs[n++] = (cell_seg){(size_t)cy * (size_t)g.ncx + (size_t)cx, sg};
                }
        }
    }
    if (n == 0)
        return;
    qsort(cs, (size_t)n, sizeof *cs, topo_cmp_cell);
    /* Each occupied cell: its first entry in cs, by a table of cells. */
    size_t nslots = topo_slots_for((size_t)n);
    int *slot = xmalloc(nslots * sizeof *slot);
    for (size_t i = 0; i < nslots; i++)
        slot[i] = -1;
    for (int i = 0; i < n; i++) {
        if (i > 0 && cs[i].cell == cs[i - 1].cell)
            continue;
        size_t k = (size_t)hash_mix(cs[i].cell) & (nslots - 1);
        while (slot[k] >= 0)
            k = (k + 1) & (nslots - 1);
        slot[k] = i;
    }
    /* The blocks that hold a changed segment. */
    long nbx = g.ncx / BLOCK + 1, nby = g.ncy / BLOCK + 1;
    unsigned char *hot = xzeroed((size_t)(nbx * nby), 1);
    for (int i = 0; i < n; i++) {
        long cx = (long)(cs[i].cell % (size_t)g.ncx), cy = (long)(cs[i].cell / (size_t)g.ncx);
        hot[(cy / BLOCK) * nbx + cx / BLOCK] = 1;
    }
    for (int a = 0; a < tp->narcs; a++) {
        if (tp->arcs[a].layer != layer || ts->cnt[a] < 2)
            continue;
        const double *bb = abox + 4 * a;
        long bx0 = (long)((bb[0] - g.xmin) / g.cell) / BLOCK, bx1 = (long)((bb[2] - g.xmin) / g.cell) / BLOCK;
        long by0 = (long)((bb[1] - g.ymin) / g.cell) / BLOCK, by1 = (long)((bb[3] - g.ymin) / g.cell) / BLOCK;
        bx1 = bx1 >= nbx ? nbx - 1 : bx1;
        by1 = by1 >= nby ? nby - 1 : by1;
        int near = 0;
        for (long by = by0; by <= by1 && !near; by++)
            for (long bx = bx0; bx <= bx1 && !near; bx++)
                near = hot[by * nbx + bx];
        if (!near)
            continue;
        for (int k = 0; k + 1 < ts->cnt[a]; k++) {
            seg_ref sg = topo_seg_at(ts, &g, a, k);
            for (int cy = sg.cy0; cy <= sg.cy1; cy++)
                for (int cx = sg.cx0; cx <= sg.cx1; cx++) {
                    size_t cell = (size_t)cy * (size_t)g.ncx + (size_t)cx;
                    size_t q = (size_t)hash_mix(cell) & (nslots - 1);
                    while (slot[q] >= 0 && cs[slot[q]].cell != cell)
                        q = (q + 1) & (nslots - 1);
                    if (slot[q] < 0)
                        continue;
                    for (int i = slot[q]; i < n && cs[i].cell == cell; i++) {
                        const seg_ref *t2 = &cs[i].seg;
                        /* Two changed segments: the pair once, from its first. */
                        if (only[a] && (t2->arc < a || (t2->arc == a && t2->k <= k)))
                            continue;
                        topo_test_pair(ts, h, &sg, t2, cx, cy, bad);
                    }
                }
        }
    }
    free(hot);
    free(slot);
    free(cs);
}

/* The checks of the faces marked todo, on every core: each task a slice of the faces, with
 * its worker's GEOS context; it writes only its own faces' bytes of failed and counts. */
#define CHECK_SLICE 256

typedef struct check_batch {
    const topo_simplified *ts;
    topo_faces *faces;
    const unsigned char *todo;
    unsigned char *failed;
} check_batch;

static void topo_check_task(void *arg, int task, GEOSContextHandle_t h)
{
    check_batch *b = arg;
    int n = b->faces->n;
    topo_outline *o = topo_outline_new();
    for (int i = task * CHECK_SLICE; i < n && i < (task + 1) * CHECK_SLICE; i++)
        b->failed[i] = b->todo[i] && !topo_face_ok(b->ts, b->faces, h, i, o);
    topo_outline_free(o);
}

/* 1 when `arc` is left out of a simplification with classes cls (or NULL): its two sides
 * are of one class, so no map draws it. */
static int topo_left_out(const topo_arc *arc, const int *cls)
{
    return cls && arc->right >= 0 && cls[arc->left] == cls[arc->right];
}

/* Simplifies arc a into ts with tolerance tol; an arc that had no place (left out, now
 * brought back) gets room for all its points after the others'. */
static void topo_fill(topo_simplified *ts, int a, double tol, unsigned char *keep, int *stack)
{
    const topology *tp = ts->tp;
    if (ts->place[a] == NO_PLACE) { /* room was made for every arc: pts never moves */
        ts->place[a] = ts->nplaces;
        ts->nplaces += (size_t)tp->arcs[a].n;
    }
    ts->cnt[a] = topo_simplify_arc(tp, a, tol, ts->pts + 2 * ts->place[a], keep, stack);
}

/* Splits the failed piece i into its communes, each a face of its own (todo), and brings
 * back the arcs it left out between them, simplified with tolerance_m (changed): where a
 * piece does not rebuild valid, its communes are checked one by one, as without classes, so
 * that only the arcs of those at fault are simplified again, not every arc around the piece. */
static void topo_split_face(topo_simplified *ts, topo_faces *f, int i, double tolerance_m,
                            double *tol, unsigned char *keep, int *stack,
                            unsigned char *changed_arc, unsigned char *todo)
{
    const topology *tp = ts->tp;
    for (int j = 0; j < f->size[i]; j++) {
        int k = f->n++, c = f->members[f->first[i] + j];
        f->first[k] = f->first[i] + j;
        f->size[k] = 1;
        f->shells[k] = tp->shells[c];
        f->holes[k] = tp->holes[c];
        f->of[c] = k;
        todo[k] = 1;
        for (int u = tp->cuse[c]; u < tp->cuse[c + 1]; u++) {
            int a = tp->uses[u] / 2;
            if (ts->cnt[a] > 0)
                continue;
            tol[a] = tolerance_m;
            topo_fill(ts, a, tol[a], keep, stack);
            changed_arc[a] = 1;
        }
    }
    f->size[i] = 0;
}

/* Packs the points the arcs of ts keep into an array of their size: a fifth of the exact
 * points at the report's national scale, where each arc's room for all its points was
 * needed while they were simplified again. */
static void topo_pack(topo_simplified *ts)
{
    const topology *tp = ts->tp;
    size_t n = 0;
    for (int a = 0; a < tp->narcs; a++)
        n += (size_t)ts->cnt[a];
    double *pts = xmalloc(2 * (n + 1) * sizeof *pts);
    size_t *place = xmalloc(((size_t)tp->narcs + 1) * sizeof *place);
    n = 0;
    for (int a = 0; a < tp->narcs; a++) {
        place[a] = n;
        if (ts->cnt[a] > 0) /* an arc left out has no place */
            memcpy(pts + 2 * n, ts->pts + 2 * topo_arc_place(ts, a),
                   2 * (size_t)ts->cnt[a] * sizeof *pts);
        n += (size_t)ts->cnt[a];
    }
    free(ts->pts);
    free(ts->place);
    ts->pts = pts;
    ts->place = place;
    ts->nplaces = n;
}

topo_simplified *topo_simplify(const topology *tp, GEOSContextHandle_t h, double tolerance_m)
{
    return topo_simplify_classes(tp, h, tolerance_m, NULL);
}

topo_simplified *topo_simplify_classes(const topology *tp, GEOSContextHandle_t h,
                                       double tolerance_m, const int *cls)
{
    if (!tp || !(tolerance_m >= 0) || !isfinite(tolerance_m)) {
        diag_error(NULL, 0, "simplification tolerance %g m is not a length; give metres >= 0",
                   tolerance_m);
        return NULL;
    }
    const commune_table *t = tp->t;
    topo_simplified *ts = xcalloc(1, sizeof *ts);
    ts->tp = tp;
    ts->tolerance_m = tolerance_m;
    ts->cnt = xmalloc(((size_t)tp->narcs + 1) * sizeof *ts->cnt);
    ts->nplaces = tp->npts;
    if (tolerance_m == 0 && !cls) {
        ts->pts = tp->pts;
        for (int a = 0; a < tp->narcs; a++)
            ts->cnt[a] = tp->arcs[a].n;
        double *abox = topo_arc_boxes(tp);
        ts->checked = 1;
        for (int l = 0; l < t->nlayers && ts->checked; l++)
            ts->checked = topo_prove_layer(ts, abox, l, tp->threads);
        free(abox);
        return ts;
    }
    /* The points of the arcs the classes keep, one after the other: a quarter of France's,
     * where each arc at its place in tp->pts touched nearly every page (the kept arcs are
     * everywhere). An arc brought back gets its room after them; room is made for every
     * arc, but only the pages of the arcs kept are touched. */
    ts->place = xmalloc(((size_t)tp->narcs + 1) * sizeof *ts->place);
    size_t kept = 0;
    for (int a = 0; a < tp->narcs; a++) {
        int out = topo_left_out(&tp->arcs[a], cls);
        ts->place[a] = out ? NO_PLACE : kept;
        kept += out ? 0 : (size_t)tp->arcs[a].n;
    }
    ts->nplaces = kept;
    ts->pts = xmalloc(2 * (tp->npts + 1) * sizeof *ts->pts);
    int maxn = 1;
    for (int a = 0; a < tp->narcs; a++)
        maxn = tp->arcs[a].n > maxn ? tp->arcs[a].n : maxn;
    unsigned char *keep = xmalloc((size_t)maxn);
    int *stack = xmalloc(4 * (size_t)maxn * sizeof *stack + 16);
    double *tol = xmalloc(((size_t)tp->narcs + 1) * sizeof *tol);
    int *tries = xcalloc((size_t)tp->narcs + 1, sizeof *tries);
    for (int a = 0; a < tp->narcs; a++) {
        if (topo_left_out(&tp->arcs[a], cls)) {
            ts->cnt[a] = 0; /* no segment, never checked nor traced */
            tol[a] = 0;
            continue;
        }
        tol[a] = tolerance_m;
        topo_fill(ts, a, tol[a], keep, stack);
    }
    /* Arcs that cross or touch others, and the arcs of faces that do not rebuild valid, get
     * a smaller tolerance; their faces are checked again, until all are good. Every arc
     * reaches tolerance 0 (the exact arc) after MAX_RETRIES, so this ends. */
    topo_faces f;
    topo_faces_make(tp, cls, &f);
    size_t room = (size_t)f.n + (size_t)t->ncommunes + 1; /* faces, split pieces' included */
    unsigned char *todo = xmalloc(room);
    memset(todo, 1, room);
    unsigned char *bad = xcalloc((size_t)tp->narcs + 1, 1);
    unsigned char *failed = xcalloc(room, 1);
    unsigned char *changed_arc = NULL; /* NULL in the first round: every arc is new */
    double *abox = topo_arc_boxes(tp);
    int stuck = 0; /* an arc failed the checks at tolerance 0: the input is not a clean
                      coverage, and what is traced from these arcs must be checked */
    int changed = 1;
    while (changed) {
        changed = 0;
        memset(bad, 0, (size_t)tp->narcs);
        for (int l = 0; l < t->nlayers; l++) {
            if (changed_arc)
                topo_find_changed_clashes(ts, h, l, changed_arc, abox, bad);
            else
                topo_find_clashes(ts, h, l, bad);
        }
        if (!changed_arc)
            changed_arc = xmalloc((size_t)tp->narcs + 1);
        check_batch cb = {ts, &f, todo, failed};
        pool_run(tp->threads, (f.n + CHECK_SLICE - 1) / CHECK_SLICE, topo_check_task, &cb);
        memset(changed_arc, 0, (size_t)tp->narcs);
        int nfaces = f.n;
        memset(todo, 0, (size_t)nfaces);
        for (int i = 0; i < nfaces; i++) {
            if (!failed[i])
                continue;
            if (f.size[i] > 1) {
                topo_split_face(ts, &f, i, tolerance_m, tol, keep, stack, changed_arc, todo);
                changed = 1;
                continue;
            }
            int c = f.members[f.first[i]];
            for (int u = tp->cuse[c]; u < tp->cuse[c + 1]; u++)
                bad[tp->uses[u] / 2] = 1;
        }
        for (int a = 0; a < tp->narcs; a++) {
            if (bad[a] && tol[a] <= 0)
                stuck = 1; /* exact, and still crossing or not valid */
            if (!bad[a] || tol[a] <= 0)
                continue;
            tol[a] = ++tries[a] >= MAX_RETRIES ? 0 : tol[a] / 4;
            topo_fill(ts, a, tol[a], keep, stack);
            changed = 1;
            changed_arc[a] = 1;
            todo[f.of[tp->arcs[a].left]] = 1;
            if (tp->arcs[a].right >= 0)
                todo[f.of[tp->arcs[a].right]] = 1;
        }
    }
    topo_faces_free(&f);
    free(todo);
    free(bad);
    free(abox);
    free(changed_arc);
    free(failed);
    ts->checked = !stuck;
    free(keep);
    free(stack);
    free(tol);
    free(tries);
    topo_pack(ts);
    return ts;
}

void topo_simplified_free(topo_simplified *ts)
{
    if (!ts)
        return;
    free(ts->cnt);
    free(ts->place);
    if (ts->pts != ts->tp->pts)
        free(ts->pts);
    free(ts);
}

int topo_simplified_checked(const topo_simplified *ts)
{
    return ts->checked;
}

size_t topo_point_places(const topo_simplified *ts)
{
    return ts->nplaces;
}

void topo_points_map(const topo_simplified *ts, int part, int nparts, double *out,
                     void (*fn)(void *arg, int layer, double *xy, size_t n), void *arg)
{
    const topology *tp = ts->tp;
    int a0 = (int)((long long)tp->narcs * part / nparts);
    int a1 = (int)((long long)tp->narcs * (part + 1) / nparts);
    /* Runs of arcs of one layer whose points follow each other in ts->pts. */
    for (int a = a0; a < a1;) {
        int layer = tp->arcs[a].layer;
        size_t start = topo_arc_place(ts, a), end = start + (size_t)ts->cnt[a];
        int b = a + 1;
        while (b < a1 && tp->arcs[b].layer == layer && topo_arc_place(ts, b) == end) {
            end += (size_t)ts->cnt[b];
            b++;
        }
        double *xy = out + 2 * start;
        memcpy(xy, ts->pts + 2 * start, 2 * (end - start) * sizeof *xy);
        fn(arg, layer, xy, end - start);
        a = b;
    }
}

size_t topo_simplified_vertex_count(const topo_simplified *ts)
{
    if (!ts)
        return 0;
    /* Each arc's points but its last (the next arc's first along the ring). */
    size_t n = 0;
    const topology *tp = ts->tp;
    for (int c = 0; c < tp->t->ncommunes; c++)
        for (int u = tp->cuse[c]; u < tp->cuse[c + 1]; u++) {
            int a = tp->uses[u] / 2;
            n += ts->cnt[a] > 0 ? (size_t)ts->cnt[a] - 1 : 0;
        }
    return n;
}
