/* outline.h -- territories traced from simplified arcs: the rings that bound a group of
 * communes, as bare outlines (runs of arc uses), GEOS polygons, or a checked shape. */
#ifndef CPTSCOV_OUTLINE_H
#define CPTSCOV_OUTLINE_H

#include <stddef.h>
#include <geos_c.h>

#include "geom/shape.h"
#include "geom/simplify.h"

/* The simplified polygons of communes idx[0..n-1], dissolved, into s (one geometry per layer,
 * in the layer's CRS, as shape.h). Reads tp and ts only: threads may call it at once, each
 * with its own context h. Returns how many layers' polygons came out of the arcs invalid and
 * were repaired (GEOSMakeValid_r): 0 on a clean coverage. */
int topo_shape(const topo_simplified *ts, GEOSContextHandle_t h, const int *idx, int n,
               shape *s);

/* A territory traced from arcs without GEOS: its polygons, each a shell then its holes, each
 * ring a run of arcs. One outline is reused from territory to territory. */
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
/* The polygons of the communes sorted[0..n-1] (sorted, distinct) in layer, traced from ts
 * with GEOS context h: a Polygon, a MultiPolygon, or NULL when they have none. Not checked
 * for validity (topo_shape does; simplify.c checks its faces with it). */
GEOSGeometry *topo_rebuild(const topo_simplified *ts, GEOSContextHandle_t h, const int *sorted,
                           int n, int layer);

#endif
