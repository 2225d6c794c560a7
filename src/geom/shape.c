/* shape.c -- dissolving communes into territories, and taking them to WGS84.
 * Every dissolve of cptscov (CPTS, departments, regions, zones, merged communes) goes here.
 *
 * Commune polygons form a coverage: neighbours share identical edges. GEOSCoverageUnion_r
 * dissolves such a set by dropping the edges seen twice, an order of magnitude faster than
 * the general GEOSUnaryUnion_r. On input that is not a clean coverage (overlaps, edges that do
 * not match) it may fail or return a wrong result, which the checks below catch: a lost area,
 * or an invalid result (two overlapping squares come back as a MultiPolygon of both, with the
 * area of both); then the general union is used and the fall-back is reported, never silent.
 *
 * Faster still, when the arcs of the communes are built (arcs.c): a territory's outline is
 * then traced from the arcs that have it on one side only, with no segment hashed again per
 * territory (outline.c; several times faster than GEOSCoverageUnion_r in GEOS 3.11). The
 * traced polygons get the same checks (valid as traced,
 * the members' area); a territory that fails them is dissolved by the unions above. Validity
 * is checked once for all rather than per territory when topo_simplify proved the exact arcs
 * clash-free (a clean coverage: simplify.c), as it is for the national data.
 *
 * Dissolving happens in each layer's own CRS (where shared edges are exact); a territory
 * spanning several layers keeps one part per layer until shape_to_wgs84 puts them together. */
#include "geom/shape.h"

#include <math.h>
#include <proj.h>
#include <stdlib.h>
#include <string.h>

#include "geom/crs.h"
#include "geom/outline.h"
#include "util/util.h"

/* Relative difference of areas above which a coverage union is not trusted. */
#define AREA_TOLERANCE 1e-6

/* Appends clones of the polygons of g (a Polygon, MultiPolygon or collection) to *out. */
static void collect_polygons(GEOSContextHandle_t h, const GEOSGeometry *g, GEOSGeometry ***out,
                             int *n, int *cap)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(h, g))
            return;
        GROW(*out, *cap, *n + 1);
        (*out)[(*n)++] = GEOSGeom_clone_r(h, g);
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int k = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < k; i++)
            collect_polygons(h, GEOSGetGeometryN_r(h, g, i), out, n, cap);
    }
}

/* Unions polygons parts[0..n-1] (owned: consumed). Returns a new polygonal geometry. */
static GEOSGeometry *union_polygons(GEOSContextHandle_t h, GEOSGeometry **parts, int n,
                                    const char *what, join_issues *ji)
{
    if (n == 1)
        return parts[0];
    double area_in = 0;
    for (int i = 0; i < n; i++) {
        double a = 0;
        GEOSArea_r(h, parts[i], &a);
        area_in += a;
    }
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts,
                                                     (unsigned)n);
    GEOSGeometry *u = GEOSCoverageUnion_r(h, coll);
    if (u) {
        double area_out = 0;
        int type = GEOSGeomTypeId_r(h, u);
        GEOSArea_r(h, u, &area_out);
        if ((type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) ||
            fabs(area_out - area_in) > AREA_TOLERANCE * area_in || GEOSisValid_r(h, u) != 1) {
            GEOSGeom_destroy_r(h, u);
            u = NULL;
        }
    }
    if (!u) {
        u = GEOSUnaryUnion_r(h, coll);
        if (ji)
            jis_add(ji, "", 0, "", "not_a_coverage",
                    "the polygons of %s do not form a clean coverage (overlaps or edges that do "
                    "not match); dissolved with the general union instead",
                    what);
    }
    GEOSGeom_destroy_r(h, coll);
    return u;
}

/* Dissolves, for one layer, the clones gathered in parts into s->by_layer[layer]. */
static void dissolve_layer(GEOSContextHandle_t h, GEOSGeometry **parts, int n, int layer,
                           const char *what, join_issues *ji, shape *s)
{
    if (n == 0)
        return;
    s->by_layer[layer] = union_polygons(h, parts, n, what, ji);
}

