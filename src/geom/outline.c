/* outline.c -- territories traced from the arcs of arcs.c: the rings that bound a group of
 * communes and the polygons they make, as bare outlines (runs of arc uses) or GEOS geometry.
 *
 * Design. A group's boundary is the uses of arcs that have the group on their left only.
 * Each use is followed, at its end node, by the outgoing use that turns most to the left (the
 * face-tracing rule); where a ring comes back to a node it already passed (a commune
 * touching itself at a point) the loop is cut off as a ring of its own, so that every ring is
 * simple, as GEOS wants. Counter-clockwise rings are shells, clockwise ones holes, each put in
 * the smallest shell that contains a point of it (a prepared GEOS polygon per shell tried,
 * only where a group has several shells and a hole: the only GEOS call of the tracing).
 * A lone commune of one simple ring, most of the communes map, needs none of this: its uses
 * as the build cut them are that ring (outl_one_ring).
 *
 * The trace is an outline: polygons, each its shell then its holes, each ring a run of arc
 * uses, no coordinates. GEOS geometry is made from it for the dissolves and the checks
 * (topo_shape); but a writer may take an outline's points from any array in the places of
 * the arcs' points (topo_ring_points). The GeoJSON maps take them from the arcs' points
 * taken to WGS84 once: a border shared by two communes, their CPTS, departments and regions
 * is projected once instead of up to ten times, and no polygon is built to be printed.
 *
 * topo_shape checks what it traces with GEOSisValid_r (much of the dissolves' time),
 * except from arcs that topo_simplify checked: once no two arcs cross or touch off their
 * end nodes, the arcs are a planar subdivision, and the face-tracing rule gives every ring
 * simple, shells counter-clockwise around the group's pieces of interior, holes clockwise
 * around its gaps, a hole in the one shell that holds the middle of its first edge (no
 * other ring passes there): a valid polygon by construction. The exact arcs carry that
 * proof only when topo_simplify found no two of them crossing (two communes of an input
 * that is not a clean coverage may overlap without sharing a point); otherwise their
 * territories stay checked. test_topology holds the departments and regions of France,
 * exact and simplified, to GEOSisValid_r. */
#include "geom/outline.h"
#include "arcs_layout.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/util.h"

/* A boundary use of an arc by the group: walked from node `from` to node `to`. */
typedef struct bnd_use {
    int use;       /* 2 * arc + reversed */
    int from, to;  /* vertex ids */
} bnd_use;

/* The rings as traced, before they are sorted into polygons. */
typedef struct ring_set {
    int *uses;       /* the uses of every ring, ring after ring */
    int nuses, capuses;
    int *start;      /* n + 1 offsets into uses */
    int capstart;
    double *area;    /* signed: > 0 counter-clockwise */
    double *bbox;    /* xmin, ymin, xmax, ymax */
    int n, caparea, capbbox;
} ring_set;

struct topo_outline {
    int npolygons, nrings, nuses;
    double area;         /* of its polygons, holes taken out, in the layer's units */
    const topo_simplified *area_of; /* non-NULL: area not computed yet, of these arcs */
    int *polygon_start;  /* npolygons + 1 offsets into the rings */
    int *ring_start;     /* nrings + 1 offsets into uses */
    int *uses;
    int cappoly, capring, capuses;
    int *sorted;         /* the group, sorted */
    int capsorted;
    bnd_use *bnd;        /* its boundary uses */
    int capbnd;
    ring_set rs;
    double *xy;          /* one ring's points */
    size_t capxy;
    int *set;            /* a large group as a hash set of its communes (-1 free) */
    size_t setslots;
};

/* Groups up to this size are searched (sorted); larger ones are put in a hash set: a
 * department's tracing asks for each of its communes' arcs whether the other side is in the
 * group, and a binary search was two fifths of the tracing. */
#define GROUP_SEARCHED 16

/* Puts the group sorted[0..n-1] in o->set, when it is large. */
static void outl_group_set(topo_outline *o, const int *sorted, int n)
{
    if (n <= GROUP_SEARCHED)
        return;
    size_t slots = topo_slots_for((size_t)n);
    if (slots > o->setslots) {
        free(o->set);
        o->set = xmalloc(slots * sizeof *o->set);
        o->setslots = slots;
    }
    memset(o->set, 0xff, o->setslots * sizeof *o->set);
    for (int i = 0; i < n; i++) {
        size_t k = (size_t)hash_mix((uint64_t)(unsigned)sorted[i]) & (o->setslots - 1);
        while (o->set[k] >= 0)
            k = (k + 1) & (o->setslots - 1);
        o->set[k] = sorted[i];
    }
}

