/* arcs.h -- the shared boundaries (arcs) of the commune polygons, built once per table.
 * Maps drawn from them (simplify.h, outline.h) keep shared borders shared: no gaps, no overlaps. */
#ifndef CPTSCOV_ARCS_H
#define CPTSCOV_ARCS_H

#include <stddef.h>
#include <geos_c.h>

#include "model/commune_table.h"

/* The arcs of every commune polygon of a table (each layer a coverage of its own). */
typedef struct topology topology;

/* Builds the arcs of t's commune polygons with GEOS context h. Returns NULL after diag_error. */
topology *topo_build(const commune_table *t, GEOSContextHandle_t h);
/* A change of coordinates made beside the build of the arcs (to WGS84, for the maps):
 * fn(arg, layer, xy, n) changes the n points xy of layer in place, like topo_points_map's
 * fn; it runs on two threads at once, args[0] serving one and args[1] the other. The build
 * sets out: the exact arcs' points changed, in the places of topo_simplify(tp, h, 0)'s
 * points (as topo_points_map would give them), for the caller to free. */
typedef struct topo_points_change {
    void (*fn)(void *arg, int layer, double *xy, size_t n);
    void *args[2];
    double *out;
} topo_points_change;
/* The same, taking the polygons: each commune's geometry is freed once its rings are in the
 * arcs (c->geom NULL, c->layer kept), so that the coverage is never held twice; topo_shape
 * on the exact arcs rebuilds any commune. Whatever reads the polygons themselves (the digest
 * of the inputs) must run before (see commune_table.h). With change (or NULL), the arcs'
 * points are also changed as it says. The rings are copied on `threads` threads of the pool
 * (0: every core). */
topology *topo_build_taking(commune_table *t, GEOSContextHandle_t h,
                            topo_points_change *change, int threads);
/* Threads for the checks of topo_simplify (0, the default: every core), as --threads. */
void topo_set_threads(topology *tp, int threads);
/* Figures for the logs and tests: the arcs of tp; the vertices of its rings (the closing
 * point of each ring not counted). */
int topo_arc_count(const topology *tp);
size_t topo_vertex_count(const topology *tp);
/* The communes on the left and right of arc a (right -1: the outside of the layer). */
void topo_arc_faces(const topology *tp, int a, int *left, int *right);
void topo_free(topology *tp);

#endif
