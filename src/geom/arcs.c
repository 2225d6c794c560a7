/* arcs.c -- the arcs of the commune polygons: maximal chains of edges with the same communes on
 * both sides, cut at nodes, built once so that each border is simplified once (simplify.c).
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
 * Memory. The build's tables (ring copies, vertices, edges, arcs) live one after the other:
 * each reuses the memory of those freed before it (mem_hold), rather than memory the
 * allocator gave back to the kernel, which would zero the next table's pages afresh. The
 * polygons' memory (the rings as read, and the few GEOS polygons, among small objects that
 * stay) is given back before the tables: kept, it would not take them, and taking the rings
 * where they are instead of copying them would raise the peak. What costs on a virtual
 * machine is the high-water mark (memory the process has not held before may have to be
 * faulted in by the host too), so what the build holds and no longer needs is given back
 * before the arcs' last points are changed to WGS84, and those points take the room of the
 * vertices' own (bench/results.md has the figures). */
#include "geom/arcs.h"
#include "arcs_layout.h"
#include "arcs_rings.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/hash.h"
#include "util/pool.h"
#include "util/util.h"

/* Metres per degree of latitude (mean), for the scales of a geographic layer. */
#define METRES_PER_DEGREE 111320.0

/* ---- building --------------------------------------------------------------------------- */


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

/* ---- the points changed beside the build --------------------------------------------------
 * The maps want the arcs' points in WGS84, a long run of PROJ; the build of the arcs holds
 * one core for about as long, finding each distinct point (vertex) once, in order: so the vertices are changed as they
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
     * the arcs' points or more) takes the arcs' changed points, not fresh pages. */
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
 * table keyed by a hash would miss the cache at each probe. */
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

/* Per commune c, the index of its first ring in b->rings (ncommunes + 1 of them). */
static int *topo_first_rings(const builder *b, int nc)
{
    int *ring_of = xmalloc(((size_t)nc + 1) * sizeof *ring_of);
    for (int c = 0, r = 0; c <= nc; c++) {
        ring_of[c] = r;
        while (r < b->nrings && b->rings[r].commune == c)
            r++;
    }
    return ring_of;
}

/* The room of the vertices: their table, and per ring point its vertex id (b->vid), so that
 * each distinct point of a layer becomes a vertex once (topo_number_points). */
static void topo_alloc_vertices(builder *b)
{
    /* In a coverage most points are on a border between two rings, so the vertices are
     * about half the points: the table is made for that (fewer fresh pages to zero), and
     * doubled if the points are more distinct (polygons apart). */
    b->nvslots = topo_slots_for(b->npts / 2);
    b->vslot = xzeroed(b->nvslots, sizeof *b->vslot); /* probed before written */
    b->vxy = xmalloc(2 * (b->npts ? b->npts : 1) * sizeof *b->vxy);
    b->vlayer = xmalloc((b->npts ? b->npts : 1) * sizeof *b->vlayer);
    b->vid = xmalloc((b->npts ? b->npts : 1) * sizeof *b->vid);
}

/* The vertex of every ring point, found while the changer may run beside; the ring points
 * are freed after: the vertices' points (b->vxy) stand for them. A ring's
 * slots are found, and fetched into the cache, before its points are looked up: a probe of
 * the table misses the cache, and so the misses of a ring overlap instead of following one
 * another. */
static void topo_number_points(builder *b, const commune_table *t)
{
    size_t *slot = NULL, capslot = 0;
    for (int r = 0; r < b->nrings; r++) {
        int layer = t->communes[b->rings[r].commune].layer;
        size_t first = b->rings[r].first;
        int n = b->rings[r].n;
        if ((size_t)n > capslot) {
            capslot = 2 * (size_t)n;
            slot = xrealloc(slot, capslot * sizeof *slot);
        }
        while ((size_t)b->nvertices + (size_t)n > b->nvslots / 3 * 2) /* at most 2/3 full */
            topo_grow_vertex_table(b);
        for (int k = 0; k < n; k++) {
            slot[k] = topo_vertex_slot(b, b->pts + 2 * (first + (size_t)k), layer);
            __builtin_prefetch(&b->vslot[slot[k]]);
        }
        for (int k = 0; k < n; k++)
            b->vid[first + (size_t)k] = topo_vertex(b, first + (size_t)k, layer, slot[k]);
    }
    free(slot);
    free(b->vslot);
    free(b->pts); /* the vertices' points stand for them from here */
    b->pts = NULL;
}

/* The edges: per ring point k, the id of the edge from k to k + 1 (returned, per point), each
 * with the communes on its two sides; the vertices' degrees counted on the way. */
static int *topo_find_edges(builder *b)
{
    b->degree = xzeroed((size_t)b->nvertices + 1, sizeof *b->degree); /* counted in place */
    b->node = xcalloc((size_t)b->nvertices + 1, 1);
    /* A clean coverage has about as many edges as vertices (Euler: E = V + F - 1): sized so,
     * the array rarely grows; the table is sized for the worst case, an edge per point. */
    b->capedges = b->nvertices + b->nrings + 16;
    b->edges = xmalloc((size_t)b->capedges * sizeof *b->edges);
    b->neslots = topo_slots_for(b->npts);
    b->ehead = xmalloc(((size_t)b->nvertices + 1) * sizeof *b->ehead);
    memset(b->ehead, 0xff, ((size_t)b->nvertices + 1) * sizeof *b->ehead); /* -1 */
    int *eid = xmalloc((b->npts ? b->npts : 1) * sizeof *eid);
    for (int r = 0; r < b->nrings; r++) {
        const ring_ref *rr = &b->rings[r];
        for (int k = 0; k + 1 < rr->n; k++) {
            size_t p = rr->first + (size_t)k;
            int e = topo_edge_id(b, b->vid[p], b->vid[p + 1]);
            eid[p] = e;
            topo_edge *ed = &b->edges[e];
            if (b->vid[p] == ed->lo) {
                if (ed->fwd < 0)
                    ed->fwd = rr->commune;
            } else if (ed->bwd < 0) {
                ed->bwd = rr->commune;
            }
        }
    }
    free(b->eslot);
    free(b->ehead);
    return eid;
}

