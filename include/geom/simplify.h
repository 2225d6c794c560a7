/* simplify.h -- the arcs of a topology simplified once each, with one tolerance in metres.
 * Never makes a polygon invalid nor lets one vanish; several simplifications may coexist. */
#ifndef CPTSCOV_SIMPLIFY_H
#define CPTSCOV_SIMPLIFY_H

#include <stddef.h>
#include <geos_c.h>

#include "geom/arcs.h"

/* The arcs of a topology simplified with one tolerance. */
typedef struct topo_simplified topo_simplified;

/* Simplifies every arc once (its end nodes kept), tolerance in metres (0 keeps every point;
 * a geographic layer's degrees are scaled at its mean latitude); never makes a polygon
 * invalid nor lets one vanish: arcs that would cross, and the arcs of a commune that would
 * not rebuild valid with all its parts and holes, are simplified again with a smaller
 * tolerance, down to exact. The checks run on the thread pool (topo_set_threads). Returns
 * NULL after diag_error (a negative or non-finite tolerance). */
topo_simplified *topo_simplify(const topology *tp, GEOSContextHandle_t h, double tolerance_m);
/* topo_simplify for maps that never separate two communes of the same class cls[c] (per
 * commune of the table): only the arcs between communes of different classes, and those on
 * a layer's outer border, are kept and simplified; the others are left out (no point). So
 * only a group that no arc left out bounds may be traced from it: a union of classes, or of
 * connected pieces of them. cls NULL: topo_simplify. */
topo_simplified *topo_simplify_classes(const topology *tp, GEOSContextHandle_t h,
                                       double tolerance_m, const int *cls);
void topo_simplified_free(topo_simplified *ts);
/* 1 when the groups traced from ts are valid by construction, so that topo_shape skips
 * GEOSisValid_r: a simplification whose checks all passed, or the exact arcs when no two of
 * them cross (the input is a clean coverage); 0 otherwise. */
int topo_simplified_checked(const topo_simplified *ts);
/* The places of ts's points: an array in their places holds twice as many doubles. */
size_t topo_point_places(const topo_simplified *ts);
/* Copies part `part` of nparts of ts's points into out, in their places, and has fn change
 * each run of them of one layer in place, fn(arg, layer, xy, npoints): so that out holds ts's
 * points in another CRS, for topo_ring_points. The parts may run on threads at once. */
void topo_points_map(const topo_simplified *ts, int part, int nparts, double *out,
                     void (*fn)(void *arg, int layer, double *xy, size_t n), void *arg);
/* The vertices of the communes' rings once simplified (each arc's last point not counted),
 * for the logs and tests. */
size_t topo_simplified_vertex_count(const topo_simplified *ts);

#endif