static void shape_init(const commune_table *t, shape *s)
{
    s->nlayers = t->nlayers;
    s->traced = 0;
    s->polygons = 0;
    s->by_layer = xcalloc((size_t)(t->nlayers ? t->nlayers : 1), sizeof *s->by_layer);
}

/* The unions of the communes' polygons; a commune whose polygon is in the arcs (its geom
 * given to them) is rebuilt from the exact arcs first. */
static void dissolve_polygons(const commune_table *t, GEOSContextHandle_t h,
                              const topo_simplified *arcs, const int *idx, int n,
                              const char *what, join_issues *ji, shape *s)
{
    shape_init(t, s);
    GEOSGeometry **parts = NULL;
    int cap = 0;
    for (int l = 0; l < t->nlayers; l++) {
        int np = 0;
        for (int i = 0; i < n; i++) {
            const commune *c = &t->communes[idx[i]];
            if (c->layer != l)
                continue;
            if (ctab_has_polygon(c)) {
                GEOSGeometry *made;
                const GEOSGeometry *g = ctab_polygon(c, h, &made);
                if (g)
                    collect_polygons(h, g, &parts, &np, &cap);
                if (made)
                    GEOSGeom_destroy_r(h, made);
            } else if (arcs) {
                shape one;
                topo_shape(arcs, h, &idx[i], 1, &one);
                if (one.by_layer[l])
                    collect_polygons(h, one.by_layer[l], &parts, &np, &cap);
                shape_free_r(h, &one);
            }
        }
        dissolve_layer(h, parts, np, l, what, ji, s);
    }
    free(parts);
}

void shape_dissolve_communes(const commune_table *t, GEOSContextHandle_t h, const int *idx,
                             int n, const char *what, join_issues *ji, shape *s)
{
    dissolve_polygons(t, h, NULL, idx, n, what, ji, s);
}

/* 1 when out[l], the area of what was traced of communes idx[0..n-1] in layer l, is theirs. */
static int areas_match(const commune_table *t, GEOSContextHandle_t h, const int *idx, int n,
                       const double *out)
{
    for (int l = 0; l < t->nlayers; l++) {
        double in = 0;
        for (int i = 0; i < n; i++) {
            const commune *c = &t->communes[idx[i]];
            if (c->layer == l)
                in += ctab_polygon_area(c, h);
        }
        if (fabs(out[l] - in) > AREA_TOLERANCE * in)
            return 0;
    }
    return 1;
}

/* Traces communes idx[0..n-1] from arcs proved clash-free into s, without geometry; 0 when
 * the traced area is not theirs (s then freed). */
static int trace_only(const commune_table *t, GEOSContextHandle_t h, const topo_simplified *arcs,
                      const int *idx, int n, shape *s)
{
    s->nlayers = t->nlayers;
    s->by_layer = xcalloc((size_t)(t->nlayers ? t->nlayers : 1), sizeof *s->by_layer);
    s->traced = 1;
    s->polygons = 0;
    double *out = xcalloc((size_t)t->nlayers + 1, sizeof *out);
    unsigned char *has = xcalloc((size_t)t->nlayers + 1, 1);
    for (int i = 0; i < n; i++)
        if (t->communes[idx[i]].layer >= 0)
            has[t->communes[idx[i]].layer] = 1;
    topo_outline *o = topo_outline_new();
    for (int l = 0; l < t->nlayers; l++)
        if (has[l]) {
            s->polygons += topo_outline_trace(o, arcs, h, idx, n, l);
            out[l] = topo_outline_area(o);
        }
    topo_outline_free(o);
    int ok = areas_match(t, h, idx, n, out);
    free(out);
    free(has);
    if (!ok)
        shape_free_r(h, s);
    return ok;
}

