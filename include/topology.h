/* topology.h -- the shared boundaries (arcs) of the commune polygons, each simplified once.
 * Maps drawn from it keep shared borders shared: neighbours never show gaps or overlaps. */
#ifndef CPTSCOV_TOPOLOGY_H
#define CPTSCOV_TOPOLOGY_H

#include <stddef.h>
#include <geos_c.h>

#include "commune_table.h"
#include "shape.h"

/* The arcs of every commune polygon of a table (each layer a coverage of its own). */
typedef struct topology topology;
/* The arcs of a topology simplified with one tolerance; several may coexist. */
typedef struct topo_simplified topo_simplified;

/* Builds the arcs of t's commune polygons with GEOS context h. Returns NULL after diag_error. */
topology *topo_build(const commune_table *t, GEOSContextHandle_t h);
/* Simplifies every arc once (its end nodes kept), tolerance in metres (0 keeps every point;
 * a geographic layer's degrees are scaled at its mean latitude); never makes a polygon
 * invalid nor lets one vanish: arcs that would cross, and the arcs of a commune that would
 * not rebuild valid with all its parts and holes, are simplified again with a smaller
 * tolerance, down to exact. The checks run on the thread pool (topo_set_threads). Returns
 * NULL after diag_error (a negative or non-finite tolerance). */
topo_simplified *topo_simplify(const topology *tp, GEOSContextHandle_t h, double tolerance_m);
/* The simplified polygons of communes idx[0..n-1], dissolved, into s (one geometry per layer,
 * in the layer's CRS, as shape.h). Reads tp and ts only: threads may call it at once, each
 * with its own context h. Returns how many layers' polygons came out of the arcs invalid and
 * were repaired (GEOSMakeValid_r): 0 on a clean coverage. */
int topo_shape(const topo_simplified *ts, GEOSContextHandle_t h, const int *idx, int n,
               shape *s);
void topo_simplified_free(topo_simplified *ts);
/* Threads for the checks of topo_simplify (0, the default: every core), as --threads. */
void topo_set_threads(topology *tp, int threads);
/* Figures for the logs and tests: the arcs of tp; the vertices of its rings (the closing
 * point of each ring not counted); the vertices of the same rings once simplified. */
int topo_arc_count(const topology *tp);
/* The communes on the left and right of arc a (right -1: the outside of the layer). */
void topo_arc_faces(const topology *tp, int a, int *left, int *right);
size_t topo_vertex_count(const topology *tp);
size_t topo_simplified_vertex_count(const topo_simplified *ts);
void topo_free(topology *tp);

#endif