static int outl_in_group(const topo_outline *o, const int *sorted, int n, int c)
{
    if (n > GROUP_SEARCHED) {
        size_t k = (size_t)hash_mix((uint64_t)(unsigned)c) & (o->setslots - 1);
        while (o->set[k] >= 0 && o->set[k] != c)
            k = (k + 1) & (o->setslots - 1);
        return o->set[k] == c;
    }
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (sorted[mid] == c)
            return 1;
        if (sorted[mid] < c)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return 0;
}

/* Whether boundary use a comes before b: by the node it leaves, then by use. */
static int outl_before(const bnd_use *a, const bnd_use *b)
{
    return a->from != b->from ? a->from < b->from : a->use < b->use;
}

/* Sorts u[0..n-1] by outl_before: quicksort (median of three) down to runs of 16, then one
 * insertion sort. No two uses are equal. qsort's comparisons through a pointer were a
 * seventh of the tracing of the national maps' territories. */
static void outl_sort_uses(bnd_use *u, int n)
{
    int lo_stack[64], hi_stack[64], sp = 0;
    int lo = 0, hi = n - 1;
    for (;;) {
        while (hi - lo > 16) {
            int mid = lo + (hi - lo) / 2;
            bnd_use t;
            if (outl_before(&u[mid], &u[lo]))
                t = u[mid], u[mid] = u[lo], u[lo] = t;
            if (outl_before(&u[hi], &u[lo]))
                t = u[hi], u[hi] = u[lo], u[lo] = t;
            if (outl_before(&u[hi], &u[mid]))
                t = u[hi], u[hi] = u[mid], u[mid] = t;
            bnd_use pivot = u[mid];
            int i = lo, j = hi;
            while (i <= j) {
                while (outl_before(&u[i], &pivot))
                    i++;
                while (outl_before(&pivot, &u[j]))
                    j--;
                if (i <= j) {
                    t = u[i], u[i] = u[j], u[j] = t;
                    i++;
                    j--;
                }
            }
            /* The smaller part now, the larger later: the stack stays under log2(n). */
            if (j - lo < hi - i) {
                lo_stack[sp] = i, hi_stack[sp++] = hi;
                hi = j;
            } else {
                lo_stack[sp] = lo, hi_stack[sp++] = j;
                lo = i;
            }
        }
        if (sp == 0)
            break;
        sp--;
        lo = lo_stack[sp], hi = hi_stack[sp];
    }
    for (int i = 1; i < n; i++) {
        bnd_use x = u[i];
        int j = i;
        for (; j > 0 && outl_before(&x, &u[j - 1]); j--)
            u[j] = u[j - 1];
        u[j] = x;
    }
}

static int outl_cmp_int(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    return a < b ? -1 : a > b;
}

/* The point k (from the start, as walked) of use u, from coords (in the places of ts's). */
static const double *outl_use_point(const topo_simplified *ts, const double *coords, int use,
                                    size_t k)
{
    int a = use / 2;
    size_t n = (size_t)ts->cnt[a];
    size_t i = use & 1 ? n - 1 - k : k;
    return coords + 2 * (topo_arc_place(ts, a) + i);
}

static size_t outl_use_size(const topo_simplified *ts, int use)
{
    return (size_t)ts->cnt[use / 2];
}

/* Angle of the vector from node v to point q. */
static double outl_angle(const double *v, const double *q)
{
    return atan2(q[1] - v[1], q[0] - v[0]);
}

/* Copies the points of uses[0..n-1], a ring, from coords into *xy (the closing point
 * included: the last use ends where the first starts); returns how many. */
static size_t outl_copy(const topo_simplified *ts, const double *coords, const int *uses, int n,
                        double **xy, size_t *cap)
{
    size_t m = 0;
    for (int i = 0; i < n; i++) {
        size_t k = outl_use_size(ts, uses[i]), skip = i == 0 ? 0 : 1; /* its first point
                                                                        ends the use before */
        if (k <= skip)
            continue;
        topo_grow(xy, cap, 2 * (m + k + 1));
        const double *arc = coords + 2 * topo_arc_place(ts, uses[i] / 2);
        double *to = *xy + 2 * m;
        if (uses[i] & 1) { /* walked backwards: its points from k - 1 - skip down to 0 */
            for (size_t j = k - skip; j-- > 0; to += 2) {
                to[0] = arc[2 * j];
                to[1] = arc[2 * j + 1];
            }
        } else {
            memcpy(to, arc + 2 * skip, 2 * (k - skip) * sizeof *to);
        }
        m += k - skip;
    }
    return m;
}

