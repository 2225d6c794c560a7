/* topology.h -- the shared boundaries (arcs) of the commune polygons, each simplified once.
 * Maps drawn from it keep shared borders shared: neighbours never show gaps or overlaps. */
#ifndef CPTSCOV_TOPOLOGY_H
#define CPTSCOV_TOPOLOGY_H

#include <stddef.h>
#include <geos_c.h>

#include "model/commune_table.h"
#include "geom/shape.h"

/* The arcs of every commune polygon of a table (each layer a coverage of its own). */
typedef struct topology topology;
/* The arcs of a topology simplified with one tolerance; several may coexist. */
typedef struct topo_simplified topo_simplified;

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
 * arcs (c->geom NULL, c->layer kept), so that the coverage is never held twice (75 MB of GEOS
 * polygons for France); topo_shape on the exact arcs rebuilds any commune. With change (or
 * NULL), the arcs' points are also changed as it says. The rings are copied on `threads`
 * threads of the pool (0: every core). */
topology *topo_build_taking(commune_table *t, GEOSContextHandle_t h,
                            topo_points_change *change, int threads);
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
/* The simplified polygons of communes idx[0..n-1], dissolved, into s (one geometry per layer,
 * in the layer's CRS, as shape.h). Reads tp and ts only: threads may call it at once, each
 * with its own context h. Returns how many layers' polygons came out of the arcs invalid and
 * were repaired (GEOSMakeValid_r): 0 on a clean coverage. */
int topo_shape(const topo_simplified *ts, GEOSContextHandle_t h, const int *idx, int n,
               shape *s);
void topo_simplified_free(topo_simplified *ts);
/* 1 when the groups traced from ts are valid by construction, so that topo_shape skips
 * GEOSisValid_r: a simplification whose checks all passed, or the exact arcs when no two of
 * them cross (the input is a clean coverage); 0 otherwise. */
int topo_simplified_checked(const topo_simplified *ts);

/* A territory traced from arcs without GEOS (outline.c): its polygons, each a shell then its
 * holes, each ring a run of arcs. One outline is reused from territory to territory. */
typedef struct topo_outline topo_outline;
topo_outline *topo_outline_new(void);
void topo_outline_free(topo_outline *o);
/* Traces into o the polygons of communes idx[0..n-1] in layer, as topo_shape does (the same
 * polygons, rings and points, in the same order), without checking them; returns how many
 * polygons. h serves only where a hole has several shells to choose from. */
int topo_outline_trace(topo_outline *o, const topo_simplified *ts, GEOSContextHandle_t h,
                       const int *idx, int n, int layer);
int topo_outline_polygons(const topo_outline *o);
/* Its area, holes taken out, in the layer's units (squared); found on the first call for a
 * lone commune's ring, which is not traced (hence o not const). */
double topo_outline_area(topo_outline *o);
/* The rings of polygon p: its shell (ring 0, counter-clockwise in the layer's CRS), then its
 * holes (clockwise). */
int topo_outline_rings(const topo_outline *o, int p);
/* Copies the points of ring r of polygon p into *xy (2 doubles a point, grown as needed, of
 * *cap doubles), the closing point included, taken from coords: ts's points, or any array in
 * their places (topo_points_map); returns how many points. */
size_t topo_ring_points(const topo_outline *o, const topo_simplified *ts, int p, int r,
                        const double *coords, double **xy, size_t *cap);
/* Appends the polygons of o, made by GEOS context h with their points taken from coords (as
 * topo_ring_points), to *parts (*n of *cap, grown as needed); returns how many. A polygon
 * GEOS refuses (points PROJ could not take) is left out. */
int topo_outline_geos(const topo_outline *o, const topo_simplified *ts, const double *coords,
                      GEOSContextHandle_t h, GEOSGeometry ***parts, int *n, int *cap);
/* The places of ts's points: an array in their places holds twice as many doubles. */
size_t topo_point_places(const topo_simplified *ts);
/* Copies part `part` of nparts of ts's points into out, in their places, and has fn change
 * each run of them of one layer in place, fn(arg, layer, xy, npoints): so that out holds ts's
 * points in another CRS, for topo_ring_points. The parts may run on threads at once. */
void topo_points_map(const topo_simplified *ts, int part, int nparts, double *out,
                     void (*fn)(void *arg, int layer, double *xy, size_t n), void *arg);
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
