/* segment.h -- straight segments of the plane: how two of them meet, with GEOS's robust
 * orientation predicate, and whether a closed ring is simple (no point met twice). */
#ifndef CPTSCOV_SEGMENT_H
#define CPTSCOV_SEGMENT_H

#include <geos_c.h>

/* The smaller and the larger of two coordinates (finite), inlined where fmin and fmax, which
 * must also order NaNs, are calls into libm: 10 million of them in the grid tests of the
 * national job's arcs. */
static inline double seg_min(double a, double b)
{
    return a < b ? a : b;
}

static inline double seg_max(double a, double b)
{
    return a > b ? a : b;
}

/* How segments p1-p2 and q1-q2 meet (seg_meet). */
enum {
    SEG_APART, /* no point in common */
    SEG_END,   /* one end point in common and nothing else */
    SEG_CLASH  /* a crossing, a touch off their shared ends, an overlap, or the same segment */
};

/* How segments p1-p2 and q1-q2 (points as x, y; each segment of two distinct points) meet. */
int seg_meet(GEOSContextHandle_t h, const double *p1, const double *p2, const double *q1,
             const double *q2);

/* A segment of a ring and its smallest x, which the sweep sorts them by. */
typedef struct seg_start {
    double x;
    int seg;
} seg_start;

/* The arrays seg_ring_simple works in, kept from ring to ring by one thread. */
typedef struct seg_work {
    seg_start *order;  /* the segments by smallest x, and the merge sort's room */
    int *active;       /* the sweep's segments that reach the current x */
    int cap;           /* points the arrays hold */
} seg_work;

/* 1 when the closed ring of n points xy (x, y, x, y...) is simple: finite points, at least
 * three distinct ones, first and last equal, and no two segments meeting but neighbours at
 * their common point; GEOS then holds a polygon of that ring alone valid. 0 when it is not
 * simple, or when the test gave up (more than a budget linear in n of segment pairs, which
 * no real boundary needs): the caller then asks GEOS. The ring's repeated points are taken
 * out of xy in place (its first points then hold the ring without them), a copy spared: the
 * caller's buffer is a copy already. */
int seg_ring_simple(GEOSContextHandle_t h, double *xy, int n, seg_work *w);

void seg_work_free(seg_work *w);

#endif