/* Twice the signed area of the ring xy[0..n-1] (closing point included): > 0 when
 * counter-clockwise. */
static double outl_area2(const double *xy, size_t n)
{
    double a2 = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        const double *p = xy + 2 * k, *q = p + 2;
        a2 += (p[0] - xy[0]) * (q[1] - xy[1]) - (q[0] - xy[0]) * (p[1] - xy[1]);
    }
    return a2;
}

/* Adds the ring of uses u[stack[lo..hi-1]] to o->rs when it has an area. */
static void outl_emit_ring(topo_outline *o, const topo_simplified *ts, const bnd_use *u,
                           const int *stack, int lo, int hi)
{
    ring_set *rs = &o->rs;
    GROW(rs->uses, rs->capuses, rs->nuses + (hi - lo));
    int *run = rs->uses + rs->nuses;
    for (int i = lo; i < hi; i++)
        run[i - lo] = u[stack[i]].use;
    size_t n = outl_copy(ts, ts->pts, run, hi - lo, &o->xy, &o->capxy);
    if (n < 4)
        return;
    const double *xy = o->xy;
    double a2 = outl_area2(xy, n);
    double xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;
    for (size_t k = 0; k + 1 < n; k++) {
        const double *p = xy + 2 * k;
        xmin = p[0] < xmin ? p[0] : xmin;
        ymin = p[1] < ymin ? p[1] : ymin;
        xmax = p[0] > xmax ? p[0] : xmax;
        ymax = p[1] > ymax ? p[1] : ymax;
    }
    if (a2 == 0)
        return;
    GROW(rs->start, rs->capstart, rs->n + 2);
    GROW(rs->area, rs->caparea, rs->n + 1);
    GROW(rs->bbox, rs->capbbox, 4 * (rs->n + 1));
    rs->start[rs->n] = rs->nuses;
    rs->nuses += hi - lo;
    rs->start[rs->n + 1] = rs->nuses;
    rs->area[rs->n] = a2 / 2;
    double *bb = rs->bbox + 4 * rs->n;
    bb[0] = xmin;
    bb[1] = ymin;
    bb[2] = xmax;
    bb[3] = ymax;
    rs->n++;
}

/* Traces the rings of boundary uses u[0..n-1] (sorted by from) into o->rs. */
static void outl_trace(topo_outline *o, const topo_simplified *ts, bnd_use *u, int n)
{
    /* next[i]: the use following i, the outgoing use at its end node turning most left. */
    int *next = xmalloc((size_t)n * sizeof *next);
    for (int i = 0; i < n; i++) {
        int lo = 0, hi = n; /* first use with from >= u[i].to */
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (u[mid].from < u[i].to)
                lo = mid + 1;
            else
                hi = mid;
        }
        next[i] = -1;
        if (lo >= n || u[lo].from != u[i].to)
            continue;
        if (lo + 1 >= n || u[lo + 1].from != u[i].to) {
            next[i] = lo;
            continue;
        }
        size_t m = outl_use_size(ts, u[i].use);
        const double *v = outl_use_point(ts, ts->pts, u[i].use, m - 1);
        double back = outl_angle(v, outl_use_point(ts, ts->pts, u[i].use, m - 2));
        double best = INFINITY;
        for (int j = lo; j < n && u[j].from == u[i].to; j++) {
            double out = outl_angle(v, outl_use_point(ts, ts->pts, u[j].use, 1));
            double cw = fmod(back - out + 4 * M_PI, 2 * M_PI);
            if (cw == 0)
                cw = 2 * M_PI;
            if (cw < best) {
                best = cw;
                next[i] = j;
            }
        }
    }
    /* Follows next from each unused use; a node met twice closes a loop there. */
    unsigned char *used = xcalloc((size_t)n + 1, 1);
    int *stack = xmalloc(((size_t)n + 1) * sizeof *stack);
    size_t nslots = topo_slots_for((size_t)n);
    int *slot_node = xmalloc(nslots * sizeof *slot_node);
    int *slot_pos = xmalloc(nslots * sizeof *slot_pos);
    for (size_t i = 0; i < nslots; i++)
        slot_node[i] = -1;
    for (int s = 0; s < n; s++) {
        if (used[s])
            continue;
        int sp = 0;
        int cur = s;
        while (cur >= 0 && !used[cur]) {
            used[cur] = 1;
            /* Where was node u[cur].from passed on the stack? */
            int node = u[cur].from;
            size_t k = (size_t)hash_mix((uint64_t)(unsigned)node) & (nslots - 1);
            int at = -1;
            while (slot_node[k] != -1) {
                if (slot_node[k] == node) {
                    int pos = slot_pos[k];
                    if (pos < sp && u[stack[pos]].from == node)
                        at = pos;
                    break;
                }
                k = (k + 1) & (nslots - 1);
            }
            if (at >= 0) {
                outl_emit_ring(o, ts, u, stack, at, sp);
                sp = at;
            }
            slot_node[k] = node;
            slot_pos[k] = sp;
            stack[sp++] = cur;
            cur = next[cur];
        }
        /* Closes the rest when it came back to its first node. */
        if (sp > 0 && u[stack[sp - 1]].to == u[stack[0]].from)
            outl_emit_ring(o, ts, u, stack, 0, sp);
    }
    free(used);
    free(stack);
    free(slot_node);
    free(slot_pos);
    free(next);
}

