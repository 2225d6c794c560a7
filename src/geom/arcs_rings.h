/* arcs_rings.h -- for arcs.c: the rings of the commune polygons copied into one buffer, the
 * first phase of the arcs' build (arcs_rings.c). Private to geom/. */
#ifndef CPTSCOV_ARCS_RINGS_H
#define CPTSCOV_ARCS_RINGS_H

#include <stddef.h>
#include <geos_c.h>

#include "model/commune_table.h"

/* A ring of the copy: its commune, and its points pts[2 * first ..], n of them. */
typedef struct ring_ref {
    int commune;
    size_t first;  /* into the copy's pts */
    int n;         /* points, the closing one included */
    int is_hole;
} ring_ref;

/* The copy: x, y of every ring point, each commune's in places counted beforehand (the
 * points a ring drops leave a gap; npts counts the places), and its rings in the order of
 * the communes. */
typedef struct ring_copy {
    double *pts;
    size_t npts;
    ring_ref *rings;
    int nrings;
} ring_copy;

/* Copies every ring of t's communes into *out (shells counter-clockwise, holes clockwise, so
 * that each commune is on the left of its rings) on `threads` threads of the pool (0: every
 * core); with owner (t itself), each commune's polygon is freed once copied and the rings as
 * read after. Returns 0, or -1 after diag_error when the points are too many for the arcs'
 * int ids, before any polygon is taken. */
int topo_copy_rings(ring_copy *out, const commune_table *t, commune_table *owner,
                    GEOSContextHandle_t h, int threads);

#endif
