/* shape.h -- dissolved territories (CPTS, departments, regions, uncovered zones) as geometry.
 * A shape keeps one polygonal geometry per commune layer it spans, in that layer's CRS. */
#ifndef CPTSCOV_SHAPE_H
#define CPTSCOV_SHAPE_H

#include <geos_c.h>

#include "model/commune_table.h"
#include "util/diag.h"

typedef struct shape {
    GEOSGeometry **by_layer; /* commune_table.nlayers entries, NULL where the shape has none */
    int nlayers;
    /* 1 when by_layer is what topo_shape traces of its communes from the exact arcs (and
     * passed the checks of shape_dissolve_arcs): writers may trace it again (topo_outline).
     * From arcs proved clash-free, only traced: by_layer is then all NULL, and polygons
     * says how many it has; the writers trace it (they did anyway). */
    int traced;
    int polygons;
} shape;

/* Dissolves the polygons of communes idx[0..n-1] of t into s, with GEOS context h (the
 * caller's thread's: t's geometries are only read, so threads may dissolve at once). Uses
 * GEOSCoverageUnion_r and falls back to GEOSUnaryUnion_r where the polygons are not a clean
 * coverage, recording a join issue (kind "not_a_coverage") naming what (e.g. "department
 * 35") in ji (may be NULL). */
void shape_dissolve_communes(const commune_table *t, GEOSContextHandle_t h, const int *idx,
                             int n, const char *what, join_issues *ji, shape *s);
/* (Only while the table holds its polygons: once the arcs have taken them
 * (topo_build_taking), shape_dissolve_arcs, which rebuilds them from the arcs.) */
/* The same, traced from arcs (geom/outline.h, simplified with tolerance 0: the exact arcs) when
 * arcs is not NULL, much faster; where the traced polygons are not valid or lose area, as
 * shape_dissolve_communes. When the arcs were proved clash-free (topo_simplified_checked),
 * what is traced is valid by construction and only its area is checked: no geometry is
 * made (s->traced, s->polygons; topo_shape on the same arcs makes it). */
struct topo_simplified;
void shape_dissolve_arcs(const commune_table *t, GEOSContextHandle_t h,
                         const struct topo_simplified *arcs, const int *idx, int n,
                         const char *what, join_issues *ji, shape *s);
/* The shape as one geometry in WGS84 longitude/latitude (a new MultiPolygon or Polygon),
 * or NULL when empty; made with GEOS context h and, for each layer, the PROJ transformation
 * to_wgs84[layer] (a PJ*; to_wgs84 NULL: the layers' own, for one thread at a time). */
GEOSGeometry *shape_to_wgs84(const commune_table *t, GEOSContextHandle_t h, void *const *to_wgs84,
                             const shape *s);
/* 1 when s has a polygon. */
int shape_has_polygon(const shape *s);
void shape_free(const commune_table *t, shape *s);
/* The same with GEOS context h: a thread other than the table's frees with its own. */
void shape_free_r(GEOSContextHandle_t h, shape *s);

#endif
