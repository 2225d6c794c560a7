/* segment.c -- straight segments of the plane: how two of them meet, with GEOS's robust
 * orientation predicate, and whether a closed ring is simple (no point met twice).
 *
 * Design. clash.c asks whether two arcs clash (seg_meet); the communes' reader asks whether a
 * polygon of one ring, nearly every commune, is valid: GEOSisValid_r spends most of its time
 * in the monotone chains of its general noder. For a polygon of one ring and no hole, GEOS's validity is
 * exactly the ring's simplicity (its checks of holes and of a disconnected interior have
 * nothing to look at), and simplicity is a question of pairs of segments: a sweep over the
 * segments sorted by their smallest x meets each pair whose boxes overlap once, and asks
 * GEOSOrientationIndex_r, the predicate GEOS's own intersection tests use, whether they
 * touch, a fraction of GEOS's cost. It only ever vouches for a ring:
 * every polygon it does not vouch for (a ring that is not simple, holes, several parts, a
 * ring whose segments overlap too much for a linear budget) goes to GEOS, which says why
 * and repairs; tests/test_segment.c holds the two to the same answer on random rings. */
#include "geom/segment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* Segment pairs the sweep may look at, per segment, before it leaves the ring to GEOS. */
#define SWEEP_BUDGET 64
/* Runs sorted by insertion before the merges. */
#define SORT_RUN 8

/* -1, 0 or 1: the sign of a - b. */
static inline int seg_sign(double a, double b)
{
    return (a > b) - (a < b);
}

/* 1 when segments c-a and c-b, with their end c in common, overlap: a and b on one line
 * through c, on the same side of it. On such a line the signs of the products below are
 * those of exact ones (a difference of doubles keeps its sign, a product that of its
 * factors), none negative: a negative sum tells at once, without GEOS, that a and b do not
 * lie so, as at most corners of a boundary, which turn by less than a right angle. */
static int seg_folds(GEOSContextHandle_t h, const double *a, const double *c, const double *b)
{
    double dot = (a[0] - c[0]) * (b[0] - c[0]) + (a[1] - c[1]) * (b[1] - c[1]);
    return dot >= 0 && GEOSOrientationIndex_r(h, c[0], c[1], a[0], a[1], b[0], b[1]) == 0 &&
           seg_sign(a[0], c[0]) == seg_sign(b[0], c[0]) &&
           seg_sign(a[1], c[1]) == seg_sign(b[1], c[1]);
}

int seg_meet(GEOSContextHandle_t h, const double *p1, const double *p2, const double *q1,
             const double *q2)
{
    int s11 = p1[0] == q1[0] && p1[1] == q1[1], s12 = p1[0] == q2[0] && p1[1] == q2[1];
    int s21 = p2[0] == q1[0] && p2[1] == q1[1], s22 = p2[0] == q2[0] && p2[1] == q2[1];
    if ((s11 && s22) || (s12 && s21))
        return SEG_CLASH; /* the same segment twice */
    if (s11 || s12 || s21 || s22) {
        const double *c = s11 || s12 ? p1 : p2, *a = s11 || s12 ? p2 : p1;
        const double *b = s11 || s21 ? q2 : q1;
        return seg_folds(h, a, c, b) ? SEG_CLASH : SEG_END;
    }
    int o1 = GEOSOrientationIndex_r(h, p1[0], p1[1], p2[0], p2[1], q1[0], q1[1]);
    int o2 = GEOSOrientationIndex_r(h, p1[0], p1[1], p2[0], p2[1], q2[0], q2[1]);
    if (o1 != 0 && o1 == o2)
        return SEG_APART;
    int o3 = GEOSOrientationIndex_r(h, q1[0], q1[1], q2[0], q2[1], p1[0], p1[1]);
    int o4 = GEOSOrientationIndex_r(h, q1[0], q1[1], q2[0], q2[1], p2[0], p2[1]);
    if (o3 != 0 && o3 == o4)
        return SEG_APART;
    if (o1 == 0 && o2 == 0) { /* collinear: do their extents overlap? */
        int ax = p1[0] != p2[0] || q1[0] != q2[0] ? 0 : 1;
        double pa = seg_min(p1[ax], p2[ax]), pb = seg_max(p1[ax], p2[ax]);
        double qa = seg_min(q1[ax], q2[ax]), qb = seg_max(q1[ax], q2[ax]);
        return pa <= qb && qa <= pb ? SEG_CLASH : SEG_APART;
    }
    return SEG_CLASH;
}