/* A polygon of GEOS from ring r of o->rs alone, in ts's coordinates. */
static GEOSGeometry *outl_shell_polygon(topo_outline *o, const topo_simplified *ts,
                                        GEOSContextHandle_t h, int r)
{
    const ring_set *rs = &o->rs;
    size_t n = outl_copy(ts, ts->pts, rs->uses + rs->start[r], rs->start[r + 1] - rs->start[r],
                         &o->xy, &o->capxy);
    GEOSCoordSequence *s = GEOSCoordSeq_copyFromBuffer_r(h, o->xy, (unsigned)n, 0, 0);
    GEOSGeometry *ring = s ? GEOSGeom_createLinearRing_r(h, s) : NULL;
    return ring ? GEOSGeom_createPolygon_r(h, ring, NULL, 0) : NULL;
}

/* Appends the uses of ring r of o->rs to the outline as its next ring. */
static void outl_add_ring(topo_outline *o, int r)
{
    const ring_set *rs = &o->rs;
    int n = rs->start[r + 1] - rs->start[r];
    GROW(o->uses, o->capuses, o->nuses + n);
    memcpy(o->uses + o->nuses, rs->uses + rs->start[r], (size_t)n * sizeof *o->uses);
    o->nuses += n;
    GROW(o->ring_start, o->capring, o->nrings + 2);
    o->ring_start[++o->nrings] = o->nuses;
}