void shape_dissolve_arcs(const commune_table *t, GEOSContextHandle_t h, const topo_simplified *arcs,
                         const int *idx, int n, const char *what, join_issues *ji, shape *s)
{
    if (arcs && topo_simplified_checked(arcs)) {
        if (trace_only(t, h, arcs, idx, n, s))
            return;
    } else if (arcs) {
        if (topo_shape(arcs, h, idx, n, s) == 0) {
            double *out = xcalloc((size_t)t->nlayers + 1, sizeof *out);
            int ok = 1;
            for (int l = 0; l < t->nlayers && ok; l++)
                ok = !s->by_layer[l] || GEOSArea_r(h, s->by_layer[l], &out[l]);
            ok = ok && areas_match(t, h, idx, n, out);
            free(out);
            if (ok) {
                s->traced = 1;
                return;
            }
        }
        shape_free_r(h, s);
    }
    dissolve_polygons(t, h, arcs, idx, n, what, ji, s);
}

int shape_has_polygon(const shape *s)
{
    if (s->polygons > 0)
        return 1;
    for (int l = 0; s->by_layer && l < s->nlayers; l++)
        if (s->by_layer[l])
            return 1;
    return 0;
}

/* A ring transformed by PROJ, as a new LinearRing. */
static GEOSGeometry *ring_to_wgs84(GEOSContextHandle_t h, const GEOSGeometry *ring, PJ *pj)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(h, seq, &n);
    double *xy = xmalloc(2 * (size_t)(n ? n : 1) * sizeof *xy);
    GEOSCoordSeq_copyToBuffer_r(h, seq, xy, 0, 0);
    crs_to_wgs84(pj, NULL, xy, n);
    GEOSCoordSequence *out = GEOSCoordSeq_copyFromBuffer_r(h, xy, n, 0, 0);
    free(xy);
    return GEOSGeom_createLinearRing_r(h, out);
}

static GEOSGeometry *polygon_to_wgs84(GEOSContextHandle_t h, const GEOSGeometry *p, PJ *pj)
{
    GEOSGeometry *shell = ring_to_wgs84(h, GEOSGetExteriorRing_r(h, p), pj);
    int nh = GEOSGetNumInteriorRings_r(h, p);
    GEOSGeometry **holes = xmalloc((size_t)(nh ? nh : 1) * sizeof *holes);
    for (int i = 0; i < nh; i++)
        holes[i] = ring_to_wgs84(h, GEOSGetInteriorRingN_r(h, p, i), pj);
    GEOSGeometry *r = GEOSGeom_createPolygon_r(h, shell, holes, (unsigned)nh);
    free(holes);
    return r;
}

/* Appends the polygons of g, transformed, to *out. */
static void collect_wgs84(GEOSContextHandle_t h, const GEOSGeometry *g, PJ *pj,
                          GEOSGeometry ***out, int *n, int *cap)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(h, g))
            return;
        GROW(*out, *cap, *n + 1);
        (*out)[(*n)++] = polygon_to_wgs84(h, g, pj);
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int k = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < k; i++)
            collect_wgs84(h, GEOSGetGeometryN_r(h, g, i), pj, out, n, cap);
    }
}

GEOSGeometry *shape_to_wgs84(const commune_table *t, GEOSContextHandle_t h, void *const *to_wgs84,
                             const shape *s)
{
    GEOSGeometry **polys = NULL;
    int n = 0, cap = 0;
    for (int l = 0; l < s->nlayers && l < t->nlayers; l++)
        if (s->by_layer[l])
            collect_wgs84(h, s->by_layer[l], to_wgs84 ? to_wgs84[l] : t->layers[l].to_wgs84, &polys,
                          &n, &cap);
    GEOSGeometry *r = NULL;
    if (n == 1)
        r = polys[0];
    else if (n > 1)
        r = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)n);
    free(polys);
    return r;
}

void shape_free(const commune_table *t, shape *s)
{
    shape_free_r(t->geos, s);
}

void shape_free_r(GEOSContextHandle_t h, shape *s)
{
    for (int l = 0; l < s->nlayers; l++)
        if (s->by_layer[l])
            GEOSGeom_destroy_r(h, s->by_layer[l]);
    free(s->by_layer);
    s->by_layer = NULL;
    s->nlayers = 0;
    s->traced = 0;
    s->polygons = 0;
}