static void seg_grow(seg_work *w, int n)
{
    if (n <= w->cap)
        return;
    w->cap = n;
    w->order = xrealloc(w->order, (size_t)n * 2 * sizeof *w->order);
    w->active = xrealloc(w->active, (size_t)n * sizeof *w->active);
}

void seg_work_free(seg_work *w)
{
    free(w->order);
    free(w->active);
    memset(w, 0, sizeof *w);
}

/* Sorts order[0..n-1] by x: runs by insertion, then merges through tmp (n more); n log n
 * steps whatever the input, as a ring of any shape may come. */
static void seg_sort(seg_start *order, seg_start *tmp, int n)
{
    for (int lo = 0; lo < n; lo += SORT_RUN) {
        int hi = lo + SORT_RUN < n ? lo + SORT_RUN : n;
        for (int i = lo + 1; i < hi; i++) {
            seg_start v = order[i];
            int j = i;
            for (; j > lo && order[j - 1].x > v.x; j--)
                order[j] = order[j - 1];
            order[j] = v;
        }
    }
    seg_start *src = order, *dst = tmp;
    for (int width = SORT_RUN; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            int a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                dst[k++] = src[b].x < src[a].x ? src[b++] : src[a++];
            while (a < mid)
                dst[k++] = src[a++];
            while (b < hi)
                dst[k++] = src[b++];
        }
        seg_start *t = src;
        src = dst;
        dst = t;
    }
    if (src != order)
        memcpy(order, src, (size_t)n * sizeof *order);
}

/* 1 when segments s and t follow each other along a ring of ns segments. */
static int seg_neighbours(int s, int t, int ns)
{
    int d = s > t ? s - t : t - s;
    return d == 1 || d == ns - 1;
}

int seg_ring_simple(GEOSContextHandle_t h, double *xy, int n, seg_work *w)
{
    if (n < 4)
        return 0;
    seg_grow(w, n);
    int m = 0; /* points kept, written over those read (m <= i) */
    for (int i = 0; i < n; i++) {
        double x = xy[2 * i], y = xy[2 * i + 1];
        if (!isfinite(x) || !isfinite(y))
            return 0;
        if (m > 0 && x == xy[2 * m - 2] && y == xy[2 * m - 1])
            continue; /* a repeated point, which GEOS passes over too */
        xy[2 * m] = x;
        xy[2 * m + 1] = y;
        m++;
    }
    if (m < 4 || xy[0] != xy[2 * m - 2] || xy[1] != xy[2 * m - 1])
        return 0;
    int ns = m - 1; /* segment s goes from point s to point s + 1 */
    /* Neighbours meet at their common point, and must meet nowhere else: not fold back. */
    for (int v = 1; v <= ns; v++)
        if (seg_folds(h, xy + 2 * (v - 1), xy + 2 * v, xy + 2 * (v < ns ? v + 1 : 1)))
            return 0;
    for (int s = 0; s < ns; s++)
        w->order[s] = (seg_start){seg_min(xy[2 * s], xy[2 * s + 2]), s};
    seg_sort(w->order, w->order + n, ns);
    /* The sweep: active holds the segments met so far that reach the current x. */
    long budget = (long)SWEEP_BUDGET * ns;
    int na = 0;
    for (int k = 0; k < ns; k++) {
        int s = w->order[k].seg;
        const double *p = xy + 2 * s;
        double x0 = w->order[k].x, ylo = seg_min(p[1], p[3]), yhi = seg_max(p[1], p[3]);
        if ((budget -= na) < 0)
            return 0;
        int keep = 0;
        for (int a = 0; a < na; a++) {
            int t = w->active[a];
            const double *q = xy + 2 * t;
            if (seg_max(q[0], q[2]) < x0)
                continue; /* left behind: no later segment reaches it */
            w->active[keep++] = t;
            if (seg_max(q[1], q[3]) < ylo || seg_min(q[1], q[3]) > yhi ||
                seg_neighbours(s, t, ns))
                continue;
            if (seg_meet(h, p, p + 2, q, q + 2) != SEG_APART)
                return 0;
        }
        na = keep;
        w->active[na++] = s;
    }
    return 1;
}