/* Sorts the rings of o->rs into polygons: each shell followed by the holes it holds. */
static void outl_assemble(topo_outline *o, const topo_simplified *ts, GEOSContextHandle_t h)
{
    const ring_set *rs = &o->rs;
    int nshells = 0;
    for (int i = 0; i < rs->n; i++)
        nshells += rs->area[i] > 0;
    if (nshells == 0)
        return;
    int *shells = xmalloc((size_t)nshells * sizeof *shells);
    int *shell_of = xmalloc(((size_t)rs->n + 1) * sizeof *shell_of);
    int k = 0;
    for (int i = 0; i < rs->n; i++)
        if (rs->area[i] > 0)
            shells[k++] = i;
    GEOSGeometry **poly = NULL;
    const GEOSPreparedGeometry **prep = NULL;
    for (int i = 0; i < rs->n; i++) {
        shell_of[i] = -1;
        if (rs->area[i] > 0)
            continue;
        if (nshells == 1) {
            shell_of[i] = 0;
            continue;
        }
        if (!poly) {
            poly = xcalloc((size_t)nshells, sizeof *poly);
            prep = xcalloc((size_t)nshells, sizeof *prep);
        }
        /* A point of the hole off every node: the middle of its first edge. */
        int use = rs->uses[rs->start[i]];
        const double *p0 = outl_use_point(ts, ts->pts, use, 0);
        const double *p1 = outl_use_point(ts, ts->pts, use, 1);
        double mx = (p0[0] + p1[0]) / 2, my = (p0[1] + p1[1]) / 2;
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, mx, my);
        double best = INFINITY;
        for (int j = 0; j < nshells; j++) {
            const double *bb = rs->bbox + 4 * shells[j];
            if (mx < bb[0] || mx > bb[2] || my < bb[1] || my > bb[3] ||
                rs->area[shells[j]] >= best)
                continue;
            if (!poly[j] && (poly[j] = outl_shell_polygon(o, ts, h, shells[j])))
                prep[j] = GEOSPrepare_r(h, poly[j]);
            if (prep[j] && GEOSPreparedContains_r(h, prep[j], pt) == 1) {
                best = rs->area[shells[j]];
                shell_of[i] = j;
            }
        }
        GEOSGeom_destroy_r(h, pt);
    }
    /* Holes in no shell cannot happen in a valid coverage: they are left out. */
    GROW(o->polygon_start, o->cappoly, nshells + 1);
    GROW(o->ring_start, o->capring, 1);
    o->ring_start[0] = 0;
    for (int j = 0; j < nshells; j++) {
        o->polygon_start[o->npolygons++] = o->nrings;
        outl_add_ring(o, shells[j]);
        for (int i = 0; i < rs->n; i++)
            if (rs->area[i] <= 0 && shell_of[i] == j)
                outl_add_ring(o, i);
    }
    o->polygon_start[o->npolygons] = o->nrings;
    for (int j = 0; j < nshells; j++)
        o->area += rs->area[shells[j]];
    for (int i = 0; i < rs->n; i++)
        if (rs->area[i] <= 0 && shell_of[i] >= 0)
            o->area += rs->area[i];
    if (poly) {
        for (int j = 0; j < nshells; j++) {
            if (prep[j])
                GEOSPreparedGeom_destroy_r(h, prep[j]);
            if (poly[j])
                GEOSGeom_destroy_r(h, poly[j]);
        }
        free(poly);
        free(prep);
    }
    free(shells);
    free(shell_of);
}

/* The outline of commune c when it is one ring that passes each of its nodes once, made
 * without tracing: its uses, in the order the build cut its ring, are the ring the face
 * tracing would follow, which starts at the use from the smallest vertex (outl_trace takes
 * the uses sorted by their first vertex). Its area is found when asked (topo_outline_area):
 * the maps of the communes, one outline a commune, never ask. Returns 0, with o untouched,
 * when c is not such a commune (holes, parts, a node passed twice, an arc with c on both
 * sides): it is traced then. */
static int outl_one_ring(topo_outline *o, const topo_simplified *ts, int c)
{
    const topology *tp = ts->tp;
    int first = tp->cuse[c], n = tp->cuse[c + 1] - first;
    if (tp->shells[c] != 1 || tp->holes[c] != 0 || n < 1 || n > 64)
        return 0;
    int from[64], to[64], start = 0;
    for (int k = 0; k < n; k++) {
        int use = tp->uses[first + k];
        const topo_arc *a = &tp->arcs[use / 2];
        if ((use & 1 ? a->left : a->right) == c)
            return 0;
        from[k] = use & 1 ? a->v1 : a->v0;
        to[k] = use & 1 ? a->v0 : a->v1;
        if (from[k] < from[start])
            start = k;
    }
    for (int k = 0; k < n; k++) {
        if (to[k] != from[(k + 1) % n])
            return 0;
        for (int j = 0; j < k; j++)
            if (from[j] == from[k])
                return 0;
    }
    GROW(o->uses, o->capuses, n);
    for (int k = 0; k < n; k++)
        o->uses[k] = tp->uses[first + (start + k) % n];
    o->nuses = n;
    GROW(o->ring_start, o->capring, 2);
    o->ring_start[0] = 0;
    o->ring_start[1] = n;
    o->nrings = 1;
    GROW(o->polygon_start, o->cappoly, 2);
    o->polygon_start[0] = 0;
    o->polygon_start[1] = 1;
    o->npolygons = 1;
    o->area_of = ts;
    return 1;
}

/* Traces the group sorted[0..n-1] (sorted, distinct; in o->set when large: outl_group_set)
 * in layer into o. */