/* The nodes (b->node): the vertices of degree other than 2, or where the faces change along
 * a ring; a ring without any gets its smallest vertex. */
static void topo_find_nodes(builder *b, const int *eid)
{
    for (int v = 0; v < b->nvertices; v++)
        b->node[v] = b->degree[v] != 2;
    for (int r = 0; r < b->nrings; r++) {
        const ring_ref *rr = &b->rings[r];
        int m = rr->n - 1;
        for (int k = 0; k < m; k++) {
            size_t p = rr->first + (size_t)k;
            size_t prev = rr->first + (size_t)((k + m - 1) % m);
            if (topo_other_side(b, eid, p) != topo_other_side(b, eid, prev))
                b->node[b->vid[p]] = 1;
        }
    }
    for (int r = 0; r < b->nrings; r++) {
        const ring_ref *rr = &b->rings[r];
        int best = -1, any = 0;
        for (int k = 0; k + 1 < rr->n && !any; k++) {
            int v = b->vid[rr->first + (size_t)k];
            any = b->node[v];
            if (best < 0 || v < best)
                best = v;
        }
        if (!any)
            b->node[best] = 1;
    }
}

/* The arcs: every ring cut at its nodes, commune after commune, into tp's arcs and uses. */
static topology *topo_make_arcs(builder *b, const commune_table *t, const int *eid,
                                const int *ring_of)
{
    topology *tp = xcalloc(1, sizeof *tp);
    tp->t = t;
    tp->cuse = xcalloc((size_t)t->ncommunes + 1, sizeof *tp->cuse);
    tp->shells = xcalloc((size_t)t->ncommunes + 1, sizeof *tp->shells);
    tp->holes = xcalloc((size_t)t->ncommunes + 1, sizeof *tp->holes);
    /* Of the edges, only their arcs from here: the arcs' room, and the changed points'. */
    free(b->edges);
    b->edges = NULL;
    free(b->degree);
    b->degree = NULL;
    b->earc = xmalloc(((size_t)b->nedges + 1) * sizeof *b->earc);
    for (int e = 0; e < b->nedges; e++)
        b->earc[e] = -1;
    /* Arcs hold each edge once, plus one point per arc: sized so, tp->pts rarely grows. */
    tp->cappts = 2 * ((size_t)b->nedges + (size_t)b->nedges / 8 + 16);
    tp->pts = xmalloc(tp->cappts * sizeof *tp->pts);
    int nuses = 0, capuses = 0;
    for (int c = 0; c < t->ncommunes; c++) {
        tp->cuse[c] = nuses;
        for (int r = ring_of[c]; r < ring_of[c + 1]; r++) {
            topo_cut_ring(tp, b, eid, &b->rings[r], &tp->uses, &nuses, &capuses);
            if (b->rings[r].is_hole)
                tp->holes[c]++;
            else
                tp->shells[c]++;
            tp->ring_vertices += (size_t)b->rings[r].n - 1;
        }
    }
    tp->cuse[t->ncommunes] = nuses;
    if (!tp->uses)
        tp->uses = xmalloc(sizeof *tp->uses);
    return tp;
}

/* The scales of tp's layers: metres per unit of x and y, a geographic layer's at the mean
 * latitude of its arcs' first points. */
static void topo_layer_scales(topology *tp, const commune_table *t)
{
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
}

/* topo_build, phase after phase, each table freed as soon as the next phase no longer needs
 * it; with owner (t itself), each commune's polygon is freed once its rings are copied, so
 * that the coverage is never held twice. With change, the vertices' points are changed on
 * another thread as they are found (topo_change_start .. topo_change_end). */
static topology *topo_build_from(const commune_table *t, commune_table *owner,
                                 GEOSContextHandle_t h, topo_points_change *change,
                                 int threads)
{
    builder b;
    memset(&b, 0, sizeof b);
    b.h = h;
    b.t = t;
    b.change = change;
    ring_copy rc = {0};
    if (topo_copy_rings(&rc, t, owner, h, threads) < 0)
        return NULL;
    b.pts = rc.pts;
    b.npts = rc.npts;
    b.rings = rc.rings;
    b.nrings = rc.nrings;
    int *ring_of = topo_first_rings(&b, t->ncommunes);
    topo_alloc_vertices(&b);
    pthread_t changer;
    int changing = change ? topo_change_start(&b, &changer) : 0;
    topo_number_points(&b, t);
    if (change)
        topo_change_all_found(&b); /* vlayer is the changer's until topo_change_end */
    else
        free(b.vlayer);
    int *eid = topo_find_edges(&b);
    topo_find_nodes(&b, eid);
    topology *tp = topo_make_arcs(&b, t, eid, ring_of);
    topo_layer_scales(tp, t);
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