static int outl_trace_sorted(topo_outline *o, const topo_simplified *ts, GEOSContextHandle_t h,
                             const int *sorted, int n, int layer)
{
    const topology *tp = ts->tp;
    const commune_table *t = tp->t;
    o->npolygons = o->nrings = o->nuses = 0;
    o->area = 0;
    o->area_of = NULL;
    o->rs.n = o->rs.nuses = 0;
    if (n == 1 && t->communes[sorted[0]].layer == layer && ts->pts == tp->pts &&
        outl_one_ring(o, ts, sorted[0]))
        return 1;
    int nu = 0;
    for (int i = 0; i < n; i++) {
        int c = sorted[i];
        if (t->communes[c].layer != layer)
            continue;
        for (int k = tp->cuse[c]; k < tp->cuse[c + 1]; k++) {
            int use = tp->uses[k];
            const topo_arc *a = &tp->arcs[use / 2];
            int other = use & 1 ? a->left : a->right;
            if (other >= 0 && (other == c || outl_in_group(o, sorted, n, other)))
                continue;
            GROW(o->bnd, o->capbnd, nu + 1);
            o->bnd[nu].use = use;
            o->bnd[nu].from = use & 1 ? a->v1 : a->v0;
            o->bnd[nu].to = use & 1 ? a->v0 : a->v1;
            nu++;
        }
    }
    if (nu == 0)
        return 0;
    outl_sort_uses(o->bnd, nu);
    outl_trace(o, ts, o->bnd, nu);
    outl_assemble(o, ts, h);
    return o->npolygons;
}

/* The group idx[0..n-1] sorted and without repeats, in o->sorted (and o->set when large);
 * returns its size. */
static int outl_sort_group(topo_outline *o, const int *idx, int n)
{
    GROW(o->sorted, o->capsorted, n + 1);
    if (n > 0) /* idx may be NULL then (a CPTS that lists no commune) */
        memcpy(o->sorted, idx, (size_t)n * sizeof *idx);
    int is_sorted = 1;
    for (int i = 1; i < n && is_sorted; i++)
        is_sorted = o->sorted[i - 1] < o->sorted[i];
    int m = n;
    if (!is_sorted) {
        qsort(o->sorted, (size_t)n, sizeof *o->sorted, outl_cmp_int);
        m = 0;
        for (int i = 0; i < n; i++)
            if (m == 0 || o->sorted[m - 1] != o->sorted[i])
                o->sorted[m++] = o->sorted[i];
    }
    outl_group_set(o, o->sorted, m); /* once for every layer the group is traced in */
    return m;
}

topo_outline *topo_outline_new(void)
{
    return xcalloc(1, sizeof(topo_outline));
}

/* Frees what o holds, not o. */
static void outl_release(topo_outline *o)
{
    free(o->polygon_start);
    free(o->ring_start);
    free(o->uses);
    free(o->sorted);
    free(o->bnd);
    free(o->rs.uses);
    free(o->rs.start);
    free(o->rs.area);
    free(o->rs.bbox);
    free(o->xy);
    free(o->set);
}

void topo_outline_free(topo_outline *o)
{
    if (!o)
        return;
    outl_release(o);
    free(o);
}

int topo_outline_trace(topo_outline *o, const topo_simplified *ts, GEOSContextHandle_t h,
                       const int *idx, int n, int layer)
{
    int m = outl_sort_group(o, idx, n);
    return outl_trace_sorted(o, ts, h, o->sorted, m, layer);
}

int topo_outline_polygons(const topo_outline *o)
{
    return o->npolygons;
}

double topo_outline_area(topo_outline *o)
{
    if (o->area_of) { /* one ring (outl_one_ring): its area, as outl_emit_ring finds it */
        size_t n = outl_copy(o->area_of, o->area_of->pts, o->uses, o->nuses, &o->xy, &o->capxy);
        o->area = outl_area2(o->xy, n) / 2;
        o->area_of = NULL;
    }
    return o->area;
}

int topo_outline_rings(const topo_outline *o, int p)
{
    return o->polygon_start[p + 1] - o->polygon_start[p];
}

size_t topo_ring_points(const topo_outline *o, const topo_simplified *ts, int p, int r,
                        const double *coords, double **xy, size_t *cap)
{
    int ring = o->polygon_start[p] + r;
    return outl_copy(ts, coords, o->uses + o->ring_start[ring],
                     o->ring_start[ring + 1] - o->ring_start[ring], xy, cap);
}

int topo_outline_geos(const topo_outline *o, const topo_simplified *ts, const double *coords,
                      GEOSContextHandle_t h, GEOSGeometry ***parts, int *n, int *cap)
{
    GEOSGeometry **rings = NULL;
    double *xy = NULL;
    size_t capxy = 0;
    int caprings = 0, added = 0;
    for (int p = 0; p < o->npolygons; p++) {
        int nr = topo_outline_rings(o, p);
        GROW(rings, caprings, nr);
        int ok = 1;
        for (int r = 0; r < nr; r++) {
            size_t m = topo_ring_points(o, ts, p, r, coords, &xy, &capxy);
            GEOSCoordSequence *s = GEOSCoordSeq_copyFromBuffer_r(h, xy, (unsigned)m, 0, 0);
            rings[r] = s ? GEOSGeom_createLinearRing_r(h, s) : NULL;
            ok = ok && rings[r];
        }
        GEOSGeometry *poly = ok ? GEOSGeom_createPolygon_r(h, rings[0], rings + 1, (unsigned)nr - 1)
                                : NULL;
        if (!poly) {
            for (int r = 0; r < nr && !ok; r++)
                if (rings[r])
                    GEOSGeom_destroy_r(h, rings[r]);
            continue;
        }
        GROW(*parts, *cap, *n + 1);
        (*parts)[(*n)++] = poly;
        added++;
    }
    free(rings);
    free(xy);
    return added;
}

/* The outline o of ts as GEOS geometry: a Polygon, a MultiPolygon, or NULL when empty. */
static GEOSGeometry *outl_geos(topo_outline *o, const topo_simplified *ts, GEOSContextHandle_t h)
{
    GEOSGeometry **polys = NULL;
    int np = 0, cap = 0;
    topo_outline_geos(o, ts, ts->pts, h, &polys, &np, &cap);
    GEOSGeometry *g = np == 0   ? NULL
                      : np == 1 ? polys[0]
                                : GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys,
                                                              (unsigned)np);
    free(polys);
    return g;
}

GEOSGeometry *topo_rebuild(const topo_simplified *ts, GEOSContextHandle_t h, const int *sorted,
                           int n, int layer)
{
    topo_outline o;
    memset(&o, 0, sizeof o);
    outl_group_set(&o, sorted, n);
    outl_trace_sorted(&o, ts, h, sorted, n, layer);
    GEOSGeometry *g = outl_geos(&o, ts, h);
    outl_release(&o);
    return g;
}

/* Appends the polygons of g (consumed) as a valid polygonal geometry: GEOSMakeValid_r where
 * the arcs made it invalid (which the checks of topo_simplify are there to prevent). */
static GEOSGeometry *outl_valid(GEOSContextHandle_t h, GEOSGeometry *g, int *repaired)
{
    if (!g || GEOSisValid_r(h, g) == 1)
        return g;
    (*repaired)++;
    GEOSGeometry *v = GEOSMakeValid_r(h, g);
    GEOSGeom_destroy_r(h, g);
    if (!v)
        return NULL;
    int type = GEOSGeomTypeId_r(h, v);
    if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON)
        return v;
    /* A collection: keeps its polygonal part. */
    GEOSGeometry **parts = NULL;
    int np = 0, cap = 0;
    int k = GEOSGetNumGeometries_r(h, v);
    for (int i = 0; i < k; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, v, i);
        int tp = GEOSGeomTypeId_r(h, p);
        if (tp == GEOS_POLYGON || tp == GEOS_MULTIPOLYGON) {
            GROW(parts, cap, np + 1);
            parts[np++] = GEOSGeom_clone_r(h, p);
        }
    }
    GEOSGeom_destroy_r(h, v);
    if (np == 0)
        return NULL;
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts,
                                                     (unsigned)np);
    free(parts);
    GEOSGeometry *u = GEOSUnaryUnion_r(h, coll);
    GEOSGeom_destroy_r(h, coll);
    return u;
}

int topo_shape(const topo_simplified *ts, GEOSContextHandle_t h, const int *idx, int n,
               shape *s)
{
    int repaired = 0;
    const commune_table *t = ts->tp->t;
    s->nlayers = t->nlayers;
    s->traced = 0;
    s->polygons = 0;
    s->by_layer = xcalloc((size_t)(t->nlayers ? t->nlayers : 1), sizeof *s->by_layer);
    topo_outline o;
    memset(&o, 0, sizeof o);
    int m = outl_sort_group(&o, idx, n);
    for (int l = 0; l < t->nlayers; l++) {
        outl_trace_sorted(&o, ts, h, o.sorted, m, l);
        GEOSGeometry *g = outl_geos(&o, ts, h);
        s->by_layer[l] = ts->checked ? g : outl_valid(h, g, &repaired);
    }
    outl_release(&o);
    return repaired;
}
